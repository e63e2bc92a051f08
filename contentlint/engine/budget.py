"""A regex time budget per rule and message, shared by all of the rule's regex calls on that message."""
from __future__ import annotations

import time

from .checkers import RUN_TIMEOUT, RuleTimeout


class Budget:
    """``RUN_TIMEOUT`` seconds for one rule on one message, shared by all its regex calls (4,000 Received
    headers must not get 0.25 s each).  ``left()`` is the ``timeout=`` of the next call; it raises
    ``RuleTimeout`` once the budget is spent."""

    def __init__(self, pattern: str, seconds: float = RUN_TIMEOUT):
        self._deadline = time.monotonic() + seconds
        self.pattern = pattern

    def left(self) -> float:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise RuleTimeout(self.pattern)
        return remaining
