"""Near-optimal extremes (spec §11), solved in place on the HiGHS instance that holds the optimum.

:class:`Explorer` adds one row to the solved model, ``objective ≤ F* + ε·|F*|`` (model units: money
in $M, the objective's constant moved to the right-hand side), then, for each :class:`Measure`, sets
the columns' costs to the measure's coefficients and minimises or maximises it. HiGHS keeps its basis
between these solves, so each LP starts warm from the last vertex; a MILP is handed the optimum as its
first plan (it meets the new row). :meth:`Explorer.restore` puts the objective back and drops the row.

A measure is linear in the signed chips ``x[o, τ, n]`` (so it does not depend on how active chips are
modelled): a provider's or a chip family's held MW-years
``Σ_s prob_s Σ_{t<T} Σ_o power_kw[c(o)]/1000 · a[o, t, s] / m`` give ``x[o, τ, n]`` the coefficient
``weight · MW per chip · min(L_o, T − τ) / m`` (weight 1 for a first-stage contract, shared by every
scenario, else ``prob_n``), plus the constant of the existing contracts' chips (spec §10.3); a
first-stage contract line's measure is its chips, ``x[o, τ, 0]``.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np

from optimizer.prepare.arrays import Prepared
from optimizer.solve.compiled import Compiled, RawSolution
from optimizer.solve.highs import STRICT_INTEGRALITY, solve_compiled
from optimizer.solve.options import SolveOptions
from optimizer.solve.status import Status

BY = ("provider", "chip", "first-stage")
"""What ranges are measured over: providers' MW-years, chip families' MW-years, first-stage contract lines' chips."""

DUAL, PRIMAL = 1, 4
"""HiGHS's ``simplex_strategy`` values: dual simplex (its default) and primal simplex."""

NOISE = 1e-9
"""MW-years (or chips) below this in a plan are the solver's round-off, not holdings."""

OPTIMAL, TIME_LIMIT, ERROR = "optimal", "time_limit", "error"
"""An extreme's status: solved (to the MIP gap), stopped by the time limit (its value is a bound), no answer."""


@dataclass(frozen=True)
class Measure:
    """What one row of the ranges measures: its labels, a coefficient per compiled column and a constant."""

    labels: dict[str, object]
    coef: np.ndarray
    constant: float = 0.0

    def value(self, col: np.ndarray) -> float:
        """The measure in a plan; round-off under ``NOISE`` reads as nothing."""
        held = float(self.coef @ col)
        return (held if held > NOISE else 0.0) + self.constant


def now_periods(prep: Prepared) -> np.ndarray:
    """Signing periods of the first stage (bool, T): year(τ) < first_stage_years with scenarios, the first
    year without them (what is signed now)."""
    if prep.instance.scenarios is not None:
        return prep.first_stage.copy()
    return prep.periods.year_index == 0


def measures(prep: Prepared, compiled: Compiled, by: str) -> list[Measure]:
    """The measures of ``by`` (one of :data:`BY`), each over ``compiled``'s columns."""
    if by not in BY:
        raise ValueError(f"unknown measure {by!r}; choose {', '.join(BY)}")
    keys, cols = compiled.var_columns("x")
    o, tau, n = (keys[:, i] for i in range(3)) if len(keys) else (np.zeros(0, int),) * 3
    n_cols = len(compiled.columns)
    if by == "first-stage":
        now = now_periods(prep)
        out = []
        for j in np.flatnonzero(now[tau]).tolist():
            coef = np.zeros(n_cols)
            coef[cols[j]] = 1.0
            oj, tj = int(o[j]), int(tau[j])
            out.append(Measure({"offer": prep.offer_ids[oj], "provider": prep.provider_ids[prep.offer_provider[oj]],
                                "chip": prep.chip_ids[prep.offer_chip[oj]], "period": tj,
                                "year": int(prep.periods.start_year + prep.periods.year_index[tj])}, coef))
        return sorted(out, key=lambda m: (m.labels["period"], m.labels["provider"], m.labels["offer"]))
    T, m = prep.periods.count, prep.periods.per_year
    weight = np.where(prep.first_stage[tau], 1.0, prep.probability[n]) if len(keys) else np.zeros(0)
    mw_years = weight * prep.offer_mw[o] * np.minimum(prep.term[o], T - tau) / m  # per chip signed
    existing = prep.existing.chips.sum(axis=1) * prep.offer_mw / m  # (O,) MW-years already held
    if by == "provider":
        groups = [(p, {"provider": p}) for p in prep.provider_ids]
        member = np.array(prep.provider_ids, dtype=object)[prep.offer_provider]
    else:
        family = [c.family_name for c in prep.instance.chips]
        groups = [(f, {"chip": f}) for f in dict.fromkeys(family)]
        member = np.array(family, dtype=object)[prep.offer_chip]
    out = []
    for name, labels in groups:
        offers = member == name
        coef = np.zeros(n_cols)
        hit = offers[o]
        coef[cols[hit]] = mw_years[hit]
        out.append(Measure(labels, coef, float(existing[offers].sum())))
    return out


