"""Routing, control, management and key-exchange protocols dpkt does not read, decoded with scapy.

OSPF (v2 and v3), BGP, RIP, RIPng, EIGRP, PIM (a Register's packet decoded on), VRRP, LDP, RSVP, SNMP,
LLDP, CDP, RADIUS and ISAKMP/IKEv2 are unpacked by scapy's classes (its contrib layers included), and
their main fields are given Wireshark's names within the layer (``ospf.msg`` is ``msg``). scapy is
imported the first time a frame needs it, never with this module: the common path (Ethernet, IP, TCP,
UDP) does not pay its import. Each layer scapy decoded carries a ``decoder`` field, ``"scapy"``, which
the JSON writes in the layer's object and ``-v`` prints as a line.

syslog and IPsec's UDP encapsulation (RFC 3948), which scapy lacks and which are a few bytes of text or
a marker, are read here directly.

A header scapy cannot unpack ends the walk as malformed at its layer (the walk turns scapy's
``struct.error`` and the like into a :class:`~pycapture.decode.model.Malformed`); one whose own length
says it goes on past the bytes is added, then reported truncated.
"""

from __future__ import annotations

import importlib
import logging
import struct
from types import ModuleType
from typing import Any, Callable

from ...protocols.numbers import SYSLOG_FACILITIES, SYSLOG_SEVERITIES, UDP_DECODERS
from ..model import Field, Layer
from .core import IP_BY_VERSION, Bad, DecoderTable, Decoding, Step, short_reason, too_short
from .fields import hex_text

_SCAPY = Field("decoder", "Decoder", "scapy")
"""The field that says scapy decoded a layer (JSON ``"decoder": "scapy"``, ``-v`` ``Decoder: scapy``)."""

_modules: dict[str, ModuleType] = {}


def _quiet() -> tuple[logging.Logger, int]:
    runtime = logging.getLogger("scapy.runtime")
    level = runtime.level
    runtime.setLevel(logging.CRITICAL)
    return runtime, level


def _scapy(name: str) -> ModuleType:
    """scapy's module ``name`` (``scapy.contrib.ospf``), imported the first time a frame needs it.

    scapy logs to stderr what it thinks odd, at import and while dissecting; a decoder reports, it does
    not print, so its log is quieted meanwhile.
    """
    module = _modules.get(name)
    if module is None:
        runtime, level = _quiet()
        try:
            from scapy.config import conf

            # without a choice scapy's BGP module warns at import; BGP since RFC 6793 has 4-byte AS numbers
            conf.contribs.setdefault("bgp", {"use_2_bytes_asn": False})
            module = _modules[name] = importlib.import_module(name)
        finally:
            runtime.setLevel(level)
    return module


def _dissect(d: Decoding, name: str, cls: Callable[[bytes], Any], buf: bytes) -> Any:
    """``cls(buf)``, scapy's log quieted. Where scapy cannot unpack the bytes, the layer is added without
    fields (Wireshark too names the protocol of a malformed message) and the walk ends malformed there."""
    runtime, level = _quiet()
    try:
        return cls(buf)
    except Exception as exc:  # scapy raises struct.error, its own errors and more on bytes that do not fit
        d.add(Layer(name, f"{name.upper()} Header", len(buf), [_SCAPY]), buf)
        reason = short_reason(exc).split("\n", 1)[0]
        raise Bad(name, f"scapy cannot decode {name.upper()}: {type(exc).__name__}: {reason}", buf) from exc
    finally:
        runtime.setLevel(level)


def _add(d: Decoding, buf: bytes, name: str, title: str, length: int, fields: list[Field]) -> None:
    """Add the scapy-decoded layer of a ``length``-byte message that starts ``buf``; a message longer
    than the bytes is added, then reported truncated."""
    d.add(Layer(name, title, min(length, len(buf)), [*fields, _SCAPY]), buf)
    if length > len(buf):
        raise Bad(name, f"too short for {title}: {len(buf)} of {length} bytes", buf, truncated=True)


def _need(d: Decoding, buf: bytes, need: int, name: str, what: str) -> None:
    """End the walk as truncated at ``name`` if ``buf`` is shorter than ``need`` bytes; the layer is added
    first, without fields, as Wireshark names the protocol of a message cut short."""
    if len(buf) < need:
        d.add(Layer(name, f"{name.upper()} Header", len(buf), []), buf)
        raise too_short(name, what, len(buf), need)


