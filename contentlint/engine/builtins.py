"""Named built-in checks: what a YAML pattern cannot express (structure, links, senders, headers).

A pack refers to them with ``type: builtin`` and ``check: NAME``; their tunable data (domain lists,
acronyms, thresholds) lives in the pack's ``params``, so the behaviour stays reviewable as data.
Each check is ``func(ctx, rule, params) -> Hit | None``.
"""
from __future__ import annotations

import fnmatch
import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Optional

import regex

from .hit import Hit, PackError, Span, compile_pattern
from .text import Token, collapse, is_letters_upper, lower_tokens, short_list


@dataclass
class Spec:
    func: Callable
    params: dict = field(default_factory=dict)     # name → default (type-checked against it)
    vars: set = field(default_factory=set)
    needs_headers: bool = False
    prepare: Optional[Callable] = None               # (params, ctx) -> params, at load


BUILTINS: dict[str, Spec] = {}


def builtin(name, params=None, vars=(), needs_headers=False, prepare=None):
    def deco(func):
        BUILTINS[name] = Spec(func, dict(params or {}), set(vars), needs_headers, prepare)
        return func
    return deco


def _registrable(host: Optional[str]) -> Optional[str]:
    if not host:
        return None
    host = host.lower().strip(".")
    try:
        from contentlint.domains import registrable_domain
    except ImportError:  # analysis module not available: last two labels
        parts = host.split(".")
        return ".".join(parts[-2:]) if len(parts) >= 2 else None
    return registrable_domain(host)


def _wild(pattern: str) -> bool:
    """The fnmatch pattern has a wildcard (one without is plain equality: compiling each of a list of 80
    domains cost 20 ms on the first message)."""
    return "*" in pattern or "?" in pattern or "[" in pattern


def _domain_in(domain: Optional[str], patterns) -> bool:
    """``domain`` equals, is a subdomain of, or fnmatches (``yahoo.*``) one of ``patterns``."""
    if not domain:
        return False
    domain = domain.lower().strip(".")
    exact = getattr(patterns, "exact", None)
    if exact is None:                     # a short list (a brand's domains): the plain loop
        for p in patterns:
            if "*" in p:
                if fnmatch.fnmatchcase(domain, p) or fnmatch.fnmatchcase(domain, "*." + p):
                    return True
            elif domain == p or domain.endswith("." + p):
                return True
        return False
    # equal to a pattern or a subdomain of one: the domain or one of its parents (at a dot) is in the set
    if domain in exact:
        return True
    dot = domain.find(".")
    while dot != -1:
        if domain[dot + 1:] in exact:
            return True
        dot = domain.find(".", dot + 1)
    for p in patterns.wild:
        if fnmatch.fnmatchcase(domain, p) or fnmatch.fnmatchcase(domain, "*." + p):
            return True
    return False


class _DomainList(list):
    """A rule's domain list (lower-cased) with its plain entries as a set and its ``*`` ones apart, made when
    the pack is prepared: ``_domain_in`` looks a domain and its parents up instead of an ``endswith`` per
    entry (the ESP and tracking lists have 120)."""

    def __init__(self, items):
        super().__init__(items)
        self.exact = frozenset(p for p in self if "*" not in p)
        self.wild = [p for p in self if "*" in p]


def _lower_list(params, ctx, *keys):
    for k in keys:
        params[k] = [str(x).lower() for x in params[k]]
    return params


def _domain_lists(params, ctx, *keys):
    for k in keys:
        params[k] = _DomainList(str(x).lower() for x in params[k])
    return params


# -- the sender, computed once per message ---------------------------------------------------------
@dataclass(frozen=True)
class Sender:
    """What every sender check needs to know about the From address, derived once per message."""
    address: Optional[str]          # "news@example.com" (as written)
    local: Optional[str]            # "news"
    domain: Optional[str]           # "mail.example.com" (lower case, no trailing dot)
    registrable: Optional[str]      # "example.com"
    webmail: bool                   # a free webmail domain (gmail.com, orange.fr…)


def sender_of(ctx) -> Sender:
    """The message's :class:`Sender`, cached on the message (the five sender checks share one parse)."""
    m = ctx.message
    cached = m.__dict__.get("_sender_facts")
    if cached is not None:
        return cached
    local, dom = _split(m.from_addr)
    domain = (m.from_domain or dom or "").lower().strip(".") or None
    facts = Sender(m.from_addr, local, domain, _registrable(domain),
                   bool(domain) and ctx.ruleset.own_domain(domain) is None)
    m.__dict__["_sender_facts"] = facts
    return facts


# -- capitals -------------------------------------------------------------------------------------
_VOWELS = set("aeiouyàâäéèêëîïôöùûüÿæœ")


def _prepare_caps(params, ctx):
    params["acronyms"] = frozenset(str(a).upper() for a in params["acronyms"])
    return params


@functools.lru_cache(maxsize=8192)
def _is_acronym(word: str, acronyms: frozenset) -> bool:
    """SNCF, PDF, A4, COVID19: an acronym (listed, or short without a vowel, or with a digit), not shouting.
    Cached: the same capitalised words come back in every message of a campaign."""
    if word.upper() in acronyms:
        return True
    letters = [c for c in word if c.isalpha()]
    if any(c.isdigit() for c in word):
        return True                                   # A4, COVID19, B2B
    if len(letters) <= 5 and not any(c.lower() in _VOWELS for c in letters):
        return True                                   # SNCF, HTML, PDF-like: no vowel, short
    return False


_WORD = regex.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_TWO_CAPS = regex.compile(r"\p{Lu}\p{Lu}")
# one match per whitespace-separated word holding two small ASCII letters in a row (from them to its end)
_TWO_SMALL = re.compile(r"[a-z][a-z]\S*")
_EDGE = "\"'’.,;:!?()[]{}<>«»“”‘/\\|*#@&%$€+=~^`_-–—…•·"


