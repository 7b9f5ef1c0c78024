"""Spec v2 §10.4, shared supply: new chips (or MW) per calendar year over several offers.

The hand-worked example e14, the independent checker catching a breach, the input errors, the
diagnosis naming ``supply[k]`` with the amount, and in-place re-solves against a rebuild.
"""

from __future__ import annotations

import copy
import json

import pytest
from support.feasibility import check_solution
from support.paths import EXAMPLES
from support.solving import assert_in_place_matches_rebuild, solve_checked

import optimizer
from optimizer import InstanceError, diagnose, load_instance, prepare
from optimizer.input.paths import set_path

E14 = json.loads((EXAMPLES / "e14_shared_supply_by_hand.json").read_text())
H = 8760.0


def variant(**changes) -> dict:
    """e14 with top-level fields replaced."""
    return {**copy.deepcopy(E14), **copy.deepcopy(changes)}


def test_e14_by_hand() -> None:
    # a delivers 6 new chips in 2026 and none in 2027, over its 12- and 24-month offers. The cheapest
    # use of the 6: the 24-month offer ($0.9/h for both years, beating $1/h twice); the other 4 chips of
    # each year come from b at $2/h, 12 months at a time.
    by_hand = 6 * 0.9 * H * 2 + 4 * 2.0 * H + 4 * 2.0 * H
    assert by_hand == pytest.approx(234_768.0)
    solution = solve_checked(E14)
    assert str(solution.status) == "optimal" and not solution.is_mip
    assert solution.objective_usd == pytest.approx(234_768.00000000003, rel=1e-6)
    signed = {(r.offer, r.year): r.chips for r in solution.contracts.itertuples() if r.chips > 1e-9}
    assert signed == pytest.approx({("a-k-24", 2026): 6.0, ("b-k-12", 2026): 4.0, ("b-k-12", 2027): 4.0})


def test_e14_shadow_prices_name_the_supply() -> None:
    solution = optimizer.solve(E14)
    rows = solution.shadow_prices[solution.shadow_prices.limit == "shared supply"]
    # one more chip from a in 2026: a 24-month chip at $0.9/h replaces a b chip in both years
    assert dict(zip(rows.year, rows.shadow_price, strict=True)) == pytest.approx(
        {2026: -(2 * 2.0 - 2 * 0.9) * H, 2027: -(2.0 - 1.0) * H})
    assert set(rows.subject) == {"a k"} and set(rows.price_unit) == {"USD per chip"}


def test_mw_cap_weighs_chips_by_power() -> None:
    # k at 500 kW: 3 MW of new chips from a in 2026 is e14's 6 chips, so the same plan and cost
    data = set_path(variant(supply=[{"provider": "a", "chips": ["k"], "max_new_mw": {"2026": 3, "2027": 0}}]),
                    "chips[k].power_kw", 500)
    solution = solve_checked(data)
    assert solution.objective_usd == pytest.approx(234_768.0, rel=1e-6)
    signed = {(r.offer, r.year): r.chips for r in solution.contracts.itertuples() if r.chips > 1e-9}
    assert signed == pytest.approx({("a-k-24", 2026): 6.0, ("b-k-12", 2026): 4.0, ("b-k-12", 2027): 4.0})


def test_checker_catches_a_breach() -> None:
    solution = json.loads(optimizer.solve(E14).to_json())
    assert check_solution(E14, solution).ok()
    broken = copy.deepcopy(solution)
    for row in broken["contracts"]:
        if row["offer"] == "b-k-12" and row["year"] == 2027:
            row["offer"], row["provider"] = "a-k-12", "a"  # a has no new chips in 2027
    report = check_solution(E14, broken)
    assert [v for v in report.violations if v.startswith("§10.4")] == [
        "§10.4 shared supply supply[0].max_new_chips year 2027: 4 chips signed > 0 chips"]
    mw = variant(supply=[{"provider": "a", "chips": ["k"], "max_new_mw": 5}])
    report = check_solution(mw, solution)
    assert [v for v in report.violations if v.startswith("§10.4")] == [
        "§10.4 shared supply supply[0].max_new_mw year 2026: 6 MW signed > 5 MW"]


