"""Control, management and industrial protocols whose fixed headers are read here, from their specs.

Each decoder reads its protocol's fixed header (the fields Wireshark names, under its names), adds one
layer named as Wireshark names the protocol, and then either hands on to the layer the header says
follows (IS-IS's PDU, DoIP's UDS, RX's AFS, a Kerberos 4 message) or keeps what is left as the layer's
body. None of these needs scapy: each header is a few fixed fields, and reading it directly keeps a frame
of a fuzzed or cut capture named as far as its bytes go.

By link type: NFLOG (its TLVs, and the logged packet), IEEE 802.15.4 (and 6LoWPAN named), BACnet
MS/TP (and the BACnet NPDU and APDU), D-Bus, Linux vsock. By EtherType: PTP (IEEE 1588), ATA over
Ethernet, DECnet routing, MS NLB heartbeats, EAPOL (and EAP), MACsec (decoded on when in clear), the
Slow Protocols, Ethernet loopback, AppleTalk's AARP and DDP, IPX. By LLC: OSI (IS-IS, ES-IS, CLNP and
Q.931 by their NLPID), BACnet, IPX, and Cisco's SNAP protocols DTP and UDLD. Cisco HDLC's SLARP; PPP's
control protocols and Multilink; NHRP in GRE. By IP protocol: DCCP, IPv6's Mobility Header, IPComp
(inflated and decoded on), PGM, IGRP, NHRP; DVMRP in IGMP. By UDP port: PTP, BFD, HSRP, Babel, PFCP,
DoIP, RX/AFS, Kerberos, LISP, MPLS echo, timed (TSP), TFTP, NetBIOS name and datagram services (SMB
and the Browser protocol in them), OLSR, AODV, lwres, sFlow, ONC RPC (NFS), Auto-RP, SSDP. By TCP
port: OpenFlow, SSH, DoIP, Kerberos, RESP, RPKI-RTR, ONC RPC, the NetBIOS session service (SMB), PPTP.
"""

from __future__ import annotations

import struct
import zlib
from typing import Callable

from dpkt import ipx

from ...protocols.numbers import ETHERTYPE_DECODERS
from ..model import Field, Layer
from .core import Bad, DecoderTable, Decoding, Step, too_short, unpack_header
from .depth2 import ipx_next
from .fields import hex_text, ip4_text, mac_text


def _need(d: Decoding, buf: bytes, need: int, name: str, what: str) -> None:
    """End the walk as truncated at ``name`` if ``buf`` is shorter than ``need`` bytes; the layer is added
    first, without fields, as Wireshark names the protocol of a message cut short."""
    if len(buf) < need:
        d.add(Layer(name, what[0].upper() + what[1:], len(buf), []), buf)
        raise too_short(name, what, len(buf), need)


def _u16(buf: bytes, pos: int) -> int:
    return int.from_bytes(buf[pos : pos + 2], "big")


def _u32(buf: bytes, pos: int) -> int:
    return int.from_bytes(buf[pos : pos + 4], "big")


def _whole(d: Decoding, buf: bytes, name: str, title: str, fields: list[Field]) -> Step:
    """Add ``name``'s layer over all of ``buf`` (its body read as the layer's, not as payload)."""
    return None, d.add_header(buf, name, title, len(buf), fields)


# --- PTP (IEEE 1588) over Ethernet (0x88f7) and UDP (319, 320) ------------------------------------


def _ptp(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 2, "ptp", "a PTP header")
    version = buf[1] & 0x0F
    if version != 2:  # PTPv1: a 16-bit version first
        return _whole(
            d, buf, "ptp", "Precision Time Protocol", [Field("versionptp", "versionPTP", _u16(buf, 0))]
        )
    fields = [
        Field("v2.messagetype", "messageType", buf[0] & 0x0F, text=hex_text(buf[0] & 0x0F, 1)),
        Field("v2.versionptp", "versionPTP", version),
    ]
    if len(buf) >= 34:
        fields += [
            Field("v2.messagelength", "messageLength", _u16(buf, 2)),
            Field("v2.domainnumber", "domainNumber", buf[4]),
            Field("v2.flags", "flags", _u16(buf, 6), text=hex_text(_u16(buf, 6))),
            Field("v2.clockidentity", "ClockIdentity", buf[20:28].hex(), text=hex_text(_u64(buf, 20), 16)),
            Field("v2.sourceportid", "SourcePortID", _u16(buf, 28)),
            Field("v2.sequenceid", "sequenceId", _u16(buf, 30)),
        ]
    return _whole(d, buf, "ptp", "Precision Time Protocol (IEEE1588)", fields)


def _u64(buf: bytes, pos: int) -> int:
    return int.from_bytes(buf[pos : pos + 8], "big")


# --- AoE, DECnet, MS NLB, EAPOL ----------------------------------------------------------------------


def _aoe(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 10, "aoe", "an ATA over Ethernet header")
    fields = [
        Field("version", "Version", buf[0] >> 4),
        Field("flags", "Flags", buf[0] & 0x0F, text=hex_text(buf[0] & 0x0F, 1)),
        Field("error", "Error", buf[1]),
        Field("major", "Major", _u16(buf, 2)),
        Field("minor", "Minor", buf[4]),
        Field("cmd", "Command", buf[5]),
        Field("tag", "Tag", _u32(buf, 6), text=hex_text(_u32(buf, 6), 8)),
    ]
    return _whole(d, buf, "aoe", "ATAoverEthernet", fields)


def _dec_dna(d: Decoding, buf: bytes) -> Step:
    """DECnet Phase IV routing: a little-endian length, then the flags byte (after any padding it
    announces: a first byte with its high bit set counts the pad bytes)."""
    _need(d, buf, 3, "dec_dna", "a DECnet routing header")
    pos = 2
    if buf[pos] & 0x80:
        pos += buf[pos] & 0x7F
    _need(d, buf, pos + 1, "dec_dna", "a DECnet routing header")
    flags = buf[pos]
    fields = [
        Field("length", "Data length", int.from_bytes(buf[:2], "little")),
        Field("flags", "Routing flags", flags, text=hex_text(flags, 2)),
        Field("flags.control", "Control packet", bool(flags & 1)),
    ]
    if flags & 1:
        fields.append(Field("ctl.msg_type", "Control packet type", (flags >> 1) & 7))
    else:
        fields.append(Field("rt.msg_type", "Packet type", (flags >> 1) & 7))
    return _whole(d, buf, "dec_dna", "DEC DNA Routing Protocol", fields)


def _msnlb(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 4, "msnlb", "an MS NLB heartbeat")
    signature = int.from_bytes(buf[:4], "little")
    return _whole(d, buf, "msnlb", "MS Network Load Balancing", [
        Field("signature", "Signature", signature, text=hex_text(signature, 8)),
    ])  # fmt: skip


def _eapol(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 4, "eapol", "an EAPOL header")
    length = _u16(buf, 2)
    fields = [
        Field("version", "Version", buf[0]),
        Field("type", "Type", buf[1]),
        Field("len", "Length", length),
    ]
    rest = d.add_header(buf, "eapol", "802.1X Authentication", 4, fields)
    if buf[1] == 0 and len(rest) >= 4:  # an EAP packet
        code, ident, eap_len = rest[0], rest[1], _u16(rest, 2)
        eap = [Field("code", "Code", code), Field("id", "Id", ident), Field("len", "Length", eap_len)]
        if code in (1, 2) and len(rest) > 4:
            eap.append(Field("type", "Type", rest[4]))
        d.add_header(rest, "eap", "Extensible Authentication Protocol", len(rest), eap)
        return None, b""
    return None, rest


# --- OSI: IS-IS, ES-IS, CLNP -------------------------------------------------------------------------

_OSI_NLPIDS = {0x08: "q931", 0x81: "clnp", 0x82: "esis", 0x83: "isis"}
_ISIS_PDUS = {
    15: "isis.hello", 16: "isis.hello", 17: "isis.hello",
    18: "isis.lsp", 20: "isis.lsp",
    24: "isis.csnp", 25: "isis.csnp",
    26: "isis.psnp", 27: "isis.psnp",
}  # fmt: skip


def _osi(d: Decoding, buf: bytes) -> Step:
    """The OSI network layer protocols, chosen by their first byte (the NLPID); no layer of its own."""
    if not buf:  # no layer of its own to name
        raise too_short("osi", "an OSI NLPID", 0, 1)
    if buf[0] not in _OSI_NLPIDS and len(buf) > 1 and buf[1] in _OSI_NLPIDS:
        return _OSI_NLPIDS[buf[1]], buf[1:]  # Cisco HDLC's "fudge" byte before the NLPID, as tcpdump skips it
    return _OSI_NLPIDS.get(buf[0]), buf


