"""Built-in checks on the HTML itself: rendering support per mail client, Gmail's CSS limits, accessibility.

Registered with ``builtin`` (imported at the bottom of ``builtins.py``); the packs are ``rules/rendering.yaml``
and ``rules/accessibility.yaml``.  Both categories weigh 0 points in the shipped packs: they are not spam
signals, and the calibration keeps them at their pack weight.

The HTML is read once per message and cached on the rule ``Context`` (``ctx.html_facts``):

- a linear scan of the tags, comments and ``<style>`` blocks, with their offsets, which knows whether a tag
  sits inside ``<!--[if !mso]><!-->…<!--<![endif]-->`` (hidden from Outlook for Windows) — what is inside
  ``<!--[if mso]>…<![endif]-->`` is a comment to every other client and is not read at all;
- for the contrast check only, a selectolax tree: the reader's own (``html_text.take_tree``) when the message is
  checked right after it was read, else parsed again.

Rendering: each rule names one Can I Email feature (``params.feature``) and how it is recognised
(``params.css`` property names, ``params.value`` a pattern of declarations, ``params.at`` at-rules,
``params.selector``, ``params.elements``, ``params.attributes``, ``params.image``).  A finding names the clients
of the audience (``clients:`` in the configuration, default ``contentlint.clients.DEFAULT_CLIENTS``) that do
not support it (the rule's level) or support it only partly (info), the first place it is used and the notes
Can I Email gives for those clients.  ``params.outlook_fallback: mso`` skips Outlook for Windows when the
HTML carries ``<!--[if mso]>`` blocks (ghost tables, as MJML writes them); ``vml`` when it carries VML.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import cached_property, lru_cache
from itertools import accumulate
from typing import Optional

from contentlint.textscan import ascii_needle_text, blank_between

# through builtins, which already holds them (importing kinds here would be circular)
from .builtins import Hit, PackError, builtin, compile_pattern
from .hit import Span, required_literal_groups
from .text import short_list, shorten_at_word

# -- one scan of the HTML -------------------------------------------------------------------------
# tags and </style> between the comments (an mso block is one comment, found with str.find); a tag never
# holds "<": each attempt stops at the next tag (linear on unclosed quotes), and none runs into a comment
# (the attributes as an unrolled loop: the same text as (?:[^<>"']++|"[^"<]*+"|'[^'<]*+')*+, 12 % faster)
_TAG_TOKEN = re.compile(r"<([a-zA-Z][a-zA-Z0-9:-]*+)([^<>\"']*+(?:(?:\"[^\"<]*+\"|'[^'<]*+')[^<>\"']*+)*+)>"
                        r"|</([sS][tT][yY][lL][eE])\s*>")
_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")


def _first_attribute(name: str) -> "re.Pattern":
    """A pattern that reads, from the attributes of a tag, the value of attribute ``name`` (ASCII lower-case)
    when every attribute before it is well formed (after white space, a name then maybe "=" and a value):
    there _ATTR.findall reads the same names and values, so this first ``name`` (in any ASCII case: only "İ"
    and the Kelvin sign lower-case to something holding an ASCII letter, "i" and "k", which the names read
    here do not hold) is the one ``Tag.attrs`` keeps. Groups 1-3: the value double-quoted, single-quoted or
    bare."""
    key = "".join(f"[{c}{c.upper()}]" if c.isalpha() else re.escape(c) for c in name) + "(?![^\\s=/>\"'])"
    return re.compile(r"(?:\s++(?!%s)[^\s=/>\"']++(?:\s*+=\s*+(?:\"[^\"]*+\"|'[^']*+'|[^\s>\"']++))?+)*+"
                      r"\s++%s\s*+=\s*+(?:\"([^\"]*+)\"|'([^']*+)'|([^\s>\"']++))" % (key, key))


_STYLE_ATTR = _first_attribute("style")
_SRC_ATTR = _first_attribute("src")
_ROLE_ATTR = _first_attribute("role")
_DECL = re.compile(r"(?<![-a-zA-Z])([-a-zA-Z]+)\s*:\s*([^;{}]*)")     # starts only where a name starts
# the same, split: the text before each declaration, its name, what separates it from its value, the value
_DECL_SPLIT = re.compile(r"(?<![-a-zA-Z])([-a-zA-Z]+)(\s*:\s*)([^;{}]*)")
_AT_RULE = re.compile(r"@([a-zA-Z-]+)([^{;@]*)")
_MSO_OPEN = re.compile(r"\[if\s+!\s*mso\]", re.I)
_OUTLOOK = ("outlook.windows", "outlook.windows-mail")      # the Word rendering engine


class Tag:
    """A start tag; its attributes are parsed on first use (most rules read a tag's name only)."""
    __slots__ = ("name", "raw", "raw_at", "start", "end", "not_mso", "text", "_attrs")

    def __init__(self, name, raw, raw_at, start, end, not_mso, text):
        self.name, self.raw, self.raw_at, self.start, self.end = name, raw, raw_at, start, end
        self.not_mso, self.text = not_mso, text
        self._attrs = None

    @property
    def attrs(self) -> dict:
        if self._attrs is None:
            attrs = {}
            for key, dq, sq, bare in _ATTR.findall(self.raw):
                key = key.lower()
                if key not in attrs:
                    attrs[key] = dq or sq or bare
            self._attrs = attrs
        return self._attrs

    def value_at(self, key: str) -> int:
        """Offset in the HTML of the value of attribute ``key`` (the first one), -1 when it has none."""
        for m in _ATTR.finditer(self.raw):
            if m.group(1).lower() == key:
                for g in (2, 3, 4):
                    if m.group(g) is not None:
                        return self.raw_at + m.start(g)
                return -1
        return -1

    def span(self) -> Span:
        return Span("text", "text/html", self.start, self.end)

    def get(self, key: str) -> Optional[str]:
        """``attrs.get(key)`` (``key`` lower-case), without parsing a tag that cannot hold it."""
        if self._attrs is None and key not in self.raw.lower():
            return None
        return self.attrs.get(key)


class HtmlFacts:
    """Tags, style blocks and CSS declarations of one HTML text (offsets into it).

    The scan keeps each tag's name, start, end and not_mso in flat lists (``names``, ``starts``, ``ends``,
    ``not_mso``); the ``Tag`` object of a tag is made on first use (``tag_at``): most checks read names only."""

    def __init__(self, html: str):
        self.html = html
        self.names: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.not_mso: list[bool] = []
        self.styles: list[tuple[int, int, bool]] = []      # (start, end) of <style> contents, not_mso
        self.has_mso = False
        self.has_vml = False
        # per tag only its raw name and offsets (ints: no tuple per tag for the garbage collector to count);
        # names are lower-cased and not_mso flags set all at once
        raw_names, starts, ends, flags = [], self.starts, self.ends, self.not_mso
        add_name, add_start, add_end = raw_names.append, starts.append, ends.append
        find, tokens = html.find, _TAG_TOKEN.finditer
        not_mso = False
        style_open = None
        pos, size = 0, len(html)
        while True:
            # the tags up to the next comment (a tag never holds "<", so none runs into it), then the comment
            # (found by hand: an unclosed comment costs one pass, not one per "<!--")
            comment_at = find("<!--", pos)
            before = len(raw_names)
            for m in tokens(html, pos, comment_at if comment_at >= 0 else size):
                name = m[1]
                if name is None:                     # </style>
                    if style_open is not None:
                        self.styles.append((style_open[0], m.start(), style_open[1]))
                    style_open = None
                    continue
                if style_open is not None:
                    continue                         # "<" inside CSS
                add_name(name)
                add_start(m.start())
                add_end(m.end())
                if len(name) == 5 and name.lower() == "style":
                    style_open = (m.end(), not_mso)
            flags.extend([not_mso] * (len(raw_names) - before))
            if comment_at < 0:
                break
            end = find("-->", comment_at + 4)
            comment = html[comment_at + 4:end] if end >= 0 else html[comment_at + 4:]
            pos = end + 3 if end >= 0 else size
            if comment.startswith("[if"):
                self.has_mso = self.has_mso or "mso" in comment[:40].lower()
                if _MSO_OPEN.match(comment):
                    not_mso = True           # <!--[if !mso]><!--> … <!--<![endif]-->
                elif "<v:" in comment or "xmlns:v" in comment:
                    self.has_vml = True
            elif comment.startswith("<![endif]"):
                not_mso = False
        if raw_names:
            # names are ASCII: lower() keeps them one a line
            self.names = names = "\n".join(raw_names).lower().split("\n")
            self.has_vml = self.has_vml or "\nv:" in "\n" + "\n".join(names)
        self._tags: list = [None] * len(self.names)
        self._blocks = None

    def tag_at(self, k: int) -> Tag:
        """The ``Tag`` of the k-th tag (made once)."""
        t = self._tags[k]
        if t is None:
            name, start, end, html = self.names[k], self.starts[k], self.ends[k], self.html
            raw_at = start + 1 + len(name)                   # the name is ASCII: lower() keeps its length
            t = self._tags[k] = Tag(name, html[raw_at:end - 1], raw_at, start, end, self.not_mso[k], html[start:end])
        return t

    @property
    def tags(self) -> list:
        """Every tag, in document order."""
        return [self.tag_at(k) for k in range(len(self.names))]

    @cached_property
    def lower(self) -> str:
        """The HTML lower-cased (once: several checks search it), offset for offset: "İ" is the one character
        whose lower case is two ("i̇"), so it becomes "ı" (else every later offset would be shifted)."""
        html = self.html
        return (html.replace("\u0130", "\u0131") if "\u0130" in html else html).lower()

    def tag(self, name: str) -> Optional[Tag]:
        try:
            return self.tag_at(self.names.index(name))
        except ValueError:
            return None

    def named(self, *names: str) -> list:
        """The tags with one of these names, in document order (found with list.index: the scan at C speed)."""
        found = _indices(self.names, names[0]) if len(names) == 1 \
            else sorted(k for name in names for k in _indices(self.names, name))
        return [self.tag_at(k) for k in found]

    def css_blocks(self) -> list:
        """(CSS with comments blanked, offset, not_mso) of each <style> element."""
        if self._blocks is None:
            self._blocks = [(blank_between(self.html[start:end], "/*", "*/"), start, not_mso)
                            for start, end, not_mso in self.styles]
        return self._blocks


def _indices(items: list, value) -> list[int]:
    """Positions of ``value`` in ``items``, in order: list.index scans at C speed (no Python loop per item)."""
    found, k = [], -1
    try:
        while True:
            k = items.index(value, k + 1)
            found.append(k)
    except ValueError:
        return found


def facts(ctx) -> Optional[HtmlFacts]:
    found = ctx.__dict__.get("html_facts", False)
    if found is False:
        html = ctx.message.html
        found = ctx.html_facts = HtmlFacts(html) if html else None
    return found


# -- rendering ------------------------------------------------------------------------------------
def _audience(ctx) -> tuple[str, ...]:
    from contentlint import clients

    return clients.resolve(tuple(getattr(ctx.message, "clients", ()) or clients.DEFAULT_CLIENTS))


def _may_match(groups, folded: Optional[str]) -> bool:
    """False only when ``folded`` (``ascii_needle_text`` of a text) lacks every string of one of ``groups``
    (``required_literal_groups``): the pattern cannot match the text then."""
    return folded is None or all(any(x in folded for x in g) for g in groups)


def _prepare_feature(params, ctx):
    from contentlint import clients

    if not clients.feature(params["feature"]):
        raise PackError(f"unknown Can I Email feature {params['feature']!r} in params.feature", **ctx)
    params["css"] = frozenset(p.lower() for p in params["css"])
    params["value_props"] = _value_props(params["value"]) if params["value"] else frozenset()
    # the properties whose declarations may be a use (None: any declaration may be)
    params["props"] = params["css"] | params["value_props"] if params["value_props"] is not None else None
    # tried once on all the declarations (one a line) before each one: exact for patterns that look at
    # nothing outside their match (no lookaround, no \A or \Z), with ^ and $ at each line
    params["value_lines"] = compile_pattern(params["value"], re.I | re.M, "params.value", ctx) \
        if params["value"] and not re.search(r"\(\?[=!<]|\\[AZ]", params["value"]) else None
    # strings a use by value, selector or image cannot be without (a str.find on the texts, not a regex scan)
    for key in ("value", "selector", "image"):
        params[key + "_needles"] = required_literal_groups(params[key]) if params[key] else ()
    params["value"] = compile_pattern(params["value"], re.I, "params.value", ctx) if params["value"] else None
    params["selector"] = compile_pattern(params["selector"], re.I, "params.selector", ctx) if params["selector"] else None
    params["image"] = compile_pattern(params["image"], re.I, "params.image", ctx) if params["image"] else None
    params["at"] = frozenset(a.lower().lstrip("@") for a in params["at"])
    params["elements"] = frozenset(e.lower() for e in params["elements"])
    params["attributes"] = frozenset(a.lower() for a in params["attributes"])
    return params


def _value_props(pattern: str) -> Optional[frozenset]:
    """The properties a ``params.value`` pattern can match when it is anchored on them (``^display:…``,
    ``^(?:float|clear):…``), else None: the pattern is tried on every declaration."""
    depth, escaped, in_class = 0, False, False
    for ch in pattern:                      # an alternative at the top level may match any property
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return None
    m = re.match(r"\^(?:([-a-zA-Z]+)|\(\?:([-a-zA-Z]+(?:\|[-a-zA-Z]+)*)\)):", pattern)
    if m is None:
        return None
    return frozenset((m.group(1) or m.group(2)).lower().split("|"))


class _UseIndex:
    """What the rendering rules look up, indexed once per message: the CSS declarations (``_Styles``), tags by
    name, tags by attribute name (found from the attribute's occurrences), images, at-rules of the style
    blocks."""

    def __init__(self, f: HtmlFacts):
        self.f = f
        self.lower = f.lower
        self._styles: Optional[_Styles] = None
        self._by_attr: dict[str, list[int]] = {}
        self._sources: Optional[list] = None
        self._by_name: dict[str, list[int]] = {}
        self.starts = f.starts
        self.at_rules = [(m.group(1).lower(), m.group(0).strip()[:60], not_mso, start + m.start())
                         for css, start, not_mso in f.css_blocks() for m in _AT_RULE.finditer(css)]

    def named(self, name: str) -> list[int]:
        """Indices of the tags named ``name`` (lower-case), in document order."""
        found = self._by_name.get(name)
        if found is None:
            found = self._by_name[name] = _indices(self.f.names, name) if name in self.name_set else []
        return found

    @cached_property
    def name_set(self) -> frozenset:
        return frozenset(self.f.names)

    @cached_property
    def sources_folded(self) -> Optional[str]:
        """The image sources, one a line, for _may_match."""
        return ascii_needle_text("\n".join([src for _, src in self.image_sources()]))

    @cached_property
    def css_folded(self) -> Optional[str]:
        """The <style> blocks (comments blanked), one a line, for _may_match."""
        return ascii_needle_text("\n".join([css for css, _, _ in self.f.css_blocks()]))

    def image_sources(self) -> list:
        """(tag index, src or else srcset) of each <img> and <source> that has one, in document order."""
        if self._sources is None:
            self._sources = []
            f = self.f
            for i in sorted(self.named("img") + self.named("source")):
                m = _SRC_ATTR.match(f.html, f.starts[i] + 1 + len(f.names[i]), f.ends[i] - 1)
                src = m.group(m.lastindex) if m is not None else None
                if not src:                  # no src, an empty one or an unusual tag: read all its attributes
                    t = f.tag_at(i)
                    src = t.attrs.get("src") or t.attrs.get("srcset") or ""
                if src:
                    self._sources.append((i, src))
        return self._sources

    def style_attributes(self) -> tuple[list[int], list[str], list[int]]:
        """Tag indices, values and offsets of the values in the HTML of the non-empty style attributes, in
        document order (three lists: no tuple per attribute): ``with_attr("style")``, ``attrs`` and
        ``value_at``, with one regex match per tag that holds "style" (the general reading only where that
        match fails)."""
        f = self.f
        html, lower, starts, ends, names = f.html, self.lower, f.starts, f.ends, f.names
        match = _STYLE_ATTR.match
        tags, values, offsets = [], [], []
        pos = lower.find("style")
        while pos >= 0:
            k = bisect_right(starts, pos) - 1
            if k >= 0 and pos < ends[k]:
                m = match(html, starts[k] + 1 + len(names[k]), ends[k] - 1)
                if m is not None:
                    g = m.lastindex                  # the value's group: the last one, and the only one matched
                    style = m.group(g)
                    if style:
                        tags.append(k)
                        values.append(style)
                        offsets.append(m.start(g))
                else:
                    t = f.tag_at(k)
                    style = t.attrs.get("style")
                    if style:
                        tags.append(k)
                        values.append(style)
                        offsets.append(t.value_at("style"))
                pos = lower.find("style", ends[k])
            else:
                pos = lower.find("style", pos + 1)
        return tags, values, offsets

    @property
    def styles(self) -> "_Styles":
        if self._styles is None:
            self._styles = _Styles(self)
        return self._styles

    def with_attr(self, name: str) -> list[int]:
        """Indices of the tags that carry attribute ``name`` (lower-case)."""
        found = self._by_attr.get(name)
        if found is None:
            found, pos, ends, tag_at = [], self.lower.find(name), self.f.ends, self.f.tag_at
            while pos >= 0:
                k = bisect_right(self.starts, pos) - 1
                if k >= 0 and pos < ends[k]:
                    if name in tag_at(k).attrs and (not found or found[-1] != k):
                        found.append(k)
                    pos = self.lower.find(name, ends[k])
                else:
                    pos = self.lower.find(name, pos + 1)
            self._by_attr[name] = found
        return found


class _Styles:
    """Every CSS declaration of the HTML, inline styles in document order then the <style> blocks, read by
    one regex pass over their texts joined with ";" (where a declaration always ends): names and values
    as lists, the set of names, the declarations of a property listed when a rule first asks for it; the text
    and place of a declaration only for the one a finding shows."""

    def __init__(self, ix: _UseIndex):
        self.f = f = ix.f
        # the pieces joined: each style attribute's value, then each <style> block's CSS
        self._tags, texts, self._offsets = ix.style_attributes()
        self._blocks = f.css_blocks()
        texts = texts + [css for css, _, _ in self._blocks]
        self.joined = ";".join(texts)
        # where each piece starts in joined: the lengths before it, plus one ";" each
        self.piece_starts = list(accumulate(map((1).__add__, map(len, texts)), initial=0))[:len(texts)]
        self._parts = parts = _DECL_SPLIT.split(self.joined)
        # names are ASCII letters and "-": lower-cased all at once
        self.names = "\n".join(parts[1::4]).lower().split("\n") if len(parts) > 1 else []
        self.values = parts[3::4]
        self.name_set = frozenset(self.names)
        self._by_name: dict[str, list[int]] = {}
        self._lines: Optional[str] = None

    def declared(self, prop: str) -> list[int]:
        """Indices of the declarations of ``prop`` (lower-case), in document order."""
        found = self._by_name.get(prop)
        if found is None:
            found = self._by_name[prop] = _indices(self.names, prop) if prop in self.name_set else []
        return found

    @property
    def lines(self) -> str:
        """``property:value`` of every declaration, one a line (what a value pattern is tried on)."""
        if self._lines is None:
            self._lines = "\n".join(map(":".join, zip(self.names, map(str.strip, self.values))))
        return self._lines

    @cached_property
    def lines_folded(self) -> Optional[str]:
        """``lines`` for _may_match."""
        return ascii_needle_text(self.lines)

    def detail(self, k: int) -> tuple[str, str, bool, int]:
        """(declaration text, where it is, not_mso, offset in the HTML or -1) of declaration ``k``."""
        s = sum(map(len, self._parts[:4 * k + 1]))      # the 4k + 1 pieces before its name (C speed)
        text = _DECL.match(self.joined, s).group(0).strip()
        i = bisect_right(self.piece_starts, s) - 1
        start = self.piece_starts[i]
        if i < len(self._tags):                     # a style attribute
            tag, at = self._tags[i], self._offsets[i]
            element, not_mso = self.f.names[tag], self.f.not_mso[tag]
        else:
            _, at, not_mso = self._blocks[i - len(self._tags)]
            element = "style"
        return (text, f"<{element}>" if element != "style" else "a <style> block", not_mso,
                at + s - start if at >= 0 else -1)


def _uses(f: HtmlFacts) -> _UseIndex:
    found = f.__dict__.get("_use_index")
    if found is None:
        found = f.__dict__["_use_index"] = _UseIndex(f)
    return found


_NOT_A_USE = frozenset(("none", "0", "initial", "static"))


def _find_use(f: HtmlFacts, p) -> Optional[tuple[str, str, bool, int, int, int]]:
    """(text of the first use, where it is used, not_mso, its offset in the HTML (-1: unknown), number of
    uses) of the first use, or None."""
    ix = _uses(f)
    first, count = None, 0
    if p["css"] or p["value"] is not None:
        st = ix.styles
        css, value = p["css"], p["value"]
        if value is not None and (p["value_props"] and p["value_props"].isdisjoint(st.name_set)
                                  or p["value_needles"] and not _may_match(p["value_needles"], st.lines_folded)
                                  or p["value_lines"] is not None and not p["value_lines"].search(st.lines)):
            value = None               # the value pattern matches no declaration at all (nor any line)
        props = css if value is None else p["props"]
        # only the declarations of the properties the rule can match, in document order
        if props is not None:
            lists = [found for found in map(st.declared, props) if found] if not props.isdisjoint(st.name_set) else []
            cand = lists[0] if len(lists) == 1 else sorted(i for found in lists for i in found) if lists else []
        else:
            cand = range(len(st.names))
        names, values = st.names, st.values
        first_k = None
        if value is None:                # declarations of css properties only: is each value a use? (at C speed)
            not_use = list(map(_NOT_A_USE.__contains__, map(str.lower, map(str.strip, map(values.__getitem__, cand)))))
            count = not_use.count(False)
            first_k = cand[not_use.index(False)] if count else None
        else:
            for k in cand:
                prop, text = names[k], values[k].strip()
                if (prop in css and text.lower() not in _NOT_A_USE) or value.search(f"{prop}:{text}"):
                    count += 1
                    first_k = k if first_k is None else first_k
        if first_k is not None:
            first = st.detail(first_k)
    if p["at"]:
        for name, text, not_mso, at in ix.at_rules:
            if name in p["at"]:
                count += 1
                first = first or (text, "a <style> block", not_mso, at)
    if p["selector"] is not None and not (p["selector_needles"] and not _may_match(p["selector_needles"], ix.css_folded)):
        for css, start, not_mso in f.css_blocks():
            for m in p["selector"].finditer(css):
                count += 1
                first = first or (m.group(0), "a <style> block", not_mso, start + m.start())
    if p["elements"] or p["attributes"] or p["image"] is not None:
        hits = {i for name in p["elements"] for i in ix.named(name)}
        hits.update(i for a in p["attributes"] for i in ix.with_attr(a))
        if p["image"] is not None and not (p["image_needles"] and not _may_match(p["image_needles"], ix.sources_folded)):
            hits.update(i for i, src in ix.image_sources() if p["image"].search(src) is not None)
        if hits:
            count += len(hits)
            t = f.tag_at(min(hits))
            first = first or (t.text[:60], f"<{t.name}>", t.not_mso, t.start)
    return (*first, count) if first else None


@builtin("client_support", params={"feature": "", "css": [], "value": "", "at": [], "selector": "", "elements": [],
                                   "attributes": [], "image": "", "outlook_fallback": "none"},
         vars={"feature", "support", "clients", "element", "where", "notes", "count", "url"},
         prepare=_prepare_feature)
def client_support(ctx, rule, params):
    f = facts(ctx)
    if f is None:
        return None
    use = _find_use(f, params)
    if use is None:
        return None
    fragment, element, not_mso, at, count = use
    from contentlint import clients

    audience = _audience(ctx)
    skip_outlook = not_mso or (params["outlook_fallback"] == "mso" and f.has_mso) \
        or (params["outlook_fallback"] == "vml" and f.has_vml)
    gaps = [g for g in clients.support(params["feature"], audience) if not (skip_outlook and g[0] in _OUTLOOK)]
    if not gaps:
        return None
    feat = clients.feature(params["feature"])
    none = clients.describe(c for c, s, _ in gaps if s == "n")
    partial = clients.describe(c for c, s, _ in gaps if s == "a")
    note_ids = dict.fromkeys(n for _, _, ns in gaps for n in ns)
    notes = " ".join(feat["notes"][n].rstrip(".") + "." for n in note_ids if n in feat["notes"])
    said = []
    if none:
        said.append(f"{_and(none)} {'does' if len(none) == 1 else 'do'} not support it")
    if partial:
        said.append(f"{_and(partial)} {'supports' if len(partial) == 1 else 'support'} it only partly")
    hit = Hit(matches=[fragment], fragment=fragment, part="text/html",
              spans=[Span("text", "text/html", at, at + len(fragment))] if at >= 0 else [],
              vars={"feature": feat["title"], "support": "; ".join(said), "clients": _and(none + partial),
                    "element": element,
                    "where": fragment, "notes": f"Can I Email notes: {notes} " if notes else "",
                    "count": count, "url": feat["url"]})
    if not none:
        hit.level = "info"
    return hit


def _and(names: list) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


GMAIL_STYLE_LIMIT = 16384   # characters of <style> content, all blocks together (see rules/rendering.yaml)


@builtin("gmail_style_limit", params={"limit": GMAIL_STYLE_LIMIT}, vars={"size", "limit", "where"})
def gmail_style_limit(ctx, rule, params):
    f = facts(ctx)
    if f is None or not f.styles:
        return None
    total = 0
    for start, end, _ in f.styles:
        total += end - start
        if total > params["limit"]:
            tag_start = f.html.rfind("<style", 0, start)
            where = f.html[tag_start:start] if tag_start >= 0 else "<style>"
            return Hit(matches=[where], fragment=where[:60], part="text/html",
                       spans=[Span("text", "text/html", tag_start, start)] if tag_start >= 0 else [],
                       vars={"size": sum(e - s for s, e, _ in f.styles), "limit": params["limit"], "where": where[:60]})
    return None


@builtin("gmail_nested_at_rule", vars={"rule_text", "outer"})
def gmail_nested_at_rule(ctx, rule, params):
    """An at-rule inside another (``@media { @font-face {…} }``): Gmail drops the whole <style>."""
    f = facts(ctx)
    if f is None:
        return None
    for css, start, _ in f.css_blocks():
        if css.count("@") < 2:
            continue
        depth, outer = 0, ""
        for m in re.finditer(r"[{}]|@[a-zA-Z-]+", css):
            tok = m.group()
            if tok == "{":
                depth += 1
            elif tok == "}":
                depth = max(depth - 1, 0)
            elif depth == 0:
                outer = tok
            elif outer:
                return Hit(matches=[tok], fragment=tok, part="text/html",
                           spans=[Span("text", "text/html", start + m.start(), start + m.end())],
                           vars={"rule_text": tok, "outer": outer})
    return None


# -- accessibility --------------------------------------------------------------------------------
_RTL_LANGS = frozenset("ar arc dv fa he ps sd ug ur yi ckb".split())
_RTL_CHARS = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def _lang_of(value: Optional[str]) -> str:
    return (value or "").strip().replace("_", "-").split("-")[0].lower()


def _short_tag(t: Tag) -> str:
    """``<table width="600" align="center" …>``: the tag with its first two attributes."""
    shown = [f'{k}="{v}"' if v else k for k, v in list(t.attrs.items())[:2]]
    more = " …" if len(t.attrs) > 2 else ""
    return f"<{t.name}{''.join(' ' + s for s in shown)}{more}>"


def _is_document(f: HtmlFacts) -> bool:
    return f.tag("html") is not None or f.tag("head") is not None or f.tag("body") is not None


@builtin("html_lang", vars={"value", "detected", "snippet"})
def html_lang(ctx, rule, params):
    f = facts(ctx)
    if f is None or not _is_document(f):
        return None                      # a fragment (partial): its page sets the language
    html = f.tag("html")
    value = html.attrs.get("lang") if html is not None else None
    lang = _lang_of(value)
    if lang and lang != "und" and lang.isalpha() and 2 <= len(lang) <= 3:
        return None
    # the message's language was already read (Content-Language, else detected on the same text)
    detected = ctx.message.lang
    if not detected or detected == "und" or ctx.message.lang_source not in ("detected", "content-language"):
        from contentlint.language import detect

        detected = detect(ctx.message.visible_text[:3000])
    code = detected if detected != "und" else "en"
    return Hit(matches=[value if value is not None else "(none)"], fragment=html.text[:60] if html else "",
               part="text/html", spans=[html.span()] if html else [], vars={"value": f'lang="{value}"' if value is not None else "no lang attribute",
                                        "detected": code, "snippet": f'<html lang="{code}">'})


@builtin("html_lang_mismatch", params={"min_chars": 200}, vars={"value", "detected"})
def html_lang_mismatch(ctx, rule, params):
    f = facts(ctx)
    html = f.tag("html") if f is not None else None
    lang = _lang_of(html.attrs.get("lang")) if html is not None else ""
    if not lang or lang == "und":
        return None
    text = ctx.message.visible_text
    if len(text.strip()) < params["min_chars"]:
        return None
    from contentlint.language import LANGS, detect

    detected = detect(text[:3000])
    if detected == "und" or detected == lang or lang not in LANGS and detected not in LANGS:
        return None
    return Hit(matches=[html.attrs.get("lang")], fragment=html.text[:60], part="text/html", spans=[html.span()],
               vars={"value": html.attrs.get("lang"), "detected": detected})


@builtin("missing_dir", vars={"lang"})
def missing_dir(ctx, rule, params):
    f = facts(ctx)
    if f is None:
        return None
    html = f.tag("html")
    lang = _lang_of(html.attrs.get("lang")) if html is not None else ""
    if lang not in _RTL_LANGS:
        text = ctx.message.visible_text[:3000]
        if _RTL_CHARS.search(text) is None:         # no right-to-left letter: they cannot be most of them
            return None
        letters = sum(1 for c in text if c.isalpha())
        if not (letters >= 20 and len(_RTL_CHARS.findall(text)) > letters / 2):
            return None
    if any((t.get("dir") or "").strip().lower() == "rtl" for t in f.named("html", "body", "div", "table", "td", "p")):
        return None
    shown = lang if lang in _RTL_LANGS else "a right-to-left script"
    return Hit(matches=[shown], fragment=html.text[:60] if html else "", part="text/html",
               spans=[html.span()] if html else [], vars={"lang": shown})


_TH = re.compile(r"<th[\s>]")


@builtin("layout_table_role", vars={"count", "total", "where"})
def layout_table_role(ctx, rule, params):
    f = facts(ctx)
    if f is None:
        return None
    tables = f.named("table")
    if not tables:
        return None
    low = f.lower
    # no "<th" and no "<caption" anywhere: no table is a data table (one search each, not one per table)
    may_be_data = "<th" in low or "<caption" in low

    def data_table(t: Tag) -> bool:
        # header cells or a caption before the next table starts or ends: a data table keeps its semantics
        stops = [i for i in (low.find("<table", t.end), low.find("</table", t.end)) if i >= 0]
        stop = min(stops) if stops else len(low)
        return low.find("<th", t.end, stop) >= 0 and _TH.search(low, t.end, stop) is not None \
            or low.find("<caption", t.end, stop) >= 0

    def role(t: Tag) -> str:
        # one match of the role attribute (the general reading of all attributes where it fails)
        m = _ROLE_ATTR.match(t.raw) if "role" in t.raw.lower() else None
        return m.group(m.lastindex) if m is not None else t.get("role") or ""

    bad = [t for t in tables if role(t).strip().lower() not in ("presentation", "none")
           and not (may_be_data and data_table(t))]
    if not bad:
        return None
    return Hit(matches=[t.text[:60] for t in bad[:5]], fragment=bad[0].text[:60], part="text/html",
               spans=[t.span() for t in bad],
               vars={"count": len(bad), "total": len(tables), "where": _short_tag(bad[0])})


def _prepare_link_words(params, ctx):
    words = {}
    for lang, items in params["words"].items():
        words[lang] = frozenset(" ".join(str(w).lower().split()) for w in items)
    params["words"] = words
    params["url_re"] = re.compile(r"(?i)^(?:https?://\S+|www\.\S+/\S+)$")
    return params


_LINK_EDGE = " \t\n.,;:!?…»«\"'()[]<>→›»-–—"


@builtin("vague_link_text", params={"words": {}}, vars={"text", "count", "texts"}, prepare=_prepare_link_words)
def vague_link_text(ctx, rule, params):
    # every language's list: a template's declared language may be wrong, and "ici" is vague anywhere
    vague = set().union(*params["words"].values()) if params["words"] else set()
    found, where = [], []
    for k, link in enumerate(ctx.message.links):
        if link.in_text or link.has_image or not link.text:
            continue
        text = " ".join(link.text.split())
        core = text.strip(_LINK_EDGE).lower()
        if not core:
            continue
        if core in vague or params["url_re"].match(text.strip()):
            found.append(text)
            where.append(Span("link-text", None, k))
    if not found:
        return None
    return Hit(matches=found, fragment=found[0], part="text/html", spans=where,
               vars={"text": found[0], "count": len(found), "texts": short_list(found, limit=4)})


@builtin("heading_order", vars={"previous", "heading", "expected", "where"})
def heading_order(ctx, rule, params):
    f = facts(ctx)
    if f is None:
        return None
    previous = None
    for k, name in enumerate(f.names):
        if len(name) != 2 or name[0] != "h" or name[1] not in "123456":
            continue
        t = f.tag_at(k)
        level = int(name[1])
        if previous is not None and level > previous + 1:
            return Hit(matches=[t.text[:60]], fragment=t.text[:60], part="text/html", spans=[t.span()],
                       vars={"previous": f"h{previous}", "heading": f"h{level}", "expected": f"h{previous + 1}",
                             "where": _short_tag(t)})
        previous = level
    return None


@builtin("missing_title", vars={"hint"})
def missing_title(ctx, rule, params):
    f = facts(ctx)
    if f is None or not _is_document(f):
        return None
    title = f.tag("title")
    if title is not None:
        end = f.lower.find("</title", title.end)      # </TITLE> ends it too
        if end > title.end and f.html[title.end:end].strip():
            return None
    mjml = getattr(ctx.message.part("text/html"), "source_map", None) is not None
    hint = "<mj-title>…</mj-title> in <mj-head>" if mjml else "<title>…</title> in <head>"
    head = f.tag("head") or f.tag("html")
    return Hit(matches=["no <title>"], fragment=head.text[:60] if head else "", part="text/html",
               spans=[head.span()] if head else [], vars={"hint": hint})


# -- contrast (WCAG 2.x relative luminance) --------------------------------------------------------
_NAMED = {"black": (0, 0, 0), "white": (255, 255, 255), "red": (255, 0, 0), "green": (0, 128, 0),
          "blue": (0, 0, 255), "yellow": (255, 255, 0), "gray": (128, 128, 128), "grey": (128, 128, 128),
          "silver": (192, 192, 192), "orange": (255, 165, 0), "navy": (0, 0, 128), "maroon": (128, 0, 0),
          "purple": (128, 0, 128), "teal": (0, 128, 128), "lightgray": (211, 211, 211),
          "lightgrey": (211, 211, 211), "darkgray": (169, 169, 169), "darkgrey": (169, 169, 169),
          "whitesmoke": (245, 245, 245), "gainsboro": (220, 220, 220)}
_RGB = re.compile(r"rgba?\(\s*(\d{1,3})[\s,]+(\d{1,3})[\s,]+(\d{1,3})(?:[\s,/]+([\d.]+%?))?\s*\)", re.I)
_HEX = re.compile(r"#([0-9a-f]{3}|[0-9a-f]{6})\b", re.I)


@lru_cache(maxsize=4096)        # a pure function of a value that repeats from element to element
def parse_colour(value: Optional[str]):
    """(r, g, b) of an opaque CSS colour, else None (transparent, translucent, unknown, a placeholder)."""
    if not value:
        return None
    v = value.strip().lower().replace("!important", "").strip()
    m = _HEX.fullmatch(v) or _HEX.match(v)
    if m:
        h = m.group(1)
        if len(h) == 3:
            h = "".join(c * 2 for c in h)
        return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))
    m = _RGB.match(v)
    if m:
        alpha = m.group(4)
        if alpha is not None:
            a = float(alpha[:-1]) / 100 if alpha.endswith("%") else float(alpha)
            if a < 1:
                return None
        return tuple(min(int(m.group(i)), 255) for i in (1, 2, 3))
    return _NAMED.get(v)


