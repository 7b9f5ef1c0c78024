"""Hand-computed optima of tiny instances, one per feature; every plan also passes the checker.

Unless said otherwise: yearly periods (H = 8760 h), discount rate 0, one chip "k" of 1 kW with
1 bf16 PFLOPS, efficiency 1, so one chip serves one unit of demand for a year at price·8760 USD.
"""

from __future__ import annotations

import pytest
from support.instances import O12, O24, H, instance
from support.solving import solve_checked

import optimizer


def objective(data: dict, **options) -> float:
    solution = solve_checked(data, **options)
    assert solution.status == optimizer.Status.OPTIMAL, solution.diagnosis
    return solution.objective_usd


def test_long_term_contract_wins_for_flat_demand() -> None:
    # 100 chips on the 24-month offer: 100·0.9·8760·2 = 1,576,800 < 12-month twice: 1,752,000.
    assert objective(instance([100, 100], [O12, O24])) == pytest.approx(1_576_800)


def test_mix_of_terms_for_falling_demand() -> None:
    # 50 on 24 months (788,400) + 50 on 12 months in 2026 (438,000) = 1,226,400.
    assert objective(instance([100, 50], [O12, O24])) == pytest.approx(1_226_400)


def test_payments_past_the_horizon_are_paid_and_discounted() -> None:
    # Only the 24-month offer, r = 25 %: df = 1, 0.8, 0.64. Signing in 2027 pays t = 1 and t = 2
    # (past the horizon): 100·0.9·8760·(0.8 + 0.64) = 1,135,296, cheaper than signing in 2026
    # (1 + 0.8 → 1,419,120). Ignoring the payment past the horizon would give 630,720.
    data = instance([0, 100], [O24], rate=0.25)
    solution = solve_checked(data)
    assert solution.objective_usd == pytest.approx(1_135_296)
    assert solution.contracts.period.tolist() == [1]


def test_whole_blocks() -> None:
    # 100 chips needed, racks of 64 → 2 racks = 128 chips: 128·8760 = 1,121,280.
    data = instance([100], [{**O12, "block_chips": 64}])
    solution = solve_checked(data)
    assert solution.objective_usd == pytest.approx(1_121_280)
    assert solution.contracts.chips.tolist() == pytest.approx([128])


@pytest.mark.parametrize(("need", "want"), [(10, 10 * 2 * H), (40, 50 * 1 * H)])
def test_minimum_contract(need: float, want: float) -> None:
    # Offer a: $1 but at least 50 chips; offer b: $2, any size. 10 chips → b (175,200 < 438,000);
    # 40 chips → 50 on a (438,000 < 700,800).
    offers = [{"id": "a", "term_months": 12, "price_per_chip_hour": 1.0, "min_chips": 50},
              {"id": "b", "term_months": 12, "price_per_chip_hour": 2.0}]
    assert objective(instance([need], offers)) == pytest.approx(want)


@pytest.mark.parametrize(("need", "want"), [(10, 175_200), (20, 275_200)])
def test_onboarding_fee(need: float, want: float) -> None:
    # p: $2, no fee. q: $1 and a 100,000 USD fee. 10 chips: p 175,200 < q 87,600 + 100,000.
    # 20 chips: q 175,200 + 100,000 = 275,200 < p 350,400.
    providers = [{"id": "p", "power_mw": 100}, {"id": "q", "power_mw": 100, "onboarding_cost_usd": 100_000}]
    offers = [{"id": "pk", "term_months": 12, "price_per_chip_hour": 2.0},
              {"id": "qk", "provider": "q", "term_months": 12, "price_per_chip_hour": 1.0}]
    solution = solve_checked(instance([need], offers, providers=providers))
    assert solution.objective_usd == pytest.approx(want)
    assert solution.providers_used == (["p"] if need == 10 else ["q"])


def test_spend_commitment_is_met_by_shifting_chips() -> None:
    # Take-or-pay 100,000 at q ($2) while p costs $1. Each chip moved to q costs 8,760 more but
    # cuts the shortfall by 17,520, so q gets 100,000/17,520 chips: 100,000 + (10 − 5.7078)·8,760
    # = 137,600 and no shortfall.
    providers = [{"id": "p", "power_mw": 100}, {"id": "q", "power_mw": 100}]
    offers = [{"id": "pk", "term_months": 12, "price_per_chip_hour": 1.0},
              {"id": "qk", "provider": "q", "term_months": 12, "price_per_chip_hour": 2.0}]
    data = instance([10], offers, providers=providers,
                    spend_commitments=[{"provider": "q", "years": [2026, 2026], "amount_usd": 100_000}])
    solution = solve_checked(data)
    assert solution.objective_usd == pytest.approx(137_600)
    assert solution.shortfalls.empty


