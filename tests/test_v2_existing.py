"""Spec v2 §10.3, existing contracts: chips and payments already signed, outside the model's choice.

The hand-worked example e10, where the chips start and stop on the time grid, the provider counted as
used without onboarding, the independent checker counting existing chips in ``a`` and their payments,
the input errors, and re-solves after a change of an existing contract.
"""

from __future__ import annotations

import copy
import json

import pytest
from support.feasibility import check_solution
from support.paths import EXAMPLES
from support.solving import solve_checked

import optimizer
from optimizer import InstanceError, load_instance, prepare
from optimizer.input.paths import set_path
from optimizer.solve.resolve import Resolver

E10 = json.loads((EXAMPLES / "e10_existing_by_hand.json").read_text())
H = 8760.0


def variant(**changes) -> dict:
    """e10 with top-level fields replaced."""
    return {**copy.deepcopy(E10), **copy.deepcopy(changes)}


def existing(**fields) -> list[dict]:
    return [{"offer": "a-k-12", "chips": 4, "start": "2025-07", **fields}]


def signed(solution: optimizer.Solution) -> dict:
    return {(r.offer, r.year): r.chips for r in solution.contracts.itertuples() if r.chips > 1e-9}


def test_e10_by_hand() -> None:
    # 4 chips signed in July 2025 for 12 months: 6 months left at the start, ceil(6·1/12) = 1 period, so
    # they serve all of 2026 (period 0). Demand 10 a year: 6 new chips in 2026, 10 in 2027, all at $1/h.
    by_hand = 4 * 1.0 * H + 6 * 1.0 * H + 10 * 1.0 * H
    assert by_hand == pytest.approx(175_200.0)
    solution = solve_checked(E10)
    assert str(solution.status) == "optimal" and not solution.is_mip
    assert solution.objective_usd == pytest.approx(by_hand, rel=1e-6)
    assert signed(solution) == pytest.approx({("a-k-12", 2026): 6.0, ("a-k-12", 2027): 10.0})
    (row,) = solution.existing.to_dict(orient="records")
    assert row == {"offer": "a-k-12", "provider": "a", "chip": "k", "start": "2025-07", "chips": 4.0,
                   "price_per_chip_hour": 1.0, "first_period": 0, "last_period": 0, "npv_usd": 4 * H}
    active = solution.active[solution.active.period == 0]
    assert active.chips.sum() == pytest.approx(10.0)  # existing chips are active chips
    assert dict(zip(solution.payments.year, solution.payments.contracts_usd, strict=True)) == pytest.approx(
        {2026: 10 * H, 2027: 10 * H})
    npv = solution.kpis.npv
    assert npv[npv.part == "existing"].npv_usd.sum() == pytest.approx(4 * H)
    assert npv.npv_usd.sum() == pytest.approx(by_hand)
    data = json.loads(solution.to_json())
    assert data["providers_used"] == ["a"]
    assert [c["chips"] for c in data["contracts"]] == pytest.approx([6.0, 10.0])  # new contracts only
    assert data["existing"][0]["start"] == "2025-07"


def test_written_and_read_back(tmp_path) -> None:
    solution = optimizer.solve(E10)
    solution.write(tmp_path)
    assert (tmp_path / "existing.csv").exists()
    back = optimizer.Solution.read(tmp_path)
    assert back.existing.to_dict(orient="records") == solution.existing.to_dict(orient="records")
    plain = optimizer.solve(variant(existing_contracts=[]))
    plain.write(tmp_path)  # without existing contracts: an empty table, and no key in solution.json
    assert optimizer.Solution.read(tmp_path).existing.empty and "existing" not in json.loads(plain.to_json())
    (tmp_path / "existing.csv").unlink()  # a folder written before §10.3 still reads
    assert optimizer.Solution.read(tmp_path).existing.empty


@pytest.mark.parametrize(("start", "periods_per_year", "first", "last"), [
    ("2025-07", 1, 0, 0),  # 6 months left: ceil(6/12) = 1 period
    ("2025-07", 12, 0, 5),  # 6 months left: periods 0…5
    ("2025-07", 4, 0, 1),  # ceil(6·4/12) = 2 quarters
    ("2025-02", 4, 0, 0),  # 1 month left: ceil(1·4/12) = 1 quarter
    ("2026-05", 4, 1, 4),  # μ = 4: τ_e = floor(4·4/12) = 1, L = 4 quarters
    ("2027-12", 1, 1, 1),  # μ = 23: τ_e = floor(23/12) = 1
    ("2027-12", 12, 23, 34),  # runs 11 periods past the horizon
])
def test_active_periods(start: str, periods_per_year: int, first: int, last: int) -> None:
    data = variant(existing_contracts=existing(start=start))
    data["horizon"]["periods_per_year"] = periods_per_year
    data["workloads"][0]["demand"] = {"base": 10}
    prep = prepare(load_instance(data))
    (c,) = prep.existing.contracts
    assert (c.first, c.end - 1) == (first, last)
    T = prep.periods.count
    inside = [t for t in range(T) if first <= t <= last]
    assert prep.existing.chips[0].nonzero()[0].tolist() == inside
    assert prep.existing.payments.sum() == pytest.approx(4 * H / periods_per_year * len(inside))


