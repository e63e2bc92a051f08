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


def sentence_case_subject(subject: str, ruleset) -> str:
    """The subject with its shouting words rewritten the way ``all-caps-subject`` suggests."""
    from .engine.builtins import _caps_words, _rewrite

    rule = ruleset.get("all-caps-subject")
    params = rule.checker.params
    _, shouting = _caps_words(subject, params["acronyms"], 1, 0.0)
    out = subject
    for tok in reversed(shouting):
        out = out[:tok.start] + _rewrite(subject, tok) + out[tok.end:]
    return out


def calm_punctuation(subject: str, ruleset) -> str:
    """The subject with the runs ``excessive-punctuation`` finds replaced by its own ``replacement``."""
    from .engine.kinds import RUN_TIMEOUT

    checker = ruleset.get("excessive-punctuation").checker
    for pattern in checker.patterns:
        subject = pattern.sub(lambda m: m.expand(checker.replacement or r"\1"), subject, timeout=RUN_TIMEOUT)
    return subject


def unpad_subject(subject: str, ruleset) -> str:
    """The subject without the padding and code ``subject-padding`` finds."""
    from .engine.kinds import RUN_TIMEOUT

    for pattern in ruleset.get("subject-padding").checker.patterns:
        subject = pattern.sub("", subject, timeout=RUN_TIMEOUT)
    return subject.rstrip()


def strip_invisible(subject: str) -> str:
    """The subject without the invisible characters ``obfuscated-text`` looks for."""
    from .engine.builtins import _INVISIBLE

    return re.sub("[" + _INVISIBLE + "]", "", subject)


def _new_subject(report, subject: Optional[str], ruleset) -> tuple[Optional[str], list[str]]:
    if not subject:
        return None, []
    rules = {f.rule for f in report.findings}
    applied = []
    new = subject
    if "obfuscated-text" in rules and strip_invisible(new) != new:
        new = strip_invisible(new)
        applied.append("obfuscated-text")
    if "subject-padding" in rules and unpad_subject(new, ruleset) != new:
        new = unpad_subject(new, ruleset)
        applied.append("subject-padding")
    if "all-caps-subject" in rules:
        new = sentence_case_subject(new, ruleset)
        applied.append("all-caps-subject")
    if "excessive-punctuation" in rules:
        calmer = calm_punctuation(new, ruleset)
        if calmer != new:
            new = calmer
            applied.append("excessive-punctuation")
    return (new if new != subject else None), applied


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
    if subject.isascii():
        return subject
    from email.header import Header

    return Header(subject, "utf-8", header_name="Subject").encode(linesep=linesep)


def fix_eml(data: bytes, report, ruleset) -> FixResult:
    end, nl = _header_block(data)
    headers, body = data[:end], data[end:]
    result = FixResult(data)
    new_subject, applied = _new_subject(report, report.subject, ruleset)
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


def fix_template(data: bytes, report, ruleset) -> FixResult:
    text = data.decode("utf-8", "surrogateescape")
    result = FixResult(data)
    new_subject, applied = _new_subject(report, report.subject, ruleset)
    if new_subject is None:
        return result
    fm = re.match(r"(?s)\A(---\r?\n)(.*?)(\r?\n---\r?\n)", text)
    done = False
    if fm:
        body = fm.group(2)
        line = re.search(r"(?m)^subject[ \t]*:.*$", body)
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


def fix_path(path: Path, linter) -> FixResult:
    data = path.read_bytes()
    reports = linter.check_bytes(data, source=str(path), hint_ext=path.suffix.lower())
    if len(reports) != 1:
        raise ValueError(f"{path}: holds {len(reports)} messages; fix works on one message or template at a time")
    report = reports[0]
    ruleset = linter.ruleset
    if report.input_kind == "eml":
        return fix_eml(data, report, ruleset)
    if report.input_kind in ("html", "text"):
        return fix_template(data, report, ruleset)
    raise ValueError(f"{path}: fix works on .eml messages and templates, not on {report.input_kind} input")


def default_output(path: Path) -> Path:
    return path.with_name(f"{path.stem}.fixed{path.suffix}")


def register(app) -> None:
    """Add ``contentlint fix`` to the typer app."""
    import typer

    @app.command("fix")
    def fix_cmd(
        path: Path = typer.Argument(..., help="A .eml message or a template."),
        output: Optional[Path] = typer.Option(None, "--output", "-o",
                                              help="Where to write the fixed copy (default: NAME.fixed.EXT)."),
        kind: str = typer.Option("marketing", "--kind", help="Mail kind the rules run as."),
    ):
        """Apply the mechanical fixes (subject case, punctuation, padding and invisible characters; one-click header) to a copy."""
        from .api import ContentlintInputError, Linter

        if not path.is_file():
            typer.echo(f"error: {path}: no such file", err=True)
            raise typer.Exit(2)
        try:
            result = fix_path(path, Linter(kind=kind))
        except (ValueError, OSError, ContentlintInputError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2)
        if not result.applied:
            typer.echo(f"{path}: nothing to fix mechanically (the other findings need a person: see `contentlint check`)")
            return
        out = output or default_output(path)
        if out.resolve() == path.resolve():
            typer.echo("error: the output must not be the input file (fix writes a copy)", err=True)
            raise typer.Exit(2)
        out.write_bytes(result.data)
        typer.echo(f"{path} → {out}: fixed {', '.join(result.applied)}")
