"""The rich decoder's fields: values as Pcap4J's ``toString()`` dumps render them (``6 (TCP)``,
``/192.0.2.1``), and the :class:`Field` kinds that carry them."""

from __future__ import annotations

import socket
import struct

from ...protocols.names import ETHERTYPE_NAMES
from ...protocols.numbers import IEEE802_3_MAX_LENGTH
from ..model import Field


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


def ethertype_text(value: int) -> str:
    """Pcap4J's EtherType.toString(): ``0x0800 (IPv4)``, or ``Length (N bytes)`` for an 802.3 length."""
    if value <= IEEE802_3_MAX_LENGTH:
        return f"Length ({value} bytes)"
    return hex_named(value, ETHERTYPE_NAMES)


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


def line_fields(key: str, lines: list[str]) -> list[Field]:
    """Dump-only fields that print ``lines`` as they stand, one each (a field with an empty label)."""
    return [Field(key, "", None, text=line, json=False) for line in lines]