def _isis(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 8, "isis", "an IS-IS header")
    id_len = buf[3] if buf[3] not in (0, 255) else 6 if buf[3] == 0 else 0
    pdu_type = buf[4] & 0x1F
    fields = [
        Field("irpd", "Intradomain Routeing Protocol Discriminator", buf[0], text=hex_text(buf[0], 2)),
        Field("len", "PDU Header Length", buf[1]),
        Field("version", "Version", buf[2]),
        Field("sysid_len", "System ID Length", buf[3]),
        Field("type", "PDU Type", pdu_type),
        Field("reserved", "Reserved", buf[4] >> 5),
        Field("max_area_adr", "Maximum Area Addresses", buf[7]),
    ]
    rest = d.add_header(
        buf, "isis", "ISO 10589 ISIS InTRA Domain Routeing Information Exchange Protocol", 8, fields
    )
    sub = _ISIS_PDUS.get(pdu_type)
    if sub is None:
        return None, rest
    pdu: list[Field] = []
    if sub == "isis.hello" and len(rest) >= 3 + id_len + 4:
        pdu += [
            Field("circuit_type", "Circuit type", rest[0] & 3),
            Field("source_id", "System-ID", mac_text(rest[1 : 1 + id_len]).replace(":", "")),
            Field("holding_timer", "Holding timer", _u16(rest, 1 + id_len)),
            Field("pdu_length", "PDU length", _u16(rest, 3 + id_len)),
        ]
    elif sub == "isis.lsp" and len(rest) >= 4 + id_len + 2 + 6:
        lsp_id = rest[4 : 6 + id_len]
        pos = 6 + id_len
        pdu += [
            Field("pdu_length", "PDU length", _u16(rest, 0)),
            Field("remaining_life", "Remaining lifetime", _u16(rest, 2)),
            Field("lsp_id", "LSP-ID", lsp_id.hex()),
            Field("sequence_number", "Sequence number", _u32(rest, pos), text=hex_text(_u32(rest, pos), 8)),
            Field("checksum", "Checksum", _u16(rest, pos + 4), text=hex_text(_u16(rest, pos + 4))),
        ]
    elif sub in ("isis.csnp", "isis.psnp") and len(rest) >= 3 + id_len:
        pdu += [
            Field("pdu_length", "PDU length", _u16(rest, 0)),
            Field("source_id", "Source-ID", rest[2 : 3 + id_len].hex()),
        ]
    return None, d.add_header(rest, sub, sub.upper(), len(rest), pdu)


def _esis(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 9, "esis", "an ES-IS header")
    fields = [
        Field("nlpi", "Network Layer Protocol Identifier", buf[0], text=hex_text(buf[0], 2)),
        Field("length", "Length Indicator", buf[1]),
        Field("ver", "Version", buf[2]),
        Field("type", "PDU Type", buf[4] & 0x1F),
        Field("htime", "Holding Time", _u16(buf, 5)),
        Field("chksum", "Checksum", _u16(buf, 7), text=hex_text(_u16(buf, 7))),
    ]
    return _whole(d, buf, "esis", "ISO 9542 ESIS Routeing Information Exchange Protocol", fields)


def _clnp(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 9, "clnp", "a CLNP header")
    fields = [
        Field("nlpi", "Network Layer Protocol Identifier", buf[0], text=hex_text(buf[0], 2)),
        Field("len", "HDR Length", buf[1]),
        Field("version", "Version", buf[2]),
        Field("ttl", "Holding Time", buf[3]),
        Field("type", "PDU Type", buf[4] & 0x1F),
        Field("pdu.len", "PDU length", _u16(buf, 5)),
    ]
    return _whole(d, buf, "clnp", "ISO 8473/X.233 CLNP ConnectionLess Network Protocol", fields)


# --- Cisco: SLARP, DTP, UDLD, HSRP ---------------------------------------------------------------------


def _slarp(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 4, "slarp", "a SLARP packet")
    code = _u32(buf, 0)
    fields = [Field("ptype", "Packet type", code)]
    if code in (0, 1) and len(buf) >= 12:
        fields += [
            Field("address", "IP Address", ip4_text(buf[4:8])),
            Field("netmask", "Netmask", ip4_text(buf[8:12])),
        ]
    elif code == 2 and len(buf) >= 14:
        fields += [
            Field("mysequence", "Outgoing sequence number", _u32(buf, 4)),
            Field("yoursequence", "Returned sequence number", _u32(buf, 8)),
            Field("reliability", "Reliability", _u16(buf, 12), text=hex_text(_u16(buf, 12))),
        ]
    return _whole(d, buf, "slarp", "Cisco SLARP", fields)


def _dtp(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 1, "dtp", "a DTP header")
    return _whole(d, buf, "dtp", "Dynamic Trunking Protocol", [
        Field("version", "Version", buf[0], text=hex_text(buf[0], 2)),
    ])  # fmt: skip


def _udld(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 2, "udld", "a UDLD header")
    return _whole(d, buf, "udld", "Unidirectional Link Detection", [
        Field("version", "Version", buf[0] >> 5),
        Field("opcode", "Opcode", buf[0] & 0x1F, text=hex_text(buf[0] & 0x1F, 2)),
        Field("flags", "Flags", buf[1], text=hex_text(buf[1], 2)),
    ])  # fmt: skip


_HSRP2_GROUP_STATE_TLV = 1
_HSRP_ADVERTISE = 3


def _hsrp(d: Decoding, buf: bytes) -> Step:
    """HSRP: version 1's fixed 20 bytes, or version 2's TLVs (the first a 40-byte Group State TLV)."""
    _need(d, buf, 2, "hsrp", "an HSRP message")
    if buf[0] == _HSRP2_GROUP_STATE_TLV and buf[1] == 40:
        _need(d, buf, 42, "hsrp", "an HSRPv2 Group State TLV")
        fields = [
            Field("version", "Version", buf[2]),
            Field("opcode", "Op Code", buf[3]),
            Field("state", "State", buf[4]),
            Field("group", "Group", _u16(buf, 6)),
            Field("priority", "Priority", _u32(buf, 16)),
            Field("hellotime", "Hellotime", _u32(buf, 20)),
            Field("holdtime", "Holdtime", _u32(buf, 24)),
        ]
        # Wireshark keeps its fields under hsrp2 but names the protocol hsrp in the frame's protocols
        return _whole(d, buf, "hsrp", "Cisco Hot Standby Router Protocol Version 2", fields)
    fields = [Field("version", "Version", buf[0]), Field("opcode", "Op Code", buf[1])]
    if buf[1] < _HSRP_ADVERTISE and len(buf) >= 20:  # Hello, Coup, Resign; an Advertise has TLVs
        fields += [
            Field("state", "State", buf[2]),
            Field("hellotime", "Hellotime", buf[3]),
            Field("holdtime", "Holdtime", buf[4]),
            Field("priority", "Priority", buf[5]),
            Field("group", "Group", buf[6]),
            Field("virt_ip", "Virtual IP Address", ip4_text(buf[16:20])),
        ]
    return _whole(d, buf, "hsrp", "Cisco Hot Standby Router Protocol", fields)


# --- BFD, Babel, PFCP, LISP, MPLS echo, TSP ------------------------------------------------------------


def _bfd(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 2, "bfd", "a BFD control packet")
    fields = [
        Field("version", "Protocol Version", buf[0] >> 5),
        Field("diag", "Diagnostic Code", buf[0] & 0x1F, text=hex_text(buf[0] & 0x1F, 2)),
    ]
    if buf[0] >> 5 == 1:
        fields += [
            Field("sta", "Session State", buf[1] >> 6, text=hex_text(buf[1] >> 6, 2)),
            Field("flags", "Message Flags", buf[1] & 0x3F, text=hex_text(buf[1] & 0x3F, 2)),
        ]
    if len(buf) >= 24:
        fields += [
            Field("detect_time_multiplier", "Detect Time Multiplier", buf[2]),
            Field("message_length", "Message Length", buf[3]),
            Field("my_discriminator", "My Discriminator", _u32(buf, 4), text=hex_text(_u32(buf, 4), 8)),
            Field("your_discriminator", "Your Discriminator", _u32(buf, 8), text=hex_text(_u32(buf, 8), 8)),
        ]
    return _whole(d, buf, "bfd", "BFD Control message", fields)


def _babel(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 4, "babel", "a Babel header")
    fields = [
        Field("magic", "Magic", buf[0]),
        Field("version", "Version", buf[1]),
        Field("bodylen", "Body Length", _u16(buf, 2)),
    ]
    return _whole(d, buf, "babel", "Babel Routing Protocol", fields)


def _pfcp(d: Decoding, buf: bytes) -> Step:
    """PFCP (3GPP TS 29.244): the messages of a datagram, one layer each."""
    while buf:
        _need(d, buf, 4, "pfcp", "a PFCP header")
        length = _u16(buf, 2)
        fields = [
            Field("version", "Version", buf[0] >> 5),
            Field("s_flag", "SEID flag (S)", bool(buf[0] & 1)),
            Field("msg_type", "Message Type", buf[1]),
            Field("length", "Length", length),
        ]
        pos = 4
        if buf[0] & 1 and len(buf) >= 12:
            fields.append(Field("seid", "SEID", _u64(buf, 4), text=hex_text(_u64(buf, 4), 16)))
            pos = 12
        if len(buf) >= pos + 3:
            fields.append(Field("seqno", "Sequence Number", int.from_bytes(buf[pos : pos + 3], "big")))
        size = min(4 + length, len(buf))
        buf = d.add_header(buf, "pfcp", "Packet Forwarding Control Protocol", size, fields)
        if length < 4:  # a length that cannot hold the rest of its header: stop, as Wireshark does
            break
    return None, buf


