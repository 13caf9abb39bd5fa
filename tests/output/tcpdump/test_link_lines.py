"""Cisco HDLC, PPP (in HDLC framing too), MPLS label stacks, SLIP, SunATM, Linux ARCNET, PKTAP,
IEEE 802.15.4 and Broadcom and Marvell switch tags print as tcpdump 4.99 prints them without -v
(print-chdlc.c, print-ppp.c, print-mpls.c, isoclns_print's NLPIDs, print-sl.c, print-atm.c,
print-arcnet.c, print-pktap.c, print-802_15_4.c, print-brcmtag.c, print-dsa.c), and with -e.

Crafted frames of each link type: SLARP of every code, IPv4 and IPv6 over each header (and longer than
the frame: tcpdump's truncated-ip), MPLS stacks with each kind of payload guess, OSI NLPIDs, LCP and the
other control protocols with every code, PAP and CHAP messages whole and cut, MLPPP, RFC 1662 escapes,
switch tags of every mode, PKTAP headers tcpdump refuses, 802.15.4 frames of every type, version and
addressing mode with and without an FCS, and frames the capture cuts anywhere, each compared (hex dumps
included) with tcpdump's own output on the compiled and the Python path. Corpus files of these link
types match tcpdump line for line.
"""

from __future__ import annotations

import struct

import pytest

from pycapture import craft
from support.env import CORPUS
from support.tcpdump_compare import assert_tcpdump_lines, write_capture

PPP, PPP_SERIAL, ETHERNET, C_HDLC = 9, 50, 1, 104
MACS = ("02:00:00:00:00:02", "02:00:00:00:00:01")

_ECHO = craft.icmp_echo("10.0.0.1", "10.0.0.2", ident=1, seq=2, payload=bytes(8))
_IP6 = craft.ipv6("2001:db8::1", "2001:db8::2", 59, b"")
_LONG = _ECHO[:2] + struct.pack("!H", 200) + _ECHO[4:]  # an IPv4 total length past the frame's end
_LONG6 = _IP6[:4] + struct.pack("!H", 300) + _IP6[6:]  # an IPv6 payload length past the frame's end


def _mpls(*labels: tuple[int, int, int], bottom: bool = True) -> bytes:
    """An MPLS label stack of (label, tc, ttl), the last with its bottom-of-stack bit."""
    return b"".join(
        struct.pack("!I", label << 12 | tc << 9 | (0x100 if bottom and n == len(labels) - 1 else 0) | ttl)
        for n, (label, tc, ttl) in enumerate(labels)
    )


def _payloads() -> list[tuple[int, bytes]]:
    """(PPP protocol, payload) pairs every PPP framing is tried with."""
    out: list[tuple[int, bytes]] = [(0x0021, _ECHO), (0x0057, _IP6), (0x0800, _ECHO), (0x002F, _ECHO)]
    for proto in (0xC021, 0x8021, 0x8057, 0x80FD, 0xC02B, 0x8023, 0x8281):
        out += [
            (proto, bytes([code, 7]) + struct.pack("!H", 8) + bytes(4))
            for code in (0, 1, 4, 9, 14, 15, 16, 200)
        ]
        out += [(proto, b"\x01\x02\x00"), (proto, b"")]
    out += [(0x003D, b"\xc0\x12\x34\x56"), (0x003D, b"\x00\x01"), (0x003D, b"\x80"), (0x003D, b"\x40\x05")]
    pap = [
        b"\x01\x05\x00\x10\x04user\x06secret",
        b"\x01\x05\x00\x05\x00",
        b"\x02\x01\x00\x04",
        b"\x02\x01\x00\x09\x04ok\x01z",
        b"\x03\x01\x00\x0a\x05no\xffit",
        b"\x02\x01\x00\x40\x02ok",
        b"\x01\x01\x00\x02",
        b"\x09\x01\x00\x04",
        b"\x01\x01",
    ]
    chap = [
        b"\x01\x03\x00\x15\x04\xde\xad\xbe\xefrouter-one",
        b"\x02\x03\x00\x0e\x02\x01\x02name\x00",
        b"\x03\x03\x00\x08Welc",
        b"\x04\x03\x00\x06no",
        b"\x03\x03\x00\x02",
        b"\x07\x03\x00\x04",
        b"\x01\x03",
    ]
    out += [(0xC023, m) for m in pap] + [(0xC223, m) for m in chap]
    out += [(0x00FD, b"\x01\x02"), (0xC02D, b"\x01\x02\x03\x04"), (0x0201, b"\xaa" * 20), (0x1234, b"")]
    out += [(0x0281, _mpls((100, 1, 64)) + _ECHO), (0x0023, b"\xcc" + _ECHO), (0x0023, b"\x42\x01\x02\x03")]
    out += [(0x0021, _LONG), (0x0281, _mpls((100, 1, 64)) + _LONG), (0x0023, b"\xcc" + _LONG)]
    out += [(0x0057, _LONG6), (0x0281, _mpls((2, 1, 64)) + _LONG6), (0x0023, b"\x8e" + _LONG6)]
    return out


