"""Names of compiled columns and rows held as arrays (optimizer/keys.py)."""

from __future__ import annotations

import numpy as np

from optimizer.solve.keys import Keys, concat

ROWS = [("demand", (0, 3, 1), -1), ("capacity", (2, 3, 0), 1), ("demand", (1, 0, 0), -1),
        ("providers_used_min", (), -1), ("budget_total", (0,), 1)]


def test_tuples_round_trip_by_position_slice_and_iteration() -> None:
    keys = Keys.from_tuples(ROWS)
    assert len(keys) == 5
    assert [keys[i] for i in range(5)] == ROWS
    assert list(keys) == ROWS
    assert keys[1:3] == ROWS[1:3]
    assert keys.sides.tolist() == [-1, 1, -1, -1, 1]


def test_entries_of_one_name_with_their_positions() -> None:
    keys = Keys.from_tuples(ROWS)
    index, where = keys.of("demand")
    assert index.tolist() == [[0, 3, 1], [1, 0, 0]] and where.tolist() == [0, 2]
    index, where = keys.of("nothing")
    assert len(index) == len(where) == 0


def test_arrays_take_and_concat_keep_names_indices_and_sides() -> None:
    columns = Keys.from_arrays([("x", np.array([[0, 1, 0], [2, 0, 1]])), ("z", np.array([4, 5]))])
    assert list(columns) == [("x", (0, 1, 0)), ("x", (2, 0, 1)), ("z", (4,)), ("z", (5,))]
    assert list(columns.take(np.array([3, 0]))) == [("z", (5,)), ("x", (0, 1, 0))]
    blocks = Keys.from_arrays([("active_chips", np.array([[1, 2, 0]]))], np.array([0]))
    both = concat(blocks, Keys.from_tuples(ROWS[:2]))
    assert list(both) == [("active_chips", (1, 2, 0), 0), *ROWS[:2]]
    assert list(concat(blocks, Keys.from_tuples([]))) == [("active_chips", (1, 2, 0), 0)]
