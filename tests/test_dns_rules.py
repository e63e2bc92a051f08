"""Every rule of rules/dns.yaml: loaded by the one pack loader, and its pass/fail examples run through the real audit."""
from __future__ import annotations

import re

import pytest

from contentlint.dnsaudit import run_example
from contentlint.dnsaudit.ruledata import default_ruleset, dns_rules
from contentlint.engine import load_ruleset
from contentlint.findings import LEVELS

ISSUE_IDS = {  # public and stable ids from issue 7, and issue 13's additions
    "spf-missing", "spf-multiple-records", "spf-syntax", "spf-too-many-lookups", "spf-void-lookups",
    "spf-permissive-all", "spf-include-loop", "dkim-key-missing", "dkim-key-weak", "dmarc-missing",
    "dmarc-policy-none", "dmarc-no-rua", "dmarc-syntax", "dns-outside-zone", "dmarc-obsolete-tags",
    "bimi-record", "mta-sts-record", "tls-rpt-record",
}
RULES = dns_rules()


def _examples(kind):
    for rid, rule in RULES.items():
        for i, ex in enumerate(rule.examples[kind]):
            yield pytest.param(rid, ex, id=f"{rid}-{kind}-{i}")


def test_pack_has_every_issue_rule_and_valid_metadata():
    assert ISSUE_IDS <= set(RULES)
    assert {r.pack for r in RULES.values()} == {"dns"}
    assert "dkim-misaligned" not in RULES  # the content engine's header-only id must not be reused
    for rid, rule in RULES.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rid)
        assert rule.category == "authentication"
        assert rule.level in LEVELS
        assert rule.title and rule.description and rule.message and rule.suggestion
        assert rule.examples["pass"] and rule.examples["fail"], rid
        assert rule.level != "warning" or rule.weight > 0, rid      # worth nothing = info
        for name, variant in (rule.params.get("variants") or {}).items():
            assert set(variant) <= {"message", "suggestion", "level", "weight"}, (rid, name)
            level = variant.get("level", rule.level)
            assert level in LEVELS
            assert level != "warning" or variant.get("weight", rule.weight) > 0, (rid, name)


@pytest.mark.parametrize("rid,example", list(_examples("fail")))
def test_fail_example_reports_the_rule(rid, example):
    findings = [f for f in run_example(example) if f.rule == rid]
    assert findings, f"{rid} not reported for its fail example"
    for f in findings:
        assert f.suggestion.strip()
        assert "{" not in f.message and "{" not in f.suggestion, f.message  # every placeholder filled
        assert f.location.part == "dns"
        assert f.category == "authentication"
        assert f.pack == "dns"


@pytest.mark.parametrize("rid,example", list(_examples("pass")))
def test_pass_example_does_not_report_the_rule(rid, example):
    assert rid not in {f.rule for f in run_example(example)}


WEAK_ZONE = RULES["dkim-key-weak"].examples["fail"][1]     # a 1024-bit key: the below-2048 warning


def test_levels_weights_and_selection_come_from_the_ruleset():
    """The DNS findings obey the same configuration as every rule: overrides, ignore prefixes, disable."""
    (f,) = [f for f in run_example(WEAK_ZONE) if f.rule == "dkim-key-weak"]
    assert (f.level, f.weight) == ("warning", 0.5)          # the variant's level and points
    custom = load_ruleset(overrides={"dkim-key-weak": {"level": "error"}})
    (g,) = [f for f in run_example(WEAK_ZONE, custom) if f.rule == "dkim-key-weak"]
    assert g.level == "error" and g.message == f.message
    for rs in (load_ruleset(ignore=("dkim-",)), load_ruleset(disable=("dkim-key-weak",))):
        assert "dkim-key-weak" not in {f.rule for f in run_example(WEAK_ZONE, rs)}
    assert {f.rule for f in run_example(WEAK_ZONE, load_ruleset(select=("spf-",)))} == {"spf-missing"}


def test_default_ruleset_is_loaded_once():
    assert default_ruleset() is default_ruleset()


def test_disable_and_ignore_follow_one_rule_for_ids_and_prefixes():
    """`disable: [risky-]` in the configuration does what `--ignore risky-` does (it used to exit 2)."""
    ids = lambda rs: {r.id for r in rs.rules}  # noqa: E731
    everything = ids(load_ruleset())
    for entry in ("risky-", "risky*", "risky", "dmarc-", "dkim-key-weak"):
        disabled, ignored = ids(load_ruleset(disable=[entry])), ids(load_ruleset(ignore=[entry]))
        assert disabled == ignored and disabled < everything, entry
    assert not any(i.startswith("risky-") for i in ids(load_ruleset(disable=["risky-"])))
    # the longest entry decides, whichever list it is in
    assert ids(load_ruleset(select=["dmarc-"], ignore=["dmarc-no-rua"])) == {
        i for i in everything if i.startswith("dmarc-") and i != "dmarc-no-rua"}
    with pytest.raises(Exception, match="unknown rule id .no-such-rule."):
        load_ruleset(disable=["no-such-rule"])
