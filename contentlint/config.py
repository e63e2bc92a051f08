"""Configuration: ``.contentlint.yaml`` or ``[tool.contentlint]`` in ``pyproject.toml``.

A configuration is found from the checked file's folder upwards (the first folder holding a
``.contentlint.yaml``/``.contentlint.yml``, or a ``pyproject.toml`` with a ``[tool.contentlint]``
table, wins; the search stops at the filesystem root).  ``--config FILE`` forces one.

Every key is validated: an unknown key or a value of the wrong type is a ``ConfigError`` naming the
file, the line (YAML only) and the key.  Paths in ``rules`` and globs in ``per-file-ignores`` are
relative to the folder of the configuration file.

Nothing heavy is imported here: PyYAML and tomllib are imported only when a file is actually read.
"""
from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional

from .findings import LEVELS
from .scoring import Thresholds

CONFIG_NAMES = (".contentlint.yaml", ".contentlint.yml")
PYPROJECT = "pyproject.toml"
KINDS = ("marketing", "transactional")
FAIL_ON = ("warn", "fail")

# key -> short description (also used by `contentlint init` and the docs)
KEYS = {
    "rules": "extra rule packs to load (YAML files or folders), relative to this file",
    "disable": "rule ids (or prefixes) to turn off",
    "overrides": "per-rule changes: {rule-id: {level: error|warning|info, weight: N}}",
    "thresholds": "score thresholds: {warn: 3.0, fail: 5.0}",
    "kind": "mail kind: marketing or transactional",
    "languages": "languages your mail is written in; other detected languages are read as the first one",
    "select": "only run these rule ids or prefixes",
    "ignore": "never run these rule ids or prefixes",
    "per-file-ignores": "{glob: [rule ids]}: rules ignored for matching files",
    "fail-on": "verdict that makes the run fail (exit 1): warn or fail",
    "max-score": "fail (exit 1) any message scoring above this number",
    "clients": "mail clients your readers use, for the rendering rules (default: apple-mail, gmail, outlook, yahoo)",
    "weights": "rule weights file written by `contentlint calibrate`, relative to this file",
    "template-root": "folders (one or a list) where included partials and layouts are looked up, relative to this file",
}
ALIASES = {"rules-overrides": "overrides", "rule-overrides": "overrides", "template_root": "template-root",
           "template-roots": "template-root", "template_roots": "template-root"}


class ConfigError(Exception):
    """An invalid configuration file (exit code 2)."""

    def __init__(self, file: str, line: int, key: str, message: str):
        self.file, self.line, self.key, self.message = file, line, key, message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


