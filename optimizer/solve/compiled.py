"""The model as arrays, and what HiGHS returned for it: named columns and rows, no Pyomo object."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from optimizer.solve.keys import Keys
from optimizer.solve.status import Status

ColumnKey = tuple[str, tuple]
"""A column as (variable name, index), e.g. ``("x", (o, τ, n))``."""
RowKey = tuple[str, tuple, int]
"""A row as (constraint name, index, side): side -1 is ``≥ lower``, 0 ``= rhs``, +1 ``≤ upper``."""


@dataclass
class Compiled:
    """The model as arrays (model units), with the names of its columns and rows.

    It holds no Pyomo object: once compiled, the Pyomo model can be freed before HiGHS runs
    (the memory goal of docs/performance.md). Variables the compiler dropped (in no row and
    not in the objective) have no column; their value is 0.
    """

    columns: Keys  # (variable name, index) of each column
    rows: Keys  # (constraint name, index, side) of each row
    cost: np.ndarray
    offset: float
    integer: np.ndarray  # bool per column
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    ranges: dict[str, list[float] | None] = field(default_factory=dict)  # see optimizer.numerics
    nonzeros: int = 0
    space: np.ndarray | None = None  # the column of each position of the model's variable space, -1 if none

    @property
    def is_mip(self) -> bool:
        return bool(self.integer.any())

    def var_columns(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Index array (k, d) and column positions (k,) of variable ``name``'s columns."""
        return self.columns.of(name)

    def row_bound(self) -> np.ndarray:
        """The bound each row is held to: its upper bound for ``≤`` rows, else its lower bound."""
        return np.where(self.rows.sides > 0, self.row_upper, self.row_lower)


@dataclass
class RawSolution:
    """What HiGHS returned, in model units, with the names of the columns and rows."""

    status: Status
    objective: float | None  # model units ($M)
    mip_gap: float | None
    col: np.ndarray | None  # column values
    row_activity: np.ndarray | None
    row_dual: np.ndarray | None  # d objective / d row bound, model units; MILP: integers fixed
    compiled: Compiled | None
    message: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def without_plan(cls, status: Status, message: str, compiled: Compiled | None = None,
                     timings: dict[str, float] | None = None) -> RawSolution:
        """An answer with no plan (infeasible, unbounded, an error) and why."""
        return cls(status, None, None, None, None, None, compiled, message, timings or {})

    def dense(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Variable ``name``'s values as an array of ``shape`` indexed like the variable (0 where absent)."""
        out = np.zeros(shape)
        if self.col is None or self.compiled is None:
            return out
        keys, cols = self.compiled.var_columns(name)
        if len(cols):
            out[tuple(keys.T)] = self.col[cols]
        return out
