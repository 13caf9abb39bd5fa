"""The rich decoder's common parts: the state of one walk, the error that ends it, and Pcap4J's texts."""

from __future__ import annotations

import socket
import struct
from typing import Callable, Optional, TypeVar

import dpkt

from ..model import Field, Layer

_P = TypeVar("_P", bound=dpkt.Packet)
Step = tuple[Optional[str], bytes]  # (key of the next header's decoder, or None for payload; its bytes)


class Bad(Exception):
    """A header that does not parse: the layer, a one-sentence cause, and the bytes left.

    ``truncated`` marks a header cut short by the end of the bytes (a snapshot length or a quoted
    packet), as opposed to one whose fields make no sense.
    """

    def __init__(self, layer: str, cause: str, data: bytes | None = None, *, truncated: bool = False) -> None:
        super().__init__(cause)
        self.layer = layer
        self.cause = cause
        self.data = data
        self.truncated = truncated


def too_short(layer: str, what: str, have: int, need: int) -> Bad:
    return Bad(layer, f"too short for {what}: {have} of {need} bytes", truncated=True)


def require(buf: bytes, need: int, layer: str, what: str) -> None:
    if len(buf) < need:
        raise too_short(layer, what, len(buf), need)


def unpack_header(cls: type[_P], buf: bytes, layer: str, what: str) -> _P:
    """Unpack only the fixed header ``cls`` declares (``__hdr__``), never its payload.

    dpkt's constructors go on to decode the payload with their own dispatch tables; the rich decoder
    chooses the next layer itself, so it unpacks each header alone with ``dpkt.Packet.unpack``.
    """
    need = cls.__hdr_len__
    if len(buf) < need:
        raise too_short(layer, what, len(buf), need)
    obj: _P = object.__new__(cls)  # what cls.__new__ is: no dpkt class defines one
    dpkt.Packet.unpack(obj, buf)
    return obj


def short_reason(exc: BaseException) -> str:
    """A short reason from an exception; dpkt's messages may quote the whole buffer."""
    text = str(exc).split(": b'", 1)[0].split(': b"', 1)[0].strip() or type(exc).__name__
    return text if len(text) <= 100 else text[:97] + "..."


class Decoding:
    """The state of one frame's walk: its layers, and facts one header leaves for a later one."""

    __slots__ = ("layers", "pad_owner", "quoted", "wlan_datapad", "wlan_fcs")

    def __init__(self) -> None:
        self.layers: list[Layer] = []
        self.pad_owner: Layer | None = None  # the Ethernet layer whose padding is still unclaimed
        self.quoted = False  # inside the invoking packet an ICMP error quotes
        self.wlan_fcs: bytes | None = None  # radiotap said the 802.11 frame ends with an FCS
        self.wlan_datapad = False  # radiotap said the 802.11 header is padded to 32 bits

    def add(self, layer: Layer) -> Layer:
        self.layers.append(layer)
        return layer

    def claim_padding(self, pad: bytes) -> None:
        """Note bytes after a datagram's own length as the enclosing Ethernet frame's padding."""
        owner, self.pad_owner = self.pad_owner, None
        if owner is not None and pad:
            owner.fields.append(Field("padding", "Pad", pad.hex(":"), text=pad.hex(" ")))


# --- text helpers (Pcap4J's renderings) --------------------------------------------------------


def mac_text(raw: bytes) -> str:
    return raw.hex(":")


def ip4_text(raw: bytes) -> str:
    return socket.inet_ntoa(raw)


def ip6_text(raw: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET6, raw)


def java4_text(raw: bytes) -> str:
    """Pcap4J prints an InetAddress with Java's toString(): a leading slash."""
    return "/" + socket.inet_ntoa(raw)


def java6_text(raw: bytes) -> str:
    """Java writes IPv6 addresses uncompressed: ``/fe80:0:0:0:0:0:0:1``."""
    return "/" + ":".join(f"{g:x}" for g in struct.unpack("!8H", raw))


def named_text(value: int, names: dict[int, str]) -> str:
    """Pcap4J's NamedNumber: ``6 (TCP)``, ``12345 (unknown)``."""
    return f"{value} ({names.get(value, 'unknown')})"


def hex_named(value: int, names: dict[int, str], width: int = 4) -> str:
    """``0x0800 (IPv4)``."""
    return f"0x{value:0{width}x} ({names.get(value, 'unknown')})"


def hex_text(value: int, width: int = 4) -> str:
    return f"0x{value:0{width}x}"


def address_field(key: str, label: str, raw: bytes) -> Field:
    if len(raw) == 4:
        return Field(key, label, ip4_text(raw), text=java4_text(raw))
    if len(raw) == 16:
        return Field(key, label, ip6_text(raw), text=java6_text(raw))
    return Field(key, label, raw.hex(":"))


def port_field(key: str, label: str, port: int, names: dict[int, str]) -> Field:
    return Field(key, label, port, text=named_text(port, names))


def checksum_field(key: str, value: int, width: int = 4, label: str = "Checksum") -> Field:
    return Field(key, label, value, text=hex_text(value, width))


def flag_field(key: str, label: str, on: int | bool) -> Field:
    return Field(key, label, bool(on))


Decoder = Callable[[Decoding, bytes], Step]
