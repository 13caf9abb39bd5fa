"""One captured frame: its bytes and capture facts, decoded into layers only when asked.

This is where source and decoder meet (gopacket's ``packet.go``): a handle creates packets from
raw records, and a packet decodes itself the first time its layers are read. The decoder and the
formatters are imported inside the methods that use them, so reading and writing packets that are
never looked into costs neither import nor decoding.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, TypeVar, overload

from . import checks

if TYPE_CHECKING:
    from .decode.builders import Builder
    from .decode.model import DecodedPacket, Layer, Malformed

    _L = TypeVar("_L", bound=Layer)

_NS = 1_000_000_000

Record = tuple[int, int, int, bytes]
"""One captured frame in its cheap form, as handles and files yield it in bulk:
``(ts_sec, ts_frac, original_length, data)``, ``ts_frac`` in µs, or ns for a nanosecond source.
``data`` may be a :class:`Frame`, which says more about the frame than the handle does."""


class Frame(bytes):
    """A frame's bytes that carry what its pcapng block said beyond the handle's facts: the link type
    and snapshot length of its own interface (a pcapng file may mix link types: pycapture's own reader
    hands each packet on with its interface's), the interface's number, and the packet's comments.

    Sinks take ``data`` of any record as bytes; those that decode check ``type(data) is not bytes``
    (one comparison a packet) and then use :attr:`linktype` instead of the handle's.
    """

    linktype: int
    snaplen: int
    interface: int
    comments: tuple[str, ...]

    def __new__(
        cls, data: bytes, linktype: int, snaplen: int, interface: int = 0, comments: tuple[str, ...] = ()
    ) -> Frame:
        frame = super().__new__(cls, data)
        frame.linktype = linktype
        frame.snaplen = snaplen
        frame.interface = interface
        frame.comments = comments
        return frame

    def __reduce__(self) -> tuple[type[Frame], tuple[bytes, int, int, int, tuple[str, ...]]]:
        return Frame, (bytes(self), self.linktype, self.snaplen, self.interface, self.comments)


def frame_linktype(data: bytes, default: int) -> int:
    """The link type of ``data``: its own for a :class:`Frame`, else ``default`` (the handle's)."""
    return default if type(data) is bytes else getattr(data, "linktype", default)


def frame_comments(data: bytes) -> tuple[str, ...]:
    """The comments of ``data`` (opt_comment of its pcapng block): none but for a :class:`Frame`."""
    return () if type(data) is bytes else getattr(data, "comments", ())


def _check_lengths(original_length: object, linktype: object) -> None:
    checks.integer("original_length", original_length, 0, checks.U32_MAX)
    checks.integer("linktype", linktype, 0, checks.U32_MAX)


class PcapPacket:
    """One captured frame (Pcap4J's ``PcapPacket``): raw bytes, timestamp, lengths and link type.

    ``ts_sec`` and ``ts_frac`` are the timestamp as libpcap gives it: ``ts_frac`` is microseconds,
    or nanoseconds when ``nanosecond`` is set. :attr:`timestamp` is the same instant as one integer
    of nanoseconds since the Unix epoch, whatever the source's precision.

    ``layers``, :meth:`get`, :meth:`contains`, ``str(packet)`` (Pcap4J's layered dump),
    :meth:`summary` (tcpdump's line) and :meth:`to_dict` (the ``--json`` object) decode the frame
    on first use and keep the result.
    """

    __slots__ = ("_decoded", "linktype", "nanosecond", "original_length", "raw", "ts_frac", "ts_sec")

    def __init__(
        self,
        raw: bytes,
        ts_sec: int,
        ts_frac: int,
        original_length: int,
        linktype: int,
        nanosecond: bool = False,
    ) -> None:
        if type(raw) is not bytes:  # handles pass bytes: the check costs them one comparison
            raw = checks.frame("raw", raw)
        try:
            sane = 0 <= original_length <= checks.U32_MAX and 0 <= linktype <= checks.U32_MAX
        except TypeError:
            sane = False
        if not sane:
            _check_lengths(original_length, linktype)
        self.raw = raw
        self.ts_sec = ts_sec
        self.ts_frac = ts_frac
        self.original_length = original_length
        self.linktype = linktype
        self.nanosecond = nanosecond
        self._decoded: DecodedPacket | None = None

    # --- capture facts ------------------------------------------------------------------------------

    @property
    def captured_length(self) -> int:
        """How many bytes were captured (at most the snapshot length)."""
        return len(self.raw)

    @property
    def timestamp(self) -> int:
        """The capture time in nanoseconds since the Unix epoch (like ``time.time_ns()``)."""
        return self.ts_sec * _NS + (self.ts_frac if self.nanosecond else self.ts_frac * 1000)

    timestamp_ns = timestamp

    @property
    def ts_usec(self) -> int:
        """The fraction of the second in microseconds: nanoseconds are cut toward zero, as libpcap cuts
        them when it reads a nanosecond file in microseconds."""
        return checks.c_divide(self.ts_frac, 1000) if self.nanosecond else self.ts_frac

    @property
    def datetime(self) -> _dt.datetime:
        """The capture time as an aware UTC ``datetime`` (which holds microseconds at most).

        Raises ValueError for a time outside ``datetime``'s years 1 to 9999: a pcapng file's
        timestamps are 64-bit and reach far beyond them (:attr:`timestamp` holds any of them).
        """
        epoch = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
        try:
            return epoch + _dt.timedelta(seconds=self.ts_sec, microseconds=self.ts_usec)
        except OverflowError:
            raise ValueError(
                f"the capture time, {self.ts_sec} s from 1970, is outside the years 1 to 9999 a datetime "
                "holds; the timestamp property holds it"
            ) from None

    def __len__(self) -> int:
        return len(self.raw)

    def __bytes__(self) -> bytes:
        return bytes(self.raw)

    def __repr__(self) -> str:
        digits = 9 if self.nanosecond else 6
        return (
            f"PcapPacket(ts={self.ts_sec}.{self.ts_frac:0{digits}d}, caplen={len(self.raw)}, "
            f"len={self.original_length}, linktype={self.linktype})"
        )

    # --- decoded view ---------------------------------------------------------------------------------

    @property
    def decoded(self) -> DecodedPacket:
        """The frame decoded into layers by :func:`pycapture.decode.rich.decode` (done once)."""
        if self._decoded is None:
            from .decode.rich import decode

            self._decoded = decode(self.linktype, self.raw)
        return self._decoded

    @property
    def layers(self) -> list[Layer]:
        """The headers in wire order; a tunnel's inner headers follow its outer ones."""
        return self.decoded.layers

    @property
    def payload(self) -> bytes:
        """Application data that no layer claimed."""
        return self.decoded.payload

    @property
    def malformed(self) -> Malformed | None:
        """Where and why decoding stopped, or None for a frame that decoded completely."""
        return self.decoded.malformed

    @overload
    def get(self, layer: str) -> Layer | None: ...

    @overload
    def get(self, layer: type[_L]) -> _L | None: ...

    def get(self, layer: str | type[Layer]) -> Layer | None:
        """The first (outermost) layer of the class ``layer`` (:mod:`pycapture.layers`: ``TCP``, ``IPv4``)
        or named ``layer`` (Wireshark's names: ``eth``, ``ip``, ``tcp``, ``dns``...), or None.

        A class finds its subclasses too: ``ICMPv4`` finds an ``ICMPv4Echo``. Anything else raises
        TypeError."""
        return self.decoded.get(layer)

    def contains(self, layer: str | type[Layer]) -> bool:
        """Whether the frame has a layer of the class or name ``layer``."""
        return self.decoded.get(layer) is not None

    def __contains__(self, layer: str | type[Layer]) -> bool:
        return self.contains(layer)

    def get_outer_of(self, layer: str | type[Layer]) -> Layer | None:
        """The layer that carries the first ``layer`` (Pcap4J's ``getOuterOf``): the IP header around
        ``TCP``; None when there is none."""
        return self.decoded.get_outer_of(layer)

    def get_builder(self) -> Builder:
        """A builder of this frame (Pcap4J's ``getBuilder()``): the first layer's, filled from every layer
        (:func:`pycapture.decode.builders.builder_of`), to change a field and build the frame again."""
        from .decode.builders import packet_builder

        return packet_builder(self.decoded, self.raw)

    def summary(self) -> str:
        """tcpdump's one-line text for this frame, without the timestamp (as ``pycapture -n -S`` prints
        it: a packet alone has no conversation, so TCP sequence numbers are absolute)."""
        from .decode.lean import decode
        from .output.tcpdump.text import summary_line

        return summary_line(
            decode(self.linktype, self.raw, self.original_length), self.original_length, default_print=False
        )

    def to_dict(self, number: int = 1) -> dict[str, Any]:
        """The object ``--json`` prints for this frame (schema in the README); ``number`` is frame.number."""
        from .output.jsonl import to_dict
        from .protocols.linktypes import linktype_name

        return to_dict(
            self.decoded,
            number,
            self.ts_sec,
            self.ts_frac,
            self.original_length,
            len(self.raw),
            linktype_name(self.linktype),
            self.nanosecond,
        )

    def __str__(self) -> str:
        """Pcap4J's layered dump (``Captured at:``, ``[Ethernet Header (14 bytes)]``...), time in UTC."""
        from .output.pcap4j import format_packet

        return format_packet(
            self.decoded,
            self.ts_sec,
            self.ts_frac,
            self.original_length,
            len(self.raw),
            utc=True,
            nano=self.nanosecond,
        )
