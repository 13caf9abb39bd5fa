"""IEEE 802.11 frames print as tcpdump 4.99 prints them without -v or -e (print-802_11.c): bare (DLT 105),
after a radiotap header (127), a Prism header (119) or an AVS header (163).

Radiotap headers of each field tcpdump reads, alone and together (alignment, the channel flags' bands,
MCS and VHT, unknown and extended presence bits, vendor namespaces, a header that ends in a field); every
management subtype with its fixed fields and elements (SSID, rates, DS channel, TIM, CF, challenge), each
status and reason code; every control subtype; data frames protected, without data, and carrying IPv4,
IPv6, ARP, EAPOL or another LLC payload; and frames the capture cuts anywhere. Each line is compared with
tcpdump's own, on the compiled and the Python path, and so are the 802.11 captures of the corpus.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from pycapture import craft
from pycapture.savefile.pcap_writer import PcapWriter
from support.env import CORPUS
from support.tcpdump_compare import assert_tcpdump_lines

A1, A2, A3, A4 = (bytes.fromhex(x) for x in ("000d9382363a", "000c4182b255", "ffffffffffff", "0203040506aa"))
IPV4 = craft.icmp_echo("192.168.1.1", "192.168.1.2", ident=1, seq=2, payload=bytes(8))
IPV6 = craft.ipv6("2001:db8::1", "2001:db8::2", 59, b"")
SNAP_IP = b"\xaa\xaa\x03\x00\x00\x00\x08\x00"

# radiotap: bit -> (alignment, a value of the field)
FIELDS = {
    0: (8, struct.pack("<Q", 10016360)),
    1: (1, b"\x02"),
    2: (1, b"\x16"),
    3: (2, struct.pack("<HH", 2412, 0x00A0)),
    4: (1, b"\x05\x07"),
    5: (1, b"\xd6"),
    6: (1, b"\xaa"),
    7: (2, struct.pack("<H", 100)),
    8: (2, struct.pack("<h", 3)),
    9: (2, struct.pack("<H", 2)),
    10: (1, b"\x1b"),
    11: (1, b"\x01"),
    12: (1, b"\x39"),
    13: (1, b"\x05"),
    14: (2, b"\x00\x00"),
    18: (4, struct.pack("<IHBB", 0x200C0, 2437, 6, 20)),
    19: (1, b"\x07\x04\x02"),
    20: (4, bytes(8)),
    21: (2, struct.pack("<HBB4sBBH", 0x44, 0x04, 4, b"\x21\x00\x12\x00", 0x01, 0, 0)),
}


def radiotap(fields: dict[int, bytes], words: tuple[int, ...] | None = None, cut: int = 0) -> bytes:
    """A radiotap header of ``fields`` (bit -> value, laid out at their alignments); ``words``: its
    presence words instead of the ones the fields say; ``cut``: bytes its length leaves out."""
    present = 0
    for bit in fields:
        present |= 1 << bit
    words = words or (present,)
    header = bytearray(struct.pack("<BBH", 0, 0, 0) + b"".join(struct.pack("<I", w) for w in words))
    for bit in sorted(fields):
        align = FIELDS[bit][0] if bit in FIELDS else 1
        header += bytes(-len(header) % align) + fields[bit]
    if cut:
        header = header[:-cut]
    struct.pack_into("<H", header, 2, len(header))
    return bytes(header)


def mgmt(subtype: int, body: bytes, flags: int = 0) -> bytes:
    return struct.pack("<HH", subtype << 4 | flags, 0) + A3 + A2 + A2 + b"\x10\x00" + body


def element(eid: int, value: bytes) -> bytes:
    return bytes([eid, len(value)]) + value


RATES = element(1, bytes([0x82, 0x84, 0x8B, 0x96, 0x24, 0x30, 0x48, 0x6C]))
ELEMENTS = element(0, b"Coherer") + RATES + element(3, b"\x01") + element(5, b"\x00\x01\x00\x00")


def _management() -> list[bytes]:
    fixed = {
        0: struct.pack("<HH", 0x0011, 10),
        1: struct.pack("<HHH", 0x0011, 0, 0xC001),
        2: struct.pack("<HH", 0x0001, 10) + A1,
        3: struct.pack("<HHH", 0x0001, 17, 3),
        5: bytes(8) + struct.pack("<HH", 100, 0x0011),
        8: bytes(8) + struct.pack("<HH", 100, 0x0011),
        10: struct.pack("<H", 8),
        11: struct.pack("<HHH", 0, 1, 0),
        12: struct.pack("<H", 3),
        13: b"\x03\x00",
    }
    frames = []
    for subtype in range(16):
        head = fixed.get(subtype, b"")
        frames += [mgmt(subtype, head + ELEMENTS), mgmt(subtype, head), mgmt(subtype, head[:1])]
        frames.append(mgmt(subtype, struct.pack("<I", 0x40000123) + bytes(8), flags=0x4000))  # protected
    frames += [mgmt(8, fixed[8] + element(0, b"x" * 33) + RATES)]  # an SSID longer than 32: tcpdump stops
    frames += [mgmt(8, fixed[8] + element(1, bytes(17)))]
    frames += [
        mgmt(8, bytes(8) + struct.pack("<HH", 100, 0x0002) + element(0, b"a\x00b\x01\xff") + element(1, b""))
    ]
    frames += [mgmt(8, fixed[8] + element(3, b"\x01\x02") + element(3, b"\x06") + element(3, b"\x0b"))]
    frames += [mgmt(8, fixed[8] + element(4, bytes(6)) + element(16, b"chal") + element(221, bytes(5)))]
    frames += [mgmt(8, fixed[8] + element(0, b"first") + element(0, b"second") + element(5, bytes(9)))]
    frames += [mgmt(8, fixed[8] + ELEMENTS + b"\x00"), mgmt(8, fixed[8] + ELEMENTS + b"\x00\x09\x01")]
    for status in (1, 12, 37, 63, 103, 107, 108, 500):
        frames.append(mgmt(1, struct.pack("<HHH", 0x0010, status, 0x0005)))
        frames.append(mgmt(11, struct.pack("<HHH", 1, 3, status) + element(16, b"challenge")))
    for algorithm, sequence in ((1, 2), (1, 4), (2, 1), (3, 1), (0xFFFF, 5)):
        frames.append(mgmt(11, struct.pack("<HHH", algorithm, sequence, 13)))
    for reason in (0, 1, 5, 17, 45, 46, 66, 67, 1000):
        frames += [mgmt(10, struct.pack("<H", reason)), mgmt(12, struct.pack("<H", reason))]
    for category in (0, 1, 2, 3, 7, 13, 14, 15, 127, 4, 255):
        for action in (0, 1, 2, 3, 5, 10, 11, 200):
            frames.append(mgmt(13, bytes([category, action])))
    return frames


def _control() -> list[bytes]:
    frames = []
    for subtype in range(16):
        whole = struct.pack("<HH", subtype << 4 | 0x04, 0x0102) + A1 + A2 + struct.pack("<HH", 0x0005, 0x1234)
        frames += [whole, whole[:10], whole[:9]]
    return frames


def data(subtype: int, payload: bytes, ds: int = 0, flags: int = 0) -> bytes:
    header = struct.pack("<HH", subtype << 4 | 0x08 | ds << 8 | flags, 0) + A1 + A2 + A3 + b"\x20\x00"
    if ds == 3:
        header += A4
    if subtype & 8:
        header += b"\x00\x00"
    return header + payload


def _data() -> list[bytes]:
    arp = (
        b"\xaa\xaa\x03\x00\x00\x00\x08\x06"
        + bytes.fromhex("0001080006040001")
        + A1
        + bytes(4)
        + bytes(6)
        + bytes(4)
    )
    eapol = b"\xaa\xaa\x03\x00\x00\x00\x88\x8e" + bytes([2, 3, 0, 95]) + bytes(95)
    payloads = (
        SNAP_IP + IPV4,
        b"\xaa\xaa\x03\x00\x00\x00\x86\xdd" + IPV6,
        arp,
        eapol,
        b"\x42\x42\x03" + bytes(35),
        b"\xf0\xf0\x03" + bytes(8),
        b"\x9c\xd0\x03\x00",
        b"\xaa\xaa\x03\x00\x00\x0c\x20\x00" + bytes(8),
    )
    frames = []
    for ds in range(4):
        for subtype in (0, 8):
            frames += [data(subtype, payload, ds) for payload in payloads]
    for subtype in range(16):
        frames.append(data(subtype, SNAP_IP + IPV4))
        frames.append(data(subtype, struct.pack("<I", 0xC0000001) + bytes(20), flags=0x4000))
    frames += [data(0, b"\xaa"), data(0, b""), data(0, struct.pack("<I", 1)[:3], flags=0x4000)]
    return frames


def _frames() -> list[bytes]:
    return _management() + _control() + _data()


def _radiotap_headers() -> list[bytes]:
    headers = [radiotap({})]
    headers += [radiotap({bit: value}) for bit, (_align, value) in FIELDS.items()]
    headers.append(radiotap({bit: value for bit, (_align, value) in FIELDS.items() if bit != 18}))
    headers.append(radiotap({bit: FIELDS[bit][1] for bit in (0, 1, 2, 3, 5, 6, 11, 18, 19)}))
    for flags in (0x01, 0x02, 0x04, 0x08, 0x40, 0x4F, 0x10, 0x20):
        headers.append(radiotap({1: bytes([flags]), 2: b"\x02"}))
    for rate in (0x02, 0x0B, 0x6C, 0x80, 0x87, 0x8F, 0x90, 0xFF):
        headers.append(radiotap({2: bytes([rate])}))
    for chan in (0x00A0, 0x0140, 0x4140, 0x8140, 0x00C0, 0x0480, 0x40C0, 0x80C0, 0x0880, 0x0010, 0x0150, 0):
        headers.append(radiotap({3: struct.pack("<HH", 5180, chan)}))
        headers.append(radiotap({3: struct.pack("<HH", 2412, chan), 19: b"\x00\x00\x00"}))
    for chan in (0x10000 | 0x140, 0x20000 | 0xC0, 0x40000 | 0xA0, 0x70000):
        headers.append(radiotap({18: struct.pack("<IHBB", chan, 5200, 40, 20)}))
    mcs = ((0x07, 0x00, 7), (0x07, 0x05, 15), (0x02, 0x00, 3), (0x03, 0x01, 76), (0x06, 0x04, 77),
           (0x3F, 0x7B, 32), (0x38, 0x68, 0), (0x01, 0x03, 0))  # fmt: skip
    for known, flags, index in mcs:
        headers.append(radiotap({19: bytes([known, flags, index])}))
    for known, bandwidth in ((0x44, 0), (0x40, 11), (0x04, 4), (0x00, 25), (0x44, 31)):
        value = struct.pack("<HBB4sBBH", known, 0x04, bandwidth, b"\x21\x40\x12\x03", 0x05, 0, 0)
        headers.append(radiotap({21: value}))
    for bit in (15, 16, 17, 22, 23, 28):
        headers.append(radiotap({2: b"\x02", bit: b"\x00\x00"}))
    rate_and_signal = {2: b"\x02", 5: b"\xd6"}
    headers.append(radiotap(rate_and_signal, words=(0x80000024, 0x00000001)))  # bit 32
    headers.append(radiotap(rate_and_signal, words=(0x80000024, 0x20000000)))  # back in radiotap
    headers.append(radiotap(rate_and_signal, words=(0xA0000024, 0x80000024, 0x00000000)))
    vendor = {2: b"\x02", 5: b"\xd6", 40: b"\x00\x00\x00\x01\x04\x00\x11\x22\x33\x44"}
    headers.append(radiotap(vendor, words=(0xC0000024, 0x00000001)))  # a vendor namespace, skipped
    headers.append(radiotap(vendor, words=(0xC0000024, 0x80000001, 0x00000004)))
    headers.append(radiotap({2: b"\x02", 40: b"\x00\x00\x00"}, words=(0x40000004,)))
    headers.append(radiotap({0: FIELDS[0][1], 2: b"\x02"}, cut=1))  # the header ends in a field
    headers.append(radiotap({0: FIELDS[0][1]}, cut=3))
    headers.append(radiotap({3: FIELDS[3][1], 5: b"\xd6"}, cut=3))
    headers.append(radiotap({}, words=(0x80000000,), cut=4))
    return headers


def _write(path: Path, linktype: int, packets: list[tuple[bytes, int]]) -> int:
    writer = PcapWriter(str(path), linktype)
    for number, (packet, extra) in enumerate(packets, 1):
        writer.write(number, 0, len(packet) + extra, packet)
    writer.close()
    return len(packets)


def _cuts(frames: list[bytes], prefix: bytes = b"") -> list[tuple[bytes, int]]:
    packets = [(prefix + frame, 0) for frame in frames]
    for frame in frames[::7]:
        packets += [
            (prefix + frame[:cut], len(frame) - cut)
            for cut in (1, 2, 20, 25, 30, 33, 40, 50)
            if cut < len(frame)
        ]
    return packets


PURE = pytest.mark.parametrize("pure", ["", "1"], ids=["compiled", "python"])


@PURE
def test_radiotap_lines_are_tcpdumps(tmp_path, pure):
    frames = _frames()
    beacon = _management()[8 * 4]
    ack = _control()[13 * 3]
    packets = [(header + beacon, 0) for header in _radiotap_headers()]
    packets += [(header + ack, 0) for header in _radiotap_headers()]
    packets += [(radiotap({2: b"\x02"}) + frame, 0) for frame in frames]
    fcs = radiotap({1: b"\x10"})
    packets += [(fcs + frame + b"\x01\x02\x03\x04", 0) for frame in frames[::3]]
    packets += [
        (fcs + frame[:cut], len(frame) - cut + 4)
        for frame in frames[::11]
        for cut in (10, 24, 30)
        if cut < len(frame)
    ]
    pad = radiotap({1: b"\x20"})
    packets += [(pad + data(8, b"\x00\x00" + SNAP_IP + IPV4), 0), (pad + mgmt(8, bytes(12) + ELEMENTS), 0)]
    packets += _cuts(frames, radiotap({2: b"\x02"}))
    header = radiotap({0: FIELDS[0][1], 2: b"\x02"})
    packets += [(header[:cut], 10) for cut in range(1, len(header) + 1)]
    _write(tmp_path / "radiotap.pcap", 127, packets)
    assert_tcpdump_lines(tmp_path / "radiotap.pcap", pure)


@PURE
@pytest.mark.parametrize("linktype", [105, 119, 163])
def test_bare_prism_and_avs_lines_are_tcpdumps(tmp_path, pure, linktype):
    prefix = {105: b"", 119: bytes(144), 163: struct.pack(">II", 0x80211001, 64) + bytes(56)}[linktype]
    packets = _cuts(_frames(), prefix)
    packets += [(prefix[:cut], 10) for cut in (1, 4, 7, 8, 60, 143) if cut < len(prefix)]
    if linktype == 119:  # an AVS header in a Prism capture
        packets.append((struct.pack(">II", 0x80211002, 8) + _control()[13 * 3], 0))
        packets.append((struct.pack(">II", 0x80211001, 4) + bytes(8), 0))
    _write(tmp_path / "wlan.pcap", linktype, packets)
    assert_tcpdump_lines(tmp_path / "wlan.pcap", pure)


WLAN_CORPUS = (
    "ieee802.11_exthdr.pcap",
    "ieee802.11_htc.pcap",
    "libpcap-wpa-Induction.pcap",
    "pcap4j-RadiotapPacketTest.pcap",
    "libpcap-Network_Join_Nokia_Mobile.pcap",
    "ieee802.11_meshhdr-oobr.pcap",
    "ieee802.11_parse_elements_oobr.pcap",
    "ieee802.11_rates_oobr.pcap",
    "ieee802.11_tim_ie_oobr.pcap",
    "libpcap-http_PPI.pcap",
    "reason_code-3.pcap",
    "reason_code-64.pcap",
    "status_code-1.pcap",
    "status_code-103.pcap",
)


@pytest.mark.parametrize("name", WLAN_CORPUS)
def test_corpus_wlan_lines_are_tcpdumps(name):
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"{name} is not in the corpus")
    assert_tcpdump_lines(path, "")
