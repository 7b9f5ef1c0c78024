"""Solving in tests: every plan re-checked by the independent checker; solved plan folders; the spec examples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import optimizer

from .feasibility import assert_feasible
from .paths import EXPECTED


def example_cases() -> list[str]:
    """The spec examples by name."""
    return sorted(EXPECTED)


def solve_checked(instance: dict[str, Any] | Path, **options: Any) -> optimizer.Solution:
    """Solve and, when there is a plan, re-check it with the independent checker (C1–C13, objective).

    The checker reads only the instance JSON and the solution.json content, never the model.
    """
    data = json.loads(Path(instance).read_text()) if isinstance(instance, Path) else instance
    solution = optimizer.solve(data, optimizer.SolveOptions(**options))
    if solution.has_plan:
        assert_feasible(data, json.loads(solution.to_json()))
    return solution


def solved(folder: Path, source: dict | Path) -> optimizer.Solution:
    """Solve and write the plan into ``folder``."""
    solution = optimizer.solve(source)
    solution.write(folder)
    return solution


def assert_in_place_matches_rebuild(base: dict[str, Any], path: str, values: list[Any], *, rel: float = 1e-7) -> None:
    """Set each value at ``path`` in turn and re-solve in place: the same status and objective as a
    rebuild, and a plan the independent checker accepts; going back to ``base`` re-solves in place too."""
    from optimizer.input.paths import set_path
    from optimizer.solve.resolve import Resolver

    resolver = Resolver()
    first = resolver.solve(base)
    assert not resolver.in_place and first.status == optimizer.Status.OPTIMAL
    for value in values:
        data = set_path(base, path, value)
        fast = resolver.solve(data)
        assert resolver.in_place, resolver.reason
        ref = optimizer.solve(data, explain_infeasible=False)
        assert fast.status == ref.status
        if ref.has_plan:
            assert fast.objective_usd == pytest.approx(ref.objective_usd, rel=rel)
            assert_feasible(data, json.loads(fast.to_json()))
    back = resolver.solve(base)
    assert resolver.in_place and back.objective_usd == pytest.approx(first.objective_usd, rel=1e-9)
