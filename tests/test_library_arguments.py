"""Wrong arguments to the library fail at the call with TypeError or ValueError naming the argument, not
later with struct.error, ctypes.ArgumentError, OverflowError or AttributeError (../shared/repro/libtest.py).
"""

from __future__ import annotations

import ipaddress
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

import pycapture
from support.commands import needs, tool
from support.env import CAPTURES

MIXED = str(CAPTURES / "mixed.pcap")


def _offline() -> pycapture.PcapHandle:
    return pycapture.open_offline(MIXED)


WRONG_TYPE: list[tuple[str, Callable[[], object], str]] = [
    ("open_offline(None)", lambda: pycapture.open_offline(None), "path"),  # type: ignore[arg-type]
    ("open_offline(123)", lambda: pycapture.open_offline(123), "path"),  # type: ignore[arg-type]
    ("open_offline(b'..')", lambda: pycapture.open_offline(MIXED.encode()), "path"),  # type: ignore[arg-type]
    ("open_dead(None)", lambda: pycapture.open_dead(None), "linktype"),  # type: ignore[arg-type]
    ("open_dead('1')", lambda: pycapture.open_dead("1"), "linktype"),  # type: ignore[arg-type]
    ("open_dead(1.5)", lambda: pycapture.open_dead(1.5), "linktype"),  # type: ignore[arg-type]
    ("open_dead(True)", lambda: pycapture.open_dead(True), "linktype"),  # type: ignore[arg-type]
    ("open_live(None)", lambda: pycapture.open_live(None), "device"),  # type: ignore[arg-type]
    ("Builder(None)", lambda: pycapture.PcapHandle.Builder(None), "device"),  # type: ignore[arg-type]
    ("Builder.snaplen('x')", lambda: pycapture.PcapHandle.Builder("lo").snaplen("x"), "snaplen"),  # type: ignore[arg-type]
    ("Builder.timeout_ms(1.5)", lambda: pycapture.PcapHandle.Builder("lo").timeout_ms(1.5), "timeout_ms"),  # type: ignore[arg-type]
    ("Builder.direction(1)", lambda: pycapture.PcapHandle.Builder("lo").direction(1), "direction"),  # type: ignore[arg-type]
    ("datalink_name(None)", lambda: pycapture.datalink_name(None), "linktype"),  # type: ignore[arg-type]
    ("datalink_description('1')", lambda: pycapture.datalink_description("1"), "linktype"),  # type: ignore[arg-type]
    ("datalink_value(None)", lambda: pycapture.datalink_value(None), "name"),  # type: ignore[arg-type]
    ("get_dev_by_name(None)", lambda: pycapture.get_dev_by_name(None), "name"),  # type: ignore[arg-type]
    ("get_dev_by_address(None)", lambda: pycapture.get_dev_by_address(None), "address"),  # type: ignore[arg-type]
    ("lookup_net(None)", lambda: pycapture.lookup_net(None), "device"),  # type: ignore[arg-type]
    ("loop('x', f)", lambda: _offline().loop("x", print), "count"),  # type: ignore[arg-type]
    ("loop(1, None)", lambda: _offline().loop(1, None), "listener"),  # type: ignore[arg-type]
    ("loop(1, f, executor=1)", lambda: _offline().loop(1, print, 1), "executor"),  # type: ignore[arg-type]
    ("dispatch(1, None)", lambda: _offline().dispatch(1, None), "listener"),  # type: ignore[arg-type]
    ("records('x')", lambda: _offline().records("x"), "count"),  # type: ignore[arg-type]
    ("record_batches(size=None)", lambda: _offline().record_batches(size=None), "size"),  # type: ignore[arg-type]
    ("set_filter(None)", lambda: _offline().set_filter(None), "expression"),  # type: ignore[arg-type]
    ("set_filter(b'udp')", lambda: _offline().set_filter(b"udp"), "expression"),  # type: ignore[arg-type]
    ("set_filter(netmask='x')", lambda: _offline().set_filter("udp", netmask="x"), "netmask"),  # type: ignore[arg-type]
    ("compile_filter(None)", lambda: _offline().compile_filter(None), "expression"),  # type: ignore[arg-type]
    ("set_datalink(None)", lambda: _offline().set_datalink(None), "linktype"),  # type: ignore[arg-type]
    ("set_direction(None)", lambda: _offline().set_direction(None), "direction"),  # type: ignore[arg-type]
    ("send_packet(None)", lambda: _offline().send_packet(None), "frame"),  # type: ignore[arg-type]
    ("send_packet(5)", lambda: _offline().send_packet(5), "frame"),  # type: ignore[arg-type]
    ("matches(None)", lambda: _offline().compile_filter("udp").matches(None), "packet"),  # type: ignore[arg-type]
    ("matches('abc')", lambda: _offline().compile_filter("udp").matches("abc"), "packet"),  # type: ignore[arg-type]
]

