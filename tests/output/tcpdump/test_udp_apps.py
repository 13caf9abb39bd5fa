"""UDP applications tcpdump decodes by port print as tcpdump 4.99 prints them without -v (print-udp.c's
port tests and their order, then print-hsrp.c, print-bfd.c, print-bcm-li.c, print-isakmp.c (and ESP in
UDP), print-dhcp6.c, print-vxlan.c, print-geneve.c, print-otv.c, print-vxlan-gpe.c, print-radius.c,
print-babel.c, print-sflow.c, print-lwapp.c, print-ahcp.c, print-someip.c, print-tftp.c, print-timed.c,
print-rip.c, print-ripng.c, print-krb.c, print-hncp.c, print-sip.c, print-ldp.c, print-olsr.c,
print-lspping.c, print-vqp.c, print-aodv.c, print-pim.c's Auto-RP, print-lisp.c, print-snmp.c, print-rx.c).

Every message kind or version field the one-line output shows, over IPv4 and IPv6, ports that pick
another printer first, malformed messages, and the same packets cut short by the capture at every
length, each compared with tcpdump's own line on the compiled and the Python path.
"""

from __future__ import annotations

import os
import socket
import struct
import subprocess

import pytest

from pycapture import craft
from pycapture.savefile.pcap_writer import PcapWriter
from support.commands import run_cli, tool
from support.env import CORPUS

MACS = ("02:00:00:00:00:02", "02:00:00:00:00:01")


def _v4(sport: int, dport: int, payload: bytes, src: str = "10.0.0.1", dst: str = "10.0.0.2") -> bytes:
    return craft.over_ethernet(craft.udp(src, dst, sport, dport, payload), *MACS, pad=False)


def _v6(sport: int, dport: int, payload: bytes) -> bytes:
    return craft.over_ethernet(craft.udp("fe80::1", "ff02::2", sport, dport, payload), *MACS, pad=False)


def _isakmp(version: int, etype: int, flags: int, msgid: int, responder: bytes = bytes(8)) -> bytes:
    return (
        b"\x11" * 8 + responder + struct.pack("!BBBBII", 0, version << 4, etype, flags, msgid, 28) + bytes(8)
    )


