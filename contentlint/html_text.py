"""What a reader sees in an HTML mail, and what they do not.

``analyse_html(html, placeholders)`` parses the HTML once with ``selectolax.lexbor`` and walks the
tree once, iteratively (never recursing in Python), to produce:

* ``visible_text``: the text a reader sees, without script/style/head/title/comments/template/
  noscript nor hidden elements; block elements separate lines; entities decoded; zero-width and
  invisible padding characters (ZWNJ, ZWSP, ZWJ, soft hyphen, U+034F, BOM…) removed; no-break and
  other spaces normalised; whitespace collapsed.
* ``hidden``: every hidden text block once (the outermost hidden element) with the reason it is
  hidden: ``display:none``, ``visibility:hidden``, ``opacity:0``, ``zero size`` (font-size:0, or
  zero height/width/max-height with overflow:hidden), ``tiny font``, ``hidden attribute``,
  ``off-screen``, ``same colour as background``, ``transparent text``.
* ``preheader``: the conventional preview text: an element whose class/id says preheader/preview,
  or the first hidden text block of the mail, at the very top (at most a "View in browser" line
  before it), short, and either plainly hidden (display:none…) or followed by the zero-width padding
  ESPs add.  Text hidden by its colour (white on white) and any later hidden block are never the
  preheader.  It is marked ``Hidden(is_preheader=True)`` and is not a spam signal.
* ``font-size`` (inline or from a style-sheet class/id) is a size children can set again, not
  hiding: a ``font-size:0`` wrapper around readable children is the usual inline-block gap trick.
* ``images`` (src, alt, declared size, linked, tracking pixel) and ``links`` (href, anchor text with
  placeholders masked, registrable domain, scheme, placeholder and unsubscribe flags).

Hostile HTML never raises: lexbor copes with unclosed tags, NUL bytes and binary junk, and nesting
deeper than ``MAX_DEPTH`` elements is flattened before parsing (lexbor's tree building is quadratic
in nesting depth for block elements: 100,000 nested ``<div>`` take 16 s) and reported as a
``Problem("html-too-deep")``.  Nothing is fetched.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from .domains import registrable_domain, url_host
from .model import Hidden, Image, Link, Location, Problem
from .html_source import TextMaps
from .placeholders import PlaceholderSet

PART = "text/html"

#: Elements nested deeper than this are flattened (their tags dropped, their text kept).
MAX_DEPTH = 512

#: Below this many "<" the depth pre-scan is skipped: lexbor parses even a worst case (every tag a
#: nested <div>) that small in a few tens of milliseconds, and the walk reports the depth itself.
PRESCAN_TAGS = 4096

#: Attributes of one tag that are parsed: lexbor compares each new attribute with the tag's others, so one
#: tag with 160,000 attributes took a minute.  The rest of such a tag is blanked (offsets kept) and reported.
MAX_ATTRIBUTES = 1000
# a tag that long without "<" or ">" may hold that many attributes (each one at least "a" and a space)
_LONG_TAG = re.compile(r"<([A-Za-z][^\s/<>]*)[^<>]{%d,}+" % (2 * MAX_ATTRIBUTES - 2))

#: Links + images analysed per message (hostile input can hold hundreds of thousands).
MAX_ITEMS = 5000

#: A hidden block is the preheader when it is the first hidden text of the mail, at most this much
#: visible text precedes it (room for a "View in your browser" line)…
PREHEADER_MAX_OFFSET = 60
#: …it is no longer than this when it is plainly hidden (display:none…) with nothing else saying it is
#: a preview text (real preview texts are 40 to 150 characters)…
PREHEADER_PLAIN_MAX_LEN = 200
#: …or no longer than this when its class/id names it a preheader/preview, or it is followed by the
#: zero-width padding ESPs add so that the inbox preview stops there.  Longer blocks are stuffing.
PREHEADER_MAX_LEN = 500
#: Padding characters (ZWNJ, NBSP, U+034F, figure space…) that make a hidden block look "padded".
PREHEADER_MIN_PADDING = 5

#: Two colours whose channels all differ by at most this much are "the same colour".
SAME_COLOUR_DISTANCE = 12


@dataclass
class HtmlAnalysis:
    visible_text: str = ""
    preheader: Optional[str] = None
    hidden: list[Hidden] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    lang_attr: Optional[str] = None
    title: Optional[str] = None
    problems: list[Problem] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)  # tokens in text, hidden text, href/src/alt
    esp: Optional[str] = None                              # placeholder family most used (see PlaceholderSet.esp)
    maps: Optional[object] = None                          # html_source.TextMaps: positions in the HTML source


# -- text normalisation ------------------------------------------------------------------
# zero-width / invisible characters ESPs use as preheader padding, removed
_INVISIBLE = {c: None for c in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x034F, 0x180E,
                                0x2061, 0x2062, 0x2063, 0x2064, 0x200E, 0x200F, 0x115F, 0x1160,
                                0x3164, 0xFFA0, 0x17B4, 0x17B5)}
_INVISIBLE_RX = re.compile("[" + "".join(chr(c) for c in sorted(_INVISIBLE)) + "\x00]+")   # runs: one deletion each


def normalise_text(raw: str) -> str:
    """Lines of collapsed whitespace, invisible characters removed, empty lines dropped."""
    if not raw:
        return ""
    if not raw.isascii():
        raw = _INVISIBLE_RX.sub("", raw)   # str.split() already treats no-break and other spaces as spaces
    return "\n".join([" ".join(line.split()) for line in raw.split("\n") if line and not line.isspace()])


def _one_line(raw: str) -> str:
    if not raw.isascii():
        raw = _INVISIBLE_RX.sub("", raw)
    return " ".join(raw.split())


# -- element classes -----------------------------------------------------------------------
_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "iframe", "object",
                   "embed", "applet", "frameset", "noframes", "svg", "math", "meta", "link", "base",
                   "-comment", "!doctype", "select", "datalist", "audio", "video", "canvas"})
_BLOCK = frozenset({"p", "div", "tr", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th",
                    "table", "tbody", "thead", "tfoot", "blockquote", "pre", "section", "article",
                    "header", "footer", "nav", "aside", "main", "hr", "dl", "dt", "dd", "form",
                    "fieldset", "address", "figure", "figcaption", "center", "caption", "details",
                    "summary", "option", "legend", "body", "html", "br", "button", "textarea"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                   "source", "track", "wbr", "keygen", "basefont", "bgsound", "frame", "image", "isindex"})
# elements lexbor closes implicitly instead of nesting (<p><p> are siblings): not counted for depth
_AUTOCLOSE = frozenset({"p", "li", "td", "th", "tr", "option", "optgroup", "dt", "dd", "tbody",
                        "thead", "tfoot", "colgroup", "caption", "rb", "rt", "rp", "rtc", "html",
                        "head", "body"})
_PREHEADER_MARK = re.compile(r"pre-?header|preview|preheader|preview-?text|previewtext|snippet|inbox-?text",
                             re.I)

# -- colours -----------------------------------------------------------------------------------
_NAMED = {
    "white": (255, 255, 255), "black": (0, 0, 0), "red": (255, 0, 0), "green": (0, 128, 0),
    "blue": (0, 0, 255), "yellow": (255, 255, 0), "gray": (128, 128, 128), "grey": (128, 128, 128),
    "silver": (192, 192, 192), "whitesmoke": (245, 245, 245), "snow": (255, 250, 250),
    "ivory": (255, 255, 240), "ghostwhite": (248, 248, 255), "floralwhite": (255, 250, 240),
    "aliceblue": (240, 248, 255), "azure": (240, 255, 255), "mintcream": (245, 255, 250),
    "honeydew": (240, 255, 240), "seashell": (255, 245, 238), "linen": (250, 240, 230),
    "oldlace": (253, 245, 230), "beige": (245, 245, 220), "lightgray": (211, 211, 211),
    "lightgrey": (211, 211, 211), "gainsboro": (220, 220, 220), "darkgray": (169, 169, 169),
    "darkgrey": (169, 169, 169), "dimgray": (105, 105, 105), "dimgrey": (105, 105, 105),
    "navy": (0, 0, 128), "maroon": (128, 0, 0), "purple": (128, 0, 128), "teal": (0, 128, 128),
    "olive": (128, 128, 0), "lime": (0, 255, 0), "aqua": (0, 255, 255), "cyan": (0, 255, 255),
    "fuchsia": (255, 0, 255), "magenta": (255, 0, 255), "orange": (255, 165, 0),
    "lavenderblush": (255, 240, 245), "cornsilk": (255, 248, 220), "lightyellow": (255, 255, 224),
    "lightcyan": (224, 255, 255), "papayawhip": (255, 239, 213), "mistyrose": (255, 228, 225),
}
TRANSPARENT = "transparent"
_IMAGE_BG = "image"
_HEX = frozenset("0123456789abcdef")


def parse_colour(value: Optional[str]):
    """(r, g, b) for ``#fff``, ``#ffffff``, ``white``, ``rgb(255,255,255)``, ``rgba(…)``;
    ``"transparent"`` for transparent or fully transparent rgba; None when unknown."""
    if not value:
        return None
    v = value.strip().lower().replace("!important", "").strip()
    if not v:
        return None
    if v[0] == "#":
        h = v[1:]
        if not h or any(c not in _HEX for c in h):
            return None
        if len(h) in (3, 4):
            if len(h) == 4 and h[3] == "0":
                return TRANSPARENT
            return (int(h[0] * 2, 16), int(h[1] * 2, 16), int(h[2] * 2, 16))
        if len(h) in (6, 8):
            if len(h) == 8 and h[6:] == "00":
                return TRANSPARENT
            return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))
        return None
    if v.startswith(("rgb(", "rgba(")):
        inner = v[v.index("(") + 1:].rstrip(")").replace("/", ",").replace(" ", ",")
        nums = [n for n in inner.split(",") if n]
        try:
            rgb = []
            for n in nums[:3]:
                rgb.append(round(float(n[:-1]) * 2.55) if n.endswith("%") else round(float(n)))
            if len(rgb) != 3:
                return None
            if len(nums) >= 4:
                a = nums[3]
                alpha = float(a[:-1]) / 100 if a.endswith("%") else float(a)
                if alpha <= 0.05:
                    return TRANSPARENT
            return tuple(max(0, min(255, c)) for c in rgb)
        except ValueError:
            return None
    if v == "transparent":
        return TRANSPARENT
    named = _NAMED.get(v)
    if named:
        return named
    if len(v) in (3, 6) and all(c in _HEX for c in v):    # bgcolor="ffffff" (quirks mode accepts it)
        return parse_colour("#" + v)
    return None


_COLOUR_CACHE: dict[str, object] = {}


def _colour_cached(value: str):
    c = _COLOUR_CACHE.get(value, 0)
    if c == 0:
        c = parse_colour(value)
        if len(_COLOUR_CACHE) > 4096:
            _COLOUR_CACHE.clear()
        _COLOUR_CACHE[value] = c
    return c


def same_colour(a, b) -> bool:
    if not isinstance(a, tuple) or not isinstance(b, tuple):
        return False
    return (abs(a[0] - b[0]) <= SAME_COLOUR_DISTANCE and abs(a[1] - b[1]) <= SAME_COLOUR_DISTANCE
            and abs(a[2] - b[2]) <= SAME_COLOUR_DISTANCE)


def _px(value: Optional[str]) -> Optional[float]:
    """Pixels in a CSS length or an HTML width/height attribute (``600``, ``600px``, ``0``, ``1pt``); None else."""
    if value is None:
        return None
    v = value.strip().lower().replace("!important", "").strip()
    if not v:
        return None
    num_end = 0
    while num_end < len(v) and (v[num_end].isdigit() or v[num_end] in ".-+"):
        num_end += 1
    if num_end == 0:
        return None
    try:
        n = float(v[:num_end])
    except ValueError:
        return None
    unit = v[num_end:].strip()
    if unit in ("", "px"):
        return n
    if unit == "pt":
        return n * 4 / 3
    if unit in ("em", "rem"):
        return n * 16
    if n == 0:
        return 0.0                  # 0%, 0vh… are zero whatever the unit
    return None


def _first_colour_token(value: str):
    """The colour inside a ``background`` shorthand, or ``"image"`` when it has an image."""
    if "url(" in value or "gradient(" in value:
        return _IMAGE_BG
    c = parse_colour(value)
    if c is not None:
        return c
    for tok in value.replace(",", " ").split():
        c = parse_colour(tok)
        if c is not None:
            return c
    if "rgb" in value:
        i = value.find("rgb")
        j = value.find(")", i)
        if j != -1:
            return parse_colour(value[i:j + 1])
    return None


@dataclass(frozen=True)
class _Style:
    hidden: Optional[str] = None         # reason, for hiding that descendants inherit
    color: object = None                 # (r,g,b) | "transparent" | None
    bg: object = None                    # (r,g,b) | "transparent" | "image" | None
    width: Optional[float] = None
    height: Optional[float] = None
    font: Optional[float] = None         # font-size in px, when declared


_EMPTY_STYLE = _Style()


def _declarations(style: str) -> dict[str, str]:
    out = {}
    for decl in style.split(";"):
        key, sep, val = decl.partition(":")
        if not sep:
            continue
        key = key.strip().lower()
        val = val.strip().lower()
        if val.endswith("important"):
            val = val.replace("!important", "").replace("! important", "").strip()
        if key:
            out[key] = val
    if "font" in out and "font-size" not in out:
        size = _font_shorthand_size(out["font"])
        if size is not None:
            out["font-size"] = size
    return out


_FONT_SIZE_TOKEN = re.compile(r"^(?:0|[\d.]+(?:px|pt|pc|em|rem|%|ex|ch|vw|vh|vmin|vmax|cm|mm|in|q))$")
_FONT_SIZE_KEYWORDS = frozenset({"xx-small", "x-small", "small", "medium", "large", "x-large", "xx-large",
                                 "xxx-large", "smaller", "larger"})


def _font_shorthand_size(value: str) -> Optional[str]:
    """The font-size of a CSS ``font`` shorthand (``bold 0/0 a`` → ``0``, ``14px/1.4 Arial`` → ``14px``):
    the first length before the family; style, variant and weight keywords (``700``) come before it."""
    for token in value.replace(",", " ").split():
        size = token.split("/", 1)[0]
        if _FONT_SIZE_TOKEN.match(size) or size in _FONT_SIZE_KEYWORDS:
            return size
    return None


def _hiding_reason(d: dict[str, str], font: bool = True) -> Optional[str]:
    """Why these declarations hide an element's content.  With ``font=False`` a zero or tiny
    font-size is left out: children can set their own size again (``font-size:0`` on a wrapper
    is a common trick against inline-block gaps), so inline font sizes are tracked per element."""
    if d.get("display") == "none":
        return "display:none"
    if d.get("visibility") in ("hidden", "collapse"):
        return "visibility:hidden"
    op = d.get("opacity")
    if op is not None:
        try:
            o = float(op[:-1]) / 100 if op.endswith("%") else float(op)
            if o <= 0.05:
                return "opacity:0"
        except ValueError:
            pass
    fs = _px(d.get("font-size")) if font else None
    if fs is not None and fs <= 0:
        return "zero size"
    overflow_hidden = d.get("overflow") == "hidden" or d.get("overflow-y") == "hidden" or \
        d.get("overflow-x") == "hidden"
    if overflow_hidden:
        for key in ("max-height", "height", "max-width", "width"):
            n = _px(d.get(key))
            if n is not None and n <= 0:
                return "zero size"
    if fs is not None and fs < 2:
        return "tiny font"
    if d.get("position") in ("absolute", "fixed"):
        for key in ("left", "top", "right"):
            n = _px(d.get(key))
            if n is not None and n <= -500:
                return "off-screen"
    ti = _px(d.get("text-indent"))
    if ti is not None and ti <= -500:
        return "off-screen"
    # mso-hide:all alone is not hiding: templates put it on buttons that every client but Outlook
    # shows (Outlook gets a VML copy in a conditional comment); with display:none the reason is that.
    return None


_STYLE_CACHE: dict[str, _Style] = {}


def _font_px(value: str) -> Optional[float]:
    """A declared font-size in px; keywords and sizes we cannot resolve count as readable (16px),
    ``inherit``-like values as undeclared (None)."""
    v = value.strip()
    if not v or v in ("inherit", "unset", "initial", "revert", "revert-layer"):
        return None
    n = _px(v)
    return 16.0 if n is None else n


def _parse_style(style: str) -> _Style:
    cached = _STYLE_CACHE.get(style)
    if cached is not None:
        return cached
    d = _declarations(style)
    color = parse_colour(d["color"]) if "color" in d else None
    bg = None
    if "background-color" in d:
        bg = parse_colour(d["background-color"])
    if "background" in d:
        shorthand = _first_colour_token(d["background"])
        if shorthand is not None and (bg is None or shorthand == _IMAGE_BG):
            bg = shorthand
    if "background-image" in d and "url(" in d["background-image"]:
        bg = _IMAGE_BG
    st = _Style(_hiding_reason(d, font=False), color, bg, _px(d.get("width")), _px(d.get("height")),
                _font_px(d["font-size"]) if "font-size" in d else None)
    if len(_STYLE_CACHE) > 20000:
        _STYLE_CACHE.clear()
    _STYLE_CACHE[style] = st
    return st


# -- <style> sheets: hidden classes/ids ----------------------------------------------------
_CSS_AT_BLOCK = re.compile(r"@[^{};]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}")
_CSS_SEGMENT_END = re.compile(r"[{};]")


def _drop_css_comments(css: str) -> str:
    """``/* … */`` comments replaced by a space; an unclosed one is left as it is.  (The regex
    ``/\\*.*?\\*/`` does the same but scans to the end from every unclosed ``/*``: quadratic.)"""
    pieces, pos = [], 0
    while True:
        i = css.find("/*", pos)
        j = css.find("*/", i + 2) if i >= 0 else -1
        if j < 0:
            break
        pieces += (css[pos:i], " ")
        pos = j + 2
    pieces.append(css[pos:])
    return "".join(pieces)


def _drop_at_blocks(css: str) -> str:
    """``_CSS_AT_BLOCK.sub(" ", css)`` in linear time.  A match is tried only from the first ``@`` of
    each run without ``{``, ``}`` or ``;``: from a later ``@`` of the same run it would fail the same
    way, and ``re.sub`` trying each of them scans the rest of the run again (160,000 ``@`` in a
    ``<style>``: quadratic)."""
    pieces, pos = [], 0
    i = css.find("@")
    while i >= 0:
        m = _CSS_AT_BLOCK.match(css, i)
        if m:
            pieces += (css[pos:i], " ")
            pos = m.end()
            i = css.find("@", pos)
            continue
        end = _CSS_SEGMENT_END.search(css, i)
        if end is None:
            break
        i = css.find("@", end.start())
    pieces.append(css[pos:])
    return "".join(pieces)
_SIMPLE_SELECTOR = re.compile(r"^(?:[a-z0-9*]*(?:\[class\])?)?([.#])([\w-]+)$", re.I)
_SHEET_KEYS = ("none", "hidden", "opacity", "font-size", "collapse")


@dataclass(frozen=True)
class _Sheet:
    classes: dict            # class → hiding reason
    ids: dict                # id → hiding reason
    sets_bg: bool            # the sheet declares backgrounds (so unstyled text is not assumed on white)
    fonts: Optional[dict]    # ".class" / "#id" → font-size px, None when no rule sets one
    tiny: bool               # some class/id sets a font below 2px


_NO_SHEET = _Sheet({}, {}, False, None, False)
_SHEET_CACHE: dict[str, _Sheet] = {}


def _sheet_font(attrs, fonts: dict) -> Optional[float]:
    """The largest font-size the style sheet gives this element through its classes or id."""
    best = None
    cls = attrs.get("class")
    if cls:
        for c in cls.lower().split():
            f = fonts.get("." + c)
            if f is not None and (best is None or f > best):
                best = f
    ide = attrs.get("id")
    if ide:
        f = fonts.get("#" + ide.strip().lower())
        if f is not None and (best is None or f > best):
            best = f
    return best


def _parse_sheets(css: str) -> "_Sheet":
    """Hiding rules and font sizes of simple class/id selectors outside @media blocks."""
    cached = _SHEET_CACHE.get(css)
    if cached is not None:
        return cached
    classes: dict[str, str] = {}
    ids: dict[str, str] = {}
    fonts: dict[str, float] = {}        # ".class" / "#id" → declared font-size (px)
    lower = css.lower()
    sets_bg = "background" in lower or "bgcolor" in lower
    if any(k in lower for k in _SHEET_KEYS):
        text = _drop_css_comments(css) if "/*" in css else css
        if "@" in text:
            text = _drop_at_blocks(text)
        # rules "selectors { body }", found by splitting (a regex scanning from every position is slow
        # on big sheets): each "}" closes a body that starts after the last "{"; the selector is what precedes that
        # "{" back to the previous "{", "}", "@" or ";"
        for chunk in text.split("}"):
            b = chunk.rfind("{")
            if b < 0:
                continue
            body = chunk[b + 1:]
            if not any(k in body for k in _SHEET_KEYS):
                continue
            head = chunk[:b]
            selectors = head[max(head.rfind("{"), head.rfind("@"), head.rfind(";")) + 1:]
            if not selectors:
                continue
            d = _declarations(body)
            # font-size is not a hiding reason here: children set their own size again
            # (font-size:0 on a wrapper class is a common trick against inline-block gaps)
            reason = _hiding_reason(d, font=False)
            font = _font_px(d["font-size"]) if "font-size" in d else None
            if reason is None and font is None:
                continue
            for sel in selectors.split(","):
                sm = _SIMPLE_SELECTOR.match(sel.strip())
                if sm:
                    name = sm.group(2).lower()
                    if reason is not None:
                        (classes if sm.group(1) == "." else ids)[name] = reason
                    if font is not None:
                        fonts[sm.group(1) + name] = font
    tiny = any(f < 2 for f in fonts.values())
    result = _Sheet(classes, ids, sets_bg, fonts if fonts else None, tiny)
    if len(_SHEET_CACHE) > 256:
        _SHEET_CACHE.clear()
    _SHEET_CACHE[css] = result
    return result


# -- depth guard ---------------------------------------------------------------------------
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^>]*>")


