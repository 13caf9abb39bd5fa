#!/usr/bin/env sh
# pycapture's counterpart of Pcap4J's capture.bat, which ran the GetNextPacketEx sample: capture a few
# packets with that sample's defaults and print each layer by layer (-v, the sample's dump), then the
# statistics. Any argument is passed on (a BPF filter, -w FILE, --backend NAME...). bin/capture.bat is
# the same for Windows.
#   COUNT=5 READ_TIMEOUT=10 SNAPLEN=65536 IFACE=auto bin/capture.sh [pycapture options] [filter]
# Live capture needs root or CAP_NET_RAW + CAP_NET_ADMIN.
here=$(dirname "$0")
if [ -x "$here/../.venv/bin/pycapture" ]; then
    pycapture="$here/../.venv/bin/pycapture"
else
    pycapture=pycapture
fi
exec "$pycapture" --if "${IFACE:-auto}" -c "${COUNT:-5}" --timeout-ms "${READ_TIMEOUT:-10}" \
    -s "${SNAPLEN:-65536}" -v "$@"
