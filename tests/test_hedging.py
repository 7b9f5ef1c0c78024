"""EVPI and VSS against hand computations (yearly periods, H = 8,760 h, discount rate 0 unless said).

Instance A (as in test_optima.test_two_stage_scenarios): one chip k, demand 100 in 2026 and, in
2027, 50 (lo) or 150 (hi), p = ½; offers o12 (12 months, $1) and o24 (24 months, $0.9); 2026
contracts are first stage. Per chip, in units of 8,760 USD: o12 costs 1 a year; o24 signed in
2026 costs 1.8 and covers both years; o24 signed in 2027 also costs 1.8 (its second year, past
the horizon, is still paid), so 2027 recourse uses o12. With a chips on o24 in 2026:
- RP: (100 − a) + 1.8a + ½·max(0, 50 − a) + ½·max(0, 150 − a), minimal at a = 50: 190.
- lo alone: (100 − a) + 1.8a + max(0, 50 − a) = 150 − 0.2a for a ≤ 50 → a = 50: 140.
- hi alone: (100 − a) + 1.8a + (150 − a) = 250 − 0.2a for a ≤ 100 → a = 100: 230.
  WS = ½·(140 + 230) = 185, EVPI = 190 − 185 = 5 → 43,800 USD.
- EV: 2027 demand ½·50 + ½·150 = 100: 200 − 0.2a → a = 100, no o12 in 2026: 180.
- EEV with a = 100 fixed: lo 180 (50 chips idle in 2027), hi 180 + 50 = 230 → ½·(180 + 230) = 205.
  VSS = 205 − 190 = 15 → 131,400 USD.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pytest
from support.feasibility import assert_feasible
from support.instances import E13, hedge_instance
from support.paths import INSTANCES
from typer.testing import CliRunner

import cli
import optimizer
from optimizer.analysis.hedging import (
    HedgingError,
    first_stage_chips,
    mean_scenario,
    solve_prepared,
    value_of_hedging,
)
from optimizer.analysis.scenarios import as_prepared

H = 8760.0


def instance_a() -> dict:
    return {
        "name": "hedge-a",
        "horizon": {"start_year": 2026, "years": 2, "periods_per_year": 1},
        "providers": [{"id": "p", "power_mw": 100}],
        "chips": [{"id": "k", "power_kw": 1.0, "perf": {"bf16": 1.0}}],
        "offers": [{"id": "o12", "provider": "p", "chip": "k", "term_months": 12, "price_per_chip_hour": 1.0},
                   {"id": "o24", "provider": "p", "chip": "k", "term_months": 24, "price_per_chip_hour": 0.9}],
        "workloads": [{"id": "w", "metric": "bf16", "demand": {"series": [100, 100]}}],
        "scenarios": {"first_stage_years": 1, "cases": [
            {"id": "lo", "probability": 0.5, "demand_multiplier": {"w": {"2026": 1, "2027": 0.5}}},
            {"id": "hi", "probability": 0.5, "demand_multiplier": {"*": {"2026": 1, "2027": 1.5}}}]},
    }


def test_evpi_and_vss_by_hand() -> None:
    h = value_of_hedging(instance_a())
    assert h.stochastic_usd == pytest.approx(190 * H)
    assert h.wait_and_see_usd == pytest.approx(185 * H)
    assert h.evpi_usd == pytest.approx(5 * H)  # 43,800
    assert h.mean_value_usd == pytest.approx(180 * H)
    assert h.eev_usd == pytest.approx(205 * H)
    assert h.vss_usd == pytest.approx(15 * H)  # 131,400
    table = h.scenarios.set_index("scenario")
    assert table.alone_usd.to_dict() == pytest.approx({"lo": 140 * H, "hi": 230 * H})
    assert table.mean_plan_usd.to_dict() == pytest.approx({"lo": 180 * H, "hi": 230 * H})
    assert table.stochastic_usd.to_dict() == pytest.approx({"lo": 140 * H, "hi": 240 * H})
    assert h.to_dict()["vss_usd"] == pytest.approx(131_400)


def test_mean_value_plan_with_fixed_first_stage_is_feasible() -> None:
    data = instance_a()
    prep = as_prepared(data)
    ev = solve_prepared(mean_scenario(prep))
    fixed = first_stage_chips(ev, mean_scenario(prep))
    assert fixed == pytest.approx({(1, 0): 100})  # 100 chips of o24 in 2026, no o12
    eev = solve_prepared(prep, fixed=fixed)
    assert eev.objective_usd == pytest.approx(205 * H)
    assert_feasible(data, eev.to_dict())


def test_forced_first_stage_has_no_value_of_hedging() -> None:
    # In hedge_instance the 2026 plan is forced (only pk can serve it), so knowing the outcome
    # early or planning for the mean changes nothing: EVPI = VSS = 0, RP = 2,056,336 (see test_scenarios).
    h = value_of_hedging(optimizer.solve(hedge_instance()))  # from a solved plan: its instance and objective
    assert h.stochastic_usd == pytest.approx(2_056_336)
    assert h.evpi_usd == pytest.approx(0, abs=1e-6)
    assert h.vss_usd == pytest.approx(0, abs=1e-6)


def test_vss_is_infinite_when_the_mean_plan_cannot_be_completed() -> None:
    # Instance A with o24 signable in 2026 only and a 2027 budget of 1,200,000 USD. In 2027, per
    # chip, o24 pays 7,884 and o12 8,760, so hi pays 7,884a + 8,760·(150 − a) = 1,314,000 − 876a:
    # the budget needs a ≥ a* = 114,000 / 876 = 130.137. The mean-value plan (a = 100, 2027
    # payments 788,400 in its own scenario) breaks it in hi: VSS is infinite.
    # RP: a = a*, cost 1.8a + ½·(150 − a) = 75 + 1.3a*. hi alone: 1.8a + (150 − a) = 150 + 0.8a*;
    # lo alone 140 as before. EVPI = 75 + 1.3a* − ½·(140 + 150 + 0.8a*) = 0.9a* − 70 (× 8,760).
    data = instance_a()
    data["offers"][1]["available"] = {"until": 2026}
    data["budget"] = {"per_year_usd": {"2026": 1e9, "2027": 1_200_000}}
    a = 114_000 / 876
    h = value_of_hedging(data)
    assert h.stochastic_usd == pytest.approx((75 + 1.3 * a) * H)
    assert h.evpi_usd == pytest.approx((0.9 * a - 70) * H)
    assert h.mean_value_usd == pytest.approx(180 * H)
    assert h.eev_usd is None and math.isinf(h.vss_usd)
    assert h.to_dict()["vss_usd"] is None and "cannot be completed" in h.message
    assert h.scenarios.mean_plan_usd.isna().all()


def test_shipped_scenarios_bounds() -> None:
    h = value_of_hedging(INSTANCES / "scenarios.json")
    assert h.wait_and_see_usd <= h.stochastic_usd * (1 + 1e-9)
    assert h.eev_usd is not None and h.stochastic_usd <= h.eev_usd * (1 + 1e-9)


def test_deterministic_instance_has_zero_values() -> None:
    h = value_of_hedging(INSTANCES / "tiny.json")
    assert (h.evpi_usd, h.vss_usd) == (0.0, 0.0)


def test_infeasible_instance_refused() -> None:
    data = instance_a()
    data["providers"][0]["power_mw"] = 0.01
    with pytest.raises(HedgingError, match="no plan"):
        value_of_hedging(data, optimizer.SolveOptions())


def test_cli_hedge(runner: CliRunner, write_instance, tmp_path: Path) -> None:
    path = write_instance(instance_a(), "a.json")
    out = tmp_path / "out"
    result = runner.invoke(cli.app, ["hedge", str(path), "--out", str(out)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "Sign now" in result.stdout and "EVPI = RP - WS" in result.stdout and "VSS = EEV - RP" in result.stdout
    written = json.loads((out / "hedging.json").read_text())
    assert written["evpi_usd"] == pytest.approx(5 * H) and written["vss_usd"] == pytest.approx(15 * H)
    first = (out / "first_stage.csv").read_text().splitlines()
    assert first[0].startswith("offer,provider,chip,period,year,chips") and len(first) == 3  # o12 and o24 in 2026
    assert json.loads((out / "solution.json").read_text())["objective_usd"] == pytest.approx(190 * H)


def test_cli_hedge_infeasible(runner: CliRunner, write_instance) -> None:
    data = instance_a()
    data["providers"][0]["power_mw"] = 0.01
    path = write_instance(data, "a.json")
    result = runner.invoke(cli.app, ["hedge", str(path)])
    assert result.exit_code == 3 and "procure diagnose" in result.output


def test_the_mean_value_plan_keeps_its_placement() -> None:
    # Spec §10.5: y[w, p] is one for all scenarios, decided now like the first stage. In e13, cloud a ($1)
    # holds 5 chips, b ($2) any number; one provider for w; 2027 demand is 2 or 6 chips (4 on average), and
    # nothing is signed before the outcome is known (first_stage_years 0). The mean-value plan places w
    # at a (4 chips fit); kept in every scenario, a cannot hold the 6 chips of "hi": EEV has no plan.
    # Without max_providers nothing is decided now, and EEV is the two-stage optimum.
    data = {**copy.deepcopy(E13), "name": "placement-hedge",
            "scenarios": {"first_stage_years": 0, "cases": [
                {"id": "lo", "probability": 0.5, "demand_multiplier": {"*": {"2026": 1, "2027": 0.5}}},
                {"id": "hi", "probability": 0.5, "demand_multiplier": {"*": {"2026": 1, "2027": 1.5}}}]}}
    data["workloads"][0]["demand"] = {"series": [4, 4]}
    h = value_of_hedging(data)
    assert h.eev_usd is None and h.vss_usd == math.inf
    assert h.message == "the mean-value first stage cannot be completed in every scenario"
    # RP: every scenario at b, $2 a chip-hour: 4 chips in 2026, then 2 or 6 (discounting by the default rate).
    assert h.stochastic_usd == pytest.approx(optimizer.solve(data, explain_infeasible=False).objective_usd)
    free = copy.deepcopy(data)
    del free["workloads"][0]["max_providers"]
    h = value_of_hedging(free)
    assert h.eev_usd == pytest.approx(h.stochastic_usd, rel=1e-9) and h.vss_usd == pytest.approx(0.0, abs=1e-6)
