"""Typed layers: one class per protocol, as Pcap4J has one Packet class per header.

The rich decoder gives each layer it decodes the class of its protocol (:func:`typed`), so
``packet.get(TCP)`` finds the TCP header and ``tcp.dst_port`` is ``TcpPort.HTTP``. The attributes are
Pcap4J's getters in Python spelling (``getSrcAddr()`` is ``src_addr``), typed: ``ipaddress`` objects for
IP addresses, named numbers (:mod:`pycapture.protocols.named`) for numbers Pcap4J names, ints and bools
for the rest, and None for a field the header lacks. Each reads the layer's decoded field (the one the
JSON shows), so the typed view, the JSON and the dump never disagree.

Every layer also has what :class:`~pycapture.decode.model.Layer` gives: ``header`` (its bytes),
``payload`` (the next layer), ``fields`` and ``to_dict``-ready values, and ``str(layer)``, Pcap4J's
dump of the header. A protocol without a class of its own stays a plain ``Layer``.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Callable, ClassVar, Generic, TypeVar, overload

from ..protocols.named import (
    ArpHardwareType,
    ArpOperation,
    DnsOpCode,
    DnsRCode,
    Dot11FrameType,
    EtherType,
    GtpV1MessageType,
    IcmpV4Code,
    IcmpV4Type,
    IcmpV6Code,
    IcmpV6Type,
    IpNumber,
    IpVersion,
    LinuxSllPacketType,
    LlcNumber,
    Oui,
    ProtocolFamily,
    SctpPort,
    TcpPort,
    UdpPort,
)
from . import builders as _builders
from .model import Layer

_T = TypeVar("_T")


class FieldValue(Generic[_T]):
    """An attribute that reads the layer's field ``key`` and converts its value (None stays None)."""

    def __init__(self, key: str, convert: Callable[[Any], _T] | None = None, doc: str = "") -> None:
        self.key = key
        self.convert = convert
        self.__doc__ = doc or f"The ``{key}`` field."

    @overload
    def __get__(self, layer: None, owner: type) -> FieldValue[_T]: ...

    @overload
    def __get__(self, layer: Layer, owner: type) -> _T | None: ...

    def __get__(self, layer: Layer | None, owner: type) -> FieldValue[_T] | _T | None:
        if layer is None:
            return self
        for f in layer.fields:
            if f.key == self.key:
                value = f.value
                if value is None or self.convert is None:
                    return value  # type: ignore[no-any-return]
                return self.convert(value)
        return None


def _ipv4(text: str) -> ipaddress.IPv4Address:
    return ipaddress.IPv4Address(text)


def _ipv6(text: str) -> ipaddress.IPv6Address:
    return ipaddress.IPv6Address(text)


def _hex_bytes(text: str) -> bytes:
    return bytes.fromhex(text.replace(":", ""))


def _flag(mask: int) -> Callable[[int], bool]:
    return lambda flags: bool(flags & mask)


class _Typed(Layer):
    """What every typed layer has besides its fields: Pcap4J's ``getBuilder()`` and ``Builder`` class."""

    Builder: ClassVar[type[_builders.Builder] | None] = None
    """The builder class of this protocol's header (``TCP.Builder is TcpBuilder``), or None."""

    def get_builder(self) -> _builders.Builder:
        """A builder filled from this header and the layers after it
        (:func:`~pycapture.decode.builders.builder_of`)."""
        return _builders.builder_of(self)


# --- link layers ----------------------------------------------------------------------------------


class Ethernet(_Typed):
    """An Ethernet II or IEEE 802.3 header (Pcap4J's ``EthernetPacket``)."""

    dst_addr = FieldValue("dst", str, "The destination MAC address, ``aa:bb:cc:dd:ee:ff``.")
    src_addr = FieldValue("src", str, "The source MAC address.")

    @property
    def type(self) -> EtherType | None:
        """The EtherType, or for an IEEE 802.3 frame its length (Pcap4J names it ``Length``)."""
        value = self.get("type", self.get("len"))
        return None if value is None else EtherType(value)

    pad = FieldValue("padding", _hex_bytes, "The bytes after the payload that fill the frame to 60 bytes.")


