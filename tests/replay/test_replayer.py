"""Replaying saved captures: pacing them when printing, and sending them onto a veth of the test's own."""

from __future__ import annotations

import signal
import statistics
import subprocess
import sys
import time

import pcapy
import pytest

import pycapture
from pycapture import craft
from pycapture.errors import FilterError
from pycapture.replay.pacer import DURATION, MBPS, PPS, SLACK, SPEED, Pace, Pacer
from pycapture.replay.replayer import Replayer, ReplaySettings, frame_limit
from pycapture.savefile.pcap_writer import PcapWriter
from support.commands import Capture, run_cli, tool

SRC_MAC, DST_MAC = "02:00:00:00:00:aa", "02:00:00:00:00:bb"  # not the peer's MAC: nobody answers
PORT = 9999
LINKTYPE_LINUX_SLL = 113


def _frame(pair, i: int, size: int) -> bytes:
    payload = i.to_bytes(4, "big") + bytes([i % 251]) * size
    return craft.over_ethernet(craft.udp(pair.addr_a, pair.addr_b, 40000, PORT, payload), DST_MAC, SRC_MAC)


def _write(path, frames: list[bytes], gaps_us: list[int], linktype: int = 1, start: int = 1767323045) -> None:
    """A pcap of ``frames``; frame i+1 comes ``gaps_us[i]`` after frame i."""
    t = start * 1_000_000
    with PcapWriter(str(path), linktype) as writer:
        for i, frame in enumerate(frames):
            writer.write(t // 1_000_000, t % 1_000_000, len(frame), frame)
            if i < len(gaps_us):
                t += gaps_us[i]


def _read(path) -> list[tuple[float, bytes]]:
    reader, out = pcapy.open_offline(str(path)), []
    while True:
        hdr, data = reader.next()
        if hdr is None:
            return out
        sec, usec = hdr.getts()
        out.append((sec + usec / 1e6, data))


def _receivers(pair, tmp_path) -> tuple[Capture, Capture]:
    """pycapture and, as an outside witness, tcpdump, both writing what reaches the far end.

    Immediate mode, so that a frame that arrived is delivered before the stop signal, not held in a
    kernel ring block that only the 1 s buffer timeout would hand over.
    """
    prefix = pair.exec_prefix(pair.ns_b)
    args = ["-i", pair.if_b, "--immediate-mode", "udp", "port", str(PORT)]
    ours = Capture(["-w", str(tmp_path / "ours.pcap"), *args], prefix)
    theirs = Capture(
        ["-U", "-w", str(tmp_path / "theirs.pcap"), *args],
        prefix,
        command=[tool("tcpdump")],
    )
    return ours, theirs


def _stop(*captures: Capture) -> None:
    time.sleep(0.5)  # let the last frames through the veth and into both files
    for cap in captures:
        cap.proc.send_signal(signal.SIGINT)
    for cap in captures:
        status, _, err = cap.finish()
        assert status == 0, err


def _replay(pair, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*pair.exec_prefix(pair.ns_a), sys.executable, "-m", "pycapture", "replay", "--if", pair.if_a, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _sent(stderr: str) -> int:
    line = next(line for line in stderr.splitlines() if " packets sent on " in line)
    return int(line.split()[0])


# --- pacing, without a network --------------------------------------------------------------------------


def test_pacer_schedules_each_mode_against_one_origin():
    pacer = Pacer(pps=1000)
    first = pacer.due(0, 100)
    assert [pacer.due(0, 100) - first for _ in range(3)] == [1_000_000, 2_000_000, 3_000_000]

    pacer = Pacer(speed=2.0)
    first = pacer.due(10_000_000_000, 60)
    assert pacer.due(10_500_000_000, 60) - first == 250_000_000
    assert pacer.due(9_000_000_000, 60) - first == 0  # a timestamp going backwards: due at once

    pacer = Pacer(mbps=8)  # 1 byte per microsecond
    first = pacer.due(0, 1000)
    assert pacer.due(0, 500) - first == 1_000_000  # after the first frame's 1000 bytes
    assert pacer.due(0, 500) - first == 1_500_000

    pacer = Pacer(pps=1000, topspeed=True)
    assert pacer.wait(0, 60) and pacer.wait(10**12, 60)  # top speed never waits


def test_pacer_waits_hold_the_schedule_without_drift():
    pacer = Pacer(speed=1.0)
    start = time.monotonic_ns()
    for i in range(40):
        assert pacer.wait(i * 5_000_000, 100)
    elapsed_ms = (time.monotonic_ns() - start) / 1e6
    assert 195 <= elapsed_ms < 260, elapsed_ms  # 39 gaps of 5 ms
    assert pacer.late_ns_total / pacer.waits < 2_000_000


def test_a_slack_sends_what_falls_within_it_together_without_drift():
    pacer = Pacer(pps=1000, slack_us=5000)
    start = time.monotonic_ns()
    assert pacer.wait(0, 60)
    assert all(pacer.wait(0, 60) for _ in range(5))  # due 1-5 ms from now: within the slack, at once
    assert (time.monotonic_ns() - start) / 1e6 < 1.0
    for _ in range(35):
        assert pacer.wait(0, 60)
    elapsed_ms = (time.monotonic_ns() - start) / 1e6
    assert 35 - 5 <= elapsed_ms < 60, elapsed_ms  # 40 packets at 1 ms, up to 5 ms early
    assert pacer.late_ns_total / pacer.waits < 0  # most left before their time, none long after
    for value in (-1.0, SLACK.high * 2, float("nan")):
        with pytest.raises(ValueError, match="slack_us must be"):
            Pacer(pps=1000, slack_us=value)


def test_a_stop_request_ends_a_long_wait_at_once():
    stop_at = time.monotonic() + 0.2
    pacer = Pacer(stopped=lambda: time.monotonic() >= stop_at)
    assert pacer.wait(0, 60)
    start = time.monotonic()
    assert not pacer.wait(3600 * 1_000_000_000, 60)
    assert time.monotonic() - start < 1.0


def test_frame_limit_is_the_mtu_plus_the_link_header():
    plain = craft.ethernet("ff:ff:ff:ff:ff:ff", SRC_MAC, bytes(100), 0x88B5)
    tagged = craft.ethernet("ff:ff:ff:ff:ff:ff", SRC_MAC, bytes(100), 0x88B5, vlan=10)
    assert frame_limit(1, 1500, plain) == 1514
    assert frame_limit(1, 1500, tagged) == 1518
    assert frame_limit(LINKTYPE_LINUX_SLL, 1500, plain) is None
    assert frame_limit(1, None, plain) is None


# --- printing at the recorded pace ----------------------------------------------------------------------


def _packet_lines(out: str | bytes) -> list:
    """The packets' lines of the output, without the hex dump tcpdump prints under a frame of an
    ethertype it does not decode (as _paced_file's)."""
    tab = "\t" if isinstance(out, str) else b"\t"
    return [line for line in out.splitlines() if not line.startswith(tab)]  # type: ignore[arg-type]


def _paced_file(tmp_path, gaps_us: list[int]):
    path = tmp_path / "paced.pcap"
    frames = [
        craft.ethernet("ff:ff:ff:ff:ff:ff", SRC_MAC, bytes([i]) * 50, 0x88B5) for i in range(len(gaps_us) + 1)
    ]
    _write(path, frames, gaps_us)
    return path


@pytest.mark.parametrize("how", [["-r"], ["replay"]])
def test_realtime_printing_follows_the_recorded_gaps_scaled_by_speed(tmp_path, how):
    path = _paced_file(tmp_path, [500_000, 1_000_000, 500_000])  # 2 s in all; at --speed 5, 0.4 s
    args = [*how, str(path), "--speed", "5"] if how == ["-r"] else ["replay", str(path), "--speed", "5"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "pycapture", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    arrivals = []
    for _ in range(4):
        line = proc.stdout.readline()
        while line.startswith(b"\t"):  # tcpdump's hex dump of the frame's undecoded payload
            line = proc.stdout.readline()
        assert line, proc.stderr.read().decode()
        arrivals.append(time.monotonic())
    assert proc.wait(timeout=10) == 0
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    for got, want in zip(gaps, (0.1, 0.2, 0.1)):
        assert abs(got - want) < 0.05, gaps
    assert "4 packets captured" in proc.stderr.read().decode()


def test_ctrl_c_during_a_long_recorded_gap_stops_at_once_with_statistics(tmp_path):
    path = _paced_file(tmp_path, [3600 * 1_000_000])
    out_file = tmp_path / "out.pcap"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pycapture", "-r", str(path), "--realtime", "--print", "-w", str(out_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout.readline()
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    start = time.monotonic()
    _, err = proc.communicate(timeout=10)
    assert time.monotonic() - start < 2
    assert proc.returncode == 0, err
    assert "1 packet captured" in err.decode()
    assert len(_read(out_file)) == 1  # what was delivered is in the file


def test_replay_filter_and_count_when_printing(tmp_path):
    path = _paced_file(tmp_path, [1000] * 5)
    result = run_cli("replay", str(path), "--topspeed", "--filter", "ether[14] >= 3")
    assert result.returncode == 0, result.stderr
    assert len(_packet_lines(result.stdout)) == 3


def test_pacing_options_are_usage_errors_where_they_make_no_sense(tmp_path):
    path = _paced_file(tmp_path, [1000])
    assert run_cli("-i", "lo", "--speed", "2").returncode == 2
    both = run_cli("replay", str(path), "--pps", "10", "--topspeed")
    assert both.returncode == 2 and b"choose one of" in both.stderr
    missing = run_cli("replay", str(tmp_path / "nope.pcap"), "--topspeed")
    assert missing.returncode == 1 and b"Traceback" not in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


# --- the numbers pacing takes ---------------------------------------------------------------------------

_RATES = {"speed": SPEED, "pps": PPS, "mbps": MBPS}


def _outside(bounds) -> list[str]:
    return ["nan", "inf", "-inf", "-1", "0", repr(bounds.low / 2), repr(bounds.high * 2), "x"]


@pytest.mark.parametrize(
    ("command", "option", "value"),
    [(["-r"], "--speed", v) for v in _outside(SPEED)]
    + [(["replay"], f"--{name}", v) for name, bounds in _RATES.items() for v in _outside(bounds)]
    + [(["replay", "--if", "lo"], "--duration", v) for v in _outside(DURATION)],
    ids=str,
)
def test_a_pacing_number_outside_its_range_is_a_usage_error(tmp_path, command, option, value):
    path = _paced_file(tmp_path, [1000])
    result = run_cli(*command, str(path), option, value, text=True)
    assert result.returncode == 2
    assert result.stdout == "" and "Traceback" not in result.stderr
    error = result.stderr.strip().splitlines()[-1]
    assert error.startswith(f"Error: Invalid value for '{option}': must be ")
    assert f"not {value!r}" in error


@pytest.mark.parametrize(
    ("command", "option", "value"),
    [(["-r"], "--speed", repr(SPEED.low)), (["-r"], "--speed", repr(SPEED.high))]
    + [(["replay"], f"--{name}", repr(b.low)) for name, b in _RATES.items()]
    + [(["replay"], f"--{name}", repr(b.high)) for name, b in _RATES.items()],
    ids=str,
)
def test_the_edges_of_each_range_are_taken(tmp_path, command, option, value):
    path = _paced_file(tmp_path, [1000])  # with -c 1 the first packet is due at once, whatever the pace
    result = run_cli(*command, str(path), "-c", "1", option, value, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert len(_packet_lines(result.stdout)) == 1


@pytest.mark.parametrize("name", list(_RATES))
def test_pacer_takes_its_ranges_and_refuses_what_is_outside_them(name):
    bounds = _RATES[name]
    for value in (bounds.low, bounds.high, int(bounds.high)):
        Pacer(**{name: value})
    for value in (float("nan"), float("inf"), -1.0, 0, bounds.low / 2, bounds.high * 2, 10**400):
        with pytest.raises(ValueError, match=f"{name} must be .* to .*, not"):
            Pacer(**{name: value})
    for value in ("1", True, [1]):
        with pytest.raises(TypeError, match=f"{name} must be a number"):
            Pacer(**{name: value})
    # the slowest pace turns the widest gap a pcapng file can hold into a finite wait
    assert isinstance(Pacer(speed=SPEED.low).due(0, 60) + Pacer(speed=SPEED.low).due(2**64, 60), int)


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"loop": -1}, ValueError, "loop must be 0 .until stopped. or more"),
        ({"loop": "2"}, TypeError, "loop must be an int"),
        ({"count": -1}, ValueError, "count must be 1 or more"),
        ({"count": 0}, ValueError, "count must be 1 or more"),
        ({"count": 1.5}, TypeError, "count must be an int"),
        ({"duration_s": float("nan")}, ValueError, "duration_s must be"),
        ({"duration_s": 0}, ValueError, "duration_s must be"),
        ({"speed": float("nan")}, ValueError, "speed must be"),
        ({"pps": float("nan"), "count": 3}, ValueError, "pps must be"),
        ({"mbps": 1e308}, ValueError, "mbps must be"),
        ({"bpf_filter": 5}, TypeError, "bpf_filter must be a str"),
        ({"bpf_filter": "udp prot 5", "topspeed": True}, FilterError, "bad filter expression 'udp prot 5'"),
        ({"progress": 5}, TypeError, "progress must be callable"),
    ],
    ids=str,
)
def test_replay_refuses_bad_arguments_before_sending_anything(tmp_path, kwargs, error, words):
    """libtest.py's replay lines: each is the documented error, raised before an interface is opened."""
    path = _paced_file(tmp_path, [1000])
    with pytest.raises(error, match=words):
        pycapture.replay(str(path), "no-such-interface0", **kwargs)


