"""The instance schema of spec §2 as frozen pydantic models (field by field, with defaults).

Only shape and single-field checks live here; checks that relate fields to each other
(references, year-map starts, series length) are in :mod:`optimizer.instance`.
Units: money in USD, power in MW (providers) or kW (chips), throughput in the chip's
``perf`` units (e.g. PFLOPS per chip), time in calendar years or months.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

from optimizer.input.values import (
    AtLeastOne,
    BelowOne,
    Count,
    Fraction,
    Id,
    Int,
    NonNegative,
    Positive,
    PositiveInt,
    Rate,
    UnitInterval,
    YearMapField,
)


def _one_of(*names: str, exactly: bool) -> dict[str, Any]:
    """JSON Schema for "give (exactly) one of these fields, not null" (checked in code elsewhere)."""
    branches = [{"required": [n], "properties": {n: {"not": {"type": "null"}}}} for n in names]
    return {"oneOf" if exactly else "anyOf": branches}


class Spec(BaseModel):
    """Base of every schema model: strict types, unknown fields refused, frozen."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=False)


class Horizon(Spec):
    """The calendar years the plan covers and how finely they are split."""

    start_year: Int = Field(description="First calendar year of the plan, e.g. 2026.")
    years: PositiveInt = Field(8, description="Length of the plan in years.")
    periods_per_year: Literal[1, 2, 4, 12] = Field(
        1, description="Periods per year: 1 (years), 2 (half years), 4 (quarters) or 12 (months).")
    end_effects: Literal["full", "pro_rata"] = Field(
        "full", description="What the objective counts of contracts that run past the horizon (spec §10.6): "
                            "'full' (default) every payment of the term; 'pro_rata' only payments in the "
                            "horizon's periods. Budgets, commitments and shortfalls are unchanged.")


class Provider(Spec):
    """A cloud or data-centre operator that offers chips."""

    id: Id = Field(description="Unique provider id, referenced by offers, workloads and commitments.")
    name: str | None = Field(None, description="Display name.")
    power_mw: YearMapField = Field(description="Power available for this provider's chips, in MW "
                                               "(a number or a year map).")
    onboarding_cost_usd: NonNegative = Field(0.0, description="One-off fee in USD, paid in the first year if the "
                                                              "plan uses this provider at all.")


class Chip(Spec):
    """An accelerator type: its power draw and its throughput per metric."""

    id: Id = Field(description="Unique chip id, referenced by offers.")
    family: Id | None = Field(None, description="Chip family (e.g. 'blackwell'), which workloads and capacity "
                                                "commitments may name instead of the chip id; default: the id.")
    power_kw: Positive = Field(description="All-in facility power per chip in kW (host, network and cooling "
                                           "included).")
    perf: dict[str, NonNegative] = Field(description="Dense throughput of one chip per metric, e.g. "
                                                     "{\"bf16_pflops\": 2.5} (PFLOPS per chip).")

    @property
    def family_name(self) -> str:
        """``family``, defaulting to the chip id."""
        return self.family if self.family is not None else self.id


class Availability(Spec):
    """The calendar years in which an offer can be signed (both ends inclusive)."""

    from_: Int | None = Field(None, alias="from", description="First calendar year a contract can be signed "
                                                              "(default: the horizon's start).")
    until: Int | None = Field(None, description="Last calendar year a contract can be signed (default: the "
                                                "horizon's end).")


class Offer(Spec):
    """One chip at one provider for one contract term, at a price per chip-hour."""

    id: Id = Field(description="Unique offer id.")
    provider: Id = Field(description="A provider id.")
    chip: Id = Field(description="A chip id (not a family).")
    term_months: PositiveInt = Field(description="Contract term in months.")
    price_per_chip_hour: Positive = Field(description="Price in USD per chip-hour for contracts signed in the "
                                                      "start year; the price is locked for the whole term.")
    price_change_per_year: Rate = Field(0.0, description="Yearly change of the price of new contracts, as a "
                                                         "fraction (-0.1 = 10 % cheaper each year); > -1.")
    available: Availability = Field(Availability(), description="Calendar years in which contracts can be "
                                                                "signed (default: the whole horizon).")
    max_new_chips_per_year: YearMapField | None = Field(
        None, description="Supply cap: chips that can be newly signed per calendar year (a number or a year map).")
    block_chips: PositiveInt | None = Field(None, description="Contracts come in whole blocks (racks) of this "
                                                              "many chips.")
    min_chips: NonNegative = Field(0.0, description="Minimum contract size in chips: a contract is 0 chips or at "
                                                    "least this many.")


