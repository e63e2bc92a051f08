"""The library API: Linter built once, Report per message, thread- and process-safe."""
from __future__ import annotations

import email.message
import json
import pickle
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

from contentlint import Linter, Report
from contentlint.api import ContentlintInputError
from conftest import CLEAN_HTML, SPAMMY_HTML

SCHEMA = Path(__file__).resolve().parent.parent / "contentlint" / "schema" / "report-v1.schema.json"

SPAMMY, CLEAN = SPAMMY_HTML, CLEAN_HTML
EML = (b"From: Shop <news@example.com>\r\nTo: you@example.org\r\nSubject: Amazing deals!!!\r\n"
       b"Message-ID: <1@example.com>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
       b"Content-Type: text/plain; charset=utf-8\r\n\r\nAmazing deals!!! Come and see.\r\n")


def rules_of(report: Report) -> list[str]:
    return [f.rule for f in report.findings]


@pytest.fixture(scope="module")
def linter() -> Linter:
    return Linter()


def test_check_html_report_fields(linter):
    report = linter.check_html(SPAMMY, subject="WIN A PRIZE!!!", sender="Deals <deals@example.com>")
    assert isinstance(report, Report)
    assert report.source == "<html>" and report.index == 0 and report.input_format == "html"
    assert report.subject == "WIN A PRIZE!!!"
    assert report.kind == "marketing"
    assert report.verdict == "fail"
    assert report.score > 0 and report.score == round(report.score, 2)
    assert "excessive-punctuation" in rules_of(report)
    assert all(f.suggestion for f in report.findings)


def test_to_dict_matches_the_json_schema(linter):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text())
    result_schema = {**schema["$defs"]["result"], "$defs": schema["$defs"]}
    for report in (linter.check_html(SPAMMY, subject="WIN!!!"), linter.check_html(CLEAN, subject="March recipes")):
        data = report.to_dict()
        jsonschema.validate(data, result_schema)
        json.dumps(data)  # serialisable


def test_kind_changes_what_is_required():
    no_unsub = "<html lang=\"en\"><body><p>Your order 1234 has shipped.</p></body></html>"
    marketing = Linter(kind="marketing").check_html(no_unsub, subject="Your order has shipped")
    transactional = Linter(kind="transactional").check_html(no_unsub, subject="Your order has shipped")
    assert "missing-unsubscribe" in rules_of(marketing)
    assert marketing.verdict == "fail"
    assert "missing-unsubscribe" not in rules_of(transactional)
    assert transactional.kind == "transactional"


def test_select_ignore_and_overrides():
    only = Linter(select=["excessive-punctuation"]).check_html(SPAMMY, subject="WIN!!!")
    assert set(rules_of(only)) == {"excessive-punctuation"}
    without = Linter(ignore=["excessive-punctuation"]).check_html(SPAMMY, subject="WIN!!!")
    assert "excessive-punctuation" not in rules_of(without)
    heavy = Linter(select=["excessive-punctuation"], overrides={"excessive-punctuation": {"weight": 7, "level": "error"}})
    report = heavy.check_html("<p>Amazing deals!!!</p>")
    assert report.findings[0].weight == 7 and report.findings[0].level == "error"
    assert report.score == 7 and report.verdict == "fail"


def test_thresholds():
    lenient = Linter(select=["excessive-punctuation"], overrides={"excessive-punctuation": {"weight": 4}},
                     thresholds={"warn": 10, "fail": 20})
    report = lenient.check_html("<p>Amazing deals!!!</p>")
    assert report.score == 4 and report.verdict == "pass"
    assert report.failed("fail") is False
    assert report.failed("fail", max_score=3) is True


def test_config_file_and_keyword_precedence(tmp_path):
    cfg = tmp_path / ".contentlint.yaml"
    cfg.write_text("kind: transactional\nselect: [excessive-punctuation]\n")
    from_file = Linter(cfg)
    assert from_file.kind == "transactional"
    assert set(rules_of(from_file.check_html(SPAMMY))) <= {"excessive-punctuation"}
    overridden = Linter(cfg, kind="marketing", select=["missing-unsubscribe"])
    assert overridden.kind == "marketing"
    assert rules_of(overridden.check_html(SPAMMY)) == ["missing-unsubscribe"]


