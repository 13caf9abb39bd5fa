"""Live capture under load: does pycapture lose packets where tcpdump does not?

    sudo .venv/bin/python benchmarks/live.py [--packets N] [--rounds R] [--rates topspeed,300000,...]
    sudo .venv/bin/python benchmarks/live.py --zero-loss [--packets N] [--rates 10000,20000,...]

Makes two network namespaces joined by a veth pair (deleted at the end). For each sending rate, and for
each receiver (tcpdump and pycapture, each writing ``-w /dev/null`` and printing ``-n`` to /dev/null, and
pycapture writing ``--json`` to /dev/null), it starts the receiver on one end, sends a burst of N packets
from the other with tcpreplay (``--topspeed`` or ``--pps``), stops the receiver with SIGINT and reads
its statistics. Receivers take turns in a
different order each round. Prints a Markdown table: for each rate and receiver, the median share of
the sent packets that were not captured, and the kernel-drop counts. Needs root, iproute2, tcpreplay
and tcpdump. A benchmark, not a test: it asserts nothing.

``--zero-loss`` measures the decoding receivers instead (``pycapture --json``, or the ``--sink`` given,
in one process and with ``--workers 2``): for each, the highest of the stepped ``--rates`` (packets/s)
at which every round captured every packet, and the ratio of the two. Its sender sleeps between
milliseconds rather than spinning between packets (see :func:`trial`).
"""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from netns import generated_capture, veth_pair

RECEIVERS = {
    "tcpdump -w /dev/null": ["tcpdump", "-w", "/dev/null"],
    "pycapture -w /dev/null": [sys.executable, "-m", "pycapture", "-w", "/dev/null"],
    "tcpdump -n > /dev/null": ["tcpdump", "-n"],
    "pycapture -n > /dev/null": [sys.executable, "-m", "pycapture", "-n"],
    "pycapture --json > /dev/null": [sys.executable, "-m", "pycapture", "--json"],
}
DEFAULT_RATES = "topspeed,300000,200000,100000,50000"
ZERO_LOSS_RATES = "10000,15000,20000,25000,30000,40000,50000,60000,80000,100000"


def decoding(sink: str) -> dict[str, list[str]]:
    """The zero-loss receivers: pycapture with ``sink`` (say ``--json`` or ``-v``) in one process and with
    ``--workers 2``, by name."""
    py, args = [sys.executable, "-m", "pycapture"], sink.split()
    return {f"pycapture {sink}": py + args, f"pycapture --workers 2 {sink}": [*py, "--workers", "2", *args]}


def _stat(text: str, what: str) -> int:
    match = re.search(rf"(\d+) packets? {what}", text)
    return int(match.group(1)) if match else -1


