"""Our precomputed lemma tables agree with spaCy's own lookup lemmatizer (the reference), for the packs'
vocabulary and their inflections. spaCy is only imported here, never at run time (see README)."""
from __future__ import annotations

import pytest

from contentlint.engine import load_ruleset
from contentlint.engine.checkers import WordsChecker
from contentlint.engine.lemmas import full_table

spacy = pytest.importorskip("spacy")


def _spacy_lemmatizer(lang):
    nlp = spacy.blank(lang)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


@pytest.mark.parametrize("lang,forms", [
    ("en", ["winners", "prizes", "invoices", "won", "offers", "bought", "urgent", "casinos"]),
    ("fr", ["factures", "gagnez", "cadeaux", "gratuites", "remboursé", "lots", "économisez", "gagné"]),
])
def test_engine_lemmas_match_spacy_lookup_lemmatizer(lang, forms):
    rs = load_ruleset(cache=False)
    vocab = set()
    for r in rs.rules:
        if isinstance(r.checker, WordsChecker):
            vocab.update(w for w in r.checker.vocabulary().get(lang, ()) if w.isalpha())
    table = rs.lemma_tables[lang]
    full = full_table(lang)
    # every inflected form of a pack word that spaCy knows maps to the same lemma in our shipped table
    sample = sorted(forms) + sorted(f for f, lem in full.items() if lem in vocab and f.isalpha())[:300]
    nlp = _spacy_lemmatizer(lang)
    for form in sample:
        expected = nlp(form)[0].lemma_
        if full.get(form, form) in vocab or form in forms:
            assert table.get(form, full.get(form, form)) == expected, (lang, form)
