"""The file backend reads what libpcap reads, as libpcap reads it (issue 13, item 5).

Files made here cover what libpcap's savefile readers decide for each record: pcap versions 2.0 to 2.4
and DG/UX's 543.0 (the captured and original lengths swapped, maybe swapped, or not), both byte orders,
micro- and nanosecond files read at either precision, Kuznetsov's variant, a snapshot length smaller
than the frames; and pcapng interfaces with every if_tsresol from 10^-0 to 10^-20 and 2^-0 to 2^-64
(and the refused 10^-127 and 2^-127), with if_tsoffset values that wrap, in both byte orders. For each
file the three backends must hand on the same records (or refuse with the same message), print the same
text with the same exit status, and print what tcpdump prints.
"""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import example, given
from hypothesis import strategies as st

from pycapture.capture import backends
from pycapture.cli.main import command
from pycapture.errors import CaptureFileError
from pycapture.savefile.damage import diagnose
from support import hostile
from support.commands import tool
from support.fuzzing import fuzz
from support.hostile import BASES, EDIT, mutate

BACKENDS = ("pcapy", "file", "scapy")
PRECISIONS = ("micro", "nano")
FRAMES = hostile.FRAMES

# --- pcapng ------------------------------------------------------------------------------------------


def _block(order: str, btype: int, body: bytes) -> bytes:
    body += b"\0" * (-len(body) % 4)
    total = struct.pack(order + "I", 12 + len(body))
    return struct.pack(order + "I", btype) + total + body + total


