"""Where procure's time outside HiGHS goes: build (per constraint family), hand-off, extract, write.

    .venv/bin/python benchmarks/profile_build.py [--size medium|large] [--seed 0] [--top 25] [--profile] [--no-solve]

Without ``--profile``: one plain run (no profiler overhead) timing ``optimizer.model.build_model``'s
steps one by one (layout, variables, each family C1–C13 and the objective, in the same order),
then ``compile_to_highs`` split into Pyomo's ``LinearStandardFormCompiler.write`` and the rest
(bounds, checks, ``passModel``), HiGHS's solve, ``extract`` and ``Solution.write``.
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

import pyomo.environ as pyo  # noqa: E402
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler  # noqa: E402

import optimizer  # noqa: E402
from optimizer import highs  # noqa: E402
from optimizer.generate import generate  # noqa: E402
from optimizer.model import FAMILIES, Built  # noqa: E402
from optimizer.model.objective import add_objective  # noqa: E402
from optimizer.model.variables import add_variables, layout  # noqa: E402
from optimizer.results import extract  # noqa: E402


def build_by_family(prep, laps: dict[str, float]) -> Built:
    """``build_model(prep)`` step by step (same order, same calls), timing each step."""
    t = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t
        now = time.perf_counter()
        laps[name] = now - t
        t = now

    m = pyo.ConcreteModel(name=prep.instance.name)
    m.elastic = False
    lay = layout(prep)
    lap("build: layout (index sets)")
    add_variables(m, prep, lay)
    lap("build: variables")
    built = Built(m, lay, prep)
    for add in (*FAMILIES, add_objective):
        add(m, prep, lay)
        lap(f"build: {add.__name__}")
    return built


def compile_split(model, laps: dict[str, float]):
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
        h, compiled = highs.compile_to_highs(model)
    total = time.perf_counter() - t
    laps["hand-off: LinearStandardFormCompiler.write"] = spent["write"]
    laps["hand-off: arrays, checks, passModel"] = total - spent["write"]
    return h, compiled


def stages(size: str, seed: int, laps: dict[str, float], profiler: cProfile.Profile | None = None,
           solve: bool = True) -> None:
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
    built = build_by_family(prep, laps)
    h, compiled = compile_split(built.model, laps)
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
    args = ap.parse_args()
    laps: dict[str, float] = {}
    profiler = cProfile.Profile() if args.profile else None
    stages(args.size, args.seed, laps, profiler, solve=not args.no_solve)
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
