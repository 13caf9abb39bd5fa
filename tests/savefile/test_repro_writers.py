"""-w with timestamps past 2038 or outside 32 bits, and link types a file records under another number.

The reproducers of ../shared/repro/ (ts2038.pcap, usec_overflow.pcap, nsec_overflow.pcap, ng_ts_*.pcapng)
hold times libpcap hands on as they are: seconds before 1970 or past 2106, fractions of -1 or of 10^6
and more. pycapture must write every packet, as libpcap's pcap_dump writes it (byte for byte what
``tcpdump -w`` writes) and, for pcapng, as dumpcap writes it (checked against ``dumpcap -i -``).
"""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import pcapy
import pytest

from support.commands import run_cli, tool
from support.env import CAPTURES, REPRO

PCAP_FILES = ["ts2038.pcap", "usec_overflow.pcap", "nsec_overflow.pcap"]
PCAPNG_FILES = ["ng_ts_2039_us.pcapng", "ng_ts_big_s.pcapng", "ng_ts_max_ns.pcapng", "ng_ts_max_us.pcapng"]
U64 = (1 << 64) - 1


def repro(name: str) -> Path:
    path = REPRO / name
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    return path


def _tcpdump(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([tool("tcpdump"), *args], capture_output=True, text=True, check=False)


def _pycapture_writes(source: Path, out: Path, *args: str) -> None:
    """``pycapture -r source -w out``: it succeeds without a traceback, counts every packet libpcap reads,
    and libpcap reads as many back from ``out``."""
    result = run_cli("-r", str(source), "-w", str(out), *args, text=True)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    read = len(_libpcap_times(source))
    assert f"{read} packet{'s' if read != 1 else ''} captured" in result.stderr
    assert len(_libpcap_times(out)) == read


def _blocks(path: Path) -> list[tuple[int, bytes]]:
    """(type, body) of each block of a little-endian pcapng file."""
    data, pos, blocks = path.read_bytes(), 0, []
    while pos < len(data):
        btype, length = struct.unpack_from("<II", data, pos)
        blocks.append((btype, data[pos + 8 : pos + length - 4]))
        pos += length
    return blocks


def _pcapng_times(path: Path) -> tuple[list[int], list[int]]:
    """The if_tsresol of each interface (decimal ones only) and the 64-bit timestamp of each Enhanced
    Packet Block."""
    resolutions, stamps = [], []
    for btype, body in _blocks(path):
        if btype == 1:
            resolution, pos = 6, 8
            while pos + 4 <= len(body):
                code, length = struct.unpack_from("<HH", body, pos)
                if code == 9:
                    resolution = body[pos + 4]
                if code == 0:
                    break
                pos += 4 + (length + 3) // 4 * 4
            resolutions.append(resolution)
        elif btype == 6:
            high, low = struct.unpack_from("<II", body, 4)
            stamps.append(high << 32 | low)
    return resolutions, stamps


@pytest.mark.parametrize("precision", ["micro", "nano"])
@pytest.mark.parametrize("name", PCAP_FILES + PCAPNG_FILES)
def test_pcap_is_byte_for_byte_what_tcpdump_writes(tmp_path, name, precision):
    source = repro(name)
    theirs, ours = tmp_path / "tcpdump.pcap", tmp_path / "pycapture.pcap"
    nano = ["--nano"] if precision == "nano" else []
    assert _tcpdump(*nano, "-r", str(source), "-w", str(theirs)).returncode == 0
    _pycapture_writes(source, ours, "--time-stamp-precision", precision)
    assert ours.read_bytes() == theirs.read_bytes()
    # and tcpdump prints the same lines from both files
    assert _tcpdump("-tt", "-r", str(ours)).stdout == _tcpdump("-tt", "-r", str(theirs)).stdout


def _dumpcap_writes(source: Path, theirs: Path) -> None:
    """dumpcap reading ``source`` from a pipe and writing ``theirs`` (pcapng): Wireshark's own writer."""
    with source.open("rb") as stdin:
        subprocess.run(
            [tool("dumpcap"), "-q", "-i", "-", "-w", str(theirs)],
            stdin=stdin,
            capture_output=True,
            check=True,
        )


@pytest.mark.parametrize("name", ["usec_overflow.pcap", "nsec_overflow.pcap", *PCAPNG_FILES])
def test_pcapng_timestamps_are_what_dumpcap_writes(tmp_path, name):
    source = repro(name)
    theirs, ours = tmp_path / "dumpcap.pcapng", tmp_path / "pycapture.savefile.pcapng_writer"
    _dumpcap_writes(source, theirs)
    _pycapture_writes(source, ours, "--pcapng")
    assert _instants_ns(ours) == _instants_ns(theirs)
    assert _tcpdump("-tt", "-r", str(ours)).stdout == _tcpdump("-tt", "-r", str(theirs)).stdout


@pytest.mark.parametrize("magic", [0xA1B2C3D4, 0xA1B23C4D], ids=["micro", "nano"])
def test_pcapng_of_every_kind_of_32_bit_fraction_is_what_dumpcap_writes(tmp_path, magic):
    source, theirs, ours = tmp_path / "in.pcap", tmp_path / "dumpcap.pcapng", tmp_path / "ours.pcapng"
    fractions = [0, 999_999, 10**6, 999_999_999, 10**9, 2**31 - 1, 2**31, 2**32 - 2, 2**32 - 1]
    with source.open("wb") as f:
        f.write(struct.pack("=IHHiIII", magic, 2, 4, 0, 0, 65535, 1))
        for i, frac in enumerate(fractions):
            f.write(struct.pack("=IIII", 1_767_323_045 + i, frac, 14, 14) + bytes(12) + b"\x88\xb5")
    _dumpcap_writes(source, theirs)
    _pycapture_writes(source, ours, "--pcapng")
    assert _instants_ns(ours) == _instants_ns(theirs)
    assert len(_instants_ns(ours)) == len(fractions)


def _instants_ns(path: Path) -> list[int]:
    """Each packet's time in nanoseconds, as the pcapng file counts it (dumpcap passes a pcapng source's
    blocks through, with their own if_tsresol; pycapture writes micro- or nanoseconds)."""
    (resolution,), stamps = _pcapng_times(path)
    return [stamp * 10 ** (9 - resolution) for stamp in stamps]


def test_pcapng_of_seconds_libpcap_reads_as_negative_wraps_as_pcapio_c(tmp_path):
    """ts2038.pcap's 0x80000000 and 0xfffffff0 seconds: libpcap reads the field as signed, and
    writecap/pcapio.c's ``(guint64)sec * ts_mul + usec`` wraps such a time modulo 2^64. (dumpcap's own
    pipe reader takes the field as unsigned, so ``dumpcap -i -`` is no witness for these two.)"""
    source = repro("ts2038.pcap")
    ours = tmp_path / "pycapture.savefile.pcapng_writer"
    _pycapture_writes(source, ours, "--pcapng")
    records = _libpcap_times(source)
    assert [sec for sec, _ in records] == [0x7FFFFFFF, -(1 << 31), -16]
    assert _pcapng_times(ours) == ([6], [(sec * 1_000_000 + usec) & U64 for sec, usec in records])
    assert len(_tcpdump("-r", str(ours)).stdout.splitlines()) == 3


def _libpcap_times(path: Path) -> list[tuple[int, int]]:
    """(sec, usec) of each record as libpcap hands them on."""
    reader, out = pcapy.open_offline(str(path)), []
    while True:
        header, _ = reader.next()
        if header is None:
            return out
        out.append(header.getts())


# --- link types a file records under another number than libpcap's DLT ---------------------------------


@pytest.mark.parametrize("linktype", [100, 101, 102, 103, 106])  # ATM_RFC1483, RAW, SLIP/PPP_BSDOS, ATM_CLIP
def test_a_file_keeps_its_linktype_where_the_dlt_differs(tmp_path, linktype):
    """libpcap reads LINKTYPE_RAW (101) as DLT_RAW (12); its dumper writes 101 back, and so must -w."""
    source, theirs, ours = tmp_path / "in.pcap", tmp_path / "tcpdump.pcap", tmp_path / "ours.pcap"
    frame = bytes.fromhex("4500001c000100004011f9c5c0000201c000020200350035000800000000")
    with source.open("wb") as f:
        f.write(struct.pack("=IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        f.write(struct.pack("=IIII", 1000, 1, len(frame), len(frame)) + frame)
    assert _tcpdump("-r", str(source), "-w", str(theirs)).returncode == 0
    _pycapture_writes(source, ours)
    assert ours.read_bytes() == theirs.read_bytes()
    ng = tmp_path / "ours.pcapng"
    _pycapture_writes(source, ng, "--pcapng")
    idb = next(body for btype, body in _blocks(ng) if btype == 1)
    assert struct.unpack_from("<H", idb)[0] == linktype


def test_pcapng_refuses_a_linktype_over_16_bits_and_says_to_write_pcap(tmp_path):
    source = tmp_path / "in.pcap"
    with source.open("wb") as f:
        f.write(struct.pack("=IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 0x10001))
        f.write(struct.pack("=IIII", 1000, 1, 4, 4) + b"abcd")
    result = run_cli("-r", str(source), "-w", str(tmp_path / "out.pcapng"), "--pcapng", text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "link-type 65537 does not fit a pcapng file" in result.stderr
    assert "leave out --pcapng" in result.stderr
    plain = run_cli("-r", str(source), "-w", str(tmp_path / "out.pcap"), text=True)
    assert plain.returncode == 0, plain.stderr
    assert (tmp_path / "out.pcap").read_bytes()[20:24] == struct.pack("=I", 0x10001)


@pytest.mark.parametrize(
    "args",
    [["udp prot 5"], ["-w", "/nonexistent-folder/x.pcap"]],
    ids=["bad filter", "bad -w path"],
)
def test_no_statistics_when_the_capture_never_started(args: list[str]) -> None:
    """tcpdump prints no 'packets captured' line when setting up fails; only the error."""
    proc = run_cli("-n", "-r", str(CAPTURES / "mixed.pcap"), *args)
    assert proc.returncode == 1
    assert b"captured" not in proc.stderr and len(proc.stderr.splitlines()) == 1, proc.stderr