def _caps_words(text, acronyms, min_count, min_ratio, label_max_words=0):
    """(number of words, shouting words as tokens with offsets), or (n, []) below the thresholds.

    The decision is made on ``str.split`` words; tokens with offsets are built only to report a hit.
    With ``label_max_words``, a line whose words are all capitals and no more than that many
    ("HOME", "READ MORE", "SHOP NOW") is a navigation or button label, not shouting.
    """
    if not _TWO_CAPS.search(text):
        return 0, []
    words = text.split()
    # a shouting word is upper-case as split (its stripped edges are punctuation): too few, nothing to count
    upper = [w for w in words if w.isupper()]
    if len(upper) < min_count:
        return len(words), []
    # most texts with a few capitalised words are far below the ratio: an upper bound of the candidates
    # (every upper-case word that is no acronym) against a lower bound of the words (those with two small
    # letters in a row always count) decides without the loop over every word below
    bound = 0
    for raw in upper:
        w = raw.strip(_EDGE)
        if len(w) >= 2 and not _is_acronym(w, acronyms):
            bound += 1
    if bound < min_count or bound < min_ratio * len(_TWO_SMALL.findall(text)):
        return None, []
    total = 0
    candidates = 0
    tags = set()
    labels = set()
    lines = text.split("\n") if label_max_words else (text,)
    for line in lines:
        line_words = 0
        line_caps = []
        for raw in line.split():
            w = raw.strip(_EDGE)
            if len(w) < 2 or w.lower() == w.upper():     # numbers, symbols: no cased letter
                continue
            total += 1
            line_words += 1
            if raw.startswith("[") and raw.rstrip(":,;.!?").endswith("]"):
                tags.add(w)                               # "[ILUG]": a mailing-list tag, not shouting
                continue
            if w.isupper() and not _is_acronym(w, acronyms):
                line_caps.append(w)
        if label_max_words and line_caps and len(line_caps) == line_words <= label_max_words:
            labels.add(line.strip())
            continue
        candidates += len(line_caps)
    if candidates < min_count or not total or candidates / total < min_ratio:
        return total, []
    # str.islower first: a word whose letters are capitals is not lower-case, and most words are
    shouting = []
    for m in _WORD.finditer(text):
        g = m.group()
        if not g.islower() and is_letters_upper(g) and not _is_acronym(g, acronyms) and g not in tags \
                and not (labels and _line_of(text, m.start()) in labels):
            shouting.append(Token(m.start(), m.end(), g, g.lower()))
    return total, shouting


def _line_of(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start:end if end != -1 else len(text)].strip()


# what may stand between two words of one shouted run: spaces and sentence punctuation on one line, not a
# separator of navigation items (|, •, /) nor a line break
_RUN_GAP = regex.compile(r"[ \t\u00a0,;:!?.'’\-–—«»\"“”()&0-9%€$£+*]*")


_NO_SMALL_WORD = regex.compile(r"(?<![\w\p{M}]['’-]?)[^\W_\p{Ll}\p{Lt}\p{Lm}\p{Lo}]+"
                               r"(?:['’-][^\W_\p{Ll}\p{Lt}\p{Lm}\p{Lo}]+)*(?!['’-]?[\p{Ll}\p{Lt}\p{Lm}\p{Lo}])")


@functools.lru_cache(maxsize=8)
def _capital_lines(n: int):
    """From the start of each line that holds at least ``n`` ASCII capitals to its ``n``-th one."""
    return re.compile(r"^(?:[^A-Z\n]*+[A-Z]){%d}" % n, re.M)


def _shouted_runs(text, acronyms, min_run):
    """Runs of at least ``min_run`` capitalised words (not acronyms, not tags) on one line: a shouted
    sentence or line. Returns [(start, end, words)]."""
    if not _TWO_CAPS.search(text):
        return []
    if not text.isascii():
        return _shouted_runs_in(text, acronyms, min_run, ((0, len(text)),))
    # a run never spans two lines (its gaps hold no line break) and each of its shouted words has two
    # capitals or more: in ASCII text only the lines with 2 * min_run capitals can hold one, and a run
    # looked for line by line starts afresh at each line as it does after a line break
    lines = []
    for m in _capital_lines(2 * max(min_run, 1)).finditer(text):
        end = text.find("\n", m.end())
        lines.append((m.start(), end if end >= 0 else len(text)))
    return _shouted_runs_in(text, acronyms, min_run, lines)


def _shouted_runs_in(text, acronyms, min_run, windows):
    """The runs of ``_shouted_runs`` in the stretches ``windows`` of ``text`` (each a line or the whole text),
    in order."""
    out = []
    seen: dict[str, tuple] = {}                        # a word's (cased, shouted, acronym), worked out once
    for a, b in windows:
        out += _runs_between(text, a, b, acronyms, min_run, seen)
    return out


def _runs_between(text, a, b, acronyms, min_run, seen):
    runs, cur = [], []
    last_end = None
    gap = _RUN_GAP.fullmatch
    # only words without a small letter can be shouted or acronyms; a word with one between two of them
    # fails the gap test below, so skipping it gives the same runs (and most body words are skipped)
    for m in _NO_SMALL_WORD.finditer(text, a, b):
        w = m.group()
        known = seen.get(w)
        if known is None:
            upper = is_letters_upper(w)
            shouted = upper and len(w) >= 2 and not _is_acronym(w, acronyms)
            # "SNCF", "A": part of a shouted line, not counted
            known = seen[w] = (w.lower() != w.upper(), shouted, upper and not shouted)
        cased, shouted, acronym = known
        if not cased:                                  # "2024", "50": neither breaks nor extends a run
            continue
        if (shouted or acronym) and (not cur or last_end is not None and gap(text, last_end, m.start()) is not None):
            if shouted or cur:
                cur.append((m.start(), m.end(), shouted))
        else:
            if sum(x[2] for x in cur) >= min_run:
                runs.append(cur)
            cur = [(m.start(), m.end(), True)] if shouted else []
        last_end = m.end()
    if sum(x[2] for x in cur) >= min_run:
        runs.append(cur)
    out = []
    for run in runs:
        while run and not run[-1][2]:
            run.pop()
        out.append((run[0][0], run[-1][1], sum(x[2] for x in run)))
    return out


def _rewrite(text, tok):
    i = tok.start          # the last non-space character before the word (no slice: linear over all words)
    while i > 0 and text[i - 1].isspace():
        i -= 1
    sentence_start = i == 0 or text[i - 1] in ".!?:"
    return tok.text.capitalize() if sentence_start else tok.text.lower()


def _rewrite_all(source, tokens, new):
    """``source`` with each token's span replaced by its rewrite, built in one pass."""
    pieces, pos = [], 0
    for t, rewrite in zip(tokens, new):
        pieces += (source[pos:t.start], rewrite)
        pos = t.end
    pieces.append(source[pos:])
    return "".join(pieces)