def _samples() -> list[tuple[bytes, bool]]:
    """(frame, whether to cut it at every length too)."""
    out: list[tuple[bytes, bool]] = []
    for op in (0, 1, 2, 3):
        for state in (0, 8, 16, 3):
            hsrp = bytes([0, op, state, 3, 10, 100, 1, state & 1]) + b"cisco\0\0\0" + bytes([192, 168, 0, 1])
            out.append((_v4(1985, 1985, hsrp), op == 0 and state == 16))
    out.append((_v4(1985, 1985, bytes([1, 0, 16]) + bytes(17)), False))
    out.append((_v4(1985, 2000, bytes(20)), False))  # HSRP by destination port only
    for version in (0, 1, 2):
        for flags in (0x00, 0xC0, 0x64, 0xFF, 0x3F):
            bfd = bytes([version << 5, flags, 3, 24]) + bytes(20)
            for port in (3784, 4784, 6784):
                out.append((_v4(49153, port, bfd), version == 1 and port == 3784 and flags == 0xC0))
    out.append((_v4(49153, 3785, bytes(12)), False))
    out.append((_v4(49152, 3784, bytes([0x26, 0xC0, 0, 0x18]) + bytes(20)), True))  # BCM-LI by source port
    first = _isakmp(1, 2, 0, 0)
    out += [
        (_v4(500, 500, first), True),
        (_v4(500, 500, _isakmp(1, 2, 0, 0, b"\x22" * 8), "10.0.0.2", "10.0.0.1"), False),
        (_v4(500, 500, _isakmp(1, 5, 1, 7, b"\x22" * 8)), False),
        (_v4(500, 500, _isakmp(1, 32, 3, 7, b"\x33" * 8), "10.0.0.9", "10.0.0.1"), False),
        (_v4(500, 500, _isakmp(1, 99, 0, 0, b"\x44" * 8)), False),
    ]
    for etype in (34, 35, 36, 37, 40):
        for flags in (0x08, 0x20, 0x38, 0):
            out.append((_v4(500, 4444, _isakmp(2, etype, flags, 0 if etype == 34 else 1)), False))
    out += [
        (_v6(500, 500, _isakmp(2, 34, 8, 0)), True),
        (_v4(4500, 4500, b"\xff"), False),
        (_v4(4500, 4500, b"\xfe"), False),
        (_v4(4500, 4500, b"\0\0\0\0" + _isakmp(2, 35, 8, 1)), True),
        (_v4(4500, 4500, bytes.fromhex("0000abcd00000005") + bytes(40)), True),
        (_v4(7500, 1, _isakmp(1, 2, 0, 0, b"\x55" * 8)), False),
        (_v4(500, 123, _isakmp(1, 2, 0, 0, b"\x55" * 8)), False),  # ISAKMP's port test comes before NTP's
    ]
    for kind in (1, 7, 12, 13, 15, 16, 200):
        out.append((_v6(546, 547, bytes([kind, 1, 2, 3]) + bytes(8)), kind == 1))
    for code in (1, 2, 4, 11, 40, 43, 45, 255, 99):
        radius = struct.pack("!BBH", code, 0x4F, 20 + 4) + bytes(16) + b"\x01\x04ab"
        out.append((_v4(53000, 1812, radius), code == 1))
    out += [(_v4(1645, 1, struct.pack("!BBH", 1, 1, 19) + bytes(16)), False)]
    out += [(_v4(3799, 1, struct.pack("!BBH", 43, 1, 500) + bytes(16)), False)]
    tlvs = bytes([0, 1, 1, 0, 4, 6, 0, 0, 0, 0, 1, 0, 5, 4, 0, 0, 0, 0]) + bytes([8, 10, 2, 0xC0]) + bytes(8)
    tlvs += bytes([8, 10, 2, 0x3F]) + bytes(8) + bytes([99, 0, 6, 10]) + bytes(10) + bytes([12, 2, 0, 0])
    for tlv in range(20):
        tlvs += bytes([tlv, 2, 0, 0]) if tlv not in (0, 8) else b""
    babel = bytes([42, 2]) + struct.pack("!H", len(tlvs)) + tlvs
    out += [
        (_v6(6696, 6696, babel), True),
        (_v6(6696, 6696, babel + bytes([16, 2, 0, 0])), False),
        (_v6(6697, 1, bytes([42, 1, 0, 0])), False),
        (_v6(6697, 1, bytes([41, 2, 0, 0])), False),
        (_v6(6696, 6696, bytes([42, 2, 0, 9, 8, 2, 0, 0])), False),
        (_v6(6696, 6696, bytes([42, 2, 0, 4, 4, 9, 0, 0])), False),
    ]
    for ip_version in (1, 2, 3):
        sflow = (
            struct.pack("!II", 5, ip_version)
            + bytes([10, 0, 0, 1])
            + bytes(12)
            + struct.pack("!I", 7)
            + bytes(20)
        )
        out.append((_v4(40000, 6343, sflow), ip_version == 1))
    out.append((_v4(40000, 6343, struct.pack("!II", 4, 1) + bytes(40)), False))
    out.append((_v4(40000, 6343, struct.pack("!II", 5, 1) + bytes(12)), False))
    for first in (0x00, 0x04, 0x07, 0x43, 0x85):
        lwapp = bytes([first, 1, 0, 10, 0, 0]) + bytes(14)
        out += [(_v4(20000, 12222, lwapp), first == 4), (_v4(12223, 20000, lwapp), False)]
        out.append((_v4(20000, 12223, bytes(6) + lwapp), first == 4))
    ahcp = bytes([43, 1]) + bytes(22) + bytes([1, 0, 0, 4]) + bytes(4)
    out += [
        (_v6(5359, 5359, ahcp), True),
        (_v6(5359, 5359, bytes([43, 2, 1, 2])), False),
        (_v6(5359, 5359, bytes([42, 1]) + bytes(30)), False),
        (_v6(5359, 5359, bytes([43, 1]) + bytes(22) + bytes([1, 0, 0, 40])), False),
    ]
    for kind, code in ((0x00, 0), (0x02, 1), (0x81, 0x0F), (0xA0, 0x10), (0x33, 0x20)):
        someip = struct.pack("!IIIBBBB", 0xFFFF8100, 8, 0x00010002, 1, 1, kind, code)
        out.append((_v4(30490, 30491, someip + b"abcd"), kind == 2))
    out.append((_v4(30490, 30491, bytes(10)), False))
    tftp = [
        b"\0\x01file1\0octet\0",
        b"\0\x02name\0netascii\0blksize\x001428\0\0",
        b"\0\x03\0\x07" + bytes(20),
        b"\0\x04\0\x09",
        b"\0\x05\0\x01File not found\0",
        b"\0\x05\0\x09odd\0",
        b"\0\x06tsize\x00123\0",
        b"\0\x09",
        b"\0\x01nonul",
        b"\x01",
    ]
    out += [(_v4(44935, 69, message), message[:2] == b"\0\x01") for message in tftp]
    for kind in (24, 5, 1, 3, 40):
        timed = bytes([kind, 1]) + struct.pack("!Hii", 15498, -2, 5000) + b"host\xe9.lan\0"
        out.append((_v4(525, 525, timed), kind == 24))
    for command in (1, 2, 5, 9):
        for version in (0, 1, 2):
            out.append((_v4(520, 520, bytes([command, version, 0, 0]) + bytes(20)), False))
    out.append((_v4(520, 520, bytes([2, 2, 0])), False))
    krb = [
        bytes([4, 2]) + b"joe\0\0ATHENA\0" + bytes(4) + bytes([12]) + b"krbtgt\0ATHENA\0",
        bytes([4, 3]) + b"joe\0\0ATHENA\0" + bytes(4) + bytes([12]) + b"krbtgt\0ATHENA\0",
        bytes([4, 6, 0, 3]) + b"realm\0" + bytes([5, 6]),
        bytes([4, 4]) + b"a\0b\0c\0" + bytes(10) + b"\x01\x02",
        bytes([4, 11]) + b"a\0b\0c\0" + bytes(4) + b"\x08\0\0\0" + b"unknown\0",
        bytes([4, 8, 1, 2]),
        bytes([5, 0]),
        bytes([106, 0]),
        bytes([2, 0]),
    ]
    out += [(_v4(750, 88, message), message[1] == 2) for message in krb]
    sip = [
        b"INVITE sip:bob@example.com SIP/2.0\r\nVia: x\r\n\r\n",
        b"SIP/2.0 200 OK\r\n",
        b"register sip:x SIP/2.0\n",
        b"HELLO there\r\n",
        b"OPTIONS sip:x SIP/2.0",
        b"OPTIONS sip:\x01 SIP/2.0\r\n",
        b"\x80abc",
        b"",
    ]
    out += [(_v4(5060, 5060, message), message.startswith(b"INVITE")) for message in sip]
    hncp = b"".join(
        struct.pack("!HH", kind, 4) + bytes(4) for kind in (3, 4, 5, 5, 5, 0, 6, 50, 800, 2000, 33)
    )
    out += [
        (_v6(8231, 8231, hncp), True),
        (_v6(8231, 8231, hncp + struct.pack("!HH", 3, 40)), False),
        (_v6(8231, 8231, b""), False),
    ]
    route = socket.inet_pton(socket.AF_INET6, "2001:db8::") + struct.pack("!HBB", 7, 32, 3)
    default = socket.inet_pton(socket.AF_INET6, "::") + struct.pack("!HBB", 0, 0, 16)
    for command in (1, 2, 3):
        for body in (route, route * 2 + b"\0\0", default, b""):
            out.append((_v6(521, 521, bytes([command, 1, 0, 0]) + body), command == 2 and body == route))
    out += [(_v6(521, 521, bytes([2, 2, 0, 0]) + route), False), (_v6(521, 521, bytes([1, 1])), False)]
    v4_locator = struct.pack("!BBBBHH", 1, 100, 255, 0, 5, 1) + bytes([20, 20, 8, 253])
    v6_locator = struct.pack("!BBBBHH", 1, 100, 255, 0, 5, 2) + socket.inet_pton(
        socket.AF_INET6, "2001:db8::1"
    )
    odd_locator = struct.pack("!BBBBHH", 1, 100, 255, 0, 5, 9)
    v4_record = (
        struct.pack("!IBBBBHH", 1440, 2, 32, 0, 0, 0, 1) + bytes([10, 30, 1, 100]) + v4_locator + v6_locator
    )
    v6_record = (
        struct.pack("!IBBBBHH", 1440, 2, 80, 0, 0, 0, 2)
        + socket.inet_pton(socket.AF_INET6, "a3::7334")
        + odd_locator
    )
    for first, count in ((0x30, 2), (0x32, 2), (0x40, 2), (0x48, 1), (0x10, 1), (0x90, 1), (0x30, 0)):
        lisp = (
            bytes([first, 0, 0, count])
            + bytes(8)
            + struct.pack("!HH", 1, 4)
            + b"auth"
            + v4_record
            + v6_record
        )
        out.append((_v4(4342, 4342, lisp + bytes(range(24))), first == 0x30 and count == 2))
    out.append((_v4(4342, 4342, bytes([0x30, 0, 0, 1]) + bytes(12) + v4_record[:12] + b"\0\x07"), False))
    for kind in (1, 2, 3, 4, 16, 17, 18, 19, 9):
        aodv = bytes([kind, 0xC0, 0x85, 3]) + bytes(range(1, 41)) + bytes([2, 2, 0, 0])
        for extension in (b"", bytes([1, 4, 0, 0, 3, 232]), bytes([1, 2, 0, 0, 0, 0]), bytes([7, 1])):
            out.append(
                (_v4(654, 654, aodv[: {1: 24, 2: 20}.get(kind, 44)] + extension), kind == 1 and not extension)
            )
            out.append(
                (_v6(654, 654, aodv[: {1: 48, 2: 44}.get(kind, 44)] + extension), kind == 2 and not extension)
            )
    out.append((_v4(654, 654, bytes([3, 0x80, 0, 2]) + bytes(12)), True))
    rp = bytes([1, 235, 99, 5, 0xE9, 2]) + bytes([3, 16, 239, 0, 0, 0]) + bytes([0x1E, 8, 224, 0, 0, 0])
    for kind, hold in ((0x11, 976), (0x12, 0), (0x13, 65535), (0x11, 3600)):
        autorp = bytes([kind, 2]) + struct.pack("!H", hold) + bytes(4) + rp + bytes([10, 0, 0, 1, 1, 0])
        out.append((_v4(496, 496, autorp), kind == 0x11 and hold == 976))
    olsr = struct.pack("!HH", 20, 0x0202) + bytes(16)
    out += [(_v4(698, 698, olsr), True), (_v6(698, 698, olsr), False), (_v4(698, 698, b"\0\x40\0\1"), False)]
    for version, kind in ((1, 1), (1, 2), (1, 7), (2, 1)):
        lspping = struct.pack("!HHBBBBII", version, 0, kind, 2, 0, 0, 7, 99) + bytes(16)
        out.append((_v4(3503, 40000, lspping), kind == 2))
    out.append((_v4(3503, 40000, bytes(20)), False))
    for version, kind, error in ((1, 1, 0), (1, 2, 3), (1, 9, 7), (2, 1, 0)):
        out.append((_v4(1589, 1589, bytes([version, kind, error, 2]) + bytes(20)), kind == 1))
    out.append((_v4(1589, 1589, bytes([1, 1, 0])), False))
    ldp = struct.pack("!HHIH", 1, 38, 0x0A010002, 0) + struct.pack("!HHI", 0x100, 20, 7) + bytes(20)
    out += [
        (_v4(646, 646, ldp), True),
        (_v4(646, 646, struct.pack("!HHIH", 2, 38, 0, 0) + bytes(30)), False),
        (_v4(646, 646, bytes(18)), False),
    ]
    return out


