"""Tests of the independent feasibility checker (tests/support/feasibility.py) on hand-built instances.

Every expected number below was computed by hand from spec/model.md; the comments show the
arithmetic. Each constraint family has a mutated plan that the checker must reject, naming
the family, so these tests fail if a check is missing or too lenient.
"""

from __future__ import annotations

import copy
import math

import pytest
from support.feasibility import (
    CheckReport,
    Horizon,
    assert_feasible,
    build_model,
    check_solution,
    demand_curve,
    year_map_value,
)

# --------------------------------------------------------------------------------------
# A tiny instance where nearly every constraint is tight
# --------------------------------------------------------------------------------------
#
# 2 yearly periods (2026, 2027), H = 8760 h, discount 25 %: df(0) = 1, df(1) = 0.8, df(2) = 0.64.
# Chips: k1 (family "fam") 10 kW = 0.01 MW, bf16 2; k2 5 kW = 0.005 MW, bf16 1, fp8 3.
# Offer a1 at provider a: k1, 12 months (L = 1), 1.0 USD/chip-h, +50 %/year, blocks of 5,
#   at most 10 new chips in 2026 and 20 in 2027.
# Offer b3 at provider b: k2, 36 months (L = 3, runs past the horizon), 2.0 USD/chip-h,
#   min 10 chips, signable only in 2026.
# Workload w (bf16, efficiency 0.5): e(w, k1) = 2 * 0.5 = 1; demand 10, 20.
# Workload inf (fp8, only at provider b): e(inf, k2) = 3 * 1 = 3; demand 30, 30 -> 10 chips of k2.
#
# Plan: a1 signs 10 chips in period 0 and 20 in period 1; b3 signs 10 chips in period 0.
# Payments per period: a1@0: 1.0 * 8760 * 10 = 87,600 (t=0)
#                      a1@1: 1.5 * 8760 * 20 = 262,800 (t=1), price (1 + 0.5)^1
#                      b3@0: 2.0 * 8760 * 10 = 175,200 (t=0, 1 and 2; t=2 is past the horizon)
# Spend commitment at b over 2027-2030: in the horizon only 2027 counts: 175,200 paid,
#   shortfall 200,000 - 175,200 = 24,800 paid in 2027 (t_k = (2027 - 2026 + 1) * 1 - 1 = 1).
# pay(2026) = 87,600 + 175,200 + onboarding 100 + 50 = 262,950 (the per-year budget)
# pay(2027) = 262,800 + 175,200 + 24,800             = 462,800 (the per-year budget)
# total     = 725,750 (the total budget)
# Objective = 87,600 * 1 + 262,800 * 0.8 + 175,200 * (1 + 0.8 + 0.64) + 24,800 * 0.8 + 150
#           = 87,600 + 210,240 + 427,488 + 19,840 + 150 = 745,318 USD.
# Power: a holds 0.1 MW (t=0), 0.2 MW (t=1); b 0.05 MW both periods (b's 2026 limit is 0.05);
#   global 0.15 and 0.25 MW (both limits); a's share of MW in t=1 is 0.2 / 0.25 = 0.8 (the max share);
#   capacity commitments: a's "fam" >= 0.1 MW in 2026, b's k2 >= 0.05 MW in 2025-2027.

BASE_OBJECTIVE_USD = 745_318.0


def base_instance() -> dict:
    """The tiny instance described above."""
    return {
        "name": "tiny",
        "horizon": {"start_year": 2026, "years": 2, "periods_per_year": 1},
        "discount_rate": 0.25,
        "providers": [
            {"id": "a", "power_mw": 1, "onboarding_cost_usd": 100},
            {"id": "b", "power_mw": {"2026": 0.05, "2027": 1}, "onboarding_cost_usd": 50},
        ],
        "chips": [
            {"id": "k1", "family": "fam", "power_kw": 10, "perf": {"bf16": 2}},
            {"id": "k2", "power_kw": 5, "perf": {"bf16": 1, "fp8": 3}},
        ],
        "offers": [
            {"id": "a1", "provider": "a", "chip": "k1", "term_months": 12, "price_per_chip_hour": 1.0,
             "price_change_per_year": 0.5, "block_chips": 5,
             "max_new_chips_per_year": {"2026": 10, "2027": 20}},
            {"id": "b3", "provider": "b", "chip": "k2", "term_months": 36, "price_per_chip_hour": 2.0,
             "min_chips": 10, "available": {"until": 2026}},
        ],
        "workloads": [
            {"id": "w", "metric": "bf16", "efficiency": 0.5, "chip_efficiency": {"k2": 1.0},
             "chips": ["fam", "k2"], "demand": {"series": [10, 20]}},
            {"id": "inf", "metric": "fp8", "providers": ["b"], "demand": {"series": [30, 30]}},
        ],
        "budget": {"per_year_usd": {"2026": 262_950, "2027": 462_800}, "total_usd": 725_750},
        "global_power_mw": {"2026": 0.15, "2027": 0.25},
        "spend_commitments": [{"provider": "b", "years": [2027, 2030], "amount_usd": 200_000}],
        "capacity_commitments": [
            {"provider": "a", "chips": ["fam"], "years": [2026, 2026], "min_mw": 0.1},
            {"provider": "b", "chips": ["k2"], "years": [2025, 2027], "min_mw": 0.05},
        ],
        "diversification": {"max_share": 0.8, "metric": "mw"},
        "providers_used": {"min": 2, "max": 2},
    }


