"""Pcap4J's packet Builders: one mutable builder per header, which builds the bytes of the whole stack.

Pcap4J builds a packet with ``new TcpPacket.Builder().srcPort(..)...payloadBuilder(..).build()`` and
``packet.getBuilder()`` gives a builder filled from a packet, to change a field and build again. Here::

    from pycapture.layers import EthernetBuilder, IPv4Builder, TcpBuilder, RawBuilder

    tcp = TcpBuilder(src_port=40000, dst_port=80, syn=True, window=64240, payload_builder=RawBuilder(b""),
                     correct_checksum_at_build=True, correct_length_at_build=True)
    ip = IPv4Builder(ttl=64, src_addr="192.0.2.1", dst_addr="192.0.2.2", payload_builder=tcp,
                     correct_checksum_at_build=True, correct_length_at_build=True)
    frame = EthernetBuilder(dst_addr="02:00:00:00:00:02", src_addr="02:00:00:00:00:01",
                            payload_builder=ip, padding_at_build=True).build()

    builder = packet.get_builder()          # or builder_of(packet.get(TCP)), or tcp_layer.get_builder()
    builder.payload_builder.payload_builder.dst_port = 8080

The keyword arguments and attributes are the typed layers' attributes (:mod:`pycapture.decode.layers`),
plus ``payload_builder`` and Pcap4J's switches ``correct_checksum_at_build``, ``correct_length_at_build``
and ``padding_at_build``, all False by default as in Pcap4J: a builder writes what it is given unless
told to compute. Every assignment is checked (TypeError for a wrong type, ValueError for a value out of
range). A number left None that names the next header (Ethernet's ``type``, IPv4's ``protocol``, IPv6's
``next_header``, VLAN's ``type``) is taken from the payload builder's protocol.

TCP, UDP and ICMPv6 checksums cover a pseudo-header with the IP addresses: their builders have
``src_addr``/``dst_addr`` as Pcap4J's have; left None, the enclosing IPv4 or IPv6 builder gives its own.

This module reads no decoder: :func:`builder_of` reads a layer through its typed attributes and header.
"""

from __future__ import annotations

import ipaddress
import re
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, NamedTuple, Optional, Union

from .. import checks
from ..protocols.named import (
    ArpHardwareType,
    ArpOperation,
    IcmpV4Type,
    IcmpV6Type,
    IpVersion,
    LlcNumber,
)
from ..protocols.numbers import (
    ETHERTYPE_ARP,
    ETHERTYPE_IP,
    ETHERTYPE_IP6,
    ETHERTYPE_VLAN,
    IPPROTO_DSTOPTS,
    IPPROTO_FRAGMENT,
    IPPROTO_HOPOPTS,
    IPPROTO_ICMP,
    IPPROTO_ICMPV6,
    IPPROTO_ROUTING,
    IPPROTO_SCTP,
    IPPROTO_TCP,
    IPPROTO_UDP,
)
from .model import DecodedPacket, Layer

IPv4Address = ipaddress.IPv4Address
IPv6Address = ipaddress.IPv6Address
IPAddress = Union[IPv4Address, IPv6Address]
_Outer = Optional[tuple[IPAddress, IPAddress]]

ETHERNET_HEADER = 14
ETHERNET_MIN_PAYLOAD = 46  # Pcap4J's MIN_ETHERNET_PAYLOAD_LENGTH: 60-byte frames without the FCS
_MAC_RE = re.compile(r"[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}")


# --- facts shared with pycapture.craft ------------------------------------------------------------


def internet_checksum(data: bytes) -> int:
    """RFC 1071's checksum of ``data``: the one's complement of the one's-complement sum of its 16-bit
    words, an odd last byte padded with a zero (Pcap4J's ``ByteArrays.calcChecksum``)."""
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return int(~total & 0xFFFF)


def pseudo_header(src: IPAddress, dst: IPAddress, protocol: int, length: int) -> bytes:
    """The IPv4 (RFC 793) or IPv6 (RFC 8200 8.1) pseudo-header a TCP, UDP or ICMPv6 checksum covers."""
    if src.version == 4:
        return src.packed + dst.packed + struct.pack("!xBH", protocol, length)
    return src.packed + dst.packed + struct.pack("!I3xB", length, protocol)


def transport_checksum(src: IPAddress, dst: IPAddress, protocol: int, segment: bytes) -> int:
    """The checksum of ``segment`` (its checksum field zero) over the pseudo-header."""
    return internet_checksum(pseudo_header(src, dst, protocol, len(segment)) + segment)


def ethernet_padding(payload_length: int) -> bytes:
    """The zero bytes that fill an Ethernet payload of ``payload_length`` bytes up to 46, the 60-byte
    minimum frame without its FCS (Pcap4J's ``paddingAtBuild``); none for a longer payload."""
    return bytes(max(0, ETHERNET_MIN_PAYLOAD - payload_length))


# --- checks of the fields -------------------------------------------------------------------------

_Check = Callable[[str, Any], Any]


def _uint(bits: int) -> _Check:
    top = (1 << bits) - 1

    def check(name: str, value: object) -> object:
        checks.integer(name, value, 0, top)
        return value  # as given: a named number (TcpPort.HTTP) stays named

    return check


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, not {type(value).__name__}")
    return value


def _bytes(name: str, value: object) -> bytes:
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(f"{name} must be bytes, not {type(value).__name__}")
    return bytes(value)


def _mac(name: str, value: object) -> str:
    text = checks.text(name, value)
    if not _MAC_RE.fullmatch(text):
        raise ValueError(f"{name} must be a MAC address like 02:00:00:00:00:01, not {text!r}")
    return text.lower().replace("-", ":")


def _address(version: int | None) -> _Check:
    def check(name: str, value: object) -> IPAddress | None:
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = ipaddress.ip_address(value)
            except ValueError:
                raise ValueError(f"{name} must be an IP address, not {value!r}") from None
        if not isinstance(value, (IPv4Address, IPv6Address)):
            raise TypeError(f"{name} must be a str or an ipaddress address, not {type(value).__name__}")
        if version is not None and value.version != version:
            raise ValueError(f"{name} must be an IPv{version} address, not {value}")
        return value

    return check


def _optional(check: _Check) -> _Check:
    return lambda name, value: None if value is None else check(name, value)


def _builder(name: str, value: object) -> Builder | None:
    if value is not None and not isinstance(value, Builder):
        raise TypeError(f"{name} must be a Builder or None, not {type(value).__name__}")
    return value


def _m(check: _Check) -> dict[str, _Check]:
    """A builder field's metadata: the check every assignment to it goes through."""
    return {"check": check}


def _u(bits: int) -> dict[str, _Check]:
    return _m(_uint(bits))


_BOOL = _m(_flag)
_PAYLOAD = _m(_builder)


# --- the builders ---------------------------------------------------------------------------------


@dataclass
class Builder:
    """A header's builder (Pcap4J's ``Packet.Builder``): its fields are attributes, checked when set."""

    _ETHERTYPE: ClassVar[int | None] = None  # the number of this header in an Ethernet or VLAN type
    _IP_NUMBER: ClassVar[int | None] = None  # its number in IPv4's protocol or IPv6's next header

    def __setattr__(self, name: str, value: object) -> None:
        spec = self.__dataclass_fields__.get(name)
        if spec is None:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}")
        super().__setattr__(name, spec.metadata["check"](name, value))

    def build(self) -> bytes:
        """The bytes of this header and of everything its payload builders build, payload first."""
        return self._build(None)

    def _build(self, outer: _Outer) -> bytes:
        payload_builder = getattr(self, "payload_builder", None)
        payload = b"" if payload_builder is None else payload_builder._build(self._outer(outer))
        return self._wrap(payload, outer)

    def _outer(self, outer: _Outer) -> _Outer:
        """The addresses this header's payload checksums over: an IP header's own, else the outer ones."""
        return outer

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        """This header (and any trailer) around the built ``payload``."""
        raise NotImplementedError

    def _pseudo(self, outer: _Outer) -> tuple[IPAddress, IPAddress]:
        src, dst = getattr(self, "src_addr", None), getattr(self, "dst_addr", None)
        if src is None or dst is None:
            if outer is None:
                raise ValueError(
                    f"{type(self).__name__} needs src_addr and dst_addr, or an enclosing IP builder, "
                    "to compute its checksum"
                )
            src, dst = (outer[0] if src is None else src), (outer[1] if dst is None else dst)
        if src.version != dst.version:
            raise ValueError(
                f"{type(self).__name__}'s src_addr {src} and dst_addr {dst} are of two IP versions"
            )
        return src, dst

    def _next_number(self, value: int | None, attribute: str, what: str) -> int:
        """``value``, or when None the payload builder's number for ``attribute``."""
        if value is not None:
            return value
        payload_builder = getattr(self, "payload_builder", None)
        number = None if payload_builder is None else getattr(payload_builder, attribute)
        if number is None:
            raise ValueError(f"{type(self).__name__} needs its {what}: the payload builder does not give one")
        return int(number)


@dataclass
class RawBuilder(Builder):
    """Bytes as they are (Pcap4J's ``UnknownPacket.Builder``): a payload no builder class describes."""

    data: bytes = field(default=b"", metadata=_m(_bytes))

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        return self.data


@dataclass
class EthernetBuilder(Builder):
    """An Ethernet II header (Pcap4J's ``EthernetPacket.Builder``); ``pad`` follows the payload, or with
    ``padding_at_build`` zeros fill the payload to 46 bytes (a 60-byte frame), as Pcap4J does."""

    dst_addr: str = field(default="00:00:00:00:00:00", metadata=_m(_mac))
    src_addr: str = field(default="00:00:00:00:00:00", metadata=_m(_mac))
    type: int | None = field(default=None, metadata=_m(_optional(_uint(16))))
    pad: bytes = field(default=b"", metadata=_m(_bytes))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    padding_at_build: bool = field(default=False, metadata=_BOOL)

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        kind = self._next_number(self.type, "_ETHERTYPE", "type")
        pad = ethernet_padding(len(payload)) if self.padding_at_build else self.pad
        return _mac_bytes(self.dst_addr) + _mac_bytes(self.src_addr) + struct.pack("!H", kind) + payload + pad


