"""Regenerate everything in docs/reports: the 2026 plan, four what-if variants, their reports and the comparison.

    .venv/bin/python docs/reports/make.py

Solves ``instances/2026.json`` and four variants made from it here (so they cannot drift from it),
writes each plan's folder (``solution.json``, tables, KPIs, ``instance.json``) with its report, the
comparison of the three, and ``README.md`` with the reading of each, its figures taken from the
results. Nothing in this folder is edited by hand: change this script and run it again.
"""

from __future__ import annotations

import copy
import json
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import optimizer
from optimizer.analysis.marginal import write_marginal_values
from optimizer.analysis.ranges import near_optimal
from optimizer.report.compare import Comparison, compare
from optimizer.report.plan import write_report
from optimizer.units import signed_usd, usd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
COMMAND = ".venv/bin/python docs/reports/make.py"


def oracle_slips(data: dict) -> dict:
    """Oracle's power ramp from 2027 on arrives one year late (2026's 400 MW is already there)."""
    oracle = next(p for p in data["providers"] if p["id"] == "oracle")
    ramp = oracle["power_mw"]
    first = min(ramp, key=int)
    oracle["power_mw"] = {first: ramp[first], **{str(int(y) + 1): v for y, v in ramp.items() if y != first}}
    data["name"] += "-oracle-slip"
    return data


def cap_35(data: dict) -> dict:
    """No provider may hold more than 35% of the BF16 compute (instead of 50% of the MW)."""
    data["diversification"] = {"max_share": 0.35, "metric": "bf16_pflops"}
    data["name"] += "-cap35"
    return data


def demand_bust(data: dict) -> dict:
    """The instance's bust scenario for certain: demand falls back from 2027 (see docs/data-sources.md)."""
    bust = next(c for c in data["scenarios"]["cases"] if c["id"] == "bust")
    data["scenarios"]["cases"] = [{**bust, "probability": 1.0}]
    data["name"] += "-bust"
    return data


def full_commitments(data: dict) -> dict:
    """The Azure and Oracle take-or-pay commitments as reported ($250B, $300B), not halved."""
    full = {"azure": 250_000_000_000, "oracle": 300_000_000_000}
    for commitment in data["spend_commitments"]:
        commitment["amount_usd"] = full.get(commitment["provider"], commitment["amount_usd"])
    data["name"] += "-full-commitments"
    return data


PLANS: dict[str, tuple[str, Callable[[dict], dict]]] = {
    "2026": ("`instances/2026.json` as it is", lambda d: d),
    "oracle-slip": ("Oracle's power from 2027 on arrives a year late", oracle_slips),
    "cap35": ("no provider may hold more than 35% of the compute (BF16 PFLOPS held)", cap_35),
    "bust": ("demand busts for certain: the bust scenario with probability 1", demand_bust),
    "full-commitments": ("the Azure and Oracle commitments in full ($250B, $300B), not halved", full_commitments),
}


def main() -> None:
    started = time.perf_counter()
    base = json.loads((ROOT / "instances" / "2026.json").read_text())
    for name, (_, change) in PLANS.items():
        folder = HERE / name
        if folder.exists():
            shutil.rmtree(folder)
        solution = optimizer.solve(change(copy.deepcopy(base)))
        solution.write(folder)
        if name == "2026":  # the main report: its risk page (hedged vs mean-value plan) and re-solved marginal values
            hedging = optimizer.value_of_hedging(solution)
            (folder / "hedging.json").write_text(json.dumps(hedging.to_dict(), indent=1, allow_nan=False) + "\n")
            write_marginal_values(folder, budget_s=600)  # the top binding limits re-solved (a MILP: ~a minute each)
            near_optimal(change(copy.deepcopy(base)), 0.01, plans=False).write(folder, optimum=False)  # how firm
        write_report(folder)
        print(f"{name}: {solution.status}, NPV {usd(solution.objective_usd)}", file=sys.stderr)
    if (HERE / "compare").exists():
        shutil.rmtree(HERE / "compare")
    comparison = compare(*(HERE / name for name in PLANS))
    comparison.write(HERE / "compare")
    (HERE / "README.md").write_text(readme(comparison), encoding="utf-8")
    print(f"docs/reports regenerated in {time.perf_counter() - started:.0f} s", file=sys.stderr)


# --- the reading --------------------------------------------------------------------------------

def _figure(c: Comparison, plan: str, kpi: str) -> float:
    k = c.kpis.set_index("kpi")
    return float(k.loc[kpi, plan])


def _split(parts, most: int = 3) -> str:
    """The largest increases and decreases of an attribution, in words."""
    parts = parts[parts.abs() >= 0.5].sort_values()
    up = [f"{k} {signed_usd(v)}" for k, v in parts[::-1].items() if v > 0][:most]
    down = [f"{k} {signed_usd(v)}" for k, v in parts.items() if v < 0][:most]
    return "; ".join(x for x in (", ".join(up), ", ".join(down)) if x)


