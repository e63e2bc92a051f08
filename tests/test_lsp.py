"""``contentlint lsp``: the real server, driven over standard input/output by pygls' language client.

Each test starts ``python -m contentlint.cli lsp`` and talks to it as an editor would: initialize, open a
document, wait for its diagnostics, hover, ask for code actions, apply one, edit, shut down.  Positions
are asserted in UTF-16 code units, the editor's unit, computed here independently of the server.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("pygls")
from lsprotocol import types  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "lsp"
EXAMPLES = ROOT / "examples"
TIMEOUT = 30.0   # generous: the machine is shared; a healthy check takes milliseconds


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def offset_of(text: str, position: types.Position) -> int:
    """A position (UTF-16 code units) as an offset in ``text`` (the editor's side of the protocol)."""
    lines = text.split("\n")
    offset = sum(len(line) + 1 for line in lines[:position.line])
    units = 0
    for i, ch in enumerate(lines[position.line] if position.line < len(lines) else ""):
        if units >= position.character:
            return offset + i
        units += 2 if ord(ch) > 0xFFFF else 1
    return offset + len(lines[position.line]) if position.line < len(lines) else len(text)


def apply_edits(text: str, edits) -> str:
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = offset_of(text, edit.range.start), offset_of(text, edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


class Editor:
    """A language client with the bookkeeping of an editor: open buffers and received diagnostics."""

    def __init__(self, *args: str):
        self.args = args
        self.client = LanguageClient("contentlint-tests", "1")
        self.diagnostics: dict[str, types.PublishDiagnosticsParams] = {}
        self.texts: dict[str, str] = {}
        self.versions: dict[str, int] = {}
        self.stderr: list[str] = []
        self.published: list[tuple[str, int | None]] = []
        self._changed = asyncio.Condition()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        async def on_diagnostics(params: types.PublishDiagnosticsParams):
            async with self._changed:
                self.published.append((params.uri, params.version))
                self.diagnostics[params.uri] = params
                self._changed.notify_all()

    async def start(self, root: Path) -> types.InitializeResult:
        await self.client.start_io(sys.executable, "-m", "contentlint.cli", "lsp", *self.args, cwd=str(ROOT))
        self._drain = asyncio.ensure_future(self._read_stderr())
        result = await asyncio.wait_for(self.client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(
                general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf16]),
                text_document=types.TextDocumentClientCapabilities(
                    hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
                    publish_diagnostics=types.PublishDiagnosticsClientCapabilities(related_information=True))),
            root_uri=root.as_uri(), process_id=os.getpid())), TIMEOUT)
        self.client.initialized(types.InitializedParams())
        return result

    async def _read_stderr(self):
        while True:
            line = await self.client._server.stderr.readline()
            if not line:
                return
            self.stderr.append(line.decode("utf-8", "replace"))

    def open(self, path: Path, text: str | None = None, language_id: str = "html") -> str:
        uri = path.as_uri()
        self.texts[uri] = path.read_text(encoding="utf-8") if text is None else text
        self.versions[uri] = 1
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(
            uri=uri, language_id=language_id, version=1, text=self.texts[uri])))
        return uri

    def edit(self, uri: str, edits) -> None:
        """Apply ``edits`` to the buffer and tell the server, incrementally, as editors do."""
        self.versions[uri] += 1
        changes = []
        for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
            changes.append(types.TextDocumentContentChangePartial(range=edit.range, text=edit.new_text))
            self.texts[uri] = apply_edits(self.texts[uri], [edit])
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            content_changes=changes))

    def replace(self, uri: str, old: str, new: str) -> None:
        text = self.texts[uri]
        start = text.index(old)
        lines = text[:start].split("\n")
        begin = types.Position(len(lines) - 1, utf16(lines[-1]))
        lines = text[:start + len(old)].split("\n")
        end = types.Position(len(lines) - 1, utf16(lines[-1]))
        self.edit(uri, [types.TextEdit(range=types.Range(begin, end), new_text=new)])

    async def diagnostics_for(self, uri: str, version: int | None = None, timeout: float = TIMEOUT):
        """The diagnostics of ``uri`` once the server has published them for ``version`` (default: the
        buffer's current version)."""
        want = self.versions.get(uri) if version is None else version

        def ready():
            got = self.diagnostics.get(uri)
            return got is not None and (want is None or got.version == want)

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(ready), timeout)
        return self.diagnostics[uri].diagnostics

    async def hover(self, uri: str, line: int, character: int):
        return await asyncio.wait_for(self.client.text_document_hover_async(types.HoverParams(
            types.TextDocumentIdentifier(uri), types.Position(line, character))), TIMEOUT)

    async def code_actions(self, uri: str, line: int, character: int, only=None):
        at = types.Position(line, character)
        return await asyncio.wait_for(self.client.text_document_code_action_async(types.CodeActionParams(
            types.TextDocumentIdentifier(uri), types.Range(at, at),
            types.CodeActionContext(diagnostics=[], only=only))), TIMEOUT) or []

    async def stop(self) -> int:
        await asyncio.wait_for(self.client.shutdown_async(None), TIMEOUT)
        self.client.exit(None)
        code = await asyncio.wait_for(self.client._server.wait(), TIMEOUT)
        await asyncio.wait_for(self.client.stop(), TIMEOUT)
        return code


