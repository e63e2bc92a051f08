"""Calibration: metrics, the non-negative fit, the scored-words kind, the `calibrate` command, and the
shipped weights re-measured on the development corpus (skips without ../shared)."""
from __future__ import annotations

import itertools
import random
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from contentlint import calibrate
from contentlint.engine import load_ruleset
from contentlint.readers import build_message

from conftest import CORPORA, ROOT


def brute_auc(scores, labels):
    pos = [s for s, y in zip(scores, labels) if y]
    neg = [s for s, y in zip(scores, labels) if not y]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg))
    return wins / (len(pos) * len(neg))


def test_roc_auc_matches_pairwise_definition_with_ties():
    rng = random.Random(7)
    scores = [rng.choice([0, 0.5, 1, 2, 3, 5]) for _ in range(60)]
    labels = [rng.random() < 0.4 for _ in range(60)]
    assert calibrate.roc_auc(scores, [int(x) for x in labels]) == pytest.approx(brute_auc(scores, labels))


def test_measure_counts_fpr_and_recall_at_threshold():
    m = calibrate.measure([6, 4, 5, 1, 7, 0], [1, 1, 1, 0, 0, 0], 5.0)
    assert (m.n_spam, m.n_ham) == (3, 3)
    assert m.spam_recall == pytest.approx(2 / 3)
    assert m.ham_fpr == pytest.approx(1 / 3)


def test_read_labels_resolves_relative_paths_and_rejects_bad_labels(tmp_path):
    (tmp_path / "labels.tsv").write_text("file\tlabel\tsource\na.eml\tspam\tx\nsub/b.eml\tham\ty\n")
    ex = calibrate.read_labels(tmp_path / "labels.tsv")
    assert [(Path(e.path).relative_to(tmp_path).as_posix(), e.label, e.source) for e in ex] == \
        [("a.eml", 1, "x"), ("sub/b.eml", 0, "y")]
    (tmp_path / "bad.tsv").write_text("a.eml\tspam\nb.eml\tmaybe\n")
    with pytest.raises(ValueError, match="spam or ham"):
        calibrate.read_labels(tmp_path / "bad.tsv")


def test_nonnegative_fit_weights_the_informative_feature_and_not_the_noise():
    import numpy as np

    rng = np.random.default_rng(0)
    n = 400
    y = rng.integers(0, 2, n)
    informative = (y == 1) & (rng.random(n) < 0.7) | (y == 0) & (rng.random(n) < 0.05)
    noise = rng.random(n) < 0.5
    anti = (y == 0) & (rng.random(n) < 0.6)          # a ham signal: no negative points allowed
    X = np.column_stack([informative, noise, anti]).astype(float)
    w, _ = calibrate.fit_nonnegative_logistic(X, y, l2=1.0, iterations=1500)
    assert w.min() >= 0
    assert w[0] > 1.0 and w[1] < 0.3 and w[2] == pytest.approx(0.0, abs=1e-6)


def test_a_rule_the_corpus_barely_sees_keeps_about_its_written_weight():
    """The penalty pulls towards the pack's weight: a rare rule keeps it, a rule the data contradicts does not."""
    rng = random.Random(3)
    samples = []
    for i in range(600):
        spam = i % 2 == 0
        hits = set()
        if spam and rng.random() < 0.7 or not spam and rng.random() < 0.05:
            hits.add("common")
        if spam and i < 6:
            hits.add("rare")                        # three spam messages only: little evidence either way
        if rng.random() < 0.3:
            hits.add("useless")                     # as frequent in ham as in spam
        samples.append(calibrate.Sample(f"m{i}", int(spam), 0, "s", "en", hits=hits))
    written = {"common": 1.0, "rare": 2.0, "useless": 2.0}
    with_prior = calibrate.fit(samples, [], max_ham_fpr=0.01, prior_points=written).rule_points
    without = calibrate.fit(samples, [], max_ham_fpr=0.01).rule_points
    assert with_prior["rare"] >= 2.0 and with_prior["rare"] > without["rare"] + 0.5
    assert with_prior["useless"] < 1.0                # the data outweigh the prior when they have a say
    assert with_prior["common"] > 1.0 and without["common"] > 1.0


def test_points_scale_puts_fail_above_the_ham_quantile():
    ham = [0.1 * i for i in range(100)]                 # raw ham scores 0 … 9.9
    k = calibrate.points_scale(ham + [20.0], [0] * 100 + [1], 5.0, 0.01)
    assert sum(1 for h in ham if h * k >= 5.0) <= 1
    # the threshold sits halfway between the last ham allowed below it and the next one up
    tail = [1.0] * 97 + [2.0, 6.0, 8.0]
    k = calibrate.points_scale(tail, [0] * 100, 5.0, 0.03)   # 3 % of 100: the cut goes above index 97
    assert 4.0 * k == pytest.approx(5.0, rel=1e-6)       # (2 + 6) / 2 = 4 raw → exactly fail
    assert 2.0 * k < 5.0 <= 6.0 * k


