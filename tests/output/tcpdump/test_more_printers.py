"""GeoNetworking, CALM FAST and TIPC (by Ethernet type), LMP and MPLS over UDP, NSH over VXLAN-GPE and
ICMPv6 router renumbering print as tcpdump 4.99 prints them without -v (print-geonet.c,
print-calm-fast.c, print-tipc.c, print-lmp.c, print-udp.c's mpls_print, print-vxlan-gpe.c,
print-icmp6.c's icmp6_rrenum_print).

Crafted frames of each kind, whole and cut at many points, are compared line by line with tcpdump's own
output, on the compiled and the Python path, without and with -e.
"""

from __future__ import annotations

import struct

import pytest

from pycapture import craft
from support.tcpdump_compare import assert_tcpdump_lines, nonempty, write_capture

DST, SRC = bytes.fromhex("ffffffffffff"), bytes.fromhex("000c426d54db")
GEONET, GEONET_OLD, CALM_FAST, TIPC = 0x8947, 0x0707, 0x1111, 0x88CA


def _ether(etype: int, payload: bytes) -> bytes:
    return DST + SRC + struct.pack("!H", etype) + payload


def _ip_udp(sport: int, dport: int, payload: bytes, version: int = 4) -> bytes:
    if version == 4:
        return _ether(0x0800, craft.udp("10.0.0.1", "10.0.0.2", sport, dport, payload))
    return _ether(0x86DD, craft.udp("2001:db8::1", "2001:db8::2", sport, dport, payload))


def _geonet(first: int, second: int, rest: bytes = b"", payload: int = 0) -> bytes:
    common = bytes([first, second]) + b"\x00\x00" + struct.pack("!H", payload) + b"\x00\x05"
    common += bytes.fromhex("0000000c426d54db") + struct.pack("!III", 7, 4000000000, 12345) + bytes(8)
    return common + rest


def _tipc(user: int, hsize: int, mtype: int, size: int = 40) -> bytes:
    w0 = 2 << 29 | user << 25 | hsize << 21 | 0x1234
    w1 = mtype << 29 | 0x00ABCDEF
    words = [w0, w1, 0x11112222, 0x01001002, 3511725154, 424133152, 0x01001003, 0x02003004, 77, 88]
    words += list(range(0x100, 0x110))
    return b"".join(struct.pack("!I", w) for w in words)[:size]


def _rr(code: int, match: bytes = b"", uses: tuple[bytes, ...] = ()) -> bytes:
    header = bytes([138, code]) + b"\x00\x00" + struct.pack("!I", 4242) + bytes([1, 0x40]) + b"\x00\x05"
    return header + bytes(4) + match + b"".join(uses)


def _match(code: int, words: int, prefix: str = "fec0::", matchlen: int = 48) -> bytes:
    return bytes([code, words, 1, matchlen, 48, 64, 0, 0]) + craft_ip6(prefix)


def _use(flags: int, prefix: str = "3ffe:501:fffe::", uselen: int = 48, keeplen: int = 16) -> bytes:
    return bytes([uselen, keeplen, 0x80, 0x40]) + bytes(8) + bytes([flags, 0, 0, 0]) + craft_ip6(prefix)


def craft_ip6(text: str) -> bytes:
    import socket

    return socket.inet_pton(socket.AF_INET6, text)


