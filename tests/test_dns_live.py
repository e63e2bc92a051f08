"""The audit against a real DNS server on 127.0.0.1 (dnslib, UDP + TCP), the `dns` command and `check --dns`."""
from __future__ import annotations

import json
import socket
import time

import pytest
import typer
from typer.testing import CliRunner

from dnsserver import ZONE_DIR, ZoneServer, zone_files

from contentlint.dnsaudit import (DnsOptions, DnsUnavailable, LiveResolver, ZoneResolver, audit_report,
                                  check_message_dns)
from contentlint.dnsaudit.audit import example_message
from contentlint.dnsaudit.command import register

# zone file -> (domain, DKIM selectors, exact set of rule ids expected)
SCENARIOS = {
    "good": ("good.test", ("s2048", "ed"), set()),
    "good-subdomain": ("news.good.test", (), set()),
    "two-spf": ("twospf.test", (), {"spf-multiple-records"}),
    "many-lookups": ("manylookups.test", (), {"spf-too-many-lookups"}),
    "include-loop": ("loop.test", (), {"spf-include-loop"}),
    "plus-all": ("plusall.test", (), {"spf-permissive-all"}),
    "weak-dkim": ("weakdkim.test", ("s512",), {"dkim-key-weak"}),
    "no-dmarc": ("nodmarc.test", (), {"dmarc-missing"}),
    "p-none": ("pnone.test", (), {"dmarc-policy-none"}),
    "big-txt": ("bigtxt.test", (), {"spf-syntax"}),
    "dmarcbis": ("dmarcbis.test", (), {"dmarc-obsolete-tags", "dmarc-policy-none", "bimi-record", "mta-sts-record",
                                       "tls-rpt-record"}),
}
# the optional records are information; only good.test and dmarcbis.test publish them, so elsewhere their
# absence is left out of the comparison
OPTIONAL = {"bimi-record", "mta-sts-record", "tls-rpt-record"}


def core(findings):
    return [f for f in findings if not (f.rule in OPTIONAL and f.level == "info")]


def rule_ids(name, findings):
    if name in ("good", "dmarcbis"):
        return {f.rule for f in findings}
    return {f.rule for f in findings if not (f.rule in OPTIONAL and f.level == "info")}
ZONE_OF = {"good-subdomain": "good"}


@pytest.fixture(scope="module")
def server():
    srv = ZoneServer([p.read_text() for p in zone_files()]).start()
    yield srv
    srv.stop()


def live(server, timeout=3.0):
    return LiveResolver(nameserver="127.0.0.1", port=server.port, timeout=timeout)


def zone_path(name):
    return ZONE_DIR / f"{ZONE_OF.get(name, name)}.zone"


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_live_audit_finds_exactly_the_expected_rules(server, name):
    domain, selectors, expected = SCENARIOS[name]
    result = audit_report(domain, live(server), selectors)
    assert rule_ids(name, result.findings) == expected
    for f in result.findings:
        assert f.suggestion and f.location.part == "dns" and f.location.excerpt


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_zone_file_gives_the_same_findings_as_live_dns(server, name):
    domain, selectors, _ = SCENARIOS[name]
    from_zone = audit_report(domain, ZoneResolver.from_file(zone_path(name)), selectors).findings
    from_dns = audit_report(domain, live(server), selectors).findings
    def same(f):           # the zone file also gives the record's line; live DNS has none
        return (f.rule, f.level, f.weight, f.message, f.suggestion, f.location.excerpt, f.matches)
    assert [same(f) for f in from_zone] == [same(f) for f in from_dns]


def test_lookup_count_reported_with_costliest_include(server):
    result = audit_report("manylookups.test", live(server))
    assert result.spf.lookups == 11
    assert result.spf.costliest == ("include:a.manylookups.test", 6)
    (finding,) = core(result.findings)
    assert "11" in finding.message and "include:a.manylookups.test" in finding.message


def test_dkim_key_sizes_from_live_records(server):
    result = audit_report("good.test", live(server), ["s2048", "ed"])
    assert [(d.selector, d.key_type, d.bits) for d in result.dkim] == [("s2048", "rsa", 2048), ("ed", "ed25519", 256)]
    weak = audit_report("weakdkim.test", live(server), ["s512"])
    assert weak.dkim[0].bits == 512 and weak.findings[0].level == "error"


