"""Pareto view: NPV against the largest provider share, by hand on a two-provider instance.

p sells chips at $1 and q at $2 (1 kW, 1 PFLOPS each), demand 100 for one year (8,760 h). With
p capped at a share σ ≥ ½ of the MW held, p holds 100σ chips and q the rest:
NPV = (100σ + 2·100·(1 − σ))·8,760 = (200 − 100σ)·8,760; below ½, q would exceed σ: infeasible.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import cli
import optimizer
from optimizer.sweep.pareto import efficient

H = 8760.0


def two_providers() -> dict:
    return {
        "name": "two-providers",
        "horizon": {"start_year": 2026, "years": 1},
        "providers": [{"id": "p", "power_mw": 100}, {"id": "q", "power_mw": 100}],
        "chips": [{"id": "k", "power_kw": 1.0, "perf": {"bf16": 1.0}}],
        "offers": [{"id": "pk", "provider": "p", "chip": "k", "term_months": 12, "price_per_chip_hour": 1.0},
                   {"id": "qk", "provider": "q", "chip": "k", "term_months": 12, "price_per_chip_hour": 2.0}],
        "workloads": [{"id": "w", "metric": "bf16", "demand": {"series": [100]}}],
    }


def test_pareto_by_hand() -> None:
    table = optimizer.pareto(two_providers(), [0.4, 0.5, 0.6, 0.8, 1.0], workers=1)  # adds diversification by MW
    assert table.value.tolist() == [0.4, 0.5, 0.6, 0.8, 1.0]
    assert table.status.tolist() == ["infeasible"] + ["optimal"] * 4
    assert table.objective_usd.iloc[1:].tolist() == pytest.approx([(200 - 100 * s) * H for s in (0.5, 0.6, 0.8, 1.0)])
    assert table.largest_share.iloc[1:].tolist() == pytest.approx([0.5, 0.6, 0.8, 1.0])
    assert table.largest_provider.iloc[1:].tolist() == ["p"] * 4
    assert table.efficient.tolist() == [False, True, True, True, True]


def test_dominated_plans() -> None:
    table = pd.DataFrame({"objective_usd": [10.0, 8.0, 8.0, 12.0, None], "largest_share": [0.5, 0.6, 0.7, 0.4, None]})
    assert efficient(table).tolist() == [True, True, False, True, False]


def test_cli_pareto_writes_csv_and_chart(runner: CliRunner, write_instance, tmp_path: Path) -> None:
    path = write_instance(two_providers(), "two.json")
    out = tmp_path / "pareto"
    result = runner.invoke(cli.app, ["pareto", str(path), "--vary", "diversification.max_share=0.5,0.75,1",
                                     "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "diversification.max_share=0.75: $1.1M (1,095,000 USD), largest share 75.0% (p)" in result.stdout
    table = pd.read_csv(out / "pareto.csv")
    assert table.objective_usd.tolist() == pytest.approx([150 * H, 125 * H, 100 * H])
    svg = (out / "pareto.svg").read_text()
    assert svg.startswith("<?xml") and "NPV ($B)" in svg and "largest provider share" in svg
    assert (out / "pareto.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "sweep.csv").exists() and (out / "runs" / "2" / "solution.json").exists()
