"""A real authoritative DNS server for tests: dnslib's DNSServer (UDP + TCP) on 127.0.0.1, free port.

It serves RFC 1035 master files (parsed with dnspython, so type 99 SPF records work too): answers with the
records of the name, follows CNAMEs, answers NXDOMAIN for names that do not exist and NOERROR/no data for
names that exist without that type.  UDP answers above 512 bytes are truncated (TC bit), like a server
without EDNS, so clients must retry over TCP.

    with ZoneServer([zone_text, ...]) as server:
        LiveResolver(nameserver="127.0.0.1", port=server.port, timeout=2)
"""
from __future__ import annotations

import socket
import time
from pathlib import Path

import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.zone
from dnslib import QTYPE, RCODE, RD, RR, DNSLabel
from dnslib.server import BaseResolver, DNSHandler, DNSServer

ZONE_DIR = Path(__file__).parent / "data" / "dns"


class _Quiet:
    def __getattr__(self, name):
        return lambda *args, **kwargs: None


class _Handler(DNSHandler):
    udplen = 0  # truncation is done by ZoneData.resolve (dnslib's own drops the question section)


UDP_LIMIT = 512


class ZoneData(BaseResolver):
    def __init__(self, zone_texts):
        self.records: dict = {}          # dns.name.Name -> {rdtype int: (ttl, [wire bytes])}
        self.exists: set = set()
        self.asked: list[tuple[str, str, str]] = []   # (name, type, "udp"/"tcp")
        for text in zone_texts:
            try:
                zone = dns.zone.from_text(text, origin=dns.name.root, relativize=False, check_origin=False)
            except ValueError:   # a zone with its SOA: dnspython takes the origin from its $ORIGIN line
                zone = dns.zone.from_text(text, origin=None, relativize=False, check_origin=False)
            for name, node in zone.nodes.items():
                slot = self.records.setdefault(name, {})
                for rds in node.rdatasets:
                    ttl, wires = slot.setdefault(int(rds.rdtype), (rds.ttl, []))
                    wires.extend(rd.to_wire() for rd in rds)
                n = name
                while True:
                    self.exists.add(n)
                    if n == dns.name.root:
                        break
                    n = n.parent()

    def resolve(self, request, handler):
        reply = self._answer(request, handler)
        if getattr(handler, "protocol", "") == "udp" and len(reply.pack()) > UDP_LIMIT:
            reply = request.reply()   # question only, TC bit set: the client retries over TCP
            reply.header.tc = 1
        return reply

    def _answer(self, request, handler):
        reply = request.reply()
        qtype = request.q.qtype
        qname = dns.name.from_text(str(request.q.qname))
        self.asked.append((qname.to_text(), QTYPE.get(qtype, str(qtype)), getattr(handler, "protocol", "?")))
        for _ in range(8):
            slot = self.records.get(qname)
            if slot is None:
                if qname not in self.exists:
                    reply.header.rcode = RCODE.NXDOMAIN
                return reply
            if qtype in slot:
                ttl, wires = slot[qtype]
                for wire in wires:
                    reply.add_answer(RR(DNSLabel(qname.to_text()), qtype, 1, ttl, RD(wire)))
                return reply
            cname = slot.get(int(dns.rdatatype.CNAME))
            if cname is None:
                return reply
            ttl, wires = cname
            target = dns.name.from_wire(wires[0], 0)[0]
            reply.add_answer(RR(DNSLabel(qname.to_text()), QTYPE.CNAME, 1, ttl, RD(wires[0])))
            qname = target
        return reply


def _free_port() -> int:
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
        return port
    raise RuntimeError("no free port for the test DNS server")


class ZoneServer:
    """Context manager running UDP and TCP DNS servers on the same free port of 127.0.0.1."""

    def __init__(self, zone_texts):
        self.data = ZoneData(zone_texts)
        self.port = 0
        self._servers: list[DNSServer] = []

    def start(self) -> "ZoneServer":
        last = None
        for _ in range(10):
            port = _free_port()
            servers = []
            try:
                for tcp in (False, True):
                    s = DNSServer(self.data, port=port, address="127.0.0.1", tcp=tcp,
                                  logger=_Quiet(), handler=_Handler)
                    servers.append(s)
            except OSError as exc:  # port taken between probe and bind: try another
                last = exc
                for s in servers:
                    s.server.server_close()
                continue
            for s in servers:
                s.start_thread()
            self._servers, self.port = servers, port
            self._wait_ready()
            return self
        raise RuntimeError(f"could not start the test DNS server: {last}")

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not all(s.isAlive() for s in self._servers):
            time.sleep(0.01)

    def stop(self) -> None:
        for s in self._servers:
            s.stop()
            s.server.server_close()
        self._servers = []

    def __enter__(self) -> "ZoneServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def zone_files() -> list[Path]:
    return sorted(ZONE_DIR.glob("*.zone"))
