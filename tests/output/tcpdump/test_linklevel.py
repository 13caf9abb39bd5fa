"""tcpdump's -e link-level text, from lean layer tuples, against fixed cases and real tcpdump output."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from pycapture import open_offline
from pycapture.decode.lean import decode
from pycapture.output.tcpdump.linklevel import ethertype_text, link_prefix, vlan_tci_text
from support.env import CORPUS

A = bytes.fromhex("020000000001")
B = bytes.fromhex("020000000002")


def test_ethernet() -> None:
    layers = [("eth", B, A, 0x0800), ("ip", b"", b"", 6, 0, 64, 0, 0)]
    assert (
        link_prefix(layers, 98)
        == "02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv4 (0x0800), length 98: "
    )


def test_vlan_tags() -> None:
    layers = [("eth", B, A, 0x8100), ("vlan", 100, 0x0800), ("ip", b"", b"", 6, 0, 64, 0, 0)]
    assert link_prefix(layers, 102) == (
        "02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype 802.1Q (0x8100), length 102: "
        "vlan 100, p 0, ethertype IPv4 (0x0800), "
    )
    qinq = [("eth", B, A, 0x88A8), ("vlan", 0xB0C8, 0x8100), ("vlan", 0x37D1, 0x0806)]
    assert link_prefix(qinq, 64) == (
        "02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype 802.1Q-QinQ (0x88a8), length 64: "
        "vlan 200, p 5, DEI, ethertype 802.1Q (0x8100), vlan 2001, p 1, DEI, ethertype ARP (0x0806), "
    )


def test_8023_frames_show_their_length_field() -> None:
    llc = ("llc", 0x42, 0x42, 3, 38)
    assert link_prefix([("eth", B, A, 38), llc], 60) == (
        "02:00:00:00:00:01 > 02:00:00:00:00:02, 802.3, length 38: "
    )
    # ... but not more than the frame holds
    assert link_prefix([("eth", B, A, 512), llc], 66).endswith(", 802.3, length 52: ")
    # inside a VLAN tag the length was given already; tcpdump prints "802.3" glued to "LLC"
    tagged = [("eth", B, A, 0x8100), ("vlan", 0xE001, 39), llc]
    assert link_prefix(tagged, 68).endswith(", length 68: vlan 1, p 7, 802.3, ")


def test_unknown_and_jumbo_ethertypes() -> None:
    assert link_prefix([("eth", B, A, 0x1234), ("other", "ethertype", 0x1234, 46)], 60).endswith(
        ", ethertype Unknown (0x1234), length 60: "
    )
    assert link_prefix([("eth", B, A, 0x8870)], 60) == "02:00:00:00:00:01 > 02:00:00:00:00:02, "


def test_truncated_vlan_tag_stops_after_the_addresses() -> None:
    assert (
        link_prefix([("eth", B, A, 0x8100), ("trunc", "vlan")], 16)
        == "02:00:00:00:00:01 > 02:00:00:00:00:02, "
    )


def test_linux_cooked() -> None:
    ip = ("ip", b"", b"", 6, 0, 64, 0, 0)
    assert link_prefix([("sll", 4, 0x0800, b""), ip], 396) == "Out ethertype IPv4 (0x0800), length 396: "
    assert (
        link_prefix([("sll", 0, 0x86DD, A), ip], 80)
        == " In 02:00:00:00:00:01 ethertype IPv6 (0x86dd), length 80: "
    )
    assert (
        link_prefix([("sll", 1, 0x0800, b"\x01\x02"), ip], 80) == "  B ethertype IPv4 (0x0800), length 80: "
    )
    assert link_prefix([("sll", 3, 0x0004, b"")], 60) == "  P 802.2, length 60: "
    assert link_prefix([("sll", 9, 0x000C, b"")], 26) == "  ? ethertype Unknown (0x000c), length 26: "
    assert link_prefix([("sll", 0, 0x8100, A), ("vlan", 0x2005, 0x0800), ip], 60) == (
        " In 02:00:00:00:00:01 ethertype 802.1Q (0x8100), length 60: vlan 5, p 1, ethertype IPv4, "
    )
    assert link_prefix([("sll2", 0, 0x0800, A, 7), ip], 40) == (
        "ifindex 7 02:00:00:00:00:01 ethertype IPv4 (0x0800), length 40: "
    )


def test_loopback_and_raw_ip() -> None:
    assert link_prefix([("null", 2)], 72) == "AF IPv4 (2), length 72: "
    assert link_prefix([("null", 30)], 560) == "AF IPv6 (30), length 560: "
    assert link_prefix([("null", 10)], 24) == "AF Unknown (10), length 24: "
    assert link_prefix([("ip", b"", b"", 17, 0, 64, 0, 0)], 57) == "ip: "
    assert link_prefix([("trunc", "ip6")], 10) == "ip: "
    assert link_prefix([("trunc", "ether")], 10) == ""
    assert link_prefix([], 0) == ""


def test_helpers() -> None:
    assert ethertype_text(0x88CC) == "ethertype LLDP (0x88cc)"
    assert vlan_tci_text(0xF064) == "vlan 100, p 7, DEI"


# --- against tcpdump ------------------------------------------------------------------------------

TCPDUMP = shutil.which("tcpdump")
FILES = [
    "whois.pcap",  # Ethernet
    "802.1ad_QinQ.pcap",  # 802.1ad outer tag, 802.1Q inner tag
    "bfd_source_port_49152.pcap",  # VLAN with priority 7
    "ipv4_tcp_http_xml.pcap",
    "802.1D_spanning_tree.pcap",  # 802.3 + LLC
    "forces1.pcap",  # Linux cooked, no link-layer address
    "mptcp-aa-echo.pcap",  # Linux cooked with 6-byte addresses
    "RADIUS-RFC4675.pcap",
    "lsp-ping-timestamp.pcap",  # Linux cooked, promiscuous ("  P")
    "dns-badcookie.pcap",  # BSD loopback, IPv4
    "gopacket-test_loopback.pcap",  # BSD loopback, IPv6 (30)
    "LINKTYPE_RAW_ipv4.pcap",
    "LINKTYPE_IPV6.pcap",
    "rpvstp-trunk-native-vid5.pcap",  # 802.3 inside VLAN tags (see _DEVIATIONS)
]

# tcpdump 4.99.3 prints "802.3" with no separator after a VLAN tag, running into "LLC, ..."; we add ", ".
_DEVIATIONS = ((", 802.3LLC, ", ", 802.3, LLC, "),)


def _with_sll_address(linktype: int, layers: list[tuple], data: bytes) -> list[tuple]:
    # The lean decoder's "sll" tuple does not carry the sender's address (yet); add it as the
    # optional fourth item link_prefix reads, straight from the cooked header.
    if linktype == 113 and layers and layers[0][0] == "sll" and len(layers[0]) == 3:
        halen = int.from_bytes(data[4:6], "big")
        layers[0] = (*layers[0], data[6 : 6 + min(halen, 8)])
    return layers


@pytest.mark.skipif(TCPDUMP is None, reason="tcpdump is not installed")
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
@pytest.mark.parametrize("name", FILES)
def test_same_as_tcpdump(name: str) -> None:
    path = str(CORPUS / name)
    out = subprocess.run(
        [TCPDUMP, "-t", "-e", "-nn", "-r", path], capture_output=True, timeout=60, check=False
    )
    lines = [line for line in out.stdout.decode("latin-1").split("\n") if line and not line.startswith("\t")]
    handle = open_offline(path)
    linktype = handle.datalink
    checked = 0
    for (_sec, _usec, length, data), line in zip(handle.records(), lines):
        for theirs, ours in _DEVIATIONS:
            line = line.replace(theirs, ours)
        prefix = link_prefix(_with_sll_address(linktype, decode(linktype, data, length), data), length)
        assert prefix
        assert line.startswith(prefix)
        checked += 1
    assert checked == len(lines)
