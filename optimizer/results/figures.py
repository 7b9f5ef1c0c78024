"""Figures that several outputs show, each defined once (docs/kpis.md): probability-weighted
quantities, peak power held, and headline key figures printed in human units."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from optimizer.prepare.risk import cvar
from optimizer.units import key_figure

if TYPE_CHECKING:
    from optimizer.results.solution import Solution


def probability_weights(df: pd.DataFrame, sol: Solution) -> pd.Series:
    """Each row's scenario probability (1 without scenarios; 0 for a scenario the plan does not have)."""
    prob = dict(zip(sol.scenarios, sol.probabilities, strict=True))
    return df.scenario.map(lambda s: prob.get(None if pd.isna(s) else s, 0.0)).astype(float)


def weighted(df: pd.DataFrame, sol: Solution, keys: list[str], values: list[str]) -> pd.DataFrame:
    """Probability-weighted sums of ``values`` over scenarios per ``keys`` (the values themselves without scenarios).

    Rows absent from a scenario count as 0 there, so this is the expected value of additive
    quantities (MW per period, USD, chips).
    """
    if df.empty:
        return pd.DataFrame(columns=[*keys, *values])
    weight = probability_weights(df, sol)
    return df[values].mul(weight, axis=0).groupby([df[k] for k in keys], sort=False).sum().reset_index()


def expected_total(df: pd.DataFrame, value: str, sol: Solution) -> float:
    """The probability-weighted sum of column ``value`` over all rows (e.g. expected spend, USD)."""
    return 0.0 if df.empty else float((df[value] * probability_weights(df, sol)).sum())


def npv_basis(sol: Solution) -> str:
    """``" (pro rata)"`` when the plan's NPV counts only payments inside the horizon
    (``horizon.end_effects``, spec §10.6), else ``""``: the phrase shown beside the NPV."""
    inst = sol.inputs
    return " (pro rata)" if inst is not None and inst.horizon.end_effects == "pro_rata" else ""


def peak_power_mw(power: pd.DataFrame, by: Sequence[str] = ()) -> pd.Series:
    """Peak power held (MW), the one definition every output uses (docs/kpis.md).

    The most facility MW held, summed over the providers of a group, in any one period and, with
    scenarios, in any one scenario (the worst case, not an expectation). ``by`` names the groups
    (``["provider", "year"]``, ``["year"]``); with none, a one-row Series for the whole plan.
    ``power`` is a power table (``Solution.power``: provider, period, year, mw, scenario).
    """
    if power.empty:
        return pd.Series(dtype=float)
    scenario = power.scenario.map(lambda s: "" if pd.isna(s) else str(s)).rename("_scenario")
    held = power.groupby([*(power[k] for k in by), scenario, power.period], sort=True).mw.sum()
    return held.groupby(level=list(range(len(by)))).max() if by else pd.Series([float(held.max())])


DEFAULT_CVAR_ALPHA = 0.9
"""The CVaR level that figures use when the instance sets no ``risk`` (spec §10.7): the worst 10% of probability."""


def cvar_alpha(sol: Solution) -> float:
    """The CVaR level α of the plan's figures: the instance's ``risk.cvar_alpha``, else :data:`DEFAULT_CVAR_ALPHA`."""
    inst = sol.inputs
    return inst.risk.cvar_alpha if inst is not None and inst.risk is not None else DEFAULT_CVAR_ALPHA


def cvar_label(alpha: float) -> str:
    """The name of the CVaR figure at level ``alpha``: ``CVaR 90% of scenario costs``."""
    return f"CVaR {100 * alpha:g}% of scenario costs"


def cvar_name(sol: Solution) -> str:
    """The headline name of the plan's CVaR figure, at :func:`cvar_alpha`: ``CVaR 90% of scenario costs``."""
    return cvar_label(cvar_alpha(sol))


def with_risk(headline: pd.DataFrame, sol: Solution, expected: str) -> pd.DataFrame:
    """The headline with, for scenarios, two rows of the ``expected`` label (USD, spec §10.7): "expected cost"
    (``Σ_s prob_s·C_s``, the scenarios' NPV rows) and the CVaR of those costs at :func:`cvar_alpha`."""
    if len(sol.scenarios) < 2 or headline.empty:
        return headline
    npv = headline[(headline.kpi == "NPV") & (headline.scenario != expected)]
    prob = dict(zip([s if s is not None else "" for s in sol.scenarios], sol.probabilities, strict=True))
    costs, probs = npv.value.tolist(), [prob.get(s, 0.0) for s in npv.scenario]
    rows = [{"kpi": "expected cost", "unit": "USD", "scenario": expected,
             "value": float(sum(c * p for c, p in zip(costs, probs, strict=True)))},
            {"kpi": cvar_name(sol), "unit": "USD", "scenario": expected, "value": cvar(costs, probs, cvar_alpha(sol))}]
    return pd.concat([headline, pd.DataFrame(rows)], ignore_index=True)


class KeyFigures(pd.Series):
    """The headline key figures by (kpi, unit): numbers as numbers, printed in human units."""

    @property
    def _constructor(self) -> type[pd.Series]:
        return pd.Series  # anything derived from it is a plain Series

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    def lines(self) -> list[str]:
        """One line per figure: its name and the value in human units, aligned."""
        width = max((len(kpi) for kpi, _ in self.index), default=0)
        return [f"{kpi:<{width}}  {key_figure(v, unit)}" for (kpi, unit), v in self.items()]