def _lisp(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 1, "lisp", "a LISP control message")
    return _whole(d, buf, "lisp", "Locator/ID Separation Protocol", [Field("type", "Type", buf[0] >> 4)])


def _mpls_echo(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 4, "mpls-echo", "an MPLS echo header")
    if _u16(buf, 0) != 1:  # RFC 8029's only version: anything else Wireshark leaves as data
        return None, buf
    fields = [Field("version", "Version", _u16(buf, 0))]
    if len(buf) > 4:
        fields.append(Field("msg_type", "Message Type", buf[4]))
    return _whole(d, buf, "mpls-echo", "Multiprotocol Label Switching Echo", fields)


def _tsp(d: Decoding, buf: bytes) -> Step:
    """timed's Time Synchronization Protocol (BSD, UDP 525): type, version, sequence."""
    _need(d, buf, 4, "tsp", "a TSP header")
    return _whole(d, buf, "tsp", "Time Synchronization Protocol", [
        Field("type", "Type", buf[0]),
        Field("vers", "Version", buf[1]),
        Field("seq", "Sequence", _u16(buf, 2)),
    ])  # fmt: skip


# --- DoIP and UDS ----------------------------------------------------------------------------------------

_DOIP_DIAGNOSTIC_MESSAGE = 0x8001
_DOIP_VERSIONS = frozenset((0x01, 0x02, 0x03, 0xFF))


def _doip(d: Decoding, buf: bytes) -> Step:
    """DoIP (ISO 13400-2) messages, one layer each; a diagnostic message's user data is UDS."""
    if len(buf) < 8 or buf[0] not in _DOIP_VERSIONS or buf[1] != buf[0] ^ 0xFF:
        return None, buf  # a segment's continuation, or not DoIP
    while len(buf) >= 8 and buf[0] in _DOIP_VERSIONS and buf[1] == buf[0] ^ 0xFF:
        ptype, length = _u16(buf, 2), _u32(buf, 4)
        fields = [
            Field("version", "Version", buf[0], text=hex_text(buf[0], 2)),
            Field("inverse", "Inverse version", buf[1], text=hex_text(buf[1], 2)),
            Field("type", "Type", ptype, text=hex_text(ptype)),
            Field("length", "Length", length),
        ]
        body = buf[8 : 8 + length]
        if ptype == _DOIP_DIAGNOSTIC_MESSAGE and len(body) >= 4:
            fields += [
                Field("source_address", "Source Address", _u16(body, 0), text=hex_text(_u16(body, 0))),
                Field("target_address", "Target Address", _u16(body, 2), text=hex_text(_u16(body, 2))),
            ]
            d.add_header(buf, "doip", "DoIP (ISO13400) Protocol", 12, fields)
            uds = []  # Wireshark names UDS for a message without user data too
            if len(body) > 4:
                sid = body[4]
                uds += [
                    Field("sid", "Service Identifier", sid & 0xBF, text=hex_text(sid & 0xBF, 2)),
                    Field("reply", "Reply Flag", (sid >> 6) & 1, text=hex_text((sid >> 6) & 1, 2)),
                ]
            d.add_header(body[4:], "uds", "Unified Diagnostic Services", len(body) - 4, uds)
        else:
            d.add_header(buf, "doip", "DoIP (ISO13400) Protocol", 8 + len(body), fields)
        buf = buf[8 + length :]
    return None, buf


# --- RX and AFS, Kerberos ----------------------------------------------------------------------------

_RX_DATA = 1


def _rx(d: Decoding, buf: bytes) -> Step:
    """RX (AFS's RPC): its 28-byte header; a data packet's payload is AFS."""
    _need(d, buf, 28, "rx", "an RX header")
    epoch, cid, call, seq, serial = struct.unpack_from("!5I", buf)
    ptype = buf[20]
    fields = [
        Field("epoch", "Epoch", epoch),
        Field("cid", "CID", cid),
        Field("callnumber", "Call Number", call),
        Field("seq", "Sequence Number", seq),
        Field("serial", "Serial", serial),
        Field("type", "Type", ptype),
        Field("flags", "Flags", buf[21], text=hex_text(buf[21], 2)),
        Field("userstatus", "User Status", buf[22]),
        Field("securityindex", "Security Index", buf[23]),
        Field("serviceid", "Service ID", _u16(buf, 26)),
    ]
    rest = d.add_header(buf, "rx", "RX Protocol", 28, fields)
    if ptype == _RX_DATA:
        afs = [Field("opcode", "Operation", _u32(rest, 0))] if len(rest) >= 4 else []
        return None, d.add_header(rest, "afs", "Andrew File System (AFS)", len(rest), afs)
    return None, rest


def _kerberos(d: Decoding, buf: bytes) -> Step:
    """Kerberos: version 4 (a first byte of 4) or version 5's ASN.1, whose application tag is the
    message type."""
    _need(d, buf, 1, "kerberos", "a Kerberos message")
    if buf[0] != 4 and buf[0] & 0xE0 != 0x60:  # neither: Wireshark leaves the datagram as data
        return None, buf
    if buf[0] == 4:
        rest = d.add_header(buf, "kerberos", "Kerberos", 0, [])
        fields = [Field("version", "Version", buf[0])]
        if len(buf) > 1:
            fields += [
                Field("auth_msg_type", "Msg Type", buf[1] >> 1, text=hex_text(buf[1] >> 1, 2)),
                Field("byte_order", "Byte Order", buf[1] & 1),
            ]
        return _whole(d, rest, "krb4", "Kerberos v4", fields)
    fields = []
    if buf[0] & 0xE0 == 0x60:  # [APPLICATION n], constructed
        fields.append(Field("msg_type", "msg-type", buf[0] & 0x1F))
    return _whole(d, buf, "kerberos", "Kerberos", fields)


def _kerberos_tcp(d: Decoding, buf: bytes) -> Step:
    """Kerberos over TCP: a 4-byte record mark (its length) before the message."""
    if len(buf) < 5 or buf[4] & 0xE0 != 0x60:
        return None, buf
    return _kerberos(d, buf[4:])


# --- OpenFlow, SSH -------------------------------------------------------------------------------------

_OPENFLOW_VERSIONS = {0x01: "openflow_v1", 0x04: "openflow_v4", 0x05: "openflow_v5", 0x06: "openflow_v6"}


def _openflow(d: Decoding, buf: bytes) -> Step:
    """The OpenFlow messages that start in a segment: an ``openflow`` layer, then one for each message,
    named by its version; bytes that do not start a message (a continuation) stay payload."""
    if len(buf) < 8 or buf[0] not in _OPENFLOW_VERSIONS:
        return None, buf
    d.add_header(buf, "openflow", "OpenFlow", 0, [])
    while len(buf) >= 8 and buf[0] in _OPENFLOW_VERSIONS:
        length = _u16(buf, 2)
        fields = [
            Field("version", "Version", buf[0], text=hex_text(buf[0], 2)),
            Field("type", "Type", buf[1]),
            Field("length", "Length", length),
            Field("xid", "Transaction ID", _u32(buf, 4)),
        ]
        if length < 8:
            raise Bad(
                _OPENFLOW_VERSIONS[buf[0]], f"bad OpenFlow length {length}: less than its 8-byte header", buf
            )
        buf = d.add_header(buf, _OPENFLOW_VERSIONS[buf[0]], "OpenFlow", min(length, len(buf)), fields)
    return None, buf


SSH_TITLE = "SSH Protocol"
SSH_HEADER_FIELDS = (("packet_length", "Packet Length"), ("padding_length", "Padding Length"),
                     ("message_code", "Message Code"))  # fmt: skip


def _ssh(d: Decoding, buf: bytes) -> Step:
    """SSH: a version banner, or a binary packet (its length and, while unencrypted, its padding length
    and message code)."""
    if buf.startswith(b"SSH-"):
        line = buf.split(b"\n", 1)[0].rstrip(b"\r")
        return _whole(d, buf, "ssh", SSH_TITLE, [
            Field("protocol", "Protocol", line.decode("latin-1")),
        ])  # fmt: skip
    header = ssh_binary_header(buf)
    fields = []
    if header is not None:
        fields = [Field(key, label, value) for (key, label), value in zip(SSH_HEADER_FIELDS, header)]
    return _whole(d, buf, "ssh", SSH_TITLE, fields)


def ssh_binary_header(buf: bytes) -> tuple[int, int, int] | None:
    """The packet length, padding length and message code of the SSH binary packet ``buf`` starts with,
    where they read as sent in the clear (the length covers the rest of ``buf``, or is plausible and longer
    than the padding); None where they do not (an encrypted packet, a continuation)."""
    if len(buf) < 6:
        return None
    length = _u32(buf, 0)
    if 4 + length == len(buf) or (length < 35000 and buf[4] < length):
        return length, buf[4], buf[5]
    return None