def _ppp_frames() -> list[tuple[bytes, int]]:
    frames: list[tuple[bytes, int]] = []
    for proto, payload in _payloads():
        frames.append((b"\xff\x03" + struct.pack("!H", proto) + payload, 0))
        frames.append((struct.pack("!H", proto) + payload, 0))
    frames += [
        (b"\xff\x03\x21" + _ECHO, 0),
        (b"\x21" + _ECHO + b"\x00\x00\x00", 0),
        (b"\x00\x03\xc0\x21\x01\x01\x00\x04", 0),
    ]
    frames += [(b"\x01\x03\x00\x21" + _ECHO, 0), (b"\xff\x03\x7e\x21" + _ECHO, 0)]
    escaped = b"\xff\x03\x7e\xff\x7d\x23\xc0\x21\x01\x01\x00\x04"
    frames += [(escaped, 0), (b"\xff\x03\x7e\x08\x00" + _ECHO, 0), (b"\xff\x03\x7e\xff\x03\x7e\x01", 0)]
    frames += [(b"\xff\x03\x7e\x21\x7d", 0), (b"\xff\x03\x7e\xff\x03\x00\x57" + _IP6, 0)]
    frames += [(b"\xff\x03\x7e\x21" + _LONG, 0), (b"\xff\x03\x7e\x08\x00" + _LONG, 0)]
    auth = b"\xff\x03\xc0\x23\x01\x05\x00\x10\x04user\x06secret"
    frames += [(auth, cut) for cut in range(1, len(auth) - 3)]
    frames += [
        (b"\xff\x03\xc2\x23\x01\x03\x00\x15\x04\xde\xad\xbe\xefrouter-one", cut) for cut in (3, 8, 12, 14)
    ]
    return frames


def _serial_frames() -> list[tuple[bytes, int]]:
    frames = [(b"\xff\x03" + struct.pack("!H", proto) + payload, 0) for proto, payload in _payloads()]
    frames += [
        (b"\x0f\x00\x08\x00" + _ECHO, 0),
        (b"\x8f\x00\x80\x35" + bytes(18), 0),
        (b"\x11\x22\x33\x44\x55", 0),
    ]
    frames += [(b"\xff\x03\x7e\x08\x00" + _ECHO, 0), (b"\xff\x03\x7e\xff\x7d\x23\xc0\x21\x01\x01\x00\x04", 0)]
    frames += [(b"\xff\x03\x00\x21" + _ECHO, cut) for cut in (len(_ECHO) + 1, len(_ECHO) + 2, len(_ECHO) + 3)]
    frames.append((b"\x30\x30\x30", 1))
    return frames


