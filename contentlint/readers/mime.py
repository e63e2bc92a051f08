"""RFC 5322 / MIME messages → ``Message``.

A small iterative MIME parser working on byte offsets of the original input, rather than the stdlib
``email`` package, for three reasons (measured, see the report in the readers' commit history):

* speed: the stdlib parser with ``policy=default`` costs ~1 ms for a 25 KB newsletter; this reader does the
  structure walk with ``bytes.find`` and decodes only the text parts (attachments are sized, not decoded);
* positions: every text part keeps the line of the input file it starts on, so findings point at
  ``line:column`` in the file;
* hostility: the stdlib parser and ``Message.walk()`` recurse per nesting level, so a multipart nested
  1,000 deep raises ``RecursionError``; here the walk uses an explicit stack and a depth limit.

Everything wrong with the input becomes a ``Problem`` on the message (codes listed in ``PROBLEM_CODES``);
nothing in this module raises on bad input.
"""
from __future__ import annotations

import binascii
import codecs
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from ..model import INPUT_EML, Location, Message, Part, Problem

MAX_DEPTH = 64          # multipart nesting deeper than this is not read ("mime-too-deep")
MAX_PARTS = 1000        # MIME entities read per message ("mime-too-many-parts")
MAX_HEADER_LINES = 5000  # header fields kept per entity, and lines kept per folded field ("header-limit")

PROBLEM_CODES = {
    "malformed-mime": "MIME structure is broken (missing/unused boundary, no closing boundary, junk in the header block)",
    "mime-too-deep": "multiparts nested deeper than the reader's limit; deeper parts were not read",
    "mime-too-many-parts": "more MIME parts than the reader's limit; the rest were not read",
    "unknown-charset": "a declared charset is not a known text encoding; the text was read as UTF-8 or Windows-1252",
    "wrong-charset": "the declared charset does not match the bytes (e.g. UTF-8 bytes labelled ISO-8859-1)",
    "missing-charset": "8-bit text with no charset declared; clients will guess",
    "truncated-base64": "a base64 part ends in the middle of a group (cut-off message); what could be decoded was read",
    "invalid-base64": "a base64 part holds characters outside the base64 alphabet",
    "unknown-encoding": "an unknown Content-Transfer-Encoding; the part was read as is",
    "nul-bytes": "NUL bytes in a text part (removed before checking)",
    "malformed-header": "an RFC 2047 encoded word in a header could not be decoded",
    "no-body": "the message has no text/plain or text/html part to check",
}


# --------------------------------------------------------------------------------------------------
# charsets
# --------------------------------------------------------------------------------------------------
_SINGLE_BYTE_WEB = {"ascii", "iso8859-1", "cp1252", "iso8859-15"}


@lru_cache(maxsize=256)
def lookup_charset(label: str) -> Optional[str]:
    """Python codec name for a MIME charset label, or None when unknown / not a text encoding."""
    label = (label or "").strip().strip("\"'").lower()
    if not label:
        return None
    label = {"unicode-1-1-utf-7": "utf-7", "utf8": "utf-8", "x-sjis": "shift_jis", "x-euc-jp": "euc_jp",
             "ks_c_5601-1987": "cp949", "ks_c_5601": "cp949", "x-gbk": "gbk", "gb2312": "gb18030",
             "windows-874": "cp874", "x-mac-roman": "mac_roman"}.get(label, label)
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None  # "base64", "rot13", "zlib"…: bytes codecs, not charsets
    if info.name in ("undefined", "idna", "punycode", "raw_unicode_escape", "unicode_escape", "mbcs", "oem"):
        return None  # "undefined" raises on every input; the others are not mail charsets
    return info.name


def decode_text(raw: bytes, declared: Optional[str]) -> tuple[str, str, Optional[tuple[str, str]]]:
    """Decode bytes with the declared charset and sane fallbacks.

    Returns (text, charset used, problem or None) where problem is (code, message).
    US-ASCII / ISO-8859-1 labels are read as Windows-1252 (as browsers and mail clients do);
    a single-byte label on bytes that are valid UTF-8 is read as UTF-8 (the usual mislabelling).
    """
    label = (declared or "").strip().strip("\"'")
    if raw.isascii():
        if label and lookup_charset(label) is None:
            return raw.decode("ascii"), "us-ascii", ("unknown-charset", f"unknown charset \"{label[:40]}\" (text is plain ASCII)")
        codec = lookup_charset(label) if label else None
        if codec and codec not in _SINGLE_BYTE_WEB and codec != "utf-8":
            try:  # ISO-2022-JP and UTF-7 are 7-bit charsets
                return raw.decode(codec), codec, None
            except (UnicodeError, LookupError):
                pass
        return raw.decode("ascii"), "us-ascii", None
    codec = lookup_charset(label) if label else None
    problem = None
    if label and codec is None:
        problem = ("unknown-charset", f"unknown charset \"{label[:40]}\"; read as UTF-8 or Windows-1252")
    elif not label:
        problem = ("missing-charset", "8-bit text without a declared charset")
    elif codec in _SINGLE_BYTE_WEB:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            if codec == "ascii":
                return raw.decode("cp1252", "replace"), "windows-1252", (
                    "wrong-charset", "declared US-ASCII but holds 8-bit bytes; read as Windows-1252")
            return raw.decode("cp1252" if codec != "iso8859-15" else codec, "replace"), \
                "windows-1252" if codec != "iso8859-15" else "iso-8859-15", None
        return text, "utf-8", ("wrong-charset", f"declared {label[:40]} but the bytes are UTF-8; clients will show mojibake")
    else:
        try:
            return raw.decode(codec), codec, None
        except (UnicodeError, LookupError):
            problem = ("wrong-charset", f"bytes are not valid {label[:40]}; read with a fallback")
    try:
        text = raw.decode("utf-8")
        used = "utf-8"
    except UnicodeDecodeError:
        text, used = _mostly_utf8(raw)
    return text, used, problem


