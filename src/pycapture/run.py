"""One capture, as the ``pycapture`` command runs it: open the source, feed the sinks, print the statistics.

:func:`run` takes a :class:`CaptureConfig` (every setting of the command, frozen) and does what tcpdump
does between parsing its options and exiting: it opens the capture (live, or a saved file), sets the
filter, gives up root (-Z), opens the -w file, prints the banner, pumps the packets to the sinks until a
count, the end of the file or a stop signal, and prints the statistics on stderr. Errors are raised as
pycapture exceptions that say what is wrong and how to fix it; the CLI turns them into one line.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TextIO, cast

import click

from .capture import backends
from .capture.devices import find_all_devs, pick_auto
from .capture.handle import DEFAULT_SNAPLEN, DEFAULT_TIMEOUT_MS, PcapHandle, PcapStat
from .capture.privileges import drop_privileges
from .capture.source import CaptureSource
from .decode import linktype_description, linktype_name
from .errors import CaptureFileError, PcapError, PcapNativeError
from .flow.paced import pump_paced
from .flow.parallel import parallel_capable, pump_parallel
from .flow.pump import DRAIN_LIMIT_S, Sink, drain, pump
from .flow.signals import stop_on_signals
from .output.tcpdump.printer import SummaryPrinter, statistics_lines, tcpdump_prints
from .replay.pacer import Pace
from .savefile.damage import diagnose
from .savefile.pcap_writer import PcapWriter, SaveFileWriter
from .savefile.pcapng_writer import InterfaceInfo
from .savefile.rotation import RotatingWriter, SaveOptions, open_savefile

if TYPE_CHECKING:  # pyarrow is the table extra's: imported only for a table -w
    from .table.writer import TableWriter


def say(message: str) -> None:
    """One line for the person on stderr, ``pycapture: message``, as tcpdump says ``tcpdump: ...``."""
    click.echo(f"pycapture: {message}", err=True)


def quiet_stdout() -> None:
    """After a broken pipe (``pycapture | head``), send what remains to /dev/null, with no traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


@dataclass(frozen=True)
class LiveOptions:
    """tcpdump's --immediate-mode, -Q and --time-stamp-precision, and --backend (the last two also for -r)."""

    immediate: bool = False
    direction: str | None = None
    precision: str | None = None
    backend: str | None = None  # None: $PYCAPTURE_BACKEND, else auto


@dataclass(frozen=True)
class OutputOptions:
    """How packets are shown: tcpdump's -l, --print, -t..., -e, -x/-X, -S."""

    line_buffered: bool = False
    print_too: bool = False
    time_style: int = 0
    link_level: bool = False
    hex_level: int = 0
    hex_ascii: bool = False
    layered: bool = False
    json: bool = False
    absolute_seq: bool = False

    def printer(self, linktype: int, out: TextIO, nano: bool = False) -> Sink:
        """The sink that prints each packet to ``out``; ``nano``: the records carry nanoseconds."""
        flush_each = self.line_buffered or out.isatty()
        if self.json or self.layered:
            from .output.layered import JsonLinesPrinter, Pcap4jPrinter  # the rich decoder: only when asked

            if self.json:
                return JsonLinesPrinter(linktype, out, flush_each=flush_each, nano=nano)
            return Pcap4jPrinter(
                linktype,
                out,
                flush_each=flush_each,
                hex_level=self.hex_level,
                hex_ascii=self.hex_ascii,
                nano=nano,
            )
        return SummaryPrinter(
            linktype,
            out,
            flush_each=flush_each,
            time_style=self.time_style,
            link_level=self.link_level,
            hex_level=self.hex_level,
            hex_ascii=self.hex_ascii,
            nano=nano,
            relative=not self.absolute_seq,
        )


