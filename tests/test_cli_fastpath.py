"""The `check` fast path (no typer/pydantic import) parses exactly like the typer command."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import contentlint.cli as cli

CASES = [
    ["a.html"],
    ["a.html", "-", "dir"],
    ["a.html", "--format", "JSON", "-o", "out.json", "--config", "c.yaml"],
    ["-f", "sarif", "a.html", "--rules", "p1.yaml", "--rules", "p2.yaml"],
    ["a.html", "--select", "a-b,c-d", "--select", "e", "--ignore", "x", "--ignore", "y,z"],
    ["a.html", "--kind", "transactional", "--lang", "fr", "--subject", "Hello -- world", "--from", "a@b.c"],
    ["a.html", "--fail-on", "warn", "--max-score", "4.5", "-q", "--no-color", "-j", "0"],
    ["a.html", "--jobs=3", "--format=report", "--subject=x=y"],
    ["a.html", "--dns", "--nameserver", "127.0.0.1:5353", "--timeout", "2", "--dkim-selector", "s1",
     "--dkim-selector", "s2,s3", "--zone", "z.zone"],
    ["--skip-unknown-json", "a.json", "--", "-odd-name.html"],
]


@pytest.mark.parametrize("args", CASES)
def test_fast_parser_matches_typer(args, monkeypatch):
    from typer.testing import CliRunner

    seen = {}

    def fake_run_check(paths, **kw):
        seen.update(kw, paths=paths)
        return 0

    monkeypatch.setattr(cli, "run_check", fake_run_check)
    result = CliRunner().invoke(cli.app, ["check", *args])
    assert result.exit_code == 0, result.output
    fast = cli._fast_parse(args)
    assert fast is not None
    assert {k: (list(v) if isinstance(v, tuple) else v) for k, v in fast.items()} == \
           {k: (list(v) if isinstance(v, tuple) else v) for k, v in seen.items()}


def test_every_typer_option_is_known_to_the_fast_parser():
    import typer.main

    command = typer.main.get_command(cli.app).commands["check"]
    names = {opt for param in command.params for opt in getattr(param, "opts", []) if opt.startswith("-")}
    names.discard("--help")
    names.discard("-h")
    assert names == set(cli.CHECK_OPTIONS)


@pytest.mark.parametrize("args", [
    [], ["--help"], ["a.html", "-h"], ["a.html", "--format", "yaml"], ["a.html", "--bogus"],
    ["a.html", "--jobs", "-1"], ["a.html", "--max-score", "lots"], ["a.html", "--quiet=yes"],
    ["a.html", "--subject"], ["a.html", "-qj2"],
])
def test_unusual_or_wrong_lines_go_to_typer(args):
    assert cli._fast_parse(args) is None


def test_one_file_check_imports_neither_typer_nor_heavy_modules(tmp_path):
    tpl = tmp_path / "t.html"
    tpl.write_text('<html lang="en"><body><p>Hello, our March news. '
                   '<a href="{{ unsubscribe_url }}">Unsubscribe</a></p></body></html>')
    modules = tmp_path / "modules.txt"
    script = ("import atexit, sys\n"
              f"atexit.register(lambda: open({str(modules)!r}, 'w').write('\\n'.join(sorted(sys.modules))))\n"
              "from contentlint.cli import main\n"
              f"main(['check', {str(tpl)!r}, '--subject', 'March news'])\n")
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    imported = set(modules.read_text().split())
    for heavy in ("typer", "pydantic", "click", "rich", "bs4", "spacy", "jsonschema", "dns.resolver"):
        assert heavy not in imported, heavy
    assert "contentlint.reporters.text" in imported
    assert "contentlint.reporters.sarif" not in imported


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_the_installed_command_ends_with_its_whole_report_and_exit_code(tmp_path, fmt):
    """The console script ends a check without the interpreter's teardown: what it printed, what it wrote
    with --output and its exit code are all there."""
    tpl = tmp_path / "t.html"
    tpl.write_text('<html lang="en"><body><p>FREE MONEY!!! CLICK HERE NOW TO WIN A PRIZE TODAY</p>'
                   '<p>Hello, our March news.</p></body></html>')
    entry = "import sys; sys.argv[0] = 'contentlint'; from contentlint.cli import entry; entry()"
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    shown = subprocess.run([sys.executable, "-c", entry, "check", str(tpl), "--format", fmt, "--no-color"],
                           capture_output=True, text=True, env=env, timeout=120)
    out = tmp_path / f"report.{fmt}"
    written = subprocess.run([sys.executable, "-c", entry, "check", str(tpl), "--format", fmt, "--output", str(out)],
                             capture_output=True, text=True, env=env, timeout=120)
    assert shown.returncode == written.returncode == 1, shown.stderr + written.stderr
    assert out.read_text(encoding="utf-8") == shown.stdout
    if fmt == "text":
        assert "all-caps-body" in shown.stdout and shown.stdout.rstrip().endswith("pass")
    else:
        json.loads(shown.stdout)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_report_that_cannot_be_written_is_an_error_not_a_traceback(tmp_path):
    """Standard output on a full disk: exit 2 with one clear message (the command's early exit included)."""
    tpl = tmp_path / "t.html"
    tpl.write_text('<html lang="en"><body><p>FREE MONEY!!! CLICK HERE NOW</p></body></html>')
    entry = "import sys; sys.argv[0] = 'contentlint'; from contentlint.cli import entry; entry()"
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-c", entry, "check", str(tpl), "--no-color"], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 2
    assert "the report could not be written" in proc.stderr and "Traceback" not in proc.stderr
