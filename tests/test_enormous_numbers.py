"""Enormous and tiny (but finite) numbers: refused with their JSON path, never a crash or a NaN plan.

Regression tests for what the property tests (tests/test_properties.py, mutation "extreme") found:
before, ``term_months: 1e308`` raised OverflowError, ``power_kw: 1e308`` made HiGHS refuse the model
(RuntimeError), ``price_per_chip_hour: 1e308`` gave an "optimal" plan with a NaN objective, and
``term_months: 1e15`` ran out of memory. Inputs are now limited to 1e-9 ≤ |x| ≤ 1e15 (or 0), model
numbers to what HiGHS can use, and the memory estimate covers the longest term.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from support.instances import shipped
from typer.testing import CliRunner

import cli
import optimizer

TINY = shipped("tiny.json")


def refused(change: Callable[[dict], None]) -> optimizer.InstanceError:
    data = copy.deepcopy(TINY)
    change(data)
    with pytest.raises(optimizer.InstanceError) as err:
        optimizer.solve(data)
    assert "\n" not in err.value.message
    return err.value


@pytest.mark.parametrize(("change", "path", "phrase"), [
    (lambda d: d["offers"][0].update(term_months=1e308), "offers[0].term_months", "1e+308 is too large"),
    (lambda d: d["offers"][0].update(term_months=2**70), "offers[0].term_months", "is too large"),
    (lambda d: d["horizon"].update(start_year=2**70), "horizon.start_year", "is too large"),
    (lambda d: d["offers"][0].update(block_chips=1e308), "offers[0].block_chips", "is too large"),
    (lambda d: d["chips"][0].update(power_kw=1e308), "chips[0].power_kw", "is too large"),
    (lambda d: d["chips"][0].update(power_kw=1e-308), "chips[0].power_kw", "1e-308 is too small"),
    (lambda d: d["offers"][0].update(price_per_chip_hour=1e308), "offers[0].price_per_chip_hour", "is too large"),
    (lambda d: d["workloads"][0]["demand"].update(series=[1e308, 1]), "workloads[0].demand.series[0]", "too large"),
    (lambda d: d["providers"][0].update(power_mw=1e308), "providers[0].power_mw", "leave a limit out"),
    (lambda d: d.update(discount_rate=1e-300), "discount_rate", "too small"),
])
def test_out_of_range_inputs_are_refused_with_their_path(change, path: str, phrase: str) -> None:
    err = refused(change)
    assert err.path == path and phrase in err.problem


@pytest.mark.parametrize(("change", "path", "phrase"), [
    # Each input is in range, but their product is not: the model number is named by its limit.
    (lambda d: d["offers"][0].update(min_chips=1e15), "offers[0].min_chips", "in C12 minimum contract"),
    (lambda d: d["offers"][0].update(block_chips=10**15), "offers[0].block_chips", "in whole blocks"),
    (lambda d: d["chips"][0]["perf"].update(bf16_pflops=1e-9), "workloads[0].demand", "a coefficient of 4e-10 in C1"),
    (lambda d: d["chips"][0].update(power_kw=1e-9), "providers[0].power_mw", "in C3 provider power"),
    (lambda d: d["workloads"][0]["demand"].update(peak_factor=1e15, series=[1e15, 1e15]), "workloads[0].demand",
     "a limit of 1e+30"),
])
def test_model_numbers_beyond_highs_are_refused_with_the_limit(change, path: str, phrase: str) -> None:
    err = refused(change)
    assert err.path == path, err.message
    assert phrase in err.problem and "outside what HiGHS can use" in err.problem


def test_a_term_longer_than_memory_is_refused_by_the_estimate() -> None:
    err = refused(lambda d: d["offers"][0].update(term_months=10**15))
    assert "the model would need about 1.78 PiB" in err.problem
    assert "a term of 1,000,000,000,000,000 months at offers[0].term_months" in err.problem


@pytest.mark.parametrize(("change", "objective"), [
    (lambda d: d["offers"][0].update(price_per_chip_hour=1e15), 85_138_512.3966942),  # never chosen
    (lambda d: d["offers"][0].update(price_change_per_year=1e15), 85_138_512.3966942),
    (lambda d: d["providers"][0].update(onboarding_cost_usd=1e15), 1e15 + 74_460_000),
])
def test_large_but_usable_numbers_still_solve(change, objective: float) -> None:
    data = copy.deepcopy(TINY)
    change(data)
    solution = optimizer.solve(data)
    assert solution.status == optimizer.Status.OPTIMAL
    assert solution.objective_usd == pytest.approx(objective, rel=1e-9)


def test_cli_exit_2_for_an_unusable_product(runner: CliRunner, write_instance, tmp_path: Path) -> None:
    data = copy.deepcopy(TINY)
    data["offers"][0]["min_chips"] = 1e15
    instance = write_instance(data, "i.json")
    for command in (["solve", str(instance), "--out", str(tmp_path / "out")], ["diagnose", str(instance)]):
        result = runner.invoke(cli.app, command)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(f"error: {instance}: offers[0].min_chips: a coefficient of -1e+15")
    assert not (tmp_path / "out").exists()


def test_a_plan_of_a_fraction_of_a_chip_is_written_whole() -> None:
    # Found by benchmarks/reliability.py (mutation "extreme": perf 1e7). The perf is warned about, but
    # the plan written must still be the plan solved: the checker finds its demand unserved.
    from support.feasibility import check_solution

    data = copy.deepcopy(TINY)
    data["chips"][0]["perf"]["bf16_pflops"] = 1e7
    data["workloads"][0]["demand"] = {"series": [2, 2]}
    solution = optimizer.solve(data)
    assert solution.status == optimizer.Status.OPTIMAL
    assert check_solution(data, json.loads(solution.to_json()), atol_chips=1e-9).violations == []
