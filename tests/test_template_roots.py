"""Template roots (issue 14, "Templates are pieces of a whole"): the partials and layouts a template includes
are read from the folders a user names (`--template-root`, `template-root:`, `Linter(template_roots=…)`), nested
includes are followed, nothing outside the roots is read, and `missing-unsubscribe` says what it read or could
not see. Each tree is what a real repository holds: a Symfony shop, a Jinja newsletter archive, a Rails mailer."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contentlint import cli, partials
from contentlint.api import Linter
from contentlint.cli import app
from contentlint.config import ConfigError, clear_cache, load_config
from contentlint.placeholders import default_placeholders
from test_config import write


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.chdir(tmp_path)
    clear_cache()
    yield
    clear_cache()


def contentlint_check(capsys, *args) -> tuple[int, dict]:
    """`contentlint check --format json ARGS` as the console entry point runs it; (exit code, the single result)."""
    with pytest.raises(SystemExit) as exit_:
        cli.main(["check", "--format", "json", *map(str, args)])
    out = json.loads(capsys.readouterr().out)
    assert len(out["results"]) == 1, out
    return exit_.value.code, out["results"][0]


def unsubscribe_finding(result: dict):
    return next((f for f in result["findings"] if f["rule"] == "missing-unsubscribe"), None)


# -- a Jinja newsletter archive whose partials live in a shared folder --------------------------------------
NEWSLETTER_FR = """---
subject: Les nouveautés de décembre
from: Librairie des Quais <bonjour@librairie-des-quais.fr>
---
<html lang="fr"><head><title>Les nouveautés de décembre</title></head><body>
<p>Bonjour {{ abonne.prenom }},</p>
<p>Voici les romans, les essais et les beaux livres arrivés ce mois-ci à la librairie, avec les coups de cœur
de l'équipe et les dates des prochaines rencontres avec les auteurs.</p>
{% include "partials/footer.html" %}
</body></html>
"""
FOOTER_FR = """<p style="font-size:12px;color:#555">Librairie des Quais, 12 quai de la Tournelle, 75005 Paris.
Vous recevez cette lettre car vous vous êtes inscrit sur notre site.
<a href="https://www.librairie-des-quais.fr/lettre/desabonnement?id={{ abonne.id }}">Se désabonner</a></p>
"""


def newsletter_tree(tmp_path: Path) -> Path:
    """campagnes/2026/12/fr/newsletter.html, partials in shared/partials/: beyond the folders next to it."""
    write(tmp_path / "shared" / "partials" / "footer.html", FOOTER_FR)
    return write(tmp_path / "campagnes" / "2026" / "12" / "fr" / "newsletter.html", NEWSLETTER_FR)


def test_jinja_newsletter_footer_is_read_from_the_template_root_given_on_the_command_line(capsys, tmp_path):
    template = newsletter_tree(tmp_path)
    code, result = contentlint_check(capsys, template)
    unseen = unsubscribe_finding(result)
    assert unseen["level"] == "info"                                   # not seen without the root
    assert "“partials/footer.html” (not found)" in unseen["message"]
    assert "no template root is set" in unseen["message"]
    assert "--template-root" in unseen["suggestion"]

    code, result = contentlint_check(capsys, "--template-root", "shared", template)
    assert unsubscribe_finding(result) is None
    assert code == 0 and result["verdict"] == "pass"


def test_template_root_in_the_configuration_is_relative_to_it(capsys, tmp_path, monkeypatch):
    template = newsletter_tree(tmp_path)
    write(tmp_path / ".contentlint.yaml", "languages: [fr]\ntemplate_root: shared\n")
    monkeypatch.chdir(template.parent)                                  # run from elsewhere: still found
    code, result = contentlint_check(capsys, template)
    assert unsubscribe_finding(result) is None and code == 0
    assert load_config(str(tmp_path / ".contentlint.yaml")).template_roots == (str(tmp_path / "shared"),)


def test_the_editor_worker_reads_the_root_from_the_configuration(tmp_path):
    from contentlint.lsp.worker import CheckRequest, Checker

    template = newsletter_tree(tmp_path)
    unsaved = NEWSLETTER_FR.replace("ce mois-ci", "cette semaine")           # the buffer, not the file
    checker = Checker()
    [before] = checker.check(CheckRequest(text=unsaved, source=str(template), hint_ext=".html")).reports
    assert "missing-unsubscribe" in {f.rule for f in before.findings}
    write(tmp_path / ".contentlint.yaml", "template-root: shared\n")
    result = checker.check(CheckRequest(text=unsaved, source=str(template), hint_ext=".html", config_changed=True))
    assert not result.errors and "missing-unsubscribe" not in {f.rule for f in result.reports[0].findings}


def test_configuration_takes_a_list_of_roots_and_names_a_missing_one(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "templates").mkdir()
    cfg = write(tmp_path / "a.yaml", "template-root: [templates, shared]\n")
    assert load_config(str(cfg)).template_roots == (str(tmp_path / "templates"), str(tmp_path / "shared"))
    with pytest.raises(ConfigError) as err:
        load_config(str(write(tmp_path / "b.yaml", "kind: marketing\ntemplate-root: [shared, gabarits]\n")))
    assert err.value.line == 2 and "gabarits" in err.value.message


def test_missing_root_on_the_command_line_exits_2(capsys, tmp_path):
    template = newsletter_tree(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        cli.main(["check", "--template-root", "partages", str(template)])
    assert exit_.value.code == 2
    assert "--template-root: no such folder: partages" in capsys.readouterr().err


def test_info_names_the_partial_and_every_root_searched(capsys, tmp_path):
    template = newsletter_tree(tmp_path)
    (tmp_path / "shared" / "partials" / "footer.html").unlink()
    (tmp_path / "vendor").mkdir()
    code, result = contentlint_check(capsys, "--template-root", "shared", "--template-root", "vendor", template)
    f = unsubscribe_finding(result)
    assert f["level"] == "info" and result["verdict"] != "fail"
    assert "“partials/footer.html” (not found)" in f["message"]
    assert "the template roots shared/ and vendor/" in f["message"]


# -- a Symfony order confirmation: extends a layout that includes the footer (Twig) -------------------------
def symfony_tree(tmp_path: Path) -> Path:
    write(tmp_path / "templates" / "emails" / "base.html.twig",
          "<html lang=\"fr\"><head><title>{% block title %}{% endblock %}</title></head><body>\n"
          "{% block content %}{% endblock %}\n"
          "{{ include('emails/_pied_de_page.html.twig', {client: commande.client}) }}\n</body></html>\n")
    write(tmp_path / "templates" / "emails" / "_pied_de_page.html.twig",
          "<p>Boutique Lumière, 4 rue des Arts, 69001 Lyon.</p>\n"
          "<p><a href=\"{{ url('newsletter_desinscription', {jeton: client.jeton}) }}\">Se désinscrire des offres</a></p>\n")
    return write(tmp_path / "templates" / "emails" / "commande" / "confirmation.html.twig",
                 "{% extends 'emails/base.html.twig' %}\n"
                 "{% block title %}Votre commande n° {{ commande.reference }}{% endblock %}\n"
                 "{% block content %}<p>Bonjour {{ commande.client.prenom }},</p>\n"
                 "<p>Merci pour votre commande n° {{ commande.reference }} du {{ commande.date|date('d/m/Y') }}. "
                 "Nous préparons votre colis et vous écrirons dès son expédition.</p>{% endblock %}\n")


def test_symfony_order_confirmation_gets_the_link_from_the_footer_its_layout_includes(capsys, tmp_path):
    template = symfony_tree(tmp_path)
    code, result = contentlint_check(capsys, "--template-root", "templates", "--from",
                                     "Boutique Lumière <commandes@boutique-lumiere.fr>", template)
    assert unsubscribe_finding(result) is None
    assert result["verdict"] == "pass"


def test_the_error_names_the_partials_it_read(capsys, tmp_path):
    template = symfony_tree(tmp_path)
    write(tmp_path / "templates" / "emails" / "_pied_de_page.html.twig", "<p>Boutique Lumière, 4 rue des Arts, Lyon.</p>")
    code, result = contentlint_check(capsys, "--template-root", "templates", template)
    f = unsubscribe_finding(result)
    assert f["level"] == "error" and code == 1
    assert "“emails/base.html.twig” (templates/emails/base.html.twig)" in f["message"]
    assert "“emails/_pied_de_page.html.twig” (templates/emails/_pied_de_page.html.twig)" in f["message"]
    assert "were read and have none either" in f["message"]


# -- a Rails mailer: render "shared/footer", which renders the unsubscribe line --------------------------
def test_rails_mailer_footer_and_its_nested_partial(tmp_path):
    views = tmp_path / "app" / "views"
    write(views / "shared" / "_footer.html.erb",
          "<p>Acme Tools Ltd, 20 Market Street, Leeds.</p>\n<%= render \"shared/unsubscribe\", user: @user %>\n")
    write(views / "shared" / "_unsubscribe.html.erb",
          "<p><%= link_to \"Unsubscribe from these emails\", unsubscribe_url(token: user.token) %></p>\n")
    template = write(views / "newsletter_mailer" / "weekly.html.erb",
                     "<h1>This week at Acme</h1>\n<p>Hello <%= @user.first_name %>, three new cordless drills and a "
                     "workshop on sharpening chisels are waiting for you this week.</p>\n"
                     "<%= render :partial => \"shared/footer\" %>\n")
    result = CliRunner().invoke(app, ["check", "--format", "json", "--template-root", str(views),
                                      "--from", "Acme <news@acme-tools.co.uk>", str(template)],
                                catch_exceptions=False)      # the typer command takes the option too
    [res] = json.loads(result.stdout)["results"]
    assert unsubscribe_finding(res) is None and result.exit_code == 0


# -- nothing outside the roots is read ----------------------------------------------------------------------
def outside_footer(tmp_path: Path) -> Path:
    return write(tmp_path / "ailleurs" / "footer.html",
                 '<p><a href="https://example.com/unsubscribe">Unsubscribe</a></p>')


@pytest.mark.parametrize("name", ["../ailleurs/footer.html", "partials/../../ailleurs/footer.html"])
def test_names_that_climb_out_of_the_root_are_refused(capsys, tmp_path, name):
    outside_footer(tmp_path)
    write(tmp_path / "templates" / "partials" / "header.html", "<p>Header</p>")
    template = write(tmp_path / "templates" / "news.html",
                     f"<html><body><p>Hello, our winter catalogue is out with forty new tools.</p>"
                     f"{{% include \"{name}\" %}}</body></html>")
    code, result = contentlint_check(capsys, "--template-root", "templates", template)
    f = unsubscribe_finding(result)
    assert f["level"] == "info"
    assert f"“{name}” (refused: the name leaves the template roots)" in f["message"]


def test_absolute_names_are_refused(capsys, tmp_path):
    footer = outside_footer(tmp_path)
    template = write(tmp_path / "templates" / "news.html",
                     f"<html><body><p>Hello, our winter catalogue is out with forty new tools.</p>"
                     f"{{% include \"{footer}\" %}}</body></html>")
    for args in ((), ("--template-root", "templates")):
        code, result = contentlint_check(capsys, *args, template)
        assert "refused" in unsubscribe_finding(result)["message"]


def test_symlinks_out_of_the_root_are_not_followed(capsys, tmp_path):
    footer = outside_footer(tmp_path)
    (tmp_path / "templates" / "partials").mkdir(parents=True)
    os.symlink(footer, tmp_path / "templates" / "partials" / "footer.html")
    os.symlink(footer.parent, tmp_path / "templates" / "shared")          # a linked folder too
    template = write(tmp_path / "templates" / "news.html",
                     "<html><body><p>Hello, our winter catalogue is out with forty new tools.</p>"
                     '{% include "partials/footer.html" %}{{> shared/footer}}</body></html>')
    code, result = contentlint_check(capsys, "--template-root", "templates", template)
    f = unsubscribe_finding(result)
    assert f["level"] == "info"
    assert "refused: templates/partials/footer.html links outside the template roots" in f["message"]
    assert "refused: templates/shared/footer.html links outside the template roots" in f["message"]
    # inside the root, a symbolic link is followed
    write(tmp_path / "templates" / "partials" / "real.html", FOOTER_FR)
    os.symlink(tmp_path / "templates" / "partials" / "real.html", tmp_path / "templates" / "partials" / "alias.html")
    write(template, "<html><body><p>Hello, our winter catalogue is out with forty new tools.</p>"
                    '{% include "partials/alias.html" %}</body></html>')
    code, result = contentlint_check(capsys, "--template-root", "templates", template)
    assert unsubscribe_finding(result) is None


def test_without_a_root_the_lookup_stays_within_three_parents(capsys, tmp_path):
    outside_footer(tmp_path)
    (tmp_path / "a" / "b" / "c" / "d").mkdir(parents=True)
    os.symlink(tmp_path / "ailleurs", tmp_path / "a" / "b" / "c" / "d" / "partials", target_is_directory=True)
    template = write(tmp_path / "a" / "b" / "c" / "d" / "news.html",
                     "<html><body><p>Hello, our winter catalogue is out.</p>{{> footer}}</body></html>")
    code, result = contentlint_check(capsys, template)
    assert "links outside the template roots" in unsubscribe_finding(result)["message"]


def test_lookups_are_bounded(monkeypatch, tmp_path):
    (tmp_path / "templates").mkdir()
    calls = []
    real = os.scandir
    monkeypatch.setattr(partials.os, "scandir", lambda p: calls.append(p) or real(p))
    html = ("<html><body><p>Hello, our winter catalogue is out.</p>"
            + "".join(f"{{{{> dossier{i}/piece}}}}" for i in range(400)) + "</body></html>")
    report = Linter(template_roots=[tmp_path / "templates"]).check_html(html)
    f = next(f for f in report.findings if f.rule == "missing-unsubscribe")
    assert f.level == "info" and "lookup budget" in f.message
    assert len(calls) <= partials.MAX_LISTINGS


# -- nested includes: followed, bounded, cycles read once --------------------------------------------------
def test_include_cycle_is_read_once_and_still_reported(tmp_path):
    root = tmp_path / "templates"
    write(root / "footer.html", "<p>Acme, Leeds.</p>{% include 'legal.html' %}")
    write(root / "legal.html", "<p>Registered in England.</p>{% include 'footer.html' %}")
    report = Linter(template_roots=[root]).check_html(
        "<html><body><p>Hello, our winter catalogue is out.</p>{% include 'footer.html' %}</body></html>")
    f = next(f for f in report.findings if f.rule == "missing-unsubscribe")
    assert f.level == "error"
    assert "“footer.html”" in f.message and "“legal.html”" in f.message


def test_nesting_deeper_than_the_bound_is_not_followed(tmp_path):
    root = tmp_path / "templates"
    for i in range(8):
        write(root / f"p{i}.html", f"<p>Part {i}</p>{{{{> p{i + 1}}}}}")
    write(root / "p8.html", '<p><a href="https://example.com/unsubscribe">Unsubscribe</a></p>')
    linter = Linter(template_roots=[root])
    deep = linter.check_html("<html><body><p>Hello, our winter catalogue is out.</p>{{> p0}}</body></html>")
    f = next(f for f in deep.findings if f.rule == "missing-unsubscribe")
    assert f.level == "info" and "levels deep: not followed" in f.message
    shallow = linter.check_html("<html><body><p>Hello, our winter catalogue is out.</p>{{> p5}}</body></html>")
    assert "missing-unsubscribe" not in {f.rule for f in shallow.findings}


def test_the_library_takes_roots_for_html_it_is_given(tmp_path):
    write(tmp_path / "partials" / "footer.hbs", '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>')
    html = "<html><body><p>Hello {{ first_name }}, our winter catalogue is out.</p>{{> footer}}</body></html>"
    assert "missing-unsubscribe" in {f.rule for f in Linter().check_html(html).findings}
    assert "missing-unsubscribe" not in {f.rule for f in Linter(template_roots=[tmp_path]).check_html(html).findings}
    with pytest.raises(ValueError, match="template root not found"):
        Linter(template_roots=[tmp_path / "nope"])


# -- MJML: mj-include honours the roots and never reads outside them ---------------------------------------
MJML_NEWS = ('<mjml lang="en"><mj-body><mj-section><mj-column><mj-text>Our winter catalogue is out, with forty '
             'new tools for the workshop.</mj-text></mj-column></mj-section>\n<mj-include path="{path}" />\n'
             '</mj-body></mjml>\n')
MJML_FOOTER = ('<mj-section><mj-column><mj-text><a href="https://example.com/unsubscribe">Unsubscribe</a>'
               '</mj-text></mj-column></mj-section>\n')


def test_mjml_include_from_a_template_root(tmp_path):
    write(tmp_path / "shared" / "mjml" / "footer.mjml", MJML_FOOTER)
    template = write(tmp_path / "campaigns" / "2026" / "12" / "en" / "news.mjml", MJML_NEWS.format(path="mjml/footer.mjml"))
    [without] = Linter().check_path(template)
    rules = {f.rule: f for f in without.findings}
    assert "mjml-invalid" in rules and rules["missing-unsubscribe"].level == "info"
    assert "“mjml/footer.mjml”" in rules["missing-unsubscribe"].message
    [with_root] = Linter(template_roots=[tmp_path / "shared"]).check_path(template)
    assert not {"mjml-invalid", "missing-unsubscribe"} & {f.rule for f in with_root.findings}


def test_mjml_include_of_an_absolute_path_is_refused(tmp_path):
    footer = write(tmp_path / "elsewhere" / "footer.mjml", MJML_FOOTER)
    template = write(tmp_path / "emails" / "news.mjml", MJML_NEWS.format(path=footer))
    [report] = Linter().check_path(template)
    rules = {f.rule: f for f in report.findings}
    assert "unable to load included template" in rules["mjml-invalid"].message     # the footer was not read
    assert rules["missing-unsubscribe"].level == "info"
    assert f"“{footer}” (refused: the name leaves the template roots)" in rules["missing-unsubscribe"].message


# -- include syntaxes of the template engines --------------------------------------------------------------
@pytest.mark.parametrize("token, name", [
    ("{% from 'macros/footer.html' import footer %}", "macros/footer.html"),           # Jinja, Nunjucks, Twig
    ("{% use 'emails/blocks.html.twig' %}", "emails/blocks.html.twig"),                 # Twig horizontal reuse
    ("{% include '@App/emails/footer.html.twig' %}", "@App/emails/footer.html.twig"),   # Twig namespace
    ("{{ include('emails/footer.html.twig') }}", "emails/footer.html.twig"),            # Twig include()
    ("{{ include('emails/footer.html.twig', {client: commande.client}) }}", "emails/footer.html.twig"),
    ("{{ source('emails/mentions.txt') }}", "emails/mentions.txt"),                     # Twig source()
    ("{{#> layouts/main}}", "layouts/main"),                                            # Handlebars partial block
    ('{{#> "layout" title="Newsletter"}}', "layout"),
    ("<%= render :partial => 'shared/footer' %>", "shared/footer"),                      # Rails, hash-rocket
    ('<%= render template: "mailers/footer" %>', "mailers/footer"),
    ("@includeWhen($abonne, 'emails.pied')", "emails.pied"),                            # Blade
    ("@includeFirst(['emails.custom', 'emails.pied'])", "emails.custom"),
    ('<mj-include path="./partials/footer.mjml" />', "./partials/footer.mjml"),         # MJML
])
def test_include_syntaxes(token, name):
    found = default_placeholders().includes(f"<p>Bonjour</p>{token}<p>Merci</p>{{{{> legal}}}}")
    assert [(n, t) for n, _, t in found] == [(name, token), ("legal", "{{> legal}}")]


@pytest.mark.parametrize("token", ["{{> (lookup . 'footerPartial') }}", "{{ include(modele_pied_de_page) }}",
                                   "@include($piedDePage)"])
def test_includes_whose_name_is_computed_are_unseen_not_missing(token):
    report = Linter().check_html(f"<html><body><p>Bonjour, voici nos nouveautés de la semaine.</p>{token}</body></html>")
    f = next(f for f in report.findings if f.rule == "missing-unsubscribe")
    assert f.level == "info" and f"“{token}” (its name is computed when the template runs)" in f.message
