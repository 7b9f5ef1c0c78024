"""The long run of the reliability properties (tests/test_properties.py), with figures.

    .venv/bin/python benchmarks/reliability.py --examples 2000 --mutations 2000 [--seed 1] [--save DIR]

Draws random valid instances (tests/support/instance_strategies.py) and solves each: every optimal plan
must pass the independent checker (tests/support/feasibility.py) with the checker's objective, every
infeasible instance must come with a diagnosis. Then draws broken instances (one mutation each):
each must solve or be refused with ``optimizer.InstanceError``. Unlike the test, a violation does
not stop the run: it is counted, printed, and the instance saved to ``--save`` (default
``out/reliability``) for a regression test. Prints the figures recorded in docs/reliability.md;
exits 1 if any violation was found.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from hypothesis import HealthCheck, given, seed, settings
from support.instance_strategies import instances, mutations
from support.properties import Tally, check_mutated, check_valid


def run(kind: str, count: int, random_seed: int, tally: Tally, save: Path) -> None:
    """Run one property ``count`` times, counting violations instead of stopping at the first."""
    strategy = instances() if kind == "valid" else instances().flatmap(mutations)
    check = check_valid if kind == "valid" else check_mutated

    @seed(random_seed)
    @settings(max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def prop(drawn) -> None:
        data, mutation = (drawn, None) if kind == "valid" else drawn
        try:
            check(data, tally)
        except Exception as e:  # a violation: record it and go on
            tally.add("violations")
            name = save / f"{kind}-{tally.counts['violations']:03d}.json"
            save.mkdir(parents=True, exist_ok=True)
            name.write_text(json.dumps(data, indent=1))
            what = f" after {mutation}" if mutation is not None else ""
            print(f"VIOLATION{what}: {type(e).__name__}: {str(e)[:500]} (saved {name})", flush=True)
            if not isinstance(e, AssertionError):
                traceback.print_exc()

    prop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=500, help="random valid instances to solve")
    parser.add_argument("--mutations", type=int, default=500, help="random broken instances")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--save", type=Path, default=Path("out/reliability"))
    args = parser.parse_args()
    tally = Tally()
    started = time.perf_counter()
    run("valid", args.examples, args.seed, tally, args.save)
    middle = time.perf_counter()
    run("mutated", args.mutations, args.seed, tally, args.save)
    ended = time.perf_counter()
    c = tally.counts
    print(f"valid instances tried:     {c['cases']:>6}   ({middle - started:,.0f} s)")
    print(f"  optimal plans checked:   {c['plans_checked']:>6}   ({c['mip']} MILP, {c['lp']} LP)")
    print(f"  infeasible, diagnosed:   {c['infeasible_diagnosed']:>6}")
    print(f"  30 s limit: plan / none: {c['time_limited']:>6} / {c['timed_out']}")
    print(f"mutated instances tried:   {c['mutations']:>6}   ({ended - middle:,.0f} s)")
    print(f"  refused (InstanceError): {c['mutations_refused']:>6}")
    print(f"  still valid, solved:     {c['mutations_valid']:>6}   ({c['mutated_plans_checked']} plans checked, "
          f"{c['mutated_infeasible_diagnosed']} infeasible diagnosed)")
    print(f"violations found:          {c['violations']:>6}")
    return 1 if c["violations"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
