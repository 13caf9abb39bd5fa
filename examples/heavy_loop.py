"""Pcap4J's HeavyLoop sample in Python: a slow listener run in a thread pool, so capture never waits.

    python examples/heavy_loop.py [--if NAME] [-c COUNT] [--work SECONDS] [FILTER...]

Each packet starts a task that takes SECONDS (5, as in Pcap4J); handle.loop(count, listener, executor)
submits the tasks to the pool and goes on reading, instead of reading the next packet only when the
last task is done.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pycapture


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--if", dest="interface", default="auto", help="interface name, or 'auto'")
    parser.add_argument("-c", "--count", type=int, default=5)
    parser.add_argument("--work", type=float, default=5.0, help="how long each task takes, in seconds")
    parser.add_argument("filter", nargs="*")
    args = parser.parse_args(argv)

    nif = pycapture.pick_auto()[0] if args.interface == "auto" else pycapture.get_dev_by_name(args.interface)
    print(f"{nif.name} ({nif.description})")

    def listener(packet: pycapture.PcapPacket) -> None:
        print(packet.datetime.isoformat())
        print("start a heavy task", flush=True)
        time.sleep(args.work)
        print("done", flush=True)

    with nif.open_live(65536, promiscuous=True, timeout_ms=10) as handle:
        if args.filter:
            handle.set_filter(" ".join(args.filter))
        print(f"listening on {nif.name}", file=sys.stderr, flush=True)
        # as Pcap4J's cached thread pool: a thread per task that is running
        with ThreadPoolExecutor(max_workers=max(args.count, 1)) as pool:
            handle.loop(args.count, listener, pool)  # better than handle.loop(count, listener)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except pycapture.PcapError as exc:  # one line naming the cause and the fix, no traceback
        sys.exit(f"{sys.argv[0]}: {exc.line()}")
