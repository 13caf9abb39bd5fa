"""Every valid pcapng file reads, as tshark reads it (issue 19, item 3).

libpcap refuses a pcapng file whose interfaces differ in link type or snapshot length, or whose sections
differ in byte order; pycapture reads such a file with its own reader in "tshark mode": each packet is
decoded with its own interface's link type, its timestamp with its own interface's if_tsresol and
if_tsoffset. Custom blocks are skipped (as libpcap skips them; tshark 4.0 shows each as a frame of "data"
with no interface, which the comparisons leave out), Simple and obsolete Packet Blocks read, and packet
comments (opt_comment) shown by -v and --json (``frame.comment``).

The files are written here block by block. Each is compared with ``tshark -T fields`` (count, times,
protocols, comments), and each packet's line with tcpdump's line for the same packet in a pcap file of
its own link type (tcpdump, on libpcap, reads none of these files).
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from pycapture import craft
from pycapture.capture import backends
from pycapture.errors import CaptureFileError
from pycapture.packet import Frame
from pycapture.savefile.pcap_writer import PcapWriter
from pycapture.savefile.reader import mixed_interfaces
from support.commands import run_cli, tool
from support.env import CORPUS

SHB, IDB, PB, SPB, EPB = 0x0A0D0D0A, 1, 2, 3, 6
CUSTOM, CUSTOM_NOCOPY = 0x00000BAD, 0x40000BAD
ETHERNET, RAW, SLL, NULL = 1, 101, 113, 0
MACS = ("02:00:00:00:00:02", "02:00:00:00:00:01")
ENV = {**os.environ, "TZ": "UTC", "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}


# --- blocks written by hand ------------------------------------------------------------------------------


def _block(order: str, btype: int, body: bytes) -> bytes:
    body += bytes(-len(body) % 4)
    return struct.pack(order + "II", btype, len(body) + 12) + body + struct.pack(order + "I", len(body) + 12)


def _options(order: str, options: list[tuple[int, bytes]]) -> bytes:
    if not options:
        return b""
    out = b"".join(struct.pack(order + "HH", c, len(v)) + v + bytes(-len(v) % 4) for c, v in options)
    return out + struct.pack(order + "HH", 0, 0)


def shb(order: str = "<") -> bytes:
    return _block(order, SHB, struct.pack(order + "IHHq", 0x1A2B3C4D, 1, 0, -1))


def idb(
    order: str, linktype: int, snaplen: int = 65535, tsresol: int | None = None, offset: int = 0
) -> bytes:
    options = []
    if tsresol is not None:
        options.append((9, bytes([tsresol])))
    if offset:
        options.append((14, struct.pack(order + "q", offset)))
    return _block(order, IDB, struct.pack(order + "HHI", linktype, 0, snaplen) + _options(order, options))


def epb(order: str, interface: int, ticks: int, data: bytes, comments: tuple[str, ...] = ()) -> bytes:
    head = struct.pack(order + "IIIII", interface, ticks >> 32, ticks & 0xFFFFFFFF, len(data), len(data))
    opts = _options(order, [(1, c.encode()) for c in comments])
    return _block(order, EPB, head + data + bytes(-len(data) % 4) + opts)


def pb(order: str, interface: int, ticks: int, data: bytes, comments: tuple[str, ...] = ()) -> bytes:
    """The obsolete Packet Block (type 2): a 16-bit interface id and a drops count."""
    head = struct.pack(order + "HHIIII", interface, 0, ticks >> 32, ticks & 0xFFFFFFFF, len(data), len(data))
    opts = _options(order, [(1, c.encode()) for c in comments])
    return _block(order, PB, head + data + bytes(-len(data) % 4) + opts)


def spb(order: str, data: bytes) -> bytes:
    return _block(order, SPB, struct.pack(order + "I", len(data)) + data)


def custom(order: str, btype: int) -> bytes:
    return _block(order, btype, struct.pack(order + "I", 32473) + b"custom data!")


# --- frames of each link type ----------------------------------------------------------------------------


def _ip(n: int) -> bytes:
    if n % 3 == 2:
        return craft.udp("2001:db8::1", "2001:db8::2", 1000 + n, 9, b"x" * n)
    if n % 3 == 1:
        return craft.icmp_echo("10.0.0.1", "10.0.0.2", 7, n, b"ping")
    return craft.udp("10.0.0.1", "10.0.0.2", 1000 + n, 9, b"x" * n)


def _ethertype(packet: bytes) -> int:
    return 0x86DD if packet[0] >> 4 == 6 else 0x0800


def frame(linktype: int, n: int) -> bytes:
    packet = _ip(n)
    if linktype == ETHERNET:
        return craft.over_ethernet(packet, *MACS, pad=False)
    if linktype == SLL:  # to us, ARPHRD_ETHER, a 6-byte address
        return (
            struct.pack("!HHH8sH", 0, 1, 6, bytes.fromhex("020000000001") + bytes(2), _ethertype(packet))
            + packet
        )
    if linktype == NULL:
        return struct.pack("=I", 30 if packet[0] >> 4 == 6 else 2) + packet
    return packet


NS = 10**9
T0 = 1_700_000_000


def mixed_files() -> dict[str, bytes]:
    """Crafted files libpcap refuses and tshark reads, by name."""
    files: dict[str, bytes] = {}
    for order in "<>":
        e = "le" if order == "<" else "be"
        # Ethernet and Linux cooked, packets interleaved, comments on some
        blocks = [shb(order), idb(order, ETHERNET), idb(order, SLL)]
        for n in range(6):
            comments = ("first comment", 'with "quotes" and é') if n == 1 else ("one",) if n == 4 else ()
            blocks.append(
                epb(order, n % 2, (T0 + n) * 10**6 + 123, frame((ETHERNET, SLL)[n % 2], n), comments)
            )
        files[f"{e}-eth-sll.pcapng"] = b"".join(blocks)
        # Ethernet and raw IP of different snapshot lengths; the second interface described after a packet
        blocks = [shb(order), idb(order, ETHERNET, 1500), epb(order, 0, T0 * 10**6, frame(ETHERNET, 0))]
        blocks += [idb(order, RAW, 96), epb(order, 1, (T0 + 1) * 10**6, frame(RAW, 1))]
        blocks += [
            epb(order, 1, (T0 + 2) * 10**6, frame(RAW, 2)),
            epb(order, 0, (T0 + 3) * 10**6, frame(ETHERNET, 3)),
        ]
        files[f"{e}-eth-raw-snaplen.pcapng"] = b"".join(blocks)
        # per-interface resolution and offset: 10^-9 with an offset, 2^-20, 10^-3 with a negative offset
        blocks = [
            shb(order),
            idb(order, ETHERNET, tsresol=9, offset=3600),
            idb(order, NULL, tsresol=0x80 | 20),
        ]
        blocks.append(idb(order, RAW, tsresol=3, offset=-60))
        blocks += [
            epb(order, 0, T0 * NS + 123_456_789, frame(ETHERNET, 0)),
            epb(order, 1, (T0 << 20) + (1 << 19) + 3, frame(NULL, 1)),
            epb(order, 2, T0 * 1000 + 999, frame(RAW, 2)),
            epb(order, 1, ((T0 + 5) << 20) + 1, frame(NULL, 3)),
        ]
        files[f"{e}-tsresol-tsoffset.pcapng"] = b"".join(blocks)
        # Simple and obsolete Packet Blocks, custom blocks of both kinds, comments on a PB
        blocks = [shb(order), idb(order, ETHERNET, 200), custom(order, CUSTOM), idb(order, RAW)]
        blocks += [
            spb(order, frame(ETHERNET, 0)),
            pb(order, 1, (T0 + 1) * 10**6 + 5, frame(RAW, 1), ("pb note",)),
        ]
        blocks += [custom(order, CUSTOM_NOCOPY), pb(order, 0, (T0 + 2) * 10**6, frame(ETHERNET, 2))]
        blocks += [epb(order, 1, (T0 + 3) * 10**6, frame(RAW, 3)), spb(order, frame(ETHERNET, 4))]
        files[f"{e}-spb-pb-custom.pcapng"] = b"".join(blocks)
    # sections of both byte orders, each with its own interfaces
    blocks = [shb("<"), idb("<", ETHERNET), epb("<", 0, T0 * 10**6, frame(ETHERNET, 0))]
    blocks += [shb(">"), idb(">", RAW, tsresol=9), epb(">", 0, (T0 + 1) * NS + 7, frame(RAW, 1))]
    blocks += [shb("<"), idb("<", SLL), idb("<", ETHERNET), epb("<", 1, (T0 + 2) * 10**6, frame(ETHERNET, 2))]
    blocks += [epb("<", 0, (T0 + 3) * 10**6, frame(SLL, 3), ("last",))]
    files["sections-both-orders.pcapng"] = b"".join(blocks)
    return files


FILES = mixed_files()


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mixed-pcapng")
    for name, data in FILES.items():
        (path / name).write_bytes(data)
    return path


# --- witnesses -------------------------------------------------------------------------------------------


def tshark_packets(path: str) -> list[tuple[str, str, str]]:
    """``(frame.time_epoch, frame.protocols, frame.comment)`` of each packet tshark reads, custom blocks
    (tshark 4.0 shows each as a frame of "data" on no interface) left out."""
    res = subprocess.run(
        [tool("tshark"), "-r", path, "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E",
         "aggregator=,", "-e", "frame.interface_id", "-e", "frame.time_epoch", "-e", "frame.protocols",
         "-e", "frame.comment"],
        capture_output=True, env={**os.environ, "TZ": "UTC"}, timeout=60, check=True,
    )  # fmt: skip
    rows = []
    for line in res.stdout.decode().splitlines():
        interface, epoch, protocols, comment = line.split("|", 3)
        if interface:
            rows.append((epoch, protocols, comment))
    return rows


def records(path: str, precision: str = "nano") -> list[tuple[int, int, int, bytes]]:
    handle = backends.open_offline(path, precision=precision)
    try:
        return list(handle.records())
    finally:
        handle.close()


_KNOWN = {"eth", "sll", "null", "ip", "ipv6", "udp", "icmp"}


def _names(layers: list[dict]) -> set[str]:
    names = {layer["layer"] for layer in layers}
    return {"ip" if n == "ipv4" else n for n in names} & _KNOWN


@pytest.mark.parametrize("name", sorted(FILES))
def test_reads_what_tshark_reads(name: str, directory: Path) -> None:
    path = str(directory / name)
    assert mixed_interfaces(path) is not None  # libpcap refuses it
    expected = tshark_packets(path)
    ours = records(path)
    assert len(ours) == len(expected) > 0
    res = run_cli("--json", "-r", path, env=ENV)
    assert res.returncode == 0, res.stderr
    objects = [json.loads(line) for line in res.stdout.decode().splitlines()]
    assert len(objects) == len(expected)
    for (sec, frac, _length, data), obj, (epoch, protocols, comment) in zip(ours, objects, expected):
        if epoch:  # an SPB has no time: tshark shows none, libpcap 0
            assert f"{sec}.{frac:09d}" == epoch, name
        else:
            assert (sec, frac) == (0, 0)
        assert _names(obj["layers"]) == set(protocols.split(":")) & _KNOWN, (name, protocols, obj)
        assert ",".join(obj["frame"].get("comment", [])) == comment
        assert isinstance(data, Frame)


def _tcpdump_lines(
    frames: list[tuple[int, int, int, bytes]], linktype: int, workdir: Path, options: tuple[str, ...]
) -> list[str]:
    path = workdir / f"one-{linktype}.pcap"
    with PcapWriter(str(path), linktype, nanosecond=True) as writer:
        for sec, frac, length, data in frames:
            writer.write(sec, frac, length, bytes(data))
    res = subprocess.run(
        [tool("tcpdump"), *options, "--nano", "-r", str(path)],
        capture_output=True, env={"TZ": "UTC", "PATH": "/usr/bin:/bin"}, timeout=60, check=True,
    )  # fmt: skip
    return res.stdout.decode("latin-1").splitlines()


@pytest.mark.parametrize(
    ("pure", "options"), [(False, ("-n",)), (True, ("-n",)), (False, ("-n", "-e")), (True, ("-n", "-x"))]
)
@pytest.mark.parametrize("name", sorted(FILES))
def test_each_line_is_tcpdumps_for_its_own_link_type(
    name: str, pure: bool, options: tuple[str, ...], directory: Path
) -> None:
    """tcpdump reads none of these files: each packet's line is compared with tcpdump's for the packet in
    a pcap file of its own link type (one per link type, the packets in their order)."""
    path = str(directory / name)
    ours = records(path)
    by_type: dict[int, list[tuple[int, int, int, bytes]]] = {}
    order: list[tuple[int, int]] = []
    for record in ours:
        linktype = {12: RAW}.get(record[3].linktype, record[3].linktype)  # the DLT back to the file's
        order.append((linktype, len(by_type.setdefault(linktype, []))))
        by_type[linktype].append(record)
    lines = {t: _packets(_tcpdump_lines(frames, t, directory, options)) for t, frames in by_type.items()}
    env = {**ENV, **({"PYCAPTURE_PURE_PYTHON": "1"} if pure else {})}
    res = run_cli(*options, "--time-stamp-precision", "nano", "-r", path, env=env)
    assert res.returncode == 0, res.stderr
    assert _packets(res.stdout.decode().splitlines()) == [lines[t][i] for t, i in order]
    banner = res.stderr.decode()
    assert "reading with pycapture's own reader" in banner and "link-type " in banner


def _packets(lines: list[str]) -> list[list[str]]:
    """Lines grouped by packet: each from a line that starts with a digit (the time) to the next."""
    packets: list[list[str]] = []
    for line in lines:
        if line[:1].isdigit() or not packets:
            packets.append([])
        packets[-1].append(line)
    return packets


def test_a_filter_applies_to_each_packet_with_its_own_link_type(directory: Path) -> None:
    path = str(directory / "le-eth-sll.pcapng")
    every = run_cli("-n", "-r", path, env=ENV).stdout.decode().splitlines()
    for expression, word in (("udp", "UDP"), ("icmp", "ICMP"), ("ip6", "IP6")):
        res = run_cli("-n", "-r", path, expression, env=ENV)
        assert res.returncode == 0, res.stderr
        lines = res.stdout.decode().splitlines()
        assert lines == [line for line in every if word in line] and len(lines) >= 2


def test_verbose_dump_shows_comments(directory: Path) -> None:
    res = run_cli("-v", "-r", str(directory / "le-eth-sll.pcapng"), env=ENV)
    assert res.returncode == 0, res.stderr
    packets = res.stdout.decode().split("\n\n")
    assert packets[1].splitlines()[2:4] == ["Comment: first comment", 'Comment: with "quotes" and é']
    assert packets[4].splitlines()[2] == "Comment: one"
    assert "Comment" not in packets[0]
    assert "[Ethernet Header" in packets[0] and "Ethernet Header" not in packets[1]  # SLL: its own header


def test_explicit_backends_refuse_as_libpcap(directory: Path) -> None:
    """Only ``auto`` (the default) reads such files: an explicit backend reads as libpcap reads."""
    path = str(directory / "le-eth-sll.pcapng")
    for backend in ("pcapy", "file"):
        with pytest.raises(CaptureFileError, match="different from the type of the first interface"):
            handle = backends.open_offline(path, backend)
            try:
                list(handle.records())
            finally:
                handle.close()


def test_write_pcapng_keeps_every_interface_and_comment(directory: Path, tmp_path: Path) -> None:
    for name in sorted(FILES):
        path = str(directory / name)
        out = str(tmp_path / f"{name}.out.pcapng")
        # the precision is the handle's, taken from the interfaces before the first packet: nano keeps all
        res = run_cli("--pcapng", "--time-stamp-precision", "nano", "-r", path, "-w", out, env=ENV)
        assert res.returncode == 0, res.stderr
        written, expected = tshark_packets(out), tshark_packets(path)
        # an SPB has no time: written as an EPB, it has libpcap's 0
        assert [(e or "0.000000000", p, c) for e, p, c in expected] == written, name


def test_write_pcap_refuses_another_link_type(directory: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.pcap"
    res = run_cli("-r", str(directory / "le-eth-sll.pcapng"), "-w", str(out), env=ENV)
    assert res.returncode != 0
    err = res.stderr.decode()
    assert "packet 2 is of link type 113, but a pcap file has one (1)" in err and "--pcapng" in err
    # one link type, several snapshot lengths: refused only for a packet longer than the file's
    res = run_cli("-r", str(directory / "le-eth-raw-snaplen.pcapng"), "-w", str(out), env=ENV)
    assert "link type 101" in res.stderr.decode()


def test_a_file_libpcap_reads_is_not_rerouted(tmp_path: Path) -> None:
    path = tmp_path / "plain.pcapng"
    path.write_bytes(
        shb() + idb("<", ETHERNET) + idb("<", ETHERNET) + epb("<", 1, T0 * 10**6, frame(ETHERNET, 0))
    )
    assert mixed_interfaces(str(path)) is None
    handle = backends.open_offline(str(path))
    try:
        assert type(next(iter(handle.records()))[3]) is bytes
    finally:
        handle.close()


# --- the corpus: every pcapng file libpcap refuses for its interfaces reads, as many packets as tshark's ---


def _corpus_refused() -> Iterator[str]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.exists():
        return
    for line in manifest.read_text().splitlines()[1:]:
        name = line.split("\t", 1)[0]
        if name.endswith(".pcapng") and mixed_interfaces(str(CORPUS / name)) is not None:
            yield name


CORPUS_REFUSED = sorted(_corpus_refused())


def test_the_corpus_has_such_files() -> None:
    if not (CORPUS / "MANIFEST.tsv").exists():
        pytest.skip("no corpus")
    assert len(CORPUS_REFUSED) >= 10


@pytest.mark.parametrize("name", CORPUS_REFUSED)
def test_corpus_file_reads_as_many_packets_as_tshark(name: str) -> None:
    path = str(CORPUS / name)
    expected = tshark_packets(path)
    for option in ("-n", "-v", "--json"):
        res = run_cli(option, "-r", path, env=ENV)
        assert res.returncode == 0, (option, res.stderr)
        err = res.stderr.decode()
        assert f"{len(expected)} packet{'s' if len(expected) != 1 else ''} captured" in err, option
    ours = records(path)
    for (sec, frac, _length, _data), (epoch, _protocols, _comment) in zip(ours, expected):
        if epoch:
            assert f"{sec}.{frac:09d}" == epoch
