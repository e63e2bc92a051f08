#!/usr/bin/env python3
"""How well do fitted weights score a kind of spam the corpus they were fitted on did not contain?

    .venv/bin/python tools/cross_source.py ../shared/corpora/labels.tsv

The held-out half of `contentlint calibrate` shares spam campaigns with the fit half, so it flatters the
weights. Here the spam of one collection is left out of the fit entirely: weights are fitted on the fit half
of the ham plus the spam of collection A only, and measured on the other half of the ham plus the spam of
collection B (B never seen), both ways, with and without the pack-weight prior of the fit. A collection is
the file-name prefix before ``__`` (``sa_spam__00001.eml`` → ``sa_spam``); ``sa_spam`` and ``sa_spam_2``
count as one (the 2002 SpamAssassin spam), ``phishing_pot`` is the other.

Scores here are summed as the engine sums them with the weights file `calibrate` would write: the fitted
points of the rules the fit saw at least ``MIN_RULE_HITS`` times, the pack's own weight for the others (a rule
the fit set never showed is not written, so its pack weight applies), learned terms capped, small sums
ignored. The README quotes this script's output.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contentlint import calibrate as C  # noqa: E402

GROUPS = {"2002 SpamAssassin spam": ("sa_spam", "sa_spam_2"), "phishing_pot": ("phishing_pot",)}


def collection(path: str) -> str:
    return re.sub(r"__.*", "", Path(path).name)


def engine_like_score(cal, s, prior=None) -> float:
    """``prior``: {rule: pack weight}, the points of the rules the fit could not judge (None: 0 points, as
    a fit that knows only the rules it saw would give them)."""
    judged = C.judged_rules(cal)
    rules = sum(cal.rule_points.get(h, 0.0) if h in judged or prior is None else prior.get(h, 0.0)
                for h in s.hits) + s.fixed_points
    terms = sum(cal.term_points.get((s.lang, g), 0.0) for g in s.grams)
    if terms < C.TERMS_MIN_POINTS:
        terms = 0.0
    return rules + min(terms, C.TERMS_MAX_POINTS)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("labels", help="TSV of path<TAB>spam|ham, as for contentlint calibrate")
    args = ap.parse_args(argv)

    examples = C.read_labels(args.labels)
    base = C._ruleset_for(terms_file=None)
    written = C._ruleset_for(weights_file=C._empty_weights_file(), terms_file=None)
    prior = {r.id: r.weight for r in written.rules}
    learned = [r.id for r in base.rules if r.pack == C.LEARNED_PACK]
    required = {r.id for r in base.rules if r.pack in C.REQUIREMENT_PACKS}
    print(f"reading {len(examples)} labelled files…", file=sys.stderr)
    samples = [s for s in C.collect(examples, base, exclude_rules=learned) if s.error is None]
    ham_fit = [s for s in samples if s.label == 0 and s.half == 0]
    ham_test = [s for s in samples if s.label == 0 and s.half == 1]
    spam = {name: [s for s in samples if s.label == 1 and collection(s.path) in cols]
            for name, cols in GROUPS.items()}
    for train_name, test_name in ((a, b) for a in GROUPS for b in GROUPS if a != b):
        fit_set, test_set = ham_fit + spam[train_name], ham_test + spam[test_name]
        terms = C.mine_terms(fit_set)
        for label, points in (("without the prior", None), ("with the pack-weight prior", prior)):
            cal = C.fit(fit_set, terms, max_ham_fpr=C.TRAIN_FPR, prior_points=points)
            if points is not None:      # as write_weights: a provider requirement is never fitted down to 0
                cal.rule_points.update({r: points.get(r, 0.0) for r in required if cal.rule_points.get(r, 0.0) < 0.05})
            m = C.measure([engine_like_score(cal, s, points) for s in test_set], [s.label for s in test_set], 5.0)
            print(f"fit on {train_name}, measured on {test_name} ({label}): ROC AUC {m.auc:.3f}, "
                  f"ham FPR at fail {m.ham_fpr * 100:.2f} %, spam recall {m.spam_recall * 100:.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
