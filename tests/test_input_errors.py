"""A corpus of broken instances: each must be refused with exit code 2 and one clear line.

Spec §2 ("Input errors") and §8: bad input gives exit code 2 and ONE line on stderr,
``error: FILE: JSON.PATH: problem`` (``error: FILE:LINE: not valid JSON: ...`` for a file that
does not parse), no traceback, and nothing written into ``--out``.

Every case below is one small mutation of a valid instance: the spec example
``c01_yearly_series.json`` (copied into :data:`C01`), extended where a case needs them with the
optional sections of the examples c09 (spend commitment), c11 (capacity commitment) and c19
(scenarios). Each case names the exact JSON path the message must carry and a key phrase of the
problem. The whole corpus is checked in-process through :func:`optimizer.load_instance` (fast);
a representative subset also goes through the ``procure solve`` command in a subprocess.
A case whose message or verdict is wrong by the spec is marked ``xfail(strict=True)`` with the
behaviour the spec asks for, so that it starts failing (and gets unmarked) once the code is fixed.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.instances import C01

from optimizer import InstanceError, load_instance

REPO = Path(__file__).resolve().parents[1]

# --------------------------------------------------------------------------------------
# Valid starting points
# --------------------------------------------------------------------------------------

#: The optional sections, taken from the examples c09, c11 and c19 (provider ids mapped onto C01's).
OPTIONAL_SECTIONS: dict[str, Any] = {
    "spend_commitments": [  # c09, at azure instead of oracle
        {"provider": "azure", "years": [2027, 2031], "amount_usd": 700000000},
    ],
    "capacity_commitments": [  # c11
        {"provider": "aws", "chips": ["trainium"], "years": [2027, 2028], "min_mw": 30},
        {"provider": "azure", "chips": ["gb200"], "years": [2026, 2026], "min_mw": 1},
    ],
    "scenarios": {  # c19
        "first_stage_years": 1,
        "cases": [
            {"id": "low", "probability": 0.25, "demand_multiplier": {"*": {"2026": 1.0, "2027": 0.6}}},
            {"id": "base", "probability": 0.5},
            {"id": "high", "probability": 0.25,
             "demand_multiplier": {"training": {"2026": 1.0, "2027": 1.5}, "*": {"2026": 1, "2028": 1.3}}},
        ],
    },
    "budget": {"per_year_usd": {"2026": 1e9, "2028": 2e9}, "total_usd": 8e9},
    "global_power_mw": {"2026": 100, "2028": 200},
    "diversification": {"max_share": 0.8, "metric": "bf16_pflops"},
    "providers_used": {"min": 1, "max": 2},
}


def base() -> dict[str, Any]:
    """C01 with every optional section: a valid instance that every case mutates once."""
    doc = copy.deepcopy(C01)
    doc.update(copy.deepcopy(OPTIONAL_SECTIONS))
    return doc


# --------------------------------------------------------------------------------------
# How a case writes its input
# --------------------------------------------------------------------------------------

Maker = Callable[[Path], Path]
"""Writes a case's input under a folder and returns the path given as INSTANCE."""

FILE_NAME = "broken.json"


def raw(data: bytes) -> Maker:
    def make(folder: Path) -> Path:
        path = folder / FILE_NAME
        path.write_bytes(data)
        return path

    return make


def text(source: str) -> Maker:
    return raw(source.encode("utf-8"))


def mutated(change: Callable[[dict[str, Any]], object], start: Callable[[], dict[str, Any]] = base) -> Maker:
    """The JSON of ``start()`` after ``change`` edited it in place."""
    doc = start()
    change(doc)
    return text(json.dumps(doc, indent=1))


def replaced(old: str, new: str) -> Maker:
    """The pretty-printed base instance with the one occurrence of ``old`` replaced (JSON-level cases)."""
    source = json.dumps(base(), indent=1)
    assert source.count(old) == 1, old
    return text(source.replace(old, new))


def directory(folder: Path) -> Path:
    path = folder / "instance_dir.json"
    path.mkdir()
    return path


def missing(folder: Path) -> Path:
    return folder / "no_such_instance.json"


def _get(doc: Any, loc: tuple[str | int, ...]) -> Any:
    for part in loc:
        doc = doc[part]
    return doc


