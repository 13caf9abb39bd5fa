"""What the flow needs from an open capture, whichever backend opened it (gopacket's ``PacketDataSource``).

:class:`CaptureSource` is what every backend's handle does: the read loop, the sinks and the statistics
never know which one is underneath. The other protocols are capabilities the pump uses when a source has
them (tested with ``isinstance``, once per capture): lists of records at a time (:class:`BatchSource`),
a wait for what the kernel accepted before a stop (:class:`DrainableSource`), and, for a saved capture
read by libpcap, reading without libpcap: in place from the file's buffers, or in chunks shared by two
processes (:class:`SavedFileSource`).

:class:`BaseHandle` is what the backends' handles share: the facts :class:`CaptureSource` names, set
once when the capture is open, and libpcap's break request.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar, runtime_checkable

from ..packet import Record

if TYPE_CHECKING:
    from ..errors import PcapNativeError
    from ..savefile.reader import RecordBuffers
    from .handle import PcapStat


class CaptureSource(Protocol):
    """What the CLI needs from an open capture, whichever backend opened it."""

    source: str
    live: bool
    datalink: int
    snapshot: int
    nanosecond: bool
    captured: int
    warnings: tuple[str, ...]

    def records(self, count: int = -1) -> Iterator[Record]:
        """Yield ``(ts_sec, ts_frac, original_length, data)``; ``ts_frac`` in µs, or ns if nanosecond."""
        ...

    def set_filter(self, expression: str) -> None:
        """Apply a BPF filter (pcap-filter(7))."""
        ...

    def break_loop(self) -> None:
        """Stop :meth:`records` promptly; safe from a signal handler."""
        ...

    @property
    def break_requested(self) -> bool:
        """True once :meth:`break_loop` has been called and :meth:`records` has not yet returned."""
        ...

    def get_stats(self) -> PcapStat:
        """libpcap's counters for a live capture; for a file only ``captured`` is known."""
        ...

    def close(self) -> None:
        """Release the capture; closing twice is harmless."""
        ...


@runtime_checkable
class BatchSource(CaptureSource, Protocol):
    """A source that also reads lists of records: one call per list instead of one per packet."""

    def record_batches(self, count: int = -1) -> Iterator[list[Record]]:
        """Yield lists of records, as :meth:`records` yields them one by one."""
        ...


@runtime_checkable
class DrainableSource(CaptureSource, Protocol):
    """A live source whose kernel may hold accepted packets after a stop: the pump can still read them."""

    timeout_ms: int

    @property
    def is_open(self) -> bool:
        """False once the source has been closed."""
        ...


class ChunkReader(Protocol):
    """Reads a saved capture in chunks of records, for two processes that take turns over one file."""

    def read(self, size: int) -> tuple[list[Record], PcapNativeError | None]:
        """Up to ``size`` records, and the read error that ended them early (or None)."""
        ...

    def skip(self, size: int) -> int:
        """Pass over up to ``size`` records without looking at them; return how many; raise the read error."""
        ...


@runtime_checkable
class SavedFileSource(BatchSource, Protocol):
    """A saved capture read by libpcap, which the pump may also read without libpcap's per-packet call."""

    def in_place_buffers(self) -> RecordBuffers | None:
        """The file's records in buffers to read in place, when nothing stands in the way; else None."""
        ...

    def skip_records(self, count: int) -> None:
        """Read past ``count`` records delivered by other means (in place), counting them as captured."""
        ...

    def chunk_reader(self) -> ChunkReader | None:
        """A reader of chunks for two processes, when this capture can be shared so; else None."""
        ...

    def reopen(self) -> SavedFileSource:
        """A second source on the same file, with the same precision and filter."""
        ...


@runtime_checkable
class GatheringSource(BatchSource, Protocol):
    """A live capture whose packets the pump may take as pcap records in one buffer per batch."""

    def gatherer(self) -> Callable[[int], Iterator[bytes]] | None:
        """A function ``gather(count)`` yielding each batch the kernel has ready as classic pcap records
        (this machine's byte order) in one bytes object, or None where that cannot be."""
        ...


_Handle = TypeVar("_Handle", bound="BaseHandle")


@dataclass(eq=False, repr=False)  # a handle is equal to itself only, and each backend writes its repr
class BaseHandle(ABC):
    """What every backend's handle holds and does alike: the facts of :class:`CaptureSource`, which the
    backend passes in once the capture is open, the count of records handed out, the break request,
    and the ``with`` block that closes it.
    """

    source: str
    live: bool
    datalink: int
    snapshot: int
    nanosecond: bool
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # set on the instance, not as class defaults: the read loops use both for every packet, and an
        # attribute found on the instance reads faster
        self.captured = 0
        self._break = False  # set by break_loop(), cleared by _honour_break()

    @property
    def break_requested(self) -> bool:
        """True after ``break_loop()`` until a read honours it.

        As with libpcap's ``pcap_breakloop``: a request made before a loop starts ends that loop at once,
        and the read that honours it clears it, so the next read goes on normally.
        """
        return self._break

    def _honour_break(self) -> bool:
        """For a read loop, before each read: whether ``break_loop()`` asked it to end, the request then
        cleared (as ``pcap_breakloop``: a request made before the loop counts, and the loop that honours it
        clears it). The per-packet loops test ``_break`` inline instead: a call costs 20 ns a packet."""
        if not self._break:
            return False
        self._break = False
        return True

    @abstractmethod
    def close(self) -> None:
        """Release the capture; closing twice is harmless."""

    def __enter__(self: _Handle) -> _Handle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
