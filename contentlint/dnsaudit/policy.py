"""The sending domain's optional records: BIMI (brand logo), MTA-STS and SMTP TLS reporting.

* BIMI (draft-brand-indicators-for-message-identification): a TXT record ``v=BIMI1; l=<https URL of an SVG
  Tiny PS logo>; a=<https URL of a VMC/CMC certificate>`` at ``SELECTOR._bimi.DOMAIN`` (selector ``default``),
  else at ``default._bimi`` of the organisational domain. Receivers show the logo only when DMARC is enforced
  (p=quarantine or p=reject, on all mail); Gmail and Apple also need the certificate (``a=``).
* MTA-STS (RFC 8461): ``v=STSv1; id=<1-32 letters or digits>`` at ``_mta-sts.DOMAIN`` (the policy file itself is
  on https://mta-sts.DOMAIN/.well-known/mta-sts.txt and is not fetched: no network beyond DNS).
* TLS-RPT (RFC 8460): ``v=TLSRPTv1; rua=<mailto: or https: URIs>`` at ``_smtp._tls.DOMAIN``.

All of them are reported at info level (optional records), except a BIMI record that receivers will ignore.
MTA-STS and TLS-RPT protect mail *to* the domain: their absence is reported only for a domain with MX records.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import urlsplit

from .dkim import parse_tag_list
from .resolver import OK, BaseResolver
from .ruledata import Issue
from .spf import record_text

_STS_ID = re.compile(r"[A-Za-z0-9]{1,32}")


@dataclass
class PolicyResult:
    """One optional record: where it was looked for, what was found, and the issues."""

    kind: str                              # "bimi" | "mta-sts" | "tls-rpt"
    name: str
    record: Optional[str] = None
    tags: dict = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "record": self.record, "tags": dict(self.tags)}


def _records(name: str, resolver: BaseResolver, prefix: str):
    ans = resolver.txt(name)
    texts = [record_text(s) for s in ans.records] if ans.status == OK else []
    return ans, [t for t in texts if t.replace(" ", "").lower().startswith(prefix.lower())]


def _https(url: str) -> Optional[str]:
    """None when ``url`` is an absolute https URL with a host, else the problem."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != "https":
        return f"“{url}” is not an https:// URL"
    if not parts.hostname:
        return f"“{url}” has no host name"
    return None


def _receives_mail(domain: str, resolver: BaseResolver) -> bool:
    ans = resolver.query(domain, "MX")
    return ans.status == OK and bool(ans.records)


def _syntax(res: PolicyResult, rule: str, base: dict, problem: str) -> PolicyResult:
    res.issues.append(Issue(rule, "syntax", res.record or "", {**base, "problem": problem}))
    return res


def audit_bimi(domain: str, resolver: BaseResolver, dmarc=None, selector: str = "default",
               org: Optional[str] = None) -> PolicyResult:
    """BIMI record of ``domain`` (``selector``), checked against the DMARC result it depends on."""
    selector = (selector or "default").strip().rstrip(".")
    name = f"{selector}._bimi.{domain}"
    res = PolicyResult("bimi", name)
    base = {"domain": domain, "name": name, "selector": selector}
    ans, recs = _records(name, resolver, "v=BIMI1")
    if ans.unknown:
        res.issues.append(Issue("dns-outside-zone", None, "", {**base, "what": "BIMI"}))
        return res
    if not recs and org and org != domain:
        alt = f"default._bimi.{org}"
        _, recs = _records(alt, resolver, "v=BIMI1")
        if recs:
            res.name = name = alt
            base["name"] = alt
    if not recs:
        res.issues.append(Issue("bimi-record", "missing", "", base))
        return res
    res.record = recs[0]
    if len(recs) > 1:
        return _syntax(res, "bimi-record", base, f"{len(recs)} BIMI records are published at the same name")
    tags, problem = parse_tag_list(recs[0])
    res.tags = tags
    if problem:
        return _syntax(res, "bimi-record", base, problem)
    if tags.get("v") != "BIMI1" or not recs[0].lstrip().startswith("v"):
        return _syntax(res, "bimi-record", base, "the record must start with v=BIMI1")
    logo, cert = tags.get("l"), tags.get("a")
    if logo is None:
        return _syntax(res, "bimi-record", base, "the l= tag (the logo's https URL) is missing")
    if logo == "" and not cert:
        return res                          # a declination record: the domain has no logo, on purpose
    for tag, url in (("l", logo), ("a", cert)):
        if url:
            bad = _https(url)
            if bad:
                return _syntax(res, "bimi-record", base, f"{tag}= {bad}")
    if logo and not urlsplit(logo).path.lower().endswith(".svg"):
        return _syntax(res, "bimi-record", base, f"l= must point at an SVG file (…/logo.svg), not “{logo}”")
    if dmarc is not None:
        enforced = dmarc.policy in ("quarantine", "reject") and dmarc.pct >= 100 and not dmarc.testing \
            and (dmarc.tags.get("sp", "").lower() != "none")
        if not enforced:
            policy = dmarc.record and f"p={dmarc.policy or '?'}" or "no DMARC record"
            if dmarc.policy in ("quarantine", "reject"):
                policy += " (" + ", ".join(x for x in (f"pct={dmarc.pct}" if dmarc.pct < 100 else "",
                                                        "t=y" if dmarc.testing else "",
                                                        "sp=none" if dmarc.tags.get("sp", "").lower() == "none"
                                                        else "") if x) + ")"
            res.issues.append(Issue("bimi-record", "dmarc-not-enforced", recs[0], {**base, "policy": policy}))
            return res
    if not cert:
        res.issues.append(Issue("bimi-record", "no-certificate", recs[0], base))
    return res


