"""Plain-text mail has no <a href>, but mail clients make its bare URLs clickable: the link rules must see
them, and the sender/site rule must not treat references in personal mail as "the site"."""
from __future__ import annotations

from contentlint import Linter

MAIL = b"""From: Ann <ann@example.org>
To: bob@example.net
Subject: Your parcel
Message-ID: <1@example.org>
Date: Mon, 2 Nov 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hello Bob,

%s

Ann
"""


def _rules(body: str):
    (report,) = Linter(kind="transactional").check_bytes(MAIL % body.encode(), source="mail.eml")
    return report, {f.rule: f for f in report.findings}


def test_bare_urls_in_plain_text_are_checked_as_links():
    report, found = _rules("Track it at http://bit.ly/3xYz and log in at http://192.0.2.7/login.php.")
    assert "url-shortener" in found and "link-to-ip-address" in found
    f = found["url-shortener"]
    assert f.location.part == "text/plain" and f.location.line == 11      # the line in the file
    assert "http://192.0.2.7/login.php" in found["link-to-ip-address"].message


def test_references_in_personal_plain_text_mail_are_not_a_sender_mismatch():
    _, found = _rules("Did you read https://www.nytimes.com/a and https://www.nytimes.com/b ?")
    assert "sender-domain-mismatch" not in found
    assert "url-shortener" not in found


def test_plain_text_without_urls_has_no_links():
    report, found = _rules("See you on Tuesday.")
    assert not any(f.rule.startswith("link-") or f.rule == "url-shortener" for f in report.findings)
