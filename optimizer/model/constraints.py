"""The Pyomo builders of the constraint families of spec §4 (C3–C13; C1, C2, C10 and the definition of
active chips are row blocks, :mod:`optimizer.model.matrix`).

Each builder ``add_*(m, prep, lay, ctx)`` adds its constraints to ``m`` and returns a
:class:`~optimizer.model.parts.Part` (its elastic slacks and the constant rows that can never
hold); :mod:`optimizer.model.families` says which rows each one builds, and in which order.
Units inside the model: chips (counts), MW, the workload's metric (e.g. PFLOPS) and money in
$M (``MONEY`` USD). ``s`` runs over scenarios; without scenarios there is one, ``s = 0``.
Every limit can carry an elastic slack (``ctx.elastic``: used only by the infeasibility diagnosis).
"""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo

from optimizer.model.parts import Context, Part
from optimizer.model.variables import MONEY, Layout, onboarding_fees, x_at
from optimizer.prepare.arrays import Prepared


def _power_rows(m, prep: Prepared, lay: Layout, ctx: Context, offers_of, limit, family: str) -> Part:
    """``Σ_o power_kw[c(o)]/1000 · a[o, t] ≤ limit(year(t))`` for each group of offers (MW)."""
    mw = prep.offer_mw.tolist()
    yidx = prep.periods.year_index.tolist()
    S, T = prep.n_scenarios, prep.periods.count
    index = [(g, t, s) for g, offers in offers_of.items() for t in range(T)
             if not math.isinf(limit(g, yidx[t])) and any(prep.active[o, t] for o in offers)
             for s in range(S)]
    part = ctx.part()

    def rule(_, g, t, s):
        cap = limit(g, yidx[t])
        body = sum(mw[o] * m.a[o, t, s] for o in offers_of[g] if prep.active[o, t])
        body -= part.slack(m, family, (g, t, s), cap)
        return part.row(family, (g, t, s), body, hi=cap)

    setattr(m, family, pyo.Constraint(index, rule=rule))
    return part


def add_provider_power(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, ctx: Context) -> Part:
    """C3 provider power: ``Σ_{o: p(o)=p} power_kw[c(o)]/1000 · a[o, t] ≤ power_mw_p(Y0+year(t))`` (MW)."""
    power = prep.power_mw.tolist()
    return _power_rows(m, prep, lay, ctx, lay.offers_by_provider, lambda p, y: power[p][y], "provider_power")


def add_global_power(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, ctx: Context) -> Part:
    """C4 global power: ``Σ_o power_kw[c(o)]/1000 · a[o, t] ≤ global_power_mw(Y0+year(t))`` (MW)."""
    if prep.global_power_mw is None:
        return ctx.part()
    cap = prep.global_power_mw.tolist()
    return _power_rows(m, prep, lay, ctx, {0: list(range(len(prep.offer_ids)))}, lambda _, y: cap[y],
                       "global_power")


def add_supply(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, ctx: Context) -> Part:
    """C5 supply: ``Σ_{τ ∈ Σ_o, year(τ)=y} x[o, τ] ≤ max_new_chips_per_year_o(Y0+y)`` (chips).

    Years signed wholly in the first stage need the row only once (the x are shared).
    """
    yidx = prep.periods.year_index
    index = []
    for o in range(len(prep.offer_ids)):
        for y in range(prep.periods.years):
            taus = np.flatnonzero(prep.signable[o] & (yidx == y))
            if len(taus) and not math.isinf(prep.supply_cap[o, y]):
                shared = bool(prep.first_stage[taus].all())
                index += [(o, y, s) for s in (range(1) if shared else range(prep.n_scenarios))]
    part = ctx.part()

    def rule(_, o, y, s):
        cap = float(prep.supply_cap[o, y])
        taus = np.flatnonzero(prep.signable[o] & (yidx == y)).tolist()
        body = sum(x_at(m, prep, o, tau, s) for tau in taus)
        body -= part.slack(m, "supply", (o, y, s), cap)
        return part.row("supply", (o, y, s), body, hi=cap)

    m.supply = pyo.Constraint(index, rule=rule)
    return part


