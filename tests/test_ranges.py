"""Near-optimal ranges (spec §11, ``procure ranges``): hand-worked ranges, the extreme plans, files and exit codes.

The hand-worked instance (:func:`capped`): one year, one period (H = 8,760 h), discount rate 0, a chip of
1 MW (so chips held for the year are MW-years) serving one unit of demand; demand 10 units.

- p: $1 per chip-hour, 5 MW of power, so at most 5 chips; q: $2, 100 MW; r: $10, 100 MW.
- The optimum: 5 chips at p, 5 at q, none at r: F* = 5·8,760·1 + 5·8,760·2 = $131,400.
  MW-years: p 5, q 5, r 0; shares p 50%, q 50%.
- At ε = 0 every range is the optimum's own value: p [5, 5], q [5, 5], r [0, 0].
- At ε = 10% the slack is $13,140. A chip moved from p to q costs 8,760·(2 − 1) = $8,760 more, so
  p's least is 5 − 13,140/8,760 = 3.5 chips, and q's most 5 + 1.5 = 6.5 (an idle extra chip at q
  would cost $17,520, worse). p's most stays 5 (its power). A chip at r replacing one at q costs
  8,760·(10 − 2) = $70,080 more (replacing one at p $78,840, an idle one $87,600): r's most is
  13,140/70,080 = 0.1875 and q's least 5 − 0.1875 = 4.8125. r's least is 0.
- By chip family: all 10 chips are needed, and the cheapest idle chip is one more at q, so the family
  k holds 10 to 10 + 13,140/17,520 = 10.75 MW-years.
- By first-stage contract line (no scenarios: the lines signed in the first year): pk 3.5–5 chips and
  qk 4.8125–6.5 (firm: every such plan signs them), rk 0–0.1875 (open).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from support.feasibility import assert_feasible
from support.instances import INFEASIBLE, shipped
from typer.testing import CliRunner

import cli
import optimizer
from optimizer.analysis.extremes import Explorer, measures
from optimizer.analysis.range_files import columns, range_files, read_ranges, sentence
from optimizer.analysis.ranges import near_optimal
from optimizer.input.load import load_instance
from optimizer.model import build_model
from optimizer.prepare.arrays import prepare
from optimizer.solve.pipeline import solve_kept

H = 8760.0


def capped() -> dict:
    """The instance of the module docstring."""
    return {
        "name": "capped",
        "horizon": {"start_year": 2026, "years": 1, "periods_per_year": 1},
        "providers": [{"id": "p", "power_mw": 5}, {"id": "q", "power_mw": 100}, {"id": "r", "power_mw": 100}],
        "chips": [{"id": "k", "power_kw": 1000.0, "perf": {"bf16": 1.0}}],
        "offers": [{"id": "pk", "provider": "p", "chip": "k", "term_months": 12, "price_per_chip_hour": 1.0},
                   {"id": "qk", "provider": "q", "chip": "k", "term_months": 12, "price_per_chip_hour": 2.0},
                   {"id": "rk", "provider": "r", "chip": "k", "term_months": 12, "price_per_chip_hour": 10.0}],
        "workloads": [{"id": "w", "metric": "bf16", "demand": {"series": [10]}}],
    }


def _rows(table) -> dict[str, tuple[float, float, float]]:
    return {r.provider: (r.min_mw_years, r.optimum_mw_years, r.max_mw_years) for r in table.itertuples()}


def test_at_zero_slack_each_range_is_the_optimum() -> None:
    table = optimizer.ranges(capped(), within=0.0)
    assert list(table.columns) == columns("provider")
    got = _rows(table)
    assert got["p"] == pytest.approx((5, 5, 5), abs=1e-6)
    assert got["q"] == pytest.approx((5, 5, 5), abs=1e-6)
    assert got["r"] == (0.0, 0.0, 0.0)  # holds nothing in any plan: [0, 0], shown
    assert (table.min_status == "optimal").all() and (table.max_status == "optimal").all()
    assert table.optimum_share.tolist() == pytest.approx([0.5, 0.5, 0.0])


def test_ten_percent_slack_widens_by_what_it_buys() -> None:
    table = optimizer.ranges(capped(), within=0.10)
    got = _rows(table)
    assert got["p"] == pytest.approx((3.5, 5, 5), rel=1e-6)
    assert got["q"] == pytest.approx((4.8125, 5, 6.5), rel=1e-6)
    assert got["r"] == pytest.approx((0, 0, 0.1875), abs=1e-6)
    p = table[table.provider == "p"].iloc[0]
    assert p.min_share == pytest.approx(3.5 / 10)  # share of the least plan's own total (10 MW-years)
    assert sentence(p.to_dict(), 0.10) == ("Any plan within 10% of the cheapest holds 35–50% of MW-years at p "
                                           "(3.5–5.0 MW-years; the cheapest plan 5.0).")


def test_extreme_plans_are_feasible_near_optimal_and_hold_their_value() -> None:
    """Each extreme plan passes the independent checker, costs at most F*(1 + ε), and holds the MW-years
    its row says (recomputed from its active chips)."""
    data = capped()
    result = near_optimal(data, 0.10)
    limit = result.objective_usd * 1.10
    assert result.objective_usd == pytest.approx(131_400)
    assert len(result.plans) == 6
    for name, plan in result.plans.items():
        sol = json.loads(plan.to_json())
        assert_feasible(data, sol)
        assert plan.objective_usd <= limit * (1 + 1e-9), name
        provider, side = name.rsplit("-", 1)
        row = result.table[result.table.provider == provider].iloc[0]
        held = plan.active[plan.active.provider == provider].mw.sum()
        assert held == pytest.approx(row[f"{side}_plan_mw_years"], abs=1e-6), name


@pytest.mark.parametrize("name", ["two_clouds.json", "scenarios.json"])
def test_ranges_contain_the_optimum(name: str) -> None:
    """Also with scenarios: MW-years are expected values (probability weighted), spec §11."""
    data = shipped(name)
    result = near_optimal(data, 0.02)
    table = result.table
    assert len(table) == len(data["providers"])
    assert (table.min_mw_years <= table.optimum_mw_years + 1e-6).all()
    assert (table.optimum_mw_years <= table.max_mw_years + 1e-6).all()
    plan = result.optimum
    prob = dict(zip(plan.scenarios, plan.probabilities, strict=True))
    for row in table.itertuples():
        active = plan.active[plan.active.provider == row.provider]
        expected = sum(prob[s] * mw for s, mw in zip(active.scenario, active.mw, strict=True)) / plan.periods_per_year
        assert row.optimum_mw_years == pytest.approx(expected, rel=1e-9, abs=1e-9)
    for extreme in result.plans.values():
        assert_feasible(data, json.loads(extreme.to_json()))


def test_by_chip_and_by_first_stage() -> None:
    chips = optimizer.ranges(capped(), within=0.10, by="chip")
    assert chips.chip.tolist() == ["k"]
    assert (chips.min_mw_years.iloc[0], chips.max_mw_years.iloc[0]) == pytest.approx((10, 10.75), rel=1e-6)
    lines = optimizer.ranges(capped(), within=0.10, by="first-stage")
    got = {r.offer: (r.min_chips, r.max_chips, r.firm) for r in lines.itertuples()}
    assert got["pk"][:2] == pytest.approx((3.5, 5), rel=1e-6) and got["pk"][2]
    assert got["qk"][:2] == pytest.approx((4.8125, 6.5), rel=1e-6) and got["qk"][2]
    assert got["rk"][:2] == pytest.approx((0, 0.1875), abs=1e-6) and not got["rk"][2]


def test_workers_give_the_same_ranges() -> None:
    one = optimizer.ranges(capped(), within=0.10)
    two = optimizer.ranges(capped(), within=0.10, workers=2)
    assert two.min_mw_years.tolist() == pytest.approx(one.min_mw_years.tolist(), abs=1e-9)
    assert two.max_mw_years.tolist() == pytest.approx(one.max_mw_years.tolist(), abs=1e-9)


def test_bad_arguments_of_the_api() -> None:
    with pytest.raises(ValueError, match="within must be a number ≥ 0"):
        optimizer.ranges(capped(), within=-0.1)
    with pytest.raises(ValueError, match="by must be one of provider, chip, first-stage"):
        optimizer.ranges(capped(), within=0.1, by="offer")


def test_a_bound_is_never_shown_as_the_range() -> None:
    row = {"provider": "p", "optimum_mw_years": 5.0, "min_mw_years": 3.0, "max_mw_years": 7.0,
           "min_status": "time_limit", "max_status": "time_limit", "min_share": 0.3, "max_share": 0.6}
    assert "≥ 30–≤ 60% of MW-years" in sentence(row, 0.01)
    assert "(≥ 3.0–≤ 7.0 MW-years" in sentence(row, 0.01)


def test_a_time_limit_gives_a_proven_bound() -> None:
    """Extremes stopped by a time limit keep the plan found and report only what is proven: the least is
    ≥ its bound, the most ≤ its bound (∞ when nothing is proven; ``null`` in ranges.json)."""
    data = capped()
    for provider in data["providers"]:
        provider["onboarding_cost_usd"] = 1000  # a MILP (providers used)
    prep = prepare(load_instance(data))
    h, raw = solve_kept(build_model(prep), optimizer.SolveOptions(), release=True, duals=False)
    found = measures(prep, raw.compiled, "provider")
    explorer = Explorer(h, raw.compiled, raw.objective, 0.10, optimizer.SolveOptions(time_limit=1e-9), raw.col)
    stopped = []
    for measure in found:
        for maximise in (False, True):
            e = explorer.extreme(measure, maximise)
            assert e.status in ("optimal", "time_limit")
            if e.status == "time_limit":
                stopped.append(e)
                assert (e.bound >= e.value) if maximise else (measure.constant <= e.bound <= e.value)
    assert stopped
    explorer.restore()
    assert h.getNumRow() == len(raw.compiled.rows)  # the near-optimal row is gone
    table = pd.DataFrame([{"provider": "p", "optimum_mw_years": 5.0, "min_mw_years": 0.0, "max_mw_years": math.inf,
                           "min_status": "time_limit", "max_status": "time_limit"}], columns=columns("provider"))
    text = range_files("capped", 0.1, 131_400.0, "provider", table)["ranges.json"]
    assert json.loads(text)["providers"][0]["max_mw_years"] is None


# --- the command line ------------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "message"), [
    (["--within", "-0.1"], "error: --within: must be a finite number ≥ 0 (e.g. 0.01 for 1%), got -0.1"),
    (["--within", "abc"], "error: --within: 'abc' is not a number; give the slack over the cheapest plan's cost "
                          "as a fraction, e.g. 0.01 (or 1%)"),
    (["--within", "nan"], "error: --within: must be a finite number ≥ 0 (e.g. 0.01 for 1%), got nan"),
    (["--within", "0.01", "--by", "offer"], "error: --by: unknown 'offer'; choose one of provider, chip, "
                                            "first-stage"),
])
def test_bad_input_exits_2(runner: CliRunner, write_instance, tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "out"
    result = runner.invoke(cli.app, ["ranges", str(write_instance(capped())), *args, "--out", str(out)],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


def test_infeasible_exits_3_with_the_diagnosis(runner: CliRunner, write_instance, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(cli.app, ["ranges", str(write_instance(INFEASIBLE)), "--within", "0.01", "--out",
                                     str(out)])
    assert result.exit_code == 3
    assert "providers[1].power_mw (gcp) in 2027: needs 0.5 MW more" in result.stdout
    assert json.loads((out / "solution.json").read_text())["status"] == "infeasible"
    assert not (out / "ranges.json").exists() and not (out / "plans").exists()


def test_out_writes_ranges_plans_and_a_report(runner: CliRunner, write_instance, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(cli.app, ["ranges", str(write_instance(capped())), "--within", "10%", "--out", str(out),
                                     "--mip-gap", "1e-9"])
    assert result.exit_code == 0, result.output
    assert "Any plan within 10% of the cheapest holds 35–50% of MW-years at p" in result.stdout
    data = json.loads((out / "ranges.json").read_text())
    assert {"instance", "within", "objective_usd", "providers"} <= set(data)
    assert data["within"] == 0.1 and data["objective_usd"] == pytest.approx(131_400)
    rows = {r["provider"]: r for r in data["providers"]}
    assert {"provider", "optimum_mw_years", "min_mw_years", "max_mw_years"} <= set(rows["p"])
    assert (rows["r"]["min_mw_years"], rows["r"]["max_mw_years"]) == pytest.approx((0, 0.1875), abs=1e-6)
    assert (out / "ranges.csv").read_text().startswith("provider,optimum_mw_years,min_mw_years,max_mw_years")
    assert sorted(p.name for p in (out / "plans").iterdir()) == ["p-max", "p-min", "q-max", "q-min", "r-max",
                                                                 "r-min"]
    assert_feasible(capped(), json.loads((out / "plans" / "q-max" / "solution.json").read_text()))
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "temporary files left behind"
    assert runner.invoke(cli.app, ["compare", str(out), str(out / "plans" / "p-min")]).exit_code == 0
    assert runner.invoke(cli.app, ["report", str(out)]).exit_code == 0
    page = (out / "report.md").read_text()
    assert "## How firm is this plan?" in page
    assert "Any plan within 10% of the cheapest holds 35–50% of MW-years at p" in page
    assert (out / "report-ranges.svg").exists()


def test_report_ranges_adds_them_to_a_solved_folder(runner: CliRunner, write_instance, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    assert runner.invoke(cli.app, ["solve", str(write_instance(capped())), "-q", "--out", str(out)]).exit_code == 0
    assert read_ranges(out) is None
    result = runner.invoke(cli.app, ["report", str(out), "--ranges", "0.1"])
    assert result.exit_code == 0, result.output
    assert read_ranges(out)["within"] == 0.1
    assert "How firm is this plan?" in (out / "report.html").read_text()
    bad = runner.invoke(cli.app, ["report", str(out), "--ranges", "-1"], env={"COLUMNS": "200"})
    assert bad.exit_code == 2 and "--ranges: must be a finite number ≥ 0" in bad.output


def test_ranges_without_plans_point_at_no_folder(tmp_path: Path) -> None:
    """``plans=False`` (as ``report --ranges`` and docs/reports use it): ranges.json and the report name
    no extreme plan folder, and none is written."""
    from optimizer.report.plan import write_report

    solution = optimizer.solve(capped())
    solution.write(tmp_path)
    (tmp_path / "plans").mkdir()  # a stale one, from an earlier run with plans
    near_optimal(capped(), 0.1, plans=False).write(tmp_path, optimum=False)
    assert not (tmp_path / "plans").exists()
    rows = json.loads((tmp_path / "ranges.json").read_text())["providers"]
    assert rows and all(r["min_plan"] is None and r["max_plan"] is None for r in rows)
    write_report(tmp_path)
    page = (tmp_path / "report.md").read_text()
    assert "How firm is this plan?" in page and "plans/" not in page
