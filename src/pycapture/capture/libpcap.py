"""The libpcap calls pcapy-ng does not expose, made through ctypes on the very library it loaded.

pcapy-ng's ``findalldevs()`` returns names only; ``pcap_findalldevs`` itself also gives descriptions,
addresses and flags, exactly what tcpdump -D shows. Calling the copy of libpcap that pcapy-ng vendors
keeps one libpcap in the process, so what is listed is what can be opened.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
import socket
import sys
from dataclasses import dataclass
from functools import lru_cache

from .pcapy import Reader, npcap_dll_directory, pcapy

# pcap_if.flags (pcap/pcap.h)
PCAP_IF_LOOPBACK = 0x01
PCAP_IF_UP = 0x02
PCAP_IF_RUNNING = 0x04
PCAP_IF_WIRELESS = 0x08
PCAP_IF_CONNECTION_STATUS = 0x30
PCAP_IF_CONNECTION_STATUS_UNKNOWN = 0x00
PCAP_IF_CONNECTION_STATUS_CONNECTED = 0x10
PCAP_IF_CONNECTION_STATUS_DISCONNECTED = 0x20
PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE = 0x30

_AF_PACKET = 17  # Linux sockaddr_ll: link-layer address
_AF_LINK_BSD = 18  # BSD/macOS sockaddr_dl
_BSD_SOCKADDR = sys.platform == "darwin" or sys.platform.startswith(("freebsd", "openbsd", "netbsd"))


class _Sockaddr(ctypes.Structure):
    _fields_ = (("family", ctypes.c_ushort), ("data", ctypes.c_ubyte * 126))


class _PcapAddr(ctypes.Structure):
    pass


_PcapAddr._fields_ = (
    ("next", ctypes.POINTER(_PcapAddr)),
    ("addr", ctypes.POINTER(_Sockaddr)),
    ("netmask", ctypes.POINTER(_Sockaddr)),
    ("broadaddr", ctypes.POINTER(_Sockaddr)),
    ("dstaddr", ctypes.POINTER(_Sockaddr)),
)


class _PcapIf(ctypes.Structure):
    pass


_PcapIf._fields_ = (
    ("next", ctypes.POINTER(_PcapIf)),
    ("name", ctypes.c_char_p),
    ("description", ctypes.c_char_p),
    ("addresses", ctypes.POINTER(_PcapAddr)),
    ("flags", ctypes.c_uint),
)


@dataclass(frozen=True)
class RawAddress:
    """One pcap_addr entry: each field is a (family, text) pair or None."""

    addr: tuple[int, str] | None
    netmask: tuple[int, str] | None
    broadaddr: tuple[int, str] | None
    dstaddr: tuple[int, str] | None


@dataclass(frozen=True)
class RawInterface:
    """One pcap_if entry, as libpcap gives it."""

    name: str
    description: str
    flags: int
    addresses: tuple[RawAddress, ...]


def _library_candidates() -> list[str]:
    found: list[str] = []
    if sys.platform.startswith("linux"):
        # The libpcap already mapped by pcapy-ng: the same copy, whatever the wheel named it.
        try:
            with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
                for line in maps:
                    path = line.rstrip("\n").split(" ")[-1]
                    if "libpcap" in os.path.basename(path) and path not in found:
                        found.append(path)
        except OSError:
            pass
    here = os.path.dirname(getattr(pcapy, "__file__", "") or "")
    for pattern in ("pcapy_ng.libs/libpcap*", "pcapy_ng*.dylibs/libpcap*", ".dylibs/libpcap*"):
        if here:
            found.extend(p for p in glob.glob(os.path.join(here, pattern)) if p not in found)
    npcap = npcap_dll_directory()
    if npcap:
        found.append(os.path.join(npcap, "wpcap.dll"))
    for name in ("pcap", "wpcap"):
        system_path = ctypes.util.find_library(name)
        if system_path:
            found.append(system_path)
    return found


@lru_cache(maxsize=1)
def library() -> ctypes.CDLL | None:
    """The libpcap shared library pcapy-ng uses, or None where it cannot be located."""
    for path in _library_candidates():
        try:
            lib = ctypes.CDLL(path)
            lib.pcap_findalldevs.argtypes = (ctypes.POINTER(ctypes.POINTER(_PcapIf)), ctypes.c_char_p)
            lib.pcap_findalldevs.restype = ctypes.c_int
            lib.pcap_freealldevs.argtypes = (ctypes.POINTER(_PcapIf),)
            lib.pcap_freealldevs.restype = None
            lib.pcap_lib_version.restype = ctypes.c_char_p
            return lib
        except (OSError, AttributeError):
            continue
    return None


def lib_version() -> str:
    """libpcap's own version string, e.g. ``libpcap version 1.9.1 (with TPACKET_V3)``."""
    lib = library()
    if lib is None:
        return "libpcap (version unknown)"
    version: bytes = lib.pcap_lib_version()
    return version.decode("utf-8", "replace")


