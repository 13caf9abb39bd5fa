"""NFS over Sun RPC (print-nfs.c, parsenfsfh.c), L2TP (print-l2tp.c) and lwres (print-lwres.c) print as
tcpdump prints them without -v.

NFS calls of every procedure of versions 2, 3 and 4 with file handles of each layout tcpdump guesses,
then their replies (accepted, with and without an error status; denied; unknown), over UDP and over TCP
with the record mark, over IPv4 and IPv6, replies whose call tcpdump did not see, and frames the capture
cuts at many lengths: each compared with tcpdump's own line on the compiled and the Python path.
"""

from __future__ import annotations

import random
import struct
from pathlib import Path

import pytest

from pycapture import craft
from support.env import CORPUS
from support.tcpdump_compare import assert_tcpdump_lines, timestamped, write_capture

MACS = ("02:00:00:00:00:02", "02:00:00:00:00:01")
NFS = 2049

# file handles that lead parsenfsfh.c's guess down each branch (and one too short to guess)
_HANDLES = (
    bytes(4) + bytes([0, 0, 1, 2]) + bytes(4) + (77).to_bytes(4, "big") + bytes(16),  # Auspex
    bytes([0, 0, 3, 4, 5, 0, 0, 0, 12, 0]) + bytes(22),  # DEC OSF/1, minor 0
    bytes([0, 0, 3, 4, 0, 8, 0, 0]) + (99).to_bytes(4, "big") + bytes(20),  # IRIX4
    bytes([0, 0, 3, 4, 1, 1, 1, 1]) + bytes(4) + (5).to_bytes(4, "big") + bytes(16),  # SunOS4
    bytes([7, 8, 0, 0, 1, 2, 0, 0]) + bytes(4) + (6).to_bytes(4, "little") + bytes(16),  # BSD 4.4
    bytes([7, 8, 0, 0, 1, 2, 3, 4]) + bytes(24),  # Ultrix
    bytes([7, 8, 0, 0, 1, 2, 3, 4, 0, 10]) + bytes([1] * 12) + bytes(10),  # SunOS5 (bytes 2, 3 zero)
    bytes([7, 8, 9, 1, 2, 3, 4, 5, 12, 0]) + bytes(22),  # DEC OSF/1
    bytes([7, 8, 9, 1, 0, 0, 0, 0, 0, 10]) + bytes(22),  # HP-UX 9
    bytes([7, 8, 9, 1, 0, 0, 0, 2, 0, 10]) + bytes(22),  # SunOS5, AIX's impossible MNT_NFS
    bytes([7, 8, 9, 1, 1, 0, 0, 3, 0, 10]) + bytes(22),  # SunOS5 by elimination
    b"\x01DKA0 DISK\0\0\0" + bytes(8) + b"\x05\x06" + bytes(2) + b"\x07\x08" + bytes(4),  # VMS UCX
    bytes(range(0xF0, 0x100)) + bytes(range(16)),  # unknown
)


def _call(xid: int, version: int, proc: int, args: bytes, cred: bytes = b"\x01\x02\x03\x04") -> bytes:
    verf = b""
    return (
        struct.pack("!IIIIII", xid, 0, 2, 100003, version, proc)
        + struct.pack("!II", 1, len(cred))
        + cred
        + bytes(-len(cred) % 4)
        + struct.pack("!II", 0, len(verf))
        + args
    )


def _reply(xid: int, body: bytes, state: int = 0, accept: int = 0) -> bytes:
    if state:
        return struct.pack("!III", xid, 1, state) + body
    return struct.pack("!IIIII", xid, 1, 0, 0, 0) + struct.pack("!I", accept) + body


def _name(text: bytes) -> bytes:
    return struct.pack("!I", len(text)) + text + bytes(-len(text) % 4)


def _fh(version: int, handle: bytes) -> bytes:
    return _name(handle) if version == 3 else handle[:32].ljust(32, b"\0")


