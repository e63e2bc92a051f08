"""RuleSet: the compiled rules, and ``check(message, kind)`` → one Finding per rule per message.

Per message the work is shared between rules through a ``Context``: each scope's text is masked
(placeholders → spaces, same length) and tokenized once; lemmas are looked up once per scope and
language; every word list of every rule is matched in one pass over the tokens (first-token index,
then n-gram comparison on lowercased form or lemma).
"""
from __future__ import annotations

import fnmatch

from typing import Optional

import regex

from contentlint.findings import Finding
from contentlint.model import Location, Message

from .kinds import COMMON_VARS, Hit, RuleTimeout, WordsChecker, fill
from .rule import Rule
from .text import clean, iter_token_spans, lower_tokens, token_spans, words_of

_PART_FOR_SCOPE = {"subject": "subject", "preheader": "preheader", "text-part": "text/plain", "html": "text/html",
                   "anchor-text": "text/html", "headers": "headers", "from": "from", "reply-to": "headers",
                   "links": "text/html", "images": "text/html", "attachments": "attachments"}

# Used only when contentlint.placeholders is not importable (keeps the engine usable on its own).
_FALLBACK_PLACEHOLDER = regex.compile(
    r"\{\{.*?\}\}|\{%.*?%\}|\*\|[^|]*\|\*|\[\[[^\]]*\]\]|%%[^%\s]+%%|\{\$[^}]*\}|\{\{\{.*?\}\}\}", regex.DOTALL)


def _fallback_mask(text: str) -> str:
    return _FALLBACK_PLACEHOLDER.sub(lambda m: " " * len(m.group()), text)


def _masker():
    try:
        from contentlint.placeholders import default_placeholders
        return default_placeholders().mask
    except Exception:  # module missing or its pack broken: mask the common syntaxes ourselves
        return _fallback_mask


def _locate(message, fragment, part):
    try:
        from contentlint.locate import locate
    except ImportError:
        return Location(part=part, excerpt=(fragment or "")[:80])
    try:
        return locate(message, fragment, part)
    except Exception:  # locating is best effort: a finding must never be lost to it
        return Location(part=part, excerpt=(fragment or "")[:80])


class WordIndex:
    """All word-list entries of one language, keyed by their first token (lowercased form and lemma)."""

    def __init__(self, table: dict[str, str]):
        self.table = table
        self.first: dict[str, list] = {}
        self._triggers: Optional[frozenset] = None

    def add(self, entry):
        keys = {entry.low[0]} if entry.exact else {entry.low[0], entry.lem[0]}
        for k in keys:
            self.first.setdefault(k, []).append(entry)
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


