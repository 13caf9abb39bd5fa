"""Time captures as tables (issue 17): ``read_batches``, ``convert``, ``--json`` and their tshark peers.

One run measures, as medians of ``--rounds`` round-robin rounds on a capture made by make_capture.py:

1. ``read_batches(F)`` with every column, and with the frame columns only, each in a child Python of its
   own per round; the time is taken inside the child around the loop (after the imports), together with
   the child's CPU time, so "CPU/wall" near 1.00 shows one core at work;
2. ``pycapture convert F -o X.parquet --columns SHARED`` against ``tshark -r F -T fields -e ...`` writing
   X.csv with the same fields (SHARED: the columns whose ``Column.source`` names tshark fields), and
   ``convert`` with every column for reference; wall time from spawn to exit;
3. ``pycapture -r F --json`` against ``tshark -r F -T ek``, both to /dev/null (``--json-packets`` for a
   smaller capture, ``--skip-json`` to leave the pair out);
4. once, after the rounds: peak RSS converting a ~2 GB capture, with the RSS sampled along the way.

pycapture runs from this checkout's src/ (``PYTHONPATH``), not from an installed copy; ``--src`` times
another tree (say ``git archive HEAD`` unpacked and built in place) with the same scripts. The ratio is the
peer's median over the command's: above 1 is faster than the peer. This is a benchmark, not a test: it
asserts nothing about time.

    .venv/bin/python benchmarks/table.py --packets 200000 --rounds 3
"""

from __future__ import annotations

import argparse
import atexit
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from run import (
    GNU_TIME,
    MAKE_CAPTURE,
    ROOT,
    _spawn,
    count_packets,
    cpu_model,
    find_pycapture,
    find_tool,
    first_line,
    fmt_ratio,
    git_state,
    say,
    warm,
)

CACHE = Path(tempfile.gettempdir()) / "pycapture-bench"
RSS_MIN_FREE = 6 << 30  # bytes free under CACHE needed to make and convert the big capture
RSS_SAMPLE_S = 0.25

READ_SCRIPT = """
import sys, time
from pycapture.table import read_batches

path, columns = sys.argv[1], sys.argv[2].split(",") if sys.argv[2] else None
n = 0
wall, cpu = time.perf_counter(), time.process_time()
for batch in read_batches(path, columns=columns):
    n += batch.num_rows
print(n, time.perf_counter() - wall, time.process_time() - cpu)
"""

FRAMES_SCRIPT = """
import sys
from pycapture.table import COLUMNS, SCHEMA_COLUMNS
print(",".join(COLUMNS[: COLUMNS.index("eth_src")]))  # the schema's frame group: all before Ethernet
for c in SCHEMA_COLUMNS:
    print(c.name, c.source, sep="\\t")
"""


@dataclass
class Bench:
    """One command, the capture it reads, and what its rounds measured."""

    label: str  # as shown in the table; F is the capture, X the output
    argv: list[str]
    packets: int
    peer: str | None = None  # the label of the command it is compared with
    inside: bool = False  # a read_batches child that prints "rows wall cpu"
    stdout: Path | None = None  # where its standard output goes (else /dev/null)
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    error: str | None = None

    def median(self) -> float:
        return statistics.median(self.times)


# --- captures and columns


def capture(packets: int) -> Path:
    """CACHE/capture-N.pcap, made (again) when missing or older than make_capture.py."""
    path = CACHE / f"capture-{packets}.pcap"
    if not path.exists() or path.stat().st_mtime < MAKE_CAPTURE.stat().st_mtime:
        say(f"making {path} with make_capture.py ({packets:,} packets)")
        subprocess.run([sys.executable, str(MAKE_CAPTURE), str(path), "--packets", str(packets)], check=True)
    return path


def schema_columns() -> tuple[list[str], list[tuple[str, str]]]:
    """The frame columns and every (column, source), from the timed tree's schema, in a child Python."""
    done = subprocess.run([sys.executable, "-c", FRAMES_SCRIPT], capture_output=True, text=True)
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
        raise SystemExit(f"pycapture.table does not import from {os.environ['PYTHONPATH']}: {last} "
                         "(rebuild the C extension: setup.py build_ext --inplace)")  # fmt: skip
    out = done.stdout.splitlines()
    return out[0].split(","), [tuple(line.split("\t", 1)) for line in out[1:]]  # type: ignore[misc]


