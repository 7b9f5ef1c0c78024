"""procure at scale against bare HiGHS and linopy, on generated instances (issue 5).

    .venv/bin/python benchmarks/scale.py [--sizes small,medium,large] [--repeat 3] [--once xl] [--seed 0]
                                         [--build-only xl] [--json PATH] [--chart PATH]

For each size (``optimizer.generate`` presets, or a preset with knobs such as
``medium:regions=4/scenarios=2``; all LPs) and repetition, three routes run in fresh
processes of this script (hidden ``--child`` flag), interleaved so that machine noise hits them alike:

- ``procure``: ``procure solve --out`` through the API: ``optimizer.solve`` with its own stage
  timings (``Solution.timings``): load + validate (with the unit warnings and the size check),
  prepare, build (Pyomo variables and small families, numpy row blocks for the big ones),
  hand-off (``compile_to_highs``: standard-form compile, stacking, ``passModel``, freeing the
  model), HiGHS solve, extract (read-back of values and duals, then ``results.extract``); then write
  (``Solution.write``: solution.json, CSVs and KPI files, into a temporary folder).
- ``bare``: the physical limit. Procure's compiled LP is exported once per size, untimed, from
  ``Highs.getLp()`` (costs, bounds, CSC arrays) to an ``.npz``; the timed child loads it with
  numpy, fills a ``HighsLp``, ``passModel``, runs HiGHS and reads the solution back.
- ``bare-auto``: the same, with the HiGHS method and options procure's ``--algorithm auto`` picks
  for this LP (``optimizer.highs.highs_solver``; interior point with crossover from
  ``IPM_FROM_COLUMNS`` columns): procure's own HiGHS time without procure.
- ``linopy``: the same LP written in linopy (``benchmarks/linopy_model.py``) from
  ``optimizer.prepare``'s arrays, solved by ``Model.solve("highs", io_api="direct")``. Its total
  includes procure's load and prepare (the arrays it is built from).

procure runs with its defaults (``--algorithm auto``); ``bare`` and ``linopy`` with HiGHS's
(``solver=choose``: dual simplex on these LPs; presolve on, no output). Every route must reach
procure's objective (model units, $M) to 1e-6 relative. Import time is measured
but left out of every total. Peak memory is the child's own peak resident set (``VmHWM``, the
whole process, interpreter and imports included; see :func:`peak_mb`). HiGHS's solve time is the
wall time of its ``run`` in procure and bare, and ``Highs.getRunTime()`` in linopy (whose solve
call also hands the model over and reads it back).

Sizes in ``--build-only`` (e.g. ``xl``) are measured without solving: model size, build, hand-off
and memory. The script prints Markdown tables; ``--json`` saves every measurement, ``--chart``
draws time against size (SVG). Requires the ``bench`` extra: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

ROUTES = ("procure", "bare", "bare-auto", "linopy")
PROCURE_STAGES = ("load", "prepare", "build", "handoff", "solve", "extract", "write")
REL_TOL = 1e-6
HIGHS_OPTIONS = {"output_flag": False, "mip_rel_gap": 1e-6, "solver": "choose", "presolve": "on"}


def peak_mb() -> float:
    """This process's peak resident memory, MB.

    ``VmHWM`` from /proc where there is one: Linux's ``ru_maxrss`` survives ``exec``, so a child's
    would never read below the RSS of the parent that spawned it (this script, with its instances
    and imports); ``VmHWM`` belongs to the new program alone. Elsewhere ``ru_maxrss``.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform != "darwin" else 1024**2)


class Clock:
    """Laps of ``time.perf_counter`` into a dict of seconds."""

    def __init__(self) -> None:
        self.t = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = self.laps.get(name, 0.0) + now - self.t
        self.t = now


# --- children: one route, one size, one fresh process --------------------------------------------

