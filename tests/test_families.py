"""The registry of constraint families (optimizer.model.families): one record per kind of row.

The registry must cover every row the model builds; every template must format with its family's
index names; :func:`describe` must give the words the limits table, the IIS and the diagnosis gave
before the registry existed; and a family added in a test (a cap on one offer's active chips)
must show up in the plan's limits, the diagnosis, the IIS and the size estimate, without any
other module knowing about it.
"""

from __future__ import annotations

import copy
import json
import re
import string

import pyomo.environ as pyo
import pytest
from support.paths import DATA, INSTANCES

import optimizer
from optimizer.analysis.iis import iis
from optimizer.model import build_model
from optimizer.model.describe import describe
from optimizer.model.families import REGISTRY, Elastic, Family, Registry, active, registered
from optimizer.model.parts import Context, Part
from optimizer.solve.compile import compile_to_highs
from optimizer.solve.health import estimate_size

TINY = json.loads((INSTANCES / "tiny.json").read_text())


def every_feature() -> dict:
    """tiny.json with quarters, two scenarios and every optional limit, so that every family has rows."""
    data = copy.deepcopy(TINY)
    data["horizon"]["periods_per_year"] = 4
    data["workloads"][0]["demand"] = {"base": 1000}
    data["offers"][0].update(max_new_chips_per_year={"2026": 100, "2027": 2000}, block_chips=8)
    data["offers"][1]["min_chips"] = 10
    data["providers"][0]["onboarding_cost_usd"] = 5
    data["providers"].append({"id": "gcp", "power_mw": 3})
    data["offers"].append({"id": "gcp-12m", "provider": "gcp", "chip": "gb200", "term_months": 12,
                           "price_per_chip_hour": 4.5})
    data.update(
        budget={"total_usd": 1e12, "per_year_usd": 1e11}, global_power_mw=100, providers_used={"min": 1, "max": 2},
        capacity_commitments=[{"provider": "aws", "chips": ["blackwell"], "years": [2026, 2027], "min_mw": 1}],
        spend_commitments=[{"provider": "aws", "years": [2026, 2027], "amount_usd": 1e6}],
        diversification={"max_share": 0.9, "metric": "bf16_pflops"},
        supply=[{"provider": "aws", "chips": ["blackwell"], "max_new_chips": 5000},
                {"chips": ["gb200"], "max_new_mw": {"2026": 50, "2027": 80}}],
        scenarios={"first_stage_years": 1, "cases": [{"id": "lo", "probability": 0.5},
                                                     {"id": "hi", "probability": 0.5}]})
    data["risk"] = {"cvar_alpha": 0.5, "weight": 0.3}  # §10.7: risk_excess rows
    data["workloads"][0]["max_providers"] = 1  # §10.5: placement rows
    return data


CASES = {"every_feature": every_feature(),
         **{p.name: json.loads(p.read_text()) for p in sorted([*INSTANCES.glob("*.json"), *DATA.glob("*.json")])}}


def prepared(data: dict) -> optimizer.Prepared:
    return optimizer.prepare(optimizer.load_instance(data))


def row_names(data: dict) -> set[str]:
    """The names of the rows of the compiled model and of the Pyomo model's constraints."""
    prep = prepared(data)
    built = build_model(prep)
    names = {c.local_name for c in built.model.component_objects(pyo.Constraint, descend_into=False) if len(c)}
    _, compiled = compile_to_highs(built)
    return names | {row[0] for row in compiled.rows}


def test_the_registry_covers_every_row_family_of_the_model() -> None:
    seen: set[str] = set()
    for name, data in CASES.items():
        names = row_names(data)
        assert names <= set(REGISTRY), (name, names - set(REGISTRY))
        seen |= names
    assert seen == set(REGISTRY), set(REGISTRY) - seen  # and each family is built by some instance


