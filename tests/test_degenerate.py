"""Instances at the edge of the model: nothing to sign and nothing to serve (found by tests/test_properties.py).

An offer available only after the horizon and zero demand give a model with no rows and an
objective without variables: Pyomo hands scipy per-row iterators for the empty matrix (which
scipy before 1.13 with numpy 1.26 cannot read), and the compiled model has no row sides.
"""

from __future__ import annotations

from support.solving import solve_checked

EMPTY = {
    "name": "nothing-to-do", "horizon": {"start_year": 2025, "years": 1, "periods_per_year": 2},
    "providers": [{"id": "p0", "power_mw": {"2023": 0.0}, "onboarding_cost_usd": 0.0}],
    "chips": [{"id": "c0", "power_kw": 1.0, "perf": {"bf16": 1.0}}],
    "offers": [{"id": "o0", "provider": "p0", "chip": "c0", "term_months": 1, "price_per_chip_hour": 1.0,
                "available": {"from": 2026}, "min_chips": 0.0}],
    "workloads": [{"id": "w0", "metric": "bf16", "demand": {"series": [0.0, 0.0]}}],
}


def test_nothing_to_sign_and_nothing_to_serve_costs_nothing() -> None:
    solution = solve_checked(EMPTY)
    assert (str(solution.status), solution.objective_usd) == ("optimal", 0.0)
    assert solution.contracts.empty and solution.binding.empty
