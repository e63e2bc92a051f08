"""Rendering support per mail client (Can I Email data) and accessibility: realistic templates, what a user sees."""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from contentlint import Linter
from contentlint.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"

OUTLOOK_CSS = """<!doctype html><html lang="en"><head><title>New arrivals</title></head><body>
<table role="presentation" width="600"><tr><td>
<div style="display:flex;border-radius:12px;background-image:url(https://cdn.example.com/linen.jpg);color:#333333">
<p>Three new jackets arrived this week, in linen and in waxed cotton.</p></div>
<p><a href="https://shop.example.com/unsubscribe">Unsubscribe</a></p>
</td></tr></table></body></html>
"""

ACCESSIBILITY = ("html-lang-missing", "html-lang-mismatch", "layout-table-role", "vague-link-text", "heading-order",
                 "low-contrast", "missing-title", "missing-alt-text")


def rules_of(report, category=None):
    return {f.rule: f for f in report.findings if category is None or f.category == category}


def test_outlook_ignored_css_is_reported_naming_outlook_and_the_element():
    found = rules_of(Linter().check_html(OUTLOOK_CSS), "rendering")
    assert {"client-display-flex", "client-background-image", "client-border-radius"} <= set(found)
    flex = found["client-display-flex"]
    assert "Outlook (Windows)" in flex.message and "<div>" in flex.message and flex.level == "info"   # 0 points: info, never a 0-point warning
    assert flex.location.line == 3 and flex.location.excerpt.startswith('<div style="display:flex')
    assert "tables" in flex.suggestion                                     # the workaround
    assert "VML" in found["client-background-image"].suggestion             # Can I Email's note for Outlook
    assert all(f.weight == 0 for f in found.values())


def test_an_apple_mail_audience_gets_none_of_them(tmp_path):
    cfg = tmp_path / ".contentlint.yaml"
    cfg.write_text("clients: [apple-mail]\n", encoding="utf-8")
    assert rules_of(Linter(cfg).check_html(OUTLOOK_CSS), "rendering") == {}
    assert rules_of(Linter(clients=["apple-mail"]).check_html(OUTLOOK_CSS), "rendering") == {}
    # Outlook alone: still reported
    assert "client-display-flex" in rules_of(Linter(clients=["outlook.windows"]).check_html(OUTLOOK_CSS))


def test_the_cli_reads_clients_from_the_configuration(tmp_path):
    (tmp_path / "t.html").write_text(OUTLOOK_CSS, encoding="utf-8")
    (tmp_path / ".contentlint.yaml").write_text("clients: [orange, sfr, laposte]\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "contentlint.cli", "check", "--format", "json", str(tmp_path / "t.html")],
                         capture_output=True, text=True, cwd=ROOT).stdout
    found = {f["rule"]: f for f in json.loads(out)["results"][0]["findings"]}
    assert "Orange (webmail, iOS, Android)" in found["client-display-flex"]["message"]
    assert not any("Outlook" in f["message"] for f in found.values())


