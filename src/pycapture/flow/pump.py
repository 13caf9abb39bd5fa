"""Move packets from a handle to sinks until a count, the end of a file, or a stop signal."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import struct
import threading
from collections.abc import Callable, Iterator, Sequence

from ..capture.handle import PcapHandle, Record
from ..errors import PcapNativeError
from ..savefile.reader import RecordBuffers, walk

Sink = Callable[[int, int, int, bytes], object]  # (ts_sec, ts_usec, original_length, data)

STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextlib.contextmanager
def stop_on_signals(handle: PcapHandle, signals: Sequence[int] = STOP_SIGNALS) -> Iterator[list[int]]:
    """Turn SIGINT, SIGTERM and SIGHUP into ``handle.break_loop()`` while the block runs.

    The loop then ends between two packets, so no packet is half written. A second SIGINT raises
    KeyboardInterrupt as usual, for a loop that does not stop. Yields the list of signals received.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def on_signal(signum: int, _frame: object) -> None:
        received.append(signum)
        handle.break_loop()
        if signum == signal.SIGINT:
            signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = {}
    for sig in signals:
        with contextlib.suppress(OSError, ValueError):
            previous[sig] = signal.signal(sig, on_signal)
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _batch_call(sink: Sink) -> Callable[[list[Record]], object]:
    write_batch = getattr(sink, "write_batch", None)
    if write_batch is not None:
        return write_batch

    def each(records: list[Record]) -> None:
        for sec, usec, length, data in records:
            sink(sec, usec, length, data)

    return each


def pump(handle: PcapHandle, sinks: Sequence[Sink], count: int = -1) -> int:
    """Feed every packet to each sink; return how many packets were read.

    Packets are read in lists of records (:meth:`PcapHandle.record_batches`; live, a list is what
    the kernel had ready), handed whole to the sinks that have a ``write_batch`` method, and one by
    one to the others. A whole classic pcap file printed as plain summaries is read in place instead
    (:mod:`pycapture.pcapread`): no libpcap call per packet.
    """
    source = _in_place_source(handle, sinks, count)
    if source is not None:
        return _pump_in_place(handle, sinks[0], source)
    n = 0
    batches = getattr(handle, "record_batches", None)
    if batches is not None:
        calls = [_batch_call(sink) for sink in sinks]
        for records in batches(count):
            for call in calls:
                call(records)
            n += len(records)
        return n
    if len(sinks) == 1:
        sink = sinks[0]
        for sec, usec, length, data in handle.records(count):
            sink(sec, usec, length, data)
            n += 1
        return n
    for sec, usec, length, data in handle.records(count):
        for sink in sinks:
            sink(sec, usec, length, data)
        n += 1
    return n


# --- a classic pcap file read in place: no libpcap call per packet ----------------------------------------


def _in_place_source(handle: PcapHandle, sinks: Sequence[Sink], count: int) -> RecordBuffers | None:
    """The file's records in buffers, when one plain summary printer prints a whole regular classic pcap
    file with no filter; else None (the reading goes through libpcap)."""
    if len(sinks) != 1 or count > 0 or not getattr(sinks[0], "reads_in_place", False):
        return None
    if not isinstance(handle, PcapHandle) or handle.live or handle.dead or handle.source == "-":
        return None
    if handle.filter_expression or handle.break_requested or handle._reader is None or handle.captured:
        return None  # (a handle that has handed out packets has moved on from the first record)
    return RecordBuffers.open(handle.source, handle.nanosecond)


def _finish_through_libpcap(handle: PcapHandle, printer: object, done: int) -> int:
    """Print the records from number ``done`` on through libpcap, as :func:`pump` does: the irregular
    record and what follows it, or the error libpcap reports. Returns how many it printed."""
    nxt = handle._reader.next  # type: ignore[union-attr]
    try:
        for _ in range(done):  # records already printed: libpcap reads them as they were read
            nxt()
    except Exception as exc:  # pcapy.PcapError: not expected, but say it as pump would
        raise handle._read_error(exc) from exc  # type: ignore[arg-type]
    handle.captured += done
    write_batch = _batch_call(printer)  # type: ignore[arg-type]
    n = 0
    for records in handle.record_batches():
        write_batch(records)
        n += len(records)
    return n


