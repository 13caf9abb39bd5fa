"""``--defrag``'s sink (:class:`pycapture.flows.reassembled.DefragmentingSink`): fragments pass as they are,
and the one that completes a datagram becomes a whole packet, which tcpdump reads as never cut."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

import dpkt
import pytest

from pycapture.flows.reassembled import DefragmentingSink, ip_offset
from pycapture.protocols.linktypes import LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_RAW
from support import frames as f
from support.commands import run_cli, tool

PAYLOAD = bytes(range(256)) * 12  # 3,072 bytes: three fragments at 1,480


def _ipv4_fragments(datagram: bytes, ident: int = 0x4242, size: int = 1480) -> list[bytes]:
    pieces = []
    for at in range(0, len(datagram), size):
        more = at + size < len(datagram)
        ip = dpkt.ip.IP(src=f.IP_A, dst=f.IP_B, p=17, ttl=64, id=ident, data=datagram[at : at + size])
        ip.offset, ip.mf = at >> 3, int(more)  # dpkt: the field, in 8-byte units
        pieces.append(bytes(ip))
    return pieces


def _ipv6_fragments(datagram: bytes, ident: int = 0x4242, size: int = 1448) -> list[bytes]:
    pieces = []
    for at in range(0, len(datagram), size):
        more = at + size < len(datagram)
        chunk = struct.pack("!BBHI", 17, 0, at | more, ident) + datagram[at : at + size]
        pieces.append(
            bytes(dpkt.ip6.IP6(src=f.IP6_A, dst=f.IP6_B, nxt=44, hlim=64, plen=len(chunk), data=chunk))
        )
    return pieces


def _through(linktype: int, frames: list[bytes]) -> list[bytes]:
    out: list[bytes] = []
    sink = DefragmentingSink(linktype, lambda sec, frac, length, data: out.append(data))
    for n, frame in enumerate(frames):
        sink(1_700_000_000 + n, 0, len(frame), frame)
    return out


def _tcpdump(tmp_path: Path, linktype: int, frames: list[bytes]) -> list[str]:
    path = tmp_path / "out.pcap"
    with path.open("wb") as file:
        writer = dpkt.pcap.Writer(file, snaplen=65535, linktype=linktype)
        for n, frame in enumerate(frames):
            writer.writepkt(frame, ts=1_700_000_000 + n)
    return _tcpdump_lines(path)


def _tcpdump_lines(path: Path) -> list[str]:
    """``tcpdump -n -v``'s lines for ``path``, each packet's on one line."""
    result = subprocess.run([tool("tcpdump"), "-n", "-v", "-r", str(path)], capture_output=True, text=True)
    return result.stdout.replace("\n    ", " ").splitlines()


@pytest.mark.parametrize("version", [4, 6])
def test_last_fragment_becomes_the_whole_datagram(tmp_path: Path, version: int) -> None:
    datagram = f.udp(4000, 5000, PAYLOAD)
    cut = _ipv4_fragments(datagram) if version == 4 else _ipv6_fragments(datagram)
    etype = 0x0800 if version == 4 else 0x86DD
    frames = [f.ether(etype, piece) for piece in cut]
    frames.insert(1, frames[2])  # out of order, and a duplicate after the datagram is whole
    out = _through(LINKTYPE_ETHERNET, frames)
    assert out[:-2] == frames[:-2]  # fragments pass unchanged
    whole = out[-2]
    assert whole[:14] == frames[-2][:14]
    lines = _tcpdump(tmp_path, LINKTYPE_ETHERNET, out)
    assert len(lines) == len(frames)
    assert f"UDP, length {len(PAYLOAD)}" in lines[-2]
    assert "frag" not in lines[-2] and "bad cksum" not in lines[-2]
    ip = dpkt.ip.IP(whole[14:]) if version == 4 else dpkt.ip6.IP6(whole[14:])
    assert bytes(ip.data) == datagram
    assert out[-1] == frames[-1]  # the late duplicate is shown as the fragment it is


def test_raw_ip_and_sll_find_the_ip_header() -> None:
    cut = _ipv4_fragments(f.udp(4000, 5000, PAYLOAD))
    whole = _through(LINKTYPE_RAW, cut)[-1]
    assert len(whole) == 20 + 8 + len(PAYLOAD)
    sll = struct.pack("!HHH8sH", 0, 1, 6, b"\x02" * 6 + b"\0\0", 0x0800)
    whole = _through(LINKTYPE_LINUX_SLL, [sll + piece for piece in cut])[-1]
    assert whole[:16] == sll and len(whole) == 16 + 20 + 8 + len(PAYLOAD)


def test_frames_without_ip_pass() -> None:
    arp = f.ether(0x0806, b"\0" * 28)
    assert ip_offset(LINKTYPE_ETHERNET, arp) is None
    tagged = f.ether(0x8100, f.vlan_tag(5, 0x0800) + f.ipv4(17, f.udp(1, 2)))
    assert ip_offset(LINKTYPE_ETHERNET, tagged) == 18
    assert _through(LINKTYPE_ETHERNET, [arp, tagged, b"\x01"]) == [arp, tagged, b"\x01"]


def _fragment_capture(tmp_path: Path) -> tuple[Path, list[bytes]]:
    """A capture of two datagrams cut in fragments, the second's interleaved and reversed."""
    first = [f.ether(0x0800, piece) for piece in _ipv4_fragments(f.udp(4000, 5000, PAYLOAD), ident=1)]
    second = [f.ether(0x86DD, piece) for piece in _ipv6_fragments(f.udp(4001, 5001, PAYLOAD[:2000]), ident=2)]
    frames = [first[0], second[1], first[1], second[0], first[2]]
    path = tmp_path / "fragments.pcap"
    with path.open("wb") as file:
        writer = dpkt.pcap.Writer(file, snaplen=65535, linktype=LINKTYPE_ETHERNET)
        for n, frame in enumerate(frames):
            writer.writepkt(frame, ts=1_700_000_000 + n / 10)
    return path, frames


