"""captures/ is what captures/generate.py writes, byte for byte: nothing stale, nothing hand-edited."""

from __future__ import annotations

import importlib.util

from support.env import CAPTURES


def _generate():
    spec = importlib.util.spec_from_file_location("generate", CAPTURES / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_sample_is_what_generate_py_writes() -> None:
    written = _generate().files()
    on_disk = sorted(p.name for p in CAPTURES.iterdir() if p.suffix in (".pcap", ".pcapng"))
    assert sorted(written) == on_disk
    for name, (_count, data) in written.items():
        assert (CAPTURES / name).read_bytes() == data, name


def test_generate_py_is_deterministic() -> None:
    generate = _generate()
    assert generate.files() == generate.files()


def test_the_pcapng_and_nanosecond_samples_hold_mixed_pcaps_packets() -> None:
    generate = _generate()
    mixed = generate.build()["mixed.pcap"]
    written = generate.files()
    assert written["mixed.pcapng"][0] == written["mixed-nano.pcap"][0] == len(mixed) == 29
