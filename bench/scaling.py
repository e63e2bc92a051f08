#!/usr/bin/env python3
"""contentlint scaling benchmark: does every check stay linear in its input?

    .venv/bin/python bench/scaling.py                       # every dimension, three sizes (n, 4n, 16n)
    .venv/bin/python bench/scaling.py --quick               # sizes / 16, limit 20 s: a first look in a minute or two
    .venv/bin/python bench/scaling.py --only risky,caps     # dimensions whose name contains one of these
    .venv/bin/python bench/scaling.py --scale 2 --limit 120 # bigger inputs, longer per-measurement limit
    .venv/bin/python bench/scaling.py --list                # the dimensions and their sizes

Each dimension is one thing an input can have many of (matches of a risky phrase, links, MIME parts,
attributes on one tag…).  For each, a message is generated with ``n``, ``4n`` and ``16n`` of it, and checked
by the real engine (``contentlint.api.Linter().check_bytes`` on the generated ``.eml`` bytes, every default
pack) in a fresh subprocess per measurement, after a warm-up check of a small message in that process so lazy
imports and compiled packs are not counted.  Measured per size:

* time: CPU seconds of ``check_bytes`` (read + MIME + HTML analysis + rules + score) in that process; the
  machine is shared, so CPU time is what stays comparable between sizes (wall-clock seconds are shown
  beside it);
* memory: peak RSS of the process during the check minus its RSS just before it (``ru_maxrss``), in MB,
  with the generated input already in memory.

The growth factor between two sizes is the ratio of the times (and of the memory); linear is about 4× per
step, n log n a little more, quadratic about 16×.  A dimension is marked ``non-linear`` when a step from
at least 0.1 s grows more than 6×, or when a measurement passes the time limit (each
subprocess is killed after ``--limit`` seconds and shown as ``> limit``; the larger sizes are then
skipped).  The limit is CPU time (``RLIMIT_CPU`` in the subprocess), with a wall-clock backstop of four
times it.  Times under 0.05 s are mostly noise, so their factors are not judged.  The load average is
printed with the results.

Writes bench/scaling-results.md (quoted by the README; ``--out`` to write elsewhere, ``--no-write`` not to)
and the raw measurements beside it (``.json``); ``--report-from FILE.json`` rebuilds the table from them.
Never run by the test suite: this is a benchmark, not a timed unit test.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "scaling-results.md"
STEP = 4
JUDGE_FROM_S = 0.1     # a step is judged when its smaller time is at least this
NOISE_S = 0.05         # below this a time is noise
NON_LINEAR = 6.0       # growth per 4× step above which a dimension is called non-linear


# --------------------------------------------------------------------------------------------------
# generated messages
# --------------------------------------------------------------------------------------------------
def eml(body: str, *, ctype: str = "text/html; charset=utf-8", headers: str = "", sender: str = "",
        to: str = "", cte: str = "8bit", raw_body: bytes = b"") -> bytes:
    """A plausible newsletter message around ``body`` (the HTML or text that grows)."""
    head = (  # From second: a first header line over 16 KB makes the sniffer read the file as a template
        f"To: {to or 'alice@example.org'}\r\n"
        f"From: {sender or 'Shop News <news@shop.example.com>'}\r\n"
        "Subject: Our spring collection\r\n"
        "Date: Tue, 01 Dec 2026 09:00:00 +0000\r\n"
        "Message-ID: <scaling.1@shop.example.com>\r\n"
        "MIME-Version: 1.0\r\n"
        "List-Unsubscribe: <https://shop.example.com/unsubscribe?u=1>, <mailto:unsub@shop.example.com>\r\n"
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        f"{headers}"
        f"Content-Type: {ctype}\r\n"
        f"Content-Transfer-Encoding: {cte}\r\n\r\n"
    )
    return head.encode() + (raw_body or body.encode("utf-8"))


def html(inner: str, style: str = "") -> str:
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Spring</title>"
            f"<style>{style}</style></head><body>\n<p>Hello Alice, here is what is new this month.</p>\n"
            f"{inner}\n<p><a href=\"https://shop.example.com/unsubscribe?u=1\">Unsubscribe</a></p>\n</body></html>\n")


def lines(items, per_line: int = 8) -> str:
    """Items joined by spaces, a newline every ``per_line`` (mail lines stay short unless that is the point)."""
    items = list(items)
    return "\n".join(" ".join(items[i:i + per_line]) for i in range(0, len(items), per_line))


def word(i: int) -> str:
    """A distinct pronounceable-ish letter word for i (base 20 over consonant-vowel pairs)."""
    cons, vows = "bcdfghjklmnprstvwxz", "aeiou"
    out = []
    i += 1
    while i:
        i, r = divmod(i, len(cons) * len(vows))
        out.append(cons[r // len(vows)] + vows[r % len(vows)])
    return "".join(out)


def _repeat(phrase: str) -> Callable[[int], bytes]:
    return lambda n: eml(html("<p>" + lines([phrase] * n, 4) + "</p>"))


def _french(n: int) -> bytes:
    intro = ("<p>Bonjour Alice, voici les nouveautés de la saison. Découvrez notre collection de printemps "
             "et profitez de nos offres : la livraison est offerte dès 50 euros.</p>\n")
    return eml(html(intro + "<p>" + lines(["C'est gratuit !"] * n, 4) + "</p>"), headers="Content-Language: fr\r\n")


def _caps(n: int) -> bytes:
    return eml(html("<p>" + lines((word(i).upper() for i in range(n)), 8) + "</p>"))


def _capitalised(n: int) -> bytes:
    return eml(html("<p>" + lines((word(i).capitalize() for i in range(n)), 8) + "</p>"))


def _plain_words(n: int) -> bytes:
    return eml(html("<p>" + lines((word(i) for i in range(n)), 10) + "</p>"))


def _links(n: int) -> bytes:
    return eml(html("\n".join(f'<p><a href="https://shop.example.com/p/{i}?utm_source=news">Product {i}</a></p>'
                              for i in range(n))))


def _link_domains(n: int) -> bytes:
    return eml(html("\n".join(f'<p><a href="https://www.{word(i)}-store.example/p">Partner {i}</a></p>'
                              for i in range(n))))


def _images(n: int) -> bytes:
    return eml(html("\n".join(f'<p><img src="https://cdn.shop.example.com/i/{i}.png" alt="Product {i}" '
                              f'width="120" height="80"> Product {i} in spring colours.</p>' for i in range(n))))


def _entity_links(n: int) -> bytes:
    return eml(html("\n".join(f'<p><a href="https://shop.example.com/p?id={i}&#38;utm_source=news&#38;u=1">'
                              f'Product {i}</a></p>' for i in range(n))))


def _entity_images(n: int) -> bytes:
    return eml(html("\n".join(f'<p><img src="https://cdn.shop.example.com/i.png?id={i}&#38;w=120&#38;h=80" '
                              f'alt="Product {i}" width="120" height="80"></p>' for i in range(n))))


def _placeholders(n: int) -> bytes:
    return eml(html("\n".join(f"<p>Hello {{{{ first_name }}}}, your code {{{{ code_{i} }}}} is ready.</p>"
                              for i in range(n))))


def _mime_parts(n: int) -> bytes:
    b = "==part-boundary=="
    parts = "".join(f"--{b}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSection {i}: news of the month.\r\n"
                    for i in range(n))
    return eml("", ctype=f'multipart/mixed; boundary="{b}"',
               raw_body=f"{parts}--{b}\r\n".encode() + html_part() + f"--{b}--\r\n".encode())


def html_part() -> bytes:
    return ("Content-Type: text/html; charset=utf-8\r\n\r\n" + html("<p>See you soon.</p>") + "\r\n").encode()


def _mime_depth(n: int) -> bytes:
    body = html_part()
    for d in range(n):
        b = f"==depth-{d}=="
        body = (f"Content-Type: multipart/mixed; boundary=\"{b}\"\r\n\r\n--{b}\r\n".encode() + body
                + f"--{b}--\r\n".encode())
    head, _, rest = body.partition(b"\r\n\r\n")
    return eml("", ctype=head.decode().split(": ", 1)[1], raw_body=rest)


def _html_depth(n: int) -> bytes:
    return eml(html("<div>" * n + "<p>Deep news of the month.</p>" + "</div>" * n))


def _headers(n: int) -> bytes:
    return eml(html("<p>News.</p>"), headers="".join(f"X-Campaign-Tag-{i}: spring-{i}\r\n" for i in range(n)))


def _received(n: int) -> bytes:
    return eml(html("<p>News.</p>"), headers="".join(
        f"Received: from relay{i}.example.net (relay{i}.example.net [192.0.2.{i % 250}])\r\n"
        f"\tby mx.example.org with ESMTPS id {i}; Tue, 01 Dec 2026 08:59:00 +0000\r\n" for i in range(n)))


def _recipients(n: int) -> bytes:
    return eml(html("<p>News.</p>"), to=",\r\n ".join(f"{word(i).capitalize()} <{word(i)}@example.org>" for i in range(n)))


def _line_length(n: int) -> bytes:
    return eml(html("<p>" + " ".join(word(i % 5000) for i in range(n)) + "</p>"))


def _base64(n: int) -> bytes:
    import base64

    body = html("\n".join(f"<p>Section {i}: the news of the month, in a few words.</p>" for i in range(n)))
    return eml("", cte="base64", raw_body=base64.encodebytes(body.encode()))


def _qp(n: int) -> bytes:
    import quopri

    body = html("\n".join(f"<p>Section {i} : les nouveautés du mois, en quelques mots é à ç.</p>" for i in range(n)))
    return eml("", cte="quoted-printable", raw_body=quopri.encodestring(body.encode()))


def _many_attributes(n: int) -> bytes:
    return eml(html("<p " + " ".join(f'data-a{i}="v{i}"' for i in range(n)) + ">Spring news.</p>"))


def _unclosed_b(n: int) -> bytes:
    return eml("<html><body><p>Spring news.</p>\n" + "<b" * n)      # no ">" after them


def _style_at(n: int) -> bytes:
    return eml(html("<p>Spring news.</p>", style=".hide { display: none }\n" + "@" * n))


def _style_comments(n: int) -> bytes:
    return eml(html("<p>Spring news.</p>", style=".hide { display: none }\n" + "/* " * n))


def _style_rules(n: int) -> bytes:
    return eml(html("\n".join(f'<p class="c{i}">Spring item {i}.</p>' for i in range(n)),
                    style="\n".join(f".c{i} {{ color: #{i % 4096:03x}; font-size: {12 + i % 6}px; }}" for i in range(n))))


def _inline_styles(n: int) -> bytes:
    return eml(html("\n".join(f'<p style="color:#{i % 4096:03x};font-size:{12 + i % 6}px;background:#fff">'
                              f"Spring item {i}.</p>" for i in range(n))))


def _from_no_at(n: int) -> bytes:
    return eml(html("<p>News.</p>"), sender="Shop " + "x" * n)


def _from_long_name(n: int) -> bytes:
    return eml(html("<p>News.</p>"), sender='"' + " ".join(word(i) for i in range(n)) + '" <news@shop.example.com>')


def _ctype_param(n: int) -> bytes:
    return eml(html("<p>News.</p>"), ctype='text/html; charset=utf-8; x-campaign="' + "x" * n + '"')


def _ctype_no_equals(n: int) -> bytes:
    return eml(html("<p>News.</p>"), ctype="text/html; charset=utf-8; " + "x" * n)


def _ctype_unquoted(n: int) -> bytes:
    return eml(html("<p>News.</p>"), ctype="text/html; charset=utf-8; x-campaign=" + "x" * n)


def _ctype_many_params(n: int) -> bytes:
    return eml(html("<p>News.</p>"), ctype="text/html; charset=utf-8; " + "; ".join(f"p{i}=v{i}" for i in range(n)))


def _boundary_long(n: int) -> bytes:
    b = "b" * n
    return eml("", ctype=f'multipart/alternative; boundary="{b}"',
               raw_body=f"--{b}\r\n".encode() + html_part() + f"--{b}--\r\n".encode())


def _subject_words(n: int) -> bytes:
    return eml(html("<p>News.</p>")).replace(
        b"Subject: Our spring collection", b"Subject: " + " ".join(["=?utf-8?q?Caf=C3=A9_cr=C3=A8me?="] * n).encode())


def _subject_long(n: int) -> bytes:
    return eml(html("<p>News.</p>")).replace(
        b"Subject: Our spring collection", b"Subject: " + " ".join(word(i) for i in range(n)).encode())


def _unclosed_tags(n: int) -> bytes:
    return eml(html("<p>" + lines(["{% if"] * n, 8) + "</p>"))


@dataclass(frozen=True)
class Dimension:
    name: str
    what: str          # "n × what"
    make: Callable[[int], bytes]
    base: int          # n of the smallest full-run size (16n is the largest)
    capped: bool = False  # sizes bounded by a reader limit: not scaled by --quick/--scale


DIMENSIONS = [
    Dimension("risky-free-money", '"FREE money" in the body', _repeat("FREE money"), 32_000),
    Dimension("risky-free-shipping", '"Enjoy free shipping" in the body', _repeat("Enjoy free shipping"), 16_000),
    Dimension("risky-gratuit-fr", '"C\'est gratuit !" in a French body', _french, 16_000),
    Dimension("caps-distinct", "distinct ALL-CAPS words", _caps, 32_000),
    Dimension("capitalised-distinct", "distinct Capitalised words", _capitalised, 32_000),
    Dimension("words-distinct", "distinct lower-case words", _plain_words, 40_000),
    Dimension("links", "links to one domain", _links, 8_000),
    Dimension("link-domains", "links to distinct domains", _link_domains, 8_000),
    Dimension("images", "images", _images, 6_000),
    Dimension("links-entities", "links with &#38; in the URL", _entity_links, 8_000),
    Dimension("images-entities", "images with &#38; in the URL", _entity_images, 6_000),
    Dimension("placeholders", "lines with two placeholders", _placeholders, 8_000),
    Dimension("unclosed-template-tags", 'unclosed "{% if" template tags', _unclosed_tags, 20_000),
    Dimension("mime-parts", "MIME parts (reader limit 1,000)", _mime_parts, 60, capped=True),
    Dimension("mime-depth", "multipart nesting levels (reader limit 64)", _mime_depth, 4, capped=True),
    Dimension("html-depth", "nested <div>", _html_depth, 20_000),
    Dimension("headers", "header fields (reader limit 5,000 lines)", _headers, 300, capped=True),
    Dimension("received", "two-line Received headers", _received, 150, capped=True),
    Dimension("subject-encoded-words", "RFC 2047 encoded words in the Subject", _subject_words, 10_000),
    Dimension("subject-words", "words in the Subject", _subject_long, 40_000),
    Dimension("recipients", "recipients in To", _recipients, 2_000),
    Dimension("line-length", "words on one line", _line_length, 80_000),
    Dimension("base64-body", "paragraphs in a base64 body", _base64, 8_000),
    Dimension("qp-body", "paragraphs in a quoted-printable body", _qp, 8_000),
    Dimension("style-rules", "CSS rules in <style> and classed <p>", _style_rules, 4_000),
    Dimension("inline-styles", "<p style=…>", _inline_styles, 6_000),
    Dimension("p-attributes", "attributes on one <p>", _many_attributes, 40_000),
    Dimension("unclosed-b", 'unclosed "<b"', _unclosed_b, 160_000),
    Dimension("style-at", '"@" inside <style>', _style_at, 640_000),
    Dimension("style-comments", 'unclosed "/*" inside <style>', _style_comments, 160_000),
    Dimension("from-no-at", "characters of a From header without @", _from_no_at, 160_000),
    Dimension("from-long-name", "words in a From display name", _from_long_name, 10_000),
    Dimension("ctype-param", "characters of a quoted Content-Type parameter", _ctype_param, 160_000),
    Dimension("ctype-no-equals", "characters of a Content-Type parameter without \"=\"", _ctype_no_equals, 160_000),
    Dimension("ctype-unquoted", "characters of an unquoted Content-Type parameter", _ctype_unquoted, 160_000),
    Dimension("ctype-params", "Content-Type parameters", _ctype_many_params, 4_000),
    Dimension("boundary-long", "characters of a multipart boundary", _boundary_long, 80_000),
]


# --------------------------------------------------------------------------------------------------
# measuring (one subprocess per measurement)
# --------------------------------------------------------------------------------------------------
def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 20


def worker(name: str, n: int, limit: float) -> None:
    import resource

    sys.path.insert(0, str(ROOT))
    from contentlint.api import ContentlintInputError, Linter

    dim = next(d for d in DIMENSIONS if d.name == name)
    linter = Linter()
    linter.check_bytes(eml(html("<p>Warm-up: FREE money, gratuit, <a href=\"https://a.example/\">x</a></p>")),
                       source="warm.eml", hint_ext=".eml")
    data = dim.make(n)
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu_now = int(used.ru_utime + used.ru_stime)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_now + int(limit) + 2, cpu_now + int(limit) + 4))
    before = _rss_mb()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0, c0 = time.perf_counter(), time.process_time()
    error = ""
    try:
        reports = linter.check_bytes(data, source=f"{name}.eml", hint_ext=".eml")
    except ContentlintInputError as exc:
        reports, error = exc.reports, str(exc)
    seconds, wall = time.process_time() - c0, time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    findings = sorted({f.rule for r in reports for f in r.findings})
    print(json.dumps({"seconds": seconds, "wall": wall, "mem_mb": max(0.0, peak - max(before, peak_before)),
                      "bytes": len(data), "findings": findings, "error": error}))


def measure(name: str, n: int, limit: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name, str(n), str(limit)]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=4 * limit + 30)
    except subprocess.TimeoutExpired:
        return {"n": n, "timeout": True}
    if out.returncode in (-24, -9):
        return {"n": n, "timeout": True}      # SIGXCPU (then SIGKILL): over the CPU limit
    if out.returncode != 0:
        return {"n": n, "crash": (out.stderr.strip().splitlines() or ["?"])[-1]}
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["n"] = n
    if result["seconds"] > limit:
        result["timeout"] = True
    return result


def factors(rows: list[dict], key: str) -> list[str]:
    out = []
    for a, b in zip(rows, rows[1:]):
        if a.get(key) is None or b.get(key) is None or a.get("timeout") or b.get("timeout"):
            out.append("—")
        elif key == "seconds" and b[key] < NOISE_S:
            out.append("(noise)")
        elif key == "mem_mb" and (b[key] < 2 or a[key] < 1):
            out.append("(small)")
        else:
            out.append(f"{b[key] / max(a[key], 1e-9):.1f}×")
    return out


def verdict(rows: list[dict]) -> str:
    if any(r.get("crash") for r in rows):
        return "crash"
    if any(r.get("timeout") for r in rows):
        return "non-linear (> limit)"
    worst = 0.0
    for a, b in zip(rows, rows[1:]):
        if a["seconds"] >= JUDGE_FROM_S:
            worst = max(worst, b["seconds"] / a["seconds"])
    if worst > NON_LINEAR:
        return f"non-linear ({worst:.0f}× per step)"
    return "linear" if worst else "linear (too fast to judge)"


def fmt_size(nbytes: int) -> str:
    return f"{nbytes / 2 ** 20:.1f} MB" if nbytes >= 2 ** 20 else f"{nbytes / 1024:.0f} KB"


def fmt_cell(r: dict, limit: float) -> str:
    if r.get("crash"):
        return f"crash: {r['crash'][:60]}"
    if r.get("timeout"):
        return f"> {limit:.0f} s"
    if "seconds" not in r:
        return "skipped"
    return f"{r['seconds']:.2f} s (wall {r['wall']:.1f}), {r['mem_mb']:.0f} MB"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="sizes divided by 16 and a 20 s limit")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every size by this")
    ap.add_argument("--limit", type=float, default=None,
                    help="CPU seconds per measurement (default 60, 20 with --quick)")
    ap.add_argument("--only", default="", help="comma-separated parts of dimension names")
    ap.add_argument("--list", action="store_true", help="list the dimensions and their sizes")
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--report-from", metavar="JSON", help="rebuild the report from saved measurements")
    ap.add_argument("--worker", nargs=3, metavar=("DIMENSION", "N", "LIMIT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), float(args.worker[2]))
        return 0
    if args.report_from:
        saved = json.loads(Path(args.report_from).read_text(encoding="utf-8"))
        by_name = {d.name: d for d in DIMENSIONS}
        results = [(by_name[name], rows) for name, rows in saved["results"]]
        text = report(results, saved["limit"], 1.0, saved["load"], saved["end_load"],
                      datetime.fromisoformat(saved["started"]), saved["argv"])
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
        return 0
    limit = args.limit or (20.0 if args.quick else 60.0)
    scale = args.scale / (16 if args.quick else 1)
    wanted = [w.strip() for w in args.only.split(",") if w.strip()]
    dims = [d for d in DIMENSIONS if not wanted or any(w in d.name for w in wanted)]
    if args.list:
        for d in dims:
            n = d.base if d.capped else max(1, round(d.base * scale))
            print(f"{d.name:22} {n:>9,} / {n * STEP:>9,} / {n * STEP * STEP:>10,}  {d.what}  "
                  f"(largest {fmt_size(len(d.make(n * STEP * STEP)))})")
        return 0
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    started = datetime.now(timezone.utc)
    print(f"load average {load}; limit {limit:.0f} s per measurement", flush=True)
    results = []
    for d in dims:
        n = d.base if d.capped else max(1, round(d.base * scale))
        rows = []
        for k in range(3):
            size = n * STEP ** k
            if any(r.get("timeout") or r.get("crash") or r.get("skipped") for r in rows):
                rows.append({"n": size, "skipped": True})
                continue
            rows.append(measure(d.name, size, limit))
        results.append((d, rows))
        cells = "  |  ".join(f"{r['n']:,}: {fmt_cell(r, limit)}" for r in rows)
        print(f"{d.name:22} {cells}  | time {' '.join(factors(rows, 'seconds'))}"
              f"  mem {' '.join(factors(rows, 'mem_mb'))}  → {verdict(rows)}", flush=True)
    end_load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    text = report(results, limit, scale, load, end_load, started, argv if argv is not None else sys.argv[1:])
    if not args.no_write:
        Path(args.out).write_text(text, encoding="utf-8")
        raw = {"started": started.isoformat(), "limit": limit, "load": load, "end_load": end_load,
               "argv": argv if argv is not None else sys.argv[1:], "results": [(d.name, rows) for d, rows in results]}
        Path(args.out).with_suffix(".json").write_text(json.dumps(raw, indent=1), encoding="utf-8")
        print(f"wrote {args.out}")
    bad = [d.name for d, rows in results if not verdict(rows).startswith("linear")]
    print("non-linear: " + (", ".join(bad) if bad else "none"))
    return 0


def report(results, limit, scale, load, end_load, started, argv) -> str:
    out = [
        f"# contentlint scaling benchmark ({started:%Y-%m-%d %H:%M} UTC)", "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}. "
        f"Command: `.venv/bin/python bench/scaling.py {' '.join(argv)}`".rstrip() + " (see its docstring).",
        f"Load average at start {load}, at the end {end_load} (the machine is shared). "
        f"Limit per measurement {limit:.0f} s.", "",
        "Each row grows one dimension 4× twice; time is the CPU time of `Linter().check_bytes` on the "
        "generated .eml (all default packs, one subprocess per measurement), memory the peak RSS above the "
        "process's RSS before the check. "
        "Linear is about 4× per step.", "",
        "| dimension | n (largest input) | time, memory at n | at 4n | at 16n | time growth | memory growth | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for d, rows in results:
        largest = next((r for r in reversed(rows) if r.get("bytes")), None)
        size = f"{rows[0]['n']:,} {d.what}" + (f" ({fmt_size(largest['bytes'])} at {largest['n']:,})" if largest else "")
        out.append(f"| {d.name} | {size} | " + " | ".join(fmt_cell(r, limit) for r in rows)
                   + f" | {' '.join(factors(rows, 'seconds'))} | {' '.join(factors(rows, 'mem_mb'))} | {verdict(rows)} |")
    bad = [d.name for d, rows in results if not verdict(rows).startswith("linear")]
    out += ["", "Non-linear: " + (", ".join(bad) if bad else "none") + ".", ""]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
