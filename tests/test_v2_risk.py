"""Spec §10.7 (risk): the objective blends the expected cost with the CVaR of the scenarios' costs.

The hand-worked example e12 of the spec, number by number; λ = 0 is the expected-cost plan; without
scenarios the objective is §6's; the independent checker catching a wrong ``cvar_usd``; the input
errors; in-place re-solves over ``risk.weight`` and ``risk.cvar_alpha`` against a full rebuild.
"""

from __future__ import annotations

import copy
import json

import pytest
from support.feasibility import assert_feasible, check_solution
from support.paths import EXAMPLES
from support.solving import solve_checked

import optimizer
from optimizer import InstanceError, load_instance
from optimizer.input.paths import set_path
from optimizer.prepare.risk import cvar
from optimizer.solve.resolve import Resolver

H = 8760.0  # USD per chip-year at 1 USD per chip-hour
E12 = json.loads((EXAMPLES / "e12_cvar_by_hand.json").read_text())
E08 = json.loads((EXAMPLES / "e08_cvar_c19.json").read_text())


def without(data: dict, key: str) -> dict:
    out = copy.deepcopy(data)
    out.pop(key)
    return out


def test_e12_by_hand() -> None:
    """10 chips in 2026 and 2027 ("lo"), 10 then 20 ("hi"): 1 USD per chip-hour, no discounting.

    C_lo = 20·8,760 = 175,200; C_hi = 30·8,760 = 262,800; expected = 219,000; CVaR(0.5) is the worst
    half of probability, "hi" alone: 262,800; weight 0.5: 0.5·219,000 + 0.5·262,800 = 240,900 USD.
    """
    c_lo, c_hi = 20 * H, 30 * H
    assert (c_lo, c_hi) == (175_200, 262_800)
    sol = solve_checked(E12)
    assert sol.status == optimizer.Status.OPTIMAL
    assert sol.expected_cost_usd == pytest.approx(0.5 * c_lo + 0.5 * c_hi, rel=1e-6)
    assert sol.cvar_usd == pytest.approx(c_hi, rel=1e-6)
    assert sol.objective_usd == pytest.approx(240_900, rel=1e-6)
    data = json.loads(sol.to_json())
    assert data["objective_usd"] == pytest.approx(0.5 * data["expected_cost_usd"] + 0.5 * data["cvar_usd"], rel=1e-9)


def test_cvar_by_sorting() -> None:
    """The expected cost of the worst 1 − α of probability, a partial scenario at the edge."""
    assert cvar([1.0, 2.0, 3.0], [0.2, 0.3, 0.5], 0.6) == pytest.approx(3.0)
    assert cvar([1.0, 2.0, 3.0], [0.2, 0.3, 0.5], 0.4) == pytest.approx((0.5 * 3 + 0.1 * 2) / 0.6)
    assert cvar([1.0, 2.0, 3.0], [0.2, 0.3, 0.5], 0.0) == pytest.approx(2.3)


@pytest.mark.parametrize("data", [E12, E08], ids=["e12", "e08"])
def test_weight_zero_is_the_expected_cost_plan(data: dict) -> None:
    plain = optimizer.solve(without(data, "risk"))
    sol = solve_checked(set_path(data, "risk.weight", 0))
    assert sol.objective_usd == pytest.approx(plain.objective_usd, rel=1e-7)
    assert sol.expected_cost_usd == pytest.approx(plain.objective_usd, rel=1e-7)
    assert sol.cvar_usd >= sol.expected_cost_usd - 1e-6


def test_weight_trades_expected_cost_for_cvar() -> None:
    """A higher weight never raises the CVaR and never lowers the expected cost (e08, from c19)."""
    low, high = (solve_checked(set_path(E08, "risk.weight", w)) for w in (0.0, 1.0))
    assert high.cvar_usd <= low.cvar_usd + 1e-3
    assert high.expected_cost_usd >= low.expected_cost_usd - 1e-3
    assert high.objective_usd == pytest.approx(high.cvar_usd, rel=1e-7)


def test_without_scenarios_the_objective_is_section_6() -> None:
    data = without(E12, "scenarios")
    plain = optimizer.solve(without(data, "risk"))
    sol = solve_checked(data)
    assert sol.objective_usd == pytest.approx(plain.objective_usd, rel=1e-9) == 20 * H
    assert sol.expected_cost_usd == pytest.approx(20 * H) and sol.cvar_usd == pytest.approx(20 * H)


def test_checker_catches_a_wrong_cvar() -> None:
    solution = json.loads(optimizer.solve(E12).to_json())
    assert check_solution(E12, solution).ok()
    wrong = dict(solution, cvar_usd=solution["cvar_usd"] * 1.01)
    violations = check_solution(E12, wrong).violations
    assert any(v.startswith("risk: solution cvar_usd") for v in violations), violations
    blend = dict(solution, objective_usd=solution["expected_cost_usd"])
    assert any(v.startswith("objective:") for v in check_solution(E12, blend).violations)
    missing = {k: v for k, v in solution.items() if k != "expected_cost_usd"}
    assert any("expected_cost_usd" in v for v in check_solution(E12, missing).violations)


