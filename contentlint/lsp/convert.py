"""Findings as the editor sees them: ranges, diagnostics, hovers, edits.

Positions.  A finding's ``Location`` is 1-based (``line``/``column``, ``end_line``/``end_column``,
``end_column`` exclusive) and counts characters of the file line; LSP positions are 0-based lines and
code units of the negotiated position encoding (UTF-16 unless the client offers another), so a character
outside the Basic Multilingual Plane (an emoji) counts two.  Lines are split at ``\\n`` (a ``\\r`` before
it is part of the line ending), as contentlint counts them.  When only byte offsets are known they are
mapped through the bytes that were checked.  When the end is unknown the range covers the word (or tag,
or run of punctuation) at the start; a finding without a line (a missing header, a missing unsubscribe
link) is a document-level diagnostic on line 0.

Several places.  A rule counts once per message however often it matches, and ``Finding.spans`` lists
every place: each gets its own diagnostic (so each word is underlined), the first carrying the message,
its points and its fix, the others saying they are the same finding and pointing back to the first in
``relatedInformation``.

This module only builds ``lsprotocol`` objects; the server (``contentlint.lsp.server``) sends them.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Sequence

from lsprotocol import types

SOURCE = "contentlint"

_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}
_VERDICT_SEVERITY = {
    "fail": types.DiagnosticSeverity.Error,
    "warn": types.DiagnosticSeverity.Warning,
    "pass": types.DiagnosticSeverity.Information,
}

#: At most this many other places of a finding are listed in a diagnostic's related information.
RELATED_MAX = 10

_WORD = re.compile(r"\w+(?:[-'’.:/?#=&@+%~]+\w+)*")
_TAG = re.compile(r"<[^>\n]{0,300}>?")
_PUNCT = re.compile(r"[!?¡¿…]+|([^\w\s])\1*")   # "!!!", "?!?", "$$$": not the quote after them


# -- positions -----------------------------------------------------------------------------------------


def _units_counter(encoding: str) -> Callable[[str], int]:
    if encoding == types.PositionEncodingKind.Utf8:
        return lambda s: len(s.encode("utf-8", "surrogatepass"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len
    return lambda s: len(s) if s.isascii() else len(s.encode("utf-16-le", "surrogatepass")) // 2


class LineIndex:
    """The lines of one document text, and conversions between characters and client code units."""

    def __init__(self, text: str, encoding: str = types.PositionEncodingKind.Utf16,
                 data: Optional[Callable[[], bytes]] = None, byte_encoding: str = "utf-8"):
        self.text = text
        self.lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
        self._units = _units_counter(encoding)
        self._data_fn = data
        self._byte_encoding = byte_encoding
        self._data: Optional[bytes] = None
        self._newlines: Optional[list[int]] = None

    def line(self, n: int) -> str:
        return self.lines[n] if 0 <= n < len(self.lines) else ""

    def clamp(self, line: int, char: int) -> tuple[int, int]:
        """(line, character) moved inside the document."""
        if line >= len(self.lines):
            last = len(self.lines) - 1
            return last, len(self.lines[last])
        line = max(line, 0)
        return line, min(max(char, 0), len(self.lines[line]))

    def position(self, line: int, char: int) -> types.Position:
        """A (line, character) pair as an LSP position in client code units."""
        line, char = self.clamp(line, char)
        return types.Position(line=line, character=self._units(self.lines[line][:char]))

    def range(self, start: tuple[int, int], end: tuple[int, int]) -> types.Range:
        return types.Range(start=self.position(*start), end=self.position(*end))

    def from_client(self, position: types.Position) -> tuple[int, int]:
        """An LSP position (client code units) as (line, character)."""
        line = min(max(position.line, 0), len(self.lines) - 1)
        text = self.lines[line]
        if text.isascii() or self._units is len:
            return line, min(position.character, len(text))
        units = 0
        for i, ch in enumerate(text):
            if units >= position.character:
                return line, i
            units += self._units(ch)
        return line, len(text)

    def from_byte_offset(self, offset: int) -> Optional[tuple[int, int]]:
        """A byte offset of the checked bytes as (line, character)."""
        if self._data is None:
            if self._data_fn is None:
                return None
            self._data = self._data_fn()
            self._newlines = [m.start() for m in re.finditer(b"\n", self._data)]
        data, newlines = self._data, self._newlines
        if offset < 0 or offset > len(data):
            return None
        line = bisect.bisect_left(newlines, offset)
        start = newlines[line - 1] + 1 if line else 0
        return line, len(data[start:offset].decode(self._byte_encoding, "replace"))


def location_span(loc, index: LineIndex) -> Optional[tuple[tuple[int, int], tuple[int, int]]]:
    """((line, char), (line, char)) of a ``Location`` in the document, 0-based characters; None when
    the location has no place in the file (a document-level finding)."""
    if loc.line > 0:
        line = loc.line - 1
        text = index.line(line)
        if loc.column > 0:
            start = index.clamp(line, loc.column - 1)
        else:  # line known, column not: the line without its indentation
            start = index.clamp(line, len(text) - len(text.lstrip()))
            return start, index.clamp(line, len(text.rstrip()))
    elif loc.offset >= 0:
        found = index.from_byte_offset(loc.offset)
        if found is None:
            return None
        start = found
    else:
        return None
    end = None
    if loc.end_line > 0 and loc.end_column > 0:
        end = index.clamp(loc.end_line - 1, loc.end_column - 1)
    elif loc.end_offset > max(loc.offset, -1) and loc.offset >= 0:
        end = index.from_byte_offset(loc.end_offset)
    if end is None or end < start:
        end = _guess_end(loc, index, start)
    return start, end


def _guess_end(loc, index: LineIndex, start: tuple[int, int]) -> tuple[int, int]:
    """The end of a match whose end is unknown: the matched text when it is there as written, else the
    word, tag or punctuation at the start, else the rest of the line."""
    line, col = start
    text = index.line(line)
    if loc.match and text[col:col + len(loc.match)].lower() == loc.match.lower():
        return line, col + len(loc.match)
    ch = text[col:col + 1]
    if ch == "<":
        m = _TAG.match(text, col)
    elif ch and (ch.isalnum() or ch == "_"):
        m = _WORD.match(text, col)
    elif ch and not ch.isspace():
        m = _PUNCT.match(text, col)
    else:
        m = None
    if m is not None and m.end() > col:
        return line, m.end()
    return line, max(len(text.rstrip()), col)


# -- diagnostics ---------------------------------------------------------------------------------------


def points(finding) -> str:
    """How the finding weighs in the score, in words."""
    if finding.category == "compliance" and finding.level == "error":
        return "required: the message fails without it"
    if finding.weight > 0:
        return f"+{finding.weight:.2f} points"
    return "0 points"


def rule_href(doc) -> Optional[str]:
    """Where the rule is documented: its definition in its YAML pack (``contentlint rules show ID``
    prints the same), as a file URI with the line."""
    if doc is None or not getattr(doc, "file", ""):
        return None
    from pygls.uris import from_fs_path

    uri = from_fs_path(doc.file)
    if not uri:
        return None
    return f"{uri}#L{doc.line}" if doc.line else uri


@dataclass
class Entry:
    """One diagnostic and what it came from (hover and code actions look these up)."""

    diagnostic: types.Diagnostic
    span: Optional[tuple[tuple[int, int], tuple[int, int]]]   # None: document-level
    report: int
    finding: object = None


def finding_entries(uri: str, reports: Sequence, rules: dict, index: LineIndex) -> list[Entry]:
    """Diagnostics for every finding of every report, plus each report's score and verdict."""
    entries: list[Entry] = []
    several = len(reports) > 1
    for r, report in enumerate(reports):
        prefix = f"message #{report.index}: " if several else ""
        for finding in report.findings:
            entries.extend(_finding_entries(uri, r, prefix, finding, rules.get(finding.rule), index))
        entries.append(Entry(score_diagnostic(report, prefix, index), None, r))
    return entries


