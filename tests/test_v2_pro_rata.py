"""Spec §10.6, ``horizon.end_effects = "pro_rata"``: the objective counts only payments in t ≤ T − 1.

Hand-worked (yearly periods, H = 8,760 h, one 1 kW chip of 1 PFLOPS per unit of demand):

- e11: 10 chips on a 36-month contract at $1/chip-hour over a 2-year horizon. Full: 3 years paid,
  10·8,760·3 = 262,800 USD; pro rata: the 2 horizon years only, 10·8,760·2 = 175,200 USD.
- :func:`switching`: demand 10 then 20 over 2 years, a 12-month offer at $1.20 and a 36-month one at
  $1.00. Full: a 36-month contract costs 3 years of rent, so every chip is on 12-month terms:
  (10 + 20)·1.2·8,760 = 315,360 USD. Pro rata: 10 chips on 36 months in 2026 count 2 years
  (175,200) and the 10 more of 2027 count 1 year at $1 (87,600) instead of $1.20 (105,120) on 12
  months: 262,800 USD, and the last year no longer signs short contracts.
"""

from __future__ import annotations

import copy
import json

import pytest
from support.feasibility import assert_feasible, check_solution
from support.instances import H, instance
from support.paths import EXPECTED
from support.solving import solve_checked

import optimizer
from optimizer import InstanceError, load_instance
from optimizer.input.paths import set_path
from optimizer.report.compare import compare
from optimizer.report.compare_page import build_comparison
from optimizer.report.plan_text import facts
from optimizer.solve.resolve import Resolver
from optimizer.terminal.summary import headline

O12 = {"id": "o12", "term_months": 12, "price_per_chip_hour": 1.2}
O36 = {"id": "o36", "term_months": 36, "price_per_chip_hour": 1.0}


def switching(end_effects: str | None = None, **extra) -> dict:
    """Demand 10 then 20; 12-month at $1.20 or 36-month at $1.00 (see the module docstring)."""
    data = instance([10, 20], [O12, O36], **extra)
    if end_effects is not None:
        data["horizon"]["end_effects"] = end_effects
    return data


def signed(solution: optimizer.Solution) -> dict[tuple[str, int], float]:
    """Chips signed per (offer, calendar year)."""
    c = solution.contracts
    return {(r.offer, int(r.year)): float(r.chips) for r in c.itertuples() if r.chips > 1e-9}


def test_e11_by_hand(examples_dir) -> None:
    data = json.loads((examples_dir / "e11_pro_rata_by_hand.json").read_text())
    solution = solve_checked(data)
    assert solution.status == optimizer.Status.OPTIMAL
    assert solution.objective_usd == pytest.approx(10 * 1.0 * H * 2, rel=1e-9)  # 175,200
    assert solution.objective_usd == pytest.approx(EXPECTED["e11_pro_rata_by_hand"]["objective_usd"], rel=1e-6)
    assert signed(solution) == pytest.approx({("a-k-36", 2026): 10})
    assert solution.contracts.npv_usd.sum() == pytest.approx(175_200)
    # Nominal spend is unchanged: 87,600 in each horizon year (the third year is past the horizon).
    assert solution.payments.set_index("year").total_usd.to_dict() == pytest.approx({2026: 87_600, 2027: 87_600})
    full = solve_checked(set_path(data, "horizon.end_effects", "full"))
    assert full.objective_usd == pytest.approx(10 * 1.0 * H * 3)  # 262,800
    assert signed(full) == signed(solution)


def test_the_last_year_no_longer_switches_to_short_contracts() -> None:
    full = solve_checked(switching())
    assert full.objective_usd == pytest.approx((10 + 20) * 1.2 * H)  # 315,360
    assert signed(full) == pytest.approx({("o12", 2026): 10, ("o12", 2027): 20})
    pro = solve_checked(switching("pro_rata"))
    assert pro.objective_usd == pytest.approx(10 * H * 2 + 10 * H * 1)  # 175,200 + 87,600 = 262,800
    assert signed(pro) == pytest.approx({("o36", 2026): 10, ("o36", 2027): 10})
    npv = pro.contracts.set_index("year").npv_usd.to_dict()
    assert npv == pytest.approx({2026: 175_200, 2027: 87_600})


def test_only_the_objective_coefficient_changes() -> None:
    full = optimizer.prepare(load_instance(switching()))
    pro = optimizer.prepare(load_instance(switching("pro_rata")))
    assert (pro.payments == full.payments).all()  # budgets and commitments read nominal payments
    # o36 signed in 2027 (τ = 1, T = 2): full counts t = 1, 2, 3; pro rata t = 1 only.
    assert full.npv_cost[1, 1] == pytest.approx(3 * H) and pro.npv_cost[1, 1] == pytest.approx(H)
    assert pro.npv_df.tolist() == [1.0, 1.0, 0.0, 0.0, 0.0]


