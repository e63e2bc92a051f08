"""The message's HTML as the HTML report embeds it: rebuilt from a parse, with nothing that can load,
run or navigate, and every finding marked where it matched.

    embed_html(source, marks, tip) -> Embedded(document, placed)

``source`` is the decoded HTML part (``message.part("text/html").text``).  Each ``Mark`` asks for one
highlight: either an exact span (``start``/``end``, character offsets in ``source``) or, when the span
engine gave none, a ``needle`` searched in the text nodes, then in the attributes.

How a mark lands: an exact span inside text content gets sentinel characters inserted into the source
before parsing, so the parser carries them into the right text nodes, however the markup nests; a span
inside a tag (an ``href``, an ``<img>`` without ``alt``) marks that element instead; a span inside a
comment, ``<style>`` or ``<script>`` has no place in the rendered message.  The document is then written
out by a walk of the parse (``selectolax``), which keeps only what cannot reach the network or run:

- no ``script``, ``iframe``, ``object``, ``embed``, ``base``, ``link``, ``meta`` (so no refresh), ``template``,
  SVG animation elements; no ``on*`` attribute, no ``javascript:``/``vbscript:``/``data:`` URL;
- links keep their target only as a tooltip (``data-href``); forms lose ``action``; ``target`` goes;
- images that are not ``data:image/…`` become a box of their declared size showing their alt text (or
  "no alt text"); ``background`` attributes, ``srcset``, ``poster`` go; CSS ``url(…)`` and ``@import`` go.

The report also puts a Content-Security-Policy in the document (``default-src 'none'``) and renders it in a
sandboxed ``<iframe srcdoc>`` without ``allow-scripts``: the rewrite is the first guard, not the only one.
The walk is iterative (no recursion limit on deeply nested mail) and linear in the size of the HTML;
elements nested deeper than ``html_text.MAX_DEPTH`` are flattened first, as the analysis does.
"""
from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass, field
from typing import Callable, Optional

from ..html_text import MAX_DEPTH, PRESCAN_TAGS, _flatten_deep

#: The policy of the embedded document: nothing remote, images only from data: URLs, inline styles.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'"

# sentinels carried through the parse: START id CLOSE … END id CLOSE
_START, _END, _CLOSE = "\ue000", "\ue001", "\ue002"
_SENTINELS = re.compile("[\ue000-\ue002]")
_EVENT = re.compile("([\ue000\ue001])(\\d+)\ue002")

#: elements dropped with everything inside them
DROP = frozenset({
    "script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet", "template", "base",
    "link", "meta", "title", "noembed", "noframes", "plaintext", "portal", "param", "source", "track",
    "audio", "video", "bgsound", "animate", "set", "animatemotion", "animatetransform", "discard",
    "handler", "listener", "fencedframe",
})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                  "source", "track", "wbr", "keygen"})
#: elements whose text is not text content of the page (the source scanner skips them)
_RAW = frozenset({"script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea", "title",
                  "plaintext"})
_RENAME = {"xmp": "pre", "listing": "pre"}
#: attributes that load, navigate or act
_URL_ATTRS = frozenset({
    "src", "srcset", "href", "xlink:href", "action", "formaction", "background", "poster", "ping", "lowsrc",
    "dynsrc", "longdesc", "cite", "data", "codebase", "manifest", "target", "formtarget", "http-equiv",
    "srcdoc", "archive", "classid", "profile", "autofocus", "imagesrcset", "attributionsrc", "popovertarget",
})
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9:._-]*$")
_ATTR_NAME = re.compile(r"^[A-Za-z_:][A-Za-z0-9:._-]*$")
_BAD_URL = re.compile(r"^[\x00-\x20]*(?:j[\s\x00]*a[\s\x00]*v[\s\x00]*a[\s\x00]*s[\s\x00]*c[\s\x00]*r[\s\x00]*i"
                      r"[\s\x00]*p[\s\x00]*t|vbscript|data|livescript)[\s\x00]*:", re.I)
_CSS_URL = re.compile(r"url\(\s*(?![\"']?\s*data:image/)[^)]{0,4000}\)", re.I)
_CSS_BAD = re.compile(r"@import[^;]{0,4000};?|expression\s*\(|-moz-binding|behavior\s*:|image-set\(", re.I)
_DOCTYPE = re.compile(r"^\ufeff?\s*(<!doctype[^<>]{0,300}>)", re.I)
_SIZE = re.compile(r"^\s*(\d{1,5}(?:\.\d+)?)\s*(px|%)?\s*$", re.I)


