"""The library's PcapDumper: what it writes is what libpcap's pcap_dump writes, and misuse is an error.

Every case of ../shared/repro/dumper_bad.py and of libtest.py's dumper lines is here. Files are checked
against tcpdump: it must read back every packet dumped, and where tcpdump can write the same packets
(``tcpdump -r F -w out``), the dumper's file is byte for byte tcpdump's.
"""

from __future__ import annotations

import ctypes
import struct
import subprocess
from pathlib import Path

import pytest

import pycapture
from pycapture.capture.libpcap import library
from pycapture.errors import NotOpenError
from pycapture.savefile.pcap_writer import PcapWriter
from support.commands import tool
from support.env import REPRO

FRAME = bytes.fromhex("ffffffffffff02000000000188b5") + bytes(46)  # 60 bytes, local experimental type


def _tcpdump(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([tool("tcpdump"), *args], capture_output=True, text=True, check=False)


def _records(path: Path) -> list[tuple[int, int, int, int]]:
    """(sec, frac, caplen, len) of each record header, as the file holds them (unsigned 32-bit)."""
    data, pos, out = path.read_bytes(), 24, []
    while pos < len(data):
        sec, frac, caplen, length = struct.unpack_from("=IIII", data, pos)
        out.append((sec, frac, caplen, length))
        pos += 16 + caplen
    return out


def _tcpdump_reads_all(path: Path, count: int) -> None:
    result = _tcpdump("-n", "-r", str(path))
    assert result.returncode == 0, result.stderr
    assert sum(not line.startswith("\t") for line in result.stdout.splitlines()) == count  # not hex lines


class _Timeval(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_usec", ctypes.c_long)]


class _Pkthdr(ctypes.Structure):
    _fields_ = [("ts", _Timeval), ("caplen", ctypes.c_uint32), ("len", ctypes.c_uint32)]


def _libpcap_dump(path: Path, times: list[tuple[int, int]], nano: bool = False) -> None:
    """A file of one 60-byte frame per (tv_sec, tv_usec), written by libpcap's own pcap_dump."""
    found = library()
    if found is None:
        pytest.skip("pcapy-ng's libpcap cannot be reached through ctypes here")
    lib = ctypes.CDLL(found._name)  # our own function objects: argtypes set here stay here
    lib.pcap_open_dead_with_tstamp_precision.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_uint)
    lib.pcap_open_dead_with_tstamp_precision.restype = ctypes.c_void_p
    lib.pcap_dump_open.argtypes = (ctypes.c_void_p, ctypes.c_char_p)
    lib.pcap_dump_open.restype = ctypes.c_void_p
    lib.pcap_dump.argtypes = (ctypes.c_void_p, ctypes.POINTER(_Pkthdr), ctypes.c_char_p)
    lib.pcap_dump_close.argtypes = (ctypes.c_void_p,)
    lib.pcap_close.argtypes = (ctypes.c_void_p,)
    pcap = lib.pcap_open_dead_with_tstamp_precision(1, 262144, int(nano))
    dumper = lib.pcap_dump_open(pcap, str(path).encode())
    for sec, frac in times:
        lib.pcap_dump(dumper, ctypes.byref(_Pkthdr(_Timeval(sec, frac), len(FRAME), len(FRAME))), FRAME)
    lib.pcap_dump_close(dumper)
    lib.pcap_close(pcap)


# (tv_sec, tv_usec) as libpcap hands them on: a time_t, and a fraction a classic pcap file's signed
# 32-bit field can hold
LIBPCAP_TIMES = [
    (0x7FFFFFFF, 0), (-(1 << 31), 1), (-16, 2), (-1, 999_999), (1 << 31, 0), ((1 << 32) + 7, 5),
    (1 << 40, 0), (-(1 << 40), 3), (1000, -1), (1000, 1_000_000), (1000, (1 << 31) - 1), (1000, -(1 << 31)),
]  # fmt: skip


@pytest.mark.parametrize("nano", [False, True])
def test_the_writer_folds_timestamps_as_libpcap_s_pcap_dump(tmp_path, nano):
    theirs, ours = tmp_path / "libpcap.pcap", tmp_path / "ours.pcap"
    _libpcap_dump(theirs, LIBPCAP_TIMES, nano)
    with PcapWriter(str(ours), 1, nanosecond=nano) as writer:
        for sec, frac in LIBPCAP_TIMES:
            writer.write(sec, frac, len(FRAME), FRAME)
    assert ours.read_bytes() == theirs.read_bytes()


@pytest.fixture
def dumper(tmp_path):
    with pycapture.open_dead(1, 65535) as dead, dead.dump_open(str(tmp_path / "d.pcap")) as dumper:
        yield dumper


# --- what a packet's timestamp becomes ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ts2038.pcap", "usec_overflow.pcap", "nsec_overflow.pcap"])
@pytest.mark.parametrize("precision", ["micro", "nano"])
def test_dumping_each_packet_of_a_file_writes_what_tcpdump_w_writes(tmp_path, name, precision):
    source = REPRO / name
    if not source.is_file():
        pytest.skip(f"{source} is not present")
    theirs, ours = tmp_path / "tcpdump.pcap", tmp_path / "dumper.pcap"
    nano = ["--nano"] if precision == "nano" else []
    assert _tcpdump(*nano, "-r", str(source), "-w", str(theirs)).returncode == 0
    with pycapture.open_offline(str(source), precision=precision) as handle, handle.dump_open(str(ours)) as d:
        handle.loop(-1, d.dump)
    assert ours.read_bytes() == theirs.read_bytes()


def test_a_packet_of_the_other_precision_is_scaled_as_libpcap_scales_a_file(tmp_path):
    # nanoseconds to microseconds truncate toward zero (C division), as libpcap reads a nano file for micro
    micro = pycapture.PcapDumper(str(tmp_path / "u.pcap"), 1)
    nano = pycapture.PcapDumper(str(tmp_path / "n.pcap"), 1, nanosecond=True)
    with micro, nano:
        micro.dump(pycapture.PcapPacket(FRAME, 5, 123_456_789, 60, 1, nanosecond=True))
        micro.dump(pycapture.PcapPacket(FRAME, 5, -1, 60, 1, nanosecond=True))
        nano.dump(pycapture.PcapPacket(FRAME, 5, 123_456, 60, 1))
    assert [r[:2] for r in _records(tmp_path / "u.pcap")] == [(5, 123_456), (5, 0)]
    assert [r[:2] for r in _records(tmp_path / "n.pcap")] == [(5, 123_456_000)]


@pytest.mark.parametrize("nano", [False, True])
def test_a_timestamp_outside_32_bits_is_folded_as_libpcap_folds_it(tmp_path, nano):
    """timestamp_ns is split into (tv_sec, fraction) as a capture's time is, then written as pcap_dump
    writes it."""
    stamps = [-1, -(10**9) - 1, 2**70, (2**31 + 5) * 10**9, (2**32 + 7) * 10**9 + 1000, -(2**63)]
    unit = 1 if nano else 1000
    theirs, ours = tmp_path / "libpcap.pcap", tmp_path / "dumper.pcap"
    _libpcap_dump(theirs, [(ns // 10**9, ns % 10**9 // unit) for ns in stamps], nano)
    with pycapture.PcapDumper(str(ours), 1, nanosecond=nano) as dumper:
        for ns in stamps:
            dumper.dump(FRAME, timestamp_ns=ns)
    assert ours.read_bytes() == theirs.read_bytes()
    assert _records(ours)[0][:2] == (0xFFFFFFFF, 999_999_999 if nano else 999_999)  # 1 ns before 1970
    _tcpdump_reads_all(ours, len(stamps))


def test_a_damaged_file_s_packet_shorter_on_the_wire_than_captured_is_kept(tmp_path):
    """A record with caplen 60 and len 10 (as a damaged file may hold): tcpdump -w keeps it as it is."""
    source, theirs, ours = tmp_path / "in.pcap", tmp_path / "tcpdump.pcap", tmp_path / "dumper.pcap"
    with source.open("wb") as f:
        f.write(struct.pack("=IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        f.write(struct.pack("=IIII", 1000, 1, len(FRAME), 10) + FRAME)
    assert _tcpdump("-r", str(source), "-w", str(theirs)).returncode == 0
    with pycapture.open_offline(str(source)) as handle, handle.dump_open(str(ours)) as d:
        packet = handle.get_next_packet_ex()
        assert packet.original_length < len(packet.raw)
        d.dump(packet)
    assert ours.read_bytes() == theirs.read_bytes()


# --- what a packet may be --------------------------------------------------------------------------------


class _Frame:
    def __bytes__(self) -> bytes:
        return FRAME


@pytest.mark.parametrize(
    "packet", [FRAME, bytearray(FRAME), memoryview(FRAME), _Frame(), b""], ids=lambda p: type(p).__name__
)
def test_bytes_like_packets_are_dumped_as_they_are(dumper, packet):
    dumper.dump(packet, timestamp_ns=1_767_323_045_000_000_000)
    dumper.close()
    size = len(bytes(packet))
    assert _records(Path(dumper.path)) == [(1_767_323_045, 0, size, size)]
    assert Path(dumper.path).read_bytes()[24 + 16 :] == bytes(packet)


@pytest.mark.parametrize("packet", [5, None, "abc", 1.5, [1, 2, 3]], ids=repr)
def test_what_is_not_a_packet_is_a_type_error_and_writes_nothing(dumper, packet):
    before = dumper.ftell()
    with pytest.raises(TypeError, match="packet must be bytes"):
        dumper.dump(packet)
    assert dumper.ftell() == before and dumper.count == 0


@pytest.mark.parametrize("timestamp_ns", [1.5e18, float("nan"), "1", True], ids=repr)
def test_a_timestamp_that_is_not_an_int_is_a_type_error(dumper, timestamp_ns):
    with pytest.raises(TypeError, match="timestamp_ns must be an int"):
        dumper.dump(FRAME, timestamp_ns=timestamp_ns)
    assert dumper.count == 0


@pytest.mark.parametrize("original_length", [-1, 2**32, 2**40])
def test_an_original_length_outside_32_bits_is_a_value_error(dumper, original_length):
    with pytest.raises(ValueError, match="original_length must be 0 to 4294967295"):
        dumper.dump(FRAME, original_length=original_length)
    with pytest.raises(TypeError):
        dumper.dump(FRAME, original_length=60.0)
    assert dumper.count == 0


def test_an_original_length_below_the_captured_one_is_written_as_given(dumper):
    dumper.dump(FRAME, timestamp_ns=0, original_length=10)
    dumper.close()
    assert _records(Path(dumper.path)) == [(0, 0, 60, 10)]


def test_a_frame_over_the_snaplen_is_refused_and_one_at_it_is_read_back_by_tcpdump(dumper):
    with pytest.raises(ValueError, match="longer than the dumper's snaplen of 65535"):
        dumper.dump(b"\x00" * (1 << 20))  # dumper_bad.py: written before with a caplen libpcap refuses
    with pytest.raises(ValueError, match="snaplen"):
        dumper.dump(b"\x00" * 65536)
    dumper.dump(FRAME)
    dumper.dump(FRAME + bytes(65535 - len(FRAME)))
    dumper.dump(FRAME)
    dumper.close()
    assert dumper.count == 3
    _tcpdump_reads_all(Path(dumper.path), 3)


# --- after close() ---------------------------------------------------------------------------------------


def test_after_close_dump_flush_and_ftell_raise_not_open_and_the_file_stays_as_it_was(dumper):
    dumper.dump(FRAME)
    dumper.close()
    dumper.close()  # harmless twice
    path = Path(dumper.path)
    size = path.stat().st_size
    for call in (lambda: dumper.dump(FRAME), dumper.flush, dumper.ftell):
        with pytest.raises(NotOpenError, match="the dumper is closed"):
            call()
    assert dumper.count == 1
    assert path.stat().st_size == size
    _tcpdump_reads_all(path, 1)


# --- PcapDumper made directly ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "error", "words"),
    [
        ((None, 1), TypeError, "path must be a str or os.PathLike"),
        ((b"x.pcap", 1), TypeError, "path must be a str"),
        (("{}", None), TypeError, "linktype must be an int"),
        (("{}", "1"), TypeError, "linktype must be an int"),
        (("{}", 1.5), TypeError, "linktype must be an int"),
        (("{}", -1), ValueError, "linktype must be a link-layer type 0 to 65535"),
        (("{}", 2**40), ValueError, "linktype must be a link-layer type 0 to 65535"),
        (("{}", 0x10001), ValueError, "linktype must be a link-layer type 0 to 65535"),  # a reserved bit
        (("{}", 1, -1), ValueError, "snaplen must be 1 to 2147483647"),
        (("{}", 1, 0), ValueError, "snaplen must be 1 to 2147483647"),
        (("{}", 1, 2**31), ValueError, "snaplen must be 1 to 2147483647"),
        (("{}", 1, "65535"), TypeError, "snaplen must be an int"),
    ],
)
def test_bad_arguments_to_the_constructor_are_refused_before_a_file_is_made(tmp_path, args, error, words):
    path = tmp_path / "d.pcap"
    args = tuple(str(path) if a == "{}" else a for a in args)
    with pytest.raises(error, match=words):
        pycapture.PcapDumper(*args)
    assert not path.exists()


def test_a_linktype_with_fcs_bits_and_a_pathlike_are_taken(tmp_path):
    path = tmp_path / "fcs.pcap"
    with pycapture.PcapDumper(path, 0x14000001, 128) as dumper:  # Ethernet, FCS length 1 (16 bits)
        dumper.dump(FRAME, timestamp_ns=0)
    assert path.read_bytes()[16:24] == struct.pack("=II", 128, 0x14000001)
    assert "link-type EN10MB" in _tcpdump("-r", str(path)).stderr
    _tcpdump_reads_all(path, 1)