def test_cli_defrag_shows_the_datagram_where_tshark_does(tmp_path: Path) -> None:
    path, frames = _fragment_capture(tmp_path)
    # tshark shows each reassembled UDP datagram in the frame that completed it
    shown = subprocess.run(
        [
            tool("tshark"),
            "-n",
            "-r",
            str(path),
            "-Y",
            "udp",
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "udp.length",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert shown == ["4", str(8 + 2000), "5", str(8 + len(PAYLOAD))]
    result = run_cli("-n", "--defrag", "-r", str(path), text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(frames)
    assert "UDP, length 2000" in lines[3] and f"UDP, length {len(PAYLOAD)}" in lines[4]
    plain = run_cli("-n", "-r", str(path), text=True).stdout.splitlines()
    assert lines[:3] == plain[:3] and "UDP, length" not in plain[4]


def test_cli_defrag_writes_whole_datagrams(tmp_path: Path) -> None:
    path, _ = _fragment_capture(tmp_path)
    out = tmp_path / "whole.pcap"
    assert run_cli("--defrag", "-r", str(path), "-w", str(out)).returncode == 0
    lines = _tcpdump_lines(out)
    assert [len(frame) for _, frame in dpkt.pcap.Reader(out.open("rb"))][3:] == [
        14 + 40 + 8 + 2000,
        14 + 20 + 8 + len(PAYLOAD),
    ]
    assert "UDP, length 2000" in lines[3] and f"UDP, length {len(PAYLOAD)}" in lines[4]
    assert "frag" not in lines[3] + lines[4] and "flags [+]" not in lines[4]


@pytest.mark.parametrize("specs", [("conv,udp", "endpoints,udp"), ("io,phs",), ("io,stat,0,udp",)])
def test_cli_defrag_statistics_are_tsharks(tmp_path: Path, specs: tuple[str, ...]) -> None:
    """With --defrag the tables count each datagram at the frame that completes it, with that frame's
    length, as tshark (which reassembles by default) does; without it, no fragment holds UDP ports."""
    path, _ = _fragment_capture(tmp_path)
    args = ["-r", str(path), "-q"]
    for spec in specs:
        args += ["-z", spec]
    ours = run_cli("--defrag", *args, text=True)
    assert ours.returncode == 0, ours.stderr
    theirs = subprocess.run([tool("tshark"), "-n", *args], capture_output=True, text=True, check=True)
    assert ours.stdout == theirs.stdout
    assert run_cli(*args, text=True).stdout != theirs.stdout


def test_defrag_rows_in_the_table(tmp_path: Path) -> None:
    """read_batches(transform=Defragmenting): the completing frame's row has the reassembled datagram's
    ports and payload length, its frame length on the wire; a first fragment shows no transport header,
    as tshark shows it while it reassembles; the other fragments' rows are unchanged."""
    pytest.importorskip("pyarrow")
    from pycapture.flows.reassembled import Defragmenting
    from pycapture.table import read_table

    path, frames = _fragment_capture(tmp_path)
    columns = ["frame_number", "len", "cap_len", "dst_port", "payload_len", "protocols"]
    plain = read_table(str(path), columns=columns).to_pylist()
    whole = read_table(str(path), columns=columns, transform=Defragmenting).to_pylist()
    assert len(plain) == len(whole) == len(frames)
    # the IPv4 datagram's first fragment: its UDP header now belongs to the datagram, shown in frame 5
    assert plain[0]["dst_port"] == 5000
    assert whole[0] == {**plain[0], "dst_port": None, "payload_len": None, "protocols": "eth:ip:data"}
    assert whole[1:3] == plain[1:3]
    for row, size in zip(whole[3:], (2000, len(PAYLOAD)), strict=True):
        assert row["payload_len"] == size and row["dst_port"] is not None
        assert row["len"] == len(frames[row["frame_number"] - 1]) < row["cap_len"]


def test_cli_defrag_table_file(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path, _ = _fragment_capture(tmp_path)
    out = tmp_path / "rows.parquet"
    result = run_cli("--defrag", "-r", str(path), "-w", str(out), text=True)
    assert result.returncode == 0, result.stderr
    rows = pq.read_table(out, columns=["payload_len"]).to_pylist()
    assert [r["payload_len"] for r in rows][3:] == [2000, len(PAYLOAD)]


def test_convert_defrag(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path, _ = _fragment_capture(tmp_path)
    out = tmp_path / "rows.parquet"
    result = run_cli(
        "convert", str(path), "-o", str(out), "--defrag", "--columns", "dst_port,payload_len", text=True
    )
    assert result.returncode == 0, result.stderr
    rows = pq.read_table(out).to_pylist()
    assert [r["payload_len"] for r in rows] == [None, None, None, 2000, len(PAYLOAD)]
