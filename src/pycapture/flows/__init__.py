"""Flows and streams (issue 18): IP defragmentation (:class:`Defragmenter`), TCP reassembly
(:class:`TcpReassembler`), tshark's TCP sequence analysis (:class:`TcpAnalysis`) and conversations as a
table (:class:`FlowTable`); tshark's statistics over flows live in :mod:`.stats` (with :mod:`.phs`,
:mod:`.iostat` and :mod:`.expert`) and :mod:`.follow`, tcpflow's files in :mod:`.tcpflow`."""

from .analysis import Analysed, StreamCounts, TcpAnalysis
from .defrag import Datagram, Defragmenter, DefragStats
from .flowtable import FLOW_COLUMNS, FlowTable, read_flows
from .tcp import Closed, Data, Fin, Flow, Stream, StreamFactory, TcpReassembler, TcpStats

__all__ = [
    "FLOW_COLUMNS",
    "Analysed",
    "Closed",
    "Data",
    "Datagram",
    "DefragStats",
    "Defragmenter",
    "Fin",
    "Flow",
    "FlowTable",
    "Stream",
    "StreamCounts",
    "StreamFactory",
    "TcpAnalysis",
    "TcpReassembler",
    "TcpStats",
    "read_flows",
]
