"""The families built as numpy row blocks give exactly the rows of their Pyomo versions.

Every instance below is compiled twice, with the row blocks (``build_model``'s default) and with
every family in Pyomo (``arrays=False``), and the two LPs are compared entry by entry by the
names of their rows and columns: the same rows and columns, coefficients, costs, bounds,
integrality and limits, and the same constant rows found violated.
"""

from __future__ import annotations

import json
from pathlib import Path

import hypothesis
import numpy as np
import pytest
from support.instance_strategies import instances
from support.instances import shipped
from support.paths import EXAMPLES, INSTANCES, ROOT

import optimizer
from optimizer.input.generate import generate
from optimizer.model import AS_ARRAYS, build_model
from optimizer.solve.compile import compile_to_highs

CASES = sorted([*EXAMPLES.glob("*.json"), *INSTANCES.glob("*.json"), *(ROOT / "tests" / "data").glob("*.json")])
CASES = [pytest.param(p, id=p.name)
         for p in CASES if p.name not in ("expected.json",)]


def lp(data, arrays: bool) -> dict:
    """The compiled LP keyed by names: {"A": {(row, column): value}, "cost": …, "bounds": …, …}."""
    built = build_model(optimizer.prepare(optimizer.load_instance(data)), arrays=arrays)
    assert bool(built.blocks) == (arrays and bool(built.model.A))  # every array family that has rows
    infeasible = {f.__name__: rows for f, rows in built.infeasible.items()}
    if built.layout.trivially_infeasible:
        return {"infeasible": infeasible}
    _, c = compile_to_highs(built)
    A = c_matrix(built, c)
    return {
        "A": A,
        "cost": {col: cost for col, cost in zip(c.columns, c.cost.tolist(), strict=True) if cost},
        "columns": {col: (lo, hi, bool(i)) for col, lo, hi, i in zip(c.columns, c.col_lower.tolist(),
                                                                    c.col_upper.tolist(), c.integer, strict=True)},
        "rows": {row: (lo, hi) for row, lo, hi in zip(c.rows, c.row_lower.tolist(), c.row_upper.tolist(),
                                                      strict=True)},
        "offset": c.offset, "infeasible": infeasible,
    }


def c_matrix(built, c) -> dict:
    h, _ = compile_to_highs(built)
    a = h.getLp().a_matrix_
    start, index, value = np.asarray(a.start_), np.asarray(a.index_), np.asarray(a.value_)
    out = {}
    for j, col in enumerate(c.columns):
        for k in range(start[j], start[j + 1]):
            out[(c.rows[index[k]], col)] = float(value[k])
    return out


def assert_same_lp(data) -> None:
    fast, pyomo = lp(data, True), lp(data, False)
    assert fast.keys() == pyomo.keys()
    assert fast["infeasible"] == pyomo["infeasible"]
    if "A" not in fast:
        return
    assert fast["rows"] == pyomo["rows"]
    assert fast["columns"] == pyomo["columns"]
    assert fast["A"].keys() == pyomo["A"].keys()
    for key, value in fast["A"].items():
        assert value == pytest.approx(pyomo["A"][key], rel=1e-14, abs=0), key
    assert fast["cost"] == pyomo["cost"]
    assert fast["offset"] == pyomo["offset"]


@pytest.mark.parametrize("path", CASES)
def test_row_blocks_equal_the_pyomo_families(path: Path) -> None:
    assert_same_lp(json.loads(path.read_text()))


@pytest.mark.parametrize("size", ["small", "medium"])
def test_row_blocks_equal_the_pyomo_families_on_generated_instances(size: str) -> None:
    assert_same_lp(generate(size, seed=1))


def test_an_unservable_demand_is_found_by_both() -> None:
    data = shipped("tiny.json")
    for offer in data["offers"]:
        offer["available"] = {"from": data["horizon"]["start_year"] + 1}
    fast = lp(data, True)["infeasible"]
    assert fast["add_demand"] and fast == lp(data, False)["infeasible"]


@hypothesis.given(instances())
@hypothesis.settings(max_examples=40)
def test_row_blocks_equal_the_pyomo_families_on_random_instances(data) -> None:
    assert_same_lp(data)


def test_every_array_family_has_a_pyomo_twin() -> None:
    from optimizer.model import FAMILIES

    assert set(AS_ARRAYS) <= set(FAMILIES)
    with pytest.raises(ValueError, match="elastic"):
        build_model(optimizer.prepare(optimizer.load_instance(INSTANCES / "tiny.json")), elastic=True, arrays=True)
