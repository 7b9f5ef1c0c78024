"""The public entry point for scripts and the CLI: instance in, :class:`Solution` out."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optimizer.analysis.diagnose import diagnose
from optimizer.analysis.iis import explain_coefficient
from optimizer.errors import InstanceError
from optimizer.input.load import load_instance
from optimizer.input.schema import Instance
from optimizer.model import build_model
from optimizer.prepare.arrays import prepare
from optimizer.results.solution import Solution, extract
from optimizer.solve.compile import compile_to_highs
from optimizer.solve.compiled import RawSolution
from optimizer.solve.health import SizeEstimate, check_size
from optimizer.solve.highs import METHOD_NAMES, Progress, highs_solver, solve_compiled
from optimizer.solve.numerics import CoefficientError, InputWarning, range_warnings, unit_warnings
from optimizer.solve.options import SolveOptions
from optimizer.solve.status import Status


def solve(source: str | Path | Mapping[str, Any] | Instance, options: SolveOptions | None = None, *,
          explain_infeasible: bool = True, progress: Progress | None = None) -> Solution:
    """Solve an instance (a file path, parsed JSON data or a loaded :class:`Instance`).

    Raises :class:`~optimizer.errors.InstanceError` for bad input, and for a model whose estimated
    memory exceeds ``options.max_memory`` (refused before it is built). The solution carries
    ``warnings`` (implausible input units, :mod:`optimizer.numerics`) and ``numerics`` (model size and
    coefficient ranges). An infeasible instance gives a
    :class:`Solution` with status ``infeasible`` and, unless ``explain_infeasible`` is False,
    its ``diagnosis`` (the limits that must move, where and by how much). ``progress`` is told each
    stage as it starts and HiGHS's log lines while it runs (see :data:`optimizer.highs.Progress`).
    """
    options = options or SolveOptions()
    clock = time.perf_counter()
    timings: dict[str, float] = {}
    tell = progress or (lambda _: None)

    def lap(stage: str, next_stage: str = "") -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = now - clock
        clock = now
        if next_stage:
            tell(next_stage)

    tell("loading the instance")
    inst = load_instance(source)
    warnings = unit_warnings(inst)
    try:
        estimate = check_size(inst, options.max_memory)
    except InstanceError as e:
        raise (e.in_file(str(source)) if isinstance(source, str | Path) else e) from None
    lap("load_s", "preparing arrays")
    prep = prepare(inst)
    lap("prepare_s", f"building the model (about {estimate.variables:,} variables, {estimate.rows:,} rows)")
    built = build_model(prep)
    lap("build_s", "handing the model to HiGHS")
    try:
        if built.layout.trivially_infeasible:
            raw = RawSolution(Status.INFEASIBLE, None, None, None, None, None, None, "a limit can never be met")
        else:
            h, compiled = compile_to_highs(built)
            built.release()  # free Pyomo's expressions before HiGHS needs its memory
            method = METHOD_NAMES.get(highs_solver(options.algorithm, compiled, warm=False), "")
            lap("handoff_s", f"HiGHS: solving {'a MILP' if compiled.is_mip else 'an LP'} of {len(compiled.columns):,} "
                             f"columns, {len(compiled.rows):,} rows{method}")
            raw = solve_compiled(h, compiled, options, progress=progress)
            timings.update(raw.timings)
            clock = time.perf_counter()
        tell("reading the plan back")
        solution = extract(built, raw)
        lap("results_s")
        if solution.status == Status.INFEASIBLE and explain_infeasible:
            tell("diagnosing the infeasibility")
            solution.diagnosis = [f.to_dict() for f in diagnose(prep, options)]
            lap("diagnose_s")
    except CoefficientError as e:  # a number HiGHS cannot use: an input error, named
        error = explain_coefficient(prep, e)
        raise (error.in_file(str(source)) if isinstance(source, str | Path) else error) from None
    solution.timings = timings
    attach_health(solution, raw, estimate, warnings)
    return solution


def attach_health(solution: Solution, raw: RawSolution, estimate: SizeEstimate, warnings: list[InputWarning]) -> None:
    """``solution.numerics``: model size and coefficient ranges; ``solution.warnings``: implausible inputs."""
    numerics: dict[str, Any] = {"estimated_bytes": estimate.bytes}
    if raw.compiled is not None:
        c = raw.compiled
        numerics.update(columns=len(c.columns), rows=len(c.rows), nonzeros=c.nonzeros, **c.ranges)
        warnings = warnings + range_warnings(c.ranges)
    solution.numerics = numerics
    solution.warnings = warnings
