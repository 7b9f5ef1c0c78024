"""The public entry point for scripts and the CLI: instance in, :class:`Solution` out."""

from __future__ import annotations

from typing import Any

from optimizer.analysis.diagnose import diagnose
from optimizer.model import build_model
from optimizer.prepare.arrays import prepare
from optimizer.results.extract import extract
from optimizer.results.solution import Solution
from optimizer.solve.compiled import RawSolution
from optimizer.solve.health import SizeEstimate
from optimizer.solve.numerics import InputWarning, range_warnings, unit_warnings
from optimizer.solve.options import Progress, SolveOptions
from optimizer.solve.pipeline import Source, Stopwatch, check, named_coefficients, solve_built
from optimizer.solve.status import Status


def solve(source: Source, options: SolveOptions | None = None, *, explain_infeasible: bool = True,
          progress: Progress | None = None) -> Solution:
    """Solve an instance (a file path, parsed JSON data or a loaded :class:`Instance`).

    Raises :class:`~optimizer.errors.InstanceError` for bad input, and for a model whose estimated
    memory exceeds ``options.max_memory`` (refused before it is built). The solution carries
    ``warnings`` (implausible input units, :mod:`optimizer.solve.numerics`) and ``numerics`` (model
    size and coefficient ranges). An infeasible instance gives a :class:`Solution` with status
    ``infeasible`` and, unless ``explain_infeasible`` is False, its ``diagnosis`` (the limits that
    must move, where and by how much). ``progress`` is told each stage as it starts and HiGHS's log
    lines while it runs (see :data:`optimizer.solve.highs.Progress`).
    """
    options = options or SolveOptions()
    watch = Stopwatch(progress)
    watch.tell("loading the instance")
    checked = check(source, options)
    watch.lap("load_s", "preparing arrays")
    prep = prepare(checked.instance)
    estimate = checked.estimate
    watch.lap("prepare_s", f"building the model (about {estimate.variables:,} variables, {estimate.rows:,} rows)")
    built = build_model(prep)
    watch.lap("build_s", "handing the model to HiGHS")
    with named_coefficients(prep, source):
        raw = solve_built(built, options, release=True, watch=watch)
        watch.tell("reading the plan back")
        solution = extract(built, raw)
        watch.lap("results_s")
        if solution.status == Status.INFEASIBLE and explain_infeasible:
            watch.tell("diagnosing the infeasibility")
            solution.diagnosis = [f.to_dict() for f in diagnose(prep, options)]
            watch.lap("diagnose_s")
    solution.timings = watch.timings
    attach_health(solution, raw, estimate, unit_warnings(checked.instance))
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
