"""What spec v2's existing contracts, shared supply and risk cost in solve time (issue 14).

    .venv/bin/python benchmarks/v2_features.py [--size large] [--seed 0] [--repeat 3]
        [--variants base,v2,existing,supply,risk] [--keep DIR] [--json PATH]

The goal of issue 14: a v2 instance of the size of ``procure generate --size large`` with
``existing_contracts`` (§10.3), ``supply`` (§10.4) and ``risk`` (§10.7) solves within 1.2× of the
same instance without them. The instances compared:

- ``base``: ``optimizer.generate`` of ``--size`` (seed ``--seed``). Risk needs scenarios, so a preset
  without any (small, medium) is generated with the generator's ``scenarios=3`` knob (the same
  three demand cases, first stage one year, that ``large`` has): both variants share them.
- ``v2``: the base plus, built from the base's own numbers (:func:`add_v2`), four existing
  contracts (a few providers' current capacity: two started before the horizon, one later in year
  0 at a negotiated price, one starting in year 1), three ``supply`` entries (chips a year of one
  provider's newer chips, MW a year of one provider's chips, MW a year of the newer family over all
  providers; loose enough to stay feasible, binding in some years and scenarios) and
  ``risk`` ``{"cvar_alpha": 0.9, "weight": 0.3}``. Still an LP (no ``max_providers``, no integers).
- optionally (``--variants``) ``existing``, ``supply``, ``risk``: the base with that one v2 feature,
  to see which of them costs the time.

Before timing, the v2 instance is checked once, untimed: ``procure validate`` and ``procure solve
--out`` (optimal, an LP, with its binding shared-supply rows and CVaR reported). Then each
repetition solves every variant, interleaved, each in a fresh process of this script (hidden
``--child``) that runs ``benchmarks/scale.py``'s procure child: ``optimizer.solve`` with procure's
defaults and ``Solution.write`` into a temporary folder, i.e. ``procure solve --out``, with stage
timings. Measured per run: the child process's wall time (interpreter start and imports included),
its CPU time (user + system, ``resource.getrusage(RUSAGE_CHILDREN)`` before and after), procure's
own total (load → solution written, imports left out) split into build (prepare + build + hand-off
to HiGHS) and HiGHS's solve, and peak resident memory (the child's ``VmHWM``). The script prints
a Markdown table of medians with the ratios to base, and whether v2 / base ≤ 1.2 (wall and CPU).
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scale import child_procure, generated, launch, machine  # noqa: E402

PROCURE = ROOT / ".venv" / "bin" / "procure"
RISK = {"cvar_alpha": 0.9, "weight": 0.3}
GOAL = 1.2


# --- the instances ---------------------------------------------------------------------------------

def base_instance(size: str, seed: int) -> dict:
    """The generated instance of ``size``, with the generator's three demand cases if it has none."""
    inst = generated(size, seed)
    if "scenarios" not in inst:
        inst = generated(f"{size}:scenarios=3", seed)
    return inst


def _offer(inst: dict, provider: str, term: int, generation: int) -> dict:
    """An offer of ``provider`` with the term closest to ``term`` months, of the chip generation closest to
    ``generation`` (ties: the first such offer, i.e. region 0)."""
    family = {c["id"]: int(c["family"].removeprefix("gen")) for c in inst["chips"]}
    own = [o for o in inst["offers"] if o["provider"] == provider]
    return min(own, key=lambda o: (abs(family[o["chip"]] - generation), abs(o["term_months"] - term)))