# --- IP protocols: DCCP, the Mobility Header, IPComp; IPX ----------------------------------------------


def _dccp(d: Decoding, buf: bytes) -> Step:
    """DCCP (RFC 4340): the generic header (its ports, data offset and packet type)."""
    _need(d, buf, 12, "dccp", "a DCCP header")
    offset = buf[4]
    fields = [
        Field("srcport", "Source Port", _u16(buf, 0)),
        Field("dstport", "Destination Port", _u16(buf, 2)),
        Field("data_offset", "Data Offset", offset),
        Field("ccval", "CCVal", buf[5] >> 4),
        Field("cscov", "Checksum Coverage", buf[5] & 0x0F),
        Field("checksum", "Checksum", _u16(buf, 6), text=hex_text(_u16(buf, 6))),
        Field("type", "Type", (buf[8] >> 1) & 0x0F),
        Field("x", "Extended Sequence Numbers", bool(buf[8] & 1)),
    ]
    size = min(max(offset * 4, 12), len(buf))
    return None, d.add_header(buf, "dccp", "Datagram Congestion Control Protocol", size, fields)


def _mipv6(d: Decoding, buf: bytes) -> Step:
    """IPv6's Mobility Header (RFC 6275): next header, length, MH type, checksum; the message is the
    layer's."""
    _need(d, buf, 6, "mipv6", "a Mobility Header")
    size = (buf[1] + 1) * 8
    fields = [
        Field("proto", "Payload protocol", buf[0]),
        Field("hlen", "Header length", buf[1]),
        Field("mhtype", "Mobility Header Type", buf[2]),
        Field("reserved", "Reserved", buf[3]),
        Field("csum", "Checksum", _u16(buf, 4), text=hex_text(_u16(buf, 4))),
    ]
    return None, d.add_header(buf, "mipv6", "Mobile IPv6", min(size, len(buf)), fields)


_IPCOMP_NEXT = {4: "ip", 41: "ipv6"}


def _ipcomp(d: Decoding, buf: bytes) -> Step:
    """IPComp (RFC 3173): its 4-byte header; a payload that inflates as DEFLATE (RFC 2394) is decoded on
    (the inflated bytes as the next header says), as Wireshark does."""
    _need(d, buf, 4, "ipcomp", "an IPComp header")
    nxt, cpi = buf[0], _u16(buf, 2)
    fields = [
        Field("nxt", "Next Header", nxt),
        Field("flags", "IPComp Flags", buf[1], text=hex_text(buf[1], 2)),
        Field("cpi", "IPComp CPI", cpi, text=hex_text(cpi)),
    ]
    rest = d.add_header(buf, "ipcomp", "IP Payload Compression", 4, fields)
    if nxt in _IPCOMP_NEXT:  # DEFLATE's well-known CPI, or one the peers chose: Wireshark tries DEFLATE
        try:
            return _IPCOMP_NEXT[nxt], zlib.decompress(rest, -15)
        except zlib.error:
            pass
    return None, rest


def _ipx(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 30, "ipx", "an IPX header")
    h = unpack_header(ipx.IPX, buf, "ipx", "an IPX header")
    fields = [
        Field("checksum", "Checksum", h.sum, text=hex_text(h.sum)),
        Field("len", "Length", h.len),
        Field("hops", "Transport Control (Hops)", h.tc),
        Field("packet_type", "Packet Type", h.pt),
        Field("dst.net", "Destination Network", h.dst[:4].hex()),
        Field("dst.node", "Destination Node", mac_text(h.dst[4:10])),
        Field("dst.socket", "Destination Socket", _u16(h.dst, 10), text=hex_text(_u16(h.dst, 10))),
        Field("src.net", "Source Network", h.src[:4].hex()),
        Field("src.node", "Source Node", mac_text(h.src[4:10])),
        Field("src.socket", "Source Socket", _u16(h.src, 10), text=hex_text(_u16(h.src, 10))),
    ]
    return ipx_next(d, _u16(h.dst, 10), d.add_header(buf, "ipx", "Internetwork Packet eXchange", 30, fields))


# --- Link types: IEEE 802.15.4, BACnet MS/TP (and BACnet), D-Bus, vsock ---------------------------------

_WPAN_ADDRESS_SIZES = {0: 0, 1: 0, 2: 2, 3: 8}  # by addressing mode: none, reserved, short, extended
_WPAN_DATA = 1


def _wpan_header(d: Decoding, buf: bytes, fcs: bool) -> Step:
    """An IEEE 802.15.4 MAC frame: its frame control, sequence number and addresses (as its modes and
    PAN ID compression size them); a data frame's 6LoWPAN payload is named as such."""
    _need(d, buf, 2, "wpan", "an IEEE 802.15.4 frame control field")
    fcf = int.from_bytes(buf[:2], "little")
    frame_type, dst_mode, version, src_mode = fcf & 7, (fcf >> 10) & 3, (fcf >> 12) & 3, fcf >> 14
    fields = [
        Field("frame_type", "Frame Type", frame_type, text=hex_text(frame_type, 1)),
        Field("security", "Security Enabled", bool(fcf & 0x08)),
        Field("pending", "Frame Pending", bool(fcf & 0x10)),
        Field("ack_request", "Acknowledge Request", bool(fcf & 0x20)),
        Field("pan_id_compression", "PAN ID Compression", bool(fcf & 0x40)),
        Field("dst_addr_mode", "Destination Addressing Mode", dst_mode),
        Field("version", "Frame Version", version),
        Field("src_addr_mode", "Source Addressing Mode", src_mode),
    ]
    pos = 2
    if len(buf) > pos:
        fields.append(Field("seq_no", "Sequence Number", buf[pos]))
        pos += 1
    if dst_mode and len(buf) >= pos + 2 + _WPAN_ADDRESS_SIZES[dst_mode]:
        fields.append(Field("dst_pan", "Destination PAN", int.from_bytes(buf[pos : pos + 2], "little")))
        pos += 2
        size = _WPAN_ADDRESS_SIZES[dst_mode]
        raw = buf[pos : pos + size][::-1]
        fields.append(
            Field("dst16" if size == 2 else "dst64", "Destination", raw.hex(":") if size == 8 else raw.hex())
        )
        pos += size
    if src_mode:
        if not fcf & 0x40 and len(buf) >= pos + 2:
            fields.append(Field("src_pan", "Source PAN", int.from_bytes(buf[pos : pos + 2], "little")))
            pos += 2
        size = _WPAN_ADDRESS_SIZES[src_mode]
        if len(buf) >= pos + size:
            raw = buf[pos : pos + size][::-1]
            fields.append(
                Field("src16" if size == 2 else "src64", "Source", raw.hex(":") if size == 8 else raw.hex())
            )
            pos += size
    pos = min(pos, len(buf))
    end = len(buf) - 2 if fcs and len(buf) - 2 >= pos else len(buf)
    if fcs and end < len(buf):
        fields.append(
            Field(
                "fcs",
                "FCS",
                int.from_bytes(buf[end:], "little"),
                text=hex_text(int.from_bytes(buf[end:], "little")),
            )
        )
    d.add_header(buf, "wpan", "IEEE 802.15.4 Low-Rate Wireless PAN", pos, fields)
    body = buf[pos:end]
    # the dispatch byte is read before the FCS is taken off: a capture cut short keeps no FCS
    first = buf[pos] if pos < len(buf) else None
    if (
        frame_type == _WPAN_DATA
        and not fcf & 0x08
        and first is not None
        and (first == 0x41 or first >> 5 == 3)
    ):
        pattern = [Field("pattern", "Pattern", first, text=hex_text(first, 2))]
        return None, d.add_header(body, "6lowpan", "IPv6 over Low power WPANs", len(body), pattern)
    return None, body


def _wpan(d: Decoding, buf: bytes) -> Step:
    return _wpan_header(d, buf, True)


def _wpan_nofcs(d: Decoding, buf: bytes) -> Step:
    return _wpan_header(d, buf, False)


_MSTP_DATA_FRAMES = frozenset((5, 6))  # BACnet Data Expecting Reply / Not Expecting Reply


def _mstp(d: Decoding, buf: bytes) -> Step:
    """BACnet MS/TP (link type 165): preamble 0x55 0xff, frame type, addresses, length, header CRC; a
    BACnet data frame's data is a BACnet NPDU."""
    _need(d, buf, 8, "mstp", "a BACnet MS/TP header")
    start = 2 if buf[:2] == b"\x55\xff" else 0
    _need(d, buf, start + 6, "mstp", "a BACnet MS/TP header")
    ftype, length = buf[start], _u16(buf, start + 3)
    fields = [
        Field("frame_type", "Frame Type", ftype),
        Field("dst", "Destination Address", buf[start + 1]),
        Field("src", "Source Address", buf[start + 2]),
        Field("len", "Length", length),
        Field("hdr_crc", "Header CRC", buf[start + 5], text=hex_text(buf[start + 5], 2)),
    ]
    rest = d.add_header(buf, "mstp", "BACnet MS/TP", start + 6, fields)
    if ftype in _MSTP_DATA_FRAMES and length:
        return "bacnet", rest[:length]
    return None, rest


