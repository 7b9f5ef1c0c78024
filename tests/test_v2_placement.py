"""Spec §10.5: ``workloads[].max_providers``, how many clouds a workload may span.

The hand-worked example e13 of the spec, reproduced number by number; one placement for all
scenarios; nothing built where the limit cannot bind; the independent checker catching a plan that
spans too many providers; the input errors; the diagnosis naming the limit; in-place re-solves that
change ``max_providers`` (or rebuild), against a full rebuild.
"""

from __future__ import annotations

import copy
import json

import pytest
from support.feasibility import assert_feasible, check_solution
from support.instances import E13
from support.solving import assert_in_place_matches_rebuild, solve_checked

import optimizer
from optimizer import InstanceError, diagnose, load_instance, prepare
from optimizer.input.paths import set_path
from optimizer.model import build_model
from optimizer.solve.resolve import Resolver

H = 8760.0

#: Three clouds: a ($1, 5 MW), b ($2, 8 MW), c ($3, 100 MW); 10 chips needed each year.
THREE: dict = {
    "name": "three_clouds", "horizon": {"start_year": 2026, "years": 2},
    "providers": [{"id": "a", "power_mw": 5}, {"id": "b", "power_mw": 8}, {"id": "c", "power_mw": 100}],
    "chips": [{"id": "k", "power_kw": 1000, "perf": {"pf": 1}}],
    "offers": [{"id": f"{p}-k", "provider": p, "chip": "k", "term_months": 12, "price_per_chip_hour": price}
               for p, price in (("a", 1), ("b", 2), ("c", 3))],
    "workloads": [{"id": "w", "metric": "pf", "demand": {"series": [10, 10]}, "max_providers": 2}],
}


def e13(**workload) -> dict:
    """e13 with the workload's fields changed (None leaves a field out)."""
    data = copy.deepcopy(E13)
    data["workloads"][0].update(workload)
    return {**data, "workloads": [{k: v for k, v in data["workloads"][0].items() if v is not None}]}


def without_limit(data: dict) -> dict:
    out = copy.deepcopy(data)
    del out["workloads"][0]["max_providers"]
    return out


def serving(solution: optimizer.Solution) -> set[str]:
    return set(solution.allocation.provider)


# --- e13 by hand --------------------------------------------------------------------------------


def test_e13_by_hand() -> None:
    # a holds at most 5 chips, so with one provider all 10 chips go to b at $2 a chip-hour, both years.
    solution = solve_checked(E13, mip_gap=1e-9)
    assert solution.status == optimizer.Status.OPTIMAL
    assert solution.objective_usd == pytest.approx(10 * 2 * H * 2, rel=1e-6, abs=1e-6)  # 350,400 USD
    assert solution.objective_usd == pytest.approx(350_400.0, rel=1e-9)
    assert serving(solution) == {"b"} and solution.providers_used == ["b"]
    assert solution.allocation.chips.tolist() == pytest.approx([10.0, 10.0])
    assert solution.is_mip
    assert json.loads(solution.to_json())["placement"] == [{"workload": "w", "provider": "b"}]


def test_without_the_limit_the_cheap_cloud_serves_half() -> None:
    # 5 chips at a ($1) and 5 at b ($2) each year: (5 + 10) * 8,760 * 2 = 262,800 USD.
    solution = solve_checked(e13(max_providers=None))
    assert solution.objective_usd == pytest.approx((5 * 1 + 5 * 2) * H * 2, rel=1e-9)
    assert serving(solution) == {"a", "b"}
    assert not solution.is_mip and "placement" not in json.loads(solution.to_json())


def test_a_limit_that_cannot_bind_builds_nothing() -> None:
    # Two providers and max_providers 2: every plan meets it, so no y and no row (still an LP).
    solution = solve_checked(e13(max_providers=2))
    assert solution.objective_usd == pytest.approx(262_800.0, rel=1e-9)
    assert not solution.is_mip
    built = build_model(prepare(load_instance(e13(max_providers=2))))
    assert len(built.model.y) == len(built.model.placement_link) == len(built.model.placement_count) == 0


def test_only_allowed_providers_get_a_switch() -> None:
    # With "providers": ["a", "b"] of three, max_providers 2 cannot bind either.
    data = set_path(THREE, "workloads[0].providers", ["a", "b"])
    assert build_model(prepare(load_instance(data))).is_mip is False
    built = build_model(prepare(load_instance(set_path(data, "workloads[0].max_providers", 1))))
    assert sorted(built.model.y) == [(0, 0), (0, 1)]


def test_three_clouds_by_hand() -> None:
    # k = 2: a (5 chips, $1) and b (5 chips, $2); k = 1: only c holds 10 chips, at $3.
    two = solve_checked(THREE)
    assert two.objective_usd == pytest.approx((5 * 1 + 5 * 2) * H * 2, rel=1e-9)
    assert serving(two) == {"a", "b"}
    one = solve_checked(set_path(THREE, "workloads[0].max_providers", 1))
    assert one.objective_usd == pytest.approx(10 * 3 * H * 2, rel=1e-9)
    assert serving(one) == {"c"}


