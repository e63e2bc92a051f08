"""Inline suppression: <!-- contentlint-disable … -->, -enable, -disable-file."""
from __future__ import annotations

import pytest

from contentlint.findings import Finding
from contentlint.model import INPUT_EML, INPUT_HTML, Location, Message, Part
from contentlint.suppress import apply, directives_for, parse_directives, rule_matches

HTML = """<html><body>
<p>line 2</p>
<!-- contentlint-disable risky-prize-terms, all-caps-words -->
<p>line 4 PRIZE</p>
<!-- contentlint-enable risky-prize-terms -->
<p>line 6 PRIZE</p>
<!-- contentlint-enable -->
<p>line 8</p>
</body></html>
"""


def finding(rule: str, line: int = 0, column: int = 0, part: str = "text/html") -> Finding:
    return Finding(rule=rule, category="content", level="warning", weight=1.0, message="m", suggestion="s",
                   location=Location(part=part, line=line, column=column))


def template(html: str) -> Message:
    return Message(source="t.html", input_format=INPUT_HTML, has_headers=False, html=html,
                   parts=[Part(label="text/html", content_type="text/html", text=html, start_line=1, file_mapped=True)])


def test_parse_positions_and_ids():
    ds = parse_directives(HTML)
    assert [(d.line, d.column, d.action, d.rules) for d in ds] == [
        (3, 1, "disable", ("risky-prize-terms", "all-caps-words")),
        (5, 1, "enable", ("risky-prize-terms",)),
        (7, 1, "enable", ()),
    ]


def test_other_comment_syntaxes_and_offsets():
    text = "a\n  {# contentlint-disable-file x-y #}\n{{!-- contentlint-disable a-b --}} {{! contentlint-enable }}"
    ds = parse_directives(text, first_line=10)
    assert [(d.line, d.column, d.action, d.rules) for d in ds] == [
        (11, 3, "disable-file", ("x-y",)),
        (12, 1, "disable", ("a-b",)),
        (12, 36, "enable", ()),
    ]


def test_plain_text_mention_is_not_a_directive():
    assert parse_directives("Write contentlint-disable x in a comment to silence it") == []
    assert parse_directives("<!-- contentlint-disabled x -->") == []


def test_ranges_apply_by_line():
    msg = template(HTML)
    findings = [
        finding("risky-prize-terms", 2, 5),     # before the range
        finding("risky-prize-terms", 4, 14),    # inside
        finding("all-caps-words", 4, 14),       # inside
        finding("risky-prize-terms", 6, 14),    # re-enabled at line 5
        finding("all-caps-words", 6, 14),       # still disabled until line 7
        finding("all-caps-words", 8, 1),        # bare enable re-enables all
        finding("other-rule", 4, 1),            # never disabled
        finding("all-caps-words", 0, 0, part="subject"),   # no line: ranges never apply
    ]
    kept = apply(findings, msg)
    assert [(f.rule, f.location.line) for f in kept] == [
        ("risky-prize-terms", 2), ("risky-prize-terms", 6), ("all-caps-words", 8), ("other-rule", 4),
        ("all-caps-words", 0),
    ]


def test_same_line_uses_columns_and_unknown_column_means_end_of_line():
    html = '<p><!-- contentlint-disable x-y -->FREE<!-- contentlint-enable x-y --> FREE</p>\n'
    msg = template(html)
    inside = finding("x-y", 1, 36)
    after = finding("x-y", 1, 74)
    unknown = finding("x-y", 1, 0)
    assert apply([inside, after, unknown], msg) == [after, unknown]


def test_disable_without_ids_then_enable_one():
    html = "<!-- contentlint-disable -->\n<p>x</p>\n<!-- contentlint-enable b-rule -->\n<p>y</p>\n"
    msg = template(html)
    kept = apply([finding("a-rule", 4), finding("b-rule", 4), finding("b-rule", 2)], msg)
    assert [(f.rule, f.location.line) for f in kept] == [("b-rule", 4)]


def test_disable_file_applies_with_or_without_line():
    html = "<p>hello</p>\n<!-- contentlint-disable-file missing-unsubscribe, subject -->\n"
    msg = template(html)
    kept = apply([finding("missing-unsubscribe"), finding("subject-too-long", 0, 0, "subject"),
                  finding("missing-unsubscribe", 1), finding("all-caps-words", 1)], msg)
    assert [f.rule for f in kept] == ["all-caps-words"]


def test_unclosed_disable_runs_to_the_end():
    msg = template("<p>a</p>\n<!-- contentlint-disable a-rule -->\n<p>b</p>\n")
    assert apply([finding("a-rule", 3), finding("a-rule", 1)], msg) == [finding("a-rule", 1)]


def test_mime_part_lines_are_file_lines_when_mapped():
    body = "<p>x</p>\n<!-- contentlint-disable a-rule -->\n<p>y</p>\n"
    part = Part(label="1 text/html", content_type="text/html", text=body, start_line=20, file_mapped=True)
    msg = Message(source="m.eml", input_format=INPUT_EML, html=body, parts=[part])
    # directive is on file line 21: a finding at file line 22 is inside, one at line 3 (a header) is not
    kept = apply([finding("a-rule", 22), finding("a-rule", 3, 1, "headers")], msg)
    assert [f.location.line for f in kept] == [3]


def test_encoded_part_directives_apply_only_to_that_part():
    body = "<p>x</p>\n<!-- contentlint-disable a-rule -->\n<p>y</p>\n"
    part = Part(label="1 text/html", content_type="text/html", text=body, encoding="base64", file_mapped=False)
    msg = Message(source="m.eml", input_format=INPUT_EML, html=body, parts=[part])
    ds = directives_for(msg)
    assert ds and ds[0].scope == "text/html"
    kept = apply([finding("a-rule", 3, 1, "text/html"), finding("a-rule", 3, 1, "headers")], msg)
    assert [f.location.part for f in kept] == ["headers"]


def test_no_marker_returns_the_same_list():
    msg = template("<p>plain</p>")
    findings = [finding("a-rule", 1)]
    assert apply(findings, msg) is findings


@pytest.mark.parametrize("rule, pattern, expected", [
    ("subject-too-long", "subject-too-long", True),
    ("subject-too-long", "subject", True),
    ("subject-too-long", "subject-", True),
    ("subject-too-long", "subj", False),
    ("subject-too-long", "subj*", True),
    ("risky-prize-terms", "risky-prize", True),
    ("risky-prize-terms", "prize", False),
])
def test_rule_patterns(rule, pattern, expected):
    assert rule_matches(rule, pattern) is expected


def test_suppression_through_the_linter(tmp_path):
    """A real template through the real pipeline: the directive silences exactly what it names."""
    from contentlint import Linter

    linter = Linter(select=["excessive-punctuation"])
    loud = "<html lang=\"en\"><body>\n<p>Amazing deals!!!</p>\n</body></html>\n"
    assert [f.rule for f in linter.check_html(loud).findings] == ["excessive-punctuation"]
    quiet = ("<html lang=\"en\"><body>\n<!-- contentlint-disable excessive-punctuation -->\n"
             "<p>Amazing deals!!!</p>\n<!-- contentlint-enable excessive-punctuation -->\n</body></html>\n")
    assert linter.check_html(quiet).findings == []
    other = quiet.replace("disable excessive-punctuation", "disable all-caps-words")
    assert [f.rule for f in linter.check_html(other).findings] == ["excessive-punctuation"]
    whole = "<!-- contentlint-disable-file excessive-punctuation -->\n" + loud
    report = linter.check_html(whole, subject="Deals!!!")
    assert report.findings == [] and report.score == 0
