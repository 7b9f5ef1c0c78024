"""Loading and validating an instance: strict JSON → schema → cross-field consistency.

:func:`load_instance` returns a frozen, fully checked :class:`~optimizer.schema.Instance`
or raises :class:`~optimizer.errors.InstanceError` naming the JSON path of the first problem and
listing every problem found in its ``problems``. The checks run in stages, and a stage runs only
when the ones before it passed: (1) the file and its JSON syntax, one problem; (2) duplicate keys
and non-finite numbers, all of them; (3) number sizes and the schema, all of them; (4) the
cross-field rules (references, year-map starts, series lengths, ...), all of them, which need a
document whose shape is valid. The model code downstream never reads files and never re-checks input.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from optimizer.errors import InstanceError, Problem, json_path
from optimizer.input.json_file import read_instance_file, walk
from optimizer.input.rules import consistency_problems
from optimizer.input.schema import SCHEMA_KEY, Instance
from optimizer.input.values import json_type


def load_instance(source: str | Path | Mapping[str, Any] | Instance) -> Instance:
    """Load an instance from a JSON file path or from already parsed data, fully validated.

    Raises :class:`InstanceError` (a ``ValueError``) with the JSON path of the first problem;
    its ``problems`` lists every problem found (see the module's docstring for the stages).
    """
    if isinstance(source, Instance):
        return source
    if not isinstance(source, str | Path):
        return validate_instance(source)
    try:
        return validate_instance(read_instance_file(source))
    except InstanceError as e:
        raise e.in_file(str(source)) from None


def validate_instance(doc: Any) -> Instance:
    """Check parsed JSON data against the schema and the spec's cross-field rules.

    Raises :class:`InstanceError` listing every problem found: number sizes and the schema together,
    then, when the shape is valid, the cross-field rules (which cannot run on a broken shape).
    A top-level ``"$schema"`` key (any string: the file's JSON Schema, for editors) is ignored.
    """
    if not isinstance(doc, Mapping):
        raise InstanceError("", f"an instance is a JSON object, got {json_type(doc)}")
    problems: list[Problem] = []
    if SCHEMA_KEY in doc:
        if not isinstance(doc[SCHEMA_KEY], str):
            problems.append((SCHEMA_KEY, f"expected a string, got {json_type(doc[SCHEMA_KEY])}"))
        doc = {k: v for k, v in doc.items() if k != SCHEMA_KEY}
    for loc, value in walk(doc, ()):
        if isinstance(value, float) and not math.isfinite(value):
            problems.append((json_path(loc), "NaN or infinity is not a finite number"))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            problem = _magnitude_problem(value)
            if problem:
                problems.append((json_path(loc), problem))
    try:
        inst = Instance.model_validate(doc)
    except ValidationError as e:
        problems += _schema_problems(e, covered={path for path, _ in problems})
        raise InstanceError.from_problems(problems) from None
    problems += consistency_problems(inst)
    if problems:
        raise InstanceError.from_problems(problems)
    return inst


MAX_MAGNITUDE = 1e15
MIN_MAGNITUDE = 1e-9
"""Numbers are refused outside ``MIN_MAGNITUDE ≤ |x| ≤ MAX_MAGNITUDE`` (0 is fine): beyond these no
input is plausible in its unit, and the model's coefficients would overflow or fall below what
HiGHS keeps (it drops matrix entries under 1e-9 and refuses those over 1e15)."""


def _magnitude_problem(value: float) -> str | None:
    if abs(value) > MAX_MAGNITUDE:
        return (f"{value:.6g} is too large: numbers may be at most {MAX_MAGNITUDE:g} "
                f"in size (leave a limit out to mean none)")
    if 0 < abs(value) < MIN_MAGNITUDE:
        return f"{value:.6g} is too small: numbers other than 0 must be at least {MIN_MAGNITUDE:g} in size"
    return None


# --- pydantic errors in the instance's own words ---------------------------------------------

def _schema_problems(error: ValidationError, covered: set[str] = frozenset()) -> list[Problem]:
    """Every pydantic error in the instance's own words, unknown fields first.

    A typo of a required field gives "unknown field" and "missing" together: the "missing" is left
    out when the unknown field's suggestion names it. So are problems at a path in ``covered``
    (already reported), and those of a whole value (a year map) with a covered path inside it.
    """
    errors = error.errors(include_url=False)
    errors.sort(key=lambda e: e["type"] != "extra_forbidden")
    suggested: set[tuple[str, str]] = set()
    problems: list[Problem] = []
    for err in errors:
        loc = [part for part in err["loc"] if not (isinstance(part, str) and part.startswith("function-"))]
        path = json_path(loc)
        if err["type"] == "extra_forbidden":
            problem, hint = _unknown_field(str(loc[-1]), loc[:-1])
            if hint:
                suggested.add((json_path(loc[:-1]), hint))
        else:
            typo = err["type"] == "missing" and (json_path(loc[:-1]), str(loc[-1])) in suggested
            inside = err["type"] == "value_error" and any(c.startswith((f"{path}.", f"{path}[")) for c in covered)
            if typo or inside or path in covered:
                continue
            problem = _problem(err)
        if (path, problem) not in problems:
            problems.append((path, problem))
    return problems


def _problem(err: Any) -> str:
    """One pydantic error (not an unknown field) as a problem."""
    kind, value = err["type"], err.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind.endswith("_type") or kind in {"model_attributes_type", "literal_error"}:
        wanted = {"string_type": "a string", "list_type": "a list", "dict_type": "an object",
                  "model_type": "an object", "model_attributes_type": "an object",
                  "int_type": "an integer", "float_type": "a number", "bool_type": "a boolean"}.get(kind)
        if kind == "literal_error":
            return f"must be one of {err['ctx']['expected']}, got {json.dumps(value)}"
        return f"expected {wanted or kind.removesuffix('_type')}, got {json_type(value)}"
    if kind in {"greater_than", "greater_than_equal", "less_than_equal", "less_than"}:
        op = {"greater_than": ">", "greater_than_equal": ">=", "less_than_equal": "<=",
              "less_than": "<"}[kind]
        bound = next(iter(err["ctx"].values()))
        return f"must be {op} {bound}, got {json.dumps(value)}"
    if kind in {"too_short", "too_long"}:
        ctx = err["ctx"]
        bound = ctx["min_length"] if kind == "too_short" else ctx["max_length"]
        return (f"needs {'at least' if kind == 'too_short' else 'at most'} {bound} "
                f"item{'s' if bound != 1 else ''}, got {ctx['actual_length']}")
    return err["msg"].removeprefix("Value error, ")


def _unknown_field(name: str, parent_loc: list[Any]) -> tuple[str, str | None]:
    """The problem of an unknown field, and the known field it is probably a typo of."""
    known = _known_fields(parent_loc)
    hint = difflib.get_close_matches(name, known, n=1)
    suggestion = f"; did you mean {hint[0]!r}?" if hint else f" (known: {', '.join(known)})" if known else ""
    return f"unknown field {name!r}{suggestion}", hint[0] if hint else None


def _known_fields(parent_loc: list[Any]) -> list[str]:
    """Field names the schema allows at a location (for suggestions on typos)."""
    model: Any = Instance
    for part in parent_loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) or next(
            (f for f in model.model_fields.values() if f.alias == part), None)
        if field is None:
            return []
        model = _model_of(field.annotation)
        if model is None:
            return []
    names = [f.alias or n for n, f in model.model_fields.items()]
    return [SCHEMA_KEY, *names] if model is Instance else names


def _model_of(annotation: Any) -> Any:
    """The pydantic model inside an annotation like ``list[Offer] | None``, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or getattr(annotation, "__metadata__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    origin = getattr(annotation, "__origin__", None)
    return _model_of(origin) if origin is not None and origin is not annotation else None


