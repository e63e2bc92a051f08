"""The core catalogue as a user meets it: every public id exists, fires on realistic bad mail, stays
silent on realistic clean mail (French and English), and says something specific about the fix."""
from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import pytest

from contentlint.engine import load_ruleset
from contentlint.engine.docs import list_rules_table, show_rule
from contentlint.engine.lemmas import shipped_path
from contentlint.model import INPUT_EML, Message, Problem

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

REQUIRED_IDS = """
risky-phishing-terms risky-prize-terms risky-urgency-terms risky-gambling-terms risky-money-terms
subject-too-long all-caps-subject all-caps-body excessive-punctuation
image-text-ratio missing-alt-text missing-text-part hidden-text link-text-mismatch url-shortener gmail-clipping
noreply-sender freemail-sender sender-domain-mismatch
missing-unsubscribe missing-list-unsubscribe missing-one-click-unsubscribe
dkim-missing dkim-misaligned auth-results-fail input-problem
""".split()


@pytest.fixture(scope="module")
def rs():
    return load_ruleset()


def read_eml(text: str, source="<test>") -> Message:
    from contentlint.readers import read_bytes

    (msg,) = list(read_bytes(text.encode("utf-8"), source=source, hint_ext=".eml"))
    assert isinstance(msg, Message), msg
    return msg


def by_rule(findings):
    return {f.rule: f for f in findings}


def serious(findings):
    return [f for f in findings if f.level in ("warning", "error")]


# -- catalogue ------------------------------------------------------------------------------------
def test_every_public_id_exists_with_a_category(rs):
    missing = [rid for rid in REQUIRED_IDS if rid not in rs]
    assert not missing
    assert rs.get("missing-unsubscribe").category == "compliance" and rs.get("missing-unsubscribe").level == "error"
    assert rs.get("missing-one-click-unsubscribe").category == "compliance"
    assert rs.get("dkim-misaligned").category == "authentication"
    assert {r.category for r in rs.rules if r.pack == "core-input"} == {"input"}
    assert all(r.weight <= 0.5 for r in rs.rules if r.category == "input")
    assert rs.get("missing-unsubscribe").kinds == ("marketing",)


def test_shipped_lemma_table_is_up_to_date():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import build_lemmas
    finally:
        sys.path.pop(0)
    with gzip.open(shipped_path(), "rt", encoding="utf-8") as fh:
        shipped = json.load(fh)
    assert shipped == build_lemmas.build(), "run tools/build_lemmas.py after editing word lists"


def test_rules_listing_and_show(rs):
    table = list_rules_table(rs)
    lines = table.splitlines()
    assert lines[0].split()[:5] == ["ID", "PACK", "CATEGORY", "LEVEL", "WEIGHT"]
    row = next(line for line in lines if line.startswith("missing-unsubscribe "))
    assert row.split()[1:5] == ["core-compliance", "compliance", "error", "0"]  # policy: gates the verdict, no points
    assert all(any(line.startswith(rid + " ") for line in lines) for rid in REQUIRED_IDS)
    text = show_rule(rs, "risky-prize-terms")
    assert "Prize and gift vocabulary" in text and "Why:" in text and "Suggestion:" in text
    assert "You are a WINNER" in text and "Examples that fail" in text and "cadeau" in text
    assert "replaces: dkim-misaligned" in show_rule(rs, "dmarc-dkim-misaligned")
    with pytest.raises(KeyError):
        show_rule(rs, "no-such-rule")


# -- clean mail stays clean -----------------------------------------------------------------------
def test_clean_english_newsletter_has_no_warning(rs):
    msg = read_eml((EXAMPLES / "newsletter-en.eml").read_text(encoding="utf-8"), "newsletter-en.eml")
    found = rs.check(msg, "marketing")
    assert serious(found) == [], [(f.rule, f.message) for f in found]


