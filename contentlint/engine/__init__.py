"""contentlint.engine: YAML rule packs → compiled RuleSet → findings.

    from contentlint.engine import load_ruleset
    ruleset = load_ruleset()                      # built-in packs (+ extra paths, overrides…)
    findings = ruleset.check(message, kind="marketing")
"""
from __future__ import annotations

from .engine import RuleSet
from .packs import builtin_rules_dir, load_ruleset
from .rule import PackError, Rule

__all__ = ["load_ruleset", "RuleSet", "Rule", "PackError", "builtin_rules_dir"]
