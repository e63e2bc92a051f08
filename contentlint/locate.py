"""Where a finding points: ``locate(message, fragment, part) -> Location``.

Called only for findings, so it may search strings.  The search is case-insensitive and tolerant of
whitespace, line breaks, ``&nbsp;``, character entities and tags between words (``GRATUIT`` matches
``Gra&shy;tuit`` or ``<b>100%</b>&nbsp;gratuit``).  Lines and columns are 1-based; they are lines of the input
file when the part is stored unencoded there (``Part.file_mapped``), else lines inside the decoded part;
0 means unknown.
"""
from __future__ import annotations

import html as _html
import re
from functools import lru_cache
from typing import Optional

from .model import Location, Message, Part

EXCERPT = 80

_HEADER_PARTS = {"from": "From", "reply-to": "Reply-To", "reply_to": "Reply-To", "return-path": "Return-Path",
                 "return_path": "Return-Path", "to": "To", "sender": "Sender", "list-unsubscribe": "List-Unsubscribe",
                 "date": "Date", "message-id": "Message-ID"}
_HTML_SCOPES = {"html", "text/html", "anchor-text", "link", "links", "image", "images", "hidden", "alt"}
_BODY_SCOPES = {"body", "visible", "visible-text", "text"}
_GAP = r"(?:\s|&nbsp;|&#160;|&#xa0;|&zwnj;|&shy;|<[^>]{0,200}>)+"


_ALNUM_RUN = re.compile(r"[A-Za-z0-9]+")


def _cannot_match(text: str, low: str, fragment: str) -> bool:
    """True when the tolerant pattern of ``fragment`` surely has no match in ``text`` (an ASCII text such as
    an RFC 2047-encoded header): then the pattern is neither compiled nor run.  Only a necessary
    condition is tested, so the result of ``_search`` never changes: in the pattern every ASCII letter or
    digit of a word is literal (case-insensitively) with at most soft-hyphen/ZWNJ entities between them,
    and every other character is itself or a ``&…;`` reference."""
    if not text.isascii():
        return False
    fragment = " ".join(word[:200] for word in fragment.split()[:40])   # what the pattern is built from
    if "&" not in text and not fragment.isascii():
        return True                     # a non-ASCII character can be neither itself nor a reference
    joined = None
    for run in _ALNUM_RUN.findall(fragment):
        run = run.lower()
        if run in low:
            continue
        if joined is None:
            joined = low.replace("&shy;", "").replace("&zwnj;", "") if "&" in low else low
        if run not in joined:
            return True
    return False


@lru_cache(maxsize=256)
def _fragment_pattern(fragment: str) -> Optional[re.Pattern]:
    words = fragment.split()
    if not words:
        return None
    pieces = []
    for word in words[:40]:
        chars = []
        for ch in word[:200]:
            if ch.isalnum() and ch.isascii():
                chars.append(re.escape(ch))
            else:
                # the character itself, or any character reference (&eacute; &#233; &#xE9; &rsquo; …)
                chars.append(f"(?:{re.escape(ch)}|&#?\\w{{1,10}};)")
        pieces.append("(?:&shy;|&zwnj;|\u00ad|\u200c)?".join(chars) if len(word) <= 40 else "".join(chars))
    try:
        return re.compile(_GAP.join(pieces), re.IGNORECASE)
    except re.error:  # pragma: no cover - everything is escaped
        return None


def _search(text: str, fragment: str) -> Optional[tuple[int, int]]:
    """(start, end) of the fragment in text, or None."""
    if not fragment or not text:
        return None
    low = text.lower()
    i = low.find(fragment.lower())
    if i >= 0:
        return i, i + len(fragment)
    escaped = _html.escape(fragment, quote=False).lower()
    if escaped != fragment.lower():
        i = low.find(escaped)
        if i >= 0:
            return i, i + len(escaped)
    if _cannot_match(text, low, fragment):
        return None
    pat = _fragment_pattern(fragment)
    if pat is not None:
        try:
            m = pat.search(text)
        except (RecursionError, MemoryError):  # pragma: no cover
            m = None
        if m:
            return m.start(), m.end()
    return None


def _excerpt(line: str, col0: int, length: int) -> str:
    line = line.rstrip("\r\n")
    if len(line) <= EXCERPT:
        return line.strip()
    start = max(0, min(col0 - 20, len(line) - EXCERPT))
    end = start + EXCERPT
    out = line[start:end]
    if start > 0:
        out = "…" + out[1:]
    if end < len(line):
        out = out[:-1] + "…"
    return out


def _position(part: Part, start: int, length: int, part_name: str) -> Location:
    text = part.text
    line_idx = text.count("\n", 0, start)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_text = text[line_start:] if line_end < 0 else text[line_start:line_end]
    col0 = start - line_start
    if part.file_mapped and part.start_line > 0:
        line = part.start_line + line_idx
    else:
        line = line_idx + 1
    return Location(part=part_name, line=line, column=col0 + 1, excerpt=_excerpt(line_text, col0, length))