class VLAN(_Typed):
    """An IEEE 802.1Q tag (Pcap4J's ``Dot1qVlanTagPacket``)."""

    priority = FieldValue("priority", int)
    cfi = FieldValue("dei", bool, "The Canonical Format Indicator, now the Drop Eligible Indicator.")
    vid = FieldValue("id", int, "The VLAN ID.")
    type = FieldValue("etype", EtherType)


class SLL(_Typed):
    """A Linux cooked-capture header (Pcap4J's ``LinuxSllPacket``)."""

    packet_type = FieldValue("pkttype", LinuxSllPacketType)
    address_type = FieldValue("hatype", ArpHardwareType)
    address_length = FieldValue("halen", int)
    protocol = FieldValue("etype", EtherType)

    @property
    def address(self) -> str | None:
        value = self.get("src.eth", self.get("src.unknown"))
        return None if value is None else str(value)


class Null(_Typed):
    """A BSD loopback header (Pcap4J's ``BsdLoopbackPacket``)."""

    protocol_family = FieldValue("family", ProtocolFamily)


class LLC(_Typed):
    """An IEEE 802.2 Logical Link Control header (Pcap4J's ``LlcPacket``)."""

    dsap = FieldValue("dsap", LlcNumber)
    ssap = FieldValue("ssap", LlcNumber)
    control = FieldValue("control", int)


class SNAP(LLC):
    """An LLC header with its SNAP extension (Pcap4J's ``LlcPacket`` carrying a ``SnapPacket``)."""

    oui = FieldValue("oui", lambda text: Oui(int(text.replace(":", ""), 16)), "The OUI (the field is text).")
    protocol_id = FieldValue("pid", EtherType)


class ARP(_Typed):
    """An ARP message (Pcap4J's ``ArpPacket``)."""

    hardware_type = FieldValue("hw.type", ArpHardwareType)
    protocol_type = FieldValue("proto.type", EtherType)
    hardware_addr_length = FieldValue("hw.size", int)
    protocol_addr_length = FieldValue("proto.size", int)
    operation = FieldValue("opcode", ArpOperation)

    @property
    def src_hardware_addr(self) -> str | None:
        value = self.get("src.hw_mac", self.get("src.hw"))
        return None if value is None else str(value)

    @property
    def dst_hardware_addr(self) -> str | None:
        value = self.get("dst.hw_mac", self.get("dst.hw"))
        return None if value is None else str(value)

    @property
    def src_protocol_addr(self) -> ipaddress.IPv4Address | str | None:
        """The sender's IPv4 address, or for another protocol its address bytes as hex."""
        value = self.get("src.proto_ipv4")
        return _ipv4(value) if value is not None else self.get("src.proto")

    @property
    def dst_protocol_addr(self) -> ipaddress.IPv4Address | str | None:
        value = self.get("dst.proto_ipv4")
        return _ipv4(value) if value is not None else self.get("dst.proto")


# --- IP -------------------------------------------------------------------------------------------


class IPv4(_Typed):
    """An IPv4 header (Pcap4J's ``IpV4Packet``)."""

    version = FieldValue("version", IpVersion)

    @property
    def ihl(self) -> int | None:
        """The header length in 32-bit words."""
        length = self.get("hdr_len")
        return None if length is None else length // 4

    tos = FieldValue("dsfield", int, "The Type of Service byte (DSCP and ECN).")
    total_length = FieldValue("len", int)
    identification = FieldValue("id", int)
    reserved_flag = FieldValue("flags", _flag(4))
    dont_fragment_flag = FieldValue("flags", _flag(2))
    more_fragment_flag = FieldValue("flags", _flag(1))
    fragment_offset = FieldValue("frag_offset", int, "The fragment offset in 8-byte units.")
    ttl = FieldValue("ttl", int)
    protocol = FieldValue("proto", IpNumber)
    header_checksum = FieldValue("checksum", int)
    src_addr = FieldValue("src", _ipv4)
    dst_addr = FieldValue("dst", _ipv4)


class IPv6(_Typed):
    """An IPv6 header (Pcap4J's ``IpV6Packet``)."""

    version = FieldValue("version", IpVersion)
    traffic_class = FieldValue("tclass", int)
    flow_label = FieldValue("flow", int)
    payload_length = FieldValue("plen", int)
    next_header = FieldValue("nxt", IpNumber)
    hop_limit = FieldValue("hlim", int)
    src_addr = FieldValue("src", _ipv6)
    dst_addr = FieldValue("dst", _ipv6)