def _mostly_utf8(raw: bytes) -> tuple[str, str]:
    """UTF-8 with a few broken sequences reads better as UTF-8 than as Windows-1252."""
    text = raw.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127) - bad
    if good >= 4 * bad:
        return text, "utf-8"
    return raw.decode("cp1252", "replace"), "windows-1252"


def decode_header_bytes(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


# --------------------------------------------------------------------------------------------------
# transfer encodings
# --------------------------------------------------------------------------------------------------
_B64_JUNK = re.compile(rb"[^A-Za-z0-9+/=]")
_B64_WS = re.compile(rb"[ \t\r\n]")
_B64_AFTER_PAD = re.compile(rb"=[\s=]*[A-Za-z0-9+/]")
_B64_SEGMENT = re.compile(rb"[^=]+=*")


def decode_base64(payload: bytes) -> tuple[bytes, Optional[tuple[str, str]]]:
    """Tolerant base64: decodes what it can; reports truncation and junk."""
    eq = payload.find(b"=")
    if 0 <= eq < len(payload.rstrip()) - 2 and _B64_AFTER_PAD.search(payload, eq):
        # several base64 runs, each with its own padding (some mailers encode line by line)
        chunks, problem = [], None
        for seg in _B64_SEGMENT.findall(payload):
            data, p = decode_base64(seg)
            chunks.append(data)
            problem = problem or p
        return b"".join(chunks), problem
    try:
        return binascii.a2b_base64(payload, strict_mode=False), (
            None if not _B64_JUNK.search(_B64_WS.sub(b"", payload[:65536])) else
            ("invalid-base64", "base64 part holds characters outside the base64 alphabet (ignored)"))
    except (binascii.Error, ValueError):
        pass
    clean = _B64_JUNK.sub(b"", payload)
    eq = clean.find(b"=")
    body = clean if eq < 0 else clean[:eq]
    body = body.replace(b"=", b"")
    rem = len(body) % 4
    if rem == 1:
        body = body[:-1]
        rem = 0
    if rem:
        body += b"=" * (4 - rem)
    try:
        data = binascii.a2b_base64(body)
    except (binascii.Error, ValueError):  # pragma: no cover - body is clean by construction
        data = b""
    return data, ("truncated-base64", f"base64 data is cut off ({len(clean)} characters, not a whole number of "
                                      "4-character groups); the decodable start was read")


def decode_qp(payload: bytes) -> bytes:
    return binascii.a2b_qp(payload)


# --------------------------------------------------------------------------------------------------
# headers
# --------------------------------------------------------------------------------------------------
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,75})\?([bBqQ])\?([^?\s]*)\?=")
_QP_HEADER_ESC = re.compile(rb"=([0-9A-Fa-f]{2})")


def _decode_word_payload(enc: str, payload: str) -> bytes:
    raw = payload.encode("ascii", "replace")
    if enc in "bB":
        data, _ = decode_base64(raw)
        return data
    raw = raw.replace(b"_", b" ")
    return _QP_HEADER_ESC.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


def decode_words(value: str, problems: Optional[list] = None) -> str:
    """Decode RFC 2047 encoded words; malformed ones are left as they are.  Never raises.

    Every header is decoded this way when a message is read; ``decode_words_mapped`` gives the same text
    with its map back to the header value, for findings only."""
    if "=?" not in value:
        return value
    out: list[str] = []
    pos = 0
    run: list[bytes] = []        # the decoded bytes of adjacent words in one charset (joined once: linear)
    run_charset: Optional[str] = None

    def flush():
        nonlocal run, run_charset
        if run_charset is not None:
            text, _, problem = decode_text(b"".join(run), run_charset)
            if problem and problem[0] == "unknown-charset" and problems is not None:
                problems.append(Problem("malformed-header", f"encoded word with {problem[1]}"))
            out.append(text)
        run, run_charset = [], None

    for m in _ENCODED_WORD.finditer(value):
        between = value[pos:m.start()]
        charset = m.group(1).split("*", 1)[0]  # RFC 2231 language suffix
        if between and not (run_charset is not None and not between.strip()):
            flush()
            out.append(between)
        try:
            data = _decode_word_payload(m.group(2), m.group(3))
        except Exception:  # noqa: BLE001 - keep the word as is
            flush()
            out.append(m.group(0))
            pos = m.end()
            continue
        if run_charset is not None and charset.lower() != run_charset.lower():
            flush()
        run_charset = charset if run_charset is None else run_charset
        run.append(data)
        pos = m.end()
    flush()
    out.append(value[pos:])
    return "".join(out)


