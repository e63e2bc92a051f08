"""Issue 14, "scores that hold on mail from elsewhere": the learned vocabulary leaves ordinary transactional
wording alone, topic rules count distinct terms, and the classic spam families are recognised."""
from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

from contentlint import Linter, calibrate
from contentlint.engine import load_ruleset
from contentlint.paths import builtin_rules_dir
from contentlint.readers import build_message

# A sign-up confirmation as a SaaS sends it (multipart, DKIM-signed, List-Unsubscribe not needed but present).
CONFIRMATION = """\
From: Acme Projects <hello@acme-projects.example>
To: anna.martin@example.org
Subject: Confirm your email address
Date: Tue, 01 Dec 2026 09:12:40 +0000
Message-ID: <20261201091240.4f2a@mail.acme-projects.example>
DKIM-Signature: v=1; a=rsa-sha256; d=acme-projects.example; s=s1; h=from:to:subject; bh=abc=; b=def=
List-Unsubscribe: <https://acme-projects.example/unsubscribe?u=8812>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

Hi Anna,

Thanks for signing up for Acme Projects. Confirm your email address by clicking the link below:
https://acme-projects.example/confirm?t=Zx81

See below for your account details:
  Workspace: Martin Design
  Plan: Team (billed monthly)

This link will expire in 24 hours. If you did not create an account, ignore this mail and nothing
will change. This mail was sent automatically; reply to it if you have any questions.

The Acme Projects team
Acme Projects Ltd, 12 Harbour Street, Bristol BS1 4QA
--b1
Content-Type: text/html; charset=utf-8

<html lang="en"><body>
<p>Hi Anna,</p>
<p>Thanks for signing up for Acme Projects. Confirm your email address by clicking the button below:</p>
<p><a href="https://acme-projects.example/confirm?t=Zx81">Confirm your email</a></p>
<p>See below for your account details:</p>
<ul><li>Workspace: Martin Design</li><li>Plan: Team (billed monthly)</li></ul>
<p>This link will expire in 24 hours. If you did not create an account, ignore this mail and nothing
will change. This mail was sent automatically; reply to it if you have any questions.</p>
<p>The Acme Projects team<br>Acme Projects Ltd, 12 Harbour Street, Bristol BS1 4QA</p>
<p><a href="https://acme-projects.example/unsubscribe?u=8812">Unsubscribe</a></p>
</body></html>
--b1--
"""


