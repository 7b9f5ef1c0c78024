"""Which HiGHS LP method and options solve procure's LPs fastest, by measurement (issue 5).

    .venv/bin/python benchmarks/algorithms.py [--sizes medium,large] [--repeat 3] [--seed 0]
                                              [--pdlp-time-limit 300] [--timeout 1200] [--json PATH]

For each size (``optimizer.generate`` presets, as ``procure generate --size S --seed 0``; all LPs),
procure's compiled LP is exported once, untimed, to an ``.npz`` by ``benchmarks/scale.py``'s export
child (``Highs.getLp()``: costs, bounds, CSC arrays). Each configuration below then solves it in a
fresh process of this script (hidden ``--child`` flag) through ``scale.child_bare`` (``np.load``,
fill a ``HighsLp``, ``passModel``, set options, ``run``, read the solution back), one process per
configuration and repetition. Within each repetition every configuration runs once, the order
rotated by one from one repetition to the next so that machine noise and position hit them alike.

Configurations (on top of procure's settings: ``output_flag`` off, ``mip_rel_gap`` 1e-6, presolve on):

- ``choose``: ``solver=choose``, HiGHS's default and procure's (the reference);
- ``simplex-dual`` / ``simplex-primal``: ``solver=simplex``, ``simplex_strategy`` 1 / 4;
- ``ipm`` / ``ipm-no-crossover``: ``solver=ipm``, ``run_crossover`` on / off;
- ``ipm-early-crossover``: ``solver=ipm`` with crossover started at a 1e-6 relative gap
  (``start_crossover_tolerance``; HiGHS's default 1e-8): what procure's ``--algorithm auto`` runs
  on LPs of ``optimizer.highs.IPM_FROM_COLUMNS`` columns or more;
- ``pdlp``: ``solver=pdlp`` with ``time_limit`` ``--pdlp-time-limit`` (default 300 s);
- ``choose-no-presolve``: ``solver=choose``, ``presolve=off``.

Recorded per run: wall time of ``Highs.run()``, HiGHS's model status and objective (model units,
$M), simplex / IPM / crossover / PDLP iteration counts, the largest primal and dual infeasibility
(absolute and relative) from ``getInfo()``, whether row duals and a basis come back (procure reads
row duals for shadow prices; its re-solves warm-start from the basis), and the child's peak
resident memory (``VmHWM``, ``scale.peak_mb``; interpreter and imports included).

Every configuration that reports ``Optimal`` must reach ``choose``'s objective to 1e-6 relative; a
miss is printed as ``MISMATCH`` under the table. ``ipm-no-crossover`` and ``pdlp`` return no vertex
solution: their tables show the relative objective error and infeasibilities to judge them by. A
child that exceeds ``--timeout`` is recorded as such and that configuration is not run again at
that size. Prints one Markdown table per size; ``--json`` saves every raw measurement.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import scale  # noqa: E402  (benchmarks/scale.py: export child, bare child, peak memory, machine line)

CONFIGS: dict[str, dict[str, Any]] = {
    "choose": {"solver": "choose"},
    "simplex-dual": {"solver": "simplex", "simplex_strategy": 1},
    "simplex-primal": {"solver": "simplex", "simplex_strategy": 4},
    "ipm": {"solver": "ipm", "run_crossover": "on"},
    "ipm-no-crossover": {"solver": "ipm", "run_crossover": "off"},
    # procure's ``auto`` on big LPs: crossover from a 1e-6 gap (optimizer.highs.START_CROSSOVER)
    "ipm-early-crossover": {"solver": "ipm", "run_crossover": "on", "start_crossover_tolerance": 1e-6},
    "pdlp": {"solver": "pdlp"},  # + time_limit from --pdlp-time-limit
    "choose-no-presolve": {"solver": "choose", "presolve": "off"},
}
REFERENCE = "choose"
NOT_VERTEX = ("ipm-no-crossover", "pdlp")  # no basis: judged by objective error and infeasibilities
REL_TOL = scale.REL_TOL  # 1e-6


def options(config: str, pdlp_time_limit: float) -> dict[str, Any]:
    """HiGHS options of one configuration (set over ``scale.HIGHS_OPTIONS``)."""
    opts = dict(CONFIGS[config])
    if config == "pdlp":
        opts["time_limit"] = float(pdlp_time_limit)
    return opts


def inspect(h: Any) -> dict[str, Any]:
    """What ``getInfo()``, ``getSolution()`` and ``getBasis()`` say about the run just finished."""
    info, sol, basis = h.getInfo(), h.getSolution(), h.getBasis()
    return {
        "run_time_s": h.getRunTime(),
        "iterations": {"simplex": info.simplex_iteration_count, "ipm": info.ipm_iteration_count,
                       "crossover": info.crossover_iteration_count, "pdlp": info.pdlp_iteration_count},
        "max_primal_infeasibility": info.max_primal_infeasibility,
        "max_dual_infeasibility": info.max_dual_infeasibility,
        "max_relative_primal_infeasibility": info.max_relative_primal_infeasibility,
        "max_relative_dual_infeasibility": info.max_relative_dual_infeasibility,
        "primal_dual_objective_error": info.primal_dual_objective_error,
        "primal_solution_status": info.primal_solution_status,
        "dual_solution_status": info.dual_solution_status,
        "value_valid": bool(sol.value_valid), "dual_valid": bool(sol.dual_valid), "basis_valid": bool(basis.valid),
        "options": {k: h.getOptionValue(k)[1] for k in ("solver", "presolve", "simplex_strategy", "run_crossover",
                                                        "time_limit", "threads")},
    }


def child(config: str, npz: str, pdlp_time_limit: float) -> dict[str, Any]:
    out = scale.child_bare(npz, True, options(config, pdlp_time_limit), inspect)
    out["config"] = config
    return out


def run_child(config: str, npz: Path, pdlp_time_limit: float, timeout: float) -> dict[str, Any]:
    """One configuration in a fresh process; a timeout or a crash is recorded, not raised."""
    cmd = [sys.executable, __file__, "--child", config, "--npz", str(npz), "--pdlp-time-limit", str(pdlp_time_limit)]
    try:
        proc, result = scale.launch(cmd, timeout)
    except subprocess.TimeoutExpired:
        return {"config": config, "error": f"timeout after {timeout:.0f} s", "timeout": True}
    if result is None:
        return {"config": config, "error": f"exit {proc.returncode}: {proc.stderr.strip()[-500:]}"}
    return result


def procure_version() -> str:
    """The commit procure's LP is exported from, and whether ``optimizer/`` differs from it."""
    def git(*a: str) -> str:
        proc = subprocess.run(["git", *a], capture_output=True, text=True, cwd=ROOT, check=False)
        return proc.stdout.strip() if proc.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "optimizer")
    return f"{commit} ({'optimizer/ modified' if dirty else 'optimizer/ as committed'})"


