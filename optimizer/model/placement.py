"""The Pyomo builder of placement (spec §10.5): how many providers may serve a workload.

For a workload w with ``max_providers`` k, and a binary ``y[w, p]`` per provider it may use (one
for all periods and scenarios):

- ``placement_link``: ``Σ_{o: p(o)=p} e(w, c(o))·u[w, o, t, s] ≤ D_w[t, s] · y[w, p]`` (metric units),
  so p serves w only if ``y[w, p] = 1``;
- ``placement_count``: ``Σ_p y[w, p] ≤ k`` (providers).

``D_w[t, s]`` is all of w's demand in t: a plan that serves more from p has chips idle for w; moving
the excess off w changes no other row (u appears only in C1 and C2), so the bound keeps every
plan's contracts and cost. It holds in the elastic diagnosis too, where a bound from the power
limits (C3, C4) would not: those limits may move there. One row per provider, not one per offer
with a big-M in chips (``u ≤ D/e · y``, coefficients up to 4e7 on the 2026 instance), is the tighter
relaxation and has fewer rows.
Workloads whose limit cannot bind (k at least the providers they may use) have no ``y``
(:func:`optimizer.prepare.placement.placement_limits`), so nothing is built for them.
"""

from __future__ import annotations

import math

import numpy as np
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
    owner = prep.offer_provider.tolist()
    eff = prep.effectiveness.tolist()
    demand = prep.demand.tolist()
    served: dict[tuple[int, int, int, int], list[int]] = {}  # (w, p, t, s) → the offers of p serving w
    for (w, o, t, s) in lay.u_index[np.isin(lay.u_index[:, 0], placed)].tolist():
        served.setdefault((w, owner[o], t, s), []).append(o)

    def linked(_, w, p, t, s):
        body = sum(eff[w][o] * m.u[w, o, t, s] for o in served[w, p, t, s])
        return body - demand[s][w][t] * m.y[w, p] <= 0

    def count(_, w):
        k = float(prep.max_providers[w])
        if math.isinf(k):  # cannot happen: y exists only where the limit can bind
            return pyo.Constraint.Skip
        body = sum(m.y[w, p] for (v, p) in m.Y if v == w) - part.slack(m, "placement_count", (w,), k)
        return part.row("placement_count", (w,), body, hi=k)

    m.placement_link = pyo.Constraint(list(served), rule=linked)
    m.placement_count = pyo.Constraint(placed, rule=count)
    return part
