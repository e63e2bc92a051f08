"""Domain audit (SPF + DKIM + DMARC) and the per-message DNS check behind ``check --dns``."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Iterable, Optional

from ..findings import Finding
from .dkim import DkimResult, audit_dkim, parse_tag_list
from .dmarc import DmarcResult, aligned, audit_dmarc
from .resolver import BaseResolver, DnsUnavailable, ZoneResolver, make_resolver
from .ruledata import Issue, rules_by_id, to_finding
from .spf import SpfResult, audit_spf


def normalise_domain(domain: str) -> str:
    """Lower-case ASCII (IDNA) form of a domain; ValueError when it cannot be a domain name."""
    d = (domain or "").strip().rstrip(".").lower()
    if "@" in d:
        d = d.rsplit("@", 1)[1]
    if not d or " " in d or ".." in d or d.startswith("."):
        raise ValueError(f"{domain!r} is not a domain name")
    if not d.isascii():
        try:
            d = d.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(f"{domain!r} is not a valid internationalised domain name") from None
    if len(d) > 253 or any(not label or len(label) > 63 for label in d.split(".")):
        raise ValueError(f"{domain!r} is not a domain name")
    return d


@dataclass
class AuditResult:
    domain: str
    spf: Optional[SpfResult] = None
    dkim: list[DkimResult] = field(default_factory=list)
    dmarc: Optional[DmarcResult] = None
    findings: list[Finding] = field(default_factory=list)
    source: str = ""                   # resolver description (server or zone file)

    def to_dict(self) -> dict:
        return {
            "domain": self.domain,
            "source": self.source,
            "spf": self.spf.to_dict() if self.spf else None,
            "dkim": [d.to_dict() for d in self.dkim],
            "dmarc": self.dmarc.to_dict() if self.dmarc else None,
            "findings": [f.to_dict() for f in self.findings],
        }


def _findings(issues: Iterable[Issue], overrides: Optional[dict] = None) -> list[Finding]:
    out: list[Finding] = []
    seen: set = set()
    for issue in issues:
        f = to_finding(issue, overrides)
        key = (f.rule, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def audit_report(domain: str, resolver: BaseResolver, selectors: Iterable[str] = (), *,
          overrides: Optional[dict] = None) -> AuditResult:
    """Audit SPF, DMARC and the DKIM keys of ``selectors`` for ``domain``.  Raises DnsUnavailable."""
    domain = normalise_domain(domain)
    result = AuditResult(domain, source=resolver.describe())
    result.spf = audit_spf(domain, resolver)
    for sel in dict.fromkeys(s.strip() for s in selectors if s and s.strip()):
        result.dkim.append(audit_dkim(domain, sel, resolver))
    result.dmarc = audit_dmarc(domain, resolver)
    issues = list(result.spf.issues)
    for d in result.dkim:
        issues.extend(d.issues)
    issues.extend(result.dmarc.issues)
    result.findings = _findings(issues, overrides)
    return result


def audit_domain(domain: str, resolver: BaseResolver, selectors: Iterable[str] = ()) -> list[Finding]:
    """Findings of the SPF/DKIM/DMARC audit of ``domain`` (see :func:`audit_report` for the structured result)."""
    return audit_report(domain, resolver, selectors).findings


def audit_zone_text(domain: str, zone_text: str, selectors: Iterable[str] = ()) -> list[Finding]:
    """Audit ``domain`` against records given as RFC 1035 master-file text (offline)."""
    return audit_report(domain, ZoneResolver(zone_text, source="<zone text>"), selectors).findings


# -- check --dns ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DnsOptions:
    nameserver: Optional[str] = None
    port: int = 53
    timeout: float = 3.0
    zone_file: Optional[str] = None
    dkim_selectors: tuple = ()

    def __post_init__(self):
        object.__setattr__(self, "dkim_selectors", tuple(self.dkim_selectors or ()))
        if self.zone_file is not None:
            object.__setattr__(self, "zone_file", str(self.zone_file))


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
    of waiting for the timeout again.
    """

    def __init__(self, options: DnsOptions = DnsOptions(), resolver: Optional[BaseResolver] = None,
                 overrides: Optional[dict] = None) -> None:
        self.options = options
        self._resolver = resolver
        self.overrides = overrides
        self._spf: dict[str, SpfResult] = {}
        self._dmarc: dict[str, DmarcResult] = {}
        self._dkim: dict[tuple[str, str], DkimResult] = {}
        self._failure: Optional[DnsUnavailable] = None

    @property
    def resolver(self) -> BaseResolver:
        if self._resolver is None:
            o = self.options
            self._resolver = make_resolver(o.nameserver, o.port, o.timeout, o.zone_file)
        return self._resolver

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

    def check(self, message) -> list[Finding]:
        if self._failure is not None:
            raise self._failure
        try:
            return self._check(message)
        except DnsUnavailable as exc:
            self._failure = exc
            raise

    def _check(self, message) -> list[Finding]:
        if not getattr(message, "has_headers", True):
            return []
        from_domain = _from_domain(message)
        if not from_domain:
            return []
        try:
            from_domain = normalise_domain(from_domain)
        except ValueError:
            return []
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
        return _findings(issues, self.overrides)

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


