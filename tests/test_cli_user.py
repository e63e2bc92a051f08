"""The command line as a ruff or Vale user meets it (issue 16): configuration errors, suppression ranges,
`rules test`, skipped files, attachments, --statistics, --exit-zero, Mailjet language, the init sample."""
from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from typer.testing import CliRunner

from contentlint import Linter
from contentlint.cli import app
from contentlint.config import KEYS, clear_cache, load_config
from contentlint.selection import is_selected

runner = CliRunner()
NEWS = """<html lang="en"><body><p>Hello {{ first_name }}, here are our March recipes.</p>
<p><a href="https://example.com/recipes">Read them</a> · <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
</body></html>
"""


def run(*args, cwd=None):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_every_line_of_the_init_sample_uncommented_is_valid(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("init").exit_code == 0
    lines, inside = [], False
    for line in (tmp_path / ".contentlint.yaml").read_text().splitlines():
        body = line[2:] if line.startswith("# ") else None
        if body is not None and (body.split(":")[0] in KEYS or (inside and body.startswith("  "))):
            lines.append(body)               # a commented-out setting (or its indented continuation)
            inside = True
        else:
            lines.append(line)
            inside = body is None and bool(line.strip()) and not line.startswith("#")
    (tmp_path / ".contentlint.yaml").write_text("\n".join(lines) + "\n")
    assert "overrides:\n  all-caps-body:" in "\n".join(lines)
    (tmp_path / "rules").mkdir()      # the one line that names a file of the user's: make it exist
    (tmp_path / "rules" / "house-style.yaml").write_text("pack: house\nversion: 1\ndescription: x\nrules: []\n")
    (tmp_path / "templates").mkdir()  # and the folder template-root names
    Linter(load_config(str(tmp_path / ".contentlint.yaml")))         # loads: no ConfigError, no PackError
    (tmp_path / "n.html").write_text(NEWS)
    result = run("check", "n.html", "--subject", "Our March recipes")
    assert result.exit_code != 2, result.output


def test_unknown_rule_ids_in_the_config_name_file_line_and_the_closest_id(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".contentlint.yaml").write_text(
        "kind: marketing\ndisable:\n  - risky-\n  - subjet-too-long\noverrides:\n  all-caps-words: {level: info}\n")
    (tmp_path / "n.html").write_text(NEWS)
    result = run("check", "n.html")
    assert result.exit_code == 2
    cfg = str(tmp_path / ".contentlint.yaml")
    assert f"{cfg}:4: disable: unknown rule id 'subjet-too-long'" in result.stderr
    assert "did you mean 'subject-too-long'" in result.stderr
    assert f"{cfg}:6: overrides.all-caps-words: unknown rule id 'all-caps-words'" in result.stderr   # both reported
    assert "risky-" not in result.stderr                      # a prefix is valid in `disable`, as in --ignore


def test_disable_with_a_prefix_does_what_ignore_does(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.html").write_text("<p>Win a free prize today. " + NEWS[NEWS.index("<p><a"):])
    (tmp_path / ".contentlint.yaml").write_text("disable: [risky-]\n")
    clear_cache()
    via_config = run("check", "p.html", "-f", "json", "--subject", "Hi")
    assert via_config.exit_code != 2, via_config.output
    rules = {f["rule"] for r in json.loads(via_config.stdout)["results"] for f in r["findings"]}
    assert not any(r.startswith("risky-") for r in rules)
    assert is_selected("risky-prize-terms", ("risky-",), ("risky-prize-terms",)) is False
    assert is_selected("risky-money-terms", ("risky-",), ("risky-prize-terms",)) is True
    assert is_selected("risky-prize-terms", ("risky-prize-terms",), ("risky-",)) is True


def test_pyproject_errors_carry_the_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.contentlint]\nkind = "marketing"\n'
                                             'ignore = ["subject-too-long", "risky-prise-terms"]\n')
    (tmp_path / "n.html").write_text(NEWS)
    result = run("check", "n.html")
    assert result.exit_code == 2
    assert f"{tmp_path / 'pyproject.toml'}:6: ignore: unknown rule id 'risky-prise-terms'" in result.stderr
    (tmp_path / "pyproject.toml").write_text('[tool.contentlint]\nkind = "marketing"\nfail-on = warn\n')
    clear_cache()
    result = run("check", "n.html")
    assert result.exit_code == 2 and f"{tmp_path / 'pyproject.toml'}:3: invalid TOML" in result.stderr


def test_a_pack_with_several_errors_reports_them_all(tmp_path):
    pack = tmp_path / "house.yaml"
    pack.write_text("""pack: house
version: 1
description: House rules.
rules:
  - id: house-one
    title: One
    description: d
    category: content
    level: fatal
    weight: 1
    type: words
    words: {en: [synergy]}
    message: m
    suggestion: s
  - id: house-two
    title: Two
    description: d
    category: nonsense
    level: warning
    weight: 1
    type: words
    words: {en: [leverage]}
    message: m
    suggestion: s
""")
    (tmp_path / "n.html").write_text(NEWS)
    result = run("check", tmp_path / "n.html", "--rules", pack)
    assert result.exit_code == 2
    assert "house-one: bad level 'fatal'" in result.stderr and "house-two: bad category 'nonsense'" in result.stderr


