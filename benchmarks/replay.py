"""Sending speed: ``pycapture replay --topspeed`` against ``tcpreplay --topspeed`` on the same veth pair.

    sudo .venv/bin/python benchmarks/replay.py [--packets N] [--rounds R] [--capture FILE]

Makes two network namespaces joined by a veth pair (deleted at the end), then, round-robin, sends the
same capture out of one end with each tool and reads the rate each reports (packets/s, Mbit/s).
Prints a Markdown table of medians and the ratio pycapture / tcpreplay. Needs root, iproute2 and
tcpreplay. This is a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from netns import generated_capture, veth_pair


def _run_tcpreplay(ns: str, ifname: str, capture: Path) -> tuple[float, float, int]:
    out = subprocess.run(
        ["ip", "netns", "exec", ns, "tcpreplay", "--topspeed", "-i", ifname, str(capture)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rated = re.search(r"Rated: [\d.]+ Bps, ([\d.]+) Mbps, ([\d.]+) pps", out)
    sent = re.search(r"Successful packets:\s+(\d+)", out)
    assert rated and sent, out
    return float(rated.group(2)), float(rated.group(1)), int(sent.group(1))


def _run_pycapture(ns: str, ifname: str, capture: Path) -> tuple[float, float, int]:
    err = subprocess.run(
        [
            *("ip", "netns", "exec", ns, sys.executable, "-m", "pycapture", "replay", "-q", "--topspeed"),
            *("--if", ifname, str(capture)),
        ],
        capture_output=True,
        text=True,
    ).stderr
    line = re.search(r"(\d+) packets sent on \S+ \(\d+ bytes\) in [\d.]+ s: ([\d.]+) pps, ([\d.]+) Mbps", err)
    assert line, err
    return float(line.group(2)), float(line.group(3)), int(line.group(1))


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--packets", type=int, default=200_000, help="size of the generated capture")
    parser.add_argument("--capture", type=Path, help="send this file instead of a generated one")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    for tool in ("ip", "tcpreplay"):
        if not shutil.which(tool):
            sys.exit(f"benchmarks/replay.py: {tool} is not installed")
    capture = args.capture or generated_capture(args.packets)
    with veth_pair("bench") as (ns_a, if_a, _ns_b, _if_b):
        runners = {"tcpreplay --topspeed": _run_tcpreplay, "pycapture replay --topspeed": _run_pycapture}
        results: dict[str, list[tuple[float, float, int]]] = {name: [] for name in runners}
        names = list(runners)
        for r in range(args.rounds):
            for name in names[r % 2 :] + names[: r % 2]:
                results[name].append(runners[name](ns_a, if_a, capture))
                print(f"round {r + 1}: {name}: {results[name][-1]}", file=sys.stderr)
    base = statistics.median(pps for pps, _, _ in results["tcpreplay --topspeed"])
    print(f"Capture: {capture} ({results[names[0]][0][2]:,} packets), {args.rounds} rounds, medians.\n")
    print("| sender | packets/s | Mbit/s | ratio vs tcpreplay |")
    print("|---|---:|---:|---:|")
    for name in names:
        pps = statistics.median(p for p, _, _ in results[name])
        mbps = statistics.median(m for _, m, _ in results[name])
        print(f"| `{name}` | {pps:,.0f} | {mbps:,.1f} | {pps / base:.2f} |")


if __name__ == "__main__":
    main()
