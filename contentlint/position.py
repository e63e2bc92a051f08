"""From a place in a decoded text of the message to a ``Location`` in the input file.

``resolve(message, label, start, end, part_name)``: ``label`` names the text the offsets index, a part
(``Part.label`` or its content type: ``text/html``, ``text/plain``, ``headers``, ``front-matter``) or a field
(``Message.fields``: ``subject``, ``from``, ``reply-to``, ``preheader``…).  The text's ``Origin`` maps the span to
the input file, whose ``FileIndex`` gives line and column; nothing is searched.  What cannot be mapped (a
message built from fields by the API, a subject given as an option) keeps the decoded position and an
excerpt, with line 0.
"""
from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, repeat
from operator import add
from typing import Optional

from .model import MATCH_MAX, Location, Message

EXCERPT = 80
#: texts this long get an index of their line starts (a finding then costs a bisection, not a count
#: from the start of the text)
_INDEXED = 4096
_COUNTED = 6
_LINES: dict = {}      # id(text) -> (text, its line starts or the lookups so far); the text held keeps its id


def _line_starts(text: str) -> Optional[list[int]]:
    """The line starts of ``text`` from its ``_COUNTED + 1``-th finding on (None before)."""
    got = _LINES.get(id(text))
    if got is None or got[0] is not text:
        if len(_LINES) >= 16:
            _LINES.clear()
        _LINES[id(text)] = (text, 1)
        return None
    if type(got[1]) is int:     # the first findings in a text are counted (cheaper than an index for a few)
        if got[1] < _COUNTED:
            _LINES[id(text)] = (text, got[1] + 1)
            return None
    else:
        return got[1]
    starts = list(accumulate(map(add, map(len, text.split("\n")), repeat(1)), initial=0))
    starts.pop()
    _LINES[id(text)] = (text, starts)
    return starts


def _excerpt(line: str, col0: int) -> str:
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


def _text_of(message: Message, label: str):
    """(text, origin, display label) of a part or field, or (None, None, label)."""
    f = message.fields.get(label)
    if f is not None:
        origin = f.resolve_origin()
        return f.text or "", origin, label
    p = part_by_label(message, label)
    if p is not None:
        return p.text, p.origin, p.label
    return None, None, label


def part_by_label(message: Message, label: str):
    """``message.part_by_label(label)`` from an index of the parts by label and by content type, built once
    per message (and again if its parts change): a message of many parts otherwise costs a walk of its parts
    for each span."""
    parts = message.parts
    got = message.__dict__.get("_parts_index")
    if got is None or got[0] is not parts or got[1] != len(parts):
        by_label: dict = {}
        by_type: dict = {}
        for p in parts:
            by_label.setdefault(p.label, p)
            by_type.setdefault(p.content_type, p)
        got = message.__dict__["_parts_index"] = (parts, len(parts), by_label, by_type)
    p = got[2].get(label)
    return p if p is not None else got[3].get(label)


def resolve(message: Message, label: str, start: int, end: int, part_name: str = "",
            matched: Optional[str] = None) -> Location:
    """The Location of ``text[start:end]`` of part/field ``label`` (a bug here is an error on that message,
    reported as such by the Linter, never a silently wrong or missing place).  ``matched``: the text the rule
    matched, as it read it (placeholders masked), shown instead of the part's text there."""
    return _resolve(message, label, start, end, part_name or label, matched)


def _resolve(message: Message, label: str, start: int, end: int, part_name: str,
             matched: Optional[str] = None) -> Location:
    text, origin, shown = _text_of(message, label)
    if text is None or start < 0:
        return Location(part=part_name)
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    # only what is shown is copied (a span may cover a whole part)
    match = text[start:min(end, start + MATCH_MAX)] if matched is None else matched[:MATCH_MAX]
    match_length = end - start if matched is None else len(matched)
    starts = _line_starts(text) if len(text) >= _INDEXED else None
    if starts is None:
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", start)
        part_line = text.count("\n", 0, start) + 1
    else:                                   # a long text: its line starts, found once, bisected
        k = bisect_right(starts, start) - 1
        line_start = starts[k]
        line_end = starts[k + 1] - 1 if k + 1 < len(starts) else -1
        part_line = k + 1
    stop = len(text) if line_end < 0 else line_end
    part_col = start - line_start + 1
    excerpt = _excerpt(text[line_start:min(stop, line_start + 4000)], part_col - 1)
    fs = fe = -1
    if origin is not None and getattr(origin, "file", None) is not None:
        fs, fe = origin.to_file(start, end)
        if fs is None:
            fs = -1
    if fs < 0:
        return Location(part=part_name, part_label=shown, part_offset=start, part_end=end, part_line=part_line,
                        part_column=part_col, match=match, match_length=match_length, excerpt=excerpt)
    fe = max(fs, fe if fe is not None and fe >= 0 else fs)
    fi = origin.file
    line, col = fi.position(fs)
    end_line, end_col = fi.position(fe)
    return Location(line=line, column=col, end_line=end_line, end_column=end_col,
                    offset=fi.byte(fs), end_offset=fi.byte(fe), part=part_name, part_label=shown,
                    part_offset=start, part_end=end, part_line=part_line, part_column=part_col, match=match,
                    match_length=match_length, excerpt=excerpt)


def at_file(message: Message, fs: int, fe: int, part_name: str, excerpt: str = "",
            matched: Optional[str] = None) -> Location:
    """A Location from offsets of the input file itself (a header field, an attachment's headers)."""
    fi = message.file
    if fi is None or fs < 0:
        return Location(part=part_name, excerpt=excerpt)
    line, col = fi.position(fs)
    end_line, end_col = fi.position(max(fs, fe))
    extra = {} if matched is None else {"match": matched[:MATCH_MAX], "match_length": len(matched)}
    return Location(part=part_name, line=line, column=col, end_line=end_line, end_column=end_col,
                    offset=fi.byte(fs), end_offset=fi.byte(max(fs, fe)),
                    excerpt=excerpt or _excerpt(fi.line_text(line), col - 1), **extra)
