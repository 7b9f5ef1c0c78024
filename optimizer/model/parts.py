"""What a family's builder is given and what it hands back (see :mod:`optimizer.model.families`).

A builder gets the model, the prepared arrays, the layout and a :class:`Context` (elastic or not,
which registry, the slacks built before it, where the variables sit). It adds its Pyomo components
to the model or makes numpy row blocks (one or the other: each family has one implementation) and
returns a :class:`Part`: its elastic slacks, its constant rows that can never hold, its row blocks.
``build_model`` collects the parts; no builder writes to shared state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyomo.environ as pyo

if TYPE_CHECKING:
    from optimizer.model.families import Registry
    from optimizer.model.matrix import RowBlock
    from optimizer.model.space import Positions

Infeasible = tuple[str, tuple, float]
"""A constant row that can never hold: (family, index, by how much it is violated, model units)."""


@dataclass
class Slack:
    """One elastic relaxation: which limit, where, and how it is weighted (per unit of slack)."""

    family: str  # "demand", "provider_power", "budget_year", ... (a family's alias)
    key: tuple  # indices of the limit, e.g. (p, t, s)
    unit: str  # "MW", "USD", "chips", ...
    scale: float  # model units → ``unit`` (e.g. MONEY for USD)
    weight: float
    limit: float = 0.0  # the limit's own value, in ``unit``


@dataclass(frozen=True)
class Context:
    """What ``build_model`` tells a builder: the registry, elastic mode, the slacks made before it,
    and where the variables sit in the model's variable space (for the builders of row blocks)."""

    registry: Registry
    elastic: bool = False
    slacks: tuple[Slack, ...] = ()  # of the builders before this one (the elastic objective sums them)
    positions: Positions | None = None

    def part(self) -> Part:
        return Part(self)

    def need_positions(self) -> Positions:
        """The variables' positions, which the builders of row blocks need (a ``ValueError`` without them)."""
        if self.positions is None:
            raise ValueError("row blocks need the variables' positions (Context.positions)")
        return self.positions


@dataclass
class Part:
    """What one builder made besides its Pyomo components (see the module docstring)."""

    context: Context
    slacks: list[Slack] = field(default_factory=list)
    infeasible: list[Infeasible] = field(default_factory=list)
    blocks: list[RowBlock] = field(default_factory=list)

    def slack(self, m: pyo.ConcreteModel, family: str, key: tuple, rhs: float) -> Any:
        """An elastic slack for one row of ``family`` (its registry record says how), or 0 when not elastic.

        Its weight is ``priority / max(|rhs|, floor)`` (a relative relaxation, ``rhs`` in model units),
        so the elastic objective prefers the smallest relaxation relative to the size of each limit;
        demand has a higher priority so that limits move before demand is dropped.
        """
        if not self.context.elastic:
            return 0
        record = self.context.registry[family]
        how = record.elastic
        if how is None:
            raise ValueError(f"{record.name} has no elastic slack")
        i = len(self.context.slacks) + len(self.slacks)
        self.slacks.append(Slack(record.alias, key, how.unit, record.scale,
                                 how.priority / max(abs(rhs), how.floor), rhs * record.scale))
        return m.slack[i]

    def slack_columns(self, m: pyo.ConcreteModel, family: str, keys: np.ndarray, rhs: np.ndarray) -> np.ndarray:
        """:meth:`slack` for every row of a row block of ``family`` (indices ``keys``, limits ``rhs`` in
        model units), in row order: the slacks' positions in the variable space (see
        :class:`~optimizer.model.space.Positions`). Each slack variable is made at once, so that the
        slacks sit in the variable space in the order of their numbers."""
        positions = self.context.need_positions()
        first = len(self.context.slacks) + len(self.slacks)
        for key, limit in zip(keys.tolist(), np.asarray(rhs, dtype=float).tolist(), strict=True):
            self.slack(m, family, tuple(key), limit)
        return positions.slack + np.arange(first, first + len(keys))

    def row(self, family: str, key: tuple, body: Any, lo: float | None = None, hi: float | None = None) -> Any:
        """A constraint ``lo ≤ body ≤ hi``; a body without variables is checked here instead.

        A violated constant row is recorded in ``infeasible`` (the instance cannot be feasible) and
        ``Constraint.Skip`` is returned, as for a satisfied one.
        """
        if isinstance(body, int | float):
            if (lo is not None and body < lo - 1e-9) or (hi is not None and body > hi + 1e-9):
                name = self.context.registry[family].alias
                self.infeasible.append((name, key, (lo if lo is not None else hi) - body))
            return pyo.Constraint.Skip
        if lo is not None and hi is not None:
            return (lo, body, hi)
        return body >= lo if lo is not None else body <= hi
