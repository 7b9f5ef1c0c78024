"""Spec §10.1 (spend commitments scoped to chips) and §10.2 (ramped capacity commitments).

The hand-worked examples e15 and e16 of the spec, reproduced number by number; the independent
checker catching a plan that breaks either rule; the input errors; the diagnosis and shadow prices
naming the limit; in-place re-solves that change the new numbers, against a full rebuild.
"""

from __future__ import annotations

import copy
import json

import pytest
from support.feasibility import assert_feasible, check_solution
from support.solving import assert_in_place_matches_rebuild, solve_checked

import optimizer
from optimizer import InstanceError, diagnose, load_instance, prepare
from optimizer.input.paths import set_path
from optimizer.solve.resolve import Resolver

H = 8760.0
K_YEAR = 1.0 * H  # USD per k chip-year (price 1 USD per chip-hour)
G_YEAR = 1.5 * H  # USD per g chip-year: 13,140

#: Two chips of 1 MW each at one provider, 10 chips needed in 2026 and 2027; k is cheaper than g.
BASE: dict = {
    "name": "by_hand", "horizon": {"start_year": 2026, "years": 2},
    "providers": [{"id": "a", "power_mw": 100}],
    "chips": [{"id": "k", "power_kw": 1000, "perf": {"pf": 1}},
              {"id": "g", "family": "gfam", "power_kw": 1000, "perf": {"pf": 1}}],
    "offers": [{"id": "a-k-12", "provider": "a", "chip": "k", "term_months": 12, "price_per_chip_hour": 1},
               {"id": "a-g-12", "provider": "a", "chip": "g", "term_months": 12, "price_per_chip_hour": 1.5}],
    "workloads": [{"id": "w", "metric": "pf", "demand": {"series": [10, 10]}}],
}


def e15(**commitment) -> dict:
    """The spec's e15: a $50,000 commitment in 2026 that only chip g fulfils."""
    return {**copy.deepcopy(BASE), "name": "e15_spend_chips_by_hand", "spend_commitments": [
        {"provider": "a", "years": [2026, 2026], "amount_usd": 50_000, "chips": ["g"], **commitment}]}


def e16(min_mw=None) -> dict:
    """The spec's e16: at least 2 MW of g in 2026 and 5 MW in 2027."""
    return {**copy.deepcopy(BASE), "name": "e16_ramped_capacity_by_hand", "capacity_commitments": [
        {"provider": "a", "chips": ["g"], "years": [2026, 2027],
         "min_mw": {"2026": 2, "2027": 5} if min_mw is None else min_mw}]}


def chips_signed(solution: optimizer.Solution) -> dict[tuple[str, int], float]:
    return {(r.chip, int(r.year)): float(r.chips) for r in solution.contracts.itertuples()}


# --- 10.1 ---------------------------------------------------------------------------------------


def test_e15_by_hand() -> None:
    # g is 4,380 USD a chip-year dearer than k, but each g chip-year pays 13,140 USD of the $50,000
    # that would otherwise be paid as a shortfall: buy g up to the commitment, 50,000 / 13,140 chips.
    solution = solve_checked(e15())
    g = 50_000 / G_YEAR
    assert g == pytest.approx(3.805175, abs=1e-6)
    want = g * G_YEAR + (10 - g) * K_YEAR + 10 * K_YEAR  # 50,000 + 54,266.67 + 87,600
    assert want == pytest.approx(191_866.666667, abs=1e-5)
    assert solution.objective_usd == pytest.approx(191_866.66666666666, rel=1e-6)
    signed = chips_signed(solution)
    assert signed[("g", 2026)] == pytest.approx(g, rel=1e-6)
    assert signed[("k", 2026)] == pytest.approx(10 - g, rel=1e-6)
    assert signed[("k", 2027)] == pytest.approx(10, rel=1e-6)
    assert ("g", 2027) not in signed or signed[("g", 2027)] == pytest.approx(0, abs=1e-6)
    assert solution.shortfalls.usd.sum() == pytest.approx(0, abs=1e-3)
    # One more USD of commitment costs 1/13,140 g chip instead of k: 4,380 / 13,140 = 1/3 USD.
    row = solution.binding[solution.binding.limit == "spend commitment"].iloc[0]
    assert row.subject == "spend_commitments[0] a g"
    assert row.shadow_price == pytest.approx(1 / 3, rel=1e-6)
    commitment = solution.kpis.commitments.query("kind == 'spend'").iloc[0]
    assert (commitment.chips, commitment.achieved) == ("g", pytest.approx(50_000, rel=1e-6))