def _args(version: int, proc: int, handle: bytes) -> bytes:
    """Arguments of a v3 procedure number (v2's are mapped by the caller's table)."""
    fh, name = _fh(version, handle), _name(b"file\x01\xe9 x")
    words = struct.pack("!IIIIII", 0, 4096, 8192, 2, 512, 9)
    sattr = struct.pack("!IIIIIIIIIII", 1, 0o644, 1, 1000, 0, 1, 0, 2, 5, 6, 1)
    by_proc = {
        3: fh + name, 8: fh + name + sattr, 9: fh + name + sattr, 12: fh + name, 13: fh + name,
        4: fh + struct.pack("!I", 0x1B), 6: fh + words, 7: fh + words, 16: fh + words, 17: fh + words,
        21: fh + words, 10: fh + name + sattr + _name(b"target"),
        11: fh + name + struct.pack("!I", 4) + sattr,
        14: fh + name + fh + _name(b"new"), 15: fh + fh + _name(b"link"),
    }  # fmt: skip
    return by_proc.get(proc, fh) + bytes(8)


_V2 = {0: 0, 1: 1, 2: 2, 3: 4, 4: 5, 5: 6, 6: 8, 7: 9, 8: 10, 9: 11, 10: 12, 11: 13, 12: 14, 13: 15, 14: 16,
       15: 17}  # fmt: skip  # v2 procedure -> v3 procedure whose arguments it takes


def _attrs(version: int) -> bytes:
    return struct.pack("!IIIii", 2, 0o755, 3, -2, 100) + bytes(range(64)) + bytes(4 if version == 3 else 0)


def _result(version: int, proc: int, error: int, handle: bytes) -> bytes:
    status = struct.pack("!I", error)
    post = struct.pack("!I", 1) + _attrs(3)
    wcc = struct.pack("!I", 1) + bytes(24) + post
    v3 = {
        1: status + _attrs(3), 2: status + wcc, 3: status + _fh(3, handle) + post + post,
        4: status + post + struct.pack("!I", 0x1F), 5: status + post + _name(b"link\x7f"),
        6: status + post + struct.pack("!II", 10, 1), 7: status + wcc + struct.pack("!II", 10, 2) + bytes(8),
        8: status + struct.pack("!I", 1) + _fh(3, handle) + post + wcc,
        18: status + post + bytes(range(1, 53)), 19: status + post + bytes(range(1, 49)),
        20: status + post + struct.pack("!IIIIII", 32000, 255, 1, 0, 1, 1),
    }  # fmt: skip
    for alias, same in (
        (9, 8),
        (10, 8),
        (11, 8),
        (12, 2),
        (13, 2),
        (14, 2),
        (15, 2),
        (16, 6),
        (17, 6),
        (21, 2),
    ):
        v3[alias] = v3[same]
    if version == 3:
        return v3.get(proc, status)
    v2 = {
        1: status + _attrs(2), 2: status + _attrs(2), 4: status + _fh(2, handle) + _attrs(2),
        5: status + _name(b"target"), 6: status + _attrs(2), 8: status + _attrs(2),
        9: status + _fh(2, handle) + _attrs(2), 14: status + _fh(2, handle) + _attrs(2),
        16: status + struct.pack("!III", 0x10, 3, 1), 17: status + struct.pack("!IIIII", 1, 2, 3, 4, 5),
    }  # fmt: skip
    return v2.get(proc, status)


def _udp(message: bytes, call: bool, v6: bool = False) -> bytes:
    src, dst = ("2001:db8::1", "2001:db8::2") if v6 else ("10.0.0.1", "10.0.0.2")
    if call:
        return craft.over_ethernet(craft.udp(src, dst, 1023, NFS, message), *MACS, pad=False)
    return craft.over_ethernet(craft.udp(dst, src, NFS, 1023, message), *MACS, pad=False)


def _tcp(message: bytes, call: bool, mark: int | None = None) -> bytes:
    record = struct.pack("!I", 0x80000000 | len(message) if mark is None else mark) + message
    ends = ("10.0.0.1", "10.0.0.2", 800, NFS) if call else ("10.0.0.2", "10.0.0.1", NFS, 800)
    return craft.over_ethernet(craft.tcp(*ends, flags="P.", seq=1, ack=1, payload=record), *MACS, pad=False)


