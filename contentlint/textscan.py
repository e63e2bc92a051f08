"""Linear helpers for scanning markup without regular expressions that could go quadratic on hostile input."""
from __future__ import annotations


def blank_between(text: str, start: str, end: str) -> str:
    """``text`` with every ``start … end`` span (an unclosed one runs to the end) replaced by as many spaces.

    Offsets are kept.  One pass: a lazy pattern such as ``<!--.*?-->`` rescans to the end of the text for every
    unclosed ``<!--``.
    """
    if start not in text:
        return text
    out, pos = [], 0
    while True:
        i = text.find(start, pos)
        if i < 0:
            break
        j = text.find(end, i + len(start))
        j = len(text) if j < 0 else j + len(end)
        out.append(text[pos:i])
        out.append(" " * (j - i))
        pos = j
    out.append(text[pos:])
    return "".join(out)
