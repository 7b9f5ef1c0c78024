"""What one sweep run costs on the shipped instances (for docs/scale.md), by hand.

    .venv/bin/python benchmarks/sweep_cost.py [RUNS]

For each shipped instance, a sweep of RUNS (default 16) discount rates is solved in this
process (``workers=1``, one chunk, so every run after the first is re-solved in place), then
again with ``fast=False`` (every run built afresh), then in place with ``out`` (each run's plan
written to runs/<n>/, which also computes shadow prices). The table shows wall seconds per run.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import optimizer  # noqa: E402

INSTANCES = ("tiny", "two_clouds", "racks_mip", "scenarios", "2026")


def per_run(instance: Path, rates: list[float], **kwargs) -> float:
    start = time.perf_counter()
    table = optimizer.sweep(instance, {"discount_rate": rates}, workers=1, chunk=len(rates), **kwargs)
    assert (table.status == "optimal").all(), table.status.tolist()
    return (time.perf_counter() - start) / len(rates)


def main(runs: int) -> None:
    rates = [round(0.02 + 0.1 * i / runs, 4) for i in range(runs)]
    optimizer.solve(ROOT / "instances" / "tiny.json")  # imports and first-compile costs, once
    print(f"{'instance':<12}{'in place s/run':>16}{'rebuilt s/run':>15}{'in place + out s/run':>22}")
    for name in INSTANCES:
        path = ROOT / "instances" / f"{name}.json"
        fast = per_run(path, rates)
        slow = per_run(path, rates, fast=False)
        with tempfile.TemporaryDirectory() as tmp:
            written = per_run(path, rates, out=tmp)
        print(f"{name:<12}{fast:>16.3f}{slow:>15.3f}{written:>22.3f}", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 16)
