"""Two-stage reporting: first-stage decisions, recourse and per-scenario outcomes, solved by hand.

The instance (``hedge_instance``): yearly 2026–2027, discount rate 25 % (df = 1, 0.8, 0.64), one
chip k (1 kW, 1 PFLOPS), demand 100 in 2026 and, in 2027, 50 (lo) or 150 (hi), p = ½ each;
2026 contracts are first stage.
- p: power 100 MW, onboarding fee 10,000 USD; offer pk, 12 months at $1 (8,760 USD per chip-year).
- q: power 100 MW; offer qk, 24 months at $1, signable from 2027 only (it pays 2027 and 2028).
- Take-or-pay at q: 700,800 USD (= 80 chip-years) in 2027; a shortfall is paid in 2027 (df 0.8).

2026: only pk can serve: 100 pk → NPV 876,000, plus the 10,000 fee (p is used).
2027, per chip: pk costs 8,760·0.8 = 7,008; qk costs 8,760·(0.8 + 0.64) = 12,614.4 and cuts the
shortfall by 8,760 paid at 0.8 = 7,008. A qk chip that serves demand saves 7,008 + 7,008 = 14,016
> 12,614.4, so qk serves demand up to 80 chips; an idle qk chip (12,614.4 > 7,008) never pays.
- lo: 50 qk (630,720), shortfall 700,800 − 438,000 = 262,800 nominal → 210,240 NPV.
  NPV = 876,000 + 10,000 + 630,720 + 210,240 = 1,726,960; nominal spend in the horizon
  886,000 (2026) + 438,000 + 262,800 (2027) = 1,586,800.
- hi: 80 qk (1,009,152) + 70 pk (490,560), no shortfall. NPV = 2,385,712; nominal spend
  886,000 + 700,800 + 613,200 = 2,200,000.
Expected NPV ½·(1,726,960 + 2,385,712) = 2,056,336.
"""

from __future__ import annotations

import pytest
from support.instances import hedge_instance
from support.paths import INSTANCES
from support.solving import solve_checked

import optimizer
from optimizer.analysis.scenarios import first_stage, outcome_spread, recourse, scenario_outcomes, two_stage


def test_first_stage_is_what_to_sign_now() -> None:
    data = hedge_instance()
    solution = solve_checked(data)
    signed_now = first_stage(solution, data)
    assert signed_now[["offer", "period", "year"]].to_dict("records") == [{"offer": "pk", "period": 0, "year": 2026}]
    assert signed_now.chips.tolist() == pytest.approx([100])
    assert signed_now.npv_usd.tolist() == pytest.approx([876_000])
    later = {(r.scenario, r.offer): r.chips for r in recourse(solution, data).itertuples()}
    assert later == pytest.approx({("lo", "qk"): 50, ("hi", "qk"): 80, ("hi", "pk"): 70})


def test_each_scenario_outcome_by_hand() -> None:
    data = hedge_instance()
    solution = solve_checked(data)
    out = scenario_outcomes(solution).set_index("scenario")
    assert out.probability.tolist() == [0.5, 0.5]
    assert out.npv_usd.to_dict() == pytest.approx({"lo": 1_726_960, "hi": 2_385_712})
    assert out.first_stage_npv_usd.to_dict() == pytest.approx({"lo": 886_000, "hi": 886_000})
    assert out.recourse_npv_usd.to_dict() == pytest.approx({"lo": 630_720 + 210_240, "hi": 1_009_152 + 490_560})
    assert out.spend_usd.to_dict() == pytest.approx({"lo": 1_586_800, "hi": 2_200_000})
    assert out.shortfall_usd.to_dict() == pytest.approx({"lo": 262_800, "hi": 0})
    assert out.shortfall_npv_usd.to_dict() == pytest.approx({"lo": 210_240, "hi": 0})
    assert out.onboarding_usd.to_dict() == pytest.approx({"lo": 10_000, "hi": 10_000})
    assert out.peak_mw.to_dict() == pytest.approx({"lo": 0.1, "hi": 0.15})
    assert solution.objective_usd == pytest.approx(2_056_336)


def test_spread_and_service() -> None:
    data = hedge_instance()
    solution = solve_checked(data)
    plan = two_stage(solution)
    assert plan.first_stage_years == 1
    assert plan.expected_npv_usd == pytest.approx(solution.objective_usd)
    npv = plan.spread.loc["npv_usd"]
    assert (npv.worst, npv.expected, npv.best) == pytest.approx((2_385_712, 2_056_336, 1_726_960))
    assert (npv.worst_scenario, npv.best_scenario) == ("hi", "lo")
    assert plan.spread.loc["shortfall_usd", "expected"] == pytest.approx(131_400)
    service = plan.service.set_index(["scenario", "year"])
    assert service.demand.to_dict() == pytest.approx({("lo", 2026): 100, ("lo", 2027): 50,
                                                      ("hi", 2026): 100, ("hi", 2027): 150})
    assert (service.delivered >= service.demand - 1e-6).all()
    assert service.loc[("lo", 2027), "served"] == pytest.approx(1.0)


def test_without_scenarios_everything_is_signed_now(shipped_plan) -> None:
    solution = shipped_plan("tiny.json")
    plan = two_stage(solution, INSTANCES / "tiny.json")
    assert plan.first_stage_years == 2 and plan.recourse.empty
    assert plan.first_stage.chips.sum() == pytest.approx(1500)
    assert plan.outcomes.scenario.tolist() == [None]
    assert plan.outcomes.npv_usd.tolist() == pytest.approx([74_460_000])


def test_shipped_scenarios_expected_npv_is_the_objective(shipped_plan) -> None:
    solution = shipped_plan("scenarios.json")
    plan = two_stage(solution, INSTANCES / "scenarios.json")
    assert plan.outcomes.scenario.tolist() == ["boom", "base", "bust"]
    assert plan.expected_npv_usd == pytest.approx(solution.objective_usd, rel=1e-9)
    assert set(plan.first_stage.year) <= {2026, 2027} and set(plan.recourse.year) >= {2028}
    spread = plan.spread.loc["npv_usd"]
    assert spread.best <= spread.expected <= spread.worst


def test_no_plan_gives_empty_tables() -> None:
    data = hedge_instance()
    data["providers"][0]["power_mw"] = 0.01  # 10 chips in 2026: infeasible
    solution = optimizer.solve(data, explain_infeasible=False)
    plan = two_stage(solution, data)
    assert plan.outcomes.empty and plan.first_stage.empty and plan.service.empty
    assert outcome_spread(plan.outcomes).worst.isna().all()


def test_summary_and_report_show_what_to_sign_now(tmp_path) -> None:
    from rich.console import Console

    from optimizer.report.plan import build_report
    from optimizer.terminal.summary import summary

    solution = solve_checked(hedge_instance())
    console = Console(record=True, width=200)
    for part in summary(solution):
        console.print(part)
    text = console.export_text()
    assert "Sign now (first stage" in text and "Outcome per scenario" in text and "Spread of outcomes" in text
    solution.write(tmp_path)
    markdown = build_report(optimizer.Solution.read(tmp_path)).markdown("report")
    assert "## Two-stage plan: what to sign now" in markdown
    assert "| p | k | 2026 | 1 | 100 |" in markdown  # 100 chips of pk signed now, as by hand above