@dataclass(frozen=True)
class CaptureConfig:
    """Every setting of one capture, as the ``pycapture`` command's options give them.

    ``interface``: a device, or None or ``"auto"`` to pick one (ignored with ``read_file``); ``count``:
    packets to read (-1: no limit); ``buffer_kib``: the kernel buffer (None: libpcap's); ``expression``:
    the BPF filter ("" for none); ``pace``: with ``read_file``, deliver at the recorded pace (or the rate
    it says) instead of at once; ``save``: how -w writes (-U, rotation, pcapng); ``run_as``: -Z, the
    user to become once the capture is open and before -w creates a file (tcpdump's order).
    """

    interface: str | None = None
    read_file: str | None = None
    write_file: str | None = None
    count: int = -1
    snaplen: int = DEFAULT_SNAPLEN
    promiscuous: bool = True
    buffer_kib: int | None = None
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    expression: str = ""
    output: OutputOptions = field(default_factory=OutputOptions)
    live: LiveOptions = field(default_factory=LiveOptions)
    pace: Pace | None = None
    save: SaveOptions = field(default_factory=SaveOptions)
    run_as: str | None = None
    statistics: tuple[str, ...] = ()  # -z specs, as :func:`pycapture.flows.stats.parse_spec` reads them
    quiet: bool = False  # -q: no packet lines (the -z tables still print)
    defrag: bool = False  # --defrag: IP fragments reassembled before the sinks see them
    # one of --workers' processes (pycapture.workers): its PACKET_FANOUT group, its number (the banner
    # says it), and where its statistics go instead of stderr
    fanout_group: int | None = None
    worker: int | None = None
    report_statistics: Callable[[PcapStat], None] | None = None


def run(config: CaptureConfig) -> bool:
    """Open the source, feed it to the sinks, and print the statistics, whatever ends the capture.

    Packet lines go to stdout (stderr when -w writes to stdout), the banner, notes and statistics to
    stderr. Returns True when a signal (Ctrl-C, SIGTERM, SIGHUP) or a closed stdout ended it.
    """
    pacer = config.pace.pacer() if config.pace is not None else None
    try:
        handle, banner = _open_source(config)
    except CaptureFileError as exc:
        raise locate_damage(exc, config.read_file, 0) from exc
    expression, write_file, output = config.expression, config.write_file, config.output
    lines = (write_file is None and not config.quiet) or output.print_too
    if not tcpdump_prints(handle.datalink) and (expression or lines):
        handle.close()
        raise _unknown_linktype(config.read_file or handle.source, handle.datalink)
    writer: SaveFileWriter | RotatingWriter[Any] | TableWriter | None = None
    write_rows: Callable[[Any], None] | None = None  # a table -w: what takes each batch of rows
    stats, follows = _open_statistics(config.statistics, handle)
    row_columns: list[str] | None = None
    # the tables alone from a file: its rows straight from the reader (mmap'd); live, through the handle.
    # A followed stream is read from the frames: the tables then come from a second reading, as without -q
    direct = stats is not None and config.quiet and pacer is None and config.read_file not in (None, "-")
    direct = direct and not follows
    if stats is not None and config.quiet and not direct and not follows:
        if not isinstance(handle, PcapHandle):
            handle.close()
            raise PcapError(
                "-z on this source reads packets through the pcapy backend",
                "leave out --backend (and $PYCAPTURE_BACKEND), or give --backend pcapy",
            )

        write_rows, row_columns = stats.feed, stats.columns
        if handle.live and stats.intervals:
            write_rows = _every_interval(stats)
    received: list[int] = []
    started = False  # as tcpdump: no statistics when the capture never started (a bad filter, -w path...)
    try:
        if expression:
            handle.set_filter(expression)
        if config.run_as:
            note = drop_privileges(config.run_as)
            if note:
                say(note)
        sinks: list[Sink] = []
        if write_file is not None:

            def stop_writing(why: str) -> None:
                say(why)
                handle.break_loop()

            if config.save.table is not None:
                writer, write_rows = _open_table(handle, write_file, config.save, stop_writing)
            else:
                info = _interface_info(handle, expression, config.save.pcapng)
                writer = open_savefile(write_file, info, config.save, stop_writing)
                sinks.append(writer.write)
        if lines:
            out = sys.stdout if write_file != "-" else sys.stderr
            sinks.append(output.printer(handle.datalink, out, handle.nanosecond))
        sinks.extend(follows.values())
        if config.defrag and sinks:
            sinks = [_defragmenting(handle, sinks)]
        with stop_on_signals(handle) as received:
            # as tcpdump does, once the filter is set and the -w file exists: what is sent after this
            # line is captured, and a signal sent after it ends the capture cleanly
            say(banner)
            started = True
            if received:
                pass  # stopped before the first packet
            elif direct:
                read = _read_again(config, stats)
                if isinstance(handle, PcapHandle):
                    handle.captured = read
            elif write_rows is not None:
                _pump_rows(handle, write_rows, config.count, received, row_columns, _row_transform(config))
            elif pacer is None and (spool := _spooler(handle, writer, sinks)) is not None:
                assert isinstance(writer, PcapWriter)
                spool(writer.fileno(), config.count, writer.spooled)
                if received:  # Ctrl-C: first take what the kernel already accepted, then stop
                    drain(handle, sinks, config.count)
            elif pacer is None and parallel_capable(handle, sinks, config.count):
                pump_parallel(handle, sinks)
            elif pacer is None:
                pump(handle, sinks, config.count)
                if received:  # Ctrl-C: first take what the kernel already accepted, then stop
                    drain(handle, sinks, config.count)
            else:
                pacer.stopped_by(lambda: bool(received))
                pump_paced(handle, sinks, config.count, pacer)
        if stats is not None and (not config.quiet or follows):  # the frames came first: read the file again
            _read_again(config, stats)
        if stats is not None or follows:
            _print_tables(config.statistics, stats, follows, output.json)
        sys.stdout.flush()
    except CaptureFileError as exc:  # a damaged file: say where (with a filter, not every packet is counted)
        if stats is not None or follows:  # as tshark: the tables of what was read, then the error
            _tables_before_damage(config, stats, follows, direct)
        where = None if expression or direct else handle.captured
        raise locate_damage(exc, config.read_file, where) from exc
    except BrokenPipeError:
        quiet_stdout()
        return True
    except KeyboardInterrupt:  # a second Ctrl-C: stop at once; the file and the statistics still follow
        return True
    finally:
        try:
            if writer is not None:
                writer.close()
        finally:
            try:
                if started:
                    _print_statistics(handle, config.report_statistics)
            finally:
                handle.close()
    return bool(received)


