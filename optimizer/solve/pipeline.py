"""One path from an instance to the solver's answer, used by every caller.

The API (and so the CLI), the sweeps' in-place :class:`~optimizer.solve.resolve.Resolver`, hedging
and the elastic diagnosis all go through these steps, so each gets the same checks:

1. :func:`check`: load and validate the instance, and refuse a model estimated to need more memory
   than ``options.max_memory``;
2. :func:`solve_built`: a built model with a constant limit that can never hold is infeasible
   without calling HiGHS; otherwise it is compiled, handed to HiGHS (the Pyomo model freed first,
   with ``release``) and solved by the method ``options.algorithm`` picks;
3. :func:`named_coefficients`: a number HiGHS cannot use becomes an input error naming the JSON
   path it comes from.

:class:`Stopwatch` records each stage's seconds and tells a progress callback what runs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import highspy

from optimizer.analysis.iis import explain_coefficient
from optimizer.errors import InstanceError
from optimizer.input.load import load_instance
from optimizer.input.schema import Instance
from optimizer.model import Built
from optimizer.prepare.arrays import Prepared
from optimizer.solve.compile import compile_to_highs
from optimizer.solve.compiled import RawSolution
from optimizer.solve.health import SizeEstimate, check_size
from optimizer.solve.highs import METHOD_NAMES, highs_solver, solve_compiled
from optimizer.solve.numerics import CoefficientError
from optimizer.solve.options import Progress, SolveOptions
from optimizer.solve.status import Status

Source = str | Path | Mapping[str, Any] | Instance
"""An instance: a file path, parsed JSON data or a loaded :class:`Instance`."""

NEVER_MET = "a limit can never be met"
"""The message of a plan that is infeasible before any decision: a limit no variable can move."""


@dataclass(frozen=True)
class Checked:
    """A validated instance and its estimated size."""

    instance: Instance
    estimate: SizeEstimate


def in_file(error: InstanceError, source: object) -> InstanceError:
    """``error`` naming the instance file, when the instance came from one."""
    return error.in_file(str(source)) if isinstance(source, str | Path) else error


def check(source: Source, options: SolveOptions) -> Checked:
    """Load and validate ``source`` and check its size; raises :class:`InstanceError` (naming the file)."""
    inst = load_instance(source)
    try:
        estimate = check_size(inst, options.max_memory)
    except InstanceError as e:
        raise in_file(e, source) from None
    return Checked(inst, estimate)


@contextmanager
def named_coefficients(prep: Prepared, source: object = None) -> Iterator[None]:
    """Turn a :class:`CoefficientError` raised inside the block into the input error it comes from."""
    try:
        yield
    except CoefficientError as e:
        raise in_file(explain_coefficient(prep, e), source) from None


@dataclass
class Stopwatch:
    """Seconds per stage (``timings``, e.g. ``build_s``), and a progress callback told each next stage."""

    progress: Progress | None = None
    timings: dict[str, float] = field(default_factory=dict)
    clock: float = field(default_factory=time.perf_counter)

    def tell(self, message: str) -> None:
        if self.progress is not None:
            self.progress(message)

    def lap(self, stage: str, next_stage: str = "") -> None:
        """End ``stage`` now (its seconds since the last lap) and announce ``next_stage``."""
        now = time.perf_counter()
        self.timings[stage] = now - self.clock
        self.clock = now
        if next_stage:
            self.tell(next_stage)

    def add(self, timings: dict[str, float]) -> None:
        """Stages timed elsewhere (HiGHS's solve and read-back); the clock restarts now."""
        self.timings.update(timings)
        self.clock = time.perf_counter()


def solve_built(built: Built, options: SolveOptions | None = None, *, release: bool = False,
                watch: Stopwatch | None = None) -> RawSolution:
    """Hand a built model to HiGHS and solve it (step 2 above).

    With ``release``, the Pyomo model is freed once compiled, while HiGHS starts solving (the
    caller reads the plan back from the layout and the compiled names). ``watch`` times the
    hand-off and the solve and relays HiGHS's log lines to its progress callback.
    """
    return solve_kept(built, options, release=release, watch=watch, keep=False)[1]


def solve_kept(built: Built, options: SolveOptions | None = None, *, release: bool = False,
               watch: Stopwatch | None = None, duals: bool = True,
               keep: bool = True) -> tuple[highspy.Highs | None, RawSolution]:
    """:func:`solve_built`, also returning the HiGHS instance that holds the solved model (None when
    HiGHS was not called), for callers that change it in place and solve again (near-optimal ranges).
    ``duals=False`` skips the row duals; with ``keep``, a MILP's fixed-integer LP (for the duals) is undone
    afterwards, so the instance holds the model as built."""
    options = options or SolveOptions()
    watch = watch or Stopwatch()
    if built.layout.trivially_infeasible:
        return None, RawSolution.without_plan(Status.INFEASIBLE, NEVER_MET)
    h, compiled = compile_to_highs(built)
    method = METHOD_NAMES.get(highs_solver(options.algorithm, compiled, warm=False), "")
    watch.lap("handoff_s", f"HiGHS: solving {'a MILP' if compiled.is_mip else 'an LP'} of {len(compiled.columns):,} "
                           f"columns, {len(compiled.rows):,} rows{method}")
    # With ``release``, the Pyomo model is freed while HiGHS's thread solves (the cycle collector takes
    # ~0.3 s at 124k columns: on a second core it costs no time).
    raw = solve_compiled(h, compiled, options, progress=watch.progress, duals=duals, keep_model=keep,
                         meanwhile=built.release if release else None)
    watch.add(raw.timings)
    return h, raw
