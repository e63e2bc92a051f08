"""MJML templates (``.mjml``): compiled to HTML with MRML (``mjml-python``), then checked like an HTML template.

    ---                                   (optional front matter, as for HTML templates)
    subject: Nos nouveautés
    ---
    <mjml lang="fr">
      <mj-head><mj-title>…</mj-title><mj-preview>…</mj-preview></mj-head>
      <mj-body>…</mj-body>
    </mjml>

Subject: ``--subject``, else front matter, else ``<mj-title>`` (the compiled ``<title>``); preheader: front
matter, else ``<mj-preview>`` (the compiled hidden preview block).  Placeholders (``{{var:x}}``, ``[[var:x]]``,
Jinja, Handlebars, Liquid) are plain text to MRML: they come out unchanged, in text and in attributes such as
``href``, and are masked by the analysis like in any template.  Template code is never executed;
``<mj-include>`` reads the named file next to the template (never anything remote).

The message has three parts: the front matter (if any), ``text/x-mjml`` (the MJML source, file lines) and
``text/html`` (the compiled HTML, which the rules read; not stored in the file).

**Source map.**  The ``text/html`` part carries ``part.source_map``, a ``SourceMap``:
``part.source_map(offset_in_compiled_html) -> offset_in_mjml_file_text`` (character offsets; the file text is
the whole decoded file, front matter included, CRLF read as LF, so the result indexes
``message.part("text/x-mjml")`` shifted by the front matter's length — ``SourceMap.line_col(offset)`` gives the
1-based file line and column).  How it is built: before compiling, every body ``mj-`` element gets a unique
``css-class`` marker, which MRML copies onto the HTML it produces for that element (and ``…-outlook`` onto its
Outlook tables); the markers are then removed again, and the result must be byte-identical to compiling the
untouched source (else the map falls back to ``<mj-body>``'s line).  An offset maps to the element whose marker
came last before it (its opening tag in the source); inside the content of an ending tag (``mj-text``,
``mj-button``, ``mj-table``, ``mj-raw``…), which MRML copies verbatim, it maps character for character.
``map_findings(findings, message)`` rewrites the findings' HTML locations (line, column, excerpt) into ``.mjml``
lines (a finding about something missing from the HTML, which has no line, points at ``</mj-body>``);
``Linter.check`` calls it until the span engine uses the map itself.

**Problems.**  An MJML document that MRML cannot compile gets a ``mjml-invalid`` problem (its line when MRML
gives a position) and its source is checked as HTML instead, so the text rules still run; unknown ``mj-``
elements, which MRML passes through as raw tags that mail clients ignore, get ``mjml-unknown-element`` at
their line.
"""
from __future__ import annotations

import bisect
import os
import re
from dataclasses import replace
from typing import Optional

from ..model import INPUT_HTML, Location, Message, Part, Problem
from ..textscan import blank_between

MJML_PART = "text/x-mjml"

#: Body elements that take ``css-class`` (MRML copies it onto the HTML it generates for them).
CLASSED = frozenset("""mj-accordion mj-accordion-element mj-accordion-text mj-accordion-title mj-button
    mj-carousel mj-column mj-divider mj-group mj-hero mj-image mj-navbar mj-navbar-link mj-section mj-social
    mj-social-element mj-spacer mj-table mj-text mj-wrapper""".split())
#: Every element of MJML 4 (others are passed through as raw tags).
KNOWN = CLASSED | frozenset("""mjml mj-head mj-body mj-attributes mj-all mj-class mj-breakpoint mj-font
    mj-html-attributes mj-html-attribute mj-selector mj-preview mj-style mj-title mj-raw mj-include
    mj-carousel-image""".split())
#: Ending tags: their content is HTML that MRML copies as it is.
VERBATIM = frozenset("mj-text mj-button mj-table mj-raw mj-navbar-link mj-accordion-title mj-accordion-text "
                     "mj-social-element mj-title mj-preview".split())



