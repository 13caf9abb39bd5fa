"""``pycapture replay FILE...``: print saved captures at their recorded pace, or send them onto an interface.

With ``--if``, packets go out through :class:`pycapture.replay.replayer.Replayer` (in batches with
sendmmsg, or with pcap_sendpacket as tcpreplay sends them); without it, they are printed as
``pycapture -r FILE --realtime`` prints them.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

import click

from ..flow.signals import stop_on_signals
from ..replay.pacer import DURATION, MBPS, PPS, SLACK, SPEED, Pace
from ..replay.replayer import Replayer, ReplaySettings, ReplayStats
from ..replay.verify import write_packets
from ..run import CaptureConfig, OutputOptions, run, say
from .common import BoundedFloat, debug_option, flag, json_option, positive_int, reported_errors, speed_option


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class ProgressLine:
    """Progress on stderr: a bar redrawn in place on a terminal, a plain line every 10 s otherwise."""

    WIDTH = 24

    def __init__(self, tty: bool) -> None:
        self.tty = tty
        self.drawn = False
        self._next_plain = time.monotonic() + 10

    def __call__(self, stats: ReplayStats) -> None:
        rate = stats.pps
        megabytes = stats.bytes_sent / 1e6
        text = f"{stats.sent:,} packets, {megabytes:,.1f} MB, {rate:,.0f} pps, {stats.mbps:,.2f} Mbps"
        if stats.planned:
            done = min(1.0, (stats.sent + stats.not_sent) / stats.planned)
            left = stats.planned - stats.sent - stats.not_sent
            eta = _duration(left / rate) if rate > 0 else "?"
            bar = "#" * int(done * self.WIDTH)
            text = f"[{bar:<{self.WIDTH}}] {done:4.0%} {text}, ETA {eta}"
        if self.tty:
            click.echo(f"\r\x1b[K{text}", err=True, nl=False)
            self.drawn = True
        elif time.monotonic() >= self._next_plain:
            self._next_plain = time.monotonic() + 10
            say(text)

    def clear(self) -> None:
        if self.drawn:
            click.echo("\r\x1b[K", err=True, nl=False)
            self.drawn = False


def report_lines(stats: ReplayStats, interface: str) -> list[str]:
    """The statistics printed at the end of a replay (stderr), tcpreplay's facts in pycapture's words."""
    lines = [
        f"{stats.sent} packets sent on {interface} ({stats.bytes_sent} bytes) in {stats.elapsed_s:.3f} s: "
        f"{stats.pps:.1f} pps, {stats.mbps:.2f} Mbps",
        f"{stats.failed} packets failed, {stats.skipped_too_big} too big for the MTU, "
        f"{stats.skipped_linktype} skipped for their link type",
    ]
    if stats.truncated:
        lines.append(f"{stats.truncated} packets were cut short in the capture and were sent as captured")
    if stats.retried:
        lines.append(f"{stats.retried} sends found the interface's queue full (ENOBUFS) and were retried")
    if stats.late_us_mean or stats.late_us_max:
        lines.append(
            f"timing: packets left {stats.late_us_mean:.0f} µs after their due time on average, "
            f"{stats.late_us_max:.0f} µs at most"
        )
    return lines


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "-i",
    "--if",
    "interface",
    metavar="NAME",
    help="Send the packets out of this interface; without it, print them at their recorded pace.",
)
@speed_option(f"Multiply the recorded pace by X, {SPEED.low:g} to {SPEED.high:g} (default 1: as recorded).")
@click.option("--pps", type=BoundedFloat(PPS), metavar="N", help=f"Send N packets/s: {PPS}.")
@click.option("--mbps", type=BoundedFloat(MBPS), metavar="N", help=f"Send at N Mbit/s: {MBPS}.")
@flag("--topspeed", help="Send as fast as possible.")
@click.option(
    "--slack",
    "slack_us",
    type=BoundedFloat(SLACK),
    default=0.0,
    metavar="US",
    help="Let packets leave up to US microseconds early, in batches, sleeping between them: far less CPU "
    "at high rates than timing each packet (tcpreplay's --pps-multi), coarser timing. Default 0.",
)
@click.option(
    "--loop",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    metavar="N",
    help="Pass over the files N times (0: until stopped).",
)
@positive_int("-c", "--count", metavar="N", help="Stop after N packets.")
@click.option(
    "--duration",
    type=BoundedFloat(DURATION),
    metavar="S",
    help="Stop after S seconds.",
)
@click.option(
    "--filter",
    "bpf_filter",
    metavar="EXPR",
    help="Replay only the packets matching this BPF filter (pcap-filter(7)).",
)
@click.option(
    "--verify",
    "verify_on",
    metavar="NAME",
    help="Capture on this interface (a veth peer, a looped cable) while sending, and report what arrived: "
    "lost, duplicated, reordered and altered packets, and the timing error. Exit status 1 unless intact.",
)
@click.option(
    "--verify-report",
    "verify_report",
    metavar="FILE",
    help="With --verify: write every sent packet's outcome to FILE, one JSON object per line (number, "
    "outcome, one-way delay, duplicates, reordered, altered bytes).",
)
@flag(
    "--qdisc-bypass",
    help="Send past the interface's queueing discipline (Linux): faster, but no shaping and no queue.",
)
@flag("-q", "--quiet", help="No progress while sending.")
@flag("-v", "verbose", help="When printing: the layered Pcap4J-style dump.")
@json_option("When printing: one JSON object per packet.")
@debug_option
def replay_command(
    files: tuple[str, ...],
    interface: str | None,
    speed: float | None,
    pps: float | None,
    mbps: float | None,
    topspeed: bool,
    slack_us: float,
    loop: int,
    count: int | None,
    duration: float | None,
    bpf_filter: str | None,
    verify_on: str | None,
    verify_report: str | None,
    qdisc_bypass: bool,
    quiet: bool,
    verbose: bool,
    json_lines: bool,
    debug: bool,
) -> None:
    """Replay saved captures: send them onto an interface (--if), or print them at their recorded pace.

    Timing: the recorded gaps (times --speed), a fixed --pps or --mbps, or --topspeed. Sending needs
    root or CAP_NET_RAW, as capture does. Exit status 1 when any packet could not be sent.
    """
    if sum(x is not None and x is not False for x in (speed, pps, mbps, topspeed or None)) > 1:
        raise click.UsageError("choose one of --speed, --pps, --mbps and --topspeed")
    if (qdisc_bypass or verify_on) and interface is None:
        option = "--qdisc-bypass" if qdisc_bypass else "--verify"
        raise click.UsageError(f"{option} is for sending: give the interface to send on with --if")
    if verify_report is not None and verify_on is None:
        raise click.UsageError("--verify-report needs --verify: name the interface the packets arrive on")
    pace = Pace(speed or 1.0, pps, mbps, topspeed, slack_us)
    settings = ReplaySettings(pace, loop, count, duration, bpf_filter)
    with reported_errors(debug, "check the capture file's path"):
        if interface is None:
            _print_files(files, settings, verbose, json_lines)
            return
        report_file = None
        if verify_report is not None:  # opened first: a bad path fails before anything is sent
            with reported_errors(debug, "check the path of --verify-report"):
                report_file = open(verify_report, "w", encoding="utf-8")  # noqa: SIM115 - closed below
        try:
            _send_files(files, interface, settings, quiet, qdisc_bypass, verify_on, report_file)
        finally:
            if report_file is not None:
                report_file.close()


def _pace_text(pace: Pace) -> str:
    if pace.topspeed:
        return "at top speed"
    if pace.pps:
        text = f"at {pace.pps:g} packets/s"
    elif pace.mbps:
        text = f"at {pace.mbps:g} Mbit/s"
    else:
        text = f"at {pace.speed:g}x the recorded pace"
    return text + (f", up to {pace.slack_us:g} µs early" if pace.slack_us else "")


def _send_files(
    files: tuple[str, ...],
    interface: str,
    settings: ReplaySettings,
    quiet: bool,
    qdisc_bypass: bool,
    verify_on: str | None,
    report_file: TextIO | None,
) -> None:
    tty = sys.stderr.isatty()
    progress = None if quiet else ProgressLine(tty)
    replayer = Replayer.with_settings(
        interface,
        settings,
        progress,
        count_first=tty and progress is not None,
        qdisc_bypass=qdisc_bypass,
        verify=verify_on,
    )
    say(f"sending {', '.join(files)} on {interface} {_pace_text(settings.pace)}")
    try:
        with stop_on_signals(replayer):
            stats = replayer.run(files)
    finally:
        if progress is not None:
            progress.clear()
    for message in stats.messages:
        say(message)
    for line in report_lines(stats, interface):
        click.echo(line, err=True)
    if stats.verify is not None:
        for line in stats.verify.lines():
            click.echo(line, err=True)
        if report_file is not None:
            write_packets(stats.verify, report_file)
    if stats.not_sent or (stats.verify is not None and not stats.verify.intact):
        sys.exit(1)


def _print_files(files: tuple[str, ...], settings: ReplaySettings, verbose: bool, json_lines: bool) -> None:
    output = OutputOptions(line_buffered=True, layered=verbose, json=json_lines)
    pace = None if settings.pace.topspeed else settings.pace
    passes = 0
    while settings.loop == 0 or passes < settings.loop:
        passes += 1
        for path in files:
            config = CaptureConfig(
                read_file=path,
                count=settings.count or -1,
                expression=settings.bpf_filter or "",
                output=output,
                pace=pace,
            )
            if run(config):
                return
