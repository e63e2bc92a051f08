"""The span property, as a helper the tests share: the text at a finding's reported place in the input
file, decoded the way that part is encoded, contains the text the rule matched."""
from __future__ import annotations

import base64
import binascii
import html as _html
import json
import re

from contentlint.model import INPUT_MAILJET
from contentlint.placeholders import default_placeholders
from contentlint.readers.mime import decode_words

_TAGS = re.compile(r"<[^>]*>")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u034f\u180e\u2061-\u2064\u200e\u200f\u115f\u1160"
                        "\u3164\uffa0\u17b4\u17b5\x00]")


def norm(text: str) -> str:
    """Compared without white space: how much of it a text shows is the HTML layout's business."""
    text = _INVISIBLE.sub("", text)
    return "".join(text.split()).casefold()


def decoded_at(data: bytes, msg, loc) -> str:
    """What the file holds at ``loc``, decoded like the part or field it belongs to."""
    raw = data[loc.offset:loc.end_offset]
    if data.startswith(b"\xef\xbb\xbf") and msg.input_format != "eml":
        raw = data[loc.offset + 3:loc.end_offset + 3]     # templates: offsets count the decoded text
    label = loc.part_label
    part = msg.part_by_label(label) if label else None
    is_field = label in msg.fields or not label
    if msg.input_format == INPUT_MAILJET:
        text = raw.decode("utf-8", "replace")
        try:
            text = json.loads('"' + text + '"')
        except ValueError:
            pass
    elif msg.input_format != "eml":
        text = raw.decode("utf-8", "replace")
    elif part is not None and not is_field:
        if part.encoding == "quoted-printable":
            raw = binascii.a2b_qp(raw)
        elif part.encoding == "base64":
            b64 = re.sub(rb"[^A-Za-z0-9+/=]", b"", raw)
            b64 = b64[:len(b64) // 4 * 4]
            raw = base64.b64decode(b64) if b64 else b""
        text = raw.decode(part.charset or "utf-8", "ignore")
        if label == "headers":
            text = decode_words(re.sub(r"\r?\n[ \t]", " ", text))
    else:
        # a header value: a span inside an encoded word points at its characters (Q) or 4-character groups
        # (B); decode the whole lines it stands on
        s = data.rfind(b"\n", 0, loc.offset) + 1
        e = data.find(b"\n", max(loc.offset, loc.end_offset - 1))
        e = len(data) if e < 0 else e
        while e + 1 < len(data) and data[e + 1:e + 2] in (b" ", b"\t"):
            nxt = data.find(b"\n", e + 1)
            e = len(data) if nxt < 0 else nxt
        text = decode_words(re.sub(r"\r?\n([ \t])", r"\1", data[s:e].decode("utf-8", "replace")))
    if (part is not None and part.content_type == "text/html") or loc.part_label == "text/html":
        # visible text is compared with the tags dropped and entities decoded; a match of the HTML source
        # itself (a <form> tag) as written: both readings are given
        return default_placeholders().mask(_html.unescape(_TAGS.sub(" ", text))) + "\0" + \
            default_placeholders().mask(text)
    return default_placeholders().mask(text)


def _in_order(want: str, at: str) -> bool:
    """Every word of ``want`` is in ``at``, in order (a span from the first word of a match to its last also
    covers what the reader does not see between them: hidden text, a skipped <select>)."""
    pos = 0
    for word in want.split():
        w = norm(word)
        if not w:
            continue
        i = at.find(w, pos)
        if i < 0:
            return False
        pos = i + len(w)
    return True


def check_findings(data: bytes, msg, findings) -> tuple[int, list[str]]:
    """(spans checked, problems): every span with a file position must hold its match."""
    checked, problems = 0, []
    for f in findings:
        for loc in f.spans:
            if loc.offset < 0 or not loc.match:
                continue
            checked += 1
            readings = [norm(x) for x in decoded_at(data, msg, loc).split("\0")]
            want = default_placeholders().mask(loc.match)
            if not any(_in_order(want, at) for at in readings):
                at = readings[0]
                problems.append(f"{msg.source}#{msg.index} {f.rule} {loc.line}:{loc.column}: "
                                f"match {loc.match[:60]!r} but the file has {at[:80]!r}")
    return checked, problems
