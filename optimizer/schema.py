"""The instance schema of spec §2 as frozen pydantic models (field by field, with defaults).

Only shape and single-field checks live here; checks that relate fields to each other
(references, year-map starts, series length) are in :mod:`optimizer.instance`.
Units: money in USD, power in MW (providers) or kW (chips), throughput in the chip's
``perf`` units (e.g. PFLOPS per chip), time in calendar years or months.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, model_validator


def _integral(value: Any) -> Any:
    """Accept ``12.0`` where an integer is asked for; refuse ``true`` and ``12.5``."""
    if isinstance(value, bool):
        raise ValueError(f"expected an integer, got {str(value).lower()}")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"expected an integer, got {value!r}")
        return int(value)
    return value


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {_json_type(value)}")
    try:
        return float(value)
    except OverflowError:
        raise ValueError("number too large to represent") from None


def _json_type(value: Any) -> str:
    """The JSON name of a parsed value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _min(bound: float, *, strict: bool) -> AfterValidator:
    def check(value: float) -> float:
        if value < bound or (strict and value == bound):
            raise ValueError(f"must be {'>' if strict else '>='} {bound:g}, got {value:g}")
        return value

    return AfterValidator(check)


def _max(bound: float) -> AfterValidator:
    def check(value: float) -> float:
        if value > bound:
            raise ValueError(f"must be <= {bound:g}, got {value:g}")
        return value

    return AfterValidator(check)


Int = Annotated[int, BeforeValidator(_integral)]
Number = Annotated[float, PlainValidator(_number)]
NonNegative = Annotated[float, PlainValidator(_number), _min(0, strict=False)]
Positive = Annotated[float, PlainValidator(_number), _min(0, strict=True)]
Fraction = Annotated[float, PlainValidator(_number), _min(0, strict=True), _max(1)]
Id = Annotated[str, Field(min_length=1)]


@dataclass(frozen=True)
class YearMap:
    """A step function of calendar years (spec §1): the value at the latest key ≤ the year.

    ``years`` are sorted ascending; ``values[i]`` holds from ``years[i]`` on.
    A plain number is stored as one step at year ``-inf`` (``years == ()``).
    """

    years: tuple[int, ...]
    values: tuple[float, ...]

    @property
    def first_year(self) -> int | None:
        return self.years[0] if self.years else None

    def at(self, year: int) -> float:
        """Value in calendar ``year`` (the caller has checked that year ≥ the first key)."""
        if not self.years:
            return self.values[0]
        i = bisect.bisect_right(self.years, year) - 1
        return self.values[max(i, 0)]


def _year_key(key: str) -> int:
    try:
        year = int(key)
    except ValueError:
        raise ValueError(f"key {key!r} is not a calendar year") from None
    if str(year) != key:
        raise ValueError(f"key {key!r} is not a calendar year (write it as {str(year)!r})")
    return year


def _parse_year_map(value: Any) -> YearMap:
    """A number, or an object ``{"2026": v, "2029": w}``; every value finite and ≥ 0."""
    if isinstance(value, dict):
        if not value:
            raise ValueError("a year map needs at least one year")
        steps = sorted((_year_key(k), _number(v)) for k, v in value.items())
        for year, v in steps:
            if v < 0:
                raise ValueError(f"must be >= 0, got {v:g} for {year}")
        return YearMap(tuple(y for y, _ in steps), tuple(v for _, v in steps))
    v = _number(value)
    if v < 0:
        raise ValueError(f"must be >= 0, got {v:g}")
    return YearMap((), (v,))


def _year_map_error(value: Any) -> YearMap:
    if isinstance(value, bool) or not isinstance(value, int | float | dict):
        raise ValueError(f"expected a number or an object of years, got {_json_type(value)}")
    return _parse_year_map(value)


YearMapField = Annotated[YearMap, PlainValidator(_year_map_error)]


