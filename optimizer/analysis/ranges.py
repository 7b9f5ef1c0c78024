"""Near-optimal ranges (spec §11): how firm each part of the cheapest plan is.

The optimum is solved through the one solve path (:mod:`optimizer.solve.pipeline`), which keeps its
HiGHS instance; then, in place on that instance, each provider's (chip family's, first-stage contract
line's) least and most over the plans within ε of the optimum are solved (:mod:`optimizer.analysis.extremes`).
With ``workers > 1`` the measures are split over local processes, each building its own copy of the model.

    table = optimizer.ranges("instances/2026.json", within=0.01)   # one row per provider
    result = near_optimal("instances/2026.json", within=0.01)      # the table, the optimum and every extreme plan
    result.write("out/")                                           # plan, ranges.json, ranges.csv, plans/<p>-min/
"""

from __future__ import annotations

import hashlib
import math
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer.analysis.diagnose import diagnose
from optimizer.analysis.extremes import BY, OPTIMAL, TIME_LIMIT, Explorer, Extreme, Measure, explore, measures
from optimizer.analysis.range_files import KEYS, PLANS, RANGES_CSV, RANGES_JSON, UNIT, columns, range_files
from optimizer.input.schema import Instance
from optimizer.model import build_model
from optimizer.prepare.arrays import prepare
from optimizer.results.extract import extract
from optimizer.results.files import write_files_atomically
from optimizer.results.solution import Solution
from optimizer.solve.compile import compile_to_highs
from optimizer.solve.compiled import Compiled, RawSolution
from optimizer.solve.options import Progress, SolveOptions
from optimizer.solve.pipeline import Source, Stopwatch, check, named_coefficients, solve_kept
from optimizer.solve.status import Status

__all__ = ["BY", "Ranges", "near_optimal", "ranges"]


def check_within(within: object) -> float:
    """ε as a float ≥ 0; raises ValueError naming what is wrong."""
    if isinstance(within, bool) or not isinstance(within, int | float) or not math.isfinite(within) or within < 0:
        raise ValueError(f"within must be a number ≥ 0 (e.g. 0.01 for 1%), got {within!r}")
    return float(within)


def check_by(by: str) -> str:
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}, got {by!r}")
    return by


