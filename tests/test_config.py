"""Configuration files: discovery, validation that names the bad key, and the init template."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from contentlint.config import (
    INIT_TEMPLATE,
    Config,
    ConfigError,
    clear_cache,
    config_for_source,
    find_config,
    load_config,
)
from contentlint.scoring import Thresholds


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_cache()
    yield
    clear_cache()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_config_every_key(tmp_path):
    write(tmp_path / "packs" / "house.yaml", "pack: x\n")
    cfg = load_config(str(write(tmp_path / ".contentlint.yaml", """
rules: [packs/house.yaml]
disable: [subject-too-long]
overrides:
  all-caps-words: {level: info, weight: 0.5}
  excessive-punctuation: error
thresholds: {warn: 2, fail: 4.5}
kind: transactional
languages: [fr, en]
select: "subject-, risky-"
ignore: [noreply-sender]
per-file-ignores:
  "receipts/*.html": [missing-unsubscribe]
fail-on: warn
max-score: 3.5
""")))
    assert cfg.path == str(tmp_path / ".contentlint.yaml")
    assert cfg.rules == (str(tmp_path / "packs" / "house.yaml"),)
    assert cfg.disable == ("subject-too-long",)
    assert cfg.overrides_dict() == {"all-caps-words": {"level": "info", "weight": 0.5},
                                    "excessive-punctuation": {"level": "error"}}
    assert cfg.thresholds == Thresholds(warn=2.0, fail=4.5)
    assert cfg.kind == "transactional"
    assert cfg.languages == ("fr", "en")
    assert cfg.select == ("subject-", "risky-")       # comma-separated string accepted
    assert cfg.ignore == ("noreply-sender",)
    assert cfg.fail_on == "warn"
    assert cfg.max_score == 3.5
    assert cfg.ignored_for(str(tmp_path / "receipts" / "order.html")) == ("missing-unsubscribe",)
    assert cfg.ignored_for(str(tmp_path / "news" / "march.html")) == ()


def test_rules_overrides_alias_is_accepted(tmp_path):
    cfg = load_config(str(write(tmp_path / ".contentlint.yaml", "rules-overrides:\n  x-y: {weight: 2}\n")))
    assert cfg.overrides_dict() == {"x-y": {"weight": 2.0}}


@pytest.mark.parametrize("text, key, line, words", [
    ("kind: marketing\nbogus-key: 1\n", "bogus-key", 2, "unknown key"),
    ("fail_on: warn\n", "fail_on", 1, "did you mean 'fail-on'"),
    ("kind: newsletter\n", "kind", 1, "marketing, transactional"),
    ("thresholds: {warn: 6, fail: 5}\n", "thresholds", 1, "above fail"),
    ("thresholds:\n  warn: 2\n  fial: 5\n", "thresholds.fial", 3, "unknown key"),
    ("thresholds: {warn: high}\n", "thresholds.warn", 1, "expected a number"),
    ("select: 3\n", "select", 1, "list of strings"),
    ("languages: [English]\n", "languages", 1, "ISO 639-1"),
    ("overrides:\n  some-rule: {level: fatal}\n", "overrides.some-rule.level", 2, "error, warning, info"),
    ("overrides:\n  some-rule: {weight: -1}\n", "overrides.some-rule.weight", 2, "negative"),
    ("overrides:\n  some-rule: {colour: red}\n", "overrides.some-rule.colour", 2, "unknown key"),
    ("per-file-ignores: [a, b]\n", "per-file-ignores", 1, "mapping"),
    ("rules: [missing/pack.yaml]\n", "rules", 1, "not found"),
    ("fail-on: sometimes\n", "fail-on", 1, "warn, fail"),
    ("max-score: lots\n", "max-score", 1, "expected a number"),
])
def test_invalid_values_name_the_key_and_line(tmp_path, text, key, line, words):
    path = write(tmp_path / ".contentlint.yaml", text)
    with pytest.raises(ConfigError) as info:
        load_config(str(path))
    err = info.value
    assert err.key == key
    assert err.line == line
    assert words in err.message
    assert str(err).startswith(f"{path}:{line}: {key}: ")


def test_broken_yaml_reports_line(tmp_path):
    path = write(tmp_path / ".contentlint.yaml", "kind: marketing\nselect: [a, b\n")
    with pytest.raises(ConfigError) as info:
        load_config(str(path))
    assert "invalid YAML" in info.value.message
    assert info.value.line >= 2


def test_not_a_mapping(tmp_path):
    with pytest.raises(ConfigError, match="mapping"):
        load_config(str(write(tmp_path / ".contentlint.yaml", "- a\n- b\n")))


def test_empty_file_is_defaults(tmp_path):
    cfg = load_config(str(write(tmp_path / ".contentlint.yaml", "# nothing yet\n")))
    assert cfg.kind is None and cfg.rules == () and cfg.thresholds is None


def test_pyproject_table(tmp_path):
    path = write(tmp_path / "pyproject.toml", """