def child_procure(instance: str, solve: bool, algorithm: str = "auto") -> dict:
    """``optimizer.solve`` (stage timings from ``Solution.timings``) and ``Solution.write``; or, with
    ``solve`` False, the same steps up to the hand-off to HiGHS. ``algorithm`` is ``--algorithm``."""
    clock = Clock()
    import optimizer
    from optimizer.model import build_model
    from optimizer.solve.compile import compile_to_highs
    from optimizer.solve.health import check_size
    from optimizer.solve.options import SolveOptions
    clock.lap("import")
    out: dict = {"import_peak_mb": peak_mb()}
    options = SolveOptions(algorithm=algorithm)
    if solve:
        solution = optimizer.solve(instance, options, explain_infeasible=False)
        if solution.status != optimizer.Status.OPTIMAL:
            raise SystemExit(f"{instance}: {solution.status} ({solution.message}): not a benchmark")
        t = solution.timings
        clock.laps.update(load=t["load_s"], prepare=t["prepare_s"], build=t["build_s"], handoff=t["handoff_s"],
                          solve=t["solve_s"], extract=t["readback_s"] + t["results_s"])
        clock.t = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            solution.write(folder)
            clock.lap("write")
        n = solution.numerics
        out.update(columns=n["columns"], rows=n["rows"], nonzeros=n["nonzeros"], readback_s=t["readback_s"],
                   status=str(solution.status), objective=solution.objective_usd / 1e6, highs_s=t["solve_s"])
    else:
        inst = optimizer.load_instance(instance)
        check_size(inst, options.max_memory)
        clock.lap("load")
        prep = optimizer.prepare(inst)
        clock.lap("prepare")
        built = build_model(prep)
        clock.lap("build")
        _, compiled = compile_to_highs(built)
        clock.lap("handoff")
        out.update(columns=len(compiled.columns), rows=len(compiled.rows), nonzeros=compiled.nonzeros)
    out.update(seconds=clock.laps, peak_mb=peak_mb())
    return out


def child_export(instance: str, npz: str) -> dict:
    """Procure's compiled LP as arrays (untimed): what the bare route hands to HiGHS."""
    import numpy as np

    import optimizer
    from optimizer.model import build_model
    from optimizer.solve.compile import compile_to_highs

    built = build_model(optimizer.prepare(optimizer.load_instance(instance)))
    if built.layout.trivially_infeasible:  # the compiled LP would leave those rows out
        raise SystemExit(f"{instance}: a limit can never be met: {built.layout.trivially_infeasible[:3]}")
    h, _ = compile_to_highs(built)
    lp = h.getLp()
    integrality = np.asarray(lp.integrality_, dtype=np.uint8) if len(lp.integrality_) else np.zeros(0, np.uint8)
    np.savez(npz, col_cost=np.asarray(lp.col_cost_), col_lower=np.asarray(lp.col_lower_),
             col_upper=np.asarray(lp.col_upper_), row_lower=np.asarray(lp.row_lower_),
             row_upper=np.asarray(lp.row_upper_), start=np.asarray(lp.a_matrix_.start_, dtype=np.int32),
             index=np.asarray(lp.a_matrix_.index_, dtype=np.int32), value=np.asarray(lp.a_matrix_.value_),
             integrality=integrality, offset=np.array([lp.offset_]))
    return {"columns": lp.num_col_, "rows": lp.num_row_, "nonzeros": len(lp.a_matrix_.value_),
            "integers": int(integrality.sum())}