def test_replay_refuses_what_is_not_a_file_or_an_interface(tmp_path):
    path = str(_paced_file(tmp_path, [1000]))
    with pytest.raises(TypeError, match="files must be a path or a sequence of paths"):
        pycapture.replay(None, "lo")
    with pytest.raises(TypeError, match=r"a capture file must be a str or os\.PathLike"):
        pycapture.replay([path, 5], "lo")
    with pytest.raises(TypeError, match="interface must be a str"):
        pycapture.replay(path, None)
    with pytest.raises(pycapture.PcapError, match="no capture file to replay"):
        pycapture.replay([], "lo")


def test_replay_and_replayer_refuse_a_keyword_they_do_not_take(tmp_path):
    path = str(_paced_file(tmp_path, [1000]))
    with pytest.raises(TypeError, match=r"^replay\(\) got an unexpected keyword argument 'count_first'$"):
        pycapture.replay(path, "lo", count_first=True)  # the Replayer's alone
    with pytest.raises(TypeError, match=r"^replay\(\) got an unexpected keyword argument 'sped'$"):
        pycapture.replay(path, "lo", sped=2)
    with pytest.raises(TypeError, match=r"^Replayer\.__init__\(\) got an unexpected keyword argument 'pace'"):
        Replayer("lo", pace=Pace())
    with pytest.raises(TypeError, match="takes 2 positional arguments"):
        pycapture.replay(path, "lo", 2.0)


