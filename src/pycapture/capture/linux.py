"""Linux AF_PACKET socket options that Python's socket module does not name (<linux/socket.h>,
<linux/if_packet.h>), and the one helper that sets them on a socket libpcap owns."""

from __future__ import annotations

import socket

SOL_PACKET = 263
PACKET_QDISC_BYPASS = 20
PACKET_IGNORE_OUTGOING = 23  # Linux 4.20
AVAILABLE = hasattr(socket, "AF_PACKET")  # False on Windows and macOS, whose libpcap has no such socket


def set_packet_option(fd: int, option: int, value: int) -> bool:
    """Set the SOL_PACKET ``option`` to ``value`` on the AF_PACKET socket at descriptor ``fd`` (which
    stays open); False where the platform or the kernel has no such option."""
    if not AVAILABLE or fd < 0:
        return False
    try:
        with socket.fromfd(fd, socket.AF_PACKET, socket.SOCK_RAW) as sock:  # a duplicate of fd
            sock.setsockopt(SOL_PACKET, option, value)
    except OSError:
        return False
    return True
