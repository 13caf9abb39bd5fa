"""Write a large, deterministic classic pcap with a realistic traffic mix, for benchmarking readers.

The capture is what a tap on a small office uplink might see: 256 clients (192.168.0.0/16 and
2001:db8:1::/64, locally administered MACs) talking through one router to servers at documentation
addresses (198.51.100.0/24, 203.0.113.0/24, 2001:db8:2::/64). Flows run interleaved, 64 at a time:

* TCP (~74% of packets): HTTP/1.1 on 80/8080/8000 (handshake with MSS, SACK-permitted, timestamps
  and window-scale options, GET/POST requests, 200/304/404 responses split at the MSS, delayed ACKs,
  FIN teardown); bulk transfers on 443 (TLS 1.3: ClientHello with SNI, ServerHello, application-data
  records), 22, 445, 3306, 5201, 5432 and 9100 (MSS-sized segments, an ACK every two); some
  connections without timestamps (Windows-like), some ending in RST; connection attempts refused;
* UDP (~19%): real DNS queries and responses (A, AAAA, MX, TXT, PTR, CNAME chains, NXDOMAIN with
  SOA) made with ``dpkt.dns``, NTP client/server exchanges, syslog messages, RTP-like voice streams;
* ICMP echo and ICMPv6 echo (~4%), ARP (~1.5%), ICMPv6 neighbor solicitation/advertisement (~1.5%);
* about 20% of the TCP/UDP flows over IPv6, and about 10% of all flows 802.1Q-tagged (VLAN 10, 20, 100).

Every IPv4 header, TCP, UDP, ICMP and ICMPv6 checksum is correct, as are all lengths; frames shorter
than 60 bytes are padded as NICs do. It is fast (several hundred thousand packets a second) because
nothing is built with dpkt objects per packet: each flow packs its headers with precompiled
``struct.Struct`` objects, and checksums are one's-complement sums of a few 16-bit words on top of
sums precomputed once for every payload in a small pool. dpkt builds the DNS messages and the
ARP and neighbor-discovery templates, once each.

Nothing depends on the clock: the packets come from ``random.Random(seed)`` and timestamps start at
2026-01-02T03:04:05Z and advance by 1-128 microseconds per packet, so the same arguments always give
the same file, byte for byte. Nothing is sent anywhere: this only writes a file.

    python benchmarks/make_capture.py OUT.pcap [--packets N] [--seed S]
"""

from __future__ import annotations

import argparse
import bisect
import random
import socket
import struct
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Callable, Union

import dpkt

START_SEC = 1767323045  # 2026-01-02T03:04:05Z
SNAPLEN = 262144
DEFAULT_PACKETS = 1_000_000
DEFAULT_SEED = 20260102
SLOTS = 64  # flows in progress at once; must be a power of two (chosen with getrandbits)
SLOT_BITS = SLOTS.bit_length() - 1
CLIENTS = 256

# TCP flags
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

_IP4 = struct.Struct("!BBHHHBBH4s4s")
_IP6 = struct.Struct("!IHBB16s16s")
_TCP = struct.Struct("!HHIIHHHH")
_TCP_TS = struct.Struct("!HHIIHHHHHHII")  # header + NOP, NOP, timestamps option
_UDP = struct.Struct("!HHHH")
_ECHO = struct.Struct("!BBHHH")
_U16 = struct.Struct("!H")
_II = struct.Struct("!II")
_RTP = struct.Struct("!BBHII")
_REC = struct.Struct("<IIII")
_FILE_HDR = struct.Struct("<IHHiIII").pack(0xA1B2C3D4, 2, 4, 0, 0, SNAPLEN, 1)

ETH_IP4 = b"\x08\x00"
ETH_IP6 = b"\x86\xdd"
ETH_ARP = b"\x08\x06"

Payload = tuple[bytes, int]  # the bytes and their one's-complement word sum (folded to 16 bits)
Frames = Iterator[bytes]


# --- checksums


def fold(s: int) -> int:
    """Fold a sum of 16-bit words into 16 bits (one's-complement end-around carry)."""
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def word_sum(data: bytes) -> int:
    """The one's-complement sum of DATA as big-endian 16-bit words (zero-padded to even length)."""
    if len(data) & 1:
        data += b"\x00"
    return fold(sum(struct.unpack(f"!{len(data) // 2}H", data)))


def payload(data: bytes) -> Payload:
    """DATA with its word sum, ready to be placed at an even offset of a checksummed segment."""
    return data, word_sum(data)


def tls_record(content_type: int, body: bytes) -> bytes:
    """A TLS 1.2-framed record (what TLS 1.3 puts on the wire too) of CONTENT_TYPE around BODY."""
    return bytes((content_type,)) + b"\x03\x03" + _U16.pack(len(body)) + body


def ip4(addr: str) -> bytes:
    return socket.inet_pton(socket.AF_INET, addr)


def ip6(addr: str) -> bytes:
    return socket.inet_pton(socket.AF_INET6, addr)


# --- network paths: Ethernet (+802.1Q) + IP header with the addresses of one direction


def eth_header(dst: bytes, src: bytes, ethertype: bytes, vlan: int) -> bytes:
    """Destination, source, an optional 802.1Q tag (priority 0) and the ethertype."""
    if vlan:
        return dst + src + b"\x81\x00" + _U16.pack(vlan) + ethertype
    return dst + src + ethertype