@lru_cache(maxsize=4096)
def luminance(rgb) -> float:
    def chan(c):
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (chan(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a, b) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _style_map(style: str) -> dict:
    return {name.lower(): value.strip() for name, value in _DECL.findall(style or "")}


_FONT_SIZE = re.compile(r"\s*([\d.]+)\s*(px|pt)?\s*$")


def _font_px(value: Optional[str]) -> Optional[float]:
    if not value:
        return None
    m = _FONT_SIZE.match(value.lower().replace("!important", ""))
    if not m:
        return None
    try:
        n = float(m.group(1))
    except ValueError:
        return None
    return n * 4 / 3 if m.group(2) == "pt" else n


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|max-height\s*:\s*0|opacity\s*:\s*0(?![.\d])"
                           r"|font-size\s*:\s*[01](?:px)?\s*(?:;|$)", re.I)
# the same pattern without re.I, for an ASCII text lower-cased (4x faster; a non-ASCII one may hold a
# character that an ASCII letter matches under re.I, such as "ı" or "ſ": it gets _HIDDEN_STYLE)
_HIDDEN_STYLE_LOWER = re.compile(_HIDDEN_STYLE.pattern)


def _hides(style: str) -> bool:
    if style.isascii():
        return _HIDDEN_STYLE_LOWER.search(style.lower()) is not None
    return _HIDDEN_STYLE.search(style) is not None