@builtin("caps", params={"scope": "subject", "acronyms": [], "min_count": 2, "min_ratio": 0.5, "min_run": 0,
                         "label_max_words": 0},
         vars={"words", "rewritten", "count", "total", "percent", "what", "excerpt"}, prepare=_prepare_caps)
def caps(ctx, rule, params):
    scope = params["scope"]
    text = ctx.text(scope)
    if not text:
        return None
    total, shouting = _caps_words(text, params["acronyms"], params["min_count"], params["min_ratio"],
                                  params["label_max_words"])
    runs = _shouted_runs(text, params["acronyms"], params["min_run"]) if params["min_run"] else []
    if not shouting and not runs:
        return None
    if total is None:           # the quick bound decided on the ratio: the count the message shows
        total = _caps_words(text, params["acronyms"], 0, 0.0, params["label_max_words"])[0]
    if runs:
        # a shouted sentence or line, however long the body: report the lines, their words as the fix
        # a run starts and ends at word boundaries: its words are read from it alone (linear overall)
        shouting = [Token(m.start(), m.end(), m.group(), m.group().lower())
                    for a, b, _ in runs for m in _WORD.finditer(text, a, b)
                    if not m.group().islower() and is_letters_upper(m.group())
                    and not _is_acronym(m.group(), params["acronyms"])]
        first = text[runs[0][0]:runs[0][1]]
        n_words = sum(n for _, _, n in runs)
        what = (f"{len(runs)} shouted lines ({n_words} words)" if len(runs) > 1
                else f"a shouted line of {n_words} words")
    else:
        first = shouting[0].text
        what = f"{len(shouting)} of the {total} words ({round(100 * len(shouting) / total)} %)"
    new = [_rewrite(text, t) for t in shouting]
    pairs = [(t.text, b) for t, b in zip(shouting, new)]
    rewritten = _rewrite_all(text, shouting, new)
    if scope == "subject":
        # placeholders were masked to spaces: rebuild from the original subject instead
        original = ctx.message.subject or ""
        if len(original) == len(text):
            rewritten = _rewrite_all(original, shouting, new)
    shown = short_list([f"{a}” → “{b}" for a, b in pairs], limit=8)
    excerpt = collapse(first)
    excerpt = excerpt if len(excerpt) <= 80 else excerpt[:77] + "…"
    return Hit(matches=[a for a, _ in pairs], fragment=first, part=ctx.part_for(scope),
               spans=[Span("scope", scope, a, b) for a, b, _ in runs] if runs else
               [Span("scope", scope, t.start, t.end) for t in shouting],
               vars={"words": shown, "rewritten": collapse(rewritten)[:200], "count": len(shouting),
                     "total": total, "percent": round(100 * len(shouting) / max(total, 1)), "what": what,
                     "excerpt": excerpt})


# -- images and text --------------------------------------------------------------------------------
def _content_images(message):
    return [im for im in message.images if not im.tracking_pixel
            and not ((im.width is not None and im.width <= 2) or (im.height is not None and im.height <= 2))]


def _prepare_ratio(params, ctx):
    params["ignore_src"] = compile_pattern(params["ignore_src"], 0, "params.ignore_src", ctx)
    params["legal"] = compile_pattern(params["legal"], 0, "params.legal", ctx)
    _domain_lists(params, ctx, "ignore_link_domains")
    return params


def _decorative(im, params) -> bool:
    """Spacers, rules, corners, small icons and social-network buttons: not "images instead of text"."""
    if im.src and params["ignore_src"].search(im.src, timeout=0.25):
        return True
    w, h = im.width, im.height
    small = params["icon_max_side"]
    if w is not None and h is not None and w <= small and h <= small:
        return True                                  # icons, bullets, corners
    thin = params["line_max_side"]
    if (w is not None and w <= thin) or (h is not None and h <= thin):
        return True                                  # horizontal/vertical rules and spacers
    if im.linked and im.href:
        from contentlint.domains import url_host
        if _domain_in(_registrable(url_host(im.href)), params["ignore_link_domains"]):
            return True                              # "follow us" buttons
    return False


def _footer_free_length(text: str, ph, legal, enough: int) -> int:
    """Characters a reader sees in the visible text without its legal footer (the lines that offer to
    unsubscribe or that carry the sender's legal mentions: address, copyright, "you receive this mail
    because…"), ``len(collapse(...))`` of the lines kept; once it reaches ``enough`` the rest of the lines
    cannot lower it, so they are not tested (the tests are regexes per line: most messages stop early).

    collapse() works per character and per whitespace run, so the collapsed lines joined by one space are
    the collapsed text: its length is their lengths plus one separator between two non-empty ones."""
    n = -1
    for line in text.split("\n"):
        if n >= enough:
            break
        if ph is not None and ph.is_unsubscribe_text(line) or legal.search(line, timeout=0.25):
            continue
        size = len(collapse(line))
        if size:
            n += size + 1
    return max(n, 0)


@builtin("image_text_ratio", params={"min_text_chars": 100, "min_chars_per_image": 40, "ignore_src": "(?!)",
                                     "icon_max_side": 40, "line_max_side": 10, "ignore_link_domains": [],
                                     "px_per_char": 0, "default_area": 0, "legal": "(?!)"},
         vars={"images", "text_chars", "needed", "what"}, prepare=_prepare_ratio)
def image_text_ratio(ctx, rule, params):
    m = ctx.message
    if m.html is None:
        return None
    images = [im for im in _content_images(m) if not _decorative(im, params)]
    if not images:
        return None
    ph = _placeholders()
    if any(syntax == "layout" for _, syntax, _ in ph.includes(m.html)):
        return None                      # a layout: its body is a placeholder, the real text comes later
    # what a reader sees: the text outside the legal footer, against the area the images declare
    needed = max(params["min_text_chars"], params["min_chars_per_image"] * len(images))
    if params["px_per_char"]:
        area = sum((im.width or 0) * (im.height or 0) if im.width and im.height else params["default_area"]
                   for im in images)
        needed = max(needed, round(area / params["px_per_char"]))
    n = _footer_free_length(ctx.text("body"), ph, params["legal"], needed)
    if n >= needed:
        return None
    what = "an image-only message" if n < params["min_text_chars"] else "mostly images"
    return Hit(matches=[im.src for im in images[:5]], fragment=images[0].src, part="text/html",
               spans=[Span("item", "src", im.index) for im in images],
               vars={"images": len(images), "text_chars": n, "needed": needed, "what": what})


