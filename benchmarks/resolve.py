"""Fast re-solves against rebuilding: the same sweep solved both ways, one process, by hand.

    .venv/bin/python benchmarks/resolve.py [--quick]

For each (instance, path, values) below, every value is solved twice: by ``optimizer.solve``
(load, prepare, build, hand-off to HiGHS, solve from scratch) and by one
``optimizer.Resolver`` that keeps the model of the first value and updates it in place for the
others (warm start). Both compute row duals, so both produce the same Solution. The first value
is the Resolver's full build and is left out of the ratio; the table shows mean seconds per
re-solve and the ratio rebuild / in place, and checks that the objectives agree (rel 1e-7).

Instances: the realistic 2026 plan made monthly and an LP (``providers_used`` dropped: 96
periods, ~100k columns), and the generated ``medium`` preset (``procure generate``).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import optimizer  # noqa: E402
from optimizer.input.generate import generate  # noqa: E402
from optimizer.input.paths import set_path  # noqa: E402


def monthly_2026() -> dict:
    data = json.loads((ROOT / "instances" / "2026.json").read_text())
    data["horizon"]["periods_per_year"] = 12
    data.pop("providers_used")  # the MILP's only integer part: without it the plan is an LP
    data["name"] = "2026-monthly-lp"
    return data


CASES = [
    ("2026-monthly-lp", monthly_2026, "budget.per_year_usd.2028", [115e9, 100e9, 95e9, 90e9]),
    ("2026-monthly-lp", monthly_2026, "diversification.max_share", [0.5, 0.45, 0.55, 0.4]),
    ("2026-monthly-lp", monthly_2026, "providers[oracle].power_mw.2028", [3000, 2600, 2200, 1800]),
    ("2026-monthly-lp", monthly_2026, "workloads[training].demand.points.2030", [1.95e6, 1.8e6, 2.1e6, 2.2e6]),
    ("2026-monthly-lp", monthly_2026, "offers[aws-gb300-36m].price_per_chip_hour", [5.403, 4.5, 5.0, 6.0]),
    ("medium", lambda: generate("medium"), "discount_rate", [0.08, 0.05, 0.1, 0.12]),
    ("medium", lambda: generate("medium"), "diversification.max_share", [0.5, 0.45, 0.55, 0.6]),
]


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def main(quick: bool) -> None:
    cases = CASES[:2] if quick else CASES
    print(f"{'instance':<18}{'path':<44}{'rebuild s':>10}{'in place s':>11}{'ratio':>8}  objectives")
    ratios = []
    for name, make, path, values in cases:
        base = make()
        optimizer.solve(set_path(base, path, values[0]), explain_infeasible=False)  # warm imports and caches
        resolver = optimizer.Resolver()
        resolver.solve(set_path(base, path, values[0]))
        rebuild, in_place, agree = [], [], True
        for v in values[1:]:
            data = set_path(base, path, v)
            ref, t_ref = timed(lambda d=data: optimizer.solve(d, explain_infeasible=False))
            fast, t_fast = timed(lambda d=data, r=resolver: r.solve(d))
            assert resolver.in_place, resolver.reason
            rebuild.append(t_ref)
            in_place.append(t_fast)
            if ref.objective_usd is not None or fast.objective_usd is not None:
                agree &= abs(fast.objective_usd - ref.objective_usd) <= 1e-7 * abs(ref.objective_usd)
        ratio = statistics.mean(rebuild) / statistics.mean(in_place)
        ratios.append(ratio)
        print(f"{name:<18}{path:<44}{statistics.mean(rebuild):>10.2f}{statistics.mean(in_place):>11.2f}"
              f"{ratio:>7.1f}×  {'agree' if agree else 'DIFFER'}", flush=True)
    print(f"geometric mean ratio: {statistics.geometric_mean(ratios):.1f}×")


if __name__ == "__main__":
    main("--quick" in sys.argv)