def test_check_bytes_and_message(linter):
    reports = linter.check_bytes(EML, source="deal.eml")
    assert len(reports) == 1
    assert reports[0].source == "deal.eml" and reports[0].input_format == "eml"
    assert reports[0].subject == "Amazing deals!!!"
    assert "excessive-punctuation" in rules_of(reports[0])

    msg = email.message.EmailMessage()
    msg["From"] = "Shop <news@example.com>"
    msg["To"] = "you@example.org"
    msg["Subject"] = "Amazing deals!!!"
    msg.set_content("Amazing deals!!! Come and see.")
    report = linter.check_message(msg)
    assert report.subject == "Amazing deals!!!"
    assert "excessive-punctuation" in rules_of(report)


def test_unusable_bytes_raise_a_clear_error(linter):
    with pytest.raises(ContentlintInputError) as info:
        linter.check_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, source="logo.png")
    assert info.value.source == "logo.png"
    assert info.value.message
    with pytest.raises(ContentlintInputError):
        linter.check_bytes(b"", source="empty.html")


def test_check_path_and_iter_path(tmp_path, linter):
    (tmp_path / "a_spammy.html").write_text(SPAMMY)
    (tmp_path / "b_clean.html").write_text(CLEAN)
    (tmp_path / "c_empty.html").write_text("")
    items = list(linter.iter_path(tmp_path))
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["Report", "Report", "InputError"]
    assert items[0].source.endswith("a_spammy.html") and items[1].source.endswith("b_clean.html")
    assert items[2].source.endswith("c_empty.html")

    assert [r.source for r in linter.check_path(tmp_path / "a_spammy.html")] == [str(tmp_path / "a_spammy.html")]
    with pytest.raises(ContentlintInputError) as info:
        linter.check_path(tmp_path)
    assert len(info.value.reports) == 2 and len(info.value.errors) == 1
    with pytest.raises(ContentlintInputError, match="no such file"):
        linter.check_path(tmp_path / "missing.html")


def _many_templates() -> list[str]:
    out = []
    for i in range(24):
        body = SPAMMY if i % 3 == 0 else CLEAN.replace("soup", f"soup number {i}")
        out.append(body)
    return out


def _summary(report: Report):
    return (report.score, report.verdict, [(f.rule, f.location.line, f.message) for f in report.findings])


def test_pickle_round_trip_gives_identical_results(linter):
    clone = pickle.loads(pickle.dumps(linter))
    assert isinstance(clone, Linter)
    for html in _many_templates()[:6]:
        assert _summary(clone.check_html(html, subject="Hi")) == _summary(linter.check_html(html, subject="Hi"))
    custom = Linter(kind="transactional", select=["excessive-punctuation"], thresholds={"warn": 1, "fail": 2})
    again = pickle.loads(pickle.dumps(custom))
    assert (again.kind, again.select, again.thresholds) == (custom.kind, custom.select, custom.thresholds)
    assert _summary(again.check_html(SPAMMY)) == _summary(custom.check_html(SPAMMY))


def test_shared_across_threads(linter):
    templates = _many_templates()
    serial = [_summary(linter.check_html(h, subject="Hello")) for h in templates]
    with ThreadPoolExecutor(max_workers=8) as pool:
        threaded = list(pool.map(lambda h: _summary(linter.check_html(h, subject="Hello")), templates))
    assert threaded == serial


def _check_in_worker(args):
    linter, html = args
    return _summary(linter.check_html(html, subject="Hello"))


def test_process_pool(linter):
    templates = _many_templates()[:6]
    serial = [_summary(linter.check_html(h, subject="Hello")) for h in templates]
    with ProcessPoolExecutor(max_workers=2) as pool:
        parallel = list(pool.map(_check_in_worker, [(linter, h) for h in templates]))
    assert parallel == serial


def test_invalid_settings_are_reported():
    with pytest.raises(ValueError):
        Linter(kind="newsletter")
    from contentlint.engine import PackError

    with pytest.raises(PackError):
        Linter(rules=[Path(__file__).resolve().parent / "no-such-pack.yaml"])


def test_reports_name_the_input_format_and_keep_the_former_key():
    # issue 11: "kind" no longer names the input format; report-v1 consumers still find input_kind
    from contentlint.readers import build_message

    report = Linter().check_bytes(b"<p>Hello, our March recipes are online.</p>", source="news.html")[0]
    d = report.to_dict()
    assert d["input_format"] == d["input_kind"] == "html" and d["kind"] == "marketing"
    assert build_message(input_kind="text", text="Hello").input_format == "text"
