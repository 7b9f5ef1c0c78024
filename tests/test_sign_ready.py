"""Sign-ready numbers: sorted contracts, whole chips, noise-free CSVs, one peak power, human units."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

import optimizer
from optimizer.results.figures import peak_power_mw
from optimizer.sweep.worker import run_kpis
from optimizer.terminal.summary import summary
from optimizer.units import key_figure, number, per_unit, plural, signed_usd, usd


@pytest.fixture(scope="module")
def plan_2026(shipped_plan) -> optimizer.Solution:
    return shipped_plan("2026.json")


def test_contracts_are_sorted_by_period_provider_chip(plan_2026: optimizer.Solution) -> None:
    c = plan_2026.contracts
    keys = list(zip(c.period, c.provider, c.chip, c.offer, strict=True))
    assert keys == sorted(keys)
    assert c.year.iloc[0] == 2026


def test_whole_chips_are_the_lp_value_rounded(plan_2026: optimizer.Solution) -> None:
    c = plan_2026.contracts
    assert c.chips_whole.dtype == "int64"
    assert ((c.chips_whole - c.chips).abs() <= 0.5).all()
    assert (c.chips != c.chips.round()).any()  # the LP's values are kept as they are, beside the whole ones
    assert json.loads(plan_2026.to_json())["contracts"][0].keys() == {"offer", "provider", "chip", "period", "year",
                                                                    "chips", "scenario"}  # spec §7, unchanged


def test_csv_files_hold_no_float_noise(plan_2026: optimizer.Solution, tmp_path: Path) -> None:
    plan_2026.write(tmp_path)
    text = (tmp_path / "contracts.csv").read_text()
    header, first = text.splitlines()[:2]
    assert header == ("offer,provider,chip,period,year,chips,chips_whole,scenario,term_periods,price_per_chip_hour,"
                      "npv_usd")
    assert first.startswith("aws-gb300-36m,aws,gb300,0,2026,175031.365244,175031,base,12,3.3,")
    for name in ("contracts.csv", "payments.csv", "active.csv", "kpis.csv", "power_shares.csv"):
        cells = [cell for line in (tmp_path / name).read_text().splitlines()[1:] for cell in line.split(",")]
        digits = [len(cell.lstrip("-").replace(".", "").lstrip("0")) for cell in cells
                  if cell.replace(".", "").replace("-", "").replace("e", "").replace("+", "").isdigit()]
        assert max(digits) <= 12, name
        assert "-0.0" not in cells and "-0" not in cells, name


def test_one_peak_power_everywhere(plan_2026: optimizer.Solution) -> None:
    peak = peak_power_mw(plan_2026.power).iloc[0]
    by_period = plan_2026.power.groupby(["scenario", "period"], dropna=False).mw.sum()  # 2026.json has scenarios
    assert peak == pytest.approx(by_period.max())
    assert plan_2026.kpis.overall()[("peak power held", "MW")] == pytest.approx(peak)
    assert run_kpis(plan_2026, plan_2026.inputs)["peak_mw"] == pytest.approx(peak)
    console = Console(width=200, record=True)
    for part in summary(plan_2026):
        console.print(part)
    rows = [line for line in console.export_text().splitlines() if line.startswith(" all providers")]
    assert rows, "the summary's peak power table has an 'all providers' row"
    assert rows[0].split("│")[-1].strip() == f"{peak:,.0f}"
    # the plan's peak is not the sum of each provider's own peak
    assert peak < plan_2026.power[plan_2026.power.year == 2033].groupby("provider").mw.max().sum()


def test_peak_power_with_scenarios_is_the_worst_case(shipped_plan) -> None:
    sol = shipped_plan("scenarios.json")
    per_scenario = sol.power.groupby(["scenario", "period"]).mw.sum().groupby(level=0).max()
    assert peak_power_mw(sol.power).iloc[0] == pytest.approx(per_scenario.max())
    assert sol.kpis.overall()[("peak power held", "MW")] == pytest.approx(per_scenario.max())
    shares = sol.kpis.power_shares
    expected = shares[shares.scenario == "expected"].set_index(["provider", "year"]).mw_peak
    worst = shares[shares.scenario != "expected"].groupby(["provider", "year"]).mw_peak.max()
    pd.testing.assert_series_equal(expected.sort_index(), worst.sort_index(), check_names=False)


def test_key_figures_print_in_human_units(plan_2026: optimizer.Solution) -> None:
    figures = plan_2026.kpis.overall()
    text = repr(figures)
    assert "e+" not in text
    assert text.splitlines()[0].split() == ["NPV", usd(plan_2026.objective_usd)]
    assert figures.sum() == pytest.approx(float(pd.Series(figures.to_numpy()).sum()))  # still numbers
    assert key_figure(30.515, "%") == "30.5%" and key_figure(13748.62, "MW") == "13,749 MW"
    assert key_figure(14.0, "provider-years") == "14" and key_figure(2962.49, "0–10,000") == "2,962.5"
    assert key_figure(2.5611, "USD per bf16_pflops-hour") == "$2.561 per bf16_pflops-hour"
    assert key_figure(2.5611, "USD per bf16_pflops-hour", with_unit=False) == "$2.561"
    assert key_figure(12.34, "MW", with_unit=False) == "12.3" and key_figure(float("nan"), "USD") == "–"


@pytest.mark.parametrize(("value", "text"), [(536_302_693_969.0, "$536.3B"), (-35_012_345.0, "-$35.0M"),
                                             (12_345.4, "$12,345"), (-0.3, "$0"), (float("nan"), "–"),
                                             (None, "–")])
def test_usd(value: float | None, text: str) -> None:
    assert usd(value) == text


def test_one_minus_sign() -> None:
    assert signed_usd(-1.2e9) == "-$1.2B" and signed_usd(3.5e7) == "+$35.0M" and signed_usd(0.2) == "0"
    assert number(-1234.5, 1) == "-1,234.5" and number(12.0, 0, sign=True) == "+12"
    assert per_unit(-65.43e6, "USD per pp") == "-$65.43M per pp"
    assert per_unit(0.04, "USD per USD") == "$0.04 per $"
    assert "−" not in usd(-5.0) + number(-5.0) + per_unit(-5.0, "USD per MW")


def test_plural() -> None:
    assert [plural(1, "chart"), plural(3, "chart"), plural(0, "period"), plural(2, "run")] == \
        ["1 chart", "3 charts", "0 periods", "2 runs"]
