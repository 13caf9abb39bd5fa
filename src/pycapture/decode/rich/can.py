"""Controller Area Network frames as Linux's SocketCAN gives them, and AUTOSAR NM inside them.

A SocketCAN frame (link type 227, or a Linux cooked-mode frame of protocol ``LINUX_SLL_P_CAN``/``_CANFD``)
is an 8-byte header, the 32-bit CAN ID word (the identifier and the extended, remote-request and error
flags), a length byte, a flags byte (CAN FD's) and two reserved bytes, then the data. Link type 227
writes the word in network byte order; the cooked-mode header leaves it in the capturing host's order,
which Wireshark reads as its own host's (little-endian here, as on every host tshark is compared on).

What the data is, Wireshark decides: an error frame's data is the error's detail, part of the ``can``
layer; otherwise AUTOSAR NM's heuristic takes a frame whose identifier is 0 (its default CAN ID and
mask) and is neither an error nor a remote request; any other data is left as payload. Written here:
the header is 8 fixed bytes (scapy's CAN class reads the ID word in one byte order set globally).
"""

from __future__ import annotations

from typing import Literal

from ..model import Field
from .core import DecoderTable, Decoding, Step, require
from .fields import hex_text

CAN_EFF_FLAG = 0x80000000  # extended frame format: a 29-bit identifier
CAN_RTR_FLAG = 0x40000000  # remote transmission request
CAN_ERR_FLAG = 0x20000000  # an error message frame
CAN_SFF_MASK = 0x000007FF
CAN_EFF_MASK = 0x1FFFFFFF
CANFD_FDF = 0x04  # the flags byte's "this is a CAN FD frame"
CANFD_MTU = 72  # struct canfd_frame's size: a frame this long is CAN FD
CANFD_BRS = 0x01
CANFD_ESI = 0x02
AUTOSAR_NM_CAN_ID = 0  # Wireshark's default: the ID AUTOSAR NM's heuristic takes (mask: all bits)

_ERR_FLAGS = (
    (0x001, "tx_timeout", "Transmit timeout"),
    (0x002, "lostarb", "Lost arbitration"),
    (0x004, "ctrl", "Controller problems"),
    (0x008, "prot", "Protocol violation"),
    (0x010, "trx", "Transceiver status"),
    (0x020, "ack", "No acknowledgement"),
    (0x040, "busoff", "Bus off"),
    (0x080, "buserror", "Bus error"),
    (0x100, "restarted", "Controller restarted"),
)
"""An error frame's classes, the low bits of its ID word: (bit, Wireshark's ``can.err.`` key, label)."""


def _flag(key: str, label: str, on: bool) -> Field:
    return Field(key, label, on, text=str(on).lower())


def _socketcan(d: Decoding, buf: bytes, order: Literal["big", "little"], fd: bool | None) -> Step:
    """One SocketCAN frame, its ID word in ``order``; ``fd`` None: CAN FD if its flags or size say so."""
    require(buf, 8, "can", "a SocketCAN header")
    word = int.from_bytes(buf[:4], order)
    length, flags = buf[4], buf[5]
    if fd is None:
        fd = bool(flags & CANFD_FDF) or len(buf) == CANFD_MTU
    extended = bool(word & CAN_EFF_FLAG)
    ident = word & (CAN_EFF_MASK if extended else CAN_SFF_MASK)
    error = not fd and bool(word & CAN_ERR_FLAG)
    remote = not fd and bool(word & CAN_RTR_FLAG)
    name = "canfd" if fd else "can"
    # an error frame's identifier bits are its error classes, read below (Wireshark gives it no can.id)
    fields = [] if error else [Field("id", "Identifier", ident, text=hex_text(ident, 8 if extended else 3))]
    fields.append(_flag("flags.xtd", "Extended Flag", extended))
    if fd:
        fields += [
            _flag("flags.brs", "Bit Rate Setting", bool(flags & CANFD_BRS)),
            _flag("flags.esi", "Error State Indicator", bool(flags & CANFD_ESI)),
        ]
    else:
        fields += [
            _flag("flags.rtr", "Remote Transmission Request Flag", remote),
            _flag("flags.err", "Error Message Flag", error),
        ]
    fields.append(Field("len", "Frame-Length", length))
    data = buf[8 : 8 + length]
    if error:  # the data is the error's detail, which this layer reads
        fields += [_flag(f"err.{key}", label, bool(word & bit)) for bit, key, label in _ERR_FLAGS]
        fields.append(Field("err.ctrl_specific", "Controller specific data", data[5:8].hex(" ")))
        d.add_header(buf, name, "Controller Area Network", len(buf), fields)
        return None, b""
    if len(buf) > 8 + length:
        fields.append(Field("padding", "Padding", buf[8 + length :].hex(":")))
    d.add_header(buf, name, "Controller Area Network FD" if fd else "Controller Area Network", 8, fields)
    if not remote and ident == AUTOSAR_NM_CAN_ID:
        return "autosar_nm", data
    return None, data


def _socketcan_big(d: Decoding, buf: bytes) -> Step:
    return _socketcan(d, buf, "big", None)


def _socketcan_host(d: Decoding, buf: bytes) -> Step:
    return _socketcan(d, buf, "little", False)


def _socketcan_fd_host(d: Decoding, buf: bytes) -> Step:
    return _socketcan(d, buf, "little", True)


def _autosar_nm(d: Decoding, buf: bytes) -> Step:
    """AUTOSAR CAN NM (AUTOSAR 4.1 or later, Wireshark's default): the control bit vector, then the
    source node identifier, then user data."""
    fields: list[Field] = []
    if buf:
        fields.append(Field("ctrl", "Control Bit Vector", buf[0], text=hex_text(buf[0], 2)))
    if len(buf) > 1:
        fields.append(Field("src", "Source Node Identifier", buf[1], text=hex_text(buf[1], 2)))
    if len(buf) > 2:
        fields.append(Field("user_data", "User Data", buf[2:].hex(":")))
    return None, d.add_header(buf, "autosar-nm", "AUTOSAR NM", len(buf), fields)


DECODERS: DecoderTable = {
    "socketcan": ("can", "a SocketCAN frame", _socketcan_big),
    "socketcan_host": ("can", "a SocketCAN frame", _socketcan_host),
    "socketcan_fd_host": ("canfd", "a SocketCAN FD frame", _socketcan_fd_host),
    "autosar_nm": ("autosar-nm", "an AUTOSAR NM message", _autosar_nm),
}

__all__ = ["DECODERS"]
