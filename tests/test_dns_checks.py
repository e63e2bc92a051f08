"""SPF, DKIM and DMARC checks on small zones (offline, through audit_zone_text / ZoneResolver)."""
from __future__ import annotations

import base64

import pytest

from contentlint.dnsaudit import ZoneResolver, audit_report, audit_zone_text
from contentlint.dnsaudit.dkim import rsa_key_bits
from contentlint.dnsaudit.dmarc import aligned, org_domain
from contentlint.dnsaudit.spf import parse_spf

DMARC = ('_dmarc.example.com. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:d@example.com"\n'
         # the optional records, so that each test sees only the findings it is about
         'default._bimi.example.com. 300 IN TXT "v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem"\n'
         '_mta-sts.example.com. 300 IN TXT "v=STSv1; id=20260501"\n'
         '_smtp._tls.example.com. 300 IN TXT "v=TLSRPTv1; rua=mailto:tls@example.com"\n')
KEY_512 = ("MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAN+/Ds6LzYEf4V59RpU6uVKeKb07nTo23IdLOD3SAzUnZAjFYom+N30wPoAnPPEAcGDh"
           "v81cvoCDdEEIb9QzfNECAwEAAQ==")


def spf_zone(record, extra=""):
    return f'example.com. 300 IN TXT "{record}"\n' + DMARC + extra


def rules_for(zone, domain="example.com", selectors=()):
    return {f.rule for f in audit_zone_text(domain, zone, selectors)}


@pytest.mark.parametrize("record", [
    "v=spf1 -all",
    "v=spf1 ip4:192.0.2.1 ip4:192.0.2.0/24 ip6:2001:db8::1 ip6:2001:db8::/32 -all",
    "v=spf1 a mx a/24 mx:example.com//64 a:example.com/24//64 -all",
    "v=spf1 exists:%{i}._spf.%{d} -all",
    "v=spf1 include:_spf.%{d2} ~all",
    "v=spf1 ip4:192.0.2.1 exp=explain.example.com -all",
    "v=spf1 ip4:192.0.2.1 foo=bar -all",
    "V=SPF1 IP4:192.0.2.1 -ALL",
    "v=spf1  ip4:192.0.2.1   -all",
])
def test_valid_spf_syntax(record):
    assert parse_spf(record).errors == []


@pytest.mark.parametrize("record,term", [
    ("v=spf1 ipv4:192.0.2.1 -all", "ipv4:192.0.2.1"),
    ("v=spf1 ip4:192.0.2.300 -all", "ip4:192.0.2.300"),
    ("v=spf1 ip4:2001:db8::1 -all", "ip4:2001:db8::1"),
    ("v=spf1 ip6:2001:db8::/129 -all", "ip6:2001:db8::/129"),
    ("v=spf1 include: -all", "include:"),
    ("v=spf1 include=_spf.example.net -all", "include=_spf.example.net"),
    ("v=spf1 include:example -all", "include:example"),
    ("v=spf1 ~redirect=example.net", "~redirect=example.net"),
    ("v=spf1 redirect=a.example.net redirect=b.example.net", "redirect=b.example.net"),
    ("v=spf1 all:x", "all:x"),
    ("v=spf1 a:exa%mple.com -all", "a:exa%mple.com"),
    ("v=spf1 mx/33 -all", "mx/33"),
])
def test_invalid_spf_syntax_names_the_term(record, term):
    assert term in [t for t, _ in parse_spf(record).errors]


def test_strings_joined_without_space_break_the_record():
    # "…include:a.example.net" "include:b…" joins into one bad term (RFC 7208 §3.3)
    zone = ('example.com. 300 IN TXT "v=spf1 include:a.example.net" "include:b.example.net -all"\n' + DMARC
            + 'a.example.netinclude:b.example.net. 300 IN TXT "x"\n')
    findings = audit_zone_text("example.com", zone)
    assert {f.rule for f in findings} == {"spf-syntax"}


