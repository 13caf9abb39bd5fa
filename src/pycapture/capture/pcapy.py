"""pcapy-ng, imported once for the whole package, or a stand-in that says why it could not be.

On Windows, Python 3.8+ no longer searches ``PATH`` for the DLLs an extension module needs, and Npcap
installs ``wpcap.dll`` in ``System32\\Npcap`` (WinPcap put it in ``System32`` itself). So that directory is
added with :func:`os.add_dll_directory` before ``import pcapy``. Where pcapy-ng cannot be imported at all
(no wheel for the platform, no Npcap/WinPcap DLL), the rest of pycapture still imports: the stand-in
raises :class:`~pycapture.errors.BackendUnavailableError` on use, and the scapy or file backends take
over (see :mod:`pycapture.backends`).
"""

from __future__ import annotations

import os
import sys
from types import ModuleType
from typing import Any

from ..errors import BackendUnavailableError

NPCAP_HINT = (
    "install Npcap (https://npcap.com) on Windows, or use --backend scapy or --backend file "
    "(the file backend reads saved captures without libpcap)"
)


def npcap_dll_directory() -> str | None:
    """``%SystemRoot%\\System32\\Npcap`` when it exists (Windows only), else None."""
    if sys.platform != "win32":
        return None
    root = os.environ.get("SYSTEMROOT") or os.environ.get("WINDIR") or r"C:\Windows"
    path = os.path.join(root, "System32", "Npcap")
    return path if os.path.isdir(path) else None


def _add_npcap_dll_directory() -> None:
    path = npcap_dll_directory()
    add = getattr(os, "add_dll_directory", None)
    if path and add is not None:
        # The handle must stay alive for the directory to stay on the search path.
        _DLL_DIRECTORIES.append(add(path))


_DLL_DIRECTORIES: list[object] = []


class _PcapyUnavailable:
    """Stands in for the pcapy module when it cannot be imported; every use raises with the reason."""

    # pcap_direction_t (pcap/pcap.h), so that modules defining enums on them still import.
    PCAP_D_INOUT = 0
    PCAP_D_IN = 1
    PCAP_D_OUT = 2
    __file__ = ""

    class PcapError(Exception):
        """Never raised: nothing reaches libpcap without pcapy-ng."""

    def __init__(self, reason: str) -> None:
        self._reason = reason

    def __getattr__(self, name: str) -> Any:  # as a module's attributes: pcapy-ng has no type information
        raise BackendUnavailableError(f"pcapy-ng cannot be imported: {self._reason}", NPCAP_HINT)


def _import() -> tuple[ModuleType | _PcapyUnavailable, str]:
    _add_npcap_dll_directory()
    try:
        import pcapy as module
    except (ImportError, OSError) as exc:  # OSError: the DLL pcapy needs is missing or broken
        return _PcapyUnavailable(str(exc)), str(exc)
    return module, ""


Reader = Any
"""A pcapy-ng Reader (an open libpcap handle), or one of its packet headers or BPF programs: pcapy-ng
ships no type information."""

pcapy, IMPORT_ERROR = _import()
AVAILABLE = not IMPORT_ERROR
