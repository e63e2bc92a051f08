"""The start-up caches and fast paths (issue 6) never change a result: an edited pack or placeholders file
takes effect on the next run, CONTENTLINT_NO_CACHE=1 and unusable cache folders still work, and the
PyYAML-free / email.utils-free readers give exactly what the libraries give."""
from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from email.utils import getaddresses
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from contentlint import domains, placeholders
from contentlint.engine import load_ruleset
from contentlint.paths import cache_load, cache_store, fingerprint
from contentlint.readers.mime import _SIMPLE_ADDRESS, parse_address
from contentlint.readers.template import _simple_front_matter, split_front_matter

ROOT = Path(__file__).resolve().parent.parent

PACK = """\
pack: team-words
version: 1
description: Words our team bans.
rules:
  - id: team-banned-word
    title: Banned word
    description: A word the team decided not to use.
    category: content
    level: warning
    weight: 1.0
    type: words
    scope: [subject, body]
    words: {{en: [{word}]}}
    message: "“{{word}}” is banned here."
    suggestion: "Reword “{{word}}”."
    examples:
      pass: ["Hello there"]
      fail: ["{word} inside"]
"""


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("CONTENTLINT_CACHE_DIR", str(d))
    monkeypatch.delenv("CONTENTLINT_NO_CACHE", raising=False)
    return d


def _subject_hits(ruleset, subject: str) -> list[str]:
    from contentlint.model import INPUT_TEXT
    from contentlint.readers import ReadOptions, build_message

    msg = build_message(input_format=INPUT_TEXT, subject=subject, text="Plain body text for the check.",
                        options=ReadOptions(lang="en"))
    return [f.rule for f in ruleset.check(msg, "marketing")]


def _write_pack(path: Path, word: str, mtime: float) -> None:
    path.write_text(PACK.format(word=word), encoding="utf-8")
    os.utime(path, (mtime, mtime))


def test_an_edited_pack_takes_effect_on_the_next_load(cache_dir, tmp_path):
    pack = tmp_path / "team.yaml"
    _write_pack(pack, "zorglub", 1_700_000_000)
    first = load_ruleset([pack])
    assert "team-banned-word" in _subject_hits(first, "zorglub offer")
    assert list(cache_dir.glob("ruleset-*.pickle")), "the compiled rule set is cached"

    again = load_ruleset([pack])             # from the cache: same rules
    assert "team-banned-word" in _subject_hits(again, "zorglub offer")

    _write_pack(pack, "flumox", 1_700_000_100)   # edited: other word, other size and time
    edited = load_ruleset([pack])
    assert "team-banned-word" in _subject_hits(edited, "flumox offer")
    assert "team-banned-word" not in _subject_hits(edited, "zorglub offer")


def test_an_edited_placeholders_file_takes_effect(cache_dir, tmp_path, monkeypatch):
    copy = tmp_path / "placeholders.yaml"
    shutil.copy(placeholders.builtin_placeholders_file(), copy)
    monkeypatch.setattr(placeholders, "builtin_placeholders_file", lambda: copy)
    placeholders.default_placeholders.cache_clear()
    try:
        built = placeholders.default_placeholders()
        assert list(cache_dir.glob("placeholders-*.pickle"))
        placeholders.default_placeholders.cache_clear()
        warm = placeholders.default_placeholders()          # from the cache, patterns compiled on use
        text = "Hi {{ first_name }}, *|FNAME|* and [[var:x]] <a href=\"*|UNSUB|*\">x</a> %%unknown%%"
        assert warm.find(text) == built.find(text) and warm.find(text)
        assert warm.esp(text) == built.esp(text)
        assert not any(m.syntax == "percent-test" for m in warm.find("x %%thing%% y"))

        data = yaml.safe_load(copy.read_text(encoding="utf-8"))
        data["syntaxes"].insert(0, {"name": "percent-test", "pattern": r"%%[a-z]+%%"})
        copy.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        os.utime(copy, (1_700_000_500, 1_700_000_500))
        placeholders.default_placeholders.cache_clear()
        edited = placeholders.default_placeholders()
        assert [m.syntax for m in edited.find("x %%thing%% y")] == ["percent-test"]
    finally:
        placeholders.default_placeholders.cache_clear()


