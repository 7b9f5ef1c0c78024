"""Independent feasibility checker for procure plans (spec `model.md`, v1).

A second implementation of the model, written from the spec alone, so that tests can catch
bugs in the solver. It reads an instance (the parsed instance JSON) and a plan (the parsed
`solution.json`, spec §7), re-checks every constraint C1-C13 (and v2's §10.4 shared supply and
§10.5 max providers), the integrality of §3
(`block_chips` multiples, `min_chips`), the non-anticipativity of §5 and the format of the
plan's rows, and recomputes the objective of §6.

It must never import the project's `optimizer` package; it uses only the standard library.

Units: money in USD, power in MW (a chip's `power_kw` / 1000), chips in chips, demand in the
workload metric's units (e.g. effective PFLOPS), time as 0-based periods `t` or calendar
years `Y`. Tolerances are relative to the magnitude of the compared sums plus a small
absolute floor (chips for quantities, USD for money).

    report = check_solution(instance, solution)
    assert report.ok(), report.violations
    assert_feasible(instance, solution)  # raises AssertionError with every violation
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

__all__ = ["CheckReport", "assert_feasible", "check_solution"]

HOURS_PER_YEAR = 8760.0
PLAN_STATUSES = ("optimal", "feasible")
MONEY_ATOL_USD = 1e-3
BLOCK_ATOL = 1e-6  # |chips / block_chips - round(...)| allowed, in blocks

YearMap = float | int | dict
Scenario = str | None  # a case id, or None for an instance without scenarios


@dataclass
class CheckReport:
    """Outcome of a check.

    `violations` are human-readable and each starts with the constraint family it breaks
    (e.g. "C3 provider power aws period 5: 123.4 MW > 120 MW"); the list is empty when the
    plan is feasible. `objective_usd` is the §6 objective recomputed from the plan's contracts,
    shortfalls and providers_used (NaN when there is no plan to check).
    """

    violations: list[str] = field(default_factory=list)
    objective_usd: float = math.nan

    def ok(self) -> bool:
        """True when no violation was found."""
        return not self.violations


# --------------------------------------------------------------------------------------
# Tolerances
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tolerance:
    """`lhs <= rhs` holds when `lhs <= rhs + rtol * max(1, |lhs|, |rhs|) + atol`."""

    rtol: float
    atol: float

    def slack(self, *values: float) -> float:
        """Allowed excess for comparing the given magnitudes (same unit as the values)."""
        return self.rtol * max(1.0, *(abs(v) for v in values)) + self.atol

    def exceeds(self, lhs: float, rhs: float) -> bool:
        """True when `lhs <= rhs` is violated beyond tolerance."""
        return lhs > rhs + self.slack(lhs, rhs)

    def falls_short(self, lhs: float, rhs: float) -> bool:
        """True when `lhs >= rhs` is violated beyond tolerance."""
        return lhs < rhs - self.slack(lhs, rhs)


def _num(value: float) -> str:
    """A number for a message: 10 significant digits, no trailing noise."""
    return f"{value:.10g}"


def _where(scenario: Scenario) -> str:
    """Message suffix naming the scenario (empty without scenarios)."""
    return "" if scenario is None else f" scenario {scenario}"


# --------------------------------------------------------------------------------------
# Time (§1)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Horizon:
    """Periods t = 0..T-1, T = years * periods_per_year, starting in calendar year start_year."""

    start_year: int
    years: int
    periods_per_year: int
    discount_rate: float
    end_effects: str = "full"  # §10.6: "pro_rata" counts only payments in t <= T - 1 in the objective

    @property
    def periods(self) -> int:
        """T, the number of periods in the horizon."""
        return self.years * self.periods_per_year

    @property
    def hours_per_period(self) -> float:
        """H = 8760 / m hours."""
        return HOURS_PER_YEAR / self.periods_per_year

    def year_index(self, t: int) -> int:
        """year(t) = floor(t / m), 0 = start year (also past the horizon)."""
        return t // self.periods_per_year

    def calendar_year(self, t: int) -> int:
        """Y0 + year(t)."""
        return self.start_year + self.year_index(t)

    def discount(self, t: int) -> float:
        """df(t) = (1 + r) ^ (-t / m), payment at the start of period t (any t >= 0)."""
        return (1.0 + self.discount_rate) ** (-t / self.periods_per_year)

    def objective_discount(self, t: int) -> float:
        """df(t) as the objective counts a payment in period t: 0 past the horizon under pro_rata (§10.6)."""
        return 0.0 if self.end_effects == "pro_rata" and t >= self.periods else self.discount(t)

    def periods_of_year(self, y: int) -> range:
        """The periods of horizon year y."""
        m = self.periods_per_year
        return range(y * m, (y + 1) * m)


def year_map_value(year_map: YearMap, calendar_year: int) -> float:
    """Value of a year map in calendar year Y: the value at the latest key <= Y (a step function).

    A number is the same every year. Instances are valid, so the first key is <= Y0.
    """
    if not isinstance(year_map, dict):
        return float(year_map)
    steps = sorted((int(float(key)), float(value)) for key, value in year_map.items())
    value = steps[0][1]
    for key, step_value in steps:
        if key > calendar_year:
            break
        value = step_value
    return value


# --------------------------------------------------------------------------------------
# Demand curves (§2 workloads)
# --------------------------------------------------------------------------------------


def _points_curve(points: dict, horizon: Horizon) -> list[float]:
    """Geometric (log-linear) interpolation at x_t = Y0 + t/m, flat outside the points."""
    knots = sorted((float(year), float(value)) for year, value in points.items())
    curve = []
    for t in range(horizon.periods):
        x = horizon.start_year + t / horizon.periods_per_year
        curve.append(_interpolate_log(knots, x))
    return curve


def _interpolate_log(knots: list[tuple[float, float]], x: float) -> float:
    """Log-linear interpolation between sorted (x, value > 0) knots; flat outside them."""
    if x <= knots[0][0]:
        return knots[0][1]
    if x >= knots[-1][0]:
        return knots[-1][1]
    for (x0, v0), (x1, v1) in pairwise(knots):
        if x0 <= x <= x1:
            frac = (x - x0) / (x1 - x0)
            return math.exp(math.log(v0) + frac * (math.log(v1) - math.log(v0)))
    raise AssertionError("unreachable: x lies between the first and the last knot")


def _growth_curve(base: float, annual_growth: float, horizon: Horizon) -> list[float]:
    """v * (1 + g) ^ (t / m)."""
    m = horizon.periods_per_year
    return [float(base) * (1.0 + float(annual_growth)) ** (t / m) for t in range(horizon.periods)]


def monthly_profile_factor(profile: list[float], t: int, periods_per_year: int) -> float:
    """Mean of the multipliers of the months period t covers: (t*12/m + j) mod 12, j < 12/m."""
    months_per_period = 12 // periods_per_year
    first = t * months_per_period
    months = [(first + j) % 12 for j in range(months_per_period)]
    return sum(float(profile[month]) for month in months) / months_per_period


def demand_curve(demand: dict, horizon: Horizon) -> list[float]:
    """D_w[t] for t = 0..T-1 in metric units: series, points or base+growth, then profile and peak."""
    if "series" in demand:
        curve = [float(v) for v in demand["series"]]
    elif "points" in demand:
        curve = _points_curve(demand["points"], horizon)
    else:
        curve = _growth_curve(demand["base"], demand.get("annual_growth", 0.0), horizon)
    profile = demand.get("monthly_profile")
    if profile is not None:
        m = horizon.periods_per_year
        curve = [d * monthly_profile_factor(profile, t, m) for t, d in enumerate(curve)]
    peak = float(demand.get("peak_factor", 1.0))
    return [d * peak for d in curve]


# --------------------------------------------------------------------------------------
# The instance, with every default of §2 applied
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Provider:
    """A cloud: facility power limit (MW year map) and a one-off onboarding cost (USD)."""

    id: str
    power_mw: YearMap
    onboarding_usd: float


@dataclass(frozen=True)
class Chip:
    """An accelerator: all-in facility power per chip (MW) and dense throughput per metric."""

    id: str
    family: str
    power_mw: float
    perf: dict

    def matches(self, names: list[str]) -> bool:
        """True when the chip's id or family is in a list of chip ids or families."""
        return self.id in names or self.family in names

    def metric_value(self, metric: str) -> float:
        """perf[metric], or power_kw/1000 (MW) for "mw"; 0 when the chip lacks the metric."""
        if metric == "mw":
            return self.power_mw
        return float(self.perf.get(metric, 0.0))


