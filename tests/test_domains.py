"""Hosts and registrable domains, offline (contentlint.domains)."""
from __future__ import annotations

import pytest

from contentlint.domains import registrable_domain, url_host


@pytest.mark.parametrize("host,expected", [
    ("click.mail.example.co.uk", "example.co.uk"),
    ("example.com", "example.com"),
    ("WWW.Example.COM.", "example.com"),
    ("user:secret@news.example.fr:8443", "example.fr"),
    ("alice.github.io", "alice.github.io"),          # private section of the list: its own site
    ("a.b.blogspot.com", "b.blogspot.com"),
    ("www.ck", "www.ck"),                            # !exception rule
    ("foo.bar.ck", "foo.bar.ck"),                    # *.ck wildcard
    ("shop.bücher.de", "xn--bcher-kva.de"),          # IDN → punycode
    ("xn--bcher-kva.de", "xn--bcher-kva.de"),
    ("sub.例子.中国", "xn--fsqu00a.xn--fiqs8s"),
    ("com", None), ("co.uk", None), ("localhost", None),
    ("192.168.1.10", None), ("[::1]", None), ("", None), ("a..b.com", None), ("exa mple.com", None),
])
def test_registrable_domain(host, expected):
    assert registrable_domain(host) == expected


@pytest.mark.parametrize("url,host", [
    ("https://click.mail.example.co.uk/x?y=1", "click.mail.example.co.uk"),
    ("HTTP://User@WWW.EXAMPLE.COM:80/path?q#f", "www.example.com"),
    ("//cdn.example.net/a.png", "cdn.example.net"),
    ("www.example.org/page", "www.example.org"),
    ("mailto:Jean@Exemple.FR?subject=hi", "exemple.fr"),
    ("https:\\\\evil.example\\x", "evil.example"),
    ("https://example.com%2F@evil.example/", "evil.example"),   # what the browser really opens
    ("https://{{ domain }}/x", None),
    ("*|UNSUB|*", None), ("[[UNSUB_LINK_EN]]", None), ("/relative/path", None), ("#top", None),
    ("tel:+33123456789", None), ("javascript:alert(1)", None), ("\x00\xff garbage", None), ("", None),
])
def test_url_host(url, host):
    assert url_host(url) == host


def test_link_domain_example_from_the_brief():
    assert registrable_domain(url_host("https://click.mail.example.co.uk/x")) == "example.co.uk"