# alternatives start with different characters: linear
_OPEN_TAG = re.compile(r"""<(mj-[a-z][a-z0-9-]*|mjml)\b((?:[^<>"']|"[^"<]*"|'[^'<]*')*)>""", re.I)
_CSS_CLASS = re.compile(r"""(\scss-class\s*=\s*)(?:"([^"]*)"|'([^']*)')""", re.I)
_MARKER = "cl-mjsrc-"
_MARKER_RE = re.compile(_MARKER + r"(\d+)(?:-outlook)?")
_CLASS_ATTR = re.compile(r"""\sclass="([^"]*cl-mjsrc-[^"]*)"|\sclass='([^']*cl-mjsrc-[^']*)'""")
_TAG_OR_TEXT = re.compile(r"<[^<>]*>|[^<]+|<")


def _pieces(source: str, start: int, end: int):
    """(offset, text) of each tag and each stripped text line of ``source[start:end]``, in order; linear."""
    for m in _TAG_OR_TEXT.finditer(source, start, end):
        chunk = m.group()
        if chunk.startswith("<") and len(chunk) > 1:
            yield m.start(), chunk
            continue
        at = m.start()
        for line in chunk.split("\n"):
            core = line.strip()
            if core:
                yield at + line.index(core[0]), core
            at += len(line) + 1
_POSITION = re.compile(r"at position (\d+):(\d+)")
_MJML_START = re.compile(r"\s*(?:<\?xml[^<>]*>\s*)?<mjml[\s>]", re.I)


def looks_like_mjml(text: str) -> bool:
    """True when the text (after any front matter) is an MJML document."""
    return _MJML_START.match(blank_between(text[:65536], "<!--", "-->")) is not None


class _Element:
    __slots__ = ("tag", "start", "open_end", "inner_start", "inner_end")

    def __init__(self, tag, start, open_end):
        self.tag, self.start, self.open_end = tag, start, open_end
        self.inner_start = self.inner_end = -1


