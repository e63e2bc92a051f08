"""What a reader sees in an HTML mail, and what they do not (contentlint.html_text)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contentlint.html_text import analyse_html, parse_colour
from contentlint.placeholders import default_placeholders

PS = default_placeholders()
ROOT = Path(__file__).resolve().parent.parent


def analyse(html: str):
    return analyse_html(html, PS)


NEWSLETTER = """<!doctype html><html lang="fr"><head><title>Lettre de mars</title>
<style>.hide { display: none !important; } @media (max-width: 600px) { .mobile { display: none } }</style>
<script>var tracking = "do not show me";</script></head>
<body style="background:#ffffff">
<div class="preheader" style="display:none;font-size:1px;max-height:0;overflow:hidden">Nos nouveautés de printemps&zwnj;&nbsp;&zwnj;&nbsp;&zwnj;&nbsp;&#847;&zwnj;&nbsp;</div>
<!-- a comment nobody sees -->
<table><tr><td><h1>Bonjour {{ prenom }}</h1></td></tr>
<tr><td><p>Voici <b>no</b>tre lettre&nbsp;de mars.</p><p class="mobile">Visible on desktop</p></td></tr></table>
<p style="color:#FFF">viagra pas cher casino</p>
<div style="display:none">Bloc caché au milieu</div>
<a href="https://click.mail.example.co.uk/track?id=1&amp;u=2"><img src="https://cdn.example.com/logo.png" alt="Logo" width="600" height="80"></a>
<img src="https://cdn.example.com/blank.gif" width="1" height="1" alt="">
<img src="https://mail.example.com/wf/open?upn=abc">
<p>Pour ne plus recevoir nos e-mails, <a href="https://www.example.fr/u/123">cliquez ici</a>.</p>
<p><a href="*|UNSUB|*">Se désinscrire</a> · <a href="mailto:contact@example.fr">Écrire</a></p>
<template><p>template content</p></template><noscript>noscript content</noscript>
</body></html>"""


def _line_of(fragment: str) -> int:
    return NEWSLETTER[:NEWSLETTER.index(fragment)].count("\n") + 1


@pytest.fixture(scope="module")
def news():
    return analyse(NEWSLETTER)


def test_visible_text_excludes_head_script_style_comments_and_hidden(news):
    text = news.visible_text
    assert "Bonjour {{ prenom }}" in text
    assert "Voici notre lettre de mars." in text          # inline tags do not split words; &nbsp; → space
    for invisible in ("Lettre de mars", "do not show", "comment nobody", "display: none", "template content",
                      "noscript content", "Bloc caché", "viagra", "Nos nouveautés"):
        assert invisible not in text
    assert "Visible on desktop" in text                    # hidden only in a @media query
    assert "\u200c" not in text and "\xa0" not in text


def test_blocks_are_separate_lines(news):
    lines = news.visible_text.splitlines()
    assert "Bonjour {{ prenom }}" in lines
    assert "Voici notre lettre de mars." in lines


def test_zwnj_padded_preheader_is_the_preheader(news):
    assert news.preheader == "Nos nouveautés de printemps"
    pre = [h for h in news.hidden if h.is_preheader]
    assert len(pre) == 1 and pre[0].text == "Nos nouveautés de printemps"
    assert pre[0].reason == "display:none"


def test_white_on_white_is_hidden_and_not_a_preheader(news):
    stuffed = [h for h in news.hidden if "viagra" in h.text]
    assert len(stuffed) == 1
    assert stuffed[0].reason == "same colour as background"
    assert not stuffed[0].is_preheader


def test_hidden_block_mid_body_is_not_a_preheader(news):
    mid = [h for h in news.hidden if h.text == "Bloc caché au milieu"]
    assert len(mid) == 1 and mid[0].reason == "display:none" and not mid[0].is_preheader


def test_lang_and_title(news):
    assert news.lang_attr == "fr"
    assert news.title == "Lettre de mars"


def test_images(news):
    logo, blank, opener = news.images
    assert logo.linked and logo.href == "https://click.mail.example.co.uk/track?id=1&u=2"
    assert (logo.width, logo.height, logo.alt, logo.tracking_pixel) == (600, 80, "Logo", False)
    assert blank.tracking_pixel and blank.alt == "" and not blank.linked
    assert opener.tracking_pixel and opener.alt is None    # open-tracking URL shape, no declared size
    start, end = news.maps.item_attr(logo.index, "src")          # its place in the HTML source
    assert news.maps.src[start:end] == "https://cdn.example.com/logo.png"
    assert news.maps.src.count("\n", 0, start) + 1 == _line_of("https://cdn.example.com/logo.png")


def test_links(news):
    by_href = {link.href: link for link in news.links}
    click = by_href["https://click.mail.example.co.uk/track?id=1&u=2"]
    assert click.domain == "example.co.uk" and click.host == "click.mail.example.co.uk"
    assert click.scheme == "https" and click.has_image and not click.is_unsubscribe
    start, end = news.maps.item_attr(click.index, "href")
    assert news.maps.src[start:end] == "https://click.mail.example.co.uk/track?id=1&amp;u=2"   # as written
    assert news.maps.src.count("\n", 0, start) + 1 == _line_of("https://click.mail.example.co.uk/track")
    here = by_href["https://www.example.fr/u/123"]
    assert here.text == "cliquez ici" and here.is_unsubscribe        # "Pour ne plus recevoir…, cliquez ici"
    unsub = by_href["*|UNSUB|*"]
    assert unsub.is_placeholder and unsub.is_unsubscribe and unsub.domain is None
    mail = by_href["mailto:contact@example.fr"]
    assert mail.scheme == "mailto" and not mail.is_unsubscribe and mail.text == "Écrire"


def test_placeholders_and_esp(news):
    assert "{{ prenom }}" in news.placeholders and "*|UNSUB|*" in news.placeholders
    assert news.esp == "mailchimp"


@pytest.mark.parametrize("style,reason", [
    ("display:none", "display:none"),
    ("DISPLAY: none !important", "display:none"),
    ("visibility:hidden", "visibility:hidden"),
    ("opacity:0", "opacity:0"),
    ("font-size:0", "zero size"),
    ("max-height:0;overflow:hidden", "zero size"),
    ("width:0;height:0;overflow:hidden", "zero size"),
    ("font-size:1px", "tiny font"),
    ("position:absolute;left:-9999px", "off-screen"),
    ("color:rgb(255,255,255)", "same colour as background"),
    ("color:white;background-color:#ffffff", "same colour as background"),
    ("color:#000;background:#010101 url(x.png) no-repeat", None),     # background image: cannot tell
    ("color:#333", None),
])
def test_hiding_reasons(style, reason):
    res = analyse(f"<p>Visible first paragraph with enough words to not be a preheader at all, really."
                  f" It goes on and on for a while, long enough, and more, and more, and more, and more.</p>"
                  f"<div style=\"{style}\">secret words</div>")
    hidden = [h for h in res.hidden if h.text == "secret words"]
    if reason is None:
        assert not hidden and "secret words" in res.visible_text
    else:
        assert len(hidden) == 1 and hidden[0].reason == reason
        assert "secret words" not in res.visible_text


def test_hidden_attribute_and_bgcolor_attribute():
    res = analyse('<table bgcolor="#000000"><tr><td><font color="black">dark on dark</font>'
                  '<span style="color:#fff">white on black</span></td></tr></table><p hidden>attr hidden</p>')
    reasons = {h.text: h.reason for h in res.hidden}
    assert reasons == {"dark on dark": "same colour as background", "attr hidden": "hidden attribute"}
    assert "white on black" in res.visible_text


def test_child_of_hidden_is_hidden_and_recorded_once():
    res = analyse('<div style="display:none"><p>one</p><p style="display:block">two</p>'
                  '<span style="visibility:hidden">three</span></div>')
    assert len(res.hidden) == 1
    assert res.hidden[0].text == "one\ntwo\nthree" and res.hidden[0].reason == "display:none"
    assert res.visible_text == ""


def test_font_size_zero_wrapper_with_readable_children_is_visible():
    # ESP layouts put font-size:0 on wrappers against inline-block gaps; children set their size again
    res = analyse('<div style="font-size:0px"><div style="font-size:small">Readable footer</div>'
                  '<div style="font-size:16px">Readable body</div></div>')
    assert "Readable footer" in res.visible_text and "Readable body" in res.visible_text
    assert not res.hidden


def test_visible_first_line_is_not_a_preheader_unless_marked():
    assert analyse("<p>Hello there</p><p>Body</p>").preheader is None
    marked = analyse('<p class="preview-text">Our March news</p><p>Body</p>')
    assert marked.preheader == "Our March news" and "Our March news" in marked.visible_text


def test_class_hidden_by_style_sheet():
    res = analyse("<style>span.preheader{display:none!important;}</style>"
                  '<span class="preheader">Preview from the sheet</span><p>Body text</p>')
    assert res.preheader == "Preview from the sheet"
    assert "Preview from the sheet" not in res.visible_text


def test_unsubscribe_links_in_each_syntax():
    html = """<a href="[[UNSUB_LINK_EN]]">x</a><a href="<%asm_group_unsubscribe_raw_url%>">y</a>
    <a href="{{{ pm:unsubscribe }}}">z</a><a href="{{ unsubscribe_link }}">w</a>
    <unsubscribe>Click to leave</unsubscribe><a href="https://example.com/about">Abmelden</a>
    <a href="https://news.example.com/desinscription?u=1">ici</a><a href="https://example.com/blog">Blog</a>"""
    links = analyse(html).links
    assert [link.is_unsubscribe for link in links] == [True] * 7 + [False]
    assert all(link.is_placeholder for link in links[:5])


def test_link_text_is_placeholder_masked():
    res = analyse('<a href="https://example.com/p?u={{ id }}">Hi {{ first_name }}, read more</a>')
    link = res.links[0]
    assert link.text == "Hi , read more" or link.text == "Hi   , read more".replace("   ", " ")
    assert link.domain == "example.com" and not link.is_placeholder


def test_host_placeholder_has_no_domain():
    link = analyse('<a href="https://{{ domain }}/x">x</a>').links[0]
    assert link.domain is None and link.host is None


def test_area_links():
    res = analyse('<img src="map.png" usemap="#m"><map name="m"><area href="https://shop.example.org/a" alt="Shop">'
                  '</map>')
    assert [(link.domain, link.text) for link in res.links] == [("example.org", "Shop")]


def test_parse_colour():
    assert parse_colour("#FFF") == parse_colour("#ffffff") == parse_colour("white") == (255, 255, 255)
    assert parse_colour("rgb(255, 255, 255)") == (255, 255, 255)
    assert parse_colour("rgba(0,0,0,0)") == "transparent"
    assert parse_colour("not-a-colour") is None


def test_nul_bytes_binary_junk_and_surrogates_do_not_crash():
    res = analyse("<p>a\x00b</p>\udcff\x01<a href='\x00'>\x00</a>" + "\x00" * 100 + "<div><span><b>")
    assert "ab" in res.visible_text


def test_deep_nesting_is_flattened_and_reported():
    depth = 100_000
    html = "<html><body>" + "<div>" * depth + "deep text" + "</div>" * depth + "<p>after</p></body></html>"
    res = analyse(html)
    assert [p.code for p in res.problems] == ["html-too-deep"]
    assert res.visible_text.splitlines() == ["deep text", "after"]


def test_lexbor_survives_deep_nesting_in_a_subprocess():
    # if lexbor itself ever segfaulted on this input the test run would not die with it
    code = ("from contentlint.html_text import analyse_html\n"
            "from contentlint.placeholders import default_placeholders\n"
            "r = analyse_html('<span>' * 200000 + 'x', default_placeholders())\n"
            "print(r.visible_text, [p.code for p in r.problems])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "x ['html-too-deep']"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(list("<>/=\"' abcdiv&;#x0\x00\u200c") + [
    "<div>", "</div>", "<a href=", "<img src=", "style=", "display:none", "color:#fff", "{{", "}}", "*|", "|*",
    "<!--", "<table>", "<td>", "<p>", "&nbsp;", "&zwnj;", "<style>", ".x{display:none}", "class=x"]),
    max_size=200).map("".join))
def test_arbitrary_markup_never_raises(html):
    res = analyse(html)
    assert isinstance(res.visible_text, str)
    assert all(p.code != "html-analysis-failed" for p in res.problems)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=500))
def test_arbitrary_text_never_raises(text):
    res = analyse(text)
    assert all(p.code != "html-analysis-failed" for p in res.problems)


def test_real_newsletters(shared_corpora):
    folder = shared_corpora / "modern"
    every = analyse((folder / "modern_omnivore__every-io-newsletter.html").read_text(encoding="utf-8"))
    assert every.preheader == "What will happen to the internet?"
    assert every.lang_attr == "en"
    assert any(link.is_unsubscribe for link in every.links)
    assert any(img.tracking_pixel for img in every.images)
    beehiiv = analyse((folder / "modern_omnivore__beehiiv-newsletter.html").read_text(encoding="utf-8"))
    assert "GM, this is the Milk Road" in beehiiv.visible_text          # font-size:0 wrappers do not hide it
    assert all(not h.is_preheader for h in beehiiv.hidden)              # web-only blocks lower down
    for template in sorted((shared_corpora / "templates").glob("tpl_postmark__*basic_*.html")):
        html = template.read_text(encoding="utf-8")
        if 'class="preheader"' not in html:
            continue
        res = analyse(html)
        assert res.preheader, template.name
        assert [h.text for h in res.hidden if h.is_preheader] == [res.preheader]


# -- font-size:0 wrappers set from a style sheet (issue: whole German newsletters came out hidden) ----------
def test_sheet_font_size_zero_wrapper_with_children_resizing_is_visible():
    html = ("<style>.root-spacing { padding-top: 10px; font-size: 0 !important }"
            " .content-p { font-size: 16px; }</style>"
            '<div class="root-spacing"><p class="content-p">Natürliche Gesundheitsprodukte aus der Apotheke</p>'
            '<table><tr><td style="font-size:14px">Neu: Kosmetik</td></tr></table></div>')
    res = analyse(html)
    assert "Natürliche Gesundheitsprodukte aus der Apotheke" in res.visible_text
    assert "Neu: Kosmetik" in res.visible_text
    assert res.hidden == []


def test_inline_font_size_zero_cell_with_sheet_sized_children_is_visible():
    # CleverReach layout: <td style="font-size:0px"> around columns whose text class sets 15px
    html = ("<style>.cr-text { font-family: Helvetica; font-size: 15px; line-height: 140%; }</style>"
            '<table><tr><td style="font-size:0px;"><div class="cr-col"><div class="cr-text">'
            "<h3>CaPoA – Cooperation and Progress of Africans e.V.</h3><p>Wir engagieren uns.</p>"
            "</div></div></td></tr></table>")
    res = analyse(html)
    assert "CaPoA – Cooperation and Progress of Africans e.V." in res.visible_text
    assert res.hidden == []


def test_sheet_font_size_zero_without_resizing_children_still_hides():
    res = analyse("<style>.stuff { font-size: 0; }</style><p>Hello Anna, our news.</p>"
                  '<div class="stuff">cheap pills online pharmacy best prices</div>')
    assert [(h.text, h.reason) for h in res.hidden] == [("cheap pills online pharmacy best prices", "zero size")]
    assert "cheap pills" not in res.visible_text


def test_sheet_font_size_does_not_hide_images():
    res = analyse('<style>.tiny { font-size: 1px; }</style><div class="tiny"><img src="https://example.com/hero.jpg"'
                  ' width="600" height="300" alt="Hero"></div><p>Text</p>')
    assert [im.tracking_pixel for im in res.images] == [False]


# -- what counts as the preheader ---------------------------------------------------------------------------
BODY = ("<p>Hello Anna, our spring collection is online. We picked twelve new pieces for the season, from light"
        " jackets to linen shirts, and they all ship within two days.</p>")
PADDING = "&zwnj;&nbsp;" * 20


def _pre(html):
    res = analyse(html)
    return res.preheader, [(h.text[:40], h.is_preheader) for h in res.hidden]


def test_short_display_none_block_at_the_top_is_the_preheader():
    assert _pre('<div style="display:none">Our spring collection is here</div>' + BODY)[0] == \
        "Our spring collection is here"
    # after a "View in your browser" line too
    assert _pre('<p><a href="https://example.com/web">View in your browser</a></p>'
                '<span style="display:none;max-height:0;overflow:hidden">New linen shirts</span>' + BODY)[0] == \
        "New linen shirts"


def test_white_on_white_keywords_at_the_top_are_not_a_preheader():
    pre, hidden = _pre('<div style="color:#ffffff">viagra cialis cheap pills casino bonus</div>' + BODY)
    assert pre is None and hidden == [("viagra cialis cheap pills casino bonus", False)]
    padded = _pre(f'<div style="color:#fff;background:#fff">cheap pills casino{PADDING}</div>' + BODY)
    assert padded[0] is None


def test_second_hidden_block_is_never_a_preheader():
    long_stuffing = " ".join(["cheap pills online pharmacy best prices"] * 15)
    pre, hidden = _pre(f'<div style="display:none">{long_stuffing}</div>'
                       '<div style="display:none">Spring news</div>' + BODY)
    assert pre is None and [p for _, p in hidden] == [False, False]


def test_hidden_block_after_real_content_is_not_a_preheader():
    # a short mail: a paragraph of text, then hidden keywords (used to pass as a preheader under 160 chars)
    pre, hidden = _pre("<p>Hello Anna, here is the document you asked for yesterday, with our new prices.</p>"
                       "<p>See you soon.</p>"
                       '<div style="display:none">replica watches cheap rolex discount pharmacy</div>')
    assert pre is None
    assert [(t.split()[0], p) for t, p in hidden] == [("replica", False)]


def test_long_hidden_block_needs_padding_or_a_preheader_class():
    text = ("Spring is here and so is our new collection of light jackets, linen shirts and summer dresses: "
            "discover every piece, read the care guide, and book a fitting in one of our twelve shops across "
            "the country this weekend, with coffee on us")
    assert 200 < len(text) < 500
    assert _pre(f'<div style="display:none">{text}</div>' + BODY)[0] is None
    assert _pre(f'<div style="display:none">{text}{PADDING}</div>' + BODY)[0] == text
    assert _pre(f'<div class="preview-text" style="display:none">{text}</div>' + BODY)[0] == text


def test_shrunk_text_at_the_top_needs_padding_to_be_a_preheader():
    assert _pre('<div style="font-size:0">cheap pills casino bonus</div>' + BODY)[0] is None
    assert _pre(f'<div style="font-size:1px;line-height:1px">Our spring collection{PADDING}</div>' + BODY)[0] == \
        "Our spring collection"


def test_preheader_class_marks_the_preheader_anywhere_but_not_a_long_block():
    assert _pre(BODY + '<span class="preheader" style="display:none">Spring news</span>')[0] == "Spring news"
    huge = "cheap pills " * 60
    assert _pre(f'<span class="preheader" style="display:none">{huge}</span>' + BODY)[0] is None


def test_side_by_side_buttons_are_not_one_word():
    """Two inline-block buttons render apart: their labels are separate words ("NOWBOOK" was read)."""
    res = analyse('<p><a href="https://shop.example/a" style="display:inline-block;padding:8px">SHOP NOW</a>'
                  '<a href="https://shop.example/b" style="display: inline-block">BOOK</a></p>')
    assert "NOWBOOK" not in res.visible_text and res.visible_text.split() == ["SHOP", "NOW", "BOOK"]


def test_the_contrast_check_reuses_the_readers_tree_only_for_the_very_text_it_parsed():
    from contentlint import Linter
    from contentlint.html_text import take_tree

    html = ('<html lang="en"><head><title>Sale</title></head><body style="background:#ffffff">'
            '<p style="color:#aaaaaa">Prices drop this weekend only.</p></body></html>')
    analyse(html)
    copy = "".join(list(html))                       # equal text, another object: never handed the tree
    assert copy == html and copy is not html and take_tree(copy) is None
    analyse(html)
    tree = take_tree(html)
    assert tree is not None and tree.body.css_first("p").text() == "Prices drop this weekend only."
    assert take_tree(html) is None                   # handed out once, then let go
    # the finding is the same whether the check reads the reader's tree or parses the text again
    from contentlint.readers import read_bytes

    linter = Linter()
    read_last = list(read_bytes(html.encode(), "sale.html"))[0]
    reused = linter.check(read_last)
    read_first = list(read_bytes(html.encode(), "sale.html"))[0]
    analyse(html.replace("#ffffff", "#fefefe"))      # another text parsed last: the check parses its own
    parsed = linter.check(read_first)
    found = [[(f.rule, f.message, f.location.line) for f in r.findings if f.rule == "low-contrast"]
             for r in (reused, parsed)]
    assert found[0] == found[1] and "2.32:1" in found[0][0][1]