@builtin("missing_alt_text", params={"ignore_src": r"(?i)(?:spacer|blank|pixel|transparent|clear)\.(?:gif|png)\b"},
         vars={"count", "src", "srcs"},
         prepare=lambda p, c: dict(p, ignore_src=compile_pattern(p["ignore_src"], 0, "params.ignore_src", c)))
def missing_alt_text(ctx, rule, params):
    bad = [im for im in _content_images(ctx.message)
           if im.alt is None and im.src and not params["ignore_src"].search(im.src, timeout=0.25)]
    if not bad:
        return None
    srcs = [im.src or "(no src)" for im in bad]
    return Hit(matches=srcs, fragment=bad[0].src, part="text/html", spans=[Span("item", "src", im.index) for im in bad],
               vars={"count": len(bad), "src": srcs[0], "srcs": short_list(srcs, limit=3)})


@builtin("missing_text_part", needs_headers=True, vars=set())
def missing_text_part(ctx, rule, params):
    m = ctx.message
    if m.html is None or (m.text is not None and m.text.strip()):
        return None
    if m.input_format != "eml":
        return None
    return Hit(matches=["text/html only"], fragment="Content-Type", part="headers",
               spans=_header_spans(m, "Content-Type")[:1])


@builtin("hidden_text", params={"min_chars": 20, "duplicate_ratio": 0.8}, vars={"reason", "excerpt", "count"})
def hidden_text(ctx, rule, params):
    m = ctx.message
    visible = None
    found = []
    for h in m.hidden:
        if h.is_preheader:
            continue
        t = collapse(ctx.mask(h.text))
        if len(t) < params["min_chars"]:
            continue
        if visible is None:
            visible = set(lower_tokens(m.visible_text))
        words = [w for w in lower_tokens(t) if len(w) > 2]
        if words and sum(w in visible for w in words) >= params["duplicate_ratio"] * len(words):
            continue                    # a responsive duplicate (mobile/desktop swap): its words are visible
        found.append(h)
    if not found:
        return None
    first = found[0]
    excerpt = collapse(first.text)
    excerpt = excerpt if len(excerpt) <= 60 else excerpt[:57] + "…"
    return Hit(matches=[collapse(h.text)[:80] for h in found], fragment=collapse(first.text)[:40], part="text/html",
               spans=[Span("hidden", None, m.hidden.index(h)) for h in found],
               vars={"reason": first.reason, "excerpt": excerpt, "count": len(found)})


# -- links ----------------------------------------------------------------------------------------
# a domain shown in text; not one preceded by "/" (a path segment such as ".../detail.jhtml")
_SHOWN_DOMAIN = regex.compile(
    r"(?i)(?<![\w@./-])(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(?![\w-])")


def _prepare_mismatch(params, ctx):
    _lower_list(params, ctx, "file_extensions")
    _domain_lists(params, ctx, "tracking_domains")
    params["tracking_path"] = compile_pattern(params["tracking_path"], 0, "params.tracking_path", ctx)
    return params


def _redirects_to(href: str, shown: str) -> bool:
    """The href carries a URL on the shown domain (``…/go/to?destUrl=http%3A%2F%2Fwww.buy.com…``)."""
    from urllib.parse import unquote

    low = href.lower()
    if "%" in low:
        low = unquote(unquote(low))
    start = low.find("//")
    rest = low[start + 2:] if start != -1 else low
    pattern = r"https?://(?:[\w-]+\.)*" + regex.escape(shown) + r"(?![\w-])"
    return regex.search(pattern, rest) is not None


@builtin("link_text_mismatch", params={"tracking_domains": [], "file_extensions": [], "tracking_path": "(?!)"},
         vars={"shown", "target", "href"}, prepare=_prepare_mismatch)
def link_text_mismatch(ctx, rule, params):
    from urllib.parse import urlsplit

    m = ctx.message
    senders = {d for d in (sender_of(ctx).registrable, _registrable(m.return_path_domain)) if d}
    found = []
    for k, link in enumerate(m.links):
        if link.is_placeholder or link.scheme not in ("http", "https") or not link.text:
            continue
        target = link.domain or _registrable(link.host)
        if not target or _domain_in(target, params["tracking_domains"]):
            continue
        shown_domains = []
        for m in _SHOWN_DOMAIN.finditer(link.text, timeout=0.25):
            if m.group(1).rpartition(".")[2].lower() in params["file_extensions"]:
                continue                       # "news.jsp", "20020709.html": a file name, not a domain
            shown = _registrable(m.group(1))
            if shown:
                shown_domains.append((m.group(0), shown))
        if not shown_domains or any(shown == target for _, shown in shown_domains):
            continue                           # the text shows where the link goes (maybe among others)
        text, shown = shown_domains[0]
        try:
            path = urlsplit(link.href).path
        except ValueError:
            path = ""
        if path and params["tracking_path"].search(path, timeout=0.25) and (
                target in senders or _redirects_to(link.href, shown)):
            # a click-tracking redirect (/Click?q=…, /go/to?destUrl=…) run by the sender itself, or one
            # whose URL carries the shown address: it leads where the text says
            continue
        found.append((text, target, link.href, k))
    if not found:
        return None
    shown, target, href, _ = found[0]
    return Hit(matches=[f"{s} → {t}" for s, t, _, _ in found], fragment=shown, part="text/html",
               spans=[Span("link-text", None, k) for *_, k in found],
               vars={"shown": shown, "target": target, "href": href})


def _prepare_shortener(params, ctx):
    _lower_list(params, ctx, "domains", "not_shortened")
    params["domains"] = frozenset(params["domains"])
    return params


def _not_shortened(host: str, path: str, exceptions) -> bool:
    """A map or app link on a shortener's domain (maps.app.goo.gl, goo.gl/maps/…, x.page.link)."""
    for e in exceptions:
        if "/" in e:
            if (host + path).startswith(e):
                return True
        elif host == e or host.endswith("." + e):
            return True
    return False


@builtin("url_shortener", params={"domains": [], "not_shortened": []}, vars={"domain", "url", "count"},
         prepare=_prepare_shortener)
