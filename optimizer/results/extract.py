"""The solver's values read back into a :class:`~optimizer.results.solution.Solution` with tables.

Values are read back as arrays indexed like the prepared data: chips signed ``X[o, τ, s]``, active
``A[o, t, s]`` and allocated ``U[w, o, t, s]``, shortfalls in USD. This is the one part of
``results`` that knows the model; a Solution read from a folder never needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from optimizer.model import MONEY, Built
from optimizer.prepare.arrays import Prepared
from optimizer.results.limits import binding, duals_note, limit_rows, shadow_prices
from optimizer.results.placement import placement_table, unplaced_offers
from optimizer.results.risk import risk_figures
from optimizer.results.solution import EXISTING_COLUMNS, Solution
from optimizer.solve.compiled import RawSolution

ZERO_CHIPS = 1e-9
"""Rows with fewer chips than this, or than this times the largest value of their table, are left out
(spec §7 allows it). HiGHS returns exact zeros for unused columns; the threshold only drops round-off
(3e-8 chips beside contracts of 200k), so that a plan of a fraction of a chip (a chip worth 1e7 PFLOPS)
is still written whole."""


def _round_off(values: np.ndarray) -> np.ndarray:
    """``values`` with round-off (see :data:`ZERO_CHIPS`) read as 0."""
    floor = ZERO_CHIPS * max(1.0, float(values.max(initial=0.0)))
    return np.where(values > floor, values, 0.0)


def extract(built: Built, raw: RawSolution) -> Solution:
    """Turn solver values into a :class:`Solution` with tables."""
    prep = built.prepared
    inst = prep.instance
    scen = list(prep.scenario_ids)
    if not raw.status.has_plan:
        return Solution(inst.name, raw.status, None, None, message=raw.message, is_mip=built.is_mip,
                        demand=demand_table(prep, None), inputs=inst,
                        scenarios=scen, probabilities=prep.probability.tolist(),
                        periods_per_year=prep.periods.per_year)
    X, A, U, short = plan_arrays(prep, raw)
    used = sorted({prep.offer_provider[o] for o in np.flatnonzero(X.sum(axis=(1, 2)) > 0)}
                  | set(np.flatnonzero(prep.existing.providers).tolist()))  # §10.3: holding an existing one

    tables = _Tables(built, X, A, U, short)
    limits = limit_rows(built, raw)
    objective = raw.objective * MONEY if raw.objective is not None else None
    expected, tail = risk_figures(prep, X, short, np.isin(np.arange(len(prep.provider_ids)), used).astype(float))
    return Solution(
        instance=inst.name, status=raw.status, objective_usd=objective, mip_gap=raw.mip_gap,
        providers_used=[prep.provider_ids[p] for p in used],
        contracts=tables.contracts(), existing=existing_table(prep), active=tables.active(),
        allocation=tables.allocation(),
        payments=tables.payments(used), power=tables.power(), shortfalls=tables.shortfalls(),
        binding=binding(limits), shadow_prices=shadow_prices(limits, built.prepared),
        demand=demand_table(prep, np.einsum("wots,wo->wts", U, prep.effectiveness)), inputs=inst,
        duals_note=duals_note(built, raw), message=raw.message, is_mip=built.is_mip,
        scenarios=scen, probabilities=prep.probability.tolist(), periods_per_year=prep.periods.per_year,
        expected_cost_usd=expected, cvar_usd=tail,
        placement=placement_table(prep, raw),
    )


def plan_arrays(prep: Prepared, raw: RawSolution) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The plan as arrays: chips signed X (O, T, S), active A (O, T, S), allocated U (W, O, T, S)
    and spend shortfalls (K, S) in USD.

    A first-stage contract (one column shared by all scenarios) appears in every scenario. Values
    under ``ZERO_CHIPS`` (times the largest, when that is over 1) are round-off, not contracts, and
    read as 0; so is anything held at a provider whose "used" switch is off (round-off that
    ``x ≤ M·z`` lets through, M·1e-9).
    """
    O, T, S, W = len(prep.offer_ids), prep.periods.count, prep.n_scenarios, len(prep.workload_ids)
    X = raw.dense("x", (O, T, S))  # x[o, τ, n]: n is 0 for a shared first-stage contract
    X[:, prep.first_stage, :] = X[:, prep.first_stage, :1]
    X = _round_off(X)
    A = raw.dense("a", (O, T, S))
    A = _round_off(A)
    U = raw.dense("u", (W, O, T, S))
    U = _round_off(U)
    switched_off = prep.uses_provider_binary & (raw.dense("z", (len(prep.provider_ids),)) < 0.5)
    off = np.isin(prep.offer_provider, np.flatnonzero(switched_off))
    X[off], A[off], U[:, off] = 0.0, 0.0, 0.0
    U[unplaced_offers(prep, raw)] = 0.0  # §10.5: w is not placed at the offer's provider
    short = np.maximum(raw.dense("short", (len(prep.spend), S)), 0.0) * MONEY
    return X, A, U, short


