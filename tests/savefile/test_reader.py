"""Reading a classic pcap file in place through mmap (pycapture.savefile.reader): the resident set stays small
whatever the file's size, and a file that cannot be mapped is read the other way with the same result."""

from __future__ import annotations

import os
import subprocess
import sys

from pycapture.savefile.reader import BUFFER_BYTES, RecordBuffers, walk
from support.traffic import make_capture

_PEAK = """
import sys
from pycapture.cli.main import main
try:
    main(["-n", "-r", sys.argv[1]])
except SystemExit:
    pass
with open("/proc/self/status") as f:
    print(next(line for line in f if line.startswith("VmHWM:")).split()[1], file=sys.stderr)
"""


def _records(source: RecordBuffers) -> tuple[int, int]:
    total = count = 0
    while (buf := source.fill()) is not None:
        used, n = walk(buf, source.max_caplen)
        source.keep(buf, used)
        total += used
        count += n
    source.close()
    return total, count


def test_a_big_file_read_in_place_does_not_stay_resident(tmp_path):
    path = tmp_path / "big.pcap"
    make_capture(path, 150000)
    size_mb = path.stat().st_size / 2**20
    assert size_mb > 90
    env = dict(os.environ, TZ="UTC", PYCAPTURE_WORKERS="1")
    result = subprocess.run(
        [sys.executable, "-c", _PEAK, str(path)], capture_output=True, text=True, env=env, check=False
    )
    peak_mb = int(result.stderr.strip().splitlines()[-1]) / 1024
    assert result.stdout.count("\n") == 150000
    assert peak_mb < 90, f"peak RSS {peak_mb:.0f} MB reading a {size_mb:.0f} MB file"


def test_mapped_and_read_buffers_hold_the_same_records(tmp_path):
    path = tmp_path / "mix.pcap"
    make_capture(path, 20000)
    raw = path.read_bytes()
    for keep in (len(raw), len(raw) - 5, 24 + 10, 24):  # whole, cut in a record, in a header, no record
        cut = tmp_path / f"cut{keep}.pcap"
        cut.write_bytes(raw[:keep])
        mapped = RecordBuffers.open(str(cut), False)
        assert mapped is not None
        assert (mapped._view is not None) == (keep > 24)
        read = RecordBuffers.open(str(cut), False)
        assert read is not None
        read._map = read._view = None  # as for a file that cannot be mapped
        read._file.seek(24)
        irregular = []
        results = []
        for source in (mapped, read):
            results.append(_records(source))
            irregular.append(source.irregular)
        assert results[0] == results[1]
        assert irregular[0] == irregular[1] == (keep not in (len(raw), 24))
    assert BUFFER_BYTES > 262144 + 16
