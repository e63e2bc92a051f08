"""False alarms on legitimate mail stay fixed, and the rules they came from still catch spam.

Real ham from the SpamAssassin corpus and an Apache-2.0 template (copies in corpora/, see SOURCES.md)
and hand-written French/English messages a real sender would send.  Each test names the rule that
used to fire wrongly and asserts what a user sees: the rule id is not among the findings.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from contentlint.api import Linter

CORPORA = Path(__file__).resolve().parent.parent / "corpora"
# the vocabulary and writing-style packs (core-heuristics is calibrated separately)
CONTENT_PACKS = {"core-content", "core-formatting"}


def rule_ids(path_or_bytes, kind="marketing", source="-"):
    linter = Linter(kind=kind)
    if isinstance(path_or_bytes, Path):
        reports = linter.check_path(str(path_or_bytes))
    else:
        reports = linter.check_bytes(path_or_bytes, source=source)
    assert len(reports) == 1
    return {f.rule: f for f in reports[0].findings}


def corpus_file(prefix: str) -> Path:
    found = sorted(CORPORA.glob(prefix + "*"))
    assert len(found) == 1, prefix
    return found[0]


# -- real ham -------------------------------------------------------------------------------------
@pytest.mark.parametrize("prefix,rule,why", [
    ("sa_easy_ham__00003.", "risky-urgency-terms", "'immediately' in a news story"),
    ("sa_easy_ham__00027.", "risky-urgency-terms", "'can someone help me' on a mailing list"),
    ("sa_easy_ham__00111.", "risky-money-terms", "'free software licences'"),
    ("sa_easy_ham__00373.", "risky-gambling-terms", "'I bet'"),
    ("sa_easy_ham__02302.", "risky-gambling-terms", "a time/radio 'slot'"),
    ("sa_easy_ham_2__00064.", "all-caps-subject", "'RE: [ILUG] OSI protocol'"),
    ("sa_hard_ham__00017.", "link-text-mismatch", "Dilbert.com through the newsletter's /Click redirect"),
    ("sa_hard_ham__00017.", "image-text-ratio", "spacer GIFs and header slices"),
    ("sa_hard_ham__00034.", "link-text-mismatch", "News.com through clickthru.online.com"),
    ("sa_hard_ham__00072.", "link-text-mismatch", "a winamp.com URL whose path ends in detail.jhtml"),
    ("tpl_sendwithus__templates_goldstar_welcome", "image-text-ratio", "social icons, corners and edges"),
])
def test_real_ham_false_alarm_stays_fixed(prefix, rule, why):
    assert rule not in rule_ids(corpus_file(prefix)), why


def test_real_ham_still_gets_true_findings():
    # the fixes are targeted: the same CNET newsletter still has no unsubscribe link and is HTML-heavy
    found = rule_ids(corpus_file("sa_hard_ham__00034."))
    assert "missing-list-unsubscribe" in found


# -- hand-written French and English mail ------------------------------------------------------------
LIBRAIRIE = """From: Librairie des Quais <lettre@librairie-des-quais.fr>
To: anna@example.fr
Subject: Nos coups de cœur de mars
Date: Tue, 04 Mar 2025 09:00:00 +0100
Message-ID: <lettre-2025-03@librairie-des-quais.fr>
List-Unsubscribe: <https://librairie-des-quais.fr/desinscription?u=8f2c>, <mailto:desinscription@librairie-des-quais.fr>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
DKIM-Signature: v=1; a=rsa-sha256; d=librairie-des-quais.fr; s=lettre; h=from:to:subject:date:message-id:list-unsubscribe:list-unsubscribe-post; bh=abc=; b=def=
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Bonjour Anna,

Voici nos coups de cœur du mois : un premier roman lumineux, une BD sur l'histoire de la SNCF et un essai
sur le RGPD expliqué simplement. Rencontre avec l'autrice samedi 15 mars à 16 h, entrée libre.
Réservez votre exemplaire en ligne et retirez-le en magasin, ou profitez de la livraison gratuite dès 35 euros.