def child_bare(npz: str, solve: bool, options: dict | None = None,
               inspect: Callable[[Any], dict] | None = None) -> dict:
    """The bare route: procure's exported LP from ``npz`` straight into highspy.

    ``options`` are set on top of :data:`HIGHS_OPTIONS` (``benchmarks/algorithms.py`` varies the
    method); ``inspect(h)``, called after the read-back, adds its dict to the result.
    """
    clock = Clock()
    import highspy
    import numpy as np
    clock.lap("import")
    out: dict = {"import_peak_mb": peak_mb()}
    with np.load(npz) as f:
        d = {k: f[k] for k in f.files}
    clock.lap("load")
    n, r = len(d["col_cost"]), len(d["row_lower"])
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, r
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = d["col_cost"], d["col_lower"], d["col_upper"]
    lp.row_lower_, lp.row_upper_ = d["row_lower"], d["row_upper"]
    lp.offset_ = float(d["offset"][0])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, r
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = d["start"], d["index"], d["value"]
    if d["integrality"].any():
        lp.integrality_ = [highspy.HighsVarType(int(i)) for i in d["integrality"]]
    del d
    h = highspy.Highs()
    for k, v in {**HIGHS_OPTIONS, **(options or {})}.items():
        if h.setOptionValue(k, v) == highspy.HighsStatus.kError:
            raise ValueError(f"HiGHS rejected option {k}={v!r}")
    status = h.passModel(lp)
    if status == highspy.HighsStatus.kError or h.getNumCol() != n or h.getNumRow() != r:
        raise RuntimeError(f"HiGHS did not accept the model ({n} columns, {r} rows)")
    del lp
    clock.lap("handoff")
    out.update(columns=n, rows=r)
    if solve:
        h.run()
        clock.lap("solve")
        sol = h.getSolution()
        col, dual = np.asarray(sol.col_value), np.asarray(sol.row_dual)
        assert (len(col) == n or not sol.value_valid) and (len(dual) == r or not sol.dual_valid)
        clock.lap("readback")
        out.update(status=h.modelStatusToString(h.getModelStatus()), objective=h.getInfo().objective_function_value,
                   highs_s=clock.laps["solve"])
        if inspect is not None:
            out.update(inspect(h))
    out.update(seconds=clock.laps, peak_mb=peak_mb())
    return out


def child_linopy(instance: str, solve: bool) -> dict:
    clock = Clock()
    import linopy  # noqa: F401
    import linopy_model

    import optimizer
    clock.lap("import")
    out: dict = {"import_peak_mb": peak_mb()}
    prep = optimizer.prepare(optimizer.load_instance(instance))
    clock.lap("load_prepare")
    m = linopy_model.build(prep)
    clock.lap("build")
    if solve:
        status, condition = m.solve("highs", io_api="direct", **HIGHS_OPTIONS)
        clock.lap("handoff_solve")
        run = float(m.solver_model.getRunTime())
        out.update(status=condition, objective=float(m.objective.value) if status == "ok" else None, highs_s=run)
    else:
        h = m.to_highspy()
        clock.lap("handoff")
        out.update(columns=h.getNumCol(), rows=h.getNumRow())
    out.update(seconds=clock.laps, peak_mb=peak_mb())
    return out


def launch(args: list[str], timeout: float) -> tuple[subprocess.CompletedProcess, dict | None]:
    """Run a child process; its result is the last JSON line it printed (None if it failed)."""
    proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=timeout, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    return proc, json.loads(lines[-1]) if proc.returncode == 0 and lines else None


def generated(size: str, seed: int) -> dict:
    """The instance of a size: a preset name, optionally with generator knobs after a colon and
    separated by slashes, e.g. ``medium:regions=4/scenarios=2`` (``optimizer.generate.GeneratorSpec``)."""
    from optimizer.input.generate import generate

    preset, _, knobs = size.partition(":")
    overrides = {k: int(v) for k, v in (kv.split("=", 1) for kv in knobs.split("/") if kv)}
    return generate(preset, seed=seed, **overrides)


def write_instance(tmp: Path, size: str, seed: int) -> dict[str, Path]:
    """Generate the size's instance into ``tmp``; its JSON path and the path its LP is exported to
    (file names with the knobs' ``:``, ``/`` and ``=`` made safe)."""
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", size)
    paths = {"json": tmp / f"{stem}.json", "npz": tmp / f"{stem}.npz"}
    paths["json"].write_text(json.dumps(generated(size, seed)))
    return paths