def _flatten_deep(html: str, max_depth: int):
    """Drop the tags of elements nested deeper than ``max_depth`` (their text stays).

    Returns the new HTML, the estimated maximum depth (0 when nothing was changed) and the map of the
    new HTML's offsets back to ``html`` (a ``spans.SegMap``; None when nothing changed).  The estimate
    counts open-minus-closed non-void elements, ignoring those HTML closes implicitly.
    """
    from .spans import MapBuilder

    depth = 0
    deepest = 0
    b = MapBuilder()
    pos = 0
    changed = False
    # no tag ends after the last ">": bounding the search there keeps "[^>]*" from scanning to the end
    # of the document from every "<b" that follows it (quadratic on 160,000 unclosed "<b")
    for m in _TAG.finditer(html, 0, html.rfind(">") + 1):
        name = m.group(2).lower()
        if name in _VOID or name in _AUTOCLOSE or name in _LINK_TAGS:
            continue          # links are kept at any depth: the unsubscribe link of a deep layout is still seen
        if m.group(1):
            if depth > max_depth:
                b.copy(html[pos:m.start()], pos)
                pos = m.end()
                changed = True
            if depth > 0:
                depth -= 1
            continue
        if m.group(0).endswith("/>") and name in ("svg", "path"):
            continue
        depth += 1
        if depth > deepest:
            deepest = depth
        if depth > max_depth:
            b.copy(html[pos:m.start()], pos)
            b.replace(" ", m.start(), m.end())
            pos = m.end()
            changed = True
    if not changed:
        return html, 0, None
    b.copy(html[pos:], pos)
    text, smap = b.build()
    return text, deepest, smap


