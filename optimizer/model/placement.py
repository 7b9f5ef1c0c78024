"""The Pyomo builder of placement (spec §10.5): how many providers may serve a workload.

For a workload w with ``max_providers`` k, and a binary ``y[w, p]`` per provider it may use (one
for all periods and scenarios):

- ``placement_link``: ``u[w, o, t, s] ≤ M_wots · y[w, p(o)]`` (chips), so o serves w only if
  ``y[w, p(o)] = 1``;
- ``placement_count``: ``Σ_p y[w, p] ≤ k`` (providers).

``M_wots = D_w[t, s] / e(w, c(o))``: the chips of o that serve all of w's demand in t. A plan that
allocates more has chips idle for w; moving the excess off w changes no other row (u appears only
in C1 and C2), so the bound keeps every plan's contracts and cost. It holds in the elastic
diagnosis too, where a bound from the power limits (C3, C4) would not: those limits may move there.
Workloads whose limit cannot bind (k at least the providers they may use) have no ``y``
(:func:`optimizer.prepare.placement.placement_limits`), so nothing is built for them.
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from optimizer.model.parts import Context, Part
from optimizer.model.variables import Layout
from optimizer.prepare.arrays import Prepared

READS = ("max_providers", "demand", "effectiveness")
"""The prepared arrays the placement rows read (for in-place re-solves)."""


def add_placement(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, ctx: Context) -> Part:
    """Placement rows (see the module docstring); the count carries an elastic slack in providers."""
    part = ctx.part()
    placed = sorted({w for w, _ in m.Y})
    chosen = set(placed)
    owner = prep.offer_provider.tolist()
    eff = prep.effectiveness.tolist()
    demand = prep.demand.tolist()
    link = [(w, o, t, s) for (w, o, t, s) in m.U if w in chosen]

    def linked(_, w, o, t, s):
        return m.u[w, o, t, s] - demand[s][w][t] / eff[w][o] * m.y[w, owner[o]] <= 0

    def count(_, w):
        k = float(prep.max_providers[w])
        if math.isinf(k):  # cannot happen: y exists only where the limit can bind
            return pyo.Constraint.Skip
        body = sum(m.y[w, p] for (v, p) in m.Y if v == w) - part.slack(m, "placement_count", (w,), k)
        return part.row("placement_count", (w,), body, hi=k)

    m.placement_link = pyo.Constraint(link, rule=linked)
    m.placement_count = pyo.Constraint(placed, rule=count)
    return part
