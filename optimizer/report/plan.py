"""``procure report``: a plan explained on one page, from a solution folder alone.

:func:`write_report` reads the folder with :meth:`Solution.read` and writes ``report.md`` and
``report.html`` (self-contained: charts inlined as SVG, CSS inlined, no scripts, nothing fetched)
plus ``report-<chart>.svg`` files that the Markdown links to. A folder with an infeasible
instance gives a page with the diagnosis. With scenarios, charts show probability-weighted
(expected) values and the key-figure table has one column per scenario.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.prepare.arrays import HOURS_PER_YEAR
from optimizer.report import charts
from optimizer.report.document import Document
from optimizer.report.firmness import firmness_section
from optimizer.report.marginal_page import marginal_section
from optimizer.report.plan_text import (
    expected_note,
    facts,
    formatted_grid,
    period_x,
    provider_order,
    status_kind,
    status_text,
    year_grid,
)
from optimizer.report.risk_page import risk_section
from optimizer.report.sign_now import sign_now_section
from optimizer.results.figures import weighted
from optimizer.results.files import write_files_atomically
from optimizer.results.kpis import EXPECTED, Kpis
from optimizer.results.solution import Solution
from optimizer.units import count, key_figure, number, per_unit, plural, usd

MOST_ROWS = 25
"""Long tables (shadow prices, binding limits) show this many rows; the CSVs hold them all."""


def write_report(folder: str | Path) -> list[Path]:
    """Write ``report.md``, ``report.html`` and the charts' SVG files into a solution folder."""
    path = Path(folder)
    solution = Solution.read(path)
    files = build_report(solution, path).files("report")
    written = write_files_atomically(path, files)
    for old in path.glob("report-*.svg"):
        if old.name not in files:
            old.unlink(missing_ok=True)
    return written


def _two_stage(doc: Document, sol: Solution) -> None:
    """What to sign now, apart from each scenario's recourse and outcome, with the spread."""
    from optimizer.analysis.scenarios import two_stage

    plan = two_stage(sol)
    doc.heading("Two-stage plan: what to sign now")
    doc.paragraph(f"Contracts signed in the first {plural(plan.first_stage_years, 'year')} are the same in every "
                  "scenario: they are what to sign now, before the outcome is known. Later contracts are each "
                  "scenario's recourse.")
    if plan.first_stage.empty:
        doc.paragraph("Nothing is signed in the first stage.")
    else:
        now = (plan.first_stage.groupby(["provider", "chip", "year"], as_index=False)
               .agg(contracts=("offer", "size"), chips=("chips", "sum"), npv=("npv_usd", "sum")))
        now["chips"] = now.chips.map(count)
        now["npv"] = now.npv.map(usd)
        doc.table(now.rename(columns={"npv": "NPV"}), numeric=["year", "contracts", "chips", "NPV"],
                  caption="Sign now (first stage), by provider, chip and year")
    out = plan.outcomes
    table = pd.DataFrame({
        "scenario": out.scenario.astype(str), "probability": out.probability.map(lambda v: f"{v:g}"),
        "NPV": out.npv_usd.map(usd), "first stage": out.first_stage_npv_usd.map(usd),
        "recourse": out.recourse_npv_usd.map(usd), "spend": out.spend_usd.map(usd),
        "shortfall": out.shortfall_usd.map(usd), "peak power held, MW": out.peak_mw.map(lambda v: number(v, 1))})
    doc.table(table, numeric=[c for c in table.columns if c != "scenario"],
              caption="Outcome per scenario (NPV of that scenario alone; spend and shortfalls nominal)")
    rows = []
    for metric, label in (("npv_usd", "NPV"), ("spend_usd", "spend"), ("shortfall_usd", "shortfall")):
        sp = plan.spread.loc[metric]
        if pd.notna(sp.worst):
            rows.append({"": label, "worst": f"{usd(sp.worst)} ({sp.worst_scenario})",
                         "expected": usd(sp.expected), "best": f"{usd(sp.best)} ({sp.best_scenario})"})
    doc.table(pd.DataFrame(rows), numeric=["worst", "expected", "best"], caption="Spread of outcomes")


