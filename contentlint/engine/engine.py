"""RuleSet: the compiled rules, and ``check(message, kind)`` → one Finding per rule per message.

Per message the work is shared between rules through a ``Context``: each scope's text is masked
(placeholders → spaces, same length) and tokenized once; lemmas are looked up once per scope and
language; every word list of every rule is matched in one pass over the tokens (first-token index,
then n-gram comparison on lowercased form or lemma).
"""
from __future__ import annotations

import fnmatch
import re
from bisect import bisect_right

from typing import Optional


from contentlint.findings import Finding

from contentlint.model import MAX_SPANS, Location, Message
from contentlint.position import at_file, part_by_label, resolve

from .hit import COMMON_VARS, Hit, RuleTimeout, Span, fill
from .checkers import WordsChecker
from .rule import Rule
from .text import clean, clean_map, lower_tokens, token_matches, token_spans, words_of

_PART_FOR_SCOPE = {"subject": "subject", "preheader": "preheader", "text-part": "text/plain", "html": "text/html",
                   "anchor-text": "text/html", "headers": "headers", "from": "from", "reply-to": "headers",
                   "links": "text/html", "images": "text/html", "attachments": "attachments"}

def _masker():
    from contentlint.placeholders import default_placeholders

    return default_placeholders().mask


class WordIndex:
    """All word-list entries of one language, keyed by their first token (lowercased form and lemma)."""

    def __init__(self, table: dict[str, str]):
        self.table = table
        self.first: dict[str, list] = {}
        # the same entries split for the lookup: one-token entries by first key, longer ones by first key
        # and then second key (form or lemma), so that a common first word ("the", "de") brings only the
        # entries its next word can continue
        self.alone: dict[str, list] = {}
        self.second: dict[str, dict[str, list]] = {}
        self._triggers: Optional[frozenset] = None

    def add(self, entry):
        keys = {entry.low[0]} if entry.exact else {entry.low[0], entry.lem[0]}
        for k in keys:
            entries = self.first.setdefault(k, [])
            item = (len(entries), entry)     # its place among the entries of k: hits keep the list's order
            entries.append(entry)
            if len(entry.low) == 1:
                self.alone.setdefault(k, []).append(item)
            else:
                by_next = self.second.setdefault(k, {})
                for k2 in ({entry.low[1]} if entry.exact else {entry.low[1], entry.lem[1]}):
                    by_next.setdefault(k2, []).append(item)
        self._triggers = None

    def triggers(self) -> frozenset:
        """Every token that can start an entry: a first token, or a form whose lemma is one."""
        trig = self._triggers
        if trig is None:
            first = self.first
            trig = self._triggers = frozenset(first).union(f for f, lem in self.table.items() if lem in first)
        return trig


def _seq(text: str, table: dict[str, str]):
    low = tuple(words_of(text))
    return low, tuple(table.get(w, w) for w in low)


def word_data(rule_id: str, ch, tables: dict) -> tuple:
    """A word rule's entries (tokens and lemmas of each term), exception sequences and alternatives by lemma,
    for these lemma tables: ``(tables, entries by language, exception_index, alt_by_lemma)``.  The pack loader
    keeps it on the checker in the compiled-pack cache (one pickle with the tables, so ``tables`` is the very
    table object a cached rule set gets back), which spares each start the tokenizing of 1,700 terms."""
    from .checkers import WordEntry
    entries: dict[str, list] = {}
    for lang, items in ch.words.items():
        table = tables.get(lang, {})
        mine = entries.setdefault(lang, [])
        for text, kinds in items:
            low, lem = _seq(text, table)
            if low:
                mine.append(WordEntry(rule_id, text, low, lem, kinds, (lang, text) in getattr(ch, "exact", ())))
    exception_index: dict[str, dict] = {}       # per language: first form or lemma → its (forms, lemmas) phrases
    for lang, items in ch.exceptions.items():
        firsts = exception_index[lang] = {}
        for low, lm in (_seq(t, tables.get(lang, {})) for t in items):
            if low:
                firsts.setdefault(low[0], []).append((low, lm))
                if lm[0] != low[0]:
                    firsts.setdefault(lm[0], []).append((low, lm))
    alt_by_lemma: dict = {}
    for lang in ch.words:
        table = tables.get(lang, {})
        for key, alts in ch.alternatives.items():
            alt_by_lemma.setdefault(" ".join(_seq(key, table)[1]), alts)
    return tables, entries, exception_index, alt_by_lemma