SCORED_PACK = """
pack: my-learned
version: 1
description: test
rules:
  - id: my-spam-terms
    title: t
    description: d
    category: content
    level: info
    weight: 1.0
    type: scored-words
    max_points: 2.5
    terms:
      en: {"act now": 1.5, "winner": 1.0, "free": 0.25}
    message: "Words frequent in spam ({count}): {scored}."
    suggestion: "Rephrase {words}; together they add {points} points."
    examples:
      pass: ["Minutes of the meeting."]
      fail: ["Act now, winner!"]
"""


def _check_text(rs, text):
    """The findings of ``rs`` on an English plain-text message with ``text`` as its body."""
    msg = build_message(subject="Hello", text=text, input_format="text")
    msg.lang = "en"
    return rs.check(msg)


def test_scored_words_sums_distinct_terms_by_lemma_and_caps(tmp_path):
    pack = tmp_path / "learned.yaml"
    pack.write_text(SCORED_PACK)
    rs = load_ruleset([pack], cache=False)

    def finding(text):
        return next((f for f in _check_text(rs, text) if f.rule == "my-spam-terms"), None)

    f = finding("You are a WINNERS today. Winner again!")       # lemma: winners → winner; counted once
    assert f is not None and f.weight == pytest.approx(1.0)
    assert "“WINNERS” +1.00" in f.message
    f = finding("Act now: free entry for every winner, free!")
    assert f.weight == pytest.approx(2.5)                      # 1.5 + 1.0 + 0.25 capped at 2.5
    assert finding("Minutes of Tuesday's meeting are attached.") is None


def test_mining_never_learns_the_footer_boilerplate_the_law_requires():
    """2002 spam had "our mailing list" footers and 2002 ham did not; Mailchimp's "Our mailing address is"
    must not become a spam term. Content words with the same statistics are learned."""
    def sample(label, source, grams):
        return calibrate.Sample("x", label, 0, source, "en", grams=frozenset(grams))

    spam = [sample(1, src, {"our mail", "lottery", "email because", "address book"})
            for src in ("a", "b") for _ in range(150)]
    ham = [sample(0, "h", {"meeting"}) for _ in range(300)]
    terms = {t.term for t in calibrate.mine_terms(spam + ham)}
    assert "lottery" in terms
    assert not terms & {"our mail", "email because", "address book"}


def test_scored_words_below_min_points_reports_nothing(tmp_path):
    pack = tmp_path / "learned.yaml"
    pack.write_text(SCORED_PACK.replace("max_points: 2.5", "max_points: 2.5\n    min_points: 1.0"))
    rs = load_ruleset([pack], cache=False)

    def rules(text):
        return {f.rule for f in _check_text(rs, text)}

    assert "my-spam-terms" not in rules("Entry is free for members.")          # 0.25 < 1.0
    assert "my-spam-terms" in rules("Act now: entry is free for members.")     # 1.75


def test_scored_words_rejects_negative_points(tmp_path):
    from contentlint.engine import PackError

    pack = tmp_path / "bad.yaml"
    pack.write_text(SCORED_PACK.replace('"free": 0.25', '"free": -1'))
    with pytest.raises(PackError, match="points"):
        load_ruleset([pack], cache=False)


def _small_corpus(tmp_path: Path) -> Path:
    files = sorted(CORPORA.glob("sa_*.eml"))
    lines = []
    for f in files:
        shutil.copy(f, tmp_path / f.name)
        lines.append(f"{f.name}\t{'spam' if f.name.startswith('sa_spam') else 'ham'}\tsa\n")
    (tmp_path / "labels.tsv").write_text("".join(lines))
    return tmp_path / "labels.tsv"


def test_calibrate_command_writes_loadable_weights_and_terms(tmp_path):
    from contentlint.cli import app

    labels = _small_corpus(tmp_path)
    out, terms = tmp_path / "w.yaml", tmp_path / "t.yaml"
    result = CliRunner().invoke(app, ["calibrate", str(labels), "--out", str(out), "--terms-out", str(terms), "--all"])
    assert result.exit_code == 0, result.output
    assert "SPAM%" in result.output and "ROC AUC" in result.output
    weights = yaml.safe_load(out.read_text())
    assert weights["meta"]["generated_by"] == "contentlint calibrate"
    assert all(v >= 0 for v in weights["weights"].values())
    assert "missing-unsubscribe" not in weights["weights"]   # compliance keeps its policy weight
    # both files load into the engine (too few messages here to mine terms: an empty, valid pack)
    rs = load_ruleset([terms], weights_file=out, cache=False)
    for rid, points in weights["weights"].items():
        assert rs.get(rid).weight == points


def test_calibrate_command_refuses_a_missing_labels_file(tmp_path):
    from contentlint.cli import app

    result = CliRunner().invoke(app, ["calibrate", str(tmp_path / "nope.tsv")])
    assert result.exit_code == 2


# -- the shipped weights, re-measured on the half they were not fitted on -------------------------
def _measure_half(shared_corpora):
    examples = [e for e in calibrate.read_labels(shared_corpora / "labels.tsv") if calibrate.half_of(e.path) == 1]
    rs = load_ruleset(cache=False)
    return calibrate.engine_scores(examples, rs)


