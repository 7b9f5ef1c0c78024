"""Preprocessing arrays against values computed by hand from spec §1–§6."""

from __future__ import annotations

import copy
import math

import pytest
from support.instances import BASE

from optimizer import load_instance, prepare


def prep_of(**changes):
    data = copy.deepcopy(BASE)
    data.update(changes)
    return prepare(load_instance(data))


def test_periods_hours_and_discount() -> None:
    p = prep_of()
    assert p.periods.count == 8
    assert p.periods.hours == 2190.0  # 8760 / 4
    assert p.periods.year_index.tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    assert p.df[4] == pytest.approx(1 / 1.1)  # one year later
    assert p.df[2] == pytest.approx(1.1 ** -0.5)


def test_terms_round_up_to_whole_periods() -> None:
    p = prep_of()
    assert p.term.tolist() == [2, 3]  # 6 months = 2 quarters; 7 months → ceil(7·4/12) = 3 quarters


def test_price_path_locks_the_signing_year_price() -> None:
    p = prep_of()
    assert p.price[0].tolist() == [2.0] * 4 + [1.0] * 4  # 2·(1−0.5)^year(τ)


def test_signable_and_active_periods() -> None:
    p = prep_of()
    assert p.signable[1].tolist() == [False] * 4 + [True] * 4  # available from 2027
    assert p.active[1].tolist() == [False] * 4 + [True] * 4
    assert p.active[0].all()


def test_payments_split_across_years() -> None:
    p = prep_of()
    # k6 signed in Q4 2026 (τ = 3) runs Q4 2026 and Q1 2027: one quarter in each year at 2·2190.
    assert p.payments[0, 3].tolist() == pytest.approx([4380.0, 4380.0])
    # k6 signed in Q4 2027 (τ = 7) at price 1.0: one quarter in 2027, the second is past the horizon.
    assert p.payments[0, 7].tolist() == pytest.approx([0.0, 2190.0])


def test_npv_counts_payments_past_the_horizon() -> None:
    p = prep_of()
    # j7 signed at τ = 7 (price 1.0, 3 quarters: t = 7, 8, 9), df(t) = 1.1^(−t/4).
    want = 1.0 * 2190 * sum(1.1 ** (-t / 4) for t in (7, 8, 9))
    assert p.npv_cost[1, 7] == pytest.approx(want, rel=1e-12)


def test_chip_bounds_from_power_and_supply() -> None:
    p = prep_of()
    # k: 2 kW = 0.002 MW; p holds 10 MW in 2026 → 5,000 chips, 30 MW in 2027 → 15,000 chips.
    assert p.max_chips[0].tolist() == [5000.0] * 4 + [15000.0] * 4
    # j at q: 5 MW / 0.001 = 5,000 chips, capped by supply 40 in 2027; not signable in 2026.
    assert p.max_chips[1].tolist() == [0.0] * 4 + [40.0] * 4


def test_effectiveness_and_allowed_pairs() -> None:
    p = prep_of()
    assert p.effectiveness.tolist() == [[1.0, 0.0]]  # j has no bf16 → not allowed


def test_points_demand_is_geometric_and_flat_outside() -> None:
    p = prep_of(workloads=[{"id": "w", "metric": "bf16", "demand": {"points": {"2026.5": 100, "2027.5": 400}}}])
    d = p.demand[0, 0]
    assert d[0] == pytest.approx(100) and d[1] == pytest.approx(100)  # before the first point: flat
    assert d[2] == pytest.approx(100)  # x = 2026.5 exactly
    assert d[4] == pytest.approx(200)  # x = 2027.0, halfway in log space: sqrt(100·400)
    assert d[7] == pytest.approx(400)  # after the last point: flat


def test_base_growth_with_profile_and_peak() -> None:
    profile = [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
    p = prep_of(workloads=[{"id": "w", "metric": "bf16", "demand": {
        "base": 10, "annual_growth": 0.21, "monthly_profile": profile, "peak_factor": 1.5}}])
    d = p.demand[0, 0]
    # t = 2 covers July–September: mean multiplier 3; growth 1.21^(2/4) = 1.1.
    assert d[2] == pytest.approx(10 * 1.1 * 3 * 1.5)
    assert d[4] == pytest.approx(10 * 1.21 * 1 * 1.5)


def test_monthly_profile_with_monthly_periods() -> None:
    profile = [float(i) for i in range(1, 13)]
    p = prep_of(horizon={"start_year": 2026, "years": 1, "periods_per_year": 12},
                workloads=[{"id": "w", "metric": "bf16", "demand": {"base": 1, "monthly_profile": profile}}])
    assert p.demand[0, 0].tolist() == pytest.approx(profile)


def test_scenario_multipliers_and_first_stage() -> None:
    p = prep_of(scenarios={"first_stage_years": 1, "cases": [
        {"id": "lo", "probability": 0.25, "demand_multiplier": {"*": {"2026": 1, "2027": 0.5}}},
        {"id": "hi", "probability": 0.75, "demand_multiplier": {"w": 2, "*": 9}}]})
    assert p.scenario_ids == ("lo", "hi")
    assert p.demand[0, 0].tolist() == pytest.approx([1, 2, 3, 4, 2.5, 3, 3.5, 4])
    assert p.demand[1, 0].tolist() == pytest.approx([2 * v for v in range(1, 9)])  # own key beats "*"
    assert p.first_stage.tolist() == [True] * 4 + [False] * 4


def test_spend_window_clipped_to_horizon() -> None:
    p = prep_of(spend_commitments=[{"provider": "q", "years": [2027, 2031], "amount_usd": 5}])
    term = p.spend[0]
    assert term.years.tolist() == [False, True]
    assert term.last_year == 1
    assert term.period == 7  # (min(2031, 2027) − 2026 + 1)·4 − 1


def test_capacity_commitment_matches_families() -> None:
    p = prep_of(capacity_commitments=[{"provider": "p", "chips": ["fam"], "years": [2027, 2027], "min_mw": 1}])
    c = p.capacity[0]
    assert c.offers.tolist() == [True, False]
    assert c.periods.tolist() == [False] * 4 + [True] * 4


def test_year_map_steps() -> None:
    p = prep_of()
    assert p.power_mw.tolist() == [[10.0, 30.0], [5.0, 5.0]]
    assert math.isinf(p.supply_cap[0, 0])
    assert p.supply_cap[1].tolist() == [100.0, 40.0]
