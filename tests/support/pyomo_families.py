"""The row-block families of :mod:`optimizer.model.matrix` written as Pyomo expressions: the test oracle.

The definition of active chips, C1 demand, C2 capacity and C10 diversification are built by procure
as numpy row blocks only. Here each is written again, term by term, straight from the spec, in the
Pyomo style of :mod:`optimizer.model.constraints`; ``tests/test_matrix.py`` builds every test
instance with both and compares the compiled LPs entry by entry (elastic models too).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from optimizer.model import matrix
from optimizer.model.families import REGISTRY, Registry
from optimizer.model.parts import Context, Part
from optimizer.model.variables import Layout, x_at
from optimizer.prepare.arrays import Prepared


def add_active_chips(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, ctx: Context) -> Part:
    """Active chips ``a[o, t] = Σ {x[o, τ] : τ ∈ Σ_o, t − L_o < τ ≤ t} + E[o, t]`` (chips), spec §3.

    Written as the explicit sum of the contracts that cover t (up to ``L_o`` non-zeros a row, no
    chain between periods): HiGHS's dual simplex solves it many times faster than the recursion
    ``a[o, t] = a[o, t−1] + x[o, t] − x[o, t − L_o]`` (docs/performance.md, "Formulation").
    Existing contracts (spec §10.3) are constants: ``E = prep.existing.chips`` on the right-hand side.
    """
    term = prep.term.tolist()
    signable = prep.signable
    existing = prep.existing.chips.tolist()

    def rule(_, o, t, s):
        expr = -m.a[o, t, s]
        for tau in range(max(0, t - term[o] + 1), t + 1):
            if signable[o, tau]:
                expr += x_at(m, prep, o, tau, s)
        return expr == -existing[o][t]

    m.active_chips = pyo.Constraint(m.A, rule=rule)
    return ctx.part()


def add_demand(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, ctx: Context) -> Part:
    """C1 demand: ``Σ_{o:(w,o)∈A} e(w, c(o))·u[w, o, t] ≥ D_w[t]`` (metric units, e.g. PFLOPS)."""
    eff = prep.effectiveness.tolist()
    demand = prep.demand.tolist()
    W, T, S = len(prep.workload_ids), prep.periods.count, prep.n_scenarios
    index = [(w, t, s) for s in range(S) for w in range(W) for t in range(T) if demand[s][w][t] > 0]
    part = ctx.part()

    def rule(_, w, t, s):
        d = demand[s][w][t]
        body = sum(eff[w][o] * m.u[w, o, t, s] for o in lay.u_by_workload_period.get((w, t), ()))
        body += part.slack(m, "demand", (w, t, s), d)
        return part.row("demand", (w, t, s), body, lo=d)

    m.demand = pyo.Constraint(index, rule=rule)
    return part


def add_capacity(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, ctx: Context) -> Part:
    """C2 capacity: ``Σ_w u[w, o, t] ≤ a[o, t]`` (chips)."""
    S = prep.n_scenarios
    index = [(o, t, s) for (o, t) in lay.u_by_offer_period for s in range(S)]

    def rule(_, o, t, s):
        return sum(m.u[w, o, t, s] for w in lay.u_by_offer_period[(o, t)]) - m.a[o, t, s] <= 0

    m.capacity = pyo.Constraint(index, rule=rule)
    return ctx.part()


def add_diversification(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, ctx: Context) -> Part:
    """C10 diversification: ``Σ_{o: p(o)=p} r(c(o))·a[o, t] ≤ σ · Σ_o r(c(o))·a[o, t]`` for every p, t.

    ``r`` is the chip's ``perf[metric]`` or its MW per chip; written as
    ``(1−σ)·Σ_{o∈p} r·a − σ·Σ_{o∉p} r·a ≤ 0``.
    """
    if prep.diversification_weight is None:
        return ctx.part()
    r = prep.diversification_weight.tolist()
    sigma = float(prep.diversification_share)
    S, T = prep.n_scenarios, prep.periods.count
    owner = prep.offer_provider.tolist()
    index = [(p, t, s) for p, offers in lay.offers_by_provider.items() for t in range(T)
             if any(prep.active[o, t] and r[o] > 0 for o in offers) for s in range(S)]

    # The slack is in metric units held above the cap; weigh it relative to the most the
    # providers' power could hold of the metric that year (an upper bound on the total).
    per_mw = float(max(r[o] / prep.offer_mw[o] for o in range(len(r))))
    reach = (prep.power_mw.sum(axis=0) * per_mw).tolist()
    yidx = prep.periods.year_index.tolist()
    part = ctx.part()

    def rule(_, p, t, s):
        body = sum(((1 - sigma) if owner[o] == p else -sigma) * r[o] * m.a[o, t, s]
                   for o in np.flatnonzero(prep.active[:, t]).tolist() if r[o] > 0)
        body -= part.slack(m, "diversification", (p, t, s), sigma * reach[yidx[t]])
        return body <= 0

    m.diversification = pyo.Constraint(index, rule=rule)
    return part


TWINS = {matrix.active_chips_rows: add_active_chips, matrix.demand_rows: add_demand,
         matrix.capacity_rows: add_capacity, matrix.diversification_rows: add_diversification}
"""Each row-block builder and its Pyomo twin."""


def pyomo_registry(registry: Registry = REGISTRY) -> Registry:
    """``registry`` with every row-block family built by its Pyomo twin instead."""
    import dataclasses

    return Registry(dataclasses.replace(f, build=TWINS.get(f.build, f.build)) for f in registry.families)