@pytest.mark.parametrize("text", [
    "Bonjour %recipient.first_name%, voici %unsubscribe_url%",        # Mailgun (no literal prefix)
    "[firstname], your [webversion] link",                            # Campaign Monitor brackets
    "<unsubscribe>Leave</unsubscribe> and <webversion>view</webversion>",
    "Hi {$customer.firstname}, {if $x}gift{/if}",                     # Smarty / PrestaShop
    "@include('emails.footer') and {{ include('footer.twig') }}",
])
def test_a_warm_start_finds_what_a_cold_one_finds(cache_dir, text):
    """From the cache, a syntax is compiled only for texts that can hold it: every placeholder is still found,
    first text of the process or not."""
    placeholders.default_placeholders.cache_clear()
    try:
        built = placeholders.default_placeholders()           # validating load: every pattern compiled
        want = [(m.start, m.end, m.syntax) for m in built.find(text)]
        assert want
        for _ in range(2):
            placeholders.default_placeholders.cache_clear()
            warm = placeholders.default_placeholders()
            assert [(m.start, m.end, m.syntax) for m in warm.find("nothing of the kind here")] == []
            assert [(m.start, m.end, m.syntax) for m in warm.find(text)] == want
    finally:
        placeholders.default_placeholders.cache_clear()


def test_a_cached_placeholders_file_with_a_bad_pattern_is_still_reported(cache_dir, tmp_path, monkeypatch):
    copy = tmp_path / "placeholders.yaml"
    copy.write_text('syntaxes:\n  - {name: broken, pattern: "(unclosed"}\n', encoding="utf-8")
    monkeypatch.setattr(placeholders, "builtin_placeholders_file", lambda: copy)
    placeholders.default_placeholders.cache_clear()
    try:
        for _ in range(2):    # the error is not cached away
            with pytest.raises(placeholders.PlaceholderError, match="invalid regular expression"):
                placeholders.default_placeholders()
            placeholders.default_placeholders.cache_clear()
    finally:
        placeholders.default_placeholders.cache_clear()


def test_no_cache_writes_nothing(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("CONTENTLINT_CACHE_DIR", str(d))
    monkeypatch.setenv("CONTENTLINT_NO_CACHE", "1")
    pack = tmp_path / "team.yaml"
    _write_pack(pack, "zorglub", 1_700_000_000)
    assert "team-banned-word" in _subject_hits(load_ruleset([pack]), "zorglub offer")
    assert not d.exists()


def test_corrupt_or_foreign_cache_files_are_rebuilt(cache_dir):
    fp = fingerprint([ROOT / "pyproject.toml"], "test v1")
    cache_store("unit", fp, {"answer": 42})
    assert cache_load("unit", fp) == {"answer": 42}
    assert cache_load("unit", fp + "\nother") is None           # another fingerprint: a miss
    (f,) = cache_dir.glob("unit-*.pickle")
    f.write_bytes(b"not a pickle")
    assert cache_load("unit", fp) is None
    f.write_bytes(pickle.dumps(("a different fingerprint", {"answer": 0})))   # a checksum collision
    assert cache_load("unit", fp) is None


@pytest.mark.parametrize("where", ["a-file", "missing/deep/folder"])
def test_cli_works_with_an_unusable_or_missing_cache_folder(tmp_path, where):
    target = tmp_path / where
    if where == "a-file":
        target.write_text("not a folder")
        target = target / "sub"            # cannot be created: its parent is a file
    env = {k: v for k, v in os.environ.items() if k != "CONTENTLINT_NO_CACHE"}
    env["CONTENTLINT_CACHE_DIR"] = str(target)
    proc = subprocess.run([sys.executable, "-m", "contentlint.cli", "check", "--format", "json",
                           str(ROOT / "examples" / "template-fr.html")], capture_output=True, text=True, env=env)
    assert proc.returncode in (0, 1), proc.stderr
    assert '"verdict"' in proc.stdout
    if where != "a-file":
        assert any(target.glob("ruleset-*.pickle"))   # a missing folder is created


def test_public_suffix_tables_from_the_cache_equal_the_parsed_list(cache_dir, monkeypatch):
    parsed = domains._parse_psl(domains._psl_text())
    monkeypatch.setattr(domains, "_TABLES", None)
    assert domains._load_tables() == parsed          # builds and stores
    assert list(cache_dir.glob("psl-*.pickle"))
    assert domains._load_tables() == parsed          # from the cache
    monkeypatch.setattr(domains, "_TABLES", None)
    domains._CACHE.clear()
    assert domains.registrable_domain("click.mail.example.co.uk") == "example.co.uk"
    assert domains.registrable_domain("alice.github.io") == "alice.github.io"


# -- readers without PyYAML / email.utils ---------------------------------------------------------------
_VALUE = st.text(alphabet=st.sampled_from(list("ab Zé:#'\"-?{}[],&*!|>%@`=~.09\\<()\u00a0")), max_size=10)
_KEY = st.sampled_from(["subject", "from", "lang", "preheader", "on", "Yes", "x-y", "a"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_KEY, st.sampled_from([" ", "  ", ""]), _VALUE), min_size=1, max_size=4))
def test_simple_front_matter_is_what_yaml_reads(lines):
    raw = "".join(f"{k}:{sep}{v}\n" for k, sep, v in lines)
    fast = _simple_front_matter(raw)
    if fast is not None:
        assert fast == yaml.safe_load(raw)