def _chdlc_frames() -> list[tuple[bytes, int]]:
    def chdlc(proto: int, payload: bytes, address: int = 0x0F) -> bytes:
        return struct.pack("!BBH", address, 0, proto) + payload

    slarp = [
        struct.pack("!I", 0) + bytes(14),
        struct.pack("!I", 1) + bytes([10, 0, 0, 1, 255, 255, 255, 252]) + bytes(6),
    ]
    keep = struct.pack("!IIIHI", 2, 5, 2, 0xFFFF, 93_123_456)
    slarp += [
        keep,
        keep[:14],
        keep[:16] + b"\x00",
        keep + b"\x00\x00",
        struct.pack("!I", 7) + bytes(range(16)),
        b"\x00" * 10,
    ]
    frames = [(chdlc(0x8035, m, address), 0) for m in slarp for address in (0x0F, 0x8F)]
    frames += [(chdlc(0x8035, keep), cut) for cut in (1, 2, 4, 5, 8)]
    frames += [
        (chdlc(0x0800, _ECHO), 0),
        (chdlc(0x86DD, _IP6), 0),
        (chdlc(0x3030, b"00"), 0),
        (chdlc(0x0806, b""), 0),
    ]
    stacks = [
        _mpls((100, 1, 64)) + _ECHO,
        _mpls((16, 0, 2), (17, 7, 255)) + _IP6,
        _mpls((0, 0, 1)) + _ECHO,
        _mpls((2, 0, 1)) + _IP6,
        _mpls((3, 0, 1)) + _ECHO,
        _mpls((99, 0, 9)) + b"\x12\x34\x56\x78" * 5,
        _mpls((99, 0, 9)),
        _mpls((99, 0, 9)) + b"\x42",
        _mpls((5, 0, 1), bottom=False) + b"\x00\x01",
        _mpls((5, 0, 1), (6, 0, 1), bottom=False),
        b"\x00\x01",
    ]
    frames += [(chdlc(proto, s), 0) for s in stacks for proto in (0x8847, 0x8848)]
    frames += [
        (chdlc(0x8847, _mpls((5, 0, 1), (6, 0, 1)) + _ECHO), cut) for cut in (len(_ECHO), len(_ECHO) + 2)
    ]
    for nlpid in (0x00, 0x42, 0xCC, 0x8E):
        body = _ECHO if nlpid == 0xCC else _IP6 if nlpid == 0x8E else bytes(range(20))
        frames += [(chdlc(0xFEFE, bytes([nlpid]) + body), 0), (chdlc(0xFEFE, bytes([0, nlpid]) + body), 0)]
    frames += [
        (chdlc(0xFEFE, b"\x42"), 0),
        (chdlc(0xFEFE, b"\x00\x42\x01"), 1),
        (chdlc(0xFEFE, b"\x42\x00"), 1),
    ]
    frames += [(b"\x0f\x00\x08", 0), (b"\x0f", 0), (chdlc(0x0800, _ECHO), len(_ECHO) + 1)]
    frames += [(chdlc(0x0800, _LONG), 0), (chdlc(0x8847, _mpls((0, 0, 1)) + _LONG), 0)]
    frames.append((chdlc(0xFEFE, b"\xcf\xc0\x21\x01\x02\x00\x04"), 0))
    return frames


def _ethernet_frames() -> list[tuple[bytes, int]]:
    frames = []
    for etype, payload in (
        (0x8847, _mpls((100, 1, 64)) + _ECHO),
        (0x8848, _mpls((16, 0, 2), (2, 0, 1)) + _IP6),
        (0x8847, _mpls((16, 0, 2)) + b"\x01" * 30),
        (0x880B, b"\xc0\x21\x01\x01\x00\x04"),
        (0x880B, b"\xff\x03\x00\x21" + _ECHO),
        (0x880B, b"\x80\xfd\x01\xdf\x00\x0f\x18\x05\xff"),
    ):
        frames.append((craft.ethernet(*MACS, payload, ethertype=etype, pad=False), 0))
    return frames


def _tagged(tag: bytes, etype: int, payload: bytes, prepend: bool = False) -> bytes:
    frame = craft.ethernet(*MACS, payload, ethertype=etype, pad=False)
    return tag + frame if prepend else frame[:12] + tag + frame[12:]


