"""Flows and streams (issue 18): IP defragmentation first (:class:`Defragmenter`)."""

from .defrag import Datagram, Defragmenter, DefragStats

__all__ = ["Datagram", "DefragStats", "Defragmenter"]
