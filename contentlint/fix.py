"""``contentlint fix``: apply the fixes that are mechanical, to a copy.

Only what needs no judgement is changed, and never the input file itself:

* ``all-caps-subject`` — the subject is rewritten in sentence case (acronyms kept, as the rule decides);
* ``excessive-punctuation`` in the subject — ``!!!``/``???``/``$$$`` become one sign;
* ``subject-padding`` — the run of spaces and the tracking code after it are cut from the subject;
* ``obfuscated-text`` in the subject — its invisible characters are removed (look-alike letters are not
  guessed: they are reported, not rewritten);
* ``missing-one-click-unsubscribe`` — when the message already has a List-Unsubscribe header with an
  https URL, the ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` header is added (RFC 8058).

Works on single ``.eml`` messages (header edits only: the body is copied byte for byte) and on templates
whose subject lives in front matter or ``<title>``.
"""
from __future__ import annotations

import html as html_lib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

_HEADER_START = re.compile(rb"(?m)^([A-Za-z0-9-]+)[ \t]*:")


@dataclass
class FixResult:
    data: bytes
    applied: list[str] = field(default_factory=list)
    #: fixes not applied because they may be wrong (``--unsafe-fixes`` applies them): one line each
    suggestions: list[str] = field(default_factory=list)


#: Characters nobody sees, removed from the subject by every fix: zero-width spaces and joiners, the
#: soft hyphen, direction marks and isolates, variation selectors, invisible fillers, tag characters.
INVISIBLE = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
             "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001d173-\U0001d17a\U000e0000-\U000e0fff")
_INVISIBLE_RE = re.compile("[" + INVISIBLE + "]+")


def strip_invisible(subject: str) -> str:
    """The subject without any invisible character (the ones ``obfuscated-text`` looks for, and more)."""
    return _INVISIBLE_RE.sub("", subject)


def _linear(pattern):
    """The rule's pattern compiled by the standard library when it can be (its engine needs no timeout for
    the patterns the packs use), else the ``regex`` pattern itself."""
    try:
        return re.compile(pattern.pattern, re.IGNORECASE if pattern.flags & 2 else 0)
    except (re.error, AttributeError, TypeError):
        return None


def _sub(pattern, template: str, text: str) -> str:
    """``pattern.sub(template, text)``, each distinct match expanded once (a long run of ``Hi!!!`` has one)."""
    expanded: dict[str, str] = {}

    def expand(m) -> str:
        found = m.group()
        if found not in expanded:
            expanded[found] = m.expand(template)
        return expanded[found]

    std = _linear(pattern)
    if std is not None:
        return std.sub(expand, text)
    from .engine.checkers import RUN_TIMEOUT

    # a pattern only the regex module reads: a budget that grows with the text (1 s per MB)
    return pattern.sub(expand, text, timeout=max(RUN_TIMEOUT, len(text) / 1e6))


def calm_punctuation(subject: str, ruleset) -> str:
    """The subject with the runs ``excessive-punctuation`` finds replaced by its own ``replacement``."""
    checker = ruleset.get("excessive-punctuation").checker
    template = checker.replacement or r"\1"
    for pattern in checker.patterns:
        subject = _sub(pattern, template, subject)
    return subject


_PADDING = re.compile(r"[ \t\u00a0]{6,}(\S{1,40})[ \t]*\Z")


def unpad_subject(subject: str, ruleset=None) -> str:
    """The subject without the padding and code ``subject-padding`` finds (a run of six or more blanks
    then a short code at the very end).  Only the subject's tail is searched: linear in its length."""
    tail_start = max(0, len(subject.rstrip(" \t")) - 41)
    # widen to the whole blank run before the code
    while tail_start > 0 and subject[tail_start - 1] in " \t\u00a0":
        tail_start -= 1
    m = _PADDING.search(subject, tail_start)
    if m and m.start() > 0 and not subject[m.start() - 1].isspace():
        subject = subject[:m.start()]
    return subject.rstrip()


def sentence_case_subject(subject: str, ruleset, message=None, *, unsafe: bool = False):
    """``casing.Casing`` for the subject: shouting words in sentence case, names and acronyms kept."""
    from .casing import Evidence, add_entities, evidence_from, sentence_case
    from .placeholders import default_placeholders

    params = ruleset.get("all-caps-subject").checker.params
    acronyms = frozenset(a.upper() for a in params.get("acronyms", ()))
    evidence = evidence_from(message) if message is not None else Evidence()
    protected = [(p.start, p.end) for p in default_placeholders().find(subject)]
    casing = sentence_case(subject, evidence, acronyms, unsafe=unsafe, protected=protected)
    if casing.unsure and add_entities(evidence, message):   # words still undecided: ask the French NER, if installed
        casing = sentence_case(subject, evidence, acronyms, unsafe=unsafe, protected=protected)
    return casing


