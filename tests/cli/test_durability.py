"""Nothing lost: signals under load, -U, a full disk and live rotation keep every captured packet.

Traffic goes to loopback only. Each written file is read back by tcpdump, tshark and pycapture, and
its packet count compared with the "N packets captured" statistic.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pcapy
import pytest

from support.commands import Capture, needs, run_cli, tool

pytestmark = pytest.mark.live

_MAGIC = b"pycapture-durability"


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def datagram(seq: int, size: int) -> bytes:
    return (_MAGIC + seq.to_bytes(4, "big")).ljust(size, b"\xa5")


def send_udp(port: int, count: int, size: int = 200, burst: int = 50, pause: float = 0.002) -> None:
    """Send ``count`` numbered datagrams to 127.0.0.1:port, in bursts gentle enough for no kernel drop."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for seq in range(count):
            s.sendto(datagram(seq, size), ("127.0.0.1", port))
            if seq % burst == burst - 1:
                time.sleep(pause)


class Flood:
    """Numbered datagrams to 127.0.0.1:port as fast as one thread sends them, until stopped."""

    def __init__(self, port: int, size: int = 1000) -> None:
        self.sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(port, size), daemon=True)
        self._thread.start()

    def _run(self, port: int, size: int) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            while not self._stop.is_set():
                try:
                    s.sendto(datagram(self.sent, size), ("127.0.0.1", port))
                except OSError:  # ENOBUFS under load: try again
                    continue
                self.sent += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)


def read_packets(path: Path) -> list[tuple[tuple[int, int], int, bytes]]:
    reader = pcapy.open_offline(str(path))
    result = []
    while True:
        hdr, data = reader.next()
        if hdr is None:
            return result
        result.append((hdr.getts(), hdr.getlen(), data))


def seqs(path: Path) -> list[int]:
    """Sequence numbers of the datagrams in a loopback capture (Ethernet + IPv4 + UDP = 42 bytes)."""
    out = []
    for _, _, data in read_packets(path):
        payload = data[42:]
        assert payload.startswith(_MAGIC), payload[:32]
        out.append(int.from_bytes(payload[len(_MAGIC) : len(_MAGIC) + 4], "big"))
    return out


def captured(err: str) -> int:
    match = re.search(r"^(\d+) packets? captured$", err, re.M)
    assert match, err
    return int(match.group(1))