# --- summary and report ---------------------------------------------------------------------------

def iterations(its: dict[str, float]) -> str:
    """Median iteration counts, e.g. ``simplex 81,234`` or ``ipm 40 + crossover 3,996``."""
    parts = [f"{name} {its[name]:,.0f}" for name in ("simplex", "ipm", "crossover", "pdlp") if its.get(name)]
    return " + ".join(parts) or "0"


def summarise(runs: list[dict[str, Any]], ref_objective: float | None, ref_time: float | None) -> dict[str, Any]:
    ok = [r for r in runs if "error" not in r]
    s: dict[str, Any] = {"n": len(ok), "errors": [r["error"] for r in runs if "error" in r]}
    statuses = sorted({r["status"] for r in ok})
    s["status"] = ", ".join(statuses) + ("" if not s["errors"] else ("; " if ok else "") + s["errors"][0])
    if not ok:
        return s
    times = [r["highs_s"] for r in ok]
    s.update(median_s=statistics.median(times), min_s=min(times), max_s=max(times),
             iterations={k: statistics.median(r["iterations"][k] for r in ok) for k in ok[0]["iterations"]},
             peak_mb=statistics.median(r["peak_mb"] for r in ok),
             rel_diff=max(scale.rel(r["objective"], ref_objective) for r in ok),
             objective=ok[0]["objective"],
             max_primal_inf=max(r["max_primal_infeasibility"] for r in ok),
             max_dual_inf=max(r["max_dual_infeasibility"] for r in ok),
             max_rel_primal_inf=max(r["max_relative_primal_infeasibility"] for r in ok),
             max_rel_dual_inf=max(r["max_relative_dual_infeasibility"] for r in ok),
             duals=all(r["dual_valid"] for r in ok), basis=all(r["basis_valid"] for r in ok),
             ratio=statistics.median(times) / ref_time if ref_time else float("nan"))
    return s


def mismatches(size: str, runs: dict[str, list[dict[str, Any]]], ref_objective: float | None) -> list[str]:
    """Every run reporting Optimal whose objective is more than 1e-6 (relative) off choose's."""
    out = []
    for config, rs in runs.items():
        for i, r in enumerate(rs):
            if "error" in r or r["status"] != "Optimal":
                continue
            d = scale.rel(r["objective"], ref_objective)
            if not d <= REL_TOL:
                out.append(f"MISMATCH: {size} {config} run {i + 1}: status Optimal, objective {r['objective']!r} "
                           f"vs choose {ref_objective!r} (relative {d:.1e} > {REL_TOL:.0e})")
    return out


def fmt_e(x: float | None) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.1e}"


