"""Protocols an EtherType or an 802.2 header carries print as tcpdump 4.99 prints them without -v: PTP
(also over UDP 319/320), AoE, DECnet, IPX, STP/RSTP/MSTP/SPB, IS-IS, ES-IS and CLNP, LLC and SNAP frames,
CDP, DTP, VTP, UDLD, LLDP, Loopback, CFM, EAPOL, PPPoE, MS NLB, Slow Protocols, ARP, RARP and AARP,
Arista's timestamps, MACsec and NSH (print-ptp.c, print-aoe.c, print-decnet.c, print-llc.c, ...).

Crafted frames of each kind, whole and cut at many points, are compared line by line (hex dumps
included) with tcpdump's own output, on the compiled and the Python path, without and with -e.
"""

from __future__ import annotations

import struct

import pytest

from pycapture import craft
from support.tcpdump_compare import assert_tcpdump_lines, nonempty, write_capture

DST, SRC = bytes.fromhex("0180c2000000"), bytes.fromhex("020000000001")


def _ether(etype: int, payload: bytes) -> bytes:
    return DST + SRC + struct.pack("!H", etype) + payload


def _llc(dsap: int, ssap: int, control: bytes, payload: bytes) -> bytes:
    body = bytes([dsap, ssap]) + control + payload
    return DST + SRC + struct.pack("!H", len(body)) + body


def _snap(oui: int, pid: int, payload: bytes) -> bytes:
    return _llc(0xAA, 0xAA, b"\x03", oui.to_bytes(3, "big") + struct.pack("!H", pid) + payload)


def _ptp(kind: int, version: int = 2, size: int = 64) -> bytes:
    header = bytes([0x10 | kind if kind & 1 else kind, version]) + struct.pack("!H", 44) + bytes([3, 7])
    header += struct.pack("!H", 0x6205) + bytes(range(1, 9)) + bytes(4) + bytes(range(9, 17))
    header += struct.pack("!HHBB", 274, 9, kind % 6, 0xFD)
    return header + bytes(range(40, 40 + size - len(header)))


def _isis(kind: int, fixed: int) -> bytes:
    body = {15: 19, 16: 19, 17: 12, 18: 19, 20: 19, 24: 25, 25: 25, 26: 9, 27: 9}.get(kind, 10)
    header = bytes([0x83, fixed, 1, 0, kind, 1, 0, 0])
    return header + bytes(range(0x11, 0x11 + body)) + b"\x01\x02\x49\x00"


def _decnet(route: bytes, nsp: bytes) -> bytes:
    message = route + nsp
    return struct.pack("<H", len(message)) + message


