"""Hosts and registrable domains, offline.

``registrable_domain("click.mail.example.co.uk")`` → ``"example.co.uk"``: the public suffix plus one
label, from the Public Suffix List bundled with the ``publicsuffixlist`` package (ICANN and private
sections, so ``alice.github.io`` is its own registrable domain).  Nothing is ever downloaded.

Domains come back lower-case and in ASCII (IDNA/punycode) form, so ``bücher.de`` and
``xn--bcher-kva.de`` compare equal and look-alike Unicode hosts stay visible as ``xn--``.

The list is parsed lazily, on the first call that needs it, into three sets (about 10 ms; cached in the
user cache, so later processes unpickle them in ~2 ms); later calls are a few set look-ups (and the last
4,096 hosts are remembered).
"""
from __future__ import annotations

import threading
from typing import Optional

_LOCK = threading.Lock()
_TABLES: Optional[tuple[frozenset, frozenset, frozenset]] = None   # (rules, wildcards, exceptions)
_CACHE: dict[str, Optional[str]] = {}
_CACHE_MAX = 4096


def _psl_path() -> str:
    """The bundled ``public_suffix_list.dat``, found without importing ``publicsuffixlist``."""
    import os

    try:
        import importlib.util

        spec = importlib.util.find_spec("publicsuffixlist")
        for folder in (spec.submodule_search_locations or ()) if spec else ():
            path = os.path.join(folder, "public_suffix_list.dat")
            if os.path.isfile(path):
                return path
    except (ImportError, ValueError):
        pass
    import publicsuffixlist

    return getattr(publicsuffixlist, "PSLFILE", None) or os.path.join(
        os.path.dirname(publicsuffixlist.__file__), "public_suffix_list.dat")


def _psl_text(path: Optional[str] = None) -> str:
    with open(path or _psl_path(), "rb") as fh:
        return fh.read().decode("utf-8", "replace")


def _parse_psl(text: str) -> tuple[frozenset, frozenset, frozenset]:
    rules, wild, exc = set(), set(), set()
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        rule = line.split()[0].lower()
        # kept in the list's own (Unicode) form; hosts are matched in Unicode form too,
        # which avoids IDNA-encoding ~500 rules at start-up
        if rule.startswith("!"):
            exc.add(rule[1:])
        elif rule.startswith("*."):
            wild.add(rule[2:])
        else:
            rules.add(rule)
    return frozenset(rules), frozenset(wild), frozenset(exc)


_TABLES_CACHE_VERSION = "psl v1"


def _load_tables() -> tuple[frozenset, frozenset, frozenset]:
    """The parsed list, from the user cache when the bundled file has not changed (the parse costs
    ~10 ms, unpickling the three sets ~2 ms)."""
    from .paths import cache_load, cache_store, fingerprint

    path = _psl_path()
    fp = fingerprint([path, __file__], _TABLES_CACHE_VERSION)
    tables = cache_load("psl", fp)
    if isinstance(tables, tuple) and len(tables) == 3 and all(isinstance(t, frozenset) for t in tables):
        return tables
    tables = _parse_psl(_psl_text(path))
    cache_store("psl", fp, tables)
    return tables


def _tables() -> tuple[frozenset, frozenset, frozenset]:
    global _TABLES
    if _TABLES is None:
        with _LOCK:
            if _TABLES is None:
                _TABLES = _load_tables()
    return _TABLES


def _to_ascii(name: str) -> Optional[str]:
    """IDNA ASCII form of a (possibly Unicode) host name, lower-case; None when it cannot be encoded."""
    if name.isascii():
        return name.lower()
    out = []
    for label in name.lower().split("."):
        if label.isascii():
            out.append(label)
            continue
        try:
            out.append(label.encode("idna").decode("ascii"))        # IDNA 2003 with nameprep
        except (UnicodeError, ValueError):
            try:
                out.append("xn--" + label.encode("punycode").decode("ascii"))
            except (UnicodeError, ValueError):
                return None
    return ".".join(out)


def _label_to_unicode(label: str) -> str:
    if not label.startswith("xn--"):
        return label
    try:
        return label[4:].encode("ascii").decode("punycode").lower()
    except (UnicodeError, ValueError):
        return label


def _is_ip(host: str) -> bool:
    if ":" in host:               # IPv6 literal (brackets already removed)
        return True
    parts = host.split(".")
    if len(parts) == 4 and all(p.isdigit() for p in parts):
        return True
    # single-number or hex hosts browsers treat as IPv4 (http://3232235777/, http://0x7f.1/)
    return all(p.isdigit() or (p.startswith("0x") and len(p) > 2) for p in parts if p) and bool(parts[-1])