def auto_options(shape: dict) -> dict:
    """The HiGHS options procure's ``--algorithm auto`` sets for a cold LP of this shape (export's dict)."""
    from types import SimpleNamespace

    from optimizer.solve.highs import START_CROSSOVER, highs_solver

    model = SimpleNamespace(columns=range(shape["columns"]), is_mip=shape["integers"] > 0)
    return {"solver": highs_solver("auto", model, warm=False), "start_crossover_tolerance": START_CROSSOVER}


def run_child(route: str, size: str, paths: dict[str, Path], solve: bool, timeout: float,
              highs: dict | None = None) -> dict:
    args = [sys.executable, __file__, "--child", route, "--instance", str(paths["json"]), "--npz", str(paths["npz"])]
    if highs:
        args += ["--highs", json.dumps(highs)]
    if not solve:
        args.append("--no-solve")
    proc, result = launch(args, timeout)
    if result is None:
        raise RuntimeError(f"{route} on {size} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return result


# --- the parent: sizes × repetitions × routes, medians, tables, chart -------------------------------

def total(route: str, r: dict) -> float:
    """Seconds from the input to the answer, imports left out (see the module docstring)."""
    return sum(v for k, v in r["seconds"].items() if k != "import")


def med(values: list[float]) -> float:
    return statistics.median(values)


def summarise(runs: dict[str, list[dict]]) -> dict:
    out: dict = {}
    for route, rs in runs.items():
        if not rs:
            continue
        stages = {k: med([r["seconds"].get(k, 0.0) for r in rs]) for k in rs[0]["seconds"]}
        out[route] = {"n": len(rs), "total": med([total(route, r) for r in rs]), "stages": stages,
                      "peak_mb": med([r["peak_mb"] for r in rs]),
                      "import_peak_mb": med([r["import_peak_mb"] for r in rs]),
                      "highs": med([r["highs_s"] for r in rs]) if "highs_s" in rs[0] else None,
                      "outside": med([total(route, r) - r.get("highs_s", 0.0) for r in rs]),
                      "objective": rs[0].get("objective"), "status": rs[0].get("status"),
                      "totals": [round(total(route, r), 3) for r in rs]}
    return out


def rel(a: float | None, b: float | None) -> float:
    if a is None or b is None:
        return float("nan")
    return abs(a - b) / max(abs(b), 1e-12)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    def installed(package: str) -> str:
        try:
            return f"{package} {version(package)}"
        except PackageNotFoundError:
            return f"no {package}"

    versions = ", ".join(installed(p) for p in ("pyomo", "highspy", "linopy", "numpy"))
    versions = f"Python {platform.python_version()}, {versions}"
    return f"{os.cpu_count()} cores ({cpu}), {time.strftime('%Y-%m-%d')}; {versions}"


def reference(summary: dict) -> float | None:
    """The objective the other routes are checked against: procure's, else the first route's."""
    first = summary.get("procure") or next(iter(summary.values()), {})
    return first.get("objective")


def ratio(a: dict | None, b: dict | None, key: str, fmt: str = ".2f") -> str:
    """``a[key] / b[key]`` formatted, or "–" where a route was not run."""
    return format(a[key] / b[key], fmt) if a and b else "–"


def seconds(r: dict | None, key: str) -> str:
    return f"{r[key]:.2f}" if r else "–"


def report(results: dict, build_only: dict, command: str, where: str) -> str:
    """Markdown tables of the measurements; every route may be missing (``--routes`` picks them)."""
    lines = [f"Command: `{command}`", f"Machine: {where}", ""]
    lines += ["| size | columns | rows | non-zeros | route | n | total s | outside HiGHS s | HiGHS solve s "
              "| peak MB | objective ($M) | rel. diff |",
              "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for size, res in results.items():
        s = res["summary"]
        ref = reference(s)
        for route in ROUTES:
            if route not in s:
                continue
            r = s[route]
            lines.append(f"| {size} | {res['columns']:,} | {res['rows']:,} | {res['nonzeros']:,} | {route} | {r['n']} "
                         f"| {r['total']:.2f} | {r['outside']:.2f} | {r['highs']:.2f} | {r['peak_mb']:,.0f} "
                         f"| {r['objective']:,.4f} | {rel(r['objective'], ref):.1e} |")
    lines += ["", "procure by stage (median seconds; extract includes the read-back of values and duals):", "",
              "| size | import | " + " | ".join(PROCURE_STAGES) + " | total |",
              "|---|" + "---:|" * (len(PROCURE_STAGES) + 2)]
    for size, res in results.items():
        if "procure" not in res["summary"]:
            continue
        p = res["summary"]["procure"]
        lines.append(f"| {size} | {p['stages']['import']:.2f} | "
                     + " | ".join(f"{p['stages'].get(k, 0.0):.2f}" for k in PROCURE_STAGES) + f" | {p['total']:.2f} |")
    lines += ["", "Ratios (medians; \"at equal HiGHS time\" is (procure outside HiGHS + bare's HiGHS solve)",
              "/ bare total, i.e. procure's overhead on HiGHS's default method; \"procure / bare-auto\" compares",
              "procure with the identical LP solved bare by the method procure picked):", "",
              "| size | procure / bare total | at equal HiGHS time | procure / bare-auto total "
              "| procure / linopy total "
              "| procure / bare peak memory | procure / linopy peak memory | HiGHS solve: procure / bare / linopy (s) "
              "| outside HiGHS: procure / bare / linopy (s) |",
              "|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for size, res in results.items():
        s = res["summary"]
        p, b, li, ba = s.get("procure"), s.get("bare"), s.get("linopy"), s.get("bare-auto")
        equal = f"{(p['outside'] + b['highs']) / b['total']:.2f}" if p and b else "–"
        lines.append(f"| {size} | {ratio(p, b, 'total')} | {equal} | {ratio(p, ba, 'total')} | {ratio(p, li, 'total')} "
                     f"| {ratio(p, b, 'peak_mb')} | {ratio(p, li, 'peak_mb')} "
                     f"| {seconds(p, 'highs')} / {seconds(b, 'highs')} / {seconds(li, 'highs')} "
                     f"| {seconds(p, 'outside')} / {seconds(b, 'outside')} / {seconds(li, 'outside')} |")
    sizes = list(results)
    if len(sizes) > 1:
        first, last = results[sizes[0]]["summary"], results[sizes[-1]]["summary"]
        lines += ["", f"Growth from {sizes[0]} to {sizes[-1]} "
                  f"({results[sizes[-1]]['columns'] / results[sizes[0]]['columns']:,.0f}× the columns):", ""]
        for label, key in (("procure total", ("procure", "total")), ("procure outside HiGHS", ("procure", "outside")),
                           ("HiGHS solve (procure's run)", ("procure", "highs")), ("bare total", ("bare", "total")),
                           ("bare-auto total", ("bare-auto", "total")),
                           ("linopy total", ("linopy", "total"))):
            if key[0] in first and key[0] in last:
                a, z = first[key[0]][key[1]], last[key[0]][key[1]]
                lines.append(f"- {label}: {a:.2f} s → {z:.2f} s ({z / a:,.1f}×)")
        if all("procure" in r["summary"] for r in results.values()):
            lines += ["", "Share of procure's total outside HiGHS: "
                      + ", ".join(f"{size} {r['summary']['procure']['outside'] / r['summary']['procure']['total']:.0%}"
                                  for size, r in results.items())]
    if build_only:
        lines += ["", "Built and handed to HiGHS, not solved (one run each; seconds, peak MB):", "",
                  "| size | columns | rows | non-zeros | procure load+prepare | build | hand-off | peak MB "
                  "| bare load+hand-off | peak MB | linopy build | hand-off | peak MB |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for size, res in build_only.items():
            p, b, li = res.get("procure"), res.get("bare"), res.get("linopy")
            shape = next(r for r in (p, b, li) if r)
            ps, bs = (p or {}).get("seconds"), (b or {}).get("seconds")
            nonzeros = f"{shape['nonzeros']:,}" if "nonzeros" in shape else "–"
            lines.append(f"| {size} | {shape['columns']:,} | {shape['rows']:,} | {nonzeros} | "
                         + (f"{ps['load'] + ps['prepare']:.1f} | {ps['build']:.1f} "
                            f"| {ps['handoff']:.1f} | {p['peak_mb']:,.0f} | " if p else "– | – | – | – | ")
                         + (f"{bs['load'] + bs['handoff']:.1f} | {b['peak_mb']:,.0f} | " if b else "– | – | ")
                         + (f"{li['seconds']['build']:.1f} | {li['seconds']['handoff']:.1f} | {li['peak_mb']:,.0f} |"
                            if li else "– | – | – |"))
    return "\n".join(lines)


def chart(results: dict, build_only: dict, path: Path) -> None:
    import matplotlib
    import matplotlib.ticker

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    cols = [res["columns"] for res in results.values()]
    series = [("procure total", "procure", "total", "C0", "-o"),
              ("procure outside HiGHS", "procure", "outside", "C0", "--o"),
              ("bare HiGHS total", "bare", "total", "C2", "-s"),
              ("bare HiGHS, procure's method, total", "bare-auto", "total", "C3", ":s"),
              ("bare outside HiGHS", "bare", "outside", "C2", "--s"),
              ("linopy total", "linopy", "total", "C1", "-^"),
              ("linopy outside HiGHS", "linopy", "outside", "C1", "--^")]
    for label, route, key, color, style in series:
        ys = [res["summary"].get(route, {}).get(key) for res in results.values()]
        if all(y is not None for y in ys):
            ax.plot(cols, ys, style, color=color, label=label)
    built = {k: v["procure"] for k, v in build_only.items() if "procure" in v}
    if built:
        bx = [r["columns"] for r in built.values()]
        by = [sum(r["seconds"][k] for k in ("load", "prepare", "build", "handoff")) for r in built.values()]
        ax.plot(bx, by, "D", color="C0", mfc="none", label="procure load → hand-off, not solved")
    ax.set_xscale("log")
    ax.set_yscale("log")
    sizes = {k: v["columns"] for k, v in results.items()}
    sizes.update({k: next(iter(v.values()))["columns"] for k, v in build_only.items()})
    ax.set_xticks(list(sizes.values()), [f"{k}\n{v:,}" for k, v in sizes.items()])
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel("size preset and LP columns (log scale)")
    ax.set_ylabel("seconds, median (log)")
    ax.set_title("Time against size: procure, bare HiGHS, linopy (2 shared cores)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, metadata={"Date": None} if path.suffix == ".svg" else None)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="small,medium,large")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--once", default="", help="sizes solved in one repetition only, e.g. xl (minutes per solve)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--build-only", default="", help="sizes measured without solving, e.g. xl")
    ap.add_argument("--routes", default=",".join(ROUTES))
    ap.add_argument("--timeout", type=float, default=3600.0, help="seconds for one child process")
    ap.add_argument("--json", type=Path, help="save every measurement here")
    ap.add_argument("--chart", type=Path, help="draw time against size here (SVG, or PNG by the suffix)")
    ap.add_argument("--redraw", type=Path, help="no measuring: print the tables and draw the chart of a --json file")
    ap.add_argument("--child", choices=(*ROUTES, "export"), help=argparse.SUPPRESS)
    ap.add_argument("--instance", help=argparse.SUPPRESS)
    ap.add_argument("--npz", help=argparse.SUPPRESS)
    ap.add_argument("--no-solve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--highs", default="{}", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        solve = not args.no_solve
        fn = {"procure": lambda: child_procure(args.instance, solve), "bare": lambda: child_bare(args.npz, solve),
              "bare-auto": lambda: child_bare(args.npz, solve, json.loads(args.highs)),
              "linopy": lambda: child_linopy(args.instance, solve),
              "export": lambda: child_export(args.instance, args.npz)}[args.child]
        result = fn()
        print(json.dumps(result), flush=True)
        return

    if args.redraw:
        saved = json.loads(args.redraw.read_text())
        print(report(saved["results"], saved["build_only"], saved["command"], saved["machine"]))
        if args.chart:
            chart(saved["results"], saved["build_only"], args.chart)
        return

    command = ".venv/bin/python benchmarks/scale.py " + " ".join(sys.argv[1:])
    once = [s for s in args.once.split(",") if s]
    sizes = list(dict.fromkeys([s for s in args.sizes.split(",") if s] + once))
    build_sizes = [s for s in args.build_only.split(",") if s]
    routes = [r for r in args.routes.split(",") if r]
    tmp = Path(tempfile.mkdtemp(prefix="procure-scale-"))
    paths: dict[str, dict[str, Path]] = {}
    meta: dict[str, dict] = {}
    for size in dict.fromkeys(sizes + build_sizes):
        paths[size] = write_instance(tmp, size, args.seed)
        meta[size] = run_child("export", size, paths[size], True, args.timeout)
        print(f"{size}: {meta[size]['columns']:,} columns, {meta[size]['rows']:,} rows, "
              f"{meta[size]['nonzeros']:,} non-zeros, {meta[size]['integers']} integer", file=sys.stderr, flush=True)

    results: dict[str, dict] = {}
    for size in sizes:
        runs: dict[str, list[dict]] = {r: [] for r in routes}
        highs = {"bare-auto": auto_options(meta[size])}
        for rep in range(1 if size in once else args.repeat):
            for route in routes:
                r = run_child(route, size, paths[size], True, args.timeout, highs.get(route))
                runs[route].append(r)
                print(f"{size} #{rep + 1} {route:<8} total {total(route, r):8.2f} s  HiGHS {r['highs_s']:8.2f} s  "
                      f"peak {r['peak_mb']:7,.0f} MB  objective {r['objective']}", file=sys.stderr, flush=True)
        summary = summarise(runs)
        ref = reference(summary)
        for route, s in summary.items():
            if rel(s["objective"], ref) > REL_TOL:
                print(f"WARNING: {size}: {route} objective {s['objective']} differs from the reference {ref}",
                      file=sys.stderr)
        results[size] = {**meta[size], "summary": summary, "runs": runs}
        if args.json:  # saved size by size: a long run stopped part-way keeps what it measured
            args.json.write_text(json.dumps({"command": command, "machine": machine(), "results": results,
                                             "build_only": {}, "report": ""}, indent=1))

    build_only: dict[str, dict] = {}
    for size in build_sizes:
        build_only[size] = {}
        for route in routes:
            if route == "bare-auto":  # the same hand-off as bare
                continue
            build_only[size][route] = run_child(route, size, paths[size], False, args.timeout)
            print(f"{size} (not solved) {route}: {build_only[size][route]['seconds']}  "
                  f"peak {build_only[size][route]['peak_mb']:,.0f} MB", file=sys.stderr, flush=True)

    where = machine()
    text = report(results, build_only, command, where)
    print(text)
    if args.json:
        args.json.write_text(json.dumps({"command": command, "machine": where, "results": results,
                                         "build_only": build_only, "report": text}, indent=1))
    if args.chart:
        chart(results, build_only, args.chart)
    for size in paths.values():
        for p in size.values():
            p.unlink(missing_ok=True)
    tmp.rmdir()


if __name__ == "__main__":
    main()
