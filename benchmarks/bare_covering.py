"""An independent LP formulation of the spec, handed straight to HiGHS: the physical limit.

    .venv/bin/python benchmarks/bare_covering.py INSTANCE [--variant covering|substituted|recursion]
        [--solver choose|simplex|ipm] [--json PATH]

Written from ``../shared/spec/model.md`` alone. It shares no code with ``optimizer/``: the instance
is read by the independent feasibility checker's reader (``tests/support/feasibility.py``,
stdlib only, which applies every default of §2), and the LP is assembled here as COO triplets,
converted to CSC with scipy and passed to ``highspy`` with HiGHS's defaults.

Scope: the LP part of the spec (§2–§6, §10.1–10.4, §10.6, §10.7). Integer features (``block_chips``,
``min_chips``, onboarding fees, ``providers_used``, ``max_providers``) raise :class:`UnsupportedError`.

Three ways to write active chips ``a[o, t, s]`` (spec §3), the subject of issue 13:

- ``covering``: ``a`` is a column, defined by ``a[o,t] − Σ_{τ covering t} x[o,τ] = E[o,t]``
  (the explicit sum of the contracts that cover t, no chains between periods);
- ``substituted``: no ``a`` column; the covering sum is written into C2, C3, C4, C8 and C10;
- ``recursion``: ``a[o,t] − a[o,t−1] − x[o,t] + x[o,t−L] = E[o,t] − E[o,t−1]``.

Money is in $M inside (spec §9); chips and MW unscaled.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

import highspy
import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "support"))
import feasibility as spec  # noqa: E402  (the checker's independent reading of an instance)

MONEY = 1e6  # USD per model unit of money (``--money``)
VARIANTS = ("covering", "substituted", "recursion")
INF = highspy.kHighsInf


class UnsupportedError(ValueError):
    """The instance uses a feature this LP-only formulation leaves out."""


class LP:
    """Columns with bounds and costs, rows as COO triplets with lower and upper sides."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.rows_lo: list[float] = []
        self.rows_hi: list[float] = []
        self.r: list[int] = []
        self.c: list[int] = []
        self.v: list[float] = []

    def column(self, cost: float = 0.0, lo: float = 0.0, hi: float = INF) -> int:
        self.cost.append(cost)
        self.lower.append(lo)
        self.upper.append(hi)
        return len(self.cost) - 1

    def row(self, terms: dict[int, float], lo: float = -INF, hi: float = INF) -> None:
        """Adds ``lo ≤ Σ coef·col ≤ hi``; a row without terms must hold as a constant."""
        terms = {c: v for c, v in terms.items() if v != 0.0}
        if not terms:
            if lo > 1e-9 or hi < -1e-9:
                raise UnsupportedError(f"a constant row cannot hold ({lo} ≤ 0 ≤ {hi}): infeasible")
            return
        i = len(self.rows_lo)
        self.rows_lo.append(lo)
        self.rows_hi.append(hi)
        for c, v in terms.items():
            self.r.append(i)
            self.c.append(c)
            self.v.append(v)

    def to_highs(self) -> highspy.HighsLp:
        a = sp.csc_matrix((self.v, (self.r, self.c)), shape=(len(self.rows_lo), len(self.cost)))
        a.sort_indices()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = a.shape[1], a.shape[0]
        lp.col_cost_ = np.asarray(self.cost)
        lp.col_lower_ = np.asarray(self.lower)
        lp.col_upper_ = np.asarray(self.upper)
        lp.row_lower_ = np.asarray(self.rows_lo)
        lp.row_upper_ = np.asarray(self.rows_hi)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a.indptr
        lp.a_matrix_.index_ = a.indices
        lp.a_matrix_.value_ = a.data
        return lp


def add(terms: dict[int, float], more: dict[int, float], factor: float = 1.0) -> None:
    for c, v in more.items():
        terms[c] = terms.get(c, 0.0) + factor * v


def check_scope(data: dict) -> None:
    integer = [f"offers[{i}].{key}" for i, o in enumerate(data["offers"])
               for key in ("block_chips", "min_chips") if o.get(key)]
    integer += [f"providers[{i}].onboarding_cost_usd" for i, p in enumerate(data["providers"])
                if p.get("onboarding_cost_usd")]
    integer += ["providers_used"] if data.get("providers_used") else []
    integer += [f"workloads[{i}].max_providers" for i, w in enumerate(data["workloads"]) if "max_providers" in w]
    if integer:
        raise UnsupportedError(f"integer features: {', '.join(integer)}")