def _ber(tag: int, body: bytes) -> bytes:
    size = len(body)
    return bytes([tag]) + (bytes([size]) if size < 128 else bytes([0x82]) + size.to_bytes(2, "big")) + body


def _snmp() -> list[tuple[bytes, bool]]:
    """SNMPv1, v2c and v3 messages of each PDU type, with values of each type and malformed ones."""
    oid = _ber(6, bytes([0x2B, 6, 1, 2, 1, 1, 3, 0]))
    big_oid = _ber(6, bytes([0x2B, 6, 1, 4, 1, 0x82, 0x37, 0x81, 0x80, 0x01, 5]))
    values = [
        _ber(5, b""),
        _ber(2, b"\xff\x38"),
        _ber(4, b"public text"),
        _ber(4, b"\x00\x01bin"),
        _ber(0x40, bytes([10, 0, 0, 1])),
        _ber(0x41, b"\x01\x00"),
        _ber(0x43, b"\x12\x34\x56"),
        _ber(0x46, bytes(range(1, 9))),
        _ber(0x44, b"op"),
        _ber(0x80, b""),
        _ber(0x81, b""),
        _ber(0x82, b""),
        _ber(0x83, b""),
        oid,
        _ber(0x30, b""),
        _ber(1, b"\x01"),
        _ber(0x45, b"x"),
        _ber(0xC0, b"x"),
    ]
    varbinds = _ber(0x30, b"".join(_ber(0x30, name + value) for name in (oid, big_oid) for value in values))
    one = _ber(0x30, _ber(0x30, oid + _ber(5, b"")))
    out = []
    for version in (0, 1):
        for community in (b"public", b"private", b"\x01\x02"):
            for pdu in range(9):
                for status, index in ((0, 0), (2, 1), (0, 3), (40, 0)):
                    if pdu == 4:
                        body = big_oid + _ber(0x40, bytes([10, 0, 0, 9])) + _ber(2, bytes([status % 7]))
                        body += _ber(2, bytes([index])) + _ber(0x43, b"\x01\x02") + one
                    else:
                        body = _ber(2, b"\x12") + _ber(2, bytes([status])) + _ber(2, bytes([index]))
                        body += varbinds if status == 0 and index == 0 else one
                    message = _ber(
                        0x30, _ber(2, bytes([version])) + _ber(4, community) + _ber(0xA0 + pdu, body)
                    )
                    out.append((_v4(40000, 161, message), pdu == 2 and status == 0 and version == 1))
    usm = _ber(0x30, _ber(4, b"\x80\x00") + _ber(2, b"\x01") + _ber(2, b"\x02") + _ber(4, b"user"))
    usm_seq = usm[:-0] + b""
    scoped = _ber(0x30, _ber(4, b"\x80\x01") + _ber(4, b"ctx") + _ber(0xA0, _ber(2, b"\x01") * 3 + one))
    for flags in (b"\x04", b"\x07", b"\x02", b"\x04\x00"):
        for model in (3, 2):
            params = _ber(4, _ber(0x30, usm_seq[2:] + _ber(4, b"") + _ber(4, b"")))
            header = _ber(
                0x30, _ber(2, b"\x01") + _ber(2, b"\x05\xdc") + _ber(4, flags) + _ber(2, bytes([model]))
            )
            message = _ber(0x30, _ber(2, b"\x03") + header + params + scoped)
            out.append((_v4(40000, 161, message), flags == b"\x04" and model == 3))
    out += [
        (_v4(40000, 162, _ber(0x30, _ber(2, b"\x07"))), False),
        (_v4(40000, 162, _ber(2, b"\x07")), False),
        (_v4(40000, 162, bytes([0x30, 0x84, 1])), False),
        (_v4(40000, 162, bytes([0x3F, 0x81, 0x82, 0x03, 0, 0, 0])), False),
        (_v4(40000, 162, bytes([0x30, 5, 2, 0])), False),
        (_v4(40000, 162, b""), False),
    ]
    return out


