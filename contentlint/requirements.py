"""The mailbox providers' published requirements for senders, as a checklist per message.

``contentlint check --requirements gmail`` (or yahoo, microsoft, apple, laposte, all) lists each requirement of
the chosen providers as:

* ``met``: the rules that check it ran on this message and found nothing (with the evidence when there is some);
* ``not met``: a finding says why, and its fix says what to do;
* ``not checkable``: the message cannot tell (a template has no headers, the DNS records were not given, a rule
  is disabled), or only the live connection can (reverse DNS of the sending IP, TLS, the spam rate, honouring
  unsubscribes in time): never reported as met;
* ``not applicable``: a marketing-only requirement on mail checked as transactional.

The offline checks are ordinary rules (``rules/providers.yaml`` and the others); this module only reads their
findings, the message's headers, and, with ``--zone`` or ``--dns``, the DNS findings. The providers' pages:
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional

MET, NOT_MET, NOT_CHECKABLE, NOT_APPLICABLE = "met", "not met", "not checkable", "not applicable"
STATUSES = (NOT_MET, NOT_CHECKABLE, MET, NOT_APPLICABLE)

#: provider key -> (name, page of its published requirements)
PROVIDERS: dict[str, tuple[str, str]] = {
    "gmail": ("Gmail", "https://support.google.com/a/answer/81126"),
    "yahoo": ("Yahoo Mail and AOL", "https://senders.yahooinc.com/best-practices/"),
    "microsoft": ("Outlook.com", "https://sendersupport.olc.protection.outlook.com/pm/policies.aspx"),
    "apple": ("iCloud Mail", "https://support.apple.com/en-us/102322"),
    "laposte": ("laposte.net", "https://postmaster.laposte.net/contents/quelles-sont-les-specifications-"
                               "techniques-a-respecter-pour-emettre-des-emails-vers-laposte-net"),
}
__doc__ += "".join(f"\n* {name}: {url}" for name, url in PROVIDERS.values()) + "\n"

ALL = "all"
NO_DNS = "needs the domain's DNS records: pass --zone FILE (offline) or --dns"
NO_HEADERS = "a template has no headers: check the message as it is sent (.eml) to see this"


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    providers: tuple[str, ...]
    rules: tuple[str, ...] = ()     # a warning or error of any of them: not met
    check: str = ""                 # extra evaluation (see _CHECKS)
    live: str = ""                  # why only the live connection can tell (never checkable here)
    marketing: bool = False         # required of marketing mail only
    headers: bool = False           # needs the message's headers
    dns: bool = False               # needs the DNS audit (--zone / --dns)


REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement("authentication", "SPF and DKIM set up for the sending domain (one of them at least for "
                "every sender, both above 5,000 messages a day)", ("gmail", "yahoo", "microsoft", "apple", "laposte"),
                rules=("dkim-missing", "spf-missing", "spf-syntax", "spf-multiple-records", "spf-too-many-lookups",
                       "spf-void-lookups", "spf-include-missing", "spf-include-loop", "dkim-key-missing",
                       "dkim-syntax"), headers=True, check="authentication"),
    Requirement("alignment", "SPF or DKIM aligned with the From domain (DMARC, relaxed); a shared ESP domain "
                "counts as none", ("gmail", "yahoo", "microsoft", "laposte"), rules=("from-not-aligned",),
                headers=True, check="alignment"),
    Requirement("dmarc", "A DMARC record for the From domain (p=none at least)",
                ("gmail", "yahoo", "microsoft", "apple", "laposte"), rules=("dmarc-missing", "dmarc-syntax"),
                dns=True),
    Requirement("dkim-key", "DKIM keys of at least 1024 bits (2048 recommended)", ("gmail",),
                rules=("dkim-key-weak",), dns=True, check="dkim_key"),
    Requirement("spf-lookups", "SPF evaluated within 10 DNS lookups", ("microsoft",),
                rules=("spf-too-many-lookups", "spf-void-lookups"), dns=True),
    Requirement("rfc5322", "Formatted to RFC 5322: one From address; one each of From, To, Subject and Date; "
                "a valid Message-ID", ("gmail", "yahoo", "apple"),
                rules=("from-address-count", "header-count", "invalid-message-id"), headers=True),
    Requirement("fake-reply", "No “Re:” or “Fwd:” in the subject of a message that answers nothing", ("gmail",),
                rules=("fake-reply-subject",), headers=True),
    Requirement("display-name", "A display name that names the sender: no emoji, badges or other address",
                ("gmail",), rules=("display-name-decorated", "display-name-address")),
    Requirement("own-domain", "From at the sender's own domain, not gmail.com, yahoo.com or another webmail",
                ("gmail", "yahoo", "microsoft"), check="own_domain"),
    Requirement("reply-address", "From and Reply-To addresses that accept replies", ("microsoft",),
                rules=("noreply-sender",)),
    Requirement("hidden-content", "No hidden content", ("gmail",), rules=("hidden-text",)),
    Requirement("one-click", "One-click unsubscribe (RFC 8058): List-Unsubscribe with an https URL and "
                "List-Unsubscribe-Post, both covered by the DKIM signature", ("gmail", "yahoo"),
                rules=("missing-list-unsubscribe", "missing-one-click-unsubscribe", "one-click-not-signed"),
                marketing=True, headers=True, check="one_click"),
    Requirement("unsubscribe-link", "A visible unsubscribe link in the body", ("gmail", "yahoo", "microsoft",
                "apple"), rules=("missing-unsubscribe",), marketing=True),
    Requirement("reverse-dns", "Valid forward and reverse DNS (PTR) for the sending IP address",
                ("gmail", "yahoo", "apple", "laposte"), live="the sending IP address is known only when the mail "
                "is sent: check it at your ESP or with the receiving server's headers"),
    Requirement("tls", "TLS for the SMTP connection", ("gmail",),
                live="a property of the sending connection, not of the message"),
    Requirement("spam-rate", "A spam complaint rate under 0.3 % (aim for under 0.1 %)", ("gmail", "yahoo"),
                live="measured by the provider on delivered mail: see Google Postmaster Tools and Yahoo's "
                "complaint feedback loop"),
    Requirement("unsubscribe-honoured", "Unsubscribe requests honoured within 2 days", ("gmail", "yahoo"),
                live="depends on how your list handles requests after sending", marketing=True),
    Requirement("opt-in", "Mail only to recipients who explicitly subscribed", ("apple",),
                live="consent is recorded in your list, not in the message", marketing=True),
)


@dataclass
class Item:
    """One requirement's status for one message."""

    id: str
    title: str
    status: str
    reason: str = ""
    fix: str = ""
    rules: list[str] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        out = {"id": self.id, "title": self.title, "status": self.status, "reason": self.reason,
               "providers": list(self.providers), "rules": list(self.rules)}
        if self.fix:
            out["fix"] = self.fix
        return out


