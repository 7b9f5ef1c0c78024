"""The part of a sweep that runs on a worker: solve a chunk of runs and summarise each in one row.

A chunk's runs are solved one after another by one :class:`~optimizer.resolve.Resolver`, so a
run that changes only numbers re-uses the model of the run before it (``in_place``).

Key figures of a run (the sweep table's columns; money in USD, power in MW):

- ``objective_usd``: the expected NPV (spec §6);
- ``spend_usd``: nominal payments inside the horizon, expected over scenarios;
- ``shortfall_usd``: take-or-pay shortfalls, nominal, expected over scenarios;
- ``peak_mw``: peak power held, MW (``optimizer.kpis.peak_power_mw``, defined in docs/kpis.md);
- ``largest_share``: the largest share one provider holds in any period and scenario, measured
  like the instance's diversification limit (its perf metric, or MW without one); 0–1;
- ``largest_provider``: who holds it; ``providers_used``: providers holding a contract, ``;``-joined.
"""

from __future__ import annotations

import json
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from optimizer.api import solve
from optimizer.errors import InstanceError
from optimizer.input.load import load_instance
from optimizer.input.paths import apply_settings
from optimizer.input.schema import Instance
from optimizer.results.figures import expected_total, peak_power_mw
from optimizer.results.solution import Solution
from optimizer.solve.options import SolveOptions
from optimizer.solve.resolve import Resolver

KPI_COLUMNS = ["status", "objective_usd", "mip_gap", "spend_usd", "shortfall_usd", "peak_mw", "largest_share",
               "largest_provider", "providers_used", "in_place", "seconds", "message"]


@dataclass(frozen=True)
class Run:
    """One point of the grid: its 0-based position and the value set at each path."""

    index: int
    settings: dict[str, Any]


@dataclass
class RunResult:
    """A run's row (``KPI_COLUMNS``) and, when asked for, its solution."""

    index: int
    row: dict[str, Any]
    solution: Solution | None = None
    data: dict[str, Any] | None = field(default=None, repr=False)  # the instance, when it did not validate


def _labels(scenario: pd.Series) -> pd.Series:
    """Scenario ids as text, "" without scenarios (None and NaN do not group)."""
    return scenario.map(lambda s: "" if pd.isna(s) else str(s))


def largest_share(sol: Solution, inst: Instance) -> tuple[float, str | None]:
    """The largest share of one provider in any period and scenario (C10's measure), and who holds it."""
    active = sol.active
    if active.empty:
        return 0.0, None
    div = inst.diversification
    if div is not None and div.metric != "mw":
        perf = {c.id: c.perf.get(div.metric, 0.0) for c in inst.chips}
        held = active.chips * active.chip.map(perf)
    else:
        held = active.mw
    df = active.assign(_h=held.astype(float), _s=_labels(active.scenario))
    per_provider = df.groupby(["_s", "period", "provider"])._h.sum()
    total = per_provider.groupby(level=[0, 1]).transform("sum")
    share = (per_provider / total.where(total > 0)).dropna()
    if share.empty:
        return 0.0, None
    top = share.idxmax()
    return float(share.max()), str(top[2])


def run_kpis(sol: Solution, inst: Instance) -> dict[str, Any]:
    """The key figures of one solved run (see the module docstring)."""
    row: dict[str, Any] = {"status": str(sol.status), "objective_usd": sol.objective_usd, "mip_gap": sol.mip_gap,
                           "message": sol.message if not sol.has_plan else ""}
    if not sol.has_plan:
        return row
    share, who = largest_share(sol, inst)
    peak = peak_power_mw(sol.power).iloc[0] if not sol.power.empty else 0.0
    row.update(spend_usd=expected_total(sol.payments, "total_usd", sol),
               shortfall_usd=expected_total(sol.shortfalls, "usd", sol),
               peak_mw=float(peak), largest_share=share, largest_provider=who,
               providers_used=";".join(sol.providers_used))
    return row


def _cell(value: Any) -> Any:
    """A setting as a table cell: numbers and text as they are, anything else as JSON text."""
    return value if value is None or isinstance(value, bool | int | float | str) else json.dumps(value)


def run_one(resolver: Resolver | None, base: dict[str, Any], run: Run, options: SolveOptions,
            keep: bool) -> RunResult:
    """Solve one run; an invalid instance or a failing solve gives a row that says so."""
    start = time.perf_counter()
    row: dict[str, Any] = {"run": run.index, **{p: _cell(v) for p, v in run.settings.items()}}
    data = apply_settings(base, run.settings)
    try:
        inst = load_instance(data)
    except InstanceError as e:
        row.update(status="invalid", message=e.message, seconds=time.perf_counter() - start)
        return RunResult(run.index, row, None, data)
    try:
        if resolver is not None:
            sol = resolver.solve(inst)
            row["in_place"] = resolver.in_place
        else:
            sol = solve(inst, options, explain_infeasible=False)
            row["in_place"] = False
    except KeyboardInterrupt:
        raise
    except Exception as e:  # a crash in one run must not stop the sweep
        if resolver is not None:
            resolver.state = None
        last = traceback.extract_tb(e.__traceback__)[-1]
        row.update(status="error", message=f"{type(e).__name__}: {e} ({last.filename}:{last.lineno})",
                   seconds=time.perf_counter() - start)
        return RunResult(run.index, row)
    row.update(run_kpis(sol, inst), seconds=time.perf_counter() - start)
    return RunResult(run.index, row, sol if keep else None)


def run_chunk(base: dict[str, Any], runs: list[Run], options: SolveOptions, keep: bool,
              fast: bool) -> list[RunResult]:
    """Solve ``runs`` in order; ``fast`` re-uses one model across them; ``keep`` returns the solutions."""
    resolver = Resolver(options, duals=keep) if fast else None
    return [run_one(resolver, base, run, options, keep) for run in runs]


def failed_rows(runs: list[Run], error: BaseException) -> list[RunResult]:
    """Rows for runs whose whole chunk failed (e.g. a worker died)."""
    message = f"{type(error).__name__}: {error}"
    return [RunResult(r.index, {"run": r.index, **{p: _cell(v) for p, v in r.settings.items()},
                                "status": "error", "message": message}) for r in runs]


def ordered_columns(paths: list[str]) -> list[str]:
    return ["run", *paths, *KPI_COLUMNS]


def frame(results: list[RunResult], paths: list[str]) -> pd.DataFrame:
    """The sweep table, one row per run in run order."""
    rows = [r.row for r in sorted(results, key=lambda r: r.index)]
    df = pd.DataFrame(rows, columns=ordered_columns(paths))
    df["in_place"] = df.in_place.astype("boolean")
    for col in ("objective_usd", "mip_gap", "spend_usd", "shortfall_usd", "peak_mw", "largest_share", "seconds"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    df["message"] = df.message.fillna("")
    return df

