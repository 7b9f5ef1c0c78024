"""Risk (spec §10.7): the CVaR level and weight, each scenario's net present cost, and the CVaR itself.

``C_s`` is defined once, by :func:`scenario_cost`, for the model (Pyomo variables) and for the results
(numbers): ``C_s = Σ_{o,τ} npv_cost[o, τ]·x[o, τ, node(τ, s)] + Σ_k df(t_k)·short[k, s] + Σ_p onboarding_p·z[p]``
(§6's bracket for s plus onboarding) plus the existing contracts' constant (§10.3). The objective
becomes ``(1 − λ)·Σ_s prob_s·C_s + λ·CVaR_α``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from optimizer.input.schema import Instance

if TYPE_CHECKING:
    from optimizer.prepare.arrays import Prepared


@dataclass(frozen=True)
class RiskTerm:
    """``risk`` of the instance: CVaR level α in [0, 1) and its weight λ in [0, 1]."""

    alpha: float
    weight: float


def risk_term(inst: Instance) -> RiskTerm | None:
    """The instance's ``risk``, or None when it has none."""
    return RiskTerm(inst.risk.cvar_alpha, inst.risk.weight) if inst.risk is not None else None


def uses_cvar(prep: Prepared) -> bool:
    """Whether the model needs CVaR's variables and rows: ``risk`` with scenarios (without, it equals §6)."""
    return prep.risk is not None and prep.instance.scenarios is not None


def scenario_cost(prep: Prepared, s: int, x: Any, short: Any, used: Any, usd: float = 1.0) -> Any:
    """``C_s``: the net present cost of scenario ``s`` (see the module docstring), in USD / ``usd``.

    ``x[o, τ, n]`` (chips signed; ``n = prep.node(τ, s)``), ``short[k, s]`` (already in USD / ``usd``) and
    ``used[p]`` (0 or 1, read only where ``onboarding_p > 0``) are Pyomo variables or numbers (numpy arrays).
    """
    o_idx, t_idx = np.nonzero((prep.npv_cost > 0) & prep.signable)
    cost = prep.npv_cost / usd
    total: Any = sum(float(cost[o, t]) * x[o, t, prep.node(t, s)] for o, t in zip(o_idx.tolist(), t_idx.tolist(),
                                                                             strict=True))
    total += sum(float(prep.df[term.period]) * short[k, s] for k, term in enumerate(prep.spend))
    total += sum(float(prep.onboarding[p]) / usd * used[p] for p in np.flatnonzero(prep.onboarding > 0).tolist())
    total += prep.existing.npv_usd / usd  # §10.3: existing contracts, a constant of every scenario
    return total


def cvar(costs: Sequence[float], probability: Sequence[float], alpha: float) -> float:
    """``CVaR_α``: the expected cost of the worst ``1 − α`` of probability (costs sorted, no LP)."""
    mass, total = 1.0 - alpha, 0.0
    for c, p in sorted(zip(costs, probability, strict=True), key=lambda cp: -cp[0]):
        take = min(p, mass)
        total += take * c
        mass -= take
        if mass <= 0:
            break
    return total / (1.0 - alpha)
