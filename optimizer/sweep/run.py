"""Sweeps: solve the cartesian product of values set at dotted paths of an instance.

    table = optimizer.sweep("instances/2026.json", {"budget.total_usd": [1e12, 9e11, 8e11]}, workers=2)

Runs are numbered in the order of :func:`itertools.product` over the paths as given (the last
path varies fastest), and the table is in that order whatever order they finish in. Runs are
grouped in chunks of consecutive runs (a size that depends only on the number of runs, so the
table is the same on any executor); a chunk is solved on one worker, re-using one model across
its runs when only numbers change (:mod:`optimizer.resolve`). Chunks go to this process
(``workers=1``), to local worker processes (default: one per core) or, with ``scheduler``, to a
Dask distributed cluster.

With ``out``, the table is written as ``sweep.csv`` (and ``sweep.parquet``, see ``parquet``) and
each run's plan under ``runs/<n>/`` (:meth:`Solution.write`; a run whose instance is invalid gets
its ``instance.json`` and ``error.txt``).

Two features need optional packages (extras): ``scheduler`` needs Dask (``procure[cluster]``) and
``sweep.parquet`` needs pyarrow (``procure[parquet]``). :func:`require_extras` checks them before
anything runs and raises :class:`MissingExtraError`, naming the extra to install.
"""

from __future__ import annotations

import importlib
import itertools
import json
import math
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.input.json_file import read_instance_file
from optimizer.input.paths import PathError, set_path
from optimizer.input.schema import Instance
from optimizer.results.files import csv_text, write_files_atomically
from optimizer.results.folder import instance_data
from optimizer.solve.options import SolveOptions
from optimizer.sweep.executors import dask_cluster, default_workers, in_process, local_processes
from optimizer.sweep.worker import Run, RunResult, failed_rows, frame, run_chunk

Progress = Callable[[int, int], None]
"""Called with (runs done, runs in all) as chunks finish."""
MAX_CHUNK = 16


class MissingExtraError(ImportError):
    """A sweep option needs a package that is not installed; the message names the extra to install.

    ``option`` is the keyword (``"scheduler"`` or ``"parquet"``), ``package`` what is missing, ``extra``
    the extra of procure that installs it: ``sweep(parquet=True) needs pyarrow: pip install 'procure[parquet]'``.
    """

    def __init__(self, option: str, package: str, extra: str) -> None:
        self.option, self.package, self.extra = option, package, extra
        value = "True" if option == "parquet" else "..."
        super().__init__(f"sweep({option}={value}) needs {package}: pip install 'procure[{extra}]'")


