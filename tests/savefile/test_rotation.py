"""Saving to files: tcpdump's -C/-W and dumpcap's -b rotation, pcapng output, and what they promise.

Every rotated series is checked the same way: its files, read in rotation order, hold the packets
that went in, each exactly once, in order. tcpdump's rotation is compared with tcpdump's own files.
"""

from __future__ import annotations

import re
import struct
import subprocess
from pathlib import Path

import pcapy
import pytest

from support.commands import run_cli, tool
from support.env import CAPTURES

_FRAME = bytes.fromhex("020000000001020000000002") + b"\x88\xb5"  # Ethernet, local experimental type


def make_capture(path: Path, count: int, size: int = 1000, nanosecond: bool = False) -> list[bytes]:
    """A pcap of ``count`` distinct frames (written with struct, not with the code under test)."""
    magic = 0xA1B23C4D if nanosecond else 0xA1B2C3D4
    frames = []
    with path.open("wb") as f:
        f.write(struct.pack("=IHHiIII", magic, 2, 4, 0, 0, 262144, 1))
        for i in range(count):
            frame = _FRAME + (i.to_bytes(4, "big") * size)[: size - len(_FRAME)]
            f.write(
                struct.pack(
                    "=IIII",
                    1_700_000_000 + i,
                    123_456_789 if nanosecond else 123_456,
                    len(frame),
                    len(frame) + 4,
                )
            )
            f.write(frame)
            frames.append(frame)
    return frames


def read_packets(path: Path) -> list[tuple[tuple[int, int], int, bytes]]:
    """((sec, frac), original length, bytes) of every packet, read by libpcap."""
    reader = pcapy.open_offline(str(path))
    result = []
    while True:
        hdr, data = reader.next()
        if hdr is None:
            return result
        result.append((hdr.getts(), hdr.getlen(), data))


def frames_of(files: list[Path]) -> list[bytes]:
    return [data for f in files for _, _, data in read_packets(f)]


def assert_same_packets(got: list[bytes], expected: list[bytes]) -> None:
    """The same frames in the same order; a failure names the sequence numbers, not kilobytes of bytes."""
    assert [int.from_bytes(f[14:18], "big") for f in got] == [
        int.from_bytes(f[14:18], "big") for f in expected
    ]
    assert got == expected


@pytest.fixture
def three_mb(tmp_path) -> tuple[Path, list[bytes]]:
    src = tmp_path / "in.pcap"
    return src, make_capture(src, 3000)


def _tcpdump_order(directory: Path, base: str) -> list[Path]:
    """The files of a tcpdump -C series in the order they were written (file, file1, file2...)."""
    files = [p for p in directory.iterdir() if p.name.startswith(base)]
    return sorted(files, key=lambda p: int(p.name[len(base) :] or 0))


@pytest.mark.parametrize(
    ("args", "first_kept"),
    [
        (["-C", "1"], 0),
        (["-C", "1", "-W", "10"], 0),
        (["-C", "1", "-W", "11"], 0),
        (["-C", "1", "-W", "2"], 2 * 985),
    ],
    ids=["C", "C-W10", "C-W11-two-digits", "C-W2-ring"],
)
def test_tcpdump_rotation_makes_tcpdump_s_files(tmp_path, three_mb, args, first_kept):
    """Same names, same split, same bytes as tcpdump -C/-W writes from the same input."""
    tcpdump = tool("tcpdump")
    src, frames = three_mb
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir()
    theirs.mkdir()
    res = run_cli("-r", str(src), "-w", str(ours / "f.pcap"), *args)
    assert res.returncode == 0, res.stderr
    subprocess.run(
        [tcpdump, "-Z", "root", "-r", str(src), "-w", str(theirs / "f.pcap"), *args],
        check=True,
        capture_output=True,
    )
    names = sorted(p.name for p in ours.iterdir())
    assert names == sorted(p.name for p in theirs.iterdir())
    for name in names:
        assert (ours / name).read_bytes() == (theirs / name).read_bytes(), name
    # 985 records of 1016 bytes fill a file past 1,000,000 bytes: 985, 985, 985, 45. A ring of two
    # files wraps: f.pcap0 holds the third file's packets, f.pcap1 the fourth's
    assert_same_packets(frames_of(_tcpdump_order(ours, "f.pcap")), frames[first_kept:])
    assert "3000 packets captured" in res.stderr.decode()


