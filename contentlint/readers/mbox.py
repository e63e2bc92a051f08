"""mbox files, streamed: one message in memory at a time, each with its index in file order.

A separator is a line starting with ``From `` that opens the file, or that follows an empty line and is
one of the shapes mail tools write:

* ``From sender@example.com  Thu Aug 22 12:36:23 2002`` (mboxo/mboxrd, mutt, Python's ``mailbox``),
  ``From - Thu Aug 22 12:36:23 2002`` (Thunderbird), ``From MAILER-DAEMON Thu Aug…``: a ctime-like date;
* ``From sender@example.com`` or ``From -`` with no date (many export tools), when the next line is a header.

Any other ``From `` line after an empty line and followed by a header line (``From the editor`` then
``Note: …``) is ambiguous: it is read as a separator and the new message carries an ``mbox-separator``
problem saying so; a ``From address`` line not followed by a header is kept as body text, with a problem
on that message.  A body line such as "From the desk of…" followed by text never splits a message.
``>From `` lines are unescaped (mboxrd: one ``>`` removed).  Line ends may be LF, CRLF or CR (a lone CR is
read as LF by the caller, see ``LoneCRReader``).
"""
from __future__ import annotations

import re
from typing import Iterator, Optional

LINE_LIMIT = 1 << 20   # read at most this many bytes per readline (a file without newlines stays bounded)

_SEPARATOR = re.compile(rb"From \S*\s.*\d{1,2}:\d{2}")
_BARE_SEPARATOR = re.compile(rb"From (?:[^\s@]*@\S+|-|MAILER-DAEMON|<>)[ \t]*\r?\n?")
_HEADER_LINE = re.compile(rb"[!-9;-~]+[ \t]*:")
_ESCAPED = re.compile(rb">+From ")
_LONE_CR = re.compile(rb"\r(?!\n)")

SEPARATOR = "separator"
AMBIGUOUS_SEPARATOR = "ambiguous separator"
AMBIGUOUS_BODY = "ambiguous body line"


class PrefixedReader:
    """A readline()-able stream made of an already-read prefix followed by the rest of a stream."""

    def __init__(self, prefix: bytes, stream):
        self._buf = prefix
        self._stream = stream

    def readline(self, limit: int = -1) -> bytes:
        if self._buf:
            nl = self._buf.find(b"\n")
            if nl >= 0 and (limit < 0 or nl < limit):
                line, self._buf = self._buf[:nl + 1], self._buf[nl + 1:]
                return line
            if limit >= 0 and len(self._buf) >= limit:
                line, self._buf = self._buf[:limit], self._buf[limit:]
                return line
            line, self._buf = self._buf, b""
            more = self._stream.readline(-1 if limit < 0 else limit - len(line))
            return line + (more or b"")
        return self._stream.readline(limit) or b""


class LoneCRReader:
    """readline() over a stream in which each lone CR (an old Mac line end) reads as LF.

    Same length as the input, so byte offsets and line numbers stay those of the file (editors count a
    CR-only line end as a line too).  A CR at the end of a chunk is held until the next byte is known.
    """

    def __init__(self, stream):
        self._stream = stream
        self._buf = b""
        self._pos = 0
        self._held_cr = False
        self._eof = False

    def _fill(self) -> None:
        self._take(self._stream.readline(LINE_LIMIT) or b"")

    def _take(self, raw: bytes) -> None:
        if not raw:
            self._eof = True
            raw = b"\n" if self._held_cr else b""
            self._held_cr = False
        else:
            if self._held_cr:
                raw = b"\r" + raw
            self._held_cr = raw.endswith(b"\r")
            if self._held_cr:
                raw = raw[:-1]
            if b"\r" in raw:
                raw = _LONE_CR.sub(b"\n", raw)
        self._buf = self._buf[self._pos:] + raw
        self._pos = 0

    def readline(self, limit: int = -1) -> bytes:
        if self._pos >= len(self._buf) and not self._held_cr and not self._eof:
            raw = self._stream.readline(LINE_LIMIT if limit < 0 else min(limit, LINE_LIMIT)) or b""
            if not raw or (raw.endswith(b"\n") and raw.find(b"\r") in (-1, len(raw) - 2)):  # LF or CRLF: as it is
                self._eof = not raw
                return raw
            self._buf, self._pos = b"", 0
            self._take(raw)
        while True:
            nl = self._buf.find(b"\n", self._pos)
            if nl >= 0 and (limit < 0 or nl - self._pos < limit):
                line, self._pos = self._buf[self._pos:nl + 1], nl + 1
                return line
            if limit >= 0 and len(self._buf) - self._pos >= limit:
                line, self._pos = self._buf[self._pos:self._pos + limit], self._pos + limit
                return line
            if self._eof:
                line, self._buf, self._pos = self._buf[self._pos:], b"", 0
                return line
            self._fill()


def separator_kind(line: bytes, next_line: bytes) -> Optional[str]:
    """What a ``From `` line that follows an empty line is, given the line after it (b"" at the end)."""
    if _SEPARATOR.match(line):
        return SEPARATOR
    header_follows = bool(_HEADER_LINE.match(next_line))
    bare = _BARE_SEPARATOR.fullmatch(line) is not None
    if header_follows:
        return SEPARATOR if bare else AMBIGUOUS_SEPARATOR
    return AMBIGUOUS_BODY if bare else None


