"""Each of examples/ (Python versions of Pcap4J's samples) runs and does what it says."""

from __future__ import annotations

import json
import os
import re
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pcapy
import pytest

from support.commands import Capture, can_capture, needs, run_cli, tool
from support.env import CAPTURES, ROOT
from support.netns import NetnsPair
from support.pcap4j_witness import PCAP4J_DUMP, witness_missing
from support.traffic import free_udp_port, libpcap_records, send_udp

EXAMPLES = ROOT / "examples"


def _example(name: str) -> list[str]:
    return [sys.executable, str(EXAMPLES / name)]


@dataclass
class Wire:
    """Where a live sample captures: an interface, the prefix that runs a program where it is, the
    address the test sends its UDP datagrams to, and how it sends them."""

    interface: str
    prefix: list[str]
    address: str
    send: Callable[[int, int], None]
    connect: Callable[[int], None]

    def sample(self, name: str, args: list[str]) -> Capture:
        """Start the sample ``name`` capturing on this wire with ``args`` after ``--if``."""
        return Capture(["--if", self.interface, *args], prefix=self.prefix, command=_example(name))


_CONNECT = (
    "import contextlib, socket, sys\n"
    "with socket.socket() as s, contextlib.suppress(OSError):\n"
    "    s.settimeout(2)\n"
    "    s.connect((sys.argv[1], int(sys.argv[2])))\n"
)
_SEND = (
    "import socket, sys, time\n"
    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
    "for i in range(int(sys.argv[3])):\n"
    "    s.sendto(b'pycapture-test%d' % i, (sys.argv[1], int(sys.argv[2])))\n"
    "    time.sleep(0.01)\n"
)


@pytest.fixture(params=["loopback", "veth"])
def wire(request: pytest.FixtureRequest) -> Wire:
    """Loopback, and a veth pair between two namespaces of the test's own: the sample captures on
    ``b``'s end, the test sends from ``a``."""
    needs(can_capture(), "no permission to capture (run as root or grant CAP_NET_RAW)")
    if request.param == "loopback":
        prefix: list[str] = []
        interface, address = "lo", "127.0.0.1"
    else:
        pair = request.getfixturevalue("netns_pair")
        prefix, interface, address = pair.exec_prefix(pair.ns_b), pair.if_b, pair.addr_b
        sender = pair.exec_prefix(pair.ns_a)

    def send(port: int, count: int) -> None:
        if request.param == "loopback":
            send_udp(port, count)
        else:
            command = [*sender, sys.executable, "-c", _SEND, address, str(port), str(count)]
            subprocess.run(command, check=True, timeout=30)

    def connect(port: int) -> None:
        """One TCP SYN to a closed port (a reset answers it)."""
        run_as = [] if request.param == "loopback" else sender
        command = [*run_as, sys.executable, "-c", _CONNECT, address, str(port)]
        subprocess.run(command, check=True, timeout=30)

    return Wire(interface, prefix, address, send, connect)


def test_get_next_packet_ex_prints_layered_packets_and_stats(wire):
    port = free_udp_port()
    cap = wire.sample("get_next_packet_ex.py", ["-c", "2", "udp", "dst", "port", str(port)])
    wire.send(port, 2)
    status, out, err = cap.finish()
    assert status == 0, err
    assert out.count("[Ethernet Header (14 bytes)]") == 2
    assert out.count("[UDP Header (8 bytes)]") == 2 and f"Destination port: {port}" in out
    assert "ps_recv: " in out and "ps_drop: 0" in out


def test_loop_prints_one_summary_per_packet(wire):
    port = free_udp_port()
    cap = wire.sample("loop.py", ["-c", "3", "udp", "dst", "port", str(port)])
    wire.send(port, 3)
    status, out, err = cap.finish()
    assert status == 0, err
    lines = out.splitlines()
    assert len(lines) == 4 and lines[-1].startswith("3 packets;")
    assert all(f"> {wire.address}.{port}: UDP, length 15" in line for line in lines[:3])


def test_packet_stream_takes_count_packets_and_prints_the_udp_ones(wire):
    udp_port, tcp_port = free_udp_port(), free_udp_port()
    cap = wire.sample("packet_stream.py", ["-c", "3", f"udp dst port {udp_port} or tcp dst port {tcp_port}"])
    wire.send(udp_port, 2)
    wire.connect(tcp_port)  # one SYN: a packet of the three, not a UDP one
    status, out, err = cap.finish()
    assert status == 0, err
    assert out.count("[UDP Header (8 bytes)]") == 2 and f"Destination port: {udp_port}" in out
    assert "[TCP Header" not in out and out.count("Captured at: ") == 2


