"""Template placeholders (contentlint.placeholders + rules/placeholders.yaml)."""
from __future__ import annotations

import pytest

from contentlint.paths import builtin_rules_dir
from contentlint.placeholders import PlaceholderError, default_placeholders, load_placeholders

PS = default_placeholders()


@pytest.mark.parametrize("token,syntax,unsubscribe", [
    ("{{ first_name }}", "jinja", False),
    ("{% if vip %}", "jinja", False),
    ("{{#each items}}", "handlebars", False),
    ("{{/each}}", "handlebars", False),
    ("*|FNAME|*", "mailchimp", False),
    ("*|UNSUB|*", "mailchimp", True),
    ("*|IF:FNAME|*", "mailchimp", False),
    ("[[var:first_name]]", "mailjet", False),
    ('{{var:first_name:"there"}}', "mailjet", False),
    ("[[data:plan]]", "mailjet", False),
    ("[[UNSUB_LINK_EN]]", "mailjet", True),
    ("[[UNSUB_LINK_FR]]", "mailjet", True),
    ("[[PERMALINK]]", "mailjet", False),
    ("<%asm_group_unsubscribe_raw_url%>", "sendgrid", True),
    ("{{{unsubscribe}}}", "sendgrid", True),
    ("[Unsubscribe]", "sendgrid", True),
    ("{{{ pm:unsubscribe }}}", "postmark", True),
    ("{{ unsubscribe_link }}", "hubspot", True),
    ("<unsubscribe>", "campaign-monitor", True),
    ("[firstname,fallback=there]", "campaign-monitor", False),
    ("%recipient.first_name%", "mailgun", False),
    ("%unsubscribe_url%", "mailgun", True),
    ("<%= user.name %>", "erb", False),
    ("{{ unsubscribe_url }}", "jinja", True),
    ("{% if unsubscribed %}", "jinja", False),
])
def test_each_syntax_is_recognised(token, syntax, unsubscribe):
    text = f"Hello {token} there"
    found = PS.find(text)
    assert [(m.token, m.syntax, m.unsubscribe) for m in found] == [(token, syntax, unsubscribe)]
    assert found[0].start == 6 and found[0].end == 6 + len(token)


def test_mask_keeps_length_offsets_and_lines():
    text = "Hi {{ name }},\nyour code {% if x\n %}A{% endif %} *|UNSUB|* ok"
    masked = PS.mask(text)
    assert len(masked) == len(text)
    assert masked.count("\n") == text.count("\n")
    assert masked.index("ok") == text.index("ok")
    assert "name" not in masked and "UNSUB" not in masked and "endif" not in masked
    assert masked.startswith("Hi ") and "your code" in masked and "A" in masked


def test_ordinary_text_is_not_a_placeholder():
    for text in ("50% off, then 20% more", "Price [EUR] and [1]", "a | b * c", "email me <at> home", "{ json: 1 }"):
        assert PS.find(text) == [], text
        assert PS.mask(text) == text


def test_esp_prefers_the_esp_family_and_counts():
    assert PS.esp("*|FNAME|* {{ x }} {{ y }}") == "mailchimp"
    assert PS.esp("{{ a }} {{ b }} [[var:c]] [[var:d]] [[UNSUB_LINK_EN]]") == "mailjet"
    assert PS.esp("{{ a }} {{ b }}") == "jinja"
    assert PS.esp("no placeholders") is None


@pytest.mark.parametrize("esp,snippet", [
    ("mailchimp", '<a href="*|UNSUB|*">Unsubscribe</a>'),
    ("mailjet", '<a href="[[UNSUB_LINK_EN]]">Unsubscribe</a>'),
    ("sendgrid", '<a href="<%asm_group_unsubscribe_raw_url%>">Unsubscribe</a>'),
    ("postmark", '<a href="{{{ pm:unsubscribe }}}">Unsubscribe</a>'),
    ("hubspot", '<a href="{{ unsubscribe_link }}">Unsubscribe</a>'),
    ("campaign-monitor", "<unsubscribe>Unsubscribe</unsubscribe>"),
])
def test_unsubscribe_snippet_per_esp(esp, snippet):
    assert PS.unsubscribe_snippet(esp) == snippet
    # and the snippet is itself recognised as an unsubscribe placeholder
    assert any(m.unsubscribe for m in PS.find(snippet))


def test_generic_unsubscribe_snippet_is_an_https_link():
    for esp in (None, "jinja", "erb"):
        assert 'href="https://' in PS.unsubscribe_snippet(esp)


@pytest.mark.parametrize("text,expected", [
    ("Unsubscribe", True), ("unsubscribe from this list", True), ("Opt out", True),
    ("Manage your preferences", True), ("Se désinscrire", True), ("Se desabonner", True),
    ("Désinscription", True), ("Abmelden", True), ("Newsletter abbestellen", True), ("Darse de baja", True),
    ("Read more", False), ("Subscribe", False), ("Cliquez ici", False),
])
def test_unsubscribe_words(text, expected):
    assert PS.is_unsubscribe_text(text) is expected


