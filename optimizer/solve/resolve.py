"""Fast re-solves: a variant that changes only numbers updates the built model in place.

:class:`Resolver` solves a sequence of instances. The first is built and solved as usual, and
its HiGHS instance is kept. For each later one, ``prepare()`` runs again (cheap numpy) and is
compared with the prepared arrays the model was built from (:mod:`optimizer.changes`). If only
numbers changed, the constraint families that read them are rebuilt on their own: Pyomo families
in a scratch block over the same variables, compiled alone, and row-block families as new blocks
over the same variable space. Their rows' bounds and coefficients,
the objective and the block-count bounds are changed in HiGHS (``changeRowsBounds``,
``changeCoeff``, ``changeColsCost``, ``changeColsBounds``), which keeps its basis: an LP
re-solve is warm-started from the previous optimum, a MILP gets the previous plan as a start.
Anything else (a structural change, rows that appear or vanish) falls back to a full rebuild.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from optimizer.input.schema import Instance
from optimizer.model import Built, build_model, made
from optimizer.model.constraints import add_minimum_contracts
from optimizer.model.matrix import RowBlock
from optimizer.model.objective import add_objective
from optimizer.model.parts import Context
from optimizer.prepare.arrays import Prepared, prepare
from optimizer.results.extract import extract
from optimizer.results.solution import Solution
from optimizer.solve.changes import Family, Plan, order, plan_update
from optimizer.solve.compile import column_key, compile_to_highs, row_key
from optimizer.solve.compiled import ColumnKey, Compiled, RawSolution, RowKey
from optimizer.solve.highs import solve_compiled
from optimizer.solve.options import SolveOptions
from optimizer.solve.pipeline import NEVER_MET, check, named_coefficients
from optimizer.solve.status import Status


class _Overlay:
    """The built model for reading; components assigned to it go into a scratch block instead."""

    def __init__(self, model: pyo.ConcreteModel, block: pyo.ConcreteModel):
        object.__setattr__(self, "_model", model)
        object.__setattr__(self, "_block", block)

    def __getattr__(self, name: str) -> Any:
        block = object.__getattribute__(self, "_block")
        found = block.component(name)
        return found if found is not None else getattr(object.__getattribute__(self, "_model"), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(object.__getattribute__(self, "_block"), name, value)


def _bounds(rhs: np.ndarray, side: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row bounds of compiled rows (as in :func:`optimizer.solve.compile.compile_to_highs`)."""
    return np.where(side <= 0, rhs, -math.inf), np.where(side >= 0, rhs, math.inf)


def _block_bounds(prep: Prepared, tau: int, o: int) -> float:
    """Upper bound on the integer block count ``blocks[o, τ]`` (as in ``add_variables``)."""
    bound = prep.max_chips[o, tau]
    return math.inf if math.isinf(bound) else math.floor(bound / prep.block[o] + 1e-9)


@dataclasses.dataclass
class _Loaded:
    """A model handed to HiGHS, with what is needed to change it in place."""

    built: Built  # the model, with the prepared arrays of the last update
    base: Prepared  # the prepared arrays the model was built from
    names: dict[Family, set[str]]  # components each family created
    infeasible: dict[Family, list]  # constant rows each family found violated
    highs: highspy.Highs
    compiled: Compiled
    column: dict[ColumnKey, int]
    row: dict[RowKey, int]
    rows_per_name: dict[str, int]  # compiled rows per constraint name
    matrix: Any  # scipy.sparse.csr_matrix of the current coefficients
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    dirty: tuple[Family, ...] = ()  # families rebuilt in the scratch block (they differ from the base)
    block: pyo.ConcreteModel | None = None  # keeps the rebuilt constraints alive
    last: np.ndarray | None = None  # the previous plan (MILP start)


def load(prep: Prepared) -> _Loaded:
    """Build the model (recording what each family adds) and hand it to HiGHS."""
    built = build_model(prep)
    names, infeasible = built.components, built.infeasible
    h, compiled = compile_to_highs(built)
    import scipy.sparse as sp  # here: importing scipy pulls in scipy.stats through Pyomo's import hook (0.6 s)

    lp = h.getLp()
    a = lp.a_matrix_
    matrix = sp.csc_matrix((np.asarray(a.value_), np.asarray(a.index_), np.asarray(a.start_)),
                           shape=(lp.num_row_, lp.num_col_)).tocsr()
    keys = compiled.rows
    return _Loaded(built, prep, names, infeasible, h, compiled,
                   {key: j for j, key in enumerate(compiled.columns)},
                   {key: i for i, key in enumerate(keys)}, dict(Counter(key[0] for key in keys)),
                   matrix,
                   np.asarray(lp.row_lower_, dtype=float).copy(), np.asarray(lp.row_upper_, dtype=float).copy(),
                   np.asarray(lp.col_lower_, dtype=float).copy(), np.asarray(lp.col_upper_, dtype=float).copy())