def decode_words_mapped(value: str, problems: Optional[list] = None):
    """``decode_words`` and the map of the decoded text back to ``value`` (a ``spans.SegMap``; None when
    nothing was decoded).  Each encoded word (or run of adjacent words in one charset) is one unit of the
    map: a match inside it points at the whole encoded word."""
    from ..spans import MapBuilder

    if "=?" not in value:
        return value, None
    b = MapBuilder()
    pos = 0
    run: list[bytes] = []
    run_charset: Optional[str] = None
    units: list[tuple[int, int]] = []     # for each decoded byte of the run: the encoded text it came from

    def flush():
        nonlocal run, run_charset, units
        if run_charset is not None:
            run_bytes = b"".join(run)
            text, used, problem = decode_text(run_bytes, run_charset)
            if problem and problem[0] == "unknown-charset" and problems is not None:
                problems.append(Problem("malformed-header", f"encoded word with {problem[1]}"))
            widths = None
            if len(text) == len(run_bytes):
                widths = [1] * len(text)
            elif used == "utf-8":
                try:
                    widths = [len(ch.encode("utf-8")) for ch in text]
                except UnicodeEncodeError:
                    widths = None
            if widths is not None and sum(widths) == len(units):
                k = 0
                for ch, w in zip(text, widths):
                    b.replace(ch, units[k][0], units[k + w - 1][1])
                    k += w
            else:
                b.replace(text, units[0][0] if units else 0, units[-1][1] if units else 0)
        run, run_charset, units = [], None, []

    for m in _ENCODED_WORD.finditer(value):
        between = value[pos:m.start()]
        charset = m.group(1).split("*", 1)[0]  # RFC 2231 language suffix
        if between and not (run_charset is not None and not between.strip()):
            flush()
            b.copy(between, pos)
        try:
            data = _decode_word_payload(m.group(2), m.group(3))
        except Exception:  # noqa: BLE001 - keep the word as is
            flush()
            b.copy(m.group(0), m.start())
            pos = m.end()
            continue
        if run_charset is not None and charset.lower() != run_charset.lower():
            flush()
        if run_charset is None:
            run_charset = charset
        run.append(data)
        units.extend(_word_units(m, data))
        pos = m.end()
    flush()
    b.copy(value[pos:], pos)
    return b.build()


