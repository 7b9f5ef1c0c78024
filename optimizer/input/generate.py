"""Synthetic instances of any size with realistic structure, for benchmarks and stress tests.

Structure: providers whose power grows each year; chips of a few generations (newer ones
signable later, older ones retired), each sold by a subset of providers; every provider ×
region × chip gets a ladder of terms (on-demand dearest, long commitments cheapest) with
region price spreads; workloads on different metrics with growth, one of them exclusive to
one provider and one limited to a chip family; a take-or-pay spend commitment, a capacity
commitment, a diversification cap, optional budgets and demand scenarios. Demand is sized
from the power available so that every generated instance is feasible.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from optimizer.input.load import validate_instance

PRESETS: dict[str, dict[str, Any]] = {
    "small": {"years": 4, "periods_per_year": 4, "providers": 2, "regions": 1, "chips": 3, "workloads": 2,
              "scenarios": 1},
    "medium": {"years": 8, "periods_per_year": 12, "providers": 4, "regions": 2, "chips": 4, "workloads": 3,
               "scenarios": 1},
    "large": {"years": 8, "periods_per_year": 12, "providers": 4, "regions": 8, "chips": 4, "workloads": 4,
              "scenarios": 3},
    # xl's six chips leave the first generation with one seller in year 0: 0.6 was infeasible there.
    "xl": {"years": 8, "periods_per_year": 12, "providers": 4, "regions": 16, "chips": 6, "workloads": 4,
           "scenarios": 6, "max_share": 0.8},
}
"""Named sizes; ``large`` is about 0.5M variables and ``xl`` about 2M (see docs/performance.md)."""

PROVIDER_NAMES = ("aws", "azure", "oracle", "google", "coreweave", "lambda", "nebius", "crusoe")
METRICS = ("bf16_pflops", "fp8_pflops")


@dataclass(frozen=True)
class GeneratorSpec:
    """Knobs of a synthetic instance. ``terms`` in months; 1 = on demand."""

    years: int = 8
    periods_per_year: int = 4
    providers: int = 4
    regions: int = 1
    chips: int = 4
    terms: tuple[int, ...] = (1, 12, 36)
    workloads: int = 3
    scenarios: int = 1
    budget: bool = False
    onboarding: bool = False  # onboarding fees make the model a MILP (provider binaries)
    max_share: float = 0.6  # diversification: the most of the MW any one provider may hold
    seed: int = 0

    @classmethod
    def preset(cls, size: str, **overrides: Any) -> GeneratorSpec:
        if size not in PRESETS:
            raise ValueError(f"unknown size {size!r} (known: {', '.join(PRESETS)})")
        return replace(cls(**PRESETS[size]), **overrides)


def generate(spec: GeneratorSpec | str = "small", **overrides: Any) -> dict[str, Any]:
    """A valid, feasible instance (plain JSON data) for ``spec`` or a preset name."""
    spec = GeneratorSpec.preset(spec, **overrides) if isinstance(spec, str) else replace(spec, **overrides)
    rng = np.random.default_rng(spec.seed)
    y0 = 2026
    providers = _providers(spec, rng, y0)
    chips = _chips(spec, rng)
    sellers = _sellers(spec, rng, len(chips))
    offers = _offers(spec, rng, y0, providers, chips, sellers)
    workloads = _workloads(spec, rng, providers, chips, sellers)
    inst: dict[str, Any] = {
        "name": f"synthetic-{spec.seed}",
        "description": "procure generate: " + ", ".join(f"{k}={v}" for k, v in asdict(spec).items()),
        "horizon": {"start_year": y0, "years": spec.years, "periods_per_year": spec.periods_per_year},
        "discount_rate": 0.08,
        "providers": providers, "chips": chips, "offers": offers, "workloads": workloads,
    }
    _size_demand(inst, spec)
    _add_limits(inst, spec, rng, y0)
    validate_instance(inst)  # knobs out of range give an InstanceError naming the field
    return inst


def _providers(spec: GeneratorSpec, rng: np.random.Generator, y0: int) -> list[dict[str, Any]]:
    out = []
    for i in range(spec.providers):
        name = PROVIDER_NAMES[i] if i < len(PROVIDER_NAMES) else f"cloud{i}"
        start = float(rng.uniform(300, 1500)) * spec.regions
        growth = float(rng.uniform(0.25, 0.6))
        power = {str(y0 + y): round(start * (1 + growth) ** y, 1) for y in range(spec.years)}
        fee = round(float(rng.uniform(5e7, 3e8)), -6) if spec.onboarding and i > 0 else 0
        out.append({"id": name, "power_mw": power, "onboarding_cost_usd": fee})
    return out


def _chips(spec: GeneratorSpec, rng: np.random.Generator) -> list[dict[str, Any]]:
    out = []
    for i in range(spec.chips):
        generation = i // 2  # two chips per generation, each generation ~2.2× faster
        bf16 = round(0.9 * 2.2 ** generation * float(rng.uniform(0.8, 1.2)), 3)
        out.append({"id": f"chip{i}", "family": f"gen{generation}",
                    "power_kw": round(1.2 + 0.5 * generation + float(rng.uniform(0, 0.4)), 2),
                    "perf": {"bf16_pflops": bf16, "fp8_pflops": round(2 * bf16, 3)}})
    return out


def _sellers(spec: GeneratorSpec, rng: np.random.Generator, n_chips: int) -> list[list[int]]:
    """Which providers sell each chip: every chip has a seller, every provider sells a chip, and the
    first provider sells every other chip (it holds the commitments)."""
    masks = rng.random((n_chips, spec.providers)) < 0.6
    masks[::2, 0] = True
    for p in range(spec.providers):  # round-robin so that no provider is left without chips
        masks[p % n_chips, p] = True
    return [np.flatnonzero(row).tolist() for row in masks]


def _offers(spec, rng, y0, providers, chips, sellers) -> list[dict[str, Any]]:
    out = []
    for c, chip in enumerate(chips):
        generation = int(chip["family"].removeprefix("gen"))
        list_price = 3.0 * 1.8 ** generation * float(rng.uniform(0.85, 1.15))
        available: dict[str, int] = {}
        if generation >= 1:
            available["from"] = y0 + min(spec.years - 1, generation)
        if generation == 0 and spec.years > 4:
            available["until"] = y0 + 4
        for p in sellers[c]:
            for r in range(spec.regions):
                spread = 1.0 + 0.03 * r + float(rng.uniform(-0.02, 0.02))
                for term in spec.terms:
                    discount = 1.0 if term <= 1 else max(0.3, 1.0 - 0.45 * math.log10(1 + term / 12) - 0.2)
                    offer = {"id": f"{providers[p]['id']}-r{r}-{chip['id']}-{term}m", "provider": providers[p]["id"],
                             "chip": chip["id"], "term_months": term,
                             "price_per_chip_hour": round(list_price * spread * discount, 4),
                             "price_change_per_year": round(-0.08 - 0.04 * generation, 3)}
                    if available:
                        offer["available"] = dict(available)
                    out.append(offer)
    return out


def _workloads(spec, rng, providers, chips, sellers) -> list[dict[str, Any]]:
    out = []
    for w in range(spec.workloads):
        workload: dict[str, Any] = {
            "id": ("training", "inference", "agents", "research")[w] if w < 4 else f"workload{w}",
            "metric": METRICS[w % 2], "efficiency": round(float(rng.uniform(0.3, 0.5)), 2),
            "demand": {"base": 1.0, "annual_growth": round(float(rng.uniform(0.3, 0.9)), 2)},
        }
        if w == 2:  # exclusive to the provider that sells most chips
            best = max(range(spec.providers), key=lambda p: sum(p in s for s in sellers))
            workload["providers"] = [providers[best]["id"]]
        if w == 3:  # the newest generation, and the first one until the newest is out
            workload["chips"] = list(dict.fromkeys([chips[0]["family"], chips[-1]["family"]]))
        out.append(workload)
    return out


def _size_demand(inst: dict[str, Any], spec: GeneratorSpec) -> None:
    """Scale every workload's base so that the plan needs about half of the power in every year."""
    chips = {c["id"]: c for c in inst["chips"]}
    power0 = sum(p["power_mw"][str(inst["horizon"]["start_year"])] for p in inst["providers"])
    yearly = [list(p["power_mw"].values()) for p in inst["providers"]]
    growth_power = min((v[-1] / v[0]) ** (1 / max(spec.years - 1, 1)) for v in yearly)
    pflops_per_mw = min(c["perf"]["bf16_pflops"] / c["power_kw"] * 1000 for c in chips.values())
    share = 0.45 / len(inst["workloads"])
    for w in inst["workloads"]:
        w["demand"]["annual_growth"] = round(min(w["demand"]["annual_growth"], growth_power - 1), 3)
        w["demand"]["base"] = round(share * power0 * pflops_per_mw * w["efficiency"], 1)
        if w.get("providers"):
            w["demand"]["base"] = round(w["demand"]["base"] * 0.3, 1)


