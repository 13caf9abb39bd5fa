"""Move packets from a capture source to sinks until a count, the end of a file, or a stop signal."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Protocol, TextIO, runtime_checkable

from ..capture.source import BatchSource, CaptureSource, DrainableSource, GatheringSource, SavedFileSource
from ..errors import PcapNativeError
from ..packet import Record
from ..savefile.reader import RecordBuffers

Sink = Callable[[int, int, int, bytes], object]  # (ts_sec, ts_usec, original_length, data)


@runtime_checkable
class BatchSink(Protocol):
    """A sink that also takes a whole list of records in one call."""

    def write_batch(self, records: list[Record]) -> object:
        """Take the records, in order."""
        ...


@runtime_checkable
class InPlacePrinter(BatchSink, Protocol):
    """A printer that can format classic pcap records straight from a file's buffers."""

    @property
    def reads_in_place(self) -> bool:
        """True when :meth:`format_records` may print the packets."""
        ...

    @property
    def out(self) -> TextIO:
        """The stream the lines go to."""
        ...

    def format_records(self, buf: bytes | memoryview, max_caplen: int) -> tuple[str, int, int]:
        """The lines of the records at the start of ``buf``: ``(text, bytes used, records)``."""
        ...


def batch_call(sink: Sink) -> Callable[[list[Record]], object]:
    """A function that hands a list of records to ``sink``: its ``write_batch``, or a call per record."""
    if isinstance(sink, BatchSink):
        return sink.write_batch

    def each(records: list[Record]) -> None:
        for sec, usec, length, data in records:
            sink(sec, usec, length, data)

    return each


def in_place_printer(sinks: Sequence[Sink], count: int) -> InPlacePrinter | None:
    """The one sink, when it is a printer that reads records in place and no count limits it; else None."""
    if len(sinks) != 1 or count > 0:
        return None
    printer = sinks[0]
    return printer if isinstance(printer, InPlacePrinter) and printer.reads_in_place else None


def pump(source: CaptureSource, sinks: Sequence[Sink], count: int = -1) -> int:
    """Feed every packet to each sink; return how many packets were read.

    Packets are read in lists of records (:meth:`~pycapture.capture.source.BatchSource.record_batches`;
    live, a list is what the kernel had ready), handed whole to the sinks that have a ``write_batch``
    method, and one by one to the others. A whole classic pcap file printed as plain summaries is read in
    place instead (:class:`~pycapture.savefile.reader.RecordBuffers`): no libpcap call per packet.
    """
    printer = in_place_printer(sinks, count)
    if printer is not None and isinstance(source, SavedFileSource):
        buffers = source.in_place_buffers()
        if buffers is not None:
            return _pump_in_place(source, printer, buffers)
    if printer is not None and isinstance(source, GatheringSource):
        gather = source.gatherer()
        if gather is not None:
            return _pump_gathered(gather, printer)
    n = 0
    if isinstance(source, BatchSource):
        calls = [batch_call(sink) for sink in sinks]
        for records in source.record_batches(count):
            for call in calls:
                call(records)
            n += len(records)
        return n
    if len(sinks) == 1:
        sink = sinks[0]
        for sec, usec, length, data in source.records(count):
            sink(sec, usec, length, data)
            n += 1
        return n
    for sec, usec, length, data in source.records(count):
        for sink in sinks:
            sink(sec, usec, length, data)
        n += 1
    return n


# --- a classic pcap file read in place: no libpcap call per packet ----------------------------------------


def finish_through_libpcap(source: SavedFileSource, printer: InPlacePrinter, done: int) -> int:
    """Print the records from number ``done`` on through libpcap, as :func:`pump` does: the irregular
    record and what follows it, or the error libpcap reports. Returns how many it printed."""
    source.skip_records(done)  # records already printed: libpcap reads them as they were read
    write_batch = printer.write_batch
    n = 0
    for records in source.record_batches():
        write_batch(records)
        n += len(records)
    return n


def _pump_in_place(source: SavedFileSource, printer: InPlacePrinter, buffers: RecordBuffers) -> int:
    """:func:`pump` for one printer that reads the records straight from the file's buffers."""
    fmt = printer.format_records
    write = printer.out.write
    max_caplen = buffers.max_caplen
    done = 0
    try:
        while not source.break_requested:
            buf = buffers.fill()
            if buf is None:
                break
            text, used, n = fmt(buf, max_caplen)
            buffers.keep(buf, used)
            write(text)
            done += n
    finally:
        buffers.close()
    if buffers.irregular:
        return done + finish_through_libpcap(source, printer, done)
    source.captured += done
    return done


_ANY_CAPLEN = 1 << 30  # gathered records are whole and as long as the snapshot length lets them be


def _pump_gathered(gather: Callable[[int], Iterator[bytes]], printer: InPlacePrinter) -> int:
    """:func:`pump` for one printer reading a live capture's batches as pcap records in one buffer each
    (:meth:`~pycapture.capture.handle.PcapHandle.gatherer`): no Python object per packet."""
    fmt = printer.format_records
    write = printer.out.write
    done = 0
    for records in gather(-1):
        text, used, n = fmt(records, _ANY_CAPLEN)
        if used != len(records):  # cannot be: every record is whole and within the length given
            raise PcapNativeError(f"a gathered batch was read to byte {used} of {len(records)}")
        write(text)
        done += n
    return done


# --- after a stop signal: what the kernel already accepted for us -----------------------------------------

DRAIN_LIMIT_S = 3.0


def drain(source: CaptureSource, sinks: Sequence[Sink], count: int = -1) -> int:
    """Deliver the packets the kernel accepted before a stop signal but had not yet handed over.

    With TPACKET_V3, libpcap sees packets only when the kernel retires a ring block: when it is full or
    when the buffer timeout expires. So at Ctrl-C up to one timeout's worth of packets is counted as
    "received by filter" yet was never read (tcpdump loses them). This reads exactly that many more
    (received - dropped - captured, capped by ``count``), waiting at most the buffer timeout plus a
    margin (and never more than 3 s) for the block to be retired. Returns how many it delivered.
    """
    if not isinstance(source, DrainableSource) or not source.live or not source.is_open:
        return 0
    try:
        stat = source.get_stats()
    except PcapNativeError:
        return 0
    pending = stat.received - stat.dropped - stat.captured
    if count > 0:
        pending = min(pending, count - stat.captured)
    if pending <= 0:
        return 0
    timer = threading.Timer(min(source.timeout_ms / 1000 + 0.25, DRAIN_LIMIT_S), source.break_loop)
    timer.daemon = True
    timer.start()
    n = 0
    try:
        for sec, usec, length, data in source.records(pending):
            for sink in sinks:
                sink(sec, usec, length, data)
            n += 1
    finally:
        timer.cancel()
    return n