def _switch_frames(kind: str) -> list[tuple[bytes, int]]:
    """Frames of a switch-tag link type: tags of every mode and flag over IPv4, ARP and an unknown type."""
    if kind == "dsa":
        tags = [bytes([mode << 6 | tagged << 5 | 3, port << 3 | trunk << 2 | 1, 0xE5, 0x39])
                for mode in range(4) for tagged in (0, 1) for trunk in (0, 1) for port in (0, 9)]  # fmt: skip
    elif kind == "edsa":
        tags = [b"\xda\xda\x00\x00" + bytes([mode << 6 | 0x21, 0x0C, 0, 5]) for mode in range(4)]
        tags.append(b"\x12\x34\x01\x02\xc0\x00\x00\x00")
    else:
        tags = [bytes([first, second, third, fourth]) for first in (0x00, 0x20, 0x40)
                for second in (0x00, 0x83, 0x4E) for third in (0, 1, 2, 32, 33, 64)
                for fourth in (0x00, 0xE3)]  # fmt: skip
    prepend = kind == "brcm-prepend"
    frames = [(_tagged(tag, 0x0800, _ECHO, prepend), 0) for tag in tags]
    arp = craft.arp_request("02:00:00:00:00:01", "10.0.0.1", "10.0.0.2")[14:]
    frames += [
        (_tagged(tags[-1], 0x0806, arp, prepend), 0),
        (_tagged(tags[0], 0x88B5, bytes(range(20)), prepend), 0),
    ]
    frames += [(_tagged(tags[0], 0x8100, b"\x00\x05\x08\x00" + _ECHO, prepend), 0)]
    whole = _tagged(tags[0], 0x0800, _ECHO, prepend)
    frames += [(whole, len(whole) - n) for n in (2, 3, 12, 13, 15, 17, 18, 19, 20)]
    return frames


def _slip_frames() -> list[tuple[bytes, int]]:
    """BPF's SLIP pseudo-header (direction, compressed-header type, 14 bytes) over IPv4, IPv6 and others."""
    frames = []
    for direction in (0, 1, 7):
        for kind in (0x40, 0x70, 0x20):
            header = bytes([direction, kind]) + bytes(8) + b"\x06" + bytes(5)
            frames += [(header + _ECHO, 0), (header + _IP6, 0)]
    frames += [(bytes([0, 0x40]) + bytes(14) + b"\x35" + bytes(30), 0), (bytes(16) + _ECHO, len(_ECHO))]
    return frames


def _arcnet_frames() -> list[tuple[bytes, int]]:
    """Linux ARCNET: source, destination, offset, type, and for the newer types flag and sequence."""
    frames = []
    for proto, payload in (
        (0xF0, _ECHO),
        (0xD4, _ECHO),
        (0xC4, _IP6),
        (0xCD, bytes(range(30))),
        (0x80, b"\x01"),
    ):
        short = proto in (0xF0, 0xF1, 0x80)
        header = bytes([0xC0, 0x00, 0xE8, 0x00, proto]) + (b"" if short else b"\x00\x12\x34")
        frames += [(header + payload, 0), (header + payload, len(payload) + 1), (header, 0)]
    frames += [(b"\xc0\x00\xe8\x00\x42\x00\x00\x00", 0), (b"\xc0\x00\xe8", 0)]
    return frames


def _pktap_frames() -> list[tuple[bytes, int]]:
    """PKTAP headers (length, record type, link type, then zeros to 108 bytes) over Ethernet, PPP and a
    link type tcpdump has no printer for, and headers it refuses."""

    def header(size: int, rectype: int, dlt: int) -> bytes:
        return struct.pack("<III", size, rectype, dlt) + bytes(96)

    ether = craft.ethernet(*MACS, _ECHO, ethertype=0x0800, pad=False)
    frames = [(header(108, 1, 1) + ether, 0), (header(108, 1, 9) + b"\xff\x03\x00\x21" + _ECHO, 0)]
    frames += [(header(108, 1, 147) + bytes(range(24)), 0), (header(108, 1, 165) + b"\x01", 0)]
    frames += [
        (header(108, 0, 1) + ether, 0),
        (header(108, 2, 1) + ether, 0),
        (header(112, 1, 1) + bytes(4) + ether, 0),
    ]
    frames += [(header(100, 1, 1) + ether, 0), (header(4000, 1, 1) + ether, 0), (header(108, 1, 1)[:60], 0)]
    frames += [(header(108, 1, 1) + ether, len(ether) + 1), (header(108, 1, 1) + ether, len(ether) + 100)]
    return frames


