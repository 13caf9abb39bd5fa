"""What a capture source hands on: the bytes of one frame with its capture facts."""

from __future__ import annotations


class PcapPacket:
    """One captured frame (Pcap4J's PcapPacket): raw bytes, timestamp, lengths and link type.

    The timestamp is kept as whole seconds plus a fraction in microseconds, as libpcap delivers it;
    ``timestamp_ns`` gives it as one integer. Decoding is left to :mod:`pycapture.decode`.
    """

    __slots__ = ("linktype", "original_length", "raw", "ts_sec", "ts_usec")

    def __init__(self, raw: bytes, ts_sec: int, ts_usec: int, original_length: int, linktype: int) -> None:
        self.raw = raw
        self.ts_sec = ts_sec
        self.ts_usec = ts_usec
        self.original_length = original_length
        self.linktype = linktype

    @property
    def captured_length(self) -> int:
        """How many bytes were captured (at most the snapshot length)."""
        return len(self.raw)

    @property
    def timestamp_ns(self) -> int:
        """The capture time in nanoseconds since the Unix epoch."""
        return self.ts_sec * 1_000_000_000 + self.ts_usec * 1000

    @property
    def timestamp(self) -> float:
        """The capture time in seconds since the Unix epoch, as a float (microsecond precision)."""
        return self.ts_sec + self.ts_usec / 1e6

    def __len__(self) -> int:
        return len(self.raw)

    def __repr__(self) -> str:
        return (
            f"PcapPacket(ts={self.ts_sec}.{self.ts_usec:06d}, caplen={len(self.raw)}, "
            f"len={self.original_length}, linktype={self.linktype})"
        )