À bientôt à la librairie,
L'équipe de la Librairie des Quais
12 quai de la Loire, 44000 Nantes

Se désinscrire : https://librairie-des-quais.fr/desinscription?u=8f2c

--b1
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 8bit

<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Nos coups de cœur de mars</title>
<style>.preheader{display:none!important}</style></head>
<body style="background:#ffffff">
<div class="preheader">Un premier roman lumineux, une BD et une rencontre samedi&zwnj;&nbsp;&zwnj;&nbsp;&zwnj;&nbsp;&zwnj;&nbsp;&zwnj;&nbsp;&zwnj;&nbsp;</div>
<table width="600" align="center"><tr><td>
<a href="https://librairie-des-quais.fr/"><img src="https://librairie-des-quais.fr/img/logo.png" width="200" height="60" alt="Librairie des Quais"></a>
<h1>Nos coups de cœur de mars</h1>
<p>Bonjour Anna,</p>
<p>Voici nos coups de cœur du mois : un premier roman lumineux, une BD sur l'histoire de la SNCF et un essai
sur le RGPD expliqué simplement. Rencontre avec l'autrice samedi 15 mars à 16 h, entrée libre.</p>
<p><img src="https://librairie-des-quais.fr/img/roman.jpg" width="180" height="260" alt="Couverture du roman"></p>
<p>Réservez votre exemplaire <a href="https://librairie-des-quais.fr/reserver/roman-lumineux">en ligne</a> et
retirez-le en magasin, ou profitez de la livraison gratuite dès 35 euros.</p>
<p>À bientôt à la librairie,<br>L'équipe de la Librairie des Quais<br>12 quai de la Loire, 44000 Nantes</p>
<p style="font-size:12px;color:#666666">Vous recevez cette lettre car vous êtes inscrit sur librairie-des-quais.fr.
<a href="https://librairie-des-quais.fr/desinscription?u=8f2c">Se désinscrire</a></p>
</td></tr></table></body></html>

--b1--
"""

BILLET = """From: Voyages Rail <billets@voyages-rail.fr>
To: paul@example.fr
Subject: Votre e-billet Paris - Lyon du 12 avril
Date: Mon, 07 Apr 2025 18:12:00 +0200
Message-ID: <ebillet-QX7K2L@voyages-rail.fr>
DKIM-Signature: v=1; a=rsa-sha256; d=voyages-rail.fr; s=tx; h=from:subject; bh=abc=; b=def=
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="m1"

--m1
Content-Type: multipart/alternative; boundary="a1"

--a1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Bonjour Paul,

Merci pour votre réservation. Votre e-billet est joint à ce message au format PDF.

Trajet : Paris Gare de Lyon 08h04 -> Lyon Part-Dieu 10h00, samedi 12 avril, voiture 14, place 62.
Référence de dossier : QX7K2L
Montant payé : 59,00 EUR TTC, dont TVA 10 % : 5,36 EUR.

Votre facture est disponible en PDF dans votre espace client. Présentez le QR code du billet au contrôleur
sur votre téléphone ou imprimé. Le billet est valable sur les TGV INOUI et les trains SNCF de cette relation.

Bon voyage,
Le service client Voyages Rail

--a1
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 8bit

<html lang="fr"><body>
<p>Bonjour Paul,</p>
<p>Merci pour votre réservation. Votre e-billet est joint à ce message au format PDF.</p>
<table><tr><td>Trajet</td><td>Paris Gare de Lyon 08h04 &rarr; Lyon Part-Dieu 10h00</td></tr>
<tr><td>Date</td><td>samedi 12 avril, voiture 14, place 62</td></tr>
<tr><td>Référence de dossier</td><td>QX7K2L</td></tr>
<tr><td>Montant payé</td><td>59,00 EUR TTC, dont TVA 10 % : 5,36 EUR</td></tr></table>
<p>Votre facture est disponible en PDF dans votre <a href="https://www.voyages-rail.fr/espace-client/factures">espace client</a>.
Présentez le QR code du billet au contrôleur sur votre téléphone ou imprimé. Le billet est valable sur les
TGV INOUI et les trains SNCF de cette relation.</p>
<p>Bon voyage,<br>Le service client Voyages Rail<br><a href="https://www.voyages-rail.fr/aide">Aide et contact</a></p>
</body></html>

