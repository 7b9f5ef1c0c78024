"""The IIS (HiGHS's irreducible infeasible subset) next to the elastic diagnosis, on the same instances.

Every limit the elastic diagnosis moves must be among the families of the IIS rows: the IIS names
the rows that conflict, the diagnosis how far one of them must move. Demand that nothing may serve
(the diagnosis's "exclusivity" and "availability") is a demand row with no variable in the IIS.
The instances are those of tests/test_diagnose.py and the spec's infeasible example i01.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

import pytest
from support.instances import INFEASIBLE
from support.paths import INSTANCES
from typer.testing import CliRunner

import cli
import optimizer
from optimizer.analysis.iis import iis


def edited(change: Callable[[dict], None]) -> dict:
    data = copy.deepcopy(INFEASIBLE)
    change(data)
    return data


def _exclusive(d: dict) -> None:
    d["chips"].append({"id": "f", "power_kw": 1.0, "perf": {"fp8": 2.0}})
    d["offers"].append({"id": "gf", "provider": "gcp", "chip": "f", "term_months": 12, "price_per_chip_hour": 1.0})
    d["workloads"] = [{"id": "frontier", "metric": "fp8", "providers": ["aws"], "demand": {"base": 1}}]


def _late(d: dict) -> None:
    for offer in d["offers"]:
        offer["available"] = {"from": 2027}


def _commitment(d: dict) -> None:
    d["workloads"][0]["demand"] = {"base": 100}
    d["capacity_commitments"] = [{"provider": "aws", "chips": ["k"], "years": [2027, 2027], "min_mw": 1.5}]


def _budget(d: dict) -> None:
    d["workloads"][0]["demand"] = {"series": [1000, 1000]}
    d["budget"] = {"per_year_usd": {"2026": 1e9, "2027": 8_000_000}}


def _boom(d: dict) -> None:
    d["workloads"][0]["demand"] = {"series": [1000, 1000]}
    boom = {"id": "boom", "probability": 0.5, "demand_multiplier": {"*": {"2026": 1, "2027": 5}}}
    d["scenarios"] = {"cases": [{"id": "calm", "probability": 0.5}, boom]}


def _three_providers(d: dict) -> None:
    d["providers"][1]["power_mw"] = 10  # power is enough now: only the count fails
    d["providers_used"] = {"min": 3}


RACKS = {
    "name": "racks", "horizon": {"start_year": 2026, "years": 1},
    "providers": [{"id": "aws", "power_mw": 0.12}],
    "chips": [{"id": "k", "power_kw": 1.0, "perf": {"bf16": 1.0}}],
    "offers": [{"id": "a", "provider": "aws", "chip": "k", "term_months": 12, "price_per_chip_hour": 1.0,
                "block_chips": 64}],
    "workloads": [{"id": "w", "metric": "bf16", "demand": {"series": [100]}}],
}

CASES = {
    "power": INFEASIBLE, "exclusivity": edited(_exclusive), "availability": edited(_late),
    "capacity_commitment": edited(_commitment), "budget_per_year": edited(_budget), "scenario": edited(_boom),
    "whole_blocks": RACKS, "providers_used_min": edited(_three_providers),
}
AS_ROW = {"exclusivity": "demand", "availability": "demand"}


def both(data: dict):
    prep = optimizer.prepare(optimizer.load_instance(data))
    return optimizer.diagnose(prep), iis(prep)


@pytest.mark.parametrize("name", CASES)
def test_elastic_limits_are_among_the_iis_families(name: str) -> None:
    findings, found = both(CASES[name])
    assert findings and found.found, found.message
    limits = {AS_ROW.get(f.limit, f.limit) for f in findings}
    assert limits <= found.families, (limits, found.families)
    for f in findings:  # and in the same year, where the limit has one
        if f.year is not None:
            assert f.year in {r.year for r in (*found.rows, *found.bounds)}


def test_spec_example_i01(examples_dir) -> None:
    findings, found = both(json.loads((examples_dir / "i01_demand_above_power.json").read_text()))
    assert {f.limit for f in findings} <= found.families
    assert [r.message for r in found.rows] == [
        "C1 demand: workloads[0].demand (training) in 2029",
        "C2 capacity: chips allocated ≤ chips active: offers[0] (aws-trainium3-12m) in 2029",
        "C2 capacity: chips allocated ≤ chips active: offers[1] (google-tpu-v7-12m) in 2029",
        "C3 provider power: providers[0].power_mw (aws) in 2029",
        "C3 provider power: providers[1].power_mw (google) in 2029",
    ]
    assert not found.relaxed


def test_power_case_in_detail() -> None:
    _, found = both(INFEASIBLE)
    assert [(r.family, r.path, r.year, r.side) for r in found.rows] == [
        ("demand", "workloads[0].demand", 2027, "lower"),
        ("capacity", "offers[0]", 2027, "upper"), ("capacity", "offers[1]", 2027, "upper"),
        ("provider_power", "providers[0].power_mw", 2027, "upper"),
        ("provider_power", "providers[1].power_mw", 2027, "upper"),
    ]
    assert found.message == "5 limits cannot hold together"


def test_scenario_named_and_structural_demand() -> None:
    _, found = both(CASES["scenario"])
    assert {r.scenario for r in found.rows} == {"boom"}
    _, found = both(CASES["exclusivity"])
    assert [r.message for r in found.rows] == ["C1 demand: workloads[0].demand (frontier) in 2026"]


def test_milp_iis_is_of_the_relaxation_and_names_the_bound() -> None:
    _, found = both(RACKS)
    assert found.relaxed
    (bound,) = found.bounds
    assert bound.family == "provider_power"
    assert bound.message == ("whole blocks: offers[0].block_chips (a) in 2026: at most 1 block of 64 chips fit "
                             "providers[0].power_mw (aws)")


def test_no_iis_when_only_integrality_makes_it_infeasible() -> None:
    # 100 chips are needed, a contract is 0 or at least 500 chips, and $2M buys 228 chips for a year:
    # the LP relaxation (v = 0.2, 100 chips) is feasible, the MILP is not.
    data = copy.deepcopy(RACKS)
    data["providers"][0]["power_mw"] = 1
    del data["offers"][0]["block_chips"]
    data["offers"][0]["min_chips"] = 500
    data["budget"] = {"total_usd": 2e6}
    findings, found = both(data)
    assert [f.limit for f in findings] == ["budget_total"]
    assert not found.found and found.relaxed
    assert found.message.startswith("no IIS: its LP relaxation is feasible; integrality alone")


def test_feasible_instance_has_no_iis() -> None:
    prep = optimizer.prepare(optimizer.load_instance(INSTANCES / "tiny.json"))
    found = iis(prep)
    assert not found.found and found.message == "no IIS: the model is feasible"


def test_diagnose_iis_command(runner: CliRunner, write_instance) -> None:
    result = runner.invoke(cli.app, ["diagnose", "--iis", str(write_instance(INFEASIBLE))])
    assert result.exit_code == 3
    out = result.stdout
    assert out.index("needs 0.5 MW more") < out.index("Irreducible infeasible subset (HiGHS): 5 limits")
    assert "  • C3 provider power: providers[1].power_mw (gcp) in 2027" in out
    plain = runner.invoke(cli.app, ["diagnose", str(write_instance(INFEASIBLE))])
    assert "Irreducible" not in plain.stdout
