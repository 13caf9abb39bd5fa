"""--if auto and -D where no capture device exists, as in a Windows Server Core container.

Each Windows failure is replayed by :mod:`windows_fakes` at pycapture's device seam; the command must
answer every one with a single line naming the likely cause and the way forward, exit status 1, and no
traceback. A long adapter name is not a failure: it is listed and chosen like any other.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import pycapture
from pycapture.cli.main import command
from support.windows_fakes import ERROR_3, ERROR_122, LONG_NAME, FakeWindowsCapture, adapter

FAILURES = {
    "error-122": FakeWindowsCapture(error=ERROR_122),
    "error-3": FakeWindowsCapture(error=ERROR_3),
    "empty-list": FakeWindowsCapture(interfaces=[]),
}
COMMANDS = {"-D": ["-D"], "--if auto": ["--if", "auto", "-c", "1"], "no source": ["-c", "1"]}


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("pycapture: ")]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.parametrize("args", COMMANDS.values(), ids=COMMANDS.keys())
@pytest.mark.parametrize("fake", FAILURES.values(), ids=FAILURES.keys())
def test_no_device_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, fake: FakeWindowsCapture, args: list[str]
) -> None:
    fake.install(monkeypatch)
    res = CliRunner().invoke(command, args)
    assert res.exit_code == 1, res.output
    assert not isinstance(res.exception, Exception) or isinstance(res.exception, SystemExit)
    assert "Traceback" not in res.stderr
    assert res.stdout == ""
    line = _one_error_line(res.stderr)
    assert "no capture device found" in line
    assert "no capture driver is running" in line
    assert "inside a Windows container drivers cannot load" in line
    assert '"no adapters found", not "names too long"' in line
    assert "-r captures/" in line and "capture on the host" in line
    if fake.error:
        assert fake.error in line  # libpcap's own words stay in the message


def test_error_122_text_alone_names_the_windows_cause(monkeypatch: pytest.MonkeyPatch) -> None:
    """Even without the platform check, WinPcap's words are recognised as WinPcap's."""
    fake = FakeWindowsCapture(error=ERROR_122).install(monkeypatch)
    monkeypatch.setattr(pycapture.capture.devices, "_WINDOWS", False)
    with pytest.raises(pycapture.NoDeviceFoundError, match="inside a Windows container"):
        pycapture.find_all_devs()
    assert fake.error is not None


def test_long_adapter_name_is_listed_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    FakeWindowsCapture(interfaces=[adapter(LONG_NAME)]).install(monkeypatch)
    res = CliRunner().invoke(command, ["-D"])
    assert res.exit_code == 0, res.stderr
    assert res.stdout.splitlines() == [
        f"1.{LONG_NAME} (Hyper-V Virtual Ethernet Adapter) [Up, Running, Connected] 172.22.80.5/20"
    ]


def test_long_adapter_name_is_chosen_by_auto_and_its_open_fails_cleanly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """auto picks the 200-character adapter; opening it here fails in libpcap's words, in one line."""
    FakeWindowsCapture(interfaces=[adapter(LONG_NAME)]).install(monkeypatch)
    res = CliRunner().invoke(command, ["--if", "auto", "-c", "1"])
    assert f"pycapture: capturing on {LONG_NAME} (auto: first interface that is up" in res.stderr
    assert res.exit_code == 1
    assert "Traceback" not in res.stderr
    assert "names too long" not in res.stderr
    errors = [line for line in res.stderr.splitlines() if LONG_NAME + ":" in line]
    assert len(errors) == 1, res.stderr


def test_lookupdev_failing_does_not_matter(monkeypatch: pytest.MonkeyPatch) -> None:
    """pcap_lookupdev raising error 122 (the original failure) does not stop auto: it is never called."""
    fake = FakeWindowsCapture(error=None, interfaces=[adapter("\\Device\\NPF_{4E2A}")]).install(monkeypatch)
    if pycapture.capture.pcapy.AVAILABLE:
        with pytest.raises(pycapture.capture.pcapy.pcapy.PcapError, match=r"\(122\)"):
            pycapture.capture.pcapy.pcapy.lookupdev()
    assert pycapture.lookup_dev() == "\\Device\\NPF_{4E2A}"
    assert fake.find_all_devs()
