"""The bytes of pcap and pcapng files, written down once, and libpcap's rules for reading them.

Everything that reads or writes a saved capture takes its numbers from here: the pcap magic numbers
(micro- and nanosecond, Kuznetsov's modified pcap, in both byte orders), the file and record headers,
the pcapng block types, option codes and block layouts, the link-type field's FCS bits, libpcap's
snapshot-length limits, and the reading rules of libpcap's savefile readers (sf-pcap.c and
sf-pcapng.c) that decide what a record holds: the snapshot length a file is read with
(:func:`adjust_snapshot`), the order of a pcap record's two lengths (:func:`lengths_order`), and a
pcapng interface's time resolution and offset (:func:`interface_options`). The pcapng numbers are
dpkt's (:mod:`dpkt.pcapng`), under the names used here.
"""

from __future__ import annotations

import enum
import struct
import sys
from collections.abc import Callable, Iterator
from typing import NamedTuple

from dpkt import pcapng

from ..checks import C_INT_MAX, U32_MAX  # libpcap keeps snapshot lengths in C ints

# --- pcap ------------------------------------------------------------------------------------------

PCAP_MAGIC_USEC = 0xA1B2C3D4
PCAP_MAGIC_NSEC = 0xA1B23C4D
PCAP_MAGIC_MODIFIED = 0xA1B2CD34  # Alexey Kuznetsov's modified pcap: 24-byte record headers

_FILE_HEADER_FIELDS = "IHHiIII"  # magic, version major and minor, zone, sigfigs, snaplen, linktype
FILE_HEADER = struct.Struct("=" + _FILE_HEADER_FIELDS)  # in this machine's byte order, as libpcap writes
NATIVE_ORDER = "<" if sys.byteorder == "little" else ">"


def record_header(order: str) -> struct.Struct:
    """A pcap record header (seconds, fraction, captured length, original length) as libpcap reads it
    from a file of byte order ``order``: the times are signed 32-bit numbers (after 2038 the seconds are
    negative) in this machine's order, and unsigned in the other (libpcap's SWAPLONG gives an unsigned
    int)."""
    return struct.Struct(order + ("iiII" if order == NATIVE_ORDER else "IIII"))


RECORD_HEADER = record_header(NATIVE_ORDER)  # in this machine's byte order: signed times (bpf_int32)
RECORD_HEADER_SIZE = RECORD_HEADER.size
CAPLEN = struct.Struct("=I")  # a record's captured length, at byte CAPLEN_OFFSET of its header
CAPLEN_OFFSET = 8

MAXIMUM_SNAPLEN = 262144  # libpcap's MAXIMUM_SNAPLEN
_MAX_SNAPLEN_FOR_DLT = {231: 128 << 20, 249: 1 << 20, 279: 8 << 20}  # DBUS, USBPCAP, EBHSCR

# The header's LinkType field: the link-layer type in the low 16 bits, and the FCS length (bits 28-31)
# with the bit that says it is present (26); the bits between are reserved, written as 0.
LINKTYPE_MASK = 0x03FFFFFF  # what libpcap keeps of the field as the link type
LINKTYPE_FCS_BITS = 0xF4000000
LINKTYPE_RESERVED_BITS = U32_MAX & ~(LINKTYPE_FCS_BITS | 0xFFFF)

# LINKTYPE_ values that are not the DLT_ value libpcap hands on (pcap-common.c, linktype_to_dlt)
_LINKTYPE_TO_DLT = {100: 11, 101: 12, 102: 15, 103: 16, 106: 19}
_DLT_TO_LINKTYPE = {dlt: linktype for linktype, dlt in _LINKTYPE_TO_DLT.items()}


class PcapMagic(NamedTuple):
    """What a pcap magic number says: the file's byte order, its time unit and its record header size."""

    order: str  # "<" or ">"
    nanosecond: bool
    record_size: int  # 16, or 24 in Kuznetsov's modified pcap