def contract(offer: str, period: int, chips: float, scenario: str | None = None) -> dict:
    """A contract row of solution.json for the tiny instances (calendar year 2026 + period)."""
    provider, chip = {"a1": ("a", "k1"), "b3": ("b", "k2"), "o": ("p", "c")}[offer]
    return {"offer": offer, "provider": provider, "chip": chip, "period": period, "year": 2026 + period,
            "chips": chips, "scenario": scenario}


def allocation(workload: str, offer: str, period: int, chips: float, scenario: str | None = None) -> dict:
    """An allocation row of solution.json."""
    return {"workload": workload, "offer": offer, "period": period, "chips": chips, "scenario": scenario}


def base_solution() -> dict:
    """The feasible (and optimal-looking) plan described above."""
    return {
        "instance": "tiny",
        "status": "optimal",
        "objective_usd": BASE_OBJECTIVE_USD,
        "mip_gap": 0.0,
        "contracts": [contract("a1", 0, 10), contract("a1", 1, 20), contract("b3", 0, 10)],
        "allocation": [
            allocation("w", "a1", 0, 10), allocation("w", "a1", 1, 20),
            allocation("inf", "b3", 0, 10), allocation("inf", "b3", 1, 10),
        ],
        "shortfalls": [{"commitment": 0, "usd": 24_800, "scenario": None}],
        "providers_used": ["a", "b"],
    }


def set_chips(rows: list[dict], chips: float, **match: object) -> None:
    """Set the chips of the one row matching every key=value given."""
    found = [row for row in rows if all(row[key] == value for key, value in match.items())]
    assert len(found) == 1, found
    found[0]["chips"] = chips


def with_family(report: CheckReport, family: str) -> list[str]:
    """The violations that name a constraint family (their prefix)."""
    return [v for v in report.violations if v.startswith(family)]


# --------------------------------------------------------------------------------------
# The feasible plan
# --------------------------------------------------------------------------------------


def test_feasible_plan_passes_and_objective_is_recomputed_exactly() -> None:
    report = check_solution(base_instance(), base_solution())
    assert report.violations == []
    assert report.ok()
    assert report.objective_usd == pytest.approx(BASE_OBJECTIVE_USD, rel=1e-12)
    assert assert_feasible(base_instance(), base_solution()).ok()


def test_rows_are_summed_and_missing_rows_are_zero() -> None:
    solution = base_solution()
    solution["contracts"][1]["chips"] = 15  # a1 @ 1: 15 + 5 in a second row = 20
    solution["contracts"].append(contract("a1", 1, 5))
    solution["contracts"].append(contract("b3", 1, 0))  # an explicit zero row in a non-signable period
    solution["allocation"].append(allocation("w", "b3", 0, 0))
    report = check_solution(base_instance(), solution)
    assert report.violations == []
    assert report.objective_usd == pytest.approx(BASE_OBJECTIVE_USD, rel=1e-12)


def test_solver_noise_within_tolerance_passes() -> None:
    solution = base_solution()
    for row in solution["contracts"] + solution["allocation"]:
        row["chips"] *= 1 + 1e-8  # a solver's relative error on a scaled model
    solution["objective_usd"] *= 1 + 1e-8
    assert check_solution(base_instance(), solution).ok()


def test_status_without_plan_is_reported() -> None:
    solution = {"instance": "tiny", "status": "infeasible", "objective_usd": None, "mip_gap": None,
                "contracts": [], "allocation": [], "shortfalls": [], "providers_used": []}
    report = check_solution(base_instance(), solution)
    assert not report.ok()
    assert "no plan" in report.violations[0]
    assert math.isnan(report.objective_usd)


