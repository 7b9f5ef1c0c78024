"""Where things are: the repository, the shipped instances, the spec's examples and their results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
INSTANCES = ROOT / "instances"
DATA = ROOT / "tests" / "data"
EXAMPLES = ROOT.parent / "shared" / "spec" / "examples"
EXPECTED: dict[str, dict[str, Any]] = (json.loads((EXAMPLES / "expected.json").read_text())
                                       if (EXAMPLES / "expected.json").exists() else {})
"""The spec examples' reference results (``expected.json``), by example name."""
