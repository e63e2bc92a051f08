"""``--format report``: a SpamAssassin-style points table per message, each rule with its fix.

    Content analysis details: templates/promo.html — “WIN a FREE prize!!!”

     pts rule                      description
    ---- ------------------------- ----------------------------------------------
     2.5 risky-prize-terms         “prize” is a word spam filters watch.
                                   fix: Replace “prize” with reward or thank-you offer.
    ---- ------------------------- ----------------------------------------------
     6.5 total                     verdict fail (warn ≥ 3, fail ≥ 5)
"""
from __future__ import annotations

import sys

from . import Reporter, display_source, format_error

RULE_WIDTH = 28


class PointsReporter(Reporter):
    def write_report(self, report) -> None:
        if self.quiet and not self.is_failure(report):
            return
        w = self.out.write
        where = display_source(report.source, report.index)
        subject = f" — “{report.subject}”" if report.subject else ""
        w(f"Content analysis details: {where}{subject}\n\n")
        rule_w = max([RULE_WIDTH] + [len(f.rule) + 1 for f in report.findings])
        rule_line = "-" * (rule_w - 1)
        w(f" pts {'rule':<{rule_w}}description\n")
        w(f"---- {rule_line} {'-' * 46}\n")
        pad = " " * (5 + rule_w)
        for f in report.findings:
            w(f"{f.weight:4.1f} {f.rule:<{rule_w}}{f.message}\n")
            if f.suggestion:
                w(f"{pad}fix: {f.suggestion}\n")
        if not report.findings:
            w(f"{0.0:4.1f} {'(no rule hit)':<{rule_w}}\n")
        w(f"---- {rule_line} {'-' * 46}\n")
        th = report.thresholds
        note = ", forced by a compliance error" if report.compliance_failure else ""
        w(f"{report.score:4.1f} {'total':<{rule_w}}verdict {report.verdict} "
          f"(warn ≥ {th.warn:g}, fail ≥ {th.fail:g}{note})\n\n")

    def write_error(self, error: dict) -> None:
        sys.stderr.write(format_error(error) + "\n")


REPORTER = PointsReporter
