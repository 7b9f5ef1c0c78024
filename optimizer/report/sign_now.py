"""The report's first section: what to sign now, and what it commits the lab to (docs/kpis.md, "Sign now").

The figures come from :mod:`optimizer.results.obligations`; this module only lays them out, rounded
for reading. The exact values are in the solution folder: ``sign_now.csv`` and ``obligations.csv``.
"""

from __future__ import annotations

import pandas as pd

from optimizer.report.document import Document
from optimizer.results.obligations import cash_by_year, committed_by_provider, sign_now, sign_now_rule
from optimizer.results.solution import Solution
from optimizer.units import count, number, plural, usd

SIGN_NOW_HEADING = "Sign now"


def _mw(value: float) -> str:
    return number(value, 1 if abs(value) < 100 else 0)


def _share(value: float) -> str:
    return "–" if pd.isna(value) else f"{100 * value:.0f}%"


def sign_now_section(doc: Document, sol: Solution) -> None:
    """"Sign now" (one row per contract) and "Obligations" (value per provider, cash per year, share locked in)."""
    doc.heading(SIGN_NOW_HEADING)
    _, rule = sign_now_rule(sol)
    now = sign_now(sol)
    if now.empty:
        doc.paragraph(f"Nothing to sign now ({rule}).")
        return
    doc.paragraph(f"The contracts to sign now: {rule}. Chips are whole; the price is the one locked at signing "
                  "(price changes included); the contract value is chips × price × the hours of the term, "
                  "nominal and undiscounted.")
    table = pd.DataFrame({
        "provider": now.provider, "chip": now.chip, "chips": now.chips.map(lambda v: f"{int(v):,}"),
        "term": now.term_months.map(lambda v: plural(int(v), "month")), "start": now.start,
        "price per chip-hour": now.price_per_chip_hour.map(lambda v: f"${v:,.2f}"),
        "contract value": now.value_usd.map(usd), "MW": now.mw.map(_mw), "offer": now.offer})
    total = {"provider": "total", "chip": "", "chips": f"{int(now.chips.sum()):,}", "term": "", "start": "",
             "price per chip-hour": "", "contract value": usd(now.value_usd.sum()), "MW": _mw(now.mw.sum()),
             "offer": ""}
    doc.table(pd.concat([table, pd.DataFrame([total])], ignore_index=True),
              numeric=["chips", "price per chip-hour", "contract value", "MW"],
              caption=f"{plural(len(now), 'contract')} to sign now (exact chips in contracts.csv).")
    _obligations(doc, sol)


def _obligations(doc: Document, sol: Solution) -> None:
    doc.heading("Obligations", 3)
    by = committed_by_provider(sol)
    total = by.value_usd.sum()
    table = pd.DataFrame({"provider": by.provider, "contracts": by.contracts.map(str), "chips": by.chips.map(count),
                          "MW": by.mw.map(_mw), "committed value": by.value_usd.map(usd),
                          "share": (by.value_usd / total if total > 0 else by.value_usd * 0).map(_share)})
    doc.table(table, caption="Total value of the Sign-now contracts per provider (nominal, whole term).")
    cash = cash_by_year(sol)
    expected = " (expected over scenarios)" if len(sol.scenarios) > 1 else ""
    rows = pd.DataFrame({
        "year": [f"{y}" if inside else f"{y} (after the horizon)" for y, inside in zip(cash.year, cash.in_horizon,
                                                                                       strict=True)],
        "Sign now": cash.sign_now_usd.map(usd), f"later contracts{expected}": cash.later_usd.map(usd),
        **({"existing contracts": cash.existing_usd.map(usd)} if (cash.existing_usd != 0).any() else {}),
        f"fees and shortfalls{expected}": cash.fees_usd.map(usd), "planned payments": cash.planned_usd.map(usd),
        "locked in by Sign now": cash.locked_in_share.map(_share)})
    doc.table(rows, caption="Cash per calendar year, past the horizon too (contracts pay to the end of their term). "
                            "In horizon years the planned payments are the plan's payments (payments.csv); the share "
                            "locked in is Sign now's part of them.")
