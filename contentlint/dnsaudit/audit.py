"""Domain audit (SPF + DKIM + DMARC) and the per-message DNS check behind ``check --dns``."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any, Iterable, Optional

from ..findings import Finding
from .dkim import DkimResult, audit_dkim, parse_tag_list
from .dmarc import DmarcResult, aligned, audit_dmarc
from .policy import PolicyResult, audit_bimi, audit_mta_sts, audit_tls_rpt, check_bimi_svg
from .resolver import BaseResolver, DnsUnavailable, ZoneResolver, make_resolver
from .ruledata import Issue, to_finding
from .spf import SpfResult, audit_spf


_LDH = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def normalise_domain(domain: str) -> str:
    """Lower-case ASCII (IDNA) form of a domain; ValueError, saying why, when it cannot be a domain name.

    Accepts ``example.com``, ``example.com.``, ``News@Example.COM`` (the address's domain) and internationalised
    names (``exemple.fr`` with accents, as IDNA ``xn--`` labels). Refuses what no sending domain can be: an IP
    address or literal (``[::1]``, ``192.0.2.1``), a single label (``localhost``), control characters and
    spaces (a name with a newline), underscores, and ``xn--`` labels that are not valid IDNA.
    """
    raw = domain if isinstance(domain, str) else ""
    d = raw.strip()
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in d):
        raise ValueError(f"{raw!r} is not a domain name: it holds a space or a control character")
    d = d.rstrip(".").lower()
    if "@" in d:
        d = d.rsplit("@", 1)[1]
    if not d:
        raise ValueError(f"{raw!r} is not a domain name")
    if d.startswith("[") or ":" in d or re.fullmatch(r"[0-9.]+", d):
        raise ValueError(f"{raw!r} is an IP address, not a domain name: give the domain of the From address")
    if not d.isascii():
        try:
            d = d.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(f"{raw!r} is not a valid internationalised domain name") from None
    labels = d.split(".")
    if len(d) > 253 or len(labels) < 2:
        raise ValueError(f"{raw!r} is not a fully qualified domain name (write it as example.com)")
    for label in labels:
        if not _LDH.fullmatch(label):
            shown = label or "(empty)"
            raise ValueError(f"{raw!r} is not a domain name: the label “{shown}” may hold only letters, digits "
                             "and inner hyphens (at most 63)")
        if label[2:4] == "--":
            try:
                label.encode("ascii").decode("idna")
            except UnicodeError:
                raise ValueError(f"{raw!r} is not a domain name: “{label}” is not a valid IDNA (xn--) label") \
                    from None
    if labels[-1].isdigit():
        raise ValueError(f"{raw!r} is not a domain name: its last label is a number")
    return d


@dataclass
class AuditResult:
    domain: str
    spf: Optional[SpfResult] = None
    dkim: list[DkimResult] = field(default_factory=list)
    dmarc: Optional[DmarcResult] = None
    bimi: Optional[PolicyResult] = None
    mta_sts: Optional[PolicyResult] = None
    tls_rpt: Optional[PolicyResult] = None
    findings: list[Finding] = field(default_factory=list)
    source: str = ""                   # resolver description (server or zone file)
    zone_files: dict = field(default_factory=dict)   # record text -> zone file it was read from

    def to_dict(self) -> dict:
        return {
            "domain": self.domain,
            "source": self.source,
            "spf": self.spf.to_dict() if self.spf else None,
            "dkim": [d.to_dict() for d in self.dkim],
            "dmarc": self.dmarc.to_dict() if self.dmarc else None,
            "bimi": self.bimi.to_dict() if self.bimi else None,
            "mta_sts": self.mta_sts.to_dict() if self.mta_sts else None,
            "tls_rpt": self.tls_rpt.to_dict() if self.tls_rpt else None,
            "findings": [f.to_dict() for f in self.findings],
        }


def _findings(issues: Iterable[Issue], ruleset=None, resolver: Optional[BaseResolver] = None) -> list[Finding]:
    """Findings of ``issues`` under ``ruleset`` (one per rule and message), pointed at their zone-file line."""
    lines = getattr(resolver, "record_lines", None) or {}
    out: list[Finding] = []
    seen: set = set()
    for issue in issues:
        record = (issue.record or "").split(" | ")[0]
        f = to_finding(issue, ruleset, line=lines.get(record, 0))
        if f is None:
            continue
        key = (f.rule, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def audit_report(domain: str, resolver: BaseResolver, selectors: Iterable[str] = (), *, ruleset=None,
                 bimi_selector: str = "default", bimi_svg: Optional[tuple[str, bytes]] = None) -> AuditResult:
    """Audit SPF, DMARC, the DKIM keys of ``selectors``, BIMI, MTA-STS and TLS-RPT for ``domain``.

    ``ruleset``: an engine RuleSet (default: the built-in rules), whose levels, weights and selection apply.
    ``bimi_svg``: (file name, bytes) of the logo to check against the SVG Tiny PS profile (a local file).
    Raises DnsUnavailable (and ValueError for a ``domain`` that is not a domain name).
    """
    domain = normalise_domain(domain)
    result = AuditResult(domain, source=resolver.describe())
    result.spf = audit_spf(domain, resolver)
    for sel in dict.fromkeys(s.strip() for s in selectors if s and s.strip()):
        result.dkim.append(audit_dkim(domain, sel, resolver))
    result.dmarc = audit_dmarc(domain, resolver)
    result.bimi = audit_bimi(domain, resolver, result.dmarc, bimi_selector, org=result.dmarc.org)
    result.mta_sts = audit_mta_sts(domain, resolver)
    result.tls_rpt = audit_tls_rpt(domain, resolver)
    issues = list(result.spf.issues)
    for d in result.dkim:
        issues.extend(d.issues)
    issues.extend(result.dmarc.issues)
    for extra in (result.bimi, result.mta_sts, result.tls_rpt):
        issues.extend(extra.issues)
    if bimi_svg is not None:
        svg_name, svg_data = bimi_svg
        problems = check_bimi_svg(svg_data)
        if problems:
            more = (" Also: " + "; ".join(problems[1:5]) + ".") if len(problems) > 1 else ""
            issues.append(Issue("bimi-record", "svg", svg_name,
                                {"domain": domain, "name": svg_name, "problem": problems[0], "more": more},
                                tuple(problems)))
    result.findings = _findings(issues, ruleset, resolver)
    return result


def audit_domain(domain: str, resolver: BaseResolver, selectors: Iterable[str] = (), *, ruleset=None) -> list[Finding]:
    """Findings of the audit of ``domain`` (see :func:`audit_report` for the structured result)."""
    return audit_report(domain, resolver, selectors, ruleset=ruleset).findings


def audit_zone_text(domain: str, zone_text: str, selectors: Iterable[str] = (), *, ruleset=None,
                    origin: Optional[str] = None) -> list[Finding]:
    """Audit ``domain`` against records given as RFC 1035 master-file text (offline)."""
    resolver = ZoneResolver(zone_text, source="<zone text>", origin=origin, domain=normalise_domain(domain))
    return audit_report(domain, resolver, selectors, ruleset=ruleset).findings


# -- check --dns ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DnsOptions:
    """``zone_file``: one path or several (a list or tuple: all are read); ``origin``: the origin of names
    written relative in zone files without ``$ORIGIN`` or SOA (default: the From domain of the first message)."""

    nameserver: Optional[str] = None
    port: int = 53
    timeout: float = 3.0
    zone_file: Any = None
    dkim_selectors: tuple = ()
    origin: Optional[str] = None

    def __post_init__(self):
        object.__setattr__(self, "dkim_selectors", tuple(self.dkim_selectors or ()))
        if self.zone_file is not None:
            zf = self.zone_file
            paths = (str(zf),) if isinstance(zf, (str, os.PathLike)) else tuple(str(p) for p in zf)
            object.__setattr__(self, "zone_file", (paths[0] if len(paths) == 1 else paths) if paths else None)


def dkim_signatures(message) -> list[tuple[str, str]]:
    """(d=, s=) of every DKIM-Signature header of the message, in order, without duplicates."""
    out: list[tuple[str, str]] = []
    for value in message.header_all("DKIM-Signature"):
        tags, _ = parse_tag_list(re.sub(r"\s+", " ", value or ""))
        d = re.sub(r"\s+", "", tags.get("d", "")).lower().rstrip(".")
        s = re.sub(r"\s+", "", tags.get("s", ""))
        if d and s and (d, s) not in out:
            out.append((d, s))
    return out


def _address_domain(domain: Optional[str], raw: Optional[str]) -> Optional[str]:
    """The domain the reader stored, else the domain of the raw address."""
    if domain:
        return domain.lower().rstrip(".")
    addr = parseaddr(raw)[1] if raw else ""
    return (addr.rsplit("@", 1)[1].lower().rstrip(".") or None) if "@" in addr else None


def _return_path_domain(message) -> Optional[str]:
    return _address_domain(getattr(message, "return_path_domain", None),
                           message.return_path or message.header("Return-Path"))


def _from_domain(message) -> Optional[str]:
    return _address_domain(message.from_domain, message.from_addr or message.header("From"))


class DnsChecker:
    """Runs the DNS checks for messages, caching every domain's audit for the life of the checker.

    One DNS failure is remembered: later messages raise the same :class:`DnsUnavailable` at once instead
    of waiting for the timeout again. The checker holds DNS results only, never a ruleset: the findings are
    built per call with the caller's ruleset, so one checker serves every Linter and thread.
    """

    def __init__(self, options: DnsOptions = DnsOptions(), resolver: Optional[BaseResolver] = None) -> None:
        self.options = options
        self._resolver = resolver
        self._spf: dict[str, SpfResult] = {}
        self._dmarc: dict[str, DmarcResult] = {}
        self._dkim: dict[tuple[str, str], DkimResult] = {}
        self._failure: Optional[DnsUnavailable] = None

    def resolver_for(self, domain: Optional[str] = None) -> BaseResolver:
        """The resolver; zone files without an origin take ``domain`` (the first From domain) as theirs."""
        if self._resolver is None:
            o = self.options
            self._resolver = make_resolver(o.nameserver, o.port, o.timeout, o.zone_file, origin=o.origin,
                                           domain=domain)
        return self._resolver

    @property
    def resolver(self) -> BaseResolver:
        return self.resolver_for(None)

    def spf(self, domain: str) -> SpfResult:
        if domain not in self._spf:
            self._spf[domain] = audit_spf(domain, self.resolver)
        return self._spf[domain]

    def dmarc(self, domain: str) -> DmarcResult:
        if domain not in self._dmarc:
            self._dmarc[domain] = audit_dmarc(domain, self.resolver)
        return self._dmarc[domain]

    def dkim(self, domain: str, selector: str) -> DkimResult:
        key = (domain, selector)
        if key not in self._dkim:
            self._dkim[key] = audit_dkim(domain, selector, self.resolver)
        return self._dkim[key]

    def check(self, message, ruleset=None) -> list[Finding]:
        """DNS findings of ``message`` under ``ruleset`` (default: the built-in rules)."""
        if self._failure is not None:
            raise self._failure
        try:
            # no zone-file line: a message's findings point into the message, not into the zone file
            return _findings(self.issues(message), ruleset)
        except DnsUnavailable as exc:
            self._failure = exc
            raise

    def issues(self, message) -> list[Issue]:
        if not getattr(message, "has_headers", True):
            return []
        from_domain = _from_domain(message)
        if not from_domain:
            return []
        try:
            from_domain = normalise_domain(from_domain)
        except ValueError:
            return []
        self.resolver_for(from_domain)
        issues: list[Issue] = []
        issues.extend(self.spf(from_domain).issues)
        rp = _return_path_domain(message)
        if rp:
            try:
                rp = normalise_domain(rp)
            except ValueError:
                rp = None
        if rp and rp != from_domain:
            issues.extend(self.spf(rp).issues)
        sigs = dkim_signatures(message)
        keys = [(from_domain, s) for s in self.options.dkim_selectors] + sigs
        for d, s in dict.fromkeys(keys):
            try:
                d = normalise_domain(d)
            except ValueError:
                continue
            issues.extend(self.dkim(d, s).issues)
        dm = self.dmarc(from_domain)
        issues.extend(dm.issues)
        issues.extend(self._alignment(from_domain, rp, sigs, dm))
        return issues

    def _alignment(self, from_domain: str, rp: Optional[str], sigs, dm: DmarcResult) -> list[Issue]:
        out: list[Issue] = []
        mode_name = {"r": "relaxed", "s": "strict"}
        dkim_ok = any(aligned(d, from_domain, dm.adkim) for d, _ in sigs)
        spf_ok = rp is not None and aligned(rp, from_domain, dm.aspf)
        signers = ", ".join(d for d, _ in sigs) or "no domain"
        params = {"from_domain": from_domain, "return_path": rp or "no Return-Path", "signers": signers,
                  "domain": from_domain, "name": dm.name}
        both_fail = not dkim_ok and not spf_ok
        # DMARC failing is one cause: it is reported once, at error level, on the DKIM finding when the
        # message is signed (the usual fix), else on the SPF finding.
        if sigs and not dkim_ok:
            out.append(Issue("dmarc-dkim-misaligned", "dmarc-fails" if both_fail else None,
                             "; ".join(f"d={d} s={s}" for d, s in sigs),
                             {**params, "mode": mode_name[dm.adkim]}, tuple(d for d, _ in sigs)))
        if rp and not spf_ok:
            out.append(Issue("dmarc-spf-misaligned", "dmarc-fails" if both_fail and not sigs else None,
                             f"Return-Path domain {rp}", {**params, "mode": mode_name[dm.aspf]}, (rp,)))
        return out


_CHECKERS: dict[DnsOptions, DnsChecker] = {}


def check_message_dns(message, options: DnsOptions = DnsOptions(), *, ruleset=None,
                      resolver: Optional[BaseResolver] = None) -> list[Finding]:
    """DNS findings for one message (``check --dns``).  Raises DnsUnavailable when DNS cannot be used.

    The From domain's SPF and DMARC, the Return-Path domain's SPF, the DKIM keys of the message's
    DKIM-Signature d=/s= pairs (and of ``options.dkim_selectors`` under the From domain) and the DMARC
    alignment of DKIM d= and Return-Path with From.  Audits are cached per domain for all messages
    checked with equal ``options`` in this process.  ``ruleset`` (an engine RuleSet, default the built-in
    rules) gives levels and weights, and the dns rules it does not hold (disabled, ignored, not selected)
    give no finding: the same selection as every other rule.
    """
    if resolver is not None:
        checker = DnsChecker(options, resolver)
    else:
        checker = _CHECKERS.get(options)
        if checker is None:
            checker = _CHECKERS.setdefault(options, DnsChecker(options))
    return checker.check(message, ruleset)


def clear_cache() -> None:
    """Forget every cached audit (for long-running processes that want fresh DNS)."""
    _CHECKERS.clear()


# -- rule examples -------------------------------------------------------------------------------------

def example_message(example: dict):
    """A header-only Message for a dns rule example with ``headers`` (From, Return-Path, DKIM-Signature)."""
    from ..model import INPUT_EML, Message

    raw = example.get("headers") or {}
    pairs = list(raw.items()) if isinstance(raw, dict) else [tuple(p) for p in raw]
    msg = Message(source="<example>", input_format=INPUT_EML, has_headers=True,
                  headers=[(str(k), str(v)) for k, v in pairs])
    frm = parseaddr(msg.header("From") or "")[1]
    if "@" in frm:
        msg.from_addr, msg.from_domain = frm, frm.rsplit("@", 1)[1].lower()
    rp = parseaddr(msg.header("Return-Path") or "")[1]
    if "@" in rp:
        msg.return_path, msg.return_path_domain = rp, rp.rsplit("@", 1)[1].lower()
    return msg


def run_example(example: dict, ruleset=None) -> list[Finding]:
    """Run one ``type: dns`` rule example: {domain, zone, selector?, bimi_selector?} or {zone, headers}."""
    zone = example.get("zone") or ""
    domain = example.get("domain")
    resolver = ZoneResolver(zone, source="<example zone>", domain=normalise_domain(domain) if domain else None)
    if example.get("headers"):
        sel = example.get("selector")
        opts = DnsOptions(dkim_selectors=(sel,) if sel else ())
        return DnsChecker(opts, resolver).check(example_message(example), ruleset)
    selectors = example.get("selector") or ()
    if isinstance(selectors, str):
        selectors = (selectors,)
    svg = example.get("svg")
    return audit_report(domain, resolver, selectors, ruleset=ruleset,
                        bimi_selector=example.get("bimi_selector") or "default",
                        bimi_svg=("logo.svg", svg.encode("utf-8")) if svg else None).findings
