"""Every input format: mbox, Send API payloads, templates, directories, stdin, sniffing by content."""
from __future__ import annotations

import io
import json
import os
import shutil

import pytest

from test_readers_helpers import CORPORA, ROOT, ensure_analysis_modules, read_one

ensure_analysis_modules()

from contentlint.model import INPUT_EML, INPUT_HTML, INPUT_MAILJET, INPUT_TEXT, Message  # noqa: E402
from contentlint.readers import InputError, ReadOptions, build_message, iter_messages, read_bytes  # noqa: E402

EXAMPLES = ROOT / "examples"


def sa_files():
    return sorted(CORPORA.glob("sa_*.eml"))


# ---------------------------------------------------------------- mbox
def test_mbox_of_real_messages_keeps_order_index_and_file_lines(tmp_path):
    files = sa_files()[:5]
    blobs = [f.read_bytes() for f in files]
    mbox = tmp_path / "box.mbox"
    mbox.write_bytes(b"\n".join(b if b.endswith(b"\n") else b + b"\n" for b in blobs))
    results = list(iter_messages([str(mbox)]))
    assert [r.index for r in results] == [0, 1, 2, 3, 4]
    singles = [read_one(b) for b in blobs]
    assert [r.subject for r in results] == [s.subject for s in singles]
    # the second message's headers start on the line after its "From " separator
    sep_line = blobs[0].count(b"\n") + 2  # message 0 lines, the joining blank line, then "From "
    assert results[1].part("text/rfc822-headers").start_line == sep_line + 1


def test_mbox_from_escaping_and_body_from_lines(tmp_path):
    data = (b"From alice@example.com Mon Jan  1 10:00:00 2024\n"
            b"From: alice@example.com\nSubject: one\n\n"
            b">From the archives: an escaped line\n"
            b"From the desk of Alice (not a separator: no blank line before, no date)\n\n"
            b"From bob@example.com Tue Jan  2 11:00:00 2024\n"
            b"From: bob@example.com\nSubject: two\n\nsecond body\n\n"
            b"From carol@example.com Wed Jan  3 12:00:00 2024\n"
            b"From: carol@example.com\nSubject: three\n\nthird\n")
    results = list(read_bytes(data, source="box.mbox"))
    assert [(r.index, r.subject) for r in results] == [(0, "one"), (1, "two"), (2, "three")]
    assert results[0].text.startswith("From the archives: an escaped line\nFrom the desk of Alice")
    assert results[2].part("text/plain").start_line == 18


def test_mbox_is_streamed_from_a_file_object_larger_than_the_sniff_prefix(tmp_path):
    one = b"From: a@example.com\nSubject: msg %d\n\n" + b"line of text\n" * 200
    parts = [b"From a@example.com Mon Jan  1 10:00:00 2024\n" + (one % i) + b"\n" for i in range(60)]
    data = b"".join(parts)
    assert len(data) > 64 * 1024
    box = tmp_path / "big.mbox"
    box.write_bytes(data)
    results = list(iter_messages([str(box)]))
    assert [r.subject for r in results] == [f"msg {i}" for i in range(60)]
    # the same through a non-seekable stream (standard input)
    results = list(iter_messages(["-"], stdin=io.BufferedReader(io.BytesIO(data))))
    assert [r.index for r in results] == list(range(60))


def test_single_corpus_file_with_mbox_line_is_one_message():
    (r,) = list(iter_messages([str(sa_files()[0])]))
    assert isinstance(r, Message) and r.index == 0


# ---------------------------------------------------------------- Mailjet Send API v3.1
def payload(messages, **top):
    return json.dumps({"Messages": messages, **top}).encode()


GOOD = {"From": {"Email": "news@example.com", "Name": "News"}, "To": [{"Email": "a@example.org"}],
        "Subject": "Hello", "TextPart": "Hi there", "HTMLPart": "<p>Hi there</p>"}


def test_mailjet_example_payload_globals_and_order():
    results = list(iter_messages([str(EXAMPLES / "mailjet-payload.json")]))
    assert [r.index for r in results] == [0, 1]
    first, second = results
    assert first.input_format == INPUT_MAILJET and not first.has_headers
    assert first.from_addr == "news@example.com" and first.from_name == "Northwind Outfitters"  # from Globals
    assert second.from_addr == "noreply@offres-flash.example.net"  # own value wins over Globals
    assert second.header("X-Priority") == "1" and second.header("List-Unsubscribe")  # Headers merged
    assert first.sandbox and second.sandbox