@dataclass
class VlanBuilder(Builder):
    """An IEEE 802.1Q tag (Pcap4J's ``Dot1qVlanTagPacket.Builder``)."""

    _ETHERTYPE = ETHERTYPE_VLAN

    priority: int = field(default=0, metadata=_u(3))
    cfi: bool = field(default=False, metadata=_BOOL)
    vid: int = field(default=0, metadata=_u(12))
    type: int | None = field(default=None, metadata=_m(_optional(_uint(16))))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        tci = self.priority << 13 | self.cfi << 12 | self.vid
        return struct.pack("!HH", tci, self._next_number(self.type, "_ETHERTYPE", "type")) + payload


@dataclass
class ArpBuilder(Builder):
    """An ARP message for Ethernet and IPv4 (Pcap4J's ``ArpPacket.Builder``); ``correct_length_at_build``
    sets the address lengths to 6 and 4."""

    _ETHERTYPE = ETHERTYPE_ARP

    hardware_type: int = field(default=ArpHardwareType.ETHERNET, metadata=_u(16))
    protocol_type: int = field(default=ETHERTYPE_IP, metadata=_u(16))
    hardware_addr_length: int = field(default=6, metadata=_u(8))
    protocol_addr_length: int = field(default=4, metadata=_u(8))
    operation: int = field(default=ArpOperation.REQUEST, metadata=_u(16))
    src_hardware_addr: str = field(default="00:00:00:00:00:00", metadata=_m(_mac))
    src_protocol_addr: IPv4Address = field(default=IPv4Address(0), metadata=_m(_address(4)))
    dst_hardware_addr: str = field(default="00:00:00:00:00:00", metadata=_m(_mac))
    dst_protocol_addr: IPv4Address = field(default=IPv4Address(0), metadata=_m(_address(4)))
    correct_length_at_build: bool = field(default=False, metadata=_BOOL)

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        hlen, plen = (
            (6, 4) if self.correct_length_at_build else (self.hardware_addr_length, self.protocol_addr_length)
        )
        head = struct.pack("!HHBBH", self.hardware_type, self.protocol_type, hlen, plen, self.operation)
        return (
            head
            + _mac_bytes(self.src_hardware_addr)
            + self.src_protocol_addr.packed
            + _mac_bytes(self.dst_hardware_addr)
            + self.dst_protocol_addr.packed
            + payload
        )


