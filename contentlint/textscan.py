"""Linear helpers for scanning markup without regular expressions that could go quadratic on hostile input."""
from __future__ import annotations

from typing import Optional

#: The characters other than ASCII letters that an ASCII letter of a pattern matches under IGNORECASE
#: (Python's re documentation: İ, ı, ſ and the Kelvin sign; the regex module matches no others).
ASCII_LOOKALIKES = ("\u0130", "\u0131", "\u017f", "\u212a")


def ascii_needle_text(text: str) -> Optional[str]:
    """Where to look for the ASCII strings a pattern cannot match without (``hit.required_literal_groups``,
    lower-case): ``text`` lower-cased with its non-ASCII characters left out (ASCII that was contiguous stays
    contiguous, and bytes.lower costs a fraction of casefolding a long accented body).  None (nothing can be
    ruled out) when the text holds a character that IGNORECASE matches to an ASCII letter."""
    if text.isascii():
        return text.lower()
    if any(c in text for c in ASCII_LOOKALIKES):
        return None
    return text.encode("ascii", "ignore").lower().decode("ascii")


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
