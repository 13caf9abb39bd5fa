"""The rich decoder: every header of a frame as a :class:`Layer` with named fields, built with dpkt.

This is the path behind ``-v``, ``--json`` and the library API (gopacket's ``NewPacket``); the one-line
summary stays on :mod:`pycapture.decode.lean`, and the two must agree on addresses, ports and protocols.

``decode(linktype, data)`` walks the frame one header at a time. Each header is unpacked with dpkt's
class for it (or a small dpkt-style class from :mod:`pycapture.protocols.headers` where dpkt has none), and
the decoder, not dpkt, chooses the next layer: dpkt's own dispatch swallows errors and stops at the
first port it does not know, while here a header that does not fit ends the walk with a
:class:`Malformed` that says which header and why, keeping every layer before it. scapy decodes what
neither has (DHCPv6; the routing, management and key-exchange protocols of :mod:`.scapy_layers`, whose
layers say ``decoder: scapy``) and is imported only when such a packet turns up.

Field keys are Wireshark's field names within the layer (``tcp.srcport`` is ``srcport`` in the ``tcp``
layer); labels and ``text`` follow Pcap4J's ``toString()`` dumps (``Source address: /192.0.2.1``).

The decoders live by family (:mod:`.link`, :mod:`.wlan`, :mod:`.network`, :mod:`.icmp`, :mod:`.transport`,
:mod:`.tunnels`, :mod:`.apps`, :mod:`.scapy_layers`), each with a ``DECODERS`` table of its keys;
:mod:`.walk` joins the tables and follows them. What the families share is in :mod:`.core` (a walk's
state, its error, the table type) and :mod:`.fields` (Pcap4J's renderings of values). The numbers that
choose the next decoder (EtherTypes, IP protocols, ports, link types) and the names Pcap4J prints for
them come from :mod:`pycapture.protocols.numbers` and :mod:`pycapture.protocols.linktypes`.
"""

from __future__ import annotations

from ...protocols.names import (
    ETHERTYPE_NAMES,
    IP_PROTOCOL_NAMES,
    TCP_PORT_NAMES,
    UDP_PORT_NAMES,
)
from ...protocols.numbers import tcp_flag_letters as tcp_flags_letters
from .walk import SUPPORTED_LINKTYPES, decode

__all__ = [
    "ETHERTYPE_NAMES",
    "IP_PROTOCOL_NAMES",
    "SUPPORTED_LINKTYPES",
    "TCP_PORT_NAMES",
    "UDP_PORT_NAMES",
    "decode",
    "tcp_flags_letters",
]
