"""The spec's public examples reach their reference objectives, and every plan passes the checker."""

from __future__ import annotations

import json
import math

import pytest
from conftest import EXAMPLES, solve_checked

EXPECTED = json.loads((EXAMPLES / "expected.json").read_text()) if (EXAMPLES / "expected.json").exists() else {}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_reference_objective(case: str, examples_dir) -> None:
    want = EXPECTED[case]
    solution = solve_checked(examples_dir / f"{case}.json", mip_gap=1e-9)
    assert str(solution.status) == want["status"]
    if want["objective_usd"] is None:
        assert solution.objective_usd is None
        assert solution.diagnosis, "an infeasible example must come with a diagnosis"
    else:
        assert math.isclose(solution.objective_usd, want["objective_usd"], rel_tol=1e-6)
        assert solution.is_mip == want["mip"]


def test_examples_are_all_here(examples_dir) -> None:
    assert len(EXPECTED) == 13
