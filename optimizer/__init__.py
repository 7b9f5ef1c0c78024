"""procure: the cheapest multi-year plan for renting AI compute across clouds (Pyomo + HiGHS).

    import optimizer
    solution = optimizer.solve("instances/2026.json")
    print(solution.objective_usd, solution.contracts.head())
"""

from optimizer.api import solve
from optimizer.diagnose import Finding, diagnose
from optimizer.errors import InstanceError
from optimizer.highs import SolveOptions, Status
from optimizer.instance import load_instance
from optimizer.prepare import Prepared, prepare
from optimizer.results import Solution
from optimizer.schema import Instance

__all__ = [
    "Finding",
    "Instance",
    "InstanceError",
    "Prepared",
    "Solution",
    "SolveOptions",
    "Status",
    "diagnose",
    "load_instance",
    "prepare",
    "solve",
]
