"""Rows the comparison adds to the key figures: existing contracts apart from new ones (spec §10.3), and expected
cost and CVaR side by side (spec §10.7). Each is a figure of one plan, computed from its folder; docs/kpis.md.

Existing and new contracts (when a plan of the comparison has existing contracts):

- ``NPV, existing contracts``: the existing contracts' discounted payments (``existing.npv_usd``, the NPV part
  ``existing``); ``NPV, new contracts``: the contracts the plan signs (the part ``contracts``, expected over
  scenarios). Shortfalls and onboarding fees are neither: the ``NPV`` row holds everything.
- ``MW-years held, existing contracts``: the existing chips' MW summed over the horizon periods they are active,
  divided by the periods per year; ``MW-years held, new contracts``: every MW-year held in the horizon (expected
  over scenarios) minus those.

Expected cost and CVaR (when a plan has ``risk`` or scenarios):

- ``expected cost``: ``Σ_s prob_s·C_s`` (``expected_cost_usd`` of solution.json; without ``risk``, the objective);
- ``CVaR α% of scenario costs``: one row per level α a plan uses (its ``risk.cvar_alpha``, else 0.9 with
  scenarios), filled for every plan: its ``cvar_usd`` at its own level, else the CVaR of its scenarios' NPV at α
  (without scenarios, the plan's one cost);
- with ``risk`` in a plan, ``CVaR weight in the objective`` (λ, in %; 0 without ``risk``), and ``NPV`` is every
  plan's objective (``objective_usd``: with ``risk`` the blend ``(1 − λ)·expected cost + λ·CVaR`` the plan
  minimises, as the plans' table shows it; the headline's NPV row is the expected cost).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from optimizer.prepare.risk import cvar
from optimizer.results.figures import cvar_alpha, cvar_label, expected_total
from optimizer.results.solution import Solution
from optimizer.units import key_figure, number, signed_usd

EXISTING_ROWS = (("NPV, existing contracts", "USD"), ("NPV, new contracts", "USD"),
                 ("MW-years held, existing contracts", "MW-years"), ("MW-years held, new contracts", "MW-years"))
"""The rows of existing contracts apart from new ones, by (kpi, unit)."""
EXPECTED_COST = ("expected cost", "USD")
WEIGHT = ("CVaR weight in the objective", "%")
NPV = ("NPV", "USD")
BLEND = "NPV = (1 − λ)·expected cost + λ·CVaR"
"""How the risk section names the NPV row when a plan has ``risk``."""

Figures = dict[tuple[str, str], float]


def has_existing(sol: Solution) -> bool:
    return sol.has_plan and not sol.existing.empty


def has_risk(sol: Solution) -> bool:
    return sol.has_plan and sol.cvar_usd is not None


def existing_and_new(sol: Solution) -> Figures:
    """NPV (USD) and MW-years held of the plan's existing contracts and of its new ones (see the module docstring)."""
    e, inst = sol.existing, sol.inputs
    m = sol.periods_per_year
    if inst is None or e.empty:
        existing_mw_years, existing_npv = 0.0, 0.0
    else:
        mw_per_chip = {c.id: c.power_kw / 1000.0 for c in inst.chips}
        last = np.minimum(e.last_period.to_numpy(dtype=int), m * inst.horizon.years - 1)
        periods = np.clip(last - e.first_period.to_numpy(dtype=int) + 1, 0, None)
        existing_mw_years = float((e.chips.to_numpy(dtype=float) * e.chip.map(mw_per_chip).to_numpy(dtype=float)
                                   * periods).sum() / m)
        existing_npv = float(e.npv_usd.sum())
    held = expected_total(sol.power, "mw", sol) / m
    new_mw_years = held - existing_mw_years
    new_npv = expected_total(sol.contracts, "npv_usd", sol)
    return dict(zip(EXISTING_ROWS, (existing_npv, new_npv, existing_mw_years,
                                    new_mw_years if abs(new_mw_years) > 1e-9 * max(held, 1.0) else 0.0), strict=True))


