"""The built model (Pyomo, and the row blocks built as arrays) compiled to CSC arrays and handed to HiGHS.

The route is Pyomo's ``LinearStandardFormCompiler`` (mixed form: one row per constraint
side) → CSC arrays → ``Highs.passModel``: no LP files and no per-constraint solver calls,
the fastest Pyomo → HiGHS hand-off measured (see docs/performance.md).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from optimizer.model import Built
from optimizer.model.matrix import RowBlock
from optimizer.model.space import Space
from optimizer.solve.compiled import ColumnKey, Compiled, RowKey
from optimizer.solve.keys import Keys, concat
from optimizer.solve.numerics import check_coefficients, coefficient_ranges
from optimizer.solve.silent import new_highs


def _lean_scipy() -> None:
    """Give Pyomo's standard-form compiler scipy's sparse constructors without Pyomo's scipy hook.

    Pyomo's import callback for scipy also imports scipy.stats, integrate and spatial (~0.6 s and
    ~48 MB on the first solve of every process); procure uses only scipy.sparse. Both names are
    Pyomo internals, so anything unexpected leaves Pyomo's own behaviour in place.
    """
    try:
        from pyomo.common.dependencies import DeferredImportCallbackFinder
        from pyomo.repn.plugins.standard_form import _LinearStandardFormCompiler_impl as impl
    except ImportError:
        return
    callbacks = getattr(DeferredImportCallbackFinder, "_callbacks", None)
    if not isinstance(callbacks, dict) or getattr(impl, "_csc_matrix", 0) is not None:
        return
    callbacks.pop("scipy", None)
    import scipy.sparse

    impl._to_vector = np.fromiter
    impl._csc_matrix = staticmethod(_listed(scipy.sparse.csc_array))  # a plain function would be bound
    impl._csr_matrix = staticmethod(_listed(scipy.sparse.csr_array))


def _listed(constructor):
    """``constructor`` for ``(data, indices, indptr)`` given as Pyomo gives them for a matrix without
    non-zeros (e.g. an objective without variables): ``data`` and ``indices`` as lists of per-row
    iterators, which scipy builds on with numpy ≥ 2 but not on numpy 1.26 (the lowest we declare)."""
    def flat(part):
        if isinstance(part, list) and part and not np.isscalar(part[0]):
            return [value for row in part for value in row]
        return list(part) if isinstance(part, map) else part

    def build(arg, *args, **kwargs):
        if isinstance(arg, tuple) and len(arg) == 3:
            arg = (flat(arg[0]), flat(arg[1]), arg[2])
        return constructor(arg, *args, **kwargs)

    return build


_lean_scipy()


def _index(component_data) -> tuple:
    index = component_data.index()
    return index if isinstance(index, tuple) else (() if index is None else (index,))


def column_key(var) -> ColumnKey:
    """The (variable name, index tuple) of a Pyomo variable."""
    return var.parent_component().local_name, _index(var)


def row_key(con, side: int) -> RowKey:
    """The (constraint name, index tuple, side) of one side of a Pyomo constraint."""
    return con.parent_component().local_name, _index(con), int(side)


def compile_to_highs(built: Built) -> tuple[highspy.Highs, Compiled]:
    """Compile a built model (Pyomo, and the row blocks) and pass it to a new HiGHS instance.

    Pyomo's ``LinearStandardFormCompiler`` compiles the model's own constraints and objective;
    the blocks' rows come first, then Pyomo's (see :func:`_stack`). Raises
    :class:`~optimizer.numerics.CoefficientError` for a number HiGHS would drop, refuse or read as
    infinite (the caller names the input it comes from).
    """
    model, blocks = built.model, built.blocks
    if model is None or built.positions is None:
        raise ValueError("the model was released; build it again")
    info = LinearStandardFormCompiler().write(model, mixed_form=True)
    n_pyomo = len(info.columns)
    pyomo_cost = info.c.toarray().ravel() if info.c.shape[0] else np.zeros(n_pyomo)
    offset = float(np.asarray(info.c_offset).ravel()[0]) if np.asarray(info.c_offset).size else 0.0
    pyomo_side = np.array([sense for _, sense in info.rows], dtype=int)
    rows = Keys.from_tuples([row_key(con, side) for con, side in info.rows], rows=True)
    space = Space.of(model, built.positions)
    columns, A, cost, rhs, side, rows, where = _stack(model, space, info, pyomo_cost, pyomo_side, rows, blocks)
    n, r = len(columns), len(rows)
    order = np.flatnonzero(where >= 0)
    lower, upper, integer = (bound[order] for bound in space.bounds())
    row_lower = np.where(side <= 0, rhs, -math.inf)  # -1: ≥ rhs; 0: = rhs
    row_upper = np.where(side >= 0, rhs, math.inf)  # +1: ≤ rhs

    check_coefficients(A, cost, lower, upper, row_lower, row_upper, rows, columns)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, r
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, lower, upper
    lp.row_lower_, lp.row_upper_ = row_lower, row_upper
    lp.offset_ = offset
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, r
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    if integer.any():
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                           for i in integer]
    h = new_highs()
    status = h.passModel(lp)
    if status == highspy.HighsStatus.kError or h.getNumCol() != n or h.getNumRow() != r:
        raise RuntimeError(f"HiGHS did not accept the model ({n} columns, {r} rows)")
    ranges = coefficient_ranges(A.data, cost, lower, upper, row_lower, row_upper)
    return h, Compiled(columns, rows, cost, offset, integer, lower, upper, row_lower, row_upper, ranges, int(A.nnz),
                       where)


def _stack(model: pyo.ConcreteModel, space: Space, info, pyomo_cost: np.ndarray, pyomo_side: np.ndarray,
           pyomo_rows: Keys, blocks: Sequence[RowBlock]) -> tuple[Keys, object, np.ndarray, np.ndarray, np.ndarray,
                                                                  Keys, np.ndarray]:
    """The row blocks stacked over Pyomo's compiled rows: names of the columns, CSC matrix, cost, rhs,
    sides and names of the rows, and the column of each position of the variable space (-1: none).

    Columns are in the model's declaration order (x, a, u, short, …; each by its index), the columns no
    row or cost uses left out: dual simplex took 20% fewer seconds on the ``large`` preset than with
    the columns in order of first appearance in the rows (docs/performance.md, "Formulation").
    """
    import scipy.sparse as sp

    at = dict(zip(map(id, space.pyomo), space.pyomo_at.tolist(), strict=True))
    pyomo_cols = np.fromiter((at[id(v)] if id(v) in at else space.position(v) for v in info.columns),
                             dtype=np.int64, count=len(info.columns))
    block_cols = np.concatenate([b.cols for b in blocks]) if blocks else np.zeros(0, dtype=np.int64)
    used = np.zeros(space.size, dtype=bool)
    used[block_cols] = used[pyomo_cols] = True
    order = np.flatnonzero(used)  # declaration order
    where = np.full(space.size, -1, dtype=np.int64)
    where[order] = np.arange(len(order))
    n = len(order)
    lengths = np.concatenate([np.diff(b.indptr) for b in blocks]) if blocks else np.zeros(0, dtype=np.int64)
    stacked = sp.csr_array((np.concatenate([b.data for b in blocks]) if blocks else np.zeros(0), where[block_cols],
                            np.concatenate(([0], np.cumsum(lengths)))), shape=(len(lengths), n))
    pyomo = info.A.tocoo() if len(info.rows) else sp.coo_array((0, len(pyomo_cols)))
    pyomo = sp.coo_array((pyomo.data, (pyomo.row, where[pyomo_cols[pyomo.col]])), shape=(len(info.rows), n))
    A = sp.vstack([stacked, pyomo]).tocsc()
    cost = np.zeros(n)
    cost[where[pyomo_cols]] = pyomo_cost
    rhs = np.concatenate([*(b.rhs for b in blocks), np.asarray(info.rhs, dtype=float).reshape(-1)])
    side = np.concatenate([*(np.full(len(b.keys), b.side) for b in blocks), pyomo_side]).astype(int)
    block_rows = Keys.from_arrays([(b.name, b.keys) for b in blocks], side[:len(side) - len(pyomo_rows)])
    names = Keys.from_arrays((name, space.index_of(model, name)) for name in space.names)
    return names.take(order), A, cost, rhs, side, concat(block_rows, pyomo_rows), where
