"""close() from one thread while another reads the same handle, many times over; run as a script.

    python tests/support/close_stress.py (--file PATH | --live IFACE) --mode MODE [--cycles N] [--seed S]

MODE is how the reader thread reads: ``loop``, ``dispatch``, ``next_ex``, ``iterate`` or ``records``. Each
cycle opens the handle, starts the reader, closes the handle from the main thread after a short random
delay, and waits at most 3 s for the reader to end. It prints one JSON object: how each reader ended
(``returned``, ``NotOpenError``, or another exception's name and text) and whether any was still running.
It is a script so that a crash of the interpreter (what closing under a reader used to cause) shows as
the test's failure, with faulthandler's trace, instead of killing the test run.
"""

from __future__ import annotations

import argparse
import collections
import faulthandler
import json
import random
import sys
import threading
import time

import pycapture

JOIN_SECONDS = 3.0


def _read(handle: pycapture.PcapHandle, mode: str) -> None:
    if mode == "loop":
        handle.loop(-1, lambda packet: None)
    elif mode == "dispatch":
        while True:
            handle.dispatch(-1, lambda packet: None)
    elif mode == "next_ex":
        while True:
            try:
                handle.get_next_packet_ex()
            except (pycapture.PcapTimeoutError, pycapture.PcapEOFError):
                if not handle.live:
                    return
    elif mode == "iterate":
        for _ in handle:
            pass
    elif mode == "records":
        for _ in handle.records():
            pass
    else:
        raise ValueError(mode)


def main() -> int:
    faulthandler.enable()
    parser = argparse.ArgumentParser()
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--file")
    source.add_argument("--live")
    parser.add_argument("--mode", required=True)
    parser.add_argument("--cycles", type=int, default=25)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    outcomes: collections.Counter[str] = collections.Counter()
    stuck = 0
    packets = 0
    for _ in range(args.cycles):
        if args.live:
            handle = pycapture.PcapHandle.Builder(args.live).timeout_ms(50).build()
        else:
            handle = pycapture.open_offline(args.file)
        ended: list[str] = []

        def reader(handle: pycapture.PcapHandle = handle, ended: list[str] = ended) -> None:
            try:
                _read(handle, args.mode)
                ended.append("returned")
            except pycapture.NotOpenError:
                ended.append("NotOpenError")
            except BaseException as exc:  # reported, so that the test names it
                ended.append(f"{type(exc).__name__}: {exc}")

        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        time.sleep(rng.uniform(0, 0.05 if args.live else 0.002))
        handle.close()
        closed_at = time.monotonic()
        thread.join(JOIN_SECONDS)
        if thread.is_alive():
            stuck += 1
        outcomes[ended[0] if ended else "still running"] += 1
        packets += handle.captured
        if handle.is_open or time.monotonic() - closed_at > JOIN_SECONDS:
            stuck += 1
    print(json.dumps({"outcomes": dict(outcomes), "stuck": stuck, "packets": packets}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