def _hex(rgb) -> str:
    return "#%02x%02x%02x" % tuple(rgb)


_KEEP = object()            # an element that leaves the inherited value as it is
_HIDDEN_EFFECT = object()   # an element hidden by its style: nothing inside it is read


def _effect(tag, style, background, bgcolor, font_colour, body_text):
    """What an element does to the colour, background, font size and weight its text inherits:
    (over an image, background or _KEEP, colour or _KEEP, font px or None, minimum px or 0, bold or _KEEP)."""
    if style and _hides(style):
        return _HIDDEN_EFFECT
    decl = _style_map(style) if style else {}
    over_image = bool(background) or "url(" in (decl.get("background-image", "") + decl.get("background", ""))
    new_bg = _KEEP
    bg_value = decl.get("background-color") or decl.get("background") or bgcolor
    if bg_value:
        parsed = parse_colour(bg_value.split()[0] if decl.get("background") and not decl.get("background-color") else bg_value)
        if parsed is not None:
            new_bg = parsed
        elif "url(" in bg_value or "gradient" in bg_value:
            new_bg = None
    colour_value = decl.get("color") or font_colour or body_text
    new_colour = parse_colour(colour_value) if colour_value else (None if tag == "a" else _KEEP)
    px = _font_px(decl.get("font-size"))
    at_least = 24.0 if tag in ("h1", "h2") and not decl.get("font-size") else 0.0
    new_bold = True if tag in ("b", "strong", "h1", "h2", "h3", "th") else _KEEP
    weight = decl.get("font-weight", "")
    if weight:
        new_bold = weight.strip().lower() in ("bold", "bolder") or (weight.strip()[:3].isdigit() and int(weight.strip()[:3]) >= 700)
    return over_image, new_bg, new_colour, px, at_least, new_bold


