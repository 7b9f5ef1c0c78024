"""Where procure's time outside HiGHS goes: build (per constraint family), hand-off, extract, write.

    .venv/bin/python benchmarks/profile_build.py [--size medium|large] [--seed 0] [--top 25]
                                                 [--profile] [--no-solve] [--pyomo]

Without ``--profile``: one plain run (no profiler overhead) timing ``optimizer.model.build_model``'s
steps (``Built.seconds``: variables, each family C1–C13 and the objective; ``--pyomo`` builds
the row-block families as Pyomo constraints instead, with the test oracle
``tests/support/pyomo_families.py``), then ``compile_to_highs`` split
into Pyomo's ``LinearStandardFormCompiler.write`` and the rest (row blocks, bounds, checks,
``passModel``), HiGHS's solve, ``extract`` and ``Solution.write``.
With ``--profile``: the same stages under cProfile (HiGHS's solve outside it), printing the top
functions by own time and by cumulative time. ``--no-solve`` stops after the hand-off.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler  # noqa: E402
from support.pyomo_families import pyomo_registry  # noqa: E402

import optimizer  # noqa: E402
from optimizer.input.generate import generate  # noqa: E402
from optimizer.model import Built, build_model  # noqa: E402
from optimizer.results.extract import extract  # noqa: E402
from optimizer.solve import compile as highs_compile  # noqa: E402
from optimizer.solve import highs  # noqa: E402


def build_by_family(prep, laps: dict[str, float], pyomo_only: bool) -> Built:
    """``build_model(prep)``, with its time per step (``Built.seconds``) in ``laps``."""
    built = build_model(prep, registry=pyomo_registry() if pyomo_only else None)
    laps.update({f"build: {step}": sec for step, sec in built.seconds.items()})
    return built


def compile_split(built: Built, laps: dict[str, float]):
    """``compile_to_highs`` with Pyomo's standard-form write timed on its own."""
    real = LinearStandardFormCompiler.write
    spent = {}

    def timed(self, *a, **k):
        t = time.perf_counter()
        out = real(self, *a, **k)
        spent["write"] = time.perf_counter() - t
        return out

    t = time.perf_counter()
    with mock.patch.object(LinearStandardFormCompiler, "write", timed):
        h, compiled = highs_compile.compile_to_highs(built)
    total = time.perf_counter() - t
    laps["hand-off: LinearStandardFormCompiler.write"] = spent["write"]
    laps["hand-off: row blocks, arrays, checks, passModel"] = total - spent["write"]
    return h, compiled


def stages(size: str, seed: int, laps: dict[str, float], profiler: cProfile.Profile | None = None,
           solve: bool = True, pyomo_only: bool = False) -> None:
    data = generate(size, seed=seed)

    def on():
        if profiler:
            profiler.enable()

    def off():
        if profiler:
            profiler.disable()

    t = time.perf_counter()
    on()
    prep = optimizer.prepare(optimizer.load_instance(data))
    built = build_by_family(prep, laps, pyomo_only)
    h, compiled = compile_split(built, laps)
    off()
    laps["load + prepare"] = time.perf_counter() - t - sum(laps.values())
    print(f"{size}: {len(compiled.columns):,} columns, {len(compiled.rows):,} rows, {compiled.nonzeros:,} non-zeros")
    if not solve:
        return
    t = time.perf_counter()
    raw = highs.solve_compiled(h, compiled)
    laps["HiGHS solve"] = raw.timings["solve_s"]
    laps["read-back (solve_compiled less HiGHS)"] = time.perf_counter() - t - raw.timings["solve_s"]
    on()
    t = time.perf_counter()
    solution = extract(built, raw)
    laps["extract"] = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as folder:
        t = time.perf_counter()
        solution.write(folder)
        laps["write"] = time.perf_counter() - t
    off()
    print(f"objective {raw.objective:.6f} $M")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="medium")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--no-solve", action="store_true")
    ap.add_argument("--pyomo", action="store_true", help="every family as Pyomo constraints (no row blocks)")
    args = ap.parse_args()
    laps: dict[str, float] = {}
    profiler = cProfile.Profile() if args.profile else None
    stages(args.size, args.seed, laps, profiler, solve=not args.no_solve, pyomo_only=args.pyomo)
    outside = sum(v for k, v in laps.items() if k != "HiGHS solve")
    print("\n| step | seconds | share of time outside HiGHS |\n|---|---:|---:|")
    for name, sec in laps.items():
        share = f"{sec / outside:.0%}" if name != "HiGHS solve" else "–"
        print(f"| {name} | {sec:.2f} | {share} |")
    print(f"| **outside HiGHS** | **{outside:.2f}** | 100% |")
    if profiler:
        for key in ("tottime", "cumulative"):
            buf = io.StringIO()
            pstats.Stats(profiler, stream=buf).strip_dirs().sort_stats(key).print_stats(args.top)
            print(f"\n--- top {args.top} by {key} (cProfile; HiGHS's solve not profiled) ---")
            print("\n".join(ln for ln in buf.getvalue().splitlines() if ln.strip()
                            and not ln.lstrip().startswith(("Ordered by", "List reduced"))))


if __name__ == "__main__":
    main()
