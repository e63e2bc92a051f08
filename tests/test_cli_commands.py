"""`contentlint rules`, `rules show`, `init`, `version`."""
from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from contentlint import __version__
from contentlint.cli import app
from contentlint.config import clear_cache, load_config

from conftest import HOUSE_PACK


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    clear_cache()


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_version():
    assert run("version").stdout.strip() == f"contentlint {__version__}"
    assert run("--version").stdout.strip() == f"contentlint {__version__}"


def test_help_lists_the_commands():
    out = run("--help").stdout
    for command in ("check", "rules", "init", "version", "dns"):
        assert command in out
    assert run().exit_code in (0, 2)  # no arguments: help


def test_rules_lists_builtin_and_extra_packs(tmp_path):
    pack = tmp_path / "house.yaml"
    pack.write_text(HOUSE_PACK, encoding="utf-8")
    builtin = run("rules")
    assert builtin.exit_code == 0
    assert "missing-unsubscribe" in builtin.stdout and "excessive-punctuation" in builtin.stdout
    assert "house-xyzzy" not in builtin.stdout
    extra = run("rules", "--rules", pack)
    assert "house-xyzzy" in extra.stdout and "The forbidden word xyzzy" in extra.stdout


def test_rules_follows_the_configuration(tmp_path):
    (tmp_path / "house.yaml").write_text(HOUSE_PACK, encoding="utf-8")
    (tmp_path / ".contentlint.yaml").write_text("rules: [house.yaml]\nselect: [house]\n")
    out = run("rules").stdout
    assert "house-xyzzy" in out and "missing-unsubscribe" not in out


def test_rules_show(tmp_path):
    shown = run("rules", "show", "missing-unsubscribe")
    assert shown.exit_code == 0
    assert shown.stdout.startswith("missing-unsubscribe")
    assert "unsubscribe" in shown.stdout.lower()
    pack = tmp_path / "house.yaml"
    pack.write_text(HOUSE_PACK, encoding="utf-8")
    house = run("rules", "show", "house-xyzzy", "--rules", pack)
    assert "Our house style forbids the word xyzzy" in house.stdout
    assert "Remove “{match}” from the text." in house.stdout


def test_rules_show_unknown_id_exit_2_with_suggestion():
    result = run("rules", "show", "missing-unsubscrib")
    assert result.exit_code == 2
    assert "unknown rule 'missing-unsubscrib'" in result.stderr
    assert "missing-unsubscribe" in result.stderr


def test_rules_with_broken_config_exit_2(tmp_path):
    (tmp_path / ".contentlint.yaml").write_text("colour: blue\n")
    result = run("rules")
    assert result.exit_code == 2
    assert "colour: unknown key" in result.stderr


def test_init_writes_a_valid_commented_config_and_refuses_to_overwrite(tmp_path):
    result = run("init")
    target = tmp_path / ".contentlint.yaml"
    assert result.exit_code == 0 and target.is_file()
    text = target.read_text()
    assert text.count("#") > 10
    cfg = load_config(str(target))
    assert cfg.kind == "marketing" and cfg.fail_on == "fail"
    target.write_text("kind: transactional\n")
    again = run("init")
    assert again.exit_code == 2 and "--force" in again.stderr
    assert target.read_text() == "kind: transactional\n"
    forced = run("init", "--force")
    assert forced.exit_code == 0 and target.read_text() == text
    sub = tmp_path / "sub"
    sub.mkdir()
    assert run("init", sub).exit_code == 0 and (sub / ".contentlint.yaml").is_file()
    assert run("init", tmp_path / "missing").exit_code == 2


def test_init_config_is_used_by_check(tmp_path):
    run("init")
    receipt = tmp_path / "r.html"
    receipt.write_text("<html lang=\"en\"><body><p>Your order 1234 has shipped.</p></body></html>")
    path = tmp_path / ".contentlint.yaml"
    path.write_text(path.read_text().replace("kind: marketing", "kind: transactional"))
    clear_cache()
    result = CliRunner().invoke(app, ["check", str(receipt), "--format", "json", "--subject", "Shipped"])
    assert '"kind": "transactional"' in result.stdout
