"""Fuzzing every printer with every link type: random, truncated and mutated frames, with any timestamp.

Whatever bytes a file or an interface hands over, and whatever the timestamps (libpcap passes a damaged
file's on as they are: negative, past 2038, fractions of a second above one second), the one-line
printer (with -e, -x/-X/-xx/-XX, -t to -ttttt, --nano), the Pcap4J dump (-v, -v -X) and JSON Lines
(--json) print without raising; a summary stays one line per packet and the same whether printed packet
by packet, by batch or in place from a file's buffer; and a frame the rich decoder finds malformed shows
as malformed in -v and --json. tests/decode/test_property.py fuzzes the decoders on their own.
"""

from __future__ import annotations

import io
import json
import struct

from hypothesis import example, given
from hypothesis import strategies as st

from pycapture.decode import rich
from pycapture.output.layered import JsonLinesPrinter, Pcap4jPrinter
from pycapture.output.tcpdump.printer import SummaryPrinter
from support.frames import ALL_LINKTYPES, SAMPLES
from support.fuzzing import fuzz

FRAMES = [frame for linktype in sorted(SAMPLES) for frame in SAMPLES[linktype]]

INT32 = st.integers(-(1 << 31), (1 << 31) - 1)  # libpcap's tv_sec and tv_usec, read from a file as signed


@st.composite
def frames(draw: st.DrawFn) -> bytes:
    """Random bytes, or a sample frame (of any link type) truncated, mutated, or with a random tail."""
    if draw(st.booleans()):
        return draw(st.binary(max_size=200))
    data = bytearray(draw(st.sampled_from(FRAMES)))
    for position, value in draw(st.lists(st.tuples(st.integers(0, 4095), st.integers(0, 255)), max_size=4)):
        data[position % len(data)] = value
    data = data[: draw(st.integers(0, len(data)))] if draw(st.booleans()) else data
    return bytes(data) + draw(st.binary(max_size=16))


@st.composite
def records(draw: st.DrawFn) -> list[tuple[int, int, int, bytes]]:
    """One to four ``(ts_sec, ts_frac, original_length, data)`` records, timestamps anything libpcap gives."""
    out = []
    for _ in range(draw(st.integers(1, 4))):
        data = draw(frames())
        sec = draw(st.one_of(st.integers(1_700_000_000, 1_800_000_000), INT32, st.integers(0, 1 << 40)))
        frac = draw(st.one_of(st.integers(0, 999_999), INT32))
        length = len(data) + draw(st.sampled_from([0, 0, 1, 1500, (1 << 32) - 1 - len(data)]))
        out.append((sec, frac, length, data))
    return out


SUMMARY_OPTIONS = st.fixed_dictionaries(
    {
        "time_style": st.integers(0, 5),
        "link_level": st.booleans(),
        "hex_level": st.sampled_from([0, 0, 1, 2]),
        "hex_ascii": st.booleans(),
        "nano": st.booleans(),
        "utc": st.booleans(),
    }
)


def printed(make, feed) -> str:
    out = io.StringIO()
    feed(make(out))
    return out.getvalue()


@fuzz(300)
@given(linktype=st.sampled_from(ALL_LINKTYPES), batch=records(), options=SUMMARY_OPTIONS)
@example(linktype=1, batch=[(-1, -1, 47, SAMPLES[1][1])], options={"time_style": 4, "link_level": False,
         "hex_level": 0, "hex_ascii": False, "nano": True, "utc": True})  # fmt: skip
@example(linktype=1, batch=[(1 << 40, 999_999_999, 47, SAMPLES[1][1])], options={"time_style": 0,
         "link_level": True, "hex_level": 2, "hex_ascii": True, "nano": False, "utc": False})  # fmt: skip