class IPv6Extension(_Typed):
    """An IPv6 extension header: hop-by-hop or destination options, routing, fragment."""

    next_header = FieldValue("nxt", IpNumber)


class IPv6Fragment(IPv6Extension):
    """An IPv6 Fragment header (Pcap4J's ``IpV6ExtFragmentPacket``)."""

    fragment_offset = FieldValue("offset", int, "The fragment offset in 8-byte units.")
    m = FieldValue("more", bool, "More Fragments.")
    identification = FieldValue("ident", int)


# --- transport ------------------------------------------------------------------------------------


class TCP(_Typed):
    """A TCP header (Pcap4J's ``TcpPacket``)."""

    src_port = FieldValue("srcport", TcpPort)
    dst_port = FieldValue("dstport", TcpPort)
    sequence_number = FieldValue("seq", int)
    acknowledgment_number = FieldValue("ack", int)

    @property
    def data_offset(self) -> int | None:
        """The header length in 32-bit words."""
        length = self.get("hdr_len")
        return None if length is None else length // 4

    reserved = FieldValue("flags.res", int)
    urg = FieldValue("flags.urg", bool)
    ack = FieldValue("flags.ack", bool)
    psh = FieldValue("flags.push", bool)
    rst = FieldValue("flags.reset", bool)
    syn = FieldValue("flags.syn", bool)
    fin = FieldValue("flags.fin", bool)
    window = FieldValue("window_size", int)
    checksum = FieldValue("checksum", int)
    urgent_pointer = FieldValue("urgent_pointer", int)

    @property
    def options(self) -> bytes:
        """The options' bytes, as captured (Pcap4J's ``getOptions()`` parses them; so does the dump)."""
        return self.header[20:]


class UDP(_Typed):
    """A UDP header (Pcap4J's ``UdpPacket``)."""

    src_port = FieldValue("srcport", UdpPort)
    dst_port = FieldValue("dstport", UdpPort)
    total_length = FieldValue("length", int, "The Length field: the header's 8 bytes and the data.")
    checksum = FieldValue("checksum", int)


class SCTP(_Typed):
    """An SCTP common header and its chunks (Pcap4J's ``SctpPacket``)."""

    src_port = FieldValue("srcport", SctpPort)
    dst_port = FieldValue("dstport", SctpPort)
    verification_tag = FieldValue("verification_tag", int)
    checksum = FieldValue("checksum", int)
    chunks = FieldValue("chunks", list)


# --- ICMP -----------------------------------------------------------------------------------------


class ICMPv4(_Typed):
    """An ICMPv4 message (Pcap4J's ``IcmpV4CommonPacket``); its type's class where there is one."""

    type = FieldValue("type", IcmpV4Type)

    @property
    def code(self) -> IcmpV4Code | None:
        code, kind = self.get("code"), self.get("type")
        return None if code is None else IcmpV4Code(code, kind)

    checksum = FieldValue("checksum", int)


class ICMPv4Echo(ICMPv4):
    """An Echo (ping) request (Pcap4J's ``IcmpV4EchoPacket``)."""

    identifier = FieldValue("ident", int)
    sequence_number = FieldValue("seq", int)


class ICMPv4EchoReply(ICMPv4Echo):
    """An Echo Reply (Pcap4J's ``IcmpV4EchoReplyPacket``)."""


class ICMPv4Error(ICMPv4):
    """An error that quotes the invoking packet: its headers are the layers after this one."""


class ICMPv4DestinationUnreachable(ICMPv4Error):
    pass


class ICMPv4SourceQuench(ICMPv4Error):
    pass


class ICMPv4Redirect(ICMPv4Error):
    gateway_internet_address = FieldValue("redir_gw", _ipv4)


class ICMPv4TimeExceeded(ICMPv4Error):
    pass


class ICMPv4ParameterProblem(ICMPv4Error):
    pointer = FieldValue("pointer", int)


class ICMPv4Timestamp(ICMPv4Echo):
    """A Timestamp request (type 13): times in milliseconds since midnight UT (RFC 792)."""

    originate_timestamp = FieldValue("originate_timestamp", int)
    receive_timestamp = FieldValue("receive_timestamp", int)
    transmit_timestamp = FieldValue("transmit_timestamp", int)


class ICMPv4TimestampReply(ICMPv4Timestamp):
    """A Timestamp Reply (type 14)."""