def url_shortener(ctx, rule, params):
    from urllib.parse import urlsplit

    found = []
    for k, link in enumerate(ctx.message.links):
        host = (link.host or "").lower()
        if host.startswith("www."):
            host = host[4:]
        if not host or not (host in params["domains"] or (link.domain or "") in params["domains"]):
            continue
        try:
            path = urlsplit(link.href).path
        except ValueError:
            path = ""
        if not _not_shortened(host, path, params["not_shortened"]):
            found.append((host, link.href, k))
    if not found:
        return None
    return Hit(matches=[u for _, u, _ in found], fragment=found[0][1], part=ctx.part_for("links"),
               spans=[Span("scope", "links", *_line_span(ctx, "links", k)) for _, _, k in found],
               vars={"domain": found[0][0], "url": found[0][1], "count": len(found)})


# -- sender ---------------------------------------------------------------------------------------
def _header_spans(m, name: str) -> list:
    """A span on each header called ``name`` (its whole value)."""
    lname = name.lower()
    return [Span("header", None, i) for i, (k, _) in enumerate(m.headers) if k.lower() == lname]


def _header_value_span(ctx, i: int, start: int, end: int):
    """A span of ``value[start:end]`` of header ``i``, in the engine's ``headers`` scope text."""
    base = sum(len(k) + len(v) + 3 for k, v in ctx.message.headers[:i]) + len(ctx.message.headers[i][0]) + 2
    return Span("scope", "headers", base + start, base + end)


def _line_span(ctx, scope: str, k: int) -> tuple[int, int]:
    """(start, end) of line ``k`` of a scope made of one line per item (``links``, ``images``)."""
    key = "_line_starts:" + scope
    starts = ctx.__dict__.get(key)
    if starts is None:
        starts, pos = [], 0
        for line in ctx.raw(scope).split("\n"):
            starts.append((pos, pos + len(line)))
            pos += len(line) + 1
        ctx.__dict__[key] = starts
    return starts[k]


def _address_span(ctx, fieldname: str, addr: Optional[str]):
    """A span on the address ``addr`` in the From (scope ``from``) or Reply-To header."""
    if fieldname == "From":
        text = ctx.raw("from")
        i = text.lower().find((addr or "").lower()) if addr else -1
        return Span("scope", "from", i, i + len(addr)) if i >= 0 else Span("scope", "from", 0, len(text))
    text = ctx.raw("reply-to")
    return Span("scope", "reply-to", 0, len(text))


def _norm_local(local: str) -> str:
    s = unicodedata.normalize("NFKD", local.lower())
    s = "".join(c for c in s if not unicodedata.combining(c))
    return regex.sub(r"[-_.+\s]", "", s)


def _split(addr: Optional[str]):
    if not addr or "@" not in addr:
        return None, None
    local, _, domain = addr.strip().strip("<>").rpartition("@")
    return local, domain.lower()


@builtin("noreply_sender", params={"local_parts": []}, vars={"address", "suggested", "field"},
         prepare=lambda p, c: dict(p, local_parts=[_norm_local(x) for x in p["local_parts"]]))
def noreply_sender(ctx, rule, params):
    m = ctx.message
    for addr, fieldname, part in ((m.from_addr, "From", "from"), (m.reply_to, "Reply-To", "headers")):
        local, domain = _split(addr)
        if local is None:
            continue
        norm = _norm_local(local)
        if any(p in norm for p in params["local_parts"]):
            dom = domain or (m.from_domain or "example.com")
            return Hit(matches=[addr], fragment=addr, part=part,
                       spans=[_address_span(ctx, fieldname, addr)],
                       vars={"address": addr, "suggested": f"contact@{dom}", "field": fieldname})
    return None


@builtin("freemail_sender", params={"domains": []}, vars={"address", "domain"},
         prepare=lambda p, c: _lower_list(p, c, "domains"))
def freemail_sender(ctx, rule, params):
    m = ctx.message
    domain = sender_of(ctx).domain
    if not domain:
        return None
    for p in params["domains"]:
        if domain == p or _wild(p) and fnmatch.fnmatchcase(domain, p):
            return Hit(matches=[m.from_addr], fragment=m.from_addr, part="from",
                       spans=[_address_span(ctx, "From", m.from_addr)],
                       vars={"address": m.from_addr, "domain": domain})
    return None


@builtin("freemail_reply_to", params={"domains": []}, vars={"address", "domain", "sender_domain"},
         needs_headers=True, prepare=lambda p, c: _lower_list(p, c, "domains"))
def freemail_reply_to(ctx, rule, params):
    """Replies go to a free-mail inbox while the mail comes from an organisation's domain."""
    m = ctx.message
    _, rdom = _split(m.reply_to)
    fdom = sender_of(ctx).domain
    if not rdom or not fdom or _registrable(rdom) == _registrable(fdom):
        return None

    def free(d):
        return any(d == p or _wild(p) and fnmatch.fnmatchcase(d, p) for p in params["domains"])

    if free(rdom) and not free(fdom):
        return Hit(matches=[m.reply_to], fragment=m.reply_to, part="headers",
                   spans=[_address_span(ctx, "Reply-To", m.reply_to)],
                   vars={"address": m.reply_to, "domain": rdom, "sender_domain": fdom})
    return None


_ADDR_RE = regex.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)*")


@builtin("recipient_in_subject", needs_headers=True, vars={"address"})
def recipient_in_subject(ctx, rule, params):
    """The subject spells out the recipient's own address (To)."""
    m = ctx.message
    subject = (m.subject or "").lower()
    if "@" not in subject:
        return None
    for value in m.header_all("to"):
        for addr in _ADDR_RE.findall(value):
            if addr.lower() in subject:
                i = ctx.text("subject").lower().find(addr.lower())
                return Hit(matches=[addr], fragment=m.subject, part="subject", vars={"address": addr},
                           spans=[Span("scope", "subject", i, i + len(addr))] if i >= 0 else [])
    return None


# format characters that render as nothing: zero-width, bidi controls, word joiners, variation selectors,
# tag characters (the soft hyphen is left out: it is legitimate hyphenation inside long words)
_INVISIBLE = "\u034f\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufe00-\ufe0f\U000e0000-\U000e01ef"
_OBFUSCATED_WORD_RE = regex.compile(
    r"\p{Latin}+(?:[" + _INVISIBLE + r"]+\p{Latin}+)+"                          # letters split by invisible characters
    r"|\b(?=[\p{L}\p{M}]{4,}\b)(?=\w*\p{Latin})(?=\w*[\p{Cyrillic}\p{Greek}])[\p{L}\p{M}]+\b")  # Latin mixed with look-alikes