class Path4:
    """One direction of an IPv4 conversation: builds frames around transport segments."""

    __slots__ = ("addr_sum", "dst", "eth", "ip_base", "src", "ttl")

    def __init__(self, dst_mac: bytes, src_mac: bytes, src: bytes, dst: bytes, ttl: int, vlan: int) -> None:
        self.eth = eth_header(dst_mac, src_mac, ETH_IP4, vlan)
        self.src, self.dst, self.ttl = src, dst, ttl
        self.addr_sum = word_sum(src + dst)  # also the address part of the transport pseudo-header
        self.ip_base = 0x4500 + 0x4000 + self.addr_sum  # version/IHL/TOS, DF, addresses

    def frame(self, proto: int, ident: int, header: bytes, data: bytes) -> bytes:
        """Ethernet + IPv4 (DF set, checksum computed) + HEADER + DATA, padded to 60 bytes."""
        total = 20 + len(header) + len(data)
        s = self.ip_base + total + ident + ((self.ttl << 8) | proto)
        s = (s & 0xFFFF) + (s >> 16)
        s = (s & 0xFFFF) + (s >> 16)
        ip = _IP4.pack(0x45, 0, total, ident, 0x4000, self.ttl, proto, ~s & 0xFFFF, self.src, self.dst)
        if total >= 46:
            return b"".join((self.eth, ip, header, data))
        return b"".join((self.eth, ip, header, data)).ljust(60 + len(self.eth) - 14, b"\x00")


class Path6:
    """One direction of an IPv6 conversation: builds frames around transport segments."""

    __slots__ = ("addr_sum", "dst", "eth", "hlim", "src", "vtf")

    def __init__(
        self, dst_mac: bytes, src_mac: bytes, src: bytes, dst: bytes, hlim: int, vlan: int, flow: int = 0
    ) -> None:
        self.eth = eth_header(dst_mac, src_mac, ETH_IP6, vlan)
        self.src, self.dst, self.hlim = src, dst, hlim
        self.addr_sum = word_sum(src + dst)
        self.vtf = 0x60000000 | (flow & 0xFFFFF)

    def frame(self, proto: int, ident: int, header: bytes, data: bytes) -> bytes:
        """Ethernet + IPv6 + HEADER + DATA (IDENT is unused: there is no fragment header)."""
        ip = _IP6.pack(self.vtf, len(header) + len(data), proto, self.hlim, self.src, self.dst)
        return b"".join((self.eth, ip, header, data))


IpPath = Union[Path4, Path6]


def udp_frame(p: IpPath, sport: int, dport: int, data: bytes, dsum: int, ident: int) -> bytes:
    """A UDP datagram with a correct checksum; DSUM is the word sum of DATA (need not be folded)."""
    ulen = 8 + len(data)
    s = p.addr_sum + 17 + ulen + sport + dport + ulen + dsum
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return p.frame(17, ident, _UDP.pack(sport, dport, ulen, (~s & 0xFFFF) or 0xFFFF), data)


# --- the pools: payloads and DNS messages made once