def _frames() -> list[tuple[bytes, int]]:
    """(frame, bytes the capture cuts from its end)."""
    frames: list[tuple[bytes, int]] = []

    def add(frame: bytes, cuts: tuple[int, ...] = (0,)) -> None:
        frames.extend((frame, cut) for cut in cuts if cut < len(frame) - 14)

    for kind in (0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 5):
        add(_ether(0x88F7, _ptp(kind)), (0, 10, 30, 40))
    add(_ether(0x88F7, _ptp(0, version=1)))
    add(_ether(0x88F7, _ptp(0, version=3)))
    add(_ether(0x88F7, _ptp(0, size=30)))
    for udp_port in (319, 320):
        udp = craft.ipv4(
            "10.0.0.1",
            "224.0.1.129",
            17,
            struct.pack("!HHHH", udp_port, udp_port, 8 + 54, 0) + _ptp(9, size=54),
        )
        add(craft.over_ethernet(udp, "01:00:5e:00:01:81", "02:00:00:00:00:01", pad=False), (0, 12))
    for first in (0x10, 0x18, 0x1F, 0x00, 0x20):
        add(_ether(0x88A2, bytes([first, 0]) + bytes(22)), (0,))
    add(_ether(0x88A2, b"\x10\x00\x01"), (0,))
    for version, kind, flags in ((0, 0, 0x01), (2, 2, 0x7F), (2, 0, 0x80), (3, 2, 0x30), (4, 2, 0x50),
                                 (1, 0, 0),
                                 (0, 0x80, 0), (0, 5, 0)):  # fmt: skip
        bpdu = (
            struct.pack("!HBBB", 0, version, kind, flags) + bytes(range(8)) + bytes(4) + bytes(range(8, 16))
        )
        bpdu += struct.pack("!HHHHHB", 0x8005, 0, 0, 0, 0, 0)
        if version in (3, 4):
            bpdu += (
                struct.pack("!H", 64)
                + bytes(64)
                + (struct.pack("!H", 90) + bytes(90) if version == 4 else b"")
            )
        add(_llc(0x42, 0x42, b"\x03", bpdu), (0, 10, 30))
        add(_snap(0x00000C, 0x010B, bpdu))
    add(_llc(0x42, 0x42, b"\x03", b"\x00\x01\x00\x00"))
    for dsap, ssap, control in ((0xF0, 0xF0, b"\x03"), (0xF0, 0xF1, b"\x7f"), (0x00, 0x01, b"\x14\xc8"),
                                (0x04, 0x05, b"\x09\xff"), (0x98, 0x98, b"\xaf"), (0x98, 0x99, b"\xbf"),
                                (0x06, 0x04, b"\xe3"), (0x7E, 0x7E, b"\x01\x10")):  # fmt: skip
        add(_llc(dsap, ssap, control, b"\x81\x01\x02" + bytes(20)), (0, 22, 23))
    add(_snap(0x00000C, 0x0806, bytes(28)))
    add(_ether(0x8870, b"\xfe\xfe\x03" + _isis(18, 27)))
    add(_ether(0x8870, b"\xf0\xf0\x03" + bytes(20)))
    add(_snap(0x123456, 0x1234, bytes(28)))
    add(_snap(0x000000, 0x9999, bytes(28)))
    add(_snap(0x0080C2, 0x000E, bytes(28)))
    ipx = (
        struct.pack("!HHBB", 0xFFFF, 30 + 66, 0, 4)
        + bytes.fromhex("00000001")
        + bytes(6)
        + struct.pack("!H", 0x0452)
    )
    ipx += bytes.fromhex("a8f87967") + bytes.fromhex("000347000001") + struct.pack("!H", 0x4008)
    sap = struct.pack("!HH", 2, 0x064E) + b"NAME!\x01" + bytes(42) + bytes(10) + bytes(4)
    add(_llc(0xE0, 0xE0, b"\x03", ipx + sap), (0, 20, 40, 60, 70))
    add(_ether(0x8137, ipx + sap))
    add(_llc(0xFF, 0xFF, b"", ipx[2:] + sap))
    rip = ipx[:16] + struct.pack("!H", 0x0453) + ipx[18:] + struct.pack("!H", 2) + bytes(range(16))
    add(_ether(0x8137, rip), (0, 5))
    for socket in (0x0451, 0x0455, 0x0456, 0x0553, 0x1234):
        add(_ether(0x8137, ipx[:16] + struct.pack("!H", socket) + ipx[18:] + bytes(10)))
    add(_ether(0x8137, struct.pack("!HH", 0xFFFF, 20) + ipx[4:]))
    eigrp = ipx[:16] + struct.pack("!H", 0x85BE) + ipx[18:]
    for version, opcode in ((2, 5), (2, 9), (1, 1)):
        add(_ether(0x8137, eigrp + bytes([version, opcode]) + bytes(18)), (0, 5))
    short = b"\x02" + struct.pack("<HH", 0x0401, 0x0402) + b"\x00"
    for nsp in (b"\x60\x01\x20\x02\x20\x05\x80\x03\xa0", b"\x04\x01\x20\x02\x20\x01\x80\x02\xb0",
                b"\x14\x01\x20\x02\x20\x01\x90",  b"\x08\x01\x20\x02\x20\x01\x80\x02\xa0\x03\x00",
                b"\x10\x01\x20\x02\x20\x01\x80\x02\xa0\x03\x00\x01\x05", b"\x30\x01\x20\x02\x20\x01\x80",
                b"\x18\x00\x00\x02\x20\x08\x03\x13\x40", b"\x28\x01\x20\x02\x20\x00\x02\x13\x40\x03",
                b"\x38\x01\x20\x02\x20\x2a\x00\x00", b"\x48\x01\x20\x02\x20\x2a\x00", b"\x24\x01\x20",
                b"\x58\x01\x20\x02\x20", b"\x0c\x01\x20\x02\x20", b"\x01\x02"):  # fmt: skip
        add(_ether(0x6003, _decnet(short, nsp)), (0, 3))
    long_route = (
        b"\x26" + bytes(6) + struct.pack("<H", 0x0401) + bytes(6) + struct.pack("<H", 0x0402) + bytes(4)
    )
    add(_ether(0x6003, _decnet(long_route, b"\x04\x01\x20\x02\x20\x01\x80\x02\xb0")))
    hello = b"\x0d\x02\x00\x00" + bytes(4) + struct.pack("<H", 0x0401) + b"\x03" + struct.pack("<H", 1498)
    hello += b"\x00" + bytes(8) + bytes(4) + struct.pack("<H", 0x0403) + struct.pack("<H", 10) + b"\x00\x02"
    add(_ether(0x6003, struct.pack("<H", len(hello)) + hello), (0, 10))
    router = b"\x0b\x02\x00\x00" + bytes(4) + struct.pack("<H", 0x0405) + b"\x02" + struct.pack("<H", 1498)
    router += b"\x40\x00" + struct.pack("<H", 15) + b"\x00"
    add(_ether(0x6003, struct.pack("<H", len(router)) + router))
    for control in (b"\x01\x01\x04\x02\xda\x05\x02\x00\x00\x0a\x00\x00", b"\x03\x01\x04\x07",
                    b"\x05\x01\x04\xaa",
                    b"\x07\x01\x04\x00" + struct.pack("<HHH", 3, 1, 0x0405) + b"\x00\x00",
                    b"\x09\x01\x04\x00" + struct.pack("<HHH", 2, 1, 0x0405) + b"\x00\x00",
                    b"\x0f\x01\x04", b"\x42" + short[1:], b"\x83\x00" + short):  # fmt: skip
        add(_ether(0x6003, struct.pack("<H", len(control)) + control))
    add(_ether(0x6003, b"\x03\x00"))
    cdp = (
        b"\x02\xb4\x00\x00"
        + struct.pack("!HH", 1, 10)
        + b"Switch"
        + struct.pack("!HH", 4, 8)
        + b"\x00\x00\x00\x28"
    )
    cdp += struct.pack("!HH", 0x0B, 6) + b"\x01\x01" + struct.pack("!HH", 0x99, 7) + b"abc"
    add(_snap(0x00000C, 0x2000, cdp), (0, 5, 10, 20))
    add(_snap(0x00000C, 0x2000, b"\x02\xb4\x00\x00" + struct.pack("!HH", 1, 2)))
    add(_snap(0x00000C, 0x2004, b"\x01" + bytes(28)))
    add(_snap(0x00000C, 0x2003, b"\x01\x02" + bytes(80)), (0, 10))
    add(_snap(0x00000C, 0x2003, b"\x01\x09" + bytes(20)))
    add(_snap(0x00000C, 0x0111, b"\x21\x03" + bytes(40)), (0, 10))
    add(_snap(0x00000C, 0x0111, b"\x42\x84" + bytes(40)))
    lldp = struct.pack("!H", 1 << 9 | 7) + b"\x04" + bytes(6) + struct.pack("!H", 5 << 9 | 6) + b"leaf0b"
    lldp += struct.pack("!H", 0)
    add(_ether(0x88CC, lldp), (0, 4, 12))
    add(_ether(0x88CC, struct.pack("!H", 5 << 9 | 30) + b"name"))
    for loop in (struct.pack("<HH", 0, 1) + struct.pack("<H", 7) + bytes(10),
                 struct.pack("<HH", 8, 2) + bytes(8), struct.pack("<HHH", 0, 2, 0) + bytes(12),
                 struct.pack("<HH", 3, 9) + bytes(4), b"\x00"):  # fmt: skip
        add(_ether(0x9000, loop))
    for first, opcode in ((0x00, 1), (0xE0, 3), (0x21, 5), (0x00, 99)):
        add(_ether(0x8902, bytes([first, opcode, 0, 4]) + bytes(10)))
    add(_ether(0x8902, b"\x00\x01"))
    for kind, fixed in ((15, 27), (16, 27), (17, 20), (18, 27), (20, 27), (24, 33), (25, 33), (26, 17),
                        (27, 17),
                        (30, 8), (18, 20), (26, 8), (15, 4)):  # fmt: skip
        add(_llc(0xFE, 0xFE, b"\x03", _isis(kind, fixed)), (0, 5, 20))
    add(_llc(0xFE, 0xFE, b"\x03", b"\x83\x1b\x02\x00\x0f\x01\x00\x00" + bytes(20)))
    add(_llc(0xFE, 0xFE, b"\x03", b"\x83\x1b\x01\x04\x0f\x01\x00\x00" + bytes(20)))
    add(_llc(0xFE, 0xFE, b"\x03", b"\x83\x1b\x01\x00\x0f\x01\x00\xff" + bytes(20)))
    for kind in (2, 4, 6, 9):
        add(_llc(0xFE, 0xFE, b"\x03", bytes([0x82, 14, 1, 0, kind, 0, 30, 0, 0]) + bytes(8)))
    add(_llc(0xFE, 0xFE, b"\x03", bytes([0x82, 30, 1, 0, 2, 0, 30, 0, 0]) + bytes(8)))
    clnp = (
        bytes([0x81, 29, 1, 20, 0x1C, 0, 40, 0, 0, 5])
        + bytes.fromhex("490001aabb")
        + b"\x06"
        + bytes(range(6))
    )
    add(_llc(0xFE, 0xFE, b"\x03", clnp + bytes(10)), (0, 20))
    add(_llc(0xFE, 0xFE, b"\x03", bytes([0x81, 9, 1, 20, 0x01, 0, 40, 0, 0])))
    add(_llc(0xFE, 0xFE, b"\x03", b"\x00" + bytes(8)))
    add(_llc(0xFE, 0xFE, b"\x03", b"\x44" + bytes(8)))
    add(_ether(0xFEFE, b"\x00" + _isis(18, 27)))
    tags = struct.pack("!HH", 0x0101, 0) + struct.pack("!HH", 0x0103, 4) + b"\x01\x02\x03\x04"
    tags += struct.pack("!HH", 0x0102, 5) + b"acnam" + struct.pack("!HH", 0x0999, 2) + b"zz"
    for code in (0x09, 0x07, 0x19, 0x65, 0xA7, 0x33):
        add(_ether(0x8863, struct.pack("!BBHH", 0x11, code, 0x1234 if code != 0x09 else 0, len(tags)) + tags),
            (0, 8))  # fmt: skip
    add(_ether(0x8863, struct.pack("!BBHH", 0x23, 0x09, 0, 100) + tags))
    inner = craft.icmp_echo("192.168.1.1", "192.168.1.2", ident=1, seq=2, payload=bytes(8))
    add(_ether(0x8864, struct.pack("!BBHH", 0x11, 0, 0x3B1A, len(inner) + 2) + b"\x00\x21" + inner))
    add(_ether(0x8864, b"\x11\x00\x3b"))
    for kind in range(6):
        add(_ether(0x888E, bytes([1, kind]) + struct.pack("!H", 5) + b"\x01\x01\x00\x05\x01"))
    add(_ether(0x888E, b"\x01"))
    add(
        _ether(0x886F, bytes(8) + struct.pack("<I", 2) + bytes([10, 0, 0, 80, 10, 0, 0, 82]) + bytes(10)),
        (0, 10),
    )
    for slow in (b"\x01\x01" + bytes(50), b"\x02\x01" + bytes(50), b"\x03" + bytes(50), b"\x0a" + bytes(20),
                 b"\x01\x02" + bytes(10)):  # fmt: skip
        add(_ether(0x8809, slow))
    for hrd, pro, hln, pln, op in ((1, 0x0800, 6, 4, 3), (1, 0x0800, 6, 4, 4), (1, 0x0800, 6, 4, 8),
                                   (1, 0x0800, 6, 4, 9), (0xFF00, 0x8B01, 0, 0, 1), (6, 0x0800, 6, 4, 1),
                                   (1, 0x86DD, 6, 16, 1), (1, 0x0800, 6, 4, 7),
                                   (15, 0x0800, 2, 4, 2)):  # fmt: skip
        packet = struct.pack("!HHBBH", hrd, pro, hln, pln, op) + bytes(range(1, 1 + 2 * (hln + pln)))
        add(_ether(0x0806, packet), (0, 3))
        add(_ether(0x8035, packet))
    for htype, op in ((1, 1), (1, 2), (1, 3), (1, 4), (2, 1)):
        aarp = struct.pack("!HHBBH", htype, 0x809B, 6, 4, op) + bytes(range(6)) + bytes([0, 1, 2, 3])
        add(_ether(0x80F3, aarp + bytes(range(6, 12)) + bytes([0, 1, 4, 255])), (0, 1))
    timestamped = b"\x00\x01\x00\x10" + struct.pack("!II", 1559162199, 944724424) + b"\x08\x00" + inner
    add(_ether(0xD28B, timestamped), (0, len(inner) + 1, len(inner) + 4))
    add(
        _ether(
            0xD28B,
            b"\x00\x01\x01\x21" + struct.pack("!HI", 60821, 1404038772) + b"\x81\x00\x00\x05\x08\x00" + inner,
        )
    )
    add(_ether(0xD28B, b"\x00\x02\x00\x10" + bytes(20)))
    icv = bytes(16)
    add(_ether(0x88E5, b"\x2c\x00\x00\x00\x00\x44" + bytes(8) + bytes(40)))
    add(
        _ether(
            0x88E5,
            b"\x20\x00\x00\x00\x00\x44" + bytes.fromhex("2eb73f3995c30001") + b"\x08\x00" + inner + icv,
        ),
        (0, 10),
    )
    add(_ether(0x88E5, b"\x00\x1e\x00\x00\x00\x42" + b"\x08\x00" + inner[:28] + bytes(8) + icv))
    add(_ether(0x88E5, b"\x80\x00\x00\x00\x00\x44" + bytes(40)))
    nsh = struct.pack("!I", 0x0FC40601 | 0x20000000) + struct.pack("!I", 0x00030907) + bytes(8)
    add(_ether(0x894F, nsh + inner), (0, len(inner) + 10))
    add(_ether(0x894F, struct.pack("!I", 0x00C40605) + struct.pack("!I", 0x00030907) + bytes(8) + inner))
    add(_ether(0x894F, struct.pack("!I", 0x40C20601) + bytes(20)))
    return frames


@pytest.mark.parametrize("flags", [(), ("-e",)], ids=["plain", "link-level"])
@pytest.mark.parametrize("pure", ["", "1"], ids=["compiled", "python"])
def test_ether_protocol_lines_are_tcpdumps(tmp_path, pure, flags):
    path = write_capture(tmp_path / "ether.pcap", _frames())
    assert_tcpdump_lines(path, pure, *flags, keep=nonempty)
