"""The page of a comparison (:class:`~optimizer.report.compare.Comparison`): compare.md and compare.html."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from optimizer.report import charts
from optimizer.report.compare_figures import formatted, sections
from optimizer.report.document import Document
from optimizer.report.plan import MOST_ROWS
from optimizer.report.plan_text import status_text
from optimizer.results.figures import npv_basis, weighted
from optimizer.results.solution import Solution
from optimizer.units import number, per_unit, signed_usd, usd

if TYPE_CHECKING:
    from optimizer.report.compare import Comparison


def build_comparison(c: Comparison) -> Document:
    doc = Document(f"Plan comparison: {c.baseline} vs {', '.join(c.names[1:])}")
    doc.paragraph(f"Baseline: **{c.baseline}**. Every difference is the other plan minus the baseline; "
                  "money in USD, nominal unless it says NPV (net present cost).", "lead")
    _plans(doc, c)
    planned = [(n, s) for n, s in zip(c.names, c.solutions, strict=True) if s.has_plan]
    if len(planned) >= 2:
        _charts(doc, planned)
    _kpis(doc, c)
    for name in c.names[1:]:
        _attribution(doc, c, name)
    _decisions(doc, c)
    _limits(doc, c)
    doc.heading("Files")
    doc.paragraph("The tables in full: `compare_kpis.csv`, `compare_attribution.csv`, `compare_contracts.csv`, "
                  "`compare_limits.csv`. Each plan's own report: `procure report <folder>`.")
    return doc


def _plans(doc: Document, c: Comparison) -> None:
    doc.heading("Plans")
    rows = []
    for name, sol in zip(c.names, c.solutions, strict=True):
        diff = c.npv_difference(name) if name != c.baseline else None
        rows.append({"plan": name, "instance": sol.instance, "status": status_text(sol),
                     "NPV": usd(sol.objective_usd) + npv_basis(sol),
                     "Δ NPV": "" if name == c.baseline else signed_usd(diff),
                     "providers used": ", ".join(sol.providers_used)})
    doc.table(pd.DataFrame(rows), numeric=["NPV", "Δ NPV"])
    for name, sol in zip(c.names, c.solutions, strict=True):
        if sol.has_plan:
            continue
        doc.paragraph(f"**{name} has no plan** ({sol.status}); it is left out of the figures below.", "bad")
        if sol.diagnosis:
            doc.bullets([f["message"] for f in sol.diagnosis])
        elif sol.message:
            doc.bullets([sol.message])


def _charts(doc: Document, planned: list[tuple[str, Solution]]) -> None:
    doc.heading("At a glance")
    names = [n for n, _ in planned]
    palette = charts.colors(names)
    years = sorted({int(y) for _, s in planned for y in s.payments.year})
    mw, spend = {}, {}
    for name, sol in planned:
        p = weighted(sol.power, sol, ["period", "year"], ["mw"]).groupby("year").mw.mean()
        mw[name] = p.reindex(years, fill_value=0.0).to_numpy()
        pay = weighted(sol.payments, sol, ["year"], ["total_usd"]).set_index("year").total_usd
        spend[name] = pay.reindex(years, fill_value=0.0).to_numpy() / 1e9
    doc.chart("mw", charts.lines("mw", "Mean power held, all providers (MW)", years, mw, "MW", palette),
              "Overlaid: one line per plan (expected values with scenarios).")
    doc.chart("spend", charts.lines("spend", "Nominal spend per year ($B)", years, spend, "$B", palette))
    providers = list(dict.fromkeys(p for _, s in planned for p in s.power.provider))
    panels = {}
    for prov in providers:
        lines = {}
        for name, sol in planned:
            p = weighted(sol.power[sol.power.provider == prov], sol, ["period", "year"], ["mw"])
            if p.empty:  # a provider this plan's instance does not have, or where it holds nothing
                continue
            x = p.year.to_numpy(dtype=float) + (p.period.to_numpy() % sol.periods_per_year) / sol.periods_per_year
            step = 1 / sol.periods_per_year
            lines[name] = (np.append(x, x[-1] + step), np.append(p.mw.to_numpy(), p.mw.iloc[-1]))
        panels[prov] = lines
    styles = {n: {"color": palette[n], "linewidth": 1.4 if i else 2.2, "alpha": 1.0 if i else 0.6}
              for i, n in enumerate(names)}
    doc.chart("providers", charts.small_multiples("providers", "Power held per provider (MW), plan by plan", panels,
                                                  "MW", styles),
              "Each panel overlays the plans' MW at one provider, per period.")


SECTION_NOTES = {
    "Existing contracts apart from new ones": "Contracts already signed (`existing_contracts`, "
    "spec §10.3) apart from those each plan signs: their NPV (discounted payments, as the objective counts them) and "
    "the MW-years they hold inside the horizon (expected over scenarios). Shortfalls and onboarding fees are in NPV "
    "alone.",
    "Expected cost and CVaR": "Expected cost is `Σ_s prob_s·C_s`; CVaR α% is the expected cost of the worst "
    "1 − α of probability (spec §10.7), for every plan at every level a plan uses. With `risk` a plan minimises "
    "`(1 − λ)·expected cost + λ·CVaR`, its NPV; without it λ is 0 and the NPV is the expected cost.",
}
"""What each of the comparison's own sections shows (:func:`optimizer.report.compare_figures.sections`)."""


