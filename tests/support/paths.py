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

MIP_BY_SPEC: dict[str, bool] = {"e13_max_providers_by_hand": True}
"""Examples whose ``mip`` flag in expected.json contradicts the spec. e13 limits a workload to one of two
providers that could each serve it: spec §10.5 makes that a binary ``y[w, p]`` per provider ("(a MILP)"),
yet expected.json says ``"mip": false`` (as for every hand-worked example e10–e16); its objective stands."""


def expected_mip(case: str) -> bool | None:
    """Whether the example's model is a MILP (None where expected.json does not say)."""
    return MIP_BY_SPEC.get(case, EXPECTED.get(case, {}).get("mip"))
