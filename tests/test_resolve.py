"""Fast re-solves: every in-place update gives the plan a full rebuild gives, and passes the checker."""

from __future__ import annotations

import dataclasses
import json

import pytest
from support.feasibility import assert_feasible
from support.instances import shipped
from support.paths import INSTANCES
from support.solving import assert_in_place_matches_rebuild

import optimizer
from optimizer.input.paths import set_path
from optimizer.solve.changes import FAST, IGNORED, STRUCTURAL, plan_update
from optimizer.solve.resolve import Resolver

CASES = [
    ("tiny", "providers[aws].power_mw", [4, 3.2, 2.9, 5]),  # 2.9 MW: infeasible, then feasible again
    ("tiny", "offers[aws-gb200-24m].price_per_chip_hour", [3.9, 4.5, 3.0]),
    ("tiny", "discount_rate", [0.0, 0.3]),
    ("tiny", "workloads[training].demand.series", [[900, 1400], [1200, 1600]]),
    ("tiny", "chips[gb200].power_kw", [2.5, 1.0]),
    ("two_clouds", "budget.total_usd", [1e12, 3.0e10, 2.9e10]),  # two_clouds has no budget: the first builds it
    ("scenarios", "diversification.max_share", [0.5, 1.0, 0.4]),
    ("scenarios", "workloads[training].demand.annual_growth", [0.3, 0.4]),
    ("scenarios", "spend_commitments[0].amount_usd", [1e10, 6e10]),
    ("scenarios", "scenarios.cases[boom].demand_multiplier.*.2030", [1.5, 2.0]),
    ("scenarios", "providers[google].power_mw.2028", [500, 1000]),
    ("racks_mip", "discount_rate", [0.05, 0.1]),
]


@pytest.mark.parametrize(("name", "path", "values"), CASES, ids=[f"{n}:{p}" for n, p, _ in CASES])
def test_in_place_matches_rebuild(name: str, path: str, values: list) -> None:
    base = shipped(f"{name}.json")
    if name == "two_clouds":
        base = set_path(base, path, values.pop(0))
    assert_in_place_matches_rebuild(base, path, values)


def test_mip_stays_a_mip_after_its_duals() -> None:
    # The MILP's duals come from an LP with the integers fixed; the next re-solve must get the
    # integer variables and their bounds back (whole racks, minimum contracts).
    base = shipped("racks_mip.json")
    block = {o["id"]: o["block_chips"] for o in base["offers"]}
    resolver = Resolver(duals=True)
    for rate in (0.0, 0.05, 0.0, 0.1):
        data = set_path(base, "discount_rate", rate)
        solution = resolver.solve(data)
        ref = optimizer.solve(data)
        assert solution.objective_usd == pytest.approx(ref.objective_usd, rel=1e-7)
        assert solution.mip_gap is not None and solution.duals_note == ref.duals_note
        racks = solution.contracts.chips / solution.contracts.offer.map(block)
        assert racks.to_numpy() == pytest.approx(racks.round().to_numpy())
        assert_feasible(data, json.loads(solution.to_json()))


@pytest.mark.parametrize(("path", "value", "reason"), [
    ("offers[aws-gb200-12m].term_months", 24, "structure changed: term"),
    ("workloads[training].demand.series", [1000, 0], "rows or columns appear or vanish"),
    ("budget", {"total_usd": 1e9}, "rows or columns appear or vanish (add_budget"),
    ("offers[aws-gb200-12m].available", {"from": 2027}, "structure changed: signable"),
])
def test_structural_changes_rebuild(path: str, value: object, reason: str) -> None:
    base = shipped("tiny.json")
    resolver = Resolver()
    resolver.solve(base)
    data = set_path(base, path, value)
    solution = resolver.solve(data)
    assert not resolver.in_place and resolver.reason.startswith(reason)
    ref = optimizer.solve(data, explain_infeasible=False)
    assert solution.status == ref.status and solution.objective_usd == pytest.approx(ref.objective_usd)


def test_every_prepared_field_is_classified() -> None:
    names = {f.name for f in dataclasses.fields(optimizer.Prepared)}
    assert names == set(FAST) | STRUCTURAL | IGNORED


def test_plan_update_names_the_families() -> None:
    inst = optimizer.load_instance(INSTANCES / "two_clouds.json")
    data = shipped("two_clouds.json")
    old, new = optimizer.prepare(inst), optimizer.prepare(optimizer.load_instance(
        set_path(data, "budget.total_usd", 1.0e10)))
    plan = plan_update(old, new)
    assert [f.__name__ for f in plan.families] == ["add_budget"] and not plan.rebuild
