"""HTML and plain-text templates (no headers), with an optional YAML front matter block::

    ---
    subject: Votre sélection de la semaine
    from: Boutique Exemple <news@exemple.fr>
    preheader: Trois idées pour le week-end
    lang: fr
    ---
    <!doctype html>…

Subject: ``--subject`` option, else front matter ``subject``, else the HTML ``<title>``.
Sender: ``--from`` option, else front matter ``from`` (or ``sender``).
Templates have ``has_headers=False``: header rules (authentication, List-Unsubscribe) do not apply.
"""
from __future__ import annotations

import re
from typing import Optional

from ..model import INPUT_HTML, INPUT_TEXT, Location, Message, Part, Problem

_FM_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
_SIMPLE_KV = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")

FRONT_MATTER_KEYS = {
    "subject": "subject", "from": "sender", "sender": "sender", "preheader": "preheader",
    "preview": "preheader", "previewtext": "preheader", "preview_text": "preheader",
    "lang": "lang", "language": "lang", "locale": "lang", "reply_to": "reply_to", "reply-to": "reply_to",
}


def decode_template(data: bytes, html: bool) -> tuple[str, str, list[Problem]]:
    """Bytes of a template file → text (BOM, UTF-8, <meta charset>, else Windows-1252 with a Problem)."""
    from .mime import decode_text

    problems: list[Problem] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace"), "utf-16", problems
    try:
        return data.decode("utf-8"), "utf-8", problems
    except UnicodeDecodeError:
        pass
    declared = None
    if html:
        m = _META_CHARSET.search(data[:4096])
        if m:
            declared = m.group(1).decode("ascii", "replace")
    text, used, problem = decode_text(data, declared)
    if problem and problem[0] == "missing-charset":
        problems.append(Problem("wrong-charset", "the file is not valid UTF-8 and declares no charset; "
                                "read as Windows-1252 (save templates as UTF-8)"))
    elif problem:
        problems.append(Problem(problem[0], problem[1]))
    return text, used, problems


# Front matter is usually a few `key: plain text` lines.  Those are read without PyYAML, but only when
# YAML itself would give exactly the same strings; anything else (quoting with escapes, lists, numbers,
# booleans, dates, null, anchors, multi-line values, comments after values…) goes to ``yaml.safe_load``.
_FM_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?")
_FM_PLAIN_START = re.compile(r"[^-?:,\[\]{}#&*!|>'\"%@`\s0-9+.~]")
_FM_YAML_WORDS = {"y", "yes", "n", "no", "true", "false", "on", "off", "null", "=", "<<"}


def _simple_front_matter(raw: str) -> Optional[dict]:
    """``{key: str}`` for front matter made only of simple ``key: value`` lines, else None (use YAML)."""
    out: dict = {}
    for line in raw.split("\n"):
        if not line.strip():
            continue
        if "\t" in line or "\r" in line or line[0] in " #":
            return None
        m = _FM_LINE.fullmatch(line)
        if not m:
            return None
        key, value = m.group(1), m.group(2)
        if value is None or not value.strip():
            return None                    # `key:` alone is null, or a nested block follows
        value = value.rstrip(" ")
        if value[0] == '"':
            inner = value[1:-1]
            if len(value) < 2 or value[-1] != '"' or '"' in inner or "\\" in inner or not inner.isprintable():
                return None
            value = inner
        elif value[0] == "'":
            inner = value[1:-1]
            if len(value) < 2 or value[-1] != "'" or "'" in inner or not inner.isprintable():
                return None
            value = inner
        else:
            if not _FM_PLAIN_START.match(value) or ": " in value or " #" in value or value.endswith(":") \
                    or value.lower() in _FM_YAML_WORDS or not value.isprintable():
                return None
        if key in out or key.lower() in _FM_YAML_WORDS:
            return None
        out[key] = value
    return out


def split_front_matter(text: str) -> tuple[dict, int, str, list[Problem]]:
    """(fields, number of lines taken by the block, its raw text, problems).  No block: ({}, 0, "", [])."""
    if not (text.startswith("---\n") or text.startswith("---\r\n")):
        return {}, 0, "", []
    m = _FM_END.search(text, 4)
    if not m:
        return {}, 0, "", [Problem("bad-front-matter", "front matter opened with \"---\" on line 1 is never closed; "
                                   "the whole file was read as content", Location("front-matter", 1, 1))]
    raw = text[4:m.start()]
    end = m.end()
    if end < len(text) and text[end] == "\n":
        end += 1
    nlines = text.count("\n", 0, end)
    problems: list[Problem] = []
    fields: dict = {}
    loaded = None
    try:
        loaded = _simple_front_matter(raw)
        if loaded is None:
            import yaml   # only for front matter the fast reader does not cover (PyYAML costs ~20 ms)

            loaded = yaml.safe_load(raw) if raw.strip() else {}
    except Exception as exc:  # noqa: BLE001 - YAML errors, or anything odd: fall back to key: value lines
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problems.append(Problem("bad-front-matter", f"front matter is not valid YAML{where}; "
                                "simple \"key: value\" lines were read", Location("front-matter", 1, 1)))
        loaded = {}
        for line in raw.splitlines():
            km = _SIMPLE_KV.match(line)
            if km:
                loaded[km.group(1)] = km.group(2).strip("\"'")
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        problems.append(Problem("bad-front-matter", "front matter is not a mapping of key: value; ignored",
                                Location("front-matter", 1, 1)))
        loaded = {}
    for key, value in loaded.items():
        canon = FRONT_MATTER_KEYS.get(str(key).strip().lower())
        if canon and value is not None and not isinstance(value, (dict, list)):
            # a folded or literal block (`subject: >`) ends with a newline that is no part of the value
            fields.setdefault(canon, str(value).rstrip("\r\n") if isinstance(value, str) else str(value))
    return fields, nlines, text[:end], problems


