"""Reporters on hand-made reports: exact layouts, escaping and edge cases (no pipeline needed)."""
from __future__ import annotations

import io
import json

from contentlint.api import Report
from contentlint.findings import Finding
from contentlint.model import Location
from contentlint.reporters import FORMATS, get_reporter
from contentlint.scoring import Thresholds


def finding(rule="risky-prize-terms", level="warning", weight=2.5, line=12, column=7, part="text/html",
            message="“prize” is a word spam filters watch.", suggestion="Replace “prize” with reward."):
    return Finding(rule=rule, category="content", level=level, weight=weight, message=message,
                   suggestion=suggestion, location=Location(part=part, line=line, column=column, excerpt="prize"))


def report(findings, score=None, verdict=None, source="promo.html", index=0, subject="WIN a prize"):
    score = sum(f.weight for f in findings) if score is None else score
    if verdict is None:
        verdict = "fail" if score >= 5 else "warn" if score >= 3 else "pass"
    return Report(source=source, index=index, input_format="html", subject=subject, score=score, verdict=verdict,
                  findings=list(findings), thresholds=Thresholds())


def render(fmt, reports=(), errors=(), **kw):
    out = io.StringIO()
    rep = get_reporter(fmt)(out, **kw)
    rep.start()
    for r in reports:
        rep.report(r)
    for e in errors:
        rep.error(e)
    rep.finish()
    return out.getvalue(), rep


def test_every_format_is_available():
    assert FORMATS == ("text", "json", "jsonl", "sarif", "github", "report", "html")
    for fmt in FORMATS:
        assert get_reporter(fmt).__module__ == f"contentlint.reporters.{fmt}"


def test_text_layout():
    out, _ = render("text", [report([finding(), finding("no-line-rule", line=0, column=0, part="subject",
                                                        message="Subject problem.", suggestion="Shorten it.")])])
    assert out.splitlines() == [
        "promo.html — “WIN a prize”",
        "  promo.html:12:7  warning  risky-prize-terms  “prize” is a word spam filters watch.",
        "      fix: Replace “prize” with reward.",
        "  promo.html [subject]  warning  no-line-rule  Subject problem.",
        "      fix: Shorten it.",
        "  score 5 → fail (warn ≥ 3, fail ≥ 5)",
        "",
        "1 message: 1 fail, 0 warn, 0 pass",
    ]


def test_text_colour_codes_only_when_asked():
    plain, _ = render("text", [report([finding()])])
    coloured, _ = render("text", [report([finding()])], color=True)
    assert "\x1b[" not in plain
    assert "\x1b[33mwarning\x1b[0m" in coloured


def test_mbox_index_in_headers():
    out, _ = render("text", [report([], source="box.mbox", index=3, subject=None)])
    assert out.startswith("box.mbox#3\n")


def test_github_escaping():
    f = finding(message="50% off, today: 2 lines\nsecond", suggestion="Drop “50%”.")
    out, _ = render("github", [report([f], source="dir,with:odd.html")])
    first = out.splitlines()[0]
    assert first == ("::warning file=dir%2Cwith%3Aodd.html,line=12,col=7,title=risky-prize-terms::"
                     "50%25 off, today: 2 lines%0Asecond%0AFix: Drop “50%25”.")


def test_github_levels_and_failing_summary():
    out, _ = render("github", [report([finding(level="error", weight=6), finding("x-y", level="info", weight=0)])])
    lines = out.splitlines()
    assert lines[0].startswith("::error ") and lines[1].startswith("::notice ")
    assert lines[2].startswith("::error file=promo.html,title=contentlint::promo.html: score 6, verdict fail")


def test_json_document_streams_and_counts():
    errors = [{"source": "bad.eml", "message": "cannot read"}]
    out, rep = render("json", [report([finding()]), report([])], errors)
    doc = json.loads(out)
    assert [r["verdict"] for r in doc["results"]] == ["pass", "pass"]
    assert doc["errors"] == errors
    assert doc["summary"] == {"messages": 2, "pass": 2, "warn": 0, "fail": 0, "failed": 0, "errors": 1}
    empty, _ = render("json")
    assert json.loads(empty)["results"] == []


def test_failing_uses_fail_on_and_max_score():
    r = report([finding(weight=3.5)])
    assert r.verdict == "warn"
    _, default = render("json", [r])
    _, on_warn = render("json", [r], fail_on="warn")
    _, capped = render("json", [r], max_score=3)
    assert (default.failed, on_warn.failed, capped.failed) == (0, 1, 1)


def test_report_table_without_findings():
    out, _ = render("report", [report([], subject=None)])
    assert "(no rule hit)" in out and " 0.0 total" in out and "verdict pass" in out


def test_quiet_hides_passing_messages():
    out, _ = render("text", [report([]), report([finding(weight=6)], source="bad.html")], quiet=True)
    assert "promo.html" not in out and "bad.html" in out and "message:" not in out
