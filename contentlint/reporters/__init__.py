"""Output formats.  Each reporter streams: ``start()``, then ``report()``/``error()`` per input in input
order, then ``finish()``.  Only the chosen reporter's module is imported (cold start).

    text    human-readable, one block per message (colours on a terminal)
    json    one versioned document (contentlint/schema/report-v1.schema.json)
    jsonl   one JSON object per line, written as results come (huge mailboxes)
    sarif   SARIF 2.1.0 for code-scanning tools
    github  GitHub Actions workflow commands (annotations)
    report  SpamAssassin-style points table per message
    html    one self-contained page: each message rendered, its findings highlighted in place
"""
from __future__ import annotations

import os
import re
from dataclasses import replace
from importlib import import_module
from typing import Any, Callable, Optional, TextIO

FORMATS = ("text", "json", "jsonl", "sarif", "github", "report", "html")
_MODULES = {"text": "text", "json": "json", "jsonl": "jsonl", "sarif": "sarif", "github": "github", "report": "report",
            "html": "html"}

RuleInfo = Callable[[str], Any]   # rule id -> Rule (id, title, description, suggestion…) or None


def get_reporter(name: str) -> type["Reporter"]:
    if name not in _MODULES:
        raise ValueError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}")
    return import_module(f"{__name__}.{_MODULES[name]}").REPORTER


