"""Structure of the built model without a solver: sparse index sets and row counts per family."""

from __future__ import annotations

import copy

import pyomo.environ as pyo
import pytest
from support.instances import BASE
from support.pyomo_families import pyomo_registry

from optimizer import load_instance, prepare
from optimizer.model import build_model
from optimizer.model.space import Space
from optimizer.solve.compile import compile_to_highs


def built(arrays: bool = False, **changes):
    """The model of BASE with ``changes``; the row-block families written in Pyomo (the test oracle,
    ``support.pyomo_families``) unless ``arrays``."""
    data = copy.deepcopy(BASE)
    data.update(changes)
    return build_model(prepare(load_instance(data)), registry=None if arrays else pyomo_registry())


def test_variables_exist_only_where_they_can_be_non_zero() -> None:
    m = built().model
    # k6 signable in all 8 quarters, j7 only in the 4 quarters of 2027.
    assert len(m.x) == 12
    assert len(m.a) == 12
    # Only k has bf16: u for (w, k6) in 8 periods; (w, j7) is not an allowed pair (C9).
    assert len(m.u) == 8
    assert {o for (_, o, _, _) in m.u} == {0}
    # z only for q (it has an onboarding fee); no min_chips, no blocks, no commitments.
    assert list(m.z) == [1]
    assert len(m.v) == len(m.blocks) == len(m.short) == 0


def test_rows_per_family() -> None:
    m = built().model
    assert len(m.active_chips) == 12
    assert len(m.demand) == 8
    assert len(m.capacity) == 8
    assert len(m.provider_power) == 8 + 4  # p in every quarter, q only while j7 can be active
    assert len(m.supply) == 1  # j7 in 2027 (no contract can be signed in 2026)
    assert len(m.provider_used_link) == 4 and len(m.provider_used) == 1
    assert not hasattr(m, "budget_year") and not hasattr(m, "diversification")
    fast = built(arrays=True)
    assert {b.name: len(b.keys) for b in fast.blocks} == {"active_chips": 12, "demand": 8, "capacity": 8}
    assert not hasattr(fast.model, "active_chips") and len(fast.model.provider_power) == 12


def test_active_chip_rows_are_the_covering_sums() -> None:
    """Quarterly periods over two years. k6 (6 months: L = 2, signable from t = 0): row t holds
    −a[k6, t] and x[k6, τ] for τ in (t − 2, t], 2 terms at t = 0 and 3 after. "long" (24 months: L = 8,
    signable from 2027, τ ≥ 4): 1 + (t − 3) terms at t = 4…7 (every earlier τ still covers t)."""
    from pyomo.repn import generate_standard_repn

    offers = [BASE["offers"][0], {"id": "long", "provider": "p", "chip": "k", "term_months": 24,
                                  "price_per_chip_hour": 1.0, "available": {"from": 2027}}]
    want = {(0, 0): 2, **{(0, t): 3 for t in range(1, 8)}, **{(1, t): t - 2 for t in range(4, 8)}}
    m = built(offers=offers).model
    assert {(o, t): len(generate_standard_repn(c.body).linear_vars)
            for (o, t, s), c in m.active_chips.items()} == want
    block = built(arrays=True, offers=offers).blocks[0]
    assert block.name == "active_chips" and [tuple(k[:2]) for k in block.keys.tolist()] == list(want)
    assert (block.indptr[1:] - block.indptr[:-1]).tolist() == list(want.values())


def test_scenarios_share_first_stage_contracts() -> None:
    m = built(scenarios={"first_stage_years": 1, "cases": [{"id": "a", "probability": 0.5},
                                                           {"id": "b", "probability": 0.5}]}).model
    # k6: 4 shared first-stage copies (2026) + 4 periods × 2 scenarios; j7: 2027 only → 4 × 2.
    assert len(m.x) == 4 + 8 + 8
    assert len(m.a) == 2 * 12


def test_elastic_model_has_one_slack_per_limit() -> None:
    b = build_model(prepare(load_instance(copy.deepcopy(BASE))), elastic=True)
    families = [s.family for s in b.layout.slacks]
    assert families.count("demand") == 8
    assert families.count("provider_power") == 12
    assert families.count("supply") == 1


def test_first_solve_does_not_import_scipy_stats() -> None:
    # Pyomo's scipy hook would import scipy.stats/integrate/spatial (~0.6 s) on the first solve of
    # every process; optimizer.highs gives the compiler scipy.sparse alone (docs/performance.md).
    import subprocess
    import sys

    from support.paths import INSTANCES, ROOT

    code = ("import sys, optimizer; s = optimizer.solve(sys.argv[1]); "
            "print(s.objective_usd, 'scipy.stats' in sys.modules, 'scipy.sparse' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code, str(INSTANCES / "tiny.json")], cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=120)
    assert run.stdout.split() == ["74460000.0", "False", "True"]


def test_u_is_an_array_variable_in_the_variable_space() -> None:
    """u has no Pyomo objects (optimizer/model/space.py): 8 columns between a and the rest, named by
    the layout's index array; a Pyomo expression may use an entry, never one that is not a column."""
    b = built(arrays=True)
    assert len(b.model.u) == 0 and len(b.layout.u_index) == 8
    assert b.positions.u[tuple(b.layout.u_index[3])] == len(b.model.x) + len(b.model.a) + 3
    assert b.positions.slack == len(b.model.x) + len(b.model.a) + 8 + len(b.model.short) + len(b.model.z)
    _, compiled = compile_to_highs(b)
    assert compiled.columns.of("u")[0].tolist() == b.layout.u_index.tolist()
    space = Space.of(b.model, b.positions)
    assert space.position(b.model.u[tuple(b.layout.u_index[5].tolist())]) == b.positions.u[tuple(b.layout.u_index[5])]
    with pytest.raises(KeyError, match="not a column of the model"):
        space.position(b.model.u[0, 1, 0, 0])  # j7 serves no workload (C9)
    b.model.stray = pyo.Constraint(expr=b.model.u[0, 1, 0, 0] <= 1)
    with pytest.raises(KeyError, match="not a column"):
        compile_to_highs(b)