def _bacnet(d: Decoding, buf: bytes) -> Step:
    """A BACnet NPDU (ASHRAE 135 clause 6): version and control, the destination and source
    specifiers the control announces, the hop count; an application message (not a network layer
    message) follows as BACnet APDU."""
    _need(d, buf, 2, "bacnet", "a BACnet NPDU")
    control = buf[1]
    pos = 2
    if control & 0x20:  # destination specifier: DNET, DLEN, DADR
        _need(d, buf, pos + 3, "bacnet", "a BACnet NPDU destination")
        pos += 3 + buf[pos + 2]
    if control & 0x08:  # source specifier: SNET, SLEN, SADR
        _need(d, buf, pos + 3, "bacnet", "a BACnet NPDU source")
        pos += 3 + buf[pos + 2]
    if control & 0x20:
        pos += 1  # hop count
    if control & 0x80:  # a network layer message: its type (and a vendor id for the proprietary ones)
        pos += 1
    fields = [
        Field("version", "Version", buf[0], text=hex_text(buf[0], 2)),
        Field("control", "Control", control, text=hex_text(control, 2)),
    ]
    rest = d.add_header(
        buf, "bacnet", "Building Automation and Control Network NPDU", min(pos, len(buf)), fields
    )
    if control & 0x80 or not rest:
        return None, rest
    apdu_type = rest[0] >> 4
    return None, d.add_header(rest, "bacapp", "Building Automation and Control Network APDU", len(rest), [
        Field("type", "APDU Type", apdu_type),
    ])  # fmt: skip


def _dbus(d: Decoding, buf: bytes) -> Step:
    """A D-Bus message (link type 231): its endianness byte, type, flags and version."""
    _need(d, buf, 4, "dbus", "a D-Bus header")
    return _whole(d, buf, "dbus", "D-Bus", [
        Field("header.endianness", "Endianness", chr(buf[0])),
        Field("header.type", "Message Type", buf[1]),
        Field("header.flags", "Message Flags", buf[2], text=hex_text(buf[2], 2)),
        Field("header.version", "Protocol Version", buf[3]),
    ])  # fmt: skip


def _vsock(d: Decoding, buf: bytes) -> Step:
    """Linux vsock monitor frames (link type 271): addresses, ports, operation and the transport's
    header, all little-endian."""
    _need(d, buf, 32, "vsock", "a vsock header")
    src_cid, dst_cid, src_port, dst_port, op, transport, length = struct.unpack_from("<QQIIHHI", buf)
    return _whole(d, buf, "vsock", "vSocket", [
        Field("src_cid", "Source cid", src_cid),
        Field("dst_cid", "Destination cid", dst_cid),
        Field("src_port", "Source port", src_port),
        Field("dst_port", "Destination port", dst_port),
        Field("op", "Operation", op),
        Field("t", "Transport", transport),
        Field("len", "Payload length", length),
    ])  # fmt: skip


# --- AppleTalk: AARP, DDP ----------------------------------------------------------------------------

_DDP_TYPES = {1: "rtmp", 2: "nbp", 3: "atp", 4: "aep", 5: "rtmp", 6: "zip", 7: "adsp"}
"""The protocol a DDP type names (Wireshark's names), kept as the DDP layer's ``type`` text."""


def _aarp(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 8, "aarp", "an AARP header")
    fields = [
        Field("hard.type", "Hardware type", _u16(buf, 0)),
        Field("proto.type", "Protocol type", _u16(buf, 2), text=hex_text(_u16(buf, 2))),
        Field("hard.size", "Hardware size", buf[4]),
        Field("proto.size", "Protocol size", buf[5]),
        Field("opcode", "Opcode", _u16(buf, 6)),
    ]
    return _whole(d, buf, "aarp", "AppleTalk Address Resolution Protocol", fields)


def _ddp(d: Decoding, buf: bytes) -> Step:
    """AppleTalk's long DDP header (13 bytes): hop count and length, checksum, networks, nodes,
    sockets and the type of what follows."""
    _need(d, buf, 13, "ddp", "a DDP header")
    first = _u16(buf, 0)
    fields = [
        Field("hopcount", "Hop count", (first >> 10) & 0x0F),
        Field("len", "Datagram length", first & 0x3FF),
        Field("checksum", "Checksum", _u16(buf, 2), text=hex_text(_u16(buf, 2))),
        Field("dst.net", "Destination Net", _u16(buf, 4)),
        Field("src.net", "Source Net", _u16(buf, 6)),
        Field("dst.node", "Destination Node", buf[8]),
        Field("src.node", "Source Node", buf[9]),
        Field("dst_socket", "Destination Socket", buf[10]),
        Field("src_socket", "Source Socket", buf[11]),
        Field("type", "Protocol type", buf[12], text=f"{buf[12]} ({_DDP_TYPES.get(buf[12], 'unknown')})"),
    ]
    return None, d.add_header(buf, "ddp", "Datagram Delivery Protocol", 13, fields)


# --- More by port and number: NHRP, sFlow, MACsec, NetBIOS (and SMB), RESP, TFTP, PGM, IGRP, OLSR, AODV,
# lightweight resolver, DVMRP, Slow Protocols, PPP's control protocols ------------------------------------


def _nhrp(d: Decoding, buf: bytes) -> Step:
    """NHRP (RFC 2332, GRE protocol 0x2001): its 20-byte fixed header; the rest is the message's."""
    _need(d, buf, 20, "nhrp", "an NHRP fixed header")
    fields = [
        Field("hdr.afn", "Address Family Number", _u16(buf, 0), text=hex_text(_u16(buf, 0))),
        Field("hdr.pro.type", "Protocol Type (short form)", _u16(buf, 2), text=hex_text(_u16(buf, 2))),
        Field("hdr.hopcnt", "Hop Count", buf[9]),
        Field("hdr.pktsz", "Packet Length", _u16(buf, 10)),
        Field("hdr.chksum", "Packet Checksum", _u16(buf, 12), text=hex_text(_u16(buf, 12))),
        Field("hdr.extoff", "Extension Offset", _u16(buf, 14)),
        Field("hdr.version", "Version", buf[16]),
        Field("hdr.op.type", "NHRP Packet Type", buf[17]),
    ]
    return _whole(d, buf, "nhrp", "Next Hop Resolution Protocol", fields)


def _sflow(d: Decoding, buf: bytes) -> Step:
    """sFlow (version 5, or 2 and 4): the datagram header; the samples are the layer's."""
    _need(d, buf, 8, "sflow", "an sFlow header")
    version, address_type = _u32(buf, 0), _u32(buf, 4)
    if version not in (2, 4, 5):  # not sFlow's: Wireshark leaves the datagram as data
        return None, buf
    fields = [
        Field("version", "Datagram version", version),
        Field("agenttype", "Agent address type", address_type),
    ]
    pos = 8 + (16 if address_type == 2 else 4)
    if address_type in (1, 2) and len(buf) >= pos:
        fields.append(
            Field("agent", "Agent address", ip4_text(buf[8:12]) if address_type == 1 else buf[8:24].hex())
        )
    if version == 5 and len(buf) >= pos + 16:
        fields += [
            Field("sub_agent_id", "Sub-agent ID", _u32(buf, pos)),
            Field("seqnum", "Sequence number", _u32(buf, pos + 4)),
            Field("sysuptime", "SysUptime", _u32(buf, pos + 8)),
            Field("numsamples", "NumSamples", _u32(buf, pos + 12)),
        ]
    return _whole(d, buf, "sflow", "InMon sFlow", fields)


_MACSEC_ICV = 16


def _macsec(d: Decoding, buf: bytes) -> Step:
    """MACsec (IEEE 802.1AE): the SecTAG (with the SCI when its SC bit says so); a frame neither
    encrypted nor changed (E and C clear) carries its EtherType and payload in clear before the 16-byte
    ICV, decoded on as that EtherType says."""
    _need(d, buf, 6, "macsec", "a MACsec SecTAG")
    tci = buf[0]
    size = 14 if tci & 0x20 else 6
    _need(d, buf, size, "macsec", "a MACsec SecTAG with its SCI")
    fields = [
        Field("tci", "TCI", tci & 0xFC, text=hex_text(tci & 0xFC, 2)),
        Field("an", "AN", tci & 0x03),
        Field("sl", "Short length", buf[1]),
        Field("pn", "Packet number", _u32(buf, 2)),
    ]
    if size == 14:
        fields.append(Field("sci", "SCI", buf[6:14].hex(), text=hex_text(_u64(buf, 6), 16)))
    if tci & 0x0C or len(buf) < size + 2 + _MACSEC_ICV:  # encrypted or changed: the rest is not readable
        return None, d.add_header(buf, "macsec", "802.1AE Security tag", size, fields)
    # the Secure Data (the EtherType, kept in this layer as the bytes stay in order, and the payload)
    # ends at the short length when one is given (under 48 bytes: the frame's padding follows the ICV),
    # else 16 bytes (the ICV) before the frame's end
    etype = _u16(buf, size)
    fields.append(Field("etype", "Type", etype, text=hex_text(etype)))
    end = (buf[1] & 0x3F) or len(buf) - size - _MACSEC_ICV
    rest = d.add_header(buf, "macsec", "802.1AE Security tag", size + 2, fields)
    return ETHERTYPE_DECODERS.get(etype), rest[: end - 2]


