"""Absurd sizes: the model's size is estimated before it is built, and refused above the memory budget."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support.paths import INSTANCES
from typer.testing import CliRunner

import cli
import optimizer
from optimizer.model import build_model
from optimizer.solve.compile import compile_to_highs
from optimizer.solve.health import DEFAULT_MAX_MEMORY, check_size, estimate_size, human_bytes, parse_bytes


def absurd() -> dict:
    """1,000 years × 12 periods × 300 offers: hundreds of GiB if it were built."""
    return {
        "name": "absurd", "horizon": {"start_year": 2026, "years": 1000, "periods_per_year": 12},
        "providers": [{"id": f"p{i}", "power_mw": 1000} for i in range(4)],
        "chips": [{"id": "k", "power_kw": 1.0, "perf": {"bf16": 1.0}}],
        "offers": [{"id": f"o{i}", "provider": f"p{i % 4}", "chip": "k", "term_months": 12 * (1 + i % 5),
                    "price_per_chip_hour": 1.0} for i in range(300)],
        "workloads": [{"id": "w", "metric": "bf16", "demand": {"base": 100}}],
    }


@pytest.mark.parametrize("name", ["tiny.json", "two_clouds.json", "racks_mip.json", "scenarios.json", "2026.json"])
def test_estimate_matches_the_built_model(name: str) -> None:
    inst = optimizer.load_instance(INSTANCES / name)
    est = estimate_size(inst)
    _, compiled = compile_to_highs(build_model(optimizer.prepare(inst)))
    # Upper bounds, and close: the compiler drops the odd variable that no row uses.
    assert len(compiled.columns) <= est.variables <= len(compiled.columns) + 2
    assert int(compiled.integer.sum()) <= est.integer_variables <= int(compiled.integer.sum()) + 2
    assert len(compiled.rows) <= est.rows <= 1.2 * len(compiled.rows) + 10
    assert compiled.nonzeros <= est.nonzeros <= 1.5 * compiled.nonzeros + 20


def test_absurd_instance_is_refused_quickly_with_the_estimate() -> None:
    started = time.perf_counter()
    with pytest.raises(optimizer.InstanceError) as err:
        optimizer.solve(absurd())
    assert time.perf_counter() - started < 10, "the estimate must not build the model"
    message = err.value.message
    assert message.startswith("<instance>: the model would need about ")
    assert "10,800,000 variables" in message and "more than the memory budget of 8 GiB" in message
    assert "1,000 years, 12 periods, 300 offers, 1 workload, 1 scenario" in message
    assert "\n" not in message


def test_absurd_instance_through_the_cli_exits_2_and_writes_nothing(runner: CliRunner, write_instance,
                                                                    tmp_path: Path) -> None:
    instance, out = write_instance(absurd(), "absurd.json"), tmp_path / "out"
    for command in (["solve", str(instance), "--out", str(out)], ["diagnose", str(instance)]):
        result = runner.invoke(cli.app, command)
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: {instance}: the model would need about ")
    assert not out.exists()


def test_memory_budget_is_an_option(runner: CliRunner) -> None:
    inst = optimizer.load_instance(INSTANCES / "2026.json")
    need = estimate_size(inst).bytes
    assert check_size(inst, need + 1).bytes == need
    with pytest.raises(optimizer.InstanceError, match="more than the memory budget of 1 KiB"):
        optimizer.solve(INSTANCES / "2026.json", optimizer.SolveOptions(max_memory=1024))
    assert optimizer.solve(INSTANCES / "tiny.json", optimizer.SolveOptions(max_memory=None)).has_plan
    result = runner.invoke(cli.app, ["solve", str(INSTANCES / "tiny.json"), "-q", "--max-memory", "1KiB"])
    assert result.exit_code == 2 and "more than the memory budget of 1 KiB" in result.stderr
    roomy = runner.invoke(cli.app, ["solve", str(INSTANCES / "tiny.json"), "-q", "--max-memory", "100MiB"])
    assert roomy.exit_code == 0
    bad = runner.invoke(cli.app, ["solve", str(INSTANCES / "tiny.json"), "--max-memory", "lots"])
    assert bad.exit_code == 2 and "--max-memory: not a memory size: 'lots'" in bad.stderr


def test_shipped_instances_fit_the_default_budget_by_far() -> None:
    for path in INSTANCES.glob("*.json"):
        assert estimate_size(optimizer.load_instance(path)).bytes < DEFAULT_MAX_MEMORY / 100


@pytest.mark.parametrize(("text", "expected"), [("8GiB", 8 * 2**30), ("8G", 8 * 2**30), ("500MiB", 500 * 2**20),
                                                ("2e9", 2_000_000_000), ("1.5 TiB", int(1.5 * 2**40)), ("64", 64)])
def test_parse_bytes(text: str, expected: int) -> None:
    assert parse_bytes(text) == expected


def test_human_bytes() -> None:
    assert human_bytes(8 * 2**30) == "8 GiB"
    assert human_bytes(1536 * 2**30) == "1.5 TiB"
    assert human_bytes(512) == "512 B"
