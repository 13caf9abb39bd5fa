"""Time pycapture against tcpdump, tshark and scapy on one large capture and print a Markdown table.

Every command reads the same file with ``TZ=UTC`` and its standard output sent to ``/dev/null``. The
commands run round-robin (each round runs every command once, starting one further along the list than
the round before), so slow drifts of a noisy machine hit all of them alike; the table shows the median of
the rounds. Wall time is measured around the child process, peak RSS is GNU time's ``%M`` for the child
(``/usr/bin/time -f %M``), and the ratio is ``tcpdump -n -r`` time divided by the command's time: above
1 is faster than tcpdump, 0.1 is ten times slower.

scapy (``PcapReader`` + ``pkt.summary()``) is about a hundred times slower, so it reads only a prefix of
the file (20,000 packets) and its time for the whole file is extrapolated from its packet rate (measured
inside the child, after ``import scapy.all``).

This is a benchmark, not a test: it asserts nothing about time.

    .venv/bin/python benchmarks/run.py --packets 1000000   # makes benchmarks/out/capture-1000000.pcap
    .venv/bin/python benchmarks/run.py --capture big.pcap --rounds 3 --skip-scapy --markdown-out table.md
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, BinaryIO

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "benchmarks" / "out"
MAKE_CAPTURE = ROOT / "benchmarks" / "make_capture.py"
STARTUP_CAPTURE = ROOT / "captures" / "icmp.pcap"
BASELINE = "tcpdump -n -r F"
GNU_TIME = Path("/usr/bin/time")
ONE_PROCESS = "PYCAPTURE_WORKERS=1"  # for env(1): pycapture -n -r without its second process

SCAPY_SCRIPT = """
import sys, time
from scapy.all import PcapReader  # scapy.all registers the layers; scapy.utils alone decodes Raw

path, limit = sys.argv[1], int(sys.argv[2])
n = 0
start = time.perf_counter()
with PcapReader(path) as reader:
    for pkt in reader:
        pkt.summary()
        n += 1
        if n >= limit:
            break
print(n, time.perf_counter() - start)
"""


@dataclass
class Bench:
    """One command of the comparison and what its runs measured."""

    label: str  # as shown in the table, F standing for the capture file
    argv: list[str]
    times: list[float] = field(default_factory=list)  # wall seconds per round
    rss_kb: list[int] = field(default_factory=list)  # peak RSS per round
    error: str | None = None  # set when a run failed; the command is then dropped from later rounds
    prefix: int = 0  # packets read, for the scapy row (0: the whole file)

    def median(self) -> float:
        return statistics.median(self.times)


@dataclass
class Report:
    """Everything the Markdown output is made from."""

    capture: Path
    packets: int
    rounds: int
    benches: list[Bench]
    startup: list[Bench]
    skipped: list[str]
    about: list[str]


# --- the capture


def count_packets(path: Path) -> int:
    """The number of packets in a classic pcap (either byte order, any timestamp precision) or pcapng file."""
    with open(path, "rb") as f:
        head = f.read(4)
        if head == b"\x0a\x0d\x0d\x0a":
            return _count_pcapng(f)
        if head in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            rec = struct.Struct("<12xI")
        elif head in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            rec = struct.Struct(">12xI")
        else:
            raise SystemExit(f"{path}: not a pcap or pcapng file")
        f.seek(24)
        n = 0
        while True:
            hdr = f.read(16)
            if len(hdr) < 16:
                return n
            (caplen,) = rec.unpack(hdr)
            f.seek(caplen, os.SEEK_CUR)
            n += 1


def _count_pcapng(f: BinaryIO) -> int:
    """Enhanced, simple and obsolete packet blocks in a pcapng file, whatever each section's byte order."""
    f.seek(0)
    word = struct.Struct("<II")
    n = 0
    while True:
        hdr = f.read(8)
        if len(hdr) < 8:
            return n
        if hdr[:4] == b"\x0a\x0d\x0d\x0a":  # section header: its byte-order magic sets the order
            word = struct.Struct(("<" if f.read(4) == b"\x4d\x3c\x2b\x1a" else ">") + "II")
            f.seek(-4, os.SEEK_CUR)
        btype, blen = word.unpack(hdr)
        if blen < 12:
            raise SystemExit("corrupt pcapng block")
        if btype in (2, 3, 6):
            n += 1
        f.seek(blen - 8, os.SEEK_CUR)