def test_price_is_the_contract_s_and_payments_past_the_horizon_count() -> None:
    # 4 chips from Dec 2027 at $0.5/h on a 12-month offer with 12 periods a year: 1 period inside the
    # horizon, 11 after it; all 12 count in the objective (full end effects), only 1 in the payments.
    data = variant(existing_contracts=existing(start="2027-12", price_per_chip_hour=0.5))
    data["horizon"]["periods_per_year"] = 12
    data["offers"][0]["price_change_per_year"] = 0.5  # never applies to an existing contract
    data["workloads"][0]["demand"] = {"base": 10}
    solution = solve_checked(data)
    assert solution.existing.price_per_chip_hour.tolist() == [0.5]
    assert solution.existing.npv_usd.tolist() == pytest.approx([4 * 0.5 * H])
    assert prepare(load_instance(data)).existing.payments[0].tolist() == pytest.approx([0.0, 4 * 0.5 * H / 12])
    data["horizon"]["end_effects"] = "pro_rata"  # §10.6: only the period inside the horizon counts
    pro_rata = solve_checked(data)
    assert pro_rata.existing.npv_usd.tolist() == pytest.approx([4 * 0.5 * H / 12])


def test_provider_is_used_without_onboarding() -> None:
    data = variant()
    data["providers"][0]["onboarding_cost_usd"] = 1e6  # already onboarded: not charged
    data["providers"].append({"id": "b", "power_mw": 100})
    data["offers"].append({"id": "b-k-12", "provider": "b", "chip": "k", "term_months": 12,
                           "price_per_chip_hour": 0.5})
    free = solve_checked(data)
    # b is cheaper: every new chip there, and a is still used (it holds the existing contract)
    assert free.objective_usd == pytest.approx(4 * H + 16 * 0.5 * H, rel=1e-6)
    assert free.providers_used == ["a", "b"]
    assert set(signed(free)) == {("b-k-12", 2026), ("b-k-12", 2027)}
    assert free.payments.onboarding_usd.sum() == 0.0
    data["providers_used"] = {"max": 1}  # a counts as used, so b cannot be
    one = solve_checked(data)
    assert one.objective_usd == pytest.approx(175_200.0, rel=1e-6)
    assert one.providers_used == ["a"]
    data["providers_used"] = {"min": 1}  # a alone meets it; C11b does not force a contract at a
    assert solve_checked(data).objective_usd == pytest.approx(4 * H + 16 * 0.5 * H, rel=1e-6)


def test_existing_chips_count_in_power_commitments_and_budgets() -> None:
    # C3: 9 MW at a in 2026 holds the 4 existing chips and only 5 new ones (1 MW each)
    data = variant(providers=[{"id": "a", "power_mw": {"2026": 9, "2027": 100}}])
    assert solve_checked(data).status == optimizer.Status.INFEASIBLE
    (f,) = optimizer.diagnose(prepare(load_instance(data)))
    assert f.message == "providers[0].power_mw (a) in 2026: needs 1.0 MW more"
    # C7: a spend commitment on a in 2026 of 10 chip-years is met by 4 existing + 6 new: no shortfall
    data = variant(spend_commitments=[{"provider": "a", "years": [2026, 2026], "amount_usd": 10 * H}])
    solution = solve_checked(data)
    assert solution.shortfalls.empty and solution.objective_usd == pytest.approx(175_200.0, rel=1e-6)
    # C6: the 2026 budget pays the existing chips too
    data = variant(budget={"per_year_usd": 10 * H - 1})
    assert solve_checked(data).status == optimizer.Status.INFEASIBLE


def test_scenarios_see_the_existing_chips() -> None:
    scenarios = {"first_stage_years": 1, "cases": [
        {"id": "low", "probability": 0.5, "demand_multiplier": {"*": {"2026": 1, "2027": 0.5}}},
        {"id": "high", "probability": 0.5, "demand_multiplier": {"*": {"2026": 1, "2027": 2}}}]}
    solution = solve_checked(variant(scenarios=scenarios))
    # 4 existing + 6 new in 2026; 5 or 20 new in 2027
    assert solution.objective_usd == pytest.approx(4 * H + 6 * H + 0.5 * 5 * H + 0.5 * 20 * H, rel=1e-6)
    if "risk" in optimizer.input.schema.Instance.model_fields:  # §10.7: C_s holds the existing contract too
        risky = solve_checked(variant(scenarios=scenarios, risk={"cvar_alpha": 0.5, "weight": 0.5}))
        low, high = 10 * H + 5 * H, 10 * H + 20 * H
        assert risky.objective_usd == pytest.approx(0.5 * (0.5 * low + 0.5 * high) + 0.5 * high, rel=1e-6)


