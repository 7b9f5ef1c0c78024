"""A human summary of a :class:`Solution` as rich renderables (the CLI prints them).

NPV, spend per provider per year, MW per provider per year, chip mix, binding limits and
commitment shortfalls; with scenarios, yearly figures are probability-weighted expectations.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
from rich.console import Group, RenderableType
from rich.text import Text

from optimizer.results.figures import npv_basis, peak_power_mw, weighted
from optimizer.results.obligations import committed_by_provider, sign_now_rule
from optimizer.results.solution import Solution
from optimizer.terminal.tables import titled_table
from optimizer.units import UNIT_NOTES, count, per_unit, usd


def _expected(df: pd.DataFrame, sol: Solution, by: list[str], value: str) -> pd.DataFrame:
    """Probability-weighted sum of ``value`` over scenarios, pivoted to ``by[0]`` × year."""
    if df.empty:
        return pd.DataFrame()
    return weighted(df, sol, by, [value]).set_index(by)[value].unstack("year", fill_value=0.0).sort_index()


def _year_table(title: str, grid: pd.DataFrame, fmt, total: bool = True) -> RenderableType:
    table = titled_table(title)
    table.add_column("")
    years = list(grid.columns)
    for y in years:
        table.add_column(str(y), justify="right")
    for name, row in grid.iterrows():
        table.add_row(Text(str(name)), *(fmt(v) for v in row))
    if total and len(grid) > 1:
        table.add_row("total", *(fmt(v) for v in grid.sum(axis=0)), style="bold")
    return table


def _scaled(grid: pd.DataFrame, units: list[tuple[float, str, int]]) -> tuple[str, object]:
    """Pick the first unit (divisor, label, decimals) that shows the largest value (or total) in 5 digits."""
    top = float(max(grid.abs().to_numpy().max(), grid.sum(axis=0).abs().max())) if grid.size else 0.0
    divisor, label, decimals = next((u for u in units if top / u[0] * 10 ** u[2] < 1e5), units[-1])

    def fmt(v: float) -> str:
        shown = v / divisor
        return "–" if abs(shown) < 0.5 * 10 ** -decimals else f"{shown:,.{decimals}f}"

    return label, fmt


MONEY_UNITS = [(1e6, "$M", 0), (1e9, "$B", 1)]
MW_UNITS = [(1.0, "MW", 1), (1.0, "MW", 0)]
CHIP_UNITS = [(1.0, "chips", 0), (1e3, "thousand chips", 0)]


def _table(title: str, grid: pd.DataFrame, units: list[tuple[float, str, int]], total: bool = True) -> RenderableType:
    label, fmt = _scaled(grid, units)
    return _year_table(title.format(unit=label), grid, fmt, total)


def _peak_power_table(sol: Solution) -> RenderableType:
    """Peak power held per provider and year; the total row is the peak of all providers together
    (the most MW held in any one period), not the sum of each provider's own peak."""
    worst = " (largest over scenarios)" if len(sol.scenarios) > 1 else ""
    grid = peak_power_mw(sol.power, ["provider", "year"]).unstack("year", fill_value=0.0)
    label, fmt = _scaled(grid, MW_UNITS)
    view = _year_table(f"Peak power held by provider, {label}{worst}", grid, fmt, total=False)
    if len(grid) > 1:
        view.add_row("all providers", *(fmt(v) for v in peak_power_mw(sol.power, ["year"])),
                                    style="bold")
    return view


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
    if sol.inputs is not None:
        yield sign_now_table(sol)
    expected = " (expected over scenarios)" if len(sol.scenarios) > 1 else ""
    yield _table(f"Spend by provider, nominal {{unit}}{expected}",
                 _expected(sol.payments, sol, ["provider", "year"], "total_usd"), MONEY_UNITS)
    yield _peak_power_table(sol)
    if not sol.active.empty:
        per_year = (sol.active.groupby(["chip", "year", "scenario"], dropna=False)["chips"].sum()
                    / sol.periods_per_year).reset_index()
        yield _table(f"Chip mix, mean active {{unit}}{expected}",
                     _expected(per_year, sol, ["chip", "year"], "chips"), CHIP_UNITS, total=False)
    if len(sol.scenarios) > 1 and sol.inputs is not None:
        from optimizer.analysis.scenarios import two_stage
        from optimizer.terminal.views import two_stage_view

        yield from two_stage_view(two_stage(sol))
    if not sol.shortfalls.empty:
        yield Text("Spend-commitment shortfalls (paid as take-or-pay): " + "; ".join(
            f"commitment {r.commitment} ({r.provider}) {usd(r.usd)}"
            + (f" in {r.scenario}" if r.scenario is not None else "") for r in sol.shortfalls.itertuples()))
    yield binding_table(sol)


