"""The report's honest marginal values (docs/kpis.md, "Marginal values"): shadow prices beside re-solved changes.

Reads ``marginal_values.csv`` (written by ``procure report`` with :mod:`optimizer.analysis.marginal`, which
re-solves); nothing is shown when the folder does not hold it. No solver here: only the file is read.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from optimizer.report.document import Document
from optimizer.units import number, per_unit, signed_usd, usd

FILE = "marginal_values.csv"
MARGINAL_HEADING = "What relaxing a limit really saves"


def _amount(value: float, unit: str) -> str:
    if pd.isna(value):
        return "–"
    return usd(value) if unit == "USD" else f"{number(value, 0 if abs(value) >= 10 else 1)} {unit}"


def marginal_section(doc: Document, folder: Path | None) -> None:
    """The table of re-solved marginal values, when the folder has ``marginal_values.csv``."""
    if folder is None or not (folder / FILE).exists():
        return
    try:
        mv = pd.read_csv(folder / FILE)
    except (OSError, ValueError):  # an empty or unreadable file: nothing to show
        return
    if mv.empty:
        return
    doc.heading(MARGINAL_HEADING, 3)
    doc.paragraph("A shadow price holds for a small change only. For the binding limits with the largest shadow price "
                  "× limit, the instance was changed and solved again: the limit relaxed by the step shown in that "
                  "year alone (a cap raised, a floor lowered), then removed in that year (a cap raised tenfold, a "
                  "floor set to 0), then removed in every year. \"By the dual\" is the shadow price times the change; "
                  "\"re-solved\" is the change in the net present cost found by solving again. Negative: it saves.")
    steps = mv[mv.year.notna() | mv.step.notna()]
    rows = [{"limit": r.limit, "subject": r.subject, "year": "" if pd.isna(r.year) else str(int(r.year)),
             "limit value": _amount(r.value, r.unit), "shadow price": per_unit(r.shadow_price, r.price_unit or ""),
             "step": _amount(r.step, r.unit), "step, by the dual": signed_usd(r.step_estimate_usd),
             "step, re-solved": signed_usd(r.step_delta_usd), "removed, re-solved": signed_usd(r.removal_delta_usd)}
            for r in steps.itertuples()]
    doc.table(pd.DataFrame(rows), numeric=["year", "limit value", "shadow price", "step", "step, by the dual",
                                           "step, re-solved", "removed, re-solved"],
              caption="Relaxing or removing a limit in one year (all in marginal_values.csv).")
    whole = mv[mv.year.isna() & mv.step.isna()]
    if whole.empty:
        return
    rows = [{"limit": r.limit, "subject": r.subject,
             "removed, by the duals": signed_usd(r.removal_estimate_usd),
             "removed in every year, re-solved": signed_usd(r.removal_delta_usd)} for r in whole.itertuples()]
    doc.table(pd.DataFrame(rows), numeric=["removed, by the duals", "removed in every year, re-solved"],
              caption="Removing a limit altogether. By the duals: minus the sum over the years of shadow price × "
                      "limit (a floor lowered to 0), what the duals alone suggest; re-solving says what it saves. "
                      "\"–\": a cap removed has no such sum.")