def _rx_header(call: int, seq: int, kind: int, flags: int, service: int = 1) -> bytes:
    return struct.pack("!IIIIIBBBBHH", 0x12345678, 0xA0, call, seq, 9, kind, flags, 0, 2, 0, service)


RX_OPS = {
    7000: (130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 148, 149, 151, 153, 154, 155, 65536, 65537,
           65538, 65541, 9),
    7001: (204, 205, 213, 214, 1),
    7002: (500, 501, 502, 503, 504, 505, 508, 509, 510, 511, 513, 520, 10000, 10003, 20002, 20004, 20012, 9),
    7003: (501, 502, 503, 504, 505, 506, 510, 518, 519, 521, 526, 527, 529, 10000, 20000, 9),
    7004: (1, 3, 4, 12, 20006, 99),
    7005: (100, 101, 102, 103, 105, 108, 110, 112, 113, 114, 116, 117, 121, 123, 128, 65538, 5),
    7007: (80, 81, 82, 84, 86, 105, 7),
}  # fmt: skip


def _rx() -> list[tuple[bytes, bool]]:
    """Calls of each AFS service's operations, their replies and aborts, acks, and a reply to no call."""
    args = (
        b"".join(struct.pack("!I", n % 7) for n in range(60))
        + b"2 1\nroot 127\njoe 9\nbad 1\n\0"
        + bytes(400)
    )
    acl = struct.pack("!I", 26) + b"2 1\nroot 127\njoe 9\nbad 1\n\0\0\0"
    out = []
    call = 100
    for port, ops in RX_OPS.items():
        for op in ops:
            call += 1
            body = struct.pack("!I", op) + (acl if op in (131, 134) else args)
            request = _v4(7001, port, _rx_header(call, 1, 1, 1) + body, "10.0.0.1", "10.0.0.2")
            reply = _v4(
                port,
                7001,
                _rx_header(call, 1, 1, 0) + (acl if op in (131, 134) else args),
                "10.0.0.2",
                "10.0.0.1",
            )
            abort = _v4(
                port, 7001, _rx_header(call, 1, 4, 0) + struct.pack("!i", -100), "10.0.0.2", "10.0.0.1"
            )
            out += [
                (request, op in (130, 133, 204, 504, 10000)),
                (reply, op in (503, 113, 526)),
                (abort, False),
            ]
    for acks in (b"", b"\1\1\0\1", b"\0\1\1\1\0\0\1", b"\1" * 5):
        ack = struct.pack("!HHIIIBB", 2, 3, 7, 0, 99, 8, len(acks)) + acks + bytes(3)
        out.append((_v4(7001, 7000, _rx_header(5, 0, 2, 0) + ack), len(acks) == 4))
    out += [
        (_v4(7001, 7000, _rx_header(1, 2, 1, 1) + bytes(40)), False),  # not the first packet of a call
        (_v4(7000, 7001, _rx_header(999, 1, 1, 0) + bytes(40)), False),  # a reply to no call seen
        (_v4(7009, 7008, _rx_header(1, 1, 6, 0) + bytes(40)), False),
        (_v4(7009, 7008, _rx_header(1, 1, 77, 0) + bytes(4)), False),
    ]
    return out


