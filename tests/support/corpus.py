"""Facts about ../shared/corpus that its MANIFEST.tsv does not record."""

from __future__ import annotations

import csv

from support.env import CORPUS


def corpus_rows() -> list[dict[str, str]]:
    """The rows of ../shared/corpus/MANIFEST.tsv, or none where the corpus is absent (a user's clone)."""
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


# pcapng files whose Custom Blocks tshark counts as frames (MANIFEST's packets): how many. A custom block
# carries no packet: pycapture skips it, as libpcap does.
TSHARK_CUSTOM_BLOCKS = {
    "gopacket-be-test102.pcapng": 3,
    "gopacket-be-test202.pcapng": 3,
    "gopacket-le-test102.pcapng": 3,
    "gopacket-le-test202.pcapng": 3,
}

# Files libpcap reads only in part without an error, as tcpdump does: lines expected, and why.
PARTIAL_READS = {
    "gopacket-le-test018.pcapng": (
        4,
        "a second section header: libpcap 1.9 stops at the end of the first section",
    ),
}
