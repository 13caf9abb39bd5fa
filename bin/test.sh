#!/usr/bin/env bash
# Install what the tests need on a fresh machine, then run them: ruff, mypy, then pytest.
#   bash bin/test.sh [pytest arguments]
# Debian packages (tcpdump, tshark, tcpflow, ping, ip, Java and the jars Pcap4J needs) are installed when missing and we are root; the Python
# packages go into .venv. Live-capture tests need root; with CI=true they run and never skip.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for pair in tcpdump:tcpdump tshark:tshark tcpflow:tcpflow ping:iputils-ping ip:iproute2 javac:openjdk-17-jdk-headless; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
# What ../shared/pcap4j/pcap4j-dump (unmodified Pcap4J, the witness of -v) loads besides java
for pair in /usr/share/java/jna.jar:libjna-java /usr/share/java/slf4j-api.jar:libslf4j-java; do
    [[ -e ${pair%%:*} ]] || missing+=("${pair#*:}")
done
/sbin/ldconfig -p 2>/dev/null | grep -q 'libpcap\.so\.0\.8 ' || missing+=(libpcap0.8)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
if ((${#missing[@]})); then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        echo "bin/test.sh: installing ${missing[*]}" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "bin/test.sh: not installed: ${missing[*]}; the tests that need them are skipped" >&2
    fi
fi

[[ -x .venv/bin/python ]] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check '.[test,table,spark]'
.venv/bin/ruff check .
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
