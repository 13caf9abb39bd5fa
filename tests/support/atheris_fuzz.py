"""Coverage-guided fuzzing with atheris (optional; CI fuzzes with hypothesis, in test_*.py).

    .venv/bin/pip install 'atheris>=2.3'
    .venv/bin/python tests/support/atheris_fuzz.py reader -atheris_runs=200000
    .venv/bin/python tests/support/atheris_fuzz.py printers -max_total_time=600

``reader``: the input is a capture file. libpcap (pcapy-ng) reads it, the walker of
:mod:`pycapture.savefile.damage` must place the damage exactly where libpcap stops, and the command reads
it in
process with each backend without a traceback. ``printers``: the first byte picks a link type, the rest
is a frame, printed by every printer (one-line with -e/-X, -v with -X, --json). A crash is written by
libFuzzer to ``crash-*``; turn it into an ``@example`` of the matching hypothesis test.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile

import atheris

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/, for support

with atheris.instrument_imports():
    from click.testing import CliRunner

    from pycapture.cli.main import command
    from pycapture.output.layered import JsonLinesPrinter, Pcap4jPrinter
    from pycapture.output.tcpdump.printer import SummaryPrinter
    from support.frames import ALL_LINKTYPES
    from support.hostile import agree

_PATH = os.path.join(tempfile.mkdtemp(prefix="pycapture-atheris-"), "input")


def reader(data: bytes) -> None:
    with open(_PATH, "wb") as f:
        f.write(data)
    agree(_PATH)
    for backend in ("pcapy", "file"):
        res = CliRunner().invoke(command, ["--backend", backend, "-r", _PATH])
        if res.exception is not None and not isinstance(res.exception, SystemExit):
            raise res.exception
        if res.exit_code not in (0, 1):
            raise AssertionError(res.output)


def printers(data: bytes) -> None:
    if not data:
        return
    linktype = ALL_LINKTYPES[data[0] % len(ALL_LINKTYPES)]
    frame = data[1:]
    out = io.StringIO()
    for sink in (
        SummaryPrinter(linktype, out),
        SummaryPrinter(linktype, out, link_level=True, hex_level=2, hex_ascii=True, time_style=4),
        Pcap4jPrinter(linktype, out, hex_level=2, hex_ascii=True),
        JsonLinesPrinter(linktype, out),
    ):
        sink(1767323045, 0, len(frame), frame)


def main() -> None:
    targets = {"reader": reader, "printers": printers}
    if len(sys.argv) < 2 or sys.argv[1] not in targets:
        sys.exit(f"usage: {sys.argv[0]} {'|'.join(targets)} [libFuzzer options]")
    target = targets[sys.argv.pop(1)]
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
