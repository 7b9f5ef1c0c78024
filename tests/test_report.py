"""Solution folders (write → read round trip) and `procure report` on LP, MILP, scenario and infeasible plans."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from support.instances import INFEASIBLE
from support.pages import check_page
from support.paths import INSTANCES
from support.solving import solved
from typer.testing import CliRunner

import cli
import optimizer
from optimizer.report.plan import write_report
from optimizer.results.folder import FolderError
from optimizer.results.solution import Solution
from optimizer.units import usd

PLANS = {"lp": "two_clouds.json", "milp": "racks_mip.json", "scenarios": "scenarios.json"}


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Missing values as None and a fresh index, so NaN/None and int/float spellings compare equal."""
    df = df.reset_index(drop=True).astype(object)
    return df.where(df.notna(), None)


def _close(a: object, b: object, rel: float = 1e-9) -> bool:
    """Equal structures, numbers equal to ``rel`` (relative) or a tenth of a cent (absolute: a difference of two
    large amounts, such as the idle chip cost, carries the round-off of both)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k], rel) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y, rel) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=rel, abs_tol=1e-3)
    return a == b


def assert_same_solution(a: Solution, b: Solution) -> None:
    assert (a.instance, a.status, a.objective_usd, a.mip_gap) == (b.instance, b.status, b.objective_usd, b.mip_gap)
    assert (a.providers_used, a.diagnosis, a.duals_note, a.is_mip) == (b.providers_used, b.diagnosis, b.duals_note,
                                                                       b.is_mip)
    assert (a.scenarios, a.probabilities, a.periods_per_year) == (b.scenarios, b.probabilities, b.periods_per_year)
    assert a.inputs == b.inputs
    for name in ("contracts", "active", "allocation", "payments", "power", "shortfalls", "binding", "shadow_prices",
                 "demand"):
        pd.testing.assert_frame_equal(_plain(getattr(a, name)), _plain(getattr(b, name)), check_dtype=False,
                                      obj=name)


@pytest.mark.parametrize("kind", sorted(PLANS))
def test_read_round_trips_write(tmp_path: Path, kind: str) -> None:
    solution = solved(tmp_path, INSTANCES / PLANS[kind])
    again = Solution.read(tmp_path)
    assert_same_solution(solution, again)
    for name, table in solution.kpis.tables().items():
        pd.testing.assert_frame_equal(_plain(table), _plain(getattr(again.kpis, name)), check_dtype=False, obj=name)
    # The CSVs hold 12 significant digits (optimizer/csvfiles.py): key figures recomputed from them
    # agree with kpis.json to far below a cent.
    assert _close(json.loads((tmp_path / "kpis.json").read_text()), json.loads(json.dumps(again.kpis.to_dict())))
    # instance.json is the instance as validated: it loads back to an equal instance.
    assert optimizer.load_instance(tmp_path / "instance.json") == optimizer.load_instance(INSTANCES / PLANS[kind])


def test_read_round_trips_an_infeasible_folder(tmp_path: Path) -> None:
    solution = solved(tmp_path, INFEASIBLE)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demand.csv", "instance.json", "solution.json"]
    again = Solution.read(tmp_path)
    assert_same_solution(solution, again)
    assert again.diagnosis[0]["path"] == "providers[1].power_mw"
    assert again.kpis.headline.empty


def test_read_refuses_what_is_not_a_solution_folder(tmp_path: Path) -> None:
    with pytest.raises(FolderError, match=r"no solution\.json"):
        Solution.read(tmp_path)
    (tmp_path / "solution.json").write_text("{not json")
    with pytest.raises(FolderError, match="cannot be read"):
        Solution.read(tmp_path)
    with pytest.raises(FolderError, match="no such folder"):
        Solution.read(tmp_path / "missing")


def test_a_new_plan_replaces_every_file_of_the_old_one(tmp_path: Path) -> None:
    solved(tmp_path, INSTANCES / "tiny.json")
    write_report(tmp_path)
    (tmp_path / "report.txt").write_text("the user's own notes")
    assert (tmp_path / "report.html").exists() and (tmp_path / "kpis.csv").exists()
    solved(tmp_path, INFEASIBLE)  # no plan: the old tables, KPIs and report must not linger
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demand.csv", "instance.json", "report.txt",
                                                          "solution.json"]


@pytest.mark.parametrize("kind", sorted(PLANS))
def test_report_of_a_plan(runner: CliRunner, tmp_path: Path, kind: str) -> None:
    solution = solved(tmp_path, INSTANCES / PLANS[kind])
    result = runner.invoke(cli.app, ["report", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "wrote report.md, report.html" in result.stdout
    page = check_page(tmp_path, "report")
    commitments = bool(solution.inputs.spend_commitments or solution.inputs.capacity_commitments)
    assert page.count("<svg") == 5 + commitments  # capacity, spend, chips, demand, power (, commitments)
    for heading in ("Key figures", "Capacity by provider", "Spend by provider", "Chip mix",
                    "Demand and delivered compute", "Power against each provider", "Provider shares and concentration",
                    *(["Commitments"] if commitments else []), "Shadow prices", "Binding limits"):
        assert f">{heading}" in page, heading
    assert f"Net present cost: {usd(solution.objective_usd)}" in page  # rounded; exact in solution.json
    assert f"{solution.objective_usd:,.0f}" not in page
    if kind == "milp":
        assert "integer decisions fixed" in page
    if kind == "scenarios":
        assert ">expected</th>" in page and ">boom</th>" in page
    before = {p.name: p.read_bytes() for p in tmp_path.glob("report*")}
    write_report(tmp_path)  # the same folder gives the same report, byte for byte
    assert {p.name: p.read_bytes() for p in tmp_path.glob("report*")} == before


def test_report_of_an_infeasible_instance_shows_the_diagnosis(runner: CliRunner, tmp_path: Path) -> None:
    solved(tmp_path, INFEASIBLE)
    result = runner.invoke(cli.app, ["report", str(tmp_path)])
    assert result.exit_code == 0, result.output
    page = check_page(tmp_path, "report")
    assert "No plan: the instance is infeasible." in page
    assert "providers[1].power_mw (gcp) in 2027: needs 0.5 MW more" in page
    assert ">Provider power limits (MW)" in page and page.count("<svg") == 1  # demand only
    assert "Key figures" not in page
    md = (tmp_path / "report.md").read_text()
    assert "needs 0.5 MW more" in md


def test_report_without_a_solution_is_one_line_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "no solution.json" in result.output
    assert not list(tmp_path.iterdir())
