"""A handle is safe to close from any thread: readers end with NotOpenError (loop/dispatch return), never a
crash or a raw error, and none is still running 3 s after close(). Two readers take turns.

The reproducers in ../shared/repro (close_race.py, threadtest.py, two_readers.py) crashed the interpreter
or mixed up libpcap's error text before; the checks here are theirs, made strict.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import pycapture
from support.commands import tool
from support.env import CAPTURES, REPRO, SUPPORT
from support.netns import NetnsPair
from support.traffic import make_capture

STRESS = SUPPORT / "close_stress.py"
MODES = ("loop", "dispatch", "next_ex", "iterate", "records")
ROUNDS = 3
CYCLES = 25


def _stress(*args: str, prefix: list[str] | None = None, timeout: float = 240) -> dict:
    proc = subprocess.run(
        [*(prefix or []), sys.executable, str(STRESS), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert proc.returncode == 0, f"the stress run died (status {proc.returncode}):\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout)


def _assert_clean(result: dict) -> None:
    assert result["stuck"] == 0, result
    assert set(result["outcomes"]) <= {"returned", "NotOpenError"}, result


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A capture big enough that reading it takes longer than the delay before close()."""
    return make_capture(tmp_path_factory.mktemp("close") / "big.pcap", 20000)


@pytest.mark.parametrize("mode", MODES)
def test_close_from_another_thread_while_reading_a_file(big_file: Path, mode: str) -> None:
    for seed in range(ROUNDS):
        result = _stress(
            "--file", str(big_file), "--mode", mode, "--cycles", str(CYCLES), "--seed", str(seed)
        )
        _assert_clean(result)


@pytest.mark.live
@pytest.mark.netns
@pytest.mark.parametrize("mode", MODES)
def test_close_from_another_thread_while_capturing_a_flood(netns_pair: NetnsPair, mode: str) -> None:
    """Live, on a veth under a UDP flood from the other namespace: the case that died in 2 of 3 runs."""
    flood = subprocess.Popen(
        [
            *netns_pair.exec_prefix(netns_pair.ns_a),
            sys.executable,
            "-c",
            "import socket, time\n"
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            "end = time.monotonic() + 120\n"
            "while time.monotonic() < end:\n"
            "    for _ in range(1000):\n"
            f"        s.sendto(b'x' * 64, ('{netns_pair.addr_b}', 9))\n",
        ]
    )
    try:
        total = 0
        for seed in range(ROUNDS):
            result = _stress(
                "--live",
                netns_pair.if_b,
                "--mode",
                mode,
                "--cycles",
                str(CYCLES),
                "--seed",
                str(seed),
                prefix=netns_pair.exec_prefix(netns_pair.ns_b),
            )
            _assert_clean(result)
            total += result["packets"]
        assert total > 0, "the flood never reached the capture: the test proved nothing"
    finally:
        flood.kill()
        flood.wait()