def test_one_placement_for_every_scenario() -> None:
    # Low demand (5 chips) fits a; high demand (10) does not. With one provider for all scenarios,
    # both go to b: 0.5 * (5 + 10) * 2 * 8,760 * 2 = 262,800 USD (a per-scenario choice would pay less).
    data = {**copy.deepcopy(E13), "scenarios": {"first_stage_years": 0, "cases": [
        {"id": "low", "probability": 0.5, "demand_multiplier": {"w": 0.5}},
        {"id": "high", "probability": 0.5}]}}
    solution = solve_checked(data)
    assert solution.objective_usd == pytest.approx(0.5 * (5 + 10) * 2 * H * 2, rel=1e-9)
    assert serving(solution) == {"b"}
    free = solve_checked(without_limit(data))  # low: 5 at a; high: 5 at a and 5 at b
    assert free.objective_usd == pytest.approx(0.5 * 5 * 1 * H * 2 + 0.5 * (5 * 1 + 5 * 2) * H * 2, rel=1e-9)


def test_the_placement_count_has_a_price_and_the_duals_note() -> None:
    solution = optimizer.solve(E13)
    rows = solution.binding[solution.binding.limit == "placement"]
    assert len(rows) == 1 and rows.unit.iloc[0] == "providers"
    assert rows.price_unit.iloc[0] == "USD per provider"
    assert "integer decisions fixed" in solution.duals_note


# --- the independent checker --------------------------------------------------------------------


def test_checker_catches_a_plan_that_spans_too_many_providers() -> None:
    free = json.loads(solve_checked(e13(max_providers=None)).to_json())  # served by a and b
    report = check_solution(E13, free)
    assert report.violations == ["§10.5 max providers w (workloads[0].max_providers): served by 2 providers "
                                 "['a', 'b'] > 1"], report.violations
    assert check_solution(e13(max_providers=2), free).ok()


def test_checker_catches_a_placement_table_that_leaves_out_a_provider() -> None:
    plan = json.loads(optimizer.solve(E13).to_json())
    plan["placement"] = [{"workload": "w", "provider": "a"}]
    assert check_solution(E13, plan).violations == ["§10.5 placement w: served by ['b'] but placed at ['a']"]


# --- input errors ------------------------------------------------------------------------------

ERRORS = [
    (e13(max_providers=0), "<instance>: workloads[0].max_providers: must be >= 1, got 0"),
    (e13(max_providers=-2), "<instance>: workloads[0].max_providers: must be >= 1, got -2"),
    (e13(max_providers=1.5), "<instance>: workloads[0].max_providers: expected an integer, got 1.5"),
    (e13(max_providers="1"), "<instance>: workloads[0].max_providers: expected an integer, got a string"),
    (e13(max_providers=True), "<instance>: workloads[0].max_providers: expected an integer, got true"),
    (e13(max_provider=1), "<instance>: workloads[0].max_provider: unknown field 'max_provider'; did you mean "
                          "'max_providers'?"),
]


@pytest.mark.parametrize(("data", "message"), ERRORS, ids=[m.split(": ")[2][:24] for _, m in ERRORS])
def test_input_errors(data: dict, message: str) -> None:
    with pytest.raises(InstanceError) as error:
        load_instance(data)
    assert str(error.value) == message


def test_an_integral_float_is_accepted() -> None:
    assert load_instance(e13(max_providers=1.0)).workloads[0].max_providers == 1


def test_input_error_on_the_command_line(runner, write_instance) -> None:
    from cli import app

    result = runner.invoke(app, ["solve", str(write_instance(e13(max_providers=0)))])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "workloads[0].max_providers: must be >= 1, got 0" in lines[0]


# --- diagnosis ---------------------------------------------------------------------------------


def test_diagnosis_names_max_providers() -> None:
    # 15 chips a year, 5 MW at each of three clouds: only all three together hold them.
    data = set_path(set_path(THREE, "providers[1].power_mw", 5), "providers[2].power_mw", 5)
    data = set_path(data, "workloads[0].demand.series", [15, 15])
    (finding,) = diagnose(prepare(load_instance(data)))
    assert (finding.limit, finding.path, finding.unit) == ("placement_count", "workloads[0].max_providers",
                                                           "providers")
    assert finding.amount == pytest.approx(1)
    assert finding.message == "workloads[0].max_providers (w): needs 1 more provider"
    solution = optimizer.solve(data)
    assert solution.status == optimizer.Status.INFEASIBLE
    assert solution.diagnosis[0]["path"] == "workloads[0].max_providers"


# --- in-place re-solves ------------------------------------------------------------------------

RESOLVES = [
    (THREE, "workloads[0].max_providers", [1, 2, 1]),  # the row's bound only: in place
    (THREE, "workloads[0].demand.series", [[10, 12], [4, 10], [10, 10]]),  # the link's M
    (E13, "providers[0].power_mw", [12, 3]),  # with 12 MW a alone serves it
]


@pytest.mark.parametrize(("base", "path", "values"), RESOLVES, ids=[p for _, p, _ in RESOLVES])
def test_in_place_matches_rebuild(base: dict, path: str, values: list) -> None:
    assert_in_place_matches_rebuild(base, path, values)


def test_a_limit_that_stops_binding_rebuilds() -> None:
    resolver = Resolver()
    resolver.solve(THREE)
    for k, want in ((3, 262_800.0), (1, 525_600.0), (2, 262_800.0)):
        data = set_path(THREE, "workloads[0].max_providers", k)
        solution = resolver.solve(data)
        assert solution.objective_usd == pytest.approx(want, rel=1e-9)
        assert solution.objective_usd == pytest.approx(optimizer.solve(data).objective_usd, rel=1e-9)
        assert_feasible(data, json.loads(solution.to_json()))
    assert resolver.in_place  # 1 → 2 of three providers: the bound only
    resolver.solve(set_path(THREE, "workloads[0].max_providers", 3))
    assert not resolver.in_place and "max_providers" in resolver.reason