_HOST_BAD = frozenset(" \t\r\n<>\"'`{}|\\^[]()*%,;")


def normalise_host(host: str) -> Optional[str]:
    """Lower-case ASCII host without port, userinfo, brackets or trailing dot; None if not a host name."""
    if not host:
        return None
    host = host.strip()
    if "@" in host:
        host = host.rsplit("@", 1)[1]
    if host.startswith("["):             # [::1]:8080
        return None
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    host = host.rstrip(".")
    if not host or len(host) > 253 or any(c in _HOST_BAD for c in host):
        return None
    ascii_host = _to_ascii(host)
    if not ascii_host or ".." in ascii_host or ascii_host.startswith("."):
        return None
    return ascii_host


def registrable_domain(host: str) -> Optional[str]:
    """The registrable domain of ``host`` (public suffix + one label), or None.

    None for IP literals, bare public suffixes (``co.uk``), single labels (``localhost``), empty or
    malformed input.  Ports, userinfo, trailing dots and case are ignored; IDN hosts come back in
    punycode (``xn--``) form.  Unknown TLDs count as one-label public suffixes (``a.b.internal`` →
    ``b.internal``), like browsers do.
    """
    if not host or not isinstance(host, str):
        return None
    cached = _CACHE.get(host)
    if cached is not None or host in _CACHE:
        return cached
    result = _registrable(host)
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.clear()
    _CACHE[host] = result
    return result


def _registrable(raw: str) -> Optional[str]:
    host = normalise_host(raw)
    if host is None or _is_ip(host):
        return None
    labels = host.split(".")
    if len(labels) < 2 or any(not label or len(label) > 63 for label in labels):
        return None
    rules, wild, exc = _tables()
    match_labels = [_label_to_unicode(label) for label in labels] if "xn--" in host else labels
    # find the longest matching public suffix (https://github.com/publicsuffix/list/wiki/Format)
    n = len(labels)
    suffix_len = 1                       # default rule "*"
    for i in range(n):
        cand = ".".join(match_labels[i:])
        if cand in exc:                  # !exception: the suffix is one label shorter
            suffix_len = n - i - 1
            break
        if cand in rules:
            suffix_len = n - i
            break
        if i + 1 < n and ".".join(match_labels[i + 1:]) in wild:
            suffix_len = n - i
            break
    if suffix_len >= n:
        return None                      # the host is itself a public suffix
    return ".".join(labels[n - suffix_len - 1:])


def url_host(url: str) -> Optional[str]:
    """The host of an absolute or protocol-relative URL (``//cdn.example.com/x``), or None.

    Robust to garbage: placeholders (``https://{{ domain }}/x``), spaces, missing scheme
    (``www.example.com/path``), ``mailto:`` (the address's domain), ports, userinfo and
    backslashes never raise.  Relative URLs, ``#anchors``, ``tel:``, ``javascript:`` give None.
    """
    if not url or not isinstance(url, str):
        return None
    u = url.strip().replace("\\", "/")
    low = u[:12].lower()
    if low.startswith("mailto:"):
        addr = u[7:].split("?", 1)[0].split(",", 1)[0]
        if "@" not in addr:
            return None
        return normalise_host(_pct_decode(addr.rsplit("@", 1)[1]))
    rest = None
    if u.startswith("//"):
        rest = u[2:]
    else:
        colon = u.find(":")
        if 0 < colon <= 10 and u[:colon].isalpha() and u[:colon].isascii():
            scheme = u[:colon].lower()
            if scheme not in ("http", "https", "ftp", "ftps", "ws", "wss"):
                return None
            rest = u[colon + 1:].lstrip("/")
        elif low.startswith("www."):
            rest = u
    if rest is None:
        return None
    end = len(rest)
    for sep in "/?#":
        i = rest.find(sep)
        if i != -1 and i < end:
            end = i
    authority = rest[:end]
    if "@" in authority:
        authority = authority.rsplit("@", 1)[1]
    return normalise_host(_pct_decode(authority))


def _pct_decode(s: str) -> str:
    if "%" not in s:
        return s
    from urllib.parse import unquote

    return unquote(s)


def url_domain(url: str) -> Optional[str]:
    """``registrable_domain(url_host(url))``."""
    host = url_host(url)
    return registrable_domain(host) if host else None