def test_tcpdump_size_suffix_is_kib(tmp_path, three_mb):
    """-C 300k: each file is over 300 KiB only by its last packet (newer tcpdump's k/m/g)."""
    src, frames = three_mb
    assert run_cli("-r", str(src), "-w", str(tmp_path / "s"), "-C", "300k").returncode == 0
    files = _tcpdump_order(tmp_path, "s")
    assert len(files) == 10
    for f in files[:-1]:
        size = f.stat().st_size
        assert size - (16 + 1000) <= 300 * 1024 < size
    assert_same_packets(frames_of(files), frames)


_DUMPCAP_NAME = re.compile(r"d_(\d{5})_(\d{14})\.pcap")


def _dumpcap_order(directory: Path) -> list[Path]:
    files = [p for p in directory.iterdir() if _DUMPCAP_NAME.fullmatch(p.name)]
    return sorted(files, key=lambda p: int(_DUMPCAP_NAME.fullmatch(p.name).group(1)))


def test_dumpcap_filesize_names_and_splits_as_dumpcap(tmp_path, three_mb):
    """-b filesize:KB (1000-byte kB): dumpcap's names, switching right after the packet that fills a file."""
    src, frames = three_mb
    out = tmp_path / "out"
    out.mkdir()
    assert run_cli("-r", str(src), "-w", str(out / "d.pcap"), "-b", "filesize:500").returncode == 0
    files = _dumpcap_order(out)
    assert len(files) == len(list(out.iterdir()))
    assert [int(_DUMPCAP_NAME.fullmatch(f.name).group(1)) for f in files] == list(range(1, len(files) + 1))
    for f in files[:-1]:
        size = f.stat().st_size
        assert size - (16 + 1000) < 500_000 <= size
    assert_same_packets(frames_of(files), frames)


def test_dumpcap_ring_keeps_the_newest_files_whole(tmp_path, three_mb):
    """-b packets:N -b files:K: K files remain, N packets each, the newest packets, none twice."""
    src, frames = three_mb
    out = tmp_path / "out"
    out.mkdir()
    res = run_cli("-r", str(src), "-w", str(out / "d.pcap"), "-b", "packets:700", "-b", "files:3")
    assert res.returncode == 0, res.stderr
    files = _dumpcap_order(out)
    # 3000 packets: files 1-4 hold 700 each, file 5 holds 200; dumpcap deleted 1 and 2
    assert [int(_DUMPCAP_NAME.fullmatch(f.name).group(1)) for f in files] == [3, 4, 5]
    assert [len(read_packets(f)) for f in files] == [700, 700, 200]
    assert_same_packets(frames_of(files), frames[1400:])


@pytest.mark.parametrize(
    "args",
    [
        ["-C", "1"],
        ["-w", "-", "-C", "1"],
        ["-w", "x.pcap", "-C", "1", "-b", "filesize:10"],
        ["-w", "x.pcap", "-b", "files:3"],
        ["-w", "x.pcap", "-b", "size:3"],
        ["-w", "x.pcap", "-C", "0"],
        ["-w", "x.pcap", "-W", "3"],
        ["-w", "x.pcap", "--comment", "pcap has no comments"],
    ],
)
def test_options_that_do_not_go_together_are_usage_errors(tmp_path, args):
    res = run_cli("-r", str(CAPTURES / "icmp.pcap"), *args, cwd=str(tmp_path))
    assert res.returncode == 2
    err = res.stderr.decode()
    assert "Traceback" not in err and "Error: " in err


