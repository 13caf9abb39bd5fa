"""The hypothesis settings of the fuzz targets: a few seconds each in CI, as long as asked for elsewhere.

``PYCAPTURE_FUZZ_EXAMPLES=N`` runs every target for N examples (e.g. 20000 for a long hunt); a failing
example is printed with a reproduction blob, and becomes an ``@example`` in its test once fixed.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from support.env import IN_CI


def fuzz(ci_examples: int, local_examples: int | None = None) -> settings:
    """Settings for a fuzz target: ``ci_examples`` under CI=true, more (or $PYCAPTURE_FUZZ_EXAMPLES) here."""
    wanted = os.environ.get("PYCAPTURE_FUZZ_EXAMPLES", "").strip()
    if wanted.isdigit():
        examples = int(wanted)
    else:
        examples = ci_examples if IN_CI else (local_examples or ci_examples * 3)
    return settings(
        max_examples=examples,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