# --------------------------------------------------------------------------------------
# One mutation per constraint family
# --------------------------------------------------------------------------------------


def test_c1_demand_short() -> None:
    solution = base_solution()
    set_chips(solution["allocation"], 19, workload="w", period=1)  # serves 19 * 1 < 20
    report = check_solution(base_instance(), solution)
    assert report.violations == ["C1 demand w period 1: served 19 < demand 20 bf16"]


def test_c2_allocation_above_active_chips() -> None:
    solution = base_solution()
    set_chips(solution["allocation"], 12, workload="w", period=0)  # only 10 chips of a1 are active
    report = check_solution(base_instance(), solution)
    assert report.violations == ["C2 capacity offer a1 period 0: allocated 12 chips > active 10 chips"]


def test_c2_allocation_where_no_chip_is_active() -> None:
    solution = base_solution()
    solution["allocation"].append(allocation("w", "b3", 1, 0.5))  # b3 has 10 active, all used by inf
    solution["allocation"].append(allocation("w", "a1", 0, 0))
    report = check_solution(base_instance(), solution)
    assert with_family(report, "C2 capacity offer b3 period 1")


def test_c3_provider_power_over_limit() -> None:
    solution = base_solution()
    set_chips(solution["contracts"], 11, offer="b3")  # 11 * 0.005 = 0.055 MW > b's 0.05 MW in 2026
    report = check_solution(base_instance(), solution)
    assert "C3 provider power b period 0: 0.055 MW > 0.05 MW" in report.violations


def test_c3_provider_power_limit_from_year_map_instance_side() -> None:
    instance = base_instance()
    instance["providers"][0]["power_mw"] = {"2020": 1, "2027": 0.15}  # a holds 0.2 MW in 2027
    report = check_solution(instance, base_solution())
    assert report.violations == ["C3 provider power a period 1: 0.2 MW > 0.15 MW"]


def test_c4_global_power_over_limit() -> None:
    instance = base_instance()
    instance["global_power_mw"] = {"2026": 0.15, "2027": 0.24}
    report = check_solution(instance, base_solution())
    assert report.violations == ["C4 global power period 1: 0.25 MW > 0.24 MW"]


def test_c5_supply_over_cap() -> None:
    solution = base_solution()
    set_chips(solution["contracts"], 25, offer="a1", period=1)  # 25 > 20 new chips in 2027
    report = check_solution(base_instance(), solution)
    assert "C5 supply offer a1 year 2027: 25 chips signed > 20 chips" in report.violations


def test_c6_budget_per_year_and_total() -> None:
    instance = base_instance()
    instance["budget"] = {"per_year_usd": {"2026": 262_949, "2027": 1e9}, "total_usd": 725_749}
    report = check_solution(instance, base_solution())
    assert report.violations == [
        "C6 budget year 2026: paid 262950 USD > 262949 USD",
        "C6 budget total: paid 725750 USD > 725749 USD",
    ]


def test_c6_budget_counts_shortfalls_in_the_window_s_last_horizon_year() -> None:
    solution = base_solution()
    solution["status"] = "feasible"  # a larger shortfall than needed is then no C7 violation
    solution["shortfalls"][0]["usd"] = 25_800
    solution["objective_usd"] = BASE_OBJECTIVE_USD + 1_000 * 0.8
    report = check_solution(base_instance(), solution)
    assert report.violations == [
        "C6 budget year 2027: paid 463800 USD > 462800 USD",
        "C6 budget total: paid 726750 USD > 725750 USD",
    ]


def test_c7_shortfall_too_small() -> None:
    solution = base_solution()
    solution["shortfalls"][0]["usd"] = 20_000
    report = check_solution(base_instance(), solution)
    expected = "C7 spend commitment 0 (b): spent 175200 USD + shortfall 20000 USD < 200000 USD"
    assert expected in report.violations


def test_c7_missing_shortfall_row_is_zero() -> None:
    solution = base_solution()
    solution["shortfalls"] = []
    report = check_solution(base_instance(), solution)
    assert with_family(report, "C7 spend commitment 0 (b): spent 175200 USD + shortfall 0 USD")


