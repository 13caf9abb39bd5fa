"""The UDP applications tcpdump's one-line output decodes by port, beyond DNS, BOOTP, NTP and syslog.

``udp_printer(sport, dport, payload)`` names the printer tcpdump 4.99's ``udp_print`` picks (its port
tests in their order, with the ones it applies to the source or destination port only), and
``decode_udp_app`` appends that application's layer: ``("udp-app", name, payload, length)``, the bytes
tcpdump may read (up to the end of the IP payload or of the capture) and the UDP payload length it is
given. The printers read many fields, so the layer carries the bytes (as the IGMP layer does); the text
lives in ``output/tcpdump/udp_apps.py``. A tunnel (VXLAN, Geneve) is followed by the layers of the frame
it carries.
"""

from __future__ import annotations

from ..protocols.numbers import (
    ETHERTYPE_TEB,
    TCPDUMP_UDP_PORT_ORDER,
    TCPDUMP_UDP_PRINTERS,
)
from .lean_l2tp import decode_l2tp
from .lean_layers import Layers
from .lean_misc import misc_udp_inner

_NFS_PORT = 2049
_SUNRPC_CALL, _SUNRPC_REPLY = 0, 1
_VXLAN_HEADER = 8  # and OTV's, and VXLAN-GPE's
_GPE_INNER = {1: 228, 2: 229, 3: 1}  # VXLAN-GPE's next protocol: the link type of the packet it carries


def udp_printer(sport: int, dport: int, payload: bytes) -> str | None:
    """The name of the printer tcpdump's ``udp_print`` hands this payload to, where it is one of
    ``numbers.TCPDUMP_UDP_PRINTERS`` (None where tcpdump picks another printer, or none)."""
    if len(payload) >= 8:  # tcpdump tries NFS over SunRPC first, by the port and the RPC direction
        direction = int.from_bytes(payload[4:8], "big")
        if dport == _NFS_PORT and direction == _SUNRPC_CALL:
            return _known("nfs-request")
        if sport == _NFS_PORT and direction == _SUNRPC_REPLY:
            return _known("nfs-reply")
    # the first of print-udp.c's tests either port passes
    tests = [test for test in _TESTS_BY_PORT.get(sport, ()) if test[1] != "dst"]
    tests += [test for test in _TESTS_BY_PORT.get(dport, ()) if test[1] != "src"]
    return _known(min(tests)[2]) if tests else None


_TESTS_BY_PORT: dict[int, tuple[tuple[int, str, str], ...]] = {}
for _rank, (_ports, _which, _name) in enumerate(TCPDUMP_UDP_PORT_ORDER):
    for _port in _ports:
        _TESTS_BY_PORT[_port] = (*_TESTS_BY_PORT.get(_port, ()), (_rank, _which, _name))

_PRINTER_NAMES = frozenset(
    name
    for ports, _which, name in TCPDUMP_UDP_PORT_ORDER
    if all(port in TCPDUMP_UDP_PRINTERS for port in ports)
) | {"nfs-request", "nfs-reply"}


def _known(name: str) -> str | None:
    return name if name in _PRINTER_NAMES else None


def decode_udp_app(
    name: str, data: bytes, start: int, end: int, length: int, layers: Layers, sport: int, dport: int
) -> None:
    """Append the layer of application ``name`` whose payload is ``data[start:end]`` (``end``: the end
    of the IP payload or of the capture) and whose UDP payload length is ``length``, then the layers of
    the frame a tunnel carries."""
    payload = bytes(data[start:end])
    layers.append(("udp-app", name, payload, length))
    if name == "l2tp":
        decode_l2tp(payload, length, layers)
    elif name in ("vxlan", "otv"):
        if length >= _VXLAN_HEADER and len(payload) >= _VXLAN_HEADER:
            _inner(1, payload[_VXLAN_HEADER:], length - _VXLAN_HEADER, layers)
    elif name == "vxlan-gpe" and length >= _VXLAN_HEADER and len(payload) >= _VXLAN_HEADER:
        linktype = _GPE_INNER.get(payload[3])
        if linktype is not None:
            _inner(linktype, payload[_VXLAN_HEADER:], length - _VXLAN_HEADER, layers)
    elif name == "geneve" and len(payload) >= 8 and length >= 8 and payload[0] >> 6 == 0:
        options = (payload[0] & 0x3F) * 4
        if length - 8 >= options and len(payload) >= 8 + options:
            _geneve_inner(
                int.from_bytes(payload[2:4], "big"), payload[8 + options :], length - 8 - options, layers
            )
    misc_udp_inner(name, payload, length, layers)


def _inner(linktype: int, frame: bytes, length: int, layers: Layers) -> None:
    from .lean import decode  # lean imports this module

    layers.extend(decode(linktype, frame, length))


def _geneve_inner(proto: int, packet: bytes, length: int, layers: Layers) -> None:
    """What a Geneve header carries, by its protocol: an Ethernet frame (TEB), or what an ethertype
    names; nothing where tcpdump has no printer for it (it prints the protocol's number)."""
    from .lean import _ethertype  # lean imports this module

    if proto == ETHERTYPE_TEB:
        _inner(1, packet, length, layers)
        return
    inner: Layers = []
    _ethertype(packet, 0, length, proto, inner)
    if inner and inner[0][0] != "other":
        layers.extend(inner)


__all__ = ["decode_udp_app", "udp_printer"]