class Pools:
    """Payloads with precomputed sums, DNS messages, hosts; all drawn from RNG once, at start."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        rb = rng.randbytes
        self.router_mac = bytes.fromhex("020000000001")
        self.router_ip = ip4("192.168.0.1")
        self.router_ll6 = ip6("fe80::1")
        self.client_mac = [bytes.fromhex(f"0200000a{i:04x}") for i in range(CLIENTS)]
        self.client_ip = [ip4(f"192.168.{1 + i // 200}.{10 + i % 200}") for i in range(CLIENTS)]
        self.client_ip6 = [ip6(f"2001:db8:1::{0x100 + i:x}") for i in range(CLIENTS)]
        self.client_ll6 = [ip6(f"fe80::ff:fe0a:{i:x}") for i in range(CLIENTS)]
        self.server_ip = [ip4(f"198.51.100.{i}") for i in range(10, 60)] + [
            ip4(f"203.0.113.{i}") for i in range(10, 40)
        ]
        self.server_ip6 = [ip6(f"2001:db8:2::{i:x}") for i in range(0x10, 0x40)]
        self.resolver = ip4("192.0.2.53")
        self.resolver6 = ip6("2001:db8::53")

        # Bulk data: random bytes, cut to each MSS in use (with/without timestamps, IPv4/IPv6).
        self.bulk: dict[int, list[Payload]] = {}
        chunks = [rb(1460) for _ in range(32)]
        for mss in (1460, 1448, 1440, 1428):
            self.bulk[mss] = [payload(c[:mss]) for c in chunks]
        self.tails = [payload(rb(rng.randrange(1, 1400))) for _ in range(64)]
        # TLS 1.3 on 443: a ClientHello (with SNI), the server's ServerHello + ChangeCipherSpec + encrypted
        # flight, then application-data records, each segment holding whole records.
        self.tls: dict[int, list[Payload]] = {}
        self.tls_flight: dict[int, list[list[Payload]]] = {}
        for mss in (1460, 1448, 1440, 1428):
            self.tls[mss] = [payload(tls_record(0x17, rb(mss - 5))) for _ in range(32)]
            self.tls_flight[mss] = [self._server_flight(mss, rb) for _ in range(4)]
        self.tls_tails = [payload(tls_record(0x17, rb(rng.randrange(30, 1300)))) for _ in range(32)]
        self.client_hellos = [
            payload(self._client_hello(host, rb))
            for host in ("www.example.com", "api.example.net", "static.example.com", "login.example.org")
        ]
        self.client_finished = [
            payload(tls_record(0x14, b"\x01") + tls_record(0x17, rb(n))) for n in (53, 74, 90)
        ]
        self.http_requests = [payload(r) for r in self._http_requests()]
        self.http_bodies = self._http_responses()
        self.dns = self._dns_pairs()
        self.ntp = [self._ntp_pair(i) for i in range(16)]
        self.syslog = [payload(m) for m in self._syslog_messages()]
        self.voice = [payload(rb(160)) for _ in range(32)]
        self.ping_data = [payload(rb(8) + b"\x00" * 8 + bytes(range(0x10, 0x38))) for _ in range(16)]
        self.link_cache: dict[tuple[str, int, int], list[bytes]] = {}

    # -- TLS

    @staticmethod
    def _client_hello(host: str, rb: Callable[[int], bytes]) -> bytes:
        """A TLS 1.3 ClientHello record: three suites, SNI, supported_versions, key_share, padding."""
        name = host.encode()
        sni = _U16.pack(len(name) + 3) + b"\x00" + _U16.pack(len(name)) + name
        exts = (
            b"\x00\x00"
            + _U16.pack(len(sni))
            + sni
            + b"\x00\x2b\x00\x03\x02\x03\x04"  # supported_versions: TLS 1.3
            + b"\x00\x0a\x00\x04\x00\x02\x00\x1d"  # supported_groups: x25519
            + b"\x00\x0d\x00\x04\x00\x02\x08\x04"  # signature_algorithms: rsa_pss_rsae_sha256
            + b"\x00\x33\x00\x26\x00\x24\x00\x1d\x00\x20"
            + rb(32)
        )  # key_share: x25519
        body = b"\x03\x03" + rb(32) + b"\x20" + rb(32) + b"\x00\x06\x13\x01\x13\x02\x13\x03\x01\x00"
        pad = 512 - (len(body) + 2 + len(exts) + 4 + 4 + 5)  # padding extension up to a 512-byte hello
        exts += b"\x00\x15" + _U16.pack(pad) + b"\x00" * pad
        hello = body + _U16.pack(len(exts)) + exts
        return b"\x16\x03\x01" + _U16.pack(len(hello) + 4) + b"\x01\x00" + _U16.pack(len(hello)) + hello

    @staticmethod
    def _server_flight(mss: int, rb: Callable[[int], bytes]) -> list[Payload]:
        """ServerHello, ChangeCipherSpec and encrypted records: three segments, each of whole records."""
        exts = b"\x00\x2b\x00\x02\x03\x04" + b"\x00\x33\x00\x24\x00\x1d\x00\x20" + rb(32)
        body = b"\x03\x03" + rb(32) + b"\x20" + rb(32) + b"\x13\x01\x00" + _U16.pack(len(exts)) + exts
        hello = tls_record(0x16, b"\x02\x00" + _U16.pack(len(body)) + body) + tls_record(0x14, b"\x01")
        first = hello + tls_record(0x17, rb(mss - len(hello) - 5))
        return [
            payload(first),
            payload(tls_record(0x17, rb(mss - 5))),
            payload(tls_record(0x17, rb(700 + mss % 97))),
        ]

    # -- HTTP

    def _http_requests(self) -> list[bytes]:
        hosts = ["www.example.com", "example.org", "api.example.net", "static.example.com", "intranet.test"]
        paths = [
            "/",
            "/index.html",
            "/api/v1/items?page=2",
            "/static/app.js",
            "/static/style.css",
            "/images/logo.png",
            "/favicon.ico",
            "/search?q=packet+capture",
            "/login",
            "/health",
        ]
        agents = [
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
            "curl/8.5.0",
            "python-requests/2.32.3",
            "Wget/1.21.4",
        ]
        out = []
        for i in range(48):
            host, path, agent = hosts[i % 5], paths[(i * 7) % 10], agents[(i * 3) % 4]
            if i % 8 == 7:
                body = b'{"user":"demo","remember":true,"n":' + str(i).encode() + b"}"
                out.append(
                    b"POST /api/v1/session HTTP/1.1\r\nHost: "
                    + host.encode()
                    + b"\r\nUser-Agent: "
                    + agent.encode()
                    + b"\r\nContent-Type: application/json\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\nAccept: */*\r\n\r\n"
                    + body
                )
            else:
                out.append(
                    f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {agent}\r\nAccept: */*\r\n"
                    f"Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n".encode()
                )
        return out

    def _http_responses(self) -> list[bytes]:
        rng = self.rng
        words = [
            b"packet",
            b"capture",
            b"example",
            b"network",
            b"<p>",
            b"</p>",
            b'<div class="row">',
            b"</div>",
            b"lorem",
            b"ipsum",
            b"data",
            b"\n",
        ]
        out = []
        date = b"Date: Fri, 02 Jan 2026 03:04:05 GMT\r\nServer: nginx/1.24.0\r\n"
        for size in [0, 0, 120, 400, 900, 1500, 2800, 4200, 7000, 12000, 20000, 35000, 60000, 90000]:
            if size == 0:
                out.append(b"HTTP/1.1 304 Not Modified\r\n" + date + b'ETag: "5f1e-2c"\r\n\r\n')
                out.append(
                    b"HTTP/1.1 404 Not Found\r\n"
                    + date
                    + b"Content-Type: text/html\r\nContent-Length: 153\r\n\r\n"
                    + b"<html>"
                    + b"x" * 147
                )
                continue
            body = b"<!doctype html>\n<html><body>\n"
            while len(body) < size:
                body += words[rng.randrange(len(words))] + b" "
            body = body[:size]
            out.append(
                b"HTTP/1.1 200 OK\r\n"
                + date
                + b"Content-Type: text/html; charset=UTF-8\r\nContent-Length: "
                + str(len(body)).encode()
                + b"\r\nCache-Control: max-age=600\r\n\r\n"
                + body
            )
        return out

    def segments(self, data: bytes, mss: int) -> list[Payload]:
        """DATA cut at the MSS, each piece with its sum (cached per response and MSS)."""
        return [payload(data[i : i + mss]) for i in range(0, len(data), mss)]

    # -- DNS, NTP, syslog

    def _dns_pairs(self) -> list[tuple[Payload, Payload]]:
        """(query, response) pairs made with dpkt.dns; their IDs are zero, patched in per packet."""
        d = dpkt.dns
        names = [
            "www.example.com",
            "example.org",
            "api.example.net",
            "mail.example.com",
            "cdn.example.org",
            "static.example.com",
            "intranet.test",
            "printer.office.test",
            "time.example.net",
            "updates.example.com",
            "login.example.org",
            "git.example.net",
        ]
        pairs = []
        for i, name in enumerate(names):
            n = i + 20
            for qtype in (d.DNS_A, d.DNS_AAAA, d.DNS_MX, d.DNS_TXT):
                q = d.DNS.Q(name=name, type=qtype, cls=d.DNS_IN)
                query = d.DNS(id=0, op=d.DNS_RD, qd=[q])
                an = []
                if qtype == d.DNS_A:
                    if i % 3 == 0:  # a CNAME chain
                        target = "edge.cdn.example.net"
                        an.append(d.DNS.RR(name=name, type=d.DNS_CNAME, cls=d.DNS_IN, ttl=300, cname=target))
                        for k in range(2):
                            an.append(
                                d.DNS.RR(
                                    name=target,
                                    type=d.DNS_A,
                                    cls=d.DNS_IN,
                                    ttl=60,
                                    ip=ip4(f"203.0.113.{n + k}"),
                                )
                            )
                    else:
                        an.append(
                            d.DNS.RR(
                                name=name, type=d.DNS_A, cls=d.DNS_IN, ttl=3600, ip=ip4(f"198.51.100.{n}")
                            )
                        )
                elif qtype == d.DNS_AAAA:
                    an.append(
                        d.DNS.RR(
                            name=name, type=d.DNS_AAAA, cls=d.DNS_IN, ttl=3600, ip6=ip6(f"2001:db8:2::{n:x}")
                        )
                    )
                elif qtype == d.DNS_MX:
                    for pref in (10, 20):
                        an.append(
                            d.DNS.RR(
                                name=name,
                                type=d.DNS_MX,
                                cls=d.DNS_IN,
                                ttl=3600,
                                preference=pref,
                                mxname=f"mx{pref // 10}.{name}",
                            )
                        )
                else:
                    an.append(
                        d.DNS.RR(
                            name=name,
                            type=d.DNS_TXT,
                            cls=d.DNS_IN,
                            ttl=300,
                            text=[b"v=spf1 ip4:198.51.100.0/24 -all"],
                        )
                    )
                resp = d.DNS(id=0, op=d.DNS_QR | d.DNS_RD | d.DNS_RA, qd=[q], an=an)
                pairs.append((payload(bytes(query)), payload(bytes(resp))))
        for i in range(12):  # reverse lookups
            rname = f"{20 + i}.100.51.198.in-addr.arpa"
            q = d.DNS.Q(name=rname, type=d.DNS_PTR, cls=d.DNS_IN)
            rr = d.DNS.RR(name=rname, type=d.DNS_PTR, cls=d.DNS_IN, ttl=86400, ptrname=f"host{i}.example.com")
            pairs.append(
                (
                    payload(bytes(d.DNS(id=0, op=d.DNS_RD, qd=[q]))),
                    payload(bytes(d.DNS(id=0, op=d.DNS_QR | d.DNS_RD | d.DNS_RA, qd=[q], an=[rr]))),
                )
            )
        for i in range(8):  # NXDOMAIN with the SOA in the authority section
            qname = f"no-such-host-{i}.example.com"
            q = d.DNS.Q(name=qname, type=d.DNS_A, cls=d.DNS_IN)
            soa = d.DNS.RR(
                name="example.com",
                type=d.DNS_SOA,
                cls=d.DNS_IN,
                ttl=3600,
                mname="ns1.example.com",
                rname="hostmaster.example.com",
                serial=2026010201,
                refresh=7200,
                retry=3600,
                expire=1209600,
                minimum=3600,
            )
            resp = d.DNS(
                id=0, op=d.DNS_QR | d.DNS_RD | d.DNS_RA, rcode=d.DNS_RCODE_NXDOMAIN, qd=[q], ns=[soa]
            )
            pairs.append((payload(bytes(d.DNS(id=0, op=d.DNS_RD, qd=[q]))), payload(bytes(resp))))
        return pairs

    def _ntp_pair(self, i: int) -> tuple[Payload, Payload]:
        era = START_SEC + 2208988800 + i * 64  # NTP seconds since 1900
        frac = (self.rng.getrandbits(32),)
        req = struct.pack("!BBbbII4sQQQQ", 0x23, 0, 6, -20, 0, 0, b"\x00" * 4, 0, 0, 0, (era << 32) | frac[0])
        resp = struct.pack(
            "!BBbbII4sQQQQ",
            0x24,
            2,
            6,
            -23,
            0x120,
            0x2D0,
            ip4("192.0.2.123"),
            (era - 30) << 32,
            (era << 32) | frac[0],
            ((era << 32) | frac[0]) + 0x100000,
            ((era << 32) | frac[0]) + 0x108000,
        )
        return payload(req), payload(resp)

    def _syslog_messages(self) -> list[bytes]:
        apps = [
            "sshd[812]: Accepted publickey for demo from 192.168.1.20 port 50022 ssh2",
            "kernel: eth0: link up, 1000 Mbps, full duplex",
            "CRON[1201]: (root) CMD (run-parts /etc/cron.hourly)",
            "systemd[1]: Started Daily apt download activities.",
            "dhcpd[600]: DHCPACK on 192.168.1.77 to 02:00:00:0a:00:4d via eth1",
        ]
        return [
            f"<{13 + i % 8 * 8}>Jan  2 03:04:{i % 60:02d} host{i % 9} {apps[i % 5]}".encode()
            for i in range(40)
        ]


# --- flows: generators that yield one frame per next()


class Half:
    """One end of a TCP connection, as the sender of the segments it emits."""

    __slots__ = ("base", "ident", "path", "port", "seq", "ts", "win")

    def __init__(self, path: IpPath, port: int, seq: int, ts: int, ident: int, win: int) -> None:
        self.path, self.port, self.seq, self.ts, self.ident, self.win = path, port, seq, ts, ident, win
        self.base = 0  # set by Tcp once both ports are known


class Tcp:
    """Both ends of one TCP connection: sequence numbers, timestamps, IP IDs, windows.

    ``send`` is the fast path for established segments (a single ``struct`` call for the header and its
    timestamp option, a checksum from precomputed partial sums); ``syn`` and ``rst`` are the rare cases.
    """

    __slots__ = ("half", "mss", "rng", "syn_win", "use_ts", "wscale")

    def __init__(
        self, rng: random.Random, c2s: IpPath, s2c: IpPath, cport: int, sport: int, use_ts: bool, v6: bool
    ) -> None:
        self.rng = rng
        self.use_ts = use_ts
        self.wscale = 7 if use_ts else 8
        self.syn_win = (64240, 65160) if use_ts else (64240, 65535)
        client = Half(
            c2s,
            cport,
            rng.getrandbits(32),
            rng.getrandbits(31),
            rng.getrandbits(16),
            (self.syn_win[0] >> self.wscale) - rng.getrandbits(3),
        )
        server = Half(s2c, sport, rng.getrandbits(32), rng.getrandbits(31), 0, self.syn_win[1] >> self.wscale)
        self.half = (client, server)
        opt_words = 0x0101 + 0x080A if use_ts else 0
        for h in self.half:
            # Everything in the TCP checksum that stays fixed: pseudo-header addresses and protocol,
            # ports, window, and the NOP NOP TS kind/length words.
            h.base = h.path.addr_sum + 6 + cport + sport + h.win + opt_words
        base = 1440 if v6 else 1460
        self.mss = base - 12 if use_ts else base

    def send(self, d: int, flags: int, data: bytes = b"", dsum: int = 0) -> bytes:
        """The next established segment (ACK set) from end D (0 client, 1 server) with FLAGS and DATA."""
        h = self.half[d]
        o = self.half[1 - d]
        seq, ack = h.seq, o.seq
        n = len(data)
        if self.use_ts:
            tsv = h.ts = (h.ts + 1) & 0x7FFFFFFF
            tse = o.ts
            offflags = 0x8000 | flags  # 32-byte header
            s = (
                h.base
                + 32
                + n
                + (seq >> 16)
                + (seq & 0xFFFF)
                + (ack >> 16)
                + (ack & 0xFFFF)
                + offflags
                + dsum
                + (tsv >> 16)
                + (tsv & 0xFFFF)
                + (tse >> 16)
                + (tse & 0xFFFF)
            )
            s = (s & 0xFFFF) + (s >> 16)
            s = (s & 0xFFFF) + (s >> 16)
            header = _TCP_TS.pack(
                h.port, o.port, seq, ack, offflags, h.win, ~s & 0xFFFF, 0, 0x0101, 0x080A, tsv, tse
            )
        else:
            offflags = 0x5000 | flags  # 20-byte header
            s = (
                h.base
                + 20
                + n
                + (seq >> 16)
                + (seq & 0xFFFF)
                + (ack >> 16)
                + (ack & 0xFFFF)
                + offflags
                + dsum
            )
            s = (s & 0xFFFF) + (s >> 16)
            s = (s & 0xFFFF) + (s >> 16)
            header = _TCP.pack(h.port, o.port, seq, ack, offflags, h.win, ~s & 0xFFFF, 0)
        h.seq = (seq + n + (flags & FIN)) & 0xFFFFFFFF
        ident = h.ident
        h.ident = (ident + 1) & 0xFFFF
        return h.path.frame(6, ident, header, data)

    def _segment(self, d: int, flags: int, ack: int, win: int, opts: bytes) -> bytes:
        """A segment without data and with explicit ACK, window and options (SYN, SYN-ACK, RST)."""
        h = self.half[d]
        o = self.half[1 - d]
        header = _TCP.pack(h.port, o.port, h.seq, ack, ((20 + len(opts)) << 10) | flags, win, 0, 0) + opts
        s = fold(h.path.addr_sum + 6 + len(header) + word_sum(header))
        header = header[:16] + _U16.pack(~s & 0xFFFF) + header[18:]
        if flags & SYN:
            h.seq = (h.seq + 1) & 0xFFFFFFFF
        ident = h.ident
        h.ident = (ident + 1) & 0xFFFF
        return h.path.frame(6, ident, header, b"")

    def syn(self, d: int) -> bytes:
        """SYN (D=0) or SYN-ACK (D=1), with the options Linux (timestamps) or Windows (none) sends."""
        h, o = self.half[d], self.half[1 - d]
        mss = self.mss + (12 if self.use_ts else 0)
        if self.use_ts:  # Linux: MSS, SACK permitted, timestamps, NOP, window scale
            opts = b"\x02\x04" + _U16.pack(mss) + b"\x04\x02\x08\x0a" + _II.pack(h.ts, o.ts if d else 0)
            opts += b"\x01\x03\x03" + bytes((self.wscale,))
        else:  # Windows: MSS, NOP, window scale, NOP, NOP, SACK permitted
            opts = (
                b"\x02\x04" + _U16.pack(mss) + b"\x01\x03\x03" + bytes((self.wscale,)) + b"\x01\x01\x04\x02"
            )
        return self._segment(d, SYN | (ACK if d else 0), o.seq if d else 0, self.syn_win[d], opts)

    def refuse(self) -> bytes:
        """The server's RST-ACK to a SYN for a closed port: sequence 0, window 0, no options."""
        server = self.half[1]
        server.seq, server.ident = 0, 0
        return self._segment(1, RST | ACK, self.half[0].seq, 0, b"")

    def reset(self, d: int) -> bytes:
        """End D aborts the connection (RST-ACK, no options, window 0)."""
        return self._segment(d, RST | ACK, self.half[1 - d].seq, 0, b"")

    def handshake(self) -> Frames:
        yield self.syn(0)
        yield self.syn(1)
        self.half[1].ident = self.rng.getrandbits(16)
        yield self.send(0, ACK)

    def stream(self, d: int, pieces: Sequence[Payload], push_last: bool = True) -> Frames:
        """End D sends PIECES; the other end ACKs every second segment and the last one."""
        last = len(pieces) - 1
        for i, (data, dsum) in enumerate(pieces):
            yield self.send(d, (PSH | ACK) if (i == last and push_last) else ACK, data, dsum)
            if i & 1 or i == last:
                yield self.send(1 - d, ACK)

    def close(self, d: int) -> Frames:
        yield self.send(d, FIN | ACK)
        yield self.send(1 - d, FIN | ACK)
        yield self.send(d, ACK)


