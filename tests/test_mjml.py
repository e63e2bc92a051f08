"""MJML templates: compiled with MRML, checked as HTML, findings at the .mjml lines a user edits."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from contentlint import Linter
from contentlint.readers import read_bytes
from contentlint.readers.mjml import MJML_PART, read_mjml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "mjml"


def cli_json(*args):
    proc = subprocess.run([sys.executable, "-m", "contentlint.cli", "check", "--format", "json", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT)
    return proc.returncode, json.loads(proc.stdout)


def by_rule(result):
    return {f["rule"]: f for f in result["findings"]}


def line_of(path: Path, needle: str) -> tuple[int, int]:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n, line.index(needle) + 1
    raise AssertionError(needle)


def test_shouting_missing_unsubscribe_and_image_without_alt_at_their_mjml_lines():
    src = DATA / "promo-en.mjml"
    rc, out = cli_json(src)
    assert rc == 1                                        # no unsubscribe link: a compliance failure
    found = by_rule(out["results"][0])
    caps = found["all-caps-body"]["location"]
    assert (caps["line"], caps["column"]) == line_of(src, "THIS WEEKEND ONLY")
    alt = found["missing-alt-text"]["location"]
    assert alt["line"] == line_of(src, "summer-hero.jpg")[0]
    unsub = found["missing-unsubscribe"]["location"]
    assert unsub["line"] == line_of(src, "</mj-body>")[0]  # where the footer link belongs
    assert out["results"][0]["subject"] == "Our summer sale starts today"


def test_subject_and_preheader_come_from_mj_title_and_mj_preview():
    msg = read_mjml((DATA / "newsletter-fr.mjml").read_bytes(), str(DATA / "newsletter-fr.mjml"))
    assert msg.subject == "Nos coups de cœur de mars"
    assert msg.preheader.startswith("Un premier roman lumineux")
    assert msg.lang == "fr" and msg.has_headers is False
    assert msg.part(MJML_PART).file_mapped and msg.part("text/html").text.startswith("<!doctype html>")


def test_a_good_french_newsletter_gets_no_warning():
    report = Linter().check_path(str(DATA / "newsletter-fr.mjml"))[0]
    assert report.verdict == "pass" and report.score == 0
    assert [f.rule for f in report.findings if f.level != "info"] == []


def test_placeholders_survive_compilation_and_are_masked():
    msg = read_mjml((DATA / "promo-en.mjml").read_bytes(), "promo-en.mjml")
    hrefs = {link.href for link in msg.links}
    assert "[[var:shop_link]]" in hrefs and "{{var:shop_url}}" in hrefs   # in href attributes, unchanged
    assert '{{var:firstname:"there"}}' in msg.html
    assert all(link.is_placeholder for link in msg.links if "var:" in link.href)
    assert '{{var:firstname:"there"}}' in msg.placeholders
    report = Linter().check(msg)
    assert not [f for f in report.findings if "var:" in f.message]          # never judged as content


def test_source_map_maps_compiled_offsets_to_the_mjml_text():
    raw = (DATA / "promo-en.mjml").read_bytes()
    msg = read_mjml(raw, "promo-en.mjml")
    part = msg.part("text/html")
    file_text = raw.decode("utf-8")
    for needle in ("THIS WEEKEND ONLY", "Members also get free delivery", "Shop the summer sale"):
        at = part.text.index(needle)
        assert file_text[part.source_map(at):].startswith(needle)
    # markup MRML generates maps to the opening tag of the element that produced it
    img = part.text.index("<img")
    assert file_text[part.source_map(img):].startswith("<mj-image")
    assert part.source_map.line_col(part.source_map(img))[0] == line_of(DATA / "promo-en.mjml", "<mj-image")[0]


def test_rendering_finding_points_at_the_style_in_mj_raw():
    src = DATA / "outlook-css.mjml"
    _, out = cli_json(src)
    flex = by_rule(out["results"][0])["client-display-flex"]
    assert (flex["location"]["line"], flex["location"]["column"]) == line_of(src, "display:flex")
    assert "Outlook (Windows)" in flex["message"] and "<div>" in flex["message"]


def test_invalid_mjml_is_an_input_finding_and_its_text_is_still_checked(tmp_path):
    src = DATA / "broken.mjml"
    rc, out = cli_json(src)
    found = by_rule(out["results"][0])
    assert found["mjml-invalid"]["location"]["line"] == 13            # the <mj-text> never closed
    assert "not closed" in found["mjml-invalid"]["message"]
    assert found["mjml-unknown-element"]["location"]["line"] == line_of(src, "<mj-colum>")[0]
    assert found["mjml-invalid"]["category"] == "input"
    assert "missing-unsubscribe" in found                             # the text rules still ran


def test_mjml_nested_too_deep_is_refused_without_crashing():
    n = 50000
    src = ("<mjml><mj-body>" + "<mj-wrapper>" * n + "</mj-wrapper>" * n + "</mj-body></mjml>").encode()
    [msg] = list(read_bytes(src, source="deep.mjml", hint_ext=".mjml"))
    assert [p.code for p in msg.problems][:1] == ["mjml-invalid"] and "nested" in msg.problems[0].message


def test_partials_and_includes(tmp_path):
    (tmp_path / "footer.mjml").write_text(
        '<mj-section><mj-column><mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text>'
        "</mj-column></mj-section>\n", encoding="utf-8")
    (tmp_path / "news.mjml").write_text(
        '<mjml lang="en"><mj-head><mj-title>News</mj-title></mj-head><mj-body>\n'
        "<mj-section><mj-column><mj-text>Our spring collection is online, with linen shirts and light jackets."
        '</mj-text></mj-column></mj-section>\n<mj-include path="./footer.mjml" />\n</mj-body></mjml>\n',
        encoding="utf-8")
    reports = Linter().check_path(str(tmp_path))           # the folder walk takes *.mjml
    by_source = {Path(r.source).name: r for r in reports}
    assert set(by_source) == {"footer.mjml", "news.mjml"}
    assert "missing-unsubscribe" not in {f.rule for f in by_source["news.mjml"].findings}   # included footer
    # the partial compiles on its own; its unsubscribe link is seen
    assert "missing-unsubscribe" not in {f.rule for f in by_source["footer.mjml"].findings}


def test_sniffed_by_content_and_named_by_the_hook():
    [msg] = list(read_bytes((DATA / "promo-en.mjml").read_bytes(), source="-"))
    assert msg.part(MJML_PART) is not None
    hook = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))[0]
    assert re.search(hook["files"], "templates/welcome.mjml")


@pytest.mark.parametrize("name", ["promo-en.mjml", "newsletter-fr.mjml", "outlook-css.mjml"])
def test_markers_do_not_change_the_compiled_html(name):
    import mjml

    raw = (DATA / name).read_text(encoding="utf-8")
    body = raw.split("---\n", 2)[2] if raw.startswith("---\n") else raw
    msg = read_mjml(raw.encode(), name)
    assert msg.part("text/html").text == mjml.mjml2html(body, disable_comments=True)
    assert msg.part("text/html").source_map._marks            # the fine map was built


def test_subject_findings_point_at_mj_title(tmp_path):
    src = tmp_path / "t.mjml"
    src.write_text('<mjml lang="en">\n  <mj-head>\n    <mj-title>FREE GIFT INSIDE FOR ALL OUR MEMBERS TODAY</mj-title>\n'
                   "  </mj-head>\n  <mj-body><mj-section><mj-column><mj-text>Hello, our spring collection is online. "
                   '<a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text></mj-column></mj-section></mj-body>\n</mjml>\n',
                   encoding="utf-8")
    found = {f.rule: f for f in Linter().check_path(str(src))[0].findings}
    loc = found["all-caps-subject"].location
    assert (loc.line, loc.column) == line_of(src, "FREE GIFT") and loc.excerpt.startswith("<mj-title>FREE GIFT")


def test_hostile_markup_gives_sane_facts():
    # how long these take is measured by bench/scaling.py (style-at, style-comment…), not here
    from contentlint.engine.builtins_html import HtmlFacts, _uses

    cases = {"<!--" * 100000: (0, 0), "<p>x</p>" + '<a "' * 100000: (1, 0),
             "<style>" + "/*" * 100000 + "</style>": (1, 0), '<p style="' + "a" * 300000 + '">x</p>': (1, 0),
             '<p style="color:red;' + "a" * 300000 + '">x</p>': (1, 1), "<style>" + "@a" * 100000 + "</style>": (1, 0)}
    for html, (tags, decls) in cases.items():
        facts = HtmlFacts(html)
        assert (len(facts.tags), len(_uses(facts).styles.names)) == (tags, decls), html[:40]
    mj = read_mjml(("<mjml><mj-body>" + "<!--" * 100000).encode(), "x.mjml")
    assert mj.problems
    mj = read_mjml(("<mjml><mj-body><mj-section><mj-column><mj-text>a" + " " * 200000 + "b</mj-text></mj-column>"
                    "</mj-section></mj-body></mjml>").encode(), "x.mjml")
    assert "a" in mj.visible_text and "b" in mj.visible_text
