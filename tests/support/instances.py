"""Instance builders shared by the tests: small instances whose optimum is computed by hand, an
infeasible one, the spec example c01, and the shipped instances as dicts or files.

The hand-computable instances (:func:`instance`): unless said otherwise, yearly periods (H = 8760 h),
discount rate 0, one chip "k" of 1 kW with 1 bf16 PFLOPS, efficiency 1, so one chip serves one unit
of demand for a year at price·8760 USD.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .paths import INSTANCES

H = 8760.0


def instance(demand, offers, *, years=None, providers=None, chips=None, rate=0.0, **extra) -> dict:
    """A hand-computable instance (see the module docstring): one provider "p" of 100 MW unless
    ``providers``, the offers at "p" for chip "k" unless they say otherwise, one workload "w"."""
    return {
        "name": "tiny",
        "horizon": {"start_year": 2026, "years": years or len(demand), "periods_per_year": 1},
        "discount_rate": rate,
        "providers": providers or [{"id": "p", "power_mw": 100}],
        "chips": chips or [{"id": "k", "power_kw": 1.0, "perf": {"bf16": 1.0}}],
        "offers": [{"provider": "p", "chip": "k", **o} for o in offers],
        "workloads": [{"id": "w", "metric": "bf16", "demand": {"series": demand}}],
        **extra,
    }


O12 = {"id": "o12", "term_months": 12, "price_per_chip_hour": 1.0}
O24 = {"id": "o24", "term_months": 24, "price_per_chip_hour": 0.9}

TWO = [{"id": "p", "power_mw": 100}, {"id": "q", "power_mw": 100}]
"""Two providers of 100 MW, for :func:`instance`."""
CHEAP_P = [{"id": "pk", "term_months": 12, "price_per_chip_hour": 1.0},
           {"id": "qk", "provider": "q", "term_months": 12, "price_per_chip_hour": 2.0}]
"""p's chips at $1, q's at $2, 12 months each, for :func:`instance` with :data:`TWO`."""

INFEASIBLE = {
    "name": "too-little-power",
    "horizon": {"start_year": 2026, "years": 2},
    "providers": [{"id": "aws", "power_mw": 1}, {"id": "gcp", "power_mw": {"2026": 2, "2027": 3}}],
    "chips": [{"id": "k", "power_kw": 1.0, "perf": {"bf16": 1.0}}],
    "offers": [{"id": "a", "provider": "aws", "chip": "k", "term_months": 12, "price_per_chip_hour": 1.0},
               {"id": "g", "provider": "gcp", "chip": "k", "term_months": 12, "price_per_chip_hour": 2.0}],
    "workloads": [{"id": "w", "metric": "bf16", "demand": {"series": [2000, 4500]}}],
}
"""2026: 2,000 chips = 2 MW needed, 3 MW available. 2027: 4.5 MW needed, 4 MW available: the
cheapest relative relaxation is gcp's 3 MW limit (+0.5 MW) rather than aws's 1 MW one."""


#: The spec's e13: a cheap cloud a that holds only 5 chips (1 MW each), b at twice the price.
E13: dict = {
    "name": "e13_max_providers_by_hand", "horizon": {"start_year": 2026, "years": 2},
    "providers": [{"id": "a", "power_mw": 5}, {"id": "b", "power_mw": 100}],
    "chips": [{"id": "k", "power_kw": 1000, "perf": {"pf": 1}}],
    "offers": [{"id": "a-k-12", "provider": "a", "chip": "k", "term_months": 12, "price_per_chip_hour": 1},
               {"id": "b-k-12", "provider": "b", "chip": "k", "term_months": 12, "price_per_chip_hour": 2}],
    "workloads": [{"id": "w", "metric": "pf", "demand": {"series": [10, 10]}, "max_providers": 1}],
}


def hedge_instance() -> dict:
    """The two-stage instance solved by hand in ``tests/test_scenarios.py``'s docstring."""
    return {
        "name": "two-stage",
        "horizon": {"start_year": 2026, "years": 2, "periods_per_year": 1},
        "discount_rate": 0.25,
        "providers": [{"id": "p", "power_mw": 100, "onboarding_cost_usd": 10_000}, {"id": "q", "power_mw": 100}],
        "chips": [{"id": "k", "power_kw": 1.0, "perf": {"bf16": 1.0}}],
        "offers": [{"id": "pk", "provider": "p", "chip": "k", "term_months": 12, "price_per_chip_hour": 1.0},
                   {"id": "qk", "provider": "q", "chip": "k", "term_months": 24, "price_per_chip_hour": 1.0,
                    "available": {"from": 2027}}],
        "workloads": [{"id": "w", "metric": "bf16", "demand": {"series": [100, 100]}}],
        "spend_commitments": [{"provider": "q", "years": [2027, 2027], "amount_usd": 700_800}],
        "scenarios": {"first_stage_years": 1, "cases": [
            {"id": "lo", "probability": 0.5, "demand_multiplier": {"w": {"2026": 1, "2027": 0.5}}},
            {"id": "hi", "probability": 0.5, "demand_multiplier": {"*": {"2026": 1, "2027": 1.5}}}]},
    }


