"""What reports and comparisons show of a :class:`~optimizer.Solution`: status lines, figures in their units,
providers in the instance's order, period times and provider × year grids."""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.results.figures import npv_basis
from optimizer.results.solution import Solution
from optimizer.units import plural, usd


def status_text(sol: Solution) -> str:
    """The status in words, with the gap when a time limit stopped the solver."""
    if sol.status == "feasible" and sol.mip_gap is not None:
        return f"feasible (stopped at a MIP gap of {sol.mip_gap:.2%})"
    return str(sol.status)


def status_kind(sol: Solution) -> str:
    """The badge colour of a status: "ok", "warn" or "bad"."""
    return {"optimal": "ok", "feasible": "warn"}.get(str(sol.status), "bad")


def facts(sol: Solution) -> list[str]:
    """The headline bullets: NPV, horizon, scenarios, providers used, how the duals were obtained."""
    out = []
    if sol.objective_usd is not None:
        out.append(f"**Net present cost{npv_basis(sol)}: {usd(sol.objective_usd)}**"
                   + (" (expected over scenarios)" if len(sol.scenarios) > 1 else "")
                   + " (exact: `objective_usd` in solution.json)")
    inst = sol.inputs
    if inst is not None:
        h = inst.horizon
        out.append(f"Horizon {h.start_year}–{h.start_year + h.years - 1}, "
                   f"{plural(h.periods_per_year, 'period')} a year, "
                   f"discount rate {inst.discount_rate:.1%}")
        if inst.scenarios is not None:
            cases = ", ".join(f"{c.id} {c.probability:.0%}" for c in inst.scenarios.cases)
            out.append(f"Scenarios: {cases}; the first {plural(inst.scenarios.first_stage_years, 'year')} are signed "
                       "before the outcome is known")
    if sol.providers_used:
        out.append("Providers used: " + ", ".join(sol.providers_used))
    if sol.duals_note:
        out.append(sol.duals_note[0].upper() + sol.duals_note[1:])
    return out


def provider_order(sol: Solution) -> list[str]:
    """Provider ids in the instance's order."""
    return [p.id for p in sol.inputs.providers] if sol.inputs is not None else sorted(set(sol.power.provider))


def period_x(sol: Solution, periods: pd.Series, years: pd.Series) -> np.ndarray:
    """Calendar time of each period's start: 2026.0, 2026.25, …"""
    m = sol.periods_per_year
    return years.to_numpy(dtype=float) + (periods.to_numpy() % m) / m


def expected_note(sol: Solution) -> str:
    """The caption note for charts of expected values (empty without scenarios)."""
    return " Expected values over the scenarios (probability-weighted)." if len(sol.scenarios) > 1 else ""


def year_grid(df: pd.DataFrame, row: str, value: str, order: list[str]) -> pd.DataFrame:
    """``row`` × year table of ``value`` with rows in ``order``."""
    grid = df.pivot_table(index=row, columns="year", values=value, aggfunc="sum", fill_value=0.0)
    return grid.reindex([r for r in order if r in grid.index])


def formatted_grid(grid: pd.DataFrame, fmt, total: bool = False) -> pd.DataFrame:
    """A grid as text cells (``fmt`` per value), optionally with a total row, its index as the first column."""
    shown = grid.copy()
    if total:
        shown.loc["total"] = grid.sum(axis=0)
    out = shown.map(fmt)
    out.columns = [str(c) for c in out.columns]
    return out.reset_index().rename(columns={out.index.name or "index": ""})