class Context:
    """What the rules share while checking one message."""

    def __init__(self, ruleset: "RuleSet", message: Message, kind: str):
        self.ruleset = ruleset
        self.message = message
        self.kind = kind
        lang = (message.lang or "und").lower().replace("_", "-").split("-")[0]
        self.lang = lang or "und"
        self._mask = None
        self._texts: dict[str, str] = {}
        self._tokens: dict[str, list] = {}
        self._spans: dict[str, list] = {}
        self._span_iters: dict[str, object] = {}
        self._lemmas: dict[tuple, list] = {}
        self._hits: dict[tuple, dict] = {}

    # -- texts --------------------------------------------------------------------------------------
    def mask(self, text: str) -> str:
        if self._mask is None:
            self._mask = self.ruleset.masker()
        try:
            return self._mask(text)
        except Exception:
            return _fallback_mask(text)

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

    def text_without_placeholders(self, scope: str) -> str:
        """The scope's text with placeholders cut out (not blanked): offsets move, whitespace is real."""
        key = "-" + scope
        t = self._texts.get(key)
        if t is None:
            raw = self.raw(scope)
            try:
                from contentlint.placeholders import default_placeholders

                spans = [(p.start, p.end) for p in default_placeholders().find(raw)] if raw else []
            except Exception:
                spans = [m.span() for m in _FALLBACK_PLACEHOLDER.finditer(raw)]
            pieces, pos = [], 0
            for start, end in spans:
                pieces.append(raw[pos:start])
                pos = max(pos, end)
            pieces.append(raw[pos:])
            t = self._texts[key] = clean("".join(pieces))
        return t

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
        last = i + n - 1
        sp = self._spans.get(scope)
        if sp is None:
            sp = self._spans[scope] = []
            self._span_iters[scope] = iter_token_spans(self.text(scope))
        if last >= len(sp):
            it = self._span_iters[scope]
            for span in it:
                sp.append(span)
                if len(sp) > last:
                    break
        return self.text(scope)[sp[i][0]:sp[last][1]]

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
                first = index.first
                n_toks = len(toks)
                seen = set()
                for i in [i for i, t in enumerate(toks) if t in starts]:
                    low = toks[i]
                    cands = first.get(low)
                    li = get(low, low)
                    if li != low:
                        more = first.get(li)
                        if more:
                            cands = (cands or []) + more
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

    def phrase_spans(self, scope: str, lang: str, seqs) -> list[tuple[int, int]]:
        """Token spans (start, length) where any of ``seqs`` ((low, lem) pairs) occurs."""
        toks = self.tokens(scope)
        lem = self.lemmas(scope, lang)
        firsts = {}
        for low, lm in seqs:
            firsts.setdefault(low[0], []).append((low, lm))
            if lm[0] != low[0]:
                firsts.setdefault(lm[0], []).append((low, lm))
        spans = []
        n_toks = len(toks)
        for i, t in enumerate(toks):
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

    @property
    def webmail_re(self):
        """One pattern for the free-mail domains listed by the loaded freemail checks (data of the sender pack)."""
        found = self.__dict__.get("_webmail_re")
        if found is None:
            domains = dict.fromkeys(
                d for r in self.rules if r.type == "builtin" and r.checker is not None
                and getattr(r.checker, "name", "") in ("freemail_sender", "freemail_reply_to")
                for d in r.checker.params.get("domains", ()))
            found = self._webmail_re = regex.compile("|".join(fnmatch.translate(d) for d in domains) or "(?!)")
        return found

    def own_domain(self, domain: Optional[str]) -> Optional[str]:
        """``domain`` if the sender can act on it (DNS, ESP settings), None for a webmail domain like gmail.com."""
        if not domain:
            return None
        d = domain.lower().rstrip(".")
        return None if self.webmail_re.match(d) else d

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
        from .kinds import WordEntry
        for r in self.rules:
            ch = r.checker
            if not isinstance(ch, WordsChecker):
                continue
            for lang, items in ch.words.items():
                table = self.lemma_tables.get(lang, {})
                idx = self.word_index.setdefault(lang, WordIndex(table))
                for text, kinds in items:
                    low, lem = _seq(text, table)
                    if not low:
                        continue
                    idx.add(WordEntry(r.id, text, low, lem, kinds, (lang, text) in getattr(ch, "exact", ())))
            ch.exception_seqs = {lang: [s for s in (_seq(t, self.lemma_tables.get(lang, {})) for t in items) if s[0]]
                                 for lang, items in ch.exceptions.items()}
            ch.alt_by_lemma = {}
            for lang in ch.words:
                table = self.lemma_tables.get(lang, {})
                for key, alts in ch.alternatives.items():
                    ch.alt_by_lemma.setdefault(" ".join(_seq(key, table)[1]), alts)

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

    def check(self, message: Message, kind: str = "marketing") -> list[Finding]:
        ctx = Context(self, message, kind)
        findings = []
        for rule in self.rules:
            if rule.checker is None or kind not in rule.kinds:
                continue
            if rule.requires_headers and not message.has_headers:
                continue
            if rule.type not in ("words", "scored-words") and rule.languages != ("any",) and ctx.lang != "und" \
                    and ctx.lang not in rule.languages:
                continue
            try:
                hit = rule.checker.check(ctx, rule)
            except RuleTimeout as exc:
                findings.append(self._timeout_finding(rule, str(exc)))
                continue
            except TimeoutError:
                findings.append(self._timeout_finding(rule, ""))
                continue
            if hit is not None:
                findings.append(self._finding(rule, hit, message))
        findings = self.drop_replaced(findings)
        findings.sort(key=Finding.sort_key)
        return findings

    def _finding(self, rule: Rule, hit: Hit, message: Message) -> Finding:
        values = dict(hit.vars)
        values.setdefault("rule", rule.id)
        values.setdefault("title", rule.title)
        if "from_domain" not in values:
            # suggestions tell the sender what to publish or configure: never on someone else's webmail domain
            values["from_domain"] = (self.own_domain(message.from_domain) or "your-domain.example") \
                if message.from_domain else "example.com"
        level = rule.level if (rule.level_overridden or not hit.level) else hit.level
        weight = round(rule.weight * hit.factor, 3)
        if hit.location is not None:
            location = hit.location
        else:
            # a short fragment is enough to find the place, and keeps locating cheap
            words = (hit.fragment or "").split()
            fragment = " ".join(words[:4])[:80] if len(words) > 4 else (hit.fragment or "")[:200]
            location = _locate(message, fragment, hit.part)
        return Finding(
            rule=rule.id, category=rule.category, level=level, weight=weight,
            message=fill(rule.message, values), suggestion=fill(rule.suggestion, values),
            location=location, matches=tuple(str(x) for x in hit.matches), pack=rule.pack)

    def _timeout_finding(self, rule: Rule, pattern: str) -> Finding:
        shown = f" ({pattern[:60]!r})" if pattern else ""
        return Finding(
            rule=rule.id, category=rule.category, level="info", weight=0.0,
            message=f"Rule {rule.id} timed out on this message: its regular expression{shown} "
                    f"needed more than its time budget, so the check was skipped.",
            suggestion=f"Simplify the pattern of rule {rule.id} in {rule.file or rule.pack} (avoid nested or "
                       "overlapping quantifiers such as (a|a)+ or (.*)*), or disable the rule.",
            location=Location(part="rules"), matches=(), pack=rule.pack)


__all__ = ["RuleSet", "Context", "COMMON_VARS"]