def _kpis(doc: Document, c: Comparison) -> None:
    doc.heading("Key figures")
    k = c.kpis
    if k.empty:
        doc.paragraph("No plan has key figures.")
        return
    own = sections(k, c.solutions)
    shown = {(r.kpi, r.unit) for _, rows in own for r in rows.itertuples()}
    _figures_table(doc, c, k[[(r.kpi, r.unit) not in shown for r in k.itertuples()]])
    for title, rows in own:
        doc.heading(title, 3)
        doc.paragraph(SECTION_NOTES[title], "note")
        _figures_table(doc, c, rows)


def _figures_table(doc: Document, c: Comparison, k: pd.DataFrame) -> None:
    table = pd.DataFrame([{"figure": r["kpi"], "unit": r["unit"], **formatted(r, c.names)}
                          for r in k.to_dict(orient="records")])
    doc.table(table, numeric=list(table.columns[2:]))


def _attribution(doc: Document, c: Comparison, name: str) -> None:
    diff = c.npv_difference(name)
    doc.heading(f"Where the NPV difference comes from: {name}")
    if diff is None:
        doc.paragraph(f"No attribution: {c.baseline if not c.solutions[0].has_plan else name} has no plan.", "note")
        return
    doc.paragraph(f"NPV of {name} minus {c.baseline}: **{signed_usd(diff)}** ({diff:+,.0f} USD). Each table below "
                  "splits it one way and adds up to it: contracts by provider, chip and signing year, take-or-pay "
                  "shortfalls by provider and the year they are paid, onboarding fees.")
    by_provider = c.attribution_by(name, "provider")
    doc.chart(f"attribution-{_slug(name)}", charts.grouped_bars(
        f"attribution-{_slug(name)}", f"NPV difference by provider, {name} − {c.baseline} ($B)",
        [str(g) for g in by_provider.index], {name: by_provider.to_numpy() / 1e9}, "$B",
        charts.colors(c.names), horizontal=True))
    for by in ("provider", "chip", "year"):
        parts = c.attribution_by(name, by)
        if by == "year":
            parts = parts.sort_index(key=lambda i: i.map(str))
        rows = [{by: str(key), "Δ NPV": signed_usd(v), "share of the difference": _share(v, diff)}
                for key, v in parts.items() if abs(v) >= 0.5]
        rows.append({by: "**total**", "Δ NPV": signed_usd(parts.sum()), "share of the difference": _share(
            parts.sum(), diff)})
        doc.heading(f"By {by}", 3)
        doc.table(pd.DataFrame(rows))


def _share(value: float, total: float) -> str:
    return "–" if abs(total) < 0.5 else f"{100 * value / total:.1f}%"


def _decisions(doc: Document, c: Comparison) -> None:
    doc.heading("Decisions that changed")
    df = c.contracts
    if df.empty:
        doc.paragraph("No contract changed (chips signed per provider, chip and year).")
        return
    doc.paragraph("Chips signed per provider, chip and signing year (expected over scenarios), where the plans differ; "
                  "largest changes in NPV first.")
    for name in c.names[1:]:
        rows = df[df.plan == name]
        if rows.empty:
            continue
        doc.heading(f"{name}: " + ", ".join(f"{n} {k}" for k, n in c.change_counts(name, "contracts").items()), 3)
        shown = [{"provider": r.provider, "chip": r.chip, "year": str(int(r.year)), "change": r.change,
                  f"{c.baseline} chips": number(r.baseline_chips, 0), f"{name} chips": number(r.plan_chips, 0),
                  "Δ chips": number(r.delta_chips, 0, sign=True), "Δ NPV": signed_usd(r.delta_npv_usd)}
                 for r in rows.head(MOST_ROWS).itertuples()]
        doc.table(pd.DataFrame(shown), numeric=["year", f"{c.baseline} chips", f"{name} chips", "Δ chips", "Δ NPV"],
                  caption=f"{min(len(rows), MOST_ROWS)} of {len(rows)} (all in compare_contracts.csv).")


def _limits(doc: Document, c: Comparison) -> None:
    doc.heading("Limits whose binding status or shadow price changed")
    df = c.limits
    if df.empty:
        doc.paragraph("None.")
        return
    for name in c.names[1:]:
        rows = df[df.plan == name]
        if rows.empty:
            continue
        doc.heading(f"{name}: " + ", ".join(f"{n} {k}" for k, n in c.change_counts(name, "limits").items()), 3)

        def price(v: float, unit: str | None) -> str:
            return "–" if pd.isna(v) else per_unit(v, unit or "")

        shown = [{"limit": r.limit, "subject": r.subject, "year": "" if pd.isna(r.year) else str(int(r.year)),
                  **({"scenario": r.scenario or ""} if rows.scenario.notna().any() else {}), "change": r.change,
                  f"{c.baseline}": price(r.baseline_price, r.price_unit) + (" (binding)" if r.baseline_binding else ""),
                  f"{name}": price(r.plan_price, r.price_unit) + (" (binding)" if r.plan_binding else "")}
                 for r in rows.head(MOST_ROWS).itertuples()]
        doc.table(pd.DataFrame(shown), numeric=["year", c.baseline, name],
                  caption=f"Shadow prices; {min(len(rows), MOST_ROWS)} of {len(rows)}, largest moves first "
                          "(all in compare_limits.csv).")


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name).strip("-").lower() or "plan"