def clean_css(css: str) -> str:
    """CSS without remote loads (``url(…)`` other than data: images, ``@import``) or script hooks."""
    css = _CSS_URL.sub("none", css)
    return _CSS_BAD.sub("", css)


@dataclass
class Mark:
    """One highlight asked for: ``hid`` is its element id, ``fids`` the finding numbers it shows."""

    hid: str
    fid: int
    level: str = "warning"
    start: int = -1
    end: int = -1
    needle: str = ""


@dataclass
class Embedded:
    document: str                                        # the HTML document to put in srcdoc
    placed: dict[str, str] = field(default_factory=dict)  # hid -> "text" | "element" | "source"


# -- the source scanner ---------------------------------------------------------------------------
_TAG_OPEN = re.compile(r"<(?:(/)?([A-Za-z][^\s/>\x00]*)|(!--)|([!?]))")


def scan_regions(src: str) -> list[tuple[int, int, str, int]]:
    """Regions of ``src`` in order: ``(start, end, kind, name_end)`` with kind ``text``, ``tag`` (a start
    tag; ``name_end`` is where its name ends), ``endtag``, ``comment`` or ``raw`` (inside script, style,
    title…).  A simplified HTML tokenizer: where it differs from a browser, a mark lands on the enclosing
    element instead of the text, never anywhere unsafe (the document is rebuilt from the real parse)."""
    out: list[tuple[int, int, str, int]] = []
    pos, n = 0, len(src)
    while pos < n:
        m = _TAG_OPEN.search(src, pos)
        if m is None:
            out.append((pos, n, "text", -1))
            break
        if m.start() > pos:
            out.append((pos, m.start(), "text", -1))
        start = m.start()
        if m.group(3):                                      # <!-- comment -->
            end = src.find("-->", m.end())
            end = n if end == -1 else end + 3
            out.append((start, end, "comment", -1))
            pos = end
            continue
        if m.group(4):                                      # <!doctype>, <?xml?>, <![CDATA[
            end = src.find(">", m.end())
            end = n if end == -1 else end + 1
            out.append((start, end, "comment", -1))
            pos = end
            continue
        end = _tag_end(src, m.end())
        name = m.group(2).lower()
        if m.group(1):
            out.append((start, end, "endtag", m.end()))
            pos = end
            continue
        out.append((start, end, "tag", m.end()))
        pos = end
        if name in _RAW and not src[start:end].endswith("/>"):
            close = re.compile(r"</" + re.escape(name) + r"[\s/>]", re.I).search(src, pos)
            raw_end = n if close is None else close.start()
            if raw_end > pos:
                out.append((pos, raw_end, "raw", -1))
            pos = raw_end
    return out


def _tag_end(src: str, i: int) -> int:
    """Index after the ``>`` closing the tag whose name ends at ``i`` (quoted values may hold ``>``)."""
    n = len(src)
    quote = ""
    after_eq = False
    while i < n:
        c = src[i]
        if quote:
            if c == quote:
                quote = ""
        elif c == ">":
            return i + 1
        elif c in "\"'" and after_eq:
            quote = c
        if not quote:
            if c == "=":
                after_eq = True
            elif not c.isspace():
                after_eq = False
        i += 1
    return n


def _region_at(regions, starts, offset: int):
    import bisect

    i = bisect.bisect_right(starts, offset) - 1
    return regions[i] if 0 <= i < len(regions) else None


def _entity_safe(src: str, offset: int, forward: bool) -> int:
    """Move ``offset`` out of a character reference (``&amp;``) it would split."""
    amp = src.rfind("&", max(0, offset - 32), offset)
    if amp == -1 or offset == amp:
        return offset
    piece = src[amp:offset]
    if any(c.isspace() or c in ";<&" for c in piece[1:]):
        return offset
    if forward:
        semi = src.find(";", offset, offset + 32)
        return semi + 1 if semi != -1 and not any(c.isspace() for c in src[offset:semi]) else offset
    return amp


# -- marks in plain strings (text nodes, the text part, header values) -------------------------------
def find_needle(haystack: str, needle: str) -> Optional[tuple[int, int]]:
    """First place of ``needle`` in ``haystack``, case-insensitive, any run of white space matching any other."""
    words = needle.split()
    if not words or not haystack:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words[:40])
    m = re.search(pattern, haystack, re.I)
    return (m.start(), m.end()) if m else None


