"""Time ``pycapture -r F -q -z SPEC`` against ``tshark -n -q -r F -z SPEC`` (issue 18's statistics).

Each command runs ``--rounds`` times, round-robin, with its output to a file; the times are wall times
from spawn to exit, and the report gives their medians and the ratio tshark / pycapture (above 1: pycapture
is faster). Both outputs must be the same text (tshark's "Running as user" line aside), else the run stops.
The capture is made by make_capture.py when it is missing.

    .venv/bin/python benchmarks/stats.py --packets 1000000 --rounds 3 --spec conv,tcp

Measured (2 vCPUs, tshark 4.0.17, make_capture.py's 1M-packet capture, 719 MB, 12,726 TCP conversations;
same text from both): pycapture 1.52 s (1.63, 1.50, 1.52), tshark 7.87 s (8.09, 7.87, 7.67): 5.2x.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(tempfile.gettempdir()) / "pycapture-bench"


def _capture(packets: int, given: str | None) -> Path:
    if given:
        return Path(given)
    path = CACHE / f"capture-{packets}.pcap"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "make_capture.py"),
                str(path),
                "--packets",
                str(packets),
            ],
            check=True,
        )
    return path


def _timed(args: list[str], out: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    with out.open("w") as f:
        subprocess.run(args, stdout=f, stderr=subprocess.DEVNULL, env=env, check=True)
    return time.perf_counter() - start


def main() -> None:
    """Run the rounds and print a Markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=1_000_000)
    parser.add_argument("--capture", help="a capture to time instead of make_capture.py's")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--spec", action="append", help="a -z spec (repeatable; default conv,tcp)")
    options = parser.parse_args()
    specs = options.spec or ["conv,tcp"]
    capture = _capture(options.packets, options.capture)
    tshark = shutil.which("tshark")
    if tshark is None:
        sys.exit("tshark is missing")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    z = [arg for spec in specs for arg in ("-z", spec)]
    commands = {
        "pycapture": [sys.executable, "-m", "pycapture", "-r", str(capture), "-q", *z],
        "tshark": [tshark, "-n", "-q", "-r", str(capture), *z],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    with tempfile.TemporaryDirectory() as tmp:
        outs = {name: Path(tmp) / f"{name}.txt" for name in commands}
        for _ in range(options.rounds):
            for name, args in commands.items():
                times[name].append(_timed(args, outs[name], env))
        theirs = [
            line for line in outs["tshark"].read_text().splitlines(True) if not line.startswith("Running")
        ]
        if outs["pycapture"].read_text() != "".join(theirs):
            sys.exit("the tables differ from tshark's")
    ours, peer = statistics.median(times["pycapture"]), statistics.median(times["tshark"])
    print(
        f"`-z {' -z '.join(specs)}` on {capture.name}, medians of {options.rounds} (same text as tshark's):\n"
    )
    print("| command | median s | runs s |\n|---|---|---|")
    for name in commands:
        runs = ", ".join(f"{t:.2f}" for t in times[name])
        print(f"| {name} | {statistics.median(times[name]):.2f} | {runs} |")
    print(f"\ntshark / pycapture: {peer / ours:.1f}x")


if __name__ == "__main__":
    main()
