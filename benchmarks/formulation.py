"""Which LP HiGHS solves fastest, and how far procure's whole solve is from it (issue 13).

    .venv/bin/python benchmarks/formulation.py [--instances small,medium,monthly,large] [--repeat 3]
        [--variants covering,substituted,recursion] [--algorithms auto,simplex] [--json PATH]

Instances are ``procure generate`` presets (seed 0, or ``preset:knob=v/knob=v``), ``monthly`` for
``../shared/bench/monthly-124k.json``, or paths to instance files. Each repetition runs, each in a
fresh process of this script (hidden ``--child``), interleaved so machine noise hits them alike:

- ``bare:VARIANT``: the independent formulation of ``benchmarks/bare_covering.py`` (written from the
  spec, no code shared with ``optimizer/``) with HiGHS's defaults; VARIANT is how active chips
  are written (covering sums, substituted, recursion). Its HiGHS time is the physical limit.
- ``procure:ALGORITHM``: ``optimizer.solve`` with ``--algorithm ALGORITHM`` then ``Solution.write``
  (``benchmarks/scale.py``'s procure child: load → solution.json written, import left out).

The goal of issue 13: procure's total ≤ 1.3× the fastest bare HiGHS time on ``monthly`` and
``large``, and procure's peak memory ≤ 2× the bare route's. Every route must reach the same
objective (1e-6 relative). Medians of ``--repeat`` runs; Markdown tables on stdout.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scale import Clock, child_procure, generated, launch, machine, peak_mb, rel  # noqa: E402

MONTHLY = ROOT.parent / "shared" / "bench" / "monthly-124k.json"
REL_TOL = 1e-6


def child_bare(instance: str, variant: str) -> dict:
    clock = Clock()
    import bare_covering
    clock.lap("import")
    data = json.loads(Path(instance).read_text())
    r = bare_covering.solve(data, variant)
    return {**r, "objective": r["objective_usd"] / 1e6, "seconds": {"build": r["build_s"], "handoff": r["handoff_s"],
            "solve": r["highs_s"]}, "peak_mb": peak_mb()}


def instance_file(name: str, tmp: Path) -> Path:
    if name == "monthly":
        return MONTHLY
    if Path(name).suffix == ".json":
        return Path(name)
    path = tmp / (name.replace(":", "_").replace("/", "_").replace("=", "-") + ".json")
    path.write_text(json.dumps(generated(name, 0)))
    return path


def run(route: str, path: Path, timeout: float) -> dict:
    kind, _, how = route.partition(":")
    args = [sys.executable, __file__, "--child", kind, "--how", how, "--instance", str(path)]
    proc, result = launch(args, timeout)
    if result is None:
        raise RuntimeError(f"{route} on {path} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    result["total_s"] = sum(v for k, v in result["seconds"].items() if k != "import")
    return result


def report(results: dict, command: str) -> str:
    lines = [f"Command: `{command}`", f"Machine: {machine()}", "",
             "| instance | route | columns | rows | non-zeros | n | HiGHS s | simplex iter. | total s | peak MB |"
             " objective ($M) |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    ratios = ["| instance | fastest bare | its HiGHS s (CPU s) | procure route | procure total s (CPU s) |"
              " procure total / fastest bare HiGHS | the same in CPU time | procure peak / bare peak |",
              "|---|---|---:|---|---:|---:|---:|---:|"]
    for name, routes in results.items():
        med = {r: {k: statistics.median(run.get(k, 0.0) for run in runs)
                  for k in ("highs_s", "total_s", "peak_mb", "highs_cpu_s", "cpu_s")}
               | {k: runs[0].get(k) for k in ("columns", "rows", "nonzeros", "objective", "iterations")}
               | {"n": len(runs)} for r, runs in routes.items()}
        for r, m in med.items():
            lines.append(f"| {name} | {r} | {m['columns']:,} | {m['rows']:,} | {m['nonzeros']:,} | {m['n']} | "
                         f"{m['highs_s']:.2f} | {m['iterations'] if m['iterations'] is not None else '–'} | "
                         f"{m['total_s']:.2f} | {m['peak_mb']:,.0f} | {m['objective']:,.4f} |")
        bare = {r: m for r, m in med.items() if r.startswith("bare")}
        if not bare:
            continue
        best = min(bare, key=lambda r: bare[r]["highs_s"])
        for r, m in med.items():
            if r.startswith("procure"):
                fast = bare[best]
                ratios.append(f"| {name} | {best} | {fast['highs_s']:.2f} ({fast['highs_cpu_s']:.2f}) | {r} | "
                              f"{m['total_s']:.2f} ({m['cpu_s']:.2f}) | {m['total_s'] / fast['highs_s']:.2f} | "
                              f"{m['cpu_s'] / fast['highs_cpu_s']:.2f} | {m['peak_mb'] / fast['peak_mb']:.2f} |")
    return "\n".join([*lines, "", *ratios])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", default="small,medium,monthly,large")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--variants", default="covering,substituted,recursion")
    ap.add_argument("--algorithms", default="auto,simplex")
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--child", choices=("bare", "procure"), help=argparse.SUPPRESS)
    ap.add_argument("--how", help=argparse.SUPPRESS)
    ap.add_argument("--instance", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        if args.child == "bare":
            result = child_bare(args.instance, args.how)
        else:
            import optimizer.api  # noqa: F401  (imports left out of the CPU time, as of the wall time)
            cpu = time.process_time()
            result = child_procure(args.instance, True, args.how)
            result.update(iterations=None, cpu_s=time.process_time() - cpu)
        print(json.dumps(result), flush=True)
        return
    command = ".venv/bin/python benchmarks/formulation.py " + " ".join(sys.argv[1:])
    routes = [f"bare:{v}" for v in args.variants.split(",") if v] + \
             [f"procure:{a}" for a in args.algorithms.split(",") if a]
    tmp = Path(tempfile.mkdtemp(prefix="procure-formulation-"))
    results: dict[str, dict[str, list[dict]]] = {}
    for name in [n for n in args.instances.split(",") if n]:
        path = instance_file(name, tmp)
        results[name] = {r: [] for r in routes}
        for rep in range(args.repeat):
            for route in routes:
                r = run(route, path, args.timeout)
                results[name][route].append(r)
                print(f"{time.strftime('%H:%M:%S')} {name} #{rep + 1} {route:<18} HiGHS {r['highs_s']:8.2f} s  "
                      f"total {r['total_s']:8.2f} s  peak {r['peak_mb']:7,.0f} MB  {r['objective']:.6f}",
                      file=sys.stderr, flush=True)
        ref = results[name][routes[0]][0]["objective"]
        for route, runs in results[name].items():
            if rel(runs[0]["objective"], ref) > REL_TOL:
                print(f"WARNING: {name}: {route} objective {runs[0]['objective']} differs from {ref}", file=sys.stderr)
        if args.json:
            args.json.write_text(json.dumps({"command": command, "machine": machine(), "results": results}, indent=1))
    print(report(results, command))


if __name__ == "__main__":
    main()
