"""Which parts of a built model a change of the prepared arrays touches (for fast re-solves).

Each field of :class:`~optimizer.prepare.Prepared` is either

- **fast**: numbers only; the constraint families (and the objective) that read it are rebuilt on
  their own and their rows updated in HiGHS in place (see :mod:`optimizer.resolve`);
- **structural**: it decides which variables and rows exist (the time grid, ids, terms, signable
  and active periods, the first stage, whole racks, which providers carry ``z``), so a change
  needs a full rebuild.

Patterns inside fast fields are structural too: which (workload, offer) pairs are allowed
(``effectiveness > 0``) and which offers have a minimum contract (``min_chips > 0``) decide the
``u`` and ``v`` variables. Rows that appear or vanish (a demand that becomes 0, a power limit
that becomes finite) are detected when the rows are compared, and also lead to a full rebuild.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from optimizer.model import FAMILIES
from optimizer.model.constraints import (
    add_budget,
    add_capacity_commitments,
    add_demand,
    add_diversification,
    add_global_power,
    add_minimum_contracts,
    add_provider_power,
    add_provider_used,
    add_providers_used,
    add_spend_commitments,
    add_supply,
)
from optimizer.model.objective import add_objective
from optimizer.prepare.arrays import Prepared

Family = Callable[..., None]
"""A model-building function ``add_*(m, prep, layout)`` of :mod:`optimizer.model`."""

BLOCK_BOUNDS = "blocks"
"""Marker: the integer block counts' upper bounds (``floor(M_oτ / block)``) must be recomputed."""

FAST: dict[str, tuple[Family | str, ...]] = {
    "demand": (add_demand,),
    "effectiveness": (add_demand,),
    "power_mw": (add_provider_power,),
    "global_power_mw": (add_global_power,),
    "supply_cap": (add_supply,),
    "max_chips": (add_provider_used, add_minimum_contracts, BLOCK_BOUNDS),
    "budget_per_year": (add_budget,),
    "budget_total": (add_budget,),
    "price": (),  # read only through npv_cost and payments
    "npv_cost": (add_objective,),
    "payments": (add_budget, add_spend_commitments),
    "df": (add_objective,),
    "spend": (add_budget, add_spend_commitments, add_objective),
    "capacity": (add_capacity_commitments,),
    "diversification_weight": (add_diversification,),
    "diversification_share": (add_diversification,),
    "onboarding": (add_budget, add_objective),
    "probability": (add_objective,),
    "offer_mw": (add_provider_power, add_global_power, add_capacity_commitments, add_diversification),
    "min_chips": (add_minimum_contracts,),
    "providers_min": (add_providers_used,),
    "providers_max": (add_providers_used,),
}
"""Fast field → what to rebuild."""

STRUCTURAL = frozenset({
    "periods", "provider_ids", "chip_ids", "offer_ids", "workload_ids", "scenario_ids", "first_stage",
    "offer_provider", "offer_chip", "term", "signable", "active", "block", "uses_provider_binary",
})
IGNORED = frozenset({"instance"})  # the validated input itself: every difference shows in the arrays
ORDER: tuple[Family, ...] = (*FAMILIES, add_objective)
"""Build order of the model: families first, then the objective."""


def same(a: object, b: object) -> bool:
    """Equal values: arrays element by element, dataclasses field by field, sequences item by item."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape \
            and bool(np.array_equal(a, b))
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(same(getattr(a, f.name), getattr(b, f.name))
                                          for f in dataclasses.fields(a))
    if isinstance(a, tuple | list):
        return isinstance(b, tuple | list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def changed_fields(old: Prepared, new: Prepared) -> list[str]:
    """Names of the prepared fields that differ (the instance itself is not compared)."""
    return [f.name for f in dataclasses.fields(Prepared)
            if f.name not in IGNORED and not same(getattr(old, f.name), getattr(new, f.name))]


@dataclasses.dataclass(frozen=True)
class Plan:
    """What a change needs: ``families`` to rebuild (in build order), whether block bounds move,
    or ``rebuild`` with the ``reason`` (a full rebuild)."""

    families: tuple[Family, ...] = ()
    block_bounds: bool = False
    rebuild: bool = False
    reason: str = ""


def plan_update(old: Prepared, new: Prepared) -> Plan:
    """What must be rebuilt to turn the model of ``old`` into the model of ``new``."""
    fields = changed_fields(old, new)
    slow = [f for f in fields if f not in FAST]
    if slow:
        return Plan(rebuild=True, reason=f"structure changed: {', '.join(slow)}")
    if not np.array_equal(old.effectiveness > 0, new.effectiveness > 0):
        return Plan(rebuild=True, reason="structure changed: allowed (workload, offer) pairs")
    if len(old.spend) != len(new.spend):
        return Plan(rebuild=True, reason="structure changed: number of spend commitments")
    if not np.array_equal(old.min_chips > 0, new.min_chips > 0):
        return Plan(rebuild=True, reason="structure changed: offers with a minimum contract")
    touched = {item for f in fields for item in FAST[f]}
    return Plan(tuple(f for f in ORDER if f in touched), BLOCK_BOUNDS in touched)
