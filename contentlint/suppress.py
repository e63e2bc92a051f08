"""Inline suppression directives in templates, HTML and text parts.

    <!-- contentlint-disable risky-prize-terms, all-caps-words -->
    … findings of these rules located here are dropped …
    <!-- contentlint-enable risky-prize-terms, all-caps-words -->

    <!-- contentlint-disable-file missing-unsubscribe -->

A directive is a comment whose text starts with ``contentlint-disable``, ``contentlint-enable`` or
``contentlint-disable-file``, followed by rule ids (or prefixes: ``subject`` covers ``subject-too-long``;
``risky-*`` covers every id starting ``risky-``) separated by commas or spaces; no ids means every rule.
Besides HTML comments, the template comment syntaxes that never reach the recipient are accepted:
``{# … #}`` (Jinja, Nunjucks, Twig), ``{{!-- … --}}`` and ``{{! … }}`` (Handlebars, Mustache).

Semantics:
- ``disable``/``enable`` ranges hide the matches (``Finding.spans``; the location when a finding has no
  spans) that lie after the ``disable`` directive and before the matching ``enable`` (or the end of the
  part).  A finding whose every match is hidden is dropped; one that also matched outside keeps those
  matches, and its location becomes the first of them.  An unknown
  column counts as the end of its line.  Findings without a line (e.g. a subject given with
  ``--subject``, a missing header) are never inside a range.
- ``disable-file`` applies to every finding of the message, wherever it is, with or without a line.
- ``enable`` without ids re-enables every rule; ``enable x`` after a bare ``disable`` re-enables only x.
- Directives in a MIME part that is stored verbatim in the file (templates, 7bit/8bit parts) use file
  lines, like the findings; in quoted-printable/base64 parts they use lines of the decoded part and
  apply only to findings located in that same part.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Optional, Sequence

from .findings import Finding
from .model import INPUT_HTML, INPUT_TEXT, Message
from .selection import matches, matches_any  # noqa: F401 - matches_any is imported from here too

MARKER = "contentlint-"

_DIRECTIVE = re.compile(
    r"(?:<!--|\{\#|\{\{!(?:--)?)[ \t]*contentlint-(disable-file|disable|enable)(?![\w-])"
    r"([^\n]*?)[ \t]*(?:-->|\#\}|--\}\}|\}\})"
)
_SPLIT = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class Directive:
    line: int                 # 1-based line (file line when ``scope`` is None)
    column: int               # 1-based column of the comment start
    action: str               # "disable" | "enable" | "disable-file"
    rules: tuple[str, ...]    # empty: every rule
    scope: Optional[str] = None   # None: file lines; else the content type of an unmapped part


def rule_matches(rule_id: str, pattern: str) -> bool:
    """``pattern`` names ``rule_id`` (one rule for ids and prefixes everywhere: ``contentlint.selection``)."""
    return matches(rule_id, pattern)


def parse_directives(text: str, *, first_line: int = 1, scope: Optional[str] = None) -> list[Directive]:
    """Every directive in ``text``; line numbers start at ``first_line``."""
    if not text or MARKER not in text:
        return []
    out: list[Directive] = []
    line = first_line
    last = 0
    line_start = 0
    for m in _DIRECTIVE.finditer(text):
        start = m.start()
        newlines = text.count("\n", last, start)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", 0, start) + 1
        last = start
        column = start - line_start + 1
        rules = tuple(r for r in _SPLIT.split(m.group(2).strip()) if r)
        out.append(Directive(line, column, m.group(1), rules, scope))
    return out


def directives_for(message: Message) -> list[Directive]:
    """Directives from the message's text sources (parts, or the template body)."""
    out: list[Directive] = []
    if message.parts:
        for part in message.parts:
            if not part.text or MARKER not in part.text:
                continue
            if part.file_mapped and part.start_line > 0:
                out.extend(parse_directives(part.text, first_line=part.start_line))
            else:
                out.extend(parse_directives(part.text, scope=part.content_type))
        return out
    # no parts recorded: a template whose body is the file itself
    mapped = message.input_format in (INPUT_HTML, INPUT_TEXT)
    for content_type, text in (("text/html", message.html), ("text/plain", message.text)):
        if text and MARKER in text:
            out.extend(parse_directives(text, scope=None if mapped else content_type))
    return out


def _position_key(line: int, column: int) -> tuple[int, int]:
    return (line, column if column > 0 else 10**9)


def _disabled_file(rule: str, directives: Sequence[Directive]) -> bool:
    return any(d.action == "disable-file" and (not d.rules or matches_any(rule, d.rules)) for d in directives)


def _in_range(rule: str, loc, directives: Sequence[Directive], unmapped_parts: frozenset) -> bool:
    """Whether the place ``loc`` lies inside a ``disable``/``enable`` range that covers ``rule``."""
    if loc.line <= 0:
        return False
    in_unmapped = loc.part in unmapped_parts
    where = _position_key(loc.line, loc.column)
    suppressed = False
    for d in directives:
        if d.action == "disable-file":
            continue
        if in_unmapped:
            if d.scope != loc.part:
                continue
        elif d.scope is not None:
            continue
        if (d.line, d.column) > where:
            continue
        if not d.rules or matches_any(rule, d.rules):
            suppressed = d.action == "disable"
    return suppressed


def filter_finding(finding: Finding, directives: Sequence[Directive],
                   unmapped_parts: frozenset = frozenset()) -> Optional[Finding]:
    """``finding`` as the directives leave it: None when every place it matched is disabled, the finding
    with only its places outside the disabled ranges when some are (its location: the first of them)."""
    if _disabled_file(finding.rule, directives):
        return None
    spans = tuple(finding.spans) or (finding.location,)
    kept = tuple(loc for loc in spans if not _in_range(finding.rule, loc, directives, unmapped_parts))
    if not kept:
        return None
    if len(kept) == len(spans):
        return finding
    return replace(finding, location=kept[0], spans=kept if finding.spans else ())


def is_suppressed(finding: Finding, directives: Sequence[Directive], unmapped_parts: frozenset = frozenset()) -> bool:
    """True when the directives hide the finding entirely."""
    return filter_finding(finding, directives, unmapped_parts) is None


def apply(findings: list[Finding], message: Message) -> list[Finding]:
    """``findings`` as the inline directives leave them (cheap when there is none): a finding whose every
    span lies in a disabled range is dropped; one with spans on both sides keeps the others."""
    if not findings:
        return findings
    if not _has_marker(message):
        return findings
    directives = directives_for(message)
    if not directives:
        return findings
    directives.sort(key=lambda d: (d.scope or "", d.line, d.column))
    unmapped = frozenset(p.content_type for p in message.parts if not (p.file_mapped and p.start_line > 0))
    out = []
    for f in findings:
        kept = filter_finding(f, directives, unmapped)
        if kept is not None:
            out.append(kept)
    return out


def _has_marker(message: Message) -> bool:
    if message.parts:
        return any(p.text and MARKER in p.text for p in message.parts)
    return bool((message.html and MARKER in message.html) or (message.text and MARKER in message.text))
