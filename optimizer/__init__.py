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
from types import ModuleType
from typing import TYPE_CHECKING, Any

_WHERE = {
    "Algorithm": "optimizer.options",
    "Comparison": "optimizer.compare",
    "Finding": "optimizer.diagnose",
    "Hedging": "optimizer.hedging",
    "Instance": "optimizer.schema",
    "InstanceError": "optimizer.errors",
    "MissingExtraError": "optimizer.sweep",
    "PathError": "optimizer.paths",
    "Prepared": "optimizer.prepare",
    "Resolver": "optimizer.resolve",
    "Solution": "optimizer.results",
    "SolveOptions": "optimizer.highs",
    "Status": "optimizer.highs",
    "TwoStagePlan": "optimizer.scenarios",
    "compare": "optimizer.compare",
    "diagnose": "optimizer.diagnose",
    "first_stage": "optimizer.scenarios",
    "grid_size": "optimizer.paths",
    "load_instance": "optimizer.instance",
    "pareto": "optimizer.frontier",
    "prepare": "optimizer.prepare",
    "scenario_outcomes": "optimizer.scenarios",
    "solve": "optimizer.api",
    "sweep": "optimizer.sweep",
    "two_stage": "optimizer.scenarios",
    "value_of_hedging": "optimizer.hedging",
    "write_report": "optimizer.report",
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


_SHADOWED = frozenset(name for name, module in _WHERE.items() if module == f"{__name__}.{name}")
"""Functions named like the module they live in (``optimizer.diagnose`` the function, in the module
``optimizer.diagnose``): the name stands for the function, as ``from optimizer import diagnose`` expects."""


class _Package(ModuleType):
    """This package: importing a submodule does not hide the function of the same name."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHADOWED and isinstance(value, ModuleType):
            return  # Python binds a submodule to its package when it is first imported; keep the function
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from optimizer.api import solve
    from optimizer.compare import Comparison, compare
    from optimizer.diagnose import Finding, diagnose
    from optimizer.errors import InstanceError
    from optimizer.frontier import pareto
    from optimizer.hedging import Hedging, value_of_hedging
    from optimizer.highs import SolveOptions, Status
    from optimizer.instance import load_instance
    from optimizer.options import Algorithm
    from optimizer.paths import PathError, grid_size
    from optimizer.prepare import Prepared, prepare
    from optimizer.report import write_report
    from optimizer.resolve import Resolver
    from optimizer.results import Solution
    from optimizer.scenarios import TwoStagePlan, first_stage, scenario_outcomes, two_stage
    from optimizer.schema import Instance
    from optimizer.sweep import MissingExtraError, sweep
