"""How procure's Pyomo model is handed to HiGHS: four routes, timed stage by stage.

    .venv/bin/python benchmarks/handoff.py [--size small|medium|large] [--repeat 3] [--algorithms]

Routes (each run in a fresh subprocess of this script, with the hidden ``--route`` flag):

- ``standard-form`` (procure's route): ``optimizer.highs.solve_model``, i.e. Pyomo's
  ``LinearStandardFormCompiler`` → CSC arrays → ``Highs.passModel``;
- ``lp-file``: the same Pyomo model written as an LP file and read by ``Highs.readModel``;
- ``appsi``: ``pyomo.contrib.appsi.solvers.Highs``;
- ``contrib-solver``: ``pyomo.contrib.solver.common.factory.SolverFactory('highs')``.

Every route solves the same Pyomo model (built by ``optimizer.model.build_model``) with HiGHS's
default LP method (``choose``; procure's default too) and must reach the same objective
(relative 1e-6). ``--algorithms`` also times ``SolveOptions(algorithm=...)`` on the
standard-form route. Instances are generated from ``instances/2026.json`` (see ``SIZES``).
Results are printed as Markdown tables; ``--json PATH`` also saves every raw measurement.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE_INSTANCE = ROOT / "instances" / "2026.json"
ROUTES = ("standard-form", "lp-file", "appsi", "contrib-solver")
ALGORITHMS = ("choose", "simplex", "ipm", "pdlp")
STAGES = ("load", "prepare", "build", "handoff", "solve", "readback")
REL_TOL = 1e-6

# regions: copies of every offer (ids suffixed -r1, -r2, …; price × 1 + 0.02·(r−1));
# periods_per_year; scenarios: demand multipliers from 2027 of (low, base, high), first_stage_years 1.
SIZES: dict[str, dict | None] = {
    "small": None,  # instances/2026.json as is (quarterly, 51 offers, providers_used.min 3: 4 binaries)
    "medium": {"regions": 3, "periods_per_year": 12, "scenarios": (0.7, 1.0, 1.1)},
    # Shrunk from 8 regions: on this 2-core machine HiGHS's default (simplex) did not finish 5 regions
    # in 400 s, and interior point took 257 s for 8 regions; 6 regions with interior point is ~2 min.
    "large": {"regions": 6, "periods_per_year": 12, "scenarios": (0.7, 1.0, 1.1), "algorithm": "ipm"},
}
SCENARIO_PROBABILITY = (0.25, 0.5, 0.25)


def generate(size: str) -> dict:
    """The instance data of one size (a plain dict, as parsed from JSON)."""
    data = json.loads(BASE_INSTANCE.read_text())
    spec = SIZES[size]
    if spec is None:
        return data
    data["name"] = f"{data['name']}-{size}"
    data.pop("providers_used", None)  # it adds binaries z[p]; without it every size is an LP
    data["horizon"]["periods_per_year"] = spec["periods_per_year"]
    offers = []
    for r in range(spec["regions"]):
        for offer in data["offers"]:
            o = copy.deepcopy(offer)
            o["id"] = f"{offer['id']}-r{r + 1}"
            o["price_per_chip_hour"] = offer["price_per_chip_hour"] * (1.0 + 0.02 * r)
            offers.append(o)
    data["offers"] = offers
    start = data["horizon"]["start_year"]
    cases = []
    for case_id, mult, prob in zip(("low", "base", "high"), spec["scenarios"], SCENARIO_PROBABILITY, strict=True):
        case = {"id": case_id, "probability": prob}
        if mult != 1.0:
            case["demand_multiplier"] = {"*": {str(start): 1.0, str(start + 1): mult}}
        cases.append(case)
    data["scenarios"] = {"first_stage_years": 1, "cases": cases}
    return data


# ---------------------------------------------------------------------------------------------
# One measurement (child process)
# ---------------------------------------------------------------------------------------------

def _timer_total(timer, name: str) -> float:
    """Total seconds of every timer called ``name`` anywhere in a Pyomo ``HierarchicalTimer``."""
    total = 0.0
    stack = [timer]
    while stack:
        t = stack.pop()
        for key, sub in t.timers.items():
            if key == name:
                total += sub.total_time
            stack.append(sub)
    return total


def _vmhwm_mb() -> float | None:
    """This process image's own peak resident set (Linux ``VmHWM``), a cross-check of ``ru_maxrss``.

    ``ru_maxrss`` survives ``exec``, so a child's can never read below the RSS of the process that
    forked it; this driver imports only the standard library, so that floor is small.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def measure(route: str, instance_path: str, algorithm: str, time_limit: float | None = None) -> dict:
    """Run one route once in this (fresh) process; return its stage times and objective."""
    out: dict = {"route": route, "algorithm": algorithm}
    clock = time.perf_counter()
    import highspy
    import pyomo.environ as pyo

    import optimizer
    from optimizer.model import build_model
    from optimizer.solve.compile import compile_to_highs
    from optimizer.solve.highs import solve_model
    from optimizer.solve.options import SolveOptions

    if route == "appsi":
        from pyomo.contrib.appsi.solvers import Highs as AppsiHighs
    elif route == "contrib-solver":
        from pyomo.contrib.solver.common.factory import SolverFactory
    out["import"] = time.perf_counter() - clock

    t0 = time.perf_counter()
    inst = optimizer.load_instance(instance_path)
    t1 = time.perf_counter()
    prep = optimizer.prepare(inst)
    t2 = time.perf_counter()
    if route == "standard-form":
        built = build_model(prep)
    else:  # the other routes need every row in Pyomo: the row-block families as the tests' Pyomo oracle
        sys.path.insert(0, str(ROOT / "tests"))
        from support.pyomo_families import pyomo_registry

        built = build_model(prep, registry=pyomo_registry())
    model = built.model
    t3 = time.perf_counter()
    out |= {"load": t1 - t0, "prepare": t2 - t1, "build": t3 - t2}
    is_mip = built.is_mip
    gap = 1e-6  # procure's default MIP gap, so a MILP (small) is solved alike on every route

    if route == "standard-form":
        import optimizer.solve.highs

        # Wrap two of solve_model's steps (same calls, timed): the hand-off, which also keeps the
        # Highs object for its iteration counts, and the MILP's shadow-price LP (part of read-back).
        captured: dict = {"duals": 0.0}
        compile_once, duals_once = optimizer.solve.highs.compile_to_highs, optimizer.solve.highs.fixed_integer_duals

        def timed_compile(m):
            start = time.perf_counter()
            captured["h"], compiled = compile_once(m)
            captured["handoff"] = time.perf_counter() - start
            return captured["h"], compiled

        def timed_duals(*a, **k):
            start = time.perf_counter()
            try:
                return duals_once(*a, **k)
            finally:
                captured["duals"] += time.perf_counter() - start

        optimizer.solve.highs.compile_to_highs, optimizer.solve.highs.fixed_integer_duals = timed_compile, timed_duals
        try:
            raw = solve_model(built, SolveOptions(algorithm=algorithm, time_limit=time_limit))
        finally:
            optimizer.solve.highs.compile_to_highs = compile_once
            optimizer.solve.highs.fixed_integer_duals = duals_once
        t4 = time.perf_counter()
        h = captured["h"]
        out["handoff"] = captured["handoff"]
        out["solve"] = raw.timings["solve_s"]
        out["readback"] = (t4 - t3) - out["handoff"] - out["solve"]
        out["readback_duals"] = captured["duals"]
        out["status"] = str(raw.status)
        out["objective"] = raw.objective
    elif route == "lp-file":
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "model.lp")
            _, smap_id = model.write(path, format="lp", io_options={"symbolic_solver_labels": False})
            tw = time.perf_counter()
            out["lp_file_mb"] = os.path.getsize(path) / 2**20
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            if h.readModel(path) == highspy.HighsStatus.kError:
                raise RuntimeError("HiGHS could not read the LP file")
        tr = time.perf_counter()
        h.setOptionValue("mip_rel_gap", gap)
        h.setOptionValue("solver", algorithm)
        h.run()
        ts = time.perf_counter()
        # read back: the column values into the Pyomo variables, by the writer's labels
        symbols = model.solutions.symbol_map[smap_id].bySymbol
        sol = h.getSolution()
        for name, val in zip(h.getLp().col_names_, sol.col_value, strict=True):
            var = symbols.get(name)
            if var is not None:
                var.set_value(val, skip_validation=True)
        t4 = time.perf_counter()
        out |= {"write": tw - t3, "read": tr - tw, "handoff": tr - t3, "solve": ts - tr, "readback": t4 - ts}
        out["status"] = h.modelStatusToString(h.getModelStatus())
        out["objective"] = h.getInfo().objective_function_value
        out |= {"columns": h.getNumCol(), "rows": h.getNumRow(), "nonzeros": h.getNumNz()}
    elif route in ("appsi", "contrib-solver"):
        from pyomo.common.timing import HierarchicalTimer

        timer = HierarchicalTimer()
        if route == "appsi":
            opt = AppsiHighs()
            opt.config.mip_gap = gap
            opt.highs_options = {"solver": algorithm}
            res = opt.solve(model, timer=timer)
            objective = res.best_feasible_objective
            status = str(res.termination_condition)
        else:
            opt = SolverFactory("highs")
            res = opt.solve(model, timer=timer, rel_gap=gap, solver_options={"solver": algorithm})
            objective = res.incumbent_objective
            status = str(res.termination_condition)
        t4 = time.perf_counter()
        out["handoff"] = _timer_total(timer, "set_instance")
        out["solve"] = _timer_total(timer, "optimize")
        out["readback"] = (t4 - t3) - out["handoff"] - out["solve"]
        out["status"] = status
        out["objective"] = objective
        h = opt._solver_model  # the highspy.Highs object the interface filled
        out |= {"columns": h.getNumCol(), "rows": h.getNumRow(), "nonzeros": h.getNumNz()}
    else:
        raise ValueError(f"unknown route {route!r}")

    out["total"] = time.perf_counter() - t0
    info = h.getInfo()
    out["iterations"] = {"simplex": info.simplex_iteration_count, "ipm": info.ipm_iteration_count,
                         "crossover": info.crossover_iteration_count, "pdlp": info.pdlp_iteration_count}
    out["outside"] = out["total"] - out["solve"]
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["vmhwm_mb"] = _vmhwm_mb()
    out["is_mip"] = is_mip
    out["pyomo_vars"] = sum(1 for _ in model.component_data_objects(pyo.Var))
    out["pyomo_cons"] = sum(1 for _ in model.component_data_objects(pyo.Constraint))
    if route == "standard-form":
        # After the peak memory was read: compile again to count, and to split the hand-off. The
        # first compile also paid for imports Pyomo defers (scipy); these warm ones do not.
        from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

        t5 = time.perf_counter()
        h, _ = compile_to_highs(built)
        t6 = time.perf_counter()
        LinearStandardFormCompiler().write(model, mixed_form=True)
        t7 = time.perf_counter()
        out |= {"columns": h.getNumCol(), "rows": h.getNumRow(), "nonzeros": h.getNumNz(),
                "handoff_warm": t6 - t5, "compile_warm": t7 - t6}
    return out


