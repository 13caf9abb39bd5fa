"""Data-link type names, values and descriptions (Pcap4J's ``DataLinkType``), as libpcap knows them."""

from __future__ import annotations

from typing import Callable

from .. import checks
from ..protocols.linktypes import linktype_description, linktype_name, linktype_value
from . import libpcap


def _libpcap(call: Callable[[int], str | None], value: int) -> str | None:
    """libpcap's answer, or None when it does not know or is not there (the table answers then)."""
    try:
        return call(value)
    except libpcap.NativeUnavailable:
        return None


def datalink_name(value: int) -> str:
    """libpcap's name of a DLT value: ``datalink_name(1) == "EN10MB"``; ``DLT_<n>`` when unknown."""
    value = checks.integer("linktype", value, 0, checks.C_INT_MAX)
    name = _libpcap(libpcap.datalink_val_to_name, value)
    return linktype_name(value) if name is None else name


def datalink_description(value: int) -> str:
    """libpcap's description of a DLT value: ``datalink_description(1) == "Ethernet"``."""
    value = checks.integer("linktype", value, 0, checks.C_INT_MAX)
    text = _libpcap(libpcap.datalink_val_to_description, value)
    return linktype_description(value) if text is None else text


def datalink_value(name: str) -> int:
    """The DLT value of a name, with or without ``DLT_``: ``datalink_value("EN10MB") == 1``.

    Raises ValueError for a name libpcap does not know.
    """
    bare = checks.text("name", name).upper().removeprefix("DLT_")
    try:
        value = libpcap.datalink_name_to_val(bare)
    except libpcap.NativeUnavailable:
        known = linktype_value(bare)
        value = -1 if known is None else known
    if value < 0:
        raise ValueError(f"unknown data-link type name {name!r}")
    return value