# -- the walk --------------------------------------------------------------------------------
class _Frame:
    __slots__ = ("hard", "color", "bg", "link", "colour_hidden", "record", "vis_pre", "colour_reason", "font", "sink",
                 "sink_ids")

    def __init__(self, hard, color, bg, link, colour_hidden, record, vis_pre, colour_reason, font, sink, sink_ids):
        self.sink = sink                    # where hidden text goes: the pieces of the innermost open record
        self.sink_ids = sink_ids            # the text node of each piece of ``sink`` (-1: a line break added)
        self.font = font                    # inherited font-size (px) or None
        self.hard = hard                    # inherited hiding reason (display:none…) or None
        self.color = color                  # inherited text colour
        self.bg = bg                        # nearest declared background
        self.link = link                    # index of the enclosing link in links, or -1
        self.colour_hidden = colour_hidden  # text here is the colour of its background, or 0/1px
        self.record = record                # this element opened a hidden record: (pieces, reason, marked, vis_count, soft)
        self.vis_pre = vis_pre              # visible preheader marked by class: start index in vis
        self.colour_reason = colour_reason  # why text here is colour/size-hidden, or None


_MARKED: dict = {}          # (class, id) -> _is_marked (templates repeat the same few)


def _is_marked(attrs: dict) -> bool:
    key = (attrs.get("class"), attrs.get("id"))
    marked = _MARKED.get(key)
    if marked is None:
        cls, ide = key
        marked = bool((cls and _PREHEADER_MARK.search(cls)) or (ide and _PREHEADER_MARK.search(ide)))
        if len(_MARKED) > 20000:
            _MARKED.clear()
        _MARKED[key] = marked
    return marked