def test_typical_front_matter_needs_no_yaml():
    raw = ('subject: "[[var:prenom]], vos idées de mars"\nfrom: Librairie <bonjour@example.fr>\n'
           "preheader: Trois romans, un essai.\nlang: fr\n")
    assert _simple_front_matter(raw) == yaml.safe_load(raw)
    fields, nlines, _, problems = split_front_matter("---\n" + raw + "---\n<p>x</p>")
    assert fields["subject"] == "[[var:prenom]], vos idées de mars" and fields["lang"] == "fr" and not problems
    # what YAML reads differently from plain text goes to YAML: booleans, numbers, comments
    fields, _, _, _ = split_front_matter("---\nsubject: 2024\nlang: no\npreheader: x # note\n---\n")
    assert fields == {"subject": "2024", "lang": "False", "preheader": "x"}


_WORD = st.text(alphabet=st.sampled_from(list("abZéÜ0_'-.ñ日")), min_size=1, max_size=6)
_LOCAL = st.text(alphabet=st.sampled_from(list("ab0_%+-.Z")), min_size=1, max_size=6)
_DOMAIN = st.text(alphabet=st.sampled_from(list("ab0-.Z")), min_size=1, max_size=8)


@settings(max_examples=400, deadline=None)
@given(st.lists(_WORD, max_size=3), _LOCAL, _DOMAIN, st.sampled_from(["{n} <{a}>", "{a}", "<{a}>", "{n}<{a}>"]))
def test_plain_addresses_parse_as_getaddresses_does(names, local, domain, shape):
    value = shape.format(n=" ".join(names), a=f"{local}@{domain}")
    m = _SIMPLE_ADDRESS.fullmatch(value)
    if m is not None:
        pairs = [p for p in getaddresses([value]) if p[1] or p[0]]
        assert (m.group(1) or "", m.group(2) or m.group(3)) == pairs[0]


def test_parse_address_examples():
    assert parse_address("Librairie des Quais <Bonjour@Librairie.Example.fr>") == \
        ("Librairie des Quais", "bonjour@librairie.example.fr", "librairie.example.fr")
    assert parse_address('"Dupont, Élodie" <e.dupont@example.fr>') == ("Dupont, Élodie", "e.dupont@example.fr",
                                                                       "example.fr")
    assert parse_address("news@example.com") == (None, "news@example.com", "example.com")
