"""Sweeps: dotted paths, one row per run in a fixed order, each objective equal to solving that instance alone."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from support.feasibility import assert_feasible
from support.instances import shipped
from support.paths import INSTANCES
from support.solving import solve_checked
from typer.testing import CliRunner

import cli
import optimizer
from optimizer.input.paths import PathError, parse_assignment, parse_path, set_path
from optimizer.sweep.run import chunk_size, grid_runs

BUDGETS = [1e12, 3.0e10, 2.95e10]  # two_clouds needs ~32.6B unconstrained: the last two bind


def two_clouds() -> dict:
    return shipped("two_clouds.json")


def expected_objectives(path: str, values: list) -> list[float]:
    """Each modified instance solved alone (and its plan re-checked independently)."""
    return [solve_checked(set_path(two_clouds(), path, v)).objective_usd for v in values]


# --- paths ------------------------------------------------------------------------------------

def test_paths_address_ids_indices_and_year_keys() -> None:
    data = shipped("2026.json")
    assert set_path(data, "budget.total_usd", 5.0)["budget"]["total_usd"] == 5.0
    assert set_path(data, "providers[oracle].power_mw.2028", 1.0)["providers"][2]["power_mw"]["2028"] == 1.0
    assert set_path(data, "offers[2].price_per_chip_hour", 9.0)["offers"][2]["price_per_chip_hour"] == 9.0
    grown = set_path(data, "workloads[inference].demand.peak_factor", 1.2)
    assert grown["workloads"][1]["demand"]["peak_factor"] == 1.2
    assert "total_usd" not in data["budget"]  # the input is never changed
    tiny = shipped("tiny.json")
    assert set_path(tiny, "providers[aws].power_mw.2027", 7)["providers"][0]["power_mw"] == {"2026": 5, "2027": 7}
    assert set_path(tiny, "budget.total_usd", 1e9)["budget"] == {"total_usd": 1e9}


@pytest.mark.parametrize(("path", "message"), [
    ("providers[gcp].power_mw", "no item [gcp]; ids: aws"),
    ("horizon.start_year.x", "horizon.start_year is not an object"),
    ("offers[9].chip", "no item [9]"),
    ("providers.x", "providers is not an object"),
])
def test_paths_that_lead_nowhere(path: str, message: str) -> None:
    with pytest.raises(PathError, match=message.replace("[", r"\[")):
        set_path(shipped("tiny.json"), path, 1)


@pytest.mark.parametrize("path", ["", ".a", "a..b", "[2]", "a[2]b", "a."])
def test_bad_path_syntax(path: str) -> None:
    with pytest.raises(PathError):
        parse_path(path)


def test_assignment_values_are_json() -> None:
    assert parse_assignment("budget.total_usd=1e9, 2e9,3") == ("budget.total_usd", [1e9, 2e9, 3])
    assert parse_assignment("diversification.metric=mw,fp8_pflops") == ("diversification.metric", ["mw", "fp8_pflops"])
    with pytest.raises(PathError, match="expected PATH=V1,V2"):
        parse_assignment("budget.total_usd")


def test_grid_order_and_chunks() -> None:
    runs = grid_runs({"a": [1, 2], "b": ["x", "y", "z"]})
    assert [r.settings for r in runs[:4]] == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 1, "b": "z"},
                                              {"a": 2, "b": "x"}]
    assert (chunk_size(3), chunk_size(100), chunk_size(10_000)) == (1, 13, 16)


# --- sweeps -----------------------------------------------------------------------------------

def test_budget_sweep_matches_solving_each_instance_alone() -> None:
    table = optimizer.sweep(INSTANCES / "two_clouds.json", {"budget.total_usd": BUDGETS}, workers=1)
    assert table.run.tolist() == [0, 1, 2] and table["budget.total_usd"].tolist() == BUDGETS
    assert table.status.tolist() == ["optimal"] * 3
    assert table.objective_usd.tolist() == pytest.approx(expected_objectives("budget.total_usd", BUDGETS), rel=1e-7)
    assert table.in_place.tolist() == [False, False, False]  # one run per chunk for 3 runs
    assert table.spend_usd.iloc[1] == pytest.approx(3.0e10, rel=1e-7)  # the budget binds


def test_in_place_chunk_matches_and_keeps_going_past_bad_runs(tmp_path: Path) -> None:
    values = [1e12, 3.0e10, 1e9, -5, 2.95e10]  # 1e9: infeasible; -5: refused by validation
    table = optimizer.sweep(INSTANCES / "two_clouds.json", {"budget.total_usd": values}, workers=1, chunk=5,
                            out=tmp_path)
    assert table.status.tolist() == ["optimal", "optimal", "infeasible", "invalid", "optimal"]
    assert table.in_place.tolist()[:3] == [False, True, True] and table.in_place.tolist()[4]
    assert "budget.total_usd: must be >= 0" in table.message.iloc[3]
    ok = table.status == "optimal"
    assert table.objective_usd[ok].tolist() == pytest.approx(
        expected_objectives("budget.total_usd", [v for v, o in zip(values, ok, strict=True) if o]), rel=1e-7)
    written = pd.read_csv(tmp_path / "sweep.csv")
    assert written.status.tolist() == table.status.tolist()
    assert pd.read_parquet(tmp_path / "sweep.parquet").objective_usd.tolist() == pytest.approx(
        table.objective_usd.tolist(), nan_ok=True)
    plan = json.loads((tmp_path / "runs" / "4" / "solution.json").read_text())
    assert plan["objective_usd"] == pytest.approx(table.objective_usd.iloc[4])
    assert_feasible(set_path(two_clouds(), "budget.total_usd", 2.95e10), plan)
    assert json.loads((tmp_path / "runs" / "2" / "solution.json").read_text())["status"] == "infeasible"
    assert f"procure diagnose {tmp_path / 'runs' / '2' / 'instance.json'}" in table.message.iloc[2]
    assert optimizer.diagnose(optimizer.prepare(optimizer.load_instance(tmp_path / "runs" / "2" / "instance.json")))
    assert (tmp_path / "runs" / "3" / "error.txt").read_text().startswith("<instance>: budget.total_usd")


def test_local_processes_give_the_same_table() -> None:
    grid = {"budget.total_usd": BUDGETS, "discount_rate": [0.0, 0.05]}
    here = optimizer.sweep(INSTANCES / "two_clouds.json", grid, workers=1, chunk=2)
    pool = optimizer.sweep(INSTANCES / "two_clouds.json", grid, workers=2, chunk=2)
    pd.testing.assert_frame_equal(here.drop(columns="seconds"), pool.drop(columns="seconds"))
    assert pool.in_place.tolist() == [False, True] * 3  # 3 chunks of 2, in run order whatever finishes first
    assert pool.objective_usd.iloc[5] == pytest.approx(
        solve_checked(set_path(set_path(two_clouds(), "budget.total_usd", 2.95e10), "discount_rate", 0.05))
        .objective_usd, rel=1e-7)


def test_key_figures_of_a_run() -> None:
    table = optimizer.sweep(INSTANCES / "scenarios.json", {"diversification.max_share": [0.5]}, workers=1)
    solution = optimizer.solve(set_path(shipped("scenarios.json"),
                                        "diversification.max_share", 0.5))
    row = table.iloc[0]
    prob = dict(zip(solution.scenarios, solution.probabilities, strict=True))
    spend = sum(prob[s] * v for s, v in zip(solution.payments.scenario, solution.payments.total_usd, strict=True))
    assert row.spend_usd == pytest.approx(spend)
    assert row.largest_share == pytest.approx(0.5)  # C10 binds at the cap, measured in MW
    assert row.peak_mw == pytest.approx(solution.power.groupby(["scenario", "period"]).mw.sum().max())
    assert row.providers_used == ";".join(solution.providers_used)


# --- command line -------------------------------------------------------------------------------

def test_cli_sweep_writes_table_and_runs(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    result = runner.invoke(cli.app, ["sweep", str(INSTANCES / "two_clouds.json"), "--set",
                                     "budget.total_usd=1e12,3e10,2.95e10", "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "runs: 3 optimal" in result.stdout
    table = pd.read_csv(out / "sweep.csv")
    assert table.objective_usd.tolist() == pytest.approx(expected_objectives("budget.total_usd", BUDGETS), rel=1e-7)
    assert sorted(p.name for p in (out / "runs").iterdir()) == ["0", "1", "2"]


@pytest.mark.parametrize(("args", "message"), [
    (["--set", "providers[gcp].power_mw=1,2"], "no item [gcp]"),
    (["--set", "budget.total_usd"], "expected PATH=V1,V2"),
    ([], "give at least one --set"),
])
def test_cli_sweep_usage_errors(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(cli.app, ["sweep", str(INSTANCES / "tiny.json"), *args])
    assert result.exit_code == 2 and message in result.output
