"""Template placeholders: find them, mask them, guess the ESP, and say how to unsubscribe there.

Templates are full of placeholders (``{{ first_name }}``, ``*|UNSUB|*``, ``[[var:x]]``,
``<%asm_group_unsubscribe_raw_url%>``…).  They are normal, not spam signals, so content checks run
on masked text (``PlaceholderSet.mask``), and links whose href is a placeholder are not "relative"
or "suspicious".  Which syntaxes exist, which tokens stand for an unsubscribe URL, the unsubscribe
words and the tracking-pixel URL shapes are data in ``rules/placeholders.yaml``.

Template code is never executed: tokens are only matched by regular expressions, compiled once and
run with the ``regex`` module's timeout (user-supplied files can add patterns).

    ps = default_placeholders()
    ps.find("Hi {{ name }}")      # [PlaceholderMatch(start=3, end=12, token='{{ name }}', syntax='jinja', …)]
    ps.mask("Hi {{ name }}!")     # 'Hi           !'
    ps.esp(html)                  # 'mailchimp'
    ps.unsubscribe_snippet("mailjet")   # '<a href="[[UNSUB_LINK_EN]]">Unsubscribe</a>'
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

import re

from .paths import builtin_rules_dir
from .textscan import ascii_needle_text

#: Budget, in seconds, for one scan of one text (the whole ``finditer`` call).
REGEX_TIMEOUT = 1.0

_BUILTIN_FILE = "placeholders.yaml"
_MEMO_MIN = 512     # texts at least this long have their matches remembered…
_MEMO_SIZE = 8      # …the last few of them (the reader, the masking and the rules scan the same body)
_SHORT_MEMO_SIZE = 512   # shorter texts (link URLs, subjects, link texts, asked again by several rules): more


class PlaceholderError(ValueError):
    """A placeholders YAML file that cannot be used (bad YAML, bad shape, bad pattern)."""

    def __init__(self, file: str, message: str):
        super().__init__(f"{file}: {message}")
        self.file = file
        self.message = message


#: Link text of a suggested unsubscribe link, per language (the languages ESPs localise their tags in).
UNSUBSCRIBE_TEXT = {"en": "Unsubscribe", "fr": "Se désinscrire", "de": "Abmelden", "es": "Darse de baja",
                    "it": "Annulla l'iscrizione", "nl": "Afmelden", "pt": "Cancelar inscrição"}


@dataclass(frozen=True)
class PlaceholderMatch:
    start: int
    end: int
    token: str
    syntax: str              # syntax family: "mailchimp", "mailjet", "sendgrid", "postmark", "hubspot",
    #                          "campaign-monitor", "mailgun", "handlebars", "jinja", "erb"…
    unsubscribe: bool = False  # the token stands for (or renders) an unsubscribe link
    form: str = ""           # the `syntaxes` entry that matched ("mustache", "mailjet-bracket"…)


@dataclass
class _Spec:
    """Merged content of one or more placeholders YAML files (before compilation)."""

    syntaxes: list[dict] = field(default_factory=list)
    families: list[dict] = field(default_factory=list)
    esp_families: list[str] = field(default_factory=list)
    unsub_include: list[str] = field(default_factory=list)
    unsub_exclude: list[str] = field(default_factory=list)
    snippets: dict[str, str] = field(default_factory=dict)
    words: dict[str, list[str]] = field(default_factory=dict)
    url_patterns: list[str] = field(default_factory=list)
    pixel_patterns: list[str] = field(default_factory=list)
    includes: list[dict] = field(default_factory=list)    # {pattern, syntax, label}: partials and layouts
    files: list[str] = field(default_factory=list)
    trusted: bool = True     # only reviewed built-in files: patterns run with stdlib `re`
    validated: bool = False  # every pattern compiled once (a cached spec of the same files): compile lazily
    combined: dict[str, bool] = field(default_factory=dict)  # which pattern lists compile as one alternation
    # per syntax without a literal prefix: the strings (case-folded) one of which each match holds, worked
    # out by the validating load; a text with none of them does not need that syntax compiled
    needs: dict[str, tuple] = field(default_factory=dict)


def _word_trie(words) -> str:
    """One pattern matching where any of ``words`` starts (a space stands for spaces or hyphens), its
    alternatives factored letter by letter ("d(?:esabonn|esinscri)…"): the same texts match as with a flat
    alternation (it only says whether one does), in 60 % of the time and half the compile time."""
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}                                   # a word ends here

    def piece(ch: str) -> str:
        return r"[\s\-]+" if ch == " " else re.escape(ch)

    def alternatives(node: dict) -> str:
        alts = []
        for ch in sorted(k for k in node if k):
            text, child = piece(ch), node[ch]
            while "" not in child and len(child) == 1:  # a chain of single letters: one literal
                (ch,) = child
                text, child = text + piece(ch), child[ch]
            alts.append(text + alternatives(child))
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return alternatives(root)


def _fold(text: str) -> str:
    """Lower-case and strip accents (``Désinscription`` → ``desinscription``)."""
    text = text.lower()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    # the marks are looked up once per distinct character, not once per character of a long body
    marks = {c: None for c in set(decomposed) if not c.isascii() and unicodedata.combining(c)}
    return decomposed.translate(str.maketrans(marks)) if marks else decomposed


#: An escape that can stand for a character outside ASCII in a pattern written in ASCII.
_NON_ASCII_ESCAPE = re.compile(r"\\[uUxN0-7]")


class _Pat:
    """A pattern, compiled on first use when it comes from a validated built-in file.

    Built-in (reviewed) patterns use the stdlib ``re`` (fast to compile, no extra import); patterns from
    user files use ``regex`` with a per-call timeout, so a catastrophic pattern costs at most
    ``REGEX_TIMEOUT`` seconds per text instead of hanging the run.  ``lazy`` is only used for the
    built-in file once a full load has compiled (validated) every pattern of that very file version:
    a one-template run then compiles only the few syntaxes its text contains."""

    __slots__ = ("_rx", "trusted", "pattern", "flags", "file", "what", "window")

    def __init__(self, pattern: str, file: str, what: str, *, ignore_case=False, dotall=False, trusted=True,
                 lazy=False):
        self.trusted = trusted
        self.pattern = pattern
        self.flags = (ignore_case, dotall)
        self.file = file
        self.what = what
        self._rx = None
        # "{%.{0,1000}?%}": found with str.find (see _window_starts), same matches
        self.window = _window_of(pattern) if trusted and dotall and not ignore_case else None
        if not (lazy and trusted):
            self._rx = self._compile()

    def _compile(self):
        ignore_case, dotall = self.flags
        try:
            if self.trusted:
                return re.compile(self.pattern, (re.I if ignore_case else 0) | (re.S if dotall else 0))
            import regex

            return regex.compile(self.pattern, regex.V0 | (regex.I if ignore_case else 0)
                                 | (regex.S if dotall else 0))
        except Exception as exc:  # re.error, regex.error, OverflowError, RecursionError…
            raise PlaceholderError(self.file, f"{self.what}: invalid regular expression {self.pattern!r}: {exc}") from None

    @property
    def rx(self):
        rx = self._rx
        if rx is None:
            rx = self._rx = self._compile()
        return rx

    def search(self, text: str):
        if self.trusted:
            return self.rx.search(text)
        try:
            return self.rx.search(text, timeout=REGEX_TIMEOUT)
        except TimeoutError:
            return None

    def finditer(self, text: str) -> list:
        if self.window is not None:
            rx = self.rx
            return [rx.match(text, p) for p in _window_starts(text, *self.window)]
        if self.trusted:
            return list(self.rx.finditer(text))
        out = []
        try:
            for m in self.rx.finditer(text, timeout=REGEX_TIMEOUT):
                out.append(m)
        except TimeoutError:
            pass  # keep what was found; a pathological text must not stall the run
        return out


_WINDOW_LITERAL = r"((?:\\[^A-Za-z0-9]|[^\\.\[\](){}?*+|^$])+)"
_WINDOW = re.compile(_WINDOW_LITERAL + r"\.\{0,(\d+)\}\?" + _WINDOW_LITERAL)
_UNESCAPE = re.compile(r"\\(.)")


def _window_of(pattern: str) -> Optional[tuple[str, int, str]]:
    """(opening, k, closing) for a pattern ``OPEN.{0,k}?CLOSE`` of two literals, else None."""
    m = _WINDOW.fullmatch(pattern)
    if m is None:
        return None
    return _UNESCAPE.sub(r"\1", m.group(1)), int(m.group(2)), _UNESCAPE.sub(r"\1", m.group(3))


def _window_starts(text: str, opening: str, k: int, closing: str):
    """Where ``re.finditer(OPEN.{0,k}?CLOSE, text, re.S)`` finds its matches, in linear time.

    The regex tries every unclosed opening and scans up to ``k`` characters from each: 300,000
    unclosed ``{%`` cost 300,000 × 1,000 steps.  Here, when the first closing after an opening is too
    far, every opening before ``closing - k`` is too far from it as well, and is skipped."""
    lo = len(opening)
    pos = 0
    while True:
        p = text.find(opening, pos)
        if p < 0:
            return
        q = text.find(closing, p + lo)
        if q < 0:
            return
        if q - p - lo <= k:
            yield p
            pos = q + len(closing)
        else:
            pos = max(p + 1, q - k - lo)


def _any_search(patterns: "list[_Pat]", text: str) -> bool:
    return any(p.search(text) is not None for p in patterns)


_LITERAL_ESC = re.compile(r"\\([^A-Za-z0-9])|([^\\\[\](){}?*+|^$.])")


def _literal_prefix(pattern: str) -> str:
    """The literal text every match of ``pattern`` starts with ("{{", "*|", "[[", "<%"…), maybe ""."""
    out = []
    pos = 0
    while pos < len(pattern):
        m = _LITERAL_ESC.match(pattern, pos)
        if not m:
            break
        nxt = m.end()
        if nxt < len(pattern) and pattern[nxt] in "?*{":   # quantified: not certain
            break
        out.append(m.group(1) or m.group(2))
        pos = nxt
    return "".join(out)


#: ``<mj-include path="./footer.mjml" />`` (an MJML tag, not a placeholder: found in the source text)
_MJ_INCLUDE = re.compile(r"""<mj-include\b[^<>]{0,500}?\bpath\s*=\s*["']([^"'<>]{1,300})["'][^<>]{0,300}>""",
                         re.IGNORECASE)


class PlaceholderSet:
    """Compiled placeholder syntaxes plus the unsubscribe / tracking vocabulary."""

    def __init__(self, spec: _Spec):
        self._spec = spec
        self._memo: dict[str, list] = {}    # bounded (``_MEMO_SIZE`` texts), per process
        self._short_memo: dict[str, list] = {}   # bounded (``_SHORT_MEMO_SIZE`` texts shorter than _MEMO_MIN)
        src = ", ".join(spec.files) or "<placeholders>"
        trusted = spec.trusted
        lazy = trusted and spec.validated   # every pattern of these files compiled once already

        def comp(pattern, what, **kw):
            return _Pat(pattern, src, what, trusted=trusted, lazy=lazy, **kw)

        # one pattern per syntax, each guarded by the literal its matches start with: most texts
        # contain none of "{{", "*|", "[[", "<%"…, so most scans cost a few substring tests.
        self._syntaxes: list[tuple[str, _Pat, str, str]] = []   # (literal, pattern, form, family)
        self._firsts: list[str] = []        # the character every match starts with ("{", "[", "%", "@"…)
        for syn in spec.syntaxes:
            pat = comp(syn["pattern"], f"syntax {syn['name']!r}", ignore_case=syn.get("ignore_case", False),
                       dotall=True)
            literal = _literal_prefix(syn["pattern"])
            first = literal[:1] if not (syn.get("ignore_case") and literal[:1].isalpha()) else ""
            if syn.get("ignore_case") or len(literal) < 2:
                literal = ""
                if not lazy and trusted:
                    from .engine.hit import required_literals

                    need = required_literals(syn["pattern"])
                    if need:
                        spec.needs[syn["name"]] = need
            self._syntaxes.append((literal, pat, syn["name"], syn.get("family") or syn["name"]))
            self._firsts.append(first)
        # what a match of a syntax without a literal prefix cannot do without (built-in files only), for the
        # patterns whose literals are all ASCII (as written: no escape of another character), whose strings
        # ascii_needle_text keeps
        self._needs = [spec.needs.get(name) if pat.pattern.isascii() and not _NON_ASCII_ESCAPE.search(pat.pattern)
                       else None for _lit, pat, name, _fam in self._syntaxes]
        self._first = frozenset(self._first_chars(spec.syntaxes))
        self._family_hints = [(comp(h["pattern"], f"family hint {h['family']!r}", ignore_case=True), h["family"])
                              for h in spec.families]
        self._esp_families = frozenset(spec.esp_families)
        self.snippets: dict[str, str] = dict(spec.snippets)
        self.unsubscribe_words: dict[str, list[str]] = {k: list(v) for k, v in spec.words.items()}
        words = sorted({_fold(w).strip() for ws in spec.words.values() for w in ws if str(w).strip()},
                       key=len, reverse=True)
        self._words_rx: Optional[_Pat] = None
        if words:
            # escaped literals: safe
            self._words_rx = _Pat(rf"(?<!\w)(?:{_word_trie(words)})", src, "unsubscribe_words", lazy=lazy)
        combined = spec.combined
        self._url_rx = self._combined(spec.url_patterns, comp, "unsubscribe_url_patterns", combined)
        self._pixel_rx = self._combined(spec.pixel_patterns, comp, "tracking_pixel_patterns", combined)
        self._unsub_in = self._combined(spec.unsub_include, comp, "unsubscribe.include", combined, ignore_case=True)
        self._unsub_ex = self._combined(spec.unsub_exclude, comp, "unsubscribe.exclude", combined, ignore_case=True)
        self._includes = [(comp(inc["pattern"], "includes", ignore_case=True), inc["syntax"], inc["label"])
                          for inc in spec.includes]

    @staticmethod
    def _combined(patterns: list[str], comp, what: str, combined: dict, **kw) -> "list[_Pat]":
        """One alternation for a list of patterns (one scan instead of many); each validated alone.
        ``combined`` records, per list, whether the alternation compiled (so a validated cached spec
        rebuilds the same patterns without compiling them)."""
        pats = [comp(p, what, **kw) for p in patterns]
        if len(pats) > 1 and combined.get(what, True):
            try:
                pats = [comp("|".join(f"(?:{p})" for p in patterns), what, **kw)]
                combined[what] = True
            except PlaceholderError:
                combined[what] = False
        return pats

    @staticmethod
    def _first_chars(syntaxes: list[dict]) -> set[str]:
        """First character of every syntax (``{``, ``*``, ``[``, ``<``, ``%``); empty if unknown."""
        chars: set[str] = set()
        for syn in syntaxes:
            lit = _literal_prefix(syn["pattern"])
            if not lit or syn.get("ignore_case") and lit[0].isalpha():
                return set()
            chars.add(lit[0])
        return chars

    # -- matching -------------------------------------------------------------------
    def find(self, text: str) -> list[PlaceholderMatch]:
        """Every placeholder in ``text``, in order, non-overlapping (earlier syntaxes win ties)."""
        if not text or not self._syntaxes:
            return []
        # the same body, URL or subject is scanned by the reader, the masking and the rules: remember the
        # last few long texts and more short ones (a bounded memory either way)
        memo, size = (self._short_memo, _SHORT_MEMO_SIZE) if len(text) < _MEMO_MIN else (self._memo, _MEMO_SIZE)
        found = memo.get(text)
        if found is None:
            if self._first and not any(c in text for c in self._first):
                return []              # no syntax can start here (not remembered: as cheap to ask again)
            found = self._find(text)
            if len(memo) >= size:
                memo.clear()
            memo[text] = found
        return list(found)

    def _find(self, text: str) -> list[PlaceholderMatch]:
        found: list[tuple[int, int, int, object]] = []
        folded: Optional[str] | bool = False       # ascii_needle_text(text), once a syntax needs it
        firsts = self._firsts
        present: dict[str, bool] = {}      # first characters looked for (one memchr each, shared by syntaxes)
        for rank, (literal, pat, _form, _family) in enumerate(self._syntaxes):
            first = firsts[rank]
            if first:
                here = present.get(first)
                if here is None:
                    here = present[first] = first in text
                if not here:
                    continue
            if literal and literal not in text:
                continue
            need = self._needs[rank]
            if need:
                # a text that holds none of the literals every match needs is not scanned (nor, in a
                # one-template run, is the pattern compiled for it)
                if folded is False:
                    folded = ascii_needle_text(text)
                if folded is not None and not any(x in folded for x in need):
                    continue
            for m in pat.finditer(text):
                if m.end() > m.start():
                    found.append((m.start(), rank, m.end(), m))
        if not found:
            return []
        found.sort(key=lambda t: (t[0], t[1]))
        out: list[PlaceholderMatch] = []
        last_end = -1
        for start, rank, end, m in found:
            if start < last_end:
                continue          # overlaps an earlier (or higher-priority) token
            _lit, _pat, form, family = self._syntaxes[rank]
            token = m.group()
            out.append(PlaceholderMatch(start, end, token, self._family(token, family),
                                        self._is_unsub_token(token), form))
            last_end = end
        return out

    def _family(self, token: str, family: str) -> str:
        for rx, fam in self._family_hints:
            if rx.search(token) is not None:
                return fam
        return family

    def _is_unsub_token(self, token: str) -> bool:
        return _any_search(self._unsub_in, token) and not _any_search(self._unsub_ex, token)

    def tokens(self, text: str) -> list[str]:
        """The raw placeholder tokens in ``text``, in order."""
        return [m.token for m in self.find(text)]

    def mask(self, text: str, matches: Optional[list[PlaceholderMatch]] = None) -> str:
        """``text`` with every placeholder replaced by spaces (line breaks kept): same length, same offsets."""
        if matches is None:
            matches = self.find(text)
        if not matches:
            return text
        pieces = []
        pos = 0
        for m in matches:
            pieces.append(text[pos:m.start])
            tok = text[m.start:m.end]
            pieces.append("".join("\n" if c == "\n" else " " for c in tok) if "\n" in tok else " " * len(tok))
            pos = m.end
        pieces.append(text[pos:])
        return "".join(pieces)

    def esp(self, text: str) -> Optional[str]:
        """The syntax family most used in ``text`` (an ESP family wins over generic template languages)."""
        return self.esp_of(self.find(text))

    def esp_of(self, matches: list[PlaceholderMatch]) -> Optional[str]:
        """``esp()`` for matches already found."""
        counts = Counter(m.syntax for m in matches)
        if not counts:
            return None
        esp_counts = {k: v for k, v in counts.items() if k in self._esp_families}
        pool = esp_counts or counts
        return max(pool.items(), key=lambda kv: (kv[1], kv[0]))[0]

    def unsubscribe_snippet(self, esp: Optional[str], domain: str = "example.com", lang: Optional[str] = None) -> str:
        """What to add for a missing unsubscribe link, in that ESP's syntax (a generic https link otherwise);
        ``{domain}`` in a snippet stands for the sender's own domain, ``{LANG}`` for the template's language
        as the ESP spells it (Mailjet: ``[[UNSUB_LINK_FR]]``; EN when unknown) and ``{unsubscribe}`` for the
        link text in that language."""
        if esp and esp in self.snippets:
            snippet = self.snippets[esp]
        else:
            snippet = self.snippets.get("default", '<a href="https://{domain}/unsubscribe">Unsubscribe</a>')
        code = (lang or "").lower()
        word = UNSUBSCRIBE_TEXT.get(code, UNSUBSCRIBE_TEXT["en"])
        return (snippet.replace("{domain}", domain).replace("{LANG}", code.upper() if code in UNSUBSCRIBE_TEXT else "EN")
                .replace("{unsubscribe}", word))

    # -- questions the HTML analysis asks ------------------------------------------------
    def starts_with_placeholder(self, text: str) -> Optional[PlaceholderMatch]:
        """The placeholder ``text`` starts with (after leading whitespace), if any."""
        stripped = text.lstrip()
        if not stripped:
            return None
        if self._first and stripped[0] not in self._first:
            return None
        found = self.find(stripped)
        if found and found[0].start == 0:
            return found[0]
        return None

    def includes(self, text: str, matches: Optional[list[PlaceholderMatch]] = None) -> list[tuple[str, str, str]]:
        """The pieces ``text`` pulls in from elsewhere, in order: ``(name, syntax, token)`` for each partial,
        include or layout-body placeholder (``{{> footer}}`` → ``("footer", "handlebars", "{{> footer}}")``)."""
        out = []
        found_ph = (self.find(text) if matches is None else matches) if self._includes else ()
        for m in found_ph:
            for pat, syntax, label in self._includes:
                found = pat.search(m.token)
                if found is not None:
                    name = (found.group(1) if found.re.groups else "") or label or m.token
                    out.append((m.start, (name, syntax, m.token)))
                    break
        if "<mj-include" in text:   # MJML whose include could not be compiled in: the tag is still in the source
            out += [(mj.start(), (mj.group(1), "mjml", mj.group(0))) for mj in _MJ_INCLUDE.finditer(text)]
            out.sort(key=lambda item: item[0])
        return [item for _, item in out]

    def is_unsubscribe_text(self, text: str) -> bool:
        """Anchor (or nearby) text says unsubscribe / opt out / se désinscrire / abmelden…"""
        if not text or self._words_rx is None:
            return False
        return self._words_rx.search(_fold(text)) is not None

    def is_unsubscribe_url(self, url: str) -> bool:
        """A URL that is clearly an unsubscribe endpoint (or an unsubscribe placeholder)."""
        if not url:
            return False
        if any(m.unsubscribe for m in self.find(url)):
            return True
        return _any_search(self._url_rx, _fold(url))

    def is_tracking_url(self, url: str) -> bool:
        """An image URL shaped like an open-tracking pixel."""
        return bool(url) and _any_search(self._pixel_rx, url.lower())


# -- loading ----------------------------------------------------------------------------
def _load_yaml(path: Path) -> dict:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlaceholderError(str(path), f"cannot read: {exc}") from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise PlaceholderError(str(path), f"invalid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PlaceholderError(str(path), "expected a mapping at the top level")
    return data


def _str_list(value, file: str, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PlaceholderError(file, f"{key}: expected a list of strings")
    return list(value)


def _merge(spec: _Spec, data: dict, file: str) -> None:
    spec.files.append(file)
    for i, syn in enumerate(data.get("syntaxes") or []):
        if not isinstance(syn, dict) or not isinstance(syn.get("pattern"), str) or not syn["pattern"]:
            raise PlaceholderError(file, f"syntaxes[{i}]: needs a non-empty string `pattern`")
        name = str(syn.get("name") or f"syntax{len(spec.syntaxes)}")
        spec.syntaxes.append({"name": name, "family": str(syn.get("family") or name),
                              "pattern": syn["pattern"], "ignore_case": bool(syn.get("ignore_case"))})
    for i, hint in enumerate(data.get("families") or []):
        if not isinstance(hint, dict) or not isinstance(hint.get("pattern"), str) or not hint.get("family"):
            raise PlaceholderError(file, f"families[{i}]: needs `family` and `pattern`")
        spec.families.append({"family": str(hint["family"]), "pattern": hint["pattern"]})
    spec.esp_families += _str_list(data.get("esp_families"), file, "esp_families")
    unsub = data.get("unsubscribe") or {}
    if not isinstance(unsub, dict):
        raise PlaceholderError(file, "unsubscribe: expected a mapping with `include` and `exclude`")
    spec.unsub_include += _str_list(unsub.get("include"), file, "unsubscribe.include")
    spec.unsub_exclude += _str_list(unsub.get("exclude"), file, "unsubscribe.exclude")
    snippets = data.get("unsubscribe_snippets") or {}
    if not isinstance(snippets, dict):
        raise PlaceholderError(file, "unsubscribe_snippets: expected a mapping")
    spec.snippets.update({str(k): str(v) for k, v in snippets.items()})
    words = data.get("unsubscribe_words") or {}
    if isinstance(words, dict) and "list" in words:          # a reference to rules/lists.yaml
        from .named_lists import ListError, resolve
        try:
            words = resolve(words, _named_lists())
        except ListError as exc:
            raise PlaceholderError(file, f"unsubscribe_words: {exc.message}") from None
    if not isinstance(words, dict):
        raise PlaceholderError(file, "unsubscribe_words: expected a mapping language → list")
    for lang, ws in words.items():
        spec.words.setdefault(str(lang), []).extend(_str_list(ws, file, f"unsubscribe_words.{lang}"))
    for i, inc in enumerate(data.get("includes") or []):
        if not isinstance(inc, dict) or not isinstance(inc.get("pattern"), str) or not inc["pattern"]:
            raise PlaceholderError(file, f"includes[{i}]: needs a non-empty string `pattern`")
        spec.includes.append({"pattern": inc["pattern"], "syntax": str(inc.get("syntax") or ""),
                              "label": str(inc.get("label") or "")})
    spec.url_patterns += _str_list(data.get("unsubscribe_url_patterns"), file, "unsubscribe_url_patterns")
    spec.pixel_patterns += _str_list(data.get("tracking_pixel_patterns"), file, "tracking_pixel_patterns")


def _named_lists() -> dict:
    from .named_lists import LISTS_FILE, load_lists_file
    return load_lists_file(builtin_rules_dir() / LISTS_FILE, _load_yaml)


def builtin_placeholders_file() -> Path:
    return builtin_rules_dir() / _BUILTIN_FILE


def load_placeholders(paths: Iterable[str | Path] = (), *, include_default: bool = True) -> PlaceholderSet:
    """A PlaceholderSet from the built-in file (unless ``include_default=False``) plus ``paths``.

    Raises ``PlaceholderError`` naming the file for unreadable YAML, a wrong shape or a bad pattern.
    """
    spec = _Spec()
    files: list[Path] = []
    if include_default:
        files.append(builtin_placeholders_file())
    files += [Path(p) for p in paths]
    builtin = builtin_placeholders_file().resolve()
    for path in files:
        if path.resolve() != builtin:
            spec.trusted = False
        _merge(spec, _load_yaml(path), str(path))
    return PlaceholderSet(spec)


_SPEC_CACHE_VERSION = "placeholders v3"


@lru_cache(maxsize=1)
def default_placeholders() -> PlaceholderSet:
    """The built-in placeholder set (``rules/placeholders.yaml``), loaded once per process.

    Start-up matters (one template in a pre-commit hook): the parsed file is cached in the user cache
    (``contentlint.paths.cache_load``, keyed by the file's path, size and modification time), so a warm
    start neither imports PyYAML nor compiles the ~100 patterns up front (they compile on first use).
    """
    from .paths import cache_load, cache_store, fingerprint

    path = builtin_placeholders_file()
    from .named_lists import LISTS_FILE
    fp = fingerprint([path, builtin_rules_dir() / LISTS_FILE, __file__], _SPEC_CACHE_VERSION)
    spec = cache_load("placeholders", fp)
    if isinstance(spec, _Spec) and spec.validated:
        try:
            return PlaceholderSet(spec)
        except Exception:  # a stale or foreign cache: load the file
            pass
    ps = load_placeholders()
    spec = ps._spec
    if spec.trusted:
        import copy

        cached = copy.deepcopy(spec)
        cached.validated = True      # this load compiled every pattern: later loads may be lazy
        cache_store("placeholders", fp, cached)
    return ps
