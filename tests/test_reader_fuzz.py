"""Property tests: whatever bytes arrive, reading never raises and always yields a result."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_readers_helpers import CORPORA, ROOT, ensure_analysis_modules

ensure_analysis_modules()

from contentlint.model import Message  # noqa: E402
from contentlint.readers import InputError, read_bytes  # noqa: E402

SEEDS = [p.read_bytes() for p in sorted(CORPORA.glob("sa_*.eml"))[:6]] + \
    [p.read_bytes() for p in sorted((ROOT / "examples").glob("*.*")) if p.suffix != ".md"]

FRAGMENTS = [b"\n", b"\r\n", b"\x00", b"--", b"=?utf-8?B?", b"?=", b"Content-Type: multipart/mixed; boundary=x\n",
             b"Content-Transfer-Encoding: base64\n", b"charset=zz-top", b"From ", b"\n\nFrom a Mon Jan  1 00:00:00 2024\n",
             b"=\n", b"=C3", b"\xff\xfe", b"<html>", b"---\n", b"{\"Messages\":[", b"\xc3"]


def check(results):
    assert results, "no result at all"
    for r in results:
        assert isinstance(r, (Message, InputError))
        if isinstance(r, InputError):
            assert r.message and "internal error" not in r.message, r.message


fuzz = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fuzz
@given(st.binary(max_size=2000), st.sampled_from(["", ".eml", ".html", ".json", ".mbox", ".txt"]))
def test_arbitrary_bytes(data, ext):
    check(list(read_bytes(data, source="fuzz" + ext, hint_ext=ext)))


@fuzz
@given(st.sampled_from(range(len(SEEDS))), st.lists(
    st.tuples(st.floats(0, 1), st.sampled_from(["cut", "insert", "flip", "delete"]), st.sampled_from(FRAGMENTS)),
    min_size=1, max_size=6))
def test_mutated_real_messages(seed, mutations):
    data = bytearray(SEEDS[seed])
    for where, op, frag in mutations:
        i = int(where * len(data))
        if op == "cut":
            data = data[:i]
        elif op == "insert":
            data[i:i] = frag
        elif op == "flip" and i < len(data):
            data[i] ^= 0x55
        elif op == "delete":
            del data[i:i + len(frag) * 8]
    check(list(read_bytes(bytes(data), source="mutated")))


@fuzz
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda c: st.lists(c, max_size=4) | st.dictionaries(
                        st.sampled_from(["Messages", "From", "To", "Email", "Name", "Subject", "HTMLPart",
                                         "TextPart", "Headers", "Globals", "SandboxMode", "TemplateID"]), c,
                        max_size=5),
                    max_leaves=25))
def test_arbitrary_json_shapes(value):
    import json

    check(list(read_bytes(json.dumps({"Messages": value}).encode(), source="p.json")))


# -- the rules too: hostile header and body text never crashes a check, every finding keeps its fix --------
_WEIRD = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80) | st.sampled_from([
    "V\u2069e\u2069rify", "\u0410pple", "a\u200bb\u200bc", "undisclosed-recipients:;", "<x@y>", "x@y.",
    "@", "<<>>", "\"\" <>", " " * 50 + "QZX", "=?utf-8?B?4oCL?=", "\U000e0139C\U000e0139oin"])


@fuzz
@given(_WEIRD, _WEIRD, _WEIRD, _WEIRD, _WEIRD, st.booleans())
def test_rules_survive_hostile_fields(subject, sender, reply_to, to, body, as_html):
    def clean(s):
        return s.replace("\r", " ").replace("\n", " ")

    ctype = "text/html" if as_html else "text/plain"
    text = (f"From: {clean(sender)}\nReply-To: {clean(reply_to)}\nTo: {clean(to)}\nSubject: {clean(subject)}\n"
            f"Message-ID: {clean(subject)}\nContent-Type: {ctype}; charset=utf-8\n\n{body}\n")
    for report in _linter().check_bytes(text.encode("utf-8"), source="fuzz.eml"):
        for f in report.findings:
            assert f.message and f.suggestion, f.rule


_LINTERS: list = []


def _linter():
    if not _LINTERS:
        from contentlint import Linter

        _LINTERS.append(Linter())
    return _LINTERS[0]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(["\r", "\n", "\x00", "a", "é", " "]), max_size=40))
def test_header_text_without_nul_and_cr_and_its_map(text):
    """The header block's text drops NULs and the CR of each CRLF, and its map sends every character back
    to the one it came from (the header findings' columns depend on it)."""
    import re

    from contentlint.readers.mime import _drop_nul_and_cr

    out, edits = _drop_nul_and_cr(text)
    assert out == re.sub("\x00|\r(?=\n)", "", text)
    kept = [i for i, c in enumerate(text) if c != "\x00" and not (c == "\r" and text[i + 1:i + 2] == "\n")]
    assert [text[i] for i in kept] == list(out)
    assert [edits(j, j + 1) for j in range(len(out))] == [(i, i + 1) for i in kept]
