"""The layers the rich decoder reads by hand where dpkt and scapy stop (issue 19): SocketCAN and AUTOSAR
NM, the control protocols of decode/rich/control.py, and Multipath TCP. Each is present where tshark
names it (in the corpus, and in crafted frames tshark reads too), with its main fields equal to
tshark's; a frame cut short is malformed at its layer, the layer still named."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from functools import cache
from pathlib import Path

import pytest

from pycapture.decode import rich
from pycapture.decode.model import DecodedPacket
from pycapture.protocols.tshark_names import pycapture_names
from pycapture.savefile.pcap_writer import PcapWriter
from support.commands import tool
from support.env import CORPUS, IN_CI, ROOT
from support.traffic import libpcap_records

# protocol: (corpus files that carry it, {tshark field: our key in the layer})
SPECS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "can": (
        ("scapy-gmlan_trace.pcap", "scapy-ecu_trace.pcap"),
        {"can.id": "id", "can.len": "len", "can.flags.xtd": "flags.xtd", "can.flags.rtr": "flags.rtr",
         "can.flags.err": "flags.err"},
    ),
    "autosar-nm": (("scapy-gmlan_trace.pcap",), {"autosar-nm.ctrl": "ctrl", "autosar-nm.src": "src"}),
    "isis": (
        ("ISIS_external_lsp.pcap", "ISIS_p2p_adjacency.pcap"),
        {"isis.irpd": "irpd", "isis.len": "len", "isis.version": "version", "isis.type": "type",
         "isis.max_area_adr": "max_area_adr"},
    ),
    "isis.lsp": (
        ("ISIS_external_lsp.pcap",),
        {"isis.lsp.pdu_length": "pdu_length", "isis.lsp.remaining_life": "remaining_life",
         "isis.lsp.sequence_number": "sequence_number", "isis.lsp.checksum": "checksum"},
    ),
    "isis.hello": (
        ("ISIS_p2p_adjacency.pcap",),
        {"isis.hello.holding_timer": "holding_timer", "isis.hello.pdu_length": "pdu_length"},
    ),
    "ptp": (
        ("ptp.pcap", "ptp_ethernet.pcap"),
        {"ptp.v2.messagetype": "v2.messagetype", "ptp.v2.versionptp": "v2.versionptp",
         "ptp.v2.messagelength": "v2.messagelength", "ptp.v2.domainnumber": "v2.domainnumber",
         "ptp.v2.sequenceid": "v2.sequenceid"},
    ),
    "bfd": (
        ("bfd-multihop.pcap", "bfd-lag.pcap"),
        {"bfd.version": "version", "bfd.diag": "diag", "bfd.sta": "sta",
         "bfd.detect_time_multiplier": "detect_time_multiplier", "bfd.my_discriminator": "my_discriminator",
         "bfd.your_discriminator": "your_discriminator"},
    ),
    "hsrp": (
        ("HSRP_coup.pcap", "HSRP_election.pcap"),
        {"hsrp.version": "version", "hsrp.opcode": "opcode", "hsrp.state": "state",
         "hsrp.priority": "priority", "hsrp.group": "group", "hsrp.virt_ip": "virt_ip"},
    ),
    "babel": (
        ("babel_auth.pcap",),
        {"babel.magic": "magic", "babel.version": "version", "babel.bodylen": "bodylen"},
    ),
    "pfcp": (
        ("scapy-pfcp.pcap",),
        {"pfcp.version": "version", "pfcp.msg_type": "msg_type", "pfcp.length": "length",
         "pfcp.seqno": "seqno"},
    ),
    "doip": (
        ("scapy-doip.pcap",),
        {"doip.version": "version", "doip.type": "type", "doip.length": "length",
         "doip.source_address": "source_address", "doip.target_address": "target_address"},
    ),
    "uds": (("scapy-doip.pcap",), {"uds.sid": "sid", "uds.reply": "reply"}),
    "rx": (
        ("afs.pcap",),
        {"rx.cid": "cid", "rx.callnumber": "callnumber", "rx.seq": "seq",
         "rx.serial": "serial", "rx.type": "type", "rx.serviceid": "serviceid"},
    ),
    "afs": (("afs.pcap",), {}),
    "openflow_v1": (("of10_7050q.pcapng",), {}),
    "ssh": (("ipoib.pcap",), {"ssh.protocol": "protocol"}),
    "aoe": (
        ("AoE_Linux.pcap",),
        {"aoe.version": "version", "aoe.major": "major", "aoe.minor": "minor", "aoe.cmd": "cmd",
         "aoe.tag": "tag"},
    ),
    "dec_dna": (("DECnet_Phone.pcap",), {}),
    "slarp": (("HDLC.pcap",), {"slarp.ptype": "ptype"}),
    "udld": (("UDLD.pcap",), {"udld.version": "version", "udld.opcode": "opcode"}),
    "dtp": (("DTP.pcap",), {"dtp.version": "version"}),  # half: inside Cisco's bridged frames (PID 3)
    "mptcp": (("mptcp-aa-echo.pcap",), {}),
    "krb4": (("babel_update_oobr.pcap",), {"krb4.version": "version"}),
    "mstp": (("libpcap-mstp_20140225214217.pcap",), {}),
    "bacapp": (("libpcap-mstp_20140225214217.pcap",), {}),
    "vsock": (("vsock-1.pcapng",), {}),
    "nhrp": (
        ("NHRP_registration.pcap",),
        {"nhrp.hdr.version": "hdr.version", "nhrp.hdr.op.type": "hdr.op.type"},
    ),
    "sflow": (("sflow_multiple_counter_30_pdus.pcap", "sflow_expanded.pcap"), {}),
    "nbns": (("eapon1.pcap",), {"nbns.id": "id", "nbns.flags": "flags"}),
    "browser": (("eapon1.pcap",), {}),
    "resp": (("resp_3_malicious.pcap",), {}),
    "pgm": (("pgm_poll_polr.pcap",), {"pgm.hdr.type": "hdr.type", "pgm.hdr.tsdulen": "hdr.tsdulen"}),
    "rpkirtr": (("kday2.pcap",), {}),
    "macsec": (("macsec-integonly.pcap", "macsec-short-longer.pcap"), {"macsec.etype": "etype"}),
    "ipcomp": (("libpcap-AH-IPcomp-IPv4.pcap",), {}),
}  # fmt: skip


def _corpus_file(name: str) -> Path | None:
    if not CORPUS.is_dir():
        if IN_CI:
            pytest.fail("the shared corpus is absent")
        pytest.skip("the shared corpus is absent")
    path = CORPUS / name
    return path if path.is_file() else None


@cache
def _ours(path: Path) -> list[DecodedPacket]:
    linktype, records = libpcap_records(path)
    return [rich.decode(linktype, data) for _sec, _frac, _length, data in records]


def _tshark_fields(path: Path, fields: list[str]) -> list[list[str]]:
    args = [tool("tshark"), "-n", "-r", str(path), "-T", "fields", "-E", "occurrence=f"]
    # pycapture decodes each frame on its own: tshark neither reassembles IP fragments nor TCP streams
    args += [
        "-o",
        "ip.defragment:FALSE",
        "-o",
        "ipv6.defragment:FALSE",
        "-o",
        "tcp.desegment_tcp_streams:FALSE",
    ]
    for field in ["frame.protocols", *fields]:
        args += ["-e", field]
    out = subprocess.run(args, capture_output=True, text=True, check=False).stdout
    return [line.split("\t") for line in out.splitlines()]


def _same(theirs: str, ours: object) -> bool:
    if isinstance(ours, bool):
        return theirs.lower() in (("1", "true") if ours else ("0", "false"))
    if not isinstance(ours, int):
        return theirs == str(ours)
    try:
        return int(theirs, 0) == ours
    except ValueError:
        return int(theirs, 16) == ours


@pytest.mark.parametrize("protocol", sorted(SPECS))
def test_layer_present_and_fields_equal_tsharks(protocol: str) -> None:
    files, fields = SPECS[protocol]
    named = present = compared = 0
    mismatches: list[str] = []
    for name in files:
        path = _corpus_file(name)
        if path is None:
            continue
        ours = _ours(path)
        for number, row in enumerate(_tshark_fields(path, list(fields)), 1):
            if protocol not in row[0].split(":"):
                continue
            named += 1
            packet = ours[number - 1] if number <= len(ours) else None
            layer = next((la for la in packet.layers if la.name == protocol), None) if packet else None
            if layer is None:
                continue
            present += 1
            for theirs, key in zip(row[1:], fields.values()):
                value = layer.get(key)
                if not theirs or value is None:
                    continue
                compared += 1
                if not _same(theirs, value):
                    mismatches.append(f"{name} #{number} {protocol}.{key}: tshark {theirs!r}, ours {value!r}")
    if not named:
        pytest.skip(f"no corpus file carries {protocol}")
    share = 0.5 if protocol == "dtp" else 1.0
    assert present >= share * named, (
        f"{protocol}: present in {present} of the {named} frames tshark names it in"
    )
    assert (compared or not fields) and not mismatches, "\n".join(mismatches[:20])


# crafted frames: (link type, bytes), each read by tshark too, whose names pycapture's must include
_ETH = bytes(6) + bytes.fromhex("020000000001")
_IP4 = bytes.fromhex("4500001c00000000ff000000c0000201c0000202")


def _ip(proto: int, payload: bytes) -> bytes:
    header = bytearray(_IP4)
    header[2:4] = (20 + len(payload)).to_bytes(2, "big")
    header[9] = proto
    return _ETH + b"\x08\x00" + bytes(header) + payload


def _udp(port: int, payload: bytes) -> bytes:
    return _ip(17, (40000).to_bytes(2, "big") + port.to_bytes(2, "big")
               + (8 + len(payload)).to_bytes(2, "big") + b"\x00\x00" + payload)  # fmt: skip


def _tcp(port: int, payload: bytes, options: bytes = b"") -> bytes:
    offset = (20 + len(options)) // 4 << 4
    header = (40000).to_bytes(2, "big") + port.to_bytes(2, "big") + bytes(8) + bytes((offset, 0x18))
    return _ip(6, header + b"\xff\xff" + bytes(4) + options + payload)


def _hex(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


_INNER = bytes.fromhex("450000280001000040060000c0000201c0000202") + bytes.fromhex(
    "9c40005000000001000000005002ffff00000000"
)
_DEFLATE = zlib.compressobj(wbits=-15)
_IPCOMP = bytes((4, 0)) + (2).to_bytes(2, "big") + _DEFLATE.compress(_INNER) + _DEFLATE.flush()

CRAFTED: dict[str, tuple[int, bytes]] = {
    # SocketCAN (link type 227): standard ID 0x7e0, extended ID, remote request, error frame, ID 0 (NM)
    "can standard": (227, bytes.fromhex("000007e0 08 000000 0210010000000000".replace(" ", ""))),
    "can extended": (227, bytes.fromhex("98daf1f1 03 000000 025001".replace(" ", ""))),
    "can remote": (227, bytes.fromhex("400007e0 02 000000 0000".replace(" ", ""))),
    "can error": (227, bytes.fromhex("20000004 08 000000 0000080000000000".replace(" ", ""))),
    "autosar nm": (227, bytes.fromhex("00000000 08 000000 1020ffffffffffff".replace(" ", ""))),
    # a cooked-mode header of protocol LINUX_SLL_P_CAN: the ID word in the host's (little-endian) order
    "sll can": (113, bytes.fromhex("0001" "0118" "0000" "0000000000000000" "000c") + bytes.fromhex(
        "e0070000 08 000000 0210010000000000".replace(" ", ""))),
    "isis over llc": (1, bytes.fromhex("0180c2000014020000000001") + (3 + 27).to_bytes(2, "big")
                      + bytes.fromhex("fefe03 831b0100120100 00 001b 04b0 000000000001 0000 00000001 1234 03"
                                      .replace(" ", ""))),
    "ptp over udp": (1, _udp(319, bytes.fromhex("0002002c00000200" + "00" * 12 + "0011223344556677" + "0001"
                                                + "0005" + "00" + "00") + bytes(10))),
    "bfd": (1, _udp(3784, _hex("20c00318 00000001 00000000 000f4240 000f4240 00000000"))),
    "hsrp hello": (1, _udp(1985, _hex("00001003 0a 64 01 00 6369736300000000 c0000201"))),
    "babel": (1, _udp(6696, bytes.fromhex("2a020000"))),
    "pfcp": (1, _udp(8805, bytes.fromhex("20010004 000001 00".replace(" ", "")))),
    "doip uds": (1, _tcp(13400, bytes.fromhex("02fd8001 00000007 0e80 1001 22f190".replace(" ", "")))),
    # RX: epoch, connection, call, sequence, serial; a data packet (type 1) of service 1; AFS opcode 130
    "rx afs": (1, _udp(7000, _hex("00000001 00000002 00000003 00000001 00000001 01000000 00000001")
                       + _hex("00000082"))),
    "openflow": (1, _tcp(6653, bytes.fromhex("0100000800000001 0102000800000002".replace(" ", "")))),
    "ssh banner": (1, _tcp(22, b"SSH-2.0-OpenSSH_9.2\r\n")),
    "mptcp": (1, _tcp(80, b"", bytes.fromhex("1e0c" + "00" * 10))),  # MP_CAPABLE with the sender's key
    "ipcomp": (1, _ip(108, _IPCOMP)),
    "aoe": (1, _ETH + bytes.fromhex("88a2 1000 0001 00 01 00000001 0000".replace(" ", ""))),
    # NFLOG: AF_INET, version 0, resource 0; TLVs (little-endian length and type): packet header,
    # prefix, then the payload (an IPv4 UDP datagram), padded to 4 bytes
    "nflog": (239, _hex("02000000 0800 0100 08000300 0800 0a00 61626300")
              + (4 + 28 + 3).to_bytes(2, "little") + b"\x09\x00"
              + _ip(17, _hex("9c40 270f 000b 0000") + b"abc")[14:] + b"\x00"),
}  # fmt: skip


def _write(path: Path, linktype: int, data: bytes) -> None:
    writer = PcapWriter(str(path), linktype)
    writer.write(1, 0, len(data), data)
    writer.close()


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_crafted_frame_names_what_tshark_names(case: str, tmp_path: Path) -> None:
    tshark = tool("tshark")
    linktype, data = CRAFTED[case]
    path = tmp_path / "frame.pcap"
    _write(path, linktype, data)
    out = subprocess.run(
        [tshark, "-n", "-r", str(path), "-T", "fields", "-e", "frame.protocols"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    theirs = [name for name in pycapture_names(out) if name != "data"]
    packet = rich.decode(linktype, data)
    ours = [layer.name for layer in packet.layers]
    assert [name for name in theirs if name not in ours] == [], (out, ours, packet.malformed)
    assert packet.malformed is None, packet.malformed


def test_socketcan_byte_orders_and_flags() -> None:
    """Link type 227 writes the ID word big-endian; the cooked-mode header the host's order."""
    can = rich.decode(*CRAFTED["can standard"]).get("can")
    assert (can.get("id"), can.get("len"), can.get("flags.xtd"), can.get("flags.rtr")) == (
        0x7E0,
        8,
        False,
        False,
    )
    assert rich.decode(*CRAFTED["sll can"]).get("can").get("id") == 0x7E0
    extended = rich.decode(*CRAFTED["can extended"]).get("can")
    assert extended.get("id") == 0x18DAF1F1 and extended.get("flags.xtd") is True
    error = rich.decode(*CRAFTED["can error"])
    assert [la.name for la in error.layers] == ["can"] and error.payload == b""
    assert error.get("can").get("err.ctrl") is True and error.get("can").get("id") is None
    nm = rich.decode(*CRAFTED["autosar nm"])
    assert [la.name for la in nm.layers] == ["can", "autosar-nm"]
    assert (nm.get("autosar-nm").get("ctrl"), nm.get("autosar-nm").get("src")) == (0x10, 0x20)
    remote = rich.decode(*CRAFTED["can remote"])  # a remote request is never NM, even with ID 0
    assert [la.name for la in remote.layers] == ["can"] and remote.payload == b"\x00\x00"


