"""The protocol number tables: rows, and the lookups derived from them as columns."""

from __future__ import annotations

from pycapture.protocols import linktypes, numbers
from pycapture.protocols.numbers import NamedNumber, column


def test_column_keys_a_field_by_value_and_leaves_out_none() -> None:
    rows = (NamedNumber(1, "one", None, "d1"), NamedNumber(3, None, "three"), NamedNumber(2, "two", "II"))
    assert column(rows, "tcpdump_name") == {1: "one", 2: "two"}
    assert column(rows, "long_name") == {3: "three", 2: "II"}
    assert column(rows, "decoder") == {1: "d1"}
    assert list(column(rows, "value")) == [1, 3, 2]  # in the rows' order


def test_column_reads_any_row_with_a_value() -> None:
    assert column(numbers.ETHERTYPES.values(), "decoder")[numbers.ETHERTYPE_IP] == "ip"
    assert column(linktypes.LINKTYPES.values(), "name")[linktypes.LINKTYPE_ETHERNET] == "EN10MB"


def test_lookups_are_the_tables_columns() -> None:
    ether = numbers.ETHERTYPES[numbers.ETHERTYPE_VLAN]
    assert numbers.TCPDUMP_ETHERTYPE_NAMES[ether.value] == ether.tcpdump_name == "802.1Q"
    assert numbers.UDP_DECODERS[numbers.DNS_PORT] == "dns"
    assert numbers.ETHERTYPE_DECODERS[ether.value] == ether.decoder == "vlan"
    assert 0x2000 not in numbers.TCPDUMP_ETHERTYPE_NAMES  # CDP: tcpdump has no name for it
    assert sorted(numbers.VLAN_ETHERTYPES) == [0x8100, 0x88A8, 0x9100, 0x9200]
    assert linktypes.LINKTYPE_DECODERS[linktypes.LINKTYPE_LINUX_SLL2] == "sll2"


def test_ipv4_reads_no_ipv6_only_header() -> None:
    assert numbers.IP6_DECODERS[numbers.IPPROTO_FRAGMENT] == "ipv6.fraghdr"
    assert numbers.IP6_DECODERS[numbers.IPPROTO_ETHERNET] == "eth"
    assert not numbers.IPV6_ONLY_PROTOCOLS & set(numbers.IP_DECODERS)
    after_ipv6_only = {v: d for v, d in numbers.IP6_DECODERS.items() if v in numbers.IPV6_ONLY_PROTOCOLS}
    assert after_ipv6_only == {
        0: "ipv6.hopopts",
        43: "ipv6.routing",
        44: "ipv6.fraghdr",
        60: "ipv6.dstopts",
        62: "mipv6",  # the Mobility Header's number before RFC 3775
        135: "mipv6",
        143: "eth",
    }
    assert numbers.IP_DECODERS.items() | after_ipv6_only.items() == numbers.IP6_DECODERS.items()
    assert numbers.IP_DECODERS[numbers.IPPROTO_TCP] == "tcp"


def test_ntp_mode_names_are_indexed_by_mode() -> None:
    assert [m.value for m in numbers.NTP_MODES] == list(range(8))
    assert numbers.TCPDUMP_NTP_MODE_NAMES[3] == "Client"
    assert numbers.NTP_MODE_NAMES[3] == "client"
    assert len(numbers.TCPDUMP_NTP_MODE_NAMES) == len(numbers.NTP_MODE_NAMES) == 8


def test_tcp_flags_letters_and_names() -> None:
    assert numbers.tcp_flag_letters(0x12) == "S."
    assert numbers.tcp_flag_letters(0) == "none"
    assert numbers.tcp_flag_names(0x12) == "ACK, SYN"
    assert numbers.tcp_flag_names(0x1FF) == "AE, CWR, ECE, URG, ACK, PSH, RST, SYN, FIN"
    assert [numbers.TCP_FLAG_BITS[f.tcpdump_name or ""] for f in numbers.TCP_FLAGS] == [
        1 << i for i in range(9)
    ]
    assert numbers.TCP_FLAG_BITS["."] == 0x10
