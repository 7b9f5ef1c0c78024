"""procure: the cheapest multi-year plan for renting AI compute across clouds (Pyomo + HiGHS).

    import optimizer
    solution = optimizer.solve("instances/2026.json")
    print(solution.objective_usd, solution.contracts.head())

Names are imported on first use, so that ``import optimizer`` (and the ``procure`` command's
``--help``) does not load Pyomo, HiGHS or matplotlib until something needs them.
"""

from __future__ import annotations

import sys
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

_WHERE = {
    "Algorithm": "optimizer.solve.options",
    "Comparison": "optimizer.report.compare",
    "Finding": "optimizer.analysis.diagnose",
    "Hedging": "optimizer.analysis.hedging",
    "Instance": "optimizer.input.schema",
    "InstanceError": "optimizer.errors",
    "MissingExtraError": "optimizer.sweep.run",
    "PathError": "optimizer.input.paths",
    "Prepared": "optimizer.prepare.arrays",
    "Resolver": "optimizer.solve.resolve",
    "Solution": "optimizer.results.solution",
    "SolveOptions": "optimizer.solve.highs",
    "Status": "optimizer.solve.highs",
    "TwoStagePlan": "optimizer.analysis.scenarios",
    "compare": "optimizer.report.compare",
    "diagnose": "optimizer.analysis.diagnose",
    "first_stage": "optimizer.analysis.scenarios",
    "grid_size": "optimizer.input.paths",
    "load_instance": "optimizer.input.load",
    "pareto": "optimizer.sweep.pareto",
    "prepare": "optimizer.prepare.arrays",
    "ranges": "optimizer.analysis.ranges",
    "scenario_outcomes": "optimizer.analysis.scenarios",
    "solve": "optimizer.api",
    "sweep": "optimizer.sweep.run",
    "two_stage": "optimizer.analysis.scenarios",
    "value_of_hedging": "optimizer.analysis.hedging",
    "write_report": "optimizer.report.plan",
}
"""Each public name and the module it lives in."""

__all__ = [
    "Algorithm",
    "Comparison",
    "Finding",
    "Hedging",
    "Instance",
    "InstanceError",
    "MissingExtraError",
    "PathError",
    "Prepared",
    "Resolver",
    "Solution",
    "SolveOptions",
    "Status",
    "TwoStagePlan",
    "compare",
    "diagnose",
    "first_stage",
    "grid_size",
    "load_instance",
    "pareto",
    "prepare",
    "ranges",
    "scenario_outcomes",
    "solve",
    "sweep",
    "two_stage",
    "value_of_hedging",
    "write_report",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    if name not in _WHERE:
        raise AttributeError(f"module 'optimizer' has no attribute {name!r}")
    found = getattr(import_module(_WHERE[name]), name)
    globals()[name] = found
    return found


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])


_SHADOWED = frozenset(name for name in _WHERE if (Path(__file__).parent / name).is_dir())
"""Functions named like a sub-package (``optimizer.sweep``, ``optimizer.solve``, ``optimizer.prepare``): the
name stands for the function, as ``from optimizer import solve`` expects, not for the package."""


class _Package(ModuleType):
    """This package: importing a submodule does not hide the function of the same name."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHADOWED and isinstance(value, ModuleType):
            return  # Python binds a submodule to its package when it is first imported; keep the function
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from optimizer.analysis.diagnose import Finding, diagnose
    from optimizer.analysis.hedging import Hedging, value_of_hedging
    from optimizer.analysis.ranges import ranges
    from optimizer.analysis.scenarios import TwoStagePlan, first_stage, scenario_outcomes, two_stage
    from optimizer.api import solve
    from optimizer.errors import InstanceError
    from optimizer.input.load import load_instance
    from optimizer.input.paths import PathError, grid_size
    from optimizer.input.schema import Instance
    from optimizer.prepare.arrays import Prepared, prepare
    from optimizer.report.compare import Comparison, compare
    from optimizer.report.plan import write_report
    from optimizer.results.solution import Solution
    from optimizer.solve.options import Algorithm, SolveOptions
    from optimizer.solve.resolve import Resolver
    from optimizer.solve.status import Status
    from optimizer.sweep.pareto import pareto
    from optimizer.sweep.run import MissingExtraError, sweep
