"""The value types of an instance: whole and real numbers with their bounds, ids and year maps.

Each type validates one JSON value and states its own JSON Schema, so that ``procure schema``
says what validation checks. The models that use them are in :mod:`optimizer.input.schema`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, PlainValidator, WithJsonSchema


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
        raise ValueError(f"expected a number, got {json_type(value)}")
    try:
        return float(value)
    except OverflowError:
        raise ValueError("number too large to represent") from None


def json_type(value: Any) -> str:
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


def _below(bound: float) -> AfterValidator:
    def check(value: float) -> float:
        if value >= bound:
            raise ValueError(f"must be < {bound:g}, got {value:g}")
        return value

    return AfterValidator(check)


def _number_schema(**bounds: float) -> WithJsonSchema:
    return WithJsonSchema({"type": "number", **bounds})


def _integer_schema(minimum: int) -> WithJsonSchema:
    return WithJsonSchema({"type": "integer", "minimum": minimum})


# Each type states its JSON Schema (``procure schema``) next to the validator that enforces it.
Int = Annotated[int, BeforeValidator(_integral)]
Count = Annotated[int, BeforeValidator(_integral), Field(ge=0), _integer_schema(0)]
PositiveInt = Annotated[int, BeforeValidator(_integral), Field(ge=1), _integer_schema(1)]
Number = Annotated[float, PlainValidator(_number), _number_schema()]
NonNegative = Annotated[float, PlainValidator(_number), _min(0, strict=False), _number_schema(minimum=0)]
Positive = Annotated[float, PlainValidator(_number), _min(0, strict=True), _number_schema(exclusiveMinimum=0)]
Fraction = Annotated[float, PlainValidator(_number), _min(0, strict=True), _max(1),
                     _number_schema(exclusiveMinimum=0, maximum=1)]
Rate = Annotated[float, PlainValidator(_number), _min(-1, strict=True), _number_schema(exclusiveMinimum=-1)]
"""A yearly rate of change as a fraction (0.3 = +30 %), above -1."""
UnitInterval = Annotated[float, PlainValidator(_number), _min(0, strict=False), _max(1),
                         _number_schema(minimum=0, maximum=1)]
"""A number in [0, 1] (e.g. a weight)."""
BelowOne = Annotated[float, PlainValidator(_number), _min(0, strict=False), _below(1),
                     _number_schema(minimum=0, exclusiveMaximum=1)]
"""A number in [0, 1) (e.g. a CVaR level)."""
AtLeastOne = Annotated[float, PlainValidator(_number), _min(1, strict=False), _number_schema(minimum=1)]
"""A multiplier of at least 1 (e.g. a peak factor)."""
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
        raise ValueError(f"expected a number or an object of years, got {json_type(value)}")
    return _parse_year_map(value)


YEAR_KEY_PATTERN = r"^(0|-?[1-9][0-9]*)$"
"""A calendar year written plainly, as :func:`_year_key` accepts it."""

YearMapField = Annotated[YearMap, PlainValidator(_year_map_error), WithJsonSchema({
    "anyOf": [
        {"type": "number", "minimum": 0},
        {"type": "object", "minProperties": 1, "propertyNames": {"pattern": YEAR_KEY_PATTERN},
         "additionalProperties": {"type": "number", "minimum": 0}},
    ],
})]
"""A year map (spec §1): one number, or ``{"2026": v, "2029": w}``, a step function of calendar years."""