def _wpan_frames() -> list[tuple[bytes, int]]:
    """IEEE 802.15.4 frames of each type, version and addressing mode, PAN ID compression and sequence
    number suppression, with no FCS, a 2-byte or a 4-byte one, and cut short."""
    from pycapture.output.tcpdump.links import _wpan_crc16, _wpan_crc32

    frames = []
    for kind in (0, 1, 2, 3, 4, 6, 7):
        for version in (0, 1, 2):
            for dst_mode, src_mode in (
                (0, 0),
                (2, 2),
                (3, 3),
                (2, 3),
                (3, 2),
                (0, 2),
                (3, 0),
                (1, 2),
                (2, 1),
            ):
                for compression in (0, 0x40):
                    for suppressed in (0, 0x100) if version == 2 else (0,):
                        fc = kind | compression | suppressed | dst_mode << 10 | version << 12 | src_mode << 14
                        head = struct.pack("<H", fc) + (b"" if suppressed else b"\x2a")
                        body = bytes(range(0x10, 0x30))
                        if kind == 0:
                            body = b"\xff\xcf\x00\x00" + body
                        elif kind == 3:
                            body = b"\x07"
                        frames.append((head + body, 0))
    for fcs in ("none", "crc16", "crc32"):
        frame = struct.pack("<HB", 0x8841, 7) + b"\x33\x59\x90\x90\x00\x00" + bytes(range(20))
        frame += {"none": b"", "crc16": struct.pack("<H", _wpan_crc16(frame)),
                  "crc32": struct.pack("<I", _wpan_crc32(frame))}[fcs]  # fmt: skip
        frames += [(frame, 0), (frame, len(frame) - 9), (frame, len(frame) - 2)]
    beacon = struct.pack("<HB", 0x8000, 1) + b"\xcd\xab\x01\x00" + b"\xff\xcf"
    for gts, pending in (
        (b"\x00", b"\x00"),
        (b"\x02\x01" + bytes(6), b"\x11" + bytes(10)),
        (b"\x03", b""),
        (b"", b""),
    ):
        frames += [(beacon + gts + pending + b"\x01\x02", 0), (beacon + gts + pending, 0)]
    frames += [(beacon[:7], 0), (beacon + b"\x00\x22\x00", 0)]
    for command in (0x04, 0x06, 0x0C, 0x31):
        frames.append((struct.pack("<HB", 0x8803, 3) + b"\xcd\xab\x01\x00\x34\x12" + bytes([command]), 0))
    frames += [(struct.pack("<HB", 0x8803, 3) + b"\xcd\xab\x01\x00\x34\x12\x04\x99\x98", 0)]
    frames += [
        (struct.pack("<HB", 0x8803, 3) + b"\xcd\xab\x01\x00\x34\x12", 0),
        (b"\x41\x88", 0),
        (b"\x41", 0),
    ]
    return frames


def _sunatm_frames() -> list[tuple[bytes, int]]:
    """SunATM: direction and traffic type, VPI, VCI; signalling, OAM cells and LLC frames, and cuts (an
    LLC frame carrying IP by SNAP is left out: the LLC line is another printer's)."""
    oam = bytes.fromhex("00 00 60 00 4a 18") + bytes(44)
    frames = [
        (b"\x02\x01\x00\x20" + b"\xfe\xfe\x03\x83" + bytes(30), 0),
        (b"\x02\x01\x00\x20" + b"\x42\x42\x03" + bytes(35), 0),
        (b"\x00\x00\x00\x02" + bytes(10), 0),
        (b"\x00\x00\x00\x01" + bytes(10), 0),
        (b"\x00\x00\x00\x03" + oam, 0),
        (b"\x80\x00\x00\x04" + bytes.fromhex("00 0f ff ff ff 18") + bytes(44), 0),
        (b"\x80\x00\x00\x04" + oam, len(oam) - 3),
        (b"\x00\x00\x00\x05" + bytes(10), 0),
        (b"\x00\x00\x00\x05" + bytes([7, 3]), 0),
        (b"\x00\x05\x00\x05" + bytes(10), 0),
        (b"\x02\x00\x00\x20", 0),
        (b"\x00\x00", 0),
    ]
    for message in (0x02, 0x05, 0x4D, 0x84, 0x99):
        call = bytes([9, 3, 0x12, 0x34, 0x56, message, 0, 0])
        frames += [(b"\x80\x00\x00\x05" + call, 0), (b"\x80\x00\x00\x05" + call, 4)]
    return frames


