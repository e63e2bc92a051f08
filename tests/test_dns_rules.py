"""Every rule of rules/dns.yaml: pack shape, and its pass/fail examples run through the real audit."""
from __future__ import annotations

import re

import pytest

from contentlint.dnsaudit import run_example
from contentlint.dnsaudit.ruledata import load_pack, rules_by_id
from contentlint.findings import LEVELS

ISSUE_IDS = {  # public and stable ids from issue 7
    "spf-missing", "spf-multiple-records", "spf-syntax", "spf-too-many-lookups", "spf-void-lookups",
    "spf-permissive-all", "spf-include-loop", "dkim-key-missing", "dkim-key-weak", "dmarc-missing",
    "dmarc-policy-none", "dmarc-no-rua", "dmarc-syntax",
}
RULES = rules_by_id()


def _examples(kind):
    for rid, rule in RULES.items():
        for i, ex in enumerate(rule["examples"][kind]):
            yield pytest.param(rid, ex, id=f"{rid}-{kind}-{i}")


def test_pack_has_every_issue_rule_and_valid_metadata():
    pack = load_pack()
    assert pack["pack"] == "dns" and pack["version"] == 1 and pack["description"]
    assert ISSUE_IDS <= set(RULES)
    assert "dkim-misaligned" not in RULES  # the content engine's header-only id must not be reused
    for rid, rule in RULES.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rid)
        assert rule["type"] == "dns"
        assert rule["category"] == "authentication"
        assert rule["level"] in LEVELS
        assert isinstance(rule["weight"], (int, float))
        assert rule["title"] and rule["description"] and rule["message"] and rule["suggestion"]
        assert rule["examples"]["pass"] and rule["examples"]["fail"], rid
        for name, variant in (rule.get("variants") or {}).items():
            assert set(variant) <= {"message", "suggestion", "level", "weight"}, (rid, name)
            assert variant.get("level", "error") in LEVELS


@pytest.mark.parametrize("rid,example", list(_examples("fail")))
def test_fail_example_reports_the_rule(rid, example):
    findings = [f for f in run_example(example) if f.rule == rid]
    assert findings, f"{rid} not reported for its fail example"
    for f in findings:
        assert f.suggestion.strip()
        assert "{" not in f.message and "{" not in f.suggestion, f.message  # every placeholder filled
        assert f.location.part == "dns"
        assert f.category == "authentication"


@pytest.mark.parametrize("rid,example", list(_examples("pass")))
def test_pass_example_does_not_report_the_rule(rid, example):
    assert rid not in {f.rule for f in run_example(example)}
