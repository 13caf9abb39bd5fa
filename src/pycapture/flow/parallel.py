"""Both cores on one saved capture: two processes read the same file, each formats every other chunk.

The output stays in the order of the file: a token passed back and forth through two pipes says whose
turn it is to write.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import struct
from collections.abc import Callable, Sequence
from typing import Protocol, TextIO, TypeVar, runtime_checkable

from ..capture.source import CaptureSource, ChunkReader, SavedFileSource
from ..errors import PcapNativeError
from ..packet import Record
from ..savefile.reader import RecordBuffers, walk
from .pump import InPlacePrinter, Sink, finish_through_libpcap, in_place_printer
from .signals import STOP_SIGNALS

PARALLEL_CHUNK = 4096  # records a worker formats at a time; the other skips them in one next_batch call
PARALLEL_MIN_BYTES = 32 << 20  # below this, forking costs more than it saves
WORKERS_VARIABLE = "PYCAPTURE_WORKERS"  # "1": one process always; "2": two even for a small file
_CHILD_BROKEN_PIPE = 3

_End = TypeVar("_End")  # what ended a worker's reading: a read error, or whether a record was irregular


@runtime_checkable
class ChunkPrinter(Protocol):
    """A printer whose lines may be formatted a chunk at a time, out of order, by another process."""

    @property
    def stateless(self) -> bool:
        """True when each packet's line depends on that packet alone."""
        ...

    @property
    def flushes_each_line(self) -> bool:
        """True when every line is flushed as it is written."""
        ...

    @property
    def out(self) -> TextIO:
        """The stream the lines go to."""
        ...

    def format_batch(self, records: list[Record]) -> str:
        """The lines of the records, as one string."""
        ...


def parallel_capable(source: CaptureSource, sinks: Sequence[Sink], count: int = -1) -> bool:
    """Whether :func:`pump_parallel` can print this capture: one summary printer writing to a file or
    pipe (not a terminal), a saved capture of at least 32 MiB read by pcapy-ng, no -c, two CPUs.

    ``$PYCAPTURE_WORKERS`` set to 1 keeps one process; set to 2, it drops the size condition.
    """
    workers = os.environ.get(WORKERS_VARIABLE, "").strip()
    if len(sinks) != 1 or count > 0 or workers == "1":
        return False
    printer = sinks[0]
    if not (isinstance(printer, ChunkPrinter) and printer.stateless):
        return False
    if printer.flushes_each_line or not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        return False
    if not isinstance(source, SavedFileSource) or source.chunk_reader() is None:
        return False
    try:
        if os.path.getsize(source.source) < PARALLEL_MIN_BYTES and workers != "2":
            return False
        fd = printer.out.fileno()
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return False
    return not os.isatty(fd)


_TOKEN = struct.Struct("=I")  # "your turn", with the number of records the sender has just written


def _take_turn(token_in: int) -> int | None:
    """Wait for the other worker to finish writing; its record count, or None if it is gone."""
    token = b""
    while len(token) < _TOKEN.size:
        more = os.read(token_in, _TOKEN.size - len(token))
        if not more:
            return None
        token += more
    written: int = _TOKEN.unpack(token)[0]
    return written


def _write_in_turn(out: TextIO, text: str, count: int, first: bool, token_in: int, token_out: int) -> bool:
    """Write ``text`` when the other worker has written its chunk (at once for the first chunk of the
    file), then pass the turn on with ``count``, the records written. False, writing nothing, when the
    other worker is gone."""
    if not first and _take_turn(token_in) is None:
        return False
    if text:
        out.write(text)
        out.flush()
    with contextlib.suppress(BrokenPipeError):  # the other worker has seen the end already
        os.write(token_out, _TOKEN.pack(count))
    return True


def _work(
    chunks: ChunkReader,
    printer: ChunkPrinter,
    me: int,
    token_in: int,
    token_out: int,
    stop: Callable[[], bool],
) -> tuple[int, PcapNativeError | None, bool]:
    """Print chunks me, me+2, me+4... in turn with the other worker; skip the rest. Returns (packets
    read, the read error that ended the file or None, whether a break or the other worker stopped it)."""
    read = 0
    chunk = 0
    while True:
        if stop():
            return read, None, True
        if chunk % 2 == me:
            records, error = chunks.read(PARALLEL_CHUNK)
            text = printer.format_batch(records) if records else ""
            if not _write_in_turn(printer.out, text, len(records), chunk == 0, token_in, token_out):
                return read + len(records), None, True  # the other worker is gone
            read += len(records)
            if error is not None or len(records) < PARALLEL_CHUNK:
                return read, error, False
        else:
            try:
                skipped = chunks.skip(PARALLEL_CHUNK)
            except PcapNativeError as exc:  # the damage is in the other worker's chunk: it prints
                read += _take_turn(token_in) or 0  # what precedes it, then sends its count of records
                return read, exc, False
            read += skipped
            if skipped < PARALLEL_CHUNK:
                return read, None, False
        chunk += 1


def _work_in_place(
    buffers: RecordBuffers,
    printer: InPlacePrinter,
    me: int,
    token_in: int,
    token_out: int,
    stop: Callable[[], bool],
) -> tuple[int, bool, bool]:
    """:func:`_work` on the file's buffers: print buffers me, me+2, me+4... in turn with the other worker;
    walk the record headers of the others. Returns (records read, whether an irregular record ended the
    walk, whether a break or the other worker stopped it)."""
    fmt = printer.format_records
    out = printer.out
    max_caplen = buffers.max_caplen
    read = 0
    chunk = 0
    while True:
        if stop():
            return read, False, True
        buf = buffers.fill()
        if buf is None:
            previous_was_theirs = buffers.irregular and me == 0 and chunk % 2 == 0 and chunk > 0
            if previous_was_theirs and _take_turn(token_in) is None:
                return read, False, True  # the other worker is gone before printing its last buffer
            return read, buffers.irregular, False
        if chunk % 2 == me:
            text, used, n = fmt(buf, max_caplen)
            if not _write_in_turn(out, text, n, chunk == 0, token_in, token_out):
                return read + n, False, True  # the other worker is gone
        else:
            used, n = walk(buf, max_caplen)
        buffers.keep(buf, used)
        read += n
        chunk += 1


