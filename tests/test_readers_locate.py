"""locate(): line:column in the input file for findings."""
from __future__ import annotations

from test_readers_helpers import ROOT, ensure_analysis_modules, read_one

ensure_analysis_modules()

from contentlint.locate import locate  # noqa: E402
from contentlint.readers import iter_messages  # noqa: E402

EXAMPLES = ROOT / "examples"


def file_line_col(path, needle):
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        i = line.lower().find(needle.lower())
        if i >= 0:
            return n, i + 1
    raise AssertionError(needle)


def test_unencoded_html_part_gives_file_line_and_column():
    path = EXAMPLES / "newsletter-en.eml"
    (msg,) = list(iter_messages([str(path)]))
    loc = locate(msg, "re-proofing your jacket", "text/html")
    assert (loc.line, loc.column) == file_line_col(path, "re-proofing your jacket</a>")
    assert loc.part == "text/html" and "re-proofing your jacket" in loc.excerpt and len(loc.excerpt) <= 80


def test_text_part_and_case_insensitive():
    path = EXAMPLES / "newsletter-en.eml"
    (msg,) = list(iter_messages([str(path)]))
    loc = locate(msg, "THE 5-MINUTE checklist", "text/plain")
    assert (loc.line, loc.column) == file_line_col(path, "the 5-minute checklist")


def test_subject_and_from_headers_point_at_their_lines():
    path = EXAMPLES / "newsletter-en.eml"
    (msg,) = list(iter_messages([str(path)]))
    loc = locate(msg, "trail guide", "subject")
    assert (loc.line, loc.column) == file_line_col(path, "trail guide is here")
    assert locate(msg, "news@example.com", "from").line == file_line_col(path, "From: Northwind")[0]


def test_encoded_subject_points_at_the_header_line():
    path = EXAMPLES / "promo-fr.eml"
    (msg,) = list(iter_messages([str(path)]))
    loc = locate(msg, "CADEAU", "subject")
    assert loc.line == file_line_col(path, "Subject:")[0]


def test_quoted_printable_part_gives_position_inside_decoded_part():
    (msg,) = list(iter_messages([str(EXAMPLES / "promo-fr.eml")]))
    loc = locate(msg, "félicitations", "text/html")
    decoded_lines = msg.html.split("\n")
    assert "FÉLICITATIONS" in decoded_lines[loc.line - 1]
    assert decoded_lines[loc.line - 1][loc.column - 1:].startswith("FÉLICITATIONS")


def test_template_front_matter_and_body_lines():
    path = EXAMPLES / "template-fr.html"
    (msg,) = list(iter_messages([str(path)]))
    assert locate(msg, "idées lecture", "subject").line == 2
    loc = locate(msg, "Découvrir la sélection", "text/html")
    assert (loc.line, loc.column) == file_line_col(path, "Découvrir la sélection")


def test_whitespace_entities_and_tags_between_words():
    html = b"<p>Livraison\n   <b>100%</b>&nbsp;gratuite et l&rsquo;offre d&eacute;j&agrave; l&agrave;</p>"
    msg = read_one(html, source="t.html")
    loc = locate(msg, "100% gratuite", "text/html")
    line2 = html.decode().split("\n")[1]
    assert (loc.line, loc.column) == (2, line2.index("100%") + 1)
    loc = locate(msg, "l’offre déjà là", "text/html")
    assert (loc.line, loc.column) == (2, line2.index("l&rsquo;offre") + 1)


def test_not_found_and_garbage_never_raise():
    msg = read_one(b"<p>hello</p>", source="t.html")
    loc = locate(msg, "absent words", "text/html")
    assert (loc.line, loc.column) == (0, 0) and loc.excerpt == "absent words"
    assert locate(msg, "", "nonsense").line == 0
    assert locate(msg, "(((" * 100, "body").line == 0
