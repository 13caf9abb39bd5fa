"""Keep tests/output/tcpdump/expected_differences.tsv true after a printer changes.

Run from tests/: ``PYTHONPATH=../src python -m support.parity_regen [--write]``. It prints each corpus
packet whose first line differs from ``tcpdump -n -r``'s and is not listed (to be fixed, or listed with a
cause by hand), and with ``--write`` drops the listed packets that now match, keeping every cause. It also
prints the per-file parity that test_parity.py holds to its floor.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from support.corpus import corpus_rows
from support.env import CORPUS
from support.expected import HEADER, packets, ranges, read_expected

EXPECTED = Path(__file__).parents[1] / "output" / "tcpdump" / "expected_differences.tsv"
_ENV = dict(os.environ, TZ="UTC")


def _first_lines(command: list[str]) -> list[str]:
    out = subprocess.run(command, capture_output=True, env=_ENV, check=False).stdout.decode("latin-1")
    return [line for line in out.splitlines() if line[:2].isdigit()]


def _compare(name: str) -> tuple[str, list[int], int]:
    path = str(CORPUS / name)
    theirs = _first_lines(["tcpdump", "-n", "-r", path])
    ours = _first_lines([sys.executable, "-m", "pycapture", "-n", "-r", path])
    lines = max(len(ours), len(theirs))
    return name, [n for n in range(1, lines + 1) if ours[n - 1 : n] != theirs[n - 1 : n]], lines


def main(write: bool) -> int:
    """Compare, report, and with ``write`` rewrite the list; 1 when a difference is not listed."""
    names = [row["file"] for row in corpus_rows()]
    with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        results = list(pool.map(_compare, names))
    found = {(name, n) for name, differing, _ in results for n in differing}
    shares = [1 - len(differing) / lines for _, differing, lines in results if lines]  # as test_parity.py
    _causes, listed = read_expected(EXPECTED)
    new = sorted(found - listed.keys())
    gone = sorted(listed.keys() - found)
    print(f"per-file parity {sum(shares) / max(len(shares), 1):.4f} over {len(shares)} files")
    print(f"not listed: {len(new)}; listed but now identical: {len(gone)}")
    for name, number in new:
        print(f"  {name}\t{number}")
    if write:
        lines = []
        for line in EXPECTED.read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or not line or line == HEADER:
                lines.append(line)
                continue
            name, spec, cause = line.split("\t")
            keep = [n for n in packets(spec) if (name, n) in found]
            if keep:
                lines.append(f"{name}\t{ranges(keep)}\t{cause}")
        EXPECTED.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 1 if new else 0


if __name__ == "__main__":
    raise SystemExit(main("--write" in sys.argv[1:]))
