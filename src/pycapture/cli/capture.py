"""The ``pycapture`` command: tcpdump's options and manners over the pycapture library.

Mirrors Pcap4J's GetNextPacketEx sample: open a handle, read packets until the count, print each,
print the statistics. Packet lines go to stdout, everything else to stderr; exit status 0 on
success, 1 on an error, 2 on a usage error. The work is :func:`pycapture.run.run`'s: this module
turns the options into a :class:`~pycapture.run.CaptureConfig`.
"""

from __future__ import annotations

import click

from .. import __version__
from ..capture import backends
from ..capture.devices import PcapNetworkInterface, find_all_devs, no_device_error
from ..capture.handle import DEFAULT_SNAPLEN, DEFAULT_TIMEOUT_MS
from ..capture.libpcap import lib_version
from ..replay.pacer import Pace
from ..run import CaptureConfig, LiveOptions, OutputOptions, run
from ..savefile.rotation import save_options
from ..workers import WHY_NO_FANOUT, fanout_available, run_workers
from .common import counter, debug_option, flag, json_option, positive_int, reported_errors, speed_option
from .table import FORMATS, format_of

WRITE_FORMATS = ("pcap", "pcapng", *FORMATS)


def _versions() -> str:
    from importlib import metadata  # here, not at the top: it costs a fifth of start-up

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


def _table_format(write_file: str | None, given: str | None) -> str | None:
    """The table format -w writes (``--format``, else -w's suffix), or None for pcap and pcapng."""
    if given is not None and write_file is None:
        raise click.UsageError(f"--format {given} says how -w writes: give -w FILE too")
    if given in ("pcap", "pcapng"):
        return None
    if given is not None or write_file is None or write_file == "-":
        return given
    return format_of(write_file)


def _check_workers(
    workers: int, read_file: str | None, write_file: str | None, statistics: tuple[str, ...], defrag: bool
) -> None:
    """Usage errors of --workers: where a capture cannot be spread over processes."""
    if workers == 1:
        return
    if not fanout_available():
        raise click.UsageError(WHY_NO_FANOUT)
    if read_file is not None:
        raise click.UsageError("--workers spreads a live capture: leave it out with -r")
    if write_file == "-":
        raise click.UsageError("--workers writes one file per worker: give -w a file name, not -")
    if statistics or defrag:
        option = "-z" if statistics else "--defrag"
        raise click.UsageError(f"{option} needs every packet in one process: leave out --workers")


