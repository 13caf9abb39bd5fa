"""Record pycapture's CLI output on every test capture, and compare two records byte for byte.

This proves that a change meant to keep behaviour (for example moving modules into packages) does not
alter a single byte the CLI prints or writes. ``record`` runs ``python -m pycapture <mode> -r FILE`` as a
subprocess for every capture file and every mode below, and stores for each (file, mode) pair the
sha256 of stdout, the sha256 of stderr, the exit code and the first lines of stdout and stderr (only to
explain a difference). The ``write`` mode runs ``-w out.pcap -c 50`` and also stores the sha256 of the
written file. ``compare`` reports every pair whose result differs between two records.

    .venv/bin/python benchmarks/same_output.py record /work/identity/before.json --src /work/baseline/src
    .venv/bin/python benchmarks/same_output.py record /work/identity/after.json --src src
    .venv/bin/python benchmarks/same_output.py compare /work/identity/before.json /work/identity/after.json

The capture files are those listed in the corpus's ``MANIFEST.tsv`` (column ``file``; default corpus
``../shared/corpus`` next to the repository) and every ``*.pcap``/``*.pcapng`` in ``captures/``. Each run
has cwd a fresh temporary directory, ``TZ=UTC``, ``LC_ALL=C.UTF-8``, stdin ``/dev/null`` (the file itself
for the ``stdin`` mode), ``PYTHONPATH=--src`` when given (else no PYTHONPATH) and no ``PYCAPTURE_*``
variables, and a 60 s timeout; a run that hits it is recorded with the result ``timeout``. The temporary
directory's path, should it appear in the output, is replaced by ``<TMP>`` before hashing.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from subprocess import DEVNULL, PIPE, Popen, TimeoutExpired
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
CAPTURES = ROOT / "captures"
TIMEOUT_S = 60.0
HEAD_LINES = 3
WRITE_NAME = "out.pcap"
FORMAT = 1

# Mode name -> CLI arguments placed before ``-r FILE``. ``stdin`` reads the file through ``-r -``;
# ``write`` writes the first 50 packets to WRITE_NAME and hashes that file too.
MODES: dict[str, list[str]] = {
    "-n": ["-n"],
    "-nn -e": ["-nn", "-e"],
    "-n -v": ["-n", "-v"],
    "--json": ["--json"],
    "-n -x": ["-n", "-x"],
    "-n -XX -e": ["-n", "-XX", "-e"],
    "-n -tttt -S": ["-n", "-tttt", "-S"],
    "stdin": ["-n", "-tt"],
    "write": ["-w", WRITE_NAME, "-c", "50"],
}


@dataclass(frozen=True)
class Job:
    """One CLI run: a capture file (by key and path) in one mode."""

    key: str
    path: str
    mode: str
    python: str
    src: str | None


def capture_files(corpus: Path) -> dict[str, Path]:
    """Return the capture files to check, keyed ``corpus/NAME`` or ``captures/NAME``, in sorted order."""
    files: dict[str, Path] = {}
    manifest = corpus / "MANIFEST.tsv"
    with manifest.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh, delimiter="\t")
        header = next(reader)
        if "file" not in header:
            raise SystemExit(f"{manifest}: no 'file' column in the header {header}")
        column = header.index("file")
        for row in reader:
            if len(row) > column and row[column].strip():
                name = row[column].strip()
                files[f"corpus/{name}"] = corpus / name
    for pattern in ("*.pcap", "*.pcapng"):
        for path in CAPTURES.glob(pattern):
            files[f"captures/{path.name}"] = path
    return dict(sorted(files.items()))


def child_env(src: str | None) -> dict[str, str]:
    """Return the environment for the CLI: the caller's, made reproducible."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYCAPTURE_") and k != "PYTHONPATH"}
    env["TZ"] = "UTC"
    env["LC_ALL"] = "C.UTF-8"
    if src is not None:
        env["PYTHONPATH"] = src
    return env


