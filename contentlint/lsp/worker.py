"""The language server's checks, run in a separate process.

The server never checks a document on its own threads: each check is sent to one long-lived worker
process (``WorkerProcess``), so a huge or hostile document costs that process its time and memory, never
the server's, which keeps answering hovers and code actions meanwhile.  A check that runs longer than
the timeout has its process killed and replaced; the document gets a diagnostic saying so.

The worker keeps one ``Linter`` per configuration file (found from each document's folder upwards, as
``contentlint check`` does): the packs compile once per worker, and a change re-checks that document
only.  An edited configuration file is noticed by its modification time.

Everything crossing the pipe is plain picklable data: a ``CheckRequest`` in, a ``CheckResult`` out.  This
module imports nothing of pygls, so the worker starts as fast as ``contentlint check``.
"""
from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass, field
from typing import Any, Optional

#: Seconds a check may run before its process is killed (a 10 MB template takes about 15 s on 2 cores).
DEFAULT_TIMEOUT = 60.0
#: Seconds a new worker process may take to start and compile the packs (not counted in the timeout).
START_TIMEOUT = 120.0


@dataclass(frozen=True)
class CheckRequest:
    text: str                      # the document as the editor holds it (unsaved changes included)
    source: str                    # file path of the document (configuration and per-file ignores use it)
    hint_ext: str = ""             # ".html", ".eml"…: breaks ties when the content is sniffed
    config_changed: bool = False   # forget where configuration files were found (one was created or deleted)


#: What a new worker checks first, so that the packs are compiled before the editor's first document.
WARM_UP = CheckRequest(text="<p>Bonjour</p>", source="<warm-up>", hint_ext=".html")


@dataclass(frozen=True)
class RuleDoc:
    """What the hover shows of a rule."""

    id: str
    title: str
    description: str
    file: str = ""
    line: int = 0
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class PartInfo:
    """Where a part of the message lives in the document (for suppression comments)."""

    label: str
    content_type: str
    start_line: int                # 1-based file line of the part's first line; 0 when not in the file as is
    line_count: int
    file_mapped: bool


@dataclass(frozen=True)
class Fix:
    """A mechanical fix of ``contentlint fix``: the whole document after it."""

    rules: tuple[str, ...]         # the rules it fixes
    text: str
    subject: Optional[str] = None  # the subject after the fix, when the fix rewrites it


@dataclass
class CheckResult:
    reports: list = field(default_factory=list)          # contentlint.api.Report, in input order
    errors: list[str] = field(default_factory=list)      # why (part of) the document could not be checked
    rules: dict[str, RuleDoc] = field(default_factory=dict)
    fixes: list[Fix] = field(default_factory=list)       # one per fixable rule, then all of them together
    parts: list[PartInfo] = field(default_factory=list)  # of the single message (empty for several)
    esp: Optional[str] = None                            # template syntax family of the single message
    input_format: str = ""
    encoding: str = "utf-8"                              # how the text was turned into the bytes checked
    seconds: float = 0.0                                 # time the check took in the worker


def document_bytes(text: str, source: str) -> tuple[bytes, str]:
    """The bytes ``contentlint check`` would read once the editor saves ``text``.

    Editors keep a file's encoding when they save it: a file on disk that is not UTF-8 (an ISO-8859-1
    ``.eml`` with an 8bit body) is encoded back as Latin-1, so its declared charset still holds.
    """
    encoding = "utf-8"
    try:
        with open(source, "rb") as fh:
            head = fh.read(1 << 16)
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
                encoding = "latin-1"
    except OSError:
        pass
    try:
        return text.encode(encoding), encoding
    except UnicodeEncodeError:
        return encode_text(text, "utf-8"), "utf-8"


def encode_text(text: str, encoding: str) -> bytes:
    """``text`` as bytes whatever it holds: undecodable bytes kept (surrogateescape), other lone
    surrogates (a JSON-RPC string may carry them) replaced."""
    try:
        return text.encode(encoding, "surrogateescape")
    except UnicodeEncodeError:
        return text.encode(encoding, "replace")


class Checker:
    """Checks documents; lives in the worker process (or in-process for the benchmark)."""

    def __init__(self) -> None:
        self._linters: dict[Optional[str], tuple[Any, Any]] = {}   # config path -> (stamp, Linter)

    def _linter(self, source: str, config_changed: bool):
        from .. import config as config_mod
        from ..api import Linter

        if config_changed:
            config_mod.clear_cache()
        path = config_mod.config_for_source(source)
        try:
            st = os.stat(path) if path else None
            stamp = (st.st_mtime_ns, st.st_size) if st else None
        except OSError:
            stamp = None
        cached = self._linters.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        if cached is not None:
            config_mod.load_config.cache_clear()
        linter = Linter(path)
        self._linters[path] = (stamp, linter)
        return linter

    def check(self, request: CheckRequest) -> CheckResult:
        """Never raises: what goes wrong becomes ``CheckResult.errors``."""
        started = time.perf_counter()
        data, encoding = document_bytes(request.text, request.source)
        result = CheckResult(encoding=encoding)
        try:
            linter = self._linter(request.source, request.config_changed)
        except Exception as exc:  # ConfigError, PackError: name the file and line
            result.errors.append(f"the document was not checked: {_describe(exc)}")
            return result
        try:
            self._check(linter, request, data, result)
        except Exception as exc:  # a bug must cost one diagnostic, not the server
            result.errors.append(f"could not check this document: {type(exc).__name__}: {exc}")
        result.seconds = time.perf_counter() - started
        return result

    def _check(self, linter, request: CheckRequest, data: bytes, result: CheckResult) -> None:
        from ..readers import InputError, read_bytes

        messages = []
        for item in read_bytes(data, source=request.source, options=linter.read_options,
                               hint_ext=request.hint_ext):
            if isinstance(item, InputError):
                where = f"message #{item.index}: " if item.index else ""
                result.errors.append(where + item.message)
                continue
            messages.append(item)
            for checked in linter.check_items(item):
                if isinstance(checked, InputError):
                    result.errors.append(checked.message)
                else:
                    result.reports.append(checked)
        for report in result.reports:
            for finding in report.findings:
                if finding.rule not in result.rules:
                    rule = _rule(linter, finding.rule)
                    if rule is not None:
                        result.rules[finding.rule] = RuleDoc(rule.id, rule.title, rule.description, rule.file,
                                                             rule.line, tuple(rule.references or ()))
        if len(messages) == 1 and len(result.reports) == 1:
            message, report = messages[0], result.reports[0]
            result.esp = message.esp
            result.input_format = message.input_format
            result.parts = [PartInfo(p.label, p.content_type, p.start_line, _line_count(p.text), p.file_mapped)
                            for p in message.parts]
            result.fixes = _fixes(data, result.encoding, report, linter.ruleset)


