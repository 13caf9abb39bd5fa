"""pycapture's -v dump beside Pcap4J's own, block by block, over ../shared/corpus and captures/.

``../shared/pcap4j/pcap4j-dump`` runs unmodified Pcap4J 2.0.0-alpha.6 (its GetNextPacketEx sample, read
offline). Every packet's block must be the same text, except where pcap4j_expected_differences.tsv (next
to this file) lists it with its cause: a fault of Pcap4J's, a protocol pycapture decodes beyond Pcap4J,
or a difference still open. A difference not listed fails, and so do a listed one that no longer occurs
and one whose cause (found from its first differing line by support.pcap4j_witness.CAUSES) changed.
"""

from __future__ import annotations

from support.commands import needs
from support.corpus import corpus_rows
from support.expected import read_expected, unlisted_rows
from support.pcap4j_witness import (
    CAUSES,
    EXPECTED,
    OPEN_CAUSE,
    cause_of,
    conformance_text,
    differing_blocks,
    first_difference,
    witness_missing,
)


def test_every_listed_cause_has_a_reason_and_a_difference() -> None:
    causes, listed = read_expected(EXPECTED)
    assert set(listed.values()) == set(causes)
    assert set(causes) <= {name for name, _reason, _matches in CAUSES} | {OPEN_CAUSE}


def test_causes_are_told_by_the_first_differing_line() -> None:
    assert first_difference("a\nb\n", "a\nc\n") == ("b", "c")
    assert first_difference("a\n", "a\nb\n") == ("<end>", "b")
    assert cause_of("x\n[GRE Header (4 bytes)]\n", "x\n[data (20 bytes)]\n") == "beyond-pcap4j"
    assert cause_of("x\n", "!!EXC-toString java.lang.IllegalArgumentException\n") == "pcap4j-exception"
    assert cause_of("x\n  TTL: 1\n", "x\n  TTL: 2\n") == OPEN_CAUSE


def test_the_dump_is_pcap4js_but_for_the_expected_differences() -> None:
    missing = witness_missing()
    needs(missing is None, str(missing))
    differing, total = differing_blocks()
    _causes, listed = read_expected(EXPECTED)
    assert total > 20000 or not corpus_rows()
    found = set(differing)
    assert found <= listed.keys(), "differences not in pcap4j_expected_differences.tsv:\n" + unlisted_rows(
        found, listed
    )
    gone = sorted(listed.keys() - found)
    assert not gone, f"listed in pcap4j_expected_differences.tsv but now the same as Pcap4J's: {gone}"
    changed = sorted(
        key for key, (ours, theirs) in differing.items() if cause_of(ours, theirs) != listed.get(key)
    )
    assert not changed, f"packets whose difference has another cause than the one listed: {changed}"
    print(conformance_text(differing, total))