def analyse_html(html: str, placeholders: PlaceholderSet) -> HtmlAnalysis:
    """Visible text, hidden text, preheader, images and links of an HTML body.  Never raises."""
    result = HtmlAnalysis()
    if not html or not isinstance(html, str):
        return result
    try:
        _analyse(html, placeholders, result)
    except Exception as exc:  # pragma: no cover - last-resort guard: hostile input must not crash a run
        result.problems.append(Problem("html-analysis-failed",
                                       f"The HTML could not be fully analysed ({type(exc).__name__}: {exc}).",
                                       Location(PART)))
    return result


def _parse(html: str):
    from selectolax.lexbor import LexborHTMLParser

    global _last_tree
    try:
        tree = LexborHTMLParser(html)
    except UnicodeEncodeError:   # lone surrogates (e.g. from surrogateescape decoding)
        return LexborHTMLParser(html.encode("utf-8", "replace").decode("utf-8"))
    _last_tree = (html, tree)
    return tree


# the HTML text last parsed as it is, and its tree (the walk never changes a tree): the contrast check reads
# the same one, so a message checked right after it is read (a one-message file) is parsed once.  One tree
# at most is kept, and it is handed out once.
_last_tree: tuple = (None, None)


def take_tree(html: str):
    """The tree ``LexborHTMLParser(html)`` gives, when ``html`` is the text last parsed here (the very same
    object); else None.  The kept tree is let go either way."""
    global _last_tree
    last, tree = _last_tree
    _last_tree = (None, None)
    return tree if last is html else None