def test_mailjet_per_message_errors_name_the_field_and_others_still_read():
    bad_from = dict(GOOD, From={"Name": "No email"})
    no_content = {k: v for k, v in GOOD.items() if k not in ("TextPart", "HTMLPart")}
    bad_to = dict(GOOD, To=[{"Email": "x@example.org"}, {"Name": "nobody"}])
    results = list(read_bytes(payload([GOOD, "oops", bad_from, no_content, bad_to, GOOD]), source="p.json"))
    assert [r.index for r in results] == [0, 1, 2, 3, 4, 5]
    assert isinstance(results[0], Message) and isinstance(results[5], Message)
    assert results[1].message == "Messages[1]: expected an object, got a string"
    assert results[2].message == "Messages[2].From.Email: missing"
    assert "TextPart, HTMLPart or TemplateID" in results[3].message
    assert results[4].message == "Messages[4].To[1].Email: missing"


def test_mailjet_template_id_without_content_is_a_problem():
    m = dict(GOOD, TemplateID=123456, TemplateLanguage=True, Variables={"name": "Alex"})
    del m["TextPart"], m["HTMLPart"]
    (r,) = list(read_bytes(payload([m])))
    assert [p.code for p in r.problems] == ["remote-template"]


@pytest.mark.parametrize("data,expect", [
    (b'{"Messages": [ {"From": }]}', "invalid JSON at line 1 column 25"),
    (b'{"Messages": {}}', "Messages: expected a list, got an object"),
    (b'{"Messages": []}', "Messages: empty list"),
    (b'{"From": 1}', "not a Mailjet Send API v3.1 payload"),
    (b'{"Messages": [1], "SandboxMode": "yes"}', "SandboxMode: expected true or false"),
    (b"[" * 100000 + b"]" * 100000, "JSON"),
])
def test_mailjet_whole_payload_errors(data, expect):
    (err,) = list(read_bytes(data, source="p.json", hint_ext=".json"))
    assert isinstance(err, InputError) and expect in err.message


def test_invalid_json_reports_line_and_column_on_later_line():
    data = b'{\n  "Messages": [\n    {"From": {"Email": "a@b.c"},,}\n  ]\n}\n'
    (err,) = list(read_bytes(data, source="p.json"))
    assert err.message.startswith("invalid JSON at line 3 column 33")


# ---------------------------------------------------------------- templates
def test_template_front_matter_placeholders_and_lines():
    path = EXAMPLES / "template-fr.html"
    (msg,) = list(iter_messages([str(path)]))
    assert msg.input_format == INPUT_HTML and not msg.has_headers and msg.headers == []
    assert msg.subject == "[[var:prenom]], vos idées lecture de mars"
    assert msg.from_addr == "bonjour@librairie.example.fr" and msg.from_name == "Librairie des Quais"
    assert msg.preheader == "Trois romans, un essai et nos rencontres en librairie ce mois-ci."
    assert (msg.lang, msg.lang_source) == ("fr", "front-matter")
    assert "[[UNSUB_LINK_FR]]" in msg.placeholders and "[[var:prenom]]" in msg.placeholders
    html = msg.part("text/html")
    assert html.file_mapped and html.start_line == 7
    assert msg.html.startswith("<!DOCTYPE html>")


def test_template_options_override_and_title_fallback():
    html = b"<html><head><title>Spring sale</title></head><body><p>Hello</p></body></html>"
    msg = read_one(html, source="t.html")
    assert msg.subject == "Spring sale" and msg.from_addr is None
    msg = read_one(html, source="t.html", options=ReadOptions(subject="Forced", sender="Shop <shop@example.com>",
                                                                lang="de"))
    assert msg.subject == "Forced" and msg.from_domain == "example.com"
    assert (msg.lang, msg.lang_source) == ("de", "option")


def test_real_templates_from_corpora():
    for path in sorted(CORPORA.glob("tpl_*.html")):
        (msg,) = list(iter_messages([str(path)]))
        assert msg.input_format == INPUT_HTML and msg.html and msg.problems == []
    (msg,) = list(iter_messages([str(next(CORPORA.glob("tpl_postmark*")))]))
    assert "{{name}}" in msg.placeholders or any("name" in p for p in msg.placeholders)


def test_plain_text_with_front_matter_and_bad_yaml():
    msg = read_one(b"---\nsubject: Hello: world\nfrom: a@example.com\n---\nHi there\n", source="x.txt")
    assert msg.input_format == INPUT_TEXT and msg.text == "Hi there\n"
    assert msg.subject == "Hello: world" and [p.code for p in msg.problems] == ["bad-front-matter"]
    assert msg.part("text/plain").start_line == 5


def test_unclosed_front_matter_is_reported():
    msg = read_one(b"---\nsubject: x\n<p>hello</p>\n", source="x.html")
    assert [p.code for p in msg.problems] == ["bad-front-matter"]


def test_template_in_windows_1252_is_read_with_a_problem():
    msg = read_one("<p>Caf\u00e9 cr\u00e8me offert</p>".encode("cp1252"), source="t.html")
    assert "Café crème" in msg.html and [p.code for p in msg.problems] == ["wrong-charset"]


