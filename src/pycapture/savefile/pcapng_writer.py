"""Writing pcapng files (dumpcap's and Wireshark's format): a section header, one interface, packets.

The section header and the interface description are dpkt's block classes; the Enhanced Packet
Blocks are packed here, because dpkt's writer takes float timestamps (nanoseconds do not survive)
and records the captured length as the original one.

Packets read from a pcapng file by pycapture's own reader (:class:`~pycapture.packet.Frame` data) keep
what that file said of them: a packet of another link type or snapshot length than the first interface's
gets an interface of its own (an Interface Description Block written before its first packet), and a
packet's comments are written back as its opt_comment options.
"""

from __future__ import annotations

import dataclasses
import platform
import struct
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from dpkt import pcapng as ng

from .. import __version__
from ..checks import U32_MAX
from ..errors import SaveFileError
from .format import (
    BLOCK_HEADER_FIELDS,
    BT_EPB,
    EPB_FIELDS,
    OPT_COMMENT,
    OPT_ENDOFOPT,
    OPT_IF_DESCRIPTION,
    OPT_IF_FILTER,
    OPT_IF_NAME,
    OPT_IF_TSRESOL,
    OPT_SHB_OS,
    OPT_SHB_USERAPPL,
    file_linktype,
)
from .pcap_writer import SaveFileWriter

_LITTLE = sys.byteorder == "little"
_SHB = ng.SectionHeaderBlockLE if _LITTLE else ng.SectionHeaderBlock
_IDB = ng.InterfaceDescriptionBlockLE if _LITTLE else ng.InterfaceDescriptionBlock
_OPTION = ng.PcapngOptionLE if _LITTLE else ng.PcapngOption

_EPB_HEAD = struct.Struct("=" + BLOCK_HEADER_FIELDS + EPB_FIELDS)
_U32 = struct.Struct("=I")
_PADDING = (b"", b"\0\0\0", b"\0\0", b"\0")  # indexed by length % 4
_U64_MAX = (1 << 64) - 1
_IDB_MAX_LINKTYPE = 0xFFFF  # an Interface Description Block's LinkType field has 16 bits


@dataclass(frozen=True)
class InterfaceInfo:
    """What the Interface Description Block says about where the packets came from."""

    linktype: int
    snaplen: int
    name: str | None = None  # if_name, e.g. "eth0"
    description: str | None = None  # if_description, libpcap's description of the device
    capture_filter: str | None = None  # if_filter, the BPF expression
    nanosecond: bool = False  # if_tsresol 9 rather than 6


def _option(code: int, value: str | bytes) -> ng.PcapngOption:
    if code == OPT_COMMENT:
        return _OPTION(code=code, text=value)
    return _OPTION(code=code, data=value.encode() if isinstance(value, str) else value)


def section_header(comments: Sequence[str] = ()) -> bytes:
    """An SHB naming pycapture (shb_userappl) and the OS (shb_os), with the capture's comments."""
    opts = [_option(OPT_COMMENT, text) for text in comments]
    opts.append(_option(OPT_SHB_OS, f"{platform.system()} {platform.release()}".strip()))
    opts.append(_option(OPT_SHB_USERAPPL, f"pycapture {__version__}"))
    opts.append(_OPTION(code=OPT_ENDOFOPT))
    return bytes(_SHB(opts=opts))


def interface_description(info: InterfaceInfo) -> bytes:
    """An IDB with the link type, snapshot length, if_name, if_description, if_filter and if_tsresol."""
    opts = []
    if info.name:
        opts.append(_option(OPT_IF_NAME, info.name))
    if info.description:
        opts.append(_option(OPT_IF_DESCRIPTION, info.description))
    if info.capture_filter:
        opts.append(_option(OPT_IF_FILTER, b"\0" + info.capture_filter.encode()))  # 0: libpcap
    opts.append(_option(OPT_IF_TSRESOL, bytes([9 if info.nanosecond else 6])))
    opts.append(_OPTION(code=OPT_ENDOFOPT))
    return bytes(_IDB(linktype=info.linktype, snaplen=info.snaplen, opts=opts))


