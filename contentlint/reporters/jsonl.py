"""``--format jsonl``: one JSON object per line, written (and flushed) as each result comes.

A result line is the same object as one entry of the ``json`` format's ``results``; an input that
cannot be used is a line ``{"error": {"source": …, "message": …}}``.  Suited to huge mailboxes and to
streaming into other tools (``jq``, log pipelines).
"""
from __future__ import annotations

import json

from . import Reporter, json_text


class JsonLinesReporter(Reporter):
    def write_report(self, report) -> None:
        self.out.write(json_text(json.dumps(report.to_dict(), ensure_ascii=False)) + "\n")
        self.out.flush()

    def write_error(self, error: dict) -> None:
        self.out.write(json_text(json.dumps({"error": error}, ensure_ascii=False)) + "\n")
        self.out.flush()


REPORTER = JsonLinesReporter
