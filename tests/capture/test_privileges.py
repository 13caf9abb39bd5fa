"""-Z USER: root is given up once the capture is open, before the -w file is made (tcpdump's order)."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from support.commands import Capture, needs, run_cli, tool
from support.env import CAPTURES


@pytest.fixture
def nobody() -> pwd.struct_passwd:
    needs(os.geteuid() == 0, "-Z is about giving up root: run as root")
    try:
        return pwd.getpwnam("nobody")
    except KeyError:
        needs(False, "there is no user 'nobody' to become")
        raise


@pytest.fixture
def nobodys_dir(nobody):
    """A directory ``nobody`` may write to (pytest's own tmp_path is root's alone)."""
    where = Path(tempfile.mkdtemp(prefix="pycapture-Z-"))
    os.chown(where, nobody.pw_uid, nobody.pw_gid)
    try:
        yield where
    finally:
        shutil.rmtree(where, ignore_errors=True)


def _status(pid: int) -> dict[str, str]:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


def test_capture_runs_on_as_nobody_with_no_capability_left(live, nobody, nobodys_dir):
    port = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = nobodys_dir / "z.pcap"
    cap = Capture(
        ["-i", "lo", "-Z", "nobody", "-c", "3", "-w", str(out), "--immediate-mode", "udp dst port", str(port)]
    )
    status = _status(cap.proc.pid)
    uid, gid = str(nobody.pw_uid), str(nobody.pw_gid)
    assert status["Uid"].split() == [uid] * 4  # real, effective, saved, filesystem
    assert status["Gid"].split() == [gid] * 4
    assert status["Groups"].split() == [gid]
    assert int(status["CapEff"], 16) == 0 and int(status["CapPrm"], 16) == 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for i in range(5):
            s.sendto(b"after the drop %d" % i, ("127.0.0.1", port))
    code, _, err = cap.finish()
    assert code == 0, err
    assert "3 packets captured" in err  # the handle opened as root still reads, and its statistics
    assert "received by filter" in err
    assert out.stat().st_uid == nobody.pw_uid  # the file was made after the drop, as tcpdump does
    res = subprocess.run([tool("tcpdump"), "-n", "-r", str(out)], capture_output=True, text=True)
    assert res.returncode == 0 and len(res.stdout.splitlines()) == 3


def test_file_in_a_root_only_directory_is_refused_after_the_drop(nobody, tmp_path):
    """tcpdump -Z creates -w files as the new user: root's private directory is out of reach."""
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    src = str(CAPTURES / "icmp.pcap")
    res = run_cli("-r", src, "-Z", "nobody", "-w", str(private / "out.pcap"))
    assert res.returncode == 1
    err = res.stderr.decode().strip().splitlines()
    assert "Traceback" not in res.stderr.decode()
    assert err[-1].startswith("pycapture: ") and "Permission denied" in err[-1]
    assert not (private / "out.pcap").exists()
    assert run_cli("-r", src, "-w", str(private / "out.pcap")).returncode == 0  # root may, without -Z


def test_unknown_user_is_one_line_and_exit_1():
    res = run_cli("-r", str(CAPTURES / "icmp.pcap"), "-Z", "no-such-user-pycapture")
    assert res.returncode == 1
    err = res.stderr.decode()
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        "pycapture: -Z no-such-user-pycapture: no such user; name an existing account (e.g. -Z nobody), "
        "or leave out -Z"
    )


def test_signal_after_the_drop_still_ends_the_capture_cleanly(live, nobody, nobodys_dir):
    """The user we became may not signal root's processes, but root may signal ours: SIGTERM still stops."""
    out = nobodys_dir / "t.pcap"
    cap = Capture(["-i", "lo", "-Z", "nobody", "-w", str(out), "udp port 9"])
    cap.proc.send_signal(signal.SIGTERM)
    code, _, err = cap.finish()
    assert code == 0 and "0 packets captured" in err
    assert out.stat().st_size == 24