def _option(order: str, code: int, value: bytes) -> bytes:
    return struct.pack(order + "HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def _idb(order: str, tsresol: int | None = None, tsoffset: int | None = None, linktype: int = 1) -> bytes:
    options = b""
    if tsresol is not None:
        options += _option(order, 9, bytes([tsresol]))
    if tsoffset is not None:
        options += _option(order, 14, struct.pack(order + "Q", tsoffset))
    if options:
        options += _option(order, 0, b"")
    return _block(order, 1, struct.pack(order + "HHI", linktype, 0, 262144) + options)


def _pcapng(order: str, idbs: list[bytes], stamps: list[tuple[int, int]], link_header: int = 0) -> bytes:
    """A section of ``idbs`` and one Enhanced Packet Block per ``(interface, timestamp)``, each holding a
    frame less its first ``link_header`` bytes."""
    out = _block(order, 0x0A0D0D0A, struct.pack(order + "IHHq", 0x1A2B3C4D, 1, 0, -1)) + b"".join(idbs)
    for i, (interface, stamp) in enumerate(stamps):
        frame = FRAMES[i % len(FRAMES)][link_header:]
        header = struct.pack(
            order + "IIIII", interface, stamp >> 32, stamp & 0xFFFFFFFF, len(frame), len(frame)
        )
        out += _block(order, 6, header + frame)
    return out


# timestamps in ticks: around one second of every resolution, 32 bits, 2^63 and the largest
STAMPS = [0, 1, 999_999, 1_000_000, 10**9 - 1, 10**9, (1 << 31) - 1, 1 << 31, (1 << 32) - 1, 1 << 32]
STAMPS += [1767323045 * 10**6 + 123456, (1 << 52) + 12345, (1 << 63) - 1, 1 << 63, (1 << 64) - 1]


def _resolution(tsresol: int, order: str = "<", offset: int | None = None) -> bytes:
    return _pcapng(order, [_idb(order, tsresol, offset)], [(0, t) for t in STAMPS])


PCAPNG: dict[str, bytes] = {f"tsresol-10^-{n}": _resolution(n) for n in range(21)}
PCAPNG |= {f"tsresol-2^-{n}": _resolution(0x80 | n) for n in range(65)}
PCAPNG["tsresol-10^-127"] = _resolution(127)
PCAPNG["tsresol-2^-127"] = _resolution(0xFF)
for _offset in (1, (1 << 63) - 1, 1 << 63, (1 << 64) - 1, (1 << 64) - 1767323045):
    PCAPNG[f"tsoffset-{_offset}"] = _resolution(6, offset=_offset)
    PCAPNG[f"tsoffset-{_offset}-2^-30"] = _resolution(0x80 | 30, offset=_offset)
PCAPNG["big-endian-10^-9"] = _resolution(9, ">")
PCAPNG["big-endian-2^-40-offset"] = _resolution(0x80 | 40, ">", offset=3)
# libpcap compares a later interface's LINKTYPE_RAW (101) with the first one's DLT_RAW (12), and refuses it
PCAPNG["two-raw-ip-interfaces"] = _pcapng(
    "<", [_idb("<", linktype=101), _idb("<", linktype=101)], [(0, 1), (1, 2)], link_header=14
)
PCAPNG["two-interfaces"] = _pcapng(
    "<", [_idb("<", 9), _idb("<", 0x80 | 10, 7)], [(i % 2, t) for i, t in enumerate(STAMPS)]
)

# --- classic pcap ------------------------------------------------------------------------------------

# (seconds, fraction) fields as written: 2038, -1, fractions of a second and more
TIMES = [(0, 0), (1, 999_999), (2, 1_000_000), (1767323045, 123456), ((1 << 31) - 1, 999_999_999)]
TIMES += [(1 << 31, 1), (0xFFFFFFFF, 0xFFFFFFFF), (5, 0x80000000), (6, 0x7FFFFFFF), (7, 4294966)]
MAGIC = {"micro": 0xA1B2C3D4, "nano": 0xA1B23C4D, "kuznetsov": 0xA1B2CD34}


def _pcap(
    version: tuple[int, int],
    order: str = "<",
    magic: str = "micro",
    original_first: bool = False,
    snaplen: int = 262144,
    extra: int = 3,
) -> bytes:
    """Records of :data:`TIMES`, each frame ``extra`` bytes shorter than its original length, the
    original length written first where ``original_first`` (as before version 2.3)."""
    out = struct.pack(order + "IHHiIII", MAGIC[magic], *version, 0, 0, snaplen, 1)
    for i, (sec, frac) in enumerate(TIMES):
        frame = FRAMES[i % len(FRAMES)]
        lengths = (len(frame) + extra, len(frame)) if original_first else (len(frame), len(frame) + extra)
        out += struct.pack(order + "IIII", sec, frac, *lengths)
        out += b"\0" * 8 if magic == "kuznetsov" else b""
        out += frame
    return out


PCAP: dict[str, bytes] = {}
for _order, _order_name in (("<", "le"), (">", "be")):
    for _magic in ("micro", "nano"):
        tag = f"{_order_name}-{_magic}"
        PCAP[f"2.4-{tag}"] = _pcap((2, 4), _order, _magic)
        PCAP[f"2.0-{tag}"] = _pcap((2, 0), _order, _magic, original_first=True)
        PCAP[f"2.2-{tag}"] = _pcap((2, 2), _order, _magic, original_first=True)
        PCAP[f"2.3-swapped-{tag}"] = _pcap((2, 3), _order, _magic, original_first=True)
        PCAP[f"2.3-{tag}"] = _pcap((2, 3), _order, _magic)
        PCAP[f"543.0-{tag}"] = _pcap((543, 0), _order, _magic, original_first=True)
        PCAP[f"2.1-equal-lengths-{tag}"] = _pcap((2, 1), _order, _magic, original_first=True, extra=0)
PCAP["2.4-kuznetsov"] = _pcap((2, 4), magic="kuznetsov")
PCAP["2.4-snaplen-40"] = _pcap((2, 4), snaplen=40)
PCAP["2.0-snaplen-40"] = _pcap((2, 0), snaplen=40, original_first=True)
PCAP["2.0-snaplen-65536-huge"] = _pcap((2, 0), snaplen=65536, extra=9175162 - 47)  # libpcap refuses it

FILES = {
    **{f"{name}.pcapng": data for name, data in PCAPNG.items()},
    **{f"{n}.pcap": d for n, d in PCAP.items()},
}


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("libpcap-rules")
    for name, data in FILES.items():
        (path / name).write_bytes(data)
    return path


def _records(path: str, backend: str, precision: str) -> tuple[list[tuple], str | None]:
    """The records a backend hands on, and the message it stops with (None at the end of the file)."""
    records: list[tuple] = []
    try:
        handle = backends.open_offline(path, backend, precision)
    except CaptureFileError as exc:
        return records, str(exc)
    try:
        for record in handle.records():
            records.append(tuple(record))
    except CaptureFileError as exc:
        return records, str(exc)
    finally:
        handle.close()
    return records, None


def _pycapture(path: str, backend: str, precision: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(
        command, ["--backend", backend, "-n", "--time-stamp-precision", precision, "-r", path]
    )
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise AssertionError(f"{backend}: {res.exception!r}") from res.exception
    return res.exit_code, res.stdout, res.stderr


def _tcpdump(path: str, precision: str) -> tuple[int, str, str]:
    nano = ["--nano"] if precision == "nano" else []
    res = subprocess.run(
        [tool("tcpdump"), "-n", *nano, "-r", path],
        capture_output=True,
        env={"TZ": "UTC", "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    return res.returncode, res.stdout.decode("latin-1"), res.stderr.decode("latin-1")


@pytest.mark.parametrize("name", list(FILES))
def test_every_backend_reads_as_libpcap_and_prints_as_tcpdump(name: str, directory: Path, utc: None) -> None:
    path = str(directory / name)
    for precision in PRECISIONS:
        expected = _records(path, "pcapy", precision)
        for backend in ("file", "scapy"):
            assert _records(path, backend, precision) == expected, (backend, precision)
        status, out, err = _tcpdump(path, precision)
        error = expected[1]
        assert (status == 1) == (error is not None), err
        if error is not None:  # tcpdump ends with libpcap's message, as pycapture's error line quotes it
            assert err.rstrip("\n").endswith(error.split(": ", 1)[1]), (err, error)
        for backend in BACKENDS:
            ours = _pycapture(path, backend, precision)
            assert ours[:2] == (status, out), (backend, precision, ours[2])
            assert "Traceback" not in ours[2]
            if error is not None:
                assert error.split(": ", 1)[1] in ours[2], (backend, ours[2])


def test_the_matrix_holds_what_it_is_for(directory: Path) -> None:
    """Guards against a generator that tests nothing: the lengths really are swapped where libpcap swaps
    them, the refused resolutions are refused, and 2^63 seconds come out as -2^63."""
    swapped, _ = _records(str(directory / "2.0-le-micro.pcap"), "file", "micro")
    assert [(len(r[3]), r[2]) for r in swapped[:2]] == [(len(FRAMES[0]), len(FRAMES[0]) + 3)] * 1 + [
        (len(FRAMES[1]), len(FRAMES[1]) + 3)
    ]
    assert _records(str(directory / "2.0-snaplen-65536-huge.pcap"), "file", "micro") == (
        [],
        f"{directory / '2.0-snaplen-65536-huge.pcap'}: invalid packet capture length 9175162, bigger than "
        "snaplen of 65536",
    )
    huge = _records(str(directory / "tsresol-10^-127.pcapng"), "file", "micro")
    assert huge == (
        [],
        f"{directory / 'tsresol-10^-127.pcapng'}: Interface Description Block if_tsresol "
        "option resolution 10^-127 is too high",
    )
    assert _records(str(directory / "tsresol-2^-64.pcapng"), "file", "micro")[1] is not None
    assert _records(str(directory / "tsresol-2^-63.pcapng"), "file", "micro")[1] is None
    seconds = [r[0] for r in _records(str(directory / "tsresol-10^-0.pcapng"), "file", "micro")[0]]
    assert seconds[-2:] == [-(1 << 63), -1]
    # a byte-swapped file's fields come unsigned, a native one's signed (libpcap's SWAPLONG is unsigned)
    native = _records(str(directory / "2.4-le-micro.pcap"), "file", "micro")[0][6]
    swapped_order = _records(str(directory / "2.4-be-micro.pcap"), "file", "micro")[0][6]
    assert native[:2] == (-1, -1) and swapped_order[:2] == (0xFFFFFFFF, 0xFFFFFFFF)


def test_nanoseconds_read_in_microseconds_are_cut_toward_zero(directory: Path) -> None:
    """libpcap divides as C does: a fraction field of -1 ns is 0 us, not -1."""
    records, _ = _records(str(directory / "2.4-le-nano.pcap"), "file", "micro")
    assert records[6][:2] == (-1, 0)
    assert records[6][:2] == _records(str(directory / "2.4-le-nano.pcap"), "pcapy", "micro")[0][6][:2]


def test_a_file_is_read_in_nanoseconds_where_its_interface_counts_finer_than_microseconds(
    directory: Path,
) -> None:
    """pycapture's own choice (tcpdump reads in microseconds unless told): every backend takes a file in
    nanoseconds by default where its resolution is finer than a microsecond, so nothing is lost."""
    for n in range(20):
        for name, ticks in ((f"tsresol-10^-{n}.pcapng", 10**n), (f"tsresol-2^-{n * 3}.pcapng", 2 ** (n * 3))):
            for backend in BACKENDS:
                with backends.open_offline(str(directory / name), backend) as handle:
                    assert handle.nanosecond == (ticks > 10**6), (name, backend)


@pytest.mark.parametrize(
    "name",
    [
        "tsresol-10^-20.pcapng",
        "tsresol-2^-64.pcapng",
        "tsresol-10^-127.pcapng",
        "2.0-snaplen-65536-huge.pcap",
        "two-raw-ip-interfaces.pcapng",
    ],
)
def test_walker_finds_what_libpcap_refuses(name: str, directory: Path) -> None:
    """pycapture.savefile.damage names the block or record libpcap stops at, by the same rules."""
    records, error = _records(str(directory / name), "pcapy", "micro")
    damage = diagnose(str(directory / name))
    assert error is not None and damage is not None and damage.problem
    assert damage.packets_before == len(records)
    if name.startswith("tsresol"):
        assert damage.offset == 28 and "if_tsresol" in damage.problem  # the interface, after the section


# --- damaged and odd files: the file backend stops where libpcap stops, with its message ---------------


def _as_in_libpcap_1_10(message: str | None) -> str | None:
    """pcapy-ng's libpcap 1.9.1 message in the words of 1.10 (tcpdump's), which the file backend uses."""
    if message is None:
        return None
    message = message.replace("that is not a multiple of 4zu", "that is not a multiple of 4")  # a 1.9 typo
    if "an interface has a snapshot length" in message:
        message = message.replace("the type of the first", "the snapshot length of the first")
    return message


FUZZ_BASES = [
    *BASES,
    PCAPNG["tsresol-10^-9"],
    PCAPNG["two-interfaces"],
    PCAPNG["big-endian-2^-40-offset"],
    PCAP["2.0-le-micro"],
    PCAP["2.3-swapped-be-nano"],
    PCAP["543.0-le-micro"],
    PCAP["2.4-kuznetsov"],
    PCAP["2.4-snaplen-40"],
]


@fuzz(200)
@given(base=st.sampled_from(FUZZ_BASES), edits=st.lists(EDIT, min_size=1, max_size=3))
@example(base=BASES[5], edits=[("set", 316, 0x7F)])  # a second section whose interface is no IDB
@example(base=BASES[4], edits=[("set", 14, 2)])  # pcapng 1.2, which libpcap 1.10 reads and 1.9 refuses
def test_file_backend_stops_where_libpcap_stops(directory: Path, base: bytes, edits: list) -> None:
    path = str(directory / "fuzzed")
    Path(path).write_bytes(mutate(base, edits))
    for precision in PRECISIONS:
        records, error = _records(path, "pcapy", precision)
        if error is not None and error.endswith("unsupported pcapng savefile version 1.2"):
            records, error = _records(path, "scapy", precision)  # libpcap 1.10 reads pcapng 1.2, as 1.0
        assert _records(path, "file", precision) == (records, _as_in_libpcap_1_10(error))
