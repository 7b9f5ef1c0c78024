"""Key figures of a plan, computed from a :class:`~optimizer.Solution`'s tables and its instance.

Money is in USD, power in MW, throughput in each workload's metric units (e.g. effective PFLOPS:
chips × ``perf`` × efficiency). Every table has a ``scenario`` column: the case id, or None
without scenarios. With scenarios there are also rows with ``scenario == "expected"``: these
are computed from the probability-weighted quantities (MW per period, USD, metric-hours), so a
ratio in an expected row is a ratio of expectations, not the expectation of a ratio.

Definitions:

- **NPV** (``npv``): the objective split into parts. ``contracts``: each contract's discounted
  full-term cost (``contracts.npv_usd``; with ``horizon.end_effects = "pro_rata"`` only its payments
  inside the horizon, spec §10.6), attributed to its provider, chip and *signing* year;
  ``shortfall``: a take-or-pay shortfall discounted from the period it is paid in (spec §4 C7),
  attributed to the commitment's provider and that year; ``onboarding``: fees paid at t = 0;
  ``existing``: an existing contract's discounted payments (spec §10.3), in its first active year.
- **Spend** (``spend``): nominal payments per provider and horizon year (as ``payments``).
- **Effective cost per workload** (``unit_costs``): the nominal payment for each offer's chips
  active in period t (``π(o, τ)·H`` per chip of every contract running in t, horizon periods
  only) is split among workloads by their share of the offer's active chips, ``u[w, o, t] /
  a[o, t]``. ``usd`` is the sum over offers and periods; ``metric_hours`` is the throughput
  delivered, ``Σ_t delivered[w, t]·H`` (e.g. PFLOPS-hours); ``usd_per_metric_hour`` is their ratio
  (USD per effective PFLOPS-hour). The cost of active chips that serve no workload is not
  attributed; the headline reports it as idle chip cost. Onboarding fees and shortfalls are not
  chip costs and are left out.
- **Compute shares** (``compute_shares``): per calendar year, each provider's share of the
  throughput delivered to a workload (``kind == "workload"``), or of the total ``perf[metric]``
  of the chips it holds (``kind == "metric"``, for every metric a workload uses); amounts are
  means over the year's periods.
- **Power** (``power_shares``): per provider and year, the mean and peak MW held, the limit, the
  headroom ``limit − peak`` (MW) and the share of MW held (mean MW / all providers' mean MW).
- **Concentration** (``concentration``): the Herfindahl–Hirschman index of providers' shares of MW
  per year, ``Σ_p (100·share_p)²``: 10,000 when one provider holds everything, 10,000/n for n
  equal providers. The headline also gives it over the whole horizon (shares of MW-periods).
- **Commitments** (``commitments``): spend commitments (``kind == "spend"``): committed USD,
  contract payments to the provider in the window's horizon years (``achieved``; only for the
  commitment's chips when it names some, spec §10.1) and the shortfall; capacity commitments
  (``kind == "capacity"``): in the window's tightest period (the most MW short of, or the least
  above, ``min_mw`` that period: a ramp's step, spec §10.2), ``min_mw`` (``committed``) against the
  MW of the named chips held at the provider (``achieved``), and the gap.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from optimizer.prepare.arrays import HOURS_PER_YEAR, discount_factor
from optimizer.results.figures import KeyFigures, peak_power_mw, with_risk
from optimizer.results.files import csv_text, json_record

if TYPE_CHECKING:
    from optimizer.input.schema import Instance
    from optimizer.results.solution import Solution

EXPECTED = "expected"
"""The ``scenario`` label of probability-weighted rows."""
_NONE = ""
"""Stands for the scenario None while computing (None and NaN do not group or merge alike)."""


@dataclass(frozen=True)
class Kpis:
    """KPI tables (pandas DataFrames; see the module docstring for the definitions).

    - ``headline``: kpi, unit, scenario, value: one row per figure and scenario;
    - ``npv``: part, provider, chip, year, scenario, npv_usd;
    - ``spend``: provider, year, scenario, contracts_usd, onboarding_usd, shortfall_usd, total_usd;
    - ``unit_costs``: workload, metric, scenario, usd, metric_hours, usd_per_metric_hour;
    - ``compute_shares``: kind, basis, metric, provider, year, scenario, amount, share;
    - ``power_shares``: provider, year, scenario, mw_mean, mw_peak, limit_mw, headroom_mw, share;
    - ``concentration``: year, scenario, hhi;
    - ``commitments``: kind, index, provider, chips, first_year, last_year, unit, committed,
      achieved, shortfall, scenario.
    """

    headline: pd.DataFrame
    npv: pd.DataFrame
    spend: pd.DataFrame
    unit_costs: pd.DataFrame
    compute_shares: pd.DataFrame
    power_shares: pd.DataFrame
    concentration: pd.DataFrame
    commitments: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def overall(self) -> KeyFigures:
        """Headline values of the plan as a whole (the expected row with scenarios), by (kpi, unit).

        A numeric pandas Series that prints in human units ($536.3B, 13,748.6 MW, 30.5%).
        """
        h = self.headline
        scen = EXPECTED if (h.scenario == EXPECTED).any() else None
        rows = h[h.scenario == scen] if scen is not None else h[h.scenario.isna()]
        return KeyFigures(rows.set_index(["kpi", "unit"]).value)


    def to_dict(self) -> dict[str, list[dict]]:
        return {name: [json_record(r) for r in df.to_dict(orient="records")] for name, df in self.tables().items()}

    def files(self) -> dict[str, str]:
        """File name → text: ``kpis.json`` (every table) and one CSV per table (``kpis.csv`` is the headline)."""
        out = {"kpis.json": json.dumps(self.to_dict(), indent=1, allow_nan=False) + "\n"}
        for name, df in self.tables().items():
            out["kpis.csv" if name == "headline" else f"{name}.csv"] = csv_text(df)
        return out


def compute_kpis(sol: Solution) -> Kpis:
    """The KPI tables of a solution with a plan (empty tables without one)."""
    inst = sol.inputs
    if not sol.has_plan or inst is None:
        empty = pd.DataFrame()
        return Kpis(pd.DataFrame(columns=["kpi", "unit", "scenario", "value"]), *([empty] * 7))
    ctx = _Context(sol, inst)
    npv = ctx.npv_parts()
    spend = ctx.expect(ctx.sol.payments, ["provider", "year"],
                       ["contracts_usd", "onboarding_usd", "shortfall_usd", "total_usd"])
    power = ctx.expect(ctx.sol.power, ["provider", "period", "year", "limit_mw"], ["mw"])
    unit_costs, idle = ctx.unit_costs()
    power_shares = _power_shares(power)
    concentration = (power_shares.assign(_sq=(100 * power_shares.share) ** 2)
                     .groupby(["year", "scenario"], sort=False)._sq.sum(min_count=1)
                     .rename("hhi").reset_index())
    kpis = Kpis(
        headline=pd.DataFrame(),
        npv=npv, spend=spend, unit_costs=unit_costs, compute_shares=ctx.compute_shares(),
        power_shares=power_shares, concentration=concentration, commitments=ctx.commitments(),
    )
    headline = with_risk(_headline(ctx, kpis, power, idle), sol, EXPECTED)  # §10.7: expected cost and CVaR
    order = {
        "npv": ["part", "provider", "chip", "year"], "spend": ["provider", "year"], "unit_costs": [],
        "compute_shares": ["kind", "basis", "provider", "year"], "power_shares": ["provider", "year"],
        "concentration": ["year"], "commitments": ["kind", "index"],
    }
    tables = {name: ctx.sort(getattr(kpis, name), keys) for name, keys in order.items()}
    return Kpis(_unlabel(headline), **{name: _unlabel(df) for name, df in tables.items()})


class _Context:
    """Shared inputs of the KPI computations: the solution, its instance and the time grid."""

    def __init__(self, sol: Solution, inst: Instance):
        self.inst = sol.inputs
        self.sol = _Labelled(**{name: _label(getattr(sol, name)) for name in
                                ("contracts", "existing", "active", "allocation", "payments", "power",
                                 "shortfalls")},
                             scenarios=[_NONE if s is None else s for s in sol.scenarios])
        h = inst.horizon
        self.m, self.start, self.years = h.periods_per_year, h.start_year, h.years
        self.T = self.m * self.years
        self.hours = HOURS_PER_YEAR / self.m
        self.prob = dict(zip(self.sol.scenarios, sol.probabilities, strict=True))
        self.labels: list[str] = list(self.sol.scenarios) + ([EXPECTED] if len(sol.scenarios) > 1 else [])

    def sort(self, df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        """Rows sorted by ``keys`` (providers, chips and workloads in the instance's order), then scenario."""
        if df.empty:
            return df
        rank = {"provider": [p.id for p in self.inst.providers], "chip": [c.id for c in self.inst.chips],
                "workload": [w.id for w in self.inst.workloads], "basis": [w.id for w in self.inst.workloads],
                "scenario": self.labels}
        columns = [*keys, "scenario"]

        def key(col: pd.Series) -> pd.Series:
            if col.name in rank:
                pos = {v: i for i, v in enumerate(rank[col.name])}
                return col.map(lambda v: (pos.get(v, len(pos)), str(v)))
            return col

        return df.sort_values(columns, key=key, kind="stable").reset_index(drop=True)

    def expect(self, df: pd.DataFrame, keys: list[str], values: list[str]) -> pd.DataFrame:
        """``df`` plus, with scenarios, probability-weighted sums of ``values`` per ``keys`` (scenario "expected")."""
        if len(self.sol.scenarios) == 1 or df.empty:
            return df.reset_index(drop=True)
        weight = df.scenario.map(self.prob).fillna(0.0)
        expected = (df[values].mul(weight, axis=0).groupby([df[k] for k in keys], sort=False).sum()
                    .reset_index().assign(scenario=EXPECTED))
        return pd.concat([df, expected[[*keys, *values, "scenario"]]], ignore_index=True)[df.columns]

    def npv_parts(self) -> pd.DataFrame:
        sol, inst = self.sol, self.inst
        cols = ["part", "provider", "chip", "year", "scenario", "npv_usd"]
        c = sol.contracts
        parts = [c.groupby(["provider", "chip", "year", "scenario"], sort=False).npv_usd.sum()
                 .reset_index().assign(part="contracts")]
        rate = inst.discount_rate
        rows = []
        for r in sol.shortfalls.itertuples():
            commitment = inst.spend_commitments[int(r.commitment)]
            last = min(commitment.years[1], self.start + self.years - 1)
            t_k = (last - self.start + 1) * self.m - 1
            rows.append({"provider": r.provider, "chip": "", "year": last, "scenario": r.scenario,
                         "npv_usd": r.usd * float(discount_factor(rate, t_k, self.m)), "part": "shortfall"})
        rows += [{"provider": r.provider, "chip": r.chip, "year": self.start + int(r.first_period) // self.m,
                  "scenario": sc, "npv_usd": r.npv_usd, "part": "existing"}  # §10.3, the same in every scenario
                 for r in sol.existing.itertuples() for sc in sol.scenarios]
        fees = sol.payments[sol.payments.onboarding_usd > 0]
        rows += [{"provider": r.provider, "chip": "", "year": r.year, "scenario": r.scenario,
                  "npv_usd": r.onboarding_usd, "part": "onboarding"} for r in fees.itertuples()]
        parts.append(pd.DataFrame(rows, columns=cols))
        out = pd.concat([p for p in parts if not p.empty], ignore_index=True) if any(
            not p.empty for p in parts) else pd.DataFrame(columns=cols)
        out = self.expect(out[cols], ["part", "provider", "chip", "year"], ["npv_usd"])
        return out.assign(chip=pd.Series([c or None for c in out.chip], index=out.index, dtype=object))

    def period_costs(self) -> pd.DataFrame:
        """Nominal USD paid per offer, horizon period and scenario for the contracts running then (existing too)."""
        c, e = self.sol.contracts, self.sol.existing
        if len(e):  # §10.3: existing contracts run in every scenario
            c = pd.concat([c, *(e.assign(period=e.first_period, term_periods=e.last_period - e.first_period + 1,
                                         scenario=s) for s in self.sol.scenarios)], ignore_index=True)
        if c.empty:
            return pd.DataFrame(columns=["offer", "period", "scenario", "usd"])
        start = c.period.to_numpy(dtype=int)
        counts = np.clip(np.minimum(start + c.term_periods.to_numpy(dtype=int), self.T) - start, 0, None)
        row = np.repeat(np.arange(len(c)), counts)
        offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        usd = (c.price_per_chip_hour.to_numpy() * self.hours * c.chips.to_numpy())[row]
        df = pd.DataFrame({"offer": c.offer.to_numpy()[row], "period": start[row] + offset,
                           "scenario": c.scenario.to_numpy()[row], "usd": usd})
        return df.groupby(["offer", "period", "scenario"], sort=False).usd.sum().reset_index()

    def unit_costs(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Per workload and scenario: USD attributed, metric-hours delivered, their ratio; and idle USD per scenario."""
        sol = self.sol
        keys = ["offer", "period", "scenario"]
        cost = self.period_costs()
        active = sol.active.groupby(keys).chips.sum().rename("active").reset_index()
        cost = _merge(cost, active, keys)
        per_chip = cost.assign(per_chip=cost.usd / cost.active)
        alloc = _merge(sol.allocation, per_chip[[*keys, "per_chip"]], keys)
        alloc = alloc.assign(usd=alloc.chips * alloc.per_chip.fillna(0.0), metric_hours=alloc.delivered * self.hours)
        metric = {w.id: w.metric for w in self.inst.workloads}
        rows = []
        for s in self.sol.scenarios:
            for w in self.inst.workloads:
                sel = alloc[(alloc.workload == w.id) & _is(alloc.scenario, s)]
                rows.append({"workload": w.id, "metric": metric[w.id], "scenario": s,
                             "usd": float(sel.usd.sum()), "metric_hours": float(sel.metric_hours.sum())})
        df = self.expect(pd.DataFrame(rows), ["workload", "metric"], ["usd", "metric_hours"])
        df["usd_per_metric_hour"] = df.usd / df.metric_hours.where(df.metric_hours > 0)
        idle = [{"scenario": s, "usd": float(cost[_is(cost.scenario, s)].usd.sum() - df[_is(df.scenario, s)].usd.sum())}
                for s in sol.scenarios]
        if len(sol.scenarios) > 1:
            idle.append({"scenario": EXPECTED, "usd": sum(self.prob[r["scenario"]] * r["usd"] for r in idle)})
        return df, pd.DataFrame(idle)

    def compute_shares(self) -> pd.DataFrame:
        sol, inst = self.sol, self.inst
        cols = ["kind", "basis", "metric", "provider", "year", "scenario", "amount"]
        metric = {w.id: w.metric for w in inst.workloads}
        by_workload = (sol.allocation.groupby(["workload", "provider", "year", "scenario"], sort=False)
                       .delivered.sum().div(self.m).rename("amount").reset_index())
        by_workload = by_workload.assign(kind="workload", basis=by_workload.workload,
                                         metric=by_workload.workload.map(metric))[cols]
        perf = {c.id: c.perf for c in inst.chips}
        metrics = sorted({w.metric for w in inst.workloads})
        frames = [by_workload]
        for r in metrics:
            held = sol.active.assign(amount=sol.active.chips * sol.active.chip.map(lambda c, r=r: perf[c].get(r, 0.0)))
            frames.append(held.groupby(["provider", "year", "scenario"], sort=False).amount.sum()
                          .div(self.m).reset_index().assign(kind="metric", basis=r, metric=r)[cols])
        df = pd.concat(frames, ignore_index=True)
        df = self.expect(df, ["kind", "basis", "metric", "provider", "year"], ["amount"])
        total = df.groupby(["kind", "basis", "year", "scenario"]).amount.transform("sum")
        return df.assign(share=df.amount / total.where(total > 0))

    def commitments(self) -> pd.DataFrame:
        sol, inst = self.sol, self.inst
        cols = ["kind", "index", "provider", "chips", "first_year", "last_year", "unit", "committed", "achieved",
                "shortfall", "scenario"]
        rows = []
        pay = sol.payments
        families = {ch.id: ch.family_name for ch in inst.chips}
        cal = self.start + np.arange(self.T) // self.m
        costs = self.period_costs()
        for k, c in enumerate(inst.spend_commitments):
            named = {o.id for o in inst.offers if o.provider == c.provider and c.chips
                     and (o.chip in c.chips or families[o.chip] in c.chips)}  # only these count (§10.1)
            scoped = costs[costs.offer.isin(named) & (cal[costs.period.to_numpy(dtype=int)] >= c.years[0])
                           & (cal[costs.period.to_numpy(dtype=int)] <= c.years[1])]
            for s in sol.scenarios:
                sel = pay[(pay.provider == c.provider) & pay.year.between(*c.years) & _is(pay.scenario, s)]
                achieved = float(scoped[_is(scoped.scenario, s)].usd.sum() if c.chips else sel.contracts_usd.sum())
                sf = sol.shortfalls
                short = sf[(sf.commitment == k) & _is(sf.scenario, s)].usd.sum() if not sf.empty else 0.0
                rows.append({"kind": "spend", "index": k, "provider": c.provider, "chips": "/".join(c.chips or ()),
                             "first_year": c.years[0], "last_year": c.years[1], "unit": "USD",
                             "committed": c.amount_usd, "achieved": achieved,
                             "shortfall": float(short), "scenario": s})
        for k, c in enumerate(inst.capacity_commitments):
            window = np.flatnonzero((cal >= c.years[0]) & (cal <= c.years[1]))
            need = np.array([c.min_mw.at(int(y)) for y in cal[window]])  # MW each period (a ramp, §10.2)
            act = sol.active[(sol.active.provider == c.provider)
                             & sol.active.chip.map(lambda ch, c=c: ch in c.chips or families[ch] in c.chips)]
            for s in sol.scenarios:
                mw = act[_is(act.scenario, s)].groupby("period").mw.sum().reindex(window, fill_value=0.0)
                gap = (need - mw.to_numpy())[::-1]  # the tightest period; the latest of equals (a ramp's top)
                i = len(window) - 1 - int(np.argmax(gap)) if len(window) else None
                least = float(need[i]) if i is not None else c.min_mw.at(c.years[0])
                low = float(mw.iloc[i]) if i is not None else np.nan
                rows.append({"kind": "capacity", "index": k, "provider": c.provider, "chips": "/".join(c.chips),
                             "first_year": c.years[0], "last_year": c.years[1], "unit": "MW",
                             "committed": least, "achieved": low, "shortfall": max(least - low, 0.0),
                             "scenario": s})
        df = pd.DataFrame(rows, columns=cols)
        return self.expect(df, cols[:8], ["achieved", "shortfall"])


@dataclass
class _Labelled:
    """The solution tables KPIs read, with the scenario None written as ``_NONE``."""

    contracts: pd.DataFrame
    existing: pd.DataFrame  # §10.3, no scenario column
    active: pd.DataFrame
    allocation: pd.DataFrame
    payments: pd.DataFrame
    power: pd.DataFrame
    shortfalls: pd.DataFrame
    scenarios: list[str]


def _label(df: pd.DataFrame) -> pd.DataFrame:
    if "scenario" not in df.columns:
        return df
    return df.assign(scenario=pd.Series([_NONE if pd.isna(s) else s for s in df.scenario], index=df.index,
                                        dtype=object))


def _unlabel(df: pd.DataFrame) -> pd.DataFrame:
    if "scenario" not in df.columns:
        return df
    return df.assign(scenario=pd.Series([None if s == _NONE else s for s in df.scenario], index=df.index,
                                        dtype=object))


def _is(column: pd.Series, scenario: str) -> pd.Series:
    return column == scenario


def _merge(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return left.merge(right, on=keys, how="left")


def _power_shares(power: pd.DataFrame) -> pd.DataFrame:
    g = power.groupby(["provider", "year", "scenario"], sort=False)
    df = pd.DataFrame({"mw_mean": g.mw.mean(), "mw_peak": g.mw.max(), "limit_mw": g.limit_mw.max()}).reset_index()
    expected = (df.scenario == EXPECTED).to_numpy()
    if expected.any():  # peak power held is the largest over the scenarios, not the peak of expected MW
        worst = peak_power_mw(power[power.scenario != EXPECTED], ["provider", "year"])
        df.loc[expected, "mw_peak"] = [float(worst.get((p, y), 0.0))
                                       for p, y in zip(df.provider[expected], df.year[expected], strict=True)]
    headroom = df.limit_mw - df.mw_peak
    df["headroom_mw"] = headroom.where(headroom.abs() > 1e-9 * df.limit_mw.abs(), 0.0)
    total = df.groupby(["year", "scenario"]).mw_mean.transform("sum")
    df["share"] = df.mw_mean / total.where(total > 0)
    return df[["provider", "year", "scenario", "mw_mean", "mw_peak", "limit_mw", "headroom_mw", "share"]]


def _headline(ctx: _Context, k: Kpis, power: pd.DataFrame, idle: pd.DataFrame) -> pd.DataFrame:
    rows = []
    inst = ctx.inst
    for s in ctx.labels:
        def add(kpi: str, unit: str, value: float, s=s) -> None:
            rows.append({"kpi": kpi, "unit": unit, "scenario": s, "value": float(value)})

        add("NPV", "USD", k.npv[_is(k.npv.scenario, s)].npv_usd.sum())
        spend = k.spend[_is(k.spend.scenario, s)]
        add("spend in the horizon, nominal", "USD", spend.total_usd.sum())
        add("take-or-pay shortfalls, nominal", "USD", spend.shortfall_usd.sum())
        idle_usd = idle[_is(idle.scenario, s)].usd.sum()
        add("idle chip cost, nominal", "USD", idle_usd if abs(idle_usd) > 1e-9 * spend.total_usd.sum() else 0.0)
        uc = k.unit_costs[_is(k.unit_costs.scenario, s)].set_index("workload")
        for w in inst.workloads:
            add(f"effective cost, {w.id}", f"USD per {w.metric}-hour", uc.usd_per_metric_hour.get(w.id, np.nan))
        pw = power[_is(power.scenario, s)]
        add("peak power held", "MW", peak_power_mw(pw if s != EXPECTED else power[power.scenario != EXPECTED]).iloc[0])
        held = pw.groupby("provider", sort=False).mw.sum()
        shares = held / held.sum() if held.sum() > 0 else held * np.nan
        for p in inst.providers:
            add(f"share of MW held, {p.id}", "%", 100 * shares.get(p.id, 0.0))
        add("HHI of MW shares, whole horizon", "0–10,000", ((100 * shares) ** 2).sum(min_count=1))
        conc = k.concentration[_is(k.concentration.scenario, s)].hhi
        add("HHI of MW shares, highest year", "0–10,000", conc.max())
        ps = k.power_shares[_is(k.power_shares.scenario, s)]
        add("lowest power headroom", "MW", ps.headroom_mw.min())
        at_limit = ps.headroom_mw <= 1e-6 * np.maximum(ps.limit_mw, 1.0)
        add("provider-years at their power limit", "provider-years", int(at_limit.sum()))
    return pd.DataFrame(rows, columns=["kpi", "unit", "scenario", "value"])
