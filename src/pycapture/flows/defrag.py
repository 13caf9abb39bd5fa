"""IPv4 and IPv6 defragmentation, as Wireshark reassembles (``epan/reassemble.c``), with Linux's limits.

:meth:`Defragmenter.add` takes an IP packet (its bytes from the IP header on) and returns the whole
:class:`Datagram` once its fragments are all there, else None. A packet that is not a fragment is not
kept: ``add`` returns None for it too (use :meth:`Defragmenter.is_fragment` to tell).

Fragments belong together by (version, source, destination, identification, and for IPv4 the protocol),
as in RFC 791 and RFC 8200. The policy, held to tshark's reassembly by ``tests/flows/test_defrag.py``:

- **Length:** the first fragment without More Fragments fixes the datagram's length; bytes past it are
  dropped.
- **Overlaps and duplicates:** the fragments are laid down in order of offset, and of arrival for equal
  offsets; each adds only the bytes past what is already laid down. So where fragments overlap, the
  bytes of the one with the lower offset (or that came first) are kept, and later bytes that differ are
  counted in :attr:`DefragStats.conflicts`. A fragment of a datagram already reassembled is a duplicate,
  counted and dropped.
- **Time:** a datagram whose first fragment is older than ``timeout`` seconds (capture time; Linux's
  ``ipfrag_time``, 30 s) when a later packet comes is dropped and counted in ``timed_out``.
- **Memory:** the fragments held never pass ``max_bytes`` (Linux's ``ipfrag_high_thresh``, 4 MiB): the
  oldest datagrams are dropped first, counted in ``evicted``. At most :data:`DONE_KEPT` reassembled
  datagrams are remembered to tell their duplicates.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import NamedTuple

IPV4, IPV6 = 4, 6
FRAGMENT_HEADER = 44
"""IPv6's Fragment extension header (RFC 8200 4.5)."""
_IPV6_EXTENSIONS = frozenset(
    (0, 43, 60)
)  # hop-by-hop, routing, destination options: before a fragment header
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_BYTES = 4 << 20
DONE_KEPT = 1 << 16
"""Reassembled datagrams remembered (within ``timeout``) so that their late duplicates are dropped."""


class Datagram(NamedTuple):
    """A reassembled datagram: its ``version``, addresses (``src``, ``dst``, as bytes), upper-layer
    ``proto``, ``ident``, the first fragment's ``header`` (IPv4's header; IPv6's fixed header and the
    extension headers before the fragment header), the reassembled ``payload``, and the ``frames`` (the
    numbers given to :meth:`Defragmenter.add`) of its fragments, in arrival order."""

    version: int
    src: bytes
    dst: bytes
    proto: int
    ident: int
    header: bytes
    payload: bytes
    frames: tuple[int, ...]


@dataclass
class DefragStats:
    """What a :class:`Defragmenter` did: fragments taken, datagrams reassembled, and fragments dropped
    by cause."""

    fragments: int = 0
    reassembled: int = 0
    duplicates: int = 0
    conflicts: int = 0
    timed_out: int = 0
    evicted: int = 0
    malformed: int = 0


class _Fragment(NamedTuple):
    offset: int
    arrival: int
    data: bytes


@dataclass
class _Queue:
    first_seen: float
    header: bytes = b""
    length: int | None = None  # the datagram's, once a last fragment came
    fragments: list[_Fragment] = field(default_factory=list)
    frames: list[int] = field(default_factory=list)
    size: int = 0


_Key = tuple


class _Parsed(NamedTuple):
    key: _Key
    version: int
    src: bytes
    dst: bytes
    proto: int
    ident: int
    offset: int
    more: bool
    header: bytes
    data: bytes


def _parse(packet: bytes) -> _Parsed | None:
    """The fragment fields of an IP packet, or None when it is no fragment (or too short to be one)."""
    if not packet:
        return None
    version = packet[0] >> 4
    if version == IPV4:
        if len(packet) < 20:
            return None
        ihl = (packet[0] & 0x0F) * 4
        total, ident, word = struct.unpack_from("!HHH", packet, 2)
        offset, more = (word & 0x1FFF) * 8, bool(word & 0x2000)
        if not offset and not more:
            return None
        if ihl < 20 or total < ihl or len(packet) < ihl:
            raise ValueError("an IPv4 fragment whose header lengths do not fit")
        proto = packet[9]
        src, dst = packet[12:16], packet[16:20]
        data = packet[ihl : min(total, len(packet))]
        return _Parsed(
            (IPV4, src, dst, ident, proto), IPV4, src, dst, proto, ident, offset, more, packet[:ihl], data
        )
    if version == IPV6:
        if len(packet) < 40:
            return None
        plen = struct.unpack_from("!H", packet, 4)[0]
        end = min(40 + plen, len(packet))
        nxt, pos = packet[6], 40
        while nxt in _IPV6_EXTENSIONS:
            if pos + 2 > end:
                return None
            nxt, pos = packet[pos], pos + (packet[pos + 1] + 1) * 8
        if nxt != FRAGMENT_HEADER or pos + 8 > end:
            return None
        proto, word, ident = packet[pos], *struct.unpack_from("!HI", packet, pos + 2)
        offset, more = word & 0xFFF8, bool(word & 1)
        if not offset and not more:
            return None  # an atomic fragment (RFC 6946): a whole datagram
        src, dst = packet[8:24], packet[24:40]
        return _Parsed(
            (IPV6, src, dst, ident),
            IPV6,
            src,
            dst,
            proto,
            ident,
            offset,
            more,
            packet[:pos],
            packet[pos + 8 : end],
        )
    return None