def payments_expr(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, years: np.ndarray, s: int,
                  provider: int | None = None, offers: np.ndarray | None = None):
    """Contract payments in the horizon years selected by the mask ``years`` (N,), in $M.

    ``Σ_{o,τ} π(o,τ)·H·|{t : year(t) ∈ years, τ ≤ t ≤ τ+L_o−1}| · x[o, τ] / MONEY``,
    restricted to offers of ``provider`` when given, or to the offers of the mask ``offers`` (O,).
    Existing contracts' payments in those years (spec §10.3) are a constant term.
    """
    coef = prep.payments[:, :, years].sum(axis=2) / MONEY
    if offers is not None:
        chosen = np.flatnonzero(offers).tolist()
    else:
        chosen = lay.offers_by_provider[provider] if provider is not None else range(len(prep.offer_ids))
    fixed = float(prep.existing.payments[list(chosen)][:, years].sum()) / MONEY
    terms = [fixed] if fixed > 0 else []
    for o in chosen:
        row = coef[o].tolist()
        terms += [row[tau] * x_at(m, prep, o, tau, s) for tau, n in lay.x_by_offer[o]
                  if n == prep.node(tau, s) and row[tau] > 0]
    return sum(terms)


def _fixed_payments(m: pyo.ConcreteModel, prep: Prepared, y: int | None, s: int):
    """Onboarding (paid in year 0) and shortfalls (paid in their window's last horizon year), in $M."""
    expr = 0
    if y is None or y == 0:
        expr += onboarding_fees(m, prep)
    expr += sum(m.short[k, s] for k, term in enumerate(prep.spend) if y is None or term.last_year == y)
    return expr


def add_budget(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, ctx: Context) -> Part:
    """C6 budget: ``pay(y) ≤ per_year_usd(Y0+y)`` for every horizon year; ``Σ_{y<N} pay(y) ≤ total_usd``.

    ``pay(y)`` = contract payments in year y + onboarding (y = 0) + shortfalls due in y, all in $M.
    """
    N, S = prep.periods.years, prep.n_scenarios
    part = ctx.part()
    if prep.budget_per_year is not None:
        cap = prep.budget_per_year.tolist()
        index = [(y, s) for y in range(N) if not math.isinf(cap[y]) for s in range(S)]

        def per_year(_, y, s):
            body = payments_expr(m, prep, lay, np.arange(N) == y, s) + _fixed_payments(m, prep, y, s)
            body -= part.slack(m, "budget_year", (y, s), cap[y] / MONEY)
            return part.row("budget_year", (y, s), body, hi=cap[y] / MONEY)

        m.budget_year = pyo.Constraint(index, rule=per_year)
    if prep.budget_total is not None:
        total = prep.budget_total / MONEY

        def overall(_, s):
            body = payments_expr(m, prep, lay, np.ones(N, dtype=bool), s) + _fixed_payments(m, prep, None, s)
            body -= part.slack(m, "budget_total", (s,), total)
            return part.row("budget_total", (s,), body, hi=total)

        m.budget_total = pyo.Constraint(range(S), rule=overall)
    return part


def add_spend_commitments(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, ctx: Context) -> Part:
    """C7 spend commitment (take-or-pay): ``Σ_{y ∈ window} pay_p(y) + short[k] ≥ amount`` ($M).

    Only horizon years of the window count, and only offers of the commitment's chips (spec §10.1;
    ``term.offers``); the shortfall is paid at ``t_k`` (see the objective).
    """
    def rule(_, k, s):
        term = prep.spend[k]
        body = payments_expr(m, prep, lay, term.years, s, offers=term.offers) + m.short[k, s]
        return body >= term.amount_usd / MONEY

    m.spend_commitment = pyo.Constraint(m.K, rule=rule)
    return ctx.part()


