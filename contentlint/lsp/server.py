"""``contentlint lsp``: the language server (pygls over standard input/output).

What it does for each open ``.html``, ``.htm``, ``.mjml``, ``.txt``, ``.eml`` and Send API ``.json``
document:

* diagnostics from the unsaved buffer on open, change (debounced: a burst of keystrokes runs one check)
  and save, with the rules, configuration and inline suppressions of ``contentlint check``; the message's
  score and verdict as a document-level diagnostic on line 0;
* hover on a highlighted span: the rule, why it matters and the fix;
* code actions: the mechanical fixes of ``contentlint fix`` on the findings they fix, and "disable this
  rule for this line / for this file", which insert the suppression comment in the document's syntax.

Threads and processes.  The protocol runs on pygls' event loop; handlers for hovers and code actions only
read the last result, so they answer at once.  Checks go, one at a time, through a thread of their own to
the worker process (``contentlint.lsp.worker``): a huge document keeps that process busy, never the
server.  Documents over ``--max-bytes`` (10 MiB) are not checked; they get a diagnostic saying so.
"""
from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Optional

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path, uri_scheme

from .. import __version__
from . import convert
from .worker import DEFAULT_TIMEOUT, CheckRequest, CheckResult, WorkerProcess, encode_text

logger = logging.getLogger(__name__)

#: Documents larger than this (UTF-8 bytes) are not checked: 10 MiB.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: Quiet time after the last change before a document is checked again.
DEFAULT_DEBOUNCE_MS = 300

EXTENSIONS = (".html", ".htm", ".mjml", ".txt", ".eml", ".json")
#: Documents without a file name (untitled buffers): the editor's language id decides.
LANGUAGE_IDS = {"html": ".html", "mjml": ".mjml", "plaintext": ".txt", "text": ".txt", "email": ".eml",
                "eml": ".eml", "mail": ".eml", "json": ".json"}
CONFIG_FILES = (".contentlint.yaml", ".contentlint.yml", "pyproject.toml")


@dataclass
class Options:
    max_bytes: int = DEFAULT_MAX_BYTES
    debounce_ms: int = DEFAULT_DEBOUNCE_MS
    timeout: float = DEFAULT_TIMEOUT


@dataclass
class _Checked:
    """The last check of a document, for hovers and code actions."""

    version: Optional[int]
    text: str
    result: CheckResult
    index: convert.LineIndex
    entries: list = field(default_factory=list)