[project]
name = "templates"

[tool.contentlint]
kind = "transactional"
ignore = ["noreply-sender"]
thresholds = { warn = 2.5, fail = 6 }
""")
    cfg = load_config(str(path))
    assert cfg.kind == "transactional"
    assert cfg.ignore == ("noreply-sender",)
    assert cfg.thresholds == Thresholds(2.5, 6.0)


def test_pyproject_unknown_key(tmp_path):
    path = write(tmp_path / "pyproject.toml", '[tool.contentlint]\nknd = "marketing"\n')
    with pytest.raises(ConfigError) as info:
        load_config(str(path))
    assert info.value.key == "knd"


def test_discovery_walks_up_and_prefers_dot_file(tmp_path):
    root_cfg = write(tmp_path / "pyproject.toml", '[tool.contentlint]\nkind = "transactional"\n')
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert find_config(str(deep)) == str(root_cfg)
    sub_cfg = write(tmp_path / "a" / ".contentlint.yaml", "kind: marketing\n")
    clear_cache()
    assert find_config(str(deep)) == str(sub_cfg)
    assert config_for_source(str(deep / "x.html")) == str(sub_cfg)
    # a pyproject without our table is not a configuration
    write(tmp_path / "a" / "b" / "pyproject.toml", "[project]\nname='x'\n")
    clear_cache()
    assert find_config(str(deep)) == str(sub_cfg)


def test_discovery_stops_at_root_without_config(tmp_path):
    empty = tmp_path / "nothing" / "here"
    empty.mkdir(parents=True)
    found = find_config(str(empty))
    # nothing in tmp_path; whatever is found must be above it (never crashes, terminates at "/")
    assert found is None or not found.startswith(str(tmp_path))


def test_discovery_is_cached_per_folder(tmp_path, monkeypatch):
    write(tmp_path / ".contentlint.yaml", "kind: marketing\n")
    calls = []
    real_isfile = os.path.isfile

    def counting_isfile(p):
        calls.append(p)
        return real_isfile(p)

    monkeypatch.setattr(os.path, "isfile", counting_isfile)
    find_config(str(tmp_path))
    first = len(calls)
    for _ in range(5):
        find_config(str(tmp_path))
    assert first > 0 and len(calls) == first


def test_init_template_is_a_valid_configuration(tmp_path):
    cfg = load_config(str(write(tmp_path / ".contentlint.yaml", INIT_TEMPLATE)))
    assert cfg.kind == "marketing"
    assert cfg.thresholds == Thresholds(3.0, 5.0)
    assert cfg.fail_on == "fail"
    assert "#" in INIT_TEMPLATE  # commented


def test_config_is_hashable_for_caching(tmp_path):
    cfg = load_config(str(write(tmp_path / ".contentlint.yaml", "overrides:\n  a-b: {weight: 1}\n")))
    assert hash(cfg) == hash(Config(**{f: getattr(cfg, f) for f in cfg.__dataclass_fields__}))
