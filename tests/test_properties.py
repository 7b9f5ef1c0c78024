"""Property-based tests (hypothesis): random valid instances and random breakages.

- Every optimal plan of a random valid instance passes the independent checker and its
  objective equals the checker's recomputation; every infeasible one is diagnosed.
- A random mutation of a valid instance either solves or is refused with ``InstanceError``
  (exit 2 and one line through the CLI), never any other exception.

The "ci" profile (tests/conftest.py) runs 60 reproducible examples per property;
``--hypothesis-profile=long`` (or ``PROCURE_HYPOTHESIS=long``) runs 2,000. The long run with
figures is ``benchmarks/reliability.py`` (see docs/reliability.md).
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from support.instance_strategies import Mutation, instances, mutations
from support.properties import check_mutated, check_valid
from typer.testing import CliRunner

import cli
import optimizer

pytestmark = pytest.mark.slow  # the property runs: a minute or more with --hypothesis-profile=dev or long


@given(instances())
def test_random_valid_instances_solve_and_check(data: dict[str, Any]) -> None:
    outcome = check_valid(data)
    event(outcome.status)


@given(instances().flatmap(mutations))
def test_random_mutations_solve_or_are_refused(drawn: tuple[dict[str, Any], Mutation]) -> None:
    data, mutation = drawn
    event(mutation.kind)
    outcome = check_mutated(data)
    event(outcome.status)


@settings(max_examples=max(15, settings.default.max_examples // 4))  # a quarter of the profile's examples
@given(instances().flatmap(mutations))
def test_random_mutations_through_the_cli(drawn: tuple[dict[str, Any], Mutation]) -> None:
    data, _ = drawn
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        instance, out = Path(tmp) / "instance.json", Path(tmp) / "out"
        instance.write_text(json.dumps(data))  # NaN and Infinity are written as the bare words
        result = runner.invoke(cli.app, ["solve", str(instance), "--out", str(out), "-q"])
        assert isinstance(result.exception, SystemExit | None), result.exception
        assert result.exit_code in (0, 2, 3), result.output
        if result.exit_code == 2:
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith(f"error: {instance}"), result.stderr
            assert not out.exists()
        else:
            assert json.loads((out / "solution.json").read_text())["status"] in ("optimal", "infeasible")


FEATURES = {
    "periods_per_year=1": lambda d: d["horizon"].get("periods_per_year", 1) == 1,
    "periods_per_year=2": lambda d: d["horizon"].get("periods_per_year") == 2,
    "periods_per_year=4": lambda d: d["horizon"].get("periods_per_year") == 4,
    "periods_per_year=12": lambda d: d["horizon"].get("periods_per_year") == 12,
    "discount_rate": lambda d: d.get("discount_rate", 0) > 0,
    "3 providers": lambda d: len(d["providers"]) == 3,
    "3 chips": lambda d: len(d["chips"]) == 3,
    "5 offers": lambda d: len(d["offers"]) == 5,
    "3 workloads": lambda d: len(d["workloads"]) == 3,
    "chip family": lambda d: any("family" in c for c in d["chips"]),
    "year map": lambda d: any(isinstance(p["power_mw"], dict) and len(p["power_mw"]) > 1 for p in d["providers"]),
    "onboarding": lambda d: any(p.get("onboarding_cost_usd", 0) > 0 for p in d["providers"]),
    "term not dividing a year": lambda d: any(o["term_months"] in (7, 18) for o in d["offers"]),
    "price change": lambda d: any(o.get("price_change_per_year", 0) != 0 for o in d["offers"]),
    "available": lambda d: any(o.get("available") for o in d["offers"]),
    "supply cap": lambda d: any("max_new_chips_per_year" in o for o in d["offers"]),
    "block_chips": lambda d: any(o.get("block_chips", 1) > 1 for o in d["offers"]),
    "min_chips": lambda d: any(o.get("min_chips", 0) > 0 for o in d["offers"]),
    "series": lambda d: any("series" in w["demand"] for w in d["workloads"]),
    "points": lambda d: any("points" in w["demand"] for w in d["workloads"]),
    "base + growth": lambda d: any("annual_growth" in w["demand"] for w in d["workloads"]),
    "monthly_profile": lambda d: any("monthly_profile" in w["demand"] for w in d["workloads"]),
    "peak_factor": lambda d: any("peak_factor" in w["demand"] for w in d["workloads"]),
    "efficiency": lambda d: any("efficiency" in w for w in d["workloads"]),
    "chip_efficiency": lambda d: any("chip_efficiency" in w for w in d["workloads"]),
    "exclusivity": lambda d: any("providers" in w for w in d["workloads"]),
    "chip filter": lambda d: any("chips" in w for w in d["workloads"]),
    "second metric": lambda d: any(w["metric"] != "bf16" for w in d["workloads"]),
    "budget per year": lambda d: "per_year_usd" in d.get("budget", {}),
    "budget total": lambda d: "total_usd" in d.get("budget", {}),
    "global power": lambda d: "global_power_mw" in d,
    "spend commitment": lambda d: bool(d.get("spend_commitments")),
    "capacity commitment": lambda d: bool(d.get("capacity_commitments")),
    "diversification by metric": lambda d: d.get("diversification", {}).get("metric") not in (None, "mw"),
    "diversification by mw": lambda d: d.get("diversification", {}).get("metric") == "mw",
    "providers_used min": lambda d: "min" in d.get("providers_used", {}),
    "providers_used max": lambda d: "max" in d.get("providers_used", {}),
    "scenarios": lambda d: "scenarios" in d,
    "3 scenarios": lambda d: len(d.get("scenarios", {}).get("cases", [])) == 3,
    "first_stage_years": lambda d: "first_stage_years" in d.get("scenarios", {}),
    "multiplier for *": lambda d: any("*" in c.get("demand_multiplier", {})
                                      for c in d.get("scenarios", {}).get("cases", [])),
}


def test_the_strategy_exercises_every_feature_and_stays_valid() -> None:
    seen: Counter[str] = Counter()

    @settings(max_examples=300, derandomize=True, database=None)
    @given(instances())
    def draw(data: dict[str, Any]) -> None:
        optimizer.load_instance(data)  # valid by construction
        seen.update(name for name, has in FEATURES.items() if has(data))

    draw()
    missing = [name for name in FEATURES if not seen[name]]
    assert not missing, f"never drawn in 300 instances: {missing}"
