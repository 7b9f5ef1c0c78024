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


def _offsets(m: pyo.ConcreteModel, array_size: int) -> tuple[list[str], dict[str, int], int]:
    """The variables in declaration order, each one's first position, and the size of the space
    (``array_size`` columns for the array variable)."""
    names, offsets, size = [], {}, 0
    for var in m.component_objects(pyo.Var, descend_into=False):
        names.append(var.local_name)
        offsets[var.local_name] = size
        size += array_size if var.local_name == ARRAY_VARIABLE else len(var)
    return names, offsets, size


@dataclass
class Space:
    """The variable space of a built model (see the module docstring), once every variable is made.

    ``pyomo`` are the Pyomo variables' entries, at positions ``pyomo_at``; the array variable's columns
    sit where ``positions`` says.
    """

    names: list[str]  # the variables, in declaration order
    size: int
    pyomo: list  # Pyomo entries (VarData), in space order
    pyomo_at: np.ndarray  # their positions
    positions: Positions

    @classmethod
    def of(cls, m: pyo.ConcreteModel, positions: Positions) -> Space:
        names, offsets, size = _offsets(m, len(positions.u_index))
        pyomo, at = [], []
        for var in m.component_objects(pyo.Var, descend_into=False):
            if var.local_name != ARRAY_VARIABLE:
                entries = list(var.values())
                pyomo += entries
                at.append(offsets[var.local_name] + np.arange(len(entries)))
        return cls(names, size, pyomo, np.concatenate(at) if at else np.zeros(0, dtype=np.int64), positions)

    def position(self, var) -> int:
        """The position of one of the array variable's Pyomo entries (made by a Pyomo expression)."""
        if var.parent_component().local_name != ARRAY_VARIABLE:
            raise KeyError(f"{var.name} is not in the variable space")
        position = int(self.positions.u[var.index()])
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
        return self.positions.u_index if name == ARRAY_VARIABLE else variable_index(m.component(name))


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
        _, offsets, _ = _offsets(m, len(lay.u_index))
        out = []
        for name, shape, index in (("x", (O, T, S), index_array(m.X, len(m.X), 3)),
                                   ("a", (O, T, S), index_array(m.A, len(m.A), 3)),
                                   (ARRAY_VARIABLE, (W, O, T, S), lay.u_index)):
            where = np.full(shape, -1, dtype=np.int64)
            where[tuple(index.T)] = offsets[name] + np.arange(len(index))
            out.append((where, index))
        (x, _), (a, a_index), (u, _) = out
        return cls(x, a, u, a_index, lay.u_index, offsets["slack"])
