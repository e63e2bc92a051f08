"""One rule for naming rules in ``--select``, ``--ignore``, ``select``/``ignore``/``disable``/``per-file-ignores``
in the configuration, inline ``contentlint-disable`` directives and the DNS findings.

A pattern is

* a rule id: ``subject-too-long``;
* a prefix of whole words of ids: ``subject`` or ``subject-`` covers ``subject-too-long`` and
  ``subject-padding`` (not ``subjects-x``);
* a prefix ending in ``*``: ``risky-*`` or ``risk*`` covers every id starting with what precedes the star.

As in flake8, when a rule matches both a selected and an ignored pattern, the longer pattern decides (a tie
ignores): ``--select risky- --ignore risky-prize-terms`` runs every ``risky-`` rule but that one, and
``--ignore risky- --select risky-prize-terms`` runs only that one of them.  A pattern that matches no
loaded rule is an error (naming the closest ids), so a typo never silently turns nothing off.
"""
from __future__ import annotations

from typing import Iterable, Sequence


def match_length(rule_id: str, pattern: str) -> int:
    """How specifically ``pattern`` names ``rule_id``: its length when it matches, else -1."""
    if not pattern:
        return -1
    if pattern == rule_id:
        return len(pattern)
    if pattern.endswith("*"):
        return len(pattern) - 1 if rule_id.startswith(pattern[:-1]) else -1
    if pattern.endswith("-"):
        return len(pattern) if rule_id.startswith(pattern) else -1
    return len(pattern) if rule_id.startswith(pattern + "-") else -1


def matches(rule_id: str, pattern: str) -> bool:
    return match_length(rule_id, pattern) >= 0


def matches_any(rule_id: str, patterns: Iterable[str]) -> bool:
    return any(match_length(rule_id, p) >= 0 for p in patterns)


def longest(rule_id: str, patterns: Iterable[str]) -> int:
    return max((match_length(rule_id, p) for p in patterns), default=-1)


def is_selected(rule_id: str, select: Sequence[str] = (), ignore: Sequence[str] = ()) -> bool:
    """flake8's decision: with ``select`` only matching rules run; the longer of the two matches wins."""
    s = longest(rule_id, select) if select else 0
    if s < 0:
        return False
    i = longest(rule_id, ignore)
    return not (i >= 0 and i >= s)


def unknown(patterns: Iterable[str], rule_ids: Iterable[str]) -> list[tuple[str, list[str]]]:
    """``[(pattern, closest ids)]`` for each pattern that names no rule in ``rule_ids``."""
    ids = list(rule_ids)
    out = []
    for pattern in patterns:
        if not any(match_length(r, pattern) >= 0 for r in ids):
            out.append((pattern, suggest(pattern, ids)))
    return out


def suggest(pattern: str, rule_ids: Iterable[str]) -> list[str]:
    """The closest ids (or whole-word prefixes) to a pattern that names nothing."""
    import difflib

    ids = list(rule_ids)
    stem = pattern.rstrip("*-")
    prefixes = {r.rsplit("-", k)[0] + "-" for r in ids for k in (1, 2) if r.count("-") >= k}
    return difflib.get_close_matches(stem, ids, n=3, cutoff=0.6) or \
        difflib.get_close_matches(stem + "-", sorted(prefixes), n=2, cutoff=0.6)


def hint(pattern: str, rule_ids: Iterable[str]) -> str:
    close = suggest(pattern, rule_ids)
    return f"did you mean {' or '.join(repr(c) for c in close)}?" if close else "`contentlint rules` lists them"