@dataclass(frozen=True)
class Offer:
    """One contract type: term L_o in periods, locked price per chip-hour (USD), signable periods."""

    id: str
    provider: str
    chip: str
    term_periods: int
    price_usd: float
    price_change: float
    signable: frozenset
    available_from: float
    available_until: float
    max_new_chips_per_year: YearMap | None
    block_chips: int | None
    min_chips: float

    def price_at(self, tau: int, horizon: Horizon) -> float:
        """pi(o, tau) = pi_o * (1 + g_o) ^ year(tau), USD per chip-hour."""
        return self.price_usd * (1.0 + self.price_change) ** horizon.year_index(tau)

    def active_periods(self, tau: int) -> range:
        """Periods tau .. tau + L_o - 1 a contract signed at tau runs (also past the horizon)."""
        return range(tau, tau + self.term_periods)


@dataclass(frozen=True)
class Workload:
    """A workload: demand D_w[t] (metric units) and e(w, c(o)) for each allowed offer o."""

    id: str
    metric: str
    demand: list
    effectiveness: dict  # offer id -> e(w, c(o)) = perf[c][metric] * efficiency_w(c); only on A


@dataclass(frozen=True)
class Case:
    """A scenario: its probability and demand multipliers (workload id or "*" -> year map)."""

    id: Scenario
    probability: float
    multipliers: dict

    def multiplier(self, workload_id: str, calendar_year: int) -> float:
        """mult_{s,w}(Y): the workload's own year map, else the "*" one, else 1."""
        year_map = self.multipliers.get(workload_id, self.multipliers.get("*"))
        return 1.0 if year_map is None else year_map_value(year_map, calendar_year)


@dataclass(frozen=True)
class SpendCommitment:
    """Take-or-pay: at least amount_usd paid to provider in calendar years first..last."""

    provider: str
    first_year: int
    last_year: int
    amount_usd: float
    chips: list | None = None  # §10.1: only payments for offers of these chip ids or families count

    def horizon_years(self, horizon: Horizon) -> list[int]:
        """Horizon year indices y with first <= Y0 + y <= last."""
        first, last = self.first_year - horizon.start_year, self.last_year - horizon.start_year
        return [y for y in range(horizon.years) if first <= y <= last]

    def payment_year(self, horizon: Horizon) -> int:
        """The last horizon year of the window, y_k, in which the shortfall is paid."""
        return min(self.last_year, horizon.start_year + horizon.years - 1) - horizon.start_year

    def payment_period(self, horizon: Horizon) -> int:
        """t_k = (min(Y2, Y0+N-1) - Y0 + 1) * m - 1."""
        return (self.payment_year(horizon) + 1) * horizon.periods_per_year - 1


@dataclass(frozen=True)
class CapacityCommitment:
    """At least min_mw of the listed chips (ids or families) at provider in years first..last.

    min_mw is a year map (§10.2): the minimum in period t is min_mw(Y0 + year(t)).
    """

    provider: str
    chips: list
    first_year: int
    last_year: int
    min_mw: YearMap


@dataclass(frozen=True)
class Model:
    """The instance as the checker needs it (defaults applied)."""

    horizon: Horizon
    providers: dict
    chips: dict
    offers: dict
    workloads: dict
    cases: list
    has_scenarios: bool
    first_stage_years: int
    budget: dict
    global_power_mw: YearMap | None
    spend_commitments: list
    capacity_commitments: list
    diversification: dict | None
    providers_used_limits: dict | None
    existing: list = field(default_factory=list)  # §10.3: ExistingContract rows

    @property
    def existing_providers(self) -> set:
        """Providers holding an existing contract: used, and already onboarded (§10.3)."""
        return {self.offers[e.offer].provider for e in self.existing}