def test_a_disable_range_hides_only_the_matches_inside_it():
    from contentlint.findings import Finding
    from contentlint.model import Location, Message, Part
    from contentlint.suppress import apply

    html = ("<p>line one</p>\n<!-- contentlint-disable risky-prize-terms -->\n<p>a prize</p>\n"
            "<!-- contentlint-enable risky-prize-terms -->\n<p>another prize</p>\n")
    msg = Message(source="t.html", input_format="html", html=html,
                  parts=[Part("text/html", "text/html", text=html, start_line=1, file_mapped=True)])
    inside, after = Location("text/html", 3, 6), Location("text/html", 5, 12)
    f = Finding("risky-prize-terms", "content", "warning", 1.0, "m", "s", location=inside, spans=(inside, after))
    (kept,) = apply([f], msg)
    assert kept.location == after and kept.spans == (after,)
    only_inside = Finding("risky-prize-terms", "content", "warning", 1.0, "m", "s", location=inside, spans=(inside,))
    assert apply([only_inside], msg) == []
    no_spans = Finding("risky-prize-terms", "content", "warning", 1.0, "m", "s", location=after)
    assert apply([no_spans], msg) == [no_spans]                # no spans yet: the location decides, as before


def test_rules_test_runs_a_user_packs_examples(tmp_path):
    pack = tmp_path / "house.yaml"
    rule = """pack: house
version: 1
description: House style.
rules:
  - id: house-no-synergy
    title: Jargon
    description: We never write synergy.
    category: content
    level: warning
    weight: 0.5
    type: words
    scope: [body]
    words: {en: [synergy]}
    message: "“{word}” is jargon."
    suggestion: "Say what you mean instead of “{word}”."
    examples:
      pass: ["Our soups are hot."]
      fail: [%s]
"""
    pack.write_text(rule % '"Our synergy is great."')
    good = run("rules", "test", pack)
    assert good.exit_code == 0 and "1 rule, 2 examples: 2 ok, 0 failing" in good.stdout
    pack.write_text(rule % '"Our synergy is great.", "Our soups are warm."')
    bad = run("rules", "test", pack)
    assert bad.exit_code == 1
    assert f"{pack}:5: house-no-synergy: fail example 2" in bad.stdout and "not found" in bad.stdout


def test_skipped_files_are_counted_listed_with_verbose_and_a_named_readme_is_not_judged(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "news.html").write_text(NEWS)
    (tmp_path / "mail" / "README.md").write_text("# Templates\n\nOur newsletter templates live here.\n")
    (tmp_path / "mail" / "package.json").write_text('{"name": "templates"}\n')
    result = run("check", "mail", "--subject", "Our March recipes")
    assert result.stdout.rstrip().endswith("1 message: 0 fail, 0 warn, 1 pass; 2 files skipped (--verbose lists them)")
    verbose = run("check", "mail", "--subject", "Our March recipes", "-v")
    assert "mail/README.md: skipped: not a type contentlint reads (.md)" in verbose.stderr
    assert "mail/package.json: skipped: not a Mailjet Send API payload" in verbose.stderr
    named = run("check", "mail/README.md")
    assert named.exit_code == 0 and "mail/README.md: skipped: not an email or a template" in named.stderr
    assert "missing-unsubscribe" not in named.stdout
    (tmp_path / "note.txt").write_text("Hello Ann,\nsee you on Monday.\n")
    assert "missing-unsubscribe" in run("check", "note.txt").stdout       # a .txt is a template: checked


def test_attachments_appear_in_text_and_json(tmp_path):
    msg = tmp_path / "inv.eml"
    msg.write_bytes(b"""From: Billing <billing@example.com>
To: ann@example.org
Subject: Your March invoice
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain; charset=utf-8

Hello Ann, your invoice is attached.
--b
Content-Type: application/pdf
Content-Disposition: attachment; filename="invoice-2024-03.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoK
--b--
""")
    text = run("check", msg, "--kind", "transactional")
    assert "  attachment: invoice-2024-03.pdf (application/pdf, 48 bytes)\n" in text.stdout
    doc = json.loads(run("check", msg, "--kind", "transactional", "-f", "json").stdout)
    assert doc["results"][0]["attachments"] == [{"name": "invoice-2024-03.pdf", "type": "application/pdf", "size": 48}]
    import jsonschema

    schema = json.loads((Path(__file__).parent.parent / "contentlint/schema/report-v1.schema.json").read_text())
    jsonschema.validate(doc, schema)


