"""Which application tcpdump's one-line output decodes in a TCP segment's payload, by port.

print-tcp.c tests a segment's ports against its printers' ports one printer after another (either port
matching), so a segment between port 179 and port 80 is BGP: numbers.TCPDUMP_TCP_PORT_ORDER keeps that
order, with the printers left to others here (DNS, HTTP) or not written (telnet, RTSP, BEEP, MSDP, NFS)
in their places, so that one of those still wins where tcpdump's does. The payload goes on as a
:data:`~pycapture.decode.lean_layers.TcpAppLayer` for :mod:`pycapture.output.tcpdump.tcp_apps`, which
reads it as tcpdump does.
"""

from __future__ import annotations

from ..protocols.numbers import TCPDUMP_TCP_PORT_ORDER, TCPDUMP_TCP_PRINTERS
from .lean_layers import Layers

_RANK: dict[int, int] = {}
for _rank, (_port, _name) in enumerate(TCPDUMP_TCP_PORT_ORDER):
    _RANK.setdefault(_port, _rank)
_NO_RANK = len(TCPDUMP_TCP_PORT_ORDER)


def tcp_printer(sport: int, dport: int) -> str | None:
    """The name of the printer tcpdump picks for a segment between these ports when it is one of
    numbers.TCPDUMP_TCP_PRINTERS (None: another printer, or none)."""
    rank = min(_RANK.get(sport, _NO_RANK), _RANK.get(dport, _NO_RANK))
    if rank == _NO_RANK:
        return None
    return TCPDUMP_TCP_PRINTERS.get(TCPDUMP_TCP_PORT_ORDER[rank][0])


def tcp_app(name: str, data: bytes, start: int, end: int, length: int, layers: Layers) -> None:
    """Hand the payload of ``length`` bytes at ``start`` (the capture or the segment ends at ``end``) to
    the printer ``name``: ``("tcp-app", name, captured, length)``."""
    layers.append(("tcp-app", name, data[start:end], length))


__all__ = ["tcp_app", "tcp_printer"]
