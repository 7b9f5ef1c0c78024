"""Two-stage plans people can act on: what to sign now, each scenario's recourse and outcome.

Reads a solved :class:`~optimizer.results.Solution` together with its instance (spec §5): the
one it carries (``solution.inputs``) unless another ``source`` is given.
The first stage is every contract signed in a period with ``year(τ) < first_stage_years``:
the same in every scenario, i.e. what to sign before the outcome is known. Without scenarios
the whole plan is one deterministic case and every contract is "signed now".

Money is in USD: ``npv_*`` columns are discounted at the instance's rate (spec §1),
``*_usd`` spend columns are nominal payments inside the horizon. Throughput (``demand``,
``delivered``) is in each workload's metric units (e.g. PFLOPS), averaged over the year's periods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from optimizer.input.load import load_instance
from optimizer.input.schema import Instance
from optimizer.prepare.arrays import Prepared, prepare
from optimizer.results.solution import Solution

Source = Prepared | Instance | str | Path | Mapping[str, Any]
"""Anything that names an instance: a prepared one, a loaded one, a file path or parsed JSON."""

CONTRACT_COLUMNS = ["offer", "provider", "chip", "period", "year", "chips", "term_periods",
                    "price_per_chip_hour", "npv_usd"]
OUTCOME_COLUMNS = ["scenario", "probability", "npv_usd", "first_stage_npv_usd", "recourse_npv_usd",
                   "spend_usd", "shortfall_usd", "shortfall_npv_usd", "onboarding_usd", "peak_mw"]
SERVICE_COLUMNS = ["scenario", "workload", "metric", "year", "demand", "delivered", "served"]
SPREAD_METRICS = ("npv_usd", "spend_usd", "shortfall_usd")


def as_prepared(source: Source) -> Prepared:
    """The prepared arrays of ``source`` (prepared once if it is not already)."""
    return source if isinstance(source, Prepared) else prepare(load_instance(source))


def _prepared(solution: Solution, source: Source | None) -> Prepared:
    """``source`` prepared, or else the instance the solution carries (``solution.inputs``)."""
    if source is not None:
        return as_prepared(source)
    if solution.inputs is None:
        raise ValueError("the solution does not carry its instance: pass it as `source`")
    return prepare(solution.inputs)


@dataclass(frozen=True)
class TwoStagePlan:
    """A solved plan split into what to sign now and what each scenario does later.

    - ``first_stage``: contracts to sign now (one row each, no ``scenario`` column), columns
      ``CONTRACT_COLUMNS``; ``npv_usd`` is the contract's discounted full-term cost.
    - ``recourse``: later contracts, per scenario (``CONTRACT_COLUMNS`` + ``scenario``).
    - ``outcomes``: one row per scenario (``OUTCOME_COLUMNS``): NPV of that scenario alone
      (first stage + its recourse + its discounted shortfalls + onboarding fees), nominal spend
      in the horizon, shortfalls (nominal and discounted) and the peak MW held.
      ``Σ probability·npv_usd`` is the plan's objective.
    - ``service``: delivered vs demand per scenario, workload and calendar year (``SERVICE_COLUMNS``);
      ``delivered`` counts every chip the plan allocates to the workload, so it may exceed demand.
    - ``spread``: worst, expected and best case of ``npv_usd``, ``spend_usd`` and ``shortfall_usd``
      (worst = highest cost), with the scenario of the worst and the best case.
    """

    first_stage_years: int
    first_stage: pd.DataFrame
    recourse: pd.DataFrame
    outcomes: pd.DataFrame
    service: pd.DataFrame
    spread: pd.DataFrame

    @property
    def expected_npv_usd(self) -> float:
        """``Σ_s prob_s · npv_s`` (USD), equal to the objective of the solved plan."""
        return float((self.outcomes.probability * self.outcomes.npv_usd).sum())


def two_stage(solution: Solution, source: Source | None = None) -> TwoStagePlan:
    """Split ``solution`` of the instance ``source`` into first stage, recourse and outcomes."""
    prep = _prepared(solution, source)
    outcomes = scenario_outcomes(solution, prep)
    return TwoStagePlan(first_stage_years(prep), first_stage(solution, prep), recourse(solution, prep),
                        outcomes, scenario_service(solution, prep), outcome_spread(outcomes))


def first_stage_years(prep: Prepared) -> int:
    """``k`` of spec §5; the whole horizon without scenarios."""
    scen = prep.instance.scenarios
    return scen.first_stage_years if scen is not None else prep.periods.years


def _is_first_stage(solution: Solution, prep: Prepared) -> pd.Series:
    if solution.contracts.empty:
        return pd.Series(dtype=bool)
    return solution.contracts.period.map(lambda t: bool(prep.first_stage[int(t)]))


def first_stage(solution: Solution, source: Source | None = None) -> pd.DataFrame:
    """Contracts to sign now (``year(τ) < first_stage_years``): one row each, identical in every case."""
    prep = _prepared(solution, source)
    if solution.contracts.empty:
        return pd.DataFrame(columns=CONTRACT_COLUMNS)
    rows = solution.contracts[_is_first_stage(solution, prep)]
    rows = rows[_scenario_index(rows.scenario, prep) == 0]  # repeated under every case id
    return rows[CONTRACT_COLUMNS].sort_values(["period", "offer"]).reset_index(drop=True)


def recourse(solution: Solution, source: Source | None = None) -> pd.DataFrame:
    """Contracts signed later, once the scenario is known, per scenario."""
    prep = _prepared(solution, source)
    if solution.contracts.empty:
        return pd.DataFrame(columns=[*CONTRACT_COLUMNS, "scenario"])
    rows = solution.contracts[~_is_first_stage(solution, prep)]
    return rows[[*CONTRACT_COLUMNS, "scenario"]].reset_index(drop=True)


def _scenario_index(scenario: pd.Series, prep: Prepared) -> np.ndarray:
    """Position of each row's scenario in ``prep.scenario_ids`` (0 without scenarios)."""
    if prep.scenario_ids == (None,):
        return np.zeros(len(scenario), dtype=int)
    return scenario.map(prep.scenario_ids.index).to_numpy(dtype=int)