def update(state: _Loaded, prep: Prepared, plan: Plan) -> str:
    """Change ``state``'s HiGHS model into the model of ``prep`` in place; "" or why that is impossible.

    On failure nothing has been changed in HiGHS and the caller rebuilds.
    """
    m, registry = state.built.model, state.built.registry
    every = order(registry)
    families = tuple(f for f in every if f in plan.families or f in state.dirty)
    block = pyo.ConcreteModel(name="changes")
    overlay = _Overlay(m, block)
    context = Context(registry, positions=state.built.positions)
    infeasible, blocks = [], []
    for add in families:
        before = set(block.component_map())
        part = add(overlay, prep, state.built.layout, context)
        infeasible += part.infeasible
        blocks += part.blocks
        if made(block, before, part) != state.names[add]:
            return f"rows or columns appear or vanish ({add.__name__} adds other constraints)"
    if infeasible or any(state.infeasible[f] for f in every if f not in families):
        return "a limit can never be met"
    info = LinearStandardFormCompiler().write(block, mixed_form=True) if len(block.component_map()) else None
    cols = None if info is None else _columns(state, info)
    changed = [] if info is None else [_compiled_rows(state, info, cols)]
    changed += [_block_rows(state, b) for b in blocks]
    expected = sum(state.rows_per_name.get(name, 0) for f in families for name in state.names[f])
    if any(c is None for c in changed) or sum(len(c.rows) for c in changed) != expected:
        return "rows or columns appear or vanish"
    if expected:
        _change_rows(state, _Rows.joined(changed))
    if info is not None and add_objective in families:
        _change_costs(state, cols, info)
    if plan.block_bounds or add_minimum_contracts in families:
        _change_block_bounds(state, prep)
    state.dirty, state.block = families, block
    state.built = dataclasses.replace(state.built, prepared=prep)
    return ""


@dataclasses.dataclass
class _Rows:
    """Rebuilt rows: their positions in HiGHS, bounds, and coefficients as (row, column, value) triplets
    (``entry_rows`` local: the i-th of ``rows``; columns: HiGHS's)."""

    rows: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    entry_rows: np.ndarray
    entry_cols: np.ndarray
    values: np.ndarray

    @classmethod
    def joined(cls, parts: list[_Rows]) -> _Rows:
        starts = np.cumsum([0] + [len(p.rows) for p in parts])
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("rows", "lower", "upper")),
                   np.concatenate([p.entry_rows + start for p, start in zip(parts, starts, strict=False)]),
                   *(np.concatenate([getattr(p, f) for p in parts]) for f in ("entry_cols", "values")))


def _columns(state: _Loaded, info: Any) -> np.ndarray:
    """The HiGHS column of each column of Pyomo families compiled alone (``info``), -1 if none."""
    return np.array([state.column.get(column_key(v), -1) for v in info.columns], dtype=int)


def _compiled_rows(state: _Loaded, info: Any, cols: np.ndarray) -> _Rows | None:
    """The rows of the Pyomo families rebuilt alone and compiled (``info``, its columns in HiGHS
    ``cols``); None if a row or column is not in the loaded model."""
    rows = np.array([state.row.get(row_key(*r), -1) for r in info.rows], dtype=int)
    if (cols < 0).any() or (rows < 0).any():
        return None
    side = np.array([s for _, s in info.rows], dtype=int)
    lower, upper = _bounds(np.asarray(info.rhs, dtype=float), side)
    sub = info.A.tocoo()
    return _Rows(rows, lower, upper, sub.row, cols[sub.col], sub.data)


def _block_rows(state: _Loaded, block: RowBlock) -> _Rows | None:
    """The rows of a rebuilt row block; None if a row or column is not in the loaded model."""
    rows = np.array([state.row.get((block.name, tuple(key), block.side), -1) for key in block.keys.tolist()],
                    dtype=int)
    space = state.compiled.space
    cols = space[block.cols] if space is not None else np.full(len(block.cols), -1)
    if (cols < 0).any() or (rows < 0).any():
        return None
    lower, upper = _bounds(block.rhs, np.full(len(rows), block.side))
    return _Rows(rows, lower, upper, np.repeat(np.arange(len(rows)), np.diff(block.indptr)), cols, block.data)


