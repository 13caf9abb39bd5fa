"""The walk: the decoder registry the family modules fill, and :func:`decode`, which follows it."""

from __future__ import annotations

import struct

import dpkt

from ...protocols.linktypes import LINKTYPE_DECODERS
from ..model import DecodedPacket, Layer, Malformed
from . import apps, can, control, depth2, icmp, link, network, scapy_layers, transport, tunnels, wlan
from .core import Bad, DecoderTable, Decoding, short_reason

_MAX_LAYERS = 128  # tunnels in tunnels end with the bytes, but a cap bounds the cost of any one frame

# each family's keys are its own: a key two families used would silently take the later's decoder
DECODERS: DecoderTable = {
    **link.DECODERS,
    **wlan.DECODERS,
    **network.DECODERS,
    **icmp.DECODERS,
    **transport.DECODERS,
    **tunnels.DECODERS,
    **apps.DECODERS,
    **scapy_layers.DECODERS,
    **can.DECODERS,
    **control.DECODERS,
    **depth2.DECODERS,
}

SUPPORTED_LINKTYPES = frozenset(LINKTYPE_DECODERS)
"""The link types :func:`decode` reads."""


def decode(linktype: int, data: bytes, *, dump: bool = True) -> DecodedPacket:
    """Decode one frame into layers, in wire order; never raises, whatever the bytes.

    A header that does not parse ends the walk: the layers before it stay, and ``malformed`` says
    which header, why, and what bytes were left. A link type this decoder does not know gives a
    packet without layers, its bytes as ``payload`` and ``malformed`` None.

    ``dump=False`` leaves out the costlier fields only the -v dump prints (Pcap4J's DNS records and TCP
    option lines) and gives plain layers, without the typed classes, header bytes and links of
    :mod:`pycapture.decode.layers`: the JSON view (layer names, keys and values) is the same either way.
    """
    data = bytes(data)
    packet = DecodedPacket(linktype=linktype)
    key = LINKTYPE_DECODERS.get(linktype)
    if key is None:
        packet.payload = data
        return packet
    d = Decoding(dump)
    packet.layers = d.layers
    packet.payload, packet.malformed = _walk(d, key, data)
    if d.layers and dump:
        d.layers[-1].trailer = packet.payload
    return packet


_NOT_NAMED = frozenset((
    "osi",  # chooses the next decoder, never a layer of its own
    # the layers the flow, table and Community ID code read fields of without checking they are there
    "ip", "ipv6", "ipv6.hopopts", "ipv6.routing", "ipv6.fraghdr", "ipv6.dstopts", "tcp", "udp", "sctp",
    "icmp", "icmpv6",
))  # fmt: skip
"""Layer names :func:`_name_unread` does not add."""


def _name_unread(d: Decoding, name: str) -> None:
    """Name the protocol of a header that could not be read (cut short, or not fitting), as Wireshark
    names it before its malformed mark: a layer without title, fields or bytes, which the JSON and the
    table list and the -v dump does not print (the malformed block after it says what went wrong)."""
    layers = d.layers
    if name in _NOT_NAMED or (layers and layers[-1].name == name):
        return  # the decoder added its layer before it stopped
    layer = Layer(name, "", 0, [])
    if d.dump and layers:
        layers[-1].next = layer
    layers.append(layer)


def _walk(d: Decoding, key: str | None, data: bytes) -> tuple[bytes, Malformed | None]:
    """Follow the decoders from ``key``; return the payload no layer claimed, and what went wrong."""
    layers = d.layers
    buf = data
    while key is not None:
        name, what, decoder = DECODERS[key]
        if len(layers) >= _MAX_LAYERS:
            return b"", Malformed(name, f"more than {_MAX_LAYERS} headers: decoding stopped", buf)
        try:
            key, buf = decoder(d, buf)
        except Bad as bad:
            rest = buf if bad.data is None else bad.data
            if d.quoted and bad.truncated:  # an ICMP error quotes only the start of a packet
                return rest, None
            if bad.layer == name:
                _name_unread(d, name)
            return b"", Malformed(bad.layer, bad.cause, rest)
        except (dpkt.Error, struct.error, IndexError, KeyError, ValueError, UnicodeError) as exc:
            _name_unread(d, name)
            return b"", Malformed(name, f"invalid {what.split(' ', 1)[1]}: {short_reason(exc)}", buf)
        except Exception as exc:  # a decoder's bug must not take the caller down: report it as malformed
            cause = f"cannot decode {what.split(' ', 1)[1]}: {type(exc).__name__}: {short_reason(exc)}"
            return b"", Malformed(name, cause, buf)
    return buf, None
