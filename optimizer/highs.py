"""Solving with HiGHS: the Pyomo model compiled to arrays and handed to highspy directly.

The route is Pyomo's ``LinearStandardFormCompiler`` (mixed form: one row per constraint
side) → CSC arrays → ``Highs.passModel``: no LP files and no per-constraint solver calls,
the fastest Pyomo → HiGHS hand-off measured (see docs/performance.md).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from optimizer.health import DEFAULT_MAX_MEMORY
from optimizer.keys import Keys, concat
from optimizer.model import Built
from optimizer.model.matrix import RowBlock, variable_index, variable_space
from optimizer.numerics import check_coefficients, coefficient_ranges
from optimizer.options import ALGORITHMS, DEFAULT_MIP_GAP
from optimizer.silent import new_highs


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

    impl._to_vector, impl._csc_matrix, impl._csr_matrix = np.fromiter, scipy.sparse.csc_array, scipy.sparse.csr_array


_lean_scipy()


class Status(StrEnum):
    """Outcome of a solve, as written in ``solution.json`` (spec §7)."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    ERROR = "error"

    @property
    def has_plan(self) -> bool:
        return self in (Status.OPTIMAL, Status.FEASIBLE)



IPM_FROM_COLUMNS = 50_000
"""Under ``auto``, a cold LP of at least this many columns is solved by interior point with
crossover, a smaller one by HiGHS's ``choose`` (dual simplex). Measured on generated instances
(docs/performance.md, "Interior point with early crossover"): interior point with crossover took
1.00× dual simplex's time at 20k columns (medium), 0.91× at 78k, 0.34–0.64× at 290–357k (large)
and 0.38× at 1.6M (xl)."""

START_CROSSOVER = 1e-6
"""Relative optimality gap at which interior point hands over to crossover (HiGHS's default 1e-8).
At 1e-8 the interior point stalls on large plans ("no progress") and HiGHS redoes the whole LP by
dual simplex (137 s against 52 s at large); crossover ends at a vertex either way, so the plan is
as exact."""

METHOD_NAMES = {"ipm": " by interior point with crossover", "simplex": " by simplex", "pdlp": " by PDLP"}
"""How a progress message names HiGHS's method (``choose`` leaves it to HiGHS: no name)."""

Progress = Callable[[str], None]
"""Told what a solve is doing, in words, as it happens: each stage as it starts, then HiGHS's log
lines while it runs (from HiGHS's thread). For progress displays; it must return quickly."""


@dataclass(frozen=True)
class SolveOptions:
    """Solver options, one-to-one with the CLI flags.

    ``time_limit`` in seconds (None = none); ``mip_gap`` relative (spec default 1e-6);
    ``threads`` for HiGHS (None = its default); ``algorithm`` the LP method: ``auto`` (procure's
    choice by size, :func:`highs_solver`) or HiGHS's ``solver`` option;
    ``log`` prints HiGHS's own log; ``max_memory`` the memory budget in bytes (None = none), see
    :func:`optimizer.health.check_size`.
    """

    time_limit: float | None = None
    mip_gap: float = DEFAULT_MIP_GAP
    threads: int | None = None
    algorithm: str = "auto"
    presolve: bool = True
    log: bool = False
    max_memory: float | None = DEFAULT_MAX_MEMORY  # bytes; a bigger model is refused before it is built

    def __post_init__(self) -> None:
        if self.time_limit is not None and not self.time_limit > 0:
            raise ValueError(f"time limit must be > 0 seconds, got {self.time_limit}")
        if not 0 <= self.mip_gap < 1:
            raise ValueError(f"MIP gap must be in [0, 1), got {self.mip_gap}")
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"threads must be >= 1, got {self.threads}")
        if self.max_memory is not None and not self.max_memory > 0:
            raise ValueError(f"max memory must be > 0 bytes, got {self.max_memory}")
        if str(self.algorithm) not in ALGORITHMS:
            raise ValueError(f"algorithm must be one of {', '.join(ALGORITHMS)}, got {self.algorithm!r}")
        object.__setattr__(self, "algorithm", str(self.algorithm))  # an Algorithm member as its plain name


