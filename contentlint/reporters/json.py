"""``--format json``: one versioned JSON document (schema: contentlint/schema/report-v1.schema.json).

    {"version": "1", "tool": {"name": "contentlint", "version": "0.1.0"},
     "results": [{"source", "index", "kind", "subject", "score", "verdict", "findings": [...]}, ...],
     "errors": [{"source", "message"}], "summary": {...}}

Results are written as they come (the document is assembled on the fly), so memory stays flat; the
document is valid JSON even when inputs fail.
"""
from __future__ import annotations

import json

from .. import __version__
from . import Reporter, json_text

FORMAT_VERSION = "1"


def tool_info() -> dict:
    return {"name": "contentlint", "version": __version__}


class JsonReporter(Reporter):
    def start(self) -> None:
        head = json.dumps({"version": FORMAT_VERSION, "tool": tool_info()}, ensure_ascii=False)
        self.out.write(head[:-1] + ', "results": [')
        self._first = True

    def write_report(self, report) -> None:
        sep = "\n  " if self._first else ",\n  "
        self._first = False
        self.out.write(sep + json_text(json.dumps(report.to_dict(), ensure_ascii=False)))

    def finish(self) -> None:
        doc = {"errors": self.errors, "summary": self.summary()}
        if self.skipped:
            doc["skipped"] = [{"source": e["source"], "reason": e["reason"]} for e in self.skipped]
        if self.statistics:
            doc["statistics"] = self.statistics_rows()
        tail = json.dumps(doc, ensure_ascii=False)
        self.out.write(("\n" if not self._first else "") + "], " + json_text(tail[1:]) + "\n")


REPORTER = JsonReporter
