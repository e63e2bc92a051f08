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


def render_text(result, zone_file: Optional[str] = None) -> str:
    lines = [f"{result.domain}  ({result.source})"]
    spf = result.spf
    if spf is not None:
        if spf.record:
            lines.append(f"  SPF    {spf.record}")
            extra = f"{spf.lookups} of 10 DNS lookups"
            if spf.costliest:
                extra += f"; costliest: {spf.costliest[0]} ({spf.costliest[1]})"
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
    lines.append("")
    for f in result.findings:
        where = f"{zone_file}:{f.location.line}: " if zone_file and f.location.line else ""
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


def render_sarif(result, zone_file: Optional[str] = None) -> str:
    from contentlint import __version__

    from .ruledata import rules_by_id

    rules = rules_by_id()
    ids = list(rules)
    driver_rules = [{
        "id": rid,
        "name": r.get("title", rid),
        "shortDescription": {"text": r.get("title", rid)},
        "fullDescription": {"text": " ".join(str(r.get("description", "")).split())},
        "defaultConfiguration": {"level": SARIF_LEVEL.get(r.get("level", "warning"), "warning")},
        "properties": {"category": r.get("category", "authentication"), "weight": r.get("weight")},
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
        if zone_file:
            physical = {"artifactLocation": {"uri": Path(zone_file).as_posix()}}
            if f.location.line:
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


def _at_zone_line(finding, record_lines: dict):
    """The finding pointed at the zone-file line of its record (the first one, for "a | b" excerpts)."""
    import dataclasses

    record = (finding.location.excerpt or "").split(" | ")[0]
    line = record_lines.get(record)
    if not line:
        return finding
    return dataclasses.replace(finding, location=dataclasses.replace(finding.location, line=line))


def run_dns(domain: str, *, zone: Optional[str] = None, nameserver: Optional[str] = None, port: int = 53,
            timeout: float = 3.0, selectors=(), fmt: str = "text", out=None, err=None) -> int:
    """Run the audit and print it; returns the exit code (0, 1 or 2)."""
    out = out or sys.stdout
    err = err or sys.stderr
    if fmt not in FORMATS:
        err.write(f"contentlint dns: unknown --format {fmt!r} (choose {', '.join(FORMATS)})\n")
        return 2
    from .audit import audit_report, normalise_domain
    from .resolver import DnsUnavailable, make_resolver

    try:
        domain = normalise_domain(domain)
    except ValueError as exc:
        err.write(f"contentlint dns: {exc}\n")
        return 2
    try:
        resolver = make_resolver(nameserver=nameserver, port=port, timeout=timeout, zone_file=zone)
        result = audit_report(domain, resolver, selectors)
    except DnsUnavailable as exc:
        err.write(f"contentlint dns: {exc}\n")
        return 2
    lines = getattr(resolver, "record_lines", None)
    if lines:
        result.findings = [_at_zone_line(f, lines) for f in result.findings]
    if fmt == "json":
        out.write(render_json(result))
    elif fmt == "sarif":
        out.write(render_sarif(result, zone))
    else:
        out.write(render_text(result, zone))
    return 1 if any(f.level == "error" for f in result.findings) else 0


def register(app) -> None:
    """Add the ``dns`` command to a typer app."""
    import typer

    @app.command("dns")
    def dns_command(
        domain: str = typer.Argument(..., help="Sending domain to audit (the From domain)."),
        zone: Optional[Path] = typer.Option(
            None, "--zone", help="Read records from this RFC 1035 zone file instead of DNS (offline, for CI)."),
        nameserver: Optional[str] = typer.Option(
            None, "--nameserver", help="IP address of the DNS server to ask (default: system resolver)."),
        port: int = typer.Option(53, "--port", help="DNS server port."),
        timeout: float = typer.Option(3.0, "--timeout", help="Seconds to wait for each DNS answer."),
        dkim_selector: List[str] = typer.Option(
            [], "--dkim-selector", help="DKIM selector whose key to check (repeatable)."),
        fmt: str = typer.Option("text", "--format", help="Output format: text, json or sarif."),
    ) -> None:
        """Audit a sending domain's SPF, DKIM and DMARC records."""
        code = run_dns(domain, zone=str(zone) if zone is not None else None, nameserver=nameserver, port=port,
                       timeout=timeout, selectors=tuple(dkim_selector), fmt=fmt,
                       out=_Echo(False), err=_Echo(True))
        raise typer.Exit(code)


class _Echo:
    """File-like writer through typer.echo (so CliRunner captures output)."""

    def __init__(self, err: bool) -> None:
        self.err = err

    def write(self, text: str) -> None:
        import typer

        typer.echo(text, nl=False, err=self.err)
