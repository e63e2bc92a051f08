"""Where the text of an HTML part comes from: maps from the analysed texts back to the HTML source.

``contentlint.html_text`` walks lexbor's tree, which knows no source positions.  This module gives them
back, lazily (only when a finding needs a place):

* ``scan(html)`` is a linear tokenizer of the source that follows the HTML5 rules that matter for text:
  comments, ``<!…>``/``<?…>`` bogus comments (PHP ``<?php … ?>`` included), tags with quoted attributes,
  raw-text elements (``<script>``, ``<style>``…) whose content is not text, RCDATA (``<title>``,
  ``<textarea>``), and the subtrees the walk does not read (``<head>``, ``<svg>``, ``<select>``…).  It
  yields the text runs and the start tags of links and images, in source order.
* ``TextMaps`` aligns the walk's text nodes (in tree order) with those runs (their entity-decoded text must
  be equal; a node that several runs make up, as after an ignored end tag, is matched run by run), and the
  walk's links and images with the start tags of the same name.  A node that cannot be aligned (foster
  parenting in broken tables, the adoption agency reordering misnested tags) has no position: -1, never a
  guess.  It then composes the maps of the texts the rules read: the visible text (whitespace collapsed,
  invisible characters removed), each hidden block, the preheader, each link's text, attribute values.

Every offset given out is a character offset in the HTML part's text (``Part.text``).
"""
from __future__ import annotations

import html as _html
import re
from bisect import bisect_right
from typing import Optional

from .spans import MapBuilder, SegMap, collapse_mapped, deletions_map, stretches_map

#: Elements whose content is raw text (not parsed): no text runs, no tags inside.
_RAW_TEXT = frozenset({"script", "style", "xmp", "iframe", "noembed", "noframes", "plaintext", "noscript"})
#: Elements whose content is text with entities but no tags.
_RCDATA = frozenset({"title", "textarea"})
#: Elements whose subtree the text walk does not read (html_text._SKIP, with content).
_SKIP_TREES = frozenset({"head", "title", "template", "object", "embed", "applet", "frameset", "svg", "math",
                         "select", "datalist", "audio", "video", "canvas"})
#: Start tags the walk turns into links or images.
ITEM_TAGS = frozenset({"img", "image", "a", "area", "unsubscribe", "webversion", "preferences", "forwardtoafriend"})

_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
#: Runs aligned per text node before giving up on it (skipped whitespace, ignored tags).
WINDOW = 8
#: Start tags looked at to align one link or image.
TAG_WINDOW = 64


class Scan:
    __slots__ = ("runs", "items", "title")

    def __init__(self):
        self.runs: list[tuple[int, int]] = []            # text runs the walk may read, source order
        self.items: list[tuple[str, int, int]] = []      # (tag name, start, end) of link/image start tags
        self.title: Optional[tuple[int, int]] = None     # the first <title> content


#: The tokens scan() takes whole (a comment's start, a bogus comment, a start or end tag), or else a "<" that
#: starts none of them (empty last group): one pass of ``finditer`` finds them all in order, so the text
#: between two matches holds no "<".  ``lastindex`` tells which: 1 comment, 3 tag, 4 a lone "<", None bogus.
_TOKEN = re.compile(r"<(?:(!--)|[!?][^>]*+>|(/?)([A-Za-z][^\s/>\x00]*+)(?:[^>\"']++|\"[^\"]*+\"|'[^']*+')*+>|())")
_BROKEN_HEAD = re.compile(r"</?([A-Za-z][^\s/>\x00]*)")
_CLOSE: dict = {}
#: Start tags that change what scan() records (anything else only ends a text run).
_NOTED = ITEM_TAGS | _RAW_TEXT | _RCDATA | _SKIP_TREES | {"body"}


def _close_rx(name: str):
    rx = _CLOSE.get(name)
    if rx is None:
        rx = _CLOSE[name] = re.compile(r"</" + re.escape(name) + r"[\s/>]", re.I)
    return rx