def build(data: dict, variant: str = "covering", money: float = MONEY, x_bounds: bool = False) -> tuple[LP, float]:
    """The LP of an instance and its objective's constant (in ``money`` USD: existing contracts' payments).

    ``money`` is the USD per model unit of money (1e6: $M); ``x_bounds`` bounds each ``x[o, τ]`` by the
    chips the provider's (and the global) power could ever hold, as column bounds.
    """
    check_scope(data)
    model = spec.build_model(data)
    hz = model.horizon
    T, N, m, H = hz.periods, hz.years, hz.periods_per_year, hz.hours_per_period
    cases = model.cases
    S = len(cases)
    k_first = model.first_stage_years if model.has_scenarios else N
    offers = list(model.offers.values())
    lp = LP()
    risk = data.get("risk") if model.has_scenarios else None
    lam = float(risk["weight"]) if risk else 0.0
    alpha = float(risk["cvar_alpha"]) if risk else 0.0

    def node(tau: int, s: int) -> int:
        return 0 if hz.year_index(tau) < k_first else s

    # Existing chips E[o, t] and their payments (constants).
    E: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(T))
    existing_pay: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(N))  # offer → USD per year
    constant = 0.0
    for e in model.existing:
        E[e.offer][e.first:min(e.end, T)] += e.chips
        for t in range(e.first, e.end):
            if t < T:
                existing_pay[e.offer][hz.year_index(t)] += e.price_usd * H * e.chips
            constant += e.price_usd * H * e.chips * hz.objective_discount(t) / money

    # x[o, τ, n] with its expected discounted cost (§6); the scenario cost C_s per column for CVaR.
    x: dict[tuple[str, int, int], int] = {}
    x_cost_s: dict[int, dict[int, float]] = defaultdict(dict)  # column → {s: C_s coefficient}
    for o in offers:
        for tau in sorted(o.signable):
            unit = o.price_at(tau, hz) * H * sum(hz.objective_discount(t) for t in o.active_periods(tau)) / money
            for s, case in enumerate(cases):
                n = node(tau, s)
                if (o.id, tau, n) not in x:
                    x[(o.id, tau, n)] = lp.column(0.0)
                col = x[(o.id, tau, n)]
                lp.cost[col] += (1 - lam) * case.probability * unit
                x_cost_s[col][s] = unit

    if x_bounds:
        for (o_id, _, _), col in x.items():
            o = model.offers[o_id]
            most = max(spec.year_map_value(model.providers[o.provider].power_mw, hz.start_year + y) for y in range(N))
            if model.global_power_mw is not None:
                most = min(most, max(spec.year_map_value(model.global_power_mw, hz.start_year + y) for y in range(N)))
            lp.upper[col] = most / model.chips[o.chip].power_mw

    def x_at(o_id: str, tau: int, s: int) -> int:
        return x[(o_id, tau, node(tau, s))]

    def covering(o: spec.Offer, t: int, s: int) -> dict[int, float]:
        return {x_at(o.id, tau, s): 1.0 for tau in range(max(0, t - o.term_periods + 1), t + 1) if tau in o.signable}

    def holds(o: spec.Offer, t: int) -> bool:  # a[o, t] can be non-zero
        return E[o.id][t] > 0 or any(tau in o.signable for tau in range(max(0, t - o.term_periods + 1), t + 1))

    # Active chips: terms and constant of a[o, t, s], per variant.
    a: dict[tuple[str, int, int], tuple[dict[int, float], float]] = {}
    for o in offers:
        for s in range(S):
            prev = None
            for t in range(T):
                if not holds(o, t):
                    prev = None
                    continue
                if variant == "substituted":
                    a[(o.id, t, s)] = (covering(o, t, s), float(E[o.id][t]))
                    continue
                col = lp.column()
                a[(o.id, t, s)] = ({col: 1.0}, 0.0)
                if variant == "covering":
                    terms = {col: 1.0}
                    add(terms, covering(o, t, s), -1.0)
                    lp.row(terms, E[o.id][t], E[o.id][t])
                else:  # recursion
                    terms = {col: 1.0}
                    if prev is not None:
                        terms[prev] = -1.0
                    if t in o.signable:
                        terms[x_at(o.id, t, s)] = -1.0
                    start = t - o.term_periods
                    if start >= 0 and start in o.signable:
                        terms[x_at(o.id, start, s)] = 1.0
                    step = E[o.id][t] - (E[o.id][t - 1] if t > 0 and prev is not None else 0.0)
                    lp.row(terms, step, step)
                prev = col

    def a_sum(weights: dict[str, float], t: int, s: int) -> tuple[dict[int, float], float]:
        terms: dict[int, float] = {}
        const = 0.0
        for o_id, w in weights.items():
            if w and (o_id, t, s) in a:
                more, c0 = a[(o_id, t, s)]
                add(terms, more, w)
                const += w * c0
        return terms, const

    power = {o.id: model.chips[o.chip].power_mw for o in offers}
    # u[w, o, t, s], C1 demand and C2 capacity.
    for s, case in enumerate(cases):
        served: dict[tuple[str, int], list[int]] = defaultdict(list)  # (o, t) → u columns
        for w in model.workloads.values():
            for t in range(T):
                demand = w.demand[t] * case.multiplier(w.id, hz.calendar_year(t))
                terms = {}
                for o_id, eff in w.effectiveness.items():
                    if (o_id, t, s) in a:
                        col = lp.column()
                        terms[col] = eff
                        served[(o_id, t)].append(col)
                if demand > 0:
                    lp.row(terms, demand, INF)
        for (o_id, t), cols in served.items():
            terms, const = a_sum({o_id: -1.0}, t, s)
            add(terms, dict.fromkeys(cols, 1.0))
            lp.row(terms, -INF, -const)
        for t in range(T):
            y = hz.calendar_year(t)
            for p in model.providers.values():  # C3
                weights = {o.id: power[o.id] for o in offers if o.provider == p.id}
                terms, const = a_sum(weights, t, s)
                limit = spec.year_map_value(p.power_mw, y)
                lp.row(terms, -INF, limit - const)
            if model.global_power_mw is not None:  # C4
                terms, const = a_sum(power, t, s)
                lp.row(terms, -INF, spec.year_map_value(model.global_power_mw, y) - const)
            for k in model.capacity_commitments:  # C8 (10.2: min_mw a year map)
                if k.first_year <= y <= k.last_year:
                    weights = {o.id: power[o.id] for o in offers
                               if o.provider == k.provider and model.chips[o.chip].matches(k.chips)}
                    terms, const = a_sum(weights, t, s)
                    lp.row(terms, spec.year_map_value(k.min_mw, y) - const, INF)
            if model.diversification:  # C10
                sigma, metric = float(model.diversification["max_share"]), model.diversification["metric"]
                r = {o.id: model.chips[o.chip].metric_value(metric) for o in offers}
                for p in model.providers:
                    weights = {o.id: ((1 - sigma) if o.provider == p else -sigma) * r[o.id]
                               for o in offers if r[o.id] > 0}
                    if not any((o.id, t, s) in a for o in offers if o.provider == p and r[o.id] > 0):
                        continue
                    terms, const = a_sum(weights, t, s)
                    lp.row(terms, -INF, -const)

    # C5 supply (per offer) and 10.4 shared supply.
    for o in offers:
        if o.max_new_chips_per_year is None:
            continue
        for y in range(N):
            for n in sorted({node(y * m, s) for s in range(S)}):
                cols = [x[(o.id, tau, n)] for tau in hz.periods_of_year(y) if (o.id, tau, n) in x]
                if cols:
                    lp.row(dict.fromkeys(cols, 1.0), -INF,
                           spec.year_map_value(o.max_new_chips_per_year, hz.start_year + y))
    for cap in data.get("supply", []):
        match = [o for o in offers if ("provider" not in cap or o.provider == cap["provider"])
                 and model.chips[o.chip].matches(cap["chips"])]
        year_map = cap.get("max_new_chips", cap.get("max_new_mw"))
        for y in range(N):
            for n in sorted({node(y * m, s) for s in range(S)}):
                terms = {x[(o.id, tau, n)]: (1.0 if "max_new_chips" in cap else power[o.id])
                         for o in match for tau in hz.periods_of_year(y) if (o.id, tau, n) in x}
                if terms:
                    lp.row(terms, -INF, spec.year_map_value(year_map, hz.start_year + y))

    # Payments per (provider, year) per scenario in $M: x terms and the existing contracts' constant.
    def payments(s: int, chips: list | None = None) -> dict[tuple[str, int], tuple[dict[int, float], float]]:
        pay: dict[tuple[str, int], tuple[dict[int, float], float]] = {}
        for o in offers:
            if chips is not None and not model.chips[o.chip].matches(chips):
                continue
            for tau in sorted(o.signable):
                per = o.price_at(tau, hz) * H / money
                for t in o.active_periods(tau):
                    if t < T:
                        terms, c0 = pay.setdefault((o.provider, hz.year_index(t)), ({}, 0.0))
                        add(terms, {x_at(o.id, tau, s): per})
            for y in range(N):
                if existing_pay[o.id][y]:
                    terms, c0 = pay.setdefault((o.provider, y), ({}, 0.0))
                    pay[(o.provider, y)] = (terms, c0 + existing_pay[o.id][y] / money)
        return pay

    short: dict[tuple[int, int], int] = {}
    for s, case in enumerate(cases):
        for i, k in enumerate(model.spend_commitments):
            df = hz.discount(k.payment_period(hz))
            short[(i, s)] = lp.column((1 - lam) * case.probability * df)
            x_cost_s[short[(i, s)]][s] = df
    for s in range(S):
        pay = payments(s)
        budget = model.budget
        yearly = []
        for y in range(N):
            terms, const = {}, 0.0
            for p in model.providers:
                more, c0 = pay.get((p, y), ({}, 0.0))
                add(terms, more)
                const += c0
            for i, k in enumerate(model.spend_commitments):
                if k.payment_year(hz) == y:
                    terms[short[(i, s)]] = 1.0
            yearly.append((terms, const))
            if "per_year_usd" in budget:
                lp.row(terms, -INF, spec.year_map_value(budget["per_year_usd"], hz.start_year + y) / money - const)
        if "total_usd" in budget:
            terms, const = {}, 0.0
            for more, c0 in yearly:
                add(terms, more)
                const += c0
            lp.row(terms, -INF, float(budget["total_usd"]) / money - const)
        for i, k in enumerate(model.spend_commitments):  # C7 (10.1: scoped to chips)
            scoped = payments(s, k.chips)
            terms, const = {short[(i, s)]: 1.0}, 0.0
            for y in k.horizon_years(hz):
                more, c0 = scoped.get((k.provider, y), ({}, 0.0))
                add(terms, more)
                const += c0
            lp.row(terms, k.amount_usd / money - const, INF)

    if risk and lam > 0:  # §10.7: λ·(η + 1/(1−α)·Σ prob_s·excess_s), excess_s ≥ C_s − η
        eta = lp.column(lam, -INF, INF)
        by_s: dict[int, dict[int, float]] = defaultdict(dict)
        for col, per_s in x_cost_s.items():
            for s, coef in per_s.items():
                by_s[s][col] = coef
        for s, case in enumerate(cases):
            excess = lp.column(lam * case.probability / (1 - alpha))
            terms = {excess: 1.0, eta: 1.0}
            add(terms, by_s[s], -1.0)
            # C_s's constant (existing contracts) is left out: it shifts η and every C_s alike, and the
            # objective's ``constant`` (added once, whole) already counts it in both parts of the blend.
            lp.row(terms, 0.0, INF)
    return lp, constant