def _finding_entries(uri, r, prefix, finding, doc, index) -> list[Entry]:
    href = rule_href(doc)
    description = types.CodeDescription(href=href) if href else None
    spans = list(finding.spans) or [finding.location]
    placed: list[tuple] = []
    seen = set()
    for loc in spans:
        span = location_span(loc, index)
        key = span or ("document",)
        if key in seen:
            continue
        seen.add(key)
        placed.append(span)
    entries = []
    n = len(placed)
    for i, span in enumerate(placed):
        rng = index.range(*span) if span else index.range((0, 0), (0, 0))
        if i == 0:
            message = f"{prefix}{finding.message} ({points(finding)})"
            if finding.suggestion:
                message += f"\nfix: {finding.suggestion}"
        else:
            message = f"{prefix}{finding.message} (place {i + 1} of {n} of this finding, counted once)"
        related = []
        for j, other in enumerate(placed):
            if j == i or other is None or len(related) >= RELATED_MAX:
                continue
            what = "the finding" if j == 0 else f"place {j + 1} of {n}"
            related.append(types.DiagnosticRelatedInformation(
                location=types.Location(uri=uri, range=index.range(*other)), message=f"{finding.rule}: {what}"))
        diagnostic = types.Diagnostic(
            range=rng,
            message=message,
            severity=_SEVERITY.get(finding.level, types.DiagnosticSeverity.Warning),
            code=finding.rule,
            code_description=description,
            source=SOURCE,
            related_information=related or None,
            data={"rule": finding.rule, "report": r},
        )
        entries.append(Entry(diagnostic, span, r, finding))
    return entries