@dataclass
class _Tables:
    built: Built
    X: np.ndarray
    A: np.ndarray
    U: np.ndarray
    short: np.ndarray

    @property
    def prep(self):
        return self.built.prepared

    def _labels(self, o: np.ndarray, t: np.ndarray, s: np.ndarray) -> dict[str, Any]:
        prep = self.prep
        chips = np.array(prep.chip_ids, dtype=object)
        return {
            "offer": np.array(prep.offer_ids, dtype=object)[o],
            "provider": np.array(prep.provider_ids, dtype=object)[prep.offer_provider[o]],
            "chip": chips[prep.offer_chip[o]],
            "period": t,
            "year": prep.periods.start_year + prep.periods.year_index[t],
        }

    def _scenario(self, s: np.ndarray) -> np.ndarray:
        return np.array(self.prep.scenario_ids, dtype=object)[s]

    def contracts(self) -> pd.DataFrame:
        prep = self.prep
        o, t, s = np.nonzero(self.X)
        chips = self.X[o, t, s]
        table = pd.DataFrame({**self._labels(o, t, s), "chips": chips, "chips_whole": np.floor(chips + 0.5),
                              "scenario": self._scenario(s), "term_periods": prep.term[o],
                              "price_per_chip_hour": prep.price[o, t], "npv_usd": prep.npv_cost[o, t] * chips})
        order = np.lexsort((s, *(table[k].to_numpy(dtype=str) for k in ("offer", "chip", "provider")), t))
        return table.iloc[order].reset_index(drop=True).astype({"chips_whole": "int64"})

    def active(self) -> pd.DataFrame:
        o, t, s = np.nonzero(self.A)
        chips = self.A[o, t, s]
        return pd.DataFrame({**self._labels(o, t, s), "chips": chips, "mw": chips * self.prep.offer_mw[o],
                             "scenario": self._scenario(s)})

    def allocation(self) -> pd.DataFrame:
        w, o, t, s = np.nonzero(self.U)
        chips = self.U[w, o, t, s]
        labels = self._labels(o, t, s)
        return pd.DataFrame({"workload": np.array(self.prep.workload_ids, dtype=object)[w], **labels,
                             "chips": chips, "delivered": chips * self.prep.effectiveness[w, o],
                             "scenario": self._scenario(s)})

    def payments(self, used: list[int]) -> pd.DataFrame:
        """Nominal USD per provider, horizon year and scenario: contracts, onboarding, shortfalls."""
        prep = self.prep
        P, N, S = len(prep.provider_ids), prep.periods.years, prep.n_scenarios
        by_offer = np.einsum("oty,ots->oys", prep.payments, self.X)  # (O, N, S)
        by_offer += prep.existing.payments[:, :, None]  # §10.3: existing contracts pay in every scenario
        contracts = np.zeros((P, N, S))
        np.add.at(contracts, prep.offer_provider, by_offer)
        onboarding = np.zeros((P, N, S))
        for p in used:
            onboarding[p, 0, :] = prep.onboarding[p]
        shortfall = np.zeros((P, N, S))
        for k, term in enumerate(prep.spend):
            shortfall[term.provider, term.last_year, :] += self.short[k]
        p, y, s = np.meshgrid(np.arange(P), np.arange(N), np.arange(S), indexing="ij")
        p, y, s = p.ravel(), y.ravel(), s.ravel()
        df = pd.DataFrame({"provider": np.array(prep.provider_ids, dtype=object)[p],
                           "year": prep.periods.start_year + y,
                           "contracts_usd": contracts[p, y, s], "onboarding_usd": onboarding[p, y, s],
                           "shortfall_usd": shortfall[p, y, s], "scenario": self._scenario(s)})
        df.insert(5, "total_usd", df.contracts_usd + df.onboarding_usd + df.shortfall_usd)
        return df

    def power(self) -> pd.DataFrame:
        """MW held per provider and period (and the provider's limit that year)."""
        prep = self.prep
        P, T, S = len(prep.provider_ids), prep.periods.count, prep.n_scenarios
        mw = np.zeros((P, T, S))
        np.add.at(mw, prep.offer_provider, self.A * prep.offer_mw[:, None, None])
        p, t, s = np.meshgrid(np.arange(P), np.arange(T), np.arange(S), indexing="ij")
        p, t, s = p.ravel(), t.ravel(), s.ravel()
        yidx = prep.periods.year_index[t]
        return pd.DataFrame({"provider": np.array(prep.provider_ids, dtype=object)[p], "period": t,
                             "year": prep.periods.start_year + yidx, "mw": mw[p, t, s],
                             "limit_mw": prep.power_mw[p, yidx], "scenario": self._scenario(s)})

    def shortfalls(self) -> pd.DataFrame:
        prep = self.prep
        k, s = np.nonzero(self.short > 1e-6)
        return pd.DataFrame({"commitment": k, "provider": [prep.provider_ids[prep.spend[i].provider] for i in k],
                             "usd": self.short[k, s], "scenario": self._scenario(s)})


