"""mbox separators as mail tools really write them, and line ends of every era (LF, CRLF, old Mac CR).

Issue 12: an mbox with ``From addr`` separators (no date) came back as one message; a CR-only .eml was
one header line and a CR-only mbox gave 0 results.  Nothing may be merged or lost silently.
"""
from __future__ import annotations

import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from contentlint.cli import app
from contentlint.readers import InputError, iter_messages, read_bytes

UNSUB = "https://news.example.com/unsubscribe?u=42"


def _message(i: int, body: str = "") -> str:
    return (f"From: News <news@example.com>\nTo: reader@example.org\nSubject: Message {i}\n"
            "Date: Tue, 01 Dec 2026 09:00:00 +0000\nMessage-ID: <m{i}@example.com>\n\n"
            f"Hello,\n{body}See you soon.\nUnsubscribe: {UNSUB}\n")


def run_json(*args, input=None):
    result = CliRunner().invoke(app, ["check", "--format", "json", *map(str, args)], input=input,
                                catch_exceptions=False)
    return result, json.loads(result.stdout)


def input_problems(result: dict) -> list[dict]:
    return [f for f in result["findings"] if f["rule"] == "input-problem"]


# -- separators ------------------------------------------------------------------------------------
def test_two_thousand_messages_with_undated_separators_give_two_thousand_results(tmp_path):
    box = tmp_path / "export.mbox"
    box.write_text("".join(f"From news@example.com\n{_message(i)}\n" for i in range(2000)), encoding="utf-8")
    result, doc = run_json(box)
    assert [r["subject"] for r in doc["results"]] == [f"Message {i}" for i in range(2000)]
    assert [r["index"] for r in doc["results"]][:3] == [0, 1, 2]
    assert not doc["errors"]
    assert not any(input_problems(r) for r in doc["results"])


def test_thunderbird_and_mailer_daemon_separators(tmp_path):
    box = tmp_path / "Inbox"
    box.write_text(f"From - Tue Dec  1 09:00:00 2026\n{_message(0)}\n"
                   f"From MAILER-DAEMON Tue Dec  1 09:00:01 2026\n{_message(1)}\n"
                   f"From -\n{_message(2)}\n", encoding="utf-8")
    _, doc = run_json(box)
    assert [r["subject"] for r in doc["results"]] == ["Message 0", "Message 1", "Message 2"]


def test_escaped_from_lines_stay_in_the_body_unescaped(tmp_path):
    body = ("\n>From news@example.com Tue Dec  1 09:00:00 2026\n\nFrom the desk of the editor\n"
            "our March letter.\n\n>>From here\n")
    box = tmp_path / "letters.mbox"
    box.write_text(f"From news@example.com\n{_message(0, body)}\nFrom news@example.com\n{_message(1)}\n",
                   encoding="utf-8")
    msgs = [m for m in read_bytes(box.read_bytes(), str(box))]
    assert [m.subject for m in msgs] == ["Message 0", "Message 1"]
    assert "\nFrom news@example.com Tue Dec  1" in msgs[0].text
    assert "\n>From here\n" in msgs[0].text
    assert "From the desk of the editor\nour March letter." in msgs[0].text


def test_an_ambiguous_separator_is_said_on_the_new_message(tmp_path):
    # "From the editor" after an empty line, then a line shaped like a header: split, but say so
    box = tmp_path / "odd.mbox"
    box.write_text(f"From news@example.com\n{_message(0)}\nFrom the editor\nNote: read this first\n\nText.\n",
                   encoding="utf-8")
    _, doc = run_json(box)
    assert len(doc["results"]) == 2
    assert not input_problems(doc["results"][0])
    (problem,) = input_problems(doc["results"][1])
    assert "mbox-separator" in problem["message"] and "line 12 (“From the editor”) has no date" in problem["message"]
    assert problem["location"]["line"] == 12


def test_an_address_line_without_headers_stays_body_text_and_is_said(tmp_path):
    box = tmp_path / "quoted.mbox"
    box.write_text(f"From news@example.com\n{_message(0, chr(10) + 'From someone@example.org' + chr(10) + 'wrote this.' + chr(10))}"
                   f"\nFrom news@example.com\n{_message(1)}\n", encoding="utf-8")
    _, doc = run_json(box)
    assert [r["subject"] for r in doc["results"]] == ["Message 0", "Message 1"]
    (problem,) = input_problems(doc["results"][0])
    assert "line 10" in problem["message"] and "read as body text" in problem["message"]