def test_statistics_count_rules_over_a_run_in_text_and_json(tmp_path):
    for n in range(3):
        (tmp_path / f"p{n}.html").write_text("<p>WIN A FREE PRIZE NOW!!! act now</p>\n")
    text = run("check", tmp_path, "--statistics", "--subject", "Hello")
    assert re.search(r"(?m)^3  excessive-punctuation +warning  ", text.stdout)
    doc = json.loads(run("check", tmp_path, "--statistics", "--subject", "Hello", "-f", "json").stdout)
    stats = {row["rule"]: row["count"] for row in doc["statistics"]}
    assert stats["excessive-punctuation"] == 3 and stats["missing-unsubscribe"] == 3


def test_exit_zero_reports_but_never_fails_the_run(tmp_path):
    (tmp_path / "bad.html").write_text("<p>WIN A FREE PRIZE NOW!!!</p>\n")
    assert run("check", tmp_path / "bad.html").exit_code == 1
    result = run("check", tmp_path / "bad.html", "--exit-zero")
    assert result.exit_code == 0 and "→ fail" in result.stdout
    assert run("check", tmp_path / "missing.eml", "--exit-zero").exit_code == 2      # unusable input still 2


def test_a_french_mailjet_template_is_told_the_french_unsubscribe_tag(tmp_path):
    tpl = tmp_path / "mj.html"
    tpl.write_text("---\nsubject: Nos nouveautés\nlang: fr\n---\n<p>Bonjour [[var:prenom]], "
                   "voici nos nouveautés de mars.</p>\n", encoding="utf-8")
    doc = json.loads(run("check", tpl, "-f", "json").stdout)
    (fix,) = [f["suggestion"] for f in doc["results"][0]["findings"] if f["rule"] == "missing-unsubscribe"]
    assert "[[UNSUB_LINK_FR]]" in fix and "Se désinscrire" in fix and "UNSUB_LINK_EN" not in fix


def test_the_subject_option_is_recorded_as_the_subjects_source(tmp_path):
    from contentlint.readers import ReadOptions, iter_messages

    tpl = tmp_path / "t.html"
    tpl.write_text("---\nsubject: From the front matter\n---\n<p>Hello</p>\n")
    (from_option,) = iter_messages([str(tpl)], ReadOptions(subject="FROM THE OPTION"))
    (from_file,) = iter_messages([str(tpl)], ReadOptions())
    assert (from_option.subject, from_option.subject_source) == ("FROM THE OPTION", "option")
    assert (from_file.subject, from_file.subject_source) == ("From the front matter", "front-matter")


def test_the_pre_commit_hook_runs_quiet():
    hooks = yaml.safe_load((Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text())
    assert "--quiet" in hooks[0]["args"]


def test_an_unknown_id_in_per_file_ignores_names_its_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".contentlint.yaml").write_text('per-file-ignores:\n  "receipts/*.html":\n    - missing-unsubscrib\n')
    clear_cache()
    (tmp_path / "n.html").write_text(NEWS)
    result = run("check", "n.html")
    assert result.exit_code == 2
    assert (f"{tmp_path / '.contentlint.yaml'}:3: per-file-ignores.receipts/*.html: unknown rule id "
            "'missing-unsubscrib'") in result.stderr and "did you mean 'missing-unsubscribe'" in result.stderr


def test_the_progress_bar_only_on_a_terminal_never_quiet_and_never_over_the_report(monkeypatch):
    import io
    import sys

    from contentlint import cli

    class Tty(io.StringIO):
        def isatty(self):
            return True

    report_to_terminal = Tty()
    monkeypatch.setattr(sys, "stderr", Tty())
    assert cli._progress_wanted(False, "report.txt", io.StringIO()) is True      # report in a file
    assert cli._progress_wanted(False, None, io.StringIO()) is True              # report piped
    assert cli._progress_wanted(False, None, report_to_terminal) is False        # the report is the progress
    assert cli._progress_wanted(True, "report.txt", io.StringIO()) is False      # --quiet
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert cli._progress_wanted(False, "report.txt", io.StringIO()) is False     # stderr not a terminal
    bar = cli._Progress(True)
    for _ in range(3):
        bar.step()
    bar.close()
    assert bar.bar is not None and bar.bar.n == 3


def test_a_named_twig_template_of_tags_only_is_checked_not_skipped(tmp_path, monkeypatch):
    # Symfony/Sylius e-mails are often only Twig tags that extend a layout: the sniffer sees plain text,
    # but a file the user names with a template extension is a template
    monkeypatch.chdir(tmp_path)
    (tmp_path / "orderConfirmation.html.twig").write_text(
        '{% extends "@SyliusCore/Email/layout.html.twig" %}\n\n'
        '{% block subject %}Confirmation de votre commande{% endblock %}\n'
        '{% block content %}\n{{ "sylius.email.order_confirmation.your_order_number"|trans }} {{ order.number }}\n'
        '{% endblock %}\n')
    result = run("check", "orderConfirmation.html.twig")
    assert "skipped" not in result.stderr
    assert result.stdout.rstrip().endswith("1 message: 0 fail, 0 warn, 1 pass")
    assert "@SyliusCore/Email/layout.html.twig" in result.stdout     # the layout that may hold the link
