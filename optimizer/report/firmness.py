"""The report's section "How firm is this plan?": near-optimal ranges (spec §11) from ``ranges.json``.

``procure ranges INSTANCE --within EPS --out DIR`` (or ``procure report DIR --ranges EPS``) writes
``ranges.json`` beside the plan; this section shows it: a bar per provider from the least to the most
it holds over the plans within ε of the cheapest, the cheapest plan's own value marked, and a sentence
per provider. A bound that a time limit left unproven is drawn hatched and said with ≥ or ≤.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from optimizer.analysis.range_files import UNIT, percent, read_ranges, sentence, span
from optimizer.report import charts
from optimizer.report.document import Document
from optimizer.units import number, usd

MOST_LINES = 30
"""First-stage contract lines shown in the chart and table (the CSV holds them all)."""


def firmness_section(doc: Document, folder: Path | None) -> None:
    """Add the section when ``folder`` holds a readable ``ranges.json`` with rows; else nothing."""
    data = read_ranges(folder) if folder is not None else None
    if data is None or data["table"].empty:
        return
    by, table, within = data["by"], data["table"], float(data["within"])
    u = UNIT[by]
    doc.heading("How firm is this plan?")
    limit = data.get("objective_usd")
    cost = "" if limit is None else (f" The cheapest plan costs {usd(limit)}; these plans cost at most "
                                     f"{usd(limit + within * abs(limit))}.")
    what = {"provider": "each provider holds (MW-years, expected over the scenarios)",
            "chip": "each chip family holds (MW-years, expected over the scenarios)",
            "first-stage": "each contract line signed in the first stage takes (chips)"}[by]
    doc.paragraph(f"Many plans cost nearly the same. Over every plan within {percent(within)} of the cheapest, "
                  f"the bars show the least and the most {what}; the mark is the cheapest plan.{cost} A narrow bar "
                  "is a firm decision; a wide one is a choice that costs little either way (spec §11).")
    if by == "first-stage":
        _contracts(doc, table, within)
        return
    key = "provider" if by == "provider" else "chip"
    doc.chart("ranges", range_chart("ranges", f"Held MW-years within {percent(within)} of the cheapest plan",
                                    table[key].astype(str).tolist(), table[f"min_{u}"].to_numpy(float),
                                    table[f"max_{u}"].to_numpy(float), table[f"optimum_{u}"].to_numpy(float),
                                    _bounded(table), "MW-years"),
              f"Bar: least to most MW-years by {key} over the plans within {percent(within)} of the cheapest; "
              "mark: the cheapest plan." + (" Hatched: a time limit stopped an extreme, so the bar reaches what is "
                                            "proven (a bound), not the range." if _bounded(table).any() else ""))
    doc.bullets([sentence(r, within, by) for r in table.to_dict("records")])
    rows = [{key: str(r[key]), "cheapest plan": number(r[f"optimum_{u}"], 1),
             "range, MW-years": span(r[f"min_{u}"], r[f"max_{u}"], r["min_status"], r["max_status"], 1),
             "share of MW-years": span(r["min_share"], r["max_share"], r["min_status"], r["max_status"], 0,
                                       scale=100.0, unit="%"),
             **({"least plan": f"`{r['min_plan']}`", "most plan": f"`{r['max_plan']}`"} if _kept(r) else {})}
            for r in table.to_dict("records")]
    kept = "; each extreme plan is a solution folder (`procure report` and `procure compare` read it)" \
        if any(_kept(r) for r in table.to_dict("records")) else ""
    doc.table(pd.DataFrame(rows), numeric=["cheapest plan", "range, MW-years", "share of MW-years"],
              caption=f"Shares are of the total MW-years of the extreme plan itself{kept}. All figures: "
                      "`ranges.json`, `ranges.csv`.")


def _kept(row: dict) -> bool:
    """Whether the extreme plans of a row were written (``plans/``), so the table can point at them."""
    return isinstance(row.get("min_plan"), str) and bool(row["min_plan"])


def _bounded(table: pd.DataFrame) -> np.ndarray:
    return ((table.min_status == "time_limit") | (table.max_status == "time_limit")).to_numpy()


def _contracts(doc: Document, table: pd.DataFrame, within: float) -> None:
    firm = table[table.firm.astype(bool)]
    doc.paragraph(f"{len(firm)} of {len(table)} first-stage contract lines are firm: every plan within "
                  f"{percent(within)} of the cheapest signs them (their range excludes zero).")
    shown = table.assign(order=-table.max_chips).sort_values(["order", "period"]).head(MOST_LINES)
    labels = [f"{r.offer} ({r.year}, p{r.period})" for r in shown.itertuples()]
    doc.chart("ranges", range_chart("ranges", f"Chips signed within {percent(within)} of the cheapest plan", labels,
                                    shown.min_chips.to_numpy(float), shown.max_chips.to_numpy(float),
                                    shown.optimum_chips.to_numpy(float), _bounded(shown), "chips"),
              "Bar: least to most chips of the line; mark: the cheapest plan.")
    rows = [{"offer": str(r["offer"]), "provider": str(r["provider"]), "period": str(r["period"]),
             "year": str(r["year"]), "cheapest plan": number(r["optimum_chips"], 0),
             "range, chips": span(r["min_chips"], r["max_chips"], r["min_status"], r["max_status"], 0),
             "firm": "firm" if r["firm"] else "open"} for r in shown.to_dict("records")]
    doc.table(pd.DataFrame(rows), numeric=["period", "year", "cheapest plan", "range, chips"],
              caption=f"The {len(shown)} lines with the most chips at their most, of {len(table)} (all in "
                      "`ranges.csv`).")


def range_chart(name: str, title: str, labels: list[str], low: np.ndarray, high: np.ndarray, optimum: np.ndarray,
                bounded: np.ndarray, unit: str) -> str:
    """Horizontal bars from ``low`` to ``high`` per label, ``optimum`` marked; ``bounded`` rows hatched."""
    with mpl.rc_context(charts.STYLE):
        fig = Figure(figsize=(8.6, 0.42 * len(labels) + 1.2), layout="constrained")
        ax = fig.add_subplot()
        pos = np.arange(len(labels), dtype=float)
        finite_high = np.where(np.isfinite(high), high, np.nanmax(np.r_[low, optimum, 0.0]))
        finite_low = np.where(np.isfinite(low), low, 0.0)
        for i, (lo, hi, hatch) in enumerate(zip(finite_low, finite_high, bounded, strict=True)):
            ax.barh(pos[i], max(hi - lo, 0.0), left=lo, height=0.5, color=charts.PALETTE[0], alpha=0.35 if hatch
                    else 0.8, hatch="//" if hatch else None, edgecolor=charts.PALETTE[0], linewidth=0.8)
        ax.plot(optimum, pos, linestyle="none", marker="D", markersize=6, color="#333333", label="cheapest plan")
        ax.set_yticks(pos, labels)
        ax.invert_yaxis()
        ax.set_xlim(left=0)
        ax.set_xlabel(unit)
        ax.xaxis.set_major_formatter(mpl.ticker.FuncFormatter(charts.short))
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.grid(axis="y", visible=False)
        ax.set_title(title)
        ax.legend(loc="lower right", fontsize=8)
        return charts.to_svg(fig, name)
