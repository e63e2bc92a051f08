"""``contentlint dns DOMAIN``: the CLI command, added to the main typer app by :func:`register`.

Exit codes: 0 no error-level finding, 1 at least one error-level finding, 2 DNS unreachable, zone file
unreadable or bad arguments.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

FORMATS = ("text", "json", "sarif")
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _summary(findings) -> dict:
    out = {"error": 0, "warning": 0, "info": 0}
    for f in findings:
        out[f.level] = out.get(f.level, 0) + 1
    return out


def _where(finding, zone_files: dict) -> str:
    """``file:line: `` of a finding's record in the zone files, or ""."""
    src = zone_files.get(finding.location.excerpt.split(" | ")[0]) if zone_files else None
    return f"{src}:{finding.location.line}: " if src and finding.location.line else ""


def render_text(result, zone_file=None) -> str:
    lines = [f"{result.domain}  ({result.source})"]
    spf = result.spf
    if spf is not None:
        if spf.record:
            lines.append(f"  SPF    {spf.record}")
            extra = f"{spf.lookups_text} of 10 DNS lookups"
            if spf.not_checked:
                extra += f" ({len(spf.not_checked)} include{'s' if len(spf.not_checked) > 1 else ''} " \
                         "not in the zone files, not counted)"
            costs = [tc for tc in spf.include_costs if tc[0].split(":", 1)[-1].split("=", 1)[-1].lower().rstrip(".")
                     not in spf.not_checked]
            if costs:
                term, cost = max(costs, key=lambda tc: tc[1])
                extra += f"; costliest: {term} ({cost})"
            if spf.void_lookups:
                extra += f"; {spf.void_lookups} void"
            lines.append(f"         {extra}")
        else:
            lines.append("  SPF    none")
    for d in result.dkim:
        if d.status == "ok":
            size = f"{d.key_type} {d.bits} bits" if d.key_type == "rsa" else (d.key_type or "key")
            lines.append(f"  DKIM   {d.name}: {size}")
        else:
            lines.append(f"  DKIM   {d.name}: {d.status}")
    dm = result.dmarc
    if dm is not None:
        lines.append(f"  DMARC  {dm.name}: {dm.record}" if dm.record else "  DMARC  none")
    for label, extra in (("BIMI", result.bimi), ("MTA-STS", result.mta_sts), ("TLS-RPT", result.tls_rpt)):
        if extra is not None:
            lines.append(f"  {label:<6} {extra.name}: {extra.record}" if extra.record else f"  {label:<6} none")
    lines.append("")
    for f in result.findings:
        where = _where(f, result.zone_files)
        lines.append(f"{f.level:<8} {where}{f.rule}: {f.message}")
        lines.append(f"         fix: {f.suggestion}")
        if f.location.excerpt:
            lines.append(f"         record: {f.location.excerpt}")
    s = _summary(result.findings)
    if result.findings:
        lines.append("")
    lines.append(f"{s['error']} error(s), {s['warning']} warning(s), {s['info']} note(s)")
    return "\n".join(lines) + "\n"


