"""``--defrag``: frames whose IP fragments are reassembled before any output decodes them.

:class:`DefragmentingSink` stands in front of the sinks a capture feeds (printers, ``-w`` files, JSON):
a frame that is not an IP fragment passes unchanged; a fragment is handed to a
:class:`~pycapture.flows.defrag.Defragmenter` and passes unchanged too (tcpdump and tshark both still show
each fragment), except the fragment that completes a datagram, which is replaced by one frame holding the
whole datagram: the link header of that last fragment, then the IP header with the fragment fields gone
(IPv4: no offset, no More Fragments, the total length and header checksum made anew; IPv6: no Fragment
header, the payload length made anew). Outputs then decode the datagram as if it had never been cut, as
Wireshark shows it in the frame that completes it.
"""

from __future__ import annotations

import struct
from typing import Any

from ..decode.builders import internet_checksum
from ..flow.pump import Sink
from ..packet import Frame, Record, frame_linktype
from ..protocols.linktypes import (
    LINKTYPE_ETHERNET,
    LINKTYPE_IPV4,
    LINKTYPE_IPV6,
    LINKTYPE_LINUX_SLL,
    LINKTYPE_LOOP,
    LINKTYPE_NULL,
    LINKTYPE_RAW,
)
from ..protocols.numbers import ETHERTYPE_IP, ETHERTYPE_IP6, ETHERTYPE_QINQ, ETHERTYPE_VLAN
from .defrag import IPV4, Datagram, Defragmenter, later_fragment_view

_TAGS = frozenset((ETHERTYPE_VLAN, ETHERTYPE_QINQ))
_IP_TYPES = frozenset((ETHERTYPE_IP, ETHERTYPE_IP6))
_IPV6_CHAIN = frozenset((0, 43, 60))  # the extension headers a Datagram's IPv6 header may end with
SLL_HEADER = 16
LINKTYPES = frozenset(
    (
        LINKTYPE_ETHERNET,
        LINKTYPE_RAW,
        LINKTYPE_IPV4,
        LINKTYPE_IPV6,
        LINKTYPE_LINUX_SLL,
        LINKTYPE_NULL,
        LINKTYPE_LOOP,
    )
)
"""The link types whose IP packets ``--defrag`` finds."""


def ip_offset(linktype: int, frame: bytes) -> int | None:
    """Where the IP header of ``frame`` starts, or None when it carries no IP packet this module finds."""
    if linktype in (LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6):
        return 0
    if linktype == LINKTYPE_ETHERNET:
        at = 12
        while len(frame) >= at + 2:
            etype = frame[at] << 8 | frame[at + 1]
            if etype in _TAGS:
                at += 4
                continue
            return at + 2 if etype in _IP_TYPES else None
        return None
    if linktype == LINKTYPE_LINUX_SLL:
        if len(frame) < SLL_HEADER:
            return None
        return SLL_HEADER if (frame[14] << 8 | frame[15]) in _IP_TYPES else None
    if linktype in (LINKTYPE_NULL, LINKTYPE_LOOP):
        return 4 if len(frame) > 4 and frame[4] >> 4 in (4, 6) else None
    return None


def rebuild(datagram: Datagram) -> bytes:
    """The whole IP packet of a reassembled ``datagram``: its header, fragment fields gone, and payload."""
    header = bytearray(datagram.header)
    if datagram.version == IPV4:
        struct.pack_into("!H", header, 2, len(header) + len(datagram.payload))
        header[6] &= 0x40  # keep Don't Fragment; More Fragments and the offset go
        header[7] = 0
        header[10:12] = b"\0\0"
        struct.pack_into("!H", header, 10, internet_checksum(bytes(header)))
        return bytes(header) + datagram.payload
    pointer, at = 6, 40  # the byte naming the next header, and where that header starts
    while at < len(header) and header[pointer] in _IPV6_CHAIN:
        pointer, at = at, at + (header[at + 1] + 1) * 8
    header[pointer] = datagram.proto
    struct.pack_into("!H", header, 4, len(header) - 40 + len(datagram.payload))
    return bytes(header) + datagram.payload