_NO_EFFECT = object()       # an element that changes nothing its text inherits
_SKIP_CONTRAST = frozenset(("script", "style", "head", "title", "-comment"))
_EFFECTS: dict = {}         # _effect of each distinct markup, kept across messages (a pure function of it)
_HAS_COLOR = re.compile("color", re.I)


def _effect_of(key):
    eff = _EFFECTS.get(key)
    if eff is None:
        eff = _effect(*key) if type(key) is tuple else _effect(key, "", None, None, None, None)
        if eff is not _HIDDEN_EFFECT and not eff[0] and eff[1] is _KEEP and eff[2] is _KEEP and not eff[3] \
                and not eff[4] and eff[5] is _KEEP:
            eff = _NO_EFFECT
        if len(_EFFECTS) > 20000:
            _EFFECTS.clear()
        _EFFECTS[key] = eff
    return eff


@builtin("low_contrast", params={"normal": 4.5, "large": 3.0, "min_chars": 3},
         vars={"ratio", "needed", "colour", "background", "text", "count"})
def low_contrast(ctx, rule, params):
    html = ctx.message.html
    if not html or _HAS_COLOR.search(html) is None:          # "bgcolor" holds it too
        return None
    from contentlint.html_text import take_tree

    tree = take_tree(html)               # the reader's parse of this very text, when it is the last one
    if tree is None:
        try:
            from selectolax.lexbor import LexborHTMLParser as Parser
        except ImportError:  # pragma: no cover - older selectolax
            from selectolax.parser import HTMLParser as Parser
        tree = Parser(html)
    root = tree.body
    if root is None:
        return None
    found = []
    ratios: dict = {}                      # contrast of each (colour, background) pair met
    normal, large_needed, min_chars = params["normal"], params["large"], params["min_chars"]
    most = max(normal, large_needed)
    skip = _SKIP_CONTRAST

    def state(colour, bg, size, bold):
        """What the text of an element inherits, with the verdict on its text: (ratio, needed) when text
        there is too faint, else None."""
        verdict = None
        if colour is not None and bg is not None:
            ratio = ratios.get((colour, bg))
            if ratio is None:
                ratio = ratios[(colour, bg)] = contrast_ratio(colour, bg)
            if 1.05 < ratio < most:            # ≤ 1.05: invisible text, the hidden-text rule reports it
                needed = large_needed if size >= 24 or (bold and size >= 18.66) else normal
                if ratio < needed:
                    verdict = (ratio, needed)
        return colour, bg, size, bold, verdict

    # iterative walk in document order: (node, its tag, what it inherits); text nodes only where their
    # colours may be too faint, no skipped element at all
    stack = [(root, root.tag, state((0, 0, 0), (255, 255, 255), 16.0, False))]
    pop, push, known = stack.pop, stack.append, _EFFECTS.get
    while stack:
        node, tag, st = pop()
        if tag == "-text":
            text = " ".join((node.text_content or "").split())
            if sum(map(str.isalnum, text)) >= min_chars:
                ratio, needed = st[4]
                found.append((ratio, needed, st[0], st[1], text))
            continue
        attrs = node.attributes
        key = tag
        if attrs:
            style, background, bgcolor = attrs.get("style"), attrs.get("background"), attrs.get("bgcolor")
            # none of them (or empty): the effect of the bare tag, the same key as an element without attributes
            if style or background or bgcolor or tag == "font" or tag == "body":
                key = (tag, style or "", background, bgcolor, attrs.get("color") if tag == "font" else None,
                       attrs.get("text") if tag == "body" else None)
        eff = known(key)
        if eff is None:
            eff = _effect_of(key)
        if eff is _HIDDEN_EFFECT:
            continue
        if eff is not _NO_EFFECT:
            colour, bg, size, bold, _ = st
            over_image, new_bg, new_colour, px, at_least, new_bold = eff
            if over_image:
                bg = None                                # text over an image: the colours say nothing
            if new_bg is not _KEEP:
                bg = new_bg
            if new_colour is not _KEEP:
                colour = new_colour
            size = px or size
            if at_least:
                size = max(size, at_least)
            if new_bold is not _KEEP:
                bold = new_bold
            st = state(colour, bg, size, bold)
        faint = st[4] is not None
        child = node.last_child
        while child is not None:
            ctag = child.tag
            if ctag == "-text":
                if faint:
                    push((child, ctag, st))
            elif ctag not in skip:
                push((child, ctag, st))
            child = child.prev
    if not found:
        return None
    ratio, needed, colour, bg, text = min(found, key=lambda x: x[0])
    return Hit(matches=[f"{t[:40]} ({r:.2f}:1)" for r, _, _, _, t in found[:10]], fragment=text[:60],
               part="text/html",
               vars={"ratio": f"{ratio:.2f}", "needed": f"{needed:g}", "colour": _hex(colour), "background": _hex(bg),
                     "text": shorten_at_word(text, 60) + ("…" if len(text) > 60 else ""), "count": len(found)})