def test_a_real_confirmation_mail_gets_no_learned_spam_terms(tmp_path):
    """"Confirm your", "below" and "This mail" added points to real confirmation mails; checked as the default
    (marketing) kind, the shipped learned pack now finds nothing in one."""
    from contentlint.cli import app

    eml = tmp_path / "confirm.eml"
    eml.write_text(CONFIRMATION)
    result = CliRunner().invoke(app, ["check", str(eml), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    (report,) = json.loads(result.output)["results"]
    learned = [f for f in report["findings"] if f["rule"].startswith(calibrate.LEARNED_RULE_PREFIX)]
    assert learned == [], learned                       # before: 3.51 points ("below for", "this mail", …)
    assert report["score"] < 3.0


def test_the_shipped_learned_pack_holds_no_ordinary_transactional_wording():
    doc = yaml.safe_load((builtin_rules_dir() / "learned-terms.yaml").read_text(encoding="utf-8"))
    for rule in doc["rules"]:
        for lang, terms in rule["terms"].items():
            ordinary = calibrate._sentence_terms(lang)
            assert not set(terms) & ordinary, (lang, sorted(set(terms) & ordinary)[:10])


def test_mining_never_learns_transactional_wording_even_when_the_corpus_says_so():
    """No ham collection of the corpus says "confirm your" twice: the list of ordinary transactional wording
    vetoes it anyway (in French too), while real spam words with the same statistics are learned."""
    def sample(label, source, lang, grams):
        return calibrate.Sample("x", label, 0, source, lang, grams=frozenset(grams))

    samples = []
    for lang, spammy, ordinary in (("en", "lottery", {"confirm your", "this mail", "below for", "below"}),
                                   ("fr", "loterie", {"confirmer votre", "ci dessous", "votre commande"})):
        samples += [sample(1, src, lang, {spammy} | ordinary) for src in ("a", "b") for _ in range(150)]
        samples += [sample(0, "h", lang, {"réunion", "meeting"}) for _ in range(300)]
    terms = {(t.lang, t.term) for t in calibrate.mine_terms(samples)}
    assert ("en", "lottery") in terms and ("fr", "loterie") in terms
    assert not {t for _, t in terms} & {"confirm your", "this mail", "below for", "below", "confirmer votre",
                                        "ci dessous", "votre commande"}


PACK = """
pack: test-distinct
version: 1
description: test
languages: [en]
rules:
  - id: money-breadth
    title: t
    description: d
    category: content
    level: warning
    weight: 1.0
    type: words
    scope: [subject, body]
    min_distinct: 2
    words:
      en: [free, make money, extra income]
    message: "Money words: {words}."
    suggestion: "Remove {words}."
    examples:
      pass: ["Free, free, free: free coffee on Friday."]
      fail: ["Make money and earn extra income."]
"""


def _rules(rs, subject, text, lang="en"):
    msg = build_message(subject=subject, text=text, input_kind="text")
    msg.lang = lang
    return {f.rule for f in rs.check(msg)}


def test_min_distinct_counts_different_terms_not_repetitions(tmp_path):
    pack = tmp_path / "p.yaml"
    pack.write_text(PACK)
    rs = load_ruleset([pack], cache=False)
    assert "money-breadth" not in _rules(rs, "Coffee", "Free coffee, free cake, free parking: free for all.")
    assert "money-breadth" in _rules(rs, "Offer", "Free guide: make money from your sofa.")
    assert "money-breadth" in _rules(rs, "Offer", "Making money is easy: extra incomes for all.")  # by lemma


FAMILIES = [   # (rule, expected to fire, subject, text, lang)
    ("topic-work-from-home", True, "Be your own boss", "Work from home 10 hours per week, no experience "
     "necessary: join our network marketing team today.", "en"),
    ("topic-work-from-home", False, "New office rules", "From June everyone may work from home on Fridays; "
     "book a desk for the other days.", "en"),
    ("topic-spam-disclaimer", True, "Special report", "This is a one time mailing and this is not spam. Under "
     "Bill S.1618 passed by the 105th Congress this message cannot be considered spam.", "en"),
    ("topic-crypto-scam", True, "Votre portefeuille sera suspendu", "Validez votre portefeuille avec votre "
     "phrase de récupération avant vendredi pour retirer vos fonds.", "fr"),
    ("topic-crypto-scam", False, "Votre relevé", "Bonjour, votre relevé BTC de mars est disponible dans "
     "l'application.", "fr"),
    ("topic-bulk-email", True, "Fichier de prospects", "Emailing de masse : 3 millions d'adresses email ciblées "
     "et notre extracteur d'emails.", "fr"),
    ("topic-health-claims", False, "Nos tisanes", "Trois tisanes bio, ingrédients 100 % naturels, cueillies en "
     "Provence.", "fr"),
]


@pytest.mark.parametrize("rule,fires,subject,text,lang", FAMILIES)
def test_classic_spam_families_are_named_and_ordinary_mail_is_not(rule, fires, subject, text, lang):
    assert (rule in _rules(Linter(kind="marketing").ruleset, subject, text, lang)) is fires


def test_a_provider_requirement_the_fit_finds_worthless_keeps_its_pack_weight(tmp_path):
    """2002 list software duplicated headers in ham, so the fit gives header-count nothing; Gmail still requires
    RFC 5322 headers, and the requirements checklist reads its warning: it keeps its pack weight, not info."""
    rs = load_ruleset(cache=False)
    cal = calibrate.Calibration(
        rule_points={"header-count": 0.0, "fake-reply-subject": 0.0}, term_points={}, freqs=[],
        fit_metrics=calibrate.Metrics(10, 5, 5, 0.9, 5.0, 0.0, 0.5, 1.0),
        hit_counts={"header-count": 120, "fake-reply-subject": 200})
    out = tmp_path / "w.yaml"
    calibrate.write_weights(cal, rs, out, corpus="c", split_note="s")
    doc = yaml.safe_load(out.read_text())
    assert "header-count" not in doc["weights"] and "header-count" not in doc.get("levels", {})
    assert doc["levels"]["fake-reply-subject"] == "info"
    loaded = load_ruleset(weights_file=out, cache=False)
    assert loaded.get("header-count").level == "warning" and loaded.get("header-count").weight > 0