def table(size: str, res: dict[str, Any]) -> list[str]:
    ref = res["reference_objective"]
    objective = "–" if ref is None else f"{ref:,.4f}"
    lines = [f"**{size}**: {res['columns']:,} columns, {res['rows']:,} rows, {res['nonzeros']:,} non-zeros "
             f"(medians of {res['repeat']}; choose's objective {objective} $M; procure at {res['procure']})", "",
             "| configuration | status | median run s | min–max s | iterations | peak MB | objective rel. diff "
             "| max primal / dual infeas., abs. (rel.) | duals / basis | ratio to choose |",
             "|---|---|---:|---:|---|---:|---:|---|---|---:|"]
    for config, s in res["summary"].items():
        if not s["n"]:
            lines.append(f"| {config} | {s['status']} | – | – | – | – | – | – | – | – |")
            continue
        duals = ("duals" if s["duals"] else "no duals") + ", " + ("basis" if s["basis"] else "no basis")
        n = "" if s["n"] == res["repeat"] else f" (n={s['n']})"
        lines.append(f"| {config} | {s['status']}{n} "
                     f"| {s['median_s']:.2f} | {s['min_s']:.2f}–{s['max_s']:.2f} | {iterations(s['iterations'])} "
                     f"| {s['peak_mb']:,.0f} | {fmt_e(s['rel_diff'])} "
                     f"| {fmt_e(s['max_primal_inf'])} ({fmt_e(s['max_rel_primal_inf'])}) "
                     f"/ {fmt_e(s['max_dual_inf'])} ({fmt_e(s['max_rel_dual_inf'])}) | {duals} | {s['ratio']:.2f} |")
    lines += [""] + (res["mismatches"] or [f"All configurations reporting Optimal reach choose's objective "
                                           f"to {REL_TOL:.0e} relative."])
    return lines


def report(results: dict[str, Any], command: str, where: str) -> str:
    lines = [f"Command: `{command}`", f"Machine: {where}", ""]
    for size, res in results.items():
        lines += [*table(size, res), ""]
    return "\n".join(lines).rstrip() + "\n"


# --- the parent -----------------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="medium,large")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated subset of the configurations")
    ap.add_argument("--pdlp-time-limit", type=float, default=300.0, help="HiGHS time limit for pdlp (s)")
    ap.add_argument("--timeout", type=float, default=1200.0, help="seconds for one child process")
    ap.add_argument("--json", type=Path, help="save every measurement here")
    ap.add_argument("--child", choices=tuple(CONFIGS), help=argparse.SUPPRESS)
    ap.add_argument("--npz", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        print(json.dumps(child(args.child, args.npz, args.pdlp_time_limit)), flush=True)
        return

    command = ".venv/bin/python benchmarks/algorithms.py " + " ".join(sys.argv[1:])
    sizes = [s for s in args.sizes.split(",") if s]
    configs = [c for c in args.configs.split(",") if c]
    if unknown := set(configs) - set(CONFIGS):
        ap.error(f"unknown configurations: {', '.join(sorted(unknown))}")
    if REFERENCE not in configs:
        configs.insert(0, REFERENCE)
    tmp = Path(tempfile.mkdtemp(prefix="procure-algorithms-"))
    results: dict[str, Any] = {}
    for size in sizes:
        paths = scale.write_instance(tmp, size, args.seed)
        version = procure_version()
        meta = scale.run_child("export", size, paths, True, args.timeout)
        print(f"{size}: {meta['columns']:,} columns, {meta['rows']:,} rows, {meta['nonzeros']:,} non-zeros, "
              f"{meta['integers']} integer; procure at {version}", file=sys.stderr, flush=True)
        runs: dict[str, list[dict[str, Any]]] = {c: [] for c in configs}
        timed_out: set[str] = set()
        for rep in range(args.repeat):
            order = configs[rep % len(configs):] + configs[:rep % len(configs)]
            for config in order:
                if config in timed_out:
                    continue
                r = run_child(config, paths["npz"], args.pdlp_time_limit, args.timeout)
                runs[config].append(r)
                if r.get("timeout"):
                    timed_out.add(config)
                if "error" in r:
                    print(f"{size} #{rep + 1} {config:<19} {r['error']}", file=sys.stderr, flush=True)
                else:
                    print(f"{size} #{rep + 1} {config:<19} run {r['highs_s']:8.2f} s  {r['status']:<20} "
                          f"{iterations(r['iterations']):<32} peak {r['peak_mb']:6,.0f} MB  "
                          f"objective {r['objective']!r}", file=sys.stderr, flush=True)
        ref_runs = [r for r in runs[REFERENCE] if "error" not in r]
        ref_obj = ref_runs[0]["objective"] if ref_runs else None
        ref_time = statistics.median(r["highs_s"] for r in ref_runs) if ref_runs else None
        summary = {c: summarise(rs, ref_obj, ref_time) for c, rs in runs.items()}
        found = mismatches(size, runs, ref_obj)
        for line in found:
            print(line, file=sys.stderr, flush=True)
        results[size] = {**meta, "procure": version, "repeat": args.repeat, "reference_objective": ref_obj,
                         "summary": summary, "mismatches": found, "runs": runs}
        for p in paths.values():
            p.unlink(missing_ok=True)
    tmp.rmdir()

    where = scale.machine()
    text = report(results, command, where)
    print(text)
    if args.json:
        args.json.write_text(json.dumps({"command": command, "machine": where, "configs": CONFIGS,
                                         "pdlp_time_limit": args.pdlp_time_limit, "timeout": args.timeout,
                                         "results": results, "report": text}, indent=1))


if __name__ == "__main__":
    main()