def test_the_registry_is_in_the_spec_order_and_looks_up_names_and_aliases() -> None:
    specs = [f.spec for f in REGISTRY.families if f.spec.startswith("C")]
    assert specs == sorted(specs, key=lambda s: int(s[1:]))
    assert REGISTRY["providers_min"] is REGISTRY["providers_used_min"]
    assert "providers_min" in REGISTRY and list(REGISTRY)[:2] == ["active_chips", "demand"]
    with pytest.raises(ValueError, match="two families"):
        REGISTRY.adding(REGISTRY["demand"])


@pytest.mark.parametrize("family", REGISTRY.families, ids=lambda f: f.name)
def test_every_template_formats_with_the_index_names(family: Family) -> None:
    letters = set(family.index) | ({"p"} if "o" in family.index else set())
    fields = {field for _, field, _, _ in string.Formatter().parse(family.path) if field}
    assert fields <= letters, (family.path, fields - letters)
    assert "{" not in family.path.format(**dict.fromkeys(letters, 3))
    assert family.sense in ("<=", ">=", "==") and family.title and family.label
    assert family.limit == (family.elastic is not None or family.name == "spend_commitment")


@pytest.mark.parametrize("name", CASES)
def test_every_row_is_described_with_a_json_path(name: str) -> None:
    prep = prepared(CASES[name])
    _, compiled = compile_to_highs(build_model(prep))
    for family, index, _ in {(row[0], tuple(row[1]), 0) for row in compiled.rows}:
        d = describe(prep, family, index)
        assert re.fullmatch(r"[a-z_]+(\[\d+\])?(\.[a-z_]+)*", d.path), (family, index, d.path)
        assert "{" not in d.where + d.subject + d.place


BEFORE = [  # (instance, family, index): what the IIS and the table of limits said before the registry
    ("every_feature", "demand", (0, 5, 1), "workloads[0].demand", "training", "training", "training 2027 P2",
     5, 2027, "hi", "bf16_pflops"),
    ("every_feature", "global_power", (0, 0, 0), "global_power_mw", "all providers", "all providers", "2026 P1",
     0, 2026, "lo", "MW"),
    ("every_feature", "supply", (0, 1, 1), "offers[0].max_new_chips_per_year", "aws-gb200-12m", "aws-gb200-12m",
     "aws-gb200-12m 2027", None, 2027, "hi", "chips"),
    ("every_feature", "budget_year", (0, 0), "budget.per_year_usd", "", "per year", "2026", None, 2026, "lo", "USD"),
    ("every_feature", "budget_total", (0,), "budget.total_usd", "", "total", "whole horizon", None, None, "lo",
     "USD"),
    ("every_feature", "capacity_commitment", (0, 0, 0), "capacity_commitments[0].min_mw", "aws blackwell",
     "capacity_commitments[0] aws blackwell", "capacity_commitments[0] aws blackwell 2026 P1", 0, 2026, "lo", "MW"),
    ("every_feature", "provider_used_link", (0, 5, 1), "providers[0]", "aws", "aws", "aws 2027 P2", 5, 2027, "hi",
     "chips"),
    ("every_feature", "min_contract_upper", (1, 0, 0), "offers[1].min_chips", "aws-gb200-24m", "aws-gb200-24m",
     "aws-gb200-24m 2026 P1", 0, 2026, None, "chips"),
    ("every_feature", "providers_used_min", (), "providers_used.min", "", "providers", "", None, None, None,
     "providers"),
    ("2026.json", "spend_commitment", (2, 0), "spend_commitments[2].amount_usd", "oracle",
     "spend_commitments[2] oracle", "oracle 2027–2031", None, None, "base", "USD"),  # 2026.json has scenarios
    ("2026.json", "diversification", (1, 5, 0), "diversification.max_share", "azure", "azure", "azure 2027 P2", 5,
     2027, "base", "share"),
]


@pytest.mark.parametrize(("case", "family", "index", "path", "where", "subject", "place", "period", "year",
                          "scenario", "unit"), BEFORE, ids=[f"{c}:{f}" for c, f, *_ in BEFORE])
