"""A fake of what WinPcap and Npcap answer where no capture driver runs (a Windows Server Core container).

Windows and Npcap cannot exist on this machine, so the tests replay their answers at the one seam where
pycapture asks for devices: :func:`pycapture.capture.libpcap.find_all_devs`, which calls
``pcap_findalldevs``. The
texts are the ones those libraries print: WinPcap 4.1.3 (and Npcap before 1.30) report "no adapters" as
error 122, Npcap 1.30 and later the real cause, error 3 in a container (nmap/npcap#169). pcapy's
``lookupdev`` and ``findalldevs`` raise the same text, so that a call to either would show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from pycapture.capture import devices, libpcap
from pycapture.capture import pcapy as _pcapy

ERROR_122 = "PacketGetAdapterNames: The data area passed to a system call is too small. (122)"
ERROR_3 = "PacketGetAdapterNames: (3) The system cannot find the path specified."

# A container's virtual adapter as Npcap would list it: its name is 200 characters long.
LONG_NAME = "\\Device\\NPF_{" + "vEthernet (Container NIC 5f3c9a1e) ".ljust(186, "x") + "}"
assert len(LONG_NAME) == 200

_UP_RUNNING = libpcap.PCAP_IF_UP | libpcap.PCAP_IF_RUNNING | libpcap.PCAP_IF_CONNECTION_STATUS_CONNECTED


def adapter(name: str, address: str | None = "172.22.80.5", flags: int = _UP_RUNNING) -> libpcap.RawInterface:
    """One pcap_if entry as Npcap lists an Ethernet adapter."""
    addresses = ()
    if address:
        addresses = (libpcap.RawAddress((2, address), (2, "255.255.240.0"), None, None),)
    return libpcap.RawInterface(name, "Hyper-V Virtual Ethernet Adapter", flags, addresses)


@dataclass
class FakeWindowsCapture:
    """What pcap_findalldevs (and pcap_lookupdev) answer: an error text, or a list of adapters."""

    error: str | None = None
    interfaces: list[libpcap.RawInterface] = field(default_factory=list)

    def find_all_devs(self) -> list[libpcap.RawInterface]:
        if self.error is not None:
            raise OSError(self.error)
        return list(self.interfaces)

    def lookupdev(self) -> str:
        raise _pcapy.pcapy.PcapError(self.error or ERROR_122)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> FakeWindowsCapture:
        """Put the fake in place for one test, as if on Windows."""
        monkeypatch.setattr(libpcap, "find_all_devs", self.find_all_devs)
        monkeypatch.setattr(devices, "_WINDOWS", True)
        monkeypatch.setattr(devices, "default_route_interfaces", lambda proc="/proc": [])  # no /proc there
        if _pcapy.AVAILABLE:
            monkeypatch.setattr(_pcapy.pcapy, "lookupdev", self.lookupdev)
            monkeypatch.setattr(_pcapy.pcapy, "findalldevs", self.lookupdev)
        return self


# WinPcap 4.1.3's pcap_lib_version(), and what its libpcap 1.0 (savefile.c) says of a magic number it does
# not know: it reads the microsecond pcap magic only, so neither pcapng nor nanosecond pcap files.
WINPCAP_LIB_VERSION = (
    "WinPcap version 4.1.3 (packet.dll version 4.1.0.2980), based on libpcap version 1.0 branch 1_0_rel0b "
    "(20091008)"
)
BAD_DUMP_FILE_FORMAT = "bad dump file format"
_MICROSECOND_MAGICS = (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4")


class FakeLibpcap10:
    """Saved captures opened as WinPcap 4.1.3's libpcap 1.0 opens them, at the seams pycapture calls:
    ``pcapy.open_offline`` refuses any other magic with libpcap 1.0's words, and the ctypes call for
    nanosecond precision is missing (libpcap 1.0 has no pcap_open_offline_with_tstamp_precision)."""

    def install(self, monkeypatch: pytest.MonkeyPatch) -> FakeLibpcap10:
        real_open = _pcapy.pcapy.open_offline

        def open_offline(path: str) -> object:
            with open(path, "rb") as f:
                magic = f.read(4)
            if magic not in _MICROSECOND_MAGICS:
                raise _pcapy.pcapy.PcapError(BAD_DUMP_FILE_FORMAT)
            return real_open(path)

        def no_precision(path: str, nano: bool) -> object:
            raise libpcap.NativeUnavailable("this libpcap lacks 'pcap_open_offline_with_tstamp_precision'")

        monkeypatch.setattr(_pcapy.pcapy, "open_offline", open_offline)
        monkeypatch.setattr(libpcap, "open_offline_with_precision", no_precision)
        monkeypatch.setattr(libpcap, "lib_version", lambda: WINPCAP_LIB_VERSION)
        return self
