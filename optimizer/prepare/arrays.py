"""Preprocessing: numpy arrays computed once from a validated instance, handed to the model.

Periods, hours, discount factors, demand curves, price paths, the contract-to-active-period
map, per-year payment coefficients, NPV cost coefficients (full term or pro rata) and big-M bounds
(spec §1–§6). Index order everywhere: scenario ``s``, workload ``w``, offer ``o``,
provider ``p``, signing period ``τ`` / period ``t``, horizon year ``y``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from optimizer.input.schema import Demand, Instance
from optimizer.input.values import YearMap
from optimizer.prepare.existing import Existing, existing_contracts
from optimizer.prepare.placement import placement_limits
from optimizer.prepare.risk import RiskTerm, risk_term
from optimizer.prepare.supply import SupplyTerm, supply_terms

HOURS_PER_YEAR = 8760.0


def discount_factor(rate: float, t: np.ndarray | float, per_year: int) -> np.ndarray | float:
    """``df(t) = (1 + r)^(−t/m)`` (spec §6): the present value of 1 USD paid in period ``t``."""
    return (1.0 + rate) ** (-np.asarray(t, dtype=float) / per_year)


@dataclass(frozen=True)
class Periods:
    """The time grid of spec §1."""

    start_year: int
    years: int
    per_year: int

    @property
    def count(self) -> int:
        """``T = N·m`` periods."""
        return self.years * self.per_year

    @property
    def hours(self) -> float:
        """Hours per period ``H = 8760 / m``."""
        return HOURS_PER_YEAR / self.per_year

    @property
    def year_index(self) -> np.ndarray:
        """``year(t)`` for every period, shape (T,)."""
        return np.arange(self.count) // self.per_year

    @property
    def calendar_years(self) -> np.ndarray:
        """Calendar year of each horizon year index, shape (N,)."""
        return self.start_year + np.arange(self.years)

    def discount(self, rate: float, length: int | None = None) -> np.ndarray:
        """``df(t) = (1 + r)^(−t/m)`` for ``t = 0 … length−1`` (past the horizon too)."""
        return discount_factor(rate, np.arange(self.count if length is None else length), self.per_year)

    def year_values(self, ym: YearMap | None, default: float = math.inf) -> np.ndarray:
        """A year map evaluated on every horizon year, shape (N,); ``default`` where absent."""
        if ym is None:
            return np.full(self.years, default)
        return np.array([ym.at(int(y)) for y in self.calendar_years], dtype=float)


@dataclass(frozen=True)
class SpendTerm:
    """A take-or-pay commitment (C7): ``offers`` (of ``provider``) must pay ``amount_usd`` (USD) in ``years``."""

    provider: int
    offers: np.ndarray  # bool (O,): offers whose payments count: the provider's, of its chips (spec §10.1)
    years: np.ndarray  # bool (N,): horizon years inside the window
    amount_usd: float
    last_year: int  # horizon year index in which a shortfall is paid
    period: int  # t_k, the period at which a shortfall is discounted


@dataclass(frozen=True)
class CapacityTerm:
    """A capacity commitment (C8): at least ``min_mw[t]`` MW of ``offers`` in every period ``t`` of ``periods``."""

    provider: int
    offers: np.ndarray  # bool (O,)
    periods: np.ndarray  # bool (T,)
    min_mw: np.ndarray  # (T,) MW: min_mw(Y0 + year(t)), a ramp when a year map (spec §10.2)


@dataclass(frozen=True)
class Prepared:
    """Everything the model needs, as arrays. Money in USD, power in MW, chips as counts."""

    instance: Instance
    periods: Periods
    provider_ids: tuple[str, ...]
    chip_ids: tuple[str, ...]
    offer_ids: tuple[str, ...]
    workload_ids: tuple[str, ...]
    scenario_ids: tuple[str | None, ...]
    probability: np.ndarray  # (S,)
    first_stage: np.ndarray  # bool (T,): signing periods shared by all scenarios (year(τ) < k)
    df: np.ndarray  # (T,) discount factors
    offer_provider: np.ndarray  # int (O,)
    offer_chip: np.ndarray  # int (O,)
    term: np.ndarray  # int (O,) L_o in periods
    signable: np.ndarray  # bool (O, T)
    active: np.ndarray  # bool (O, T): a[o, t] can be non-zero
    price: np.ndarray  # (O, T) π(o, τ), USD per chip-hour
    npv_cost: np.ndarray  # (O, T) USD per chip signed at τ: its discounted payments the objective counts
    npv_df: np.ndarray  # (T + max L_o,) df(t) where a payment in t counts in the objective, else 0 (§10.6)
    payments: np.ndarray  # (O, T, N) nominal USD per chip signed at τ, paid in horizon year y
    offer_mw: np.ndarray  # (O,) MW per chip
    max_chips: np.ndarray  # (O, T) a valid upper bound on x[o, τ] (chips)
    supply_cap: np.ndarray  # (O, N) chips signable per year, inf = no cap
    shared_supply: tuple[SupplyTerm, ...]  # §10.4: per supply entry, weights (O,) and caps (N,) in chips or MW
    block: np.ndarray  # int (O,) block size, 0 = none
    min_chips: np.ndarray  # (O,)
    demand: np.ndarray  # (S, W, T) in each workload's metric units
    effectiveness: np.ndarray  # (W, O) metric units per chip; 0 = pair not allowed
    power_mw: np.ndarray  # (P, N)
    global_power_mw: np.ndarray | None  # (N,)
    budget_per_year: np.ndarray | None  # (N,) USD
    budget_total: float | None  # USD
    spend: tuple[SpendTerm, ...]
    capacity: tuple[CapacityTerm, ...]
    diversification_weight: np.ndarray | None  # (O,) r(c(o)) per chip
    diversification_share: float | None
    onboarding: np.ndarray  # (P,) USD; 0 where an existing contract is held (already onboarded, §10.3)
    existing: Existing  # §10.3: chips (O, T) and payments (O, N) already signed, constants
    uses_provider_binary: np.ndarray  # bool (P,): z[p] exists
    providers_min: int | None
    providers_max: int | None
    max_providers: np.ndarray  # (W,) §10.5: k where it can bind, inf elsewhere (optimizer.prepare.placement)
    risk: RiskTerm | None  # §10.7: CVaR level and weight (optimizer.prepare.risk)

    @property
    def n_scenarios(self) -> int:
        return len(self.scenario_ids)

    def nodes(self, tau: int) -> range:
        """Scenario copies of a contract signed at ``τ``: one shared copy if first stage."""
        return range(1) if self.first_stage[tau] else range(self.n_scenarios)

    def node(self, tau: int, s: int) -> int:
        """Which copy of ``x[o, τ]`` scenario ``s`` sees (non-anticipativity, spec §5)."""
        return 0 if self.first_stage[tau] else s


def prepare(inst: Instance) -> Prepared:
    """Compute every array of the model from a validated instance."""
    h = inst.horizon
    periods = Periods(h.start_year, h.years, h.periods_per_year)
    T, N = periods.count, periods.years
    provider_index = {p.id: i for i, p in enumerate(inst.providers)}
    chip_index = {c.id: i for i, c in enumerate(inst.chips)}
    chip_mw = np.array([c.power_kw / 1000.0 for c in inst.chips])
    offer_provider = np.array([provider_index[o.provider] for o in inst.offers], dtype=int)
    offer_chip = np.array([chip_index[o.chip] for o in inst.offers], dtype=int)
    offer_mw = chip_mw[offer_chip]
    term = np.array([math.ceil(o.term_months * h.periods_per_year / 12) for o in inst.offers], dtype=int)

    signable = signable_periods(inst, periods)
    price = price_paths(inst, periods)
    df_long = periods.discount(inst.discount_rate, T + int(term.max()))
    npv_df = counted_discount(df_long, T, h.end_effects)
    existing = existing_contracts(inst, term, offer_provider, npv_df, periods.hours)
    active = active_periods(signable, term) | (existing.chips > 0)
    npv_cost = npv_costs(price, term, npv_df, periods.hours)
    payments = payment_coefficients(price, term, periods)

    power_mw = np.array([periods.year_values(p.power_mw) for p in inst.providers])
    global_power = periods.year_values(inst.global_power_mw) if inst.global_power_mw is not None else None
    supply_cap = np.array([periods.year_values(o.max_new_chips_per_year) for o in inst.offers])
    max_chips = chip_bounds(power_mw, global_power, supply_cap, offer_provider, offer_mw, periods)
    max_chips = np.where(signable, max_chips, 0.0)

    scenario_ids, probability, demand = scenario_demand(inst, periods)
    k = inst.scenarios.first_stage_years if inst.scenarios is not None else N
    first_stage = periods.year_index < k if inst.scenarios is not None else np.ones(T, dtype=bool)

    onboarding = np.where(existing.providers, 0.0, [p.onboarding_cost_usd for p in inst.providers])
    pu = inst.providers_used
    uses_z = (onboarding > 0) | (pu is not None)
    budget = inst.budget
    div = inst.diversification
    return Prepared(
        instance=inst, periods=periods,
        provider_ids=tuple(p.id for p in inst.providers), chip_ids=tuple(c.id for c in inst.chips),
        offer_ids=tuple(o.id for o in inst.offers), workload_ids=tuple(w.id for w in inst.workloads),
        scenario_ids=scenario_ids, probability=probability, first_stage=first_stage,
        df=df_long[:T], offer_provider=offer_provider, offer_chip=offer_chip, term=term,
        signable=signable, active=active, price=price, npv_cost=npv_cost, npv_df=npv_df, payments=payments,
        offer_mw=offer_mw, max_chips=max_chips, supply_cap=supply_cap,
        shared_supply=supply_terms(inst, periods.calendar_years),
        block=np.array([o.block_chips or 0 for o in inst.offers], dtype=int),
        min_chips=np.array([o.min_chips for o in inst.offers]),
        demand=demand, effectiveness=effectiveness(inst),
        power_mw=power_mw, global_power_mw=global_power,
        budget_per_year=periods.year_values(budget.per_year_usd)
        if budget is not None and budget.per_year_usd is not None else None,
        budget_total=budget.total_usd if budget is not None else None,
        spend=spend_terms(inst, periods, provider_index),
        capacity=capacity_terms(inst, periods, provider_index),
        diversification_weight=diversification_weights(inst, offer_chip) if div is not None else None,
        diversification_share=div.max_share if div is not None else None,
        onboarding=onboarding, existing=existing, uses_provider_binary=uses_z,
        providers_min=pu.min if pu is not None else None, providers_max=pu.max if pu is not None else None,
        max_providers=placement_limits(inst, effectiveness(inst), offer_provider),
        risk=risk_term(inst),
    )


def signable_periods(inst: Instance, periods: Periods) -> np.ndarray:
    """``Σ_o`` as a mask (O, T): periods whose calendar year lies in ``available``."""
    cal = periods.start_year + periods.year_index
    rows = []
    for o in inst.offers:
        lo = o.available.from_ if o.available.from_ is not None else -math.inf
        hi = o.available.until if o.available.until is not None else math.inf
        rows.append((cal >= lo) & (cal <= hi))
    return np.array(rows, dtype=bool).reshape(len(inst.offers), periods.count)


def active_periods(signable: np.ndarray, term: np.ndarray) -> np.ndarray:
    """Mask (O, T): some signable ``τ`` has ``τ ≤ t ≤ τ + L_o − 1``."""
    counts = np.cumsum(np.pad(signable.astype(int), ((0, 0), (1, 0))), axis=1)  # counts[:, t] = Σ_{τ<t}
    T = signable.shape[1]
    t = np.arange(T)
    lo = np.maximum(t[None, :] - term[:, None] + 1, 0)
    return (np.take_along_axis(counts, t[None, :].repeat(len(term), 0) + 1, axis=1)
            - np.take_along_axis(counts, lo, axis=1)) > 0


def price_paths(inst: Instance, periods: Periods) -> np.ndarray:
    """``π(o, τ) = π_o · (1 + g_o)^year(τ)``, USD per chip-hour, shape (O, T)."""
    base = np.array([o.price_per_chip_hour for o in inst.offers])
    growth = np.array([o.price_change_per_year for o in inst.offers])
    return base[:, None] * (1.0 + growth[:, None]) ** periods.year_index[None, :]


def counted_discount(df_long: np.ndarray, periods: int, end_effects: str) -> np.ndarray:
    """The discount factor of each period as the objective counts a payment in it (unitless, PV of 1 USD).

    ``"full"`` (v1): ``df(t)`` for every ``t``, past the horizon too; ``"pro_rata"`` (spec §10.6):
    ``df(t)`` for ``t ≤ T − 1`` and 0 after, so capacity that outlives the horizon is worth what
    it costs. Any contract paying ``P`` USD per period in periods ``t0 … t1 − 1`` adds
    ``P·npv_df[t0:t1].sum()`` to the objective (new contracts in :func:`npv_costs`).
    """
    return df_long if end_effects == "full" else np.where(np.arange(len(df_long)) < periods, df_long, 0.0)


def npv_costs(price: np.ndarray, term: np.ndarray, npv_df: np.ndarray, hours: float) -> np.ndarray:
    """USD per chip signed at ``τ``: ``π(o, τ)·H·Σ_{t=τ}^{τ+L_o−1} npv_df(t)``, the discounted payments of
    its term that the objective counts (all of them under ``"full"``, see :func:`counted_discount`)."""
    T = price.shape[1]
    cum = np.concatenate([[0.0], np.cumsum(npv_df)])
    tau = np.arange(T)
    df_sum = cum[tau[None, :] + term[:, None]] - cum[tau][None, :]
    return price * hours * df_sum


def payment_coefficients(price: np.ndarray, term: np.ndarray, periods: Periods) -> np.ndarray:
    """Nominal USD paid in horizon year ``y`` per chip signed at ``τ``, shape (O, T, N).

    ``π(o, τ)·H·|{t : year(t) = y, τ ≤ t ≤ τ + L_o − 1}|``; years past the horizon are dropped.
    """
    T, N, m = periods.count, periods.years, periods.per_year
    tau = np.arange(T)
    t = np.arange(T)
    covered = (t[None, None, :] >= tau[None, :, None]) & (t[None, None, :] < tau[None, :, None] + term[:, None, None])
    per_year = covered.reshape(len(term), T, N, m).sum(axis=3)
    return price[:, :, None] * periods.hours * per_year


def chip_bounds(power_mw: np.ndarray, global_power: np.ndarray | None, supply_cap: np.ndarray,
                offer_provider: np.ndarray, offer_mw: np.ndarray, periods: Periods) -> np.ndarray:
    """A valid upper bound on ``x[o, τ]`` in chips, shape (O, T).

    ``x[o, τ] ≤ a[o, τ]``, so C3, C4 and C5 in the signing period bound it: the chips that fit
    the provider's (and the global) power that year, and the year's supply cap.
    """
    by_year = power_mw[offer_provider] / offer_mw[:, None]
    if global_power is not None:
        by_year = np.minimum(by_year, global_power[None, :] / offer_mw[:, None])
    by_year = np.minimum(by_year, supply_cap)
    return by_year[:, periods.year_index]


def demand_curve(d: Demand, periods: Periods) -> np.ndarray:
    """``D_w[t]`` before scenario multipliers (spec §2 workloads), shape (T,)."""
    T, m = periods.count, periods.per_year
    t = np.arange(T)
    if d.series is not None:
        curve = np.array(d.series, dtype=float)
    elif d.points is not None:
        pts = sorted((float(k), v) for k, v in d.points.items())
        xs = np.array([p[0] for p in pts])
        logs = np.log([p[1] for p in pts])
        curve = np.exp(np.interp(periods.start_year + t / m, xs, logs))
    else:
        curve = (d.base or 0.0) * (1.0 + (d.annual_growth or 0.0)) ** (t / m)
    if d.monthly_profile is not None:
        months_per_period = 12 // m
        months = (t[:, None] * months_per_period + np.arange(months_per_period)[None, :]) % 12
        curve = curve * np.asarray(d.monthly_profile)[months].mean(axis=1)
    return curve * d.peak_factor


def scenario_demand(inst: Instance, periods: Periods) -> tuple[tuple[str | None, ...], np.ndarray, np.ndarray]:
    """Scenario ids, probabilities (S,) and demand (S, W, T) with multipliers applied (spec §5)."""
    base = np.array([demand_curve(w.demand, periods) for w in inst.workloads])
    if inst.scenarios is None:
        return (None,), np.ones(1), base[None, :, :]
    cases = inst.scenarios.cases
    yidx = periods.year_index
    out = np.empty((len(cases), *base.shape))
    for s, case in enumerate(cases):
        for w, wl in enumerate(inst.workloads):
            ym = case.demand_multiplier.get(wl.id, case.demand_multiplier.get("*"))
            out[s, w] = base[w] * periods.year_values(ym, default=1.0)[yidx]
    return tuple(c.id for c in cases), np.array([c.probability for c in cases]), out


def chip_matches(inst: Instance, names: list[str] | None, metric: str | None = None) -> np.ndarray:
    """Mask over chips (C,): id or family in ``names`` (all if None) and, if given, ``perf[metric] > 0``."""
    mask = np.array([names is None or c.id in names or c.family_name in names for c in inst.chips])
    if metric is not None:
        mask &= np.array([c.perf.get(metric, 0.0) > 0 for c in inst.chips])
    return mask


def effectiveness(inst: Instance) -> np.ndarray:
    """``e(w, c(o))`` for allowed pairs A (C9), 0 elsewhere, shape (W, O); metric units per chip."""
    chip_index = {c.id: i for i, c in enumerate(inst.chips)}
    out = np.zeros((len(inst.workloads), len(inst.offers)))
    for w, wl in enumerate(inst.workloads):
        chips_ok = chip_matches(inst, wl.chips, wl.metric)
        providers = set(wl.providers) if wl.providers is not None else None
        for o, offer in enumerate(inst.offers):
            c = chip_index[offer.chip]
            if chips_ok[c] and (providers is None or offer.provider in providers):
                eff = wl.chip_efficiency.get(offer.chip, wl.efficiency)
                out[w, o] = inst.chips[c].perf[wl.metric] * eff
    return out


def spend_terms(inst: Instance, periods: Periods, provider_index: dict[str, int]) -> tuple[SpendTerm, ...]:
    """C7 windows clipped to the horizon, with the year and period where a shortfall is paid, and the
    offers whose payments count (the provider's; with ``chips``, only those chips', spec §10.1)."""
    cal = periods.calendar_years
    chip_index = {c.id: i for i, c in enumerate(inst.chips)}
    out = []
    for c in inst.spend_commitments:
        y1, y2 = c.years
        last = min(y2, periods.start_year + periods.years - 1) - periods.start_year
        chips_ok = chip_matches(inst, c.chips)
        offers = np.array([o.provider == c.provider and chips_ok[chip_index[o.chip]] for o in inst.offers])
        out.append(SpendTerm(provider_index[c.provider], offers, (cal >= y1) & (cal <= y2), c.amount_usd,
                             last, (last + 1) * periods.per_year - 1))
    return tuple(out)


def capacity_terms(inst: Instance, periods: Periods, provider_index: dict[str, int]) -> tuple[CapacityTerm, ...]:
    """C8: which offers count (provider and chips), in which periods, and the MW each period (a ramp, §10.2)."""
    cal = periods.start_year + periods.year_index
    chip_index = {c.id: i for i, c in enumerate(inst.chips)}
    out = []
    for c in inst.capacity_commitments:
        chips_ok = chip_matches(inst, c.chips)
        offers = np.array([o.provider == c.provider and chips_ok[chip_index[o.chip]] for o in inst.offers])
        out.append(CapacityTerm(provider_index[c.provider], offers, (cal >= c.years[0]) & (cal <= c.years[1]),
                                periods.year_values(c.min_mw)[periods.year_index]))
    return tuple(out)


def diversification_weights(inst: Instance, offer_chip: np.ndarray) -> np.ndarray:
    """``r(c(o))`` per chip (C10): ``perf[metric]`` or MW per chip for ``"mw"``."""
    div = inst.diversification
    assert div is not None
    if div.metric == "mw":
        r = np.array([c.power_kw / 1000.0 for c in inst.chips])
    else:
        r = np.array([c.perf.get(div.metric, 0.0) for c in inst.chips])
    return r[offer_chip]
