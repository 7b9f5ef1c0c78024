"""The Pyomo model of spec §3–§6, assembled family by family in the spec's order."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pyomo.environ as pyo

from optimizer.model.constraints import (
    add_active_chips,
    add_budget,
    add_capacity,
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
from optimizer.model.matrix import (
    Positions,
    RowBlock,
    active_chips_rows,
    capacity_rows,
    demand_rows,
    diversification_rows,
)
from optimizer.model.objective import add_objective
from optimizer.model.variables import MONEY, Layout, Slack, add_variables, layout
from optimizer.prepare.arrays import Prepared

__all__ = ["MONEY", "Built", "Layout", "RowBlock", "Slack", "build_model"]

FAMILIES = (
    add_active_chips,  # definition of a[o, t] (spec §3)
    add_demand,  # C1
    add_capacity,  # C2
    add_provider_power,  # C3
    add_global_power,  # C4
    add_supply,  # C5
    add_budget,  # C6
    add_spend_commitments,  # C7
    add_capacity_commitments,  # C8
    # C9 exclusivity: u exists only on allowed pairs (see variables.layout)
    add_diversification,  # C10
    add_provider_used,  # C11
    add_minimum_contracts,  # C12 (and whole blocks)
    add_providers_used,  # C13
)

AS_ARRAYS = {
    add_active_chips: active_chips_rows,
    add_demand: demand_rows,
    add_capacity: capacity_rows,
    add_diversification: diversification_rows,
}
"""The big, regular families and their numpy builders (:mod:`optimizer.model.matrix`)."""


@dataclass
class Built:
    """A built model with the layout that maps its variables back to the instance.

    ``components`` names what each family (and the objective) added to the model, and
    ``infeasible`` its constant rows that can never hold (for in-place re-solves, see
    :mod:`optimizer.resolve`). ``blocks`` are the families built as arrays, not as Pyomo
    constraints (see ``build_model``). ``model`` is None once :meth:`release` has freed it (after the
    hand-off to HiGHS; results need only the layout and the compiled column and row names).
    """

    model: pyo.ConcreteModel | None
    layout: Layout
    prepared: Prepared
    components: dict[Callable, set[str]] = field(default_factory=dict)
    infeasible: dict[Callable, list] = field(default_factory=dict)
    is_mip: bool = False
    blocks: list[RowBlock] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # build time per step ("variables", "add_demand", …)

    def release(self) -> None:
        """Drop the Pyomo model and the row blocks (most of procure's memory before HiGHS runs).

        Pyomo's components refer to each other, so only the cycle collector frees them; then the C
        allocator is asked to hand the freed pages back (glibc), for HiGHS to use (docs/performance.md).
        """
        self.model, self.blocks = None, []
        gc.collect()
        _return_free_memory()


def _return_free_memory() -> None:
    """``malloc_trim(0)`` where the C library is glibc; nothing elsewhere."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def build_model(prep: Prepared, *, elastic: bool = False, arrays: bool | None = None) -> Built:
    """Build the model. ``elastic`` adds a weighted slack to every limit (for diagnosis).

    With ``arrays`` (the default unless ``elastic``) the families of ``AS_ARRAYS`` are built as
    numpy row blocks (``Built.blocks``) rather than Pyomo constraints: the same rows, several times
    faster and lighter. ``arrays=False`` builds every family in Pyomo, for code that changes the
    model's constraints afterwards (:mod:`optimizer.resolve`).
    """
    arrays = not elastic if arrays is None else arrays
    if arrays and elastic:
        raise ValueError("the elastic model is built in Pyomo only")
    clock = time.perf_counter()
    m = pyo.ConcreteModel(name=prep.instance.name)
    m.elastic = elastic
    lay = layout(prep)
    add_variables(m, prep, lay)
    built = Built(m, lay, prep, is_mip=len(m.z) + len(m.v) + len(m.blocks) > 0)
    positions = Positions.of(m, prep) if arrays else None
    built.seconds["variables"] = -clock + (clock := time.perf_counter())
    for add in (*FAMILIES, add_objective):
        before, seen = set(m.component_map()), len(lay.trivially_infeasible)
        if positions is not None and add in AS_ARRAYS:
            block = AS_ARRAYS[add](prep, lay, positions)
            if block is not None and len(block.keys):
                built.blocks.append(block)
        else:
            add(m, prep, lay)
        built.components[add] = set(m.component_map()) - before
        built.infeasible[add] = lay.trivially_infeasible[seen:]
        built.seconds[add.__name__] = -clock + (clock := time.perf_counter())
    return built
