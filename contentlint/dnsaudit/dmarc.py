"""DMARC (RFC 9989, DMARCbis; RFC 7489): policy discovery, the organisational domain, and tag checks.

Discovery: _dmarc.DOMAIN first. Against live DNS the parents are then asked in turn, as RFC 9989's DNS
tree walk does (at most 8 names; a name of more than 7 labels jumps to its last 7), and the organisational
domain is the one the walk finds (``psd=n``: that domain; ``psd=y``: the domain one label below it; else the
highest domain with a record). Offline (zone files) the public suffix list gives the organisational domain,
as RFC 7489 did. DMARCbis tags ``np``, ``psd`` and ``t`` are checked; ``pct``, ``rf`` and ``ri``, which it
removed, are reported as obsolete (info).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from .dkim import parse_tag_list
from .resolver import OK, BaseResolver
from .ruledata import Issue
from .spf import record_text

POLICIES = ("none", "quarantine", "reject")
KNOWN_TAGS = ("v", "p", "sp", "rua", "ruf", "adkim", "aspf", "pct", "fo", "rf", "ri", "np", "psd", "t")
OBSOLETE_TAGS = ("pct", "rf", "ri")          # removed by RFC 9989
MAX_WALK = 8                                 # RFC 9989 §4.10: at most 8 DNS queries


@lru_cache(maxsize=1)
def _psl():
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


@lru_cache(maxsize=4096)
def org_domain(domain: str) -> str:
    """Organisational (registrable) domain: contentlint.domains when available, else the public suffix list."""
    domain = domain.lower().rstrip(".")
    try:
        from ..domains import registrable_domain  # written by another module; optional
    except ImportError:
        registrable_domain = None
    found = None
    if registrable_domain is not None:
        try:
            found = registrable_domain(domain)
        except Exception:  # noqa: BLE001 - a helper bug must not break the audit
            found = None
    if not found:
        found = _psl().privatesuffix(domain)
    return (found or domain).lower()


def aligned(a: Optional[str], b: Optional[str], mode: str = "r") -> bool:
    """DMARC identifier alignment: strict = same domain, relaxed = same organisational domain."""
    if not a or not b:
        return False
    a, b = a.lower().rstrip("."), b.lower().rstrip(".")
    if a == b:
        return True
    return mode != "s" and org_domain(a) == org_domain(b)


def is_dmarc(text: str) -> bool:
    """RFC 7489 §6.6.3: records not starting with v=DMARC1 are discarded."""
    return re.match(r"v\s*=\s*DMARC1\s*(;|$)", text) is not None


@dataclass
class DmarcResult:
    domain: str
    org: str
    name: str                              # where the record was (or would be) found
    record: Optional[str] = None
    tags: dict = field(default_factory=dict)
    policy: Optional[str] = None
    adkim: str = "r"
    aspf: str = "r"
    pct: int = 100
    testing: bool = False                  # t=y (RFC 9989): the policy is applied one step lower
    issues: list[Issue] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"domain": self.domain, "org_domain": self.org, "name": self.name, "record": self.record,
                "policy": self.policy, "adkim": self.adkim, "aspf": self.aspf, "pct": self.pct,
                "testing": self.testing,
                "tags": dict(self.tags)}


def _lookup(name: str, resolver: BaseResolver) -> tuple[list[str], list[str]]:
    ans = resolver.txt(name)
    texts = [record_text(s) for s in ans.records] if ans.status == OK else []
    return [t for t in texts if is_dmarc(t)], [t for t in texts if "dmarc1" in t.lower()]


def walk_names(domain: str) -> list[str]:
    """The domains RFC 9989's tree walk asks _dmarc of, most specific first (at most 8)."""
    labels = domain.split(".")
    names = [domain]
    if len(labels) > 7:
        labels = labels[-7:]
        names.append(".".join(labels))
    while len(labels) > 1:
        labels = labels[1:]
        names.append(".".join(labels))
    return list(dict.fromkeys(names))[:MAX_WALK]


def _psd(record: str) -> str:
    tags, _ = parse_tag_list(record)
    return tags.get("psd", "u").strip().lower()