def _nfs_frames() -> list[tuple[bytes, int]]:
    frames: list[tuple[bytes, int]] = []
    xid = 0x1000
    for version in (2, 3, 4):
        for proc in range(23 if version != 2 else 19):
            for number, handle in enumerate(_HANDLES[:: 1 if proc in (1, 3) else 4]):
                xid += 1
                v3proc = _V2.get(proc, 25) if version == 2 else proc
                args = _args(3 if version == 3 else 2, v3proc, handle)
                frames.append((_udp(_call(xid, version, proc, args), True, number % 2 == 1), 0))
                for error in (0, 2, 10008):
                    reply = _reply(xid, _result(version, v3proc, error, handle))
                    frames.append((_udp(reply, False, number % 2 == 1), 0))
            xid += 1
            call, reply = (
                _call(xid, version, proc, _args(version, proc, _HANDLES[0])),
                _reply(xid, bytes(120)),
            )
            frames += [(_tcp(call, True), 0), (_tcp(reply, False), 0)]
            frames += [(_udp(call, True), cut) for cut in range(0, len(call) + 1, 9)]
            frames += [(_udp(call, True), 0)] + [(_udp(reply, False), cut) for cut in range(0, 120, 7)]
    frames += [
        (_udp(_reply(1, b"", 1) + struct.pack("!III", 0, 2, 3), False), 0),  # RPC version mismatch
        (_udp(_reply(2, b"", 1) + struct.pack("!II", 1, 5), False), 0),  # auth error
        (_udp(_reply(3, b"", 1) + struct.pack("!II", 1, 9), False), 0),
        (_udp(_reply(4, b"", 1) + struct.pack("!II", 7, 9), False), 0),
        (_udp(_reply(5, b"", 3) + bytes(8), False), 0),
        (_udp(_reply(xid, b"", 0, 3), False), 0),  # PROC_UNAVAIL
        (_udp(_reply(0x999, bytes(40)), False), 0),  # no call seen
        (_udp(_call(7, 3, 3, bytes(8), cred=bytes(400)), True), 0),  # the credentials past the message
        (_udp(_call(8, 3, 3, _fh(3, _HANDLES[0]) + struct.pack("!I", 0xFFFFFFFF)), True), 0),  # unpaddable
        (_udp(_call(9, 3, 1, struct.pack("!I", 400) + bytes(40)), True), 0),  # a handle past the capture
        (_tcp(_call(10, 3, 1, _fh(3, _HANDLES[0])), True, mark=0x7FFFFFFF), 0),
        (_tcp(_call(11, 3, 1, _fh(3, _HANDLES[0])), True, mark=12), 0),
        (_tcp(_reply(11, bytes(8)), True), 0),  # a reply to port 2049: not NFS
        (_tcp(b"\x80\x00", True), 0),
    ]
    # 70 calls, then their replies: the ring of 64 has forgotten the first six
    calls = [_call(0x5000 + i, 3, 1 + i % 21, _args(3, 1 + i % 21, _HANDLES[4])) for i in range(70)]
    frames += [(_udp(call, True, v6=True), 0) for call in calls]
    frames += [(_udp(_reply(0x5000 + i, bytes(100)), False, v6=True), 0) for i in (69, 0, 5, 6, 40, 7)]
    stranger = craft.udp("2001:db8::9", "2001:db8::1", NFS, 1023, _reply(0x5000 + 69, bytes(100)))
    frames.append((craft.over_ethernet(stranger, *MACS, pad=False), 0))  # another server: not the call's
    rng = random.Random(2049)
    for _ in range(300):  # calls and replies of random words, each after the call it answers
        xid += 1
        version, proc = rng.choice((2, 3, 3, 4)), rng.randrange(24)
        words = bytes(rng.choice((0, 0, 1, 2, 3, 8, 255)) for _ in range(rng.randrange(200)))
        frames.append((_udp(_call(xid, version, proc, words), True), rng.randrange(20)))
        reply = _reply(xid, bytes(rng.choice((0, 0, 0, 1, 2, 7)) for _ in range(rng.randrange(160))))
        frames.append((_udp(reply, False), rng.randrange(30)))
    return frames