def _break(frame: "_Frame", vis: list, vis_ids: list, hidden) -> None:
    """The line break a block element adds to the text (visible, or its hidden record's)."""
    if hidden:
        frame.sink.append("\n")
        frame.sink_ids.append(-1)
    else:
        vis.append("\n")
        vis_ids.append(-1)


def _long_runs(html: str, lens: list[int]):
    """(start, end) of each stretch of ``html`` between two ">" (``lens``: their lengths) long enough to hold
    a _LONG_TAG match: "<", a letter and 2 * MAX_ATTRIBUTES - 2 more characters, none of them ">"."""
    from itertools import accumulate

    ends = list(accumulate(lens))               # stretch i ends at ends[i] + i: its i ">" before it count too
    for i in [i for i, n in enumerate(lens) if n >= 2 * MAX_ATTRIBUTES]:
        yield ends[i] + i - lens[i], ends[i] + i


def _cut_attributes(html: str, res: HtmlAnalysis, lens: list[int]) -> str:
    """``html`` with the attributes of a tag past the first MAX_ATTRIBUTES blanked (same length), and a
    problem naming the tag; linear (each candidate ends at the next "<" or ">").  A match holds no ">": it
    is looked for only in the stretches between two ">" that are long enough (``lens``: their lengths)."""
    from .html_source import _ATTR

    pieces, pos = [], 0
    for m in (m for a, b in _long_runs(html, lens) for m in _LONG_TAG.finditer(html, a, b)):
        cut, count = -1, 0
        for a in _ATTR.finditer(html, m.end(1), m.end()):
            count += 1
            if count == MAX_ATTRIBUTES:
                cut = a.end()
        if cut < 0 or count == MAX_ATTRIBUTES:
            continue
        pieces += (html[pos:cut], " " * (m.end() - cut))
        pos = m.end()
        res.problems.append(Problem(
            "html-too-many-attributes",
            f"A <{m.group(1).lower()}> tag has {count:,} attributes; only the first {MAX_ATTRIBUTES:,} were read. "
            "Mail clients drop or choke on such markup: remove the repeated attributes.", Location(PART)))
    if not pieces:
        return html
    pieces.append(html[pos:])
    return "".join(pieces)