class PcapngWriter(SaveFileWriter):
    """Write packets to a pcapng file: one section, one interface, an Enhanced Packet Block per packet.

    Same calls as :class:`~pycapture.savefile.pcap_writer.PcapWriter`; ``ts_frac`` is micro- or nanoseconds as
    ``info.nanosecond`` says, and the interface's if_tsresol records which. ``comments`` go into the
    section header (dumpcap's --capture-comment).

    The timestamp is written as dumpcap writes it (Wireshark's writecap/pcapio.c): one unsigned 64-bit
    count of units, ``sec * units + frac`` with the fraction (32 bits, as libpcap hands it on) taken as
    unsigned, modulo 2^64. One from a pcapng file is written back unchanged; a time before 1970 wraps to
    the top of the range, and a classic pcap file's fraction of -1 counts as 2^32 - 1 units.
    """

    def __init__(
        self,
        path: str,
        info: InterfaceInfo,
        *,
        comments: Sequence[str] = (),
        packet_buffered: bool = False,
    ) -> None:
        if not 0 <= info.linktype <= _IDB_MAX_LINKTYPE:
            raise SaveFileError(
                f"{path}: link-type {info.linktype} does not fit a pcapng file, whose field has 16 bits",
                "write a pcap file instead (leave out --pcapng)",
            )
        self.info = info
        self._interfaces = {(info.linktype, info.snaplen): 0}  # (link type, snapshot length): interface id
        self._scale = 1_000_000_000 if info.nanosecond else 1_000_000
        self._pack = _EPB_HEAD.pack
        self._tail = _U32.pack
        header = section_header(comments) + interface_description(info)
        super().__init__(path, header, packet_buffered=packet_buffered)

    def write(self, ts_sec: int, ts_frac: int, original_length: int, data: bytes) -> None:
        """Append one Enhanced Packet Block."""
        if type(data) is not bytes:
            self._write_frame(ts_sec, ts_frac, original_length, data)
            return
        caplen = len(data)
        pad = _PADDING[caplen & 3]
        total = 32 + caplen + len(pad)
        ts = ts_sec * self._scale + ts_frac
        if ts_frac < 0:  # a 32-bit fraction libpcap read as signed: dumpcap takes it unsigned
            ts += 1 << 32
        buf = self._buf
        try:
            buf += self._pack(BT_EPB, total, 0, ts >> 32, ts & U32_MAX, caplen, original_length)
        except struct.error:  # a count outside 64 bits (a time before 1970): wrapped, as dumpcap's guint64
            ts &= _U64_MAX
            buf += self._pack(BT_EPB, total, 0, ts >> 32, ts & U32_MAX, caplen, original_length)
        buf += data
        buf += pad + self._tail(total)
        self.count += 1
        if len(buf) >= self._flush_at:
            self._flush()

    def _write_frame(self, ts_sec: int, ts_frac: int, original_length: int, data: bytes) -> None:
        """:meth:`write` for a :class:`~pycapture.packet.Frame`: on its own interface, with its comments."""
        linktype = getattr(data, "linktype", None)
        snaplen = getattr(data, "snaplen", self.info.snaplen)
        key = (self.info.linktype if linktype is None else file_linktype(linktype), snaplen)
        interface = self._interfaces.get(key)
        if interface is None:
            if not 0 <= key[0] <= _IDB_MAX_LINKTYPE:
                raise SaveFileError(
                    f"{self.path}: link-type {key[0]} does not fit a pcapng file, whose field has 16 bits",
                    "write a pcap file instead (leave out --pcapng)",
                )
            interface = self._interfaces[key] = len(self._interfaces)
            described = dataclasses.replace(self.info, linktype=key[0], snaplen=snaplen)
            self._buf += interface_description(described)
        options = b"".join(bytes(_option(OPT_COMMENT, comment)) for comment in getattr(data, "comments", ()))
        if options:
            options += bytes(_OPTION(code=OPT_ENDOFOPT))
        caplen = len(data)
        pad = _PADDING[caplen & 3]
        total = 32 + caplen + len(pad) + len(options)
        ts = ts_sec * self._scale + ts_frac
        if ts_frac < 0:
            ts += 1 << 32
        ts &= _U64_MAX
        buf = self._buf
        buf += self._pack(BT_EPB, total, interface, ts >> 32, ts & U32_MAX, caplen, original_length)
        buf += data
        buf += pad + options + self._tail(total)
        self.count += 1
        if len(buf) >= self._flush_at:
            self._flush()

    def _complete(self, limit: int) -> tuple[int, int]:
        """(bytes, packets) of the whole blocks within the first ``limit`` bytes of the buffer: the
        interfaces written among the packets are not packets."""
        buf = self._buf
        pos = records = 0
        while pos < limit:
            end = pos + self._record_length(buf, pos)
            if end > limit:
                break
            if _U32.unpack_from(buf, pos)[0] == BT_EPB:
                records += 1
            pos = end
        return pos, records

    def _record_length(self, buf: bytearray, pos: int) -> int:
        if pos + 8 > len(buf):
            return 8
        length: int = _U32.unpack_from(buf, pos + 4)[0]
        return max(length, 12)

    def __enter__(self) -> PcapngWriter:
        return self