def _add_limits(inst: dict[str, Any], spec: GeneratorSpec, rng: np.random.Generator, y0: int) -> None:
    last = y0 + spec.years - 1
    first = inst["providers"][0]
    inst["spend_commitments"] = [{"provider": first["id"], "years": [y0, min(last, y0 + 4)],
                                  "amount_usd": round(2e9 * spec.regions * float(rng.uniform(0.5, 1.5)), -6)}]
    gen0 = inst["chips"][0]["family"]
    inst["capacity_commitments"] = [{"provider": first["id"], "chips": [gen0], "years": [y0, min(last, y0 + 2)],
                                     "min_mw": round(0.1 * first["power_mw"][str(y0)], 1)}]
    if spec.providers > 1:
        inst["diversification"] = {"max_share": spec.max_share, "metric": "mw"}
    if spec.budget:
        inst["budget"] = {"total_usd": 1e13}
    if spec.scenarios > 1:
        multipliers = np.linspace(0.7, 1.2, spec.scenarios)
        cases = [{"id": f"s{i}", "probability": round(1 / spec.scenarios, 12),
                  "demand_multiplier": {"*": {str(y0): 1.0, str(y0 + 1): round(float(mult), 3)}}}
                 for i, mult in enumerate(multipliers)]
        cases[-1]["probability"] = round(1 - sum(c["probability"] for c in cases[:-1]), 12)
        inst["scenarios"] = {"first_stage_years": 1, "cases": cases}