class Context:
    """What the rules share while checking one message."""

    def __init__(self, ruleset: "RuleSet", message: Message, kind: str, template_roots: tuple = ()):
        self.ruleset = ruleset
        self.message = message
        self.kind = kind
        self.template_roots = tuple(template_roots)   # folders partials are looked up in (--template-root)
        lang = (message.lang or "und").lower().replace("_", "-").split("-")[0]
        self.lang = lang or "und"
        self._mask = None
        self._texts: dict[str, str] = {}
        self._folded: dict[str, str] = {}
        self._tokens: dict[str, list] = {}
        self._spans: dict[str, list] = {}
        self._span_iters: dict[str, object] = {}
        self._lemmas: dict[tuple, list] = {}
        self._hits: dict[tuple, dict] = {}
        self._cut_maps: dict[str, tuple] = {}
        self._scope_maps: dict[str, object] = {}

    # -- texts --------------------------------------------------------------------------------------
    def mask(self, text: str) -> str:
        if self._mask is None:
            self._mask = self.ruleset.masker()
        return self._mask(text)

    def raw(self, scope: str) -> str:
        m = self.message
        if scope == "subject":
            return m.subject or ""
        if scope == "preheader":
            return m.preheader or ""
        if scope == "body":
            return m.body_text()
        if scope == "text-part":
            return m.text or ""
        if scope == "html":
            return m.html or ""
        if scope == "anchor-text":
            return "\n".join(link.text for link in m.links if link.text)
        if scope == "headers":
            return "\n".join(f"{k}: {v}" for k, v in m.headers)
        if scope == "from":
            return f"{m.from_name} <{m.from_addr}>" if m.from_name else (m.from_addr or "")
        if scope == "reply-to":
            return m.reply_to or ""
        if scope == "links":
            return "\n".join(link.href for link in m.links)
        if scope == "images":
            return "\n".join(im.src for im in m.images)
        if scope == "attachments":
            return "\n".join(m.attachments)         # "name (type, N bytes)" per line
        return ""

    def text(self, scope: str) -> str:
        """The scope's text with placeholders masked (same length) and invisible padding removed."""
        t = self._texts.get(scope)
        if t is None:
            raw = self.raw(scope)
            if scope in ("headers", "from", "reply-to", "links", "images", "attachments"):
                t = raw
            else:
                t = clean(self.mask(raw)) if raw else ""
            self._texts[scope] = t
        return t

    def folded(self, text: str) -> Optional[str]:
        """``text.casefold()``, once per text of the message (the regex rules' prefilter reads it); None for a
        long text that is not ASCII, whose case folding costs more than the patterns it would spare (0.4 ms
        for 58 KB of French HTML against 20 µs for ASCII)."""
        got = self._folded.get(text)
        if got is None:
            got = self._folded[text] = text.casefold() if len(text) <= 8192 or text.isascii() else ""
        return got or None

    def text_without_placeholders(self, scope: str) -> str:
        """The scope's text with placeholders cut out (not blanked): offsets move, whitespace is real."""
        key = "-" + scope
        t = self._texts.get(key)
        if t is None:
            raw = self.raw(scope)
            from contentlint.placeholders import default_placeholders

            spans = [(p.start, p.end) for p in default_placeholders().find(raw)] if raw else []
            from contentlint.spans import MapBuilder

            b = MapBuilder()
            pos = 0
            for start, end in spans:
                if start > pos:
                    b.copy(raw[pos:start], pos)
                pos = max(pos, end)
            b.copy(raw[pos:], pos)
            cut, cut_map = b.build()
            t = self._texts[key] = clean(cut)
            self._cut_maps[scope] = (cut_map, clean_map(cut))
        return t

    # -- where a scope's text comes from ---------------------------------------------------------------
    def where(self, span: Span):
        """(label, start, end) in a part or field text (or label "@file": offsets in the input file) of a
        ``Span``, or None when it has no place."""
        return _where(self, span)

    def part_for(self, scope: str) -> str:
        if scope == "body":
            return "text/html" if (self.message.html is not None and self.message.visible_text.strip()) else "text/plain"
        if scope == "links" and self.message.html is None:
            return "text/plain"            # bare URLs of a plain-text body
        return _PART_FOR_SCOPE.get(scope, scope)

    def tokens(self, scope: str) -> list[str]:
        """Lowercased tokens of the scope's (masked) text, computed once."""
        toks = self._tokens.get(scope)
        if toks is None:
            toks = self._tokens[scope] = lower_tokens(self.text(scope))
        return toks

    def spans(self, scope: str) -> list[tuple[int, int]]:
        """Character offsets of the tokens (only computed when a match must be shown)."""
        sp = self._spans.get(scope)
        if sp is None or len(sp) < len(self.tokens(scope)):
            sp = self._spans[scope] = token_spans(self.text(scope))
        return sp

    def surface(self, scope: str, i: int, n: int) -> str:
        """Tokens i..i+n as written in the text (offsets found lazily, only as far as needed)."""
        a, b = self.token_range(scope, i, n)
        return self.text(scope)[a:b]

    def token_range(self, scope: str, i: int, n: int) -> tuple[int, int]:
        """Character offsets (start, end) of tokens i..i+n of the scope's text."""
        last = i + n - 1
        sp = self._spans.get(scope)
        if sp is None:
            sp = self._spans[scope] = []
            self._span_iters[scope] = token_matches(self.text(scope))
        if last >= len(sp):
            it = self._span_iters[scope]
            if last < 64:                    # the first words (a subject, an opening line): only as far as needed
                for m in it:
                    sp.append(m.span())
                    if len(sp) > last:
                        break
            else:                            # further in: the rest at once
                self._rest_of_spans(scope, sp, it)
        return sp[i][0], sp[last][1]

    def _rest_of_spans(self, scope: str, sp: list, it) -> None:
        """Append the offsets of the tokens after ``sp`` to it.  Each token, as ``tokens`` has it, is found in the
        lower-cased text with ``str.find`` from the end of the one before: between two tokens the tokenizer
        passed over no word character, so the first occurrence is the token (the spans of a long text at C
        speed instead of a second tokenization).  A text whose lower case changes its length: the tokenizer."""
        text = self.text(scope)
        low = text.replace("’", "'").lower()
        if len(low) != len(text):
            sp.extend([m.span() for m in it])
            return
        toks = self.tokens(scope)
        pos = sp[-1][1] if sp else 0
        find, add = low.find, sp.append
        for tok in toks[len(sp):]:
            pos = find(tok, pos)
            if pos < 0:                      # cannot happen (see above); if it did, the tokenizer's own offsets
                sp[:] = token_spans(text)
                return
            end = pos + len(tok)
            add((pos, end))
            pos = end

    def lemmas(self, scope: str, lang: str):
        key = (scope, lang)
        lem = self._lemmas.get(key)
        if lem is None:
            get = self.ruleset.lemma_tables.get(lang, {}).get
            lem = self._lemmas[key] = [get(t, t) for t in self.tokens(scope)]
        return lem

    # -- words --------------------------------------------------------------------------------------
    def word_langs(self, words: dict) -> list[str]:
        """Languages of a word list that apply to this message (all of them when the language is unknown)."""
        if self.lang == "und":
            return list(words)
        return [self.lang] if self.lang in words else []

    def word_hits(self, scope: str, lang: str) -> dict:
        """{rule id: [(token index, n tokens, entry)]} for every word list of ``lang``, computed once."""
        key = (scope, lang)
        hits = self._hits.get(key)
        if hits is not None:
            return hits
        hits = {}
        index = self.ruleset.word_index.get(lang)
        if index is not None:
            toks = self.tokens(scope)
            # most tokens start no entry: find the ones that may in one C-level pass, and look lemmas
            # up only around them
            starts = index.triggers().intersection(toks) if toks else None
            if starts:
                get = index.table.get
                alone, second = index.alone, index.second
                n_toks = len(toks)
                seen = set()
                for i in [i for i, t in enumerate(toks) if t in starts]:
                    low = toks[i]
                    li = get(low, low)
                    nxt = toks[i + 1] if i + 1 < n_toks else None
                    ln = get(nxt, nxt) if nxt is not None else None
                    cands = []
                    for k in ((low,) if li == low else (low, li)):
                        mine = alone.get(k) or []
                        by_next = second.get(k) if nxt is not None else None
                        if by_next:
                            more = by_next.get(nxt)
                            if ln != nxt and ln in by_next:
                                more = (more or []) + by_next[ln]
                            if more:      # an entry keyed by form and lemma comes once, in list order
                                mine = sorted(dict(mine + more).items())
                        cands += [e for _, e in mine]
                    if not cands:
                        continue
                    for e in cands:
                        n = len(e.low)
                        if i + n > n_toks:
                            continue
                        ok = True
                        for j in range(n):
                            tj = toks[i + j]
                            if tj != e.low[j] and (e.exact or tj != e.lem[j] and get(tj, tj) != e.lem[j]):
                                ok = False
                                break
                        if ok and (e.rule, i, e.text) not in seen:
                            seen.add((e.rule, i, e.text))
                            hits.setdefault(e.rule, []).append((i, n, e))
        self._hits[key] = hits
        return hits

    def phrase_spans(self, scope: str, lang: str, firsts: dict) -> list[tuple[int, int]]:
        """Token spans (start, length) where any of the phrases of ``firsts`` (first form or lemma → its
        (forms, lemmas) pairs, ``word_data``'s exception index) occurs."""
        toks = self.tokens(scope)
        lem = self.lemmas(scope, lang)
        spans = []
        n_toks = len(toks)
        # only the places where a form or a lemma starts a sequence (two C-speed scans, not a Python step
        # with lookups per token)
        where = {i for i, t in enumerate(toks) if t in firsts}
        where.update(i for i, t in enumerate(lem) if t in firsts)
        for i in sorted(where):
            t = toks[i]
            cands = firsts.get(t)
            if lem[i] != t and lem[i] in firsts:
                cands = (cands or []) + firsts[lem[i]]
            if not cands:
                continue
            for low, lm in cands:
                n = len(low)
                if i + n <= n_toks and all(toks[i + j] == low[j] or lem[i + j] == lm[j] for j in range(n)):
                    spans.append((i, n))
        return spans


