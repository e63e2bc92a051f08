"""`contentlint check` through the real pipeline: every option, exit codes, output a user sees."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contentlint.cli import app
from contentlint.config import clear_cache
from conftest import CLEAN_HTML, HOUSE_PACK, SPAMMY_HTML

ROOT = Path(__file__).resolve().parent.parent

SPAMMY, CLEAN = SPAMMY_HTML, CLEAN_HTML


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """Each test runs in its own folder, without CI variables or a config from the machine."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.chdir(tmp_path)
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def house(tmp_path) -> Path:
    path = tmp_path / "packs" / "house.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(HOUSE_PACK, encoding="utf-8")
    return path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(*args, input=None, env=None):
    return CliRunner().invoke(app, [str(a) for a in args], input=input, env=env, catch_exceptions=False)


def run_json(*args, **kw):
    result = run("check", "--format", "json", *args, **kw)
    return result, json.loads(result.stdout)


# -- exit codes and verdicts -------------------------------------------------------------------------

def test_clean_template_passes_with_exit_0(tmp_path):
    good = write(tmp_path / "good.html", CLEAN)
    result = run("check", good, "--subject", "Your March recipes", "--from", "Soup Club <hello@example.com>")
    assert result.exit_code == 0, result.stdout
    assert "pass" in result.stdout
    assert "1 message: 0 fail, 0 warn, 1 pass" in result.stdout


def test_spammy_template_fails_with_exit_1_and_shows_fixes(tmp_path):
    bad = write(tmp_path / "bad.html", SPAMMY)
    result = run("check", bad, "--subject", "WIN A PRIZE!!!")
    assert result.exit_code == 1
    out = result.stdout
    assert f"{bad}:2:" in out                        # path:line:col
    assert "excessive-punctuation" in out
    assert "fix:" in out
    assert "→ fail" in out
    assert "Traceback" not in out + result.stderr


def test_house_rules_levels_score_and_suggestions(tmp_path, house):
    msg = write(tmp_path / "t.txt", "Hello there,\nsay xyzzy and plugh today\nBye\n")
    result = run("check", msg, "--rules", house, "--select", "house")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == str(msg)
    assert f"  {msg}:2:5  error  house-xyzzy  “xyzzy” is forbidden here." in lines
    assert "      fix: Remove “xyzzy” from the text." in lines
    assert f"  {msg}:2:15  warning  house-plugh  “plugh” is discouraged." in lines
    assert "  score 9.5 → fail (warn ≥ 3, fail ≥ 5)" in lines


def test_fail_on_warn_and_max_score(tmp_path, house):
    msg = write(tmp_path / "t.txt", "Hello there,\nsay plugh today\n")
    base = ("check", msg, "--rules", house, "--select", "house")
    assert run(*base).exit_code == 0                      # warn (3.5) does not fail by default
    assert run(*base, "--fail-on", "fail").exit_code == 0
    assert run(*base, "--fail-on", "warn").exit_code == 1
    assert run(*base, "--max-score", "3").exit_code == 1  # 3.5 > 3
    assert run(*base, "--max-score", "4").exit_code == 0
    result = run(*base, "--max-score", "3")
    assert "above --max-score 3" in result.stdout


def test_usage_errors_exit_2(tmp_path):
    good = write(tmp_path / "good.html", CLEAN)
    assert run("check", good, "--format", "yaml").exit_code == 2
    assert run("check", good, "--no-such-option").exit_code == 2
    assert run("check").exit_code == 2
    assert run("check", good, "--kind", "newsletter").exit_code == 2
    assert run("check", good, "--fail-on", "never").exit_code == 2
    assert run("check", good, "--jobs", "-1").exit_code == 2
    result = run("check", good, "--lang", "english!")
    assert result.exit_code == 2 and "--lang" in result.stderr
    result = run("check", good, "--rules", tmp_path / "nope.yaml")
    assert result.exit_code == 2 and "nope.yaml" in result.stderr
    result = run("check", good, "--config", tmp_path / "nope.yaml")
    assert result.exit_code == 2 and "nope.yaml" in result.stderr