def test_unknown_client_is_a_configuration_error(tmp_path):
    cfg = tmp_path / ".contentlint.yaml"
    cfg.write_text("kind: marketing\nclients: [gmail, outlok]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(str(cfg))
    assert err.value.line == 2 and "outlok" in str(err.value) and "outlook" in str(err.value)


def test_content_hidden_from_outlook_and_vml_fallbacks_are_not_blamed_on_outlook():
    html = ('<html lang="en"><head><title>x</title></head><body><!--[if !mso]><!--><div style="display:flex">'
            "<p>Our spring collection is online.</p></div><!--<![endif]--></body></html>")
    flex = rules_of(Linter().check_html(html)).get("client-display-flex")
    assert flex is None or "Outlook (Windows)" not in flex.message
    vml = ('<html lang="en"><head><title>x</title></head><body><table role="presentation"><tr>'
           '<td style="background-image:url(https://example.com/bg.jpg);background-color:#003366">'
           '<!--[if gte mso 9]><v:rect xmlns:v="urn:schemas-microsoft-com:vml" fill="true"><v:fill src="https://example.com/bg.jpg" />'
           '<![endif]--><p style="color:#ffffff">Our spring collection is online.</p></td></tr></table></body></html>')
    bg = rules_of(Linter().check_html(vml)).get("client-background-image")
    assert bg is None or "Outlook (Windows)" not in bg.message


def test_gmail_style_limit_counts_every_style_block():
    css = "".join(f".c{i} {{ color: #333333; font-family: Helvetica, Arial, sans-serif; }}\n" for i in range(300))
    html = f"<html lang='en'><head><title>x</title><style>{css}</style><style>p {{ margin: 0 }}</style></head>" \
           "<body><p>Our spring collection is online.</p></body></html>"
    found = rules_of(Linter().check_html(html))
    assert "gmail-style-limit" in found and "16384" in found["gmail-style-limit"].message
    small = html.replace(css, css[:2000])
    assert "gmail-style-limit" not in rules_of(Linter().check_html(small))


def test_gmail_clipping_says_tracking_bytes_count():
    rule = Linter().ruleset.get("gmail-clipping")
    assert "tracking" in rule.description and "tracking" in rule.suggestion


@pytest.mark.parametrize("name", ["bad-en.html", "bad-fr.html"])
def test_accessibility_rules_fire_on_failing_templates(name):
    report = Linter().check_path(str(DATA / "accessibility" / name))[0]
    found = rules_of(report)
    expected = set(ACCESSIBILITY) - {"html-lang-mismatch" if name == "bad-en.html" else "html-lang-missing"}
    assert expected <= set(found), expected - set(found)
    assert all(found[r].weight == 0 for r in expected)
    assert report.score == 0          # accessibility is not spam
    lines = (DATA / "accessibility" / name).read_text(encoding="utf-8").splitlines()
    assert "<table" in lines[found["layout-table-role"].location.line - 1]
    assert "<h" in lines[found["heading-order"].location.line - 1]
    contrast = found["low-contrast"]
    assert contrast.location.line and "contrast" in contrast.message


def test_accessibility_findings_say_what_is_wrong_in_each_language():
    en = rules_of(Linter().check_path(str(DATA / "accessibility" / "bad-en.html"))[0])
    assert "“here”" in en["vague-link-text"].message and "https://greenhouse-gardens" in en["vague-link-text"].message
    assert "#b0b0b0 on #ffffff" in en["low-contrast"].message and "2.17:1" in en["low-contrast"].message
    assert '<html lang="en">' in en["html-lang-missing"].suggestion
    fr = rules_of(Linter().check_path(str(DATA / "accessibility" / "bad-fr.html"))[0])
    assert "“ici”" in fr["vague-link-text"].message and "“en savoir plus”" in fr["vague-link-text"].message
    assert 'lang="fr"' in fr["html-lang-mismatch"].suggestion
    assert "#ffffff on #f4d03f" in fr["low-contrast"].message


@pytest.mark.parametrize("name", ["good-en.html", "good-fr.html"])
def test_accessibility_rules_stay_silent_on_good_templates(name):
    report = Linter().check_path(str(DATA / "accessibility" / name))[0]
    assert rules_of(report, "accessibility") == {}
    assert "missing-alt-text" not in rules_of(report)
    assert report.findings == []


def test_right_to_left_text_needs_dir():
    text = "<p>مرحبا، مجموعتنا الربيعية متاحة الآن على موقعنا. اكتشف السترات الخفيفة والقمصان الكتانية.</p>"
    bad = f'<html lang="ar"><head><title>x</title></head><body>{text}</body></html>'
    assert "missing-dir" in rules_of(Linter().check_html(bad))
    good = bad.replace('<html lang="ar">', '<html lang="ar" dir="rtl">')
    assert "missing-dir" not in rules_of(Linter().check_html(good))


def test_mjml_default_lang_und_is_not_a_language(tmp_path):
    src = tmp_path / "t.mjml"
    src.write_text("<mjml><mj-head><mj-title>News</mj-title></mj-head><mj-body><mj-section><mj-column>"
                   "<mj-text>Bonjour, découvrez nos nouveautés de printemps : des vestes légères et des chemises en lin."
                   "</mj-text></mj-column></mj-section></mj-body></mjml>\n", encoding="utf-8")
    found = rules_of(Linter().check_path(str(src))[0])
    assert 'lang="und"' in found["html-lang-missing"].message
    assert '<mjml lang="fr">' in found["html-lang-missing"].suggestion
    assert found["html-lang-missing"].location.line == 1


def test_refresh_script_rebuilds_the_vendored_data_offline(tmp_path):
    data = {"api_version": "1.0.4", "last_update_date": "2026-01-01 00:00:00 +0000",
            "nicenames": {"family": {"outlook": "Outlook", "gmail": "Gmail"}, "platform": {"windows": "Windows"}},
            "data": [{"slug": "css-display-flex", "title": "display:flex", "url": "https://www.caniemail.com/features/css-display-flex/",
                      "category": "css", "notes_by_num": {"1": "Not supported with non Google accounts."},
                      "stats": {"outlook": {"windows": {"2016": "n", "2019": "n"}},
                                "gmail": {"ios": {"2019-02": "y", "2020-11": "a #1"}}, "hey": {"desktop-webmail": {"2020": "y"}}}},
                     {"slug": "amp", "title": "AMP", "category": "others", "stats": {}}]}
    src = tmp_path / "data.json"
    src.write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "caniemail.json.gz"
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "refresh_caniemail.py"), str(src), "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    trimmed = json.loads(gzip.decompress(out.read_bytes()))
    assert list(trimmed["features"]) == ["css-display-flex"]                    # "others" dropped
    assert trimmed["features"]["css-display-flex"]["support"] == {"gmail.ios": "a #1", "outlook.windows": "n"}
    assert trimmed["last_update_date"] == "2026-01-01 00:00:00 +0000"
    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    assert subprocess.run([sys.executable, str(ROOT / "tools" / "refresh_caniemail.py"), str(bad), "--out",
                           str(tmp_path / "x.gz")], capture_output=True).returncode == 2


