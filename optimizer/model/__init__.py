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
from optimizer.model.matrix import RowBlock
from optimizer.model.objective import add_objective
from optimizer.model.parts import Context, Part, Slack
from optimizer.model.space import Positions
from optimizer.model.variables import MONEY, Layout, add_variables, layout
from optimizer.prepare.arrays import Prepared

__all__ = ["MONEY", "Built", "Layout", "Registry", "RowBlock", "Slack", "build_model"]

FAMILIES = REGISTRY.builders
"""The builders of :data:`~optimizer.model.families.REGISTRY`, in build order."""


@dataclass
class Built:
    """A built model with the layout that maps its variables back to the instance.

    ``components`` names what each builder (and the objective) added to the model, Pyomo
    components and row blocks, and ``infeasible`` its constant rows that can never hold (for in-place
    re-solves, see :mod:`optimizer.solve.resolve`). ``blocks`` are the families built as numpy row
    blocks (:mod:`optimizer.model.matrix`), over the variable space ``positions`` describes;
    ``registry`` the families it was built with. ``model`` is None
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
    positions: Positions | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # build time per step ("variables", "add_demand", …)
    registry: Registry = field(default_factory=lambda: REGISTRY)

    def release(self) -> None:
        """Drop the Pyomo model and the row blocks (most of procure's memory before HiGHS runs).

        Pyomo's components refer to each other, so only the cycle collector frees them; then the C
        allocator is asked to hand the freed pages back (glibc), for HiGHS to use (docs/performance.md).
        """
        self.model, self.blocks, self.positions = None, [], None
        gc.collect()
        _return_free_memory()


def _return_free_memory() -> None:
    """``malloc_trim(0)`` where the C library is glibc; nothing elsewhere."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def build_model(prep: Prepared, *, elastic: bool = False, registry: Registry | None = None) -> Built:
    """Build the model. ``elastic`` adds a weighted slack to every limit (for diagnosis).

    The families are those of ``registry`` (default: the active one,
    :func:`optimizer.model.families.active`), built in its order, then the objective. Each builder
    returns its :class:`~optimizer.model.parts.Part`: its row blocks go to ``Built.blocks``, its
    slacks and constant rows that can never hold into the layout.
    """
    registry = registry or active()
    clock = time.perf_counter()
    m = pyo.ConcreteModel(name=prep.instance.name)
    lay = layout(prep)
    add_variables(m, prep, lay)
    positions = Positions.of(m, prep, lay)
    built = Built(m, lay, prep, is_mip=len(m.z) + len(m.v) + len(m.blocks) + len(m.y) > 0, registry=registry,
                  positions=positions)
    built.seconds["variables"] = -clock + (clock := time.perf_counter())
    for add in (*registry.builders, add_objective):
        before = set(m.component_map())
        part = add(m, prep, lay, Context(registry, elastic, tuple(lay.slacks), positions))
        built.blocks += part.blocks
        lay.slacks += part.slacks
        lay.trivially_infeasible += part.infeasible
        built.components[add] = made(m, before, part)
        built.infeasible[add] = part.infeasible
        built.seconds[add.__name__] = -clock + (clock := time.perf_counter())
    return built


def made(m: pyo.ConcreteModel, before: set[str], part: Part) -> set[str]:
    """The names of what a builder made: the components of ``m`` not in ``before``, and its row blocks."""
    return (set(m.component_map()) - before) | {b.name for b in part.blocks}
