"""Rich renderables for sweeps, two-stage plans and the value of hedging (the CLI prints them).

Money is shown in short form ($412M, $3.20B), power in MW, shares in %.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pandas as pd
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from optimizer.diagnose import money
from optimizer.hedging import Hedging
from optimizer.scenarios import TwoStagePlan


def _table(title: str, columns: list[tuple[str, str]]) -> Table:
    table = Table(title=title, title_justify="left", show_edge=False, header_style="bold")
    for name, justify in columns:
        table.add_column(Text(name), justify=justify)  # type: ignore[arg-type]  # Text: no markup in paths
    return table


def _usd(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return money(0.0 if abs(value) < 0.5 else value)  # no "$-0" from solver round-off


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:g}" if isinstance(value, float) else str(value)


def sweep_table(table: pd.DataFrame, paths: list[str], most: int = 40) -> RenderableType:
    """The sweep's rows (the first ``most``) with the values set, status, NPV and key figures."""
    view = _table(f"Sweep: {len(table)} runs", [("run", "right"), *((p, "right") for p in paths),
                                                ("status", "left"), ("NPV", "right"), ("spend", "right"),
                                                ("peak MW", "right"), ("top share", "right"), ("providers", "left")])
    for row in table.head(most).to_dict("records"):
        status = str(row["status"])
        style = {"optimal": "green", "feasible": "yellow"}.get(status, "red")
        share, peak = row["largest_share"], row["peak_mw"]
        view.add_row(str(row["run"]), *(Text(_cell(row[p])) for p in paths), Text(status, style=style),
                     _usd(row["objective_usd"]), _usd(row["spend_usd"]), f"{peak:,.1f}" if pd.notna(peak) else "–",
                     f"{100 * share:.1f}%" if pd.notna(share) else "–", Text(_cell(row["providers_used"])))
    if len(table) > most:
        view.add_row("…", *([""] * len(paths)), f"{len(table) - most} more in sweep.csv", "", "", "", "", "")
    return view


def status_counts(table: pd.DataFrame) -> Text:
    counts = table.status.value_counts()
    return Text("runs: " + ", ".join(f"{n} {s}" for s, n in counts.items()))


def two_stage_view(plan: TwoStagePlan) -> Iterator[RenderableType]:
    """What to sign now, each scenario's outcome and the spread of outcomes."""
    now = _table(f"Sign now (first stage: contracts signed in the first {plan.first_stage_years} year(s), "
                 "the same in every scenario)", [("offer", "left"), ("provider", "left"), ("chip", "left"),
                                                 ("year", "right"), ("period", "right"), ("chips", "right"),
                                                 ("NPV", "right")])
    for r in plan.first_stage.itertuples():
        now.add_row(Text(str(r.offer)), Text(str(r.provider)), Text(str(r.chip)), str(r.year), str(r.period),
                    f"{r.chips:,.0f}", money(r.npv_usd))
    yield now if len(plan.first_stage) else Text("Sign now: nothing.")
    outcomes = _table("Outcome per scenario (NPV of that scenario alone; spend and shortfalls nominal)",
                      [("scenario", "left"), ("probability", "right"), ("NPV", "right"), ("first stage", "right"),
                       ("recourse", "right"), ("later contracts", "right"), ("spend", "right"),
                       ("shortfall", "right"), ("peak MW", "right")])
    later = plan.recourse.groupby(plan.recourse.scenario.map(str)).size() if not plan.recourse.empty else {}
    for r in plan.outcomes.itertuples():
        outcomes.add_row(Text(str(r.scenario)), f"{r.probability:g}", money(r.npv_usd), money(r.first_stage_npv_usd),
                         money(r.recourse_npv_usd), str(later.get(str(r.scenario), 0)), money(r.spend_usd),
                         money(r.shortfall_usd), f"{r.peak_mw:,.1f}")
    yield outcomes
    spread = _table("Spread of outcomes", [("", "left"), ("worst", "right"), ("expected", "right"),
                                           ("best", "right")])
    for metric, label in (("npv_usd", "NPV"), ("spend_usd", "spend"), ("shortfall_usd", "shortfall")):
        s = plan.spread.loc[metric]
        if pd.isna(s.worst):
            continue
        spread.add_row(label, f"{money(s.worst)} ({s.worst_scenario})", money(s.expected),
                       f"{money(s.best)} ({s.best_scenario})")
    yield spread


def hedging_view(h: Hedging) -> RenderableType:
    """RP, WS, EVPI, EV, EEV and VSS, one per line with what each means."""
    view = _table("Value of hedging (NPV)", [("", "left"), ("USD", "right"), ("", "left")])
    view.add_row("two-stage plan (RP)", money(h.stochastic_usd), "the plan: sign now, adapt later")
    view.add_row("wait and see (WS)", money(h.wait_and_see_usd), "each scenario solved alone, weighted")
    view.add_row("EVPI = RP − WS", _usd(h.evpi_usd), "what knowing the outcome before signing is worth", style="bold")
    view.add_row("mean-value plan (EV)", _usd(h.mean_value_usd), "planned for the probability-weighted mean demand")
    view.add_row("its first stage, adapted (EEV)", _usd(h.eev_usd), "expected NPV of signing EV's first stage")
    vss = h.vss_usd
    view.add_row("VSS = EEV − RP", _usd(vss) if math.isfinite(vss) else "∞ (EV's first stage fails in a scenario)",
                 "what planning for the spread saves over planning for the mean", style="bold")
    return view


def pareto_lines(table: pd.DataFrame, path: str) -> Iterator[Text]:
    """One line per Pareto run: the value, the NPV and the largest share (dominated plans marked)."""
    for r in table.itertuples():
        npv = f"{money(r.objective_usd)} ({r.objective_usd:,.0f} USD)" if pd.notna(r.objective_usd) else str(r.status)
        share = f", largest share {100 * r.largest_share:.1f}% ({r.largest_provider})" \
            if pd.notna(r.largest_share) else ""
        yield Text(f"{path}={_cell(r.value)}: {npv}{share}" + ("" if r.efficient or pd.isna(r.objective_usd)
                                                                 else "  (dominated)"))
