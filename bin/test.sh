#!/usr/bin/env bash
# Install what the tests need on a fresh machine, then run them: ruff, mypy, then pytest.
#   bash bin/test.sh [pytest arguments]
# Debian packages (tcpdump, tshark, ping, ip) are installed when missing and we are root; the Python
# packages go into .venv. Live-capture tests need root; with CI=true they run and never skip.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for pair in tcpdump:tcpdump tshark:tshark ping:iputils-ping ip:iproute2; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
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
.venv/bin/python -m pip install -q --disable-pip-version-check '.[test]'
.venv/bin/ruff check .
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
