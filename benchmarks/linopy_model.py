"""procure's LP written in linopy, from ``optimizer.prepare``'s arrays (the peer of benchmarks/scale.py).

The same families as ``optimizer/model`` for the LP case: the active-chips recursion, C1 demand,
C2 capacity, C3 provider power, C4 global power, C5 supply, C6 budget (per year and total),
C7 spend commitments with their shortfall, C8 capacity commitments, C10 diversification and the
objective, in the same units (chips, MW, metric units, money in $M). Scenario copies follow
``Prepared.node``: a contract signed in a first-stage period is one column shared by every scenario.
The integer parts of the model (onboarding fees and providers used: ``z``; minimum contracts: ``v``;
whole racks: ``blocks``) are not written: :func:`build` refuses an instance that needs them.
"""

from __future__ import annotations

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from optimizer.model.variables import MONEY
from optimizer.prepare.arrays import Prepared


def _da(values, *dims: str) -> xr.DataArray:
    """An array with positional coordinates on every dimension (so that ``.sel`` and alignment work)."""
    values = np.asarray(values)
    return xr.DataArray(values, dims=dims, coords={d: np.arange(n) for d, n in zip(dims, values.shape, strict=True)})


def build(prep: Prepared) -> linopy.Model:
    """The linopy model of the prepared instance (an LP)."""
    if prep.uses_provider_binary.any() or (prep.min_chips > 0).any() or (prep.block > 0).any():
        raise NotImplementedError("the linopy peer writes the LP families only (no z, v or blocks)")
    O, T, S = len(prep.offer_ids), prep.periods.count, prep.n_scenarios
    W, P, N = len(prep.workload_ids), len(prep.provider_ids), prep.periods.years
    coords = {"o": pd.RangeIndex(O, name="o"), "t": pd.RangeIndex(T, name="t"), "s": pd.RangeIndex(S, name="s"),
              "w": pd.RangeIndex(W, name="w"), "p": pd.RangeIndex(P, name="p"), "y": pd.RangeIndex(N, name="y")}
    first = _da(prep.first_stage, "t")
    signable = _da(prep.signable, "o", "t")
    active = _da(prep.active, "o", "t")
    allowed = _da(prep.effectiveness > 0, "w", "o")
    scen = _da(np.arange(S), "s")
    year = _da(prep.periods.year_index, "t")
    mw = _da(prep.offer_mw, "o")
    owner = _da(prep.offer_provider, "o")

    linopy.options["semantics"] = "v1"
    m = linopy.Model()
    # x[o, τ, n]: scenario copy n = 0 only in first-stage periods (shared), every n later.
    x = m.add_variables(lower=0, coords=[coords["o"], coords["t"], coords["s"]], name="x",
                        mask=signable & ((scen == 0) | ~first))
    a = m.add_variables(lower=0, coords=[coords["o"], coords["t"], coords["s"]], name="a",
                        mask=active & (scen >= 0))
    u = m.add_variables(lower=0, coords=[coords["w"], coords["o"], coords["t"], coords["s"]], name="u",
                        mask=allowed & active & (scen >= 0))
    K = len(prep.spend)
    short = m.add_variables(lower=0, coords=[pd.RangeIndex(K, name="k"), coords["s"]], name="short") if K else None

    # x as scenario s sees it: the shared copy in first-stage periods.
    xs = x.where(~first).fillna(0) + x.sel(s=0, drop=True).where(first).fillna(0)

    # a[o, t] = a[o, t−1] + x[o, t] − x[o, t − L_o]: the shift depends on the term, one block per term.
    for L in np.unique(prep.term).tolist():
        offers = np.flatnonzero(prep.term == L)
        sel = {"o": offers}
        lhs = a.sel(sel) - a.sel(sel).shift(t=1).fillna(0) - xs.sel(sel) + xs.sel(sel).shift(t=L).fillna(0)
        m.add_constraints(lhs == 0, name=f"active_chips_L{L}", mask=active.sel(sel) & (scen >= 0))

    # C1 demand and C2 capacity.
    demand = _da(prep.demand, "s", "w", "t")
    m.add_constraints((u * _da(prep.effectiveness, "w", "o")).sum("o") >= demand, name="demand", mask=demand > 0)
    m.add_constraints(u.sum("w") - a <= 0, name="capacity", mask=active & allowed.any("w") & (scen >= 0))

    # C3 provider power, C4 global power (MW).
    power_rows = (a * mw).groupby(owner.rename("p")).sum()
    limit = _da(prep.power_mw, "p", "y").isel(y=year).drop_vars("y", errors="ignore")
    held = active.groupby(owner.rename("p")).any()
    m.add_constraints(power_rows <= limit, name="provider_power",
                      mask=held & np.isfinite(limit) & (scen >= 0))
    if prep.global_power_mw is not None:
        cap = _da(prep.global_power_mw, "y").isel(y=year)
        m.add_constraints((a * mw).sum("o") <= cap, name="global_power",
                          mask=active.any("o") & np.isfinite(cap) & (scen >= 0))

    # C5 supply: one row per scenario, or one shared row for a year signed wholly in the first stage.
    if np.isfinite(prep.supply_cap).any():
        by_year = xs.groupby(year.rename("y")).sum()
        signable_year = signable.groupby(year.rename("y")).any()
        shared = (signable & first).groupby(year.rename("y")).sum() == signable.groupby(year.rename("y")).sum()
        supply = _da(prep.supply_cap, "o", "y")
        m.add_constraints(by_year <= supply, name="supply",
                          mask=signable_year & np.isfinite(supply) & ((scen == 0) | ~shared))

    # Payments in $M: contracts (nominal, horizon years only), shortfalls in their window's last year.
    pay = _da(prep.payments / MONEY, "o", "t", "y")
    if prep.budget_per_year is not None:
        cap = _da(prep.budget_per_year / MONEY, "y")
        body = (xs * pay).sum(["o", "t"])
        for k, term in enumerate(prep.spend):
            body = body + short.sel(k=k) * _da(np.arange(N) == term.last_year, "y")
        m.add_constraints(body <= cap, name="budget_year", mask=np.isfinite(cap) & (scen >= 0))
    if prep.budget_total is not None:
        body = (xs * pay.sum("y")).sum(["o", "t"])
        if K:
            body = body + short.sum("k")
        m.add_constraints(body <= prep.budget_total / MONEY, name="budget_total")

    # C7 spend commitments (take-or-pay) with their shortfall.
    for k, term in enumerate(prep.spend):
        offers = np.flatnonzero(prep.offer_provider == term.provider)
        coef = _da(prep.payments[:, :, term.years].sum(axis=2) / MONEY, "o", "t").sel(o=offers)
        body = (xs.sel(o=offers) * coef).sum(["o", "t"]) + short.sel(k=k)
        m.add_constraints(body >= term.amount_usd / MONEY, name=f"spend_commitment_{k}")

    # C8 capacity commitments (MW of the named chips in every period of the window).
    for k, c in enumerate(prep.capacity):
        offers = np.flatnonzero(c.offers)
        if c.min_mw <= 0 or not len(offers):
            continue
        body = (a.sel(o=offers) * mw.sel(o=offers)).sum("o")
        mask = _da(c.periods, "t") & active.sel(o=offers).any("o") & (scen >= 0)
        m.add_constraints(body >= c.min_mw, name=f"capacity_commitment_{k}", mask=mask)

    # C10 diversification: (1−σ)·Σ_{o∈p} r·a − σ·Σ_{o∉p} r·a ≤ 0.
    if prep.diversification_weight is not None:
        sigma = float(prep.diversification_share)
        r = prep.diversification_weight
        own = prep.offer_provider[None, :] == np.arange(P)[:, None]
        coef = _da(np.where(own, 1 - sigma, -sigma) * r[None, :], "p", "o")
        counted = active & _da(r > 0, "o")
        held = counted.groupby(owner.rename("p")).any().reindex(p=np.arange(P), fill_value=False)
        m.add_constraints((a.where(counted) * coef).sum("o") <= 0, name="diversification",
                          mask=held & (scen >= 0))

    # Objective: expected NPV of every contract (a shared first-stage x has weight 1), shortfalls.
    weight = xr.where(first, 1.0, _da(prep.probability, "s"))
    obj = (x * (_da(prep.npv_cost / MONEY, "o", "t") * weight)).sum()
    if K:
        disc = _da([prep.df[term.period] for term in prep.spend], "k")
        obj = obj + (short * disc * _da(prep.probability, "s")).sum()
    m.add_objective(obj)
    return m


