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


# -- what a pattern cannot match without ---------------------------------------------------------
# syntax of the ``regex`` module that Python's own parser reads differently or not at all: no prefilter then
_NOT_SRE = regex.compile(r"\[:|\{[^\d,}]|\(\?[|&R(0-9+\-]|\(\?[Vrfbepw]|\\[pPXNmMKGhHvV]")


def required_literals(pattern: str) -> Optional[tuple[str, ...]]:
    """Strings (case-folded) one of which every match of ``pattern`` contains, or None when it cannot tell.

    A rule's regular expression is tried only on texts that hold one of them (``str.casefold`` of the
    text, so it holds whatever the pattern's case or flags): a C-speed ``in`` instead of a regex scan of every
    position, for the many patterns that need an ``@``, ``http`` or a keyword.  Read with Python's own
    pattern parser; a pattern it does not read, or reads otherwise than ``regex`` does, gets None."""
    parsed = _parse(pattern)
    got = _req_seq(*parsed) if parsed else None
    if not got or any(not x for x in got):
        return None
    return tuple(sorted({x.casefold() for x in got}))


def required_literal_groups(pattern: str) -> tuple[tuple[str, ...], ...]:
    """Groups of ASCII strings (lower-case, no line break) such that every match of ``pattern`` holds one
    string of each group, under IGNORECASE too in a text without ``textscan.ASCII_LOOKALIKES``; () when
    nothing is known.  Only strings the pattern writes in ASCII are kept (a group holding another is left
    out), so they are found in ``textscan.ascii_needle_text`` of the text."""
    parsed = _parse(pattern)
    groups = (_req_groups(*parsed) if parsed else None) or []
    return tuple(tuple(sorted({x.lower() for x in g})) for g in groups
                 if all(x and x.isascii() and "\n" not in x for x in g))


def _parse(pattern: str):
    """(top-level items, parser module) of ``pattern`` read with Python's own parser, or None when it does
    not read it (or reads it otherwise than ``regex`` does)."""
    if _NOT_SRE.search(pattern):
        return None
    try:
        import re._parser as sre_parse          # Python 3.11+
    except ImportError:                         # pragma: no cover - older Pythons
        import sre_parse  # type: ignore
    try:
        return list(sre_parse.parse(pattern)), sre_parse
    except Exception:  # noqa: BLE001 - any syntax the stdlib parser rejects: no prefilter, never an error
        return None


def _req_seq(items, sp) -> Optional[list[str]]:
    """The strings of the most selective group of ``_req_groups``, or None."""
    found = _req_groups(items, sp)
    if not found:
        return None
    return max(found, key=lambda alts: (min(len(a) for a in alts) - 0.1 * len(alts)))


def _req_groups(items, sp) -> list[list[str]]:
    """Groups of strings of a sequence of items: every match holds one string of each group (the runs of
    literal characters, and what each other item cannot match without)."""
    c = sp  # constants are re-exported by the parser module
    run: list[str] = []
    found: list[list[str]] = []
    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        if run and op is c.BRANCH and all(b and all(o is c.LITERAL for o, _ in b) for b in av[1]):
            # "cli(?:ck|quez)" (the parser's factoring of "click|cliquez"): the whole words
            head = "".join(run)
            found.append(sorted({head + "".join(chr(a) for _, a in b) for b in av[1]}))
            run = []
            continue
        if run:
            found.append(["".join(run)])
            run = []
        got = _req_node(op, av, sp)
        if got:
            found.append(got)
    if run:
        found.append(["".join(run)])
    return found


def _req_node(op, av, sp) -> Optional[list[str]]:
    c = sp
    if op is c.SUBPATTERN:
        return _req_seq(list(av[-1]), sp)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
        return _req_seq(list(av[2]), sp) if av[0] >= 1 else None
    if op is getattr(c, "ATOMIC_GROUP", None):
        return _req_seq(list(av), sp)
    if op is c.BRANCH:
        alts: list[str] = []
        for branch in av[1]:
            got = _req_seq(list(branch), sp)
            if not got:
                return None
            alts += got
        alts = sorted(set(alts))
        return alts if len(alts) <= 40 else None
    if op is c.IN:
        chars = [chr(a) for o, a in av if o is c.LITERAL]
        return chars if len(chars) == len(av) and 0 < len(chars) <= 12 else None
    return None


def passes_prefilter(required: Optional[tuple[str, ...]], folded: str) -> bool:
    return required is None or any(x in folded for x in required)


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
    """``template`` with each ``{name}`` that ``values`` has (not None) replaced by it.  The template is split
    at its placeholders once (a rule's message and suggestion are filled for every finding of it)."""
    parts = _TEMPLATES.get(template)
    if parts is None:
        if not isinstance(template, str) or len(_TEMPLATES) > 4096:
            def sub(m):
                name = m.group(1)
                if name in values and values[name] is not None:
                    return str(values[name])
                return m.group(0)
            return _PLACEHOLDER.sub(sub, template)
        parts = _TEMPLATES[template] = _PLACEHOLDER.split(template)
    if len(parts) == 1:
        return template
    out = list(parts)
    for k in range(1, len(parts), 2):
        value = values.get(parts[k])
        out[k] = "{" + parts[k] + "}" if value is None else str(value)
    return "".join(out)


_TEMPLATES: dict = {}


_PLACEHOLDER = regex.compile(r"\{([a-z_][a-z0-9_]*)\}")


def placeholders_in(template: str) -> set[str]:
    return set(_PLACEHOLDER.findall(template or ""))



COMMON_VARS = {"rule", "title", "from_domain"}