class RuleSet:
    """Compiled rules. Build with ``contentlint.engine.load_ruleset``."""

    def __init__(self, rules: list[Rule], *, caps: Optional[dict] = None, files: tuple = (),
                 lemma_tables: Optional[dict] = None, claimed_codes: Optional[frozenset] = None):
        self.rules = list(rules)
        self._by_id = {r.id: r for r in self.rules}
        self.caps = dict(caps or {})
        self.files = tuple(files)
        self.lemma_tables = lemma_tables if lemma_tables is not None else {}
        self.claimed_problem_codes = claimed_codes if claimed_codes is not None else self.problem_codes(self.rules)
        self._build_word_index()
        self._masker = None

    def _webmail(self):
        """(exact domains, pattern of the wildcard ones) of the free-mail domains the loaded freemail checks
        list (data of the sender pack): a set lookup, and a small pattern for ``yahoo.*`` and the like (one
        pattern of every domain took 30 ms to compile on each start)."""
        found = self.__dict__.get("_webmail_sets")
        if found is None:
            domains = dict.fromkeys(
                d.lower() for r in self.rules if r.type == "builtin" and r.checker is not None
                and getattr(r.checker, "name", "") in ("freemail_sender", "freemail_reply_to")
                for d in r.checker.params.get("domains", ()))
            exact = frozenset(d for d in domains if not any(c in d for c in "*?["))
            wild = [fnmatch.translate(d) for d in domains if d not in exact]
            found = self._webmail_sets = (exact, re.compile("|".join(wild)) if wild else None)
        return found

    def is_webmail(self, domain: str) -> bool:
        exact, wild = self._webmail()
        d = domain.lower().rstrip(".")
        return d in exact or (wild is not None and wild.match(d) is not None)

    def own_domain(self, domain: Optional[str]) -> Optional[str]:
        """``domain`` if the sender can act on it (DNS, ESP settings), None for a webmail domain like gmail.com."""
        if not domain:
            return None
        d = domain.lower().rstrip(".")
        return None if self.is_webmail(d) else d

    @staticmethod
    def problem_codes(rules) -> frozenset:
        """Reader problem codes that have their own rule (the others go to the generic input rule)."""
        return frozenset(code for r in rules if r.type == "builtin" and r.checker is not None
                         and getattr(r.checker, "name", "") == "input_problem"
                         for code in r.checker.params.get("codes", ()))

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_masker"] = None
        return state

    def masker(self):
        if self._masker is None:
            self._masker = _masker()
        return self._masker

    def _build_word_index(self):
        self.word_index: dict[str, WordIndex] = {}
        for r in self.rules:
            ch = r.checker
            if not isinstance(ch, WordsChecker):
                continue
            got = getattr(ch, "word_data", None)
            if got is None or got[0] is not self.lemma_tables:
                got = word_data(r.id, ch, self.lemma_tables)
            _tables, entries, ch.exception_index, ch.alt_by_lemma = got
            for lang, items in entries.items():
                idx = self.word_index.get(lang)
                if idx is None:
                    idx = self.word_index[lang] = WordIndex(self.lemma_tables.get(lang, {}))
                for entry in items:
                    idx.add(entry)

    # -- lookup -------------------------------------------------------------------------------------
    def get(self, rule_id: str) -> Rule:
        try:
            return self._by_id[rule_id]
        except KeyError:
            raise KeyError(f"unknown rule id {rule_id!r}") from None

    def __contains__(self, rule_id) -> bool:
        return rule_id in self._by_id

    def __iter__(self):
        return iter(self.rules)

    def __len__(self):
        return len(self.rules)

    # -- checking -----------------------------------------------------------------------------------
    def drop_replaced(self, findings: list[Finding]) -> list[Finding]:
        """Remove the findings that a more specific rule which also fired supersedes (``replaces:``)."""
        replaced = {other for f in findings if f.rule in self._by_id for other in self._by_id[f.rule].replaces}
        return [f for f in findings if f.rule not in replaced] if replaced else findings

    def check(self, message: Message, kind: str = "marketing", *, template_roots: tuple = ()) -> list[Finding]:
        ctx = Context(self, message, kind, template_roots)
        findings = []
        for rule in self._applicable(kind, bool(message.has_headers), ctx.lang):
            try:
                hit = rule.checker.check(ctx, rule)
            except RuleTimeout as exc:
                findings.append(self._timeout_finding(rule, str(exc)))
                continue
            except TimeoutError:
                findings.append(self._timeout_finding(rule, ""))
                continue
            if hit is not None:
                findings.append(self._finding(rule, hit, message, ctx))
        findings = self.drop_replaced(findings)
        findings.sort(key=Finding.sort_key)
        return findings

    def _applicable(self, kind: str, has_headers: bool, lang: str) -> list[Rule]:
        """The rules that run on a message of this kind, with or without headers, in this language (the
        same few combinations come back message after message: worked out once each)."""
        memo = self.__dict__.setdefault("_applicable_memo", {})
        key = (kind, has_headers, lang, id(self.rules), len(self.rules))
        got = memo.get(key)
        if got is None:
            if len(memo) >= 512:            # languages come from the messages (any <html lang>): bounded
                memo.clear()
            got = memo[key] = [
                rule for rule in self.rules
                if rule.checker is not None and kind in rule.kinds
                and not (rule.requires_headers and not has_headers)
                and not (rule.type not in ("words", "scored-words") and rule.languages != ("any",)
                         and lang != "und" and lang not in rule.languages)]
        return got

    def _finding(self, rule: Rule, hit: Hit, message: Optional[Message], ctx: Optional["Context"]) -> Finding:
        """The one finding builder.  ``message``/``ctx`` may be None when the hit brings its ``location`` and
        its ``from_domain`` (the DNS audit)."""
        values = dict(hit.vars)
        values.setdefault("rule", rule.id)
        values.setdefault("title", rule.title)
        if "from_domain" not in values:
            # suggestions tell the sender what to publish or configure: never on someone else's webmail domain
            shown = ctx._scope_maps.get("@from_domain") if ctx is not None else None
            if shown is None:
                shown = (self.own_domain(message.from_domain) or "your-domain.example") \
                    if message.from_domain else "example.com"
                if ctx is not None:
                    ctx._scope_maps["@from_domain"] = shown     # once per message
            values["from_domain"] = shown
        level = rule.level if (rule.level_overridden or not hit.level) else hit.level
        weight = round(rule.weight * hit.factor, 3)
        spans = self._locations(ctx, hit) if hit.location is None else [hit.location]
        location = spans[0] if spans else Location(part=hit.part, excerpt=(hit.fragment or "")[:80])
        return Finding(
            rule=rule.id, category=rule.category, level=level, weight=weight,
            message=fill(rule.message, values), suggestion=fill(rule.suggestion, values),
            location=location, matches=tuple(map(str, hit.matches)), pack=rule.pack,
            spans=tuple(spans))

    def _locations(self, ctx: "Context", hit: Hit) -> list[Location]:
        """One Location per span of the hit (the first MAX_SPANS), in the input file where it can be."""
        spans = hit.spans
        if not spans and hit.fragment:
            found = _fragment_span(ctx, hit)
            spans = [found] if found else []
        out = []
        for span in spans[:MAX_SPANS]:
            got = ctx.where(span)
            if got is None:
                continue
            label, start, end = got
            matched = _matched_text(ctx, span)
            if label == "@file":
                loc = at_file(ctx.message, start, end, hit.part or "headers", matched=matched)
            else:
                loc = resolve(ctx.message, label, start, end, hit.part or label, matched=matched)
            out.append(loc)
        return out

    def _timeout_finding(self, rule: Rule, pattern: str) -> Finding:
        shown = f" ({pattern[:60]!r})" if pattern else ""
        return Finding(
            rule=rule.id, category=rule.category, level="info", weight=0.0,
            message=f"Rule {rule.id} timed out on this message: its regular expression{shown} "
                    f"needed more than its time budget, so the check was skipped.",
            suggestion=f"Simplify the pattern of rule {rule.id} in {rule.file or rule.pack} (avoid nested or "
                       "overlapping quantifiers such as (a|a)+ or (.*)*), or disable the rule.",
            location=Location(part="rules"), matches=(), pack=rule.pack)


