"""Rule documentation for the CLI: `contentlint rules` and `contentlint rules show ID`."""
from __future__ import annotations

import textwrap


def list_rules_table(ruleset) -> str:
    """One line per rule: id, pack, category, level, weight (aligned columns, header first)."""
    rows = [("ID", "PACK", "CATEGORY", "LEVEL", "WEIGHT", "KINDS", "TITLE")]
    for r in sorted(ruleset.rules, key=lambda r: (r.pack, r.id)):
        kinds = "all" if set(r.kinds) >= {"marketing", "transactional"} else ",".join(r.kinds)
        rows.append((r.id, r.pack, r.category, r.level, f"{r.weight:g}", kinds, r.title))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths)) + "  " + row[-1] for row in rows]
    lines.append(f"{len(ruleset.rules)} rules")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _example_text(example) -> str:
    if isinstance(example, str):
        return example if len(example) <= 300 else example[:297] + "…"
    parts = []
    for key, value in example.items():
        value = str(value)
        if len(value) > 200:
            value = value[:197] + "…"
        parts.append(f"{key}: {value}")
    return "; ".join(parts)


def _tag(tag) -> str:
    return " ".join([tag.pos, *sorted(tag.feats)])


def show_rule(ruleset, rule_id: str) -> str:
    """Description, message, suggestion and examples of one rule. KeyError for an unknown id."""
    r = ruleset.get(rule_id)
    wrap = textwrap.TextWrapper(width=100, initial_indent="  ", subsequent_indent="  ")
    out = [f"{r.id} — {r.title}",
           f"  pack: {r.pack} ({r.file}:{r.line})" if r.file else f"  pack: {r.pack}",
           f"  category: {r.category}   level: {r.level}   weight: {r.weight:g}   type: {r.type}",
           f"  scope: {', '.join(r.scope)}   kinds: {', '.join(r.kinds)}   languages: {', '.join(r.languages)}"]
    if r.requires_headers:
        out.append("  only for messages with headers (not templates)")
    if r.replaces:
        out.append(f"  replaces: {', '.join(r.replaces)} (when both fire, only this one counts)")
    out += ["", "Why:", wrap.fill(r.description), "", "Message:", wrap.fill(r.message), "",
            "Suggestion:", *[wrap.fill(p) for p in r.suggestion.split("\n")]]
    if r.type == "words":
        ch = r.checker
        for lang, items in ch.words.items():
            out += ["", f"Words ({lang}):", wrap.fill(", ".join(t for t, _ in items))]
        for lang, items in ch.exceptions.items():
            out += [f"Exceptions ({lang}):", wrap.fill(", ".join(items))]
        for lang, senses in (getattr(ch, "morphology", None) or {}).items():
            by_sense: dict = {}
            for form, sense in senses.items():
                by_sense.setdefault(sense, []).append(form)
            out += [f"Part of speech ({lang}, where no exception decides):"]
            out += [wrap.fill(f"{', '.join(forms)}: " + (f"kept only as {' or '.join(_tag(t) for t in sense.keep)}"
                                                          if sense.keep else
                                                          f"dropped as {' or '.join(_tag(t) for t in sense.drop)}"))
                    for sense, forms in by_sense.items()]
    for group in ("pass", "fail"):
        items = (r.examples or {}).get(group) or []
        if items:
            out += ["", f"Examples that {'pass' if group == 'pass' else 'fail'}:"]
            out += [f"  - {_example_text(ex)}" for ex in items]
    if r.references:
        out += ["", "References:", *[f"  {ref}" for ref in r.references]]
    return "\n".join(out) + "\n"
