"""tcpdump's -x/-X/-xx/-XX dumps: exact spacing, compared with real tcpdump on corpus files."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from pycapture import open_offline
from pycapture.decode.model import DecodedPacket, Layer
from pycapture.output.hexdump import hex_lines, link_header_length
from support.env import CORPUS

SYN = bytes.fromhex(
    "4500003c7e8940004006c0e80a00020fc0002f3bac9c002b857b590200000000"
    "a0027210fb780000020405b40402080aaf6ad3610000000001030306"
)


def test_hex_only() -> None:
    assert hex_lines(SYN, ascii=False) == (
        "\t0x0000:  4500 003c 7e89 4000 4006 c0e8 0a00 020f\n"
        "\t0x0010:  c000 2f3b ac9c 002b 857b 5902 0000 0000\n"
        "\t0x0020:  a002 7210 fb78 0000 0204 05b4 0402 080a\n"
        "\t0x0030:  af6a d361 0000 0000 0103 0306"
    )


def test_hex_and_ascii() -> None:
    assert hex_lines(SYN, ascii=True) == (
        "\t0x0000:  4500 003c 7e89 4000 4006 c0e8 0a00 020f  E..<~.@.@.......\n"
        "\t0x0010:  c000 2f3b ac9c 002b 857b 5902 0000 0000  ../;...+.{Y.....\n"
        "\t0x0020:  a002 7210 fb78 0000 0204 05b4 0402 080a  ..r..x..........\n"
        "\t0x0030:  af6a d361 0000 0000 0103 0306            .j.a........"
    )


def test_odd_length_and_spaces() -> None:
    # A space is not "graphic" to tcpdump: it shows as a dot, like control bytes and bytes >= 0x7f.
    assert hex_lines(b"GET / HTTP\x7f\x80", ascii=True) == (
        "\t0x0000:  4745 5420 2f20 4854 5450 7f80            GET./.HTTP.."
    )
    assert hex_lines(b"abc", ascii=False) == "\t0x0000:  6162 63"
    assert hex_lines(b"abc", ascii=True) == "\t0x0000:  6162 63                                  abc"


def test_exactly_sixteen_bytes_and_empty() -> None:
    assert hex_lines(bytes(range(16)), ascii=False) == "\t0x0000:  0001 0203 0405 0607 0809 0a0b 0c0d 0e0f"
    assert hex_lines(b"", ascii=True) == ""
    assert hex_lines(memoryview(b"ab"), ascii=True).endswith("  ab")


def test_offsets_past_64k_grow_a_digit() -> None:
    lines = hex_lines(bytes(0x10010), ascii=False).split("\n")
    assert lines[-1].startswith("\t0x10000:  0000")


def _layer(name: str, length: int) -> Layer:
    return Layer(name, name, length)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ([("eth", 14), ("ip", 20), ("tcp", 20)], 14),
        ([("eth", 14), ("vlan", 4), ("vlan", 4), ("ip6", 40)], 22),
        ([("eth", 14), ("llc", 3), ("stp", 35)], 17),
        ([("sll", 16), ("ip", 20)], 16),
        ([("null", 4), ("ip6", 40)], 4),
        ([("ip", 20), ("udp", 8)], 0),
        ([("eth", 14)], 14),
        ([], 0),
    ],
)
def test_link_header_length(names: list[tuple[str, int]], expected: int) -> None:
    decoded = DecodedPacket(linktype=1, layers=[_layer(n, size) for n, size in names])
    assert link_header_length(decoded) == expected


# --- against tcpdump ------------------------------------------------------------------------------

TCPDUMP = shutil.which("tcpdump")

# file: the link-layer header tcpdump skips for -x/-X (the same for every frame of the file)
FILES = {
    "whois.pcap": 14,  # Ethernet, with padded frames
    "802.1ad_QinQ.pcap": 22,  # two VLAN tags
    "bfd_source_port_49152.pcap": 18,  # one VLAN tag
    "802.1D_spanning_tree.pcap": 17,  # 802.3 with an LLC header
    "forces1.pcap": 16,  # Linux cooked capture
    "dns-badcookie.pcap": 4,  # BSD loopback
    "LINKTYPE_RAW_ipv4.pcap": 0,
    "dpkt-nb6-http.pcap": 14,  # long frames
}


def _tcpdump_dumps(path: str, flag: str) -> list[str]:
    """The hex blocks tcpdump prints, one per packet that has any."""
    out = subprocess.run(
        [TCPDUMP, "-t", "-nn", flag, "-r", path], capture_output=True, timeout=60, check=False
    )
    blocks: list[list[str]] = []
    in_block = False
    for line in out.stdout.decode("latin-1").split("\n"):
        if line.startswith("\t0x"):
            if not in_block:
                blocks.append([])
            blocks[-1].append(line)
            in_block = True
        else:
            in_block = False
    return ["\n".join(b) for b in blocks]


@pytest.mark.skipif(TCPDUMP is None, reason="tcpdump is not installed")
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
@pytest.mark.parametrize("flag", ["-x", "-X", "-xx", "-XX"])
@pytest.mark.parametrize("name", sorted(FILES))
def test_same_as_tcpdump(name: str, flag: str) -> None:
    path = str(CORPUS / name)
    skip = 0 if flag in ("-xx", "-XX") else FILES[name]
    ours = [hex_lines(data[skip:], ascii=flag[1] == "X") for _s, _u, _l, data in open_offline(path).records()]
    assert [d for d in ours if d] == _tcpdump_dumps(path, flag)
