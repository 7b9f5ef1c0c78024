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

from optimizer.analysis.hedging import Hedging
from optimizer.analysis.scenarios import TwoStagePlan
from optimizer.report.compare import Comparison
from optimizer.report.compare_figures import formatted, sections
from optimizer.results.figures import npv_basis
from optimizer.terminal.tables import titled_table
from optimizer.units import number, plural, signed_usd, usd


def _table(title: str, columns: list[tuple[str, str]]) -> Table:
    return titled_table(title, columns)


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:g}" if isinstance(value, float) else str(value)


def sweep_table(table: pd.DataFrame, paths: list[str], most: int = 40) -> RenderableType:
    """The sweep's rows (the first ``most``) with the values set, status, NPV and key figures."""
    view = _table(f"Sweep: {len(table)} runs", [("run", "right"), *((p, "right") for p in paths),
                                                ("status", "left"), ("NPV", "right"), ("spend", "right"),
                                                ("peak power held, MW", "right"), ("top share", "right"),
                                                ("providers", "left")])
    for row in table.head(most).to_dict("records"):
        status = str(row["status"])
        style = {"optimal": "green", "feasible": "yellow"}.get(status, "red")
        share, peak = row["largest_share"], row["peak_mw"]
        view.add_row(str(row["run"]), *(Text(_cell(row[p])) for p in paths), Text(status, style=style),
                     usd(row["objective_usd"]), usd(row["spend_usd"]), f"{peak:,.1f}" if pd.notna(peak) else "–",
                     f"{100 * share:.1f}%" if pd.notna(share) else "–", Text(_cell(row["providers_used"])))
    if len(table) > most:
        view.add_row("…", *([""] * len(paths)), f"{len(table) - most} more in sweep.csv", "", "", "", "", "")
    return view


def status_counts(table: pd.DataFrame) -> Text:
    counts = table.status.value_counts()
    return Text("runs: " + ", ".join(f"{n} {s}" for s, n in counts.items()))


def two_stage_view(plan: TwoStagePlan) -> Iterator[RenderableType]:
    """What to sign now, each scenario's outcome and the spread of outcomes."""
    now = _table(f"Sign now (first stage: contracts signed in the first {plural(plan.first_stage_years, 'year')}, "
                 "the same in every scenario)", [("offer", "left"), ("provider", "left"), ("chip", "left"),
                                                 ("year", "right"), ("period", "right"), ("chips", "right"),
                                                 ("NPV", "right")])
    for r in plan.first_stage.itertuples():
        now.add_row(Text(str(r.offer)), Text(str(r.provider)), Text(str(r.chip)), str(r.year), str(r.period),
                    f"{r.chips:,.0f}", usd(r.npv_usd))
    yield now if len(plan.first_stage) else Text("Sign now: nothing.")
    outcomes = _table("Outcome per scenario (NPV of that scenario alone; spend and shortfalls nominal)",
                      [("scenario", "left"), ("probability", "right"), ("NPV", "right"), ("first stage", "right"),
                       ("recourse", "right"), ("later contracts", "right"), ("spend", "right"),
                       ("shortfall", "right"), ("peak power held, MW", "right")])
    later = plan.recourse.groupby(plan.recourse.scenario.map(str)).size() if not plan.recourse.empty else {}
    for r in plan.outcomes.itertuples():
        outcomes.add_row(Text(str(r.scenario)), f"{r.probability:g}", usd(r.npv_usd), usd(r.first_stage_npv_usd),
                         usd(r.recourse_npv_usd), str(later.get(str(r.scenario), 0)), usd(r.spend_usd),
                         usd(r.shortfall_usd), f"{r.peak_mw:,.1f}")
    yield outcomes
    spread = _table("Spread of outcomes", [("", "left"), ("worst", "right"), ("expected", "right"),
                                           ("best", "right")])
    for metric, label in (("npv_usd", "NPV"), ("spend_usd", "spend"), ("shortfall_usd", "shortfall")):
        s = plan.spread.loc[metric]
        if pd.isna(s.worst):
            continue
        spread.add_row(label, f"{usd(s.worst)} ({s.worst_scenario})", usd(s.expected),
                       f"{usd(s.best)} ({s.best_scenario})")
    yield spread


def hedging_view(h: Hedging) -> RenderableType:
    """RP, WS, EVPI, EV, EEV and VSS, one per line with what each means."""
    view = _table("Value of hedging (NPV)", [("", "left"), ("USD", "right"), ("", "left")])
    view.add_row("two-stage plan (RP)", usd(h.stochastic_usd), "the plan: sign now, adapt later")
    view.add_row("wait and see (WS)", usd(h.wait_and_see_usd), "each scenario solved alone, weighted")
    view.add_row("EVPI = RP - WS", usd(h.evpi_usd), "what knowing the outcome before signing is worth", style="bold")
    view.add_row("mean-value plan (EV)", usd(h.mean_value_usd), "planned for the probability-weighted mean demand")
    view.add_row("its first stage, adapted (EEV)", usd(h.eev_usd), "expected NPV of signing EV's first stage")
    vss = h.vss_usd
    view.add_row("VSS = EEV - RP", usd(vss) if math.isfinite(vss) else "∞ (EV's first stage fails in a scenario)",
                 "what planning for the spread saves over planning for the mean", style="bold")
    if h.stochastic_cvar_usd is not None:  # §10.7: the NPVs above are blends of expected cost and CVaR
        view.add_row("CVaR of the two-stage plan", usd(h.stochastic_cvar_usd), "its worst scenarios' expected cost")
        view.add_row("CVaR of EV's first stage", usd(h.mean_plan_cvar_usd) if h.mean_plan_cvar_usd is not None
                     else "-", "the same, signing the mean-value plan's first stage")
    return view