def render_marked(text: str, events: list[tuple[int, int, str]], open_ids: list[str], marks: dict[str, Mark],
                  element: str, tip: Callable[[Mark], str], first_seen: set) -> str:
    """``text`` escaped, each piece covered by open highlights wrapped in one ``element`` per highlight.

    ``events``: ``(position, 0 end / 1 start, hid)``; ``open_ids`` carries the open highlights from one
    string to the next (a span may cross elements).  The first piece of a highlight carries its id, its
    number and its tooltip and is focusable."""
    out: list[str] = []
    pos = 0
    for at, kind, hid in sorted(events, key=lambda e: (e[0], e[1])):
        if at > pos:
            out.append(_wrap(text[pos:at], open_ids, marks, element, tip, first_seen))
            pos = at
        if kind == 1:
            if hid not in open_ids:
                open_ids.append(hid)
        elif hid in open_ids:
            open_ids.remove(hid)
    if pos < len(text) or not out:
        out.append(_wrap(text[pos:], open_ids, marks, element, tip, first_seen))
    return "".join(out)


def _wrap(piece: str, open_ids: list[str], marks: dict[str, Mark], element: str, tip, first_seen: set) -> str:
    inner = _html.escape(piece, quote=False)
    if not open_ids or not piece.strip():   # white space stays bare (inside a <table> it would move)
        return inner
    for hid in reversed(open_ids):
        mark = marks[hid]
        level = mark.level[:1] or "w"
        if hid in first_seen:
            inner = f'<{element} class="cl-{level}" data-f="{mark.fid}">{inner}</{element}>'
        else:
            first_seen.add(hid)
            inner = (f'<{element} class="cl-{level}" data-f="{mark.fid}" id="{hid}" tabindex="0">'
                     f'<cl-n aria-hidden="true">{mark.fid}</cl-n>{inner}{tip(mark)}</{element}>')
    return inner


# -- the embedded document --------------------------------------------------------------------------
def embed_html(source: str, marks: list[Mark], tip: Callable[[Mark], str], style: str = "",
               nonce: str = "0") -> Embedded:
    """The sanitised document with the marks placed (see the module docstring)."""
    from selectolax.lexbor import LexborHTMLParser

    src = _SENTINELS.sub("\ufffd", source or "")
    by_id = {m.hid: m for m in marks}
    source_only: set[str] = set()     # marks whose span lies where nothing is displayed
    marker = f"data-clm-{nonce}"
    regions = scan_regions(src) if any(m.start >= 0 for m in marks) else []
    starts = [r[0] for r in regions]
    inserts: list[tuple[int, int, str]] = []            # (position, order, text)
    token_hid: dict[int, str] = {}
    tag_marks: dict[int, list[str]] = {}
    for m in marks:
        if m.start < 0 or m.end <= m.start or m.end > len(src):
            continue
        region = _region_at(regions, starts, m.start)
        if region is None:
            continue
        if region[2] == "text":
            end = m.end
            end_region = _region_at(regions, starts, end - 1)
            if end_region is not None and end_region[2] != "text":
                end = end_region[0]
            start = _entity_safe(src, m.start, False)
            end = _entity_safe(src, end, True)
            if end <= start:
                continue
            token = len(token_hid)
            token_hid[token] = m.hid
            inserts.append((start, 1, f"{_START}{token}{_CLOSE}"))
            inserts.append((end, 0, f"{_END}{token}{_CLOSE}"))
        elif region[2] == "tag":
            tag_marks.setdefault(region[3], []).append(m.hid)
        else:
            source_only.add(m.hid)
    for at, hids in tag_marks.items():
        inserts.append((at, 2, f' {marker}="{" ".join(hids)}"'))
    if inserts:
        inserts.sort(key=lambda x: (x[0], x[1]))
        pieces, pos = [], 0
        for at, _, text in inserts:
            pieces.append(src[pos:at])
            pieces.append(text)
            pos = at
        pieces.append(src[pos:])
        src = "".join(pieces)
    if src.count("<") > PRESCAN_TAGS:
        # the parser slows down quadratically on deep nesting: drop the tags below the depth browsers keep
        # (as the analysis does; the text and the sentinels in it stay)
        src = _flatten_deep(src, MAX_DEPTH)[0]
    try:
        tree = LexborHTMLParser(src)
    except UnicodeEncodeError:   # lone surrogates
        tree = LexborHTMLParser(src.encode("utf-8", "replace").decode("utf-8"))

    # pass 1: text nodes in order, with the sentinels turned into events; elements marked in their tag
    texts: list = []          # [node, clean text, events]
    elements: list = []       # element nodes with marker or searchable attributes
    node = tree.root
    stack_depth = 0
    while node is not None:
        tag = node.tag
        descend = False
        if tag == "-text":
            raw = node.text_content or ""
            events: list[tuple[int, int, str]] = []
            if _START in raw or _END in raw:
                clean_parts, pos, clean_len = [], 0, 0
                for ev in _EVENT.finditer(raw):
                    clean_parts.append(raw[pos:ev.start()])
                    clean_len += ev.start() - pos
                    hid = token_hid.get(int(ev.group(2)))
                    if hid is not None:
                        events.append((clean_len, 1 if ev.group(1) == _START else 0, hid))
                    pos = ev.end()
                clean_parts.append(raw[pos:])
                raw = "".join(clean_parts)
            texts.append([node, raw, events])
        elif node.is_element_node:
            if tag not in DROP and tag != "style":
                descend = True
                elements.append(node)
        if descend and node.child is not None:
            node = node.child
            stack_depth += 1
            continue
        while node is not None and node.next is None:
            node = node.parent
            stack_depth -= 1
            if stack_depth < 0:
                node = None
        if node is not None:
            node = node.next
    placed = {hid: "text" for item in texts for _, kind, hid in item[2] if kind == 1}
    element_marks: dict[int, list[str]] = {}
    for el in elements:
        value = (el.attributes or {}).get(marker)
        if value:
            hids = [h for h in value.split() if h in by_id]
            if hids:
                element_marks.setdefault(el.mem_id, []).extend(hids)
                for h in hids:
                    placed[h] = "element"
    # fallback: needles in the text, then in attribute values
    pending = [m for m in marks if m.hid not in placed and m.needle]
    if pending:
        joined = "".join(t[1] for t in texts)
        bounds, total = [], 0
        for t in texts:
            bounds.append(total)
            total += len(t[1])
        import bisect

        for m in pending:
            hit = find_needle(joined, m.needle[:400])
            if hit is not None:
                a, b = hit
                i = bisect.bisect_right(bounds, a) - 1
                j = bisect.bisect_right(bounds, max(a, b - 1)) - 1
                texts[i][2].append((a - bounds[i], 1, m.hid))
                texts[j][2].append((b - bounds[j], 0, m.hid))
                placed[m.hid] = "text"
                continue
            low = m.needle.lower()
            for el in elements:
                attrs = el.attributes or {}
                if any(v and low in v.lower() for k, v in attrs.items() if k in ("href", "src", "alt", "title", "action")):
                    element_marks.setdefault(el.mem_id, []).append(m.hid)
                    placed[m.hid] = "element"
                    break
    text_events = {t[0].mem_id: (t[1], t[2]) for t in texts}
    shown: set = set()
    doc = _serialise(tree, text_events, element_marks, by_id, marker, tip, style, shown)
    placed = {hid: placed[hid] for hid in shown}          # only marks that made it into the document
    placed.update((hid, "source") for hid in source_only if hid not in placed)
    doctype = _DOCTYPE.match(source or "")
    head = doctype.group(1) if doctype and _SENTINELS.search(doctype.group(1)) is None else ""
    return Embedded(head + doc, placed)


