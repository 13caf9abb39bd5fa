"""Argument checks for the library's public calls: a wrong type is a TypeError, a wrong value a ValueError.

Both are raised at the call, with the argument's name and the range it takes, rather than later from
struct, ctypes or libpcap with a message that names neither.
"""

from __future__ import annotations

import operator
from typing import Callable, SupportsBytes, cast

C_INT_MAX = (1 << 31) - 1  # libpcap takes snapshot lengths, timeouts, buffer sizes and link types as C ints
U32_MAX = (1 << 32) - 1


def whole(name: str, value: object) -> int:
    """``value`` as an int of any size; TypeError for anything else (bool, float and NaN included)."""
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    return operator.index(value)


def integer(name: str, value: object, low: int, high: int) -> int:
    """``value`` as an int in ``low..high``; TypeError for a non-integer (bool and float included)."""
    number = whole(name, value)
    if not low <= number <= high:
        raise ValueError(f"{name} must be {low} to {high}, not {number}")
    return number


def count(value: object) -> int:
    """A packet count for loop() and dispatch(): a positive int, or 0 or less for no limit (libpcap's)."""
    number = integer("count", value, -(1 << 63), 1 << 63)
    return number if number > 0 else -1


def c_divide(a: int, b: int) -> int:
    """``a / b`` as C divides ints: the quotient truncated toward zero, not floored (libpcap scales
    nanoseconds to microseconds so)."""
    return -(-a // b) if a < 0 else a // b


def frame(name: str, value: object) -> bytes:
    """A frame's bytes: bytes as they are; a bytearray, memoryview or ``__bytes__`` object copied (a
    PcapPacket has ``__bytes__``); TypeError for anything else."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)) or hasattr(type(value), "__bytes__"):
        return bytes(cast("bytearray | memoryview | SupportsBytes", value))
    # bytes(5) would make five zero bytes, bytes("x") needs an encoding: neither is a frame
    kinds = "bytes, bytearray, memoryview, a PcapPacket or have __bytes__"
    raise TypeError(f"{name} must be {kinds}, not {type(value).__name__}")


def text(name: str, value: object) -> str:
    """``value`` as a str; TypeError otherwise (bytes included: pass text)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value


def boolean(name: str, value: object) -> bool:
    """``value`` if it is a bool; TypeError otherwise (1 and "yes" included: pass True or False)."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, not {type(value).__name__}")
    return value


def function(name: str, value: object) -> Callable[..., object]:
    """``value`` if it can be called; TypeError otherwise."""
    if not callable(value):
        raise TypeError(f"{name} must be callable, not {type(value).__name__}")
    return value