@dataclass
class Ranges:
    """Near-optimal ranges of one instance: ``table`` (see :func:`optimizer.analysis.range_files.columns`),
    the optimum's plan and each extreme plan by folder name (``<provider>-min``, ``<provider>-max``)."""

    instance: str
    within: float
    by: str
    optimum: Solution
    table: pd.DataFrame
    plans: dict[str, Solution] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def has_plan(self) -> bool:
        return self.optimum.has_plan

    @property
    def objective_usd(self) -> float | None:
        return self.optimum.objective_usd

    @property
    def bounded(self) -> bool:
        """True when a time limit stopped some extreme: its row shows a bound, not the least or most."""
        t = self.table
        return bool(((t.min_status == TIME_LIMIT) | (t.max_status == TIME_LIMIT)).any()) if len(t) else False

    def files(self) -> dict[str, str]:
        """``ranges.json`` and ``ranges.csv``, by name (``min_plan``/``max_plan`` empty without the plans)."""
        table = self.table if self.plans else self.table.assign(min_plan=None, max_plan=None)
        return range_files(self.instance, self.within, self.objective_usd, self.by, table,
                           str(self.optimum.status))

    def write(self, out: str | Path, *, optimum: bool = True) -> list[Path]:
        """Write the optimum's plan (unless ``optimum`` is False), ``plans/<name>/`` for each extreme plan,
        then ``ranges.json`` and ``ranges.csv``; each file whole or not at all, ``plans/`` replaced whole."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        written = self.optimum.write(out) if optimum else []
        if not self.has_plan or not self.plans:  # no extreme plans kept (``plans=False``): none written
            if not self.has_plan:
                for stale in (RANGES_JSON, RANGES_CSV):
                    (out / stale).unlink(missing_ok=True)
            shutil.rmtree(out / PLANS, ignore_errors=True)
            return written + (write_files_atomically(out, self.files()) if self.has_plan else [])
        staged = Path(tempfile.mkdtemp(prefix=f".{PLANS}.", dir=out))
        try:
            for name, plan in self.plans.items():
                plan.write(staged / name)
            staged.chmod(0o777 & ~_umask())
            old = out / PLANS
            if old.exists():
                trash = Path(tempfile.mkdtemp(prefix=f".{PLANS}.old.", dir=out))
                old.rename(trash / PLANS)
                staged.rename(old)
                shutil.rmtree(trash, ignore_errors=True)
            else:
                staged.rename(old)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
        written.append(out / PLANS)
        return written + write_files_atomically(out, self.files())


def _umask() -> int:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def ranges(source: Source, within: float = 0.01, *, by: str = "provider", options: SolveOptions | None = None,
           workers: int = 1) -> pd.DataFrame:
    """Each provider's least and most held MW-years over the plans within ``within`` (ε) of the optimum.

    ``by="chip"`` gives chip families instead; ``by="first-stage"`` each first-stage contract line's least
    and most chips (``firm`` when the range excludes zero). Raises :class:`~optimizer.errors.InstanceError`
    for bad input and ValueError for a bad ``within`` or ``by`` or an instance with no plan.
    """
    result = near_optimal(source, within, by=by, options=options, workers=workers, plans=False)
    if not result.has_plan:
        raise ValueError(f"{result.instance}: no plan ({result.optimum.status}), so no ranges")
    return result.table


def near_optimal(source: Source, within: float = 0.01, *, by: str = "provider", options: SolveOptions | None = None,
                 workers: int = 1, plans: bool = True, progress: Progress | None = None) -> Ranges:
    """The optimum, the ranges of ``by`` within ``within`` of it and (with ``plans``) every extreme plan.

    Without a plan (infeasible: with its diagnosis) the table is empty. ``plans=False`` also skips the
    optimum's shadow prices.
    """
    within, by = check_within(within), check_by(by)
    options = options or SolveOptions()
    watch = Stopwatch(progress)
    watch.tell("loading the instance")
    checked = check(source, options)
    prep = prepare(checked.instance)
    built = build_model(prep)
    watch.lap("build_s", "solving the optimum")
    with named_coefficients(prep, source):
        h, raw = solve_kept(built, options, release=True, duals=plans, watch=watch)
        optimum = extract(built, raw)
        if not raw.status.has_plan:
            if raw.status == Status.INFEASIBLE:
                watch.tell("diagnosing the infeasibility")
                optimum.diagnosis = [f.to_dict() for f in diagnose(prep, options)]
            table = pd.DataFrame(columns=columns(by))
            return Ranges(checked.instance.name, within, by, optimum, table, timings=watch.timings)
        compiled = raw.compiled
        found = measures(prep, compiled, by)
        watch.lap("optimum_s", f"near-optimal extremes: {len(found)} × 2")
        if workers > 1 and len(found) > 1:
            pairs = _in_processes(checked.instance, options, within, by, raw, workers, len(found))
        else:
            explorer = Explorer(h, compiled, raw.objective, within, options, raw.col if compiled.is_mip else None)
            pairs = explore(explorer, found, raw.col, tell=watch.tell)
            explorer.restore()
        watch.lap("extremes_s")
    pairs = [tuple(_with_optimum(e, raw) for e in pair) for pair in pairs]
    table, names = _table(found, pairs, raw, by)
    extreme_plans = {}
    if plans:
        for pair, pair_names in zip(pairs, names, strict=True):
            for extreme, name in zip(pair, pair_names, strict=True):
                if extreme.raw is not None:  # an extreme with no answer (status "error") has no plan
                    extreme_plans[name] = optimum if extreme.raw is raw else extract(built, extreme.raw)
    watch.lap("results_s")
    return Ranges(checked.instance.name, within, by, optimum, table, extreme_plans, watch.timings)


def _with_optimum(extreme: Extreme, raw: RawSolution) -> Extreme:
    """An extreme that needed no solve stands for the optimum's own plan."""
    if extreme.raw is None and extreme.status == OPTIMAL:
        extreme.raw = raw
    return extreme


def _folder_name(labels: dict[str, object], by: str) -> str:
    name = "-".join(str(labels[k]) for k in (["offer", "period"] if by == "first-stage" else KEYS[by]))
    return re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".") or "_"


