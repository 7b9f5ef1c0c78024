"""Shared test helpers: paths, and solving with the independent feasibility check on every plan."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from feasibility import assert_feasible
from hypothesis import HealthCheck, settings

import optimizer

# Hypothesis profiles for tests/test_properties.py. "ci" (the default) is bounded and reproducible;
# choose another with `--hypothesis-profile=long` or PROCURE_HYPOTHESIS=long.
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("dev", max_examples=100, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("long", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("PROCURE_HYPOTHESIS", "ci"))

ROOT = Path(__file__).resolve().parents[1]
INSTANCES = ROOT / "instances"
EXAMPLES = ROOT.parent / "shared" / "spec" / "examples"
EXPECTED: dict[str, dict[str, Any]] = (json.loads((EXAMPLES / "expected.json").read_text())
                                       if (EXAMPLES / "expected.json").exists() else {})
"""The spec examples' reference results (``expected.json``), by example name."""

SPEC_V2_PENDING = pytest.mark.xfail(strict=True, raises=optimizer.InstanceError,
                                    reason="spec v2 section 10 (existing contracts, supply, risk, ...) is issue 14")


def example_cases() -> list[Any]:
    """The spec examples by name, as pytest params; a v2 example (one with a ``feature``) is an
    expected failure until spec v2 is implemented (strict: it must fail, with an input error)."""
    return [pytest.param(case, marks=[SPEC_V2_PENDING] if "feature" in want else [])
            for case, want in sorted(EXPECTED.items())]


def solve_checked(instance: dict[str, Any] | Path, **options: Any) -> optimizer.Solution:
    """Solve and, when there is a plan, re-check it with the independent checker (C1–C13, objective).

    The checker reads only the instance JSON and the solution.json content, never the model.
    """
    data = json.loads(Path(instance).read_text()) if isinstance(instance, Path) else instance
    solution = optimizer.solve(data, optimizer.SolveOptions(**options))
    if solution.has_plan:
        assert_feasible(data, json.loads(solution.to_json()))
    return solution


@pytest.fixture
def examples_dir() -> Path:
    if not (EXAMPLES / "expected.json").exists():
        pytest.skip(f"the spec's examples are not at {EXAMPLES}")
    return EXAMPLES
