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
from optimizer.model.describe import describe
from optimizer.prepare.arrays import Prepared
from optimizer.solve.compiled import RawSolution

COLUMNS = ["limit", "subject", "where", "year", "period", "scenario", "slack", "unit", "shadow_price",
           "price_unit"]


def limit_rows(built: Built, raw: RawSolution) -> pd.DataFrame:
    """One row per limit row of the model: slack (in the limit's unit) and shadow price (USD per unit).

    The limits are the families of the model's registry marked ``limit``, in its words
    (:func:`optimizer.model.describe.describe`).
    """
    if raw.row_activity is None or raw.compiled is None:
        return pd.DataFrame(columns=COLUMNS)
    prep = built.prepared
    families = built.registry.limits()
    rules = {f.name: f.price(built, raw) for f in families if f.price is not None and raw.row_dual is not None}
    rows = []
    bounds, activity, sides = raw.compiled.row_bound(), raw.row_activity, raw.compiled.rows.sides
    found = [(i, f, tuple(index)) for f in families
             for index, i in zip(*(part.tolist() for part in raw.compiled.rows.of(f.name)), strict=True)]
    for i, family, index in sorted(found, key=lambda row: row[0]):
        side = int(sides[i])
        gap = float(bounds[i] - activity[i]) if side > 0 else float(activity[i] - bounds[i])
        d = describe(prep, family, index)
        price = price_unit = None
        if raw.row_dual is not None:
            dual = float(raw.row_dual[i]) * MONEY  # USD per model unit
            rule = rules.get(family.name)
            price = rule(index, dual) if rule is not None else dual / family.scale
            price_unit = d.text(family.price_unit, unit=d.unit)
        rows.append({"limit": family.label, "subject": d.subject, "where": d.place, "year": d.year,
                     "period": d.period, "scenario": d.scenario, "slack": max(gap, 0.0) * family.scale,
                     "unit": d.unit, "shadow_price": price, "price_unit": price_unit})
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
