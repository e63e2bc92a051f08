"""``contentlint check --format html``: the report rendered in a real headless Chromium.

One browser for the module (driven through the DevTools protocol, ``tests/cdp.py``), a few pages.  The
browser's proxy is a local HTTP server that counts every request it receives, and the messages' remote
images point at made-up hosts routed through it or straight at it: a report that fetched anything would
be seen there and in the DevTools ``Network`` events.

Without Chromium on PATH the browser tests skip, except in CI (``CI`` set), where ``.ci/run`` installs it
and they must run.  ``CONTENTLINT_SCREENSHOT=docs/report.png`` makes ``test_report_of_a_bundled_example``
write the README's screenshot.
"""
from __future__ import annotations

import http.server
import json
import os
import pickle
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from contentlint import Linter
from contentlint.reporters.html_embed import Mark, embed_html

sys.path.insert(0, str(Path(__file__).parent))
from cdp import Browser, find_chromium  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PROMO = "examples/promo-fr.eml"      # relative to ROOT, where the commands run: the report shows it so
EXE = [sys.executable, "-m", "contentlint.cli"]


# -- the browser and the request counter ---------------------------------------------------------------
class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list = []

    def _count(self):
        type(self).hits.append(f"{self.command} {self.path}")
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_HEAD = do_CONNECT = do_PUT = _count

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def sink():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Counter.hits = []
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(sink):
    if find_chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not on PATH in CI: .ci/run must install it")
        pytest.skip("chromium is not installed (apt-get install chromium); the HTML report is not rendered")
    port = sink.server_address[1]
    with Browser.launch(proxy=f"127.0.0.1:{port}") as b:
        yield b


class _Hits:
    """The requests the proxy saw for anything a report names (hosts of the test messages and examples);
    Chromium's own background requests (clock checks, component updates) are not the report's."""

    OURS = re.compile(r"cl-test|example|bit\.ly", re.I)

    def __eq__(self, other):
        return [h for h in _Counter.hits if self.OURS.search(h)] == other

    def __repr__(self):
        return repr([h for h in _Counter.hits if self.OURS.search(h)])


@pytest.fixture
def hits(sink):
    _Counter.hits = []
    return _Hits()


