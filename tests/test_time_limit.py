"""``--time-limit``: the best plan found by then (status "feasible" and its gap), or exit 1 with no plan.

Two real MILPs (tests/data/), no simulation:

- ``racks_time_limit.json``: whole racks of odd sizes, minimum contracts, onboarding fees and monthly
  demand. Spot offers without racks let HiGHS find a plan within 0.1 s, but it cannot close the
  gap in minutes (1 % left after 20 s on the CI machine), so a 3 s limit stops it with a plan.
- ``racks_no_first_plan.json``: the same without spot offers; HiGHS needs longer for its first plan
  (over 2 s once; since active chips are covering sums, HiGHS 1.14 finds one within 0.02 s), so a
  1 ms limit stops it with none, whatever the version.
"""

from __future__ import annotations

import json
from pathlib import Path

from support.feasibility import assert_feasible
from support.paths import ROOT
from typer.testing import CliRunner

import cli
import optimizer

DATA = ROOT / "tests" / "data"


def test_time_limit_gives_the_best_plan_found_with_its_gap(runner: CliRunner, tmp_path: Path) -> None:
    instance = DATA / "racks_time_limit.json"
    out = tmp_path / "out"
    result = runner.invoke(cli.app, ["solve", str(instance), "--time-limit", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "feasible" in result.stdout and "MIP gap" in result.stdout
    sol = json.loads((out / "solution.json").read_text())
    assert sol["status"] == "feasible"
    assert 1e-6 < sol["mip_gap"] < 1
    assert sol["objective_usd"] > 0
    report = assert_feasible(json.loads(instance.read_text()), sol)  # the plan holds and its NPV is right
    assert report.objective_usd > 0


def test_time_limit_with_no_plan_exits_1_and_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    instance = DATA / "racks_no_first_plan.json"
    out = tmp_path / "out"
    result = runner.invoke(cli.app, ["solve", str(instance), "--time-limit", "0.001", "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert result.stderr.strip() == ("error: no plan: the time limit of 0.001 s was reached before any plan was "
                                     "found; nothing written")
    assert not out.exists()


def test_time_limit_with_no_plan_through_the_api() -> None:
    solution = optimizer.solve(DATA / "racks_no_first_plan.json", optimizer.SolveOptions(time_limit=0.001))
    assert solution.status == optimizer.Status.ERROR and not solution.has_plan
    assert solution.message == "Time limit reached"
    assert solution.objective_usd is None and solution.contracts.empty
