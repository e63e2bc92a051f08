"""Rule types: how each ``type:`` of rule is validated, compiled and run.

Every type compiles to a small picklable checker object with ``check(ctx, rule) -> Hit | None``.
A ``Hit`` (``engine/hit.py``) carries every match, the values for the message/suggestion placeholders, and
the span of every match in the text it analysed.  The engine turns it into one ``Finding``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import regex

from .builtins import BUILTINS
from .hit import (COMMON_VARS, MAX_MATCHES, PROBE_TIMEOUT, RUN_TIMEOUT, Hit, RuleTimeout, Span,  # noqa: F401
                  as_str_list, compile_pattern, expect, fill, passes_prefilter, placeholders_in, probe_pattern,
                  required_literals)
from .rule import PackError
from .text import collapse, or_list, short_list, shorten_at_word



# -- words ----------------------------------------------------------------------------------------
@dataclass
class WordEntry:
    rule: str
    text: str                     # as written in the pack
    low: tuple                    # lowercased tokens
    lem: tuple                    # lemma of each token
    kinds: Optional[frozenset]    # None: all kinds
    exact: bool = False           # match the written form only (no lemma: "free" does not match "freed")


class WordsChecker:
    KEYS = {"words": True, "alternatives": False, "exceptions": False, "default_alternatives": False,
            "min_matches": False, "min_distinct": False, "morphology": False}
    VARS = {"word", "words", "alternatives", "count", "lang"}

    def __init__(self, params: dict, ctx: dict):
        words = params.get("words")
        expect(isinstance(words, dict) and words, "'words' must be a mapping {language: [word, …]}", ctx)
        self.words: dict[str, list] = {}
        self.exact: set[tuple[str, str]] = set()     # (lang, term) entries matched by written form only
        for lang, items in words.items():
            expect(isinstance(lang, str) and isinstance(items, list) and items,
                   f"'words.{lang}' must be a non-empty list", ctx)
            out = []
            for item in items:
                if isinstance(item, str):
                    out.append((item, None))
                elif isinstance(item, dict) and isinstance(item.get("term"), str):
                    extra = set(item) - {"term", "kinds", "exact"}
                    expect(not extra, f"unknown key(s) {sorted(extra)} in a word of 'words.{lang}' "
                           "(allowed: term, kinds, exact)", ctx)
                    expect(isinstance(item.get("exact", False), bool), f"'exact' of {item['term']!r} must be true or false", ctx)
                    if item.get("exact"):
                        self.exact.add((lang, item["term"]))
                    kinds = item.get("kinds")
                    if kinds is not None:
                        kinds = frozenset(as_str_list(kinds, "kinds", ctx))
                    out.append((item["term"], kinds))
                else:
                    raise PackError(f"'words.{lang}' items must be strings or {{term:, kinds:, exact:}}", **ctx)
            self.words[lang] = out
        exc = params.get("exceptions") or {}
        if isinstance(exc, list):
            exc = {lang: exc for lang in self.words}
        expect(isinstance(exc, dict), "'exceptions' must be a list or a mapping {language: [phrase, …]}", ctx)
        self.exceptions = {lang: as_str_list(v, f"exceptions.{lang}", ctx) for lang, v in exc.items()}
        alts = params.get("alternatives") or {}
        expect(isinstance(alts, dict), "'alternatives' must be a mapping {word: [alternative, …]}", ctx)
        self.alternatives = {str(k).lower(): as_str_list(v, f"alternatives.{k}", ctx) for k, v in alts.items()}
        dflt = params.get("default_alternatives") or {}
        if isinstance(dflt, list):
            dflt = {lang: dflt for lang in self.words}
        expect(isinstance(dflt, dict), "'default_alternatives' must be a list or a mapping", ctx)
        self.default_alternatives = {k: as_str_list(v, f"default_alternatives.{k}", ctx) for k, v in dflt.items()}
        self.min_matches = params.get("min_matches", 1)
        expect(isinstance(self.min_matches, int) and self.min_matches >= 1, "'min_matches' must be an integer ≥ 1", ctx)
        # forms whose part of speech decides a hit the exceptions left (engine/morph.py): {lang: {form: FormSense}}
        self.morphology = {}
        if params.get("morphology") is not None:
            from .morph import parse_morphology

            self.morphology = parse_morphology(params["morphology"], ctx, expect, as_str_list)
        # distinct terms (entries of the list) the matches must include: "free … free" is one term said twice,
        # "free … make money" two; a topic is scored by its breadth, not by how often one word recurs
        self.min_distinct = params.get("min_distinct", 1)
        expect(isinstance(self.min_distinct, int) and not isinstance(self.min_distinct, bool) and self.min_distinct >= 1,
               "'min_distinct' must be an integer ≥ 1", ctx)
        # filled by the RuleSet once the lemma tables are known
        self.exception_index: dict[str, dict] = {}
        self.alt_by_lemma: dict[str, list[str]] = {}

    def vocabulary(self) -> dict[str, set[str]]:
        from .text import words_of
        vocab: dict[str, set[str]] = {}
        for lang, items in self.words.items():
            vocab.setdefault(lang, set()).update(w for text, _ in items for w in words_of(text))
        for lang, items in self.exceptions.items():
            vocab.setdefault(lang, set()).update(w for text in items for w in words_of(text))
        return vocab

    def matches(self, ctx, rule) -> list:
        """Every match in the rule's scopes and the message's languages, exceptions and kinds applied:
        (scope, lang, entry, surface, token index, token count)."""
        found = []
        for scope in rule.scope:
            for lang in ctx.word_langs(self.words):
                hits = ctx.word_hits(scope, lang).get(rule.id)
                if not hits:
                    continue
                exc = self.exception_index.get(lang)
                spans = ctx.phrase_spans(scope, lang, exc) if exc else ()
                inside = _Covered(spans)
                for i, n, entry in hits:
                    if entry.kinds is not None and ctx.kind not in entry.kinds:
                        continue
                    if inside(i, n):
                        continue
                    found.append((scope, lang, entry, ctx.surface(scope, i, n), i, n))
        morph = getattr(self, "morphology", None)      # absent from rule sets pickled before it existed
        if morph and found:
            found = _by_morphology(ctx, found, morph)
        return found

    def check(self, ctx, rule) -> Optional[Hit]:
        found = self.matches(ctx, rule)
        if found:
            found = _drop_nested(found)
        if len(found) < self.min_matches:
            return None
        if self.min_distinct > 1 and len({(f[1], f[2].text) for f in found}) < self.min_distinct:
            return None
        scope, lang, entry, surface = found[0][:4]
        alts = (self.alternatives.get(entry.text.lower()) or self.alt_by_lemma.get(" ".join(entry.lem))
                or self.default_alternatives.get(lang) or self.default_alternatives.get("any") or [])
        surfaces = [f[3] for f in found]
        return Hit(
            matches=surfaces[:MAX_MATCHES],
            vars={"word": surface, "words": short_list(surfaces), "alternatives": or_list(alts) or "plainer wording",
                  "count": len(found), "lang": lang},
            fragment=surface, part=ctx.part_for(scope), spans=_word_spans(ctx, found))


def _by_morphology(ctx, found, morph) -> list:
    """Drop the matches whose listed form (``morphology:``) spaCy tags as the other sense; keep the rest,
    and every match when the tagger is not available (engine/morph.py)."""
    asks = []                                    # (match index, scope, lang, token offsets, sense)
    for k, (scope, lang, _e, _s, i, n) in enumerate(found):
        senses = morph.get(lang)
        if not senses:
            continue
        toks = ctx.tokens(scope)
        for j in range(i, i + n):
            sense = senses.get(toks[j])
            if sense is not None:
                asks.append((k, scope, lang, ctx.token_range(scope, j, 1), sense))
    if not asks:
        return found
    from .morph import tags

    by_scope: dict = {}
    for _k, scope, lang, off, _sense in asks:
        by_scope.setdefault((scope, lang), []).append(off)
    tagged = {key: tags(ctx, key[0], key[1], offs) for key, offs in by_scope.items()}
    dropped = set()
    for k, scope, lang, off, sense in asks:
        tag = (tagged[(scope, lang)] or {}).get(off)
        if tag is not None and not sense.kept(*tag):
            dropped.add(k)
    return [f for k, f in enumerate(found) if k not in dropped] if dropped else found


def _word_spans(ctx, found) -> list:
    """A span per match (the first MAX_SPANS of them), in the analysed text of its scope."""
    from contentlint.model import MAX_SPANS

    out = []
    for f in found[:MAX_SPANS]:
        a, b = ctx.token_range(f[0], f[4], f[5])
        out.append(Span("scope", f[0], a, b))
    return out


class _Covered:
    """``covered(i, n)``: tokens i..i+n lie inside one of the (start, length) token spans — by bisecting
    the spans sorted by start, keeping the farthest end seen so far (linear overall)."""

    __slots__ = ("starts", "reach")

    def __init__(self, spans):
        spans = sorted(spans)
        self.starts = [k for k, _ in spans]
        reach, best = [], -1
        for k, m in spans:
            best = max(best, k + m)
            reach.append(best)
        self.reach = reach

    def __call__(self, i: int, n: int) -> bool:
        if not self.starts:
            return False
        from bisect import bisect_right

        j = bisect_right(self.starts, i) - 1
        return j >= 0 and self.reach[j] >= i + n


def _drop_nested(found):
    """Keep one match per text span: “claim your prize” hides the “prize” inside it.

    One sweep over the matches sorted by (scope, start, -length): a match is dropped when it lies inside
    the widest span kept so far in its scope, or repeats a kept span.  Matches keep their original order."""
    order = sorted(range(len(found)), key=lambda k: (found[k][0], found[k][4], -found[k][5]))
    keep = set()
    scope = None
    reach = -1
    last = None
    for k in order:
        f = found[k]
        if f[0] != scope:
            scope, reach, last = f[0], -1, None
        i, n = f[4], f[5]
        if (i, n) == last:
            continue                              # the same span through another word or language
        if i + n <= reach and last is not None:
            continue                              # inside a wider match
        keep.add(k)
        last = (i, n)
        reach = max(reach, i + n)
    return [f for k, f in enumerate(found) if k in keep]


# -- regex ----------------------------------------------------------------------------------------
class RegexChecker:
    KEYS = {"pattern": True, "ignorecase": False, "exceptions": False, "replacement": False, "min_matches": False,
            "placeholders": False}
    VARS = {"match", "word", "matches", "words", "count", "replacement"}
    PLACEHOLDER_MODES = ("mask", "remove")

    def __init__(self, params: dict, ctx: dict):
        # placeholders are masked by blanks of the same length (offsets kept) unless the rule asks to remove
        # them: a pattern about whitespace must not mistake "Hi {{ first_name }}!" for padding
        self.placeholders = params.get("placeholders", "mask")
        expect(self.placeholders in self.PLACEHOLDER_MODES,
               f"'placeholders' must be one of {', '.join(self.PLACEHOLDER_MODES)}", ctx)
        patterns = as_str_list(params.get("pattern"), "pattern", ctx)
        expect(bool(patterns), "'pattern' must not be empty", ctx)
        ignorecase = params.get("ignorecase", False)
        expect(isinstance(ignorecase, bool), "'ignorecase' must be true or false", ctx)
        flags = regex.V0 | (regex.IGNORECASE if ignorecase else 0)
        self.patterns = [compile_pattern(p, flags, "pattern", ctx) for p in patterns]
        # what each pattern cannot match without: the pattern runs only on texts that hold one of them
        self.required = [required_literals(p) for p in patterns]
        self.exceptions = {e.lower() for e in as_str_list(params.get("exceptions") or [], "exceptions", ctx)}
        self.replacement = params.get("replacement")
        expect(self.replacement is None or isinstance(self.replacement, str), "'replacement' must be a string", ctx)
        self.min_matches = params.get("min_matches", 1)
        expect(isinstance(self.min_matches, int) and self.min_matches >= 1, "'min_matches' must be an integer ≥ 1", ctx)

    def probe(self, samples, ctx):
        for k, p in enumerate(self.patterns):
            probe_pattern(p, samples, "pattern", ctx)
            # a safety net under required_literals: a prefilter that refuses a sample the pattern matches goes
            if self.required[k] and any(p.search(t) and not passes_prefilter(self.required[k], t.casefold())
                                        for t in samples):
                self.required[k] = None

    def check(self, ctx, rule) -> Optional[Hit]:
        found = []
        spans = []
        first = None
        kind = "scope" if self.placeholders == "mask" else "cut"
        for scope in rule.scope:
            text = ctx.text(scope) if self.placeholders == "mask" else ctx.text_without_placeholders(scope)
            if not text:
                continue
            folded = False
            for pat, required in zip(self.patterns, self.required):
                if required is not None:
                    if folded is False:
                        folded = ctx.folded(text)
                    if folded is not None and not passes_prefilter(required, folded):
                        continue
                try:
                    for m in pat.finditer(text, timeout=RUN_TIMEOUT):
                        s = m.group()
                        if not s.strip() or s.lower() in self.exceptions:
                            continue
                        if first is None:
                            first = (scope, m)
                        found.append(s)
                        spans.append(Span(kind, scope, m.start(), m.end()))
                        if len(found) >= MAX_MATCHES:
                            break
                except TimeoutError:
                    raise RuleTimeout(pat.pattern) from None
        if len(found) < self.min_matches or first is None:
            return None
        scope, m = first
        repl = None
        if self.replacement is not None:
            try:
                repl = m.expand(self.replacement)
            except (regex.error, IndexError):
                repl = self.replacement
        return Hit(matches=found, vars={"match": m.group(), "word": m.group(), "matches": short_list(found),
                                        "words": short_list(found), "count": len(found), "replacement": repl},
                   fragment=m.group(), part=ctx.part_for(scope), spans=spans)


# -- metric ---------------------------------------------------------------------------------------
def _subject_length(ctx):
    subject = collapse(ctx.text("subject"))
    if not subject:
        return None
    raw = collapse(ctx.message.subject or "")

    def extra(limit):
        return {"shortened": shorten_at_word(raw, limit)}
    return len(subject), {"length": len(subject), "subject": raw}, raw, "subject", extra


def _html_size(ctx):
    html = ctx.message.html
    if html is None:
        return None
    size = ctx.message.html_size or len(html.encode("utf-8", "surrogatepass"))
    return size, {"size": size, "size_kb": f"{size / 1024:.0f} KB"}, "", "text/html", None


def _link_count(ctx):
    links = [link for link in ctx.message.links if link.scheme in ("http", "https")]
    return len(links), {"count": len(links)}, links[0].href if links else "", "text/html", None


def _text_length(ctx):
    n = len(collapse(ctx.text("body")))
    return n, {"length": n}, "", ctx.part_for("body"), None


def _no_span(ctx):
    return []


_METRIC_SPANS = {
    "subject_length": lambda ctx: [Span("scope", "subject", 0, len(ctx.text("subject")))],
    "html_size": lambda ctx: [Span("text", "text/html", 0, 0)],
    "link_count": lambda ctx: [Span("scope", "links", 0, len(ctx.raw("links").split("\n", 1)[0]))],
}

METRICS = {"subject_length": _subject_length, "html_size": _html_size, "link_count": _link_count,
           "text_length": _text_length}


class MetricChecker:
    KEYS = {"metric": True, "thresholds": True}
    VARS = {"value", "limit", "limit_kb", "length", "shortened", "subject", "size", "size_kb", "count"}

    def __init__(self, params: dict, ctx: dict):
        name = params.get("metric")
        expect(name in METRICS, f"unknown metric {name!r} (known: {', '.join(sorted(METRICS))})", ctx)
        self.metric = name
        ths = params.get("thresholds")
        expect(isinstance(ths, list) and ths, "'thresholds' must be a non-empty list of {above|below:, level:}", ctx)
        self.thresholds = []
        for th in ths:
            expect(isinstance(th, dict), "each threshold must be a mapping", ctx)
            extra = set(th) - {"above", "below", "level", "factor"}
            expect(not extra, f"unknown key(s) {sorted(extra)} in a threshold (allowed: above, below, level, factor)", ctx)
            expect(("above" in th) != ("below" in th), "a threshold needs exactly one of 'above' or 'below'", ctx)
            bound = th.get("above", th.get("below"))
            expect(isinstance(bound, (int, float)) and not isinstance(bound, bool), "threshold bound must be a number", ctx)
            level = th.get("level", None)
            expect(level is None or level in ("error", "warning", "info"), f"bad threshold level {level!r}", ctx)
            factor = th.get("factor", 1.0)
            expect(isinstance(factor, (int, float)) and factor >= 0, "'factor' must be a number ≥ 0", ctx)
            self.thresholds.append(("above" if "above" in th else "below", bound, level, float(factor)))
        # most severe first: highest "above", lowest "below"
        self.thresholds.sort(key=lambda t: -t[1] if t[0] == "above" else t[1])

    def check(self, ctx, rule) -> Optional[Hit]:
        got = METRICS[self.metric](ctx)
        if got is None:
            return None
        value, values, fragment, part, extra = got
        for direction, bound, level, factor in self.thresholds:
            if (value > bound) if direction == "above" else (value < bound):
                limit = int(bound) if float(bound).is_integer() else bound
                v = dict(values, value=value, limit=limit, limit_kb=f"{bound / 1024:.0f} KB")
                if extra:
                    v.update(extra(int(bound)))
                return Hit(matches=[str(fragment or value)], vars=v, fragment=fragment, part=part,
                           level=level, factor=factor, spans=_METRIC_SPANS.get(self.metric, _no_span)(ctx))
        return None


# -- header ---------------------------------------------------------------------------------------
class HeaderChecker:
    KEYS = {"header": True, "condition": True, "pattern": False, "ignorecase": False}
    VARS = {"header", "value"}
    CONDITIONS = ("missing", "present", "matches", "not-matches")

    def __init__(self, params: dict, ctx: dict):
        self.header = params.get("header")
        expect(isinstance(self.header, str) and self.header, "'header' must be a header name", ctx)
        self.condition = params.get("condition")
        expect(self.condition in self.CONDITIONS, f"'condition' must be one of {', '.join(self.CONDITIONS)}", ctx)
        self.pattern = None
        if self.condition in ("matches", "not-matches"):
            pattern = params.get("pattern")
            expect(isinstance(pattern, str), f"condition {self.condition} needs a 'pattern'", ctx)
            flags = regex.IGNORECASE if params.get("ignorecase", True) else 0
            self.pattern = compile_pattern(pattern, flags, "pattern", ctx)

    def probe(self, samples, ctx):
        if self.pattern is not None:
            probe_pattern(self.pattern, samples, "pattern", ctx)

    def check(self, ctx, rule) -> Optional[Hit]:
        lname = self.header.lower()
        indexed = [(i, value) for i, (k, value) in enumerate(ctx.message.headers) if k.lower() == lname]
        values = [value for _, value in indexed]
        v = {"header": self.header, "value": values[0] if values else ""}
        if self.condition == "missing":
            return None if values else Hit(matches=[self.header], vars=v, part="headers")
        if self.condition == "present":
            return Hit(matches=values, vars=v, fragment=self.header + ":", part="headers",
                       spans=[Span("header", None, i) for i, _ in indexed]) if values else None
        from .budget import Budget

        budget = Budget(self.pattern.pattern)
        try:
            hits = [(i, x) for i, x in indexed if self.pattern.search(x, timeout=budget.left())]
        except TimeoutError:
            raise RuleTimeout(self.pattern.pattern) from None
        if self.condition == "matches" and hits:
            return Hit(matches=[x for _, x in hits], vars=dict(v, value=hits[0][1]), fragment=hits[0][1],
                       part="headers", spans=[Span("header", None, i) for i, _ in hits])
        if self.condition == "not-matches" and values and not hits:
            return Hit(matches=values, vars=v, fragment=values[0], part="headers",
                       spans=[Span("header", None, i) for i, _ in indexed])
        return None


# -- builtin --------------------------------------------------------------------------------------
class BuiltinChecker:
    KEYS = {"check": True, "params": False}

    def __init__(self, params: dict, ctx: dict):
        name = params.get("check")
        expect(name in BUILTINS, f"unknown built-in check {name!r} (known: {', '.join(sorted(BUILTINS))})", ctx)
        self.name = name
        spec = BUILTINS[name]
        given = params.get("params") or {}
        expect(isinstance(given, dict), "'params' must be a mapping", ctx)
        unknown = set(given) - set(spec.params)
        expect(not unknown, f"unknown param(s) {sorted(unknown)} for check {name} "
               f"(allowed: {', '.join(sorted(spec.params)) or 'none'})", ctx)
        merged = {}
        for key, default in spec.params.items():
            value = given.get(key, default)
            if default is not None and value is not None and not isinstance(value, type(default)) \
                    and not (isinstance(default, float) and isinstance(value, int)):
                raise PackError(f"param '{key}' of check {name} must be a {type(default).__name__}", **ctx)
            merged[key] = value
        self.params = spec.prepare(merged, ctx) if spec.prepare else merged
        self.needs_headers = spec.needs_headers
        self.VARS = spec.vars

    def check(self, ctx, rule) -> Optional[Hit]:
        return BUILTINS[self.name].func(ctx, rule, self.params)


# -- scored words (the reviewable pack that `contentlint calibrate` mines) -------------------------
class ScoredWordsChecker(WordsChecker):
    """A word list where each term carries its own points: the finding's weight is the rule's weight ×
    the sum of the points of the distinct terms found (capped at ``max_points``).

    A readable, editable alternative to an opaque Bayes database: ``terms: {en: {"click here": 0.8}}``.
    """

    KEYS = {"terms": True, "max_points": False, "min_points": False, "exceptions": False, "alternatives": False,
            "default_alternatives": False, "density_words": False}
    VARS = WordsChecker.VARS | {"points", "scored"}

    def __init__(self, params: dict, ctx: dict):
        terms = params.get("terms")
        expect(isinstance(terms, dict) and terms, "'terms' must be a mapping {language: {term: points}}", ctx)
        self.points: dict[tuple, float] = {}
        words = {}
        for lang, mapping in terms.items():
            expect(isinstance(lang, str) and isinstance(mapping, dict) and mapping,
                   f"'terms.{lang}' must be a non-empty mapping {{term: points}}", ctx)
            for term, pts in mapping.items():
                expect(isinstance(term, str) and term.strip() and isinstance(pts, (int, float))
                       and not isinstance(pts, bool) and pts >= 0,
                       f"'terms.{lang}.{term}' must map a term to a number of points ≥ 0", ctx)
                self.points[(lang, term)] = float(pts)
            words[lang] = list(mapping)
        self.max_points = params.get("max_points", 5.0)
        expect(isinstance(self.max_points, (int, float)) and not isinstance(self.max_points, bool)
               and self.max_points > 0, "'max_points' must be a number > 0", ctx)
        self.min_points = params.get("min_points", 0.0)
        expect(isinstance(self.min_points, (int, float)) and not isinstance(self.min_points, bool)
               and 0 <= self.min_points <= self.max_points, "'min_points' must be a number from 0 to max_points", ctx)
        # density: past this many words of text the cap shrinks with the square root of the length, so a
        # long business text does not reach it on two dozen weak words (0: the cap is max_points)
        self.density_words = params.get("density_words", 0)
        expect(isinstance(self.density_words, int) and not isinstance(self.density_words, bool)
               and self.density_words >= 0, "'density_words' must be an integer ≥ 0", ctx)
        base = {k: v for k, v in params.items() if k not in ("terms", "max_points", "min_points", "density_words")}
        base["words"] = words
        super().__init__(base, ctx)

    def check(self, ctx, rule) -> Optional[Hit]:
        found = self.matches(ctx, rule)
        if not found:
            return None
        # each distinct term counts once, nested or not ("remove" inside "remove yourself" too): the points
        # were fitted that way, one feature per term
        best: dict[tuple, tuple] = {}
        for f in found:
            key = (f[1], f[2].text)
            if key not in best:
                best[key] = f
        ranked = sorted(best.items(), key=lambda kv: -self.points.get(kv[0], 0.0))
        total = sum(self.points.get(k, 0.0) for k, _ in ranked)
        if total <= 0 or total < self.min_points:
            return None   # a word or two of little weight says nothing: no finding, no points
        cap = float(self.max_points)
        if self.density_words:
            n_words = sum(len(ctx.text(scope).split()) for scope in rule.scope)
            if n_words > self.density_words:
                cap *= (self.density_words / n_words) ** 0.5
        factor = min(total, cap)
        top = ranked[0][1]
        surfaces = [f[3] for _, f in ranked]
        scored = ", ".join(f"“{f[3]}” +{self.points.get(k, 0.0):.2f}" for k, f in ranked[:8])
        alts = self.default_alternatives.get(top[1]) or self.default_alternatives.get("any") or []
        return Hit(
            matches=surfaces[:MAX_MATCHES],
            vars={"word": top[3], "words": short_list(surfaces), "alternatives": or_list(alts) or "plainer wording",
                  "count": len(ranked), "lang": top[1], "points": f"{factor:.2f}", "scored": scored},
            fragment=top[3], part=ctx.part_for(top[0]), factor=factor,
            spans=_word_spans(ctx, [f for _, f in ranked]))


CHECKER_CLASSES: dict[str, Any] = {"words": WordsChecker, "scored-words": ScoredWordsChecker, "regex": RegexChecker, "metric": MetricChecker,
                                "header": HeaderChecker, "builtin": BuiltinChecker}