def _limits(c: Comparison, plan: str) -> str:
    rows = c.limits[(c.limits.plan == plan) & (c.limits.limit != "demand")]
    if rows.empty:
        return "no limit other than demand changes its status or price"
    counts = rows.groupby(["limit", "change"]).size()
    words = [f"{limit}, {n} {change}" for (limit, change), n in counts.items() if change != "price moved"]
    return "; ".join(words) if words else "the same limits bind, at other prices"


def _reading(c: Comparison, plan: str) -> list[str]:
    diff = c.npv_difference(plan)
    if diff is None:
        sol = c.solutions[c.names.index(plan)]
        return [f"There is no plan: the instance is {sol.status}. "
                + " ".join(f["message"] + "." for f in sol.diagnosis or [])]
    base = c.solutions[0].objective_usd
    share = {p.id: (_figure(c, c.baseline, f"share of MW held, {p.id}"), _figure(c, plan, f"share of MW held, {p.id}"))
             for p in c.solutions[0].inputs.providers}
    moved = sorted(share.items(), key=lambda kv: kv[1][1] - kv[1][0])
    return [
        f"**Net present cost {signed_usd(diff)}** ({100 * diff / base:+.1f}%), "
        f"from {usd(base)} to {usd(base + diff)}.",
        f"By provider: {_split(c.attribution_by(plan, 'provider'))}.",
        f"By chip: {_split(c.attribution_by(plan, 'chip'))}.",
        f"By signing year: {_split(c.attribution_by(plan, 'year'))}.",
        f"Share of the MW held over the horizon: {moved[-1][0]} {moved[-1][1][0]:.1f}% → {moved[-1][1][1]:.1f}%, "
        f"{moved[0][0]} {moved[0][1][0]:.1f}% → {moved[0][1][1]:.1f}%; {_hhi_move(c, plan)}.",
        f"Limits (per limit and year, besides demand): {_limits(c, plan)}.",
    ]


def _hhi_move(c: Comparison, plan: str) -> str:
    before = _figure(c, c.baseline, "HHI of MW shares, whole horizon")
    after = _figure(c, plan, "HHI of MW shares, whole horizon")
    word = "falls" if after < before - 0.5 else "rises" if after > before + 0.5 else "stays"
    return f"concentration (HHI of MW shares) {word} from {before:,.0f} to {after:,.0f}"


def _ramp(sol) -> str:
    """Oracle's power limit by year, as the plan's instance states it."""
    oracle = next(p for p in sol.inputs.providers if p.id == "oracle")
    return ", ".join(f"{v / 1000:g} GW in {y}" for y, v in zip(oracle.power_mw.years, oracle.power_mw.values,
                                                                  strict=True))


def _top_share(sol, metric: str) -> str:
    """The provider with the largest share of ``metric`` held over the horizon, and its share."""
    cs = sol.kpis.compute_shares
    held = cs[(cs.kind == "metric") & (cs.basis == metric)].groupby("provider").amount.sum()
    peak = cs[(cs.kind == "metric") & (cs.basis == metric)].groupby("provider").share.max()
    top = held.idxmax()
    return f"{top} {100 * held[top] / held.sum():.0f}% over the horizon ({100 * peak[top]:.0f}% in its highest year)"


def _binding_summary(base) -> str:
    b = base.binding[base.binding.limit != "demand"]
    per_year = b.groupby(["limit", "subject", "year"], dropna=False).size().reset_index()
    kinds = per_year.limit.value_counts()
    parts = ", ".join(f"{n} {limit}" for limit, n in kinds.items())
    return f"{len(per_year)} limit-years bind besides demand ({parts})"


def _cap35_reading(c: Comparison) -> str:
    if c.npv_difference("cap35") is None:  # e.g. contracts already held put one cloud above the cap
        return ("Reading: the rule cannot be met. Capacity the lab already holds (`existing_contracts`) "
                "counts in every period, and no contract the plan can sign in time brings that cloud's "
                "share down to the cap; the diagnosis above says where and by how much.")
    return f"""Reading: the insurance costs the NPV difference above, and {_hhi_move(c, "cap35")}. The
attribution by provider and by chip shows where the compute goes instead of the cheapest clouds
per PFLOPS. The shadow price of the diversification limit in
[cap35's report](cap35/report.md#shadow-prices) is what each percentage point of `max_share` is
worth in the years it binds."""