_FM_KEY_LINE = "^{key}[ \t]*:[ \t]*"


def front_matter_value_map(fm_text: str, key: str, value: str):
    """Map of a front-matter value (as YAML read it) to its place in the block: the value itself when it
    stands as written on the key's line (plain, or inside quotes), else the whole value (quoted with
    escapes, folded over lines) as one unit.  None when the key is not found."""
    from ..spans import MapBuilder, SegMap

    m = re.search(_FM_KEY_LINE.format(key=re.escape(key)), fm_text, re.IGNORECASE | re.MULTILINE)
    if not m:
        return None
    start = m.end()
    eol = fm_text.find("\n", start)
    eol = len(fm_text) if eol < 0 else eol
    line = fm_text[start:eol]
    for q in ("", '"', "'"):
        if line.startswith(q + value) and (not q or line[len(q) + len(value):].startswith(q)):
            return SegMap.shift(start + len(q), len(value))
    end = eol                     # a folded or block value: up to the next key line
    nxt = re.compile(r"^[A-Za-z_][\w-]*[ \t]*:", re.MULTILINE).search(fm_text, eol + 1)
    end = nxt.start() - 1 if nxt else len(fm_text.rstrip("\n-. \n"))
    b = MapBuilder()
    b.replace(value, start, max(start, end))
    return b.build()[1]


def apply_fields(msg: Message, fields: dict, options) -> None:
    """Subject, sender and Reply-To of a template: the options first, else its front matter."""
    from ..model import Field
    from .mime import parse_address

    msg.subject = options.subject if options.subject is not None else fields.get("subject")
    if options.subject is not None:
        msg.fields["subject"] = Field("subject", options.subject, where="option --subject")
    msg.subject_source = "option" if options.subject is not None else ("front-matter" if msg.subject is not None else "")
    sender = options.sender if options.sender is not None else fields.get("sender")
    if sender:
        msg.from_name, msg.from_addr, msg.from_domain = parse_address(sender)
    if fields.get("reply_to"):
        _, msg.reply_to, msg.reply_to_domain = parse_address(fields["reply_to"])


def read_template(data: bytes, source: str, options=None, html: bool = True) -> Message:
    from . import ReadOptions, finish_message
    from ..model import Field
    from ..spans import FileIndex, Origin, SegMap
    from .mime import _drop_nul_and_cr

    options = options or ReadOptions()
    text, charset, problems = decode_template(data, html)
    file_index = FileIndex(text)          # positions are counted in the decoded file text
    edits = None
    if "\x00" in text:
        problems.append(Problem("nul-bytes", f"{text.count(chr(0))} NUL bytes removed"))
    if "\r\n" in text or "\x00" in text:
        text, edits = _drop_nul_and_cr(text)
    fields, fm_lines, fm_text, fm_problems = split_front_matter(text)
    problems.extend(fm_problems)
    body = text[len(fm_text):]
    ctype = "text/html" if html else "text/plain"
    msg = Message(source=source, input_format=INPUT_HTML if html else INPUT_TEXT, has_headers=False,
                  raw_size=len(data))
    msg.file = file_index
    if fm_text:
        msg.parts.append(Part(label="front-matter", content_type="text/x-front-matter", charset=charset,
                              text=fm_text, start_line=1, file_mapped=True, origin=Origin(file_index, edits)))
        for key, label in (("subject", "subject"), ("from", "from"), ("sender", "from"), ("preheader", "preheader"),
                           ("preview", "preheader"), ("preview_text", "preheader"), ("previewtext", "preheader"),
                           ("reply_to", "reply-to"), ("reply-to", "reply-to")):
            value = fields.get(FRONT_MATTER_KEYS[key])
            if value is not None and label not in msg.fields:
                fmap = front_matter_value_map(fm_text, key, value)
                if fmap is not None:
                    msg.fields[label] = Field(label, value, origin=Origin(file_index, fmap, edits))
    msg.parts.append(Part(label=ctype, content_type=ctype, charset=charset, text=body,
                          start_line=fm_lines + 1, file_mapped=True,
                          origin=Origin(file_index, SegMap.shift(len(fm_text), len(body)), edits)))
    if html:
        msg.html = body
    else:
        msg.text = body
    apply_fields(msg, fields, options)
    msg.problems = problems
    msg = finish_message(msg, options, subject_from_title=html,
                          front_matter_lang=fields.get("lang"),
                          front_matter_preheader=fields.get("preheader"))
    if msg.subject and not msg.subject_source:
        msg.subject_source = "title"
    return msg