PCAP_MAGICS = {  # the first four bytes of a pcap file: what they say
    struct.pack(order + "I", magic): PcapMagic(order, magic == PCAP_MAGIC_NSEC, size)
    for magic, size in ((PCAP_MAGIC_USEC, 16), (PCAP_MAGIC_NSEC, 16), (PCAP_MAGIC_MODIFIED, 24))
    for order in "<>"
}


class FileHeader(NamedTuple):
    """A pcap file header, read in the byte order its magic number says."""

    magic: PcapMagic
    major: int
    minor: int
    zone: int
    sigfigs: int
    snaplen: int
    linktype: int  # the whole field, FCS bits included (see LINKTYPE_MASK)

    @property
    def native(self) -> bool:
        """True when the file is in this machine's byte order."""
        return self.magic.order == NATIVE_ORDER


def parse_file_header(head: bytes) -> FileHeader | None:
    """The pcap file header at the start of ``head`` (at least :data:`FILE_HEADER`.size bytes), or None
    when its magic number is not pcap's."""
    magic = PCAP_MAGICS.get(bytes(head[:4]))
    if magic is None:
        return None
    if len(head) < FILE_HEADER.size:
        raise ValueError(f"a pcap file header is {FILE_HEADER.size} bytes, not {len(head)}")
    fields = struct.unpack_from(magic.order + _FILE_HEADER_FIELDS, head)
    return FileHeader(magic, *fields[1:])


def linktype_to_dlt(linktype: int) -> int:
    """The DLT_ value libpcap hands on for a file's LINKTYPE_ value."""
    return _LINKTYPE_TO_DLT.get(linktype, linktype)


def file_linktype(dlt: int) -> int:
    """The LINKTYPE_ value a pcap or pcapng file records for a handle's DLT_ value, as libpcap's dumper
    (dlt_to_linktype) writes it: ``file_linktype(12) == 101`` (raw IP); every other DLT is its own."""
    return _DLT_TO_LINKTYPE.get(dlt, dlt)


def max_snaplen_for_dlt(dlt: int) -> int:
    """The largest captured length libpcap reads for link type ``dlt`` (more is a damaged file)."""
    return _MAX_SNAPLEN_FOR_DLT.get(dlt, MAXIMUM_SNAPLEN)


def adjust_snapshot(dlt: int, snaplen: int) -> int:
    """The snapshot length libpcap reads a file with (pcap_adjust_snapshot): the header's, unless that is
    0 or does not fit in an int."""
    return snaplen if 0 < snaplen <= C_INT_MAX else max_snaplen_for_dlt(dlt)


class LengthsOrder(enum.Enum):
    """How a pcap record's captured and original lengths are ordered (libpcap's ``lengths_swapped``)."""

    AS_WRITTEN = 0
    SWAPPED = 1  # before 2.3, and DG/UX's 543.0, the original length came first
    MAYBE_SWAPPED = 2  # 2.3 files were written both ways: swapped where the captured length is larger

    def lengths(self, caplen: int, length: int) -> tuple[int, int]:
        """``(captured length, original length)`` from the record's two fields, in the file's order."""
        if self is LengthsOrder.SWAPPED or (self is LengthsOrder.MAYBE_SWAPPED and caplen > length):
            return length, caplen
        return caplen, length


def lengths_order(major: int, minor: int) -> LengthsOrder:
    """The order of the lengths in the records of a pcap file of version ``major.minor``."""
    if major == 543 or (major == 2 and minor < 3):
        return LengthsOrder.SWAPPED
    if (major, minor) == (2, 3):
        return LengthsOrder.MAYBE_SWAPPED
    return LengthsOrder.AS_WRITTEN


# --- pcapng ----------------------------------------------------------------------------------------