def _frames() -> list[tuple[bytes, int]]:
    """(frame, bytes the capture cuts from its end)."""
    frames: list[tuple[bytes, int]] = []

    def add(frame: bytes, cuts: tuple[int, ...] | range = (0,), head: int = 14) -> None:
        frames.extend((frame, cut) for cut in cuts if cut <= len(frame) - head)

    # GeoNetworking: every header type and subtype, every next header, BTP and ITS PDU headers
    for kind in range(8):
        for subtype in (0, 1, 2, 3):
            for nh in (0, 1, 2, 3, 5):
                add(_ether(GEONET, _geonet(0x10 | nh, kind << 4 | subtype, bytes([0x12, 0x34, 0, 7, 1, 2]))))
    btp = bytes([0x07, 0xD1, 0x00, 0x00, 0x01])
    for message in (0, 1, 101, 107, 150, 42):
        add(_ether(GEONET, _geonet(0x01, 0x10, btp + bytes([message]))))
    add(_ether(GEONET, _geonet(0x02, 0x51, bytes(32) + btp + b"\x02")), range(0, 50, 3))
    add(_ether(GEONET, _geonet(0x01, 0x51, bytes(10))))  # shorter than TopoScopeBcast-MH's header
    add(_ether(GEONET, _geonet(0x01, 0x10, b"\x01\x02\x03")))  # shorter than BTP's header
    add(_ether(GEONET, _geonet(0x01, 0x10, b"\x01\x02\x03\x04\x05")))  # no room for the ITS PDU header
    add(_ether(GEONET, _geonet(0x11, 0x10, btp + b"\x00")), range(0, 44))
    add(_ether(GEONET_OLD, _geonet(0x30, 0x30, b"", 12336)), range(0, 30, 4))
    add(_ether(GEONET, bytes(20)), (0, 10))
    add(_ether(GEONET, b""))
    # the same after an 802.2 SNAP header (tcpdump hands them the Ethernet source too)
    for etype, payload in (
        (GEONET, _geonet(0x01, 0x10, btp + b"\x01")),
        (CALM_FAST, b"\x01\x02"),
        (TIPC, _tipc(0, 6, 2)),
    ):
        body = b"\xaa\xaa\x03\x00\x00\x00" + struct.pack("!H", etype) + payload
        add(DST + SRC + struct.pack("!H", len(body)) + body, (0, 3))
    # CALM FAST
    for payload in (b"", b"\x05", b"\x05\x06", b"\x05\x06\x07\x08"):
        add(_ether(CALM_FAST, payload), (0, 1, 2))
    # TIPC: every user, short and long headers, every message type
    for user in range(16):
        for hsize, mtype in ((6, 2), (10, 1), (5, 3), (10, 0), (11, 4), (8, 7)):
            add(_ether(TIPC, _tipc(user, hsize, mtype)))
    for user in (0, 7, 13):
        add(_ether(TIPC, _tipc(user, 10, 2)), range(0, 41, 2))
    # LMP over UDP 701: message types, another version, cut headers
    for kind in (1, 2, 4, 14, 20, 50, 52, 21, 249):
        add(_ip_udp(701, 701, bytes([0x10, 0, 0, kind, 0, 24]) + bytes(18)))
    add(_ip_udp(40000, 701, bytes([0x20, 0, 0, 1, 0, 8, 0, 0])))
    add(_ip_udp(701, 12, bytes([0x10, 0, 0, 3, 0, 8, 0, 0, 1])), range(0, 12), 14 + 28)
    # MPLS over UDP 6635: one and two labels, IPv4, IPv6 and unknown payloads
    icmp = craft.ipv4("10.3.0.10", "10.1.0.10", 1, bytes([8, 0, 0, 0, 0xA6, 0xEB, 0, 16]) + bytes(56))
    label = struct.pack("!I", 21 << 12 | 1 << 8 | 63)
    add(_ip_udp(58699, 6635, label + icmp), range(0, 90, 7), 14 + 28)
    add(_ip_udp(6635, 1234, struct.pack("!I", 16 << 12 | 64) + label + icmp))
    add(_ip_udp(6635, 1234, struct.pack("!I", 2 << 12 | 1 << 8 | 5) + bytes([0x60]) + bytes(39)))
    add(_ip_udp(6635, 1234, label + b"\x99\x00"))
    add(_ip_udp(6635, 1234, b"\x00\x01"))
    # NSH over VXLAN-GPE (4790): IPv4, IPv6, Ethernet and unknown protocols after the service header
    inner = craft.udp("192.168.0.1", "192.168.0.2", 10000, 20000, b"test")
    for next_protocol, packet in ((1, inner), (3, _ether(0x0800, inner)), (7, inner)):
        nsh = bytes([0x20, 0x06, 0x01, next_protocol, 0xFF, 0xFF, 0xFF, 0xFF]) + bytes(16)
        gpe = bytes([0x0C, 0, 0, 4, 0xFF, 0xFF, 0xFF, 0])
        add(_ip_udp(4790, 4790, gpe + nsh + packet), range(0, 80, 9), 14 + 28)
    # ICMPv6 router renumbering: commands with match and use prefixes, results, resets, other codes
    rrs = [
        _rr(0, _match(1, 11), (_use(0), _use(0x80, "2001:db8::", 64, 0))),
        _rr(0, _match(2, 7), (_use(0xC0),)),
        _rr(0, _match(3, 3)),
        _rr(0, _match(9, 5), (_use(0x40),)),
        _rr(0, _match(1, 1)),
        _rr(0, _match(1, 7), (_use(0x01),)),
        _rr(0, _match(1, 11), (_use(0),)),
        _rr(1, bytes(8)),
        _rr(255),
        _rr(7, bytes(24)),
    ]
    for rr in rrs:
        packet = craft.ipv6("fe80::1", "ff02::2", 58, rr)
        add(_ether(0x86DD, packet), range(0, len(rr) + 1, 5), 14 + 40)
    # Telnet (port 23): option negotiation, subnegotiations (terminal type, authentication, encryption,
    # unterminated), plain commands, data after the commands, and IAC runs cut short
    telnet = [
        bytes([255, 254, 36, 255, 250, 24, 1, 255, 240, 255, 251, 1, 255, 253, 200]),
        bytes(
            [255, 250, 37, 0, 2, 1, 7, 255, 240, 255, 250, 38, 3, 5, 255, 240, 255, 250, 38, 12, 99, 255, 240]
        ),
        bytes([255, 250, 37, 1, 8, 255, 240, 255, 250, 31, 0, 80, 0, 24, 255, 240, 255, 250, 24, 255, 240]),
        bytes([255, 241, 255, 255, 255, 244, 255, 236, 255, 240, 255, 242, 65, 66, 255, 251, 3]),
        bytes([255, 250, 24, 0, 0x7B, 0xF5, 255, 250, 24, 1]),
        bytes([255, 250, 24, 0, 0x7B, 0xF5, 255]),
        bytes([255, 235, 1, 2]),
        bytes([255]),
        bytes([255, 253]),
        b"login: ",
    ]
    for payload in telnet:
        segment = craft.tcp("10.0.0.1", "10.0.0.2", 23, 40000, flags="PA", seq=1, ack=1, payload=payload)
        add(_ether(0x0800, segment), range(0, len(payload) + 1, 2), 14 + 40)
    # DNS responses: questions cut after some were stepped over (a comma each), SRV, DNAME and URI
    # answers, and rcodes an OPT record extends
    name = b"\x03www\x04test\x00"
    question = name + b"\x00\x01\x00\x01"
    for qd, body in ((5, question * 3 + b"\x05ab"), (9, question * 2 + b"\x40"), (3, b"\x80")):
        add(_ip_udp(53, 5353 + 1, _dns(0xFFEF, (qd, 1, 0, 0), body)))
    srv = b"\x00\x0a\x00\x05\x13\xc4" + b"\x04host\xc0\x10"
    uri = b"\x00\x0a\x00\x05http://x.test:80/\x01"
    for rtype, rdata in ((33, srv), (39, b"\x02to\xc0\x10"), (256, uri), (256, b"\x00\x01\x00\x02")):
        answer = b"\xc0\x0c" + struct.pack("!HHIH", rtype, 1, 60, len(rdata)) + rdata
        add(_ip_udp(53, 40000, _dns(0x8180, (1, 2, 0, 0), question + answer + answer)), range(0, 30, 3), 42)
    for ext, rcode in ((1, 0), (1, 7), (0, 7), (1, 1), (1, 5), (2, 0), (0xFF, 0xF)):
        opt = b"\x00" + struct.pack("!HHBBHH", 41, 4096, ext, 0, 0, 0)
        add(_ip_udp(53, 40000, _dns(0x8180 | rcode, (1, 0, 0, 2), question + opt + opt)))
        add(
            _ip_udp(
                53,
                40000,
                _dns(0x8180 | rcode, (1, 0, 0, 1), question + b"\x00\x00\x29\x10\x00" + bytes([ext])),
            )
        )
    # a UDP length past the IP packet's end: tcpdump hands DNS the shorter of the two
    short = bytearray(_ip_udp(1512, 53, bytes(range(0x30, 0x39))))
    short[14 + 24 : 14 + 26] = b"\xdf\xff"
    add(bytes(short))
    # GRE: MPLS, IS-IS and Ethernet in GREv0 (with checksum, key and sequence fields), PPP in GREv1
    isis = bytes([0x83, 27, 1, 0, 18, 1, 0, 0]) + struct.pack("!HH", 30, 1200) + bytes(range(1, 9))
    isis += struct.pack("!I", 7) + b"\x00\x00\x01"
    lcp = b"\xff\x03\xc0\x21" + bytes([1, 0, 0, 10, 1, 4, 5, 0xDC, 2, 6])
    for version, flags, proto, payload in (
        (0, 0x0000, 0x8847, label + icmp),
        (0, 0x3000, 0x00FE, isis),
        (0, 0x8000, 0x6558, _ether(0x0800, inner)),
        (0, 0x0000, 0x6558, _ether(0x9999, b"\x01\x02")),
        (1, 0x3080, 0x880B, lcp),
        (1, 0x3000, 0x880B, b"\x00\x21" + inner),
        (1, 0x2000, 0x880B, lcp),
        (0, 0x0000, 0x880B, lcp),
        (0, 0x2000, 0x0800, inner),
    ):
        words = b"".join(struct.pack("!I", 0x00100000 + n) for n in range(bin(flags & 0xB080).count("1")))
        gre = struct.pack("!HH", flags | version, proto) + words + payload
        add(_ether(0x0800, craft.ipv4("10.1.1.11", "10.1.1.10", 47, gre)), range(0, len(gre), 3), 34)
    # White Board (UDP destination port 4567): every message type, flags, short and cut messages
    page = bytes([10, 0, 0, 9]) + struct.pack("!I", 3)
    pgstate = struct.pack("!I", 2) + page + bytes([2, 0, 0, 0])
    offsets = bytes([10, 0, 0, 7]) + struct.pack("!I", 100) + bytes([10, 0, 0, 8]) + struct.pack("!I", 200)
    bodies = {
        0: page + struct.pack("!II", 5, 9),
        1: struct.pack("!I", 4) + page + pgstate + offsets + b"site\x01name\x00junk",
        2: bytes([10, 0, 0, 1]) + page + struct.pack("!II", 5, 9),
        3: bytes([10, 0, 0, 1]) + page + struct.pack("!II", 5, 9) + bytes(8),
        4: b"",
        6: b"",  # PT_ID again below, its 16-bit count of site offsets right (prep reads only its first byte)
        5: page + struct.pack("!II", 1, 2),
        7: struct.pack("!I", 2) + pgstate + offsets + pgstate + offsets,
        9: bytes(8),
    }
    bodies[6] = struct.pack("!I", 4) + page + pgstate[:12] + b"\x00\x02\x00\x00" + offsets + b"site\x81\x00x"
    for kind, body in bodies.items():
        kind = 1 if kind == 6 else kind
        for flags in (0, 1):
            message = bytes([10, 0, 0, 1]) + struct.pack("!IHBB", 77, 1, kind, flags) + body
            add(_ip_udp(3503, 4567, message), range(0, len(message) + 1, 3), 42)
        add(_ip_udp(3503, 4567, bytes([10, 0, 0, 1]) + struct.pack("!IHBB", 77, 1, kind, 0) + body[:3]))
    add(_ip_udp(4567, 3503, bytes(20)))
    add(_ip_udp(3503, 4567, bytes(8)))
    # Zephyr (UDP 2103, 2104): notices of each class tcpdump names, acks, other versions, broken fields
    for kind, klass, inst, opcode, extra in (
        (2, "USER_LOCATE", "joe", "USER_HIDE", ""),
        (2, "USER_LOCATE", "joe", "USER_UNHIDE", ""),
        (2, "USER_LOCATE", "joe\x01x", "LOCATE", ""),
        (5, "USER_LOCATE", "joe", "LOCATE", "LOST\0"),
        (5, "USER_LOCATE", "joe", "LOCATE", "SENT\0"),
        (0, "ZEPHYR_ADMIN", "", "ShutDown", ""),
        (1, "ZEPHYR_CTL", "CLIENT", "SUBSCRIBE", "message\0personal\0\0"),
        (1, "ZEPHYR_CTL", "CLIENT", "SUBSCRIBE_NODEFS", "c\0i\0r\0"),
        (5, "ZEPHYR_CTL", "CLIENT", "UNSUBSCRIBE", ""),
        (1, "ZEPHYR_CTL", "CLIENT", "UNSUBSCRIBE", "c\0i"),
        (1, "ZEPHYR_CTL", "CLIENT", "GIMME", ""),
        (1, "ZEPHYR_CTL", "CLIENT", "GIMMEDEFS", ""),
        (1, "ZEPHYR_CTL", "CLIENT", "CLEARSUB", ""),
        (1, "ZEPHYR_CTL", "CLIENT", "FLUSH", ""),
        (1, "ZEPHYR_CTL", "HM", "BOOT", ""),
        (1, "ZEPHYR_CTL", "REALM", "ADD_SUBSCRIBE", ""),
        (1, "ZEPHYR_CTL", "REALM", "OTHER", ""),
        (1, "ZEPHYR_CTL", "OTHER", "X", ""),
        (3, "HM_CTL", "SERVER_SHUTDOWN", "Flush", ""),
        (3, "HM_STAT", "HMST_CLIENT", "GIMMESTATS", ""),
        (3, "HM_STAT", "HMST_CLIENT", "OTHER", ""),
        (3, "WG_CTL", "X", "Y", ""),
        (2, "LOGIN", "joe", "USER_FLUSH", ""),
        (2, "LOGIN", "joe", "REALM-VISIBLE", ""),
        (2, "LOGIN", "joe", "OTHER", ""),
        (2, "MESSAGE", "PERSONAL", "", ""),
        (-1, "MESSAGE", "x", "op", ""),
        (0x1F, "MESSAGE", "x", "op", ""),
    ):
        recipient = "" if klass == "MESSAGE" and inst == "PERSONAL" else "bob"
        sender = "" if opcode == "GIMME" else "alice@TEST"
        fields = [
            "ZEPH0.2",
            "11",
            f"{kind:x}" if kind >= 0 else "-1",
            "uid",
            "0x7a",
            "0",
            "0",
            "",
            klass,
            inst,
        ]
        fields += [opcode, sender, recipient, "fmt", "abc", " 1", "muid"]
        notice = "\0".join(fields).encode() + b"\0" + extra.encode("latin-1")
        add(_ip_udp(2104, 2104, notice), range(0, len(notice) + 1, 9), 42)
    for notice in (
        b"ZEPH0.3\0" + b"x\0" * 16,
        b"ZEPH\0" + b"x\0" * 16,
        b"ZZZZ\0",
        b"ZEPH0.2\0x\0y",
        b"no-nul",
    ):
        add(_ip_udp(2103, 5000, notice))
    # EGP, Mobile IP (good and bad checksums, with and without the old source), Sun ND, no next header
    egp = bytes([2, 1, 0, 0x80, 0, 0, 0x06, 0x07, 0x08, 0x09, 0, 1, 10, 0, 0, 0]) + bytes(8)
    mobile = bytes([6, 0, 0xEF, 0xF6, 10, 0, 0, 9])  # a right checksum
    moved = bytes([6, 0x80, 0xE5, 0x6E, 10, 0, 0, 9, 10, 0, 0, 8])
    for proto, payload in (
        (8, egp),
        (55, mobile + bytes(8)),
        (55, moved + bytes(4)),
        (55, bytes(20)),
        (59, b"x"),
        (77, b"abc"),
    ):
        packet = craft.ipv4("10.0.0.1", "10.0.0.2", proto, payload)
        add(_ether(0x0800, packet), range(0, len(payload) + 1, 2), 34)
        add(_ether(0x86DD, craft.ipv6("2001:db8::1", "2001:db8::2", proto, payload)))
    # ICMP and IGMP over IPv6 (refused), GRE versions tcpdump does not know
    for proto, payload in (
        (1, bytes(40)),
        (1, bytes([8, 0, 0, 0, 0, 1, 0, 2])),
        (2, bytes([0x12, 0, 0, 0, 2, 3, 4, 5])),
    ):
        add(_ether(0x86DD, craft.ipv6("2001:db8::1", "2001:db8::2", proto, payload)), (0, 4))
    for version in (2, 7):
        gre = struct.pack("!HH", 0x8000 | version, 0x0800) + bytes(8)
        add(_ether(0x0800, craft.ipv4("10.1.1.11", "10.1.1.10", 47, gre)), (0, 10, 11))
    return frames