def _family(sa: _Sockaddr) -> int:
    family: int = sa.family
    if _BSD_SOCKADDR:  # sa_len then sa_family, one byte each
        return (family >> 8) & 0xFF if sys.byteorder == "little" else family & 0xFF
    return family


def _sockaddr_text(ptr: ctypes._Pointer) -> tuple[int, str] | None:
    if not ptr:
        return None
    sa = ptr.contents
    family = _family(sa)
    raw = bytes(sa.data)
    if family == socket.AF_INET:
        return family, socket.inet_ntop(socket.AF_INET, raw[2:6])
    if family == socket.AF_INET6:
        scope = int.from_bytes(raw[22:26], sys.byteorder)
        text = socket.inet_ntop(socket.AF_INET6, raw[6:22])
        if scope and text.startswith("fe80"):
            try:
                text += "%" + socket.if_indextoname(scope)
            except OSError:
                text += f"%{scope}"
        return family, text
    if family == _AF_PACKET and not _BSD_SOCKADDR:
        # sockaddr_ll after sll_family: protocol(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8)
        halen = raw[9]
        mac = raw[10 : 10 + min(halen, 8)]
        return family, ":".join(f"{b:02x}" for b in mac) if mac else ""
    if family == _AF_LINK_BSD and _BSD_SOCKADDR:
        # sockaddr_dl after len/family: index(2) type(1) nlen(1) alen(1) slen(1) data
        nlen, alen = raw[3], raw[4]
        mac = raw[6 + nlen : 6 + nlen + alen]
        return family, ":".join(f"{b:02x}" for b in mac) if mac else ""
    return family, ""


def find_all_devs() -> list[RawInterface]:
    """Call pcap_findalldevs; raise OSError with libpcap's message when it fails."""
    lib = library()
    if lib is None:
        # Names only, but better than nothing (a libpcap we cannot reach through ctypes).
        try:
            names = pcapy.findalldevs()
        except pcapy.PcapError as exc:
            raise OSError(str(exc)) from exc
        return [RawInterface(name, "", 0, ()) for name in names]
    head = ctypes.POINTER(_PcapIf)()
    err = ctypes.create_string_buffer(512)
    if lib.pcap_findalldevs(ctypes.byref(head), err) != 0:
        raise OSError(err.value.decode("utf-8", "replace") or "pcap_findalldevs failed")
    result: list[RawInterface] = []
    try:
        node = head
        while node:
            entry = node.contents
            addresses = []
            addr = entry.addresses
            while addr:
                a = addr.contents
                addresses.append(
                    RawAddress(
                        _sockaddr_text(a.addr),
                        _sockaddr_text(a.netmask),
                        _sockaddr_text(a.broadaddr),
                        _sockaddr_text(a.dstaddr),
                    )
                )
                addr = a.next
            result.append(
                RawInterface(
                    (entry.name or b"").decode("utf-8", "replace"),
                    (entry.description or b"").decode("utf-8", "replace"),
                    entry.flags,
                    tuple(addresses),
                )
            )
            node = entry.next
    finally:
        if head:
            lib.pcap_freealldevs(head)
    return result