def scan(src: str) -> Scan:
    """Tokenize ``src`` once (linear: every search starts where the previous one ended)."""
    out = Scan()
    runs = out.runs
    items = out.items
    n = len(src)
    pos = 0
    last = -1                      # end of runs[-1] (a run that ends where the next begins is extended)
    skip: list[str] = []           # open elements whose subtree is not read
    finditer = _TOKEN.finditer
    while pos < n:
        jump = -1                  # where to search again when a token is not taken as the pattern matched
        for m in finditer(src, pos):
            i = m.start()
            if i > pos and not skip:                   # the text before the token
                if last == pos:
                    runs[-1] = (runs[-1][0], i)
                else:
                    runs.append((pos, i))
                last = i
            kind = m.lastindex
            if kind == 3:
                closing, name = m.group(2, 3)
                pos = m.end()
                if closing:
                    if skip:
                        name = name.lower()
                        if skip[-1] == name:
                            skip.pop()
                        elif name == "head" and "head" in skip:
                            del skip[skip.index("head"):]
                    continue
                name = name.lower()
                if name not in _NOTED:
                    continue
                end = pos
            elif kind is None:         # <!…> or <?…?>: a bogus comment
                pos = m.end()
                continue
            elif kind == 1:            # <!-- … -->
                j = src.find("-->", m.end())
                jump = n if j < 0 else j + 3
                break
            else:                      # a "<" that starts no token: text, or a broken token
                nxt = src[i + 1:i + 2]
                if nxt in ("!", "?"):  # a bogus comment with no ">" after it: the rest is not text
                    return out
                if not (nxt.isascii() and nxt.isalpha()) and not (nxt == "/" and src[i + 2:i + 3].isalpha()):
                    if not skip:       # a lone "<" is text
                        if last == i:
                            runs[-1] = (runs[-1][0], i + 1)
                        else:
                            runs.append((i, i + 1))
                        last = i + 1
                    pos = i + 1
                    continue
                # unterminated quote: HTML ends the tag at the next '>' anyway
                j = src.find(">", i)
                if j < 0:
                    return out         # EOF inside a tag: the rest is not text
                end = jump = pos = j + 1
                head = _BROKEN_HEAD.match(src, i, end)
                name = head.group(1).lower() if head else ""
                if src[i + 1] == "/":
                    if skip and skip[-1] == name:
                        skip.pop()
                    elif name == "head" and "head" in skip:
                        del skip[skip.index("head"):]
                    break
            # a start tag that matters
            if name == "body" and "head" in skip:
                del skip[skip.index("head"):]
            if name in ITEM_TAGS and not skip:
                items.append((name, i, end))
            if name in _RAW_TEXT or name in _RCDATA:
                close = _close_rx(name).search(src, end)
                stop = close.start() if close else n
                if name in _RCDATA:
                    if name == "title" and out.title is None:
                        out.title = (end, stop)
                    if name == "textarea" and end < stop and not skip:
                        if last == end:
                            runs[-1] = (runs[-1][0], stop)
                        else:
                            runs.append((end, stop))
                        last = stop
                if close:
                    j = src.find(">", close.start())
                    jump = n if j < 0 else j + 1
                else:
                    jump = n
                break
            if name in _SKIP_TREES and not src[i:end].rstrip(">").endswith("/"):
                skip.append(name)
            if jump >= 0:
                break
        else:                          # no token after pos: the rest is text
            if pos < n and not skip:
                if last == pos:
                    runs[-1] = (runs[-1][0], n)
                else:
                    runs.append((pos, n))
            return out
        pos = jump
    return out


_CR = re.compile(r"\r\n?")


def decode_into(b: MapBuilder, src: str, start: int, end: int) -> None:
    """Append ``src[start:end]`` decoded as lexbor decodes text: HTML5 character references, and CRLF or a
    lone CR as one LF (the HTML input stream's newline normalisation)."""
    if "\r" in src[start:end]:
        pos = start
        for m in _CR.finditer(src, start, end):
            _decode_refs(b, src, pos, m.start())
            b.replace("\n", m.start(), m.end())
            pos = m.end()
        _decode_refs(b, src, pos, end)
        return
    _decode_refs(b, src, start, end)


def _decode_refs(b: MapBuilder, src: str, start: int, end: int) -> None:
    if start >= end:
        return
    text = src[start:end]
    if "&" not in text:
        b.copy(text, start)
        return
    pos = 0
    while True:
        amp = text.find("&", pos)
        if amp < 0:
            b.copy(text[pos:], start + pos)
            return
        b.copy(text[pos:amp], start + pos)
        nxt = text.find("&", amp + 1)
        seg = text[amp:] if nxt < 0 else text[amp:nxt]
        dec = _html.unescape(seg)
        if dec == seg:
            b.copy(seg, start + amp)
        else:
            rest = 0
            limit = min(len(seg) - 2, len(dec) - 1)
            while rest < limit and seg[-1 - rest] == dec[-1 - rest]:
                rest += 1
            ent_len = len(seg) - rest
            b.replace(dec[:len(dec) - rest], start + amp, start + amp + ent_len)
            if rest:
                b.copy(seg[ent_len:], start + amp + ent_len)
        if nxt < 0:
            return
        pos = nxt