def _check_statistics(
    statistics: tuple[str, ...], quiet: bool, read_file: str | None, write_file: str | None
) -> None:
    """Usage errors of -z: a bad spec, or a combination not supported yet."""
    if not statistics:
        return
    from ..flows.stats import (
        VALID_FORMS,
        SpecError,
        is_follow,
        parse_spec,
    )  # no pyarrow needed to read a spec

    for spec in statistics:
        try:
            if is_follow(spec):
                from ..flows.follow import parse_follow

                parse_follow(spec)
            else:
                parse_spec(spec)
        except SpecError as exc:
            raise click.UsageError(str(exc)) from None
        except ValueError as exc:
            raise click.UsageError(f"-z {spec}: {exc}; valid forms: {VALID_FORMS}") from None
    if all(is_follow(spec) for spec in statistics):
        return  # followed from the frames, live or not, with the packet lines or without
    if write_file is not None:
        raise click.UsageError("-z with -w is not supported yet: write the file, then read it with -r -q -z")
    if not quiet and (read_file is None or read_file == "-"):
        raise click.UsageError("-z prints packet lines too only with -r FILE: give -q for the tables alone")


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
@click.option(
    "-w",
    "write_file",
    metavar="FILE",
    help="Write packets to a pcap file ('-' for stdout), or to a table by its suffix (.parquet, .csv, "
    ".jsonl, .arrow).",
)
@click.option(
    "--format",
    "write_format",
    type=click.Choice(WRITE_FORMATS),
    help="With -w: the file's format (by default pcap, or the table format -w's suffix says).",
)
@positive_int("-c", "count", metavar="COUNT", help="Stop after COUNT packets.")
@click.option(
    "-s",
    "snaplen",
    type=click.IntRange(min=0),
    default=DEFAULT_SNAPLEN,
    show_default=True,
    metavar="SNAPLEN",
    help="Bytes to capture per packet (0 means the default).",
)
@flag("-p", "no_promisc", help="Do not put the interface into promiscuous mode.")
@positive_int("-B", "buffer_kib", metavar="KiB", help="Kernel capture buffer size.")
@flag("-n", "numeric", help="Do not resolve names (the default: names are never resolved).")
@flag("-l", "line_buffered", help="Flush stdout after each packet line.")
@counter("-v", "verbose", help="Print each packet layer by layer, as Pcap4J's GetNextPacketEx sample does.")
@json_option("Print one JSON object per packet (JSON Lines).")
@counter(
    "-t",
    "time_style",
    help="-t no time, -tt epoch seconds, -ttt delta from the previous packet, "
    "-tttt date and time, -ttttt delta from the first packet.",
)
@flag("-e", "link_level", help="Print the link-level header (MACs, ethertype, VLAN).")
@flag(
    "-S",
    "--absolute-tcp-sequence-numbers",
    "absolute_seq",
    help="Print absolute TCP sequence numbers (by default they are relative to each conversation).",
)
@counter("-x", "hex_count", help="Print each packet in hex (-xx: with its link header).")
@counter("-X", "hex_ascii_count", help="Print each packet in hex and ASCII (-XX: with its link header).")
@flag("--print", "print_too", help="Print packet lines even when writing with -w.")
@flag("-D", "--list-interfaces", help="List the interfaces that can capture, with flags and addresses.")
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
    help="Timestamp resolution (default: micro for live capture and tcpdump lines, as tcpdump; a file's "
    "own for -w, tables, --json and -v, so that nothing is lost).",
)
@click.option("--nano", "precision", flag_value="nano", help="Same as --time-stamp-precision=nano.")
@flag("--immediate-mode", "immediate", help="Deliver each packet at once, without buffering.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    metavar="N",
    help="Spread a live capture over N processes (Linux's PACKET_FANOUT, each flow to one): for --json, -v "
    "and tables, which decode; -w writes one file per worker (FILE0, FILE1...).",
)
@click.option(
    "-Q",
    "--direction",
    type=click.Choice(["in", "out", "inout"], case_sensitive=False),
    help="Capture only packets received (in) or sent (out).",
)
@flag(
    "--realtime", help="With -r: deliver the packets at the pace their timestamps say, as if arriving live."
)
@speed_option("With -r: replay at X times the recorded pace (implies --realtime).")
@click.option(
    "--backend",
    type=click.Choice(backends.CHOICES, case_sensitive=False),
    envvar=backends.ENVIRONMENT_VARIABLE,
    help="Capture library: pcapy (pcapy-ng, the default), scapy (libpcap through scapy), file (reads "
    "saved captures without libpcap), or auto: the first that works. Also $PYCAPTURE_BACKEND.",
)
@flag(
    "-U",
    "--packet-buffered",
    help="Write each packet to the -w file as it comes (and flush each printed line).",
)
@click.option(
    "-C",
    "file_size",
    metavar="MB",
    help="With -w: start a new file once the current one exceeds MB million bytes (k/m/g: KiB/MiB/GiB).",
)
@positive_int(
    "-G",
    "rotate_seconds",
    metavar="SECONDS",
    help="With -w: start a new file every SECONDS; the -w name may hold strftime(3) fields.",
)
@positive_int(
    "-W",
    "file_count",
    metavar="COUNT",
    help="With -C: keep a ring of COUNT files; with -G alone: stop after COUNT files.",
)
@click.option(
    "-b",
    "--ring-buffer",
    multiple=True,
    metavar="KEY:VALUE",
    help="dumpcap's rotation: filesize:KB, duration:SECONDS, packets:N, files:N (repeat -b for each).",
)
@flag("--pcapng", help="Write -w files as pcapng, with an interface description.")
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
@click.option(
    "-z",
    "statistics",
    multiple=True,
    metavar="SPEC",
    help="tshark's statistics, printed at the end: conv,TYPE or endpoints,TYPE (TYPE: eth, ip, ipv6, tcp, "
    "udp), io,phs (these need pyarrow: pip install '.[table]'), follow,tcp|udp,ascii|hex|raw,STREAM; "
    "repeatable.",
)
@flag("-q", "quiet", help="Print no packet lines (with -z: the tables only).")
@flag(
    "--defrag",
    "defrag",
    help="Reassemble IPv4 and IPv6 fragments: the fragment that completes a datagram is shown (and written) "
    "as the whole datagram.",
)
@debug_option
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
    write_format: str | None,
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
    workers: int,
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
    statistics: tuple[str, ...],
    quiet: bool,
    defrag: bool,
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
    table = _table_format(write_file, write_format)
    if table is not None and (print_too or realtime):
        raise click.UsageError(f"--print, --realtime and --speed go with a pcap -w, not with a {table} table")
    try:
        save = save_options(
            write_file,
            table=table,
            pcapng=pcapng or write_format == "pcapng",
            comments=comments,
            packet_buffered=packet_buffered,
            file_size=file_size,
            rotate_seconds=rotate_seconds,
            file_count=file_count,
            ring_buffer=ring_buffer,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    _check_workers(workers, read_file, write_file, statistics, defrag)
    _check_statistics(statistics, quiet, read_file, write_file)
    with reported_errors(debug):
        if list_interfaces:
            _list_devices()
            return
        config = CaptureConfig(
            interface=interface,
            read_file=read_file,
            write_file=write_file,
            count=count or -1,
            snaplen=snaplen or DEFAULT_SNAPLEN,
            promiscuous=not no_promisc,
            buffer_kib=buffer_kib,
            timeout_ms=timeout_ms,
            expression=" ".join(expression),
            output=OutputOptions(
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
            live=LiveOptions(immediate=immediate, direction=direction, precision=precision, backend=backend),
            pace=Pace(speed=speed or 1.0) if realtime else None,
            save=save,
            run_as=run_as,
            statistics=statistics,
            quiet=quiet,
            defrag=defrag,
        )
        if workers > 1:
            run_workers(config, workers, lambda: reported_errors(debug))
        else:
            run(config)