# --- the pcap_t behind a pcapy-ng Reader ----------------------------------------------------------
#
# pcapy-ng 2.x lacks pcap_set_immediate_mode, pcap_set_tstamp_precision, pcap_list_datalinks,
# pcap_set_datalink and pcap_open_dead. Its Reader object is ``struct {PyObject_HEAD; pcap_t *pcap; ...}``
# (pcapobj.cc, unchanged since pcapy 0.10), so the pcap_t pointer sits right after the object header.
# Each use checks the pointer against libpcap before trusting it, and a Reader can be given a pcap_t
# opened here (open_offline_with_precision, open_dead): pcapy then reads and closes it as its own.

PCAP_TSTAMP_PRECISION_MICRO = 0
PCAP_TSTAMP_PRECISION_NANO = 1
_PCAP_ERROR_NOT_ACTIVATED = -3
_POINTER_OFFSET = object.__basicsize__


class NativeUnavailable(RuntimeError):
    """The libpcap call cannot be made here (no ctypes access to pcapy-ng's libpcap)."""


@lru_cache(maxsize=1)
def _native() -> ctypes.CDLL:
    lib = library()
    if lib is None:
        raise NativeUnavailable("pycapture cannot reach pcapy-ng's libpcap through ctypes")
    p = ctypes.c_void_p
    _bpf = ctypes.POINTER(_BpfProgram)
    _u32p = ctypes.POINTER(ctypes.c_uint32)
    signatures = {
        "pcap_set_immediate_mode": ((p, ctypes.c_int), ctypes.c_int),
        "pcap_set_tstamp_precision": ((p, ctypes.c_int), ctypes.c_int),
        "pcap_get_tstamp_precision": ((p,), ctypes.c_int),
        "pcap_open_offline_with_tstamp_precision": ((ctypes.c_char_p, ctypes.c_uint, ctypes.c_char_p), p),
        "pcap_open_dead_with_tstamp_precision": ((ctypes.c_int, ctypes.c_int, ctypes.c_uint), p),
        "pcap_list_datalinks": ((p, ctypes.POINTER(ctypes.POINTER(ctypes.c_int))), ctypes.c_int),
        "pcap_free_datalinks": ((ctypes.POINTER(ctypes.c_int),), None),
        "pcap_set_datalink": ((p, ctypes.c_int), ctypes.c_int),
        "pcap_datalink": ((p,), ctypes.c_int),
        "pcap_snapshot": ((p,), ctypes.c_int),
        "pcap_geterr": ((p,), ctypes.c_char_p),
        "pcap_close": ((p,), None),
        "pcap_datalink_val_to_name": ((ctypes.c_int,), ctypes.c_char_p),
        "pcap_datalink_val_to_description": ((ctypes.c_int,), ctypes.c_char_p),
        "pcap_datalink_name_to_val": ((ctypes.c_char_p,), ctypes.c_int),
        "pcap_compile": ((p, _bpf, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint), ctypes.c_int),
        "pcap_setfilter": ((p, _bpf), ctypes.c_int),
        "pcap_freecode": ((_bpf,), None),
        "pcap_lookupnet": ((ctypes.c_char_p, _u32p, _u32p, ctypes.c_char_p), ctypes.c_int),
    }
    try:
        for name, (args, result) in signatures.items():
            fn = getattr(lib, name)
            fn.argtypes = args
            fn.restype = result
    except AttributeError as exc:  # a libpcap older than 1.5
        raise NativeUnavailable(f"this libpcap lacks {exc.args[0]!r}") from exc
    return lib


def _slot(reader: Reader) -> ctypes.c_void_p:
    if type(reader).__name__ != "Reader" or type(reader).__module__ not in ("pcapy", "builtins"):
        raise NativeUnavailable(f"not a pcapy-ng Reader: {type(reader)!r}")
    return ctypes.c_void_p.from_address(id(reader) + _POINTER_OFFSET)


