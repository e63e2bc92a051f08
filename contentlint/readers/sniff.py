"""Decide what an input is from its first bytes.  The file extension is only a hint.

Order: empty, binary, Send API JSON, mbox (``From `` separator line followed by headers), RFC 5322
message (a header block with at least one well-known header), HTML (optionally after YAML front matter),
plain text.  ``hint_ext`` breaks ties: a ``.json`` file is always read as JSON (so invalid JSON gets a
precise error), an ``.eml``/``.mbox`` that is neither JSON nor HTML is read as a message.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

FORMAT_EMPTY = "empty"
FORMAT_BINARY = "binary"
FORMAT_JSON = "json"
FORMAT_MBOX = "mbox"
FORMAT_EML = "eml"
FORMAT_HTML = "html"
FORMAT_TEXT = "text"
FORMAT_MJML = "mjml"      # an MJML document (<mjml> root), compiled by readers/mjml.py


@dataclass(frozen=True)
class Sniffed:
    name: str
    detail: str = ""


BOM_UTF8 = b"\xef\xbb\xbf"
BOMS_UTF16 = (b"\xff\xfe", b"\xfe\xff")

_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx)"),
    (b"\x1f\x8b", "gzip-compressed data (decompress it first)"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"BZh", "bzip2-compressed data (decompress it first)"),
    (b"\xd0\xcf\x11\xe0", "an OLE2 file (Outlook .msg files are not supported; save the message as .eml)"),
    (b"\x7fELF", "an executable"),
)

# bytes that never appear in text: C0 controls except \t \n \f \r and ESC (ISO-2022 uses ESC)
_CTRL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")
_HEADER_LINE = re.compile(rb"[!-9;-~]+[ \t]*:")
_KNOWN_HEADERS = frozenset(
    b"""from to cc bcc subject date received return-path message-id mime-version content-type
    content-transfer-encoding reply-to sender delivered-to dkim-signature authentication-results
    list-unsubscribe x-mailer user-agent in-reply-to references x-original-to envelope-to
    arc-seal arc-message-signature arc-authentication-results received-spf errors-to precedence""".split()
)
_HTML_TAG = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|table|div|p|br|span|img|center|font|meta|style|title|a\s|td|tr|"
    rb"h[1-6]|strong|b|i|u|ul|ol|li|mjml|hr)[\s/>]",
    re.IGNORECASE,
)
# <mjml> as the root (after an XML declaration or comments): an MJML template
_MJML_ROOT = re.compile(rb"\s*(?:<\?xml[^>]{0,200}>\s*)?(?:<!--(?:[^-]|-(?!->)){0,2000}-->\s*){0,5}<mjml[\s>]", re.IGNORECASE)
_JSON_START = re.compile(rb"\s*\{\s*(?:\"|\})")


def strip_bom(data: bytes) -> bytes:
    return data[3:] if data.startswith(BOM_UTF8) else data


def looks_like_headers(data: bytes, max_fields: int = 40, partial: bool = False) -> bool:
    """True when ``data`` starts with a run of RFC 5322 header lines naming at least one well-known header
    (two or more lines, or one ended by the empty line that separates headers from the body).

    Judged by the structure of the header block (``Name: value`` lines and their folded continuations),
    not by a byte window: a ``To:`` of 50,000 addresses on one line is still a header.  Linear and quick:
    it stops as soon as it knows, and after ``max_fields`` header fields without a well-known one.
    ``partial``: ``data`` is only the start of the input, so a line running to its end is a header line
    whose end is not seen yet.
    """
    if not _HEADER_LINE.match(data):
        return False
    known = False
    good = 0
    fields = 0
    pos = 0
    n = len(data)
    while pos < n:
        nl = data.find(b"\n", pos)
        end = n if nl < 0 else nl
        if end == pos or (end == pos + 1 and data[pos] == 0x0D):
            return known  # the empty line that ends the header block
        if data[pos] in (0x20, 0x09):
            good += 1  # a folded continuation of the field above
        else:
            m = _HEADER_LINE.match(data, pos)
            if not m:
                break
            good += 1
            fields += 1
            known = known or data[pos:m.end()].rstrip(b": \t").lower() in _KNOWN_HEADERS
        if known and good >= 2:
            return True
        if nl < 0:
            return known and partial
        if fields >= max_fields and not known:
            return False
        pos = nl + 1
    else:
        return known  # the data ends with a line end: as if an empty line followed
    return known and good >= 2


def is_mbox_start(data: bytes, partial: bool = False) -> bool:
    if not data.startswith(b"From "):
        return False
    nl = data.find(b"\n")
    if nl < 0:
        return False
    return looks_like_headers(data[nl + 1:], partial=partial)


def binary_detail(data: bytes) -> str:
    """Why ``data`` is binary, or "" when it is text."""
    head = data[:8192]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return f"this is {what}"
    if not head:
        return ""
    ctrl = len(_CTRL.findall(head))
    if ctrl * 10 > len(head):  # more than 10% control bytes
        return f"binary data ({ctrl} control bytes in the first {len(head)})"
    return ""


def _skip_front_matter(data: bytes) -> bytes:
    if not (data.startswith(b"---\n") or data.startswith(b"---\r\n")):
        return data
    m = re.search(rb"\n(?:---|\.\.\.)[ \t]*\r?(?:\n|$)", data[3:])
    return data[3 + m.end():] if m else data


def sniff(data: bytes, hint_ext: str = "", partial: bool = False) -> Sniffed:
    """What ``data`` is; ``partial``: it is only the start of the input (a stream's first bytes)."""
    hint = (hint_ext or "").lower()
    if hint and not hint.startswith("."):
        hint = "." + hint
    if data.startswith(BOMS_UTF16):
        # UTF-16 text (Windows editors): only templates and JSON come this way
        try:
            text = data[:8192].decode("utf-16", "ignore")
        except Exception:  # noqa: BLE001
            text = ""
        body = text.encode("utf-8", "ignore")
        if not body.strip():
            return Sniffed(FORMAT_EMPTY)
        if hint == ".json" or _JSON_START.match(body):
            return Sniffed(FORMAT_JSON)
        return Sniffed(FORMAT_HTML if _HTML_TAG.search(body) else FORMAT_TEXT)
    data = strip_bom(data)
    if not data.strip():
        return Sniffed(FORMAT_EMPTY)
    start = data.lstrip(b"\r\n")
    # a real header block wins over junk in the body: the MIME reader reports the junk per part
    if is_mbox_start(start, partial):
        return Sniffed(FORMAT_MBOX)
    if looks_like_headers(start, partial=partial):
        return Sniffed(FORMAT_EML)
    detail = binary_detail(data)
    if detail:
        return Sniffed(FORMAT_BINARY, detail)
    if hint == ".json" or _JSON_START.match(data[:256]):
        return Sniffed(FORMAT_JSON)
    body = _skip_front_matter(start)
    if _MJML_ROOT.match(body[:65536]):
        return Sniffed(FORMAT_MJML)
    if _HTML_TAG.search(body[:65536]):
        return Sniffed(FORMAT_HTML)
    if hint in (".eml", ".msg", ".mbox", ".mbx"):
        # named as a message but without a recognisable header block: read it as one, the MIME reader
        # reports what is wrong instead of silently checking it as a headerless template
        return Sniffed(FORMAT_MBOX if start.startswith(b"From ") else FORMAT_EML)
    if hint == ".mjml" and b"<mj-" in body[:65536]:
        return Sniffed(FORMAT_MJML)             # an MJML partial (mj-include'd), without the <mjml> root
    if hint in (".html", ".htm"):
        return Sniffed(FORMAT_HTML)
    return Sniffed(FORMAT_TEXT)