class ICMPv6(_Typed):
    """An ICMPv6 message (Pcap4J's ``IcmpV6CommonPacket``); its type's class where there is one."""

    type = FieldValue("type", IcmpV6Type)

    @property
    def code(self) -> IcmpV6Code | None:
        code, kind = self.get("code"), self.get("type")
        return None if code is None else IcmpV6Code(code, kind)

    checksum = FieldValue("checksum", int)


class ICMPv6EchoRequest(ICMPv6):
    identifier = FieldValue("echo.identifier", int)
    sequence_number = FieldValue("echo.sequence_number", int)


class ICMPv6EchoReply(ICMPv6EchoRequest):
    pass


class ICMPv6Error(ICMPv6):
    """An error that quotes the invoking packet: its headers are the layers after this one."""


class ICMPv6DestinationUnreachable(ICMPv6Error):
    pass


class ICMPv6PacketTooBig(ICMPv6Error):
    mtu = FieldValue("mtu", int)


class ICMPv6TimeExceeded(ICMPv6Error):
    pass


class ICMPv6ParameterProblem(ICMPv6Error):
    pointer = FieldValue("pointer", int)


class ICMPv6RouterSolicitation(ICMPv6):
    pass


class ICMPv6RouterAdvertisement(ICMPv6):
    cur_hop_limit = FieldValue("nd.ra.cur_hop_limit", int)
    managed_address_configuration_flag = FieldValue("nd.ra.flag.m", bool)
    other_configuration_flag = FieldValue("nd.ra.flag.o", bool)
    router_lifetime = FieldValue("nd.ra.router_lifetime", int)
    reachable_time = FieldValue("nd.ra.reachable_time", int)
    retrans_timer = FieldValue("nd.ra.retrans_timer", int)


class ICMPv6NeighborSolicitation(ICMPv6):
    target_address = FieldValue("nd.target", _ipv6)


class ICMPv6NeighborAdvertisement(ICMPv6):
    router_flag = FieldValue("nd.na.flag.r", bool)
    solicited_flag = FieldValue("nd.na.flag.s", bool)
    override_flag = FieldValue("nd.na.flag.o", bool)
    target_address = FieldValue("nd.target", _ipv6)


class ICMPv6Redirect(ICMPv6):
    target_address = FieldValue("nd.target", _ipv6)
    destination_address = FieldValue("nd.rd.dst", _ipv6)


# --- tunnels and applications ---------------------------------------------------------------------


class GTPv1(_Typed):
    """A GTPv1 header (Pcap4J's ``GtpV1Packet``)."""

    version = FieldValue("flags.version", int)
    protocol_type = FieldValue("flags.payload", bool, "True for GTP, False for GTP'.")
    extension_header_flag = FieldValue("flags.e", bool)
    sequence_number_flag = FieldValue("flags.s", bool)
    n_pdu_number_flag = FieldValue("flags.pn", bool)
    message_type = FieldValue("message", GtpV1MessageType)
    total_length = FieldValue("length", int, "The Length field: the bytes after the first 8.")
    teid = FieldValue("teid", int, "The Tunnel Endpoint Identifier.")
    sequence_number = FieldValue("seq_number", int)
    n_pdu_number = FieldValue("npdu_number", int)


class DNS(_Typed):
    """A DNS message (Pcap4J's ``DnsPacket``); questions and records as the JSON gives them."""

    id = FieldValue("id", int)
    response = FieldValue("qr", bool, "True for a response, False for a query.")
    op_code = FieldValue("opcode", DnsOpCode)
    authoritative_answer = FieldValue("aa", bool)
    truncated = FieldValue("tc", bool)
    recursion_desired = FieldValue("rd", bool)
    recursion_available = FieldValue("ra", bool)
    reserved = FieldValue("z", bool)
    authentic_data = FieldValue("ad", bool)
    checking_disabled = FieldValue("cd", bool)
    r_code = FieldValue("rcode", DnsRCode)
    qd_count = FieldValue("count.queries", int)
    an_count = FieldValue("count.answers", int)
    ns_count = FieldValue("count.auth_rr", int)
    ar_count = FieldValue("count.add_rr", int)
    questions = FieldValue("queries", list)
    answers = FieldValue("answers", list)
    authorities = FieldValue("authorities", list)
    additional_info = FieldValue("additionals", list)


# --- wireless -------------------------------------------------------------------------------------


