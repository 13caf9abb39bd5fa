#!/usr/bin/env sh
# pycapture's counterpart of Pcap4J's capture.bat, which ran the GetNextPacketEx sample: capture a few
# packets with that sample's defaults and print them. Any argument is passed on (a BPF filter, -w FILE...).
#   COUNT=5 READ_TIMEOUT=10 SNAPLEN=65536 IFACE=auto bin/capture.sh [pycapture options] [filter]
# Live capture needs root or CAP_NET_RAW + CAP_NET_ADMIN.
here=$(dirname "$0")
if [ -x "$here/../.venv/bin/pycapture" ]; then
    pycapture="$here/../.venv/bin/pycapture"
else
    pycapture=pycapture
fi
exec "$pycapture" --if "${IFACE:-auto}" -c "${COUNT:-5}" --timeout-ms "${READ_TIMEOUT:-10}" \
    -s "${SNAPLEN:-65536}" "$@"
