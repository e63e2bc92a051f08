"""Offset maps: from the text a rule analysed back to the bytes of the input file.

Every text a rule reads is the last link of a chain of transformations (MIME part → transfer decoding →
charset → HTML visible text → placeholder masking …).  Each link keeps a map from offsets in its output to
offsets in its input; composing them takes a rule's hit ``(start, end)`` to the exact place in the input
file.  Maps are only *used* for findings, so most of them are built lazily, and each is a few sorted arrays
searched with ``bisect`` (one entry per discontinuity, not per character).

* ``SegMap``: sorted segments ``(out_start, in_start, out_len, in_len)``.  A segment whose lengths are equal is
  an identity stretch (offset ``o`` maps to ``in_start + (o - out_start)``); any other segment is a unit (an
  entity, an escape, an encoded word): every offset inside it maps to its start, and an end inside it maps to
  its end.  Offsets between segments (text the transformation generated, such as a line break it inserted)
  map to the nearest input position before them.
* ``MapBuilder`` builds a text and its ``SegMap`` piece by piece.
* ``FileIndex`` turns an offset of the input file into ``(line, column)`` (columns in characters).
* ``Origin``: a chain ``text → … → file``: ``origin.to_file(start, end)``.

Everything here is linear to build and logarithmic per lookup; nothing raises on odd input (an unmappable
offset is -1).
"""
from __future__ import annotations

import codecs
import re
from bisect import bisect_right
from itertools import accumulate, compress, repeat
from operator import add
from typing import Callable, Optional, Sequence


class SegMap:
    """Offsets of an output text → offsets of the text it was made from."""

    __slots__ = ("outs", "ins", "olens", "ilens", "out_len")

    def __init__(self, outs: Sequence[int] = (), ins: Sequence[int] = (), olens: Sequence[int] = (),
                 ilens: Sequence[int] = (), out_len: int = 0):
        self.outs, self.ins, self.olens, self.ilens = list(outs), list(ins), list(olens), list(ilens)
        self.out_len = out_len

    @classmethod
    def of(cls, outs: list, ins: list, olens: list, ilens: list, out_len: int) -> "SegMap":
        """A map over these lists as they are (not copied: the caller hands them over)."""
        m = cls.__new__(cls)
        m.outs, m.ins, m.olens, m.ilens, m.out_len = outs, ins, olens, ilens, out_len
        return m

    @classmethod
    def shift(cls, delta: int, length: int) -> "SegMap":
        """The map of ``text[delta:delta + length]`` (a slice): offset + delta."""
        return cls([0], [delta], [length], [length], length)

    def _seg(self, off: int) -> int:
        return bisect_right(self.outs, off) - 1

    def start(self, off: int) -> int:
        """Input offset of the character at output offset ``off``."""
        k = self._seg(off)
        if k < 0:
            return self.ins[0] if self.ins else -1
        o, i, ol, il = self.outs[k], self.ins[k], self.olens[k], self.ilens[k]
        if off < o + ol:
            return i + (off - o) if ol == il else i
        return i + il                              # generated text after a segment: right after its input

    def end(self, off: int) -> int:
        """Input offset just after the output character at ``off - 1`` (the exclusive end of a span)."""
        if off <= 0:
            return self.start(0)
        k = self._seg(off - 1)
        if k < 0:
            return self.ins[0] if self.ins else -1
        o, i, ol, il = self.outs[k], self.ins[k], self.olens[k], self.ilens[k]
        if off - 1 < o + ol:
            return i + (off - o) if ol == il else i + il
        return i + il

    def __len__(self):
        return len(self.outs)