class Radiotap(_Typed):
    """A Radiotap header (Pcap4J's ``RadiotapPacket``)."""

    version = FieldValue("version", int)
    pad = FieldValue("pad", int)
    present = FieldValue("present.word", int, "The first present-flags word.")
    tsft = FieldValue("mactime", int)
    flags = FieldValue("flags", int)
    rate = FieldValue("datarate", float, "The data rate in Mb/s.")
    channel_frequency = FieldValue("channel.freq", int)
    channel_flags = FieldValue("channel.flags", int)
    antenna_signal = FieldValue("dbm_antsignal", int, "In dBm.")
    antenna_noise = FieldValue("dbm_antnoise", int, "In dBm.")
    antenna = FieldValue("antenna", int)


class Dot11(_Typed):
    """An IEEE 802.11 MAC header (Pcap4J's ``Dot11*Packet`` classes)."""

    type = FieldValue("fc.type_subtype", Dot11FrameType)
    frame_control = FieldValue("fc", int)
    to_ds = FieldValue("fc.tods", bool)
    from_ds = FieldValue("fc.fromds", bool)
    protected_frame = FieldValue("fc.protected", bool)
    duration = FieldValue("duration", int)
    receiver_address = FieldValue("ra", str)
    transmitter_address = FieldValue("ta", str)
    destination_address = FieldValue("da", str)
    source_address = FieldValue("sa", str)
    bssid = FieldValue("bssid", str)
    sequence_number = FieldValue("seq", int)
    fragment_number = FieldValue("frag", int)
    fcs = FieldValue("fcs", int)


# --- Pcap4J's Builder classes ---------------------------------------------------------------------

Ethernet.Builder = _builders.EthernetBuilder
VLAN.Builder = _builders.VlanBuilder
ARP.Builder = _builders.ArpBuilder
LLC.Builder = _builders.LlcBuilder
SNAP.Builder = _builders.LlcBuilder
IPv4.Builder = _builders.IPv4Builder
IPv6.Builder = _builders.IPv6Builder
TCP.Builder = _builders.TcpBuilder
UDP.Builder = _builders.UdpBuilder
ICMPv4Echo.Builder = _builders.IcmpV4EchoBuilder
ICMPv4EchoReply.Builder = _builders.IcmpV4EchoReplyBuilder
ICMPv4DestinationUnreachable.Builder = _builders.IcmpV4DestinationUnreachableBuilder
ICMPv4TimeExceeded.Builder = _builders.IcmpV4TimeExceededBuilder
ICMPv4SourceQuench.Builder = _builders.IcmpV4SourceQuenchBuilder
ICMPv4Redirect.Builder = _builders.IcmpV4RedirectBuilder
ICMPv4ParameterProblem.Builder = _builders.IcmpV4ParameterProblemBuilder
ICMPv4Timestamp.Builder = _builders.IcmpV4TimestampBuilder
ICMPv4TimestampReply.Builder = _builders.IcmpV4TimestampReplyBuilder
ICMPv6EchoRequest.Builder = _builders.IcmpV6EchoRequestBuilder
ICMPv6EchoReply.Builder = _builders.IcmpV6EchoReplyBuilder
ICMPv6NeighborSolicitation.Builder = _builders.IcmpV6NeighborSolicitationBuilder
ICMPv6NeighborAdvertisement.Builder = _builders.IcmpV6NeighborAdvertisementBuilder
ICMPv6DestinationUnreachable.Builder = _builders.IcmpV6DestinationUnreachableBuilder
ICMPv6PacketTooBig.Builder = _builders.IcmpV6PacketTooBigBuilder
ICMPv6TimeExceeded.Builder = _builders.IcmpV6TimeExceededBuilder
ICMPv6ParameterProblem.Builder = _builders.IcmpV6ParameterProblemBuilder
ICMPv6RouterSolicitation.Builder = _builders.IcmpV6RouterSolicitationBuilder
ICMPv6RouterAdvertisement.Builder = _builders.IcmpV6RouterAdvertisementBuilder
ICMPv6Redirect.Builder = _builders.IcmpV6RedirectBuilder
IPv6Fragment.Builder = _builders.IPv6FragmentBuilder
# IPv6Extension is three headers: builder_of picks IPv6HopByHopOptionsBuilder,
# IPv6DestinationOptionsBuilder or IPv6RoutingBuilder by the layer's name
IPv6Extension.Builder = None
SCTP.Builder = _builders.SctpBuilder
SLL.Builder = _builders.SllBuilder
Null.Builder = _builders.NullBuilder
DNS.Builder = _builders.DnsBuilder
Radiotap.Builder = _builders.RadiotapBuilder
Dot11.Builder = _builders.Dot11Builder
GTPv1.Builder = _builders.GtpV1Builder


