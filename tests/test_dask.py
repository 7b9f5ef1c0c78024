"""Sweeps on a real Dask distributed cluster (scheduler and two worker processes on 127.0.0.1 only)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from support.instances import shipped
from support.paths import INSTANCES
from support.solving import solve_checked
from typer.testing import CliRunner

import cli
import optimizer
from optimizer.input.paths import set_path

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow  # a cluster of worker processes: seconds to start and stop

BUDGETS = [1e12, 3.0e10, 2.95e10]


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A scheduler and two single-threaded worker processes, listening on loopback only."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, protocol="tcp") as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        yield address


def test_cluster_sweep_matches_local_and_solo(scheduler: str) -> None:
    grid = {"budget.total_usd": BUDGETS}
    remote = optimizer.sweep(INSTANCES / "two_clouds.json", grid, scheduler=scheduler)
    local = optimizer.sweep(INSTANCES / "two_clouds.json", grid, workers=2)
    pd.testing.assert_frame_equal(remote.drop(columns="seconds"), local.drop(columns="seconds"))
    data = shipped("two_clouds.json")
    alone = [solve_checked(set_path(data, "budget.total_usd", b)).objective_usd for b in BUDGETS]
    assert remote.objective_usd.tolist() == pytest.approx(alone, rel=1e-7)


def test_cluster_sweep_from_the_command_line(runner: CliRunner, scheduler: str, tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    result = runner.invoke(cli.app, ["sweep", str(INSTANCES / "two_clouds.json"), "--set",
                                     "budget.total_usd=1e12,3e10,1e9,-1", "--set", "discount_rate=0,0.05",
                                     "--scheduler", scheduler, "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "sweep.csv")
    assert table.run.tolist() == list(range(8))
    assert table.status.tolist() == ["optimal"] * 4 + ["infeasible"] * 2 + ["invalid"] * 2
    local = optimizer.sweep(INSTANCES / "two_clouds.json", {"budget.total_usd": [1e12, 3e10, 1e9, -1],
                                                            "discount_rate": [0, 0.05]}, workers=1)
    assert table.objective_usd.tolist() == pytest.approx(local.objective_usd.tolist(), rel=1e-9, nan_ok=True)
    assert (out / "runs" / "7" / "error.txt").exists() and (out / "runs" / "0" / "solution.json").exists()