class MapBuilder:
    """Build a text and the map of its offsets back to a source text, piece by piece."""

    __slots__ = ("pieces", "outs", "ins", "olens", "ilens", "pos")

    def __init__(self):
        self.pieces: list[str] = []
        self.outs: list[int] = []
        self.ins: list[int] = []
        self.olens: list[int] = []
        self.ilens: list[int] = []
        self.pos = 0

    def copy(self, text: str, src: int) -> None:
        """``text`` is ``source[src:src + len(text)]`` unchanged."""
        n = len(text)
        if not n:
            return
        if self.outs and self.olens[-1] == self.ilens[-1] and self.outs[-1] + self.olens[-1] == self.pos \
                and self.ins[-1] + self.ilens[-1] == src:
            self.olens[-1] += n
            self.ilens[-1] += n
        else:
            self.outs.append(self.pos)
            self.ins.append(src)
            self.olens.append(n)
            self.ilens.append(n)
        self.pieces.append(text)
        self.pos += n

    def replace(self, text: str, src_start: int, src_end: int) -> None:
        """``text`` stands for ``source[src_start:src_end]`` as a unit (an entity, an escape, a word).

        A replacement of the same length reads as an identity stretch, which is right for the ones that
        occur (``\r`` → ``\n``, a no-break space → a space)."""
        n = len(text)
        if not n:
            return
        self.outs.append(self.pos)
        self.ins.append(src_start)
        self.olens.append(n)
        self.ilens.append(max(0, src_end - src_start))
        self.pieces.append(text)
        self.pos += n

    def insert(self, text: str) -> None:
        """Generated text with no source (a line break between blocks)."""
        if text:
            self.pieces.append(text)
            self.pos += len(text)

    def build(self) -> tuple[str, SegMap]:
        return "".join(self.pieces), SegMap.of(self.outs, self.ins, self.olens, self.ilens, self.pos)


_SPLITTERS: dict = {}


def _splitter(pattern: "re.Pattern"):
    """``split`` of ``pattern`` wrapped in one capturing group (None when it has groups of its own)."""
    sp = _SPLITTERS.get(pattern, 0)
    if sp == 0:
        sp = None
        if not pattern.groups:
            sp = re.compile("(" + pattern.pattern + ")", pattern.flags).split
        if len(_SPLITTERS) < 64:
            _SPLITTERS[pattern] = sp
    return sp


#: the readers' pattern for NUL bytes and the CR of a CRLF (readers.mime._NUL_OR_CR)
_CR_BEFORE_LF = "\x00|\r(?=\n)"


def _crlf_map(text: str) -> tuple[str, Optional[SegMap]]:
    """``deletions_map(text, _CR_BEFORE_LF)`` of a text without NUL: the deleted characters are the CR of each
    CRLF, so ``str.split("\r\n")`` finds them (several times faster than the pattern's split)."""
    lines = text.split("\r\n")
    if len(lines) == 1:
        return text, None
    kept = list(map(add, map(len, lines), repeat(1)))   # each stretch: the LF before a line and the line
    kept[0] -= 1                                        # the first line has none
    ins = list(accumulate(map(add, kept, repeat(1)), initial=0))
    ins.pop()
    if not kept[0]:
        del kept[0], ins[0]
    outs = list(accumulate(kept, initial=0))
    out_len = outs.pop()
    return "\n".join(lines), SegMap.of(outs, ins, kept, list(kept), out_len)


def deletions_map(text: str, pattern: "re.Pattern") -> tuple[str, Optional[SegMap]]:
    """``text`` without the matches of ``pattern``, and the map back (None when nothing was deleted).

    One ``split`` finds the kept stretches and the deleted matches; their offsets are running sums of their
    lengths (C speed: no Python step per match).  The segments are the non-empty stretches, as
    ``MapBuilder.copy`` would make them (a pattern that can match empty text takes the piecewise path)."""
    if pattern.pattern == _CR_BEFORE_LF and "\x00" not in text:
        return _crlf_map(text)
    split = _splitter(pattern)
    if split is not None and pattern.search(text) is None:     # the usual case; the search is twice as
        return text, None                                      # fast as the split with its group
    parts = split(text) if split is not None else None
    if parts is not None:
        if len(parts) == 1:
            return text, None
        lens = list(map(len, parts))
        if all(lens[1::2]):
            starts = list(accumulate(lens, initial=0))
            kept = lens[0::2]
            ins = starts[0:len(parts):2]
            if not all(kept):
                ins = list(compress(ins, kept))
                kept = list(compress(kept, kept))
            outs = list(accumulate(kept, initial=0))
            out_len = outs.pop()
            return "".join(parts[0::2]), SegMap.of(outs, ins, kept, list(kept), out_len)
    b = None
    pos = 0
    for m in pattern.finditer(text):
        if b is None:
            b = MapBuilder()
        b.copy(text[pos:m.start()], pos)
        pos = m.end()
    if b is None:
        return text, None
    b.copy(text[pos:], pos)
    return b.build()


