"""IGMP, GRE, EIGRP, PIM, OSPF and VRRP print as tcpdump prints them without -v (print-igmp.c,
print-gre.c, print-eigrp.c, print-pim.c, print-ospf.c, print-ospf6.c, print-vrrp.c).

Every PIM version and type, OSPFv2 of every type with and without an MD5 trailer, OSPFv3 over IPv6,
an OSPF header of another version byte on each IP version, and packets the capture cuts before what
tcpdump reads, each compared with tcpdump's own line on the compiled and the Python path.
"""

from __future__ import annotations

import os
import struct
import subprocess

import pytest

from pycapture import craft
from pycapture.savefile.pcap_writer import PcapWriter
from support.commands import run_cli, tool

MACS = ("01:00:5e:00:00:0d", "02:00:00:00:00:01")
IGMP, GRE, EIGRP, PIM, OSPF, VRRP = 2, 47, 88, 103, 89, 112


def _v4(proto: int, payload: bytes) -> bytes:
    return craft.over_ethernet(craft.ipv4("10.0.0.1", "224.0.0.13", proto, payload), *MACS, pad=False)


def _v6(proto: int, payload: bytes) -> bytes:
    return craft.over_ethernet(craft.ipv6("fe80::1", "ff02::5", proto, payload), *MACS, pad=False)


def _ospf(version: int, kind: int, auth: int, body: int = 20) -> bytes:
    header = struct.pack("!BBH4s4sHH8s", version, kind, 24 + body, bytes(4), bytes(4), 0, auth, bytes(8))
    return header + bytes(body) + (bytes(16) if auth == 2 else b"")