def run(coro):
    return asyncio.run(coro)


def by_rule(diagnostics, rule: str):
    return [d for d in diagnostics if d.code == rule]


def _template(tmp_path: Path) -> Path:
    path = tmp_path / "promo-fr.html"
    shutil.copy(DATA / "promo-fr.html", path)
    return path


# -- the editing session of the acceptance criteria --------------------------------------------------


def test_editing_session_on_a_spammy_french_template(tmp_path):
    path = _template(tmp_path)

    async def session():
        editor = Editor()
        init = await editor.start(tmp_path)
        assert init.server_info.name == "contentlint"
        uri = editor.open(path)
        text = editor.texts[uri]
        diags = await editor.diagnostics_for(uri)

        # the subject lives on line 2 of the front matter: `subject: "GRATUIT !!! Votre CADEAU …"`
        subject_line = text.split("\n")[1]
        # one diagnostic per shouted word; the first carries the message, the others point back to it
        caps = by_rule(diags, "all-caps-subject")
        assert len(caps) >= 2 and sum("place " not in d.message for d in caps) == 1
        assert caps[0].range.start == types.Position(1, subject_line.index("GRATUIT"))
        assert caps[0].range.end.line == 1 and caps[0].range.end.character > caps[0].range.start.character
        assert caps[0].severity == types.DiagnosticSeverity.Warning
        assert caps[0].source == "contentlint"
        assert "+1." in caps[0].message or "points" in caps[0].message
        assert "fix: Write the subject in sentence case" in caps[0].message
        href = caps[0].code_description.href
        assert href.startswith("file://") and "#L" in href
        rule_file = Path(href[len("file://"):].split("#")[0])
        assert rule_file.is_file() and "id: all-caps-subject" in rule_file.read_text(encoding="utf-8")

        punct = by_rule(diags, "excessive-punctuation")
        bang = subject_line.index("!!!")
        assert punct[0].range.start == types.Position(1, bang)
        assert punct[0].range.end in (types.Position(1, bang + 3),)   # the match, exactly

        shortener = by_rule(diags, "url-shortener")
        assert shortener and shortener[0].range.start.line == 19   # the bit.ly link, line 20 of the file
        assert by_rule(diags, "click-here-link")[0].severity == types.DiagnosticSeverity.Information

        score = [d for d in diags if d.code is None and d.message.startswith("score ")]
        assert len(score) == 1 and "→ fail" in score[0].message
        assert score[0].range.start == types.Position(0, 0)
        assert score[0].severity == types.DiagnosticSeverity.Error

        # hover on the "!!!": the rule, why it matters, the fix
        hover = await editor.hover(uri, 1, bang + 1)
        assert hover is not None
        value = hover.contents.value
        assert "excessive-punctuation" in value and "Why it matters" in value
        assert "Use a single “!” instead of “!!!”" in value
        assert await editor.hover(uri, 9, 0) is None   # `<meta charset…>`: nothing to say

        # code actions on the subject: the mechanical fixes of `contentlint fix`, and suppressions
        actions = await editor.code_actions(uri, 1, subject_line.index("GRATUIT"))
        actions += await editor.code_actions(uri, 1, subject_line.index("CADEAU"))
        titles = [a.title for a in actions]
        fix = next(a for a in actions if a.title.startswith("Fix all-caps-subject"))
        assert fix.kind == types.CodeActionKind.QuickFix
        assert "“Gratuit !!! Votre cadeau vous attend - offre exceptionnelle”" in fix.title
        assert any(t.startswith("Disable risky-prize-terms for line 2") for t in titles)
        assert "Disable risky-prize-terms for this file" in titles

        # apply the sentence-case fix: that finding goes, the punctuation one stays
        editor.edit(uri, fix.edit.changes[uri])
        assert 'subject: "Gratuit !!! Votre cadeau vous attend - offre exceptionnelle"' in editor.texts[uri]
        diags = await editor.diagnostics_for(uri)
        assert not by_rule(diags, "all-caps-subject")
        assert by_rule(diags, "excessive-punctuation")

        # the author rewrites the subject by hand: the subject findings disappear
        editor.replace(uri, "Gratuit !!! Votre cadeau vous attend - offre exceptionnelle",
                       "Nos balades du printemps")
        diags = await editor.diagnostics_for(uri)
        for rule in ("excessive-punctuation", "subject-too-long"):
            assert not by_rule(diags, rule), rule
        assert [d.range.start.line for d in by_rule(diags, "risky-money-terms")] == [17]   # "GRATUIT" of the body
        assert by_rule(diags, "all-caps-body")

        # silence a body rule for its line: the comment goes in, the finding goes away
        caps_body = by_rule(diags, "all-caps-body")[0]
        line = caps_body.range.start.line
        actions = await editor.code_actions(uri, line, caps_body.range.start.character)
        disable = next(a for a in actions if a.title == f"Disable all-caps-body for line {line + 1}")
        editor.edit(uri, disable.edit.changes[uri])
        lines = editor.texts[uri].split("\n")
        assert lines[line].strip() == "<!-- contentlint-disable all-caps-body -->"
        assert lines[line + 2].strip() == "<!-- contentlint-enable all-caps-body -->"
        diags = await editor.diagnostics_for(uri)
        assert not by_rule(diags, "all-caps-body")

        # and one for the whole file, written in the front matter where no recipient sees it
        shortener = by_rule(diags, "url-shortener")[0]
        actions = await editor.code_actions(uri, shortener.range.start.line, shortener.range.start.character)
        disable = next(a for a in actions if a.title == "Disable url-shortener for this file")
        editor.edit(uri, disable.edit.changes[uri])
        assert editor.texts[uri].split("\n")[1] == "# <!-- contentlint-disable-file url-shortener -->"
        diags = await editor.diagnostics_for(uri)
        assert not by_rule(diags, "url-shortener")
        assert by_rule(diags, "click-here-link")

        # a burst of keystrokes inside the debounce window runs one check, of the last version
        editor.published.clear()
        for _ in range(8):
            editor.replace(uri, "Bonjour", "Bonjour")
        await editor.diagnostics_for(uri)
        await asyncio.sleep(0.6)
        assert editor.published == [(uri, editor.versions[uri])]

        assert await editor.stop() == 0

    run(session())


