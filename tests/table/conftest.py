"""What the table tests share: the files they read, and each file's table rows beside its --json records."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional

import pytest

pa = pytest.importorskip("pyarrow", reason="pycapture.table needs the table extra: pip install '.[table]'")

import pycapture  # noqa: E402
from pycapture.capture import backends  # noqa: E402
from pycapture.packet import frame_linktype  # noqa: E402
from pycapture.table import read_batches  # noqa: E402
from support.corpus import corpus_rows  # noqa: E402
from support.env import CAPTURES, CORPUS  # noqa: E402

# (rows as dicts, ts as nanoseconds, --json records, the error that ended the file or None)
Frames = tuple[list[dict[str, Any]], list[dict[str, Any]], Optional[Exception]]


@pytest.fixture(scope="session")
def capture_files() -> list[Path]:
    """The bundled captures."""
    return sorted(p for p in CAPTURES.iterdir() if p.suffix in (".pcap", ".pcapng"))


@pytest.fixture(scope="session")
def corpus_files() -> list[Path]:
    """The shared corpus's files, or none where it is absent (a user's clone)."""
    return [CORPUS / row["file"] for row in corpus_rows() if (CORPUS / row["file"]).is_file()]


def _frames(path: Path) -> Frames:
    rows: list[dict[str, Any]] = []
    error: Exception | None = None
    try:
        for batch in read_batches(str(path), batch_size=1000):
            at = batch.schema.get_field_index("ts")  # as nanoseconds: a datetime holds microseconds
            rows += batch.set_column(at, "ts", batch.column(at).cast(pa.int64())).to_pylist()
    except pycapture.PcapError as exc:
        error = exc
    records: list[dict[str, Any]] = []
    try:
        handle = backends.open_offline(str(path))  # tshark's reading of what libpcap refuses
    except pycapture.PcapError:
        return rows, records, error
    with handle:
        try:
            for number, (sec, frac, length, data) in enumerate(handle.records(), 1):
                linktype = frame_linktype(data, handle.datalink)  # a pcapng file may mix link types
                packet = pycapture.PcapPacket(bytes(data), sec, frac, length, linktype, handle.nanosecond)
                records.append(packet.to_dict(number))
        except pycapture.PcapError:
            pass
    return rows, records, error


_CACHE: dict[Path, Frames] = {}


@pytest.fixture(scope="session")
def frames() -> Callable[[Path], Frames]:
    """``frames(path)``: the file's table rows, its --json records and the error that ended it (cached)."""

    def get(path: Path) -> Frames:
        if path not in _CACHE:
            _CACHE[path] = _frames(path)
        return _CACHE[path]

    return get
