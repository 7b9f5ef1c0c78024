"""KPIs checked by hand on test_optima's tiny instances (yearly periods, H = 8,760 h, a 1 kW chip of 1 PFLOPS)."""

from __future__ import annotations

import pytest
from support.instances import CHEAP_P, O12, O24, TWO, H, instance
from support.solving import solve_checked

from optimizer.results.kpis import EXPECTED


def headline(solution, scenario=None) -> dict[str, float]:
    h = solution.kpis.headline
    rows = h[h.scenario.isna()] if scenario is None else h[h.scenario == scenario]
    return dict(zip(rows.kpi, rows.value, strict=True))


def test_npv_spend_and_effective_cost_of_a_two_term_plan() -> None:
    # Demand 100 then 50: 50 chips on the 24-month offer ($0.9) and 50 on the 12-month one ($1) in 2026.
    solution = solve_checked(instance([100, 50], [O12, O24]))
    k = solution.kpis
    assert k.npv.npv_usd.sum() == pytest.approx(1_226_400) == solution.objective_usd
    assert set(k.npv.part) == {"contracts"} and set(k.npv.year) == {2026}
    spend = k.spend.set_index("year").total_usd
    assert spend[2026] == pytest.approx(50 * 0.9 * H + 50 * H)  # 832,200
    assert spend[2027] == pytest.approx(50 * 0.9 * H)  # 394,200
    # All rent goes to the one workload, which receives 100 + 50 PFLOPS-years.
    (uc,) = k.unit_costs.itertuples()
    assert uc.usd == pytest.approx(1_226_400)
    assert uc.metric_hours == pytest.approx(150 * H)
    assert uc.usd_per_metric_hour == pytest.approx(1_226_400 / (150 * H))
    h = headline(solution)
    assert h["NPV"] == pytest.approx(1_226_400)
    assert h["effective cost, w"] == pytest.approx(1_226_400 / (150 * H))
    assert h["HHI of MW shares, whole horizon"] == pytest.approx(10_000)
    assert h["peak power held"] == pytest.approx(0.1)
    power = k.power_shares.set_index("year")
    assert power.headroom_mw.to_dict() == pytest.approx({2026: 100 - 0.1, 2027: 100 - 0.05})


def test_shares_and_concentration_under_diversification() -> None:
    # p may hold 60 % of MW: 60 chips at p ($1), 40 at q ($2). HHI = 60² + 40² = 5,200.
    data = instance([100], CHEAP_P, providers=TWO, diversification={"max_share": 0.6, "metric": "mw"})
    solution = solve_checked(data)
    k = solution.kpis
    assert k.power_shares.set_index("provider").share.to_dict() == pytest.approx({"p": 0.6, "q": 0.4})
    assert k.concentration.hhi.tolist() == pytest.approx([5_200])
    delivered = k.compute_shares[k.compute_shares.kind == "workload"].set_index("provider").share
    assert delivered.to_dict() == pytest.approx({"p": 0.6, "q": 0.4})
    held = k.compute_shares[k.compute_shares.kind == "metric"].set_index("provider").amount
    assert held.to_dict() == pytest.approx({"p": 60, "q": 40})
    h = headline(solution)
    assert (h["share of MW held, p"], h["share of MW held, q"]) == pytest.approx((60, 40))
    assert h["effective cost, w"] == pytest.approx((60 + 40 * 2) / 100)  # $1.40 per PFLOPS-hour


def test_capacity_commitment_use_and_idle_chips() -> None:
    # p must hold 0.05 MW (50 chips at $2) in 2026; demand is 10. Whatever part of the 50 chips the
    # allocation gives the workload, it pays $2 per PFLOPS-hour; the rest of the rent is idle.
    providers = TWO
    offers = [{"id": "pk", "term_months": 12, "price_per_chip_hour": 2.0},
              {"id": "qk", "provider": "q", "term_months": 12, "price_per_chip_hour": 1.0}]
    data = instance([10], offers, providers=providers,
                    capacity_commitments=[{"provider": "p", "chips": ["k"], "years": [2026, 2026], "min_mw": 0.05}])
    solution = solve_checked(data)
    (c,) = solution.kpis.commitments.itertuples()
    assert (c.kind, c.provider, c.unit, c.committed, c.shortfall) == ("capacity", "p", "MW", 0.05, 0)
    assert c.achieved == pytest.approx(0.05)
    h = headline(solution)
    assert h["effective cost, w"] == pytest.approx(2.0)
    uc = solution.kpis.unit_costs.usd.sum()
    assert uc + h["idle chip cost, nominal"] == pytest.approx(50 * 2 * H)


