"""A fake of what WinPcap and Npcap answer where no capture driver runs (a Windows Server Core container).

Windows and Npcap cannot exist on this machine, so the tests replay their answers at the one seam where
pycapture asks for devices: :func:`pycapture.libpcap.find_all_devs`, which calls ``pcap_findalldevs``. The
texts are the ones those libraries print: WinPcap 4.1.3 (and Npcap before 1.30) report "no adapters" as
error 122, Npcap 1.30 and later the real cause, error 3 in a container (nmap/npcap#169). pcapy's
``lookupdev`` and ``findalldevs`` raise the same text, so that a call to either would show.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from pycapture import _pcapy, devices, libpcap

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
