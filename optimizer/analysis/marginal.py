"""Honest marginal values: what relaxing a binding limit, or removing it, really changes in cost, by re-solving.

A shadow price is the slope of the cost at the optimum; multiplied by a large change (2,000 MW, a
whole commitment) it says little, because the plan adapts and the slope changes. So for the binding
limits with the largest ``|shadow price × limit|`` (the ``top``), this module changes the instance
and solves again, in place where only numbers change (:class:`~optimizer.solve.resolve.Resolver`):

- **step**: the limit relaxed in that calendar year alone (a cap raised, a floor lowered) by a
  stated step, 10% of its value rounded to 1, 2 or 5 times a power of ten (1 for counts);
- **removal** in that year: a cap raised to ten times its largest value (so it cannot bind), a
  floor set to 0;
- **removal of the whole limit**, every year (for each limit of the top rows, once).

Each change is an edit of the instance JSON (``change``): re-solving it from scratch gives the same
cost. A limit is its family and item (``providers[aws].power_mw``, ``capacity_commitments[0].min_mw``)
and, for a year map, a calendar year; a change writes the year map out year by year, so that only
that year moves. With scenarios, a limit of the input holds in every scenario: its shadow price here
is the sum over the scenarios' rows. Demand and diversification (one share for every provider and
year) are not relaxed. Money in USD of the objective (spec §6, §10.7).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.errors import InstanceError
from optimizer.input.paths import parse_path, set_path
from optimizer.input.schema import Instance
from optimizer.input.values import YearMap
from optimizer.model.describe import describe
from optimizer.model.families import active
from optimizer.prepare.arrays import prepare
from optimizer.results.files import csv_text, write_files_atomically
from optimizer.results.folder import instance_data
from optimizer.results.solution import Solution
from optimizer.solve.options import SolveOptions
from optimizer.solve.resolve import Resolver

TOP = 10
"""Limit-years re-solved: those with the largest ``|shadow price × limit|``."""
BUDGET_S = 300.0
"""Seconds of re-solving, by default: no new re-solve starts after this (the limits not reached are left out)."""
MIP_GAP = 1e-4
"""Relative MIP gap of the re-solves of a MILP (the base included, so that every difference is at one gap)."""
REMOVED = 10.0
"""A cap is removed by raising it to this many times its largest value."""
COLUMNS = ["limit", "subject", "year", "path", "unit", "value", "shadow_price", "price_unit", "step",
           "step_estimate_usd", "step_delta_usd", "removal_estimate_usd", "removal_delta_usd"]
FILE = "marginal_values.csv"

NOT_RELAXED = frozenset({"demand", "diversification"})
"""Limits of the input not relaxed here: demand is what the plan is for; one share rules every provider and year."""


@dataclass(frozen=True)
class Limit:
    """One input limit: its family, the JSON path of its number or year map, cap or floor, unit."""

    family: str
    path: str
    cap: bool
    unit: str
    count: bool  # a whole number (providers)


def _item(value: Any, path: str) -> Any:
    """The value at ``path`` in the validated instance (``providers[aws].power_mw``; ids or positions)."""
    node: Any = value
    for kind, name in parse_path(path):
        if kind == "key":
            node = getattr(node, name)
        else:
            node = next((x for x in node if getattr(x, "id", None) == name), None) or node[int(name)]
    return node


def limits_by_subject(inst: Instance) -> dict[tuple[str, str], Limit]:
    """(label, subject) as in the table of shadow prices → the limit of the input it names.

    Every limit family of the registry but :data:`NOT_RELAXED`, one :class:`Limit` per item (provider,
    offer, workload, commitment, supply entry): its JSON path is the family's, a ``<=`` family a cap and a
    ``>=`` one a floor.
    """
    prep = prepare(inst)
    ids = {"p": prep.provider_ids, "o": prep.offer_ids, "w": prep.workload_ids}
    out: dict[tuple[str, str], Limit] = {}
    for family in active().limits():
        if family.name in NOT_RELAXED:
            continue
        letter = next((x for x in family.index if x in ("p", "o", "w", "k")), None)
        if letter in ids:
            count = len(ids[letter])
        elif letter == "k":
            items = parse_path(family.path.split("[", 1)[0])[0][1]  # "supply", "spend_commitments", ...
            count = len(getattr(inst, items))
        else:
            count = 1
        for i in range(count):
            index = tuple(i if x == letter else 0 for x in family.index)
            d = describe(prep, family, index)
            path = family.path.format(**{**d.words, **({letter: ids[letter][i]} if letter in ids else {})})
            if math.isnan(value_at(inst, path, None)):
                continue  # the input has no such limit (e.g. a supply entry capped in MW, not chips)
            out.setdefault((family.label, d.subject), Limit(family.name, path, family.sense == "<=", d.unit,
                                                            family.unit == "providers"))
    return out


def nice_step(value: float, count: bool) -> float:
    """10% of ``|value|`` rounded to 1, 2 or 5 times a power of ten; 1 for counts (and for a limit of 0)."""
    if count or value == 0 or not math.isfinite(value):
        return 1.0
    tenth = abs(value) / 10
    power = 10 ** math.floor(math.log10(tenth))
    return min((m * power for m in (1, 2, 5, 10)), key=lambda s: abs(math.log(s / tenth)))


def current(inst: Instance, limit: Limit, year: int | None) -> float:
    """The limit's value (in ``year`` for a year map); NaN when the input has none."""
    return value_at(inst, limit.path, year)