def _dns(flags: int, counts: tuple[int, int, int, int], body: bytes, ident: int = 51584) -> bytes:
    return struct.pack("!HH4H", ident, flags, *counts) + body


@pytest.mark.parametrize("flags", [(), ("-e",)], ids=["plain", "link-level"])
@pytest.mark.parametrize("pure", ["", "1"], ids=["compiled", "python"])
def test_more_printers_lines_are_tcpdumps(tmp_path, pure, flags):
    path = write_capture(tmp_path / "more.pcap", _frames())
    assert_tcpdump_lines(path, pure, *flags, keep=nonempty)


@pytest.mark.parametrize("pure", ["", "1"], ids=["compiled", "python"])
def test_geonet_without_an_ethernet_source(tmp_path, pure):
    """Over Linux cooked capture tcpdump hands GeoNet and CALM FAST no source address."""
    frames = []
    for etype, payload in (
        (GEONET, _geonet(0x01, 0x10, b"\x07\xd1\x00\x00\x01\x00")),
        (CALM_FAST, b"\x01\x02"),
    ):
        sll = struct.pack("!HHH", 0, 1, 6) + SRC + b"\x00\x00" + struct.pack("!H", etype)
        frames.append((sll + payload, 0))
    path = write_capture(tmp_path / "sll.pcap", frames, 113)
    lines = assert_tcpdump_lines(path, pure, keep=nonempty)
    assert any("GeoNet ; v:0" in line for line in lines)