def test_spend_commitment_met() -> None:
    # q must be paid 100,000 in 2026: it is, exactly, with no shortfall.
    data = instance([10], CHEAP_P, providers=TWO,
                    spend_commitments=[{"provider": "q", "years": [2026, 2026], "amount_usd": 100_000}])
    (c,) = solve_checked(data).kpis.commitments.itertuples()
    assert (c.kind, c.index, c.provider, c.first_year, c.last_year) == ("spend", 0, "q", 2026, 2026)
    assert (c.committed, c.achieved, c.shortfall) == pytest.approx((100_000, 100_000, 0))


def test_shortfall_is_an_npv_part_discounted_to_its_payment_year() -> None:
    # From test_optima: q is paid 2·17,520 of 1,000,000 within the horizon (2026–2027); the
    # shortfall 964,960 is paid in 2027 at df = 0.8 → 771,968 of the NPV 945,416.
    providers = [{"id": "p", "power_mw": 100}, {"id": "q", "power_mw": 0.001}]
    data = instance([10, 10], CHEAP_P, providers=providers, rate=0.25,
                    spend_commitments=[{"provider": "q", "years": [2026, 2030], "amount_usd": 1_000_000}])
    solution = solve_checked(data)
    k = solution.kpis
    (c,) = k.commitments.itertuples()
    assert (c.achieved, c.shortfall) == pytest.approx((35_040, 964_960))
    short = k.npv[k.npv.part == "shortfall"]
    assert (short.provider.tolist(), short.year.tolist(), short.chip.tolist()) == (["q"], [2027], [None])
    assert short.npv_usd.tolist() == pytest.approx([771_968])
    assert k.npv.npv_usd.sum() == pytest.approx(945_416)
    assert headline(solution)["take-or-pay shortfalls, nominal"] == pytest.approx(964_960)


def test_onboarding_fee_is_an_npv_part() -> None:
    # 20 chips: q ($1 + a 100,000 fee) wins; a MILP.
    providers = [{"id": "p", "power_mw": 100}, {"id": "q", "power_mw": 100, "onboarding_cost_usd": 100_000}]
    offers = [{"id": "pk", "term_months": 12, "price_per_chip_hour": 2.0},
              {"id": "qk", "provider": "q", "term_months": 12, "price_per_chip_hour": 1.0}]
    k = solve_checked(instance([20], offers, providers=providers)).kpis
    parts = k.npv.groupby("part").npv_usd.sum().to_dict()
    assert parts == pytest.approx({"contracts": 20 * H, "onboarding": 100_000})


def test_power_headroom_at_a_binding_limit() -> None:
    # p (0.05 MW) is full: 50 chips; q holds the other 50.
    providers = [{"id": "p", "power_mw": 0.05}, {"id": "q", "power_mw": 100}]
    solution = solve_checked(instance([100], CHEAP_P, providers=providers))
    ps = solution.kpis.power_shares.set_index("provider")
    assert ps.headroom_mw.to_dict() == pytest.approx({"p": 0.0, "q": 100 - 0.05})
    assert headline(solution)["provider-years at their power limit"] == 1


def test_scenario_rows_and_expected_values() -> None:
    # test_optima's two-stage case: lo pays 50·0.9·8,760·2 + 50·8,760 = 1,226,400; hi also signs
    # 100 twelve-month chips in 2027 (+876,000) = 2,102,400; expected ½·(…) = 1,664,400.
    data = instance([100, 100], [O12, O24], scenarios={"first_stage_years": 1, "cases": [
        {"id": "lo", "probability": 0.5, "demand_multiplier": {"w": {"2026": 1, "2027": 0.5}}},
        {"id": "hi", "probability": 0.5, "demand_multiplier": {"*": {"2026": 1, "2027": 1.5}}}]})
    solution = solve_checked(data)
    npv = {s: headline(solution, s)["NPV"] for s in ("lo", "hi", EXPECTED)}
    assert npv == pytest.approx({"lo": 1_226_400, "hi": 2_102_400, EXPECTED: 1_664_400})
    assert solution.kpis.overall()[("NPV", "USD")] == pytest.approx(solution.objective_usd)
    uc = solution.kpis.unit_costs.set_index("scenario")
    # Every chip is in use and paid within the horizon: rent = NPV in each case. The expected
    # effective cost is expected rent over expected PFLOPS-hours: 1,664,400 / (200·8,760) = $0.95.
    assert uc.usd.to_dict() == pytest.approx({"lo": 1_226_400, "hi": 2_102_400, EXPECTED: 1_664_400})
    assert uc.metric_hours.to_dict() == pytest.approx({"lo": 150 * H, "hi": 250 * H, EXPECTED: 200 * H})
    assert uc.usd_per_metric_hour[EXPECTED] == pytest.approx(0.95)