def _serialise(tree, text_events, element_marks, by_id, marker, tip, style, first_seen: set) -> str:
    """Write the parse back out (see the module docstring); ``first_seen`` collects the marks written."""
    out: list[str] = []
    open_ids: list[str] = []
    root = tree.root
    if root is None:
        return f'<html><head>{_head_prefix(style)}</head><body></body></html>'
    closers: list[Optional[str]] = []
    node = root
    while node is not None:
        tag = node.tag
        descend = False
        closing: Optional[str] = None
        if tag == "-text":
            text, events = text_events.get(node.mem_id, (node.text_content or "", []))
            text = _SENTINELS.sub("", text) if not events and text and _SENTINELS.search(text) else text
            out.append(render_marked(text, events, open_ids, by_id, "cl-mark", tip, first_seen))
        elif node.is_element_node and tag not in DROP:
            name = _RENAME.get(tag, tag)
            if tag == "style":
                css = clean_css(node.text(deep=True) or "")
                out.append("<style>" + _SENTINELS.sub("", css).replace("<", "\\3c ") + "</style>")
            elif not _NAME.match(name):
                descend = True                   # an unusable tag name: keep its content only
            else:
                attrs = node.attributes or {}
                hids = element_marks.get(node.mem_id, [])
                if tag == "img":
                    out.append(_image(attrs, hids, by_id, tip, first_seen))
                else:
                    out.append(f"<{name}{_attributes(tag, attrs, marker)}{_mark_attrs(hids, by_id, tip, first_seen)}>")
                    if name == "head":
                        out.append(_head_prefix(style))
                    if name not in VOID:
                        descend = True
                        closing = f"</{name}>"
        if descend and node.child is not None:
            closers.append(closing)
            node = node.child
            continue
        if closing:
            out.append(closing)
        while node is not None and node.next is None:
            node = node.parent
            if not closers:
                node = None
                break
            c = closers.pop()
            if c:
                out.append(c)
        if node is not None:
            node = node.next
    return "".join(out)