def test_replayer_options_are_its_settings():
    """The keywords land in ReplaySettings (which holds the defaults), and with_settings gives them back."""
    assert Replayer("lo").settings == ReplaySettings()
    replayer = Replayer("lo", pps=50, loop=0, count=7, duration_s=2.5, bpf_filter="udp", progress=print)
    assert replayer.settings == ReplaySettings(Pace(pps=50), 0, 7, 2.5, "udp")
    assert (replayer.progress, replayer.count_first, replayer.pacer.pps) == (print, False, 50.0)
    again = Replayer.with_settings("lo", replayer.settings, print, count_first=True)
    assert (again.settings, again.progress, again.count_first) == (replayer.settings, print, True)


# --- sending onto a veth pair ---------------------------------------------------------------------------


@pytest.mark.live
@pytest.mark.netns
def test_replay_at_the_recorded_pace_arrives_byte_identical_in_order_with_the_gaps(netns_pair, tmp_path):
    pair = netns_pair
    sizes = [18 + (i * 97) % 1400 for i in range(60)]
    frames = [_frame(pair, i, size) for i, size in enumerate(sizes)]
    gaps_us = [5_000 + (i * 7_919) % 35_000 for i in range(len(frames) - 1)]  # 5-40 ms
    path = tmp_path / "replay.pcap"
    _write(path, frames, gaps_us)
    ours, theirs = _receivers(pair, tmp_path)
    result = _replay(pair, str(path), "--speed", "1")
    assert result.returncode == 0, result.stderr
    assert _sent(result.stderr) == len(frames)
    _stop(ours, theirs)
    for name in ("ours.pcap", "theirs.pcap"):
        got = _read(tmp_path / name)
        assert [data for _, data in got] == frames, name
    # the gaps as the far end's kernel stamped them, against the file's
    stamps = [t for t, _ in _read(tmp_path / "theirs.pcap")]
    errors_ms = [abs((b - a) * 1e3 - want / 1e3) for a, b, want in zip(stamps, stamps[1:], gaps_us)]
    assert statistics.median(errors_ms) < 1.0, errors_ms
    assert max(errors_ms) < 10.0, errors_ms
    total_ms = (stamps[-1] - stamps[0]) * 1e3
    assert abs(total_ms - sum(gaps_us) / 1e3) < 10.0  # no drift over the file