class Flows:
    """Makes new flows of every kind, in the proportions of WEIGHTS."""

    def __init__(self, rng: random.Random, pools: Pools) -> None:
        self.rng = rng
        self.p = pools
        self._segments: dict[tuple[int, int], list[Payload]] = {}
        # (name, flow weight, generator factory); weights are per flow, chosen so that the packet shares
        # come out near: TCP ~75%, UDP ~18% (DNS ~8%), ICMP/ICMPv6 ~4%, ARP ~1%, neighbor discovery ~1%.
        kinds: list[tuple[str, float, Callable[[], Frames]]] = [
            ("tcp-http", 0.6, self.http),
            ("tcp-bulk", 0.175, self.bulk),
            ("tcp-refused", 0.5, self.refused),
            ("udp-dns", 4.1, self.dns),
            ("udp-ntp", 1.0, self.ntp),
            ("udp-syslog", 0.8, self.syslog),
            ("udp-rtp", 0.066, self.rtp),
            ("icmp-echo", 0.32, self.ping),
            ("arp", 0.75, self.arp),
            ("icmp6-nd", 0.75, self.ndp),
        ]
        self.names = [k[0] for k in kinds]
        self.makers = [k[2] for k in kinds]
        total = sum(k[1] for k in kinds)
        acc, self.cum = 0.0, []
        for k in kinds:
            acc += k[1] / total
            self.cum.append(acc)
        self.cum[-1] = 1.0

    def new(self) -> tuple[int, Frames]:
        """A new flow: (kind index, generator of its frames)."""
        k = bisect.bisect_left(self.cum, self.rng.random())
        return k, self.makers[k]()

    # -- helpers

    def _vlan(self) -> int:
        r = self.rng.random()
        return 0 if r >= 0.10 else (10, 20, 100)[int(r * 30)]

    def _paths(self, v6: bool, server: bytes | None = None) -> tuple[IpPath, IpPath, int]:
        """Client-to-server and server-to-client paths through the router, and the client index."""
        rng, p = self.rng, self.p
        c = rng.randrange(CLIENTS)
        vlan = self._vlan()
        hops = (8, 12, 14, 20)[rng.getrandbits(2)]
        cmac, rmac = p.client_mac[c], p.router_mac
        if v6:
            srv = server or p.server_ip6[rng.randrange(len(p.server_ip6))]
            flow = rng.getrandbits(20)
            return (
                Path6(rmac, cmac, p.client_ip6[c], srv, 64, vlan, flow),
                Path6(cmac, rmac, srv, p.client_ip6[c], 64 - hops, vlan, flow ^ 0x5A5A5),
                c,
            )
        srv = server or p.server_ip[rng.randrange(len(p.server_ip))]
        ttl = (64, 128)[rng.getrandbits(1)] - hops
        return (
            Path4(rmac, cmac, p.client_ip[c], srv, 64, vlan),
            Path4(cmac, rmac, srv, p.client_ip[c], ttl, vlan),
            c,
        )

    def _eport(self) -> int:
        return 32768 + self.rng.randrange(28232)

    def _v6(self) -> bool:
        return self.rng.random() < 0.2

    def _response(self, body: int, mss: int) -> list[Payload]:
        key = (body, mss)
        segs = self._segments.get(key)
        if segs is None:
            segs = self._segments[key] = self.p.segments(self.p.http_bodies[body], mss)
        return segs

    # -- TCP

    def http(self) -> Frames:
        rng, p = self.rng, self.p
        v6 = self._v6()
        c2s, s2c, _ = self._paths(v6)
        conn = Tcp(
            rng,
            c2s,
            s2c,
            self._eport(),
            (80, 80, 80, 8080, 8000, 80, 80, 80)[rng.getrandbits(3)],
            rng.random() < 0.85,
            v6,
        )
        yield from conn.handshake()
        for _ in range(1 + rng.getrandbits(2)):
            yield conn.send(0, PSH | ACK, *p.http_requests[rng.randrange(len(p.http_requests))])
            body = rng.randrange(len(p.http_bodies))
            if rng.getrandbits(1):
                yield conn.send(1, ACK)
            yield from conn.stream(1, self._response(body, conn.mss))
        yield from conn.close(rng.getrandbits(1))

    def bulk(self) -> Frames:
        rng, p = self.rng, self.p
        v6 = self._v6()
        c2s, s2c, _ = self._paths(v6)
        port = (443, 443, 443, 443, 22, 445, 9100, 3306, 5201, 5432, 443, 22)[rng.randrange(12)]
        conn = Tcp(rng, c2s, s2c, self._eport(), port, rng.random() < 0.8, v6)
        yield from conn.handshake()
        d = 1 if rng.random() < 0.7 else 0  # download or upload
        if port == 443:
            yield from conn.stream(0, [p.client_hellos[rng.getrandbits(2)]])
            yield from conn.stream(1, p.tls_flight[conn.mss][rng.getrandbits(2)])
            yield from conn.stream(0, [p.client_finished[rng.randrange(3)]])
            pool, tails = p.tls[conn.mss], p.tls_tails
        else:
            pool, tails = p.bulk[conn.mss], p.tails
        send = conn.send
        for i in range(10 + rng.randrange(290)):
            data, dsum = pool[rng.getrandbits(5)]
            yield send(d, ACK, data, dsum)
            if i & 1:
                yield send(1 - d, ACK)
        yield from conn.stream(d, [tails[rng.getrandbits(5)]])
        if rng.random() < 0.1:
            yield conn.reset(0)
        else:
            yield from conn.close(d)

    def refused(self) -> Frames:
        v6 = self._v6()
        c2s, s2c, _ = self._paths(v6)
        conn = Tcp(
            self.rng, c2s, s2c, self._eport(), (23, 25, 8443, 9000, 3389)[self.rng.randrange(5)], True, v6
        )
        yield conn.syn(0)
        yield conn.refuse()

    # -- UDP

    def dns(self) -> Frames:
        rng, p = self.rng, self.p
        v6 = self._v6()
        c2s, s2c, _ = self._paths(v6, p.resolver6 if v6 else p.resolver)
        cport, ident = self._eport(), rng.getrandbits(16)
        first = rng.randrange(len(p.dns))
        pairs = [p.dns[first]]
        if rng.getrandbits(1) and first < 48 and first % 4 == 0:  # A then AAAA, like getaddrinfo
            pairs.append(p.dns[first + 1])
        ids = [rng.getrandbits(16) for _ in pairs]
        for ((q, qsum), _), qid in zip(pairs, ids):
            yield udp_frame(c2s, cport, 53, _U16.pack(qid) + q[2:], qsum + qid, ident)
            ident = (ident + 1) & 0xFFFF
        rid = rng.getrandbits(16)
        for (_, (r, rsum)), qid in zip(pairs, ids):
            yield udp_frame(s2c, 53, cport, _U16.pack(qid) + r[2:], rsum + qid, rid)
            rid = (rid + 1) & 0xFFFF

    def ntp(self) -> Frames:
        rng, p = self.rng, self.p
        v6 = self._v6()
        c2s, s2c, _ = self._paths(v6)
        cport = 123 if rng.getrandbits(1) else self._eport()
        (q, qsum), (r, rsum) = p.ntp[rng.getrandbits(4)]
        yield udp_frame(c2s, cport, 123, q, qsum, rng.getrandbits(16))
        yield udp_frame(s2c, 123, cport, r, rsum, rng.getrandbits(16))

    def syslog(self) -> Frames:
        rng, p = self.rng, self.p
        c2s, _, _ = self._paths(self._v6())
        cport, ident = self._eport(), rng.getrandbits(16)
        for _ in range(1 + rng.getrandbits(2)):
            yield udp_frame(c2s, cport, 514, *p.syslog[rng.randrange(len(p.syslog))], ident)
            ident = (ident + 1) & 0xFFFF

    def rtp(self) -> Frames:
        """An RTP-like G.711 voice stream both ways: 12-byte header + 160 bytes every 20 ms."""
        rng, p = self.rng, self.p
        v6 = self._v6()
        c2s, s2c, _ = self._paths(v6)
        paths = (c2s, s2c)
        ports = (16384 + 2 * rng.randrange(4096), 16384 + 2 * rng.randrange(4096))
        seq = [rng.getrandbits(16), rng.getrandbits(16)]
        ts = [rng.getrandbits(32), rng.getrandbits(32)]
        ssrc = (rng.getrandbits(32), rng.getrandbits(32))
        ident = [rng.getrandbits(16), rng.getrandbits(16)]
        for i in range(30 + rng.randrange(120)):
            d = i & 1
            data, dsum = p.voice[rng.getrandbits(5)]
            sq, t, sc = seq[d], ts[d], ssrc[d]
            hsum = 0x8000 + sq + (t >> 16) + (t & 0xFFFF) + (sc >> 16) + (sc & 0xFFFF)
            yield udp_frame(
                paths[d], ports[d], ports[1 - d], _RTP.pack(0x80, 0, sq, t, sc) + data, hsum + dsum, ident[d]
            )
            seq[d] = (sq + 1) & 0xFFFF
            ts[d] = (t + 160) & 0xFFFFFFFF
            ident[d] = (ident[d] + 1) & 0xFFFF

    # -- ICMP, ICMPv6, ARP, neighbor discovery

    def ping(self) -> Frames:
        rng, p = self.rng, self.p
        v6 = rng.random() < 0.4
        c2s, s2c, _ = self._paths(v6)
        ident, data = rng.getrandbits(16), p.ping_data[rng.getrandbits(4)]
        req_t, rep_t, proto = (128, 129, 58) if v6 else (8, 0, 1)
        ip_id = [rng.getrandbits(16), rng.getrandbits(16)]
        dlen = len(data[0])
        for seq in range(1, 4 + rng.randrange(8)):
            for d, (path, typ) in enumerate(((c2s, req_t), (s2c, rep_t))):
                if d == 1 and rng.random() < 0.05:
                    continue  # lost
                s = (typ << 8) + ident + seq + data[1]
                if v6:
                    s += path.addr_sum + 58 + 8 + dlen
                s = fold(s)
                yield path.frame(proto, ip_id[d], _ECHO.pack(typ, 0, ~s & 0xFFFF, ident, seq), data[0])
                ip_id[d] = (ip_id[d] + 1) & 0xFFFF

    def _link_frames(self, kind: str, c: int, vlan: int) -> list[bytes]:
        """The ARP or neighbor-discovery exchange between client C and the router (made once, with dpkt)."""
        key = (kind, c, vlan)
        frames = self.p.link_cache.get(key)
        if frames is not None:
            return frames
        p = self.p
        cmac, rmac = p.client_mac[c], p.router_mac
        if kind == "arp":
            a = dpkt.arp
            req = a.ARP(op=a.ARP_OP_REQUEST, sha=cmac, spa=p.client_ip[c], tha=b"\x00" * 6, tpa=p.router_ip)
            rep = a.ARP(op=a.ARP_OP_REPLY, sha=rmac, spa=p.router_ip, tha=cmac, tpa=p.client_ip[c])
            frames = [
                (eth_header(b"\xff" * 6, cmac, ETH_ARP, vlan) + bytes(req)).ljust(60, b"\x00"),
                (eth_header(cmac, rmac, ETH_ARP, vlan) + bytes(rep)).ljust(60, b"\x00"),
            ]
        else:
            i6 = dpkt.icmp6
            target = p.router_ll6
            group = ip6("ff02::1:ff00:0")[:13] + target[13:]
            ns = i6.ICMP6(type=i6.ND_NEIGHBOR_SOLICIT, code=0, data=b"\x00" * 4 + target + b"\x01\x01" + cmac)
            na = i6.ICMP6(
                type=i6.ND_NEIGHBOR_ADVERT, code=0, data=b"\xe0\x00\x00\x00" + target + b"\x02\x01" + rmac
            )
            ns_ip = dpkt.ip6.IP6(src=p.client_ll6[c], dst=group, nxt=58, hlim=255, plen=len(ns), data=ns)
            na_ip = dpkt.ip6.IP6(src=target, dst=p.client_ll6[c], nxt=58, hlim=255, plen=len(na), data=na)
            frames = [
                eth_header(b"\x33\x33" + group[12:], cmac, ETH_IP6, vlan) + bytes(ns_ip),
                eth_header(cmac, rmac, ETH_IP6, vlan) + bytes(na_ip),
            ]
        p.link_cache[key] = frames
        return frames

    def arp(self) -> Frames:
        yield from self._link_frames("arp", self.rng.randrange(CLIENTS), self._vlan())

    def ndp(self) -> Frames:
        yield from self._link_frames("nd", self.rng.randrange(CLIENTS), self._vlan())


