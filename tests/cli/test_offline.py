"""The command on saved captures: lines, counts, filters, -w, stdin, pipes, and every error path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pcapy
import pytest

from support.commands import run_cli, tool
from support.env import CAPTURES
from support.hostile import udp_frame, write_pcap


@pytest.fixture
def ten_udp(tmp_path):
    path = tmp_path / "ten.pcap"
    write_pcap(path, [udp_frame(i) for i in range(10)])
    return path


def _utc() -> dict[str, str]:
    return {**os.environ, "TZ": "UTC"}


def no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr


def test_reads_every_packet_one_line_each(ten_udp):
    res = run_cli("-r", str(ten_udp), env=_utc())
    assert res.returncode == 0
    lines = res.stdout.decode().splitlines()
    assert len(lines) == 10
    assert lines[0] == "03:04:05.000000 IP 192.0.2.1.40000 > 192.0.2.2.9999: UDP, length 5"
    assert lines[9].startswith("03:04:14.000009 IP 192.0.2.1.40009 > 192.0.2.2.9999: UDP")
    err = res.stderr.decode()
    assert "reading from file" in err and "EN10MB (Ethernet)" in err
    assert "10 packets captured" in err
    no_traceback(err)


def test_count_stops_early(ten_udp):
    res = run_cli("-r", str(ten_udp), "-c", "3")
    assert res.returncode == 0
    assert len(res.stdout.decode().splitlines()) == 3
    assert "3 packets captured" in res.stderr.decode()


def test_filter_as_trailing_words(ten_udp):
    res = run_cli("-r", str(ten_udp), "udp", "src", "port", "40004")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.decode().splitlines()
    assert len(lines) == 1 and "192.0.2.1.40004 >" in lines[0]


def test_reads_stdin(ten_udp):
    res = run_cli("-r", "-", stdin=ten_udp.read_bytes())
    assert res.returncode == 0, res.stderr
    assert len(res.stdout.decode().splitlines()) == 10


def test_write_then_read_back_keeps_packets_lengths_and_times(ten_udp, tmp_path):
    out = tmp_path / "out.pcap"
    res = run_cli("-r", str(ten_udp), "-w", str(out), "-c", "7")
    assert res.returncode == 0, res.stderr
    assert res.stdout == b""  # like tcpdump, -w alone prints no packet lines
    original = pcapy.open_offline(str(ten_udp))
    copy = pcapy.open_offline(str(out))
    for _ in range(7):
        (h1, d1), (h2, d2) = original.next(), copy.next()
        assert (h1.getts(), h1.getlen(), d1) == (h2.getts(), h2.getlen(), d2)
    assert copy.next()[0] is None


def test_write_keeps_original_length_of_truncated_packets(tmp_path):
    src = tmp_path / "snapped.pcap"
    write_pcap(src, [udp_frame(0)], origlen_extra=100)
    out = tmp_path / "out.pcap"
    assert run_cli("-r", str(src), "-w", str(out)).returncode == 0
    hdr, data = pcapy.open_offline(str(out)).next()
    assert hdr.getlen() == len(data) + 100


def test_written_file_is_read_by_tcpdump(ten_udp, tmp_path):
    tcpdump = tool("tcpdump")
    out = tmp_path / "out.pcap"
    assert run_cli("-r", str(ten_udp), "-w", str(out)).returncode == 0
    theirs = subprocess.run([tcpdump, "-n", "-r", str(out)], capture_output=True, text=True, env=_utc())
    assert theirs.returncode == 0
    ours = run_cli("-r", str(out), env=_utc()).stdout.decode()
    assert ours.splitlines() == theirs.stdout.splitlines()


def test_write_to_stdout_pipes_into_a_reader(ten_udp):
    first = run_cli("-r", str(ten_udp), "-w", "-")
    assert first.returncode == 0
    second = run_cli("-r", "-", stdin=first.stdout)
    assert len(second.stdout.decode().splitlines()) == 10


def test_print_with_write(ten_udp, tmp_path):
    res = run_cli("-r", str(ten_udp), "-w", str(tmp_path / "o.pcap"), "--print")
    assert len(res.stdout.decode().splitlines()) == 10


def test_broken_pipe_ends_quietly(tmp_path):
    big = tmp_path / "big.pcap"
    write_pcap(big, [udp_frame(i % 100) for i in range(20000)])
    pipeline = subprocess.run(
        f"{sys.executable} -m pycapture -r {big} | head -n 2",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert len(pipeline.stdout.splitlines()) == 2
    no_traceback(pipeline.stderr)
    assert "BrokenPipe" not in pipeline.stderr


def test_sample_captures_in_the_repository():
    samples = sorted(CAPTURES.glob("*.pcap"))
    assert samples, "captures/ holds the project's own sample captures"
    for sample in samples:
        res = run_cli("-r", str(sample))
        assert res.returncode == 0, (sample, res.stderr)
        assert res.stdout.strip(), sample
        no_traceback(res.stderr.decode())


# --- errors: one line, the cause and the fix, exit 1 (2 for usage), no traceback --------------------


def one_error_line(res: subprocess.CompletedProcess) -> str:
    err = res.stderr.decode()
    no_traceback(err)
    errors = [line for line in err.splitlines() if line.startswith("pycapture: ") and ";" in line]
    assert len(errors) == 1, err
    return errors[0]


def test_missing_file(tmp_path):
    res = run_cli("-r", str(tmp_path / "nope.pcap"))
    assert res.returncode == 1
    line = one_error_line(res)
    assert "No such file or directory" in line and "-r" in line


def test_not_a_capture_file(tmp_path):
    bogus = tmp_path / "bogus.pcap"
    bogus.write_bytes(b"this is not a capture file at all\n" * 4)
    res = run_cli("-r", str(bogus))
    assert res.returncode == 1
    assert "unknown file format" in one_error_line(res)


def test_truncated_file_prints_packets_before_the_damage(ten_udp, tmp_path):
    cut = tmp_path / "cut.pcap"
    data = ten_udp.read_bytes()
    cut.write_bytes(data[: len(data) - 20])  # the last record loses its tail
    res = run_cli("-r", str(cut))
    assert res.returncode == 1
    assert len(res.stdout.decode().splitlines()) == 9
    assert "truncated" in one_error_line(res)
    assert "9 packets captured" in res.stderr.decode()


def test_truncated_file_written_with_w_keeps_packets_before_the_damage(ten_udp, tmp_path):
    cut = tmp_path / "cut.pcap"
    data = ten_udp.read_bytes()
    cut.write_bytes(data[: len(data) - 20])
    out = tmp_path / "out.pcap"
    res = run_cli("-r", str(cut), "-w", str(out))
    assert res.returncode == 1
    assert len(run_cli("-r", str(out)).stdout.decode().splitlines()) == 9


def test_bad_filter(ten_udp):
    res = run_cli("-r", str(ten_udp), "udp", "prot", "53")
    assert res.returncode == 1
    line = one_error_line(res)
    assert "filter" in line and "pcap-filter" in line


def test_unwritable_output(ten_udp, tmp_path):
    res = run_cli("-r", str(ten_udp), "-w", str(tmp_path / "no" / "such" / "dir.pcap"))
    assert res.returncode == 1
    assert "No such file or directory" in one_error_line(res)


def test_no_such_interface():
    res = run_cli("-i", "nosuchif0", "-c", "1")
    assert res.returncode == 1
    line = one_error_line(res)
    assert "nosuchif0" in line and "-D" in line


def test_usage_error_exits_2():
    res = run_cli("-c", "zero")
    assert res.returncode == 2
    no_traceback(res.stderr.decode())
    assert run_cli("-i", "lo", "-r", "x.pcap").returncode == 2


def test_version_names_every_component():
    res = run_cli("--version")
    assert res.returncode == 0
    out = res.stdout.decode()
    for word in ("pycapture", "libpcap version", "pcapy-ng", "dpkt"):
        assert word in out


def test_module_and_console_script_agree(ten_udp):
    script = shutil.which("pycapture", path=os.path.dirname(sys.executable))
    assert script, "the console script is installed beside the interpreter"
    res = subprocess.run([script, "-r", str(ten_udp)], capture_output=True, timeout=60)
    assert res.stdout == run_cli("-r", str(ten_udp)).stdout


@pytest.mark.parametrize("sequence", [[], ["-S"]], ids=["relative", "absolute"])
@pytest.mark.parametrize("sample", sorted(p.name for p in CAPTURES.glob("*.pcap")))
def test_sample_captures_print_what_tcpdump_prints(sample, sequence):
    """Line for line as tcpdump -n, with relative TCP sequence numbers and with -S: TCP, UDP, DNS, HTTP,
    ICMP, ARP, IPv6."""
    tcpdump = tool("tcpdump")
    path = str(CAPTURES / sample)
    command = [tcpdump, *sequence, "-n", "-r", path]
    theirs = subprocess.run(command, capture_output=True, text=True, env=_utc())
    ours = run_cli(*sequence, "-r", path, env=_utc())
    assert ours.returncode == 0
    assert ours.stdout.decode().splitlines() == theirs.stdout.splitlines()


def test_dns_and_http_summaries():
    lines = run_cli("-r", str(CAPTURES / "mixed.pcap"), env=_utc()).stdout.decode().splitlines()
    assert any(line.endswith(": 6699+ A? example.com. (29)") for line in lines)
    assert any(line.endswith(": 6700 1/0/0 AAAA 2001:db8:2::20 (57)") for line in lines)
    assert any(line.endswith("length 84: HTTP: GET / HTTP/1.1") for line in lines)


@pytest.mark.parametrize("options", ["-e", "-x", "-xx", "-X", "-XX", "-t", "-tt", "-ttt", "-tttt", "-ttttt",
                                     "-e -X", "-e -tt -XX"])  # fmt: skip
def test_output_options_print_what_tcpdump_prints(options):
    tcpdump = tool("tcpdump")
    path = str(CAPTURES / "mixed.pcap")
    args = options.split()
    theirs = subprocess.run([tcpdump, "-n", *args, "-r", path], capture_output=True, text=True, env=_utc())
    ours = run_cli(*args, "-r", path, env=_utc())
    assert ours.returncode == 0
    assert ours.stdout.decode().splitlines() == theirs.stdout.splitlines()
