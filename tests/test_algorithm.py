"""The LP method: ``auto`` is dual simplex (by measurement; a size rule for interior point stays, off).

With the size threshold lowered to 0, every spec example goes through interior point and must
still reach its reference objective with a plan the independent checker accepts; the in-place
re-solves that follow must start from the basis crossover left (simplex), not from scratch.
"""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import pytest
from support.feasibility import assert_feasible
from support.instances import shipped
from support.paths import EXPECTED, expected_mip
from support.solving import example_cases, solve_checked

import optimizer
from optimizer.input.paths import set_path
from optimizer.solve import highs
from optimizer.solve.resolve import Resolver


def _model(columns: int, mip: bool = False) -> SimpleNamespace:
    return SimpleNamespace(columns=range(columns), is_mip=mip)


@pytest.mark.parametrize(("columns", "mip", "warm", "want"), [
    (1_000, False, False, "ipm"),
    (999, False, False, "choose"),
    (1_000, True, False, "choose"),  # a MILP: HiGHS's branch and bound
    (1_000, False, True, "choose"),  # a re-solve from a basis: simplex
])
def test_auto_picks_by_size_and_state(columns: int, mip: bool, warm: bool, want: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(highs, "IPM_FROM_COLUMNS", 1_000)
    assert highs.highs_solver("auto", _model(columns, mip), warm) == want


def test_auto_is_dual_simplex_at_every_size() -> None:
    assert highs.highs_solver("auto", _model(10**8), warm=False) == "choose"


@pytest.mark.parametrize("algorithm", ["choose", "simplex", "ipm", "pdlp"])
def test_a_named_method_is_passed_to_highs(algorithm: str) -> None:
    assert highs.highs_solver(algorithm, _model(10**7), warm=False) == algorithm
    assert highs.highs_solver(algorithm, _model(1, mip=True), warm=True) == algorithm


def test_auto_is_the_default() -> None:
    assert optimizer.SolveOptions().algorithm == "auto"


@pytest.fixture
def ipm_everywhere(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Lower ``auto``'s threshold to 0 and record the HiGHS solver each solve gets."""
    chosen: list[str] = []
    real = highs.highs_solver

    def spy(algorithm: str, compiled, warm: bool) -> str:
        chosen.append(real(algorithm, compiled, warm))
        return chosen[-1]

    monkeypatch.setattr(highs, "IPM_FROM_COLUMNS", 0)
    monkeypatch.setattr(highs, "highs_solver", spy)
    return chosen


@pytest.mark.parametrize("case", example_cases())
def test_interior_point_reaches_the_reference_objectives(case: str, examples_dir, ipm_everywhere: list[str]) -> None:
    want = EXPECTED[case]
    solution = solve_checked(examples_dir / f"{case}.json", mip_gap=1e-9)
    if expected_mip(case) is not None:  # some v2 examples do not say
        assert ipm_everywhere[0] == ("choose" if expected_mip(case) else "ipm")
    assert str(solution.status) == want["status"]
    if want["objective_usd"] is not None:
        assert math.isclose(solution.objective_usd, want["objective_usd"], rel_tol=1e-6)


def test_re_solves_after_interior_point_start_from_its_basis(ipm_everywhere: list[str]) -> None:
    base = shipped("scenarios.json")
    resolver = Resolver()
    first = resolver.solve(base)
    assert first.status == optimizer.Status.OPTIMAL and not first.shadow_prices.empty  # duals from crossover
    for share in (0.5, 1.0):
        data = set_path(base, "diversification.max_share", share)
        fast = resolver.solve(data)
        assert resolver.in_place, resolver.reason
        assert fast.objective_usd == pytest.approx(optimizer.solve(data).objective_usd, rel=1e-7)
        assert_feasible(data, json.loads(fast.to_json()))
    # the first solve cold by interior point, the re-solves from its basis; the two references cold
    assert ipm_everywhere == ["ipm", "choose", "ipm", "choose", "ipm"]
