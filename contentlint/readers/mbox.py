"""mbox files, streamed: one message in memory at a time, each with its index in file order.

A separator is a line starting with ``From `` that opens the file, or that follows an empty line and carries
a ctime-like date (``From sender@example.com  Thu Aug 22 12:36:23 2002``), so a body line such as
"From the desk of…" does not split a message.  ``>From `` lines are unescaped (mboxrd: one ``>`` removed).
"""
from __future__ import annotations

import re
from typing import Iterator, Optional

LINE_LIMIT = 1 << 20   # read at most this many bytes per readline (a file without newlines stays bounded)

_SEPARATOR = re.compile(rb"From \S*\s.*\d{1,2}:\d{2}")
_ESCAPED = re.compile(rb">+From ")


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


def iter_mbox(f, source: str, options=None) -> Iterator:
    """Yield one Message (or InputError) per message of the mbox read from ``f`` (binary, readline())."""
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

    def flush() -> Optional[object]:
        if index < 0:
            return None
        if oversize:
            return InputError(source, f"message larger than {MAX_INPUT_BYTES // (1024 * 1024)} MB; not read", index)
        data = b"".join(buf)
        if not data.strip():
            return InputError(source, "empty message in mbox (two separator lines in a row)", index)
        try:
            return read_message_bytes(data, source, index=index, options=options, line_offset=start_line,
                                      byte_offset=start_byte, removed=removed)
        except RecursionError:
            return InputError(source, "message nested too deeply to read", index)
        except Exception as exc:  # noqa: BLE001 - one broken message must not stop the mailbox
            return _internal(source, exc, index)

    while True:
        line = f.readline(LINE_LIMIT)
        if not line:
            break
        pos += len(line)
        if at_line_start:
            line_no += 1
        is_sep = at_line_start and line.startswith(b"From ") and (
            index < 0 or (prev_blank and _SEPARATOR.match(line)))
        ends_line = line.endswith(b"\n")
        if is_sep:
            result = flush()
            if result is not None:
                yield result
            index += 1
            buf, size, oversize = [], 0, False
            removed = []
            start_line = line_no
            start_byte = pos
            prev_blank = False
            at_line_start = ends_line
            if not ends_line:  # an absurdly long separator line: swallow the rest of it
                while True:
                    more = f.readline(LINE_LIMIT)
                    pos += len(more or b"")
                    if not more or more.endswith(b"\n"):
                        break
                start_byte = pos
                at_line_start = True
            continue
        if index < 0 and at_line_start and not line.strip():
            at_line_start = ends_line
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

