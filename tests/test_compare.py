"""`procure compare`: the NPV difference split by provider, chip and year adds up; LP, MILP, scenarios, infeasible."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from support.instances import INFEASIBLE, H, instance, shipped
from support.pages import check_page
from support.paths import INSTANCES
from support.solving import solved
from typer.testing import CliRunner

import cli
from optimizer.report.compare import compare
from optimizer.units import signed_usd


def no_azure_commitment() -> tuple[dict, dict]:
    """two_clouds (an LP) and the same without its $9B take-or-pay at Azure."""
    base = shipped("two_clouds.json")
    variant = copy.deepcopy(base)
    variant["spend_commitments"] = []
    return base, variant


def more_google_power() -> tuple[dict, dict]:
    """racks_mip (a MILP: racks, minimum contracts, onboarding fees) with 20 MW at Google instead of 4."""
    base = shipped("racks_mip.json")
    variant = copy.deepcopy(base)
    next(p for p in variant["providers"] if p["id"] == "google")["power_mw"] = 20
    return base, variant


def likelier_boom() -> tuple[dict, dict]:
    """scenarios.json with the boom twice as likely (taken from base)."""
    base = shipped("scenarios.json")
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


def test_plans_of_different_instances_compare(tmp_path: Path) -> None:
    # tiny has one cloud, two_clouds two: a provider absent from a plan has no line in its panel
    a, b = solved(tmp_path / "a", INSTANCES / "tiny.json"), solved(tmp_path / "b", INSTANCES / "two_clouds.json")
    c = compare(tmp_path / "a", tmp_path / "b")
    written = c.write(tmp_path / "out")
    assert c.npv_difference("b") == pytest.approx(b.objective_usd - a.objective_usd)
    assert {p.name for p in written} >= {"compare.md", "compare.html"}


def test_compare_with_an_infeasible_plan(runner: CliRunner, tmp_path: Path) -> None:
    feasible = copy.deepcopy(INFEASIBLE)
    feasible["providers"][1]["power_mw"] = 10
    solved(tmp_path / "ok", feasible)
    solved(tmp_path / "short", INFEASIBLE)
    result = runner.invoke(cli.app, ["compare", str(tmp_path / "ok"), str(tmp_path / "short"), "--out",
                                     str(tmp_path / "cmp")])
    assert result.exit_code == 0, result.output
    assert "short vs ok: no NPV difference to explain: short has no plan" in " ".join(result.stdout.split())
    # No chart without two plans: the line names what was written, each count agreeing with its noun.
    assert result.stdout.rstrip().endswith(f"wrote compare.md, compare.html and 4 CSV tables to {tmp_path / 'cmp'}")
    page = check_page(tmp_path / "cmp", "compare")
    assert "short has no plan" in page and "needs 0.5 MW more" in page
    assert "No attribution: short has no plan." in page
    c = compare(tmp_path / "ok", tmp_path / "short")
    assert c.npv_difference("short") is None and c.attribution.empty


def test_three_plans_each_against_the_baseline(runner: CliRunner, tmp_path: Path) -> None:
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
    for name in c.names[1:]:  # each variant's headline on the terminal, against the baseline
        assert f"{name} vs base: NPV {signed_usd(c.npv_difference(name))} (" in result.stdout
    assert c.names == ["base", "no-commitment", "cheaper"]
    assert list(c.kpis.columns[-2:]) == ["Δ no-commitment", "Δ cheaper"]
    for name in c.names[1:]:
        assert c.attribution_by(name, "year").sum() == pytest.approx(c.npv_difference(name), rel=1e-9)
    page = (tmp_path / "cmp" / "compare.html").read_text()
    assert "Where the NPV difference comes from: cheaper" in page


def test_compare_usage_errors_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    solved(tmp_path / "a", INSTANCES / "tiny.json")
    one = runner.invoke(cli.app, ["compare", str(tmp_path / "a"), "--out", str(tmp_path / "cmp")])
    assert one.exit_code == 2 and "at least two" in one.output
    missing = runner.invoke(cli.app, ["compare", str(tmp_path / "a"), str(tmp_path / "nope"), "--out",
                                      str(tmp_path / "cmp")])
    assert missing.exit_code == 2 and "no such folder" in missing.output
    assert not (tmp_path / "cmp").exists()


def tiny_variants(tmp_path: Path) -> tuple[Path, Path]:
    """tiny.json solved as is (``a``) and with 2,000 PFLOPS of demand in 2027 instead of 1,500 (``b``)."""
    variant = shipped("tiny.json")
    variant["workloads"][0]["demand"]["series"] = [1000, 2000]
    solved(tmp_path / "a", INSTANCES / "tiny.json")
    solved(tmp_path / "b", variant)
    return tmp_path / "a", tmp_path / "b"


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_compare_without_out_prints_the_headline_and_writes_nothing(runner: CliRunner, tmp_path: Path,
                                                                     monkeypatch) -> None:
    a, b = tiny_variants(tmp_path / "plans")
    before = files_under(tmp_path)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    result = runner.invoke(cli.app, ["compare", str(a), str(b)])
    assert result.exit_code == 0, result.output
    assert files_under(tmp_path) == before and not list(cwd.iterdir())
    objective = {p.name: json.loads((p / "solution.json").read_text())["objective_usd"] for p in (a, b)}
    diff = objective["b"] - objective["a"]  # 500 more chips on the 12-month offer in 2027: 500 × $31,854.55
    assert diff == pytest.approx(500 * 35_040 / 1.1)
    text = " ".join(result.stdout.split())
    assert f"b vs a: NPV +$15.9M ({diff:+,.0f} USD, {100 * diff / objective['a']:+.1f}%)" in text
    assert "b vs a: NPV +$15.9M (+15,927,273 USD, +21.4%)" in text
    lines = [" ".join(line.replace("│", " ").split()) for line in result.stdout.splitlines()]
    assert "a optimal $74.5M baseline 3.0" in lines  # plan, status, NPV, Δ NPV, peak MW
    assert "b optimal $90.4M +$15.9M +21.4% 4.0" in lines
    for by, key in (("provider", "aws"), ("chip", "gb200"), ("year", "2027")):
        assert f"{by} {key} +$15.9M 100.0%" in lines, by
    assert "Contracts that changed: 1 (1 more). Limits whose binding or shadow price changed: none." in text
    assert "wrote" not in text


def test_compare_with_out_prints_the_headline_and_writes_the_page(runner: CliRunner, tmp_path: Path) -> None:
    a, b = tiny_variants(tmp_path)
    out = tmp_path / "cmp"
    result = runner.invoke(cli.app, ["compare", str(a), str(b), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "b vs a: NPV +$15.9M" in result.stdout
    charts = sorted(p.name for p in out.glob("compare-*.svg"))
    assert len(charts) == 4  # MW, spend, MW per provider, attribution by provider
    assert {"compare.md", "compare.html", "compare_kpis.csv", "compare_attribution.csv", "compare_contracts.csv",
            "compare_limits.csv"} <= {p.name for p in out.iterdir()}
    assert result.stdout.rstrip().endswith(f"wrote compare.md, compare.html, 4 charts and 4 CSV tables to {out}")


def test_compare_refuses_what_is_not_a_solved_plan(runner: CliRunner, tmp_path: Path, monkeypatch) -> None:
    solved(tmp_path / "a", INSTANCES / "tiny.json")
    instance_file = tmp_path / "variant.json"
    instance_file.write_text((INSTANCES / "tiny.json").read_text())
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    hint = "run `procure solve INSTANCE --out DIR` first, then compare DIR"
    cases = {
        "variant.json": "error: variant.json is an instance file, not a solved plan: run `procure solve "
                        "variant.json --out DIR` first, then compare DIR",
        "empty": f"error: empty: no solution.json, so not a folder written by `procure solve --out`; {hint}",
        "nope": f"error: nope: no such folder; {hint}",
    }
    before = files_under(tmp_path)
    for path, message in cases.items():
        for out in ([], ["--out", "cmp"]):
            result = runner.invoke(cli.app, ["compare", "a", path, *out])
            assert result.exit_code == 2, (path, result.output)
            assert result.stderr.strip() == message and result.stdout == ""
            assert files_under(tmp_path) == before and not (tmp_path / "cmp").exists()