# --- writing


def generate(out: Path, packets: int, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Write PACKETS packets to OUT; return the number of packets of each flow kind."""
    rng = random.Random(seed)
    flows = Flows(rng, Pools(rng))
    getrandbits = rng.getrandbits
    kinds: list[int] = []
    slots: list[Callable[[], bytes]] = []
    for _ in range(SLOTS):
        k, gen = flows.new()
        kinds.append(k)
        slots.append(gen.__next__)
    counts = [0] * len(flows.names)
    rec = _REC.pack
    sec, usec = START_SEC, 0
    with open(out, "wb") as f:
        f.write(_FILE_HDR)
        buf: list[bytes] = []
        for _ in range(packets):
            s = getrandbits(SLOT_BITS)
            try:
                frame = slots[s]()
            except StopIteration:
                k, gen = flows.new()
                kinds[s] = k
                slots[s] = gen.__next__
                frame = slots[s]()
            counts[kinds[s]] += 1
            usec += 1 + getrandbits(7)
            if usec >= 1_000_000:
                sec += 1
                usec -= 1_000_000
            n = len(frame)
            buf += (rec(sec, usec, n, n), frame)
            if len(buf) >= 16384:
                f.write(b"".join(buf))
                buf.clear()
        f.write(b"".join(buf))
    return dict(zip(flows.names, counts))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="the pcap file to write")
    parser.add_argument(
        "--packets", type=int, default=DEFAULT_PACKETS, help=f"how many packets (default {DEFAULT_PACKETS:,})"
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    args = parser.parse_args(argv)
    if args.packets < 1:
        parser.error("--packets must be at least 1")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()  # only for the rate printed below; the file never depends on it
    counts = generate(args.output, args.packets, args.seed)
    elapsed = time.perf_counter() - started
    if not args.quiet:
        size = args.output.stat().st_size
        print(
            f"{args.output}: {args.packets:,} packets, {size / 1e6:.1f} MB, written in {elapsed:.2f} s "
            f"({args.packets / elapsed:,.0f} packets/s)",
            file=sys.stderr,
        )
        for name, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            print(f"  {name:12} {n:>10,} {100 * n / args.packets:5.1f}%", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