def _nbns(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 12, "nbns", "a NetBIOS name service header")
    fields = [
        Field("id", "Transaction ID", _u16(buf, 0), text=hex_text(_u16(buf, 0))),
        Field("flags", "Flags", _u16(buf, 2), text=hex_text(_u16(buf, 2))),
        Field("count.queries", "Questions", _u16(buf, 4)),
        Field("count.answers", "Answer RRs", _u16(buf, 6)),
        Field("count.auth_rr", "Authority RRs", _u16(buf, 8)),
        Field("count.add_rr", "Additional RRs", _u16(buf, 10)),
    ]
    return _whole(d, buf, "nbns", "NetBIOS Name Service", fields)


_NBDGM_DIRECT = frozenset((0x10, 0x11, 0x12))  # unique, group and broadcast datagrams: they carry SMB


def _nbdgm(d: Decoding, buf: bytes) -> Step:
    """The NetBIOS datagram service: a direct datagram's user data (after two NetBIOS names) is SMB,
    whose mailslot transaction to ``\\MAILSLOT\\BROWSE`` is the Browser protocol."""
    _need(d, buf, 10, "nbdgm", "a NetBIOS datagram header")
    kind = buf[0]
    fields = [
        Field("type", "Message Type", kind, text=hex_text(kind, 2)),
        Field("flags", "Flags", buf[1], text=hex_text(buf[1], 2)),
        Field("dgram_id", "Datagram ID", _u16(buf, 2), text=hex_text(_u16(buf, 2))),
        Field("src.ip", "Source IP", ip4_text(buf[4:8])),
        Field("src.port", "Source Port", _u16(buf, 8)),
    ]
    smb = -1
    if kind in _NBDGM_DIRECT:
        smb = buf.find(b"\xffSMB", 14)
    if smb < 0:
        return _whole(d, buf, "nbdgm", "NetBIOS Datagram Service", fields)
    rest = d.add_header(buf, "nbdgm", "NetBIOS Datagram Service", smb, fields)
    _need(d, rest, 33, "smb", "an SMB header")
    smb_fields = [
        Field("cmd", "SMB Command", rest[4], text=hex_text(rest[4], 2)),
        Field("flags", "Flags", rest[9], text=hex_text(rest[9], 2)),
        Field("flags2", "Flags2", int.from_bytes(rest[10:12], "little")),
        Field("pid", "Process ID", int.from_bytes(rest[26:28], "little")),
        Field("mid", "Multiplex ID", int.from_bytes(rest[30:32], "little")),
    ]
    if b"\\MAILSLOT\\BROWSE" in rest or b"\\MAILSLOT\\LANMAN" in rest:
        d.add_header(rest, "smb", "SMB (Server Message Block Protocol)", 32, smb_fields)
        return _whole(d, rest[32:], "browser", "Microsoft Windows Browser Protocol", [])
    return _whole(d, rest, "smb", "SMB (Server Message Block Protocol)", smb_fields)


def _resp(d: Decoding, buf: bytes) -> Step:
    """RESP, Redis's protocol (TCP 6379): text; its first line (a command or a reply) is kept."""
    line = buf.split(b"\r\n", 1)[0]
    return _whole(d, buf, "resp", "REdis Serialization Protocol", [
        Field("first_line", "First line", line[:200].decode("latin-1")),
    ])  # fmt: skip


def _tftp(d: Decoding, buf: bytes) -> Step:
    """TFTP (RFC 1350): the opcode; a data packet's block number then its data (Wireshark's ``data``)."""
    _need(d, buf, 2, "tftp", "a TFTP opcode")
    opcode = _u16(buf, 0)
    fields = [Field("opcode", "Opcode", opcode)]
    if opcode == 3 and len(buf) >= 4:  # DATA
        fields.append(Field("block", "Block", _u16(buf, 2)))
        return None, d.add_header(buf, "tftp", "Trivial File Transfer Protocol", 4, fields)
    if opcode in (1, 2):  # RRQ, WRQ: the file name and the mode
        parts = buf[2:].split(b"\0")
        fields.append(
            Field("source_file" if opcode == 1 else "destination_file", "File", parts[0].decode("latin-1"))
        )
        if len(parts) > 1:
            fields.append(Field("type", "Type", parts[1].decode("latin-1")))
    elif opcode in (4, 5) and len(buf) >= 4:  # ACK, ERROR
        fields.append(
            Field(
                "block" if opcode == 4 else "error_code",
                "Block" if opcode == 4 else "Error code",
                _u16(buf, 2),
            )
        )
    return _whole(d, buf, "tftp", "Trivial File Transfer Protocol", fields)


def _pgm(d: Decoding, buf: bytes) -> Step:
    """PGM (RFC 3208, IP protocol 113): ports, type, options flags, checksum, GSI and TSDU length."""
    _need(d, buf, 16, "pgm", "a PGM header")
    fields = [
        Field("hdr.sport", "Source Port", _u16(buf, 0)),
        Field("hdr.dport", "Destination Port", _u16(buf, 2)),
        Field("hdr.type", "Type", buf[4], text=hex_text(buf[4], 2)),
        Field("hdr.opts", "Options", buf[5], text=hex_text(buf[5], 2)),
        Field("hdr.cksum", "Checksum", _u16(buf, 6), text=hex_text(_u16(buf, 6))),
        Field("hdr.gsi", "Global Source Identifier", buf[8:14].hex()),
        Field("hdr.tsdulen", "Transport Service Data Unit Length", _u16(buf, 14)),
    ]
    return _whole(d, buf, "pgm", "Pragmatic General Multicast", fields)


def _igrp(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 12, "igrp", "an IGRP header")
    fields = [
        Field("version", "IGRP Version", buf[0] >> 4),
        Field("command", "Command", buf[0] & 0x0F),
        Field("update", "Update Release", buf[1]),
        Field("as", "Autonomous System", _u16(buf, 2)),
        Field("interior", "Interior routes", _u16(buf, 4)),
        Field("system", "System routes", _u16(buf, 6)),
        Field("exterior", "Exterior routes", _u16(buf, 8)),
        Field("checksum", "Checksum", _u16(buf, 10), text=hex_text(_u16(buf, 10))),
    ]
    return _whole(d, buf, "igrp", "Cisco Interior Gateway Routing Protocol", fields)


def _olsr(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 4, "olsr", "an OLSR packet header")
    return _whole(d, buf, "olsr", "Optimized Link State Routing Protocol", [
        Field("packet_len", "Packet Length", _u16(buf, 0)),
        Field("packet_seq_num", "Packet Sequence Number", _u16(buf, 2)),
    ])  # fmt: skip


def _aodv(d: Decoding, buf: bytes) -> Step:
    _need(d, buf, 1, "aodv", "an AODV message")
    return _whole(d, buf, "aodv", "Ad hoc On-demand Distance Vector Routing Protocol", [
        Field("type", "Type", buf[0]),
    ])  # fmt: skip


def _lwres(d: Decoding, buf: bytes) -> Step:
    """BIND's lightweight resolver protocol (UDP 921): its 28-byte header."""
    _need(d, buf, 28, "lwres", "a lightweight resolver header")
    return _whole(d, buf, "lwres", "Lightweight User Datagram Protocol", [
        Field("length", "Length", _u32(buf, 0)),
        Field("version", "Version", _u16(buf, 4)),
        Field("flags", "Packet Flags", _u16(buf, 6), text=hex_text(_u16(buf, 6))),
        Field("serial", "Serial", _u32(buf, 8)),
        Field("opcode", "Operation code", _u32(buf, 12)),
        Field("result", "Result", _u32(buf, 16)),
    ])  # fmt: skip


def _dvmrp(d: Decoding, buf: bytes) -> Step:
    """DVMRP (IGMP type 0x13): the code and version of a message IGMP carries."""
    _need(d, buf, 8, "dvmrp", "a DVMRP header")
    return _whole(d, buf, "dvmrp", "Distance Vector Multicast Routing Protocol", [
        Field("type", "Type", buf[0], text=hex_text(buf[0], 2)),
        Field("code", "Code", buf[1]),
        Field("checksum", "Checksum", _u16(buf, 2), text=hex_text(_u16(buf, 2))),
        Field("min_ver", "Minor Version", buf[6]),
        Field("maj_ver", "Major Version", buf[7]),
    ])  # fmt: skip


