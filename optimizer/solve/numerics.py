"""Numerical health: the model's coefficient ranges, and warnings for implausible input units.

:func:`coefficient_ranges` reads the arrays handed to HiGHS (units inside the model: chips, MW,
metric units, money in $M). :func:`unit_warnings` flags inputs that look like a unit mistake
(kW vs W per chip, a price per hour vs per month, a percentage written as 8 instead of 0.08);
it never refuses an instance: the plan is still solved, the warnings ride along on the Solution.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from optimizer.input.schema import Instance
from optimizer.input.values import YearMap
from optimizer.prepare.arrays import Periods, demand_curve

RANGE_WARNING = 1e12
"""A matrix whose largest and smallest |coefficient| differ by more than this gets a warning."""

SMALL_COEFFICIENT, LARGE_COEFFICIENT, INFINITE = 1e-9, 1e15, 1e20
"""HiGHS drops matrix entries below 1e-9, refuses entries of 1e15 or more, and reads bounds, limits and
costs of 1e20 or more as infinite (its small_matrix_value, large_matrix_value, infinite_bound)."""


class CoefficientError(ValueError):
    """A number of the compiled model that HiGHS would drop, refuse or read as infinite.

    ``what`` is "coefficient", "cost", "limit" or "bound"; ``row`` and ``column`` are the
    (name, index) of the constraint and variable concerned (None where not applicable); ``value``
    in model units.
    """

    def __init__(self, what: str, value: float, row=None, column=None):
        self.what, self.value, self.row, self.column = what, value, row, column
        super().__init__(f"{what} {value:.3g} out of HiGHS's range")


def check_coefficients(matrix, cost: np.ndarray, col_lower: np.ndarray, col_upper: np.ndarray,
                       row_lower: np.ndarray, row_upper: np.ndarray, rows: list, columns: list) -> None:
    """Raise :class:`CoefficientError` for the first number HiGHS cannot take as it is (CSC ``matrix``)."""
    data = np.asarray(matrix.data, dtype=float)
    size = np.abs(data)
    bad = ~np.isfinite(data) | (size >= LARGE_COEFFICIENT) | ((size > 0) & (size < SMALL_COEFFICIENT))
    if bad.any():
        k = int(np.argmax(bad))
        col = int(np.searchsorted(matrix.indptr, k, side="right") - 1)
        raise CoefficientError("coefficient", float(data[k]), rows[int(matrix.indices[k])][:2], columns[col])

    def unusable(values: np.ndarray) -> np.ndarray:
        return np.isnan(values) | (np.isfinite(values) & (np.abs(values) >= INFINITE))

    for what, values, is_row in (("cost", cost, False), ("limit", row_lower, True), ("limit", row_upper, True),
                                 ("bound", col_lower, False), ("bound", col_upper, False)):
        hit = unusable(np.asarray(values, dtype=float))
        if hit.any():
            i = int(np.argmax(hit))
            raise CoefficientError(what, float(values[i]), rows[i][:2] if is_row else None,
                                   None if is_row else columns[i])


@dataclass(frozen=True)
class InputWarning:
    """An implausible input: its JSON path and what looks wrong."""

    path: str
    problem: str

    @property
    def message(self) -> str:
        return f"{self.path}: {self.problem}" if self.path else self.problem

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def _span(values: np.ndarray) -> list[float] | None:
    """``[min |v|, max |v|]`` over finite non-zero values, or None if there are none."""
    v = np.abs(np.asarray(values, dtype=float))
    v = v[np.isfinite(v) & (v > 0)]
    return [float(v.min()), float(v.max())] if v.size else None


def coefficient_ranges(matrix: np.ndarray, cost: np.ndarray, col_lower: np.ndarray, col_upper: np.ndarray,
                       row_lower: np.ndarray, row_upper: np.ndarray) -> dict[str, list[float] | None]:
    """``{"matrix", "cost", "bounds", "rhs"}`` → ``[min |v|, max |v|]`` of the finite non-zero entries."""
    return {"matrix": _span(matrix), "cost": _span(cost),
            "bounds": _span(np.concatenate([col_lower, col_upper])),
            "rhs": _span(np.concatenate([row_lower, row_upper]))}


def range_warnings(ranges: dict[str, list[float] | None]) -> list[InputWarning]:
    """A warning when the matrix coefficients span more than :data:`RANGE_WARNING`."""
    span = ranges.get("matrix")
    if span and span[1] / span[0] > RANGE_WARNING:
        return [InputWarning("", f"matrix coefficients span {span[0]:.1e} to {span[1]:.1e}: HiGHS may be "
                                 f"inaccurate; check the units of the inputs")]
    return []


def describe_ranges(ranges: dict[str, list[float] | None]) -> str:
    """``matrix [1e-03, 9e+03], cost [...], ...`` for ``--verbose``."""
    return ", ".join(f"{k} {'–' if v is None else f'[{v[0]:.0e}, {v[1]:.0e}]'}" for k, v in ranges.items())


# --- implausible units ---------------------------------------------------------------------

def _plain(value: float) -> str:
    """A number as written by people: ``2,000``, ``0.0001``, ``5,000,000``; tiny ones as ``1e-07``."""
    if abs(value) < 1e-4 or abs(value) >= 1e15:
        return f"{value:.3g}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def _year_map_items(path: str, ym: YearMap | None) -> list[tuple[str, float]]:
    if ym is None:
        return []
    if not ym.years:
        return [(path, ym.values[0])]
    return [(f"{path}.{y}", v) for y, v in zip(ym.years, ym.values, strict=True)]


def _money(path: str, usd: float | None) -> list[InputWarning]:
    if usd is None or usd == 0:
        return []
    if usd < 1000:
        return [InputWarning(path, f"${usd:,.2f} is implausibly small for an amount in USD (procure's money "
                                   f"is exact to about $1)")]
    if usd > 1e13:
        return [InputWarning(path, f"${usd:,.3g} is more than $10 trillion; is the unit USD?")]
    return []


def unit_warnings(inst: Instance) -> list[InputWarning]:
    """Inputs whose size suggests a unit mistake (thresholds in the messages); never an error."""
    out: list[InputWarning] = []

    def outside(path: str, value: float, lo: float, hi: float, what: str) -> None:
        if value != 0 and not lo <= value <= hi:
            unit = f" {what}" if what else ""
            out.append(InputWarning(path, f"{_plain(value)}{unit} is implausible (expected {lo:g} to {hi:g})"))

    h = inst.horizon
    if h.years > 30:
        out.append(InputWarning("horizon.years", f"{h.years} years is an implausibly long plan"))
    if inst.discount_rate > 0.5:
        out.append(InputWarning("discount_rate", f"{inst.discount_rate:g} a year; a rate of 8 % is written 0.08"))
    for i, p in enumerate(inst.providers):
        for path, mw in _year_map_items(f"providers[{i}].power_mw", p.power_mw):
            outside(path, mw, 0, 1e6, "MW")
        out += _money(f"providers[{i}].onboarding_cost_usd", p.onboarding_cost_usd)
    for path, mw in _year_map_items("global_power_mw", inst.global_power_mw):
        outside(path, mw, 0, 1e6, "MW")
    for i, c in enumerate(inst.chips):
        outside(f"chips[{i}].power_kw", c.power_kw, 0.05, 50, "kW per chip (all-in, host and cooling included)")
        for metric, perf in c.perf.items():
            outside(f"chips[{i}].perf.{metric}", perf, 1e-4, 1e5, "per chip")
    for i, o in enumerate(inst.offers):
        outside(f"offers[{i}].price_per_chip_hour", o.price_per_chip_hour, 0.01, 1000, "USD per chip-hour")
        if o.term_months > 120:
            out.append(InputWarning(f"offers[{i}].term_months", f"{o.term_months} months is over 10 years"))
        if abs(o.price_change_per_year) > 1:
            out.append(InputWarning(f"offers[{i}].price_change_per_year",
                                    f"{o.price_change_per_year:g} a year; a change of 5 % is written 0.05"))
        for path, cap in _year_map_items(f"offers[{i}].max_new_chips_per_year", o.max_new_chips_per_year):
            outside(path, cap, 0, 1e8, "chips a year")
    periods = Periods(h.start_year, h.years, h.periods_per_year)
    for i, w in enumerate(inst.workloads):
        outside(f"workloads[{i}].efficiency", w.efficiency, 0.01, 1, "")
        for chip, e in w.chip_efficiency.items():
            outside(f"workloads[{i}].chip_efficiency.{chip}", e, 0.01, 1, "")
        if w.demand.annual_growth is not None and w.demand.annual_growth > 10:
            out.append(InputWarning(f"workloads[{i}].demand.annual_growth",
                                    f"{w.demand.annual_growth:g} a year (×{1 + w.demand.annual_growth:g}); "
                                    f"growth of 50 % is written 0.5"))
        peak = float(np.max(demand_curve(w.demand, periods), initial=0.0))
        if peak > 1e9 and math.isfinite(peak):
            out.append(InputWarning(f"workloads[{i}].demand", f"peaks at {peak:,.3g} {w.metric}, over 1e9"))
    if inst.budget is not None:
        for path, usd in _year_map_items("budget.per_year_usd", inst.budget.per_year_usd):
            out += _money(path, usd)
        out += _money("budget.total_usd", inst.budget.total_usd)
    for i, k in enumerate(inst.spend_commitments):
        out += _money(f"spend_commitments[{i}].amount_usd", k.amount_usd)
    for i, k in enumerate(inst.capacity_commitments):
        for path, mw in _year_map_items(f"capacity_commitments[{i}].min_mw", k.min_mw):
            outside(path, mw, 0, 1e6, "MW")
    return out