# -- other documents: .eml, Send API JSON, emoji, configuration ------------------------------------


def test_eml_json_emoji_and_configuration_found_from_the_documents_folder(tmp_path):
    emoji = tmp_path / "emoji.html"
    eml = tmp_path / "promo-fr.eml"
    shutil.copy(EXAMPLES / "promo-fr.eml", eml)
    payload = tmp_path / "mailjet-payload.json"
    shutil.copy(EXAMPLES / "mailjet-payload.json", payload)
    other = tmp_path / "package.json"
    other.write_text('{"name": "templates", "version": "1.0.0"}\n', encoding="utf-8")
    quiet = tmp_path / "quiet"
    quiet.mkdir()
    (quiet / ".contentlint.yaml").write_text("disable: [noreply-sender]\n", encoding="utf-8")
    shutil.copy(EXAMPLES / "promo-fr.eml", quiet / "promo-fr.eml")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / ".contentlint.yaml").write_text("disable: [noreply-sender]\nnot-a-key: 1\n", encoding="utf-8")
    shutil.copy(DATA / "promo-fr.html", broken / "promo-fr.html")

    async def session():
        editor = Editor()
        await editor.start(tmp_path)
        raw = eml.read_bytes().decode("latin-1")
        uri = editor.open(eml, raw, "email")
        diags = await editor.diagnostics_for(uri)
        sender = by_rule(diags, "noreply-sender")[0]
        from_line = raw.split("\n")[1]
        assert sender.range.start == types.Position(1, from_line.index("noreply@"))
        assert by_rule(diags, "missing-list-unsubscribe")[0].range.start == types.Position(0, 0)
        assert by_rule(diags, "missing-list-unsubscribe")[0].severity == types.DiagnosticSeverity.Error
        assert "required" in by_rule(diags, "missing-list-unsubscribe")[0].message

        # the one-click header and the subject can be fixed in an .eml too; the subject is re-encoded
        caps = by_rule(diags, "all-caps-subject")[0]
        assert caps.range.start.line == 3                       # the Subject header
        actions = await editor.code_actions(uri, 3, caps.range.start.character)
        fix = next(a for a in actions if a.title.startswith("Fix all-caps-subject"))
        # a header, in a message whose only body is quoted-printable: no comment can silence it there
        assert not [a.title for a in actions if a.title.startswith("Disable")]
        editor.edit(uri, fix.edit.changes[uri])
        assert "Subject: =?utf-8?" in editor.texts[uri]
        diags = await editor.diagnostics_for(uri)
        assert not by_rule(diags, "all-caps-subject")
        assert by_rule(diags, "noreply-sender")

        # a folder whose .contentlint.yaml disables a rule: that rule is gone there only
        quiet_uri = editor.open(quiet / "promo-fr.eml", raw, "email")
        diags = await editor.diagnostics_for(quiet_uri)
        assert not by_rule(diags, "noreply-sender") and by_rule(diags, "missing-list-unsubscribe")

        # an invalid configuration is said on the document, with the file and the key
        broken_uri = editor.open(broken / "promo-fr.html")
        diags = await editor.diagnostics_for(broken_uri)
        assert len(diags) == 1 and diags[0].severity == types.DiagnosticSeverity.Error
        assert ".contentlint.yaml:2" in diags[0].message and "not-a-key" in diags[0].message

        # a Send API payload: one score per message; any other JSON file is left alone
        json_uri = editor.open(payload, None, "json")
        diags = await editor.diagnostics_for(json_uri)
        scores = sorted(d.message for d in diags if d.code is None)
        assert scores[0].startswith("message #0: score 0 → pass")
        assert scores[1].startswith("message #1: score") and "→ fail" in scores[1]
        assert by_rule(diags, "url-shortener")[0].message.startswith("message #1: ")
        other_uri = editor.open(other, None, "json")
        assert list(await editor.diagnostics_for(other_uri)) == []

        # a character outside the BMP counts two UTF-16 code units
        emoji.write_text('---\nsubject: "🎁 Offre du jour !!! à saisir"\nfrom: Boutique <promo@boutique.example.fr>\n---\n'
                         '<p>Bonjour 🎁🎁, voici <a href="https://bit.ly/abc">notre offre</a>.</p>\n'
                         '<p><a href="{{ unsubscribe_url }}">Se désinscrire</a></p>\n', encoding="utf-8")
        emoji_uri = editor.open(emoji)
        diags = await editor.diagnostics_for(emoji_uri)
        text = editor.texts[emoji_uri].split("\n")
        punct = by_rule(diags, "excessive-punctuation")[0]
        before = text[1][:text[1].index("!!!")]
        assert punct.range.start == types.Position(1, utf16(before))
        assert punct.range.start.character == len(before) + 1
        assert punct.range.end == types.Position(1, utf16(before) + 3)
        link = by_rule(diags, "url-shortener")[0]
        assert link.range.start == types.Position(4, utf16(text[4][:text[4].index("https://bit.ly")]))

        assert await editor.stop() == 0

    run(session())