def score_diagnostic(report, prefix: str, index: LineIndex) -> types.Diagnostic:
    """The message's score and verdict, as a document-level diagnostic on line 0 (Error when the
    message fails, Warning when it warns, Information when it passes)."""
    th = report.thresholds
    extra = ", compliance error" if report.compliance_failure else ""
    n = len(report.findings)
    message = (f"{prefix}score {report.score:g} → {report.verdict} (warn ≥ {th.warn:g}, fail ≥ {th.fail:g}{extra}); "
               f"{n} finding{'s' if n != 1 else ''}")
    return types.Diagnostic(range=index.range((0, 0), (0, 0)), message=message,
                            severity=_VERDICT_SEVERITY.get(report.verdict, types.DiagnosticSeverity.Information),
                            source=SOURCE, data={"verdict": report.verdict, "score": report.score})


def document_diagnostic(message: str, index: LineIndex,
                        severity: types.DiagnosticSeverity = types.DiagnosticSeverity.Error) -> types.Diagnostic:
    """A problem with the whole document (unusable input, invalid configuration, too large)."""
    return types.Diagnostic(range=index.range((0, 0), (0, 0)), message=message, severity=severity, source=SOURCE)


# -- hover ---------------------------------------------------------------------------------------------


def hover_markdown(findings: Iterable, rules: dict) -> str:
    """The rule's title, the finding, why it matters and the fix, for each finding under the cursor."""
    blocks = []
    for finding in findings:
        doc = rules.get(finding.rule)
        title = doc.title if doc else finding.rule
        lines = [f"**{_md(title)}** — `{finding.rule}` ({finding.level}, {points(finding)})", "",
                 _md(finding.message)]
        if doc and doc.description:
            lines += ["", f"**Why it matters:** {_md(doc.description)}"]
        if finding.suggestion:
            lines += ["", f"**Fix:** {_md(finding.suggestion)}"]
        href = rule_href(doc)
        links = [f"[rule definition]({href})"] if href else []
        links += [f"[{_md(ref)}]({ref})" if ref.startswith(("http://", "https://")) else _md(ref)
                  for ref in (doc.references if doc else ())]
        if links:
            lines += ["", " · ".join(links)]
        blocks.append("\n".join(lines))
    return "\n\n---\n\n".join(blocks)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


# -- edits ---------------------------------------------------------------------------------------------


def text_edit(old: str, new: str, index: LineIndex) -> types.TextEdit:
    """The smallest single edit turning ``old`` (the text ``index`` holds) into ``new``."""
    limit = min(len(old), len(new))
    start = 0
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    return types.TextEdit(range=index.range(_line_char(old, start), _line_char(old, len(old) - end)),
                          new_text=new[start:len(new) - end])


def _line_char(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset)
    return line, offset - (text.rfind("\n", 0, offset) + 1)