@dataclass(frozen=True)
class Config:
    """A validated configuration.  Hashable: linters are cached per configuration."""

    path: Optional[str] = None                 # file it was read from (None: defaults)
    root: Optional[str] = None                 # folder that relative paths and globs start from
    rules: tuple[str, ...] = ()                # absolute pack paths
    disable: tuple[str, ...] = ()
    overrides: tuple[tuple[str, Optional[str], Optional[float]], ...] = ()   # (rule, level, weight)
    thresholds: Optional[Thresholds] = None
    kind: Optional[str] = None
    languages: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    fail_on: Optional[str] = None
    max_score: Optional[float] = None
    lines: tuple[tuple[str, int], ...] = ()    # ("disable[risky-]", 7), ("overrides.x", 9): where each is written

    def where(self, rule_pattern: str) -> Optional[tuple[str, int]]:
        """(key, line) of the first place this file names ``rule_pattern`` (rule lists, overrides), or None."""
        for key in ("disable", "select", "ignore"):
            for name, line in self.lines:
                if name == f"{key}[{rule_pattern}]":
                    return key, line
        for name, line in self.lines:
            if name in (f"overrides.{rule_pattern}", f"rules-overrides.{rule_pattern}", f"rule-overrides.{rule_pattern}"):
                return name, line
        for name, line in self.lines:
            if name.startswith("per-file-ignores.") and name.endswith(f"[{rule_pattern}]"):
                return name.rsplit("[", 1)[0], line
        return None
    clients: tuple[str, ...] = ()              # rendering audience (contentlint.clients names); () = default
    weights: Optional[str] = None              # absolute path of a weights file (`contentlint calibrate --out`)
    template_roots: tuple[str, ...] = ()       # absolute folders where partials are looked up (template-root)

    def overrides_dict(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for rule, level, weight in self.overrides:
            entry: dict[str, Any] = {}
            if level is not None:
                entry["level"] = level
            if weight is not None:
                entry["weight"] = weight
            out[rule] = entry
        return out

    def ignored_for(self, source: str) -> tuple[str, ...]:
        """Rule ids/prefixes that ``per-file-ignores`` turns off for the file ``source``."""
        if not self.per_file_ignores or not source or source == "-":
            return ()
        rel = _relative(source, self.root)
        base = os.path.basename(source)
        out: list[str] = []
        for glob, ids in self.per_file_ignores:
            if fnmatch.fnmatchcase(rel, glob) or ("/" not in glob and fnmatch.fnmatchcase(base, glob)):
                out.extend(ids)
        return tuple(out)


DEFAULT_CONFIG = Config()


def _relative(source: str, root: Optional[str]) -> str:
    path = os.path.abspath(source)
    if root:
        try:
            path = os.path.relpath(path, root)
        except ValueError:  # other drive (Windows)
            pass
    return path.replace(os.sep, "/")


# -- discovery -------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _config_in_dir(directory: str) -> Optional[str]:
    for name in CONFIG_NAMES:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate):
            return candidate
    candidate = os.path.join(directory, PYPROJECT)
    if os.path.isfile(candidate):
        try:
            with open(candidate, encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        except OSError:
            return None
        if "tool.contentlint" in text:
            return candidate
    return None


@lru_cache(maxsize=4096)
def find_config(start: str) -> Optional[str]:
    """The configuration file that applies to files in folder ``start`` (searched upwards), or None."""
    directory = os.path.abspath(start or ".")
    while True:
        found = _config_in_dir(directory)
        if found:
            return found
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def config_for_source(source: str) -> Optional[str]:
    """The configuration file for an input path (``-`` means the current folder)."""
    if not source or source == "-" or source.startswith("<"):
        return find_config(os.getcwd())
    return find_config(os.path.dirname(os.path.abspath(source)))


def clear_cache() -> None:
    _config_in_dir.cache_clear()
    find_config.cache_clear()
    load_config.cache_clear()


# -- loading and validation ------------------------------------------------------------------------


@lru_cache(maxsize=256)
def load_config(path: str) -> Config:
    """Read and validate one configuration file.  Raises ``ConfigError``."""
    path = os.path.abspath(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise ConfigError(path, 0, "", f"cannot read configuration: {exc.strerror or exc}") from None
    if os.path.basename(path) == PYPROJECT or path.endswith(".toml"):
        data, lines = _parse_toml(path, raw)
    else:
        data, lines = _parse_yaml(path, raw)
    return _validate(path, data, lines)


def _parse_toml(path: str, raw: bytes) -> tuple[dict, dict]:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            raise ConfigError(path, 0, "", "reading pyproject.toml needs Python 3.11+ or the tomli package") from None
    try:
        text = raw.decode("utf-8")
        doc = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(path, 0, "", "configuration is not UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        import re

        at = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        problem = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(path, int(at.group(1)) if at else 0, "", f"invalid TOML: {problem}") from None
    section = doc.get("tool", {}).get("contentlint") if isinstance(doc.get("tool"), dict) else None
    if section is None:
        if os.path.basename(path) == PYPROJECT:
            raise ConfigError(path, 0, "", "no [tool.contentlint] table")
        section = doc
    lines = _toml_lines(text)
    if not isinstance(section, dict):
        raise ConfigError(path, 0, "tool.contentlint", "must be a table")
    return section, lines


def _parse_yaml(path: str, raw: bytes) -> tuple[dict, dict]:
    import yaml

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(path, 0, "", "configuration is not UTF-8") from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        node = yaml.compose(text, Loader=loader)
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(path, line, "", f"invalid YAML: {problem}") from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise ConfigError(path, 1, "", "the configuration must be a mapping of keys")
    lines: dict[str, int] = {}
    if node is not None and hasattr(node, "value") and isinstance(node.value, list):
        for key_node, value_node in node.value:
            try:
                lines[str(key_node.value)] = key_node.start_mark.line + 1
                if isinstance(value_node, yaml.SequenceNode):
                    _item_lines(lines, str(key_node.value), value_node)
                elif isinstance(value_node.value, list):
                    for sub_key, sub_value in value_node.value:
                        if hasattr(sub_key, "value") and not isinstance(sub_key.value, list):
                            lines.setdefault(f"{key_node.value}.{sub_key.value}", sub_key.start_mark.line + 1)
                            if isinstance(sub_value, yaml.SequenceNode):
                                _item_lines(lines, f"{key_node.value}.{sub_key.value}", sub_value)
            except (AttributeError, TypeError, ValueError):
                continue
    return data, lines


def _item_lines(lines: dict, key: str, seq) -> None:
    """``lines["key[item]"]``: the line of each string of a YAML list (comma-separated items too)."""
    for item in seq.value:
        if isinstance(getattr(item, "value", None), str):
            for part in item.value.split(","):
                lines.setdefault(f"{key}[{part.strip()}]", item.start_mark.line + 1)


def _toml_lines(text: str) -> dict:
    """Lines of the ``[tool.contentlint]`` keys and of the strings in their lists (tomllib keeps none)."""
    import re

    lines: dict[str, int] = {}
    table = None
    key = None
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = re.match(r"\[\s*([^\]]+?)\s*\]\s*(?:#.*)?$", stripped)
        if header and not stripped.startswith("[["):
            name = header.group(1).replace('"', "")
            table = name if name == "tool.contentlint" or name.startswith("tool.contentlint.") else None
            key = None
            continue
        if table is None:
            continue
        prefix = table[len("tool.contentlint."):] + "." if table != "tool.contentlint" else ""
        assign = re.match(r"""^\s*("[^"]+"|'[^']+'|[A-Za-z0-9_.-]+)\s*=""", line)
        if assign:
            key = prefix + assign.group(1).strip("\"'")
            lines.setdefault(key, n)
            line = line[assign.end():]
        if key is not None:
            for m in re.finditer(r"""["']([^"']*)["']""", line):
                for part in m.group(1).split(","):
                    lines.setdefault(f"{key}[{part.strip()}]", n)
    return lines


def _str_list(path: str, lines: dict, key: str, value: Any) -> tuple[str, ...]:
    """A list of strings; a comma-separated string is accepted too."""
    if value is None:
        return ()
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",")]
    elif isinstance(value, (list, tuple)):
        items = []
        for v in value:
            if not isinstance(v, str):
                raise ConfigError(path, lines.get(key, 0), key, f"expected a list of strings, found {_type(v)} {v!r}")
            items.extend(x.strip() for x in v.split(","))
    else:
        raise ConfigError(path, lines.get(key, 0), key, f"expected a list of strings, found {_type(value)}")
    return tuple(i for i in items if i)


def _number(path: str, line: int, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(path, line, key, f"expected a number, found {_type(value)} {value!r}")
    return float(value)


def _type(value: Any) -> str:
    return {
        bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
        dict: "a mapping", type(None): "nothing",
    }.get(type(value), type(value).__name__)


def _validate(path: str, data: dict, lines: dict) -> Config:
    root = os.path.dirname(path)
    values: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = ALIASES.get(str(raw_key), str(raw_key))
        line = lines.get(str(raw_key), 0)
        if key not in KEYS:
            known = ", ".join(sorted(KEYS))
            hint = ""
            close = [k for k in KEYS if k.replace("-", "_") == str(raw_key).replace("-", "_")]
            if close:
                hint = f" (did you mean {close[0]!r}?)"
            raise ConfigError(path, line, str(raw_key), f"unknown key{hint}; known keys: {known}")
        if key in values:
            raise ConfigError(path, line, str(raw_key), f"given twice (also as {key!r})")
        values[key] = (value, line, str(raw_key))

    cfg: dict[str, Any] = {"path": path, "root": root, "lines": tuple(sorted(lines.items()))}
    for key, (value, line, raw_key) in values.items():
        if key == "rules":
            packs = []
            for item in _str_list(path, {key: line}, raw_key, value):
                full = item if os.path.isabs(item) else os.path.normpath(os.path.join(root, item))
                if not os.path.exists(full):
                    raise ConfigError(path, line, raw_key, f"rule pack not found: {item}")
                packs.append(full)
            cfg["rules"] = tuple(packs)
        elif key == "weights":
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(path, line, raw_key, "expected the path of a weights file")
            full = value if os.path.isabs(value) else os.path.normpath(os.path.join(root, value))
            if not os.path.isfile(full):
                raise ConfigError(path, line, raw_key, f"weights file not found: {value}")
            cfg["weights"] = full
        elif key == "template-root":
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
                raise ConfigError(path, line, raw_key, "expected a folder or a list of folders")
            folders = []
            for item in value:
                full = item if os.path.isabs(item) else os.path.normpath(os.path.join(root, item))
                if not os.path.isdir(full):
                    raise ConfigError(path, line, raw_key, f"template root not found (or not a folder): {item}")
                folders.append(full)
            cfg["template_roots"] = tuple(dict.fromkeys(folders))
        elif key in ("disable", "select", "ignore"):
            cfg[key] = _str_list(path, {key: line}, raw_key, value)
        elif key == "languages":
            langs = _str_list(path, {key: line}, raw_key, value)
            for lang in langs:
                if not (2 <= len(lang) <= 3 and lang.isalpha() and lang.islower()):
                    raise ConfigError(path, line, raw_key, f"expected ISO 639-1 codes like 'en' or 'fr', found {lang!r}")
            cfg["languages"] = langs
        elif key == "kind":
            if value not in KINDS:
                raise ConfigError(path, line, raw_key, f"expected one of {', '.join(KINDS)}, found {value!r}")
            cfg["kind"] = value
        elif key == "fail-on":
            if value not in FAIL_ON:
                raise ConfigError(path, line, raw_key, f"expected one of {', '.join(FAIL_ON)}, found {value!r}")
            cfg["fail_on"] = value
        elif key == "max-score":
            cfg["max_score"] = _number(path, line, raw_key, value)
        elif key == "clients":
            from .clients import UnknownClient, resolve

            names = _str_list(path, {key: line}, raw_key, value)
            try:
                resolve(names)
            except UnknownClient as exc:
                raise ConfigError(path, line, raw_key, str(exc)) from None
            cfg["clients"] = names
        elif key == "thresholds":
            if not isinstance(value, dict):
                raise ConfigError(path, line, raw_key, f"expected a mapping {{warn: N, fail: N}}, found {_type(value)}")
            th = {"warn": Thresholds.warn, "fail": Thresholds.fail}
            for sub, sub_value in value.items():
                sub_line = lines.get(f"{raw_key}.{sub}", line)
                if sub not in th:
                    raise ConfigError(path, sub_line, f"{raw_key}.{sub}", "unknown key; known keys: fail, warn")
                th[sub] = _number(path, sub_line, f"{raw_key}.{sub}", sub_value)
            if th["warn"] > th["fail"]:
                raise ConfigError(path, line, raw_key, f"warn ({th['warn']:g}) is above fail ({th['fail']:g})")
            cfg["thresholds"] = Thresholds(warn=th["warn"], fail=th["fail"])
        elif key == "overrides":
            if not isinstance(value, dict):
                raise ConfigError(path, line, raw_key, f"expected a mapping of rule ids, found {_type(value)}")
            out = []
            for rule, spec in value.items():
                sub_line = lines.get(f"{raw_key}.{rule}", line)
                where = f"{raw_key}.{rule}"
                if isinstance(spec, str):  # shorthand: `rule-id: warning`
                    spec = {"level": spec}
                if not isinstance(spec, dict):
                    raise ConfigError(path, sub_line, where, f"expected {{level: …, weight: …}}, found {_type(spec)}")
                level = weight = None
                for k, v in spec.items():
                    if k == "level":
                        if v not in LEVELS:
                            raise ConfigError(path, sub_line, f"{where}.level", f"expected one of {', '.join(LEVELS)}, found {v!r}")
                        level = v
                    elif k == "weight":
                        weight = _number(path, sub_line, f"{where}.weight", v)
                        if weight < 0:
                            raise ConfigError(path, sub_line, f"{where}.weight", "must not be negative")
                    else:
                        raise ConfigError(path, sub_line, f"{where}.{k}", "unknown key; known keys: level, weight")
                out.append((str(rule), level, weight))
            cfg["overrides"] = tuple(out)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(path, line, raw_key, f"expected a mapping {{glob: [rule ids]}}, found {_type(value)}")
            out_pfi = []
            for glob, ids in value.items():
                sub_line = lines.get(f"{raw_key}.{glob}", line)
                out_pfi.append((str(glob), _str_list(path, {raw_key: sub_line}, raw_key, ids)))
            cfg["per_file_ignores"] = tuple(out_pfi)
    return Config(**cfg)


# -- `contentlint init` ----------------------------------------------------------------------------

INIT_TEMPLATE = """\
# contentlint configuration (docs/cli.md describes every key).
# contentlint finds this file from the checked file's folder upwards.  Unknown keys are errors.

# Mail kind: marketing (default) or transactional.  Transactional mail (receipts, password
# resets) is not required to carry an unsubscribe link.
kind: marketing

# Languages your mail is written in.  A message detected as another language (often a very short
# template) is read as the first one, so its word lists apply.
languages: [en, fr]

# Score thresholds: a message scoring at least `warn` gets the verdict warn, at least `fail` fail.
thresholds:
  warn: 3.0
  fail: 5.0

# Which verdict makes `contentlint check` exit with code 1: fail (default) or warn.
fail-on: fail

# Fail any message scoring above this number (exit 1), whatever its verdict.
# max-score: 4

# Mail clients your readers use: the rendering rules report the HTML and CSS they do not support
# (Can I Email data).  A family (outlook), family.platform (outlook.windows) or a glob (*.ios).
# clients: [apple-mail, gmail, outlook, yahoo, orange, sfr, laposte]

# Folders where the partials and layouts templates include ({% include %}, {{> footer}}, render "shared/footer")
# are looked up (one folder or a list), relative to this file; nothing outside them is read, no template code is run.
# template-root: templates

# Extra rule packs (YAML files or folders), relative to this file.
# rules:
#   - rules/house-style.yaml

# Only run these rules (ids or prefixes: docs/cli.md, "Choosing rules"); empty means all.
# select: [subject-, risky-]

# Never run these rules (ids or prefixes).
# ignore: [subject-too-long]

# Rules to turn off (ids or prefixes; the same as ignore, kept for yamllint-style configs).
# disable: []

# Per-rule level and weight changes.
# overrides:
#   all-caps-body: {level: info, weight: 0.5}

# Rules ignored for some files (globs relative to this file; `*` also crosses folders).
# per-file-ignores:
#   "transactional/*.html": [missing-unsubscribe]
"""
