"""The command line: outputs, exit codes (spec §8), files written whole or not at all."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.feasibility import assert_feasible
from support.instances import INFEASIBLE, shipped
from support.paths import INSTANCES, ROOT
from typer.testing import CliRunner

import cli
import optimizer
from optimizer.results.solution import OUTPUT_FILES
from optimizer.solve.status import Status


def test_solve_writes_solution_and_tables(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(cli.app, ["solve", str(INSTANCES / "tiny.json"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "optimal" in result.stdout and "NPV $74.5M" in result.stdout
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(OUTPUT_FILES)  # solution.json, instance.json, the tables and the KPI files
    sol = json.loads((out / "solution.json").read_text())
    assert {"instance", "status", "objective_usd", "mip_gap", "contracts", "allocation", "shortfalls",
            "providers_used"} <= set(sol)
    assert sol["status"] == "optimal" and sol["mip_gap"] is None
    assert sol["objective_usd"] == pytest.approx(74_460_000)
    assert_feasible(shipped("tiny.json"), sol)


def test_solution_json_is_deterministic(runner: CliRunner, tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert runner.invoke(cli.app, ["solve", str(INSTANCES / "two_clouds.json"), "-q", "--out",
                                       str(tmp_path / name)]).exit_code == 0
    assert (tmp_path / "a" / "solution.json").read_bytes() == (tmp_path / "b" / "solution.json").read_bytes()


def test_rerun_replaces_the_old_plan_whole(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "solution.json").write_text("old")
    assert runner.invoke(cli.app, ["solve", str(INSTANCES / "tiny.json"), "-q", "--out", str(out)]).exit_code == 0
    assert json.loads((out / "solution.json").read_text())["status"] == "optimal"
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "temporary files left behind"


def test_infeasible_exit_3_with_diagnosis(runner: CliRunner, write_instance, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(cli.app, ["solve", str(write_instance(INFEASIBLE)), "--out", str(out)])
    assert result.exit_code == 3
    # 2026: 2,000 chips = 2 MW needed, 3 MW available. 2027: 4.5 MW needed, 4 MW available:
    # the cheapest relative relaxation is gcp's 3 MW limit (+0.5 MW) rather than aws's 1 MW one.
    assert "providers[1].power_mw (gcp) in 2027: needs 0.5 MW more" in result.stdout
    sol = json.loads((out / "solution.json").read_text())
    assert sol["status"] == "infeasible" and sol["objective_usd"] is None
    assert sol["diagnosis"][0]["path"] == "providers[1].power_mw"
    assert sol["diagnosis"][0]["year"] == 2027
    assert sol["diagnosis"][0]["amount"] == pytest.approx(0.5)


def test_diagnose_command(runner: CliRunner, write_instance) -> None:
    result = runner.invoke(cli.app, ["diagnose", str(write_instance(INFEASIBLE))])
    assert result.exit_code == 3
    assert "needs 0.5 MW more" in result.stdout
    feasible = runner.invoke(cli.app, ["diagnose", str(INSTANCES / "tiny.json")])
    assert feasible.exit_code == 0 and "feasible" in feasible.stdout


def test_validate_command(runner: CliRunner) -> None:
    result = runner.invoke(cli.app, ["validate", str(INSTANCES / "2026.json")])
    assert result.exit_code == 0
    assert "valid (4 providers" in result.stdout


@pytest.mark.parametrize("args", [["--mip-gap", "2"], ["--threads", "0"], ["--algorithm", "magic"],
                                  ["--time-limit", "0"], ["--no-such-flag"]])
def test_bad_options_exit_2_and_write_nothing(runner: CliRunner, tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "out"
    result = runner.invoke(cli.app, ["solve", str(INSTANCES / "tiny.json"), "--out", str(out), *args])
    assert result.exit_code == 2
    assert not out.exists()


def test_out_must_be_a_folder(runner: CliRunner, tmp_path: Path) -> None:
    instance = INSTANCES / "tiny.json"
    blocker = tmp_path / "file"
    blocker.write_text("keep me")
    result = runner.invoke(cli.app, ["solve", str(instance), "--out", str(blocker)])
    assert result.exit_code == 2
    assert "exists and is not a folder" in result.stderr
    assert blocker.read_text() == "keep me"


def test_no_plan_exits_1_and_writes_nothing(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:
    # A limit reached with no plan (simulated: the solver reports an error status).
    def no_plan(source, options=None, **_):
        return optimizer.Solution("x", Status.ERROR, None, None, message="Time limit reached")

    monkeypatch.setattr(optimizer, "solve", no_plan)
    out = tmp_path / "out"
    result = runner.invoke(cli.app, ["solve", str(INSTANCES / "tiny.json"), "--out", str(out)])
    assert result.exit_code == 1
    assert "no plan: Time limit reached; nothing written" in result.stderr
    assert not out.exists()


def test_real_entry_point_bad_input_one_line_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x",\n "horizon": {"start_year": 2026,}\n}')
    run = subprocess.run([sys.executable, "-m", "cli", "solve", str(bad), "--out", str(tmp_path / "out")],
                         check=False, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr
    assert lines[0].startswith(f"error: {bad}:2: not valid JSON")
    assert not (tmp_path / "out").exists()


def test_installed_procure_command_solves(tmp_path: Path) -> None:
    procure = Path(sys.executable).parent / "procure"
    if not procure.exists():
        pytest.skip("the procure console script is not installed in this environment")
    run = subprocess.run([str(procure), "solve", str(INSTANCES / "tiny.json"), "--out", str(tmp_path)],
                         check=False, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads((tmp_path / "solution.json").read_text())["objective_usd"] == pytest.approx(74_460_000)


def test_out_never_overwrites_the_instance(runner: CliRunner, tmp_path: Path) -> None:
    instance = tmp_path / "solution.json"
    instance.write_text((INSTANCES / "tiny.json").read_text())
    result = runner.invoke(cli.app, ["solve", str(instance), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "would overwrite the instance" in result.stderr
    assert instance.read_text() == (INSTANCES / "tiny.json").read_text()


@pytest.mark.slow  # about 15 s: a real HiGHS run interrupted after 4 s, then a clean stop
def test_ctrl_c_stops_cleanly_and_writes_nothing(write_instance, tmp_path: Path) -> None:
    # A plan that takes HiGHS several seconds: the 2026 instance with monthly periods and scenarios.
    data = shipped("2026.json")
    data["horizon"]["periods_per_year"] = 12
    data["scenarios"] = {"cases": [{"id": "lo", "probability": 0.5, "demand_multiplier": {"*": 0.9}},
                                   {"id": "hi", "probability": 0.5}]}
    instance = write_instance(data)
    out = tmp_path / "out"
    run = subprocess.Popen([sys.executable, "-m", "cli", "solve", str(instance), "--out", str(out)],
                           cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(4.0)
    run.send_signal(signal.SIGINT)
    started = time.monotonic()
    stdout, stderr = run.communicate(timeout=60)
    assert run.returncode == 130, stdout + stderr
    assert time.monotonic() - started < 45, "HiGHS did not stop promptly"
    assert stderr.strip() == "error: interrupted; nothing written"
    assert not out.exists()