# -- line ends -------------------------------------------------------------------------------------
def test_cr_only_eml_is_read_with_exact_positions(tmp_path):
    subject = "A very long subject line for our December newsletter, with all the news"
    eml = ("From: News <news@example.com>\rTo: reader@example.org\rSubject: " + subject + "\r"
           "Date: Tue, 01 Dec 2026 09:00:00 +0000\r\rHello,\rsee you soon.\r")
    path = tmp_path / "mac.eml"
    path.write_bytes(eml.encode("ascii"))
    _, doc = run_json(path)
    (result,) = doc["results"]
    assert result["input_format"] == "eml" and result["subject"] == subject
    (too_long,) = [f for f in result["findings"] if f["rule"] == "subject-too-long"]
    assert (too_long["location"]["line"], too_long["location"]["column"]) == (3, 10)
    assert any(f["rule"] == "missing-unsubscribe" for f in result["findings"])  # the body was read


def test_cr_only_mbox_gives_every_message(tmp_path):
    text = "".join(f"From news@example.com Tue Dec  1 09:00:00 2026\n{_message(i)}\n" for i in range(3))
    path = tmp_path / "mac.mbox"
    path.write_bytes(text.replace("\n", "\r").encode("ascii"))
    _, doc = run_json(path)
    assert [r["subject"] for r in doc["results"]] == ["Message 0", "Message 1", "Message 2"]
    assert not doc["errors"]


def test_cr_only_mbox_larger_than_the_sniffing_prefix_is_streamed_whole(tmp_path):
    filler = "Some words of our letter.\n" * 40
    text = "".join(f"From news@example.com\n{_message(i, filler)}\n" for i in range(200))
    assert len(text) > 128 * 1024
    path = tmp_path / "big-mac.mbox"
    path.write_bytes(text.replace("\n", "\r").encode("ascii"))
    msgs = list(iter_messages([str(path)]))
    assert [m.subject for m in msgs] == [f"Message {i}" for i in range(200)]
    msgs = list(iter_messages(["-"], stdin=io.BytesIO(path.read_bytes())))
    assert [m.subject for m in msgs] == [f"Message {i}" for i in range(200)]


# -- generated mboxes: as many results as messages written, in order, every time ---------------------
SEPARATORS = [
    "From news@example.com Tue Dec  1 09:00:00 2026",
    "From news@example.com  Tue Dec 11 19:00:00 2026",
    "From news@example.com",
    "From - Tue Dec  1 09:00:00 2026",
    "From -",
    "From MAILER-DAEMON Tue Dec  1 09:00:00 2026",
    "From bounce+x=y@lists.example.org Mon Jan  5 08:01:02 2026 +0100",
]
BODY_LINES = [
    "A line of our letter.",
    "",
    ">From news@example.com Tue Dec  1 09:00:00 2026",
    ">>From the archive",
    "From the desk of the editor",
    "Thanks for reading.",
    "x" * 300,
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages=st.lists(st.tuples(st.sampled_from(SEPARATORS), st.lists(st.sampled_from(BODY_LINES), max_size=8)),
                         min_size=1, max_size=12),
       line_end=st.sampled_from(["\n", "\r\n", "\r"]),
       mixed=st.booleans(), big=st.booleans(), streamed=st.booleans())
def test_generated_mboxes_give_one_result_per_message_in_order(messages, line_end, mixed, big, streamed):
    chunks = []
    for i, (sep, lines) in enumerate(messages):
        body = "\n".join(lines) + "\n" if lines else ""
        if big and i == 0:
            body += ("filler " * 20 + "\n") * 600   # past the 64 KB prefix: the streamed reader
        text = f"{sep}\n{_message(i, body)}\n"
        ends = ["\n", "\r\n", "\r"][i % 3] if mixed else line_end
        chunks.append(text.replace("\n", ends))
    data = "".join(chunks).encode("ascii")
    if streamed:
        results = list(iter_messages(["-"], stdin=io.BytesIO(data)))
    else:
        results = list(read_bytes(data, "generated.mbox"))
    assert not [r for r in results if isinstance(r, InputError)]
    assert [m.subject for m in results] == [f"Message {i}" for i in range(len(messages))]
    assert [m.index for m in results] == list(range(len(messages)))
    for m in results:
        assert not [p for p in m.problems if p.code == "mbox-separator"]
        assert m.text.rstrip("\n").endswith(f"Unsubscribe: {UNSUB}")