# -- a huge document never blocks the server ---------------------------------------------------------


def _big_template(size: int) -> str:
    head = (DATA / "promo-fr.html").read_text(encoding="utf-8").split("<table", 1)
    paragraph = "<p>Bonjour, voici nos nouvelles du mois avec des livres, des balades et des rencontres.</p>\n"
    return head[0] + paragraph * (size // len(paragraph)) + "<table" + head[1]


def test_huge_documents_do_not_block_the_server(tmp_path):
    small = _template(tmp_path)
    huge = tmp_path / "huge.html"
    big = tmp_path / "big.html"

    async def session():
        editor = Editor()
        await editor.start(tmp_path)
        small_uri = editor.open(small)
        await editor.diagnostics_for(small_uri)

        # over the 10 MiB limit: a clear diagnostic, at once
        huge_uri = editor.open(huge, _big_template(11 * 1024 * 1024))
        started = time.perf_counter()
        hover = await editor.hover(small_uri, 1, 19)
        assert hover is not None and time.perf_counter() - started < 3
        diags = await editor.diagnostics_for(huge_uri)
        assert len(diags) == 1 and "the language server checks documents up to 10 MiB" in diags[0].message
        assert "contentlint check" in diags[0].message
        assert time.perf_counter() - started < 10

        # under the limit but slow to check (about a second here): the server answers meanwhile
        big_uri = editor.open(big, _big_template(1024 * 1024))
        started = time.perf_counter()
        hover = await editor.hover(small_uri, 1, 19)
        answered = time.perf_counter() - started
        assert hover is not None and "excessive-punctuation" in hover.contents.value
        assert big_uri not in editor.diagnostics      # the big check is still running
        assert answered < 1.0
        diags = await editor.diagnostics_for(big_uri, timeout=120)
        assert by_rule(diags, "all-caps-subject")
        assert await editor.stop() == 0

    run(session())


def test_a_check_that_runs_too_long_is_stopped_and_the_server_goes_on(tmp_path):
    small = _template(tmp_path)
    big = tmp_path / "big.html"

    async def session():
        editor = Editor("--timeout", "2")
        await editor.start(tmp_path)
        big_uri = editor.open(big, _big_template(8 * 1024 * 1024))
        diags = await editor.diagnostics_for(big_uri, timeout=60)
        assert len(diags) == 1 and "did not finish in 2 s" in diags[0].message
        small_uri = editor.open(small)   # a new worker process checks the next document
        diags = await editor.diagnostics_for(small_uri, timeout=60)
        assert by_rule(diags, "all-caps-subject")
        assert await editor.stop() == 0

    run(session())


def test_hostile_buffers_give_a_result_never_an_exception():
    from contentlint.lsp.worker import CheckRequest, Checker

    checker = Checker()
    for text, hint in (("<p>\x00\ud800 GRATUIT\udcff</p>", ".html"), ('{"Messages": [{"From": 3}]}', ".json"),
                       ("From: a\n\n" + "=?utf-8?B?" * 1000, ".eml"), ("", ".txt")):
        result = checker.check(CheckRequest(text=text, source="/nonexistent/t" + hint, hint_ext=hint))
        assert result.reports or result.errors, text[:30]
    assert "Messages[0]" in " ".join(checker.check(CheckRequest(
        text='{"Messages": [{"From": 3}]}', source="t.json", hint_ext=".json")).errors)


def test_readme_editor_set_up_starts_this_command():
    import json
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8").split("## Editors: `contentlint lsp`", 1)[1]
    vscode = json.loads(re.search(r"```json\n(.*?)```", readme, re.S).group(1))
    assert [vscode["glspc.server.command"], *vscode["glspc.server.commandArguments"]] == ["contentlint", "lsp"]
    assert 'cmd = { "contentlint", "lsp" }' in re.search(r"```lua\n(.*?)```", readme, re.S).group(1)


# -- without the extra -------------------------------------------------------------------------------


def test_lsp_without_pygls_says_how_to_install_it():
    code = ("import sys; sys.modules['pygls'] = None; from contentlint.cli import main; main(['lsp'])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=str(ROOT))
    assert proc.returncode == 2
    assert "pip install 'contentlint[lsp]'" in proc.stderr
    assert proc.stdout == ""


def test_check_does_not_import_the_language_server():
    code = ("import sys; from contentlint.cli import main\n"
            "try:\n    main(['check', '--quiet', 'examples/template-fr.html'])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('pygls', 'lsprotocol', 'contentlint.lsp'))))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=str(ROOT))
    assert proc.stdout.strip().splitlines()[-1] == "[]"


# -- ranges from locations (no server needed) -------------------------------------------------------

from contentlint.findings import Finding  # noqa: E402
from contentlint.lsp import convert  # noqa: E402
from contentlint.model import Location  # noqa: E402

BODY = 'subject: "🎁 GRATUIT !!!"\n<p>Un   <img src="a.png">  cadeau</p>\n'


def _finding(*spans: Location, rule="risky-prize-terms") -> Finding:
    return Finding(rule, "content", "warning", 0.47, "“cadeau” is prize vocabulary.", "Say “offre”.",
                   location=spans[0], matches=("cadeau",), spans=tuple(spans))


def test_exact_spans_become_utf16_ranges():
    index = convert.LineIndex(BODY)
    # "GRATUIT": file columns 13..20 (1-based, end exclusive), after a two-unit emoji
    span = convert.location_span(Location("subject", 1, 13, end_line=1, end_column=20), index)
    assert span == ((0, 12), (0, 19))
    assert index.range(*span) == types.Range(types.Position(0, 13), types.Position(0, 20))
    utf8 = convert.LineIndex(BODY, types.PositionEncodingKind.Utf8)
    assert utf8.range(*span).start == types.Position(0, len('subject: "🎁 '.encode()))
    assert index.from_client(types.Position(0, 13)) == (0, 12)


def test_byte_offsets_are_used_when_lines_are_not_known():
    text = "Subject: Un été\nFrom: a@b.example\n\nÉté GRATUIT\n"
    for encoding in ("utf-8", "latin-1"):
        data = text.encode(encoding)
        index = convert.LineIndex(text, data=lambda data=data: data, byte_encoding=encoding)
        start = data.index(b"GRATUIT")
        span = convert.location_span(Location("text/plain", offset=start, end_offset=start + 7), index)
        assert span == ((3, 4), (3, 11)), encoding


def test_unknown_ends_cover_the_word_tag_or_punctuation_and_no_line_is_the_document():
    index = convert.LineIndex(BODY)
    assert convert.location_span(Location("subject", 1, 13), index) == ((0, 12), (0, 19))   # GRATUIT
    assert convert.location_span(Location("subject", 1, 21), index) == ((0, 20), (0, 23))   # !!!
    line = BODY.split("\n")[1]
    tag = convert.location_span(Location("text/html", 2, line.index("<img") + 1), index)
    assert line[tag[0][1]:tag[1][1]] == '<img src="a.png">'
    rest = convert.location_span(Location("text/html", 2, line.index("   ") + 1), index)   # on spaces
    assert rest == ((1, line.index("   ")), (1, len(line)))
    assert convert.location_span(Location("text/html", 2, 0), index) == ((1, 0), (1, len(line)))  # no column
    assert convert.location_span(Location("headers"), index) is None


def test_every_span_gets_a_diagnostic_and_only_the_first_carries_the_fix():
    index = convert.LineIndex(BODY)
    finding = _finding(Location("text/html", 2, 29, end_line=2, end_column=35),
                       Location("subject", 1, 13, end_line=1, end_column=20))
    entries = convert._finding_entries("file:///t.html", 0, "", finding, None, index)
    first, second = [e.diagnostic for e in entries]
    assert first.range.start == types.Position(1, 28) and "fix: Say “offre”." in first.message
    assert "+0.47 points" in first.message
    assert second.range.start == types.Position(0, 13) and "place 2 of 2" in second.message
    assert "fix:" not in second.message
    assert second.related_information[0].location.range == first.range


def test_text_edit_is_minimal_and_counts_utf16():
    old = 'subject: "🎁 GRATUIT !!!"\nbody\n'
    new = 'subject: "🎁 Gratuit !"\nbody\n'
    edit = convert.text_edit(old, new, convert.LineIndex(old))
    assert edit.range == types.Range(types.Position(0, 14), types.Position(0, 23))
    assert apply_edits(old, [edit]) == new
