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
from collections.abc import Callable, Iterable
from pathlib import Path

from pycapture import PcapError, open_offline
from pycapture.decode import rich
from pycapture.output.pcap4j import format_packet
from support.corpus import corpus_rows
from support.env import CAPTURES, CORPUS, SHARED
from support.expected import HEADER, ranges

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
    """Pcap4J's dump of every packet of ``files``, by packet. pcap4j-dump stops at the first file libpcap
    cannot open; the dump goes on after it, so one bad file hides nothing."""
    names = list(files)
    blocks: dict[Key, str] = {}
    while names:
        found, ok = _dump(names)
        blocks.update(found)
        if ok:
            break
        seen = {path for path, _number in found}
        last = max((i for i, name in enumerate(names) if name in seen), default=-1)
        # the run died in a file after the last one it printed: dump the next alone, go on after it
        blocks.update(_dump(names[last + 1 : last + 2])[0])
        names = names[last + 2 :]
    return blocks


def _dump(names: list[str]) -> tuple[dict[Key, str], bool]:
    """The blocks of one pcap4j-dump run over ``names``, and whether it ran to the end."""
    env = {**os.environ, "TZ": "UTC"}
    run = subprocess.run(
        [str(PCAP4J_DUMP), "--mode", "marked", *names], env=env, capture_output=True, text=True, check=False
    )
    blocks: dict[Key, str] = {}
    key: Key | None = None
    lines: list[str] = []
    for line in run.stdout.splitlines(keepends=True):
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
    if key is not None and run.returncode == 0:  # a block cut short by a crash is not Pcap4J's dump
        blocks[key] = "".join(lines)
    return blocks, run.returncode == 0


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


def first_difference(ours: str | None, theirs: str | None) -> tuple[str, str]:
    """The first line where two blocks differ (``<none>`` for a block one side lacks, ``<end>`` past
    the end of one)."""
    if ours is None or theirs is None:
        return ("<none>" if ours is None else ours.split("\n", 1)[0]), ("<none>" if theirs is None else "")
    a, b = ours.splitlines(), theirs.splitlines()
    for x, y in zip(a, b):
        if x != y:
            return x, y
    return (a[len(b)] if len(a) > len(b) else "<end>"), (b[len(a)] if len(b) > len(a) else "<end>")


# Why a block differs, from its first differing line (ours, Pcap4J's): the first rule that matches.
CAUSES: list[tuple[str, str, Callable[[str, str], bool]]] = [
    (
        "pcap4j-exception",
        "Pcap4J's toString() throws on the packet (pcap4j-dump prints !!EXC-toString): a Pcap4J fault",
        lambda ours, theirs: theirs.startswith("!!EXC"),
    ),
    (
        "beyond-pcap4j",
        "pycapture decodes a header Pcap4J leaves as [data] or [Fragmented data] (GRE, Cisco HDLC, Frame "
        "Relay, ARCNET, PPPoE, PPI, IPoIB, IPNET, Juniper, ESP, AH over IPv4, IGMP, DHCP, DHCPv6, NTP, TLS, "
        "HTTP, VXLAN, Geneve, Arista's header, QinQ, the transport header of a first IPv4 fragment, ...)",
        lambda ours, theirs: (
            ours.startswith("[")
            and not ours.startswith(("[data ", "[Illegal Packet"))
            and theirs.startswith(("[data (", "[Fragmented data ("))
        ),
    ),
]
OPEN_CAUSE = "open"
OPEN_REASON = (
    "a difference in a header Pcap4J decodes, not closed yet (issue 16): listed so that any new "
    "difference fails the test"
)


def cause_of(ours: str | None, theirs: str | None) -> str:
    """The cause (a name in :data:`CAUSES`, or :data:`OPEN_CAUSE`) of a differing block."""
    a, b = first_difference(ours, theirs)
    return next((name for name, _reason, matches in CAUSES if matches(a, b)), OPEN_CAUSE)


EXPECTED = Path(__file__).resolve().parent.parent / "output" / "pcap4j_expected_differences.tsv"


def compared_files() -> dict[str, str]:
    """The captures the conformance test compares (captures/ and the corpus), by the name its list of
    expected differences gives them."""
    files = {f"captures/{p.name}": str(p) for p in sorted(CAPTURES.glob("*.pcap*"))}
    files.update((row["file"], str(CORPUS / row["file"])) for row in corpus_rows())
    return files


def differing_blocks() -> tuple[dict[Key, tuple[str | None, str | None]], int]:
    """Every packet whose block differs, as (file name, number): (ours, Pcap4J's), and how many packets
    were compared."""
    files = compared_files()
    theirs = witness_blocks(files.values())
    ours: dict[Key, str] = {}
    for path in files.values():
        ours.update(our_blocks(path))
    name_of = {path: name for name, path in files.items()}
    keys = theirs.keys() | ours.keys()
    differing = {
        (name_of[path], n): (ours.get((path, n)), theirs.get((path, n)))
        for path, n in keys
        if ours.get((path, n)) != theirs.get((path, n))
    }
    return differing, len(keys)


def expected_text(differing: dict[Key, tuple[str | None, str | None]]) -> str:
    """The list of expected differences that lists ``differing``, each packet under its cause."""
    by_cause: dict[tuple[str, str], list[int]] = {}
    for (name, number), (ours, theirs) in differing.items():
        by_cause.setdefault((name, cause_of(ours, theirs)), []).append(number)
    reasons = [(name, reason) for name, reason, _matches in CAUSES] + [(OPEN_CAUSE, OPEN_REASON)]
    used = {cause for _name, cause in by_cause}
    lines = [
        "# Where pycapture's -v block of a packet is not Pcap4J's (pcap4j-dump, Pcap4J 2.0.0-alpha.6,",
        "# TZ=UTC), over ../shared/corpus and captures/. test_pcap4j_conformance.py fails on a difference",
        "# not listed here, on a listed one that no longer occurs, and on one whose cause changed, so this",
        "# file stays the true list. Written by `cd tests && PYTHONPATH=../src ../.venv/bin/python -m",
        "# support.pcap4j_witness` from the rules in that module. Columns: file, packets (1-based numbers",
        "# and ranges), cause.",
        "#",
        *(f"# {name}: {reason}" for name, reason in reasons if name in used),
        HEADER,
    ]
    for name, cause in sorted(by_cause, key=lambda k: (k[1] != "open", k)):
        lines.append(f"{name}\t{ranges(by_cause[name, cause])}\t{cause}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    why = witness_missing()
    if why is not None:
        sys.exit(f"pcap4j_witness: {why}")
    found, total = differing_blocks()
    EXPECTED.write_text(expected_text(found), encoding="utf-8")
    print(f"{total - len(found)} of {total} blocks identical ({100 * (total - len(found)) / total:.2f}%)")
    print(f"wrote {EXPECTED}")
