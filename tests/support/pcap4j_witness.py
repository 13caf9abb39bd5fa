"""Pcap4J as an outside witness: its dump of saved captures beside pycapture's -v, block by block.

``../shared/pcap4j/pcap4j-dump`` runs unmodified Pcap4J (2.0.0-alpha.6, its GetNextPacketEx sample read
offline). ``witness_blocks`` runs it once over many files in ``marked`` mode and splits its output into
one block per packet; ``our_blocks`` formats the same packets as ``pycapture -v`` does, in this process.
Both sides print times in UTC.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

from pycapture import PcapError, open_offline
from pycapture.decode import rich
from pycapture.output.pcap4j import format_packet
from support.env import SHARED

PCAP4J_DUMP = SHARED / "pcap4j" / "pcap4j-dump"

Key = tuple[str, int]
"""A packet: its file's path as given, and its number in the file from 1."""


def witness_missing() -> str | None:
    """Why pcap4j-dump cannot run here, or None when it can."""
    if not PCAP4J_DUMP.is_file():
        return f"{PCAP4J_DUMP} is not present"
    if shutil.which("java") is None:
        return "java is not installed (apt-get install openjdk-17-jre-headless)"
    for jar in ("jna", "slf4j-api"):
        if not Path(f"/usr/share/java/{jar}.jar").is_file():
            return f"/usr/share/java/{jar}.jar is missing (apt-get install libjna-java libslf4j-java)"
    return None


def witness_blocks(files: Iterable[str]) -> dict[Key, str]:
    """Pcap4J's dump of every packet of ``files`` (which libpcap must be able to open), by packet."""
    names = list(files)
    env = {**os.environ, "TZ": "UTC"}
    out = subprocess.run(
        [str(PCAP4J_DUMP), "--mode", "marked", *names], env=env, capture_output=True, text=True, check=False
    ).stdout
    blocks: dict[Key, str] = {}
    key: Key | None = None
    lines: list[str] = []
    for line in out.splitlines(keepends=True):
        if line.startswith("#### "):
            if key is not None:
                blocks[key] = "".join(lines)
            if line == "#### END\n":
                key = None
            else:
                path, number = line[5:].rstrip("\n").rsplit(" ", 1)
                key = (path, int(number))
            lines = []
        elif key is not None:
            lines.append(line)
    if key is not None:
        blocks[key] = "".join(lines)
    return blocks


def our_blocks(path: str) -> dict[Key, str]:
    """pycapture's -v dump of every packet of ``path`` (without the blank line after each), by packet."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    blocks: dict[Key, str] = {}
    try:
        with open_offline(path) as handle:
            for number, packet in enumerate(handle, 1):
                decoded = rich.decode(packet.linktype, packet.raw)
                blocks[(path, number)] = format_packet(
                    decoded,
                    packet.ts_sec,
                    packet.ts_frac,
                    packet.original_length,
                    len(packet.raw),
                    nano=packet.nanosecond,
                )
    except PcapError:
        pass  # what libpcap reads of a damaged file is compared up to where it stops
    finally:
        if previous is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = previous
        time.tzset()
    return blocks
