"""Captures as Arrow tables (issue 17): :func:`read_batches`, :func:`read_table`, :data:`SCHEMA`.

Needs pyarrow, from the table extra: ``pip install '.[table]'``. Nothing else in pycapture imports this
package, so the base install never needs pyarrow. The schema and its rules are in docs/TABLE.md.
"""

from __future__ import annotations

try:
    import pyarrow  # noqa: F401 - only to fail early, with the install hint
except ImportError as exc:
    raise ImportError(
        "pycapture.table needs pyarrow, which comes with the table extra: pip install '.[table]' "
        "(or pip install 'pycapture[table]')"
    ) from exc

from .community_id import community_id
from .prefetch import prefetched
from .reader import read_batches, read_range, read_table
from .schema import COLUMNS, SCHEMA, SCHEMA_COLUMNS, Column

__all__ = [
    "COLUMNS",
    "SCHEMA",
    "SCHEMA_COLUMNS",
    "Column",
    "community_id",
    "prefetched",
    "read_batches",
    "read_range",
    "read_table",
]