def parse_providers(values: Iterable[str]) -> tuple[str, ...]:
    """``["gmail", "yahoo,apple"]`` / ``["all"]`` → provider keys in table order; ValueError names a bad one."""
    wanted: list[str] = []
    for v in values:
        for name in str(v).replace(",", " ").split():
            key = name.strip().lower().replace("-", "").replace(" ", "")
            key = {"google": "gmail", "aol": "yahoo", "outlook": "microsoft", "hotmail": "microsoft",
                   "icloud": "apple", "lapostenet": "laposte"}.get(key, key)
            if key == ALL:
                wanted.extend(PROVIDERS)
            elif key in PROVIDERS:
                wanted.append(key)
            else:
                raise ValueError(f"unknown provider {name!r} for --requirements (choose "
                                 f"{', '.join([*PROVIDERS, ALL])})")
    return tuple(k for k in PROVIDERS if k in wanted)


class _Facts:
    """What the evaluation reads: the message, its findings by rule, the ruleset and the settings."""

    def __init__(self, message, findings, ruleset, kind: str, dns: bool) -> None:
        self.message = message
        self.by_rule: dict[str, list] = {}
        for f in findings:
            self.by_rule.setdefault(f.rule, []).append(f)
        self.ruleset = ruleset
        self.kind = kind
        self.dns = dns

    def serious(self, rules) -> list:
        return [f for r in rules for f in self.by_rule.get(r, ()) if f.level in ("warning", "error")]

    def infos(self, rules) -> list:
        return [f for r in rules for f in self.by_rule.get(r, ()) if f.level == "info"]

    def has(self, rule_id: str) -> bool:
        return self.ruleset is None or rule_id in self.ruleset

    def from_domain(self) -> Optional[str]:
        m = self.message
        d = m.from_domain or ((m.from_addr or "").rpartition("@")[2] if "@" in (m.from_addr or "") else None)
        return d.lower().rstrip(".") if d else None

    def dkim_domains(self) -> list[str]:
        import re

        out = []
        for value in self.message.header_all("DKIM-Signature"):
            found = re.search(r"(?:^|;)\s*d\s*=\s*([^;\s]+)", value.replace("\n", " "))
            if found:
                out.append(found.group(1).lower().rstrip("."))
        return out

    def return_path_domain(self) -> Optional[str]:
        from email.utils import parseaddr

        m = self.message
        addr = parseaddr(m.return_path or m.header("Return-Path") or "")[1]
        return addr.rpartition("@")[2].lower().rstrip(".") if "@" in addr else None