def compose(*maps) -> Callable[[int, int], tuple[int, int]]:
    """One function ``(start, end) → (start, end)`` through ``maps`` (first applied first; None = identity)."""
    steps = [(m.start, m.end) if isinstance(m, SegMap) else (None, m) for m in maps if m is not None]

    def run(start: int, end: int) -> tuple[int, int]:
        for to_start, to_end in steps:
            if start < 0:
                return -1, -1
            if to_start is None:
                start, end = to_end(start, end)
            else:
                start, end = to_start(start), to_end(end)
        return start, end
    return run


# -- transfer encodings ------------------------------------------------------------------------------
#: the escapes binascii.a2b_qp decodes (=XX, "==" as "=", soft line breaks), to split at each one; group 1:
#: what makes it a decoded byte (the hex digits, or "=" of "=="), group 2: the line break of a soft line
#: break (the pattern starts with its literal "=", which ``re`` searches fast)
_QP_SPLIT = re.compile(rb"=(?:([0-9A-Fa-f]{2}|=)|(\r?\n))").split


def qp_map(payload: bytes) -> "QPMap":
    """Map of the bytes ``binascii.a2b_qp(payload)`` gives back to ``payload``, built a block at a time."""
    return QPMap(payload)


class QPMap:
    """``qp_segments(payload)`` cut into blocks of whole lines (about ``_QP_BLOCK`` bytes each: an escape never
    spans a line end), each block's segments built on the first lookup in it.

    A block's decoded length is ``len(binascii.a2b_qp(block))`` (C speed), which is what the escapes give
    unless the block holds ``=`` + CR not followed by LF (``a2b_qp`` drops the rest of that line) or ends
    with ``=`` (dropped): such a block is counted from its segments.  The blocks' segments, end to end, are
    those of the whole payload (an identity stretch cut in two maps the same), so a lookup gives what the
    whole map would."""

    __slots__ = ("payload", "outs", "ins", "spans", "maps")

    def __init__(self, payload: bytes):
        import binascii

        self.payload = payload
        self.outs: list[int] = []          # decoded offset of each block that decodes to something
        self.ins: list[int] = []           # its offset in the payload
        self.spans: list[tuple[int, int]] = []
        self.maps: dict[int, SegMap] = {}
        n = len(payload)
        pos = out = 0
        while pos < n:
            nl = payload.find(b"\n", pos + _QP_BLOCK)
            stop = n if nl < 0 else nl + 1
            block = payload[pos:stop]
            if b"=\r" in block and block.count(b"=\r") != block.count(b"=\r\n") or block.endswith(b"="):
                seg = qp_segments(block)
                size = seg.out_len
                self.maps[len(self.outs)] = seg
            else:
                size = len(binascii.a2b_qp(block))
            if size:
                self.outs.append(out)
                self.ins.append(pos)
                self.spans.append((pos, stop))
                out += size
            else:
                self.maps.pop(len(self.outs), None)
            pos = stop

    def _block(self, k: int) -> SegMap:
        m = self.maps.get(k)
        if m is None:
            a, b = self.spans[k]
            m = self.maps[k] = qp_segments(self.payload[a:b])
        return m

    def _start(self, off: int) -> int:
        if not self.outs:
            return -1
        k = max(0, bisect_right(self.outs, off) - 1)
        return self.ins[k] + self._block(k).start(off - self.outs[k])

    def _end(self, off: int) -> int:
        if off <= 0:
            return self._start(0)
        if not self.outs:
            return -1
        k = max(0, bisect_right(self.outs, off - 1) - 1)
        return self.ins[k] + self._block(k).end(off - self.outs[k])

    def __call__(self, start: int, end: int) -> tuple[int, int]:
        return self._start(start), self._end(end)


_QP_BLOCK = 512


