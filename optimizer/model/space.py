"""The model's variable space: every column, in declaration order, and where each variable sits in it.

The space lists the model's variables in the order they are declared (x, a, u, short, z, v, y,
blocks, η, excess, slack), each by its index. Most are Pyomo variables. ``u`` (allocation, spec §3:
two thirds of a large plan's columns) is an *array variable*: its columns are the index array
``Layout.u_index``, and a Pyomo object exists only for an entry a Pyomo expression uses
(``m.u`` is sparse; placement, §10.5, uses some). Its bounds are its domain's, ``u ≥ 0``. The row
blocks of :mod:`optimizer.model.matrix` refer to columns by their position in this space
(:class:`Positions`); :func:`optimizer.solve.compile.compile_to_highs` maps Pyomo's compiled columns
into it (:meth:`Space.position`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo

from optimizer.model.variables import Layout
from optimizer.prepare.arrays import Prepared

ARRAY_VARIABLE = "u"
"""The variable whose columns are an index array, not Pyomo objects (see the module docstring)."""


def index_array(members, count: int, dim: int) -> np.ndarray:
    """``count`` members of an index set, ``dim``-tuples (or integers, ``dim`` 1), as an array (count, dim)."""
    flat = itertools.chain.from_iterable(members) if dim > 1 else iter(members)
    return np.fromiter(flat, dtype=np.int64, count=dim * count).reshape(-1, dim)


def variable_index(var: pyo.Var) -> np.ndarray:
    """The indices of a variable's entries, in its order, as an array (n, d)."""
    first = next(iter(var.keys()), None)
    dim = len(first) if isinstance(first, tuple) else 1  # var.dim() is not an int for every index set
    return index_array(var.keys(), len(var), dim)


@dataclass
class Space:
    """The variable space of a model (see the module docstring).

    ``pyomo`` are the Pyomo variables' entries, at positions ``pyomo_at``; the array variable's
    columns are ``array_index`` at positions ``offsets["u"]`` onwards.
    """

    names: list[str]  # the variables, in declaration order
    offsets: dict[str, int]  # each variable's first position
    size: int
    pyomo: list  # Pyomo entries (VarData), in space order
    pyomo_at: np.ndarray  # their positions
    array_index: np.ndarray  # (|U|, 4): (w, o, t, s) of each u column
    array_at: np.ndarray  # (W, O, T, S): position of u[w, o, t, s], -1 where u does not exist

    @classmethod
    def of(cls, m: pyo.ConcreteModel, lay: Layout, shape: tuple[int, ...]) -> Space:
        names, offsets, pyomo, at, size = [], {}, [], [], 0
        for var in m.component_objects(pyo.Var, descend_into=False):
            name = var.local_name
            names.append(name)
            offsets[name] = size
            if name == ARRAY_VARIABLE:
                size += len(lay.u_index)
                continue
            entries = list(var.values())
            pyomo += entries
            at.append(np.arange(size, size + len(entries)))
            size += len(entries)
        array_at = np.full(shape, -1, dtype=np.int64)
        array_at[tuple(lay.u_index.T)] = offsets[ARRAY_VARIABLE] + np.arange(len(lay.u_index))
        return cls(names, offsets, size, pyomo, np.concatenate(at) if at else np.zeros(0, dtype=np.int64),
                   lay.u_index, array_at)

    def position(self, var) -> int:
        """The position of one of the array variable's Pyomo entries (made by a Pyomo expression)."""
        if var.parent_component().local_name != ARRAY_VARIABLE:
            raise KeyError(f"{var.name} is not in the variable space")
        position = int(self.array_at[var.index()])
        if position < 0:
            raise KeyError(f"{var.name} is not a column of the model (no such allocation)")
        return position

    def bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Lower and upper bounds and integrality of every position (the array variable's: ``[0, ∞)``)."""
        lower, upper = np.zeros(self.size), np.full(self.size, np.inf)
        integer = np.zeros(self.size, dtype=bool)
        at = self.pyomo_at
        lower[at] = [-np.inf if v.lb is None else v.lb for v in self.pyomo]
        upper[at] = [np.inf if v.ub is None else v.ub for v in self.pyomo]
        integer[at] = [v.is_integer() for v in self.pyomo]
        return lower, upper, integer

    def index_of(self, m: pyo.ConcreteModel, name: str) -> np.ndarray:
        """The indices of variable ``name``'s positions, in order, as an array (n, d)."""
        return self.array_index if name == ARRAY_VARIABLE else variable_index(m.component(name))


@dataclass
class Positions:
    """Where ``x``, ``a`` and ``u`` sit in the variable space; -1 where the variable does not exist.

    The elastic slacks come last: slack ``i`` (the ``i``-th made, see
    :meth:`~optimizer.model.parts.Part.slack`) sits at ``slack + i``.
    """

    x: np.ndarray  # (O, T, S) by (o, τ, n)
    a: np.ndarray  # (O, T, S) by (o, t, s)
    u: np.ndarray  # (W, O, T, S) by (w, o, t, s)
    a_index: np.ndarray  # (|A|, 3): (o, t, s) of each a, in the order of m.A
    u_index: np.ndarray  # (|U|, 4): (w, o, t, s) of each u, in the order of ``Layout.u_index``
    slack: int  # position of the first elastic slack

    @classmethod
    def of(cls, m: pyo.ConcreteModel, prep: Prepared, lay: Layout) -> Positions:
        O, T, S, W = len(prep.offer_ids), prep.periods.count, prep.n_scenarios, len(prep.workload_ids)
        if len(m.slack):
            raise ValueError("the positions are taken before any elastic slack is made")
        space = Space.of(m, lay, (W, O, T, S))
        out = []
        for name, members in (("x", m.X), ("a", m.A)):
            index = index_array(members, len(members), 3)
            where = np.full((O, T, S), -1, dtype=np.int64)
            where[tuple(index.T)] = space.offsets[name] + np.arange(len(index))
            out.append((where, index))
        (x, _), (a, a_index) = out
        return cls(x, a, space.array_at, a_index, lay.u_index, space.offsets["slack"])