def pcap_pointer(reader: Reader, activated: bool) -> int:
    """The pcap_t* inside a pcapy-ng Reader, checked against libpcap; NativeUnavailable if unsure."""
    lib = _native()
    ptr = _slot(reader).value
    if not ptr:
        raise NativeUnavailable("the pcapy-ng Reader holds no pcap_t (closed?)")
    if activated:
        ok = lib.pcap_datalink(ptr) == reader.datalink()
    else:
        ok = lib.pcap_datalink(ptr) == _PCAP_ERROR_NOT_ACTIVATED
    if not ok:
        raise NativeUnavailable("pcapy-ng's Reader layout is not the one pycapture knows")
    return ptr


def _adopt(ptr: int) -> Reader:
    """A pcapy-ng Reader that owns ``ptr`` (it reads from it and closes it)."""
    lib = _native()
    shell = pcapy.create("any")  # pcap_create only allocates; nothing is opened
    old = pcap_pointer(shell, activated=False)
    _slot(shell).value = ptr
    lib.pcap_close(old)
    return shell


def dispatch_address() -> int:
    """The address of ``pcap_dispatch`` in pcapy-ng's libpcap, for compiled code that calls it
    (:mod:`pycapture.capture._spool`); NativeUnavailable where ctypes cannot reach it."""
    lib = library()
    if lib is None:
        raise NativeUnavailable("pycapture cannot reach pcapy-ng's libpcap through ctypes")
    address = ctypes.cast(lib.pcap_dispatch, ctypes.c_void_p).value
    if not address:
        raise NativeUnavailable("this libpcap has no pcap_dispatch")
    return address


def geterr(reader: Reader) -> str:
    """libpcap's last error text for the pcap_t in ``reader``."""
    ptr = _slot(reader).value
    return _native().pcap_geterr(ptr).decode("utf-8", "replace") if ptr else "the handle is closed"


def open_offline_with_precision(path: str, nano: bool) -> Reader:
    """pcap_open_offline_with_tstamp_precision, as a pcapy-ng Reader; OSError with libpcap's message."""
    lib = _native()
    err = ctypes.create_string_buffer(512)
    precision = PCAP_TSTAMP_PRECISION_NANO if nano else PCAP_TSTAMP_PRECISION_MICRO
    ptr = lib.pcap_open_offline_with_tstamp_precision(os.fsencode(path), precision, err)
    if not ptr:
        raise OSError(err.value.decode("utf-8", "replace"))
    return _adopt(ptr)


def open_dead(linktype: int, snaplen: int, nano: bool = False) -> Reader:
    """pcap_open_dead_with_tstamp_precision, as a pcapy-ng Reader (for filters and dumpers)."""
    lib = _native()
    precision = PCAP_TSTAMP_PRECISION_NANO if nano else PCAP_TSTAMP_PRECISION_MICRO
    ptr = lib.pcap_open_dead_with_tstamp_precision(linktype, snaplen, precision)
    if not ptr:
        raise MemoryError("pcap_open_dead failed")
    return _adopt(ptr)


def set_before_activate(reader: Reader, *, immediate: bool | None, nano: bool | None) -> None:
    """pcap_set_immediate_mode / pcap_set_tstamp_precision on a created, not yet activated Reader."""
    lib = _native()
    ptr = pcap_pointer(reader, activated=False)
    if immediate is not None and lib.pcap_set_immediate_mode(ptr, int(immediate)) != 0:
        raise OSError(lib.pcap_geterr(ptr).decode("utf-8", "replace"))
    if nano is not None:
        precision = PCAP_TSTAMP_PRECISION_NANO if nano else PCAP_TSTAMP_PRECISION_MICRO
        if lib.pcap_set_tstamp_precision(ptr, precision) != 0:
            raise OSError("this device cannot give nanosecond timestamps")


