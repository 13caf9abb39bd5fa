"""BaseHandle: the facts, the count, the break request and the ``with`` block that all handles share."""

from __future__ import annotations

import pytest

from pycapture.capture.backends import dpkt_file, scapy_libpcap
from pycapture.capture.handle import PcapHandle, open_offline
from pycapture.capture.source import BaseHandle
from support.env import CAPTURES

SAMPLE = str(CAPTURES / "dns.pcap")


class _Handle(BaseHandle):
    closes = 0

    def close(self) -> None:
        self.closes += 1


def _handle() -> _Handle:
    return _Handle(source="x.pcap", live=False, datalink=1, snapshot=262144, nanosecond=True)


@pytest.mark.parametrize("cls", [PcapHandle, scapy_libpcap.ScapyHandle, dpkt_file.FileHandle])
def test_every_backend_handle_is_one(cls: type) -> None:
    assert issubclass(cls, BaseHandle)


@pytest.mark.parametrize("opener", [open_offline, scapy_libpcap.open_offline, dpkt_file.open_offline])
def test_every_backend_sets_the_facts_of_its_capture(opener) -> None:
    with opener(SAMPLE) as handle:
        assert (handle.source, handle.live, handle.datalink, handle.nanosecond, handle.warnings) == (
            SAMPLE,
            False,
            1,
            False,
            (),
        )
        assert handle.snapshot > 0 and handle.captured == 0 and not handle.break_requested
        assert sum(1 for _ in handle.records()) == handle.captured > 0


def test_the_facts_as_given_the_count_and_the_request_clear() -> None:
    handle = _handle()
    assert (handle.source, handle.live, handle.datalink, handle.snapshot, handle.nanosecond) == (
        "x.pcap",
        False,
        1,
        262144,
        True,
    )
    assert handle.warnings == () and handle.captured == 0 and not handle.break_requested
    assert {"captured", "_break"} <= set(vars(handle))  # on the instance: the read loops use them per packet
    assert isinstance(handle, BaseHandle)


def test_a_break_request_is_honoured_once() -> None:
    handle = _handle()
    assert not handle._honour_break()
    handle._break = True  # as break_loop() sets it
    assert handle.break_requested
    assert handle._honour_break()
    assert not handle.break_requested and not handle._honour_break()


def test_handles_are_equal_to_themselves_only() -> None:
    one, other = _handle(), _handle()
    assert one != other
    assert len({one, other}) == 2


def test_the_with_block_closes_the_handle_and_gives_it() -> None:
    handle = _handle()
    with handle as same:
        assert same is handle and handle.closes == 0
    assert handle.closes == 1


def test_a_handle_must_say_how_it_closes() -> None:
    with pytest.raises(TypeError):
        BaseHandle(source="x", live=False, datalink=1, snapshot=0, nanosecond=False)  # type: ignore[abstract]
