"""Where the tests find the project, its captures and the shared corpus, and whether they run in CI."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CAPTURES = ROOT / "captures"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
REPRO = SHARED / "repro"
SUPPORT = Path(__file__).resolve().parent
IN_CI = os.environ.get("CI", "").lower() == "true"