def test_vendored_data_has_its_licence_and_the_clients_the_brief_names():
    from contentlint import clients

    assert (ROOT / "contentlint" / "data" / "CANIEMAIL-LICENSE.md").read_text(encoding="utf-8").count("MIT") >= 1
    families = {c.split(".")[0] for c in clients.known_clients()}
    assert {"gmail", "outlook", "apple-mail", "yahoo", "samsung-email", "thunderbird", "orange", "sfr",
            "laposte"} <= families


def test_a_users_value_pattern_finds_the_exact_declaration_whatever_property_it_names(tmp_path):
    # rendering rules read each declaration once per message; a pattern anchored on properties is only
    # tried on those, one with a top-level alternative on all of them
    pack = tmp_path / "house.yaml"
    pack.write_text("""pack: house
version: 1
description: House rendering rules.
rules:
  - id: house-sticky-or-grid
    title: Sticky or grid layout
    description: Sticky positioning and CSS grid are not supported everywhere.
    category: rendering
    level: info
    weight: 0.0
    type: builtin
    scope: [html]
    check: client_support
    params: {feature: css-display-grid, value: "^position:\\\\s*sticky|grid-template"}
    message: "{feature} ({where}, in {element}): {support}."
    suggestion: Use tables.
    examples:
      pass: ['<div style="position:relative">Our spring collection</div>']
      fail: ['<div style="color:#333;grid-template-columns:1fr 1fr">Our spring collection</div>']
""", encoding="utf-8")
    html = ('<html lang="en"><body><p style="color:#333333">Three new jackets.</p>\n'
            '<table role="presentation"><tr><td style="padding:4px; grid-template-columns:1fr 1fr">Linen</td>'
            '</tr></table><a href="https://shop.example.com/unsubscribe">Unsubscribe</a></body></html>')
    found = rules_of(Linter(rules=[str(pack)]).check_html(html))["house-sticky-or-grid"]
    assert "grid-template-columns:1fr 1fr" in found.message and "<td>" in found.message
    assert (found.location.line, found.location.column) == (2, html.split("\n")[1].index("grid-template") + 1)


def test_turkish_capital_dotted_i_does_not_shift_what_the_html_checks_find():
    # "İ".lower() is two characters: the lower-cased HTML the checks search must keep the offsets of the HTML
    html = ('<html lang="tr"><head><title>Kampanya</title></head><body>\n'
            '<p>' + "İSTANBUL İZMİR İNDİRİM FIRSATI " * 6 + '</p>\n'
            '<div style="display:flex">Yeni sezon ürünleri</div>\n'
            '<table><tr><th>Ürün</th><th>Fiyat</th></tr><tr><td>Ceket</td><td>900 TL</td></tr></table>\n'
            '</body></html>')
    found = rules_of(Linter().check_html(html))
    flex = found["client-display-flex"]
    assert (flex.location.line, flex.location.column) == (3, html.split("\n")[2].index("display:flex") + 1)
    assert "layout-table-role" not in found          # a data table (header cells): no role needed


def test_an_upper_case_style_block_ends_at_its_upper_case_end_tag():
    # older templates write <STYLE>…</STYLE>: what follows the block is still read (its title, its tags)
    html = ('<HTML lang="en"><HEAD><STYLE>\nBODY { font-family: Arial }\nA:hover { color: #cc0000 }\n</STYLE>\n'
            '<TITLE>Spring collection</TITLE></HEAD>\n'
            '<BODY><DIV style="display:flex">Our spring collection is online.</DIV></BODY></HTML>')
    found = rules_of(Linter().check_html(html))
    assert "missing-title" not in found                   # the title after the block is seen
    flex = found["client-display-flex"]
    assert (flex.location.line, flex.location.column) == (6, html.split("\n")[5].index("display:flex") + 1)
    assert found["client-hover"].location.line == 3
