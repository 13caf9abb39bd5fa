"""../shared/repro/libtest.py calls the library with wrong types and values and records what each call
raised. Each case now ends as the documented exception says (a TypeError or ValueError at the call, a
PcapError subclass for what libpcap or the handle's state refuses) or, where the call is valid, returns:
never a struct.error, ctypes.ArgumentError, OverflowError or AttributeError from inside, and never a
silent wrong answer (open_dead(2**40) became link type 0; dump() after close() lost the packet)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from support.env import REPRO

LIBTEST = REPRO / "libtest.py"
KINDS = ("ok", "PcapError", "builtin", "UNEXPECTED")

EXPECTED = {
    "open_offline(None)": "TypeError",
    "open_offline(123)": "TypeError",
    "open_offline(b'path')": "TypeError",
    "open_offline(dir)": "CaptureFileError",
    "open_offline(precision=bogus)": "ValueError",
    "open_offline(precision=5)": "ValueError",
    "open_offline(nul in path)": "CaptureFileError",
    "open_offline('')": "CaptureFileError",
    "open_dead(-1)": "ValueError",
    "open_dead(None)": "TypeError",
    "open_dead(1, -5)": "ValueError",
    "open_dead(1, 2**40)": "ValueError",
    "open_dead(2**40)": "ValueError",
    "open_dead('1')": "TypeError",
    "open_dead(1.5)": "TypeError",
    "open_dead(1,prec=bogus)": "ValueError",
    "open_live(None)": "TypeError",
    "open_live('nonexist0')": "NoSuchDeviceError",
    "open_live('lo', snaplen=-1)": "ValueError",
    "open_live('lo', timeout_ms=-5)": "ValueError",
    "open_live('lo', buffer_size=-1)": "ValueError",
    "open_live('lo', buffer_size=2**62)": "ValueError",
    "Builder(None).build()": "TypeError",
    "Builder(lo).snaplen('x')": "TypeError",
    "Builder(lo).snaplen(2**33)": "ValueError",
    "Builder(lo).timeout_ms(2**40)": "ValueError",
    "Builder(lo).direction(bogus)": "ValueError",
    "Builder(lo).tsprec(5)": "ValueError",
    "get_dev_by_name(None)": "TypeError",
    "get_dev_by_address('junk')": "ValueError",
    "get_dev_by_address(None)": "TypeError",
    "datalink_name(-1)": "ValueError",
    "datalink_name(2**40)": "ValueError",
    "datalink_name(None)": "TypeError",
    "datalink_description(2**40)": "ValueError",
    "datalink_value('')": "ValueError",
    "datalink_value(None)": "TypeError",
    "datalink_value('\\x00')": "ValueError",
    "loop(None listener)": "TypeError",
    "loop('x' count)": "TypeError",
    "dispatch(1, None)": "TypeError",
    "records('x')": "TypeError",
    "set_filter(None)": "TypeError",
    "set_filter(123)": "TypeError",
    "set_filter(bytes)": "TypeError",
    "set_filter(nul)": "FilterError",
    "set_filter(10k)": "ok",
    "compile_filter(netmask=-1)": "ValueError",
    "compile_filter(netmask=2**40)": "ValueError",
    "compile_filter(None)": "TypeError",
    "set_datalink(-1) offline": "ValueError",
    "set_datalink(None) offline": "TypeError",
    "list_datalinks offline": "ok",
    "send_packet offline": "PcapNativeError",
    "send_packet(None) offline": "TypeError",
    "get_stats offline": "ok",
    "dump_open(None)": "TypeError",
    "dump_open(dir)": "IsADirectoryError",
    "dump_open(nonexist dir)": "FileNotFoundError",
    "break_loop then next": "PcapEOFError",
    "next after break": "PcapEOFError",
    "iterate all": "ok",
    "next at EOF": "PcapEOFError",
    "next (None) at EOF": "ok",
    "loop at EOF": "ok",
    "dispatch at EOF": "ok",
    "double close": "ok",
    "next after close": "NotOpenError",
    "get_next_packet after close": "NotOpenError",
    "iterate after close": "NotOpenError",
    "records after close": "NotOpenError",
    "loop after close": "NotOpenError",
    "dispatch after close": "NotOpenError",
    "set_filter after close": "NotOpenError",
    "compile_filter after close": "NotOpenError",
    "get_stats after close": "NotOpenError",
    "datalink after close": "ok",
    "snapshot after close": "ok",
    "list_datalinks after close": "NotOpenError",
    "dump_open after close": "NotOpenError",
    "break_loop after close": "ok",
    "with after close": "ok",
    "generator next after close": "NotOpenError",
    "records gen next after close": "NotOpenError",
    "dead next": "PcapNativeError",
    "dead iterate": "PcapNativeError",
    "dead loop": "PcapNativeError",
    "dead records": "PcapNativeError",
    "dead get_stats": "ok",
    "bpf matches(None)": "TypeError",
    "bpf matches(b'')": "ok",
    "bpf matches(str)": "TypeError",
    "bpf matches(huge)": "ok",
    "bpf matches after dead close": "ok",
    "dump(None)": "TypeError",
    "dump(str)": "TypeError",
    "dump(int)": "TypeError",
    "dump(bytes, ts=-1)": "ok",
    "dump(bytes, ts=2**70)": "ok",
    "dump(bytes, ts=2**31*1e9)": "ok",
    "dump(bytes, ts=float)": "TypeError",
    "dump(bytes, ts=nan)": "TypeError",
    "dump(bytes, orig=-1)": "ValueError",
    "dump(bytes, orig=2**40)": "ValueError",
    "dump(bytes, orig<caplen)": "ok",
    "dump(huge 1MB > snaplen)": "ValueError",
    "dump(70000 bytes > snaplen 65535)": "ValueError",
    "dump(empty)": "ok",
    "dump(memoryview)": "ok",
    "dump(bytearray)": "ok",
    "ftell": "ok",
    "count": "ok",
    "dumper double close": "ok",
    "dump after close": "NotOpenError",
    "flush after close": "NotOpenError",
    "ftell after close": "NotOpenError",
    "PcapDumper(None,1)": "TypeError",
    "PcapDumper(path,-1)": "ValueError",
    "PcapDumper(path,1,snaplen=-1)": "ValueError",
    "PcapDumper(path,2**40)": "ValueError",
    "PcapPacket(None,...)": "TypeError",
    "PcapPacket(raw, neg ts)": "ok",
    "PcapPacket(raw, huge ts)": "ValueError",  # datetime cannot hold the year: said, not overflowed
    "PcapPacket(raw, frac>1e6)": "ok",
    "PcapPacket(raw, lt=-1).summary": "ValueError",
    "PcapPacket(raw, lt=-1).str": "ValueError",
    "PcapPacket(raw, lt=2**40).to_dict": "ValueError",
    "PcapPacket(str raw)": "TypeError",
    "PcapPacket(empty).summary": "ok",
    "PcapPacket(empty).str": "ok",
    "PcapPacket(orig=-1).summary": "ValueError",
    "PcapPacket.get(None)": "TypeError",
    "PcapPacket contains 5": "TypeError",
    "PcapPacket.to_dict(number=None)": "ok",
    "build.udp bad ip": "ValueError",
    "build.udp port 70000": "ValueError",
    "build.udp port -1": "ValueError",
    "build.udp mixed v4/v6": "ValueError",
    "build.udp huge payload": "ValueError",
    "build.ipv6 huge payload": "ValueError",
    "build.tcp flags bogus": "ValueError",
    "build.tcp seq 2**33": "ValueError",
    "build.tcp options odd": "ValueError",
    "build.ethernet bad mac": "ValueError",
    "build.ethernet vlan 5000": "ValueError",
    "build.ethernet ethertype -1": "ValueError",
    "build.ipv4 ttl 300": "ValueError",
    "build.icmp_echo ident -1": "ValueError",
    "build.arp_request v6": "ValueError",
    "Pacer(speed=0)": "ValueError",
    "Pacer(speed=nan)": "ValueError",
    "Pacer(pps=0)": "ValueError",
    "Pacer(pps=-1)": "ValueError",
    "Pacer(mbps=1e308) paced": "ValueError",
    "Pacer(pps=inf) paced": "ValueError",
    "Pacer(pps=nan) paced": "ValueError",
    "Pacer(speed=1e-300) paced": "ValueError",
    "replay(None, lo)": "TypeError",
    "replay(F, None)": "TypeError",
    "replay(F, 'nonexist0')": "NoSuchDeviceError",
    "replay(F, lo, loop=-1)": "ValueError",
    "replay(F, lo, count=-1)": "ValueError",
    "replay(F, lo, pps=nan)": "ValueError",
    "replay(F, lo, speed=nan)": "ValueError",
    "replay(F, lo, mbps=1e308)": "ValueError",
    "replay(F, lo, filter bad)": "FilterError",
}


@pytest.fixture(scope="module")
def outcomes() -> dict[str, str]:
    if not LIBTEST.is_file():
        pytest.skip("../shared/repro is not present")
    proc = subprocess.run([sys.executable, str(LIBTEST)], capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    found: dict[str, str] = {}
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split(" | ")
        if len(parts) >= 3 and parts[1] in KINDS:
            assert parts[1] != "UNEXPECTED", line
            found[parts[0]] = "ok" if parts[1] == "ok" else parts[2].split(":")[0]
    return found


def test_every_case_ends_as_documented(outcomes: dict[str, str]) -> None:
    assert set(outcomes) == set(EXPECTED), set(outcomes) ^ set(EXPECTED)
    wrong = {name: (outcomes.get(name), want) for name, want in EXPECTED.items() if outcomes[name] != want}
    assert not wrong, wrong
