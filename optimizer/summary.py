"""A human summary of a :class:`Solution` as rich renderables (the CLI prints them).

NPV, spend per provider per year, MW per provider per year, chip mix, binding limits and
commitment shortfalls; with scenarios, yearly figures are probability-weighted expectations.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from optimizer.diagnose import money
from optimizer.results import Solution


def _expected(df: pd.DataFrame, sol: Solution, by: list[str], value: str) -> pd.DataFrame:
    """Probability-weighted sum of ``value`` over scenarios, pivoted to ``by[0]`` × year."""
    if df.empty:
        return pd.DataFrame()
    prob = dict(zip(sol.scenarios, sol.probabilities, strict=True))
    weighted = df.assign(_v=df[value] * df["scenario"].map(lambda s: prob.get(s, 1.0)))
    return weighted.groupby(by)["_v"].sum().unstack("year", fill_value=0.0)


def _year_table(title: str, grid: pd.DataFrame, fmt, total: bool = True) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, header_style="bold")
    table.add_column("")
    years = list(grid.columns)
    for y in years:
        table.add_column(str(y), justify="right")
    for name, row in grid.iterrows():
        table.add_row(str(name), *(fmt(v) for v in row))
    if total and len(grid) > 1:
        table.add_row("total", *(fmt(v) for v in grid.sum(axis=0)), style="bold")
    return table


def _musd(v: float) -> str:
    return "–" if abs(v) < 0.5e6 else f"{v / 1e6:,.0f}"


def _mw(v: float) -> str:
    return "–" if abs(v) < 0.05 else f"{v:,.1f}"


def _chips(v: float) -> str:
    return "–" if abs(v) < 0.5 else f"{v:,.0f}"


def summary(sol: Solution) -> Iterator[RenderableType]:
    """Renderables, in order: headline, tables, binding limits (or the diagnosis)."""
    yield headline(sol)
    if sol.diagnosis:
        yield Text("The instance is infeasible. Limits that must move:", style="bold red")
        for f in sol.diagnosis:
            yield Text(f"  • {f['message']}")
        return
    if not sol.has_plan:
        return
    expected = " (expected over scenarios)" if len(sol.scenarios) > 1 else ""
    yield _year_table(f"Spend by provider, nominal $M{expected}",
                      _expected(sol.payments, sol, ["provider", "year"], "total_usd"), _musd)
    power = sol.power.groupby(["provider", "year", "scenario"], dropna=False)["mw"].max().reset_index()
    yield _year_table(f"Peak MW held by provider{expected}", _expected(power, sol, ["provider", "year"], "mw"),
                      _mw)
    if not sol.active.empty:
        per_year = sol.active.groupby(["chip", "year", "scenario"], dropna=False)["chips"].mean().reset_index()
        yield _year_table(f"Chip mix, mean active chips{expected}",
                          _expected(per_year, sol, ["chip", "year"], "chips"), _chips, total=False)
    if not sol.shortfalls.empty:
        yield Text("Spend-commitment shortfalls (paid as take-or-pay): " + "; ".join(
            f"commitment {r.commitment} ({r.provider}) {money(r.usd)}"
            + (f" in {r.scenario}" if r.scenario is not None else "") for r in sol.shortfalls.itertuples()))
    yield binding_table(sol)


def headline(sol: Solution) -> Text:
    style = {"optimal": "bold green", "feasible": "bold yellow"}.get(str(sol.status), "bold red")
    text = Text()
    text.append(f"{sol.instance}: ", style="bold")
    text.append(str(sol.status), style=style)
    if sol.objective_usd is not None:
        text.append(f"   NPV {money(sol.objective_usd)} ({sol.objective_usd:,.0f} USD)")
    if sol.mip_gap is not None:
        text.append(f"   MIP gap {sol.mip_gap:.2e}")
    if sol.providers_used:
        text.append(f"   providers used: {', '.join(sol.providers_used)}")
    if sol.timings:
        text.append(f"   {sum(sol.timings.values()):.2f} s", style="dim")
    return text


def binding_table(sol: Solution, most: int = 12) -> RenderableType:
    """Binding limits other than demand, grouped by limit and place (periods collapsed)."""
    b = sol.binding
    b = b[b["limit"] != "demand"] if not b.empty else b
    if b.empty:
        return Text("Binding limits: none besides demand.")
    table = Table(title="Binding limits", title_justify="left", show_edge=False, header_style="bold")
    table.add_column("limit")
    table.add_column("where")
    table.add_column("times", justify="right")
    grouped = b.assign(place=b["where"].str.replace(r" P\d+ \(period \d+\)", "", regex=True))
    counts = grouped.groupby(["limit", "place"], sort=False).size()
    for (limit, place), n in list(counts.items())[:most]:
        table.add_row(limit, place, str(n))
    if len(counts) > most:
        table.add_row("…", f"{len(counts) - most} more in binding.csv", "")
    return table
