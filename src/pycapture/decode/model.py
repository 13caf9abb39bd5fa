"""The decoded packet model that every rich formatter reads (layered dump, JSON, -e, -v).

A decoder turns bytes into a :class:`DecodedPacket`: the layers in wire order, each with its fields,
then the undecoded payload, and, if the bytes stopped making sense, what was left and why. Formatters
only read this model; they never parse bytes themselves.

Field keys follow Wireshark's field names within the layer (``src``, ``dst``, ``srcport``, ``proto``),
so the JSON output reads like tshark's; labels follow Pcap4J's text dumps (``Source address``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

_L = TypeVar("_L", bound="Layer")


class Field:
    """One header field; read-only by convention.

    ``key``: Wireshark-style name within the layer (``srcport``), used as the JSON key.
    ``label``: Pcap4J's label (``Source port``), used in the layered dump.
    ``value``: a JSON-ready value (int, str, bool, float, None, or a list/dict of those).
    ``text``: the dump's rendering when it differs from ``str(value)`` (``80 (HTTP)``).
    ``json``: False for fields only the dump shows (e.g. a raw options blob).
    ``dump``: False for fields only the JSON shows (Pcap4J's dump has no line for them).

    A field whose ``label`` is empty is a whole line of the dump, ``text`` as it stands (its indent
    included): for the lines Pcap4J prints that are not ``Label: text`` (a heading, a nested block).

    A plain class with ``__slots__`` rather than a frozen dataclass: a packet has about 33 fields, and
    a frozen dataclass's ``__init__`` (one ``object.__setattr__`` per attribute) cost 3.5 times as much,
    a sixth of the time of ``--json`` and ``-v``.
    """

    __slots__ = ("dump", "json", "key", "label", "text", "value")

    def __init__(
        self, key: str, label: str, value: Any, text: str | None = None, json: bool = True, dump: bool = True
    ) -> None:
        self.key = key
        self.label = label
        self.value = value
        self.text = text
        self.json = json
        self.dump = dump

    def _astuple(self) -> tuple:
        return (self.key, self.label, self.value, self.text, self.json, self.dump)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Field:
            return NotImplemented
        return self._astuple() == other._astuple()

    def __hash__(self) -> int:
        return hash(self._astuple())

    def __repr__(self) -> str:
        return (
            f"Field(key={self.key!r}, label={self.label!r}, value={self.value!r}, text={self.text!r}, "
            f"json={self.json!r}, dump={self.dump!r})"
        )

    def display(self) -> str:
        """The text shown after the label in the layered dump."""
        if self.text is not None:
            return self.text
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        return str(self.value)


@dataclass
class Layer:
    """One protocol header.

    ``name``: Wireshark's protocol name (``eth``, ``vlan``, ``ip``, ``ipv6``, ``tcp``, ``dns``...).
    ``title``: Pcap4J's block title (``Ethernet Header``, ``IPv4 Header``, ``TCP Header``).
    ``length``: the header's length in bytes, as the dump's ``[Title (N bytes)]`` shows it.
    ``blocks``: where Pcap4J dumps this header as several blocks (an ICMP common header and its echo
    header, an LLC header and its SNAP header), each block as (index of its first field, title, length);
    empty for one block of ``title`` and ``length``. The JSON view is the same either way. A layer whose
    ``title`` is empty (and has no blocks) prints its lines in the block before it, where Pcap4J dumps
    two of pycapture's layers as one header (an 802.11 management header and its frame body).
    ``header``: the header's bytes as captured (``length`` of them, fewer where the frame was cut).
    ``next``: the layer after this one in the frame (Pcap4J's payload), or None for the last.
    ``trailer``: for the last layer, the bytes after it that no layer claimed (the packet's payload).

    The decoder gives each layer of a protocol that has one its typed class (:mod:`pycapture.layers`:
    ``TCP``, ``IPv4``...), whose attributes are Pcap4J's getters with Python types; ``str(layer)`` is
    Pcap4J's dump of the header.
    """

    name: str
    title: str
    length: int
    fields: list[Field] = field(default_factory=list)
    blocks: tuple[tuple[int, str, int], ...] = ()
    header: bytes = field(default=b"", repr=False)
    next: Layer | None = field(default=None, repr=False, compare=False)
    trailer: bytes = field(default=b"", repr=False, compare=False)

    def get(self, key: str, default: Any = None) -> Any:
        """The value of the field called ``key`` (Wireshark-style), or ``default``."""
        for f in self.fields:
            if f.key == key:
                return f.value
        return default

    @property
    def payload(self) -> Layer | None:
        """The next layer, which this one carries (Pcap4J's ``getPayload()``), or None."""
        return self.next

    def dump_lines(self, lines: list[str]) -> str | None:
        """Append Pcap4J's block (or blocks) of this header to ``lines``; return the text of an Ethernet
        pad the header carries, which Pcap4J prints after the frame's payload, or None."""
        pad = None
        append = lines.append
        blocks = self.blocks
        if not blocks and self.title:
            title = self.title
            append(f"[{title if title.isprintable() else escaped(title)} ({self.length} bytes)]")
        for index, f in enumerate(self.fields):
            if blocks:
                for start, title, length in blocks:
                    if start == index:
                        append(f"[{escaped(title)} ({length} bytes)]")
            if f.dump:
                # Field.display() and escaped(), inline: -v runs this for every field of every packet
                text = f.text
                if text is None:
                    value = f.value
                    text = ("true" if value else "false") if value.__class__ is bool else str(value)
                if not text.isprintable():
                    text = escaped(text)
                append(f"  {f.label}: {text}" if f.label else text)
            elif f.key == "padding":
                pad = f.text or ""
        for start, title, length in blocks:
            if start >= len(self.fields):  # a block without fields of its own
                append(f"[{escaped(title)} ({length} bytes)]")
        return pad

    def __str__(self) -> str:
        """Pcap4J's dump of this header (its ``Header.toString()``), each line ending with a newline."""
        lines: list[str] = []
        self.dump_lines(lines)
        lines.append("")
        return "\n".join(lines)


_UNSAFE = frozenset(("Cc", "Cf", "Zl", "Zp"))  # controls, format characters (bidi overrides), line breaks


def escaped(text: str) -> str:
    """``text`` with every character that could break the line or act on a terminal (a newline, an
    escape sequence, a bidi override from a packet's DNS name or SSID) written as ``\\xNN``/``\\uNNNN``."""
    if text.isprintable():
        return text
    return "".join(
        (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
        if unicodedata.category(c) in _UNSAFE
        else c
        for c in text
    )


@dataclass(frozen=True)
class Malformed:
    """The bytes from where decoding failed, and why (Pcap4J's ``[Illegal Packet (N bytes)]``)."""

    layer: str  # the layer that could not be decoded, Wireshark-style name (``tcp``)
    cause: str  # one sentence: ``too short for a TCP header: 6 of 20 bytes``
    data: bytes


@dataclass
class DecodedPacket:
    """A frame decoded into layers; ``payload`` is application data no layer claimed."""

    linktype: int
    layers: list[Layer] = field(default_factory=list)
    payload: bytes = b""
    malformed: Malformed | None = None

    @overload
    def get(self, kind: str) -> Layer | None: ...

    @overload
    def get(self, kind: type[_L]) -> _L | None: ...

    def get(self, kind: str | type[Layer]) -> Layer | None:
        """The first (outermost) layer called ``kind`` (``"tcp"``) or of the class ``kind`` (``TCP``)."""
        if isinstance(kind, str):
            for layer in self.layers:
                if layer.name == kind:
                    return layer
            return None
        if not (isinstance(kind, type) and issubclass(kind, Layer)):
            raise TypeError(f"a layer is asked for by its name or its class, not by {kind!r}")
        for layer in self.layers:
            if isinstance(layer, kind):
                return layer
        return None

    def contains(self, kind: str | type[Layer]) -> bool:
        return self.get(kind) is not None

    def get_outer_of(self, kind: str | type[Layer]) -> Layer | None:
        """The layer that carries the first ``kind`` layer (Pcap4J's ``getOuterOf``): for ``TCP``, its
        IP header; None when there is no such layer or it is the first."""
        inner = self.get(kind)
        if inner is None:
            return None
        index = next(i for i, layer in enumerate(self.layers) if layer is inner)
        return self.layers[index - 1] if index else None
