"""The device list from libpcap, the auto rule, and the -D listing."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pycapture import NoDeviceFoundError, PcapAddress, PcapNetworkInterface, find_all_devs, pick_auto
from pycapture.capture.devices import default_route_interfaces
from pycapture.capture.libpcap import PCAP_IF_LOOPBACK, PCAP_IF_RUNNING, PCAP_IF_UP
from support.commands import run_cli

UP = PCAP_IF_UP | PCAP_IF_RUNNING


def test_find_all_devs_lists_loopback_with_flags_and_addresses():
    devs = {d.name: d for d in find_all_devs()}
    lo = devs["lo"]
    assert lo.loopback and lo.up
    assert "127.0.0.1/8" in [str(a) for a in lo.addresses]
    assert "any" in devs and devs["any"].description
    assert [d.index for d in devs.values()] == list(range(1, len(devs) + 1))


def test_list_interfaces_like_tcpdump_dash_d():
    res = run_cli("-D")
    assert res.returncode == 0
    lines = res.stdout.decode().splitlines()
    lo = next(line for line in lines if ".lo " in line)
    assert lo.split(".", 1)[0].isdigit()
    assert "[Up, Running, Loopback]" in lo and "127.0.0.1/8" in lo
    assert any(line.split(".", 1)[1].startswith("any (") for line in lines)


def _dev(name: str, flags: int, *addrs: tuple[str, str]) -> PcapNetworkInterface:
    return PcapNetworkInterface(name, "", tuple(PcapAddress(a, m) for a, m in addrs), (), flags)


def test_auto_prefers_the_default_route(tmp_path, monkeypatch):
    proc = tmp_path / "net"
    proc.mkdir()
    (proc / "route").write_text(
        "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\n"
        "wlan0\t00000000\t0100A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
        "eth1\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
        "eth1\t0000000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
    )
    assert default_route_interfaces(str(tmp_path)) == ["eth1", "wlan0"]
    devs = [
        _dev("lo", UP | PCAP_IF_LOOPBACK, ("127.0.0.1", "255.0.0.0")),
        _dev("eth0", UP, ("192.0.2.7", "255.255.255.0")),
        _dev("eth1", UP, ("10.0.0.5", "255.255.255.0")),
        _dev("wlan0", UP, ("192.168.0.9", "255.255.255.0")),
    ]
    import pycapture.capture.devices as devices

    monkeypatch.setattr(devices, "default_route_interfaces", lambda: default_route_interfaces(str(tmp_path)))
    dev, why = pick_auto(devs)
    assert dev.name == "eth1"
    assert why == "default route, 10.0.0.5/24"


def test_auto_without_a_route_skips_down_loopback_and_addressless(monkeypatch):
    import pycapture.capture.devices as devices

    monkeypatch.setattr(devices, "default_route_interfaces", lambda: [])
    devs = [
        _dev("lo", UP | PCAP_IF_LOOPBACK, ("127.0.0.1", "255.0.0.0")),
        _dev("any", UP),
        _dev("eth0", PCAP_IF_UP, ("192.0.2.7", "255.255.255.0")),  # up but not running
        _dev("eth1", UP, ("2001:db8::5", "ffff:ffff:ffff:ffff::")),
    ]
    dev, why = pick_auto(devs)
    assert (dev.name, why) == ("eth1", "first interface that is up with an address, 2001:db8::5/64")
    dev, why = pick_auto(devs[:3])
    assert (dev.name, why) == ("lo", "no other interface is up with an address; loopback only")
    with pytest.raises(NoDeviceFoundError, match="no capture device found"):
        pick_auto([])
    with pytest.raises(NoDeviceFoundError, match="no interface is up"):
        pick_auto([_dev("eth9", 0)])


def test_list_interfaces_into_a_closed_pipe_is_quiet():
    """The reader is gone before pycapture writes (``true`` exits at once): no traceback, exit 0."""
    script = f'{sys.executable} -m pycapture -D | true; echo "status=${{PIPESTATUS[0]}}"'
    res = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
    assert res.stderr == ""
    assert res.stdout.strip() == "status=0"
