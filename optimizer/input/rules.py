"""The cross-field rules of spec §2 ("Input errors"): references, unique ids, year-map starts, series
lengths, scenarios. They run on an instance whose shape the schema has already checked."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from optimizer.errors import InstanceError, Problem
from optimizer.input.schema import Instance
from optimizer.input.values import YearMap


def check_consistency(inst: Instance) -> None:
    """Raise :class:`InstanceError` for the rules of spec §2 that ``inst`` breaks (all of them, first first)."""
    problems = consistency_problems(inst)
    if problems:
        raise InstanceError.from_problems(problems)


def consistency_problems(inst: Instance) -> list[Problem]:
    """Every cross-field rule of spec §2 that ``inst`` breaks, in document order (more or less)."""
    problems: list[Problem] = []

    def add(path: str, problem: str) -> None:
        problems.append((path, problem))

    y0, n = inst.horizon.start_year, inst.horizon.years
    last = y0 + n - 1
    for kind, items in (("providers", inst.providers), ("chips", inst.chips), ("offers", inst.offers),
                        ("workloads", inst.workloads)):
        _unique_ids(kind, items, add)
    provider_ids = {p.id for p in inst.providers}
    chip_ids = {c.id for c in inst.chips}
    chip_names = chip_ids | {c.family_name for c in inst.chips}
    metrics = {k for c in inst.chips for k in c.perf}

    def year_map(path: str, ym: YearMap | None) -> None:
        if ym is not None and ym.first_year is not None and ym.first_year > y0:
            add(path, f"year map starts in {ym.first_year}, after the start year {y0}; add a value for {y0}")

    def ref(path: str, value: str, known: Iterable[str], what: str) -> None:
        if value not in known:
            add(path, f"unknown {what} {value!r} (known: {', '.join(sorted(known))})")

    def window(path: str, years: list[int]) -> None:
        if years[0] > years[1]:
            add(path, f"first year {years[0]} is after last year {years[1]}")
        elif years[1] < y0 or years[0] > last:
            add(path, f"window {years[0]}–{years[1]} is outside the horizon {y0}–{last}")

    for i, p in enumerate(inst.providers):
        year_map(f"providers[{i}].power_mw", p.power_mw)
    for i, o in enumerate(inst.offers):
        at = f"offers[{i}]"
        ref(f"{at}.provider", o.provider, provider_ids, "provider")
        ref(f"{at}.chip", o.chip, chip_ids, "chip")
        a = o.available
        if a.from_ is not None and a.until is not None and a.until < a.from_:
            add(f"{at}.available", f"until {a.until} is before from {a.from_}")
        year_map(f"{at}.max_new_chips_per_year", o.max_new_chips_per_year)
    for i, w in enumerate(inst.workloads):
        _check_workload(f"workloads[{i}]", w, inst, provider_ids, chip_ids, chip_names, metrics, ref, add)
    if inst.budget is not None:
        year_map("budget.per_year_usd", inst.budget.per_year_usd)
    year_map("global_power_mw", inst.global_power_mw)
    for i, c in enumerate(inst.spend_commitments):
        ref(f"spend_commitments[{i}].provider", c.provider, provider_ids, "provider")
        for j, name in enumerate(c.chips or ()):
            ref(f"spend_commitments[{i}].chips[{j}]", name, chip_names, "chip or family")
        window(f"spend_commitments[{i}].years", c.years)
    for i, c in enumerate(inst.capacity_commitments):
        ref(f"capacity_commitments[{i}].provider", c.provider, provider_ids, "provider")
        for j, name in enumerate(c.chips):
            ref(f"capacity_commitments[{i}].chips[{j}]", name, chip_names, "chip or family")
        window(f"capacity_commitments[{i}].years", c.years)
        year_map(f"capacity_commitments[{i}].min_mw", c.min_mw)
    for i, c in enumerate(inst.supply):
        _check_supply(f"supply[{i}]", c, provider_ids, chip_names, ref, year_map, add)
    _check_existing(inst, ref, add)
    if inst.diversification is not None and inst.diversification.metric != "mw":
        ref("diversification.metric", inst.diversification.metric, metrics | {"mw"}, "metric")
    pu = inst.providers_used
    if pu is not None and pu.min is not None and pu.max is not None and pu.min > pu.max:
        add("providers_used", f"min {pu.min} is greater than max {pu.max}")
    if inst.scenarios is not None:
        _check_scenarios(inst, year_map, ref, add)
    return problems


def _unique_ids(kind: str, items: Iterable[Any], add) -> None:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.id in seen:
            add(f"{kind}[{i}].id", f"duplicate id {item.id!r} (also {kind}[{seen[item.id]}])")
        else:
            seen[item.id] = i


def _check_supply(at, c, provider_ids, chip_names, ref, year_map, add) -> None:
    """Shared supply (spec §10.4): known provider and chips, exactly one cap, its year map from the start."""
    if c.provider is not None:
        ref(f"{at}.provider", c.provider, provider_ids, "provider")
    for j, name in enumerate(c.chips):
        ref(f"{at}.chips[{j}]", name, chip_names, "chip or family")
    given = [name for name in ("max_new_chips", "max_new_mw") if getattr(c, name) is not None]
    if len(given) != 1:
        add(at, "give exactly one of 'max_new_chips' or 'max_new_mw'" + (", not both" if given else ""))
    for name in given:
        year_map(f"{at}.{name}", getattr(c, name))


def start_month(start: str) -> tuple[int, int] | None:
    """``'YYYY-MM'`` as (year, month 1–12), or None when it is not one (spec §10.3)."""
    if len(start) != 7 or start[4] != "-" or not (start[:4] + start[5:]).isdigit():
        return None
    year, month = int(start[:4]), int(start[5:])
    return (year, month) if 1 <= month <= 12 else None


def _check_existing(inst: Instance, ref, add) -> None:
    """Existing contracts (spec §10.3): a known offer, a start 'YYYY-MM', not expired, not after the horizon."""
    y0, n = inst.horizon.start_year, inst.horizon.years
    terms = {o.id: o.term_months for o in inst.offers}
    for i, e in enumerate(inst.existing_contracts):
        at = f"existing_contracts[{i}]"
        ref(f"{at}.offer", e.offer, terms, "offer")
        ym = start_month(e.start)
        if ym is None:
            add(f"{at}.start", f"{e.start!r} is not a month 'YYYY-MM' (month 01–12)")
            continue
        mu = (ym[0] - y0) * 12 + ym[1] - 1
        if mu >= 12 * n:
            add(f"{at}.start", f"{e.start} is after the horizon ({y0}-01 to {y0 + n - 1}-12)")
        elif e.offer in terms and terms[e.offer] + mu <= 0:
            add(f"{at}.start", f"the contract expired before the horizon starts ({y0}-01): "
                               f"{terms[e.offer]} months from {e.start}")


def _check_workload(at, w, inst, provider_ids, chip_ids, chip_names, metrics, ref, add) -> None:
    if w.metric not in metrics:
        add(f"{at}.metric", f"no chip has metric {w.metric!r} (chips have: {', '.join(sorted(metrics)) or 'none'})")
    for j, p in enumerate(w.providers or ()):
        ref(f"{at}.providers[{j}]", p, provider_ids, "provider")
    for j, c in enumerate(w.chips or ()):
        ref(f"{at}.chips[{j}]", c, chip_names, "chip or family")
    for c in w.chip_efficiency:
        ref(f"{at}.chip_efficiency.{c}", c, chip_ids, "chip")
    _check_demand(f"{at}.demand", w.demand, inst, add)


def _check_demand(at: str, d: Any, inst: Instance, add) -> None:
    forms = [name for name in ("series", "points", "base") if getattr(d, name) is not None]
    if len(forms) != 1:
        add(at, "give exactly one of 'series', 'points' or 'base'" + (f", not {' and '.join(forms)}" if forms else ""))
    if d.annual_growth is not None and d.base is None:
        add(f"{at}.annual_growth", "annual_growth goes with 'base'")
    if d.series is not None:
        t = inst.horizon.years * inst.horizon.periods_per_year
        if len(d.series) != t:
            add(f"{at}.series", f"needs one value per period: {t} values "
                                f"({inst.horizon.years} years × {inst.horizon.periods_per_year}), got {len(d.series)}")
    if d.points is not None:
        if not d.points:
            add(f"{at}.points", "needs at least one point")
        for key in d.points:
            try:
                x = float(key)
            except ValueError:
                x = math.nan
            if not math.isfinite(x):
                add(f"{at}.points", f"key {key!r} is not a calendar year")


def _check_scenarios(inst: Instance, year_map, ref, add) -> None:
    sc = inst.scenarios
    assert sc is not None
    _unique_ids("scenarios.cases", sc.cases, add)
    total = math.fsum(c.probability for c in sc.cases)
    if abs(total - 1.0) > 1e-9:
        add("scenarios.cases", f"probabilities sum to {total:.12g}, not 1")
    workload_ids = {w.id for w in inst.workloads} | {"*"}
    for i, case in enumerate(sc.cases):
        for key, ym in case.demand_multiplier.items():
            at = f"scenarios.cases[{i}].demand_multiplier.{key}"
            ref(at, key, workload_ids, "workload")
            year_map(at, ym)