def default_capture(packets: int) -> Path:
    """benchmarks/out/capture-N.pcap, made (again) when missing or older than make_capture.py."""
    path = OUT_DIR / f"capture-{packets}.pcap"
    if not path.exists() or path.stat().st_mtime < MAKE_CAPTURE.stat().st_mtime:
        say(f"making {path.relative_to(ROOT)} with make_capture.py ({packets:,} packets)")
        subprocess.run([sys.executable, str(MAKE_CAPTURE), str(path), "--packets", str(packets)], check=True)
    return path


def warm(path: Path) -> None:
    """Read the file once so every tool finds it in the page cache."""
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


# --- tools


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def find_pycapture() -> str | None:
    """The pycapture beside this interpreter (the project's venv), else the repo's .venv, else PATH."""
    for candidate in (Path(sys.executable).parent / "pycapture", ROOT / ".venv" / "bin" / "pycapture"):
        if candidate.exists():
            return str(candidate)
    return shutil.which("pycapture")


def find_tool(name: str) -> str | None:
    return shutil.which(name) or next(
        (str(p) for p in (Path("/usr/sbin") / name, Path("/usr/bin") / name) if p.exists()), None
    )


def first_line(argv: Sequence[str]) -> str:
    """The first line a command prints (stdout or stderr), for the versions paragraph."""
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"{argv[0]}: {e}"
    lines = (out.stdout + out.stderr).strip().splitlines()
    return next((line for line in lines if "Running as user" not in line), "?")


def help_lists(help_text: str, option: str) -> bool:
    """Whether OPTION (``-v``, ``--json``) starts an option entry in a click/argparse help text."""
    return re.search(rf"^\s+(?:-\w, )*{re.escape(option)}(?![\w-])", help_text, re.MULTILINE) is not None


# --- running


def env_utc() -> dict[str, str]:
    return dict(os.environ, TZ="UTC")


def _spawn(argv: Sequence[str], stdout: int | IO[bytes]) -> tuple[float, int, int, str]:
    """Run ARGV: (wall seconds, peak RSS KiB, exit code, end of stderr).

    The peak RSS comes from GNU time's ``%M`` when /usr/bin/time exists: a child forked straight from this
    Python process would report at least this process's own RSS, as Linux carries the high-water mark of
    the forked image across exec. Without /usr/bin/time it falls back to ``os.wait4`` and that caveat.
    """
    with tempfile.NamedTemporaryFile(prefix="rss-") as rss_file, tempfile.TemporaryFile() as err:
        if GNU_TIME.exists():
            argv = [str(GNU_TIME), "-f", "%M", "-o", rss_file.name, *argv]
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdout, stderr=err, env=env_utc())
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read()[-2000:].decode(errors="replace")
        rss = usage.ru_maxrss
        if GNU_TIME.exists():
            words = Path(rss_file.name).read_text().split()
            rss = int(words[-1]) if words and words[-1].isdigit() else rss
    return elapsed, rss, code, tail


def run_once(argv: Sequence[str]) -> tuple[float, int, int, str]:
    """Run ARGV with stdout to /dev/null: (wall seconds, peak RSS KiB, exit code, end of stderr)."""
    return _spawn(argv, subprocess.DEVNULL)


def run_scapy(capture: Path, prefix: int) -> tuple[float, int, int, str]:
    """scapy on the first PREFIX packets: (seconds inside the loop, peak RSS KiB, exit code, message)."""
    with tempfile.TemporaryFile() as out:
        _, rss, code, message = _spawn([sys.executable, "-c", SCAPY_SCRIPT, str(capture), str(prefix)], out)
        out.seek(0)
        text = out.read().decode(errors="replace").split()
    if code != 0 or len(text) != 2:
        return 0.0, rss, code or 1, message
    return float(text[1]), rss, 0, f"{text[0]} packets"


