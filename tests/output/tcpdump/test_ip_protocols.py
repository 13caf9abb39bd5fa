"""IP-level protocols and IP header cases print as tcpdump 4.99 prints them without -v: AH, ESP and
IPComp (print-ah.c, print-esp.c, print-ipcomp.c), SCTP with ForCES (print-sctp.c, print-forces.c), DCCP,
PGM, RSVP, IP in IP, IPv6's extension headers (hop-by-hop and destination options, routing headers of
type 0, 2 and 4, fragments, jumbograms, the mobility header), IPv4's "truncated-ip", "bad-hlen" and
"bad-len", and every ICMP and ICMPv6 type; each crafted frame, whole and cut, compared with tcpdump's own
line on the compiled and the Python path.
"""

from __future__ import annotations

import struct
import subprocess

import pytest

from pycapture import craft
from support.commands import run_cli, tool
from support.env import CORPUS
from support.tcpdump_compare import assert_tcpdump_lines, write_capture

MACS = ("02:00:00:00:00:02", "02:00:00:00:00:01")
ICMP, TCP, UDP, IPIP, IPV6, SCTP, DCCP = 1, 6, 17, 4, 41, 132, 33
ESP, AH, IPCOMP, PGM, RSVP, ICMP6, NONE = 50, 51, 108, 113, 46, 58, 59
HBH, ROUTING, FRAGMENT, DSTOPTS, MOBILITY = 0, 43, 44, 60, 135


def _v4(proto: int, payload: bytes) -> bytes:
    return craft.over_ethernet(craft.ipv4("10.0.0.1", "10.0.0.2", proto, payload), *MACS, pad=False)


def _v6(proto: int, payload: bytes) -> bytes:
    return craft.over_ethernet(craft.ipv6("2001:db8::1", "2001:db8::2", proto, payload), *MACS, pad=False)