# -- where texts come from ---------------------------------------------------------------------------------
_FRAGMENT_SCOPES = {"subject": ("subject",), "preheader": ("preheader",), "text/plain": ("text-part",),
                    "text/html": ("body", "html"), "headers": ("headers",), "from": ("from",),
                    "reply-to": ("reply-to",)}


def _fragment_span(ctx: "Context", hit: Hit) -> Optional[Span]:
    """For a built-in that names only the text it found (``fragment``): that text in the analysed text of
    the scope it came from (never elsewhere in the message)."""
    frag = hit.fragment.lower()
    for scope in _FRAGMENT_SCOPES.get(hit.part, ("body",)):
        low = ctx._texts.get("lower:" + scope)
        if low is None:
            text = ctx.text(scope)
            low = text.lower()
            low = ctx._texts["lower:" + scope] = low if len(low) == len(text) else ""   # offsets must hold
        i = low.find(frag) if low else -1
        if i >= 0:
            return Span("scope", scope, i, i + len(frag))
    return None


class _Joined:
    """A text made of lines, each with its own place: ``f(line index, start, end) → (label, s, e)``."""

    __slots__ = ("starts", "lens", "place")

    def __init__(self, lines: list[str], place):
        starts, pos = [], 0
        for line in lines:
            starts.append(pos)
            pos += len(line) + 1
        self.starts = starts
        self.lens = [len(line) for line in lines]
        self.place = place

    def __call__(self, start: int, end: int):
        k = bisect_right(self.starts, start) - 1
        if k < 0:
            return None
        base = self.starts[k]
        # a match that runs on into the next line (the next link's text) is placed on its first line
        return self.place(k, start - base, min(max(start, end) - base, self.lens[k]))