def test_without_chips_every_chip_counts() -> None:
    data = e15()
    del data["spend_commitments"][0]["chips"]  # v1: 10 k chips pay 87,600 USD in 2026, more than enough
    solution = solve_checked(data)
    assert solution.objective_usd == pytest.approx(20 * K_YEAR, rel=1e-9)
    assert set(chips_signed(solution)) == {("k", 2026), ("k", 2027)}


def test_a_family_names_the_chips_and_an_unmatched_commitment_is_paid_as_a_shortfall() -> None:
    assert solve_checked(e15(chips=["gfam"])).objective_usd == pytest.approx(191_866.66666666666, rel=1e-9)
    # Only k counts and k is bought anyway: 87,600 USD in 2026, no shortfall, v1's optimum.
    assert solve_checked(e15(chips=["k"])).objective_usd == pytest.approx(20 * K_YEAR, rel=1e-9)
    # A 200,000 USD commitment only k meets: 200,000 paid in 2026 (k chips or a shortfall, the same
    # cost), and 10 k chips in 2027.
    solution = solve_checked(e15(chips=["k"], amount_usd=200_000))
    assert solution.objective_usd == pytest.approx(200_000 + 10 * K_YEAR, rel=1e-9)
    commitment = solution.kpis.commitments.query("kind == 'spend'").iloc[0]
    assert commitment.achieved + commitment.shortfall == pytest.approx(200_000, rel=1e-9)


def test_checker_counts_only_the_commitments_chips() -> None:
    data = e15()
    plan = json.loads(solve_checked(data).to_json())
    assert check_solution(data, plan).ok()
    # The same spend on k instead of g: a plan v1 would accept, but it leaves the commitment unmet.
    cheaper = copy.deepcopy(plan)
    for row in cheaper["contracts"]:
        if row["year"] == 2026:
            row["offer"], row["chip"] = "a-k-12", "k"
    report = check_solution(data, cheaper)
    assert any(v.startswith("C7 spend commitment 0 (a)") and "< 50,000" in v.replace("50000", "50,000")
               for v in report.violations), report.violations
    unscoped = copy.deepcopy(data)
    del unscoped["spend_commitments"][0]["chips"]
    assert not any(v.startswith("C7") for v in check_solution(unscoped, cheaper).violations)


# --- 10.2 ---------------------------------------------------------------------------------------


def test_e16_by_hand() -> None:
    # 2 g + 8 k in 2026, 5 g + 5 k in 2027: 96,360 + 109,500 = 205,860 USD.
    solution = solve_checked(e16())
    want = 2 * G_YEAR + 8 * K_YEAR + 5 * G_YEAR + 5 * K_YEAR
    assert want == pytest.approx(205_860)
    assert solution.objective_usd == pytest.approx(205_860.0, rel=1e-6)
    signed = chips_signed(solution)
    assert signed[("g", 2026)] == pytest.approx(2, rel=1e-6) and signed[("g", 2027)] == pytest.approx(5, rel=1e-6)
    assert signed[("k", 2026)] == pytest.approx(8, rel=1e-6) and signed[("k", 2027)] == pytest.approx(5, rel=1e-6)
    # Each MW of the ramp costs one g chip instead of a k chip that year: 4,380 USD per MW.
    rows = solution.binding[solution.binding.limit == "capacity commitment"]
    assert sorted(rows.year.astype(int)) == [2026, 2027]
    assert set(rows.subject) == {"capacity_commitments[0] a g"}
    assert rows.shadow_price.tolist() == pytest.approx([G_YEAR - K_YEAR] * 2, rel=1e-6)
    commitment = solution.kpis.commitments.query("kind == 'capacity'").iloc[0]
    assert (commitment.committed, commitment.achieved) == (pytest.approx(5), pytest.approx(5))


def test_a_plain_number_still_means_every_period_of_the_window() -> None:
    assert solve_checked(e16(5)).objective_usd == pytest.approx(2 * (5 * G_YEAR + 5 * K_YEAR), rel=1e-9)


def test_a_step_before_the_window_holds_into_it() -> None:
    # Window 2027 only; the step of 2026 (3 MW) holds in 2027: 3 g chips in 2027, none needed in 2026.
    data = e16({"2026": 3})
    data["capacity_commitments"][0]["years"] = [2027, 2027]
    solution = solve_checked(data)
    assert solution.objective_usd == pytest.approx(10 * K_YEAR + 3 * G_YEAR + 7 * K_YEAR, rel=1e-9)