def test_unsubscribe_words_are_data():
    assert "se désinscrire" in PS.unsubscribe_words["fr"]
    assert "abmelden" in PS.unsubscribe_words["de"]


def test_user_file_adds_syntax_and_words(tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text("syntaxes:\n  - {name: percent, family: brevo, pattern: '%%\\w+%%'}\n"
                     "unsubscribe:\n  include: ['^%%leave%%$']\n"
                     "unsubscribe_words:\n  en: [leave this list]\n", encoding="utf-8")
    ps = load_placeholders([extra])
    assert [(m.token, m.syntax, m.unsubscribe) for m in ps.find("x %%leave%% %%NAME%%")] == [
        ("%%leave%%", "brevo", True), ("%%NAME%%", "brevo", False)]
    assert ps.is_unsubscribe_text("Leave this list") and ps.is_unsubscribe_text("Unsubscribe")


def test_catastrophic_user_pattern_is_bounded(tmp_path, monkeypatch):
    import contentlint.placeholders as mod

    monkeypatch.setattr(mod, "REGEX_TIMEOUT", 0.05)
    extra = tmp_path / "bad.yaml"
    extra.write_text("syntaxes:\n  - {name: evil, pattern: '(a|a)+$'}\n", encoding="utf-8")
    ps = load_placeholders([extra], include_default=False)
    assert ps.find("a" * 40 + "b") == []          # times out quietly instead of hanging


@pytest.mark.parametrize("content,message", [
    ("syntaxes: [ {name: x", "invalid YAML"),
    ("- just a list", "mapping"),
    ("syntaxes:\n  - {name: x, pattern: '('}\n", "invalid regular expression"),
    ("syntaxes:\n  - {name: x}\n", "pattern"),
])
def test_broken_files_raise_a_clear_error(tmp_path, content, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(PlaceholderError) as err:
        load_placeholders([bad])
    assert message in str(err.value) and "bad.yaml" in str(err.value)


def test_builtin_file_found_from_a_checkout():
    assert (builtin_rules_dir() / "placeholders.yaml").is_file()


def test_tracking_urls():
    for url in ("https://u1.ct.sendgrid.net/wf/open?upn=x", "https://list.example.com/track/open.php?u=1",
                "https://e.example.com/o.gif?id=2"):
        assert PS.is_tracking_url(url), url
    assert not PS.is_tracking_url("https://cdn.example.com/images/logo.png")


def test_unsubscribe_wording_is_recognised_in_every_language_and_spelling():
    """Every configured unsubscribe word or phrase is found in a sentence, in capitals, with accents, and
    with hyphens or line breaks between its words; and the factored pattern says what a plain alternation of
    the words says (the definition) on those texts and on near misses."""
    import re as _re

    from contentlint.placeholders import _fold, default_placeholders

    ph = default_placeholders()
    words = sorted({_fold(w).strip() for ws in ph.unsubscribe_words.values() for w in ws if str(w).strip()},
                   key=len, reverse=True)
    assert len(words) > 40
    flat = _re.compile(r"(?<!\w)(?:" + "|".join(_re.escape(w).replace(r"\ ", r"[\s\-]+") for w in words) + ")")
    originals = [w for ws in ph.unsubscribe_words.values() for w in ws if str(w).strip()]
    for w in originals:
        for text in (f"To stop these mails, {w} here.", f"{w.upper()}!", w.replace(" ", "-"),
                     w.replace(" ", "\n")):
            assert ph.is_unsubscribe_text(text), text
    for w in words:
        for text in (w[:-1], "x" + w, w[1:], w.replace(" ", "")):
            assert ph.is_unsubscribe_text(text) == bool(flat.search(_fold(text))), text


# -- the literal prefilter never hides a placeholder ------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_TAGS = ["<unsubscribe>", "</unsubscribe>", "<currentyear>", "[Sender_Name]", "[SENDER_CITY]", "[unsubscribe]",
         "[email]", "[firstname,fallback=there]", "%recipient.first_name%", "%unsubscribe_url%",
         "@include('emails.footer')", "@endif", "{shop_url}", "{$customer.firstname}"]
_NOISE = ["é", "ß", "ſ", "ı", "İ", "\u212a", "中", " ", "<p>", "%", "@", "[", "{", "x", "UNSUB", "\n"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TAGS + _NOISE), max_size=25))
def test_prefiltered_scans_find_what_full_scans_find(pieces):
    """The strings a syntax needs are looked for in the text lower-cased without its other characters; a
    text holding a character that re.I matches to an ASCII letter (ſ, ı, İ, the Kelvin sign) is scanned."""
    text = "".join(pieces)
    fresh = load_placeholders()
    full = load_placeholders()
    full._needs = [None] * len(full._needs)
    got = [(m.start, m.end, m.form) for m in fresh.find(text)]
    assert got == [(m.start, m.end, m.form) for m in full.find(text)]


def test_a_sendgrid_tag_spelt_with_a_dotless_i_is_still_a_placeholder():
    found = load_placeholders().find("Hello [unsubscrıbe], <p>é</p>")      # re.I matches ı to i (casefold does not)
    assert [m.token for m in found] == ["[unsubscrıbe]"]
