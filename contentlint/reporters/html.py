"""``--format html``: one self-contained page that shows each message and what is wrong with it.

    contentlint check campaign.eml --format html -o report.html

Per message: the inbox line as a phone shows it (subject cut at about 35 characters, preheader at about
50, the cut marked), the sender, the score on a gauge against the warn and fail thresholds, the verdict,
the points table (rule, points, message, fix, and links to each place the finding points at), the HTML
part rendered in a sandboxed ``<iframe srcdoc>`` (desktop or 375 px wide) or the text part, every finding
highlighted where it matched (message, points and fix on hover or keyboard focus), and a headers panel
for the headers and for the findings that have no place in the body.  A batch gets an index first: one
row per message (sortable by score), the rules hit and a bar chart of the scores.

The page needs nothing else: CSS and the small script are inline, it works from ``file://`` offline
and is readable without JavaScript (the view switches are CSS; the script only scrolls to highlights in
the frame, notes highlights the message hides and sorts the index).  Nothing in it loads anything: the
page's Content-Security-Policy allows no remote source and only its own script (by hash); the message is
rebuilt without scripts, forms' targets, links' targets or remote images (``html_embed``) and rendered
under its own ``default-src 'none'`` policy in a frame sandboxed without ``allow-scripts``,
``allow-forms`` or ``allow-top-navigation`` (``allow-same-origin`` only lets this page's script reach the
highlights; without ``allow-scripts`` the frame itself can run nothing).

Memory: each message's view is written to a temporary file as it comes (the page starts with the index,
which is only known at the end), so a large mailbox does not stay in memory.
"""
from __future__ import annotations

import base64
import hashlib
import html as _html
import math
import secrets
import shutil
import tempfile
from collections import Counter
from typing import Optional

from .. import __version__
from . import Reporter, display_source, format_error
from .html_embed import Mark, embed_html, find_needle, render_marked

#: where phone inbox lists cut the subject and the preview text (characters)
SUBJECT_CUT = 35
PREHEADER_CUT = 50
#: highlights kept per finding, header rows and characters per header value shown
MAX_MARKS = 50
MAX_HEADER_ROWS = 300
MAX_HEADER_VALUE = 4000

LEVEL_ICON = {"error": "✖", "warning": "▲", "info": "ℹ"}
VERDICT_ICON = {"fail": "✖", "warn": "▲", "pass": "✔"}
_HEADER_PARTS = {"from": "From", "reply-to": "Reply-To", "to": "To", "return-path": "Return-Path",
                 "list-unsubscribe": "List-Unsubscribe", "message-id": "Message-ID"}


def esc(value) -> str:
    return _html.escape("" if value is None else str(value), quote=True)


