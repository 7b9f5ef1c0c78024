"""Near-optimal ranges as files (``ranges.json``, ``ranges.csv``) and in words; no solver needed.

``ranges.json`` (spec §11, with more keys)::

    {"instance", "within", "objective_usd", "by", "status",
     "providers": [{"provider", "optimum_mw_years", "min_mw_years", "max_mw_years",
                    "min_status", "max_status", "min_plan_mw_years", "max_plan_mw_years",
                    "optimum_share", "min_share", "max_share", "min_plan", "max_plan"}, …]}

The rows' key is "providers" by provider, "chips" by chip family (the same columns with "chip"),
"contracts" by first-stage contract line (``offer``, ``provider``, ``chip``, ``period``, ``year``,
``optimum_chips``, ``min_chips``, ``max_chips``, …, ``firm``). A status "time_limit" means the solve of
that extreme stopped early: ``min_*`` is then a proven lower bound on the least (``max_*`` an upper
bound on the most), and ``*_plan_*`` the value in the plan found. ``min_plan``/``max_plan`` name the
extreme plan's folder under ``plans/``. This module is read by the report, which never reaches the solver.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from optimizer.results.files import csv_text, json_record
from optimizer.units import number

RANGES_JSON, RANGES_CSV, PLANS = "ranges.json", "ranges.csv", "plans"
"""The files ``procure ranges --out DIR`` writes beside the optimum's plan, and the extreme plans' folder."""

ROWS = {"provider": "providers", "chip": "chips", "first-stage": "contracts"}
"""The JSON key of the rows, by what the ranges measure."""

UNIT = {"provider": "mw_years", "chip": "mw_years", "first-stage": "chips"}
"""The suffix of the value columns, by what the ranges measure."""

KEYS = {"provider": ["provider"], "chip": ["chip"], "first-stage": ["offer", "provider", "chip", "period", "year"]}
"""The label columns of a row, by what the ranges measure."""


def columns(by: str) -> list[str]:
    """Every column of a ranges table, in order."""
    u = UNIT[by]
    values = [f"optimum_{u}", f"min_{u}", f"max_{u}", "min_status", "max_status", f"min_plan_{u}", f"max_plan_{u}"]
    extra = ["firm"] if by == "first-stage" else ["optimum_share", "min_share", "max_share"]
    return [*KEYS[by], *values, *extra, "min_plan", "max_plan"]


def ranges_json(instance: str, within: float, objective_usd: float | None, by: str, table: pd.DataFrame,
                status: str = "optimal") -> str:
    """The text of ``ranges.json``."""
    rows = [{k: None if isinstance(v, float) and math.isinf(v) else v for k, v in json_record(r).items()}
            for r in table.to_dict(orient="records")]  # an unknown bound (∞) is null, as NaN is
    data = {"instance": instance, "within": within, "objective_usd": objective_usd, "by": by, "status": status,
            ROWS[by]: rows}
    return json.dumps(data, indent=1, allow_nan=False) + "\n"


def range_files(instance: str, within: float, objective_usd: float | None, by: str, table: pd.DataFrame,
                status: str = "optimal") -> dict[str, str]:
    """``ranges.json`` and ``ranges.csv``, by name."""
    return {RANGES_JSON: ranges_json(instance, within, objective_usd, by, table, status), RANGES_CSV: csv_text(table)}


def read_ranges(folder: str | Path) -> dict[str, Any] | None:
    """``folder/ranges.json`` parsed, its rows as a DataFrame under ``"table"``; None when there is none."""
    path = Path(folder) / RANGES_JSON
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        by = data.get("by", "provider")
        data["table"] = pd.DataFrame(data[ROWS[by]], columns=columns(by))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    data["by"] = by
    return data


def percent(within: float) -> str:
    """ε in words: ``1%``, ``0.5%``, ``0%``."""
    return f"{100 * within:.4g}%"


def span(low: float, high: float, low_status: str = "optimal", high_status: str = "optimal", decimals: int = 1,
         scale: float = 1.0, unit: str = "") -> str:
    """``18.2–41.0`` (with ``unit``); a bound from a time limit reads ``≥ 18.2`` or ``≤ 41.0``."""
    def shown(value: float) -> str:
        return "?" if value is None or not math.isfinite(value) else number(value * scale, decimals)

    lo, hi = shown(low), shown(high)
    lo = f"≥ {lo}" if low_status == "time_limit" else lo
    hi = f"≤ {hi}" if high_status == "time_limit" else hi
    text = lo if lo == hi else f"{lo}–{hi}"
    return f"{text}{unit}"


def sentence(row: dict[str, Any], within: float, by: str = "provider") -> str:
    """One row in words: "Any plan within 1% of the cheapest holds 18–41% of MW-years at oracle (…)."."""
    u = UNIT[by]
    lead = f"Any plan within {percent(within)} of the cheapest"
    low, high, ls, hs = row[f"min_{u}"], row[f"max_{u}"], row["min_status"], row["max_status"]
    if by == "first-stage":
        verb = "signs" if row.get("firm") else "may sign"
        return (f"{lead} {verb} {span(low, high, ls, hs, 0)} chips of {row['offer']} in period {row['period']} "
                f"({row['year']}); the cheapest plan signs {number(row[f'optimum_{u}'], 0)}.")
    where = f"at {row['provider']}" if by == "provider" else f"on {row['chip']} chips"
    mw = span(low, high, ls, hs, 1, unit=" MW-years")
    shares = (row.get("min_share"), row.get("max_share"))
    if all(isinstance(s, int | float) and math.isfinite(s) for s in shares):
        share = span(shares[0], shares[1], ls, hs, 0, scale=100.0, unit="%")
        return f"{lead} holds {share} of MW-years {where} ({mw}; the cheapest plan {number(row[f'optimum_{u}'], 1)})."
    return f"{lead} holds {mw} {where} (the cheapest plan {number(row[f'optimum_{u}'], 1)})."
