"""Damaged capture files (issue 8): the packets before the damage, then one line on stderr that says what is
wrong and where (packet number, byte offset), exit status 1, no traceback, and memory bounded whatever a
length field claims. The files are made from a small valid capture by tests/support/hostile.py; tcpdump reads
the same matrix the same way (a test holds that), and a fuzz target checks that pycapture's walker
(:mod:`pycapture.savefile.damage`) finds the damage exactly where libpcap stops.
"""

from __future__ import annotations

import os
import resource
import struct
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import example, given
from hypothesis import strategies as st

from pycapture.cli.main import command
from pycapture.savefile.damage import diagnose
from support import hostile
from support.commands import run_cli, tool
from support.fuzzing import fuzz
from support.hostile import (
    BASES,
    CASES,
    EDIT,
    Case,
    agree,
    kuznetsov,
    mutate,
    pcap_be,
    pcapng_be,
    v22,
)

MEMORY_LIMIT = 512 << 20  # address space for a reading process: a 2 GiB length-driven allocation fails
BACKENDS = ("pcapy", "file", "scapy")


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_limited(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """``pycapture ARGS`` in a process that may not map more than :data:`MEMORY_LIMIT` bytes."""
    return subprocess.run(
        [sys.executable, "-m", "pycapture", *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        check=False,
        env={**os.environ, "TZ": "UTC"},
        preexec_fn=_limit_memory,
    )


def write(directory: Path, case: Case) -> Path:
    path = directory / (case.name + (".pcapng" if case.name.startswith("pcapng") else ".pcap"))
    path.write_bytes(case.data)
    return path


def error_lines(stderr: str) -> list[str]:
    """pycapture's own lines on stderr but the banner: the error, if any."""
    return [
        line
        for line in stderr.splitlines()
        if line.startswith("pycapture: ") and not line.startswith("pycapture: reading from file")
    ]


@pytest.fixture(scope="module")
def base_lines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """What pycapture prints for the undamaged captures the cases are made from."""
    directory = tmp_path_factory.mktemp("base")
    lines = {}
    for name, data in (("pcap", hostile.pcap()), ("pcapng", hostile.pcapng())):
        (directory / name).write_bytes(data)
        res = run_limited("-r", str(directory / name))
        assert res.returncode == 0, res.stderr
        lines[name] = res.stdout.decode().splitlines()
        assert len(lines[name]) == hostile.FRAMES_IN_BASE
    return lines


def check_case(case: Case, stdout: str, stderr: str, status: int, base: dict[str, list[str]]) -> None:
    assert "Traceback" not in stderr, stderr
    lines = stdout.splitlines()
    assert len(lines) == case.packets, stdout
    errors = error_lines(stderr)
    if case.error is None:
        assert status == 0, stderr
        assert errors == []
        assert f"{case.packets} packets captured" in stderr
        return
    assert status == 1, stderr
    assert lines == base["pcapng" if case.name.startswith("pcapng") else "pcap"][: case.packets]
    assert len(errors) == 1, stderr
    line = errors[0]
    where = (
        f"packet {case.packet} at byte offset {case.offset}:"
        if case.packet
        else f"byte offset {case.offset}:"
    )
    assert where in line, line
    assert case.error.lower() in line.lower(), line
    assert line.endswith(")") or "; " in line  # the cause, then the fix after "; "
    if case.packet is not None:  # the file opened: the statistics count what was printed
        assert f"{case.packets} packet{'s' if case.packets != 1 else ''} captured" in stderr


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", list(CASES))
def test_damaged_file(name: str, backend: str, tmp_path: Path, base_lines: dict[str, list[str]]) -> None:
    case = CASES[name]
    res = run_limited("--backend", backend, "-r", str(write(tmp_path, case)))
    check_case(case, res.stdout.decode(), res.stderr.decode(), res.returncode, base_lines)


@pytest.mark.parametrize("name", list(CASES))
def test_tcpdump_reads_the_matrix_alike(name: str, tmp_path: Path) -> None:
    """tcpdump (libpcap 1.10) prints as many packets and fails on the same files."""
    case = CASES[name]
    path = write(tmp_path, case)
    theirs = subprocess.run(
        [tool("tcpdump"), "-n", "-r", str(path)], capture_output=True, timeout=60, check=False
    )
    ours = run_limited("-r", str(path))
    assert (ours.returncode, len(ours.stdout.splitlines())) == (
        theirs.returncode,
        len(theirs.stdout.splitlines()),
    )


def test_memory_limit_would_catch_a_length_driven_allocation() -> None:
    """The limit the tests read under is real: a process that allocates 2 GiB under it fails."""
    res = subprocess.run(
        [sys.executable, "-c", "bytearray(1 << 31)"],
        capture_output=True,
        timeout=60,
        check=False,
        preexec_fn=_limit_memory,
    )
    assert res.returncode != 0 and b"MemoryError" in res.stderr


HUGE = [
    ("pcap caplen 2^32-1", hostile.pcap()[:24] + struct.pack("<IIII", 1, 0, 0xFFFFFFFF, 60) + b"x" * 64),
    ("pcapng SHB length 2^31", struct.pack("<IIIHHq", 0x0A0D0D0A, 1 << 31, 0x1A2B3C4D, 1, 0, -1) + b"\0" * 8),
    ("pcapng IDB length 2^32-4", hostile.shb() + struct.pack("<IIHHI", 1, 0xFFFFFFFC, 1, 0, 0) + b"\0" * 8),
    ("pcapng EPB caplen 2^31", hostile.pcapng(at=1)[: hostile.epb_offset(1)]
     + hostile.block(6, struct.pack("<IIIII", 0, 0, 0, 1 << 31, 60) + b"x" * 60)),
    ("pcapng option length 65535", hostile.shb()
     + hostile.block(1, struct.pack("<HHIHH", 1, 0, 0, 9, 0xFFFF) + b"\x06\0\0\0")
     + hostile.epb(0, hostile.FRAMES[0])),
]  # fmt: skip


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("data", [d for _, d in HUGE], ids=[name for name, _ in HUGE])
def test_huge_length_fields_read_in_bounded_memory(data: bytes, backend: str, tmp_path: Path) -> None:
    path = tmp_path / "huge"
    path.write_bytes(data)
    res = run_limited("--backend", backend, "-r", str(path))
    stderr = res.stderr.decode()
    assert "Traceback" not in stderr and "MemoryError" not in stderr, stderr
    assert res.returncode in (0, 1)
    if res.returncode == 1:
        assert len(error_lines(stderr)) == 1, stderr
        assert "byte offset" in error_lines(stderr)[0]


def test_standard_input_names_the_packet_and_says_why_no_offset(base_lines: dict[str, list[str]]) -> None:
    case = CASES["record-data-cut-short"]
    res = run_limited("-r", "-", stdin=case.data)
    stderr = res.stderr.decode()
    assert res.returncode == 1 and "Traceback" not in stderr
    assert res.stdout.decode().splitlines() == base_lines["pcap"][:3]
    [line] = error_lines(stderr)
    assert "after packet 3" in line and "standard input" in line and "truncated dump file" in line


def test_with_a_filter_the_packet_number_is_the_files_own(tmp_path: Path) -> None:
    """A filter hides packets from the count, not from the walk: the damaged packet is still number 4."""
    case = CASES["record-data-cut-short"]
    res = run_cli("-r", str(write(tmp_path, case)), "udp port 40001")
    assert res.returncode == 1
    assert len(res.stdout.splitlines()) == 1
    [line] = error_lines(res.stderr.decode())
    assert f"packet 4 at byte offset {hostile.record_offset(3)}:" in line


def test_library_keeps_libpcaps_message(tmp_path: Path) -> None:
    """The handle raises libpcap's own words; only the command adds the place (walking costs a read)."""
    from pycapture import CaptureFileError, open_offline

    handle = open_offline(str(write(tmp_path, CASES["record-data-cut-short"])))
    with pytest.raises(CaptureFileError, match="truncated dump file"):
        list(handle.records())
    assert handle.captured == 3


# --- the walker on its own ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CASES))
def test_walker_names_each_case(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    damage = diagnose(str(write(tmp_path, case)))
    if case.error is None:
        assert damage is None
        return
    assert damage is not None and damage.problem
    assert (damage.packet, damage.offset, damage.packets_before) == (case.packet, case.offset, case.packets)


VARIANTS = {
    "big-endian pcap": pcap_be(hostile.FRAMES),
    "nanosecond big-endian pcap": pcap_be(hostile.FRAMES, 0xA1B23C4D),
    "Kuznetsov pcap": kuznetsov(hostile.FRAMES),
    "pcap 2.2 (lengths swapped)": v22(hostile.FRAMES),
    "big-endian pcapng": pcapng_be(hostile.FRAMES),
    "big-endian pcapng, interface 3": pcapng_be(hostile.FRAMES, interface=3),
    "SPB before any IDB": hostile.shb() + hostile.block(3, struct.pack("<I", 47) + hostile.FRAMES[0]),
    "no IDB": hostile.shb(),
    "second section of another link type": hostile.pcapng(hostile.shb(), hostile.idb(linktype=101)),
    "interfaces of two snapshot lengths": hostile.pcapng(hostile.idb(snaplen=100)),
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_walker_agrees_with_libpcap_on_every_variant(name: str, tmp_path: Path) -> None:
    data = VARIANTS[name]
    for end in sorted({len(data), len(data) - 1, len(data) - 30, 30, 10}):
        path = tmp_path / f"v{end}"
        path.write_bytes(data[: max(end, 0)])
        agree(str(path))


def test_walker_falls_back_to_the_readers_count(tmp_path: Path) -> None:
    """Where libpcap fails on something the walk does not check, the place is right after the last packet
    read, and libpcap's message is left to say what."""
    path = write(tmp_path, CASES["pcapng-second-section"])
    damage = diagnose(str(path), packets_read=2)
    assert damage is not None and damage.problem is None
    assert damage.where() == f"byte offset {hostile.epb_offset(2)}, after packet 2"


def test_walker_reads_a_bounded_window(tmp_path: Path) -> None:
    """Walking an 8 MiB file whose last record claims 2 GiB holds about one 1 MiB window in memory."""
    frame = b"\0" * 1000
    data = hostile.pcap_header() + b"".join(hostile.pcap_record(i, frame) for i in range(8000))
    data += struct.pack("<IIII", 0, 0, 1 << 31, 1 << 31) + b"x" * 100
    path = tmp_path / "big.pcap"
    path.write_bytes(data)
    tracemalloc.start()
    try:
        damage = diagnose(str(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert damage is not None and damage.packet == 8001
    assert peak < 3 << 20, peak


def test_walker_leaves_standard_input_and_missing_files_alone(tmp_path: Path) -> None:
    assert diagnose("-") is None
    assert diagnose(str(tmp_path / "missing.pcap")) is None
    assert diagnose(str(tmp_path)) is None


# --- fuzzing the reading path ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@fuzz(300)
@given(base=st.sampled_from(BASES), edits=st.lists(EDIT, min_size=1, max_size=3))
@example(base=BASES[4], edits=[("set", 40, 1), ("set", 43, 0)])  # an IDB snapshot length of 262145
@example(base=BASES[0], edits=[("set", 8, 0xFF)])  # 2.255 is no version libpcap reads
@example(base=BASES[7], edits=[("set", 56, 127)])  # a simple packet block longer than its data
@example(base=BASES[9], edits=[("set", 40, 30)])  # a packet longer than the interface's snapshot length
def test_walker_finds_the_damage_where_libpcap_stops(fuzz_dir: Path, base: bytes, edits: list) -> None:
    path = fuzz_dir / "walk"
    path.write_bytes(mutate(base, edits))
    agree(str(path))


OPTION_SETS = [[], ["-e"], ["-x"], ["-XX"], ["-v"], ["--json"], ["-tttt"], ["-ttt"], ["-c", "2"]]


@fuzz(150)
@given(
    base=st.sampled_from(BASES),
    edits=st.lists(EDIT, min_size=1, max_size=3),
    options=st.sampled_from(OPTION_SETS),
    backend=st.sampled_from(["pcapy", "file"]),
)
def test_command_reads_any_damaged_file_in_process(
    fuzz_dir: Path, base: bytes, edits: list, options: list[str], backend: str
) -> None:
    path = fuzz_dir / "cli"
    path.write_bytes(mutate(base, edits))
    res = CliRunner().invoke(command, ["--backend", backend, "-r", str(path), *options])
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise AssertionError(f"{res.exception!r}") from res.exception
    assert res.exit_code in (0, 1), res.output
    errors = error_lines(res.stderr)
    if res.exit_code == 1:
        assert len(errors) == 1, res.stderr
        assert "byte offset" in errors[0] or "unknown data link type" in errors[0], errors[0]
    else:
        assert errors == []


@fuzz(8, 20)
@given(base=st.sampled_from(BASES), edits=st.lists(EDIT, min_size=1, max_size=3))
def test_command_reads_any_damaged_file_in_a_limited_process(
    fuzz_dir: Path, base: bytes, edits: list
) -> None:
    path = fuzz_dir / "process"
    path.write_bytes(mutate(base, edits))
    res = run_limited("-r", str(path))
    stderr = res.stderr.decode()
    assert "Traceback" not in stderr, stderr
    assert res.returncode in (0, 1)
    assert len(error_lines(stderr)) == res.returncode


def test_a_valid_pcapng_libpcap_cannot_read_gets_a_hint_that_says_so(tmp_path: Path) -> None:
    """Two interfaces of different link types: valid pcapng, which libpcap 1.9 refuses; not 'damaged'.
    By default pycapture's own reader reads it (tests/savefile/test_pcapng_mixed.py); a backend asked for
    by name reads as libpcap reads, and says the file is valid."""
    path = tmp_path / "two-links.pcapng"
    path.write_bytes(hostile.pcapng(hostile.idb(linktype=0), at=3))
    read = run_cli("-r", str(path))
    assert read.returncode == 0 and "pycapture's own reader" in read.stderr.decode()
    result = run_cli("--backend", "pcapy", "-r", str(path))
    err = result.stderr.decode()
    assert result.returncode == 1 and "Traceback" not in err
    assert "the file is valid pcapng" in err and "frame.interface_id == 0" in err
    assert "check that the file is a complete" not in err