ColumnKey = tuple[str, tuple]
"""A column as (variable name, index), e.g. ``("x", (o, τ, n))``."""
RowKey = tuple[str, tuple, int]
"""A row as (constraint name, index, side): side -1 is ``≥ lower``, 0 ``= rhs``, +1 ``≤ upper``."""


def _index(component_data) -> tuple:
    index = component_data.index()
    return index if isinstance(index, tuple) else (() if index is None else (index,))


def column_key(var) -> ColumnKey:
    """The (variable name, index tuple) of a Pyomo variable."""
    return var.parent_component().local_name, _index(var)


def row_key(con, side: int) -> RowKey:
    """The (constraint name, index tuple, side) of one side of a Pyomo constraint."""
    return con.parent_component().local_name, _index(con), int(side)


@dataclass
class Compiled:
    """The model as arrays (model units), with the names of its columns and rows.

    It holds no Pyomo object: once compiled, the Pyomo model can be freed before HiGHS runs
    (the memory goal of docs/performance.md). Variables the compiler dropped (in no row and
    not in the objective) have no column; their value is 0.
    """

    columns: Keys  # (variable name, index) of each column
    rows: Keys  # (constraint name, index, side) of each row
    cost: np.ndarray
    offset: float
    integer: np.ndarray  # bool per column
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    ranges: dict[str, list[float] | None] = field(default_factory=dict)  # see optimizer.numerics
    nonzeros: int = 0

    @property
    def is_mip(self) -> bool:
        return bool(self.integer.any())

    def var_columns(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Index array (k, d) and column positions (k,) of variable ``name``'s columns."""
        return self.columns.of(name)

    def row_bound(self) -> np.ndarray:
        """The bound each row is held to: its upper bound for ``≤`` rows, else its lower bound."""
        return np.where(self.rows.sides > 0, self.row_upper, self.row_lower)


@dataclass
class RawSolution:
    """What HiGHS returned, in model units, with the names of the columns and rows."""

    status: Status
    objective: float | None  # model units ($M)
    mip_gap: float | None
    col: np.ndarray | None  # column values
    row_activity: np.ndarray | None
    row_dual: np.ndarray | None  # d objective / d row bound, model units; MILP: integers fixed
    compiled: Compiled | None
    message: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    def dense(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Variable ``name``'s values as an array of ``shape`` indexed like the variable (0 where absent)."""
        out = np.zeros(shape)
        if self.col is None or self.compiled is None:
            return out
        keys, cols = self.compiled.var_columns(name)
        if len(cols):
            out[tuple(keys.T)] = self.col[cols]
        return out


def compile_to_highs(built: Built) -> tuple[highspy.Highs, Compiled]:
    """Compile a built model (Pyomo, and the row blocks built as arrays) and pass it to a new HiGHS instance.

    Pyomo's ``LinearStandardFormCompiler`` compiles the model's own constraints and objective;
    the blocks' rows come first, then Pyomo's (see :func:`_stack`). Raises
    :class:`~optimizer.numerics.CoefficientError` for a number HiGHS would drop, refuse or read as
    infinite (the caller names the input it comes from).
    """
    model, blocks = built.model, built.blocks
    if model is None:
        raise ValueError("the model was released; build it again")
    info = LinearStandardFormCompiler().write(model, mixed_form=True)
    n_pyomo = len(info.columns)
    pyomo_cost = info.c.toarray().ravel() if info.c.shape[0] else np.zeros(n_pyomo)
    offset = float(np.asarray(info.c_offset).ravel()[0]) if np.asarray(info.c_offset).size else 0.0
    pyomo_side = np.array([sense for _, sense in info.rows], dtype=int)
    rows = Keys.from_tuples([row_key(con, side) for con, side in info.rows])
    if blocks:
        variables, columns, A, cost, rhs, side, rows = _stack(model, info, pyomo_cost, pyomo_side, rows, blocks)
    else:
        variables, A, cost = info.columns, info.A.tocsc(), pyomo_cost
        columns = Keys.from_tuples([column_key(v) for v in variables])
        rhs, side = np.asarray(info.rhs, dtype=float), pyomo_side
    n, r = len(columns), len(rows)
    lower = np.array([-math.inf if v.lb is None else v.lb for v in variables], dtype=float)
    upper = np.array([math.inf if v.ub is None else v.ub for v in variables], dtype=float)
    integer = np.array([v.is_integer() for v in variables], dtype=bool)
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
    return h, Compiled(columns, rows, cost, offset, integer, lower, upper, row_lower, row_upper, ranges, int(A.nnz))


def _stack(model: pyo.ConcreteModel, info, pyomo_cost: np.ndarray, pyomo_side: np.ndarray, pyomo_rows: Keys,
           blocks: Sequence[RowBlock]) -> tuple[list, Keys, object, np.ndarray, np.ndarray, np.ndarray, Keys]:
    """The row blocks stacked over Pyomo's compiled rows: variables and names of the columns, CSC
    matrix, cost, rhs, sides and names of the rows.

    Columns are ordered by first appearance in the blocks' rows, then Pyomo's other columns in its
    order (as the compiler orders them: by first appearance).
    """
    import scipy.sparse as sp

    space, _ = variable_space(model)
    names = Keys.from_arrays((var.local_name, variable_index(var))
                             for var in model.component_objects(pyo.Var, descend_into=False))
    at = {id(v): i for i, v in enumerate(space)}
    pyomo_cols = np.fromiter((at[id(v)] for v in info.columns), dtype=np.int64, count=len(info.columns))
    block_cols = np.concatenate([b.cols for b in blocks])
    seen, first = np.unique(block_cols, return_index=True)
    order = np.concatenate((seen[np.argsort(first, kind="stable")], pyomo_cols[~np.isin(pyomo_cols, seen)]))
    where = np.full(len(space), -1, dtype=np.int64)
    where[order] = np.arange(len(order))
    n = len(order)
    lengths = np.concatenate([np.diff(b.indptr) for b in blocks])
    stacked = sp.csr_array((np.concatenate([b.data for b in blocks]), where[block_cols],
                            np.concatenate(([0], np.cumsum(lengths)))), shape=(len(lengths), n))
    pyomo = info.A.tocoo()
    pyomo = sp.coo_array((pyomo.data, (pyomo.row, where[pyomo_cols[pyomo.col]])), shape=(pyomo.shape[0], n))
    A = sp.vstack([stacked, pyomo]).tocsc()
    cost = np.zeros(n)
    cost[where[pyomo_cols]] = pyomo_cost
    rhs = np.concatenate([*(b.rhs for b in blocks), np.asarray(info.rhs, dtype=float).reshape(-1)])
    side = np.concatenate([*(np.full(len(b.keys), b.side) for b in blocks), pyomo_side])
    block_rows = Keys.from_arrays([(b.name, b.keys) for b in blocks], side[:len(side) - len(pyomo_rows)])
    return [space[i] for i in order.tolist()], names.take(order), A, cost, rhs, side, concat(block_rows, pyomo_rows)


def highs_solver(algorithm: str, compiled: Compiled, warm: bool) -> str:
    """HiGHS's ``solver`` option for ``algorithm`` on this model.

    ``auto`` picks interior point (with crossover, so the plan is a vertex with a basis) for a cold
    LP of at least ``IPM_FROM_COLUMNS`` columns, and ``choose`` (dual simplex) for a smaller LP, a
    MILP, or a model HiGHS holds a basis for (a re-solve: simplex starts from that basis).
    """
    if algorithm != "auto":
        return algorithm
    if compiled.is_mip or warm or len(compiled.columns) < IPM_FROM_COLUMNS:
        return "choose"
    return "ipm"


def _configure(h: highspy.Highs, options: SolveOptions, compiled: Compiled, following: bool = False) -> None:
    h.setOptionValue("output_flag", options.log or following)
    h.setOptionValue("log_to_console", options.log)
    h.setOptionValue("mip_rel_gap", options.mip_gap)
    h.setOptionValue("solver", highs_solver(options.algorithm, compiled, warm=h.getBasis().valid))
    h.setOptionValue("start_crossover_tolerance", START_CROSSOVER)
    h.setOptionValue("presolve", "on" if options.presolve else "off")
    if options.time_limit is not None:
        h.setOptionValue("time_limit", float(options.time_limit))
    if options.threads is not None:
        h.setOptionValue("threads", int(options.threads))


def solve_model(built: Built, options: SolveOptions | None = None) -> RawSolution:
    """Hand the built model to HiGHS, solve it and read the status, values and row duals back."""
    t0 = time.perf_counter()
    h, compiled = compile_to_highs(built)
    raw = solve_compiled(h, compiled, options)
    raw.timings = {"handoff_s": time.perf_counter() - t0 - sum(raw.timings.values()), **raw.timings}
    return raw


def solve_compiled(h: highspy.Highs, compiled: Compiled, options: SolveOptions | None = None, *,
                   duals: bool = True, keep_model: bool = False, progress: Progress | None = None) -> RawSolution:
    """Solve the model already in ``h`` (warm, if it was solved before) and read the plan back.

    ``duals`` asks for row duals (for a MILP: one more LP with the integers fixed); with
    ``keep_model`` that LP's changes are undone afterwards, so ``h`` can be changed and re-solved.
    ``progress`` is told HiGHS's log lines as they come.
    """
    options = options or SolveOptions()
    _configure(h, options, compiled, following=progress is not None)
    t0 = time.perf_counter()
    if compiled.columns:
        if progress is None:
            run_interruptibly(h)
        else:
            with follow_log(h, progress):
                run_interruptibly(h)
    status, message = _status(h, compiled)
    sol = h.getSolution()
    gap = float(h.getInfo().mip_gap) if compiled.is_mip else None
    if status.has_plan and compiled.is_mip and _off_integral(sol, compiled):
        strict = _resolve_strictly(h, compiled, options, time.perf_counter() - t0)
        if strict is not None:
            status, message, sol, gap = strict
        else:
            message += f"; integers met only within HiGHS's tolerance {MIP_TOLERANCE:g}"
    timings = {"solve_s": time.perf_counter() - t0}
    if not status.has_plan:
        return RawSolution(status, None, None, None, None, None, compiled, message, timings)
    col = np.asarray(sol.col_value, dtype=float) if compiled.columns else np.zeros(0)
    objective = float(compiled.cost @ col) + compiled.offset if len(col) else compiled.offset
    row_dual = None
    if duals and compiled.is_mip:
        row_dual = fixed_integer_duals(h, compiled, col, restore=keep_model)
    elif duals and sol.dual_valid:
        row_dual = np.asarray(sol.row_dual, dtype=float)
    timings["readback_s"] = time.perf_counter() - t0 - timings["solve_s"]
    return RawSolution(status, objective, gap if gap is None or math.isfinite(gap) else None, col,
                       np.asarray(sol.row_value, dtype=float), row_dual, compiled, message, timings)


MIP_TOLERANCE = 1e-6
STRICT_INTEGRALITY = 1e-9
"""HiGHS accepts an integer within ``MIP_TOLERANCE`` (its mip_feasibility_tolerance). Times a big-M
(C11, C12: up to millions of chips) that can leave a minimum-contract or provider switch at 1e-6
while a fraction of a chip is signed: a plan that breaks C12 and costs less than the optimum (found
by tests/test_properties.py). A plan with an integer further than ``STRICT_INTEGRALITY`` from a
whole number is solved again with that tolerance."""


def _off_integral(sol: highspy.HighsSolution, compiled: Compiled) -> bool:
    """True when an integer variable of the plan is further than ``STRICT_INTEGRALITY`` from a whole number."""
    ints = np.asarray(sol.col_value, dtype=float)[compiled.integer]
    return bool(ints.size) and float(np.abs(ints - np.round(ints)).max()) > STRICT_INTEGRALITY


def _resolve_strictly(h: highspy.Highs, compiled: Compiled, options: SolveOptions,
                      elapsed: float) -> tuple[Status, str, highspy.HighsSolution, float | None] | None:
    """Solve the MILP again with integers met to ``STRICT_INTEGRALITY``, within what is left of the time limit.

    Returns the new status, message, solution and gap, or None if that run found no plan.
    """
    if options.time_limit is not None:
        if elapsed >= options.time_limit:
            return None
        h.setOptionValue("time_limit", float(options.time_limit - elapsed))
    h.setOptionValue("mip_feasibility_tolerance", STRICT_INTEGRALITY)
    try:
        run_interruptibly(h)
    finally:
        h.setOptionValue("mip_feasibility_tolerance", MIP_TOLERANCE)
        if options.time_limit is not None:
            h.setOptionValue("time_limit", float(options.time_limit))
    status, message = _status(h, compiled)
    if not status.has_plan:
        return None
    return status, message, h.getSolution(), float(h.getInfo().mip_gap)


def fixed_integer_duals(h: highspy.Highs, compiled: Compiled, col: np.ndarray, *,
                        restore: bool = False) -> np.ndarray | None:
    """Row duals of the LP left when every integer variable is fixed at its value in ``col``.

    The usual reading of shadow prices for a MILP: the marginal cost of a limit with the
    discrete decisions (whole blocks, minimum contracts, providers used) held as they are.
    With ``restore`` the integrality and bounds are put back afterwards.
    """
    idx = np.flatnonzero(compiled.integer).astype(np.int32)
    lp = h.getLp()
    lower, upper = np.asarray(lp.col_lower_)[idx].copy(), np.asarray(lp.col_upper_)[idx].copy()
    fixed = np.round(col[idx])
    h.changeColsIntegrality(len(idx), idx, np.full(len(idx), highspy.HighsVarType.kContinuous))
    h.changeColsBounds(len(idx), idx, fixed, fixed)
    h.setOptionValue("time_limit", float("inf"))
    h.run()
    sol = h.getSolution()
    ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal and sol.dual_valid
    row_dual = np.asarray(sol.row_dual, dtype=float) if ok else None
    if restore:
        h.changeColsIntegrality(len(idx), idx, np.full(len(idx), highspy.HighsVarType.kInteger))
        h.changeColsBounds(len(idx), idx, lower, upper)
    return row_dual


@contextmanager
def follow_log(h: highspy.Highs, progress: Progress) -> Iterator[None]:
    """Pass HiGHS's log lines (stripped, non-empty) to ``progress`` while the block runs."""
    def relay(event) -> None:
        line = event.message.strip()
        if line:
            progress(f"HiGHS: {line}")

    h.cbLogging.subscribe(relay)
    try:
        yield
    finally:
        h.cbLogging.unsubscribe(relay)


def run_interruptibly(h: highspy.Highs) -> None:
    """Run HiGHS in its worker thread so that Ctrl-C stops it cleanly, then re-raise the interrupt.

    The caller (and the CLI) then writes nothing: a plan cut short by Ctrl-C is not a result.
    """
    h.HandleUserInterrupt = True
    h.startSolve()
    try:
        while not h.wait(0.1)[0]:
            pass
    except KeyboardInterrupt:
        h.cancelSolve()
        while not h.wait(0.1)[0]:
            pass
        raise


def _status(h: highspy.Highs, compiled: Compiled) -> tuple[Status, str]:
    """Map HiGHS's model status (and whether a primal solution exists) to :class:`Status`."""
    if not compiled.columns:
        return Status.OPTIMAL, "empty model"
    ms = h.getModelStatus()
    S = highspy.HighsModelStatus
    has_solution = h.getInfo().primal_solution_status == 2
    text = h.modelStatusToString(ms)
    if ms == S.kOptimal:
        return Status.OPTIMAL, text
    if ms in (S.kInfeasible, S.kUnboundedOrInfeasible):
        return Status.INFEASIBLE, text
    if ms == S.kUnbounded:
        return Status.UNBOUNDED, text
    if has_solution and ms in (S.kTimeLimit, S.kIterationLimit, S.kInterrupt, S.kHighsInterrupt,
                               S.kSolutionLimit, S.kObjectiveBound, S.kObjectiveTarget, S.kMemoryLimit,
                               S.kUnknown):
        return Status.FEASIBLE, text
    return Status.ERROR, text
