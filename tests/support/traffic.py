"""Packets for tests: the benchmark's traffic mix written to a file, a file's records as libpcap reads
them, UDP datagrams sent on loopback, and a text sink that keeps what a printer writes."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pcapy

from support.env import ROOT

MAKE_CAPTURE = ROOT / "benchmarks" / "make_capture.py"


def make_capture(path: Path, packets: int) -> Path:
    """Write ``packets`` packets of the benchmark's traffic mix (the same bytes on every run) to ``path``."""
    command = [sys.executable, str(MAKE_CAPTURE), str(path), "--packets", str(packets), "-q"]
    subprocess.run(command, check=True, timeout=300)
    return path


def frames_of(path: Path | str) -> list[bytes]:
    """The captured bytes of each packet libpcap reads of ``path``, in order."""
    return [data for _sec, _frac, _length, data in libpcap_records(Path(path))[1]]


def libpcap_records(path: Path) -> tuple[int, list[tuple[int, int, int, bytes]]]:
    """(linktype, records) of what libpcap reads of ``path``, up to any damage; (-1, []) if it cannot open it.

    Each record is (seconds, fraction, original length, captured bytes).
    """
    try:
        reader = pcapy.open_offline(str(path))
    except pcapy.PcapError:
        return -1, []
    records = []
    while True:
        try:
            header, data = reader.next()
        except pcapy.PcapError:
            break
        if header is None:
            break
        records.append((*header.getts(), header.getlen(), data))
    return reader.datalink(), records


class TextSink:
    """A text stream that keeps what is written to it, in ``parts``."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def flush(self) -> None:
        pass


def send_udp(port: int, count: int, payload: bytes = b"pycapture-test", interval: float = 0.01) -> None:
    """Send ``count`` UDP datagrams to 127.0.0.1:port (loopback only)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for i in range(count):
            s.sendto(payload + str(i).encode(), ("127.0.0.1", port))
            time.sleep(interval)


def free_udp_port() -> int:
    """A UDP port on 127.0.0.1 that nothing is bound to now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
