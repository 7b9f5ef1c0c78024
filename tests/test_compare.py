"""`procure compare`: the NPV difference split by provider, chip and year adds up; LP, MILP, scenarios, infeasible."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from conftest import INSTANCES
from test_cli import INFEASIBLE
from test_optima import H, instance
from test_report import check_page, solved
from typer.testing import CliRunner

import cli
from optimizer.compare import compare

runner = CliRunner()


def load(name: str) -> dict:
    return json.loads((INSTANCES / name).read_text())


def no_azure_commitment() -> tuple[dict, dict]:
    """two_clouds (an LP) and the same without its $9B take-or-pay at Azure."""
    base = load("two_clouds.json")
    variant = copy.deepcopy(base)
    variant["spend_commitments"] = []
    return base, variant


def more_google_power() -> tuple[dict, dict]:
    """racks_mip (a MILP: racks, minimum contracts, onboarding fees) with 20 MW at Google instead of 4."""
    base = load("racks_mip.json")
    variant = copy.deepcopy(base)
    next(p for p in variant["providers"] if p["id"] == "google")["power_mw"] = 20
    return base, variant


def likelier_boom() -> tuple[dict, dict]:
    """scenarios.json with the boom twice as likely (taken from base)."""
    base = load("scenarios.json")
    variant = copy.deepcopy(base)
    cases = {c["id"]: c for c in variant["scenarios"]["cases"]}
    shift = cases["boom"]["probability"]
    cases["boom"]["probability"] += shift
    cases["base"]["probability"] -= shift
    return base, variant


@pytest.mark.parametrize("pair", [no_azure_commitment, more_google_power, likelier_boom], ids=["lp", "milp", "scen"])
def test_attribution_adds_up_to_the_npv_difference(tmp_path: Path, pair) -> None:
    base, variant = pair()
    a = solved(tmp_path / "a", base)
    b = solved(tmp_path / "b", variant)
    c = compare(tmp_path / "a", tmp_path / "b")
    diff = c.npv_difference("b")
    assert diff == pytest.approx(b.objective_usd - a.objective_usd)
    assert abs(diff) > 1e6, "the variant should change the plan"
    tolerance = 1e-9 * max(a.objective_usd, b.objective_usd)
    for by in ("provider", "chip", "year", "part"):
        parts = c.attribution_by("b", by)
        assert parts.sum() == pytest.approx(diff, abs=tolerance), by
    assert c.attribution.delta_usd.sum() == pytest.approx(diff, abs=tolerance)
    # Key figures side by side, with the difference.
    k = c.kpis.set_index(["kpi", "unit"])
    assert k.loc[("NPV", "USD"), "Δ b"] == pytest.approx(diff, abs=tolerance)
    assert not c.contracts.empty and set(c.contracts.change) <= {"added", "removed", "more", "fewer"}
    written = c.write(tmp_path / "cmp")
    assert {"compare.md", "compare.html", "compare_attribution.csv"} <= {p.name for p in written}
    page = check_page(tmp_path / "cmp", "compare")
    assert page.count("<svg") == 4  # MW, spend, MW per provider, attribution by provider


def test_removing_a_take_or_pay_commitment_is_attributed_to_azure_contracts(tmp_path: Path) -> None:
    base, variant = no_azure_commitment()
    solved(tmp_path / "a", base)
    solved(tmp_path / "b", variant)
    c = compare(tmp_path / "a", tmp_path / "b", names=["with", "without"])
    by_provider = c.attribution_by("without", "provider")
    assert by_provider["azure"] < 0 < by_provider["aws"]  # work moves from Azure GB300 to AWS Trainium
    limits = c.limits[c.limits.plan == "without"]
    gone = limits[limits.limit == "spend commitment"]
    assert gone.change.tolist() == ["no longer binding"]


def test_onboarding_fee_appears_in_the_attribution(tmp_path: Path) -> None:
    # From test_optima: q is $1 with a 100,000 USD fee, p is $2. 10 chips go to p (175,200);
    # 20 chips to q (175,200 + 100,000). The difference, 100,000, is q's fee; by provider,
    # p −175,200 and q +275,200; by chip, k nets to 0.
    providers = [{"id": "p", "power_mw": 100}, {"id": "q", "power_mw": 100, "onboarding_cost_usd": 100_000}]
    offers = [{"id": "pk", "term_months": 12, "price_per_chip_hour": 2.0},
              {"id": "qk", "provider": "q", "term_months": 12, "price_per_chip_hour": 1.0}]
    solved(tmp_path / "ten", instance([10], offers, providers=providers))
    solved(tmp_path / "twenty", instance([20], offers, providers=providers))
    c = compare(tmp_path / "ten", tmp_path / "twenty")
    assert c.npv_difference("twenty") == pytest.approx(100_000)
    assert c.attribution_by("twenty", "part").to_dict() == pytest.approx({"contracts": 0, "onboarding": 100_000})
    assert c.attribution_by("twenty", "provider").to_dict() == pytest.approx({"p": -20 * H, "q": 20 * H + 100_000})
    by_chip = c.attribution_by("twenty", "chip")
    assert by_chip["(onboarding fee)"] == pytest.approx(100_000) and by_chip.sum() == pytest.approx(100_000)


def test_same_plan_twice_differs_in_nothing(tmp_path: Path) -> None:
    solved(tmp_path / "a", INSTANCES / "two_clouds.json")
    solved(tmp_path / "b", INSTANCES / "two_clouds.json")
    c = compare(tmp_path / "a", tmp_path / "b")
    assert c.npv_difference("b") == 0
    assert c.attribution.empty and c.contracts.empty and c.limits.empty
    assert (c.kpis["Δ b"].abs() < 1e-9).all()


def test_compare_with_an_infeasible_plan(tmp_path: Path) -> None:
    feasible = copy.deepcopy(INFEASIBLE)
    feasible["providers"][1]["power_mw"] = 10
    solved(tmp_path / "ok", feasible)
    solved(tmp_path / "short", INFEASIBLE)
    result = runner.invoke(cli.app, ["compare", str(tmp_path / "ok"), str(tmp_path / "short"), "--out",
                                     str(tmp_path / "cmp")])
    assert result.exit_code == 0, result.output
    page = check_page(tmp_path / "cmp", "compare")
    assert "short has no plan" in page and "needs 0.5 MW more" in page
    assert "No attribution: short has no plan." in page
    c = compare(tmp_path / "ok", tmp_path / "short")
    assert c.npv_difference("short") is None and c.attribution.empty


def test_three_plans_each_against_the_baseline(tmp_path: Path) -> None:
    base, variant = no_azure_commitment()
    cheaper = copy.deepcopy(base)
    for offer in cheaper["offers"]:
        offer["price_per_chip_hour"] *= 0.9
    for name, data in (("base", base), ("no-commitment", variant), ("cheaper", cheaper)):
        solved(tmp_path / name, data)
    result = runner.invoke(cli.app, ["compare", *(str(tmp_path / n) for n in ("base", "no-commitment", "cheaper")),
                                     "--out", str(tmp_path / "cmp")])
    assert result.exit_code == 0, result.output
    c = compare(*(tmp_path / n for n in ("base", "no-commitment", "cheaper")))
    assert c.names == ["base", "no-commitment", "cheaper"]
    assert list(c.kpis.columns[-2:]) == ["Δ no-commitment", "Δ cheaper"]
    for name in c.names[1:]:
        assert c.attribution_by(name, "year").sum() == pytest.approx(c.npv_difference(name), rel=1e-9)
    page = (tmp_path / "cmp" / "compare.html").read_text()
    assert "Where the NPV difference comes from: cheaper" in page


def test_compare_usage_errors_exit_2(tmp_path: Path) -> None:
    solved(tmp_path / "a", INSTANCES / "tiny.json")
    one = runner.invoke(cli.app, ["compare", str(tmp_path / "a"), "--out", str(tmp_path / "cmp")])
    assert one.exit_code == 2 and "at least two" in one.output
    missing = runner.invoke(cli.app, ["compare", str(tmp_path / "a"), str(tmp_path / "nope"), "--out",
                                      str(tmp_path / "cmp")])
    assert missing.exit_code == 2 and "no such folder" in missing.output
    assert not (tmp_path / "cmp").exists()