WRONG_VALUE: list[tuple[str, Callable[[], object], str]] = [
    ("open_dead(-1)", lambda: pycapture.open_dead(-1), "linktype must be 0 to"),
    ("open_dead(2**40)", lambda: pycapture.open_dead(2**40), "linktype must be 0 to"),
    ("open_dead(1, -5)", lambda: pycapture.open_dead(1, -5), "snaplen must be 0 to"),
    ("open_dead(1, 2**40)", lambda: pycapture.open_dead(1, 2**40), "snaplen must be 0 to"),
    ("open_dead(1, precision='x')", lambda: pycapture.open_dead(1, precision="x"), "precision"),
    ("open_live(snaplen=-1)", lambda: pycapture.open_live("lo", snaplen=-1), "snaplen must be 0 to"),
    ("Builder.snaplen(-5)", lambda: pycapture.PcapHandle.Builder("lo").snaplen(-5), "snaplen must be 0 to"),
    ("Builder.snaplen(2**33)", lambda: pycapture.PcapHandle.Builder("lo").snaplen(2**33), "snaplen must be"),
    ("timeout_ms(2**40)", lambda: pycapture.PcapHandle.Builder("lo").timeout_ms(2**40), "timeout_ms must be"),
    ("timeout_ms(-5)", lambda: pycapture.open_live("lo", timeout_ms=-5), "timeout_ms must be 0 to"),
    ("buffer_size(2**62)", lambda: pycapture.open_live("lo", buffer_size=2**62), "buffer_size must be 1 to"),
    ("buffer_size(-1)", lambda: pycapture.open_live("lo", buffer_size=-1), "buffer_size must be 1 to"),
    ("direction('bogus')", lambda: pycapture.PcapHandle.Builder("lo").direction("bogus"), "direction"),
    ("datalink_name(2**40)", lambda: pycapture.datalink_name(2**40), "linktype must be 0 to"),
    ("datalink_name(-1)", lambda: pycapture.datalink_name(-1), "linktype must be 0 to"),
    ("datalink_description(2**40)", lambda: pycapture.datalink_description(2**40), "linktype must be"),
    ("datalink_value('')", lambda: pycapture.datalink_value(""), "unknown data-link type name"),
    ("get_dev_by_address('junk')", lambda: pycapture.get_dev_by_address("junk"), "not an IPv4 or IPv6"),
    ("compile_filter(netmask=-1)", lambda: _offline().compile_filter("udp", netmask=-1), "netmask must be"),
    ("compile_filter(netmask=2**40)", lambda: _offline().compile_filter("udp", netmask=2**40), "netmask"),
    ("set_datalink(-1)", lambda: _offline().set_datalink(-1), "linktype must be 0 to"),
    ("record_batches(size=0)", lambda: _offline().record_batches(size=0), "size must be 1 to"),
]


@pytest.mark.parametrize(("name", "call", "names"), WRONG_TYPE, ids=[c[0] for c in WRONG_TYPE])
def test_wrong_types_raise_type_error_naming_the_argument(
    name: str, call: Callable[[], object], names: str
) -> None:
    with pytest.raises(TypeError, match=names):
        call()


@pytest.mark.parametrize(("name", "call", "says"), WRONG_VALUE, ids=[c[0] for c in WRONG_VALUE])
def test_wrong_values_raise_value_error_saying_the_range(
    name: str, call: Callable[[], object], says: str
) -> None:
    with pytest.raises(ValueError, match=says):
        call()


def test_a_bad_filter_is_a_filter_error_which_is_a_value_error() -> None:
    with pytest.raises(pycapture.FilterError) as info:
        _offline().set_filter("udp prot 5")
    assert isinstance(info.value, ValueError) and "syntax error" in str(info.value)


def test_snapshot_is_what_libpcap_uses() -> None:
    """``snapshot`` reports pcap_snapshot(): 0 is 262144, as for tcpdump -s 0, and a file says its own."""
    assert pycapture.open_dead(1, 0).snapshot == 262144
    assert pycapture.open_dead(1, 100).snapshot == 100
    first = Path(MIXED).read_bytes()[16:20]
    assert _offline().snapshot == int.from_bytes(first, "little")


@pytest.mark.live
def test_live_snapshot_zero_is_libpcap_maximum(live: None) -> None:
    with pycapture.open_live("lo", snaplen=0) as handle:
        assert handle.snapshot == 262144
    with pycapture.open_live("lo", snaplen=1 << 30) as handle:
        assert handle.snapshot == 262144  # libpcap clamps what it cannot keep