# ---------------------------------------------------------------- sniffing by content
def test_extension_is_only_a_hint(tmp_path):
    eml = tmp_path / "actually-a-message.txt"
    eml.write_bytes((EXAMPLES / "newsletter-en.eml").read_bytes())
    html = tmp_path / "actually-html.eml"
    html.write_bytes(b"<!doctype html><html><body><p>Hello</p></body></html>")
    payload_file = tmp_path / "payload.txt"
    payload_file.write_bytes(payload([GOOD]))
    kinds = [r.input_format for r in iter_messages([str(eml), str(html), str(payload_file)])]
    assert kinds == [INPUT_EML, INPUT_HTML, INPUT_MAILJET]


def test_jinja_template_starting_with_braces_is_not_json():
    msg = read_one(b"{% extends 'base.html' %}\n{{ greeting }}, welcome!\n", source="t.txt")
    assert msg.input_format == INPUT_TEXT


def test_stdin_bytes_and_streams():
    data = (EXAMPLES / "promo-fr.eml").read_bytes()
    (a,) = list(iter_messages(["-"], stdin=io.BytesIO(data)))
    (b,) = list(iter_messages(["-"], stdin=data))
    assert a.source == "-" and a.subject == b.subject
    assert a.subject.startswith("GRATUIT !!! Votre CADEAU")
    assert "FÉLICITATIONS" in a.html  # ISO-8859-1 quoted-printable decoded


# ---------------------------------------------------------------- directories
def test_directory_walk_sorted_with_symlink_loop_and_unreadable_entries(tmp_path):
    root = tmp_path / "repo"
    (root / "b").mkdir(parents=True)
    (root / "a").mkdir()
    (root / ".git").mkdir()
    (root / ".git" / "x.html").write_text("<p>ignored</p>")
    shutil.copy(EXAMPLES / "template-fr.html", root / "a" / "fr.html")
    shutil.copy(EXAMPLES / "newsletter-en.eml", root / "b" / "news.eml")
    (root / "z.htm").write_text("<p>top level</p>")
    (root / "notes.md").write_text("not read")
    (root / "b" / "loop").symlink_to(root, target_is_directory=True)       # symlink loop
    (root / "a" / "gone.eml").symlink_to(root / "missing.eml")              # dangling link
    os.mkfifo(root / "a" / "pipe.eml")                                       # would block a naive reader
    (root / "package.json").write_text('{"name": "templates"}')              # foreign JSON: skipped
    results = list(iter_messages([str(root)]))
    names = [(os.path.relpath(r.source, root), type(r).__name__) for r in results]
    assert names == [
        ("z.htm", "Message"),
        ("a/fr.html", "Message"),
        ("a/gone.eml", "InputError"),
        ("a/pipe.eml", "InputError"),
        ("b/news.eml", "Message"),
    ]
    assert "broken symbolic link" in results[2].message
    assert "FIFO" in results[3].message


def test_unreadable_file_is_an_error_and_the_next_input_is_read(tmp_path, monkeypatch):
    good = tmp_path / "good.html"
    good.write_text("<p>Hello</p>")
    secret = tmp_path / "secret.html"
    secret.write_text("<p>x</p>")
    real_open = open

    def fake_open(path, *a, **kw):
        if str(path) == str(secret):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *a, **kw)

    monkeypatch.setattr("builtins.open", fake_open)
    results = list(iter_messages([str(secret), str(tmp_path / "nope.eml"), str(good)]))
    assert isinstance(results[0], InputError) and results[0].message == "cannot read: Permission denied"
    assert isinstance(results[1], InputError) and "no such file" in results[1].message
    assert isinstance(results[2], Message)


def test_a_bug_in_one_input_becomes_an_input_error(monkeypatch, tmp_path):
    import contentlint.readers.template as template

    def boom(*a, **kw):
        raise ValueError("kaboom")

    monkeypatch.setattr(template, "read_template", boom)
    a = tmp_path / "a.html"
    a.write_text("<p>x</p>")
    b = tmp_path / "b.eml"
    b.write_bytes((EXAMPLES / "newsletter-en.eml").read_bytes())
    first, second = list(iter_messages([str(a), str(b)]))
    assert isinstance(first, InputError) and first.message.startswith("internal error reading")
    assert "kaboom" in first.message
    assert isinstance(second, Message)


# ---------------------------------------------------------------- build_message
def test_build_message_headers_mean_has_headers():
    m = build_message(subject="Hi", html="<p>Hello</p>", headers=[], input_format=INPUT_EML)
    assert m.has_headers and m.subject == "Hi"
    m = build_message(headers={"From": "Shop <Shop@Example.COM>", "Subject": "=?utf-8?Q?Caf=C3=A9?=",
                               "Reply-To": "help@example.net"}, text="x", input_format=INPUT_EML)
    assert (m.subject, m.from_addr, m.reply_to_domain) == ("Café", "shop@example.com", "example.net")
    m = build_message(text="Hello")
    assert not m.has_headers and m.text == "Hello"