def build_report(sol: Solution, folder: Path | None = None) -> Document:
    """The report as a :class:`Document` (Markdown and HTML); ``folder`` adds what it holds beyond the plan."""
    doc = Document(f"Plan report: {sol.instance}")
    inst = sol.inputs
    if inst is not None and inst.description:
        doc.paragraph(inst.description, "lead")
    doc.status(status_text(sol), status_kind(sol))
    doc.bullets(facts(sol))
    if not sol.has_plan:
        _no_plan(doc, sol)
        return doc
    k = sol.kpis
    sign_now_section(doc, sol)  # the decision first (docs/kpis.md, "Sign now")
    _key_figures(doc, sol, k)
    if len(sol.scenarios) > 1 and sol.inputs is not None:
        _two_stage(doc, sol)
        risk_section(doc, sol, folder)
    firmness_section(doc, folder)  # near-optimal ranges, when ranges.json is there
    _capacity(doc, sol)
    _spend(doc, sol, k)
    _chip_mix(doc, sol)
    _demand(doc, sol, k)
    _power(doc, sol, k)
    _shares(doc, sol, k)
    _commitments(doc, k)
    _shadow_prices(doc, sol)
    marginal_section(doc, folder)  # re-solved marginal values, when marginal_values.csv is there
    _binding(doc, sol)
    doc.heading("Files")
    doc.paragraph("Every figure above comes from the files beside this report: `solution.json`, `instance.json`, "
                  "the plan's tables (`contracts.csv`, `active.csv`, `allocation.csv`, `payments.csv`, `power.csv`, "
                  "`shortfalls.csv`, `binding.csv`, `shadow_prices.csv`, `demand.csv`) and the key figures "
                  "(`kpis.json`, `kpis.csv`, `npv.csv`, `spend.csv`, `unit_costs.csv`, `compute_shares.csv`, "
                  "`power_shares.csv`, `concentration.csv`, `commitments.csv`), Sign now (`sign_now.csv`, "
                  "`obligations.csv`) and the re-solved marginal values (`marginal_values.csv`). Definitions: "
                  "docs/kpis.md.")
    return doc


# --- sections --------------------------------------------------------------------------------

def _no_plan(doc: Document, sol: Solution) -> None:
    if sol.diagnosis:
        doc.paragraph("**No plan: the instance is infeasible.** No set of contracts meets every limit. The diagnosis "
                      "below names the limits that must move, where and by how much (the smallest relative "
                      "relaxation that makes a plan possible).", "bad")
        doc.heading("Limits that must move")
        rows = [{"limit": f.get("path", ""), "where": f.get("where", ""), "year": "" if f.get("year") is None
                 else str(f["year"]), "scenario": f.get("scenario") or "",
                 "by": f"{number(f.get('amount'), 1)} {f.get('unit', '')}", "reading": f.get("message", "")}
                for f in sol.diagnosis]
        table = pd.DataFrame(rows)
        doc.table(table if (table.scenario != "").any() else table.drop(columns=["scenario"]), numeric=["year", "by"])
    else:
        doc.paragraph(f"**No plan** ({sol.status}). {sol.message}".strip(), "bad")
    inst = sol.inputs
    if inst is not None:
        years = list(range(inst.horizon.start_year, inst.horizon.start_year + inst.horizon.years))
        limits = pd.DataFrame({str(y): [number(p.power_mw.at(y), 0) for p in inst.providers] for y in years},
                              index=[p.id for p in inst.providers])
        doc.heading("Provider power limits (MW)")
        doc.table(limits.reset_index().rename(columns={"index": "provider"}))
    if not sol.demand.empty:
        doc.heading("Demand")
        _demand_chart(doc, sol, delivered=False)
    doc.paragraph("Capacity, spend, key figures and shadow prices need a plan; they appear once the limits above "
                  "are moved and the instance is solved again.", "note")


def _key_figures(doc: Document, sol: Solution, k: Kpis) -> None:
    doc.heading("Key figures")
    h = k.headline.assign(scenario=k.headline.scenario.map(lambda s: s or "plan"))
    grid = h.pivot_table(index=["kpi", "unit"], columns="scenario", values="value", aggfunc="first", sort=False)
    cols = [c for c in [*(s or "plan" for s in sol.scenarios), EXPECTED] if c in grid.columns]
    rows = []
    for (kpi, unit), values in grid[cols].iterrows():
        rows.append({"figure": kpi, "unit": unit, **{c: key_figure(values[c], unit, with_unit=False) for c in cols}})
    doc.table(pd.DataFrame(rows), numeric=cols)
    doc.paragraph("Effective cost: nominal rent of the chips a workload uses (its share of each offer's active chips) "
                  "divided by the throughput delivered, in the workload's metric-hours. HHI: Herfindahl–Hirschman "
                  "index of the providers' shares of MW (10,000 = one provider). Idle chip cost: rent of active "
                  "chips that serve no workload (e.g. held for a commitment).", "note")


