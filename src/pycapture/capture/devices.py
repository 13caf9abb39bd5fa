"""Find capture interfaces (Pcap4J's ``Pcaps.findAllDevs``) and pick one by itself (``--if auto``).

The list comes from libpcap's own ``pcap_findalldevs`` (see :mod:`pycapture.libpcap`), so it holds what
tcpdump -D holds, with descriptions, addresses and flags. ``pcap_lookupdev`` is never used: it is
deprecated, and it is the call that fails inside Windows containers.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import checks
from ..errors import BackendUnavailableError, NoDeviceFoundError, NoSuchDeviceError, PcapNativeError
from ..savefile.format import MAXIMUM_SNAPLEN
from . import libpcap

if TYPE_CHECKING:
    from .handle import PcapHandle


@dataclass(frozen=True)
class PcapAddress:
    """An address of an interface (Pcap4J's PcapAddress): text forms, None where absent."""

    address: str
    netmask: str | None = None
    broadcast: str | None = None
    destination: str | None = None

    @property
    def family(self) -> int:
        """socket.AF_INET or socket.AF_INET6."""
        return socket.AF_INET6 if ":" in self.address else socket.AF_INET

    @property
    def prefix_length(self) -> int | None:
        """The netmask as a prefix length (24 for 255.255.255.0), or None without a netmask."""
        if not self.netmask:
            return None
        try:
            mask = int(ipaddress.ip_address(self.netmask.split("%")[0]))
        except ValueError:
            return None
        return bin(mask).count("1")

    def __str__(self) -> str:
        plen = self.prefix_length
        return self.address if plen is None else f"{self.address}/{plen}"


@dataclass(frozen=True)
class PcapNetworkInterface:
    """A capture device as libpcap lists it (Pcap4J's PcapNetworkInterface)."""

    name: str
    description: str = ""
    addresses: tuple[PcapAddress, ...] = ()
    link_layer_addresses: tuple[str, ...] = ()
    flags: int = 0
    index: int = 0  # 1-based position in find_all_devs(), as tcpdump -D numbers them

    @property
    def loopback(self) -> bool:
        """Whether this is a loopback interface (PCAP_IF_LOOPBACK)."""
        return bool(self.flags & libpcap.PCAP_IF_LOOPBACK)

    @property
    def up(self) -> bool:
        """Whether the interface is up (PCAP_IF_UP)."""
        return bool(self.flags & libpcap.PCAP_IF_UP)

    @property
    def running(self) -> bool:
        """Whether the interface is running (PCAP_IF_RUNNING)."""
        return bool(self.flags & libpcap.PCAP_IF_RUNNING)

    @property
    def wireless(self) -> bool:
        """Whether the interface is wireless, Wi-Fi or similar (PCAP_IF_WIRELESS)."""
        return bool(self.flags & libpcap.PCAP_IF_WIRELESS)

    @property
    def connection_status(self) -> str:
        """'connected', 'disconnected', 'not applicable' or 'unknown'."""
        return _CONNECTION_STATUS[self.flags & libpcap.PCAP_IF_CONNECTION_STATUS]

    def flag_names(self) -> list[str]:
        """The flags in tcpdump -D's words: Up, Running, Wireless, Loopback, Connected..."""
        names = []
        if self.up:
            names.append("Up")
        if self.running:
            names.append("Running")
        if self.wireless:
            names.append("Wireless")
        if self.loopback:
            names.append("Loopback")
        status = self.flags & libpcap.PCAP_IF_CONNECTION_STATUS
        if status == libpcap.PCAP_IF_CONNECTION_STATUS_CONNECTED:
            names.append("Connected")
        elif status == libpcap.PCAP_IF_CONNECTION_STATUS_DISCONNECTED:
            names.append("Disconnected")
        return names

    def open_live(
        self, snaplen: int = MAXIMUM_SNAPLEN, promiscuous: bool = True, timeout_ms: int = 1000
    ) -> PcapHandle:
        """Open this interface for live capture (Pcap4J's ``nif.openLive``)."""
        from .handle import PcapHandle

        return (
            PcapHandle.Builder(self.name)
            .snaplen(snaplen)
            .promiscuous(promiscuous)
            .timeout_ms(timeout_ms)
            .build()
        )


_CONNECTION_STATUS = {
    libpcap.PCAP_IF_CONNECTION_STATUS_UNKNOWN: "unknown",
    libpcap.PCAP_IF_CONNECTION_STATUS_CONNECTED: "connected",
    libpcap.PCAP_IF_CONNECTION_STATUS_DISCONNECTED: "disconnected",
    libpcap.PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE: "not applicable",
}


_WINDOWS = sys.platform == "win32"
# Words that show a message came from WinPcap or Npcap, whatever platform reads it.
_WINDOWS_SIGNS = ("PacketGetAdapterNames", "Npcap", "WinPcap", "wpcap", "NPF", "(122)")


def no_device_error(detail: str) -> NoDeviceFoundError:
    """The one answer to "no capture device": the likely cause and the way forward, whatever libpcap said.

    WinPcap's (and Npcap's before 1.30) ``PacketGetAdapterNames ... too small. (122)`` means that no
    adapter was found, typically because the capture driver is not running; it has nothing to do with
    the length of adapter names (nmap/npcap#169). Inside a Windows container no driver can load, so
    there is no live capture at all (nmap/npcap#570).
    """
    if _WINDOWS or any(sign in detail for sign in _WINDOWS_SIGNS):
        cause = (
            "no capture driver is running: Npcap (or WinPcap) is not installed or its driver is not "
            "started, and inside a Windows container drivers cannot load at all (nmap/npcap#570); "
            'error 122 there means "no adapters found", not "names too long" (nmap/npcap#169)'
        )
    else:
        cause = "libpcap sees no interface it may capture on (no capture driver, or no permission)"
    return NoDeviceFoundError(
        f"no capture device found ({detail}): {cause}",
        "read a saved capture instead (e.g. -r captures/mixed.pcap), or capture on the host and read "
        "its file here",
    )


def find_all_devs() -> list[PcapNetworkInterface]:
    """Every capture device libpcap knows, in libpcap's order (tcpdump -D's list).

    Raises :class:`NoDeviceFoundError`, naming the likely cause, when the list cannot be had.
    """
    try:
        raw = libpcap.find_all_devs()
    except (OSError, BackendUnavailableError) as exc:
        raise no_device_error(f"listing interfaces failed: {exc}") from exc
    devices = []
    for index, entry in enumerate(raw, start=1):
        addresses = []
        link = []
        for a in entry.addresses:
            if a.addr is None:
                continue
            family, text = a.addr
            if family in (socket.AF_INET, socket.AF_INET6):
                addresses.append(
                    PcapAddress(
                        text,
                        a.netmask[1] if a.netmask else None,
                        a.broadaddr[1] if a.broadaddr else None,
                        a.dstaddr[1] if a.dstaddr else None,
                    )
                )
            elif text:
                link.append(text)
        devices.append(
            PcapNetworkInterface(
                entry.name, entry.description, tuple(addresses), tuple(link), entry.flags, index
            )
        )
    return devices


def get_dev_by_name(name: str) -> PcapNetworkInterface:
    """The device called ``name``; NoSuchDeviceError if libpcap does not list it."""
    name = checks.text("name", name)
    for dev in find_all_devs():
        if dev.name == name:
            return dev
    raise NoSuchDeviceError(f"{name}: No such device exists")


def _scope_names(dev: PcapNetworkInterface) -> set[str]:
    """The texts an IPv6 scope on this device may take: its name and its index."""
    names = {dev.name}
    with contextlib.suppress(OSError):
        names.add(str(socket.if_nametoindex(dev.name)))
    return names


def get_dev_by_address(address: str) -> PcapNetworkInterface:
    """The device holding ``address`` (IPv4 or IPv6 text); NoSuchDeviceError if none does.

    A scoped IPv6 address as :func:`find_all_devs` prints it (``fe80::1%eth0``, or with the interface's
    index) names the device of that scope; without a scope, the first device holding the address.
    """
    text = checks.text("address", address)
    try:
        wanted = ipaddress.ip_address(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not an IPv4 or IPv6 address") from exc
    scope = getattr(wanted, "scope_id", None)
    bare = ipaddress.ip_address(text.split("%")[0])
    for dev in find_all_devs():
        for a in dev.addresses:
            held = a.address.split("%")
            if ipaddress.ip_address(held[0]) != bare:
                continue
            if scope is None or scope in _scope_names(dev) or scope in held[1:]:
                return dev
    raise NoSuchDeviceError(f"no interface has the address {text}")


def lookup_net(device: str) -> ipaddress.IPv4Network:
    """The IPv4 network of ``device`` (Pcap4J's ``Pcaps.lookupNet``, libpcap's pcap_lookupnet).

    Raises :class:`PcapNativeError` with libpcap's message when the device has no IPv4 address.
    """
    device = checks.text("device", device)
    try:
        net, mask = libpcap.lookup_net(device)
    except libpcap.NativeUnavailable as exc:
        raise NotImplementedError(f"lookup_net() needs pcap_lookupnet, and {exc}") from exc
    except OSError as exc:
        message = str(exc)
        if "no such device" in message.lower():
            raise NoSuchDeviceError(message) from exc
        raise PcapNativeError(message, "choose a device with an IPv4 address (see pycapture -D)") from exc
    return ipaddress.IPv4Network((net, str(ipaddress.IPv4Address(mask))))


def default_route_interfaces(proc: str = "/proc") -> list[str]:
    """Names of interfaces carrying a default route, best metric first (IPv4, then IPv6). Linux only."""
    routes: list[tuple[int, int, str]] = []
    try:
        with open(os.path.join(proc, "net/route"), encoding="ascii") as f:
            next(f, None)
            for line in f:
                cols = line.split()
                # Iface Destination Gateway Flags RefCnt Use Metric Mask ...
                if (
                    len(cols) >= 8
                    and cols[1] == "00000000"
                    and cols[7] == "00000000"
                    and int(cols[3], 16) & 1
                ):
                    routes.append((0, int(cols[6]), cols[0]))
    except OSError:
        pass
    try:
        with open(os.path.join(proc, "net/ipv6_route"), encoding="ascii") as f:
            for line in f:
                cols = line.split()
                # dest plen src splen nexthop metric refcnt use flags iface
                if len(cols) >= 10 and cols[0] == "0" * 32 and cols[1] == "00" and cols[9] != "lo":
                    routes.append((1, int(cols[5], 16), cols[9]))
    except OSError:
        pass
    names: list[str] = []
    for _, _, name in sorted(routes):
        if name not in names:
            names.append(name)
    return names


def _first_address(dev: PcapNetworkInterface) -> str:
    v4 = [a for a in dev.addresses if a.family == socket.AF_INET]
    return str((v4 or list(dev.addresses))[0]) if dev.addresses else "no address"


def pick_auto(devices: list[PcapNetworkInterface] | None = None) -> tuple[PcapNetworkInterface, str]:
    """Choose an interface as ``--if auto`` does, and say why.

    The rule: the interface of the default route; else the first that is up, running, not loopback and
    has an address; else loopback when it is up. Returns ``(device, reason)``.
    """
    devs = find_all_devs() if devices is None else devices
    by_name = {d.name: d for d in devs}
    for name in default_route_interfaces():
        dev = by_name.get(name)
        if dev is not None and dev.up:
            return dev, f"default route, {_first_address(dev)}"
    for dev in devs:
        if dev.up and dev.running and not dev.loopback and dev.addresses:
            return dev, f"first interface that is up with an address, {_first_address(dev)}"
    for dev in devs:
        if dev.loopback and dev.up:
            return dev, "no other interface is up with an address; loopback only"
    if not devs:
        raise no_device_error("libpcap lists no interface at all")
    raise NoDeviceFoundError(
        "no interface is up with an address (found: " + ", ".join(d.name for d in devs) + ")"
    )


def lookup_dev() -> str:
    """The name of the device ``--if auto`` would choose (Pcap4J's ``Pcaps.lookupDev``), without lookupdev."""
    return pick_auto()[0].name


__all__ = [
    "PcapAddress",
    "PcapNetworkInterface",
    "default_route_interfaces",
    "find_all_devs",
    "get_dev_by_address",
    "get_dev_by_name",
    "lookup_dev",
    "no_device_error",
    "pick_auto",
]
