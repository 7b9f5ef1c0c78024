"""A row of the model in the instance's words: what it limits, where, when, and the JSON path.

:func:`describe` is the one place that turns (family, index) into text; the table of limits
(:mod:`optimizer.results.limits`), the IIS (:mod:`optimizer.analysis.iis`) and the diagnosis
(:mod:`optimizer.analysis.diagnose`) all use it, each with the family's templates
(:class:`~optimizer.model.families.Family`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from optimizer.model.families import Family, Registry, active
from optimizer.prepare.arrays import Prepared

PERIOD_LETTERS = ("t", "tau")
"""Index names of a period (``tau``: the period a contract is signed in)."""
TIME_AND_SCENARIO = frozenset({*PERIOD_LETTERS, "y", "s", "n"})
"""Index names that say when and in which scenario, not what (see :func:`subject_key`)."""


@dataclass(frozen=True)
class Described:
    """One row in words (see :func:`describe`)."""

    family: Family
    index: tuple
    subject: str  # what the limit is on, in the table of limits: "aws", "per year", "total"
    where: str  # what it limits: "aws", "aws GB200/GB300", "" (for a limit on the whole plan)
    place: str  # where and when, in the table of limits: "aws 2027 P2", "whole horizon"
    when: str  # "2027", "2027 P2" ("" for a row not tied to a period or year)
    period: int | None
    year: int | None  # calendar year
    scenario: str | None  # scenario id (None without scenarios, or for a contract shared by all)
    path: str  # JSON path of the input: "providers[1].power_mw"
    unit: str  # of the limit, "metric" resolved to the workload's metric ("PFLOPS")
    words: Mapping[str, Any]  # everything the family's templates may use

    def unit_of(self, unit: str) -> str:
        """``unit`` with "metric" resolved (the workload's, or diversification's metric)."""
        return _unit(unit, self.words)

    def text(self, template: str, **more: Any) -> str:
        return template.format(**{**self.words, **more})


def describe(prep: Prepared, family: Family | str, index: tuple, registry: Registry | None = None) -> Described:
    """A row of ``family`` (a record, or its name or alias in ``registry``, default the active one)."""
    record = family if isinstance(family, Family) else (registry or active())[family]
    words, period, year, s = _words(prep, record, tuple(int(i) for i in index))
    subject = record.subject.format(**words).strip()  # e.g. a spend commitment's chips, when it names none
    words["subject"] = subject
    words["where"] = where = record.where.format(**words)
    place = record.place.format(**words).strip()
    scenario = prep.scenario_ids[s] if s is not None else None
    path = record.path.format(**words)
    return Described(record, tuple(index), subject, where, place, words["when"], period, year, scenario, path,
                     _unit(record.unit, words), words)


def _unit(unit: str, words: Mapping[str, Any]) -> str:
    return str(words.get("metric", unit)) if unit == "metric" else unit


def subject_key(family: Family, index: tuple) -> tuple:
    """The index without its period, year and scenario: which limit of the family it is."""
    return tuple(int(i) for name, i in zip(family.index, index, strict=True) if name not in TIME_AND_SCENARIO)


def scenario_index(family: Family, index: tuple) -> int | None:
    """The row's scenario ``s`` (None for a row of all scenarios)."""
    named = dict(zip(family.index, index, strict=True))
    return int(named["s"]) if "s" in named else None


def _words(prep: Prepared, family: Family, index: tuple) -> tuple[dict[str, Any], int | None, int | None, int | None]:
    """The template words of a row, and its period, calendar year and scenario index."""
    inst, per = prep.instance, prep.periods
    words: dict[str, Any] = {"instance": inst, "when": ""}
    named = dict(zip(family.index, index, strict=True))
    words.update(named)
    period = year = s = None
    if "o" in named:
        words["offer"] = prep.offer_ids[named["o"]]
        words.setdefault("p", int(prep.offer_provider[named["o"]]))
    if "p" in words:
        words["provider"] = prep.provider_ids[words["p"]]
    if "w" in named:
        words["workload"] = prep.workload_ids[named["w"]]
        words["metric"] = inst.workloads[named["w"]].metric
    if "k" in named:
        words.update(_item_words(inst, family.path, named["k"]))
    for letter in PERIOD_LETTERS:
        if letter in named:
            period = named[letter]
            year = int(per.start_year + per.year_index[period])
            words["when"] = str(year) if per.per_year == 1 else f"{year} P{period % per.per_year + 1}"
    if "y" in named:
        year = per.start_year + named["y"]
        words["when"] = str(year)
    if "s" in named:
        s = named["s"]
    elif "n" in named:  # a contract's scenario copy: none when it is shared (first stage)
        s = None if period is not None and prep.first_stage[period] else named["n"]
    if family.words is not None:
        words.update(family.words(prep))
    return words, period, year, s


def _item_words(inst: Any, path: str, k: int) -> dict[str, Any]:
    """Words for the ``k``-th item of the list the path names (e.g. ``capacity_commitments[{k}]``)."""
    match = re.match(r"(\w+)\[\{k\}\]", path)
    if match is None:
        return {}
    item = getattr(inst, match.group(1))[k]
    words: dict[str, Any] = {"item": item}
    if hasattr(item, "provider"):
        words["provider"] = item.provider
    if hasattr(item, "chips"):
        words["chips"] = "/".join(item.chips or ())  # a spend commitment's are optional (§10.1)
    if hasattr(item, "years"):
        words["years"] = f"{item.years[0]}–{item.years[1]}"
    return words


__all__ = ["Described", "describe", "scenario_index", "subject_key"]