def points(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value else "0"


class HtmlReporter(Reporter):
    def start(self) -> None:
        # errors="replace": a lone surrogate in some decoded text must not stop the report
        self._views = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace", newline="\n")
        self._rows: list[dict] = []
        self._rules: Counter = Counter()
        self._nonce = secrets.token_hex(6)

    def write_report(self, report) -> None:
        n = len(self._rows) + 1
        self._views.write(render_view(report, n, self._nonce))
        self._rows.append({"n": n, "source": display_source(report.source, report.index), "subject": report.subject,
                           "score": report.score, "verdict": report.verdict,
                           "rules": [f.rule for f in report.findings]})
        self._rules.update({f.rule for f in report.findings})

    def finish(self) -> None:
        head: list[str] = []
        self._write_head(head.append)
        self.out.write("".join(head).encode("utf-8", "replace").decode("utf-8"))
        self._views.seek(0)
        shutil.copyfileobj(self._views, self.out)
        self._views.close()
        self.out.write(f'</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n')

    def _write_head(self, w) -> None:
        """The page up to the first message view: head, summary, index (a batch) and input errors."""
        n = len(self._rows)
        c = self.counts
        title = f"contentlint report — {self._rows[0]['source']}" if n == 1 else f"contentlint report — {n} messages"
        script_hash = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
        csp = (f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'; "
               "form-action 'none'; base-uri 'none'")
        w('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
          f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
          '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
          '<meta name="color-scheme" content="light dark">\n<meta name="referrer" content="no-referrer">\n'
          f'<title>{esc(title)}</title>\n<style>{PAGE_CSS}</style>\n</head>\n<body>\n'
          '<a class="skip" href="#main">Skip to the report</a>\n'
          '<header class="top"><h1>contentlint report</h1>'
          f'<p>{n} message{"s" if n != 1 else ""}: {c.get("fail", 0)} fail, {c.get("warn", 0)} warn, '
          f'{c.get("pass", 0)} pass'
          + (f"; {len(self.errors)} input error{'s' if len(self.errors) != 1 else ''}" if self.errors else "")
          + f' · contentlint {esc(__version__)} · nothing on this page was fetched from the network</p></header>\n'
          '<main id="main">\n')
        if n > 1:
            w(render_index(self._rows, self._rules))
        if self.errors:
            w('<section class="errors" aria-labelledby="errors-h"><h2 id="errors-h">Inputs that could not be '
              'checked</h2><ul>')
            for e in self.errors:
                w(f"<li>{esc(format_error(e))}</li>")
            w("</ul></section>\n")
        if not n and not self.errors:
            w('<p class="empty">No message was checked.</p>')


REPORTER = HtmlReporter


# -- one message --------------------------------------------------------------------------------------
def _target(loc) -> str:
    part = (loc.part or "").lower()
    label = (loc.part_label or "").lower()
    if part == "text/html" or label.endswith("text/html") or part in ("html", "body", "links", "images", "anchor-text"):
        return "html"
    if part in ("text/plain", "text-part") or label.endswith("text/plain"):
        return "text"
    if part in ("subject", "preheader"):
        return part
    if part in _HEADER_PARTS:
        return "header:" + _HEADER_PARTS[part]
    if part.startswith("header:"):
        return "header:" + loc.part.split(":", 1)[1].strip()
    return "headers"


def _exact(loc, text: Optional[str], label: Optional[str] = None) -> tuple[int, int]:
    """The span's offsets in ``text`` when the engine gave them and they hold the match, else (-1, -1)."""
    if text is None or loc.part_offset < 0 or loc.part_end <= loc.part_offset or loc.part_end > len(text):
        return -1, -1
    if label and loc.part_label and loc.part_label != label:
        return -1, -1
    if loc.match and loc.match_length == len(loc.match) and text[loc.part_offset:loc.part_end] != loc.match:
        return -1, -1
    return loc.part_offset, loc.part_end


def _tip(finding, fid: int, element: str) -> str:
    level = finding.level
    return (f'<{element} class="tip" role="tooltip"><b>{LEVEL_ICON.get(level, "•")} {esc(level)} · '
            f'{esc(finding.rule)} · {points(finding.weight)} points</b> {esc(finding.message)} '
            f'<i>Fix:</i> {esc(finding.suggestion)}</{element}>')


class _View:
    """Collects where each finding of one message is shown."""

    def __init__(self, report, n: int):
        self.report = report
        self.n = n
        self.where: dict[int, list[tuple[str, str]]] = {}    # finding number -> [(kind, element id)]

    def add(self, fid: int, kind: str, hid: str) -> None:
        self.where.setdefault(fid, []).append((kind, hid))


def render_view(report, n: int, nonce: str) -> str:
    """The view of message number ``n`` (element ids ``m{n}-…``): summary, inbox line, points table,
    headers panel and the rendered message.  Each finding's spans (``Finding.spans``, else its location)
    are placed by part: exact decoded offsets when the engine gave them and they hold the match, else the
    matched text (``location.match`` or the first of ``matches``) searched in that part."""
    msg = report.message
    findings = list(report.findings)
    view = _View(report, n)
    pid = f"m{n}"
    html_part = msg.part("text/html") if msg is not None else None
    html_source = html_part.text if html_part is not None else (msg.html if msg is not None else None)
    text_part = msg.part("text/plain") if msg is not None else None
    text_source = text_part.text if text_part is not None else (msg.text if msg is not None else None)
    rows = _header_rows(msg)
    html_marks: list[Mark] = []
    text_events: list[tuple[int, int, str]] = []
    text_marks: dict[str, Mark] = {}
    row_events: dict[int, list] = {}
    row_marks: dict[str, Mark] = {}
    for fid, f in enumerate(findings, 1):
        spans = tuple(f.spans) or (f.location,)
        seen = set()
        for k, loc in enumerate(spans[:MAX_MARKS]):
            needle = loc.match or (f.matches[0] if k == 0 and f.matches else "")
            target = _target(loc)
            key = (target, loc.part_offset, loc.part_end, needle if loc.part_offset < 0 else "")
            if key in seen:
                continue
            seen.add(key)
            hid = f"{pid}-h{fid}-{k + 1}"
            mark = Mark(hid, fid, f.level, needle=needle)
            if target == "html":
                if html_source is None:
                    continue
                mark.start, mark.end = _exact(loc, html_source, html_part.label if html_part else None)
                html_marks.append(mark)
            elif target == "text":
                a, b = _exact(loc, text_source, text_part.label if text_part else None)
                if a < 0:
                    hit = find_needle(text_source or "", needle)
                    if hit is None:
                        continue
                    a, b = hit
                text_events += [(a, 1, hid), (b, 0, hid)]
                text_marks[hid] = mark
                view.add(fid, "text", hid)
            else:
                placed = _place_in_rows(rows, target, loc, needle)
                if placed is None:
                    continue
                row, a, b = placed
                row_events.setdefault(row, []).extend([(a, 1, hid), (b, 0, hid)])
                row_marks[hid] = mark
                view.add(fid, "headers", hid)
    tips_frame = {fid: _tip(f, fid, "cl-tip") for fid, f in enumerate(findings, 1)}
    tips_page = {fid: _tip(f, fid, "span") for fid, f in enumerate(findings, 1)}
    frame_doc = None
    if html_source is not None:
        embedded = embed_html(html_source, html_marks, lambda m: tips_frame[m.fid], FRAME_CSS, nonce)
        frame_doc = embedded.document
        for m in html_marks:
            kind = embedded.placed.get(m.hid)
            if kind in ("text", "element"):
                view.add(m.fid, "message", m.hid)
            elif kind == "source":
                view.add(m.fid, "source", m.hid)
    # the order in which each finding's places are listed: message, text part, headers
    order = {"message": 0, "text": 1, "headers": 2, "source": 3}
    for places in view.where.values():
        places.sort(key=lambda p: order[p[0]])

    out = [f'<section class="msg" id="{pid}" aria-labelledby="{pid}-title">']
    where = display_source(report.source, report.index)
    out.append(f'<h2 id="{pid}-title"><span class="num">{n}.</span> {esc(where)}</h2>')
    out.append('<div class="cols"><div class="col-info">')
    out.append(_summary(report, msg, pid))
    out.append(_points_table(findings, view, pid))
    out.append(_panel(pid, findings, view, rows, row_events, row_marks, tips_page, msg))
    out.append('</div><div class="col-view">')
    out.append(_viewer(pid, frame_doc, text_source, text_events, text_marks, tips_page, view))
    out.append("</div></div>")
    out.append('<p class="back"><a href="#main">Back to the top</a></p></section>\n')
    return "".join(out)


def _header_rows(msg) -> list[list[str]]:
    """[name, value] rows of the headers panel: the preheader first, then the headers as decoded (a
    template: its subject and sender)."""
    if msg is None:
        return []
    rows: list[list[str]] = []
    rows.append(["Preheader", msg.preheader or ""])
    subject_done = False
    if msg.has_headers and msg.headers:
        for name, value in msg.headers[:MAX_HEADER_ROWS]:
            if name.lower() == "subject" and not subject_done and msg.subject is not None:
                value, subject_done = msg.subject, True
            rows.append([name, value or ""])
    else:
        rows.append(["Subject", msg.subject or ""])
        sender = f"{msg.from_name} <{msg.from_addr}>" if msg.from_name and msg.from_addr else (msg.from_addr or "")
        rows.append(["From", sender])
        subject_done = True
    if not subject_done and msg.subject:
        rows.append(["Subject", msg.subject])
    return rows


def _place_in_rows(rows, target: str, loc, needle: str):
    """(row index, start, end) of a header-side finding, or None."""
    if not rows:
        return None
    if target in ("subject", "preheader") or target.startswith("header:"):
        name = {"subject": "Subject", "preheader": "Preheader"}.get(target) or target.split(":", 1)[1]
        for i, (rname, value) in enumerate(rows):
            if rname.lower() != name.lower():
                continue
            value = value[:MAX_HEADER_VALUE]
            if target in ("subject", "preheader"):
                a, b = _exact(loc, value)
                if a >= 0:
                    return i, a, b
            hit = find_needle(value, needle) if needle else None
            if hit:
                return i, hit[0], hit[1]
        return None
    if not needle:
        return None
    for i, (_, value) in enumerate(rows):
        hit = find_needle(value[:MAX_HEADER_VALUE], needle)
        if hit:
            return i, hit[0], hit[1]
    return None


def _cut(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return f'<span class="shown">{esc(text)}</span>'
    return (f'<span class="shown">{esc(text[:limit])}</span><span class="cut" role="img" '
            f'aria-label="a phone cuts here, after {limit} characters" title="A phone cuts here (about {limit} '
            f'characters)">…</span><span class="lost"><span class="sr"> (cut off: </span>{esc(text[limit:])}'
            f'<span class="sr">)</span></span>')


def _summary(report, msg, pid: str) -> str:
    th = report.thresholds
    verdict = report.verdict
    note = " — forced to fail by a compliance error" if report.compliance_failure else ""
    out = ['<div class="summary">']
    out.append(f'<p class="verdict v-{esc(verdict)}"><span aria-hidden="true">{VERDICT_ICON.get(verdict, "")}</span> '
               f'{esc(verdict.upper())}<span class="sr"> verdict</span></p>')
    out.append(_gauge(report.score, th.warn, th.fail))
    out.append(f'<p class="score"><b>{points(report.score)}</b> points (warn ≥ {th.warn:g}, fail ≥ {th.fail:g}){note}</p>')
    out.append("</div>")
    if msg is not None:
        sender = msg.from_name or msg.from_addr or "(no sender)"
        address = f" &lt;{esc(msg.from_addr)}&gt;" if msg.from_name and msg.from_addr else ""
        pre = msg.preheader
        pre_note = ""
        if not pre:
            pre = (msg.visible_text if msg.html is not None else msg.text) or ""
            pre_note = ('<span class="note">no preheader: the inbox shows the start of the body</span>')
        out.append(f'<div class="inbox" id="{pid}-inbox" role="group" aria-label="The inbox line as a phone shows it">'
                   f'<span class="avatar" aria-hidden="true">{esc((sender.strip() or "?")[0].upper())}</span>'
                   f'<div class="lines"><p class="sender">{esc(sender)}<span class="addr">{address}</span></p>'
                   f'<p class="subject" data-cut="{SUBJECT_CUT}">{_cut(msg.subject or "(no subject)", SUBJECT_CUT)}</p>'
                   f'<p class="preheader" data-cut="{PREHEADER_CUT}">{_cut(pre, PREHEADER_CUT)}</p>{pre_note}'
                   f'</div><p class="inbox-label">phone inbox: about {SUBJECT_CUT} characters of subject, '
                   f'{PREHEADER_CUT} of preview</p></div>')
    return "".join(out)


def _gauge(score: float, warn: float, fail: float) -> str:
    top = max(fail * 2, math.ceil(score * 1.1), 10.0)
    width, height, bar = 320, 46, 16

    def x(v: float) -> float:
        return round(min(max(v, 0.0), top) / top * width, 1)

    label = f"score {points(score)} on a scale where warn starts at {warn:g} and fail at {fail:g}"
    return (f'<svg class="gauge" viewBox="-4 0 {width + 8} {height}" width="{width + 8}" height="{height}" role="img" '
            f'aria-label="{esc(label)}"><title>{esc(label)}</title>'
            '<defs><pattern id="hatch-w" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            '<rect width="6" height="6" class="z-warn"/><line x1="0" y1="0" x2="0" y2="6" class="hatch"/></pattern>'
            '<pattern id="hatch-f" width="6" height="6" patternUnits="userSpaceOnUse">'
            '<rect width="6" height="6" class="z-fail"/><path d="M0 0L6 6M6 0L0 6" class="hatch"/></pattern></defs>'
            f'<rect x="0" y="8" width="{x(warn)}" height="{bar}" class="z-pass"/>'
            f'<rect x="{x(warn)}" y="8" width="{x(fail) - x(warn)}" height="{bar}" fill="url(#hatch-w)"/>'
            f'<rect x="{x(fail)}" y="8" width="{width - x(fail)}" height="{bar}" fill="url(#hatch-f)"/>'
            f'<text x="{x(warn) / 2}" y="{height - 4}" class="zl">pass</text>'
            f'<text x="{(x(warn) + x(fail)) / 2}" y="{height - 4}" class="zl">warn ≥ {warn:g}</text>'
            f'<text x="{(x(fail) + width) / 2}" y="{height - 4}" class="zl">fail ≥ {fail:g}</text>'
            f'<path d="M{x(score)} 4 l-5 -4 h10 z M{x(score) - 1.5} 4 h3 v24 h-3 z" class="needle"/></svg>')


def _where_links(fid: int, view: _View, pid: str) -> str:
    places = view.where.get(fid, [])
    if not places:
        return f'<a href="#{pid}-p{fid}">message-wide (headers panel)</a>'
    links, count = [], Counter()
    for kind, hid in places:
        count[kind] += 1
        num = f" {count[kind]}" if sum(1 for k, _ in places if k == kind) > 1 else ""
        if kind == "message":
            links.append(f'<a href="#{pid}-view" data-frame="{pid}-frame" data-mark="{hid}" data-show="{pid}-v-desktop">'
                         f'in the message{num}</a>')
        elif kind == "text":
            links.append(f'<a href="#{hid}" data-show="{pid}-v-text">in the text part{num}</a>')
        elif kind == "headers":
            links.append(f'<a href="#{hid}">in the headers{num}</a>')
        else:
            links.append(f'<a href="#{pid}-p{fid}">in the HTML source, not displayed{num}</a>')
    return "".join(links)


def _points_table(findings, view: _View, pid: str) -> str:
    if not findings:
        return '<p class="clean">No rule hit: nothing to fix.</p>'
    out = [f'<table class="points" id="{pid}-points"><caption>Findings and points</caption><thead><tr>'
           '<th scope="col">#</th><th scope="col">Rule and level</th><th scope="col">Points</th>'
           '<th scope="col">Message, fix and where</th></tr></thead><tbody>']
    for fid, f in enumerate(findings, 1):
        out.append(f'<tr id="{pid}-r{fid}" data-row="{fid}"><td class="n">{fid}</td>'
                   f'<td><code>{esc(f.rule)}</code> <span class="lvl lvl-{esc(f.level[:1])}"><span aria-hidden="true">'
                   f'{LEVEL_ICON.get(f.level, "")}</span> {esc(f.level)}</span></td>'
                   f'<td class="pts">{points(f.weight)}</td><td>{esc(f.message)}'
                   f'<span class="fix"><i>Fix:</i> {esc(f.suggestion)}</span>'
                   f'<span class="where">{_where_links(fid, view, pid)}</span></td></tr>')
    total = sum(f.weight for f in findings)
    capped = "" if abs(total - view.report.score) < 0.005 else " (a category total is capped)"
    out.append(f'</tbody><tfoot><tr><td></td><th scope="row">total</th><td class="pts">'
               f'{points(view.report.score)}</td><td>verdict {esc(view.report.verdict)}{capped}</td></tr>'
               '</tfoot></table>')
    return "".join(out)


def _viewer(pid, frame_doc, text_source, text_events, text_marks, tips_page, view) -> str:
    has_html = frame_doc is not None
    out = [f'<div class="viewer" id="{pid}-view" role="group" aria-label="The message">']
    if has_html:
        out.append(f'<input type="radio" name="{pid}-v" id="{pid}-v-desktop" class="v-desktop" checked>'
                   f'<label for="{pid}-v-desktop">Desktop</label>'
                   f'<input type="radio" name="{pid}-v" id="{pid}-v-mobile" class="v-mobile">'
                   f'<label for="{pid}-v-mobile">Mobile (375 px)</label>'
                   f'<input type="radio" name="{pid}-v" id="{pid}-v-text" class="v-text">'
                   f'<label for="{pid}-v-text">Text part</label>')
    out.append('<div class="stage">')
    if has_html:
        out.append(f'<div class="html-view"><div class="frame-wrap"><iframe id="{pid}-frame" class="frame" '
                   f'title="The HTML part, rendered offline (remote images replaced by boxes)" '
                   f'sandbox="allow-same-origin" referrerpolicy="no-referrer" loading="lazy" '
                   f'srcdoc="{esc(frame_doc)}"></iframe></div></div>')
    out.append(f'<div class="text-view{"" if has_html else " only"}">')
    if text_source is None:
        out.append('<p class="note">This message has no text part.</p>')
    else:
        first_seen: set = set()
        body = render_marked(text_source, text_events, [], text_marks, "mark",
                             lambda m: tips_page[m.fid], first_seen)
        out.append(f'<pre class="text-part" aria-label="The text part">{body}</pre>')
    out.append("</div></div></div>")
    return "".join(out)


def _panel(pid, findings, view: _View, rows, row_events, row_marks, tips_page, msg) -> str:
    out = [f'<section class="panel" aria-labelledby="{pid}-hp"><h3 id="{pid}-hp">Headers and message-wide findings</h3>']
    wide = [(fid, f) for fid, f in enumerate(findings, 1)
            if not view.where.get(fid) or all(k == "source" for k, _ in view.where[fid])]
    if wide:
        out.append('<ul class="wide">')
        for fid, f in wide:
            note = ("its match is in the HTML source where nothing is displayed (a comment, a style sheet…)"
                    if view.where.get(fid) else "about the message as a whole: no place in the body")
            out.append(f'<li id="{pid}-p{fid}" data-f="{fid}" tabindex="-1"><span class="lvl lvl-{esc(f.level[:1])}">'
                       f'<span aria-hidden="true">{LEVEL_ICON.get(f.level, "")}</span> {esc(f.level)}</span> '
                       f'<a href="#{pid}-r{fid}" class="n">#{fid}</a> <code>{esc(f.rule)}</code> · {points(f.weight)} points — '
                       f'{esc(f.message)} <i>Fix:</i> {esc(f.suggestion)} <span class="note">({note})</span></li>')
        out.append("</ul>")
    elif findings:
        out.append('<p class="note">Every finding has its place in the message or the headers.</p>')
    if msg is not None and rows:
        kind = "" if msg.has_headers else ", a template: from its front matter or the options"
        out.append(f'<details open><summary>Headers ({len(rows) - 1}{kind})</summary>'
                   '<table class="headers"><tbody>')
        first_seen: set = set()
        for i, (name, value) in enumerate(rows):
            value = value[:MAX_HEADER_VALUE]
            cell = render_marked(value, row_events.get(i, []), [], row_marks, "mark",
                                 lambda m: tips_page[m.fid], first_seen)
            label = "Preheader <span class='note'>(from the HTML)</span>" if i == 0 else esc(name)
            out.append(f'<tr><th scope="row">{label}</th><td>{cell or "<span class=note>(none)</span>"}</td></tr>')
        out.append("</tbody></table></details>")
    elif msg is None:
        out.append('<p class="note">The message itself was not kept (render it with '
                   '<code>contentlint check --format html</code>).</p>')
    out.append("</section>")
    return "".join(out)


# -- the index of a batch -----------------------------------------------------------------------------
def render_index(rows: list[dict], rules: Counter) -> str:
    out = ['<section id="index" class="index" aria-labelledby="index-h">'
           f'<h2 id="index-h">{len(rows)} messages</h2>', _histogram(rows)]
    out.append('<table class="idx" id="idx-table"><caption>One row per message; open one to see it</caption><thead><tr>'
               '<th scope="col" aria-sort="ascending" data-key="order"><button type="button" data-sort="order">#</button></th>'
               '<th scope="col">Message</th><th scope="col">Subject</th>'
               '<th scope="col" aria-sort="none" data-key="score"><button type="button" data-sort="score">Score</button></th>'
               '<th scope="col">Verdict</th><th scope="col">Rules hit</th></tr></thead><tbody>')
    for r in rows:
        verdict = r["verdict"]
        out.append(f'<tr data-order="{r["n"]}" data-score="{r["score"]}"><td class="n">{r["n"]}</td>'
                   f'<td><a href="#m{r["n"]}">{esc(r["source"])}</a></td><td>{esc(r["subject"] or "")}</td>'
                   f'<td class="pts">{points(r["score"])}</td><td><span class="verdict-s v-{esc(verdict)}">'
                   f'<span aria-hidden="true">{VERDICT_ICON.get(verdict, "")}</span> {esc(verdict)}</span></td>'
                   f'<td class="rules">{len(r["rules"])}{": " if r["rules"] else ""}{esc(", ".join(r["rules"]))}</td></tr>')
    out.append("</tbody></table>")
    if rules:
        out.append('<table class="rulecount"><caption>Rules hit, with the number of messages each hit</caption>'
                   '<thead><tr><th scope="col">Rule</th><th scope="col">Messages</th></tr></thead><tbody>')
        for rule, count in sorted(rules.items(), key=lambda kv: (-kv[1], kv[0])):
            out.append(f'<tr><td><code>{esc(rule)}</code></td><td class="pts">{count}</td></tr>')
        out.append("</tbody></table>")
    out.append("</section>\n")
    return "".join(out)


def _histogram(rows: list[dict]) -> str:
    """Bar chart of the scores: one bar per point (the last bin holds everything above)."""
    scores = [r["score"] for r in rows]
    bins = min(max(10, math.ceil(max(scores, default=0)) + 1), 20)
    counts = [0] * bins
    for s in scores:
        counts[min(int(s), bins - 1)] += 1
    top = max(counts) or 1
    bw, h, base = 38, 120, 100
    width = bins * bw
    bars = []
    for i, c in enumerate(counts):
        bh = round(c / top * (base - 16), 1)
        label = f"{i}–{i + 1}" if i < bins - 1 else f"≥ {i}"
        bars.append(f'<g><title>{c} message{"s" if c != 1 else ""} scoring {label} points</title>'
                    f'<rect x="{i * bw + 3}" y="{base - bh}" width="{bw - 6}" height="{bh}" class="bar"/>'
                    + (f'<text x="{i * bw + bw / 2}" y="{base - bh - 3}" class="bl">{c}</text>' if c else "")
                    + f'<text x="{i * bw + bw / 2}" y="{base + 13}" class="ax">{label}</text></g>')
    desc = ", ".join(f"{c} at {i}" for i, c in enumerate(counts) if c)
    return (f'<figure class="hist"><svg viewBox="0 0 {width} {h}" width="{width}" height="{h}" role="img" '
            f'aria-label="Scores: {esc(desc)} points">{"".join(bars)}'
            f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" class="axis"/></svg>'
            '<figcaption>Messages per score (points)</figcaption></figure>')


# -- styles and script ----------------------------------------------------------------------------------
FRAME_CSS = """
cl-mark{background:#ffe45c!important;color:#111!important;position:relative!important;cursor:help;
 text-decoration:underline 2px #b00!important;text-underline-offset:2px;border-radius:2px;display:inline!important}
cl-mark.cl-e{text-decoration-style:wavy!important}
cl-mark.cl-i{background:#d7ecff!important;text-decoration-style:dotted!important;text-decoration-color:#035!important}
cl-mark:focus{outline:3px solid #1a5fb4!important;outline-offset:1px}
cl-n{font:bold 10px/1 sans-serif!important;vertical-align:super;background:#b00;color:#fff;border-radius:3px;
 padding:1px 3px;margin-right:2px;display:inline!important}
cl-mark.cl-i>cl-n{background:#035}
cl-tip{display:none!important;position:absolute!important;left:0;top:100%;z-index:2147483647;width:max-content;
 max-width:24em;background:#1d1d1f;color:#fff;font:13px/1.4 sans-serif;padding:6px 8px;border-radius:4px;
 white-space:normal;text-align:left;text-transform:none;letter-spacing:normal;font-weight:normal}
cl-mark:hover:not(:has(cl-mark:hover))>cl-tip,cl-mark:focus>cl-tip{display:block!important}
[data-cl-f]{outline:3px dashed #b00!important;outline-offset:2px;cursor:help}
[data-cl-level=i]{outline-color:#035!important;outline-style:dotted!important}
[data-cl-f]:focus{outline-style:solid!important;outline-color:#1a5fb4!important}
[data-cl-f]:focus::after{content:attr(data-cl-tip);position:absolute;z-index:2147483647;max-width:24em;
 background:#1d1d1f;color:#fff;font:13px/1.4 sans-serif;padding:6px 8px;border-radius:4px;white-space:normal}
cl-img{display:inline-block;box-sizing:border-box;overflow:hidden;vertical-align:middle;max-width:100%;
 background:repeating-linear-gradient(45deg,#eceff3 0 8px,#dde2e8 8px 16px);outline:1px dashed #6b7280;
 outline-offset:-1px;color:#222;font:12px/1.3 sans-serif;text-align:center;padding:0}
cl-img.cl-noalt{color:#8a1c1c;font-style:italic}
cl-alt{display:block;padding:2px}
"""

PAGE_CSS = """
:root{--bg:#fff;--fg:#1d1d1f;--muted:#5f6368;--line:#d0d4da;--card:#f6f7f9;--pass:#1e7b34;--warn:#9a6700;
 --fail:#b3261e;--link:#0b57d0;--mark:#ffe45c;--focus:#1a5fb4;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#16181c;--fg:#e8eaed;--muted:#a8aeb7;--line:#3c4048;--card:#20242a;
 --pass:#6fcf7f;--warn:#f2c14e;--fail:#ff8a80;--link:#8ab4f8;--mark:#7a6500;--focus:#8ab4f8}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
a{color:var(--link)} a:focus-visible,button:focus-visible,[tabindex]:focus-visible,summary:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:var(--bg);padding:4px 8px;z-index:9}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.top{padding:14px 24px;border-bottom:1px solid var(--line)} .top h1{margin:0;font-size:22px} .top p{margin:2px 0 0;color:var(--muted)}
main{padding:8px 24px 40px;max-width:1500px}
.cols{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,620px);gap:0 24px;align-items:start}
.col-view{position:sticky;top:0}
@media (max-width:1100px){.cols{grid-template-columns:minmax(0,1fr)}.col-view{position:static}}
.fix{display:block;color:var(--muted);margin-top:2px}
@media (max-width:700px){main{padding:8px 12px 32px}.top{padding:12px}
 .points,.points tbody,.points tr,.points td,.points tfoot,.points th{display:block;width:auto!important}
 .points thead{display:none} .points caption{display:block;width:auto} .points tr{border-bottom:1px solid var(--line);padding:6px 0}
 .points td,.points th{border:0;padding:2px 4px;text-align:left} .points td.n::before{content:"#"}
 .points td.pts::after{content:" points"} .frame-wrap{height:80vh}}
svg{max-width:100%;height:auto}
h2{font-size:19px;margin:26px 0 10px} h2 .num{color:var(--muted)} h3{font-size:16px;margin:18px 0 8px}
.msg{border-top:3px solid var(--line);padding-top:4px;margin-top:18px} main>.msg:first-child{border-top:0;margin-top:0}
.summary{display:flex;flex-wrap:wrap;align-items:center;gap:10px 22px}
.verdict,.verdict-s{font-weight:700;letter-spacing:.04em;border:2px solid currentColor;border-radius:6px;padding:2px 10px;margin:0}
.verdict-s{font-size:13px;padding:0 6px;border-width:1px}
.v-fail{color:var(--fail)} .v-warn{color:var(--warn)} .v-pass{color:var(--pass)}
.score{margin:0}
.gauge .z-pass{fill:var(--pass);opacity:.55} .gauge .z-warn{fill:var(--warn);opacity:.6} .gauge .z-fail{fill:var(--fail);opacity:.6}
.gauge .hatch{stroke:var(--bg);stroke-width:1.5;opacity:.7} .gauge .zl{font-size:11px;text-anchor:middle;fill:var(--fg)}
.gauge .needle{fill:var(--fg)}
.inbox{display:grid;grid-template-columns:40px minmax(0,375px);gap:0 10px;margin:14px 0;padding:10px 12px;
 background:var(--card);border:1px solid var(--line);border-radius:10px;max-width:480px}
.inbox .avatar{width:40px;height:40px;border-radius:50%;background:var(--link);color:var(--bg);display:flex;
 align-items:center;justify-content:center;font-weight:700}
.inbox p{margin:0;overflow-wrap:anywhere} .inbox .sender{font-weight:700} .inbox .addr{font-weight:400;color:var(--muted);font-size:13px}
.inbox .subject{font-weight:600} .inbox .preheader{color:var(--muted)}
.inbox .cut{display:inline-block;border-left:2px dashed var(--fail);padding-left:2px;margin-left:1px;color:var(--fail);font-weight:700}
.inbox .lost{opacity:.45;text-decoration:line-through;font-weight:400}
.inbox .inbox-label{grid-column:1/-1;font-size:12px;color:var(--muted);margin-top:6px}
.note{color:var(--muted);font-size:13px} .inbox .note{display:block}
table{border-collapse:collapse;width:100%;margin:8px 0} caption{text-align:left;font-weight:600;padding:4px 0}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top}
thead th{background:var(--card)} .pts,.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
code{font:13px ui-monospace,"DejaVu Sans Mono",monospace}
.points{table-layout:fixed} .points th:nth-child(1){width:2.2em} .points th:nth-child(2){width:11em}
.points th:nth-child(3){width:4.4em} .points td{overflow-wrap:anywhere}
.points code{overflow-wrap:normal}
.points .lvl{display:block;font-size:13px}
.lvl{white-space:nowrap;font-weight:600} .lvl-e{color:var(--fail)} .lvl-w{color:var(--warn)} .lvl-i{color:var(--muted)}
.where{display:block;font-size:13px;margin-top:2px} .where a{margin-right:1em;white-space:nowrap}
.where::before{content:"→ ";color:var(--muted)} .where a.hidden-mark{font-style:italic}
.viewer{margin:10px 0 0}
.viewer input{position:absolute;opacity:0;width:1px;height:1px}
.viewer label{display:inline-block;padding:5px 12px;border:1px solid var(--line);border-radius:6px;margin:0 4px 8px 0;cursor:pointer}
.viewer input:checked+label{background:var(--fg);color:var(--bg);border-color:var(--fg)}
.viewer input:checked+label::before{content:"● "} .viewer input:not(:checked)+label::before{content:"○ "}
.viewer input:focus-visible+label{outline:3px solid var(--focus);outline-offset:2px}
.frame-wrap{resize:vertical;overflow:hidden;height:calc(100vh - 70px);min-height:200px;border:1px solid var(--line);border-radius:8px;
 background:#fff;margin:0 auto;transition:width .2s}
.frame{width:100%;height:100%;border:0;display:block;background:#fff}
.v-mobile:checked~.stage .frame-wrap{width:377px}
.text-view{display:none} .text-view.only{display:block}
.v-text:checked~.stage .html-view{display:none} .v-text:checked~.stage .text-view{display:block}
.text-part{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--card);border:1px solid var(--line);border-radius:8px;
 padding:12px;font:13px/1.5 ui-monospace,"DejaVu Sans Mono",monospace;max-height:680px;overflow:auto}
mark{background:var(--mark);color:inherit;position:relative;text-decoration:underline 2px var(--fail);text-underline-offset:2px;cursor:help}
mark.cl-e{text-decoration-style:wavy} mark.cl-i{text-decoration-style:dotted}
mark cl-n{font:bold 10px/1 sans-serif;vertical-align:super;background:var(--fail);color:#fff;border-radius:3px;padding:1px 3px;margin-right:2px}
mark .tip{display:none;position:absolute;left:0;top:100%;z-index:5;width:max-content;max-width:26em;background:#1d1d1f;color:#fff;
 font:13px/1.4 system-ui,sans-serif;padding:6px 8px;border-radius:4px;white-space:normal}
mark:hover:not(:has(mark:hover))>.tip,mark:focus>.tip{display:block}
.panel ul.wide{padding-left:18px} .panel li{margin:4px 0}
.headers th{width:13em;font-weight:600;white-space:nowrap} .headers td{white-space:pre-wrap;overflow-wrap:anywhere;font:13px ui-monospace,"DejaVu Sans Mono",monospace}
.hist{margin:8px 0} .hist .bar{fill:var(--link)} .hist .bl,.hist .ax{font-size:10px;text-anchor:middle;fill:var(--fg)} .hist .axis{stroke:var(--muted)}
.hist figcaption{font-size:13px;color:var(--muted)}
.idx button{font:inherit;font-weight:600;background:none;border:0;color:var(--link);cursor:pointer;padding:0}
th[aria-sort=ascending] button::after{content:" ▲"} th[aria-sort=descending] button::after{content:" ▼"}
.rulecount{max-width:520px} .errors li{color:var(--fail)} .back{font-size:13px}
.flash{animation:flash 1.2s}
@keyframes flash{from{outline:4px solid var(--focus)}}
"""

SCRIPT = """(function(){
'use strict';
function doc(f){try{return f&&f.contentDocument}catch(e){return null}}
document.addEventListener('click',function(ev){
 var a=ev.target.closest&&ev.target.closest('a[data-show],button[data-sort]');
 if(!a)return;
 if(a.dataset.sort){sortIndex(a);return}
 var r=document.getElementById(a.dataset.show);if(r&&!r.checked)r.checked=true;
 if(!a.dataset.mark)return;
 var f=document.getElementById(a.dataset.frame),d=doc(f),el=d&&d.getElementById(a.dataset.mark);
 if(!el)return;
 ev.preventDefault();
 f.scrollIntoView({block:'start'});
 el.scrollIntoView({block:'center'});
 try{el.focus({preventScroll:true})}catch(e){}
});
function note(f){
 var d=doc(f);if(!d||!d.body)return;
 document.querySelectorAll('a[data-frame="'+f.id+'"]').forEach(function(a){
  var el=d.getElementById(a.dataset.mark);
  if(el&&el.getClientRects().length===0&&!a.classList.contains('hidden-mark')){
   a.classList.add('hidden-mark');a.appendChild(document.createTextNode(' (hidden in the message)'))}
 });
}
document.querySelectorAll('iframe.frame').forEach(function(f){
 f.addEventListener('load',function(){note(f)});
 var d=doc(f);if(d&&d.readyState==='complete'&&d.body&&d.body.childNodes.length)note(f);
});
function sortIndex(b){
 var th=b.closest('th'),table=b.closest('table'),body=table.tBodies[0],key=b.dataset.sort;
 var asc=th.getAttribute('aria-sort')!=='ascending';
 if(key==='score'&&th.getAttribute('aria-sort')==='none')asc=false;
 var rows=Array.prototype.slice.call(body.rows);
 rows.sort(function(x,y){var a=parseFloat(x.dataset[key]),c=parseFloat(y.dataset[key]);return asc?a-c:c-a});
 rows.forEach(function(r){body.appendChild(r)});
 table.querySelectorAll('th[aria-sort]').forEach(function(h){h.setAttribute('aria-sort','none')});
 th.setAttribute('aria-sort',asc?'ascending':'descending');
}
})();"""