def trial(
    ns_rx: str,
    if_rx: str,
    ns_tx: str,
    if_tx: str,
    receiver: list[str],
    rate: str,
    capture: Path,
    *,
    sleeping: bool = False,
    sender: str = "tcpreplay",
) -> dict:
    """One burst: start the receiver, send, stop it; return sent, captured, received and dropped.

    ``sleeping``: tcpreplay sends a millisecond's packets at a time and sleeps between (``--pps-multi``,
    ``-T nano``) instead of spinning between packets, which takes a whole core at any rate (93-97% at
    50,000-150,000 packets/s on a veth, against 13-35% sleeping): on a 2-core machine a spinning sender
    leaves the receivers one core to share, and a zero-loss rate then measures the sender, not them.
    ``sender`` ``pycapture``: ``pycapture replay --pps``, with ``--slack 1000`` when sleeping (the same
    millisecond batches, sent with one ``sendmmsg`` each)."""
    proc = subprocess.Popen(
        ["ip", "netns", "exec", ns_rx, *receiver, "-i", if_rx],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    banner = ""
    deadline = time.monotonic() + 20
    workers = int(receiver[receiver.index("--workers") + 1]) if "--workers" in receiver else 1
    while banner.count("listening on") < workers and time.monotonic() < deadline:
        banner += proc.stderr.readline()  # type: ignore[union-attr]
    time.sleep(0.5)
    pace = ["--topspeed"] if rate == "topspeed" else ["--pps", rate]
    if sender == "pycapture":
        if sleeping and rate != "topspeed":
            pace += ["--slack", "1000"]
        command = [sys.executable, "-m", "pycapture", "replay", "-q", *pace, "--if", if_tx, str(capture)]
        out = subprocess.run(
            ["ip", "netns", "exec", ns_tx, *command], capture_output=True, text=True, check=True
        )
        summary = re.search(r"(\d+) packets sent on .*: ([\d.]+) pps", out.stderr)
        assert summary, out.stderr
        sent, pps = int(summary.group(1)), float(summary.group(2))
    else:
        if sleeping and rate != "topspeed":
            pace += ["--pps-multi", str(max(1, int(rate) // 1000)), "-T", "nano"]
        sent_out = subprocess.run(
            ["ip", "netns", "exec", ns_tx, "tcpreplay", *pace, "-i", if_tx, str(capture)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        sent = int(re.search(r"Successful packets:\s+(\d+)", sent_out).group(1))  # type: ignore[union-attr]
        rated = re.search(r"([\d.]+) pps", sent_out)
        pps = float(rated.group(1)) if rated else 0.0
    time.sleep(2.0)  # let the receiver catch up (and its ring block retire)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    text = banner + err
    return {
        "sent": sent,
        "pps": pps,
        "captured": _stat(text, "captured"),
        "received": _stat(text, "received by filter"),
        "dropped": _stat(text, "dropped by kernel"),
    }


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--packets", type=int, default=200_000, help="packets per burst (generated capture)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rates", default=DEFAULT_RATES)
    parser.add_argument("--zero-loss", action="store_true", help="the decoding receivers' zero-loss rates")
    parser.add_argument(
        "--receiver-args", default="", help="more options for every pycapture receiver (say, '-B 8192')"
    )
    parser.add_argument(
        "--sink", default="--json", help="--zero-loss: the decoding output the receivers write (say, '-v')"
    )
    parser.add_argument(
        "--sender",
        choices=("tcpreplay", "pycapture"),
        default="tcpreplay",
        help="--zero-loss: who sends (pycapture replay batches a millisecond per sendmmsg)",
    )
    args = parser.parse_args()
    if args.zero_loss:
        zero_loss(args)
        return
    for tool in ("ip", "tcpreplay", "tcpdump"):
        if not shutil.which(tool):
            sys.exit(f"benchmarks/live.py: {tool} is not installed")
    capture = generated_capture(args.packets)
    results: dict[tuple[str, str], list[dict]] = {}
    with veth_pair("live") as (ns_tx, if_tx, ns_rx, if_rx):
        names = list(RECEIVERS)
        for r in range(args.rounds):
            for rate in args.rates.split(","):
                for name in names[r % len(names) :] + names[: r % len(names)]:
                    result = trial(ns_rx, if_rx, ns_tx, if_tx, RECEIVERS[name], rate, capture)
                    results.setdefault((rate, name), []).append(result)
                    print(f"round {r + 1} {rate} {name}: {result}", file=sys.stderr)
    print(
        f"Bursts of {args.packets:,} packets from `{capture.name}` sent with tcpreplay; "
        f"{args.rounds} rounds.\n"
    )
    print("| rate asked | achieved pps | receiver | not captured (median) | kernel drops (median) |")
    print("|---|---:|---|---:|---:|")
    for (rate, name), runs in results.items():
        lost = statistics.median((run["sent"] - run["captured"]) / run["sent"] for run in runs)
        drops = statistics.median(run["dropped"] for run in runs)
        pps = statistics.median(run["pps"] for run in runs)
        print(f"| {rate} | {pps:,.0f} | `{name}` | {100 * lost:.3f}% | {drops:,.0f} |")


def zero_loss(args: argparse.Namespace) -> None:
    """For each decoding receiver, the highest stepped rate at which no round lost a packet."""
    given = args.rates if args.rates != DEFAULT_RATES else ZERO_LOSS_RATES
    rates = [int(r) for r in given.split(",") if r != "topspeed"]
    capture = generated_capture(args.packets)
    best: dict[str, int] = {}
    with veth_pair("zl") as (ns_tx, if_tx, ns_rx, if_rx):
        for name, receiver in decoding(args.sink).items():
            receiver = receiver + args.receiver_args.split()
            best[name] = 0
            for rate in sorted(rates):
                runs = [
                    trial(
                        ns_rx,
                        if_rx,
                        ns_tx,
                        if_tx,
                        receiver,
                        str(rate),
                        capture,
                        sleeping=True,
                        sender=args.sender,
                    )
                    for _ in range(args.rounds)
                ]
                lost = [run["sent"] - run["captured"] for run in runs]
                achieved = [round(run["pps"]) for run in runs]
                print(f"{name} at {rate} pps (sent at {achieved}): lost {lost}", file=sys.stderr)
                if any(n > 0 for n in lost):  # more captured than sent: the veth's own frames (IPv6 ND)
                    break
                best[name] = rate
    given_args = f"; receivers given {args.receiver_args!r}" if args.receiver_args else ""
    how = (
        "pycapture replay --pps --slack 1000"
        if args.sender == "pycapture"
        else "tcpreplay --pps, a millisecond's packets at a time (--pps-multi, -T nano)"
    )
    rounds = f"{args.rounds} rounds{given_args}"
    print(f"Bursts of {args.packets:,} packets from `{capture.name}` sent with {how}; {rounds}.\n")
    print("| receiver | highest zero-loss rate (pps) |")
    print("|---|---:|")
    for name, rate in best.items():
        print(f"| `{name}` | {rate:,} |")
    one, two = best.values()
    if one:
        print(f"\nratio (2 workers / 1): {two / one:.2f}")


if __name__ == "__main__":
    main()
