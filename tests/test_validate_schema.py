"""``procure validate`` lists every problem; ``procure schema`` prints the instance JSON Schema (issue 11).

- validate: one run names every problem with its JSON path (up to :data:`MAX_LISTED`, then a count),
  exit code 2; ``solve`` keeps its one-line error; the API has them all in ``InstanceError.problems``.
- schema: draft 2020-12, generated from the pydantic models; it accepts every shipped instance and
  every spec v1 example, refuses what the models refuse field by field, and allows ``"$schema"``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from support.instance_strategies import Mutation, instances, mutations
from support.instances import C01
from support.paths import EXPECTED, INSTANCES
from typer.testing import CliRunner

import cli
from optimizer import InstanceError, load_instance
from optimizer.errors import MAX_LISTED
from optimizer.input.generate import generate
from optimizer.input.schema import Instance, instance_json_schema

#: Three typos in three places: each gives "unknown field" (and the field it stands for is "missing").
TYPOS = {"horizon.start_yaer": "'start_year'", "chips[0].power_kW": "'power_kw'",
         "offers[1].price_per_chip_hr": "'price_per_chip_hour'"}


def c01() -> dict[str, Any]:
    return copy.deepcopy(C01)


def three_typos() -> dict[str, Any]:
    doc = c01()
    doc["horizon"]["start_yaer"] = doc["horizon"].pop("start_year")
    doc["chips"][0]["power_kW"] = doc["chips"][0].pop("power_kw")
    doc["offers"][1]["price_per_chip_hr"] = doc["offers"][1].pop("price_per_chip_hour")
    return doc


def three_bad_references() -> dict[str, Any]:
    """Valid in shape; three cross-references fail (the checks after the schema)."""
    doc = c01()
    doc["offers"][0]["provider"] = "oracle"
    doc["offers"][1]["chip"] = "h100"
    doc["workloads"][0]["providers"] = ["gcp"]
    return doc


def write(tmp_path: Path, doc: dict[str, Any], name: str = "instance.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return path


@pytest.fixture
def validate(runner: CliRunner) -> Callable[[Path], Any]:
    """``validate(path)``: ``procure validate PATH`` through the test runner."""
    return lambda path: runner.invoke(cli.app, ["validate", str(path)])


# --- procure validate ----------------------------------------------------------------------------


def test_validate_lists_three_typos_in_one_run(validate: Callable[[Path], Any], tmp_path: Path) -> None:
    path = write(tmp_path, three_typos())
    result = validate(path)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == f"error: {path}: 3 problems:"
    assert len(lines) == 4, result.stderr  # the "missing" twins of the typos are not listed
    for line, (where, hint) in zip(lines[1:], TYPOS.items(), strict=True):
        assert line.startswith(f"  {where}: unknown field "), line
        assert f"did you mean {hint}?" in line, line
    assert sorted(tmp_path.iterdir()) == [path]  # nothing written


def test_validate_lists_every_bad_reference(validate: Callable[[Path], Any], tmp_path: Path) -> None:
    path = write(tmp_path, three_bad_references())
    result = validate(path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {path}: 3 problems:",
        "  offers[0].provider: unknown provider 'oracle' (known: aws, azure)",
        "  offers[1].chip: unknown chip 'h100' (known: gb200, trainium2)",
        "  workloads[0].providers[0]: unknown provider 'gcp' (known: aws, azure)",
    ]


def test_validate_one_problem_is_one_line_like_solve(validate: Callable[[Path], Any], tmp_path: Path) -> None:
    doc = c01()
    doc["offers"][1]["chip"] = "h100"
    path = write(tmp_path, doc)
    result = validate(path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {path}: offers[1].chip: unknown chip 'h100' (known: gb200, trainium2)"]


def test_validate_caps_the_list(validate: Callable[[Path], Any], tmp_path: Path) -> None:
    doc = c01()
    count = MAX_LISTED + 12
    doc["offers"] = [{**doc["offers"][0], "id": f"o{i}", "colour": "red"} for i in range(count)]
    path = write(tmp_path, doc)
    result = validate(path)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0] == f"error: {path}: {count} problems:"
    assert len(lines) == 1 + MAX_LISTED + 1
    assert lines[1] == "  offers[0].colour: unknown field 'colour' (known: id, provider, chip, term_months, " \
                       "price_per_chip_hour, price_change_per_year, available, max_new_chips_per_year, " \
                       "block_chips, min_chips)"
    assert lines[MAX_LISTED].startswith(f"  offers[{MAX_LISTED - 1}].colour: ")
    assert lines[-1] == "  … and 12 more problems"


def test_solve_keeps_its_one_line_error(runner: CliRunner, tmp_path: Path) -> None:
    path = write(tmp_path, three_typos())
    out = tmp_path / "out"
    result = runner.invoke(cli.app, ["solve", str(path), "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {path}: horizon.start_yaer: unknown field 'start_yaer'; did you mean 'start_year'? "
        f"(and 2 more problems)"]
    assert not out.exists()


# --- the API ---------------------------------------------------------------------------------------


def test_api_problems_lists_them_all(tmp_path: Path) -> None:
    path = write(tmp_path, three_typos())
    with pytest.raises(InstanceError) as info:
        load_instance(path)
    e = info.value
    assert [p for p, _ in e.problems] == list(TYPOS)
    assert all(problem.startswith("unknown field ") for _, problem in e.problems)
    assert (e.path, e.problem) == e.problems[0]  # path and problem: the first one
    assert e.message == f"{path}: {e.path}: {e.problem} (and 2 more problems)"
    assert e.file == str(path)
    assert e.lines()[1] == "chips[0].power_kW: unknown field 'power_kW'; did you mean 'power_kw'?"
    assert e.lines(limit=1) == [e.lines()[0], "… and 2 more problems"]


def test_api_problems_from_parsed_data() -> None:
    with pytest.raises(InstanceError) as info:
        load_instance(three_bad_references())
    assert [p for p, _ in info.value.problems] == ["offers[0].provider", "offers[1].chip",
                                                   "workloads[0].providers[0]"]


def test_number_sizes_and_schema_are_one_stage() -> None:
    """A number out of range and a schema problem elsewhere are reported together; a year map with a
    value out of range is not reported twice."""
    doc = c01()
    doc["offers"][0]["price_per_chip_hour"] = 1e20
    doc["providers"][0]["power_mw"] = {"2026": -1e20}
    doc["workloads"][0]["demand"]["peak"] = 2
    with pytest.raises(InstanceError) as info:
        load_instance(doc)
    paths = [p for p, _ in info.value.problems]
    assert paths == ["providers[0].power_mw.2026", "offers[0].price_per_chip_hour",
                     "workloads[0].demand.peak"], info.value.problems


def test_json_level_problems_are_all_listed(tmp_path: Path) -> None:
    path = tmp_path / "dup.json"
    path.write_text('{"name": "a", "name": "b", "discount_rate": NaN, "horizon": {"years": 1, "years": 2}}')
    with pytest.raises(InstanceError) as info:
        load_instance(path)
    assert info.value.problems == [("name", "duplicate key 'name' in one object"),
                                   ("discount_rate", "NaN is not a finite number"),
                                   ("horizon.years", "duplicate key 'years' in one object")]


def test_schema_key_accepted_and_ignored(validate: Callable[[Path], Any], tmp_path: Path) -> None:
    doc = {"$schema": "./procure.schema.json", **c01()}
    assert load_instance(doc) == load_instance(c01())
    path = write(tmp_path, doc)
    assert load_instance(path).name == "c01_yearly_series"
    result = validate(path)
    assert result.exit_code == 0 and "valid" in result.stdout


def test_schema_key_must_be_a_string() -> None:
    with pytest.raises(InstanceError) as info:
        load_instance({"$schema": 3, **c01()})
    assert info.value.problems == [("$schema", "expected a string, got a number")]


# --- procure schema --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def schema(runner: CliRunner) -> dict[str, Any]:
    result = runner.invoke(cli.app, ["schema"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_schema_is_draft_2020_12_from_the_models(schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] and schema["description"]
    fields = {f.alias or name for name, f in Instance.model_fields.items()}
    assert set(schema["properties"]) == fields | {"$schema"}
    assert set(schema["required"]) == {f.alias or n for n, f in Instance.model_fields.items() if f.is_required()}
    assert schema["additionalProperties"] is False
    for name, sub in schema["$defs"].items():
        if sub.get("type") == "object":
            assert sub["additionalProperties"] is False, name


def test_schema_has_field_descriptions(schema: dict[str, Any]) -> None:
    offer = schema["$defs"]["Offer"]["properties"]
    assert "USD per chip-hour" in offer["price_per_chip_hour"]["description"]
    assert "months" in offer["term_months"]["description"]
    assert "MW" in schema["$defs"]["Provider"]["properties"]["power_mw"]["description"]
    assert "kW" in schema["$defs"]["Chip"]["properties"]["power_kw"]["description"]
    undescribed = [f"{name}.{field}" for name, sub in [("Instance", schema), *schema["$defs"].items()]
                   for field, spec in sub.get("properties", {}).items() if not spec.get("description")]
    assert undescribed == []


def test_schema_out_writes_the_same_text(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "procure.schema.json"
    result = runner.invoke(cli.app, ["schema", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == runner.invoke(cli.app, ["schema"]).stdout
    assert [p.name for p in out.parent.iterdir()] == ["procure.schema.json"]  # no temporary file left


def test_schema_out_refuses_a_folder(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["schema", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "is a folder" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("path", sorted(INSTANCES.glob("*.json")), ids=lambda p: p.name)
def test_shipped_instances_match_the_schema(schema: dict[str, Any], path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)
    load_instance(path)


V1_EXAMPLES = sorted(case for case, want in EXPECTED.items() if "feature" not in want)


def test_every_v1_example_is_checked(examples_dir: Path) -> None:
    assert len(V1_EXAMPLES) == 13
    assert {p.stem for p in examples_dir.glob("c*.json")} <= set(V1_EXAMPLES)


@pytest.mark.parametrize("case", V1_EXAMPLES)
def test_v1_examples_match_the_schema(schema: dict[str, Any], examples_dir: Path, case: str) -> None:
    doc = json.loads((examples_dir / f"{case}.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)
    jsonschema.validate({"$schema": "./procure.schema.json", **doc}, schema, cls=jsonschema.Draft202012Validator)


def _set(*loc: str | int, value: Any):
    def change(doc: dict[str, Any]) -> None:
        target = doc
        for part in loc[:-1]:
            target = target[part]
        target[loc[-1]] = value

    return change


#: Mistakes that both the models and the schema refuse (one field each), by the JSON path they concern.
REFUSED = {
    "unknown_top_level_field": _set("discount", value=0.08),
    "unknown_nested_field": _set("offers", 0, "term", value=12),
    "string_for_number": _set("offers", 0, "price_per_chip_hour", value="1.2"),
    "boolean_for_number": _set("discount_rate", value=True),
    "fractional_term": _set("offers", 0, "term_months", value=12.5),
    "zero_term": _set("offers", 0, "term_months", value=0),
    "negative_power": _set("providers", 0, "power_mw", value=-1),
    "negative_power_in_year_map": _set("providers", 0, "power_mw", value={"2026": 40, "2027": -80}),
    "year_map_key_not_a_year": _set("providers", 0, "power_mw", value={"2026": 40, "later": 80}),
    "year_map_key_padded": _set("providers", 0, "power_mw", value={"2026": 40, " 2027": 80}),
    "empty_year_map": _set("global_power_mw", value={}),
    "periods_per_year_three": _set("horizon", "periods_per_year", value=3),
    "efficiency_above_one": _set("workloads", 0, "efficiency", value=1.5),
    "price_change_minus_one": _set("offers", 0, "price_change_per_year", value=-1),
    "no_providers": _set("providers", value=[]),
    "empty_id": _set("chips", 0, "id", value=""),
    "window_of_three_years": _set("spend_commitments", value=[{"provider": "aws", "years": [2026, 2027, 2028],
                                                                "amount_usd": 1}]),
    "empty_budget": _set("budget", value={}),
    "two_demand_forms": _set("workloads", 0, "demand", "base", value=100.0),
    "no_demand_form": _set("workloads", 0, "demand", value={"peak_factor": 1.2}),
    "schema_key_not_a_string": _set("$schema", value=1),
}


@pytest.mark.parametrize("mistake", list(REFUSED))
def test_schema_refuses_what_the_models_refuse(schema: dict[str, Any], mistake: str) -> None:
    doc = c01()
    jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)
    REFUSED[mistake](doc)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)
    with pytest.raises(InstanceError):
        load_instance(doc)


def test_schema_refuses_each_of_the_three_typos(schema: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    unexpected = [e.message for e in validator.iter_errors(three_typos()) if e.validator == "additionalProperties"]
    assert len(unexpected) == 3
    for path in TYPOS:
        field = path.rsplit(".", 1)[-1]
        assert any(repr(field) in message for message in unexpected), (field, unexpected)


@given(instances().flatmap(mutations))
def test_schema_is_never_stricter_than_the_models(case: tuple[dict[str, Any], Mutation]) -> None:
    """Random valid instances, each broken in one place: whatever load_instance accepts, the schema accepts
    (the schema checks less than ``procure validate``, never more)."""
    doc, mutation = case
    validator = jsonschema.Draft202012Validator(instance_json_schema())
    try:
        load_instance(doc)
    except InstanceError:
        return
    errors = [e.message for e in validator.iter_errors(doc)]
    assert errors == [], f"{mutation}: the models accept it, the schema does not: {errors}"


def test_generated_instances_match_the_schema() -> None:
    doc = generate("small", scenarios=2)
    jsonschema.validate(doc, instance_json_schema(), cls=jsonschema.Draft202012Validator)


def test_instance_error_survives_pickling(tmp_path: Path) -> None:
    """Sweep workers send errors between processes: every problem must arrive."""
    import pickle

    with pytest.raises(InstanceError) as info:
        load_instance(write(tmp_path, three_typos()))
    e = pickle.loads(pickle.dumps(info.value))
    assert (e.problems, e.file, e.message) == (info.value.problems, info.value.file, info.value.message)
