"""Flows and streams (issue 18): IP defragmentation (:class:`Defragmenter`), TCP reassembly
(:class:`TcpReassembler`) and conversations as a table (:class:`FlowTable`); tshark's statistics over
flows live in :mod:`.stats`, :mod:`.phs` and :mod:`.follow`, tcpflow's files in :mod:`.tcpflow`."""

from .defrag import Datagram, Defragmenter, DefragStats
from .flowtable import FLOW_COLUMNS, FlowTable, read_flows
from .tcp import Closed, Data, Fin, Flow, Stream, StreamFactory, TcpReassembler, TcpStats

__all__ = [
    "FLOW_COLUMNS",
    "Closed",
    "Data",
    "Datagram",
    "DefragStats",
    "Defragmenter",
    "Fin",
    "Flow",
    "FlowTable",
    "Stream",
    "StreamFactory",
    "TcpReassembler",
    "TcpStats",
    "read_flows",
]
