"""The file backend: pcap and pcapng files read by dpkt alone, for machines where no libpcap loads.

dpkt's readers parse the file and section headers; their iterators give a float timestamp and the
captured bytes only, so the readers here extend them the dpkt way, with a :meth:`records` that keeps the
original length and the exact timestamp, as libpcap hands them on. Where libpcap refuses a file (a
packet on an interface never described, interfaces of different link types, a record cut short), this
reader refuses it too, after the packets before the damage. Filter expressions need libpcap's compiler,
so this backend cannot apply them.
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Iterator
from typing import BinaryIO

import dpkt
from dpkt import pcap, pcapng

from ..errors import BackendUnavailableError, CaptureFileError, NotOpenError
from ..handle import DEFAULT_SNAPLEN, PcapStat, Record
from ..pcapfile import file_is_nanosecond

_MAXIMUM_SNAPLEN = 262144  # libpcap's MAXIMUM_SNAPLEN: larger or zero snapshot lengths are read as this
_LINKTYPE_MASK = 0x03FFFFFF  # the high bits of a pcap header's link type carry FCS information
# LINKTYPE_ values that are not the DLT_ value libpcap hands on (pcap-common.c, linktype_to_dlt)
_LINKTYPE_TO_DLT = {100: 11, 101: 12, 102: 15, 103: 16, 106: 19}
_MAX_BLOCK = 16 << 20  # libpcap's largest pcapng block (INITIAL_MAX_BLOCKSIZE)
_READ_CHUNK = 1 << 20  # a length field asks for more: read it in chunks, so only what the file holds is held


def _snapshot(snaplen: int) -> int:
    return snaplen if 0 < snaplen <= _MAXIMUM_SNAPLEN else _MAXIMUM_SNAPLEN


def _signed32(value: int) -> int:
    return value - (1 << 32) if value >= 1 << 31 else value


def _dlt(linktype: int) -> int:
    return _LINKTYPE_TO_DLT.get(linktype, linktype)


_PCAPNG_SHB_MAGIC = struct.pack("<I", pcapng.PCAPNG_BT_SHB)


class _Prefixed:
    """A stream whose first bytes were already read to sniff the format: give them back first."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = head
        self._stream = stream
        self.name = getattr(stream, "name", "<stdin>")

    def read(self, n: int = -1) -> bytes:
        head, self._head = self._head, b""
        if n < 0:
            return head + self._stream.read()
        if len(head) >= n:
            self._head = head[n:]
            return head[:n]
        n -= len(head)
        if n <= _READ_CHUNK:
            return head + self._stream.read(n)
        # a damaged length field may ask for gigabytes: never allocate more than the file gives
        parts = [head]
        while n > 0:
            part = self._stream.read(min(n, _READ_CHUNK))
            if not part:
                break
            parts.append(part)
            n -= len(part)
        return b"".join(parts)

    def fileno(self) -> int:
        return self._stream.fileno()


def _read_exactly(f: _Prefixed, n: int, what: str) -> bytes:
    data = f.read(n)
    if len(data) < n:
        raise CaptureFileError(f"truncated dump file; tried to read {n} {what} bytes, only got {len(data)}")
    return data


class PcapRecordReader(pcap.Reader):
    """dpkt's pcap reader, yielding ``(sec, frac, original_length, data)`` with libpcap's checks."""

    def __init__(self, fileobj: _Prefixed) -> None:
        super().__init__(fileobj)
        header = self._Reader__fh  # type: ignore[attr-defined]
        major, minor = header.v_major, header.v_minor
        if major < 2:
            raise ValueError("archaic pcap savefile format")
        if not (major == 2 and minor <= 4) and (major, minor) != (543, 0):
            raise ValueError(f"unsupported pcap savefile version {major}.{minor}")

    def datalink(self) -> int:
        return _dlt(super().datalink() & _LINKTYPE_MASK)

    def records(self, nanosecond: bool) -> Iterator[Record]:
        f = self._Reader__f  # type: ignore[attr-defined]
        header_type = self._Reader__ph  # type: ignore[attr-defined]
        size = header_type.__hdr_len__
        file_nano = self._divisor != 1e6
        scale_up = 1000 if nanosecond and not file_nano else 1
        scale_down = 1000 if file_nano and not nanosecond else 1
        snapshot = _snapshot(self.snaplen)
        while True:
            raw = f.read(size)
            if not raw:
                return
            if len(raw) < size:
                raise CaptureFileError(
                    f"truncated dump file; tried to read {size} file header bytes, only got {len(raw)}"
                )
            hdr = header_type(raw)
            caplen = hdr.caplen
            if caplen > _MAXIMUM_SNAPLEN:
                raise CaptureFileError(
                    f"invalid packet capture length {caplen}, bigger than maximum of {_MAXIMUM_SNAPLEN}"
                )
            data = _read_exactly(f, caplen, "captured packet")
            if caplen > snapshot:
                data = data[:snapshot]
            # libpcap reads both timestamp fields as signed 32-bit numbers: after 2038 seconds go negative
            sec, frac = _signed32(hdr.tv_sec), _signed32(hdr.tv_usec)
            yield sec, frac * scale_up // scale_down, hdr.len, data


