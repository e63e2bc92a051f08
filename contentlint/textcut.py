"""Long texts cut for printing, with their length: a 1.6 MB run of ``!`` must not print 6 MB of JSON.

Every reporter prints findings through ``cut_finding`` (and long subjects through ``cut_middle``), so no
format prints a match, an excerpt, a message or a suggestion whole when it is huge; the cut says how long
the text was.  The engine may cut earlier (``Location.match`` is at most ``MATCH_MAX`` characters with
``match_length`` the whole length); cutting again here is then a no-op.
"""
from __future__ import annotations

from dataclasses import replace

from .model import MATCH_MAX

#: Longest message, suggestion or subject printed whole; a longer one keeps its start and end.
MESSAGE_MAX = 1000


def cut(text: str, limit: int = MATCH_MAX) -> str:
    """``text``, or its first ``limit`` characters followed by ``…(N characters)``; idempotent."""
    if len(text) <= limit or (text.startswith("…(", limit) and text.endswith(" characters)") and len(text) < limit + 40):
        return text
    return f"{text[:limit]}…({len(text):,} characters)"


def cut_middle(text: str, limit: int = MESSAGE_MAX) -> str:
    """``text``, or its start and end around ``…(N characters cut)…`` (a sentence keeps its ending)."""
    if len(text) <= limit:
        return text
    head, tail = limit * 2 // 3, limit // 5
    return f"{text[:head]}…({len(text) - head - tail:,} characters cut)…{text[len(text) - tail:]}"


def cut_location(loc):
    """A Location whose excerpt and match are short (``match_length`` keeps the match's whole length)."""
    if len(loc.excerpt) <= MATCH_MAX and len(loc.match) <= MATCH_MAX:
        return loc
    changes = {}
    if len(loc.excerpt) > MATCH_MAX:
        changes["excerpt"] = cut(loc.excerpt)
    if len(loc.match) > MATCH_MAX:
        changes["match"] = loc.match[:MATCH_MAX]
        changes["match_length"] = max(loc.match_length, len(loc.match))
    return replace(loc, **changes)


def cut_finding(finding):
    """The Finding as it is printed: message, suggestion, matches, excerpts and matched texts cut."""
    long_text = len(finding.message) > MESSAGE_MAX or len(finding.suggestion) > MESSAGE_MAX or \
        any(len(m) > MATCH_MAX for m in finding.matches)
    locations = (finding.location,) + tuple(finding.spans)
    if not long_text and all(len(x.excerpt) <= MATCH_MAX and len(x.match) <= MATCH_MAX for x in locations):
        return finding
    return replace(finding, message=cut_middle(finding.message), suggestion=cut_middle(finding.suggestion),
                   matches=tuple(cut(m) for m in finding.matches), location=cut_location(finding.location),
                   spans=tuple(cut_location(s) for s in finding.spans))