--a1--

--m1
Content-Type: application/pdf; name="e-billet-QX7K2L.pdf"
Content-Disposition: attachment; filename="e-billet-QX7K2L.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoKdHJhaWxlcgo8PC9Sb290IDEgMCBSPj4KJSVFT0YK

--m1--
"""

RELEVE = """From: Banque du Val <relations@banqueduval.fr>
To: claire@example.fr
Subject: Votre relevé de compte de mars est disponible
Date: Wed, 02 Apr 2025 07:30:00 +0200
Message-ID: <releve-2025-03-881@banqueduval.fr>
DKIM-Signature: v=1; a=rsa-sha256; d=banqueduval.fr; s=notif; h=from:subject; bh=abc=; b=def=
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="r1"

--r1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Bonjour Claire,

Votre relev=C3=A9 de compte de mars 2025 est disponible en PDF dans votre espace client, rubrique
Documents. Il pr=C3=A9sente vos op=C3=A9rations du 1er au 31 mars ainsi que le r=C3=A9capitulatif annuel
des frais.

Pour le consulter, connectez-vous =C3=A0 votre espace client depuis notre site ou notre application
habituelle. Nous ne vous demanderons jamais vos identifiants par e-mail.

Votre conseill=C3=A8re, Mme Dupuis, reste =C3=A0 votre disposition au 02 40 00 00 00.

Cordialement,
Banque du Val - SA au capital de 10 000 000 EUR - RCS Nantes 123 456 789 - ORIAS 07 000 000

--r1
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<html lang=3D"fr"><body>
<p>Bonjour Claire,</p>
<p>Votre relev=C3=A9 de compte de mars 2025 est disponible en PDF dans votre
<a href=3D"https://www.banqueduval.fr/espace-client/documents">espace client</a>, rubrique Documents.
Il pr=C3=A9sente vos op=C3=A9rations du 1er au 31 mars ainsi que le r=C3=A9capitulatif annuel des frais.</p>
<p>Pour le consulter, connectez-vous =C3=A0 votre espace client depuis notre site ou notre application
habituelle. Nous ne vous demanderons jamais vos identifiants par e-mail.</p>
<p>Votre conseill=C3=A8re, Mme Dupuis, reste =C3=A0 votre disposition au 02 40 00 00 00.</p>
<p>Cordialement,<br>Banque du Val</p>
<p style=3D"font-size:11px;color:#777777">Banque du Val - SA au capital de 10 000 000 EUR - RCS Nantes
123 456 789 - ORIAS 07 000 000 - <a href=3D"https://www.banqueduval.fr/mentions-legales">Mentions l=C3=A9gales</a></p>
</body></html>

--r1--
"""

COMMUNITY = """From: Lyon Python Meetup <hello@lyonpython.org>
To: sam@example.com
Subject: RE: [LPM] June meetup talks
Date: Thu, 05 Jun 2025 10:00:00 +0200
Message-ID: <june-2025-re1@lyonpython.org>
In-Reply-To: <june-2025@lyonpython.org>
References: <june-2025@lyonpython.org>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hi Sam,

Thanks for the talk proposal. I bet the room will be full again: we moved to the bigger hall, and the
doors open immediately after work at 18:30. There is one workshop slot left on Saturday; it is free to
attend, and the CPython core developers will help with the PEP 703 build. The slides (PDF) and the
API docs are on the wiki. Feel free to bring a friend; free software all the way, as always.

If anyone can help me carry the projector, reply to this thread.

