"""Risk figures of a plan (spec §10.7): each scenario's net present cost, their expectation and CVaR.

``C_s`` is :func:`optimizer.prepare.risk.scenario_cost` evaluated on the plan's numbers, the same
definition the model's rows use.
"""

from __future__ import annotations

import numpy as np

from optimizer.prepare.arrays import Prepared
from optimizer.prepare.risk import cvar, scenario_cost


def scenario_costs(prep: Prepared, X: np.ndarray, short: np.ndarray, used: np.ndarray) -> np.ndarray:
    """``C_s`` (S,) in USD for chips signed ``X`` (O, T, S), shortfalls ``short`` (K, S) in USD and
    providers ``used`` (P,) 0 or 1."""
    return np.array([float(scenario_cost(prep, s, X, short, used)) for s in range(prep.n_scenarios)])


def risk_figures(prep: Prepared, X: np.ndarray, short: np.ndarray,
                 used: np.ndarray) -> tuple[float | None, float | None]:
    """``(Σ_s prob_s·C_s, CVaR_α)`` in USD with ``risk`` (without scenarios both are the plan's cost);
    ``(None, None)`` without ``risk``."""
    if prep.risk is None:
        return None, None
    costs = scenario_costs(prep, X, short, used)
    return float(prep.probability @ costs), cvar(costs.tolist(), prep.probability.tolist(), prep.risk.alpha)