def _spooler(
    handle: CaptureSource, writer: object, sinks: list[Sink]
) -> Callable[[int, int, Callable[[int, int, int], None]], int] | None:
    """The compiled -w path (:meth:`PcapHandle.spooler`) where a live capture's only sink is a classic
    pcap file written whole (no rotation, no pcapng); else None."""
    if not isinstance(handle, PcapHandle) or type(writer) is not PcapWriter or sinks != [writer.write]:
        return None
    return handle.spooler()


def _defragmenting(handle: CaptureSource, sinks: list[Sink]) -> Sink:
    """One sink that reassembles IP fragments (``--defrag``) in front of all of ``sinks``."""
    from .flows.reassembled import DefragmentingSink

    if len(sinks) == 1:
        return DefragmentingSink(handle.datalink, sinks[0], nano=handle.nanosecond)

    def each(sec: int, frac: int, length: int, data: bytes) -> None:
        for sink in sinks:
            sink(sec, frac, length, data)

    return DefragmentingSink(handle.datalink, each, nano=handle.nanosecond)


def _reads_mixed(handle: CaptureSource) -> bool:
    """Whether ``handle`` is pycapture's own reader on a pcapng file whose interfaces differ in link type
    or snapshot length (libpcap refuses it; the table reader takes such a handle, as tshark reads it)."""
    from .capture.backends import dpkt_file

    return isinstance(handle, dpkt_file.FileHandle) and bool(getattr(handle._reader, "tshark", False))


def _open_table(
    handle: CaptureSource, path: str, save: SaveOptions, stop: Callable[[str], object]
) -> tuple[TableWriter | RotatingWriter[TableWriter], Callable[[Any], None]]:
    """The -w table file (or series) and the function that takes each batch of rows for it."""
    if not isinstance(handle, PcapHandle) and not _reads_mixed(handle):
        raise PcapError(
            f"-w as a {save.table} table reads packets through the pcapy backend",
            "leave out --backend (and $PYCAPTURE_BACKEND), or give --backend pcapy",
        )
    try:
        from .table import SCHEMA
        from .table.writer import open_table_files
    except ImportError as exc:
        raise PcapError(str(exc)) from None
    assert save.table is not None
    writer = open_table_files(path, save.table, SCHEMA, save, stop)
    return writer, writer.write_rows if isinstance(writer, RotatingWriter) else writer.write


