"""The objective of spec §6: expected net present cost, in $M inside the model."""

from __future__ import annotations

import pyomo.environ as pyo

from optimizer.model.parts import Context, Part
from optimizer.model.risk import cvar_term
from optimizer.model.variables import MONEY, Layout, onboarding_fees
from optimizer.prepare.arrays import Prepared
from optimizer.prepare.risk import uses_cvar

READS = ("npv_cost", "df", "spend", "onboarding", "probability", "risk", "existing")
"""The prepared arrays the objective reads (for in-place re-solves, :mod:`optimizer.solve.changes`)."""


def add_objective(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, ctx: Context) -> Part:
    """Minimise ``Σ_s prob_s·[Σ_{o,τ} π(o,τ)·H·(Σ_{t=τ}^{τ+L_o−1} df(t))·x[o,τ,s] + Σ_k df(t_k)·short[k,s]]
    + Σ_p onboarding_p·z[p]`` ($M).

    The contracts' coefficients are ``prep.npv_cost``: under ``horizon.end_effects = "pro_rata"`` (§10.6)
    ``df(t)`` counts only for ``t ≤ T − 1`` (:func:`optimizer.prepare.arrays.counted_discount`).
    A first-stage ``x`` is shared by all scenarios, so its weight is ``Σ_s prob_s = 1``.
    With ``risk`` and scenarios (§10.7) this expected cost is weighted ``1 − λ`` and ``λ·CVaR_α`` is added
    (:func:`optimizer.model.risk.cvar_term`).
    In the elastic model the objective is the weighted sum of the slacks (``ctx.slacks``) instead.
    """
    if ctx.elastic:
        m.objective = pyo.Objective(expr=sum(sl.weight * m.slack[i] for i, sl in enumerate(ctx.slacks)),
                                    sense=pyo.minimize)
        return ctx.part()
    cost = (prep.npv_cost / MONEY).tolist()
    prob = prep.probability.tolist()
    df = prep.df.tolist()
    expr = sum((1.0 if prep.first_stage[tau] else prob[n]) * cost[o][tau] * m.x[o, tau, n]
               for o, tau, n in m.X if cost[o][tau] > 0)
    expr += sum(prob[s] * df[prep.spend[k].period] * m.short[k, s] for k, s in m.K)
    expr += onboarding_fees(m, prep)
    # §10.3: existing contracts' discounted payments, the same in every scenario (so in C_s and CVaR alike)
    expr += prep.existing.npv_usd / MONEY
    if uses_cvar(prep):  # §10.7: (1 − λ)·Σ_s prob_s·C_s + λ·CVaR_α (optimizer.model.risk)
        weight, tail = cvar_term(m, prep)
        expr = weight * expr + tail
    m.objective = pyo.Objective(expr=expr, sense=pyo.minimize)
    return ctx.part()
