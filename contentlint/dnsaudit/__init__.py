"""SPF, DKIM, DMARC (RFC 9989), BIMI, MTA-STS and TLS-RPT audit of a sending domain (opt-in network; offline
with zone files). The findings are built by the rule engine from the caller's RuleSet (``ruleset=``, default the
built-in rules), so configuration, weights and select/ignore/disable apply as to every rule.

    from contentlint.dnsaudit import audit_domain, audit_zone_text, LiveResolver
    findings = audit_domain("example.com", LiveResolver(nameserver="192.0.2.53", timeout=2), selectors=["s1"])
    findings = audit_zone_text("example.com", open("example.zone").read())

Public API (imported lazily, so ``import contentlint.dnsaudit`` does not import dnspython):

* ``audit_domain(domain, resolver, selectors=()) -> list[Finding]``
* ``audit_report(domain, resolver, selectors=(), *, ruleset=None, bimi_selector="default", bimi_svg=None)
  -> AuditResult`` (SPF lookup count, costliest include, DKIM key sizes, DMARC policy, BIMI/MTA-STS/TLS-RPT
  records, findings)
* ``audit_zone_text(domain, zone_text, selectors=(), *, ruleset=None, origin=None) -> list[Finding]``
* ``check_message_dns(message, options: DnsOptions, *, ruleset=None) -> list[Finding]`` (``check --dns``)
* ``DnsOptions(nameserver=None, port=53, timeout=3.0, zone_file=None (a path or several), dkim_selectors=(),
  origin=None)``
* ``LiveResolver``, ``ZoneResolver``, ``make_resolver``, ``DnsUnavailable`` (exit code 2)
* ``run_example(example, ruleset=None) -> list[Finding]`` runs one ``type: dns`` rule example from rules/dns.yaml
* ``contentlint.dnsaudit.command.register(app)`` adds ``contentlint dns`` to a typer app
"""
from __future__ import annotations

_EXPORTS = {
    "audit_report": "audit",
    "audit_domain": "audit",
    "audit_zone_text": "audit",
    "check_message_dns": "audit",
    "clear_cache": "audit",
    "run_example": "audit",
    "AuditResult": "audit",
    "DnsChecker": "audit",
    "DnsOptions": "audit",
    "LiveResolver": "resolver",
    "ZoneResolver": "resolver",
    "BaseResolver": "resolver",
    "make_resolver": "resolver",
    "DnsUnavailable": "resolver",
    "Answer": "resolver",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'contentlint.dnsaudit' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