def tstamp_precision_is_nano(reader: Reader) -> bool:
    """Whether the Reader delivers nanoseconds in its timestamps' fraction."""
    lib = _native()
    precision: int = lib.pcap_get_tstamp_precision(pcap_pointer(reader, activated=True))
    return precision == PCAP_TSTAMP_PRECISION_NANO


def list_datalinks(reader: Reader) -> list[int]:
    """pcap_list_datalinks: the link types the device offers."""
    lib = _native()
    ptr = pcap_pointer(reader, activated=True)
    values = ctypes.POINTER(ctypes.c_int)()
    n = lib.pcap_list_datalinks(ptr, ctypes.byref(values))
    if n < 0:
        raise OSError(lib.pcap_geterr(ptr).decode("utf-8", "replace"))
    try:
        return [values[i] for i in range(n)]
    finally:
        lib.pcap_free_datalinks(values)


def set_datalink(reader: Reader, linktype: int) -> None:
    """pcap_set_datalink; OSError with libpcap's message when the device refuses."""
    lib = _native()
    ptr = pcap_pointer(reader, activated=True)
    if lib.pcap_set_datalink(ptr, linktype) != 0:
        raise OSError(lib.pcap_geterr(ptr).decode("utf-8", "replace"))


def datalink_val_to_name(value: int) -> str | None:
    """libpcap's name for a DLT value (``EN10MB``), or None."""
    name = _native().pcap_datalink_val_to_name(value)
    return name.decode() if name else None


def datalink_val_to_description(value: int) -> str | None:
    """libpcap's description of a DLT value (``Ethernet``), or None."""
    text = _native().pcap_datalink_val_to_description(value)
    return text.decode() if text else None


def datalink_name_to_val(name: str) -> int:
    """The DLT value for a name such as ``EN10MB`` or ``DLT_EN10MB``; -1 when unknown."""
    value: int = _native().pcap_datalink_name_to_val(name.encode())
    return value


class _BpfProgram(ctypes.Structure):
    _fields_ = (("bf_len", ctypes.c_uint), ("bf_insns", ctypes.c_void_p))


class _BpfInsn(ctypes.Structure):
    _fields_ = (
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint32),
    )


PCAP_NETMASK_UNKNOWN = 0xFFFFFFFF


def set_filter(reader: Reader, expression: str, optimize: bool, netmask: int = PCAP_NETMASK_UNKNOWN) -> None:
    """pcap_compile + pcap_setfilter with the optimizer on or off; ValueError with libpcap's message."""
    lib = _native()
    ptr = pcap_pointer(reader, activated=True)
    program = _BpfProgram()
    if lib.pcap_compile(ptr, ctypes.byref(program), expression.encode(), int(optimize), netmask) != 0:
        raise ValueError(lib.pcap_geterr(ptr).decode("utf-8", "replace"))
    try:
        if lib.pcap_setfilter(ptr, ctypes.byref(program)) != 0:
            raise ValueError(lib.pcap_geterr(ptr).decode("utf-8", "replace"))
    finally:
        lib.pcap_freecode(ctypes.byref(program))


def set_filter_program(reader: Reader, instructions: list[tuple[int, int, int, int]]) -> None:
    """pcap_setfilter with a compiled program, as ``(code, jt, jf, k)`` tuples; ValueError if refused."""
    lib = _native()
    ptr = pcap_pointer(reader, activated=True)
    insns = (_BpfInsn * len(instructions))(*(_BpfInsn(*insn) for insn in instructions))
    program = _BpfProgram(len(instructions), ctypes.cast(insns, ctypes.c_void_p))
    if lib.pcap_setfilter(ptr, ctypes.byref(program)) != 0:
        raise ValueError(lib.pcap_geterr(ptr).decode("utf-8", "replace"))


