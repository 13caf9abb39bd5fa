"""The typed packet model, after Pcap4J's: one class per protocol's header, and Pcap4J's named numbers.

    from pycapture.layers import TCP, IPv4, EtherType, TcpPort

    tcp = packet.get(TCP)
    if tcp is not None and tcp.dst_port == TcpPort.HTTP:
        print(packet.get_outer_of(TCP).src_addr, tcp.syn, tcp.header.hex())

The classes are in :mod:`pycapture.decode.layers`, the numbers in :mod:`pycapture.protocols.named`,
Pcap4J's Builders (``TcpBuilder``, ``builder_of``) in :mod:`pycapture.decode.builders`; this module
gathers them under one name.
"""

from __future__ import annotations

from .decode.builders import *  # noqa: F403
from .decode.builders import __all__ as _builders
from .decode.layers import *  # noqa: F403
from .decode.layers import __all__ as _layers
from .protocols.named import *  # noqa: F403
from .protocols.named import __all__ as _named

__all__ = sorted(set(_layers) | set(_named) | set(_builders))  # pyright: ignore[reportUnsupportedDunderAll]
