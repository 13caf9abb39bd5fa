"""Damaged capture files made from a small valid one: the matrix that tests/savefile/test_hostile_files.py
reads, the mutations its fuzz targets apply, and the valid pcap files other tests write.

Each case is the bytes of a whole file, built here so that no damaged file is stored in the project.
The valid base captures hold five UDP frames (pcap: 24-byte file header, then 16 + 47 bytes a record;
pcapng: a section header, an interface description, then one Enhanced Packet Block per frame).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import dpkt
import pcapy
from hypothesis import strategies as st

from pycapture.savefile.damage import diagnose

TS0 = 1767323045  # 2026-01-02T03:04:05Z
FRAMES_IN_BASE = 5
PCAP_FILE_HEADER = 24
PCAP_RECORD_HEADER = 16


def udp_frame(i: int, payload: bytes = b"hello") -> bytes:
    """An Ethernet/IPv4/UDP frame from 192.0.2.1.(40000 + i) to 192.0.2.2.9999."""
    udp = dpkt.udp.UDP(sport=40000 + i, dport=9999, data=payload)
    udp.ulen = len(bytes(udp))
    ip = dpkt.ip.IP(src=bytes([192, 0, 2, 1]), dst=bytes([192, 0, 2, 2]), p=17, data=udp)
    ip.len = len(bytes(ip))
    eth = dpkt.ethernet.Ethernet(src=b"\x02\x00\x00\x00\x00\x01", dst=b"\x02\x00\x00\x00\x00\x02", data=ip)
    return bytes(eth)


FRAMES = [udp_frame(i) for i in range(FRAMES_IN_BASE)]
FRAME_BYTES = len(FRAMES[0])
RECORD_BYTES = PCAP_RECORD_HEADER + FRAME_BYTES


def pcap_header(
    magic: int = 0xA1B2C3D4, version: tuple[int, int] = (2, 4), snaplen: int = 262144, linktype: int = 1
) -> bytes:
    return struct.pack("<IHHiIII", magic, *version, 0, 0, snaplen, linktype)


def pcap_record(
    i: int, frame: bytes, *, caplen: int | None = None, sec: int | None = None, usec: int = 0
) -> bytes:
    caplen = len(frame) if caplen is None else caplen
    sec = TS0 + i if sec is None else sec
    return struct.pack("<IIII", sec, usec, caplen, len(frame)) + frame


def pcap(frames: list[bytes] = FRAMES, **header: object) -> bytes:
    """A little-endian microsecond pcap file of ``frames``; frame i is stamped TS0 + i seconds."""
    return pcap_header(**header) + b"".join(pcap_record(i, f, usec=i) for i, f in enumerate(frames))  # type: ignore[arg-type]


def write_pcap(path: Path | str, frames: list[bytes], origlen_extra: int = 0) -> None:
    """Write :func:`pcap`'s file of ``frames``, each claiming ``origlen_extra`` more bytes than it holds."""
    records = (
        struct.pack("<IIII", TS0 + i, i, len(frame), len(frame) + origlen_extra) + frame
        for i, frame in enumerate(frames)
    )
    Path(path).write_bytes(pcap_header() + b"".join(records))


def record_offset(index: int) -> int:
    """Byte offset of record ``index`` (0-based) in :func:`pcap`'s file."""
    return PCAP_FILE_HEADER + index * RECORD_BYTES


# --- pcapng ---------------------------------------------------------------------------------------------


def block(btype: int, body: bytes, *, length: int | None = None, trailer: int | None = None) -> bytes:
    """A pcapng block: type, total length, the body padded to 32 bits, the total length again."""
    body += b"\0" * (-len(body) % 4)
    total = 12 + len(body)
    return (
        struct.pack("<II", btype, total if length is None else length)
        + body
        + struct.pack("<I", total if trailer is None else trailer)
    )


def shb() -> bytes:
    return block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))


def idb(linktype: int = 1, snaplen: int = 262144) -> bytes:
    return block(1, struct.pack("<HHI", linktype, 0, snaplen))


def epb(i: int, frame: bytes, interface: int = 0) -> bytes:
    usec = (TS0 + i) * 1_000_000 + i
    return block(
        6, struct.pack("<IIIII", interface, usec >> 32, usec & 0xFFFFFFFF, len(frame), len(frame)) + frame
    )


def pcapng(*middle: bytes, at: int = 3) -> bytes:
    """A pcapng file of the five frames, with ``middle`` blocks inserted after the first ``at`` packets."""
    packets = [epb(i, f) for i, f in enumerate(FRAMES)]
    return shb() + idb() + b"".join(packets[:at]) + b"".join(middle) + b"".join(packets[at:])


