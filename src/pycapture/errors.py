"""Exceptions raised by pycapture, named after Pcap4J's and rooted in Python's built-ins.

Every exception that the CLI reports carries ``hint``: the fix a person can act on, printed after
the cause on the same line.
"""

from __future__ import annotations


class PcapError(Exception):
    """Base of every pycapture error."""

    hint: str = ""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        if hint:
            self.hint = hint

    def line(self) -> str:
        """The error as one line for a person: the cause, then the fix where there is one."""
        return f"{self}; {self.hint}" if self.hint else str(self)


class PcapNativeError(PcapError):
    """libpcap reported an error; ``str(e)`` is libpcap's own message (Pcap4J's PcapNativeException)."""


class PcapTimeoutError(PcapError, TimeoutError):
    """The read timeout expired with no packet (Pcap4J's TimeoutException)."""


class PcapEOFError(PcapError, EOFError):
    """A saved capture has no more packets (Pcap4J's EOFException)."""


class NotOpenError(PcapError):
    """The handle was used after ``close()`` (Pcap4J's PcapHandle is not open)."""


class NoSuchDeviceError(PcapNativeError):
    """The named interface does not exist."""

    hint = "list interfaces with 'pycapture -D'"


class CapturePermissionError(PcapNativeError, PermissionError):
    """The process may not capture on the device."""

    hint = (
        "run as root, or grant the capability: "
        'sudo setcap cap_net_raw,cap_net_admin=eip "$(readlink -f "$(command -v python3)")"; '
        "in a Linux container add --cap-add NET_RAW --cap-add NET_ADMIN"
    )


class FilterError(PcapNativeError, ValueError):
    """A BPF filter expression does not compile."""

    hint = "check the expression against pcap-filter(7), e.g. 'udp port 53' or 'host 10.0.0.1 and tcp'"


class CaptureFileError(PcapNativeError):
    """A saved capture cannot be opened or is damaged."""

    hint = "check that the file is a complete pcap or pcapng capture (tcpdump -r FILE reads the same)"


class NoDeviceFoundError(PcapError):
    """No interface that can capture was found."""

    hint = "name one with -i (see -D), or read a saved capture with -r FILE"


class SaveFileError(PcapError):
    """Writing a -w file failed (a full disk, a quota); the file still ends at a complete packet."""

    hint = "free space there or write elsewhere; -C/-W or -b filesize:/files: keep a bounded ring of files"


class PrivilegeError(PcapError):
    """-Z could not change to the user asked for."""

    hint = "name an existing account (e.g. -Z nobody), or leave out -Z"


class BackendUnavailableError(PcapError):
    """The capture backend asked for cannot work here (its library does not import or load)."""

    hint = "choose another with --backend (pcapy, scapy, file) or PYCAPTURE_BACKEND"
