"""Where DNS answers come from: a live resolver (dnspython) or an RFC 1035 zone file.

Both return :class:`Answer` objects so the checks never see dnspython types:

* TXT / SPF (type 99): ``records`` is a tuple of records, each a tuple of its character-strings (bytes),
  so callers can see how a long record is split;
* A / AAAA: tuple of address strings;
* MX: tuple of ``(preference, exchange)`` pairs.

``status`` is ``"ok"``, ``"nxdomain"`` (name does not exist) or ``"nodata"`` (name exists, no record of
that type).  Anything that prevents an answer (timeout, refused, unreadable zone file) raises
:class:`DnsUnavailable`; the CLI turns it into exit code 2.

dnspython is imported lazily so ``import contentlint.dnsaudit`` stays cheap.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

OK, NXDOMAIN, NODATA = "ok", "nxdomain", "nodata"
SUPPORTED_TYPES = ("TXT", "SPF", "A", "AAAA", "MX")


class DnsUnavailable(Exception):
    """DNS could not be queried (no answer, refused, bad nameserver) or the zone file is unusable."""


@dataclass(frozen=True)
class Answer:
    status: str
    records: tuple = ()

    @property
    def void(self) -> bool:
        """True for the answers RFC 7208 calls void lookups (NXDOMAIN or no records)."""
        return self.status != OK or not self.records


def _normalise(name: str) -> str:
    name = name.strip().lower()
    return name if name.endswith(".") else name + "."


class BaseResolver:
    """Cached ``query(name, rdtype) -> Answer``; subclasses implement ``_query``."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], Answer] = {}
        self.queries = 0  # DNS questions actually asked (cache misses)

    def query(self, name: str, rdtype: str) -> Answer:
        rdtype = rdtype.upper()
        if rdtype not in SUPPORTED_TYPES:
            raise ValueError(f"unsupported record type {rdtype}")
        key = (_normalise(name), rdtype)
        hit = self._cache.get(key)
        if hit is None:
            self.queries += 1
            hit = self._query(key[0], rdtype)
            self._cache[key] = hit
        return hit

    def txt(self, name: str) -> Answer:
        return self.query(name, "TXT")

    def _query(self, name: str, rdtype: str) -> Answer:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> str:
        return self.__class__.__name__


def _convert(rdtype: str, rdatas) -> tuple:
    if rdtype in ("TXT", "SPF"):
        return tuple(tuple(bytes(s) for s in rd.strings) for rd in rdatas)
    if rdtype in ("A", "AAAA"):
        return tuple(rd.address for rd in rdatas)
    if rdtype == "MX":
        return tuple(sorted((rd.preference, rd.exchange.to_text().lower()) for rd in rdatas))
    return tuple(rd.to_text() for rd in rdatas)


