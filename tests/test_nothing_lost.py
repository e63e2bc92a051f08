"""Issue 12, "nothing lost, nothing misread": inputs that were read as another kind, lost headers, messages or
findings, or crashed, each as a user meets it (the CLI on a file, standard input, the Linter)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contentlint.cli import app

ROOT = Path(__file__).resolve().parent.parent

HEAD = ("From: News <news@example.com>\nSubject: Our December letter\nDate: Tue, 01 Dec 2026 09:00:00 +0000\n"
        "Message-ID: <dec@example.com>\n")
BODY = "\nHello,\nthe December letter is out.\nUnsubscribe: https://example.com/unsubscribe?u=1\n"


def run(*args, input=None):
    return CliRunner().invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)


def run_json(*args, input=None):
    result = run("check", "--format", "json", *args, input=input)
    return result, json.loads(result.stdout)


def rules_of(result: dict) -> set[str]:
    return {f["rule"] for f in result["findings"]}


def finding(result: dict, rule: str) -> dict:
    (f,) = [f for f in result["findings"] if f["rule"] == rule]
    return f


# -- sniffing by the structure of the header block ---------------------------------------------------
def _long_to(n: int) -> str:
    return "To: " + ", ".join(f"reader{i}@example.org" for i in range(n)) + "\n"


def test_eml_whose_first_header_is_longer_than_any_window_is_an_email(tmp_path):
    path = tmp_path / "announce.eml"
    path.write_text(_long_to(1000) + HEAD + "Content-Type: text/html\n\n<p>Hello, our letter.</p>\n",
                    encoding="utf-8")
    _, doc = run_json(path)
    (result,) = doc["results"]
    assert result["input_format"] == "eml"
    assert result["subject"] == "Our December letter"
    assert "dkim-missing" in rules_of(result)   # header rules apply


def test_stdin_email_with_fifty_thousand_recipients_is_an_email():
    data = _long_to(50_000) + HEAD + BODY
    assert len(data) > 1_000_000
    _, doc = run_json("-", input=data.encode())
    (result,) = doc["results"]
    assert (result["input_format"], result["subject"]) == ("eml", "Our December letter")


# -- header limits ----------------------------------------------------------------------------------
def test_headers_after_a_subject_folded_over_ten_thousand_lines_are_read(tmp_path):
    folded = "Subject: Our letter\n" + " and more\n" * 10_000
    path = tmp_path / "folded.eml"
    path.write_text("From: News <news@example.com>\nTo: reader@example.org\n" + folded
                    + "List-Unsubscribe: <https://example.com/u?x=1>, <mailto:u@example.com>\n"
                    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
                    "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s1; h=from; bh=x; b=y\n" + BODY,
                    encoding="utf-8")
    _, doc = run_json(path)
    (result,) = doc["results"]
    rules = rules_of(result)
    assert not rules & {"dkim-missing", "missing-list-unsubscribe", "missing-one-click-unsubscribe"}
    problem = finding(result, "input-problem")
    assert "header-limit" in problem["message"] and "folded over 10,001 lines" in problem["message"]
    assert problem["location"]["line"] == 3
    assert "missing-unsubscribe" not in rules   # the body (its unsubscribe URL) was read as the body


def test_more_header_fields_than_the_limit_is_said(tmp_path):
    path = tmp_path / "many.eml"
    path.write_text(HEAD + "".join(f"X-Trace-{i}: {i}\n" for i in range(5100)) + BODY, encoding="utf-8")
    _, doc = run_json(path)
    (result,) = doc["results"]
    problem = finding(result, "input-problem")
    assert "5,104 header fields" in problem["message"] and "the last 104 were not read" in problem["message"]
    assert result["subject"] == "Our December letter"


# -- file names that are not UTF-8, in every format -------------------------------------------------
CLI = [sys.executable, "-m", "contentlint.cli"]


def _cli(*args, cwd, stdin=None, input=None):
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run([*CLI, *args], cwd=cwd, env=env, stdin=stdin, input=input, capture_output=True,
                          timeout=120)


@pytest.fixture
def bad_name(tmp_path):
    name = b"bad\xff\xfe.eml"
    try:
        with open(os.path.join(os.fsencode(tmp_path), name), "wb") as fh:
            fh.write((HEAD + "To: reader@example.org\n" + BODY).encode())
    except (OSError, UnicodeEncodeError):  # a file system that refuses the name
        pytest.skip("this file system does not take non-UTF-8 names")
    return os.fsdecode(name)


def test_sarif_percent_encodes_a_name_that_is_not_utf8(tmp_path, bad_name):
    proc = _cli("check", "--format", "sarif", bad_name, cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr.decode(errors="replace")
    doc = json.loads(proc.stdout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
    assert uris == {"bad%FF%FE.eml"}


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_keeps_a_name_that_is_not_utf8_losslessly(tmp_path, bad_name, fmt):
    proc = _cli("check", "--format", fmt, bad_name, cwd=tmp_path)
    assert proc.returncode in (0, 1)
    first = json.loads(proc.stdout.splitlines()[0] if fmt == "jsonl" else proc.stdout)
    source = first["source"] if fmt == "jsonl" else first["results"][0]["source"]
    assert os.fsencode(source) == b"bad\xff\xfe.eml"
    assert b"\\udcff\\udcfe" in proc.stdout


@pytest.mark.parametrize("fmt", ["text", "github", "report"])
def test_text_formats_show_the_bytes_of_a_name_that_is_not_utf8(tmp_path, bad_name, fmt):
    proc = _cli("check", "--format", fmt, bad_name, cwd=tmp_path)
    assert proc.returncode in (0, 1)
    assert b"bad\\xff\\xfe.eml" in proc.stdout
    assert b"bad??" not in proc.stdout and b"\xef\xbf\xbd" not in proc.stdout


def test_an_unreadable_input_with_such_a_name_is_reported_in_sarif(tmp_path):
    name = b"gone\xff.eml"
    proc = _cli("check", "--format", "sarif", os.fsdecode(name), cwd=tmp_path)
    assert proc.returncode == 2
    doc = json.loads(proc.stdout)
    (note,) = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "gone%FF.eml"


# -- standard input closed ----------------------------------------------------------------------------
def test_check_stdin_when_standard_input_is_closed(tmp_path):
    proc = subprocess.run([*CLI, "check", "-"], cwd=tmp_path, stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=120, preexec_fn=lambda: os.close(0))
    assert proc.returncode == 2
    assert b"standard input is closed" in proc.stderr
    assert b"internal error" not in proc.stderr and b"Traceback" not in proc.stderr


# -- huge matches are cut, with their length, in every format ------------------------------------------
@pytest.mark.parametrize("fmt", ["json", "jsonl", "sarif", "text", "github", "report"])
def test_a_long_run_of_bangs_is_cut_in_every_format(tmp_path, fmt):
    path = tmp_path / "bang.eml"
    path.write_text(HEAD + "To: reader@example.org\n\nHello\n" + "!" * 1_600_000 + "\n", encoding="utf-8")
    proc = _cli("check", "--format", fmt, "bang.eml", cwd=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr[-500:]
    assert len(proc.stdout) < 60_000, len(proc.stdout)
    assert b" characters" in proc.stdout and (b"1,600,000" in proc.stdout or b"1,599," in proc.stdout)
    if fmt == "json":
        (f,) = [f for f in json.loads(proc.stdout)["results"][0]["findings"] if f["rule"] == "excessive-punctuation"]
        assert f["matches"][0].endswith("…(1,600,000 characters)")
        assert "characters cut)…" in f["message"] and f["message"].endswith("” is excessive punctuation.")


# -- Mailjet TemplateID -------------------------------------------------------------------------------
@pytest.mark.parametrize("value, says", [
    ("1e308", "1e+308 is out of range (expected a positive integer up to 9223372036854775807)"),
    ("NaN", "NaN is not a template id (expected a positive integer)"),
    ("12.5", "12.5 is not an integer"),
    ("-3", "-3 is out of range"),
    ("4.0", "4.0 is written as a decimal number; write the integer 4"),
])
def test_mailjet_template_id_says_what_is_wrong(tmp_path, value, says):
    path = tmp_path / "send.json"
    path.write_text('{"Messages": [{"From": {"Email": "news@example.com"}, "To": [{"Email": "r@example.org"}],'
                    f' "TemplateID": {value}}}, {{"From": {{"Email": "news@example.com"}},'
                    ' "To": [{"Email": "r@example.org"}], "Subject": "Hi", "TextPart": "Hello"}]}', encoding="utf-8")
    result, doc = run_json(path)
    assert result.exit_code == 2
    (error,) = doc["errors"]
    assert error["message"].startswith(f"Messages[0].TemplateID: {says}")
    assert "got a number" not in error["message"]
    assert [r["index"] for r in doc["results"]] == [1]


# -- a charset Python calls "undefined" -------------------------------------------------------------
UNDEFINED = ("From: News <news@example.com>\nTo: reader@example.org\nSubject: =?undefined?Q?Caf=E9_news?=\n"
             "MIME-Version: 1.0\nContent-Type: text/plain; charset=undefined\nContent-Transfer-Encoding: 8bit\n\n"
             "Caf\xe9 news of the week.\n")


def test_eml_with_undefined_charset_header_and_part_is_checked(tmp_path):
    path = tmp_path / "undefined.eml"
    path.write_bytes(UNDEFINED.encode("latin-1"))
    result, doc = run_json(path)
    assert not doc["errors"], doc["errors"]
    (res,) = doc["results"]
    assert res["subject"] == "Café news"
    charset = finding(res, "unknown-charset")
    assert 'unknown charset "undefined"' in charset["message"]
    assert 'unknown charset "undefined"' in finding(res, "malformed-mime")["message"]


def test_mbox_with_one_undefined_charset_message_checks_all_of_them(tmp_path):
    good = HEAD + "To: reader@example.org\n" + BODY
    box = tmp_path / "mixed.mbox"
    box.write_bytes(("From news@example.com\n" + good + "\nFrom news@example.com\n" + UNDEFINED
                     + "\nFrom news@example.com\n" + good).encode("latin-1"))
    result, doc = run_json(box)
    assert not doc["errors"], doc["errors"]
    assert [r["index"] for r in doc["results"]] == [0, 1, 2]
    assert "unknown-charset" in rules_of(doc["results"][1])
    assert "unknown-charset" not in rules_of(doc["results"][0]) | rules_of(doc["results"][2])


# -- time budgets: per rule and message, and a timeout is a finding on that message ----------------------
SLOW_HEADER_PACK = r"""pack: test-relays
version: 1
description: A house header rule whose pattern is linear but slow.
rules:
  - id: house-evil-relay
    title: Mail relayed by the evil relay
    description: Our relays must never hand mail to relay.evil.example.
    category: sender
    level: warning
    weight: 2.0
    type: header
    header: Received
    condition: matches
    pattern: '(?=.{0,300}?relay\.evil\.example)'
    message: "The message went through relay.evil.example."
    suggestion: "Send through our own relays."
    examples:
      pass: [{headers: {Received: "from mx.example.net by mail.example.com"}, text: "Hello."}]
      fail: [{headers: {Received: "from relay.evil.example by mail.example.com"}, text: "Hello."}]