def lookup_net(device: str) -> tuple[int, int]:
    """pcap_lookupnet: the IPv4 network number and netmask of ``device`` as host-order ints; OSError with
    libpcap's message (for example for a device without an IPv4 address)."""
    lib = _native()
    net, mask = ctypes.c_uint32(), ctypes.c_uint32()
    err = ctypes.create_string_buffer(512)
    if lib.pcap_lookupnet(device.encode(), ctypes.byref(net), ctypes.byref(mask), err) != 0:
        raise OSError(err.value.decode("utf-8", "replace"))

    # libpcap leaves them as they sit in a socket address: in network byte order in memory
    def host(value: ctypes.c_uint32) -> int:
        return int.from_bytes(value.value.to_bytes(4, sys.byteorder), "big")

    return host(net), host(mask)


class _PcapPkthdr(ctypes.Structure):
    _fields_ = (
        ("ts_sec", ctypes.c_long),  # struct timeval: two longs, 64-bit on Linux, 32-bit on Windows
        ("ts_usec", ctypes.c_long),
        ("caplen", ctypes.c_uint32),
        ("len", ctypes.c_uint32),
    )


@lru_cache(maxsize=1)
def _offline_filtering() -> ctypes.CDLL:
    """The calls an offline filter needs, all in libpcap 1.0 (WinPcap 4.1.3 has them, where :func:`_native`
    finds later ones missing)."""
    lib = library()
    if lib is None:
        raise NativeUnavailable("pycapture cannot reach libpcap through ctypes")
    p, bpf = ctypes.c_void_p, ctypes.POINTER(_BpfProgram)
    signatures = {
        "pcap_open_dead": ((ctypes.c_int, ctypes.c_int), p),
        "pcap_compile": ((p, bpf, ctypes.c_char_p, ctypes.c_int, ctypes.c_uint), ctypes.c_int),
        "pcap_geterr": ((p,), ctypes.c_char_p),
        "pcap_close": ((p,), None),
        "pcap_freecode": ((bpf,), None),
        "pcap_offline_filter": ((bpf, ctypes.POINTER(_PcapPkthdr), ctypes.c_char_p), ctypes.c_int),
    }
    try:
        for name, (args, result) in signatures.items():
            fn = getattr(lib, name)
            fn.argtypes = args
            fn.restype = result
    except AttributeError as exc:
        raise NativeUnavailable(f"this libpcap lacks {exc.args[0]!r}") from exc
    return lib


class OfflineFilter:
    """A filter expression compiled by libpcap (pcap_compile on pcap_open_dead) and run on packets read
    without it (pcap_offline_filter), their original length included: what libpcap does to a file it
    reads. NativeUnavailable where no libpcap loads; ValueError with libpcap's message for a bad one."""

    def __init__(self, linktype: int, snaplen: int, expression: str, netmask: int) -> None:
        lib = _offline_filtering()
        self._lib = lib
        self._program = _BpfProgram()
        dead = lib.pcap_open_dead(linktype, snaplen)
        if not dead:
            raise MemoryError("pcap_open_dead failed")
        try:
            if lib.pcap_compile(dead, ctypes.byref(self._program), expression.encode(), 1, netmask) != 0:
                raise ValueError(lib.pcap_geterr(dead).decode("utf-8", "replace"))
        finally:
            lib.pcap_close(dead)
        self._header = _PcapPkthdr()

    def matches(self, data: bytes, original_length: int) -> bool:
        """Whether the filter takes this frame (its captured bytes, and its length on the wire)."""
        header = self._header
        header.caplen = len(data)
        header.len = original_length
        matched: int = self._lib.pcap_offline_filter(ctypes.byref(self._program), ctypes.byref(header), data)
        return matched != 0

    def __del__(self) -> None:
        program = getattr(self, "_program", None)
        if program is not None and program.bf_insns:
            self._lib.pcap_freecode(ctypes.byref(program))


def snapshot(reader: Reader) -> int | None:
    """pcap_snapshot: the handle's snapshot length (a saved capture's own), or None if unknown."""
    try:
        lib = _native()
        length: int = lib.pcap_snapshot(pcap_pointer(reader, activated=True))
        return length
    except NativeUnavailable:
        return None
