"""Which parts of a built model a change of the prepared arrays touches (for fast re-solves).

Each field of :class:`~optimizer.prepare.Prepared` is either

- **fast**: numbers only; the constraint families (and the objective) that read it are rebuilt on
  their own and their rows updated in HiGHS in place (see :mod:`optimizer.solve.resolve`). Which
  families read what is said once, by each family (``reads`` in :mod:`optimizer.model.families`);
- **structural**: it decides which variables and rows exist (the time grid, ids, terms, signable
  and active periods, the first stage, whole racks, which providers carry ``z``), so a change
  needs a full rebuild.

Patterns inside fast fields are structural too: which (workload, offer) pairs are allowed
(``effectiveness > 0``) and which offers have a minimum contract (``min_chips > 0``) decide the
``u`` and ``v`` variables, and so do the workloads whose ``max_providers`` can bind (finite
``max_providers``) for ``y``. Rows that appear or vanish (a demand that becomes 0, a power limit
that becomes finite) are detected when the rows are compared, and also lead to a full rebuild.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from optimizer.model.families import REGISTRY, Builder, Registry, active
from optimizer.model.objective import READS as OBJECTIVE_READS
from optimizer.model.objective import add_objective
from optimizer.prepare.arrays import Prepared

Family = Builder
"""What a plan rebuilds: a builder ``add_*(m, prep, layout, ctx)`` of :mod:`optimizer.model` (or the objective)."""

BLOCK_BOUNDS = "blocks"
"""Marker: the integer block counts' upper bounds (``floor(M_oτ / block)``) must be recomputed."""

STRUCTURAL = frozenset({
    "periods", "provider_ids", "chip_ids", "offer_ids", "workload_ids", "scenario_ids", "first_stage",
    "offer_provider", "offer_chip", "term", "signable", "active", "block", "uses_provider_binary",
    "existing",  # §10.3: constants in several families, the objective and z's bounds; a change rebuilds
})
IGNORED = frozenset({"instance"})  # the validated input itself: every difference shows in the arrays
DERIVED = frozenset({"price", "npv_df"})  # read only through other fields (npv_cost, payments): nothing to rebuild
VARIABLES = {"max_chips": BLOCK_BOUNDS}  # what the variables' bounds read


def fast_fields(registry: Registry) -> dict[str, tuple[Family | str, ...]]:
    """Fast field → what to rebuild, from what each family reads (``Family.reads``) and the objective.

    A field some family reads that cannot be rebuilt alone (``fast=False``) is not fast.
    """
    readers: dict[str, list[Family | str]] = {f: [] for f in DERIVED}
    slow = set(STRUCTURAL | IGNORED)
    for f in registry.families:
        for name in f.reads:
            readers.setdefault(name, []).append(f.build)
            if not f.fast:
                slow.add(name)
    for name in OBJECTIVE_READS:
        readers.setdefault(name, []).append(add_objective)
    for name, marker in VARIABLES.items():
        readers.setdefault(name, []).append(marker)
    return {name: tuple(dict.fromkeys(what)) for name, what in readers.items() if name not in slow}


def order(registry: Registry) -> tuple[Family, ...]:
    """Build order of the model: families first, then the objective."""
    return (*registry.builders, add_objective)


FAST = fast_fields(REGISTRY)
"""Fast field → what to rebuild (for the default families)."""
ORDER: tuple[Family, ...] = order(REGISTRY)
"""Build order of the model (with the default families)."""


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


def plan_update(old: Prepared, new: Prepared, registry: Registry | None = None) -> Plan:
    """What must be rebuilt to turn the model of ``old`` into the model of ``new`` (built with ``registry``)."""
    registry = registry or active()
    fast = fast_fields(registry)
    fields = changed_fields(old, new)
    slow = [f for f in fields if f not in fast]
    if slow:
        return Plan(rebuild=True, reason=f"structure changed: {', '.join(slow)}")
    if not np.array_equal(old.effectiveness > 0, new.effectiveness > 0):
        return Plan(rebuild=True, reason="structure changed: allowed (workload, offer) pairs")
    if len(old.spend) != len(new.spend):
        return Plan(rebuild=True, reason="structure changed: number of spend commitments")
    if (old.risk is None) != (new.risk is None):  # §10.7: CVaR's η and excess columns appear or vanish
        return Plan(rebuild=True, reason="structure changed: risk set or removed")
    if not np.array_equal(old.min_chips > 0, new.min_chips > 0):
        return Plan(rebuild=True, reason="structure changed: offers with a minimum contract")
    if not np.array_equal(np.isfinite(old.max_providers), np.isfinite(new.max_providers)):
        return Plan(rebuild=True, reason="structure changed: workloads whose max_providers can bind (§10.5)")
    touched = {item for f in fields for item in fast[f]}
    return Plan(tuple(f for f in order(registry) if f in touched), BLOCK_BOUNDS in touched)