class Spec(BaseModel):
    """Base of every schema model: strict types, unknown fields refused, frozen."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=False)


class Horizon(Spec):
    start_year: Int
    years: Annotated[Int, Field(ge=1)] = 8
    periods_per_year: Literal[1, 2, 4, 12] = 1


class Provider(Spec):
    id: Id
    name: str | None = None
    power_mw: YearMapField
    onboarding_cost_usd: NonNegative = 0.0


class Chip(Spec):
    id: Id
    family: Id | None = None
    power_kw: Positive
    perf: dict[str, NonNegative]

    @property
    def family_name(self) -> str:
        """``family``, defaulting to the chip id."""
        return self.family if self.family is not None else self.id


class Availability(Spec):
    from_: Annotated[Int | None, Field(alias="from")] = None
    until: Int | None = None


class Offer(Spec):
    id: Id
    provider: Id
    chip: Id
    term_months: Annotated[Int, Field(ge=1)]
    price_per_chip_hour: Positive
    price_change_per_year: Annotated[float, PlainValidator(_number), _min(-1, strict=True)] = 0.0
    available: Availability = Availability()
    max_new_chips_per_year: YearMapField | None = None
    block_chips: Annotated[Int, Field(ge=1)] | None = None
    min_chips: NonNegative = 0.0


class Demand(Spec):
    """One of ``series``, ``points`` or ``base`` (+ ``annual_growth``); profile and peak apply to all."""

    series: list[NonNegative] | None = None
    points: dict[str, Positive] | None = None
    base: NonNegative | None = None
    annual_growth: Annotated[float, PlainValidator(_number), _min(-1, strict=True)] | None = None
    monthly_profile: Annotated[list[NonNegative], Field(min_length=12, max_length=12)] | None = None
    peak_factor: Annotated[float, PlainValidator(_number), _min(1, strict=False)] = 1.0


class Workload(Spec):
    id: Id
    metric: Id
    efficiency: Fraction = 1.0
    chip_efficiency: dict[str, Fraction] = Field(default_factory=dict)
    demand: Demand
    providers: list[Id] | None = None
    chips: list[Id] | None = None


class Budget(Spec):
    per_year_usd: YearMapField | None = None
    total_usd: NonNegative | None = None

    @model_validator(mode="after")
    def _either(self) -> Budget:
        if self.per_year_usd is None and self.total_usd is None:
            raise ValueError("give per_year_usd, total_usd or both")
        return self


class SpendCommitment(Spec):
    provider: Id
    years: Annotated[list[Int], Field(min_length=2, max_length=2)]
    amount_usd: NonNegative


class CapacityCommitment(Spec):
    provider: Id
    chips: Annotated[list[Id], Field(min_length=1)]
    years: Annotated[list[Int], Field(min_length=2, max_length=2)]
    min_mw: NonNegative


class Diversification(Spec):
    max_share: Fraction
    metric: Id


class ProvidersUsed(Spec):
    min: Annotated[Int, Field(ge=0)] | None = None
    max: Annotated[Int, Field(ge=0)] | None = None


class Case(Spec):
    id: Id
    probability: Positive
    demand_multiplier: dict[str, YearMapField] = Field(default_factory=dict)


class Scenarios(Spec):
    first_stage_years: Annotated[Int, Field(ge=0)] = 1
    cases: Annotated[list[Case], Field(min_length=1)]


class Instance(Spec):
    """A whole procurement situation (spec §2), validated and frozen."""

    name: str
    description: str | None = None
    horizon: Horizon
    discount_rate: NonNegative = 0.0
    providers: Annotated[list[Provider], Field(min_length=1)]
    chips: Annotated[list[Chip], Field(min_length=1)]
    offers: Annotated[list[Offer], Field(min_length=1)]
    workloads: Annotated[list[Workload], Field(min_length=1)]
    budget: Budget | None = None
    global_power_mw: YearMapField | None = None
    spend_commitments: list[SpendCommitment] = Field(default_factory=list)
    capacity_commitments: list[CapacityCommitment] = Field(default_factory=list)
    diversification: Diversification | None = None
    providers_used: ProvidersUsed | None = None
    scenarios: Scenarios | None = None
