"""RFC 5322 / MIME reading: real SpamAssassin messages from corpora/ and hand-made hostile ones."""
from __future__ import annotations

import base64
import email
import email.policy
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest

from test_readers_helpers import CORPORA, ensure_analysis_modules, read_one

ensure_analysis_modules()

from contentlint.model import INPUT_EML, Message  # noqa: E402
from contentlint.readers import InputError, read_bytes, read_email_message  # noqa: E402
from contentlint.readers.mime import MAX_DEPTH, decode_words, parse_address  # noqa: E402


def corpus(prefix: str) -> tuple[str, bytes]:
    (path,) = sorted(CORPORA.glob(prefix + "*"))
    return str(path), path.read_bytes()


def codes(msg: Message) -> list[str]:
    return [p.code for p in msg.problems]


# ---------------------------------------------------------------- real messages
def test_plain_ham_headers_addresses_and_mbox_line():
    path, data = corpus("sa_easy_ham__00001")
    msg = read_one(data, source=path)
    assert msg.input_format == INPUT_EML and msg.has_headers and msg.index == 0
    assert msg.subject == "Re: New Sequences Window"
    assert msg.from_addr == "kre@munnari.oz.au" and msg.from_domain == "munnari.oz.au"
    assert msg.return_path == "exmh-workers-admin@spamassassin.taint.org"
    assert msg.return_path_domain == "spamassassin.taint.org"
    assert msg.html is None and "Date:        Wed, 21 Aug 2002" in msg.text
    assert msg.problems == []
    # the file starts with an mbox "From " line: headers start on line 2
    assert msg.part("text/rfc822-headers").start_line == 2
    assert msg.header("delivered-to") == "zzzz@localhost.netnoteinc.com"


def test_multipart_alternative_quoted_printable_latin1():
    path, data = corpus("sa_easy_ham_2__00571")
    msg = read_one(data, source=path)
    assert [p.label for p in msg.parts] == ["headers", "1 text/plain", "2 text/html"]
    html = msg.part("text/html")
    assert html.encoding == "quoted-printable" and not html.file_mapped
    assert "=3D" not in msg.html and "=\n" not in msg.html  # QP decoded
    assert msg.text and msg.problems == []


def test_multipart_related_base64_with_inline_images_listed_not_decoded():
    path, data = corpus("sa_hard_ham__00240")
    msg = read_one(data, source=path)
    assert msg.part("text/html").encoding == "base64"
    assert "<html" in msg.html.lower()
    assert len(msg.attachments) == 18
    assert msg.attachments[1] == "logo.gif (image/gif, 1161 bytes, inline)"


def test_rfc2047_subjects_latin1_and_iso2022jp():
    msg = read_one(corpus("sa_easy_ham__02434")[1])
    assert msg.subject == "Re: RE: [zzzzteana] Sitting Bull über alles [Long]"
    msg = read_one(corpus("sa_hard_ham__00042")[1])
    assert msg.subject.startswith("Re: 三菱化学エンジニアリング様")
    assert msg.part("text/plain").charset == "iso2022_jp"


def test_big5_base64_html_in_related():
    msg = read_one(corpus("sa_spam_2__00215")[1])
    part = msg.part("text/html")
    assert part.charset == "big5" and part.label == "1.1 text/html"
    assert "hlc.no-ip.org" in msg.html


def test_unknown_declared_charset_is_a_problem_not_a_crash():
    msg = read_one(corpus("sa_spam_2__00002")[1])
    assert "unknown-charset" in codes(msg)
    assert "DEFAULT" in msg.problems[0].message
    assert msg.html


def test_nul_byte_removed_and_reported():
    msg = read_one(corpus("sa_spam_2__01384")[1])
    assert "nul-bytes" in codes(msg)
    assert "\x00" not in (msg.text or "") + (msg.html or "")


def test_truncated_multipart_and_mislabelled_ascii():
    msg = read_one(corpus("sa_spam__00022")[1])
    assert set(codes(msg)) >= {"malformed-mime", "wrong-charset"}
    assert any("no closing boundary" in p.message for p in msg.problems)
    assert msg.text


def test_multipart_signed_signature_is_an_attachment():
    msg = read_one(corpus("sa_easy_ham_2__00565")[1])
    assert msg.text and len(msg.attachments) == 1
    assert "application/pgp-signature" in msg.attachments[0]