def tshark_names(tshark: str) -> dict[str, str]:
    """Every tshark field and protocol name, to its kind: ``F`` a field, ``P`` a protocol."""
    text = subprocess.run([tshark, "-G", "fields"], capture_output=True, text=True, check=True).stdout
    names: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[0] in ("F", "P"):
            names[parts[2]] = parts[0]
    return names


def shared_columns(
    sources: list[tuple[str, str]], known: dict[str, str]
) -> tuple[list[str], list[str], list[str], list[str]]:
    """(columns, tshark fields, protocols to enable, columns left out) for the ``convert`` pair.

    A source such as ``tcp.len / udp.length - 8`` names the fields ``tcp.len`` and ``udp.length``; a column
    goes in when tshark knows one of its fields, and tshark prints all of them. A field that is a protocol
    (``communityid``, off by default) is also turned on with ``--enable-protocol``.
    """
    columns: list[str] = []
    fields: list[str] = []
    protocols: list[str] = []
    left_out: list[str] = []
    for name, source in sources:
        words = [part.split()[0] for part in source.split("/") if part.split()]
        found = [w for w in words if w in known]
        if not found:
            left_out.append(f"`{name}` (source {source})")
            continue
        columns.append(name)
        fields += [w for w in found if w not in fields]
        protocols += [w for w in found if known[w] == "P" and not w.startswith("_ws.")]
    return columns, fields, protocols, left_out


# --- running


def run_bench(bench: Bench) -> None:
    """Run BENCH once and keep its time, CPU time and peak RSS, or its error."""
    if bench.inside or bench.stdout is None:
        with tempfile.TemporaryFile() as out:
            elapsed, rss, code, tail = _spawn(bench.argv, out if bench.inside else subprocess.DEVNULL)
            out.seek(0)
            words = out.read().decode(errors="replace").split()
    else:
        with open(bench.stdout, "wb") as out:
            elapsed, rss, code, tail = _spawn(bench.argv, out)
        words = []
    if code == 0 and bench.inside:
        if len(words) != 3 or int(words[0]) != bench.packets:
            code, tail = 1, f"read {words[0] if words else 'no'} rows of {bench.packets:,}"
        else:
            elapsed = float(words[1])
            bench.cpu.append(float(words[2]))
    if code != 0:
        bench.error = f"exit {code}: {tail.strip().splitlines()[-1] if tail.strip() else ''}"
        return
    bench.times.append(elapsed)
    bench.rss_kb.append(rss)


def run_rounds(benches: list[Bench], rounds: int) -> None:
    """Every bench once per round, each round starting one further along; a bench that fails is dropped."""
    for r in range(rounds):
        shift = r % len(benches)
        for bench in benches[shift:] + benches[:shift]:
            if bench.error:
                continue
            run_bench(bench)
            result = bench.error or f"{bench.times[-1]:.2f} s, {bench.rss_kb[-1] / 1024:.0f} MB"
            say(f"[round {r + 1}/{rounds}] {bench.label}: {result}")


def check_outputs(parquet: Path, csv: Path | None, packets: int) -> list[str]:
    """Notes when convert's outputs do not hold one row per packet (the CSV with its header)."""
    import pyarrow.parquet as pq

    notes = []
    if parquet.exists() and (rows := pq.ParquetFile(parquet).metadata.num_rows) != packets:
        notes.append(f"{parquet.name} has {rows:,} rows, not {packets:,}")
    if csv is not None and csv.exists():
        with open(csv, "rb") as f:
            lines = sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 24), b""))
        if lines != packets + 1:
            notes.append(f"X.csv has {lines:,} lines, not {packets + 1:,} (a header and a line a packet)")
    return notes