def _org(domain: Optional[str]) -> Optional[str]:
    if not domain:
        return None
    from .domains import registrable_domain

    return registrable_domain(domain) or domain


def _not_met(findings) -> tuple[str, str, str, list[str]]:
    first = findings[0]
    more = f" (and {len(findings) - 1} more finding{'s' if len(findings) > 2 else ''})" if len(findings) > 1 else ""
    return NOT_MET, first.message + more, first.suggestion, list(dict.fromkeys(f.rule for f in findings))


def _check_authentication(req, facts: _Facts):
    if not facts.dns:
        signers = facts.dkim_domains()
        if signers:
            return NOT_CHECKABLE, (f"the message is DKIM-signed (d={', '.join(signers)}); checking SPF and the DKIM key "
                                   f"{NO_DNS}"), "", []
        return None
    outside = [f for f in facts.by_rule.get("dns-outside-zone", ()) if "SPF" in f.message]
    if outside:
        return MET, ("SPF record and DKIM key found; " + "; ".join(f.message for f in outside)), "", \
            ["dns-outside-zone"]
    return None


def _check_alignment(req, facts: _Facts):
    failing = [f for r in ("dmarc-dkim-misaligned", "dmarc-spf-misaligned") for f in facts.by_rule.get(r, ())
               if f.level == "error"]
    if failing:
        return _not_met(failing)
    sender = _org(facts.from_domain())
    if not sender:
        return NOT_CHECKABLE, "the message has no From address", "", []
    signers = facts.dkim_domains()
    aligned = [d for d in signers if _org(d) == sender]
    if aligned:
        return MET, f"DKIM d={aligned[0]} is aligned with From {facts.from_domain()}" + (
            "" if facts.dns else " (the signature itself is verified by the receiver)"), "", []
    rp = facts.return_path_domain()
    if rp and _org(rp) == sender:
        return MET, f"the Return-Path domain {rp} is aligned with From {facts.from_domain()}", "", []
    misaligned = facts.by_rule.get("dkim-misaligned", []) + facts.by_rule.get("dmarc-dkim-misaligned", [])
    if signers and not rp:
        fix = misaligned[0].suggestion if misaligned else ""
        return NOT_CHECKABLE, (f"DKIM signs for {', '.join(signers)}, not aligned with From "
                               f"{facts.from_domain()}; the Return-Path (SPF) is set when the mail is sent, so "
                               "whether SPF aligns is unknown"), fix, [f.rule for f in misaligned[:1]]
    return NOT_CHECKABLE, ("no DKIM signature and no Return-Path in the message: alignment is decided when it is "
                           "sent (sign with d= your domain and use a bounce domain under it)"), "", []


def _check_dkim_key(req, facts: _Facts):
    weak = [f for f in facts.by_rule.get("dkim-key-weak", ()) if f.level == "error"]
    if weak:
        return _not_met(weak)
    if not facts.dkim_domains():
        return NOT_CHECKABLE, "the message has no DKIM signature whose key could be looked up", "", []
    below = facts.by_rule.get("dkim-key-weak", [])
    if below:
        return MET, below[0].message, below[0].suggestion, ["dkim-key-weak"]
    outside = [f for f in facts.by_rule.get("dns-outside-zone", ()) if "_domainkey." in f.message]
    if outside:
        return NOT_CHECKABLE, outside[0].message, outside[0].suggestion, ["dns-outside-zone"]
    missing = facts.serious(("dkim-key-missing", "dkim-syntax"))
    if missing:
        return NOT_CHECKABLE, "no key to measure: " + missing[0].message, missing[0].suggestion, [missing[0].rule]
    return None