@pytest.mark.parametrize(("entry", "path", "message"), [
    ({"chips": ["k"], "max_new_chips": 1, "max_new_mw": 1}, "supply[0]",
     "give exactly one of 'max_new_chips' or 'max_new_mw', not both"),
    ({"chips": ["k"]}, "supply[0]", "give exactly one of 'max_new_chips' or 'max_new_mw'"),
    ({"provider": "c", "chips": ["k"], "max_new_chips": 1}, "supply[0].provider",
     "unknown provider 'c' (known: a, b)"),
    ({"chips": ["k", "q"], "max_new_chips": 1}, "supply[0].chips[1]", "unknown chip or family 'q' (known: k)"),
    ({"chips": ["k"], "max_new_chip": 1}, "supply[0].max_new_chip",
     "unknown field 'max_new_chip'; did you mean 'max_new_chips'?"),
    ({"chips": ["k"], "max_new_mw": -3}, "supply[0].max_new_mw", "must be >= 0, got -3"),
    ({"chips": ["k"], "max_new_chips": {"2027": 3}}, "supply[0].max_new_chips",
     "year map starts in 2027, after the start year 2026; add a value for 2026"),
    ({"chips": [], "max_new_chips": 1}, "supply[0].chips", "needs at least 1 item, got 0"),
    ({"chips": ["k"], "max_new_chips": "x"}, "supply[0].max_new_chips",
     "expected a number or an object of years, got a string"),
])
def test_input_errors(entry: dict, path: str, message: str) -> None:
    data = variant(supply=[entry])
    with pytest.raises(InstanceError) as caught:
        load_instance(data)
    assert str(caught.value) == f"<instance>: {path}: {message}"


def test_diagnosis_names_the_supply_and_the_amount() -> None:
    data = set_path(E14, "providers[1].power_mw", 0)  # b holds nothing: a must deliver all 10 chips in 2026
    (f,) = diagnose(prepare(load_instance(data)))
    assert (f.limit, f.path, f.where, f.year, f.unit) == (
        "shared_supply_chips", "supply[0].max_new_chips", "a k", 2026, "chips")
    assert f.amount == pytest.approx(4.0)
    assert f.message == "supply[0].max_new_chips (a k) in 2026: needs 4 more chips"
    data["supply"] = [{"chips": ["k"], "max_new_mw": {"2026": 6, "2027": 0}}]
    (f,) = diagnose(prepare(load_instance(data)))
    assert (f.path, f.where, f.year, f.unit) == ("supply[0].max_new_mw", "all providers k", 2026, "MW")
    assert f.amount == pytest.approx(4.0)
    assert f.message == "supply[0].max_new_mw (all providers k) in 2026: needs 4.0 more MW"


SCENARIOS = {"first_stage_years": 1, "cases": [
    {"id": "low", "probability": 0.5, "demand_multiplier": {"*": {"2026": 1, "2027": 0.5}}},
    {"id": "high", "probability": 0.5, "demand_multiplier": {"*": {"2026": 1, "2027": 2}}},
]}


@pytest.mark.parametrize(("base", "path", "values"), [
    (E14, "supply[0].max_new_chips.2026", [8, 3, 12, 0]),
    (E14, "supply[0].max_new_chips.2027", [2, 5]),
    (variant(supply=[{"chips": ["k"], "max_new_mw": {"2026": 16, "2027": 6}}], scenarios=SCENARIOS),
     "supply[0].max_new_mw.2027", [1, 20, 0]),
    (variant(supply=[{"chips": ["k"], "max_new_mw": {"2026": 16, "2027": 6}}], scenarios=SCENARIOS),
     "chips[k].power_kw", [500, 2000]),
], ids=["chips-2026", "chips-2027", "mw-scenarios", "mw-chip-power"])
def test_in_place_matches_rebuild(base: dict, path: str, values: list) -> None:
    assert_in_place_matches_rebuild(base, path, values)
