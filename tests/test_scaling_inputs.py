"""Huge hostile inputs of the scaling benchmark (bench/scaling.py) read the way small ones do.

The helpers these go through were quadratic on them (a regex tried from every position of a long run);
the linear versions must give the same results.  Speed itself is measured by the benchmark, not here.
"""
from __future__ import annotations

import re

import pytest

from contentlint.api import Linter
from contentlint.html_text import analyse_html
from contentlint.placeholders import default_placeholders
from contentlint.readers import read_bytes
from contentlint.readers.mime import parse_address, parse_params

N = 160_000          # the sizes issue 11 lists


def eml(*, content_type: str = "text/html; charset=utf-8", sender: str = "Shop News <news@shop.example.com>",
        body: str = "<html><body><p>Spring news for you.</p></body></html>") -> bytes:
    return ("To: alice@example.org\r\n"
            f"From: {sender}\r\n"
            "Subject: Our spring collection\r\n"
            "Date: Tue, 01 Dec 2026 09:00:00 +0000\r\n"
            "MIME-Version: 1.0\r\n"
            f"Content-Type: {content_type}\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n" + body).encode("utf-8")


def read(data: bytes):
    (msg,) = list(read_bytes(data, source="big.eml", hint_ext=".eml"))
    return msg


def analyse(html: str):
    return analyse_html(html, default_placeholders())


# ---------------------------------------------------------------- Content-Type parameters
def test_huge_quoted_parameter_is_read_whole():
    ctype, params = parse_params('text/html; charset="utf-8"; x-campaign="' + "x" * N + '"; format=flowed')
    assert ctype == "text/html"
    assert params == {"charset": "utf-8", "x-campaign": "x" * N, "format": "flowed"}


def test_parameter_without_equals_is_skipped_and_the_next_ones_read():
    _, params = parse_params("text/html; charset=utf-8; " + "x" * N + "; format=flowed")
    assert params == {"charset": "utf-8", "format": "flowed"}
    _, params = parse_params("text/html; " + '"' * N)
    assert params == {}


def test_parameter_glued_to_a_quoted_value_is_still_read():
    # finditer resumed right after the previous value: the linear scan keeps that
    assert parse_params('multipart/mixed; boundary="b1"charset=utf-8')[1] == {"boundary": "b1", "charset": "utf-8"}
    assert parse_params("text/plain;  \t name = a.txt ;x=1")[1] == {"name": "a.txt", "x": "1"}


def test_message_with_a_huge_content_type_parameter_reads_its_body():
    msg = read(eml(content_type='text/html; charset=utf-8; x-campaign="' + "x" * N + '"'))
    assert "Spring news for you." in msg.html
    assert msg.problems == []


def test_message_with_a_huge_parameter_without_equals_reads_its_charset():
    body = "<html><body><p>Nos nouveautés de printemps.</p></body></html>"
    msg = read(eml(content_type="text/html; charset=iso-8859-1; " + "x" * N, body=body).replace(
        body.encode("utf-8"), body.encode("latin-1")))
    assert "Nos nouveautés de printemps." in msg.html


# ---------------------------------------------------------------- addresses
def test_from_without_at_is_a_name_without_address():
    value = "Shop " + "x" * N
    assert parse_address(value) == (value, None, None)
    msg = read(eml(sender=value))
    assert msg.from_addr is None and msg.from_domain is None
    assert "Spring news for you." in msg.html