def test_c7_negative_and_excess_shortfall() -> None:
    solution = base_solution()
    solution["shortfalls"][0]["usd"] = 30_000  # 5,200 USD more than needed: never optimal
    report = check_solution(base_instance(), solution)
    assert "C7 spend commitment 0 (b): shortfall 30000 USD larger than needed 24800 USD" in report.violations
    solution["shortfalls"][0]["usd"] = -1
    assert with_family(check_solution(base_instance(), solution), "C7 spend commitment 0 (b): shortfall -1")


def test_c8_capacity_commitment_short() -> None:
    solution = base_solution()
    set_chips(solution["contracts"], 5, offer="a1", period=0)  # 5 * 0.01 = 0.05 MW < 0.1 MW
    set_chips(solution["allocation"], 5, workload="w", period=0)
    report = check_solution(base_instance(), solution)
    assert "C8 capacity commitment 0 (a ['fam']) period 0: 0.05 MW < 0.1 MW" in report.violations


def test_c8_capacity_commitment_on_a_chip_id_before_the_horizon() -> None:
    instance = base_instance()
    instance["capacity_commitments"][1]["min_mw"] = 0.06  # b holds 0.05 MW of k2 in 2026 and 2027
    report = check_solution(instance, base_solution())
    assert with_family(report, "C8 capacity commitment 1 (b ['k2']) period 0")
    assert with_family(report, "C8 capacity commitment 1 (b ['k2']) period 1")


def test_c9_allocation_on_a_pair_that_is_not_allowed() -> None:
    solution = base_solution()
    solution["allocation"].append(allocation("inf", "a1", 1, 1))  # inf is exclusive to b; k1 has no fp8
    report = check_solution(base_instance(), solution)
    expected = "C9 exclusivity inf on offer a1 period 1: 1 chips on a pair that is not allowed"
    assert expected in report.violations


def test_c9_chip_filter_by_family() -> None:
    instance = base_instance()
    instance["workloads"][0]["chips"] = ["k2"]  # w may no longer use k1 (family fam)
    report = check_solution(instance, base_solution())
    assert with_family(report, "C9 exclusivity w on offer a1 period 0")
    assert with_family(report, "C1 demand w period 0")  # chips on a forbidden pair serve nothing


def test_c10_diversification_over_share() -> None:
    solution = base_solution()
    set_chips(solution["contracts"], 25, offer="a1", period=1)  # a: 0.25 MW of 0.30 MW = 83 % > 80 %
    report = check_solution(base_instance(), solution)
    assert "C10 diversification a period 1: 0.25 mw > 0.8 x 0.3 mw" in report.violations


def test_c10_diversification_by_a_perf_metric() -> None:
    instance = base_instance()
    # bf16: a holds 20 * 2 = 40 in 2027, b 10 * 1 = 10: share 0.8 > 0.75
    instance["diversification"] = {"max_share": 0.75, "metric": "bf16"}
    report = check_solution(instance, base_solution())
    assert report.violations == ["C10 diversification a period 1: 40 bf16 > 0.75 x 50 bf16"]


def test_c11_providers_used_must_match_contracts() -> None:
    solution = base_solution()
    solution["providers_used"] = ["a"]
    solution["objective_usd"] = BASE_OBJECTIVE_USD - 50  # onboarding of b left out
    report = check_solution(base_instance(), solution)
    assert report.objective_usd == pytest.approx(BASE_OBJECTIVE_USD - 50, rel=1e-12)
    assert "C11 provider used b: holds contracts but is not in providers_used" in report.violations
    assert "C13 providers used: 1 < min 2" in report.violations


def test_c13_providers_used_max() -> None:
    instance = base_instance()
    instance["providers_used"] = {"max": 1}
    report = check_solution(instance, base_solution())
    assert report.violations == ["C13 providers used: 2 > max 1"]


def test_c12_min_chips() -> None:
    solution = base_solution()
    set_chips(solution["contracts"], 8, offer="b3")  # neither 0 nor >= 10
    report = check_solution(base_instance(), solution)
    assert "C12 min chips offer b3 period 0: 8 chips is neither 0 nor >= 10" in report.violations


def test_block_chips_multiple() -> None:
    solution = base_solution()
    set_chips(solution["contracts"], 11, offer="a1", period=0)  # not a multiple of 5
    report = check_solution(base_instance(), solution)
    assert "block_chips offer a1 period 0: 11 chips is not a multiple of 5" in report.violations


def test_contract_outside_available_years() -> None:
    solution = base_solution()
    solution["contracts"].append(contract("b3", 1, 10))  # b3 is signable only in 2026
    report = check_solution(base_instance(), solution)
    assert with_family(report, "available offer b3 period 1")


