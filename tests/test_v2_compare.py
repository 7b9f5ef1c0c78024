"""`procure compare` with v2 plans: existing contracts (spec §10.3) apart from new ones, and expected cost and CVaR
(spec §10.7) side by side, in the comparison's table, its page and on the terminal. Every number is computed by hand.

The instances are :func:`support.instances.instance`'s (yearly periods, H = 8760 h, discount rate 0, chip "k" of
1 kW, one chip per unit of demand) with 10,000 units of demand a year for 2026 and 2027, at $1 per chip-hour on a
12-month offer: a chip-year costs 8,760 USD and 1,000 chips held for a year are 1 MW-year.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.instances import O12, H, instance
from support.pages import check_page
from support.solving import solved
from typer.testing import CliRunner

import cli
from optimizer.report.compare import compare

DEMAND = [10_000, 10_000]


def with_existing() -> dict:
    """4,000 chips signed 2025-07 for 12 months (active in 2026, spec §10.3: 6 months left, one yearly period) and
    2,000 signed 2027-04 at $0.50 (active in 2027): new contracts fill 6,000 chips in 2026 and 8,000 in 2027."""
    return instance(DEMAND, [O12], existing_contracts=[
        {"offer": "o12", "chips": 4_000, "start": "2025-07"},
        {"offer": "o12", "chips": 2_000, "start": "2027-04", "price_per_chip_hour": 0.5}])


def with_scenarios(risk: dict | None = None) -> dict:
    """Demand doubles in 2027 in scenario "hi" (probability 0.5 each): C_lo = 20,000 chip-years, C_hi = 30,000."""
    scenarios = {"first_stage_years": 1, "cases": [
        {"id": "lo", "probability": 0.5}, {"id": "hi", "probability": 0.5, "demand_multiplier": {
            "w": {"2026": 1, "2027": 2}}}]}
    return instance(DEMAND, [O12], scenarios=scenarios, **({"risk": risk} if risk else {}))


def rows(result_stdout: str) -> list[str]:
    return [" ".join(line.replace("│", " ").split()) for line in result_stdout.splitlines()]


def test_existing_contracts_apart_from_new_ones(runner: CliRunner, tmp_path: Path) -> None:
    solved(tmp_path / "new", instance(DEMAND, [O12]))
    plan = solved(tmp_path / "existing", with_existing())
    # Existing: 4,000 chip-years at $1 and 2,000 at $0.50; new: 6,000 + 8,000 chip-years at $1.
    assert plan.objective_usd == pytest.approx((4_000 + 1_000 + 14_000) * H)
    c = compare(tmp_path / "new", tmp_path / "existing")
    k = c.kpis.set_index(["kpi", "unit"])
    expected = {("NPV, existing contracts", "USD"): (0.0, 5_000 * H),
                ("NPV, new contracts", "USD"): (20_000 * H, 14_000 * H),
                ("MW-years held, existing contracts", "MW-years"): (0.0, 6.0),
                ("MW-years held, new contracts", "MW-years"): (20.0, 14.0)}
    for key, (a, b) in expected.items():
        assert (k.loc[key, "new"], k.loc[key, "existing"], k.loc[key, "Δ existing"]) == pytest.approx(
            (a, b, b - a)), key
    # The rows come right after NPV, which they do not replace; the other key figures follow.
    assert c.kpis.kpi.tolist()[:5] == ["NPV", *(kpi for kpi, _ in expected)]
    assert k.loc[("NPV", "USD"), "Δ existing"] == pytest.approx(-1_000 * H)
    # The NPV difference: 6,000 fewer new chip-years (-52.56M) for existing ones worth 43.8M, 2026 nets to 0.
    assert c.attribution_by("existing", "part").to_dict() == pytest.approx({"contracts": -6_000 * H,
                                                                            "existing": 5_000 * H})
    assert c.attribution_by("existing", "year").to_dict() == pytest.approx({2026: 0.0, 2027: -1_000 * H})

    result = runner.invoke(cli.app, ["compare", str(tmp_path / "new"), str(tmp_path / "existing"), "--out",
                                     str(tmp_path / "cmp")])
    assert result.exit_code == 0, result.output
    lines = rows(result.stdout)
    assert "Existing contracts apart from new ones" in lines
    for line in ("NPV, existing contracts $0 $43.8M +$43.8M", "NPV, new contracts $175.2M $122.6M -$52.6M",
                 "MW-years held, existing contracts 0 6 +6.0", "MW-years held, new contracts 20 14 -6.0"):
        assert line in lines, line
    assert "Expected cost and CVaR" not in lines  # no plan has scenarios or risk
    page = check_page(tmp_path / "cmp", "compare")
    assert "Existing contracts apart from new ones" in page
    md = (tmp_path / "cmp" / "compare.md").read_text()
    assert "| MW-years held, existing contracts | MW-years | 0 | 6 | +6.0 |" in md
    csv = (tmp_path / "cmp" / "compare_kpis.csv").read_text().splitlines()
    assert '"NPV, existing contracts",USD,0.0,43800000.0,43800000.0' in csv


def test_expected_cost_and_cvar_side_by_side(runner: CliRunner, tmp_path: Path) -> None:
    solved(tmp_path / "neutral", with_scenarios())
    risky = solved(tmp_path / "averse", with_scenarios({"cvar_alpha": 0.25, "weight": 0.5}))
    solved(tmp_path / "flat", instance(DEMAND, [O12]))
    # Costs 175.2M (lo) and 262.8M (hi): expected 219.0M; the worst 75% of probability is hi (0.5) and half of
    # lo (0.25): CVaR 25% = (0.5·262.8M + 0.25·175.2M) / 0.75 = 233.6M; the blend 0.5·219.0M + 0.5·233.6M = 226.3M.
    assert (risky.expected_cost_usd, risky.cvar_usd, risky.objective_usd) == pytest.approx(
        (25_000 * H, 80_000 / 3 * H, (25_000 + 80_000 / 3) / 2 * H))
    c = compare(tmp_path / "neutral", tmp_path / "averse", tmp_path / "flat")
    k = c.kpis.set_index(["kpi", "unit"])
    expected = {  # neutral (no risk, scenarios), averse (risk), flat (no risk, no scenarios: its one cost)
        ("NPV", "USD"): (25_000 * H, (25_000 + 80_000 / 3) / 2 * H, 20_000 * H),
        ("expected cost", "USD"): (25_000 * H, 25_000 * H, 20_000 * H),
        ("CVaR 25% of scenario costs", "USD"): (80_000 / 3 * H, 80_000 / 3 * H, 20_000 * H),
        ("CVaR 90% of scenario costs", "USD"): (30_000 * H, 30_000 * H, 20_000 * H),
        ("CVaR weight in the objective", "%"): (0.0, 50.0, 0.0),
    }
    for key, values in expected.items():
        assert tuple(k.loc[key, ["neutral", "averse", "flat"]]) == pytest.approx(values), key
        assert k.loc[key, "Δ averse"] == pytest.approx(values[1] - values[0]), key
    assert c.kpis.kpi.tolist()[:5] == [kpi for kpi, _ in expected]
    # The NPV is the blend for the averse plan: its difference is the CVaR term, λ·(CVaR − expected) = 7.3M.
    assert c.npv_difference("averse") == pytest.approx(7_300_000)
    assert c.attribution_by("averse", "part").to_dict() == pytest.approx({"CVaR term": 7_300_000})
    assert c.attribution_by("averse", "provider").to_dict() == pytest.approx(
        {"(CVaR term of the objective)": 7_300_000})

    result = runner.invoke(cli.app, ["compare", *(str(tmp_path / n) for n in ("neutral", "averse", "flat")),
                                     "--out", str(tmp_path / "cmp")])
    assert result.exit_code == 0, result.output
    lines = rows(result.stdout)
    assert "Expected cost and CVaR" in lines and "Existing contracts apart from new ones" not in lines
    for line in ("NPV = (1 − λ)·expected cost + λ·CVaR $219.0M $226.3M $175.2M +$7.3M -$43.8M",
                 "expected cost $219.0M $219.0M $175.2M 0 -$43.8M",
                 "CVaR 25% of scenario costs $233.6M $233.6M $175.2M 0 -$58.4M",
                 "CVaR 90% of scenario costs $262.8M $262.8M $175.2M 0 -$87.6M",
                 "CVaR weight in the objective 0.0% 50.0% 0.0% +50.0 0",
                 "provider (CVaR term of the objective) +$7.3M 100.0%"):
        assert line in lines, line
    page = check_page(tmp_path / "cmp", "compare")
    assert "Expected cost and CVaR" in page and "(CVaR term of the objective)" in page
    md = (tmp_path / "cmp" / "compare.md").read_text()
    assert "| CVaR 25% of scenario costs | USD | $233.6M | $233.6M | $175.2M | 0 | -$58.4M |" in md


def test_existing_contracts_in_monthly_periods(examples_dir: Path, tmp_path: Path) -> None:
    """The spec's e01 (c03 with existing contracts, monthly periods, 7% a year) against c03 itself."""
    solved(tmp_path / "c03", examples_dir / "c03_monthly_growth_profile.json")
    plan = solved(tmp_path / "e01", examples_dir / "e01_existing_contracts_c03.json")
    c = compare(tmp_path / "c03", tmp_path / "e01")
    # 1,500 MI355X (2 kW) from 2025-07 on the 12-month offer at $2.675: 6 months left, periods 0-5; 800 from
    # 2027-04 at $2.873 on the 1-month offer: period 15 alone. Paid at the start of each month, H = 730 h.
    npv = (1_500 * 2.675 * 730 * sum(1.07 ** (-t / 12) for t in range(6)) + 800 * 2.873 * 730 * 1.07 ** (-15 / 12))
    assert npv == pytest.approx(17_329_565.31 + 1_541_767.02)
    assert c.key_figure("NPV, existing contracts", "e01") == pytest.approx(npv)
    assert c.key_figure("MW-years held, existing contracts", "e01") == pytest.approx((1_500 * 6 + 800) * 2 / 1000 / 12)
    # New: what the plan signs and holds beside them (c03 has no shortfall or onboarding fee: the two add up).
    assert c.key_figure("NPV, new contracts", "e01") == pytest.approx(plan.contracts.npv_usd.sum())
    assert c.key_figure("NPV, new contracts", "e01") + npv == pytest.approx(plan.objective_usd)
    assert c.key_figure("MW-years held, new contracts", "e01") == pytest.approx(
        plan.power.mw.sum() / 12 - (1_500 * 6 + 800) * 2 / 1000 / 12)
    assert c.key_figure("NPV, existing contracts", "c03") == 0
    assert c.key_figure("NPV, new contracts", "c03") == pytest.approx(c.solutions[0].objective_usd)