def _line_count(text: str) -> int:
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def _rule(linter, rule_id: str):
    try:
        return linter.ruleset.get(rule_id)
    except (KeyError, LookupError):
        return None


def _fixes(data: bytes, encoding: str, report, ruleset) -> list[Fix]:
    """The fixes of ``contentlint fix`` for this report: each rule alone, then all together."""
    from .. import fix as fix_mod

    if report.input_format == "eml":
        apply = fix_mod.fix_eml
    elif report.input_format in ("html", "text"):
        apply = fix_mod.fix_template
    else:
        return []
    everything = apply(data, report, ruleset)
    if not everything.applied:
        return []
    out = []
    for rule in dict.fromkeys(everything.applied):
        only = dataclasses.replace(report, findings=[f for f in report.findings if f.rule == rule])
        alone = apply(data, only, ruleset)
        if alone.applied and alone.data != data:
            out.append(Fix((rule,), alone.data.decode(encoding, "surrogateescape"),
                           fix_mod._new_subject(only, report.subject, ruleset)[0]))
    if len(out) > 1:
        out.append(Fix(tuple(dict.fromkeys(everything.applied)), everything.data.decode(encoding, "surrogateescape"),
                       fix_mod._new_subject(report, report.subject, ruleset)[0]))
    return out


def _describe(exc: Exception) -> str:
    if type(exc).__name__ == "PackError" or hasattr(exc, "rule_id"):
        parts = [str(getattr(exc, "file", "") or "")]
        if getattr(exc, "line", 0):
            parts[0] += f":{exc.line}"
        rule = getattr(exc, "rule_id", "")
        return ": ".join(p for p in (parts[0], rule, getattr(exc, "message", "") or str(exc)) if p)
    return str(exc) or type(exc).__name__


# -- the process ---------------------------------------------------------------------------------------


def _serve(conn) -> None:
    """Worker process main loop: a ``CheckRequest`` in, a ``CheckResult`` out, until ``None`` or EOF."""
    try:  # stray prints must never reach the editor's protocol stream
        os.dup2(2, 1)
    except OSError:
        pass
    checker = Checker()
    checker.check(WARM_UP)   # compile the packs before the first document arrives
    # and load the French tagger (engine/morph.py, 2-3 s once) now, not inside the first check's timeout
    from contentlint.engine.morph import pipeline

    pipeline("fr")
    try:
        conn.send("ready")
    except OSError:
        return
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        try:
            conn.send(checker.check(request))
        except (BrokenPipeError, OSError):
            return


class WorkerProcess:
    """The worker process, seen from the server: ``run`` is called from one thread at a time."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT):
        self.timeout = timeout
        self._proc = None
        self._conn = None

    def start(self) -> Optional[str]:
        """Start the process if it is not running and wait until its packs are compiled; why it could
        not start, or None."""
        if self._proc is not None and self._proc.is_alive():
            return None
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")   # never fork a process that runs threads
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_serve, args=(child,), name="contentlint-lsp-check", daemon=True)
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent
        try:
            if parent.poll(START_TIMEOUT) and parent.recv() == "ready":
                return None
        except (EOFError, OSError):
            pass
        code = proc.exitcode
        self._stop(kill=True)
        return f"the check process could not start (exit code {code})"

    def run(self, request: CheckRequest) -> CheckResult:
        problem = self.start()
        if problem:
            return CheckResult(errors=[problem])
        try:
            self._conn.send(request)
            if self._conn.poll(self.timeout):
                return self._conn.recv()
        except (EOFError, OSError):
            code = self._proc.exitcode if self._proc is not None else None
            self._stop(kill=True)
            return CheckResult(errors=[f"the check process stopped unexpectedly (exit code {code}); "
                                       "it was restarted: edit or save the document to check it again"])
        self._stop(kill=True)
        return CheckResult(errors=[f"the check did not finish in {self.timeout:g} s and was stopped; "
                                   f"run `contentlint check {request.source}` in a terminal"])

    def _stop(self, kill: bool = False) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if proc is None:
            return
        if not kill:
            try:
                conn.send(None)
            except OSError:
                pass
            proc.join(2)
        if proc.is_alive():
            proc.kill()
            proc.join(2)
        conn.close()

    def close(self) -> None:
        self._stop()