def render_json(result) -> str:
    from contentlint import __version__

    data = {"tool": "contentlint", "version": __version__, **result.to_dict(), "summary": _summary(result.findings)}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render_sarif(result, zone_file=None, ruleset=None) -> str:
    from contentlint import __version__

    from .ruledata import dns_rules

    rules = dns_rules(ruleset)
    ids = list(rules)
    driver_rules = [{
        "id": rid,
        "name": r.title,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": " ".join(r.description.split())},
        "defaultConfiguration": {"level": SARIF_LEVEL.get(r.level, "warning")},
        "properties": {"category": r.category, "weight": r.weight},
    } for rid, r in rules.items()]
    results = []
    for f in result.findings:
        item = {
            "ruleId": f.rule,
            "ruleIndex": ids.index(f.rule) if f.rule in ids else -1,
            "level": SARIF_LEVEL.get(f.level, "warning"),
            "message": {"text": f"{f.message} Fix: {f.suggestion}"},
            "properties": {"suggestion": f.suggestion, "weight": f.weight, "record": f.location.excerpt,
                           "domain": result.domain},
        }
        src = result.zone_files.get(f.location.excerpt.split(" | ")[0]) if result.zone_files else None
        if src is None and zone_file:
            src = zone_file if isinstance(zone_file, str) else (list(zone_file) or [None])[0]
        if src:
            physical = {"artifactLocation": {"uri": Path(src).as_posix()}}
            if f.location.line and result.zone_files.get(f.location.excerpt.split(" | ")[0]) == src:
                physical["region"] = {"startLine": f.location.line}
            item["locations"] = [{"physicalLocation": physical}]
        else:
            item["locations"] = [{"logicalLocations": [{"fullyQualifiedName": result.domain, "kind": "resource"}]}]
        results.append(item)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "contentlint", "version": __version__, "rules": driver_rules}},
                  "results": results}],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def run_dns(domain: str, *, zone=None, nameserver: Optional[str] = None, port: int = 53,
            timeout: float = 3.0, selectors=(), fmt: str = "text", out=None, err=None, origin: Optional[str] = None,
            bimi_selector: str = "default", select=(), ignore=(), bimi_svg=None) -> int:
    """Run the audit and print it; returns the exit code (0, 1 or 2).

    ``zone``: a zone file or a list of them (all are read); ``origin``: for zone files without ``$ORIGIN`` or
    SOA; ``select``/``ignore``: rule id prefixes, as for ``contentlint check``.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    if fmt not in FORMATS:
        err.write(f"contentlint dns: unknown --format {fmt!r} (choose {', '.join(FORMATS)})\n")
        return 2
    from .audit import audit_report, normalise_domain
    from .resolver import DnsUnavailable, make_resolver

    try:
        domain = normalise_domain(domain)
        if origin:
            origin = normalise_domain(origin)
    except ValueError as exc:
        err.write(f"contentlint dns: {exc}\n")
        return 2
    zones = [zone] if isinstance(zone, (str, Path)) else list(zone or [])
    ruleset = None
    if select or ignore:
        from ..engine import PackError, load_ruleset

        try:
            ruleset = load_ruleset(select=tuple(select), ignore=tuple(ignore))
        except PackError as exc:
            err.write(f"contentlint dns: {exc}\n")
            return 2
    svg = None
    if bimi_svg:
        try:
            svg = (str(bimi_svg), Path(bimi_svg).read_bytes())
        except OSError as exc:
            err.write(f"contentlint dns: cannot read --bimi-svg {bimi_svg}: {exc.strerror or exc}\n")
            return 2
    try:
        resolver = make_resolver(nameserver=nameserver, port=port, timeout=timeout, zone_file=[str(z) for z in zones],
                                 origin=origin, domain=domain)
        if zones and not resolver.covers(domain):
            err.write(f"contentlint dns: {resolver.describe()} hold{'s' if len(zones) == 1 else ''} no zone that "
                      f"contains {domain}: pass the zone file of {domain}, or add “$ORIGIN {domain}.” (or "
                      "--origin) if its names are relative\n")
            return 2
        result = audit_report(domain, resolver, selectors, ruleset=ruleset, bimi_selector=bimi_selector,
                              bimi_svg=svg)
    except DnsUnavailable as exc:
        err.write(f"contentlint dns: {exc}\n")
        return 2
    sources = getattr(resolver, "line_source", None)
    if sources:
        result.zone_files = dict(sources)
    if fmt == "json":
        out.write(render_json(result))
    elif fmt == "sarif":
        out.write(render_sarif(result, zones[0] if zones else None, ruleset))
    else:
        out.write(render_text(result))
    return 1 if any(f.level == "error" for f in result.findings) else 0


def register(app) -> None:
    """Add the ``dns`` command to a typer app."""
    import typer

    @app.command("dns")
    def dns_command(
        domain: str = typer.Argument(..., help="Sending domain to audit (the From domain)."),
        zone: List[Path] = typer.Option(
            [], "--zone", help="Read records from this RFC 1035 zone file instead of DNS (offline, for CI); "
                               "repeatable: every file is read."),
        origin: Optional[str] = typer.Option(
            None, "--origin", help="Origin of relative names in zone files that have no $ORIGIN or SOA."),
        bimi_selector: str = typer.Option("default", "--bimi-selector", help="BIMI selector to check."),
        bimi_svg: Optional[Path] = typer.Option(
            None, "--bimi-svg", help="Check this local SVG logo against the SVG Tiny PS profile BIMI requires."),
        select: List[str] = typer.Option([], "--select", help="Only these rule ids or id prefixes (repeatable)."),
        ignore: List[str] = typer.Option([], "--ignore", help="Not these rule ids or id prefixes (repeatable)."),
        nameserver: Optional[str] = typer.Option(
            None, "--nameserver", help="IP address of the DNS server to ask (default: system resolver)."),
        port: int = typer.Option(53, "--port", help="DNS server port."),
        timeout: float = typer.Option(3.0, "--timeout", help="Seconds to wait for each DNS answer."),
        dkim_selector: List[str] = typer.Option(
            [], "--dkim-selector", help="DKIM selector whose key to check (repeatable)."),
        fmt: str = typer.Option("text", "--format", help="Output format: text, json or sarif."),
    ) -> None:
        """Audit a sending domain's SPF, DKIM, DMARC, BIMI, MTA-STS and TLS-RPT records."""
        code = run_dns(domain, zone=[str(z) for z in zone], nameserver=nameserver, port=port,
                       timeout=timeout, selectors=tuple(dkim_selector), fmt=fmt, origin=origin,
                       bimi_selector=bimi_selector, select=select, ignore=ignore, bimi_svg=bimi_svg,
                       out=_Echo(False), err=_Echo(True))
        raise typer.Exit(code)


class _Echo:
    """File-like writer through typer.echo (so CliRunner captures output)."""

    def __init__(self, err: bool) -> None:
        self.err = err

    def write(self, text: str) -> None:
        import typer

        typer.echo(text, nl=False, err=self.err)