def _int(value: Any) -> int:
    """An integer field's value; scapy's ASN.1 integers hold theirs in ``val``."""
    return int(getattr(value, "val", value))


def _ospf(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 16, "ospf", "an OSPF header")
    m = _scapy("scapy.contrib.ospf")
    h = _dissect(d, "ospf", m.OSPFv3_Hdr if buf[0] == 3 else m.OSPF_Hdr, buf)
    fields = [
        Field("version", "Version", h.version),
        Field("msg", "Message Type", h.type),
        Field("packet_length", "Packet Length", h.len),
        Field("srcrouter", "Source OSPF Router", str(h.src)),
        Field("area_id", "Area ID", str(h.area)),
        Field("checksum", "Checksum", h.chksum, text=hex_text(h.chksum)),
    ]
    _add(d, buf, "ospf", "OSPF Header", h.len, fields)
    return None, b""


_BGP_MARKER = b"\xff" * 16


def _bgp(d: Decoding, buf: bytes) -> Step:
    """The BGP messages that start in a TCP segment, one layer each (the last one may go on in the next
    segments); bytes that do not start with a marker (a message's continuation) stay payload."""
    if len(buf) < 19 or buf[:16] != _BGP_MARKER:
        return None, buf
    m = _scapy("scapy.contrib.bgp")
    while len(buf) >= 19 and buf[:16] == _BGP_MARKER:
        h = _dissect(d, "bgp", m.BGPHeader, buf[:19])
        if h.len < 19:
            raise Bad("bgp", f"bad BGP length {h.len}: less than the 19-byte header", buf)
        fields = [Field("type", "Type", h.type), Field("length", "Length", h.len)]
        if h.type == 1 and len(buf) >= 29:  # OPEN
            o = _dissect(d, "bgp", m.BGPOpen, buf[19:29])
            fields += [
                Field("open.version", "Version", o.version),
                Field("open.myas", "My AS", o.my_as),
                Field("open.holdtime", "Hold Time", o.hold_time),
                Field("open.identifier", "BGP Identifier", str(o.bgp_id)),
            ]
        if h.len > len(buf):  # continued in the next segments: what is here stays the message's
            d.add(Layer("bgp", "BGP Header", len(buf), [*fields, _SCAPY]), buf)
            return None, b""
        d.add(Layer("bgp", "BGP Header", h.len, [*fields, _SCAPY]), buf)
        buf = buf[h.len :]
    return None, buf


