"""Language detection heuristic (contentlint.language)."""
from __future__ import annotations

import email
import email.policy

import pytest

from contentlint.html_text import analyse_html
from contentlint.language import detect
from contentlint.placeholders import default_placeholders

FR = ("Bonjour {{ prenom }}, découvrez nos nouveautés de printemps ! Profitez de -20 % sur toute la collection "
      "jusqu'au 31 mars. Votre boutique préférée vous attend avec des idées pour toute la famille. "
      "Vous recevez cet e-mail car vous êtes inscrit à notre lettre d'information. Se désinscrire")
EN = ("Hi {{ first_name }}, check out our spring collection. Enjoy 20% off everything until March 31. "
      "Your favourite shop is waiting for you with ideas for the whole family. You are receiving this "
      "email because you signed up for our newsletter. Unsubscribe")
DE = ("Hallo Max, entdecken Sie unsere neue Frühjahrskollektion. Sparen Sie 20 % auf alles bis zum 31. März. "
      "Ihr Lieblingsgeschäft wartet mit Ideen für die ganze Familie auf Sie. Sie erhalten diese E-Mail, weil "
      "Sie sich für unseren Newsletter angemeldet haben. Abmelden")
ES = "Hola, descubre nuestra nueva colección de primavera. Disfruta de un 20 % de descuento en todo hasta el 31 de marzo."
IT = "Ciao, scopri la nostra nuova collezione di primavera. Approfitta dello sconto del 20% su tutto fino al 31 marzo."
NL = "Hallo, ontdek onze nieuwe voorjaarscollectie. Profiteer van 20% korting op alles tot 31 maart. Je winkel wacht op je."


@pytest.mark.parametrize("text,lang", [(FR, "fr"), (EN, "en"), (DE, "de"), (ES, "es"), (IT, "it"), (NL, "nl")])
def test_clear_texts(text, lang):
    assert detect(text) == lang


def test_long_mail_is_decided_on_its_start():
    assert detect(FR * 50 + EN * 5) == "fr"


def test_urls_and_placeholders_do_not_sway_it():
    noise = " https://www.example.com/the-best-of-the-web-and-the-rest {{ the_and_of }} *|THE_AND|* "
    assert detect(FR + noise * 10) == "fr"
    assert detect(noise) == "und"


def test_short_or_empty_texts_may_be_undetermined():
    assert detect("") == "und"
    assert detect("   ") == "und"
    assert detect("SALE 50%") == "und"
    assert detect("Votre facture de mars") == "fr"


def _eml_text(path):
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = msg.get_body(("html", "plain"))
    content = body.get_content()
    if body.get_content_type() == "text/html":
        return analyse_html(content, default_placeholders()).visible_text
    return content


def test_real_german_newsletters_are_german(shared_corpora):
    files = sorted(shared_corpora.glob("unspy_newsletters__*.eml"))
    assert files
    langs = {}
    for path in files:
        text = _eml_text(path)
        if len(text) > 500:
            langs[path.name] = detect(text)
    assert langs and set(langs.values()) == {"de"}, langs


def test_real_french_and_english_newsletters(shared_corpora):
    ps = default_placeholders()
    fr = analyse_html((shared_corpora / "modern" / "modern_omnivore__ttso-newsletter.html").read_text("utf-8"), ps)
    assert detect(fr.visible_text) == "fr"
    for name in ("modern_omnivore__every-io-newsletter.html", "modern_omnivore__ghost-newsletter.html",
                 "modern_mailspring__linkedin-pulse-digest-1.html"):
        en = analyse_html((shared_corpora / "modern" / name).read_text("utf-8"), ps)
        assert detect(en.visible_text) == "en", name
