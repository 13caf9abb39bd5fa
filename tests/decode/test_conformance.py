"""pycapture's JSON agrees with Wireshark's dissectors (tshark) on real captures from ../shared/corpus.

For every file both tshark and libpcap read, each packet's first occurrence of the fields in
:data:`FIELDS` (addresses, ports, lengths, TTLs, IDs, flags, raw sequence numbers, windows, ICMP types,
ARP, DNS, tunnels, TLS SNI, HTTP request and response lines) is compared with the first layer of that
name in ``pycapture --json``. Values are compared as numbers where both sides are numbers (tshark's
``0x0800`` is 2048), booleans as 1/0. A value neither side has is not counted.

Issue 19's goal, asserted, is 99.5% agreement over all values (:data:`TARGET`; 99.66% today, tshark
4.0.17, 616 files, 49 fields). Each field is held to :data:`FIELD_TARGET` but those in :data:`EXCLUDED`,
each with the reason it falls short today; ``-s`` prints every field's share and its gap to 99.5%.

tshark runs once per file (:func:`tshark_frames`, cached); tests/decode/test_depth.py reads the same
runs' ``frame.protocols``, so a session that runs both pays for tshark once.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from click.testing import CliRunner

from pycapture.cli.main import command
from support.commands import tool
from support.corpus import PARTIAL_READS, corpus_rows
from support.env import CORPUS, IN_CI

# tshark field -> (our layer name, our key)
FIELDS: dict[str, tuple[str, str]] = {
    "frame.len": ("frame", "len"),
    "frame.cap_len": ("frame", "cap_len"),
    "eth.src": ("eth", "src"),
    "eth.dst": ("eth", "dst"),
    "eth.type": ("eth", "type"),
    "vlan.id": ("vlan", "id"),
    "ip.src": ("ip", "src"),
    "ip.dst": ("ip", "dst"),
    "ip.proto": ("ip", "proto"),
    "ip.ttl": ("ip", "ttl"),
    "ip.id": ("ip", "id"),
    "ip.hdr_len": ("ip", "hdr_len"),
    "ip.len": ("ip", "len"),
    "ip.flags": ("ip", "flags"),
    "ip.frag_offset": ("ip", "frag_offset"),
    "ipv6.src": ("ipv6", "src"),
    "ipv6.dst": ("ipv6", "dst"),
    "ipv6.nxt": ("ipv6", "nxt"),
    "ipv6.hlim": ("ipv6", "hlim"),
    "ipv6.plen": ("ipv6", "plen"),
    "tcp.srcport": ("tcp", "srcport"),
    "tcp.dstport": ("tcp", "dstport"),
    "tcp.seq_raw": ("tcp", "seq"),
    "tcp.ack_raw": ("tcp", "ack"),
    "tcp.flags": ("tcp", "flags"),
    "tcp.window_size_value": ("tcp", "window_size"),
    "tcp.hdr_len": ("tcp", "hdr_len"),
    "udp.srcport": ("udp", "srcport"),
    "udp.dstport": ("udp", "dstport"),
    "udp.length": ("udp", "length"),
    "icmp.type": ("icmp", "type"),
    "icmp.code": ("icmp", "code"),
    "icmpv6.type": ("icmpv6", "type"),
    "icmpv6.code": ("icmpv6", "code"),
    "arp.opcode": ("arp", "opcode"),
    "arp.src.hw_mac": ("arp", "src.hw_mac"),
    "arp.src.proto_ipv4": ("arp", "src.proto_ipv4"),
    "arp.dst.proto_ipv4": ("arp", "dst.proto_ipv4"),
    "dns.id": ("dns", "id"),
    "dns.flags.response": ("dns", "qr"),
    "dns.qry.name": ("dns", "queries"),
    "gre.proto": ("gre", "proto"),
    "vxlan.vni": ("vxlan", "vni"),
    "mpls.label": ("mpls", "label"),
    "igmp.type": ("igmp", "type"),
    "tls.handshake.extensions_server_name": ("tls", "handshake.extensions_server_name"),
    "http.request.method": ("http", "request.method"),
    "http.request.uri": ("http", "request.uri"),
    "http.response.code": ("http", "response.code"),
}
# where our value is a list of records (DNS questions), the first record's key compared
RECORD_KEYS = {"dns.qry.name": "name"}
# more fields of each tshark run: frame.protocols for test_depth.py; frame.cb_pen marks a pcapng custom
# block, which tshark counts as a frame and libpcap (so pycapture) skips; ieee8021ad.id is an 802.1ad
# service tag's VLAN ID, which pycapture shows in a vlan layer (protocols/tshark_names.py's SPELLINGS)
FRAME_FIELDS = ("frame.protocols", "frame.cb_pen", "ieee8021ad.id")
TSHARK_FIELDS = (*FRAME_FIELDS, *FIELDS)

TARGET = 0.995  # issue 19's goal over all values
FIELD_TARGET = 0.99

_ICMP = (
    "tshark decodes ICMP (and the IP header before it) inside encapsulations pycapture's decoder leaves "
    "as data: GRE carrying Cisco MetaData (various_gre.pcap) and integrity-only MACsec (two files)"
)
_DNS = (
    "tshark takes as DNS messages pycapture's decoder does not: DNS on port 8053, and messages cut short "
    "by the snapshot length or with a bad label, which tshark shows as far as they go and pycapture's DNS "
    "decoder calls malformed"
)
_HTTP = (
    "tshark dissects SSDP (HTTP over UDP 1900, M-SEARCH) as http, and HTTP inside an IPComp datagram, "
    "which pycapture leaves as payload"
)
_ARP = (
    "arp-oobr.pcap's damaged ARP packets: where the addresses' sizes run past the frame, tshark shows the "
    "fixed fields (the opcode) and pycapture's decoder calls the packet malformed; where the hardware type "
    "is not Ethernet (HFI), tshark names a 6-byte address arp.src.hw, pycapture still src.hw_mac"
)
EXCLUDED: dict[str, str] = {
    "icmp.type": _ICMP,
    "icmp.code": _ICMP,
    "arp.opcode": _ARP,
    "arp.src.hw_mac": _ARP,
    "dns.id": _DNS,
    "dns.flags.response": _DNS,
    "dns.qry.name": _DNS,
    "vxlan.vni": (
        "the BIG TCP captures' frames are longer than 64 KiB, so their IP and UDP length fields say 0: "
        "tshark 4.0 stops at the outer UDP header, pycapture's decoder goes on into the VXLAN"
    ),
    "igmp.type": (
        "tshark hands IGMP type 0x13 to its DVMRP dissector, which shows no igmp.type; pycapture's igmp "
        "layer shows the type it read"
    ),
    "tls.handshake.extensions_server_name": (
        "the corpus's one other SNI is in a QUIC Initial, which tshark decrypts, pycapture does not"
    ),
    "http.request.method": _HTTP,
    "http.request.uri": _HTTP,
    "http.response.code": _HTTP,
}
assert set(EXCLUDED) <= set(FIELDS)


@functools.cache
def tshark_frames(tshark: str, path: str) -> tuple[dict[str, str], ...]:
    """tshark's :data:`TSHARK_FIELDS` (first occurrences, as text) for each frame of ``path``; one run,
    cached for the session."""
    # pycapture decodes each packet on its own, so tshark is asked not to reassemble IP fragments (it
    # would move a datagram's ports from its first fragment to its last), nor TCP streams (it would credit
    # a request split across segments to its last one)
    args = [tshark, "-n", "-r", path, "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE"]
    args += ["-o", "tcp.desegment_tcp_streams:FALSE"]
    args += ["-T", "fields", "-E", "occurrence=f", "-E", "separator=/t"]
    for name in TSHARK_FIELDS:
        args += ["-e", name]
    res = subprocess.run(args, capture_output=True, text=True, timeout=120, errors="replace")
    frames = []
    for line in res.stdout.splitlines():
        values = line.split("\t")
        frames.append({name: values[i] if i < len(values) else "" for i, name in enumerate(TSHARK_FIELDS)})
    return tuple(frames)


def _normal(text: str) -> str:
    """A value as both sides are compared: lower case, booleans as 1/0, numbers in decimal."""
    text = text.lower()
    if text in ("true", "false"):
        return "1" if text == "true" else "0"
    try:
        return str(int(text, 0))
    except ValueError:
        return text


def _ours(path: str) -> list[dict[str, str]]:
    res = CliRunner().invoke(command, ["--json", "-r", path])
    assert "Traceback" not in res.stderr
    rows = []
    for line in res.stdout.splitlines():
        packet = json.loads(line)
        first: dict[str, dict[str, Any]] = {"frame": packet["frame"]}
        for layer in packet["layers"]:
            first.setdefault(layer["layer"], layer)
        row = {}
        for tshark_name, (layer, key) in FIELDS.items():
            value = first.get(layer, {}).get(key)
            if isinstance(value, list):
                value = value[0] if value else None
            if isinstance(value, dict):
                value = value.get(RECORD_KEYS[tshark_name])
            row[tshark_name] = "" if value is None else _normal(str(value))
        rows.append(row)
    return rows


def _theirs(tshark: str, path: str) -> list[dict[str, str]]:
    rows = []
    for frame in tshark_frames(tshark, path):
        if frame["frame.cb_pen"]:
            continue  # a pcapng custom block
        row = {name: _normal(frame[name]) for name in FIELDS}
        if frame["ieee8021ad.id"]:
            row["vlan.id"] = _normal(frame["ieee8021ad.id"])  # the outer tag, as pycapture's first vlan
        if row["dns.qry.name"] == "<root>":
            row["dns.qry.name"] = ""  # tshark's name for the root, our empty name
        rows.append(row)
    return rows


def _files() -> list[str]:
    return [r["file"] for r in corpus_rows() if r["tshark_exit"] == "0" and r["tcpdump_exit"] == "0"]


@pytest.mark.skipif(not _files(), reason="../shared/corpus is not present")
@pytest.mark.timeout(600)  # tshark starts once per file, 600 times: some 3 minutes on 2 busy cores
def test_fields_agree_with_tshark(capsys: pytest.CaptureFixture[str]) -> None:
    tshark = tool("tshark")
    files = _files()
    agree: Counter[str] = Counter()
    total: Counter[str] = Counter()
    disagreements: dict[str, list[str]] = {}

    # tshark runs in a pool (separate processes); our side runs in this thread, since CliRunner
    # swaps sys.stdout and is not thread-safe.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        theirs_by_file = dict(zip(files, pool.map(lambda name: _theirs(tshark, str(CORPUS / name)), files)))
    frame_count_mismatches = []
    for name in files:
        theirs = theirs_by_file[name]
        ours = _ours(str(CORPUS / name))
        expected = PARTIAL_READS.get(name, (len(theirs), ""))[0]
        if len(ours) != expected:
            frame_count_mismatches.append(f"{name}: tshark {len(theirs)}, pycapture {len(ours)}")
        for number, (t, o) in enumerate(zip(theirs, ours), start=1):
            for field in FIELDS:
                if t[field] == "" and o[field] == "":
                    continue
                total[field] += 1
                if t[field] == o[field]:
                    agree[field] += 1
                else:
                    disagreements.setdefault(field, []).append(
                        f"{name}#{number}: tshark {t[field]!r}, ours {o[field]!r}"
                    )

    def share(field: str) -> float:
        return agree[field] / max(total[field], 1)

    overall = sum(agree.values()) / max(sum(total.values()), 1)
    with capsys.disabled():
        print(f"\nconformance with tshark over {len(files)} corpus files, {len(FIELDS)} fields")
        print(f"{'field':<38} {'agree':>8} {'values':>8} {'%':>7}  gap to 99.5%")
        for field in FIELDS:
            if total[field]:
                gap = max(0.0, TARGET - share(field)) * total[field]  # values short of the goal
                mark = ""
                if field in EXCLUDED:
                    mark = (
                        "  (excluded)"
                        if share(field) < FIELD_TARGET
                        else "  (excluded, no longer needs to be)"
                    )
                print(
                    f"{field:<38} {agree[field]:>8} {total[field]:>8} {100 * share(field):>6.2f}%"
                    f"  {gap:>4.0f} values{mark}"
                )
        print(f"{'all':<38} {sum(agree.values()):>8} {sum(total.values()):>8} {100 * overall:>6.2f}%")
        short = max(0.0, TARGET - overall) * sum(total.values())
        print(f"goal {100 * TARGET}%: {short:.0f} more values must agree")
        if os.environ.get("PYCAPTURE_CONFORMANCE_DETAILS") or not IN_CI:
            for field, items in disagreements.items():
                print(f"-- {field}: {len(items)} disagreements, e.g. " + "; ".join(items[:3]))
            for item in frame_count_mismatches[:20]:
                print(f"-- frame count: {item}")
    assert not frame_count_mismatches, frame_count_mismatches[:10]
    low = {
        field: round(100 * share(field), 2)
        for field in FIELDS
        if total[field] and share(field) < FIELD_TARGET and field not in EXCLUDED
    }
    assert not low, f"fields below {100 * FIELD_TARGET}%: {low}"
    assert overall >= TARGET, f"overall agreement {100 * overall:.2f}% < {100 * TARGET}%"