# -- text normalisation with maps (must give exactly html_text.normalise_text / _one_line) ---------------
def normalise_mapped(raw: str, invisible: "re.Pattern", want_text: bool = True) -> tuple[str, SegMap]:
    """``html_text.normalise_text(raw)`` and its map back to ``raw`` (the text is "" unless ``want_text``).

    Lines stripped and collapsed, blank lines dropped, joined by "\n": every maximal run of irregular
    whitespace between two words becomes one character ("\n" when the run holds a line break, else " "), so
    the map is ``stretches_map`` of the text (the stretches between those runs, copied whole)."""
    dmap = None
    text = raw
    if not raw.isascii():
        text, dmap = deletions_map(raw, invisible)
    out = "\n".join([" ".join(line.split()) for line in text.split("\n") if line and not line.isspace()]) \
        if want_text else ""
    nmap = stretches_map(text)
    if dmap is not None:
        nmap = _chain(nmap, dmap)
    return out, nmap


def one_line_mapped(raw: str, invisible: "re.Pattern") -> tuple[str, SegMap]:
    dmap = None
    text = raw
    if not raw.isascii():
        text, dmap = deletions_map(raw, invisible)
    out, cmap = collapse_mapped(text)
    return out, (_chain(cmap, dmap) if dmap is not None else cmap)




class _Chain:
    """Two maps applied one after the other, with the SegMap interface (``start``/``end``)."""

    __slots__ = ("a", "b")

    def __init__(self, a, b):
        self.a, self.b = a, b

    def start(self, off):
        x = self.a.start(off)
        return -1 if x < 0 else self.b.start(x)

    def end(self, off):
        x = self.a.end(off)
        return -1 if x < 0 else self.b.end(x)


def _chain(a, b):
    return _Chain(a, b)


class _Shifted:
    __slots__ = ("m", "d")

    def __init__(self, m, d):
        self.m, self.d = m, d

    def start(self, off):
        return self.m.start(off + self.d)

    def end(self, off):
        return self.m.end(off + self.d)