def put(*loc: str | int, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set the value at ``loc`` (creating nothing but the last key)."""

    def change(doc: dict[str, Any]) -> None:
        _get(doc, loc[:-1])[loc[-1]] = value

    return change


def drop(*loc: str | int) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        del _get(doc, loc[:-1])[loc[-1]]

    return change


def rename(*loc: str | int, to: str) -> Callable[[dict[str, Any]], None]:
    """Rename the key at ``loc`` (a typo)."""

    def change(doc: dict[str, Any]) -> None:
        parent = _get(doc, loc[:-1])
        parent[to] = parent.pop(loc[-1])

    return change


def append_copy(*loc: str | int, index: int = 0, **overrides: Any) -> Callable[[dict[str, Any]], None]:
    """Append a copy of list item ``loc[index]`` with some fields changed."""

    def change(doc: dict[str, Any]) -> None:
        items = _get(doc, loc)
        items.append({**copy.deepcopy(items[index]), **overrides})

    return change


def both(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        for c in changes:
            c(doc)

    return change


# --------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    make: Maker
    path: str
    """The exact JSON path the error must name ("" for the whole document)."""
    phrase: str
    """A key phrase of the problem (case-sensitive substring of ``InstanceError.problem``)."""
    line: int | None = None
    """For files that do not parse: the line the error must name."""
    xfail: str | None = None
    """Why the current behaviour is wrong and what the spec asks for instead."""
    cli_xfail: str | None = None
    """The same, for a case that is right in-process but wrong on the command line."""

    def param(self, *, cli: bool = False) -> Any:
        reason = self.xfail or (self.cli_xfail if cli else None)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        return pytest.param(self, id=self.id, marks=marks)


def _line_of(source: str, needle: str) -> int:
    """1-based line of the first occurrence of ``needle`` in ``source``."""
    return source[: source.index(needle)].count("\n") + 1


_PRETTY = json.dumps(base(), indent=1)
_BAD_TOKEN = '"price_per_chip_hour": 0.93 oops'
_NOT_UTF8 = _PRETTY.replace("Microsoft Azure", "Microsoft Az\xffure").encode("latin-1")

CASES: list[Case] = [
    # --- the file and its JSON --------------------------------------------------------------
    Case("malformed_json", replaced('"price_per_chip_hour": 0.93', _BAD_TOKEN), "", "not valid JSON",
         line=_line_of(_PRETTY, '"price_per_chip_hour": 0.93')),
    Case("truncated_json", text(_PRETTY[: _PRETTY.index('"workloads"')]), "", "not valid JSON",
         line=_line_of(_PRETTY, '"workloads"')),
    Case("empty_file", text(""), "", "empty"),
    Case("whitespace_only_file", text("  \n\t\n  \n"), "", "empty"),
    Case("non_utf8_bytes", raw(_NOT_UTF8), "", "UTF-8"),
    Case("non_utf8_bytes_names_line", raw(_NOT_UTF8), "", "UTF-8", line=_line_of(_PRETTY, "Microsoft Azure")),
    Case("trailing_data", text(_PRETTY + "\n{}\n"), "", "not valid JSON",
         line=_PRETTY.count("\n") + 2),
    Case("deeply_nested", text("[" * 100_000 + "]" * 100_000), "", "nested too deeply"),
    Case("directory_as_instance", directory, "", "directory"),
    Case("missing_file", missing, "", "no such file"),
    Case("top_level_array", text(json.dumps([base()])), "", "JSON object"),
    Case("top_level_string", text('"c01_yearly_series"'), "", "JSON object"),
    Case("duplicate_key_top_level", replaced('"name": "c01_yearly_series",',
                                             '"name": "c01_yearly_series", "name": "again",'),
         "name", "duplicate key"),
    Case("duplicate_key_nested", replaced('"price_per_chip_hour": 0.93',
                                          '"price_per_chip_hour": 0.93, "price_per_chip_hour": 0.9'),
         "offers[1].price_per_chip_hour", "duplicate key"),
    Case("nan", replaced('"price_per_chip_hour": 0.93', '"price_per_chip_hour": NaN'),
         "offers[1].price_per_chip_hour", "not a finite number"),
    Case("infinity", replaced('"price_per_chip_hour": 0.93', '"price_per_chip_hour": Infinity'),
         "offers[1].price_per_chip_hour", "not a finite number"),
    Case("minus_infinity", replaced('"price_per_chip_hour": 0.93', '"price_per_chip_hour": -Infinity'),
         "offers[1].price_per_chip_hour", "not a finite number"),
    Case("overflow_1e400", replaced('"price_per_chip_hour": 0.93', '"price_per_chip_hour": 1e400'),
         "offers[1].price_per_chip_hour", "too large"),
    Case("overflow_in_series", replaced("12363.0", "-1e999"),
         "workloads[0].demand.series[1]", "too large"),
    Case("duplicate_key_in_year_map", replaced('"2027": 80', '"2027": 80, "2027": 90'),
         "providers[0].power_mw.2027", "duplicate key"),
    Case("huge_integer_literal", replaced('"price_per_chip_hour": 0.93', '"price_per_chip_hour": 1' + "0" * 400),
         "offers[1].price_per_chip_hour", "too large"),
    Case("integer_literal_over_4300_digits",
         replaced('"price_per_chip_hour": 0.93', '"price_per_chip_hour": 1' + "0" * 5000),
         "offers[1].price_per_chip_hour", "too large"),
    # --- missing required fields ------------------------------------------------------------
    Case("missing_name", mutated(drop("name")), "name", "required field is missing"),
    Case("missing_horizon", mutated(drop("horizon")), "horizon", "required field is missing"),
    Case("missing_start_year", mutated(drop("horizon", "start_year")), "horizon.start_year",
         "required field is missing"),
    Case("missing_power_mw", mutated(drop("providers", 0, "power_mw")), "providers[0].power_mw",
         "required field is missing"),
    Case("missing_term_months", mutated(drop("offers", 2, "term_months")), "offers[2].term_months",
         "required field is missing"),
    Case("missing_demand", mutated(drop("workloads", 0, "demand")), "workloads[0].demand",
         "required field is missing"),
    Case("missing_offers", mutated(drop("offers")), "offers", "required field is missing"),
    Case("missing_case_probability", mutated(drop("scenarios", "cases", 1, "probability")),
         "scenarios.cases[1].probability", "required field is missing"),
    # --- unknown fields -----------------------------------------------------------------------
    Case("unknown_field_top_level", mutated(rename("discount_rate", to="discount_rte")), "discount_rte",
         "did you mean 'discount_rate'"),
    Case("unknown_field_nested", mutated(put("offers", 1, "block_chip", value=8)),
         "offers[1].block_chip", "did you mean 'block_chips'"),
    Case("unknown_field_typo_of_required_field",
         mutated(rename("offers", 1, "price_per_chip_hour", to="price_per_chip_hr")),
         "offers[1].price_per_chip_hr", "did you mean 'price_per_chip_hour'"),
    Case("unknown_field_alias", mutated(put("offers", 0, "available", value={"form": 2027})),
         "offers[0].available.form", "did you mean 'from'"),
    Case("unknown_field_wrong_case", mutated(put("Name", value="c01")), "Name", "did you mean 'name'"),
    Case("unknown_field_in_demand", mutated(put("workloads", 0, "demand", "peak_factr", value=1.2)),
         "workloads[0].demand.peak_factr", "did you mean 'peak_factor'"),
    Case("unknown_field_in_horizon", mutated(put("horizon", "period_per_year", value=1)),
         "horizon.period_per_year", "did you mean 'periods_per_year'"),
    Case("unknown_field_in_case", mutated(put("scenarios", "cases", 0, "probablity", value=0.25)),
         "scenarios.cases[0].probablity", "did you mean 'probability'"),
    Case("unknown_field_no_close_match", mutated(put("chips", 1, "vendor", value="aws")),
         "chips[1].vendor", "unknown field 'vendor'"),
    # --- wrong types --------------------------------------------------------------------------
    Case("string_for_number", mutated(put("offers", 0, "price_per_chip_hour", value="1.258")),
         "offers[0].price_per_chip_hour", "expected a number, got a string"),
    Case("boolean_for_integer", mutated(put("offers", 0, "term_months", value=True)),
         "offers[0].term_months", "expected an integer"),
    Case("boolean_for_number", mutated(put("chips", 0, "power_kw", value=False)),
         "chips[0].power_kw", "expected a number, got a boolean"),
    Case("object_for_list", mutated(put("offers", value={})), "offers", "expected a list"),
    Case("list_for_object", mutated(put("horizon", value=[2026, 4, 1])), "horizon", "expected an object"),
    Case("null_for_required_number", mutated(put("chips", 0, "power_kw", value=None)),
         "chips[0].power_kw", "got null"),
    Case("number_for_string", mutated(put("name", value=1)), "name", "expected a string"),
    Case("string_for_year_map", mutated(put("providers", 1, "power_mw", value="60")),
         "providers[1].power_mw", "got a string"),
    Case("fractional_integer", mutated(put("offers", 0, "term_months", value=12.5)),
         "offers[0].term_months", "expected an integer"),
    Case("string_for_integer", mutated(put("horizon", "start_year", value="2026")), "horizon.start_year",
         "expected an integer, got a string"),
    Case("fractional_start_year", mutated(put("horizon", "start_year", value=2026.5)),
         "horizon.start_year", "expected an integer"),
    # --- zero or negative where §2 asks for positive ----------------------------------------
    Case("price_zero", mutated(put("offers", 0, "price_per_chip_hour", value=0)),
         "offers[0].price_per_chip_hour", "> 0"),
    Case("power_kw_negative", mutated(put("chips", 1, "power_kw", value=-1)), "chips[1].power_kw", "> 0"),
    Case("term_months_zero", mutated(put("offers", 3, "term_months", value=0)), "offers[3].term_months",
         ">= 1"),
    Case("block_chips_zero", mutated(put("offers", 0, "block_chips", value=0)), "offers[0].block_chips",
         ">= 1"),
    Case("power_mw_negative", mutated(put("providers", 1, "power_mw", value=-60)), "providers[1].power_mw",
         ">= 0"),
    Case("power_mw_negative_in_year_map", mutated(put("providers", 0, "power_mw", value={"2026": 40,
                                                                                         "2027": -80})),
         "providers[0].power_mw", ">= 0"),
    Case("demand_negative_in_series", mutated(put("workloads", 0, "demand", "series", 2, value=-18913.0)),
         "workloads[0].demand.series[2]", ">= 0"),
    Case("demand_points_zero", mutated(put("workloads", 0, "demand",
                                           value={"points": {"2026": 7843.0, "2029": 0}})),
         "workloads[0].demand.points.2029", "> 0"),
    Case("efficiency_zero", mutated(put("workloads", 0, "efficiency", value=0)), "workloads[0].efficiency",
         "> 0"),
    Case("efficiency_above_one", mutated(put("workloads", 0, "efficiency", value=1.5)),
         "workloads[0].efficiency", "<= 1"),
    Case("chip_efficiency_above_one", mutated(put("workloads", 0, "chip_efficiency", value={"gb200": 1.5})),
         "workloads[0].chip_efficiency.gb200", "<= 1"),
    Case("peak_factor_below_one", mutated(put("workloads", 0, "demand", "peak_factor", value=0.5)),
         "workloads[0].demand.peak_factor", ">= 1"),
    Case("price_change_minus_one", mutated(put("offers", 1, "price_change_per_year", value=-1)),
         "offers[1].price_change_per_year", "> -1"),
    Case("min_chips_negative", mutated(put("offers", 2, "min_chips", value=-1)), "offers[2].min_chips", ">= 0"),
    Case("demand_multiplier_negative", mutated(put("scenarios", "cases", 0, "demand_multiplier", "*", value=-1)),
         "scenarios.cases[0].demand_multiplier.*", ">= 0"),
    Case("first_stage_years_negative", mutated(put("scenarios", "first_stage_years", value=-1)),
         "scenarios.first_stage_years", ">= 0"),
    Case("providers_used_min_negative", mutated(put("providers_used", "min", value=-1)), "providers_used.min",
         ">= 0"),
    Case("discount_rate_negative", mutated(put("discount_rate", value=-0.08)), "discount_rate", ">= 0"),
    Case("perf_negative", mutated(put("chips", 0, "perf", "fp8_pflops", value=-5.0)),
         "chips[0].perf.fp8_pflops", ">= 0"),
    Case("onboarding_negative", mutated(put("providers", 0, "onboarding_cost_usd", value=-1)),
         "providers[0].onboarding_cost_usd", ">= 0"),
    Case("probability_zero", mutated(both(put("scenarios", "cases", 0, "probability", value=0),
                                          put("scenarios", "cases", 1, "probability", value=0.75))),
         "scenarios.cases[0].probability", "> 0"),
    Case("horizon_years_zero", mutated(put("horizon", "years", value=0)), "horizon.years", ">= 1"),
    Case("periods_per_year_three", mutated(put("horizon", "periods_per_year", value=3)),
         "horizon.periods_per_year", "must be one of"),
    Case("empty_id", mutated(put("providers", 0, "id", value="")), "providers[0].id", "at least 1"),
    Case("no_providers", mutated(put("providers", value=[])), "providers", "at least 1 item"),
    # --- duplicate ids ------------------------------------------------------------------------
    Case("duplicate_provider_id", mutated(put("providers", 1, "id", value="aws")), "providers[1].id",
         "duplicate id 'aws'"),
    Case("duplicate_chip_id", mutated(append_copy("chips", index=1)), "chips[2].id",
         "duplicate id 'trainium2'"),
    Case("duplicate_offer_id", mutated(put("offers", 3, "id", value="azure-gb200-12m")), "offers[3].id",
         "duplicate id 'azure-gb200-12m'"),
    Case("duplicate_workload_id", mutated(append_copy("workloads", metric="fp8_pflops")), "workloads[1].id",
         "duplicate id 'training'"),
    Case("duplicate_case_id", mutated(put("scenarios", "cases", 2, "id", value="low")),
         "scenarios.cases[2].id", "duplicate id 'low'"),
    # --- references -----------------------------------------------------------------------------
    Case("offer_unknown_provider", mutated(put("offers", 2, "provider", value="oracle")),
         "offers[2].provider", "unknown provider 'oracle'"),
    Case("offer_unknown_chip", mutated(put("offers", 1, "chip", value="trainium3")), "offers[1].chip",
         "unknown chip 'trainium3'"),
    Case("offer_chip_is_a_family", mutated(put("offers", 2, "chip", value="blackwell")), "offers[2].chip",
         "unknown chip 'blackwell'"),
    Case("workload_unknown_provider", mutated(put("workloads", 0, "providers", value=["aws", "gcp"])),
         "workloads[0].providers[1]", "unknown provider 'gcp'"),
    Case("workload_unknown_chip", mutated(put("workloads", 0, "chips", value=["gb200", "h100"])),
         "workloads[0].chips[1]", "unknown chip or family 'h100'"),
    Case("workload_unknown_family", mutated(put("workloads", 0, "chips", value=["hopper"])),
         "workloads[0].chips[0]", "unknown chip or family 'hopper'"),
    Case("capacity_commitment_unknown_chip", mutated(put("capacity_commitments", 0, "chips",
                                                         value=["trainium", "inferentia"])),
         "capacity_commitments[0].chips[1]", "unknown chip or family 'inferentia'"),
    Case("capacity_commitment_unknown_provider", mutated(put("capacity_commitments", 1, "provider",
                                                             value="gcp")),
         "capacity_commitments[1].provider", "unknown provider 'gcp'"),
    Case("spend_commitment_unknown_provider", mutated(put("spend_commitments", 0, "provider", value="oracle")),
         "spend_commitments[0].provider", "unknown provider 'oracle'"),
    Case("unknown_id_with_rich_markup", mutated(put("offers", 1, "chip", value="[bold]h100")), "offers[1].chip",
         "unknown chip '[bold]h100'"),
    Case("chip_efficiency_unknown_chip", mutated(put("workloads", 0, "chip_efficiency", value={"h100": 0.5})),
         "workloads[0].chip_efficiency.h100", "unknown chip 'h100'"),
    Case("demand_multiplier_unknown_workload", mutated(put("scenarios", "cases", 1, "demand_multiplier",
                                                           value={"inference": 1.2})),
         "scenarios.cases[1].demand_multiplier.inference", "unknown workload 'inference'"),
    Case("workload_metric_no_chip_has", mutated(put("workloads", 0, "metric", value="int8_tops")),
         "workloads[0].metric", "no chip has metric 'int8_tops'"),
    Case("diversification_metric_no_chip_has", mutated(put("diversification", "metric", value="bf16")),
         "diversification.metric", "'bf16'"),
    # --- series and year maps -------------------------------------------------------------------
    Case("series_too_short", mutated(put("workloads", 0, "demand", "series", value=[7843.0, 12363.0, 18913.0])),
         "workloads[0].demand.series", "got 3"),
    Case("series_too_long", mutated(put("workloads", 0, "demand", "series",
                                                value=[7843.0, 12363.0, 18913.0, 15742.0, 15742.0])),
         "workloads[0].demand.series", "got 5"),
    Case("series_length_follows_periods_per_year", mutated(put("horizon", "periods_per_year", value=2)),
         "workloads[0].demand.series", "8 values"),
    Case("year_map_starts_late_power", mutated(put("providers", 1, "power_mw", value={"2027": 60})),
         "providers[1].power_mw", "after the start year"),
    Case("year_map_starts_late_budget", mutated(put("budget", "per_year_usd", value={"2028": 2e9})),
         "budget.per_year_usd", "after the start year"),
    Case("year_map_starts_late_global_power", mutated(put("global_power_mw", value={"2027": 100})),
         "global_power_mw", "after the start year"),
    Case("year_map_starts_late_supply", mutated(put("offers", 0, "max_new_chips_per_year",
                                                    value={"2030": 1000})),
         "offers[0].max_new_chips_per_year", "after the start year"),
    Case("year_map_starts_late_multiplier", mutated(put("scenarios", "cases", 0, "demand_multiplier", "*",
                                                        value={"2027": 0.6})),
         "scenarios.cases[0].demand_multiplier.*", "after the start year"),
    Case("year_map_key_not_a_year", mutated(put("providers", 0, "power_mw", value={"2026": 40, "later": 80})),
         "providers[0].power_mw", "'later' is not a calendar year"),
    Case("year_map_same_year_twice", mutated(put("providers", 0, "power_mw", value={"2026": 40, " 2026": 80})),
         "providers[0].power_mw", "2026"),
    Case("points_key_not_a_year", mutated(put("workloads", 0, "demand",
                                              value={"points": {"2026": 7843.0, "later": 15742.0}})),
         "workloads[0].demand.points", "'later' is not a calendar year"),
    Case("budget_empty", mutated(put("budget", value={})), "budget", "give per_year_usd, total_usd or both"),
    Case("points_empty", mutated(put("workloads", 0, "demand", value={"points": {}})),
         "workloads[0].demand.points", "at least one point"),
    Case("year_map_empty", mutated(put("global_power_mw", value={})), "global_power_mw",
         "at least one year"),
    # --- other cross-field rules ------------------------------------------------------------------
    Case("probabilities_do_not_sum_to_one", mutated(put("scenarios", "cases", 1, "probability", value=0.4)),
         "scenarios.cases", "sum to 0.9"),
    Case("probabilities_sum_above_one", mutated(put("scenarios", "cases", 0, "probability", value=0.5)),
         "scenarios.cases", "sum to 1.25"),
    Case("available_until_before_from", mutated(put("offers", 0, "available", value={"from": 2028,
                                                                                     "until": 2027})),
         "offers[0].available", "before"),
    Case("spend_window_reversed", mutated(put("spend_commitments", 0, "years", value=[2031, 2027])),
         "spend_commitments[0].years", "after last year"),
    Case("spend_window_outside_horizon", mutated(put("spend_commitments", 0, "years", value=[2030, 2031])),
         "spend_commitments[0].years", "outside the horizon"),
    Case("capacity_window_outside_horizon", mutated(put("capacity_commitments", 1, "years",
                                                        value=[2020, 2025])),
         "capacity_commitments[1].years", "outside the horizon"),
    Case("providers_used_min_above_max", mutated(put("providers_used", value={"min": 2, "max": 1})),
         "providers_used", "greater than max"),
    Case("demand_two_forms", mutated(put("workloads", 0, "demand", "base", value=7843.0)),
         "workloads[0].demand", "exactly one"),
    Case("demand_no_form", mutated(put("workloads", 0, "demand", value={"peak_factor": 1.1})),
         "workloads[0].demand", "exactly one"),
    Case("monthly_profile_eleven_values", mutated(put("workloads", 0, "demand", "monthly_profile",
                                                      value=[1.0] * 11)),
         "workloads[0].demand.monthly_profile", "at least 12"),
    Case("annual_growth_without_base", mutated(put("workloads", 0, "demand", "annual_growth", value=0.3)),
         "workloads[0].demand.annual_growth", "base"),
    Case("max_share_zero", mutated(put("diversification", "max_share", value=0)),
         "diversification.max_share", "> 0"),
    Case("max_share_above_one", mutated(put("diversification", "max_share", value=1.5)),
         "diversification.max_share", "<= 1"),
    Case("commitment_years_one_item", mutated(put("spend_commitments", 0, "years", value=[2027])),
         "spend_commitments[0].years", "at least 2 items"),
    Case("commitment_years_three_items", mutated(put("capacity_commitments", 0, "years",
                                                     value=[2027, 2028, 2029])),
         "capacity_commitments[0].years", "at most 2 items"),
    Case("capacity_commitment_no_chips", mutated(put("capacity_commitments", 0, "chips", value=[])),
         "capacity_commitments[0].chips", "at least 1 item"),
    Case("scenarios_no_cases", mutated(put("scenarios", "cases", value=[])), "scenarios.cases",
         "at least 1 item"),
]

CASES_BY_ID = {c.id: c for c in CASES}
assert len(CASES_BY_ID) == len(CASES), "case ids must be unique"

#: The cases that also go through the command line (each subprocess pays ~1-2 s of imports).
CLI_CASES = [
    "malformed_json",
    "empty_file",
    "non_utf8_bytes",
    "directory_as_instance",
    "missing_file",
    "duplicate_key_nested",
    "nan",
    "unknown_field_nested",
    "power_mw_negative_in_year_map",
    "series_too_short",
    "offer_unknown_chip",
    "probabilities_do_not_sum_to_one",
    "huge_integer_literal",
    "unknown_id_with_rich_markup",
]


# --------------------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------------------


def run_cli(instance: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """``procure solve INSTANCE --out OUT`` in a subprocess, from the repository root."""
    return subprocess.run([sys.executable, "-m", "cli", "solve", str(instance), "--out", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=300, check=False)


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 45


@pytest.mark.parametrize("start", [lambda: copy.deepcopy(C01), base], ids=["c01", "c01_with_optional_sections"])
def test_starting_points_are_valid(start: Callable[[], dict[str, Any]], tmp_path: Path) -> None:
    """Every mutation starts from a valid instance, so the error is the mutation's own."""
    path = tmp_path / "valid.json"
    path.write_text(json.dumps(start(), indent=1), encoding="utf-8")
    inst = load_instance(path)
    assert inst.name == "c01_yearly_series"


@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_refused_in_process(case: Case, tmp_path: Path) -> None:
    source = case.make(tmp_path)
    with pytest.raises(InstanceError) as info:
        load_instance(source)
    e = info.value
    assert e.path == case.path, e.message
    assert case.phrase in e.problem, e.message
    assert e.file == str(source)
    assert e.message.startswith(str(source))
    assert "\n" not in e.message
    if case.line is not None:
        assert e.line == case.line, e.message
        assert e.message.startswith(f"{source}:{case.line}: "), e.message


@pytest.mark.parametrize("case", [CASES_BY_ID[i].param(cli=True) for i in CLI_CASES])
def test_refused_by_cli(case: Case, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    source = case.make(folder)
    out = tmp_path / "out"
    result = run_cli(source, out)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("error: "), line
    assert str(source) in line, line
    if case.line is not None:
        assert line.startswith(f"error: {source}:{case.line}: "), line
    if case.path:
        assert f": {case.path}: " in line, line
    assert case.phrase in line, line
    assert not out.exists() or not any(out.iterdir())


def _c01_with_integral_floats() -> dict[str, Any]:
    doc = copy.deepcopy(C01)
    doc["horizon"].update(start_year=2026.0, years=4.0, periods_per_year=1.0)
    doc["offers"][0]["term_months"] = 12.0
    doc["offers"][1]["block_chips"] = 1.0
    return doc


def test_integral_float_accepted_in_process(tmp_path: Path) -> None:
    """Spec §2: an integral value written as 12.0 is accepted where an integer is asked for."""
    path = tmp_path / "integral.json"
    path.write_text(json.dumps(_c01_with_integral_floats(), indent=1), encoding="utf-8")
    inst = load_instance(path)
    assert inst.offers[0].term_months == 12
    assert inst.horizon.start_year == 2026
    assert inst.offers[1].block_chips == 1


def test_integral_float_accepted_by_cli(tmp_path: Path) -> None:
    path = tmp_path / "integral.json"
    path.write_text(json.dumps(_c01_with_integral_floats(), indent=1), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(path, out)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""
    solution = json.loads((out / "solution.json").read_text(encoding="utf-8"))
    assert solution["status"] == "optimal"