def test_address_after_a_run_without_at_is_found():
    name, addr, domain = parse_address("x" * N + "; news@shop.example.com")
    assert (addr, domain) == ("news@shop.example.com", "shop.example.com")
    # an unclosed bracket full of "@": read as a small one is (garbage in, the first "a@a" out)
    assert parse_address("Shop <" + "a@" * (N // 2)) == parse_address("Shop <a@a@a@") == ("Shop", "a@a", "a")


# ---------------------------------------------------------------- <style> sheets and tags
def test_hiding_class_after_many_at_signs_still_hides():
    res = analyse("<html><head><style>.hide { display: none }\n" + "@" * N + "</style></head>"
                  '<body><p>Shown text.</p><p class="hide">Secret text.</p></body></html>')
    assert "Shown text." in res.visible_text and "Secret text." not in res.visible_text


def test_media_block_after_many_at_signs_is_still_skipped():
    # a class hidden only inside @media (mobile) stays visible; the plain rule after it hides
    res = analyse("<html><head><style>" + "@" * N + "@media (max-width: 600px) { .m { display: none } } "
                  ".x { display: none }</style></head>"
                  '<body><p class="m">Desktop text.</p><p class="x">Secret text.</p></body></html>')
    assert "Desktop text." in res.visible_text and "Secret text." not in res.visible_text


def test_unclosed_css_comments_leave_the_rule_before_them():
    res = analyse("<html><head><style>.hide { display: none } " + "/* " * N + "</style></head>"
                  '<body><p>Shown text.</p><p class="hide">Secret text.</p></body></html>')
    assert "Shown text." in res.visible_text and "Secret text." not in res.visible_text


def test_closed_css_comment_is_dropped():
    res = analyse("<html><head><style>/* .x { color: red } */ .hide { display: none } /* end */</style></head>"
                  '<body><p>Shown text.</p><p class="hide">Secret text.</p></body></html>')
    assert "Shown text." in res.visible_text and "Secret text." not in res.visible_text


def test_many_unclosed_b_keep_the_text_before_them():
    res = analyse("<html><body><p>Spring news for you.</p>\n" + "<b" * N)
    assert "Spring news for you." in res.visible_text
    assert not res.problems


# ---------------------------------------------------------------- capitals
def _word(i: int) -> str:
    out, cons, vows = [], "bcdfghjklmnprstvwxz", "aeiou"
    i += 1
    while i:
        i, r = divmod(i, len(cons) * len(vows))
        out.append(cons[r // len(vows)] + vows[r % len(vows)])
    return "".join(out)


@pytest.fixture(scope="module")
def linter():
    return Linter()


def test_body_of_many_distinct_capital_words_is_counted_and_rewritten(linter):
    n = 16_000
    words = [_word(i).upper() for i in range(n)]
    lines = "\n".join(" ".join(words[i:i + 8]) + "." for i in range(0, n, 8))
    (report,) = linter.check_bytes(eml(body=f"<html><body><p>{lines}</p></body></html>"), hint_ext=".eml")
    (caps,) = [f for f in report.findings if f.rule == "all-caps-body"]
    # shouted lines are reported as lines (issue 14), with their words counted
    found = re.search(r"(\d+) of the (\d+) words", caps.message) or re.search(r"\((\d+) words\)", caps.message)
    counted = int(found.group(1))
    assert n - 50 < counted <= n               # a few two-letter words are known acronyms
    # eight words shown, the rest counted: each distinct word once
    assert caps.suggestion.count("→") == 8
    assert f"(+{counted - 8} more)" in caps.suggestion
    # a word after a full stop starts a sentence: capitalised, the others lower-cased
    assert f"“{words[0]}” → “{words[0].capitalize()}”" in caps.suggestion
    assert f"“{words[1]}” → “{words[1].lower()}”" in caps.suggestion


# ---------------------------------------------------------------- template tags
def test_unclosed_template_tags_do_not_hide_the_real_ones():
    ps = default_placeholders()
    text = "Hello {{ first_name }}, " + "{% if " * N + " {% endif %} <% x %> {# note #}"
    tokens = ps.tokens(text)
    assert tokens[0] == "{{ first_name }}"
    # as the regex reads it: the tag runs from the first opening within 1,000 characters of "%}"
    assert tokens[1].startswith("{% if {% if ") and tokens[1].endswith(" {% endif %}")
    assert len(tokens[1]) <= 1004 and tokens[2:] == ["<% x %>", "{# note #}"]
    # an opening further than the window from its closing is not a tag
    assert ps.tokens("{% if " + "x" * 1200 + " %}") == []