def _ruleset_overrides(ruleset) -> tuple[Optional[dict], Optional[set]]:
    """Levels/weights from an engine RuleSet (user config, weights file) and the dns rules it keeps."""
    if ruleset is None:
        return None, None
    overrides: dict = {}
    kept: set = set()
    for rid in rules_by_id():
        try:
            rule = ruleset.get(rid)
        except (KeyError, LookupError, AttributeError):
            continue
        if rule is None:
            continue
        kept.add(rid)
        overrides[rid] = {"level": getattr(rule, "level", None), "weight": getattr(rule, "weight", None)}
    return overrides, (kept or None)


def check_message_dns(message, options: DnsOptions = DnsOptions(), *, ruleset=None,
                      resolver: Optional[BaseResolver] = None) -> list[Finding]:
    """DNS findings for one message (``check --dns``).  Raises DnsUnavailable when DNS cannot be used.

    The From domain's SPF and DMARC, the Return-Path domain's SPF, the DKIM keys of the message's
    DKIM-Signature d=/s= pairs (and of ``options.dkim_selectors`` under the From domain) and the DMARC
    alignment of DKIM d= and Return-Path with From.  Audits are cached per domain for all messages
    checked with equal ``options`` in this process.  With ``ruleset`` (an engine RuleSet), its levels and
    weights apply and dns rules it does not contain (disabled, ignored) are dropped, provided it
    contains at least one dns rule.
    """
    overrides, kept = _ruleset_overrides(ruleset)
    if resolver is not None:
        checker = DnsChecker(options, resolver, overrides)
    else:
        checker = _CHECKERS.get(options)
        if checker is None:
            checker = _CHECKERS[options] = DnsChecker(options)
        checker.overrides = overrides
    findings = checker.check(message)
    if kept is not None:
        findings = [f for f in findings if f.rule in kept]
    return findings


def clear_cache() -> None:
    """Forget every cached audit (for long-running processes that want fresh DNS)."""
    _CHECKERS.clear()


# -- rule examples -------------------------------------------------------------------------------------

def example_message(example: dict):
    """A header-only Message for a dns rule example with ``headers`` (From, Return-Path, DKIM-Signature)."""
    from ..model import INPUT_EML, Message

    raw = example.get("headers") or {}
    pairs = list(raw.items()) if isinstance(raw, dict) else [tuple(p) for p in raw]
    msg = Message(source="<example>", input_kind=INPUT_EML, has_headers=True,
                  headers=[(str(k), str(v)) for k, v in pairs])
    frm = parseaddr(msg.header("From") or "")[1]
    if "@" in frm:
        msg.from_addr, msg.from_domain = frm, frm.rsplit("@", 1)[1].lower()
    rp = parseaddr(msg.header("Return-Path") or "")[1]
    if "@" in rp:
        msg.return_path, msg.return_path_domain = rp, rp.rsplit("@", 1)[1].lower()
    return msg


def run_example(example: dict) -> list[Finding]:
    """Run one ``type: dns`` rule example: {domain, zone, selector?} or {zone, headers} (message check)."""
    zone = example.get("zone") or ""
    resolver = ZoneResolver(zone, source="<example zone>")
    if example.get("headers"):
        sel = example.get("selector")
        opts = DnsOptions(dkim_selectors=(sel,) if sel else ())
        return DnsChecker(opts, resolver).check(example_message(example))
    selectors = example.get("selector") or ()
    if isinstance(selectors, str):
        selectors = (selectors,)
    return audit_report(example["domain"], resolver, selectors).findings