def sign_now_table(sol: Solution) -> RenderableType:
    """The decision first: the contracts to sign now per provider (docs/kpis.md, "Sign now")."""
    by = committed_by_provider(sol)
    _, rule = sign_now_rule(sol)
    if by.empty:
        return Text(f"Sign now: nothing ({rule}).")
    table = titled_table(f"Sign now: {rule}; {usd(by.value_usd.sum())} in contract value (sign_now.csv)",
                         [("provider", "left"), ("contracts", "right"), ("chips", "right"), ("MW", "right"),
                          ("contract value", "right")])
    for r in by.itertuples():
        table.add_row(Text(str(r.provider)), str(r.contracts), count(r.chips),
                      f"{r.mw:,.{1 if abs(r.mw) < 100 else 0}f}", usd(r.value_usd))
    return table


def headline(sol: Solution) -> Text:
    style = {"optimal": "bold green", "feasible": "bold yellow"}.get(str(sol.status), "bold red")
    text = Text()
    text.append(f"{sol.instance}: ", style="bold")
    text.append(str(sol.status), style=style)
    if sol.objective_usd is not None:
        text.append(f"   NPV{npv_basis(sol)} {usd(sol.objective_usd)} ({sol.objective_usd:,.0f} USD)")
    if sol.cvar_usd is not None and sol.expected_cost_usd is not None and sol.inputs and sol.inputs.risk:
        risk = sol.inputs.risk  # §10.7: the NPV above is the blend of these two
        text.append(f"   expected cost {usd(sol.expected_cost_usd)}, CVaR({risk.cvar_alpha:g}) {usd(sol.cvar_usd)}"
                    f" (weight {risk.weight:g})")
    if sol.mip_gap is not None:
        text.append(f"   MIP gap {sol.mip_gap:.2e}")
    if sol.providers_used:
        text.append(f"   providers used: {', '.join(sol.providers_used)}")
    if sol.timings:
        text.append(f"   {sum(sol.timings.values()):.2f} s", style="dim")
    return text


def binding_table(sol: Solution, most: int = 12) -> RenderableType:
    """Binding limits other than demand, by calendar year, with their shadow prices."""
    b = sol.binding
    b = b[b["limit"] != "demand"] if not b.empty else b
    if b.empty:
        return Text("Binding limits: none besides demand.")
    per_year = b.groupby(["limit", "subject", "year", "scenario"], dropna=False, sort=False).size()
    prices = sol.shadow_prices.set_index(["limit", "subject", "year", "scenario"]).shadow_price \
        if not sol.shadow_prices.empty else pd.Series(dtype=float)
    units = dict(zip(b.limit, b.price_unit, strict=False))
    table = titled_table("Binding limits" + (f" ({sol.duals_note})" if sol.duals_note else ""),
                               [("limit", "left"), ("subject", "left"), ("year", "right"), ("periods", "right"),
                                ("shadow price", "right")])
    scenarios = len(sol.scenarios) > 1
    if scenarios:
        table.add_column("scenario")
    for (limit, subject, year, scenario), n in list(per_year.items())[:most]:
        value = prices.get((limit, subject, year, scenario))
        shown = "" if value is None or pd.isna(value) else per_unit(value, units.get(limit) or "")
        cells = [Text(str(limit)), Text(str(subject)), "" if pd.isna(year) else str(int(year)), str(n), Text(shown)]
        table.add_row(*cells, *([Text(str(scenario))] if scenarios else []))
    if len(per_year) > most:
        table.add_row("…", f"{len(per_year) - most} more in binding.csv", "", "", "")
    notes = ["shadow price: the change in NPV for one more unit of the limit (negative: the plan gets cheaper)"]
    notes += [note for abbreviation, note in UNIT_NOTES.items()
              if any(str(u).endswith(f" {abbreviation}") for u in units.values())]
    return Group(table, Text("; ".join(notes), style="dim"))