@pytest.mark.parametrize("pure", ["", "1"])
def test_nfs_calls_and_replies_print_as_tcpdump(tmp_path: Path, pure: str) -> None:
    path = write_capture(tmp_path / "nfs.pcap", _nfs_frames())
    lines = assert_tcpdump_lines(path, pure, keep=timestamped)
    assert any(" reply ok " in line and "ERROR: No such file" in line for line in lines)
    assert any("fh Unknown/F0F1" in line for line in lines)


@pytest.mark.parametrize(
    "name",
    [
        "nfs-cannot-pad-32-bit.pcap", "nfs-seg-fault-1.pcapng", "nfs-write-verf-cookie.pcapng",
        "nfs_large_credentials_length.pcap", "unaligned-nfs-1.pcap", "nfs-attr-oobr.pcap",
        "hoobr_nfs_printfh.pcap", "hoobr_nfs_xid_map_enter.pcap",
    ],
)  # fmt: skip
def test_corpus_nfs_prints_as_tcpdump(name: str) -> None:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"{name} is not in the corpus")
    for pure in ("", "1"):
        assert_tcpdump_lines(path, pure, keep=timestamped)


# --- L2TP -------------------------------------------------------------------------------------------

L2TP = 1701


def _avp(kind: int, value: bytes, flags: int = 0x8000, vendor: int = 0) -> bytes:
    return struct.pack("!HHH", flags | (6 + len(value)), vendor, kind) + value


def _avps() -> list[bytes]:
    """One AVP of each type tcpdump names (and of a few it does not), at lengths its printers test."""
    values = [bytes(range(0x41, 0x41 + n)) for n in (0, 1, 2, 3, 4, 5, 8, 11, 16, 26)]
    values += [struct.pack("!HHB", 0x1234, 0xC021, d) + b"why" for d in (0, 1, 2, 9)]
    values += [struct.pack("!HH", 2, 3) + b"err\x01\xff", struct.pack("!H", 6), struct.pack("!I", 3)]
    avps = [_avp(kind, value) for kind in [*range(41), 46, 47, 300] for value in values]
    avps += [_avp(0, struct.pack("!H", kind)) for kind in range(18)]
    avps += [_avp(29, struct.pack("!H", kind)) for kind in range(8)]
    avps += [_avp(7, b"lac", flags=0x4000), _avp(7, b"lac", flags=0), _avp(5, bytes(8), vendor=311)]
    return avps


def _l2tp(
    flags: int, body: bytes, *, length: int | None = None, ns: bool = False, offset: bytes | None = None
) -> bytes:
    """An L2TP message: ``length`` -1 sets the L bit with the message's own length."""
    bits = flags | 2 | (0x4000 if length is not None else 0) | (0x0800 if ns else 0)
    bits |= 0x0200 if offset is not None else 0
    rest = struct.pack("!HH", 560, 2056) + (struct.pack("!HH", 7, 9) if ns else b"")
    rest += struct.pack("!H", len(offset)) + offset if offset is not None else b""
    size = 2 + (2 if length is not None else 0) + len(rest) + len(body)
    head = struct.pack("!H", bits)
    if length is not None:
        head += struct.pack("!H", size if length < 0 else length)
    return head + rest + body


def _over_udp(message: bytes, v6: bool = False) -> bytes:
    src, dst = ("2001:db8::1", "2001:db8::2") if v6 else ("10.0.0.1", "10.0.0.2")
    return craft.over_ethernet(craft.udp(src, dst, L2TP, L2TP, message), *MACS, pad=False)


def _over_pppoe(message: bytes) -> bytes:
    packet = craft.udp("10.0.0.1", "10.0.0.2", L2TP, 4000, message)
    ppp = struct.pack("!H", 0x0021) + packet
    session = struct.pack("!BBHH", 0x11, 0, 0x3B1A, len(ppp)) + ppp
    return craft.ethernet(*MACS, session, 0x8864, pad=False)


