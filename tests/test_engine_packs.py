"""Pack loading and validation: broken packs give a PackError naming file, line, rule and problem;
overrides, disables, select/ignore and the weights file change what a user gets."""
from __future__ import annotations

import textwrap

import pytest

from contentlint.engine import PackError, load_ruleset
from contentlint.engine.packs import load_pack_file
from contentlint.model import Message

GOOD_RULE = """\
pack: my-pack
version: 1
description: test pack
rules:
  - id: my-rule
    title: My rule
    description: Flags the word banana.
    category: content
    level: warning
    weight: 1.5
    type: words
    words: {en: [banana]}
    message: "“{word}” found."
    suggestion: "Replace “{word}” with {alternatives}."
    alternatives: {banana: [fruit]}
    examples: {pass: ["Apples"], fail: ["Bananas"]}
"""


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CONTENTLINT_CACHE_DIR", str(tmp_path / "cache"))


def write(tmp_path, text, name="pack.yaml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def error_for(path) -> PackError:
    with pytest.raises(PackError) as info:
        load_pack_file(path)
    return info.value


def test_good_pack_loads_with_lines(tmp_path):
    rules = load_pack_file(write(tmp_path, GOOD_RULE))
    assert [r.id for r in rules] == ["my-rule"]
    assert rules[0].line == 5 and rules[0].pack == "my-pack" and rules[0].weight == 1.5


def test_bad_yaml_names_file_and_line(tmp_path):
    p = write(tmp_path, GOOD_RULE.replace("    level: warning\n", "    level: [warning\n"))
    err = error_for(p)
    assert err.file == str(p) and err.line and "bad YAML" in err.message
    assert str(p) in str(err)


def test_unknown_key_lists_allowed_keys(tmp_path):
    p = write(tmp_path, GOOD_RULE.replace("    level: warning\n", "    level: warning\n    severity: high\n"))
    err = error_for(p)
    assert err.rule_id == "my-rule" and err.line == 10
    assert "unknown key 'severity'" in err.message and "level" in err.message and "words" in err.message
    assert "my-rule" in str(err) and ":10" in str(err)


@pytest.mark.parametrize("old,new,expected", [
    ("    level: warning\n", "    level: critical\n", "bad level 'critical'"),
    ("    category: content\n", "    category: spam\n", "bad category 'spam'"),
    ("    type: words\n", "    type: magic\n", "bad type 'magic'"),
    ("    weight: 1.5\n", "    weight: heavy\n", "'weight' must be"),
    ("    title: My rule\n", "", "missing required key 'title'"),
    ("  - id: my-rule\n", "  - id: My_Rule\n", "kebab-case"),
    ("    type: words\n", "    type: words\n    scope: [subject, footer]\n", "bad scope 'footer'"),
    ("    message: \"“{word}” found.\"\n", "    message: \"“{wrod}” found.\"\n", "unknown placeholder {wrod}"),
    ("    words: {en: [banana]}\n", "", "missing required key 'words'"),
    ("    type: words\n", "    type: words\n    replaces: [my-rule]\n", "'replaces' must list other rules' ids"),
])
def test_validation_errors(tmp_path, old, new, expected):
    assert old in GOOD_RULE
    err = error_for(write(tmp_path, GOOD_RULE.replace(old, new)))
    assert expected in err.message
    assert err.file and err.line


REGEX_RULE = """\
pack: regex-pack
version: 1
description: test
rules:
  - id: regex-rule
    title: Regex rule
    description: d
    category: formatting
    level: info
    weight: 0.1
    type: regex
    scope: [subject]
    pattern: 'PATTERN'
    message: "found {match}"
    suggestion: "remove {match}"
    examples: {pass: ["b"], fail: ["a"]}
"""


def test_invalid_regex(tmp_path):
    err = error_for(write(tmp_path, REGEX_RULE.replace("PATTERN", "(unclosed")))
    assert err.rule_id == "regex-rule" and "invalid regex" in err.message and err.line == 5


def test_catastrophic_regex_is_a_pack_error_not_a_hang(tmp_path):
    err = error_for(write(tmp_path, REGEX_RULE.replace("PATTERN", "(a|a)+$")))
    assert err.rule_id == "regex-rule" and "catastrophic" in err.message


def test_catastrophic_regex_found_from_its_own_letters(tmp_path):
    err = error_for(write(tmp_path, REGEX_RULE.replace("PATTERN", "(x|x)+y")))
    assert "catastrophic" in err.message


def test_duplicate_id_across_files(tmp_path):
    write(tmp_path, GOOD_RULE, "a.yaml")
    write(tmp_path, GOOD_RULE, "b.yaml")
    with pytest.raises(PackError) as info:
        load_ruleset([tmp_path], builtin=False)
    assert "duplicate rule id" in info.value.message and info.value.rule_id == "my-rule"
    assert "a.yaml" in info.value.message and info.value.file.endswith("b.yaml")


def test_duplicate_id_clashing_with_builtin(tmp_path):
    write(tmp_path, GOOD_RULE.replace("my-rule", "risky-prize-terms"))
    with pytest.raises(PackError) as info:
        load_ruleset([tmp_path])
    assert info.value.rule_id == "risky-prize-terms"


def test_duplicate_yaml_key_is_reported(tmp_path):
    p = write(tmp_path, GOOD_RULE.replace("    weight: 1.5\n", "    weight: 1.5\n    weight: 2\n"))
    err = error_for(p)
    assert "duplicate key 'weight'" in err.message and err.line == 11


def test_not_a_pack(tmp_path):
    err = error_for(write(tmp_path, "- just\n- a list\n"))
    assert "must be a mapping" in err.message
    err = error_for(write(tmp_path, "pack: x\nversion: 1\ndescription: d\nrules: []\nextra: 1\n"))
    assert "unknown top-level key 'extra'" in err.message and err.line == 5


def test_missing_extra_path(tmp_path):
    with pytest.raises(PackError) as info:
        load_ruleset([tmp_path / "nope.yaml"])
    assert "no such file" in info.value.message


def test_user_pack_words_work_without_build_step(tmp_path):
    """A word the shipped lemma table was not built for still matches its inflections."""
    rs = load_ruleset([write(tmp_path, GOOD_RULE)], builtin=False)
    msg = Message(source="t", subject="Fresh BANANAS today", lang="en", has_headers=False)
    found = rs.check(msg)
    assert [f.rule for f in found] == ["my-rule"]
    assert found[0].matches == ("BANANAS",) and "“fruit”" in found[0].suggestion


def test_overrides_disable_select_ignore():
    base = load_ruleset()
    assert base.get("risky-prize-terms").level == "warning"
    rs = load_ruleset(overrides={"risky-prize-terms": {"level": "error", "weight": 4}}, disable=["dkim-missing"])
    assert rs.get("risky-prize-terms").level == "error" and rs.get("risky-prize-terms").weight == 4.0
    assert "dkim-missing" not in rs and "dkim-misaligned" in rs
    rs = load_ruleset(select=["risky-"], ignore=["risky-money"])
    assert {r.id for r in rs.rules} == {"risky-phishing-terms", "risky-prize-terms", "risky-urgency-terms",
                                        "risky-gambling-terms"}
    # flake8: the longest prefix wins
    rs = load_ruleset(select=["risky-money-terms"], ignore=["risky-"])
    assert [r.id for r in rs.rules] == ["risky-money-terms"]


def test_override_level_applies_to_dynamic_levels():
    rs = load_ruleset(select=["subject-too-long"], overrides={"subject-too-long": {"level": "error"}})
    msg = Message(source="t", subject="An announcement of some length here ok", has_headers=False)  # 38 chars
    (f,) = rs.check(msg)
    assert f.level == "error"


def test_bad_overrides():
    with pytest.raises(PackError, match="unknown rule id 'no-such-rule'"):
        load_ruleset(disable=["no-such-rule"])
    with pytest.raises(PackError, match="bad level"):
        load_ruleset(overrides={"risky-prize-terms": {"level": "fatal"}})
    with pytest.raises(PackError, match="unknown override key"):
        load_ruleset(overrides={"risky-prize-terms": {"points": 3}})


def test_weights_file(tmp_path):
    wf = write(tmp_path, "weights:\n  risky-prize-terms: 2.75\n  not-loaded-rule: 1\ncaps:\n  content: 3\n",
               "weights.yaml")
    rs = load_ruleset(weights_file=wf)
    assert rs.get("risky-prize-terms").weight == 2.75
    assert rs.caps == {"content": 3.0}
    # a user override still wins over the weights file
    rs = load_ruleset(weights_file=wf, overrides={"risky-prize-terms": {"weight": 0.5}})
    assert rs.get("risky-prize-terms").weight == 0.5
    bad = write(tmp_path, "weights:\n  risky-prize-terms: lots\n", "bad-weights.yaml")
    with pytest.raises(PackError, match="must be a number"):
        load_ruleset(weights_file=bad)


def test_cache_is_invalidated_when_a_pack_changes(tmp_path):
    p = write(tmp_path, GOOD_RULE)
    first = load_ruleset([p], builtin=False)
    assert first.get("my-rule").weight == 1.5
    again = load_ruleset([p], builtin=False)           # from the cache
    assert again.get("my-rule").weight == 1.5
    p.write_text(GOOD_RULE.replace("weight: 1.5", "weight: 2.5 "), encoding="utf-8")
    changed = load_ruleset([p], builtin=False)
    assert changed.get("my-rule").weight == 2.5


def test_corrupt_cache_is_ignored(tmp_path):
    load_ruleset()
    for f in (tmp_path / "cache").glob("ruleset-*.pickle"):
        f.write_bytes(b"not a pickle")
    assert "risky-prize-terms" in load_ruleset()


def test_dns_rules_are_not_run_on_messages():
    rs = load_ruleset()
    dns_rules = [r for r in rs.rules if r.type == "dns"]
    msg = Message(source="t", headers=[("From", "a@example.com")], from_addr="a@example.com",
                  from_domain="example.com", text="Hello")
    assert not {f.rule for f in rs.check(msg)} & {r.id for r in dns_rules}


def test_a_rule_that_replaces_another_keeps_one_finding_per_cause(tmp_path):
    pack = GOOD_RULE + """\
  - id: my-precise-rule
    title: Precise
    description: Flags banana split, which says more than banana.
    category: content
    level: warning
    weight: 2.0
    type: words
    words: {en: [banana split]}
    replaces: [my-rule]
    message: "“{word}” found."
    suggestion: "Replace “{word}”."
    examples: {pass: ["Apples"], fail: ["A banana split"]}
"""
    rs = load_ruleset([write(tmp_path, pack)], builtin=False)
    both = {f.rule for f in rs.check(Message(source="t", text="A banana split for you", lang="en"))}
    assert both == {"my-precise-rule"}
    alone = {f.rule for f in rs.check(Message(source="t", text="A banana for you", lang="en"))}
    assert alone == {"my-rule"}