def risk_figures(sol: Solution, headline: pd.DataFrame, levels: Sequence[float], weight_row: bool) -> Figures:
    """Expected cost, CVaR at each of ``levels`` (USD) and, with ``weight_row``, the objective as NPV (USD) and λ
    (%)."""
    prob = dict(zip(sol.scenarios, sol.probabilities, strict=True))
    npv = headline[(headline.kpi == "NPV") & (headline.scenario != "expected")]
    costs = npv.value.astype(float).tolist()
    probs = [prob.get(None if pd.isna(s) else s, 0.0) for s in npv.scenario] if len(npv) > 1 else [1.0] * len(npv)
    listed = headline[(headline.kpi == EXPECTED_COST[0]) & (headline.scenario == "expected")].value
    expected = sol.expected_cost_usd if sol.expected_cost_usd is not None else (
        float(listed.iloc[0]) if len(listed) else sol.objective_usd)
    out: Figures = {NPV: sol.objective_usd if sol.objective_usd is not None else np.nan} if weight_row else {}
    out[EXPECTED_COST] = float(expected) if expected is not None else np.nan
    for alpha in levels:
        own = has_risk(sol) and alpha == cvar_alpha(sol)
        out[(cvar_label(alpha), "USD")] = float(sol.cvar_usd) if own else (cvar(costs, probs, alpha) if costs
                                                                          else np.nan)
    if weight_row:
        inst = sol.inputs
        out[WEIGHT] = 100.0 * inst.risk.weight if inst is not None and inst.risk is not None else 0.0
    return out


def cvar_levels(solutions: Sequence[Solution]) -> list[float]:
    """The CVaR levels of the comparison: each plan's ``risk.cvar_alpha``, or 0.9 for a plan with scenarios."""
    levels = {cvar_alpha(s) for s in solutions if s.has_plan and (has_risk(s) or len(s.scenarios) > 1)}
    return sorted(levels)


def added_rows(names: list[str], solutions: list[Solution], headlines: list[pd.DataFrame]) -> dict[str, Figures]:
    """Per plan, the figures the comparison adds to its key figures (empty when no plan needs them)."""
    existing = any(has_existing(s) for s in solutions)
    levels = cvar_levels(solutions)
    risk = any(has_risk(s) for s in solutions)
    out: dict[str, Figures] = {}
    for name, sol, headline in zip(names, solutions, headlines, strict=True):
        figures: Figures = {}
        if sol.has_plan and existing:
            figures.update(existing_and_new(sol))
        if sol.has_plan and levels:
            figures.update(risk_figures(sol, headline, levels, risk))
        out[name] = figures
    return out


def with_added_rows(kpis: pd.DataFrame, names: list[str], added: dict[str, Figures]) -> pd.DataFrame:
    """The comparison's key figures (kpi, unit, plans, Δ plans) with the added rows: the rows of existing and new
    contracts and of risk right after ``NPV`` (or first, with ``NPV`` among them), replacing the headline's rows of
    the same name."""
    keys = sorted(dict.fromkeys(key for figures in added.values() for key in figures), key=lambda k: k != NPV)
    if not keys:
        return kpis
    rows = pd.DataFrame([{"kpi": kpi, "unit": unit, **{n: added[n].get((kpi, unit), np.nan) for n in names}}
                         for kpi, unit in keys])
    for n in names[1:]:
        rows[f"Δ {n}"] = rows[n] - rows[names[0]]
    rest = kpis[~_keys(kpis).isin(keys)]
    after = int(np.flatnonzero(rest.kpi.to_numpy() == "NPV")[0]) + 1 if (rest.kpi == "NPV").any() else 0
    return pd.concat([rest.iloc[:after], rows, rest.iloc[after:]], ignore_index=True)[kpis.columns]


def _keys(kpis: pd.DataFrame) -> pd.Series:
    """Each key-figure row's (kpi, unit)."""
    return pd.Series(list(zip(kpis.kpi, kpis.unit, strict=True)), index=kpis.index, dtype=object)


def sections(kpis: pd.DataFrame, solutions: Sequence[Solution]) -> list[tuple[str, pd.DataFrame]]:
    """The comparison's own sections, each with its key-figure rows: existing contracts apart from new ones, and
    expected cost and CVaR. Only those that apply."""
    out = []
    key = _keys(kpis)
    if any(has_existing(s) for s in solutions):
        out.append(("Existing contracts apart from new ones", kpis[key.isin(EXISTING_ROWS)]))
    levels = cvar_levels(solutions)
    if levels:
        risk = [EXPECTED_COST, *((cvar_label(a), "USD") for a in levels), WEIGHT]
        if any(has_risk(s) for s in solutions):
            risk.append(NPV)
        rows = kpis[key.isin(risk)]
        out.append(("Expected cost and CVaR", rows.assign(kpi=rows.kpi.replace({NPV[0]: BLEND}))))
    return [(title, rows) for title, rows in out if not rows.empty]


def formatted(row: dict, names: Sequence[str], *, with_unit: bool = False) -> dict[str, str]:
    """A key-figure row of the comparison in human units: each plan's value, then ``Δ <plan>`` for the others."""
    unit = row["unit"]
    out = {n: key_figure(row[n], unit, with_unit=with_unit) for n in names}
    for n in names[1:]:
        d = row[f"Δ {n}"]
        out[f"Δ {n}"] = signed_usd(d) if unit == "USD" else (
            "–" if pd.isna(d) else number(d, 3 if unit.startswith("USD per") else 1, sign=True))
    return out