def _analyse(html: str, ps: PlaceholderSet, res: HtmlAnalysis) -> None:
    to_part = None
    if html.count("<") > PRESCAN_TAGS:
        html, deepest, to_part = _flatten_deep(html, MAX_DEPTH)
        if deepest:
            res.problems.append(Problem(
                "html-too-deep",
                f"The HTML nests elements about {deepest} deep; everything below depth {MAX_DEPTH} was "
                f"flattened before analysis. Mail clients choke on such markup: simplify the layout.",
                Location(PART)))
    # a tag that long needs as many characters without a ">": one C-level split tells (the pattern would be
    # tried at every "<")
    if len(html) > 2 * MAX_ATTRIBUTES:
        lens = list(map(len, html.split(">")))
        if max(lens) >= 2 * MAX_ATTRIBUTES - 1:
            html = _cut_attributes(html, res, lens)
    tree = _parse(html)
    root = tree.root
    if root is None:
        return
    rattrs = root.attributes if root.is_element_node else {}
    lang = rattrs.get("lang") or rattrs.get("xml:lang")
    res.lang_attr = lang.strip() or None if lang else None
    css_parts = []
    for st in tree.css("style"):
        t = st.text(deep=True)
        if t:
            css_parts.append(t)
    sheet = _parse_sheets("\n".join(css_parts)) if css_parts else _NO_SHEET
    classes, ids, css_sets_bg, sheet_fonts, sheet_tiny = sheet.classes, sheet.ids, sheet.sets_bg, sheet.fonts, sheet.tiny
    title_node = tree.css_first("title")
    if title_node is not None:
        res.title = _one_line(title_node.text(deep=True)) or None
    body = tree.body
    if body is None:
        return
    battrs = body.attributes
    if not res.lang_attr and battrs.get("lang"):
        res.lang_attr = battrs["lang"].strip() or None
    default_bg = None if css_sets_bg else (255, 255, 255)   # unstyled mail shows on white

    vis: list[str] = []        # visible text pieces
    maps = res.maps = TextMaps(html, _INVISIBLE_RX)
    maps.to_part = to_part
    maps.vis = vis
    vis_ids = maps.vis_ids     # the text node of each piece of vis (-1: a line break the walk added)
    nodes = maps.nodes         # every text node the walk reads, in tree order
    vis_count = 0              # visible non-space characters so far
    links = res.links
    images = res.images
    link_starts: dict[int, int] = {}
    link_ends: dict[int, int] = {}
    parse_style = _parse_style

    max_depth = 0
    too_many = False
    # stack of (enclosing frame, tag) for each open element; elements that change nothing (most of
    # them) share their parent's frame, so only those that do get a _Frame and a _close call
    stack: list[tuple[_Frame, str]] = []
    frame = _Frame(None, None, None, -1, False, None, None, None, None, [], [])
    node = body
    while node is not None:
        tag = node.tag or "-unknown"     # processing instructions (<?php … ?>) have no tag name
        if tag == "-text":
            text = node.text_content
            if text:
                nodes.append(text)
                if frame.hard or frame.colour_hidden:
                    frame.sink.append(text)
                    frame.sink_ids.append(len(nodes) - 1)
                else:
                    vis.append(text)
                    vis_ids.append(len(nodes) - 1)
                    if not text.isspace():
                        vis_count += len(text.strip())
        elif tag not in _SKIP and tag[0] != "-":
            attrs = node.attributes
            new_frame = frame
            if not attrs and tag not in _ITEM_TAGS:
                # no attributes: inherits everything, opens no record, no link, no image
                if tag in _BLOCK:
                    _break(frame, vis, vis_ids, frame.hard or frame.colour_hidden)
            else:
                style = attrs.get("style")
                st = parse_style(style) if style else _EMPTY_STYLE
                own = None
                if frame.hard is None:
                    if "hidden" in attrs:
                        own = "hidden attribute"
                    elif st.hidden:
                        own = st.hidden
                    elif classes or ids:
                        cls = attrs.get("class")
                        if cls and classes:
                            for c in cls.lower().split():
                                if c in classes:
                                    own = classes[c]
                                    break
                        if own is None and ids:
                            ide = attrs.get("id")
                            if ide and ide.lower() in ids:
                                own = ids[ide.lower()]
                new_hard = frame.hard or own
                # text colour (inherited) against the nearest declared background
                color = frame.color
                if st.color is not None:
                    color = st.color
                elif tag == "font" and attrs.get("color"):
                    color = parse_colour(attrs.get("color")) or color
                bg = frame.bg
                if st.bg is not None:
                    bg = st.bg
                else:
                    bga = attrs.get("bgcolor")
                    if bga:
                        bg = _colour_cached(bga) or bg
                    if attrs.get("background"):
                        bg = _IMAGE_BG
                font = frame.font if st.font is None else st.font
                has_name = "class" in attrs or "id" in attrs
                if st.font is None and sheet_fonts is not None and has_name \
                        and (sheet_tiny or (font is not None and font < 2)):
                    sf = _sheet_font(attrs, sheet_fonts)
                    if sf is not None:
                        font = sf
                if color == frame.color and bg == frame.bg and font == frame.font:
                    colour_reason = frame.colour_reason        # same inputs, same verdict
                else:
                    colour_reason = None
                    if color is not None and bg != _IMAGE_BG and bg != TRANSPARENT:
                        if color == TRANSPARENT:
                            colour_reason = "transparent text"
                        elif same_colour(color, bg if bg is not None else default_bg):
                            colour_reason = "same colour as background"
                    if colour_reason is None and font is not None and font < 2:
                        colour_reason = "zero size" if font <= 0 else "tiny font"
                marked = has_name and _is_marked(attrs)
                # a hidden block is recorded once, at its outermost element; an element hidden by
                # display:none & co inside a wrapper that is only hidden by colour/font size (which children
                # can undo) gets its own record
                record = None
                if frame.hard is None and (own or (colour_reason and not frame.colour_hidden)):
                    # the first hidden text block, not inside a colour/font-hidden wrapper
                    first = not res.hidden and not frame.colour_hidden
                    record = ([], own or colour_reason, marked, vis_count, own is None, first, [])
                vis_pre = None
                if marked and res.preheader is None and not new_hard and not colour_reason:
                    vis_pre = len(vis)
                is_hidden = bool(new_hard or colour_reason)
                if tag in _BLOCK or (style and "display" in style and _BOXED.search(style)):
                    # a block, or an inline-block/table-cell box (side-by-side buttons): its text does not
                    # run into the text before it ("SHOP NOW" + "BOOK" is not "SHOP NOWBOOK")
                    _break(frame, vis, vis_ids, is_hidden)
                frame_link = frame.link
                if tag in _ITEM_TAGS:
                    item_no = len(maps.items)      # every link/image start tag, to align with the source
                    maps.items.append((tag, attrs.get("src" if tag in ("img", "image") else "href")))
                    is_image = tag == "img" or tag == "image"
                    full = len(images) >= MAX_ITEMS if is_image else (
                        len(links) >= MAX_ITEMS and not _may_unsubscribe(tag, attrs, ps))
                    if full:
                        # past the cap, images and ordinary links are counted, not analysed; a link that may
                        # be the unsubscribe link is still kept, so that rule sees the whole body
                        if not too_many:
                            too_many = True
                            res.problems.append(Problem(
                                "html-too-many-links",
                                f"The HTML has more than {MAX_ITEMS} {'images' if is_image else 'links'}; the rest "
                                "were not analysed (unsubscribe links excepted).", Location(PART)))
                    elif is_image:
                        _add_image(attrs, st, frame, new_hard, links, images, ps)
                        images[-1].index = item_no
                    elif tag == "a" or tag == "area":
                        if "href" in attrs:
                            frame_link = _add_link(attrs, links, ps)
                            links[frame_link].index = item_no
                            link_starts[frame_link] = len(vis)
                            if tag == "area" and attrs.get("alt"):
                                links[frame_link].text = _one_line(ps.mask(attrs["alt"]))
                    else:
                        frame_link = _add_tag_link(tag, links)
                        links[frame_link].index = item_no
                        link_starts[frame_link] = len(vis)
                if (record is not None or vis_pre is not None or frame_link != frame.link or new_hard != frame.hard
                        or color != frame.color or bg != frame.bg or font != frame.font
                        or (colour_reason is not None) != frame.colour_hidden):
                    new_frame = _Frame(new_hard, color, bg, frame_link, colour_reason is not None, record, vis_pre,
                                       colour_reason, font, record[0] if record is not None else frame.sink,
                                       record[6] if record is not None else frame.sink_ids)
            if tag not in _VOID:
                child = node.child
                if child is not None:
                    stack.append((frame, tag))
                    frame = new_frame
                    node = child
                    if len(stack) > max_depth:
                        max_depth = len(stack)
                    continue
                if new_frame is not frame:          # an empty element: close it right away
                    _close(new_frame, frame, vis, links, link_starts, link_ends, res, ps)
        # leave this node, and every ancestor that has no next sibling
        while True:
            if not stack:             # back at <body>: done
                node = None
                break
            nxt = node.next
            if nxt is not None:
                node = nxt
                break
            closing = frame
            frame, closing_tag = stack.pop()
            node = node.parent
            if node is None:
                break
            if closing is not frame:
                _close(closing, frame, vis, links, link_starts, link_ends, res, ps)
            if closing_tag in _BLOCK:
                _break(frame, vis, vis_ids, frame.hard or frame.colour_hidden)

    if max_depth > MAX_DEPTH and not any(p.code == "html-too-deep" for p in res.problems):
        res.problems.append(Problem(
            "html-too-deep",
            f"The HTML nests elements {max_depth} deep (more than {MAX_DEPTH}). Mail clients choke on such "
            f"markup: simplify the layout.", Location(PART)))
    res.visible_text = normalise_text("".join(vis))
    _finish_links(res, ps, vis, link_starts, link_ends)
    _collect_placeholders(res, ps)