def add_capacity_commitments(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, ctx: Context) -> Part:
    """C8 capacity commitment: ``Σ_{o: p(o)=p, c(o)∈F} power_kw/1000 · a[o, t] ≥ min_mw(Y0+year(t))`` in the
    window (MW; a ramp when ``min_mw`` is a year map, spec §10.2)."""
    mw = prep.offer_mw.tolist()
    S, T = prep.n_scenarios, prep.periods.count
    index = [(k, t, s) for k, c in enumerate(prep.capacity) for t in range(T) if c.periods[t] and c.min_mw[t] > 0
             for s in range(S)]
    part = ctx.part()

    def rule(_, k, t, s):
        c = prep.capacity[k]
        least = float(c.min_mw[t])
        body = sum(mw[o] * m.a[o, t, s] for o in np.flatnonzero(c.offers & prep.active[:, t]).tolist())
        body += part.slack(m, "capacity_commitment", (k, t, s), least)
        return part.row("capacity_commitment", (k, t, s), body, lo=least)

    m.capacity_commitment = pyo.Constraint(index, rule=rule)
    return part


def add_provider_used(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, ctx: Context) -> Part:
    """C11 provider used: ``x[o, τ] ≤ M_oτ · z[p(o)]`` and ``z[p] ≤ Σ_{s, o: p(o)=p, τ} x[o, τ, s]`` (chips).

    ``M_oτ`` is the chips that fit the provider's power in the signing year (and the supply cap).
    """
    owner = prep.offer_provider.tolist()
    bound = prep.max_chips.tolist()
    index = [i for i in m.X if owner[i[0]] in m.P and not math.isinf(bound[i[0]][i[1]])]

    def link(_, o, tau, n):
        return m.x[o, tau, n] - bound[o][tau] * m.z[owner[o]] <= 0

    copies = prep.n_scenarios  # the spec sums x[o, τ, s] over s: a shared first-stage x counts S times

    def used(_, p):
        if prep.existing.providers[p]:  # holds an existing contract: used, z[p] fixed to 1 (spec §10.3)
            return pyo.Constraint.Skip
        chips = [(copies if prep.first_stage[tau] else 1) * m.x[o, tau, n]
                 for o in lay.offers_by_provider[p] for tau, n in lay.x_by_offer[o]]
        if not chips:
            return m.z[p] <= 0
        return m.z[p] - sum(chips) <= 0

    m.provider_used_link = pyo.Constraint(index, rule=link)
    m.provider_used = pyo.Constraint(m.P, rule=used)
    return ctx.part()


def add_minimum_contracts(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, ctx: Context) -> Part:
    """C12 minimum contract: ``min_chips · v[o, τ] ≤ x[o, τ] ≤ M_oτ · v[o, τ]`` (chips); also whole blocks.

    With ``block_chips`` b the chips signed are ``x = b · blocks`` with ``blocks`` integer (spec §3).
    """
    bound = prep.max_chips.tolist()
    least = prep.min_chips.tolist()
    block = prep.block.tolist()

    def lower(_, o, tau, n):
        return m.x[o, tau, n] - least[o] * m.v[o, tau, n] >= 0

    def upper(_, o, tau, n):
        big = bound[o][tau]
        if math.isinf(big):
            raise ValueError(f"offer {prep.offer_ids[o]} has min_chips but no finite bound on chips")
        return m.x[o, tau, n] - big * m.v[o, tau, n] <= 0

    m.min_contract_lower = pyo.Constraint(m.XV, rule=lower)
    m.min_contract_upper = pyo.Constraint(m.XV, rule=upper)
    m.block_multiple = pyo.Constraint(m.XB, rule=lambda _, o, tau, n: m.x[o, tau, n] == block[o] * m.blocks[o, tau, n])
    return ctx.part()


def add_providers_used(m: pyo.ConcreteModel, prep: Prepared, lay: Layout, ctx: Context) -> Part:
    """C13 providers used: ``min ≤ Σ_p z[p] ≤ max``."""
    lo, hi = prep.providers_min, prep.providers_max
    part = ctx.part()
    count = sum(m.z[p] for p in m.P) if lo is not None or hi is not None else 0
    if lo is not None:
        body = count + part.slack(m, "providers_used_min", (), lo)
        m.providers_used_min = pyo.Constraint(rule=part.row("providers_used_min", (), body, lo=lo))
    if hi is not None:
        body = count - part.slack(m, "providers_used_max", (), hi)
        m.providers_used_max = pyo.Constraint(rule=part.row("providers_used_max", (), body, hi=hi))
    return part
