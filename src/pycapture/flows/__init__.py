"""Flows and streams (issue 18): IP defragmentation (:class:`Defragmenter`) and TCP reassembly
(:class:`TcpReassembler`); tshark's statistics over flows live in :mod:`.stats` and :mod:`.phs`."""

from .defrag import Datagram, Defragmenter, DefragStats
from .tcp import Closed, Data, Fin, Flow, Stream, StreamFactory, TcpReassembler, TcpStats

__all__ = [
    "Closed",
    "Data",
    "Datagram",
    "DefragStats",
    "Defragmenter",
    "Fin",
    "Flow",
    "Stream",
    "StreamFactory",
    "TcpReassembler",
    "TcpStats",
]