class LiveResolver(BaseResolver):
    """Queries DNS through dnspython.

    ``nameserver`` (an IP address) and ``port`` select the server; without a nameserver the system
    configuration (/etc/resolv.conf) is used.  ``timeout`` bounds each question in seconds (dnspython
    ``lifetime``), so an unreachable server gives :class:`DnsUnavailable` instead of a hang.
    """

    def __init__(self, nameserver: Optional[str] = None, port: int = 53, timeout: float = 3.0) -> None:
        super().__init__()
        if nameserver is not None:
            try:
                ipaddress.ip_address(nameserver)
            except ValueError:
                raise DnsUnavailable(f"--nameserver must be an IP address, not {nameserver!r}") from None
        if not (0 < int(port) < 65536):
            raise DnsUnavailable(f"invalid DNS port {port}")
        if not timeout or timeout <= 0:
            raise DnsUnavailable(f"invalid DNS timeout {timeout}")
        self.nameserver, self.port, self.timeout = nameserver, int(port), float(timeout)
        import dns.resolver

        try:
            res = dns.resolver.Resolver(configure=nameserver is None)
        except dns.resolver.NoResolverConfiguration:
            raise DnsUnavailable("no DNS server configured on this machine; pass --nameserver IP") from None
        if nameserver is not None:
            res.nameservers = [nameserver]
        res.port = self.port
        res.timeout = self.timeout
        res.lifetime = self.timeout
        res.cache = None
        self._res = res

    def describe(self) -> str:
        servers = ", ".join(str(s) for s in self._res.nameservers) or "?"
        return f"{servers} port {self.port}"

    def _query(self, name: str, rdtype: str) -> Answer:
        import dns.exception
        import dns.name
        import dns.resolver

        try:
            qname = dns.name.from_text(name)
        except dns.exception.DNSException:
            return Answer(NXDOMAIN)  # not a valid DNS name: nothing can exist there
        try:
            ans = self._res.resolve(qname, rdtype, search=False, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN:
            return Answer(NXDOMAIN)
        except dns.resolver.NoAnswer:
            return Answer(NODATA)
        except dns.resolver.LifetimeTimeout:
            raise DnsUnavailable(
                f"DNS server {self.describe()} did not answer within {self.timeout:g} s "
                f"(asking {rdtype} {name.rstrip('.')})"
            ) from None
        except dns.resolver.NoNameservers as exc:
            raise DnsUnavailable(
                f"DNS server {self.describe()} could not answer {rdtype} {name.rstrip('.')}: {exc}"
            ) from None
        except (dns.exception.DNSException, OSError) as exc:
            raise DnsUnavailable(f"DNS query {rdtype} {name.rstrip('.')} failed: {exc}") from None
        if ans.rrset is None:
            return Answer(NODATA)
        return Answer(OK, _convert(rdtype, ans.rrset))


def zone_record_lines(zone_text: str) -> dict[str, int]:
    """{TXT record text: 1-based line where it starts} for the quoted records of an RFC 1035 master file.

    Character-strings are joined as receivers join them; a record spread over several lines in
    parentheses counts from its first line. Best effort: used only to point findings at the file.
    """
    import re

    quoted = re.compile(r'"((?:[^"\\]|\\.)*)"')
    out: dict[str, int] = {}
    depth, start, strings = 0, 0, []
    for n, line in enumerate(zone_text.splitlines(), 1):
        code = re.sub(r';(?=(?:[^"]*"[^"]*")*[^"]*$).*', "", line)      # comment outside quotes
        if depth == 0:
            start, strings = n, []
        strings += [re.sub(r"\\(.)", r"\1", q) for q in quoted.findall(code)]
        bare = quoted.sub("", code)
        depth = max(0, depth + bare.count("(") - bare.count(")"))
        if depth == 0 and strings:
            out.setdefault("".join(strings), start)
    return out


class ZoneResolver(BaseResolver):
    """Answers from an RFC 1035 master file holding records of any number of domains.

    Names are read relative to the root, so write absolute names (``example.com.``) or use ``$ORIGIN``
    (several ``$ORIGIN`` lines are fine).  CNAMEs are followed like a resolver would.  Names absent from
    the file do not exist (NXDOMAIN); a name that only has records below it (``_domainkey.example.com``)
    exists with no data.
    """

    def __init__(self, zone_text: str, source: str = "<zone>") -> None:
        super().__init__()
        import dns.exception
        import dns.name
        import dns.zone

        self.source = source
        self.record_lines = zone_record_lines(zone_text)
        try:
            self.zone = dns.zone.from_text(
                zone_text, origin=dns.name.root, relativize=False, check_origin=False, filename=source
            )
        except dns.exception.DNSException as exc:
            raise DnsUnavailable(f"zone file {source} is not a valid RFC 1035 master file: {exc}") from None
        except (ValueError, UnicodeError) as exc:
            raise DnsUnavailable(f"zone file {source} could not be parsed: {exc}") from None
        self._exists: set = set()
        for name in self.zone.nodes:
            n = name
            while True:
                self._exists.add(n)
                if n == dns.name.root:
                    break
                n = n.parent()

    @classmethod
    def from_file(cls, path) -> "ZoneResolver":
        p = Path(path)
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise DnsUnavailable(f"cannot read zone file {p}: {exc.strerror or exc}") from None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        return cls(text, source=str(p))

    def describe(self) -> str:
        return f"zone file {self.source}"

    def _wildcard(self, qname):
        """RFC 4592: the ``*`` child of the closest existing ancestor answers for a missing name."""
        import dns.name

        n = qname
        while n != dns.name.root:
            n = n.parent()
            if n in self._exists:
                return self.zone.nodes.get(dns.name.Name((b"*",) + n.labels))
        return None

    def _query(self, name: str, rdtype: str) -> Answer:
        import dns.exception
        import dns.name
        import dns.rdataclass
        import dns.rdatatype

        try:
            qname = dns.name.from_text(name)
        except dns.exception.DNSException:
            return Answer(NXDOMAIN)
        want = dns.rdatatype.from_text(rdtype)
        for _ in range(8):  # CNAME chain bound
            node = self.zone.nodes.get(qname)
            if node is None:
                if qname in self._exists:
                    return Answer(NODATA)
                node = self._wildcard(qname)
                if node is None:
                    return Answer(NXDOMAIN)
            rds = node.get_rdataset(dns.rdataclass.IN, want)
            if rds is not None and len(rds):
                return Answer(OK, _convert(rdtype, rds))
            cname = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
            if cname is None or not len(cname):
                return Answer(NODATA)
            qname = next(iter(cname)).target
        return Answer(NXDOMAIN)


def make_resolver(nameserver=None, port=53, timeout=3.0, zone_file=None) -> BaseResolver:
    """The resolver the options ask for: a zone file when given, else live DNS."""
    if zone_file is not None:
        return ZoneResolver.from_file(zone_file)
    return LiveResolver(nameserver=nameserver, port=port, timeout=timeout)
