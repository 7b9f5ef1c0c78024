"""The ``ranges`` view: each provider's (chip family's, first-stage contract line's) least and most
within ε of the cheapest plan, with the optimum's value and the shares of total MW-years.

A row whose extreme a time limit stopped shows a bound (``≥ 12.3``, ``≤ 40.0``), never a range.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from rich.console import RenderableType
from rich.text import Text

from optimizer.analysis.range_files import UNIT, percent, sentence
from optimizer.analysis.ranges import Ranges
from optimizer.terminal.tables import titled_table
from optimizer.units import number, plural, usd


def _share(value: float, status: str = "optimal", bound: str = "") -> str:
    if value is None or not math.isfinite(value):
        return "–"
    text = f"{100 * value:.1f}%"
    return f"{bound} {text}" if status == "time_limit" and bound else text


def _value(value: float, status: str, bound: str, decimals: int) -> Text:
    if value is None or not math.isfinite(value):
        return Text("?" if status == "time_limit" else "–", style="yellow" if status == "time_limit" else "red")
    text = number(value, decimals)
    if status == "time_limit":
        return Text(f"{bound} {text}", style="yellow")
    return Text(text, style="red") if status == "error" else Text(text)


def ranges_view(result: Ranges) -> Iterator[RenderableType]:
    """A heading line, the table and one sentence per row (providers and chip families)."""
    by, u = result.by, UNIT[result.by]
    table = result.table
    yield Text(f"{result.instance}: the cheapest plan costs {usd(result.objective_usd)} (NPV); plans within "
               f"{percent(result.within)} cost at most {usd(_limit(result))}", style="bold")
    if by == "first-stage":
        view = titled_table(f"First-stage contract lines: chips within {percent(result.within)} of the cheapest "
                            f"({plural(len(table), 'line')})",
                            [("offer", "left"), ("provider", "left"), ("chip", "left"), ("period", "right"),
                             ("year", "right"), ("optimum", "right"), ("least", "right"), ("most", "right"),
                             ("firm", "left")])
        for r in table.to_dict("records"):
            view.add_row(Text(str(r["offer"])), Text(str(r["provider"])), Text(str(r["chip"])), str(r["period"]),
                         str(r["year"]), number(r[f"optimum_{u}"], 0),
                         _value(r[f"min_{u}"], r["min_status"], "≥", 0), _value(r[f"max_{u}"], r["max_status"], "≤", 0),
                         Text("firm", style="green") if r["firm"] else Text("open"))
        yield view
        firm = int(table.firm.sum()) if len(table) else 0
        yield Text(f"{plural(firm, 'line')} firm (every plan within {percent(result.within)} signs it), "
                   f"{len(table) - firm} open (some such plan signs none)")
    else:
        key = "provider" if by == "provider" else "chip"
        view = titled_table(f"Held MW-years within {percent(result.within)} of the cheapest plan, by {key}",
                            [(key, "left"), ("optimum", "right"), ("least", "right"), ("most", "right"),
                             ("optimum share", "right"), ("least share", "right"), ("most share", "right")])
        for r in table.to_dict("records"):
            view.add_row(Text(str(r[key])), number(r[f"optimum_{u}"], 1),
                         _value(r[f"min_{u}"], r["min_status"], "≥", 1), _value(r[f"max_{u}"], r["max_status"], "≤", 1),
                         _share(r["optimum_share"]), _share(r["min_share"], r["min_status"], "≥"),
                         _share(r["max_share"], r["max_status"], "≤"))
        yield view
        yield Text("Shares are of the total MW-years held in the same plan (the optimum, or the extreme plan).",
                   style="dim")
        for r in table.to_dict("records"):
            yield Text(sentence(r, result.within, by))
    if result.bounded:
        yield Text("A time limit stopped some extremes: their rows show what is proven (≥ least, ≤ most), "
                   "not the range; raise --time-limit for the range itself.", style="yellow")
    for r in table.to_dict("records"):
        for side in ("min", "max"):
            if r[f"{side}_status"] == "error":
                yield Text(f"{' '.join(str(r[k]) for k in table.columns[:1])}: the "
                           f"{'least' if side == 'min' else 'most'} could not be solved", style="red")


def _limit(result: Ranges) -> float | None:
    f = result.objective_usd
    return None if f is None else f + result.within * abs(f)

