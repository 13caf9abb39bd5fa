"""Follow (``tshark -z follow,...``) against tshark 4.0 itself, byte for byte."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dpkt
import pytest

import pycapture
from pycapture.flows.follow import MODES, Follow, parse_follow

CAPTURES = Path(__file__).parents[2] / "captures"
CORPUS = Path(__file__).parents[2].parent / "shared" / "corpus"
TSHARK = shutil.which("tshark")
ALL_STREAMS = 1 << 30

_SNAPLEN = (
    "a record longer than the file's snapshot length: pycapture's reader cuts it there, as libpcap does; "
    "tshark reads it whole"
)
_INTERFACES = (
    "a later pcapng interface of another link type or snapshot length: pycapture's reader stops there, as "
    "libpcap 1.10 does; tshark reads on"
)
# (file, stream): why tshark's output differs. Found by the sweep below; the comparison stays exact.
KNOWN_DIFFERENCES = {
    (
        "bgp-bgp_capabilities_print-oobr-2.pcap",
        0,
    ): "damaged frame: tshark's TCP dissector throws before its follow tap",
    ("bgp_pmsi_tunnel-oobr.pcap", 0): "damaged frame: tshark's TCP dissector throws before its follow tap",
    ("mptcp-dss-oobr.pcap", 0): "damaged frame: tshark's TCP dissector throws before its follow tap",
    ("rpki-rtr-oobr.pcap", 0): "IPv4 total length beyond the frame: tshark throws before its follow tap",
    ("libpcap-AH-IPcomp-IPv4.pcap", 0): "tshark decompresses IPComp and follows the TCP inside; we do not",
    ("bgp_mp_reach_nlri-oobr.pcap", 0): _SNAPLEN,
    ("of10_s4810.pcap", 0): "OpenFlow PACKET_IN embeds an Ethernet frame: tshark's tap reads its MAC "
    "addresses as the segment's source, so the chunk lands on the wrong side",
}


KNOWN_UDP_DIFFERENCES = {
    ("bootp_asan.pcap", 0): _SNAPLEN,
    ("smb_print_trans-oobr2.pcap", 0): _SNAPLEN,
    ("gopacket-be-test008.pcapng", 0): _INTERFACES,
    ("gopacket-le-test008.pcapng", 0): _INTERFACES,
    ("gopacket-be-test100.pcapng", 0): _INTERFACES,
    (
        "lwapp-data.pcap",
        0,
    ): "LWAPP carries an 802.11 frame: tshark's tap reads its MAC addresses as the source",
    (
        "sflow_expanded.pcap",
        0,
    ): "tshark dissects sFlow's sampled headers (their ports become the frame's); we do not",
    ("pcap4j-IpV6ExtFragmentPacketTest.pcap", 0): "UDP behind an IPv6 fragment header: we find no UDP header",
}


def _need_tshark() -> str:
    if TSHARK is None:
        if os.environ.get("CI") == "true":
            pytest.fail("tshark is required on CI")
        pytest.skip("tshark not installed")
    return TSHARK


def _frames(path: Path) -> tuple[int, list[tuple[float, bytes]]]:
    """The link type and (time, bytes) of each frame, as pycapture's reader (libpcap's rules) reads them."""
    handle = pycapture.open_offline(str(path))
    frames: list[tuple[float, bytes]] = []
    scale = 1e-9 if handle.nanosecond else 1e-6
    try:
        for sec, frac, _, data in handle.records():
            frames.append((sec + frac * scale, data))
    except pycapture.PcapError:
        pass  # damaged part-way: the frames before the damage, as tshark follows them
    finally:
        handle.close()
    return handle.datalink, frames


def _ours(path: Path, proto: str, mode: str, stream: int) -> tuple[bytes, Follow]:
    linktype, frames = _frames(path)
    follow = Follow(proto, mode, stream)
    for ts, data in frames:
        follow.add(linktype, ts, data)
    return follow.text().encode("latin-1"), follow


def _theirs(path: Path, proto: str, mode: str, stream: int) -> bytes:
    spec = f"follow,{proto},{mode},{stream}"
    done = subprocess.run(
        [_need_tshark(), "-n", "-q", "-r", str(path), "-z", spec], capture_output=True, check=True
    )
    return done.stdout


def _tcp_stream_count(path: Path) -> int:
    return _ours(path, "tcp", "raw", 0)[1]._tcp_streams.count


def _corpus_files() -> list[Path]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.exists():
        return []
    with manifest.open() as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [CORPUS / r["file"] for r in rows if r["tshark_exit"] == "0"]


@pytest.mark.parametrize("name", ["http.pcap", "mixed.pcap", "ipv6.pcap", "mixed-nano.pcap"])
def test_project_tcp_streams_raw(name: str) -> None:
    path = CAPTURES / name
    for stream in range(_tcp_stream_count(path) + 1):  # one past the last: tshark's empty stream
        assert _ours(path, "tcp", "raw", stream)[0] == _theirs(path, "tcp", "raw", stream), stream


@pytest.mark.parametrize("mode", ["ascii", "hex"])
@pytest.mark.parametrize("name", ["http.pcap", "mixed.pcap"])
def test_project_tcp_ascii_hex(name: str, mode: str) -> None:
    path = CAPTURES / name
    for stream in range(_tcp_stream_count(path)):
        assert _ours(path, "tcp", mode, stream)[0] == _theirs(path, "tcp", mode, stream), stream


@pytest.mark.parametrize("mode", ["raw", "ascii", "hex"])
@pytest.mark.parametrize("name", ["dns.pcap", "mixed.pcap"])
def test_udp(name: str, mode: str) -> None:
    path = CAPTURES / name
    for stream in range(3):
        ours, theirs = _ours(path, "udp", mode, stream)[0], _theirs(path, "udp", mode, stream)
        assert ours == theirs, stream


def _corpus_sweep(proto: str, known: dict[tuple[str, int], str], streams: int, least: int) -> None:
    """Follow the first ``streams`` streams of every corpus file (every one with :data:`ALL_STREAMS`)
    with both tools; tshark runs in parallel."""
    files = _corpus_files()
    if not files:
        pytest.skip("shared corpus absent")
    _need_tshark()
    ours: dict[tuple[Path, int], bytes] = {}
    for path in files:
        try:
            linktype, frames = _frames(path)
        except pycapture.PcapError:  # a file the reader refuses (tshark's reads are listed apart)
            continue
        probe = Follow(proto, "raw", 0)
        for ts, data in frames:
            probe.add(linktype, ts, data)
        count = (probe._tcp_streams if proto == "tcp" else probe._udp_streams).count
        for stream in range(min(count, streams)):
            follow = Follow(proto, "raw", stream)
            for ts, data in frames:
                follow.add(linktype, ts, data)
            ours[path, stream] = follow.text().encode("latin-1")
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 4) as pool:
        theirs = dict(zip(ours, pool.map(lambda job: _theirs(job[0], proto, "raw", job[1]), ours)))
    same, differing = 0, []
    for (path, stream), text in ours.items():
        is_known = (path.name, stream) in known
        if text == theirs[path, stream]:
            same += 1
            assert not is_known, (
                f"{path.name} stream {stream} now matches: drop it from the known differences"
            )
        elif not is_known:
            differing.append((path.name, stream))
    assert not differing
    assert same >= least  # the sweep compared what it means to


def test_corpus_tcp_raw() -> None:
    _corpus_sweep("tcp", KNOWN_DIFFERENCES, ALL_STREAMS, 180)  # 190 streams, 6 known to differ


def test_corpus_udp_raw() -> None:
    _corpus_sweep("udp", KNOWN_UDP_DIFFERENCES, 1, 150)  # each file's first stream: the time bound


def _udp_capture(path: Path, payloads: list[bytes]) -> None:
    with path.open("wb") as f:
        writer = dpkt.pcap.Writer(f)
        for i, payload in enumerate(payloads):
            udp = dpkt.udp.UDP(sport=1000, dport=2000, data=payload, ulen=8 + len(payload))
            ip = dpkt.ip.IP(
                src=bytes([1, 2, 3, 4]), dst=bytes([5, 6, 7, 8]), p=17, data=udp, len=28 + len(payload)
            )
            writer.writepkt(bytes(dpkt.ethernet.Ethernet(src=b"\0" * 6, dst=b"\0" * 6, data=ip)), ts=i)


def test_hex_rows_ending_in_blanks(tmp_path: Path) -> None:
    """tshark 4.0's hex dump drops one trailing blank of a row's ASCII column (the gap after 8 bytes
    or a space byte); rows of every length up to 17, ending in a space or not, and an empty datagram."""
    path = tmp_path / "rows.pcap"
    payloads = [b"ABCDEFGHIJKLMNOPQ"[:n] for n in range(18)] + [
        b"ABCDEFGHIJKLMNOPQ"[: n - 1] + b" " for n in range(1, 18)
    ]
    payloads += [b"ABCDEFGH  ", b"ABCDEFGHIJ \0", b"\r\n\t\x7f\xff"]
    _udp_capture(path, payloads)
    for mode in MODES:
        assert _ours(path, "udp", mode, 0)[0] == _theirs(path, "udp", mode, 0), mode


def test_json_shape() -> None:
    _, follow = _ours(CAPTURES / "http.pcap", "tcp", "raw", 0)
    data = follow.to_json()
    assert data["nodes"] == ["192.0.2.10:51000", "198.51.100.20:80"]
    assert [c["node"] for c in data["chunks"]] == [0, 1]
    assert bytes.fromhex(data["chunks"][0]["data"]).startswith(b"GET / HTTP/1.1")


def test_parse_follow() -> None:
    follow = parse_follow("follow,udp,hex,3")
    assert (follow.proto, follow.mode, follow.stream) == ("udp", "hex", 3)
    assert parse_follow("tcp,raw,0").proto == "tcp"
    for bad in ["follow,sctp,raw,0", "follow,tcp,yaml,0", "follow,tcp,raw", "follow,tcp,raw,-1", "tcp,raw,x"]:
        with pytest.raises(ValueError, match="follow,tcp\\|udp,ascii\\|hex\\|raw,STREAM"):
            parse_follow(bad)


@pytest.mark.parametrize(
    "specs",
    [
        ("follow,tcp,raw,0",),
        ("follow,tcp,ascii,0", "conv,tcp"),
        ("io,phs", "follow,udp,hex,0", "endpoints,udp"),
    ],
)
def test_cli_prints_what_tshark_prints(specs: tuple[str, ...]) -> None:
    """``pycapture -q -z ...`` with follows and tables mixed: tshark's stdout, in tshark's order."""
    name = "dns.pcap" if "io,phs" in specs else "mixed.pcap"  # mixed.pcap's HTTP body: see test_phs.py
    args = ["-n", "-r", str(CAPTURES / name), "-q"]
    for spec in specs:
        args += ["-z", spec]
    ours = subprocess.run([sys.executable, "-m", "pycapture", *args], capture_output=True, timeout=60)
    assert ours.returncode == 0, ours.stderr
    assert ours.stdout == subprocess.run([_need_tshark(), *args], capture_output=True, check=True).stdout


def test_cli_follow_json() -> None:
    args = ["-r", str(CAPTURES / "http.pcap"), "-q", "--json", "-z", "follow,tcp,raw,0"]
    ours = subprocess.run(
        [sys.executable, "-m", "pycapture", *args], capture_output=True, timeout=60, text=True
    )
    assert ours.returncode == 0, ours.stderr
    document = json.loads(ours.stdout)
    assert document["proto"] == "tcp" and document["stream"] == 0 and len(document["chunks"]) >= 2