def _capacity(doc: Document, sol: Solution) -> None:
    doc.heading("Capacity by provider")
    order = provider_order(sol)
    power = weighted(sol.power, sol, ["provider", "period", "year"], ["mw"])
    x = np.sort(np.unique(period_x(sol, power.period, power.year)))
    power = power.assign(x=period_x(sol, power.period, power.year))
    series = {p: power[power.provider == p].set_index("x").mw.reindex(x, fill_value=0.0).to_numpy() for p in order}
    doc.chart("capacity", charts.stacked_bars("capacity", "Power held by provider (MW)", x, series, "MW",
                                              charts.colors(order), width=1.0 / sol.periods_per_year),
              "Facility MW held at each provider, per period." + expected_note(sol))
    mean = power.groupby(["provider", "year"]).mw.mean().reset_index()
    doc.table(formatted_grid(year_grid(mean, "provider", "mw", order), lambda v: number(v, 0), total=True),
              caption="Mean power held per year, MW: the mean over the year's periods "
                      "(peak power held is a key figure).")


def _spend(doc: Document, sol: Solution, k: Kpis) -> None:
    doc.heading("Spend by provider")
    order = provider_order(sol)
    spend = weighted(sol.payments, sol, ["provider", "year"], ["total_usd"])
    grid = year_grid(spend, "provider", "total_usd", order)
    doc.chart("spend", charts.stacked_bars("spend", "Nominal spend by provider ($B)", list(grid.columns),
                                           {p: grid.loc[p].to_numpy() / 1e9 for p in grid.index}, "$B",
                                           charts.colors(order)),
              "Payments made in each horizon year (contracts, onboarding fees, take-or-pay shortfalls)."
              + expected_note(sol))
    doc.table(formatted_grid(grid, usd, total=True), caption="Nominal payments per year.")
    npv = k.npv[k.npv.scenario == EXPECTED] if len(sol.scenarios) > 1 else k.npv
    parts = npv.pivot_table(index="provider", columns="part", values="npv_usd", aggfunc="sum", fill_value=0.0)
    parts = parts.reindex([p for p in order if p in parts.index])
    parts["NPV"] = parts.sum(axis=1)
    doc.heading("Net present cost by provider", 3)
    doc.table(formatted_grid(parts, usd, total=True),
              caption="Discounted full-term cost of the contracts signed, shortfalls and onboarding fees.")


def _chip_mix(doc: Document, sol: Solution) -> None:
    doc.heading("Chip mix")
    chips = [c.id for c in sol.inputs.chips] if sol.inputs is not None else sorted(set(sol.active.chip))
    active = weighted(sol.active, sol, ["chip", "year"], ["chips"])
    active["chips"] /= sol.periods_per_year
    grid = year_grid(active, "chip", "chips", chips)
    if grid.empty:
        doc.paragraph("No chips are held.")
        return
    scale, unit = (1e3, "thousand chips") if grid.to_numpy().max() >= 1e4 else (1.0, "chips")
    doc.chart("chips", charts.stacked_bars("chips", f"Mean active chips ({unit})", list(grid.columns),
                                           {c: grid.loc[c].to_numpy() / scale for c in grid.index}, unit,
                                           charts.colors(chips)),
              "Chips under contract, averaged over each year's periods." + expected_note(sol))
    doc.table(formatted_grid(grid, count), caption="Mean active chips per year (exact: active.csv).")


def _demand_chart(doc: Document, sol: Solution, delivered: bool = True) -> None:
    d = weighted(sol.demand, sol, ["workload", "metric", "period", "year"], ["demand", "delivered"]
                 if delivered else ["demand"])
    d = d.assign(x=period_x(sol, d.period, d.year))
    panels = {}
    for (w, metric), rows in d.groupby(["workload", "metric"], sort=False):
        x = np.append(rows.x.to_numpy(), rows.x.max() + 1 / sol.periods_per_year)
        lines = {}
        if delivered:
            lines["delivered"] = (x, np.append(rows.delivered.to_numpy(), rows.delivered.iloc[-1]))
        lines["demand"] = (x, np.append(rows.demand.to_numpy(), rows.demand.iloc[-1]))
        panels[f"{w} ({metric})"] = lines
    styles = {"demand": {"color": "#333333", "linewidth": 1.4, "linestyle": "--"},
              "delivered": {"color": charts.PALETTE[0], "linewidth": 1.6, "fill": True}}
    title = "Demand and delivered compute per workload" if delivered else "Demand per workload"
    doc.chart("demand", charts.small_multiples("demand", title, panels, "metric units", styles),
              ("Each workload's demand and the throughput its chips deliver" if delivered else "Each workload's demand")
              + " (metric units, e.g. effective PFLOPS)." + expected_note(sol))