def test_pcapng_output_has_interface_description_and_comments(tmp_path):
    """--pcapng: tshark and capinfos read pycapture's application, comments, precision, link type."""
    tshark, capinfos = tool("tshark"), tool("capinfos")
    src = tmp_path / "nano.pcap"
    make_capture(src, 50, size=200, nanosecond=True)
    out = tmp_path / "out.pcapng"
    res = run_cli(
        "-r",
        str(src),
        "-w",
        str(out),
        "--pcapng",
        "--comment",
        "first run",
        "--comment",
        "ünïcode",
        "ether proto 0x88b5",
    )
    assert res.returncode == 0, res.stderr
    info = subprocess.run([capinfos, str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"File type:\s+Wireshark/\.\.\. - pcapng", info)
    assert re.search(r"Capture application:\s+pycapture \d", info)
    assert re.search(r"Capture comment:\s+first run", info) and re.search(r"Capture comment:\s+ünïcode", info)
    assert re.search(r"Encapsulation = Ethernet \(1 - ether\)", info)
    assert re.search(r"Capture length = 262144", info)
    assert re.search(r"Time precision = nanoseconds \(9\)", info)
    assert re.search(r"Filter string = ether proto 0x88b5", info)
    assert re.search(r"Number of packets:\s+50\b", info)

    def fields(path: Path) -> list[str]:
        cmd = [
            tshark,
            "-r",
            str(path),
            "-T",
            "fields",
            "-e",
            "frame.time_epoch",
            "-e",
            "frame.len",
            "-e",
            "frame.cap_len",
            "-e",
            "data.data",
        ]
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.splitlines()

    theirs = fields(src)
    assert len(theirs) == 50 and ".123456789" in theirs[0]
    assert fields(out) == theirs  # nanoseconds, original lengths and bytes all kept


def test_pcapng_microsecond_and_rotated_files_each_stand_alone(tmp_path, three_mb):
    """Each file of a pcapng series starts with its own section and interface: tshark reads each."""
    tshark = tool("tshark")
    src, frames = three_mb
    out = tmp_path / "out"
    out.mkdir()
    assert (
        run_cli("-r", str(src), "-w", str(out / "d.pcap"), "--pcapng", "-b", "filesize:1000").returncode == 0
    )
    files = _dumpcap_order(out)
    assert len(files) == 4
    total = 0
    for f in files:
        res = subprocess.run(
            [tshark, "-r", str(f), "-T", "fields", "-e", "frame.time_epoch"], capture_output=True, text=True
        )
        assert res.returncode == 0, res.stderr
        total += len(res.stdout.splitlines())
    assert total == 3000
    assert_same_packets(frames_of(files), frames)
    first = read_packets(files[0])[0]
    assert first[0] == (1_700_000_000, 123_456) and first[1] == 1004  # original length kept


def test_plain_write_is_byte_for_byte_tcpdump_s(tmp_path):
    """The writer's own buffering changes nothing: a sample capture copied with -w is tcpdump's copy."""
    tcpdump = tool("tcpdump")
    src = CAPTURES / "icmp.pcap"
    ours, theirs = tmp_path / "ours.pcap", tmp_path / "theirs.pcap"
    assert run_cli("-r", str(src), "-w", str(ours)).returncode == 0
    subprocess.run(
        [tcpdump, "-Z", "root", "-r", str(src), "-w", str(theirs)], check=True, capture_output=True
    )
    assert ours.read_bytes() == theirs.read_bytes()


def test_tcpdump_rotation_at_exactly_the_size_waits_for_the_next_packet(tmp_path):
    """24 + 956 records of 1046 bytes make exactly 1,000,000: not *larger* than -C 1, so tcpdump goes on."""
    tcpdump = tool("tcpdump")
    src = tmp_path / "in.pcap"
    frames = make_capture(src, 2000, size=1046 - 16)
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir()
    theirs.mkdir()
    assert run_cli("-r", str(src), "-w", str(ours / "e"), "-C", "1").returncode == 0
    subprocess.run([tcpdump, "-Z", "root", "-r", str(src), "-w", str(theirs / "e"), "-C", "1"], check=True)
    assert sorted(p.name for p in ours.iterdir()) == sorted(p.name for p in theirs.iterdir())
    files = _tcpdump_order(ours, "e")
    assert [len(read_packets(f)) for f in files] == [957, 957, 86]
    for f in files:
        assert f.read_bytes() == (theirs / f.name).read_bytes()
    assert_same_packets(frames_of(files), frames)