def test_nflog_tlvs_and_the_logged_packet() -> None:
    packet = rich.decode(*CRAFTED["nflog"])
    assert [la.name for la in packet.layers] == ["nflog", "ip", "udp"] and packet.payload == b"abc"
    nflog = packet.get("nflog")
    assert (nflog.get("family"), nflog.get("protocol"), nflog.get("hook"), nflog.get("prefix")) == (
        2, 0x0800, 3, "abc",
    )  # fmt: skip
    assert nflog.length == 4 + 8 + 8 + 4  # up to the payload TLV's value: the packet's bytes follow in order


def test_ipcomp_is_inflated_and_decoded_on() -> None:
    packet = rich.decode(*CRAFTED["ipcomp"])
    assert [la.name for la in packet.layers] == ["eth", "ip", "ipcomp", "ip", "tcp"]


@pytest.mark.parametrize("pure", [False, True])
def test_mptcp_layer_per_option_and_the_fast_paths_leave_it(pure: bool, tmp_path: Path) -> None:
    """The JSON's fast paths (compiled and Python) write plain TCP themselves: they must leave a
    segment with an MPTCP option to the rich decoder, which adds the mptcp layer."""
    packet = rich.decode(*CRAFTED["mptcp"])
    assert [la.name for la in packet.layers][-2:] == ["tcp", "mptcp"]
    assert packet.get("mptcp").get("subtype") == 0  # MP_CAPABLE
    path = tmp_path / "mptcp.pcap"
    _write(path, *CRAFTED["mptcp"])
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYCAPTURE_PURE_PYTHON": "1" if pure else ""}
    out = subprocess.run(
        [sys.executable, "-m", "pycapture", "-r", str(path), "--json"],
        capture_output=True, text=True, check=True, cwd=ROOT, env=env,
    ).stdout  # fmt: skip
    layers = [layer["layer"] for layer in json.loads(out.splitlines()[0])["layers"]]
    assert layers == ["eth", "ip", "tcp", "mptcp"], layers