class SourceMap:
    """``source_map(offset_in_compiled_html) -> offset_in_mjml_file_text``; picklable."""

    def __init__(self, file_text: str, fallback: int, markers=(), verbatim=()):
        self.file_text = file_text
        self.fallback = fallback                 # <mj-body> (or <mjml>) in the file
        self._marks = [m[0] for m in markers]    # compiled offsets, ascending
        self._targets = [m[1] for m in markers]  # file offsets of the elements' opening tags
        self._verbatim = sorted(verbatim)        # (compiled start, compiled end, file start)
        self._vstarts = [v[0] for v in self._verbatim]
        self._lines = None
        self.body_end = -1                       # </mj-body> in the file: where missing content belongs

    def __call__(self, offset: int) -> int:
        i = bisect.bisect_right(self._vstarts, offset) - 1
        if i >= 0:
            start, end, src = self._verbatim[i]
            if offset < end:
                return src + (offset - start)
        i = bisect.bisect_right(self._marks, offset) - 1
        return self._targets[i] if i >= 0 else self.fallback

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a file-text offset."""
        if self._lines is None:
            self._lines = [0] + [m.end() for m in re.finditer("\n", self.file_text)]
        line = bisect.bisect_right(self._lines, offset)
        return line, offset - self._lines[line - 1] + 1

    def line_text(self, line: int) -> str:
        self.line_col(0)
        start = self._lines[line - 1]
        end = self.file_text.find("\n", start)
        return self.file_text[start:] if end < 0 else self.file_text[start:end]


def _scan(source: str) -> list[_Element]:
    """The mj- elements of the source (outside comments and <mj-attributes>), in order."""
    blanked = blank_between(source, "<!--", "-->")
    # inside <mj-attributes>, mj-text etc. are defaults, not elements
    blanked = blank_between(blanked, "<mj-attributes", "</mj-attributes")
    out = []
    for m in _OPEN_TAG.finditer(blanked):
        el = _Element(m.group(1).lower(), m.start(), m.end())
        if el.tag in VERBATIM and not m.group(2).rstrip().endswith("/"):
            close = blanked.find("</" + el.tag, m.end())
            if close >= 0:
                el.inner_start, el.inner_end = m.end(), close
        out.append(el)
    return out


_ANY_MJ_TAG = re.compile(r"""<(/?)(mj-[a-z][a-z0-9-]*|mjml)\b((?:[^<>"']|"[^"<]*"|'[^'<]*')*)>""", re.I)


def _unbalanced(source: str) -> Optional[tuple[int, str]]:
    """(offset, tag) of the first mj- element closed out of order or never closed, else None."""
    blanked = blank_between(source, "<!--", "-->")
    stack: list[tuple[int, str]] = []
    for m in _ANY_MJ_TAG.finditer(blanked):
        tag = m.group(2).lower()
        if m.group(1):
            if not stack:
                return m.start(), tag
            if stack[-1][1] != tag:
                return stack[-1]
            stack.pop()
        elif not m.group(3).rstrip().endswith("/"):
            if stack and stack[-1][1] in VERBATIM:
                continue                         # mj- text inside mj-text / mj-raw content
            stack.append((m.start(), tag))
    return stack[-1] if stack else None


#: Deepest nesting compiled (real templates stay under 30; MRML's recursion crashes near 2,000).
MAX_DEPTH = 400
_TAG_EDGE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)[^<>]*?(/?)>")
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


def _too_deep(source: str) -> Optional[int]:
    """Offset of the first tag opened deeper than MAX_DEPTH, else None (one linear pass)."""
    depth = 0
    for m in _TAG_EDGE.finditer(source):
        if m.group(1):
            depth = max(depth - 1, 0)
        elif not m.group(3) and m.group(2).lower() not in _VOID:
            depth += 1
            if depth > MAX_DEPTH:
                return m.start()
    return None


def _mark(source: str, elements: list[_Element]) -> str:
    """The source with a css-class marker on every element that takes one."""
    pieces, pos = [], 0
    for n, el in enumerate(elements):
        if el.tag not in CLASSED:
            continue
        tag_text = source[el.start:el.open_end]
        marker = f"{_MARKER}{n}"
        cm = _CSS_CLASS.search(tag_text)
        if cm:
            value_start = cm.start(2) if cm.group(2) is not None else cm.start(3)
            value = cm.group(2) if cm.group(2) is not None else cm.group(3)
            cut = el.start + value_start + len(value)
            insert = (" " if value.strip() else "") + marker
        else:
            body = tag_text[:-1]
            cut = el.start + len(body.rstrip("/").rstrip()) if body.rstrip().endswith("/") else el.open_end - 1
            insert = f' css-class="{marker}"'
        pieces.append(source[pos:cut])
        pieces.append(insert)
        pos = cut
    pieces.append(source[pos:])
    return "".join(pieces)


def _unmark(html: str) -> tuple[str, list[tuple[int, int]]]:
    """(the HTML without markers, [(offset in that HTML of the tag that held a marker, element number)])."""
    out, marks, pos, shift = [], [], 0, 0
    for m in _CLASS_ATTR.finditer(html):
        value = m.group(1) if m.group(1) is not None else m.group(2)
        kept, numbers = [], []
        for token in value.split(" "):
            mm = _MARKER_RE.fullmatch(token)
            if mm:
                numbers.append(int(mm.group(1)))
            else:
                kept.append(token)
        replacement = f' class="{" ".join(kept)}"' if kept else ""
        tag_start = max(html.rfind("<", 0, m.start()), 0) - shift
        for n in numbers:
            marks.append((tag_start, n))
        out.append(html[pos:m.start()])
        out.append(replacement)
        shift += (m.end() - m.start()) - len(replacement)
        pos = m.end()
    out.append(html[pos:])
    return "".join(out), marks


def _loader(base_dir: Optional[str], roots: tuple = ()):
    """Reads an ``mj-include``: relative to the template's folder, then to each template root; only files
    whose real path stays inside the roots (without roots: the template's folder's third parent), never an
    absolute path or a URL."""
    from ..partials import MAX_PARENTS, MAX_PARTIAL_BYTES, PartialFinder

    areas = PartialFinder("-", roots).areas
    if not areas and base_dir is not None:
        top = os.path.realpath(base_dir)
        for _ in range(MAX_PARENTS):
            top = os.path.dirname(top)
        areas = (top,)

    def load(path: str) -> str:
        if "://" in path or not areas:
            raise OSError(f"mj-include {path!r} not read (only files next to the template or in a template root are)")
        if os.path.isabs(path) or "\\" in path:
            raise OSError(f"mj-include {path!r} not read: an absolute path is never read")
        refused = None
        for base in ([base_dir] if base_dir else []) + list(roots):
            full = os.path.normpath(os.path.join(base, path))
            if not os.path.splitext(full)[1]:
                full += ".mjml"
            real = os.path.realpath(full)
            if not any(os.path.commonpath([real, area]) == area for area in areas):
                refused = f"mj-include {path!r} not read: it leads outside the template roots"
                continue
            if os.path.isfile(real) and os.path.getsize(real) <= MAX_PARTIAL_BYTES:
                with open(real, encoding="utf-8", errors="replace") as f:
                    return f.read()
        raise OSError(refused or f"mj-include {path!r} not found")
    return load


def compile_mjml(source: str, offset: int, file_text: str, base_dir: Optional[str] = None, roots: tuple = ()):
    """(compiled HTML or None, SourceMap, problems).  ``offset``: where ``source`` starts in ``file_text``."""
    import mjml as _mrml   # Rust MRML: imported only when an .mjml file is read

    elements = _scan(source)
    body = next((el for el in elements if el.tag == "mj-body"), None) or (elements[0] if elements else None)
    fallback = max(0, offset + (body.start if body else 0))
    problems: list[Problem] = []
    smap = SourceMap(file_text, fallback)

    def loc(src_offset: int, length: int = 0) -> Location:
        line, col = smap.line_col(max(0, offset + src_offset))
        return Location(part=MJML_PART, line=line, column=col, excerpt=smap.line_text(line).strip()[:80],
                        offset=-1)

    for el in elements:
        if el.tag not in KNOWN:
            problems.append(Problem("mjml-unknown-element", f"<{el.tag}> is not an MJML element: MRML copies it "
                                    "as a raw tag that mail clients ignore", loc(el.start)))
    deep = _too_deep(source)
    if deep is not None:
        # MRML recurses on the native stack: a document nested thousands deep would crash the process
        problems.append(Problem("mjml-invalid", f"elements nested more than {MAX_DEPTH} deep; not compiled, its "
                                "source was checked as HTML instead", loc(deep)))
        return None, smap, problems
    loader = _loader(base_dir, roots)
    try:
        html = _mrml.mjml2html(source, disable_comments=True, include_loader=loader)
    except Exception as exc:  # noqa: BLE001 - MRML reports every error as an exception
        text = str(exc) or type(exc).__name__
        pm = _POSITION.search(text)
        unclosed = _unbalanced(source)
        where = loc(int(pm.group(1))) if pm else loc(unclosed[0]) if unclosed else loc(body.start if body else 0)
        if unclosed and not pm:
            text += f"; <{unclosed[1]}> at this line is not closed where expected"
        problems.append(Problem("mjml-invalid", f"MJML could not be compiled ({text}); its source was "
                                "checked as HTML instead", where))
        return None, smap, problems
    try:
        marked = _mrml.mjml2html(_mark(source, elements), disable_comments=True, include_loader=loader)
        clean, marks = _unmark(marked)
    except Exception:  # noqa: BLE001 - the map is a refinement: keep the plain compile
        clean, marks = None, []
    if clean != html:
        return html, smap, problems              # markers changed the output (mj-attributes css-class…)
    marks.sort()
    targets = [(at, max(0, offset + elements[n].start)) for at, n in marks if n < len(elements)]
    verbatim, pos = [], 0
    mark_at = {}
    for at, n in marks:
        mark_at.setdefault(n, at)
    starts = sorted(mark_at.values())
    for n, el in enumerate(elements):
        if el.inner_start < 0:
            continue
        begin = mark_at.get(n, pos)
        nxt = bisect.bisect_right(starts, begin)
        bound = starts[nxt] if nxt < len(starts) else len(html)
        pos = max(pos, begin)
        # MRML drops the whitespace between tags but copies tags and text: align them line by line, in order
        for at, text in _pieces(source, el.inner_start, el.inner_end):
            found = html.find(text, pos, bound)
            if found >= 0:
                verbatim.append((found, found + len(text), max(0, offset + at)))
                pos = found + len(text)
    # the HTML before the first element's marker (<head>: fonts, styles, title) comes from <mj-head> or <mjml>
    head = next((el for el in elements if el.tag == "mj-head"), None) or \
        next((el for el in elements if el.tag == "mjml"), None) or body
    head_at = max(0, offset + head.start) if head is not None else fallback
    smap = SourceMap(file_text, head_at, targets, verbatim)
    end = source.rfind("</mj-body")
    smap.body_end = offset + end if end >= 0 and offset + end >= 0 else -1
    return html, smap, problems


def read_mjml(data: bytes, source: str, options=None) -> Message:
    from . import ReadOptions, finish_message
    from .template import apply_fields
    from .template import decode_template, split_front_matter

    options = options or ReadOptions()
    text, charset, problems = decode_template(data, True)
    text = text.replace("\r\n", "\n")
    if "\x00" in text:
        problems.append(Problem("nul-bytes", f"{text.count(chr(0))} NUL bytes removed"))
        text = text.replace("\x00", "")
    fields, fm_lines, fm_text, fm_problems = split_front_matter(text)
    problems.extend(fm_problems)
    body = text[len(fm_text):]
    base_dir = os.path.dirname(os.path.abspath(source)) if source not in ("-", "") and os.path.exists(source) else None
    prefix, suffix = "", ""
    if not looks_like_mjml(body):            # a partial made to be mj-include'd: compile it in a document
        head = body.lstrip().lower().startswith("<mj-head")
        prefix, suffix = ("<mjml>", "<mj-body></mj-body></mjml>") if head else ("<mjml><mj-body>", "</mj-body></mjml>")
    html, smap, mj_problems = compile_mjml(prefix + body + suffix, len(fm_text) - len(prefix), text, base_dir,
                                           tuple(getattr(options, "template_roots", ()) or ()))
    problems.extend(mj_problems)
    msg = Message(source=source, input_format=INPUT_HTML, has_headers=False, raw_size=len(data))
    if fm_text:
        msg.parts.append(Part(label="front-matter", content_type="text/x-front-matter", charset=charset,
                              text=fm_text, start_line=1, file_mapped=True))
    if html is None:                 # not compilable: its text is still checked, at file lines
        msg.parts.append(Part(label="text/html", content_type="text/html", charset=charset, text=body,
                              start_line=fm_lines + 1, file_mapped=True))
        msg.html = body
    else:
        msg.parts.append(Part(label=MJML_PART, content_type=MJML_PART, charset=charset, text=body,
                              start_line=fm_lines + 1, file_mapped=True))
        part = Part(label="text/html", content_type="text/html", charset="utf-8", text=html)
        part.source_map = smap       # read by map_findings (and the span engine)
        msg.parts.append(part)
        msg.html = html
    apply_fields(msg, fields, options)
    msg.problems = problems
    msg = finish_message(msg, options, subject_from_title=True, front_matter_lang=fields.get("lang"),
                         front_matter_preheader=fields.get("preheader"))
    msg.subject_in_html = html is not None and options.subject is None and not fields.get("subject")
    msg.preheader_in_html = html is not None and not fields.get("preheader")
    return msg


#: Location parts whose line is a line of the compiled HTML.
_HTML_PARTS = {"text/html", "html", "anchor-text", "links", "images", "body", "hidden", "alt", "link", "image"}


def _has_position(loc: Location) -> bool:
    return loc.part_offset >= 0 or loc.line > 0


def _map_location(loc: Location, html: str, smap: SourceMap, starts: list[int], bases=None) -> Location:
    base = (bases or {}).get(loc.part_label) if loc.part_label in ("subject", "preheader") else None
    if loc.part_offset >= 0 and base is not None:
        start = base + loc.part_offset           # an offset in the subject (<title>) or preheader text
        end = base + max(loc.part_end, loc.part_offset)
    elif loc.part_offset >= 0 and (not loc.part_label or loc.part_label == "text/html"):
        start = loc.part_offset                  # the span engine's offset in the compiled HTML
        end = loc.part_end if loc.part_end >= start else start
    elif 0 < loc.line <= len(starts):
        start = starts[loc.line - 1] + max(loc.column - 1, 0)   # a line and column of the compiled HTML
        end = start
        if 0 < loc.end_line <= len(starts):
            end = starts[loc.end_line - 1] + max(loc.end_column - 1, 0)
    else:
        return loc
    src = smap(start)
    line, col = smap.line_col(src)
    changes = {"line": line, "column": col, "excerpt": smap.line_text(line).strip()[:80],
               "offset": -1, "end_offset": -1}
    if end > start:
        src_end = smap(end - 1) + 1
        if src_end <= src:                       # mapped to the element only: its opening tag
            close = smap.file_text.find(">", src)
            src_end = close + 1 if close >= 0 else src + 1
        end_line, end_col = smap.line_col(src_end)
        changes.update(end_line=end_line, end_column=end_col)
    if loc.part_offset < 0:
        changes.update(part_offset=start, part_end=max(end, start), part_label="text/html")
    return replace(loc, **changes)


def map_findings(findings: list, message: Message) -> list:
    """Findings of an MJML template with their HTML locations moved to the ``.mjml`` source lines."""
    part = message.part("text/html")
    smap = getattr(part, "source_map", None) if part is not None else None
    if smap is None:
        return findings
    html = part.text
    starts = [0] + [m.end() for m in re.finditer("\n", html)]
    remap = set(_HTML_PARTS)
    if getattr(message, "subject_in_html", False):
        remap.add("subject")
    if getattr(message, "preheader_in_html", False):
        remap.add("preheader")
    bases = {}
    for label, text, flag in (("subject", message.subject, "subject_in_html"),
                              ("preheader", message.preheader, "preheader_in_html")):
        if text and getattr(message, flag, False):
            at = html.find(text)
            if at >= 0:
                bases[label] = at
    out = []
    for f in findings:
        loc = f.location
        if loc.part in _HTML_PARTS and not _has_position(loc) and not loc.excerpt and smap.body_end >= 0:
            # something missing from the HTML (an unsubscribe link…): point at the end of <mj-body>
            line, col = smap.line_col(smap.body_end)
            out.append(replace(f, location=replace(loc, line=line, column=col,
                                                   excerpt=smap.line_text(line).strip()[:80])))
            continue
        if loc.part not in remap or not _has_position(loc):
            out.append(f)
            continue
        new = _map_location(loc, html, smap, starts, bases)
        spans = tuple(_map_location(s, html, smap, starts, bases) if s.part in remap else s for s in f.spans)
        out.append(replace(f, location=new, spans=spans or f.spans))
    return out