def render(tmp_path, *inputs, name="report.html", expect=None) -> Path:
    out = tmp_path / name
    proc = subprocess.run([*EXE, "check", *map(str, inputs), "--format", "html", "-o", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode in ((expect,) if expect is not None else (0, 1)), proc.stderr
    assert proc.stderr == ""
    return out


def render_eml(tmp_path, name: str, text: str) -> Path:
    eml = tmp_path / name
    eml.write_text(text, encoding="utf-8")
    return render(tmp_path, eml)


def findings_of(*inputs) -> list[dict]:
    proc = subprocess.run([*EXE, "check", *map(str, inputs), "--format", "json"], capture_output=True, text=True,
                          cwd=ROOT)
    return json.loads(proc.stdout)["results"]


def offline(page) -> list[str]:
    """The requests of a page that left it (anything but the report file, data: and about: URLs)."""
    return [u for u in page.requests if not u.startswith(("file:", "data:", "about:"))]


FRAME = "document.querySelector('iframe.frame').contentDocument"
#: the text of a highlight without its number badge and tooltip
BARE_JS = """window.bare = function(el){var c=el.cloneNode(true);
  c.querySelectorAll('cl-n,cl-tip,.tip').forEach(function(x){x.remove()}); return c.textContent};"""

PLACES_JS = """(function(n){
  var d=%s, out=[];
  for (var i=1;i<=n;i++){
    var sel='[data-f~="'+i+'"]';
    out.push({frame: d.querySelectorAll(sel).length, page: document.querySelectorAll('.msg mark'+sel).length,
              panel: document.querySelectorAll('.panel li[data-f="'+i+'"]').length});
  }
  return out;})(%d)"""


# -- the bundled spammy example -----------------------------------------------------------------------
def test_report_of_a_bundled_example(tmp_path, browser, hits):
    out = render(tmp_path, PROMO, expect=1)
    [result] = findings_of(PROMO)
    findings = result["findings"]
    page = browser.new_page(1400, 1000)
    page.goto(out.as_uri())
    page.evaluate(BARE_JS)

    shot = tmp_path / "report.png"
    data = page.screenshot(str(shot))
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000

    # every finding has a highlight (in the rendered message, the text part or the headers) or a panel entry
    places = page.evaluate(PLACES_JS % (FRAME, len(findings)))
    for f, where in zip(findings, places):
        assert where["frame"] + where["page"] + where["panel"] > 0, f["rule"]
    by_rule = {f["rule"]: where for f, where in zip(findings, places)}
    # body findings are highlighted in the message itself, header findings in the headers, the rest in the panel
    for rule in ("all-caps-body", "hidden-text", "url-shortener", "missing-alt-text"):
        assert by_rule[rule]["frame"] > 0 and by_rule[rule]["panel"] == 0, rule
    for rule in ("all-caps-subject", "excessive-punctuation", "noreply-sender", "subject-too-long"):
        assert by_rule[rule]["page"] > 0 and by_rule[rule]["panel"] == 0, rule
    for rule in ("missing-unsubscribe", "missing-list-unsubscribe", "dkim-missing"):
        assert by_rule[rule]["panel"] == 1, rule

    fid = {f["rule"]: i for i, f in enumerate(findings, 1)}
    marked = page.evaluate("""(function(d){return {
        caps: bare(d.querySelector('cl-mark[id][data-f="%d"]')),
        hidden: bare(d.querySelector('cl-mark[id][data-f="%d"]')),
        short: d.querySelector('[data-cl-f~="%d"]').getAttribute('data-href'),
        alt: d.querySelector('[data-cl-f~="%d"]').tagName,
        subject: document.querySelector('.headers mark[data-f="%d"]').closest('tr').querySelector('th').textContent,
        from: bare(document.querySelector('.headers mark[data-f="%d"]'))}})(%s)""" % (
        fid["all-caps-body"], fid["hidden-text"], fid["url-shortener"], fid["missing-alt-text"],
        fid["all-caps-subject"], fid["noreply-sender"], FRAME))
    assert marked["caps"].startswith("FÉLICITATIONS")
    assert "gagnant cadeau gratuit" in marked["hidden"]
    assert marked["short"] == "http://bit.ly/3xPromoFlash"
    assert marked["alt"] == "CL-IMG"
    assert marked["subject"] == "Subject"
    assert marked["from"] == "noreply@offres-flash.example.net"

    # the inbox line: the subject cut after 35 characters, the cut marked, what is lost shown apart
    subject = result["subject"]
    inbox = page.evaluate("""(function(){var s=document.querySelector('.inbox .subject');
        return {shown: s.querySelector('.shown').textContent, cut: !!s.querySelector('.cut'),
                lost: s.querySelector('.lost').textContent}})()""")
    assert inbox["shown"] == subject[:35] and inbox["cut"]
    assert inbox["lost"] == f" (cut off: {subject[35:]})"
    # the points table: each finding with its points, message and fix
    rows = page.evaluate("Array.from(document.querySelectorAll('table.points tbody tr')).map("
                         "r => Array.from(r.cells).map(c => c.textContent))")
    assert len(rows) == len(findings)
    for f, (n, rule, pts, text) in zip(findings, rows):
        assert rule.startswith(f["rule"]) and rule.endswith(f["level"])
        assert float(pts) == round(f["weight"], 2)
        assert text.startswith(f"{f['message']}Fix: {f['suggestion']}")

    # message, points and fix on keyboard focus, in the frame and on the page
    tip = page.evaluate("""(function(d){var m=d.querySelector('cl-mark[id]'); m.focus();
        var t=m.querySelector(':scope > cl-tip'); return [d.defaultView.getComputedStyle(t).display, t.textContent]})(%s)""" % FRAME)
    assert tip[0] == "block" and "points" in tip[1] and "Fix:" in tip[1]
    assert page.evaluate("""(function(){var m=document.querySelector('.headers mark[id]'); m.focus();
        return getComputedStyle(m.querySelector(':scope > .tip')).display})()""") == "block"

    # the list links to each highlight: following one scrolls the frame to it and focuses it
    focused = page.evaluate("""(function(){var a=document.querySelector('a[data-mark$="-h%d-1"]'); a.click();
        var d=%s; return d.activeElement && d.activeElement.id})()""" % (fid["hidden-text"], FRAME))
    assert focused == f"m1-h{fid['hidden-text']}-1"
    # the hidden text is reported as hidden by the script (it is white on white, not display:none: still listed)
    assert offline(page) == [] and hits == []
    if os.environ.get("CONTENTLINT_SCREENSHOT"):
        page.evaluate("""(function(){var a=document.querySelector('a[data-mark$="-h%d-1"]'); a.click();
            window.scrollTo(0, 0)})()""" % fid["all-caps-body"])     # the frame shows the highlight, focused
        page.screenshot(os.environ["CONTENTLINT_SCREENSHOT"], full_page=False)


# -- remote images and tracking pixels ----------------------------------------------------------------
def tracking_message(port: int) -> str:
    direct = f"http://127.0.0.1:{port}/cl-test"
    html = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<link rel="stylesheet" href="https://fonts.cl-test.example/css?family=Roboto">
<style>
@import url("https://css.cl-test.example/import.css");
@font-face {{ font-family: X; src: url(https://fonts.cl-test.example/x.woff2); }}
.hero {{ background-image: url('https://img.cl-test.example/hero-bg.jpg'); }}
</style></head>
<body background="https://img.cl-test.example/body-bg.gif">
<div style="display:none;max-height:0;overflow:hidden">Our spring catalogue is here: forty new titles, free delivery over 30 euros this week.</div>
<table width="600" class="hero"><tr><td background="https://img.cl-test.example/td-bg.png">
<img src="https://img.cl-test.example/logo.png" width="200" height="60" alt="Librairie Exemple">
<img src="http://img.cl-test.example/banner.jpg" width="600" height="200">
<img src="//img.cl-test.example/relative.jpg" style="width:300px;height:100px" alt="">
<img src="{direct}/direct.png" width="120" height="40" alt="Direct">
<picture><source srcset="https://img.cl-test.example/a.webp 1x"><img src="https://img.cl-test.example/a.jpg"
 srcset="https://img.cl-test.example/a2.jpg 2x" width="100" height="100" alt="Book cover"></picture>
<video poster="https://img.cl-test.example/poster.jpg" src="https://img.cl-test.example/v.mp4"></video>
<input type="image" src="https://img.cl-test.example/button.png">
<p style="background:url(https://img.cl-test.example/p-bg.png)">Dear reader, the new season's books are in.</p>
<p><a href="https://shop.example.com/spring">See the catalogue</a> ·
<a href="https://shop.example.com/unsubscribe?id=42">Unsubscribe</a></p>
<img src="https://trk.cl-test.example/open.gif?u=42" width="1" height="1" alt="">
<img src="https://pixel.cl-test.example/p.gif" width="0" height="0" style="display:none">
<img src="{direct}/pixel.gif" width="1" height="1">
<svg width="10" height="10"><image href="https://img.cl-test.example/svg.png" width="10" height="10"/></svg>
</td></tr></table></body></html>"""
    return ("From: Librairie Exemple <news@shop.example.com>\nTo: reader@example.org\n"
            "Subject: Spring catalogue: forty new titles and free delivery this week\n"
            "Date: Tue, 03 Mar 2026 09:00:00 +0100\nMessage-ID: <spring.42@shop.example.com>\n"
            "List-Unsubscribe: <https://shop.example.com/unsubscribe?id=42>\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\nMIME-Version: 1.0\n"
            "Content-Type: text/html; charset=utf-8\n\n" + html)


def test_remote_images_and_tracking_pixels_are_never_fetched(tmp_path, browser, sink, hits):
    out = render_eml(tmp_path, "spring.eml", tracking_message(sink.server_address[1]))
    assert "cl-test.example" in out.read_text(encoding="utf-8")   # the URLs are shown (tooltips), not loaded
    page = browser.new_page(1280, 900)
    page.goto(out.as_uri(), settle=1.0)
    boxes = page.evaluate("""(function(d){return Array.from(d.querySelectorAll('cl-img')).map(function(b){
        var r=b.getBoundingClientRect(); return [b.textContent, Math.round(r.width), Math.round(r.height)]})})(%s)""" % FRAME)
    assert ["Librairie Exemple", 200, 60] in boxes
    assert ["no alt text", 600, 200] in boxes
    assert ["empty alt text", 300, 100] in boxes
    assert ["Direct", 120, 40] in boxes
    assert ["Book cover", 100, 100] in boxes
    assert ["empty alt text", 1, 1] in boxes and ["no alt text", 1, 1] in boxes    # the tracking pixels
    assert len(boxes) == 8            # every <img>: none left to load
    assert page.evaluate(f"{FRAME}.querySelectorAll('img,video,source,link,[src],[srcset],[href],[poster],"
                         "[background]').length") == 0
    # the preheader and the subject as a phone shows them
    inbox = page.evaluate("""(function(){var i=document.querySelector('.inbox');
        return [i.querySelector('.subject .shown').textContent, !!i.querySelector('.subject .cut'),
                i.querySelector('.preheader .shown').textContent, !!i.querySelector('.preheader .cut')]})()""")
    assert inbox == ["Spring catalogue: forty new titles ", True,
                     "Our spring catalogue is here: forty new titles, fr", True]
    assert offline(page) == []
    assert hits == []


# -- a hostile message ------------------------------------------------------------------------------------
def hostile_message(port: int) -> str:
    sink_url = f"http://127.0.0.1:{port}/cl-test"
    html = f"""<html><head>
<base href="{sink_url}/base/">
<meta http-equiv="refresh" content="0; url={sink_url}/refresh">
<script>top.document.title = "pwned"; parent.location = "{sink_url}/script";</script>
<style>.cover {{ position: fixed; top: 0; left: 0; width: 100vw; height: 100vh; z-index: 2147483647;
 background: red; }} body {{ margin: 0 }}</style>
</head><body onload="parent.document.title='pwned-onload'">
<div class="cover" style="position:fixed;inset:0;transform:scale(10)">covering</div>
<p>Hello "</iframe><script>document.title='pwned-breakout'</script><iframe srcdoc="x</p>
<p title='"></iframe><script>document.title="pwned-attr"</script>'>quotes</p>
<a href="javascript:parent.document.title='pwned-link'" id="js">Click me</a>
<a href=" JaVa&#x09;ScRiPt:alert(1)">spaced</a>
<img src="x" onerror="parent.document.title='pwned-img'">
<svg onload="parent.document.title='pwned-svg'"><a xlink:href="javascript:alert(1)"><text>svg</text></a>
<animate attributeName="href" to="javascript:alert(1)"/></svg>
<form action="{sink_url}/form" method="post"><input name="q" value="x" autofocus onfocus="parent.document.title='pwned-focus'">
<button formaction="{sink_url}/formaction">Send</button></form>
<iframe src="{sink_url}/iframe"></iframe><object data="{sink_url}/object"></object>
<embed src="{sink_url}/embed"><link rel="prefetch" href="{sink_url}/prefetch">
<a href="{sink_url}/link" target="_top" id="top">top link</a>
<p>Act now!!! Unsubscribe: none</p>
</body></html>"""
    return ('From: "Security <script>alert(1)</script>" <alert@phish.cl-test.example>\nTo: you@example.org\n'
            'Subject: </title><script>document.title="pwned-subject"</script> Your account\n'
            "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n" + html)


def test_a_hostile_message_cannot_run_code_or_navigate(tmp_path, browser, sink, hits):
    out = render_eml(tmp_path, "hostile.eml", hostile_message(sink.server_address[1]))
    page = browser.new_page(1280, 900)
    url = out.as_uri()
    page.goto(url, settle=1.5)
    state = page.evaluate("""(function(d){return {title: document.title, url: location.href,
        scripts: document.scripts.length, frameScripts: d.querySelectorAll('script').length,
        onattrs: Array.from(d.querySelectorAll('*')).filter(e => Array.from(e.attributes).some(
            a => a.name.startsWith('on'))).length,
        jsurls: Array.from(d.querySelectorAll('[href],[xlink\\\\:href],[action],[formaction]')).length,
        frames: d.querySelectorAll('iframe,object,embed,base,meta[http-equiv=refresh]').length,
        topmost: document.elementFromPoint(5, 5).tagName,
        subject: document.querySelector('.inbox .subject .shown').textContent}})(%s)""" % FRAME)
    assert state["title"].startswith("contentlint report")
    assert state["url"] == url
    assert state["scripts"] == 1 and state["frameScripts"] == 0
    assert state["onattrs"] == 0 and state["jsurls"] == 0 and state["frames"] == 0
    assert state["topmost"] != "IFRAME"              # CSS in the message stays inside its frame
    assert state["subject"].startswith('</title><script>')  # shown as text
    # clicking the message's links and pressing its button does nothing either
    page.evaluate("""(function(d){d.getElementById('js').click(); d.getElementById('top').click();
        d.querySelector('button').click()})(%s)""" % FRAME)
    browser.pump(1.0)
    assert page.evaluate("document.title").startswith("contentlint report")
    assert page.evaluate("location.href") == url
    assert "top link" in page.evaluate(f"{FRAME}.body.textContent")   # the frame was not navigated
    assert offline(page) == [] and hits == []


# -- a batch -------------------------------------------------------------------------------------------
def test_batch_index_and_page_without_javascript(tmp_path, browser, hits):
    inputs = ["examples/newsletter-en.eml", PROMO, "examples/mailjet-payload.json"]
    out = render(tmp_path, *inputs, expect=1)
    results = findings_of(*inputs)
    page = browser.new_page(1280, 900)
    page.goto(out.as_uri())
    index = page.evaluate("""(function(){return {
        rows: Array.from(document.querySelectorAll('#idx-table tbody tr')).map(r => [r.querySelector('a').getAttribute('href'),
              parseFloat(r.dataset.score)]),
        targets: Array.from(document.querySelectorAll('#idx-table tbody a')).every(a => !!document.querySelector(a.getAttribute('href'))),
        bars: document.querySelectorAll('.hist rect.bar').length,
        rules: Array.from(document.querySelectorAll('.rulecount tbody tr')).map(r => r.innerText.split('\\t'))}})()""")
    assert [r[1] for r in index["rows"]] == [r["score"] for r in results]
    assert [r[0] for r in index["rows"]] == [f"#m{i}" for i in range(1, len(results) + 1)]
    assert index["targets"] and index["bars"] >= 10
    counts = {}
    for r in results:
        for rule in {f["rule"] for f in r["findings"]}:
            counts[rule] = counts.get(rule, 0) + 1
    assert {rule: int(n) for rule, n in index["rules"]} == counts
    # sortable by score
    page.evaluate("document.querySelector('button[data-sort=score]').click()")
    ordered = page.evaluate("Array.from(document.querySelectorAll('#idx-table tbody tr')).map(r => parseFloat(r.dataset.score))")
    assert ordered == sorted((r["score"] for r in results), reverse=True)
    assert offline(page) == []

    # readable without JavaScript: the message renders with its marks, the view switches are CSS
    nojs = browser.new_page(1280, 900)
    nojs.send("Emulation.setScriptExecutionDisabled", {"value": True})
    nojs.goto(out.as_uri() + "#m2")
    state = nojs.send("Runtime.evaluate", {"expression": """(function(){
        var f=document.querySelector('#m2 iframe.frame'); f.scrollIntoView();
        var before=getComputedStyle(f.closest('.frame-wrap')).width;
        document.querySelector('label[for=m2-v-mobile]').click();
        var after=getComputedStyle(f.closest('.frame-wrap')).width;
        document.querySelector('label[for=m2-v-text]').click();
        return [before, after, getComputedStyle(document.querySelector('#m2 .html-view')).display,
                getComputedStyle(document.querySelector('#m2 .text-view')).display]})()""",
                                          "returnByValue": True})["result"]["value"]
    assert state[1] == "377px" and state[0] != state[1]
    assert state[2:] == ["none", "block"]
    assert offline(nojs) == [] and hits == []


# -- placing marks (no browser needed) -----------------------------------------------------------------
def _tip(mark):
    return f"<cl-tip>#{mark.fid}</cl-tip>"


def _marks(document: str) -> list[tuple[str, str]]:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(document)
    return [(n.attributes.get("id"), n.text(deep=True)) for n in tree.css("cl-mark[id], [data-cl-f]")]


def test_exact_spans_are_marked_where_they_are_not_where_the_word_first_appears():
    source = '<p title="prize">A prize</p>\n<p>You won a <b>PRIZE</b> today &amp; tomorrow</p>'
    second = source.index("PRIZE")
    within = source.index("won a")
    tag = source.index('title="prize"')
    marks = [Mark("h1", 1, start=second, end=second + 5, needle="prize"),
             Mark("h2", 2, start=within, end=source.index(" today")),        # crosses the <b> element
             Mark("h3", 3, start=tag + 7, end=tag + 12),                      # inside a tag: marks the element
             Mark("h4", 4, needle="A prize"),                                 # no offsets: found in the text
             Mark("h5", 5, start=source.index("amp;"), end=source.index("amp;") + 3)]   # inside &amp;
    embedded = embed_html(source, marks, _tip)
    found = dict(_marks(embedded.document))
    assert found["h1"] == "1PRIZE#1"
    assert found["h2"] == "2won a #2"                                         # the first piece carries the id…
    assert embedded.document.count('data-f="2"') == 2                       # …and the piece inside <b> is marked too
    assert re.search(r'<p title="prize" data-cl-f="3"[^>]* id="h3">', embedded.document)   # the element
    assert found["h4"] == "4A prize#4"
    assert found["h5"] == "5&#5"                                             # widened to the whole reference
    assert embedded.placed == {"h1": "text", "h2": "text", "h3": "element", "h4": "text", "h5": "text"}


def test_spans_in_style_or_comments_have_no_place_and_unknown_needles_none():
    source = "<style>p { color: red }</style><!-- prize --><p>Hello</p>"
    marks = [Mark("h1", 1, start=source.index("color"), end=source.index("color") + 5),
             Mark("h2", 2, start=source.index("prize"), end=source.index("prize") + 5),
             Mark("h3", 3, needle="nowhere to be found")]
    embedded = embed_html(source, marks, _tip)
    assert embedded.placed == {"h1": "source", "h2": "source"}
    assert "cl-mark" not in embedded.document.split("</style>", 2)[-1]


def test_deeply_nested_html_is_embedded_without_recursion():
    source = "<div>" * 100_000 + "deep prize" + "</div>" * 100_000
    embedded = embed_html(source, [Mark("h1", 1, needle="prize")], _tip)
    assert embedded.placed == {"h1": "text"}
    assert "deep " in embedded.document


def test_only_an_html_report_keeps_the_message():
    html = "<p>WIN A PRIZE NOW!!!</p>"
    assert Linter().check_html(html, subject="Hello").message is None
    keeping = Linter(keep_message=True)
    report = keeping.check_html(html, subject="Hello")
    assert report.message is not None and report.message.html == html
    assert "message" not in report.to_dict()
    assert pickle.loads(pickle.dumps(keeping)).keep_message is True      # --jobs workers keep it too


def test_html_report_with_jobs_matches_one_process(tmp_path):
    inputs = [PROMO, "examples/mailjet-payload.json", "examples/newsletter-en.eml"]
    one = render(tmp_path, *inputs, name="one.html", expect=1).read_text(encoding="utf-8")
    proc = subprocess.run([*EXE, "check", *map(str, inputs), "-f", "html", "-j", "2", "-o", str(tmp_path / "two.html")],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 1, proc.stderr
    assert (tmp_path / "two.html").read_text(encoding="utf-8") == one
    assert one.count('<section class="msg"') == 4


def test_the_report_uses_the_engines_decoded_offsets_when_it_gives_them():
    """After the span engine: a finding's spans carry offsets in the decoded part; the report marks those
    places (here the second “prize” of each part), not the first look-alike."""
    import html as stdlib_html

    from contentlint.api import Report
    from contentlint.findings import Finding
    from contentlint.model import Location
    from contentlint.readers import build_message
    from contentlint.reporters.html import render_view

    html = "<p>A prize draw? No.</p><p>Claim your <b>prize</b> today</p>"
    text = "A prize draw? No.\nClaim your prize today"
    subject = "Prize inside: your prize"
    msg = build_message(subject=subject, sender="News <news@example.com>", html=html, text=text)

    def span(part, label, source, word="prize", nth=2):
        start = -1
        for _ in range(nth):
            start = source.index(word, start + 1)
        return Location(part=part, part_label=label, part_offset=start, part_end=start + len(word),
                        match=word, match_length=len(word))

    spans = (span("text/html", "text/html", html), span("text/plain", "text/plain", text),
             span("subject", "", subject, nth=1))          # the lower-case one, after “Prize”
    finding = Finding("risky-prize-terms", "content", "warning", 0.5, "“prize” is prize vocabulary.",
                      "Replace “prize”.", location=spans[0], matches=("prize",) * 3, spans=spans)
    report = Report(source="<html>", index=0, input_format="html", subject=subject, score=0.5, verdict="pass",
                    findings=[finding], message=msg)
    page = render_view(report, 1, "0")
    frame = stdlib_html.unescape(re.search(r'srcdoc="([^"]*)"', page).group(1))
    assert re.search(r'Claim your <b><cl-mark [^>]*id="m1-h1-1"[^>]*><cl-n[^>]*>1</cl-n>prize<cl-tip', frame)
    assert frame.count("<cl-mark") == 1
    assert re.search(r'Claim your <mark [^>]*id="m1-h1-2"[^>]*><cl-n[^>]*>1</cl-n>prize<span class="tip"', page)
    assert re.search(r'Prize inside: your <mark [^>]*id="m1-h1-3"', page)
    # each place is listed with a link to it
    assert 'data-mark="m1-h1-1"' in page and 'href="#m1-h1-2"' in page and 'href="#m1-h1-3"' in page


def test_the_frame_sandbox_and_policy_stop_a_script_the_rewrite_would_miss(tmp_path, browser, hits, monkeypatch):
    """Defence in depth: even a frame document holding a raw script (as if the rewrite had a hole) runs
    nothing, because the frame is sandboxed without allow-scripts and both pages forbid scripts."""
    import contentlint.reporters.html as report_html
    from contentlint.reporters.html_embed import Embedded

    ran = "document.body.appendChild(document.createElement('cl-ran'))"
    leak = (f"<html><head></head><body><p>hi</p><script>{ran}; parent.document.title='pwned'</script>"
            f"<img src=\"data:image/gif;base64,AAAA\" onerror=\"{ran}\"></body></html>")
    monkeypatch.setattr(report_html, "embed_html", lambda *a, **k: Embedded(leak, {}))
    report = Linter(keep_message=True).check_html("<p>hi</p>", subject="Hello")
    out = tmp_path / "leak.html"
    with out.open("w", encoding="utf-8") as fh:
        reporter = report_html.HtmlReporter(fh)
        reporter.start()
        reporter.report(report)
        reporter.finish()
    page = browser.new_page()
    page.goto(out.as_uri(), settle=1.0)
    assert page.evaluate("document.title").startswith("contentlint report")
    assert page.evaluate(f"{FRAME}.querySelectorAll('cl-ran').length") == 0
    assert page.evaluate(f"{FRAME}.scripts.length") == 1          # it is there, and inert
    assert offline(page) == [] and hits == []


def test_inputs_that_cannot_be_used_are_listed_on_the_page(tmp_path):
    (tmp_path / "empty.eml").write_bytes(b"")
    out = tmp_path / "r.html"
    proc = subprocess.run([*EXE, "check", PROMO, str(tmp_path / "empty.eml"), "-f", "html", "-o", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2, proc.stderr
    page = out.read_text(encoding="utf-8")
    assert "Inputs that could not be checked" in page
    assert "empty.eml: error: empty input (nothing to check)" in page
    assert page.count('<section class="msg"') == 1 and 'id="index"' not in page   # one message: no index
    assert page.rstrip().endswith("</html>")
