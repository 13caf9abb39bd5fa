"""The names -v prints are Pcap4J's own: protocols/pcap4j_names.py is what Pcap4J's jar holds."""

from __future__ import annotations

from pathlib import Path

from pycapture.protocols import names, pcap4j_names
from support.commands import needs
from support.pcap4j_names import jar_names, missing, module_text


def test_the_generated_module_is_the_jars_names() -> None:
    why = missing()
    needs(why is None, str(why))
    from_jar = jar_names()
    assert from_jar == (pcap4j_names.NAMES, pcap4j_names.CODES, pcap4j_names.CONSTANTS, pcap4j_names.FORMATS)
    assert module_text(*from_jar) == Path(pcap4j_names.__file__).read_text(encoding="utf-8")


def test_the_lookups_are_pcap4js_tables() -> None:
    assert names.ETHERTYPE_NAMES[0x8100] == "IEEE 802.1Q VLAN-tagged frames"
    assert 0x88CC not in names.ETHERTYPE_NAMES  # LLDP: Pcap4J prints "unknown"
    assert names.UDP_PORT_NAMES[53] == "Domain Name Server" and names.TCP_PORT_NAMES[161] == "SNMP"
    assert names.TOS_PRECEDENCE_NAMES[6] == "Internetwork Control/ECP"
    assert pcap4j_names.CODES["IcmpV4Code"][3][1] == "Host Unreachable"