PCAPNG_HEAD = len(shb()) + len(idb())
EPB_BYTES = len(epb(0, FRAMES[0]))


def epb_offset(index: int) -> int:
    """Byte offset of packet block ``index`` (0-based) in :func:`pcapng`'s file with nothing inserted."""
    return PCAPNG_HEAD + index * EPB_BYTES


@dataclass(frozen=True)
class Case:
    """A damaged (or odd but valid) file and what a reader must make of it.

    ``packets``: how many packets are printed; ``error``: None for a file read to its end with exit
    status 0, else words the error line holds; ``packet``/``offset``: the packet number (1-based) and
    byte offset the error line names (None where there is no packet, e.g. a bad file header).
    """

    name: str
    data: bytes
    packets: int
    error: str | None
    packet: int | None = None
    offset: int | None = None


def _pcap_with(index: int, record: bytes, frames: list[bytes] = FRAMES) -> bytes:
    """:func:`pcap` with record ``index`` replaced by ``record`` (and the records after it kept)."""
    whole = pcap(frames)
    start = record_offset(index)
    return whole[:start] + record + whole[start + RECORD_BYTES :]


def cases() -> list[Case]:
    """The damaged-file matrix: every case of issue 8, built fresh."""
    good = pcap()
    cut_header = record_offset(3) + 6
    cut_data = record_offset(3) + PCAP_RECORD_HEADER + 20
    huge = 1 << 31
    return [
        Case("empty", b"", 0, "empty", None, 0),
        Case("truncated-file-header", good[:10], 0, "file header", None, 0),
        Case("bad-magic", b"\xde\xad\xbe\xef" + good[4:], 0, "magic", None, 0),
        Case("unsupported-version", pcap(version=(3, 0)), 0, "version", None, 4),
        Case("truncated-record-header", good[:cut_header], 3, "record header", 4, record_offset(3)),
        Case("record-data-cut-short", good[:cut_data], 3, "cut short", 4, record_offset(3)),
        # a caplen above the file's snapshot length but within libpcap's maximum: libpcap (and tcpdump)
        # read the record and keep the first snaplen bytes, so this is no error
        Case("caplen-above-snaplen", pcap(snaplen=40), 5, None),
        Case(
            "caplen-2^31",
            _pcap_with(3, pcap_record(3, FRAMES[3], caplen=huge)),
            3,
            "capture length 2147483648",
            4,
            record_offset(3),
        ),
        Case(
            "caplen-above-maximum",
            _pcap_with(3, pcap_record(3, FRAMES[3], caplen=262145)),
            3,
            "capture length 262145",
            4,
            record_offset(3),
        ),
        # libpcap hands timestamps on as they are; a reader prints them, whatever they are
        Case(
            "negative-timestamp",
            _pcap_with(2, pcap_record(2, FRAMES[2], sec=0xFFFFFFFF, usec=0xFFFFFFFF)),
            5,
            None,
        ),
        Case(
            "absurd-timestamp",
            _pcap_with(2, pcap_record(2, FRAMES[2], sec=0x7FFFFFFF, usec=999_999_999)),
            5,
            None,
        ),
        Case(
            "pcapng-block-length-huge",
            pcapng(struct.pack("<II", 6, huge)),
            3,
            "block length",
            4,
            epb_offset(3),
        ),
        Case(
            "pcapng-block-length-short",
            pcapng(struct.pack("<II", 6, 8)),
            3,
            "block length",
            4,
            epb_offset(3),
        ),
        Case(
            "pcapng-trailer-mismatch",
            pcapng()[: epb_offset(3)] + epb(3, FRAMES[3])[:-4] + b"\xff\0\0\0" + pcapng()[epb_offset(4) :],
            3,
            "block length",
            4,
            epb_offset(3),
        ),
        Case("pcapng-unknown-block", pcapng(block(0x0BADB10C, b"skip me, I am unknown")), 5, None),
        Case(
            "pcapng-interface-out-of-range",
            pcapng(epb(9, FRAMES[0], interface=5)),
            3,
            "interface 5",
            4,
            epb_offset(3),
        ),
        Case(
            "pcapng-second-section",
            pcapng(shb(), idb()),
            5,
            None,
        ),
        Case(
            "pcapng-truncated-block",
            pcapng()[: epb_offset(3) + 30],
            3,
            "cut short",
            4,
            epb_offset(3),
        ),
    ]


CASES = {case.name: case for case in cases()}


# --- fuzzing the reading path: valid variants of every format, edits, and libpcap as the judge ----------


