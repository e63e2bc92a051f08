"""The dns rule pack (rules/dns.yaml) as data: titles, levels, weights and message templates.

Checks produce :class:`Issue` values (rule id, variant, template parameters); :func:`to_finding` fills the
pack's templates, so every user-visible text lives in the YAML file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from ..findings import Finding
from ..model import Location

PACK_FILE = "dns.yaml"
DEFAULT_CATEGORY = "authentication"


@dataclass
class Issue:
    """One problem a check found, before it becomes a Finding."""

    rule: str
    variant: Optional[str] = None
    record: str = ""                      # the record text (the finding's excerpt)
    params: dict = field(default_factory=dict)
    matches: tuple = ()


def pack_path() -> Path:
    """rules/dns.yaml: from the installed package data, else from the source tree."""
    try:
        from importlib.resources import files

        p = files("contentlint._packs").joinpath(PACK_FILE)
        if p.is_file():
            return Path(str(p))
    except (ImportError, ModuleNotFoundError, TypeError, AttributeError):
        pass
    return Path(__file__).resolve().parents[2] / "rules" / PACK_FILE


@lru_cache(maxsize=1)
def load_pack() -> dict:
    import yaml

    with open(pack_path(), encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return data


@lru_cache(maxsize=1)
def rules_by_id() -> dict[str, dict]:
    return {r["id"]: r for r in load_pack()["rules"]}


class _Params(dict):
    def __missing__(self, key):  # a template naming an unknown key shows it rather than crashing
        return "{" + key + "}"


def _fill(template: str, params: dict) -> str:
    try:
        return template.format_map(_Params(params)).strip()
    except (ValueError, IndexError, AttributeError):
        return template.strip()


def to_finding(issue: Issue, overrides: Optional[dict] = None) -> Finding:
    """Fill the rule's (or variant's) templates.  ``overrides`` maps rule id -> {"level", "weight"}."""
    rule = rules_by_id()[issue.rule]
    variant: dict[str, Any] = {}
    if issue.variant:
        variant = (rule.get("variants") or {}).get(issue.variant) or {}
    level = variant.get("level", rule.get("level", "warning"))
    weight = float(variant.get("weight", rule.get("weight", 1.0)))
    if overrides and issue.rule in overrides:
        o = overrides[issue.rule]
        if o.get("level") and o["level"] != rule.get("level"):
            level = o["level"]
        if o.get("weight") is not None and float(o["weight"]) != float(rule.get("weight", 1.0)):
            weight = float(o["weight"])
    params = dict(issue.params)
    params.setdefault("record", issue.record)
    params.setdefault("more", "")
    message = _fill(variant.get("message") or rule["message"], params)
    suggestion = _fill(variant.get("suggestion") or rule["suggestion"], params) or rule.get("title", issue.rule)
    return Finding(
        rule=issue.rule,
        category=rule.get("category", DEFAULT_CATEGORY),
        level=level,
        weight=weight,
        message=message,
        suggestion=suggestion,
        location=Location(part="dns", excerpt=issue.record or params.get("name", "")),
        matches=tuple(issue.matches),
        pack=load_pack().get("pack", "dns"),
    )
