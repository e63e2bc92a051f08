"""Load and validate YAML rule packs into a RuleSet.

* ``yaml`` is parsed with the C loader when available, with a constructor that records the line of every
  mapping and key, so every error names file, line, rule id and what is wrong.
* Every regex is compiled with the ``regex`` module and probed with its examples and adversarial strings
  under a short timeout: a catastrophic pattern is a pack error, not a hang.
* Built-in packs come from the repository's ``rules/`` folder (or the installed ``contentlint._packs``);
  ``extra_paths`` add files or folders. ``rules/weights.yaml`` (``weights:``, ``caps:``) is applied on top of
  the packs' weights, then the user's overrides, disables and select/ignore prefixes.
* The validated, compiled rules are cached (pickle under the user cache directory, keyed by the files'
  paths, sizes and modification times and by the engine's own source files), so a warm start skips YAML
  parsing, regex compilation and probing.
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Iterable, Mapping, Optional

from .checkers import COMMON_VARS, CHECKER_CLASSES, placeholders_in
from .rule import CATEGORIES, KINDS, LEVELS, SCOPES, TYPES, PackError, Rule

_ID_RE = None
PACK_KEYS = {"pack": str, "version": (int, str), "description": str, "languages": list, "rules": list}
PACK_REQUIRED = ("pack", "version", "description", "rules")
RULE_COMMON = {"id": str, "title": str, "description": str, "category": str, "level": str, "weight": (int, float),
               "scope": (list, str), "languages": (list, str), "kinds": (list, str), "type": str, "message": str,
               "suggestion": str, "examples": dict, "references": (list, str), "replaces": (list, str)}
RULE_REQUIRED = ("id", "title", "description", "category", "level", "weight", "type", "message", "suggestion")
EXAMPLE_KEYS = {"subject", "from", "reply_to", "preheader", "text", "html", "headers", "eml", "lang", "kind",
                "problems", "repeat"}
SKIP_FILES = {"placeholders.yaml", "placeholders.yml", "weights.yaml", "weights.yml", "lists.yaml"}
DEFAULT_SCOPE = {"words": ("subject", "preheader", "body"), "scored-words": ("subject", "preheader", "body"), "regex": ("subject", "preheader", "body"),
                 "header": ("headers",), "metric": ("body",), "builtin": ("body",), "dns": ("headers",)}
CACHE_VERSION = 14


# -- YAML with line numbers -----------------------------------------------------------------------
class LineDict(dict):
    """A mapping that remembers its own line and the line of each key (1-based)."""
    line = 0
    key_lines: dict = {}


def _yaml_loader():
    import yaml
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        pass

    def construct_map(loader, node):
        data = LineDict()
        data.line = node.start_mark.line + 1
        data.key_lines = {}
        yield data
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "found an unhashable key", key_node.start_mark) from None
            if key in data:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            data[key] = loader.construct_object(value_node, deep=True)
            data.key_lines[key] = key_node.start_mark.line + 1

    Loader.add_constructor("tag:yaml.org,2002:map", construct_map)
    return yaml, Loader


def read_yaml(path: Path):
    yaml, Loader = _yaml_loader()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise PackError(f"not UTF-8 text: {exc}", file=str(path)) from None
    except OSError as exc:
        raise PackError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    try:
        return yaml.load(text, Loader=Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        msg = f"bad YAML: {problem}" + (f" ({context})" if context else "")
        raise PackError(msg, file=str(path), line=line) from None
    except RecursionError:
        raise PackError("bad YAML: nesting too deep", file=str(path)) from None


# -- locating packs -------------------------------------------------------------------------------
def builtin_rules_dir() -> Path:
    try:
        from contentlint.paths import builtin_rules_dir as shared
        p = Path(shared())
        if p.is_dir():
            return p
    except (ImportError, AttributeError, OSError, TypeError):
        pass
    repo = Path(__file__).resolve().parent.parent.parent / "rules"
    if repo.is_dir():
        return repo
    from importlib import resources
    return Path(str(resources.files("contentlint._packs")))


def pack_files(path: Path, *, builtin: bool = False) -> list[Path]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
                       and not p.name.startswith((".", "_")) and p.name not in SKIP_FILES)
        return files
    if path.is_file():
        return [path]
    raise PackError("no such file or folder", file=str(path))


# -- validation -----------------------------------------------------------------------------------
def _type_name(t) -> str:
    if isinstance(t, tuple):
        return " or ".join(_type_name(x) for x in t)
    return {str: "a string", int: "an integer", float: "a number", list: "a list", dict: "a mapping"}.get(t, t.__name__)


def _str_tuple(value, key, allowed, where) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
        raise PackError(f"'{key}' must be a string or a list of strings", **where)
    if allowed is not None:
        bad = [x for x in items if x not in allowed]
        if bad:
            raise PackError(f"bad {key} {bad[0]!r} (allowed: {', '.join(allowed)})", **where)
    return tuple(items)


def _example_samples(examples) -> list[str]:
    out = []
    for group in ("pass", "fail"):
        for ex in examples.get(group) or []:
            if isinstance(ex, str):
                out.append(ex)
            elif isinstance(ex, dict):
                out.extend(v for k, v in ex.items() if isinstance(v, str) and k in ("subject", "text", "html",
                                                                                       "preheader", "eml"))
    return out


def _validate_examples(examples, rtype, where):
    if not isinstance(examples, dict):
        raise PackError("'examples' must be a mapping with 'pass' and 'fail' lists", **where)
    extra = set(examples) - {"pass", "fail"}
    if extra:
        raise PackError(f"unknown key(s) {sorted(extra)} in 'examples' (allowed: pass, fail)", **where)
    for group in ("pass", "fail"):
        items = examples.get(group, [])
        if not isinstance(items, list):
            raise PackError(f"'examples.{group}' must be a list", **where)
        for ex in items:
            if isinstance(ex, str):
                continue
            if not isinstance(ex, dict):
                raise PackError(f"each example in 'examples.{group}' must be a string or a mapping", **where)
            if rtype != "dns":
                extra = set(ex) - EXAMPLE_KEYS
                if extra:
                    raise PackError(f"unknown key(s) {sorted(extra)} in an example of 'examples.{group}' "
                                    f"(allowed: {', '.join(sorted(EXAMPLE_KEYS))})", **where)


def compile_rule(raw, pack: str, pack_langs, file: str, *, probe: bool = True) -> Rule:
    import regex
    global _ID_RE
    if _ID_RE is None:
        _ID_RE = regex.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    line = getattr(raw, "line", 0)
    if not isinstance(raw, dict):
        raise PackError("each item of 'rules' must be a mapping", file=file, line=line or None)
    rid = raw.get("id") if isinstance(raw.get("id"), str) else None
    where = {"file": file, "line": line or None, "rule_id": rid}

    def key_where(key):
        return dict(where, line=getattr(raw, "key_lines", {}).get(key, line) or None)

    for key in RULE_REQUIRED:
        if key not in raw:
            raise PackError(f"missing required key '{key}'", **where)
    if not _ID_RE.match(rid or ""):
        raise PackError(f"bad id {raw.get('id')!r}: use kebab-case such as 'risky-prize-terms'", **key_where("id"))
    rtype = raw["type"]
    if rtype not in TYPES:
        raise PackError(f"bad type {rtype!r} (allowed: {', '.join(TYPES)})", **key_where("type"))
    kind_cls = CHECKER_CLASSES.get(rtype)
    allowed = set(RULE_COMMON) | (set(kind_cls.KEYS) if kind_cls else set())
    if rtype != "dns":
        unknown = [k for k in raw if k not in allowed]
        if unknown:
            raise PackError(f"unknown key {unknown[0]!r} (allowed keys for type {rtype}: "
                            f"{', '.join(sorted(allowed))})", **key_where(unknown[0]))
    for key, typ in RULE_COMMON.items():
        if key in raw and not isinstance(raw[key], typ) or (key == "weight" and isinstance(raw.get(key), bool)):
            raise PackError(f"'{key}' must be {_type_name(typ)}, not {type(raw[key]).__name__}", **key_where(key))
    if raw["category"] not in CATEGORIES:
        raise PackError(f"bad category {raw['category']!r} (allowed: {', '.join(CATEGORIES)})", **key_where("category"))
    if raw["level"] not in LEVELS:
        raise PackError(f"bad level {raw['level']!r} (allowed: {', '.join(LEVELS)})", **key_where("level"))
    if raw["weight"] < 0:
        raise PackError("'weight' must be ≥ 0", **key_where("weight"))
    if not raw["suggestion"].strip() or not raw["message"].strip():
        raise PackError("'message' and 'suggestion' must not be empty", **key_where("suggestion"))
    scope = _str_tuple(raw.get("scope", list(DEFAULT_SCOPE[rtype])), "scope", SCOPES, key_where("scope"))
    kinds = _str_tuple(raw.get("kinds", list(KINDS)), "kinds", KINDS, key_where("kinds"))
    examples = raw.get("examples", {"pass": [], "fail": []})
    _validate_examples(examples, rtype, key_where("examples"))

    params = {k: v for k, v in raw.items() if k not in RULE_COMMON}
    checker = None
    requires_headers = rtype in ("header", "dns")
    if kind_cls is not None:
        for key, required in kind_cls.KEYS.items():
            if required and key not in raw:
                raise PackError(f"missing required key '{key}' for type {rtype}", **where)
        checker = kind_cls(params, where)
        if probe and hasattr(checker, "probe"):
            checker.probe(_example_samples(examples), where)
        requires_headers = requires_headers or bool(getattr(checker, "needs_headers", False))
        known = set(getattr(checker, "VARS", set())) | COMMON_VARS
        for key in ("message", "suggestion"):
            unknown = placeholders_in(raw[key]) - known
            if unknown:
                raise PackError(f"unknown placeholder {{{sorted(unknown)[0]}}} in '{key}' "
                                f"(available: {', '.join('{' + v + '}' for v in sorted(known))})", **key_where(key))

    if "languages" in raw:
        languages = _str_tuple(raw["languages"], "languages", None, key_where("languages"))
    elif rtype in ("words", "scored-words"):
        languages = tuple(checker.words)
    else:
        languages = tuple(pack_langs) if pack_langs else ("any",)
    return Rule(
        id=rid, pack=pack, title=raw["title"], description=raw["description"].strip(), category=raw["category"],
        level=raw["level"], weight=float(raw["weight"]), scope=scope, languages=languages, kinds=kinds,
        message=raw["message"].strip(), suggestion=raw["suggestion"].strip(), examples=examples, type=rtype,
        params=params, file=file, line=line, references=_str_tuple(raw.get("references", []), "references", None, where),
        requires_headers=requires_headers, checker=checker, replaces=_replaces(raw, rid, key_where("replaces")))


def _replaces(raw, rid, where) -> tuple[str, ...]:
    ids = _str_tuple(raw.get("replaces", []), "replaces", None, where)
    for other in ids:
        if not _ID_RE.match(other) or other == rid:
            raise PackError(f"'replaces' must list other rules' ids, not {other!r}", **where)
    return ids


def read_lists(path: Optional[Path] = None) -> dict:
    """The named lists of ``rules/lists.yaml`` (or ``path``); raises PackError with the line of a bad entry."""
    from contentlint.named_lists import ListError, load_lists_file
    path = path or builtin_rules_dir() / "lists.yaml"
    try:
        return load_lists_file(path, read_yaml)
    except ListError as exc:
        raise PackError(exc.message, file=str(path), line=exc.line) from None


def _resolve_lists(raw, lists, file):
    """Replace ``{list: NAME}`` references in a rule (see rules/lists.yaml) before it is validated."""
    from contentlint.named_lists import ListError, resolve
    rid = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else None
    try:
        resolve(raw, lists)
    except ListError as exc:
        raise PackError(exc.message, file=file, line=exc.line or getattr(raw, "line", None) or None,
                        rule_id=rid) from None


def load_pack_file(path: Path, *, probe: bool = True, lists: Optional[dict] = None) -> list[Rule]:
    data = read_yaml(path)
    file = str(path)
    if lists is None:
        lists = read_lists()
    if not isinstance(data, dict):
        raise PackError("a rule pack must be a mapping with 'pack', 'version', 'description' and 'rules'", file=file,
                        line=1)
    unknown = [k for k in data if k not in PACK_KEYS]
    if unknown:
        raise PackError(f"unknown top-level key {unknown[0]!r} (allowed: {', '.join(PACK_KEYS)})", file=file,
                        line=data.key_lines.get(unknown[0]) if isinstance(data, LineDict) else None)
    for key in PACK_REQUIRED:
        if key not in data:
            raise PackError(f"missing required top-level key '{key}'", file=file, line=1)
    for key, typ in PACK_KEYS.items():
        if key in data and not isinstance(data[key], typ):
            raise PackError(f"'{key}' must be {_type_name(typ)}", file=file,
                            line=data.key_lines.get(key) if isinstance(data, LineDict) else None)
    langs = data.get("languages") or []
    if isinstance(data["rules"], list):
        for raw in data["rules"]:
            _resolve_lists(raw, lists, file)
    rules, errors = [], []
    for raw in data["rules"]:  # every broken rule of the pack is reported in one run, not only the first
        try:
            rules.append(compile_rule(raw, data["pack"], langs, file, probe=probe))
        except PackError as exc:
            errors.append(exc)
    if errors:
        raise _all_errors(errors)
    return rules


def _all_errors(errors: list) -> PackError:
    """The first error, carrying every error in ``errors`` (the CLI prints each)."""
    flat = [e for exc in errors for e in getattr(exc, "errors", None) or [exc]]
    first = flat[0]
    first.errors = flat
    return first


# -- weights file and overrides -------------------------------------------------------------------
def read_weights(path: Path) -> tuple[dict, dict, dict]:
    """``(weights, caps, levels)`` of a weights file (levels: rules the fit found worth nothing → info)."""
    data = read_yaml(path) or {}
    file = str(path)
    if not isinstance(data, dict):
        raise PackError("a weights file must be a mapping with 'weights' and/or 'caps'", file=file)
    extra = set(data) - {"weights", "caps", "meta", "thresholds", "levels"}
    if extra:
        raise PackError(f"unknown key {sorted(extra)[0]!r} in weights file (allowed: weights, caps, levels, meta, "
                        "thresholds)", file=file)
    levels = data.get("levels") or {}
    if not isinstance(levels, dict) or any(v not in LEVELS for v in levels.values()):
        raise PackError(f"'levels' must map rule ids to a level ({', '.join(LEVELS)})", file=file,
                        line=getattr(data, "key_lines", {}).get("levels"))
    weights, caps = data.get("weights") or {}, data.get("caps") or {}
    for name, mapping in (("weights", weights), ("caps", caps)):
        if not isinstance(mapping, dict):
            raise PackError(f"'{name}' must be a mapping", file=file)
        for k, v in mapping.items():
            if not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0:
                raise PackError(f"'{name}.{k}' must be a number ≥ 0", file=file,
                                line=getattr(mapping, "key_lines", {}).get(k))
    weights = {str(k): float(v) for k, v in weights.items()}
    caps = {str(k): float(v) for k, v in caps.items()}
    return weights, caps, {str(k): str(v) for k, v in levels.items()}


def select_rules(rules, select=(), ignore=()):
    """flake8-style: the longest matching pattern decides (``contentlint.selection``); with ``select``
    only selected rules stay."""
    from contentlint.selection import is_selected

    return [r for r in rules if is_selected(r.id, select, ignore)]


def matches_any_id(pattern: str, rule_ids) -> bool:
    """Whether ``pattern`` names at least one of ``rule_ids``."""
    from contentlint.selection import matches

    return any(matches(r, pattern) for r in rule_ids)


# -- cache ----------------------------------------------------------------------------------------
def _cache_dir() -> Optional[Path]:
    from contentlint.paths import cache_dir

    return cache_dir()


def _fingerprint(files: Iterable[Path]) -> str:
    """The packs, the weights file, the engine's own sources and the shipped lemma table as they are now."""
    from contentlint.paths import fingerprint

    from .lemmas import shipped_path
    engine_dir = os.path.dirname(os.path.abspath(__file__))
    deps = sorted(os.path.join(engine_dir, n) for n in os.listdir(engine_dir) if n.endswith(".py"))
    return fingerprint([*files, *deps, shipped_path()], f"ruleset v{CACHE_VERSION}")


