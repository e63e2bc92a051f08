"""`--format sarif` validates against the official SARIF 2.1.0 schema and carries what code scanning needs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contentlint.cli import app
from contentlint.config import clear_cache

jsonschema = pytest.importorskip("jsonschema")

SCHEMA = Path(__file__).resolve().parent.parent / "contentlint" / "schema" / "sarif-schema-2.1.0.json"
SPAMMY = """<html lang="en"><body>
<p>CLICK HERE NOW TO CLAIM YOUR AMAZING PRIZE!!! You are a WINNER!!!</p>
<p>Act now: 100% free cash bonus, limited time only!!!</p>
</body></html>
"""


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.chdir(tmp_path)
    clear_cache()


def sarif(*args):
    result = CliRunner().invoke(app, ["check", "--format", "sarif", *map(str, args)], catch_exceptions=False)
    return result, json.loads(result.stdout)


def validate(doc):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls.check_schema(schema)
    errors = sorted(validator_cls(schema).iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_vendored_schema_is_the_official_one():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]


def test_real_output_validates_and_maps_findings(tmp_path):
    (tmp_path / "mail").mkdir()
    bad = tmp_path / "mail" / "promo offer.html"
    bad.write_text(SPAMMY)
    result, doc = sarif(bad, "--subject", "Win a prize", "--from", "noreply@example.com")
    validate(doc)
    assert result.exit_code == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "contentlint"
    rule_ids = [r["id"] for r in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids))
    results = run["results"]
    assert results and {r["ruleId"] for r in results} == set(rule_ids)
    for r in results:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["level"] in ("error", "warning", "note")
        assert "Fix: " in r["message"]["text"]
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"] == {"uri": "mail/promo%20offer.html", "uriBaseId": "%SRCROOT%"}
    punct = next(r for r in results if r["ruleId"] == "excessive-punctuation")
    region = punct["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 2 and region["startColumn"] >= 1
    descriptor = driver["rules"][punct["ruleIndex"]]
    assert descriptor["help"]["text"] and descriptor["shortDescription"]["text"]
    assert "{" not in descriptor["help"]["text"]
    unsub = [r for r in results if r["ruleId"] == "missing-unsubscribe"]
    assert unsub and unsub[0]["level"] == "error"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file://")
    assert run["invocations"][0]["executionSuccessful"] is True


def test_errors_become_notifications_and_output_stays_valid(tmp_path):
    good = tmp_path / "t.txt"
    good.write_text("Hello, this is a calm note.\n")
    result, doc = sarif(tmp_path / "missing.eml", good, "-", "--select", "excessive-punctuation")
    validate(doc)
    assert result.exit_code == 2
    invocation = doc["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert notes[0]["level"] == "error"
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "missing.eml"