CLEAN_FR = """\
From: Librairie du Port <bonjour@librairie-du-port.fr>
To: Camille <camille@example.org>
Subject: Nos coups de coeur de mars
Date: Wed, 13 Mar 2024 10:00:00 +0100
Message-ID: <abc@librairie-du-port.fr>
DKIM-Signature: v=1; a=rsa-sha256; d=librairie-du-port.fr; s=s1; h=from:to:subject:date:list-unsubscribe:list-unsubscribe-post; bh=x; b=y
Authentication-Results: mx.example.org; dkim=pass header.d=librairie-du-port.fr; spf=pass; dmarc=pass
List-Unsubscribe: <https://www.librairie-du-port.fr/desinscription/42>, <mailto:desinscription@librairie-du-port.fr>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
MIME-Version: 1.0
Content-Language: fr
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

Bonjour Camille,

Ce mois-ci, notre équipe a lu pour vous trois romans et un essai sur la mer.
Retrouvez nos coups de coeur : https://www.librairie-du-port.fr/coups-de-coeur
Rencontre avec l'autrice jeudi 21 mars à 18 h, entrée libre.

Se désinscrire : https://www.librairie-du-port.fr/desinscription/42

--b1
Content-Type: text/html; charset=utf-8

<html lang="fr"><body>
<div style="display:none;max-height:0;overflow:hidden">Trois romans et un essai pour le printemps</div>
<img src="https://www.librairie-du-port.fr/img/logo.png" alt="Librairie du Port" width="160" height="40">
<p>Bonjour Camille,</p>
<p>Ce mois-ci, notre équipe a lu pour vous trois romans et un essai sur la mer. Une sélection pour
accompagner les premiers jours du printemps, à découvrir en boutique ou sur notre site.</p>
<p><a href="https://www.librairie-du-port.fr/coups-de-coeur">Voir nos coups de coeur</a></p>
<p>Rencontre avec l'autrice jeudi 21 mars à 18 h, entrée libre. Réservez votre place sur
<a href="https://www.librairie-du-port.fr/agenda">www.librairie-du-port.fr</a>.</p>
<p><a href="https://www.facebook.com/librairieduport">Facebook</a></p>
<p style="font-size:12px"><a href="https://www.librairie-du-port.fr/desinscription/42">Se désinscrire</a></p>
<img src="https://t.librairie-du-port.fr/o.gif" width="1" height="1" alt="">
</body></html>
--b1--
"""


def test_clean_french_newsletter_has_no_warning(rs):
    msg = read_eml(CLEAN_FR)
    assert msg.lang == "fr"
    found = rs.check(msg, "marketing")
    assert serious(found) == [], [(f.rule, f.message) for f in found]


# -- bad mail fires -------------------------------------------------------------------------------
def test_spammy_french_promotion(rs):
    msg = read_eml((EXAMPLES / "promo-fr.eml").read_bytes().decode("latin-1"), "promo-fr.eml")
    found = by_rule(rs.check(msg, "marketing"))
    for rid in ("all-caps-subject", "risky-money-terms", "risky-prize-terms", "excessive-punctuation",
                "noreply-sender", "url-shortener", "missing-unsubscribe"):
        assert rid in found, (rid, sorted(found))
    assert all(f.suggestion.strip() for f in found.values())


SPAM_EN = """\
From: Rewards Team <noreply@rewards-center.example>
To: you@example.org
Subject: CONGRATULATIONS!!! YOU ARE OUR LUCKY WINNER - CLAIM YOUR FREE PRIZE BEFORE IT EXPIRES TODAY
Date: Wed, 13 Mar 2024 10:00:00 +0000
Authentication-Results: mx.example.org; spf=fail smtp.mailfrom=rewards-center.example; dkim=none; dmarc=fail
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Dear customer,

You have won a $1,000 gift card. ACT NOW: this offer expires today!!!
Claim your prize here: https://bit.ly/claim-prize-now
Verify your account to receive the money.
"""


def test_spammy_english_message(rs):
    msg = read_eml(SPAM_EN)
    assert msg.lang == "en"
    found = by_rule(rs.check(msg, "marketing"))
    for rid in ("risky-prize-terms", "risky-urgency-terms", "risky-phishing-terms", "risky-money-terms",
                "subject-too-long", "all-caps-subject", "excessive-punctuation", "noreply-sender",
                "missing-unsubscribe", "missing-list-unsubscribe", "missing-one-click-unsubscribe",
                "dkim-missing", "auth-results-fail"):
        assert rid in found, (rid, sorted(found))
    assert found["auth-results-fail"].level == "error"
    assert "SPF" in found["auth-results-fail"].suggestion and "DMARC" in found["auth-results-fail"].suggestion


# -- specific suggestions (issue 4) ---------------------------------------------------------------
@pytest.mark.parametrize("subject", [
    "Our complete spring collection has arrived: discover every new product today",
    "Découvrez dès aujourd'hui toute notre nouvelle collection printemps-été 2024 en boutique",
    "Supercalifragilisticexpialidocious-and-more-words-joined-together-forever yes",
])
def test_subject_too_long_suggests_a_real_shortened_subject(rs, subject):
    msg = Message(source="t", subject=subject, has_headers=False, text="Hello")
    f = by_rule(rs.check(msg))["subject-too-long"]
    assert f.level == "warning"
    assert f"{len(subject)} characters" in f.message and "50" in f.message
    shortened = f.suggestion.split("“")[1].split("”")[0]
    assert 0 < len(shortened) <= 50
    if " " in subject[:51]:
        words = subject.split()
        short_words = shortened.split()
        assert words[:len(short_words) - 1] == short_words[:-1]
        assert words[len(short_words) - 1].startswith(short_words[-1])


