"""Findings a template author can trust (issue 14): partials and layouts, shouting, images, the sender's
site, hidden text, French context, shared lists and weights. Each case is what a user runs and sees."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from contentlint.api import Linter
from contentlint.engine import PackError, load_ruleset

FOOTER_FR = ('<p style="font-size:11px">Vous recevez cet e-mail car vous êtes client. '
             '<a href="https://exemple.fr/desinscription?u=1">Se désinscrire</a></p>')


def findings(html=None, *, source=None, kind="marketing", eml=None, **kw):
    linter = Linter(kind=kind)
    if eml is not None:
        reports = linter.check_bytes(eml.encode(), source="msg.eml")
    elif source is not None:
        reports = linter.check_path(str(source))
    else:
        reports = [linter.check_html(html, **kw)]
    assert len(reports) == 1
    return reports[0], {f.rule: f for f in reports[0].findings}


def check_template(folder, name, html):
    """Write the template ``name`` into ``folder`` and check it as `contentlint check` does."""
    path = folder / name
    path.write_text(html, encoding="utf-8")
    return findings(source=path)


# -- partials and layouts -------------------------------------------------------------------------
def test_partial_with_the_unsubscribe_link_is_read_from_the_repository(tmp_path):
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "footer.hbs").write_text(
        '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a> · 1 Main Street, London</p>')
    _, found = check_template(tmp_path, "newsletter.html",
                              "<html><body><p>Hello {{ first_name }}, our spring collection is online: twelve "
                              "new pieces, from light jackets to linen shirts.</p>{{> footer}}</body></html>")
    assert "missing-unsubscribe" not in found


def test_partial_that_cannot_be_seen_is_an_info_naming_it(tmp_path):
    report, found = check_template(
        tmp_path, "commande.html.twig",
        "<html><body><p>Bonjour {{ client.prenom }}, découvrez notre sélection de la semaine, des pièces "
        "choisies dans nos ateliers.</p>{% include 'emails/pied-de-page.html.twig' %}</body></html>")
    f = found["missing-unsubscribe"]
    assert f.level == "info"
    assert "emails/pied-de-page.html.twig" in f.message
    assert report.verdict != "fail"


def test_partial_found_without_a_link_is_still_an_error(tmp_path):
    (tmp_path / "footer.html").write_text("<p>1 Main Street, London</p>")
    _, found = check_template(tmp_path, "promo.html",
                              "<html><body><p>Hello, our sale starts today on every jacket.</p>{{> footer}}</body></html>")
    assert found["missing-unsubscribe"].level == "error"


@pytest.mark.parametrize("link", ["Manage your preferences", "Update your email settings",
                                  "Gérer vos préférences", "Modifier mes préférences"])
def test_preference_centre_link_counts_as_opt_out(link):
    html = (f"<html><body><p>Hello Anna, our spring collection is online. Bonjour Anna.</p>"
            f'<p><a href="https://example.com/account/prefs">{link}</a></p></body></html>')
    _, found = findings(html)
    assert "missing-unsubscribe" not in found


def test_mautic_and_listmonk_unsubscribe_tokens():
    for html in ('<p>Bonjour, votre sélection.</p><p><a href="{unsubscribe_url}">{unsubscribe_text}</a></p>',
                 '<p>Hello, our news.</p><p><a href="{{ UnsubscribeURL }}">Unsubscribe</a></p>'):
        assert "missing-unsubscribe" not in findings(html)[1]


def test_layout_whose_body_is_a_placeholder_is_not_image_only():
    html = ('<html><body><img src="https://example.com/header.jpg" width="600" height="200" alt="Shop">'
            '{{{ body }}}<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p></body></html>')
    assert "image-text-ratio" not in findings(html)[1]


def test_server_side_tags_are_placeholders_not_text():
    from contentlint.placeholders import default_placeholders
    ps = default_placeholders()
    tokens = ps.tokens('<?php if ($x): ?><p>Hi <?= $name ?>, #{user.name} {$customer.firstname} {shop_url}</p>'
                       '<style>a{color:red} .b {display:none}</style>')
    assert tokens == ["<?php if ($x): ?>", "<?= $name ?>", "#{user.name}", "{$customer.firstname}", "{shop_url}"]
    assert ps.tokens('<?xml version="1.0" encoding="utf-8"?>') == []


# -- capitals -------------------------------------------------------------------------------------
LONG_EN = ("We are happy to introduce our new spring collection, designed for mild days and evenings outside. "
           "You will find light jackets, linen shirts and flowing dresses, all made in our workshops with "
           "materials chosen to last. Our advisers are here to help you in store or on the phone whenever you "
           "need them, and delivery is free on every order this month. ")
LONG_FR = ("Nous sommes heureux de vous présenter notre nouvelle collection de printemps, pensée pour les "
           "journées douces et les soirées en terrasse. Vous y trouverez des vestes légères, des chemises en lin "
           "et des robes fluides, toutes fabriquées dans nos ateliers de Lyon avec des matières choisies pour "
           "durer. Nos conseillères restent à votre écoute en boutique comme au téléphone. ")


@pytest.mark.parametrize("body,shout", [(LONG_EN * 2, "ACT NOW BEFORE THIS AMAZING OFFER DISAPPEARS FOREVER"),
                                        (LONG_FR * 2, "PROFITEZ DE NOS PRIX INCROYABLES CETTE SEMAINE")])
def test_shouted_line_is_flagged_in_a_long_body(body, shout):
    html = f"<html><body><p>{body}</p><p>{shout}</p>{FOOTER_FR}</body></html>"
    _, found = findings(html)
    f = found["all-caps-body"]
    assert shout.split()[0] in f.message and "shouted line" in f.message


def test_navigation_and_button_labels_are_not_shouting():
    html = ("<html><body><table><tr><td><a href='https://example.com/'>HOME</a></td>"
            "<td><a href='https://example.com/shop'>SHOP</a></td><td><a href='https://example.com/b'>BLOG</a></td>"
            "</tr></table><p>Hello Anna, here is our March news.</p>"
            "<p><a href='https://example.com/n'>READ MORE</a></p><p><a href='https://example.com/s'>SHOP NOW</a></p>"
            "<p><a href='https://exemple.fr/r'>RÉSERVER</a></p>" + FOOTER_FR + "</body></html>")
    assert "all-caps-body" not in findings(html)[1]


# -- images ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("footer", [
    FOOTER_FR.replace("</p>", " Exemple SAS, 12 rue de la Paix, 75002 Paris, RCS Paris 123 456 789.</p>"),
    '<p style="font-size:11px">You are receiving this email because you signed up. © 2026 Example Ltd, '
    '1 Main Street, London. All rights reserved. <a href="https://example.com/unsubscribe">Unsubscribe</a></p>'])
def test_image_led_promotion_with_only_a_legal_footer_is_image_heavy(footer):
    html = ('<html><body><a href="https://example.com/sale"><img src="https://example.com/sale.jpg" width="600" '
            f'height="1100" alt="Sale"></a>{footer}</body></html>')
    assert "image-text-ratio" in findings(html)[1]


# -- sender and site ------------------------------------------------------------------------------
def test_same_name_under_another_suffix_is_a_warning():
    html = ('<p>Bonjour, voici <a href="https://www.monsite.fr/a">nos nouveautés</a> et '
            '<a href="https://monsite.fr/b">nos offres</a>.</p>' + FOOTER_FR)
    f = findings(html, sender="Mon site <moi@monsite.com>")[1]["sender-domain-mismatch"]
    assert f.level == "warning" and f.weight > 0
    assert "monsite.com" in f.message and "monsite.fr" in f.message


def test_webmail_sender_linking_to_its_own_site_gets_one_finding():
    html = ('<p>Bonjour, voici <a href="https://www.maboutique.fr/a">nos nouveautés</a> et '
            '<a href="https://maboutique.fr/b">nos offres</a>.</p>' + FOOTER_FR)
    _, found = findings(html, sender="Ma boutique <maboutique@orange.fr>")
    assert "freemail-sender" not in found
    msg = found["sender-domain-mismatch"].message
    assert "webmail" in msg and "maboutique.fr" in msg


def test_one_content_link_is_judged_with_the_headers():
    eml = ("From: Shop <news@shop-mail.com>\nTo: ann@example.org\nSubject: New in\n"
           "Message-ID: <1234@mail.example-shop.com>\nList-Unsubscribe: <https://example-shop.com/u/1>\n"
           "Content-Type: text/html; charset=utf-8\n\n"
           '<p>Hello Ann, <a href="https://www.example-shop.com/new">see what is new</a>.</p>\n')
    assert "sender-domain-mismatch" in findings(eml=eml)[1]


# -- hidden text and shorteners -------------------------------------------------------------------
def test_font_shorthand_is_read():
    gap_trick = ('<table><tr><td style="font-size:0">'
                 '<div style="display:inline-block;width:300px;font:14px/20px Arial, sans-serif">Bonjour Anna, '
                 'notre collection de printemps est en ligne avec douze nouvelles pièces.</div>'
                 '<div style="display:inline-block;width:300px;font:normal 700 14px Arial">Free delivery on '
                 'every order this week, in store and online.</div></td></tr></table>' + FOOTER_FR)
    assert "hidden-text" not in findings(gap_trick)[1]
    hidden = ('<p>Hello Anna, our spring collection is online.</p><div style="font:0/0 a">cheap pills online '
              'pharmacy best prices guaranteed</div>' + FOOTER_FR)
    assert "hidden-text" in findings(hidden)[1]


def test_map_links_are_not_shortened_links():
    html = ('<p>Find us: <a href="https://maps.app.goo.gl/Xy12AbC">our shop on the map</a>, '
            '<a href="https://goo.gl/maps/Ab12">plan d\'accès</a>.</p>' + FOOTER_FR)
    assert "url-shortener" not in findings(html)[1]
    assert "url-shortener" in findings('<p><a href="https://goo.gl/Ab12">offer</a></p>' + FOOTER_FR)[1]


# -- French in context ----------------------------------------------------------------------------
def test_ready_is_not_a_loan_and_gift_wrap_is_not_a_prize():
    linter = Linter(kind="transactional", lang="fr")
    r = linter.check_html("<p>Bonjour Anna, votre commande n° 1234 est prête : paquet cadeau inclus. "
                          "Ton email est prêt.</p>", subject="Votre commande est prête")
    ids = {f.rule for f in r.findings}
    assert "risky-money-terms" not in ids and "risky-prize-terms" not in ids
    r = linter.check_html("<p>Obtenez un prêt de 5000 euros en 24 heures.</p>", subject="Votre prêt")
    assert "risky-money-terms" in {f.rule for f in r.findings}


# -- shared lists and weights ---------------------------------------------------------------------
def test_unknown_list_name_is_a_line_numbered_pack_error(tmp_path):
    pack = tmp_path / "mine.yaml"
    pack.write_text("pack: mine\nversion: 1\ndescription: d\nrules:\n  - id: my-shortener\n    title: t\n"
                    "    description: d\n    category: structure\n    level: warning\n    weight: 1\n"
                    "    type: builtin\n    check: url_shortener\n    scope: [links]\n    params:\n"
                    "      domains: {list: link-shortners}\n    message: m\n    suggestion: s\n")
    with pytest.raises(PackError) as info:
        load_ruleset([pack], cache=False)
    assert info.value.line == 15 and "link-shortners" in str(info.value) and "link-shorteners" in str(info.value)


def test_drifted_copies_are_one_list():
    rs = load_ruleset()
    ignore = set(rs.get("sender-domain-mismatch").checker.params["ignore_domains"])
    tracking = set(rs.get("link-text-mismatch").checker.params["tracking_domains"])
    assert {"substack.com", "postmarkapp.com", "mailerlite.com"} <= ignore & tracking
    assert {"clck.ru", "urlz.fr", "lnkd.in"} <= ignore


def test_check_loads_the_weights_calibrate_writes(tmp_path, monkeypatch):
    from contentlint.cli import run_check
    weights = tmp_path / "w.yaml"
    weights.write_text("weights: {url-shortener: 2.5}\nlevels: {missing-alt-text: info}\n")
    page = tmp_path / "p.html"
    page.write_text('<p>Hello, see <a href="https://bit.ly/3abc">the offer</a>.</p>'
                    '<p><a href="https://example.com/unsubscribe">Unsubscribe</a></p>')

    def shortener_weight(page=page, **kw):
        out = tmp_path / "out.json"
        run_check([str(page)], fmt="json", output=str(out), **kw)
        data = json.loads(out.read_text())
        found = [f for r in data["results"] for f in r["findings"] if f["rule"] == "url-shortener"]
        return found[0]["weight"]

    assert shortener_weight() != 2.5
    assert shortener_weight(weights=str(weights)) == 2.5
    project = tmp_path / "project"
    project.mkdir()
    (project / ".contentlint.yaml").write_text(f"weights: {weights}\n")
    (project / "p.html").write_text(page.read_text())
    assert shortener_weight(project / "p.html") == 2.5
    assert run_check([str(page)], fmt="json", output=str(tmp_path / "x.json"), weights=str(tmp_path / "nope.yaml")) == 2


def test_no_shipped_rule_warns_with_zero_points():
    zero = [r.id for r in load_ruleset().rules
            if r.level in ("warning", "error") and r.weight == 0 and r.category != "compliance"]
    assert zero == []


def test_php_template_is_read_whole(tmp_path):
    report, found = check_template(
        tmp_path, "promo.html",
        '<html><body><?php if ($promo): ?><p>Bonjour <?= $prenom ?>, découvrez nos offres de printemps sur toute '
        'la boutique.</p><?php endif; ?><p><a href="<?= $unsubscribe_url ?>">Se désinscrire</a></p></body></html>')
    assert "missing-unsubscribe" not in found and "image-text-ratio" not in found
    assert report.verdict == "pass"


def test_learned_terms_leave_transactional_wording_alone():
    """The learned pack was fitted on marketing-style spam: a confirmation mail checked as transactional
    gets none of its points ("Confirm your", "below", "This mail")."""
    eml = ("From: Shop <orders@example-shop.com>\nTo: ann@example.org\nSubject: Confirm your email address\n"
           "Content-Type: text/plain; charset=utf-8\n\nHello Ann,\n\nPlease confirm your email address with the "
           "link below. This mail was sent because you created an account.\n\nhttps://example-shop.com/confirm?t=1\n")
    linter = Linter(kind="transactional")
    report = linter.check_bytes(eml.encode(), source="confirm.eml")[0]
    assert not [f for f in report.findings if f.rule.startswith("learned-spam-terms")]
    assert report.verdict == "pass"