def test_unreadable_inputs_exit_2_but_others_are_checked(tmp_path):
    good = write(tmp_path / "good.html", CLEAN)
    png = tmp_path / "logo.html"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    result, doc = run_json(tmp_path / "missing.eml", png, good, "--subject", "March recipes")
    assert result.exit_code == 2
    assert [r["source"] for r in doc["results"]] == [str(good)]
    assert [e["source"] for e in doc["errors"]] == [str(tmp_path / "missing.eml"), str(png)]
    assert all(e["message"] for e in doc["errors"])
    text = run("check", tmp_path / "missing.eml", good)
    assert text.exit_code == 2
    assert f"{tmp_path / 'missing.eml'}: error: " in text.stderr
    assert str(good) in text.stdout
    assert "Traceback" not in text.stdout + text.stderr


def test_hostile_input_never_gives_a_traceback(tmp_path):
    nasty = tmp_path / "nasty.eml"
    nasty.write_bytes(b"Content-Type: multipart/mixed; boundary=x\r\nSubject: =?unknown-8?B?////?=\r\n\r\n"
                      b"--x\r\nContent-Transfer-Encoding: base64\r\nContent-Type: text/html; charset=nope\r\n\r\n"
                      b"PGgxPkhp" + b"<div>" * 5000 + b"\r\n")
    result = run("check", nasty, "--format", "json")
    assert result.exit_code in (0, 1, 2)
    assert "Traceback" not in result.stdout + result.stderr
    json.loads(result.stdout)


# -- inputs: several paths, folders, stdin --------------------------------------------------------------

def test_folder_and_stdin_in_input_order(tmp_path, house):
    folder = tmp_path / "templates"
    write(folder / "a.txt", "plugh\n")
    write(folder / "sub" / "b.txt", "xyzzy\n")
    write(folder / "notes.md", "xyzzy\n")  # not a mail file: skipped by the walk
    result, doc = run_json(folder, "-", "--rules", house, "--select", "house", input=b"hello xyzzy\n")
    assert [(r["source"], r["verdict"]) for r in doc["results"]] == [
        (str(folder / "a.txt"), "warn"), (str(folder / "sub" / "b.txt"), "fail"), ("-", "fail")]
    assert result.exit_code == 1


def test_mbox_messages_have_indexes(tmp_path, house):
    mbox = write(tmp_path / "archive.mbox", "".join(
        f"From sender@example.com Mon Mar  2 10:00:0{i} 2026\nFrom: a@example.com\nSubject: n{i}\n\n"
        f"{'xyzzy' if i == 1 else 'calm'} body {i}\n\n" for i in range(3)))
    result, doc = run_json(mbox, "--rules", house, "--select", "house")
    assert [(r["index"], r["subject"], r["verdict"]) for r in doc["results"]] == [
        (0, "n0", "pass"), (1, "n1", "fail"), (2, "n2", "pass")]
    text = run("check", mbox, "--rules", house, "--select", "house")
    assert f"{mbox}#1 — “n1”" in text.stdout


# -- output formats and --output ---------------------------------------------------------------------

def test_json_output_validates_against_the_schema(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "contentlint" / "schema" / "report-v1.schema.json").read_text())
    bad = write(tmp_path / "bad.html", SPAMMY)
    good = write(tmp_path / "good.html", CLEAN)
    result, doc = run_json(bad, good, tmp_path / "missing.html", "--subject", "Hello")
    jsonschema.validate(doc, schema)
    assert doc["version"] == "1" and doc["tool"]["name"] == "contentlint"
    first = doc["results"][0]
    assert first["source"] == str(bad) and first["verdict"] == "fail" and first["kind"] == "marketing"
    finding = next(f for f in first["findings"] if f["rule"] == "excessive-punctuation")
    assert finding["location"]["line"] == 2 and finding["suggestion"]
    assert doc["errors"][0]["source"] == str(tmp_path / "missing.html")
    assert doc["summary"] == {"messages": 2, "pass": doc["summary"]["pass"], "warn": doc["summary"]["warn"],
                              "fail": doc["summary"]["fail"], "failed": doc["summary"]["failed"], "errors": 1}
    assert result.exit_code == 2


