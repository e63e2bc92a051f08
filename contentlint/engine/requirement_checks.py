"""Built-in checks for what the mailbox providers' bulk-sender rules ask of a message (rules/providers.yaml).

Registered in the same table as every built-in (``contentlint.engine.builtins.BUILTINS``); the data they tune
(header names, badge words, symbol ranges) is in the pack's ``params``.
"""
from __future__ import annotations

import re
import unicodedata

from .builtins import _dkim_domains, _registrable, _split, builtin
from .text import short_list

try:  # the hit type has its own module once the engine's import circle is broken
    from .hit import Hit
except ImportError:  # pragma: no cover - before that change
    from .checkers import Hit

_WS = re.compile(r"\s+")
# the characters of quoting, comments, groups and lists: a From value with one of them goes to the parser
_ADDRESS_SYNTAX = re.compile(r"[\"(),:;\[\]\\]")
_BARE_ADDRESS = re.compile(r"[^\s@<>]+@[^\s@<>]+")


def _one_plain_address(value: str) -> bool:
    """``a@b.example`` or ``Name <a@b.example>`` with nothing else: one address, no parse needed.  Linear (a
    pattern with a lazy name before the address backtracked quadratically on a long From without an @)."""
    v = value.strip()
    if v.count("@") != 1 or _ADDRESS_SYNTAX.search(v):
        return False
    if v.endswith(">"):
        name, lt, addr = v[:-1].partition("<")
        if not lt or "<" in addr or ">" in name or "@" in name:
            return False
    elif "<" in v or ">" in v:
        return False
    else:
        addr = v
    return _BARE_ADDRESS.fullmatch(addr) is not None


def _header_entries(message, name: str) -> list[str]:
    low = name.lower()
    return [v for k, v in message.headers if k.lower() == low]


@builtin("from_address_count", needs_headers=True, vars={"count", "addresses"})
def from_address_count(ctx, rule, params):
    """RFC 5322 §3.6.2 and Gmail: the From header names exactly one address."""
    values = _header_entries(ctx.message, "From")
    if not values:
        return None                       # header-count reports a missing From
    if len(values) == 1 and _one_plain_address(values[0]):
        return None                       # "Name <a@b.example>" or "a@b.example": one address, no parse needed
    from email.utils import getaddresses  # 12 ms of start-up (socket, datetime…): only for e-mails

    addresses = [a for _, a in getaddresses(values) if a and "@" in a]
    if len(addresses) == 1:
        return None
    shown = short_list(addresses) if addresses else "no address"
    return Hit(matches=addresses or values[:1], fragment=values[0][:80], part="headers",
               vars={"count": len(addresses), "addresses": shown})


@builtin("header_count", needs_headers=True, params={"once": [], "expected": []},
         vars={"problems", "duplicated", "missing"})
def header_count(ctx, rule, params):
    """Headers that must appear once appear twice (warning); expected ones are absent (information)."""
    m = ctx.message
    counts: dict[str, int] = {}
    for k, _ in m.headers:
        counts[k.lower()] = counts.get(k.lower(), 0) + 1
    duplicated = [h for h in params["once"] if counts.get(h.lower(), 0) > 1]
    missing = [h for h in params["expected"] if not counts.get(h.lower())]
    if not duplicated and not missing:
        return None
    problems = []
    if duplicated:
        problems.append("more than one " + " and ".join(duplicated) + " header")
    if missing:
        problems.append("no " + ", ".join(missing) + (" header" if len(missing) == 1 else " headers"))
    vars_ = {"problems": "; ".join(problems), "duplicated": ", ".join(duplicated) or "none",
             "missing": ", ".join(missing) or "none"}
    fragment = (duplicated[0] + ":") if duplicated else ""
    hit = Hit(matches=[f"{h} ×{counts[h.lower()]}" for h in duplicated] + [f"no {h}" for h in missing],
              fragment=fragment, part="headers", vars=vars_)
    if not duplicated:                    # only absent: an unsent export, the server adds Date/Message-ID
        hit.level, hit.factor = "info", 0.0
    return hit


def _decorations(name: str, words) -> list[str]:
    found = []
    for ch in name:
        cat = unicodedata.category(ch)
        cp = ord(ch)
        if cat == "So" and ch not in "©®™" or 0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF \
                or cp in (0xFE0F, 0x200D, 0x20E3):
            if ch not in found and cp not in (0xFE0F, 0x200D):
                found.append(ch)
    low = name.lower()
    for w in words:
        if re.search(r"(?<![\w])" + re.escape(w) + r"(?![\w])", low):
            found.append(w)
    return found


@builtin("display_name_decorated", needs_headers=False, params={"badge_words": []}, vars={"name", "marks"},
         prepare=lambda p, c: dict(p, badge_words=[str(w).lower() for w in p["badge_words"]]))
def display_name_decorated(ctx, rule, params):
    """Gmail: no emoji, symbols or "verified" badges in the From display name."""
    name = ctx.message.from_name or ""
    if not name:
        return None
    marks = _decorations(name, params["badge_words"])
    if not marks:
        return None
    return Hit(matches=marks, fragment=name[:80], part="from",
               vars={"name": _WS.sub(" ", name).strip(), "marks": " ".join(marks)})


def _signed_headers(value: str) -> list[str]:
    """The h= list of one DKIM-Signature, lower-cased."""
    flat = value.replace("\r", "").replace("\n", " ")
    m = re.search(r"(?:^|;)\s*h\s*=\s*([^;]*)", flat)
    return [h.strip().lower() for h in m.group(1).split(":") if h.strip()] if m else []


@builtin("one_click_not_signed", needs_headers=True, vars={"missing", "signer", "signed"})
def one_click_not_signed(ctx, rule, params):
    """RFC 8058 §4: the DKIM signature must cover List-Unsubscribe and List-Unsubscribe-Post."""
    m = ctx.message
    if not m.header_all("List-Unsubscribe") or not m.header_all("List-Unsubscribe-Post"):
        return None                       # missing headers: missing-one-click-unsubscribe says so
    sigs = m.header_all("DKIM-Signature")
    if not sigs:
        return None                       # unsigned: dkim-missing says so
    best = None
    for value in sigs:
        signed = _signed_headers(value)
        missing = [h for h in ("List-Unsubscribe", "List-Unsubscribe-Post") if h.lower() not in signed]
        if not missing:
            return None
        if best is None or len(missing) < len(best[0]):
            best = (missing, value, signed)
    missing, value, signed = best
    d = re.search(r"(?:^|;)\s*d\s*=\s*([^;\s]+)", value.replace("\n", " "))
    return Hit(matches=missing, fragment="h=", part="headers",
               vars={"missing": " and ".join(missing), "signer": d.group(1) if d else "the signer",
                     "signed": ":".join(signed) or "nothing"})


@builtin("from_not_aligned", needs_headers=True, vars={"signing_domains", "return_path", "sender_domain"})
def from_not_aligned(ctx, rule, params):
    """DMARC relaxed alignment from the headers: neither DKIM d= nor the Return-Path domain matches From."""
    m = ctx.message
    _, fdom = _split(m.from_addr)
    sender = _registrable(m.from_domain or fdom)
    signers = _dkim_domains(m)
    _, rp = _split(m.return_path or (m.header("Return-Path") or "").strip())
    if not sender or not signers or not rp:
        return None                       # nothing to compare: the other rules say what is missing
    if any(_registrable(d) == sender for d in signers) or _registrable(rp) == sender:
        return None
    return Hit(matches=signers + [rp], fragment="d=" + signers[0], part="headers",
               vars={"signing_domains": short_list(signers), "return_path": rp, "sender_domain": sender})
