"""Every rule of every shipped pack runs its own YAML examples: `fail` ones must produce a finding of
that rule, `pass` ones must not. A rule without both kinds of example fails the suite."""
from __future__ import annotations

import pytest

from contentlint.engine import load_ruleset
from contentlint.engine.examples import run_example

RULESET = load_ruleset()
RULES = [r for r in RULESET.rules]


def _cases():
    # dns rules' examples are zone files: tests/test_dns_rules.py runs them through contentlint.dnsaudit
    for rule in (r for r in RULES if r.type != "dns"):
        for group in ("pass", "fail"):
            for i, ex in enumerate((rule.examples or {}).get(group) or []):
                yield pytest.param(rule, group, ex, id=f"{rule.id}-{group}-{i}")


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_has_pass_and_fail_examples(rule):
    assert rule.examples.get("pass"), f"{rule.id} ({rule.file}) has no pass example"
    assert rule.examples.get("fail"), f"{rule.id} ({rule.file}) has no fail example"


@pytest.mark.parametrize("rule,group,example", list(_cases()))
def test_rule_example(rule, group, example):
    found = run_example(RULESET, rule, example)
    if group == "fail":
        assert found, f"{rule.id} did not fire on its fail example {example!r}"
        f = found[0]
        assert f.suggestion.strip() and "{" not in f.message + f.suggestion.replace("{{", "").replace("}}", ""), \
            f"unfilled placeholder in {f.message!r} / {f.suggestion!r}"
    else:
        assert not found, f"{rule.id} fired on its pass example {example!r}: {found[0].message}"
