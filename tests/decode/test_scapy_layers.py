"""The layers scapy decodes where dpkt stops (issue 19): present where tshark names them, their main
fields equal to tshark's, malformed rather than an exception when cut short, ``"decoder": "scapy"`` in
the JSON, and no scapy import on the common path."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from pycapture.decode import rich
from pycapture.decode.model import DecodedPacket
from pycapture.output.jsonl import to_dict
from support.env import CAPTURES, CORPUS, IN_CI, ROOT
from support.traffic import libpcap_records

TSHARK = shutil.which("tshark")
_ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}  # the tree's pycapture, not an installed one

# protocol: (corpus files that carry it, {tshark field: our key in the layer}, least share of tshark's
# frames where the layer is present). The shares below 1 are the frames tshark decodes after TCP
# reassembly (a BGP message continued from an earlier segment).
SPECS: dict[str, tuple[tuple[str, ...], dict[str, str], float]] = {
    "ospf": (
        ("OSPFv3_with_AH.pcap", "OSPFv3_broadcast_adjacency.pcap", "OSPFv3_NBMA_adjacencies.pcap",
         "ospf-nssa-bitnt.pcap", "ospf-sr.pcapng"),
        {"ospf.version": "version", "ospf.msg": "msg", "ospf.packet_length": "packet_length",
         "ospf.srcrouter": "srcrouter", "ospf.area_id": "area_id", "ospf.checksum": "checksum"},
        1.0,
    ),
    "bgp": (
        ("bgp-4byte-asn.pcap", "bgp-lu-multiple-labels.pcap", "bgp-bgpsec.pcap", "bgp-rt-prefix.pcap",
         "bgp-cease-hard-reset.pcap"),
        {"bgp.type": "type", "bgp.length": "length", "bgp.open.version": "open.version",
         "bgp.open.myas": "open.myas", "bgp.open.holdtime": "open.holdtime",
         "bgp.open.identifier": "open.identifier"},
        0.95,
    ),
    "rip": (("ripv2-invalid-length.pcap", "rip_error_hexdump.pcap"),
            {"rip.command": "command", "rip.version": "version"}, 1.0),
    "eigrp": (
        ("EIGRP_adjacency.pcap", "EIGRP_goodbye.pcap", "EIGRP_ipv6.pcap"),
        {"eigrp.version": "version", "eigrp.opcode": "opcode", "eigrp.flags": "flags", "eigrp.seq": "seq",
         "eigrp.ack": "ack", "eigrp.as": "as", "eigrp.checksum": "checksum"},
        1.0,
    ),
    "pim": (
        ("PIM-SM_join_prune.pcap", "PIM-DM_pruning.pcap", "libpcap-pim-packet-assortment.pcap",
         "PIMv2_bootstrap.pcap", "PIM_register_register-stop.pcap"),
        {"pim.version": "version", "pim.type": "type", "pim.code": "code", "pim.cksum": "cksum"},
        1.0,
    ),
    "vrrp": (
        ("vrrp.pcap", "libpcap-carp.pcap"),
        {"vrrp.version": "version", "vrrp.type": "type", "vrrp.virt_rtr_id": "virt_rtr_id",
         "vrrp.prio": "prio", "vrrp.addr_count": "addr_count", "vrrp.checksum": "checksum"},
        1.0,
    ),
    "ldp": (
        ("ldp-infinite-loop.pcap", "mpls-ldp-hello.pcap"),
        {"ldp.hdr.version": "hdr.version", "ldp.hdr.pdu_len": "hdr.pdu_len",
         "ldp.hdr.ldpid.lsr": "hdr.ldpid.lsr", "ldp.hdr.ldpid.lsid": "hdr.ldpid.lsid",
         "ldp.msg.type": "msg.type"},
        1.0,
    ),
    "rsvp": (
        ("rsvp_cap.pcap",),
        {"rsvp.version": "version", "rsvp.flags": "flags", "rsvp.msg": "msg",
         "rsvp.sending_ttl": "sending_ttl"},
        1.0,
    ),
    "lldp": (
        ("dcb_ets.pcap", "dcb_qcn.pcap", "LLDP_and_CDP.pcap", "dcb_pfc.pcap", "lldp_mudurl.pcap"),
        {"lldp.chassis.subtype": "chassis.subtype", "lldp.chassis.id.mac": "chassis.id.mac",
         "lldp.port.subtype": "port.subtype", "lldp.time_to_live": "time_to_live"},
        1.0,
    ),
    "cdp": (
        ("LLDP_and_CDP.pcap", "HDLC.pcap", "3560_CDP.pcap", "various_gre.pcap"),
        {"cdp.version": "version", "cdp.ttl": "ttl", "cdp.checksum": "checksum", "cdp.deviceid": "deviceid"},
        1.0,
    ),
    "radius": (
        ("RADIUS-RFC4675.pcap", "radius_rfc5447.pcap", "RADIUS-port1700.pcap", "RADIUS-RFC5176-2.pcap"),
        {"radius.code": "code", "radius.id": "id", "radius.length": "length"},
        1.0,
    ),
    "isakmp": (
        ("ikev2four.pcap", "isakmp4500.pcap", "ISAKMP_sa_setup.pcap", "libpcap-isakmp4500.pcap",
         "ikev2pI2.pcap"),
        {"isakmp.ispi": "ispi", "isakmp.rspi": "rspi", "isakmp.nextpayload": "nextpayload",
         "isakmp.version": "version", "isakmp.exchangetype": "exchangetype", "isakmp.flags": "flags",
         "isakmp.messageid": "messageid", "isakmp.length": "length"},
        1.0,
    ),
    "syslog": (("zephyr-oobr.pcap",), {"syslog.facility": "facility", "syslog.level": "level"}, 1.0),
    "esp": (("isakmp4500.pcap",), {"esp.spi": "spi", "esp.sequence": "sequence"}, 1.0),
    # the corpus's one SNMP frame is malformed (scapy cannot read it; tshark names it, as the layer does):
    # SNMP's fields are held to a message of its own below
    "snmp": (("snmp-heapoverflow-1.pcap",), {}, 1.0),
}  # fmt: skip

# a message of each, whole (from the corpus's frames or the RFCs' layouts), for the truncation tests:
# (decoder's protocol, how the frame reaches it)
_IP4 = bytes.fromhex("4500001c00000000ff000000c0000201e0000005")


def _ip(proto: int, payload: bytes) -> bytes:
    header = bytearray(_IP4)
    header[2:4] = (20 + len(payload)).to_bytes(2, "big")
    header[9] = proto
    return bytes(header) + payload


def _udp(port: int, payload: bytes) -> bytes:
    return _ip(17, (40000).to_bytes(2, "big") + port.to_bytes(2, "big")
               + (8 + len(payload)).to_bytes(2, "big") + b"\x00\x00" + payload)  # fmt: skip


def _tcp(port: int, payload: bytes) -> bytes:
    header = (40000).to_bytes(2, "big") + port.to_bytes(2, "big") + bytes(8) + b"\x50\x18\xff\xff" + bytes(4)
    return _ip(6, header + payload)


_ETH = bytes(6) + bytes.fromhex("020000000001")
_OSPF = bytes.fromhex("0201002c01010101000000003fa400000000000000000000ffffff00000a120100000028") + bytes(8)
_BGP_OPEN = b"\xff" * 16 + bytes.fromhex("001d0104fde800b40a000001 00".replace(" ", ""))
_ISAKMP = bytes.fromhex("9e89f2388f90bc1e000000000000000021202208000000000000001c")
TRUNCATED = {
    "ospf": (0x0800, _ip(89, _OSPF)),
    "bgp": (0x0800, _tcp(179, _BGP_OPEN)),  # cut in the header only: see the test below
    "eigrp": (0x0800, _ip(88, bytes.fromhex("0205ee680000000000000000000000000000006400010004"))),
    "pim": (0x0800, _ip(103, bytes.fromhex("2000f9f60001000200690002000400010000"))),
    "vrrp": (0x0800, _ip(112, bytes.fromhex("212abf03010af11f0a042a010a042a020a042a036162636465666768"))),
    "rsvp": (0x0800, _ip(46, bytes.fromhex("1001000001000028") + bytes(32))),
    "ldp": (0x0800, _udp(646, bytes.fromhex("0001002a0a01000200000100001e00000001") + bytes(28))),
    "radius": (0x0800, _udp(1812, bytes.fromhex("01460050") + bytes(76))),
    "isakmp": (0x0800, _udp(500, _ISAKMP)),
    "rip": (0x0800, _udp(520, bytes.fromhex("02020000") + bytes(20))),
    "snmp": (0x0800, _udp(161, bytes.fromhex(
        "302602010104067075626c6963a019020101020100020100300e300c06082b060102010101000500"
    ))),
    "lldp": (0x88CC, bytes.fromhex("0207040019 2fa7b28d 04020101 06020078 0000".replace(" ", ""))),
}  # fmt: skip


def _need_tshark() -> None:
    if TSHARK is None:
        if IN_CI:
            pytest.fail("tshark is missing")
        pytest.skip("tshark is missing")


def _corpus_file(name: str) -> Path | None:
    path = CORPUS / name
    if not CORPUS.is_dir():
        if IN_CI:
            pytest.fail("the shared corpus is absent")
        pytest.skip("the shared corpus is absent")
    return path if path.is_file() else None


@cache
def _ours(path: Path) -> list[DecodedPacket]:
    linktype, records = libpcap_records(path)
    return [rich.decode(linktype, data) for _sec, _frac, _length, data in records]


def _tshark_fields(path: Path, fields: list[str]) -> list[list[str]]:
    args = [TSHARK or "tshark", "-n", "-r", str(path), "-T", "fields", "-E", "occurrence=f"]
    for field in ["frame.protocols", *fields]:
        args += ["-e", field]
    out = subprocess.run(args, capture_output=True, text=True, check=False).stdout
    return [line.split("\t") for line in out.splitlines()]


def _same(theirs: str, ours: object) -> bool:
    if isinstance(ours, bool) or not isinstance(ours, int):
        return theirs == str(ours)
    try:
        return int(theirs, 0) == ours
    except ValueError:  # tshark's hex without 0x: SPIs, cookies
        return int(theirs, 16) == ours


@pytest.mark.parametrize("protocol", sorted(SPECS))
def test_layer_present_and_fields_equal_tsharks(protocol: str) -> None:
    _need_tshark()
    files, fields, share = SPECS[protocol]
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
                ours_value = layer.get(key)
                if not theirs or ours_value is None:
                    continue
                compared += 1
                if not _same(theirs, ours_value):
                    mismatches.append(
                        f"{name} #{number} {protocol}.{key}: tshark {theirs!r}, ours {ours_value!r}"
                    )
    if not named:
        pytest.skip(f"no corpus file carries {protocol}")
    assert present >= share * named, (
        f"{protocol}: present in {present} of the {named} frames tshark names it in"
    )
    assert (compared or not fields) and not mismatches, "\n".join(mismatches[:20])


# protocols whose own lengths cannot tell a message cut at its end: cut in the fixed header only
_NO_LENGTH = {"pim"}


@pytest.mark.parametrize("protocol", sorted(set(TRUNCATED) - {"bgp"}))  # BGP: the test after it
def test_whole_message_decodes_and_a_truncated_one_is_malformed(protocol: str) -> None:
    etype, payload = TRUNCATED[protocol]
    frame = _ETH + etype.to_bytes(2, "big") + payload
    whole = rich.decode(1, frame)
    assert protocol in [layer.name for layer in whole.layers] and whole.malformed is None, whole
    start = len(frame) - (_message_len(payload) if etype == 0x0800 else len(payload))
    cuts = [start + 3] if protocol in _NO_LENGTH else [start + 3, len(frame) - 1]
    for cut in cuts:  # the IP and transport headers say the message goes on: the capture cut it
        packet = rich.decode(1, frame[:cut])  # must not raise
        assert packet.malformed is not None and packet.malformed.layer == protocol, (cut, packet)


def test_bgp_message_continued_in_the_next_segment_is_not_malformed() -> None:
    """Over TCP a message the segment ends in is continued in the next one: the layer, no error."""
    etype, payload = TRUNCATED["bgp"]
    packet = rich.decode(1, _ETH + etype.to_bytes(2, "big") + payload[:-5])
    assert packet.layers[-1].name == "bgp" and packet.malformed is None
    bad = bytearray(payload)
    bad[-_message_len(payload) + 17] = 18  # a length under the 19-byte header
    assert rich.decode(1, _ETH + etype.to_bytes(2, "big") + bytes(bad)).malformed.layer == "bgp"


def _message_len(payload: bytes) -> int:
    """The length of the message the IP ``payload`` carries after its transport header."""
    proto = payload[9]
    return len(payload) - 20 - {6: 20, 17: 8}.get(proto, 0)


def test_snmp_fields() -> None:
    etype, payload = TRUNCATED["snmp"]
    snmp = rich.decode(1, _ETH + etype.to_bytes(2, "big") + payload).get("snmp")
    assert snmp.get("version") == 1 and snmp.get("community") == "public"  # v2c


def test_json_says_scapy_decoded_the_layer() -> None:
    etype, payload = TRUNCATED["ospf"]
    packet = rich.decode(1, _ETH + etype.to_bytes(2, "big") + payload, dump=False)
    size = len(_ETH) + 2 + len(payload)
    layers = to_dict(packet, 1, 0, 0, size, size, "EN10MB")["layers"]
    assert {"layer": "ospf", "decoder": "scapy"}.items() <= layers[-1].items(), layers
    assert "decoder" not in layers[0]  # the layers dpkt decoded do not say so


def test_json_cli_says_scapy_decoded_the_layer() -> None:
    path = _corpus_file("vrrp.pcap")
    if path is None:
        pytest.skip("vrrp.pcap is not in the corpus")
    out = subprocess.run(
        [sys.executable, "-m", "pycapture", "-r", str(path), "-c", "1", "--json"],
        capture_output=True, text=True, check=True, cwd=ROOT, env=_ENV,
    ).stdout  # fmt: skip
    layer = json.loads(out.splitlines()[0])["layers"][-1]
    assert layer["layer"] == "vrrp" and layer["decoder"] == "scapy" and layer["virt_rtr_id"] == 42
    dump = subprocess.run(
        [sys.executable, "-m", "pycapture", "-r", str(path), "-c", "1", "-v"],
        capture_output=True, text=True, check=True, cwd=ROOT, env=_ENV,
    ).stdout  # fmt: skip
    assert "Decoder: scapy" in dump


@pytest.mark.parametrize("mode", ["-v", "--json"])
def test_common_path_does_not_import_scapy(mode: str) -> None:
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['pycapture', '-r', {str(CAPTURES / 'http.pcap')!r}, {mode!r}]\n"
        "try:\n    runpy.run_module('pycapture', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('SCAPY', any(m.split('.')[0] == 'scapy' for m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=_ENV
    )
    assert "SCAPY False" in done.stderr, done.stderr[-500:]