# ---------------------------------------------------------------- hand-made edge cases
def mk(headers: str, body: bytes) -> bytes:
    return headers.encode() + b"\n" + body


def test_utf8_bytes_labelled_latin1_are_read_as_utf8():
    data = mk("From: a@b.com\nSubject: t\nContent-Type: text/plain; charset=iso-8859-1\n",
              "Déjà vu, café crème".encode("utf-8"))
    msg = read_one(data)
    assert msg.text == "Déjà vu, café crème"
    assert codes(msg) == ["wrong-charset"]


def test_latin1_declared_is_read_as_windows_1252():
    data = mk("From: a@b.com\nSubject: t\nContent-Type: text/plain; charset=ISO-8859-1\n",
              "Prix : 10 \u20ac, d\u00e9j\u00e0".encode("cp1252"))
    msg = read_one(data)
    assert msg.text == "Prix : 10 €, déjà" and msg.problems == []


@pytest.mark.parametrize("label", ["x-unknown", "base64", "utf-99", "\"\""])
def test_unknown_charset_with_8bit_falls_back(label):
    data = mk(f"From: a@b.com\nSubject: t\nContent-Type: text/plain; charset={label}\n", "naïve".encode("utf-8"))
    msg = read_one(data)
    assert msg.text == "naïve"
    assert codes(msg) in (["unknown-charset"], ["missing-charset"])


def test_wrong_multibyte_charset_falls_back_to_cp1252():
    data = mk("From: a@b.com\nSubject: t\nContent-Type: text/plain; charset=utf-8\n", "Fran\u00e7ais".encode("cp1252"))
    msg = read_one(data)
    assert msg.text == "Français" and codes(msg) == ["wrong-charset"]


def test_truncated_base64_decodes_what_it_can():
    encoded = base64.b64encode("Bonjour à tous, voici la lettre de mars.".encode()).decode()
    data = mk("From: a@b.com\nSubject: t\nContent-Type: text/plain; charset=utf-8\n"
              "Content-Transfer-Encoding: base64\n", encoded[:-7].encode())
    msg = read_one(data)
    assert msg.text.startswith("Bonjour à tous, voici la lettre")
    assert codes(msg) == ["truncated-base64"]


def test_base64_encoded_line_by_line_with_padding_on_each_line():
    lines = b"\n".join(base64.b64encode(w.encode()) for w in ("Hello ", "world", "!"))
    data = mk("From: a@b.com\nSubject: t\nContent-Transfer-Encoding: base64\n", lines)
    assert read_one(data).text == "Hello world!"


def nested_multipart(n: int, headers: bytes = b"From: a@b.com\nSubject: deep\n") -> bytes:
    """A text/plain "hello" inside ``n`` nested multipart/mixed parts."""
    parts = [headers]
    for i in range(n):
        parts.append(b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i))
    parts.append(b"Content-Type: text/plain\n\nhello\n")
    for i in reversed(range(n)):
        parts.append(b"--b%d--\n" % i)
    return b"".join(parts)


def test_nested_multipart_1000_deep_no_recursion_error():
    msg = read_one(nested_multipart(1000, b"From: a@b.com\nSubject: deep\nMIME-Version: 1.0\n"))
    assert "mime-too-deep" in codes(msg)
    assert str(MAX_DEPTH) in msg.problems[0].message


def test_nesting_within_limit_is_read():
    n = 20
    msg = read_one(nested_multipart(n))
    assert msg.text == "hello" and msg.problems == []
    assert msg.parts[1].label == ".".join(["1"] * n) + " text/plain"


def test_multipart_without_boundary_parameter():
    msg = read_one(mk("From: a@b.com\nSubject: t\nContent-Type: multipart/alternative\n", b"just text\n"))
    assert codes(msg) == ["malformed-mime"]
    assert "no boundary parameter" in msg.problems[0].message
    assert msg.text == "just text\n"


def test_boundary_that_never_appears():
    msg = read_one(mk('From: a@b.com\nSubject: t\nContent-Type: multipart/mixed; boundary="XYZ"\n',
                      b"--ABC\nContent-Type: text/plain\n\nhi\n--ABC--\n"))
    assert codes(msg) == ["malformed-mime"]
    assert '"XYZ" never appears' in msg.problems[0].message


def test_headers_without_separator_line():
    msg = read_one(b"From: a@b.com\nSubject: t\nThis line is body text\nmore\n")
    assert msg.subject == "t"
    assert "malformed-mime" in codes(msg)
    assert msg.text == "This line is body text\nmore\n"