def pcap_be(frames: list[bytes], magic: int = 0xA1B2C3D4, record: str = ">IIII") -> bytes:
    """A big-endian pcap file of ``frames`` (``record`` longer than 16 bytes pads each record header)."""
    out = struct.pack(">IHHiIII", magic, 2, 4, 0, 0, 262144, 1)
    for i, frame in enumerate(frames):
        out += struct.pack(record, i, 0, len(frame), len(frame))
        out += b"\0" * (struct.calcsize(record) - 16) + frame
    return out


def kuznetsov(frames: list[bytes]) -> bytes:
    """A pcap file in Alexey Kuznetsov's variant: 8 more bytes after each record header."""
    out = struct.pack("<IHHiIII", 0xA1B2CD34, 2, 4, 0, 0, 262144, 1)
    for i, frame in enumerate(frames):
        out += struct.pack("<IIII", i, 0, len(frame), len(frame)) + b"\0" * 8 + frame
    return out


def v22(frames: list[bytes]) -> bytes:  # pcap 2.2 wrote the original length first
    """A pcap 2.2 file, whose lengths libpcap swaps back; each frame claims 100 bytes more than it holds."""
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 2, 0, 0, 262144, 1)
    for i, frame in enumerate(frames):
        out += struct.pack("<IIII", i, 0, len(frame) + 100, len(frame)) + frame
    return out


def pcapng_be(frames: list[bytes], interface: int = 0) -> bytes:
    """A big-endian pcapng file of ``frames``, each in an Enhanced Packet Block of ``interface``."""

    def block(btype: int, body: bytes) -> bytes:
        body += b"\0" * (-len(body) % 4)
        return struct.pack(">II", btype, 12 + len(body)) + body + struct.pack(">I", 12 + len(body))

    out = block(0x0A0D0D0A, struct.pack(">IHHq", 0x1A2B3C4D, 1, 0, -1)) + block(
        1, struct.pack(">HHI", 1, 0, 0)
    )
    for i, frame in enumerate(frames):
        out += block(
            6, struct.pack(">IIIII", interface if i == 2 else 0, 0, i, len(frame), len(frame)) + frame
        )
    return out


def read_with_libpcap(path: str) -> tuple[int, str | None]:
    """(packets libpcap reads, its error or None): pcapy-ng, the default backend's reader."""
    try:
        reader = pcapy.open_offline(path)
    except pcapy.PcapError as exc:
        return 0, str(exc)
    n = 0
    while True:
        try:
            hdr, _ = reader.next()
        except pcapy.PcapError as exc:
            return n, str(exc)
        if hdr is None:
            return n, None
        n += 1


def agree(path: str) -> None:
    """The walker finds damage where, and only where, libpcap stops with an error."""
    read, error = read_with_libpcap(path)
    damage = diagnose(path)
    if error is None:
        assert damage is None, (damage, read)
    else:
        assert damage is not None, error
        assert damage.packets_before == read, (damage, read, error)
        assert damage.problem and "\n" not in damage.problem


BASES = [
    pcap(),
    pcap_be(FRAMES[:3], 0xA1B23C4D),
    kuznetsov(FRAMES[:3]),
    v22(FRAMES[:3]),
    pcapng(),
    pcapng(shb(), idb(), block(0x0BAD, b"opaque")),
    pcapng_be(FRAMES[:3]),
    shb() + idb() + block(3, struct.pack("<I", 47) + FRAMES[0]),
    pcap(FRAMES[:3], snaplen=40),
    shb() + idb(snaplen=60) + b"".join(epb(i, f) for i, f in enumerate(FRAMES[:3])),
    shb() + idb() + block(2, struct.pack("<HHIIII", 0, 0, 0, 0, 47, 47) + FRAMES[0]),
]
EDIT = st.one_of(
    st.tuples(
        st.just("set"),
        st.integers(0, 1 << 16),
        st.sampled_from([0, 1, 0x7F, 0x80, 0xFF]) | st.integers(0, 255),
    ),
    st.tuples(st.just("cut"), st.integers(0, 1 << 16), st.just(0)),
    st.tuples(st.just("insert"), st.integers(0, 1 << 16), st.sampled_from([1, 4, 8, 12])),
    st.tuples(st.just("delete"), st.integers(0, 1 << 16), st.sampled_from([1, 4, 8])),
)


def mutate(base: bytes, edits: list[tuple[str, int, int]]) -> bytes:
    """``base`` with each of :data:`EDIT`'s edits applied in turn: set a byte, cut, insert or delete bytes."""
    data = bytearray(base)
    for kind, where, value in edits:
        if not data:
            break
        at = where % len(data)
        if kind == "set":
            data[at] = value
        elif kind == "cut":
            del data[at:]
        elif kind == "insert":
            data[at:at] = bytes((at * 7 + i) & 0xFF for i in range(value))
        else:
            del data[at : at + value]
    return bytes(data)
