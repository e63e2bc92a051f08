"""What a rule's check returns, and the helpers every rule type shares (no import of the checkers or built-ins,
so that ``checkers`` and ``builtins`` both import this module and never each other at import time).

A ``Hit`` carries every match, the values for the message/suggestion placeholders, and *where* it matched:
``spans``, each a ``Span`` in the text the rule analysed.  The engine maps spans to the input file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional

import regex

from .rule import PackError


class Span(NamedTuple):
    """Where one match is.  ``kind`` says what ``a``/``b`` index:

    * ``"scope"``: ``key`` is a scope (``subject``, ``body``…); ``a:b`` offsets in ``Context.text(key)``;
    * ``"cut"``: the same in ``Context.text_without_placeholders(key)``;
    * ``"text"``: ``key`` is a part label or a field label (``text/html``, ``subject``, ``from``…); ``a:b``
      offsets in that part's or field's text;
    * ``"item"``: ``a`` is the index of a link or image of the HTML, ``key`` the attribute (``href``…);
    * ``"link-text"``: ``a`` is a link's index in ``Message.links``;
    * ``"hidden"``: ``a`` is the index of a block of ``Message.hidden``;
    * ``"header"``: ``a`` is the index of a header in ``Message.headers``; ``b`` unused.
    """

    kind: str
    key: Any
    a: int = 0
    b: int = 0


RUN_TIMEOUT = 0.25        # seconds per regex call at run time (a per-call budget)
PROBE_TIMEOUT = 0.05      # seconds per probe at load time
MAX_MATCHES = 20


class RuleTimeout(Exception):
    """A rule's regular expression ran out of time on one message."""


@dataclass
class Hit:
    matches: list
    vars: dict = field(default_factory=dict)
    fragment: str = ""              # the first match as written (shown when it has no place in the file)
    part: str = ""                  # where it is, for display ("subject", "text/html"…)
    level: Optional[str] = None     # dynamic level (metrics); None: the rule's level
    factor: float = 1.0             # weight multiplier for that level
    location: Any = None            # a ready Location (reader problems)
    spans: list = field(default_factory=list)   # every place it matched (``Span``), in order


# -- shared validation helpers --------------------------------------------------------------------
def expect(cond: bool, message: str, ctx: dict):
    if not cond:
        raise PackError(message, **ctx)


def as_str_list(value, key: str, ctx: dict) -> list[str]:
    if isinstance(value, str):
        return [value]
    expect(isinstance(value, list) and all(isinstance(v, str) for v in value),
           f"'{key}' must be a string or a list of strings", ctx)
    return list(value)


def compile_pattern(pattern: str, flags: int, key: str, ctx: dict):
    try:
        return regex.compile(pattern, flags)
    except (regex.error, TypeError, ValueError, OverflowError) as exc:
        raise PackError(f"invalid regex in '{key}': {exc} (pattern {pattern!r})", **ctx) from None


_PROBES = ("a" * 5000 + "!", "a" * 40 + "!", " " * 5000 + "x", "0" * 5000 + "a", "ab" * 2500 + "!",
           "é" * 3000 + "!", "!" * 5000 + "a", "A1 " * 1500 + "\n", "x@" * 2000 + ".", "<" * 3000 + "a",
           "https://" + "a." * 2000 + "!")


def probe_pattern(compiled, samples, key: str, ctx: dict):
    """Run a pattern on the rule's examples and adversarial strings with a short timeout.

    A pattern that times out is catastrophic (exponential backtracking) and is a pack error: at run time it
    would burn the budget on every message.
    """
    letters = {c for c in compiled.pattern if c.isalnum()}
    probes = list(_PROBES) + [c * 3000 + "!" for c in sorted(letters)[:8]]
    for text in list(samples) + probes:
        try:
            compiled.search(text, timeout=PROBE_TIMEOUT)
            compiled.findall(text[:2000], timeout=PROBE_TIMEOUT * 2)
        except TimeoutError:
            shown = text if len(text) < 40 else text[:20] + f"…({len(text)} chars)"
            raise PackError(
                f"regex in '{key}' is catastrophic: it timed out on {shown!r} "
                f"(pattern {compiled.pattern!r}); avoid nested or overlapping quantifiers such as (a|a)+",
                **ctx) from None


def fill(template: str, values: dict) -> str:
    def sub(m):
        name = m.group(1)
        if name in values and values[name] is not None:
            return str(values[name])
        return m.group(0)
    return _PLACEHOLDER.sub(sub, template)


_PLACEHOLDER = regex.compile(r"\{([a-z_][a-z0-9_]*)\}")


def placeholders_in(template: str) -> set[str]:
    return set(_PLACEHOLDER.findall(template or ""))



COMMON_VARS = {"rule", "title", "from_domain"}