def test_describe_gives_the_words_of_before(case, family, index, path, where, subject, place, period, year,
                                            scenario, unit) -> None:
    d = describe(prepared(CASES[case]), family, index)
    assert (d.path, d.where, d.subject, d.place, d.period, d.year, d.scenario, d.unit) == (
        path, where, subject, place, period, year, scenario, unit)


# A toy family, written as a new family would be: its builder, and its record. Nothing else changes.

CAP = 800.0  # most chips of offers[o] active at once


def add_offer_cap(m: pyo.ConcreteModel, prep: optimizer.Prepared, lay, ctx: Context) -> Part:
    """``a[o, t] ≤ CAP`` for the offer named ``aws-gb200-24m`` (chips)."""
    part = ctx.part()
    o = prep.offer_ids.index("aws-gb200-24m")
    index = [(o, t, s) for t in lay.active_by_offer[o] for s in range(prep.n_scenarios)]

    def rule(_, o, t, s):
        body = m.a[o, t, s] - part.slack(m, "offer_cap", (o, t, s), CAP)
        return part.row("offer_cap", (o, t, s), body, hi=CAP)

    m.offer_cap = pyo.Constraint(index, rule=rule)
    return part


TOY = Family("T1", "offer_cap", "offer cap", "chips", "<=", ("o", "t", "s"), "offers[{o}]", (), add_offer_cap,
             elastic=Elastic("chips", "needs {amount:,.0f} chips more"), limit=True,
             size=lambda n: (n.T * n.S, n.T * n.S))


def test_a_toy_family_binds_and_is_priced() -> None:
    plain = optimizer.solve(TINY)
    with registered(TOY) as registry:
        assert isinstance(registry, Registry) and active()["offer_cap"] is TOY
        capped = optimizer.solve(TINY)
        d = describe(prepared(TINY), "offer_cap", (1, 0, 0))
    assert "offer_cap" not in active()
    assert capped.objective_usd > plain.objective_usd
    rows = capped.binding[capped.binding.limit == "offer cap"]
    assert list(rows.subject) == ["aws-gb200-24m"] * 2
    assert list(rows["where"]) == ["aws-gb200-24m 2026", "aws-gb200-24m 2027"]
    assert set(rows.unit) == {"chips"} and set(rows.price_unit) == {"USD per chips"}
    assert rows.shadow_price.sum() < 0  # one more chip of the cheaper offer saves money
    assert (d.path, d.where, d.year) == ("offers[1]", "aws-gb200-24m", 2026)


def test_a_toy_family_is_diagnosed_and_in_the_iis() -> None:
    data = copy.deepcopy(TINY)
    del data["offers"][0]  # only the capped offer is left: 1,000 and 1,500 chips needed, 800 allowed
    with registered(TOY):
        solution = optimizer.solve(data)
        found = iis(prepared(data))
    assert solution.status == optimizer.Status.INFEASIBLE
    assert [f["message"] for f in solution.diagnosis] == [
        "offers[0] (aws-gb200-24m) in 2026: needs 200 chips more",
        "offers[0] (aws-gb200-24m) in 2027: needs 700 chips more",
    ]
    assert {f["limit"] for f in solution.diagnosis} == {"offer_cap"}
    assert "offer_cap" in found.families
    assert any(re.fullmatch(r"T1 offer cap: offers\[0\] \(aws-gb200-24m\) in 202[67]", r.message) for r in found.rows)


def test_a_toy_family_through_a_registry_passed_to_build_model() -> None:
    registry = REGISTRY.adding(TOY, after="capacity")
    prep = prepared(TINY)
    built = build_model(prep, registry=registry)
    _, compiled = compile_to_highs(built)
    assert len(compiled.rows.of("offer_cap")[1]) == 2
    assert registry.families.index(TOY) == registry.families.index(REGISTRY["capacity"]) + 1
    plain = estimate_size(optimizer.load_instance(TINY))
    with registered(TOY):
        more = estimate_size(optimizer.load_instance(TINY))
    assert more.rows == plain.rows + 2