# cheap pre-check (stdlib re): only text holding an invisible character or a Cyrillic/Greek letter can match
_OBFUSCATION_CHARS_RE = re.compile("[" + _INVISIBLE + "\u0370-\u03ff\u0400-\u04ff\u1f00-\u1fff]")


def _visible_form(word: str) -> str:
    return "".join(ch if ch.isalnum() else f"<U+{ord(ch):04X}>" for ch in word)


@builtin("obfuscated_text", params={"min_count": 2}, vars={"word", "shown", "count"})
def obfuscated_text(ctx, rule, params):
    """Words broken up by invisible characters, or spelt with Cyrillic/Greek look-alikes of Latin letters."""
    m = ctx.message
    found = []
    spans = []
    for part, text in (("subject", m.subject), ("from", m.from_name), ("body", m.visible_text if m.html is not None else None),
                       ("text/plain", m.text)):
        if not text or text.isascii() or not _OBFUSCATION_CHARS_RE.search(text):
            continue
        for w in _OBFUSCATED_WORD_RE.finditer(text, timeout=1.0):
            found.append((part, w.group()))
            spans.append(Span("visible", None, w.start(), w.end()) if part == "body" else
                         Span("scope", "from", w.start(), w.end()) if part == "from" else
                         Span("text", part, w.start(), w.end()))
    if len(found) < params["min_count"]:
        return None
    part, word = found[0]
    return Hit(matches=[_visible_form(w) for _, w in found], fragment=word, part=part if part != "body" else "text/html",
               spans=spans,
               vars={"word": regex.sub("[" + _INVISIBLE + "]", "", word), "shown": _visible_form(word), "count": len(found)})


def _prepare_brands(params, ctx):
    brands = {}
    for name, domains in (params["brands"] or {}).items():
        key = " ".join(str(name).lower().split())
        brands[key] = [str(d).lower() for d in (domains or [])]
    params["brands"] = brands
    # one pass over the display name: every brand as a whole-word phrase, longest first
    names = sorted(brands, key=len, reverse=True)
    params["brand_re"] = re.compile(r"(?<![\w])(" + "|".join(re.escape(n).replace(r"\ ", r"[\s\-_.]*") for n in names)
                                    + r")(?![\w])", re.I) if names else None
    return params


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


@builtin("brand_impersonation", params={"brands": {}}, vars={"brand", "sender_domain", "name"},
         prepare=_prepare_brands)
def brand_impersonation(ctx, rule, params):
    """The From display name names a brand, but the address is on a domain that brand does not use."""
    m = ctx.message
    name = m.from_name or ""
    pattern = params["brand_re"]
    if not name or pattern is None:
        return None
    found = pattern.search(name)
    if not found:
        return None
    brand = " ".join(found.group(1).lower().replace("-", " ").replace("_", " ").replace(".", " ").split())
    domains = params["brands"].get(brand)
    if domains is None:                      # matched with other separators: find the brand by its letters
        squashed = _squash(brand)
        brand = next((b for b in params["brands"] if _squash(b) == squashed), brand)
        domains = params["brands"].get(brand, [])
    sender = sender_of(ctx).registrable
    if not sender:
        return None
    if _squash(brand) in _squash(sender.rsplit(".", 1)[0]) or _domain_in(sender, domains):
        return None
    label = _squash(sender.split(".", 1)[0])
    if len(label) >= 4 and label in _squash(name):
        return None                          # "Lockergnome Apple Core" from lockergnome.com: a topic, not a disguise
    return Hit(matches=[found.group(1)], fragment=m.from_addr or name, part="from",
               spans=[Span("scope", "from", found.start(1), found.end(1))],
               vars={"brand": found.group(1), "sender_domain": sender, "name": name})


def _header_domains(m):
    """Domains the headers tie the message to: Message-ID, Return-Path, DKIM d=, List-Unsubscribe URLs."""
    from contentlint.domains import url_host
    out = []
    for value in m.header_all("Message-ID")[:1]:
        found = regex.search(r"@([\w.-]+)>?\s*$", value.strip(), timeout=0.25)
        if found:
            out.append(found.group(1))
    if m.return_path_domain:
        out.append(m.return_path_domain)
    out += _dkim_domains(m)
    for value in m.header_all("List-Unsubscribe"):
        for url in regex.findall(r"<\s*(https?://[^>\s]+)\s*>", value, timeout=0.25)[:2]:
            out.append(url_host(url))
    return [d for d in (_registrable(x) for x in out) if d]


@builtin("sender_domain_mismatch", params={"ignore_domains": [], "min_links": 2, "same_brand_factor": 1.0},
         vars={"link_domain", "count", "total", "sender_domain", "what"},
         prepare=lambda p, c: _domain_lists(p, c, "ignore_domains"))
def sender_domain_mismatch(ctx, rule, params):
    """The site the message belongs to, read from all its evidence, is not the sender's domain."""
    from contentlint.domains import url_host
    m = ctx.message
    snd = sender_of(ctx)
    sender = snd.registrable
    if not sender:
        return None
    counts = Counter()
    for link in m.links:
        # bare URLs of a plain-text body are often references to other sites in personal mail, not "the site"
        if link.is_placeholder or link.scheme not in ("http", "https") or link.is_unsubscribe or link.in_text:
            continue
        d = link.domain or _registrable(link.host)
        if not d or _domain_in(d, params["ignore_domains"]):
            continue
        counts[d] += 1
    if not counts:
        return None
    links = sum(counts.values())
    top, top_n = counts.most_common(1)[0]
    if top == sender or counts.get(sender, 0) >= top_n:
        return None
    # fewer links than min_links: the images and the headers must point to the same site as well
    evidence = top_n
    if links < params["min_links"]:
        evidence += sum(1 for im in m.images if im.src and _registrable(url_host(im.src)) == top)
        evidence += sum(1 for d in _header_domains(m) if d == top)
        if evidence < params["min_links"]:
            return None
        if sender in _header_domains(m) and not snd.webmail:
            return None                 # the headers tie the sender's own domain to this mail as well
    if snd.webmail:
        what = (f"The message is sent from the webmail address {snd.address} while its links point to the site "
                f"{top} ({top_n} of {links} links): the sender and the site do not match, and a webmail domain "
                "fails DMARC alignment through an ESP")
    elif _brand_label(top) == _brand_label(sender):
        what = (f"The sender domain {sender} is the same name under another suffix than the site the links point "
                f"to ({top}, {top_n} of {links} links): readers and filters see two different domains")
    else:
        what = f"The sender domain {sender} is not the site the links point to ({top}, {top_n} of {links} links)"
    hit = Hit(matches=[top], fragment=m.from_addr or "", part="from", spans=[_address_span(ctx, "From", m.from_addr)],
              vars={"link_domain": top, "count": top_n, "total": links, "sender_domain": sender, "what": what})
    if _brand_label(top) == _brand_label(sender) and params["same_brand_factor"] != 1.0:
        hit.factor = params["same_brand_factor"]
    return hit


