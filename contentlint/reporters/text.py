"""Human-readable output.

    newsletter.html — “WIN a FREE prize!!!”
      newsletter.html:12:7  warning  risky-prize-terms  “prize” is a word spam filters watch.
          fix: Replace “prize” with reward or thank-you offer.
      score 6.5 → fail (warn ≥ 3, fail ≥ 5)

    3 messages: 1 fail, 1 warn, 1 pass; 0 input errors
"""
from __future__ import annotations

import sys

from . import Reporter, display_source, format_error, shown_text

RESET = "\033[0m"
STYLES = {
    "error": "\033[31m", "warning": "\033[33m", "info": "\033[36m",
    "fail": "\033[1;31m", "warn": "\033[1;33m", "pass": "\033[1;32m",
    "rule": "\033[2m", "header": "\033[1m", "fix": "\033[32m",
}


class TextReporter(Reporter):
    def paint(self, text: str, style: str) -> str:
        if not self.color:
            return text
        return f"{STYLES[style]}{text}{RESET}"

    def write_report(self, report) -> None:
        failing = self.is_failure(report)
        if self.quiet and not failing:
            return
        w = self.out.write
        where = display_source(report.source, report.index)
        subject = f" — “{report.subject}”" if report.subject else ""
        w(self.paint(f"{where}{subject}", "header") + "\n")
        for att in getattr(report, "attachments", None) or ():
            note = f", {att['note']}" if att.get("note") else ""
            w(f"  attachment: {att['name']} ({att['type']}, {_size(att['size'])}{note})\n")
        for f in report.findings:
            loc = f.location
            source = shown_text(report.source)
            pos = f"{source}:{loc.line}:{loc.column or 1}" if loc.line else source
            part = f" [{loc.part}]" if (loc.part and not loc.line) else ""
            w(f"  {pos}{part}  {self.paint(f.level, f.level)}  {self.paint(f.rule, 'rule')}  {f.message}\n")
            if f.suggestion:
                w(f"      {self.paint('fix:', 'fix')} {f.suggestion}\n")
        if getattr(report, "requirements", None):
            self.write_requirements(report.requirements)
        th = report.thresholds
        verdict = self.paint(report.verdict, report.verdict)
        extra = ""
        if report.compliance_failure:
            extra = ", compliance error"
        if self.max_score is not None and report.score > self.max_score:
            extra += f", above --max-score {self.max_score:g}"
        w(f"  score {report.score:g} → {verdict} (warn ≥ {th.warn:g}, fail ≥ {th.fail:g}{extra})\n\n")

    def write_requirements(self, items) -> None:
        """The providers' checklist (check --requirements): status, requirement, why, and the fix."""
        from contentlint.requirements import summary

        w = self.out.write
        providers = list(dict.fromkeys(p for it in items for p in it.providers))
        counts = ", ".join(f"{n} {status}" for status, n in summary(items).items() if n)
        w(f"  requirements of {', '.join(providers)}: {counts}\n")
        style = {"not met": "error", "not checkable": "warning", "met": "pass", "not applicable": "rule"}
        for it in items:
            w(f"    {self.paint(f'{it.status:<14}', style[it.status])} {it.id:<20} {it.title}\n")
            if it.reason and it.status != "met" or it.reason and not it.reason.startswith("no finding of"):
                w(f"    {'':<14} {'':<20} {it.reason}\n")
            if it.fix and it.status == "not met":
                w(f"    {'':<14} {'':<20} {self.paint('fix:', 'fix')} {it.fix}\n")

    def write_error(self, error: dict) -> None:
        # errors go to standard error so that stdout stays the report
        sys.stderr.write(format_error(error) + "\n")
        sys.stderr.flush()

    def finish(self) -> None:
        if self.statistics and self.rule_counts:
            rows = self.statistics_rows()
            width = max(len(str(r["count"])) for r in rows)
            rule_width = max(len(r["rule"]) for r in rows)
            for r in rows:
                title = f"  {r['title']}" if r.get("title") else ""
                self.out.write(f"{r['count']:>{width}}  {r['rule']:<{rule_width}}  {r.get('level', ''):<7}{title}".rstrip()
                               + "\n")
            self.out.write("\n")
        if self.quiet:
            return
        c = self.counts
        n = self.messages
        plural = "message" if n == 1 else "messages"
        errors = len(self.errors)
        err = f"; {errors} input error{'s' if errors != 1 else ''}" if errors else ""
        skipped = len(self.skipped)
        skip = f"; {skipped} file{'s' if skipped != 1 else ''} skipped" if skipped else ""
        hint = " (--verbose lists them)" if skipped and not self.verbose else ""
        self.out.write(f"{n} {plural}: {c['fail']} fail, {c['warn']} warn, {c['pass']} pass{err}{skip}{hint}\n")


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


REPORTER = TextReporter
