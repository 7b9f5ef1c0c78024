"""Solving with HiGHS: the method, the solve loop, strict integrality, duals of a MILP, status mapping.

:func:`solve_compiled` solves what a HiGHS instance holds (cold after :mod:`optimizer.solve.compile`,
warm for re-solves); :mod:`optimizer.solve.pipeline` is the path every caller takes to it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import highspy
import numpy as np

from optimizer.solve.compiled import Compiled, RawSolution
from optimizer.solve.options import INTERRUPTED, Progress, SolveOptions
from optimizer.solve.status import Status

IPM_FROM_COLUMNS = math.inf
"""Under ``auto``, a cold LP of at least this many columns would be solved by interior point with
crossover, a smaller one by HiGHS's ``choose`` (dual simplex). With active chips written as covering
sums dual simplex won at every size measured (docs/performance.md, "Formulation"): 124k columns
12 s against 31 s, 290k (``large``) 97 s against 254 s, 1.6M (``xl``) 766 s against more than 900 s
(stopped), so ``auto`` is dual simplex; with the old recursion interior point had won from 50k
columns on. A finite value brings the size rule back (the tests use 0)."""

START_CROSSOVER = 1e-6
"""Relative optimality gap at which interior point hands over to crossover (HiGHS's default 1e-8).
At 1e-8 the interior point stalls on large plans ("no progress") and HiGHS redoes the whole LP by
dual simplex (137 s against 52 s at large); crossover ends at a vertex either way, so the plan is
as exact."""

METHOD_NAMES = {"ipm": " by interior point with crossover", "simplex": " by simplex", "pdlp": " by PDLP"}
"""How a progress message names HiGHS's method (``choose`` leaves it to HiGHS: no name)."""


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


def solve_compiled(h: highspy.Highs, compiled: Compiled, options: SolveOptions | None = None, *,
                   duals: bool = True, keep_model: bool = False, progress: Progress | None = None,
                   meanwhile: Callable[[], None] | None = None) -> RawSolution:
    """Solve the model already in ``h`` (warm, if it was solved before) and read the plan back.

    ``duals`` asks for row duals (for a MILP: one more LP with the integers fixed); with
    ``keep_model`` that LP's changes are undone afterwards, so ``h`` can be changed and re-solved.
    ``progress`` is told HiGHS's log lines as they come; ``meanwhile`` is called once HiGHS has
    started, in this thread (e.g. freeing the Pyomo model while HiGHS's thread solves).
    """
    options = options or SolveOptions()
    _configure(h, options, compiled, following=progress is not None)
    t0 = time.perf_counter()
    if compiled.columns:
        if progress is None:
            run_interruptibly(h, meanwhile)
        else:
            with follow_log(h, progress):
                run_interruptibly(h, meanwhile)
    elif meanwhile is not None:
        meanwhile()
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
        return RawSolution.without_plan(status, message, compiled, timings)
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
    run_interruptibly(h)  # Ctrl-C stops this LP too
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


def run_interruptibly(h: highspy.Highs, meanwhile: Callable[[], None] | None = None) -> None:
    """Run HiGHS in its worker thread so that Ctrl-C stops it cleanly, then re-raise the interrupt.

    The caller (and the CLI) then writes nothing: a plan cut short by Ctrl-C is not a result.
    ``meanwhile`` runs in this thread while HiGHS solves in its own.
    """
    h.HandleUserInterrupt = True
    h.startSolve()
    try:
        if meanwhile is not None:
            meanwhile()
        while not h.wait(0.1)[0]:
            if INTERRUPTED.is_set():  # a Ctrl-C the garbage collector swallowed (see INTERRUPTED)
                raise KeyboardInterrupt
    except KeyboardInterrupt:
        h.cancelSolve()
        stop_by = time.monotonic() + STOP_GRACE_S
        while not h.wait(0.1)[0] and time.monotonic() < stop_by:
            pass
        raise


STOP_GRACE_S = 5.0
"""Seconds HiGHS gets to stop after Ctrl-C. Simplex, interior point and branch and bound stop within
an iteration, but an LP inside a MILP (its root relaxation: a minute on a monthly 2026 plan) does not
check for the interrupt. After this the interrupt is raised anyway, with HiGHS's thread still running:
the CLI then ends the process at once (``os._exit``), and a script should not use ``h`` again."""


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