def test_shipped_weights_meet_the_accuracy_targets_on_the_held_out_half(shared_corpora):
    scores, labels, _ = _measure_half(shared_corpora)
    m = calibrate.measure(scores, labels, 5.0)
    assert m.auc >= 0.975
    assert m.ham_fpr <= 0.01
    # the target; the shipped weights reach 71.8 % at 0.41 % FPR (README), SpamAssassin 49 % at 2.1 %
    assert m.spam_recall >= 0.70


def test_no_modern_newsletter_fails_for_spamminess_alone(shared_corpora):
    from contentlint import Linter

    linter = Linter(kind="marketing")
    paths = sorted((shared_corpora / "modern").glob("*")) + sorted(shared_corpora.glob("unspy_newsletters__*.eml"))
    assert paths
    for path in paths:
        for report in linter.check_path(path):
            assert report.score < 5.0, (path.name, report.score, [(f.rule, f.weight) for f in report.findings])


# -- issue 14: weights that agree with the messages -----------------------------------------------
def test_mining_is_vetoed_by_todays_transactional_ham():
    """2002 ham rarely says "confirm your"; today's confirmation mails always do: a ham collection of its
    own (20+ messages) that uses a term vetoes it, however rare it is in the other ham."""
    def sample(label, source, grams):
        return calibrate.Sample("x", label, 0, source, "en", grams=frozenset(grams))

    spam = [sample(1, src, {"confirm your", "lottery"}) for src in ("a", "b") for _ in range(150)]
    ham = [sample(0, "old", {"meeting"}) for _ in range(300)] + \
          [sample(0, "templates", {"confirm your", "order"}) for _ in range(25)]
    terms = {t.term for t in calibrate.mine_terms(spam + ham)}
    assert "lottery" in terms and "confirm your" not in terms


def test_write_weights_never_leaves_a_warning_at_zero_points(tmp_path):
    """Seen and worthless → 0 points at info level; too rarely seen → not written (the pack weight applies)."""
    rs = load_ruleset(cache=False)
    cal = calibrate.Calibration(
        rule_points={"fake-reply-subject": 0.0, "html-script": 0.0, "subject-too-long": 0.8},
        term_points={}, freqs=[], fit_metrics=calibrate.Metrics(10, 5, 5, 0.9, 5.0, 0.0, 0.5, 1.0),
        hit_counts={"fake-reply-subject": 200, "html-script": 5, "subject-too-long": 300})
    out = tmp_path / "w.yaml"
    calibrate.write_weights(cal, rs, out, corpus="c", split_note="s")
    doc = yaml.safe_load(out.read_text())
    assert doc["weights"]["subject-too-long"] == 0.8
    assert "html-script" not in doc["weights"]               # barely seen: keeps the pack's weight
    assert doc["levels"] == {"fake-reply-subject": "info"}
    loaded = load_ruleset(weights_file=out, cache=False)
    assert loaded.get("fake-reply-subject").level == "info"
    packs_only = load_ruleset(weights_file=calibrate._empty_weights_file(), cache=False)
    assert loaded.get("html-script").weight == packs_only.get("html-script").weight > 0


def test_a_clear_spam_signal_keeps_a_floor_of_its_pack_weight():
    """A rule that fires mostly on spam but on messages other rules already explain keeps half its weight."""
    samples = []
    for i in range(400):
        spam = i % 2 == 0
        hits = {"strong"} if spam else set()
        if spam and i % 8 == 0:
            hits.add("shadow")                   # always together with "strong": no evidence of its own
        samples.append(calibrate.Sample(f"m{i}", int(spam), 0, "s", "en", hits=hits))
    pts = calibrate.fit(samples, [], max_ham_fpr=0.01, prior_points={"strong": 1.0, "shadow": 2.0}).rule_points
    assert pts["shadow"] >= 0.5          # without the floor the fit gives it nothing (strong explains all)


def test_calibrate_warns_on_a_small_set_and_names_the_rules_it_could_not_see(tmp_path):
    from contentlint.cli import app

    labels = _small_corpus(tmp_path)
    result = CliRunner().invoke(app, ["calibrate", str(labels), "--out", str(tmp_path / "w.yaml"),
                                      "--terms-out", str(tmp_path / "t.yaml"), "--all"])
    assert result.exit_code == 0, result.output
    assert "warning: the fit set has" in result.output
    assert "keep their pack weight" in result.output and "html-script" in result.output


def test_long_business_text_does_not_reach_the_learned_cap(tmp_path):
    pack = tmp_path / "learned.yaml"
    pack.write_text(SCORED_PACK.replace("max_points: 2.5", "max_points: 2.5\n    density_words: 100"))
    rs = load_ruleset([pack], cache=False)

    def weight(text):
        f = next((f for f in _check_text(rs, text) if f.rule == "my-spam-terms"), None)
        return f.weight if f else 0.0

    short = "Act now: free entry for every winner, free!"
    assert weight(short) == pytest.approx(2.5)
    filler = " ".join(["The committee met on Tuesday and reviewed the quarterly budget in detail."] * 40)
    assert weight(short + " " + filler) < 0.5 * weight(short)   # ≈ 490 words: cap × √(100/490)