def _demand(doc: Document, sol: Solution, k: Kpis) -> None:
    doc.heading("Demand and delivered compute")
    _demand_chart(doc, sol)
    uc = k.unit_costs
    uc = uc[uc.scenario == EXPECTED] if len(sol.scenarios) > 1 else uc
    d = weighted(sol.demand, sol, ["workload"], ["demand", "delivered"])
    hours = HOURS_PER_YEAR / sol.periods_per_year
    rows = []
    for r in uc.itertuples():
        dem = d[d.workload == r.workload]
        rows.append({"workload": r.workload, "metric": r.metric,
                     "demand (metric-hours)": charts.short(float(dem.demand.sum()) * hours),
                     "delivered (metric-hours)": charts.short(r.metric_hours),
                     "rent attributed": usd(r.usd), "effective cost per metric-hour": key_figure(
                         r.usd_per_metric_hour, "USD per ", with_unit=False)})
    doc.table(pd.DataFrame(rows), numeric=["demand (metric-hours)", "delivered (metric-hours)", "rent attributed",
                                           "effective cost per metric-hour"])


def _power(doc: Document, sol: Solution, k: Kpis) -> None:
    doc.heading("Power against each provider's limit")
    order = provider_order(sol)
    power = weighted(sol.power, sol, ["provider", "period", "year"], ["mw"])
    limits = sol.power.drop_duplicates(["provider", "period"])[["provider", "period", "limit_mw"]]
    power = power.merge(limits, on=["provider", "period"]).assign(x=lambda f: period_x(sol, f.period, f.year))
    step = 1 / sol.periods_per_year
    panels = {}
    for p in order:
        rows = power[power.provider == p].sort_values("x")
        x = np.append(rows.x.to_numpy(), rows.x.max() + step)
        panels[p] = {"MW held": (x, np.append(rows.mw.to_numpy(), rows.mw.iloc[-1])),
                     "limit": (x, np.append(rows.limit_mw.to_numpy(), rows.limit_mw.iloc[-1]))}
    styles = {"MW held": {"color": charts.PALETTE[0], "linewidth": 1.4, "fill": True},
              "limit": {"color": "#c0392b", "linewidth": 1.2, "linestyle": "--"}}
    doc.chart("power", charts.small_multiples("power", "Power held and the provider's limit (MW)", panels, "MW",
                                              styles),
              "MW held per period against `providers[].power_mw`." + expected_note(sol))
    ps = k.power_shares
    ps = ps[ps.scenario == EXPECTED] if len(sol.scenarios) > 1 else ps
    grid = year_grid(ps, "provider", "headroom_mw", order)
    doc.table(formatted_grid(grid, lambda v: "at limit" if abs(v) < 1e-6 else number(v, 0)),
              caption="Headroom: the provider's limit minus its peak power held that year (MW).")


def _shares(doc: Document, sol: Solution, k: Kpis) -> None:
    doc.heading("Provider shares and concentration")
    order = provider_order(sol)
    expected = len(sol.scenarios) > 1
    ps = k.power_shares[k.power_shares.scenario == EXPECTED] if expected else k.power_shares
    grid = year_grid(ps, "provider", "share", order) * 100
    conc = k.concentration[k.concentration.scenario == EXPECTED] if expected else k.concentration
    shown = formatted_grid(grid, lambda v: f"{v:.1f}%")
    hhi = {"": "HHI", **{str(r.year): number(r.hhi, 0) for r in conc.itertuples()}}
    doc.table(pd.concat([shown, pd.DataFrame([hhi])], ignore_index=True),
              caption="Share of the MW held (mean over each year) and the Herfindahl–Hirschman index.")
    cs = k.compute_shares[k.compute_shares.scenario == EXPECTED] if expected else k.compute_shares
    if cs.empty:
        return
    total = cs.groupby(["kind", "basis", "metric", "provider"], sort=False).amount.sum().reset_index()
    total["share"] = total.amount / total.groupby(["kind", "basis"]).amount.transform("sum")
    table = total.pivot_table(index=["kind", "basis", "metric"], columns="provider", values="share", sort=False)
    table = table[[p for p in order if p in table.columns]].fillna(0.0).map(lambda v: f"{100 * v:.1f}%")
    table = table.reset_index()
    table["basis"] = [f"delivered to {b}" if kind == "workload" else f"{b} held"
                      for kind, b in zip(table.kind, table.basis, strict=True)]
    doc.table(table.drop(columns=["kind"]), numeric=[p for p in order if p in table.columns],
              caption="Shares of compute over the whole horizon: of what each workload receives, and of each metric's "
                      "total held.")