# Campaign Monitor renders these custom elements as links
_CM_TAGS = frozenset({"unsubscribe", "webversion", "preferences", "forwardtoafriend"})
# elements that add an image or a link
_ITEM_TAGS = frozenset({"img", "image", "a", "area"}) | _CM_TAGS
_LINK_TAGS = frozenset({"a"}) | _CM_TAGS
_BOXED = re.compile(r"display\s*:\s*(?:inline-block|block|table-cell|flex|inline-flex)", re.I)


_PADDING_RX = re.compile("[" + "".join(chr(c) for c in sorted(_INVISIBLE)) + "\xa0\u2000-\u200a\u3000]")
_COLOUR_REASONS = frozenset({"same colour as background", "transparent text"})


def _is_preheader(text: str, raw: str, reason: str, marked: bool, vis_before: int, soft: bool, first: bool) -> bool:
    """Is this hidden block the conventional preview text rather than hidden content?

    A preheader is short and comes first: its class/id names it (``preheader``, ``preview``…), or it
    is the first hidden text of the mail with at most a "View in browser" line before it.  A plainly
    hidden block (display:none…) must then be short; one that is only shrunk (font-size:0/1px) must
    carry the zero-width padding ESPs append.  Text hidden by its colour (white on white) is never a
    preheader, and neither is any later hidden block.
    """
    if len(text) > PREHEADER_MAX_LEN:
        return False
    if marked:
        return True
    if not first or vis_before > PREHEADER_MAX_OFFSET or reason in _COLOUR_REASONS:
        return False
    padded = not raw.isascii() and len(_PADDING_RX.findall(raw)) >= PREHEADER_MIN_PADDING
    if padded:
        return True
    return not soft and len(text) <= PREHEADER_PLAIN_MAX_LEN


