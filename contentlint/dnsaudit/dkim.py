"""DKIM key records (RFC 6376 §3.6.1, RFC 8301, RFC 8463) at SELECTOR._domainkey.DOMAIN.

The RSA modulus length is read from the base64 SubjectPublicKeyInfo (or bare PKCS#1 RSAPublicKey) with a
small DER reader, so no crypto library is needed.
"""
from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Optional

from .resolver import OK, BaseResolver
from .ruledata import Issue
from .spf import record_text

RSA_OID = bytes.fromhex("2a864886f70d010101")  # 1.2.840.113549.1.1.1
ED25519_OID = bytes.fromhex("2b6570")           # 1.3.101.112
_TAG_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*$")


class DerError(ValueError):
    pass


def _der_read(data: bytes, pos: int) -> tuple[int, bytes, int]:
    """One DER TLV at ``pos``: (tag, value, next position)."""
    if pos + 2 > len(data):
        raise DerError("truncated")
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        n = length & 0x7F
        if n == 0 or n > 4 or pos + n > len(data):
            raise DerError("bad length")
        length = int.from_bytes(data[pos:pos + n], "big")
        pos += n
    end = pos + length
    if end > len(data):
        raise DerError("truncated")
    return tag, data[pos:end], end


def _rsa_from_pkcs1(seq_value: bytes) -> int:
    tag, modulus, pos = _der_read(seq_value, 0)
    if tag != 0x02:
        raise DerError("RSA modulus is not an INTEGER")
    tag, _exp, _ = _der_read(seq_value, pos)
    if tag != 0x02:
        raise DerError("RSA exponent is not an INTEGER")
    return int.from_bytes(modulus, "big").bit_length()


def rsa_key_bits(der: bytes) -> int:
    """Modulus bits of an RSA public key in SubjectPublicKeyInfo or PKCS#1 RSAPublicKey DER."""
    tag, outer, end = _der_read(der, 0)
    if tag != 0x30:
        raise DerError("not a DER SEQUENCE")
    first_tag, first, pos = _der_read(outer, 0)
    if first_tag == 0x02:                  # bare RSAPublicKey { modulus, exponent }
        return _rsa_from_pkcs1(outer)
    if first_tag != 0x30:
        raise DerError("no AlgorithmIdentifier")
    oid_tag, oid, _ = _der_read(first, 0)
    if oid_tag != 0x06:
        raise DerError("no algorithm OID")
    if oid != RSA_OID:
        raise DerError("the key is not an RSA key")
    bit_tag, bits, _ = _der_read(outer, pos)
    if bit_tag != 0x03 or not bits or bits[0] != 0:
        raise DerError("no public key BIT STRING")
    tag, seq, _ = _der_read(bits[1:], 0)
    if tag != 0x30:
        raise DerError("RSA key is not a SEQUENCE")
    return _rsa_from_pkcs1(seq)


def parse_tag_list(text: str) -> tuple[dict[str, str], Optional[str]]:
    """RFC 6376 §3.2 tag-list → ({tag: value}, problem or None).  Tag names are case-sensitive."""
    tags: dict[str, str] = {}
    for raw in text.split(";"):
        item = raw.strip()
        if not item:
            continue
        name, eq, value = item.partition("=")
        name = name.strip()
        if not eq:
            return tags, f"“{item[:40]}” is not a tag=value pair"
        if not _TAG_NAME_RE.match(name):
            return tags, f"“{name}” is not a valid tag name"
        if name in tags:
            return tags, f"tag {name}= appears twice"
        tags[name] = re.sub(r"\s+", "", value) if name == "p" else value.strip()
    return tags, None


@dataclass
class DkimResult:
    domain: str
    selector: str
    name: str
    status: str = "missing"            # "ok", "missing", "revoked", "invalid"
    record: Optional[str] = None
    key_type: Optional[str] = None     # "rsa", "ed25519"
    bits: Optional[int] = None
    issues: list[Issue] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"domain": self.domain, "selector": self.selector, "name": self.name, "status": self.status,
                "record": self.record, "key_type": self.key_type, "bits": self.bits}


def audit_dkim(domain: str, selector: str, resolver: BaseResolver) -> DkimResult:
    domain = domain.lower().rstrip(".")
    selector = selector.strip().rstrip(".")
    name = f"{selector}._domainkey.{domain}"
    res = DkimResult(domain, selector, name)
    base = {"domain": domain, "selector": selector, "name": name}
    ans = resolver.txt(name)
    if ans.unknown:
        res.status = "unknown"
        res.issues.append(Issue("dns-outside-zone", "dkim", "", base))
        return res
    records = [record_text(s) for s in ans.records] if ans.status == OK else []
    # a TXT at the key name that is clearly something else (no p= and no v=DKIM1) does not count
    keyish = [r for r in records if re.search(r"(^|;)\s*(p|v)\s*=", r)]
    if not keyish:
        res.issues.append(Issue("dkim-key-missing", None, " | ".join(records), base))
        return res
    record = keyish[0]
    res.record = record

    def invalid(problem: str) -> DkimResult:
        res.status = "invalid"
        res.issues.append(Issue("dkim-syntax", None, record, {**base, "problem": problem}))
        return res

    if len(keyish) > 1:
        return invalid(f"{len(keyish)} key records are published at the same name; verifiers may pick any")
    tags, problem = parse_tag_list(record)
    if problem:
        return invalid(problem)
    if "v" in tags:
        if not record.lstrip().startswith("v"):
            return invalid("v=DKIM1 must be the first tag")
        if tags["v"] != "DKIM1":
            return invalid(f"v={tags['v']} is not DKIM1")
    if "p" not in tags:
        return invalid("the p= tag (public key) is missing")
    if tags["p"] == "":
        res.status = "revoked"
        res.issues.append(Issue("dkim-key-missing", "revoked", record, base))
        return res
    key_type = tags.get("k", "rsa").lower()
    res.key_type = key_type
    try:
        der = base64.b64decode(tags["p"], validate=True)
    except (binascii.Error, ValueError):
        return invalid("p= is not valid base64")
    if key_type == "ed25519":
        if len(der) != 32:
            return invalid(f"an ed25519 key is 32 bytes, this one is {len(der)}")
        res.bits = 256
        res.status = "ok"
        return res
    if key_type != "rsa":
        return invalid(f"unknown key type k={tags.get('k')} (rsa or ed25519)")
    try:
        bits = rsa_key_bits(der)
    except DerError as exc:
        return invalid(f"p= does not hold an RSA public key ({exc}; the key may be cut short)")
    res.bits = bits
    res.status = "ok"
    if bits < 1024:
        res.issues.append(Issue("dkim-key-weak", None, record, {**base, "bits": bits}))
    elif bits < 2048:
        res.issues.append(Issue("dkim-key-weak", "below-2048", record, {**base, "bits": bits}))
    return res
