"""Data-link type names, values and descriptions (Pcap4J's ``DataLinkType``), as libpcap knows them."""

from __future__ import annotations

from .. import checks
from ..protocols.linktypes import LINKTYPES
from . import libpcap


def datalink_name(value: int) -> str:
    """libpcap's name of a DLT value: ``datalink_name(1) == "EN10MB"``; ``DLT_<n>`` when unknown."""
    value = checks.integer("linktype", value, 0, checks.C_INT_MAX)
    try:
        name = libpcap.datalink_val_to_name(value)
    except libpcap.NativeUnavailable:
        name = None
    if name is None:
        entry = LINKTYPES.get(value)
        return entry[0] if entry else f"DLT_{value}"
    return name


def datalink_description(value: int) -> str:
    """libpcap's description of a DLT value: ``datalink_description(1) == "Ethernet"``."""
    value = checks.integer("linktype", value, 0, checks.C_INT_MAX)
    try:
        text = libpcap.datalink_val_to_description(value)
    except libpcap.NativeUnavailable:
        text = None
    if text is None:
        entry = LINKTYPES.get(value)
        return entry[1] if entry else "unknown"
    return text


def datalink_value(name: str) -> int:
    """The DLT value of a name, with or without ``DLT_``: ``datalink_value("EN10MB") == 1``.

    Raises ValueError for a name libpcap does not know.
    """
    bare = checks.text("name", name).upper().removeprefix("DLT_")
    try:
        value = libpcap.datalink_name_to_val(bare)
    except libpcap.NativeUnavailable:
        value = next((v for v, (n, _d) in LINKTYPES.items() if n == bare), -1)
    if value < 0:
        raise ValueError(f"unknown data-link type name {name!r}")
    return value
