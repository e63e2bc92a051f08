"""image-text-ratio counts the visible characters outside the legal footer; it stops reading lines once
there are enough (a speed-up that must never change what it reports)."""
from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from contentlint.api import Linter
from contentlint.engine.builtins import _footer_free_length
from contentlint.engine.text import collapse
from contentlint.placeholders import load_placeholders

_LEGAL = regex.compile(r"(?i)©|all rights reserved|\b\d{5}\s+[A-Z][a-zé]+")
_LINES = st.lists(st.sampled_from(["Our new collection is here", "  ", "", "\u200b", "\u200b\u00a0 x",
                                   "© 2026 Shop SAS", "75002 Paris", "Unsubscribe here", "se désinscrire",
                                   "a\tb  c", "Voir la boutique", "\u00adsoft", "ALL RIGHTS reserved."]),
                  max_size=12)


def _exact(text, ph, legal):
    """What the rule measured before the early stop: the collapsed text of every kept line."""
    keep = [line for line in text.split("\n")
            if not (ph.is_unsubscribe_text(line) or legal.search(line))]
    return len(collapse("\n".join(keep)))


@settings(max_examples=400, deadline=None)
@given(_LINES, st.integers(min_value=0, max_value=80))
def test_footer_free_length_is_exact_below_enough_and_at_least_enough_above(lines, enough):
    ph = load_placeholders()
    text = "\n".join(lines)
    exact = _exact(text, ph, _LEGAL)
    got = _footer_free_length(text, ph, _LEGAL, enough)
    if exact < enough:
        assert got == exact
    else:
        assert got >= enough
    assert _footer_free_length(text, ph, _LEGAL, 10 ** 9) == exact


def _html(body_text: str) -> str:
    return ("<html><body><img src='https://shop.example/hero.jpg' width='600' height='300'>"
            f"<p>{body_text}</p><p>© 2026 Shop SAS, 12 rue de la Paix, 75002 Paris</p>"
            "<p><a href='https://shop.example/unsubscribe'>Unsubscribe</a></p></body></html>")


def test_an_image_with_a_long_footer_and_little_text_is_still_reported():
    report = Linter(select=["image-text-ratio"]).check_html(_html("Sale"), source="t.html")
    (f,) = [f for f in report.findings if f.rule == "image-text-ratio"]
    assert f.message.endswith("1 image(s) for 4 characters of text.")   # "Sale": the footer is not counted


def test_enough_text_before_the_footer_is_not_reported():
    text = "Our spring collection is in the shop: linen shirts, light jackets and sandals for the season. " * 3
    report = Linter(select=["image-text-ratio"]).check_html(_html(text), source="t.html")
    assert not [f for f in report.findings if f.rule == "image-text-ratio"]
