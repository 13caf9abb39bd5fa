"""The three capture backends: the same output for every capture, and fallbacks that really fall back.

pcapy-ng, scapy's libpcap provider and the dpkt file reader must print the same lines and exit the same
way for every file of ../shared/corpus/ (damaged files included: the packets before the damage, then one
error). Hiding pcapy-ng (a meta-path blocker in a sitecustomize on PYTHONPATH) must leave ``pycapture -r``
working through scapy, and hiding libpcap as well must leave it working through the file reader; live
capture on loopback must work through scapy.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pycapture.capture import backends, libpcap
from pycapture.cli.main import command
from support.commands import Capture
from support.corpus import corpus_rows
from support.env import CAPTURES, CORPUS, ROOT

FILES = [row["file"] for row in corpus_rows()]
SAMPLES = sorted(p.name for p in CAPTURES.glob("*.pcap*"))


def _run(backend: str, *args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(command, ["--backend", backend, *args])
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise AssertionError(f"{backend} {args}: {res.exception!r}") from res.exception
    return res.exit_code, res.stdout, res.stderr


def _same_everywhere(*args: str) -> None:
    status, out, err = _run("pcapy", *args)
    assert "Traceback" not in err
    for backend in ("scapy", "file"):
        other_status, other_out, other_err = _run(backend, *args)
        assert "Traceback" not in other_err
        assert (other_status, other_out) == (status, out), f"{backend} differs from pcapy: {other_err}"


@pytest.mark.skipif(not FILES, reason="../shared/corpus is not present")
@pytest.mark.parametrize("name", FILES)
def test_corpus_file_prints_the_same_with_every_backend(name: str) -> None:
    _same_everywhere("-r", str(CORPUS / name))


@pytest.mark.parametrize("name", SAMPLES)
@pytest.mark.parametrize("options", [[], ["-e", "-tt"], ["--json"], ["-v"], ["-XX", "-c", "2"], ["--nano"]])
def test_sample_prints_the_same_with_every_backend(name: str, options: list[str]) -> None:
    _same_everywhere("-r", str(CAPTURES / name), *options)


def test_libpcap_backends_filter_alike() -> None:
    path = str(CAPTURES / "mixed.pcap")
    assert _run("pcapy", "-r", path, "udp") == _run("scapy", "-r", path, "udp")
    assert _run("pcapy", "-r", path, "udp")[1].count("\n") >= 1


@pytest.mark.parametrize("expression", ["udp", "greater 100", "ip broadcast", "icmp6 or arp"])
def test_file_backend_filters_as_libpcap_does(expression: str) -> None:
    """Compiled by libpcap and run on each record with its original length (pcap_offline_filter)."""
    _same_everywhere("-n", "-r", str(CAPTURES / "mixed.pcap"), expression)


def test_file_backend_says_filters_need_libpcap_where_none_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_libpcap() -> None:
        raise libpcap.NativeUnavailable("pycapture cannot reach libpcap through ctypes")

    monkeypatch.setattr(libpcap, "_offline_filtering", no_libpcap)
    status, out, err = _run("file", "-r", str(CAPTURES / "mixed.pcap"), "udp")
    assert status == 1 and out == ""
    assert "the file backend cannot apply the filter 'udp': filters are compiled by libpcap" in err
    assert "Traceback" not in err


def test_file_backend_refuses_live_capture() -> None:
    status, _, err = _run("file", "-i", "lo")
    assert status == 1
    assert "the file backend reads saved captures only; live capture needs libpcap" in err


def test_environment_variable_chooses_the_backend() -> None:
    res = CliRunner(env={backends.ENVIRONMENT_VARIABLE: "file"}).invoke(command, ["-i", "lo", "-c", "1"])
    assert res.exit_code == 1 and "the file backend reads saved captures only" in res.stderr
    res = CliRunner(env={backends.ENVIRONMENT_VARIABLE: "nonsense"}).invoke(command, ["-r", "x.pcap"])
    assert res.exit_code == 2 and "nonsense" in res.stderr


# --- with pcapy-ng (and libpcap) hidden ------------------------------------------------------------

_BLOCKER = '''
import ctypes.util
import importlib.abc
import sys

class _Hide(importlib.abc.MetaPathFinder):
    """Make pcapy-ng unimportable, as on a platform it has no wheel for."""

    def find_spec(self, name, path=None, target=None):
        if name == "pcapy" or name.startswith("pcapy."):
            raise ImportError("No module named 'pcapy' (hidden by the test)")
        return None

sys.meta_path.insert(0, _Hide())
'''
_NO_LIBPCAP = """
_find_library = ctypes.util.find_library
ctypes.util.find_library = lambda name: None if name in ("pcap", "wpcap") else _find_library(name)
"""


def _hidden(tmp_path: Path, libpcap_too: bool) -> dict[str, str]:
    (tmp_path / "sitecustomize.py").write_text(_BLOCKER + (_NO_LIBPCAP if libpcap_too else ""))
    env = dict(os.environ)
    env.pop(backends.ENVIRONMENT_VARIABLE, None)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(ROOT / "src")])
    return env


def _pycapture(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pycapture", *args], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("libpcap_too", "used"), [(False, "scapy"), (True, "file")], ids=["no-pcapy", "no-pcapy-no-libpcap"]
)
def test_reading_falls_back_when_pcapy_is_hidden(tmp_path: Path, libpcap_too: bool, used: str) -> None:
    env = _hidden(tmp_path, libpcap_too)
    probe = _pycapture(env, "--version")
    assert probe.returncode == 0, probe.stderr  # the package imports without pcapy-ng
    path = str(CAPTURES / "mixed.pcap")
    hidden = _pycapture(env, "-r", path, "-v")
    normal = subprocess.run(
        [sys.executable, "-m", "pycapture", "-r", path, "-v"], capture_output=True, text=True, timeout=60
    )
    assert hidden.returncode == 0, hidden.stderr
    assert hidden.stdout == normal.stdout
    assert "Traceback" not in hidden.stderr
    assert f"pycapture: using the {used} backend (pcapy: pcapy-ng cannot be imported: " in hidden.stderr
    if libpcap_too:
        assert "scapy: scapy's libpcap provider cannot load" in hidden.stderr
    explicit = _pycapture(env, "--backend", "pcapy", "-r", path)
    assert explicit.returncode == 1
    assert "pcapy-ng cannot be imported" in explicit.stderr and "Traceback" not in explicit.stderr


def test_no_libpcap_at_all_gives_one_line_for_live_capture(tmp_path: Path) -> None:
    env = _hidden(tmp_path, libpcap_too=True)
    res = _pycapture(env, "-i", "lo", "-c", "1")
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    assert "no backend for live capture works here" in res.stderr


def test_live_loopback_through_scapy_when_pcapy_is_hidden(live: None, tmp_path: Path) -> None:
    env = _hidden(tmp_path, libpcap_too=False)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    prefix = ["env", f"PYTHONPATH={env['PYTHONPATH']}"]
    cap = Capture(
        ["-i", "lo", "-c", "3", "--timeout-ms", "50", "udp", "dst", "port", str(port)], prefix=prefix
    )
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for i in range(6):
            s.sendto(b"scapy-%d" % i, ("127.0.0.1", port))
    status, out, err = cap.finish()
    assert status == 0, err
    assert "using the scapy backend (pcapy: pcapy-ng cannot be imported" in err
    lines = out.splitlines()
    assert len(lines) == 3
    assert all("IP 127.0.0.1." in line and f"> 127.0.0.1.{port}: UDP, length 7" in line for line in lines)
    assert "3 packets captured" in err and "received by filter" in err