def test_malformed_encoded_words_do_not_crash():
    assert decode_words("=?utf-8?B?###?= ok") .endswith("ok")
    assert decode_words("=?nonexistent?Q?abc?=") == "abc"
    assert decode_words("=?utf-8?Q?caf=C3?= =?utf-8?Q?=A9?=") == "café"  # split multibyte character
    assert decode_words("plain =?broken") == "plain =?broken"


@pytest.mark.parametrize("value,expected", [
    ('"Boutique" <News@Exemple.FR>', ("Boutique", "news@exemple.fr", "exemple.fr")),
    ("=?utf-8?Q?Caf=C3=A9_Martin?= <cafe@example.com>", ("Café Martin", "cafe@example.com", "example.com")),
    ("<>", (None, None, None)),
    ("undisclosed-recipients:;", (None, None, None)),
    ("garbage <<<@@@>>> a@b", (None, None, None)),
    ("no address at all", ("no address at all", None, None)),
])
def test_addresses_robust_to_garbage(value, expected):
    name, addr, domain = parse_address(value)
    if expected[1] is not None:
        assert (name, addr, domain) == expected
    else:
        assert domain is None or "@" not in domain


def test_attachment_listed_with_name_type_size():
    outer = MIMEMultipart("mixed")
    outer["From"] = "a@b.com"
    outer["Subject"] = "invoice"
    outer.attach(MIMEText("See attached.", "plain", "utf-8"))
    from email.mime.application import MIMEApplication

    att = MIMEApplication(b"%PDF-1.4 " + b"x" * 3000, "pdf")
    att.add_header("Content-Disposition", "attachment", filename="facture-mars.pdf")
    outer.attach(att)
    msg = read_one(outer.as_bytes())
    assert msg.text == "See attached."
    (desc,) = msg.attachments
    assert desc.startswith("facture-mars.pdf (application/pdf, ")
    size = int(desc.split(", ")[1].split()[0])
    assert 3000 <= size <= 3020


def test_read_email_message_from_stdlib_objects():
    m = MIMEMultipart("alternative")
    m["From"] = "Équipe <news@example.fr>"
    m["Subject"] = "Lettre de mars"
    m.attach(MIMEText("Bonjour à tous", "plain", "utf-8"))
    m.attach(MIMEText("<p>Bonjour à tous</p>", "html", "utf-8"))
    msg = read_email_message(m, source="api")
    assert msg.text == "Bonjour à tous" and msg.html == "<p>Bonjour à tous</p>"
    assert msg.from_addr == "news@example.fr" and msg.subject == "Lettre de mars"
    modern = email.message_from_bytes(b"From: x@y.org\nSubject: hi\n\nbody\n", policy=email.policy.default)
    assert read_email_message(modern).text == "body\n"


def test_read_email_message_deeply_nested_stdlib_object():
    inner = MIMEText("deep", "plain")
    for _ in range(1200):
        outer = MIMEMultipart("mixed")
        outer.attach(inner)
        inner = outer
    inner["Subject"] = "deep"
    msg = read_email_message(inner)
    assert "mime-too-deep" in codes(msg)


def test_header_line_numbers_follow_the_file():
    data = b"\n\nFrom: a@b.com\nSubject: Hello\n\nbody\n"
    msg = read_one(data)
    assert msg.part("text/rfc822-headers").start_line == 3
    assert msg.part("text/plain").start_line == 6


def test_empty_and_binary_inputs_are_input_errors():
    (err,) = list(read_bytes(b""))
    assert isinstance(err, InputError) and "empty input" in err.message
    (err,) = list(read_bytes(b"  \n\n "))
    assert isinstance(err, InputError) and "empty" in err.message
    (err,) = list(read_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10, source="logo.eml"))
    assert isinstance(err, InputError) and "PNG" in err.message


def test_binary_junk_in_a_part_is_reported_not_checked():
    junk = bytes((i * 7) % 32 for i in range(5000))
    msg = read_one(mk("From: a@b.com\nSubject: t\nContent-Type: text/plain\n", junk))
    assert "malformed-mime" in codes(msg) and msg.text == ""


def test_large_message_is_read():
    body = b"<p>Offre du jour</p>\n" * 600_000  # ~13 MB
    msg = read_one(mk("From: a@b.com\nSubject: t\nContent-Type: text/html; charset=utf-8\n", body))
    assert msg.html_size == len(body)