_SLOW_SUBTYPES = {1: "lacp", 2: "marker", 3: "oam", 10: "ossp"}


def _slow(d: Decoding, buf: bytes) -> Step:
    """IEEE 802.3's Slow Protocols (0x8809): the subtype chooses LACP, Marker, OAM or OSSP."""
    _need(d, buf, 1, "slow", "a Slow Protocols subtype")
    subtype = buf[0]
    name = _SLOW_SUBTYPES.get(subtype)
    fields = [Field("subtype", "Slow Protocols subtype", subtype, text=hex_text(subtype, 2))]
    if subtype == 10 and len(buf) >= 4:  # OSSP: the subtype byte and an OUI
        rest = d.add_header(buf, "slow", "Slow Protocols", 1, fields)
        return None, d.add_header(rest, "ossp", "Organization Specific Slow Protocol", 3, [
            Field("oui", "OUI", rest[:3].hex(":")),
        ])  # fmt: skip
    rest = d.add_header(buf, "slow", "Slow Protocols", 1 if name else len(buf), fields)
    if name in ("lacp", "marker", "oam"):
        return _whole(d, rest, name, name.upper(), [Field("version", "Version", rest[0])] if rest else [])
    return None, rest


_PPP_CONTROL = {
    0xC021: ("lcp", "PPP Link Control Protocol"),
    0xC023: ("pap", "PPP Password Authentication Protocol"),
    0xC223: ("chap", "PPP Challenge Handshake Authentication Protocol"),
    0x8021: ("ipcp", "PPP IP Control Protocol"),
    0x8057: ("ipv6cp", "PPP IPv6 Control Protocol"),
    0x80FD: ("ccp", "PPP Compression Control Protocol"),
}
"""PPP's control protocols, by PPP protocol number: Wireshark's name and title. Each is a code, an
identifier and a length before its options or data."""


def _ppp_control(name: str, title: str) -> Callable[[Decoding, bytes], Step]:
    def decode(d: Decoding, buf: bytes) -> Step:
        _need(d, buf, 4, name, f"a {title} header")
        return _whole(d, buf, name, title, [
            Field("code", "Code", buf[0]),
            Field("identifier", "Identifier", buf[1]),
            Field("length", "Length", _u16(buf, 2)),
        ])  # fmt: skip

    return decode


def _mp(d: Decoding, buf: bytes) -> Step:
    """PPP Multilink (RFC 1990): the long sequence number format's flags and sequence."""
    _need(d, buf, 2, "mp", "a PPP Multilink header")
    return _whole(d, buf, "mp", "PPP Multilink Protocol", [
        Field("first", "First fragment", bool(buf[0] & 0x80)),
        Field("last", "Last fragment", bool(buf[0] & 0x40)),
    ])  # fmt: skip


PPP_CONTROL_DECODERS = {number: f"ppp_{name}" for number, (name, _title) in _PPP_CONTROL.items()}
"""The decoder keys of PPP's control protocols (and Multilink) by PPP protocol number."""
PPP_CONTROL_DECODERS[0x003D] = "mp"


# --- Q.931, RPKI-RTR, ONC RPC (and NFS) --------------------------------------------------------------


def _q931(d: Decoding, buf: bytes) -> Step:
    """Q.931/Q.933 (NLPID 0x08): protocol discriminator, call reference and message type."""
    _need(d, buf, 2, "q931", "a Q.931 header")
    ref_len = buf[1] & 0x0F
    fields = [
        Field("disc", "Protocol discriminator", buf[0], text=hex_text(buf[0], 2)),
        Field("call_ref_len", "Call reference value length", ref_len),
    ]
    if len(buf) > 2 + ref_len:
        fields.append(
            Field("message_type", "Message type", buf[2 + ref_len], text=hex_text(buf[2 + ref_len], 2))
        )
    return _whole(d, buf, "q931", "Q.931", fields)


def _rpkirtr(d: Decoding, buf: bytes) -> Step:
    """The RPKI to Router protocol (RFC 8210, TCP 323): version, PDU type, session and length."""
    _need(d, buf, 8, "rpkirtr", "an RPKI-RTR header")
    return _whole(d, buf, "rpkirtr", "RPKI-Router Protocol", [
        Field("version", "Version", buf[0]),
        Field("pdu_type", "PDU Type", buf[1]),
        Field("session_id", "Session ID", _u16(buf, 2)),
        Field("length", "Length", _u32(buf, 4)),
    ])  # fmt: skip


_RPC_PROGRAMS = {100003: "nfs", 100005: "mount", 100021: "nlm", 100000: "portmap"}
"""The ONC RPC programs whose call Wireshark names as a protocol of its own."""


def _rpc(d: Decoding, buf: bytes) -> Step:
    """ONC RPC (RFC 5531): a call's or a reply's header; a call to a program Wireshark names (NFS,
    mount, NLM, portmap) is named after it."""
    _need(d, buf, 8, "rpc", "an ONC RPC header")
    xid, kind = _u32(buf, 0), _u32(buf, 4)
    if kind > 1 or (kind == 0 and (len(buf) < 12 or _u32(buf, 8) != 2)) or (kind == 1 and _u32(buf, 8) > 1):
        return None, buf  # neither an RPC version 2 call nor a reply (accepted or denied)
    fields = [Field("xid", "XID", xid, text=hex_text(xid, 8)), Field("msgtyp", "Message Type", kind)]
    if kind == 0 and len(buf) >= 24:
        program = _u32(buf, 12)
        fields += [
            Field("version", "RPC Version", _u32(buf, 8)),
            Field("program", "Program", program),
            Field("programversion", "Program Version", _u32(buf, 16)),
            Field("procedure", "Procedure", _u32(buf, 20)),
        ]
        sub = _RPC_PROGRAMS.get(program)
        if sub is not None:
            rest = d.add_header(buf, "rpc", "Remote Procedure Call", 24, fields)
            return _whole(d, rest, sub, sub.upper(), [])
    return _whole(d, buf, "rpc", "Remote Procedure Call", fields)


def _rpc_tcp(d: Decoding, buf: bytes) -> Step:
    """ONC RPC over TCP: a 4-byte record mark (last-fragment bit, length) before the message; a segment
    that does not start with one (TLS on the NFS port, a record's continuation) is left alone."""
    if len(buf) < 12 or not buf[0] & 0x80 or _u32(buf, 8) > 1:
        return None, buf
    return _rpc(d, buf[4:])


# --- PPTP, SSDP, NetBIOS session (SMB), Auto-RP, Ethernet loopback ---------------------------------------


def _pptp(d: Decoding, buf: bytes) -> Step:
    """PPTP's control connection (RFC 2637, TCP 1723): length, message type, magic cookie, control type."""
    if len(buf) < 10 or _u32(buf, 4) != 0x1A2B3C4D:
        return None, buf  # not a message's start
    return _whole(d, buf, "pptp", "Point-to-Point Tunnelling Protocol", [
        Field("length", "Length", _u16(buf, 0)),
        Field("type", "Message type", _u16(buf, 2)),
        Field("magic_cookie", "Magic Cookie", _u32(buf, 4), text=hex_text(_u32(buf, 4), 8)),
        Field("control_message_type", "Control Message Type", _u16(buf, 8)),
    ])  # fmt: skip


def _ssdp(d: Decoding, buf: bytes) -> Step:
    """SSDP (UDP 1900): HTTP over UDP; its start line is kept."""
    line = buf.split(b"\r\n", 1)[0]
    return _whole(d, buf, "ssdp", "Simple Service Discovery Protocol", [
        Field("request_line", "Start line", line[:200].decode("latin-1")),
    ])  # fmt: skip


def _nbss(d: Decoding, buf: bytes) -> Step:
    """The NetBIOS session service (TCP 139, and SMB's direct TCP 445): a 4-byte header (type, 17-bit
    length); a session message carrying SMB (``\\xffSMB``) or SMB2 (``\\xfeSMB``) is named so."""
    if nbss_continuation(buf):
        return None, buf
    fields = [
        Field("type", "Message Type", buf[0], text=hex_text(buf[0], 2)),
        Field("length", "Length", int.from_bytes(buf[1:4], "big") & 0x1FFFF),
    ]
    rest = d.add_header(buf, "nbss", "NetBIOS Session Service", 4, fields)
    if buf[0] == 0 and rest[:4] in (b"\xffSMB", b"\xfeSMB"):
        name = "smb" if rest[0] == 0xFF else "smb2"
        cmd = rest[4] if rest[0] == 0xFF and len(rest) > 4 else int.from_bytes(rest[12:14], "little")
        return _whole(d, rest, name, "SMB (Server Message Block Protocol)", [Field("cmd", "Command", cmd)])
    return None, rest


_NBSS_TYPES = frozenset((0x00, 0x81, 0x82, 0x83, 0x84, 0x85))  # RFC 1002 4.3.1: message and session types


def nbss_continuation(buf: bytes) -> bool:
    """Whether the NBSS port's TCP payload ``buf`` is not a session header (shorter than one, or of no
    session packet type): the rest of a message, which the decoder leaves as data."""
    return len(buf) < 4 or buf[0] not in _NBSS_TYPES


