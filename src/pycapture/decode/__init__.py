"""Turning captured bytes into layers: a lean header decoder for speed, dpkt (and scapy) for depth."""

from ..protocols.linktypes import linktype_description, linktype_name
from .lean import SUPPORTED_LINKTYPES, decode

__all__ = ["SUPPORTED_LINKTYPES", "decode", "linktype_description", "linktype_name"]