def _tunnels() -> list[tuple[bytes, bool]]:
    inner = craft.over_ethernet(
        craft.udp("192.168.1.1", "192.168.1.2", 1000, 2000, b"hello"), *MACS, pad=False
    )
    inner6 = craft.udp("2001:db8::1", "2001:db8::2", 1000, 2000, b"hi")
    icmp = craft.icmp_echo("192.168.1.1", "192.168.1.2", ident=1, seq=2, payload=bytes(8))
    out = [
        (_v4(45149, 4789, bytes([8, 0, 0, 0, 0, 0, 100, 0]) + inner), True),
        (_v4(45149, 4789, bytes([0, 0, 0, 0, 0, 1, 0, 0]) + inner), False),
        (_v4(45149, 4789, bytes(6)), False),
        (_v4(12618, 6081, bytes([0, 0, 0x65, 0x58, 0, 0, 10, 0]) + inner), True),
        (_v4(12618, 6081, bytes([2, 0x40, 8, 0, 0, 0, 11, 7]) + bytes(8) + icmp), True),
        (_v4(12618, 6081, bytes([0, 0x80, 0x86, 0xDD, 0, 0, 12, 0]) + inner6), False),
        (_v4(12618, 6081, bytes([0, 0, 0x88, 0x47, 0, 0, 12, 0]) + bytes(8)), False),
        (_v4(12618, 6081, bytes([0x40, 0, 8, 0, 0, 0, 12, 0]) + bytes(8)), False),
        (_v4(12618, 6081, bytes([4, 0, 8, 0, 0, 0, 12, 0]) + bytes(8)), False),
        (_v4(12618, 6081, bytes(6)), False),
        (_v4(8472, 8472, bytes([8, 0, 0, 1, 0, 0, 2, 0]) + inner), True),
        (_v4(8472, 8472, bytes([0, 0, 0, 1, 0, 0, 2, 0])), False),
        (_v4(8472, 8472, bytes(5)), False),
        (_v4(4790, 4790, bytes([0x0C, 0, 0, 1, 0, 0, 5, 0]) + icmp), True),
        (_v4(4790, 4790, bytes([0, 0, 0, 2, 0, 0, 5, 0]) + inner6), False),
        (_v4(4790, 4790, bytes([0xFF, 0, 0, 3, 0, 0, 5, 0]) + inner), False),
        (_v4(4790, 4790, bytes([0, 0, 0, 9, 0, 0, 5, 0]) + bytes(8)), False),
        (_v4(4790, 4790, bytes(7)), False),
    ]
    return out