def later_fragment_view(packet: bytes) -> bytes | None:
    """For the first fragment of a datagram (offset 0, More Fragments set): a copy whose fragment offset
    reads 8 rather than 0, which a decoder takes, as it takes every later fragment, for IP carrying data
    it cannot read on its own (tshark shows a first fragment so once it reassembles). None for any other
    packet."""
    try:
        parsed = _parse(packet)
    except ValueError:
        return None
    if parsed is None or parsed.offset or not parsed.more:
        return None
    view = bytearray(packet)
    at = 6 if parsed.version == IPV4 else len(parsed.header) + 2  # the field with the offset
    word = (view[at] << 8 | view[at + 1]) | (1 if parsed.version == IPV4 else 8)
    view[at : at + 2] = word.to_bytes(2, "big")
    return bytes(view)


class Defragmenter:
    """Reassembles IPv4 and IPv6 fragments (see the module's documentation for the policy)."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            raise TypeError(f"timeout must be a number of seconds, not {type(timeout).__name__}")
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int):
            raise TypeError(f"max_bytes must be an int, not {type(max_bytes).__name__}")
        if timeout <= 0 or max_bytes < 1:
            raise ValueError("timeout must be above 0 and max_bytes at least 1")
        self.timeout = float(timeout)
        self.max_bytes = max_bytes
        self.stats = DefragStats()
        self._queues: dict[_Key, _Queue] = {}  # oldest first (insertion order)
        self._done: dict[
            _Key, float
        ] = {}  # reassembled datagrams, when: their later fragments are duplicates
        self._held = 0
        self._arrivals = 0

    @property
    def held_bytes(self) -> int:
        """The bytes of fragments held, waiting for the rest of their datagrams."""
        return self._held

    @staticmethod
    def is_fragment(packet: bytes) -> bool:
        """Whether the IP packet ``packet`` is a fragment of a larger datagram."""
        try:
            return _parse(packet) is not None
        except ValueError:
            return True

    def add(self, packet: bytes, ts: float = 0.0, frame: int = 0) -> Datagram | None:
        """Take the IP packet ``packet`` (captured at ``ts`` seconds; ``frame`` names it in the result):
        the reassembled :class:`Datagram` if it completes one, else None."""
        if not isinstance(packet, (bytes, bytearray, memoryview)):
            raise TypeError(f"packet must be bytes, not {type(packet).__name__}")
        self._expire(ts)
        try:
            parsed = _parse(bytes(packet))
        except ValueError:
            self.stats.malformed += 1
            return None
        if parsed is None:
            return None
        self.stats.fragments += 1
        key = parsed.key
        if key in self._done:
            self.stats.duplicates += 1
            return None
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = _Queue(first_seen=ts)
        self._arrivals += 1
        queue.fragments.append(_Fragment(parsed.offset, self._arrivals, parsed.data))
        queue.frames.append(frame)
        queue.size += len(parsed.data)
        self._held += len(parsed.data)
        if parsed.offset == 0 and not queue.header:
            queue.header = parsed.header
        if not parsed.more and queue.length is None:
            queue.length = parsed.offset + len(parsed.data)
        datagram = self._complete(key, queue, parsed)
        if datagram is None:
            self._cap()
        return datagram

    def _complete(self, key: _Key, queue: _Queue, parsed: _Parsed) -> Datagram | None:
        length = queue.length
        if length is None:
            return None
        covered = 0
        for fragment in sorted(queue.fragments):
            if fragment.offset > covered:
                return None  # a hole
            covered = max(covered, fragment.offset + len(fragment.data))
            if covered >= length:
                break
        if covered < length:
            return None
        payload = bytearray(length)
        laid = 0
        for fragment in sorted(queue.fragments):
            end = min(fragment.offset + len(fragment.data), length)
            if fragment.offset < laid:  # an overlap: the bytes laid down first stay
                shared = min(end, laid)
                if payload[fragment.offset : shared] != fragment.data[: shared - fragment.offset]:
                    self.stats.conflicts += 1
            if end > laid:
                payload[laid:end] = fragment.data[laid - fragment.offset : end - fragment.offset]
                laid = end
        del self._queues[key]
        self._held -= queue.size
        self._done[key] = queue.first_seen
        if len(self._done) > DONE_KEPT:
            del self._done[next(iter(self._done))]
        self.stats.reassembled += 1
        return Datagram(
            parsed.version, parsed.src, parsed.dst, parsed.proto, parsed.ident, queue.header or parsed.header,
            bytes(payload), tuple(queue.frames),
        )  # fmt: skip

    def _expire(self, now: float) -> None:
        limit = now - self.timeout
        while self._queues:
            key, queue = next(iter(self._queues.items()))
            if queue.first_seen >= limit:
                break
            self._drop(key, queue)
            self.stats.timed_out += 1
        while self._done:
            key, when = next(iter(self._done.items()))
            if when >= limit:
                break
            del self._done[key]

    def _cap(self) -> None:
        while self._held > self.max_bytes and self._queues:
            key, queue = next(iter(self._queues.items()))
            self._drop(key, queue)
            self.stats.evicted += 1

    def _drop(self, key: _Key, queue: _Queue) -> None:
        del self._queues[key]
        self._held -= queue.size


__all__ = ["DEFAULT_MAX_BYTES", "DEFAULT_TIMEOUT", "DONE_KEPT", "Datagram", "DefragStats", "Defragmenter"]
