"""Time ``pycapture --json`` and ``-v`` against tshark on a capture made mostly of frames scapy decodes.

Issue 19 hands the protocols dpkt does not know to scapy, imported only when a frame needs it. This
measures what that costs where it is paid on (nearly) every frame: a capture of OSPF hellos, BGP
keepalives and updates, SNMP gets, RADIUS requests, LLDP, syslog, VRRP and RIP (nine frames in ten) and
plain TCP (one in ten), built with scapy itself. Each command runs ``--rounds`` times, round-robin, output
to a file; the report gives the medians and the ratio tshark / pycapture (above 1: pycapture is faster).

    .venv/bin/python benchmarks/scapy_layers.py --packets 20000 --rounds 3

Measured (2 vCPUs, tshark 4.0.17, 20,000 packets, medians of 3): pycapture --json 3.66 s (5,465 packets/s)
against tshark -T json 1.76 s, a ratio of 0.48; pycapture -v 3.56 s against tshark -V 0.97 s, 0.27: about
180 microseconds a frame in all, where scapy decodes nine frames in ten: tshark is faster on such captures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from pycapture.savefile.pcap_writer import PcapWriter  # noqa: E402


def _templates() -> list[bytes]:
    """One frame of each kind, built by scapy (the protocols the rich decoder hands to it)."""
    from scapy.contrib.bgp import BGPHeader, BGPKeepAlive, BGPUpdate
    from scapy.contrib.lldp import (
        LLDPDUChassisID,
        LLDPDUEndOfLLDPDU,
        LLDPDUPortID,
        LLDPDUTimeToLive,
    )
    from scapy.contrib.ospf import OSPF_Hdr, OSPF_Hello
    from scapy.layers.inet import IP, TCP, UDP
    from scapy.layers.l2 import Ether
    from scapy.layers.radius import Radius, RadiusAttribute
    from scapy.layers.rip import RIP, RIPEntry
    from scapy.layers.snmp import SNMP, SNMPget, SNMPvarbind
    from scapy.layers.vrrp import VRRP

    eth = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    ip = IP(src="10.0.0.1", dst="10.0.0.2")
    frames = [
        eth / IP(src="10.0.0.1", dst="224.0.0.5") / OSPF_Hdr() / OSPF_Hello(),
        eth / ip / TCP(sport=179, dport=40000, flags="PA") / BGPHeader(type=4) / BGPKeepAlive(),
        eth / ip / TCP(sport=40000, dport=179, flags="PA") / BGPHeader(type=2) / BGPUpdate(),
        eth
        / ip
        / UDP(sport=40001, dport=161)
        / SNMP(PDU=SNMPget(varbindlist=[SNMPvarbind(oid="1.3.6.1.2.1.1.1.0")])),
        eth
        / ip
        / UDP(sport=40002, dport=1812)
        / Radius(code=1, attributes=[RadiusAttribute(type=1, value=b"user")]),
        Ether(src="02:00:00:00:00:01", dst="01:80:c2:00:00:0e")
        / LLDPDUChassisID(subtype=4, id="02:00:00:00:00:01")
        / LLDPDUPortID(subtype=5, id="eth0")
        / LLDPDUTimeToLive(ttl=120)
        / LLDPDUEndOfLLDPDU(),
        eth / ip / UDP(sport=514, dport=514) / b"<13>Dec  7 00:00:00 host app: a message",
        eth / IP(src="10.0.0.1", dst="224.0.0.18", proto=112) / VRRP(vrid=1, addrlist=["10.0.0.254"]),
        eth / IP(src="10.0.0.1", dst="224.0.0.9") / UDP(sport=520, dport=520) / RIP(cmd=2) / RIPEntry(),
    ]
    return [bytes(frame) for frame in frames]


def make_capture(path: Path, packets: int) -> None:
    """Write ``packets`` frames: the scapy kinds in turn, and every tenth a plain TCP segment."""
    from pycapture import craft

    kinds = _templates()
    plain = craft.over_ethernet(
        craft.tcp("10.0.0.3", "10.0.0.4", 40000, 8080, flags="PA", payload=b"x" * 100),
        "02:00:00:00:00:02",
        "02:00:00:00:00:01",
    )
    writer = PcapWriter(str(path), 1)
    for n in range(packets):
        frame = plain if n % 10 == 9 else kinds[n % len(kinds)]
        writer.write(1_700_000_000 + n // 1000, n % 1000 * 1000, len(frame), frame)
    writer.close()


def _timed(args: list[str], out: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    with out.open("w") as f:
        subprocess.run(args, stdout=f, stderr=subprocess.DEVNULL, env=env, check=True)
    return time.perf_counter() - start


def main() -> None:
    """Build the capture, run the rounds and print a Markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    tshark = shutil.which("tshark")
    if tshark is None:
        sys.exit("tshark is missing")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), TZ="UTC")
    with tempfile.TemporaryDirectory() as tmp:
        capture = Path(tmp) / "scapy-layers.pcap"
        make_capture(capture, options.packets)
        py = [sys.executable, "-m", "pycapture", "-r", str(capture)]
        commands = {
            "pycapture --json": [*py, "--json"],
            "tshark -T json": [tshark, "-n", "-r", str(capture), "-T", "json"],
            "pycapture -v": [*py, "-v"],
            "tshark -V": [tshark, "-n", "-r", str(capture), "-V"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(options.rounds):
            for name, args in commands.items():
                times[name].append(_timed(args, Path(tmp) / "out.txt", env))
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"{options.packets} packets, 9 in 10 decoded by scapy; medians of {options.rounds} rounds\n")
    print("| command | median s | packets/s | rounds |")
    print("|---|---|---|---|")
    for name, value in median.items():
        rounds = ", ".join(f"{t:.2f}" for t in times[name])
        print(f"| {name} | {value:.2f} | {options.packets / value:,.0f} | {rounds} |")
    print(f"\n--json: tshark / pycapture = {median['tshark -T json'] / median['pycapture --json']:.2f}")
    print(f"-v:     tshark -V / pycapture = {median['tshark -V'] / median['pycapture -v']:.2f}")


if __name__ == "__main__":
    main()
