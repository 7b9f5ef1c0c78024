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

from optimizer.model.families import REGISTRY, Registry, active
from optimizer.model.matrix import Positions, RowBlock
from optimizer.model.objective import add_objective
from optimizer.model.parts import Context, Slack
from optimizer.model.variables import MONEY, Layout, add_variables, layout
from optimizer.prepare.arrays import Prepared

__all__ = ["MONEY", "Built", "Layout", "Registry", "RowBlock", "Slack", "build_model"]

FAMILIES = REGISTRY.builders
"""The Pyomo builders of :data:`~optimizer.model.families.REGISTRY`, in build order."""

AS_ARRAYS = {build: REGISTRY.rows_builder(build) for build in FAMILIES if REGISTRY.rows_builder(build)}
"""The big, regular families' builders and their numpy builders (:mod:`optimizer.model.matrix`)."""


@dataclass
class Built:
    """A built model with the layout that maps its variables back to the instance.

    ``components`` names what each builder (and the objective) added to the model, and
    ``infeasible`` its constant rows that can never hold (for in-place re-solves, see
    :mod:`optimizer.solve.resolve`). ``blocks`` are the families built as arrays, not as Pyomo
    constraints (see ``build_model``); ``registry`` the families it was built with. ``model`` is None
    once :meth:`release` has freed it (after the hand-off to HiGHS; results need only the layout and
    the compiled column and row names).
    """

    model: pyo.ConcreteModel | None
    layout: Layout
    prepared: Prepared
    components: dict[Callable, set[str]] = field(default_factory=dict)
    infeasible: dict[Callable, list] = field(default_factory=dict)
    is_mip: bool = False
    blocks: list[RowBlock] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # build time per step ("variables", "add_demand", …)
    registry: Registry = field(default_factory=lambda: REGISTRY)

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


def build_model(prep: Prepared, *, elastic: bool = False, arrays: bool | None = None,
                registry: Registry | None = None) -> Built:
    """Build the model. ``elastic`` adds a weighted slack to every limit (for diagnosis).

    The families are those of ``registry`` (default: the active one,
    :func:`optimizer.model.families.active`), built in its order, then the objective. Each builder
    returns its :class:`~optimizer.model.parts.Part`; their slacks and constant rows that can never
    hold are collected into the layout. With ``arrays`` (the default unless ``elastic``) the
    families that have a numpy builder are built as row blocks (``Built.blocks``) rather than Pyomo
    constraints: the same rows, several times faster and lighter. ``arrays=False`` builds every
    family in Pyomo, for code that changes the model's constraints afterwards
    (:mod:`optimizer.solve.resolve`).
    """
    registry = registry or active()
    arrays = not elastic if arrays is None else arrays
    if arrays and elastic:
        raise ValueError("the elastic model is built in Pyomo only")
    clock = time.perf_counter()
    m = pyo.ConcreteModel(name=prep.instance.name)
    lay = layout(prep)
    add_variables(m, prep, lay)
    built = Built(m, lay, prep, is_mip=len(m.z) + len(m.v) + len(m.blocks) + len(m.y) > 0, registry=registry)
    positions = Positions.of(m, prep) if arrays else None
    built.seconds["variables"] = -clock + (clock := time.perf_counter())
    for add in (*registry.builders, add_objective):
        before = set(m.component_map())
        context = Context(registry, elastic, tuple(lay.slacks))
        rows = registry.rows_builder(add) if positions is not None else None
        part = rows(prep, lay, positions, context) if rows is not None else add(m, prep, lay, context)
        built.blocks += part.blocks
        lay.slacks += part.slacks
        lay.trivially_infeasible += part.infeasible
        built.components[add] = set(m.component_map()) - before
        built.infeasible[add] = part.infeasible
        built.seconds[add.__name__] = -clock + (clock := time.perf_counter())
    return built