def _load_cached(key: str):
    from contentlint.paths import cache_load

    return cache_load("ruleset", key)


def _store_cached(key: str, value) -> None:
    from contentlint.paths import cache_store

    cache_store("ruleset", key, value)


# -- entry point ----------------------------------------------------------------------------------
def _compile_all(files: list[Path]):
    from .checkers import WordsChecker
    from .lemmas import tables_for
    rules: list[Rule] = []
    seen: dict[str, Rule] = {}
    errors: list[PackError] = []
    lists = read_lists()
    for path in files:
        try:
            loaded = load_pack_file(path, lists=lists)
        except PackError as exc:
            errors.append(exc)
            continue
        for rule in loaded:
            if rule.id in seen:
                other = seen[rule.id]
                errors.append(PackError(f"duplicate rule id (already defined in {other.file}:{other.line})",
                                        file=rule.file, line=rule.line, rule_id=rule.id))
                continue
            seen[rule.id] = rule
            rules.append(rule)
    if errors:
        raise _all_errors(errors)
    vocab: dict[str, set[str]] = {}
    for r in rules:
        if isinstance(r.checker, WordsChecker):
            for lang, words in r.checker.vocabulary().items():
                vocab.setdefault(lang, set()).update(words)
    return rules, tables_for(vocab)


