"""The public entry point for scripts and the CLI: instance in, :class:`Solution` out."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optimizer.diagnose import diagnose
from optimizer.highs import RawSolution, SolveOptions, Status, solve_model
from optimizer.instance import load_instance
from optimizer.model import build_model
from optimizer.prepare import prepare
from optimizer.results import Solution, extract
from optimizer.schema import Instance


def solve(source: str | Path | Mapping[str, Any] | Instance, options: SolveOptions | None = None, *,
          explain_infeasible: bool = True) -> Solution:
    """Solve an instance (a file path, parsed JSON data or a loaded :class:`Instance`).

    Raises :class:`~optimizer.errors.InstanceError` for bad input. An infeasible instance gives a
    :class:`Solution` with status ``infeasible`` and, unless ``explain_infeasible`` is False,
    its ``diagnosis`` (the limits that must move, where and by how much).
    """
    options = options or SolveOptions()
    clock = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = now - clock
        clock = now

    inst = load_instance(source)
    lap("load_s")
    prep = prepare(inst)
    lap("prepare_s")
    built = build_model(prep)
    lap("build_s")
    if built.layout.trivially_infeasible:
        raw = RawSolution(Status.INFEASIBLE, None, None, {}, None, None, None, "a limit can never be met")
    else:
        raw = solve_model(built.model, options)
        timings.update(raw.timings)
        clock = time.perf_counter()
    solution = extract(built, raw)
    lap("results_s")
    if solution.status == Status.INFEASIBLE and explain_infeasible:
        solution.diagnosis = [f.to_dict() for f in diagnose(prep, options)]
        lap("diagnose_s")
    solution.timings = timings
    return solution
