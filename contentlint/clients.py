"""Mail clients and what they render: the Can I Email data (``contentlint/data/caniemail.json.gz``).

A client is ``family.platform`` as Can I Email names them (``outlook.windows``, ``gmail.ios``,
``apple-mail.macos``…); a family alone (``outlook``) means all its platforms, and globs work (``*.ios``).
The ``clients:`` key of the configuration picks the audience; ``DEFAULT_CLIENTS`` are the families that hold
most readers (Litmus, "Email Client Market Share in April 2022": Apple 57.2 %, Gmail 29.5 %, Outlook 4.2 % plus
Outlook.com 1.0 %, Yahoo Mail 3.4 %; everything else under 2 %).

Support values are Can I Email's: ``y`` supported, ``a`` partial, ``n`` not supported, ``u`` unknown, each
optionally followed by note numbers (``a #1 #3``).  Only the latest test of each platform is kept.
"""
from __future__ import annotations

import fnmatch
import gzip
import json
from functools import lru_cache
from importlib import resources
from typing import Iterable

DEFAULT_CLIENTS = ("apple-mail", "gmail", "outlook.windows", "outlook.outlook-com", "outlook.macos", "outlook.ios",
                   "outlook.android", "yahoo")   # Outlook without the retired Windows Mail app

#: Names shown for platforms (Can I Email's own names, shortened where they repeat the family).
_PLATFORM_NAMES = {"windows": "Windows", "windows-mail": "Windows Mail", "outlook-com": "Outlook.com, new Outlook for Windows",
                   "desktop-webmail": "webmail", "webmail": "webmail", "mobile-webmail": "mobile webmail",
                   "desktop-app": "desktop", "macos": "macOS", "ios": "iOS", "android": "Android"}   # in display order


@lru_cache(maxsize=1)
def data() -> dict:
    raw = resources.files("contentlint.data").joinpath("caniemail.json.gz").read_bytes()
    return json.loads(gzip.decompress(raw).decode("utf-8"))


@lru_cache(maxsize=1)
def known_clients() -> tuple[str, ...]:
    return tuple(sorted({c for f in data()["features"].values() for c in f["support"]}))


class UnknownClient(ValueError):
    pass


@lru_cache(maxsize=64)
def resolve(names: tuple[str, ...]) -> tuple[str, ...]:
    """``family.platform`` ids for names, families and globs; raises ``UnknownClient`` naming the bad one."""
    known = known_clients()
    out: dict[str, None] = {}
    for name in names:
        low = str(name).strip().lower()
        pattern = low if ("." in low or "*" in low or "?" in low) else low + ".*"
        found = [c for c in known if fnmatch.fnmatchcase(c, pattern)]
        if not found:
            families = sorted({c.split(".")[0] for c in known})
            raise UnknownClient(f"unknown mail client {name!r}; known: {', '.join(families)} "
                                "(a family, family.platform such as outlook.windows, or a glob such as *.ios)")
        out.update(dict.fromkeys(found))
    return tuple(out)


def describe(client_ids: Iterable[str]) -> list[str]:
    """Readable names, one per family: ["Outlook (Windows, Outlook.com and new Outlook)", "Gmail (iOS, Android)"]."""
    families: dict[str, list[str]] = {}
    order = list(_PLATFORM_NAMES)
    for client in sorted(client_ids, key=lambda c: (c.partition(".")[0], order.index(c.partition(".")[2])
                                                     if c.partition(".")[2] in order else len(order))):
        family, _, platform = client.partition(".")
        families.setdefault(family, []).append(_PLATFORM_NAMES.get(platform, platform))
    names = data()["families"]
    return [f"{names.get(f, f)} ({', '.join(ps)})" for f, ps in families.items()]


def support(slug: str, clients: Iterable[str]) -> list[tuple[str, str, tuple[str, ...]]]:
    """[(client, "n" | "a", note numbers)] for the clients that do not fully support the feature."""
    feat = data()["features"].get(slug)
    if feat is None:
        return []
    out = []
    for client in clients:
        value = feat["support"].get(client)
        if not value:
            continue
        head, *notes = value.split()
        if head[:1] in ("n", "a"):
            out.append((client, head[:1], tuple(n.lstrip("#") for n in notes)))
    return out


def feature(slug: str) -> dict:
    return data()["features"].get(slug) or {}
