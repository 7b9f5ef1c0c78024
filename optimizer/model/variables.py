"""Sparse index sets and the variables of spec §3 (plus the elastic slacks used for diagnosis)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pyomo.environ as pyo

from optimizer.model.parts import Infeasible, Slack
from optimizer.prepare.arrays import Prepared
from optimizer.prepare.placement import allowed_providers
from optimizer.prepare.risk import uses_cvar

MONEY = 1e6
"""USD per model money unit: money is in $M inside the solver (spec §9)."""


@dataclass
class Layout:
    """Where every variable lives, built once from the prepared arrays.

    ``trivially_infeasible`` and ``slacks`` are what the families' builders returned, collected by
    ``build_model`` (no builder writes to the layout).
    """

    x_by_offer: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # o → [(τ, n)]
    active_by_offer: dict[int, list[int]] = field(default_factory=dict)  # o → [t]
    u_by_offer_period: dict[tuple[int, int], list[int]] = field(default_factory=dict)  # (o, t) → [w]
    u_by_workload_period: dict[tuple[int, int], list[int]] = field(default_factory=dict)  # (w, t) → [o]
    offers_by_provider: dict[int, list[int]] = field(default_factory=dict)
    u_index: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), dtype=np.int64))  # (w, o, t, s) of each u
    trivially_infeasible: list[Infeasible] = field(default_factory=list)
    slacks: list[Slack] = field(default_factory=list)


def layout(prep: Prepared) -> Layout:
    """Sparse index sets: signable periods, active periods and allowed (workload, offer) pairs only."""
    lay = Layout()
    n_offers = len(prep.offer_ids)
    for o in range(n_offers):
        lay.x_by_offer[o] = [(int(tau), n) for tau in np.flatnonzero(prep.signable[o]) for n in prep.nodes(int(tau))]
        lay.active_by_offer[o] = np.flatnonzero(prep.active[o]).tolist()
    allowed = prep.effectiveness > 0
    u_op: dict[tuple[int, int], list[int]] = defaultdict(list)
    u_wt: dict[tuple[int, int], list[int]] = defaultdict(list)
    for o in range(n_offers):
        workloads = np.flatnonzero(allowed[:, o]).tolist()
        for t in lay.active_by_offer[o]:
            for w in workloads:
                u_op[(o, t)].append(w)
                u_wt[(w, t)].append(o)
    lay.u_by_offer_period = dict(u_op)
    lay.u_by_workload_period = dict(u_wt)
    pairs = np.array([(w, o, t) for (o, t), ws in u_op.items() for w in ws], dtype=np.int64).reshape(-1, 3)
    S = prep.n_scenarios  # each (w, o, t) in every scenario, scenarios innermost
    lay.u_index = np.column_stack((np.repeat(pairs, S, axis=0), np.tile(np.arange(S), len(pairs))))
    for p in range(len(prep.provider_ids)):
        lay.offers_by_provider[p] = np.flatnonzero(prep.offer_provider == p).tolist()
    return lay


def add_variables(m: pyo.ConcreteModel, prep: Prepared, lay: Layout) -> None:
    """x (chips signed), a (active chips), u (allocation), short ($M), z, v, and block counts.

    - ``x[o, τ, n] ≥ 0`` chips newly signed; ``n`` is the scenario copy (0 when first stage).
    - ``a[o, t, s]`` chips active (a variable defined by the covering sum, see ``add_active_chips``).
    - ``u[w, o, t, s]`` chips of o serving w (an array variable: its columns are ``lay.u_index``, and a
      Pyomo entry exists only where a Pyomo expression uses one, :mod:`optimizer.model.space`);
      ``short[k, s]`` spend-commitment shortfall in $M.
    - ``z[p]`` provider used, ``v[o, τ, n]`` minimum-contract switch, ``blocks[o, τ, n]`` integer blocks.
    - ``y[w, p]`` provider p may serve workload w (§10.5, only where ``max_providers`` can bind).
    """
    S = prep.n_scenarios
    bound = prep.max_chips.tolist()

    def ub(value: float) -> float | None:
        return None if math.isinf(value) else value

    m.X = pyo.Set(initialize=[(o, tau, n) for o, idx in lay.x_by_offer.items() for tau, n in idx],
                  dimen=3, ordered=True)
    # No upper bound on x: C3–C5 already imply x[o, τ] ≤ M_oτ, and a column bound would take the
    # dual value (shadow price) that belongs to those limits. M_oτ is used in C11/C12 only.
    m.x = pyo.Var(m.X, domain=pyo.NonNegativeReals)
    m.A = pyo.Set(initialize=[(o, t, s) for o, ts in lay.active_by_offer.items() for t in ts for s in range(S)],
                  dimen=3, ordered=True)
    m.a = pyo.Var(m.A, domain=pyo.NonNegativeReals)
    m.u = pyo.Var(pyo.Any, dense=False, domain=pyo.NonNegativeReals)
    m.K = pyo.Set(initialize=[(k, s) for k in range(len(prep.spend)) for s in range(S)], dimen=2, ordered=True)
    m.short = pyo.Var(m.K, domain=pyo.NonNegativeReals)
    m.P = pyo.Set(initialize=np.flatnonzero(prep.uses_provider_binary).tolist(), ordered=True)
    held = prep.existing.providers.tolist()  # an existing contract makes its provider used (spec §10.3)
    m.z = pyo.Var(m.P, domain=pyo.Binary, bounds=lambda _, p: (1, 1) if held[p] else (0, 1))
    m.XV = pyo.Set(initialize=[i for i in m.X if prep.min_chips[i[0]] > 0], dimen=3, ordered=True)
    m.v = pyo.Var(m.XV, domain=pyo.Binary)
    served = allowed_providers(prep.effectiveness, prep.offer_provider)  # §10.5: y[w, p] where max_providers binds
    m.Y = pyo.Set(initialize=[(w, p) for w in np.flatnonzero(np.isfinite(prep.max_providers)).tolist()
                              for p in served[w]], dimen=2, ordered=True)
    m.y = pyo.Var(m.Y, domain=pyo.Binary)
    block = prep.block.tolist()
    m.XB = pyo.Set(initialize=[i for i in m.X if block[i[0]] > 0], dimen=3, ordered=True)
    m.blocks = pyo.Var(m.XB, domain=pyo.NonNegativeIntegers,
                       bounds=lambda _, o, tau, n: (0, None if math.isinf(bound[o][tau])
                                                    else math.floor(bound[o][tau] / block[o] + 1e-9)))
    if uses_cvar(prep):  # §10.7: CVaR's threshold η ($M, free) and each scenario's excess over it ($M)
        m.eta = pyo.Var([0], domain=pyo.Reals)  # indexed: column names are (name, index)
        m.excess = pyo.Var(range(S), domain=pyo.NonNegativeReals)
    m.slack = pyo.Var(pyo.Any, dense=False, domain=pyo.NonNegativeReals)


def x_at(m: pyo.ConcreteModel, prep: Prepared, o: int, tau: int, s: int) -> pyo.Var:
    """``x[o, τ]`` as seen by scenario ``s`` (the shared copy when τ is first stage)."""
    return m.x[o, tau, prep.node(tau, s)]


def onboarding_fees(m: pyo.ConcreteModel, prep: Prepared):
    """``Σ_p onboarding_p · z[p]`` ($M): the fees of the providers used, paid once at t = 0 (in the
    objective and in year 0's payments)."""
    return sum(float(prep.onboarding[p]) / MONEY * m.z[p] for p in m.P if prep.onboarding[p] > 0)