def time_to_first_line(argv: Sequence[str]) -> tuple[float, int]:
    """Seconds from starting ARGV until its first stdout line arrives, and its exit code."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env_utc()
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.stdout.read()
    proc.stdout.close()
    code = proc.wait()
    return elapsed, (code if line else code or 1)


def run_rounds(benches: list[Bench], capture: Path, rounds: int) -> None:
    """Run every bench once per round, rotating the starting point; a bench that fails is dropped."""
    for r in range(rounds):
        shift = r % len(benches)
        for bench in benches[shift:] + benches[:shift]:
            if bench.error:
                continue
            if bench.prefix:
                elapsed, rss, code, tail = run_scapy(capture, bench.prefix)
            else:
                elapsed, rss, code, tail = run_once(bench.argv)
            if code != 0:
                bench.error = f"exit {code}: {tail.strip().splitlines()[-1] if tail.strip() else ''}"
                say(f"[round {r + 1}/{rounds}] {bench.label}: FAILED ({bench.error})")
                continue
            bench.times.append(elapsed)
            bench.rss_kb.append(rss)
            say(f"[round {r + 1}/{rounds}] {bench.label}: {elapsed:.3f} s, {rss / 1024:.0f} MB")


def run_startup(benches: list[Bench], runs: int) -> None:
    for i in range(runs):
        for bench in benches:
            if bench.error:
                continue
            elapsed, code = time_to_first_line(bench.argv)
            if code != 0:
                bench.error = f"exit {code}"
                continue
            bench.times.append(elapsed)
        say(
            f"[start-up {i + 1}/{runs}] "
            + ", ".join(f"{b.label}: {b.times[-1]:.3f} s" for b in benches if b.times)
        )


# --- the report


def fmt_ratio(r: float) -> str:
    return f"{r:.2f}" if r >= 0.1 else f"{r:.3g}"


def markdown(rep: Report) -> str:
    """The whole report: what was measured, the table, start-up, and every round's times."""
    lines = [
        f"Capture: `{rep.capture.name}`, {rep.packets:,} packets, "
        f"{rep.capture.stat().st_size / 1e6:,.0f} MB; "
        f"median of {rep.rounds} round-robin rounds; `TZ=UTC`, output to `/dev/null`.",
        "",
        *[f"- {a}" for a in rep.about],
        "",
        "| command | median s | packets/s | ratio vs `tcpdump -n -r` | peak RSS MB |",
        "|---|---:|---:|---:|---:|",
    ]
    base = next((b for b in rep.benches if b.label == BASELINE and b.times), None)
    base_t = base.median() if base else None
    for b in rep.benches:
        if not b.times:
            lines.append(f"| `{b.label}` | failed: {b.error} | | | |")
            continue
        med = b.median()
        rss = max(b.rss_kb) / 1024
        if b.prefix:
            pps = b.prefix / med
            whole = rep.packets / pps
            ratio = f"{fmt_ratio(base_t / whole)} (extrapolated)" if base_t else "n/a"
            lines.append(
                f"| {b.label} | {med:.2f} for {b.prefix:,} packets (whole file ≈ {whole:,.0f}) "
                f"| {pps:,.0f} | {ratio} | {rss:.0f} |"
            )
        else:
            ratio = fmt_ratio(base_t / med) if base_t else "n/a"
            lines.append(f"| `{b.label}` | {med:.2f} | {rep.packets / med:,.0f} | {ratio} | {rss:.0f} |")
    if rep.startup:
        lines += [
            "",
            "Start-up: time from launch to the first packet line on stdout, median of "
            f"{max(len(b.times) for b in rep.startup) if any(b.times for b in rep.startup) else 0} runs.",
            "",
            "| command | median ms to first line | ratio vs tcpdump |",
            "|---|---:|---:|",
        ]
        base_s = next((b.median() for b in rep.startup if b.label.startswith("tcpdump") and b.times), None)
        for b in rep.startup:
            if not b.times:
                lines.append(f"| `{b.label}` | failed: {b.error} | |")
                continue
            ratio = fmt_ratio(base_s / b.median()) if base_s else "n/a"
            lines.append(f"| `{b.label}` | {1000 * b.median():.0f} | {ratio} |")
    if rep.skipped:
        lines += ["", *[f"Skipped: {s}" for s in rep.skipped]]
    lines += ["", "<details><summary>every round (seconds)</summary>", ""]
    for b in rep.benches:
        if b.times:
            lines.append(f"- {b.label}: " + ", ".join(f"{t:.3f}" for t in b.times))
    lines += ["", "</details>", ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="round-robin rounds (default 5)")
    parser.add_argument(
        "--packets",
        type=int,
        default=1_000_000,
        help="packets in the generated capture (default 1,000,000; ignored with --capture)",
    )
    parser.add_argument("--capture", type=Path, help="read this capture instead of generating one")
    parser.add_argument("--skip-scapy", action="store_true", help="leave out the scapy row")
    parser.add_argument(
        "--scapy-packets",
        type=int,
        default=20_000,
        help="packets scapy reads from the start of the file (default 20,000)",
    )
    parser.add_argument("--startup-runs", type=int, default=10, help="runs of the start-up row (default 10)")
    parser.add_argument("--markdown-out", type=Path, help="also write the report to this file")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="TEXT",
        help="leave out the rows whose command contains TEXT (repeatable), e.g. --skip 'T ek'",
    )
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.packets < 1 or args.scapy_packets < 1:
        parser.error("--rounds, --packets and --scapy-packets must be at least 1")

    capture = args.capture.resolve() if args.capture else default_capture(args.packets)
    if not capture.exists():
        parser.error(f"{capture}: no such file")
    say(f"counting packets in {capture} ...")
    packets = count_packets(capture)
    warm(capture)
    f = str(capture)

    skipped: list[str] = []
    benches: list[Bench] = []
    startup: list[Bench] = []
    about = [
        f"Python {platform.python_version()} on {platform.platform()}, {os.cpu_count()} CPUs ({cpu_model()})"
    ]
    tcpdump, tshark, pycapture = find_tool("tcpdump"), find_tool("tshark"), find_pycapture()

    if tcpdump:
        about.append(first_line([tcpdump, "--version"]))
        benches += [
            Bench("tcpdump -n -r F", [tcpdump, "-n", "-r", f]),
            Bench("tcpdump -S -n -r F", [tcpdump, "-S", "-n", "-r", f]),
            Bench("tcpdump -r F -w /dev/null", [tcpdump, "-r", f, "-w", "/dev/null"]),
        ]
        startup.append(
            Bench("tcpdump -r captures/icmp.pcap -c 1", [tcpdump, "-r", str(STARTUP_CAPTURE), "-c", "1"])
        )
    else:
        skipped.append("tcpdump is not installed: no baseline, so no ratios")
    if pycapture:
        version = subprocess.run([pycapture, "--version"], capture_output=True, text=True).stdout
        about.append(", ".join(version.strip().splitlines()) + git_state())
        help_text = subprocess.run([pycapture, "--help"], capture_output=True, text=True).stdout
        benches += [
            Bench("pycapture -n -r F", [pycapture, "-n", "-r", f]),
            Bench("pycapture -S -n -r F", [pycapture, "-S", "-n", "-r", f]),
            Bench(
                "PYCAPTURE_WORKERS=1 pycapture -S -n -r F",
                ["env", ONE_PROCESS, pycapture, "-S", "-n", "-r", f],
            ),
            Bench("pycapture -r F -w /dev/null", [pycapture, "-r", f, "-w", "/dev/null"]),
        ]
        startup.append(
            Bench("pycapture -r captures/icmp.pcap -c 1", [pycapture, "-r", str(STARTUP_CAPTURE), "-c", "1"])
        )
    else:
        help_text = ""
        skipped.append("pycapture is not installed (pip install -e . into .venv)")
    if tshark:
        about.append(first_line([tshark, "--version"]))
        benches += [
            Bench("tshark -n -r F", [tshark, "-n", "-r", f]),
            Bench("tshark -r F -T ek", [tshark, "-r", f, "-T", "ek"]),
        ]
    else:
        skipped.append("tshark is not installed (apt-get install tshark)")
    if pycapture:
        for option, extra in (("--json", ["--json"]), ("-v", ["-v"]), ("-x", ["-x"])):
            if help_lists(help_text, option):
                benches.append(Bench(f"pycapture -r F {option}", [pycapture, "-r", f, *extra]))
            else:
                skipped.append(f"`pycapture -r F {option}`: `pycapture --help` does not list {option}")
    if not args.skip_scapy:
        probe = subprocess.run(
            [sys.executable, "-c", "import scapy; print(scapy.__version__)"], capture_output=True, text=True
        )
        if probe.returncode == 0:
            about.append(f"scapy {probe.stdout.strip()}")
            prefix = min(args.scapy_packets, packets)
            benches.append(
                Bench(
                    f"scapy `PcapReader` + `pkt.summary()`, first {prefix:,} packets",
                    [sys.executable, "-c", "scapy"],
                    prefix=prefix,
                )
            )
        else:
            skipped.append("scapy is not importable by this Python")
    else:
        skipped.append("scapy (--skip-scapy)")
    for text in args.skip:
        left_out = [b for b in benches if text in b.label]
        benches = [b for b in benches if text not in b.label]
        skipped += [f"`{b.label}` (--skip {text!r})" for b in left_out]
    for s in skipped:
        say(f"skipping {s}")

    run_rounds(benches, capture, args.rounds)
    if STARTUP_CAPTURE.exists() and startup:
        run_startup(startup, args.startup_runs)
    else:
        startup = []
        skipped.append(f"start-up row: {STARTUP_CAPTURE} is missing")

    text = markdown(Report(capture, packets, args.rounds, benches, startup, skipped, about))
    print(text)
    if args.markdown_out:
        args.markdown_out.write_text(text)
        say(f"wrote {args.markdown_out}")
    return 0


def git_state() -> str:
    """`` at commit abc1234`` (plus a note when src/ has uncommitted changes), or nothing outside git."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    if head.returncode != 0:
        return ""
    return f", at commit {head.stdout.strip()}" + (
        " with uncommitted changes in src/" if dirty.stdout.strip() else ""
    )


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