def _close(closing: _Frame, parent: _Frame, vis, links, link_starts, link_ends, res, ps) -> None:
    """Finish an element: its hidden record, its class-marked visible preheader, its link text."""
    maps = res.maps
    if closing.record is not None:
        pieces, reason, marked, vis_before, soft, first, ids = closing.record
        raw = "".join(pieces)
        text = normalise_text(raw)
        if text:
            is_pre = res.preheader is None and _is_preheader(text, raw, reason, marked, vis_before, soft, first)
            if is_pre:
                res.preheader = _one_line(text)
                maps.preheader = ("hidden", len(maps.hidden))
            res.hidden.append(Hidden(text, reason, is_pre))
            res.hidden[-1].index = len(maps.hidden)
            maps.hidden.append((pieces, ids))
    if closing.vis_pre is not None and res.preheader is None:
        text = _one_line("".join(vis[closing.vis_pre:]))
        if text:
            res.preheader = text
            maps.preheader = ("vis", closing.vis_pre, len(vis))
    if closing.link != parent.link and closing.link >= 0:
        link = links[closing.link]
        start = link_starts.get(closing.link)
        if start is not None and not link.text:
            link.text = _one_line(ps.mask("".join(vis[start:])))
            maps.links[closing.link] = (start, len(vis))
        link_ends[closing.link] = len(vis)


def _int_or_none(v: Optional[float]) -> Optional[int]:
    if v is None:
        return None
    try:
        return max(0, int(round(v)))
    except (OverflowError, ValueError):
        return None


def _add_image(attrs, st: _Style, frame: _Frame, hidden_reason, links, images, ps: PlaceholderSet) -> None:
    src = (attrs.get("src") or "").strip()
    width = _int_or_none(_px(attrs.get("width")))
    height = _int_or_none(_px(attrs.get("height")))
    if st.width is not None:
        width = _int_or_none(st.width)
    if st.height is not None:
        height = _int_or_none(st.height)
    linked = frame.link >= 0
    href = links[frame.link].href if linked else None
    if linked:
        links[frame.link].has_image = True
    tiny_w = width is not None and width <= 1
    tiny_h = height is not None and height <= 1
    pixel = (tiny_w and (tiny_h or height is None)) or (tiny_h and width is None)
    if not pixel and hidden_reason:
        pixel = True
    if not pixel and src and ps.is_tracking_url(src):
        pixel = True
    images.append(Image(src=src, alt=attrs.get("alt"), width=width, height=height, linked=linked,
                        href=href, tracking_pixel=pixel))


def _scheme(href: str) -> str:
    colon = href.find(":")
    if 0 < colon <= 12:
        s = href[:colon]
        if s.isalpha() and s.isascii() or s.replace("+", "").replace("-", "").replace(".", "").isalnum() \
                and s[0].isalpha() and s.isascii():
            return s.lower()
    return ""


def _add_link(attrs, links, ps: PlaceholderSet) -> int:
    href = (attrs.get("href") or "").strip()
    ph = ps.starts_with_placeholder(href) if href else None
    scheme = "" if ph is not None else _scheme(href)
    host = url_host(href) if ph is None and href else None   # None for https://{{ domain }}/…
    domain = registrable_domain(host) if host else None
    link = Link(href=href, host=host, domain=domain, scheme=scheme, is_placeholder=ph is not None)
    if ph is not None and ph.unsubscribe:
        link.is_unsubscribe = True
    elif href and ps.is_unsubscribe_url(href):
        link.is_unsubscribe = True
    links.append(link)
    return len(links) - 1


def _may_unsubscribe(tag: str, attrs, ps: PlaceholderSet) -> bool:
    """Could this link be the unsubscribe link (by its href or a Campaign Monitor tag)?  Its text is not
    known yet; the unsubscribe rule also reads the words of the whole visible text."""
    if tag in ("unsubscribe", "preferences"):
        return True
    href = (attrs.get("href") or "").strip()
    if not href:
        return False
    ph = ps.starts_with_placeholder(href)
    return (ph is not None and ph.unsubscribe) or ps.is_unsubscribe_url(href)


def _add_tag_link(tag: str, links) -> int:
    link = Link(href=f"<{tag}>", is_placeholder=True, is_unsubscribe=tag in ("unsubscribe", "preferences"))
    links.append(link)
    return len(links) - 1


_GENERIC_ANCHOR_MAX_WORDS = 4


def _finish_links(res: HtmlAnalysis, ps: PlaceholderSet, vis: list[str], link_starts: dict[int, int],
                  link_ends: dict[int, int]) -> None:
    prev_end = 0
    for i, link in enumerate(res.links):
        floor = prev_end
        prev_end = max(prev_end, link_ends.get(i, link_starts.get(i, 0)))
        if link.is_unsubscribe:
            continue
        if link.text and ps.is_unsubscribe_text(link.text):
            link.is_unsubscribe = True
            continue
        # "To unsubscribe, click here": short anchor text right after the unsubscribe words
        if len(link.text.split()) <= _GENERIC_ANCHOR_MAX_WORDS:
            start = link_starts.get(i)
            if start:   # only the text since the previous link: its words belong to that link
                before = "".join(vis[max(floor, start - 8):start])[-90:]
                if before.strip() and ps.is_unsubscribe_text(before):
                    link.is_unsubscribe = True


def _collect_placeholders(res: HtmlAnalysis, ps: PlaceholderSet) -> None:
    pieces = [res.visible_text]
    pieces.extend(h.text for h in res.hidden)
    pieces.extend(link.href for link in res.links if not link.href.startswith("<") or link.is_placeholder)
    for img in res.images:
        pieces.append(img.src)
        if img.alt:
            pieces.append(img.alt)
    joined = "\n".join(p for p in pieces if p)
    matches = ps.find(joined)
    res.placeholders = [m.token for m in matches]
    res.esp = ps.esp_of(matches)
