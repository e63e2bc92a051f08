"""Word lists: lemmas, languages, phrases, exceptions, placeholders and kinds, as a user would see them."""
from __future__ import annotations

import pytest

from contentlint.engine import PackError, load_ruleset
from contentlint.engine.lemmas import load_shipped
from contentlint.engine.text import tokenize
from contentlint.model import Message


@pytest.fixture(scope="module")
def rs():
    return load_ruleset(select=["risky-"])


def msg(subject="", text="", lang="en", **kw):
    return Message(source="t", subject=subject, text=text, lang=lang, has_headers=False, **kw)


def hits(rs, m, kind="marketing"):
    return {f.rule: f for f in rs.check(m, kind)}


def test_tokenizer_splits_french_elision():
    assert [t.text for t in tokenize("L’argent qu'il jusqu’à aujourd'hui")] == \
        ["L’", "argent", "qu'", "il", "jusqu’", "à", "aujourd", "hui"]
    assert [t.lower for t in tokenize("L’argent")] == ["l'", "argent"]


@pytest.mark.parametrize("subject,lang,rule,word", [
    ("Vos factures de mars", "fr", "risky-phishing-terms", "factures"),
    ("Gagnez un séjour", "fr", "risky-prize-terms", "Gagnez"),
    ("Meet the winners", "en", "risky-prize-terms", "winners"),
    ("OUR PRIZES", "en", "risky-prize-terms", "PRIZES"),
    ("Des cadeaux pour vous", "fr", "risky-prize-terms", "cadeaux"),
    ("Offres gratuites", "fr", "risky-money-terms", "gratuites"),
])
def test_inflected_and_capitalised_forms_match_by_lemma(rs, subject, lang, rule, word):
    found = hits(rs, msg(subject, lang=lang))
    assert rule in found
    assert found[rule].matches[0] == word
    assert f"“{word}”" in found[rule].message


def test_word_lists_apply_only_in_their_language(rs):
    # French "lot" is a prize word; English "a lot of" is not
    assert "risky-prize-terms" in hits(rs, msg("Un lot à gagner", lang="fr"))
    assert "risky-prize-terms" not in hits(rs, msg("We have a lot of news", lang="en"))
    # a German newsletter gets neither list
    assert hits(rs, msg("Gratis Casino Geld cadeau winner", lang="de")) == {}
    # a language tag with a region still selects the list
    assert "risky-gambling-terms" in hits(rs, msg("Le casino", lang="fr-FR"))


def test_phrases_match_as_lemma_ngrams(rs):
    f = hits(rs, msg("", "Une offre spécialement pour vous !", lang="fr"))["risky-prize-terms"]
    assert f.matches == ("spécialement pour vous",)
    f = hits(rs, msg("", "Découvrez nos jeux d’argent en ligne", lang="fr"))["risky-gambling-terms"]
    assert f.matches == ("jeux d’argent",)
    f = hits(rs, msg("Act NOW", lang="en"))["risky-urgency-terms"]
    assert f.matches == ("Act NOW",)
    f = hits(rs, msg("AIDEZ-MOI", lang="fr"))["risky-urgency-terms"]
    assert f.matches == ("AIDEZ-MOI",)
    # words of a phrase must be adjacent
    assert "risky-gambling-terms" not in hits(rs, msg("", "Des jeux pour gagner de l'argent", lang="fr"))


def custom_words_pack(tmp_path, words: str):
    """A one-rule user pack, ``custom-words``, whose ``words:`` mapping is written as given."""
    pack = tmp_path / "p.yaml"
    pack.write_text(f"""pack: p
version: 1
description: d
rules:
  - id: custom-words
    title: t
    description: d
    category: content
    level: info
    weight: 0.1
    type: words
    words: {words}
    message: "{{word}}"
    suggestion: "replace {{word}}"
""", encoding="utf-8")
    return pack


def test_inflected_list_entries_match_other_forms(tmp_path):
    rs = load_ruleset([custom_words_pack(tmp_path, "{fr: [factures impayées], en: [gambled]}")], builtin=False)
    assert hits(rs, msg("Votre facture impayée", lang="fr"))["custom-words"].matches == ("facture impayée",)
    assert hits(rs, msg("He gambles", lang="en"))["custom-words"].matches == ("gambles",)


def test_an_exact_entry_matches_only_its_written_form(tmp_path):
    words = "{en: [{term: free, exact: true}, winner], fr: [{term: offert, exact: true}]}"
    rs = load_ruleset([custom_words_pack(tmp_path, words)], builtin=False)
    assert hits(rs, msg("It is FREE today", lang="en"))["custom-words"].matches == ("FREE",)
    assert "custom-words" not in hits(rs, msg("The hostages were freed", lang="en"))
    assert hits(rs, msg("Two winners", lang="en"))["custom-words"].matches == ("winners",)   # the others: by lemma
    assert "custom-words" not in hits(rs, msg("Livraison offerte", lang="fr"))
    bad = custom_words_pack(tmp_path, words.replace("exact: true}, winner", "exact: yes-please}, winner"))
    with pytest.raises(PackError, match="'exact' of 'free' must be true or false"):
        load_ruleset([bad], builtin=False, cache=False)