def readme(c: Comparison) -> str:
    base = c.solutions[0]
    k = base.kpis.overall()
    rows = "\n".join(
        f"| [{name}/]({name}/report.md) | {PLANS[name][0]} | {sol.status} | {usd(sol.objective_usd)} | "
        f"{'' if name == c.baseline else signed_usd(c.npv_difference(name))} |"
        for name, sol in zip(c.names, c.solutions, strict=True))
    costs = ", ".join(f"{w.id} ${k[(f'effective cost, {w.id}', f'USD per {w.metric}-hour')]:.2f} per {w.metric}-hour"
                      for w in base.inputs.workloads)
    shares = ", ".join(f"{p.id} {k[(f'share of MW held, {p.id}', '%')]:.0f}%" for p in base.inputs.providers)
    return f"""# Reports: the 2026 plan and four what-ifs

Everything in this folder is made by one command, from the repository root:

```sh
{COMMAND}
```

It solves `instances/2026.json` and four variants that the script derives from it, writes each plan's
folder (`solution.json`, the CSV tables, the key figures, `instance.json`) with its report
(`report.md`, `report.html`), and compares them in [`compare/`](compare/compare.md). The figures
below are filled in from those results, so they cannot go stale: edit `make.py`, not this file.
Open the `.html` pages in a browser (self-contained, charts included) or read the `.md` ones here.

| plan | what | status | net present cost | Δ vs 2026 |
|---|---|---|---:|---:|
{rows}
| [compare/](compare/compare.md) | all of them side by side | | | |

## The 2026 plan

The lab's situation as `instances/2026.json` describes it (sources in `docs/data-sources.md`): four
clouds, quarterly periods 2026–2033, take-or-pay commitments at AWS (GB200/GB300 only), Azure and
Oracle, 2 GW of Trainium at AWS ramped from 2027, capacity already held, delivery limits, training on
at most two clouds, no cloud above 50% of the MW held, and base, boom and bust demand scenarios
(what drives the plan: [2026-drivers.md](2026-drivers.md)).

- Net present cost **{usd(base.objective_usd)}**; {usd(k[('spend in the horizon, nominal', 'USD')])} paid
  in 2026–2033.
- Share of the MW held over the horizon: {shares}; HHI {k[('HHI of MW shares, whole horizon', '0–10,000')]:,.0f}
  (2,500 would be four equal clouds).
- Effective cost of compute: {costs}.
- {_binding_summary(base)}. Where a provider power limit binds, the
  plan takes all the power that cloud offers; its shadow price in
  [the report](2026/report.md#shadow-prices) says what one more MW there would save.

## What if Oracle's 2027 power slips a year

Oracle's power ramp arrives a year later; what it holds in the first year is already there.
The limit was {_ramp(c.solutions[0])}; it becomes {_ramp(c.solutions[c.names.index("oracle-slip")])}.
Everything else, including the Oracle spend commitment, stays. The question a planner asks: what
does the delay cost, and who picks up the work?

{chr(10).join(f"- {line}" for line in _reading(c, "oracle-slip"))}

Reading: the delay costs the NPV difference above. The attribution by provider shows which clouds
take the work Oracle cannot host yet, and by chip which accelerators take it over; by year, when
the money moves (a contract counts in the year it is signed). The
[comparison](compare/compare.md#limits-whose-binding-status-or-shadow-price-changed) lists the
limits that now bind and what one more unit of each would be worth.

## What if no provider may hold more than 35% of the compute

The diversification rule becomes "no cloud holds more than 35% of the BF16 PFLOPS held" (instead
of 50% of the MW), every period. A board asking for less dependence on any single cloud wants to
know what that insurance costs. In the 2026 plan the largest holder of BF16 compute is
{_top_share(c.solutions[0], "bf16_pflops")}.

{chr(10).join(f"- {line}" for line in _reading(c, "cap35"))}

{_cap35_reading(c)}

## What if demand busts

The instance's bust scenario (demand 15% short in 2027, falling back to about a third of the base
path by 2033: the lab's power footprint stops growing) becomes certain: one scenario of probability 1,
every contract chosen knowing it. The commitments stay. The question a CFO asks: what do the deals
cost when the compute is not needed?

{chr(10).join(f"- {line}" for line in _reading(c, "bust"))}

Reading: the NPV falls, because less compute is bought, but not in proportion: the take-or-pay
floors at AWS, Azure and Oracle and the 2 GW of Trainium are paid whatever the demand. The
shortfalls in [bust's report](bust/report.md) are what the deals cost beyond the compute used; the
2026 plan's risk page gives the same for the plan signed before the bust is known.

## What if the Azure and Oracle commitments are not halved

`instances/2026.json` halves the reported ~$250B Azure and ~$300B Oracle commitments, because its demand
is about half the lab's announced buildout (`docs/data-sources.md`). Here they are taken in full.

{chr(10).join(f"- {line}" for line in _reading(c, "full-commitments"))}

Reading: at this instance's demand, the full commitments are more than the plan needs; the extra NPV
is what the unhalved floors force the plan to buy at Azure and Oracle (or to pay as shortfall) instead of
the cheapest compute elsewhere.
"""


if __name__ == "__main__":
    main()
