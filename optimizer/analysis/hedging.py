"""The value of hedging: EVPI and VSS of a two-stage instance (spec §5), all in USD of NPV.

- RP, the stochastic optimum: the objective of the two-stage plan.
- WS, "wait and see": ``Σ_s prob_s · z_s`` with ``z_s`` the optimum of scenario ``s`` solved alone,
  as if the outcome were known before signing. **EVPI = RP − WS** ≥ 0: what perfect foresight is worth.
- EV, the mean-value problem: one scenario whose demand is the probability-weighted mean demand.
  EEV: the expected cost of signing EV's first-stage contracts and then adapting in every scenario
  (the two-stage model with those contracts fixed, and with EV's placement (spec §10.5: ``y[w, p]``,
  one for all scenarios, a here-and-now decision like the first stage)). **VSS = EEV − RP** ≥ 0: what planning for the
  spread of outcomes saves over planning for the average. VSS is infinite when EV's first stage
  cannot be completed feasibly in some scenario.

Every solve goes through :func:`optimizer.model.build_model` and :func:`optimizer.solve.pipeline.solve_built`;
the fixed first stage is imposed by setting both bounds of ``x[o, τ, 0]`` (``blocks`` for whole racks)
and of ``y[w, p]``.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from optimizer.analysis.scenarios import Source, TwoStagePlan, as_prepared, scenario_outcomes
from optimizer.model import build_model
from optimizer.prepare.arrays import Prepared
from optimizer.results.extract import extract
from optimizer.results.solution import Solution
from optimizer.solve.options import SolveOptions
from optimizer.solve.pipeline import named_coefficients, solve_built

FirstStage = dict[tuple[int, int], float]
"""Chips signed per (offer index, signing period τ) in the first stage."""
Placement = set[tuple[int, int]]
"""The (workload index, provider index) pairs placed, ``y[w, p] = 1`` (spec §10.5)."""


def solve_prepared(prep: Prepared, options: SolveOptions | None = None, fixed: FirstStage | None = None,
                   placement: Placement | None = None) -> Solution:
    """Solve prepared arrays; with ``fixed``, every first-stage ``x[o, τ]`` is held at its value (0 if absent);
    with ``placement``, every placement switch ``y[w, p]`` is held at 1 if placed, else 0."""
    built = build_model(prep)
    m = built.model
    if placement is not None:
        for w, p in m.Y:
            on = 1 if (w, p) in placement else 0
            m.y[w, p].setlb(on)
            m.y[w, p].setub(on)
    if fixed is not None:
        for o, tau, n in m.X:
            if prep.first_stage[tau]:
                chips = fixed.get((o, tau), 0.0)
                if (o, tau, n) in m.XB:  # whole racks: hold the integer block count
                    racks = round(chips / prep.block[o])
                    m.blocks[o, tau, n].setlb(racks)
                    m.blocks[o, tau, n].setub(racks)
                    chips = float(racks * prep.block[o])
                m.x[o, tau, n].setlb(chips)
                m.x[o, tau, n].setub(chips)
    with named_coefficients(prep):
        return extract(built, solve_built(built, options))


def single_scenario(prep: Prepared, s: int) -> Prepared:
    """Scenario ``s`` alone, as a deterministic problem of probability 1."""
    return dataclasses.replace(prep, scenario_ids=(prep.scenario_ids[s],), probability=np.ones(1),
                               demand=prep.demand[s:s + 1])


def mean_scenario(prep: Prepared) -> Prepared:
    """One scenario whose demand is ``Σ_s prob_s · D_s`` in every period (the mean-value problem)."""
    mean = np.tensordot(prep.probability, prep.demand, axes=1)[None, :, :]
    return dataclasses.replace(prep, scenario_ids=("mean",), probability=np.ones(1), demand=mean)


def placement_of(solution: Solution, prep: Prepared) -> Placement:
    """The placement of ``solution`` (spec §10.5) as (workload index, provider index) pairs."""
    return {(prep.workload_ids.index(r.workload), prep.provider_ids.index(r.provider))
            for r in solution.placement.itertuples()}


def first_stage_chips(solution: Solution, prep: Prepared) -> FirstStage:
    """The first-stage contracts of ``solution`` as {(offer index, τ): chips}."""
    out: FirstStage = {}
    for r in solution.contracts.itertuples():
        if prep.first_stage[int(r.period)] and r.scenario == solution.scenarios[0]:
            out[(prep.offer_ids.index(r.offer), int(r.period))] = float(r.chips)
    return out


@dataclass(frozen=True)
class Hedging:
    """EVPI and VSS with the solves behind them (USD of NPV).

    ``scenarios``: per scenario, its probability, ``alone_usd`` (its optimum with perfect
    information), ``stochastic_usd`` (its NPV under the two-stage plan) and ``mean_plan_usd``
    (its NPV when EV's first stage is signed; NaN when that cannot be completed).
    """

    stochastic_usd: float
    wait_and_see_usd: float
    mean_value_usd: float
    eev_usd: float | None
    scenarios: pd.DataFrame
    message: str = ""
    stochastic_cvar_usd: float | None = None  # §10.7, with ``risk``: CVaR of the two-stage plan's costs
    mean_plan_cvar_usd: float | None = None  # §10.7, with ``risk``: CVaR of the costs with EV's first stage

    @property
    def evpi_usd(self) -> float:
        """Expected value of perfect information: RP − WS."""
        return self.stochastic_usd - self.wait_and_see_usd

    @property
    def vss_usd(self) -> float:
        """Value of the stochastic solution: EEV − RP (inf when EV's first stage is infeasible)."""
        return math.inf if self.eev_usd is None else self.eev_usd - self.stochastic_usd

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values (an infinite VSS is written as null, with ``message``)."""
        vss = self.vss_usd
        return {"stochastic_usd": self.stochastic_usd, "wait_and_see_usd": self.wait_and_see_usd,
                "evpi_usd": self.evpi_usd, "mean_value_usd": self.mean_value_usd, "eev_usd": self.eev_usd,
                "vss_usd": vss if math.isfinite(vss) else None, "message": self.message,
                **({"stochastic_cvar_usd": self.stochastic_cvar_usd, "mean_plan_cvar_usd": self.mean_plan_cvar_usd}
                   if self.stochastic_cvar_usd is not None else {}),
                "scenarios": self.scenarios.astype(object).where(self.scenarios.notna(), None).to_dict("records")}


class HedgingError(ValueError):
    """The value of hedging cannot be computed: the two-stage problem has no plan."""


def value_of_hedging(source: Source | Solution, options: SolveOptions | None = None, *,
                     stochastic: Solution | None = None) -> Hedging:
    """EVPI and VSS of ``source``: an instance, or a solved two-stage plan (its instance and objective are used).

    With an instance, pass the already solved two-stage ``stochastic`` plan to skip that solve.
    Solves 1 + S + 2 problems: the two-stage one, each scenario alone, the mean-value one and
    the two-stage one with the mean-value first stage fixed. Raises :class:`HedgingError` when
    the two-stage problem has no plan.
    """
    if isinstance(source, Solution):
        if source.inputs is None:
            raise HedgingError("the solution does not carry its instance")
        source, stochastic = source.inputs, source
    prep = as_prepared(source)
    rp = stochastic if stochastic is not None else solve_prepared(prep, options)
    if not rp.has_plan or rp.objective_usd is None:
        raise HedgingError(f"the two-stage problem has no plan ({rp.status}): nothing to hedge")
    table = pd.DataFrame({"scenario": list(prep.scenario_ids), "probability": prep.probability,
                          "stochastic_usd": scenario_outcomes(rp, prep).npv_usd.to_numpy()})
    if prep.n_scenarios == 1:  # deterministic: perfect information and the mean add nothing
        table["alone_usd"] = table["mean_plan_usd"] = rp.objective_usd
        return Hedging(rp.objective_usd, rp.objective_usd, rp.objective_usd, rp.objective_usd, table)
    alone = [solve_prepared(single_scenario(prep, s), options) for s in range(prep.n_scenarios)]
    if any(not a.has_plan for a in alone):  # cannot happen when RP has a plan; guard against solver limits
        raise HedgingError("a scenario solved alone has no plan")
    table["alone_usd"] = [a.objective_usd for a in alone]
    ev = solve_prepared(mean_scenario(prep), options)
    if not ev.has_plan or ev.objective_usd is None:
        table["mean_plan_usd"] = np.nan
        return Hedging(rp.objective_usd, float(prep.probability @ table.alone_usd), math.nan, None, table,
                       f"the mean-value problem has no plan ({ev.status})")
    eev = solve_prepared(prep, options, fixed=first_stage_chips(ev, mean_scenario(prep)),
                         placement=placement_of(ev, prep))
    message = "" if eev.has_plan else "the mean-value first stage cannot be completed in every scenario"
    table["mean_plan_usd"] = scenario_outcomes(eev, prep).npv_usd.to_numpy() if eev.has_plan else np.nan
    return Hedging(rp.objective_usd, float(prep.probability @ table.alone_usd), ev.objective_usd,
                   eev.objective_usd if eev.has_plan else None, table, message,
                   rp.cvar_usd, eev.cvar_usd if eev.has_plan else None)


def hedging_files(h: Hedging | None, plan: TwoStagePlan) -> dict[str, str]:
    """File name → text: ``hedging.json`` (when computed) and the two-stage tables as CSV."""
    files = {} if h is None else {"hedging.json": json.dumps(h.to_dict(), indent=1, allow_nan=False) + "\n"}
    files.update({"first_stage.csv": plan.first_stage.to_csv(index=False),
                  "recourse.csv": plan.recourse.to_csv(index=False),
                  "scenario_outcomes.csv": plan.outcomes.to_csv(index=False),
                  "scenario_service.csv": plan.service.to_csv(index=False),
                  "spread.csv": plan.spread.to_csv(index_label="metric")})
    return files
