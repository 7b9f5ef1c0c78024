"""Every instance shipped in instances/ solves to a plan that passes the independent checker."""

from __future__ import annotations

import math

import pytest
from support.instances import shipped
from support.paths import INSTANCES

import optimizer

SHIPPED = sorted(p.name for p in INSTANCES.glob("*.json"))


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_instance_solves_and_checks(shipped_plan, name: str) -> None:
    solution = shipped_plan(name)  # solve_checked: the plan passes the independent checker
    assert solution.status == optimizer.Status.OPTIMAL
    assert solution.objective_usd > 0


def test_tiny_matches_its_hand_computed_optimum(shipped_plan) -> None:
    # instances/tiny.json: 1,000 chips on the 24-month offer in 2026 at 3.5·8760·(1 + 1/1.1) and
    # 500 chips on the 12-month offer in 2027 at 4·8760/1.1 → 58,532,727.27 + 15,927,272.73.
    solution = shipped_plan("tiny.json")
    assert math.isclose(solution.objective_usd, 74_460_000.0, rel_tol=1e-9)
    plan = {(r.offer, r.year): r.chips for r in solution.contracts.itertuples()}
    assert plan == pytest.approx({("aws-gb200-24m", 2026): 1000.0, ("aws-gb200-12m", 2027): 500.0})


def test_2026_plan_honours_the_deals(shipped_plan) -> None:
    data = shipped("2026.json")
    solution = shipped_plan("2026.json")
    # The Frontier agent platform runs on AWS only (exclusivity).
    frontier = solution.allocation[solution.allocation.workload == "frontier"]
    assert not frontier.empty and set(frontier.provider) == {"aws"}
    # Training runs on at most two clouds (spec §10.5, workloads[].max_providers).
    assert solution.allocation[solution.allocation.workload == "training"].provider.nunique() <= 2
    # The Trainium floor at AWS, ramped to ~2 GW (min_mw is a year map, spec §10.2), in every period of
    # its window and every scenario.
    commit = next(c for c in data["capacity_commitments"] if c["provider"] == "aws")
    ramp = commit["min_mw"] if isinstance(commit["min_mw"], dict) else {str(commit["years"][0]): commit["min_mw"]}
    assert max(ramp.values()) >= 2000

    def floor(year: int) -> float:  # the value at the latest key <= year (a step function)
        keys = [int(y) for y in ramp if int(y) <= year]
        return ramp[str(max(keys))] if keys else 0.0

    active = solution.active.fillna({"scenario": ""})
    trn = active[(active.provider == "aws") & active.chip.str.startswith("trainium")]
    held = trn.groupby(["scenario", "period"]).mw.sum()
    power = solution.power.fillna({"scenario": ""})
    window = power[(power.provider == "aws") & power.year.between(*commit["years"])]
    assert all(held.get((s, t), 0.0) >= floor(y) * (1 - 1e-7)
               for s, t, y in zip(window.scenario, window.period, window.year, strict=True))
    # The $38B AWS take-or-pay is either spent or paid as a shortfall.
    assert any(c["provider"] == "aws" and c["amount_usd"] >= 38e9 for c in data["spend_commitments"])