def _start_child(out: TextIO, work: Callable[[int, int], object]) -> tuple[int, int, int]:
    """Fork the second worker and return ``(pid, token_in, token_out)``, the parent's ends of the two
    pipes. The child runs ``work(token_in, token_out)`` with its own ends, flushes ``out`` and exits: 0,
    1 on an error, or _CHILD_BROKEN_PIPE when standard output was closed."""
    to_child_r, to_child_w = os.pipe()
    to_parent_r, to_parent_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child; tests check its output
        code = 1
        try:
            for sig in STOP_SIGNALS:
                signal.signal(sig, signal.SIG_DFL)
            os.close(to_child_w)
            os.close(to_parent_r)
            work(to_child_r, to_parent_w)
            out.flush()
            code = 0
        except BrokenPipeError:
            code = _CHILD_BROKEN_PIPE
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(to_child_r)
    os.close(to_parent_w)
    return pid, to_parent_r, to_child_w


def _in_two_processes(
    source: CaptureSource,
    out: TextIO,
    mine: Callable[[int, int], tuple[int, _End, bool]],
    theirs: Callable[[int, int], object],
    done: Callable[[], object] = lambda: None,
) -> tuple[int, _End]:
    """Run ``mine(token_in, token_out)`` here and ``theirs`` in a forked child, taking turns; call ``done``
    and wait for the child. Returns (records read here, what ended the reading), as ``mine`` returns
    them; raises BrokenPipeError when the child found standard output closed, and PcapNativeError when
    it failed on its own."""
    pid, token_in, token_out = _start_child(out, theirs)
    try:
        read, end, stopped = mine(token_in, token_out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
        raise
    finally:
        done()
        os.close(token_out)
        os.close(token_in)
    if stopped:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == _CHILD_BROKEN_PIPE:
        source.captured += read
        raise BrokenPipeError("standard output was closed")
    if stopped and not source.break_requested and os.waitstatus_to_exitcode(status) != 0:
        source.captured += read
        raise PcapNativeError(f"{source.source}: the second reader process failed; set {WORKERS_VARIABLE}=1")
    return read, end


def _pump_parallel_in_place(source: SavedFileSource, printer: InPlacePrinter, buffers: RecordBuffers) -> int:
    """:func:`pump_parallel` on a file read in place: each process reads the whole file in buffers (the
    child through a descriptor of its own) and prints every other one; only the parent hands an irregular
    record (and what follows) to libpcap."""

    def mine(token_in: int, token_out: int) -> tuple[int, bool, bool]:
        return _work_in_place(buffers, printer, 0, token_in, token_out, lambda: source.break_requested)

    def theirs(token_in: int, token_out: int) -> None:  # pragma: no cover - runs in the child
        _work_in_place(buffers.reopen(), printer, 1, token_in, token_out, lambda: False)

    read, irregular = _in_two_processes(source, printer.out, mine, theirs, buffers.close)
    if irregular:
        return read + finish_through_libpcap(source, printer, read)
    source.captured += read
    return read


def pump_parallel(source: CaptureSource, sinks: Sequence[Sink]) -> int:
    """:func:`~pycapture.flow.pump.pump` for a large saved capture on two cores, in the order of the file.

    A forked child opens the file again (same filter, same precision). The file is cut into chunks of
    :data:`PARALLEL_CHUNK` records; each process formats every other chunk, and skips the others with
    pcapy-ng's ``next_batch`` (one call in C). A byte passed back and forth through two pipes says whose
    turn it is to write. A damaged file ends both at the same chunk: its owner prints the records before
    the damage, and the error is raised here after them, as ``pump`` does. Use :func:`parallel_capable`
    first.

    A classic pcap file with no filter is read in place instead (:func:`_pump_parallel_in_place`): the
    chunks are the 4 MiB buffers of :class:`~pycapture.savefile.reader.RecordBuffers`, and the other
    process's are skipped by walking their record headers.
    """
    printer = sinks[0]
    chunks = source.chunk_reader() if isinstance(source, SavedFileSource) else None
    if chunks is None or not isinstance(source, SavedFileSource) or not isinstance(printer, ChunkPrinter):
        raise TypeError("pump_parallel needs what parallel_capable() checks: a saved capture and one printer")
    printer.out.flush()
    in_place = in_place_printer(sinks, -1)
    buffers = source.in_place_buffers() if in_place is not None else None
    if in_place is not None and buffers is not None:
        return _pump_parallel_in_place(source, in_place, buffers)

    def mine(token_in: int, token_out: int) -> tuple[int, PcapNativeError | None, bool]:
        return _work(chunks, printer, 0, token_in, token_out, lambda: source.break_requested)

    def theirs(token_in: int, token_out: int) -> None:  # pragma: no cover - runs in the child
        their_chunks = source.reopen().chunk_reader()
        if their_chunks is not None:
            _work(their_chunks, printer, 1, token_in, token_out, lambda: False)

    read, error = _in_two_processes(source, printer.out, mine, theirs)
    source.captured += read
    if error is not None:
        raise error
    return read