def assert_readable_by_everyone(path: Path, count: int) -> None:
    """tcpdump, tshark and pycapture all read ``count`` packets, with no complaint."""
    tcpdump, tshark = tool("tcpdump"), tool("tshark")
    res = subprocess.run([tcpdump, "-n", "-r", str(path)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "truncated" not in res.stderr and "tcpdump:" not in res.stderr, res.stderr
    assert len(res.stdout.splitlines()) == count
    res = subprocess.run(
        [tshark, "-r", str(path), "-T", "fields", "-e", "frame.number"], capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    assert len(res.stdout.splitlines()) == count
    assert "cut short" not in res.stderr and "appears to have been cut" not in res.stderr, res.stderr
    res = run_cli("-r", str(path), "-w", os.devnull)
    assert res.returncode == 0, res.stderr
    assert captured(res.stderr.decode()) == count


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
@pytest.mark.parametrize("fmt", [[], ["--pcapng"]], ids=["pcap", "pcapng"])
def test_a_signal_under_load_leaves_every_captured_packet_in_the_file(live, tmp_path, sig, fmt):
    """Killed mid-flood, the file holds exactly the "captured" count of whole, numbered packets."""
    port = free_udp_port()
    out = tmp_path / "load.pcap"
    cap = Capture(["-i", "lo", "-B", "8192", "-w", str(out), *fmt, "udp", "dst", "port", str(port)])
    flood = Flood(port)
    try:
        deadline = time.monotonic() + 20
        while out.stat().st_size < 1_000_000 and time.monotonic() < deadline:  # well past a buffer's worth
            time.sleep(0.05)
        cap.proc.send_signal(sig)  # while the flood goes on
        status, _, err = cap.finish()
    finally:
        flood.stop()
    assert status == 0, err
    assert "Traceback" not in err
    n = captured(err)
    assert n > 500, err
    assert_readable_by_everyone(out, n)
    numbers = seqs(out)
    assert len(numbers) == n and numbers == sorted(set(numbers))  # whole packets, none twice


def test_packet_buffered_file_is_readable_while_the_capture_runs(live, tmp_path):
    """-U: each packet is in the file as soon as it is captured, not at exit."""
    port = free_udp_port()
    out = tmp_path / "u.pcap"
    cap = Capture(["-i", "lo", "-U", "--immediate-mode", "-w", str(out), "udp", "dst", "port", str(port)])
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for first, last in ((0, 3), (3, 5)):
                for seq in range(first, last):
                    s.sendto(datagram(seq, 100), ("127.0.0.1", port))
                deadline = time.monotonic() + 10
                while len(read_packets(out)) < last and time.monotonic() < deadline:
                    time.sleep(0.05)
                assert cap.proc.poll() is None, "the capture should still be running"
                assert seqs(out) == list(range(last))
                res = subprocess.run([tool("tcpdump"), "-n", "-r", str(out)], capture_output=True, text=True)
                assert res.returncode == 0 and len(res.stdout.splitlines()) == last, res.stderr
    finally:
        cap.proc.send_signal(signal.SIGINT)
        status, _, err = cap.finish()
    assert status == 0 and captured(err) == 5


@pytest.fixture
def tiny_disk():
    """A 256 KiB tmpfs of the test's own, unmounted afterwards."""
    needs(os.geteuid() == 0 and shutil.which("mount") is not None, "mounting a tmpfs needs root and mount(8)")
    where = Path(tempfile.mkdtemp(prefix="pycapture-full-"))
    res = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(where)], capture_output=True
    )
    if res.returncode != 0:
        where.rmdir()
        needs(False, f"cannot mount a tmpfs here: {res.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], capture_output=True, check=False)
        where.rmdir()


_FULL = re.compile(
    r"^pycapture: \S+: No space left on device after (\d+) packets; the file holds them, up to the last "
    r"complete one; free space there or write elsewhere; .*$"
)


def _full_disk_error(err: str) -> int:
    """The last stderr line is the full-disk error; return how many packets it says the file holds."""
    assert "Traceback" not in err
    last = err.rstrip("\n").splitlines()[-1]
    match = _FULL.match(last)
    assert match, err
    return int(match.group(1))


@pytest.mark.parametrize("fmt", [[], ["--pcapng"]], ids=["pcap", "pcapng"])
def test_full_disk_reading_a_file_ends_with_an_error_and_a_valid_prefix(tiny_disk, tmp_path, fmt):
    """Copying 1 MB onto a 256 KiB disk: exit 1, one line, and the file is the input's first packets."""
    src = tmp_path / "big.pcap"
    frames = []
    with src.open("wb") as f:
        f.write(bytes.fromhex("d4c3b2a1020004000000000000000000ffff000001000000"))
        for i in range(1000):
            frame = bytes(14) + i.to_bytes(4, "big") * 250
            f.write(
                int(1_700_000_000 + i).to_bytes(4, "little") + bytes(4) + (1014).to_bytes(4, "little") * 2
            )
            f.write(frame)
            frames.append(frame)
    out = tiny_disk / "out.pcap"
    res = run_cli("-r", str(src), "-w", str(out), *fmt)
    assert res.returncode == 1
    saved = _full_disk_error(res.stderr.decode())
    assert 100 < saved < 260
    assert_readable_by_everyone(out, saved)
    assert [data for _, _, data in read_packets(out)] == frames[:saved]


def test_full_disk_during_a_live_capture_keeps_every_complete_packet(live, tiny_disk):
    port = free_udp_port()
    out = tiny_disk / "live.pcap"
    cap = Capture(["-i", "lo", "-w", str(out), "udp", "dst", "port", str(port)])
    flood = Flood(port)
    try:
        status, _, err = cap.finish(timeout=60)  # the disk fills and the capture ends by itself
    finally:
        flood.stop()
    assert status == 1, err
    saved = _full_disk_error(err)
    assert saved > 100
    assert saved <= captured(err)
    assert_readable_by_everyone(out, saved)
    numbers = seqs(out)
    assert numbers == sorted(set(numbers))


def _number(pattern: re.Pattern[str], path: Path) -> int:
    """The file's place in its series: the number (or the time) that the name pattern's group holds."""
    match = pattern.fullmatch(path.name)
    assert match, path.name
    return int(re.sub(r"\D", "", match.group(1)) or 0)


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (["-C", "100k"], r"r\.pcap(\d*)"),
        (["-C", "100k", "-W", "100"], r"r\.pcap(\d\d)"),
        (["-b", "filesize:100"], r"r_(\d{5})_\d{14}\.pcap"),
        (["--pcapng", "-b", "packets:250", "-b", "files:1000"], r"r_(\d{5})_\d{14}\.pcap"),
    ],
    ids=["tcpdump-C", "tcpdump-C-W", "dumpcap-filesize", "dumpcap-packets-pcapng"],
)
def test_live_rotation_loses_and_repeats_no_packet(live, tmp_path, args, pattern):
    """2000 numbered datagrams captured into rotated files: all there, once each, in order."""
    port = free_udp_port()
    cap = Capture(
        [
            "-i",
            "lo",
            "-B",
            "8192",
            "-c",
            "2000",
            "-w",
            str(tmp_path / "r.pcap"),
            *args,
            "udp",
            "dst",
            "port",
            str(port),
        ]
    )
    send_udp(port, 2000, size=500)
    status, _, err = cap.finish(timeout=60)
    assert status == 0, err
    assert captured(err) == 2000
    regex = re.compile(pattern)
    files = sorted(tmp_path.iterdir(), key=lambda p: _number(regex, p))
    assert len(files) >= 8
    assert [s for f in files for s in seqs(f)] == list(range(2000))