def test_subject_length_counts_what_the_reader_sees(rs):
    # 34 visible characters plus a long placeholder: no finding
    msg = Message(source="t", subject="{{ customer.first_name | default('friend') }}, our March news is here",
                  has_headers=False)
    visible = len(", our March news is here")
    assert visible < 35
    assert "subject-too-long" not in by_rule(rs.check(msg))
    info = by_rule(rs.check(Message(source="t", subject="Our spring collection is online today", has_headers=False)))
    assert info["subject-too-long"].level == "info" and info["subject-too-long"].weight < rs.get("subject-too-long").weight


def test_caps_suggestions_rewrite_the_words(rs):
    f = by_rule(rs.check(Message(source="t", subject="HUGE SALE ON PDF guides", has_headers=False)))["all-caps-subject"]
    assert "“Huge sale on PDF guides”" in f.suggestion
    assert set(f.matches) == {"HUGE", "SALE", "ON"}
    body = "Hello. LIMITED OFFER TODAY ONLY FOR OUR BEST CUSTOMERS. Your TVA invoice is attached as PDF."
    f = by_rule(rs.check(Message(source="t", text=body, has_headers=False)))["all-caps-body"]
    assert "“LIMITED” → “Limited”" in f.suggestion and "“TODAY” → “today”" in f.suggestion
    assert "TVA" not in f.matches and "PDF" not in f.matches


def test_acronyms_and_placeholders_are_not_shouting(rs):
    for subject in ("Votre billet SNCF et la facture TVA en PDF", "RGPD : ce qui change pour les PME et TPE",
                    "*|FNAME|*, USA and UK CEO summit", "Your HTML and SMS templates"):
        found = by_rule(rs.check(Message(source="t", subject=subject, has_headers=False, lang="und")))
        assert "all-caps-subject" not in found, subject


def test_noreply_suggests_a_monitored_address_on_the_same_domain(rs):
    for addr in ("noreply@shop.example.com", "ne_pas_repondre@boutique.fr", "Do-Not-Reply@shop.example.com",
                 "nepasrepondre@boutique.fr"):
        msg = Message(source="t", from_addr=addr, from_domain=addr.split("@")[1].lower(), has_headers=False)
        f = by_rule(rs.check(msg))["noreply-sender"]
        assert f"contact@{addr.split('@')[1].lower()}" in f.suggestion
    ok = Message(source="t", from_addr="news@shop.example.com", from_domain="shop.example.com", has_headers=False)
    assert "noreply-sender" not in by_rule(rs.check(ok))


def headers_msg(headers, **kw):
    from_addr = kw.pop("from_addr", "news@example.com")
    return Message(source="t", input_format=INPUT_EML, has_headers=True, headers=headers, from_addr=from_addr,
                   from_domain=from_addr.split("@")[1], text="Hello, unsubscribe: https://example.com/u", **kw)