def test_filters_compile_with_tcpdumps_netmask(tmp_path: Path) -> None:
    """``ip broadcast`` works without the optimizer (it said "netmask not known"), and the program is the
    one tcpdump -dd compiles for the same file; a netmask given is used."""
    tcpdump = tool("tcpdump")
    handle = _offline()
    handle.set_filter("ip broadcast", optimize=False)
    expected = subprocess.run(
        [tcpdump, "-dd", "-r", MIXED, "ip broadcast"], capture_output=True, text=True, check=True
    ).stdout
    got = "".join(
        f"{{ {code:#x}, {jt}, {jf}, {k:#010x} }},\n"
        for code, jt, jf, k in handle.compile_filter("ip broadcast").instructions
    )
    assert got == expected
    masked = handle.compile_filter("ip broadcast", netmask=0xFFFFFF00).instructions
    assert any(k == 0xFF for _code, _jt, _jf, k in masked)  # the host part of a /24


def test_set_filter_takes_a_compiled_program() -> None:
    """Pcap4J's setFilter(BpfProgram): the program applies as compiled; tcpdump counts the same packets."""
    tcpdump = tool("tcpdump")
    handle = _offline()
    handle.set_filter(handle.compile_filter("udp or arp"))
    ours = sum(1 for _ in handle)
    theirs = subprocess.run([tcpdump, "-n", "-r", MIXED, "udp or arp"], capture_output=True, text=True)
    assert ours == len(theirs.stdout.splitlines()) > 0


def test_set_direction_on_a_file_is_libpcaps_error() -> None:
    with pytest.raises(pycapture.PcapNativeError, match="direction"):
        _offline().set_direction("in")


@pytest.mark.live
def test_rfmon_and_direction_on_the_builder_and_at_run_time(live: None) -> None:
    with pytest.raises(pycapture.PcapNativeError, match="monitor mode"):
        pycapture.PcapHandle.Builder("lo").rfmon(True).build()
    with pycapture.PcapHandle.Builder("lo").direction("out").build() as handle:
        handle.set_direction(pycapture.Direction.IN)
        handle.set_direction("inout")


def test_lookup_net_is_the_devices_ipv4_network() -> None:
    """lookup_net('lo') is what the kernel says of lo (127.0.0.1/8 on any Linux)."""
    net = pycapture.lookup_net("lo")
    assert net == ipaddress.IPv4Network("127.0.0.0/8")
    with pytest.raises(pycapture.NoSuchDeviceError):
        pycapture.lookup_net("nonexist0")


def test_get_dev_by_address_takes_the_scoped_text_find_all_devs_prints() -> None:
    devices = pycapture.find_all_devs()
    scoped = [(d, a.address) for d in devices for a in d.addresses if "%" in a.address]
    needs(bool(scoped), "no interface has a scoped (link-local) IPv6 address")
    dev, text = scoped[0]
    assert pycapture.get_dev_by_address(text).name == dev.name
    bare = text.split("%")[0]
    assert pycapture.get_dev_by_address(bare).name == dev.name
    index = socket.if_nametoindex(dev.name)
    assert pycapture.get_dev_by_address(f"{bare}%{index}").name == dev.name
    with pytest.raises(pycapture.NoSuchDeviceError):
        pycapture.get_dev_by_address(f"{bare}%nonexist0")


def test_py_typed_is_installed() -> None:
    """PEP 561: the marker ships with the package, so users' type checkers read its annotations."""
    assert (Path(pycapture.__file__).parent / "py.typed").is_file()


@pytest.mark.parametrize(
    ("args", "error", "says"),
    [
        ((None, 0, 0, 0, 1), TypeError, "raw must be bytes"),
        (("abc", 0, 0, 3, 1), TypeError, "raw must be bytes"),
        ((b"\0" * 60, 0, 0, -1, 1), ValueError, "original_length must be 0 to"),
        ((b"\0" * 60, 0, 0, "60", 1), TypeError, "original_length must be an int"),
        ((b"\0" * 60, 0, 0, 60, -1), ValueError, "linktype must be 0 to"),
        ((b"\0" * 60, 0, 0, 60, 2**40), ValueError, "linktype must be 0 to"),
    ],
)
def test_packets_made_by_hand_are_checked(args: tuple, error: type[Exception], says: str) -> None:
    with pytest.raises(error, match=says):
        pycapture.PcapPacket(*args)


def test_packets_take_any_bytes_like_frame() -> None:
    frame = bytearray(b"\x01" * 60)
    assert pycapture.PcapPacket(frame, 0, 0, 60, 1).raw == bytes(frame)
    assert pycapture.PcapPacket(memoryview(frame), 0, 0, 60, 1).raw == bytes(frame)
