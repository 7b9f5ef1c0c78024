"""Existing contracts (spec §10.3): chips and payments already signed, constants of the model.

A contract that started in month ``μ = (Ys − Y0)·12 + (Ms − 1)`` (counted from the horizon start)
is active in periods ``τ_e … τ_e + L_o − 1`` with ``τ_e = floor(μ·m/12)`` when ``μ ≥ 0``, and in
periods ``0 … ceil(r·m/12) − 1`` with ``r = term_months + μ`` months left when ``μ < 0``. Its chips
add to ``a[o, t]`` in every scenario and it pays ``price·H·chips`` in each active period, past the
horizon too. They are not new chips: C5, shared supply, C12 and whole blocks never see them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from optimizer.input.rules import start_month
from optimizer.input.schema import Instance


@dataclass(frozen=True)
class ExistingContract:
    """One existing contract, resolved on the time grid."""

    offer: int
    start: str  # 'YYYY-MM', as given
    chips: float
    price: float  # USD per chip-hour
    first: int  # first active period
    end: int  # one past the last active period (may lie past the horizon)
    npv_usd: float  # its payments as the objective counts them (discounted with npv_df)


@dataclass(frozen=True)
class Existing:
    """Every existing contract, as constants: chips (O, T), nominal USD (O, N), the objective's USD."""

    chips: np.ndarray  # (O, T) chips active in horizon period t
    payments: np.ndarray  # (O, N) nominal USD paid in horizon year y
    npv_usd: float  # Σ price·H·chips·npv_df[active periods]: the objective's constant, USD
    providers: np.ndarray  # bool (P,): providers holding one (used, onboarded, z[p] = 1)
    contracts: tuple[ExistingContract, ...]

    @property
    def steps(self) -> np.ndarray:
        """``E[o, t] − E[o, t−1]`` (chips, ``E[o, −1] = 0``, ``E = chips``): how they change ``a[o, t]``, (O, T)."""
        return np.diff(self.chips, axis=1, prepend=0.0)


def existing_contracts(inst: Instance, term: np.ndarray, offer_provider: np.ndarray, npv_df: np.ndarray,
                       hours: float) -> Existing:
    """The existing contracts of ``inst`` on its time grid (``term`` L_o in periods, ``npv_df`` from §10.6)."""
    h = inst.horizon
    m, T, N = h.periods_per_year, h.years * h.periods_per_year, h.years
    offer_index = {o.id: i for i, o in enumerate(inst.offers)}
    chips = np.zeros((len(inst.offers), T))
    payments = np.zeros((len(inst.offers), N))
    providers = np.zeros(len(inst.providers), dtype=bool)
    out = []
    for e in inst.existing_contracts:
        o = offer_index[e.offer]
        year, month = start_month(e.start) or (h.start_year, 1)
        mu = (year - h.start_year) * 12 + month - 1
        if mu >= 0:
            first = mu * m // 12
            end = first + int(term[o])
        else:
            first, end = 0, math.ceil((inst.offers[o].term_months + mu) * m / 12)
        price = e.price_per_chip_hour if e.price_per_chip_hour is not None else inst.offers[o].price_per_chip_hour
        per_period = price * hours * e.chips
        inside = np.arange(first, min(end, T))
        chips[o, inside] += e.chips
        np.add.at(payments[o], inside // m, per_period)
        npv = per_period * float(npv_df[first:end].sum())
        providers[offer_provider[o]] = True
        out.append(ExistingContract(o, e.start, float(e.chips), float(price), first, end, npv))
    return Existing(chips, payments, float(sum(c.npv_usd for c in out)), providers, tuple(out))