def _shown(line: bytes) -> str:
    text = line.rstrip(b"\r\n").decode("utf-8", "replace")
    return text if len(text) <= 60 else text[:60] + "…"


def iter_mbox(f, source: str, options=None) -> Iterator:
    """Yield one Message (or InputError) per message of the mbox read from ``f`` (binary, readline())."""
    from ..model import Location, Problem
    from . import MAX_INPUT_BYTES, InputError, ReadOptions, _internal
    from .mime import read_message_bytes

    options = options or ReadOptions()
    buf: list[bytes] = []
    size = 0
    oversize = False
    index = -1
    start_line = 0        # line number (1-based) of the current message's separator
    line_no = 0
    pos = 0               # bytes read so far
    start_byte = 0        # file offset of the current message's first byte (after its separator)
    removed: list[int] = []   # offsets in the message where an escaping ">" was taken out
    prev_blank = True
    at_line_start = True
    notes: list = []      # problems found by the splitter for the current message

    def flush() -> Optional[object]:
        if index < 0:
            return None
        if oversize:
            return InputError(source, f"message larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB; not read", index)
        data = b"".join(buf)
        if not data.strip():
            return InputError(source, "empty message in mbox (two separator lines in a row)", index)
        try:
            msg = read_message_bytes(data, source, index=index, options=options, line_offset=start_line,
                                     byte_offset=start_byte, removed=removed)
        except RecursionError:
            return InputError(source, "message nested too deeply to read", index)
        except Exception as exc:  # noqa: BLE001 - one broken message must not stop the mailbox
            return _internal(source, exc, index)
        msg.problems.extend(notes)
        return msg

    line = f.readline(LINE_LIMIT)
    while line:
        following = f.readline(LINE_LIMIT)
        pos += len(line)
        if at_line_start:
            line_no += 1
        ends_line = line.endswith(b"\n")
        kind = None
        if at_line_start and line.startswith(b"From "):
            if index < 0:
                kind = SEPARATOR
            elif prev_blank:
                kind = separator_kind(line, following if ends_line else b"")
        if kind == AMBIGUOUS_BODY:
            notes.append(Problem("mbox-separator", f"line {line_no} (“{_shown(line)}”) looks like an mbox separator "
                                 "but no header follows it; it was read as body text of this message",
                                 Location(part="headers", line=line_no)))
            kind = None
        if kind is not None:
            result = flush()
            if result is not None:
                yield result
            index += 1
            buf, size, oversize, notes = [], 0, False, []
            removed = []
            start_line = line_no
            start_byte = pos
            if kind == AMBIGUOUS_SEPARATOR:
                notes.append(Problem("mbox-separator", f"line {line_no} (“{_shown(line)}”) has no date: it was read "
                                     "as the start of a new message because a header follows it; if it is body "
                                     "text, the mbox should escape it as “>From”", Location(part="headers", line=line_no)))
            prev_blank = False
            at_line_start = ends_line
            if not ends_line:  # an absurdly long separator line: swallow the rest of it
                while following and not following.endswith(b"\n"):
                    pos += len(following)
                    following = f.readline(LINE_LIMIT)
                if following:
                    pos += len(following)
                    following = f.readline(LINE_LIMIT)
                start_byte = pos
                at_line_start = True
            line = following
            continue
        if index < 0 and at_line_start and not line.strip():
            at_line_start = ends_line
            line = following
            continue  # blank lines before the first separator
        if index < 0:
            # content before any separator: not an mbox after all for this stretch; keep it as message 0
            index = 0
            start_line = 0
            start_byte = pos - len(line)
        if at_line_start and line[:1] == b">" and _ESCAPED.match(line):
            line = line[1:]
            removed.append(size)
        if not oversize:
            size += len(line)
            if size > MAX_INPUT_BYTES:
                oversize = True
                buf = []
            else:
                buf.append(line)
        if at_line_start:
            prev_blank = line in (b"\n", b"\r\n")
        at_line_start = ends_line
        line = following
    result = flush()
    if result is not None:
        yield result
    elif index < 0:
        yield InputError(source, "empty input (nothing to check)")


def iter_mbox_bytes(data: bytes, source: str, options=None) -> Iterator:
    """``iter_mbox`` over bytes already in memory.

    A single message saved with its ``From `` separator line (the SpamAssassin corpus, many archives) is
    handed to the MIME reader in one piece instead of line by line: when nothing after the first line
    can be a separator (no ``\\nFrom ``) or needs unescaping (no line starting with ``>``), the line loop
    would only have glued the lines back together.  Anything else goes through ``iter_mbox``.
    """
    import io

    nl = data.find(b"\n")
    if data.startswith(b"From ") and 0 <= nl < LINE_LIMIT - 1:
        body = data[nl + 1:]
        if b"\nFrom " not in body and b"\n>" not in body and not body.startswith(b">") and body.strip():
            from . import ReadOptions, _internal
            from .mime import read_message_bytes

            try:
                yield read_message_bytes(body, source, index=0, options=options or ReadOptions(), line_offset=1,
                                         byte_offset=nl + 1)
            except RecursionError:
                from . import InputError

                yield InputError(source, "message nested too deeply to read", 0)
            except Exception as exc:  # noqa: BLE001 - as iter_mbox: one broken message is an error, not a crash
                yield _internal(source, exc, 0)
            return
    yield from iter_mbox(io.BytesIO(data), source, options)

