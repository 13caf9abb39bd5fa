"""Pcap4J's named numbers as Python values: ``EtherType.IPV4``, ``IpNumber.TCP``, ``TcpPort.HTTP``.

A named number is an ``int`` that also knows its name: ``EtherType(0x0800)`` is ``EtherType.IPV4``,
equal to ``0x0800`` and usable wherever an int is, and ``str()`` of it is Pcap4J's ``toString()``,
``0x0800 (IPv4)``. A value Pcap4J has no name for is still a value of the class, named ``unknown``
(as Pcap4J's ``getInstance()`` makes one). The constants, their Java names and their texts are
Pcap4J's own, generated from its jar into :mod:`pycapture.protocols.pcap4j_names`.

Pcap4J spelling: ``EtherType.get_instance(0x0800)``, ``.value()`` is ``.value``, ``.name()`` is
``.name``, ``valueAsString()`` is :meth:`NamedNumber.value_as_string`.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from .pcap4j_names import CODES, CONSTANTS, FORMATS, NAMES

_N = TypeVar("_N", bound="NamedNumber")


class _WithConstants(type):
    """The metaclass that lets a type checker accept ``EtherType.IPV4``: the constants are set as class
    attributes at import, from data, so no checker sees them declared."""

    def __getattr__(cls, name: str) -> Any:
        raise AttributeError(f"{cls.__name__} has no constant {name!r}")


class NamedNumber(int, metaclass=_WithConstants):
    """A protocol number with Pcap4J's name for it; compares and hashes as its int."""

    kind: ClassVar[str] = ""
    """Pcap4J's class name, the key of its tables."""
    _names: ClassVar[dict[int, str]] = {}
    _constants: ClassVar[dict[int, str]] = {}
    _format: ClassVar[str] = "{}"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        kind = cls.__dict__.get("kind") or cls.__name__
        cls.kind = kind
        cls._names = NAMES.get(kind, {})
        cls._format = FORMATS.get(kind, "{}")
        constants = CONSTANTS.get(kind, {})
        cls._constants = {}
        for java_name, value in constants.items():
            setattr(cls, java_name, int.__new__(cls, value))
            cls._constants.setdefault(value, java_name)

    def __new__(cls: type[_N], value: int) -> _N:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{cls.__name__} takes an int, not {type(value).__name__}")
        return int.__new__(cls, value)

    @classmethod
    def get_instance(cls: type[_N], value: int) -> _N:
        """Pcap4J's ``getInstance(value)``: the constant of ``value``, or an ``unknown`` one."""
        return cls(value)

    @property
    def value(self) -> int:
        return int(self)

    @property
    def name(self) -> str:
        """Pcap4J's name for the value (``IPv4``), or ``unknown``."""
        return self._names.get(int(self), "unknown")

    def value_as_string(self) -> str:
        """The value as Pcap4J writes it: ``0x0800`` for an EtherType, ``08-00-5a`` for an OUI, or decimal."""
        value = int(self)
        if self._format == "oui":
            return value.to_bytes(3, "big").hex("-")
        return self._format.format(value)

    def __str__(self) -> str:
        return f"{self.value_as_string()} ({self.name})"

    def __repr__(self) -> str:
        java_name = self._constants.get(int(self))
        if java_name is not None:
            return f"{type(self).__name__}.{java_name}"
        return f"{type(self).__name__}({self.value_as_string()})"

    def __format__(self, spec: str) -> str:
        return str(self) if not spec else int(self).__format__(spec)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (int(self),))


class _PerType(NamedNumber):
    """A code whose name depends on its message type (ICMP's codes): ``IcmpV4Code(1, type=3)``."""

    _codes: ClassVar[dict[int, dict[int, str]]] = {}
    type: int

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._codes = CODES.get(cls.kind, {})

    def __new__(cls, value: int, type: int = -1) -> _PerType:
        self = super().__new__(cls, value)
        self.type = type
        return self

    @property
    def name(self) -> str:
        return self._codes.get(self.type, {}).get(int(self), "unknown")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (int(self), self.type))


class EtherType(NamedNumber):
    """The EtherType of an Ethernet, VLAN, SLL or SNAP header."""


class IpNumber(NamedNumber):
    """An IP protocol number: IPv4's Protocol, IPv6's Next Header."""


class IpVersion(NamedNumber):
    pass


class TcpPort(NamedNumber):
    pass


class UdpPort(NamedNumber):
    pass


class SctpPort(NamedNumber):
    pass


class TcpOptionKind(NamedNumber):
    pass


class ArpHardwareType(NamedNumber):
    pass


class ArpOperation(NamedNumber):
    pass


class IcmpV4Type(NamedNumber):
    pass


class IcmpV6Type(NamedNumber):
    pass


class IcmpV4Code(_PerType):
    pass


class IcmpV6Code(_PerType):
    """ICMPv6's codes; Pcap4J keys them by the type as a signed byte, so the type is looked up that way."""

    @property
    def name(self) -> str:
        return _ICMP6_CODES.get(self.type, {}).get(int(self), "unknown")


_ICMP6_CODES = {t & 0xFF: codes for t, codes in CODES["IcmpV6Code"].items()}


class DnsOpCode(NamedNumber):
    pass


class DnsRCode(NamedNumber):
    pass


class DnsResourceRecordType(NamedNumber):
    pass


class DnsClass(NamedNumber):
    pass


class LlcNumber(NamedNumber):
    """An LLC service access point (DSAP, SSAP)."""


class Oui(NamedNumber):
    pass


class LinuxSllPacketType(NamedNumber):
    pass


class ProtocolFamily(NamedNumber):
    """The address family of a BSD loopback (null) header."""


class SctpChunkType(NamedNumber):
    pass


class GtpV1MessageType(NamedNumber):
    pass


class Dot11FrameType(NamedNumber):
    pass


class DataLinkType(NamedNumber):
    pass


class PppDllProtocol(NamedNumber):
    pass


class IpV6OptionType(NamedNumber):
    pass


class IpV6NeighborDiscoveryOptionType(NamedNumber):
    pass


def named_number_class(kind: str) -> type[NamedNumber]:
    """The class of Pcap4J's named-number class ``kind`` (``"Dot11VenueGroup"``), made on first use for
    the kinds this module does not declare."""
    cls = _CLASSES.get(kind)
    if cls is None:
        if kind not in NAMES:
            raise KeyError(f"Pcap4J has no named-number class {kind!r}")
        cls = _CLASSES[kind] = type(kind, (NamedNumber,), {"__module__": __name__})
    return cls


_DECLARED: list[type[NamedNumber]] = [*NamedNumber.__subclasses__(), IcmpV4Code, IcmpV6Code]
_CLASSES: dict[str, type[NamedNumber]] = {cls.kind: cls for cls in _DECLARED if cls is not _PerType}

__all__ = [
    "ArpHardwareType",
    "ArpOperation",
    "DataLinkType",
    "DnsClass",
    "DnsOpCode",
    "DnsRCode",
    "DnsResourceRecordType",
    "Dot11FrameType",
    "EtherType",
    "GtpV1MessageType",
    "IcmpV4Code",
    "IcmpV4Type",
    "IcmpV6Code",
    "IcmpV6Type",
    "IpNumber",
    "IpV6NeighborDiscoveryOptionType",
    "IpV6OptionType",
    "IpVersion",
    "LinuxSllPacketType",
    "LlcNumber",
    "NamedNumber",
    "Oui",
    "PppDllProtocol",
    "ProtocolFamily",
    "SctpChunkType",
    "SctpPort",
    "TcpOptionKind",
    "TcpPort",
    "UdpPort",
    "named_number_class",
]