def rss_check(pycapture: str, big: Path, out: Path) -> tuple[str, list[str]]:
    """Convert BIG once: a table row with its peak RSS (GNU time's %M) and notes on RSS along the way."""
    with tempfile.NamedTemporaryFile(prefix="rss-") as rss_file, tempfile.TemporaryFile() as err_file:
        timed = [str(GNU_TIME), "-f", "%M", "-o", rss_file.name]
        argv = [*timed, pycapture, "convert", str(big), "-o", str(out)]
        samples: list[tuple[float, int]] = []
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err_file)
        while proc.poll() is None:
            kb = _child_rss_kb(proc.pid)
            if kb:
                samples.append((time.perf_counter() - start, kb))
            time.sleep(RSS_SAMPLE_S)
        elapsed = time.perf_counter() - start
        err_file.seek(0)
        err = err_file.read().decode(errors="replace")
        words = Path(rss_file.name).read_text().split()
    packets = count_packets(big)
    size = f"{big.stat().st_size / 1e9:.2f} GB, {packets:,} packets"
    if proc.returncode != 0:
        return f"| `pycapture convert BIG -o X.parquet` ({size}) | failed: {err.strip()[-200:]} | | | |", []
    peak = int(words[-1]) / 1024 if words and words[-1].isdigit() else float("nan")
    label = f"`pycapture convert BIG -o X.parquet` ({size})"
    notes = check_outputs(out, None, packets)
    row = f"| {label} | {elapsed:.2f} | {packets / elapsed:,.0f} | | **{peak:.0f}** |"
    if samples:
        picks = [samples[min(len(samples) - 1, int(q * len(samples)))] for q in (0.1, 0.25, 0.5, 0.75, 0.9)]
        notes.append(
            f"RSS of the convert of BIG, sampled every {RSS_SAMPLE_S} s ({len(samples)} samples): "
            + ", ".join(f"{t:.0f} s {kb / 1024:.0f} MB" for t, kb in picks)
            + f"; peak {peak:.0f} MB (target: flat, under 150 MB)"
        )
    return row, notes


