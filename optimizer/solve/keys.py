"""The names of a compiled model's columns and rows, held as arrays.

A column is named ``(variable, index)``, e.g. ``("x", (o, τ, n))``; a row ``(constraint, index,
side)``, side -1 for ``≥``, 0 for ``=`` and +1 for ``≤``. A plan of 1.5M columns would need
~250 MB as Python tuples; here each name is a small integer code and each index a row of an
integer array (~35 bytes a column), and tuples are made only for the entries looked at.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np

WIDTH = 4
"""The most indices any variable or constraint has (``u[w, o, t, s]``); shorter ones are padded with -1."""


class Keys(Sequence):
    """Names and indices of columns, or of rows (with ``sides``); entry ``i`` as a tuple on demand."""

    def __init__(self, names: Sequence[str], dims: Sequence[int], code: np.ndarray, index: np.ndarray,
                 sides: np.ndarray | None = None) -> None:
        self.names = tuple(names)  # distinct names
        self.dims = tuple(dims)  # indices per name
        self.code = np.asarray(code, dtype=np.int16)  # (n,) position in ``names``
        self.index = np.asarray(index, dtype=np.int64).reshape(len(self.code), WIDTH)
        self.sides = None if sides is None else np.asarray(sides, dtype=np.int8)

    @classmethod
    def from_arrays(cls, groups: Iterable[tuple[str, np.ndarray]], sides: np.ndarray | None = None) -> Keys:
        """Entries from groups of (name, index array (k, d)), in order; ``sides`` (one per entry) for rows."""
        names: list[str] = []
        dims: list[int] = []
        codes, indices = [], []
        for name, given in groups:
            index = np.asarray(given, dtype=np.int64)
            index = index.reshape(-1, 1) if index.ndim == 1 else index
            if name not in names:
                names.append(name)
                dims.append(index.shape[1])
            padded = np.full((len(index), WIDTH), -1, dtype=np.int64)
            padded[:, :index.shape[1]] = index
            codes.append(np.full(len(index), names.index(name), dtype=np.int16))
            indices.append(padded)
        code = np.concatenate(codes) if codes else np.zeros(0, np.int16)
        return cls(names, dims, code, np.concatenate(indices) if indices else np.zeros((0, WIDTH)), sides)

    @classmethod
    def from_tuples(cls, keys: Sequence[tuple], *, rows: bool = False) -> Keys:
        """From ``(name, index)`` or ``(name, index, side)`` tuples; with ``rows``, ``sides`` is set even
        when there is no row at all."""
        names: dict[str, int] = {}
        dims: list[int] = []
        for key in keys:
            if key[0] not in names:
                names[key[0]] = len(names)
                dims.append(len(key[1]))
        code = np.array([names[key[0]] for key in keys], dtype=np.int16)
        index = np.array([(*key[1], *(-1,) * (WIDTH - len(key[1]))) for key in keys], dtype=np.int64)
        rows = rows or (bool(keys) and len(keys[0]) > 2)
        sides = np.array([key[2] for key in keys], dtype=np.int8).reshape(-1) if rows else None
        return cls(list(names), dims, code, index.reshape(-1, WIDTH), sides)

    def __len__(self) -> int:
        return len(self.code)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        c = int(self.code[i])
        key = (self.names[c], tuple(self.index[i, :self.dims[c]].tolist()))
        return key if self.sides is None else (*key, int(self.sides[i]))

    def __iter__(self) -> Iterator[tuple]:
        code, index = self.code.tolist(), self.index.tolist()
        sides = self.sides.tolist() if self.sides is not None else None
        for i, c in enumerate(code):
            key = (self.names[c], tuple(index[i][:self.dims[c]]))
            yield key if sides is None else (*key, sides[i])

    def of(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Index array (k, d) and positions (k,) of the entries named ``name``."""
        if name not in self.names:
            return np.zeros((0, 1), dtype=np.int64), np.zeros(0, dtype=np.int64)
        c = self.names.index(name)
        where = np.flatnonzero(self.code == c)
        return self.index[where, :self.dims[c]], where

    def take(self, positions: np.ndarray) -> Keys:
        """The entries at ``positions``, in that order."""
        return Keys(self.names, self.dims, self.code[positions], self.index[positions],
                    None if self.sides is None else self.sides[positions])


def concat(*parts: Keys) -> Keys:
    """The entries of ``parts``, one after another."""
    names: list[str] = []
    dims: list[int] = []
    for part in parts:
        for name, d in zip(part.names, part.dims, strict=True):
            if name not in names:
                names.append(name)
                dims.append(d)
    code = np.concatenate([np.array([names.index(n) for n in part.names] or [0], dtype=np.int16)[part.code]
                           for part in parts]) if parts else np.zeros(0, np.int16)
    index = np.concatenate([part.index for part in parts]) if parts else np.zeros((0, WIDTH))
    with_rows = [part for part in parts if len(part)] or [part for part in parts if part.sides is not None]
    sides = (np.concatenate([part.sides for part in with_rows])
             if with_rows and all(part.sides is not None for part in with_rows) else None)
    return Keys(names, dims, code, index, sides)