def _entries_end(buf: bytes) -> int:
    """Where a RIP or RIPng message ends: its 4-byte header and whole 20-byte entries, the last one
    whole even when the bytes cut it (so that a cut entry is reported truncated)."""
    return 4 + -(-(len(buf) - 4) // 20) * 20


def _rip(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 4, "rip", "a RIP header")
    h = _dissect(d, "rip", _scapy("scapy.layers.rip").RIP, buf)
    fields = [Field("command", "Command", h.cmd), Field("version", "Version", h.version)]
    _add(d, buf, "rip", "RIP Header", _entries_end(buf), fields)
    return None, b""


def _ripng(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 4, "ripng", "a RIPng header")
    h = _dissect(d, "ripng", _scapy("scapy.contrib.ripng").RIPng, buf)
    fields = [Field("cmd", "Command", h.cmd), Field("version", "Version", h.ver)]
    _add(d, buf, "ripng", "RIPng Header", _entries_end(buf), fields)
    return None, b""


def _eigrp(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 20, "eigrp", "an EIGRP header")
    h = _dissect(d, "eigrp", _scapy("scapy.contrib.eigrp").EIGRP, buf)
    fields = [
        Field("version", "Version", h.ver),
        Field("opcode", "Opcode", h.opcode),
        Field("checksum", "Checksum", h.chksum, text=hex_text(h.chksum)),
        Field("flags", "Flags", int(h.flags), text=hex_text(int(h.flags), 8)),
        Field("seq", "Sequence", h.seq),
        Field("ack", "Acknowledge", h.ack),
        Field("as", "Autonomous System", h.asn),
    ]
    _add(d, buf, "eigrp", "EIGRP Header", _tlvs_end(buf, 20), fields)
    return None, b""


def _tlvs_end(buf: bytes, pos: int) -> int:
    """Where the 2-byte type, 2-byte length (header included) TLVs from ``pos`` end, as their lengths
    say: past the bytes where the last one is cut."""
    while pos < len(buf):
        if len(buf) - pos < 4:
            return pos + 4
        length = int.from_bytes(buf[pos + 2 : pos + 4], "big")
        if length < 4:
            raise Bad("eigrp", f"bad TLV length {length}: less than its 4-byte header", buf[pos:])
        pos += length
    return pos


_PIM_REGISTER = 1


def _pim(d: Decoding, buf: bytes) -> Step:
    """PIM; a Register's packet (after the 4-byte flags) is decoded on, as its IP version says."""
    _need(d, buf, 4, "pim", "a PIM header")
    h = _dissect(d, "pim", _scapy("scapy.contrib.pim").PIMv2Hdr, buf[:4])
    fields = [
        Field("version", "Version", h.version),
        Field("type", "Type", h.type),
        Field("cksum", "Checksum", h.chksum, text=hex_text(h.chksum)),
    ]
    if h.version == 2 and h.type == _PIM_REGISTER and len(buf) > 8:
        flags = struct.unpack_from("!I", buf, 4)[0]
        fields.append(Field("register_flag", "Flags", flags, text=hex_text(flags, 8)))
        inner = buf[8:]
        d.add(Layer("pim", "PIM Header", 8, [*fields, _SCAPY]), buf)
        return IP_BY_VERSION.get(inner[0] >> 4), inner
    d.add(Layer("pim", "PIM Header", len(buf), [*fields, _SCAPY]), buf)
    return None, b""


def _pimv1(d: Decoding, buf: bytes) -> Step:
    """PIMv1 (in IGMP, type 0x14), which scapy lacks: its code, checksum and version read here."""
    _need(d, buf, 8, "pim", "a PIMv1 header")
    checksum = int.from_bytes(buf[2:4], "big")
    fields = [
        Field("version", "Version", buf[4] >> 4),
        Field("code", "Code", buf[1]),
        Field("cksum", "Checksum", checksum, text=hex_text(checksum)),
    ]
    d.add(Layer("pim", "PIMv1 Header", len(buf), fields), buf)
    return None, b""


def _vrrp(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 8, "vrrp", "a VRRP header")
    m = _scapy("scapy.layers.vrrp")
    h = _dissect(d, "vrrp", m.VRRPv3 if buf[0] >> 4 == 3 else m.VRRP, buf)
    fields = [
        Field("version", "Version", h.version),
        Field("type", "Packet type", h.type),
        Field("virt_rtr_id", "Virtual Rtr ID", h.vrid),
        Field("prio", "Priority", h.priority),
        Field("addr_count", "Addr Count", h.ipcount),
        Field("checksum", "Checksum", h.chksum, text=hex_text(h.chksum)),
    ]
    size = 8 + 4 * h.ipcount + (8 if h.version == 2 else 0)  # v3 over IPv6 is not sized here
    _add(d, buf, "vrrp", "VRRP Header", max(size, len(buf)) if buf[0] >> 4 == 2 else len(buf), fields)
    return None, b""


def _ldp(d: Decoding, buf: bytes) -> Step:
    """LDP over UDP (Hellos) or TCP: the PDU header and its first message's type."""
    _need(d, buf, 10, "ldp", "an LDP header")
    h = _dissect(d, "ldp", _scapy("scapy.contrib.ldp").LDP, buf[:10])
    fields = [
        Field("hdr.version", "Version", h.version),
        Field("hdr.pdu_len", "PDU Length", h.len),
        Field("hdr.ldpid.lsr", "LSR ID", str(h.id)),
        Field("hdr.ldpid.lsid", "Label Space ID", h.space),
    ]
    if len(buf) >= 12:
        msg_type = struct.unpack_from("!H", buf, 10)[0] & 0x7FFF
        fields.append(Field("msg.type", "Message Type", msg_type, text=hex_text(msg_type)))
    _add(d, buf, "ldp", "LDP Header", 4 + h.len, fields)
    return None, b""


def _rsvp(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 8, "rsvp", "an RSVP header")
    h = _dissect(d, "rsvp", _scapy("scapy.contrib.rsvp").RSVP, buf[:8])
    fields = [
        Field("version", "RSVP Version", h.Version),
        Field("flags", "Flags", h.Flags, text=hex_text(h.Flags, 2)),
        Field("msg", "Message Type", h.Class),
        Field("sending_ttl", "Sending TTL", h.TTL),
        Field("message_length", "Message Length", h.Length),  # Wireshark has no field name for it
    ]
    _add(d, buf, "rsvp", "RSVP Header", h.Length, fields)
    return None, b""


def _other_port(d: Decoding, buf: bytes, key: str) -> Step:
    """A datagram on ``key``'s port that is not ``key``'s: as Wireshark does, the other port's decoder
    (if any) has it."""
    udp = d.layers[-1] if d.layers and d.layers[-1].name == "udp" else None
    ports = (udp.get("srcport"), udp.get("dstport")) if udp is not None else ()
    other = next((UDP_DECODERS[p] for p in ports if UDP_DECODERS.get(p) not in (None, key)), None)
    return other, buf


def _snmp(d: Decoding, buf: bytes) -> Step:
    if buf[:1] != b"\x30":  # not a BER SEQUENCE: Wireshark's SNMP leaves it to the other port
        return _other_port(d, buf, "snmp")
    _need(d, buf, 2, "snmp", "an SNMP message")
    h = _dissect(d, "snmp", _scapy("scapy.layers.snmp").SNMP, buf)
    community = getattr(h.community, "val", h.community)
    if isinstance(community, bytes):
        community = community.decode("latin-1")
    fields = [Field("version", "Version", _int(h.version)), Field("community", "Community", community)]
    _add(d, buf, "snmp", "SNMP Header", len(buf), fields)
    return None, b""


def _lldp_end(buf: bytes) -> int:
    """Where the LLDPDU's TLVs (7-bit type, 9-bit length) end: at its End TLV, or past the bytes where
    the last one is cut."""
    pos = 0
    while pos < len(buf):
        if len(buf) - pos < 2:
            return pos + 2
        head = int.from_bytes(buf[pos : pos + 2], "big")
        pos += 2 + (head & 0x1FF)
        if head >> 9 == 0:  # End of LLDPDU; what follows is the frame's padding
            return pos
    return pos


def _lldp(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 2, "lldp", "an LLDP TLV")
    m = _scapy("scapy.contrib.lldp")
    pdu = _dissect(d, "lldp", m.LLDPDU, buf)
    fields: list[Field] = []
    chassis = pdu.getlayer(m.LLDPDUChassisID)
    if chassis is not None:
        fields.append(Field("chassis.subtype", "Chassis Id Subtype", chassis.subtype))
        if chassis.subtype == 4 and len(chassis.id) == 6:  # a MAC address
            fields.append(Field("chassis.id.mac", "Chassis Id", bytes(chassis.id).hex(":")))
    port = pdu.getlayer(m.LLDPDUPortID)
    if port is not None:
        fields.append(Field("port.subtype", "Port Id Subtype", port.subtype))
    ttl = pdu.getlayer(m.LLDPDUTimeToLive)
    if ttl is not None:
        fields.append(Field("time_to_live", "Seconds", ttl.ttl))
    _add(d, buf, "lldp", "LLDP", _lldp_end(buf), fields)
    return None, b""


def _cdp(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 4, "cdp", "a CDP header")
    m = _scapy("scapy.contrib.cdp")
    h = _dissect(d, "cdp", m.CDPv2_HDR, buf)
    fields = [
        Field("version", "Version", h.vers),
        Field("ttl", "TTL", h.ttl),
        Field("checksum", "Checksum", h.cksum, text=hex_text(h.cksum)),
    ]
    device = h.getlayer(m.CDPMsgDeviceID)
    if device is not None:
        fields.append(Field("deviceid", "Device ID", bytes(device.val).decode("latin-1")))
    _add(d, buf, "cdp", "CDP Header", len(buf), fields)
    return None, b""


def _radius(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 20, "radius", "a RADIUS header")
    h = _dissect(d, "radius", _scapy("scapy.layers.radius").Radius, buf[:20])
    fields = [
        Field("code", "Code", h.code),
        Field("id", "Packet identifier", h.id),
        Field("length", "Length", h.len),
    ]
    _add(d, buf, "radius", "RADIUS Header", h.len, fields)
    return None, b""


def _isakmp(d: Decoding, buf: bytes) -> Step:
    """ISAKMP (IKEv1) or IKEv2, told apart by the major version."""
    _need(d, buf, 28, "isakmp", "an ISAKMP header")
    ike2 = buf[17] >> 4 == 2
    cls = _scapy("scapy.contrib.ikev2").IKEv2 if ike2 else _scapy("scapy.layers.isakmp").ISAKMP
    h = _dissect(d, "isakmp", cls, buf[:28])
    ispi, rspi = (h.init_SPI, h.resp_SPI) if ike2 else (h.init_cookie, h.resp_cookie)
    fields = [
        Field("ispi", "Initiator SPI", bytes(ispi).hex()),
        Field("rspi", "Responder SPI", bytes(rspi).hex()),
        Field("nextpayload", "Next payload", h.next_payload),
        Field("version", "Version", buf[17], text=f"{buf[17] >> 4}.{buf[17] & 15}"),
        Field("exchangetype", "Exchange type", h.exch_type),
        Field("flags", "Flags", buf[19], text=hex_text(buf[19], 2)),
        Field("messageid", "Message ID", h.id, text=hex_text(h.id, 8)),
        Field("length", "Length", h.length),
    ]
    _add(d, buf, "isakmp", "ISAKMP Header", h.length, fields)
    return None, b""


_NON_ESP_MARKER = b"\x00\x00\x00\x00"


def _udpencap(d: Decoding, buf: bytes) -> Step:
    """UDP port 4500 (RFC 3948): a NAT keepalive (one 0xff byte), IKE after a non-ESP marker, or ESP."""
    if buf == b"\xff":
        return None, d.add_header(buf, "udpencap", "UDP Encapsulation of IPsec", 1, [
            Field("nat_keepalive", "NAT-keepalive packet", 0xFF, text="0xff"),
        ])  # fmt: skip
    if buf[:4] == _NON_ESP_MARKER:
        rest = d.add_header(buf, "udpencap", "UDP Encapsulation of IPsec", 4, [
            Field("non_esp_marker", "Non-ESP Marker", 0, text="0x00000000"),
        ])  # fmt: skip
        return "isakmp", rest
    d.add(Layer("udpencap", "UDP Encapsulation of IPsec", 0, []), None)
    return "esp", buf


def _syslog(d: Decoding, buf: bytes) -> Step:
    """syslog over UDP (RFC 3164/5424), read here (scapy has no syslog) as Wireshark reads it: any
    datagram on the port; ``<``, up to three digits and ``>`` give the facility and level."""
    fields = []
    pos = 0
    if buf[:1] == b"<":
        pos = 1
        while pos <= 3 and buf[pos : pos + 1].isdigit():
            pos += 1
        pri = int(buf[1:pos] or b"0")
        if buf[pos : pos + 1] == b">":
            pos += 1
        facility, level = pri >> 3, pri & 7
        fields += [
            Field(
                "facility", "Facility", facility, text=f"{facility} ({_name(SYSLOG_FACILITIES, facility)})"
            ),
            Field("level", "Level", level, text=f"{level} ({SYSLOG_SEVERITIES[level]})"),
        ]
    fields.append(Field("msg", "Message", buf[pos:].decode("utf-8", "replace")))
    return None, d.add_header(buf, "syslog", "Syslog message", len(buf), fields)


def _name(names: tuple[str, ...], i: int) -> str:
    return names[i] if i < len(names) else "unknown"


DECODERS: DecoderTable = {
    "ospf": ("ospf", "an OSPF header", _ospf),
    "bgp": ("bgp", "a BGP message", _bgp),
    "rip": ("rip", "a RIP message", _rip),
    "ripng": ("ripng", "a RIPng message", _ripng),
    "eigrp": ("eigrp", "an EIGRP header", _eigrp),
    "pim": ("pim", "a PIM header", _pim),
    "pimv1": ("pim", "a PIMv1 header", _pimv1),
    "vrrp": ("vrrp", "a VRRP header", _vrrp),
    "ldp": ("ldp", "an LDP PDU", _ldp),
    "rsvp": ("rsvp", "an RSVP header", _rsvp),
    "snmp": ("snmp", "an SNMP message", _snmp),
    "lldp": ("lldp", "an LLDP PDU", _lldp),
    "cdp": ("cdp", "a CDP header", _cdp),
    "radius": ("radius", "a RADIUS header", _radius),
    "isakmp": ("isakmp", "an ISAKMP header", _isakmp),
    "udpencap": ("udpencap", "a UDP-encapsulated IPsec packet", _udpencap),
    "syslog": ("syslog", "a syslog message", _syslog),
}

__all__ = ["DECODERS"]
