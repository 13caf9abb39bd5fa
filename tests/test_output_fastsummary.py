"""The summary shortcut (pycapture.output.tcpdump.fastsummary) and the two-process reader agree with the
general path.

The shortcut reads TCP, UDP and ICMP echo over Ethernet/IPv4/IPv6 straight from the bytes; the general
path is the lean decoder plus ``summary_line``. Every frame of ../shared/corpus, of captures/ and of a
generated capture must get the same line from both, and so must truncated and mutated frames. The
two-process path (``PYCAPTURE_WORKERS=2``) must print byte for byte what one process prints, with a
filter, and on a file cut in the middle of a record.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pcapy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CAPTURES, CORPUS, ROOT
from pycapture.decode.lean import decode
from pycapture.output.tcpdump.fastsummary import SummaryCache, frame_summary
from pycapture.output.tcpdump.printer import SummaryPrinter
from pycapture.output.tcpdump.text import summary_line

MAKE_CAPTURE = ROOT / "benchmarks" / "make_capture.py"


def frames(path: Path) -> tuple[int, list[tuple[int, int, int, bytes]]]:
    """(linktype, records) of what libpcap reads of ``path``, up to any damage."""
    try:
        reader = pcapy.open_offline(str(path))
    except pcapy.PcapError:
        return -1, []
    records = []
    while True:
        try:
            header, data = reader.next()
        except pcapy.PcapError:
            break
        if header is None:
            break
        records.append((*header.getts(), header.getlen(), data))
    return reader.datalink(), records


def general(linktype: int, data: bytes, length: int) -> str:
    return summary_line(decode(linktype, data, length), length)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """20,000 packets of the benchmark's traffic mix (TCP, HTTP, TLS, DNS, RTP, ICMP, ARP, VLAN, IPv6)."""
    path = tmp_path_factory.mktemp("fast") / "mix.pcap"
    subprocess.run([sys.executable, str(MAKE_CAPTURE), str(path), "--packets", "20000"], check=True)
    return path


def assert_same_lines(path: Path) -> int:
    linktype, records = frames(path)
    cache = SummaryCache()
    for number, (_sec, _frac, length, data) in enumerate(records, 1):
        assert frame_summary(linktype, data, length, cache) == general(linktype, data, length), (path, number)
    return len(records)


def test_corpus_lines_are_those_of_the_general_path(corpus):
    assert sum(assert_same_lines(CORPUS / row["file"]) for row in corpus) > 20000


def test_sample_and_generated_lines_are_those_of_the_general_path(generated):
    for path in sorted(CAPTURES.glob("*.pcap")):
        assert_same_lines(path)
    assert assert_same_lines(generated) == 20000


def test_every_cut_of_generated_frames_gives_the_general_line(generated):
    _linktype, records = frames(generated)
    cache = SummaryCache()
    for _sec, _frac, length, data in records[:400]:
        for cut in range(len(data) + 1):
            part = data[:cut]
            assert frame_summary(1, part, length, cache) == general(1, part, length), (data.hex(), cut)


@pytest.fixture(scope="module")
def sample_frames(generated) -> list[bytes]:
    return [data for _s, _f, _l, data in frames(generated)[1][:2000:7]]


@settings(max_examples=300, deadline=None)
@given(
    pick=st.integers(0, 10**6), edits=st.lists(st.tuples(st.integers(0, 80), st.integers(0, 255)), max_size=4)
)
def test_mutated_frames_give_the_general_line(sample_frames, pick, edits):
    data = bytearray(sample_frames[pick % len(sample_frames)])
    for pos, value in edits:
        if pos < len(data):
            data[pos] = value
    frame = bytes(data)
    assert frame_summary(1, frame, len(frame) + 4, SummaryCache()) == general(1, frame, len(frame) + 4)


class _Out:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("options", [{}, {"time_style": 4}, {"time_style": 2}, {"link_level": True},
                                     {"hex_level": 1}, {"nano": True}])  # fmt: skip
def test_batches_print_what_packet_by_packet_printing_prints(generated, options):
    linktype, records = frames(generated)
    one, batched = _Out(), _Out()
    single = SummaryPrinter(linktype, one, utc=True, **options)  # type: ignore[arg-type]
    for record in records[:3000]:
        single(*record)
    SummaryPrinter(linktype, batched, utc=True, **options).write_batch(records[:3000])  # type: ignore[arg-type]
    assert "".join(batched.parts) == "".join(one.parts)


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
def test_two_processes_print_what_one_prints(generated, args):
    one, two = run(generated, "1", *args), run(generated, "2", *args)
    assert one.returncode == two.returncode == 0, two.stderr
    assert two.stdout == one.stdout
    assert two.stderr == one.stderr
    assert len(one.stdout.splitlines()) > 2 * 4096  # chunks of both processes


@pytest.mark.parametrize("keep", [0.33, 0.71])
def test_two_processes_on_a_damaged_file_print_the_packets_before_the_damage(generated, tmp_path, keep):
    cut = tmp_path / "cut.pcap"
    raw = generated.read_bytes()
    cut.write_bytes(raw[: int(len(raw) * keep)])
    one, two = run(cut, "1"), run(cut, "2")
    assert one.returncode == two.returncode == 1
    assert two.stdout == one.stdout and one.stdout
    assert two.stderr == one.stderr
    assert b"Traceback" not in two.stderr


def test_two_processes_stop_quietly_when_the_reader_goes_away(generated):
    env = dict(os.environ, TZ="UTC", PYCAPTURE_WORKERS="2")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pycapture", "-n", "-S", "-r", str(generated)],
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


def _patched(generated: Path, tmp_path: Path, name: str, edit) -> Path:
    raw = bytearray(generated.read_bytes())
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
def test_files_read_in_place_print_what_libpcap_reading_prints(generated, tmp_path, edit):
    path = _patched(generated, tmp_path, edit.__name__ + ".pcap", edit)
    through_libpcap = run(path, "1", "greater", "0")  # a filter keeps the reading in libpcap
    for workers in ("1", "2"):
        in_place = run(path, workers)
        assert in_place.returncode == through_libpcap.returncode, in_place.stderr
        assert _first_difference(in_place.stdout, through_libpcap.stdout) is None, workers
        assert in_place.stderr == through_libpcap.stderr
        assert b"Traceback" not in in_place.stderr
    assert through_libpcap.stdout.count(b"\n") > 100


def test_pump_reads_in_place_only_from_the_first_record(generated):
    from pycapture.capture.handle import open_offline
    from pycapture.flow.pump import pump

    _linktype, records = frames(generated)
    expected = _Out()
    SummaryPrinter(1, expected, utc=True).write_batch(records[3:])  # type: ignore[arg-type]
    for taken in (0, 3):
        with open_offline(str(generated)) as handle:
            for _ in range(taken):
                handle.get_next_packet_ex()
            out = _Out()
            assert pump(handle, [SummaryPrinter(1, out, utc=True)]) == len(records) - taken  # type: ignore[arg-type]
            assert handle.captured == len(records)
        lines = "".join(out.parts).splitlines(keepends=True)
        assert "".join(lines[3 - taken :]) == "".join(expected.parts)