def test_large_answer_is_fetched_over_tcp_after_truncation(server):
    result = audit_report("bigtxt.test", live(server))
    assert result.spf.record.startswith("v=spf1 ip4:192.0.2.0/24")
    protocols = {proto for name, qtype, proto in server.data.asked if name == "bigtxt.test." and qtype == "TXT"}
    assert protocols == {"udp", "tcp"}


def _closed_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_dns_raises_quickly():
    port = _closed_port()
    start = time.monotonic()
    with pytest.raises(DnsUnavailable) as exc:
        audit_report("good.test", LiveResolver("127.0.0.1", port, timeout=0.5))
    assert time.monotonic() - start < 10  # bounded by the timeout, never a hang
    assert "127.0.0.1" in str(exc.value)


# -- the `dns` command through a typer app ----------------------------------------------------------------

@pytest.fixture(scope="module")
def app():
    app = typer.Typer()
    register(app)

    @app.command("version")  # a second command so typer keeps "dns" as a sub-command, as in the real CLI
    def version():
        pass

    return app


def run(app, *args):
    return CliRunner().invoke(app, ["dns", *args])


def test_cli_live_error_exit_code_and_text(server, app):
    res = run(app, "plusall.test", "--nameserver", "127.0.0.1", "--port", str(server.port), "--timeout", "3")
    assert res.exit_code == 1, res.output
    assert "spf-permissive-all" in res.output and "fix:" in res.output and "+all" in res.output


def test_cli_clean_domain_exits_0_and_shows_lookup_count(server, app):
    res = run(app, "good.test", "--nameserver", "127.0.0.1", "--port", str(server.port),
              "--dkim-selector", "s2048", "--dkim-selector", "ed")
    assert res.exit_code == 0, res.output
    assert "3 of 10 DNS lookups" in res.output and "rsa 2048 bits" in res.output


def test_cli_warning_only_exits_0(server, app):
    res = run(app, "pnone.test", "--nameserver", "127.0.0.1", "--port", str(server.port))
    assert res.exit_code == 0 and "dmarc-policy-none" in res.output


def test_cli_zone_file_json(app):
    res = run(app, "manylookups.test", "--zone", str(zone_path("many-lookups")), "--format", "json")
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    assert data["spf"]["lookups"] == 11
    assert data["spf"]["costliest"] == {"term": "include:a.manylookups.test", "lookups": 6}
    assert [f["rule"] for f in data["findings"]] == ["spf-too-many-lookups", "bimi-record", "mta-sts-record",
                                                     "tls-rpt-record"]
    assert data["summary"] == {"error": 1, "warning": 0, "info": 3}


def test_cli_zone_file_sarif(app):
    res = run(app, "weakdkim.test", "--zone", str(zone_path("weak-dkim")), "--dkim-selector", "s512",
              "--format", "sarif")
    assert res.exit_code == 1
    sarif = json.loads(res.stdout)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("dkim-key-weak", "error"), ("bimi-record", "note")]
    rule_ids = [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]]
    assert rule_ids[results[0]["ruleIndex"]] == "dkim-key-weak"


def test_cli_unreachable_dns_exits_2_with_message(app):
    start = time.monotonic()
    res = run(app, "good.test", "--nameserver", "127.0.0.1", "--port", str(_closed_port()), "--timeout", "0.5")
    assert res.exit_code == 2
    assert "did not answer" in res.output or "could not answer" in res.output
    assert time.monotonic() - start < 10


@pytest.mark.parametrize("args,text", [
    (["--zone", "/nonexistent/zone.txt"], "cannot read zone file"),
    (["--nameserver", "dns.example"], "IP address"),
    (["--format", "xml", "--zone", "/dev/null"], "unknown --format"),
])
def test_cli_unusable_input_exits_2(app, args, text):
    res = run(app, "good.test", *args)
    assert res.exit_code == 2 and text in res.output


def test_cli_broken_zone_file_exits_2(app, tmp_path):
    bad = tmp_path / "bad.zone"
    bad.write_text('example.com. 300 IN TXT "' + "x" * 300 + '"\n')
    res = run(app, "example.com", "--zone", str(bad))
    assert res.exit_code == 2 and "bad.zone" in res.output


# -- check --dns --------------------------------------------------------------------------------------------

def message(frm, return_path=None, dkim=()):
    headers = {"From": frm}
    if return_path:
        headers["Return-Path"] = return_path
    pairs = list(headers.items()) + [("DKIM-Signature", f"v=1; a=rsa-sha256; d={d}; s={s}; h=from; bh=x; b=y")
                                     for d, s in dkim]
    return example_message({"headers": pairs})