def test_kpi_npv_parts_add_up_under_pro_rata() -> None:
    # Discount 10 %, onboarding $1,000, $400,000 committed over 2026–2027. Any optimal plan costs
    # 87,600·(1 + 1/1.1) for the 10 chips of 2026 (36 months, pro rata), the shortfall
    # (400,000 − 175,200)/1.1 paid in 2027 (a chip signed in 2027 to cut the shortfall costs as much
    # as it saves), and the fee: 167,236.36 + 204,363.64 + 1,000 = 372,600 USD.
    data = instance([10, 10], [{"id": "o36", "term_months": 36, "price_per_chip_hour": 1.0}], rate=0.1,
                    providers=[{"id": "p", "power_mw": 100, "onboarding_cost_usd": 1000}],
                    spend_commitments=[{"provider": "p", "years": [2026, 2027], "amount_usd": 400_000}])
    data["horizon"]["end_effects"] = "pro_rata"
    solution = solve_checked(data)
    assert solution.objective_usd == pytest.approx(372_600, rel=1e-9)
    parts = solution.kpis.npv.groupby("part").npv_usd.sum()
    assert parts.sum() == pytest.approx(solution.objective_usd, rel=1e-9)
    assert set(parts.index) == {"contracts", "shortfall", "onboarding"} and parts["onboarding"] == 1000


@pytest.mark.parametrize("name", ["e02_pro_rata_c23", "e03_pro_rata_c02"])
def test_kpi_npv_parts_add_up_on_the_examples(examples_dir, name: str) -> None:
    solution = solve_checked(json.loads((examples_dir / f"{name}.json").read_text()))
    assert solution.objective_usd == pytest.approx(EXPECTED[name]["objective_usd"], rel=1e-6)
    assert solution.kpis.npv.npv_usd.sum() == pytest.approx(solution.objective_usd, rel=1e-9)


def test_checker_recomputes_the_objective_pro_rata() -> None:
    data = switching("pro_rata")
    plan = json.loads(solve_checked(data).to_json())
    assert check_solution(data, plan).ok()
    # The same plan judged under "full" counts the years past the horizon: the objective is wrong.
    report = check_solution(switching("full"), plan)
    assert not report.ok() and report.objective_usd == pytest.approx(10 * H * 3 + 10 * H * 3)
    assert any(v.startswith("objective:") for v in report.violations)
    # And a plan whose stated objective is the full-term one is refused under pro rata.
    wrong = {**plan, "objective_usd": 525_600.0}
    assert not check_solution(data, wrong).ok()


def test_bad_value_is_an_input_error() -> None:
    data = switching("prorata")
    with pytest.raises(InstanceError) as info:
        load_instance(data)
    assert info.value.path == "horizon.end_effects"
    assert info.value.problem == "must be one of 'full' or 'pro_rata', got \"prorata\""
    bad = copy.deepcopy(switching())
    bad["horizon"]["end_effect"] = "pro_rata"
    with pytest.raises(InstanceError) as typo:
        load_instance(bad)
    assert typo.value.path == "horizon.end_effect" and "did you mean 'end_effects'" in typo.value.problem


def test_bad_value_exits_2(runner, write_instance) -> None:
    from cli import app

    path = write_instance(switching("none"))
    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == 2
    assert f"{path}: horizon.end_effects: must be one of 'full' or 'pro_rata', got \"none\"" in result.output


def test_in_place_flip_matches_rebuild() -> None:
    resolver = Resolver()
    first = resolver.solve(switching("full"))
    for value in ("pro_rata", "full", "pro_rata"):
        data = switching(value)
        fast = resolver.solve(data)
        assert resolver.in_place, resolver.reason
        ref = optimizer.solve(data)
        assert fast.objective_usd == pytest.approx(ref.objective_usd, rel=1e-9)
        assert signed(fast) == pytest.approx(signed(ref))
        assert_feasible(data, json.loads(fast.to_json()))
    assert first.objective_usd == pytest.approx(315_360)


def test_summary_report_and_comparison_say_pro_rata() -> None:
    full, pro = solve_checked(switching("full")), solve_checked(switching("pro_rata"))
    assert "NPV (pro rata) $262,800" in headline(pro).plain
    assert "pro rata" not in headline(full).plain
    assert facts(pro)[0].startswith("**Net present cost (pro rata): ")
    assert "pro rata" not in facts(full)[0]
    c = compare(full, pro, names=["full", "pro"])
    # The attribution follows each plan's own NPV (contracts.npv_usd) and adds up to the difference.
    assert c.attribution_by("pro", "part").sum() == pytest.approx(c.npv_difference("pro")) \
        == pytest.approx(262_800 - 315_360)
    assert "(pro rata)" in build_comparison(c).files("compare")["compare.md"]
