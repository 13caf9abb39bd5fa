"""Lists of expected differences against an outside witness (tcpdump, Pcap4J): a TSV of file, packets and
cause, with each cause's reason in a ``# cause: reason`` comment above the rows. The tests that read one
fail on a difference not listed and on a listed one that no longer occurs, so the list stays true."""

from __future__ import annotations

import re
from pathlib import Path

HEADER = "file\tpackets\tcause"


def packets(spec: str) -> list[int]:
    """The packet numbers of "1-3,7": 1, 2, 3 and 7."""
    numbers: list[int] = []
    for part in spec.split(","):
        first, _, last = part.partition("-")
        numbers.extend(range(int(first), int(last or first) + 1))
    return numbers


def ranges(numbers: list[int]) -> str:
    """The inverse of :func:`packets`: "1-3,7" for 1, 2, 3 and 7."""
    parts: list[str] = []
    for number in sorted(numbers):
        if parts and int(parts[-1].rpartition("-")[2]) == number - 1:
            parts[-1] = f"{parts[-1].partition('-')[0]}-{number}"
        else:
            parts.append(str(number))
    return ",".join(parts)


def read_expected(path: Path) -> tuple[dict[str, str], dict[tuple[str, int], str]]:
    """(cause: reason, (file, packet): cause) from a list of expected differences."""
    causes: dict[str, str] = {}
    listed: dict[tuple[str, int], str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if defined := re.match(r"# ([a-z0-9-]+): (.+)", line):
            causes[defined[1]] = defined[2]
        elif line and not line.startswith("#") and line != HEADER:
            name, spec, cause = line.split("\t")
            for number in packets(spec):
                assert (name, number) not in listed, f"{name} packet {number} is listed twice"
                listed[name, number] = cause
    return causes, listed


def unlisted_rows(found: set[tuple[str, int]], listed: dict[tuple[str, int], str]) -> str:
    """The rows, cause ``?``, that would list the differences ``found`` has and ``listed`` lacks."""
    new = sorted(found - listed.keys())
    return "\n".join(f"{name}\t{ranges([n for f, n in new if f == name])}\t?" for name in sorted(dict(new)))