def value_at(inst: Instance, path: str, year: int | None) -> float:
    """The number at ``path`` (in ``year`` for a year map); NaN when the input has none."""
    try:
        v = _item(inst, path)
    except (AttributeError, IndexError, ValueError, StopIteration):
        return math.nan
    if v is None:
        return math.nan
    return float(v.at(year if year is not None else inst.horizon.start_year)) if isinstance(v, YearMap) else float(v)


def change(data: dict[str, Any], inst: Instance, limit: Limit, year: int | None, new: float | None) -> dict[str, Any]:
    """The instance ``data`` with the limit set to ``new`` in ``year`` (every horizon year when None);
    ``new=None`` removes it (a cap ten times its largest value, a floor 0)."""
    v = _item(inst, limit.path)
    h = inst.horizon
    years = range(h.start_year, h.start_year + h.years)
    if isinstance(v, YearMap):
        values = {y: float(v.at(y)) for y in years}
        gone = REMOVED * max(values.values()) if limit.cap else 0.0
        for y in years:
            if year is None or y == year:
                values[y] = gone if new is None else new
        return set_path(data, limit.path, {str(y): _plain(x, limit) for y, x in values.items()})
    if not limit.cap:
        gone = 0.0
    elif limit.count:  # providers_used.max, max_providers: every provider
        gone = float(len(inst.providers))
    else:
        gone = REMOVED * float(v)
    return set_path(data, limit.path, _plain(gone if new is None else new, limit))


def _plain(x: float, limit: Limit) -> float | int:
    return round(x) if limit.count else x


def binding_limits(sol: Solution) -> pd.DataFrame:
    """Non-zero shadow prices of limits this module can relax, summed over scenarios, with the limit's value,
    largest ``|shadow price × value|`` first: limit, subject, year, path, unit, value, shadow_price, price_unit."""
    sp = sol.shadow_prices
    cols = ["limit", "subject", "year", "path", "unit", "value", "shadow_price", "price_unit"]
    if sp.empty or sol.inputs is None:
        return pd.DataFrame(columns=cols)
    known = limits_by_subject(sol.inputs)
    year = sp.year.map(lambda y: None if pd.isna(y) else int(y))
    g = (sp.assign(year=year.fillna(-1)).groupby(["limit", "subject", "year", "price_unit"], sort=False)
         .shadow_price.sum().reset_index())
    rows = []
    for r in g.itertuples():
        limit = known.get((r.limit, r.subject))
        y = None if r.year < 0 else int(r.year)
        if limit is None or abs(r.shadow_price) < 1e-9:
            continue
        rows.append({"limit": r.limit, "subject": r.subject, "year": y, "path": limit.path, "unit": limit.unit,
                     "value": current(sol.inputs, limit, y), "shadow_price": float(r.shadow_price),
                     "price_unit": r.price_unit})
    df = pd.DataFrame(rows, columns=cols)
    if df.empty:
        return df
    size = (df.shadow_price * df.value.fillna(0.0)).abs()
    return df.loc[size.sort_values(ascending=False, kind="stable").index].reset_index(drop=True)