def _pump_in_place(handle: PcapHandle, printer: object, source: RecordBuffers) -> int:
    """:func:`pump` for one printer that reads the records straight from the file's buffers."""
    fmt = printer.format_records  # type: ignore[attr-defined]
    write = printer.out.write  # type: ignore[attr-defined]
    max_caplen = source.max_caplen
    done = 0
    try:
        while not handle.break_requested:
            buf = source.fill()
            if buf is None:
                break
            text, used, n = fmt(buf, max_caplen)
            source.keep(buf, used)
            write(text)
            done += n
    finally:
        source.close()
    if source.irregular:
        return done + _finish_through_libpcap(handle, printer, done)
    handle.captured += done
    return done


# --- both cores: two processes read the same file, each formats every other chunk ------------------------

PARALLEL_CHUNK = 4096  # records a worker formats at a time; the other skips them in one next_batch call
PARALLEL_MIN_BYTES = 32 << 20  # below this, forking costs more than it saves
WORKERS_VARIABLE = "PYCAPTURE_WORKERS"  # "1": one process always; "2": two even for a small file
_CHILD_BROKEN_PIPE = 3


def parallel_capable(handle: PcapHandle, sinks: Sequence[Sink], count: int = -1) -> bool:
    """Whether :func:`pump_parallel` can print this capture: one summary printer writing to a file or
    pipe (not a terminal), a saved capture of at least 32 MiB read by pcapy-ng, no -c, two CPUs.

    ``$PYCAPTURE_WORKERS`` set to 1 keeps one process; set to 2, it drops the size condition.
    """
    workers = os.environ.get(WORKERS_VARIABLE, "").strip()
    if len(sinks) != 1 or count > 0 or workers == "1":
        return False
    printer = sinks[0]
    if not (hasattr(printer, "format_batch") and getattr(printer, "stateless", False)):
        return False
    if getattr(printer, "flushes_each_line", False) or not hasattr(os, "fork") or (os.cpu_count() or 1) < 2:
        return False
    if not isinstance(handle, PcapHandle) or handle.live or handle.dead or handle.source == "-":
        return False
    if not hasattr(handle._reader, "next_batch"):
        return False
    try:
        if os.path.getsize(handle.source) < PARALLEL_MIN_BYTES and workers != "2":
            return False
        fd = printer.out.fileno()  # type: ignore[attr-defined]
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return False
    return not os.isatty(fd)


def _read_chunk(nxt: Callable[[], tuple], size: int) -> tuple[list[Record], Exception | None]:
    records: list[Record] = []
    append = records.append
    try:
        for _ in range(size):
            hdr, data = nxt()
            if hdr is None:
                break
            sec, frac = hdr.getts()
            append((sec, frac, hdr.getlen(), data))
    except Exception as exc:  # pcapy.PcapError: the damage; the caller says what happened
        return records, exc
    return records, None


_TOKEN = struct.Struct("=I")  # "your turn", with the number of records the sender has just written


def _take_turn(token_in: int) -> int | None:
    """Wait for the other worker to finish writing; its record count, or None if it is gone."""
    token = b""
    while len(token) < _TOKEN.size:
        more = os.read(token_in, _TOKEN.size - len(token))
        if not more:
            return None
        token += more
    return _TOKEN.unpack(token)[0]


