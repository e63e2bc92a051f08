"""Findings → score → verdict.

Score = sum of the weights of a message's findings (the engine already emits one finding per rule per
message).  Categories may cap their total (rspamd's group ``max_score``) so one cause is not counted
three times.  A compliance error (a requirement of mailbox providers or law) makes the message ``fail``
whatever its score; the rules themselves say which mail kinds they apply to (an order confirmation needs no
unsubscribe link, but no kind of mail may carry an attachment type Gmail rejects).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Optional

from .findings import Finding

PASS, WARN, FAIL = "pass", "warn", "fail"
VERDICT_RANK = {PASS: 0, WARN: 1, FAIL: 2}


@dataclass(frozen=True)
class Thresholds:
    warn: float = 3.0
    fail: float = 5.0

    def __post_init__(self):
        if self.warn > self.fail:
            raise ValueError(f"warn threshold {self.warn} is above fail threshold {self.fail}")


@dataclass(frozen=True)
class Score:
    score: float
    verdict: str
    compliance_failure: bool = False   # verdict forced to fail by a compliance error


def category_totals(findings: Iterable[Finding], caps: Optional[Mapping[str, float]] = None) -> dict[str, float]:
    totals: dict[str, float] = {}
    for f in findings:
        totals[f.category] = totals.get(f.category, 0.0) + f.weight
    if caps:
        for cat, cap in caps.items():
            if cat in totals and cap is not None:
                totals[cat] = min(totals[cat], float(cap))
    return totals


def score_findings(
    findings: Iterable[Finding],
    *,
    caps: Optional[Mapping[str, float]] = None,
    thresholds: Thresholds = Thresholds(),
) -> Score:
    findings = list(findings)
    total = round(sum(category_totals(findings, caps).values()), 2)
    if total >= thresholds.fail:
        verdict = FAIL
    elif total >= thresholds.warn:
        verdict = WARN
    else:
        verdict = PASS
    forced = any(f.category == "compliance" and f.level == "error" for f in findings)
    if forced:
        verdict = FAIL
    return Score(total, verdict, forced and total < thresholds.fail)
