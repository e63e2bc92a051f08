"""Rule and PackError: the compiled form of one YAML rule, and the error every broken pack raises."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

CATEGORIES = ("compliance", "content", "formatting", "structure", "sender", "authentication", "input",
              "accessibility", "rendering")   # the last two weigh 0 in the shipped packs: not spam signals
LEVELS = ("error", "warning", "info")
KINDS = ("marketing", "transactional")
TYPES = ("words", "scored-words", "regex", "metric", "header", "builtin", "dns")
SCOPES = ("subject", "preheader", "body", "text-part", "html", "anchor-text", "headers", "from",
          "reply-to", "links", "images", "attachments")


class PackError(Exception):
    """A rule pack (or a rule override) that cannot be used. The CLI maps it to exit code 2."""

    def __init__(self, message: str, *, file: Optional[str] = None, line: Optional[int] = None,
                 rule_id: Optional[str] = None):
        self.file = file
        self.line = line
        self.rule_id = rule_id
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file or "<rules>"
        if self.line:
            where += f":{self.line}"
        rule = f" rule '{self.rule_id}':" if self.rule_id else ""
        return f"{where}:{rule} {self.message}"

    def __reduce__(self):
        return (_rebuild_pack_error, (self.message, self.file, self.line, self.rule_id))


def _rebuild_pack_error(message, file, line, rule_id):
    return PackError(message, file=file, line=line, rule_id=rule_id)


@dataclass
class Rule:
    id: str
    pack: str
    title: str
    description: str
    category: str
    level: str
    weight: float
    scope: tuple[str, ...]
    languages: tuple[str, ...]          # ("any",) when not restricted
    kinds: tuple[str, ...]
    message: str
    suggestion: str
    examples: dict                      # {"pass": [...], "fail": [...]}
    type: str
    params: dict = field(default_factory=dict)   # the type-specific keys, as written in YAML
    file: str = ""
    line: int = 0
    references: tuple[str, ...] = ()
    requires_headers: bool = False      # header rules: skipped when Message.has_headers is False
    level_overridden: bool = False      # the user set the level: dynamic levels (metrics) keep it
    replaces: tuple[str, ...] = ()      # rules whose finding this one supersedes when both fire (same cause)
    checker: Any = None                 # compiled check object (see checkers.py); None for dns rules

    def applies_to(self, kind: str) -> bool:
        return kind in self.kinds

    def summary(self) -> dict:
        return {"id": self.id, "pack": self.pack, "category": self.category, "level": self.level,
                "weight": self.weight, "type": self.type, "title": self.title}
