"""The ``contentlint`` command.

    contentlint check PATH... [-]     lint messages and templates, print findings, scores and verdicts
    contentlint rules [show ID]       list the loaded rules, or document one
    contentlint init                  write a commented .contentlint.yaml
    contentlint version
    contentlint dns DOMAIN            (from contentlint.dnsaudit) audit SPF, DKIM, DMARC, BIMI, MTA-STS, TLS-RPT
    contentlint calibrate LABELS.tsv  (from contentlint.calibrate) fit weights on labelled mail

Exit codes of ``check``: 0 when no message reaches the failing verdict, 1 when one does, 2 for usage
errors, unusable inputs, invalid configuration or rule packs (the other inputs are still checked).

Cold start matters (pre-commit on one file): a well-formed ``check`` command line is parsed by a small
parser of its own (``_fast_parse``) and never imports typer (whose runtime coercion imports pydantic, about
0.1 s); anything else — help, other commands, usage errors — goes through the typer app, which is built
only then.  Everything else is imported inside the commands, and only the chosen reporter is imported.
"""
from __future__ import annotations

import os
import sys
from enum import Enum
from typing import Any, Iterator, List, Optional

from . import __version__

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


class Format(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"
    sarif = "sarif"
    github = "github"
    report = "report"
    html = "html"


class Kind(str, Enum):
    marketing = "marketing"
    transactional = "transactional"


class FailOn(str, Enum):
    warn = "warn"
    fail = "fail"


def _err(message: str) -> None:
    sys.stderr.write(f"contentlint: error: {message}\n")


def _split(values: Optional[List[str]]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values or ():
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return tuple(out)


def _pack_error_entry(exc: Any) -> dict:
    entry = {"source": str(getattr(exc, "file", "") or "<rules>"),
             "message": str(getattr(exc, "message", exc))}
    line = getattr(exc, "line", None)
    if line:
        entry["line"] = int(line)
    rule = getattr(exc, "rule_id", None)
    if rule:
        entry["rule"] = str(rule)
    return entry


def _config_error_entry(exc: Any) -> dict:
    entry = {"source": exc.file, "message": exc.message}
    if exc.line:
        entry["line"] = exc.line
    if exc.key:
        entry["key"] = exc.key
    return entry


class _Linters:
    """One Linter per configuration file (found from each checked file's folder upwards, or forced)."""

    def __init__(self, forced_config: Optional[str], settings: dict, on_error):
        self.forced = forced_config
        self.settings = settings
        self.on_error = on_error
        self.by_config: dict[Optional[str], Any] = {}

    def config_path(self, source: str) -> Optional[str]:
        if self.forced is not None:
            return self.forced
        from .config import config_for_source

        return config_for_source(source)

    def for_source(self, source: str):
        return self.get(self.config_path(source))

    def get(self, config_path: Optional[str]):
        if config_path in self.by_config:
            return self.by_config[config_path]
        from .api import Linter
        from .config import ConfigError

        linter = None
        try:
            linter = Linter(config_path, **self.settings)
        except Exception as exc:  # ConfigError, PackError (each carries every error found: .errors)
            for err in getattr(exc, "errors", None) or [exc]:
                if isinstance(err, ConfigError):
                    self.on_error(_config_error_entry(err))
                elif type(err).__name__ == "PackError" or hasattr(err, "rule_id"):
                    self.on_error(_pack_error_entry(err))
                else:
                    self.on_error({"source": config_path or "<rules>",
                                   "message": f"cannot load rules: {type(err).__name__}: {err}"})
        self.by_config[config_path] = linter
        return linter

    def rule_info(self, rule_id: str):
        for linter in self.by_config.values():
            if linter is None:
                continue
            try:
                rule = linter.ruleset.get(rule_id)
            except Exception:
                rule = None
            if rule is not None:
                return rule
        return None


def _iter_file(path: str, options, walked: bool):
    """Messages of one file exactly as ``iter_messages`` reads it inside a folder walk or when named."""
    from . import readers

    guard = getattr(readers, "_guard", None)
    read_path = getattr(readers, "_read_path", None)
    if guard is None or read_path is None:  # readers without the private helpers: same as naming the file
        return readers.iter_messages([path], options)
    return guard(path, lambda: read_path(path, options, from_walk=walked))


def _check_file_task(linter, path: str, walked: bool) -> list:
    """Worker side of ``--jobs``: read and check one file."""
    from .readers import InputError

    out: list = []
    for item in _iter_file(path, linter.read_options, walked):
        if isinstance(item, InputError):
            out.append(item)
        else:
            out.extend(linter.check_items(item))
    return out


def not_an_email(path: str) -> Optional[str]:
    """Why a file named on the command line is passed over, or None to check it.

    The extension decides first: .eml, .mbox, .html/.htm, .txt, .json and .mjml files, template files
    (.twig, .hbs, .liquid…) and files without an extension, are always checked.  Any other file (README.md, notes.rst) is checked only when its content
    is an email, an mbox, HTML or a Send API payload; plain text or binary content under another extension
    is not an email and is skipped with a note."""
    from .readers.walk import EXTENSIONS, TEMPLATE_EXTENSIONS

    ext = os.path.splitext(path)[1].lower()
    if not ext or ext in EXTENSIONS or ext in TEMPLATE_EXTENSIONS or not os.path.isfile(path):
        return None
    from .readers.sniff import FORMAT_BINARY, FORMAT_TEXT, sniff

    try:
        with open(path, "rb") as fh:
            head = fh.read(64 * 1024)
    except OSError:
        return None  # reading it again reports the error
    sniffed = sniff(head, ext).name
    if sniffed in (FORMAT_TEXT, FORMAT_BINARY):
        what = "plain text" if sniffed == FORMAT_TEXT else "binary data"
        return f"not an email or a template ({ext} file holding {what}; rename it .txt to check it as a template)"
    return None


def _counted(items, path: str, on_skip, reason: str):
    """``items``, telling ``on_skip`` when a file gave none (a .json that is not a Send API payload)."""
    empty = True
    for item in items:
        empty = False
        yield item
    if empty and on_skip is not None:
        on_skip(path, reason)


_NOTHING_IN_IT = "not a Mailjet Send API payload (JSON of another kind)"


def _serial(paths: list[str], options, linters: _Linters, stdin, skip_unknown_json: bool = False,
            on_skip=None) -> Iterator[tuple[Any, Any]]:
    from .readers import InputError, iter_messages

    def items():
        for path in paths:
            if path == "-":
                yield from iter_messages([path], options, stdin=stdin)
            elif os.path.isdir(path):
                from .readers.walk import walk

                for fpath, error in walk(path, on_skip=on_skip):
                    if error is not None:
                        yield InputError(fpath, error)
                    else:
                        yield from _counted(_iter_file(fpath, options, True), fpath, on_skip, _NOTHING_IN_IT)
            elif os.path.isfile(path):
                reason = not_an_email(path) if on_skip is not None else None
                if reason:
                    on_skip(path, reason, named=True)
                    continue
                yield from _counted(_iter_file(path, options, skip_unknown_json), path, on_skip, _NOTHING_IN_IT)
            else:
                yield from iter_messages([path], options, stdin=stdin)

    for item in items():
        if isinstance(item, InputError):
            yield item, None
            continue
        linter = linters.for_source(item.source)
        if linter is None:
            continue  # its configuration is invalid: already reported
        for result in linter.check_items(item):
            yield result, linter


def _parallel(paths: list[str], options, linters: _Linters, stdin, jobs: int, skip_unknown_json: bool = False,
              on_skip=None) -> Iterator[tuple[Any, Any]]:
    import collections
    import multiprocessing as mp

    from .readers import InputError

    def units():
        for path in paths:
            if path == "-":
                yield ("now", list(_serial(["-"], options, linters, stdin)))
            elif os.path.isdir(path):
                from .readers.walk import walk

                for fpath, error in walk(path, on_skip=on_skip):
                    if error is not None:
                        yield ("now", [(InputError(fpath, error), None)])
                    else:
                        yield ("file", (fpath, True))
            else:
                reason = not_an_email(path) if on_skip is not None else None
                if reason:
                    on_skip(path, reason, named=True)
                    continue
                yield ("file", (path, skip_unknown_json))

    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else methods[0])
    window: collections.deque = collections.deque()

    def resolve(entry):
        what, value = entry
        if what == "now":
            return value
        future, path, linter = value
        try:
            done = [(item, linter) for item in future.result()]
        except Exception as exc:  # a crashed worker must not lose the other results
            return [(InputError(path, f"could not check this file: {type(exc).__name__}: {exc}"), None)]
        if not done and on_skip is not None:
            on_skip(path, _NOTHING_IN_IT)
        return done

    pending = units()
    # Check files in this process until a few messages are done: rule sets, lemma tables and language
    # data then load lazily here once, and the forked workers inherit them instead of each loading them.
    warm = 0
    for what, value in pending:
        if what == "now":
            yield from value
            continue
        path, walked = value
        linter = linters.for_source(path)
        if linter is None:
            continue
        results = _check_file_task(linter, path, walked)
        if not results and on_skip is not None:
            on_skip(path, _NOTHING_IN_IT)
        yield from ((item, linter) for item in results)
        warm += len(results)
        if warm >= WARM_UP_MESSAGES:
            break
    import gc

    frozen = ctx.get_start_method() == "fork"
    if frozen:
        # objects loaded so far (rules, tables) are shared with the forked workers; keep the workers'
        # garbage collector from touching (and so copying) their pages
        gc.freeze()
    try:
        yield from _pooled(pending, jobs, ctx, window, resolve, linters)
    finally:
        if frozen:
            gc.unfreeze()


def _pooled(pending, jobs: int, ctx, window, resolve, linters):
    import concurrent.futures as cf

    with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        for what, value in pending:
            if what == "now":
                window.append((what, value))
            else:
                path, walked = value
                linter = linters.for_source(path)
                if linter is None:
                    continue
                window.append(("future", (pool.submit(_check_file_task, linter, path, walked), path, linter)))
            while len(window) > jobs * 4:
                yield from resolve(window.popleft())
        while window:
            yield from resolve(window.popleft())


WARM_UP_MESSAGES = 8


def run_check(paths: List[str], *, fmt: Optional[str] = None, output: Optional[str] = None,
              config: Optional[str] = None, rules=(), select=(), ignore=(), kind: Optional[str] = None,
              lang: Optional[str] = None, subject: Optional[str] = None, sender: Optional[str] = None,
              fail_on: Optional[str] = None, max_score: Optional[float] = None, quiet: bool = False,
              no_color: bool = False, jobs: int = 1, dns: bool = False, nameserver: Optional[str] = None, timeout=None,
              dkim_selectors=(), zone=None, skip_unknown_json: bool = False, stdin=None,
              origin: Optional[str] = None, requirements=(), exit_zero: bool = False, statistics: bool = False,
              verbose: bool = False, weights: Optional[str] = None, template_roots=()) -> int:
    """The ``check`` command without typer; returns the exit code (``exit_zero``: 0 even when messages fail;
    2 still means unusable input or configuration).

    ``zone``: a zone file or a list of them (all are read); ``requirements``: provider keys for the checklist;
    ``weights``: a weights file written by ``contentlint calibrate``; ``template_roots``: folders where included
    partials are looked up (``--template-root``, before the configuration's ``template-root``).
    """
    zones = [zone] if isinstance(zone, str) else list(zone or [])
    if lang is not None:
        lang = lang.strip().lower()
        if not (2 <= len(lang) <= 3 and lang.isalpha()):
            _err(f"--lang expects a language code such as en or fr, not {lang!r}")
            return EXIT_ERROR
    if max_score is not None and max_score < 0:
        _err("--max-score must not be negative")
        return EXIT_ERROR
    if timeout is not None and timeout <= 0:
        _err("--timeout must be positive")
        return EXIT_ERROR
    for z in zones:
        if not os.path.isfile(z):
            _err(f"--zone: no such file: {z}")
            return EXIT_ERROR
    if requirements:
        from .requirements import parse_providers

        try:
            requirements = parse_providers(requirements)
        except ValueError as exc:
            _err(str(exc))
            return EXIT_ERROR
    for pack in rules:
        if not os.path.exists(pack):
            _err(f"--rules: no such file or folder: {pack}")
            return EXIT_ERROR
    if config is not None and not os.path.isfile(config):
        _err(f"--config: no such file: {config}")
        return EXIT_ERROR
    if weights is not None and not os.path.isfile(weights):
        _err(f"--weights: no such file: {weights}")
        return EXIT_ERROR
    for root in template_roots or ():
        if not os.path.isdir(root):
            _err(f"--template-root: no such folder: {root}")
            return EXIT_ERROR
    if fmt is None:
        fmt = "github" if os.environ.get("GITHUB_ACTIONS") else "text"
    if jobs == 0:
        jobs = os.cpu_count() or 1

    dns_settings = None
    if dns or nameserver or timeout is not None or dkim_selectors or zones or origin:
        from .api import DnsSettings

        zone_paths = tuple(os.path.abspath(z) for z in zones)
        dns_settings = DnsSettings(nameserver=nameserver, timeout=timeout,
                                   dkim_selectors=tuple(dkim_selectors),
                                   zone=(zone_paths[0] if len(zone_paths) == 1 else zone_paths) or None,
                                   origin=origin)

    if output:
        try:
            out = open(output, "w", encoding="utf-8", newline="\n")
        except OSError as exc:
            _err(f"--output: cannot write {output}: {exc.strerror or exc}")
            return EXIT_ERROR
    else:
        out = sys.stdout
        try:
            out.reconfigure(errors="replace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass
    try:
        color = (fmt in ("text", "report") and not output and not no_color and not os.environ.get("NO_COLOR")
                 and hasattr(out, "isatty") and out.isatty())
        code = _run(paths, fmt, out, color, config, rules, select, ignore, kind, lang, subject, sender,
                    fail_on, max_score, quiet, jobs, dns_settings, stdin, skip_unknown_json, requirements,
                    statistics=statistics, verbose=verbose, progress=_progress_wanted(quiet, output, out),
                    weights=weights, template_roots=tuple(template_roots or ()))
        return EXIT_OK if (exit_zero and code == EXIT_FAIL) else code
    finally:
        if output:
            out.close()
        else:
            out.flush()


def _progress_wanted(quiet: bool, output: Optional[str], out) -> bool:
    """A progress bar on standard error: only on a terminal, never with --quiet, and only when the report
    does not go to that same terminal (it would tear the bar; the report itself shows progress there)."""
    if quiet or not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty()):
        return False
    return bool(output) or not (hasattr(out, "isatty") and out.isatty())


class _Progress:
    """tqdm on standard error, imported only for a run that shows it; appears after a second of work."""

    def __init__(self, enabled: bool):
        self.bar = None
        if enabled:
            try:
                from tqdm import tqdm
            except ImportError:  # the bar is a comfort, not a requirement
                return
            self.bar = tqdm(desc="checking", unit=" msg", file=sys.stderr, delay=1.0, leave=False, dynamic_ncols=True)

    def step(self) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _run(paths, fmt, out, color, config, rules, select, ignore, kind, lang, subject, sender, fail_on,
         max_score, quiet, jobs, dns_settings, stdin, skip_unknown_json=False, requirements=(), *, statistics=False,
         verbose=False, progress=False, weights=None, template_roots=()) -> int:
    from .reporters import get_reporter

    pending_errors: list[dict] = []
    reporter_box: list = []

    def on_error(entry: dict) -> None:
        if reporter_box:
            reporter_box[0].error(entry)
        else:
            pending_errors.append(entry)

    settings = dict(rules=tuple(rules), select=tuple(select), ignore=tuple(ignore), kind=kind, lang=lang,
                    subject=subject, sender=sender, dns=dns_settings, fail_on=fail_on, max_score=max_score)
    if requirements:
        settings["requirements"] = tuple(requirements)
    if fmt == "html":  # the HTML report renders each message: its Report keeps the Message
        settings["keep_message"] = True
    if weights is not None:
        settings["weights_file"] = os.path.abspath(weights)
    if template_roots:
        settings["template_roots"] = tuple(os.path.abspath(r) for r in template_roots)
    forced = os.path.abspath(config) if config else None
    linters = _Linters(forced, settings, on_error)

    reporter = get_reporter(fmt)(out, color=color, quiet=quiet, fail_on=fail_on or "fail", max_score=max_score,
                                 rule_info=linters.rule_info, base_dir=os.getcwd(), statistics=statistics,
                                 verbose=verbose)

    def on_skip(path: str, reason: str, named: bool = False) -> None:
        reporter.skip(path, reason)
        if named and not reporter.verbose:  # a file the user named is never passed over without a word
            sys.stderr.write(f"{path}: skipped: {reason}\n")
    reporter.start()
    reporter_box.append(reporter)
    for entry in pending_errors:
        reporter.error(entry)

    from .readers import InputError, ReadOptions

    options = ReadOptions(subject=subject or None, sender=sender, lang=lang)
    if stdin is None and "-" in paths:
        stdin = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else sys.stdin
    if forced is not None:  # an invalid forced configuration fails before reading anything
        linters.get(forced)
    stream = (_parallel(paths, options, linters, stdin, jobs, skip_unknown_json, on_skip) if jobs > 1
              else _serial(paths, options, linters, stdin, skip_unknown_json, on_skip))
    bar = _Progress(progress)
    try:
        for item, linter in stream:
            if isinstance(item, InputError):
                reporter.error(item)
            else:
                reporter.report(item, failing=item.failed(linter.fail_on, linter.max_score))
            bar.step()
    finally:
        bar.close()
    reporter.finish()
    if reporter.errors:
        return EXIT_ERROR
    return EXIT_FAIL if reporter.failed else EXIT_OK


def run_rules_test(packs: List[str], out=None) -> int:
    """``contentlint rules test``: each rule's ``pass`` examples must give no finding of it, each ``fail``
    example one.  Prints a line per example that misbehaves and a summary; returns the exit code."""
    from .engine import load_ruleset
    from .engine.examples import run_example
    from .reporters import format_error

    out = out or sys.stdout
    for pack in packs:
        if not os.path.exists(pack):
            _err(f"no such file or folder: {pack}")
            return EXIT_ERROR
    try:
        ruleset = load_ruleset(tuple(os.path.abspath(p) for p in packs))
    except Exception as exc:
        for err in getattr(exc, "errors", None) or [exc]:
            if hasattr(err, "rule_id"):
                sys.stderr.write(format_error(_pack_error_entry(err)) + "\n")
            else:
                _err(f"cannot load rules: {type(err).__name__}: {err}")
        return EXIT_ERROR
    wanted = set()
    for pack in packs:
        full = os.path.abspath(pack)
        wanted.add(full)
    mine = [r for r in ruleset.rules
            if any(os.path.abspath(r.file) == p or os.path.abspath(r.file).startswith(p.rstrip(os.sep) + os.sep)
                   for p in wanted)]
    failures = checked = 0
    for rule in mine:
        for group in ("pass", "fail"):
            for n, example in enumerate(rule.examples.get(group) or [], 1):
                checked += 1
                try:
                    found = run_example(ruleset, rule, example)
                except Exception as exc:  # an example the reader cannot build
                    problem = f"cannot build the example: {type(exc).__name__}: {exc}"
                else:
                    if group == "pass" and found:
                        problem = f"found in a pass example: {found[0].message}"
                    elif group == "fail" and not found:
                        problem = "not found in a fail example"
                    else:
                        continue
                failures += 1
                shown = example if isinstance(example, str) else ", ".join(f"{k}: {v!r}"[:60] for k, v in example.items())
                out.write(f"{rule.file}:{rule.line}: {rule.id}: {group} example {n} ({shown[:80]!r}): {problem}\n")
    rules_word = "rule" if len(mine) == 1 else "rules"
    out.write(f"{len(mine)} {rules_word}, {checked} examples: {checked - failures} ok, {failures} failing\n")
    if not mine:
        _err("these packs hold no rules")
        return EXIT_ERROR
    return EXIT_FAIL if failures else EXIT_OK


def _ruleset_for(rules: Optional[List[str]], config: Optional[str]):
    """Load the rule set the way `check` would for files in the current folder; exit 2 on errors."""
    import typer

    from .api import Linter
    from .config import ConfigError, find_config

    config_path = os.path.abspath(config) if config else find_config(os.getcwd())
    if config and not os.path.isfile(config):
        _err(f"--config: no such file: {config}")
        raise typer.Exit(EXIT_ERROR)
    try:
        return Linter(config_path, rules=tuple(rules or ())).ruleset
    except Exception as exc:
        from .reporters import format_error

        for err in getattr(exc, "errors", None) or [exc]:
            if isinstance(err, ConfigError):
                sys.stderr.write(f"{err}\n")
            elif hasattr(err, "rule_id"):
                sys.stderr.write(format_error(_pack_error_entry(err)) + "\n")
            else:
                _err(f"cannot load rules: {type(err).__name__}: {err}")
    raise typer.Exit(EXIT_ERROR)



# ------------------------------------------------------------------------------------------------
# the fast path for `check`
# ------------------------------------------------------------------------------------------------
FORMATS = ("text", "json", "jsonl", "sarif", "github", "report", "html")

# option -> (run_check keyword, how to read it, choices)
CHECK_OPTIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {}
for _names, _spec in (
    (("--format", "-f"), ("fmt", "choice", FORMATS)),
    (("--output", "-o"), ("output", "str", ())),
    (("--config", "-c"), ("config", "str", ())),
    (("--rules",), ("rules", "multi", ())),
    (("--select",), ("select", "split", ())),
    (("--ignore",), ("ignore", "split", ())),
    (("--kind",), ("kind", "choice", ("marketing", "transactional"))),
    (("--lang",), ("lang", "str", ())),
    (("--subject",), ("subject", "str", ())),
    (("--from",), ("sender", "str", ())),
    (("--fail-on",), ("fail_on", "choice", ("warn", "fail"))),
    (("--max-score",), ("max_score", "float", ())),
    (("--quiet", "-q"), ("quiet", "flag", ())),
    (("--no-color",), ("no_color", "flag", ())),
    (("--jobs", "-j"), ("jobs", "count", ())),
    (("--dns",), ("dns", "flag", ())),
    (("--nameserver",), ("nameserver", "str", ())),
    (("--timeout",), ("timeout", "float", ())),
    (("--dkim-selector",), ("dkim_selectors", "split", ())),
    (("--zone",), ("zone", "multi", ())),
    (("--origin",), ("origin", "str", ())),
    (("--requirements",), ("requirements", "split", ())),
    (("--skip-unknown-json",), ("skip_unknown_json", "flag", ())),
    (("--exit-zero",), ("exit_zero", "flag", ())),
    (("--statistics",), ("statistics", "flag", ())),
    (("--verbose", "-v"), ("verbose", "flag", ())),
    (("--weights",), ("weights", "str", ())),
    (("--template-root",), ("template_roots", "multi", ())),
):
    for _name in _names:
        CHECK_OPTIONS[_name] = _spec

CHECK_DEFAULTS: dict[str, Any] = {
    "fmt": None, "output": None, "config": None, "rules": [], "select": (), "ignore": (), "kind": None,
    "lang": None, "subject": None, "sender": None, "fail_on": None, "max_score": None, "quiet": False,
    "no_color": False, "jobs": 1, "dns": False, "nameserver": None, "timeout": None, "dkim_selectors": (),
    "zone": None, "skip_unknown_json": False, "origin": None, "requirements": (),
    "exit_zero": False, "statistics": False, "verbose": False,
    "zone": None, "skip_unknown_json": False, "weights": None, "template_roots": [],
}


def _fast_parse(args: List[str]) -> Optional[dict]:
    """``run_check`` keywords for a well-formed ``check`` command line, or None to let typer handle it
    (help, usage errors and unusual spellings such as bundled short options get typer's messages)."""
    kw: dict[str, Any] = {k: (list(v) if isinstance(v, list) else v) for k, v in CHECK_DEFAULTS.items()}
    paths: list[str] = []
    multi: dict[str, list[str]] = {}
    i = 0
    only_paths = False
    while i < len(args):
        arg = args[i]
        i += 1
        if only_paths or arg == "-" or not arg.startswith("-"):
            paths.append(arg)
            continue
        if arg == "--":
            only_paths = True
            continue
        name, eq, inline = arg.partition("=")
        spec = CHECK_OPTIONS.get(name)
        if spec is None or name in ("-h", "--help"):
            return None
        dest, how, choices = spec
        if how == "flag":
            if eq:
                return None
            kw[dest] = True
            continue
        if eq:
            value = inline
        elif i < len(args):
            value = args[i]
            i += 1
        else:
            return None
        if how == "str":
            kw[dest] = value
        elif how == "choice":
            value = value.lower()
            if value not in choices:
                return None
            kw[dest] = value
        elif how in ("multi", "split"):
            multi.setdefault(dest, []).append(value)
        elif how == "float":
            try:
                number = float(value)
            except ValueError:
                return None
            if number != number:  # NaN
                return None
            kw[dest] = number
        elif how == "count":
            if not value.isdigit():
                return None
            kw[dest] = int(value)
    if not paths:
        return None
    for dest, values in multi.items():
        kw[dest] = values if CHECK_OPTIONS_KIND[dest] == "multi" else _split(values)
    kw["paths"] = paths
    return kw


CHECK_OPTIONS_KIND = {dest: how for dest, how, _ in CHECK_OPTIONS.values()}

# ------------------------------------------------------------------------------------------------
# the typer app (built on first use)
# ------------------------------------------------------------------------------------------------
def check_keywords(paths, **kw) -> dict:
    """The ``run_check`` keywords the typer command passes (tests compare them with ``_fast_parse``)."""
    return {"paths": list(paths), **kw}


def _build_app():
    import typer

    globals()["typer"] = typer  # the commands' string annotations (typer.Context) resolve in module globals

    app = typer.Typer(
        name="contentlint",
        help="Deliverability content linter and spam scorer for email: findings, fixes, score and verdict.",
        add_completion=False,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )



    def _version_callback(value: bool) -> None:
        if value:
            typer.echo(f"contentlint {__version__}")
            raise typer.Exit(0)


    @app.callback()
    def _root(
        version: bool = typer.Option(False, "--version", callback=_version_callback, is_eager=True,
                                     help="Print the version and exit."),
    ) -> None:
        """Deliverability content linter and spam scorer for email."""


    @app.command()
    def check(
        paths: List[str] = typer.Argument(..., metavar="PATH...", show_default=False,
                                          help="Files (.eml, .mbox, .html, .txt, Send API .json), folders, or - for stdin."),
        format: Optional[Format] = typer.Option(None, "--format", "-f", case_sensitive=False,
                                                help="Output format [default: text; github when GITHUB_ACTIONS is set]."),
        output: Optional[str] = typer.Option(None, "--output", "-o", metavar="FILE", help="Write the report to FILE."),
        config: Optional[str] = typer.Option(None, "--config", "-c", metavar="FILE",
                                             help="Use this configuration instead of searching for one."),
        rules: Optional[List[str]] = typer.Option(None, "--rules", metavar="PATH",
                                                  help="Extra rule pack (YAML file or folder); repeatable."),
        select: Optional[List[str]] = typer.Option(None, "--select", metavar="IDS",
                                                   help="Only these rule ids or prefixes (comma-separated or repeated)."),
        ignore: Optional[List[str]] = typer.Option(None, "--ignore", metavar="IDS",
                                                   help="Skip these rule ids or prefixes (comma-separated or repeated)."),
        kind: Optional[Kind] = typer.Option(None, "--kind", case_sensitive=False,
                                            help="Mail kind [default: from config, else marketing]."),
        lang: Optional[str] = typer.Option(None, "--lang", metavar="CODE", help="Force the language (en, fr…)."),
        subject: Optional[str] = typer.Option(None, "--subject", help="Subject for templates."),
        sender: Optional[str] = typer.Option(None, "--from", metavar="ADDRESS", help="Sender for templates."),
        fail_on: Optional[FailOn] = typer.Option(None, "--fail-on", case_sensitive=False,
                                                 help="Verdict that makes the run fail (exit 1) [default: fail]."),
        max_score: Optional[float] = typer.Option(None, "--max-score", metavar="N",
                                                  help="Also fail any message scoring above N."),
        quiet: bool = typer.Option(False, "--quiet", "-q",
                                   help="Only print messages that make the run fail, and errors; no summary."),
        no_color: bool = typer.Option(False, "--no-color", help="No colours (also when NO_COLOR is set)."),
        jobs: int = typer.Option(1, "--jobs", "-j", min=0, metavar="N",
                                 help="Check files in N processes (0: one per CPU); same output as one process."),
        dns: bool = typer.Option(False, "--dns", help="Also audit each message's From domain (SPF, DKIM, DMARC): uses the network."),
        nameserver: Optional[str] = typer.Option(None, "--nameserver", metavar="IP[:PORT]",
                                                 help="DNS server for --dns (implies --dns)."),
        timeout: Optional[float] = typer.Option(None, "--timeout", metavar="SECONDS", help="DNS timeout for --dns (implies --dns)."),
        dkim_selector: Optional[List[str]] = typer.Option(None, "--dkim-selector", metavar="SELECTOR",
                                                          help="DKIM selector to audit (repeatable; implies --dns)."),
        zone: Optional[List[str]] = typer.Option(None, "--zone", metavar="FILE",
                                                 help="Read DNS records from this zone file instead of the network "
                                                      "(implies --dns; repeatable: every file is read)."),
        origin: Optional[str] = typer.Option(None, "--origin", metavar="DOMAIN",
                                             help="Origin of relative names in zone files without $ORIGIN or SOA."),
        requirements: Optional[List[str]] = typer.Option(
            None, "--requirements", metavar="PROVIDER",
            help="Print each message's checklist of the providers' requirements: gmail, yahoo, microsoft, "
                 "apple, laposte or all (repeatable or comma-separated)."),
        skip_unknown_json: bool = typer.Option(False, "--skip-unknown-json",
                                               help="Skip named .json files that are not Send API payloads (as in folder "
                                                    "walks; the pre-commit hook uses it)."),
        exit_zero: bool = typer.Option(False, "--exit-zero",
                                       help="Exit 0 even when messages fail (report only); unusable input still exits 2."),
        statistics: bool = typer.Option(False, "--statistics",
                                        help="Also print, per rule, how many messages it was found in."),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="List the files skipped (not emails or templates)."),
        weights: Optional[str] = typer.Option(None, "--weights", metavar="FILE",
                                              help="Rule weights to use (a file `contentlint calibrate` wrote)."),
        template_root: Optional[List[str]] = typer.Option(
            None, "--template-root", metavar="DIR",
            help="Folder where included partials and layouts are looked up (repeatable; before the "
                 "configuration's template-root)."),
    ) -> None:
        """Check messages and templates: findings with fixes, a score and a verdict per message."""
        code = run_check(**check_keywords(
            paths, fmt=format.value if format else None, output=output, config=config, rules=list(rules or []),
            select=_split(select), ignore=_split(ignore), kind=kind.value if kind else None, lang=lang,
            subject=subject, sender=sender, fail_on=fail_on.value if fail_on else None, max_score=max_score,
            quiet=quiet, no_color=no_color, jobs=jobs, dns=dns, nameserver=nameserver, timeout=timeout,
            dkim_selectors=_split(dkim_selector), zone=zone, skip_unknown_json=skip_unknown_json,
            origin=origin, requirements=_split(requirements),
            exit_zero=exit_zero, statistics=statistics, verbose=verbose,
            weights=weights, template_roots=list(template_root or []),
        ))
        raise typer.Exit(code)



    rules_app = typer.Typer(invoke_without_command=True, no_args_is_help=False, add_completion=False,
                            rich_markup_mode=None, help="List the loaded rules (or `rules show ID`).")
    app.add_typer(rules_app, name="rules")


    @rules_app.callback()
    def rules_list(
        ctx: typer.Context,
        rules: Optional[List[str]] = typer.Option(None, "--rules", metavar="PATH", help="Extra rule pack; repeatable."),
        config: Optional[str] = typer.Option(None, "--config", "-c", metavar="FILE", help="Configuration file."),
    ) -> None:
        """List the loaded rules: id, level, weight, category, title."""
        ctx.obj = {"rules": rules or [], "config": config}
        if ctx.invoked_subcommand is not None:
            return
        ruleset = _ruleset_for(rules, config)
        from .engine.docs import list_rules_table

        typer.echo(list_rules_table(ruleset).rstrip("\n"))


    @rules_app.command("show")
    def rules_show(
        ctx: typer.Context,
        rule_id: str = typer.Argument(..., metavar="ID", help="Rule id."),
        rules: Optional[List[str]] = typer.Option(None, "--rules", metavar="PATH", help="Extra rule pack; repeatable."),
        config: Optional[str] = typer.Option(None, "--config", "-c", metavar="FILE", help="Configuration file."),
    ) -> None:
        """Document one rule: description, level, weight, scope, examples and fix."""
        parent = ctx.obj or {}
        ruleset = _ruleset_for(list(parent.get("rules") or []) + list(rules or []), config or parent.get("config"))
        from .engine.docs import show_rule

        try:
            text = show_rule(ruleset, rule_id)
        except (KeyError, LookupError, ValueError):
            text = None
        if not text:
            ids = [r.id for r in getattr(ruleset, "rules", [])]
            import difflib

            close = difflib.get_close_matches(rule_id, ids, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else "; `contentlint rules` lists them"
            _err(f"unknown rule {rule_id!r}{hint}")
            raise typer.Exit(EXIT_ERROR)
        typer.echo(text.rstrip("\n"))


    @rules_app.command("test")
    def rules_test(
        packs: List[str] = typer.Argument(..., metavar="PACK...", help="Rule pack files or folders to test."),
    ) -> None:
        """Run the pass/fail examples of every rule in these packs (exit 1 when one does not behave)."""
        code = run_rules_test(packs)
        raise typer.Exit(code)


    @app.command()
    def init(
        directory: str = typer.Argument(".", metavar="[DIR]", help="Folder to write .contentlint.yaml into."),
        force: bool = typer.Option(False, "--force", help="Overwrite an existing .contentlint.yaml."),
    ) -> None:
        """Write a commented .contentlint.yaml with the defaults."""
        from .config import CONFIG_NAMES, INIT_TEMPLATE

        if not os.path.isdir(directory):
            _err(f"no such folder: {directory}")
            raise typer.Exit(EXIT_ERROR)
        target = os.path.join(directory, CONFIG_NAMES[0])
        if os.path.exists(target) and not force:
            _err(f"{target} already exists; use --force to overwrite it")
            raise typer.Exit(EXIT_ERROR)
        try:
            with open(target, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(INIT_TEMPLATE)
        except OSError as exc:
            _err(f"cannot write {target}: {exc.strerror or exc}")
            raise typer.Exit(EXIT_ERROR)
        typer.echo(f"wrote {target}")


    @app.command()
    def version() -> None:
        """Print the version."""
        typer.echo(f"contentlint {__version__}")


    _register_plugins(app)
    return app


def _register_plugins(app) -> None:
    try:
        from .dnsaudit import command as dns_command
    except ImportError:
        dns_command = None
    if dns_command is not None and hasattr(dns_command, "register"):
        dns_command.register(app)
    try:
        from . import calibrate
    except ImportError:
        calibrate = None
    if calibrate is not None and hasattr(calibrate, "register"):
        calibrate.register(app)
    from . import fix

    fix.register(app)
    from . import lsp

    lsp.register(app)



_APP = None


def get_app():
    """The typer application (``contentlint.cli.app``)."""
    global _APP
    if _APP is None:
        _APP = _build_app()
    return _APP


def __getattr__(name):
    if name == "app":
        return get_app()
    raise AttributeError(name)


def main(argv: Optional[List[str]] = None, *, exit_at_once: bool = False) -> None:
    """Console entry point.  ``exit_at_once`` (the installed ``contentlint`` script): a ``check`` ends the
    process as soon as its output is flushed (see ``entry``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] == "check":
            kw = _fast_parse(args[1:])
            if kw is not None:
                code = run_check(**kw)
                if exit_at_once:
                    _exit_at_once(code)
                sys.exit(code)
        get_app()(args=args, prog_name="contentlint")
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except BrokenPipeError:  # `contentlint check … | head`
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        sys.exit(EXIT_FAIL)
    except OSError as exc:   # the report could not be written (a full disk…): say so, not a traceback
        sys.stderr.write(f"contentlint: error: the report could not be written: {exc}\n")
        sys.exit(EXIT_ERROR)


def entry() -> None:
    """The installed ``contentlint`` command.  After a ``check`` (its report written, ``--output`` closed, the
    caches stored) the process ends without the interpreter's teardown, which frees every object of the
    rule set, the lemma tables and the compiled patterns one by one: 50 ms of a 0.25 s pre-commit run on
    one template (bench/bench.py's cold start).  ``main()`` called from Python keeps the usual exit."""
    main(exit_at_once=True)


def _exit_at_once(code: int) -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:      # `contentlint check … | head`: as main() answers it
        os._exit(EXIT_FAIL)
    except (OSError, ValueError) as exc:   # a full disk, a closed stream: the report is incomplete, say so
        try:
            sys.stderr.write(f"contentlint: error: the report could not be written: {exc}\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass                 # no stream left to say it on: the exit code says it
        os._exit(EXIT_ERROR)
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass                     # messages already written as far as stderr takes them; the code stands
    os._exit(code)


if __name__ == "__main__":
    entry()