def _open_statistics(specs: tuple[str, ...], handle: CaptureSource) -> tuple[Any, dict[str, Any]]:
    """The -z tables' collector (a :class:`pycapture.flows.stats.Statistics`, None without table specs),
    and the streams -z follows (:class:`pycapture.flows.follow.Follow` sinks), by spec."""
    if not specs:
        return None, {}
    from .flows.stats import is_follow

    follows: dict[str, Any] = {}
    if any(is_follow(spec) for spec in specs):
        from .flows.follow import parse_follow

        for spec in specs:
            if is_follow(spec):
                follow = follows[spec] = parse_follow(spec)
                follow.linktype, follow.scale = handle.datalink, 1e-9 if handle.nanosecond else 1e-6
    tables = [spec for spec in specs if not is_follow(spec)]
    if not tables:
        return None, follows
    try:
        import pyarrow  # noqa: F401

        from .flows.stats import Statistics, parse_spec
    except ImportError:
        raise PcapError(
            "-z reads packets as table rows, which needs pyarrow", "pip install '.[table]'"
        ) from None
    return Statistics([parse_spec(spec) for spec in tables]), follows


def _tables_before_damage(config: CaptureConfig, stats: Any, follows: dict[str, Any], direct: bool) -> None:
    """Print the -z tables of the packets read before a damaged file's damage."""
    if stats is not None and not direct and config.quiet and not follows:
        pass  # fed from the handle's rows as they came
    elif stats is not None and not direct:  # the frames came first and stopped at the damage: rows now
        with contextlib.suppress(CaptureFileError):  # the same damage: the rows before it are in
            _read_again(config, stats)
    _print_tables(config.statistics, stats, follows, config.output.json)
    sys.stdout.flush()


def _read_again(config: CaptureConfig, stats: Any) -> int:
    """Feed ``stats`` the rows of the -r file, up to -c; return how many.

    Without -q the packet lines were printed on a first reading; with it this is the only one.
    """
    from .table import read_batches

    assert config.read_file is not None  # the command asks for -q otherwise
    left, read = config.count, 0
    batches = cast(
        Generator[Any, None, None],
        read_batches(
            config.read_file,
            columns=stats.columns,
            filter=config.expression or None,
            transform=_row_transform(config),
        ),
    )
    try:
        for batch in batches:
            if left >= 0:
                batch = batch.slice(0, left)
                left -= batch.num_rows
            stats.feed(batch)
            read += batch.num_rows
            if left == 0:
                break
    finally:
        batches.close()
    return read


def _print_tables(specs: tuple[str, ...], stats: Any, follows: dict[str, Any], as_json: bool) -> None:
    """The -z tables and followed streams on stdout, the last -z first as tshark prints them: tshark's
    text, or one JSON document a line with --json."""
    import json

    documents = iter(stats.json_documents() if as_json and stats is not None else ())
    tables = iter(reversed(stats.texts()) if stats is not None and not as_json else ())
    for spec in reversed(specs):
        follow = follows.get(spec)
        if follow is not None:
            sys.stdout.write(json.dumps(follow.to_json()) + "\n" if as_json else follow.text())
        elif as_json:
            sys.stdout.write(json.dumps(next(documents)) + "\n")
        else:
            sys.stdout.write(next(tables))


def _every_interval(stats: Any) -> Callable[[Any], None]:
    """Live: feed ``stats``, then print the io,stat intervals that have ended, as they end."""

    def feed(batch: Any) -> None:
        stats.feed(batch)
        text = stats.interval_text(time.time_ns())
        if text:
            sys.stdout.write(text)
            sys.stdout.flush()

    return feed


def _row_transform(config: CaptureConfig) -> Any:
    """``--defrag`` for rows: a read_batches ``transform`` whose one reassembler, per link type, lasts
    across readings of the source (a live drain after a stop reads the handle a second time)."""
    if not config.defrag:
        return None
    from .flows.reassembled import Defragmenting

    made: dict[tuple[int, bool], Defragmenting] = {}

    def transform(linktype: int, nano: bool) -> Defragmenting:
        return made.setdefault((linktype, nano), Defragmenting(linktype, nano))

    return transform


