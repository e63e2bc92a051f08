"""`contentlint check --dns`: the From domain's SPF/DKIM/DMARC findings join the content findings."""
from __future__ import annotations

import json
import socket

import pytest
from typer.testing import CliRunner

from contentlint.cli import app
from contentlint.config import clear_cache

pytest.importorskip("dnslib")
from dnsserver import ZONE_DIR, ZoneServer  # noqa: E402  (tests/dnsserver.py: a real local DNS server)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.chdir(tmp_path)
    clear_cache()


def message(tmp_path, domain: str, name: str = "m.eml"):
    path = tmp_path / name
    path.write_bytes(f"From: News <news@{domain}>\r\nTo: you@example.org\r\nSubject: Our March news\r\n"
                     f"Message-ID: <1@{domain}>\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n"
                     "Content-Type: text/plain; charset=utf-8\r\n\r\nHello, here is our news.\r\n".encode())
    return path


def run_json(*args):
    result = CliRunner().invoke(app, ["check", "--format", "json", *map(str, args)], catch_exceptions=False)
    return result, json.loads(result.stdout)


def rules(doc) -> set[str]:
    return {f["rule"] for f in doc["results"][0]["findings"]}


def test_zone_file_offline(tmp_path):
    msg = message(tmp_path, "nodmarc.test")
    _, without = run_json(msg)
    assert not any(r.startswith(("dmarc-", "spf-")) for r in rules(without))
    result, doc = run_json(msg, "--dns", "--zone", ZONE_DIR / "no-dmarc.zone")
    assert "dmarc-missing" in rules(doc)
    finding = next(f for f in doc["results"][0]["findings"] if f["rule"] == "dmarc-missing")
    assert finding["suggestion"]
    # --zone alone implies --dns
    _, implied = run_json(msg, "--zone", ZONE_DIR / "no-dmarc.zone")
    assert "dmarc-missing" in rules(implied)


def test_dns_findings_obey_ignore(tmp_path):
    msg = message(tmp_path, "nodmarc.test")
    _, doc = run_json(msg, "--dns", "--zone", ZONE_DIR / "no-dmarc.zone", "--ignore", "dmarc-missing")
    assert "dmarc-missing" not in rules(doc)


@pytest.fixture(scope="module")
def server():
    srv = ZoneServer([p.read_text() for p in sorted(ZONE_DIR.glob("*.zone"))]).start()
    yield srv
    srv.stop()


def test_live_nameserver_and_dkim_selector(tmp_path, server):
    msg = message(tmp_path, "weakdkim.test")
    result, doc = run_json(msg, "--dns", "--nameserver", f"127.0.0.1:{server.port}", "--timeout", "3",
                           "--dkim-selector", "s512")
    assert "dkim-key-weak" in rules(doc)
    assert doc["errors"] == []
    _, no_selector = run_json(msg, "--dns", "--nameserver", f"127.0.0.1:{server.port}")
    assert "dkim-key-weak" not in rules(no_selector)


def test_unreachable_dns_is_a_clear_error_exit_2(tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    msg = message(tmp_path, "example.test")
    result, doc = run_json(msg, "--dns", "--nameserver", f"127.0.0.1:{port}", "--timeout", "0.5")
    assert result.exit_code == 2
    assert doc["results"][0]["source"] == str(msg)          # the content report is still there
    assert doc["errors"][0]["message"].startswith("DNS audit failed")
    text = CliRunner().invoke(app, ["check", str(msg), "--nameserver", f"127.0.0.1:{port}", "--timeout", "0.5"])
    assert text.exit_code == 2 and "DNS audit failed" in text.stderr
    assert "Traceback" not in text.stdout + text.stderr


def test_missing_zone_file_is_a_usage_error(tmp_path):
    msg = message(tmp_path, "example.test")
    result = CliRunner().invoke(app, ["check", str(msg), "--dns", "--zone", str(tmp_path / "nope.zone")])
    assert result.exit_code == 2 and "--zone" in result.stderr


def test_zone_file_findings_point_at_the_record_line(tmp_path):
    zone = tmp_path / "example.zone"
    zone.write_text(
        "$ORIGIN example.test.\n$TTL 300\n; the SPF record, split in two strings and over two lines\n"
        '@ IN TXT ( "v=spf1 include:_spf.example.test "\n          "+all" )\n'
        '_spf IN TXT "v=spf1 ip4:192.0.2.0/24 -all" ; comment with "quotes"\n'
        '_dmarc IN TXT "v=DMARC1; p=none; rua=mailto:d@example.test"\n', encoding="utf-8")
    res = CliRunner().invoke(app, ["dns", "example.test", "--zone", str(zone)])
    assert res.exit_code == 1, res.output
    assert f"{zone}:4: spf-permissive-all" in res.output
    assert f"{zone}:7: dmarc-policy-none" in res.output
    sarif = json.loads(CliRunner().invoke(app, ["dns", "example.test", "--zone", str(zone), "--format", "sarif"]).stdout)
    lines = {r["ruleId"]: r["locations"][0]["physicalLocation"].get("region", {}).get("startLine")
             for r in sarif["runs"][0]["results"]}
    assert lines["spf-permissive-all"] == 4 and lines["dmarc-policy-none"] == 7


ZONES = ZONE_DIR.parent / "zones"


def test_check_reads_an_exported_zone_without_origin_under_the_from_domain(tmp_path):
    # OVH exports no $ORIGIN: the names are read under the first message's From domain
    res, doc = run_json(message(tmp_path, "example.fr"), "--zone", ZONES / "ovh.zone")
    dns = {f["rule"]: f for f in doc["results"][0]["findings"] if f["location"]["part"] == "dns"}
    assert set(dns) == {"dmarc-policy-none", "dns-outside-zone"}, dns
    assert "include:mx.ovh.com" in dns["dns-outside-zone"]["message"]
    assert dns["dmarc-policy-none"]["location"]["line"] == 0     # points into the message, not the zone file


def test_check_zone_twice_reads_both(tmp_path):
    esp = tmp_path / "mailjet.zone"
    esp.write_text('$ORIGIN mailjet.com.\n@ IN SOA ns1 hostmaster 1 2 3 4 5\nspf IN TXT "v=spf1 ip4:192.0.2.0/24 ~all"\n')
    one, doc1 = run_json(message(tmp_path, "example.com"), "--zone", ZONES / "bind.zone")
    two, doc2 = run_json(message(tmp_path, "example.com"), "--zone", ZONES / "bind.zone", "--zone", esp)
    assert "dns-outside-zone" in rules(doc1) and "dns-outside-zone" not in rules(doc2)