# ---------------------------------------------------------------------------------------------
# Driver (parent process)
# ---------------------------------------------------------------------------------------------

def run_child(route: str, instance_path: Path, algorithm: str, timeout: float,
              time_limit: float | None = None) -> dict:
    cmd = [sys.executable, __file__, "--route", route, "--instance", str(instance_path), "--algorithm", algorithm]
    if time_limit is not None:
        cmd += ["--time-limit", str(time_limit)]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=False)
    except subprocess.TimeoutExpired:
        return {"route": route, "algorithm": algorithm, "error": f"timeout after {timeout:.0f} s"}
    wall = time.perf_counter() - start
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"route": route, "algorithm": algorithm, "error": " | ".join(tail)}
    result = json.loads(lines[-1][len("RESULT "):])
    result["process_wall"] = wall
    return result


def med(runs: list[dict], key: str) -> float:
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else float("nan")


def rel_diff(a: float, b: float) -> float:
    return abs(a - b) / max(1.0, abs(b))


def iterations(r: dict) -> str:
    """HiGHS's iteration counts of one run, e.g. ``simplex 81,234`` or ``ipm 40 + crossover 3,996``."""
    its = r.get("iterations") or {}
    parts = [f"{k} {v:,}" for k, v in its.items() if v and v > 0]
    return " + ".join(parts) or "—"