class _Interface:
    def __init__(self, idb: pcapng.InterfaceDescriptionBlock, little: bool) -> None:
        self.linktype = idb.linktype
        self.snaplen = idb.snaplen
        self.units = 10**6
        self.offset = 0
        for opt in idb.opts:
            if opt.code == pcapng.PCAPNG_OPT_IF_TSRESOL and opt.data:
                value = opt.data[0]
                self.units = 2 ** (value & 0x7F) if value & 0x80 else 10 ** (value & 0x7F)
            elif opt.code == pcapng.PCAPNG_OPT_IF_TSOFFSET and len(opt.data) >= 8:
                self.offset = struct.unpack("<q" if little else ">q", opt.data[:8])[0]


class PcapngRecordReader(pcapng.Reader):
    """dpkt's pcapng reader, yielding ``(sec, frac, original_length, data)`` from every interface.

    Like libpcap, it reads on across sections and refuses an interface whose link type or snapshot
    length differs from the first interface's, since a handle has one of each.
    """

    def datalink(self) -> int:
        return _dlt(super().datalink())

    def records(self, nanosecond: bool) -> Iterator[Record]:
        f = self._Reader__f  # type: ignore[attr-defined]
        little = self._Reader__le  # type: ignore[attr-defined]
        order = "<" if little else ">"
        interfaces = [_Interface(self.idb, little)]
        first = interfaces[0]
        target = 10**9 if nanosecond else 10**6
        block_header = struct.Struct(order + "II")
        raw_bom = struct.pack(order + "I", pcapng.BYTE_ORDER_MAGIC)
        snapshot = _snapshot(first.snaplen)
        while True:
            raw = f.read(8)
            if len(raw) < 8:
                if raw:
                    raise CaptureFileError(
                        f"truncated pcapng dump file; tried to read 8 bytes, only got {len(raw)}"
                    )
                return
            block_type, length = block_header.unpack(raw)
            if length < 12 or length % 4:
                raise CaptureFileError(f"block in pcapng dump file has a length of {length} < 12")
            if length > _MAX_BLOCK:
                raise CaptureFileError(f"pcapng block size {length} > maximum {_MAX_BLOCK}")
            buf = raw + _read_exactly(f, length - 8, "block")
            if block_type == pcapng.PCAPNG_BT_SHB:
                if buf[8:12] != raw_bom:
                    raise CaptureFileError("the file has sections with different byte orders")
                (major,) = struct.unpack(order + "H", buf[12:14])
                if major != 1:
                    raise CaptureFileError(f"unknown pcapng savefile major version number {major}")
                interfaces = []
                continue
            if block_type == pcapng.PCAPNG_BT_IDB:
                cls = pcapng.InterfaceDescriptionBlockLE if little else pcapng.InterfaceDescriptionBlock
                interface = _Interface(cls(buf), little)
                if interface.linktype != first.linktype:
                    raise CaptureFileError(
                        f"an interface has link type {interface.linktype}, the first one "
                        f"{first.linktype}: a capture holds one link type"
                    )
                if _snapshot(interface.snaplen) != _snapshot(first.snaplen):
                    raise CaptureFileError(
                        f"an interface has snapshot length {interface.snaplen}, the first one "
                        f"{first.snaplen}: a capture holds one snapshot length"
                    )
                interfaces.append(interface)
                continue
            if block_type in (pcapng.PCAPNG_BT_EPB, pcapng.PCAPNG_BT_PB):
                if block_type == pcapng.PCAPNG_BT_EPB:
                    cls = pcapng.EnhancedPacketBlockLE if little else pcapng.EnhancedPacketBlock
                else:
                    cls = pcapng.PacketBlockLE if little else pcapng.PacketBlock
                block = cls(buf)
                if block.iface_id >= len(interfaces):
                    raise CaptureFileError(
                        f"a packet arrived on interface {block.iface_id}, but there's no such interface"
                    )
                interface = interfaces[block.iface_id]
                stamp = (block.ts_high << 32) | block.ts_low
                sec, frac = divmod(stamp, interface.units)
                data = block.pkt_data[:snapshot]
                yield sec + interface.offset, frac * target // interface.units, block.pkt_len, data
            elif block_type == pcapng.PCAPNG_BT_SPB:
                if not interfaces:
                    raise CaptureFileError("a simple packet block arrived before any interface")
                (original,) = struct.unpack(order + "I", buf[8:12])
                caplen = min(original, length - 16, snapshot)
                yield 0, 0, original, buf[12 : 12 + caplen]


