"""The report's decision first (issue 15): Sign now, obligations, honest marginal values and the risk page,
each checked against numbers worked out by hand on tiny instances, or against a full re-solve."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from support.instances import H, instance
from support.paths import INSTANCES
from support.solving import solved

import optimizer
from optimizer.analysis.marginal import change, limits_by_subject, marginal_values, nice_step, write_marginal_values
from optimizer.analysis.scenarios import first_stage
from optimizer.report.plan import write_report
from optimizer.results.figures import weighted
from optimizer.results.folder import instance_data
from optimizer.results.obligations import cash_by_year, committed_by_provider, period_name, sign_now
from optimizer.units import count, usd

# Offer "a": 12 months at $2.00 a chip-hour, +10% a year (2027: $2.20); offer "b": 36 months at $1.30, flat.
# Covering two years with "b" (1.3 × 3 = 3.9 per chip-hour-year, the third year paid past the horizon) beats
# "a" twice (2.0 + 2.2 = 4.2); an extra year-2027 chip is cheapest on "a" (2.2 against 3.9).
A = {"id": "a", "term_months": 12, "price_per_chip_hour": 2.0, "price_change_per_year": 0.1}
B = {"id": "b", "term_months": 36, "price_per_chip_hour": 1.3}


def deterministic() -> dict:
    """Demand 1,000 then 1,500; 100 chips of "a" already held for 2026 (from July 2025).
    The plan: 900 chips of "b" in 2026 (Sign now), 600 chips of "a" in 2027 (later)."""
    return instance([1000, 1500], [A, B],
                    existing_contracts=[{"offer": "a", "chips": 100, "start": "2025-07"}])


def two_scenarios() -> dict:
    """Demand 1,000 in both years; in "hi" (probability 0.5) 2,000 in 2027. First stage: 2026.
    The plan: 1,000 chips of "b" in 2026 in both; in "hi" 1,000 chips of "a" in 2027."""
    return instance([1000, 1000], [A, B], scenarios={
        "first_stage_years": 1,
        "cases": [{"id": "lo", "probability": 0.5}, {"id": "hi", "probability": 0.5,
                                                     "demand_multiplier": {"*": {"2026": 1.0, "2027": 2.0}}}]})


@pytest.fixture(scope="module")
def plan(tmp_path_factory) -> tuple[optimizer.Solution, Path]:
    folder = tmp_path_factory.mktemp("plan")
    return solved(folder, deterministic()), folder


def test_sign_now_is_the_first_year_with_whole_chips_and_the_contract_value(plan) -> None:
    sol, _ = plan
    now = sign_now(sol)
    assert list(now.offer) == ["b"]  # the 2027 contract of "a" is not signed now
    row = now.iloc[0]
    assert row.chips == 900 and now.chips.dtype == "int64"
    assert (row.term_months, row.term_periods, row.start) == (36, 3, "2026")
    assert row.price_per_chip_hour == pytest.approx(1.3)
    assert row.value_usd == pytest.approx(900 * 1.3 * H * 3)  # chips × price × hours of the term
    assert row.mw == pytest.approx(0.9)
    by = committed_by_provider(sol)
    assert by.to_dict("records") == [{"provider": "p", "contracts": 1, "chips": 900, "mw": pytest.approx(0.9),
                                      "value_usd": pytest.approx(900 * 1.3 * 3 * H)}]


def test_obligations_run_past_the_horizon_and_add_up_to_the_payments(plan) -> None:
    sol, folder = plan
    cash = cash_by_year(sol).set_index("year")
    assert list(cash.index) == [2026, 2027, 2028] and list(cash.in_horizon) == [True, True, False]
    now, existing, later = 900 * 1.3 * H, 100 * 2.0 * H, 600 * 2.2 * H
    assert list(cash.sign_now_usd) == pytest.approx([now, now, now])
    assert list(cash.existing_usd) == pytest.approx([existing, 0, 0])
    assert list(cash.later_usd) == pytest.approx([0, later, 0])
    assert list(cash.locked_in_share) == pytest.approx([now / (now + existing), now / (now + later), 1.0])
    # In the horizon, the obligations are the payments of solution.json and payments.csv.
    paid = pd.DataFrame(json.loads((folder / "solution.json").read_text())["payments"]).groupby("year").total_usd.sum()
    csv = pd.read_csv(folder / "payments.csv").groupby("year").total_usd.sum()
    for year in (2026, 2027):
        assert cash.planned_usd[year] == pytest.approx(paid[year], rel=1e-9)
        assert cash.planned_usd[year] == pytest.approx(csv[year], rel=1e-9)
    written = pd.read_csv(folder / "obligations.csv")
    assert list(written.planned_usd) == pytest.approx(list(cash.planned_usd))


def test_sign_now_with_scenarios_is_the_first_stage_once(shipped_plan) -> None:
    sol = shipped_plan("scenarios.json")
    now = sign_now(sol)
    assert not now.empty and (now.year < 2026 + sol.inputs.scenarios.first_stage_years).all()
    assert len(now) == len(first_stage(sol))  # one row per contract, not one per scenario
    assert (now.chips == (first_stage(sol).chips + 0.5).astype(int).to_numpy()).all()
    assert now.value_usd.to_numpy() == pytest.approx(
        (now.chips * now.price_per_chip_hour * H * now.term_periods).to_numpy())
    cash = cash_by_year(sol).set_index("year")
    expected = weighted(sol.payments, sol, ["year"], ["total_usd"]).set_index("year").total_usd
    for year, total in expected.items():
        assert cash.planned_usd[year] == pytest.approx(total, rel=1e-9)
    assert cash.index.max() > 2031  # 36-month contracts signed late pay past the horizon


def test_the_report_opens_with_sign_now(plan) -> None:
    _, folder = plan
    write_report(folder)
    md = (folder / "report.md").read_text()
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert headings[0] == "## Sign now"
    assert "| p | k | 900 | 36 months | 2026 | $1.30 | $30.7M | 0.9 | b |" in md
    assert "### Obligations" in md and "2028 (after the horizon)" in md
    assert "<h2>Sign now</h2>" in (folder / "report.html").read_text()


def test_period_names_and_rounded_counts() -> None:
    assert [period_name(2026, t, 4) for t in (0, 3, 5)] == ["2026 Q1", "2026 Q4", "2026 Q2"]
    assert (period_name(2027, 13, 12), period_name(2026, 1, 2), period_name(2026, 0, 1)) == ("2027-02", "2026 H2",
                                                                                               "2026")
    assert [count(v) for v in (350_482.36, 992_816, 1_234_567, 9_876.4, float("nan"))] == \
        ["350k", "993k", "1.2M", "9,876", "–"]
    assert usd(536_302_693_969.0) == "$536.3B"


# --- risk page -------------------------------------------------------------------------------

def test_risk_page_by_hand(tmp_path: Path) -> None:
    sol = solved(tmp_path, two_scenarios())
    lo, hi = 1000 * 1.3 * H * 3, 1000 * 1.3 * H * 3 + 1000 * 2.2 * H
    assert sol.objective_usd == pytest.approx(0.5 * lo + 0.5 * hi)
    h = sol.kpis.headline.set_index(["kpi", "scenario"]).value
    assert h[("NPV", "lo")] == pytest.approx(lo) and h[("NPV", "hi")] == pytest.approx(hi)
    assert h[("expected cost", "expected")] == pytest.approx(0.5 * lo + 0.5 * hi)
    assert h[("CVaR 90% of scenario costs", "expected")] == pytest.approx(hi)  # the worst 10%: all in "hi"
    assert {"kpi": "expected cost", "unit": "USD", "scenario": "expected", "value": pytest.approx(0.5 * (lo + hi))} \
        in json.loads((tmp_path / "kpis.json").read_text())["headline"]
    write_report(tmp_path)
    md = (tmp_path / "report.md").read_text()
    assert "## Risk: what each outcome costs" in md
    assert f"| lo | 50% | {usd(lo)} | $0 | $0 |" in md and f"| hi | 50% | {usd(hi)} | $0 | $0 |" in md
    assert f"| expected |  | {usd(0.5 * (lo + hi))} |" in md and f"| CVaR 90% |  | {usd(hi)} |" in md
    assert list(sign_now(sol).offer) == ["b"]  # the first stage; hi's 2027 contract is recourse


def test_risk_page_shows_the_hedged_and_the_mean_value_plan(tmp_path: Path) -> None:
    sol = solved(tmp_path, two_scenarios())
    value = optimizer.value_of_hedging(sol)
    (tmp_path / "hedging.json").write_text(json.dumps(value.to_dict()))
    write_report(tmp_path)
    md = (tmp_path / "report.md").read_text()
    assert "| scenario | hedged plan | mean-value plan |" in md
    assert f"| expected | {usd(sol.objective_usd)} | {usd(value.eev_usd)} |" in md


# --- honest marginal values ------------------------------------------------------------------

def test_nice_steps() -> None:
    assert [nice_step(v, False) for v in (2000, 1200, 400, 150e9, 3.0)] == [200, 100, 50, 20e9, 0.2]
    assert nice_step(3, True) == 1 and nice_step(0, False) == 1


def test_relax_and_resolve_equals_a_full_resolve_of_the_changed_instance() -> None:
    sol = optimizer.solve(INSTANCES / "two_clouds.json")
    table = marginal_values(sol)
    assert not table.empty
    assert set(table.limit) >= {"provider power", "spend commitment"}
    inst, data = sol.inputs, instance_data(sol.inputs)
    known = {lim.path: lim for lim in limits_by_subject(inst).values()}
    for r in table.itertuples():
        limit = known[r.path]
        year = None if pd.isna(r.year) else int(r.year)
        if not pd.isna(r.step):
            new = r.value + (r.step if limit.cap else -r.step)
            ref = optimizer.solve(change(data, inst, limit, year, new))
            assert r.step_delta_usd == pytest.approx(ref.objective_usd - sol.objective_usd, rel=1e-6, abs=1.0)
            # the dual is the slope: its estimate is never better than the re-solve (convexity of an LP)
            assert r.step_estimate_usd <= r.step_delta_usd + 1.0
        ref = optimizer.solve(change(data, inst, limit, year, None))
        assert r.removal_delta_usd == pytest.approx(ref.objective_usd - sol.objective_usd, rel=1e-6, abs=1.0)


def test_a_changed_year_moves_only_that_year() -> None:
    data = instance([1000, 1000, 1000], [A], providers=[{"id": "p", "power_mw": {"2026": 5, "2027": 8}}])
    inst = optimizer.load_instance(data)
    limit = limits_by_subject(inst)[("provider power", "p")]
    assert limit.path == "providers[p].power_mw" and limit.cap
    assert change(data, inst, limit, 2027, 9.0)["providers"][0]["power_mw"] == {"2026": 5.0, "2027": 9.0, "2028": 8.0}
    assert change(data, inst, limit, None, None)["providers"][0]["power_mw"] == {"2026": 80.0, "2027": 80.0,
                                                                                 "2028": 80.0}


def test_the_report_shows_the_resolved_values_beside_the_duals(tmp_path: Path) -> None:
    solved(tmp_path, INSTANCES / "two_clouds.json")
    assert write_marginal_values(tmp_path) == tmp_path / "marginal_values.csv"
    write_report(tmp_path)
    md = (tmp_path / "report.md").read_text()
    assert "### What relaxing a limit really saves" in md and "step, re-solved" in md
    assert md.index("## Shadow prices") < md.index("### What relaxing") < md.index("## Binding limits")
    optimizer.solve(INSTANCES / "two_clouds.json").write(tmp_path)  # a new plan: the old values are gone
    assert not (tmp_path / "marginal_values.csv").exists()