def test_checker_counts_existing_chips() -> None:
    solution = json.loads(optimizer.solve(E10).to_json())
    assert check_solution(E10, solution).ok()
    broken = copy.deepcopy(solution)
    for row in broken["contracts"]:
        if row["year"] == 2026:
            row["chips"] = 5.0  # 4 existing + 5 new = 9 active, but 10 allocated
    report = check_solution(E10, broken)
    assert report.violations[0] == "C2 capacity offer a-k-12 period 0: allocated 10 chips > active 9 chips"
    smaller = variant(providers=[{"id": "a", "power_mw": 9.5}])  # 10 MW held in 2026 with the existing chips
    assert any(v.startswith("C3") for v in check_solution(smaller, solution).violations)
    # without the existing contract the objective is 4·H too high and a holds the chips allocated less
    report = check_solution(variant(existing_contracts=[]), solution)
    assert any(v.startswith("objective") for v in report.violations)
    assert any(v.startswith("C2") for v in report.violations)
    # supply (C5) ignores existing chips: 6 new chips a year is enough
    capped = copy.deepcopy(E10)
    capped["offers"][0]["max_new_chips_per_year"] = {"2026": 6, "2027": 10}
    assert check_solution(capped, solution).ok()


@pytest.mark.parametrize(("entry", "path", "message"), [
    (existing(start="2025-13"), "existing_contracts[0].start", "'2025-13' is not a month 'YYYY-MM' (month 01–12)"),
    (existing(start="2025-7"), "existing_contracts[0].start", "'2025-7' is not a month 'YYYY-MM' (month 01–12)"),
    (existing(start="July 2025"), "existing_contracts[0].start",
     "'July 2025' is not a month 'YYYY-MM' (month 01–12)"),
    (existing(start=202507), "existing_contracts[0].start", "expected a string, got a number"),
    (existing(offer="zz"), "existing_contracts[0].offer", "unknown offer 'zz' (known: a-k-12)"),
    (existing(chips=0), "existing_contracts[0].chips", "must be > 0, got 0"),
    (existing(chips=-1), "existing_contracts[0].chips", "must be > 0, got -1"),
    (existing(price_per_chip_hour=0), "existing_contracts[0].price_per_chip_hour", "must be > 0, got 0"),
    (existing(start="2025-01"), "existing_contracts[0].start",
     "the contract expired before the horizon starts (2026-01): 12 months from 2025-01"),
    (existing(start="2028-01"), "existing_contracts[0].start", "2028-01 is after the horizon (2026-01 to 2027-12)"),
    (existing(price=1), "existing_contracts[0].price",
     "unknown field 'price' (known: offer, chips, start, price_per_chip_hour)"),
    ([{"offer": "a-k-12", "chips": 4}], "existing_contracts[0].start", "required field is missing"),
])
def test_input_errors(entry: list, path: str, message: str) -> None:
    with pytest.raises(InstanceError) as caught:
        load_instance(variant(existing_contracts=entry))
    assert str(caught.value) == f"<instance>: {path}: {message}"


@pytest.mark.parametrize(("path", "values"), [
    ("existing_contracts[0].chips", [2, 8, 12, 4]),
    ("existing_contracts[0].start", ["2026-01", "2025-03", "2027-06"]),
    ("existing_contracts[0].price_per_chip_hour", [0.5, 2.0]),
])
def test_re_solves_match_a_rebuild(path: str, values: list) -> None:
    resolver = Resolver()
    assert resolver.solve(E10).status == optimizer.Status.OPTIMAL
    for value in values:
        data = set_path(E10, path, value)
        again = resolver.solve(data)
        assert not resolver.in_place and "existing" in resolver.reason  # a structural change: rebuilt
        ref = solve_checked(data)
        assert again.status == ref.status
        assert again.objective_usd == pytest.approx(ref.objective_usd, rel=1e-7)


def test_an_offer_no_longer_sold_still_serves_and_the_size_estimate_counts_it() -> None:
    from optimizer.model import build_model
    from optimizer.solve.compile import compile_to_highs
    from optimizer.solve.health import estimate_size

    data = variant(existing_contracts=existing(offer="old", start="2026-01", chips=12))
    data["offers"].append({"id": "old", "provider": "a", "chip": "k", "term_months": 24, "price_per_chip_hour": 0.5,
                           "available": {"until": 2025}, "max_new_chips_per_year": 0, "min_chips": 5,
                           "block_chips": 7})  # none of these apply to an existing contract
    solution = solve_checked(data)
    assert solution.objective_usd == pytest.approx(12 * 0.5 * H * 2, rel=1e-6) and solution.contracts.empty
    inst = load_instance(data)
    est = estimate_size(inst)
    _, compiled = compile_to_highs(build_model(prepare(inst)))
    assert len(compiled.columns) <= est.variables <= len(compiled.columns) + 2
    assert len(compiled.rows) <= est.rows <= 1.2 * len(compiled.rows) + 10
