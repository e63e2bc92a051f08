"""docs/cli.md's sample outputs are what `contentlint check` prints on tests/data/docs-bad.html (named bad.html).

After a change of rules, weights or locations, rewrite them with:  python tests/test_docs_samples.py
"""
from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "cli.md"
FIXTURE = ROOT / "tests" / "data" / "docs-bad.html"
# (format, the doc's block: 4-space indented lines between these markers)
BLOCKS = (("text", "with `--subject`, a missing header) show the part instead: `path [subject]`.\n\n",
           "\nInput errors go to standard error"),
          ("report", "**report**. A SpamAssassin-style points table per message:\n\n",
           "\n(The total can differ"))


def real_output(fmt: str, folder: Path) -> str:
    from contentlint.cli import app

    shutil.copy(FIXTURE, folder / "bad.html")
    result = CliRunner().invoke(app, ["check", "bad.html", "--format", fmt, "--no-color"])
    assert result.exit_code in (0, 1), result.output
    return "".join(f"    {line}".rstrip() + "\n" for line in result.stdout.rstrip("\n").split("\n"))


def _block(text: str, start: str, end: str) -> tuple[int, int]:
    i = text.index(start) + len(start)
    return i, text.index(end, i)


def test_docs_samples_are_the_real_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    doc = DOC.read_text(encoding="utf-8")
    for fmt, start, end in BLOCKS:
        i, j = _block(doc, start, end)
        assert doc[i:j] == real_output(fmt, tmp_path), f"docs/cli.md {fmt} sample is stale: python {__file__}"


_LIBRARY_PRINT = re.compile(r"(print\(report\.score, report\.verdict\)\s+# )(\S+ \S+)")


def library_comment(doc: str) -> tuple[str, str]:
    """(what the library example's comment says it prints, what it prints)."""
    import contextlib
    import io

    code = re.search(r"```python\n(.*?)```", doc.split("## Library", 1)[1], re.S).group(1)
    first = code.split("print(report.score, report.verdict)")[0] + "print(report.score, report.verdict)\n"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(first, "docs/cli.md", "exec"), {})
    return _LIBRARY_PRINT.search(doc).group(2), out.getvalue().strip()


def test_docs_library_comment_is_what_it_prints():
    said, printed = library_comment(DOC.read_text(encoding="utf-8"))
    assert said == printed, f"docs/cli.md library example is stale: python {__file__}"


def rewrite() -> None:
    import os
    import tempfile

    doc = DOC.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        cwd = os.getcwd()
        os.chdir(folder)
        try:
            for fmt, start, end in BLOCKS:
                i, j = _block(doc, start, end)
                doc = doc[:i] + real_output(fmt, Path(folder)) + doc[j:]
        finally:
            os.chdir(cwd)
    printed = library_comment(doc)[1]
    doc = _LIBRARY_PRINT.sub(lambda m: m.group(1) + printed, doc, count=1)
    DOC.write_text(doc, encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    rewrite()