def check(size: str = "small", seed: int = 1) -> list[tuple[str, float, float]]:
    """Solve variants of a generated instance that use every LP family here both ways; return the objectives.

    Budgets equal to the unconstrained plan's payments in each year (binding rows that the plan
    still meets), a global power limit, supply caps and scenarios, which the presets do not use;
    procure's objective is the reference.
    """
    from optimizer.input.generate import generate
    from optimizer.input.load import load_instance
    from optimizer.model import build_model
    from optimizer.prepare.arrays import prepare
    from optimizer.results.extract import extract
    from optimizer.solve.highs import solve_model

    base = generate(size, seed=seed, scenarios=3)
    prep = prepare(load_instance(base))
    built = build_model(prep)
    plan = extract(built, solve_model(built))
    by_case = plan.payments.groupby(["year", "scenario"]).total_usd.sum()
    pay = by_case.groupby("year").max().to_dict()  # the dearest scenario's payments in each year
    y0 = base["horizon"]["start_year"]
    variants = {
        "scenarios": base,
        "budget": {**base, "budget": {"per_year_usd": {str(y): v + 1.0 for y, v in pay.items()},
                                      "total_usd": sum(pay.values()) + 1.0}},
        "supply": {**base, "offers": [{**o, "max_new_chips_per_year": 2e4} if i % 3 == 0 else o
                                      for i, o in enumerate(base["offers"])]},
        "global power": {**base, "global_power_mw": {str(y): 0.6 * sum(p["power_mw"][str(y)] for p in base["providers"])
                                                     for y in range(y0, y0 + base["horizon"]["years"])}},
    }
    out = []
    for name, data in variants.items():
        prep = prepare(load_instance(data))
        built = build_model(prep)
        raw = solve_model(built)
        m = build(prep)
        m.solve("highs", io_api="direct", output_flag=False)
        out.append((name, raw.objective, m.objective.value))
    return out


if __name__ == "__main__":
    import sys

    for name, ref, peer in check(*(sys.argv[1:2] or ["small"])):
        rel = abs(peer - ref) / abs(ref) if ref is not None and peer is not None else float("nan")
        print(f"{name:<14} procure {ref}  linopy {peer}  relative difference {rel:.1e}")