def _seg(m, start, end):
    return (start, end) if m is None else (m.start(start), m.end(end))


def _html_place(ctx, fmap, start, end):
    maps = ctx.message.html_map
    if maps is None or fmap is None:
        return None
    s, e = maps.to_part_span(fmap.start(start), fmap.end(end))
    return None if s < 0 else ("text/html", s, e)


def _in_field(ctx, label: str, shown: str, start: int, end: int, pieces: list[str]):
    """A span of a text the engine composed (``Name <addr>``) placed in the field's own text, by finding the
    composed pieces there (the field is one header value: nothing else is searched)."""
    f = ctx.message.fields.get(label)
    if f is None:
        return None
    f.resolve_origin()            # fills the field's decoded text too
    text = f.text or ""
    low = text.lower()
    pos = 0
    for piece in pieces:
        if not piece:
            continue
        i = low.find(piece.lower())
        j = shown.find(piece, pos)
        if i >= 0 and j >= 0 and j <= start < j + len(piece) + 1:
            s = i + (start - j)
            return label, max(0, min(s, len(text))), max(0, min(i + (end - j), len(text)))
        pos = max(pos, j + len(piece)) if j >= 0 else pos
    return (label, 0, len(text)) if text else None


def _scope_place(ctx: "Context", scope: str, start: int, end: int):
    """(label, start, end) of offsets of the raw text of ``scope`` (before cleaning)."""
    m = ctx.message
    if scope == "subject":
        return ("subject", start, end) if "subject" in m.fields else None
    if scope == "preheader":
        if "preheader" in m.fields:
            return "preheader", start, end
        maps = m.html_map
        return _html_place(ctx, maps.preheader_map() if maps is not None else None, start, end)
    if scope == "body":
        if m.html is not None and m.visible_text.strip():
            maps = m.html_map
            return _html_place(ctx, maps.visible() if maps is not None else None, start, end)
        return "text/plain", start, end
    if scope == "text-part":
        return "text/plain", start, end
    if scope == "html":
        return "text/html", start, end
    joined = ctx._scope_maps.get(scope)
    if joined is None:
        joined = ctx._scope_maps[scope] = _joined_scope(ctx, scope)
    return joined(start, end) if joined else None