def test_check_dns_aligned_message_is_clean_and_cached(server):
    opts = DnsOptions(nameserver="127.0.0.1", port=server.port, timeout=3.0)
    msg = message("News <news@good.test>", "<b@news.good.test>", [("good.test", "s2048")])
    assert check_message_dns(msg, opts) == []
    asked = len(server.data.asked)
    assert check_message_dns(msg, opts) == []
    assert len(server.data.asked) == asked  # second message: every domain answered from the run's cache


def test_check_dns_reports_misalignment_and_the_signing_key(server):
    opts = DnsOptions(nameserver="127.0.0.1", port=server.port, timeout=3.0)
    msg = message("news@good.test", "<b@weakdkim.test>", [("weakdkim.test", "s512")])
    findings = check_message_dns(msg, opts)
    assert {f.rule for f in findings} == {"dkim-key-weak", "dmarc-dkim-misaligned", "dmarc-spf-misaligned"}
    levels = {f.rule: f.level for f in findings}
    # neither identifier aligned: DMARC fails, reported once at error level (on the DKIM finding)
    assert levels == {"dkim-key-weak": "error", "dmarc-dkim-misaligned": "error", "dmarc-spf-misaligned": "info"}


def test_check_dns_unsigned_message_with_foreign_return_path_fails_dmarc(server):
    opts = DnsOptions(nameserver="127.0.0.1", port=server.port, timeout=3.0)
    findings = check_message_dns(message("news@good.test", "<b@weakdkim.test>"), opts)
    assert [(f.rule, f.level) for f in findings] == [("dmarc-spf-misaligned", "error")]
    assert "DMARC fails" in findings[0].message


def test_check_dns_through_the_real_cli(tmp_path):
    cli = pytest.importorskip("contentlint.cli")
    eml = tmp_path / "m.eml"
    eml.write_text("From: News <news@good.test>\nTo: a@example.org\nReturn-Path: <b@weakdkim.test>\n"
                   "DKIM-Signature: v=1; a=rsa-sha256; d=weakdkim.test; s=s512; h=from; bh=x; b=y\n"
                   "Subject: Hello\nContent-Type: text/plain\n\nHello, our monthly update.\n")
    zone = tmp_path / "all.zone"
    zone.write_text(zone_path("good").read_text() + zone_path("weak-dkim").read_text())
    res = CliRunner().invoke(cli.app, ["check", str(eml), "--zone", str(zone), "--format", "json"])
    assert res.exit_code == 1, res.output
    (result,) = json.loads(res.stdout)["results"]
    dns = {f["rule"]: f for f in result["findings"] if f["location"]["part"] == "dns"}
    assert set(dns) == {"dkim-key-weak", "dmarc-dkim-misaligned", "dmarc-spf-misaligned"}
    assert dns["dkim-key-weak"]["location"]["excerpt"].startswith("v=DKIM1; k=rsa; p=MFww")
    # the header-only guess says the same as the DNS check: counted once, by the DNS rule that replaces it
    rules = [f["rule"] for f in result["findings"]]
    assert "dkim-misaligned" not in rules and "from-not-aligned" not in rules
    without_dns = CliRunner().invoke(cli.app, ["check", str(eml), "--format", "json"])
    offline = [f["rule"] for f in json.loads(without_dns.stdout)["results"][0]["findings"]]
    # offline, the headers show neither DKIM d= nor Return-Path aligned: one finding, which replaces dkim-misaligned
    assert "from-not-aligned" in offline and "dkim-misaligned" not in offline


def test_dns_command_through_the_real_cli():
    cli = pytest.importorskip("contentlint.cli")
    res = CliRunner().invoke(cli.app, ["dns", "loop.test", "--zone", str(zone_path("include-loop"))])
    assert res.exit_code == 1 and "spf-include-loop" in res.output


def test_check_dns_audits_from_domain_and_zone_file_option():
    opts = DnsOptions(zone_file=str(zone_path("p-none")))
    findings = check_message_dns(message("a@pnone.test", "<a@pnone.test>"), opts)
    assert {f.rule for f in findings} == {"dmarc-policy-none"}


