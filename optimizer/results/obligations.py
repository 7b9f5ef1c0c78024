"""What to sign now and what it commits the lab to: the decision a planner acts on, from a solved plan alone.

Pure pandas on a :class:`~optimizer.Solution` (a folder read back is enough); docs/kpis.md defines the figures.

- **Sign now** (:func:`sign_now`): the contracts to sign before anything else is known. With
  scenarios, the first-stage contracts (signed in a period with ``year(τ) < first_stage_years``,
  the same in every scenario, spec §5); without scenarios, the contracts signed in the first
  calendar year of the horizon. One row per contract: provider, chip, offer, whole chips (the
  LP's value rounded to the nearest chip), term, start (calendar year and period), the price per
  chip-hour locked at signing (``π(o, τ) = π_o·(1 + g_o)^year(τ)``, spec §2), the total contract
  value ``whole chips × price × H × L`` (H hours per period, L periods of the term) and MW
  (``whole chips × power_kw / 1000``).
- **Obligations** (:func:`committed_by_provider`, :func:`cash_by_year`): the Sign-now contracts'
  value per provider, and cash per calendar year, past the horizon too (contracts pay to the end
  of their term, spec §4): what Sign now pays, beside what the rest of the plan pays (later
  contracts and fees, probability-weighted with scenarios; existing contracts, spec §10.3), and
  the share of each year's planned payments that Sign now locks in. Cash uses the plan's exact
  chips, so that in every horizon year the parts add up to the plan's payments (``payments.csv``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from optimizer.prepare.arrays import HOURS_PER_YEAR
from optimizer.results.figures import probability_weights
from optimizer.results.files import csv_text

if TYPE_CHECKING:
    from optimizer.results.solution import Solution

SIGN_NOW_COLUMNS = ["provider", "chip", "offer", "chips", "term_months", "term_periods", "year", "period", "start",
                    "price_per_chip_hour", "hours", "value_usd", "mw"]
CASH_COLUMNS = ["year", "in_horizon", "sign_now_usd", "later_usd", "existing_usd", "fees_usd", "planned_usd",
                "locked_in_share"]


def period_name(year: int, period: int, per_year: int) -> str:
    """A period in the calendar: ``2026``, ``2026 H2``, ``2026 Q3``, ``2026-07``."""
    k = period % per_year
    if per_year == 1:
        return str(year)
    if per_year == 12:
        return f"{year}-{k + 1:02d}"
    return f"{year} {'H' if per_year == 2 else 'Q'}{k + 1}"


def sign_now_rule(sol: Solution) -> tuple[int, str]:
    """How many horizon years Sign now covers, and the rule in words."""
    inst = sol.inputs
    if inst is not None and inst.scenarios is not None:
        k = inst.scenarios.first_stage_years
        first = "first year" if k == 1 else f"first {k} years"
        return k, f"the first-stage contracts, signed in the {first} of the horizon, the same in every scenario"
    start = inst.horizon.start_year if inst is not None else None
    return 1, f"the contracts signed in {start}, the first year of the horizon"


def _is_sign_now(sol: Solution, contracts: pd.DataFrame) -> pd.Series:
    """Rows of ``contracts`` signed in the Sign-now years."""
    years, _ = sign_now_rule(sol)
    start = sol.inputs.horizon.start_year
    return (contracts.year - start) < years


def sign_now(sol: Solution) -> pd.DataFrame:
    """The contracts to sign now (``SIGN_NOW_COLUMNS``), one row each, sorted by start, provider, chip, offer."""
    c = sol.contracts
    if not sol.has_plan or sol.inputs is None or c.empty:
        return pd.DataFrame(columns=SIGN_NOW_COLUMNS)
    c = c[_is_sign_now(sol, c)]
    if len(sol.scenarios) > 1:  # a first-stage contract is repeated under every case id
        c = c[c.scenario == sol.scenarios[0]]
    inst = sol.inputs
    m = inst.horizon.periods_per_year
    kw = {ch.id: ch.power_kw for ch in inst.chips}
    months = {o.id: o.term_months for o in inst.offers}
    chips = np.floor(c.chips.to_numpy(dtype=float) + 0.5).astype("int64")  # as results.extract's chips_whole
    hours = HOURS_PER_YEAR / m * c.term_periods.to_numpy(dtype=float)
    out = pd.DataFrame({
        "provider": c.provider.to_numpy(), "chip": c.chip.to_numpy(), "offer": c.offer.to_numpy(), "chips": chips,
        "term_months": c.offer.map(months).to_numpy(), "term_periods": c.term_periods.to_numpy(dtype=int),
        "year": c.year.to_numpy(dtype=int), "period": c.period.to_numpy(dtype=int),
        "start": [period_name(int(y), int(t), m) for y, t in zip(c.year, c.period, strict=True)],
        "price_per_chip_hour": c.price_per_chip_hour.to_numpy(dtype=float), "hours": hours,
        "value_usd": chips * c.price_per_chip_hour.to_numpy(dtype=float) * hours,
        "mw": chips * c.chip.map(kw).to_numpy(dtype=float) / 1000.0,
    }, columns=SIGN_NOW_COLUMNS)
    out = out[out.chips > 0]
    return out.sort_values(["period", "provider", "chip", "offer"], kind="stable").reset_index(drop=True)


def committed_by_provider(sol: Solution) -> pd.DataFrame:
    """Per provider (the instance's order): Sign-now contracts, whole chips, MW and total contract value (USD)."""
    now = sign_now(sol)
    cols = ["provider", "contracts", "chips", "mw", "value_usd"]
    if now.empty:
        return pd.DataFrame(columns=cols)
    out = now.groupby("provider", sort=False).agg(contracts=("offer", "size"), chips=("chips", "sum"),
                                                  mw=("mw", "sum"), value_usd=("value_usd", "sum")).reset_index()
    order = {p.id: i for i, p in enumerate(sol.inputs.providers)}
    return out.sort_values("provider", key=lambda s: s.map(order)).reset_index(drop=True)[cols]


def _cash(rows: pd.DataFrame, first: np.ndarray, periods: np.ndarray, usd: np.ndarray, start: int, m: int,
          weight: np.ndarray) -> pd.Series:
    """USD paid per calendar year by contracts paying ``usd`` per period from ``first`` for ``periods`` periods."""
    if not len(rows):
        return pd.Series(dtype=float)
    counts = np.maximum(periods.astype(int), 0)
    row = np.repeat(np.arange(len(rows)), counts)
    t = first.astype(int)[row] + np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return pd.Series((usd * weight)[row]).groupby(start + t // m).sum()


def cash_by_year(sol: Solution) -> pd.DataFrame:
    """Nominal cash per calendar year, from the horizon's start to the last payment of any contract (``CASH_COLUMNS``).

    ``sign_now_usd``: the Sign-now contracts; ``later_usd``: every other contract (expected with
    scenarios); ``existing_usd``: contracts already held (spec §10.3); ``fees_usd``: onboarding fees and
    take-or-pay shortfalls (expected); ``planned_usd``: their sum, in horizon years equal to the
    plan's payments (``payments.total_usd``, expected); ``locked_in_share``: ``sign_now_usd / planned_usd``.
    """
    if not sol.has_plan or sol.inputs is None:
        return pd.DataFrame(columns=CASH_COLUMNS)
    h = sol.inputs.horizon
    m, start, hours = h.periods_per_year, h.start_year, HOURS_PER_YEAR / h.periods_per_year
    c = sol.contracts
    parts: dict[str, pd.Series] = {}
    if not c.empty:
        now = _is_sign_now(sol, c).to_numpy()
        usd = c.price_per_chip_hour.to_numpy(dtype=float) * hours * c.chips.to_numpy(dtype=float)
        weight = probability_weights(c, sol).to_numpy()
        for name, sel in (("sign_now_usd", now), ("later_usd", ~now)):
            parts[name] = _cash(c[sel], c.period.to_numpy()[sel], c.term_periods.to_numpy()[sel], usd[sel], start, m,
                                weight[sel])
    e = sol.existing
    if not e.empty:
        usd = e.price_per_chip_hour.to_numpy(dtype=float) * hours * e.chips.to_numpy(dtype=float)
        parts["existing_usd"] = _cash(e, e.first_period.to_numpy(), (e.last_period - e.first_period + 1).to_numpy(),
                                      usd, start, m, np.ones(len(e)))
    pay = sol.payments
    if not pay.empty:
        fees = pay.assign(fees=pay.onboarding_usd + pay.shortfall_usd)
        parts["fees_usd"] = (fees.fees * probability_weights(fees, sol)).groupby(fees.year).sum()
    last = max([start + h.years - 1, *(int(s.index.max()) for s in parts.values() if len(s))])
    years = np.arange(start, last + 1)
    out = pd.DataFrame({"year": years, "in_horizon": years < start + h.years})
    for name in CASH_COLUMNS[2:6]:
        out[name] = parts[name].reindex(years, fill_value=0.0).to_numpy() if name in parts else 0.0
    out["planned_usd"] = out[CASH_COLUMNS[2:6]].sum(axis=1)
    out["locked_in_share"] = out.sign_now_usd / out.planned_usd.where(out.planned_usd > 0)
    return out[CASH_COLUMNS]


def obligation_files(sol: Solution) -> dict[str, str]:
    """File name → text: ``sign_now.csv`` (one row per contract) and ``obligations.csv`` (cash per calendar year)."""
    return {"sign_now.csv": csv_text(sign_now(sol)), "obligations.csv": csv_text(cash_by_year(sol))}
