"""No internal cap or timeout is reached without a visible finding on that message (issue 12).

``test_every_cap_constant_has_a_case`` greps contentlint/ for the module-level cap constants (``MAX_*``,
``*_MAX``, ``*_LIMIT``, ``*_TIMEOUT``, ``*_BYTES``, ``PRESCAN_*``, ``*_CAP``; keyed by name, or by
``module.NAME`` when two modules share a name): each one must either have a case
below (a generated input that reaches it, and the finding or error it produces) or be listed in ``NOT_CAPS``
with the reason it does not bound what is read or checked.  A new cap without either fails the suite.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from contentlint.api import ContentlintInputError, Linter
from contentlint.cli import app

ROOT = Path(__file__).resolve().parent.parent
CAP_NAME = re.compile(r"^(_?[A-Z][A-Z0-9_]*)\s*(?::[^=\n]*)?=(?!=)", re.M)
IS_CAP = re.compile(r"^_?MAX_|_MAX$|_LIMIT$|TIMEOUT$|_BYTES$|^PRESCAN_|_CAP$")

NOT_CAPS = {
    "engine.morph._TAGGED_MAX": "sentences whose tags are kept for later checks (a cache: past it the cache starts "
                                "again and sentences are tagged anew; nothing is skipped)",
    "partials.MAX_PARENTS": "how far above the including file partials are searched (the documented "
                            "neighbourhood); one further away is named at info with the folders searched and the "
                            "--template-root hint (tests/test_template_roots.py)",
    "readers.mjml.MAX_DEPTH": "MJML nested deeper is refused with a visible mjml-invalid finding and read as "
                              "HTML instead (tests/test_mjml.py)",
    "engine.builtins_html.GMAIL_STYLE_LIMIT": "Gmail's own <style> limit: reaching it is the gmail-style-limit "
                                              "finding, not a bound on reading",
    "reporters.html.MAX_MARKS": "highlights drawn per finding in the HTML report (model.MAX_SPANS already bounds "
                                "the spans); the points table lists every finding",
    "reporters.html.MAX_HEADER_ROWS": "headers shown in the report's panel; findings on later headers are listed "
                                      "in the panel all the same",
    "reporters.html.MAX_HEADER_VALUE": "characters of a header value shown in the report (display only)",
    "dnsaudit.dmarc.MAX_WALK": "RFC 9989 §4.10 bounds the DMARC tree walk at 8 queries: the protocol's rule, "
                               "not a limit on what is read",
    "dnsaudit.policy.SVG_MAX_BYTES": "the BIMI logo size limit is itself the finding (bimi-record says the SVG "
                                     "is over 32 KB)",
    # the language server: each limit is reported to the editor as a diagnostic (tests/test_lsp.py)
    "lsp.server.DEFAULT_MAX_BYTES": "a larger document gets a 'too large' diagnostic (tests/test_lsp.py)",
    "lsp.worker.DEFAULT_TIMEOUT": "a check over it gets a 'timed out' diagnostic and a fresh worker (tests/test_lsp.py)",
    "lsp.worker.START_TIMEOUT": "time allowed for the worker process to start; failing says so to the editor",
    "lsp.convert.RELATED_MAX": "related-information entries per diagnostic; every span still has its own diagnostic",
    "engine.morph.MAX_TAGGED": "hits of a rule past it are not tagged by the French pipeline: they are kept as "
                               "the context exceptions decide them, so they show in the finding "
                               "(tests/test_pos_context.py::test_tagging_is_bounded_per_scope)",
    "MAX_TERMS_PER_LANG": "size of the vocabulary calibrate writes, not a bound on reading",
    "MAX_CHARS": "sample size for language detection; every rule still reads the whole text",
    "_CHAR_CAP": "weight cap of one chunk in the language score, not a bound on input",
    "_CACHE_MAX": "size of a memo cache; a miss recomputes",
    "REGEX_TIMEOUT": "only for placeholder files loaded through the API (load_placeholders): a pattern that "
                     "times out keeps the matches found so far; no message to put a finding on there (known "
                     "gap, reported to the lead)",
}


def cap_constants() -> set[str]:
    found = set()
    for path in sorted((ROOT / "contentlint").rglob("*.py")):
        parts = path.relative_to(ROOT / "contentlint").with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for name in CAP_NAME.findall(path.read_text(encoding="utf-8")):
            if IS_CAP.search(name):
                found.add(f"{module}.{name}")
    return found


# -- helpers ------------------------------------------------------------------------------------------
HEAD = ("From: News <news@example.com>\nTo: reader@example.org\nSubject: Our letter\n"
        "Date: Tue, 01 Dec 2026 09:00:00 +0000\nMessage-ID: <l@example.com>\n")
UNSUB = '<a href="https://news.example.com/unsubscribe?u=1">Unsubscribe</a>'


def check(data: str | bytes, linter: Linter | None = None):
    (report,) = (linter or Linter()).check_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return report


def html_message(html: str) -> str:
    return HEAD + "Content-Type: text/html; charset=utf-8\n\n" + html


def problem_messages(report, rule="input-problem") -> list[str]:
    return [f.message for f in report.findings if f.rule == rule]


def rules_of(report) -> set[str]:
    return {f.rule for f in report.findings}


def run_json(*args):
    result = CliRunner().invoke(app, ["check", "--format", "json", *map(str, args)], catch_exceptions=False)
    return result, json.loads(result.stdout)


# -- the cases ----------------------------------------------------------------------------------------
def case_match_max():
    from contentlint.model import MATCH_MAX

    report = check(HEAD + "\nHello\n" + "!" * (MATCH_MAX + 100) + "\n")
    from contentlint.textcut import cut_finding

    (f,) = [cut_finding(f) for f in report.findings if f.rule == "excessive-punctuation"]
    assert f.matches[0] == "!" * MATCH_MAX + f"…({MATCH_MAX + 100} characters)"


def case_message_max(tmp_path):
    from contentlint.textcut import MESSAGE_MAX

    path = tmp_path / "bangs.eml"
    path.write_text(HEAD + "\nHello\n" + "!" * (MESSAGE_MAX * 3) + "\n", encoding="utf-8")
    _, doc = run_json(path)
    (f,) = [f for f in doc["results"][0]["findings"] if f["rule"] == "excessive-punctuation"]
    assert "characters cut)…" in f["message"] and len(f["message"]) <= MESSAGE_MAX + 40


def case_max_spans():
    from contentlint.model import MAX_SPANS

    report = check(HEAD + "\n" + "You are a winner. " * (MAX_SPANS + 20) + "\n")
    (f,) = [f for f in report.findings if f.rule == "risky-prize-terms"]
    assert len(f.spans) <= MAX_SPANS


def case_max_matches(tmp_path):
    from contentlint.engine.checkers import MAX_MATCHES

    pack = tmp_path / "house.yaml"
    pack.write_text(HOUSE_REGEX.format(pattern=r"\bxyzzy\d+\b"), encoding="utf-8")
    report = check(HEAD + "\n" + " ".join(f"xyzzy{i}" for i in range(MAX_MATCHES * 3)) + "\n",
                   Linter(rules=[str(pack)], select=["house-word"]))
    (f,) = report.findings
    assert len(f.matches) == MAX_MATCHES and f.message.startswith("“xyzzy0”")


HOUSE_REGEX = r"""pack: test-house
version: 1
description: A house regex rule.
rules:
  - id: house-word
    title: A house word
    description: Our house style forbids it.
    category: content
    level: warning
    weight: 1.0
    type: regex
    scope: [body]
    pattern: '{pattern}'
    message: "“{{match}}” is forbidden here."
    suggestion: "Remove “{{match}}”."
    examples:
      pass: ["A calm letter"]
      fail: ["say xyzzy1 and relay.evil.example"]
