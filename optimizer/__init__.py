"""procure: the cheapest multi-year plan for renting AI compute across clouds (Pyomo + HiGHS).

    import optimizer
    solution = optimizer.solve("instances/2026.json")
    print(solution.objective_usd, solution.contracts.head())
"""

from typing import Any

from optimizer.api import solve
from optimizer.compare import Comparison, compare
from optimizer.diagnose import Finding, diagnose
from optimizer.errors import InstanceError
from optimizer.hedging import Hedging, value_of_hedging
from optimizer.highs import SolveOptions, Status
from optimizer.instance import load_instance
from optimizer.paths import PathError, grid_size
from optimizer.prepare import Prepared, prepare
from optimizer.resolve import Resolver
from optimizer.results import Solution
from optimizer.scenarios import TwoStagePlan, first_stage, scenario_outcomes, two_stage
from optimizer.schema import Instance
from optimizer.sweep import sweep

__all__ = [
    "Comparison",
    "Finding",
    "Hedging",
    "Instance",
    "InstanceError",
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
    """``optimizer.pareto`` and ``optimizer.write_report`` are imported on first use (they load matplotlib)."""
    if name == "pareto":
        from optimizer.frontier import pareto as found
    elif name == "write_report":
        from optimizer.report import write_report as found
    else:
        raise AttributeError(f"module 'optimizer' has no attribute {name!r}")
    globals()[name] = found
    return found
