"""The Pyomo builder of shared supply (spec §10.4), kept apart from :mod:`optimizer.model.constraints`.

For every ``supply`` entry k, horizon year y and scenario s:
``Σ_{o matching k} w_k[o] · Σ_{τ ∈ Σ_o, year(τ)=y} x[o, τ, s] ≤ cap_k(Y0 + y)``, with ``w_k[o] = 1`` (chips,
family ``shared_supply_chips``) or the chip's MW (family ``shared_supply_mw``). Offers of one chip under
different terms draw on the same deliveries this way.
"""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo

from optimizer.model.parts import Context, Part
from optimizer.model.variables import Layout, x_at
from optimizer.prepare.arrays import Prepared

FAMILY = {"chips": "shared_supply_chips", "MW": "shared_supply_mw"}
"""The family of an entry's rows, by the unit of its cap."""


def add_shared_supply(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, ctx: Context) -> Part:
    """Shared supply rows, in chips or MW (see the module docstring).

    A year signed wholly in the first stage needs the row only once (the x are shared).
    """
    yidx = prep.periods.year_index
    part = ctx.part()
    for unit, family in FAMILY.items():
        terms = [(k, term) for k, term in enumerate(prep.shared_supply) if term.unit == unit]
        index = [(k, y, s) for k, term in terms for y in range(prep.periods.years) if not math.isinf(term.cap[y])
                 for s in (range(1) if prep.first_stage[yidx == y].all() else range(prep.n_scenarios))]

        def rule(_, k, y, s, family=family):
            term = prep.shared_supply[k]
            cap = float(term.cap[y])
            body = sum(float(term.weight[o]) * x_at(m, prep, o, tau, s)
                       for o in np.flatnonzero(term.weight > 0).tolist()
                       for tau in np.flatnonzero(prep.signable[o] & (yidx == y)).tolist())
            body -= part.slack(m, family, (k, y, s), cap)
            return part.row(family, (k, y, s), body, hi=cap)

        setattr(m, family, pyo.Constraint(index, rule=rule))
    return part
