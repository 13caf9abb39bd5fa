"""The ``pycapture`` command: tcpdump's options and manners over the pycapture library.

Mirrors Pcap4J's GetNextPacketEx sample: open a handle, read packets until the count, print each,
print the statistics. Packet lines go to stdout, everything else to stderr; exit status 0 on
success, 1 on an error, 2 on a usage error.
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from typing import TextIO

import click

from .. import __version__
from ..capture import backends
from ..capture.devices import PcapNetworkInterface, find_all_devs, no_device_error, pick_auto
from ..capture.handle import DEFAULT_SNAPLEN, DEFAULT_TIMEOUT_MS, PcapHandle
from ..capture.libpcap import lib_version
from ..capture.privileges import drop_privileges
from ..decode import linktype_description, linktype_name
from ..errors import CaptureFileError, PcapError
from ..flow.pump import Sink, drain, parallel_capable, pump, pump_parallel, stop_on_signals
from ..output.tcpdump.printer import SummaryPrinter, statistics_lines, tcpdump_prints
from ..replay.replayer import SPEED, Bounds, Pacer, pump_paced
from ..savefile.damage import diagnose
from ..savefile.pcap_writer import SaveFileWriter
from ..savefile.pcapng_writer import InterfaceInfo
from ..savefile.rotation import RotatingWriter, SaveOptions, open_savefile, save_options


def _say(message: str) -> None:
    click.echo(f"pycapture: {message}", err=True)


def _versions() -> str:
    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    return "\n".join(
        (
            f"pycapture {__version__}",
            lib_version(),
            f"pcapy-ng {version('pcapy-ng')}",
            f"dpkt {version('dpkt')}",
            f"backend: {backends.auto_choice()}",
        )
    )


def describe_device(dev: PcapNetworkInterface) -> str:
    """One ``-D`` line: ``1.eth0 [Up, Running, Connected] 10.0.0.5/24 fe80::1/64 02:00:00:00:00:01``."""
    line = f"{dev.index}.{dev.name}"
    if dev.description:
        line += f" ({dev.description})"
    flags = dev.flag_names()
    if flags:
        line += f" [{', '.join(flags)}]"
    extras = [str(a) for a in dev.addresses] + list(dev.link_layer_addresses)
    if extras:
        line += " " + " ".join(extras)
    return line


def _list_devices() -> None:
    devices = find_all_devs()
    if not devices:
        raise no_device_error("libpcap lists no interface at all")
    for dev in devices:
        click.echo(describe_device(dev))


def _open_source(
    interface: str | None,
    read_file: str | None,
    snaplen: int,
    promiscuous: bool,
    buffer_kib: int | None,
    timeout_ms: int,
    live_options: LiveOptions,
) -> tuple[backends.CaptureSource, str]:
    """Open the capture; return it with the banner to print once the filter is in place."""
    if read_file is not None:
        handle = backends.open_offline(read_file, live_options.backend, live_options.precision, say=_say)
        return handle, f"reading from file {read_file}, link-type {_linktype_text(handle.datalink)}"
    if interface is None or interface == "auto":
        dev, reason = pick_auto()
        interface = dev.name
        _say(f"capturing on {interface} (auto: {reason})")
    settings = backends.LiveSettings(
        snaplen,
        promiscuous,
        timeout_ms,
        buffer_kib * 1024 if buffer_kib else None,
        live_options.immediate,
        live_options.direction,
        live_options.precision,
    )
    handle = backends.open_live(interface, settings, live_options.backend, say=_say)
    for warning in handle.warnings:
        _say(warning)
    banner = (
        f"listening on {interface}, link-type {_linktype_text(handle.datalink)}, "
        f"snapshot length {snaplen} bytes"
    )
    return handle, banner


def _interface_info(handle: backends.CaptureSource, expression: str, pcapng: bool) -> InterfaceInfo:
    """What a pcapng file's interface description says: the device, its description, the filter."""
    name = handle.source if handle.live else None
    description = None
    if name and pcapng:
        description = next((dev.description for dev in find_all_devs() if dev.name == name), None)
    return InterfaceInfo(
        handle.datalink, handle.snapshot, name, description, expression or None, handle.nanosecond
    )


def _linktype_text(linktype: int) -> str:
    return f"{linktype_name(linktype)} ({linktype_description(linktype)})"


def _print_statistics(handle: PcapHandle) -> None:
    if handle.live:
        stat = handle.get_stats()
        lines = statistics_lines(stat.captured, stat.received, stat.dropped, stat.dropped_by_if)
    else:
        lines = statistics_lines(handle.captured, None, None)
    for line in lines:
        click.echo(line, err=True)


def _quiet_stdout() -> None:
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
            from ..output.layered import JsonLinesPrinter, Pcap4jPrinter  # the rich decoder: only when asked

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