def add_v2(base: dict) -> dict:
    """The base instance with existing contracts, shared supply and risk, sized from its own numbers."""
    inst = copy.deepcopy(base)
    y0 = inst["horizon"]["start_year"]
    years = [str(y0 + y) for y in range(inst["horizon"]["years"])]
    kw = {c["id"]: c["power_kw"] for c in inst["chips"]}
    providers = [p["id"] for p in inst["providers"]]
    power = {p["id"]: p["power_mw"] for p in inst["providers"]}

    def chips_for(provider: str, share: float, offer: dict) -> int:  # a share of the provider's year-0 MW
        return int(round(share * power[provider][years[0]] * 1000 / kw[offer["chip"]], -3))

    # (provider index, term months, chip generation, start, share of year-0 power, price factor or None)
    plan = [(0, 36, 0, f"{y0 - 2}-07", 0.15, None),  # 18 months left at the start
            (1, 12, 0, f"{y0 - 1}-10", 0.10, None),  # 9 months left
            (2, 12, 1, f"{y0}-07", 0.05, 0.9),  # starts mid-year 0, a negotiated price
            (3, 36, 1, f"{y0 + 1}-01", 0.08, None)]  # starts in year 1
    existing = []
    for i, term, generation, start, share, discount in plan:
        provider = providers[i % len(providers)]
        offer = _offer(inst, provider, term, generation)
        contract = {"offer": offer["id"], "chips": chips_for(provider, share, offer), "start": start}
        if discount is not None:
            contract["price_per_chip_hour"] = round(offer["price_per_chip_hour"] * discount, 4)
        existing.append(contract)
    inst["existing_contracts"] = existing

    newest = inst["chips"][-1]["family"]
    first, second = providers[0], providers[1 % len(providers)]
    generation = {c["id"]: c["family"] for c in inst["chips"]}
    newer = max({o["chip"] for o in inst["offers"] if o["provider"] == first}, key=lambda c: (generation[c], c))
    total = {y: sum(power[p][y] for p in providers) for y in years}
    inst["supply"] = [
        # the first provider's deliveries of its newest chip: 10 % of its power a year, in chips
        {"provider": first, "chips": [newer],
         "max_new_chips": {y: round(0.1 * power[first][y] * 1000 / kw[newer], -3) for y in years}},
        # the second provider's deliveries of every chip: 80 % of its power a year, in MW
        {"provider": second, "chips": sorted({c["family"] for c in inst["chips"]}),
         "max_new_mw": {y: round(0.8 * power[second][y], 1) for y in years}},
        # the newest family over every provider: 16 % of all power a year from year 1 (year 0 unlimited in effect)
        {"chips": [newest], "max_new_mw": {y: round((1.0 if y == years[0] else 0.16) * total[y], 1) for y in years}},
    ]
    inst["risk"] = dict(RISK)
    inst["name"] += "-v2"
    inst["description"] = inst.get("description", "") + "; + existing contracts, supply, risk (issue 14)"
    return inst


def check_v2(path: Path, timeout: float) -> dict:
    """Untimed: ``procure validate`` and ``procure solve --out`` of the v2 instance must succeed with an optimal
    LP; returns what its supply, existing contracts and risk did."""
    proc = subprocess.run([str(PROCURE), "validate", str(path)], capture_output=True, text=True, timeout=timeout,
                          check=False)
    if proc.returncode != 0:
        raise SystemExit(f"procure validate {path} failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")
    with tempfile.TemporaryDirectory(prefix="procure-v2-check-") as out:
        proc = subprocess.run([str(PROCURE), "solve", str(path), "--out", out, "-q"], capture_output=True, text=True,
                              timeout=timeout, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"the v2 instance does not solve (exit {proc.returncode}):\n{proc.stdout[-3000:]}"
                             f"{proc.stderr[-3000:]}")
        sol = json.loads((Path(out) / "solution.json").read_text())
        if sol["status"] != "optimal" or sol["mip_gap"] is not None:
            raise SystemExit(f"the v2 instance is not an LP solved to optimality: {sol['status']}, "
                             f"gap {sol['mip_gap']}")
        with open(Path(out) / "binding.csv", newline="") as f:
            supply = [row for row in csv.DictReader(f) if row["limit"] == "shared supply"]
    return {"objective_usd": sol["objective_usd"], "expected_cost_usd": sol.get("expected_cost_usd"),
            "cvar_usd": sol.get("cvar_usd"), "binding_supply": len(supply),
            "binding_supply_where": sorted({(r["subject"], r["year"], r["scenario"]) for r in supply})}


# --- the timed runs --------------------------------------------------------------------------------

def run(path: Path, timeout: float) -> dict:
    """One fresh process solving ``path``: its stage timings and peak memory, with its wall and CPU time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc, result = launch([sys.executable, __file__, "--child", str(path)], timeout)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result is None:
        raise RuntimeError(f"{path} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    s = result["seconds"]
    result.update(wall_s=wall, cpu_s=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
                  total_s=sum(v for k, v in s.items() if k != "import"),
                  build_s=s["prepare"] + s["build"] + s["handoff"])
    return result


V2_KEYS = {"existing": "existing_contracts", "supply": "supply", "risk": "risk"}
"""``--variants`` besides base and v2: the base with one v2 feature of :func:`add_v2` alone."""

COLUMNS = (("process wall s", "wall_s", ".2f"), ("process CPU s", "cpu_s", ".2f"),
           ("procure total s", "total_s", ".2f"), ("prepare + build + hand-off s", "build_s", ".2f"),
           ("HiGHS s", "highs_s", ".2f"), ("peak RSS MB", "peak_mb", ",.0f"))
RATIOS = (("wall", "wall_s"), ("CPU", "cpu_s"), ("HiGHS", "highs_s"))


def variant_instance(base: dict, v2: dict, variant: str) -> dict:
    """The instance of ``variant``: ``base``, ``v2`` or the base with one of v2's features (:data:`V2_KEYS`)."""
    if variant in ("base", "v2"):
        return {"base": base, "v2": v2}[variant]
    return {**base, V2_KEYS[variant]: v2[V2_KEYS[variant]]}


