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
    assert result["input_kind"] == "eml"
    assert result["subject"] == "Our December letter"
    assert "dkim-missing" in rules_of(result)   # header rules apply


def test_stdin_email_with_fifty_thousand_recipients_is_an_email():
    data = _long_to(50_000) + HEAD + BODY
    assert len(data) > 1_000_000
    _, doc = run_json("-", input=data.encode())
    (result,) = doc["results"]
    assert (result["input_kind"], result["subject"]) == ("eml", "Our December letter")


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