def sha256(data: bytes) -> str:
    """Return the hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def head(data: bytes) -> list[str]:
    """Return the first HEAD_LINES lines of ``data`` as text."""
    return data.decode("utf-8", errors="replace").splitlines()[:HEAD_LINES]


def run_one(job: Job) -> tuple[str, str, dict[str, Any]]:
    """Run the CLI once and return (file key, mode, result)."""
    args = [*MODES[job.mode], "-r", "-" if job.mode == "stdin" else job.path]
    with tempfile.TemporaryDirectory(prefix="same-output-") as tmp:
        stdin_file = open(job.path, "rb") if job.mode == "stdin" else None  # noqa: SIM115
        try:
            proc = Popen(
                [job.python, "-m", "pycapture", *args],
                cwd=tmp,
                env=child_env(job.src),
                stdin=stdin_file if stdin_file is not None else DEVNULL,
                stdout=PIPE,
                stderr=PIPE,
            )
            try:
                out, err = proc.communicate(timeout=TIMEOUT_S)
            except TimeoutExpired:
                proc.kill()
                proc.communicate()
                return job.key, job.mode, {"result": "timeout"}
        finally:
            if stdin_file is not None:
                stdin_file.close()
        placeholder = b"<TMP>"
        for prefix in {tmp, os.path.realpath(tmp)}:
            out = out.replace(prefix.encode(), placeholder)
            err = err.replace(prefix.encode(), placeholder)
        result: dict[str, Any] = {
            "result": "done",
            "exit": proc.returncode,
            "stdout": sha256(out),
            "stderr": sha256(err),
            "head_stdout": head(out),
            "head_stderr": head(err),
        }
        if job.mode == "write":
            written = Path(tmp, WRITE_NAME)
            result["written"] = sha256(written.read_bytes()) if written.exists() else None
    return job.key, job.mode, result


def record(args: argparse.Namespace) -> int:
    """Run every (file, mode) pair and write the record to ``args.out``."""
    corpus = Path(args.corpus).resolve()
    src = str(Path(args.src).resolve()) if args.src else None
    files = capture_files(corpus)
    jobs = [Job(key, str(path), mode, args.python, src) for key, path in files.items() for mode in MODES]
    results: dict[str, dict[str, dict[str, Any]]] = {key: {} for key in files}
    start = time.monotonic()
    done = 0
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for key, mode, result in pool.map(run_one, jobs, chunksize=4):
            results[key][mode] = result
            done += 1
            if result["result"] == "timeout":
                print(f"timeout: {key} [{mode}]", file=sys.stderr)
            if done % 500 == 0:
                print(f"{done}/{len(jobs)} runs, {time.monotonic() - start:.0f} s", file=sys.stderr)
    elapsed = time.monotonic() - start
    doc = {
        "format": FORMAT,
        "meta": {
            "python": args.python,
            "src": src,
            "corpus": str(corpus),
            "modes": MODES,
            "files": len(files),
            "pairs": len(jobs),
            "jobs": args.jobs,
            "seconds": round(elapsed, 1),
        },
        "results": results,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    timeouts = sum(r["result"] == "timeout" for per in results.values() for r in per.values())
    print(
        f"recorded {len(jobs)} (file, mode) pairs over {len(files)} files in {elapsed:.0f} s "
        f"({timeouts} timeouts) to {out}"
    )
    return 0


def first_difference(a: dict[str, Any], b: dict[str, Any]) -> str:
    """Describe how two results of one (file, mode) pair differ, from what the records hold."""
    if a.get("result") != b.get("result"):
        return f"result {a.get('result')} vs {b.get('result')}"
    parts = []
    if a.get("exit") != b.get("exit"):
        parts.append(f"exit {a.get('exit')} vs {b.get('exit')}")
    for stream in ("stdout", "stderr"):
        if a.get(stream) == b.get(stream):
            continue
        la, lb = a.get(f"head_{stream}", []), b.get(f"head_{stream}", [])
        for i in range(max(len(la), len(lb))):
            xa = la[i] if i < len(la) else "<none>"
            xb = lb[i] if i < len(lb) else "<none>"
            if xa != xb:
                parts.append(f"{stream} line {i + 1}:\n      A: {xa}\n      B: {xb}")
                break
        else:
            parts.append(f"{stream} differs after line {HEAD_LINES}")
    if a.get("written") != b.get("written"):
        parts.append("written file differs")
    return "; ".join(parts) or "result fields differ"


def strip_heads(result: dict[str, Any]) -> dict[str, Any]:
    """Return the fields that decide identity: everything but the explanatory heads."""
    return {k: v for k, v in result.items() if not k.startswith("head_")}


def compare(args: argparse.Namespace) -> int:
    """Print every (file, mode) pair whose result differs between two records; 1 if any, else 0."""
    a = json.loads(Path(args.a).read_text(encoding="utf-8"))["results"]
    b = json.loads(Path(args.b).read_text(encoding="utf-8"))["results"]
    differ = 0
    pairs = 0
    for key in sorted(set(a) | set(b)):
        modes_a, modes_b = a.get(key, {}), b.get(key, {})
        for mode in sorted(set(modes_a) | set(modes_b)):
            pairs += 1
            ra, rb = modes_a.get(mode), modes_b.get(mode)
            if ra is None or rb is None:
                differ += 1
                print(f"{key} [{mode}]: only in {'A' if rb is None else 'B'}")
            elif strip_heads(ra) != strip_heads(rb):
                differ += 1
                print(f"{key} [{mode}]: {first_difference(ra, rb)}")
    if differ:
        print(f"{differ} of {pairs} (file, mode) pairs differ")
        return 1
    print(f"identical: all {pairs} (file, mode) pairs over {len(set(a) | set(b))} files match")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run ``record`` or ``compare``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="run the CLI on every capture and mode, write a JSON record")
    rec.add_argument("out", help="JSON file to write")
    rec.add_argument("--src", help="directory put on PYTHONPATH (e.g. /work/baseline/src or src)")
    rec.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="folder holding MANIFEST.tsv")
    rec.add_argument("--jobs", type=int, default=2, help="parallel runs (default 2)")
    rec.add_argument("--python", default=sys.executable, help="interpreter that runs the CLI")
    rec.set_defaults(func=record)
    cmp_ = sub.add_parser("compare", help="compare two records; exit 1 if any (file, mode) differs")
    cmp_.add_argument("a")
    cmp_.add_argument("b")
    cmp_.set_defaults(func=compare)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
