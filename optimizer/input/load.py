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
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from optimizer.errors import InstanceError, Problem, json_path
from optimizer.input.schema import SCHEMA_KEY, Instance, YearMap, _json_type

MAX_FILE_BYTES = 256 * 1024 * 1024
"""Refuse instance files larger than this (bytes) before reading them."""


class _Duplicates(dict):
    """A JSON object in which a key appeared twice (the key is kept in ``duplicate``)."""

    duplicate: str


class _BadConstant:
    """Stands for ``NaN``/``Infinity`` in parsed JSON until its path is known."""

    def __init__(self, text: str):
        self.text = text


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            dup = _Duplicates(obj)
            dup.duplicate = key
            obj = dup
        obj[key] = value
    return obj


MAX_INTEGER_DIGITS = 300
"""Integer literals longer than this cannot be a float (≈1.8e308) and are refused with their path."""


def _integer(text: str) -> int | _BadConstant:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        return _BadConstant(f"an integer of {len(text.lstrip('-'))} digits")
    return int(text)


def parse_json(text: str, *, file: str | None = None) -> Any:
    """Parse JSON text, refusing duplicate keys, NaN, Infinity and numbers that overflow a float."""
    try:
        doc = json.loads(text, object_pairs_hook=_object, parse_constant=_BadConstant, parse_int=_integer)
    except json.JSONDecodeError as e:
        raise InstanceError("", f"not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})",
                            file=file, line=e.lineno) from None
    except RecursionError:
        raise InstanceError("", "not valid JSON: nested too deeply", file=file) from None
    problems: list[Problem] = []
    for loc, value in _walk(doc, ()):
        if isinstance(value, _Duplicates):
            problems.append((json_path((*loc, value.duplicate)), f"duplicate key {value.duplicate!r} in one object"))
        elif isinstance(value, _BadConstant):
            if value.text.startswith("an integer"):
                problems.append((json_path(loc), f"number too large to represent ({value.text})"))
            else:
                problems.append((json_path(loc), f"{value.text} is not a finite number"))
        elif (isinstance(value, float) and not math.isfinite(value)) or (
                isinstance(value, int) and not isinstance(value, bool) and abs(value) > 1.7e308):
            problems.append((json_path(loc), "number too large to represent"))
    if problems:
        raise InstanceError.from_problems(problems, file=file)
    return doc