def existing_table(prep: Prepared) -> pd.DataFrame:
    """Existing contracts (spec §10.3): offer, provider, chip, start, chips, price_per_chip_hour (USD),
    first_period and last_period active (the last may lie past the horizon), npv_usd (as the objective counts it)."""
    rows = [{"offer": prep.offer_ids[c.offer], "provider": prep.provider_ids[prep.offer_provider[c.offer]],
             "chip": prep.chip_ids[prep.offer_chip[c.offer]], "start": c.start, "chips": c.chips,
             "price_per_chip_hour": c.price, "first_period": c.first, "last_period": c.end - 1,
             "npv_usd": c.npv_usd} for c in prep.existing.contracts]
    return pd.DataFrame(rows, columns=list(EXISTING_COLUMNS))


def demand_table(prep, delivered: np.ndarray | None) -> pd.DataFrame:
    """Demand and delivered throughput per workload, period and scenario (metric units; ``delivered`` (W, T, S))."""
    W, T, S = len(prep.workload_ids), prep.periods.count, prep.n_scenarios
    w, t, s = (a.ravel() for a in np.meshgrid(np.arange(W), np.arange(T), np.arange(S), indexing="ij"))
    metrics = np.array([wl.metric for wl in prep.instance.workloads], dtype=object)
    return pd.DataFrame({"workload": np.array(prep.workload_ids, dtype=object)[w], "metric": metrics[w],
                         "period": t, "year": prep.periods.start_year + prep.periods.year_index[t],
                         "scenario": np.array(prep.scenario_ids, dtype=object)[s],
                         "demand": prep.demand[s, w, t],
                         "delivered": delivered[w, t, s] if delivered is not None else np.nan})