def _table(found: list[Measure], pairs: list[tuple[Extreme, Extreme]], raw: RawSolution,
           by: str) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """The ranges table and each row's plan folder names."""
    u = UNIT[by]
    total_coef = sum((m.coef for m in found), np.zeros(len(raw.col)))
    total_constant = sum(m.constant for m in found)

    def share(value: float, plan: RawSolution | None) -> float:
        if by == "first-stage" or plan is None or not math.isfinite(value):
            return math.nan
        total = float(total_coef @ plan.col) + total_constant
        return value / total if total > 1e-12 else math.nan

    rows, names, seen = [], [], set()
    for m, (low, high) in zip(found, pairs, strict=True):
        base = _folder_name(m.labels, by)
        stem = base
        while stem in seen:
            stem = f"{stem}_"
        seen.add(stem)
        names.append((f"{stem}-min", f"{stem}-max"))
        optimum_value = m.value(raw.col)
        row: dict[str, Any] = {**m.labels, f"optimum_{u}": optimum_value, f"min_{u}": low.bound,
                               f"max_{u}": high.bound, "min_status": low.status, "max_status": high.status,
                               f"min_plan_{u}": low.value, f"max_plan_{u}": high.value}
        if by == "first-stage":
            row["firm"] = bool(low.bound > 1e-6)
        else:
            row.update(optimum_share=share(optimum_value, raw), min_share=share(low.bound, low.raw),
                       max_share=share(high.bound, high.raw))
        row.update(min_plan=f"{PLANS}/{stem}-min", max_plan=f"{PLANS}/{stem}-max")
        rows.append(row)
    return pd.DataFrame(rows, columns=columns(by)), names


# --- local processes ---------------------------------------------------------------------------------

def _fingerprint(compiled: Compiled) -> str:
    """The compiled columns' names, hashed: a worker's copy of the model must order them as this one does."""
    keys = compiled.columns
    return hashlib.sha1(keys.code.tobytes() + keys.index.tobytes()).hexdigest()


def extremes_task(instance: Instance, options: SolveOptions, within: float, by: str, objective: float,
                  optimum: np.ndarray, fingerprint: str, indices: list[int]) -> list[tuple[int, list[dict]]]:
    """A worker's share: build the model afresh, add the near-optimal row, solve the extremes of the
    measures at ``indices``. Returns, per measure, its least and most as plain dicts (picklable)."""
    prep = prepare(instance)
    built = build_model(prep)
    h, compiled = compile_to_highs(built)
    if _fingerprint(compiled) != fingerprint:
        raise RuntimeError("a worker built the model with other columns than the optimum's")
    found = measures(prep, compiled, by)
    explorer = Explorer(h, compiled, objective, within, options, optimum if compiled.is_mip else None)
    pairs = explore(explorer, [found[i] for i in indices], optimum)
    out = []
    for i, pair in zip(indices, pairs, strict=True):
        out.append((i, [_plain(e) for e in pair]))
    return out


def _plain(e: Extreme) -> dict:
    r = e.raw
    plan = None if r is None else {"status": str(r.status), "objective": r.objective, "mip_gap": r.mip_gap,
                                   "col": r.col, "row_activity": r.row_activity, "message": r.message}
    return {"status": e.status, "value": e.value, "bound": e.bound, "seconds": e.seconds, "message": e.message,
            "plan": plan}


def _unplain(d: dict, compiled: Compiled) -> Extreme:
    p = d["plan"]
    raw = None if p is None else RawSolution(Status(p["status"]), p["objective"], p["mip_gap"], p["col"],
                                             p["row_activity"], None, compiled, p["message"])
    return Extreme(d["status"], d["value"], d["bound"], raw, d["seconds"], d["message"])


def _in_processes(instance: Instance, options: SolveOptions, within: float, by: str, raw: RawSolution,
                  workers: int, n: int) -> list[tuple[Extreme, Extreme]]:
    """The extremes of ``n`` measures on ``workers`` local processes (round robin), each with its own model."""
    from optimizer.sweep.executors import local_processes

    chunks = [list(range(i, n, workers)) for i in range(min(workers, n))]
    tasks = [(instance, options, within, by, raw.objective, raw.col, _fingerprint(raw.compiled), chunk)
             for chunk in chunks]
    pairs: list[Any] = [None] * n
    for _, result in local_processes(extremes_task, tasks, len(tasks)):
        if isinstance(result, BaseException):
            raise result
        for i, (low, high) in result:
            pairs[i] = (_unplain(low, raw.compiled), _unplain(high, raw.compiled))
    return pairs