def _walk(value: Any, loc: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every value of a parsed document with its location, depth first, without recursion."""
    stack = [(loc, value)]
    while stack:
        loc, value = stack.pop()
        yield loc, value
        if isinstance(value, dict):
            stack.extend(((*loc, k), v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((*loc, i), v) for i, v in reversed(list(enumerate(value))))


def read_instance_file(path: str | Path) -> Any:
    """Read and parse an instance file (UTF-8 JSON) into plain Python data."""
    name = str(path)
    p = Path(path)
    if not p.exists():
        raise InstanceError("", "no such file", file=name)
    if p.is_dir():
        raise InstanceError("", "is a directory, not an instance file", file=name)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InstanceError("", f"file is {size / 2**20:.0f} MiB; instances are limited to "
                                    f"{MAX_FILE_BYTES // 2**20} MiB", file=name)
        raw = p.read_bytes()
    except OSError as e:
        raise InstanceError("", f"cannot read: {e.strerror}", file=name) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise InstanceError("", f"not UTF-8 text (byte {e.start}, line {line})", file=name, line=line) from None
    if not text.strip():
        raise InstanceError("", "the file is empty", file=name)
    return parse_json(text, file=name)


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
        raise InstanceError("", f"an instance is a JSON object, got {_json_type(doc)}")
    problems: list[Problem] = []
    if SCHEMA_KEY in doc:
        if not isinstance(doc[SCHEMA_KEY], str):
            problems.append((SCHEMA_KEY, f"expected a string, got {_json_type(doc[SCHEMA_KEY])}"))
        doc = {k: v for k, v in doc.items() if k != SCHEMA_KEY}
    for loc, value in _walk(doc, ()):
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
        return f"expected {wanted or kind.removesuffix('_type')}, got {_json_type(value)}"
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


# --- cross-field consistency (spec §2, "Input errors") ----------------------------------------

def check_consistency(inst: Instance) -> None:
    """Raise :class:`InstanceError` for the rules of spec §2 that ``inst`` breaks (all of them, first first)."""
    problems = consistency_problems(inst)
    if problems:
        raise InstanceError.from_problems(problems)


def consistency_problems(inst: Instance) -> list[Problem]:
    """Every cross-field rule of spec §2 that ``inst`` breaks, in document order (more or less)."""
    problems: list[Problem] = []

    def add(path: str, problem: str) -> None:
        problems.append((path, problem))

    y0, n = inst.horizon.start_year, inst.horizon.years
    last = y0 + n - 1
    for kind, items in (("providers", inst.providers), ("chips", inst.chips), ("offers", inst.offers),
                        ("workloads", inst.workloads)):
        _unique_ids(kind, items, add)
    provider_ids = {p.id for p in inst.providers}
    chip_ids = {c.id for c in inst.chips}
    chip_names = chip_ids | {c.family_name for c in inst.chips}
    metrics = {k for c in inst.chips for k in c.perf}

    def year_map(path: str, ym: YearMap | None) -> None:
        if ym is not None and ym.first_year is not None and ym.first_year > y0:
            add(path, f"year map starts in {ym.first_year}, after the start year {y0}; add a value for {y0}")

    def ref(path: str, value: str, known: Iterable[str], what: str) -> None:
        if value not in known:
            add(path, f"unknown {what} {value!r} (known: {', '.join(sorted(known))})")

    def window(path: str, years: list[int]) -> None:
        if years[0] > years[1]:
            add(path, f"first year {years[0]} is after last year {years[1]}")
        elif years[1] < y0 or years[0] > last:
            add(path, f"window {years[0]}–{years[1]} is outside the horizon {y0}–{last}")

    for i, p in enumerate(inst.providers):
        year_map(f"providers[{i}].power_mw", p.power_mw)
    for i, o in enumerate(inst.offers):
        at = f"offers[{i}]"
        ref(f"{at}.provider", o.provider, provider_ids, "provider")
        ref(f"{at}.chip", o.chip, chip_ids, "chip")
        a = o.available
        if a.from_ is not None and a.until is not None and a.until < a.from_:
            add(f"{at}.available", f"until {a.until} is before from {a.from_}")
        year_map(f"{at}.max_new_chips_per_year", o.max_new_chips_per_year)
    for i, w in enumerate(inst.workloads):
        _check_workload(f"workloads[{i}]", w, inst, provider_ids, chip_ids, chip_names, metrics, ref, add)
    if inst.budget is not None:
        year_map("budget.per_year_usd", inst.budget.per_year_usd)
    year_map("global_power_mw", inst.global_power_mw)
    for i, c in enumerate(inst.spend_commitments):
        ref(f"spend_commitments[{i}].provider", c.provider, provider_ids, "provider")
        window(f"spend_commitments[{i}].years", c.years)
    for i, c in enumerate(inst.capacity_commitments):
        ref(f"capacity_commitments[{i}].provider", c.provider, provider_ids, "provider")
        for j, name in enumerate(c.chips):
            ref(f"capacity_commitments[{i}].chips[{j}]", name, chip_names, "chip or family")
        window(f"capacity_commitments[{i}].years", c.years)
    if inst.diversification is not None and inst.diversification.metric != "mw":
        ref("diversification.metric", inst.diversification.metric, metrics | {"mw"}, "metric")
    pu = inst.providers_used
    if pu is not None and pu.min is not None and pu.max is not None and pu.min > pu.max:
        add("providers_used", f"min {pu.min} is greater than max {pu.max}")
    if inst.scenarios is not None:
        _check_scenarios(inst, year_map, ref, add)
    return problems


def _unique_ids(kind: str, items: Iterable[Any], add) -> None:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        if item.id in seen:
            add(f"{kind}[{i}].id", f"duplicate id {item.id!r} (also {kind}[{seen[item.id]}])")
        else:
            seen[item.id] = i


def _check_workload(at, w, inst, provider_ids, chip_ids, chip_names, metrics, ref, add) -> None:
    if w.metric not in metrics:
        add(f"{at}.metric", f"no chip has metric {w.metric!r} (chips have: {', '.join(sorted(metrics)) or 'none'})")
    for j, p in enumerate(w.providers or ()):
        ref(f"{at}.providers[{j}]", p, provider_ids, "provider")
    for j, c in enumerate(w.chips or ()):
        ref(f"{at}.chips[{j}]", c, chip_names, "chip or family")
    for c in w.chip_efficiency:
        ref(f"{at}.chip_efficiency.{c}", c, chip_ids, "chip")
    _check_demand(f"{at}.demand", w.demand, inst, add)


def _check_demand(at: str, d: Any, inst: Instance, add) -> None:
    forms = [name for name in ("series", "points", "base") if getattr(d, name) is not None]
    if len(forms) != 1:
        add(at, "give exactly one of 'series', 'points' or 'base'" + (f", not {' and '.join(forms)}" if forms else ""))
    if d.annual_growth is not None and d.base is None:
        add(f"{at}.annual_growth", "annual_growth goes with 'base'")
    if d.series is not None:
        t = inst.horizon.years * inst.horizon.periods_per_year
        if len(d.series) != t:
            add(f"{at}.series", f"needs one value per period: {t} values "
                                f"({inst.horizon.years} years × {inst.horizon.periods_per_year}), got {len(d.series)}")
    if d.points is not None:
        if not d.points:
            add(f"{at}.points", "needs at least one point")
        for key in d.points:
            try:
                x = float(key)
            except ValueError:
                x = math.nan
            if not math.isfinite(x):
                add(f"{at}.points", f"key {key!r} is not a calendar year")


def _check_scenarios(inst: Instance, year_map, ref, add) -> None:
    sc = inst.scenarios
    assert sc is not None
    _unique_ids("scenarios.cases", sc.cases, add)
    total = math.fsum(c.probability for c in sc.cases)
    if abs(total - 1.0) > 1e-9:
        add("scenarios.cases", f"probabilities sum to {total:.12g}, not 1")
    workload_ids = {w.id for w in inst.workloads} | {"*"}
    for i, case in enumerate(sc.cases):
        for key, ym in case.demand_multiplier.items():
            at = f"scenarios.cases[{i}].demand_multiplier.{key}"
            ref(at, key, workload_ids, "workload")
            year_map(at, ym)