def _change_rows(state: _Loaded, new_rows: _Rows) -> None:
    """New bounds and coefficients for the rebuilt rows."""
    h = state.highs
    rows, lower, upper = new_rows.rows, new_rows.lower, new_rows.upper
    moved = (lower != state.row_lower[rows]) | (upper != state.row_upper[rows])
    if moved.any():
        idx = rows[moved].astype(np.int32)
        h.changeRowsBounds(len(idx), idx, lower[moved], upper[moved])
        state.row_lower[rows], state.row_upper[rows] = lower, upper
    import scipy.sparse as sp

    shape = state.matrix.shape
    new = sp.csr_matrix((new_rows.values, (rows[new_rows.entry_rows], new_rows.entry_cols)), shape=shape)
    keep = np.ones(shape[0])
    keep[rows] = 0.0
    old = state.matrix - sp.diags(keep) @ state.matrix
    delta = (new - old).tocoo()
    hit = delta.data != 0
    if hit.any():
        r, c = delta.row[hit], delta.col[hit]
        values = np.asarray(new[r, c]).ravel()
        for i, j, v in zip(r.tolist(), c.tolist(), values.tolist(), strict=True):
            h.changeCoeff(i, j, v)
        state.matrix = (state.matrix - old + new).tocsr()
        state.matrix.eliminate_zeros()


def _change_costs(state: _Loaded, cols: np.ndarray, info: Any) -> None:
    """The objective rebuilt alone: every column's cost and the offset."""
    cost = np.zeros(state.matrix.shape[1])
    if info.c.shape[0]:
        cost[cols] = info.c.toarray().ravel()
    offset = float(np.asarray(info.c_offset).ravel()[0]) if np.asarray(info.c_offset).size else 0.0
    moved = np.flatnonzero(cost != state.compiled.cost).astype(np.int32)
    if len(moved):
        state.highs.changeColsCost(len(moved), moved, cost[moved])
    if offset != state.compiled.offset:
        state.highs.changeObjectiveOffset(offset)
    state.compiled = dataclasses.replace(state.compiled, cost=cost, offset=offset)


def _change_block_bounds(state: _Loaded, prep: Prepared) -> None:
    m = state.built.model
    for o, tau, n in m.XB:
        var = m.blocks[o, tau, n]
        ub = _block_bounds(prep, tau, o)
        var.setub(None if math.isinf(ub) else ub)
        j = state.column.get(("blocks", (o, tau, n)))
        if j is not None and state.col_upper[j] != ub:
            state.col_upper[j] = ub
            state.highs.changeColsBounds(1, np.array([j], dtype=np.int32), state.col_lower[j:j + 1],
                                         state.col_upper[j:j + 1])


def run(state: _Loaded, options: SolveOptions, duals: bool) -> RawSolution:
    """Solve the loaded model warm (a MILP starts from the previous plan) and read the plan back."""
    h = state.highs
    compiled = dataclasses.replace(state.compiled, row_lower=state.row_lower.copy(), row_upper=state.row_upper.copy(),
                                   col_upper=state.col_upper.copy())
    if compiled.is_mip and state.last is not None:
        h.setSolution(len(state.last), np.arange(len(state.last), dtype=np.int32), state.last)
    raw = solve_compiled(h, compiled, options, duals=duals, keep_model=True)
    if raw.status.has_plan:
        state.last = raw.col.copy()
    return raw


class Resolver:
    """Solves instances one after another, re-using the built model when only numbers change.

    ``duals=False`` skips the row duals (shadow prices), which for a MILP cost one more LP solve.
    After each :meth:`solve`, ``in_place`` says whether the model was updated rather than
    rebuilt and ``reason`` why it was rebuilt.
    """

    def __init__(self, options: SolveOptions | None = None, *, duals: bool = True):
        self.options = options or SolveOptions()
        self.duals = duals
        self.state: _Loaded | None = None
        self.in_place = False
        self.reason = ""

    def solve(self, source: str | Path | Mapping[str, Any] | Instance | Prepared) -> Solution:
        """Solve ``source``; raises :class:`~optimizer.errors.InstanceError` for bad input."""
        clock = time.perf_counter()
        prep = source if isinstance(source, Prepared) else prepare(check(source, self.options).instance)
        timings = {"prepare_s": time.perf_counter() - clock}
        clock = time.perf_counter()
        self.in_place, self.reason = False, "first run"
        with named_coefficients(prep, source):
            if self.state is not None:
                plan = plan_update(self.state.base, prep, self.state.built.registry)
                self.reason = plan.reason or update(self.state, prep, plan)
                self.in_place = not self.reason
            if not self.in_place:
                self.state = load(prep)
            timings["update_s" if self.in_place else "build_s"] = time.perf_counter() - clock
            state = self.state
            if not self.in_place and any(state.infeasible.values()):
                raw = RawSolution.without_plan(Status.INFEASIBLE, NEVER_MET)
            elif not state.compiled.columns:
                raw = RawSolution(Status.OPTIMAL, state.compiled.offset, None, None, None, None, state.compiled,
                                  "empty model")
            else:
                raw = run(state, self.options, self.duals)
                timings.update(raw.timings)
        clock = time.perf_counter()
        solution = extract(state.built, raw)
        timings["results_s"] = time.perf_counter() - clock
        solution.timings = timings
        return solution
