"""The published pre-commit hook, run by the real `pre-commit` tool on a throwaway template repository.

The hook repository is a git copy of this working tree (committed in tmp_path, so uncommitted work is
what gets tested); pre-commit clones it and pip-installs contentlint into its own environment (network to
the package registry only), so this test takes a minute or so.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

GOOD = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Your March recipes</title></head>
<body>
<p>Hello {{ first_name }},</p>
<p>Here are the three soup recipes from our March workshop, with the shopping list you asked for.</p>
<p><a href="https://example.com/recipes/march">Read the recipes</a></p>
<p>You receive this because you joined the Soup Club. <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
</body>
</html>
"""
BAD = """<!DOCTYPE html>
<html lang="en">
<head><title>WIN A FREE PRIZE NOW!!!</title></head>
<body>
<p>CLICK HERE NOW TO CLAIM YOUR AMAZING PRIZE!!! You are a WINNER!!!</p>
<p>Act now: 100% free cash bonus, limited time only!!!</p>
</body>
</html>
"""


def test_hook_definition():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "contentlint")
    assert hook["entry"] == "contentlint check"
    assert hook["language"] == "python"
    import re

    pattern = re.compile(hook["files"])
    assert "--skip-unknown-json" in hook["args"]
    for name in ("a.eml", "b.html", "c.htm", "d.txt", "e.json", "dir/f.html"):
        assert pattern.search(name), name
    for name in ("g.yaml", "h.md", "i.html.bak"):
        assert not pattern.search(name), name


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def copy_working_tree(dest: Path) -> str:
    """A git repository holding this checkout's current files (tracked and new, not ignored)."""
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                             check=True, capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, listing):
        src = ROOT / rel
        if not src.is_file():
            continue  # deleted but still in the index
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "snapshot for the pre-commit test")
    return git(dest, "rev-parse", "HEAD").strip()


@pytest.mark.slow
def test_pre_commit_runs_the_hook(tmp_path):
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))
    if not Path(pre_commit).exists():
        pytest.skip("pre-commit is not installed")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")

    hook_repo = tmp_path / "contentlint-src"
    hook_repo.mkdir()
    rev = copy_working_tree(hook_repo)

    templates = tmp_path / "templates"
    templates.mkdir()
    git(templates, "init", "-q")
    (templates / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n      - id: contentlint\n")
    (templates / "march.html").write_text(GOOD)
    (templates / "README.md").write_text("not checked\n")
    (templates / "package.json").write_text('{"name": "templates", "private": true}\n')  # not a payload
    git(templates, "add", "-A")

    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "VIRTUAL_ENV", "PYTHONPATH")}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    env["PRE_COMMIT_COLOR"] = "never"

    def pre_commit_run():
        return subprocess.run([pre_commit, "run", "--all-files"], cwd=templates, env=env, capture_output=True,
                              text=True, timeout=1200)

    ok = pre_commit_run()
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "contentlint" in ok.stdout and "Passed" in ok.stdout

    (templates / "promo.html").write_text(BAD)
    git(templates, "add", "-A")
    bad = pre_commit_run()
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert "promo.html" in bad.stdout
    assert "march.html" not in bad.stdout          # --quiet: the passing file stays silent, only failures print
    assert "excessive-punctuation" in bad.stdout and "fix:" in bad.stdout
    assert "fail" in bad.stdout
