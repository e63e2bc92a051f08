"""Tokenizer and small text helpers shared by the rule types.

One regex tokenizer for every language: runs of letters/digits, with the French elisions
(``l'``, ``d'``, ``qu'``, ``jusqu'``…) split off as their own token so ``l'argent`` gives
``l'`` + ``argent`` like spaCy's French tokenizer.  Tokens keep their character offsets so a
match can be shown exactly as written.
"""
from __future__ import annotations

from typing import NamedTuple

import re

# French elision first (it must win over the plain word alternative at the same position).  The stdlib
# ``re`` is used on purpose: this fixed pattern is linear, and ``re`` is faster than ``regex`` here.
_TOKEN_RE = re.compile(r"(?i)\b(?:qu|jusqu|lorsqu|puisqu|[cdjlmnst])['’](?=\w)|[^\W_]+")
# the same tokens on a text already lower-cased (and ’ → '): without IGNORECASE, which costs 17 %; the one
# character of a lower-cased text that IGNORECASE also matched with these letters is the long s
_LOWER_TOKEN_RE = re.compile(r"\b(?:qu|jusqu|lorsqu|puisqu|[cdjlmnstſ])'(?=\w)|[^\W_]+")
_SPACE_RE = re.compile(r"\s+")
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u034f"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS), None)
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE_CHARS}]+")


class Token(NamedTuple):
    start: int
    end: int
    text: str      # as written
    lower: str     # lowercased, typographic apostrophe normalised to '


def clean(text: str) -> str:
    """Drop zero-width characters and soft hyphens (preheader padding) without moving much text."""
    if not text or text.isascii():   # most texts: nothing to drop (and str.translate is slow on long text)
        return text or ""
    return _INVISIBLE_RE.sub("", text)


def clean_map(raw: str):
    """The map of ``clean(raw)`` back to ``raw`` (a ``spans.SegMap``), None when ``clean`` changes nothing."""
    if not raw or raw.isascii():
        return None
    from contentlint.spans import deletions_map

    return deletions_map(raw, _INVISIBLE_RE)[1]


def tokenize(text: str) -> list[Token]:
    out = []
    for m in _TOKEN_RE.finditer(text):
        t = m.group()
        out.append(Token(m.start(), m.end(), t, t.lower().replace("’", "'")))
    return out


def lower_tokens(text: str) -> list[str]:
    """Lowercased tokens only (the fast path: no offsets, one lowercasing of the whole text)."""
    norm = text.replace("’", "'")
    low = norm.lower()
    if len(low) == len(norm):
        return _LOWER_TOKEN_RE.findall(low)
    return [t.lower() for t in _TOKEN_RE.findall(norm)]


def token_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each token of ``text``, in the order of ``lower_tokens``."""
    return [m.span() for m in _TOKEN_RE.finditer(text)]


def token_matches(text: str):
    """The tokens of ``text`` as an iterator of regex matches, in the order of ``lower_tokens`` (callers that
    need the first few offsets stop early)."""
    return _TOKEN_RE.finditer(text)


def words_of(text: str) -> list[str]:
    """Lowercased tokens of a word-list entry ("jeux d'argent" → ["jeux", "d'", "argent"])."""
    return lower_tokens(text)


def collapse(text: str) -> str:
    """What a reader sees: whitespace runs collapsed, zero-width characters removed, stripped."""
    return _SPACE_RE.sub(" ", clean(text)).strip()


def is_letters_upper(token: str) -> bool:
    """True for a word written entirely in capitals (at least two letters)."""
    if token.isascii():
        # ASCII: the letters are the cased characters, so "all letters capitals" is str.isupper
        return token.isupper() and (token.isalpha() and len(token) >= 2 or sum(map(str.isalpha, token)) >= 2)
    if token.isalpha():                              # "ÉTÉ": every character a letter, each a capital
        return len(token) >= 2 and all(map(str.isupper, token))
    letters = [c for c in token if c.isalpha()]
    return len(letters) >= 2 and all(map(str.isupper, letters))


def short_list(items, limit: int = 5, quote: bool = True) -> str:
    """“a”, “b” and “c” (first ``limit`` unique items, order kept)."""
    seen = list(dict.fromkeys(items))   # a list scan per item is quadratic on thousands of distinct matches
    more = len(seen) - limit
    seen = seen[:limit]
    shown = [f"“{s}”" if quote else str(s) for s in seen]
    if len(shown) == 1:
        text = shown[0]
    else:
        text = ", ".join(shown[:-1]) + " and " + shown[-1]
    if more > 0:
        text += f" (+{more} more)"
    return text


def or_list(items, quote: bool = True) -> str:
    items = [f"“{s}”" if quote else str(s) for s in items]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]


def shorten_at_word(text: str, limit: int) -> str:
    """Longest prefix of whole words of ``text`` that is at most ``limit`` characters.

    Trailing separators (``,``, ``:``, ``-``, ``|``…) are dropped so the cut reads naturally.  When the
    first word alone is longer than the limit it is cut hard.
    """
    text = collapse(text)
    if len(text) <= limit:
        return text
    words = text.split(" ")
    out = ""
    for w in words:
        candidate = w if not out else out + " " + w
        if len(candidate) > limit:
            break
        out = candidate
    if not out:
        return text[:limit]
    stripped = out.rstrip(" ,;:-–—|/·•")
    return stripped or out
