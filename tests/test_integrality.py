"""Integers met exactly, not within HiGHS's tolerance times a big-M.

Found by tests/test_properties.py (the long profile): HiGHS accepts an integer within 1e-6, so with
the minimum-contract switch of C12 at v = 1e-6 and its big-M of 20,000 chips (10 MW / 0.5 kW) it
signed 0.02 chips of an offer whose contracts must be 0 or at least 3 chips, for $21.90 instead of
the optimum's $2,190. A plan with an integer off by more than 1e-9 is now solved again with that
tolerance (optimizer/highs.py).
"""

from __future__ import annotations

import json

from support.feasibility import assert_feasible
from support.paths import ROOT

import optimizer

DATA = ROOT / "tests" / "data"

BIG_M = {
    "name": "big_m", "horizon": {"start_year": 2025, "years": 3, "periods_per_year": 4},
    "providers": [{"id": "p0", "power_mw": 10.0}],
    "chips": [{"id": "c0", "power_kw": 0.5, "perf": {"bf16": 3.0}}],
    "offers": [
        {"id": "o0", "provider": "p0", "chip": "c0", "term_months": 1, "price_per_chip_hour": 1.0, "block_chips": 1},
        {"id": "o1", "provider": "p0", "chip": "c0", "term_months": 1, "price_per_chip_hour": 0.5, "min_chips": 3.0},
        {"id": "o2", "provider": "p0", "chip": "c0", "term_months": 1, "price_per_chip_hour": 1.0,
         "max_new_chips_per_year": 0.0},
    ],
    "workloads": [{"id": "w0", "metric": "bf16", "demand": {"series": [0.0] * 11 + [0.06]},
                   "providers": ["p0"], "chips": ["c0"]}],
    "budget": {"total_usd": 26306271.0}, "global_power_mw": 10.0,
    "spend_commitments": [{"provider": "p0", "years": [2024, 2025], "amount_usd": 0.0}],
    "diversification": {"max_share": 1.0, "metric": "bf16"},
}


def test_a_minimum_contract_is_not_cheated_by_the_tolerance() -> None:
    solution = optimizer.solve(BIG_M)
    assert solution.status == optimizer.Status.OPTIMAL
    plan = json.loads(solution.to_json())
    assert_feasible(BIG_M, plan)
    # One whole chip of o0 for a quarter (2,190 h at $1): o1 needs 3 chips ($3,285), o2 has no supply.
    assert solution.objective_usd == 2190.0
    assert [(r["offer"], r["chips"]) for r in plan["contracts"]] == [("o0", 1.0)]


def test_round_off_is_not_a_contract() -> None:
    data = json.loads((DATA / "noise_contract.json").read_text())
    solution = optimizer.solve(data)
    assert solution.status == optimizer.Status.OPTIMAL
    plan = json.loads(solution.to_json())
    assert plan["providers_used"] == ["p1"]
    assert_feasible(data, plan)