_CASES = {
    "sunatm": (123, _sunatm_frames),
    "wpan": (195, _wpan_frames),
    "pktap": (258, _pktap_frames),
    "pktap_apple": (149, _pktap_frames),
    "arcnet": (129, _arcnet_frames),
    "slip": (8, _slip_frames),
    "brcm": (281, lambda: _switch_frames("brcm")),
    "brcm_prepend": (282, lambda: _switch_frames("brcm-prepend")),
    "dsa": (284, lambda: _switch_frames("dsa")),
    "edsa": (285, lambda: _switch_frames("edsa")),
    "ppp": (PPP, _ppp_frames),
    "ppp_pppd": (166, _ppp_frames),
    "ppp_serial": (PPP_SERIAL, _serial_frames),
    "chdlc": (C_HDLC, _chdlc_frames),
    "ethernet": (ETHERNET, _ethernet_frames),
}


@pytest.mark.parametrize("pure", ["", "1"], ids=["compiled", "python"])
@pytest.mark.parametrize("case", sorted(_CASES))
def test_link_lines_are_tcpdumps(tmp_path, case, pure):
    linktype, build = _CASES[case]
    assert_tcpdump_lines(write_capture(tmp_path / f"{case}.pcap", build(), linktype), pure)


@pytest.mark.parametrize("case", sorted(_CASES))
def test_link_level_lines_are_tcpdumps(tmp_path, case):
    """-e: the link header as tcpdump prints it (Cisco HDLC's cast and type, PPP's protocol and
    length, a switch tag between the addresses and the type, SLIP's direction), and what follows."""
    linktype, build = _CASES[case]
    assert_tcpdump_lines(write_capture(tmp_path / f"{case}.pcap", build(), linktype), "", "-e")


# corpus files whose every line this module now prints as tcpdump does (with and without -e)
_CORPUS_FILES = (
    "brcm-tag.pcap", "brcm-tag-prepend.pcap", "dsa.pcap", "dsa-high-vid.pcap", "edsa.pcap",
    "edsa-high-vid.pcap", "HDLC.pcap", "chdlc-slarp.pcap", "chdlc-slarp-short.pcap", "hdlc_slarp.pcapng",
    "hoobr_chdlc_print.pcap", "ISIS_p2p_adjacency.pcap", "isis-extd-isreach-oobr.pcap",
    "bgp_vpn_attrset.pcap", "icmp-rfc5837.pcap", "pcap4j-PppPacketTest.pcap", "truncated-aack.pcap",
    "heapoverflow-ppp_hdlc_if_print.pcap", "ppp_ccp_config_deflate_option_asan.pcap", "mlppp-oobr.pcap",
    "ppp_ip_udp_dns.pcap", "icmp-cksum-oobr-2.pcap", "slip-bad-direction.pcap",
    "slip-sliplink_print-oobr.pcap", "802_15_4-data.pcap", "802_15_4_beacon.pcap", "802_15_4-oobr-1.pcap",
    "802_15_4-oobr-2.pcap", "scapy-zigbee-transport-key-skke_1.pcap", "pktap-heap-overflow.pcap",
    "libpcap-bacnet-arcnet-linux.pcap", "atm-heapoverflow.pcap", "atm-oam-loopback-print-overrun.pcap",
)  # fmt: skip


_CORPUS_CASES = [(name, extra) for name in _CORPUS_FILES for extra in ("", "-e")]


@pytest.mark.parametrize(("name", "extra"), _CORPUS_CASES)
def test_corpus_link_lines(name, extra):
    path = CORPUS / name
    if not path.exists():
        pytest.skip("corpus file not available")
    assert_tcpdump_lines(path, "", *([extra] if extra else []))