def _importable(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def require_extras(*, scheduler: str | None = None, parquet: bool | None = None) -> bool:
    """Check the optional packages a sweep needs before anything runs; return whether to write ``sweep.parquet``.

    ``scheduler`` needs Dask's ``distributed``; ``parquet=True`` needs pyarrow, ``None`` writes Parquet
    only if pyarrow is installed, ``False`` never. Raises :class:`MissingExtraError` (``option`` is
    ``"scheduler"`` or ``"parquet"``).
    """
    if scheduler and not _importable("distributed"):
        raise MissingExtraError("scheduler", "Dask", "cluster")
    if parquet is False:
        return False
    available = _importable("pyarrow")
    if parquet and not available:
        raise MissingExtraError("parquet", "pyarrow", "parquet")
    return available


def grid_runs(grid: Mapping[str, Sequence[Any]]) -> list[Run]:
    """Every combination of the grid's values, numbered from 0 (the last path varies fastest)."""
    paths = list(grid)
    for path, values in grid.items():
        if not len(values):
            raise PathError(f"{path}: no values to set")
    return [Run(i, dict(zip(paths, combo, strict=True)))
            for i, combo in enumerate(itertools.product(*(list(grid[p]) for p in paths)))]


def chunk_size(runs: int) -> int:
    """Consecutive runs per task: ~8 tasks for small sweeps, at most ``MAX_CHUNK`` runs each."""
    return max(1, min(MAX_CHUNK, math.ceil(runs / 8)))


def base_data(instance: str | Path | Mapping[str, Any] | Instance) -> dict[str, Any]:
    if isinstance(instance, Instance):
        return instance_data(instance)
    if isinstance(instance, str | Path):
        return read_instance_file(instance)
    return json.loads(json.dumps(instance))  # a plain copy; refuses what JSON cannot hold


def check_grid(instance: str | Path | Mapping[str, Any] | Instance, grid: Mapping[str, Sequence[Any]]) -> None:
    """Raise :class:`~optimizer.paths.PathError` (or InstanceError for an unreadable file) before any run."""
    base = base_data(instance)
    grid_runs(grid)
    for path, values in grid.items():
        set_path(base, path, next(iter(values)))


def sweep(instance: str | Path | Mapping[str, Any] | Instance, grid: Mapping[str, Sequence[Any]], *,
          options: SolveOptions | None = None, workers: int | None = None, scheduler: str | None = None,
          out: str | Path | None = None, chunk: int | None = None, fast: bool = True,
          parquet: bool | None = None, progress: Progress | None = None) -> pd.DataFrame:
    """Solve every combination of ``grid`` (path → values) on ``instance``; one table row per run.

    Columns: ``run``, one per path (the value set), then ``status`` (optimal, feasible,
    infeasible, invalid, error…), ``objective_usd`` and the key figures of
    :mod:`optimizer.sweep_worker`, ``in_place`` (re-solved in place), ``seconds`` and ``message``.
    A path that leads nowhere in ``instance`` raises :class:`~optimizer.paths.PathError` before
    anything is solved; a value the instance refuses only makes its run ``invalid``.

    With ``out``, ``sweep.parquet`` is written beside ``sweep.csv`` when pyarrow is installed
    (``parquet=None``), always (``True``: :class:`MissingExtraError` without pyarrow) or never (``False``).
    ``scheduler`` without Dask installed raises :class:`MissingExtraError` too, before anything runs.
    """
    write_parquet = require_extras(scheduler=scheduler, parquet=parquet if out is not None else bool(parquet))
    check_grid(instance, grid)
    base = base_data(instance)
    runs = grid_runs(grid)
    options = options or SolveOptions()
    keep = out is not None
    size = chunk or chunk_size(len(runs))
    chunks = [runs[i:i + size] for i in range(0, len(runs), size)]
    tasks = [(base, c, options, keep, fast) for c in chunks]
    if scheduler:
        finished = dask_cluster(run_chunk, tasks, scheduler)
    elif (workers or default_workers()) == 1 or len(chunks) == 1:
        finished = in_process(run_chunk, tasks)
    else:
        finished = local_processes(run_chunk, tasks, min(workers or default_workers(), len(chunks)))
    results: list[RunResult] = []
    for i, outcome in finished:
        done = failed_rows(chunks[i], outcome) if isinstance(outcome, BaseException) else outcome
        if keep:
            for r in done:
                _write_run(Path(out) / "runs" / str(r.index), r)
                r.solution = r.data = None
        results += done
        if progress is not None:
            progress(len(results), len(runs))
    table = frame(results, list(grid))
    if keep:
        write_table(table, Path(out), parquet=write_parquet)
    return table


def _write_run(folder: Path, result: RunResult) -> None:
    if result.solution is not None:
        result.solution.write(folder)
        if result.row.get("status") == "infeasible":
            result.row["message"] = f"infeasible; `procure diagnose {folder / 'instance.json'}` says why"
    elif result.data is not None:
        folder.mkdir(parents=True, exist_ok=True)
        write_files_atomically(folder, {"instance.json": json.dumps(result.data, indent=1) + "\n",
                                        "error.txt": str(result.row.get("message", "")) + "\n"})


def write_table(table: pd.DataFrame, out: Path, parquet: bool = True) -> list[Path]:
    """``sweep.csv`` and (with ``parquet``, which needs pyarrow) ``sweep.parquet`` in ``out``, each whole or
    not at all. Without ``parquet``, a ``sweep.parquet`` left there by an earlier sweep is removed, so
    that the folder never holds two different tables."""
    out.mkdir(parents=True, exist_ok=True)
    written = write_files_atomically(out, {"sweep.csv": csv_text(table)})
    if not parquet:
        (out / "sweep.parquet").unlink(missing_ok=True)
        return written
    fd, tmp = tempfile.mkstemp(prefix=".sweep.parquet.", dir=out)
    os.close(fd)
    try:
        parquet_ready(table).to_parquet(tmp, index=False, engine="pyarrow")
        os.replace(tmp, out / "sweep.parquet")
    finally:
        Path(tmp).unlink(missing_ok=True)
    return [*written, out / "sweep.parquet"]


def parquet_ready(table: pd.DataFrame) -> pd.DataFrame:
    """Columns of mixed Python types (e.g. numbers and text set at one path) as text, for Parquet."""
    out = table.copy()
    for col in out.columns:
        if out[col].dtype == object and len({type(v) for v in out[col] if v is not None}) > 1:
            out[col] = out[col].map(lambda v: None if v is None else str(v))
    return out