"""


def case_run_timeout(tmp_path):
    pack = tmp_path / "house.yaml"
    pack.write_text(HOUSE_REGEX.format(pattern=r"(?=.{0,300}?relay\.evil\.example)\w"), encoding="utf-8")
    path = tmp_path / "long.eml"
    path.write_text(HEAD + "\n" + "Our long letter about the relays of the world.\n" * 40_000, encoding="utf-8")
    _, doc = run_json(path, "--rules", pack, "--select", "house-word")
    (f,) = doc["results"][0]["findings"]
    assert f["rule"] == "house-word" and f["message"].startswith("Rule house-word timed out on this message")
    assert doc["results"][0]["verdict"] == "pass"   # reported, not scored
    text = CliRunner().invoke(app, ["check", str(path), "--rules", str(pack), "--select", "house-word"]).stdout
    assert "house-word  Rule house-word timed out on this message" in text


def case_probe_timeout(tmp_path):
    pack = tmp_path / "house.yaml"
    pack.write_text(HOUSE_REGEX.format(pattern=r"(a|a)+$"), encoding="utf-8")
    mail = tmp_path / "m.eml"
    mail.write_text(HEAD + "\nHello\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(mail), "--rules", str(pack)])
    assert result.exit_code == 2 and "catastrophic" in result.output


def case_max_input_bytes(monkeypatch, tmp_path):
    import contentlint.readers as readers

    monkeypatch.setattr(readers, "MAX_INPUT_BYTES", 1 << 20)
    with pytest.raises(ContentlintInputError) as err:
        check(HEAD + "\n" + "word " * 300_000)
    assert "input larger than 1 MB; not read" in str(err.value.errors[0])
    # in an mbox, only the oversize message is refused; the others are checked
    msg = HEAD + "\nHello\n"
    box = tmp_path / "big.mbox"
    box.write_text(f"From a@example.com\n{msg}\nFrom a@example.com\n{HEAD}\n{'word ' * 300_000}\n\n"
                   f"From a@example.com\n{msg}", encoding="utf-8")
    with pytest.raises(ContentlintInputError) as err:
        Linter().check_path(box)   # streamed: one message at a time
    assert [e.index for e in err.value.errors] == [1] and "message larger than 1 MB" in err.value.errors[0].message
    assert [r.index for r in err.value.reports] == [0, 2]


def case_max_text_links():
    from contentlint.readers import MAX_TEXT_LINKS

    body = "".join(f"Item {i}: https://shop.example.com/p/{i}\n" for i in range(MAX_TEXT_LINKS + 100))
    report = check(HEAD + "\n" + body + "Unsubscribe: https://news.example.com/unsubscribe?u=1\n")
    (said,) = problem_messages(report)
    assert f"{MAX_TEXT_LINKS + 101:,} links, more than the {MAX_TEXT_LINKS}" in said
    assert "missing-unsubscribe" not in rules_of(report)


def case_prefix_bytes():
    from contentlint.readers import PREFIX_BYTES, iter_messages
    import io

    to = "To: " + ", ".join(f"r{i}@example.org" for i in range(PREFIX_BYTES // 10)) + "\n"
    (msg,) = iter_messages(["-"], stdin=io.BytesIO((to + HEAD + "\nHello\n").encode()))
    assert msg.input_format == "eml" and msg.subject == "Our letter"


def case_line_limit():
    from contentlint.readers.mbox import LINE_LIMIT

    msg = HEAD + "\nHello\n"
    box = f"From a@example.com\n{HEAD}\n{'w' * (LINE_LIMIT * 2)}\n\nFrom a@example.com\n{msg}"
    from contentlint.readers import read_bytes

    first, second = read_bytes(box.encode(), "long-line.mbox")
    assert len(first.text) >= LINE_LIMIT * 2 and second.index == 1   # read in pieces, nothing dropped


def case_template_id_max(tmp_path):
    from contentlint.readers.mailjet import TEMPLATE_ID_MAX

    path = tmp_path / "send.json"
    path.write_text('{"Messages": [{"From": {"Email": "a@example.com"}, "To": [{"Email": "b@example.org"}], '
                    f'"TemplateID": {TEMPLATE_ID_MAX + 1}}}]}}', encoding="utf-8")
    _, doc = run_json(path)
    assert "out of range" in doc["errors"][0]["message"]


def _nested_multipart(depth: int) -> str:
    out = [HEAD]
    for d in range(depth):
        out.append(f'Content-Type: multipart/mixed; boundary="b{d}"\n\n--b{d}\n')
    out.append("Content-Type: text/plain\n\nHello\n")
    for d in reversed(range(depth)):
        out.append(f"--b{d}--\n")
    return "".join(out)


def case_mime_max_depth():
    from contentlint.readers.mime import MAX_DEPTH

    report = check(_nested_multipart(MAX_DEPTH + 10))
    assert any(f"nested more than {MAX_DEPTH} levels" in m for m in problem_messages(report, "mime-too-deep"))


def case_mime_max_parts():
    from contentlint.readers.mime import MAX_PARTS

    parts = "".join(f"--b\nContent-Type: text/plain\n\npart {i}\n" for i in range(MAX_PARTS + 50))
    report = check(HEAD + 'Content-Type: multipart/mixed; boundary="b"\n\n' + parts + "--b--\n")
    assert any(f"more than {MAX_PARTS} MIME parts" in m for m in problem_messages(report, "mime-too-deep"))


def case_max_header_lines():
    from contentlint.readers.mime import MAX_HEADER_LINES

    report = check(HEAD + "Received: from a\n" + " by b\n" * (MAX_HEADER_LINES + 10)
                   + "List-Unsubscribe: <https://news.example.com/u>\n\nHello\n")
    assert any("header-limit" in m for m in problem_messages(report))
    assert "missing-list-unsubscribe" not in rules_of(report)


def case_html_max_depth():
    report = check(html_message("<div>" * 100_000 + "Hello " + UNSUB))
    assert "html-too-deep" in rules_of(report)


def case_max_attributes():
    # one tag with 50,000 attributes (lexbor is quadratic in them): cut, reported, and the text still read
    from contentlint.html_text import MAX_ATTRIBUTES
    attrs = " ".join(f'data-x{i}="1"' for i in range(50_000))
    report = check(html_message(f"<p {attrs}>Gratuit : votre cadeau</p>" + UNSUB))
    assert any(f"only the first {MAX_ATTRIBUTES:,} were read" in m for m in problem_messages(report, "html-too-deep"))
    assert "missing-unsubscribe" not in rules_of(report)


def test_html_deep_link_is_still_seen():
    report = check(html_message("<div>" * 100_000 + "Hello " + UNSUB))
    assert "missing-unsubscribe" not in rules_of(report)


def case_prescan_tags():
    # depth 512 with more than PRESCAN_TAGS tags: the unsubscribe link after 2,100 <font> lines is seen
    from contentlint.html_text import PRESCAN_TAGS

    report = check(html_message("<p>Hello</p>" + "<font>news<br>\n" * 2100 + UNSUB))
    assert 2100 * 2 > PRESCAN_TAGS
    assert "missing-unsubscribe" not in rules_of(report)


def case_max_items():
    from contentlint.html_text import MAX_ITEMS

    report = check(html_message("<p>Hello</p>" + ''.join(f'<a href="https://shop.example.com/{i}">item</a>\n'
                                                          for i in range(MAX_ITEMS + 100))))
    assert any("html-too-many-links" in m for m in problem_messages(report))


def test_html_unsubscribe_after_max_items_images_is_seen():
    from contentlint.html_text import MAX_ITEMS

    report = check(html_message("<p>Hello</p>" + '<img src="https://cdn.example.com/i.png" alt="x">\n' * MAX_ITEMS
                                + UNSUB))
    assert "missing-unsubscribe" not in rules_of(report)


# DNS: the RFC 7208 limits are the SPF rules' own subject; each gives its finding
def _dns_rules(zone: str) -> dict:
    from contentlint.dnsaudit import audit_zone_text

    return {f.rule: f for f in audit_zone_text("example.com", zone)}


def case_lookup_limit():
    from contentlint.dnsaudit.spf import LOOKUP_LIMIT

    n = LOOKUP_LIMIT + 1
    includes = [f"include:i{i}.example.com" for i in range(n)]
    zone = f'example.com. 300 IN TXT "v=spf1 {" ".join(includes[:6])} " "{" ".join(includes[6:])} -all"\n'
    zone += "".join(f'i{i}.example.com. 300 IN TXT "v=spf1 ip4:192.0.2.{i} -all"\n' for i in range(n))
    assert "spf-too-many-lookups" in _dns_rules(zone)


def case_void_limit():
    zone = 'example.com. 300 IN TXT "v=spf1 a:old1.example.com a:old2.example.com a:old3.example.com -all"\n'
    assert "spf-void-lookups" in _dns_rules(zone)


def case_mx_host_limit():
    from contentlint.dnsaudit.spf import MX_HOST_LIMIT

    zone = 'example.com. 300 IN TXT "v=spf1 mx -all"\n' + "".join(
        f"example.com. 300 IN MX 10 mx{i}.example.com.\nmx{i}.example.com. 300 IN A 192.0.2.{i + 1}\n"
        for i in range(MX_HOST_LIMIT + 1))
    assert "spf-too-many-lookups" in _dns_rules(zone)


def case_udp_limit():
    ips = " ".join(f"ip4:198.51.100.{i}" for i in range(1, 60))
    text = f"v=spf1 {ips} -all"
    zone = "example.com. 300 IN TXT " + " ".join(f'"{text[k:k + 200]}"' for k in range(0, len(text), 200)) + "\n"
    found = _dns_rules(zone)
    assert "spf-syntax" in found and "512" in found["spf-syntax"].message


def case_max_domains():
    from contentlint.dnsaudit.spf import MAX_DOMAINS

    n = MAX_DOMAINS + 20
    zone = 'example.com. 300 IN TXT "v=spf1 include:c0.example.com -all"\n' + "".join(
        f'c{i}.example.com. 300 IN TXT "v=spf1 include:c{i + 1}.example.com -all"\n' for i in range(n))
    zone += f'c{n}.example.com. 300 IN TXT "v=spf1 -all"\n'
    found = _dns_rules(zone)
    assert "spf-too-many-lookups" in found and "at least" in found["spf-too-many-lookups"].message


# -- partials (contentlint/partials.py): each bound makes missing-unsubscribe an info that says so ---------
def _unsubscribe_info(root, html):
    report = Linter(template_roots=[root]).check_html(f"<html><body><p>Hello, our winter news.</p>{html}</body></html>")
    (f,) = [f for f in report.findings if f.rule == "missing-unsubscribe"]
    assert f.level == "info"
    return f.message


def case_max_include_depth(tmp_path):
    from contentlint.engine.builtins import MAX_INCLUDE_DEPTH

    for i in range(MAX_INCLUDE_DEPTH + 1):
        (tmp_path / f"p{i}.html").write_text(f"<p>Part {i}</p>{{{{> p{i + 1}}}}}")
    (tmp_path / f"p{MAX_INCLUDE_DEPTH + 1}.html").write_text(UNSUB)
    assert f"included more than {MAX_INCLUDE_DEPTH} levels deep: not followed" in _unsubscribe_info(tmp_path, "{{> p0}}")


def case_max_partial_bytes(tmp_path):
    from contentlint.partials import MAX_PARTIAL_BYTES

    (tmp_path / "footer.html").write_text(UNSUB + " " * MAX_PARTIAL_BYTES)
    assert "footer.html is larger than 1 MB: not read" in _unsubscribe_info(tmp_path, "{{> footer}}")


def case_max_lookups(tmp_path):
    from contentlint.partials import MAX_LOOKUPS

    message = _unsubscribe_info(tmp_path, "".join(f"{{{{> piece{i}}}}}" for i in range(MAX_LOOKUPS + 5)))
    assert "lookup budget of a message was spent" in message


def case_max_listings(tmp_path):
    from contentlint.partials import MAX_LISTINGS

    message = _unsubscribe_info(tmp_path, "".join(f"{{{{> d{i}/piece}}}}" for i in range(MAX_LISTINGS)))
    assert "lookup budget of a message was spent" in message


def case_max_files(tmp_path):
    from contentlint.partials import MAX_FILES

    for i in range(MAX_FILES + 5):
        (tmp_path / f"part{i}.html").write_text(f"<p>Part {i}</p>")
    message = _unsubscribe_info(tmp_path, "".join(f"{{{{> part{i}}}}}" for i in range(MAX_FILES + 5)))
    assert "lookup budget of a message was spent" in message


def case_max_entries(tmp_path):
    from contentlint.partials import MAX_ENTRIES

    for i in range(MAX_ENTRIES + 1):      # too many to list: the folder is probed name by name instead
        open(tmp_path / f"asset{i}.png", "wb").close()
    (tmp_path / "footer.html").write_text(UNSUB)
    report = Linter(template_roots=[tmp_path]).check_html("<html><body><p>Hello.</p>{{> footer}}</body></html>")
    assert "missing-unsubscribe" not in rules_of(report)


CASES = {
    "MATCH_MAX": case_match_max,
    "MESSAGE_MAX": case_message_max,
    "MAX_SPANS": case_max_spans,
    "MAX_MATCHES": case_max_matches,
    "RUN_TIMEOUT": case_run_timeout,
    "PROBE_TIMEOUT": case_probe_timeout,
    "MAX_INPUT_BYTES": case_max_input_bytes,
    "MAX_TEXT_LINKS": case_max_text_links,
    "PREFIX_BYTES": case_prefix_bytes,
    "LINE_LIMIT": case_line_limit,
    "TEMPLATE_ID_MAX": case_template_id_max,
    "readers.mime.MAX_DEPTH": case_mime_max_depth,
    "MAX_PARTS": case_mime_max_parts,
    "MAX_HEADER_LINES": case_max_header_lines,
    "html_text.MAX_DEPTH": case_html_max_depth,
    "PRESCAN_TAGS": case_prescan_tags,
    "MAX_ATTRIBUTES": case_max_attributes,
    "MAX_ITEMS": case_max_items,
    "LOOKUP_LIMIT": case_lookup_limit,
    "VOID_LIMIT": case_void_limit,
    "MX_HOST_LIMIT": case_mx_host_limit,
    "UDP_LIMIT": case_udp_limit,
    "MAX_DOMAINS": case_max_domains,
    "engine.builtins.MAX_INCLUDE_DEPTH": case_max_include_depth,
    "partials.MAX_PARTIAL_BYTES": case_max_partial_bytes,
    "partials.MAX_LOOKUPS": case_max_lookups,
    "partials.MAX_LISTINGS": case_max_listings,
    "partials.MAX_FILES": case_max_files,
    "partials.MAX_ENTRIES": case_max_entries,
}


def _covers(key: str, constant: str) -> bool:
    """A key is ``NAME`` (wherever the constant lives) or ``module.NAME`` (when two modules use the name)."""
    return constant == key or ("." not in key and constant.rsplit(".", 1)[-1] == key)


def test_every_cap_constant_has_a_case():
    found = cap_constants()
    assert found, "the grep found no cap constant: the pattern is broken"
    known = set(CASES) | set(NOT_CAPS)
    uncovered = {c for c in found if not any(_covers(k, c) for k in known)}
    assert uncovered == set(), "caps without a case (add one to CASES) or a reason (NOT_CAPS)"
    stale = {k for k in known if not any(_covers(k, c) for c in found)}
    assert stale == set(), "cases for caps that no longer exist"


def _params():
    for name, case in CASES.items():
        if isinstance(case, type(pytest.param(None))):
            yield pytest.param(*case.values, id=name, marks=case.marks)
        else:
            yield pytest.param(case, id=name)


@pytest.mark.parametrize("case", list(_params()))
def test_cap_is_said_on_the_message(case, request):
    import inspect

    kwargs = {name: request.getfixturevalue(name) for name in inspect.signature(case).parameters}
    case(**kwargs)


# -- shouted lines looked for only on the lines that can hold one ---------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = ["FREE", "MONEY", "NOW", "SNCF", "PDF", "A", "A-B", "L'ETE", "FREEdom", "Offer", "now", "2024",
           " ", "  ", ", ", "! ", "\n", " | ", "-", "'", "50%", "$", "Ok"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40), st.integers(min_value=1, max_value=5))
def test_shouted_runs_line_by_line_equal_the_runs_of_the_whole_text(pieces, min_run):
    from contentlint.engine.builtins import _shouted_runs, _shouted_runs_in

    text = "".join(pieces)
    acronyms = frozenset({"SNCF"})
    whole = _shouted_runs_in(text, acronyms, min_run, ((0, len(text)),)) if text else []
    assert _shouted_runs(text, acronyms, min_run) == (whole if re.search(r"[A-Z]{2}", text) else [])