def _work(
    handle: PcapHandle, printer: object, me: int, token_in: int, token_out: int
) -> tuple[int, Exception | None, bool]:
    """Print chunks me, me+2, me+4... in turn with the other worker; skip the rest. Returns (packets
    read, the read error that ended the file or None, whether a break or the other worker stopped it)."""
    reader = handle._reader
    nxt, skip = reader.next, reader.next_batch  # type: ignore[attr-defined]
    out = printer.out  # type: ignore[attr-defined]
    read = 0
    chunk = 0
    while True:
        if handle.break_requested:
            return read, None, True
        if chunk % 2 == me:
            records, error = _read_chunk(nxt, PARALLEL_CHUNK)
            text = printer.format_batch(records) if records else ""  # type: ignore[attr-defined]
            if chunk > 0 and _take_turn(token_in) is None:
                return read + len(records), None, True  # the other worker is gone
            if text:
                out.write(text)
                out.flush()
            with contextlib.suppress(BrokenPipeError):  # the other worker has seen the end already
                os.write(token_out, _TOKEN.pack(len(records)))
            read += len(records)
            if error is not None or len(records) < PARALLEL_CHUNK:
                return read, error, False
        else:
            try:
                _data, meta = skip(PARALLEL_CHUNK)
            except Exception as exc:  # the damage is in the other worker's chunk: it prints what precedes it
                read += _take_turn(token_in) or 0  # once it has printed them, its count of records
                return read, exc, False
            read += len(meta) // 16
            if len(meta) // 16 < PARALLEL_CHUNK:
                return read, None, False
        chunk += 1


def _work_in_place(
    source: RecordBuffers, printer: object, me: int, token_in: int, token_out: int, stop: Callable[[], bool]
) -> tuple[int, bool, bool]:
    """:func:`_work` on the file's buffers: print buffers me, me+2, me+4... in turn with the other worker;
    walk the record headers of the others. Returns (records read, whether an irregular record ended the
    walk, whether a break or the other worker stopped it)."""
    fmt = printer.format_records  # type: ignore[attr-defined]
    out = printer.out  # type: ignore[attr-defined]
    max_caplen = source.max_caplen
    read = 0
    chunk = 0
    while True:
        if stop():
            return read, False, True
        buf = source.fill()
        if buf is None:
            if source.irregular and me == 0 and chunk % 2 == 0 and chunk > 0 and _take_turn(token_in) is None:
                return read, False, True  # the other worker is gone before printing its last buffer
            return read, source.irregular, False
        if chunk % 2 == me:
            text, used, n = fmt(buf, max_caplen)
            if chunk > 0 and _take_turn(token_in) is None:
                return read + n, False, True  # the other worker is gone
            out.write(text)
            out.flush()
            with contextlib.suppress(BrokenPipeError):  # the other worker has seen the end already
                os.write(token_out, _TOKEN.pack(n))
        else:
            used, n = walk(buf, max_caplen)
        source.keep(buf, used)
        read += n
        chunk += 1


def _start_child(printer: object, work: Callable[[int, int], object]) -> tuple[int, int, int]:
    """Fork the second worker and return ``(pid, token_in, token_out)``, the parent's ends of the two
    pipes. The child runs ``work(token_in, token_out)`` with its own ends, flushes the printer and
    exits: 0, 1 on an error, or _CHILD_BROKEN_PIPE when standard output was closed."""
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
            printer.out.flush()  # type: ignore[attr-defined]
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


def _pump_parallel_in_place(handle: PcapHandle, printer: object, source: RecordBuffers) -> int:
    """:func:`pump_parallel` on a file read in place: each process reads the whole file in buffers (the
    child through a descriptor of its own) and prints every other one; only the parent hands an irregular
    record (and what follows) to libpcap."""

    def child(token_in: int, token_out: int) -> None:  # pragma: no cover - runs in the child
        _work_in_place(source.reopen(), printer, 1, token_in, token_out, lambda: False)

    pid, to_parent_r, to_child_w = _start_child(printer, child)
    try:
        read, irregular, stopped = _work_in_place(
            source, printer, 0, to_parent_r, to_child_w, lambda: handle.break_requested
        )
    except BaseException:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
        raise
    finally:
        source.close()
        os.close(to_child_w)
        os.close(to_parent_r)
    if stopped:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) == _CHILD_BROKEN_PIPE:
        handle.captured += read
        raise BrokenPipeError("standard output was closed")
    if stopped and not handle.break_requested and os.waitstatus_to_exitcode(status) != 0:
        handle.captured += read
        raise PcapNativeError(f"{handle.source}: the second reader process failed; set {WORKERS_VARIABLE}=1")
    if irregular:
        return read + _finish_through_libpcap(handle, printer, read)
    handle.captured += read
    return read