def test_two_threads_reading_one_handle_take_turns(tmp_path: Path) -> None:
    """Each packet goes to exactly one reader, none is lost, and no error is made up."""
    path = CAPTURES / "mixed.pcap"
    expected = sum(1 for _ in pycapture.open_offline(str(path)))
    for _ in range(50):
        with pycapture.open_offline(str(path)) as handle:
            counts = [0, 0]
            errors: list[BaseException] = []

            def read(
                i: int,
                handle: pycapture.PcapHandle = handle,
                counts: list[int] = counts,
                errors: list[BaseException] = errors,
            ) -> None:
                try:
                    for _ in handle.records():
                        counts[i] += 1
                except BaseException as exc:
                    errors.append(exc)

            threads = [threading.Thread(target=read, args=(i,)) for i in (0, 1)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(10)
            assert not errors
            assert sum(counts) == expected


@pytest.mark.parametrize("script", ["close_race.py", "threadtest.py", "two_readers.py"])
def test_repro_scripts_run_clean(script: str) -> None:
    """The reproducers themselves: they end normally (they crashed or printed raw errors before)."""
    path = REPRO / script
    if not path.is_file():
        pytest.skip("../shared/repro is not present")
    proc = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "ValueError" not in proc.stdout and "pcap is closed" not in proc.stdout, proc.stdout
    if script == "two_readers.py":
        errors, totals = proc.stdout.splitlines()[:2]
        assert errors == "{}"
        assert totals == "[(198, 200)]"  # every round read the whole file between the two readers


def test_listener_closing_the_handle_ends_loop_as_interrupted() -> None:
    handle = pycapture.open_offline(str(CAPTURES / "mixed.pcap"))
    seen: list[pycapture.PcapPacket] = []

    def listener(packet: pycapture.PcapPacket) -> None:
        seen.append(packet)
        if len(seen) == 3:
            handle.close()

    result = handle.loop(-1, listener)
    assert result == 3 and result.interrupted
    assert not handle.is_open
    with pytest.raises(pycapture.NotOpenError):
        handle.get_next_packet_ex()


def test_break_loop_says_so_and_a_finished_loop_does_not() -> None:
    with pycapture.open_offline(str(CAPTURES / "mixed.pcap")) as handle:
        total = sum(1 for _ in pycapture.open_offline(str(CAPTURES / "mixed.pcap")))
        result = handle.loop(-1, lambda p: handle.break_loop())
        assert (int(result), result.interrupted) == (1, True)
        assert str(result) == "1" and f"{result}" == "1"
        rest = handle.loop(-1, lambda p: None)
        assert (int(rest), rest.interrupted) == (total - 1, False)
        assert handle.dispatch(5, lambda p: None) == 0


def test_generator_taken_before_close_raises_not_open() -> None:
    handle = pycapture.open_offline(str(CAPTURES / "mixed.pcap"))
    packets, records = iter(handle), handle.records()
    next(packets), next(records)
    handle.close()
    with pytest.raises(pycapture.NotOpenError):
        next(packets)
    with pytest.raises(pycapture.NotOpenError):
        next(records)


def test_dispatch_hands_packets_to_an_executor() -> None:
    with pycapture.open_offline(str(CAPTURES / "mixed.pcap")) as handle, ThreadPoolExecutor(2) as pool:
        seen: list[int] = []
        lock = threading.Lock()

        def listener(packet: pycapture.PcapPacket) -> None:
            with lock:
                seen.append(packet.original_length)

        n = handle.dispatch(-1, listener, pool)
    assert n == len(seen) == sum(1 for _ in pycapture.open_offline(str(CAPTURES / "mixed.pcap")))


@pytest.mark.live
def test_close_in_a_signal_handler_during_a_live_wait(live: None) -> None:
    """close() from a signal handler on the reading thread itself: the read ends with NotOpenError and the
    handle is freed on its way out (close() cannot wait for its own thread)."""
    handle = pycapture.PcapHandle.Builder("lo").timeout_ms(0).build()
    handle.set_filter("udp port 9")  # nothing comes: the read waits
    previous = signal.signal(signal.SIGALRM, lambda *a: handle.close())
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        start = time.monotonic()
        with pytest.raises(pycapture.NotOpenError):
            handle.get_next_packet_ex()
        assert time.monotonic() - start < 2
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert not handle.is_open and handle._reader is None  # freed, not left behind


@pytest.mark.live
def test_timeout_zero_waits_until_a_packet_comes(live: None) -> None:
    """libpcap's 0 means no timeout: the read waits past any small timeout until the packet arrives."""
    import socket

    handle = pycapture.PcapHandle.Builder("lo").timeout_ms(0).immediate().build()
    handle.set_filter("udp port 47123")
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    timer = threading.Timer(1.2, lambda: sender.sendto(b"late", ("127.0.0.1", 47123)))
    timer.start()
    try:
        start = time.monotonic()
        packet = handle.get_next_packet_ex()
        waited = time.monotonic() - start
    finally:
        timer.cancel()
        sender.close()
        handle.close()
    assert waited >= 1.0 and packet.raw.endswith(b"late")


@pytest.mark.live
def test_close_wakes_a_reader_waiting_with_no_timeout(live: None) -> None:
    handle = pycapture.PcapHandle.Builder("lo").timeout_ms(0).build()
    handle.set_filter("udp port 9")
    ended: list[str] = []

    def read() -> None:
        try:
            handle.get_next_packet_ex()
        except pycapture.NotOpenError:
            ended.append("NotOpenError")

    thread = threading.Thread(target=read)
    thread.start()
    time.sleep(0.2)
    handle.close()
    thread.join(3)
    assert not thread.is_alive() and ended == ["NotOpenError"]


@pytest.mark.live
def test_send_while_another_thread_loops(live: None) -> None:
    """Pcap4J's SendArpRequest: a loop in one thread, sends from another, then close from the sender."""
    from pycapture import craft

    handle = pycapture.PcapHandle.Builder("lo").immediate().timeout_ms(10).build()
    handle.set_filter("udp port 47124")
    got: list[int] = []
    thread = threading.Thread(target=lambda: got.append(handle.loop(-1, lambda p: None)))
    thread.start()
    zero = "00:00:00:00:00:00"
    frame = craft.over_ethernet(craft.udp("127.0.0.1", "127.0.0.1", 40000, 47124, b"hello"), zero, zero)
    for _ in range(20):
        handle.send_packet(frame)
    time.sleep(0.3)
    handle.close()
    thread.join(3)
    assert not thread.is_alive()
    assert got and got[0].interrupted and got[0] >= 20


def test_tcpdump_reads_what_was_read_concurrently(tmp_path: Path) -> None:
    """Two readers feeding one dumper (each with its own lock-free share) write every packet once:
    tcpdump reads back the file's count."""
    tcpdump = tool("tcpdump")
    src = CAPTURES / "mixed.pcap"
    out = tmp_path / "both.pcap"
    lock = threading.Lock()
    with pycapture.open_offline(str(src)) as handle, handle.dump_open(str(out)) as dumper:

        def read() -> None:
            for packet in handle:
                with lock:
                    dumper.dump(packet)

        threads = [threading.Thread(target=read) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
    counted = subprocess.run([tcpdump, "-n", "-r", str(out)], capture_output=True, text=True)
    original = subprocess.run([tcpdump, "-n", "-r", str(src)], capture_output=True, text=True)
    assert counted.returncode == 0
    assert sorted(counted.stdout.splitlines()) == sorted(original.stdout.splitlines())


@pytest.mark.parametrize("backend", ["file", "scapy"])
def test_other_backends_close_from_another_thread(big_file: Path, backend: str) -> None:
    """The file and scapy backends end a reader the same way: NotOpenError or done, never a raw error."""
    from pycapture.capture import backends

    for _ in range(CYCLES):
        handle = backends.open_offline(str(big_file), backend)
        ended: list[str] = []

        def read(handle: backends.CaptureSource = handle, ended: list[str] = ended) -> None:
            try:
                for _ in handle.records():
                    pass
                ended.append("returned")
            except pycapture.NotOpenError:
                ended.append("NotOpenError")
            except BaseException as exc:
                ended.append(f"{type(exc).__name__}: {exc}")

        thread = threading.Thread(target=read)
        thread.start()
        time.sleep(0.001)
        handle.close()
        thread.join(3)
        assert not thread.is_alive() and ended[0] in ("returned", "NotOpenError"), ended