@pytest.mark.parametrize(
    ("case", "cut", "layer"),
    [("isis over llc", 20, "isis"), ("bfd", 43, "bfd"), ("rx afs", 50, "rx"), ("aoe", 18, "aoe")],
)
def test_cut_frame_is_malformed_at_its_named_layer(case: str, cut: int, layer: str) -> None:
    linktype, data = CRAFTED[case]
    packet = rich.decode(linktype, data[:cut])  # must not raise
    assert packet.malformed is not None and packet.malformed.layer == layer, packet
    assert packet.layers[-1].name == layer


def test_no_two_families_share_a_decoder_key() -> None:
    """walk.py joins the families' tables: a key in two would silently take the later one's decoder."""
    from pycapture.decode.rich import (
        apps,
        can,
        control,
        icmp,
        link,
        network,
        scapy_layers,
        transport,
        tunnels,
        wlan,
    )

    families = (apps, can, control, icmp, link, network, scapy_layers, transport, tunnels, wlan)
    assert sum(len(f.DECODERS) for f in families) == len(set().union(*(f.DECODERS for f in families)))


def test_a_header_cut_before_it_is_read_is_named() -> None:
    """As Wireshark names the protocol of a header it cannot read: a layer without title, fields or
    bytes, listed in the JSON and the table and not printed by -v."""
    packet = rich.decode(1, _ETH + b"\x08\x06" + bytes(5))  # 5 bytes of an ARP packet
    assert [la.name for la in packet.layers] == ["eth", "arp"] and packet.malformed.layer == "arp"
    assert (packet.layers[-1].title, packet.layers[-1].fields, packet.layers[-1].length) == ("", [], 0)
    assert str(packet.layers[-1]) == ""  # nothing in the -v dump
    assert [la.name for la in rich.decode(1, b"").layers] == ["eth"]
