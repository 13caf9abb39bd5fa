"""tcpdump 4.99's one-line text (no -v) of the protocols Ethernet types and 802.2 LLC/SNAP carry.

Each printer follows its tcpdump source (print-ptp.c, print-aoe.c, print-stp.c, print-llc.c, ...) from the
raw bytes an ``("ethproto", printer, data, length)`` layer carries (:mod:`pycapture.decode.lean_ether`):
``data`` is what the capture holds of the protocol, ``length`` what its printer is told it has on the wire.
A field past the captured bytes ends the text with tcpdump's `` [|proto]``, as its GET_ macros do.

:func:`osi_text` prints an OSI network-layer PDU (IS-IS, ES-IS, CLNP: print-isoclns.c's isoclns_print)
for the link-layer printers that carry one (Cisco HDLC, Frame Relay, ...).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from ...decode.lean import printable_text
from ...decode.lean_ether import ETHER_PRINTERS
from ...decode.lean_layers import EtherProtoLayer, EthLayer
from ...protocols.numbers import TCPDUMP_ETHERTYPE_NAMES, VLAN_ETHERTYPES
from ..hexdump import hex_lines
from .misc_protocols import MISC_ETHER_PRINTERS


class _Cut(Exception):
    """The capture ends before a field the printer reads (tcpdump's longjmp to `` [|proto]``)."""


class _Reader:
    """Bounds-checked big-endian reads of one protocol's captured bytes; ``proto`` names the printer
    a cut is reported against, as tcpdump's ndo_protocol (one name for a reader and those it hands on)."""

    __slots__ = ("_proto", "addresses", "carry", "data", "link_level")

    def __init__(
        self, data: bytes, proto: str, link_level: bool = False, shared: list[str] | None = None
    ) -> None:
        self.data = data
        self._proto = shared if shared is not None else [proto]
        self._proto[0] = proto
        self.link_level = link_level  # -e: some printers leave out what the link header said
        self.addresses: tuple[bytes, bytes] | None = None  # the Ethernet (source, destination), if any
        self.carry = False  # set by a printer that ends where the next layers' text goes on

    @property
    def proto(self) -> str:
        return self._proto[0]

    @proto.setter
    def proto(self, name: str) -> None:
        self._proto[0] = name

    def sub(self, at: int, proto: str) -> _Reader:
        """The bytes from ``at`` on, for the printer of what this protocol carries."""
        return _Reader(self.data[at:], proto, self.link_level, self._proto)

    def need(self, at: int, size: int) -> None:
        if at < 0 or at + size > len(self.data):
            raise _Cut

    def u8(self, at: int) -> int:
        if at < 0 or at >= len(self.data):
            raise _Cut
        return self.data[at]

    def be(self, at: int, size: int) -> int:
        self.need(at, size)
        return int.from_bytes(self.data[at : at + size], "big")

    def le(self, at: int, size: int) -> int:
        self.need(at, size)
        return int.from_bytes(self.data[at : at + size], "little")

    def raw(self, at: int, size: int) -> bytes:
        self.need(at, size)
        return self.data[at : at + size]


Printer = Callable[[_Reader, int, list[str]], None]


def _bits(tokens: dict[int, str], value: int, default: str = "none", sep: str = ", ") -> str:
    """tcpdump's bittok2str: the names of the one-bit tokens set in ``value``, in table order."""
    names = [name for bit, name in tokens.items() if bit and not bit & (bit - 1) and value & bit]
    return sep.join(names) if names else default


def _mac(raw: bytes) -> str:
    return raw.hex(":")


def _run(
    printer: Printer, data: bytes, length: int, proto: str, link_level: bool = False, dump: bool = True
) -> str:
    """The printer's text; a cut ends it with `` [|proto]``, and what tcpdump hands its default print
    follows as hex lines (unless ``dump`` is False: -x and -X dump the frame instead)."""
    return _run_reader(printer, _Reader(data, proto, link_level), length, dump)


def _run_reader(printer: Printer, reader: _Reader, length: int, dump: bool = True) -> str:
    out: list[str] = []
    try:
        printer(reader, length, out)
    except _Cut:
        reader.carry = False
        out.append(f" [|{reader.proto}]")
    except _Dump as default:
        reader.carry = False
        text = hex_lines(reader.data[default.at : default.at + max(default.size, 0)], True) if dump else ""
        if text:
            out.append("\n" + text)
    return "".join(out)


class _Dump(Exception):
    """tcpdump's default print of ``size`` bytes from ``at``: a hex dump below the line."""

    def __init__(self, at: int, size: int) -> None:
        super().__init__(at, size)
        self.at, self.size = at, size


# --- PTP (print-ptp.c) ---------------------------------------------------------------------------------

_PTP_MSG_TYPES = {
    0x0: "sync msg", 0x1: "delay req msg", 0x2: "peer delay req msg", 0x3: "peer delay resp msg",
    0x8: "follow up msg", 0x9: "delay resp msg", 0xA: "pdelay resp fup msg", 0xB: "announce msg",
    0xC: "signalling msg", 0xD: "management msg",
}  # fmt: skip
_PTP_CONTROL = ("Sync", "Delay_Req", "Follow_Up", "Delay_Resp", "Management", "Other")
_PTP_FLAGS = {
    0x1: "l1 61", 0x2: "l1 59", 0x4: "utc reasonable", 0x8: "timescale", 0x10: "time tracable",
    0x20: "frequency tracable", 0x100: "alternate master", 0x200: "two step", 0x400: "unicast",
    0x1000: "profile specific 1", 0x2000: "profile specific 2", 0x4000: "security mask",
}  # fmt: skip
_PTP_HEADER = 34
_PTP_ORIGIN, _PTP_PRECISE, _PTP_RECEIVE = "originTimeStamp", "preciseOriginTimeStamp", "receiveTimeStamp"


def _ptp(r: _Reader, length: int, o: list[str]) -> None:
    if length < _PTP_HEADER:
        o.append(" (invalid)")
        return
    version = r.be(0, 2) & 0xFF
    o.append(f"PTPv{version}")
    if version == 1:
        o.append(" (not implemented)")
        return
    if version != 2:
        return
    first = r.u8(0)
    msg_type = first & 0x0F
    o.append(f", v1 compat : {'yes' if first & 0x10 else 'no'}")
    o.append(f", msg type : {_PTP_MSG_TYPES.get(msg_type, 'Reserved')}")
    o.append(f", length : {r.be(2, 2)}")
    o.append(f", domain : {r.be(4, 2) >> 8}")
    o.append(f", reserved1 : {r.be(4, 2) & 0xFF}")
    o.append(f", Flags [{_bits(_PTP_FLAGS, r.be(6, 2))}]")
    o.append(f", NS correction : {r.be(8, 6)}")
    o.append(f", sub NS correction : {r.be(14, 2)}")
    o.append(f", reserved2 : {r.be(16, 4)}")
    o.append(f", clock identity : 0x{r.be(20, 8):x}")
    o.append(f", port id : {r.be(28, 2)}")
    o.append(f", seq id : {r.be(30, 2)}")
    control = r.u8(32)
    o.append(
        f", control : {control} ({_PTP_CONTROL[control] if control < len(_PTP_CONTROL) else 'Reserved'})"
    )
    o.append(f", log message interval : {r.be(32, 2) & 0xFF}")
    at = _PTP_HEADER
    if msg_type in (0x0, 0x1, 0x8):
        o.append(f", {_PTP_PRECISE if msg_type == 0x8 else _PTP_ORIGIN} :")
        o.append(f" {r.be(at, 6)} seconds,")
        o.append(f" {r.be(at + 6, 4)} nanoseconds")
    elif msg_type in (0x2, 0x3, 0x9, 0xA):
        o.append(f", {_PTP_PRECISE if msg_type in (0x2, 0xA) else _PTP_RECEIVE} :")
        o.append(f" {r.be(at, 6)} seconds,")
        o.append(f" {r.be(at + 6, 4)} nanoseconds")
        _ptp_port(r, at + 10, o)
    elif msg_type == 0xB:
        o.append(f", {_PTP_ORIGIN} :")
        o.append(f" {r.be(at, 6)} seconds")
        o.append(f" {r.be(at + 6, 4)} nanoseconds")
        o.append(f", origin cur utc :{r.be(at + 10, 2)}")
        o.append(f", rsvd : {r.u8(at + 12)}")
        o.append(f", gm priority_1 : {r.u8(at + 13)}")
        o.append(f", gm clock class : {r.u8(at + 14)}")
        o.append(f", gm clock accuracy : {r.u8(at + 15)}")
        o.append(f", gm clock variance : {r.be(at + 16, 2)}")
        o.append(f", gm priority_2 : {r.u8(at + 18)}")
        o.append(f", gm clock id : 0x{r.be(at + 19, 8):x}")
        o.append(f", steps removed : {r.be(at + 27, 2)}")
        o.append(f", time source : 0x{r.u8(at + 29):x}")
    elif msg_type == 0xC:
        _ptp_port(r, at, o)
    elif msg_type == 0xD:
        _ptp_port(r, at, o)
        # print-ptp.c hands each of the four fields the same pointer: all show the first byte after the header
        for name, form in (("start boundary hops", "{}"), ("boundary hops", "{}"), ("flags", "0x{:x}"),
                           ("reserved", "0x{:x}")):  # fmt: skip
            o.append(f", , {name}  {form.format(r.u8(at))}")


def ptp_text(data: bytes, length: int) -> str:
    """print-ptp.c's text of a PTP message of ``length`` bytes (``data`` its captured part), over
    Ethernet or UDP ports 319 and 320."""
    return _run(_ptp, data, length, "ptp")


def _ptp_port(r: _Reader, at: int, o: list[str]) -> None:
    o.append(f", port identity : 0x{r.be(at, 8):x}")
    o.append(f", port id : {r.be(at + 8, 2)}")


# --- AoE (print-aoe.c) ---------------------------------------------------------------------------------

_AOE_FLAGS = {0x08: "Response", 0x04: "Error", 0x02: "MBZ-1", 0x01: "MBZ-0"}
_AOE_V1_HEADER = 10


def _aoe(r: _Reader, length: int, o: list[str]) -> None:
    o.append(f"AoE length {length}")
    if length < 1:
        o.append(" (invalid)")
        r.need(0, length)
        return
    version = r.u8(0) >> 4
    o.append(f", Ver {version}")
    if version != 1:
        return
    if length < _AOE_V1_HEADER:
        o.append(" (invalid)")
        r.need(0, length)
        return
    o.append(f", Flags: [{_bits(_AOE_FLAGS, r.u8(0) & 0x0F)}]")


# --- STP (print-stp.c) ---------------------------------------------------------------------------------

_STP_VERSIONS = {0x00: "802.1d", 0x02: "802.1w", 0x03: "802.1s", 0x04: "802.1aq"}
_STP_TYPES = {0x00: "Config", 0x02: "Rapid STP", 0x80: "Topology Change"}
_STP_FLAGS = {
    0x01: "Topology change", 0x02: "Proposal", 0x10: "Learn", 0x20: "Forward", 0x40: "Agreement",
    0x80: "Topology change ACK",
}  # fmt: skip
_STP_BPDU = 36  # sizeof(struct stp_bpdu_): through the version 1 length
_STP_MSTP_MIN = 102
_STP_V3_LENGTH_AT = 36
_SPB_MIN = 87


def _stp(r: _Reader, length: int, o: list[str]) -> None:
    r.proto = "stp"
    if length < 4:
        o.append(" (invalid)")
        return
    if r.be(0, 2):
        o.append(f"unknown STP version, length {length}")
        return
    version = r.u8(2)
    o.append(f"STP {_STP_VERSIONS.get(version, f'Unknown STP protocol (0x{version:02x})')}")
    if version not in _STP_VERSIONS:
        return
    kind = r.u8(3)
    o.append(f", {_STP_TYPES.get(kind, f'Unknown BPDU Type (0x{kind:02x})')}")
    if kind == 0x00 or (kind == 0x02 and version == 0x02):
        if length < (_STP_BPDU - 1 if kind == 0x00 else _STP_BPDU):
            o.append(" (invalid)")
            return
        o.append(f", Flags [{_bits(_STP_FLAGS, r.u8(4))}]")
        bridge = r.raw(17, 8)
        o.append(f", bridge-id {bridge[:2].hex()}.{_mac(bridge[2:])}.{r.be(25, 2):04x}, length {length}")
    elif kind == 0x02:
        if length < _STP_MSTP_MIN or r.u8(35) != 0:
            o.append(" (invalid)")
            return
        mstp = r.be(_STP_V3_LENGTH_AT, 2) + 2
        if length < _STP_BPDU + mstp:
            o.append(" (invalid)")
            return
        o.append(f", CIST Flags [{_bits(_STP_FLAGS, r.u8(4))}], length {length}")
        if version == 0x04:
            spb = r.be(_STP_V3_LENGTH_AT + mstp, 2) + 2
            if length < _STP_BPDU + mstp + spb or spb < _SPB_MIN:
                o.append(" (invalid)")


# --- LLC and SNAP (print-llc.c) ----------------------------------------------------------------------

_LLC_SAPS = {
    0x00: "Null", 0xFF: "Global", 0x02: "802.1B I", 0x03: "802.1B G", 0x06: "IP", 0x04: "SNA",
    0x0E: "ProWay NM",
    0x42: "STP", 0x4E: "RS511", 0x7E: "ISO8208", 0x8E: "ProWay", 0xAA: "SNAP", 0xE0: "IPX", 0xF0: "NetBeui",
    0xFE: "OSI",
}  # fmt: skip
_LLC_U_COMMANDS = {0x03: "ui", 0xE3: "test", 0xAF: "xid", 0x63: "ua", 0x43: "disc", 0x0F: "dm", 0x6F: "sabme",
                   0x87: "frmr"}  # fmt: skip
_LLC_S_COMMANDS = ("Receiver Ready", "Receiver not Ready", "Reject")
_LLC_U_FLAGS = {0x00: "Command", 0x01: "Response", 0x10: "Poll", 0x11: "Final"}
_LLC_IS_FLAGS = {0x00: "Command", 0x01: "Response", 0x100: "Poll", 0x101: "Final"}
_LLC_UI = 0x03
_LLC_XID = 0xAF
_LLC_XID_FI = 0x81

_OUI_NAMES = {
    0x000000: "Ethernet", 0x00000C: "Cisco", 0x00005E: "IANA", 0x000081: "Nortel Networks SONMP",
    0x0000F8: "Cisco bridged", 0x0080C2: "Ethernet bridged", 0x00A03E: "ATM Forum",
    0x00E02F: "DOCSIS Spanning Tree", 0x080007: "Appletalk", 0x009069: "Juniper", 0x080009: "Hewlett-Packard",
    0x00120F: "IEEE 802.3 Private", 0x0012BB: "ANSI/TIA", 0x001B21: "DCBX", 0x002320: "Nicira Networks",
    0x5C16C7: "Big Switch Networks", 0xB0D2F5: "Vello Systems", 0x002481: "HP", 0x0004EA: "HP-Labs",
    0x748771: "Infoblox Inc", 0xA42305: "Open Networking Lab", 0x00049F: "Freescale", 0x0015AD: "Netronome",
    0x001018: "Broadcom", 0x00E004: "PMC-Sierra", 0xD0F0DB: "Ericsson",
}  # fmt: skip
_OUI_ETHER, _OUI_CISCO, _OUI_CISCO_90, _OUI_RFC2684, _OUI_APPLETALK = (
    0x000000,
    0x00000C,
    0x0000F8,
    0x0080C2,
    0x080007,
)
_CISCO_PIDS = {
    0x2000: "CDP",
    0x2003: "VTP",
    0x2004: "DTP",
    0x0111: "UDLD",
    0x010B: "PVST",
    0x010C: "VLAN Bridge",
}
_BRIDGED_PIDS = {
    0x0001: "Ethernet + FCS", 0x0007: "Ethernet w/o FCS", 0x0002: "802.4 + FCS", 0x0008: "802.4 w/o FCS",
    0x0003: "Token Ring + FCS", 0x0009: "Token Ring w/o FCS", 0x0004: "FDDI + FCS", 0x000A: "FDDI w/o FCS",
    0x0005: "802.6 + FCS", 0x000B: "802.6 w/o FCS", 0x000E: "BPDU",
}  # fmt: skip
_PID_NAMES = {
    _OUI_ETHER: TCPDUMP_ETHERTYPE_NAMES, _OUI_CISCO_90: TCPDUMP_ETHERTYPE_NAMES,
    _OUI_APPLETALK: TCPDUMP_ETHERTYPE_NAMES, _OUI_CISCO: _CISCO_PIDS, _OUI_RFC2684: _BRIDGED_PIDS,
}  # fmt: skip
_ETHERTYPE_APPLETALK = {v: k for k, v in TCPDUMP_ETHERTYPE_NAMES.items()}["Appletalk"]


class _Unprinted(Exception):
    """The printer knows no protocol here: tcpdump's caller dumps the frame from the LLC header on in hex
    (its default print); ``at`` where the dump starts when llc_print dumps the payload itself."""

    def __init__(self, at: int = 0) -> None:
        super().__init__(at)
        self.at = at


def llc_text(
    data: bytes,
    length: int,
    addresses: tuple[bytes, bytes] | None,
    link_level: bool,
    default_print: bool = True,
) -> str:
    """print-llc.c's llc_print of an 802.2 frame of ``length`` bytes (``data`` its captured part);
    ``addresses``: the (source, destination) MACs tcpdump prints before an unknown SAP or SNAP type;
    ``link_level``: -e, whose LLC header text comes first. The hex dump of a payload tcpdump does not
    decode follows on lines of its own."""
    out: list[str] = []
    reader = _Reader(data, "llc", link_level)
    try:
        _llc(reader, length, out, addresses, link_level)
    except _Cut:
        out.append(f" [|{reader.proto}]")
    except _Unprinted as unprinted:
        dump = hex_lines(data[unprinted.at :], True) if default_print else ""
        if dump:
            out.append("\n" + dump)
    return "".join(out)


def _llc(
    r: _Reader, length: int, o: list[str], addresses: tuple[bytes, bytes] | None, link_level: bool
) -> None:
    if len(r.data) < 3 or length < 3:
        o.append(" [|llc]")
        raise _Unprinted
    dsap_field, ssap_field, control = r.data[0], r.data[1], r.data[2]
    is_u = control & 3 == 3
    if not is_u:
        if len(r.data) < 4 or length < 4:
            o.append(" [|llc]")
            raise _Unprinted(0)
        control = r.le(2, 2)
    size = 3 if is_u else 4
    if dsap_field == 0xFF and ssap_field == 0xFF:  # Novell's raw 802.3: IPX with no LLC header at all
        if link_level:
            o.append("IPX 802.3: ")
        _ipx(r, length, o)
        return
    dsap, ssap = dsap_field & 0xFE, ssap_field & 0xFE
    if link_level:
        o.append(
            f"LLC, dsap {_LLC_SAPS.get(dsap, 'Unknown')} (0x{dsap:02x}) "
            f"{'Group' if dsap_field & 1 else 'Individual'}, ssap {_LLC_SAPS.get(ssap, 'Unknown')} "
            f"(0x{ssap:02x}) {'Response' if ssap_field & 1 else 'Command'}"
            + (f", ctrl 0x{control:02x}: " if is_u else f", ctrl 0x{control:04x}: ")
        )
    body = r.sub(size, "llc")
    rest = length - size
    if dsap == ssap and control == _LLC_UI:
        if dsap == 0xAA:
            if not _snap(body, rest, o, addresses, link_level):
                raise _Unprinted
            return
        printer = _SAP_PRINTERS.get(dsap)
        if printer is not None:
            if dsap == 0xE0 and link_level:
                o.append("IPX 802.2: ")
            printer(body, rest, o)
            return
    if not link_level:
        if addresses is not None:
            o.append(f"{_mac(addresses[0])} > {_mac(addresses[1])} ")
        if ssap == dsap:
            o.append(f"{_LLC_SAPS.get(dsap, f'Unknown DSAP 0x{dsap:02x}')} ")
        else:
            o.append(f"{_LLC_SAPS.get(ssap, f'Unknown SSAP 0x{ssap:02x}')} > ")
            o.append(f"{_LLC_SAPS.get(dsap, f'Unknown DSAP 0x{dsap:02x}')} ")
            if addresses is not None:  # the addresses go with their SAPs
                o[-3:] = [
                    f"{_mac(addresses[0])} {_LLC_SAPS.get(ssap, f'Unknown SSAP 0x{ssap:02x}')} > "
                    f"{_mac(addresses[1])} {_LLC_SAPS.get(dsap, f'Unknown DSAP 0x{dsap:02x}')} "
                ]
    gsap = ssap_field & 1
    if is_u:
        command = control & 0xEF
        o.append(
            f"Unnumbered, {_LLC_U_COMMANDS.get(command, f'{command:02x}')}, "
            f"Flags [{_LLC_U_FLAGS[gsap | (control & 0x10)]}], length {length}"
        )
        if control & ~0x10 == _LLC_XID:
            if rest == 0:
                return
            if not body.data:
                o.append(" [|llc]")
                return
            if body.data[0] == _LLC_XID_FI:
                if len(body.data) < 3 or rest < 3:
                    o.append(" [|llc]")
                    raise _Unprinted(size)  # llc_print dumps the payload and its caller nothing more
                o.append(f": {body.data[1]:02x} {body.data[2]:02x}")
                return
    elif control & 1:
        command = (control >> 2) & 3
        o.append(
            f"Supervisory, {_LLC_S_COMMANDS[command] if command < 3 else '?'}, "
            f"rcv seq {(control >> 9) & 0x7F}, "
            f"Flags [{_LLC_IS_FLAGS[gsap | (control & 0x100)]}], length {length}"
        )
        return  # no payload to print
    else:
        o.append(
            f"Information, send seq {(control >> 1) & 0x7F}, rcv seq {(control >> 9) & 0x7F}, "
            f"Flags [{_LLC_IS_FLAGS[gsap | (control & 0x100)]}], length {length}"
        )
    raise _Unprinted


def _snap(
    r: _Reader, length: int, o: list[str], addresses: tuple[bytes, bytes] | None, link_level: bool
) -> bool:
    """print-llc.c's snap_print: False where it knows no protocol for the OUI and type (the caller
    dumps the bytes)."""
    r.proto = "snap"
    if len(r.data) < 5 or length < 5:
        o.append(" [|snap]")
        return True
    oui, etype = r.be(0, 3), r.be(3, 2)
    pid_names = _PID_NAMES.get(oui, {})
    if link_level:
        o.append(
            f"oui {_OUI_NAMES.get(oui, 'Unknown')} (0x{oui:06x}), {'ethertype' if oui == 0 else 'pid'} "
            f"{pid_names.get(etype, 'Unknown')} (0x{etype:04x}), length {length - 5}: "
        )
    body = r.sub(5, "snap")
    body.addresses = addresses  # GeoNet and CALM FAST print the source
    rest = length - 5
    printer: Printer | None = None
    if oui in (_OUI_ETHER, _OUI_CISCO_90) or (oui == _OUI_APPLETALK and etype == _ETHERTYPE_APPLETALK):
        printer = _ETHERTYPE_PRINTERS.get(etype)
    elif oui == _OUI_CISCO:
        printer = _CISCO_PRINTERS.get(etype)
    elif oui == _OUI_RFC2684 and etype == 0x000E:
        printer = _stp
    if printer is not None:
        printer(body, rest, o)
        return True
    if not link_level:
        if addresses is not None:
            o.append(f"{_mac(addresses[0])} > {_mac(addresses[1])} ")
        if oui == 0:
            o.append(
                f"SNAP, ethertype {TCPDUMP_ETHERTYPE_NAMES.get(etype, 'Unknown')} (0x{etype:04x}), "
                f"length {rest}: "
            )
        else:
            o.append(
                f"SNAP, oui {_OUI_NAMES.get(oui, 'Unknown')} (0x{oui:06x}), "
                f"pid {pid_names.get(etype, 'Unknown')} "
                f"(0x{etype:04x}), length {rest}: "
            )
    return False


# --- IPX (print-ipx.c) ---------------------------------------------------------------------------------


_IPX_HEADER = 30
_IPX_SOCKETS = {0x0451: "ipx-ncp", 0x0455: "ipx-netbios", 0x0456: "ipx-diags", 0x0553: "ipx-nwlink-dgm"}
_IPX_SAP, _IPX_RIP, _IPX_EIGRP = 0x0452, 0x0453, 0x85BE


def _ipx_address(r: _Reader, at: int) -> str:
    return f"{r.be(at, 4):08x}.{_mac(r.raw(at + 4, 6))}"


def _printjnp(r: _Reader, at: int, size: int, o: list[str]) -> None:
    """tcpdump's nd_printjnp: at most ``size`` bytes, up to a NUL, escaped as fn_print_char does; where
    the capture ends first, what there is, then the cut."""
    chunk = r.data[max(at, 0) : at + size]
    end = chunk.find(0)
    o.append(printable_text(chunk if end < 0 else chunk[:end]))
    if end < 0 and len(chunk) < size:
        raise _Cut


def _ipx(r: _Reader, length: int, o: list[str]) -> None:
    """print-ipx.c's ipx_print (``IPX `` only without -e)."""
    r.proto = "ipx"
    if not r.link_level:
        o.append("IPX ")
    o.append(f"{_ipx_address(r, 18)}.{r.be(28, 2):04x} > ")
    o.append(f"{_ipx_address(r, 6)}.{r.be(16, 2):04x}: ")
    size = r.be(2, 2)
    if size < _IPX_HEADER:
        o.append(f"[length {size} < {_IPX_HEADER}] (invalid)")
        return
    size -= _IPX_HEADER
    socket = r.be(16, 2)
    at = _IPX_HEADER
    if socket in _IPX_SOCKETS:
        o.append(f"{_IPX_SOCKETS[socket]} {size}")
    elif socket == _IPX_SAP:
        _ipx_sap(r, at, size, o)
    elif socket == _IPX_RIP:
        _ipx_rip(r, at, size, o)
    elif socket == _IPX_EIGRP:
        _eigrp(r, at, size, o)
    else:
        o.append(f"ipx-#{socket:x} {size}")


def _eigrp(r: _Reader, at: int, size: int, o: list[str]) -> None:
    """print-eigrp.c without -v, as IPX carries it: its 20-byte common header is read whole."""
    from .text import _EIGRP_OPCODES, _EIGRP_VERSION  # text imports this module

    r.proto = "eigrp"
    r.need(at, 20)
    version, opcode = r.u8(at), r.u8(at + 1)
    if version != _EIGRP_VERSION:
        o.append(f"EIGRP version {version} packet not supported")
        return
    o.append(f"EIGRP {_EIGRP_OPCODES.get(opcode, f'unknown ({opcode})')}, length: {size}")


def _ipx_sap(r: _Reader, at: int, size: int, o: list[str]) -> None:
    command = r.be(at, 2)
    if size < 2:
        o.append(" (invalid)")
        return
    at, size = at + 2, size - 2
    if command in (1, 3):
        o.append(f"{'ipx-sap-req' if command == 1 else 'ipx-sap-nearest-req'} {r.be(at, 2):04x}")
        return
    if command not in (2, 4):
        o.append(f"ipx-sap-?{command:x}")
        return
    o.append("ipx-sap-resp" if command == 2 else "ipx-sap-nearest-resp")
    for _ in range(8):
        if not size:
            return
        r.need(at, 2)
        if size < 2:
            o.append(" (invalid)")
            return
        o.append(f" {r.be(at, 2):04x} '")
        at, size = at + 2, size - 2
        if size < 48:
            o.append("' (invalid)")
            return
        _printjnp(r, at, 48, o)
        o.append("'")
        at, size = at + 48, size - 48
        r.need(at, 10)
        if size < 10:
            o.append(" (invalid)")
            return
        o.append(f" addr {_ipx_address(r, at)}")
        at, size = at + 10, size - 10
        r.need(at, 4)
        if size < 4:
            o.append(" (invalid)")
            return
        at, size = at + 4, size - 4


def _ipx_rip(r: _Reader, at: int, size: int, o: list[str]) -> None:
    command = r.be(at, 2)
    if size < 2:
        o.append(" (invalid)")
        return
    at, size = at + 2, size - 2
    if command not in (1, 2):
        o.append(f"ipx-rip-?{command:x}")
        return
    o.append("ipx-rip-req" if command == 1 else "ipx-rip-resp")
    for _ in range(1 if command == 1 else 50):
        if not size:
            return
        if size < 8:
            o.append(" (invalid)")
            return
        o.append(f" {r.be(at, 4):08x}/{r.be(at + 4, 2)}.{r.be(at + 6, 2)}")
        at, size = at + 8, size - 8


def _ipx_ether(r: _Reader, length: int, o: list[str]) -> None:
    """IPX in an Ethernet II frame: print-ether.c says so first."""
    o.append("(NOV-ETHII) ")
    _ipx(r, length, o)


# --- DECnet (print-decnet.c) ------------------------------------------------------------------------

_DN_REASONS = {
    0: "object rejected connect", 1: "insufficient resources", 2: "unrecognized node name",
    3: "node is shutting down", 4: "unrecognized object", 5: "invalid object name format",
    6: "object too busy",
    7: "protocol error discovered", 8: "third party abort", 9: "user abort", 10: "invalid node name format",
    11: "local node shutting down", 32: "insufficient local resources",
    33: "insufficient remote user resources",
    34: "invalid access control information", 36: "bad ACCOUNT information", 38: "no response from object",
    39: "node unreachable", 41: "no link terminate", 42: "disconnect complete",
    43: "bad image data in connect",
    54: "cryptographic service mismatch",
}  # fmt: skip
_DN_NODE_TYPES = ("reserved-ntype? ", "l2rout ", "l1rout ", "endnode ")
_DN_VERSIONS = ("ver 3.2 ", "ver 3.1 ", "ver 4.0 ", "ver 4.1 ")
_DN_NAKS = {"oack": "onak", "ackdat": "nakdat"}  # the other channel's field, when it is a negative ack
_DN_SHORT, _DN_LONG = 6, 21  # the short and long route headers


class _Invalid(Exception):
    """The printer's ``goto invalid``: tcpdump ends the text with `` (invalid)``."""


def _dn_address(value: int) -> str:
    return f"{value >> 10}.{value & 0x3FF}"


def _decnet(r: _Reader, length: int, o: list[str]) -> None:
    r.proto = "decnet"
    try:
        _decnet_body(r, length, o)
    except _Invalid:
        o.append(" (invalid)")


def _decnet_body(r: _Reader, length: int, o: list[str]) -> None:
    if length < _DN_SHORT:
        o.append(f" (length {length} < {_DN_SHORT})")
        raise _Invalid
    pktlen = r.le(0, 2)
    if pktlen < _DN_SHORT:
        o.append(f" (pktlen {pktlen} < {_DN_SHORT})")
        raise _Invalid
    if pktlen > length:
        o.append(f" (pktlen {pktlen} > {length})")
        raise _Invalid
    length = pktlen
    at = 2  # the route header
    flags = r.u8(at)
    if flags & 0x80:  # pad bytes before the message
        pad = flags & 0x7F
        if length < pad + 2:
            o.append(f" (length {length} < {pad + 2})")
            raise _Invalid
        r.need(at, pad)
        at += pad
        length -= pad
        flags = r.u8(at)
    if flags & 0x40:
        o.append("future-version-decnet")
        raise _Dump(at - 2, length)
    if flags & 0x01:
        _decnet_control(r, at, flags, length, o)
        return
    if flags & 7 == 6:
        if length < _DN_LONG:
            o.append(f" (length {length} < {_DN_LONG})")
            raise _Invalid
        r.need(at, _DN_LONG)
        dst, src, size = r.le(at + 7, 2), r.le(at + 15, 2), _DN_LONG
    elif flags & 7 == 2:
        dst, src, size = r.le(at + 1, 2), r.le(at + 3, 2), _DN_SHORT
        r.u8(at + 5)
    else:
        o.append("unknown message flags under mask")
        raise _Dump(at - 2, length)
    o.append(f"{_dn_address(src)} > {_dn_address(dst)} {pktlen} ")
    _nsp(r, at + size, length - size, o)


def _dn_acks(r: _Reader, at: int, size: int, o: list[str], other: str, limit: int | None) -> int:
    """The acknowledgement fields of a data, interrupt or link-service segment (``other`` names the
    second one), then ``seg N``; ``limit``: the length each field must fit in (None: not checked)."""
    end = at + 7
    ack = r.le(at + 5, 2)
    if ack & 0x8000:
        o.append(f"{'nak' if ack & 0xF000 == 0x9000 else 'ack'} {ack & 0xFFF} ")
        end += 2
        if limit is not None and limit < end - at:
            raise _Invalid
        ack = r.le(at + 7, 2)
        if ack & 0xA000:
            o.append(f"{_DN_NAKS[other] if ack & 0xB000 == 0xB000 else other} {ack & 0xFFF} ")
            end += 2
            if limit is not None and limit < end - at:
                raise _Invalid
            ack = r.le(at + 9, 2)
    o.append(f"seg {ack & 0xFFF} ")
    return end


def _nsp(r: _Reader, at: int, size: int, o: list[str]) -> None:
    if size < 5:
        o.append(f" (nsplen {size} < 5)")
        raise _Invalid
    flags = r.u8(at)
    dst, src = r.le(at + 1, 2), r.le(at + 3, 2)
    kind, sub = flags & 0x0C, flags & 0x70
    if kind == 0x00:
        if sub in (0x20, 0x00, 0x40, 0x60):
            o.append(f"data {src}>{dst} ")
            if size < 7:
                raise _Invalid
            _dn_acks(r, at, size, o, "oack", size)
        elif sub == 0x30:
            o.append("intr ")
            if size < 7:
                raise _Invalid
            _dn_acks(r, at, size, o, "ackdat", size)
        elif sub == 0x10:
            o.append(f"link-service {src}>{dst} ")
            if size < 13:
                raise _Invalid
            _dn_acks(r, at, size, o, "ackdat", None)
            lsflags, fcval = r.u8(at + 11), r.u8(at + 12)
            if lsflags & 0x0C == 0:
                o.append(f"dat seg count {fcval} ")
                modifier = lsflags & 3
                if modifier == 1:
                    o.append("donotsend-data ")
                elif modifier == 2:
                    o.append("send-data ")
                elif modifier == 3:
                    o.append(f"reserved-fcmod? {lsflags:x}")
            elif lsflags & 0x0C == 4:
                o.append(f"intr req count {fcval} ")
            else:
                o.append(f"reserved-fcval-int? {lsflags:x}")
        else:
            o.append(f"reserved-subtype? {flags:x} {src} > {dst}")
    elif kind == 0x04:
        if sub in (0x00, 0x10):
            o.append(f"{'data-ack' if sub == 0 else 'ils-ack'} {src}>{dst} ")
            if size < 9:
                raise _Invalid
            r.need(at, 9)
            ack = r.le(at + 5, 2)
            if ack & 0x8000:
                o.append(f"{'nak' if ack & 0xF000 == 0x9000 else 'ack'} {ack & 0xFFF} ")
                ack = r.le(at + 7, 2)
                if ack & 0xA000:
                    other = "oack" if sub == 0 else "ackdat"
                    o.append(f"{_DN_NAKS[other] if ack & 0xB000 == 0xB000 else other} {ack & 0xFFF} ")
        elif sub == 0x20:
            o.append(f"conn-ack {dst}")
        else:
            o.append(f"reserved-acktype? {flags:x} {src} > {dst}")
    elif kind == 0x08:
        if sub in (0x10, 0x60):
            o.append(f"{'conn-initiate' if sub == 0x10 else 'retrans-conn-initiate'} {src}>{dst} ")
            if size < 9:
                raise _Invalid
            _dn_services(r, at, o)
        elif sub == 0x20:
            o.append(f"conn-confirm {src}>{dst} ")
            if size < 10:
                raise _Invalid
            optlen = r.u8(at + 9)
            _dn_services(r, at, o)
            if optlen:
                o.append(f"optlen {optlen} ")
        elif sub == 0x30:
            o.append(f"disconn-initiate {src}>{dst} ")
            if size < 8:
                raise _Invalid
            reason, optlen = r.le(at + 5, 2), r.u8(at + 7)
            o.append(f"{_DN_REASONS.get(reason, f'reason-{reason}')} ")
            if optlen:
                o.append(f"optlen {optlen} ")
        elif sub == 0x40:
            o.append(f"disconn-confirm {src}>{dst} ")
            reason = r.le(at + 5, 2)
            o.append(f"{_DN_REASONS.get(reason, f'reason-{reason}')} ")
        else:
            o.append(f"reserved-ctltype? {flags:x} {src} > {dst}")
    else:
        o.append(f"reserved-type? {flags:x} {src} > {dst}")


def _dn_services(r: _Reader, at: int, o: list[str]) -> None:
    services, info, segsize = r.u8(at + 5), r.u8(at + 6), r.le(at + 7, 2)
    o.append({0x04: "seg ", 0x08: "msg "}.get(services & 0x0C, ""))
    o.append(_DN_VERSIONS[info & 3])
    o.append(f"segsize {segsize} ")


def _dn_info(info: int, names: tuple[tuple[int, str], ...]) -> str:
    return _DN_NODE_TYPES[info & 3] + "".join(text for bit, text in names if info & bit)


def _dn_routes(r: _Reader, at: int, size: int, what: str, o: list[str]) -> None:
    while size > 6:  # the last word is a checksum
        r.need(at, 6)
        count = r.le(at, 2)
        if count > 1024:
            return
        first, info = r.le(at + 2, 2), r.le(at + 4, 2)
        o.append(f"{{{what} {first}-{first + count} cost {info & 0x1FF} hops {(info >> 10) & 0x1F}}} ")
        at, size = at + 6, size - 6


def _decnet_control(r: _Reader, at: int, flags: int, length: int, o: list[str]) -> None:
    kind = flags & 0x0F
    if kind == 0x01:
        o.append("init ")
        if length < 12:
            raise _Invalid
        r.need(at, 12)
        o.append(_dn_info(r.u8(at + 3), ((0x04, "verif "), (0x08, "blo "))))
        o.append(
            f"src {_dn_address(r.le(at + 1, 2))}blksize {r.le(at + 4, 2)} vers {r.u8(at + 6)} "
            f"eco {r.u8(at + 7)} "
            f"ueco {r.u8(at + 8)} hello {r.le(at + 9, 2)}"
        )
    elif kind in (0x03, 0x05):
        o.append("verification " if kind == 0x03 else "test ")
        if length < 4:
            raise _Invalid
        label = "fcnval" if kind == 0x03 else "data"
        o.append(f"src {_dn_address(r.le(at + 1, 2))} {label} {r.u8(at + 3):o}")
    elif kind in (0x07, 0x09):
        o.append("lev-1-routing " if kind == 0x07 else "lev-2-routing ")
        if length < 4:
            raise _Invalid
        r.need(at, 4)
        o.append(f"src {_dn_address(r.le(at + 1, 2))} ")
        _dn_routes(r, at + 4, length - 4, "ids" if kind == 0x07 else "areas", o)
    elif kind == 0x0B:
        o.append("router-hello ")
        if length < 18:
            raise _Invalid
        r.need(at, 18)
        o.append(_dn_info(r.u8(at + 10), ((0x04, "verif "), (0x20, "nomcast "), (0x40, "blo "))))
        o.append(
            f"vers {r.u8(at + 1)} eco {r.u8(at + 2)} ueco {r.u8(at + 3)} src {_dn_address(r.le(at + 8, 2))} "
            f"blksize {r.le(at + 11, 2)} pri {r.u8(at + 13)} hello {r.le(at + 15, 2)}"
        )
    elif kind == 0x0D:
        o.append("endnode-hello ")
        if length < 32:
            raise _Invalid
        vers, eco, ueco = r.u8(at + 1), r.u8(at + 2), r.u8(at + 3)
        src, info, blksize = r.le(at + 8, 2), r.u8(at + 10), r.le(at + 11, 2)
        router, hello, data = r.le(at + 26, 2), r.le(at + 28, 2), r.u8(at + 31)
        o.append(_dn_info(info, ((0x04, "verif "), (0x20, "nomcast "), (0x40, "blo "))))
        o.append(
            f"vers {vers} eco {eco} ueco {ueco} src {_dn_address(src)} blksize {blksize} "
            f"rtr {_dn_address(router)} hello {hello} data {data:o}"
        )
    else:
        o.append("unknown control message")
        raise _Dump(at, length)


# --- Cisco's protocols after SNAP: CDP, DTP, VTP, UDLD (print-cdp.c, print-dtp.c, ...) ---------------


def hex_print(data: bytes, ident: str) -> str:
    """tcpdump's hex_print: ``ident`` then ``0x0000:`` and up to eight 16-bit words a line, no ASCII."""
    lines = []
    for start in range(0, len(data), 16):
        chunk = data[start : start + 16]
        words = "".join(f" {chunk[i : i + 2].hex()}" for i in range(0, len(chunk), 2))
        lines.append(f"{ident}0x{start:04x}: {words}")
    return "".join(lines)


def _printn(r: _Reader, at: int, size: int, o: list[str]) -> None:
    """tcpdump's nd_printn: ``size`` bytes escaped as fn_print_char does; where the capture ends first,
    what there is, then the cut."""
    r.need(at, 0)
    chunk = r.data[at : at + size]
    o.append(printable_text(chunk))
    if len(chunk) < size:
        raise _Cut


# CDP TLV types whose length tcpdump checks even without -v: (least, most), 0 for no bound
_CDP_BOUNDS = {0x04: (4, 4), 0x0A: (2, 2), 0x0B: (1, 1), 0x0E: (3, 3), 0x0F: (2, 3), 0x10: (1, 3),
               0x11: (4, 4),
               0x12: (1, 1), 0x13: (1, 1), 0x16: (4, 0), 0x17: (1, 0)}  # fmt: skip
_CDP_KNOWN = frozenset((*range(0x01, 0x0C), *range(0x0E, 0x18)))
_CDP_TLV_NAMES = {
    0x01: "Device-ID", 0x02: "Address", 0x03: "Port-ID", 0x04: "Capability", 0x05: "Version String",
    0x06: "Platform", 0x07: "Prefixes", 0x08: "Protocol-Hello option", 0x09: "VTP Management Domain",
    0x0A: "Native VLAN ID", 0x0B: "Duplex", 0x0E: "ATA-186 VoIP VLAN assignment",
    0x0F: "ATA-186 VoIP VLAN request", 0x10: "power consumption", 0x11: "MTU", 0x12: "AVVID trust bitmap",
    0x13: "AVVID untrusted ports CoS", 0x14: "System Name", 0x15: "System Object ID (not decoded)",
    0x16: "Management Addresses", 0x17: "Physical Location",
}  # fmt: skip


def _cdp(r: _Reader, length: int, o: list[str]) -> None:
    r.proto = "cdp"
    total = length
    if length < 4:
        o.append(f" (packet length {length} < 4) (invalid)")
        r.need(0, length)
        return
    o.append(f"CDPv{r.u8(0)}, ttl: {r.u8(1)}s")
    r.be(2, 2)
    at, length = 4, length - 4
    while length:
        if length < 4:
            o.append(f" (remaining packet length {length} < 4) (invalid)")
            r.need(at, length)
            return
        kind, size = r.be(at, 2), r.be(at + 2, 2)
        if size < 4:
            o.append(
                f", {_CDP_TLV_NAMES.get(kind, 'unknown field type')} TLV length {size} too short (invalid)"
            )
            r.need(at, length)
            return
        if size > length:
            o.append(f" (TLV length {size} > {length}) (invalid)")
            r.need(at, length)
            return
        at, length, size = at + 4, length - 4, size - 4
        if kind == 0x01:
            o.append(", Device-ID ")
        covered = False
        if kind in _CDP_KNOWN:
            least, most = _CDP_BOUNDS.get(kind, (0, 0))
            if (least and size < least) or (most and size > most):
                o.append(" (malformed TLV)")
            elif kind == 0x01:
                o.append("'")
                _printn(r, at, size, o)
                o.append("'")
                covered = True
        if not covered:
            r.need(at, size)
            o.append(hex_print(r.data[at : at + size], "\n\t  "))
        at, length = at + size, length - size
    o.append(f", length {total}")


def _dtp(r: _Reader, length: int, o: list[str]) -> None:
    r.proto = "dtp"
    if length < 1:
        o.append("[zero packet length] (invalid)")
        r.need(0, length)
        return
    o.append(f"DTPv{r.u8(0)}, length {length}")


_VTP_TYPES = {
    1: "Summary advertisement",
    2: "Subset advertisement",
    3: "Advertisement request",
    4: "Join message",
}


def _vtp(r: _Reader, length: int, o: list[str]) -> None:
    r.proto = "vtp"
    if length < 36:
        o.append(" (invalid)")
        r.need(0, length)
        return
    r.need(0, 36)
    kind = r.u8(1)
    o.append(
        f"VTPv{r.u8(0)}, Message {_VTP_TYPES.get(kind, 'Unknown message type')} (0x{kind:02x}), "
        f"length {length}"
    )
    r.need(0, length)


_UDLD_CODES = ("Reserved", "Probe message", "Echo message", "Flush message")
_UDLD_FLAGS = {1 << bit: name for bit, name in enumerate(("RT", "RSY", *(f"MBZ-{n}" for n in range(2, 8))))}


def _udld(r: _Reader, length: int, o: list[str]) -> None:
    r.proto = "udld"
    if length < 4:
        o.append(" (invalid)")
        r.need(0, length)
        return
    first, flags = r.u8(0), r.u8(1)
    code = first & 0x1F
    o.append(
        f"UDLDv{first >> 5}, Code {_UDLD_CODES[code] if code < 4 else 'Reserved'} ({code:x}), "
        f"Flags [{_bits(_UDLD_FLAGS, flags)}] (0x{flags:02x}), length {length}"
    )
    r.need(2, length - 2)


# --- LLDP, Loopback, CFM (print-lldp.c, print-loopback.c, print-cfm.c) ----------------------------------


def _lldp(r: _Reader, length: int, o: list[str]) -> None:
    r.proto = "lldp"
    o.append(f"LLDP, length {length}")
    at, left = 0, length
    while left >= 2:
        head = r.be(at, 2)
        kind, size = head >> 9, head & 0x1FF
        at, left = at + 2, left - 2
        if not kind or not size:
            return
        r.need(at, size)
        if left < size:
            raise _Cut
        if kind == 5:  # the system name, which tcpdump prints even without -v
            o.append(": ")
            _printjnp(r, at, size, o)
        at, left = at + size, left - size


def _loopback(r: _Reader, length: int, o: list[str]) -> None:
    r.proto = "loopback"
    o.append("Loopback")
    at = 0
    try:
        if length < 2:
            raise _Invalid
        skip = r.le(0, 2)
        at, length = 2, length - 2
        o.append(f", skipCount {skip}" + (" (bogus)" if skip % 8 else ""))
        if skip > length:
            raise _Invalid
        r.need(at, skip)
        at, length = at + skip, length - skip
        if length < 2:
            raise _Invalid
        function = r.le(at, 2)
        at, length = at + 2, length - 2
        o.append(", " + {1: "Reply", 2: "Forward Data"}.get(function, f" invalid ({function})"))
        if function == 1:
            if length < 2:
                raise _Invalid
            o.append(f", receipt number {r.le(at, 2)}")
            at, length = at + 2, length - 2
            o.append(f", data ({length} octets)")
        elif function == 2:
            if length < 6:
                raise _Invalid
            o.append(f", forwarding address {_mac(r.raw(at, 6))}")
            at, length = at + 6, length - 6
            o.append(f", data ({length} octets)")
        r.need(at, length)
    except _Invalid:
        o.append(" (invalid)")
        r.need(at, length)


_CFM_OPCODES = {1: "Continuity Check Message", 2: "Loopback Reply", 3: "Loopback Message",
                4: "Linktrace Reply",
                5: "Linktrace Message"}  # fmt: skip


def _cfm(r: _Reader, length: int, o: list[str]) -> None:
    r.proto = "cfm"
    if length < 4:
        o.append("\n\t\t packet is too short")
        return
    r.need(0, 4)
    first = r.u8(0)
    if first & 0x1F:
        o.append(f"CFMv{first & 0x1F} not supported, length {length}")
        return
    opcode = r.u8(1)
    o.append(
        f"CFMv0 {_CFM_OPCODES.get(opcode, f'unknown ({opcode})')}, MD Level {first >> 5}, length {length}"
    )


# --- OSI: IS-IS, ES-IS, CLNP (print-isoclns.c) ----------------------------------------------------------

_NLPID_NAMES = {
    0x00: "NULL", 0x08: "Q.933", 0x09: "LMI", 0x80: "SNAP", 0x81: "CLNP", 0x82: "ES-IS", 0x83: "IS-IS",
    0x84: "CONS", 0x85: "IDRP", 0xC1: "ISIS_SPB", 0xB1: "FRF.15", 0xCC: "IPv4", 0xCF: "PPP",
    0x8A: "X25 ES-IS", 0x8E: "IPv6",
}  # fmt: skip
_NLPID_CLNP, _NLPID_ESIS, _NLPID_ISIS, _NLPID_NULLNS = 0x81, 0x82, 0x83, 0x00
_ISIS_PDUS = {15: "L1 Lan IIH", 16: "L2 Lan IIH", 17: "p2p IIH", 18: "L1 LSP", 20: "L2 LSP", 24: "L1 CSNP",
              25: "L2 CSNP", 26: "L1 PSNP", 27: "L2 PSNP"}  # fmt: skip
_ISIS_COMMON = 8
# the fixed header after the common one, by PDU type: IIH on a LAN, point-to-point IIH, LSP, CSNP, PSNP
_ISIS_FIXED = {15: 19, 16: 19, 17: 12, 18: 19, 20: 19, 24: 25, 25: 25, 26: 9, 27: 9}
_ESIS_PDUS = {6: "redirect", 2: "ESH", 4: "ISH"}
_CLNP_PDUS = {1: "Error Report", 28: "Data", 29: "MD", 30: "Echo Request", 31: "Echo Response"}


def _isis_id(r: _Reader, at: int, size: int) -> str:
    """print-isoclns.c's isis_print_id: ``1111.2222.3333``, then ``.nn`` and ``-nn`` for node and LSP ids."""
    raw = r.raw(at, size)
    text = f"{raw[0:2].hex()}.{raw[2:4].hex()}.{raw[4:6].hex()}"
    if size >= 7:
        text += f".{raw[6]:02x}"
    if size == 8:
        text += f"-{raw[7]:02x}"
    return text


def _isonsap(r: _Reader, at: int, size: int) -> str:
    """addrtoname.c's isonsap_string: the bytes in hex, a dot after the first and then every second one."""
    raw = r.raw(at, size)
    if not 1 <= size <= 20:
        return "isonsap_string: illegal length"
    return "".join(f"{b:02x}" + ("." if i % 2 == 0 and i + 1 < size else "") for i, b in enumerate(raw))


def osi_text(data: bytes, length: int, link_level: bool = False) -> str:
    """tcpdump's isoclns_print of an OSI network-layer PDU of ``length`` bytes (``data`` what the capture
    holds of it, from its NLPID on): ``IS-IS, L1 LSP, lsp-id ...``, ``ES-IS, ESH, length N``, a CLNP line
    or ``OSI NLPID 0x.. unknown, length: N``; hex lines follow where tcpdump dumps the PDU.
    ``link_level`` (-e) puts tcpdump's ``OSI NLPID name (0x..): `` first."""
    return _run(_osi, data, length, "isoclns", link_level)


def _osi(r: _Reader, length: int, o: list[str]) -> None:
    r.proto = "isoclns"
    nlpid = r.u8(0)
    if r.link_level:
        o.append(f"OSI NLPID {_NLPID_NAMES.get(nlpid, 'Unknown')} (0x{nlpid:02x}): ")
    sep = "" if r.link_level else ", "
    if nlpid in (_NLPID_CLNP, _NLPID_ISIS):
        r.proto = "clnp" if nlpid == _NLPID_CLNP else "isis"
        if not (_clnp(r, length, o) if nlpid == _NLPID_CLNP else _isis(r, length, o)):
            o.append(hex_print(r.data[:length], "\n\t"))
    elif nlpid == _NLPID_ESIS:
        _esis(r, length, o)
    elif nlpid == _NLPID_NULLNS:
        o.append(f"{sep}length: {length}")
    else:  # tcpdump hands IPv4, IPv6, PPP and Q.933 on; not decoded here
        if not r.link_level:
            o.append(f"OSI NLPID 0x{nlpid:02x} unknown")
        o.append(f"{sep}length: {length}")
        if length > 1:
            o.append(hex_print(r.data[:length], "\n\t"))


def _isis(r: _Reader, length: int, o: list[str]) -> bool:
    r.need(0, _ISIS_COMMON)
    if length < _ISIS_COMMON:
        raise _Cut
    if not r.link_level:
        o.append("IS-IS")
    version, id_length, pdu_version, fixed = r.u8(2), r.u8(3), r.u8(5), r.u8(1)
    if version != 1:
        o.append(f"version {version} packet not supported")
        return False
    if id_length not in (6, 0):
        o.append(f"system ID length of {id_length} is not supported")
        return False
    if pdu_version != 1:
        o.append(f"version {pdu_version} packet not supported")
        return False
    if length < fixed:
        o.append(f"fixed header length {fixed} > packet length {length}")
        return False
    if fixed < _ISIS_COMMON:
        o.append(f"fixed header length {fixed} < minimum header size {_ISIS_COMMON}")
        return False
    if r.u8(7) == 255:
        o.append("bad packet -- 255 areas")
        return False
    kind = r.u8(4)
    o.append(("" if r.link_level else ", ") + _ISIS_PDUS.get(kind, f"unknown PDU-Type {kind}"))
    size = _ISIS_FIXED.get(kind)
    if size is None:
        o.append(f", length {length}")
        return True
    if fixed != _ISIS_COMMON + size:
        dash = "- " if kind in (26, 27) else ", "
        # print-isoclns.c gives an LSP's header size alone as the one it should be
        should = size if kind in (18, 20) else _ISIS_COMMON + size
        o.append(f"{dash}bogus fixed header length {fixed} should be {should}")
        return False
    r.need(_ISIS_COMMON, size)
    if length < _ISIS_COMMON + size:
        raise _Cut
    if kind in (15, 16):
        o.append(f", src-id {_isis_id(r, 9, 6)}, lan-id {_isis_id(r, 20, 7)}, prio {r.u8(19)}")
    elif kind == 17:
        o.append(f", src-id {_isis_id(r, 9, 6)}")
    elif kind in (18, 20):
        o.append(f", lsp-id {_isis_id(r, 12, 8)}, seq 0x{r.be(20, 4):08x}, lifetime {r.be(10, 2):5d}s")
    else:
        o.append(f", src-id {_isis_id(r, 10, 7)}")
    o.append(f", length {length}")
    return True


def _esis(r: _Reader, length: int, o: list[str]) -> None:
    r.proto = "esis"
    if not r.link_level:
        o.append("ES-IS")
    if length <= 2:
        o.append("no header at all!")
        return
    r.need(0, 9)
    li = r.u8(1)
    if r.u8(0) != _NLPID_ESIS:
        o.append(f" nlpid 0x{r.u8(0):02x} packet not supported")
        return
    if r.u8(2) != 1:
        o.append(f" version {r.u8(2)} packet not supported")
        return
    if li > length:
        o.append(f" length indicator({li}) > PDU size ({length})!")
        return
    if li < 11:
        o.append(f" length indicator {li} < min PDU size:" + r.data.hex().upper())
        return
    kind = r.u8(4) & 0x1F
    o.append(
        f"{'' if r.link_level else ', '}{_ESIS_PDUS.get(kind, f'unknown type ({kind})')}, length {length}"
    )


def _clnp(r: _Reader, length: int, o: list[str]) -> bool:
    r.need(0, 9)
    li = r.u8(1)
    if not r.link_level:
        o.append("CLNP")
    if r.u8(2) != 1:
        o.append(f"version {r.u8(2)} packet not supported")
        return False
    if li > length:
        o.append(f" length indicator({li}) > PDU size ({length})!")
        return False
    if li < 9:
        o.append(f" length indicator {li} < min PDU size:" + r.data.hex().upper())
        return False
    kind = r.u8(4) & 0x1F
    at, left = 9, li - 9
    addresses = []
    for _ in range(2):
        if left < 1:
            o.append("li < size of fixed part of CLNP header and addresses")
            return False
        size = r.u8(at)
        at, left = at + 1, left - 1
        if left < size:
            o.append("li < size of fixed part of CLNP header and addresses")
            return False
        r.need(at, size)
        addresses.append((at, size))
        at, left = at + size, left - size
    (dst_at, dst_size), (src_at, src_size) = addresses
    o.append(
        f"{'' if r.link_level else ', '}{_isonsap(r, src_at, src_size)} > {_isonsap(r, dst_at, dst_size)}, "
        f"{_CLNP_PDUS.get(kind, f'unknown ({kind})')}, length {length}"
    )
    return True


def _osi_ether(r: _Reader, length: int, o: list[str]) -> None:
    """Ethernet type 0xfefe: one byte tcpdump steps over, then an OSI PDU."""
    if length == 0 or not r.data:
        r.proto = "isoclns"
        raise _Cut
    _osi(r.sub(1, "isoclns"), length - 1, o)


# --- PPPoE (print-pppoe.c) -----------------------------------------------------------------------------

_PPPOE_CODES = {0x09: "PADI", 0x07: "PADO", 0x19: "PADR", 0x65: "PADS", 0xA7: "PADT", 0: ""}
_PPPOE_TAGS = {
    0: "EOL", 0x0101: "Service-Name", 0x0102: "AC-Name", 0x0103: "Host-Uniq", 0x0104: "AC-Cookie",
    0x0105: "Vendor-Specific", 0x0110: "Relay-Session-ID", 0x0120: "PPP-Max-Payload",
    0x0201: "Service-Name-Error", 0x0202: "AC-System-Error", 0x0203: "Generic-Error",
}  # fmt: skip
_PPPOE_HEADER = 6
_PPPOE_TAG_PRINT = 79  # MAXTAGPRINT less its NUL


def _pppoe(r: _Reader, length: int, o: list[str]) -> None:
    """pppoe_print up to the PPP frame of a session, which the layers after this one print."""
    r.proto = "pppoe"
    if length < _PPPOE_HEADER:
        o.append(f" (length {length} < {_PPPOE_HEADER}) (invalid)")
        return
    length -= _PPPOE_HEADER
    r.need(0, _PPPOE_HEADER)
    first, code, session, size = r.u8(0), r.u8(1), r.be(2, 2), r.be(4, 2)
    if first >> 4 != 1:
        o.append(f" [ver {first >> 4}]")
    if first & 0x0F != 1:
        o.append(f" [type {first & 0x0F}]")
    o.append(f"PPPoE {_PPPOE_CODES.get(code, f'PAD-{code:x}')}")
    if code == 0x09 and size > 1484 - _PPPOE_HEADER:
        o.append(f" [len {size}!]")
    if size > length:
        o.append(f" [len {size} > {length}!]")
        size = length
    if session:
        o.append(f" [ses 0x{session:x}]")
    if not code:
        o.append(" ")
        r.carry = True
        return
    at, tag = _PPPOE_HEADER, 0xFFFF
    while tag and at < _PPPOE_HEADER + size:
        tag, tag_len = r.be(at, 2), r.be(at + 2, 2)
        at += 4
        name = _PPPOE_TAGS.get(tag, f"TAG-0x{tag:x}")
        if tag_len:
            value = r.raw(at, tag_len)
            shown = value[:_PPPOE_TAG_PRINT]
            text = "".join(chr(c) if 0x20 <= c < 0x7F else "." for c in shown)
            printable = sum(1 for c in shown if 0x20 <= c < 0x7F)
            if printable > len(shown) - printable:
                o.append(f' [{name} "{text}"]')
            else:
                o.append(f" [{name} 0x{value.hex().upper()}]")
        else:
            o.append(f" [{name}]")
        at += tag_len


# --- EAPOL (print-eap.c) ------------------------------------------------------------------------------

_EAPOL_TYPES = ("EAP packet", "EAPOL start", "EAPOL logoff", "EAPOL key", "Encapsulated ASF alert")


def _eapol(r: _Reader, length: int, o: list[str]) -> None:
    r.proto = "eap"
    r.need(0, 4)
    kind = r.u8(1)
    name = _EAPOL_TYPES[kind] if kind < len(_EAPOL_TYPES) else "unknown"
    o.append(f"{name} ({kind}) v{r.u8(0)}, len {r.be(2, 2)}")


# --- MS NLB, Slow Protocols (print-msnlb.c, print-slow.c) ---------------------------------------------


def _ipv4_text(raw: bytes) -> str:
    return ".".join(str(b) for b in raw)


def _msnlb(r: _Reader, length: int, o: list[str]) -> None:
    r.proto = "msnlb"
    o.append("MS NLB heartbeat")
    o.append(f", host priority: {r.le(8, 4)}")
    o.append(f", cluster IP: {_ipv4_text(r.raw(12, 4))}")
    o.append(f", host IP: {_ipv4_text(r.raw(16, 4))}")


_SLOW_PROTOCOLS = {1: "LACP", 2: "MARKER", 3: "OAM"}


def _slow(r: _Reader, length: int, o: list[str]) -> None:
    r.proto = "slow"
    if length < 1:
        o.append(" (packet is too short)")
        return
    subtype = r.u8(0)
    name = _SLOW_PROTOCOLS.get(subtype, f"unknown ({subtype})")
    if subtype in (1, 2):
        if length < 2:
            o.append(" (packet is too short)")
            return
        version = r.u8(1)
        if version != 1:
            o.append(f"{name} version {version} packet not supported")
            return
        o.append(f"{name}v{version}, length {length}")
    else:
        o.append(f"{name}, length {length}")
        if subtype != 3:
            o.append(hex_print(r.data[:length], "\n\t"))


# --- ARP and RARP (print-arp.c) -----------------------------------------------------------------------

_ARP_OPS = {1: "Request", 2: "Reply", 3: "Reverse Request", 4: "Reverse Reply", 8: "Inverse Request",
            9: "Inverse Reply", 10: "NACK Reply"}  # fmt: skip
_ARP_HARDWARE = {1: "Ethernet", 6: "TokenRing", 7: "ArcNet", 15: "FrameRelay", 23: "Strip", 24: "IEEE 1394",
                 19: "ATM", 32: "InfiniBand"}  # fmt: skip
_ARPHRD_FRELAY = 15
_ETHERTYPE_IP, _ETHERTYPE_TRAIL = 0x0800, 0x1000


def _arp(r: _Reader, length: int, o: list[str]) -> None:
    """arp_print (not ATM's RFC 2225 form): ``ARP, Request who-has ...``, ``ARP, Reverse Reply ...``."""
    r.proto = "arp"
    r.need(0, 8)
    hrd, pro, hln, pln, op = r.be(0, 2), r.be(2, 2), r.u8(4), r.u8(5), r.be(6, 2)
    r.need(8, 2 * (hln + pln))
    sha, spa, tha, tpa = 8, 8 + hln, 8 + hln + pln, 8 + 2 * hln + pln
    if not r.link_level:
        o.append("ARP, ")
    ip = pro in (_ETHERTYPE_IP, _ETHERTYPE_TRAIL)
    if not ip or pln != 4 or hln == 0:
        o.append(
            f"{_ARP_HARDWARE.get(hrd, f'Unknown Hardware ({hrd})')} (len {hln}), "
            f"{TCPDUMP_ETHERTYPE_NAMES.get(pro, f'Unknown Protocol (0x{pro:04x})')} (len {pln}), "
            f"length {length}"
        )
        return

    def link(at: int) -> str:
        raw = r.raw(at, hln)
        if hrd == _ARPHRD_FRELAY:
            if len(raw) >= 2 and not raw[0] & 1 and raw[1] & 1:
                return f"DLCI {((raw[0] & 0xFC) << 2) | (raw[1] >> 4)}"
            return "<Invalid DLCI>"
        return _mac(raw)

    def address(at: int) -> str:
        return _ipv4_text(r.raw(at, 4))

    o.append(f"{_ARP_OPS.get(op, f'Unknown ({op})')} ")
    if op == 1:
        o.append(f"who-has {address(tpa)}")
        if any(r.raw(tha, hln)):
            o.append(f" ({link(tha)})")
        o.append(f" tell {address(spa)}")
    elif op == 2:
        o.append(f"{address(spa)} is-at {link(sha)}")
    elif op in (3, 8):
        o.append(f"who-is {link(tha)} tell {link(sha)}")
    elif op == 4:
        o.append(f"{link(tha)} at {address(tpa)}")
    elif op == 9:
        o.append(f"{link(sha)} at {address(spa)}")
    else:
        raise _Dump(0, len(r.data))
    o.append(f", length {length}")


# --- headers a frame goes on after: Arista's, MACsec's, NSH (print-arista.c, print-macsec.c, ...) ------

_ARISTA_TIMESCALES = ("TAI", "UTC")
_ARISTA_FORMATS = {1: "64-bit", 2: "48-bit"}
_ARISTA_HW = ("R/R2", "R3")
_ETHERTYPE_ARISTA = {v: k for k, v in TCPDUMP_ETHERTYPE_NAMES.items()}["Arista Vendor Specific Protocol"]


def _ethertype_text(etype: int) -> str:
    return f"ethertype {TCPDUMP_ETHERTYPE_NAMES.get(etype, 'Unknown')} (0x{etype:04x})"


def _arista(r: _Reader, length: int, o: list[str]) -> None:
    """``length``: the frame's, which tcpdump prints (with or without -e)."""
    r.proto = "arista"
    if len(r.data) < 2:
        o.append("[|arista]")
        return
    if not r.link_level:
        o.append(f"{_ethertype_text(_ETHERTYPE_ARISTA)}, length {length}: ")
    subtype = r.be(0, 2)
    o.append(f"SubType {'Timestamp' if subtype == 1 else 'Unknown'} (0x{subtype:04x}), ")
    size = 0
    if subtype == 1:
        scale = r.u8(2)
        o.append(f"Timescale {_ARISTA_TIMESCALES[scale] if scale < 2 else 'Unknown'} ({scale}), ")
        form, hw = r.u8(3) >> 4, r.u8(3) & 0x0F
        o.append(
            f"Format {_ARISTA_FORMATS.get(form, 'Unknown')} ({form}), "
            f"HwInfo {_ARISTA_HW[hw] if hw < 2 else 'Unknown'} ({hw}), Timestamp "
        )
        if form == 1:
            seconds, nanoseconds = r.be(4, 4), r.be(8, 4)
            when = datetime.datetime.fromtimestamp(seconds + nanoseconds // 10**9, datetime.timezone.utc)
            o.append(f"{when:%Y-%m-%d %H:%M:%S}.{nanoseconds % 10**9:09d}")
            size = 12
        elif form == 2:
            seconds, nanoseconds = r.be(4, 2), r.be(6, 4)
            o.append(f"{seconds + nanoseconds // 10**9}.{nanoseconds % 10**9:09d}")
            size = 10
    if not size:  # a subtype or format tcpdump does not know: the frame in hex
        if not r.link_level and r.addresses is not None:
            o.append(f"{_mac(r.addresses[0])} > {_mac(r.addresses[1])}, ")
            o.append(f"{_ethertype_text(_ETHERTYPE_ARISTA)}, length {length}: ")
        raise _Dump(0, len(r.data))
    o.append(": ")
    _inner_type(r, size, f"length {length}: ", o)
    r.carry = True


def _inner_type(r: _Reader, at: int, first: str, o: list[str]) -> None:
    """The EtherType at ``at`` that print-ether.c goes back to after Arista's or MACsec's header, and the
    VLAN tags before the last; -e prints them (``first``: what follows the first type, ``, length N: ``
    unless a length was printed already)."""
    etype = r.be(at, 2)
    if not r.link_level:
        return
    from .linklevel import vlan_tci_text  # linklevel imports links, which imports this module

    while etype in VLAN_ETHERTYPES and len(r.data) >= at + 6:
        o.append(f"{_ethertype_text(etype)}, {first}{vlan_tci_text(r.be(at + 2, 2))}, ")
        first, at = "", at + 4
        etype = r.be(at, 2)
    o.append(f"{_ethertype_text(etype)}, {first}")


_MACSEC_FLAGS = {0x08: "E", 0x04: "C", 0x40: "S", 0x10: "B", 0x20: "I"}


def _macsec(r: _Reader, length: int, o: list[str], goes_on: bool = False) -> None:
    """print-macsec.c's SecTAG; ``goes_on``: lean_ether checked that tcpdump reads the frame on, and the
    layer holds the tag and what -e prints after it, not the whole payload."""
    r.proto = "macsec"
    if len(r.data) < 6 or length < 6:
        raise _Cut
    tci, short = r.u8(0), r.u8(1)
    tag = 14 if tci & 0x20 else 6
    if len(r.data) < tag or length < tag:
        raise _Cut
    if short & 0xC0 or tci & 0x80:
        o.append(" (invalid)")
        return
    short &= 0x3F
    header = f"an {tci & 3}, pn {r.be(2, 4)}, flags {_bits(_MACSEC_FLAGS, tci & 0x7C, sep='')}"
    header += (f", sl {short}" if short else "") + (f", sci {r.be(6, 8):016x}" if tci & 0x20 else "") + ", "
    if r.link_level:
        o.append(header)
    if tci & 0x0C:  # encrypted or changed: the rest in hex
        if not r.link_level:
            if r.addresses is not None:
                o.append(f"{_mac(r.addresses[0])} > {_mac(r.addresses[1])} ")
            o.append("802.1AE MACsec, " + header)
        raise _Dump(tag, len(r.data) - tag)
    if not goes_on:
        inner, captured = length - tag - 16, len(r.data) - tag - 16
        if inner < 0 or captured < 0 or (short and (short > inner or short > captured)):
            raise _Cut
    _inner_type(r, tag, "", o)
    r.carry = True


def _macsec_on(r: _Reader, length: int, o: list[str]) -> None:
    _macsec(r, length, o, True)


def _nsh(r: _Reader, length: int, o: list[str]) -> None:
    r.proto = "nsh"
    if length < 8:
        o.append(f" (packet length {length} < 8) (invalid)")
        return
    base = r.be(0, 4)
    o.append("NSH, ")
    if base >> 30:
        return
    o.append(f"flags [{'O' if base >> 28 & 2 else 'none'}], ")
    words = base >> 16 & 0x3F
    if length < words * 4:
        o.append(f" (too many headers for packet length {length}) (invalid)")
        return
    o.append(f"service-path-id 0x{r.be(4, 3):06x}, ")
    o.append(f"service-index 0x{r.u8(7):x}")
    if words < 2:
        o.append(" (less than two headers) (invalid)")
        return
    r.need(8, (words - 2) * 4)
    o.append(": ")
    if base & 0xFF not in (1, 2, 3):
        o.append("ERROR: unknown-next-protocol")
        return
    r.carry = True


# --- AARP (print-atalk.c) -----------------------------------------------------------------------------

_AARP_SIZE = 28
_ETHERTYPE_ATALK = {v: k for k, v in TCPDUMP_ETHERTYPE_NAMES.items()}["Appletalk"]


def _atalk_address(raw: bytes) -> str:
    """print-atalk.c's ataddr_string with -n of a 4-byte AARP protocol address: ``net.node``, or the net
    alone for node 255."""
    net, node = raw[1] << 8 | raw[2], raw[3]
    return f"{net}.{node}" if node != 255 else f"{net}"


def _aarp(r: _Reader, length: int, o: list[str]) -> None:
    r.proto = "aarp"
    o.append("aarp ")
    r.need(0, _AARP_SIZE)
    if length < _AARP_SIZE:
        o.append(f" [|aarp {length}]")
        return
    htype, ptype, halen, palen, op = r.be(0, 2), r.be(2, 2), r.u8(4), r.u8(5), r.be(6, 2)
    if htype == 1 and ptype == _ETHERTYPE_ATALK and halen == 6 and palen == 4 and op in (1, 2, 3):
        source, target = _atalk_address(r.raw(14, 4)), _atalk_address(r.raw(24, 4))
        if op == 2:
            o.append(f"reply {source} is-at {_mac(r.raw(8, 6))}")
        else:
            o.append(f"{'who-has' if op == 1 else 'probe'} {target} tell {source}")
        return
    o.append(f"len {length} op {op} htype {htype} ptype {ptype:#x} halen {halen} palen {palen}")


# --- dispatch -------------------------------------------------------------------------------------------

_SAP_PRINTERS: dict[int, Printer] = {0x42: _stp, 0xE0: _ipx, 0xFE: _osi}
_CISCO_PRINTERS: dict[int, Printer] = {
    0x2000: _cdp,
    0x2004: _dtp,
    0x0111: _udld,
    0x2003: _vtp,
    0x010B: _stp,
    0x010C: _stp,
}
_PRINTERS: dict[str, Printer] = {
    "ptp": _ptp, "aoe": _aoe, "stp": _stp, "ipx": _ipx_ether, "decnet": _decnet, "lldp": _lldp,
    "loopback": _loopback, "cfm": _cfm, "osi": _osi_ether, "pppoe": _pppoe,
    "eapol": _eapol, "msnlb": _msnlb, "slow": _slow, "arp": _arp, "arista": _arista, "macsec": _macsec,
    "macsec-on": _macsec_on, "nsh": _nsh, "aarp": _aarp, **MISC_ETHER_PRINTERS,
}  # fmt: skip
# what print-ether.c's ethertype_print decodes (after SNAP too); Arista's and MACsec's headers only
# ether_common_print reads
_ETHERTYPE_PRINTERS = {
    etype: _PRINTERS[name]
    for etype, name in ETHER_PRINTERS.items()
    if name not in ("arista", "macsec", "macsec-on", "llc")
}


def ether_protocol_text(layer: EtherProtoLayer, link_level: bool = False, default_print: bool = True) -> str:
    """The text tcpdump prints for the protocol of an ``("ethproto", printer, data, length)`` layer
    (not ``llc``: see :func:`ether_protocol_line`); ``link_level``: -e; ``default_print``: hex lines
    below the line where tcpdump dumps what it does not decode."""
    _, name, data, length = layer
    return _run(_PRINTERS[name], data, length, name, link_level, default_print)


def ether_protocol_line(
    layer: EtherProtoLayer,
    eth: EthLayer | None,
    link_level: bool,
    default_print: bool = True,
    rest: Callable[[], str] | None = None,
) -> str:
    """The rest of the line from an ``ethproto`` layer on; ``eth`` the Ethernet header before it (whose
    addresses tcpdump prints before a payload it does not decode), ``link_level`` -e, ``default_print``
    whether a payload tcpdump does not decode is dumped in hex below the line, ``rest`` the text of the
    layers after this one (what a PPPoE session, Arista's or MACsec's header or NSH carries)."""
    addresses = (eth[2], eth[1]) if eth is not None else None
    _, name, data, length = layer
    if name == "llc":
        return llc_text(data, length, addresses, link_level, default_print)
    reader = _Reader(data, name, link_level)
    reader.addresses = addresses
    text = _run_reader(_PRINTERS[name], reader, length, default_print)
    if reader.carry and rest is not None:
        return text + rest()
    return text


__all__ = ["ether_protocol_line", "ether_protocol_text", "hex_print", "llc_text", "osi_text", "ptp_text"]