@dataclass(frozen=True)
class ExistingContract:
    """§10.3: chips already signed, active in periods first .. end - 1, paying price_usd per chip-hour."""

    offer: str
    chips: float
    price_usd: float
    first: int
    end: int


def _existing(spec: dict, offers: dict, instance: dict, horizon: Horizon) -> ExistingContract:
    """mu = (Ys - Y0)*12 + (Ms - 1); mu >= 0: floor(mu*m/12) .. + L_o; mu < 0: 0 .. ceil((term + mu)*m/12)."""
    offer = offers[spec["offer"]]
    year, month = (int(part) for part in spec["start"].split("-"))
    mu = (year - horizon.start_year) * 12 + month - 1
    m = horizon.periods_per_year
    if mu >= 0:
        first = (mu * m) // 12
        end = first + offer.term_periods
    else:
        term_months = next(round(float(o["term_months"])) for o in instance["offers"] if o["id"] == offer.id)
        first, end = 0, -((-(term_months + mu) * m) // 12)
    price = float(spec.get("price_per_chip_hour", offer.price_usd))
    return ExistingContract(offer.id, float(spec["chips"]), price, first, end)


def _horizon(instance: dict) -> Horizon:
    """Horizon with defaults: 8 years, 1 period per year, discount rate 0."""
    spec = instance["horizon"]
    return Horizon(
        start_year=int(spec["start_year"]),
        years=int(spec.get("years", 8)),
        periods_per_year=int(spec.get("periods_per_year", 1)),
        discount_rate=float(instance.get("discount_rate", 0.0)),
        end_effects=str(spec.get("end_effects", "full")),
    )


def _offer(spec: dict, horizon: Horizon) -> Offer:
    """Offer with defaults; L_o = ceil(term_months * m / 12) computed in integers."""
    term_months = round(float(spec["term_months"]))
    term_periods = -(-term_months * horizon.periods_per_year // 12)
    available = spec.get("available", {})
    first = float(available.get("from", -math.inf))
    last = float(available.get("until", math.inf))
    signable = frozenset(
        tau for tau in range(horizon.periods) if first <= horizon.calendar_year(tau) <= last
    )
    block = spec.get("block_chips")
    return Offer(
        id=spec["id"],
        provider=spec["provider"],
        chip=spec["chip"],
        term_periods=term_periods,
        price_usd=float(spec["price_per_chip_hour"]),
        price_change=float(spec.get("price_change_per_year", 0.0)),
        signable=signable,
        available_from=first,
        available_until=last,
        max_new_chips_per_year=spec.get("max_new_chips_per_year"),
        block_chips=None if block is None else round(float(block)),
        min_chips=float(spec.get("min_chips", 0.0)),
    )


def _effectiveness(spec: dict, chips: dict, offers: dict) -> dict:
    """e(w, c(o)) for every allowed pair (w, o) in A (C9: providers, chips, perf > 0)."""
    metric = spec["metric"]
    providers = spec.get("providers")
    chip_names = spec.get("chips")
    efficiency = float(spec.get("efficiency", 1.0))
    chip_efficiency = spec.get("chip_efficiency", {})
    allowed = {}
    for offer in offers.values():
        chip = chips[offer.chip]
        perf = float(chip.perf.get(metric, 0.0))
        if providers is not None and offer.provider not in providers:
            continue
        if chip_names is not None and not chip.matches(chip_names):
            continue
        if perf <= 0.0:
            continue
        allowed[offer.id] = perf * float(chip_efficiency.get(chip.id, efficiency))
    return allowed


def _cases(instance: dict) -> list[Case]:
    """The scenarios, or one case (id None) of probability 1 without `scenarios`."""
    scenarios = instance.get("scenarios")
    if scenarios is None:
        return [Case(id=None, probability=1.0, multipliers={})]
    return [
        Case(id=c["id"], probability=float(c["probability"]), multipliers=c.get("demand_multiplier", {}))
        for c in scenarios["cases"]
    ]


def build_model(instance: dict) -> Model:
    """Read a (valid) instance dict into a Model, applying every default of spec §2."""
    horizon = _horizon(instance)
    providers = {
        p["id"]: Provider(p["id"], p["power_mw"], float(p.get("onboarding_cost_usd", 0.0)))
        for p in instance["providers"]
    }
    chips = {
        c["id"]: Chip(c["id"], c.get("family", c["id"]), float(c["power_kw"]) / 1000.0, dict(c["perf"]))
        for c in instance["chips"]
    }
    offers = {o["id"]: _offer(o, horizon) for o in instance["offers"]}
    workloads = {
        w["id"]: Workload(w["id"], w["metric"], demand_curve(w["demand"], horizon),
                          _effectiveness(w, chips, offers))
        for w in instance["workloads"]
    }
    scenarios = instance.get("scenarios")
    return Model(
        horizon=horizon,
        providers=providers,
        chips=chips,
        offers=offers,
        workloads=workloads,
        cases=_cases(instance),
        has_scenarios=scenarios is not None,
        first_stage_years=int(scenarios.get("first_stage_years", 1)) if scenarios is not None else 0,
        budget=instance.get("budget", {}),
        global_power_mw=instance.get("global_power_mw"),
        spend_commitments=[
            SpendCommitment(k["provider"], int(k["years"][0]), int(k["years"][1]), float(k["amount_usd"]),
                            k.get("chips"))
            for k in instance.get("spend_commitments", [])
        ],
        capacity_commitments=[
            CapacityCommitment(k["provider"], list(k["chips"]), int(k["years"][0]), int(k["years"][1]),
                               k["min_mw"])
            for k in instance.get("capacity_commitments", [])
        ],
        diversification=instance.get("diversification"),
        providers_used_limits=instance.get("providers_used"),
        existing=[_existing(e, offers, instance, horizon) for e in instance.get("existing_contracts", [])],
    )


# --------------------------------------------------------------------------------------
# The plan (solution.json, §7)
# --------------------------------------------------------------------------------------


@dataclass
class ScenarioPlan:
    """One scenario's decisions; keys with no row are 0.

    contracts: (offer, tau) -> chips signed; allocation: (workload, offer, t) -> chips;
    shortfalls: commitment index -> USD.
    """

    contracts: dict = field(default_factory=lambda: defaultdict(float))
    allocation: dict = field(default_factory=lambda: defaultdict(float))
    shortfalls: dict = field(default_factory=lambda: defaultdict(float))


@dataclass
class Plan:
    """All scenarios' decisions, and the providers the plan declares used (z[p] = 1)."""

    scenarios: dict
    providers_used: set


def _as_period(value: Any, periods: int) -> int | None:
    """A 0-based period index in 0..periods-1, or None when it is not one."""
    number = _as_number(value)
    if number is None or number != int(number) or not 0 <= int(number) < periods:
        return None
    return int(number)


def _as_number(value: Any) -> float | None:
    """A finite number, or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _row_scenario(model: Model, row: dict, label: str, violations: list[str]) -> tuple[bool, Scenario]:
    """The row's scenario if it is a known case id (or None without scenarios)."""
    scenario = row.get("scenario")
    known = [case.id for case in model.cases]
    if scenario not in known:
        violations.append(f"solution format {label}: scenario {scenario!r} is not one of {known}")
        return False, None
    return True, scenario


def _read_contract(model: Model, plan: Plan, index: int, row: dict, violations: list[str]) -> None:
    """Add one contract row to the plan, checking its provider, chip and year fields (§7)."""
    label = f"contracts[{index}]"
    offer = model.offers.get(row.get("offer"))
    tau = _as_period(row.get("period"), model.horizon.periods)
    chips = _as_number(row.get("chips"))
    known, scenario = _row_scenario(model, row, label, violations)
    if offer is None or tau is None or chips is None:
        violations.append(f"solution format {label}: bad offer, period or chips in {row}")
        return
    if row.get("provider") != offer.provider or row.get("chip") != offer.chip:
        violations.append(f"solution format {label}: provider/chip {row.get('provider')}/{row.get('chip')}"
                          f" do not match offer {offer.id} ({offer.provider}/{offer.chip})")
    if row.get("year") != model.horizon.calendar_year(tau):
        violations.append(f"solution format {label}: year {row.get('year')} is not the calendar year"
                          f" {model.horizon.calendar_year(tau)} of period {tau}")
    if known:
        plan.scenarios[scenario].contracts[(offer.id, tau)] += chips


def _read_allocation(model: Model, plan: Plan, index: int, row: dict, violations: list[str]) -> None:
    """Add one allocation row to the plan."""
    label = f"allocation[{index}]"
    workload = model.workloads.get(row.get("workload"))
    offer = model.offers.get(row.get("offer"))
    t = _as_period(row.get("period"), model.horizon.periods)
    chips = _as_number(row.get("chips"))
    known, scenario = _row_scenario(model, row, label, violations)
    if workload is None or offer is None or t is None or chips is None:
        violations.append(f"solution format {label}: bad workload, offer, period or chips in {row}")
        return
    if known:
        plan.scenarios[scenario].allocation[(workload.id, offer.id, t)] += chips


def _read_shortfall(model: Model, plan: Plan, index: int, row: dict, violations: list[str]) -> None:
    """Add one shortfall row to the plan."""
    label = f"shortfalls[{index}]"
    k = row.get("commitment")
    usd = _as_number(row.get("usd"))
    known, scenario = _row_scenario(model, row, label, violations)
    valid_k = isinstance(k, int) and not isinstance(k, bool) and 0 <= k < len(model.spend_commitments)
    if not valid_k or usd is None:
        violations.append(f"solution format {label}: bad commitment index or usd in {row}")
        return
    if known:
        plan.scenarios[scenario].shortfalls[k] += usd


def read_plan(model: Model, solution: dict, violations: list[str]) -> Plan:
    """Sum the solution's rows per key (missing rows are 0); append format violations."""
    plan = Plan(scenarios={case.id: ScenarioPlan() for case in model.cases}, providers_used=set())
    for index, row in enumerate(solution.get("contracts") or []):
        _read_contract(model, plan, index, row, violations)
    for index, row in enumerate(solution.get("allocation") or []):
        _read_allocation(model, plan, index, row, violations)
    for index, row in enumerate(solution.get("shortfalls") or []):
        _read_shortfall(model, plan, index, row, violations)
    for provider in solution.get("providers_used") or []:
        if provider in model.providers:
            plan.providers_used.add(provider)
        else:
            violations.append(f"solution format providers_used: unknown provider {provider!r}")
    return plan


# --------------------------------------------------------------------------------------
# Derived quantities: active chips and payments
# --------------------------------------------------------------------------------------


def active_chips(model: Model, plan: ScenarioPlan) -> dict:
    """a[o, t] for t in the horizon (chips): contracts signed at tau <= t <= tau + L_o - 1."""
    periods = model.horizon.periods
    active = {offer_id: [0.0] * periods for offer_id in model.offers}
    for (offer_id, tau), chips in plan.contracts.items():
        for t in model.offers[offer_id].active_periods(tau):
            if t < periods:
                active[offer_id][t] += chips
    for e in model.existing:  # §10.3: existing chips count in a[o, t] in every scenario
        for t in range(e.first, min(e.end, periods)):
            active[e.offer][t] += e.chips
    return active


def contract_payments(model: Model, plan: ScenarioPlan, chips: list | None = None) -> dict:
    """Nominal contract payments per provider and horizon year, USD: provider -> [pay_p(y)].

    A contract pays pi(o, tau) * H * x in each period it runs; periods past the horizon are
    not part of any pay(y). With `chips` (ids or families, §10.1) only offers of those chips count.
    """
    horizon = model.horizon
    pay = {provider: [0.0] * horizon.years for provider in model.providers}
    for (offer_id, tau), chips_signed in plan.contracts.items():
        offer = model.offers[offer_id]
        if chips is not None and not model.chips[offer.chip].matches(chips):
            continue
        per_period = offer.price_at(tau, horizon) * horizon.hours_per_period * chips_signed
        for t in offer.active_periods(tau):
            if t < horizon.periods:
                pay[offer.provider][horizon.year_index(t)] += per_period
    for e in model.existing:  # §10.3: existing contracts pay price * H * chips in each active period
        offer = model.offers[e.offer]
        if chips is not None and not model.chips[offer.chip].matches(chips):
            continue
        for t in range(e.first, min(e.end, horizon.periods)):
            pay[offer.provider][horizon.year_index(t)] += e.price_usd * horizon.hours_per_period * e.chips
    return pay


def yearly_payments(model: Model, plan: ScenarioPlan, used: set) -> list[float]:
    """pay(y) for horizon years y, USD: contracts + onboarding in year 0 + shortfalls in y_k."""
    pay = [0.0] * model.horizon.years
    for provider_pay in contract_payments(model, plan).values():
        pay = [total + part for total, part in zip(pay, provider_pay, strict=True)]
    pay[0] += sum(model.providers[p].onboarding_usd for p in used - model.existing_providers)
    for k, usd in plan.shortfalls.items():
        pay[model.spend_commitments[k].payment_year(model.horizon)] += usd
    return pay


def scenario_costs_usd(model: Model, plan: Plan) -> dict:
    """C_s per case id (§10.7): the scenario's discounted contract payments (only t <= T - 1 under
    pro_rata, §10.6) and shortfalls, plus onboarding of used providers."""
    horizon = model.horizon
    onboarding = sum(model.providers[p].onboarding_usd for p in plan.providers_used - model.existing_providers)
    onboarding += sum(e.price_usd * horizon.hours_per_period * e.chips  # §10.3: the same in every scenario
                      * sum(horizon.objective_discount(t) for t in range(e.first, e.end)) for e in model.existing)
    costs = {}
    for case in model.cases:
        scenario_plan = plan.scenarios[case.id]
        cost = onboarding
        for (offer_id, tau), chips in scenario_plan.contracts.items():
            offer = model.offers[offer_id]
            discount = sum(horizon.objective_discount(t) for t in offer.active_periods(tau))
            cost += offer.price_at(tau, horizon) * horizon.hours_per_period * discount * chips
        for k, usd in scenario_plan.shortfalls.items():
            cost += horizon.discount(model.spend_commitments[k].payment_period(horizon)) * usd
        costs[case.id] = cost
    return costs


def objective_usd(model: Model, plan: Plan) -> float:
    """§6: the expected C_s (expected discounted payments and shortfalls, plus onboarding)."""
    costs = scenario_costs_usd(model, plan)
    return sum(case.probability * costs[case.id] for case in model.cases)


def cvar_usd(model: Model, costs: dict, alpha: float) -> float:
    """CVaR_alpha of the cases' costs (§10.7), by sorting: the expected cost of the worst 1 - alpha of probability."""
    mass, total = 1.0 - alpha, 0.0
    for case in sorted(model.cases, key=lambda c: -costs[c.id]):
        take = min(case.probability, mass)
        total += take * costs[case.id]
        mass -= take
        if mass <= 0:
            break
    return total / (1.0 - alpha)


def check_risk(model: Model, plan: Plan, solution: dict, risk: dict, rtol: float) -> tuple[float, list[str]]:
    """§10.7: expected_cost_usd and cvar_usd recomputed from the plan; returns the blended objective too."""
    costs = scenario_costs_usd(model, plan)
    expected = sum(case.probability * costs[case.id] for case in model.cases)
    tail = cvar_usd(model, costs, float(risk["cvar_alpha"]))
    weight = float(risk["weight"])
    out = []
    for key, value in (("expected_cost_usd", expected), ("cvar_usd", tail)):
        stated = _as_number(solution.get(key))
        if stated is None or abs(stated - value) > max(rtol * abs(value), MONEY_ATOL_USD):
            out.append(f"risk: solution {key} {solution.get(key)!r}, recomputed {_num(value)} USD")
    return (1.0 - weight) * expected + weight * tail, out


# --------------------------------------------------------------------------------------
# Constraint families, one function each; every one returns its violations
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What every per-scenario check reads."""

    model: Model
    scenario: Scenario
    plan: ScenarioPlan
    active: dict  # offer -> [a[o, t] chips]
    chips_tol: Tolerance
    money_tol: Tolerance


def check_nonnegative(ctx: Context) -> list[str]:
    """§3: x >= 0, u >= 0, short >= 0."""
    where, tol, out = _where(ctx.scenario), ctx.chips_tol, []
    for (offer_id, tau), chips in ctx.plan.contracts.items():
        if chips < -tol.atol:
            out.append(f"nonnegativity contract offer {offer_id} period {tau}{where}:"
                       f" {_num(chips)} chips < 0")
    for (workload, offer_id, t), chips in ctx.plan.allocation.items():
        if chips < -tol.atol:
            out.append(f"nonnegativity allocation {workload} on {offer_id} period {t}{where}:"
                       f" {_num(chips)} chips < 0")
    for k, usd in ctx.plan.shortfalls.items():
        if usd < -ctx.money_tol.atol:
            provider = ctx.model.spend_commitments[k].provider
            out.append(f"C7 spend commitment {k} ({provider}){where}: shortfall {_num(usd)} USD < 0")
    return out


def check_signable(ctx: Context) -> list[str]:
    """`available`: contracts only in signable periods, from <= Y0 + year(tau) <= until."""
    out = []
    for (offer_id, tau), chips in sorted(ctx.plan.contracts.items()):
        offer = ctx.model.offers[offer_id]
        if tau not in offer.signable and abs(chips) > ctx.chips_tol.atol:
            out.append(f"available offer {offer_id} period {tau}{_where(ctx.scenario)}: {_num(chips)} chips"
                       f" signed in {ctx.model.horizon.calendar_year(tau)}, outside"
                       f" from {offer.available_from} until {offer.available_until}")
    return out


def check_demand(ctx: Context) -> list[str]:
    """C1: sum over allowed offers of e(w, c(o)) * u[w, o, t] >= D_w[t] * mult_s,w (metric units)."""
    model, case = ctx.model, _case(ctx.model, ctx.scenario)
    served = defaultdict(float)
    for (workload_id, offer_id, t), chips in ctx.plan.allocation.items():
        served[(workload_id, t)] += model.workloads[workload_id].effectiveness.get(offer_id, 0.0) * chips
    out = []
    for workload in model.workloads.values():
        for t in range(model.horizon.periods):
            need = workload.demand[t] * case.multiplier(workload.id, model.horizon.calendar_year(t))
            got = served[(workload.id, t)]
            if ctx.chips_tol.falls_short(got, need):
                out.append(f"C1 demand {workload.id} period {t}{_where(ctx.scenario)}: served {_num(got)}"
                           f" < demand {_num(need)} {workload.metric}")
    return out


def check_capacity(ctx: Context) -> list[str]:
    """C2: sum_w u[w, o, t] <= a[o, t] (chips)."""
    used = defaultdict(float)
    for (_, offer_id, t), chips in ctx.plan.allocation.items():
        used[(offer_id, t)] += chips
    out = []
    for (offer_id, t), chips in sorted(used.items()):
        active = ctx.active[offer_id][t]
        if ctx.chips_tol.exceeds(chips, active):
            out.append(f"C2 capacity offer {offer_id} period {t}{_where(ctx.scenario)}: allocated"
                       f" {_num(chips)} chips > active {_num(active)} chips")
    return out


def check_exclusivity(ctx: Context) -> list[str]:
    """C9: u[w, o, t] exists only on allowed pairs A (providers, chips, perf[metric] > 0)."""
    out = []
    for (workload_id, offer_id, t), chips in sorted(ctx.plan.allocation.items()):
        if offer_id not in ctx.model.workloads[workload_id].effectiveness and abs(chips) > ctx.chips_tol.atol:
            out.append(f"C9 exclusivity {workload_id} on offer {offer_id} period {t}{_where(ctx.scenario)}:"
                       f" {_num(chips)} chips on a pair that is not allowed")
    return out


def _power_by_provider(ctx: Context, t: int) -> dict:
    """MW held at each provider in period t: sum of power_kw/1000 * a[o, t]."""
    power = defaultdict(float)
    for offer_id, active in ctx.active.items():
        offer = ctx.model.offers[offer_id]
        power[offer.provider] += ctx.model.chips[offer.chip].power_mw * active[t]
    return power


def check_provider_power(ctx: Context) -> list[str]:
    """C3: MW held at provider p in period t <= power_mw_p(Y0 + year(t))."""
    model, out = ctx.model, []
    for t in range(model.horizon.periods):
        power = _power_by_provider(ctx, t)
        for provider in model.providers.values():
            limit = year_map_value(provider.power_mw, model.horizon.calendar_year(t))
            if ctx.chips_tol.exceeds(power[provider.id], limit):
                out.append(f"C3 provider power {provider.id} period {t}{_where(ctx.scenario)}:"
                           f" {_num(power[provider.id])} MW > {_num(limit)} MW")
    return out


def check_global_power(ctx: Context) -> list[str]:
    """C4: MW held over all providers in period t <= global_power_mw(Y0 + year(t))."""
    model, out = ctx.model, []
    if model.global_power_mw is None:
        return out
    for t in range(model.horizon.periods):
        total = sum(_power_by_provider(ctx, t).values())
        limit = year_map_value(model.global_power_mw, model.horizon.calendar_year(t))
        if ctx.chips_tol.exceeds(total, limit):
            out.append(f"C4 global power period {t}{_where(ctx.scenario)}:"
                       f" {_num(total)} MW > {_num(limit)} MW")
    return out


def check_supply(ctx: Context) -> list[str]:
    """C5: chips of offer o signed in horizon year y <= max_new_chips_per_year_o(Y0 + y)."""
    horizon, out = ctx.model.horizon, []
    signed = defaultdict(float)
    for (offer_id, tau), chips in ctx.plan.contracts.items():
        signed[(offer_id, horizon.year_index(tau))] += chips
    for (offer_id, y), chips in sorted(signed.items()):
        cap_map = ctx.model.offers[offer_id].max_new_chips_per_year
        if cap_map is None:
            continue
        cap = year_map_value(cap_map, horizon.start_year + y)
        if ctx.chips_tol.exceeds(chips, cap):
            out.append(f"C5 supply offer {offer_id} year {horizon.start_year + y}{_where(ctx.scenario)}:"
                       f" {_num(chips)} chips signed > {_num(cap)} chips")
    return out


def check_shared_supply(ctx: Context, supply: list) -> list[str]:
    """§10.4: for every supply entry k and horizon year y, the chips (max_new_chips) or MW (max_new_mw, a chip's
    power_kw / 1000 each) of the matching offers' contracts signed in y <= cap_k(Y0 + y)."""
    horizon, model, out = ctx.model.horizon, ctx.model, []
    for k, entry in enumerate(supply):
        field_name = "max_new_chips" if "max_new_chips" in entry else "max_new_mw"
        unit = "chips" if field_name == "max_new_chips" else "MW"
        drawn = defaultdict(float)
        for (offer_id, tau), chips in ctx.plan.contracts.items():
            offer = model.offers[offer_id]
            if entry.get("provider", offer.provider) != offer.provider or not model.chips[offer.chip].matches(
                    entry["chips"]):
                continue
            weight = 1.0 if unit == "chips" else model.chips[offer.chip].power_mw
            drawn[horizon.year_index(tau)] += weight * chips
        for y, amount in sorted(drawn.items()):
            cap = year_map_value(entry[field_name], horizon.start_year + y)
            if ctx.chips_tol.exceeds(amount, cap):
                out.append(f"§10.4 shared supply supply[{k}].{field_name} year {horizon.start_year + y}"
                           f"{_where(ctx.scenario)}: {_num(amount)} {unit} signed > {_num(cap)} {unit}")
    return out


def check_budget(ctx: Context, used: set) -> list[str]:
    """C6: pay(y) <= per_year_usd(Y0 + y) for every horizon year; sum_y pay(y) <= total_usd (USD)."""
    model, out = ctx.model, []
    pay = yearly_payments(model, ctx.plan, used)
    per_year = model.budget.get("per_year_usd")
    if per_year is not None:
        for y, paid in enumerate(pay):
            limit = year_map_value(per_year, model.horizon.start_year + y)
            if ctx.money_tol.exceeds(paid, limit):
                out.append(f"C6 budget year {model.horizon.start_year + y}{_where(ctx.scenario)}:"
                           f" paid {_num(paid)} USD > {_num(limit)} USD")
    total_limit = model.budget.get("total_usd")
    if total_limit is not None and ctx.money_tol.exceeds(sum(pay), float(total_limit)):
        out.append(f"C6 budget total{_where(ctx.scenario)}:"
                   f" paid {_num(sum(pay))} USD > {_num(total_limit)} USD")
    return out


def check_spend_commitments(ctx: Context, check_excess: bool) -> list[str]:
    """C7: contract payments to p in the window's horizon years + short[k] >= amount (USD).

    Only payments for offers of the commitment's chips count when it names some (§10.1).
    With `check_excess` (an optimal plan) a shortfall must also not exceed what is needed:
    it is pure cost, so an optimum never pays more than max(0, amount - spent).
    """
    model, out = ctx.model, []
    for k, commitment in enumerate(model.spend_commitments):
        pay = contract_payments(model, ctx.plan, commitment.chips)
        spent = sum(pay[commitment.provider][y] for y in commitment.horizon_years(model.horizon))
        short = ctx.plan.shortfalls.get(k, 0.0)
        where = f"C7 spend commitment {k} ({commitment.provider}){_where(ctx.scenario)}"
        if ctx.money_tol.falls_short(spent + short, commitment.amount_usd):
            out.append(f"{where}: spent {_num(spent)} USD + shortfall {_num(short)} USD"
                       f" < {_num(commitment.amount_usd)} USD")
        needed = max(0.0, commitment.amount_usd - spent)
        if check_excess and ctx.money_tol.exceeds(short, needed):
            out.append(f"{where}: shortfall {_num(short)} USD larger than needed {_num(needed)} USD")
    return out


def check_capacity_commitments(ctx: Context) -> list[str]:
    """C8: MW of the listed chips at p >= min_mw(Y0 + year(t)) in every period t of the window (in the horizon)."""
    model, out = ctx.model, []
    for k, commitment in enumerate(model.capacity_commitments):
        offers = [o for o in model.offers.values()
                  if o.provider == commitment.provider and model.chips[o.chip].matches(commitment.chips)]
        for t in range(model.horizon.periods):
            if not commitment.first_year <= model.horizon.calendar_year(t) <= commitment.last_year:
                continue
            held = sum(model.chips[o.chip].power_mw * ctx.active[o.id][t] for o in offers)
            least = year_map_value(commitment.min_mw, model.horizon.calendar_year(t))
            if ctx.chips_tol.falls_short(held, least):
                out.append(f"C8 capacity commitment {k} ({commitment.provider} {commitment.chips})"
                           f" period {t}{_where(ctx.scenario)}:"
                           f" {_num(held)} MW < {_num(least)} MW")
    return out


def check_diversification(ctx: Context) -> list[str]:
    """C10: sum_{o at p} r(c(o)) a[o, t] <= max_share * sum_o r(c(o)) a[o, t] for every p, t."""
    model, out = ctx.model, []
    if model.diversification is None:
        return out
    share = float(model.diversification["max_share"])
    metric = model.diversification["metric"]
    for t in range(model.horizon.periods):
        held = defaultdict(float)
        for offer_id, active in ctx.active.items():
            offer = model.offers[offer_id]
            held[offer.provider] += model.chips[offer.chip].metric_value(metric) * active[t]
        total = sum(held.values())
        for provider, amount in sorted(held.items()):
            if ctx.chips_tol.exceeds(amount, share * total):
                out.append(f"C10 diversification {provider} period {t}{_where(ctx.scenario)}: {_num(amount)}"
                           f" {metric} > {_num(share)} x {_num(total)} {metric}")
    return out


def check_integrality(ctx: Context) -> list[str]:
    """§3/C12: block_chips multiples (chips/b integral within 1e-6) and min_chips (0 or >= min)."""
    out, where = [], _where(ctx.scenario)
    for (offer_id, tau), chips in sorted(ctx.plan.contracts.items()):
        offer = ctx.model.offers[offer_id]
        if offer.block_chips is not None:
            blocks = chips / offer.block_chips
            if abs(blocks - round(blocks)) > max(BLOCK_ATOL, ctx.chips_tol.rtol * abs(blocks)):
                out.append(f"block_chips offer {offer_id} period {tau}{where}: {_num(chips)} chips is not"
                           f" a multiple of {offer.block_chips}")
        if offer.min_chips > 0 and ctx.chips_tol.atol <= chips < offer.min_chips * (1 - ctx.chips_tol.rtol):
            out.append(f"C12 min chips offer {offer_id} period {tau}{where}: {_num(chips)} chips is neither 0"
                       f" nor >= {_num(offer.min_chips)}")
    return out


def _case(model: Model, scenario: Scenario) -> Case:
    """The case of a scenario id."""
    return next(case for case in model.cases if case.id == scenario)


# --------------------------------------------------------------------------------------
# Checks across scenarios
# --------------------------------------------------------------------------------------


def holding_providers(model: Model, plan: Plan, atol: float) -> set:
    """Providers holding at least one contract (> atol chips) in some scenario, or an existing one (§10.3)."""
    return model.existing_providers | {
        model.offers[offer_id].provider
        for scenario_plan in plan.scenarios.values()
        for (offer_id, _), chips in scenario_plan.contracts.items()
        if chips > atol
    }


def check_providers_used(model: Model, plan: Plan, atol: float) -> list[str]:
    """C11: z[p] = 1 iff p holds a contract in some scenario; C13: min <= sum_p z[p] <= max."""
    out = []
    holding = holding_providers(model, plan, atol)
    for provider in sorted(holding - plan.providers_used):
        out.append(f"C11 provider used {provider}: holds contracts but is not in providers_used")
    for provider in sorted(plan.providers_used - holding):
        out.append(f"C11 provider used {provider}: in providers_used but holds no contract")
    limits = model.providers_used_limits
    if limits is not None:
        count = len(plan.providers_used)
        if "min" in limits and count < int(limits["min"]):
            out.append(f"C13 providers used: {count} < min {limits['min']}")
        if "max" in limits and count > int(limits["max"]):
            out.append(f"C13 providers used: {count} > max {limits['max']}")
    return out


def check_nonanticipativity(model: Model, plan: Plan, tol: Tolerance) -> list[str]:
    """§5: x[o, tau, s] is the same in every scenario when year(tau) < first_stage_years."""
    out = []
    if not model.has_scenarios:
        return out
    for offer in model.offers.values():
        for tau in sorted(offer.signable):
            if model.horizon.year_index(tau) >= model.first_stage_years:
                continue
            values = {case.id: plan.scenarios[case.id].contracts.get((offer.id, tau), 0.0)
                      for case in model.cases}
            low, high = min(values.values()), max(values.values())
            if tol.exceeds(high, low):
                out.append(f"non-anticipativity offer {offer.id} period {tau}: first-stage chips differ"
                           f" between scenarios {values}")
    return out


def check_max_providers(instance: dict, model: Model, plan: Plan, solution: dict, atol: float) -> list[str]:
    """§10.5: a workload with max_providers k is served (u > atol) by at most k providers over all periods
    and scenarios; a `placement` table, when the plan has one, must name every provider that serves it."""
    serving = defaultdict(set)  # workload -> providers with some allocation, any period and scenario
    for scenario_plan in plan.scenarios.values():
        for (workload_id, offer_id, _), chips in scenario_plan.allocation.items():
            if chips > atol:
                serving[workload_id].add(model.offers[offer_id].provider)
    placed = defaultdict(set)
    for row in solution.get("placement") or []:
        placed[row.get("workload")].add(row.get("provider"))
    out = []
    for i, workload in enumerate(instance["workloads"]):
        k, used = workload.get("max_providers"), serving[workload["id"]]
        if k is not None and len(used) > int(k):
            out.append(f"§10.5 max providers {workload['id']} (workloads[{i}].max_providers): served by"
                       f" {len(used)} providers {sorted(used)} > {int(k)}")
        if workload["id"] in placed and used - placed[workload["id"]]:
            out.append(f"§10.5 placement {workload['id']}: served by {sorted(used - placed[workload['id']])}"
                       f" but placed at {sorted(placed[workload['id']])}")
    return out


def check_objective(solution: dict, recomputed: float, rtol: float) -> list[str]:
    """The plan's objective_usd equals the recomputed objective within rtol (floor 1e-3 USD)."""
    stated = _as_number(solution.get("objective_usd"))
    if stated is None:
        return [f"objective: solution objective_usd {solution.get('objective_usd')!r} is not a number"]
    if abs(stated - recomputed) > max(rtol * abs(recomputed), MONEY_ATOL_USD):
        return [f"objective: solution says {_num(stated)} USD, recomputed {_num(recomputed)} USD"
                f" (difference {_num(stated - recomputed)} USD)"]
    return []


def _check_scenario(ctx: Context, used: set, check_excess: bool) -> list[str]:
    """Every per-scenario family, in spec order."""
    return [
        *check_nonnegative(ctx),
        *check_signable(ctx),
        *check_demand(ctx),
        *check_capacity(ctx),
        *check_provider_power(ctx),
        *check_global_power(ctx),
        *check_supply(ctx),
        *check_budget(ctx, used),
        *check_spend_commitments(ctx, check_excess),
        *check_capacity_commitments(ctx),
        *check_exclusivity(ctx),
        *check_diversification(ctx),
        *check_integrality(ctx),
    ]


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def check_solution(
    instance: dict, solution: dict, *, rtol: float = 1e-6, atol_chips: float = 1e-4
) -> CheckReport:
    """Re-check a plan against its instance; every violation found, and the recomputed objective (USD).

    Only a plan whose status is "optimal" or "feasible" is checked. The solution's
    objective_usd must match the recomputed one within rtol (absolute floor 1e-3 USD).
    """
    status = solution.get("status")
    if status not in PLAN_STATUSES:
        return CheckReport([f"status: {status!r} has no plan to check"], math.nan)
    model = build_model(instance)
    violations: list[str] = []
    plan = read_plan(model, solution, violations)
    chips_tol = Tolerance(rtol, atol_chips)
    money_tol = Tolerance(rtol, MONEY_ATOL_USD)
    for case in model.cases:
        scenario_plan = plan.scenarios[case.id]
        ctx = Context(model, case.id, scenario_plan, active_chips(model, scenario_plan), chips_tol, money_tol)
        violations += _check_scenario(ctx, plan.providers_used, check_excess=status == "optimal")
        violations += check_shared_supply(ctx, instance.get("supply", []))
    violations += check_nonanticipativity(model, plan, chips_tol)
    violations += check_providers_used(model, plan, atol_chips)
    violations += check_max_providers(instance, model, plan, solution, atol_chips)
    objective = objective_usd(model, plan)
    if instance.get("risk") is not None:  # §10.7: the objective is the blend of expected cost and CVaR
        objective, found = check_risk(model, plan, solution, instance["risk"], rtol)
        violations += found
    violations += check_objective(solution, objective, rtol)
    return CheckReport(violations, objective)


def assert_feasible(instance: dict, solution: dict, *, rtol: float = 1e-6) -> CheckReport:
    """check_solution, raising AssertionError listing the violations (objective mismatch included)."""
    report = check_solution(instance, solution, rtol=rtol)
    if not report.ok():
        shown = "\n  ".join(report.violations[:50])
        more = f"\n  ... and {len(report.violations) - 50} more" if len(report.violations) > 50 else ""
        name = solution.get("instance")
        raise AssertionError(f"{len(report.violations)} violation(s) in {name!r}:\n  {shown}{more}")
    return report
