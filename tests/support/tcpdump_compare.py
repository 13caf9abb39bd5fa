"""pycapture's text lines against tcpdump's own, on a capture written from crafted frames.

The printer tests (TCP, IP, link types, 802.11, Ethernet protocols, ICMPv6) all do the same three things:
write frames into a pcap (some cut short by the capture, some by the wire), run the installed tcpdump and
``pycapture`` with the same flags, and compare the lines. This module does them once.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from pycapture.savefile.pcap_writer import PcapWriter
from support.commands import run_cli, tool


def write_capture(path: Path, frames: Iterable[Sequence], linktype: int = 1) -> Path:
    """Write ``frames`` into the pcap ``path``: each ``(frame, cut)`` or ``(frame, cut, missing)``, the
    capture holding the frame less its last ``cut + missing`` bytes and the wire less ``missing``."""
    writer = PcapWriter(str(path), linktype)
    for number, (frame, cut, *rest) in enumerate(frames, 1):
        missing = rest[0] if rest else 0
        writer.write(number, 0, len(frame) - missing, frame[: len(frame) - cut - missing])
    writer.close()
    return path


def timestamped(line: str) -> bool:
    """Whether ``line`` is a packet's first line (``-tt``'s seconds), not a hex dump's or a tail's."""
    return line[:1].isdigit()


def every_line(_line: str) -> bool:
    return True


def nonempty(line: str) -> bool:
    return bool(line)


def assert_tcpdump_lines(
    path: Path, pure: str, *flags: str, keep: Callable[[str], bool] = every_line
) -> list[str]:
    """``pycapture -n -tt FLAGS -r path`` prints tcpdump's lines, the lines ``keep`` takes of both,
    with the compiled printer (``pure=""``) or the Python's (``pure="1"``). Returns tcpdump's lines."""
    expected = subprocess.run(
        [tool("tcpdump"), "-n", "-tt", *flags, "-r", str(path)], capture_output=True, text=True, check=True
    ).stdout
    got = run_cli(
        "-n", "-tt", *flags, "-r", str(path), text=True, env=dict(os.environ, PYCAPTURE_PURE_PYTHON=pure)
    )
    assert got.returncode == 0, got.stderr
    want = [line for line in expected.splitlines() if keep(line)]
    lines = [line for line in got.stdout.splitlines() if keep(line)]
    differ = [(g, w) for g, w in zip(lines, want) if g != w]
    assert not differ, differ[:5]
    assert len(lines) == len(want)
    return want