"""
RECEIVED = ("Received: from mx{i}.relay.example.net (mx{i}.relay.example.net [192.0.2.{j}]) (using TLSv1.3 with "
            "cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) "
            "server-digest SHA256) (No client certificate requested) by mail.example.com (Postfix) with ESMTPS id "
            "4Abc{i} for <reader@example.org>; Tue, 01 Dec 2026 09:00:00 +0000\n")


def test_a_header_rule_budget_is_per_rule_and_message(tmp_path):
    pack = tmp_path / "relays.yaml"
    pack.write_text(SLOW_HEADER_PACK, encoding="utf-8")
    path = tmp_path / "hops.eml"
    path.write_text("".join(RECEIVED.format(i=i, j=i % 250) for i in range(4000)) + HEAD
                    + "To: reader@example.org\n" + BODY, encoding="utf-8")
    _, doc = run_json(path, "--rules", pack, "--select", "house-evil-relay")
    (result,) = doc["results"]
    timeout = finding(result, "house-evil-relay")
    assert timeout["message"].startswith("Rule house-evil-relay timed out on this message")
    assert timeout["level"] == "info" and timeout["weight"] == 0.0
    text = run("check", path, "--rules", pack, "--select", "house-evil-relay").stdout
    assert "house-evil-relay  Rule house-evil-relay timed out on this message" in text


def test_large_money_amounts_on_a_three_megabyte_body_is_never_silently_skipped(tmp_path):
    # the pattern is linear (about 160 ns a character, measured), so on 3 MB it may outrun its budget: then the
    # timeout is a finding on the message, in JSON and in text, never a silent pass
    path = tmp_path / "statement.eml"
    path.write_text(HEAD + "To: reader@example.org\n\n" + "1 2 3 lorem ipsum dolor sit amet, 12 items at 3.50 each\n"
                    * 55_000 + "Transfer $12,500,000 to claim your share.\n", encoding="utf-8")
    _, doc = run_json(path, "--select", "large-money-amounts")
    (f,) = doc["results"][0]["findings"]
    assert f["message"] == "The message mentions a large sum of money: $12,500,000." or \
        f["message"].startswith("Rule large-money-amounts timed out on this message")
    text = run("check", path, "--select", "large-money-amounts").stdout
    assert "large-money-amounts" in text