def test_dump_writes_the_packets(wire, tmp_path):
    port = free_udp_port()
    out_file = tmp_path / "dump.pcap"
    args = [str(out_file), "--if", wire.interface, "-c", "2", "udp", "dst", "port", str(port)]
    cap = Capture(args, prefix=wire.prefix, command=_example("dump.py"))
    wire.send(port, 2)
    status, _, err = cap.finish()
    assert status == 0, err
    reader = pcapy.open_offline(str(out_file))
    payloads = []
    while (record := reader.next())[0] is not None:
        payloads.append(record[1][-15:])
    assert payloads == [b"pycapture-test0", b"pycapture-test1"]


def test_read_packet_file_prints_what_the_cli_prints_with_v():
    path = str(CAPTURES / "dns.pcap")
    utc = {**os.environ, "TZ": "UTC"}
    res = subprocess.run([*_example("read_packet_file.py"), path], capture_output=True, text=True, env=utc)
    assert res.returncode == 0, res.stderr
    cli = run_cli("-v", "-r", path, env=utc).stdout.decode()
    strip = lambda text: [b.split("\n", 1)[1] for b in text.split("\n\n") if b.strip()]  # noqa: E731
    assert strip(res.stdout) == strip(cli) and strip(cli)


def test_get_next_packet_prints_addresses_times_dumps_and_stats(wire):
    port = free_udp_port()
    cap = wire.sample("get_next_packet.py", ["-c", "2", "udp", "dst", "port", str(port)])
    wire.send(port, 2)
    status, out, err = cap.finish()
    assert status == 0, err
    assert f"IP address: {wire.address}" in out
    assert out.count("[UDP Header (8 bytes)]") == 2 and f"Destination port: {port}" in out
    assert len(re.findall(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", out, re.MULTILINE)) == 2
    assert "ps_recv: " in out and "ps_drop: 0" in out


@pytest.mark.parametrize("sample", ["get_next_raw_packet.py", "get_raw_next_packet_ex.py", "loop_raw.py"])
def test_raw_samples_print_each_packet_in_hex(wire, sample):
    port = free_udp_port()
    cap = wire.sample(sample, ["-c", "2", "udp", "dst", "port", str(port)])
    wire.send(port, 2)
    status, out, err = cap.finish()
    assert status == 0, err
    hex_lines = [line for line in out.splitlines() if re.fullmatch(r"[0-9a-f]{2}( [0-9a-f]{2})*", line)]
    assert len(hex_lines) == 2
    for i, line in enumerate(hex_lines):
        frame = bytes.fromhex(line.replace(" ", ""))
        assert frame[12:14] == b"\x08\x00" and frame.endswith(b"pycapture-test%d" % i)
        assert struct.unpack_from("!H", frame, 36)[0] == port  # the UDP destination port
    assert ("ps_recv: " in out) == (sample != "get_raw_next_packet_ex.py")  # as in Pcap4J's samples


def test_dump_loop_hands_the_packets_to_the_dumper(wire, tmp_path):
    port = free_udp_port()
    out_file = tmp_path / "loop.pcap"
    cap = wire.sample("dump_loop.py", ["-c", "2", "-w", str(out_file), "udp", "dst", "port", str(port)])
    wire.send(port, 2)
    status, _, err = cap.finish()
    assert status == 0, err
    assert "2 packets written" in err
    linktype, records = libpcap_records(out_file)
    assert linktype == 1 and [data[-15:] for *_, data in records] == [b"pycapture-test0", b"pycapture-test1"]


def test_heavy_loop_runs_the_heavy_tasks_side_by_side(wire):
    port = free_udp_port()
    cap = wire.sample("heavy_loop.py", ["-c", "3", "--work", "1.5", "udp", "dst", "port", str(port)])
    started = time.monotonic()
    wire.send(port, 3)
    status, out, err = cap.finish()
    elapsed = time.monotonic() - started
    assert status == 0, err
    events = [line for line in out.splitlines() if line in ("start a heavy task", "done")]
    # one after another they would alternate and take 4.5 s; in the pool all three start at once
    assert events == ["start a heavy task"] * 3 + ["done"] * 3
    assert elapsed < 4.0


def test_pcap_file_merger_appends_every_packet_of_every_file(tmp_path):
    out_file = tmp_path / "merged.pcap"
    inputs = [CAPTURES / "arp.pcap", CAPTURES / "dns.pcap", CAPTURES / "icmp.pcap"]
    res = subprocess.run(
        [*_example("pcap_file_merger.py"), *map(str, inputs), "-w", str(out_file)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    expected = [record for path in inputs for record in libpcap_records(path)[1]]
    assert libpcap_records(out_file) == (1, expected) and len(expected) == 13


# --- IPv4 fragments and ICMPv4 errors between two namespaces -------------------------------------


def _mac(ns: str, ifname: str) -> str:
    shown = subprocess.run(
        ["ip", "-n", ns, "-j", "link", "show", ifname], capture_output=True, text=True, check=True, timeout=20
    )
    return json.loads(shown.stdout)[0]["address"]


def _tcpdump_to(pair: NetnsPair, ns: str, ifname: str, path: Path) -> Capture:
    """tcpdump in ``ns`` writing the ICMP packets of ``ifname`` to ``path`` until stopped."""
    args = ["-i", ifname, "--immediate-mode", "-U", "-w", str(path), "icmp"]  # each packet at once
    return Capture(args, pair.exec_prefix(ns), command=[tool("tcpdump")])


def _stop(cap: Capture) -> tuple[int, str, str]:
    time.sleep(0.3)  # the last packets reach tcpdump's file
    cap.proc.send_signal(signal.SIGINT)
    return cap.finish()


def _tcpdump_text(path: Path) -> str:
    read = subprocess.run(
        [tool("tcpdump"), "-vvv", "-n", "-r", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert read.returncode == 0, read.stderr
    for complaint in ("bad cksum", "wrong icmp cksum", "truncated", "[|"):
        assert complaint not in read.stdout, read.stdout
    return read.stdout


def _pcap4j_text(path: Path) -> str:
    missing = witness_missing()
    needs(missing is None, str(missing))
    env = {**os.environ, "TZ": "UTC"}
    read = subprocess.run([str(PCAP4J_DUMP), str(path)], capture_output=True, text=True, timeout=120, env=env)
    assert read.returncode == 0, read.stderr
    assert "[Illegal Packet" not in read.stdout, read.stdout
    return read.stdout


def test_send_fragmented_echo_is_reassembled_and_answered(netns_pair, tmp_path):
    pair = netns_pair
    wire = tmp_path / "wire.pcap"
    mac_a, mac_b = _mac(pair.ns_a, pair.if_a), _mac(pair.ns_b, pair.if_b)
    dump = _tcpdump_to(pair, pair.ns_b, pair.if_b, wire)
    args = [pair.addr_a, mac_a, pair.addr_b, mac_b, "--if", pair.if_a, "-c", "2"]
    sent = subprocess.run(
        [*pair.exec_prefix(pair.ns_a), *_example("send_fragmented_echo.py"), *args, "--echo-gap", "0.5"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    status, _, err = _stop(dump)
    assert sent.returncode == 0, sent.stderr
    assert status == 0, err
    # the sample printed the replies: ns_b's kernel took the fragments for whole pings with a good
    # checksum, and fragmented its 4000-byte replies to the veth's 1500 bytes
    assert sent.stdout.count("Type: 0 (Echo Reply)") == 2, sent.stdout
    assert sent.stdout.count(f"Destination address: {mac_a}") == 6

    text = _tcpdump_text(wire)
    for seq in (0, 1):
        for offset, flags, length in ((0, "+", 1396), (1376, "+", 1396), (2752, "none", 1248)):
            head = f"ttl 100, id {seq}, offset {offset}, flags [{flags}], proto ICMP (1), length {length})"
            assert head in text, text
        # the reply's first fragment: 1480 of its 3980 ICMP bytes
        assert f"{pair.addr_b} > {pair.addr_a}: ICMP echo reply, id 1, seq {seq}, length 1480" in text

    pcap4j = _pcap4j_text(wire)
    for offset in (0, 172, 344):
        assert f"Fragment offset: {offset} ({offset * 8} [bytes])" in pcap4j
    assert pcap4j.count("Flags: (Reserved, Don't Fragment, More Fragment) = (false, false, true)") >= 4
    assert pcap4j.count("Total length: 1396 [bytes]") == 4 and pcap4j.count("Total length: 1248 [bytes]") == 2


def test_defragment_echo_joins_the_fragments_linux_sent(netns_pair, tmp_path):
    pair = netns_pair
    wire, joined = tmp_path / "wire.pcap", tmp_path / "joined.pcap"
    dump = _tcpdump_to(pair, pair.ns_a, pair.if_a, wire)
    ping = [*pair.exec_prefix(pair.ns_a), "ping", "-n", "-c", "2", "-i", "0.2", "-M", "dont", "-s", "3972"]
    pinged = subprocess.run([*ping, pair.addr_b], capture_output=True, text=True, timeout=30)
    status, _, err = _stop(dump)
    assert pinged.returncode == 0, pinged.stdout + pinged.stderr
    assert status == 0, err
    assert len(libpcap_records(wire)[1]) == 12  # 2 requests and 2 replies, 3 fragments each

    res = subprocess.run(
        [*_example("defragment_echo.py"), str(wire), "-w", str(joined)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.count("Total length: 4000 [bytes]") == 4
    assert res.stdout.count("Type: 8 (Echo)") == 2 and res.stdout.count("Type: 0 (Echo Reply)") == 2

    text = _tcpdump_text(joined)  # tcpdump checks the ICMP checksum of each whole echo
    assert text.count("offset 0, flags [none], proto ICMP (1), length 4000)") == 4, text
    assert text.count(": ICMP echo request, id ") == 2 and text.count(": ICMP echo reply, id ") == 2
    pcap4j = _pcap4j_text(joined)
    assert pcap4j.count("[data (3972 bytes)]") == 4
    assert pcap4j.count("Flags: (Reserved, Don't Fragment, More Fragment) = (false, false, false)") == 4


@pytest.mark.parametrize(
    ("icmp_type", "code", "ping_says", "tcpdump_says", "pcap4j_says"),
    [
        (3, 1, "Destination Host Unreachable", "ICMP host {fake} unreachable", "Destination Unreachable"),
        (11, 0, "Time to live exceeded", "ICMP time exceeded in-transit", "Time Exceeded"),
        (12, 0, "Parameter problem: pointer = 0", "ICMP parameter problem - octet 0", "Parameter Problem"),
    ],
)
def test_icmp_v4_err_replyer_answers_a_ping_with_the_error(
    netns_pair, tmp_path, icmp_type, code, ping_says, tcpdump_says, pcap4j_says
):
    pair = netns_pair
    wire = tmp_path / "wire.pcap"
    fake = pair.addr_b.rsplit(".", 1)[0] + ".3"  # no host has it: the sample answers for it
    replyer = Capture(
        [fake, str(icmp_type), str(code), "--if", pair.if_b, "--duration", "30"],
        pair.exec_prefix(pair.ns_b),
        command=_example("icmp_v4_err_replyer.py"),
    )
    dump = _tcpdump_to(pair, pair.ns_a, pair.if_a, wire)
    ping = [*pair.exec_prefix(pair.ns_a), "ping", "-n", "-c", "1", "-W", "2", fake]
    pinged = subprocess.run(ping, capture_output=True, text=True, timeout=30)
    dump_status, _, dump_err = _stop(dump)
    status, out, err = _stop(replyer)
    assert status == 0 and dump_status == 0, err + dump_err
    assert f"told {pair.addr_a} that {fake} is at fe:00:00:00:00:01" in out
    assert f"sent ICMP {icmp_type}/{code} to {pair.addr_a}" in out
    assert f"From {fake} icmp_seq=1 {ping_says}" in pinged.stdout, pinged.stdout

    text = _tcpdump_text(wire)
    assert f"{fake} > {pair.addr_a}: {tcpdump_says.format(fake=fake)}" in text, text
    assert f"{pair.addr_a} > {fake}: ICMP echo request" in text  # the invoking packet, quoted
    pcap4j = _pcap4j_text(wire)
    assert f"Type: {icmp_type} ({pcap4j_says})" in pcap4j
    assert f"[ICMPv4 {pcap4j_says} Header (4 bytes)]" in pcap4j
    quoted = pcap4j.split(f"[ICMPv4 {pcap4j_says} Header (4 bytes)]", 1)[1]
    assert f"Source address: /{pair.addr_a}" in quoted and f"Destination address: /{fake}" in quoted


def test_a_sample_given_a_missing_file_says_so_in_one_line(tmp_path):
    missing = tmp_path / "missing.pcap"
    result = subprocess.run([*_example("read_packet_file.py"), str(missing)], capture_output=True, text=True)
    assert result.returncode == 1
    cause = f"{missing}: No such file or directory; check the path given to -r"
    assert result.stderr.strip().splitlines() == [f"{EXAMPLES / 'read_packet_file.py'}: {cause}"]
