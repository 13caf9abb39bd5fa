"""pycapture: packet capture for Python, after Pcap4J and tcpdump.

Capture goes through libpcap (pcapy-ng), decoding through dpkt; see the README for the command.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .capture.datalinks import datalink_description, datalink_name, datalink_value
from .capture.devices import (
    PcapAddress,
    PcapNetworkInterface,
    find_all_devs,
    get_dev_by_address,
    get_dev_by_name,
    lookup_dev,
    lookup_net,
    pick_auto,
)
from .capture.handle import (
    BpfProgram,
    Direction,
    LoopCount,
    PcapHandle,
    PcapStat,
    TimestampPrecision,
    open_dead,
    open_live,
    open_offline,
)
from .capture.libpcap import lib_version
from .errors import (
    CaptureFileError,
    CapturePermissionError,
    FilterError,
    NoDeviceFoundError,
    NoSuchDeviceError,
    NotOpenError,
    PcapEOFError,
    PcapError,
    PcapNativeError,
    PcapTimeoutError,
)
from .packet import PcapPacket
from .replay.pacer import Pacer
from .replay.replayer import Replayer, ReplayStats, replay
from .savefile.pcap_writer import PcapDumper

__all__ = [
    "BpfProgram",
    "CaptureFileError",
    "CapturePermissionError",
    "Direction",
    "FilterError",
    "LoopCount",
    "NoDeviceFoundError",
    "NoSuchDeviceError",
    "NotOpenError",
    "Pacer",
    "PcapAddress",
    "PcapDumper",
    "PcapEOFError",
    "PcapError",
    "PcapHandle",
    "PcapNativeError",
    "PcapNetworkInterface",
    "PcapPacket",
    "PcapStat",
    "PcapTimeoutError",
    "ReplayStats",
    "Replayer",
    "TimestampPrecision",
    "__version__",
    "datalink_description",
    "datalink_name",
    "datalink_value",
    "find_all_devs",
    "get_dev_by_address",
    "get_dev_by_name",
    "lib_version",
    "lookup_dev",
    "lookup_net",
    "open_dead",
    "open_live",
    "open_offline",
    "pick_auto",
    "replay",
]