def _joined_scope(ctx: "Context", scope: str):
    m = ctx.message
    if scope == "anchor-text":
        links = [(k, link) for k, link in enumerate(m.links) if link.text]

        def place(i, s, e):
            maps = m.html_map
            k = links[i][0]
            return _html_place(ctx, maps.link_text_map(k) if maps is not None else None, s, e)
        return _Joined([link.text for _, link in links], place)
    if scope in ("links", "images"):
        items = m.links if scope == "links" else m.images
        attr = "href" if scope == "links" else "src"

        def place(i, s, e):
            item = items[i]
            if getattr(item, "in_text", False) and item.span:
                return "text/plain", item.span[0] + s, item.span[0] + e
            maps = m.html_map
            if maps is None or item.index < 0:
                return None
            got = maps.item_attr(item.index, attr)
            if got is None:
                return None
            a, b = maps.to_part_span(*got)
            # the attribute as written may hold entities: a span inside it points at the whole value
            return ("text/html", a + s, a + e) if b - a == len(getattr(item, attr, "") or "") else ("text/html", a, b)
        return _Joined([getattr(x, attr) for x in items], place)
    if scope == "headers":
        def place(i, s, e):
            return _header_place(ctx, i, s, e)
        return _Joined([f"{k}: {v}" for k, v in m.headers], place)
    if scope == "from":
        shown = ctx.raw("from")
        return lambda s, e: _in_field(ctx, "from", shown, s, e, [m.from_name or "", m.from_addr or ""])
    if scope == "reply-to":
        shown = ctx.raw("reply-to")
        return lambda s, e: _in_field(ctx, "reply-to", shown, s, e, [m.reply_to or ""])
    return None