class Demand(Spec):
    """Demand over time: one of series, points or base (with annual_growth); monthly_profile and peak_factor
    apply to all three."""

    model_config = ConfigDict(json_schema_extra=_one_of("series", "points", "base", exactly=True))

    series: list[NonNegative] | None = Field(
        None, description="One value per period (horizon.years x periods_per_year values), in units of the "
                          "workload's metric.")
    points: dict[str, Positive] | None = Field(
        None, description="Calendar year -> demand (years may be fractional, e.g. \"2026.5\"), interpolated "
                          "geometrically between points and flat outside them.")
    base: NonNegative | None = Field(None, description="Demand in the first period, in units of the metric; "
                                                       "grows by annual_growth.")
    annual_growth: Rate | None = Field(None, description="Yearly growth of base, as a fraction (0.3 = +30 % a "
                                                         "year); > -1. Only with base.")
    monthly_profile: Annotated[list[NonNegative], Field(min_length=12, max_length=12)] | None = Field(
        None, description="12 multipliers, January first; a period takes the mean of the months it covers.")
    peak_factor: AtLeastOne = (
        Field(1.0, description="Multiplies the whole demand curve (>= 1)."))


class Workload(Spec):
    """Throughput needed over time in one perf metric, and where it may run."""

    id: Id = Field(description="Unique workload id.")
    metric: Id = Field(description="The chip perf metric demand is measured in, e.g. 'bf16_pflops'.")
    efficiency: Fraction = Field(1.0, description="Fraction of a chip's perf the workload achieves (0 < e <= 1).")
    chip_efficiency: dict[str, Fraction] = Field(default_factory=dict,
                                                 description="Chip id -> efficiency, overriding efficiency.")
    demand: Demand = Field(description="Throughput needed in every period, in units of the metric.")
    providers: list[Id] | None = Field(None, description="Provider ids the workload may run at (default: all).")
    chips: list[Id] | None = Field(None, description="Chip ids or families the workload may run on "
                                                     "(default: all with its metric).")
    max_providers: PositiveInt | None = Field(None, description="Most providers that may serve the workload, over "
                                                                "the whole horizon and every scenario (spec §10.5).")


class Budget(Spec):
    """Caps on payments: per calendar year, over the whole horizon, or both."""

    model_config = ConfigDict(json_schema_extra=_one_of("per_year_usd", "total_usd", exactly=False))

    per_year_usd: YearMapField | None = Field(None, description="Cap on the payments in each calendar year, in "
                                                                "USD (a number or a year map).")
    total_usd: NonNegative | None = Field(None, description="Cap on all payments within the horizon, in USD.")

    @model_validator(mode="after")
    def _either(self) -> Budget:
        if self.per_year_usd is None and self.total_usd is None:
            raise ValueError("give per_year_usd, total_usd or both")
        return self


YearWindow = Annotated[list[Int], Field(min_length=2, max_length=2,
                                        description="[first, last] calendar year of the window, both inclusive.")]


class SpendCommitment(Spec):
    """Take-or-pay: pay a provider at least an amount within a window of years."""

    provider: Id = Field(description="A provider id.")
    years: YearWindow
    amount_usd: NonNegative = Field(description="Minimum payments to the provider within the window, in USD; "
                                                "a shortfall is paid anyway.")
    chips: Annotated[list[Id], Field(min_length=1)] | None = Field(
        None, description="Chip ids or families whose contracts' payments (USD) count toward the amount "
                          "(spec §10.1); default: every chip of the provider.")


class CapacityCommitment(Spec):
    """Hold at least some MW of given chips at a provider in every period of a window."""

    provider: Id = Field(description="A provider id.")
    chips: Annotated[list[Id], Field(min_length=1)] = Field(description="Chip ids or families that count.")
    years: YearWindow
    min_mw: YearMapField = Field(description="Minimum MW of those chips active at the provider in every period "
                                             "of the window: a number, or a year map of MW for a ramp "
                                             "(spec §10.2), e.g. {\"2026\": 500, \"2028\": 2000}.")


class SupplyLimit(Spec):
    """Shared supply (spec §10.4): new chips (or MW of them) signed per calendar year over all offers of some
    chips, at one provider or at every provider."""

    model_config = ConfigDict(json_schema_extra=_one_of("max_new_chips", "max_new_mw", exactly=True))

    provider: Id | None = Field(None, description="A provider id (default: every provider).")
    chips: Annotated[list[Id], Field(min_length=1)] = Field(description="Chip ids or families whose new "
                                                                        "contracts draw on this supply.")
    max_new_chips: YearMapField | None = Field(
        None, description="Cap on chips newly signed per calendar year, in chips (a number or a year map).")
    max_new_mw: YearMapField | None = Field(
        None, description="Cap on the power of chips newly signed per calendar year, in MW (power_kw / 1000 "
                          "per chip; a number or a year map).")

    @property
    def scope(self) -> str:
        """In words, for the limits and the diagnosis: ``aws gb200/gb300`` or ``all providers gb200``."""
        return f"{self.provider or 'all providers'} {'/'.join(self.chips)}"


class ExistingContract(Spec):
    """A contract already signed (spec §10.3): capacity and payments outside the model's choice."""

    offer: Id = Field(description="An offer id: the provider, chip and term of the contract.")
    chips: Positive = Field(description="Chips held under the contract (> 0).")
    start: str = Field(description="Month the contract started, 'YYYY-MM' (may be before the horizon start; "
                                   "it then runs for what is left of its term).")
    price_per_chip_hour: Positive | None = Field(
        None, description="Price in USD per chip-hour (default: the offer's price_per_chip_hour; never changed by "
                          "price_change_per_year).")


