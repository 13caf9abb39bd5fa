"""The two batched send routes of issue 20, weighed on one veth pair: sendmmsg against PACKET_TX_RING.

    sudo .venv/bin/python benchmarks/tx_routes.py [--packets N] [--rounds R] [--sizes 100,1000,1500]

Builds tx_routes.c with gcc into benchmarks/out/, makes two network namespaces joined by a veth pair
(deleted at the end), then, round-robin, sends N frames of each size out of one end by each route, with
and without PACKET_QDISC_BYPASS. Prints a Markdown table of medians and the ratio ring / sendmmsg. Needs
root, gcc and iproute2. This is a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import statistics
import subprocess
import sys

from netns import HERE, OUT, veth_pair

ROUTES = ("sendmmsg", "ring")


def _build() -> str:
    source, binary = HERE / "tx_routes.c", OUT / "tx_routes"
    if not binary.exists() or binary.stat().st_mtime < source.stat().st_mtime:
        OUT.mkdir(exist_ok=True)
        subprocess.run(["gcc", "-O2", "-Wall", "-o", str(binary), str(source)], check=True)
    return str(binary)


def _send(binary: str, ns: str, ifname: str, route: str, packets: int, size: int, bypass: bool) -> float:
    out = subprocess.run(
        ["ip", "netns", "exec", ns, binary, ifname, route, str(packets), str(size), str(int(bypass))],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(out.split()[1])


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--packets", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sizes", default="100,1000,1500", help="frame sizes in bytes, comma-separated")
    args = parser.parse_args()
    for tool in ("ip", "gcc"):
        if not shutil.which(tool):
            sys.exit(f"benchmarks/tx_routes.py: {tool} is not installed")
    binary = _build()
    cases = list(itertools.product([int(s) for s in args.sizes.split(",")], (False, True), ROUTES))
    rates: dict[tuple[int, bool, str], list[float]] = {case: [] for case in cases}
    with veth_pair("txr") as (ns_a, if_a, _ns_b, _if_b):
        for r in range(args.rounds):
            for case in cases[r % 2 :] + cases[: r % 2]:
                rates[case].append(_send(binary, ns_a, if_a, case[2], args.packets, case[0], case[1]))
                print(f"round {r + 1}: {case}: {rates[case][-1]:,.0f} pps", file=sys.stderr)
    print(f"{args.packets:,} frames a run, {args.rounds} rounds, medians (packets/s).\n")
    print("| frame bytes | qdisc bypass | sendmmsg | PACKET_TX_RING | ring / sendmmsg |")
    print("|---:|---|---:|---:|---:|")
    for size, bypass in itertools.product([int(s) for s in args.sizes.split(",")], (False, True)):
        mmsg, ring = (statistics.median(rates[(size, bypass, route)]) for route in ROUTES)
        print(f"| {size} | {'yes' if bypass else 'no'} | {mmsg:,.0f} | {ring:,.0f} | {ring / mmsg:.2f} |")


if __name__ == "__main__":
    main()