BASE = {
    "name": "prep",
    "horizon": {"start_year": 2026, "years": 2, "periods_per_year": 4},
    "discount_rate": 0.1,
    "providers": [{"id": "p", "power_mw": {"2026": 10, "2027": 30}},
                  {"id": "q", "power_mw": 5, "onboarding_cost_usd": 7}],
    "chips": [{"id": "k", "family": "fam", "power_kw": 2.0, "perf": {"bf16": 2.0, "fp8": 4.0}},
              {"id": "j", "power_kw": 1.0, "perf": {"fp8": 1.0}}],
    "offers": [
        {"id": "k6", "provider": "p", "chip": "k", "term_months": 6, "price_per_chip_hour": 2.0,
         "price_change_per_year": -0.5},
        {"id": "j7", "provider": "q", "chip": "j", "term_months": 7, "price_per_chip_hour": 1.0,
         "available": {"from": 2027}, "max_new_chips_per_year": {"2026": 100, "2027": 40}},
    ],
    "workloads": [{"id": "w", "metric": "bf16", "efficiency": 0.5, "demand": {"series": [1, 2, 3, 4, 5, 6, 7, 8]}}],
}
"""Quarterly periods over 2026–2027, two providers, chips and offers: the preprocessing arrays of
``tests/test_prepare.py`` and the model structure of ``tests/test_model.py`` are computed by hand on it."""

#: spec/examples/c01_yearly_series.json, verbatim (parsed).
C01: dict[str, Any] = {
    "name": "c01_yearly_series",
    "description": "yearly periods, one training workload given as a series, 1y vs 3y terms",
    "horizon": {"start_year": 2026, "years": 4, "periods_per_year": 1},
    "discount_rate": 0.08,
    "providers": [
        {"id": "aws", "name": "Amazon Web Services", "power_mw": {"2026": 40, "2027": 80}},
        {"id": "azure", "name": "Microsoft Azure", "power_mw": {"2026": 60, "2028": 120}},
    ],
    "chips": [
        {"id": "gb200", "family": "blackwell", "power_kw": 2.1,
         "perf": {"bf16_pflops": 2.5, "fp8_pflops": 5.0, "fp4_pflops": 10.0}},
        {"id": "trainium2", "family": "trainium", "power_kw": 0.9,
         "perf": {"bf16_pflops": 0.667, "fp8_pflops": 1.3}},
    ],
    "offers": [
        {"id": "aws-trainium2-12m", "provider": "aws", "chip": "trainium2", "term_months": 12,
         "price_per_chip_hour": 1.258},
        {"id": "aws-trainium2-36m", "provider": "aws", "chip": "trainium2", "term_months": 36,
         "price_per_chip_hour": 0.93},
        {"id": "azure-gb200-12m", "provider": "azure", "chip": "gb200", "term_months": 12,
         "price_per_chip_hour": 3.543},
        {"id": "azure-gb200-36m", "provider": "azure", "chip": "gb200", "term_months": 36,
         "price_per_chip_hour": 2.52},
    ],
    "workloads": [
        {"id": "training", "metric": "bf16_pflops", "efficiency": 0.4,
         "demand": {"series": [7843.0, 12363.0, 18913.0, 15742.0]}},
    ],
}


def shipped(name: str) -> dict:
    """A shipped instance (``instances/NAME``), parsed: a fresh dict on every call."""
    return json.loads((INSTANCES / name).read_text())


def write(tmp_path: Path, data: dict, name: str = "instance.json") -> Path:
    """``data`` as ``tmp_path/name`` (``json.dumps``, no indentation); returns the path."""
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path