def test_lookup_count_costliest_include_and_redirect():
    zone = spf_zone("v=spf1 include:one.example.net include:three.example.net a -all", """
one.example.net. 300 IN TXT "v=spf1 ip4:192.0.2.1 ~all"
three.example.net. 300 IN TXT "v=spf1 include:x.example.net mx:example.net ~all"
x.example.net. 300 IN TXT "v=spf1 ip4:192.0.2.2 ~all"
example.net. 300 IN MX 10 mx.example.net.
example.com. 300 IN A 192.0.2.9
""")
    res = audit_report("example.com", ZoneResolver(zone))
    assert res.spf.lookups == 5
    assert res.spf.costliest == ("include:three.example.net", 3)
    assert dict(res.spf.include_costs) == {"include:one.example.net": 1, "include:three.example.net": 3}
    assert res.findings == []


@pytest.mark.parametrize("hosts,fails", [(10, False), (11, True)])
def test_an_mx_term_may_resolve_at_most_ten_hosts(hosts, fails):
    mx = "".join(f"mail.example.net. 300 IN MX {i} mx{i}.example.net.\n" for i in range(hosts))
    zone = spf_zone("v=spf1 include:_spf.example.net -all",
                    'mail.example.net. 300 IN A 192.0.2.3\n_spf.example.net. 300 IN TXT "v=spf1 mx:mail.example.net ~all"\n' + mx)
    res = audit_report("example.com", ZoneResolver(zone))
    assert res.spf.lookups == 2                      # the include and its mx term: far under the limit of 10
    found = [f for f in res.findings if f.rule == "spf-too-many-lookups"]
    if not fails:
        assert found == [] and res.spf.status == "found"
        return
    (f,) = found
    assert f.level == "error" and "11 mail hosts" in f.message
    assert "mx:mail.example.net (in the record of _spf.example.net)" in f.message
    assert res.spf.status == "permerror"


def test_lookups_after_all_and_redirect_with_all_are_not_counted():
    zone = spf_zone("v=spf1 ip4:192.0.2.1 -all include:late.example.net redirect=r.example.net",
                    'late.example.net. 300 IN TXT "v=spf1 -all"\nr.example.net. 300 IN TXT "v=spf1 -all"\n')
    res = audit_report("example.com", ZoneResolver(zone))
    assert res.spf.lookups == 0
    assert [(f.rule, f.level) for f in res.findings] == [("spf-syntax", "warning")]  # terms after all


def test_macro_targets_are_counted_but_not_followed():
    res = audit_report("example.com", ZoneResolver(spf_zone("v=spf1 exists:%{i}.bl.example.net include:%{d}.x.example.net -all")))
    assert res.spf.lookups == 2 and res.spf.void_lookups == 0 and res.findings == []


def test_include_whose_record_ends_in_plus_all_is_permissive():
    zone = spf_zone("v=spf1 include:open.example.net -all", 'open.example.net. 300 IN TXT "v=spf1 +all"\n')
    findings = audit_zone_text("example.com", zone)
    assert [f.rule for f in findings] == ["spf-permissive-all"]
    assert "open.example.net" in findings[0].message and findings[0].level == "error"


@pytest.mark.parametrize("record,level", [("v=spf1 ip4:192.0.2.1 all", "error"),
                                          ("v=spf1 ip4:192.0.2.1", "warning")])
def test_bare_all_and_missing_all(record, level):
    findings = audit_zone_text("example.com", spf_zone(record))
    assert [(f.rule, f.level) for f in findings] == [("spf-permissive-all", level)]


def test_obsolete_spf_type_next_to_txt_is_a_note():
    zone = spf_zone("v=spf1 -all", 'example.com. 300 IN SPF "v=spf1 -all"\n')
    assert [(f.rule, f.level) for f in audit_zone_text("example.com", zone)] == [("spf-syntax", "info")]


def test_ptr_is_discouraged():
    zone = spf_zone("v=spf1 ptr -all")
    assert [(f.rule, f.level) for f in audit_zone_text("example.com", zone)] == [("spf-syntax", "warning")]


def test_two_void_lookups_are_allowed_three_are_not():
    two = spf_zone("v=spf1 a:gone1.example.com mx:gone2.example.com -all")
    three = spf_zone("v=spf1 a:gone1.example.com mx:gone2.example.com include:gone3.example.com -all")
    assert rules_for(two) == set()
    assert rules_for(three) == {"spf-void-lookups", "spf-include-missing"}


def test_self_include_is_a_loop():
    assert rules_for(spf_zone("v=spf1 include:example.com -all")) == {"spf-include-loop"}