BT_SHB = pcapng.PCAPNG_BT_SHB
BT_IDB = pcapng.PCAPNG_BT_IDB
BT_PB = pcapng.PCAPNG_BT_PB  # the obsolete Packet Block
BT_SPB = pcapng.PCAPNG_BT_SPB
BT_EPB = pcapng.PCAPNG_BT_EPB
PACKET_BLOCKS = (BT_EPB, BT_SPB, BT_PB)
PCAPNG_MAGIC = struct.pack("<I", BT_SHB)  # a section header's block type reads the same in both orders
BYTE_ORDER_MAGIC = pcapng.BYTE_ORDER_MAGIC

OPT_ENDOFOPT = pcapng.PCAPNG_OPT_ENDOFOPT
OPT_COMMENT = pcapng.PCAPNG_OPT_COMMENT
OPT_SHB_OS = pcapng.PCAPNG_OPT_SHB_OS
OPT_SHB_USERAPPL = pcapng.PCAPNG_OPT_SHB_USERAPPL
OPT_IF_NAME = pcapng.PCAPNG_OPT_IF_NAME
OPT_IF_DESCRIPTION = pcapng.PCAPNG_OPT_IF_DESCRIPTION
OPT_IF_TSRESOL = pcapng.PCAPNG_OPT_IF_TSRESOL
OPT_IF_FILTER = pcapng.PCAPNG_OPT_IF_FILTER
OPT_IF_TSOFFSET = pcapng.PCAPNG_OPT_IF_TSOFFSET

# Block bodies (after the type and length), without the byte-order character
BLOCK_HEADER_FIELDS = "II"  # block type, total length (repeated in the 4-byte trailer)
IDB_FIELDS = "HHI"  # link type, reserved, snapshot length; then options
EPB_FIELDS = "IIIII"  # interface, timestamp high and low, captured length, original length; then data
PB_FIELDS = "HHIIII"  # interface, drops, timestamp high and low, captured length, original length

MAX_BLOCK = 16 << 20  # libpcap's INITIAL_MAX_BLOCKSIZE for pcapng blocks
_MAX_DECIMAL_TSRESOL = 19  # 10^19 ticks a second is the most a 64-bit count holds (libpcap's limit)
_MAX_BINARY_TSRESOL = 63  # and 2^63


def pcapng_byte_order(byte_order_magic: bytes) -> str | None:
    """``"<"`` or ``">"`` for a section header's byte-order magic; None when it is not pcapng's."""
    if byte_order_magic == struct.pack("<I", BYTE_ORDER_MAGIC):
        return "<"
    if byte_order_magic == struct.pack(">I", BYTE_ORDER_MAGIC):
        return ">"
    return None


def max_block_size(dlt: int | None) -> int:
    """The longest pcapng block libpcap reads once the first interface has link type ``dlt`` (None:
    before it): room for the largest packet of that link type and 128 KiB of options, at least
    :data:`MAX_BLOCK` (MAX_BLOCKSIZE_FOR_SNAPLEN)."""
    if dlt is None:
        return MAX_BLOCK
    return max(MAX_BLOCK, 8 + 20 + max_snaplen_for_dlt(dlt) + 131072 + 4)


class InterfaceOptionError(ValueError):
    """An Interface Description Block option that libpcap refuses: ``str()`` is libpcap's own message,
    :attr:`problem` says the same in the words of :mod:`pycapture.savefile.damage`."""

    def __init__(self, message: str, problem: str) -> None:
        super().__init__(message)
        self.problem = problem


class InterfaceOptions(NamedTuple):
    """What libpcap takes from an Interface Description Block's options."""

    units: int  # timestamp ticks a second: 10^n, or 2^n when binary (if_tsresol; 10^6 without it)
    binary: bool
    offset: int  # seconds added to every timestamp (if_tsoffset, unsigned 64-bit; 0 without it)


class Option(NamedTuple):
    """Where one pcapng option lies in a block's options."""

    code: int
    length: int  # of the value, without its padding
    value: int  # position of the value
    end: int  # position after the value and its padding to 32 bits: the next option's