def test_one_click_suggestion_gives_the_exact_two_headers(rs):
    msg = headers_msg([("From", "news@example.com"),
                       ("List-Unsubscribe", "<https://example.com/u/42>, <mailto:u@example.com>")])
    f = by_rule(rs.check(msg))["missing-one-click-unsubscribe"]
    assert "List-Unsubscribe: <https://example.com/u/42>, <mailto:unsubscribe@example.com>" in f.suggestion
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in f.suggestion
    assert "missing-list-unsubscribe" not in by_rule(rs.check(msg))
    good = headers_msg([("From", "news@example.com"),
                        ("List-Unsubscribe", "<https://example.com/u/42>"),
                        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")])
    assert "missing-one-click-unsubscribe" not in by_rule(rs.check(good))


def test_suggestions_never_ask_to_configure_a_webmail_domain(rs):
    """Nobody can publish DKIM keys or host an unsubscribe page on gmail.com: point to the user's own domain."""
    msg = headers_msg([("From", "Ma boutique <maboutique@gmail.com>")], from_addr="maboutique@gmail.com")
    found = by_rule(rs.check(msg))
    for rule in ("dkim-missing", "missing-list-unsubscribe", "missing-one-click-unsubscribe"):
        assert "gmail.com" not in found[rule].suggestion, rule
        assert "your-domain.example" in found[rule].suggestion, rule
    assert "gmail.com" in found["freemail-sender"].message
    own = by_rule(rs.check(headers_msg([("From", "news@shop.example.com")], from_addr="news@shop.example.com")))
    assert "selector._domainkey.shop.example.com" in own["dkim-missing"].suggestion


@pytest.mark.parametrize("html,expected", [
    ("<p>Bonjour *|FNAME|*, voici nos nouveautés.</p>", "*|UNSUB|*"),
    ("<p>Bonjour [[var:prenom]], voici nos nouveautés.</p>", "[["),
])
def test_missing_unsubscribe_snippet_uses_the_templates_esp(rs, html, expected):
    from contentlint.readers import build_message

    msg = build_message(html=html, subject="Nouveautés", sender="news@example.com")
    f = by_rule(rs.check(msg))["missing-unsubscribe"]
    assert expected in f.suggestion and f.level == "error"
    assert "missing-unsubscribe" not in by_rule(rs.check(msg, "transactional"))


def test_header_rules_do_not_apply_to_templates(rs):
    msg = Message(source="t.html", input_format="html", has_headers=False, subject="Hello", text="Hi",
                  from_addr="news@example.com", from_domain="example.com")
    fired = set(by_rule(rs.check(msg)))
    assert not fired & {"missing-list-unsubscribe", "missing-one-click-unsubscribe", "dkim-missing",
                        "dkim-misaligned", "auth-results-fail", "missing-text-part"}


def test_dkim_alignment_is_relaxed(rs):
    aligned = headers_msg([("From", "news@example.com"),
                           ("DKIM-Signature", "v=1; a=rsa-sha256;\r\n d=mail.example.com; s=s1; b=x")])
    assert not {"dkim-missing", "dkim-misaligned"} & set(by_rule(rs.check(aligned)))
    other = headers_msg([("From", "news@example.com"), ("DKIM-Signature", "v=1; d=sendgrid.net; s=s1; b=x")])
    f = by_rule(rs.check(other))["dkim-misaligned"]
    assert "d=example.com" in f.suggestion and "sendgrid.net" in f.message


def test_input_problems_become_input_findings(rs):
    msg = Message(source="t", text="Hello", has_headers=False,
                  problems=[Problem("truncated-base64", "part 2 is cut"), Problem("no-body", "nothing to read"),
                            Problem("wrong-charset", "utf-8 bytes labelled latin-1")])
    found = by_rule(rs.check(msg))
    assert found["truncated-base64"].category == "input" and "part 2 is cut" in found["truncated-base64"].message
    assert found["unknown-charset"].matches == ("wrong-charset: utf-8 bytes labelled latin-1",)
    assert found["input-problem"].matches == ("no-body: nothing to read",)


def test_transactional_mail_skips_marketing_rules(rs):
    msg = headers_msg([("From", "orders@example.com")], from_addr="orders@example.com", subject="Order 1234 shipped")
    msg.text = "Your order 1234 has shipped."
    found = by_rule(rs.check(msg, "transactional"))
    assert not {"missing-unsubscribe", "missing-list-unsubscribe", "missing-one-click-unsubscribe"} & set(found)
    assert {"missing-list-unsubscribe", "missing-unsubscribe"} <= set(by_rule(rs.check(msg, "marketing")))


def test_findings_sorted_one_per_rule_with_suggestions(rs):
    msg = read_eml(SPAM_EN)
    found = rs.check(msg)
    ids = [f.rule for f in found]
    assert len(ids) == len(set(ids))
    assert found == sorted(found, key=lambda f: f.sort_key())
    for f in found:
        assert f.suggestion.strip() and f.message.strip()
        assert "{" not in f.message and "{" not in f.suggestion, f


def test_a_slow_regex_at_run_time_becomes_a_finding_not_a_hang(rs, monkeypatch, tmp_path):
    from contentlint.engine import checkers as kinds
    from contentlint.engine.engine import RuleSet
    from contentlint.engine.packs import compile_rule

    raw = {"id": "slow-rule", "title": "t", "description": "d", "category": "content", "level": "info",
           "weight": 1, "type": "regex", "scope": ["body"], "pattern": "(a|a)+$", "message": "m {match}",
           "suggestion": "s {match}"}
    rule = compile_rule(raw, "p", [], str(tmp_path / "p.yaml"), probe=False)   # skip the load-time probe
    monkeypatch.setattr(kinds, "RUN_TIMEOUT", 0.02)
    ruleset = RuleSet([rule])
    (f,) = ruleset.check(Message(source="t", text="a" * 40 + "!", has_headers=False))
    assert f.rule == "slow-rule" and f.weight == 0 and "timed out" in f.message and "(a|a)+" in f.suggestion


def test_corpus_messages_check_cleanly(rs, shared_corpora):
    from contentlint.readers import iter_messages

    files = sorted(shared_corpora.glob("sa_*.eml"))[::150][:15]
    assert files
    for result in iter_messages([str(p) for p in files]):
        if not isinstance(result, Message):
            continue
        for f in rs.check(result):
            assert f.suggestion.strip()
            assert "{" not in f.message.replace("{{", ""), f
