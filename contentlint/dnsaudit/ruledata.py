"""DNS issues → findings, through the one rule engine.

Checks produce :class:`Issue` values (rule id, variant, template parameters). :func:`to_finding` takes the
rule from an engine ``RuleSet`` (``contentlint.engine.load_ruleset``: the same pack loader, configuration,
weights file and select/ignore/disable as every other rule) and builds the finding with the engine's own
finding builder, so every user-visible text lives in rules/dns.yaml and a rule the ruleset does not hold
(disabled, ignored, not selected) gives no finding.

A ``type: dns`` rule may list ``variants:`` (the same id for a sub-case): a variant's ``message`` and
``suggestion`` replace the rule's, its ``level`` is the finding's level unless the user set the rule's level,
and its ``weight`` (points, as written in the pack) is the finding's weight.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from ..findings import Finding
from ..model import Location

PACK_NAME = "dns"


@dataclass
class Issue:
    """One problem a check found, before it becomes a Finding."""

    rule: str
    variant: Optional[str] = None
    record: str = ""                      # the record text (the finding's excerpt)
    params: dict = field(default_factory=dict)
    matches: tuple = ()


@lru_cache(maxsize=1)
def default_ruleset():
    """The built-in rules (all packs, rules/weights.yaml applied), loaded once: for callers without a ruleset."""
    from ..engine import load_ruleset

    return load_ruleset()


def dns_rules(ruleset=None) -> dict:
    """{rule id: Rule} of the ``type: dns`` rules a ruleset holds, in pack order."""
    rs = ruleset if ruleset is not None else default_ruleset()
    return {r.id: r for r in rs.rules if r.type == "dns"}


def to_finding(issue: Issue, ruleset=None, *, line: int = 0) -> Optional[Finding]:
    """The finding for ``issue`` under ``ruleset`` (default: the built-in rules); None when it lacks the rule."""
    try:
        from ..engine.hit import Hit
    except ImportError:  # pragma: no cover - before the hit type had its own module
        from ..engine.checkers import Hit

    rs = ruleset if ruleset is not None else default_ruleset()
    if issue.rule not in rs:
        return None
    rule = rs.get(issue.rule)
    variant: dict = {}
    if issue.variant:
        variant = (rule.params.get("variants") or {}).get(issue.variant) or {}
    if variant.get("message") or variant.get("suggestion"):
        rule = dataclasses.replace(rule, message=str(variant.get("message") or rule.message).strip(),
                                   suggestion=str(variant.get("suggestion") or rule.suggestion).strip())
    factor = 1.0
    if variant.get("weight") is not None:
        factor = float(variant["weight"]) / rule.weight if rule.weight else 0.0
    params = dict(issue.params)
    params.setdefault("record", issue.record)
    params.setdefault("more", "")
    params.setdefault("from_domain", params.get("domain") or "example.com")
    location = Location(part="dns", line=line, excerpt=issue.record or params.get("name", ""))
    hit = Hit(matches=list(issue.matches), vars=params, part="dns", level=variant.get("level"), factor=factor,
              location=location)
    # the engine's one finding builder; the Location is ready, so no message or analysis context is needed
    return rs._finding(rule, hit, None, None)