def _auto_rp(d: Decoding, buf: bytes) -> Step:
    """Cisco's Auto-RP (UDP 496): version and type, RP count, hold time."""
    _need(d, buf, 4, "auto_rp", "an Auto-RP header")
    return _whole(d, buf, "auto_rp", "Cisco Auto-RP", [
        Field("version", "Protocol version", buf[0] >> 4),
        Field("type", "Packet type", buf[0] & 0x0F),
        Field("rp_count", "RP count", buf[1]),
        Field("holdtime", "Holdtime", _u16(buf, 2)),
    ])  # fmt: skip


def _loop(d: Decoding, buf: bytes) -> Step:
    """Ethernet's Configuration Testing Protocol (loopback, 0x9000): skip count and the function at it;
    the rest (the data a reply carries) is payload."""
    _need(d, buf, 4, "loop", "a loopback header")
    skip = int.from_bytes(buf[:2], "little")
    fields = [Field("skipcount", "skipCount", skip)]
    pos = 2 + skip
    if len(buf) >= pos + 2:
        function = int.from_bytes(buf[pos : pos + 2], "little")
        fields.append(Field("function", "Function", function))
        pos += 2 if function == 1 else 8 if function == 2 and len(buf) >= pos + 8 else 2
    return None, d.add_header(
        buf, "loop", "Configuration Test Protocol (loopback)", min(pos, len(buf)), fields
    )


# --- NFLOG (link type 239) -------------------------------------------------------------------------------

_NFLOG_FAMILIES = {2: "ip", 10: "ipv6"}  # AF_INET, AF_INET6
_NFULA_PACKET_HDR, _NFULA_IFINDEX_INDEV, _NFULA_IFINDEX_OUTDEV = 1, 4, 5
_NFULA_PAYLOAD, _NFULA_PREFIX, _NFULA_UID, _NFULA_GID = 9, 10, 11, 14


def _nflog(d: Decoding, buf: bytes) -> Step:
    """Linux's NFLOG (link type 239): a 4-byte header (address family, version, resource id in network
    order), then TLVs, each a length and a type in the host's order (little-endian, as Wireshark reads
    them on the hosts it is compared on), padded to 4 bytes; the payload TLV's packet is decoded on as
    the address family says, the other TLVs are this layer's fields."""
    _need(d, buf, 4, "nflog", "an NFLOG header")
    fields = [
        Field("family", "Family", buf[0]),
        Field("version", "Version", buf[1]),
        Field("res_id", "Resource id", _u16(buf, 2)),
    ]
    pos, payload, start = 4, None, 0
    while pos + 4 <= len(buf):
        length, kind = struct.unpack_from("<HH", buf, pos)
        kind &= 0x7FFF  # the top bit marks a nested attribute
        if length < 4:
            break
        value = buf[pos + 4 : pos + length]
        if kind == _NFULA_PAYLOAD:
            payload, start = value, pos + 4
        elif kind == _NFULA_PACKET_HDR and len(value) >= 3:
            fields += [
                Field("protocol", "HW protocol", _u16(value, 0), text=hex_text(_u16(value, 0))),
                Field("hook", "Netfilter hook", value[2]),
            ]
        elif kind in (_NFULA_IFINDEX_INDEV, _NFULA_IFINDEX_OUTDEV) and len(value) >= 4:
            key = "ifindex_indev" if kind == _NFULA_IFINDEX_INDEV else "ifindex_outdev"
            fields.append(Field(key, "Interface index", _u32(value, 0)))
        elif kind == _NFULA_PREFIX:
            fields.append(Field("prefix", "Prefix", value.split(b"\0", 1)[0].decode("latin-1")))
        elif kind in (_NFULA_UID, _NFULA_GID) and len(value) >= 4:
            fields.append(
                Field(
                    "uid" if kind == _NFULA_UID else "gid",
                    "UID" if kind == _NFULA_UID else "GID",
                    _u32(value, 0),
                )
            )
        pos += (length + 3) & ~3
    if payload is None:
        return _whole(d, buf, "nflog", "Linux Netfilter NFLOG", fields)
    d.add_header(buf, "nflog", "Linux Netfilter NFLOG", start, fields)  # up to the payload's value
    return _NFLOG_FAMILIES.get(buf[0]), payload


DECODERS: DecoderTable = {
    "nflog": ("nflog", "an NFLOG message", _nflog),
    "pptp": ("pptp", "a PPTP message", _pptp),
    "ssdp": ("ssdp", "an SSDP message", _ssdp),
    "nbss": ("nbss", "a NetBIOS session message", _nbss),
    "auto_rp": ("auto_rp", "an Auto-RP message", _auto_rp),
    "ctp": ("loop", "a loopback frame", _loop),  # "loop" is DLT_LOOP's decoder
    "q931": ("q931", "a Q.931 message", _q931),
    "rpkirtr": ("rpkirtr", "an RPKI-RTR PDU", _rpkirtr),
    "rpc": ("rpc", "an ONC RPC message", _rpc),
    "rpc_tcp": ("rpc", "an ONC RPC record", _rpc_tcp),
    "nhrp": ("nhrp", "an NHRP packet", _nhrp),
    "sflow": ("sflow", "an sFlow datagram", _sflow),
    "macsec": ("macsec", "a MACsec frame", _macsec),
    "nbns": ("nbns", "a NetBIOS name service packet", _nbns),
    "nbdgm": ("nbdgm", "a NetBIOS datagram", _nbdgm),
    "resp": ("resp", "a RESP message", _resp),
    "tftp": ("tftp", "a TFTP packet", _tftp),
    "pgm": ("pgm", "a PGM packet", _pgm),
    "igrp": ("igrp", "an IGRP packet", _igrp),
    "olsr": ("olsr", "an OLSR packet", _olsr),
    "aodv": ("aodv", "an AODV message", _aodv),
    "lwres": ("lwres", "a lightweight resolver packet", _lwres),
    "dvmrp": ("dvmrp", "a DVMRP message", _dvmrp),
    "slow": ("slow", "a Slow Protocols frame", _slow),
    "mp": ("mp", "a PPP Multilink fragment", _mp),
    **{
        f"ppp_{name}": (name, f"a {title} packet", _ppp_control(name, title))
        for name, title in _PPP_CONTROL.values()
    },
    "aarp": ("aarp", "an AARP packet", _aarp),
    "ddp": ("ddp", "a DDP header", _ddp),
    "wpan": ("wpan", "an IEEE 802.15.4 frame", _wpan),
    "wpan_nofcs": ("wpan", "an IEEE 802.15.4 frame", _wpan_nofcs),
    "mstp": ("mstp", "a BACnet MS/TP frame", _mstp),
    "bacnet": ("bacnet", "a BACnet NPDU", _bacnet),
    "dbus": ("dbus", "a D-Bus message", _dbus),
    "vsock": ("vsock", "a vsock frame", _vsock),
    "dccp": ("dccp", "a DCCP header", _dccp),
    "mipv6": ("mipv6", "a Mobility Header", _mipv6),
    "ipcomp": ("ipcomp", "an IPComp header", _ipcomp),
    "ipx": ("ipx", "an IPX header", _ipx),
    "ptp": ("ptp", "a PTP message", _ptp),
    "aoe": ("aoe", "an ATA over Ethernet header", _aoe),
    "dec_dna": ("dec_dna", "a DECnet routing header", _dec_dna),
    "msnlb": ("msnlb", "an MS NLB heartbeat", _msnlb),
    "eapol": ("eapol", "an EAPOL frame", _eapol),
    "osi": ("osi", "an OSI NLPID", _osi),
    "isis": ("isis", "an IS-IS PDU", _isis),
    "esis": ("esis", "an ES-IS PDU", _esis),
    "clnp": ("clnp", "a CLNP PDU", _clnp),
    "slarp": ("slarp", "a SLARP packet", _slarp),
    "dtp": ("dtp", "a DTP frame", _dtp),
    "udld": ("udld", "a UDLD frame", _udld),
    "hsrp": ("hsrp", "an HSRP message", _hsrp),
    "bfd": ("bfd", "a BFD control packet", _bfd),
    "babel": ("babel", "a Babel packet", _babel),
    "pfcp": ("pfcp", "a PFCP message", _pfcp),
    "lisp": ("lisp", "a LISP control message", _lisp),
    "mpls-echo": ("mpls-echo", "an MPLS echo message", _mpls_echo),
    "tsp": ("tsp", "a TSP message", _tsp),
    "doip": ("doip", "a DoIP message", _doip),
    "rx": ("rx", "an RX packet", _rx),
    "kerberos": ("kerberos", "a Kerberos message", _kerberos),
    "kerberos_tcp": ("kerberos", "a Kerberos record", _kerberos_tcp),
    "openflow": ("openflow", "an OpenFlow message", _openflow),
    "ssh": ("ssh", "an SSH packet", _ssh),
}

__all__ = ["DECODERS"]
