"""Infeasibility diagnosis: the limit, the year, the provider and the amount."""

from __future__ import annotations

import copy

import pytest
from support.instances import INFEASIBLE

import optimizer
from optimizer import diagnose, load_instance, prepare


def findings(data: dict):
    return diagnose(prepare(load_instance(data)))


def test_feasible_instance_has_no_findings() -> None:
    data = copy.deepcopy(INFEASIBLE)
    data["providers"][1]["power_mw"] = 10
    assert findings(data) == []


def test_power_shortfall_names_provider_year_and_mw() -> None:
    (f,) = findings(INFEASIBLE)
    assert (f.limit, f.path, f.where, f.year, f.unit) == ("provider_power", "providers[1].power_mw", "gcp", 2027, "MW")
    assert f.amount == pytest.approx(0.5)


def test_exclusivity_with_no_matching_offer() -> None:
    data = copy.deepcopy(INFEASIBLE)
    data["chips"].append({"id": "f", "power_kw": 1.0, "perf": {"fp8": 2.0}})
    data["offers"].append({"id": "gf", "provider": "gcp", "chip": "f", "term_months": 12, "price_per_chip_hour": 1.0})
    data["workloads"] = [{"id": "frontier", "metric": "fp8", "providers": ["aws"], "demand": {"base": 1}}]
    (f,) = findings(data)
    assert f.limit == "exclusivity" and f.path == "workloads[0]"
    assert f.message == "workloads[0] (frontier) may only use aws but no such offer has fp8"


def test_offer_not_available_yet() -> None:
    data = copy.deepcopy(INFEASIBLE)
    for offer in data["offers"]:
        offer["available"] = {"from": 2027}
    (f,) = findings(data)
    assert f.limit == "availability" and f.year == 2026


def test_capacity_commitment_beyond_power() -> None:
    data = copy.deepcopy(INFEASIBLE)
    data["workloads"][0]["demand"] = {"base": 100}
    data["capacity_commitments"] = [{"provider": "aws", "chips": ["k"], "years": [2027, 2027], "min_mw": 1.5}]
    (f,) = findings(data)
    # aws holds at most 1 MW; either the commitment drops 0.5 MW (relative 1/3) or aws's power
    # rises 0.5 MW (relative 1/2): the smaller relative move wins.
    assert f.path == "capacity_commitments[0].min_mw" and f.year == 2027
    assert f.amount == pytest.approx(0.5)


def test_budget_per_year_short() -> None:
    data = copy.deepcopy(INFEASIBLE)
    data["workloads"][0]["demand"] = {"series": [1000, 1000]}
    data["budget"] = {"per_year_usd": {"2026": 1e9, "2027": 8_000_000}}  # 1,000 chips × 8,760 h × $1
    (f,) = findings(data)
    assert f.path == "budget.per_year_usd" and f.year == 2027
    assert f.amount == pytest.approx(760_000)
    assert f.message == "budget.per_year_usd in 2027: short by $760,000"


def test_scenario_named_in_the_finding() -> None:
    data = copy.deepcopy(INFEASIBLE)
    data["workloads"][0]["demand"] = {"series": [1000, 1000]}
    boom = {"id": "boom", "probability": 0.5, "demand_multiplier": {"*": {"2026": 1, "2027": 5}}}
    data["scenarios"] = {"cases": [{"id": "calm", "probability": 0.5}, boom]}
    (f,) = findings(data)
    assert f.scenario == "boom" and f.year == 2027 and f.unit == "MW"
    assert "(scenario boom)" in f.message


def test_solve_attaches_diagnosis() -> None:
    solution = optimizer.solve(INFEASIBLE)
    assert solution.status == optimizer.Status.INFEASIBLE
    assert solution.diagnosis[0]["message"] == "providers[1].power_mw (gcp) in 2027: needs 0.5 MW more"


def test_infeasible_only_because_of_whole_blocks() -> None:
    # 100 chips needed, racks of 64 → 128 chips = 0.128 MW, but aws has 0.12 MW: the LP relaxation
    # (100 chips = 0.1 MW) is feasible, so the diagnosis comes from the elastic MILP.
    data = {
        "name": "racks", "horizon": {"start_year": 2026, "years": 1},
        "providers": [{"id": "aws", "power_mw": 0.12}],
        "chips": [{"id": "k", "power_kw": 1.0, "perf": {"bf16": 1.0}}],
        "offers": [{"id": "a", "provider": "aws", "chip": "k", "term_months": 12, "price_per_chip_hour": 1.0,
                    "block_chips": 64}],
        "workloads": [{"id": "w", "metric": "bf16", "demand": {"series": [100]}}],
    }
    (f,) = findings(data)
    assert f.path == "providers[0].power_mw" and f.year == 2026
    assert f.amount == pytest.approx(0.008)
