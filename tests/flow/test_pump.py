"""The pump (pycapture.flow.pump) moves what a source reads to its sinks, and reads saved files in place.

The two-process reader (``PYCAPTURE_WORKERS=2``) must print byte for byte what one process prints, with
a filter, and on a file cut in the middle of a record; a classic pcap file read in place
(pycapture.savefile.reader) must print what libpcap reading it prints, whatever its snapshot length,
damage, precision or timestamps; and a handle already read from is pumped from the record it is at.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pycapture.capture.handle import open_offline
from pycapture.flow.pump import pump
from pycapture.output.tcpdump.printer import SummaryPrinter
from support.traffic import TextSink, libpcap_records


def run(path: Path, workers: str, *args: str) -> subprocess.CompletedProcess:
    """pycapture -n -S ARGS -r PATH: absolute sequence numbers, so that two processes may print it."""
    env = dict(os.environ, TZ="UTC", PYCAPTURE_WORKERS=workers)
    return subprocess.run(
        [sys.executable, "-m", "pycapture", "-n", "-S", *args, "-r", str(path)],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("args", [(), ("-e",), ("-tttt",), ("tcp", "or", "arp")])
def test_two_processes_print_what_one_prints(mix_capture, args):
    one, two = run(mix_capture, "1", *args), run(mix_capture, "2", *args)
    assert one.returncode == two.returncode == 0, two.stderr
    assert two.stdout == one.stdout
    assert two.stderr == one.stderr
    assert len(one.stdout.splitlines()) > 2 * 4096  # chunks of both processes


@pytest.mark.parametrize("keep", [0.33, 0.71])
def test_two_processes_on_a_damaged_file_print_the_packets_before_the_damage(mix_capture, tmp_path, keep):
    cut = tmp_path / "cut.pcap"
    raw = mix_capture.read_bytes()
    cut.write_bytes(raw[: int(len(raw) * keep)])
    one, two = run(cut, "1"), run(cut, "2")
    assert one.returncode == two.returncode == 1
    assert two.stdout == one.stdout and one.stdout
    assert two.stderr == one.stderr
    assert b"Traceback" not in two.stderr


def test_two_processes_stop_quietly_when_the_reader_goes_away(mix_capture):
    env = dict(os.environ, TZ="UTC", PYCAPTURE_WORKERS="2")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pycapture", "-n", "-S", "-r", str(mix_capture)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()
    stderr = proc.stderr.read()
    assert proc.wait(timeout=60) == 0
    assert b"Traceback" not in stderr


# --- a classic pcap file read in place (pycapture.savefile.reader) against libpcap reading it ---------


def _patched(mix_capture: Path, tmp_path: Path, name: str, edit) -> Path:
    raw = bytearray(mix_capture.read_bytes())
    edit(raw)
    path = tmp_path / name
    path.write_bytes(bytes(raw))
    return path


def _record_starts(raw: bytes | bytearray) -> list[int]:
    starts, pos = [], 24
    while pos + 16 <= len(raw):
        starts.append(pos)
        pos += 16 + int.from_bytes(raw[pos + 8 : pos + 12], "little")
    return starts


def _snaplen_100(raw: bytearray) -> None:
    raw[16:20] = (100).to_bytes(4, "little")  # most records are longer: libpcap cuts them to 100 bytes


def _damage(raw: bytearray, fraction: float) -> None:
    i = int(len(starts := _record_starts(raw)) * fraction)
    raw[starts[i] + 8 : starts[i] + 12] = (300000).to_bytes(4, "little")  # over libpcap's maximum


def _damaged_early(raw: bytearray) -> None:
    _damage(raw, 0.34)  # in the second 4 MiB buffer: the second worker's


def _damaged_late(raw: bytearray) -> None:
    _damage(raw, 0.67)  # in the third: the first worker's


def _nanosecond(raw: bytearray) -> None:
    raw[0:4] = (0xA1B23C4D).to_bytes(4, "little")


def _cut_in_header(raw: bytearray) -> None:
    starts = _record_starts(raw)
    raw[:] = raw[: starts[len(starts) // 2] + 7]


def _time_sign_bits(raw: bytearray) -> None:
    starts = _record_starts(raw)
    raw[starts[5] : starts[5] + 8] = b"\xff\xff\xff\xff\x40\x42\x0f\x80"  # libpcap reads both as signed


def _first_difference(one: bytes, other: bytes) -> str | None:
    """None if equal, else the first line that differs (pytest's own diff of megabytes takes minutes)."""
    if one == other:
        return None
    lines, other_lines = one.splitlines(), other.splitlines()
    for number, (line, other_line) in enumerate(zip(lines, other_lines), 1):
        if line != other_line:
            return f"line {number}: {line!r} != {other_line!r}"
    return f"{len(lines)} lines != {len(other_lines)} lines"


@pytest.mark.skipif(sys.byteorder != "little", reason="the edits write little-endian files")
@pytest.mark.parametrize(
    "edit", [_snaplen_100, _damaged_early, _damaged_late, _nanosecond, _cut_in_header, _time_sign_bits]
)
def test_files_read_in_place_print_what_libpcap_reading_prints(mix_capture, tmp_path, edit):
    path = _patched(mix_capture, tmp_path, edit.__name__ + ".pcap", edit)
    through_libpcap = run(path, "1", "greater", "0")  # a filter keeps the reading in libpcap
    for workers in ("1", "2"):
        in_place = run(path, workers)
        assert in_place.returncode == through_libpcap.returncode, in_place.stderr
        assert _first_difference(in_place.stdout, through_libpcap.stdout) is None, workers
        assert in_place.stderr == through_libpcap.stderr
        assert b"Traceback" not in in_place.stderr
    assert through_libpcap.stdout.count(b"\n") > 100


def test_pump_reads_in_place_only_from_the_first_record(mix_capture):
    _linktype, records = libpcap_records(mix_capture)
    expected = TextSink()
    SummaryPrinter(1, expected, utc=True).write_batch(records[3:])  # type: ignore[arg-type]
    for taken in (0, 3):
        with open_offline(str(mix_capture)) as handle:
            for _ in range(taken):
                handle.get_next_packet_ex()
            out = TextSink()
            assert pump(handle, [SummaryPrinter(1, out, utc=True)]) == len(records) - taken  # type: ignore[arg-type]
            assert handle.captured == len(records)
        lines = "".join(out.parts).splitlines(keepends=True)
        assert "".join(lines[3 - taken :]) == "".join(expected.parts)