def test_dkim_key_through_cname_and_pkcs1_key():
    der = base64.b64decode(KEY_512)
    assert rsa_key_bits(der) == 512
    # bare RSAPublicKey (PKCS#1): the BIT STRING content of the SubjectPublicKeyInfo
    pkcs1 = der[der.index(b"\x03\x4b\x00") + 3:]
    assert rsa_key_bits(pkcs1) == 512
    zone = DMARC + 'example.com. 300 IN TXT "v=spf1 -all"\n' + \
        's1._domainkey.example.com. 300 IN CNAME s1.dkim.esp.example.net.\n' + \
        f's1.dkim.esp.example.net. 300 IN TXT "k=rsa; p={base64.b64encode(pkcs1).decode()}"\n'
    res = audit_report("example.com", ZoneResolver(zone), ["s1"])
    assert res.dkim[0].bits == 512
    assert [(f.rule, f.level) for f in res.findings] == [("dkim-key-weak", "error")]


@pytest.mark.parametrize("record,problem", [
    ("v=DKIM2; p=" + KEY_512, "DKIM1"),
    ("v=DKIM1; k=dsa; p=" + KEY_512, "key type"),
    ("v=DKIM1; k=rsa; p=not*base64", "base64"),
    ("v=DKIM1; k=rsa", "p="),
    ("k=rsa; v=DKIM1; p=" + KEY_512, "first"),
    ("v=DKIM1; k=ed25519; p=" + KEY_512, "32 bytes"),
])
def test_dkim_syntax_problems(record, problem):
    zone = DMARC + 'example.com. 300 IN TXT "v=spf1 -all"\n' + f's1._domainkey.example.com. 300 IN TXT "{record}"\n'
    findings = audit_zone_text("example.com", zone, ["s1"])
    assert [f.rule for f in findings] == ["dkim-syntax"]
    assert problem in findings[0].message


def test_dmarc_found_at_organisational_domain_and_alignment():
    zone = 'news.example.com. 300 IN TXT "v=spf1 -all"\n' + DMARC
    res = audit_report("news.example.com", ZoneResolver(zone))
    assert res.findings == [] and res.dmarc.name == "_dmarc.example.com"
    assert org_domain("a.b.example.co.uk") == "example.co.uk"
    assert aligned("mail.example.com", "example.com", "r")
    assert not aligned("mail.example.com", "example.com", "s")
    assert not aligned("example.net", "example.com", "r")


def test_dmarc_unknown_tag_and_multiple_records():
    typo = ('example.com. 300 IN TXT "v=spf1 -all"\n_dmarc.example.com. 300 IN TXT "v=DMARC1; p=reject; rau=mailto:d@example.com"\n'
            + DMARC.split("\n", 1)[1])
    findings = audit_zone_text("example.com", typo)
    assert sorted((f.rule, f.level) for f in findings) == [("dmarc-no-rua", "warning"), ("dmarc-syntax", "warning")]
    two = 'example.com. 300 IN TXT "v=spf1 -all"\n' + DMARC + '_dmarc.example.com. 300 IN TXT "v=DMARC1; p=none"\n'
    # with two records no DMARC policy applies, so the BIMI logo would not be shown either
    assert sorted((f.rule, f.level) for f in audit_zone_text("example.com", two)) == [
        ("bimi-record", "warning"), ("dmarc-syntax", "error")]


def test_unicode_domain_is_audited_in_idna_form():
    zone = 'xn--exmple-cua.com. 300 IN TXT "v=spf1 -all"\n_dmarc.xn--exmple-cua.com. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:d@xn--exmple-cua.com"\n'
    assert [f.rule for f in audit_zone_text("exämple.com", zone)] == ["bimi-record"]


def test_exponential_include_tree_is_bounded():
    # every level includes the next twice: 2**40 evaluations if followed blindly
    zone = "".join(f'd{i}.example.com. 60 IN TXT "v=spf1 include:d{i + 1}.example.com include:d{i + 1}.example.com -all"\n'
                   for i in range(40)) + 'd40.example.com. 60 IN TXT "v=spf1 -all"\n' + DMARC
    res = audit_report("d0.example.com", ZoneResolver(zone))
    assert res.spf.truncated
    assert [f.rule for f in res.findings] == ["spf-too-many-lookups"]
    assert "at least" in res.findings[0].message