def _header_place(ctx: "Context", i: int, s: int, e: int):
    """Offsets in the line ``Name: value`` of header ``i`` → offsets in the input file."""
    m = ctx.message
    if m.file is None or i >= len(m.header_offsets):
        return None
    name = m.headers[i][0]
    off = m.header_offsets[i]
    value_at = len(name) + 2
    if s < value_at:
        return "@file", off, off + len(name.encode("utf-8", "replace"))
    origin = ctx._scope_maps.get(("@header", off))
    if origin is None:              # once per header field and message (several rules read the same one)
        from contentlint.readers.mime import header_field_origin

        _, origin = header_field_origin(m.file.data, off, m.file)
        ctx._scope_maps[("@header", off)] = origin
    fs, fe = origin.to_file(s - value_at, e - value_at)
    return None if fs < 0 else ("@file", fs, fe)


_JOINED_SCOPES = frozenset({"anchor-text", "links", "images", "headers", "attachments"})


def _matched_text(ctx: "Context", span: Span) -> Optional[str]:
    """The text a span covers, as the rule read it (decoded, placeholders masked)."""
    m = ctx.message
    try:
        if span.kind == "scope":
            text = ctx.text(span.key)[span.a:span.b]
            # scopes of one line per item: a match running into the next item is shown on its first
            return text.split("\n", 1)[0] if span.key in _JOINED_SCOPES else text
        if span.kind == "cut":
            return ctx.text_without_placeholders(span.key)[span.a:span.b]
        if span.kind == "visible":
            return m.visible_text[span.a:span.b]
        if span.kind == "text":
            part = part_by_label(m, span.key)
            return part.text[span.a:span.b] if part is not None and part.text else None
        if span.kind == "item":
            by_index = ctx._scope_maps.get("@items")
            if by_index is None:         # the first link or image of each index, once per message
                by_index = ctx._scope_maps["@items"] = {}
                for x in (*m.links, *m.images):
                    by_index.setdefault(x.index, x)
            item = by_index.get(span.a)
            return getattr(item, span.key, None) if item is not None else None
        if span.kind == "link-text":
            return m.links[span.a].text
        if span.kind == "hidden":
            return m.hidden[span.a].text
        if span.kind == "header":
            return m.headers[span.a][1]
    except (IndexError, AttributeError):
        return None
    return None


