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

import pcapy

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
        found.extend(p for p in glob.glob(os.path.join(here, pattern)) if p not in found)
    for name in ("pcap", "wpcap"):
        path = ctypes.util.find_library(name)
        if path:
            found.append(path)
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
    return lib.pcap_lib_version().decode("utf-8", "replace")


def _family(sa: _Sockaddr) -> int:
    if _BSD_SOCKADDR:  # sa_len then sa_family, one byte each
        return (sa.family >> 8) & 0xFF if sys.byteorder == "little" else sa.family & 0xFF
    return sa.family


def _sockaddr_text(ptr: ctypes._Pointer) -> tuple[int, str] | None:  # type: ignore[type-arg]
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
        return [RawInterface(name, "", 0, ()) for name in pcapy.findalldevs()]
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
