"""Zone files as DNS hosts export them (tests/data/zones/, one per style), read by `contentlint dns --zone`.

Each fixture audits to exactly its expected findings; an email provider's include that the files do not hold is
information ("not in the zone files, not checked"), never an error; `--zone` twice reads both files; a file
without $ORIGIN or SOA takes the audited domain as origin when its names fit, else says what to add.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from contentlint.dnsaudit import ZoneResolver, audit_report
from contentlint.dnsaudit.command import register

ZONES = Path(__file__).parent / "data" / "zones"
OUTSIDE = "dns-outside-zone"

# fixture -> (audited domain, DKIM selectors, exact [(rule, level, text the message names)], exit code)
EXPECTED = {
    "bind": ("example.com", ["mj"], [
        (OUTSIDE, "info", "include:spf.mailjet.com"),
        ("dmarc-obsolete-tags", "info", "pct=100"),
    ], 0),
    "ovh": ("example.fr", ["ovhmo123456-selector1"], [
        (OUTSIDE, "info", "include:mx.ovh.com"),
        (OUTSIDE, "info", "ovhmo123456-selector1._domainkey.example.fr"),
        ("dmarc-policy-none", "warning", "p=none"),
        ("bimi-record", "info", "default._bimi.example.fr"),
        ("mta-sts-record", "info", "_mta-sts.example.fr"),
        ("tls-rpt-record", "info", "_smtp._tls.example.fr"),
    ], 0),
    "gandi": ("example.eu", ["gm1"], [
        ("spf-permissive-all", "warning", "?all"),
        (OUTSIDE, "info", "include:_mailcust.gandi.net"),
        (OUTSIDE, "info", "gm1._domainkey.example.eu"),
        ("dmarc-missing", "error", "_dmarc.example.eu"),
        ("bimi-record", "info", "default._bimi.example.eu"),
        ("mta-sts-record", "info", "_mta-sts.example.eu"),
        ("tls-rpt-record", "info", "_smtp._tls.example.eu"),
    ], 1),
    "cloudflare": ("example.org", ["google", "s1"], [
        (OUTSIDE, "info", "include:_spf.google.com"),
        (OUTSIDE, "info", "include:sendgrid.net"),
        (OUTSIDE, "info", "s1._domainkey.example.org"),
        (OUTSIDE, "info", "example.org._report._dmarc.dmarc.postmarkapp.com"),
        ("bimi-record", "info", "default._bimi.example.org"),
        ("mta-sts-record", "info", "_mta-sts.example.org"),
        ("tls-rpt-record", "info", "_smtp._tls.example.org"),
    ], 0),
    "route53": ("example.net", ["legacy", "4xkq2wzgtq6sxnkdhu2edeopb5pqcqhy"], [
        (OUTSIDE, "info", "include:amazonses.com"),
        ("dkim-key-weak", "warning", "RSA 1024 bits"),
        (OUTSIDE, "info", "4xkq2wzgtq6sxnkdhu2edeopb5pqcqhy._domainkey.example.net"),
        ("bimi-record", "info", "default._bimi.example.net"),
    ], 0),
}


@pytest.fixture(scope="module")
def app():
    app = typer.Typer()
    register(app)

    @app.command("version")
    def version():  # a second command keeps "dns" a sub-command, as in the real CLI
        pass

    return app


def run(app, *args):
    return CliRunner().invoke(app, ["dns", *args])


@pytest.mark.parametrize("style", list(EXPECTED))
def test_each_exported_zone_audits_to_exactly_its_findings(app, style):
    domain, selectors, expected, code = EXPECTED[style]
    args = [domain, "--zone", str(ZONES / f"{style}.zone"), "--format", "json"]
    for s in selectors:
        args += ["--dkim-selector", s]
    res = run(app, *args)
    assert res.exit_code == code, res.output
    findings = json.loads(res.stdout)["findings"]
    assert [(f["rule"], f["level"]) for f in findings] == [(r, lv) for r, lv, _ in expected]
    for f, (_, _, text) in zip(findings, expected):
        assert text in f["message"], (f["message"], text)


def test_records_of_every_style_are_read_whole():
    """SOA/NS, @, relative names, parenthesised and split TXT records: the keys are whole, of the right size."""
    bind = audit_report("example.com", ZoneResolver.from_file(ZONES / "bind.zone"), ["mj"])
    assert (bind.dkim[0].status, bind.dkim[0].bits) == ("ok", 2048)          # 3 lines in parentheses
    assert bind.dmarc.policy == "quarantine" and bind.mta_sts.record and bind.tls_rpt.record and bind.bimi.record
    cloudflare = audit_report("example.org", ZoneResolver.from_file(ZONES / "cloudflare.zone"), ["google"])
    assert cloudflare.dkim[0].bits == 2048                                   # two strings on one line
    assert cloudflare.dmarc.policy == "reject"
    ovh = audit_report("example.fr", ZoneResolver.from_file(ZONES / "ovh.zone", domain="example.fr"))
    assert ovh.spf.record == "v=spf1 include:mx.ovh.com ~all"                # no $ORIGIN: the audited domain


def test_an_esp_include_outside_the_files_is_info_with_the_hint_and_at_least_n_lookups(app):
    res = run(app, "example.com", "--zone", str(ZONES / "bind.zone"))
    assert res.exit_code == 0, res.output
    assert "at least 2 of 10 DNS lookups (1 include not in the zone files, not counted)" in res.output
    line = next(x for x in res.output.splitlines() if "dns-outside-zone" in x)
    assert line.startswith("info ") and "not in the zone files, not checked" in line
    assert "without --zone (or check --dns)" in res.output
    assert "spf-include-missing" not in res.output and "fix the spelling" not in res.output.lower()


ESP_ZONE = """$ORIGIN mailjet.com.
$TTL 3600
@     IN SOA ns1.mailjet.com. hostmaster.mailjet.com. 1 7200 3600 1209600 300
spf   IN TXT "v=spf1 include:spf-a.mailjet.com include:spf-b.mailjet.com ~all"
spf-a IN TXT "v=spf1 ip4:192.0.2.0/24 ~all"
spf-b IN TXT "v=spf1 ip4:198.51.100.0/24 ~all"
"""


def test_zone_twice_reads_both_files(app, tmp_path):
    esp = tmp_path / "mailjet.zone"
    esp.write_text(ESP_ZONE)
    res = run(app, "example.com", "--zone", str(ZONES / "bind.zone"), "--zone", str(esp), "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["spf"]["lookups"] == 4 and doc["spf"]["lookups_at_least"] is False   # mx + include + its two
    assert doc["spf"]["not_checked"] == []
    assert [f["rule"] for f in doc["findings"]] == ["dmarc-obsolete-tags"]
    assert str(esp) in doc["source"] and "bind.zone" in doc["source"]


def test_no_origin_and_no_soa_takes_the_audited_domain_when_the_names_fit(app, tmp_path):
    zone = tmp_path / "plain.zone"
    zone.write_text('@ 300 IN TXT "v=spf1 ip4:192.0.2.1 -all"\n'
                    '_dmarc 300 IN TXT "v=DMARC1; p=reject; rua=mailto:d@shop.example.com"\n')
    res = run(app, "shop.example.com", "--zone", str(zone), "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["spf"]["record"] == "v=spf1 ip4:192.0.2.1 -all"
    assert doc["dmarc"]["name"] == "_dmarc.shop.example.com"
    assert [f["rule"] for f in doc["findings"]] == ["bimi-record"]


def test_no_origin_and_names_that_do_not_fit_is_a_clear_error(app, tmp_path):
    zone = tmp_path / "other.zone"
    zone.write_text('_dmarc 300 IN TXT "v=DMARC1; p=reject"\n'
                    'mail.example.net 300 IN TXT "v=spf1 -all"\n')
    res = run(app, "example.com", "--zone", str(zone))
    assert res.exit_code == 2
    assert "line 2" in res.output and "mail.example.net" in res.output
    assert "$ORIGIN" in res.output and "--origin" in res.output
    fixed = run(app, "example.net", "--zone", str(zone), "--origin", "example.net", "--format", "json")
    doc = json.loads(fixed.stdout)
    assert doc["dmarc"]["record"] == "v=DMARC1; p=reject"       # _dmarc read under the origin given
    assert fixed.exit_code == 1 and "spf-missing" in {f["rule"] for f in doc["findings"]}  # SPF is on mail.


def test_an_include_directive_is_refused(app, tmp_path):
    zone = tmp_path / "inc.zone"
    zone.write_text("$ORIGIN example.com.\n$INCLUDE /etc/passwd\n")
    res = run(app, "example.com", "--zone", str(zone))
    assert res.exit_code == 2 and "$INCLUDE" in res.output


@pytest.mark.parametrize("domain,why", [
    ("xn--", "not a fully qualified domain name"),
    ("xn--.example.com", "inner hyphens"),
    ("xn--zz.example.com", "IDNA"),
    ("[::1]", "IP address"),
    ("192.0.2.1", "IP address"),
    ("example.com\nevil.test", "control character"),
    ("localhost", "fully qualified"),
    ("exa_mple.com", "letters, digits"),
    ("bad-.example.com", "letters, digits"),
])
def test_the_domain_is_validated_first(app, domain, why):
    res = run(app, domain, "--zone", str(ZONES / "bind.zone"))
    assert res.exit_code == 2
    assert why in res.output and "Traceback" not in res.output


def test_an_idna_domain_is_accepted(app, tmp_path):
    zone = tmp_path / "idn.zone"
    zone.write_text('$ORIGIN xn--exmple-cua.com.\n@ 300 IN TXT "v=spf1 -all"\n'
                    '_dmarc 300 IN TXT "v=DMARC1; p=reject; rua=mailto:d@xn--exmple-cua.com"\n')
    for name in ("exämple.com", "xn--exmple-cua.com", "News@Exämple.COM."):
        res = run(app, name, "--zone", str(zone))
        assert res.exit_code == 0, res.output
        assert res.output.startswith("xn--exmple-cua.com ")


GOOD_SVG = ('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" version="1.2" '
            'baseProfile="tiny-ps" viewBox="0 0 64 64"><title>Example</title><rect width="64" height="64" '
            'fill="#1a5"/></svg>\n')


def test_a_local_bimi_logo_is_checked_against_svg_tiny_ps(app, tmp_path):
    good, bad, bomb = tmp_path / "good.svg", tmp_path / "bad.svg", tmp_path / "bomb.svg"
    good.write_text(GOOD_SVG)
    bad.write_text('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" x="0" '
                   'version="1.1"><script>alert(1)</script><image xlink:href="https://cdn.example.net/logo.png"/></svg>')
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                    '<svg>&b;</svg>')
    args = ["example.com", "--zone", str(ZONES / "bind.zone"), "--format", "json", "--bimi-svg"]
    ok = json.loads(run(app, *args, str(good)).stdout)
    assert "bimi-record" not in {f["rule"] for f in ok["findings"]}
    res = run(app, *args, str(bad))
    (f,) = [f for f in json.loads(res.stdout)["findings"] if f["rule"] == "bimi-record"]
    assert f["level"] == "warning" and "SVG Tiny PS" in f["message"]
    for problem in ('baseProfile="tiny-ps"', 'version="1.2"', "x= or y=", "<title>", "<script>", "<image>",
                    "https://cdn.example.net/logo.png"):
        assert problem in " ".join(f["matches"]), problem
    (g,) = [f for f in json.loads(run(app, *args, str(bomb)).stdout)["findings"] if f["rule"] == "bimi-record"]
    assert "DOCTYPE" in g["message"]
    missing = run(app, *args, str(tmp_path / "nope.svg"))
    assert missing.exit_code == 2 and "cannot read --bimi-svg" in missing.output


def test_a_zone_file_that_holds_nothing_of_the_domain_is_an_error(app, tmp_path):
    res = run(app, "example.org", "--zone", str(ZONES / "bind.zone"))
    assert res.exit_code == 2 and "no zone that contains example.org" in res.output


def test_cr_only_lines_and_records_without_ttl(app, tmp_path):
    zone = tmp_path / "mac.zone"
    zone.write_bytes(b'$ORIGIN example.com.\r@ IN TXT "v=spf1 -all"\r_dmarc IN TXT "v=DMARC1; p=reject; '
                     b'rua=mailto:d@example.com"\r')
    res = run(app, "example.com", "--zone", str(zone), "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["spf"]["record"] == "v=spf1 -all" and doc["dmarc"]["policy"] == "reject"