class FileHandle:
    """A saved capture read without libpcap, with pycapture's handle interface."""

    live = False
    warnings: tuple[str, ...] = ()

    def __init__(self, path: str, precision: str | None = None) -> None:
        self.source = path
        stream: BinaryIO
        if path == "-":
            stream = sys.stdin.buffer
            self._own = False
        else:
            try:
                stream = open(path, "rb")  # noqa: SIM115 - closed by close()
            except FileNotFoundError as exc:
                raise CaptureFileError(
                    f"{path}: No such file or directory", "check the path given to -r"
                ) from exc
            except OSError as exc:
                raise CaptureFileError(
                    f"{path}: {exc.strerror or exc}", "check the file's permissions"
                ) from exc
            self._own = True
        self._stream: BinaryIO | None = stream
        head = stream.read(4)
        prefixed = _Prefixed(head, stream)
        try:
            if head == _PCAPNG_SHB_MAGIC:
                self._reader: pcap.Reader | pcapng.Reader = PcapngRecordReader(prefixed)
                file_nano = path != "-" and file_is_nanosecond(path)
            else:
                self._reader = PcapRecordReader(prefixed)
                file_nano = self._reader._divisor != 1e6
        except (ValueError, struct.error, IndexError, dpkt.Error) as exc:
            self.close()
            reason = "unknown file format" if len(head) < 4 else str(exc)
            raise CaptureFileError(f"{path}: {reason}") from exc
        self.nanosecond = file_nano if precision is None else precision == "nano"
        self.datalink: int = self._reader.datalink()
        snaplen = self._reader.snaplen
        self.snapshot = _snapshot(snaplen) if snaplen else DEFAULT_SNAPLEN
        self.captured = 0
        self._break = False

    def __repr__(self) -> str:
        return f"<FileHandle {self.source!r} linktype={self.datalink}>"

    def set_filter(self, expression: str) -> None:
        """Refuse: filter expressions are compiled by libpcap, which this backend does without."""
        raise BackendUnavailableError(
            f"the file backend cannot apply the filter {expression!r}: filters are compiled by libpcap",
            "drop the filter, or use --backend pcapy or --backend scapy where libpcap or Npcap loads",
        )

    def break_loop(self) -> None:
        """Stop :meth:`records` before the next packet."""
        self._break = True

    @property
    def break_requested(self) -> bool:
        """True once :meth:`break_loop` has been called and :meth:`records` has not yet returned."""
        return self._break

    def records(self, count: int = -1) -> Iterator[Record]:
        """Yield ``(ts_sec, ts_frac, original_length, data)`` until ``count``, the end or a break."""
        if self._stream is None:
            raise NotOpenError(f"{self.source}: the handle is closed")
        remaining = count if count > 0 else -1
        reader = self._reader.records(self.nanosecond)  # type: ignore[union-attr]
        try:
            while remaining:
                if self._break:  # as pcap_breakloop: a request made before the loop counts,
                    self._break = False  # and the loop that honours it clears it
                    break
                record = next(reader, None)
                if record is None:
                    return
                self.captured += 1
                remaining -= 1
                yield record
        except CaptureFileError as exc:
            raise CaptureFileError(f"{self.source}: {exc}") from exc
        except (ValueError, struct.error, IndexError, dpkt.Error) as exc:  # a block dpkt cannot unpack
            raise CaptureFileError(f"{self.source}: damaged block: {exc}") from exc

    def get_stats(self) -> PcapStat:
        """Only ``captured`` is known for a saved capture."""
        return PcapStat(self.captured, 0, 0, self.captured)

    def close(self) -> None:
        """Close the file (standard input stays open); closing twice is harmless."""
        stream, self._stream = self._stream, None
        if stream is not None and self._own:
            stream.close()

    def __enter__(self) -> FileHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_offline(path: str, precision: str | None = None) -> FileHandle:
    """A saved capture read by dpkt, without libpcap."""
    return FileHandle(path, precision)


def open_live(device: str, settings: object) -> FileHandle:
    """Refuse: the file backend has no way to capture."""
    raise BackendUnavailableError(
        f"{device}: the file backend reads saved captures only; live capture needs libpcap",
        "use --backend pcapy or --backend scapy",
    )


__all__ = ["FileHandle", "PcapRecordReader", "PcapngRecordReader", "open_live", "open_offline"]