def _child_rss_kb(time_pid: int) -> int:
    """VmRSS of the process GNU time runs (its child), 0 when it is not there yet or is gone."""
    try:
        children = Path(f"/proc/{time_pid}/task/{time_pid}/children").read_text().split()
        for line in Path(f"/proc/{children[0]}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return 0


# --- the report


def table_rows(benches: list[Bench]) -> list[str]:
    by_label = {b.label: b for b in benches}
    lines = []
    for b in benches:
        if not b.times:
            lines.append(f"| `{b.label}` | failed: {b.error} | | | |")
            continue
        med = b.median()
        peer = by_label.get(b.peer) if b.peer else None
        if peer is not None and peer.times:
            ratio = f"{fmt_ratio(peer.median() / med)} vs `{peer.label.split(' -e ')[0]}`"
        elif b.inside:
            share = statistics.median(c / t for c, t in zip(b.cpu, b.times))
            ratio = f"CPU/wall {share:.2f}"  # never above 1: one core
        else:
            ratio = ""
        lines.append(
            f"| `{b.label}` | {med:.2f} | {b.packets / med:,.0f} | {ratio} | {max(b.rss_kb) / 1024:.0f} |"
        )
    return lines


def markdown(about: list[str], benches: list[Bench], extra_rows: list[str], notes: list[str]) -> str:
    lines = [
        *[f"- {a}" for a in about],
        "",
        "| command | median s | packets/s | ratio vs peer | peak RSS MB |",
        "|---|---:|---:|---:|---:|",
        *table_rows(benches),
        *extra_rows,
        "",
        *[f"- {n}" for n in notes],
        "",
        "<details><summary>every round (seconds)</summary>",
        "",
        *[f"- {b.label}: " + ", ".join(f"{t:.3f}" for t in b.times) for b in benches if b.times],
        "",
        "</details>",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="round-robin rounds (default 5)")
    parser.add_argument(
        "--packets", type=int, default=1_000_000, help="packets in the capture (default 1,000,000)"
    )
    parser.add_argument(
        "--json-packets", type=int, help="packets in the --json/-T ek capture (default --packets)"
    )
    parser.add_argument("--skip-json", action="store_true", help="leave out --json and tshark -T ek")
    parser.add_argument(
        "--rss-packets",
        type=int,
        default=3_000_000,
        help="packets in the capture of the RSS check (default 3,000,000, about 2.1 GB)",
    )
    parser.add_argument("--skip-rss", action="store_true", help="leave out the RSS check")
    parser.add_argument(
        "--src", type=Path, default=ROOT / "src", help="the pycapture tree to time (default src/)"
    )
    parser.add_argument("--markdown-out", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    if min(args.rounds, args.packets, args.json_packets or 1, args.rss_packets) < 1:
        parser.error("--rounds and the packet counts must be at least 1")
    if not (args.src / "pycapture").is_dir():
        parser.error(f"--src {args.src}: no pycapture package there (give a tree's src/ folder)")
    pycapture, tshark = find_pycapture(), find_tool("tshark")
    if pycapture is None:
        parser.error("no pycapture: pip install -e '.[table]' into .venv")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(args.src.resolve()), os.environ.get("PYTHONPATH")])
    )
    CACHE.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="table-", dir=CACHE))  # the outputs X.parquet, X.csv...
    atexit.register(shutil.rmtree, work, True)  # also when a failure or ^C ends the run

    f = capture(args.packets)
    packets = count_packets(f)
    warm(f)
    frame_columns, sources = schema_columns()
    load = os.getloadavg()
    version = subprocess.run([pycapture, "--version"], capture_output=True, text=True).stdout.strip()
    about = [
        f"Capture `{f.name}` ({packets:,} packets, {f.stat().st_size / 1e6:,.0f} MB); "
        f"medians of {args.rounds} round-robin rounds; `TZ=UTC`",
        f"Python {platform.python_version()} on {platform.platform()}, "
        f"{os.cpu_count()} CPUs ({cpu_model()}); load average at the start {load[0]:.2f}",
        ", ".join(version.splitlines())
        + (git_state() if args.src.resolve() == (ROOT / "src").resolve() else f", from `{args.src}`"),
    ]
    notes: list[str] = []
    x_parquet, x_csv, x_all = work / "X.parquet", work / "X.csv", work / "all.parquet"
    read = [sys.executable, "-c", READ_SCRIPT, str(f)]
    frames = ",".join(frame_columns)
    benches = [
        Bench("read_batches(F)", [*read, ""], packets, inside=True),
        Bench(f"read_batches(F, columns=[{frames}])", [*read, frames], packets, inside=True),
        Bench("pycapture convert F -o X.parquet", [pycapture, "convert", str(f), "-o", str(x_all)], packets),
    ]
    if tshark:
        about.append(first_line([tshark, "--version"]))
        columns, fields, protocols, left_out = shared_columns(sources, tshark_names(tshark))
        notes.append(f"Left out of the convert pair (no tshark field): {', '.join(left_out) or 'none'}")
        options = ["-E", "header=y", "-E", "separator=,", "-E", "occurrence=f"]
        t_fields = f"tshark -r F -T fields -e <{len(fields)} fields> {' '.join(options)} > X.csv"
        enable = [w for p in protocols for w in ("--enable-protocol", p)]
        shared = [pycapture, "convert", str(f), "-o", str(x_parquet), "--columns", ",".join(columns)]
        t_argv = [tshark, "-r", str(f), *enable, "-T", "fields", *[w for x in fields for w in ("-e", x)]]
        benches += [
            Bench(f"pycapture convert F -o X.parquet --columns <{len(columns)} columns>", shared, packets,
                  peer=t_fields),
            Bench(t_fields, [*t_argv, *options], packets, stdout=x_csv),
        ]  # fmt: skip
        notes.append(f"The convert pair's columns: {','.join(columns)}")
        with_enabled = f" (with {' '.join(enable)})" if enable else ""
        notes.append(f"tshark's fields: {' '.join(fields)}{with_enabled}")
    else:
        notes.append("tshark is not installed: no peers (apt-get install tshark)")
    if not args.skip_json:
        j = capture(args.json_packets) if args.json_packets else f
        j_packets = count_packets(j) if j != f else packets
        warm(j)
        where = "F" if j == f else f"J ({j_packets:,} packets)"
        ek = f"tshark -r {where} -T ek"
        json_argv = [pycapture, "-r", str(j), "--json"]
        benches.append(
            Bench(f"pycapture -r {where} --json", json_argv, j_packets, peer=ek if tshark else None)
        )
        if tshark:
            benches.append(Bench(ek, [tshark, "-r", str(j), "-T", "ek"], j_packets))

    run_rounds(benches, args.rounds)
    if tshark:
        notes += check_outputs(x_parquet, x_csv, packets)
    notes += check_outputs(x_all, None, packets)
    extra_rows: list[str] = []
    if args.skip_rss:
        notes.append("RSS check: skipped (--skip-rss)")
    elif not GNU_TIME.exists():
        notes.append(f"RSS check: skipped, no {GNU_TIME} (apt-get install time)")
    elif (free := shutil.disk_usage(CACHE).free) < RSS_MIN_FREE:
        need = RSS_MIN_FREE >> 30
        notes.append(f"RSS check: skipped, {free / 2**30:.1f} GiB free under {CACHE}, needs {need} GiB")
    else:
        big = capture(args.rss_packets)
        warm(big)
        say(f"RSS check: pycapture convert {big} ...")
        row, rss_notes = rss_check(pycapture, big, work / "big.parquet")
        extra_rows.append(row)
        notes += rss_notes
    load = os.getloadavg()
    notes.append(f"Load average at the end {load[0]:.2f}")

    text = markdown(about, benches, extra_rows, notes)
    print(text)
    if args.markdown_out:
        args.markdown_out.write_text(text)
        say(f"wrote {args.markdown_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
