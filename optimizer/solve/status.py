"""The outcome of a solve, as ``solution.json`` names it (spec §7): solver-neutral, so that code
reading solution folders (reports, comparisons) never imports a solver."""

from __future__ import annotations

from enum import StrEnum


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