def test_contract_row_fields_must_match() -> None:
    solution = base_solution()
    solution["contracts"][0]["year"] = 2027  # period 0 is in 2026
    solution["contracts"][1]["provider"] = "b"
    report = check_solution(base_instance(), solution)
    assert len(with_family(report, "solution format")) == 2


def test_objective_mismatch() -> None:
    solution = base_solution()
    solution["objective_usd"] = BASE_OBJECTIVE_USD + 1.0  # tolerance: 1e-6 * 745,318 = 0.75 USD
    report = check_solution(base_instance(), solution)
    assert report.violations == [
        "objective: solution says 745319 USD, recomputed 745318 USD (difference 1 USD)"
    ]
    with pytest.raises(AssertionError, match="objective"):
        assert_feasible(base_instance(), solution)
    solution["objective_usd"] = BASE_OBJECTIVE_USD + 0.5
    assert check_solution(base_instance(), solution).ok()


def test_assert_feasible_lists_every_violation() -> None:
    solution = base_solution()
    set_chips(solution["allocation"], 19, workload="w", period=1)
    set_chips(solution["allocation"], 12, workload="w", period=0)
    with pytest.raises(AssertionError, match=r"2 violation\(s\)[\s\S]*C1 demand[\s\S]*C2 capacity"):
        assert_feasible(base_instance(), solution)


# --------------------------------------------------------------------------------------
# Scenarios: demand multipliers and non-anticipativity
# --------------------------------------------------------------------------------------
#
# One provider p, one chip c (1 kW, bf16 1), offer o: 12 months at 1 USD/chip-h, no discount.
# Workloads w (base 10) and v (base 4). Case lo (p = 0.5): "*" -> 0.5 in 2027 for both;
# case hi (p = 0.5): w -> 2 in 2027, v not named and no "*" -> 1.
# Demand: lo w 10, 5; v 4, 2 -> chips 14, 7.  hi w 10, 20; v 4, 4 -> chips 14, 24.
# Objective = 0.5 * (14 + 7) * 8760 + 0.5 * (14 + 24) * 8760 = 91,980 + 166,440 = 258,420 USD.

SCENARIO_OBJECTIVE_USD = 258_420.0


def scenario_instance() -> dict:
    """Two workloads, two demand scenarios, first stage = 2026."""
    return {
        "name": "tiny-scenarios",
        "horizon": {"start_year": 2026, "years": 2},
        "providers": [{"id": "p", "power_mw": 100}],
        "chips": [{"id": "c", "power_kw": 1, "perf": {"bf16": 1}}],
        "offers": [{"id": "o", "provider": "p", "chip": "c", "term_months": 12, "price_per_chip_hour": 1}],
        "workloads": [
            {"id": "w", "metric": "bf16", "demand": {"base": 10}},
            {"id": "v", "metric": "bf16", "demand": {"base": 4}},
        ],
        "scenarios": {"cases": [
            {"id": "lo", "probability": 0.5, "demand_multiplier": {"*": {"2026": 1, "2027": 0.5}}},
            {"id": "hi", "probability": 0.5, "demand_multiplier": {"w": {"2026": 1, "2027": 2}}},
        ]},
    }


def scenario_solution(hi_first_stage: float = 14, hi_second_stage: float = 24) -> dict:
    """The plan above; first-stage contracts repeated under every case id."""
    chips = {"lo": (14, 7, 10, 4, 5, 2), "hi": (hi_first_stage, hi_second_stage, 10, 4, 20, 4)}
    contracts, rows = [], []
    for case, (x0, x1, w0, v0, w1, v1) in chips.items():
        contracts += [contract("o", 0, x0, case), contract("o", 1, x1, case)]
        rows += [allocation("w", "o", 0, w0, case), allocation("v", "o", 0, v0, case),
                 allocation("w", "o", 1, w1, case), allocation("v", "o", 1, v1, case)]
    return {"instance": "tiny-scenarios", "status": "optimal", "objective_usd": SCENARIO_OBJECTIVE_USD,
            "mip_gap": 0.0, "contracts": contracts, "allocation": rows, "shortfalls": [],
            "providers_used": ["p"]}


def test_scenario_plan_passes() -> None:
    report = assert_feasible(scenario_instance(), scenario_solution())
    assert report.objective_usd == pytest.approx(SCENARIO_OBJECTIVE_USD, rel=1e-12)