def _per_scenario(df: pd.DataFrame, value: str, prep: Prepared) -> np.ndarray:
    """``value`` summed per scenario, in the order of ``prep.scenario_ids`` (0 where absent)."""
    out = np.zeros(prep.n_scenarios)
    if not df.empty:
        np.add.at(out, _scenario_index(df.scenario, prep), df[value].to_numpy(dtype=float))
    return out


def scenario_outcomes(solution: Solution, source: Source | None = None) -> pd.DataFrame:
    """One row per scenario: NPV of the scenario alone, nominal spend, shortfalls, peak MW (``OUTCOME_COLUMNS``).

    ``npv_usd`` = discounted full-term cost of the scenario's contracts (first stage included)
    + its shortfalls discounted from ``t_k`` + the onboarding fees of the providers used (paid at t = 0
    whichever case happens). Empty when the solution has no plan.
    """
    prep = _prepared(solution, source)
    if not solution.has_plan:
        return pd.DataFrame(columns=OUTCOME_COLUMNS)
    contracts = _per_scenario(solution.contracts, "npv_usd", prep)
    first = float(first_stage(solution, prep).npv_usd.sum())
    onboarding = _per_scenario(solution.payments, "onboarding_usd", prep)
    spend = _per_scenario(solution.payments, "total_usd", prep)
    short = solution.shortfalls
    shortfall = _per_scenario(short, "usd", prep)
    if short.empty:
        short_npv = np.zeros(prep.n_scenarios)
    else:
        df_k = short.commitment.map(lambda k: float(prep.df[prep.spend[int(k)].period]))
        short_npv = _per_scenario(short.assign(npv=short.usd * df_k), "npv", prep)
    peak = np.zeros(prep.n_scenarios)
    power = solution.power
    if not power.empty:
        held = np.zeros((prep.n_scenarios, prep.periods.count))
        np.add.at(held, (_scenario_index(power.scenario, prep), power.period.to_numpy(dtype=int)),
                  power.mw.to_numpy(dtype=float))
        peak = held.max(axis=1)
    npv = contracts + short_npv + onboarding
    return pd.DataFrame({
        "scenario": list(prep.scenario_ids), "probability": prep.probability,
        "npv_usd": npv, "first_stage_npv_usd": first + onboarding, "recourse_npv_usd": npv - first - onboarding,
        "spend_usd": spend, "shortfall_usd": shortfall, "shortfall_npv_usd": short_npv,
        "onboarding_usd": onboarding, "peak_mw": peak,
    }, columns=OUTCOME_COLUMNS)


def scenario_service(solution: Solution, source: Source | None = None) -> pd.DataFrame:
    """Delivered vs demand per scenario, workload and calendar year (mean per period, metric units)."""
    prep = _prepared(solution, source)
    if not solution.has_plan:
        return pd.DataFrame(columns=SERVICE_COLUMNS)
    S, W, T = prep.demand.shape
    delivered = np.zeros((S, W, T))
    alloc = solution.allocation
    if not alloc.empty:
        s = _scenario_index(alloc.scenario, prep)
        w = alloc.workload.map(prep.workload_ids.index).to_numpy(dtype=int)
        np.add.at(delivered, (s, w, alloc.period.to_numpy(dtype=int)), alloc.delivered.to_numpy(dtype=float))
    m, N = prep.periods.per_year, prep.periods.years
    demand = prep.demand.reshape(S, W, N, m).mean(axis=3)
    served = delivered.reshape(S, W, N, m).mean(axis=3)
    s, w, y = (a.ravel() for a in np.meshgrid(np.arange(S), np.arange(W), np.arange(N), indexing="ij"))
    metric = [wl.metric for wl in prep.instance.workloads]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(demand[s, w, y] > 0, served[s, w, y] / demand[s, w, y], np.nan)
    return pd.DataFrame({
        "scenario": np.array(prep.scenario_ids, dtype=object)[s],
        "workload": np.array(prep.workload_ids, dtype=object)[w],
        "metric": np.array(metric, dtype=object)[w], "year": prep.periods.start_year + y,
        "demand": demand[s, w, y], "delivered": served[s, w, y], "served": ratio,
    }, columns=SERVICE_COLUMNS)


def outcome_spread(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Worst (highest), probability-weighted expected and best (lowest) case of each cost metric.

    Index: ``npv_usd``, ``spend_usd``, ``shortfall_usd``; columns: worst, expected, best (USD),
    worst_scenario, best_scenario.
    """
    columns = ["worst", "expected", "best", "worst_scenario", "best_scenario"]
    if outcomes.empty:
        return pd.DataFrame(columns=columns, index=list(SPREAD_METRICS))
    rows = {}
    for metric in SPREAD_METRICS:
        values = outcomes[metric]
        worst, best = int(values.to_numpy().argmax()), int(values.to_numpy().argmin())
        rows[metric] = {"worst": float(values.iloc[worst]), "expected": float((outcomes.probability * values).sum()),
                        "best": float(values.iloc[best]), "worst_scenario": outcomes.scenario.iloc[worst],
                        "best_scenario": outcomes.scenario.iloc[best]}
    return pd.DataFrame.from_dict(rows, orient="index")[columns]
