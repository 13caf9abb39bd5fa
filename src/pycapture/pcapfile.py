"""Writing the classic pcap file format (the format tcpdump -w writes), in pure Python.

pcapy-ng's dumper needs a libpcap packet header object for every packet and cannot flush on demand;
writing the 24-byte file header and 16-byte record headers ourselves keeps each packet's original
length and timestamp, and lets the caller flush after every packet (tcpdump's -U).
"""

from __future__ import annotations

import struct
import sys
from typing import BinaryIO

PCAP_MAGIC_USEC = 0xA1B2C3D4
PCAP_MAGIC_NSEC = 0xA1B23C4D

_FILE_HEADER = struct.Struct("=IHHiIII")
_RECORD_HEADER = struct.Struct("=IIII")


class PcapWriter:
    """Write packets to a pcap file in the machine's byte order, as libpcap does.

    ``path`` may be ``"-"`` for standard output. The file header is written at once, so even a
    capture stopped before its first packet leaves a valid (empty) file.
    """

    def __init__(self, path: str, linktype: int, snaplen: int = 262144, *, nanosecond: bool = False) -> None:
        self.path = path
        self._own = path != "-"
        self._file: BinaryIO = open(path, "wb") if self._own else sys.stdout.buffer  # noqa: SIM115
        magic = PCAP_MAGIC_NSEC if nanosecond else PCAP_MAGIC_USEC
        self._file.write(_FILE_HEADER.pack(magic, 2, 4, 0, 0, snaplen, linktype))
        self._pack = _RECORD_HEADER.pack
        self.count = 0

    def write(self, ts_sec: int, ts_frac: int, original_length: int, data: bytes) -> None:
        """Append one packet record; ``ts_frac`` is in micro- or nanoseconds as the file's magic says."""
        self._file.write(self._pack(ts_sec, ts_frac, len(data), original_length))
        self._file.write(data)
        self.count += 1

    def flush(self) -> None:
        self._file.flush()

    def tell(self) -> int:
        """Bytes written so far (Pcap4J's PcapDumper.ftell)."""
        return self._file.tell()

    def close(self) -> None:
        """Flush and close; standard output is flushed but left open."""
        if self._file.closed:
            return
        self._file.flush()
        if self._own:
            self._file.close()

    def __enter__(self) -> PcapWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