# --- the decoder's choice -------------------------------------------------------------------------

_BY_NAME: dict[str, type[Layer]] = {
    "eth": Ethernet,
    "vlan": VLAN,
    "sll": SLL,
    "null": Null,
    "arp": ARP,
    "ip": IPv4,
    "ipv6": IPv6,
    "ipv6.hopopts": IPv6Extension,
    "ipv6.dstopts": IPv6Extension,
    "ipv6.routing": IPv6Extension,
    "ipv6.fraghdr": IPv6Fragment,
    "tcp": TCP,
    "udp": UDP,
    "sctp": SCTP,
    "gtp": GTPv1,
    "dns": DNS,
    "radiotap": Radiotap,
    "wlan": Dot11,
}

_ICMP4_BY_TYPE: dict[int, type[ICMPv4]] = {
    0: ICMPv4EchoReply,
    3: ICMPv4DestinationUnreachable,
    4: ICMPv4SourceQuench,
    5: ICMPv4Redirect,
    8: ICMPv4Echo,
    11: ICMPv4TimeExceeded,
    12: ICMPv4ParameterProblem,
    13: ICMPv4Timestamp,
    14: ICMPv4TimestampReply,
}

_ICMP6_BY_TYPE: dict[int, type[ICMPv6]] = {
    1: ICMPv6DestinationUnreachable,
    2: ICMPv6PacketTooBig,
    3: ICMPv6TimeExceeded,
    4: ICMPv6ParameterProblem,
    128: ICMPv6EchoRequest,
    129: ICMPv6EchoReply,
    133: ICMPv6RouterSolicitation,
    134: ICMPv6RouterAdvertisement,
    135: ICMPv6NeighborSolicitation,
    136: ICMPv6NeighborAdvertisement,
    137: ICMPv6Redirect,
}


def typed(layer: Layer) -> None:
    """Give ``layer`` the class of its protocol, in place; a protocol without one keeps ``Layer``.

    The decoders build plain layers and the walk calls this once per layer, so the classes live in one
    table here rather than in every decoder. A class adds attributes only, never state, which is what
    lets the instance change class.
    """
    name = layer.name
    cls = _BY_NAME.get(name)
    if cls is None:
        if name == "icmp":
            cls = _ICMP4_BY_TYPE.get(layer.get("type"), ICMPv4)
        elif name == "icmpv6":
            cls = _ICMP6_BY_TYPE.get(layer.get("type"), ICMPv6)
        elif name == "llc":
            cls = SNAP if layer.get("oui") is not None else LLC
        else:
            return
    layer.__class__ = cls


__all__ = [
    "ARP",
    "DNS",
    "LLC",
    "SCTP",
    "SLL",
    "SNAP",
    "TCP",
    "UDP",
    "VLAN",
    "Dot11",
    "Ethernet",
    "FieldValue",
    "GTPv1",
    "ICMPv4",
    "ICMPv4DestinationUnreachable",
    "ICMPv4Echo",
    "ICMPv4EchoReply",
    "ICMPv4Error",
    "ICMPv4ParameterProblem",
    "ICMPv4Redirect",
    "ICMPv4SourceQuench",
    "ICMPv4TimeExceeded",
    "ICMPv4Timestamp",
    "ICMPv4TimestampReply",
    "ICMPv6",
    "ICMPv6DestinationUnreachable",
    "ICMPv6EchoReply",
    "ICMPv6EchoRequest",
    "ICMPv6Error",
    "ICMPv6NeighborAdvertisement",
    "ICMPv6NeighborSolicitation",
    "ICMPv6PacketTooBig",
    "ICMPv6ParameterProblem",
    "ICMPv6Redirect",
    "ICMPv6RouterAdvertisement",
    "ICMPv6RouterSolicitation",
    "ICMPv6TimeExceeded",
    "IPv4",
    "IPv6",
    "IPv6Extension",
    "IPv6Fragment",
    "Layer",
    "Null",
    "Radiotap",
    "typed",
]