class Diversification(Spec):
    """No provider may hold more than a share of the total, in every period."""

    max_share: Fraction = Field(description="Largest share of the total one provider may hold (0 < s <= 1).")
    metric: Id = Field(description="A perf metric to measure shares by, or 'mw' for power.")


class ProvidersUsed(Spec):
    """Bounds on the number of providers the plan uses."""

    min: Count | None = Field(None, description="Least number of providers the plan must use.")
    max: Count | None = Field(None, description="Most providers the plan may use.")


class Case(Spec):
    """One demand scenario."""

    id: Id = Field(description="Unique case id.")
    probability: Positive = Field(description="Probability of the case; the cases' probabilities sum to 1.")
    demand_multiplier: dict[str, YearMapField] = Field(
        default_factory=dict, description="Workload id (or \"*\" for every workload without its own entry) -> "
                                          "demand multiplier (a number or a year map); default 1.")


class Scenarios(Spec):
    """Uncertain demand: contracts of the first years are signed before the case is known."""

    first_stage_years: Count = Field(1, description="Contracts signed in this many first years are the same in "
                                                    "every case.")
    cases: Annotated[list[Case], Field(min_length=1)] = Field(description="The demand cases.")


class Risk(Spec):
    """Risk aversion (spec §10.7): blend the expected cost with the CVaR of the scenarios' costs."""

    cvar_alpha: BelowOne = Field(description="CVaR level α in [0, 1): CVaR is the expected cost of the worst "
                                             "1 − α of probability.")
    weight: UnitInterval = Field(description="Weight λ in [0, 1] of the CVaR: the objective is "
                                             "(1 − λ)·expected cost + λ·CVaR.")


class Instance(Spec):
    """A whole procurement situation (spec §2), validated and frozen."""

    name: str = Field(description="Name of the instance.")
    description: str | None = Field(None, description="Free text.")
    horizon: Horizon = Field(description="The calendar years the plan covers.")
    discount_rate: NonNegative = Field(0.0, description="Yearly discount rate, as a fraction (0.08 = 8 %).")
    providers: Annotated[list[Provider], Field(min_length=1)] = Field(description="Providers.")
    chips: Annotated[list[Chip], Field(min_length=1)] = Field(description="Chip types.")
    offers: Annotated[list[Offer], Field(min_length=1)] = Field(description="What can be rented: one chip at one "
                                                                            "provider for one term.")
    workloads: Annotated[list[Workload], Field(min_length=1)] = Field(description="What must be served.")
    budget: Budget | None = Field(None, description="Caps on payments, in USD.")
    global_power_mw: YearMapField | None = Field(None, description="Power available over all providers, in MW "
                                                                   "(a number or a year map).")
    spend_commitments: list[SpendCommitment] = Field(default_factory=list, description="Take-or-pay spend "
                                                                                       "commitments.")
    capacity_commitments: list[CapacityCommitment] = Field(default_factory=list,
                                                           description="Minimum capacity commitments.")
    supply: list[SupplyLimit] = Field(default_factory=list, description="Shared supply caps on new chips or MW "
                                                                        "per calendar year (spec §10.4).")
    existing_contracts: list[ExistingContract] = Field(
        default_factory=list, description="Contracts already signed: their chips and payments are fixed "
                                          "(spec §10.3).")
    diversification: Diversification | None = Field(None, description="Cap on any one provider's share.")
    providers_used: ProvidersUsed | None = Field(None, description="Bounds on the number of providers used.")
    scenarios: Scenarios | None = Field(None, description="Demand scenarios (a two-stage stochastic plan).")
    risk: Risk | None = Field(None, description="Risk aversion: weight of the CVaR of the scenarios' costs "
                                                "(spec §10.7).")


# --- JSON Schema (``procure schema``) ----------------------------------------------------------

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

SCHEMA_KEY = "$schema"
"""An optional top-level key naming the instance's JSON Schema, for editors; validation ignores it."""


def instance_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an instance file, generated from :class:`Instance`.

    It checks the shape of an instance: fields, types, single-field bounds, unknown fields refused.
    The cross-field rules of :mod:`optimizer.instance` (references, year-map starts, series length,
    probabilities summing to 1) and the number-size limits are checked by ``procure validate`` only.
    """
    body = Instance.model_json_schema(by_alias=True, mode="validation")
    body.pop("title", None)
    body.pop("description", None)
    properties = {SCHEMA_KEY: {"type": "string", "description": "The JSON Schema of this file (a path or URL), "
                                                                "for editors; ignored by procure."},
                  **body.pop("properties")}
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": "procure instance",
        "description": "A compute-procurement situation for `procure solve`: providers, chips, offers "
                       "and workloads over a horizon of calendar years. Money in USD, power in MW (providers) "
                       "or kW (chips), throughput in each chip's perf units, terms in months. Generated by "
                       "`procure schema` from the models that validate instances; `procure validate` also "
                       "checks the cross-references and rules this schema cannot express.",
        "type": body.pop("type"),
        "properties": properties,
        **body,
    }