HELD_COLUMNS: dict[str, Any] = {"ip_frag_offset": 0}
"""The table columns a held first fragment's row takes from the fragment itself rather than from its
later-fragment view (:attr:`Defragmenting.held`)."""


class Defragmenting:
    """Reassembles IP fragments record by record (see the module's documentation): :meth:`record` maps one
    record, and calling it maps a list of them (one out for one in). Made by link type and whether times
    are in nanoseconds, it is a :func:`pycapture.table.read_batches` ``transform``:
    ``read_batches(path, transform=Defragmenting)``."""

    def __init__(
        self,
        linktype: int,
        nano: bool = False,
        defragmenter: Defragmenter | None = None,
        wire_length: bool = True,
    ):
        self.linktype = linktype
        self.wire_length = wire_length
        """Whether a record that becomes a whole datagram keeps its frame's length on the wire (as tshark
        counts frame.len in its statistics: the table's ``len``), rather than take the datagram's (as a
        pcap record must, its length at least the bytes it holds)."""
        self.defragmenter = defragmenter or Defragmenter()
        self._scale = 1e-9 if nano else 1e-6
        self._frame = 0
        self.held: dict[int, tuple[bytes, dict[str, Any]]] = {}
        """After a call: by index in the records it returned, the first fragments of datagrams not yet
        whole, each with the bytes a table row decodes instead (:func:`~pycapture.flows.defrag.
        later_fragment_view`: no transport header, as tshark shows such a fragment while it reassembles)
        and the columns the row keeps from the fragment (:data:`HELD_COLUMNS`)."""

    def record(self, sec: int, frac: int, length: int, data: bytes) -> tuple[int, bytes]:
        """The (original length, bytes) a record becomes: itself, or the whole datagram it completes."""
        self._frame += 1
        # a pcapng file of mixed link types: each frame by its own interface's
        at = ip_offset(self.linktype if type(data) is bytes else frame_linktype(data, self.linktype), data)
        if at is None or (
            data[at] >> 4 == IPV4 and len(data) > at + 7 and not data[at + 6] & 0x3F | data[at + 7]
        ):
            return length, data  # the common case, told without copying the packet
        packet = data[at:]
        if not Defragmenter.is_fragment(packet):
            return length, data
        datagram = self.defragmenter.add(packet, sec + frac * self._scale, self._frame)
        if datagram is None:
            return length, data
        whole = data[:at] + rebuild(datagram)
        if isinstance(data, Frame):  # the datagram keeps its frame's link type
            whole = Frame(whole, data.linktype, data.snaplen, data.interface, data.comments)
        return (length if self.wire_length else len(whole)), whole

    def __call__(self, records: list[Record]) -> list[Record]:
        """The records a list of records becomes; :attr:`held` then names those of them that are first
        fragments of datagrams not yet whole."""
        out: list[Record] = []
        held: dict[int, tuple[bytes, dict[str, Any]]] = {}
        record, linktype = self.record, self.linktype
        for sec, frac, length, data in records:
            new_length, new = record(sec, frac, length, data)
            if new is data and data:
                at = ip_offset(linktype if type(data) is bytes else frame_linktype(data, linktype), data)
                view = None if at is None else later_fragment_view(data[at:])
                if view is not None:
                    held[len(out)] = (data[:at] + view, HELD_COLUMNS)
            out.append((sec, frac, new_length, new))
        self.held = held
        return out


class DefragmentingSink:
    """A sink that reassembles IP fragments in front of ``sink`` (see the module's documentation)."""

    def __init__(
        self, linktype: int, sink: Sink, defragmenter: Defragmenter | None = None, nano: bool = False
    ):
        self.sink = sink
        self._defragmenting = Defragmenting(linktype, nano, defragmenter, wire_length=False)
        self.defragmenter = self._defragmenting.defragmenter

    @property
    def linktype(self) -> int:
        """The link type of the frames this sink takes."""
        return self._defragmenting.linktype

    def __call__(self, sec: int, frac: int, length: int, data: bytes) -> object:
        length, data = self._defragmenting.record(sec, frac, length, data)
        return self.sink(sec, frac, length, data)


__all__ = ["LINKTYPES", "Defragmenting", "DefragmentingSink", "ip_offset", "rebuild"]
