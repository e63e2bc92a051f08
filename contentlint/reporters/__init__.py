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
        self.write_report(report)

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
        return {"messages": self.messages, **self.counts, "failed": self.failed, "errors": len(self.errors)}

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
        return f"{where}: {what}: {error['message']}" if what else f"{where}: {error['message']}"
    return f"{display_source(error['source'], error.get('index') or 0)}: error: {error['message']}"


def display_source(source: str, index: int, multi: bool = False) -> str:
    """``path`` or ``path#index`` for messages inside an mbox / Send API payload."""
    return f"{source}#{index}" if (index or multi) else source