def _brand_label(domain: str) -> str:
    """The registrable label without its public suffix: example.co.uk → example."""
    return domain.split(".", 1)[0]


# -- compliance -----------------------------------------------------------------------------------
_ANY_URL = regex.compile(r"(?i)https?://|mailto:|www\.")


class _Literal:
    """A stdlib pattern of escaped literals, with the ``timeout=`` keyword of the regex API (unused)."""

    def __init__(self, pattern):
        self.pattern = pattern

    def search(self, text, timeout=None):
        # the words are lowercase: lowering the text once and matching case-sensitively is several times
        # faster than a case-insensitive alternation over a long body
        return self.pattern.search(text.lower())


def _prepare_unsub(params, ctx):
    import re  # escaped literals only: linear, and stdlib re is faster than regex on long bodies
    words = [r"\s+".join(re.escape(part) for part in w.lower().split()) for w in params["words"]]
    params["words_re"] = _Literal(re.compile("|".join(words))) if words else None
    return params


def _placeholders():
    from contentlint.placeholders import default_placeholders

    return default_placeholders()


_FALLBACK_SNIPPET = '<a href="{{ unsubscribe_url }}">Unsubscribe</a>'
MAX_INCLUDE_DEPTH = 4      # a partial's includes are followed this many levels deep (footer → legal → …)


def _included_pieces(ctx, ph, matches):
    """Follow the partials the message includes, nested ones too (cycles and repeats read once):
    ``(True, [], [], finder)`` as soon as one holds an unsubscribe link, else ``(False, read, unseen, finder)``:
    the pieces read (``contentlint.partials.Piece``) and the ones that could not be seen
    (``(name, reason, path of the partial that included it, or None for the message)``)."""
    from collections import deque

    from contentlint.partials import PartialFinder

    queue = deque((name, syntax, None, 0) for body, found in matches.items()
                  for name, syntax, _ in ph.includes(body, found))
    if not queue:
        return False, [], [], None
    finder = PartialFinder(ctx.message.source, ctx.template_roots)
    read, unseen, visited = [], [], set()
    while queue:
        name, syntax, parent, depth = queue.popleft()
        shown_by = parent.path if parent is not None else None
        if syntax in ("layout", "dynamic"):
            unseen.append((name, "its name is computed when the template runs" if syntax == "dynamic" else "",
                           shown_by))
            continue
        piece = finder.find(name, parent.real if parent is not None else None)
        if piece.text is None:
            unseen.append((name, piece.reason, shown_by))
            continue
        if piece.real in visited:        # an include cycle, or the same footer twice
            continue
        visited.add(piece.real)
        if _offers_unsubscribe(piece.text, ph):
            return True, [], [], finder
        read.append(piece)
        nested = ph.includes(piece.text)
        if nested and depth + 1 > MAX_INCLUDE_DEPTH:
            unseen += [(n, f"included more than {MAX_INCLUDE_DEPTH} levels deep: not followed", piece.path)
                       for n, _, _ in nested]
            continue
        queue.extend((n, syn, piece, depth + 1) for n, syn, _ in nested)
    return False, read, unseen, finder


def _unseen_phrase(name, reason, by):
    from contentlint.partials import shown

    via = f", included by {shown(by)}" if by else ""
    return f"“{name}”" + (f" ({reason}{via})" if reason or via else "")


def _offers_unsubscribe(text: str, ph) -> bool:
    """A piece of template text holds an unsubscribe link (URL, link text or placeholder)."""
    if any(p.unsubscribe for p in ph.find(text)):
        return True
    from urllib.parse import unquote
    for href in regex.findall(r"(?i)href\s*=\s*[\"']([^\"']{1,2000})", text):
        if ph.is_unsubscribe_url(unquote(href)):
            return True
    return bool(_ANY_URL.search(text, timeout=0.25) or "href" in text.lower()) and ph.is_unsubscribe_text(text)


@builtin("missing_unsubscribe", params={"words": []}, vars={"snippet", "esp", "problem", "fix"},
         prepare=_prepare_unsub)
