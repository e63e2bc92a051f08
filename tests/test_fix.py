"""`contentlint fix`: mechanical fixes written to a copy, never to the input."""
from __future__ import annotations

import shutil

from typer.testing import CliRunner

from contentlint import Linter
from contentlint.cli import app

from conftest import ROOT

runner = CliRunner()


def _rules(path):
    (report,) = Linter().check_path(path)
    return report, {f.rule for f in report.findings}


def test_fix_rewrites_a_shouting_subject_in_a_copy(tmp_path):
    src = tmp_path / "promo.eml"
    shutil.copy(ROOT / "examples" / "promo-fr.eml", src)
    before = src.read_bytes()
    result = runner.invoke(app, ["fix", str(src)])
    assert result.exit_code == 0, result.output
    out = tmp_path / "promo.fixed.eml"
    assert src.read_bytes() == before                          # the input is untouched
    report, rules = _rules(out)
    assert report.subject.startswith("Gratuit ! Votre cadeau vous attend")
    assert "!!!" not in report.subject
    assert "all-caps-subject" not in rules
    # only the header block changed: the body is copied byte for byte
    assert before.split(b"\n\n", 1)[1] == out.read_bytes().split(b"\n\n", 1)[1]


def test_fix_adds_the_one_click_header_when_list_unsubscribe_is_https(tmp_path):
    src = tmp_path / "news.eml"
    src.write_bytes(b"""From: News <news@example.com>
To: ann@example.org
Subject: Spring news
List-Unsubscribe: <https://example.com/u/123>, <mailto:u@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hello Ann, our spring news. Unsubscribe: https://example.com/u/123
""")
    assert "missing-one-click-unsubscribe" in _rules(src)[1]
    out = tmp_path / "out.eml"
    result = runner.invoke(app, ["fix", str(src), "--output", str(out)])
    assert result.exit_code == 0 and "missing-one-click-unsubscribe" in result.output
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\n" in out.read_bytes()
    assert "missing-one-click-unsubscribe" not in _rules(out)[1]


def test_fix_edits_a_templates_front_matter_subject(tmp_path):
    src = tmp_path / "t.html"
    src.write_text("---\nsubject: \"VENTE PRIVÉE : -50 % SUR TOUT !!!\"\nlang: fr\n---\n"
                   "<html><body><p>Bonjour, la vente privée commence.</p></body></html>\n", encoding="utf-8")
    result = runner.invoke(app, ["fix", str(src)])
    assert result.exit_code == 0, result.output
    report, rules = _rules(tmp_path / "t.fixed.html")
    assert report.subject == "Vente privée : -50 % sur tout !"
    assert not rules & {"all-caps-subject", "excessive-punctuation"}


def test_fix_with_nothing_mechanical_writes_nothing(tmp_path):
    src = tmp_path / "n.eml"
    shutil.copy(ROOT / "examples" / "newsletter-en.eml", src)
    result = runner.invoke(app, ["fix", str(src)])
    assert result.exit_code == 0 and "nothing to fix" in result.output
    assert not (tmp_path / "n.fixed.eml").exists()


def test_fix_refuses_payloads_with_several_messages(tmp_path):
    src = tmp_path / "p.json"
    shutil.copy(ROOT / "examples" / "mailjet-payload.json", src)
    result = runner.invoke(app, ["fix", str(src)])
    assert result.exit_code == 2


def test_fix_cuts_subject_padding_and_invisible_characters(tmp_path):
    src = tmp_path / "deal.eml"
    subject = "V\u2069e\u2069rify your s\u200baving\u200bs today                    QZRTX"
    src.write_bytes(("From: Deals <deals@shop.example.com>\nTo: ann@example.org\nSubject: =?utf-8?B?"
                     + __import__("base64").b64encode(subject.encode()).decode() + "?=\n"
                     "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
                     "Hello Ann, our deals. Unsubscribe: https://shop.example.com/u/1\n").encode())
    before_rules = _rules(src)[1]
    assert {"subject-padding", "obfuscated-text"} <= before_rules
    out = tmp_path / "fixed.eml"
    result = runner.invoke(app, ["fix", str(src), "--output", str(out)])
    assert result.exit_code == 0, result.output
    report, rules = _rules(out)
    assert report.subject == "Verify your savings today"
    assert not {"subject-padding", "obfuscated-text"} & rules
