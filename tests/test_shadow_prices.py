"""Shadow prices against hand-computed marginal costs, confirmed by re-solving with the limit moved."""

from __future__ import annotations

import copy

import pytest
from support.instances import CHEAP_P, TWO, H, instance
from support.solving import solve_checked


def price(solution, limit: str, subject: str | None = None, year: int | None = 2026) -> float:
    sp = solution.shadow_prices
    rows = sp[(sp.limit == limit) & ((sp.subject == subject) if subject else True)
              & ((sp.year == year) if year else True)]
    assert len(rows) == 1, sp
    return float(rows.shadow_price.iloc[0])


def moved(data: dict, change, delta: float) -> float:
    """NPV after moving one limit by ``delta`` (finite difference of the re-solved plan)."""
    data = copy.deepcopy(data)
    change(data, delta)
    return solve_checked(data).objective_usd


def test_binding_provider_power() -> None:
    # p ($1) holds 0.05 MW = 50 chips; the other 50 chips go to q ($2). One more MW at p moves
    # 1,000 chips from q to p, saving 8,760 each: −8,760,000 USD per MW.
    providers = [{"id": "p", "power_mw": 0.05}, {"id": "q", "power_mw": 100}]
    data = instance([100], CHEAP_P, providers=providers)
    solution = solve_checked(data)
    assert price(solution, "provider power", "p") == pytest.approx(-8_760_000)
    bump = moved(data, lambda d, x: d["providers"][0].__setitem__("power_mw", 0.05 + x), 0.001)
    assert (bump - solution.objective_usd) / 0.001 == pytest.approx(-8_760_000)
    assert "provider power" in set(solution.binding.limit)


def test_demand_costs_the_marginal_chip() -> None:
    # The next PFLOPS sustained through 2026 comes from q: 2·8,760 = 17,520 USD per PFLOPS-year.
    providers = [{"id": "p", "power_mw": 0.05}, {"id": "q", "power_mw": 100}]
    data = instance([100], CHEAP_P, providers=providers)
    solution = solve_checked(data)
    assert price(solution, "demand", "w") == pytest.approx(2 * H)
    bump = moved(data, lambda d, x: d["workloads"][0]["demand"].__setitem__("series", [100 + x]), 1.0)
    assert bump - solution.objective_usd == pytest.approx(2 * H)


def test_quarterly_demand_price_sums_over_the_year() -> None:
    # Quarterly periods: each quarter's dual is 1·2,190; the year's price is 4·2,190 = 8,760.
    data = instance([10] * 4, [{"id": "o", "term_months": 3, "price_per_chip_hour": 1.0}], years=1)
    data["horizon"]["periods_per_year"] = 4
    solution = solve_checked(data)
    assert price(solution, "demand", "w") == pytest.approx(H)


def test_budget_per_year() -> None:
    # From test_optima: cost = 1,051,200 − 1,752·b with b = (B − 525,600)/3,504, so dNPV/dB = −0.5.
    offers = [{"id": "o12", "term_months": 12, "price_per_chip_hour": 1.0},
              {"id": "o24", "term_months": 24, "price_per_chip_hour": 0.6}]
    data = instance([100, 0], offers, budget={"per_year_usd": 700_000})
    solution = solve_checked(data)
    assert price(solution, "budget per year", "per year") == pytest.approx(-0.5)
    bump = moved(data, lambda d, x: d["budget"].__setitem__("per_year_usd", 700_000 + x), 1000.0)
    assert (bump - solution.objective_usd) / 1000.0 == pytest.approx(-0.5)


def test_spend_commitment() -> None:
    # From test_optima: NPV = A + (10 − A/17,520)·8,760 = 0.5·A + 87,600, so dNPV/dA = 0.5.
    data = instance([10], CHEAP_P, providers=TWO,
                    spend_commitments=[{"provider": "q", "years": [2026, 2026], "amount_usd": 100_000}])
    solution = solve_checked(data)
    assert price(solution, "spend commitment", year=None) == pytest.approx(0.5)


def test_diversification_per_percentage_point() -> None:
    # NPV = (100σ + 2·100(1 − σ))·8,760 = (200 − 100σ)·8,760: −8,760 USD per percentage point.
    data = instance([100], CHEAP_P, providers=TWO, diversification={"max_share": 0.6, "metric": "mw"})
    solution = solve_checked(data)
    assert price(solution, "diversification", "p") == pytest.approx(-8_760)
    bump = moved(data, lambda d, x: d["diversification"].__setitem__("max_share", 0.6 + x), 0.01)
    assert bump - solution.objective_usd == pytest.approx(-8_760)


def test_milp_duals_come_from_the_fixed_lp() -> None:
    # Onboarding fee on q makes it a MILP; with q chosen (z fixed at 1), the next PFLOPS costs
    # q's price, 8,760 USD per PFLOPS-year.
    providers = [{"id": "p", "power_mw": 100}, {"id": "q", "power_mw": 100, "onboarding_cost_usd": 100_000}]
    offers = [{"id": "pk", "term_months": 12, "price_per_chip_hour": 2.0},
              {"id": "qk", "provider": "q", "term_months": 12, "price_per_chip_hour": 1.0}]
    solution = solve_checked(instance([20], offers, providers=providers))
    assert solution.is_mip and "integer decisions fixed" in solution.duals_note
    assert price(solution, "demand", "w") == pytest.approx(H)
    assert solution.to_dict()["duals_note"] == solution.duals_note


def test_scenario_duals_are_probability_weighted() -> None:
    # Two equally likely cases, no first stage: each case buys its own chips, so one more
    # PFLOPS in one case costs 8,760·½ in expectation.
    data = instance([10], [{"id": "o", "term_months": 12, "price_per_chip_hour": 1.0}], scenarios={
        "first_stage_years": 0, "cases": [{"id": "a", "probability": 0.5}, {"id": "b", "probability": 0.5}]})
    solution = solve_checked(data)
    sp = solution.shadow_prices
    assert sp[sp.limit == "demand"].set_index("scenario").shadow_price.to_dict() == pytest.approx(
        {"a": H / 2, "b": H / 2})