@dataclass
class Extreme:
    """The least or the most of a measure over the near-optimal plans.

    ``value`` is the measure in the plan found, ``bound`` what is proven: equal to ``value`` when
    ``status`` is "optimal" (to the MIP gap); with "time_limit" the true least is ≥ ``bound`` (the most
    ≤ it). ``raw`` is the plan, its objective in the model's money (so it reads back as a normal plan).
    """

    status: str
    value: float
    bound: float
    raw: RawSolution | None = None
    seconds: float = 0.0
    message: str = ""

    @classmethod
    def of_plan(cls, value: float, raw: RawSolution | None) -> Extreme:
        """An extreme that needs no solve: a plan that already reaches a measure's own bound."""
        return cls(OPTIMAL, value, value, raw)


@dataclass
class Explorer:
    """A solved HiGHS instance turned into the near-optimal set's explorer (see the module docstring).

    Each extreme changes only the costs, so the last basis stays primal feasible: LPs are re-solved by
    primal simplex from it (HiGHS's ``simplex_strategy`` 4; the strategy it had is put back by
    :meth:`restore`), a few hundred iterations where a cold solve takes thousands.
    """

    h: highspy.Highs
    compiled: Compiled
    objective: float  # F*, model units (the objective's offset included)
    within: float
    options: SolveOptions
    start: np.ndarray | None = None  # a MILP's first plan: the optimum's columns
    row: int = field(init=False, default=-1)
    relaxed: bool = field(init=False, default=False)  # a MILP's integer columns made continuous
    strategy: int = field(init=False, default=1)  # HiGHS's simplex_strategy before, restored afterwards
    costs: np.ndarray | None = field(init=False, default=None)  # the costs HiGHS minimises now
    relaxation_proves: bool = field(init=False, default=True)  # False once a relaxation failed to prove
    first: np.ndarray | None = field(init=False, default=None)  # a better first plan for the next MILP

    def __post_init__(self) -> None:
        c = self.compiled
        limit = self.objective + self.within * abs(self.objective)
        idx = np.flatnonzero(c.cost).astype(np.int32)
        self.h.addRow(-math.inf, limit - c.offset, len(idx), idx, c.cost[idx])
        self.row = self.h.getNumRow() - 1
        self.h.changeObjectiveOffset(0.0)
        self.strategy = int(self.h.getOptionValue("simplex_strategy")[1])

    def extreme(self, measure: Measure, maximise: bool) -> Extreme:
        """Minimise (or maximise) ``measure`` over the near-optimal plans.

        A MILP is first tried through its relaxation (:meth:`_by_relaxation`); only when that proves
        nothing is the MILP itself solved, started from the optimum's plan, to the options' gap.
        """
        h, c = self.h, self.compiled
        n = len(c.columns)
        self.costs = -measure.coef if maximise else measure.coef
        h.changeColsCost(n, np.arange(n, dtype=np.int32), self.costs)
        clock = time.perf_counter()
        raw = (self._by_relaxation() if self.relaxation_proves else None) if c.is_mip else self._lp(c)
        if raw is None:
            self._integral(True)
            h.setOptionValue("simplex_strategy", self.strategy)
            first, self.first = (self.first if self.first is not None else self.start), None
            if first is not None:
                h.setSolution(n, np.arange(n, dtype=np.int32), first)
            raw = solve_compiled(h, c, self.options, duals=False, keep_model=True)
        seconds = time.perf_counter() - clock
        if not raw.status.has_plan:
            return Extreme(ERROR, math.nan, math.nan, None, seconds, raw.message)
        raw = dataclasses.replace(raw, row_activity=raw.row_activity[:len(c.rows)])  # the added row left out
        value = measure.value(raw.col)
        if raw.status == Status.OPTIMAL:
            return Extreme(OPTIMAL, value, value, raw, seconds, raw.message)
        return Extreme(TIME_LIMIT, value, self._bound(measure, maximise), raw, seconds, raw.message)

    def _lp(self, compiled: Compiled) -> RawSolution:
        """An LP solve: primal simplex from the basis HiGHS holds, HiGHS's own choice without one."""
        warm = self.h.getBasis().valid
        self.h.setOptionValue("simplex_strategy", PRIMAL if warm else self.strategy)
        return solve_compiled(self.h, compiled, self.options, duals=False, keep_model=True)

    def _by_relaxation(self) -> RawSolution | None:
        """A MILP's extreme from its relaxation, or None when that proves nothing.

        The relaxation (warm, primal simplex) bounds the MILP's extreme. If its plan is integral, it is
        the MILP's optimum. Otherwise the integer columns are fixed, rounded up (a provider holding a
        fraction of a chip is used) or as in the optimum (always a feasible choice), and the LP left is
        solved: if the better plan is within the MIP gap of the relaxation's bound, it is the MILP's
        optimum to that gap. Once that fails (integrality binds, e.g. a workload's ``max_providers``),
        later extremes skip the relaxation; the better plan found starts the MILP.
        """
        c = self.compiled
        lp = dataclasses.replace(c, integer=np.zeros_like(c.integer))
        self._integral(False)
        relaxed = self._lp(lp)
        if relaxed.status != Status.OPTIMAL:  # e.g. the time limit: do not spend it twice on later extremes
            self.relaxation_proves = False
            return None
        idx = np.flatnonzero(c.integer).astype(np.int32)
        values = relaxed.col[idx]
        if float(np.abs(values - np.round(values)).max(initial=0.0)) <= STRICT_INTEGRALITY:
            return dataclasses.replace(relaxed, compiled=c, mip_gap=0.0)
        choices = [np.minimum(np.ceil(values - STRICT_INTEGRALITY), c.col_upper[idx])]
        if self.start is not None:
            choices.append(np.round(self.start[idx]))
        low, best, high = float(self.costs @ relaxed.col), None, math.inf  # what HiGHS minimises
        for fixed_values in choices:
            fixed = self._fixed(lp, idx, fixed_values)
            if fixed is not None and float(self.costs @ fixed.col) < high:
                best, high = fixed, float(self.costs @ fixed.col)
        gap = (high - low) / max(abs(high), 1e-9) if high - low > 1e-9 * max(1.0, abs(high)) else 0.0
        if best is None or gap > self.options.mip_gap:
            self.relaxation_proves = False  # integrality binds: the next extremes go straight to the MILP
            self.first = None if best is None else best.col
            return None
        return dataclasses.replace(best, compiled=c, mip_gap=gap)

    def _fixed(self, lp: Compiled, idx: np.ndarray, values: np.ndarray) -> RawSolution | None:
        """The LP left with the integer columns ``idx`` fixed at ``values`` (None if it has no optimum)."""
        c = self.compiled
        self.h.changeColsBounds(len(idx), idx, values, values)
        try:  # bounds moved, costs kept: the basis stays dual feasible
            self.h.setOptionValue("simplex_strategy", DUAL)
            fixed = solve_compiled(self.h, lp, self.options, duals=False, keep_model=True)
        finally:
            self.h.changeColsBounds(len(idx), idx, c.col_lower[idx], c.col_upper[idx])
        return fixed if fixed.status == Status.OPTIMAL else None

    def _integral(self, integral: bool) -> None:
        """Integrality of the MILP's integer columns on (the MILP) or off (its relaxation)."""
        if self.relaxed != integral:  # already so
            return
        idx = np.flatnonzero(self.compiled.integer).astype(np.int32)
        kind = highspy.HighsVarType.kInteger if integral else highspy.HighsVarType.kContinuous
        self.h.changeColsIntegrality(len(idx), idx, np.full(len(idx), kind))
        self.relaxed = not integral

    def _bound(self, measure: Measure, maximise: bool) -> float:
        """What is proven when a solve stopped early: a MILP's dual bound, else the measure's trivial bound."""
        if self.compiled.is_mip and not self.relaxed:
            dual = float(self.h.getInfo().mip_dual_bound)
            if math.isfinite(dual):
                return (-dual if maximise else dual) + measure.constant
        return math.inf if maximise else measure.constant

    def restore(self) -> None:
        """The model as it was: its own costs, offset, integrality and options, without the added row."""
        c = self.compiled
        n = len(c.columns)
        if c.is_mip:
            self._integral(True)
        self.h.setOptionValue("simplex_strategy", self.strategy)
        self.h.changeColsCost(n, np.arange(n, dtype=np.int32), c.cost)
        self.h.changeObjectiveOffset(c.offset)
        if self.row >= 0:
            self.h.deleteRows(1, np.array([self.row], dtype=np.int32))
            self.row = -1