def _where(ctx: "Context", span: Span):
    kind = span.kind
    m = ctx.message
    if kind in ("scope", "cut"):
        scope = span.key
        start, end = span.a, span.b
        if kind == "cut":
            ctx.text_without_placeholders(scope)
            cut_map, cmap = ctx._cut_maps.get(scope, (None, None))
            start, end = _seg(cmap, start, end)
            start, end = _seg(cut_map, start, end)
        else:
            cleaned = ctx.text(scope)
            cm = ctx._scope_maps.get("clean:" + scope, 0)
            if cm == 0:
                raw = ctx.raw(scope)
                # masking keeps the length: a cleaned text as long as the raw one lost nothing (no map, and
                # no second masking of the whole text to find that out)
                cm = ctx._scope_maps["clean:" + scope] = clean_map(ctx.mask(raw)) \
                    if scope not in ("headers", "from", "reply-to", "links", "images", "attachments") \
                    and len(cleaned) != len(raw) else None
            start, end = _seg(cm, start, end)
        return _scope_place(ctx, scope, start, end)
    if kind == "text":
        return span.key, span.a, span.b
    maps = m.html_map
    if kind == "visible":
        return _html_place(ctx, maps.visible() if maps is not None else None, span.a, span.b)
    if kind == "item":
        got = maps.item_attr(span.a, span.key) if maps is not None else None
        if got is None:
            return None
        s, e = maps.to_part_span(*got)
        return None if s < 0 else ("text/html", s, e)
    if kind == "link-text":
        link = m.links[span.a]
        return _html_place(ctx, maps.link_text_map(span.a) if maps is not None else None, 0, len(link.text))
    if kind == "hidden":
        h = m.hidden[span.a]
        if maps is None or h.index < 0:
            return None
        return _html_place(ctx, maps.hidden_map(h.index), 0, len(h.text))
    if kind == "header":
        name, value = m.headers[span.a]
        return _header_place(ctx, span.a, len(name) + 2, len(name) + 2 + len(value))
    return None


__all__ = ["RuleSet", "Context", "COMMON_VARS"]