def pump_parallel(handle: PcapHandle, sinks: Sequence[Sink]) -> int:
    """:func:`pump` for a large saved capture on two cores, with the output in the order of the file.

    A forked child opens the file again (same filter, same precision). The file is cut into chunks of
    :data:`PARALLEL_CHUNK` records; each process formats every other chunk, and skips the others with
    pcapy-ng's ``next_batch`` (one call in C). A byte passed back and forth through two pipes says whose
    turn it is to write. A damaged file ends both at the same chunk: its owner prints the records before
    the damage, and the error is raised here after them, as :func:`pump` does. Use
    :func:`parallel_capable` first.

    A classic pcap file with no filter is read in place instead (:func:`_pump_parallel_in_place`): the
    chunks are the 4 MiB buffers of :mod:`pycapture.pcapread`, and the other process's are skipped by
    walking their record headers.
    """
    printer = sinks[0]
    printer.out.flush()  # type: ignore[attr-defined]
    source = _in_place_source(handle, sinks, -1)
    if source is not None:
        return _pump_parallel_in_place(handle, printer, source)

    def child(token_in: int, token_out: int) -> None:  # pragma: no cover - runs in the child
        from ..capture.handle import open_offline

        mine = open_offline(handle.source, "nano" if handle.nanosecond else "micro")
        if handle.filter_expression:
            mine.set_filter(handle.filter_expression)
        _work(mine, printer, 1, token_in, token_out)

    pid, to_parent_r, to_child_w = _start_child(printer, child)
    try:
        read, error, stopped = _work(handle, printer, 0, to_parent_r, to_child_w)
    except BaseException:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
        raise
    finally:
        os.close(to_child_w)
        os.close(to_parent_r)
    if stopped:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    _, status = os.waitpid(pid, 0)
    handle.captured += read
    if os.waitstatus_to_exitcode(status) == _CHILD_BROKEN_PIPE:
        raise BrokenPipeError("standard output was closed")
    if stopped and not handle.break_requested and os.waitstatus_to_exitcode(status) != 0:
        raise PcapNativeError(f"{handle.source}: the second reader process failed; set {WORKERS_VARIABLE}=1")
    if error is not None:
        raise handle._read_error(error)  # type: ignore[arg-type]
    return read


# --- after a stop signal: what the kernel already accepted for us -----------------------------------------

DRAIN_LIMIT_S = 3.0


def drain(handle: PcapHandle, sinks: Sequence[Sink], count: int = -1) -> int:
    """Deliver the packets the kernel accepted before a stop signal but had not yet handed over.

    With TPACKET_V3, libpcap sees packets only when the kernel retires a ring block: when it is full or
    when the buffer timeout expires. So at Ctrl-C up to one timeout's worth of packets is counted as
    "received by filter" yet was never read (tcpdump loses them). This reads exactly that many more
    (received - dropped - captured, capped by ``count``), waiting at most the buffer timeout plus a
    margin (and never more than 3 s) for the block to be retired. Returns how many it delivered.
    """
    if not isinstance(handle, PcapHandle) or not handle.live or not handle.is_open:
        return 0
    try:
        stat = handle.get_stats()
    except PcapNativeError:
        return 0
    pending = stat.received - stat.dropped - stat.captured
    if count > 0:
        pending = min(pending, count - stat.captured)
    if pending <= 0:
        return 0
    timer = threading.Timer(min(handle.timeout_ms / 1000 + 0.25, DRAIN_LIMIT_S), handle.break_loop)
    timer.daemon = True
    timer.start()
    n = 0
    try:
        for sec, usec, length, data in handle.records(pending):
            for sink in sinks:
                sink(sec, usec, length, data)
            n += 1
    finally:
        timer.cancel()
    return n