def _pump_rows(
    handle: CaptureSource,
    write_rows: Callable[[Any], None],
    count: int,
    stopped: list[int],
    columns: list[str] | None = None,
    transform: Any = None,
) -> None:
    """Hand the packets of ``handle`` to ``write_rows`` as table rows, in batches, up to ``count`` (-1: all).

    Live, a batch is what the kernel hands over at once, so rotation (-G, -C) happens between batches.
    After a stop signal (``stopped``), the packets the kernel had already accepted are written too, as
    :func:`~pycapture.flow.pump.drain` does for pcap. The handle's ``captured`` becomes the rows written,
    as for pcap: the reader may have read packets past -c (and reads a file without counting).
    """
    if not isinstance(handle, PcapHandle):  # a pcapng file libpcap refuses, read as tshark does
        _write_rows(handle, write_rows, count, 0, columns, transform)
        return
    written = _write_rows(handle, write_rows, count, 0, columns, transform)
    if not stopped or not handle.live or not handle.is_open or written == count:
        return
    try:
        stat = handle.get_stats()
    except PcapNativeError:
        return
    pending = stat.received - stat.dropped - stat.captured
    if count > 0:
        pending = min(pending, count - written)
    if pending <= 0:
        return
    timer = threading.Timer(min(handle.timeout_ms / 1000 + 0.25, DRAIN_LIMIT_S), handle.break_loop)
    timer.daemon = True
    timer.start()
    try:
        _write_rows(handle, write_rows, written + pending, written, columns, transform)
    finally:
        timer.cancel()


def _write_rows(
    handle: CaptureSource,
    write_rows: Callable[[Any], None],
    count: int,
    written: int,
    columns: list[str] | None = None,
    transform: Any = None,
) -> int:
    """:func:`_pump_rows`'s loop: rows after the ``written`` already written, up to ``count`` in all.

    ``columns``: the row columns to read (all by default); without ``frame_number`` no renumbering.
    ``transform``: read_batches' (``--defrag``).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    from .table import read_batches

    first = written
    batch_size = min(count - written, 65536) if count > 0 else 65536
    # a generator: closed here, so that it has let go of the handle before the handle is closed
    batches = cast(
        Generator[Any, None, None],
        # a PcapHandle, or pycapture's own reader on a pcapng file of mixed link types
        read_batches(cast(Any, handle), columns=columns, batch_size=batch_size, transform=transform),
    )
    try:
        for batch in batches:
            # a second reading numbers its frames from 1 again
            if first and (columns is None or "frame_number" in columns):
                at = batch.schema.get_field_index("frame_number")
                numbers = batch.column(at)
                batch = batch.set_column(at, "frame_number", pc.add(numbers, pa.scalar(first, numbers.type)))
            if count > 0 and written + batch.num_rows >= count:
                write_rows(batch.slice(0, count - written))
                written = count
                break
            write_rows(batch)
            written += batch.num_rows
    finally:
        batches.close()
        handle.captured = written
    return written


def _live_interface(config: CaptureConfig) -> str:
    """The interface to capture on: the one named, or the one ``auto`` picks (said with its reason)."""
    interface = config.interface
    if interface is None or interface == "auto":
        dev, reason = pick_auto()
        interface = dev.name
        say(f"capturing on {interface} (auto: {reason})")
    return interface


def _live_settings(config: CaptureConfig) -> backends.LiveSettings:
    live = config.live
    return backends.LiveSettings(
        config.snaplen,
        config.promiscuous,
        config.timeout_ms,
        config.buffer_kib * 1024 if config.buffer_kib else None,
        live.immediate,
        live.direction,
        live.precision,
    )


def checked_live(config: CaptureConfig) -> CaptureConfig:
    """``config`` with its interface settled (``auto`` picked once) and opened once and closed again, so
    that what is wrong with it (no such device, no permission) is told once, before processes that would
    each tell it (``--workers``). Raises the error :func:`run` would."""
    interface = _live_interface(config)
    backends.open_live(interface, _live_settings(config), config.live.backend, say=lambda _m: None).close()
    return replace(config, interface=interface)


def _open_source(config: CaptureConfig) -> tuple[CaptureSource, str]:
    """Open the capture; return it with the banner to print once the filter is in place."""
    live = config.live
    if config.read_file is not None:
        precision = live.precision
        if precision is None and _tcpdump_lines_only(config):
            precision = "micro"  # libpcap opens a file in microseconds unless told: tcpdump's six digits
        handle = backends.open_offline(config.read_file, live.backend, precision, say=say)
        return handle, f"reading from file {config.read_file}, link-type {_linktype_text(handle.datalink)}"
    interface = _live_interface(config)
    handle = backends.open_live(interface, _live_settings(config), live.backend, say=say)
    if config.fanout_group is not None:
        if not isinstance(handle, PcapHandle):
            handle.close()
            raise PcapError("--workers joins captures through pcapy-ng", "leave out --backend, or --workers")
        handle.set_fanout(config.fanout_group)
    for warning in handle.warnings:
        say(warning)
    banner = (
        f"listening on {interface}, link-type {_linktype_text(handle.datalink)}, "
        f"snapshot length {config.snaplen} bytes"
    )
    if config.worker is not None:
        banner = f"worker {config.worker}: {banner}"
    return handle, banner


def _interface_info(handle: CaptureSource, expression: str, pcapng: bool) -> InterfaceInfo:
    """What a pcapng file's interface description says: the device, its description, the filter."""
    name = handle.source if handle.live else None
    description = None
    if name and pcapng:
        description = next((dev.description for dev in find_all_devs() if dev.name == name), None)
    return InterfaceInfo(
        handle.datalink, handle.snapshot, name, description, expression or None, handle.nanosecond
    )


