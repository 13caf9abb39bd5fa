"""The rich decoder's common parts: the state of one walk, the error that ends it, what a decoder and a
family's table of decoders are, and the decoders that only choose the next one by a version number.

Pcap4J's renderings of the values in a layer's fields live in :mod:`.fields`.
"""

from __future__ import annotations

from typing import Callable, Optional, TypeVar

import dpkt

from ..layers import typed
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

    __slots__ = ("dump", "layers", "pad_owner", "quoted", "wlan_datapad", "wlan_fcs")

    def __init__(self, dump: bool = True) -> None:
        # False: the JSON's view only: no fields only the -v dump prints, and plain layers (no typed
        # classes, header bytes or links, which the library's packets have and the JSON never reads)
        self.dump = dump
        self.layers: list[Layer] = []
        self.pad_owner: Layer | None = None  # the Ethernet layer whose padding is still unclaimed
        self.quoted = False  # inside the invoking packet an ICMP error quotes
        self.wlan_fcs: bytes | None = None  # radiotap said the 802.11 frame ends with an FCS
        self.wlan_datapad = False  # radiotap said the 802.11 header is padded to 32 bits

    def add(self, layer: Layer, buf: bytes | None) -> Layer:
        """Add ``layer``, whose header starts ``buf`` (None for a header without bytes of its own): give
        it its protocol's class and link the layer before it to it."""
        layers = self.layers
        if self.dump:
            if buf is not None:
                layer.header = buf[: layer.length]
            typed(layer)
            if layers:
                layers[-1].next = layer
        layers.append(layer)
        return layer

    def add_header(self, buf: bytes, name: str, title: str, length: int, fields: list[Field]) -> bytes:
        """Add the layer of the ``length``-byte header that starts ``buf``; return the bytes after it."""
        if self.dump:
            self.add(Layer(name, title, length, fields), buf)
        else:  # the JSON's view: as add() does then, without the call
            self.layers.append(Layer(name, title, length, fields))
        return buf[length:]

    def claim_padding(self, pad: bytes) -> None:
        """Note bytes after a datagram's own length as the enclosing Ethernet frame's padding."""
        owner, self.pad_owner = self.pad_owner, None
        if owner is not None and pad:
            # Pcap4J prints an Ethernet frame's pad as a block of its own after the payload's
            owner.fields.append(Field("padding", "Pad", pad.hex(":"), text=pad.hex(" "), dump=False))


Decoder = Callable[[Decoding, bytes], Step]

IP_BY_VERSION = {4: "ip", 6: "ipv6"}
"""The decoder of an IP packet by its version, the high nibble of its first byte."""


def by_version(layer: str, what: str, shift: int, keys: dict[int, str], unknown: str) -> Decoder:
    """A decoder that adds no layer but sends the bytes on to the decoder of their version: the first
    byte shifted right by ``shift``, looked up in ``keys``. ``unknown`` starts the error's cause for
    any other version."""

    def decode_version(d: Decoding, buf: bytes) -> Step:
        require(buf, 1, layer, what)
        version = buf[0] >> shift
        key = keys.get(version)
        if key is None:
            raise Bad(layer, f"{unknown} {version}")
        return key, buf

    return decode_version


DecoderTable = dict[str, tuple[str, str, Decoder]]
"""A family's decoders by key: (Wireshark name of the layer each decodes, what it is, the decoder)."""