def pareto_lines(table: pd.DataFrame, path: str) -> Iterator[Text]:
    """One line per Pareto run: the value, the NPV and the largest share (dominated plans marked)."""
    for r in table.itertuples():
        npv = f"{usd(r.objective_usd)} ({r.objective_usd:,.0f} USD)" if pd.notna(r.objective_usd) else str(r.status)
        share = f", largest share {100 * r.largest_share:.1f}% ({r.largest_provider})" \
            if pd.notna(r.largest_share) else ""
        yield Text(f"{path}={_cell(r.value)}: {npv}{share}" + ("" if r.efficient or pd.isna(r.objective_usd)
                                                                 else "  (dominated)"))


def compare_view(c: Comparison, most: int = 5) -> Iterator[RenderableType]:
    """The headline of a comparison: each plan's status, NPV and peak power held; for every other plan, its NPV
    difference from the baseline, its largest parts by provider, chip and year, and how many contracts and limits
    changed.
    """
    from optimizer.report.plan_text import status_text

    base = c.solutions[0]
    plans = _table(f"Plans (baseline: {c.baseline})", [
        ("plan", "left"), ("status", "left"), ("NPV", "right"), ("Δ NPV", "right"), ("Δ NPV %", "right"),
        ("peak power held, MW", "right")])
    for name, sol in zip(c.names, c.solutions, strict=True):
        is_base = name == c.baseline
        diff = None if is_base else c.npv_difference(name)
        style = {"optimal": "green", "feasible": "yellow"}.get(str(sol.status), "red")
        plans.add_row(Text(name), Text(status_text(sol), style=style), usd(sol.objective_usd) + npv_basis(sol),
                      "baseline" if is_base else signed_usd(diff),
                      "" if is_base else _percent(diff, base.objective_usd),
                      number(c.key_figure("peak power held", name), 1))
    yield plans
    for title, rows in sections(c.kpis, c.solutions):  # existing contracts apart from new; expected cost and CVaR
        yield _figures_view(c, title, rows)
    for name in c.names[1:]:
        diff = c.npv_difference(name)
        line = Text()
        line.append(f"{name} vs {c.baseline}: ", style="bold")
        if diff is None:
            line.append(f"no NPV difference to explain: {c.baseline if not base.has_plan else name} has no plan")
            yield line
            continue
        line.append(f"NPV {signed_usd(diff)}", style="bold")
        line.append(f" ({number(diff, 0, sign=True)} USD, {_percent(diff, base.objective_usd)})")
        yield line
        if abs(diff) >= 0.5:
            yield _attribution_view(c, name, diff, most)
        changed = []
        for what, table in (("Contracts that changed", "contracts"),
                            ("Limits whose binding or shadow price changed", "limits")):
            counts = c.change_counts(name, table)
            kinds = ", ".join(f"{n} {kind}" for kind, n in counts.items())
            changed.append(f"{what}: {sum(counts.values())} ({kinds})." if counts else f"{what}: none.")
        yield Text(" ".join(changed))


def _figures_view(c: Comparison, title: str, rows: pd.DataFrame) -> RenderableType:
    """Key-figure rows of the comparison: one line per figure, one column per plan, then the differences."""
    view = _table(title, [("", "left"), *((n, "right") for n in c.names), *((f"Δ {n}", "right") for n in c.names[1:])])
    for r in rows.to_dict(orient="records"):
        label = r["kpi"] if r["unit"] in ("USD", "%") or r["unit"] in r["kpi"] else f"{r['kpi']}, {r['unit']}"
        view.add_row(Text(label), *formatted(r, c.names).values())
    return view


def _percent(value: float | None, of: float | None) -> str:
    """``value`` as a signed percentage of ``of``: +1.2%, -0.03%; "–" when either is missing or ``of`` is 0."""
    from optimizer.units import number

    if value is None or of is None or abs(of) < 0.5:
        return "–"
    pct = 100 * value / abs(of)
    return number(pct, 1 if abs(pct) >= 0.1 or pct == 0 else 2, sign=True) + "%"


def _attribution_view(c: Comparison, name: str, diff: float, most: int) -> RenderableType:
    """The largest parts of ``name``'s NPV difference by provider, chip and year (the rest summed in one line)."""
    view = _table("Where the difference comes from", [("by", "left"), ("", "left"), ("Δ NPV", "right"),
                                                       ("share", "right")])
    for by in ("provider", "chip", "year"):
        parts = c.attribution_by(name, by)
        parts = parts[parts.abs() >= 0.5]
        parts = parts.reindex(parts.abs().sort_values(ascending=False, kind="stable").index)
        shown, rest = parts.head(most), parts.iloc[most:]
        rows = [(str(key), value) for key, value in shown.items()]
        if len(rest):
            rows.append((plural(len(rest), f"other {by}"), float(rest.sum())))
        for i, (key, value) in enumerate(rows):
            view.add_row(by if i == 0 else "", Text(key), signed_usd(value), number(100 * value / diff, 1) + "%",
                         end_section=i == len(rows) - 1)
    return view