def test_shortfall_paid_at_the_last_horizon_year_of_the_window() -> None:
    # q holds 1 chip at most (1 kW of power). Commitment 1,000,000 at q over 2026–2030; the
    # horizon ends 2027 so the shortfall is paid at t = 1 (df 0.8 at r = 25 %).
    # A q chip costs 8,760 more than a p chip but cuts the shortfall by 17,520·0.8 → use it.
    # p: 9·8,760·1.8 = 141,912; q: 17,520·1.8 = 31,536; shortfall 1,000,000 − 2·17,520 = 964,960
    # paid at 0.8 → 771,968. Total 945,416.
    providers = [{"id": "p", "power_mw": 100}, {"id": "q", "power_mw": 0.001}]
    offers = [{"id": "pk", "term_months": 12, "price_per_chip_hour": 1.0},
              {"id": "qk", "provider": "q", "term_months": 12, "price_per_chip_hour": 2.0}]
    data = instance([10, 10], offers, providers=providers, rate=0.25,
                    spend_commitments=[{"provider": "q", "years": [2026, 2030], "amount_usd": 1_000_000}])
    solution = solve_checked(data)
    assert solution.objective_usd == pytest.approx(945_416)
    assert solution.shortfalls.usd.tolist() == pytest.approx([964_960])
    assert solution.payments.query("provider == 'q' and year == 2027").shortfall_usd.tolist() == pytest.approx(
        [964_960])


def test_two_stage_scenarios() -> None:
    # Demand 100 in 2026; 2027 is 50 (lo) or 150 (hi), p = ½ each; 2026 contracts are shared.
    # With a 24-month chips signed in 2026: cost/8760 = (100 − a) + 1.8a + ½·max(0, 50 − a)
    # + ½·max(0, 150 − a), minimal at a = 50: 190 → 1,664,400.
    data = instance([100, 100], [O12, O24], scenarios={"first_stage_years": 1, "cases": [
        {"id": "lo", "probability": 0.5, "demand_multiplier": {"w": {"2026": 1, "2027": 0.5}}},
        {"id": "hi", "probability": 0.5, "demand_multiplier": {"*": {"2026": 1, "2027": 1.5}}}]})
    solution = solve_checked(data)
    assert solution.objective_usd == pytest.approx(1_664_400)
    plan = {(r.offer, r.period, r.scenario): r.chips for r in solution.contracts.itertuples()}
    assert plan == pytest.approx({("o24", 0, "lo"): 50, ("o24", 0, "hi"): 50, ("o12", 0, "lo"): 50,
                                  ("o12", 0, "hi"): 50, ("o12", 1, "hi"): 100})


def test_diversification_by_mw() -> None:
    # p ($1) may hold at most 60 % of MW; q costs $2: 60 + 40·2 = 140 → 1,226,400.
    providers = [{"id": "p", "power_mw": 100}, {"id": "q", "power_mw": 100}]
    offers = [{"id": "pk", "term_months": 12, "price_per_chip_hour": 1.0},
              {"id": "qk", "provider": "q", "term_months": 12, "price_per_chip_hour": 2.0}]
    data = instance([100], offers, providers=providers, diversification={"max_share": 0.6, "metric": "mw"})
    assert objective(data) == pytest.approx(1_226_400)


def test_capacity_commitment_forces_chips_that_then_serve_demand() -> None:
    # p ($2) must hold 0.05 MW of k = 50 chips; they cover the demand of 10, so q ($1) is unused.
    providers = [{"id": "p", "power_mw": 100}, {"id": "q", "power_mw": 100}]
    offers = [{"id": "pk", "term_months": 12, "price_per_chip_hour": 2.0},
              {"id": "qk", "provider": "q", "term_months": 12, "price_per_chip_hour": 1.0}]
    data = instance([10], offers, providers=providers,
                    capacity_commitments=[{"provider": "p", "chips": ["k"], "years": [2026, 2026], "min_mw": 0.05}])
    assert objective(data) == pytest.approx(876_000)


