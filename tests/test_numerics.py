"""Numerical health: coefficient ranges on the Solution and in --verbose; warnings for implausible units."""

from __future__ import annotations

import copy

import pytest
from support.instances import shipped
from support.paths import INSTANCES
from typer.testing import CliRunner

import cli
import optimizer
from optimizer.solve.numerics import unit_warnings

TINY = shipped("tiny.json")


def warnings_of(data: dict) -> dict[str, str]:
    return {w.path: w.problem for w in unit_warnings(optimizer.load_instance(data))}


def test_shipped_instances_raise_no_warning() -> None:
    for path in sorted(INSTANCES.glob("*.json")):
        assert unit_warnings(optimizer.load_instance(path)) == [], path.name


@pytest.mark.parametrize(("edit", "path", "phrase"), [
    (lambda d: d["chips"][0].update(power_kw=2000), "chips[0].power_kw", "2,000 kW per chip"),
    (lambda d: d["chips"][0].update(power_kw=0.001), "chips[0].power_kw", "0.001 kW per chip"),
    (lambda d: d["offers"][0].update(price_per_chip_hour=0.0001), "offers[0].price_per_chip_hour",
     "0.0001 USD per chip-hour is implausible (expected 0.01 to 1000)"),
    (lambda d: d["offers"][0].update(price_per_chip_hour=2500), "offers[0].price_per_chip_hour", "2,500 USD"),
    (lambda d: d["providers"][0].update(power_mw={"2026": 10, "2027": 5e6}), "providers[0].power_mw.2027",
     "5,000,000 MW"),
    (lambda d: d.update(global_power_mw=2e6), "global_power_mw", "2,000,000 MW"),
    (lambda d: d["workloads"][0].update(demand={"base": 5e9}), "workloads[0].demand", "peaks at 5e+09"),
    (lambda d: d["workloads"][0].update(efficiency=0.001), "workloads[0].efficiency", "0.001 is implausible"),
    (lambda d: d.update(discount_rate=8), "discount_rate", "written 0.08"),
    (lambda d: d["offers"][0].update(term_months=600), "offers[0].term_months", "over 10 years"),
    (lambda d: d["offers"][0].update(price_change_per_year=5), "offers[0].price_change_per_year", "written 0.05"),
    (lambda d: d.update(budget={"total_usd": 50}), "budget.total_usd", "$50.00 is implausibly small"),
    (lambda d: d.update(spend_commitments=[{"provider": "aws", "years": [2026, 2027], "amount_usd": 3e13}]),
     "spend_commitments[0].amount_usd", "more than $10 trillion"),
])
def test_implausible_units_warn_with_their_path(edit, path: str, phrase: str) -> None:
    data = copy.deepcopy(TINY)
    edit(data)
    found = warnings_of(data)
    assert path in found, found
    assert phrase in found[path]


def test_warnings_ride_on_the_solution_and_never_refuse() -> None:
    data = copy.deepcopy(TINY)
    data["offers"][0]["price_per_chip_hour"] = 0.0001
    solution = optimizer.solve(data)
    assert solution.has_plan
    assert [w.path for w in solution.warnings] == ["offers[0].price_per_chip_hour"]
    assert optimizer.solve(TINY).warnings == []


def test_cli_prints_warnings_to_stderr(runner: CliRunner, write_instance) -> None:
    data = copy.deepcopy(TINY)
    data["chips"][0]["power_kw"] = 2000
    instance = write_instance(data, "watts.json")
    for command in (["solve", str(instance)], ["validate", str(instance)], ["diagnose", str(instance)]):
        result = runner.invoke(cli.app, command)
        assert result.exit_code in (0, 3), result.output
        assert result.stderr.startswith(f"warning: {instance}: chips[0].power_kw: 2,000 kW per chip"), result.stderr
        assert "warning:" not in result.stdout
    quiet = runner.invoke(cli.app, ["solve", str(instance), "-q"])
    assert quiet.stderr == ""


def test_coefficient_ranges_on_the_solution(shipped_plan) -> None:
    solution = shipped_plan("racks_mip.json")
    n = solution.numerics
    assert n["columns"] > 0 and n["rows"] > 0 and n["nonzeros"] >= n["columns"] - 5
    for key in ("matrix", "cost", "rhs"):
        lo, hi = n[key]
        assert 0 < lo <= hi < 1e9, key
    assert n["estimated_bytes"] > 0
    # Money is in $M inside the model: an onboarding fee of $150M is a cost of 150.
    assert n["cost"][1] == pytest.approx(150.0)


def test_verbose_prints_model_size_and_ranges(runner: CliRunner) -> None:
    result = runner.invoke(cli.app, ["solve", str(INSTANCES / "tiny.json"), "-v"])
    assert result.exit_code == 0
    # 4 x, 4 a, 4 u; rows 4 active chips (covering sums: 2 + 2 for the 12-month offer, 2 + 3 for the
    # 24-month one), 2 demand, 4 capacity (2 each), 2 power (2 each): 9 + 2·2 + 4·2 + 2·2 = 25 non-zeros
    assert "model: 12 columns, 12 rows, 25 non-zeros; estimated memory" in result.stdout
    # tiny: chips → MW 2e-03 (2 kW chips) and 1 (allocation ≤ active); demand up to 1,500 PFLOPS; $M.
    assert "coefficient ranges: matrix [2e-03, 1e+00], cost [3e-02, 6e-02], bounds –, rhs [5e+00, 2e+03]" \
        in result.stdout