def _head_prefix(style: str) -> str:
    return (f'<meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f'<meta name="color-scheme" content="light"><style>{style}</style>')


def _attributes(tag: str, attrs: dict, marker: str) -> str:
    out = []
    for key, value in attrs.items():
        k = key.lower()
        if k == marker or not _ATTR_NAME.match(k) or k.startswith("on"):
            continue
        if k in ("id", "name") and value and value.startswith("cl-"):
            continue
        v = value or ""
        if k in _URL_ATTRS:
            if k == "href" and tag in ("a", "area") and v.strip() and not _BAD_URL.match(v):
                out.append(f' data-href="{_html.escape(v[:2000])}" title="{_html.escape("→ " + v[:300])}"')
            continue
        if _BAD_URL.match(v):
            continue
        if k == "style":
            v = clean_css(v)
        out.append(f' {k}="{_html.escape(_SENTINELS.sub("", v))}"' if value is not None else f" {k}")
    return "".join(out)


def _mark_attrs(hids: list[str], by_id: dict, tip, first_seen: set) -> str:
    if not hids:
        return ""
    marks = [by_id[h] for h in hids]
    new = [m for m in marks if m.hid not in first_seen]
    first_seen.update(m.hid for m in marks)
    words = " ".join(_html.escape(_plain(tip(m))) for m in marks)
    level = min((m.level for m in marks), key=lambda lv: {"error": 0, "warning": 1}.get(lv, 2))[:1]
    attrs = f' data-cl-f="{" ".join(str(m.fid) for m in marks)}" data-f="{" ".join(str(m.fid) for m in marks)}"'
    attrs += f' data-cl-level="{level}" tabindex="0" data-cl-tip="{words}"'
    if new:
        attrs += f' id="{new[0].hid}"'
    return attrs


_TAGS = re.compile(r"<[^>]*>")


def _plain(fragment: str) -> str:
    return _html.unescape(_TAGS.sub(" ", fragment)).strip()


def _size(value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    m = _SIZE.match(value)
    if not m:
        return None
    return m.group(1) + ("%" if (m.group(2) or "").lower() == "%" else "px")


_STYLE_SIZE = {prop: re.compile(r"(?:^|;)\s*" + prop + r"\s*:\s*([^;]{1,30})", re.I)
               for prop in ("width", "height", "max-width")}
_DISPLAY_BLOCK = re.compile(r"display\s*:\s*block", re.I)


def _style_size(style: str, prop: str) -> Optional[str]:
    m = _STYLE_SIZE[prop].search(style) if style else None
    return _size(m.group(1).replace("!important", "")) if m else None


def _image(attrs: dict, hids: list[str], by_id: dict, tip, first_seen: set) -> str:
    src = (attrs.get("src") or "").strip()
    alt = attrs.get("alt")
    mark = _mark_attrs(hids, by_id, tip, first_seen)
    if src.lower().startswith("data:image/"):
        keep = "".join(f' {k}="{_html.escape(v or "")}"' for k, v in attrs.items()
                       if k in ("alt", "width", "height", "border", "align", "class") and v is not None)
        style = clean_css(attrs.get("style") or "")
        return f'<img src="{_html.escape(src)}"{keep} style="{_html.escape(style)}"{mark}>'
    style = attrs.get("style") or ""
    width = _size(attrs.get("width")) or _style_size(style, "width")
    height = _size(attrs.get("height")) or _style_size(style, "height")
    css = []
    if style and _DISPLAY_BLOCK.search(style):
        css.append("display:block")
    css.append(f"width:{width}" if width else "min-width:6em")
    css.append(f"height:{height}" if height else "min-height:2.5em")
    max_width = _style_size(style, "max-width")
    if max_width:
        css.append(f"max-width:{max_width}")
    if alt is None:
        label, cls = "no alt text", "cl-img cl-noalt"
    elif not alt.strip():
        label, cls = "empty alt text", "cl-img cl-noalt"
    else:
        label, cls = alt.strip()[:300], "cl-img"
    where = "remote image, not loaded" if src.lower().startswith(("http:", "https:", "//")) else "image not embedded"
    title = f"{where}: {src[:300]}" if src else where
    return (f'<cl-img class="{cls}" role="img" aria-label="{_html.escape("image: " + label)}" '
            f'title="{_html.escape(title)}" style="{";".join(css)}"{mark}>'
            f'<cl-alt>{_html.escape(label)}</cl-alt></cl-img>')