def _new_subject(report, subject: Optional[str], ruleset, message=None, unsafe: bool = False
                 ) -> tuple[Optional[str], list[str], list[str]]:
    """(new subject or None, fixes applied, fixes only suggested)."""
    if not subject:
        return None, [], []
    rules = {f.rule for f in report.findings}
    applied: list[str] = []
    suggested: list[str] = []
    new = subject
    if "subject-padding" in rules and unpad_subject(new, ruleset) != new:
        new = unpad_subject(new, ruleset)
        applied.append("subject-padding")
    if strip_invisible(new) != new:       # after the padding: what it leaves must be clean too
        new = strip_invisible(new)
        applied.append("obfuscated-text" if "obfuscated-text" in rules else "invisible-characters")
    if "all-caps-subject" in rules:
        casing = sentence_case_subject(new, ruleset, message, unsafe=unsafe)
        if casing.changed:
            applied.append("all-caps-subject")
            new = casing.text
        if casing.unsure:
            words = ", ".join(dict.fromkeys(casing.unsure))
            if unsafe:
                suggested.append(f"all-caps-subject: wrote {words} in small letters (--unsafe-fixes); "
                                 "check it is not a name or an acronym")
            else:
                guess = sentence_case_subject(new, ruleset, message, unsafe=True).text
                suggested.append(f"all-caps-subject: left {words} as written (a name or an acronym?); "
                                 f"if not, write “{guess}” (--unsafe-fixes does)")
    if "excessive-punctuation" in rules:
        calmer = calm_punctuation(new, ruleset)
        if calmer != new:
            new = calmer
            applied.append("excessive-punctuation")
    return (new if new != subject else None), applied, suggested


def _header_block(data: bytes) -> tuple[int, bytes]:
    """End offset of the header block and the line ending used."""
    m = re.search(rb"\r?\n\r?\n", data)
    end = m.start() + (2 if data[m.start():m.start() + 2] == b"\r\n" else 1) if m else len(data)
    nl = b"\r\n" if b"\r\n" in data[:end + 2] else b"\n"
    return end, nl


def _header_span(headers: bytes, name: str) -> Optional[tuple[int, int]]:
    """(start, end) of the first header ``name`` including its folded continuation lines."""
    for m in _HEADER_START.finditer(headers):
        if m.group(1).decode("ascii", "replace").lower() == name.lower():
            end = m.end()
            while True:
                nl = headers.find(b"\n", end)
                if nl == -1:
                    return m.start(), len(headers)
                if nl + 1 < len(headers) and headers[nl + 1:nl + 2] in (b" ", b"\t"):
                    end = nl + 1
                    continue
                return m.start(), nl + 1
    return None


def _encode_subject(subject: str, linesep: str = "\n") -> str:
    """The Subject value as it goes in the header block: RFC 2047 words for non-ASCII text, folded lines."""
    import base64

    fold = linesep + " "
    if subject.isascii() and all(32 <= ord(c) < 127 for c in subject):
        lines, start, n = [], 0, len(subject)
        while n - start > 68:                    # fold at the last space of each 68-character window
            cut = subject.rfind(" ", start + 1, start + 69)
            if cut <= start:
                cut = subject.find(" ", start + 69)   # a word longer than a line: fold after it
                if cut == -1:
                    break
            lines.append(subject[start:cut])
            start = cut + 1
        lines.append(subject[start:])
        return fold.join(lines)
    words, chunk, size = [], [], 0
    for c in subject:                             # RFC 2047 encoded words of at most 45 bytes of UTF-8
        n = len(c.encode("utf-8", "surrogatepass"))
        if size + n > 45:
            words.append("".join(chunk))
            chunk, size = [], 0
        chunk.append(c)
        size += n
    words.append("".join(chunk))
    return fold.join("=?utf-8?b?" + base64.b64encode(w.encode("utf-8", "surrogatepass")).decode("ascii") + "?="
                     for w in words)


def fix_eml(data: bytes, report, ruleset, message=None, unsafe: bool = False) -> FixResult:
    end, nl = _header_block(data)
    headers, body = data[:end], data[end:]
    result = FixResult(data)
    new_subject, applied, result.suggestions = _new_subject(report, report.subject, ruleset, message, unsafe)
    if new_subject is not None:
        span = _header_span(headers, "Subject")
        if span is not None:
            line = b"Subject: " + _encode_subject(new_subject, nl.decode()).encode("ascii") + nl
            headers = headers[:span[0]] + line + headers[span[1]:]
            result.applied += applied
    if any(f.rule == "missing-one-click-unsubscribe" for f in report.findings):
        span = _header_span(headers, "List-Unsubscribe")
        if span is not None and re.search(rb"<https://", headers[span[0]:span[1]], re.I):
            headers = headers[:span[1]] + b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" + nl + headers[span[1]:]
            result.applied.append("missing-one-click-unsubscribe")
    result.data = headers + body
    return result


#: ``subject:`` in front matter, with the indented lines of a folded or literal block after it.
_FM_SUBJECT = re.compile(r"(?m)^subject[ \t]*:.*(?:\n[ \t]+.*)*$")


