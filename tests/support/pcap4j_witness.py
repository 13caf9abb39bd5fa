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
    """The first line where two blocks differ (``<missing>`` for a block one side lacks, ``<end>`` past
    the end of one)."""
    if ours is None or theirs is None:
        return ("<missing>" if ours is None else ours.split("\n", 1)[0]), (
            "<missing>" if theirs is None else theirs.split("\n", 1)[0]
        )
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
        lambda ours, theirs: theirs.startswith("!!EXC-toString"),
    ),
    (
        "read-error",
        "libpcap stops reading the file with an error: pcap4j-dump prints the PcapNativeException where a "
        "packet would be, pycapture says it once on stderr with the cause and a fix, as tcpdump does",
        lambda ours, theirs: theirs.startswith("!!EXC org.pcap4j.core."),
    ),
    (
        "pcap4j-reads-less",
        "pcap4j-dump stops reading the file before its end (its harness ends at the first error libpcap "
        "returns), where pycapture reads on as tcpdump does",
        lambda ours, theirs: theirs == "<missing>",
    ),
    (
        "illegal-cause",
        "the Cause of an Illegal Packet: Pcap4J prints its Java exception and message, pycapture one "
        "sentence naming the header and what is wrong with it (the sentence its JSON gives as "
        "_malformed.cause)",
        lambda ours, theirs: ours.startswith("  Cause: ") and theirs.startswith("  Cause: "),
    ),
    (
        "nanoseconds",
        "a nanosecond capture: pycapture -v keeps the nine digits, while Pcap4J's Pcaps.openOffline(path), "
        "which its sample calls, reads microseconds (openOffline(path, NANO) would print the same digits)",
        lambda ours, theirs: ours.startswith("Captured at: ") and theirs.startswith("Captured at: "),
    ),
    (
        "pcap4j-ipv6-next-header",
        "after IPv6 Pcap4J reads any next header it has no class for (AH, OSPF, IPv6 in IPv6) as an IPv6 "
        "extension header of (length + 1) * 8 bytes: AH's length counts 4-byte words, so it cuts wrong; "
        "pycapture decodes AH, then OSPF",
        lambda ours, theirs: theirs.startswith("[IPv6 Unknown Extension Header ("),
    ),
    (
        "pcap4j-llc",
        "Pcap4J reads an LLC header where there is none: after SNAP with a protocol ID of 1500 or less "
        "(Cisco's PIDs under OUI 00-00-0c: DTP, UDLD, PVST+ BPDUs), and after a Linux cooked header whose "
        "protocol is one of Linux's own values below 0x0600 (0x000c: CAN); pycapture keeps them as data or "
        "decodes the BPDU",
        lambda ours, theirs: (
            theirs.startswith("[Logical Link Control header (")
            and not ours.startswith("[Logical Link Control header (")
        ),
    ),
    (
        "pcap4j-arp",
        "Pcap4J's ArpPacket ignores the hardware and protocol address lengths and always reads the 28-byte "
        "Ethernet/IPv4 layout; pycapture reads the lengths the header gives, or reports the header as cut",
        lambda ours, theirs: (
            theirs.startswith("[ARP Header (") and ours.startswith(("[ARP Header (", "[Illegal Packet ("))
        ),
    ),
    (
        "pcap4j-ipv6-options",
        "a PadN option of no data bytes (or an unknown one of 128 or more) makes Pcap4J's IPv6 options "
        "loop stop (ByteArrays.getSubArray refuses zero bytes; the length is a signed byte), so it cuts "
        "the extension header short and reads what follows 2 bytes early",
        lambda ours, theirs: (
            ours.startswith(("[IPv6 Hop-by-Hop Options Header (", "[IPv6 Destination"))
            and theirs.startswith(ours.split(" (", 1)[0] + " (")
            and ours != theirs
        ),
    ),
    (
        "pcap4j-dns-tcp",
        "Pcap4J reads DNS over TCP without its two-byte length prefix (RFC 1035 4.2.2), so the message it "
        "parses starts two bytes early and fails; pycapture reads the prefix, then the message",
        lambda ours, theirs: ours.startswith("[DNS Header (") and theirs.startswith("[Illegal Packet ("),
    ),
    (
        "pcap4j-udp-length-zero",
        "Pcap4J refuses a UDP length of 0, which a datagram over 65,535 bytes carries (RFC 2675 jumbograms, "
        "Linux's BIG TCP and GSO captures: the length is the IP header's); pycapture reads the datagram to "
        "the end of the IP payload",
        lambda ours, theirs: ours.startswith("[UDP Header (") and theirs.startswith("[Illegal Packet ("),
    ),
    (
        "beyond-pcap4j",
        "pycapture decodes a header Pcap4J leaves as [data] or [Fragmented data] (GRE, Cisco HDLC, Frame "
        "Relay, ARCNET, PPPoE, PPI, IPoIB, IPNET, Juniper, ESP, AH over IPv4, IGMP, DHCP, DHCPv6, NTP, TLS, "
        "HTTP, VXLAN, Geneve, Arista's header, QinQ, the transport header of a first IPv4 fragment, the "
        "routing, management and IKE headers scapy decodes, ...)",
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


def conformance_text(differing: dict[Key, tuple[str | None, str | None]], total: int) -> str:
    """How many blocks are Pcap4J's, of all and of those Pcap4J decodes right as far as pycapture goes
    (leaving out Pcap4J's faults and the headers pycapture decodes beyond it)."""
    identical = total - len(differing)
    left_out = sum(cause_of(ours, theirs) != OPEN_CAUSE for ours, theirs in differing.values())
    return (
        f"{identical} of {total} blocks identical to Pcap4J's ({100 * identical / total:.2f}%); "
        f"{identical} of {total - left_out} ({100 * identical / (total - left_out):.2f}%) leaving out "
        f"{left_out} blocks of Pcap4J's faults and of headers pycapture decodes beyond Pcap4J"
    )


if __name__ == "__main__":
    import sys

    why = witness_missing()
    if why is not None:
        sys.exit(f"pcap4j_witness: {why}")
    found, total = differing_blocks()
    EXPECTED.write_text(expected_text(found), encoding="utf-8")
    print(conformance_text(found, total))
    print(f"wrote {EXPECTED}")
