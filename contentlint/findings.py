"""One immutable Finding: what a rule says about one message."""
from __future__ import annotations

from dataclasses import dataclass, field

from .model import Location

LEVELS = ("error", "warning", "info")
LEVEL_RANK = {"error": 3, "warning": 2, "info": 1}


@dataclass(frozen=True)
class Finding:
    rule: str                 # rule id, kebab-case
    category: str             # compliance, content, formatting, structure, sender, authentication, input
    level: str                # error | warning | info
    weight: float             # points this finding adds to the score (before category caps)
    message: str              # the problem, placeholders filled
    suggestion: str           # the concrete fix, placeholders filled; never empty
    location: Location = field(default_factory=Location)
    matches: tuple[str, ...] = ()  # every matched text (a rule counts once per message)
    pack: str = ""
    spans: tuple[Location, ...] = ()  # every place it matched (up to model.MAX_SPANS); spans[0] == location

    def sort_key(self):
        return (self.location.line or 10**9, self.location.column, self.rule)

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "category": self.category,
            "level": self.level,
            "weight": self.weight,
            "message": self.message,
            "suggestion": self.suggestion,
            "location": self.location.to_dict(),
            "matches": list(self.matches),
            "spans": [s.to_dict() for s in self.spans],
        }
