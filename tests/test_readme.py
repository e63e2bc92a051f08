"""The README's promises: its two opening commands (the second is exactly what .ci/run runs) and its
library example, which is executed here as written."""
from __future__ import annotations

import re

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _opening_commands():
    return [line.strip() for line in README.split("---")[0].splitlines() if line.startswith("    ")]


def test_readme_opens_with_install_and_run_then_install_and_test():
    first, second = _opening_commands()[:2]
    assert "pip install" in first and "contentlint check examples/" in first
    assert "pip install" in second and "pytest" in second
    example = first.split("contentlint check ")[1].split()[0]
    assert (ROOT / example).is_file()


def test_ci_run_runs_exactly_the_readme_test_command():
    second = _opening_commands()[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert second in ci.splitlines()


def test_readme_library_example_runs():
    section = README.split("## Library", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    report = namespace["report"]
    assert report.verdict in ("pass", "warn", "fail")
    assert all(f.suggestion for f in report.findings)


def test_readme_sample_output_is_what_the_command_prints(monkeypatch):
    """The sample run shown at the top of the README is real output (lines elided with … aside)."""
    from typer.testing import CliRunner

    from contentlint.cli import app

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```\n\$ contentlint check (\S+)\n(.*?)```", readme, re.S)
    assert block, "no sample run in the README"
    monkeypatch.chdir(ROOT)
    printed = CliRunner().invoke(app, ["check", block.group(1), "--no-color"]).stdout.splitlines()
    shown = [line for line in block.group(2).splitlines() if line.strip() != "…"]
    assert len(shown) >= 5
    for line in shown:
        if line.endswith("…)."):       # a list shortened for the README
            assert any(p.startswith(line[:-3]) for p in printed), line
        else:
            assert line in printed, line