def tree_walk(domain: str, resolver: BaseResolver) -> tuple[Optional[str], list[str], list[str], str]:
    """(name where the policy record is, its records, near-miss records, organisational domain)."""
    found: list[tuple[str, list[str], list[str]]] = []
    for d in walk_names(domain):
        recs, near = _lookup(f"_dmarc.{d}", resolver)
        if recs or near:
            found.append((d, recs, near))
    if not found:
        return None, [], [], org_domain(domain)
    policy_domain, recs, near = found[0]
    org = None
    for i, (d, r, _) in enumerate(found):
        flag = _psd(r[0]) if len(r) == 1 else "u"
        if flag == "n":
            org = d
            break
        if flag == "y":
            below = domain.split(".")
            n = len(d.split(".")) + 1
            org = ".".join(below[-n:]) if n <= len(below) else domain
            break
    if org is None:
        org = found[-1][0]
    return f"_dmarc.{policy_domain}", recs, near, org


def _check_uri_list(value: str) -> Optional[str]:
    for uri in value.split(","):
        uri = uri.strip()
        if not uri:
            return "empty report address"
        if not re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", uri):
            return f"“{uri}” is not a URI (write mailto:address)"
        if uri.lower().startswith("mailto:"):
            addr = uri[7:].split("!", 1)[0]
            if "@" not in addr or addr.startswith("@") or addr.endswith("@"):
                return f"“{uri}” is not a mailto: address"
        size = uri.split("!", 1)[1] if "!" in uri else None
        if size is not None and not re.fullmatch(r"\d+[kmgt]?", size, re.I):
            return f"“!{size}” is not a size limit"
    return None


def _tag_problems(tags: dict) -> list[tuple[str, str, Optional[str]]]:
    """(tag, problem, variant) for every invalid or unknown tag."""
    out: list[tuple[str, str, Optional[str]]] = []
    if "p" not in tags:
        out.append(("p", "the p= policy tag is missing (none, quarantine or reject)", None))
    elif tags["p"].lower() not in POLICIES:
        out.append((f"p={tags['p']}", "p must be none, quarantine or reject", None))
    if "sp" in tags and tags["sp"].lower() not in POLICIES:
        out.append((f"sp={tags['sp']}", "sp must be none, quarantine or reject", None))
    if "np" in tags and tags["np"].lower() not in POLICIES:
        out.append((f"np={tags['np']}", "np must be none, quarantine or reject", None))
    for t in ("adkim", "aspf"):
        if t in tags and tags[t].lower() not in ("r", "s"):
            out.append((f"{t}={tags[t]}", f"{t} must be r (relaxed) or s (strict)", None))
    if "pct" in tags:
        v = tags["pct"]
        if not v.isdigit() or not 0 <= int(v) <= 100:
            out.append((f"pct={v}", "pct must be a whole number from 0 to 100", None))
    if "ri" in tags and (not tags["ri"].isdigit() or int(tags["ri"]) > 2**32 - 1):
        out.append((f"ri={tags['ri']}", "ri must be a number of seconds", None))
    if "psd" in tags and tags["psd"].lower() not in ("y", "n", "u"):
        out.append((f"psd={tags['psd']}", "psd must be y, n or u", None))
    if "t" in tags and tags["t"].lower() not in ("y", "n"):
        out.append((f"t={tags['t']}", "t must be y (testing) or n", None))
    if "fo" in tags:
        opts = [o.strip() for o in tags["fo"].split(":")]
        if not opts or any(o not in ("0", "1", "d", "s") for o in opts):
            out.append((f"fo={tags['fo']}", "fo must be 0, 1, d or s, separated by colons", None))
    if "rf" in tags:
        if any(o.strip().lower() != "afrf" for o in tags["rf"].split(":")):
            out.append((f"rf={tags['rf']}", "rf must be afrf", None))
    for t in ("rua", "ruf"):
        if t in tags:
            problem = _check_uri_list(tags[t])
            if problem:
                out.append((f"{t}={tags[t]}", problem, None))
    for t in tags:
        if t not in KNOWN_TAGS:
            out.append((t, "unknown tag", "unknown-tag"))
    return out


def _report_targets(rua: str) -> list[tuple[str, str]]:
    """(address, domain) of each mailto: report address."""
    out = []
    for uri in rua.split(","):
        uri = uri.strip()
        if uri.lower().startswith("mailto:") and "@" in uri:
            addr = uri[7:].split("!", 1)[0]
            out.append((addr, addr.rsplit("@", 1)[1].lower().rstrip(".")))
    return out