def fmt(x: float, digits: int = 2) -> str:
    return f"{x:,.{digits}f}"


def ratio(runs: list[dict], base: list[dict], key: str) -> float:
    """Median over repetitions of ``run[key] / standard-form run[key]`` within the same repetition."""
    pairs = [(r[key], b[key]) for r, b in zip(runs, base, strict=False)
             if "error" not in r and "error" not in b and b[key] > 0]
    return statistics.median(a / b for a, b in pairs) if pairs else float("nan")


def route_table(size: str, results: dict[str, list[dict]]) -> str:
    base = results["standard-form"]
    head = ("| size | route | load | prepare | build | hand-off | HiGHS solve | read-back | total | outside HiGHS "
            "| peak MB | total ÷ std-form | outside ÷ std-form |")
    lines = [head, "|---|---|" + "---:|" * 11]
    for route, runs in results.items():
        ok = [r for r in runs if "error" not in r]
        if not ok:
            lines.append(f"| {size} | {route} | " + " | ".join(["—"] * 10) + f" | {runs[0]['error']} |")
            continue
        cells = [fmt(med(ok, s)) for s in STAGES]
        lines.append(f"| {size} | {route} | " + " | ".join(cells) + f" | {fmt(med(ok, 'total'))} | "
                     f"{fmt(med(ok, 'outside'))} | {fmt(med(ok, 'peak_mb'), 0)} | "
                     f"{ratio(runs, base, 'total'):.2f} | {ratio(runs, base, 'outside'):.2f} |")
    return "\n".join(lines)