# -- the maps of one HTML part ---------------------------------------------------------------------------
class TextMaps:
    """What the walk recorded, and the maps built from it on first use.

    The walk fills: ``src`` (the HTML it parsed), ``to_part`` (a map from ``src`` to the part text when the
    HTML was flattened first, else None), ``nodes`` (text node contents in tree order), ``vis``/``vis_ids``
    (visible text pieces and the node each came from, -1 for a line break it added), ``hidden`` (each
    hidden block's pieces and node ids), ``links`` (piece index range of each link's text), ``items`` (tag
    name and href/src of each link/image start tag in walk order), ``preheader`` (("hidden", k) or ("vis", a, b)).
    """

    def __init__(self, src: str, invisible: "re.Pattern"):
        self.src = src
        self.invisible = invisible
        self.to_part = None
        self.nodes: list[str] = []
        self.vis: list[str] = []
        self.vis_ids: list[int] = []
        self.hidden: list[tuple[list, list]] = []
        self.links: dict[int, tuple[int, int]] = {}
        self.items: list[str] = []
        self.preheader = None
        self._scan: Optional[Scan] = None
        self._node_maps: Optional[list] = None
        self._item_pos: Optional[list] = None
        self._vis_raw = None
        self._visible = None
        self._piece_starts: Optional[list[int]] = None

    # -- alignment ----------------------------------------------------------------------------------
    def scanned(self) -> Scan:
        if self._scan is None:
            self._scan = scan(self.src)
        return self._scan

    def node_maps(self) -> list:
        """For each text node, its map to ``src``: an int ``a`` when the node is ``src`` as written from ``a``
        (most nodes), else an object with ``start``/``end`` (built on first use), None when it could not be
        aligned."""
        if self._node_maps is not None:
            return self._node_maps
        sc = self.scanned()
        runs = sc.runs
        src = self.src
        decoded: dict[int, str] = {}

        def run(k):
            """The text of run k as lexbor decodes it (``decode_into``'s text: character references cannot
            span a line break, so decoding the CR-normalised run whole gives the same text, at C speed)."""
            d = decoded.get(k)
            if d is None:
                raw = src[runs[k][0]:runs[k][1]]
                if "\r" in raw:
                    raw = _CR.sub("\n", raw)
                d = decoded[k] = _html.unescape(raw) if "&" in raw else raw
                if len(decoded) > 16 * WINDOW:     # keep the cache small (runs are read in order)
                    for key in [key for key in decoded if key < k - 2 * WINDOW]:
                        del decoded[key]
            return d

        out = []
        ri = 0
        nruns = len(runs)
        for text in self.nodes:
            if ri < nruns:
                a, b = runs[ri]
                # the usual case: the next run, as written (no reference, no CR), is the node
                if b - a == len(text) and src.startswith(text, a) and "&" not in text and "\r" not in text:
                    out.append(a)
                    ri += 1
                    continue
            t = text.replace("\r", "\n") if "\r" in text else text
            if ri < nruns:
                if t and run(ri) == t:            # the next run, decoded, is the node
                    out.append(_RunMap(src, a, b))
                    ri += 1
                    continue
            found = None
            for k0 in range(ri, min(ri + WINDOW, nruns)):
                pieces = []
                pos = 0
                k = k0
                while k < nruns and pos < len(t):
                    d = run(k)
                    m = None
                    if k == k0 and not t.startswith(d[:1] or "\0") and d.startswith("\n") and t.startswith(d[1:2] or "\0"):
                        d, m = d[1:], 1                   # the newline HTML drops after <pre>/<textarea>
                    if d and t.startswith(d, pos):
                        pieces.append((pos, d, k, m))
                        pos += len(d)
                        k += 1
                    elif pos and d and t.startswith(d[:len(t) - pos], pos) and len(d) > len(t) - pos:
                        pieces.append((pos, d[:len(t) - pos], k, m))   # node ends inside a run (rare)
                        pos = len(t)
                        break
                    else:
                        break
                if pos == len(t) and pieces:
                    found = (pieces, k)
                    break
            if found is None:
                out.append(None)
                continue
            pieces, ri = found
            maps = [(p[0], p[1], _RunMap(src, *runs[p[2]]) if p[3] is None
                     else _Shifted(_RunMap(src, *runs[p[2]]), p[3])) for p in pieces]
            if len(pieces) == 1 and pieces[0][3] is None and pieces[0][0] == 0:
                out.append(maps[0][2])
            else:
                out.append(_Concat(maps))
        self._node_maps = out
        return out

    def item_positions(self) -> list:
        """For each link/image of the walk, its start tag (start, end) in ``src``, or None.

        A start tag matches when its name and its href/src value (entities decoded) are the walk's: the
        parser clones links when it reopens misnested formatting elements, and a clone has no tag of its
        own in the source."""
        if self._item_pos is not None:
            return self._item_pos
        tags = self.scanned().items
        out = []
        ti = 0
        values: dict[int, str] = {}      # a tag's value, read once (an item not found looks at TAG_WINDOW tags)
        for name, value in self.items:
            want = (value or "").strip()
            found = None
            for k in range(ti, min(ti + TAG_WINDOW, len(tags))):
                if tags[k][0] != name:
                    continue
                got = values.get(k)
                if got is None:
                    got = values[k] = self._tag_value(tags[k], name)
                if got == want:
                    found = k
                    break
            if found is None:
                out.append(None)
                continue
            out.append((tags[found][1], tags[found][2]))
            ti = found + 1
        self._item_pos = out
        return out

    def _tag_value(self, tag, name: str) -> str:
        attr = "src" if name in ("img", "image") else "href"
        got = self._attr_span(tag[1], tag[2], len(name), attr)
        if got is None or got[2] is None:
            return ""
        return _html.unescape(self.src[got[0]:got[1]]).strip()

    def _attr_span(self, s: int, e: int, name_len: int, attr: str):
        """(start, end, has value) of attribute ``attr`` in the start tag ``src[s:e]``, or None."""
        tag = self.src[s:e]
        for m in _ATTR.finditer(tag, 1 + name_len):
            if m.group(1).lower() == attr:
                g = 2 if m.group(2) is not None else 3 if m.group(3) is not None else 4 if m.group(4) is not None else 0
                if g:
                    return s + m.start(g), s + m.end(g), True
                return s + m.start(), s + m.end(), None
        return None

    # -- composed maps ------------------------------------------------------------------------------------
    def _pieces_map(self, pieces: list[str], ids: list[int]) -> "_PiecesMap":
        return _PiecesMap(pieces, ids, self.node_maps())

    def vis_raw(self) -> "_PiecesMap":
        if self._vis_raw is None:
            self._vis_raw = self._pieces_map(self.vis, self.vis_ids)
        return self._vis_raw

    def visible(self):
        """Map of ``visible_text`` offsets → ``src`` offsets."""
        if self._visible is None:
            raw = self.vis_raw()
            _, nmap = normalise_mapped(raw.text, self.invisible, False)
            self._visible = _Chain(nmap, raw)
        return self._visible

    def hidden_map(self, k: int):
        pieces, ids = self.hidden[k]
        raw = self._pieces_map(pieces, ids)
        _, nmap = normalise_mapped(raw.text, self.invisible, False)
        return _Chain(nmap, raw)

    def vis_range_map(self, a: int, b: int):
        """Map of ``_one_line("".join(vis[a:b]))`` → ``src`` (a link's text, a class-marked preheader)."""
        raw = self.vis_raw()
        start = raw.starts[a] if a < len(raw.starts) else len(raw.text)
        stop = raw.starts[b] if b < len(raw.starts) else len(raw.text)
        _, omap = one_line_mapped(raw.text[start:stop], self.invisible)
        return _Chain(omap, _Shifted(raw, start))

    def preheader_map(self):
        if self.preheader is None:
            return None
        if self.preheader[0] == "hidden":
            pieces, ids = self.hidden[self.preheader[1]]
            raw = self._pieces_map(pieces, ids)
            norm, nmap = normalise_mapped(raw.text, self.invisible)
            _, omap = one_line_mapped(norm, self.invisible)
            return _Chain(_Chain(omap, nmap), raw)
        return self.vis_range_map(self.preheader[1], self.preheader[2])

    def link_text_map(self, k: int):
        rng = self.links.get(k)
        return None if rng is None else self.vis_range_map(*rng)

    def item_attr(self, k: int, attr: str) -> Optional[tuple[int, int]]:
        """(start, end) in ``src`` of attribute ``attr``'s value on the k-th link/image (the tag when absent)."""
        pos = self.item_positions()
        if k < 0 or k >= len(pos) or pos[k] is None:
            return None
        s, e = pos[k]
        got = self._attr_span(s, e, len(self.items[k][0]), attr)
        return (got[0], got[1]) if got is not None else (s, e)

    def title_map(self):
        t = self.scanned().title
        if t is None:
            return None
        b = MapBuilder()
        decode_into(b, self.src, t[0], t[1])
        text, dmap = b.build()
        _, omap = one_line_mapped(text, self.invisible)
        return _Chain(omap, dmap)

    def to_part_span(self, start: int, end: int) -> tuple[int, int]:
        if start < 0:
            return -1, -1
        if self.to_part is None:
            return start, end
        return self.to_part.start(start), self.to_part.end(end)