def explore(explorer: Explorer, found: list[Measure], optimum: np.ndarray,
            tell: Callable[[str], None] | None = None) -> list[tuple[Extreme, Extreme]]:
    """The least and the most of each measure. The most is solved first; the least needs no solve when
    the optimum (or the most) already sits at the measure's constant, the least any plan can hold (an
    extreme without ``raw`` then stands for the optimum's own plan). ``tell`` hears each solve as it starts."""
    out = []
    for i, measure in enumerate(found):
        name = " ".join(str(v) for v in measure.labels.values())
        if tell is not None:
            tell(f"{name}: the most ({i + 1} of {len(found)})")
        high = explorer.extreme(measure, maximise=True)
        at_optimum = measure.value(optimum)
        if _at_floor(at_optimum, measure):
            low = Extreme.of_plan(at_optimum, None)
        elif high.status == OPTIMAL and _at_floor(high.value, measure):
            low = Extreme.of_plan(high.value, high.raw)
        else:
            if tell is not None:
                tell(f"{name}: the least ({i + 1} of {len(found)})")
            low = explorer.extreme(measure, maximise=False)
        out.append((low, high))
    return out


def _at_floor(value: float, measure: Measure) -> bool:
    return value - measure.constant <= 1e-9 * max(1.0, abs(value))