def missing_unsubscribe(ctx, rule, params):
    m = ctx.message
    if any(link.is_unsubscribe for link in m.links):
        return None
    ph = _placeholders()
    extra = params["words_re"]

    def says_unsubscribe(text):
        return bool(text) and (ph.is_unsubscribe_text(text) or (extra is not None and extra.search(text)))

    if any(says_unsubscribe(link.text) for link in m.links):
        return None
    matches = {}
    for body in (m.html, m.text):
        if body:
            matches[body] = ph.find(body)
            if any(p.unsubscribe for p in matches[body]):
                return None
    # "to unsubscribe, click here": the word is in the text next to a link
    if m.links and says_unsubscribe(m.visible_text or ""):
        return None
    text = m.text or ""
    if text and says_unsubscribe(text) and _ANY_URL.search(text, timeout=0.25):
        return None
    # partials and layouts: the link may come from a piece this file pulls in (or one that piece pulls in)
    found_link, read, unseen, finder = _included_pieces(ctx, ph, matches)
    if found_link:
        return None
    esp = m.esp or ph.esp((m.html or "") + (m.text or ""))
    snippet = ph.unsubscribe_snippet(esp, ctx.ruleset.own_domain(m.from_domain) or "example.com", m.lang) \
        or _FALLBACK_SNIPPET
    part = "text/html" if m.html is not None else "text/plain"
    from contentlint.partials import shown

    also = ""
    if read:   # say which partials the decision read
        pieces = short_list([f"“{p.name}” ({shown(p.path)})" for p in read], limit=3, quote=False)
        also = f" The included {pieces} {'was read and has' if len(read) == 1 else 'were read and have'} none either."
    if unseen:
        first = list(dict.fromkeys(name for name, _, _ in unseen))
        names = short_list([_unseen_phrase(*u) for u in dict.fromkeys(unseen)], limit=3, quote=False)
        plain = short_list(first, limit=3)
        hit = Hit(matches=first[:20], fragment="", part=part,
                  vars={"snippet": snippet, "esp": esp or "generic",
                        "problem": f"No unsubscribe link could be confirmed: it may come from {names}, "
                                   f"which contentlint cannot see (searched {finder.searched()}).{also}"
                                   + (" The lookup budget of a message was spent: the remaining includes were not "
                                      "looked up." if finder.spent else ""),
                        "fix": f"Make sure {plain} renders an unsubscribe link (or check the rendered message); "
                               "point --template-root (or template-root: in .contentlint.yaml) at the folder "
                               f"holding it so it is read; if it has none, add one, for example: {snippet}"})
        hit.level = "info"
        return hit
    return Hit(matches=["no unsubscribe link"], fragment="", part=part,
               vars={"snippet": snippet, "esp": esp or "generic",
                     "problem": f"The message has no unsubscribe link.{also}",
                     "fix": f"Add an unsubscribe link to the footer, for example: {snippet}"})


_HTTPS_IN_LU = regex.compile(r"<\s*(https://[^>\s]+)\s*>", regex.IGNORECASE)


@builtin("one_click_unsubscribe", needs_headers=True, vars={"missing", "headers", "url"})
def one_click_unsubscribe(ctx, rule, params):
    m = ctx.message
    lu = " ".join(m.header_all("List-Unsubscribe"))
    post = [collapse(v).lower().replace(" ", "") for v in m.header_all("List-Unsubscribe-Post")]
    https = _HTTPS_IN_LU.search(lu, timeout=0.25) if lu else None
    post_ok = "list-unsubscribe=one-click" in post
    if https and post_ok:
        return None
    missing = []
    if not https:
        missing.append("an https URL in List-Unsubscribe" if lu else "the List-Unsubscribe header")
    if not post_ok:
        missing.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    domain = sender_of(ctx).domain
    domain = (ctx.ruleset.own_domain(domain) or "your-domain.example") if domain else "example.com"
    url = https.group(1) if https else f"https://{domain}/unsubscribe/<unique-token>"
    headers = f"List-Unsubscribe: <{url}>, <mailto:unsubscribe@{domain}>\nList-Unsubscribe-Post: List-Unsubscribe=One-Click"
    return Hit(matches=missing, fragment="List-Unsubscribe" if lu else "", part="headers",
               spans=(_header_spans(m, "List-Unsubscribe") + _header_spans(m, "List-Unsubscribe-Post"))[:2],
               vars={"missing": " and ".join(missing), "headers": headers, "url": url})


# -- authentication -------------------------------------------------------------------------------
_DKIM_D = regex.compile(r"(?:^|;)\s*d\s*=\s*([^;\s]+)", regex.IGNORECASE)


def _dkim_domains(m):
    out = []
    for value in m.header_all("DKIM-Signature"):
        found = _DKIM_D.search(value.replace("\r", "").replace("\n", " "), timeout=0.25)
        if found:
            out.append(found.group(1).lower().strip("."))
    return out


@builtin("dkim_missing", needs_headers=True, vars=set())
def dkim_missing(ctx, rule, params):
    if ctx.message.header_all("DKIM-Signature"):
        return None
    return Hit(matches=["no DKIM-Signature"], part="headers")


@builtin("dkim_misaligned", needs_headers=True, vars={"signing_domain", "signing_domains", "sender_domain"})
def dkim_misaligned(ctx, rule, params):
    m = ctx.message
    domains = _dkim_domains(m)
    sender = sender_of(ctx).registrable
    if not domains or not sender:
        return None
    if any(_registrable(d) == sender for d in domains):
        return None
    return Hit(matches=domains, fragment="d=" + domains[0], part="headers", spans=_header_spans(m, "DKIM-Signature"),
               vars={"signing_domain": domains[0], "signing_domains": short_list(domains), "sender_domain": sender})


_AUTH_RESULT = regex.compile(r"(?i)\b(spf|dkim|dmarc)\s*=\s*([a-z]+)")


@builtin("auth_results_fail", needs_headers=True, params={"results": ["fail", "permerror"]},
         vars={"method", "result", "methods"}, prepare=lambda p, c: _lower_list(p, c, "results"))
def auth_results_fail(ctx, rule, params):
    fails = []
    spans = []
    m = ctx.message
    for i, (key, value) in enumerate(m.headers):
        if key.lower() != "authentication-results":
            continue
        for mm in _AUTH_RESULT.finditer(value, timeout=0.25):
            if mm.group(2).lower() in params["results"]:
                fails.append((mm.group(1).lower(), mm.group(2).lower(), mm.group(0)))
                spans.append(_header_value_span(ctx, i, mm.start(), mm.end()))
    if not fails:
        return None
    methods = sorted({f[0].upper() for f in fails})
    return Hit(matches=[f[2] for f in fails], fragment=fails[0][2], part="headers", spans=spans,
               vars={"method": fails[0][0].upper(), "result": fails[0][1], "methods": " and ".join(methods)})


# -- input problems -------------------------------------------------------------------------------
@builtin("input_problem", params={"codes": [], "other": False}, vars={"code", "problem", "count"})
def input_problem(ctx, rule, params):
    if params["other"]:
        claimed = ctx.ruleset.claimed_problem_codes
        probs = [p for p in ctx.message.problems if p.code not in claimed]
    else:
        probs = [p for p in ctx.message.problems if p.code in params["codes"]]
    if not probs:
        return None
    first = probs[0]
    return Hit(matches=[f"{p.code}: {p.message}" for p in probs], part=first.location.part or "",
               vars={"code": first.code, "problem": first.message, "count": len(probs)},
               location=first.location)


# the checks for the mailbox providers' requirements register themselves in BUILTINS on import
from . import requirement_checks as _requirement_checks  # noqa: E402,F401
from . import builtins_html  # noqa: E402,F401  (rendering and accessibility checks register themselves)
