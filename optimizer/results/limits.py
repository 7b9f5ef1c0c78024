"""Limits at the solution: which bind, with what slack, and their shadow prices in USD.

Each limit row of the model (C1, C3–C8, C10, C13) is described in the instance's own words.
Its shadow price is HiGHS's row dual, i.e. the change in the objective per unit the limit is
raised, converted from model units ($M) to USD per the limit's unit:

- demand (C1): USD per metric unit (e.g. PFLOPS) for one period; per year the sum over its
  periods is the marginal cost of one more PFLOPS sustained all year (USD per PFLOPS-year);
- provider and global power (C3, C4): USD per MW; a year's power limit applies to every period
  in it, so its price is the sum over those periods;
- supply (C5): USD per chip; budgets (C6) and spend commitments (C7): USD per USD;
- capacity commitments (C8): USD per MW; diversification (C10): USD per percentage point of
  ``max_share`` (the row dual times the total of the metric held in that period, / 100).

Signs: a negative price means raising the limit saves money (a binding cap); a positive one
means raising it costs money (demand, commitments). For a MILP the duals come from the LP with
every integer variable fixed at its optimal value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.model import MONEY, Built
from optimizer.prepare.arrays import Prepared
from optimizer.solve.compiled import RawSolution

LIMITS = {
    "demand": ("demand", "metric"), "provider_power": ("provider power", "MW"),
    "global_power": ("global power", "MW"), "supply": ("supply", "chips"),
    "budget_year": ("budget per year", "USD"), "budget_total": ("budget total", "USD"),
    "spend_commitment": ("spend commitment", "USD"), "capacity_commitment": ("capacity commitment", "MW"),
    "diversification": ("diversification", "share"), "providers_used_min": ("providers used (min)", "providers"),
    "providers_used_max": ("providers used (max)", "providers"),
}
"""Model constraint name → (limit label, unit of the limit)."""

COLUMNS = ["limit", "subject", "where", "year", "period", "scenario", "slack", "unit", "shadow_price",
           "price_unit"]


def limit_rows(built: Built, raw: RawSolution) -> pd.DataFrame:
    """One row per limit row of the model: slack (in the limit's unit) and shadow price (USD per unit)."""
    if raw.row_activity is None or raw.compiled is None:
        return pd.DataFrame(columns=COLUMNS)
    prep = built.prepared
    total_metric = _diversification_totals(built, raw)
    rows = []
    bounds, activity, sides = raw.compiled.row_bound(), raw.row_activity, raw.compiled.rows.sides
    limit_rows = [(i, family, tuple(index)) for family in LIMITS
                  for index, i in zip(*(part.tolist() for part in raw.compiled.rows.of(family)), strict=True)]
    for i, family, index in sorted(limit_rows):
        side = int(sides[i])
        label, unit = LIMITS[family]
        gap = float(bounds[i] - activity[i]) if side > 0 else float(activity[i] - bounds[i])
        subject, where, t, y, s = describe(prep, family, index)
        unit = prep.instance.workloads[index[0]].metric if family == "demand" else unit
        money = MONEY if unit == "USD" else 1.0
        price = None
        if raw.row_dual is not None:
            dual = float(raw.row_dual[i]) * MONEY  # USD per model unit
            if family == "diversification":
                price, price_unit = dual * total_metric.get((index[1], index[2]), 0.0) / 100.0, "USD per pp"
            else:
                price, price_unit = dual / money, f"USD per {unit}"
        rows.append({"limit": label, "subject": subject, "where": where, "year": y, "period": t,
                     "scenario": prep.scenario_ids[s] if s is not None else None,
                     "slack": max(gap, 0.0) * money, "unit": unit, "shadow_price": price,
                     "price_unit": price_unit if price is not None else None})
    return pd.DataFrame(rows, columns=COLUMNS)


def binding(limits: pd.DataFrame, rtol: float = 1e-7) -> pd.DataFrame:
    """Limits met with equality (slack within ``rtol`` of the limit's size)."""
    if limits.empty:
        return limits
    return limits[limits.slack <= rtol * np.maximum(1.0, limits.slack.abs()) + 1e-6].reset_index(drop=True)


def shadow_prices(limits: pd.DataFrame, prep: Prepared) -> pd.DataFrame:
    """Shadow prices summed over the periods of each calendar year (non-zero ones only).

    Each row answers: "if this limit were one unit higher for the whole year, how much would the
    NPV change (USD)?"
    """
    cols = ["limit", "subject", "year", "scenario", "shadow_price", "price_unit"]
    if limits.empty or limits.shadow_price.isna().all():
        return pd.DataFrame(columns=cols)
    df = limits.assign(year=limits.year.fillna(-1).astype(int))
    out = (df.groupby(["limit", "subject", "year", "scenario", "price_unit"], dropna=False, sort=False)
           .shadow_price.sum().reset_index())
    out = out[out.shadow_price.abs() > 1e-6]
    out["year"] = out.year.map(lambda v: None if v < 0 else v).astype(object)
    return out[cols].reset_index(drop=True)


def duals_note(built: Built, raw: RawSolution) -> str:
    if raw.row_dual is None:
        return "no dual values: the solver did not return them" if raw.status.has_plan else ""
    return "MILP: dual values from the LP with integer decisions fixed at the optimum" if built.is_mip else ""


def _diversification_totals(built: Built, raw: RawSolution) -> dict[tuple[int, int], float]:
    """Σ_o r(c(o))·a[o, t, s] per (t, s): how much a diversification row moves per unit of σ."""
    prep = built.prepared
    if prep.diversification_weight is None:
        return {}
    A = raw.dense("a", (len(prep.offer_ids), prep.periods.count, prep.n_scenarios))
    totals = np.einsum("o,ots->ts", prep.diversification_weight, A)
    return {(t, s): float(totals[t, s]) for t, s in zip(*np.nonzero(totals), strict=True)}


def describe(prep: Prepared, family: str, index: tuple) -> tuple[str, str, int | None, int | None, int | None]:
    """A limit row in the instance's words: (subject, where, period, calendar year, scenario index)."""
    per = prep.periods
    cal = per.start_year + per.year_index

    def when(t: int) -> str:
        return str(cal[t]) if per.per_year == 1 else f"{cal[t]} P{t % per.per_year + 1}"

    if family == "demand":
        w, t, s = index
        return prep.workload_ids[w], f"{prep.workload_ids[w]} {when(t)}", t, int(cal[t]), s
    if family in ("provider_power", "diversification"):
        p, t, s = index
        return prep.provider_ids[p], f"{prep.provider_ids[p]} {when(t)}", t, int(cal[t]), s
    if family == "global_power":
        _, t, s = index
        return "all providers", when(t), t, int(cal[t]), s
    if family == "supply":
        o, y, s = index
        return prep.offer_ids[o], f"{prep.offer_ids[o]} {per.start_year + y}", None, per.start_year + y, s
    if family == "budget_year":
        y, s = index
        return "per year", str(per.start_year + y), None, per.start_year + y, s
    if family == "budget_total":
        return "total", "whole horizon", None, None, index[0]
    if family == "spend_commitment":
        k, s = index
        c = prep.instance.spend_commitments[k]
        return f"spend_commitments[{k}] {c.provider}", f"{c.provider} {c.years[0]}–{c.years[1]}", None, None, s
    if family == "capacity_commitment":
        k, t, s = index
        c = prep.instance.capacity_commitments[k]
        subject = f"capacity_commitments[{k}] {c.provider} {'/'.join(c.chips)}"
        return subject, f"{subject} {when(t)}", t, int(cal[t]), s
    return "providers", "", None, None, None