def capture(
    interface: str | None,
    read_file: str | None,
    write_file: str | None,
    count: int,
    snaplen: int,
    promiscuous: bool,
    buffer_kib: int | None,
    timeout_ms: int,
    expression: str,
    output: OutputOptions,
    live_options: LiveOptions | None = None,
    pacer: Pacer | None = None,
    save: SaveOptions | None = None,
    run_as: str | None = None,
) -> bool:
    """Open the source, feed it to the sinks, and print the statistics, whatever ends the capture.

    ``save``: how -w writes (-U, rotation, pcapng); ``run_as``: -Z, the user to become once the
    capture is open and before -w creates a file (tcpdump's order). Returns True when a signal
    (Ctrl-C, SIGTERM, SIGHUP) ended it.
    """
    try:
        handle, banner = _open_source(
            interface, read_file, snaplen, promiscuous, buffer_kib, timeout_ms, live_options or LiveOptions()
        )
    except CaptureFileError as exc:
        raise _located(exc, read_file, 0) from exc
    if not tcpdump_prints(handle.datalink) and (expression or write_file is None or output.print_too):
        handle.close()
        raise _unknown_linktype(read_file or handle.source, handle.datalink)
    writer: SaveFileWriter | RotatingWriter | None = None
    received: list[int] = []
    started = False  # as tcpdump: no statistics when the capture never started (a bad filter, -w path...)
    try:
        if expression:
            handle.set_filter(expression)
        if run_as:
            note = drop_privileges(run_as)
            if note:
                _say(note)
        sinks: list[Sink] = []
        if write_file is not None:
            save = save or SaveOptions()
            info = _interface_info(handle, expression, save.pcapng)
            writer = open_savefile(write_file, info, save, lambda why: (_say(why), handle.break_loop()))
            sinks.append(writer.write)
        if write_file is None or output.print_too:
            out = sys.stdout if write_file != "-" else sys.stderr
            sinks.append(output.printer(handle.datalink, out, handle.nanosecond))
        with stop_on_signals(handle) as received:
            # as tcpdump does, once the filter is set and the -w file exists: what is sent after this
            # line is captured, and a signal sent after it ends the capture cleanly
            _say(banner)
            started = True
            if received:
                pass  # stopped before the first packet
            elif pacer is None and parallel_capable(handle, sinks, count):
                pump_parallel(handle, sinks)
            elif pacer is None:
                pump(handle, sinks, count)
                if received:  # Ctrl-C: first take what the kernel already accepted, then stop
                    drain(handle, sinks, count)
            else:
                pacer.stopped_by(lambda: bool(received))
                pump_paced(handle, sinks, count, pacer)
        sys.stdout.flush()
    except CaptureFileError as exc:  # a damaged file: say where (with a filter, not every packet is counted)
        raise _located(exc, read_file, None if expression else handle.captured) from exc
    except BrokenPipeError:
        _quiet_stdout()
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
                    _print_statistics(handle)
            finally:
                handle.close()
    return bool(received)


def _unknown_linktype(source: str, datalink: int) -> PcapError:
    """tcpdump's refusal of a link type it knows nothing about, with what can be done instead."""
    return PcapError(
        f"{source}: unknown data link type {datalink}",
        "tcpdump and tshark refuse it too (the registered types: https://www.tcpdump.org/linktypes.html); "
        "if you know what the frames hold, put that link type in the file header, or copy the packets "
        "as they are with -w FILE and no filter",
    )


def _located(exc: CaptureFileError, path: str | None, packets_read: int | None) -> CaptureFileError:
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


class BoundedFloat(click.ParamType):
    """A number option within :class:`~pycapture.replayer.Bounds`: a usage error outside them, NaN and the
    infinities included (click's FloatRange lets NaN through)."""

    name = "float"

    def __init__(self, bounds: Bounds) -> None:
        self.bounds = bounds

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            return self.bounds.check("value", float(value))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            self.fail(f"must be {self.bounds}, not {value!r}", param, ctx)


@contextlib.contextmanager
def reported_errors(debug: bool, os_hint: str = "check the path and free space for -w") -> Iterator[None]:
    """Turn an error into one line on stderr naming the cause and the fix, and exit status 1.

    ``--debug`` adds the traceback. A closed standard output (``pycapture ... | head``) is not an error.
    """
    try:
        yield
    except PcapError as exc:
        if debug:
            traceback.print_exc()
        hint = f"; {exc.hint}" if exc.hint else ""
        _say(f"{exc}{hint}")
        sys.exit(1)
    except BrokenPipeError:  # the reader went away (pycapture -D | head): not an error
        _quiet_stdout()
    except NotImplementedError as exc:  # a libpcap knob this pcapy-ng build cannot reach
        if debug:
            traceback.print_exc()
        _say(f"{exc}; leave out the option that needs it")
        sys.exit(1)
    except OSError as exc:  # a file: a bad path, no permission, a full disk
        if debug:
            traceback.print_exc()
        where = f"{exc.filename}: " if exc.filename else ""
        _say(f"{where}{exc.strerror or exc}; {os_hint}")
        sys.exit(1)