def fix_template(data: bytes, report, ruleset, message=None, unsafe: bool = False) -> FixResult:
    text = data.decode("utf-8", "surrogateescape")
    result = FixResult(data)
    new_subject, applied, result.suggestions = _new_subject(report, report.subject, ruleset, message, unsafe)
    if new_subject is None:
        return result
    fm = re.match(r"(?s)\A(---\r?\n)(.*?)(\r?\n---\r?\n)", text)
    done = False
    if fm:
        body = fm.group(2)
        line = _FM_SUBJECT.search(body)
        if line:
            body = body[:line.start()] + "subject: " + json.dumps(new_subject, ensure_ascii=False) + body[line.end():]
            text = fm.group(1) + body + fm.group(3) + text[fm.end():]
            done = True
    if not done:
        title = re.search(r"(?is)(<title[^>]*>)(.*?)(</title>)", text)
        if title:
            text = text[:title.start(2)] + html_lib.escape(new_subject, quote=False) + text[title.end(2):]
            done = True
    if done:
        result.data = text.encode("utf-8", "surrogateescape")
        result.applied += applied
    return result


def fix_path(path: Path, linter, *, unsafe: bool = False) -> FixResult:
    from .readers import InputError, read_bytes

    data = path.read_bytes()
    items = list(read_bytes(data, source=str(path), options=linter.read_options, hint_ext=path.suffix.lower()))
    errors = [i for i in items if isinstance(i, InputError)]
    if errors:
        raise ValueError(str(errors[0]))
    if len(items) != 1:
        raise ValueError(f"{path}: holds {len(items)} messages; fix works on one message or template at a time")
    message = items[0]
    report = linter.check(message)
    ruleset = linter.ruleset
    if report.input_format == "eml":
        return fix_eml(data, report, ruleset, message, unsafe)
    if report.input_format in ("html", "text"):
        return fix_template(data, report, ruleset, message, unsafe)
    raise ValueError(f"{path}: fix works on .eml messages and templates, not on {report.input_format} input")


def default_output(path: Path) -> Path:
    return path.with_name(f"{path.stem}.fixed{path.suffix}")


def unified_diff(path: Path, before: bytes, after: bytes) -> str:
    """What the fix changes, as a unified diff of the file's lines (``--diff``)."""
    import difflib

    old = before.decode("utf-8", "replace").splitlines(keepends=True)
    new = after.decode("utf-8", "replace").splitlines(keepends=True)
    lines = difflib.unified_diff(old, new, fromfile=f"a/{path.name}", tofile=f"b/{path.name}")
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def register(app) -> None:
    """Add ``contentlint fix`` to the typer app."""
    import sys

    import typer

    @app.command("fix")
    def fix_cmd(
        path: Path = typer.Argument(..., help="A .eml message or a template."),
        output: Optional[str] = typer.Option(None, "--output", "-o", metavar="FILE",
                                             help="Where to write the fixed copy (default: NAME.fixed.EXT; - for "
                                                  "standard output)."),
        diff: bool = typer.Option(False, "--diff", help="Print what would change as a unified diff; write nothing."),
        unsafe_fixes: bool = typer.Option(False, "--unsafe-fixes",
                                          help="Also apply the fixes that may be wrong (a word in capitals that "
                                               "may be a name or an acronym is written in small letters)."),
        kind: str = typer.Option("marketing", "--kind", help="Mail kind the rules run as."),
    ):
        """Apply the mechanical fixes (subject case, punctuation, padding and invisible characters; one-click
        header) to a copy.  Fixes that may be wrong are only suggested unless --unsafe-fixes is given."""
        from .api import ContentlintInputError, Linter

        if not path.is_file():
            typer.echo(f"error: {path}: no such file", err=True)
            raise typer.Exit(2)
        try:
            result = fix_path(path, Linter(kind=kind), unsafe=unsafe_fixes)
        except (ValueError, OSError, ContentlintInputError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2)
        to_stdout = output == "-"
        notes = sys.stderr if (to_stdout or diff) else sys.stdout

        def note(text: str) -> None:
            notes.write(text + "\n")

        for line in result.suggestions:
            note(f"{path}: not applied: {line}")
        if not result.applied:
            note(f"{path}: nothing to fix mechanically (the other findings need a person: see `contentlint check`)")
            if to_stdout:
                sys.stdout.buffer.write(result.data)
            return
        if diff:
            sys.stdout.write(unified_diff(path, path.read_bytes(), result.data))
            note(f"{path}: would fix {', '.join(result.applied)} (--diff: nothing written)")
            return
        if to_stdout:
            sys.stdout.flush()
            sys.stdout.buffer.write(result.data)
            sys.stdout.flush()
            note(f"{path} → standard output: fixed {', '.join(result.applied)}")
            return
        out = Path(output) if output else default_output(path)
        if out.resolve() == path.resolve():
            typer.echo("error: the output must not be the input file (fix writes a copy)", err=True)
            raise typer.Exit(2)
        out.write_bytes(result.data)
        note(f"{path} → {out}: fixed {', '.join(result.applied)}")