def marginal_values(sol: Solution, options: SolveOptions | None = None, top: int = TOP,
                    budget_s: float | None = BUDGET_S) -> pd.DataFrame:
    """The top binding limits, each relaxed by a step and removed in its year, and each of their limits removed in
    every year (rows with ``year`` empty and ``subject`` ending "(every year)"), by re-solving (``COLUMNS``).

    ``*_estimate_usd`` is the shadow price times the change (what the dual alone says; for a cap's removal,
    none); ``*_delta_usd`` the change in the objective found by re-solving (NaN when the variant has no plan).
    After ``budget_s`` seconds no new row is started (None: no budget). A MILP is re-solved at a relative
    gap of :data:`MIP_GAP` unless ``options`` say otherwise.
    """
    every = binding_limits(sol)
    table = every[every.value.notna()].head(top)
    if table.empty or sol.inputs is None or sol.objective_usd is None:
        return pd.DataFrame(columns=COLUMNS)
    inst = sol.inputs
    data = instance_data(inst)
    known = {lim.path: lim for lim in limits_by_subject(inst).values()}
    resolver = Resolver(options or SolveOptions(mip_gap=MIP_GAP if sol.is_mip else SolveOptions().mip_gap),
                        duals=False)
    started = time.monotonic()
    base = resolver.solve(data).objective_usd

    def late() -> bool:
        return budget_s is not None and time.monotonic() - started > budget_s

    def delta(variant: dict[str, Any]) -> float:
        try:
            solved = resolver.solve(variant)
        except InstanceError:  # a change the instance's rules refuse: no value rather than no report
            return math.nan
        return solved.objective_usd - base if solved.has_plan and solved.objective_usd is not None else math.nan

    rows = []
    for r in table.itertuples():
        if late():
            break
        limit = known[r.path]
        step = nice_step(r.value, limit.count)
        if not limit.cap:
            step = min(step, r.value)
        sign = 1.0 if limit.cap else -1.0
        rows.append({**r._asdict(), "step": step, "step_estimate_usd": r.shadow_price * sign * step,
                     "step_delta_usd": delta(change(data, inst, limit, r.year, r.value + sign * step)),
                     "removal_estimate_usd": math.nan if limit.cap else -r.shadow_price * r.value,
                     "removal_delta_usd": delta(change(data, inst, limit, r.year, None))})
    whole = table[table.year.notna()].drop_duplicates(["limit", "subject"])
    for r in whole.itertuples():
        if late():
            break
        limit = known[r.path]
        mine = every[(every.limit == r.limit) & (every.subject == r.subject)]
        rows.append({"limit": r.limit, "subject": f"{r.subject} (every year)", "year": None, "path": r.path,
                     "unit": r.unit, "value": math.nan, "shadow_price": math.nan, "price_unit": r.price_unit,
                     "step": math.nan, "step_estimate_usd": math.nan, "step_delta_usd": math.nan,
                     "removal_estimate_usd": math.nan if limit.cap else float(-(mine.shadow_price * mine.value).sum()),
                     "removal_delta_usd": delta(change(data, inst, limit, None, None))})
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["year"] = out.year.astype(object).where(out.year.notna(), None)
    return out


def write_marginal_values(folder: str | Path, options: SolveOptions | None = None, top: int = TOP,
                          budget_s: float | None = BUDGET_S) -> Path | None:
    """Compute :func:`marginal_values` for a solution folder and write ``marginal_values.csv`` into it
    (None, and nothing written, when the folder holds no plan or ``top`` is 0)."""
    path = Path(folder)
    sol = Solution.read(path)
    if not sol.has_plan or top <= 0:
        return None
    table = marginal_values(sol, options, top, budget_s)
    written = write_files_atomically(path, {FILE: csv_text(table)})
    return written[0] if written else None


__all__ = ["FILE", "Limit", "binding_limits", "change", "marginal_values", "nice_step", "write_marginal_values"]