def comment_syntax(content_type: str, label: str, esp: Optional[str]) -> Optional[tuple[str, str]]:
    """How a suppression directive is written where it goes (see ``contentlint.suppress``): an HTML
    comment in HTML and MJML, a YAML comment holding one in front matter, a template comment in
    plain text (Handlebars ``{{! }}`` for Handlebars and Postmark templates, else ``{# #}``)."""
    if label == "front-matter":
        return "# <!--", "-->"
    if content_type == "text/html":
        return "<!--", "-->"
    if content_type == "text/plain":
        return ("{{!", "}}") if esp in ("handlebars", "postmark") else ("{#", "#}")
    return None


def _part_at(parts, line: int):
    """The part stored as is in the file that holds 1-based file line ``line``."""
    for part in parts:
        if part.file_mapped and part.start_line > 0 and part.label != "headers" \
                and part.start_line <= line < part.start_line + part.line_count:
            return part
    return None


def _inside_tag(index: LineIndex, row: int) -> bool:
    """True when the start of line ``row`` lies inside an HTML tag (``<img`` on the line before)."""
    if row <= 0 or row >= len(index.lines):
        return False
    for text in reversed(index.lines[max(0, row - 50):row]):
        lt, gt = text.rfind("<"), text.rfind(">")
        if lt > gt:
            return True
        if gt >= 0:
            return False
    return False


def _indent(text: str) -> str:
    return text[:len(text) - len(text.lstrip(" \t"))]


def disable_line_edits(rule: str, line: int, result, index: LineIndex) -> Optional[list[types.TextEdit]]:
    """Edits that silence ``rule`` on 1-based file line ``line``: a disable directive on a line of its
    own before it and an enable directive after it.  None where no comment can go (a header of an
    ``.eml``, a quoted-printable part, a Send API payload)."""
    if result.input_format == "eml" and result.parts:
        parts = [p for p in result.parts if p.content_type == "text/html"]
    else:
        parts = result.parts
    part = _part_at(parts, line)
    if part is None:
        return None
    syntax = comment_syntax(part.content_type, part.label, result.esp)
    if syntax is None:
        return None
    opening, closing = syntax
    row = line - 1
    if part.content_type == "text/html" and part.label != "front-matter" and (
            _inside_tag(index, row) or _inside_tag(index, row + 1)):
        return None   # a comment cannot go inside a tag written over several lines
    indent = _indent(index.line(row))
    before = f"{indent}{opening} contentlint-disable {rule} {closing}\n"
    after = f"{indent}{opening} contentlint-enable {rule} {closing}\n"
    edits = [types.TextEdit(range=index.range((row, 0), (row, 0)), new_text=before)]
    if row + 1 < len(index.lines) and row + 1 < part.start_line - 1 + part.line_count:
        edits.append(types.TextEdit(range=index.range((row + 1, 0), (row + 1, 0)), new_text=after))
    return edits


def disable_file_edit(rule: str, result, index: LineIndex) -> Optional[types.TextEdit]:
    """An edit that silences ``rule`` in the whole document: a ``disable-file`` directive in the front
    matter (invisible to the recipient), else at the top of the HTML or text body (after a doctype)."""
    parts = [p for p in result.parts if p.file_mapped and p.start_line > 0 and p.label != "headers"]
    if result.input_format == "eml":
        parts = [p for p in parts if p.content_type == "text/html"]
    front = next((p for p in parts if p.label == "front-matter"), None)
    part = front or next((p for p in parts if comment_syntax(p.content_type, p.label, result.esp)), None)
    if part is None:
        return None
    opening, closing = comment_syntax(part.content_type, part.label, result.esp)
    row = part.start_line - 1
    first = index.line(row).strip().lower()
    if front is not None or first.startswith(("<!doctype", "<?xml")):
        row += 1   # after the opening "---" of front matter, or after the doctype
    text = f"{opening} contentlint-disable-file {rule} {closing}\n"
    if row >= len(index.lines):  # the part is the last line, without a newline
        end = (len(index.lines) - 1, len(index.lines[-1]))
        return types.TextEdit(range=index.range(end, end), new_text="\n" + text.rstrip("\n"))
    return types.TextEdit(range=index.range((row, 0), (row, 0)), new_text=text)
