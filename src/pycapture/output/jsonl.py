"""JSON Lines output: one compact JSON object per packet.

::

    {"frame": {"number": 1, "time": "2026-01-02T03:04:05.123456Z", "len": 98, "cap_len": 98,
               "linktype": "EN10MB", "malformed": false},
     "layers": [{"layer": "eth", "dst": "...", "src": "...", "type": 2048},
                {"layer": "ip", "src": "10.0.0.1", ..., "proto": 6},
                {"layer": "tcp", "srcport": 1234, ...},
                {"layer": "data", "len": 13}]}

(on one line, without spaces). Layers are in wire order, each a ``"layer"`` name then its fields
under their Wireshark-style keys (only the fields marked ``json``). Undecoded payload becomes
``{"layer": "data", "len": n}`` (no bytes); a malformed tail ends the list as
``{"layer": "_malformed", "in": "tcp", "cause": "...", "len": n}`` and sets ``frame.malformed``.
The time is UTC, ISO-8601 with ``Z``: microseconds, or nanoseconds for a nanosecond capture.
"""

from __future__ import annotations

import json
import time
from typing import Any

from ..decode.model import DecodedPacket

_USEC = 1_000_000
_NSEC = 1_000_000_000


def _fallback(value: Any) -> Any:
    """For values ``json`` cannot write: bytes as hex, sets as lists, anything else as its text."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, (set, frozenset)):
        return list(value)
    return str(value)


# One encoder, reused: compact separators, and a fallback so one odd field value cannot stop the stream.
_encode = json.JSONEncoder(separators=(",", ":"), check_circular=False, default=_fallback).encode

# The last second turned into text, as (second, text); one tuple so that threads never see a mismatch.
_last_second: tuple[int, str] = (0, "1970-01-01T00:00:00")


def second_text(sec: int) -> str | None:
    """The time's text up to its fraction, ``2026-01-02T03:04:05``, of a second since the epoch, or None
    for a second the platform cannot convert."""
    try:
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))
    except (OverflowError, OSError, ValueError):
        return None


def utc_time_text(ts_sec: int, ts_usec: int, nano: bool = False) -> str | None:
    """``2026-01-02T03:04:05.123456Z``, or None for a time the platform cannot convert.

    With ``nano`` the second argument is nanoseconds and nine digits are shown.
    """
    global _last_second
    unit = _NSEC if nano else _USEC
    sec, usec = divmod(ts_sec * unit + ts_usec, unit)
    cached_sec, text = _last_second
    if sec != cached_sec:
        found = second_text(sec)
        if found is None:
            return None
        text = found
        _last_second = (sec, text)
    return f"{text}.{usec:09d}Z" if nano else f"{text}.{usec:06d}Z"


class _Repeated(list):
    """The values of a key that a layer gave more than once (a plain list to ``json``)."""


def to_dict(
    decoded: DecodedPacket,
    number: int,
    ts_sec: int,
    ts_usec: int,
    original_length: int,
    captured_length: int,
    linktype_name: str,
    nano: bool = False,
) -> dict[str, Any]:
    """The JSON object for one packet (see the module docstring); ``number`` counts from 1.

    ``ts_usec`` is nanoseconds when ``nano`` is true.
    """
    layers: list[dict[str, Any]] = []
    for layer in decoded.layers:
        entry: dict[str, Any] = {"layer": layer.name}
        for f in layer.fields:
            if not f.json or f.key == "layer":
                continue
            if f.key in entry:
                # A key given twice keeps every value, as tshark's JSON does with --no-duplicate-keys.
                previous = entry[f.key]
                if isinstance(previous, _Repeated):
                    previous.append(f.value)
                else:
                    entry[f.key] = _Repeated((previous, f.value))
            else:
                entry[f.key] = f.value
        layers.append(entry)
    if decoded.payload:
        layers.append({"layer": "data", "len": len(decoded.payload)})
    bad = decoded.malformed
    if bad is not None:
        layers.append({"layer": "_malformed", "in": bad.layer, "cause": bad.cause, "len": len(bad.data)})
    frame = {
        "number": number,
        "time": utc_time_text(ts_sec, ts_usec, nano),
        "len": original_length,
        "cap_len": captured_length,
        "linktype": linktype_name,
        "malformed": bad is not None,
    }
    return {"frame": frame, "layers": layers}


def to_json(obj: Any) -> str:
    """An object of :func:`to_dict`, or any value in one, as one line of compact JSON (no spaces, no
    newline at the end); a value ``json`` cannot write is written as its hex (bytes) or text rather than
    stopping the stream."""
    return _encode(obj)


__all__ = ["second_text", "to_dict", "to_json", "utc_time_text"]
