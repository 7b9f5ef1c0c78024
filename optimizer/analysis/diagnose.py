"""Infeasibility diagnosis in the instance's own words.

An elastic copy of the model puts a non-negative slack on every limit (demand, provider and
global power, supply, budgets, capacity commitments, diversification, providers used), each
weighted by the inverse of the limit's size so that the smallest relative relaxation wins
(demand ten times dearer, so limits move before demand is dropped). The slacks that are
non-zero at its optimum are the limits that must move: where, and by how much.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np
import pyomo.environ as pyo

from optimizer.model import Built, Slack, build_model
from optimizer.model.describe import describe, scenario_index, subject_key
from optimizer.prepare.arrays import Prepared
from optimizer.solve.options import SolveOptions
from optimizer.solve.pipeline import solve_built
from optimizer.units import usd

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Finding:
    """One limit that falls short: its JSON path, where, by how much (``amount`` in ``unit``)."""

    limit: str
    path: str
    where: str
    year: int | None
    scenario: str | None
    amount: float
    unit: str
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


def diagnose(prep: Prepared, options: SolveOptions | None = None) -> list[Finding]:
    """The limits that must move to make the instance feasible (empty if it already is).

    The elastic model is solved with integers relaxed first (an LP: fast, and any limit it finds
    must move at least that much). Only if that LP needs no relaxation, so that integrality
    alone makes the instance infeasible, is the elastic MILP solved.
    """
    options = options or SolveOptions()
    structural = structural_findings(prep)
    if structural:
        return structural
    built = build_model(replace(prep, max_chips=elastic_bounds(prep)), elastic=True)
    findings = _elastic_findings(prep, built, options, relax=True)
    if findings or not built.is_mip:
        return findings
    return _elastic_findings(prep, built, options, relax=False)


def _elastic_findings(prep: Prepared, built: Built, options: SolveOptions, *, relax: bool) -> list[Finding]:
    integers = [v for v in built.model.component_data_objects(pyo.Var) if v.is_integer()]
    domains = [v.domain for v in integers]
    if relax:
        for v in integers:
            v.domain = pyo.UnitInterval if v.is_binary() else pyo.NonNegativeReals
    try:
        raw = solve_built(built, options)
    finally:
        for v, domain in zip(integers, domains, strict=True):
            v.domain = domain
    if not raw.status.has_plan:
        return [Finding("unknown", "", "", None, None, 0.0, "",
                        f"the elastic model could not be solved either ({raw.message})")]
    need: dict[tuple, tuple[float, Slack]] = {}
    slack = raw.dense("slack", (len(built.layout.slacks),)).tolist()
    for i, sl in enumerate(built.layout.slacks):
        value = slack[i] * sl.scale
        if value <= TOLERANCE * max(1.0, 1.0 / sl.weight):
            continue
        key = _group(built, prep, sl)
        if key not in need or value > need[key][0]:
            need[key] = (value, sl)
    return [_finding(built, prep, sl, amount) for _, (amount, sl) in sorted(need.items(), key=lambda kv: kv[0])]


def elastic_bounds(prep: Prepared) -> np.ndarray:
    """Bounds on ``x[o, τ]`` (chips) that do not presume the power limits hold, shape (O, T).

    The normal bounds come from the power limits, which the elastic model may relax; here each
    offer may sign enough chips to serve every workload it can serve on its own, or to meet every
    capacity commitment it counts for, whichever is larger (and at least the normal bound, its
    minimum contract, rounded up to whole blocks).
    """
    eff = np.where(prep.effectiveness > 0, prep.effectiveness, np.inf)  # (W, O)
    serve_all = (prep.demand.max(axis=2)[:, :, None] / eff[None, :, :]).sum(axis=1).max(axis=0)  # (O,)
    commit = np.zeros(len(prep.offer_ids))
    for c in prep.capacity:
        most = float(c.min_mw[c.periods].max(initial=0.0))  # the ramp's largest step (MW)
        commit = np.maximum(commit, np.where(c.offers, most / prep.offer_mw, 0.0))
    by_offer = np.maximum(serve_all, commit)[:, None]
    supply = prep.supply_cap[:, prep.periods.year_index]
    bound = np.maximum(prep.max_chips, np.where(np.isinf(supply), by_offer, np.maximum(by_offer, supply)))
    bound = np.maximum(bound, prep.min_chips[:, None])  # a minimum contract must fit
    block = np.maximum(prep.block, 1)[:, None]
    bound = np.ceil(bound / block - 1e-9) * block  # and a whole number of blocks
    return np.where(prep.signable, bound, 0.0)


def _group(built: Built, prep: Prepared, sl: Slack) -> tuple:
    """A slack's limit with its periods collapsed to calendar years: (family, subject, year, scenario)."""
    family = built.registry[sl.family]
    return sl.family, subject_key(family, sl.key), describe(prep, family, sl.key).year, scenario_index(family, sl.key)


def _finding(built: Built, prep: Prepared, sl: Slack, amount: float) -> Finding:
    """The limit that must move by ``amount`` (its largest slack over a year), in the instance's words."""
    family = built.registry[sl.family]
    d = describe(prep, family, sl.key)
    unit = d.unit_of(family.elastic.unit)
    where = d.where or d.place
    when = f" in {d.year}" if d.year is not None else ""
    if d.scenario is not None:
        when += f" (scenario {d.scenario})"
    named = f" ({d.where})" if "{" in family.path else ""  # a path to one item names it
    tail = d.text(family.elastic.shortfall, amount=amount, unit=unit, where=where, usd=usd(amount),
                  plural="s" if amount > 1.5 else "", limit=sl.limit, held=sl.limit - amount)
    return Finding(family.alias, d.path, where, d.year, d.scenario, amount, unit, f"{d.path}{named}{when}: {tail}")


def structural_findings(prep: Prepared) -> list[Finding]:
    """Demand that no allowed offer can ever serve (exclusivity and chip filters, C9)."""
    out = []
    inst = prep.instance
    for w, wl in enumerate(inst.workloads):
        if (prep.demand[:, w, :] > 0).any() and not (prep.effectiveness[w] > 0).any():
            scope = f"may only use {', '.join(wl.providers)}" if wl.providers is not None else "may use any provider"
            chips = f" and chips {', '.join(wl.chips)}" if wl.chips is not None else ""
            out.append(Finding("exclusivity", f"workloads[{w}]", wl.id, None, None, 0.0, wl.metric,
                               f"workloads[{w}] ({wl.id}) {scope}{chips} but no such offer has {wl.metric}"))
            continue
        serving = (prep.effectiveness[w] > 0)[:, None] & prep.active
        dark = (prep.demand[:, w, :] > 0).any(axis=0) & ~serving.any(axis=0)
        if dark.any():
            t = int(dark.argmax())
            year = int(prep.periods.start_year + prep.periods.year_index[t])
            out.append(Finding("availability", f"workloads[{w}].demand", wl.id, year, None, 0.0, wl.metric,
                               f"workloads[{w}] ({wl.id}) has demand in {year} (period {t}) but no offer it may "
                               f"use can be active then (see offers[].available)"))
    return out


__all__ = ["Finding", "diagnose"]