def test_non_anticipativity() -> None:
    solution = scenario_solution(hi_first_stage=15)
    solution["objective_usd"] = SCENARIO_OBJECTIVE_USD + 0.5 * 8760
    report = check_solution(scenario_instance(), solution)
    assert report.violations == [
        "non-anticipativity offer o period 0: first-stage chips differ between scenarios"
        " {'lo': 14.0, 'hi': 15.0}"
    ]


def test_non_anticipativity_with_zero_first_stage_years() -> None:
    instance = scenario_instance()
    instance["scenarios"]["first_stage_years"] = 0
    solution = scenario_solution(hi_first_stage=15)
    solution["objective_usd"] = SCENARIO_OBJECTIVE_USD + 0.5 * 8760
    assert check_solution(instance, solution).ok()


def test_star_multiplier_does_not_apply_to_named_or_other_cases() -> None:
    # If v took w's multiplier 2 in case hi, v would need 8 in 2027; it needs 4, so 22 chips fall short.
    solution = scenario_solution(hi_second_stage=22)
    set_chips(solution["allocation"], 2, workload="v", period=1, scenario="hi")
    solution["objective_usd"] = SCENARIO_OBJECTIVE_USD - 0.5 * 2 * 8760
    report = check_solution(scenario_instance(), solution)
    assert report.violations == ["C1 demand v period 1 scenario hi: served 2 < demand 4 bf16"]


def test_unknown_scenario_row() -> None:
    solution = scenario_solution()
    solution["contracts"].append(contract("o", 1, 1, None))
    assert with_family(check_solution(scenario_instance(), solution), "solution format")


# --------------------------------------------------------------------------------------
# The checker's own time and demand arithmetic
# --------------------------------------------------------------------------------------


def test_year_map_is_a_step_function() -> None:
    year_map = {"2026": 1.0, "2029": 3.0, "2027": 2.0}
    assert [year_map_value(year_map, y) for y in (2026, 2027, 2028, 2029, 2035)] == [1, 2, 2, 3, 3]
    assert year_map_value(7, 2040) == 7


def test_terms_round_up_to_whole_periods() -> None:
    instance = scenario_instance()
    instance["horizon"]["periods_per_year"] = 4
    instance["offers"] = [
        {"id": f"o{months}", "provider": "p", "chip": "c", "term_months": months, "price_per_chip_hour": 1}
        for months in (1, 5, 7, 10, 12, 18, 30)
    ]
    offers = build_model(instance).offers
    # ceil(months * 4 / 12)
    assert [offers[f"o{m}"].term_periods for m in (1, 5, 7, 10, 12, 18, 30)] == [1, 2, 3, 4, 4, 6, 10]


def test_points_demand_is_log_linear_and_flat_outside() -> None:
    horizon = Horizon(start_year=2026, years=3, periods_per_year=2, discount_rate=0.0)
    curve = demand_curve({"points": {"2026": 100, "2028": 400}}, horizon)
    # x_t = 2026, 2026.5, ..., 2028.5; 100 * 4^((x - 2026) / 2), then flat at 400
    assert curve == pytest.approx([100, 100 * 4**0.25, 200, 100 * 4**0.75, 400, 400], rel=1e-12)
    late = demand_curve({"points": {"2027": 50, "2028": 50}}, horizon)
    assert late == pytest.approx([50] * 6)


def test_growth_monthly_profile_and_peak_factor() -> None:
    horizon = Horizon(start_year=2026, years=2, periods_per_year=4, discount_rate=0.0)
    profile = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    curve = demand_curve({"base": 10, "monthly_profile": profile, "peak_factor": 1.5}, horizon)
    # quarter means (1+2+3)/3 = 2, 5, 8, 11, times 10 * 1.5
    assert curve == pytest.approx([30, 75, 120, 165] * 2)
    half_years = Horizon(start_year=2026, years=1, periods_per_year=2, discount_rate=0.0)
    grown = demand_curve({"base": 10, "annual_growth": 0.21}, half_years)
    assert grown == pytest.approx([10, 11])  # 10 * 1.21^(1/2)


def test_discount_factor_past_the_horizon() -> None:
    horizon = Horizon(start_year=2026, years=1, periods_per_year=2, discount_rate=0.21)
    assert [horizon.discount(t) for t in range(4)] == pytest.approx([1, 1 / 1.1, 1 / 1.21, 1 / 1.331])


def test_mutations_do_not_leak_between_tests() -> None:
    assert base_solution() == copy.deepcopy(base_solution())
    assert check_solution(base_instance(), base_solution()).ok()