def _l2tp_frames() -> list[tuple[bytes, int]]:
    frames: list[tuple[bytes, int]] = []
    avps = _avps()
    for i in range(0, len(avps), 5):
        frames.append((_over_udp(_l2tp(0x8000, b"".join(avps[i : i + 5]), length=-1, ns=True)), 0))
    hello = _l2tp(0x8000, _avp(0, struct.pack("!H", 6)) + _avp(9, struct.pack("!H", 4)), length=-1, ns=True)
    frames += [(_over_udp(hello), cut) for cut in range(len(hello) + 1)]
    lcp = bytes.fromhex("ff03c021090a000a01020304")
    ip = struct.pack("!H", 0x0021) + craft.udp("192.0.2.1", "192.0.2.2", 5000, 53, b"\x00" * 12)
    ip6 = bytes.fromhex("ff030057") + craft.ipv6(
        "2001:db8::1", "2001:db8::2", 58, bytes([128, 0, 0, 0, 0, 1, 0, 1])
    )
    for payload in (
        lcp,
        ip,
        ip6,
        b"\xff",
        b"",
        bytes.fromhex("c0230103000500"),
        bytes.fromhex("80570105000a"),
    ):
        for kw in (
            {},
            {"length": -1},
            {"ns": True},
            {"offset": b"\0\0"},
            {"length": -1, "ns": True, "offset": b""},
        ):
            message = _l2tp(0, payload, **kw)  # type: ignore[arg-type]
            frames.append((_over_udp(message), 0))
            frames.append((_over_udp(message, v6=True), 0))
        message = _l2tp(0x0100, payload, length=-1)
        frames += [(_over_udp(message), cut) for cut in range(0, len(message) + 1, 3)]
    frames += [
        (_over_udp(_l2tp(0x8000, b"", length=-1, ns=True)), 0),  # ZLB
        (_over_udp(_l2tp(0x8000, avps[0], ns=True)), 0),  # no length
        (_over_udp(_l2tp(0x8000, avps[0], length=400)), 0),  # longer than the packet
        (_over_udp(_l2tp(0x8000, avps[0], length=3)), 0),  # shorter than the header
        (_over_udp(_l2tp(0x8000, avps[0] + struct.pack("!HHH", 3, 0, 0), length=-1)), 0),  # AVP under 6
        (_over_udp(_l2tp(0x8000, avps[0] + struct.pack("!HHH", 50, 0, 0), length=-1)), 0),  # past the length
        (_over_udp(_l2tp(0, lcp, offset=bytes(300))), 0),  # padding past the capture
        (_over_udp(b"\x00\x01" + bytes(10)), 0),  # L2F
        (_over_udp(b"\x00\x05" + bytes(10)), 0),
        (_over_udp(b"\xc8"), 0),
    ]
    frames += [(_over_pppoe(_l2tp(0, lcp)), 0), (_over_pppoe(hello), 0)]
    return frames


@pytest.mark.parametrize("pure", ["", "1"])
def test_l2tp_prints_as_tcpdump(tmp_path: Path, pure: str) -> None:
    path = write_capture(tmp_path / "l2tp.pcap", _l2tp_frames())
    lines = assert_tcpdump_lines(path, pure, keep=timestamped)
    assert_tcpdump_lines(path, pure, "-e", keep=timestamped)  # with the PPP header's own text
    assert any("*MSGTYPE(HELLO) *ASSND_TUN_ID(4)" in line for line in lines)
    assert any("{LCP" in line for line in lines)


def test_corpus_l2tp_in_pppoe_prints_as_tcpdump() -> None:
    path = CORPUS / "dpkt-nb6-http.pcap"
    if not path.exists():
        pytest.skip("dpkt-nb6-http.pcap is not in the corpus")
    for pure in ("", "1"):
        assert_tcpdump_lines(path, pure, keep=timestamped)


# --- lwres ------------------------------------------------------------------------------------------

LWRES = 921


def _lwres(
    opcode: int, body: bytes, *, flags: int = 0, version: int = 0, declared: int | None = None
) -> bytes:
    size = 28 + len(body) if declared is None else declared
    return struct.pack("!IHHIIIIHH", size, version, flags, 7, opcode, 0, 4096, 0, 0) + body


def _lw_name(text: bytes, nul: bytes = b"\0") -> bytes:
    return struct.pack("!H", len(text)) + text + nul


def _lw_addr(family: int, value: bytes) -> bytes:
    return struct.pack("!IH", family, len(value)) + value