def _ext(next_header: int, body: bytes) -> bytes:
    """An IPv6 extension header (hop-by-hop, destination options, routing) of ``body`` after its first two
    bytes, padded to a multiple of 8."""
    body += bytes(-(len(body) + 2) % 8)
    return bytes([next_header, (len(body) + 2) // 8 - 1]) + body


def _sctp_chunk(kind: int, flags: int, body: bytes) -> bytes:
    chunk = struct.pack("!BBH", kind, flags, 4 + len(body)) + body
    return chunk + bytes(-len(chunk) % 4)


def _sctp(sport: int, dport: int, *chunks: bytes) -> bytes:
    return struct.pack("!HHII", sport, dport, 7, 0) + b"".join(chunks)


def _ip_frames() -> list[tuple[bytes, int]]:
    """(frame, bytes the capture cuts from its end): IPsec, SCTP, DCCP, PGM, RSVP, IP in IP."""
    # craft's TCP, UDP and ICMP come in an IPv4 packet: the segments alone here
    udp = craft.udp("10.0.0.1", "10.0.0.2", 1234, 5678, b"hello")[20:]
    tcp = craft.tcp("10.0.0.1", "10.0.0.2", 1234, 80, seq=1, flags="S")[20:]
    echo = craft.icmp_echo("10.0.0.1", "10.0.0.2", ident=1, seq=2, payload=bytes(8))[20:]
    inner4 = craft.ipv4("192.168.0.1", "192.168.0.2", ICMP, echo)
    inner6 = craft.ipv6(
        "2001:db8::3", "2001:db8::4", UDP, craft.udp("2001:db8::3", "2001:db8::4", 1, 2, b"x")[40:]
    )
    frames: list[tuple[bytes, int]] = []
    esp = struct.pack("!II", 0x12345678, 9) + bytes(24)
    frames += [(_v4(ESP, esp), 0), (_v6(ESP, esp), 0), (_v4(ESP, esp), 23), (_v4(ESP, esp), 24)]
    for nxt, payload in (
        (UDP, udp),
        (TCP, tcp),
        (ICMP, echo),
        (IPIP, inner4),
        (IPV6, inner6),
        (99, bytes(6)),
    ):
        ah = struct.pack("!BBHII", nxt, 4, 0, 0x100, 0x13) + bytes(range(12))
        frames += [(_v4(AH, ah + payload), 0), (_v6(AH, ah + payload), 0)]
    ah = struct.pack("!BBHII", UDP, 4, 7, 0x100, 0x13) + bytes(12)
    frames += [(_v4(AH, ah + udp), len(udp) + n) for n in (0, 1, 10, 14, 16, 19, 23, 24)]
    ipcomp = struct.pack("!BBH", UDP, 0, 0x1234) + bytes(8)
    frames += [(_v4(IPCOMP, ipcomp), 0), (_v4(IPCOMP, ipcomp), 9), (_v4(IPCOMP, ipcomp), 12)]
    frames += [
        (_v4(IPIP, inner4), 0),
        (_v6(IPV6, inner6), 0),
        (_v4(IPV6, inner6), 0),
        (_v4(143, bytes(30)), 0),
    ]
    init = struct.pack("!IIHHI", 1, 65536, 10, 11, 12)
    data = struct.pack("!IHHI", 100, 1, 2, 3) + b"data"
    sack = struct.pack("!IIHH", 50, 1000, 2, 1) + struct.pack("!HHHHI", 2, 3, 5, 6, 40)
    forces = bytes([0x10, 0x0F]) + struct.pack("!H", 6) + bytes(20)
    for sport, dport in ((1, 2), (6704, 3), (4, 6706)):
        frames += [
            (_v4(SCTP, _sctp(sport, dport, _sctp_chunk(1, 0, init))), 0),
            (_v4(SCTP, _sctp(sport, dport, _sctp_chunk(2, 0, init + bytes(4)), _sctp_chunk(11, 0, b""))), 0),
            (_v6(SCTP, _sctp(sport, dport, _sctp_chunk(0, 3, data), _sctp_chunk(3, 0, sack))), 0),
            (_v4(SCTP, _sctp(sport, dport, _sctp_chunk(0, 7, data[:12] + forces))), 0),
        ]
    for kind in (4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 0xC0, 0xC1, 0xC2, 0x80):
        frames.append((_v4(SCTP, _sctp(9, 10, _sctp_chunk(kind, 0, bytes(5)))), 0))
    for ppid in (0, 3, 18, 21, 26, 99):
        body = struct.pack("!IHHI", 1, 2, 3, ppid) + bytes(3)
        frames.append((_v4(SCTP, _sctp(9, 10, _sctp_chunk(0, 4, body))), 0))
    whole = _v4(SCTP, _sctp(9, 10, _sctp_chunk(1, 0, init), _sctp_chunk(0, 3, data)))
    frames += [(whole, n) for n in (1, 10, 20, 30, 44, 45)]
    frames += [
        (_v4(SCTP, _sctp(9, 10) + struct.pack("!BBH", 1, 0, 2)), 0),
        (_v4(SCTP, _sctp(9, 10) + struct.pack("!BBH", 1, 0, 8) + bytes(4)), 0),
        (_v4(SCTP, _sctp(9, 10) + bytes(2)), 0),
        (_v4(SCTP, _sctp(9, 10, _sctp_chunk(0, 0, bytes(8)))), 0),
        (_v4(SCTP, bytes(8)), 0),
    ]
    for kind in range(12):
        for extended in (0, 1):
            header = struct.pack("!HHBBH", 39420, 5001, 8, 0, 0) + bytes([kind << 1 | extended]) + bytes(3)
            header += bytes(4) if extended else b""
            body = bytes([0, 0, 1, 2, 3, 4, 5, 6, 0, 0, 0, 42, 7, 0, 0, 0])
            frames += [(_v4(DCCP, header + body), 0), (_v6(DCCP, header + body), 0)]
            frames += [(_v4(DCCP, header + body), 12), (_v4(DCCP, header[:10]), 0)]
    for kind in (0, 1, 2, 4, 8):
        pgm = struct.pack("!HHBBH6sH", 1234, 5678, kind, 0, 0, bytes(6), 44) + bytes(8)
        frames += [(_v4(PGM, pgm), 0), (_v6(PGM, pgm), 0), (_v4(PGM, pgm), 14), (_v4(PGM, pgm), 22)]
    for version in (1, 2):
        for kind in (1, 2, 3, 4, 5, 6, 7, 8, 12, 13, 14, 15, 20, 21):
            frames.append(
                (_v4(RSVP, struct.pack("!BBHBBH", version << 4, kind, 0, 64, 0, 24) + bytes(16)), 0)
            )
    frames.append((_v4(RSVP, bytes(24)), 17))
    route = bytes([10, 1, 2, 0, 0, 100, 0, 0, 50, 5, 220, 255, 1, 2])
    for op in (1, 2, 3):
        for counts in ((1, 1, 1), (0, 2, 0), (2, 0, 0), (0, 0, 0)):
            igrp = struct.pack("!BBHHHHH", 0x10 | op, 7, 100, *counts, 0) + route * 3
            frames += [(_v4(9, igrp), 0), (_v4(9, igrp), 20)]
    frames += [(_v4(9, bytes(8)), 0), (_v4(9, bytes(12)), 0)]
    return frames


def _ip6_frames() -> list[tuple[bytes, int]]:
    """IPv6's extension headers and the IPv4 header's own cases."""
    udp = craft.udp("2001:db8::1", "2001:db8::2", 1234, 53, bytes(12))[40:]
    tcp = craft.tcp("2001:db8::1", "2001:db8::2", 1234, 80, seq=1, flags="S")[40:]
    echo = bytes([128, 0, 0, 0, 0, 1, 0, 2]) + bytes(8)
    frames: list[tuple[bytes, int]] = []
    for first in (HBH, DSTOPTS):
        for nxt, payload in ((UDP, udp), (TCP, tcp), (ICMP6, echo), (NONE, b""), (99, bytes(4))):
            frames.append((_v6(first, _ext(nxt, bytes([1, 2, 0, 0])) + payload), 0))
    init = _sctp(9, 10, _sctp_chunk(1, 0, struct.pack("!IIHHI", 1, 2, 3, 4, 5)))
    dccp = struct.pack("!HHBBHI", 1, 2, 4, 0, 0, 0) + bytes(12)
    pgm = struct.pack("!HHBBH6sH", 1, 2, 0, 0, 0, bytes(6), 16)
    ah = struct.pack("!BBHII", UDP, 4, 0, 1, 2) + bytes(12)
    esp = struct.pack("!II", 3, 4) + bytes(8)
    for nxt, payload in (
        (SCTP, init),
        (DCCP, dccp),
        (PGM, pgm),
        (AH, ah + udp),
        (ESP, esp),
        (IPCOMP, bytes(8)),
    ):
        frames += [
            (_v6(HBH, _ext(nxt, bytes([1, 0])) + payload), 0),
            (_v6(AH, bytes([nxt]) + ah[1:] + payload), 0),
        ]
        frames.append((_v4(AH, bytes([nxt]) + ah[1:] + payload), 0))
    frames.append((_v6(HBH, _ext(DSTOPTS, bytes([1, 0])) + _ext(UDP, b"") + udp), 0))
    frames.append((_v6(DSTOPTS, _ext(HBH, bytes([1, 0])) + _ext(UDP, b"") + udp), 0))
    frames.append((_v6(HBH, _ext(HBH, bytes([1, 0])) + _ext(UDP, b"") + udp), 0))
    for options in (
        bytes([5, 2, 0, 0]),
        bytes([5, 3, 0, 0, 0, 0]),
        bytes([0xC2, 4, 0, 1, 0, 0]),
        bytes([1, 9]),
    ):
        frames.append((_v6(HBH, _ext(UDP, options) + udp), 0))
    frames += [(_v6(HBH, _ext(UDP, bytes(6)) + udp), len(udp) + n) for n in (0, 1, 7, 8)]
    for offset, more in ((0, 1), (0, 0), (185, 1)):
        fragment = struct.pack("!BBHI", UDP, 0, offset << 3 | more, 0x42)
        frames += [(_v6(FRAGMENT, fragment + udp), 0), (_v6(FRAGMENT, fragment + udp), len(udp))]
    address = bytes.fromhex("20010db8000000000000000000000009")
    for kind in (0, 2, 4, 5):
        for count in (1, 2):
            routing = bytes([kind, 1, 0, 0, 0, 0]) + address * count
            routing6 = bytes([kind, 0, count - 1, 0x10, 0, 7]) + address * count
            frames.append((_v6(ROUTING, _ext(UDP, routing if kind != 4 else routing6) + udp), 0))
    frames.append((_v6(ROUTING, bytes([UDP, 3, 4, 0, 0, 0, 0, 0]) + address * 2 + udp), 0))
    frames.append((_v6(ROUTING, _ext(UDP, bytes([0, 1, 0, 0, 0, 0]) + address)), 20))
    ether = bytes(12) + b"\x86\xdd" + craft.ipv6("2001:db8::5", "2001:db8::6", ICMP6, echo)
    frames += [
        (_v6(ROUTING, _ext(143, bytes([4, 0, 0, 0, 0, 0]) + address) + ether), 0),
        (_v6(143, ether), 0),
    ]
    frames.append((_v6(ROUTING, _ext(IPV6, bytes([4, 0, 0, 0, 0, 0]) + address)
                       + craft.ipv6("2001:db8::5", "2001:db8::6", ICMP6, echo)), 0))  # fmt: skip
    for kind in range(9):
        message = bytes([NONE, 2, kind, 0, 0, 0, 0, 116, 0x80, 0, 0x0F, 0x80]) + address + bytes(4)
        frames += [(_v6(MOBILITY, message), 0), (_v6(MOBILITY, message), 20)]
    frames.append((_v6(MOBILITY, bytes([NONE, 0, 5, 0, 0, 0, 0, 1])), 0))
    jumbo = craft.ipv6("2001:db8::1", "2001:db8::2", HBH, _ext(ICMP6, bytes([0xC2, 4, 0, 1, 0, 8])) + echo)
    no_jumbo = craft.ipv6("2001:db8::1", "2001:db8::2", HBH, _ext(ICMP6, bytes([1, 4])) + echo)
    for packet in (jumbo, no_jumbo):
        packet = packet[:4] + b"\x00\x00" + packet[6:]
        frames.append((craft.over_ethernet(packet, *MACS, pad=False), 0))
    zero = craft.ipv6("2001:db8::1", "2001:db8::2", TCP, tcp)
    frames.append((craft.over_ethernet(zero[:4] + b"\x00\x00" + zero[6:], *MACS, pad=False), 0))
    return frames


def _icmp_frames() -> list[tuple[bytes, int]]:
    """Every ICMP and ICMPv6 type tcpdump names, with the codes it tells apart."""
    quoted4 = craft.ipv4("10.0.0.2", "192.168.9.9", UDP, struct.pack("!HHHH", 1, 53, 8, 0))
    quoted6 = craft.ipv6("2001:db8::2", "2001:db8::9", UDP, struct.pack("!HHHH", 1, 53, 8, 0))
    frames: list[tuple[bytes, int]] = []
    for kind in range(20):
        for code in (0, 1, 2, 3, 4, 13, 16):
            rest = bytes([2, 2, 0x05, 0xDC]) if kind != 12 else bytes([20, 0, 0, 0])
            body = quoted4 if kind in (3, 4, 5, 11, 12) else bytes(range(8)) * 3
            frames.append((_v4(ICMP, bytes([kind, code, 0, 0]) + rest + body), 0))
    frames.append((_v4(ICMP, bytes([9, 0, 0, 0, 2, 2, 0x0E, 0x10]) + bytes(range(16))), 0))
    frames.append(
        (_v4(ICMP, bytes([14, 0, 0, 0, 4, 210, 16, 225]) + struct.pack("!III", 10, 200, 86399999)), 0)
    )
    frames += [(_v4(ICMP, bytes([3, 3, 0, 0, 0, 0, 0, 0]) + quoted4), n) for n in (1, 10, 20, 27, 28)]
    frames += [(_v4(ICMP, bytes([49, 0, 0])), 0), (_v4(ICMP, bytes([255])), 0)]
    for kind in (1, 2, 3, 4, 128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 141, 142, 143, 144, 145,
                 146, 147, 155, 160, 200):  # fmt: skip
        # a router renumbering command's prefixes (code 0) are not read here
        for code in (0, 1, 2, 3, 4, 5, 0x81) if kind != 138 else (1, 255):
            body = quoted6 if kind in (1, 3, 4) else bytes(range(40))
            frames.append((_v6(ICMP6, bytes([kind, code, 0, 0, 0, 0, 5, 0xDC]) + body), 0))
    frames.append((_v6(ICMP6, bytes([130, 0, 0, 0, 0, 0, 0, 0]) + bytes(20) + bytes([0, 2]) + bytes(32)), 0))
    frames += [(_v6(ICMP6, bytes([1, 4, 0, 0, 0, 0, 0, 0]) + quoted6), n) for n in (1, 10, 20, 40)]
    frames += [(_v6(ICMP6, bytes([135, 0, 0, 0]) + bytes(20)), 0), (_v6(ICMP6, bytes([128])), 0)]
    nonce, address = bytes(range(8)), bytes.fromhex("20010db8000000000000000000000001")
    for kind in (135, 136):  # neighbor discovery with an option, cut at every byte; an IP length inside it
        nd = _v6(ICMP6, bytes([kind, 0, 0, 0, 0x60, 0, 0, 0]) + address + bytes([1, 1]) + bytes(6))
        frames += [(nd, cut) for cut in range(33)]
        for ip_length in (8, 23, 24):
            frames.append((nd[:18] + struct.pack("!H", ip_length) + nd[20:], 0))
    name = b"\x03www\x07example\x00"
    for qtype in range(5):  # node information queries and replies (RFC 4620)
        for flags in (0, 0x3F):
            head = struct.pack("!HH", qtype, flags) + nonce
            for code, subject in (
                (0, address),
                (1, name),
                (1, b"\x04abcd"),
                (2, bytes([192, 0, 2, 1])),
                (3, b""),
            ):
                frames.append((_v6(ICMP6, bytes([139, code, 0, 0]) + head + subject), 0))
            for code in (0, 1, 2):
                for answer in (b"", struct.pack("!I", 60) + address * 2, struct.pack("!I", 60) + name):
                    frames.append((_v6(ICMP6, bytes([140, code, 0, 0]) + head + answer), 0))
    frames += [
        (_v6(ICMP6, bytes([139, 0, 0, 0]) + bytes(8)), 0),
        (_v6(ICMP6, bytes([140, 0, 0, 0]) + bytes(20)), 10),
    ]
    group, source = bytes([239, 1, 2, 3]), bytes([10, 9, 8, 7])
    for kind in range(1, 11):  # DVMRP
        message = bytes([0x13, kind, 0, 0, 0, 0, 3, 0xFF]) + group + source + bytes([0x80, 0, 0, 0])
        frames += [(_v4(2, message), 0), (_v4(2, message), 6), (_v4(2, message[:6]), 0)]
    neighbors = bytes([0x13, 6, 0, 0, 0, 0, 3, 0xFF]) + source + bytes([1, 2, 0x41, 2]) + group + source
    frames += [
        (_v4(2, neighbors), 0),
        (_v4(2, neighbors[:20]), 0),
        (_v4(2, bytes([0x13, 4]) + neighbors[2:19]), 0),
    ]
    for kind in range(9):  # PIMv1
        for version in (0x10, 0x20):
            message = bytes([0x14, kind, 0, 0, version, 0, 0, 0, 0x10]) + bytes(range(1, 24))
            frames += [(_v4(2, message), 0), (_v4(2, message), 12), (_v4(2, message[:4]), 0)]
    for kind in (0x1E, 0x1F):  # mresp, mtrace
        for reply in (source, group):
            message = bytes([kind, 0, 0, 0]) + group + source + group + reply + bytes([9, 0, 0, 7]) + bytes(4)
            frames += [(_v4(2, message), 0), (_v4(2, message[:20]), 0), (_v4(2, message), 8)]
    return frames


def _v4_header_frames() -> list[tuple[bytes, int, int]]:
    """IPv4 headers tcpdump checks: (frame, bytes the capture cuts, bytes the wire lacks)."""
    packet = craft.udp("10.0.0.1", "10.0.0.2", 1, 2, bytes(20))
    frames = [(craft.over_ethernet(packet, *MACS, pad=False), 0, n) for n in (1, 10, 20)]
    frames += [(craft.over_ethernet(packet[:2] + struct.pack("!H", n) + packet[4:], *MACS, pad=False), 0, 0)
               for n in (0, 19, 100)]  # fmt: skip
    frames += [(craft.over_ethernet(bytes([0x40 | n]) + packet[1:], *MACS, pad=False), 0, 0) for n in (0, 4)]
    packet6 = craft.udp("2001:db8::1", "2001:db8::2", 1, 2, bytes(20))
    frames += [(craft.over_ethernet(packet6, *MACS, pad=False), 0, n) for n in (1, 10, 20, 30)]
    echo6 = craft.ipv6("2001:db8::1", "2001:db8::2", ICMP6, bytes([128, 0, 0, 0, 0, 1, 0, 2]) + bytes(12))
    frames += [(craft.over_ethernet(echo6, *MACS, pad=False), 0, n) for n in (1, 10)]
    # IP lengths that end before an echo's id and sequence number, or hold no ICMPv6 at all
    frames.append((craft.over_ethernet(echo6[:4] + b"\x00\x00" + echo6[6:], *MACS, pad=False), 0, 0))
    echo = craft.icmp_echo("10.0.0.1", "10.0.0.2", ident=1, seq=2, payload=bytes(8))
    frames += [(craft.over_ethernet(echo[:2] + struct.pack("!H", n) + echo[4:], *MACS, pad=False), 0, 0)
               for n in (20, 24, 27, 28)]  # fmt: skip
    return frames


def _compare(
    tmp_path, frames: list[tuple[bytes, int, int]], pure: str, linktype: int = 1, flags: tuple[str, ...] = ()
) -> None:
    """Write ``frames`` (frame, bytes the capture cuts, bytes the wire lacks) and compare every line of
    tcpdump's and pycapture's ``-n -tt`` and ``flags``."""
    assert_tcpdump_lines(write_capture(tmp_path / "ip.pcap", frames, linktype), pure, *flags)


PURE = pytest.mark.parametrize("pure", ["", "1"], ids=["compiled", "python"])


@PURE
def test_ipsec_sctp_dccp_pgm_rsvp_lines_are_tcpdumps(tmp_path, pure):
    _compare(tmp_path, [(frame, cut, 0) for frame, cut in _ip_frames()], pure)


@PURE
def test_ipv6_extension_header_lines_are_tcpdumps(tmp_path, pure):
    _compare(tmp_path, [(frame, cut, 0) for frame, cut in _ip6_frames()], pure)


@PURE
def test_icmp_and_icmp6_lines_are_tcpdumps(tmp_path, pure):
    _compare(tmp_path, [(frame, cut, 0) for frame, cut in _icmp_frames()], pure)


@PURE
def test_ipv4_header_checks_are_tcpdumps(tmp_path, pure):
    _compare(tmp_path, _v4_header_frames(), pure)


def test_lines_with_the_link_header_are_tcpdumps(tmp_path):
    frames = [(frame, cut, 0) for frame, cut in _ip_frames() + _ip6_frames()] + _v4_header_frames()
    _compare(tmp_path, frames, "", flags=("-e",))


def test_raw_ip_of_another_version_is_tcpdumps(tmp_path):
    packet = craft.udp("10.0.0.1", "10.0.0.2", 1, 2, b"")
    _compare(tmp_path, [(bytes([0x35]) + packet[1:], 0, 0), (packet, 0, 5)], "", linktype=101)


@pytest.mark.parametrize(
    "name",
    ["forces2.pcap", "OSPFv3_with_AH.pcap", "libpcap-AH-IPcomp-IPv4.pcap", "libpcap-ipv6_ext_headers.pcap",
     "dccp_partial_csum_v6_longer.pcap", "pgm_poll_polr.pcap", "ipv6-srh-ext-header.pcap"],
)  # fmt: skip
def test_corpus_files_print_as_tcpdump(name):
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"{name} is not in the corpus")
    expected = subprocess.run(
        [tool("tcpdump"), "-n", "-tt", "-r", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    got = run_cli("-n", "-tt", "-r", str(path), text=True)
    assert got.returncode == 0, got.stderr
    assert got.stdout.splitlines() == expected