def test_exceptions(rs):
    assert "risky-prize-terms" not in hits(rs, msg("Gagnez du temps avec l'appli", lang="fr"))
    assert "risky-money-terms" not in hits(rs, msg("Free shipping this weekend", lang="en"))
    assert "risky-money-terms" not in hits(rs, msg("Livraison gratuite", lang="fr"))
    assert "risky-money-terms" not in hits(rs, msg("", "Nos bagues en argent", lang="fr"))
    # the exception only covers its own span: another "free" still counts
    f = hits(rs, msg("Free shipping and a free phone", lang="en"))["risky-money-terms"]
    assert f.matches == ("free",)


def test_placeholders_are_masked_before_matching(rs):
    assert hits(rs, msg("{{ prize_name }} is ready, *|WINNER_NAME|*", lang="en")) == {}
    assert "risky-prize-terms" in hits(rs, msg("{{ name }}, you are a winner", lang="en"))


def test_marketing_only_entries(rs):
    m = msg("Votre facture n°1234", "Merci pour votre commande.", lang="fr")
    assert "risky-phishing-terms" in hits(rs, m, "marketing")
    assert "risky-phishing-terms" not in hits(rs, m, "transactional")
    # phishing phrases count in transactional mail too
    m = msg("Vérifiez votre compte", "Votre compte a été suspendu.", lang="fr")
    assert "risky-phishing-terms" in hits(rs, m, "transactional")


def test_one_finding_per_rule_with_all_matches(rs):
    m = msg("You are a winner", "Claim your prize: a lottery jackpot and a gift, winner!", lang="en")
    found = [f for f in rs.check(m) if f.rule == "risky-prize-terms"]
    assert len(found) == 1
    f = found[0]
    assert f.matches[0] == "winner"             # the subject first
    assert "Claim your prize" in f.matches and "lottery" in f.matches
    assert "prize" not in f.matches             # nested inside "Claim your prize"
    assert "“winner”" in f.message and "“selected participant”" in f.suggestion
    assert f.location.part == "subject"


def test_unknown_language_applies_every_list(rs):
    assert "risky-gambling-terms" in hits(rs, msg("casino", lang="und"))


def test_suggestion_gives_alternatives_in_the_language(rs):
    f = hits(rs, msg("Un cadeau", lang="fr"))["risky-prize-terms"]
    assert "“offre”" in f.suggestion
    f = hits(rs, msg("Dernière chance", lang="fr"))["risky-urgency-terms"]
    assert "jusqu'au" in f.suggestion


def test_shipped_lemma_table_covers_the_shipped_vocabulary():
    data = load_shipped()
    assert {"en", "fr"} <= set(data["tables"])
    fr, en = data["tables"]["fr"], data["tables"]["en"]
    assert fr["factures"] == "facture" and fr["gagnez"] == "gagner" and en["winners"] == "winner"
    assert en["prizes"] == "prize"
    assert len(fr) < 5000 and len(en) < 5000     # trimmed, not the 200k-entry table


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcquejlmnstſSQUJLĹ'’ _-.,\n") + ["é", "ß", "İ", "Σ", "ﬁ", "中"]),
               max_size=30))
def test_fast_tokens_are_the_tokenizer_s_tokens(text):
    """lower_tokens (no IGNORECASE on the lower-cased text) gives what the case-insensitive tokenizer gives,
    elisions ("l'", "qu'") included: word rules and the token offsets of findings stay aligned."""
    from contentlint.engine.text import _TOKEN_RE, lower_tokens, token_spans

    norm = text.replace("’", "'")
    low = norm.lower()          # the text lower-cased at once (a final sigma is ς), as before the change
    want = _TOKEN_RE.findall(low) if len(low) == len(norm) else [t.lower() for t in _TOKEN_RE.findall(norm)]
    assert lower_tokens(text) == want
    assert len(token_spans(text)) == len(want)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcquejlmnstſSQUJLĹ'’ _-.,\n") + ["é", "ß", "İ", "Σ", "ﬁ", "中", "٣"]),
               max_size=120))
def test_token_offsets_of_a_long_text_are_the_tokenizer_s(text):
    """The offsets a word hit far into a text gets (found with str.find from token to token) are the
    tokenizer's own offsets."""
    from contentlint.engine.engine import Context
    from contentlint.engine.text import token_spans

    class _Ctx(Context):
        def __init__(self, t):          # only what token_range reads
            self._texts, self._tokens, self._spans, self._span_iters = {"body": t}, {}, {}, {}
            self._mask = None

        def text(self, scope):
            return self._texts[scope]

    want = token_spans(text * 3)
    ctx = _Ctx(text * 3)
    for i in sorted({0, len(want) // 2, len(want) - 1, 70, 64}):
        if 0 <= i < len(want):
            assert ctx.token_range("body", i, 1) == want[i]
