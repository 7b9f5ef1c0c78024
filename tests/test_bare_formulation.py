"""The independent formulation of ``benchmarks/bare_covering.py`` (issue 13's physical limit) is right:
on every spec example it can express, all three ways of writing active chips reach the reference
objective and procure's own."""

from __future__ import annotations

import json
import math
import sys

import hypothesis
import pytest
from support.instance_strategies import instances
from support.paths import EXAMPLES, EXPECTED, ROOT

import optimizer

sys.path.insert(0, str(ROOT / "benchmarks"))
import bare_covering

VARIANTS = bare_covering.VARIANTS


def lp_cases() -> list[str]:
    """The feasible examples without integer features (the formulation's scope)."""
    cases = []
    for case in sorted(EXPECTED):
        if EXPECTED[case]["objective_usd"] is None:
            continue
        try:
            bare_covering.check_scope(json.loads((EXAMPLES / f"{case}.json").read_text()))
        except bare_covering.UnsupportedError:
            continue
        cases.append(case)
    return cases


def test_most_examples_are_in_scope() -> None:
    assert len(lp_cases()) >= 20


@pytest.mark.parametrize("case", lp_cases())
def test_every_variant_reaches_the_reference_and_procure(case: str, examples_dir) -> None:
    path = examples_dir / f"{case}.json"
    data = json.loads(path.read_text())
    ours = optimizer.solve(path).objective_usd
    for variant in VARIANTS:
        got = bare_covering.solve(data, variant)
        assert got["status"] == "Optimal", variant
        assert math.isclose(got["objective_usd"], EXPECTED[case]["objective_usd"], rel_tol=1e-7), variant
        assert math.isclose(got["objective_usd"], ours, rel_tol=1e-7), variant


def test_integer_features_are_refused_not_ignored() -> None:
    data = {"providers": [{"id": "p", "power_mw": 1, "onboarding_cost_usd": 5}],
            "offers": [{"id": "o", "block_chips": 8}], "workloads": [{"max_providers": 1}]}
    with pytest.raises(bare_covering.UnsupportedError, match=r"offers\[0\]\.block_chips, providers\[0\]\."
                                                          r"onboarding_cost_usd, workloads\[0\]\.max_providers"):
        bare_covering.check_scope(data)


def test_the_covering_rows_have_no_chain_and_the_recursion_has_at_most_four_terms(examples_dir) -> None:
    data = json.loads((examples_dir / "c23_terms_nondividing.json").read_text())
    covering, _ = bare_covering.build(data, "covering")
    recursion, _ = bare_covering.build(data, "recursion")
    substituted, _ = bare_covering.build(data, "substituted")
    assert len(covering.cost) == len(recursion.cost) > len(substituted.cost)
    assert len(covering.rows_lo) == len(recursion.rows_lo) > len(substituted.rows_lo)


def without_integer_features(data: dict) -> dict:
    """``data`` without whole blocks, minimum contracts, onboarding fees, ``providers_used`` and
    ``max_providers``: the LP the bare formulation can express."""
    out = {**data, "offers": [{k: v for k, v in o.items() if k not in ("block_chips", "min_chips")}
                              for o in data["offers"]],
           "providers": [{k: v for k, v in p.items() if k != "onboarding_cost_usd"} for p in data["providers"]],
           "workloads": [{k: v for k, v in w.items() if k != "max_providers"} for w in data["workloads"]]}
    out.pop("providers_used", None)
    bare_covering.check_scope(out)
    return out


@pytest.mark.slow  # about 15 s: 100 random instances, each solved by procure and by the bare formulation
@hypothesis.given(instances())
@hypothesis.settings(max_examples=100, deadline=None)
def test_procure_and_the_bare_formulation_agree_on_random_instances(data: dict) -> None:
    """Two implementations of the spec, one optimum: on random instances with every LP feature of
    spec v2 (existing contracts, scoped and ramped commitments, shared supply, pro rata, CVaR), procure
    and the independent formulation reach the same status and objective. Integer features are out of
    the bare formulation's scope."""
    data = without_integer_features(data)
    for feature in ("existing_contracts", "supply", "risk", "scenarios", "spend_commitments", "capacity_commitments"):
        hypothesis.event(f"{feature}: {bool(data.get(feature))}")
    ours = optimizer.solve(data, explain_infeasible=False)
    hypothesis.event(f"status: {ours.status}")
    try:
        got = bare_covering.solve(data, "covering")
    except bare_covering.UnsupportedError:  # a constant row that cannot hold: infeasible before any solve
        assert ours.status == optimizer.Status.INFEASIBLE
        return
    if ours.status == optimizer.Status.OPTIMAL:
        assert got["status"] == "Optimal"
        assert math.isclose(got["objective_usd"], ours.objective_usd, rel_tol=1e-6, abs_tol=1e-3)
    else:
        assert ours.status == optimizer.Status.INFEASIBLE and got["status"] != "Optimal", (ours.status, got)