def test_checker_reads_the_ramp() -> None:
    data = e16()
    plan = json.loads(solve_checked(data).to_json())
    short = copy.deepcopy(plan)  # 4 g chips in 2027 meet a flat 2 MW but not the ramp's 5 MW
    for row in short["contracts"]:
        if row["year"] == 2027:
            row["chips"] = 4.0 if row["chip"] == "g" else 6.0
    for row in short["allocation"]:
        if row["period"] == 1:
            row["chips"] = 4.0 if row["offer"] == "a-g-12" else 6.0
    short["objective_usd"] = check_solution(data, short).objective_usd
    violations = check_solution(data, short).violations
    assert violations == ["C8 capacity commitment 0 (a ['g']) period 1: 4 MW < 5 MW"], violations
    assert check_solution(e16(2), short).ok()


def test_diagnosis_names_the_ramp_and_its_year() -> None:
    (finding,) = diagnose(prepare(load_instance(e16({"2026": 2, "2027": 150}))))  # a holds at most 100 MW
    assert (finding.limit, finding.path, finding.year, finding.unit) == (
        "capacity_commitment", "capacity_commitments[0].min_mw", 2027, "MW")
    assert finding.amount == pytest.approx(50)
    assert finding.message == ("capacity_commitments[0].min_mw (a g) in 2027: only 100.0 MW of 150.0 MW can be "
                               "held; lower it by 50.0 MW")


# --- input errors ------------------------------------------------------------------------------

ERRORS = [
    (e15(chips=["h100"]), "<instance>: spend_commitments[0].chips[0]: unknown chip or family 'h100' (known: g, "
                          "gfam, k)"),
    (e15(chips=[]), "<instance>: spend_commitments[0].chips: needs at least 1 item, got 0"),
    (e15(chips="g"), "<instance>: spend_commitments[0].chips: expected a list, got a string"),
    (e15(chps=["g"]), "<instance>: spend_commitments[0].chps: unknown field 'chps'; did you mean 'chips'?"),
    (e16({"2027": 5}), "<instance>: capacity_commitments[0].min_mw: year map starts in 2027, after the start "
                       "year 2026; add a value for 2026"),
    (e16({"2026": 2, "2027": -5}), "<instance>: capacity_commitments[0].min_mw: must be >= 0, got -5 for 2027"),
    (e16({"2026": 2, "in 2027": 5}), "<instance>: capacity_commitments[0].min_mw: key 'in 2027' is not a "
                                     "calendar year"),
    (e16({}), "<instance>: capacity_commitments[0].min_mw: a year map needs at least one year"),
    (e16("5"), "<instance>: capacity_commitments[0].min_mw: expected a number or an object of years, got a string"),
    (e16(-1), "<instance>: capacity_commitments[0].min_mw: must be >= 0, got -1"),
]


@pytest.mark.parametrize(("data", "message"), ERRORS, ids=[m.split(": ")[1] + m.split(": ")[2][:12]
                                                            for _, m in ERRORS])
def test_input_errors(data: dict, message: str) -> None:
    with pytest.raises(InstanceError) as error:
        load_instance(data)
    assert str(error.value) == message


def test_input_error_on_the_command_line(runner, write_instance) -> None:
    from cli import app

    path = write_instance(e15(chips=["h100"]))
    result = runner.invoke(app, ["solve", str(path)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "spend_commitments[0].chips[0]: unknown chip or family 'h100'" in lines[0]


# --- in-place re-solves ------------------------------------------------------------------------

RESOLVES = [
    (e16(), "capacity_commitments[0].min_mw.2027", [8, 3, 0.5, 12]),
    (e16(), "capacity_commitments[0].min_mw.2026", [0.5, 7]),
    (e15(), "spend_commitments[0].amount_usd", [80_000, 10_000, 300_000]),
    (e15(), "spend_commitments[0].chips", [["k"], ["k", "g"], ["gfam"]]),
]


@pytest.mark.parametrize(("base", "path", "values"), RESOLVES, ids=[p for _, p, _ in RESOLVES])
def test_in_place_matches_rebuild(base: dict, path: str, values: list) -> None:
    assert_in_place_matches_rebuild(base, path, values)


def test_in_place_ramp_of_a_half_yearly_example(examples_dir) -> None:
    # e07 (c11 with a ramp of gb200 at aws, two periods a year): one step moved, then back.
    base = json.loads((examples_dir / "e07_ramped_capacity_c11.json").read_text())
    resolver = Resolver(duals=False)
    first = resolver.solve(base)
    assert first.objective_usd == pytest.approx(3640803210.904694, rel=1e-6)
    for value in (20, 4):
        data = set_path(base, "capacity_commitments[2].min_mw.2027", value)
        fast = resolver.solve(data)
        assert resolver.in_place, resolver.reason
        assert fast.objective_usd == pytest.approx(optimizer.solve(data).objective_usd, rel=1e-7)
        assert_feasible(data, json.loads(fast.to_json()))
