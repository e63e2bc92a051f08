"""Where DNS answers come from: a live resolver (dnspython) or an RFC 1035 zone file.

Both return :class:`Answer` objects so the checks never see dnspython types:

* TXT / SPF (type 99): ``records`` is a tuple of records, each a tuple of its character-strings (bytes),
  so callers can see how a long record is split;
* A / AAAA: tuple of address strings;
* MX: tuple of ``(preference, exchange)`` pairs.

``status`` is ``"ok"``, ``"nxdomain"`` (name does not exist), ``"nodata"`` (name exists, no record of
that type) or ``"unknown"`` (zone files only: the name is outside every zone the files hold).  Anything that prevents an answer (timeout, refused, unreadable zone file) raises
:class:`DnsUnavailable`; the CLI turns it into exit code 2.

dnspython is imported lazily so ``import contentlint.dnsaudit`` stays cheap.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

OK, NXDOMAIN, NODATA = "ok", "nxdomain", "nodata"
UNKNOWN = "unknown"      # a name outside every zone file given: the files cannot tell
DEFAULT_TTL = 3600
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
        return self.status in (NXDOMAIN, NODATA) or (self.status == OK and not self.records)

    @property
    def unknown(self) -> bool:
        """True when the zone files given do not cover the name (never for live DNS)."""
        return self.status == UNKNOWN


def _normalise(name: str) -> str:
    name = name.strip().lower()
    return name if name.endswith(".") else name + "."


class BaseResolver:
    """Cached ``query(name, rdtype) -> Answer``; subclasses implement ``_query``."""

    tree_walk = False

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
    tree_walk = True     # DMARC: RFC 9989 tree walk (offline zone files use the public suffix list)

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


_QUOTED_RE = None


def _scan(zone_text: str) -> tuple[dict[str, int], list[tuple[int, str]], list[tuple[int, str, str]]]:
    """One pass over an RFC 1035 master file, for what the parser does not tell.

    Returns ({TXT record text: 1-based line where its record starts}, [(line, owner name as written)] for each
    record that names its owner, [(line, "$ORIGIN"/"$TTL"/…, argument)]).  Character-strings are joined as
    receivers join them; a record spread over several lines in parentheses counts from its first line.
    """
    import re

    global _QUOTED_RE
    if _QUOTED_RE is None:
        _QUOTED_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')
    quoted = _QUOTED_RE
    lines: dict[str, int] = {}
    owners: list[tuple[int, str]] = []
    directives: list[tuple[int, str, str]] = []
    depth, start, strings = 0, 0, []
    for n, line in enumerate(zone_text.splitlines(), 1):
        code = line
        if ";" in line:
            # the comment starts at the first ';' outside quotes
            inside, cut = False, len(line)
            i = 0
            while i < len(line):
                ch = line[i]
                if ch == "\\" and inside:
                    i += 2
                    continue
                if ch == '"':
                    inside = not inside
                elif ch == ";" and not inside:
                    cut = i
                    break
                i += 1
            code = line[:cut]
        if depth == 0:
            start, strings = n, []
            if code[:1] == "$":
                parts = code.split()
                directives.append((n, parts[0].upper(), parts[1] if len(parts) > 1 else ""))
                continue
            if code[:1] not in ("", " ", "\t") and code.strip():
                owners.append((n, code.split()[0]))
        strings += [re.sub(r"\\(.)", r"\1", q) for q in quoted.findall(code)]
        bare = quoted.sub("", code)
        depth = max(0, depth + bare.count("(") - bare.count(")"))
        if depth == 0 and strings:
            lines.setdefault("".join(strings), start)
    return lines, owners, directives


def zone_record_lines(zone_text: str) -> dict[str, int]:
    """{TXT record text: 1-based line where it starts} for the quoted records of an RFC 1035 master file."""
    return _scan(zone_text)[0]


class ZoneError(DnsUnavailable):
    """A zone file that cannot be read as the user meant it (exit code 2, with what to change)."""


class _Collector:
    """The transaction the dnspython zone reader writes to: keeps every record, whatever its owner.

    (dnspython's own zone transaction refuses an SOA that is not at the origin, which every exported zone
    read with another origin has, and several zones in one file.)
    """

    def __init__(self, origin) -> None:
        self.manager = self
        self.origin = origin
        self.records: list = []          # (name, ttl, rdata)

    def origin_information(self):
        return self.origin, False, self.origin

    def check_put_rdataset(self, _check) -> None:
        pass

    def _set_origin(self, _origin) -> None:
        pass

    def add(self, name, ttl, rdata) -> None:
        self.records.append((name, ttl, rdata))


@lru_cache(maxsize=4096)
def _known_tld(label: str) -> bool:
    try:
        from publicsuffixlist import PublicSuffixList
    except ImportError:  # pragma: no cover - a declared dependency
        return False
    global _PSL
    if _PSL is None:
        _PSL = PublicSuffixList()
    return _PSL.publicsuffix(label.lower(), accept_unknown=False) is not None


_PSL = None


def _initial_origin(text: str, source: str, owners, directives, origin: Optional[str],
                    domain: Optional[str]) -> str:
    """The origin for the names before the file's first ``$ORIGIN`` (RFC 1035 §5.1), as an absolute name.

    In order: ``origin`` (``--origin``); the owner of the first SOA record when written in full (hosts
    that export without ``$ORIGIN`` name the apex, with or without its final dot); else, when relative
    names come before any ``$ORIGIN``, the audited ``domain`` if every such name fits under it. Otherwise
    :class:`ZoneError` says which name has no origin and what to add.
    """
    if origin:
        return origin.rstrip(".").lower() + "."
    first_directive = next((n for n, d, _ in directives if d == "$ORIGIN"), None)
    before = [(n, o) for n, o in owners if first_directive is None or n < first_directive]
    relative = [(n, o) for n, o in before if not o.endswith(".")]
    soa = _soa_owner(text)
    if soa and soa[0] != "@" and (first_directive is None or soa[1] < first_directive):
        return soa[0].rstrip(".").lower() + "."
    if not relative:
        return "."
    if domain:
        d = domain.rstrip(".").lower()
        misfit = [(n, o) for n, o in relative if o != "@" and not _fits(o.lower(), d)]
        if not misfit:
            return d + "."
        n, name = misfit[0]
        raise ZoneError(
            f"zone file {source} line {n}: the name “{name}” is relative and the file has no $ORIGIN or SOA "
            f"record to attach it to (it does not read as a name under {d}): add “$ORIGIN {d}.” at the top "
            f"of the file or pass --origin {d}, or end absolute names with a dot (“{name}.”)")
    n, name = relative[0]
    raise ZoneError(
        f"zone file {source} line {n}: the name “{name}” is relative and the file has no $ORIGIN or SOA "
        "record to attach it to: add “$ORIGIN your-domain.example.” at the top of the file or pass --origin")


def _fits(name: str, domain: str) -> bool:
    """A relative name that reads as a name under ``domain``: a host or service label (www, _dmarc,
    s1._domainkey), or the domain itself written without its final dot; not a full name of another
    domain written without its dot (mail.example.net)."""
    if name == domain or name.endswith("." + domain):
        return True
    labels = name.split(".")
    return len(labels) == 1 or not _known_tld(labels[-1])


def _soa_owner(text: str):
    """(owner as written, line) of the first SOA record, or None."""
    import re

    m = re.search(r"(?mi)^([^\s;$][^\s;]*)[^\S\n]+(?:[^;\n\"]*?[^\S\n])?SOA(?=\s)", text)
    if not m:
        return None
    return m.group(1), text.count("\n", 0, m.start()) + 1


def read_zone_records(zone_text: str, source: str = "<zone>", *, origin: Optional[str] = None,
                      domain: Optional[str] = None):
    """(records [(dns.name.Name, ttl, rdata)], apexes {absolute origin names}, TXT record lines).

    Reads any RFC 1035 master file: ``$ORIGIN`` and ``$TTL``, ``@``, relative and absolute names, SOA and
    NS records, parenthesised multi-line records, TXT records split in strings, several zones in one file.
    ``$INCLUDE`` is refused (a zone file never makes contentlint read another file). A relative name that
    repeats its origin (``example.com`` under origin ``example.com.``: an absolute name written without its
    final dot, as some hosts export the SOA line) is read as that absolute name.
    """
    import dns.exception
    import dns.name
    import dns.rdataclass
    import dns.rdatatype
    import dns.tokenizer
    import dns.zonefile

    zone_text = zone_text.replace("\r\n", "\n").replace("\r", "\n")     # old Mac exports: CR-only lines
    lines, owners, directives = _scan(zone_text)
    initial = _initial_origin(zone_text, source, owners, directives, origin, domain)
    try:
        start = dns.name.from_text(initial)
    except dns.exception.DNSException as exc:
        raise ZoneError(f"zone file {source}: origin {initial!r} is not a domain name: {exc}") from None
    collector = _Collector(start)
    try:
        tok = dns.tokenizer.Tokenizer(zone_text, source)
        # a record without TTL and no $TTL before it takes one hour: the audit never reads TTLs
        reader = dns.zonefile.Reader(tok, dns.rdataclass.IN, collector, allow_directives={"$ORIGIN", "$TTL"},
                                     default_ttl=DEFAULT_TTL)
        reader.read()
    except dns.exception.DNSException as exc:
        raise ZoneError(f"zone file {source} is not a valid RFC 1035 master file: {exc}") from None
    except (ValueError, UnicodeError, KeyError) as exc:
        raise ZoneError(f"zone file {source} could not be parsed: {exc}") from None
    apexes = {start} if start != dns.name.root else set()
    for _, d, arg in directives:
        if d == "$ORIGIN" and arg:
            try:
                apexes.add(dns.name.from_text(arg, start))
            except dns.exception.DNSException:
                pass
    records = []
    doubled = {tuple(x.lower() for x in apex.labels[:-1] + apex.labels): len(apex.labels) for apex in apexes}
    for name, ttl, rdata in collector.records:
        low = tuple(x.lower() for x in name.labels)
        for i in range(len(low)):           # set lookups: linear in the file, whatever the number of $ORIGIN
            n = doubled.get(low[i:])
            if n:
                name = dns.name.Name(name.labels[:len(name.labels) - n] + (b"",))
                break
        if rdata.rdtype == dns.rdatatype.SOA:
            apexes.add(name)
        records.append((name, ttl, rdata))
    return records, apexes, lines


class ZoneResolver(BaseResolver):
    """Answers from RFC 1035 master files (one or several), holding records of any number of domains.

    See :func:`read_zone_records` for what is read. CNAMEs are followed like a resolver would. A name that
    falls under a zone of the files (an SOA owner, an ``$ORIGIN``, or the registrable domain of a name the
    files hold) and is absent does not exist (NXDOMAIN); a name that only has records below it
    (``_domainkey.example.com``) exists with no data. A name outside every zone of the files (an email
    provider's SPF include) is answered :data:`UNKNOWN`: the files cannot tell, and the checks say so.
    """

    def __init__(self, zone_text: str = "", source: str = "<zone>", *, origin: Optional[str] = None,
                 domain: Optional[str] = None, texts: Optional[list] = None) -> None:
        super().__init__()
        import dns.name

        self.source = source
        self.record_lines: dict[str, int] = {}
        self.sources: list[str] = []
        self.line_source: dict[str, str] = {}        # TXT record text -> file it was read from
        self.nodes: dict = {}                         # Name -> {rdtype: [rdata]}
        self.zones: set = set()
        for text, src in (texts if texts is not None else [(zone_text, source)]):
            records, apexes, lines = read_zone_records(text, src, origin=origin, domain=domain)
            self.sources.append(src)
            for rec, n in lines.items():
                if rec not in self.record_lines:
                    self.record_lines[rec] = n
                    self.line_source[rec] = src
            self.zones |= apexes
            for name, _ttl, rdata in records:
                self.nodes.setdefault(name, {}).setdefault(rdata.rdtype, []).append(rdata)
        self._exists: set = set()
        for name in self.nodes:
            n = name
            while True:
                self._exists.add(n)
                if n == dns.name.root:
                    break
                n = n.parent()
            reg = _registrable_name(name)
            if reg is not None:
                self.zones.add(reg)

    @classmethod
    def from_file(cls, path, *, origin: Optional[str] = None, domain: Optional[str] = None) -> "ZoneResolver":
        return cls.from_files([path], origin=origin, domain=domain)

    @classmethod
    def from_files(cls, paths, *, origin: Optional[str] = None, domain: Optional[str] = None) -> "ZoneResolver":
        texts = []
        for path in paths:
            p = Path(path)
            try:
                data = p.read_bytes()
            except OSError as exc:
                raise DnsUnavailable(f"cannot read zone file {p}: {exc.strerror or exc}") from None
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
            texts.append((text, str(p)))
        return cls(source=", ".join(t[1] for t in texts), origin=origin, domain=domain, texts=texts)

    def describe(self) -> str:
        return f"zone file{'s' if len(self.sources) > 1 else ''} {self.source}"

    def covers(self, qname) -> bool:
        """Whether ``qname`` (a dns Name or text) falls under one of the zones of the files (a walk up its parents)."""
        import dns.name

        if isinstance(qname, str):
            qname = dns.name.from_text(qname.rstrip(".") + ".")

        n = qname
        while True:
            if n in self.zones:
                return True
            if n == dns.name.root:
                return False
            n = n.parent()

    def _wildcard(self, qname):
        """RFC 4592: the ``*`` child of the closest existing ancestor answers for a missing name."""
        import dns.name

        n = qname
        while n != dns.name.root:
            n = n.parent()
            if n in self._exists:
                return self.nodes.get(dns.name.Name((b"*",) + n.labels))
        return None

    def _query(self, name: str, rdtype: str) -> Answer:
        import dns.exception
        import dns.name
        import dns.rdatatype

        try:
            qname = dns.name.from_text(name)
        except dns.exception.DNSException:
            return Answer(NXDOMAIN)
        want = dns.rdatatype.from_text(rdtype)
        for _ in range(8):  # CNAME chain bound
            node = self.nodes.get(qname)
            if node is None:
                if qname in self._exists:
                    return Answer(NODATA)
                node = self._wildcard(qname)
                if node is None:
                    return Answer(NXDOMAIN if self.covers(qname) else UNKNOWN)
            rds = node.get(want)
            if rds:
                return Answer(OK, _convert(rdtype, rds))
            cname = node.get(dns.rdatatype.CNAME)
            if not cname:
                return Answer(NODATA)
            qname = cname[0].target
        return Answer(NXDOMAIN)


def _registrable_name(name):
    """The registrable domain of a dns Name as a Name (public suffix list), or None."""
    import dns.name

    text = name.to_text().rstrip(".").lower()
    if not text or text.startswith("*"):
        return None
    labels = [x for x in text.split(".") if not x.startswith("_")]
    try:
        from .dmarc import org_domain

        org = org_domain(".".join(labels)) if labels else None
    except (ValueError, UnicodeError):
        org = None
    if not org or "." not in org:
        return None
    return dns.name.from_text(org + ".")


def make_resolver(nameserver=None, port=53, timeout=3.0, zone_file=None, *, origin: Optional[str] = None,
                  domain: Optional[str] = None) -> BaseResolver:
    """The resolver the options ask for: zone files when given (a path or a list of paths), else live DNS."""
    if zone_file:
        paths = [zone_file] if isinstance(zone_file, (str, Path)) else list(zone_file)
        return ZoneResolver.from_files(paths, origin=origin, domain=domain)
    return LiveResolver(nameserver=nameserver, port=port, timeout=timeout)