class Reporter:
    """Base class: counts verdicts and errors; subclasses write."""

    def __init__(
        self,
        out: TextIO,
        *,
        color: bool = False,
        quiet: bool = False,
        fail_on: str = "fail",
        max_score: Optional[float] = None,
        rule_info: Optional[RuleInfo] = None,
        base_dir: Optional[str] = None,
        statistics: bool = False,
        verbose: bool = False,
    ):
        self.out = out
        self.color = color
        self.quiet = quiet
        self.fail_on = fail_on
        self.max_score = max_score
        self.rule_info = rule_info or (lambda rule_id: None)
        self.base_dir = base_dir or os.getcwd()
        self.counts = {"pass": 0, "warn": 0, "fail": 0}
        self.failed = 0
        self.errors: list[dict] = []
        self.statistics = statistics
        self.verbose = verbose
        self.rule_counts: dict[str, int] = {}          # rule -> messages it was found in (--statistics)
        self.rule_levels: dict[str, str] = {}
        self.skipped: list[dict] = []                  # files passed over: {source, reason}

    # -- hooks ------------------------------------------------------------------------------------
    def start(self) -> None:
        pass

    def report(self, report, failing: Optional[bool] = None) -> None:
        """``failing``: whether this message makes the run fail (the CLI knows each message's
        configuration); computed from ``fail_on``/``max_score`` when not given."""
        self.counts[report.verdict] = self.counts.get(report.verdict, 0) + 1
        if failing is None:
            failing = self.is_failure(report)
        self._failing, self._current = failing, report
        if failing:
            self.failed += 1
        for rule in dict.fromkeys(f.rule for f in report.findings):
            self.rule_counts[rule] = self.rule_counts.get(rule, 0) + 1
        for f in report.findings:
            self.rule_levels.setdefault(f.rule, f.level)
        shown = printable(report)
        self._current = shown
        self.write_report(shown)

    def skip(self, source: str, reason: str) -> None:
        """A file passed over (not an email or a template); counted, and listed with --verbose."""
        entry = {"source": source, "reason": reason}
        self.skipped.append(entry)
        self.write_skip(entry)

    def write_skip(self, entry: dict) -> None:
        import sys

        if self.verbose or entry.get("named"):
            sys.stderr.write(f"{entry['source']}: skipped: {entry['reason']}\n")

    def statistics_rows(self) -> list[dict]:
        """Per rule, the messages it was found in, most frequent first (``--statistics``)."""
        rows = []
        for rule, count in sorted(self.rule_counts.items(), key=lambda kv: (-kv[1], kv[0])):
            row = {"rule": rule, "count": count}
            if rule in self.rule_levels:
                row["level"] = self.rule_levels[rule]
            info = self.rule_info(rule)
            title = getattr(info, "title", None)
            if title:
                row["title"] = str(title)
            rows.append(row)
        return rows

    def error(self, error: Any) -> None:
        entry = error_dict(error)
        self.errors.append(entry)
        self.write_error(entry)

    def finish(self) -> None:
        pass

    # -- for subclasses ---------------------------------------------------------------------------
    def write_report(self, report) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def write_error(self, error: dict) -> None:
        pass

    def is_failure(self, report) -> bool:
        """Whether ``report`` (the one being written) makes the run fail."""
        current = getattr(self, "_failing", None)
        if current is not None and getattr(self, "_current", None) is report:
            return current
        return report.failed(self.fail_on, self.max_score)

    @property
    def messages(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> dict:
        out = {"messages": self.messages, **self.counts, "failed": self.failed, "errors": len(self.errors)}
        if self.skipped:
            out["skipped"] = len(self.skipped)
        return out

    def relpath(self, source: str) -> str:
        """``source`` relative to the base folder when it is inside it (for SARIF/GitHub paths)."""
        if not source or source == "-" or source.startswith("<"):
            return source
        path = os.path.abspath(source)
        try:
            rel = os.path.relpath(path, self.base_dir)
        except ValueError:
            return path.replace(os.sep, "/")
        if rel.startswith(".."):
            return path.replace(os.sep, "/")
        return rel.replace(os.sep, "/")


def printable(report):
    """The report as every format prints it: long matches, excerpts, messages and subject cut, with their
    length (``contentlint.textcut``).  The same object when nothing is long."""
    from ..textcut import MESSAGE_MAX, cut_finding, cut_middle

    findings = [cut_finding(f) for f in report.findings]
    subject = report.subject
    if all(a is b for a, b in zip(findings, report.findings)) and (subject is None or len(subject) <= MESSAGE_MAX):
        return report
    return replace(report, findings=findings, subject=None if subject is None else cut_middle(subject))


_SURROGATE = re.compile("[\ud800-\udfff]")


def shown_text(text: str) -> str:
    """``text`` with the bytes of a file name that is not valid UTF-8 made visible: ``bad\\xff.eml``
    (names are decoded with surrogateescape, as ``os.fsdecode`` does)."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(lambda m: f"\\x{ord(m.group()) - 0xdc00:02x}" if 0xdc80 <= ord(m.group()) <= 0xdcff
                          else f"\\u{ord(m.group()):04x}", text)


def json_text(text: str) -> str:
    """JSON text (as written with ``ensure_ascii=False``) with every lone surrogate written as a ``\\udcff``
    escape: valid JSON, and lossless (``os.fsencode(json.loads(...))`` gives back a name's bytes)."""
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def error_dict(error: Any) -> dict:
    if isinstance(error, dict):
        return dict(error)
    out = {"source": str(getattr(error, "source", "")), "message": str(getattr(error, "message", error))}
    index = getattr(error, "index", None)
    if index is not None:
        out["index"] = index
    return out


def format_error(error: dict) -> str:
    """One line for an error: ``file:line: rule-id: message`` for rule packs and configuration files,
    ``source[#index]: error: message`` for inputs."""
    if error.get("line") is not None or error.get("rule") or error.get("key"):
        where = error["source"] + (f":{error['line']}" if error.get("line") else "")
        what = error.get("rule") or error.get("key")
        line = f"{where}: {what}: {error['message']}" if what else f"{where}: {error['message']}"
        return shown_text(line)
    return shown_text(f"{display_source(error['source'], error.get('index') or 0)}: error: {error['message']}")


def display_source(source: str, index: int, multi: bool = False) -> str:
    """``path`` or ``path#index`` for messages inside an mbox / Send API payload."""
    source = shown_text(source)
    return f"{source}#{index}" if (index or multi) else source