def _frames() -> list[tuple[bytes, int]]:
    """(frame, bytes the capture cuts from its end)."""
    frames = []
    for version in (1, 2, 3):
        for kind in range(16):
            message = bytes([version << 4 | kind, 0]) + bytes(32)
            frames += [(_v4(PIM, message), 0), (_v6(PIM, message), 0)]
    frames += [(_v4(PIM, b"\x20"), 1), (_v4(PIM, b"\x20\x00"), 1)]
    for kind in range(8):
        for auth in (0, 1, 2):
            frames.append((_v4(OSPF, _ospf(2, kind, auth)), 0))
        frames.append((_v6(OSPF, _ospf(3, kind, 0)), 0))
    frames += [(_v4(OSPF, _ospf(3, 1, 0)), 0), (_v6(OSPF, _ospf(2, 1, 2)), 0)]
    whole = _v4(OSPF, _ospf(2, 1, 0, body=0))
    frames += [(whole, cut) for cut in (1, 8, 9, 10, 24)]
    frames += [(_v6(OSPF, _ospf(3, 1, 0, body=0)), cut) for cut in (22, 23, 24)]
    for version in (1, 2, 3, 4):
        for kind in (1, 2):
            for auth in (0, 1, 2, 7):
                message = bytes([version << 4 | kind, 9, 100, 1, auth, 3]) + bytes(14)
                frames += [(_v4(VRRP, message), 0), (_v6(VRRP, message), 0)]
    advertisement = bytes([0x21, 9, 100, 1, 0, 1]) + bytes(14)
    frames += [(_v4(VRRP, advertisement), 20 - n) for n in range(7)]
    v3 = bytes([0x31, 9, 100, 1, 0x0A, 0x64]) + bytes(14)
    frames += [(_v4(VRRP, v3), 20 - n) for n in (4, 5, 6)]
    group, source = bytes([239, 1, 2, 3]), bytes([10, 9, 8, 7])
    for kind in (0x11, 0x12, 0x16, 0x17, 0x22, 0x30, 0x42):
        for extra in (b"", bytes(2), bytes(4), bytes(8), bytes(9)):
            frames.append((_v4(IGMP, bytes([kind, 100, 0, 0]) + group + extra), 0))
    for mrc in (0, 1, 100, 127, 128, 200, 255):  # v1/v2 max response times, and v3's codes
        frames += [
            (_v4(IGMP, bytes([0x11, mrc, 0, 0]) + group), 0),
            (_v4(IGMP, bytes([0x11, mrc, 0, 0, 0, 0, 0, 0])), 0),
        ]
        frames.append((_v4(IGMP, bytes([0x11, mrc, 0, 0]) + group + bytes([2, 125, 0, 1]) + source), 0))
        frames.append((_v4(IGMP, bytes([0x11, mrc, 0, 0]) + bytes(4) + bytes([2, 125, 0, 0])), 0))
    frames.append((_v4(IGMP, bytes([0x11, 100, 0, 0]) + group + bytes([2, 125, 0, 5]) + source), 0))
    frames.append((_v4(IGMP, bytes([0x22, 0, 0, 0, 0, 0, 0, 2]) + bytes(16)), 0))
    query = bytes([0x11, 100, 0, 0]) + group + bytes([2, 125, 0, 1]) + source
    frames += [(_v4(IGMP, query), cut) for cut in (4, 6, 8, 11, 13, 14, 15, 16)]
    report = bytes([0x16, 0, 0, 0]) + group
    frames += [(_v4(IGMP, report), cut) for cut in (1, 4, 8)]
    inner4 = craft.icmp_echo("192.168.1.1", "192.168.1.2", ident=1, seq=2, payload=bytes(8))
    inner6 = craft.ipv6("2001:db8::1", "2001:db8::2", 59, b"")
    for flags in (0, 0x8000, 0x2000, 0x1000, 0xB000):
        words = b"".join(w for bit, w in ((0x8000, b"\x12\x34\x00\x07"), (0x2000, b"\x00\x00\x00\x2a"),
                                          (0x1000, b"\x00\x00\x01\x00")) if flags & bit)  # fmt: skip
        for proto, payload in ((0x0800, inner4), (0x86DD, inner6), (0x88BE, bytes(12)), (0x2001, bytes(4))):
            frames.append((_v4(GRE, struct.pack("!HH", flags, proto) + words + payload), 0))
    cut = struct.pack("!HH", 0x3000, 0x0800) + bytes(8) + inner4
    frames += [(_v4(GRE, cut), len(cut) - n) for n in (0, 1, 2, 3, 4, 7, 8, 11, 12, 20)]
    for flags in (0x0001, 0x2001, 0x3001, 0x3081, 0x2081):  # version 1 (PPTP): call, seq, ack
        words = bytes([0, 0, 0, 7][: 4 if flags & 0x2000 else 0]) + bytes(4 if flags & 0x1000 else 0)
        words += bytes(4 if flags & 0x80 else 0)
        frames.append((_v4(GRE, struct.pack("!HH", flags, 0x1234) + words + bytes(4)), 0))
    for version in (1, 2, 3):
        for opcode in range(13):
            message = bytes([version, opcode]) + bytes(18) + bytes(20)
            frames += [(_v4(EIGRP, message), 0), (_v6(EIGRP, message), 0)]
    frames += [(_v4(EIGRP, bytes([2, 5]) + bytes(18)), cut) for cut in (1, 18, 19, 20)]
    return frames


@pytest.mark.parametrize("pure", ["", "1"], ids=["compiled", "python"])
def test_pim_and_ospf_lines_are_tcpdumps(tmp_path, pure):
    path = tmp_path / "routing.pcap"
    writer = PcapWriter(str(path), 1)
    frames = _frames()
    for number, (frame, cut) in enumerate(frames, 1):
        writer.write(number, 0, len(frame), frame[: len(frame) - cut])
    writer.close()
    expected = subprocess.run(
        [tool("tcpdump"), "-n", "-tt", "-r", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    got = run_cli("-n", "-tt", "-r", str(path), text=True, env=dict(os.environ, PYCAPTURE_PURE_PYTHON=pure))
    assert got.returncode == 0, got.stderr
    lines = got.stdout.splitlines()
    assert len(lines) == len(frames) == len(expected)
    differ = [(g, w) for g, w in zip(lines, expected) if g != w]
    assert not differ, differ[:5]