def _inbound_record(kind: str, rule: str, name: str, domain: str, resolver: BaseResolver, version: str,
                    what: str) -> tuple[PolicyResult, Optional[dict]]:
    """The record of an inbound-mail policy (MTA-STS, TLS-RPT): (result, its tags) or (result, None) when
    there is nothing more to check (absent, outside the zone files, or already invalid)."""
    res = PolicyResult(kind, name)
    base = {"domain": domain, "name": name}
    ans, recs = _records(name, resolver, "v=" + version)
    if ans.unknown:
        res.issues.append(Issue("dns-outside-zone", None, "", {**base, "what": what}))
        return res, None
    if not recs:
        if _receives_mail(domain, resolver):
            res.issues.append(Issue(rule, "missing", "", base))
        return res, None
    res.record = recs[0]
    if len(recs) > 1:
        _syntax(res, rule, base, f"{len(recs)} records are published; senders use none")
        return res, None
    tags, problem = parse_tag_list(recs[0])
    res.tags = tags
    if problem or tags.get("v") != version:
        _syntax(res, rule, base, problem or f"the record must start with v={version}")
        return res, None
    return res, tags


def audit_mta_sts(domain: str, resolver: BaseResolver) -> PolicyResult:
    res, tags = _inbound_record("mta-sts", "mta-sts-record", f"_mta-sts.{domain}", domain, resolver, "STSv1",
                                "MTA-STS")
    if tags is None:
        return res
    base = {"domain": domain, "name": res.name}
    if "id" not in tags:
        return _syntax(res, "mta-sts-record", base, "the id= tag is missing (change it each time the policy changes)")
    if not _STS_ID.fullmatch(tags["id"]):
        return _syntax(res, "mta-sts-record", base, f"id={tags['id']} must be 1 to 32 letters or digits")
    return res


def audit_tls_rpt(domain: str, resolver: BaseResolver) -> PolicyResult:
    res, tags = _inbound_record("tls-rpt", "tls-rpt-record", f"_smtp._tls.{domain}", domain, resolver, "TLSRPTv1",
                                "TLS-RPT")
    if tags is None:
        return res
    base = {"domain": domain, "name": res.name}
    rua = tags.get("rua", "")
    if not rua:
        return _syntax(res, "tls-rpt-record", base, "the rua= tag (where reports go) is missing")
    for uri in (u.strip() for u in rua.split(",")):
        low = uri.lower()
        if low.startswith("mailto:"):
            if "@" not in uri[7:] or uri.endswith("@"):
                return _syntax(res, "tls-rpt-record", base, f"“{uri}” is not a mailto: address")
        elif low.startswith("https:"):
            bad = _https(uri)
            if bad:
                return _syntax(res, "tls-rpt-record", base, bad)
        else:
            return _syntax(res, "tls-rpt-record", base, f"“{uri}” must be a mailto: or https: URI")
    return res


# -- the BIMI logo (a local file, when given: nothing is fetched) ------------------------------------------------

SVG_MAX_BYTES = 32 * 1024          # BIMI Group: keep the logo under 32 KB
_SVG_FORBIDDEN = ("script", "image", "foreignObject", "animate", "animateMotion", "animateTransform",
                  "animateColor", "set", "iframe", "video", "audio", "canvas")


def check_bimi_svg(data: bytes) -> list[str]:
    """Problems of an SVG logo against the SVG Tiny Portable/Secure profile BIMI requires (empty: none found).

    Checked: the root is ``<svg version="1.2" baseProfile="tiny-ps">`` without x=/y=, it has a ``<title>``, it
    holds no script, raster image, animation or foreign object, refers to nothing outside itself, and weighs
    at most 32 KB. The XML is parsed without resolving entities or anything external.
    """
    import xml.etree.ElementTree as ET

    problems: list[str] = []
    if len(data) > SVG_MAX_BYTES:
        problems.append(f"{len(data) // 1024} KB: keep the logo under 32 KB")
    if b"<!ENTITY" in data or b"<!DOCTYPE" in data.upper():
        problems.append("it declares a DOCTYPE or entities, which SVG Tiny PS does not allow")
        return problems
    try:
        root = ET.fromstring(data[:1024 * 1024])
    except ET.ParseError as exc:
        return problems + [f"it is not well-formed XML ({exc})"]

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    if local(root.tag) != "svg":
        return problems + [f"the root element is <{local(root.tag)}>, not <svg>"]
    attrs = {local(k): v for k, v in root.attrib.items()}
    if attrs.get("baseProfile") != "tiny-ps":
        problems.append('the <svg> element needs baseProfile="tiny-ps"')
    if attrs.get("version") != "1.2":
        problems.append('the <svg> element needs version="1.2"')
    if "x" in attrs or "y" in attrs:
        problems.append("the <svg> element must not have x= or y= attributes")
    if not any(local(el.tag) == "title" for el in root):
        problems.append("it has no <title> (the brand's name) under <svg>")
    seen: set[str] = set()
    for el in root.iter():
        tag = local(el.tag)
        if tag in _SVG_FORBIDDEN and tag not in seen:
            seen.add(tag)
            problems.append(f"it holds <{tag}>, which SVG Tiny PS forbids")
        for key, value in el.attrib.items():
            if local(key) == "href" and not value.startswith("#") and "external" not in seen:
                seen.add("external")
                problems.append(f"it refers to “{value[:60]}” outside the file")
    return problems
