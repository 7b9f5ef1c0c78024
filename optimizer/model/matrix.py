"""The four largest constraint families, built as sparse arrays with numpy rather than Pyomo expressions.

The definition of active chips, C1 demand, C2 capacity and C10 diversification hold nearly every row
and non-zero of a large plan (99.9% of the rows of the ``large`` preset). Built term by term as
Pyomo expressions and then walked again by Pyomo's standard-form compiler, they were most of
procure's time outside HiGHS and most of its memory (docs/performance.md). Here each is a
:class:`RowBlock`: CSR arrays over the model's variables, computed from the prepared arrays and the
layout in a few vectorised steps. :func:`optimizer.solve.compile.compile_to_highs` stacks them with
the rows Pyomo compiles for the other families; the elastic model of the diagnosis adds a slack
column to each row of a limit (:meth:`~optimizer.model.parts.Part.slack_columns`), and in-place
re-solves (:mod:`optimizer.solve.resolve`) rebuild a block and change its rows in HiGHS.

These builders are the families' only implementation. ``tests/support/pyomo_families.py`` writes
the same rows as Pyomo expressions, as the test oracle (``tests/test_matrix.py`` compares the two
on every test instance).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from optimizer.model.parts import Context, Part
from optimizer.model.space import Positions
from optimizer.model.variables import Layout
from optimizer.prepare.arrays import Prepared


@dataclass
class RowBlock:
    """Rows ``body · side rhs`` of one constraint family, as CSR arrays over the variable space.

    ``side`` is -1 for ``≥``, 0 for ``=`` and +1 for ``≤`` (as in Pyomo's mixed standard form);
    ``cols`` are positions in the model's variable space (:mod:`optimizer.model.space`).
    """

    name: str  # the constraint's name, as the Pyomo family names it
    keys: np.ndarray  # (rows, d) index of each row, as the Pyomo family indexes it
    side: int
    rhs: np.ndarray  # (rows,)
    indptr: np.ndarray  # (rows + 1,)
    cols: np.ndarray  # (non-zeros,)
    data: np.ndarray  # (non-zeros,)

    @property
    def nonzeros(self) -> int:
        return len(self.data)


def _block(name: str, keys: np.ndarray, side: int, rhs: np.ndarray, row: np.ndarray, col: np.ndarray,
           coef: np.ndarray) -> RowBlock:
    """A block from (row, column, coefficient) triplets; terms keep their order within a row.

    Zero coefficients are dropped, and so are rows left with no term (as Pyomo's compiler drops
    a constant row); such a row must hold at 0 (the callers record the ones that cannot).
    """
    keep = coef != 0
    row, col, coef = row[keep], col[keep], coef[keep]
    rhs = np.asarray(rhs, dtype=float)
    counts = np.bincount(row, minlength=len(keys))
    if not counts.all():
        empty = counts == 0
        assert not ((side <= 0) & (rhs[empty] > 0)).any() and not ((side >= 0) & (rhs[empty] < 0)).any(), name
        renumber = np.cumsum(~empty) - 1
        row, rhs, counts = renumber[row], rhs[~empty], counts[~empty]
        keys = keys[~empty]
    order = np.argsort(row, kind="stable")
    indptr = np.concatenate(([0], np.cumsum(counts)))
    return RowBlock(name, keys, side, rhs, indptr, col[order], coef[order].astype(float))


def _x_at(pos: Positions, prep: Prepared, o: np.ndarray, tau: np.ndarray, s: np.ndarray) -> np.ndarray:
    """Column of ``x[o, τ]`` as scenario s sees it (the shared copy when τ is first stage)."""
    return pos.x[o, tau, np.where(prep.first_stage[tau], 0, s)]


def _with(part: Part, block: RowBlock) -> Part:
    """``part`` with ``block`` among its blocks, unless the block has no row."""
    if len(block.keys):
        part.blocks.append(block)
    return part


def active_chips_rows(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, ctx: Context) -> Part:
    """Active chips ``a[o, t] = Σ {x[o, τ] : τ ∈ Σ_o, t − L_o < τ ≤ t} + E[o, t]`` (chips), spec §3,
    as ``−a[o, t] + Σ x[o, τ] = −E[o, t]`` (terms: ``a``, then the covering contracts from the earliest).

    Written as the explicit sum of the contracts that cover t (up to ``L_o`` non-zeros a row, no
    chain between periods): HiGHS's dual simplex solves it many times faster than the recursion
    ``a[o, t] = a[o, t−1] + x[o, t] − x[o, t − L_o]`` (docs/performance.md, "Formulation").
    Existing contracts (spec §10.3) are constants: ``E = prep.existing.chips`` on the right-hand side.
    """
    pos = ctx.need_positions()
    o, t, s = pos.a_index.T
    n = len(o)
    rows, cols, coefs = [np.arange(n)], [pos.a[o, t, s]], [np.full(n, -1.0)]
    term = prep.term[o]
    for lag in range(int(prep.term.max(initial=0)) - 1, -1, -1):  # earliest covering contract first
        tau = t - lag
        hit = (lag < term) & (tau >= 0)
        hit[hit] = prep.signable[o[hit], tau[hit]]
        rows.append(np.flatnonzero(hit))
        cols.append(_x_at(pos, prep, o[hit], tau[hit], s[hit]))
        coefs.append(np.ones(hit.sum()))
    rhs = -prep.existing.chips[o, t]
    return _with(ctx.part(), _block("active_chips", pos.a_index, 0, rhs, np.concatenate(rows),
                             np.concatenate(cols), np.concatenate(coefs)))


def demand_rows(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, ctx: Context) -> Part:
    """C1 demand: ``Σ_{o:(w,o)∈A} e(w, c(o))·u[w, o, t] ≥ D_w[t]`` (metric units), where ``D_w[t] > 0``.

    A demand no allowed offer can serve is recorded in the part's ``infeasible`` instead (in the
    elastic model its row keeps the slack alone).
    """
    pos = ctx.need_positions()
    S, W, T = prep.demand.shape
    s_, w_, t_ = np.nonzero(prep.demand > 0)  # row order (s, w, t), as the Pyomo family
    row_of = np.full((S, W, T), -1, dtype=np.int64)
    row_of[s_, w_, t_] = np.arange(len(s_))
    w, o, t, s = pos.u_index.T
    row = row_of[s, w, t]
    hit = row >= 0
    served = np.zeros(len(s_), dtype=bool)
    served[row[hit]] = True
    demand = prep.demand[s_, w_, t_]
    keys = np.stack((w_, t_, s_), axis=1)
    row, col, coef = row[hit], pos.u[w[hit], o[hit], t[hit], s[hit]], prep.effectiveness[w[hit], o[hit]]
    part = ctx.part()
    if ctx.elastic:  # body + slack ≥ D: every row stays, served or not
        slack = part.slack_columns(m, "demand", keys, demand)
        row, col = np.concatenate((row, np.arange(len(keys)))), np.concatenate((col, slack))
        coef = np.concatenate((coef, np.ones(len(keys))))
    else:
        part.infeasible.extend(("demand", (int(w_[i]), int(t_[i]), int(s_[i])), float(demand[i]))
                               for i in np.flatnonzero(~served & (demand > 1e-9)).tolist())
        keep = np.flatnonzero(served)
        renumber = np.full(len(s_), -1, dtype=np.int64)
        renumber[keep] = np.arange(len(keep))
        keys, demand, row = keys[keep], demand[keep], renumber[row]
    return _with(part, _block("demand", keys, -1, demand, row, col, coef))


def capacity_rows(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, ctx: Context) -> Part:
    """C2 capacity: ``Σ_w u[w, o, t] − a[o, t] ≤ 0`` (chips), for every (o, t) some workload may use."""
    pos = ctx.need_positions()
    S = prep.n_scenarios
    index = np.array([(o, t, s) for (o, t) in lay.u_by_offer_period for s in range(S)], dtype=np.int64).reshape(-1, 3)
    row_of = np.full(pos.a.shape, -1, dtype=np.int64)
    row_of[tuple(index.T)] = np.arange(len(index))
    w, o, t, s = pos.u_index.T
    n = len(index)
    row = np.concatenate((row_of[o, t, s], np.arange(n)))
    col = np.concatenate((pos.u[w, o, t, s], pos.a[tuple(index.T)]))
    coef = np.concatenate((np.ones(len(w)), -np.ones(n)))
    return _with(ctx.part(), _block("capacity", index, 1, np.zeros(n), row, col, coef))


def diversification_rows(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, ctx: Context) -> Part:
    """C10 diversification: ``Σ_{o: p(o)=p} r(c(o))·a[o, t] ≤ σ · Σ_o r(c(o))·a[o, t]`` for every p, t.

    ``r`` is the chip's ``perf[metric]`` or its MW per chip (metric units); written as
    ``(1−σ)·Σ_{o∈p} r·a − σ·Σ_{o∉p} r·a ≤ 0``, terms by offer. The elastic slack is in metric units
    held above the cap, weighed relative to the most the providers' power could hold of the metric
    that year (an upper bound on the total).
    """
    if prep.diversification_weight is None:
        return ctx.part()
    pos = ctx.need_positions()
    r = prep.diversification_weight
    sigma = float(prep.diversification_share)
    S, T, P = prep.n_scenarios, prep.periods.count, len(prep.provider_ids)
    weighted = prep.active & (r > 0)[:, None]  # (O, T)
    held = np.zeros((P, T), dtype=bool)  # a provider with a weighted active offer at t has a row
    np.logical_or.at(held, prep.offer_provider, weighted)
    p_, t_ = np.nonzero(held)
    keys = np.stack((np.repeat(p_, S), np.repeat(t_, S), np.tile(np.arange(S), len(p_))), axis=1)
    row_of = np.full((P, T, S), -1, dtype=np.int64)
    row_of[tuple(keys.T)] = np.arange(len(keys))
    o_, tt = np.nonzero(weighted)
    order = np.lexsort((o_, tt))  # within a row, terms by offer, as the Pyomo family
    o_, tt = o_[order], tt[order]
    rows, cols, coefs = [], [], []
    for p in range(P):
        for s in range(S):
            row = row_of[p, tt, s]
            hit = row >= 0
            rows.append(row[hit])
            cols.append(pos.a[o_[hit], tt[hit], s])
            own = prep.offer_provider[o_[hit]] == p
            coefs.append(np.where(own, 1.0 - sigma, -sigma) * r[o_[hit]])
    row, col, coef = np.concatenate(rows), np.concatenate(cols), np.concatenate(coefs)
    order = np.lexsort((col, row))
    row, col, coef = row[order], col[order], coef[order]
    part = ctx.part()
    if ctx.elastic:  # body − slack ≤ 0
        per_mw = float(np.max(r / prep.offer_mw))
        reach = prep.power_mw.sum(axis=0) * per_mw
        slack = part.slack_columns(m, "diversification", keys, sigma * reach[prep.periods.year_index[keys[:, 1]]])
        row, col = np.concatenate((row, np.arange(len(keys)))), np.concatenate((col, slack))
        coef = np.concatenate((coef, -np.ones(len(keys))))
    return _with(part, _block("diversification", keys, 1, np.zeros(len(keys)), row, col, coef))