class ContentlintServer(LanguageServer):
    def __init__(self, options: Optional[Options] = None):
        super().__init__("contentlint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.options = options or Options()
        self.worker = WorkerProcess(self.options.timeout)
        self.checks = ThreadPoolExecutor(max_workers=1, thread_name_prefix="contentlint-check")
        self.open_docs: dict[str, str] = {}        # uri -> hint extension ("" when the document is not checked)
        self.checked: dict[str, _Checked] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._pending: dict[str, bool] = {}        # uri -> configuration may have changed, in check order
        self._config_changed: set[str] = set()     # documents whose next check looks for configuration again
        self._runner: Optional[asyncio.Task] = None

    # -- scheduling --------------------------------------------------------------------------------
    def schedule(self, uri: str, delay_ms: float = 0, config_changed: bool = False) -> None:
        """Check ``uri`` after ``delay_ms`` of quiet (a later call for the same document restarts the wait)."""
        if not self.open_docs.get(uri):
            return
        loop = asyncio.get_running_loop()
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        if config_changed:
            self._config_changed.add(uri)
        if delay_ms <= 0:
            self._enqueue(uri)
        else:
            self._timers[uri] = loop.call_later(delay_ms / 1000, self._enqueue, uri)

    def _enqueue(self, uri: str) -> None:
        self._timers.pop(uri, None)
        self._pending[uri] = self._pending.get(uri, False) or uri in self._config_changed
        self._config_changed.discard(uri)
        if self._runner is None or self._runner.done():
            self._runner = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            uri = next(iter(self._pending))
            config_changed = self._pending.pop(uri)
            hint = self.open_docs.get(uri)
            if not hint:
                continue
            doc = self.workspace.get_text_document(uri)
            text, version = doc.source, doc.version
            size = len(text) if len(text) > self.options.max_bytes else len(text.encode("utf-8", "surrogatepass"))
            if size > self.options.max_bytes:
                index = convert.LineIndex(text, self._position_encoding())
                self._publish(uri, version, [convert.document_diagnostic(
                    f"contentlint: this document is {_size(size)}; the language server checks documents "
                    f"up to {_size(self.options.max_bytes)}. Run `contentlint check "
                    f"{self._source(uri)}` in a terminal.", index, types.DiagnosticSeverity.Warning)])
                self.checked.pop(uri, None)
                continue
            if not text.strip() or (hint == ".json" and '"Messages"' not in text):
                self._publish(uri, version, [])     # a new empty buffer, a JSON file that is not a Send API payload
                self.checked.pop(uri, None)
                continue
            request = CheckRequest(text=text, source=self._source(uri), hint_ext=hint, config_changed=config_changed)
            try:
                result = await loop.run_in_executor(self.checks, self.worker.run, request)
            except RuntimeError:   # shutting down
                return
            if uri not in self.open_docs:
                continue
            self._store(uri, version, text, result)

    def _store(self, uri: str, version, text: str, result: CheckResult) -> None:
        encoding = self._position_encoding()
        index = convert.LineIndex(text, encoding, data=lambda: encode_text(text, result.encoding),
                                  byte_encoding=result.encoding)
        entries = convert.finding_entries(uri, result.reports, result.rules, index)
        diagnostics = [e.diagnostic for e in entries]
        diagnostics += [convert.document_diagnostic(f"contentlint: {message}", index) for message in result.errors]
        self.checked[uri] = _Checked(version, text, result, index, entries)
        logger.info("checked %s in %.1f ms", uri, result.seconds * 1000)
        self._publish(uri, version, diagnostics)

    def _publish(self, uri: str, version, diagnostics: list) -> None:
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version))

    def _position_encoding(self) -> str:
        return self.workspace.position_encoding or types.PositionEncodingKind.Utf16

    @staticmethod
    def _source(uri: str) -> str:
        if uri_scheme(uri) == "file":
            path = to_fs_path(uri)
            if path:
                return path
        return uri

    def current(self, uri: str) -> Optional[_Checked]:
        """The last check of ``uri`` if the buffer has not changed since (else its ranges are stale)."""
        state = self.checked.get(uri)
        if state is None or uri not in self.open_docs:
            return None
        if self.workspace.get_text_document(uri).source != state.text:
            return None
        return state

    def close(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._pending.clear()
        self._config_changed.clear()
        self.checks.shutdown(wait=False, cancel_futures=True)
        self.worker.close()


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{round(n / (1 << 20), 1):g} MiB"
    return f"{round(n / 1024, 1):g} KiB" if n >= 1024 else f"{n} bytes"


def hint_for(uri: str, language_id: Optional[str]) -> str:
    """The extension a document is read as, or "" when it is not a document contentlint checks."""
    path = to_fs_path(uri) if uri_scheme(uri) == "file" else None
    if path:
        ext = os.path.splitext(path)[1].lower()
        return ext if ext in EXTENSIONS else ""
    return LANGUAGE_IDS.get((language_id or "").lower(), "")


def _overlaps(span, start, end) -> bool:
    if span is None:
        return start[0] == 0
    return span[0] <= end and start <= span[1]


def build_server(options: Optional[Options] = None) -> ContentlintServer:
    server = ContentlintServer(options)

    @server.feature(types.INITIALIZED)
    def initialized(ls: ContentlintServer, params):
        # start the worker (and compile the packs) while the editor opens its first document
        asyncio.get_running_loop().run_in_executor(ls.checks, ls.worker.start)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ContentlintServer, params: types.DidOpenTextDocumentParams):
        doc = params.text_document
        ls.open_docs[doc.uri] = hint_for(doc.uri, doc.language_id)
        ls.schedule(doc.uri, 0, config_changed=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ContentlintServer, params: types.DidChangeTextDocumentParams):
        ls.schedule(params.text_document.uri, ls.options.debounce_ms)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: ContentlintServer, params: types.DidSaveTextDocumentParams):
        uri = params.text_document.uri
        if os.path.basename(ls._source(uri)) in CONFIG_FILES:   # a configuration file: check everything again
            for other in list(ls.open_docs):
                ls.schedule(other, 0, config_changed=True)
        else:
            ls.schedule(uri, 0, config_changed=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ContentlintServer, params: types.DidCloseTextDocumentParams):
        uri = params.text_document.uri
        timer = ls._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        ls._pending.pop(uri, None)
        ls._config_changed.discard(uri)
        was_checked = ls.open_docs.pop(uri, "")
        ls.checked.pop(uri, None)
        if was_checked:
            ls._publish(uri, None, [])

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files(ls: ContentlintServer, params: types.DidChangeWatchedFilesParams):
        if any(os.path.basename(ls._source(c.uri)) in CONFIG_FILES for c in params.changes):
            for uri in list(ls.open_docs):
                ls.schedule(uri, 0, config_changed=True)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: ContentlintServer, params: types.HoverParams):
        state = ls.current(params.text_document.uri)
        if state is None:
            return None
        at = state.index.from_client(params.position)
        hits = [e for e in state.entries if e.finding is not None and _overlaps(e.span, at, at)]
        if not hits:
            return None
        findings = list({id(e.finding): e.finding for e in hits}.values())
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                         value=convert.hover_markdown(findings, state.result.rules)),
            range=hits[0].diagnostic.range)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]))
    def code_action(ls: ContentlintServer, params: types.CodeActionParams):
        uri = params.text_document.uri
        state = ls.current(uri)
        if state is None:
            return None
        start = state.index.from_client(params.range.start)
        end = state.index.from_client(params.range.end)
        only = params.context.only
        return code_actions(uri, state, start, end, only)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: ContentlintServer, params):
        ls.close()

    return server