def qp_segments(payload: bytes) -> SegMap:
    """The segments of the bytes ``binascii.a2b_qp(payload)`` gives back: stretches between escapes are
    identity segments, ``=XX`` and ``==`` one-byte units, soft line breaks give nothing.  One ``split``
    finds them; offsets are running sums of the pieces' lengths (``accumulate``, ``compress``)."""
    parts = _QP_SPLIT(payload)
    ilens = [0] * (2 * (len(parts) // 3) + 1)            # stretch, escape, stretch, …, stretch
    ilens[0::2] = map(len, parts[0::3])
    units = parts[1::3]
    ilens[1::2] = [len(u or soft) + 1 for u, soft in zip(units, parts[2::3])]
    ins = list(accumulate(ilens, initial=0))
    ins.pop()
    olens = list(ilens)
    olens[1::2] = [0 if u is None else 1 for u in units]    # an escape gives one byte or none
    if not all(olens):
        ins = list(compress(ins, olens))
        ilens = list(compress(ilens, olens))
        olens = list(compress(olens, olens))
    outs = list(accumulate(olens, initial=0))
    out_len = outs.pop()
    return SegMap.of(outs, ins, olens, ilens, out_len)


class Base64Map:
    """Decoded byte offset → offset in the base64 payload: the 4-character group that encodes it (so a finding
    points at the base64 line that carries the text).  Lines need not hold whole groups."""

    __slots__ = ("chars", "enc")

    def __init__(self, payload: bytes):
        self.chars: list[int] = []  # base64 characters before each encoded line
        self.enc: list[int] = []    # payload offset of that line's first base64 character
        total = 0
        pos = 0
        n = len(payload)
        while pos < n:
            nl = payload.find(b"\n", pos)
            end = n if nl < 0 else nl
            line = payload[pos:end]
            count = len(line) - line.count(b" ") - line.count(b"\t") - line.count(b"\r") - line.count(b"=")
            if count:
                lead = len(line) - len(line.lstrip(b" \t"))
                self.chars.append(total)
                self.enc.append(pos + lead)
                total += count
            pos = end + 1

    def _char(self, c: int) -> int:
        k = bisect_right(self.chars, c) - 1
        if k < 0:
            return self.enc[0] if self.enc else -1
        return self.enc[k] + (c - self.chars[k])

    def __call__(self, start: int, end: int) -> tuple[int, int]:
        s = self._char(start // 3 * 4)
        last = max(start, end - 1) // 3 * 4 + 3
        e = self._char(last) + 1
        return s, max(s, e)


# -- charsets ------------------------------------------------------------------------------------------
_CHECKPOINT = 2048


class CharsetMap:
    """Character offset in ``raw.decode(codec, errors)`` → byte offset in ``raw``.

    When the decoded text encodes back to exactly ``raw`` (valid UTF-8 and the other stateless charsets:
    nearly always), a lookup encodes the text from the nearest checkpoint (every 2,048 characters, built on
    first use, C speed).  Otherwise (bytes the decoder replaced) it decodes byte by byte from a checkpoint
    of the bytes."""

    __slots__ = ("raw", "codec", "errors", "text", "_chars", "_bytes", "identity", "_exact")

    def __init__(self, raw: bytes, codec: str, errors: str = "replace", text_len: Optional[int] = None,
                 text: Optional[str] = None):
        self.raw = raw
        self.codec = codec
        self.errors = errors
        self.text = text
        self._chars: Optional[list[int]] = None
        self._bytes: Optional[list[int]] = None
        self._exact: Optional[bool] = None
        single = False
        try:
            single = codecs.lookup(codec).name in _SINGLE_BYTE
        except LookupError:
            pass
        self.identity = raw.isascii() and codec not in _SEVEN_BIT_STATEFUL or single or \
            (text_len is not None and text_len == len(raw) and codec not in _SEVEN_BIT_STATEFUL)

    def _decoded(self) -> str:
        if self.text is None:
            try:
                self.text = self.raw.decode(self.codec, self.errors)
            except (LookupError, UnicodeError):
                self.text = self.raw.decode("utf-8", "replace")
        return self.text

    def _build(self):
        text = self._decoded()
        chars, byts = [0], [0]
        total = 0
        exact = self.codec not in _SEVEN_BIT_STATEFUL
        if exact:
            try:
                for pos in range(0, len(text), _CHECKPOINT):
                    total += len(text[pos:pos + _CHECKPOINT].encode(self.codec, "surrogateescape"))
                    chars.append(min(len(text), pos + _CHECKPOINT))
                    byts.append(total)
                exact = total == len(self.raw)
            except (LookupError, UnicodeError):
                exact = False
        self._exact = exact
        if exact:
            self._chars, self._bytes = chars, byts
            return
        chars, byts = [0], [0]
        try:
            dec = codecs.getincrementaldecoder(self.codec)(self.errors)
        except LookupError:
            dec = codecs.getincrementaldecoder("utf-8")("replace")
        raw = self.raw
        n_chars = 0
        for pos in range(0, len(raw), _CHECKPOINT):
            chunk = raw[pos:pos + _CHECKPOINT]
            try:
                n_chars += len(dec.decode(chunk))
                pending = len(dec.getstate()[0])
            except Exception:  # noqa: BLE001 - a codec that cannot say: treat the chunk as decoded
                pending = 0
            chars.append(n_chars)
            byts.append(pos + len(chunk) - pending)
        self._chars, self._bytes = chars, byts

    def _at(self, off: int) -> int:
        if self.identity:
            return off
        if self._chars is None:
            self._build()
        k = bisect_right(self._chars, off) - 1
        c, b = self._chars[k], self._bytes[k]
        if c == off:
            return b
        if self._exact:
            return b + len(self.text[c:off].encode(self.codec, "surrogateescape"))
        try:
            dec = codecs.getincrementaldecoder(self.codec)(self.errors)
        except LookupError:
            dec = codecs.getincrementaldecoder("utf-8")("replace")
        raw = self.raw
        limit = len(raw)
        while b < limit and c < off:
            try:
                c += len(dec.decode(raw[b:b + 1]))
            except Exception:  # noqa: BLE001
                c += 1
            b += 1
        return b

    def __call__(self, start: int, end: int) -> tuple[int, int]:
        return self._at(start), self._at(end)


_SINGLE_BYTE = frozenset({"cp1252", "latin-1", "iso8859-1", "iso8859-15", "iso8859-2", "cp1250", "cp1251",
                          "koi8-r", "mac-roman", "cp437", "iso8859-5", "iso8859-7", "cp1253", "cp1254",
                          "iso8859-9", "cp874", "cp1257"})
_SEVEN_BIT_STATEFUL = frozenset({"utf-7", "iso2022_jp", "iso2022_kr", "iso2022_jp_2", "hz"})


# -- files -----------------------------------------------------------------------------------------------
class FileIndex:
    """Line and column of an offset in the input file (bytes of an e-mail, or the decoded text of a
    template or JSON payload).  ``line_offset``/``byte_offset``: what precedes ``data`` in the file (a message
    of an mbox).  Columns count characters (a byte that is not UTF-8 counts as one).

    Line starts are found as far as the offsets asked for need them (a block at least as large as what is
    already indexed, so the whole file costs at most twice one pass): most findings are in the headers and
    the text parts, and the attachments after them are never split into lines."""

    __slots__ = ("data", "line_offset", "byte_offset", "removed", "_starts", "_covered", "_byte_lens")

    def __init__(self, data, line_offset: int = 0, byte_offset: int = 0, removed: Sequence[int] = ()):
        self.data = data
        self.line_offset = line_offset
        self.byte_offset = byte_offset
        self.removed = list(removed)    # offsets of ``data`` where the reader removed a byte of the file
        self._starts: list[int] = [0]
        self._covered = 0               # every line break before this offset is in _starts
        self._byte_lens = None

    def _cover(self, off: int) -> list[int]:
        """The line starts, with every line break before ``off`` found."""
        covered = self._covered
        n = len(self.data)
        if off > covered and covered < n:
            stop = min(n, max(off, 2 * covered, covered + 65536))
            nl = b"\n" if isinstance(self.data, (bytes, bytearray)) else "\n"
            # line k + 1 starts one past the end of line k: running sums of the lines' lengths + 1
            more = list(accumulate(map(add, map(len, self.data[covered:stop].split(nl)), repeat(1)),
                                   initial=covered))
            self._starts.extend(more[1:-1])
            self._covered = stop
        return self._starts

    def _lines(self) -> list[int]:
        return self._cover(len(self.data))

    def position(self, off: int) -> tuple[int, int]:
        """(1-based line, 1-based column) of ``off``; (0, 0) when unknown."""
        if off is None or off < 0 or off > len(self.data):
            return 0, 0
        starts = self._starts if off <= self._covered else self._cover(off)
        k = bisect_right(starts, off) - 1
        start = starts[k]
        prefix = self.data[start:off]
        if isinstance(prefix, (bytes, bytearray)):
            col = len(prefix) if prefix.isascii() else len(prefix.decode("utf-8", "replace"))
        else:
            col = len(prefix)
        if self.removed:   # a ">From" line of an mbox unescaped: the file has one more character there
            col += bisect_right(self.removed, off) - bisect_right(self.removed, start - 1)
        return k + 1 + self.line_offset, col + 1

    def byte(self, off: int) -> int:
        """Byte offset in the file of ``off``."""
        if off is None or off < 0:
            return -1
        if isinstance(self.data, (bytes, bytearray)):
            return off + self.byte_offset + (bisect_right(self.removed, off) if self.removed else 0)
        starts = self._lines()
        k = bisect_right(starts, off) - 1
        if self._byte_lens is None:
            lens, total = [0], 0
            for a, b in zip(starts, starts[1:] + [len(self.data)]):
                seg = self.data[a:b]
                total += len(seg) if seg.isascii() else len(seg.encode("utf-8", "surrogatepass"))
                lens.append(total)
            self._byte_lens = lens
        seg = self.data[starts[k]:off]
        return self._byte_lens[k] + (len(seg) if seg.isascii() else len(seg.encode("utf-8", "surrogatepass"))) \
            + self.byte_offset

    def line_text(self, line: int) -> str:
        """The text of a 1-based file line (decoded for display)."""
        k = line - 1 - self.line_offset
        starts = self._starts
        while len(starts) <= k + 1 and self._covered < len(self.data):   # its end too
            starts = self._cover(self._covered + 1)
        if k < 0 or k >= len(starts):
            return ""
        end = starts[k + 1] - 1 if k + 1 < len(starts) else len(self.data)
        piece = self.data[starts[k]:end]
        if isinstance(piece, (bytes, bytearray)):
            piece = piece.decode("utf-8", "replace")
        return piece.rstrip("\r")


class Lazy:
    """A map built on first use (most texts never need theirs)."""

    __slots__ = ("factory", "_map")

    def __init__(self, factory: Callable):
        self.factory = factory
        self._map = None

    def __call__(self, start: int, end: int) -> tuple[int, int]:
        m = self._map
        if m is None:
            m = self._map = self.factory() or SegMap.shift(0, 1 << 62)
        if isinstance(m, SegMap):
            return m.start(start), m.end(end)
        return m(start, end)


class Origin:
    """Where a text lives: ``to_file(start, end)`` gives the span in the input file (-1 when unknown)."""

    __slots__ = ("chain", "file")

    def __init__(self, file: Optional[FileIndex], *maps):
        self.file = file
        self.chain = compose(*maps) if maps else None

    def to_file(self, start: int, end: int) -> tuple[int, int]:
        if self.file is None:
            return -1, -1
        if self.chain is None:
            return start, end
        return self.chain(start, end)


#: whitespace that " ".join(text.split()) changes: a run of two or more, or one that is not a space
IRREGULAR_SPACE = re.compile(r"\s{2,}|[^\S ]")


#: the same runs as IRREGULAR_SPACE (a white space followed by more, or one that is not a space: the
#: lookbehind sees the character just taken), written so that ``re`` tries each position faster (half the time)
_IRREGULAR_SPLIT = re.compile(r"(\s(?:\s+|(?<! )))").split


def stretches_map(text: str) -> SegMap:
    """The map of ``text`` stripped, each run of irregular whitespace (``IRREGULAR_SPACE``) made one generated
    character: the stretches between runs are copied whole (one segment per stretch), as ``MapBuilder``
    would copy them.  One ``split``; offsets are running sums (no Python step per run)."""
    cur = len(text) - len(text.lstrip())
    stop = len(text.rstrip())
    if cur >= stop:
        return SegMap.of([], [], [], [], 0)
    parts = _IRREGULAR_SPLIT(text[cur:stop])
    lens = list(map(len, parts))
    ins = list(accumulate(lens, initial=cur))[0:len(parts):2]
    kept = lens[0::2]          # never empty: the runs are maximal and the ends are not whitespace
    outs = list(accumulate(map(add, kept, repeat(1)), initial=0))
    outs.pop()
    return SegMap.of(outs, ins, kept, list(kept), outs[-1] + kept[-1])


def collapse_mapped(text: str) -> tuple[str, SegMap]:
    """``" ".join(text.split())`` and its map back to ``text`` (stretches between irregular whitespace
    are copied whole: one segment per change, not per word)."""
    return " ".join(text.split()), stretches_map(text)


def pieces_map(pieces: Sequence[tuple[str, int]], sep: str = "") -> tuple[str, SegMap]:
    """Join ``(text, source offset)`` pieces (each an unchanged copy of the source there) with ``sep``."""
    b = MapBuilder()
    for k, (text, src) in enumerate(pieces):
        if k and sep:
            b.insert(sep)
        if src is None or src < 0:
            b.insert(text)
        else:
            b.copy(text, src)
    return b.build()