def test_summary_printer_prints_anything(linktype: int, batch: list, options: dict) -> None:
    def make(out: io.StringIO) -> SummaryPrinter:
        return SummaryPrinter(linktype, out, **options)

    def each(printer: SummaryPrinter) -> None:
        for record in batch:
            printer(*record)

    one_by_one = printed(make, each)
    assert printed(make, lambda printer: printer.write_batch(batch)) == one_by_one
    lines = one_by_one.split("\n")
    assert lines[-1] == ""
    if not options["hex_level"]:
        # one line per packet, whatever the bytes say; under it, indented, only what tcpdump prints
        # there (its default printer's hex of a payload it does not decode, the frame of a link type
        # it has no printer for, a few protocols' further lines)
        heads = [line for line in lines[:-1] if not line.startswith("\t")]
        assert len(batch) <= len(heads) <= 2 * len(batch), one_by_one  # SOME/IP adds an empty line
    assert all(line.replace("\t", "").isprintable() for line in lines), one_by_one


def _native_records(batch: list[tuple[int, int, int, bytes]]) -> bytes:
    """The records as a classic pcap file in this machine's byte order holds them (32-bit fields)."""
    mask = 0xFFFFFFFF
    return b"".join(
        struct.pack("=IIII", sec & mask, frac & mask, len(data), length & mask) + data
        for sec, frac, length, data in batch
    )


@fuzz(300)
@given(linktype=st.sampled_from(ALL_LINKTYPES), batch=records(), time_style=st.sampled_from([0, 1, 2, 4]))
def test_summaries_read_in_place_are_the_ones_printed_by_packet(
    linktype: int, batch: list, time_style: int
) -> None:
    """The printer that reads a file's buffer in place prints what it prints packet by packet from libpcap
    (which hands 32-bit timestamps on as signed numbers)."""
    batch = [(_signed(sec & 0xFFFFFFFF), _signed(frac & 0xFFFFFFFF), length & 0xFFFFFFFF, data)
             for sec, frac, length, data in batch]  # fmt: skip
    printer = SummaryPrinter(linktype, io.StringIO(), time_style=time_style)
    if not hasattr(printer, "format_records"):
        return  # this printer has no in-place path
    expected = printed(
        lambda out: SummaryPrinter(linktype, out, time_style=time_style), lambda p: p.write_batch(batch)
    )
    buf = _native_records(batch)
    text, used, n = printer.format_records(buf, 262144)
    assert (text, used, n) == (expected, len(buf), len(batch))


def _signed(value: int) -> int:
    return value - (1 << 32) if value >= 1 << 31 else value


@fuzz(200)
@given(
    linktype=st.sampled_from(ALL_LINKTYPES),
    batch=records(),
    hex_level=st.sampled_from([0, 1, 2]),
    hex_ascii=st.booleans(),
    nano=st.booleans(),
)
def test_pcap4j_dump_prints_anything_and_shows_malformed(
    linktype: int, batch: list, hex_level: int, hex_ascii: bool, nano: bool
) -> None:
    out = io.StringIO()
    printer = Pcap4jPrinter(linktype, out, hex_level=hex_level, hex_ascii=hex_ascii, nano=nano)
    for record in batch:
        start = out.tell()
        printer(*record)
        text = out.getvalue()[start:]
        assert text.endswith("\n\n")
        assert f"Original length: {record[2]} bytes" in text
        malformed = rich.decode(linktype, record[3]).malformed is not None
        assert ("[Illegal Packet (" in text) == malformed, text


@fuzz(200)
@given(linktype=st.sampled_from(ALL_LINKTYPES), batch=records(), nano=st.booleans())
def test_json_lines_print_anything_and_show_malformed(linktype: int, batch: list, nano: bool) -> None:
    out = io.StringIO()
    printer = JsonLinesPrinter(linktype, out, nano=nano)
    for record in batch:
        printer(*record)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(batch)
    for number, (line, (_sec, _frac, length, data)) in enumerate(zip(lines, batch), start=1):
        frame = json.loads(line)["frame"]
        assert (frame["number"], frame["len"], frame["cap_len"]) == (number, length, len(data))
        assert frame["malformed"] == (rich.decode(linktype, data).malformed is not None)
