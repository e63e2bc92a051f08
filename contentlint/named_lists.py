"""Named lists shared by the rule packs and the placeholder data (``rules/lists.yaml``).

A pack writes ``{list: NAME}`` (or ``{list: [A, B], plus: [extra, …]}``) wherever it would write a list;
:func:`resolve` replaces every such reference by the named list(s), so ESP domains, shorteners, webmail
domains, acronyms and unsubscribe words are written once. A list is a list of strings or a mapping
language → list of strings (references to several mapping lists merge them language by language).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

LISTS_FILE = "lists.yaml"
_REF_KEYS = {"list", "plus"}


class ListError(ValueError):
    """A bad reference or a malformed lists file; ``line`` is the reference's line when known."""

    def __init__(self, message: str, line: Optional[int] = None):
        super().__init__(message)
        self.message, self.line = message, line


def parse_lists(data, file: str = LISTS_FILE) -> dict:
    """The ``lists:`` mapping of a lists file, validated (name → list of strings or language → list)."""
    if not isinstance(data, dict) or not isinstance(data.get("lists"), dict):
        raise ListError(f"{file}: a lists file must be a mapping with a 'lists' mapping", 1)
    out = {}
    lines = getattr(data["lists"], "key_lines", {})
    for name, value in data["lists"].items():
        if isinstance(value, list) and all(isinstance(x, str) for x in value):
            out[str(name)] = list(dict.fromkeys(value))
        elif isinstance(value, dict) and all(isinstance(v, list) and all(isinstance(x, str) for x in v)
                                             for v in value.values()):
            out[str(name)] = {str(k): list(dict.fromkeys(v)) for k, v in value.items()}
        else:
            raise ListError(f"list {name!r} must be a list of strings or a mapping language → list of strings",
                            lines.get(name))
    return out


def is_reference(value) -> bool:
    return isinstance(value, dict) and "list" in value and set(value) <= _REF_KEYS


def _expand(ref: dict, lists: dict):
    line = getattr(ref, "line", None) or None
    names = ref["list"]
    names = [names] if isinstance(names, str) else names
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise ListError("'list' must name a list or give a list of names", line)
    unknown = [n for n in names if n not in lists]
    if unknown:
        raise ListError(f"unknown list {unknown[0]!r} (known lists: {', '.join(sorted(lists))})", line)
    plus = ref.get("plus", [])
    values = [lists[n] for n in names]
    if all(isinstance(v, dict) for v in values):
        merged: dict = {}
        for v in values:
            for lang, items in v.items():
                merged.setdefault(lang, []).extend(items)
        if not isinstance(plus, dict):
            if plus:
                raise ListError("'plus' of a per-language list must be a mapping language → list", line)
            plus = {}
        for lang, items in plus.items():
            merged.setdefault(lang, []).extend(items)
        return {k: list(dict.fromkeys(v)) for k, v in merged.items()}
    if any(isinstance(v, dict) for v in values):
        raise ListError(f"cannot join a per-language list with a plain list ({', '.join(names)})", line)
    if not isinstance(plus, list):
        raise ListError("'plus' must be a list", line)
    return list(dict.fromkeys([x for v in values for x in v] + plus))


def resolve(value, lists: dict):
    """``value`` with every ``{list: …}`` reference replaced (in place for mappings and lists)."""
    if is_reference(value):
        return _expand(value, lists)
    if isinstance(value, dict):
        for k in list(value):
            value[k] = resolve(value[k], lists)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            value[i] = resolve(v, lists)
    return value


def load_lists_file(path: Path, read: Callable) -> dict:
    """``read(path)`` parses YAML (with line numbers); a missing file means no lists."""
    if not path.is_file():
        return {}
    return parse_lists(read(path), str(path))
