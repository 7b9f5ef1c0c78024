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


TIME_LIMIT_REACHED = "Time limit reached"
"""HiGHS's words for a solve its time limit stopped (a plan's ``message``)."""


def no_plan_reason(message: str, time_limit: float | None) -> str:
    """Why a solve gave no plan, in words: the time limit is named with its value when it was the cause."""
    if time_limit is not None and message == TIME_LIMIT_REACHED:
        return f"the time limit of {time_limit:g} s was reached before any plan was found"
    return message
