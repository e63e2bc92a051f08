"""``--format sarif``: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

One run; ``tool.driver.rules`` describes every rule that produced a result (help text from the rule's
description and suggestion); each finding is a result with ``ruleId``, ``level`` (error, warning,
note), the message and its fix, and a location whose ``artifactLocation.uri`` is relative to the
current folder (``uriBaseId`` ``%SRCROOT%``) with ``startLine``/``startColumn`` when known.  The
message's score and verdict are in each result's ``properties``.  Unusable inputs are
``toolExecutionNotifications`` of the invocation, which is then not successful.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from . import Reporter, json_text

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


class SarifReporter(Reporter):
    def start(self) -> None:
        self.results: list[dict] = []
        self.rule_index: dict[str, int] = {}
        self.rules: list[dict] = []
        self.requirements: list[dict] = []

    def artifact_location(self, source: str) -> dict:
        if not source or source == "-":
            return {"uri": "stdin"}
        rel = self.relpath(source)
        if os.path.isabs(rel) or (len(rel) > 1 and rel[1] == ":"):
            return {"uri": Path(rel).as_uri()}
        return {"uri": quote(os.fsencode(rel)), "uriBaseId": "%SRCROOT%"}  # a name's bytes, percent-encoded

    def descriptor(self, rule_id: str, finding) -> int:
        if rule_id in self.rule_index:
            return self.rule_index[rule_id]
        rule = self.rule_info(rule_id)
        title = getattr(rule, "title", "") or rule_id
        description = (getattr(rule, "description", "") or "").strip() or finding.message
        suggestion = (getattr(rule, "suggestion", "") or "").strip()
        if suggestion:  # a template: show its fields as ‹word› rather than {word}
            suggestion = re.sub(r"\{(\w+)\}", "‹\\1›", suggestion)
        help_text = description + (f"\n\nHow to fix: {suggestion}" if suggestion else "")
        level = getattr(rule, "level", None) or finding.level
        entry = {
            "id": rule_id,
            "name": "".join(part.capitalize() for part in rule_id.split("-")),
            "shortDescription": {"text": title},
            "fullDescription": {"text": description},
            "help": {"text": help_text},
            "defaultConfiguration": {"level": LEVELS.get(level, "warning")},
            "properties": {
                "category": getattr(rule, "category", None) or finding.category,
                "weight": getattr(rule, "weight", None) if getattr(rule, "weight", None) is not None else finding.weight,
                "tags": [getattr(rule, "category", None) or finding.category],
            },
        }
        pack = getattr(rule, "pack", None) or finding.pack
        if pack:
            entry["properties"]["pack"] = pack
        self.rule_index[rule_id] = len(self.rules)
        self.rules.append(entry)
        return self.rule_index[rule_id]

    def write_report(self, report) -> None:  # noqa: C901
        artifact = self.artifact_location(report.source)
        for f in report.findings:
            loc = f.location
            physical: dict = {"artifactLocation": dict(artifact)}
            if loc.line and loc.line > 0:
                physical["region"] = sarif_region(loc)
            related = [{"id": k, "physicalLocation": {"artifactLocation": dict(artifact), "region": sarif_region(s)},
                        "message": {"text": s.match or f.rule}}
                       for k, s in enumerate(f.spans[1:], 1) if s.line and s.line > 0]
            text = f.message + (f"\nFix: {f.suggestion}" if f.suggestion else "")
            result = {
                "ruleId": f.rule,
                "ruleIndex": self.descriptor(f.rule, f),
                "level": LEVELS.get(f.level, "warning"),
                "message": {"text": text},
                "locations": [{"physicalLocation": physical}],
                "properties": {
                    "part": loc.part,
                    "index": report.index,
                    "weight": f.weight,
                    "suggestion": f.suggestion,
                    "score": report.score,
                    "verdict": report.verdict,
                    "kind": report.kind,
                },
            }
            if related:
                result["relatedLocations"] = related
            if report.subject is not None:
                result["properties"]["subject"] = report.subject
            self.results.append(result)
        if getattr(report, "requirements", None):
            # the providers' checklist (check --requirements), per message, in the run's properties
            self.requirements.append({"artifactLocation": dict(artifact), "index": report.index,
                                      "items": [item.to_dict() for item in report.requirements]})

    def finish(self) -> None:
        notifications = []
        for err in self.errors:
            note = {"level": "error", "message": {"text": err["message"]},
                    "locations": [{"physicalLocation": {"artifactLocation": self.artifact_location(err["source"])}}]}
            notifications.append(note)
        invocation = {"executionSuccessful": not self.errors, "toolExecutionNotifications": notifications,
                      "properties": {"summary": self.summary()}}
        base = Path(self.base_dir).resolve().as_uri().rstrip("/") + "/"
        doc = {
            "$schema": SCHEMA_URI,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "contentlint", "version": __version__, "semanticVersion": __version__,
                                    "rules": self.rules}},
                "originalUriBaseIds": {"%SRCROOT%": {"uri": base}},
                "invocations": [invocation],
                "columnKind": "unicodeCodePoints",
                "results": self.results,
                **({"properties": {"requirements": self.requirements}} if self.requirements else {}),
            }],
        }
        self.out.write(json_text(json.dumps(doc, ensure_ascii=False, indent=2)))
        self.out.write("\n")


REPORTER = SarifReporter


def sarif_region(loc) -> dict:
    """The SARIF region of a Location: start and end line/column (endColumn exclusive, columns counted in
    characters as ``run.columnKind`` says), the byte offsets, and the line's text as the snippet."""
    region: dict = {"startLine": loc.line}
    if loc.column and loc.column > 0:
        region["startColumn"] = loc.column
    if loc.end_line and loc.end_line >= loc.line and loc.end_column and loc.end_column > 0:
        region["endLine"] = loc.end_line
        region["endColumn"] = loc.end_column
    if loc.offset is not None and loc.offset >= 0 and loc.end_offset >= loc.offset:
        region["byteOffset"] = loc.offset
        region["byteLength"] = loc.end_offset - loc.offset
    if loc.excerpt:
        region["snippet"] = {"text": loc.excerpt}
    return region
