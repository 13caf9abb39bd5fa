"""The protocols decode/rich/depth2.py names (issue 19's decode depth): crafted frames of each, written
to a pcap and read by tshark in the test; pycapture's layers name every protocol tshark's
``frame.protocols`` names, and the main fields equal tshark's. A frame cut short is malformed at the
named layer, never a crash."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pycapture.decode import rich
from pycapture.protocols.tshark_names import pycapture_names
from pycapture.savefile.pcap_writer import PcapWriter
from support.commands import tool

_ETH = bytes.fromhex("0180c2000000") + bytes.fromhex("020000000001")
_IP4 = bytes.fromhex("4500001c00000000ff000000c0000201c0000202")


def _hex(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


def _ip_packet(proto: int, payload: bytes) -> bytes:
    header = bytearray(_IP4)
    header[2:4] = (20 + len(payload)).to_bytes(2, "big")
    header[9] = proto
    return bytes(header) + payload


def _ip(proto: int, payload: bytes) -> bytes:
    return _ETH + b"\x08\x00" + _ip_packet(proto, payload)


def _udp(port: int, payload: bytes) -> bytes:
    return _ip(17, (40000).to_bytes(2, "big") + port.to_bytes(2, "big")
               + (8 + len(payload)).to_bytes(2, "big") + b"\x00\x00" + payload)  # fmt: skip


def _tcp(port: int, payload: bytes) -> bytes:
    header = (40000).to_bytes(2, "big") + port.to_bytes(2, "big") + bytes(8) + bytes((0x50, 0x18))
    return _ip(6, header + b"\xff\xff" + bytes(4) + payload)


def _sctp(port: int, ppid: int, user: bytes) -> bytes:
    """An SCTP packet of one DATA chunk (unfragmented) carrying ``user``, padded to 4 bytes."""
    chunk = _hex("00 03") + (16 + len(user)).to_bytes(2, "big") + _hex("00000001 0000 0000")
    chunk += ppid.to_bytes(4, "big") + user + bytes(-len(user) % 4)
    return _ip(132, port.to_bytes(2, "big") * 2 + _hex("00000001 00000000") + chunk)


def _eth(etype: int, payload: bytes) -> bytes:
    return _ETH + etype.to_bytes(2, "big") + payload


def _dot3(payload: bytes) -> bytes:
    return _ETH + len(payload).to_bytes(2, "big") + payload


_INNER_ICMP = _ip_packet(1, _hex("0800f7ff 0000 0000"))
_M3UA_ASPUP = _hex("01 00 03 01 00000008")  # version 1, class 3 (ASPSM), type 1 (ASP Up), length 8
_BFD = _hex("20c00318 00000001 00000000 000f4240 000f4240 00000000")
_IPX_HEADER = _hex("ffff 001e 00 04 00000000 ffffffffffff 0453 00000000 020000000001 0453")
_NSH = _hex("0f c6 01 01 000001 ff") + bytes(16)  # MD type 1, 24 bytes, next protocol IPv4
_TIPC = ((2 << 29) | (6 << 21) | 28).to_bytes(4, "big") + bytes(20) + b"data"

# case: (link type, frame, {tshark field: (our layer, key)})
CRAFTED: dict[str, tuple[int, bytes, dict[str, tuple[str, str]]]] = {
    "m3ua by ppid": (1, _sctp(40000, 3, _M3UA_ASPUP), {
        "m3ua.version": ("m3ua", "version"), "m3ua.message_class": ("m3ua", "message_class"),
        "m3ua.message_type": ("m3ua", "message_type"), "m3ua.message_length": ("m3ua", "message_length"),
    }),
    "m3ua by port": (1, _sctp(2905, 0, _M3UA_ASPUP), {"m3ua.message_class": ("m3ua", "message_class")}),
    "sua by ppid": (1, _sctp(40000, 4, _M3UA_ASPUP), {"sua.version": ("sua", "version")}),
    "dropbox lan sync": (1, _udp(17500, b'{"host_int": 12, "version": [2, 0], "namespaces": [1, 2], '
                                       b'"displayname": "", "port": 17500}'), {}),
    "whois": (1, _tcp(43, b"example.net\r\n"), {}),
    "telnet": (1, _tcp(23, _hex("fffb01 fffb03") + b"login: "), {}),
    "cisco metadata": (1, _eth(0x8909, _hex("01 01 0001 0064 0800") + _INNER_ICMP), {
        "cmd.version": ("cmd", "version"), "cmd.sgt": ("cmd", "sgt"), "cmd.type": ("cmd", "type"),
    }),
    "cisco metadata in gre": (1, _ip(47, _hex("0000 8909 0800 01 01 0001 0064") + _INNER_ICMP), {
        "cmd.sgt": ("cmd", "sgt"), "cmd.type": ("cmd", "type"), "cmd.options": ("cmd", "options"),
    }),
    "nsh": (1, _eth(0x894F, _NSH + _INNER_ICMP), {
        "nsh.version": ("nsh", "version"), "nsh.ttl": ("nsh", "ttl"), "nsh.length": ("nsh", "length"),
        "nsh.mdtype": ("nsh", "mdtype"), "nsh.nextproto": ("nsh", "nextproto"), "nsh.spi": ("nsh", "spi"),
        "nsh.si": ("nsh", "si"),
    }),
    "cfm": (1, _eth(0x8902, _hex("a0 01 04 46") + bytes(70) + b"\x00"), {
        "cfm.md.level": ("cfm", "md.level"), "cfm.opcode": ("cfm", "opcode"),
        "cfm.first.tlv.offset": ("cfm", "first.tlv.offset"),
    }),
    "geonetworking": (1, _eth(0x8947, _hex("11 00 1a 01") + bytes(40)), {
        "geonw.bh.version": ("gnw", "bh.version"), "geonw.bh.nh": ("gnw", "bh.nh"),
        "geonw.bh.rhl": ("gnw", "bh.rhl"),
    }),
    "tipc": (1, _eth(0x88CA, _TIPC), {
        "tipc.ver": ("tipc", "ver"), "tipc.hdr_size": ("tipc", "hdr_size"),
        "tipc.msg_size": ("tipc", "msg_size"),
    }),
    "novell raw ipx": (1, _dot3(_IPX_HEADER), {}),
    "netbios frames": (1, _dot3(_hex("f0f0 03") + _hex("2c00 ffef 0e 00 0800 0e00 0800")
                                + b"WFW_HOST_1      WFW_HOST_2      "), {
        "netbios.hdr_len": ("netbios", "hdr_len"), "netbios.command": ("netbios", "command"),
    }),
    # Frame Relay, DLCI 16, an I frame (two control bytes) before ES-IS's NLPID: RFC 2427, not Cisco's
    "frame relay i frame": (107, _hex("0401 2200 82 11 01 00 02 0000 0000 0000 04 49000001 00"), {}),
    "mpls in udp": (1, _udp(6635, _hex("00001 1 40") + _INNER_ICMP), {}),
    "seamless bfd": (1, _udp(7784, _BFD), {}),
}  # fmt: skip

# case: (bytes kept, the layer the frame is malformed at)
CUT = {
    "m3ua by ppid": (14 + 20 + 12 + 16 + 4, "m3ua"),
    "cisco metadata": (14 + 5, "cmd"),
    "cisco metadata in gre": (14 + 20 + 4 + 6, "cmd"),
    "nsh": (14 + 12, "nsh"),
    "cfm": (14 + 2, "cfm"),
    "geonetworking": (14 + 3, "gnw"),
    "tipc": (14 + 2, "tipc"),
    "netbios frames": (14 + 3 + 4, "netbios"),
}


def _write(path: Path, linktype: int, data: bytes) -> None:
    writer = PcapWriter(str(path), linktype)
    writer.write(1, 0, len(data), data)
    writer.close()


def _cut_sctp_chunk(data: bytes, keep: int) -> bytes:
    """``data`` cut to ``keep`` bytes, with the DATA chunk's length and the IP length made to fit, so that
    only the message inside the chunk is short."""
    out = bytearray(data[:keep])
    out[16:18] = (keep - 14).to_bytes(2, "big")
    out[48:50] = (keep - 14 - 20 - 12).to_bytes(2, "big")
    return bytes(out)


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_crafted_frame_names_what_tshark_names(case: str, tmp_path: Path) -> None:
    tshark = tool("tshark")
    linktype, data, fields = CRAFTED[case]
    path = tmp_path / "frame.pcap"
    _write(path, linktype, data)
    args = [tshark, "-n", "-r", str(path), "-T", "fields", "-E", "occurrence=f", "-e", "frame.protocols"]
    for field in fields:
        args += ["-e", field]
    row = subprocess.run(args, capture_output=True, text=True, check=True).stdout.rstrip("\n").split("\t")
    theirs = pycapture_names(row[0])
    packet = rich.decode(linktype, data)
    ours = [layer.name for layer in packet.layers] + (["data"] if packet.payload else [])
    assert [name for name in theirs if name not in ours] == [], (row[0], ours, packet.malformed)
    assert packet.malformed is None, packet.malformed
    compared = 0
    for value, (layer_name, key) in zip(row[1:], fields.values()):
        ours_value = packet.get(layer_name).get(key)
        assert value, f"tshark gives no {layer_name}.{key}"
        assert int(value, 0) == ours_value, (layer_name, key, value, ours_value)
        compared += 1
    assert compared == len(fields)


@pytest.mark.parametrize("case", sorted(CUT))
def test_cut_frame_is_malformed_at_its_named_layer(case: str) -> None:
    linktype, data, _fields = CRAFTED[case]
    keep, layer = CUT[case]
    cut = _cut_sctp_chunk(data, keep) if data[23] == 132 else data[:keep]
    packet = rich.decode(linktype, cut)  # must not raise
    assert packet.malformed is not None and packet.malformed.layer == layer, packet
    assert packet.layers[-1].name == layer
    assert rich.decode(linktype, cut, dump=False).layers[-1].name == layer


def test_sctp_chunks_of_two_protocols() -> None:
    """Each DATA chunk's message is named; a chunk of an unknown protocol leaves its data as payload."""
    one = _sctp(40000, 3, _M3UA_ASPUP)
    chunk = _hex("00 03 0014 00000002 0000 0001 00000004") + _M3UA_ASPUP[:4]  # an SUA message cut
    frame = bytearray(one + chunk)
    frame[16:18] = (len(frame) - 14).to_bytes(2, "big")
    packet = rich.decode(1, bytes(frame))
    assert [layer.name for layer in packet.layers][-3:] == ["sctp", "m3ua", "sua"]
    assert packet.malformed is not None and packet.malformed.layer == "sua"