def test_jsonl_streams_one_object_per_line(tmp_path, house):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "contentlint" / "schema" / "report-v1.schema.json").read_text())
    result_schema = {**schema["$defs"]["result"], "$defs": schema["$defs"]}
    write(tmp_path / "m" / "1.txt", "xyzzy\n")
    write(tmp_path / "m" / "2.txt", "calm\n")
    write(tmp_path / "m" / "3.txt", "")
    result = run("check", tmp_path / "m", "--format", "jsonl", "--rules", house, "--select", "house")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3
    jsonschema.validate(lines[0], result_schema)
    jsonschema.validate(lines[1], result_schema)
    assert lines[0]["verdict"] == "fail" and lines[1]["verdict"] == "pass"
    assert set(lines[2]) == {"error"} and lines[2]["error"]["source"].endswith("3.txt")
    assert result.exit_code == 2


def test_github_format_and_auto_selection(tmp_path, house, monkeypatch):
    msg = write(tmp_path / "t.txt", "Hello,\nsay xyzzy, and plugh\n")
    explicit = run("check", "t.txt", "--format", "github", "--rules", house, "--select", "house")
    lines = explicit.stdout.splitlines()
    assert "::error file=t.txt,line=2,col=5,endColumn=10,title=house-xyzzy::“xyzzy” is forbidden here.%0AFix: Remove “xyzzy” from the text." in lines
    assert any(line.startswith("::warning file=t.txt,line=2,col=") and "title=house-plugh" in line for line in lines)
    assert any(line.startswith("::error file=t.txt,title=contentlint::") and "score 9.5" in line for line in lines)
    auto = run("check", "t.txt", "--rules", house, "--select", "house", env={"GITHUB_ACTIONS": "true"})
    assert auto.stdout == explicit.stdout
    forced_text = run("check", "t.txt", "--format", "text", "--rules", house, "--select", "house",
                      env={"GITHUB_ACTIONS": "true"})
    assert "::error" not in forced_text.stdout and "house-xyzzy" in forced_text.stdout
    assert msg.exists()


def test_report_format_is_a_points_table(tmp_path, house):
    msg = write(tmp_path / "t.txt", "say xyzzy and plugh\n")
    result = run("check", msg, "--format", "report", "--rules", house, "--select", "house", "--subject", "Hi")
    out = result.stdout.splitlines()
    assert out[0] == f"Content analysis details: {msg} — “Hi”"
    assert any(line.startswith(" pts rule") and line.rstrip().endswith("description") for line in out)
    row = next(line for line in out if "house-xyzzy" in line)
    assert row.startswith(" 6.0 house-xyzzy") and row.endswith("“xyzzy” is forbidden here.")
    fix = out[out.index(row) + 1]
    assert fix.strip() == "fix: Remove “xyzzy” from the text."
    total = next(line for line in out if " total " in line)
    assert total.startswith(" 9.5 total") and "verdict fail" in total
    assert result.exit_code == 1


def test_output_file(tmp_path, house):
    msg = write(tmp_path / "t.txt", "say xyzzy\n")
    target = tmp_path / "out" / "report.json"
    target.parent.mkdir()
    result = run("check", msg, "--format", "json", "--output", target, "--rules", house, "--select", "house")
    assert result.exit_code == 1
    assert result.stdout == ""
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert doc["results"][0]["findings"][0]["rule"] == "house-xyzzy"
    bad_target = run("check", msg, "--output", tmp_path / "no" / "such" / "dir" / "x.txt")
    assert bad_target.exit_code == 2 and "--output" in bad_target.stderr


def test_quiet_only_prints_failing_messages(tmp_path, house):
    write(tmp_path / "d" / "a.txt", "calm\n")
    write(tmp_path / "d" / "b.txt", "xyzzy\n")
    loud = run("check", tmp_path / "d", "--rules", house, "--select", "house")
    quiet = run("check", tmp_path / "d", "--rules", house, "--select", "house", "--quiet")
    assert "a.txt" in loud.stdout and "2 messages" in loud.stdout
    assert "a.txt" not in quiet.stdout and "b.txt" in quiet.stdout
    assert "messages:" not in quiet.stdout
    assert quiet.exit_code == loud.exit_code == 1


