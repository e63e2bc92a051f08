"""Regex rules skip texts that cannot match (a literal every match needs is absent): a speed-up that must
never hide a match — whatever the case, the flags or the regex-module syntax of a user's pattern."""
from __future__ import annotations

import json
import textwrap

import pytest

from contentlint.engine import load_ruleset
from contentlint.engine.hit import passes_prefilter, required_literals
from contentlint.model import Message


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CONTENTLINT_CACHE_DIR", str(tmp_path / "cache"))


def _pack(tmp_path, pattern: str, ignorecase: bool = False):
    p = tmp_path / "pack.yaml"
    p.write_text(textwrap.dedent(f"""\
        pack: house
        version: 1
        description: a house rule
        rules:
          - id: house-rule
            title: House rule
            description: A pattern of ours.
            category: content
            level: warning
            weight: 1.0
            type: regex
            scope: [subject, body]
            pattern: {json.dumps(pattern)}
            ignorecase: {str(ignorecase).lower()}
            message: "Found “{{match}}”."
            suggestion: "Reword it."
        """), encoding="utf-8")
    return load_ruleset([p], builtin=False)


def _found(rs, subject: str, body: str = "") -> list[str]:
    msg = Message(source="t", subject=subject, text=body, lang="en", has_headers=False)
    return [m for f in rs.check(msg) for m in f.matches]


@pytest.mark.parametrize("pattern, ignorecase, subject, want", [
    ("(?i)click here", False, "Please CLICK HERE today", "CLICK HERE"),
    ("click here", True, "Please Click Here today", "Click Here"),
    # case folding: the long s folds to "s" in the regex and in the prefilter alike
    ("(?i)sale", False, "Big ſale today", "ſale"),
    ("straße", True, "Hauptstraße 5", "straße"),
    # regex-module syntax Python's own parser reads otherwise: no prefilter, the rule still fires
    ("[[:upper:]]{3}!", False, "Buy it NOW! please", "NOW!"),
    ("(?:offer){e<=1}", False, "a great ofer for you", "ofer"),
    (r"\p{Lu}{4}", False, "only TODAY", "TODA"),
    (r"free\K money", False, "free money here", " money"),
    ("(?|(a)x|(b)y)z", False, "byz", "byz"),
    # alternatives: any one of them lets the pattern run
    ("(?:win|gagnez) (?:now|maintenant)", False, "gagnez maintenant", "gagnez maintenant"),
    ("[$€£]\\d+", False, "only £5", "£5"),
])
def test_a_pattern_still_matches_what_it_matches(tmp_path, pattern, ignorecase, subject, want):
    rs = _pack(tmp_path, pattern, ignorecase)
    assert _found(rs, subject) == [want]


def test_a_text_without_the_needed_literal_gives_no_finding(tmp_path):
    rs = _pack(tmp_path, "(?i)unsubscribe\\s+here")
    assert _found(rs, "Hello", "Nothing to see") == []
    assert _found(rs, "Hello", "To leave, UNSUBSCRIBE   here.") == ["UNSUBSCRIBE   here"]


@pytest.mark.parametrize("pattern, want", [
    ("(?i)click here", ("click here",)),
    ("https?://", ("http",)),
    ("(?:cliquez|click)\\s+ici", ("click", "cliquez")),
    ("[$€£]\\s?\\d+", ("$", "£", "€")),
    (r"\d+", None),              # a class with no literal: no prefilter
    ("x*", None),                # may match nothing
    ("[[:alpha:]]x", None),      # POSIX class: Python's parser reads it as a set of characters
    ("a{e<=1}", None),           # fuzzy matching
])
def test_required_literals(pattern, want):
    assert required_literals(pattern) == want


def test_bundled_regex_rules_keep_matching_their_examples():
    """Each shipped regex rule's fail examples still produce its finding with the prefilter in place."""
    rs = load_ruleset()
    checked = 0
    for rule in rs.rules:
        checker = rule.checker
        if type(checker).__name__ != "RegexChecker":
            continue
        for pattern, required in zip(checker.patterns, checker.required):
            for sample in rule.examples.get("fail", []):
                text = sample if isinstance(sample, str) else " ".join(str(v) for v in sample.values())
                if pattern.search(text):
                    assert passes_prefilter(required, text.casefold()), (rule.id, text)
                    checked += 1
    assert checked >= 10


@pytest.mark.parametrize("pattern, text", [
    (r"display\s*:\s*flex", "<div style='DISPLAY: Flex'>été</div>"),       # case, accents elsewhere
    (r"background:.*url\(", "background: #fff url(bg.png)"),
    (r"@media[^{]*prefers-color-scheme", "@media (prefers-color-ſcheme: dark)"),  # ſ matches s under re.I
    (r"\bkit\b", "\u212aIT"),                                                 # the Kelvin sign matches k
    (r"straße", "STRASSE straße"),                                            # a non-ASCII literal: no group
])
def test_required_literal_groups_never_rule_out_a_text_the_pattern_matches(pattern, text):
    import regex

    from contentlint.engine.hit import required_literal_groups
    from contentlint.textscan import ascii_needle_text

    assert regex.search(pattern, text, regex.I)
    groups, folded = required_literal_groups(pattern), ascii_needle_text(text)
    assert folded is None or all(any(x in folded for x in g) for g in groups)


def test_required_literal_groups_are_each_needed():
    from contentlint.engine.hit import required_literal_groups

    assert required_literal_groups(r"display\s*:\s*(?:inline-)?flex\b") == (("display",), (":",), ("flex",))
    assert required_literal_groups(r"straße|strasse") == ()