@pytest.mark.parametrize(("risk", "message"), [
    ({"cvar_alpha": 1, "weight": 0.5}, "<instance>: risk.cvar_alpha: must be < 1, got 1"),
    ({"weight": 0.5}, "<instance>: risk.cvar_alpha: required field is missing"),
    ({"cvar_alpha": 0.5}, "<instance>: risk.weight: required field is missing"),
    ({"cvar_alpha": 0.5, "weight": 1.5}, "<instance>: risk.weight: must be <= 1, got 1.5"),
    ({"cvar_alpha": -0.1, "weight": 0.5}, "<instance>: risk.cvar_alpha: must be >= 0, got -0.1"),
])
def test_input_errors(risk: dict, message: str) -> None:
    with pytest.raises(InstanceError) as info:
        load_instance(dict(E12, risk=risk))
    assert str(info.value) == message


@pytest.mark.parametrize(("path", "values"), [("risk.weight", [0.25, 0.5, 0.0, 1.0]),
                                              ("risk.cvar_alpha", [0.5, 0.9, 0.0])])
def test_in_place_matches_rebuild(path: str, values: list) -> None:
    resolver = Resolver()
    first = resolver.solve(E08)
    assert not resolver.in_place
    for value in values:
        data = set_path(E08, path, value)
        fast = resolver.solve(data)
        assert resolver.in_place, resolver.reason
        ref = optimizer.solve(data)
        assert fast.objective_usd == pytest.approx(ref.objective_usd, rel=1e-7)
        assert_feasible(data, json.loads(fast.to_json()))  # expected cost and CVaR blend to the objective
        weight = data["risk"]["weight"]  # λ = 0 leaves the CVaR free among optima, λ = 1 the expected cost
        if weight > 0:
            assert fast.cvar_usd == pytest.approx(ref.cvar_usd, rel=1e-6)
        if weight < 1:
            assert fast.expected_cost_usd == pytest.approx(ref.expected_cost_usd, rel=1e-6)
    back = resolver.solve(E08)
    assert resolver.in_place and back.objective_usd == pytest.approx(first.objective_usd, rel=1e-9)


def test_adding_risk_rebuilds() -> None:
    resolver = Resolver()
    resolver.solve(without(E12, "risk"))
    sol = resolver.solve(E12)
    assert not resolver.in_place and resolver.reason.startswith("structure changed: risk")
    assert sol.objective_usd == pytest.approx(240_900, rel=1e-6)


def test_solution_folder_keeps_the_risk_figures(tmp_path) -> None:
    sol = optimizer.solve(E12)
    sol.write(tmp_path)
    back = optimizer.Solution.read(tmp_path)
    assert (back.expected_cost_usd, back.cvar_usd) == (sol.expected_cost_usd, sol.cvar_usd)
    assert "expected_cost_usd" not in json.loads(optimizer.solve(without(E12, "risk")).to_json())


def test_hedging_reports_both_cvars() -> None:
    from optimizer.analysis.hedging import value_of_hedging

    h = value_of_hedging(load_instance(E08))
    out = h.to_dict()
    assert out["stochastic_cvar_usd"] == pytest.approx(6074580906.008516, rel=1e-6)
    assert out["mean_plan_cvar_usd"] is not None


def test_existing_contracts_count_in_every_scenario_cost() -> None:
    """4 chips held from 2026-01 for 12 months (§10.3) replace 4 of the 10 signed in 2026: C_s is unchanged."""
    data = dict(E12, existing_contracts=[{"offer": "a-k-12", "chips": 4, "start": "2026-01"}])
    sol = solve_checked(data)
    assert sol.expected_cost_usd == pytest.approx(219_000, rel=1e-6)
    assert sol.cvar_usd == pytest.approx(262_800, rel=1e-6)
    assert sol.objective_usd == pytest.approx(240_900, rel=1e-6)


def test_sweep_over_the_weight() -> None:
    """``procure sweep INSTANCE --set risk.weight=0,0.25,0.5``: one run per weight, re-solved in place."""
    table = optimizer.sweep(EXAMPLES / "e08_cvar_c19.json", {"risk.weight": [0, 0.25, 0.5]}, workers=1, chunk=3)
    assert list(table.status) == ["optimal"] * 3
    assert table.in_place.tolist()[1:] == [True, True]
    assert table.objective_usd.iloc[-1] == pytest.approx(5300876018.268011, rel=1e-6)
    assert table.objective_usd.is_monotonic_increasing