class _RunMap:
    """A text node that is one run of the source decoded (``decode_into``): its map, built on first use."""

    __slots__ = ("src", "a", "b", "m")

    def __init__(self, src: str, a: int, b: int):
        self.src, self.a, self.b, self.m = src, a, b, None

    def _map(self) -> SegMap:
        if self.m is None:
            bld = MapBuilder()
            decode_into(bld, self.src, self.a, self.b)
            self.m = bld.build()[1]
        return self.m

    def start(self, off):
        return self._map().start(off)

    def end(self, off):
        return self._map().end(off)


class _Concat:
    """A text node made of several runs: (node offset, run text, run map) pieces."""

    __slots__ = ("offs", "maps", "lens")

    def __init__(self, pieces):
        self.offs = [p[0] for p in pieces]
        self.lens = [len(p[1]) for p in pieces]
        self.maps = [p[2] for p in pieces]

    def start(self, off):
        k = max(0, bisect_right(self.offs, off) - 1)
        return self.maps[k].start(off - self.offs[k])

    def end(self, off):
        k = max(0, bisect_right(self.offs, max(0, off - 1)) - 1)
        return self.maps[k].end(off - self.offs[k])


class _PiecesMap:
    """Offsets of ``"".join(pieces)`` → ``src``, through each piece's text node."""

    __slots__ = ("text", "starts", "ids", "node_maps")

    def __init__(self, pieces: list[str], ids: list[int], node_maps: list):
        self.text = "".join(pieces)
        starts = []
        pos = 0
        for p in pieces:
            starts.append(pos)
            pos += len(p)
        self.starts = starts
        self.ids = ids
        self.node_maps = node_maps

    def _piece(self, off: int, back: bool) -> tuple[int, int]:
        k = bisect_right(self.starts, off) - 1
        # a generated line break maps to the nearest real text before it
        while k >= 0 and (self.ids[k] < 0 or self.node_maps[self.ids[k]] is None):
            if not back:
                return -1, 0
            k -= 1
        return k, (self.starts[k] if k >= 0 else 0)

    def start(self, off: int) -> int:
        k, base = self._piece(off, False)
        if k < 0:
            return -1
        m = self.node_maps[self.ids[k]]
        return m + off - base if type(m) is int else m.start(off - base)

    def end(self, off: int) -> int:
        k, base = self._piece(max(0, off - 1), False)
        if k < 0:
            return -1
        m = self.node_maps[self.ids[k]]
        return m + off - base if type(m) is int else m.end(off - base)
