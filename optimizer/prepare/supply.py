"""Shared supply (spec §10.4): which offers draw on each ``supply`` entry, with what weight, up to what cap.

Units: a weight is per chip signed, in the entry's unit: 1 (chips) for ``max_new_chips``, the chip's
``power_kw / 1000`` (MW) for ``max_new_mw``; the cap is in that same unit per calendar year.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from optimizer.input.schema import Instance
from optimizer.input.values import YearMap


@dataclass(frozen=True)
class SupplyTerm:
    """One ``supply`` entry: ``Σ_{o} weight[o] · Σ_{τ ∈ Σ_o, year(τ)=y} x[o, τ] ≤ cap[y]`` for every horizon year."""

    unit: str  # "chips" (max_new_chips) or "MW" (max_new_mw)
    weight: np.ndarray  # (O,) per chip signed, in ``unit``; 0 = the offer does not draw on this supply
    cap: np.ndarray  # (N,) in ``unit`` per calendar year; inf = no cap that year


def supply_terms(inst: Instance, years: np.ndarray) -> tuple[SupplyTerm, ...]:
    """The ``supply`` entries of ``inst`` on the horizon's calendar ``years`` (N,), in input order."""
    chips = {c.id: c for c in inst.chips}
    out = []
    for entry in inst.supply:
        names = set(entry.chips)
        match = np.array([(entry.provider is None or o.provider == entry.provider)
                          and (o.chip in names or chips[o.chip].family_name in names) for o in inst.offers])
        per_chip = np.array([1.0 if entry.max_new_chips is not None else chips[o.chip].power_kw / 1000.0
                             for o in inst.offers])
        cap_map: YearMap | None = entry.max_new_chips if entry.max_new_chips is not None else entry.max_new_mw
        cap = np.array([cap_map.at(int(y)) if cap_map is not None else math.inf for y in years], dtype=float)
        out.append(SupplyTerm("chips" if entry.max_new_chips is not None else "MW", np.where(match, per_chip, 0.0),
                              cap))
    return tuple(out)