def solve(data: dict, variant: str = "covering", solver: str = "choose", money: float = MONEY,
          x_bounds: bool = False) -> dict:
    """Builds, hands off and solves; returns the objective (USD) and the stage times (s)."""
    start = time.perf_counter()
    lp, constant = build(data, variant, money, x_bounds)
    built = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", solver)
    h.passModel(lp.to_highs())
    handed, cpu = time.perf_counter(), time.process_time()
    h.run()
    solved, cpu = time.perf_counter(), time.process_time() - cpu
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    return {"variant": variant, "solver": solver, "money": money, "x_bounds": x_bounds, "status": status,
            "objective_usd": (info.objective_function_value + constant) * money,
            "columns": len(lp.cost), "rows": len(lp.rows_lo), "nonzeros": len(lp.v),
            "build_s": built - start, "handoff_s": handed - built, "highs_s": solved - handed, "highs_cpu_s": cpu,
            "iterations": info.simplex_iteration_count, "ipm_iterations": info.ipm_iteration_count}


def presolved(data: dict, variant: str = "covering") -> dict:
    """Rows, columns and non-zeros before and after HiGHS's presolve."""
    lp, _ = build(data, variant)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp.to_highs())
    h.presolve()
    after = h.getPresolvedLp()
    return {"variant": variant, "rows": len(lp.rows_lo), "columns": len(lp.cost), "nonzeros": len(lp.v),
            "presolved_rows": after.num_row_, "presolved_columns": after.num_col_,
            "presolved_nonzeros": len(after.a_matrix_.value_)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance")
    parser.add_argument("--variant", choices=VARIANTS, default="covering")
    parser.add_argument("--solver", default="choose")
    parser.add_argument("--money", type=float, default=MONEY, help="USD per model unit of money (1e6: $M)")
    parser.add_argument("--x-bounds", action="store_true", help="bound x by the chips the power limits allow")
    parser.add_argument("--presolve-only", action="store_true", help="report what HiGHS's presolve removes")
    parser.add_argument("--json", help="append the measurement as one JSON line to this file")
    args = parser.parse_args()
    data = json.loads(Path(args.instance).read_text())
    if args.presolve_only:
        print(json.dumps({"instance": args.instance, **presolved(data, args.variant)}))
        return
    result = {"instance": args.instance, **solve(data, args.variant, args.solver, args.money, args.x_bounds)}
    line = json.dumps(result)
    print(line)
    if args.json:
        with open(args.json, "a") as f:
            f.write(line + "\n")
    if not math.isfinite(result["objective_usd"]):
        sys.exit(1)


if __name__ == "__main__":
    main()