def _word_units(m, data: bytes) -> list[tuple[int, int]]:
    """For each byte an encoded word decodes to, the (start, end) of what encodes it in the header value."""
    start = m.start(3)
    payload = m.group(3)
    if m.group(2) in "bB":
        units = [(start + 4 * (j // 3), min(m.end(3), start + 4 * (j // 3) + 4)) for j in range(len(data))]
    else:
        units = []
        i = 0
        n = len(payload)
        while i < n:
            if payload[i] == "=" and i + 2 < n + 1 and _QP_HEADER_ESC.match(payload.encode("ascii", "replace"), i):
                units.append((start + i, start + i + 3))
                i += 3
            else:
                units.append((start + i, start + i + 1))
                i += 1
    if len(units) != len(data):   # an odd payload: every byte stands for the whole word
        units = [(m.start(), m.end())] * len(data)
    return units


# the lookbehind starts a local part only where a run of address characters starts: a match from inside
# the run would be a shorter copy of the one from its start, and trying every position of a long run
# without "@" (a 160,000-character From) is quadratic
_ADDR_RE = re.compile(r"(?<![^\s<>\"'(),;:@\[\]])[^\s<>\"'(),;:@\[\]]+@[^\s<>\"'(),;:@\[\]]+")
# "<…@…>": the first "@" ends the first run, so a bracket with many "@" and no ">" fails in one pass
_BRACKET_ADDR = re.compile(r"<([^<>@]*@[^<>]*)>")
_DOMAIN_OK = re.compile(r"^[\w.-]+$")


_LOCAL_AT_DOMAIN = r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
_SIMPLE_ADDRESS = re.compile(rf"(?:([^\W_][\w'-]*(?: [^\W_][\w'-]*)*) )?<({_LOCAL_AT_DOMAIN})>|({_LOCAL_AT_DOMAIN})")


def parse_address(value: Optional[str]) -> tuple[Optional[str], Optional[str], Optional[str]]:
    """'Name <a@B.com>' → ('Name', 'a@b.com', 'b.com').  Robust to garbage: never raises."""
    if not value:
        return None, None, None
    value = value.strip()
    name = addr = None
    simple = _SIMPLE_ADDRESS.fullmatch(value)
    if simple:   # what getaddresses() gives for plain "Name <a@b.c>" / "a@b.c" (email.utils costs ~9 ms to import)
        name, addr = simple.group(1) or "", simple.group(2) or simple.group(3)
    else:
        try:
            from email.utils import getaddresses

            pairs = [p for p in getaddresses([value]) if p[1] or p[0]]
            if pairs:
                name, addr = pairs[0]
        except Exception:  # noqa: BLE001
            pass
    if not addr or "@" not in addr:
        m = _BRACKET_ADDR.search(value) or _ADDR_RE.search(value)
        if m:
            addr = m.group(1) if m.re.groups else m.group(0)
            if not name:
                name = value[:m.start()].strip().strip('"').strip() or None
    name = decode_words(name).strip().strip('"').strip() if name else None
    if addr:
        addr = addr.strip().strip("<>").strip().lower() or None
    domain = None
    if addr and "@" in addr:
        domain = addr.rsplit("@", 1)[1].strip(".[] ")
        if not domain or not _DOMAIN_OK.match(domain):
            domain = None
    elif addr and "@" not in addr:
        if not name:
            name = decode_words(value).strip() or None
        addr = None
    return name or None, addr, domain


_PARAM = r"""([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"?|[^;]*)"""
_PARAM_AT = re.compile(_PARAM)
# a key starts where the previous parameter ended or after a character that cannot be in a key: a key
# tried from inside a run fails where the run's own start failed, and trying them all is quadratic on a
# long run without "=" (a Content-Type header with a 160,000-character parameter)
_PARAM_NEXT = re.compile(r"(?<![^\s=;])" + _PARAM)


def _param_matches(rest: str):
    """The matches ``re.finditer(r'\\s*' + _PARAM, rest)`` gives (same groups), in linear time."""
    pos = 0
    while True:
        m = _PARAM_AT.match(rest, pos) or _PARAM_NEXT.search(rest, pos)
        if m is None:
            return
        yield m
        pos = m.end()


def parse_params(value: str) -> tuple[str, dict[str, str]]:
    """'text/html; charset="utf-8"' → ('text/html', {'charset': 'utf-8'}); RFC 2231 aware, tolerant."""
    head, _, rest = value.partition(";")
    main = head.strip().lower()
    params: dict[str, str] = {}
    continued: dict[str, dict[int, str]] = {}
    for m in _param_matches(rest):
        key = m.group(1).lower()
        val = m.group(2).strip()
        if val.startswith('"'):
            val = val[1:-1] if val.endswith('"') and len(val) > 1 else val[1:]
            val = val.replace('\\"', '"').replace("\\\\", "\\")
        if "*" in key:
            base, _, num = key.partition("*")
            if num.endswith("*") or num == "":
                # charset'lang'percent-encoded
                if "'" in val and (num in ("", "*", "0*")):
                    cs, _, rest2 = val.split("'", 2)[0], None, val.split("'", 2)[-1]
                    try:
                        from urllib.parse import unquote_to_bytes

                        val = decode_text(unquote_to_bytes(rest2), cs or "utf-8")[0]
                    except Exception:  # noqa: BLE001
                        val = rest2
                else:
                    try:
                        from urllib.parse import unquote

                        val = unquote(val)
                    except Exception:  # noqa: BLE001
                        pass
                num = num.rstrip("*")
            if num.isdigit():
                continued.setdefault(base, {})[int(num)] = val
                continue
            key = base
        params.setdefault(key, val)
    for base, pieces in continued.items():
        params.setdefault(base, "".join(pieces[i] for i in sorted(pieces)))
    return main, params


# --------------------------------------------------------------------------------------------------
# structure
# --------------------------------------------------------------------------------------------------
@dataclass
class Entity:
    headers: list[tuple[str, str, int]]   # (name, raw unfolded value, offset of the header line)
    body_start: int
    end: int

    def get(self, name: str) -> Optional[str]:
        lname = name.lower()
        for k, v, _ in self.headers:
            if k.lower() == lname:
                return v
        return None


@dataclass
class ParseState:
    data: bytes
    problems: list = field(default_factory=list)
    _nl_pos: int = 0
    _nl_count: int = 0
    line_offset: int = 0
    file: object = None          # spans.FileIndex over ``data``: offsets → file line:column

    def line_of(self, offset: int) -> int:
        """1-based line number (in the input file) of a byte offset; incremental for increasing offsets."""
        if offset < self._nl_pos:
            self._nl_pos, self._nl_count = 0, 0
        self._nl_count += self.data.count(b"\n", self._nl_pos, offset)
        self._nl_pos = offset
        return self._nl_count + 1 + self.line_offset

    def problem(self, code: str, message: str, part: str = "", offset: Optional[int] = None) -> None:
        if any(p.code == code and p.message == message for p in self.problems):
            return
        line = self.line_of(offset) if offset is not None else 0
        self.problems.append(Problem(code, message, Location(part=part, line=line)))


_HEADER_NAME = re.compile(rb"([!-9;-~]+)[ \t]*:")


def parse_entity(st: ParseState, start: int, end: int, top: bool = False) -> Entity:
    """Header block of the entity in data[start:end]; body starts after the first empty line.

    Bounded and linear: at most ``MAX_HEADER_LINES`` header fields are kept, and at most that many lines of
    one folded field; past either limit the lines are still read to find where the header block ends (so
    the headers after an absurdly folded one are found), and the limit is an ``header-limit`` problem.
    """
    data = st.data
    headers: list[tuple[str, str, int]] = []
    pos = start
    cur_name: Optional[str] = None
    cur_val: list[bytes] = []
    cur_off = start
    cur_extra = 0         # lines of the current field past MAX_HEADER_LINES, read but not kept
    count = 0             # physical lines of the header block
    fields = 0            # header fields seen
    dropped = 0           # header fields past MAX_HEADER_LINES, not kept
    body_start = end

    def push():
        if cur_name is None:
            return
        if cur_extra:
            st.problem("header-limit", f"the {cur_name[:60]} header is folded over {len(cur_val) + cur_extra:,} "
                       f"lines, more than the reader's limit of {MAX_HEADER_LINES:,}; only its first "
                       f"{MAX_HEADER_LINES:,} lines were read (the headers after it were still read)", "headers", cur_off)
        headers.append((cur_name, decode_header_bytes(b"".join(cur_val)).strip(), cur_off))

    while pos < end:
        nl = data.find(b"\n", pos, end)
        line_end = end if nl < 0 else nl
        nxt = end if nl < 0 else nl + 1
        line = data[pos:line_end]
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line:
            body_start = nxt
            break
        count += 1
        if line[:1] in (b" ", b"\t") and (cur_name is not None or dropped):
            if cur_name is None:
                pass  # a continuation of a field past the limit
            elif len(cur_val) < MAX_HEADER_LINES:
                cur_val.append(line)
            else:
                cur_extra += 1
        else:
            m = _HEADER_NAME.match(line)
            if m:
                push()
                fields += 1
                if fields > MAX_HEADER_LINES:
                    dropped += 1
                    cur_name, cur_val = None, []
                else:
                    cur_name = m.group(1).decode("ascii", "replace")
                    cur_val = [line[m.end():]]
                    cur_off = pos
                cur_extra = 0
            elif top and count == 1 and line.startswith(b"From "):
                pass  # mbox separator at the top of a single message
            elif top and line.startswith(b">From "):
                pass
            else:
                # stdlib behaviour: the header block ends, the body starts here
                if top or headers:
                    st.problem("malformed-mime", f"line {st.line_of(pos)} is not a header and no empty line "
                               "separates the headers from the body", "headers", pos)
                body_start = pos
                break
        pos = nxt
    push()
    if dropped:
        st.problem("header-limit", f"{fields:,} header fields, more than the reader's limit of {MAX_HEADER_LINES:,}; "
                   f"the last {dropped:,} were not read", "headers", start)
    return Entity(headers, min(body_start, end), end)


def find_boundaries(data: bytes, start: int, end: int, boundary: bytes):
    """Delimiter lines of a multipart body: ([(line_start, line_end)], closing (start, end) or None)."""
    delim = b"--" + boundary
    found = []
    pos = start
    n = len(delim)
    while True:
        i = data.find(delim, pos, end)
        if i < 0:
            return found, None
        if i == start or data[i - 1] == 0x0A:
            nl = data.find(b"\n", i + n, end)
            eol = end if nl < 0 else nl + 1
            rest = data[i + n:eol].rstrip(b" \t\r\n")
            if rest.startswith(b"--"):
                return found, (i, eol)
            if not rest:
                found.append((i, eol))
            pos = eol
        else:
            pos = i + n


def _content_end(data: bytes, start: int, delim_start: int) -> int:
    """The line break before a delimiter belongs to the delimiter."""
    e = delim_start
    if e > start and data[e - 1] == 0x0A:
        e -= 1
        if e > start and data[e - 1] == 0x0D:
            e -= 1
    return max(e, start)


@dataclass
class Leaf:
    path: str
    content_type: str
    params: dict
    encoding: str
    disposition: str
    filename: Optional[str]
    content_id: Optional[str]
    start: int
    end: int
    in_alternative: bool = False


def walk(st: ParseState, top: Entity) -> list[Leaf]:
    """Iterative depth-first walk of the MIME tree, in file order, bounded depth and part count."""
    leaves: list[Leaf] = []
    stack = [(top, "", 0, False)]
    entities = 0
    too_deep_reported = False
    while stack:
        ent, path, depth, in_alt = stack.pop()
        entities += 1
        if entities > MAX_PARTS:
            st.problem("mime-too-many-parts", f"more than {MAX_PARTS} MIME parts; the rest were not read",
                       "", ent.body_start)
            break
        ctype_raw = ent.get("Content-Type")
        ctype, params = parse_params(decode_words(ctype_raw)) if ctype_raw else ("text/plain", {})
        if "/" not in ctype or " " in ctype:
            if ctype_raw:
                st.problem("malformed-mime", f"invalid Content-Type \"{ctype_raw[:60]}\" (read as text/plain)",
                           path or "headers", None)
            ctype, params = "text/plain", params
        label = (path + " " + ctype).strip()
        if ctype.startswith("multipart/"):
            boundary = params.get("boundary")
            if not boundary:
                st.problem("malformed-mime", f"{label} has no boundary parameter; its body was read as plain text",
                           label, ent.body_start)
                leaves.append(_leaf(ent, path, "text/plain", {}, in_alt))
                continue
            if depth >= MAX_DEPTH:
                if not too_deep_reported:
                    st.problem("mime-too-deep", f"multipart nested more than {MAX_DEPTH} levels deep; "
                               "deeper parts were not read", label, ent.body_start)
                    too_deep_reported = True
                continue
            bnd = boundary.encode("utf-8", "replace")
            delims, closing = find_boundaries(st.data, ent.body_start, ent.end, bnd)
            if not delims:
                st.problem("malformed-mime", f"{label}: boundary \"{boundary[:70]}\" never appears in the body; "
                           "the body was read as plain text", label, ent.body_start)
                leaves.append(_leaf(ent, path, "text/plain", {}, in_alt))
                continue
            if closing is None:
                st.problem("malformed-mime", f"{label} has no closing boundary \"--{boundary[:70]}--\" "
                           "(the message may be truncated)", label, ent.end)
            stop = closing[0] if closing else ent.end
            children = []
            for k, (d0, d1) in enumerate(delims):
                c_end = _content_end(st.data, d1, delims[k + 1][0]) if k + 1 < len(delims) else \
                    (_content_end(st.data, d1, stop) if closing else stop)
                child = parse_entity(st, d1, max(c_end, d1))
                cpath = f"{path}.{k + 1}" if path else str(k + 1)
                children.append((child, cpath, depth + 1, ctype == "multipart/alternative" or in_alt))
                if len(children) + entities > MAX_PARTS + 1:
                    break
            stack.extend(reversed(children))
            continue
        leaves.append(_leaf(ent, path, ctype, params, in_alt))
    return leaves


def _leaf(ent: Entity, path: str, ctype: str, params: dict, in_alt: bool) -> Leaf:
    cte = (ent.get("Content-Transfer-Encoding") or "").strip().lower()
    disp_raw = ent.get("Content-Disposition") or ""
    disposition, dparams = parse_params(decode_words(disp_raw)) if disp_raw else ("", {})
    filename = dparams.get("filename") or params.get("name")
    if filename:
        filename = decode_words(filename)
    cid = ent.get("Content-ID")
    return Leaf(path, ctype, params, cte, disposition, filename, cid, ent.body_start, ent.end, in_alt)


# --------------------------------------------------------------------------------------------------
# leaf decoding
# --------------------------------------------------------------------------------------------------
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
_IDENTITY = ("", "7bit", "8bit", "binary")
_CTRL_CHARS = re.compile("[\x01-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f\ufffd]")


def decode_leaf(st: ParseState, leaf: Leaf, label: str) -> Part:
    from ..spans import Base64Map, CharsetMap, Lazy, Origin, SegMap, qp_map

    payload = st.data[leaf.start:leaf.end]
    enc = leaf.encoding
    mapped = True
    transfer = None
    if enc == "base64":
        raw, problem = decode_base64(payload)
        if problem:
            st.problem(problem[0], f"{label}: {problem[1]}", label, leaf.start)
        mapped = False
        transfer = Lazy(lambda: Base64Map(payload))
    elif enc == "quoted-printable":
        raw = decode_qp(payload)
        mapped = False
        transfer = Lazy(lambda: qp_map(payload))
    else:
        if enc not in _IDENTITY:
            if enc in ("x-uuencode", "uuencode", "x-uue"):
                st.problem("unknown-encoding", f"{label}: uuencoded part read as is", label, leaf.start)
            else:
                st.problem("unknown-encoding", f"{label}: unknown Content-Transfer-Encoding \"{enc[:40]}\"; "
                           "read as is", label, leaf.start)
        raw = payload
    declared = leaf.params.get("charset")
    if not declared and leaf.content_type == "text/html":
        m = _META_CHARSET.search(raw[:4096])
        if m:
            declared = m.group(1).decode("ascii", "replace")
    text, used, problem = decode_text(raw, declared)
    if problem:
        st.problem(problem[0], f"{label}: {problem[1]}", label, leaf.start)
    charset_map = CharsetMap(raw, used, text_len=len(text), text=text)
    edits = None
    if "\x00" in text or "\r\n" in text:
        if "\x00" in text:
            st.problem("nul-bytes", f"{label}: {text.count(chr(0))} NUL bytes removed", label, leaf.start)
        text, edits = _drop_nul_and_cr(text)
    sample = text[:8192]
    if sample:
        ctrl = len(_CTRL_CHARS.findall(sample))
        if ctrl * 10 > len(sample):
            st.problem("malformed-mime", f"{label} holds binary data ({ctrl} control characters in the first "
                       f"{len(sample)}), not text; it was not checked", label, leaf.start)
            text = ""
    origin = Origin(st.file, edits, charset_map, transfer, SegMap.shift(leaf.start, len(payload)))
    return Part(label=label, content_type=leaf.content_type, charset=used, encoding=enc, text=text,
                start_line=st.line_of(leaf.start) if mapped else 0, file_mapped=mapped, origin=origin)


_NUL_OR_CR = re.compile("\x00|\r(?=\n)")


def _drop_nul_and_cr(text: str):
    """Text without NUL bytes and with CRLF as LF, and the map back (``spans.deletions_map``), built only
    when a position in that text is asked for (one segment per line of a CRLF text)."""
    from ..spans import Lazy, deletions_map

    # what _NUL_OR_CR.sub("", text) gives (a CR goes when the next character of the text is LF, a NUL
    # always: CRLFs first, so "\r\x00\n" keeps its CR), by str.replace, several times faster
    out = text.replace("\r\n", "\n")
    if "\x00" in out:
        out = out.replace("\x00", "")
    return out, Lazy(lambda: deletions_map(text, _NUL_OR_CR)[1])


def _attachment_size(st: ParseState, leaf: Leaf) -> int:
    n = leaf.end - leaf.start
    if leaf.encoding == "base64":
        return len(decode_base64(st.data[leaf.start:leaf.end])[0])  # C speed; exact
    if leaf.encoding == "quoted-printable":
        return len(decode_qp(st.data[leaf.start:leaf.end]))
    return n


# --------------------------------------------------------------------------------------------------
# message
# --------------------------------------------------------------------------------------------------
def read_message_bytes(data: bytes, source: str, index: int = 0, options=None, line_offset: int = 0,
                       byte_offset: int = 0, removed=()) -> Message:
    """Parse one RFC 5322 message held in ``data``.  ``line_offset``/``byte_offset``: lines and bytes of the
    file before ``data`` (a message of an mbox); ``removed``: offsets of ``data`` where the mbox reader took
    out a byte of the file (the ``>`` of an escaped ``>From`` line)."""
    from . import ReadOptions, finish_message
    from ..model import Field
    from ..spans import CharsetMap, FileIndex, Origin, SegMap

    options = options or ReadOptions()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        byte_offset += 3
    file_index = FileIndex(data, line_offset, byte_offset, removed)
    st = ParseState(data=data, line_offset=line_offset, file=file_index)
    start = 0
    while start < len(data) and data[start:start + 1] in (b"\n", b"\r"):
        start += 1
    top = parse_entity(st, start, len(data), top=True)
    msg = Message(source=source, index=index, input_format=INPUT_EML, has_headers=True, raw_size=len(data))
    if not top.headers:
        st.problem("malformed-mime", "no header block: this does not start like an e-mail message "
                   "(expected lines such as \"From: …\" and \"Subject: …\")", "headers", start)

    # headers (decoded, in file order) and the header block as a part, so findings get line numbers
    header_problems: list = []
    msg.headers = [(name, decode_words(value, header_problems)) for name, value, _ in top.headers]
    for p in header_problems[:3]:
        st.problem(p.code, p.message, "headers", None)
    hdr_end = top.body_start
    header_bytes = data[start:hdr_end]
    header_text = decode_header_bytes(header_bytes)
    header_codec = "ascii" if header_bytes.isascii() else ("utf-8" if len(header_text) != len(header_bytes) else "cp1252")
    header_text, edits = _drop_nul_and_cr(header_text) if "\r" in header_text else (header_text, None)
    msg.parts.append(Part(label="headers", content_type="text/rfc822-headers", text=header_text,
                          start_line=st.line_of(start), file_mapped=True,
                          origin=Origin(file_index, edits, CharsetMap(header_bytes, header_codec, text_len=None),
                                        SegMap.shift(start, len(header_bytes)))))
    msg.file = file_index
    msg.header_offsets = [off for _, _, off in top.headers]
    for label, name in (("subject", "Subject"), ("from", "From"), ("reply-to", "Reply-To"),
                        ("return-path", "Return-Path"), ("to", "To")):
        off = next((o for k, _, o in top.headers if k.lower() == name.lower()), None)
        if off is not None:
            msg.fields[label] = Field(label, "", origin=_lazy_field(data, off, file_index, label == "subject"))
    msg.subject = msg.header("Subject")
    if msg.subject is not None:
        msg.subject = " ".join(msg.subject.split()) if "\n" in msg.subject or "\t" in msg.subject else msg.subject
        if "subject" in msg.fields:
            msg.fields["subject"].text = msg.subject
    frm = _raw_header(top, "From")
    if frm is not None:
        msg.from_name, msg.from_addr, msg.from_domain = parse_address(frm)
    rt = _raw_header(top, "Reply-To")
    if rt is not None:
        _, msg.reply_to, msg.reply_to_domain = parse_address(rt)
    rp = _raw_header(top, "Return-Path")
    if rp is not None:
        _, msg.return_path, msg.return_path_domain = parse_address(rp)

    leaves = walk(st, top)
    html_part = text_part = None
    for leaf in leaves:
        label = f"{leaf.path} {leaf.content_type}".strip() if leaf.path else leaf.content_type
        is_attachment = leaf.disposition == "attachment" or (leaf.filename and leaf.disposition != "inline")
        if leaf.content_type in ("text/plain", "text/html") and not is_attachment:
            part = decode_leaf(st, leaf, label)
            msg.parts.append(part)
            if leaf.content_type == "text/html" and html_part is None:
                html_part = part
            elif leaf.content_type == "text/plain" and text_part is None:
                text_part = part
            continue
        name = leaf.filename or "(unnamed)"
        extra = ", inline" if (leaf.content_id and not leaf.disposition == "attachment") else ""
        msg.attachments.append(f"{name} ({leaf.content_type}, {_attachment_size(st, leaf)} bytes{extra})")
    if html_part is not None:
        msg.html = html_part.text
    if text_part is not None:
        msg.text = text_part.text
    if html_part is None and text_part is None and top.headers:
        st.problem("no-body", "the message has no text/plain or text/html part to check", "", None)
    msg.problems = st.problems
    return finish_message(msg, options, content_language=msg.header("Content-Language"))


def _lazy_field(data: bytes, offset: int, file_index, collapse: bool):
    return lambda: header_field_origin(data, offset, file_index, collapse)


_NON_ASCII_SPLIT = re.compile("([^\x00-\x7f])").split


def header_field_origin(data: bytes, offset: int, file_index, collapse: bool = False):
    """The ``spans.Origin`` of a header value as ``parse_entity`` and ``decode_words`` read it: the field
    starting at byte ``offset`` (its name line and continuation lines), unfolded, stripped, RFC 2047 words
    decoded, and (``collapse``) whitespace collapsed.  Returns ``(decoded text, Origin)``."""
    from contentlint.spans import MapBuilder, Origin, SegMap, collapse_mapped   # absolute: resolved faster

    pos = offset
    n = len(data)
    pieces: list[tuple[bytes, int]] = []
    first = True
    while pos < n:
        nl = data.find(b"\n", pos)
        line_end = n if nl < 0 else nl
        line = data[pos:line_end]
        if line.endswith(b"\r"):
            line = line[:-1]
        if first:
            m = _HEADER_NAME.match(line)
            if not m:
                return "", Origin(None)
            pieces.append((line[m.end():], pos + m.end()))
            first = False
        elif line[:1] in (b" ", b"\t") and line.strip():
            pieces.append((line, pos))
        else:
            break
        if nl < 0:
            break
        pos = nl + 1
    raw = b"".join(p for p, _ in pieces)
    b = MapBuilder()
    if raw.isascii():
        for p, off in pieces:
            b.copy(p.decode("ascii"), off)
    else:
        try:
            raw.decode("utf-8")
            codec = "utf-8"
        except UnicodeDecodeError:
            codec = "cp1252"
        for p, off in pieces:
            text = p.decode(codec, "replace")
            if codec != "utf-8":            # one byte per character: the line as it is
                b.copy(text, off)
                continue
            at = off
            for k, run in enumerate(_NON_ASCII_SPLIT(text)):
                if k % 2:                   # a character of several bytes: a unit
                    w = len(run.encode(codec, "replace"))
                    b.replace(run, at, at + w)
                    at += w
                elif run:                   # ASCII: one byte per character
                    b.copy(run, at)
                    at += len(run)
    joined, raw_map = b.build()
    lead = len(joined) - len(joined.lstrip())
    value = joined.strip()
    strip_map = SegMap.shift(lead, len(value))
    text, words_map = decode_words_mapped(value)
    maps = [words_map, strip_map, raw_map]
    if collapse and ("\n" in text or "\t" in text):
        text, cmap = collapse_mapped(text)
        maps.insert(0, cmap)
    return text, Origin(file_index, *maps)


def _raw_header(ent: Entity, name: str) -> Optional[str]:
    v = ent.get(name)
    return None if v is None else v


# --------------------------------------------------------------------------------------------------
# stdlib messages
# --------------------------------------------------------------------------------------------------
def serialise_stdlib_message(msg) -> bytes:
    """Bytes of a stdlib ``email.message.Message`` (any policy), without recursion (deep nesting is safe)."""
    out: list[bytes] = []
    # stack items: a message to write, or bytes to emit
    stack: list = [msg]
    counter = 0
    while stack:
        item = stack.pop()
        if isinstance(item, bytes):
            out.append(item)
            continue
        payload = item.get_payload()
        if isinstance(payload, list) and (item.get_content_type() or "").lower().startswith("multipart/") \
                and not item.get_boundary():
            counter += 1
            try:  # what the stdlib generator does too
                item.set_boundary(f"=_contentlint_{counter}_{id(item):x}")
            except Exception:  # noqa: BLE001
                pass
        for name, value in item.items() if hasattr(item, "items") else []:
            try:
                sval = str(value)
            except Exception:  # noqa: BLE001
                sval = ""
            sval = sval.replace("\r", " ").replace("\n", " ")
            out.append(f"{name}: {sval}\n".encode("utf-8", "surrogateescape"))
        out.append(b"\n")
        if isinstance(payload, list):
            ctype = (item.get_content_type() or "").lower()
            if ctype.startswith("multipart/"):
                boundary = item.get_boundary()
                if not boundary:
                    counter += 1
                    boundary = f"=_contentlint_{counter}"
                b = boundary.encode("utf-8", "surrogateescape")
                children: list = []
                for sub in payload:
                    children.append(b"--" + b + b"\n")
                    children.append(sub)
                    children.append(b"\n")
                children.append(b"--" + b + b"--\n")
                stack.extend(reversed(children))
            else:  # message/rfc822: one embedded message
                stack.extend(reversed([p for p in payload]))
        elif isinstance(payload, bytes):
            out.append(payload)
        elif payload is not None:
            out.append(str(payload).encode("utf-8", "surrogateescape"))
    return b"".join(out)