@pytest.mark.live
@pytest.mark.netns
@pytest.mark.parametrize("slack", [[], ["--slack", "3000"]], ids=["timed", "slack"])
def test_replay_at_1000_pps_for_2_seconds_sends_2000(netns_pair, tmp_path, slack):
    pair = netns_pair
    frames = [_frame(pair, i, 60) for i in range(5000)]
    path = tmp_path / "many.pcap"
    _write(path, frames, [1] * (len(frames) - 1))
    ours, theirs = _receivers(pair, tmp_path)
    result = _replay(pair, str(path), "--pps", "1000", "--duration", "2", "-q", *slack)
    assert result.returncode == 0, result.stderr
    sent = _sent(result.stderr)
    assert 1960 <= sent <= 2040, result.stderr
    _stop(ours, theirs)
    assert len(_read(tmp_path / "ours.pcap")) == sent
    arrived = _read(tmp_path / "theirs.pcap")
    assert len(arrived) == sent
    gaps_ms = sorted((b - a) * 1e3 for (a, _), (b, _) in zip(arrived, arrived[1:]))
    if slack:  # batches of the 3 ms ahead: most packets arrive right after the one before
        assert gaps_ms[len(gaps_ms) // 2] < 0.3 and gaps_ms[-len(gaps_ms) // 10] > 2.0, gaps_ms[::100]
    else:  # each at its millisecond
        assert 0.7 < gaps_ms[len(gaps_ms) // 2] < 1.3, gaps_ms[::100]


@pytest.mark.live
@pytest.mark.netns
def test_loop_count_and_filter_when_sending(netns_pair, tmp_path):
    pair = netns_pair
    frames = [_frame(pair, i, 60) for i in range(10)]
    path = tmp_path / "ten.pcap"
    _write(path, frames, [100] * 9)
    ours, theirs = _receivers(pair, tmp_path)
    looped = _replay(pair, str(path), "--topspeed", "--loop", "3", "-c", "25")
    assert looped.returncode == 0, looped.stderr
    assert _sent(looped.stderr) == 25
    filtered = _replay(pair, str(path), "--topspeed", "--filter", "udp[8:4] < 4")  # the first 4 frames
    assert _sent(filtered.stderr) == 4
    _stop(ours, theirs)
    expected = (frames * 3)[:25] + frames[:4]
    assert [data for _, data in _read(tmp_path / "theirs.pcap")] == expected


@pytest.mark.live
@pytest.mark.netns
def test_frames_over_the_mtu_and_foreign_link_types_are_counted_and_explained(netns_pair, tmp_path):
    pair = netns_pair
    frames = [
        _frame(pair, 0, 100),
        _frame(pair, 1, 1472 + 200),
        _frame(pair, 2, 100),
    ]  # the middle: 1714 bytes
    path = tmp_path / "big.pcap"
    _write(path, frames, [1000, 1000])
    cooked = tmp_path / "cooked.pcap"
    _write(cooked, [bytes(16) + bytes(40)] * 3, [1000, 1000], linktype=LINKTYPE_LINUX_SLL)
    code = (
        "from pycapture import replay\n"
        f"s = replay([{str(path)!r}, {str(cooked)!r}], {pair.if_a!r}, topspeed=True)\n"
        "print(s.sent, s.skipped_too_big, s.skipped_linktype, s.failed)\n"
    )
    lib = subprocess.run(
        [*pair.exec_prefix(pair.ns_a), sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert lib.returncode == 0, lib.stderr
    assert lib.stdout.split() == ["2", "1", "3", "0"]
    cli = _replay(pair, str(path), str(cooked), "--topspeed")
    assert cli.returncode == 1
    assert "MTU of 1500" in cli.stderr and "LINUX_SLL" in cli.stderr
    assert "1 too big for the MTU, 3 skipped for their link type" in cli.stderr
    assert "Traceback" not in cli.stderr


def test_progress_on_a_terminal_is_a_bar_with_rate_and_eta(capsys):
    from pycapture.cli.replay import ProgressLine
    from pycapture.replay.replayer import ReplayStats

    progress = ProgressLine(tty=True)
    progress(ReplayStats(sent=250, bytes_sent=2_500_000, elapsed_s=2.5, planned=1000))
    err = capsys.readouterr().err.replace("\x1b[K", "")  # click drops the escape when not on a terminal
    assert err.startswith("\r[######")
    assert "25%" in err and "250 packets, 2.5 MB, 100 pps, 8.00 Mbps, ETA 0:00:08" in err
    progress.clear()
    assert capsys.readouterr().err.replace("\x1b[K", "") == "\r"
