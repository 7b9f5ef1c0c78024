"""The four largest constraint families built as sparse arrays with numpy, not Pyomo expressions.

The definition of active chips, C1 demand, C2 capacity and C10 diversification hold nearly every row
and non-zero of a large plan (99.9% of the rows of the ``large`` preset). Built term by term as
Pyomo expressions and then walked again by Pyomo's standard-form compiler, they were most of
procure's time outside HiGHS and most of its memory (docs/performance.md). Here each is a
:class:`RowBlock`: CSR arrays over the model's Pyomo variables, computed from the prepared arrays
and the layout in a few vectorised steps. :func:`optimizer.solve.compile.compile_to_highs` stacks them
with the rows Pyomo compiles for the other families.

The rows are the same as those of the Pyomo families in :mod:`optimizer.model.constraints` (same
names, indices, coefficients and bounds; ``tests/test_matrix.py`` compares them on every test
instance). Those stay in use where the model is changed or extended after it is built: the
elastic model of the diagnosis and the in-place re-solves of :mod:`optimizer.resolve`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from optimizer.model.parts import Context, Part
from optimizer.model.variables import Layout
from optimizer.prepare.arrays import Prepared


@dataclass
class RowBlock:
    """Rows ``body · side rhs`` of one constraint family, as CSR arrays over the variable space.

    ``side`` is -1 for ``≥``, 0 for ``=`` and +1 for ``≤`` (as in Pyomo's mixed standard form);
    ``cols`` are positions in the model's variable space (see :func:`variable_space`).
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


def variable_space(m: pyo.ConcreteModel) -> tuple[list, dict[str, int]]:
    """Every variable of ``m`` in declaration order (x, a, u, short, z, v, blocks, slack), and each
    variable's first position in that list."""
    variables, offsets = [], {}
    for var in m.component_objects(pyo.Var, descend_into=False):
        offsets[var.local_name] = len(variables)
        variables.extend(var.values())
    return variables, offsets


@dataclass
class Positions:
    """Where ``x``, ``a`` and ``u`` sit in the variable space; -1 where the variable does not exist."""

    x: np.ndarray  # (O, T, S) by (o, τ, n)
    a: np.ndarray  # (O, T, S) by (o, t, s)
    u: np.ndarray  # (W, O, T, S) by (w, o, t, s)
    a_index: np.ndarray  # (|A|, 3): (o, t, s) of each a, in the order of m.A
    u_index: np.ndarray  # (|U|, 4): (w, o, t, s) of each u, in the order of m.U

    @classmethod
    def of(cls, m: pyo.ConcreteModel, prep: Prepared) -> Positions:
        O, T, S, W = len(prep.offer_ids), prep.periods.count, prep.n_scenarios, len(prep.workload_ids)
        _, offsets = variable_space(m)
        out = []
        for name, shape, dim in (("x", (O, T, S), 3), ("a", (O, T, S), 3), ("u", (W, O, T, S), 4)):
            members = getattr(m, name.upper())
            index = _index_array(members, len(members), dim)
            where = np.full(shape, -1, dtype=np.int64)
            where[tuple(index.T)] = offsets[name] + np.arange(len(index))
            out.append((where, index))
        (x, _), (a, a_index), (u, u_index) = out
        return cls(x, a, u, a_index, u_index)


def _index_array(members, count: int, dim: int) -> np.ndarray:
    """``count`` members of an index set, ``dim``-tuples (or integers, ``dim`` 1), as an array (count, dim)."""
    flat = itertools.chain.from_iterable(members) if dim > 1 else iter(members)
    return np.fromiter(flat, dtype=np.int64, count=dim * count).reshape(-1, dim)


def variable_index(var: pyo.Var) -> np.ndarray:
    """The indices of a variable's entries, in its order, as an array (n, d)."""
    first = next(iter(var.keys()), None)
    dim = len(first) if isinstance(first, tuple) else 1  # var.dim() is not an int for every index set
    return _index_array(var.keys(), len(var), dim)


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


def _part(ctx: Context, block: RowBlock | None) -> Part:
    part = ctx.part()
    if block is not None and len(block.keys):
        part.blocks.append(block)
    return part


def active_chips_rows(prep: Prepared, lay: Layout, pos: Positions, ctx: Context) -> Part:
    """``a[o, t] = Σ_{τ ∈ Σ_o, t−L_o < τ ≤ t} x[o, τ] + E[o, t]`` as ``−a[o,t] + Σ x[o,τ] = −E[o, t]``.

    The same rows as :func:`optimizer.model.constraints.add_active_chips` (chips; terms in the same
    order: ``a``, then the covering contracts from the earliest); ``E`` the existing contracts (§10.3).
    """
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
    return _part(ctx, _block("active_chips", pos.a_index, 0, rhs, np.concatenate(rows),
                             np.concatenate(cols), np.concatenate(coefs)))


def demand_rows(prep: Prepared, lay: Layout, pos: Positions, ctx: Context) -> Part:
    """C1 demand: ``Σ_{o:(w,o)∈A} e(w, c(o))·u[w, o, t] ≥ D_w[t]`` (metric units), where ``D_w[t] > 0``.

    The same rows as :func:`optimizer.model.constraints.add_demand`; a demand no allowed offer can
    serve is recorded in the part's ``infeasible`` instead.
    """
    S, W, T = prep.demand.shape
    s_, w_, t_ = np.nonzero(prep.demand > 0)  # row order (s, w, t), as the Pyomo family
    row_of = np.full((S, W, T), -1, dtype=np.int64)
    row_of[s_, w_, t_] = np.arange(len(s_))
    w, o, t, s = pos.u_index.T
    row = row_of[s, w, t]
    hit = row >= 0
    served = np.zeros(len(s_), dtype=bool)
    served[row[hit]] = True
    keep = np.flatnonzero(served)
    demand = prep.demand[s_, w_, t_]
    unserved = [("demand", (int(w_[i]), int(t_[i]), int(s_[i])), float(demand[i]))
                for i in np.flatnonzero(~served & (demand > 1e-9)).tolist()]
    renumber = np.full(len(s_), -1, dtype=np.int64)
    renumber[keep] = np.arange(len(keep))
    keys = np.stack((w_, t_, s_), axis=1)[keep]
    part = _part(ctx, _block("demand", keys, -1, demand[keep], renumber[row[hit]],
                             pos.u[w[hit], o[hit], t[hit], s[hit]], prep.effectiveness[w[hit], o[hit]]))
    part.infeasible.extend(unserved)
    return part


def capacity_rows(prep: Prepared, lay: Layout, pos: Positions, ctx: Context) -> Part:
    """C2 capacity: ``Σ_w u[w, o, t] − a[o, t] ≤ 0`` (chips), for every (o, t) some workload may use.

    The same rows as :func:`optimizer.model.constraints.add_capacity`.
    """
    S = prep.n_scenarios
    index = np.array([(o, t, s) for (o, t) in lay.u_by_offer_period for s in range(S)], dtype=np.int64).reshape(-1, 3)
    row_of = np.full(pos.a.shape, -1, dtype=np.int64)
    row_of[tuple(index.T)] = np.arange(len(index))
    w, o, t, s = pos.u_index.T
    n = len(index)
    row = np.concatenate((row_of[o, t, s], np.arange(n)))
    col = np.concatenate((pos.u[w, o, t, s], pos.a[tuple(index.T)]))
    coef = np.concatenate((np.ones(len(w)), -np.ones(n)))
    return _part(ctx, _block("capacity", index, 1, np.zeros(n), row, col, coef))


def diversification_rows(prep: Prepared, lay: Layout, pos: Positions, ctx: Context) -> Part:
    """C10 diversification: ``(1−σ)·Σ_{o∈p} r·a[o, t] − σ·Σ_{o∉p} r·a[o, t] ≤ 0`` for every p, t.

    The same rows as :func:`optimizer.model.constraints.add_diversification` (metric units).
    """
    if prep.diversification_weight is None:
        return ctx.part()
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
    return _part(ctx, _block("diversification", keys, 1, np.zeros(len(keys)), row[order], col[order],
                             coef[order]))