def report(runs: dict[str, list[dict]], command: str, check: dict) -> str:
    """Markdown: one row per variant (medians), ratios to base; every run; the v2 check; the verdict."""
    med = {v: {k: statistics.median(r[k] for r in rs) for _, k, _ in COLUMNS} for v, rs in runs.items()}
    n = len(runs["base"])
    lines = [f"Command: `{command}`", f"Machine: {machine()}", "",
             "| variant | columns | rows | non-zeros | " + " | ".join(c for c, _, _ in COLUMNS) +
             " | objective ($M) | " + " | ".join(f"{r} / base" for r, _ in RATIOS) + " |",
             "|---|" + "---:|" * (4 + len(COLUMNS) + len(RATIOS))]
    for v, rs in runs.items():
        r0 = rs[0]
        lines.append(f"| {v} | {r0['columns']:,} | {r0['rows']:,} | {r0['nonzeros']:,} | " +
                     " | ".join(f"{med[v][k]:{fmt}}" for _, k, fmt in COLUMNS) + f" | {r0['objective']:,.1f} | " +
                     " | ".join(f"**{med[v][k] / med['base'][k]:.2f}**" for _, k in RATIOS) + " |")
    lines += ["", f"Medians of {n} runs; procure total = load → solution written, imports left out. Every run "
              "(wall s / CPU s / HiGHS s): " + "; ".join(
                  f"{v} " + ", ".join(f"{r['wall_s']:.1f}/{r['cpu_s']:.1f}/{r['highs_s']:.1f}" for r in rs)
                  for v, rs in runs.items()) + ".",
              "", f"v2 check (untimed `procure solve --out`): optimal LP; CVaR {check['cvar_usd'] / 1e9:,.1f} $B, "
              f"expected cost {check['expected_cost_usd'] / 1e9:,.1f} $B; {check['binding_supply']} binding "
              f"shared-supply rows ({', '.join(f'{s} {y} {c}' for s, y, c in check['binding_supply_where'][:6])}"
              f"{', …' if len(check['binding_supply_where']) > 6 else ''})."]
    wall = med["v2"]["wall_s"] / med["base"]["wall_s"]
    cpu = med["v2"]["cpu_s"] / med["base"]["cpu_s"]
    lines.append(f"Goal v2 / base ≤ {GOAL}: {'met' if max(wall, cpu) <= GOAL else 'NOT met'} "
                 f"(wall {wall:.2f}, CPU {cpu:.2f}).")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="large", help="a generator preset (small, medium, large)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds for one child process")
    ap.add_argument("--variants", default="base,v2",
                    help="base, v2, and optionally existing, supply, risk (the base with that v2 feature alone)")
    ap.add_argument("--keep", type=Path, help="write the instances into this folder (and keep them)")
    ap.add_argument("--json", type=Path, help="save every measurement here")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child_procure(args.child, True)), flush=True)
        return

    command = ".venv/bin/python benchmarks/v2_features.py " + " ".join(sys.argv[1:])
    folder = args.keep or Path(tempfile.mkdtemp(prefix="procure-v2-"))
    folder.mkdir(parents=True, exist_ok=True)
    variants = list(dict.fromkeys(["base", "v2", *(v for v in args.variants.split(",") if v)]))
    unknown = set(variants) - {"base", "v2", *V2_KEYS}
    if unknown:
        ap.error(f"unknown variants {sorted(unknown)} (known: base, v2, {', '.join(V2_KEYS)})")
    base = base_instance(args.size, args.seed)
    v2 = add_v2(base)
    paths = {v: folder / f"{args.size}-{v}.json" for v in variants}
    for v, path in paths.items():
        path.write_text(json.dumps(variant_instance(base, v2, v)))
    check = check_v2(paths["v2"], args.timeout)
    print(f"v2 checked: optimal LP, {check['binding_supply']} binding shared-supply rows", file=sys.stderr, flush=True)

    runs: dict[str, list[dict]] = {v: [] for v in variants}
    for rep in range(args.repeat):
        for variant in variants:
            r = run(paths[variant], args.timeout)
            runs[variant].append(r)
            print(f"{time.strftime('%H:%M:%S')} #{rep + 1} {variant:<8} wall {r['wall_s']:7.2f} s  "
                  f"CPU {r['cpu_s']:7.2f} s  build {r['build_s']:6.2f} s  HiGHS {r['highs_s']:7.2f} s  "
                  f"peak {r['peak_mb']:6,.0f} MB  objective {r['objective']:,.3f}", file=sys.stderr, flush=True)
    text = report(runs, command, check)
    print(text)
    if args.json:
        args.json.write_text(json.dumps({"command": command, "machine": machine(), "check": check, "runs": runs,
                                         "report": text}, indent=1))
    if args.keep is None:
        for p in paths.values():
            p.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