def _version_callback(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(_versions())
        ctx.exit()


class _Command(click.Command):
    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage("pycapture", "[OPTIONS] [EXPRESSION]...")


@click.command(
    cls=_Command,
    context_settings={"help_option_names": ["-h", "--help"], "ignore_unknown_options": False},
)
@click.option(
    "-i",
    "--if",
    "--interface",
    "interface",
    metavar="NAME",
    help="Interface to capture on: a name from -D, 'any', or 'auto' (the default without -r).",
)
@click.option(
    "-r", "read_file", metavar="FILE", help="Read packets from a pcap or pcapng file ('-' for stdin)."
)
@click.option("-w", "write_file", metavar="FILE", help="Write packets to a pcap file ('-' for stdout).")
@click.option("-c", "count", type=click.IntRange(min=1), metavar="COUNT", help="Stop after COUNT packets.")
@click.option(
    "-s",
    "snaplen",
    type=click.IntRange(min=0),
    default=DEFAULT_SNAPLEN,
    show_default=True,
    metavar="SNAPLEN",
    help="Bytes to capture per packet (0 means the default).",
)
@click.option("-p", "no_promisc", is_flag=True, help="Do not put the interface into promiscuous mode.")
@click.option(
    "-B", "buffer_kib", type=click.IntRange(min=1), metavar="KiB", help="Kernel capture buffer size."
)
@click.option(
    "-n", "numeric", is_flag=True, help="Do not resolve names (the default: names are never resolved)."
)
@click.option("-l", "line_buffered", is_flag=True, help="Flush stdout after each packet line.")
@click.option(
    "-v",
    "verbose",
    count=True,
    help="Print each packet layer by layer, as Pcap4J's GetNextPacketEx sample does.",
)
@click.option("--json", "json_lines", is_flag=True, help="Print one JSON object per packet (JSON Lines).")
@click.option(
    "-t",
    "time_style",
    count=True,
    help="-t no time, -tt epoch seconds, -ttt delta from the previous packet, "
    "-tttt date and time, -ttttt delta from the first packet.",
)
@click.option("-e", "link_level", is_flag=True, help="Print the link-level header (MACs, ethertype, VLAN).")
@click.option(
    "-S",
    "--absolute-tcp-sequence-numbers",
    "absolute_seq",
    is_flag=True,
    help="Print absolute TCP sequence numbers (by default they are relative to each conversation).",
)
@click.option("-x", "hex_count", count=True, help="Print each packet in hex (-xx: with its link header).")
@click.option(
    "-X",
    "hex_ascii_count",
    count=True,
    help="Print each packet in hex and ASCII (-XX: with its link header).",
)
@click.option("--print", "print_too", is_flag=True, help="Print packet lines even when writing with -w.")
@click.option(
    "-D",
    "--list-interfaces",
    "list_interfaces",
    is_flag=True,
    help="List the interfaces that can capture, with flags and addresses.",
)
@click.option(
    "--timeout-ms",
    type=click.IntRange(min=0),
    default=DEFAULT_TIMEOUT_MS,
    show_default=True,
    help="Packet buffer timeout: how long the kernel may hold packets before delivering them.",
)
@click.option(
    "--time-stamp-precision",
    "precision",
    type=click.Choice(["micro", "nano"]),
    help="Timestamp resolution (default: micro live; a file's own, so nanosecond files stay so).",
)
@click.option("--nano", "precision", flag_value="nano", help="Same as --time-stamp-precision=nano.")
@click.option(
    "--immediate-mode", "immediate", is_flag=True, help="Deliver each packet at once, without buffering."
)
@click.option(
    "-Q",
    "--direction",
    "direction",
    type=click.Choice(["in", "out", "inout"], case_sensitive=False),
    help="Capture only packets received (in) or sent (out).",
)
@click.option(
    "--realtime",
    is_flag=True,
    help="With -r: deliver the packets at the pace their timestamps say, as if arriving live.",
)
@click.option(
    "--speed",
    type=BoundedFloat(SPEED),
    metavar="X",
    help="With -r: replay at X times the recorded pace (implies --realtime).",
)
@click.option(
    "--backend",
    type=click.Choice(backends.CHOICES, case_sensitive=False),
    envvar=backends.ENVIRONMENT_VARIABLE,
    help="Capture library: pcapy (pcapy-ng, the default), scapy (libpcap through scapy), file (reads "
    "saved captures without libpcap), or auto: the first that works. Also $PYCAPTURE_BACKEND.",
)
@click.option(
    "-U",
    "--packet-buffered",
    "packet_buffered",
    is_flag=True,
    help="Write each packet to the -w file as it comes (and flush each printed line).",
)
@click.option(
    "-C",
    "file_size",
    metavar="MB",
    help="With -w: start a new file once the current one exceeds MB million bytes (k/m/g: KiB/MiB/GiB).",
)
@click.option(
    "-G",
    "rotate_seconds",
    type=click.IntRange(min=1),
    metavar="SECONDS",
    help="With -w: start a new file every SECONDS; the -w name may hold strftime(3) fields.",
)
@click.option(
    "-W",
    "file_count",
    type=click.IntRange(min=1),
    metavar="COUNT",
    help="With -C: keep a ring of COUNT files; with -G alone: stop after COUNT files.",
)
@click.option(
    "-b",
    "--ring-buffer",
    "ring_buffer",
    multiple=True,
    metavar="KEY:VALUE",
    help="dumpcap's rotation: filesize:KB, duration:SECONDS, packets:N, files:N (repeat -b for each).",
)
@click.option("--pcapng", is_flag=True, help="Write -w files as pcapng, with an interface description.")
@click.option(
    "--comment",
    "--capture-comment",
    "comments",
    multiple=True,
    metavar="TEXT",
    help="With --pcapng: a comment in the file's section header (repeatable).",
)
@click.option(
    "-Z",
    "--relinquish-privileges",
    "run_as",
    metavar="USER",
    help="When root: become USER once the capture is open, before creating the -w file.",
)
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_version_callback,
    help="Print the versions of pycapture, libpcap, pcapy-ng and dpkt.",
)
@click.argument("expression", nargs=-1)
def command(
    interface: str | None,
    read_file: str | None,
    write_file: str | None,
    count: int | None,
    snaplen: int,
    no_promisc: bool,
    buffer_kib: int | None,
    numeric: bool,
    line_buffered: bool,
    verbose: int,
    json_lines: bool,
    time_style: int,
    link_level: bool,
    absolute_seq: bool,
    hex_count: int,
    hex_ascii_count: int,
    print_too: bool,
    list_interfaces: bool,
    timeout_ms: int,
    precision: str | None,
    immediate: bool,
    direction: str | None,
    realtime: bool,
    speed: float | None,
    backend: str | None,
    packet_buffered: bool,
    file_size: str | None,
    rotate_seconds: int | None,
    file_count: int | None,
    ring_buffer: tuple[str, ...],
    pcapng: bool,
    comments: tuple[str, ...],
    run_as: str | None,
    debug: bool,
    expression: tuple[str, ...],
) -> None:
    """Capture packets live or read saved captures, and print one line per packet, like tcpdump.

    EXPRESSION is a BPF filter in pcap-filter(7) syntax, e.g. 'udp port 53'. Live capture needs root
    or the CAP_NET_RAW and CAP_NET_ADMIN capabilities.
    """
    if interface is not None and read_file is not None:
        raise click.UsageError("-i and -r cannot be used together: capture live or read a file")
    realtime = realtime or speed is not None
    if realtime and read_file is None:
        raise click.UsageError("--realtime and --speed pace a saved capture: use them with -r FILE")
    try:
        save = save_options(
            write_file,
            pcapng=pcapng,
            comments=comments,
            packet_buffered=packet_buffered,
            file_size=file_size,
            rotate_seconds=rotate_seconds,
            file_count=file_count,
            ring_buffer=ring_buffer,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    with reported_errors(debug):
        if list_interfaces:
            _list_devices()
            return
        capture(
            interface,
            read_file,
            write_file,
            count or -1,
            snaplen or DEFAULT_SNAPLEN,
            not no_promisc,
            buffer_kib,
            timeout_ms,
            " ".join(expression),
            OutputOptions(
                line_buffered=line_buffered or realtime or packet_buffered,
                print_too=print_too,
                time_style=min(time_style, 5),
                link_level=link_level,
                hex_level=min(max(hex_count, hex_ascii_count), 2),
                hex_ascii=hex_ascii_count > 0,
                layered=verbose > 0,
                json=json_lines,
                absolute_seq=absolute_seq,
            ),
            LiveOptions(immediate=immediate, direction=direction, precision=precision, backend=backend),
            Pacer(speed=speed or 1.0) if realtime else None,
            save=save,
            run_as=run_as,
        )


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script and of ``python -m pycapture``."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["replay"]:
        from .replay import replay_command

        replay_command.main(args=args[1:], prog_name="pycapture replay")
        return
    command.main(args=args, prog_name="pycapture")
