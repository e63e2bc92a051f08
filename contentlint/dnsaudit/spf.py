"""SPF (RFC 7208): record selection, syntax check, and the DNS lookup count through include/redirect.

The audit does not evaluate SPF for a client IP; it walks the record the way a receiver would in the
worst case (no mechanism matches before the end) and counts the DNS-querying terms (§4.6.4: include, a,
mx, ptr, exists, redirect) and the void lookups (NXDOMAIN or no data), following include and redirect
recursively.  Terms containing macros (``%{i}``…) are counted but not followed: their target depends on
the message.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Optional

from .resolver import OK, BaseResolver
from .ruledata import Issue

LOOKUP_LIMIT = 10
VOID_LIMIT = 2
MX_HOST_LIMIT = 10          # hosts one mx term may resolve (RFC 7208 §4.6.4)
UDP_LIMIT = 512
MAX_DOMAINS = 200           # safety bound on the include tree walked (hostile fan-out)
QUALIFIERS = "+-~?"
LOOKUP_MECHANISMS = ("include", "a", "mx", "ptr", "exists")

_MACRO_RE = re.compile(r"%\{[slodiphcrtv][0-9]*r?[.\-+,/_=]*\}|%%|%_|%-", re.I)
_LITERAL_RE = re.compile(r"[\x21-\x24\x26-\x7e]")
_MODIFIER_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*$")
_LABEL_RE = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_\-]{0,61}[A-Za-z0-9_])?$")
_CIDR_RE = re.compile(r"^(?P<spec>.*?)(?:/(?P<c4>\d+))?(?://(?P<c6>\d+))?$")


@dataclass
class Term:
    text: str
    kind: str                       # "mechanism" | "modifier"
    name: str                       # lower-case mechanism or modifier name
    qualifier: str = "+"
    explicit_qualifier: bool = False
    arg: Optional[str] = None       # domain-spec / network / modifier value
    has_macro: bool = False


@dataclass
class ParsedSpf:
    terms: list[Term] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)   # (term, problem)

    @property
    def all_term(self) -> Optional[Term]:
        for t in self.terms:
            if t.kind == "mechanism" and t.name == "all":
                return t
        return None

    def modifier(self, name: str) -> Optional[Term]:
        for t in self.terms:
            if t.kind == "modifier" and t.name == name:
                return t
        return None


def is_spf(text: str) -> bool:
    """RFC 7208 §4.5: a record is SPF when it starts with "v=spf1" followed by a space or the end."""
    low = text[:7].lower()
    return low == "v=spf1" or low == "v=spf1 "


def record_text(strings: tuple) -> str:
    """Join the character-strings of one TXT record (RFC 7208 §3.3: no separator)."""
    return b"".join(strings).decode("utf-8", "replace")


def _check_macro_string(value: str) -> Optional[str]:
    i = 0
    while i < len(value):
        if value[i] == "%":
            m = _MACRO_RE.match(value, i)
            if not m:
                return "invalid macro (write %% for a literal %, or %{letter})"
            i = m.end()
        elif _LITERAL_RE.match(value[i]):
            i += 1
        else:
            return f"character {value[i]!r} is not allowed"
    return None


def _check_domain_spec(spec: str) -> Optional[str]:
    """None when ``spec`` is a valid RFC 7208 domain-spec, else the problem."""
    if not spec:
        return "a domain name is missing"
    problem = _check_macro_string(spec)
    if problem:
        return problem
    if "%" in spec:
        if _MACRO_RE.search(spec) and spec.rstrip(".").endswith("}"):
            return None  # domain-end = macro-expand
        last = spec.rstrip(".").rsplit(".", 1)[-1]
        if "%" in last:
            return None
        return None if re.search(r"[A-Za-z]", last) else "the last label must contain a letter"
    name = spec[:-1] if spec.endswith(".") else spec
    if len(name) > 253:
        return "the domain name is longer than 253 characters"
    labels = name.split(".")
    if len(labels) < 2:
        return "a fully qualified domain name is required"
    for label in labels:
        if not _LABEL_RE.match(label):
            return f"“{label}” is not a valid DNS label" if label else "empty label (two dots in a row)"
    if labels[-1].isdigit() or not re.search(r"[A-Za-z]", labels[-1]):
        try:
            ipaddress.ip_address(name)
            return "this is an IP address, not a domain name (use ip4: for addresses)"
        except ValueError:
            return "the last label must contain a letter"
    return None


def _parse_term(text: str) -> tuple[Optional[Term], Optional[str]]:
    qualifier, explicit, body = "+", False, text
    if body and body[0] in QUALIFIERS:
        qualifier, explicit, body = body[0], True, body[1:]
    low = body.lower()
    # modifiers: name=value (checked before mechanisms: "a=" would otherwise look like a/mx)
    m = re.match(r"([^:=/]+)=(.*)$", body, re.S)
    if m and ":" not in m.group(1):
        name, value = m.group(1).lower(), m.group(2)
        if explicit:
            return None, "modifiers take no qualifier"
        if not _MODIFIER_NAME_RE.match(m.group(1)):
            return None, "invalid modifier name"
        if name in ("include", "a", "mx", "ptr", "ip4", "ip6", "exists", "all"):
            return None, f"“{name}=” is not a modifier, receivers ignore it (did you mean {name}:?)"
        if name in ("redirect", "exp"):
            problem = _check_domain_spec(value)
            if problem:
                return None, problem
        else:
            problem = _check_macro_string(value)
            if problem:
                return None, problem
        return Term(text, "modifier", name, arg=value, has_macro="%" in value), None
    name, sep, arg = low.partition(":")
    arg = body[len(name) + 1:] if sep else None
    if name == "all":
        if sep or low != "all":
            return None, "all takes no argument"
        return Term(text, "mechanism", "all", qualifier, explicit), None
    if name in ("include", "exists"):
        if not sep:
            return None, f"{name} needs a domain (write {name}:example.com)"
        problem = _check_domain_spec(arg)
        if problem:
            return None, problem
        return Term(text, "mechanism", name, qualifier, explicit, arg, "%" in arg), None
    head = re.match(r"(a|mx|ptr)(?=$|[:/])", low)
    if head:
        name = head.group(1)
        rest = body[len(name):]
        if name == "ptr":
            spec = rest[1:] if rest.startswith(":") else None
            if rest and not rest.startswith(":"):
                return None, "ptr takes no CIDR length"
            if spec is not None:
                problem = _check_domain_spec(spec)
                if problem:
                    return None, problem
            return Term(text, "mechanism", "ptr", qualifier, explicit, spec, bool(spec and "%" in spec)), None
        cm = _CIDR_RE.match(rest)
        spec_part = cm.group("spec")
        if cm.group("c4") is not None and int(cm.group("c4")) > 32:
            return None, "IPv4 prefix length must be 0-32"
        if cm.group("c6") is not None and int(cm.group("c6")) > 128:
            return None, "IPv6 prefix length must be 0-128"
        spec = None
        if spec_part:
            if not spec_part.startswith(":"):
                return None, f"unknown mechanism (did you mean {name}:domain?)"
            spec = spec_part[1:]
            problem = _check_domain_spec(spec)
            if problem:
                return None, problem
        return Term(text, "mechanism", name, qualifier, explicit, spec, bool(spec and "%" in spec)), None
    if name in ("ip4", "ip6"):
        if not sep or not arg:
            return None, f"{name} needs a network (write {name}:{'192.0.2.0/24' if name == 'ip4' else '2001:db8::/32'})"
        addr, slash, plen = arg.partition("/")
        try:
            ip = ipaddress.ip_address(addr)
        except ValueError:
            return None, f"“{addr}” is not an IPv{name[-1]} address"
        if ip.version != int(name[-1]):
            return None, f"“{addr}” is an IPv{ip.version} address (use ip{ip.version}:)"
        if slash:
            limit = 32 if name == "ip4" else 128
            if not plen.isdigit() or int(plen) > limit or (len(plen) > 1 and plen[0] == "0"):
                return None, f"prefix length must be 0-{limit}"
        return Term(text, "mechanism", name, qualifier, explicit, arg), None
    hints = {"ipv4": "ip4:", "ipv6": "ip6:", "ip": "ip4: or ip6:", "inc": "include:", "includes": "include:"}
    if name in hints:
        return None, f"unknown mechanism “{name}” (did you mean {hints[name]})"
    if not body:
        return None, "a qualifier alone is not a term"
    return None, "unknown mechanism"


def parse_spf(record: str) -> ParsedSpf:
    """Parse one SPF record (already joined).  Errors are (term, problem) pairs in record order."""
    out = ParsedSpf()
    if not record.isascii():
        bad = next(ch for ch in record if not ch.isascii())
        out.errors.append((bad, "non-ASCII character in the record"))
    parts = record.split(" ")
    version = parts[0]
    if version.lower() != "v=spf1":
        out.errors.append((version, "the record must start with v=spf1"))
    seen_mod: set[str] = set()
    for raw in parts[1:]:
        if raw == "":
            continue  # several spaces between terms are allowed
        if any(ch in raw for ch in "\t\r\n"):
            out.errors.append((raw, "terms must be separated by spaces"))
            continue
        term, problem = _parse_term(raw)
        if term is None:
            out.errors.append((raw, problem or "invalid term"))
            continue
        if term.kind == "modifier" and term.name in ("redirect", "exp"):
            if term.name in seen_mod:
                out.errors.append((raw, f"{term.name}= may appear only once"))
                continue
            seen_mod.add(term.name)
        out.terms.append(term)
    return out


def answer_size(name: str, strings_list: tuple) -> int:
    """Bytes of a DNS UDP response carrying these TXT records for ``name`` (no EDNS)."""
    qname = sum(len(label) + 1 for label in name.rstrip(".").split(".")) + 1
    size = 12 + qname + 4
    for strings in strings_list:
        rdlen = sum(1 + len(s) for s in strings)
        size += 2 + 10 + rdlen  # compressed owner name, type, class, ttl, rdlength
    return size


@dataclass
class SpfResult:
    domain: str
    status: str = "none"                 # "pass-syntax", "none", "multiple", "permerror"
    record: Optional[str] = None         # the SPF record of the domain (first one when several)
    records: list[str] = field(default_factory=list)
    lookups: int = 0                     # DNS-querying terms counted recursively (RFC 7208 §4.6.4)
    void_lookups: int = 0
    void_names: list[str] = field(default_factory=list)
    include_costs: list[tuple[str, int]] = field(default_factory=list)   # top-level include/redirect -> lookups
    costliest: Optional[tuple[str, int]] = None
    loops: list[list[str]] = field(default_factory=list)
    truncated: bool = False
    not_checked: list[str] = field(default_factory=list)   # includes outside the zone files given
    issues: list[Issue] = field(default_factory=list)

    @property
    def lookups_text(self) -> str:
        """The lookup count as known: "at least N" when part of the tree could not be followed."""
        return f"at least {self.lookups}" if (self.truncated or self.not_checked) else str(self.lookups)

    def to_dict(self) -> dict:
        return {
            "domain": self.domain,
            "record": self.record,
            "records": list(self.records),
            "lookups": self.lookups,
            "lookup_limit": LOOKUP_LIMIT,
            "void_lookups": self.void_lookups,
            "void_names": list(self.void_names),
            "include_costs": [{"term": t, "lookups": c} for t, c in self.include_costs],
            "costliest": {"term": self.costliest[0], "lookups": self.costliest[1]} if self.costliest else None,
            "loops": [list(c) for c in self.loops],
            "truncated": self.truncated,
            "lookups_at_least": bool(self.truncated or self.not_checked),
            "not_checked": list(self.not_checked),
        }


class _Walker:
    def __init__(self, resolver: BaseResolver, result: SpfResult) -> None:
        self.r = resolver
        self.res = result
        self.visits = 0
        self.reported_syntax: set[str] = set()

    def spf_records(self, domain: str):
        ans = self.r.txt(domain)
        if ans.status != OK:
            return ans, []
        recs = [record_text(s) for s in ans.records]
        return ans, [r for r in recs if is_spf(r)]

    def void(self, name: str) -> None:
        self.res.void_lookups += 1
        self.res.void_names.append(name)

    def walk(self, domain: str, chain: list[str], record: str, top: bool, via: str) -> int:
        """Lookups needed inside ``record`` of ``domain`` (not counting the include that led here)."""
        res = self.res
        self.visits += 1
        if self.visits > MAX_DOMAINS:
            res.truncated = True
            return 0
        parsed = parse_spf(record)
        if parsed.errors and domain not in self.reported_syntax:
            self.reported_syntax.add(domain)
            (term, problem), rest = parsed.errors[0], parsed.errors[1:]
            more = ""
            if rest:
                more = " Also: " + "; ".join(f"“{t}”: {p}" for t, p in rest[:5]) + "."
            res.issues.append(Issue("spf-syntax", None, record,
                                    {"domain": domain, "term": term, "problem": problem, "more": more},
                                    tuple(t for t, _ in parsed.errors)))
        all_term = parsed.all_term
        if top:
            self._top_checks(domain, record, parsed)
        elif via == "include" and all_term is not None and all_term.qualifier == "+":
            res.issues.append(Issue("spf-permissive-all", "include", record,
                                    {"domain": res.domain, "include": domain, "term": all_term.text}))
        cost = 0
        for term in parsed.terms:
            if term.kind != "mechanism":
                continue
            if term.name == "all":
                break  # nothing after all is evaluated
            if term.name not in LOOKUP_MECHANISMS:
                continue
            cost += 1
            sub = 0
            if term.name == "include":
                sub = self.follow(term, domain, chain, record)
            elif not term.has_macro and term.name in ("a", "mx"):
                target = term.arg or domain
                if term.name == "a":
                    a, aaaa = self.r.query(target, "A"), self.r.query(target, "AAAA")
                    if a.void and aaaa.void:
                        self.void(target)
                else:
                    mx = self.r.query(target, "MX")
                    if mx.void:
                        self.void(target)
                    elif len(mx.records) > MX_HOST_LIMIT:
                        # RFC 7208 §4.6.4: an mx term may look up at most 10 hosts, else permerror
                        where = term.text if domain == res.domain else f"{term.text} (in the record of {domain})"
                        res.issues.append(Issue("spf-too-many-lookups", "mx-hosts", record,
                                                {"domain": res.domain, "include": where, "count": len(mx.records),
                                                 "cost": len(mx.records)}, (term.text,)))
            elif term.name == "exists" and not term.has_macro:
                if self.r.query(term.arg, "A").void:
                    self.void(term.arg)
            cost += sub
            if top and term.name == "include":
                res.include_costs.append((term.text, 1 + sub))
        redirect = parsed.modifier("redirect")
        if redirect is not None and all_term is None:
            cost += 1
            sub = self.follow(redirect, domain, chain, record)
            cost += sub
            if top:
                res.include_costs.append((redirect.text, 1 + sub))
        return cost

    def _top_checks(self, domain: str, record: str, parsed: ParsedSpf) -> None:
        res = self.res
        all_term = parsed.all_term
        if all_term is not None:
            if all_term.qualifier == "+":
                res.issues.append(Issue("spf-permissive-all", None, record, {"domain": domain, "term": all_term.text}))
            elif all_term.qualifier == "?":
                res.issues.append(Issue("spf-permissive-all", "neutral", record, {"domain": domain, "term": all_term.text}))
            idx = parsed.terms.index(all_term)
            after = [t.text for t in parsed.terms[idx + 1:] if t.kind == "mechanism"
                     or t.name == "redirect"]
            if after:
                res.issues.append(Issue("spf-syntax", "after-all", record,
                                        {"domain": domain, "term": " ".join(after)}, tuple(after)))
        elif parsed.modifier("redirect") is None and not parsed.errors:
            res.issues.append(Issue("spf-permissive-all", "no-all", record, {"domain": domain, "term": ""}))
        ptrs = [t.text for t in parsed.terms if t.kind == "mechanism" and t.name == "ptr"]
        if ptrs:
            res.issues.append(Issue("spf-syntax", "ptr", record, {"domain": domain, "term": ptrs[0]}, tuple(ptrs)))

    def follow(self, term: Term, domain: str, chain: list[str], record: str = "") -> int:
        """Follow an include: or redirect= of ``domain``; returns the lookups inside the target."""
        if term.has_macro:
            return 0
        target = term.arg.lower().rstrip(".")
        kind = "include" if term.kind == "mechanism" else "redirect"
        if target in chain:
            loop = chain[chain.index(target):] + [target]
            if loop not in self.res.loops:
                self.res.loops.append(loop)
            return 0
        ans, recs = self.spf_records(target)
        if ans.unknown:
            # an email provider's include, say: its zone is not among the files, so it is not an error
            if target not in self.res.not_checked:
                self.res.not_checked.append(target)
                # the record that names it is the excerpt, so the finding points at its line in the zone file
                self.res.issues.append(Issue("dns-outside-zone", "include", record or term.text,
                                             {"domain": domain, "include": term.text, "name": target},
                                             (term.text,)))
            return 0
        if ans.void:
            self.void(target)
        if not recs:
            self.res.issues.append(Issue("spf-include-missing", None, term.text,
                                         {"domain": domain, "include": term.text}))
            return 0
        if len(recs) > 1:
            self.res.issues.append(Issue("spf-multiple-records", None, " | ".join(recs),
                                         {"domain": target, "count": len(recs)}, tuple(recs)))
        if kind == "redirect":
            # the redirect target's record replaces ours: its all counts as the final verdict
            parsed = parse_spf(recs[0])
            all_term = parsed.all_term
            if all_term is not None and all_term.qualifier in "+?":
                variant = None if all_term.qualifier == "+" else "neutral"
                self.res.issues.append(Issue("spf-permissive-all", variant, recs[0],
                                             {"domain": self.res.domain, "term": all_term.text}))
        return self.walk(target, chain + [target], recs[0], top=False, via=kind)


def audit_spf(domain: str, resolver: BaseResolver) -> SpfResult:
    domain = domain.lower().rstrip(".")
    res = SpfResult(domain)
    walker = _Walker(resolver, res)
    ans, recs = walker.spf_records(domain)
    res.records = recs
    if ans.unknown:
        res.status = "unknown"
        res.issues.append(Issue("dns-outside-zone", None, "", {"domain": domain, "name": domain, "what": "SPF"}))
        return res
    if not recs:
        res.status = "none"
        old = resolver.query(domain, "SPF")
        old_recs = [record_text(s) for s in old.records if is_spf(record_text(s))] if old.status == OK else []
        if old_recs:
            res.issues.append(Issue("spf-missing", "type99-only", old_recs[0], {"domain": domain}))
        else:
            txt = " | ".join(record_text(s) for s in ans.records) if ans.status == OK else ""
            res.issues.append(Issue("spf-missing", None, txt, {"domain": domain, "name": domain}))
        return res
    res.record = recs[0]
    if len(recs) > 1:
        res.status = "multiple"
        res.issues.append(Issue("spf-multiple-records", None, " | ".join(recs),
                                {"domain": domain, "count": len(recs)}, tuple(recs)))
    else:
        res.status = "found"
    size = answer_size(domain, ans.records)
    if size > UDP_LIMIT:
        res.issues.append(Issue("spf-syntax", "too-large", recs[0], {"domain": domain, "size": size}))
    old = resolver.query(domain, "SPF")
    if old.status == OK and old.records:
        res.issues.append(Issue("spf-syntax", "type99-also", record_text(old.records[0]), {"domain": domain}))
    res.lookups = walker.walk(domain, [domain], recs[0], top=True, via="")
    if res.include_costs:
        res.costliest = max(res.include_costs, key=lambda tc: tc[1])
    if res.lookups > LOOKUP_LIMIT:
        inc, cost = res.costliest if res.costliest else ("a/mx terms", res.lookups)
        res.issues.append(Issue("spf-too-many-lookups", None, recs[0],
                                {"domain": domain, "count": res.lookups_text,
                                 "include": inc, "cost": cost}))
    if res.void_lookups > VOID_LIMIT:
        res.issues.append(Issue("spf-void-lookups", None, recs[0],
                                {"domain": domain, "count": res.void_lookups, "names": ", ".join(res.void_names)},
                                tuple(res.void_names)))
    for loop in res.loops:
        res.issues.append(Issue("spf-include-loop", None, recs[0],
                                {"domain": domain, "chain": " → ".join(loop)}, tuple(loop)))
    if any(i.rule == "spf-syntax" and i.variant is None or i.variant == "mx-hosts" for i in res.issues) \
            or res.status == "multiple":
        res.status = "permerror"
    return res