def _header_location(msg: Message, name: str, fragment: str, part_name: str) -> Optional[Location]:
    hp = msg.part("text/rfc822-headers")
    if hp is None:
        return None
    text = hp.text
    m = re.search(r"^" + re.escape(name) + r"[ \t]*:", text, re.IGNORECASE | re.MULTILINE)
    if not m:
        return None
    # the header's extent: its line and continuation lines
    end = m.end()
    while True:
        nl = text.find("\n", end)
        if nl < 0 or nl + 1 >= len(text) or text[nl + 1] not in " \t":
            end = len(text) if nl < 0 else nl
            break
        end = nl + 1
    block = text[m.start():end]
    found = _search(block[m.end() - m.start():], fragment) if fragment else None
    if found:
        start = m.end() + found[0]
        length = found[1] - found[0]
    else:
        start = m.end()
        while start < end and text[start] in " \t":
            start += 1
        length = 0
    return _position(hp, start, length, part_name)


def _front_matter_location(msg: Message, key: str, fragment: str, part_name: str) -> Optional[Location]:
    fm = msg.part("text/x-front-matter")
    if fm is None:
        return None
    m = re.search(r"^" + re.escape(key) + r"[ \t]*:", fm.text, re.IGNORECASE | re.MULTILINE)
    if not m:
        return None
    line_end = fm.text.find("\n", m.end())
    line_end = len(fm.text) if line_end < 0 else line_end
    found = _search(fm.text[m.end():line_end], fragment) if fragment else None
    start = m.end() + (found[0] if found else len(fm.text[m.end():line_end]) - len(fm.text[m.end():line_end].lstrip()))
    return _position(fm, start, (found[1] - found[0]) if found else 0, part_name)


def _in_parts(parts, fragment: str, part_name: str) -> Optional[Location]:
    for p in parts:
        found = _search(p.text, fragment)
        if found:
            return _position(p, found[0], found[1] - found[0], part_name or p.content_type)
    return None


def _value_location(value: Optional[str], fragment: str, part_name: str) -> Location:
    """A location inside a value that is not stored in a file (Send API subject…): column only."""
    if value:
        found = _search(value, fragment)
        col0 = found[0] if found else 0
        first = value.split("\n", 1)[0]
        return Location(part=part_name, line=0, column=(col0 + 1) if found else 0,
                        excerpt=_excerpt(first, col0, len(fragment)))
    return Location(part=part_name, excerpt=(fragment or "")[:EXCERPT])


def locate(message: Message, fragment: str, part: str = "") -> Location:
    """Find ``fragment`` in the named part of the message; never raises."""
    try:
        return _locate(message, fragment or "", (part or "").strip())
    except Exception:  # noqa: BLE001 - a location is a nicety, never a crash
        return Location(part=part or "", excerpt=(fragment or "")[:EXCERPT])


def _locate(msg: Message, fragment: str, part: str) -> Location:
    key = part.lower()
    text_parts = [p for p in msg.parts if p.content_type in ("text/plain", "text/html")]
    html_parts = [p for p in text_parts if p.content_type == "text/html"]
    plain_parts = [p for p in text_parts if p.content_type == "text/plain"]

    if key == "subject":
        loc = _header_location(msg, "Subject", fragment, part) or \
            _front_matter_location(msg, "subject", fragment, part)
        if loc:
            return loc
        if msg.subject and html_parts:  # a template's subject from <title>
            title = _search(html_parts[0].text, "<title")
            if title:
                found = _search(html_parts[0].text[title[0]:title[0] + 2000], fragment)
                if found:
                    return _position(html_parts[0], title[0] + found[0], found[1] - found[0], part)
        return _value_location(msg.subject, fragment, part)
    if key in _HEADER_PARTS or key.startswith("header:"):
        name = _HEADER_PARTS.get(key) or part.split(":", 1)[1].strip()
        loc = _header_location(msg, name, fragment, part)
        if loc:
            return loc
        if key == "from":
            loc = _front_matter_location(msg, "from", fragment, part) or \
                _front_matter_location(msg, "sender", fragment, part)
            if loc:
                return loc
        return _value_location(msg.header(name) or (msg.from_addr if key == "from" else None), fragment, part)
    if key == "headers":
        hp = msg.part("text/rfc822-headers")
        if hp is not None:
            found = _search(hp.text, fragment)
            if found:
                return _position(hp, found[0], found[1] - found[0], part)
        return Location(part=part, excerpt=fragment[:EXCERPT])
    if key == "preheader":
        loc = _front_matter_location(msg, "preheader", fragment, part)
        if loc:
            return loc
        loc = _in_parts(html_parts, fragment, part)
        return loc or _value_location(msg.preheader, fragment, part)
    if key in ("text/plain", "plain"):
        return _in_parts(plain_parts, fragment, part) or Location(part=part, excerpt=fragment[:EXCERPT])
    if key in _HTML_SCOPES:
        return _in_parts(html_parts, fragment, part) or Location(part=part, excerpt=fragment[:EXCERPT])
    if key in _BODY_SCOPES or not key:
        loc = _in_parts(html_parts + plain_parts, fragment, part)
        if loc:
            return loc
        if not key:
            loc = _header_location(msg, "Subject", fragment, "subject")
            if loc and _search(msg.subject or "", fragment):
                return loc
        return Location(part=part, excerpt=fragment[:EXCERPT])
    # any other part name: a part label ("1.2 text/html"), else every part
    for p in msg.parts:
        if p.label.lower() == key:
            found = _search(p.text, fragment)
            if found:
                return _position(p, found[0], found[1] - found[0], part)
    return _in_parts(text_parts, fragment, part) or Location(part=part, excerpt=fragment[:EXCERPT])