def report(data: dict) -> int:
    """Print the tables of one benchmark run (as saved by ``--json``); 1 if a check failed."""
    size, results, algos = data["size"], data["routes"], data["algorithms"]
    repeat = max((len(v) for v in (*results.values(), *algos.values())), default=0)
    failures: list[str] = []
    runs_all = [r for runs in (*results.values(), *algos.values()) for r in runs]
    failures += [f"{r['route']}/{r['algorithm']}: {r['error']}" for r in runs_all if "error" in r]
    # every route and every algorithm but pdlp must reach the same objective
    good = [r for runs in results.values() for r in runs if "error" not in r]
    good += [r for alg, runs in algos.items() if alg != "pdlp" for r in runs if "error" not in r]
    failures += [f"{r['route']}/{r['algorithm']}: no objective ({r['status']})" for r in good if r["objective"] is None]
    good = [r for r in good if r["objective"] is not None]
    if not good:
        print("no successful run")
        return 1
    reference = good[0]["objective"]
    failures += [f"{r['route']}/{r['algorithm']}: objective {r['objective']!r} ≠ {reference!r}"
                 for r in good if rel_diff(r["objective"], reference) > REL_TOL]
    first = good[0]
    print(f"\n{size}: Pyomo {first['pyomo_vars']:,} variables, {first['pyomo_cons']:,} constraints; "
          f"HiGHS {first['columns']:,} columns, {first['rows']:,} rows, {first['nonzeros']:,} nonzeros"
          f"{' (MILP)' if first['is_mip'] else ' (LP)'}; {data.get('note', '')}")
    print(f"objective ($M): {reference:,.6f}; max relative difference over {len(good)} runs "
          f"(pdlp excluded): {max(rel_diff(r['objective'], reference) for r in good):.1e}")
    if any(results.values()):
        print(f"\nMedians of {repeat} fresh processes, seconds (each column its own median; import not included; "
              "hand-off = built model → HiGHS ready, read-back = solution → Python; ratios: median of "
              "per-repetition ratios):\n")
        print(route_table(size, results))
        print("\nImport (s), peak memory cross-check, counts as HiGHS sees them, objective ($M):\n")
        print("| route | import | peak MB (VmHWM) | columns | rows | nonzeros | objective | HiGHS iterations per run |")
        print("|---|---:|---:|---:|---:|---:|---:|---|")
        for route, runs in results.items():
            ok = [r for r in runs if "error" not in r]
            if ok:
                its = "; ".join(iterations(r) for r in ok)
                print(f"| {route} | {fmt(med(ok, 'import'))} | {fmt(med(ok, 'vmhwm_mb'), 0)} | {ok[0]['columns']:,} | "
                      f"{ok[0]['rows']:,} | {ok[0]['nonzeros']:,} | {ok[0]['objective']:,.6f} | {its} |")
        std = [r for r in results["standard-form"] if "error" not in r]
        if std:
            print(f"\nstandard-form hand-off: {med(std, 'handoff'):.2f} s in the run; compiled again afterwards "
                  f"(warm): compile_to_highs {med(std, 'handoff_warm'):.2f} s, of which LinearStandardFormCompiler "
                  f"{med(std, 'compile_warm'):.2f} s. Read-back {med(std, 'readback'):.2f} s, of which the "
                  f"MILP shadow-price LP {med(std, 'readback_duals'):.2f} s.")
        lp = [r for r in results.get("lp-file", []) if "error" not in r]
        if lp:
            print(f"\nLP file: {med(lp, 'lp_file_mb'):.1f} MB; write {med(lp, 'write'):.2f} s, "
                  f"read {med(lp, 'read'):.2f} s")
    if algos:
        print(f"\nHiGHS algorithm on the standard-form route ({size}), medians of {repeat}:\n")
        print("| algorithm | HiGHS solve (s) | runs: s (iterations) | objective ($M) | rel. diff | within 1e-6 |")
        print("|---|---:|---|---:|---:|---|")
        for alg, runs in algos.items():
            ok = [r for r in runs if "error" not in r]
            if not ok:
                print(f"| {alg} | — | {runs[0]['error']} | — | — | — |")
                continue
            each = "; ".join(f"{r['solve']:.1f} ({iterations(r)})" for r in ok)
            solved = [r for r in ok if r["objective"] is not None]
            if not solved:
                print(f"| {alg} | {fmt(med(ok, 'solve'))} | {each} | none ({ok[0]['status']}) | — | no |")
                continue
            diffs = [rel_diff(r["objective"], reference) for r in solved]
            objective = statistics.median(r["objective"] for r in solved)
            print(f"| {alg} | {fmt(med(ok, 'solve'))} | {each} | {objective:,.4f} ({len(solved)}/{len(ok)} "
                  f"{ok[0]['status']}) | {max(diffs):.1e} | {'yes' if max(diffs) <= REL_TOL else 'no'} |")
    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures))
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=tuple(SIZES), default="medium")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--routes", default=",".join(ROUTES), help="comma-separated subset of " + ", ".join(ROUTES))
    ap.add_argument("--route-algorithm", choices=ALGORITHMS,
                    help="HiGHS LP method for the route comparison (default: choose; ipm for large)")
    ap.add_argument("--algorithms", action="store_true",
                    help="also time every HiGHS LP algorithm on the standard-form route")
    ap.add_argument("--pdlp-time-limit", type=float, default=300.0, help="HiGHS time limit for pdlp (s)")
    ap.add_argument("--skip-routes", action="store_true", help="only the algorithm comparison")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per child run")
    ap.add_argument("--json", type=Path, help="save every raw measurement here")
    ap.add_argument("--report", type=Path, help="print the tables of a saved --json run; measure nothing")
    ap.add_argument("--route", help=argparse.SUPPRESS)
    ap.add_argument("--instance", help=argparse.SUPPRESS)
    ap.add_argument("--algorithm", default="choose", help=argparse.SUPPRESS)
    ap.add_argument("--time-limit", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.route:  # child: one measurement, one JSON line
        print("RESULT " + json.dumps(measure(args.route, args.instance, args.algorithm, args.time_limit)),
              flush=True)
        return 0
    if args.report:
        return report(json.loads(args.report.read_text()))
    route_algorithm = args.route_algorithm or (SIZES[args.size] or {}).get("algorithm", "choose")
    note = (f"{time.strftime('%Y-%m-%d %H:%M')}, python {sys.version.split()[0]}, {os.cpu_count()} CPUs; "
            f"routes solved with HiGHS solver={route_algorithm}")
    routes = [r.strip() for r in args.routes.split(",") if r.strip()]
    if "standard-form" not in routes:
        routes.insert(0, "standard-form")
    results: dict[str, list[dict]] = {r: [] for r in routes} if not args.skip_routes else {}
    algos: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        instance_path = Path(tmp) / f"{args.size}.json"
        instance_path.write_text(json.dumps(generate(args.size)))
        print(f"# {args.size}: {instance_path.stat().st_size / 1024:.0f} kB of JSON; {note}", flush=True)
        for rep in range(args.repeat if results else 0):  # interleaved: load drifts hit every route alike
            for route in routes:
                r = run_child(route, instance_path, route_algorithm, args.timeout)
                results[route].append(r)
                summary = r.get("error") or (f"total {r['total']:.2f} s, solve {r['solve']:.2f} s, "
                                             f"outside {r['outside']:.2f} s, obj {r['objective']:.6f}")
                print(f"  [{rep + 1}/{args.repeat}] {route:15s} {summary}", flush=True)
        for rep in range(args.repeat if args.algorithms else 0):
            for alg in ALGORITHMS:
                limit = args.pdlp_time_limit if alg == "pdlp" else None
                r = run_child("standard-form", instance_path, alg, args.timeout, limit)
                algos.setdefault(alg, []).append(r)
                summary = r.get("error") or f"solve {r['solve']:.2f} s, obj {r['objective']}, {r['status']}"
                print(f"  [{rep + 1}/{args.repeat}] algorithm {alg:8s} {summary}", flush=True)
    data = {"size": args.size, "note": note, "routes": results, "algorithms": algos}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, indent=1))
    return report(data)


if __name__ == "__main__":
    sys.exit(main())