Cheers,
Camille
"""


def eml(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8")


@pytest.mark.parametrize("name,text,kind", [
    ("bookshop newsletter", LIBRAIRIE, "marketing"),
    ("e-ticket", BILLET, "transactional"),
    ("bank statement notice", RELEVE, "transactional"),
    ("community mailing list", COMMUNITY, "marketing"),
])
def test_legitimate_mail_has_no_content_warning(name, text, kind):
    found = rule_ids(eml(text), kind=kind, source=name)
    serious = {rid: f.level for rid, f in found.items()
               if f.pack in CONTENT_PACKS and f.level in ("warning", "error")}
    assert serious == {}, name


def test_acronyms_are_not_shouting_in_french_mail():
    for text in (LIBRAIRIE, BILLET, RELEVE):
        found = rule_ids(eml(text), kind="transactional")
        assert "all-caps-body" not in found and "all-caps-subject" not in found


def test_facture_in_a_transactional_mail_is_at_most_info():
    found = rule_ids(eml(BILLET), kind="transactional")
    assert "risky-phishing-terms" not in found or found["risky-phishing-terms"].level == "info"
    # the same word in a marketing mail is still reported
    assert "risky-phishing-terms" in rule_ids(eml(BILLET), kind="marketing")


def test_bookshop_newsletter_preheader_is_not_hidden_text():
    found = rule_ids(eml(LIBRAIRIE))
    # no deliverability finding at all; its one layout table without role="presentation" is a true
    # accessibility finding, worth 0 points
    spam = {rid for rid, f in found.items() if f.category not in ("accessibility", "rendering")}
    assert "hidden-text" not in found and spam == set()
    assert set(found) == {"layout-table-role"} and found["layout-table-role"].weight == 0


# -- the loosened rules still catch spam ---------------------------------------------------------
def html_mail(subject, html, sender="Deals <deals@example.com>"):
    return eml(f"From: {sender}\nTo: a@example.org\nSubject: {subject}\nMIME-Version: 1.0\n"
               f"Content-Type: text/html; charset=utf-8\n\n{html}\n")


def text_mail(subject, body, sender="Deals <deals@example.com>"):
    return eml(f"From: {sender}\nTo: a@example.org\nSubject: {subject}\nMIME-Version: 1.0\n"
               f"Content-Type: text/plain; charset=utf-8\n\n{body}\n")


@pytest.mark.parametrize("rule,message", [
    ("link-text-mismatch", html_mail("Account notice", '<p>Please sign in at <a href="http://secure-login.example.net/'
                                     'click/paypal">www.paypal.com</a> to keep your account.</p>')),
    ("link-text-mismatch", html_mail("Account notice", '<p>Sign in at <a href="http://203-login.example.net/Click?q=1">'
                                     'https://www.paypal.com/signin</a> today.</p>')),
    ("image-text-ratio", html_mail("Hot deals", '<a href="http://deals.example.com/x"><img src="http://deals.example.com'
                                   '/offer.jpg" width="600" height="800"></a><p>Click above</p>')),
    ("all-caps-subject", text_mail("RE: FREE MONEY FOR YOU", "Hello, see the attached offer for you.")),
    ("all-caps-body", text_mail("Offer", "TAKE FREE CRYPTO NOW. TAKE FREE CRYPTO NOW. Claim it today.")),
    ("risky-urgency-terms", text_mail("Offer", "Act now! Respond immediately, this limited time offer ends.")),
    ("risky-gambling-terms", text_mail("Bonus", "Play at our online casino: 50 free spins and online betting odds.")),
    ("risky-money-terms", text_mail("Income", "Make money from home, 100% free, earn cash fast.")),
])
def test_rules_still_fire_on_spam(rule, message):
    assert rule in rule_ids(message)


def test_a_tracking_shaped_link_elsewhere_is_still_a_mismatch():
    # a click-tracking path is trusted only on the sender's own domain or when its URL carries the shown
    # address; here it is neither
    msg = html_mail("Notice", '<p><a href="http://t.example.net/go/to?destUrl=http%3A%2F%2Fevil.example.org">'
                              'www.mybank.com</a></p>')
    assert "link-text-mismatch" in rule_ids(msg)
    own = html_mail("News", '<p><a href="http://t.example.net/go/to?destUrl=http%3A%2F%2Fwww.mybank.com%2Fa">'
                            'www.mybank.com</a></p>')
    assert "link-text-mismatch" not in rule_ids(own)