def test_providers_used_minimum() -> None:
    # Two providers must be used: q ($2) gets one chip (z ≤ Σx), p the other 9: 11·8,760 = 96,360.
    providers = [{"id": "p", "power_mw": 100}, {"id": "q", "power_mw": 100}]
    offers = [{"id": "pk", "term_months": 12, "price_per_chip_hour": 1.0},
              {"id": "qk", "provider": "q", "term_months": 12, "price_per_chip_hour": 2.0}]
    data = instance([10], offers, providers=providers, providers_used={"min": 2})
    solution = solve_checked(data)
    assert solution.objective_usd == pytest.approx(96_360)
    assert solution.providers_used == ["p", "q"]


def test_global_power() -> None:
    # k (1 kW, $1) at p, j (0.5 kW, $1.5) at q; 100 chips within 0.07 MW → at most 40 k:
    # 40 + 60·1.5 = 130 → 1,138,800.
    providers = [{"id": "p", "power_mw": 100}, {"id": "q", "power_mw": 100}]
    chips = [{"id": "k", "power_kw": 1.0, "perf": {"bf16": 1.0}}, {"id": "j", "power_kw": 0.5, "perf": {"bf16": 1.0}}]
    offers = [{"id": "pk", "term_months": 12, "price_per_chip_hour": 1.0},
              {"id": "qj", "provider": "q", "chip": "j", "term_months": 12, "price_per_chip_hour": 1.5}]
    data = instance([100], offers, providers=providers, chips=chips, global_power_mw=0.07)
    assert objective(data) == pytest.approx(1_138_800)


def test_supply_cap() -> None:
    # Only 30 new chips a year on the $1 offer; the rest at $2: 30 + 70·2 = 170 → 1,489,200.
    offers = [{**O12, "max_new_chips_per_year": 30}, {"id": "b", "term_months": 12, "price_per_chip_hour": 2.0}]
    assert objective(instance([100], offers)) == pytest.approx(1_489_200)


def test_budget_per_year_forces_a_long_contract() -> None:
    # Demand 100 in 2026, none in 2027. 12-month at $1: 8,760 a chip, all paid in 2026. 24-month at
    # $0.6: 5,256 in 2026 and again in 2027 (10,512, dearer overall). A 2026 budget of 700,000
    # allows b 12-month chips with 8,760·b + 5,256·(100 − b) ≤ 700,000 → b ≤ 174,400/3,504.
    # Cost 10,512·100 − 1,752·b = 1,051,200 − 87,200 = 964,000.
    offers = [O12, {"id": "o24", "term_months": 24, "price_per_chip_hour": 0.6}]
    data = instance([100, 0], offers, budget={"per_year_usd": 700_000})
    solution = solve_checked(data)
    assert solution.objective_usd == pytest.approx(964_000)
    assert "budget per year" in set(solution.binding.limit)


def test_total_budget_too_small_is_infeasible_with_the_shortfall() -> None:
    data = instance([100], [O12], budget={"total_usd": 800_000})
    solution = optimizer.solve(data)
    assert solution.status == optimizer.Status.INFEASIBLE
    assert solution.objective_usd is None
    (finding,) = solution.diagnosis
    assert finding["path"] == "budget.total_usd"
    assert finding["amount"] == pytest.approx(76_000)  # 876,000 needed


def test_providers_used_counts_shared_contracts_once_per_scenario() -> None:
    # Spec C11: z[p] ≤ Σ_s Σ x[o, τ, s]. With two cases and every contract first stage, a shared
    # contract appears in both sums, so half a chip at q "uses" q: 9.5·8,760 + 0.5·2·8,760 = 91,980.
    providers = [{"id": "p", "power_mw": 100}, {"id": "q", "power_mw": 100}]
    offers = [{"id": "pk", "term_months": 12, "price_per_chip_hour": 1.0},
              {"id": "qk", "provider": "q", "term_months": 12, "price_per_chip_hour": 2.0}]
    data = instance([10], offers, providers=providers, providers_used={"min": 2}, scenarios={
        "first_stage_years": 1, "cases": [{"id": "a", "probability": 0.5}, {"id": "b", "probability": 0.5}]})
    solution = solve_checked(data)
    assert solution.objective_usd == pytest.approx(91_980)
    assert solution.providers_used == ["p", "q"]
