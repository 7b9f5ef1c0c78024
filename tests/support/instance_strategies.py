"""Hypothesis strategies: random VALID procure instances (every spec feature, small sizes) and mutations.

:func:`instances` draws an instance dict that ``optimizer.load_instance`` accepts, using every
part of spec §2 at small sizes: 1–3 providers, 1–3 chips, 1–5 offers, 1–3 workloads, 1/2/4/12
periods per year, terms that do not divide years, price changes, availability windows, supply
caps, whole blocks, minimum contracts, onboarding fees, the three demand forms with monthly
profiles and peak factors, exclusivity and chip filters, budgets, global power, spend and
capacity commitments, diversification, providers-used limits and scenarios; and spec v2 (§10):
commitments scoped to chips, ramped capacity commitments, existing contracts, shared supply,
``max_providers``, ``end_effects: "pro_rata"`` and CVaR risk. Sizes are drawn
so that most instances are feasible and some are not (tight power, budgets or commitments).

:func:`mutations` breaks an instance in one place (delete or rename a key, change a type,
negate, NaN or blow up a number, drop a list item, point a reference at nothing), as a planner's typo
or a broken export would. The result may still be valid; it must then solve.

Units as in the spec: MW for providers, kW per chip, USD, chips, metric units (PFLOPS).
This module imports only hypothesis and the standard library (not ``optimizer``).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

METRICS = ("bf16", "fp8")
TERMS_MONTHS = (1, 3, 6, 7, 12, 18, 24, 36)
MONEY_FLOOR_USD = 1e6
"""Money limits (budgets, spend commitments) are 0 or at least this: HiGHS meets rows in $M to an
absolute 1e-6 ($1 in a MILP), so a limit of a few dollars could look broken to the checker's 1e-6
relative test (see docs/reliability.md, "Limits")."""


def _years(years: int, periods_per_year: int) -> int:
    """Keep T = N·m small: monthly plans get at most 2 years, quarterly at most 3."""
    return min(years, {1: 4, 2: 4, 4: 3, 12: 2}[periods_per_year])


@st.composite
def year_maps(draw: st.DrawFn, y0: int, n: int, lo: float, hi: float) -> float | dict[str, float]:
    """A number, or an object of calendar years (first key ≤ Y0; later keys may fall past the horizon)."""
    if draw(st.booleans()):
        return draw(st.floats(lo, hi).map(lambda v: round(v, 3)))
    first = draw(st.integers(y0 - 2, y0))
    later = draw(st.lists(st.integers(y0 + 1, y0 + n + 1), max_size=2, unique=True))
    return {str(y): round(draw(st.floats(lo, hi)), 3) for y in [first, *sorted(later)]}


@st.composite
def demands(draw: st.DrawFn, y0: int, n: int, m: int, scale: float) -> dict[str, Any]:
    """One of the three demand forms (metric units), sometimes with a monthly profile and a peak factor."""
    form = draw(st.sampled_from(("series", "points", "base")))
    if form == "series":
        values = draw(st.lists(st.floats(0.0, scale), min_size=n * m, max_size=n * m))
        d: dict[str, Any] = {"series": [round(v, 2) for v in values]}
        if draw(st.booleans()):  # a workload that starts later: zeros first
            k = draw(st.integers(0, n * m - 1))
            d["series"] = [0.0] * k + d["series"][k:]
    elif form == "points":
        keys = draw(st.lists(st.sampled_from([y0 - 1, y0, y0 + 0.5, y0 + 1, y0 + 2.25, y0 + n, y0 + n + 2]),
                             min_size=1, max_size=3, unique=True))
        d = {"points": {(str(k) if isinstance(k, int) else f"{k:g}"): round(draw(st.floats(scale / 10, scale)), 2)
                        for k in keys}}
    else:
        d = {"base": round(draw(st.floats(0.0, scale)), 2)}
        if draw(st.booleans()):
            d["annual_growth"] = round(draw(st.floats(-0.5, 1.0)), 3)
    if draw(st.integers(0, 3)) == 0:
        d["monthly_profile"] = [round(v, 2) for v in draw(st.lists(st.floats(0.5, 1.5), min_size=12, max_size=12))]
    if draw(st.integers(0, 3)) == 0:
        d["peak_factor"] = round(draw(st.floats(1.0, 1.5)), 3)
    return d


@st.composite
def instances(draw: st.DrawFn) -> dict[str, Any]:
    """A random valid instance (see the module docstring)."""
    y0 = draw(st.integers(2025, 2027))
    m = draw(st.sampled_from((1, 2, 4, 12)))
    n = _years(draw(st.integers(1, 4)), m)
    horizon: dict[str, Any] = {"start_year": y0, "years": n}
    if m != 1 or draw(st.booleans()):
        horizon["periods_per_year"] = m
    if draw(st.integers(0, 3)) == 0:
        horizon["end_effects"] = draw(st.sampled_from(("full", "pro_rata")))  # §10.6
    inst: dict[str, Any] = {"name": "random", "horizon": horizon}
    if draw(st.booleans()):
        inst["discount_rate"] = round(draw(st.floats(0.0, 0.15)), 4)

    # Chips first: the metrics they have decide which workloads are possible.
    n_chips = draw(st.integers(1, 3))
    chips = []
    for i in range(n_chips):
        perf = {METRICS[0]: round(draw(st.floats(0.3, 5.0)), 3)}
        if draw(st.booleans()):
            perf[METRICS[1]] = round(draw(st.floats(0.0, 10.0)), 3)  # 0: the chip lacks it in effect
        chip: dict[str, Any] = {"id": f"c{i}", "power_kw": round(draw(st.floats(0.5, 3.0)), 3), "perf": perf}
        if draw(st.booleans()):
            chip["family"] = draw(st.sampled_from(("famA", "famB", f"c{i}")))
        chips.append(chip)
    metrics = sorted({k for c in chips for k in c["perf"]})
    chip_names = sorted({c["id"] for c in chips} | {c.get("family", c["id"]) for c in chips})

    # Demand scale (metric units) and the power it roughly needs, to keep most instances feasible.
    scale = draw(st.sampled_from((10.0, 100.0, 1000.0)))
    tight = draw(st.integers(0, 4)) == 0  # one in five: limits drawn without regard to the demand
    need_mw = 3 * scale * 3.0 / 0.3 / 1000  # 3 workloads, 3 kW chips, 0.3 PFLOPS per chip, in MW

    n_prov = draw(st.integers(1, 3))
    providers = []
    for i in range(n_prov):
        lo, hi = (0.0, need_mw) if tight else (need_mw, 4 * need_mw)
        p: dict[str, Any] = {"id": f"p{i}", "power_mw": draw(year_maps(y0, n, lo, hi))}
        if draw(st.booleans()):
            p["name"] = f"Provider {i}"
        if draw(st.integers(0, 2)) == 0:
            p["onboarding_cost_usd"] = draw(st.sampled_from((0.0, round(draw(st.floats(1e4, 5e6)), 0))))
        providers.append(p)
    provider_ids = [p["id"] for p in providers]

    offers = []
    for i in range(draw(st.integers(1, 5))):
        o: dict[str, Any] = {
            "id": f"o{i}", "provider": draw(st.sampled_from(provider_ids)),
            "chip": draw(st.sampled_from([c["id"] for c in chips])),
            "term_months": draw(st.sampled_from(TERMS_MONTHS)),
            "price_per_chip_hour": round(draw(st.floats(0.5, 6.0)), 3),
        }
        if draw(st.booleans()):
            o["price_change_per_year"] = round(draw(st.floats(-0.3, 0.2)), 3)
        if draw(st.integers(0, 2)) == 0:
            window: dict[str, int] = {}
            if draw(st.booleans()):
                window["from"] = draw(st.integers(y0 - 1, y0 + 1))
            if draw(st.booleans()):
                window["until"] = draw(st.integers(window.get("from", y0), y0 + n))
            o["available"] = window
        if draw(st.integers(0, 3)) == 0:
            o["max_new_chips_per_year"] = draw(year_maps(y0, n, 0.0 if tight else scale, 20 * scale))
        if draw(st.integers(0, 2)) == 0:
            o["block_chips"] = draw(st.sampled_from((1, 4, 8, 32, 72)))
        if draw(st.integers(0, 3)) == 0:
            o["min_chips"] = round(draw(st.floats(0.0, scale)), 1)
        offers.append(o)

    offered = sorted({o["provider"] for o in offers})  # mostly drawn from these: fewer hopeless instances
    workloads = []
    for i in range(draw(st.integers(1, 3))):
        metric = draw(st.sampled_from(metrics)) if draw(st.integers(0, 3)) == 0 else METRICS[0]
        w: dict[str, Any] = {"id": f"w{i}", "metric": metric, "demand": draw(demands(y0, n, m, scale))}
        if draw(st.booleans()):
            w["efficiency"] = round(draw(st.floats(0.3, 1.0)), 3)
        if draw(st.integers(0, 3)) == 0:
            chip = draw(st.sampled_from([c["id"] for c in chips]))
            w["chip_efficiency"] = {chip: round(draw(st.floats(0.3, 1.0)), 3)}
        if draw(st.integers(0, 3)) == 0:
            w["providers"] = draw(st.lists(st.sampled_from(offered), min_size=1, max_size=n_prov, unique=True))
        if draw(st.integers(0, 3)) == 0:
            w["chips"] = draw(st.lists(st.sampled_from(chip_names), min_size=1, max_size=2, unique=True))
        if draw(st.integers(0, 4)) == 0:
            w["max_providers"] = draw(st.integers(1, n_prov))  # §10.5
        workloads.append(w)
    inst.update(providers=providers, chips=chips, offers=offers, workloads=workloads)
    if draw(st.integers(0, 3)) == 0:
        inst["existing_contracts"] = [draw(existing_contracts(y0, n, offers, scale))
                                      for _ in range(draw(st.integers(1, 2)))]
    if draw(st.integers(0, 4)) == 0:
        inst["supply"] = [draw(shared_supplies(y0, n, provider_ids, chip_names, scale, need_mw, tight))
                          for _ in range(draw(st.integers(1, 2)))]

    yearly_cost = 3 * scale / 0.3 * 6.0 * 8760  # an upper estimate of a year of chips, USD
    if draw(st.integers(0, 3)) == 0:
        budget: dict[str, Any] = {}
        lo, hi = (MONEY_FLOOR_USD, yearly_cost) if tight else (yearly_cost, 3 * yearly_cost)
        if draw(st.booleans()):
            budget["per_year_usd"] = draw(year_maps(y0, n, lo, hi))
        if not budget or draw(st.booleans()):
            budget["total_usd"] = round(draw(st.floats(lo * n, hi * n)), 0)
        inst["budget"] = budget
    if draw(st.integers(0, 3)) == 0:
        lo, hi = (0.0, need_mw) if tight else (need_mw, 4 * need_mw)
        inst["global_power_mw"] = draw(year_maps(y0, n, lo, hi))
    if draw(st.integers(0, 3)) == 0:
        inst["spend_commitments"] = [
            {"provider": draw(st.sampled_from(provider_ids)), "years": _window(draw, y0, n),
             "amount_usd": draw(st.sampled_from((0.0, round(draw(st.floats(MONEY_FLOOR_USD, yearly_cost)), 0)))),
             **({"chips": draw(st.lists(st.sampled_from(chip_names), min_size=1, max_size=2, unique=True))}
                if draw(st.booleans()) else {})}  # §10.1
            for _ in range(draw(st.integers(1, 2)))]
    if draw(st.integers(0, 4)) == 0:
        inst["capacity_commitments"] = [
            {"provider": draw(st.sampled_from(offered)),
             "chips": draw(st.lists(st.sampled_from(chip_names), min_size=1, max_size=2, unique=True)),
             "years": _window(draw, y0, n), "min_mw": draw(year_maps(y0, n, 0.0, need_mw / 3))}  # a ramp: §10.2
            for _ in range(draw(st.integers(1, 2)))]
    if draw(st.integers(0, 4)) == 0 and (len(offered) > 1 or draw(st.integers(0, 3)) == 0):
        inst["diversification"] = {"max_share": round(draw(st.floats(1 / len(offered), 1.0)), 3),
                                   "metric": draw(st.sampled_from([*metrics, "mw"]))}
    if draw(st.integers(0, 4)) == 0:
        lo = draw(st.integers(0, n_prov))
        used: dict[str, int] = {}
        if draw(st.booleans()):
            used["min"] = lo
        if not used or draw(st.booleans()):
            used["max"] = draw(st.integers(lo, n_prov + 1))
        inst["providers_used"] = used
    if draw(st.integers(0, 3)) == 0:
        inst["scenarios"] = draw(scenario_sets(y0, n, [w["id"] for w in workloads]))
        if draw(st.booleans()):  # §10.7
            inst["risk"] = {"cvar_alpha": draw(st.sampled_from((0.0, 0.5, 0.8, 0.95))),
                            "weight": draw(st.sampled_from((0.0, 0.3, 1.0)))}
    return inst


@st.composite
def existing_contracts(draw: st.DrawFn, y0: int, n: int, offers: list[dict[str, Any]], scale: float) -> dict[str, Any]:
    """§10.3: chips of an offer signed before or during the horizon, still running at its start or
    starting before its end (``μ`` months from the horizon start: ``−term < μ < 12·n``)."""
    offer = draw(st.sampled_from(offers))
    mu = draw(st.integers(-offer["term_months"] + 1, 12 * n - 1))
    year, month = y0 + mu // 12, mu % 12 + 1
    e: dict[str, Any] = {"offer": offer["id"], "chips": round(draw(st.floats(1.0, scale)), 1),
                         "start": f"{year:04d}-{month:02d}"}
    if draw(st.booleans()):
        e["price_per_chip_hour"] = round(draw(st.floats(0.5, 6.0)), 3)
    return e


@st.composite
def shared_supplies(draw: st.DrawFn, y0: int, n: int, provider_ids: list[str], chip_names: list[str], scale: float,
                    need_mw: float, tight: bool) -> dict[str, Any]:
    """§10.4: new chips (or MW) of some chips, at one provider or all, capped per year."""
    entry: dict[str, Any] = {"chips": draw(st.lists(st.sampled_from(chip_names), min_size=1, max_size=2, unique=True))}
    if draw(st.booleans()):
        entry["provider"] = draw(st.sampled_from(provider_ids))
    if draw(st.booleans()):
        entry["max_new_chips"] = draw(year_maps(y0, n, 0.0 if tight else scale, 20 * scale))
    else:
        entry["max_new_mw"] = draw(year_maps(y0, n, 0.0 if tight else need_mw / 4, 2 * need_mw))
    return entry


def _window(draw: st.DrawFn, y0: int, n: int) -> list[int]:
    """``[Y1, Y2]`` overlapping the horizon (may start before it or end after it)."""
    y1 = draw(st.integers(y0 - 1, y0 + n - 1))
    return [y1, draw(st.integers(max(y1, y0), y0 + n + 1))]


@st.composite
def scenario_sets(draw: st.DrawFn, y0: int, n: int, workload_ids: list[str]) -> dict[str, Any]:
    """1–3 cases whose probabilities sum to 1, with multipliers by workload or ``"*"``."""
    k = draw(st.integers(1, 3))
    probabilities = draw(st.sampled_from({1: [[1.0]], 2: [[0.5, 0.5], [0.25, 0.75], [0.1, 0.9]],
                                          3: [[0.25, 0.25, 0.5], [0.2, 0.3, 0.5]]}[k]))
    cases = []
    for i, p in enumerate(probabilities):
        case: dict[str, Any] = {"id": f"s{i}", "probability": p}
        keys = draw(st.lists(st.sampled_from([*workload_ids, "*"]), max_size=2, unique=True))
        if keys:
            case["demand_multiplier"] = {key: draw(year_maps(y0, n, 0.5, 2.0)) for key in keys}
        cases.append(case)
    out: dict[str, Any] = {"cases": cases}
    if draw(st.booleans()):
        out["first_stage_years"] = draw(st.integers(0, n))
    return out


# --- mutations ----------------------------------------------------------------------------------

REFERENCE_KEYS = ("provider", "chip", "metric")
"""Keys whose string values name something else in the instance."""


@dataclass(frozen=True)
class Mutation:
    """One change to an instance: ``kind`` at ``path`` (a tuple of keys and indices)."""

    kind: str
    path: tuple[str | int, ...]
    detail: str = ""

    def __str__(self) -> str:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in self.path).lstrip(".")
        return f"{self.kind} at {where or '<root>'}{f' ({self.detail})' if self.detail else ''}"


def _locations(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], Any]]:
    """Every (path, value) of a JSON document, the root included."""
    out = [(path, value)]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _locations(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _locations(v, (*path, i))
    return out


def _parent(doc: Any, path: tuple[str | int, ...]) -> Any:
    for part in path[:-1]:
        doc = doc[part]
    return doc


EXTREMES: tuple[float | int, ...] = (1e308, 1e-308, 2**70, 1e15, 1e-9, 10**7)
"""Finite numbers far outside any plausible range (an enormous number is not NaN: it must be handled)."""

REPLACEMENTS: tuple[Any, ...] = ("text", "", None, True, [], {}, [1, 2], {"x": 1}, 0, -1, 1e308, 2**70, 0.5)


@st.composite
def mutations(draw: st.DrawFn, inst: dict[str, Any]) -> tuple[dict[str, Any], Mutation]:
    """A copy of ``inst`` broken in one place, and what was done."""
    doc = copy.deepcopy(inst)
    locations = _locations(doc)
    kinds = ["delete_key", "rename_key", "change_type", "negate", "nan", "extreme", "drop_item", "wrong_reference"]
    kind = draw(st.sampled_from(kinds))
    keyed = [(p, v) for p, v in locations if p and isinstance(p[-1], str)]
    numbers = [(p, v) for p, v in locations if p and isinstance(v, int | float) and not isinstance(v, bool)]
    items = [(p, v) for p, v in locations if p and isinstance(p[-1], int)]
    refs = [(p, v) for p, v in locations if p and isinstance(v, str) and
            (p[-1] in REFERENCE_KEYS or (len(p) >= 2 and p[-2] in ("providers", "chips") and isinstance(p[-1], int)
                                         and p[0] in ("workloads", "capacity_commitments", "spend_commitments")))]
    pool = {"delete_key": keyed, "rename_key": keyed, "change_type": [(p, v) for p, v in locations if p],
            "negate": numbers, "nan": numbers, "extreme": numbers, "drop_item": items, "wrong_reference": refs}[kind]
    if not pool:
        kind, pool = "change_type", [(p, v) for p, v in locations if p]
    path, value = draw(st.sampled_from(pool))
    parent = _parent(doc, path)
    key = path[-1]
    detail = ""
    if kind == "delete_key":
        del parent[key]
    elif kind == "rename_key":
        new = draw(st.sampled_from((str(key) + "s", str(key)[:-1], str(key).upper(), "x_" + str(key))))
        if new in parent:
            new = "zz_" + new
        parent[new] = parent.pop(key)
        detail = f"to {new!r}"
    elif kind == "change_type":
        parent[key] = draw(st.sampled_from([r for r in REPLACEMENTS if type(r) is not type(value)]))
        detail = f"to {parent[key]!r}"
    elif kind == "negate":
        parent[key] = -value if value else -1
    elif kind == "nan":
        parent[key] = draw(st.sampled_from((math.nan, math.inf, -math.inf)))
        detail = str(parent[key])
    elif kind == "extreme":
        parent[key] = draw(st.sampled_from(EXTREMES))
        detail = f"to {parent[key]!r}"
    elif kind == "drop_item":
        del parent[key]
    else:
        parent[key] = "nope"
    return doc, Mutation(kind, path, detail)
