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
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Optional, Union

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
    IPPROTO_ICMP,
    IPPROTO_ICMPV6,
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
    return built == layer.header + rest + getattr(builder, "pad", b"")


__all__ = [
    "ArpBuilder",
    "Builder",
    "EthernetBuilder",
    "GtpV1Builder",
    "IPv4Builder",
    "IPv6Builder",
    "IcmpV4DestinationUnreachableBuilder",
    "IcmpV4EchoBuilder",
    "IcmpV4EchoReplyBuilder",
    "IcmpV4TimeExceededBuilder",
    "IcmpV6EchoReplyBuilder",
    "IcmpV6EchoRequestBuilder",
    "IcmpV6NeighborAdvertisementBuilder",
    "IcmpV6NeighborSolicitationBuilder",
    "LlcBuilder",
    "RawBuilder",
    "SnapBuilder",
    "TcpBuilder",
    "UdpBuilder",
    "builder_of",
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
