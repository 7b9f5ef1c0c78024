"""The families built as numpy row blocks give exactly the rows of the spec, written again in Pyomo.

The definition of active chips, C1, C2 and C10 are built by procure as numpy row blocks only
(:mod:`optimizer.model.matrix`). ``support.pyomo_families`` writes them again as Pyomo expressions,
term by term from the spec: the test oracle. Every instance below is compiled with both, plain and
elastic (the diagnosis's model, a weighted slack on every limit), and the two LPs are compared
entry by entry by the names of their rows and columns: the same rows and columns, coefficients,
costs, bounds, integrality and limits, the same slacks, and the same constant rows found violated.
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
from support.pyomo_families import TWINS, pyomo_registry

import optimizer
from optimizer.input.generate import generate
from optimizer.model import FAMILIES, build_model
from optimizer.solve.compile import compile_to_highs

CASES = sorted([*EXAMPLES.glob("*.json"), *INSTANCES.glob("*.json"), *(ROOT / "tests" / "data").glob("*.json")])
CASES = [pytest.param(p, id=p.name)
         for p in CASES if p.name not in ("expected.json",)]


def lp(data, arrays: bool, elastic: bool = False) -> dict:
    """The compiled LP keyed by names: {"A": {(row, column): value}, "cost": …, "bounds": …, …};
    with the row blocks, or with the Pyomo oracle (``arrays=False``)."""
    prep = optimizer.prepare(optimizer.load_instance(data))
    built = build_model(prep, elastic=elastic, registry=None if arrays else pyomo_registry())
    assert bool(built.blocks) == (arrays and bool(built.model.A))  # every array family that has rows
    infeasible = list(built.infeasible.values())  # per builder, in build order
    slacks = [(sl.family, sl.key, sl.weight, sl.limit) for sl in built.layout.slacks]
    if built.layout.trivially_infeasible:
        return {"infeasible": infeasible, "slacks": slacks}
    _, c = compile_to_highs(built)
    A = c_matrix(built, c)
    return {
        "A": A,
        "cost": {col: cost for col, cost in zip(c.columns, c.cost.tolist(), strict=True) if cost},
        "columns": {col: (lo, hi, bool(i)) for col, lo, hi, i in zip(c.columns, c.col_lower.tolist(),
                                                                    c.col_upper.tolist(), c.integer, strict=True)},
        "rows": {row: (lo, hi) for row, lo, hi in zip(c.rows, c.row_lower.tolist(), c.row_upper.tolist(),
                                                      strict=True)},
        "offset": c.offset, "infeasible": infeasible, "slacks": slacks,
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


def assert_same_lp(data, elastic: bool = False) -> None:
    fast, pyomo = lp(data, True, elastic), lp(data, False, elastic)
    assert fast.keys() == pyomo.keys()
    assert fast["infeasible"] == pyomo["infeasible"]
    assert fast["slacks"] == pyomo["slacks"] and bool(fast["slacks"]) == (elastic and "A" in fast)
    if "A" not in fast:
        return
    assert fast["rows"] == pyomo["rows"]
    assert fast["columns"] == pyomo["columns"]
    assert fast["A"].keys() == pyomo["A"].keys()
    for key, value in fast["A"].items():
        assert value == pytest.approx(pyomo["A"][key], rel=1e-14, abs=0), key
    assert fast["cost"] == pyomo["cost"]
    assert fast["offset"] == pyomo["offset"]


@pytest.mark.parametrize("elastic", [False, True], ids=["plain", "elastic"])
@pytest.mark.parametrize("path", CASES)
def test_row_blocks_equal_the_pyomo_families(path: Path, elastic: bool) -> None:
    assert_same_lp(json.loads(path.read_text()), elastic)


@pytest.mark.parametrize("size", ["small", "medium"])
def test_row_blocks_equal_the_pyomo_families_on_generated_instances(size: str) -> None:
    assert_same_lp(generate(size, seed=1))
    assert_same_lp(generate(size, seed=1), elastic=True)


def test_an_unservable_demand_is_found_by_both() -> None:
    data = shipped("tiny.json")
    for offer in data["offers"]:
        offer["available"] = {"from": data["horizon"]["start_year"] + 1}
    fast = lp(data, True)["infeasible"]
    assert fast[FAMILIES.index(optimizer.model.matrix.demand_rows)] and fast == lp(data, False)["infeasible"]
    elastic = lp(data, True, elastic=True)  # the slack alone serves it: a row, nothing found violated
    assert not any(elastic["infeasible"]) and elastic == lp(data, False, elastic=True)
    assert any(row[0] == "demand" for row in elastic["rows"])


@hypothesis.given(instances(), hypothesis.strategies.booleans())
@hypothesis.settings(max_examples=40)
def test_row_blocks_equal_the_pyomo_families_on_random_instances(data, elastic: bool) -> None:
    assert_same_lp(data, elastic)


def test_every_row_block_family_has_a_pyomo_twin_and_only_one_implementation() -> None:
    blocks = {f.build for f in optimizer.model.families.REGISTRY.families if f.build.__module__.endswith("matrix")}
    assert blocks == set(TWINS) and len(blocks) == 4
    assert not set(TWINS.values()) & set(FAMILIES)  # the Pyomo twins are the oracle, never built by procure
    with pytest.raises(ValueError, match="positions"):
        optimizer.model.matrix.demand_rows(None, optimizer.prepare(optimizer.load_instance(INSTANCES / "tiny.json")),
                                           None, optimizer.model.parts.Context(optimizer.model.families.REGISTRY))