@dataclass
class IPv4Builder(Builder):
    """An IPv4 header (Pcap4J's ``IpV4Packet.Builder``); ``options`` are raw bytes, ``padding`` follows
    them (with ``padding_at_build``: zeros to a multiple of 4)."""

    _ETHERTYPE = ETHERTYPE_IP

    version: int = field(default=IpVersion.IPV4, metadata=_u(4))
    ihl: int = field(default=0, metadata=_u(4))
    tos: int = field(default=0, metadata=_u(8))
    total_length: int = field(default=0, metadata=_u(16))
    identification: int = field(default=0, metadata=_u(16))
    reserved_flag: bool = field(default=False, metadata=_BOOL)
    dont_fragment_flag: bool = field(default=False, metadata=_BOOL)
    more_fragment_flag: bool = field(default=False, metadata=_BOOL)
    fragment_offset: int = field(default=0, metadata=_u(13))
    ttl: int = field(default=0, metadata=_u(8))
    protocol: int | None = field(default=None, metadata=_m(_optional(_uint(8))))
    header_checksum: int = field(default=0, metadata=_u(16))
    src_addr: IPv4Address = field(default=IPv4Address(0), metadata=_m(_address(4)))
    dst_addr: IPv4Address = field(default=IPv4Address(0), metadata=_m(_address(4)))
    options: bytes = field(default=b"", metadata=_m(_bytes))
    padding: bytes = field(default=b"", metadata=_m(_bytes))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_checksum_at_build: bool = field(default=False, metadata=_BOOL)
    correct_length_at_build: bool = field(default=False, metadata=_BOOL)
    padding_at_build: bool = field(default=False, metadata=_BOOL)

    def _outer(self, outer: _Outer) -> _Outer:
        return self.src_addr, self.dst_addr

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        padding = bytes(-len(self.options) % 4) if self.padding_at_build else self.padding
        length = 20 + len(self.options) + len(padding)
        if length > 60:
            raise ValueError(f"IPv4 options and padding too long: a {length}-byte header, at most 60")
        ihl, total = (
            (length // 4, length + len(payload))
            if self.correct_length_at_build
            else (self.ihl, self.total_length)
        )
        if total > 0xFFFF:
            raise ValueError(f"IPv4 packet too long: {total} bytes, at most 65535")
        flags = self.reserved_flag << 15 | self.dont_fragment_flag << 14 | self.more_fragment_flag << 13
        protocol = self._next_number(self.protocol, "_IP_NUMBER", "protocol")
        head = bytearray(
            struct.pack(
                "!BBHHHBBH4s4s",
                self.version << 4 | ihl,
                self.tos,
                total,
                self.identification,
                flags | self.fragment_offset,
                self.ttl,
                protocol,
                0 if self.correct_checksum_at_build else self.header_checksum,
                self.src_addr.packed,
                self.dst_addr.packed,
            )
            + self.options
            + padding
        )
        if self.correct_checksum_at_build:
            struct.pack_into("!H", head, 10, internet_checksum(bytes(head)))
        return bytes(head) + payload


@dataclass
class IPv6Builder(Builder):
    """An IPv6 header without extension headers (Pcap4J's ``IpV6Packet.Builder``)."""

    _ETHERTYPE = ETHERTYPE_IP6

    version: int = field(default=IpVersion.IPV6, metadata=_u(4))
    traffic_class: int = field(default=0, metadata=_u(8))
    flow_label: int = field(default=0, metadata=_u(20))
    payload_length: int = field(default=0, metadata=_u(16))
    next_header: int | None = field(default=None, metadata=_m(_optional(_uint(8))))
    hop_limit: int = field(default=0, metadata=_u(8))
    src_addr: IPv6Address = field(default=IPv6Address(0), metadata=_m(_address(6)))
    dst_addr: IPv6Address = field(default=IPv6Address(0), metadata=_m(_address(6)))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_length_at_build: bool = field(default=False, metadata=_BOOL)

    def _outer(self, outer: _Outer) -> _Outer:
        return self.src_addr, self.dst_addr

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        length = len(payload) if self.correct_length_at_build else self.payload_length
        if length > 0xFFFF:
            raise ValueError(f"IPv6 payload too long: {length} bytes, at most 65535 (no jumbograms)")
        word = self.version << 28 | self.traffic_class << 20 | self.flow_label
        next_header = self._next_number(self.next_header, "_IP_NUMBER", "next_header")
        head = struct.pack("!IHBB", word, length, next_header, self.hop_limit)
        return head + self.src_addr.packed + self.dst_addr.packed + payload


@dataclass
class TcpBuilder(Builder):
    """A TCP header (Pcap4J's ``TcpPacket.Builder``); ``reserved`` is Pcap4J's six bits between the data
    offset and URG, ``options`` raw bytes, ``padding`` after them (``padding_at_build``: to 32 bits)."""

    _IP_NUMBER = IPPROTO_TCP

    src_port: int = field(default=0, metadata=_u(16))
    dst_port: int = field(default=0, metadata=_u(16))
    sequence_number: int = field(default=0, metadata=_u(32))
    acknowledgment_number: int = field(default=0, metadata=_u(32))
    data_offset: int = field(default=0, metadata=_u(4))
    reserved: int = field(default=0, metadata=_u(6))
    urg: bool = field(default=False, metadata=_BOOL)
    ack: bool = field(default=False, metadata=_BOOL)
    psh: bool = field(default=False, metadata=_BOOL)
    rst: bool = field(default=False, metadata=_BOOL)
    syn: bool = field(default=False, metadata=_BOOL)
    fin: bool = field(default=False, metadata=_BOOL)
    window: int = field(default=0, metadata=_u(16))
    checksum: int = field(default=0, metadata=_u(16))
    urgent_pointer: int = field(default=0, metadata=_u(16))
    options: bytes = field(default=b"", metadata=_m(_bytes))
    padding: bytes = field(default=b"", metadata=_m(_bytes))
    src_addr: IPAddress | None = field(default=None, metadata=_m(_address(None)))
    dst_addr: IPAddress | None = field(default=None, metadata=_m(_address(None)))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_checksum_at_build: bool = field(default=False, metadata=_BOOL)
    correct_length_at_build: bool = field(default=False, metadata=_BOOL)
    padding_at_build: bool = field(default=False, metadata=_BOOL)

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        padding = bytes(-len(self.options) % 4) if self.padding_at_build else self.padding
        length = 20 + len(self.options) + len(padding)
        if length > 60:
            raise ValueError(f"TCP options and padding too long: a {length}-byte header, at most 60")
        offset = length // 4 if self.correct_length_at_build else self.data_offset
        flags = (self.urg, self.ack, self.psh, self.rst, self.syn, self.fin)
        word = offset << 12 | self.reserved << 6 | sum(bit << (5 - i) for i, bit in enumerate(flags))
        head = bytearray(
            struct.pack(
                "!HHIIHHHH",
                self.src_port,
                self.dst_port,
                self.sequence_number,
                self.acknowledgment_number,
                word,
                self.window,
                0 if self.correct_checksum_at_build else self.checksum,
                self.urgent_pointer,
            )
            + self.options
            + padding
        )
        if self.correct_checksum_at_build:
            src, dst = self._pseudo(outer)
            struct.pack_into("!H", head, 16, transport_checksum(src, dst, IPPROTO_TCP, bytes(head) + payload))
        return bytes(head) + payload


@dataclass
class UdpBuilder(Builder):
    """A UDP header (Pcap4J's ``UdpPacket.Builder``). A computed checksum of 0 is sent as 0xffff (RFC
    768; Pcap4J sends 0, which means no checksum)."""

    _IP_NUMBER = IPPROTO_UDP

    src_port: int = field(default=0, metadata=_u(16))
    dst_port: int = field(default=0, metadata=_u(16))
    total_length: int = field(default=0, metadata=_u(16))
    checksum: int = field(default=0, metadata=_u(16))
    src_addr: IPAddress | None = field(default=None, metadata=_m(_address(None)))
    dst_addr: IPAddress | None = field(default=None, metadata=_m(_address(None)))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_checksum_at_build: bool = field(default=False, metadata=_BOOL)
    correct_length_at_build: bool = field(default=False, metadata=_BOOL)

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        length = 8 + len(payload) if self.correct_length_at_build else self.total_length
        if length > 0xFFFF:
            raise ValueError(f"UDP datagram too long: {length} bytes, at most 65535")
        head = struct.pack("!HHH", self.src_port, self.dst_port, length)
        if not self.correct_checksum_at_build:
            return head + struct.pack("!H", self.checksum) + payload
        src, dst = self._pseudo(outer)
        checksum = transport_checksum(src, dst, IPPROTO_UDP, head + b"\0\0" + payload) or 0xFFFF
        return head + struct.pack("!H", checksum) + payload


# --- ICMP -----------------------------------------------------------------------------------------


@dataclass
class _IcmpV4Builder(Builder):
    """An ICMPv4 message: the common header (Pcap4J's ``IcmpV4CommonPacket.Builder``) and the type's."""

    _IP_NUMBER = IPPROTO_ICMP

    def _body(self) -> bytes:
        raise NotImplementedError

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        fields: Any = self
        correct = fields.correct_checksum_at_build
        message = bytearray(
            struct.pack("!BBH", fields.type, fields.code, 0 if correct else fields.checksum)
            + self._body()
            + payload
        )
        if correct:
            struct.pack_into("!H", message, 2, internet_checksum(bytes(message)))
        return bytes(message)


@dataclass
class IcmpV4EchoBuilder(_IcmpV4Builder):
    """An ICMPv4 Echo (Pcap4J's ``IcmpV4CommonPacket.Builder`` around an ``IcmpV4EchoPacket.Builder``)."""

    type: int = field(default=IcmpV4Type.ECHO, metadata=_u(8))
    code: int = field(default=0, metadata=_u(8))
    checksum: int = field(default=0, metadata=_u(16))
    identifier: int = field(default=0, metadata=_u(16))
    sequence_number: int = field(default=0, metadata=_u(16))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_checksum_at_build: bool = field(default=False, metadata=_BOOL)

    def _body(self) -> bytes:
        return struct.pack("!HH", self.identifier, self.sequence_number)


@dataclass
class IcmpV4EchoReplyBuilder(IcmpV4EchoBuilder):
    """An ICMPv4 Echo Reply (``IcmpV4EchoReplyPacket.Builder``)."""

    type: int = field(default=IcmpV4Type.ECHO_REPLY, metadata=_u(8))


@dataclass
class IcmpV4DestinationUnreachableBuilder(_IcmpV4Builder):
    """An ICMPv4 Destination Unreachable; ``payload_builder`` builds the invoking packet (Pcap4J's
    ``IcmpV4DestinationUnreachablePacket.Builder``); ``unused`` is the 32 bits after the checksum."""

    type: int = field(default=IcmpV4Type.DESTINATION_UNREACHABLE, metadata=_u(8))
    code: int = field(default=0, metadata=_u(8))
    checksum: int = field(default=0, metadata=_u(16))
    unused: int = field(default=0, metadata=_u(32))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_checksum_at_build: bool = field(default=False, metadata=_BOOL)

    def _body(self) -> bytes:
        return struct.pack("!I", self.unused)


@dataclass
class IcmpV4TimeExceededBuilder(IcmpV4DestinationUnreachableBuilder):
    """An ICMPv4 Time Exceeded carrying the invoking packet (``IcmpV4TimeExceededPacket.Builder``)."""

    type: int = field(default=IcmpV4Type.TIME_EXCEEDED, metadata=_u(8))


@dataclass
class _IcmpV6Builder(Builder):
    """An ICMPv6 message (Pcap4J's ``IcmpV6CommonPacket.Builder`` and the type's); the checksum covers
    the pseudo-header of ``src_addr``/``dst_addr``, or of the enclosing IPv6 builder."""

    _IP_NUMBER = IPPROTO_ICMPV6

    def _body(self) -> bytes:
        raise NotImplementedError

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        fields: Any = self
        correct = fields.correct_checksum_at_build
        message = bytearray(
            struct.pack("!BBH", fields.type, fields.code, 0 if correct else fields.checksum)
            + self._body()
            + payload
        )
        if correct:
            src, dst = self._pseudo(outer)
            struct.pack_into("!H", message, 2, transport_checksum(src, dst, IPPROTO_ICMPV6, bytes(message)))
        return bytes(message)


@dataclass
class IcmpV6EchoRequestBuilder(_IcmpV6Builder):
    """An ICMPv6 Echo Request (``IcmpV6EchoRequestPacket.Builder`` in an ``IcmpV6CommonPacket``)."""

    type: int = field(default=IcmpV6Type.ECHO_REQUEST, metadata=_u(8))
    code: int = field(default=0, metadata=_u(8))
    checksum: int = field(default=0, metadata=_u(16))
    identifier: int = field(default=0, metadata=_u(16))
    sequence_number: int = field(default=0, metadata=_u(16))
    src_addr: IPv6Address | None = field(default=None, metadata=_m(_address(6)))
    dst_addr: IPv6Address | None = field(default=None, metadata=_m(_address(6)))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_checksum_at_build: bool = field(default=False, metadata=_BOOL)

    def _body(self) -> bytes:
        return struct.pack("!HH", self.identifier, self.sequence_number)


@dataclass
class IcmpV6EchoReplyBuilder(IcmpV6EchoRequestBuilder):
    """An ICMPv6 Echo Reply (``IcmpV6EchoReplyPacket.Builder``)."""

    type: int = field(default=IcmpV6Type.ECHO_REPLY, metadata=_u(8))


@dataclass
class IcmpV6NeighborSolicitationBuilder(_IcmpV6Builder):
    """An ICMPv6 Neighbor Solicitation (``IcmpV6NeighborSolicitationPacket.Builder``); ``options`` are
    the Neighbor Discovery options' raw bytes."""

    type: int = field(default=IcmpV6Type.NEIGHBOR_SOLICITATION, metadata=_u(8))
    code: int = field(default=0, metadata=_u(8))
    checksum: int = field(default=0, metadata=_u(16))
    reserved: int = field(default=0, metadata=_u(32))
    target_address: IPv6Address = field(default=IPv6Address(0), metadata=_m(_address(6)))
    options: bytes = field(default=b"", metadata=_m(_bytes))
    src_addr: IPv6Address | None = field(default=None, metadata=_m(_address(6)))
    dst_addr: IPv6Address | None = field(default=None, metadata=_m(_address(6)))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_checksum_at_build: bool = field(default=False, metadata=_BOOL)

    def _body(self) -> bytes:
        return struct.pack("!I", self.reserved) + self.target_address.packed + self.options


@dataclass
class IcmpV6NeighborAdvertisementBuilder(_IcmpV6Builder):
    """An ICMPv6 Neighbor Advertisement (``IcmpV6NeighborAdvertisementPacket.Builder``); ``reserved`` is
    the 29 bits after the R, S and O flags."""

    type: int = field(default=IcmpV6Type.NEIGHBOR_ADVERTISEMENT, metadata=_u(8))
    code: int = field(default=0, metadata=_u(8))
    checksum: int = field(default=0, metadata=_u(16))
    router_flag: bool = field(default=False, metadata=_BOOL)
    solicited_flag: bool = field(default=False, metadata=_BOOL)
    override_flag: bool = field(default=False, metadata=_BOOL)
    reserved: int = field(default=0, metadata=_u(29))
    target_address: IPv6Address = field(default=IPv6Address(0), metadata=_m(_address(6)))
    options: bytes = field(default=b"", metadata=_m(_bytes))
    src_addr: IPv6Address | None = field(default=None, metadata=_m(_address(6)))
    dst_addr: IPv6Address | None = field(default=None, metadata=_m(_address(6)))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_checksum_at_build: bool = field(default=False, metadata=_BOOL)

    def _body(self) -> bytes:
        word = self.router_flag << 31 | self.solicited_flag << 30 | self.override_flag << 29 | self.reserved
        return struct.pack("!I", word) + self.target_address.packed + self.options


# --- LLC, SNAP, GTP -------------------------------------------------------------------------------


@dataclass
class LlcBuilder(Builder):
    """An IEEE 802.2 LLC header (Pcap4J's ``LlcPacket.Builder``): ``control`` is one byte for a U-format
    frame (low bits 11), else two, read as the decoder reads them (first byte low)."""

    dsap: int = field(default=LlcNumber.SNAP, metadata=_u(8))
    ssap: int = field(default=LlcNumber.SNAP, metadata=_u(8))
    control: int = field(default=0x03, metadata=_u(16))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        if self.control & 3 == 3:
            if self.control > 0xFF:
                raise ValueError(f"control must be 0 to 255 for a U-format frame, not {self.control}")
            control = bytes([self.control])
        else:
            control = self.control.to_bytes(2, "little")
        return bytes([self.dsap, self.ssap]) + control + payload


@dataclass
class SnapBuilder(Builder):
    """A SNAP header after an LLC header (Pcap4J's ``SnapPacket.Builder``)."""

    oui: int = field(default=0, metadata=_u(24))
    protocol_id: int | None = field(default=None, metadata=_m(_optional(_uint(16))))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        kind = self._next_number(self.protocol_id, "_ETHERTYPE", "protocol_id")
        return self.oui.to_bytes(3, "big") + struct.pack("!H", kind) + payload


@dataclass
class GtpV1Builder(Builder):
    """A GTPv1 header (Pcap4J's ``GtpV1Packet.Builder``); the sequence number, N-PDU number and next
    extension header type are written when any of the E, S and PN flags is set (no extension headers)."""

    version: int = field(default=1, metadata=_u(3))
    protocol_type: bool = field(default=True, metadata=_BOOL)
    reserved: bool = field(default=False, metadata=_BOOL)
    extension_header_flag: bool = field(default=False, metadata=_BOOL)
    sequence_number_flag: bool = field(default=False, metadata=_BOOL)
    n_pdu_number_flag: bool = field(default=False, metadata=_BOOL)
    message_type: int = field(default=255, metadata=_u(8))
    total_length: int = field(default=0, metadata=_u(16))
    teid: int = field(default=0, metadata=_u(32))
    sequence_number: int = field(default=0, metadata=_u(16))
    n_pdu_number: int = field(default=0, metadata=_u(8))
    next_extension_header_type: int = field(default=0, metadata=_u(8))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_length_at_build: bool = field(default=False, metadata=_BOOL)

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        optional = self.extension_header_flag or self.sequence_number_flag or self.n_pdu_number_flag
        length = len(payload) + (4 if optional else 0) if self.correct_length_at_build else self.total_length
        if length > 0xFFFF:
            raise ValueError(f"GTPv1 payload too long: {length} bytes, at most 65535")
        flags = (
            self.version << 5
            | self.protocol_type << 4
            | self.reserved << 3
            | self.extension_header_flag << 2
            | self.sequence_number_flag << 1
            | self.n_pdu_number_flag
        )
        head = struct.pack("!BBHI", flags, self.message_type, length, self.teid)
        if optional:
            head += struct.pack(
                "!HBB", self.sequence_number, self.n_pdu_number, self.next_extension_header_type
            )
        return head + payload


# --- more ICMPv4 ----------------------------------------------------------------------------------


@dataclass
class IcmpV4RedirectBuilder(_IcmpV4Builder):
    """An ICMPv4 Redirect carrying the invoking packet (Pcap4J's ``IcmpV4RedirectPacket.Builder``)."""

    type: int = field(default=IcmpV4Type.REDIRECT, metadata=_u(8))
    code: int = field(default=0, metadata=_u(8))
    checksum: int = field(default=0, metadata=_u(16))
    gateway_internet_address: IPv4Address = field(default=IPv4Address(0), metadata=_m(_address(4)))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_checksum_at_build: bool = field(default=False, metadata=_BOOL)

    def _body(self) -> bytes:
        return self.gateway_internet_address.packed


@dataclass
class IcmpV4SourceQuenchBuilder(IcmpV4DestinationUnreachableBuilder):
    """An ICMPv4 Source Quench carrying the invoking packet (``IcmpV4SourceQuenchPacket.Builder``)."""

    type: int = field(default=IcmpV4Type.SOURCE_QUENCH, metadata=_u(8))


@dataclass
class IcmpV4ParameterProblemBuilder(_IcmpV4Builder):
    """An ICMPv4 Parameter Problem carrying the invoking packet (Pcap4J's
    ``IcmpV4ParameterProblemPacket.Builder``); ``unused`` is the 24 bits after the pointer."""

    type: int = field(default=IcmpV4Type.PARAMETER_PROBLEM, metadata=_u(8))
    code: int = field(default=0, metadata=_u(8))
    checksum: int = field(default=0, metadata=_u(16))
    pointer: int = field(default=0, metadata=_u(8))
    unused: int = field(default=0, metadata=_u(24))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_checksum_at_build: bool = field(default=False, metadata=_BOOL)

    def _body(self) -> bytes:
        return struct.pack("!I", self.pointer << 24 | self.unused)


@dataclass
class IcmpV4TimestampBuilder(_IcmpV4Builder):
    """An ICMPv4 Timestamp request (Pcap4J's ``IcmpV4TimestampPacket.Builder``): times in milliseconds
    since midnight UT."""

    type: int = field(default=IcmpV4Type.TIMESTAMP, metadata=_u(8))
    code: int = field(default=0, metadata=_u(8))
    checksum: int = field(default=0, metadata=_u(16))
    identifier: int = field(default=0, metadata=_u(16))
    sequence_number: int = field(default=0, metadata=_u(16))
    originate_timestamp: int = field(default=0, metadata=_u(32))
    receive_timestamp: int = field(default=0, metadata=_u(32))
    transmit_timestamp: int = field(default=0, metadata=_u(32))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_checksum_at_build: bool = field(default=False, metadata=_BOOL)

    def _body(self) -> bytes:
        return struct.pack(
            "!HHIII",
            self.identifier,
            self.sequence_number,
            self.originate_timestamp,
            self.receive_timestamp,
            self.transmit_timestamp,
        )


@dataclass
class IcmpV4TimestampReplyBuilder(IcmpV4TimestampBuilder):
    """An ICMPv4 Timestamp Reply (``IcmpV4TimestampReplyPacket.Builder``)."""

    type: int = field(default=IcmpV4Type.TIMESTAMP_REPLY, metadata=_u(8))


# --- more ICMPv6 ----------------------------------------------------------------------------------


@dataclass
class IcmpV6DestinationUnreachableBuilder(_IcmpV6Builder):
    """An ICMPv6 Destination Unreachable carrying the invoking packet (Pcap4J's
    ``IcmpV6DestinationUnreachablePacket.Builder``); ``unused`` is the 32 bits after the checksum."""

    type: int = field(default=IcmpV6Type.DESTINATION_UNREACHABLE, metadata=_u(8))
    code: int = field(default=0, metadata=_u(8))
    checksum: int = field(default=0, metadata=_u(16))
    unused: int = field(default=0, metadata=_u(32))
    src_addr: IPv6Address | None = field(default=None, metadata=_m(_address(6)))
    dst_addr: IPv6Address | None = field(default=None, metadata=_m(_address(6)))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_checksum_at_build: bool = field(default=False, metadata=_BOOL)

    def _body(self) -> bytes:
        return struct.pack("!I", self.unused)


@dataclass
class IcmpV6TimeExceededBuilder(IcmpV6DestinationUnreachableBuilder):
    """An ICMPv6 Time Exceeded carrying the invoking packet (``IcmpV6TimeExceededPacket.Builder``)."""

    type: int = field(default=IcmpV6Type.TIME_EXCEEDED, metadata=_u(8))


@dataclass
class IcmpV6PacketTooBigBuilder(_IcmpV6Builder):
    """An ICMPv6 Packet Too Big carrying the invoking packet (``IcmpV6PacketTooBigPacket.Builder``)."""

    type: int = field(default=IcmpV6Type.PACKET_TOO_BIG, metadata=_u(8))
    code: int = field(default=0, metadata=_u(8))
    checksum: int = field(default=0, metadata=_u(16))
    mtu: int = field(default=0, metadata=_u(32))
    src_addr: IPv6Address | None = field(default=None, metadata=_m(_address(6)))
    dst_addr: IPv6Address | None = field(default=None, metadata=_m(_address(6)))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_checksum_at_build: bool = field(default=False, metadata=_BOOL)

    def _body(self) -> bytes:
        return struct.pack("!I", self.mtu)


@dataclass
class IcmpV6ParameterProblemBuilder(_IcmpV6Builder):
    """An ICMPv6 Parameter Problem carrying the invoking packet (Pcap4J's
    ``IcmpV6ParameterProblemPacket.Builder``); ``pointer`` is 32 bits."""

    type: int = field(default=IcmpV6Type.PARAMETER_PROBLEM, metadata=_u(8))
    code: int = field(default=0, metadata=_u(8))
    checksum: int = field(default=0, metadata=_u(16))
    pointer: int = field(default=0, metadata=_u(32))
    src_addr: IPv6Address | None = field(default=None, metadata=_m(_address(6)))
    dst_addr: IPv6Address | None = field(default=None, metadata=_m(_address(6)))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_checksum_at_build: bool = field(default=False, metadata=_BOOL)

    def _body(self) -> bytes:
        return struct.pack("!I", self.pointer)


@dataclass
class IcmpV6RouterSolicitationBuilder(_IcmpV6Builder):
    """An ICMPv6 Router Solicitation (``IcmpV6RouterSolicitationPacket.Builder``); ``options`` are the
    Neighbor Discovery options' raw bytes."""

    type: int = field(default=IcmpV6Type.ROUTER_SOLICITATION, metadata=_u(8))
    code: int = field(default=0, metadata=_u(8))
    checksum: int = field(default=0, metadata=_u(16))
    reserved: int = field(default=0, metadata=_u(32))
    options: bytes = field(default=b"", metadata=_m(_bytes))
    src_addr: IPv6Address | None = field(default=None, metadata=_m(_address(6)))
    dst_addr: IPv6Address | None = field(default=None, metadata=_m(_address(6)))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_checksum_at_build: bool = field(default=False, metadata=_BOOL)

    def _body(self) -> bytes:
        return struct.pack("!I", self.reserved) + self.options


@dataclass
class IcmpV6RouterAdvertisementBuilder(_IcmpV6Builder):
    """An ICMPv6 Router Advertisement (``IcmpV6RouterAdvertisementPacket.Builder``); ``reserved`` is the
    6 bits after the M and O flags, ``options`` the Neighbor Discovery options' raw bytes."""

    type: int = field(default=IcmpV6Type.ROUTER_ADVERTISEMENT, metadata=_u(8))
    code: int = field(default=0, metadata=_u(8))
    checksum: int = field(default=0, metadata=_u(16))
    cur_hop_limit: int = field(default=0, metadata=_u(8))
    managed_address_configuration_flag: bool = field(default=False, metadata=_BOOL)
    other_configuration_flag: bool = field(default=False, metadata=_BOOL)
    reserved: int = field(default=0, metadata=_u(6))
    router_lifetime: int = field(default=0, metadata=_u(16))
    reachable_time: int = field(default=0, metadata=_u(32))
    retrans_timer: int = field(default=0, metadata=_u(32))
    options: bytes = field(default=b"", metadata=_m(_bytes))
    src_addr: IPv6Address | None = field(default=None, metadata=_m(_address(6)))
    dst_addr: IPv6Address | None = field(default=None, metadata=_m(_address(6)))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_checksum_at_build: bool = field(default=False, metadata=_BOOL)

    def _body(self) -> bytes:
        flags = (
            self.managed_address_configuration_flag << 7 | self.other_configuration_flag << 6 | self.reserved
        )
        head = struct.pack(
            "!BBHII", self.cur_hop_limit, flags, self.router_lifetime, self.reachable_time, self.retrans_timer
        )
        return head + self.options


@dataclass
class IcmpV6RedirectBuilder(_IcmpV6Builder):
    """An ICMPv6 Redirect (``IcmpV6RedirectPacket.Builder``); ``options`` are the Neighbor Discovery
    options' raw bytes (a Redirected Header option quotes the packet)."""

    type: int = field(default=IcmpV6Type.REDIRECT, metadata=_u(8))
    code: int = field(default=0, metadata=_u(8))
    checksum: int = field(default=0, metadata=_u(16))
    reserved: int = field(default=0, metadata=_u(32))
    target_address: IPv6Address = field(default=IPv6Address(0), metadata=_m(_address(6)))
    destination_address: IPv6Address = field(default=IPv6Address(0), metadata=_m(_address(6)))
    options: bytes = field(default=b"", metadata=_m(_bytes))
    src_addr: IPv6Address | None = field(default=None, metadata=_m(_address(6)))
    dst_addr: IPv6Address | None = field(default=None, metadata=_m(_address(6)))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_checksum_at_build: bool = field(default=False, metadata=_BOOL)

    def _body(self) -> bytes:
        addresses = self.target_address.packed + self.destination_address.packed
        return struct.pack("!I", self.reserved) + addresses + self.options


# --- IPv6 extension headers -----------------------------------------------------------------------


@dataclass
class IPv6FragmentBuilder(Builder):
    """An IPv6 Fragment header (Pcap4J's ``IpV6ExtFragmentPacket.Builder``): ``reserved`` is the byte
    after the next header, ``res`` the 2 bits before M, ``fragment_offset`` in 8-byte units."""

    _IP_NUMBER = IPPROTO_FRAGMENT

    next_header: int | None = field(default=None, metadata=_m(_optional(_uint(8))))
    reserved: int = field(default=0, metadata=_u(8))
    fragment_offset: int = field(default=0, metadata=_u(13))
    res: int = field(default=0, metadata=_u(2))
    m: bool = field(default=False, metadata=_BOOL)
    identification: int = field(default=0, metadata=_u(32))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        next_header = self._next_number(self.next_header, "_IP_NUMBER", "next_header")
        word = self.fragment_offset << 3 | self.res << 1 | self.m
        return struct.pack("!BBHI", next_header, self.reserved, word, self.identification) + payload


@dataclass
class IPv6HopByHopOptionsBuilder(Builder):
    """An IPv6 Hop-by-Hop Options header (Pcap4J's ``IpV6ExtHopByHopOptionsPacket.Builder``):
    ``options`` are the options' raw bytes, padding included; ``correct_length_at_build`` sets
    ``hdr_ext_len`` (the header's length in 8-byte units, less one)."""

    _IP_NUMBER = IPPROTO_HOPOPTS

    next_header: int | None = field(default=None, metadata=_m(_optional(_uint(8))))
    hdr_ext_len: int = field(default=0, metadata=_u(8))
    options: bytes = field(default=b"\x01\x04\x00\x00\x00\x00", metadata=_m(_bytes))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_length_at_build: bool = field(default=False, metadata=_BOOL)

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        return _extension(self, bytes([self.hdr_ext_len]) + self.options, payload)


@dataclass
class IPv6DestinationOptionsBuilder(IPv6HopByHopOptionsBuilder):
    """An IPv6 Destination Options header (``IpV6ExtDestinationOptionsPacket.Builder``)."""

    _IP_NUMBER = IPPROTO_DSTOPTS


@dataclass
class IPv6RoutingBuilder(Builder):
    """An IPv6 Routing header (Pcap4J's ``IpV6ExtRoutingPacket.Builder``); ``data`` is the type-specific
    data's raw bytes (after the segments left)."""

    _IP_NUMBER = IPPROTO_ROUTING

    next_header: int | None = field(default=None, metadata=_m(_optional(_uint(8))))
    hdr_ext_len: int = field(default=0, metadata=_u(8))
    routing_type: int = field(default=0, metadata=_u(8))
    segments_left: int = field(default=0, metadata=_u(8))
    data: bytes = field(default=bytes(4), metadata=_m(_bytes))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_length_at_build: bool = field(default=False, metadata=_BOOL)

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        body = bytes([self.hdr_ext_len, self.routing_type, self.segments_left]) + self.data
        return _extension(self, body, payload)


def _extension(builder: Any, body: bytes, payload: bytes) -> bytes:
    """An options or routing header: its next header, then ``body`` (the length byte first), whose
    length byte ``correct_length_at_build`` sets; the header must fill whole 8-byte units."""
    size = 1 + len(body)
    if size % 8 or size > 2048:
        raise ValueError(
            f"{type(builder).__name__} must be 8 to 2048 bytes in 8-byte units, not {size} bytes"
        )
    if builder.correct_length_at_build:
        body = bytes([size // 8 - 1]) + body[1:]
    next_header = builder._next_number(builder.next_header, "_IP_NUMBER", "next_header")
    return bytes([next_header]) + body + payload


# --- SCTP -----------------------------------------------------------------------------------------


def _crc32c_table() -> tuple[int, ...]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return tuple(table)


_CRC32C = _crc32c_table()


def crc32c(data: bytes) -> int:
    """The CRC-32C (Castagnoli) of ``data`` (RFC 3309), as Pcap4J's ``ByteArrays.calcCrc32cChecksum``."""
    c = 0xFFFFFFFF
    for byte in data:
        c = _CRC32C[(c ^ byte) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


@dataclass
class SctpBuilder(Builder):
    """An SCTP common header and its chunks (Pcap4J's ``SctpPacket.Builder``): ``chunks`` are the
    chunks' raw bytes, padding included. ``correct_checksum_at_build`` computes the CRC-32C of the
    packet, written least significant byte first as RFC 4960 B and Pcap4J do."""

    _IP_NUMBER = IPPROTO_SCTP

    src_port: int = field(default=0, metadata=_u(16))
    dst_port: int = field(default=0, metadata=_u(16))
    verification_tag: int = field(default=0, metadata=_u(32))
    checksum: int = field(default=0, metadata=_u(32))
    chunks: bytes = field(default=b"", metadata=_m(_bytes))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_checksum_at_build: bool = field(default=False, metadata=_BOOL)

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        head = struct.pack("!HHI", self.src_port, self.dst_port, self.verification_tag)
        if not self.correct_checksum_at_build:
            return head + struct.pack("!I", self.checksum) + self.chunks + payload
        # Pcap4J's checksum covers the header and chunks (its payload is always empty)
        crc = crc32c(head + bytes(4) + self.chunks)
        return head + struct.pack("<I", crc) + self.chunks + payload


# --- link layers: SLL, BSD loopback ---------------------------------------------------------------


@dataclass
class SllBuilder(Builder):
    """A Linux cooked-capture (SLL) header (Pcap4J's ``LinuxSllPacket.Builder``): ``address`` is at most
    8 bytes, written zero-filled to 8."""

    packet_type: int = field(default=0, metadata=_u(16))
    address_type: int = field(default=ArpHardwareType.ETHERNET, metadata=_u(16))
    address_length: int = field(default=6, metadata=_u(16))
    address: bytes = field(default=bytes(6), metadata=_m(_bytes))
    protocol: int | None = field(default=None, metadata=_m(_optional(_uint(16))))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        if len(self.address) > 8:
            raise ValueError(f"SLL address too long: {len(self.address)} bytes, at most 8")
        protocol = self._next_number(self.protocol, "_ETHERTYPE", "protocol")
        head = struct.pack("!HHH", self.packet_type, self.address_type, self.address_length)
        return head + self.address.ljust(8, b"\0") + struct.pack("!H", protocol) + payload


_FAMILY_BY_ETHERTYPE = {ETHERTYPE_IP: 2, ETHERTYPE_IP6: 30}  # Pcap4J's PF_INET and (BSD's) PF_INET6


@dataclass
class NullBuilder(Builder):
    """A BSD loopback (DLT_NULL) header (Pcap4J's ``BsdLoopbackPacket.Builder``): the protocol family in
    the capturing host's byte order, little-endian unless ``big_endian`` (Pcap4J writes its own
    machine's order); left None, 2 for an IPv4 payload builder and 30 for IPv6."""

    protocol_family: int | None = field(default=None, metadata=_m(_optional(_uint(32))))
    big_endian: bool = field(default=False, metadata=_BOOL)
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        family = self.protocol_family
        if family is None:
            kind = getattr(self.payload_builder, "_ETHERTYPE", None)
            family = _FAMILY_BY_ETHERTYPE.get(kind) if kind is not None else None
            if family is None:
                raise ValueError(
                    "NullBuilder needs its protocol_family: the payload builder does not give one"
                )
        return family.to_bytes(4, "big" if self.big_endian else "little") + payload


# --- DNS ------------------------------------------------------------------------------------------


class DnsQuestion(NamedTuple):
    """A DNS question (Pcap4J's ``DnsQuestion``): a dotted name, its type and class."""

    name: str
    type: int = 1
    cls: int = 1


class DnsResourceRecord(NamedTuple):
    """A DNS resource record (Pcap4J's ``DnsResourceRecord``): ``data`` is the RDATA's raw bytes."""

    name: str
    type: int = 1
    cls: int = 1
    ttl: int = 0
    data: bytes = b""


def dns_name(name: str) -> bytes:
    """``name`` (``www.example.com``; ``""`` or ``.`` for the root) as uncompressed DNS labels."""
    out = b""
    for label in name.rstrip(".").split(".") if name.rstrip(".") else ():
        raw = label.encode("ascii")
        if not 0 < len(raw) <= 63:
            raise ValueError(f"DNS label must be 1 to 63 bytes, not {len(raw)} in {name!r}")
        out += bytes([len(raw)]) + raw
    if len(out) > 254:
        raise ValueError(f"DNS name too long: {len(out) + 1} bytes, at most 255")
    return out + b"\0"


def _entries(kind: type) -> _Check:
    def check(name: str, value: object) -> tuple:
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"{name} must be a list of {kind.__name__}, not {type(value).__name__}")
        items = []
        for item in value:
            if not isinstance(item, tuple):
                raise TypeError(f"{name} must hold {kind.__name__} tuples, not {type(item).__name__}")
            entry = kind(*item)
            checks.text(f"{name} name", entry.name)
            checks.integer(f"{name} type", entry.type, 0, 0xFFFF)
            checks.integer(f"{name} class", entry.cls, 0, 0xFFFF)
            if kind is DnsResourceRecord:
                checks.integer(f"{name} ttl", entry.ttl, 0, 0xFFFFFFFF)
                _bytes(f"{name} data", entry.data)
            items.append(entry)
        return tuple(items)

    return check


@dataclass
class DnsBuilder(Builder):
    """A DNS message (Pcap4J's ``DnsPacket.Builder``): the header's fields, then either ``sections``, the
    raw bytes of the questions and records as they are (names compressed or not), or when it is None
    ``questions`` (:class:`DnsQuestion`) and ``answers``, ``authorities`` and ``additional_info``
    (:class:`DnsResourceRecord`), written with names uncompressed. ``correct_length_at_build`` sets the
    four counts from those lists; otherwise the counts are written as given, as Pcap4J does."""

    id: int = field(default=0, metadata=_u(16))
    response: bool = field(default=False, metadata=_BOOL)
    op_code: int = field(default=0, metadata=_u(4))
    authoritative_answer: bool = field(default=False, metadata=_BOOL)
    truncated: bool = field(default=False, metadata=_BOOL)
    recursion_desired: bool = field(default=False, metadata=_BOOL)
    recursion_available: bool = field(default=False, metadata=_BOOL)
    reserved: bool = field(default=False, metadata=_BOOL)
    authentic_data: bool = field(default=False, metadata=_BOOL)
    checking_disabled: bool = field(default=False, metadata=_BOOL)
    r_code: int = field(default=0, metadata=_u(4))
    qd_count: int = field(default=0, metadata=_u(16))
    an_count: int = field(default=0, metadata=_u(16))
    ns_count: int = field(default=0, metadata=_u(16))
    ar_count: int = field(default=0, metadata=_u(16))
    questions: tuple[DnsQuestion, ...] = field(default=(), metadata=_m(_entries(DnsQuestion)))
    answers: tuple[DnsResourceRecord, ...] = field(default=(), metadata=_m(_entries(DnsResourceRecord)))
    authorities: tuple[DnsResourceRecord, ...] = field(default=(), metadata=_m(_entries(DnsResourceRecord)))
    additional_info: tuple[DnsResourceRecord, ...] = field(
        default=(), metadata=_m(_entries(DnsResourceRecord))
    )
    sections: bytes | None = field(default=None, metadata=_m(_optional(_bytes)))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_length_at_build: bool = field(default=False, metadata=_BOOL)

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        flags = (
            self.response << 15
            | self.op_code << 11
            | self.authoritative_answer << 10
            | self.truncated << 9
            | self.recursion_desired << 8
            | self.recursion_available << 7
            | self.reserved << 6
            | self.authentic_data << 5
            | self.checking_disabled << 4
            | self.r_code
        )
        records = (self.answers, self.authorities, self.additional_info)
        if self.correct_length_at_build:
            counts = (len(self.questions), *(len(r) for r in records))
            if max(counts) > 0xFFFF:
                raise ValueError(f"too many DNS entries: {max(counts)} in one section, at most 65535")
        else:
            counts = (self.qd_count, self.an_count, self.ns_count, self.ar_count)
        head = struct.pack("!6H", self.id, flags, *counts)
        if self.sections is not None:
            return head + self.sections + payload
        body = b"".join(dns_name(q.name) + struct.pack("!HH", q.type, q.cls) for q in self.questions)
        for section in records:
            for r in section:
                if len(r.data) > 0xFFFF:
                    raise ValueError(f"DNS RDATA too long: {len(r.data)} bytes, at most 65535")
                body += dns_name(r.name) + struct.pack("!HHIH", r.type, r.cls, r.ttl, len(r.data)) + r.data
        return head + body + payload


# --- wireless: Radiotap, 802.11 -------------------------------------------------------------------


def _words(name: str, value: object) -> tuple[int, ...]:
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} must be a tuple of ints, not {type(value).__name__}")
    for word in value:
        checks.integer(name, word, 0, 0xFFFFFFFF)
    return tuple(value)


@dataclass
class RadiotapBuilder(Builder):
    """A Radiotap header (Pcap4J's ``RadiotapPacket.Builder``), little-endian: ``present`` is the first
    present-flags word, ``extended_present`` the words after it (a word with bit 31 set is followed by
    another), ``data`` the data fields' raw bytes with their alignment padding.
    ``correct_length_at_build`` sets ``length`` to the header's size."""

    version: int = field(default=0, metadata=_u(8))
    pad: int = field(default=0, metadata=_u(8))
    length: int = field(default=0, metadata=_u(16))
    present: int = field(default=0, metadata=_u(32))
    extended_present: tuple[int, ...] = field(default=(), metadata=_m(_words))
    data: bytes = field(default=b"", metadata=_m(_bytes))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)
    correct_length_at_build: bool = field(default=False, metadata=_BOOL)

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        words = (self.present, *self.extended_present)
        body = struct.pack(f"<{len(words)}I", *words) + self.data
        length = 4 + len(body) if self.correct_length_at_build else self.length
        if length > 0xFFFF:
            raise ValueError(f"Radiotap header too long: {length} bytes, at most 65535")
        return struct.pack("<BBH", self.version, self.pad, length) + body + payload


@dataclass
class Dot11Builder(Builder):
    """An IEEE 802.11 MAC header (what Pcap4J's ``Dot11*Packet`` builders share), written in its order:
    frame control (``frame_control`` as the two bytes read big-endian, as the typed layer gives it),
    duration (little-endian), then each of ``address1``, ``address2``, ``address3``, the sequence
    control (``sequence_number`` and ``fragment_number``), ``address4``, ``qos_control`` and
    ``ht_control`` that is not None, then ``padding`` (Radiotap's data padding). The addresses are by
    position: which is the receiver, transmitter, source, destination or BSSID depends on the frame's
    type and its To DS and From DS bits."""

    frame_control: int = field(default=0x0800, metadata=_u(16))
    duration: int = field(default=0, metadata=_u(16))
    address1: str | None = field(default=None, metadata=_m(_optional(_mac)))
    address2: str | None = field(default=None, metadata=_m(_optional(_mac)))
    address3: str | None = field(default=None, metadata=_m(_optional(_mac)))
    sequence_number: int | None = field(default=None, metadata=_m(_optional(_uint(12))))
    fragment_number: int = field(default=0, metadata=_u(4))
    address4: str | None = field(default=None, metadata=_m(_optional(_mac)))
    qos_control: int | None = field(default=None, metadata=_m(_optional(_uint(16))))
    ht_control: int | None = field(default=None, metadata=_m(_optional(_uint(32))))
    padding: bytes = field(default=b"", metadata=_m(_bytes))
    payload_builder: Builder | None = field(default=None, metadata=_PAYLOAD)

    def _header(self) -> bytes:
        head = struct.pack("!H", self.frame_control) + struct.pack("<H", self.duration)
        for address in (self.address1, self.address2, self.address3):
            if address is not None:
                head += _mac_bytes(address)
        if self.sequence_number is not None:
            head += struct.pack("<H", self.sequence_number << 4 | self.fragment_number)
        if self.address4 is not None:
            head += _mac_bytes(self.address4)
        if self.qos_control is not None:
            head += struct.pack("<H", self.qos_control)
        if self.ht_control is not None:
            head += struct.pack("<I", self.ht_control)
        return head + self.padding

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        return self._header() + payload


@dataclass
class Dot11ProbeRequestBuilder(Dot11Builder):
    """An IEEE 802.11 Probe Request (Pcap4J's ``Dot11ProbeRequestPacket.Builder``): the management
    header, ``elements`` (the information elements' raw bytes), then ``fcs`` when it is not None, little-
    endian; ``correct_checksum_at_build`` computes it, the CRC-32 of the header and elements."""

    frame_control: int = field(default=0x4000, metadata=_u(16))
    address1: str | None = field(default="ff:ff:ff:ff:ff:ff", metadata=_m(_optional(_mac)))
    address2: str | None = field(default="00:00:00:00:00:00", metadata=_m(_optional(_mac)))
    address3: str | None = field(default="ff:ff:ff:ff:ff:ff", metadata=_m(_optional(_mac)))
    sequence_number: int | None = field(default=0, metadata=_m(_optional(_uint(12))))
    elements: bytes = field(default=b"", metadata=_m(_bytes))
    fcs: int | None = field(default=None, metadata=_m(_optional(_uint(32))))
    correct_checksum_at_build: bool = field(default=False, metadata=_BOOL)

    def _wrap(self, payload: bytes, outer: _Outer) -> bytes:
        frame = self._header() + self.elements
        fcs = zlib.crc32(frame) if self.correct_checksum_at_build else self.fcs
        return frame + (b"" if fcs is None else struct.pack("<I", fcs)) + payload


def _mac_bytes(text: str) -> bytes:
    return bytes.fromhex(text.replace(":", ""))


# --- builders from decoded layers -----------------------------------------------------------------


def _from_ethernet(layer: Any, payload: Builder) -> Builder:
    return EthernetBuilder(layer.dst_addr, layer.src_addr, layer.type, layer.pad or b"", payload)


def _from_vlan(layer: Any, payload: Builder) -> Builder:
    return VlanBuilder(layer.priority, layer.cfi, layer.vid, layer.type, payload)


def _from_arp(layer: Any, payload: Builder) -> Builder:
    fields = (
        layer.hardware_type,
        layer.protocol_type,
        layer.hardware_addr_length,
        layer.protocol_addr_length,
    )
    return ArpBuilder(
        *fields,
        layer.operation,
        layer.src_hardware_addr,
        layer.src_protocol_addr,
        layer.dst_hardware_addr,
        layer.dst_protocol_addr,
    )


def _from_ipv4(layer: Any, payload: Builder) -> Builder:
    header = layer.header
    return IPv4Builder(
        header[0] >> 4,
        header[0] & 0x0F,
        layer.tos,
        layer.total_length,
        layer.identification,
        layer.reserved_flag,
        layer.dont_fragment_flag,
        layer.more_fragment_flag,
        layer.fragment_offset,
        layer.ttl,
        layer.protocol,
        layer.header_checksum,
        layer.src_addr,
        layer.dst_addr,
        header[20:],
        payload_builder=payload,
    )


def _from_ipv6(layer: Any, payload: Builder) -> Builder:
    return IPv6Builder(
        layer.header[0] >> 4,
        layer.traffic_class,
        layer.flow_label,
        layer.payload_length,
        layer.next_header,
        layer.hop_limit,
        layer.src_addr,
        layer.dst_addr,
        payload,
    )


def _from_tcp(layer: Any, payload: Builder) -> Builder:
    header = layer.header
    urg, ack, psh, rst, syn, fin = (bool(header[13] & bit) for bit in (0x20, 0x10, 0x08, 0x04, 0x02, 0x01))
    return TcpBuilder(
        layer.src_port,
        layer.dst_port,
        layer.sequence_number,
        layer.acknowledgment_number,
        header[12] >> 4,
        (header[12] & 0x0F) << 2 | header[13] >> 6,
        urg,
        ack,
        psh,
        rst,
        syn,
        fin,
        layer.window,
        layer.checksum,
        layer.urgent_pointer,
        layer.options,
        payload_builder=payload,
    )


def _from_udp(layer: Any, payload: Builder) -> Builder:
    return UdpBuilder(
        layer.src_port, layer.dst_port, layer.total_length, layer.checksum, payload_builder=payload
    )


def _type_code_checksum(layer: Any) -> tuple[int, int, int]:
    return layer.header[0], layer.header[1], int.from_bytes(layer.header[2:4], "big")


def _from_icmpv4_echo(layer: Any, payload: Builder) -> Builder:
    kind = IcmpV4EchoReplyBuilder if layer.header[0] == IcmpV4Type.ECHO_REPLY else IcmpV4EchoBuilder
    return kind(*_type_code_checksum(layer), layer.identifier, layer.sequence_number, payload)


def _from_icmpv4_error(layer: Any, payload: Builder) -> Builder:
    kind = (
        IcmpV4TimeExceededBuilder
        if layer.header[0] == IcmpV4Type.TIME_EXCEEDED
        else IcmpV4DestinationUnreachableBuilder
    )
    return kind(*_type_code_checksum(layer), int.from_bytes(layer.header[4:8], "big"), payload)


def _from_icmpv6_echo(layer: Any, payload: Builder) -> Builder:
    kind = IcmpV6EchoReplyBuilder if layer.header[0] == IcmpV6Type.ECHO_REPLY else IcmpV6EchoRequestBuilder
    return kind(*_type_code_checksum(layer), layer.identifier, layer.sequence_number, payload_builder=payload)


def _from_icmpv6_ns(layer: Any, payload: Builder) -> Builder:
    header = layer.header
    reserved = int.from_bytes(header[4:8], "big")
    target = IPv6Address(header[8:24])
    return IcmpV6NeighborSolicitationBuilder(
        *_type_code_checksum(layer), reserved, target, header[24:], payload_builder=payload
    )


def _from_icmpv6_na(layer: Any, payload: Builder) -> Builder:
    header = layer.header
    word = int.from_bytes(header[4:8], "big")
    flags = (bool(word >> 31 & 1), bool(word >> 30 & 1), bool(word >> 29 & 1))
    target = IPv6Address(header[8:24])
    return IcmpV6NeighborAdvertisementBuilder(
        *_type_code_checksum(layer), *flags, word & 0x1FFFFFFF, target, header[24:], payload_builder=payload
    )


def _from_llc(layer: Any, payload: Builder) -> Builder:
    return LlcBuilder(layer.dsap, layer.ssap, layer.control, payload)


def _from_snap(layer: Any, payload: Builder) -> Builder:
    return LlcBuilder(
        layer.dsap, layer.ssap, layer.control, SnapBuilder(layer.oui, layer.protocol_id, payload)
    )


def _from_gtpv1(layer: Any, payload: Builder) -> Builder:
    header = layer.header
    optional = len(header) >= 12
    return GtpV1Builder(
        header[0] >> 5,
        bool(header[0] & 0x10),
        bool(header[0] & 0x08),
        bool(header[0] & 0x04),
        bool(header[0] & 0x02),
        bool(header[0] & 0x01),
        header[1],
        layer.total_length,
        layer.teid,
        int.from_bytes(header[8:10], "big") if optional else 0,
        header[10] if optional else 0,
        header[11] if optional else 0,
        payload,
    )


def _from_icmpv4_more(layer: Any, payload: Builder) -> Builder:
    header = layer.header
    common = _type_code_checksum(layer)
    word = int.from_bytes(header[4:8], "big")
    if common[0] == IcmpV4Type.REDIRECT:
        return IcmpV4RedirectBuilder(*common, IPv4Address(header[4:8]), payload)
    if common[0] == IcmpV4Type.PARAMETER_PROBLEM:
        return IcmpV4ParameterProblemBuilder(*common, word >> 24, word & 0xFFFFFF, payload)
    if common[0] == IcmpV4Type.SOURCE_QUENCH:
        return IcmpV4SourceQuenchBuilder(*common, word, payload)
    kind = IcmpV4TimestampReplyBuilder if common[0] == IcmpV4Type.TIMESTAMP_REPLY else IcmpV4TimestampBuilder
    originate, receive, transmit = struct.unpack_from(
        "!III", header.ljust(20, b"\0"), 8
    )  # short: not rebuilt
    return kind(*common, word >> 16, word & 0xFFFF, originate, receive, transmit, payload)


def _from_icmpv6_error(layer: Any, payload: Builder) -> Builder:
    common = _type_code_checksum(layer)
    kind = {
        IcmpV6Type.DESTINATION_UNREACHABLE: IcmpV6DestinationUnreachableBuilder,
        IcmpV6Type.PACKET_TOO_BIG: IcmpV6PacketTooBigBuilder,
        IcmpV6Type.TIME_EXCEEDED: IcmpV6TimeExceededBuilder,
        IcmpV6Type.PARAMETER_PROBLEM: IcmpV6ParameterProblemBuilder,
    }[common[0]]
    return kind(*common, int.from_bytes(layer.header[4:8], "big"), payload_builder=payload)


def _from_icmpv6_router(layer: Any, payload: Builder) -> Builder:
    header = layer.header
    common = _type_code_checksum(layer)
    if common[0] == IcmpV6Type.ROUTER_SOLICITATION:
        reserved = int.from_bytes(header[4:8], "big")
        return IcmpV6RouterSolicitationBuilder(*common, reserved, header[8:], payload_builder=payload)
    hop_limit, flags, lifetime, reachable, retrans = struct.unpack_from("!BBHII", header, 4)
    return IcmpV6RouterAdvertisementBuilder(
        *common,
        hop_limit,
        bool(flags & 0x80),
        bool(flags & 0x40),
        flags & 0x3F,
        lifetime,
        reachable,
        retrans,
        header[16:],
        payload_builder=payload,
    )


def _from_icmpv6_redirect(layer: Any, payload: Builder) -> Builder:
    header = layer.header
    reserved = int.from_bytes(header[4:8], "big")
    target, destination = IPv6Address(header[8:24]), IPv6Address(header[24:40])
    return IcmpV6RedirectBuilder(
        *_type_code_checksum(layer), reserved, target, destination, header[40:], payload_builder=payload
    )


def _from_ipv6_extension(layer: Any, payload: Builder) -> Builder:
    header = layer.header
    if layer.name == "ipv6.routing":
        return IPv6RoutingBuilder(header[0], header[1], header[2], header[3], header[4:], payload)
    kind = IPv6DestinationOptionsBuilder if layer.name == "ipv6.dstopts" else IPv6HopByHopOptionsBuilder
    if layer.name not in ("ipv6.hopopts", "ipv6.dstopts"):
        raise ValueError(f"no builder for {layer.name}")
    return kind(header[0], header[1], header[2:], payload)


def _from_ipv6_fragment(layer: Any, payload: Builder) -> Builder:
    next_header, reserved, word, identification = struct.unpack_from("!BBHI", layer.header)
    return IPv6FragmentBuilder(
        next_header, reserved, word >> 3, word >> 1 & 3, bool(word & 1), identification, payload
    )


def _from_sctp(layer: Any, payload: Builder) -> Builder:
    src_port, dst_port, tag, checksum = struct.unpack_from("!HHII", layer.header)
    return SctpBuilder(src_port, dst_port, tag, checksum, layer.header[12:], payload)


def _from_sll(layer: Any, payload: Builder) -> Builder:
    header = layer.header
    packet_type, address_type, address_length = struct.unpack_from("!HHH", header)
    return SllBuilder(
        packet_type, address_type, address_length, header[6:14], int.from_bytes(header[14:16], "big"), payload
    )


def _from_null(layer: Any, payload: Builder) -> Builder:
    family = int.from_bytes(layer.header, "little")
    if family <= 0xFFFF:
        return NullBuilder(family, False, payload)
    return NullBuilder(int.from_bytes(layer.header, "big"), True, payload)


def _from_dns(layer: Any, payload: Builder) -> Builder:
    if layer.get("length") is not None:
        raise ValueError("DNS over TCP: the length prefix is not DNS's")  # a RawBuilder instead
    header = layer.header
    id_, flags, qd_count, an_count, ns_count, ar_count = struct.unpack_from("!6H", header)
    bits = [bool(flags >> shift & 1) for shift in (15, 10, 9, 8, 7, 6, 5, 4)]
    response, aa, tc, rd, ra, z, ad, cd = bits
    return DnsBuilder(
        id_,
        response,
        flags >> 11 & 0x0F,
        aa,
        tc,
        rd,
        ra,
        z,
        ad,
        cd,
        flags & 0x0F,
        qd_count,
        an_count,
        ns_count,
        ar_count,
        sections=header[12:],
        payload_builder=payload,
    )


def _from_radiotap(layer: Any, payload: Builder) -> Builder:
    header = layer.header
    version, pad, length, present = struct.unpack_from("<BBHI", header)
    words, pos = [], 8
    last = present
    while last & 0x8000_0000 and pos + 4 <= len(header):
        last = int.from_bytes(header[pos : pos + 4], "little")
        words.append(last)
        pos += 4
    return RadiotapBuilder(version, pad, length, present, tuple(words), header[pos:], payload)


def _mac_text(raw: bytes) -> str:
    return ":".join(f"{byte:02x}" for byte in raw)


def _from_dot11(layer: Any, payload: Builder) -> Builder:
    header = layer.header
    kind, subtype, flags = header[0] >> 2 & 3, header[0] >> 4, header[1]
    builder = Dot11Builder(
        int.from_bytes(header[:2], "big"), int.from_bytes(header[2:4], "little"), payload_builder=payload
    )
    pos = 4
    if kind != 3:
        count = (1 if subtype in (7, 12, 13) else 2) if kind == 1 else 3
        for number in range(1, count + 1):
            setattr(builder, f"address{number}", _mac_text(header[pos : pos + 6]))
            pos += 6
        if kind != 1:
            control = int.from_bytes(header[pos : pos + 2], "little")
            builder.sequence_number, builder.fragment_number = control >> 4, control & 0x0F
            pos += 2
        qos = kind == 2 and bool(subtype & 0x08)
        if kind == 2 and flags & 3 == 3:
            builder.address4 = _mac_text(header[pos : pos + 6])
            pos += 6
        if qos:
            builder.qos_control = int.from_bytes(header[pos : pos + 2], "little")
            pos += 2
        if flags & 0x80 and (qos or kind == 0):
            builder.ht_control = int.from_bytes(header[pos : pos + 4], "little")
            pos += 4
    builder.padding = header[pos:]
    return builder


_FROM_LAYER: dict[str, Callable[[Any, Builder], Builder]] = {
    "Ethernet": _from_ethernet,
    "VLAN": _from_vlan,
    "ARP": _from_arp,
    "IPv4": _from_ipv4,
    "IPv6": _from_ipv6,
    "TCP": _from_tcp,
    "UDP": _from_udp,
    "ICMPv4Echo": _from_icmpv4_echo,
    "ICMPv4EchoReply": _from_icmpv4_echo,
    "ICMPv4DestinationUnreachable": _from_icmpv4_error,
    "ICMPv4TimeExceeded": _from_icmpv4_error,
    "ICMPv6EchoRequest": _from_icmpv6_echo,
    "ICMPv6EchoReply": _from_icmpv6_echo,
    "ICMPv6NeighborSolicitation": _from_icmpv6_ns,
    "ICMPv6NeighborAdvertisement": _from_icmpv6_na,
    "LLC": _from_llc,
    "SNAP": _from_snap,
    "GTPv1": _from_gtpv1,
    "ICMPv4Redirect": _from_icmpv4_more,
    "ICMPv4ParameterProblem": _from_icmpv4_more,
    "ICMPv4SourceQuench": _from_icmpv4_more,
    "ICMPv4Timestamp": _from_icmpv4_more,
    "ICMPv4TimestampReply": _from_icmpv4_more,
    "ICMPv6DestinationUnreachable": _from_icmpv6_error,
    "ICMPv6PacketTooBig": _from_icmpv6_error,
    "ICMPv6TimeExceeded": _from_icmpv6_error,
    "ICMPv6ParameterProblem": _from_icmpv6_error,
    "ICMPv6RouterSolicitation": _from_icmpv6_router,
    "ICMPv6RouterAdvertisement": _from_icmpv6_router,
    "ICMPv6Redirect": _from_icmpv6_redirect,
    "IPv6Extension": _from_ipv6_extension,
    "IPv6Fragment": _from_ipv6_fragment,
    "SCTP": _from_sctp,
    "SLL": _from_sll,
    "Null": _from_null,
    "DNS": _from_dns,
    "Radiotap": _from_radiotap,
    "Dot11": _from_dot11,
}
"""The typed layer classes that have a builder, by class name (this module imports no layer class)."""


def builder_of(layer: Layer, trailer: bytes | None = None) -> Builder:
    """A builder filled from ``layer`` and the layers after it (Pcap4J's ``getBuilder()``): its payload
    builder is the next layer's, and the last layer's is a :class:`RawBuilder` of ``trailer`` (by default
    the layer's own ``trailer``, the bytes no layer claimed). Built unchanged, it gives the same bytes.

    A layer without a builder class, and one whose header its builder cannot write again as captured
    (a header cut short, or a variant the builder has no fields for, such as GTP extension headers or an
    ARP for other addresses than Ethernet's and IPv4's), becomes a RawBuilder of its header and of
    everything after it.
    """
    if not isinstance(layer, Layer):
        raise TypeError(f"layer must be a decoded Layer, not {type(layer).__name__}")
    chain = []
    item: Layer | None = layer
    while item is not None:
        chain.append(item)
        item = item.next
    return _chain(chain, chain[-1].trailer if trailer is None else checks.frame("trailer", trailer))


def _chain(layers: list[Layer], rest: bytes) -> Builder:
    """The builder of ``layers`` (in wire order) followed by the bytes ``rest``."""
    builder: Builder = RawBuilder(rest)
    for item in reversed(layers):
        builder = _one(item, builder, rest)
        rest = builder.build()
    return builder


def _one(layer: Layer, payload: Builder, rest: bytes) -> Builder:
    """The builder of ``layer`` around ``payload`` (which builds ``rest``), or a RawBuilder of both."""
    make = _FROM_LAYER.get(type(layer).__name__)
    if make is not None and len(layer.header) == layer.length:
        try:
            builder = make(layer, payload)
        except (TypeError, ValueError):  # a field the decoder could not give (None) or gave out of range
            builder = None
        if builder is not None and _rebuilds(builder, layer, rest):
            return builder
    return RawBuilder(layer.header + rest)


def _rebuilds(builder: Builder, layer: Layer, rest: bytes) -> bool:
    """Whether ``builder`` writes ``layer``'s header as captured around ``rest``."""
    try:
        inner = builder.payload_builder if isinstance(builder, LlcBuilder) else None
        payload = inner._wrap(rest, None) if isinstance(inner, SnapBuilder) else rest  # SNAP: 2 builders
        built = builder._wrap(payload, None)
    except (TypeError, ValueError):
        return False
    return built == layer.header + rest + (builder.pad if isinstance(builder, EthernetBuilder) else b"")


__all__ = [
    "ArpBuilder",
    "Builder",
    "DnsBuilder",
    "DnsQuestion",
    "DnsResourceRecord",
    "Dot11Builder",
    "Dot11ProbeRequestBuilder",
    "EthernetBuilder",
    "GtpV1Builder",
    "IPv4Builder",
    "IPv6Builder",
    "IPv6DestinationOptionsBuilder",
    "IPv6FragmentBuilder",
    "IPv6HopByHopOptionsBuilder",
    "IPv6RoutingBuilder",
    "IcmpV4DestinationUnreachableBuilder",
    "IcmpV4EchoBuilder",
    "IcmpV4EchoReplyBuilder",
    "IcmpV4ParameterProblemBuilder",
    "IcmpV4RedirectBuilder",
    "IcmpV4SourceQuenchBuilder",
    "IcmpV4TimeExceededBuilder",
    "IcmpV4TimestampBuilder",
    "IcmpV4TimestampReplyBuilder",
    "IcmpV6DestinationUnreachableBuilder",
    "IcmpV6EchoReplyBuilder",
    "IcmpV6EchoRequestBuilder",
    "IcmpV6NeighborAdvertisementBuilder",
    "IcmpV6NeighborSolicitationBuilder",
    "IcmpV6PacketTooBigBuilder",
    "IcmpV6ParameterProblemBuilder",
    "IcmpV6RedirectBuilder",
    "IcmpV6RouterAdvertisementBuilder",
    "IcmpV6RouterSolicitationBuilder",
    "IcmpV6TimeExceededBuilder",
    "LlcBuilder",
    "NullBuilder",
    "RadiotapBuilder",
    "RawBuilder",
    "SctpBuilder",
    "SllBuilder",
    "SnapBuilder",
    "TcpBuilder",
    "UdpBuilder",
    "builder_of",
    "crc32c",
    "dns_name",
    "ethernet_padding",
    "internet_checksum",
    "packet_builder",
    "pseudo_header",
    "transport_checksum",
]


def packet_builder(decoded: DecodedPacket, data: bytes) -> Builder:
    """The builder of a whole decoded frame ``data``: its first layer's (:func:`builder_of`).

    Where decoding stopped at a malformed header, or the layers' headers and trailer do not make up the
    frame (a decoder that leaves bytes out of its model, such as an 802.11 FCS), the layers whose
    headers are whole and in place are kept and the bytes after them become the last one's RawBuilder;
    a frame without layers, or one that still does not come out the same, is one RawBuilder.
    """
    layers = decoded.layers
    if not layers:
        return RawBuilder(data)
    if decoded.malformed is None:
        builder = builder_of(layers[0])
        if builder.build() == data:
            return builder
    pos, kept = 0, 0
    for layer in layers:
        if len(layer.header) != layer.length or data[pos : pos + layer.length] != layer.header:
            break
        pos, kept = pos + layer.length, kept + 1
    builder = _chain(layers[:kept], data[pos:]) if kept else RawBuilder(data)
    return builder if builder.build() == data else RawBuilder(data)