def _commitments(doc: Document, k: Kpis) -> None:
    c = k.commitments
    if c.empty:
        return
    doc.heading("Commitments")
    scenarios = c.scenario.notna().any()
    rows: list[dict] = []
    panels: dict[str, tuple[list[str], list[float], list[float]]] = {}
    for r in c.itertuples():
        name = f"{r.kind}_commitments[{r.index}] {r.provider} {r.chips}".strip()  # a spend's chips: §10.1
        fmt = usd if r.unit == "USD" else (lambda v: f"{number(v, 0)} MW")
        rows.append({"commitment": name, "window": f"{r.first_year}–{r.last_year}", "scenario": r.scenario or "",
                     "committed": fmt(r.committed),
                     "achieved": fmt(r.achieved), "shortfall": fmt(r.shortfall) if r.shortfall > 1e-6 else "–"})
        if r.scenario in (None, EXPECTED):
            unit = "spend, $B" if r.unit == "USD" else "capacity, MW"
            groups, committed, achieved = panels.setdefault(unit, ([], [], []))
            groups.append(f"[{r.index}] {r.provider}" + (f" {r.chips}" if r.chips else ""))
            committed.append(r.committed / (1e9 if r.unit == "USD" else 1.0))
            achieved.append(r.achieved / (1e9 if r.unit == "USD" else 1.0))
    doc.chart("commitments", charts.paired_bars("commitments", "Commitments: committed and achieved", panels,
                                                ("committed", "achieved"),
                                                {"committed": "#8c959f", "achieved": charts.PALETTE[0]}),
              "Spend commitments: contract payments to the provider (for the named chips, if any) in the window. "
              "Capacity commitments: the MW of the named chips held in the window's tightest period, against "
              "that period's minimum.")
    table = pd.DataFrame(rows)
    doc.table(table if scenarios else table.drop(columns=["scenario"]), numeric=["committed", "achieved", "shortfall"])


def _shadow_prices(doc: Document, sol: Solution) -> None:
    doc.heading("Shadow prices")
    sp = sol.shadow_prices
    if sp.empty:
        doc.paragraph("No limit has a non-zero shadow price.")
        return
    doc.paragraph("What one more unit of a limit for a whole year would change in the net present cost (negative: "
                  "raising the limit saves money)." + (f" {sol.duals_note[0].upper()}{sol.duals_note[1:]}."
                                                       if sol.duals_note else ""))
    top = sp.reindex(sp.shadow_price.abs().sort_values(ascending=False).index).head(MOST_ROWS)
    rows = [{"limit": r.limit, "subject": r.subject, "year": "" if pd.isna(r.year) else str(int(r.year)),
             **({"scenario": r.scenario or ""} if len(sol.scenarios) > 1 else {}),
             "shadow price": per_unit(r.shadow_price, r.price_unit or "")} for r in top.itertuples()]
    doc.table(pd.DataFrame(rows), numeric=["year", "shadow price"],
              caption=f"The {len(top)} largest of {len(sp)} (all in shadow_prices.csv).")


def _binding(doc: Document, sol: Solution) -> None:
    doc.heading("Binding limits")
    b = sol.binding
    demand = b[b.limit == "demand"] if not b.empty else b
    b = b[b.limit != "demand"] if not b.empty else b
    if b.empty:
        doc.paragraph("No limit binds besides demand.")
        return
    prices = sol.shadow_prices.set_index(["limit", "subject", "year", "scenario"]).shadow_price \
        if not sol.shadow_prices.empty else pd.Series(dtype=float)
    groups = b.groupby(["limit", "subject", "year", "scenario"], dropna=False, sort=False)
    rows = []
    for (limit, subject, year, scenario), g in groups:
        price = prices.get((limit, subject, year, scenario)) if not pd.isna(year) else prices.get(
            (limit, subject, None, scenario))
        rows.append({"limit": limit, "subject": subject, "year": "" if pd.isna(year) else str(int(year)),
                     **({"scenario": scenario or ""} if len(sol.scenarios) > 1 else {}),
                     "periods": str(len(g)),
                     "shadow price": "" if price is None or pd.isna(price) else per_unit(price, g.price_unit.iloc[0])})
    doc.paragraph(f"Limits met with equality ({len(rows)} limit-years; demand also binds in {len(demand)} "
                  "workload-periods).")
    doc.table(pd.DataFrame(rows[:MOST_ROWS]), numeric=["year", "periods", "shadow price"],
              caption=f"{min(len(rows), MOST_ROWS)} of {len(rows)} (all in binding.csv).")