def _run_on_tty(args, env_extra=None):
    """Run the real CLI with its stdout on a pseudo-terminal; return what it printed."""
    import pty

    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GITHUB_ACTIONS")}
    env.update(env_extra or {})
    proc = subprocess.Popen([sys.executable, "-m", "contentlint.cli", *map(str, args)], stdout=slave,
                            stderr=subprocess.PIPE, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


def test_colours_only_on_a_terminal_and_not_with_no_color(tmp_path, house):
    msg = write(tmp_path / "t.txt", "say xyzzy\n")
    args = ["check", msg, "--rules", house, "--select", "house"]
    assert "\x1b[" in _run_on_tty(args)
    assert "\x1b[" not in _run_on_tty([*args, "--no-color"])
    assert "\x1b[" not in _run_on_tty(args, {"NO_COLOR": "1"})
    assert "\x1b[" not in run(*args).stdout          # not a terminal
    assert "house-xyzzy" in _run_on_tty([*args, "--no-color"])


# -- rule selection, packs, kind, language, template fields ---------------------------------------------

def test_select_and_ignore_comma_separated_or_repeated(tmp_path, house):
    msg = write(tmp_path / "t.txt", "say xyzzy and plugh!!!\n")

    def rules(*extra):
        _, doc = run_json(msg, "--rules", house, *extra)
        return sorted(f["rule"] for f in doc["results"][0]["findings"])

    assert rules("--select", "house-xyzzy,house-plugh") == ["house-plugh", "house-xyzzy"]
    assert rules("--select", "house-xyzzy", "--select", "excessive-punctuation") == ["excessive-punctuation", "house-xyzzy"]
    assert rules("--select", "house", "--ignore", "house-plugh") == ["house-xyzzy"]
    everything = rules()
    assert {"house-plugh", "house-xyzzy", "excessive-punctuation"} <= set(everything)
    assert "excessive-punctuation" not in rules("--ignore", "excessive-punctuation,house-plugh")
    assert "house-plugh" not in rules("--ignore", "excessive-punctuation", "--ignore", "house-plugh")


def test_several_rule_packs(tmp_path, house):
    other = write(tmp_path / "packs2" / "more.yaml", HOUSE_PACK.replace("test-house", "test-more")
                  .replace("house-xyzzy", "more-frobozz").replace("xyzzy", "frobozz")
                  .replace("house-plugh", "more-zork").replace("plugh", "zork"))
    msg = write(tmp_path / "t.txt", "xyzzy frobozz\n")
    _, doc = run_json(msg, "--rules", house, "--rules", other, "--select", "house,more")
    assert sorted(f["rule"] for f in doc["results"][0]["findings"]) == ["house-xyzzy", "more-frobozz"]


def test_invalid_rule_pack_is_reported_as_file_line_rule(tmp_path):
    broken = write(tmp_path / "broken.yaml", "pack: broken\nversion: 1\ndescription: x\nrules:\n"
                   "  - id: bad-regex\n    title: t\n    description: d\n    category: content\n"
                   "    level: warning\n    weight: 1\n    type: regex\n    scope: [body]\n"
                   "    pattern: '(unclosed'\n    message: m\n    suggestion: s\n"
                   "    examples: {pass: [a], fail: [b]}\n")
    msg = write(tmp_path / "t.txt", "hello\n")
    result = run("check", msg, "--rules", broken)
    assert result.exit_code == 2
    line = result.stderr.strip().splitlines()[0]
    assert line.startswith(f"{broken}:") and ": bad-regex: " in line
    result, doc = run_json(msg, "--rules", broken)
    assert result.exit_code == 2 and doc["results"] == []
    assert doc["errors"][0]["source"] == str(broken) and doc["errors"][0]["rule"] == "bad-regex"


def test_kind_option(tmp_path):
    receipt = write(tmp_path / "receipt.html", "<html lang=\"en\"><body><p>Your order 1234 has shipped. "
                    "Track it from your account page.</p></body></html>")
    _, marketing = run_json(receipt, "--subject", "Your order has shipped")
    _, transactional = run_json(receipt, "--subject", "Your order has shipped", "--kind", "transactional")
    m_rules = {f["rule"] for f in marketing["results"][0]["findings"]}
    t_rules = {f["rule"] for f in transactional["results"][0]["findings"]}
    assert "missing-unsubscribe" in m_rules and "missing-unsubscribe" not in t_rules
    assert transactional["results"][0]["kind"] == "transactional"


def test_lang_subject_and_from_for_templates(tmp_path):
    tpl = write(tmp_path / "t.html", CLEAN)
    _, doc = run_json(tpl, "--lang", "fr", "--subject", "Vos recettes de mars", "--from", "noreply@example.com",
                      "--select", "noreply-sender")
    result = doc["results"][0]
    assert result["lang"] == "fr"
    assert result["subject"] == "Vos recettes de mars"
    assert [f["rule"] for f in result["findings"]] == ["noreply-sender"]
    _, without = run_json(tpl, "--from", "hello@example.com", "--select", "noreply-sender")
    assert without["results"][0]["findings"] == []
    assert without["results"][0]["lang"] == "en"


# -- configuration ------------------------------------------------------------------------------------

def test_config_found_from_the_checked_files_folder(tmp_path, house):
    write(tmp_path / "proj" / ".contentlint.yaml", f"rules: [{house}]\nselect: [house]\n")
    write(tmp_path / "proj" / "receipts" / ".contentlint.yaml",
          f"rules: [{house}]\nselect: [house]\nignore: [house-xyzzy]\n")
    write(tmp_path / "proj" / "news" / "a.txt", "xyzzy\n")
    write(tmp_path / "proj" / "receipts" / "b.txt", "xyzzy\n")
    _, doc = run_json(tmp_path / "proj")
    by_name = {Path(r["source"]).name: [f["rule"] for f in r["findings"]] for r in doc["results"]}
    assert by_name == {"a.txt": ["house-xyzzy"], "b.txt": []}


def test_pyproject_config_and_forced_config(tmp_path, house):
    write(tmp_path / "proj" / "pyproject.toml",
          f'[tool.contentlint]\nrules = ["{house}"]\nselect = ["house"]\nfail-on = "warn"\n')
    msg = write(tmp_path / "proj" / "t.txt", "plugh\n")
    assert run("check", msg).exit_code == 1                    # fail-on warn from pyproject
    forced = write(tmp_path / "elsewhere.yaml", f"rules: [{house}]\nselect: [house]\n")
    assert run("check", msg, "--config", forced).exit_code == 0
    assert run("check", msg, "--fail-on", "fail").exit_code == 0   # the option beats the file


def test_config_thresholds_overrides_per_file_ignores(tmp_path, house):
    write(tmp_path / "p" / ".contentlint.yaml", f"""
rules: [{house}]
select: [house]
thresholds: {{warn: 1, fail: 3}}
overrides:
  house-xyzzy: {{level: info, weight: 0.5}}
per-file-ignores:
  "legacy/*.txt": [house-plugh]
""")
    a = write(tmp_path / "p" / "a.txt", "plugh xyzzy\n")
    b = write(tmp_path / "p" / "legacy" / "b.txt", "plugh xyzzy\n")
    result, doc = run_json(a, b)
    ra, rb = doc["results"]
    assert {f["rule"]: (f["level"], f["weight"]) for f in ra["findings"]} == {
        "house-plugh": ("warning", 3.5), "house-xyzzy": ("info", 0.5)}
    assert ra["score"] == 4.0 and ra["verdict"] == "fail"       # fail threshold 3 from the file
    assert [f["rule"] for f in rb["findings"]] == ["house-xyzzy"]
    assert rb["verdict"] == "pass"
    assert result.exit_code == 1


def test_invalid_config_names_the_key_exit_2_and_other_folders_still_checked(tmp_path, house):
    write(tmp_path / "bad" / ".contentlint.yaml", "kind: marketing\nthreshold: {fail: 4}\n")
    write(tmp_path / "bad" / "x.txt", "hello\n")
    write(tmp_path / "ok" / ".contentlint.yaml", f"rules: [{house}]\nselect: [house]\n")
    ok = write(tmp_path / "ok" / "y.txt", "xyzzy\n")
    result = run("check", tmp_path / "bad", tmp_path / "ok")
    assert result.exit_code == 2
    assert f"{tmp_path / 'bad' / '.contentlint.yaml'}:2: threshold: unknown key" in result.stderr
    assert f"{ok}:1:1" in result.stdout
    _, doc = run_json(tmp_path / "bad", tmp_path / "ok")
    assert [r["source"] for r in doc["results"]] == [str(ok)]
    assert doc["errors"][0]["key"] == "threshold"


# -- --jobs ------------------------------------------------------------------------------------------

def test_jobs_gives_identical_output(tmp_path, house):
    folder = tmp_path / "many"
    for i in range(30):
        body = ["calm words", "xyzzy", "plugh", "plugh and xyzzy"][i % 4]
        write(folder / f"{i:03d}.txt", f"Hello {i},\n{body}\n")
    write(folder / "broken.txt", "")
    write(folder / "x.html", SPAMMY)
    args = (folder, "--rules", house, "--subject", "Hello")
    one = run("check", "--format", "json", *args)
    two = run("check", "--format", "json", "--jobs", "2", *args)
    assert one.exit_code == two.exit_code == 2
    assert one.stdout == two.stdout
    assert len(json.loads(two.stdout)["results"]) == 31
    auto = run("check", "--format", "jsonl", "--jobs", "0", *args)
    assert auto.stdout.splitlines() == run("check", "--format", "jsonl", *args).stdout.splitlines()


# -- subprocess: the installed entry point ----------------------------------------------------------

def test_real_process_stdin_and_exit_codes(tmp_path, house):
    cmd = [sys.executable, "-m", "contentlint.cli", "check", "-", "--rules", str(house), "--select", "house",
           "--format", "json"]
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    bad = subprocess.run(cmd, input=b"From: a@example.com\nSubject: hi\n\nxyzzy\n", capture_output=True, env=env,
                         cwd=tmp_path, timeout=120)
    assert bad.returncode == 1
    doc = json.loads(bad.stdout)
    assert doc["results"][0]["source"] == "-" and doc["results"][0]["input_format"] == "eml"
    good = subprocess.run(cmd, input=b"From: a@example.com\nSubject: hi\n\ncalm\n", capture_output=True, env=env,
                          cwd=tmp_path, timeout=120)
    assert good.returncode == 0
    empty = subprocess.run(cmd, input=b"", capture_output=True, env=env, cwd=tmp_path, timeout=120)
    assert empty.returncode == 2 and json.loads(empty.stdout)["errors"]
    assert b"Traceback" not in bad.stderr + good.stderr + empty.stderr


def test_skip_unknown_json(tmp_path):
    pkg = write(tmp_path / "package.json", '{"name": "templates", "version": "1.0.0"}')
    good = write(tmp_path / "good.html", CLEAN)
    strict = run("check", pkg, good, "--subject", "March recipes")
    assert strict.exit_code == 2 and "package.json" in strict.stderr
    lenient = run("check", pkg, good, "--subject", "March recipes", "--skip-unknown-json")
    assert lenient.exit_code == 0 and "package.json" not in lenient.stdout + lenient.stderr
    payload = write(tmp_path / "send.json", json.dumps({"Messages": [{
        "From": {"Email": "news@example.com"}, "To": [{"Email": "a@example.org"}],
        "Subject": "Amazing deals!!!", "TextPart": "Amazing deals!!! Come and see."}]}))
    _, doc = run_json(payload, "--skip-unknown-json", "--select", "excessive-punctuation")
    assert [f["rule"] for f in doc["results"][0]["findings"]] == ["excessive-punctuation"]
    assert run("check", pkg, good, "--skip-unknown-json", "--jobs", "2", "--subject", "Hi").exit_code == 0


def test_an_attachment_gmail_rejects_fails_even_a_transactional_message(tmp_path):
    eml = tmp_path / "invoice.eml"
    eml.write_text(
        "From: Shop <orders@shop.example.com>\nTo: ann@example.org\nSubject: Your invoice\nMessage-ID: <1@shop.example.com>\n"
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\n"
        "Hello Ann, your invoice is attached.\n--b\nContent-Type: application/zip\n"
        "Content-Disposition: attachment; filename=\"Invoice 2026.pdf.js\"\nContent-Transfer-Encoding: base64\n\nUEsDBA==\n--b--\n")
    res = CliRunner().invoke(app, ["check", str(eml), "--kind", "transactional", "--format", "json"])
    assert res.exit_code == 1, res.output
    (result,) = json.loads(res.stdout)["results"]
    assert result["verdict"] == "fail"
    (f,) = [f for f in result["findings"] if f["rule"] == "blocked-attachment"]
    assert f["level"] == "error" and "Invoice 2026.pdf.js" in f["message"] and f["suggestion"]
    eml.write_text(eml.read_text().replace("Invoice 2026.pdf.js", "Invoice 2026.pdf").replace("application/zip", "application/pdf"))
    res = CliRunner().invoke(app, ["check", str(eml), "--kind", "transactional", "--format", "json"])
    assert res.exit_code == 0, res.output