@pytest.mark.parametrize(
    ("args", "name", "pattern"),
    [
        (["-G", "1"], "g-%Y%m%d-%H%M%S.pcap", r"g-(\d{8}-\d{6})\.pcap"),
        (["-b", "duration:0.7"], "g.pcap", r"g_(\d{5})_\d{14}\.pcap"),
    ],
    ids=["tcpdump-G", "dumpcap-duration"],
)
def test_live_time_rotation_names_files_and_loses_nothing(live, tmp_path, args, name, pattern):
    """-G 1 with a strftime name, or -b duration: a file per period, named as each tool does, none lost."""
    port = free_udp_port()
    cap = Capture(
        ["-i", "lo", "-c", "30", *args, "-w", str(tmp_path / name), "udp", "dst", "port", str(port)]
    )
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for seq in range(30):
            s.sendto(datagram(seq, 100), ("127.0.0.1", port))
            time.sleep(0.1)
    status, _, err = cap.finish()
    assert status == 0, err
    regex = re.compile(pattern)
    files = sorted(tmp_path.iterdir(), key=lambda p: _number(regex, p))
    assert len(files) >= 2
    assert [s for f in files for s in seqs(f)] == list(range(30))


def test_time_rotation_with_a_file_limit_stops_and_keeps_what_it_captured(live, tmp_path):
    """-G 1 -W 2: after two files' time pycapture stops by itself (as tcpdump), every packet saved."""
    port = free_udp_port()
    cap = Capture(
        [
            "-i",
            "lo",
            "-G",
            "1",
            "-W",
            "2",
            "-w",
            str(tmp_path / "g-%H%M%S.pcap"),
            "udp",
            "dst",
            "port",
            str(port),
        ]
    )
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for seq in range(100):
            if cap.proc.poll() is not None:
                break
            s.sendto(datagram(seq, 100), ("127.0.0.1", port))
            time.sleep(0.05)
    status, _, err = cap.finish()
    assert status == 0, err
    assert "Maximum file limit reached: 2" in err
    files = sorted(tmp_path.iterdir())
    assert len(files) == 2
    numbers = [s for f in files for s in seqs(f)]
    assert numbers == list(range(len(numbers))) and len(numbers) == captured(err)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_a_signal_right_after_the_banner_ends_the_capture_cleanly(live, tmp_path, sig):
    """Once "listening on" is printed, a signal is handled: statistics, exit 0, a valid empty file."""
    out = tmp_path / "early.pcap"
    cap = Capture(["-i", "lo", "-w", str(out), "udp port 9"])
    cap.proc.send_signal(sig)
    status, _, err = cap.finish()
    assert status == 0, err
    assert captured(err) == 0 and "dropped by kernel" in err
    assert_readable_by_everyone(out, 0)


def test_live_pcapng_describes_the_interface(live, tmp_path):
    """--pcapng on a live device: capinfos reads its name, libpcap's description, the filter, nanoseconds."""
    capinfos, tshark = tool("capinfos"), tool("tshark")
    port = free_udp_port()
    out = tmp_path / "any.pcapng"
    expression = f"udp dst port {port}"
    cap = Capture(
        ["-i", "any", "--nano", "--pcapng", "--comment", "live test", "-c", "3", "-w", str(out), expression]
    )
    send_udp(port, 3, size=100)
    status, _, err = cap.finish()
    assert status == 0, err
    info = subprocess.run([capinfos, str(out)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Name = any$", info, re.M)
    assert re.search(r"Description = Pseudo-device that captures on all interfaces$", info, re.M)
    assert re.search(rf"Filter string = {expression}$", info, re.M)
    assert re.search(r"Time precision = nanoseconds \(9\)", info)
    assert re.search(r"Capture comment:\s+live test$", info, re.M)
    fields = [tshark, "-r", str(out), "-T", "fields", "-e", "frame.interface_name", "-e", "frame.time_epoch"]
    lines = subprocess.run(fields, capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(lines) == 3 and all(line.startswith("any\t") for line in lines)
    assert all(len(line.split("\t")[1].split(".")[1]) == 9 for line in lines)