def _tcpdump_lines_only(config: CaptureConfig) -> bool:
    """Whether the packets go only to tcpdump's text lines: no file written, no table, JSON or -v, whose
    nanoseconds a file keeps unless --time-stamp-precision says otherwise."""
    output = config.output
    return config.write_file is None and not (output.json or output.layered or config.statistics)


def _linktype_text(linktype: int) -> str:
    return f"{linktype_name(linktype)} ({linktype_description(linktype)})"


def _print_statistics(handle: CaptureSource, report: Callable[[PcapStat], None] | None = None) -> None:
    if handle.live:
        stat = handle.get_stats()
        if report is not None:
            report(stat)
            return
        lines = statistics_lines(stat.captured, stat.received, stat.dropped, stat.dropped_by_if)
    else:
        lines = statistics_lines(handle.captured, None, None)
    for line in lines:
        click.echo(line, err=True)


def _unknown_linktype(source: str, datalink: int) -> PcapError:
    """tcpdump's refusal of a link type it knows nothing about, with what can be done instead."""
    return PcapError(
        f"{source}: unknown data link type {datalink}",
        "tcpdump and tshark refuse it too (the registered types: https://www.tcpdump.org/linktypes.html); "
        "if you know what the frames hold, put that link type in the file header, or copy the packets "
        "as they are with -w FILE and no filter",
    )


def locate_damage(exc: CaptureFileError, path: str | None, packets_read: int | None) -> CaptureFileError:
    """``exc`` with where the file is damaged: the packet number, the byte offset and what is wrong there.

    libpcap's own message stays, in brackets. Standard input cannot be walked again, so for ``-r -``
    the place is the count of packets read.
    """
    if path is None:
        return exc
    message = str(exc)
    reader = message[len(path) + 2 :] if message.startswith(f"{path}: ") else message
    if path == "-":
        after = f"after packet {packets_read}" if packets_read else "before the first packet"
        where = f"{after} (standard input is read once: the byte offset is not known)"
        return CaptureFileError(f"{path}: {where}: {reader}", exc.hint)
    hint = exc.hint
    if "different from the type of the first interface" in reader:  # a valid file libpcap cannot read
        hint = (
            "the file is valid pcapng, but libpcap (and so tcpdump and pycapture) reads only files whose "
            "interfaces share one link type and snapshot length; read it with tshark, or take one "
            f"interface out: tshark -r {path} -Y 'frame.interface_id == 0' -w one.pcapng"
        )
    damage = diagnose(path, packets_read)
    if damage is None:
        return CaptureFileError(str(exc), hint)
    what = f"{damage.problem} ({reader})" if damage.problem else reader
    return CaptureFileError(f"{path}: {damage.where()}: {what}", hint)
