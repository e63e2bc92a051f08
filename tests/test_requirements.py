"""`contentlint check --requirements`: the mailbox providers' requirements as a checklist per message.

Run through the real CLI on realistic messages (tests/data/requirements/), offline and with zone files.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from contentlint.api import Linter
from contentlint.cli import app
from contentlint.requirements import PROVIDERS, REQUIREMENTS, parse_providers

DATA = Path(__file__).parent / "data"
SALE = DATA / "requirements" / "spring-sale.eml"
BIND = DATA / "zones" / "bind.zone"
SIGNED_BOTH = "h=from:to:subject:date:message-id:list-unsubscribe:list-unsubscribe-post:mime-version:content-type;"


def check(*args):
    return CliRunner().invoke(app, ["check", *map(str, args), "--no-color"])


def checklist(path, *args) -> dict:
    res = check(path, "--format", "json", *args)
    (result,) = json.loads(res.stdout)["results"]
    return {item["id"]: item for item in result["requirements"]}


def variant(tmp_path, old: str, new: str, name="m.eml") -> Path:
    text = SALE.read_text(encoding="utf-8")
    assert old in text
    p = tmp_path / name
    p.write_text(text.replace(old, new), encoding="utf-8")
    return p


def test_one_click_not_met_when_the_dkim_h_list_omits_list_unsubscribe_post():
    res = check(SALE, "--requirements", "gmail")
    assert res.exit_code == 1, res.output
    lines = res.stdout.splitlines()
    i = next(n for n, line in enumerate(lines) if re.match(r"\s+not met\s+one-click\s", line))
    reason, fix = lines[i + 1].strip(), lines[i + 2].strip()
    assert "does not cover List-Unsubscribe-Post" in reason and "one-click unsubscribe cannot be used" in reason
    assert fix.startswith("fix: Add both List-Unsubscribe and List-Unsubscribe-Post to the signed headers (h=)")


def test_one_click_met_when_the_signature_covers_both_headers(tmp_path):
    signed = variant(tmp_path, "h=from:to:subject:date:message-id:list-unsubscribe:mime-version:content-type;",
                     SIGNED_BOTH)
    items = checklist(signed, "--requirements", "gmail")
    assert items["one-click"]["status"] == "met"
    unsigned = variant(tmp_path, "DKIM-Signature:", "X-Old-Signature:", "unsigned.eml")
    items = checklist(unsigned, "--requirements", "gmail")
    assert items["one-click"]["status"] == "not met" and "not DKIM-signed" in items["one-click"]["reason"]


def test_what_needs_the_live_connection_is_never_met():
    items = checklist(SALE, "--requirements", "all", "--zone", BIND)
    live = {r.id for r in REQUIREMENTS if r.live}
    assert live == {"reverse-dns", "tls", "spam-rate", "unsubscribe-honoured", "opt-in"}
    for rid in live:
        assert items[rid]["status"] == "not checkable", rid
        assert items[rid]["reason"].startswith("not checkable here:")


def test_dns_requirements_need_the_zone_and_use_it():
    offline = checklist(SALE, "--requirements", "gmail")
    for rid in ("dmarc", "dkim-key"):
        assert offline[rid]["status"] == "not checkable" and "--zone" in offline[rid]["reason"]
    assert offline["authentication"]["status"] == "not checkable"
    zoned = checklist(SALE, "--requirements", "gmail", "--zone", BIND)
    assert {rid: zoned[rid]["status"] for rid in ("dmarc", "dkim-key", "authentication", "alignment")} == {
        "dmarc": "met", "dkim-key": "met", "authentication": "met", "alignment": "met"}
    # Mailjet's include is not in the zone file: said, not hidden
    assert "spf.mailjet.com" in zoned["authentication"]["reason"]


def test_a_weak_key_in_the_zone_is_not_met(tmp_path):
    weak = "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAN+/Ds6LzYEf4V59RpU6uVKeKb07nTo23IdLOD3SAzUnZAjFYom+N30wPoAnPPEAcGDhv81cvoCDdEEIb9QzfNECAwEAAQ=="
    zone = tmp_path / "weak.zone"
    zone.write_text(BIND.read_text().replace('mj._domainkey   IN  TXT (', f'mj._domainkey   IN  TXT "v=DKIM1; k=rsa; p={weak}"\nold._domainkey  IN  TXT ('))
    items = checklist(SALE, "--requirements", "gmail", "--zone", zone)
    assert items["dkim-key"]["status"] == "not met" and "512 bits" in items["dkim-key"]["reason"]


def test_a_template_has_no_headers_to_check(tmp_path):
    page = tmp_path / "t.html"
    page.write_text("<html><head><title>Spring</title></head><body><p>Our spring collection.</p>"
                    '<p><a href="https://example.com/u">Unsubscribe</a></p></body></html>')
    items = checklist(page, "--requirements", "gmail", "--from", "News <news@example.com>")
    for rid in ("rfc5322", "one-click", "fake-reply", "alignment"):
        assert items[rid]["status"] == "not checkable" and "template has no headers" in items[rid]["reason"], rid
    assert items["unsubscribe-link"]["status"] == "met"


def test_transactional_mail_and_webmail_senders(tmp_path):
    items = checklist(SALE, "--requirements", "yahoo", "--kind", "transactional")
    assert items["one-click"]["status"] == "not applicable"
    gmail_from = variant(tmp_path, "From: Boutique Martin <news@example.com>", "From: Boutique Martin <boutique.martin@gmail.com>")
    items = checklist(gmail_from, "--requirements", "gmail")
    assert items["own-domain"]["status"] == "not met" and "gmail.com" in items["own-domain"]["reason"]


def test_format_rules_feed_the_checklist(tmp_path):
    two = variant(tmp_path, "From: Boutique Martin <news@example.com>",
                  "From: news@example.com, ventes@example.com\nSubject: Encore")
    items = checklist(two, "--requirements", "gmail")
    assert items["rfc5322"]["status"] == "not met"
    assert set(items["rfc5322"]["rules"]) == {"from-address-count", "header-count"}
    badge = variant(tmp_path, "From: Boutique Martin <", "From: ✅ Boutique Martin <", "badge.eml")
    items = checklist(badge, "--requirements", "gmail")
    assert items["display-name"]["status"] == "not met" and "✅" in items["display-name"]["reason"]


def test_providers_choose_the_items_and_bad_names_exit_2():
    gmail, apple = checklist(SALE, "--requirements", "gmail"), checklist(SALE, "--requirements", "apple")
    assert "fake-reply" in gmail and "fake-reply" not in apple and "opt-in" in apple
    every = checklist(SALE, "--requirements", "gmail,yahoo", "--requirements", "microsoft")
    assert "spf-lookups" in every and every["one-click"]["providers"] == ["Gmail", "Yahoo Mail and AOL"]
    assert parse_providers(["all"]) == tuple(PROVIDERS)
    res = check(SALE, "--requirements", "hotmale")
    assert res.exit_code == 2 and "unknown provider 'hotmale'" in res.output


def test_json_validates_and_sarif_carries_the_checklist():
    jsonschema = pytest.importorskip("jsonschema")
    res = check(SALE, "--requirements", "all", "--format", "json")
    schema = json.loads((ROOT / "contentlint" / "schema" / "report-v1.schema.json").read_text())
    jsonschema.validate(json.loads(res.stdout), schema)
    sarif = json.loads(check(SALE, "--requirements", "gmail", "--format", "sarif").stdout)
    (entry,) = sarif["runs"][0]["properties"]["requirements"]
    assert entry["artifactLocation"]["uri"].endswith("spring-sale.eml")
    assert entry["items"][0]["id"] == "one-click" and entry["items"][0]["status"] == "not met"
    plain = json.loads(check(SALE, "--format", "json").stdout)["results"][0]
    assert "requirements" not in plain          # optional: only when asked


def test_the_library_and_parallel_runs_carry_it(tmp_path):
    (report,) = Linter(requirements=["gmail"]).check_path(SALE)
    assert {i.id: i.status for i in report.requirements}["one-click"] == "not met"
    other = variant(tmp_path, "Nos nouveautés", "Nos nouveautés d'avril")
    res = CliRunner().invoke(app, ["check", str(SALE), str(other), "--requirements", "gmail", "--jobs", "2",
                                   "--format", "json"])
    assert [len(r["requirements"]) for r in json.loads(res.stdout)["results"]] == [15, 15]


def test_readme_sample_checklist_is_what_the_command_prints(monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```\n\$ contentlint check ([^\n]+ --requirements [^\n]+)\n(.*?)```", readme, re.S)
    assert block, "no sample checklist in the README"
    monkeypatch.chdir(ROOT)
    printed = CliRunner().invoke(app, ["check", *block.group(1).split(), "--no-color"]).stdout.splitlines()
    shown = [line for line in block.group(2).splitlines() if line.strip() != "…"]
    assert len(shown) >= 8
    for line in shown:
        assert line in printed, line


def test_every_requirement_cites_rules_that_exist():
    ids = {r.id for r in Linter().rules}
    for req in REQUIREMENTS:
        assert set(req.rules) <= ids, req.id
        assert req.providers and set(req.providers) <= set(PROVIDERS)


@pytest.mark.parametrize("from_value, flagged", [
    ("Spring Shop <news@shop.example>", False),
    ("news@shop.example", False),
    ("Spring Shop <news@shop.example>, Other <x@other.example>", True),   # two addresses
    ('"Spring, Shop" <news@shop.example>', False),                       # a comma inside quotes: one
    ('"news@shop.example" <undisclosed>', True),                         # the only @ is in the quoted name
    ("Shop: news@shop.example, x@other.example;", True),                 # a group of two
    ("Spring Shop (promo) <news@shop.example>", False),                  # a comment
])
def test_from_address_count_counts_addresses_not_at_signs(tmp_path, from_value, flagged):
    """One address in From passes (the plain forms skip the address parser); anything else is parsed."""
    path = variant(tmp_path, "From: Boutique Martin <news@example.com>", f"From: {from_value}")
    rules = {f.rule for r in Linter().iter_path(str(path)) for f in r.findings}
    assert ("from-address-count" in rules) is flagged