def _check(tmp_path, samples: list[tuple[bytes, bool]], pure: str, *flags: str) -> None:
    path = tmp_path / "udp_apps.pcap"
    writer = PcapWriter(str(path), 1)
    count = 0
    for frame, cut in samples:
        for end in range(42, len(frame)) if cut else ():
            count += 1
            writer.write(count, 0, len(frame), frame[:end])
        count += 1
        writer.write(count, 0, len(frame), frame)
    writer.close()
    expected = subprocess.run(
        [tool("tcpdump"), "-n", "-tt", *flags, "-r", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    got = run_cli(
        "-n", "-tt", *flags, "-r", str(path), text=True, env=dict(os.environ, PYCAPTURE_PURE_PYTHON=pure)
    )
    assert got.returncode == 0, got.stderr
    lines = got.stdout.splitlines()
    differ = [(g, w) for g, w in zip(lines, expected) if g != w]
    assert not differ, differ[:5]
    assert len(lines) == len(expected)


@pytest.mark.parametrize("pure", ["", "1"], ids=["compiled", "python"])
def test_udp_application_lines_are_tcpdumps(tmp_path, pure):
    _check(tmp_path, _samples(), pure)


@pytest.mark.parametrize("pure", ["", "1"], ids=["compiled", "python"])
def test_snmp_lines_are_tcpdumps(tmp_path, pure):
    _check(tmp_path, _snmp(), pure)


@pytest.mark.parametrize("pure", ["", "1"], ids=["compiled", "python"])
def test_afs_rx_lines_are_tcpdumps(tmp_path, pure):
    _check(tmp_path, _rx(), pure)


@pytest.mark.parametrize("pure", ["", "1"], ids=["compiled", "python"])
@pytest.mark.parametrize("flags", [(), ("-e",)], ids=["plain", "link-level"])
def test_tunnel_lines_carry_the_inner_frames(tmp_path, pure, flags):
    _check(tmp_path, _tunnels(), pure, *flags)


CORPUS_FILES = (
    "HSRP_coup.pcap",
    "dhcpv6-ia-pd.pcap",
    "RADIUS-RFC4675.pcap",
    "lisp_ipv6.pcap",
    "hncp.pcap",
    "lspping-fec-ldp.pcap",
    "ip6-snmp-oid-unsigned.pcap",
    "lwapp-data.pcap",
    "someip1.pcap",
    "bfd-raw-auth-sha1.pcap",
    "isakmp4500.pcap",
    "ikev2four.pcap",
    "vxlan.pcap",
    "libpcap-geneve.pcap",
    "babel_rfc6126bis.pcap",
    "sflow_multiple_counter_30_pdus.pcap",
    "afs.pcap",
)


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_udp_applications(name):
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"{name} is not in the corpus")
    expected = subprocess.run(
        [tool("tcpdump"), "-n", "-tt", "-r", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    got = run_cli("-n", "-tt", "-r", str(path), text=True)
    assert got.returncode == 0, got.stderr
    differ = [(g, w) for g, w in zip(got.stdout.splitlines(), expected) if g != w]
    assert not differ, differ[:5]