def load_ruleset(extra_paths: Iterable = (), *, disable: Iterable[str] = (),
                 overrides: Optional[Mapping[str, Mapping]] = None, select: Iterable[str] = (),
                 ignore: Iterable[str] = (), weights_file=None, builtin: bool = True, cache: bool = True):
    """Built-in packs + ``extra_paths`` (files or folders) → RuleSet. Raises PackError.

    ``weights_file``: a YAML ``{weights: {id: points}, caps: {category: max}}`` applied over the packs'
    weights (default: ``rules/weights.yaml`` when present). ``overrides``: ``{id: {"level":…, "weight":…}}``.
    ``disable``: rule ids. ``select``/``ignore``: id prefixes (longest match wins, as in flake8).
    """
    from .engine import RuleSet
    files: list[Path] = []
    bdir = builtin_rules_dir() if builtin else None
    if bdir is not None:
        files += pack_files(bdir, builtin=True)
    for p in extra_paths:
        files += pack_files(Path(p))
    # de-duplicate (a user may pass the built-in folder again)
    uniq, seen_paths = [], set()
    for f in files:
        key = f.resolve()
        if key not in seen_paths:
            seen_paths.add(key)
            uniq.append(f)
    files = uniq
    if weights_file is None and bdir is not None and (bdir / "weights.yaml").is_file():
        weights_path: Optional[Path] = bdir / "weights.yaml"
    else:
        weights_path = Path(weights_file) if weights_file else None
        if weights_path is not None and not weights_path.is_file():
            raise PackError("weights file not found", file=str(weights_path))

    lists_path = builtin_rules_dir() / "lists.yaml"
    key = _fingerprint(files + ([weights_path] if weights_path else [])
                       + ([lists_path] if lists_path.is_file() else [])) if cache else ""
    cached = _load_cached(key) if cache else None
    if cached is not None:
        rules, tables, weights, caps, levels = cached
    else:
        rules, tables = _compile_all(files)
        weights, caps, levels = read_weights(weights_path) if weights_path else ({}, {}, {})
        from .checkers import WordsChecker
        from .engine import word_data
        for rule in rules:          # the word rules' tokenized terms travel with the compiled packs
            if isinstance(rule.checker, WordsChecker):
                rule.checker.word_data = word_data(rule.id, rule.checker, tables)
        if cache:
            _store_cached(key, (rules, tables, weights, caps, levels))

    by_id = {r.id: r for r in rules}
    out = []
    overrides = dict(overrides or {})
    from contentlint.selection import hint, matches_any
    disable = tuple(disable)  # ids or prefixes, as `ignore` (contentlint.selection)
    bad = [PackError(f"unknown rule id {rid!r} (nor a prefix of one) in configuration ({hint(rid, by_id)})", rule_id=rid)
           for rid in dict.fromkeys((*disable, *select, *ignore)) if not matches_any_id(rid, by_id)]
    bad += [PackError(f"unknown rule id {rid!r} in configuration ({hint(rid, by_id)})", rule_id=rid)
            for rid in overrides if rid not in by_id]
    if bad:
        raise _all_errors(bad)
    for rule in rules:
        if matches_any(rule.id, disable):
            continue
        changes = {}
        if rule.id in weights:
            changes["weight"] = weights[rule.id]
        if rule.id in levels and rule.category != "compliance":
            changes["level"] = levels[rule.id]
        ov = overrides.get(rule.id)
        if ov:
            if not isinstance(ov, Mapping):
                raise PackError("an override must be a mapping of level/weight/enabled", rule_id=rule.id)
            extra = set(ov) - {"level", "weight", "enabled"}
            if extra:
                raise PackError(f"unknown override key {sorted(extra)[0]!r} (allowed: level, weight, enabled)",
                                rule_id=rule.id)
            if ov.get("enabled", True) is False:
                continue
            if "level" in ov:
                if ov["level"] not in LEVELS:
                    raise PackError(f"bad level {ov['level']!r} (allowed: {', '.join(LEVELS)})", rule_id=rule.id)
                changes["level"] = ov["level"]
                changes["level_overridden"] = True
            if "weight" in ov:
                w = ov["weight"]
                if not isinstance(w, (int, float)) or isinstance(w, bool) or w < 0:
                    raise PackError("override 'weight' must be a number ≥ 0", rule_id=rule.id)
                changes["weight"] = float(w)
        out.append(dataclasses.replace(rule, **changes) if changes else rule)
    out = select_rules(out, tuple(select), tuple(ignore))
    claimed = RuleSet.problem_codes(rules)
    ruleset = RuleSet(out, caps=caps, files=tuple(str(f) for f in files), lemma_tables=tables, claimed_codes=claimed)
    ruleset.known_ids = frozenset(by_id)  # every loaded id, selected or not (to check a configuration's names)
    return ruleset