def _lwres_frames() -> list[tuple[bytes, int]]:
    v4, v6 = _lw_addr(1, bytes([192, 0, 2, 1])), _lw_addr(2, bytes(15) + b"\x01")
    messages = [
        _lwres(0, b""),
        _lwres(0, b"", flags=1),
        _lwres(0, b"xyz"),
        _lwres(0x00010001, struct.pack("!II", 0, 1) + _lw_name(b"example.com")),
        _lwres(0x00010001, struct.pack("!II", 0, 6) + _lw_name(b"ex\x01\xe9", b"x")),
        _lwres(0x00010001, struct.pack("!II", 0, 3) + _lw_name(b"a.b"), flags=0x8000),
        _lwres(0x00010001, struct.pack("!II", 0, 0) + _lw_name(b"")),
        _lwres(0x00010002, struct.pack("!I", 0) + v4),
        _lwres(0x00010002, struct.pack("!I", 0) + v6),
        _lwres(0x00010002, struct.pack("!I", 0) + _lw_addr(9, b"\x01\x02\x03")),
        _lwres(0x00010002, struct.pack("!I", 0) + _lw_addr(1, b"\x01\x02")),  # too short: invalid
        _lwres(0x00010003, struct.pack("!IHHH", 0, 1, 28, 3) + b"a.b\0"),
        _lwres(0x00010003, struct.pack("!IHHH", 0, 3, 999, 3) + b"a.b\0"),
        _lwres(0x00010003, struct.pack("!IHHH", 0, 7, 16, 3) + b"a.b\0"),
        _lwres(
            0x00010001,
            struct.pack("!IHHH", 0, 2, 2, 3) + b"a.b\0" + _lw_name(b"c") + _lw_name(b"dd") + v4 + v6,
            flags=1,
        ),
        _lwres(0x00010001, struct.pack("!IHHH", 0, 0, 1, 1) + b"a\0" + _lw_addr(2, b"\x01"), flags=1),
        _lwres(0x00010002, struct.pack("!IHH", 0, 1, 3) + b"a.b\0" + _lw_name(b"alias"), flags=1),
        _lwres(
            0x00010003,
            struct.pack("!IHHIHH", 0, 1, 1, 3725, 2, 1)
            + _lw_name(b"r")
            + _lw_name(b"\x01\x02")
            + _lw_name(b"\x03")
            + _lw_name(b"sig"),
            flags=1,
        ),
        _lwres(0x00010003, struct.pack("!IHHIHH", 0, 4, 99, 0, 0, 0) + _lw_name(b"r"), flags=1),
        _lwres(0x00020000, b"abcd", flags=1),
        _lwres(0x00020000, b"abcd"),
        _lwres(0, b"", version=3),
        _lwres(0, b"", declared=12),
        _lwres(0, b"", declared=900),
        _lwres(0x00010001, struct.pack("!II", 0, 1) + _lw_name(b"example.com"), declared=200),
    ]
    frames: list[tuple[bytes, int]] = []
    for message in messages:
        frame = craft.over_ethernet(craft.udp("10.0.0.1", "10.0.0.2", 1024, LWRES, message), *MACS, pad=False)
        frames += [(frame, cut) for cut in range(0, len(message) + 1, 3)]
        frames.append(
            (craft.over_ethernet(craft.udp("2001:db8::1", "2001:db8::2", LWRES, 5, message), *MACS), 0)
        )
    return frames


@pytest.mark.parametrize("pure", ["", "1"])
def test_lwres_prints_as_tcpdump(tmp_path: Path, pure: str) -> None:
    path = write_capture(tmp_path / "lwres.pcap", _lwres_frames())
    lines = assert_tcpdump_lines(path, pure, keep=timestamped)
    assert any("lwres getaddrsbyname? IPv4 example.com" in line for line in lines)
    assert any("[extra]" in line for line in lines)


@pytest.mark.parametrize("name", ["lwres_with_extra.pcap", "lwres-pointer-arithmetic-ub.pcap"])
def test_corpus_lwres_prints_as_tcpdump(name: str) -> None:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"{name} is not in the corpus")
    for pure in ("", "1"):
        assert_tcpdump_lines(path, pure, keep=timestamped)