def _wanted(kind: str, only) -> bool:
    return not only or any(kind == k or kind.startswith(f"{k}.") for k in only)


def code_actions(uri: str, state: _Checked, start, end, only=None) -> list[types.CodeAction]:
    """Fixes and suppressions for the findings overlapping the range ``start``–``end``."""
    result, index = state.result, state.index
    hits = [e for e in state.entries if e.finding is not None and _overlaps(e.span, start, end)]
    actions: list[types.CodeAction] = []
    done: set = set()
    single = len(result.reports) == 1
    for entry in hits:
        finding = entry.finding
        key = (entry.report, finding.rule)
        if key in done:
            continue
        done.add(key)
        diags = [e.diagnostic for e in state.entries if e.finding is finding]
        for fix in result.fixes:
            if fix.rules == (finding.rule,) and _wanted(types.CodeActionKind.QuickFix, only):
                edit = convert.text_edit(state.text, fix.text, index)
                actions.append(types.CodeAction(
                    title=f"Fix {finding.rule}: {describe_fix(fix, state.text)}",
                    kind=types.CodeActionKind.QuickFix, diagnostics=diags, is_preferred=True,
                    edit=types.WorkspaceEdit(changes={uri: [edit]})))
        if not single or not _wanted(types.CodeActionKind.QuickFix, only):
            continue
        line = finding.location.line
        if line > 0:
            edits = convert.disable_line_edits(finding.rule, line, result, index)
            if edits:
                actions.append(types.CodeAction(
                    title=f"Disable {finding.rule} for line {line}", kind=types.CodeActionKind.QuickFix,
                    diagnostics=diags, edit=types.WorkspaceEdit(changes={uri: edits})))
        edit = convert.disable_file_edit(finding.rule, result, index)
        if edit is not None:
            actions.append(types.CodeAction(
                title=f"Disable {finding.rule} for this file", kind=types.CodeActionKind.QuickFix,
                diagnostics=diags, edit=types.WorkspaceEdit(changes={uri: [edit]})))
    if result.fixes and _wanted(types.CodeActionKind.SourceFixAll, only) and (hits or only):
        every = result.fixes[-1]
        actions.append(types.CodeAction(
            title=f"Apply every mechanical fix of contentlint fix ({', '.join(every.rules)})",
            kind=types.CodeActionKind.SourceFixAll,
            edit=types.WorkspaceEdit(changes={uri: [convert.text_edit(state.text, every.text, index)]})))
    return actions


def describe_fix(fix, old: str, width: int = 70) -> str:
    """What a fix does, in a few words: the new subject, or the lines it adds or changes."""
    def cut(s: str) -> str:
        s = " ".join(s.split())
        return s if len(s) <= width else s[:width - 1] + "…"

    if fix.subject is not None:
        return f"subject → “{cut(fix.subject)}”"
    a, b = old.split("\n"), fix.text.split("\n")
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[len(a) - 1 - end] == b[len(b) - 1 - end]:
        end += 1
    removed, added = a[start:len(a) - end], b[start:len(b) - end]
    if not removed:
        return f"add “{cut(' '.join(added))}”"
    return f"“{cut(' '.join(removed))}” → “{cut(' '.join(added))}”"


def serve(options: Optional[Options] = None) -> None:
    """Run the server on standard input/output until the editor says exit."""
    # the protocol owns the real standard output; anything else printed goes to standard error
    protocol_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    server = build_server(options)
    try:
        server.start_io(stdout=protocol_out)
    finally:
        server.close()
