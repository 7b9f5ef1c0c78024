"""The reliability properties, as plain functions shared by the tests and ``benchmarks/reliability.py``.

- :func:`check_valid` — a valid instance solves; an ``optimal`` plan (or, after the time limit, a
  ``feasible`` one) passes the independent checker (``tests/support/feasibility.py``) and its objective
  equals the checker's recomputation; an ``infeasible`` one carries a non-empty diagnosis in
  which every finding names a known limit.
- :func:`check_mutated` — a broken instance either solves like a valid one or is refused with
  :class:`optimizer.InstanceError` whose path and message are one clean line; never any other
  exception.

Each returns an :class:`Outcome` and raises ``AssertionError`` on a violation.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import optimizer

from .feasibility import check_solution

OPTIONS = optimizer.SolveOptions(mip_gap=1e-7, threads=1, time_limit=30)
"""One thread: the property runs are reproducible and do not compete with each other. A few random
MILPs are hard (whole racks, minimum contracts, monthly periods): after 30 s the best plan found
(status "feasible") is checked like an optimal one, and a run with no plan yet counts as timed out."""

KNOWN_FAMILIES = {"demand", "provider_power", "global_power", "supply", "budget_year", "budget_total",
                  "capacity_commitment", "diversification", "providers_min", "providers_max",
                  "exclusivity", "availability", "shared_supply_chips", "shared_supply_mw", "spend_commitment",
                  "placement_count"}


@dataclass
class Tally:
    """Counts for a run: cases tried, plans checked, infeasible diagnosed, mutations by verdict."""

    counts: Counter = field(default_factory=Counter)

    def add(self, key: str) -> None:
        self.counts[key] += 1


@dataclass(frozen=True)
class Outcome:
    """What happened to one instance: ``status`` (optimal, infeasible, refused) and detail."""

    status: str
    detail: str = ""


def check_valid(data: dict[str, Any], tally: Tally | None = None) -> Outcome:
    """Solve a valid instance and check the answer independently (see the module docstring)."""
    tally = tally or Tally()
    tally.add("cases")
    solution = optimizer.solve(data, OPTIONS)
    status = str(solution.status)
    if status == "error" and solution.message == "Time limit reached":
        tally.add("timed_out")
        return Outcome("timed out")
    assert status in ("optimal", "feasible", "infeasible"), f"status {status!r}: {solution.message}"
    if status in ("optimal", "feasible"):
        plan = json.loads(solution.to_json())
        report = check_solution(data, plan)
        assert report.ok(), "violations:\n  " + "\n  ".join(report.violations[:20])
        assert math.isclose(plan["objective_usd"], report.objective_usd, rel_tol=1e-6, abs_tol=1e-3), \
            f"objective {plan['objective_usd']} != recomputed {report.objective_usd}"
        tally.add("plans_checked")
        tally.add("mip" if solution.is_mip else "lp")
        if status == "feasible":
            tally.add("time_limited")
        return Outcome(status, f"{solution.objective_usd:.6g} USD")
    diagnosis = solution.diagnosis or []
    assert diagnosis, "infeasible without a diagnosis"
    for finding in diagnosis:
        assert finding["limit"] in KNOWN_FAMILIES, f"diagnosis names no known limit: {finding}"
        assert finding["message"], f"empty message: {finding}"
    tally.add("infeasible_diagnosed")
    return Outcome(status, "; ".join(f["message"] for f in diagnosis))


def check_mutated(data: dict[str, Any], tally: Tally | None = None) -> Outcome:
    """A broken instance solves (and checks out, as :func:`check_valid`) or raises InstanceError."""
    tally = tally or Tally()
    tally.add("mutations")
    inner = Tally()
    try:
        outcome = check_valid(data, inner)
    except optimizer.InstanceError as e:
        assert "\n" not in e.message and e.message.strip(), f"message not one line: {e.message!r}"
        tally.add("mutations_refused")
        return Outcome("refused", e.message)
    tally.add("mutations_valid")
    for key, count in inner.counts.items():
        tally.counts[f"mutated_{key}"] += count
    return outcome