def _check_own_domain(req, facts: _Facts):
    domain = facts.from_domain()
    if not domain:
        return NOT_CHECKABLE, "the message has no From address", "", []
    if facts.ruleset is not None and facts.ruleset.own_domain(domain) is None:
        found = facts.by_rule.get("freemail-sender", [])
        fix = found[0].suggestion if found else ("Send from an address at your own domain, with SPF, DKIM and "
                                                 "DMARC set up")
        return NOT_MET, f"From is at the webmail domain {domain}", fix, ["freemail-sender"] if found else []
    return MET, f"From is at {domain}", "", []


def _check_one_click(req, facts: _Facts):
    if not facts.message.header_all("DKIM-Signature") and facts.message.header_all("List-Unsubscribe-Post"):
        return (NOT_MET, "the message is not DKIM-signed, so no signature covers List-Unsubscribe and "
                "List-Unsubscribe-Post (RFC 8058 §4)", "Sign the mail with DKIM and add both List-Unsubscribe and "
                "List-Unsubscribe-Post to the signed headers (h=).", ["dkim-missing"])
    return None


_CHECKS = {"authentication": _check_authentication, "alignment": _check_alignment, "dkim_key": _check_dkim_key,
           "own_domain": _check_own_domain, "one_click": _check_one_click}


def evaluate(requirement: Requirement, facts: _Facts) -> tuple[str, str, str, list[str]]:
    """(status, reason, fix, rule ids) of one requirement for one message."""
    if requirement.live:
        return NOT_CHECKABLE, "not checkable here: " + requirement.live, "", []
    if requirement.marketing and facts.kind != "marketing":
        return NOT_APPLICABLE, "required of marketing mail; this message is checked as transactional", "", []
    if requirement.headers and not getattr(facts.message, "has_headers", True):
        return NOT_CHECKABLE, NO_HEADERS, "", []
    if requirement.dns and not facts.dns:
        return NOT_CHECKABLE, NO_DNS, "", []
    failing = facts.serious(requirement.rules)
    if requirement.check == "dkim_key":
        failing = [f for f in failing if f.rule != "dkim-key-weak"]   # 1024-2047 bits meet the 1024 minimum
    if failing:
        return _not_met(failing)
    check = _CHECKS.get(requirement.check)
    if check is not None:
        found = check(requirement, facts)
        if found is not None:
            return found
    notes = facts.infos(requirement.rules)
    if notes:
        return NOT_CHECKABLE, notes[0].message, notes[0].suggestion, [notes[0].rule]
    off = [r for r in requirement.rules if not facts.has(r)]
    if off:
        return NOT_CHECKABLE, f"rule {', '.join(off)} is not enabled (select, ignore or disable)", "", []
    if not requirement.rules:
        return NOT_CHECKABLE, "no rule checks it", "", []
    return MET, "no finding of " + ", ".join(requirement.rules), "", []


def checklist(message, findings, *, providers: Iterable[str], ruleset=None, kind: str = "marketing",
              dns: bool = False) -> list[Item]:
    """The requirements of ``providers`` for one message, from its ``findings`` (DNS findings included when
    ``dns``): not met first, then not checkable, met, not applicable; table order within each."""
    keys = tuple(providers)
    facts = _Facts(message, findings, ruleset, kind, dns)
    items = []
    for req in REQUIREMENTS:
        who = [p for p in req.providers if p in keys]
        if not who:
            continue
        status, reason, fix, rules = evaluate(req, facts)
        items.append(Item(req.id, req.title, status, reason, fix, rules, [PROVIDERS[p][0] for p in who]))
    items.sort(key=lambda it: STATUSES.index(it.status))
    return items


def summary(items: Iterable[Item]) -> dict[str, int]:
    out = {s: 0 for s in STATUSES}
    for it in items:
        out[it.status] += 1
    return out