def audit_dmarc(domain: str, resolver: BaseResolver) -> DmarcResult:
    domain = domain.lower().rstrip(".")
    org = org_domain(domain)
    name = f"_dmarc.{domain}"
    if resolver.txt(name).unknown:
        res = DmarcResult(domain, org, name)
        res.issues.append(Issue("dns-outside-zone", "dmarc", "", {"domain": domain, "org": org, "name": name}))
        return res
    if getattr(resolver, "tree_walk", False):
        found, recs, near, org = tree_walk(domain, resolver)
        if found:
            name = found
    else:
        recs, near = _lookup(name, resolver)
        if not recs and not near and org != domain:
            org_name = f"_dmarc.{org}"
            recs, near = _lookup(org_name, resolver)
            if recs or near:
                name = org_name
    res = DmarcResult(domain, org, name)
    base = {"domain": domain, "org": org, "name": name}
    if not recs:
        if near:  # looks like DMARC but receivers discard it: v=DMARC1 not first / misspelt
            res.record = near[0]
            res.issues.append(Issue("dmarc-syntax", None, near[0],
                                    {**base, "tag": near[0].split(";", 1)[0].strip(),
                                     "problem": "the record must start with v=DMARC1 (exactly), or receivers ignore it"}))
            return res
        res.name = f"_dmarc.{domain}" + (f" or _dmarc.{org}" if org != domain else "")
        res.issues.append(Issue("dmarc-missing", None, "", {**base, "name": res.name}))
        return res
    record = recs[0]
    res.record = record
    if len(recs) > 1:
        res.issues.append(Issue("dmarc-syntax", "multiple", " | ".join(recs),
                                {**base, "count": len(recs), "record": " | ".join(recs)}, tuple(recs)))
        return res
    tags, problem = parse_tag_list(record)
    res.tags = tags
    problems = _tag_problems(tags) if problem is None else [(record[:40], problem, None)]
    errors = [p for p in problems if p[2] is None]
    others = [p for p in problems if p[2] is not None]
    for group, variant in ((errors, None), (others, "unknown-tag")):
        if group:
            (tag, prob, _), rest = group[0], group[1:]
            more = (" Also: " + "; ".join(f"“{t}”: {p}" for t, p, _ in rest[:5]) + ".") if rest else ""
            res.issues.append(Issue("dmarc-syntax", variant, record,
                                    {**base, "tag": tag, "problem": prob, "more": more},
                                    tuple(t for t, _, _ in group)))
    obsolete = [t for t in OBSOLETE_TAGS if t in tags]
    if obsolete:
        res.issues.append(Issue("dmarc-obsolete-tags", None, record,
                                {**base, "tags": ", ".join(f"{t}={tags[t]}" for t in obsolete)},
                                tuple(f"{t}={tags[t]}" for t in obsolete)))
    res.testing = tags.get("t", "n").strip().lower() == "y"
    policy = tags.get("p", "").lower()
    res.policy = policy if policy in POLICIES else None
    res.adkim = tags.get("adkim", "r").lower() if tags.get("adkim", "r").lower() in ("r", "s") else "r"
    res.aspf = tags.get("aspf", "r").lower() if tags.get("aspf", "r").lower() in ("r", "s") else "r"
    if tags.get("pct", "100").isdigit():
        res.pct = min(int(tags.get("pct", "100")), 100)
    if res.policy == "none" or (res.policy is None and "p" not in tags):
        res.issues.append(Issue("dmarc-policy-none", None, record, {**base, "policy": "none"}))
    elif res.policy in ("quarantine", "reject"):
        if res.testing:
            res.issues.append(Issue("dmarc-policy-none", "testing", record, {**base, "policy": res.policy}))
        elif res.pct < 100:
            res.issues.append(Issue("dmarc-policy-none", "partial-pct", record,
                                    {**base, "policy": res.policy, "pct": res.pct}))
        elif tags.get("sp", "").lower() == "none" and name == f"_dmarc.{domain}":
            res.issues.append(Issue("dmarc-policy-none", "subdomain-none", record, {**base, "policy": res.policy}))
    rua = tags.get("rua", "").strip()
    if not rua:
        res.issues.append(Issue("dmarc-no-rua", None, record, base))
    else:
        record_org = org_domain(name[len("_dmarc."):])
        for addr, target_domain in _report_targets(rua):
            if org_domain(target_domain) == record_org:
                continue
            authname = f"{name[len('_dmarc.'):]}._report._dmarc.{target_domain}"
            ans = resolver.txt(authname)
            if ans.unknown:
                res.issues.append(Issue("dns-outside-zone", None, "",
                                        {**base, "name": authname, "what": "DMARC report authorisation"}))
                continue
            texts = [record_text(s) for s in ans.records] if ans.status == OK else []
            if not any(t.startswith("v=DMARC1") for t in texts):
                res.issues.append(Issue("dmarc-no-rua", "unauthorised", record,
                                        {**base, "target": addr, "authname": authname}))
                break
    return res
