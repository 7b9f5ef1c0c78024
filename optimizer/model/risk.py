"""The Pyomo builder of risk (spec §10.7): CVaR's excess rows (Rockafellar–Uryasev).

For every scenario s: ``e_s ≥ C_s − η`` (family ``risk_excess``), with ``e_s ≥ 0`` and ``η`` free
(:func:`optimizer.model.variables.add_variables`), ``C_s`` from :func:`optimizer.prepare.risk.scenario_cost`.
At the optimum ``η + (1/(1 − α))·Σ_s prob_s·e_s`` is ``CVaR_α`` of the scenarios' costs. Without
scenarios (or without ``risk``) there are no rows: the objective is §6's.
"""

from __future__ import annotations

import pyomo.environ as pyo

from optimizer.model.parts import Context, Part
from optimizer.model.variables import MONEY, Layout
from optimizer.prepare.arrays import Prepared
from optimizer.prepare.risk import scenario_cost, uses_cvar

READS = ("npv_cost", "df", "spend", "onboarding")
"""The prepared arrays ``C_s`` reads (the rows change in place when they do)."""


def add_risk_excess(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, ctx: Context) -> Part:
    """``excess[s] + η − C_s ≥ 0`` for every scenario s ($M)."""
    part = ctx.part()
    index = list(range(prep.n_scenarios)) if uses_cvar(prep) else []

    def rule(_, s):
        body = m.excess[s] + m.eta[0] - scenario_cost(prep, s, m.x, m.short, m.z, usd=MONEY)
        return part.row("risk_excess", (s,), body, lo=0.0)

    m.risk_excess = pyo.Constraint(index, rule=rule)
    return part


def cvar_term(m: pyo.ConcreteModel, prep: Prepared) -> tuple[float, object]:
    """``(1 − λ, λ·CVaR_α)`` for the objective: the weight of the expected cost and the CVaR term ($M)."""
    risk = prep.risk
    assert risk is not None
    prob = prep.probability.tolist()
    tail = risk.weight * (m.eta[0] + sum(prob[s] / (1.0 - risk.alpha) * m.excess[s] for s in range(prep.n_scenarios)))
    return 1.0 - risk.weight, tail
