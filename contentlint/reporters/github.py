"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

    ::warning file=templates/promo.html,line=12,col=7,title=risky-prize-terms::“prize” is a word …

Chosen automatically when ``GITHUB_ACTIONS`` is set and no ``--format`` is given.  Findings map to
``error``/``warning``/``notice``; each message that reaches the failing verdict gets one more
annotation with its score; unusable inputs are ``error`` annotations titled ``input-error``.
"""
from __future__ import annotations

from . import Reporter, display_source, shown_text

LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter(Reporter):
    def command(self, level: str, message: str, *, file: str = "", line: int = 0, col: int = 0, title: str = "",
                end_line: int = 0, end_col: int = 0) -> None:
        props = []
        if file:
            props.append(f"file={escape_property(file)}")
        if line:
            props.append(f"line={line}")
            if end_line and end_line != line:
                props.append(f"endLine={end_line}")
            if col:
                props.append(f"col={col}")
                if end_col and end_line == line and end_col > col:
                    props.append(f"endColumn={end_col}")
        if title:
            props.append(f"title={escape_property(title)}")
        self.out.write(shown_text(f"::{level} {','.join(props)}::{escape_data(message)}\n"))

    def write_report(self, report) -> None:
        failing = self.is_failure(report)
        if self.quiet and not failing:
            return
        file = self.relpath(report.source) if report.source != "-" else ""
        where = display_source(report.source, report.index)
        for f in report.findings:
            loc = f.location
            text = f.message
            if not loc.line and loc.part:
                text += f" [{loc.part}]"
            if report.index:
                text = f"{where}: {text}"
            if f.suggestion:
                text += f"\nFix: {f.suggestion}"
            self.command(LEVELS.get(f.level, "warning"), text, file=file, line=loc.line, col=loc.column,
                         title=f.rule, end_line=loc.end_line, end_col=loc.end_column)
        if failing:
            self.command("error", f"{where}: score {report.score:g}, verdict {report.verdict}", file=file,
                         title="contentlint")

    def write_error(self, error: dict) -> None:
        source = error["source"]
        title = error.get("rule") or error.get("key") or "input-error"
        self.command("error", error["message"], file=self.relpath(source) if source != "-" else "",
                     line=error.get("line") or 0, title=title)

    def finish(self) -> None:
        if self.quiet:
            return
        c = self.counts
        n = self.messages
        self.out.write(f"contentlint: {n} message{'s' if n != 1 else ''}: {c['fail']} fail, {c['warn']} warn, "
                       f"{c['pass']} pass; {len(self.errors)} input error{'s' if len(self.errors) != 1 else ''}\n")


REPORTER = GithubReporter