def test_check_dns_unreachable_raises():
    opts = DnsOptions(nameserver="127.0.0.1", port=_closed_port(), timeout=0.5)
    with pytest.raises(DnsUnavailable):
        check_message_dns(message("a@good.test"), opts)
    start = time.monotonic()
    with pytest.raises(DnsUnavailable):  # the failure is remembered: no second wait
        check_message_dns(message("b@good.test"), opts)
    assert time.monotonic() - start < 0.4


def test_template_without_headers_has_no_dns_findings():
    from contentlint.model import INPUT_HTML, Message

    msg = Message(source="t.html", input_format=INPUT_HTML, has_headers=False)
    assert check_message_dns(msg, DnsOptions(zone_file=str(zone_path("p-none")))) == []


# -- DMARCbis, BIMI, MTA-STS and TLS-RPT against the live server ---------------------------------------------

def test_live_dmarcbis_tags_and_the_optional_records(server):
    result = audit_report("dmarcbis.test", live(server))
    by_rule = {f.rule: f for f in result.findings}
    assert result.dmarc.tags["np"] == "reject" and result.dmarc.tags["psd"] == "n" and result.dmarc.testing
    assert "dmarc-syntax" not in by_rule                       # np, psd and t are valid DMARCbis tags
    assert by_rule["dmarc-obsolete-tags"].level == "info"
    assert "pct=100, ri=86400" in by_rule["dmarc-obsolete-tags"].message
    assert by_rule["dmarc-policy-none"].level == "info" and "t=y" in by_rule["dmarc-policy-none"].message
    bimi = by_rule["bimi-record"]
    assert bimi.level == "warning" and "t=y" in bimi.message       # DMARC in testing mode: no logo shown
    assert result.bimi.tags["l"] == "https://dmarcbis.test/bimi/logo.svg"
    assert (by_rule["mta-sts-record"].level, by_rule["tls-rpt-record"].level) == ("info", "info")
    assert "id=2026-05-01" in by_rule["mta-sts-record"].message
    assert "tls@dmarcbis.test" in by_rule["tls-rpt-record"].message
    asked = {(n, t) for n, t, _ in server.data.asked}
    for name in ("default._bimi.dmarcbis.test.", "_mta-sts.dmarcbis.test.", "_smtp._tls.dmarcbis.test."):
        assert (name, "TXT") in asked


def test_live_good_domain_publishes_every_optional_record(server):
    result = audit_report("good.test", live(server), ["s2048"])
    assert result.findings == []
    assert result.bimi.record.startswith("v=BIMI1") and result.mta_sts.tags["id"] == "20260501T080000"
    assert result.tls_rpt.tags["rua"] == "mailto:tls-reports@good.test"


def test_live_tree_walk_finds_the_organisational_domain_below_a_psd(server):
    live_result = audit_report("shop.brand.psd.test", live(server))
    assert live_result.dmarc.name == "_dmarc.psd.test" and live_result.dmarc.org == "brand.psd.test"
    asked = [n for n, t, _ in server.data.asked if t == "TXT" and n.startswith("_dmarc.")]
    assert "_dmarc.shop.brand.psd.test." in asked and "_dmarc.brand.psd.test." in asked
    offline = audit_report("shop.brand.psd.test", ZoneResolver.from_file(ZONE_DIR / "psd.zone"))
    assert offline.dmarc.name == "_dmarc.psd.test" and offline.dmarc.org == "psd.test"   # public suffix list
    assert offline.dmarc.policy == live_result.dmarc.policy == "reject"


def test_one_cached_checker_serves_rulesets_with_different_levels_at_once():
    """No shared checker is mutated per call: two configurations checked in parallel keep their own levels."""
    from concurrent.futures import ThreadPoolExecutor

    from contentlint.engine import load_ruleset

    opts = DnsOptions(zone_file=str(zone_path("p-none")))
    loud = load_ruleset(overrides={"dmarc-policy-none": {"level": "error", "weight": 3.0}})
    quiet = load_ruleset(ignore=["dmarc-"])
    msg = example_message({"headers": {"From": "News <news@pnone.test>"}})

    def run_one(i):
        rs = loud if i % 2 else quiet
        return i % 2, [(f.rule, f.level, f.weight) for f in check_message_dns(msg, opts, ruleset=rs)]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(run_one, range(64)))
    for odd, found in results:
        if odd:
            assert ("dmarc-policy-none", "error", 3.0) in found
        else:
            assert not any(rule.startswith("dmarc-") for rule, _, _ in found)