def walk_options(read: Callable[[int, int], bytes], size: int, order: str) -> Iterator[Option]:
    """The options of a block, trusting nothing: each whose 4-byte header lies within the ``size``
    bytes, up to and with the end-of-options option. An option may end past ``size``; the walk stops
    there, or where fewer than 4 bytes are left. ``read(pos, n)`` gives the ``n`` bytes at ``pos`` of the
    options, in byte order ``order``."""
    header = struct.Struct(order + "HH").unpack
    pos = 0
    while size - pos >= 4:
        code, length = header(read(pos, 4))
        value = pos + 4
        pos = value + (length + 3) // 4 * 4  # values are padded to 32 bits
        yield Option(code, length, value, pos)
        if code == OPT_ENDOFOPT:
            return


def interface_options(read: Callable[[int, int], bytes], size: int, order: str) -> InterfaceOptions:
    """What libpcap takes from an Interface Description Block's options (process_idb_options).

    ``read(pos, n)`` gives the ``n`` bytes at ``pos`` of the ``size`` bytes of options (the block's body
    after the link type and snapshot length), in byte order ``order``. Raises
    :class:`InterfaceOptionError` where libpcap refuses the block.
    """
    units, binary, offset = 10**6, False, 0
    seen: set[int] = set()
    end = 0
    for code, length, value, end in walk_options(read, size, order):
        if end > size:
            raise _option_past_the_end()
        if code == OPT_ENDOFOPT:
            _check_option("opt_endofopt", "end-of-options", length, 0)
            break
        if code == OPT_IF_TSRESOL:
            _check_option("if_tsresol", "if_tsresol", length, 1, repeated=code in seen)
            units, binary = _time_resolution(read(value, 1)[0])
        elif code == OPT_IF_TSOFFSET:
            _check_option("if_tsoffset", "if_tsoffset", length, 8, repeated=code in seen)
            (offset,) = struct.unpack(order + "Q", read(value, 8))
        seen.add(code)
    else:
        if end < size:  # 1 to 3 bytes after the last option
            raise _option_past_the_end()
    return InterfaceOptions(units, binary, offset)


def tsresol_units(value: int) -> tuple[int, bool]:
    """``(ticks a second, binary)`` of an if_tsresol byte: 10^-n seconds, or 2^-n with the top bit set."""
    exponent = value & 0x7F
    binary = bool(value & 0x80)
    return (1 << exponent if binary else 10**exponent), binary


def _check_option(name: str, words: str, length: int, wanted: int, *, repeated: bool = False) -> None:
    """libpcap's checks of an IDB option: its length, and that an option it takes once is not ``repeated``."""
    if length != wanted:
        raise InterfaceOptionError(
            f"Interface Description Block has {name} option with length {length} != {wanted}",
            f"its {words} option is {length} bytes long, not {wanted}",
        )
    if repeated:
        raise InterfaceOptionError(
            f"Interface Description Block has more than one {name} option",
            f"it has more than one {name} option",
        )


def _option_past_the_end() -> InterfaceOptionError:
    return InterfaceOptionError(
        f"block of type {BT_IDB} in pcapng dump file is too short",
        "an option of the interface description block runs past the block's end",
    )


def _time_resolution(value: int) -> tuple[int, bool]:
    """:func:`tsresol_units`, refused where libpcap's 64-bit count of ticks cannot hold it."""
    exponent = value & 0x7F
    binary = bool(value & 0x80)
    if exponent > (_MAX_BINARY_TSRESOL if binary else _MAX_DECIMAL_TSRESOL):
        base = 2 if binary else 10
        raise InterfaceOptionError(
            f"Interface Description Block if_tsresol option resolution {base}^-{exponent} is too high",
            f"its if_tsresol option asks for ticks of {base}^-{exponent} s, more a second than libpcap "
            "counts in 64 bits",
        )
    return tsresol_units(value)
