"""The report's risk page (docs/kpis.md, "Risk"): with scenarios, what each outcome costs and what the worst cases cost.

Per scenario: its probability, its net present cost ``C_s`` (the scenario's NPV key figure: contracts,
shortfalls, onboarding fees and existing contracts, spec §10.7) and the take-or-pay shortfall it pays
(nominal and discounted). Then the expected cost ``Σ_s prob_s·C_s`` and ``CVaR_α`` (the expected cost of
the worst ``1 − α`` of probability; α is the instance's ``risk.cvar_alpha``, else 0.9). When the folder
holds ``hedging.json`` (``procure hedge --out``), the same for the hedged (two-stage) plan and for the plan
that signs the mean-value problem's first stage (EEV, spec §5).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from optimizer.prepare.risk import cvar
from optimizer.report.document import Document
from optimizer.results.figures import cvar_alpha
from optimizer.results.kpis import EXPECTED
from optimizer.results.solution import Solution
from optimizer.units import usd

RISK_HEADING = "Risk: what each outcome costs"


def scenario_risk(sol: Solution) -> pd.DataFrame:
    """One row per scenario: probability, cost_usd (``C_s``), shortfall_usd (nominal), shortfall_npv_usd."""
    h = sol.kpis.headline
    npv = h[h.kpi == "NPV"].set_index("scenario").value
    short = h[h.kpi == "take-or-pay shortfalls, nominal"].set_index("scenario").value
    k = sol.kpis.npv
    short_npv = k[k.part == "shortfall"].groupby("scenario").npv_usd.sum()
    return pd.DataFrame({"scenario": sol.scenarios, "probability": sol.probabilities,
                         "cost_usd": [float(npv.get(s, math.nan)) for s in sol.scenarios],
                         "shortfall_usd": [float(short.get(s, 0.0)) for s in sol.scenarios],
                         "shortfall_npv_usd": [float(short_npv.get(s, 0.0)) for s in sol.scenarios]})


def hedging_risk(folder: Path, sol: Solution) -> pd.DataFrame | None:
    """From ``hedging.json``: per scenario the cost of the hedged plan and of the mean-value plan (USD), existing
    contracts included; None when the folder has no ``hedging.json`` or it does not match the plan's scenarios."""
    path = folder / "hedging.json"
    if not path.exists():
        return None
    try:
        table = pd.DataFrame(json.loads(path.read_text(encoding="utf-8"))["scenarios"])
    except (OSError, ValueError, KeyError):
        return None
    if list(table.get("scenario", [])) != list(sol.scenarios):
        return None
    existing = float(sol.existing.npv_usd.sum()) if not sol.existing.empty else 0.0  # a constant of every plan
    return pd.DataFrame({"scenario": table.scenario, "probability": table.probability,
                         "hedged_usd": table.stochastic_usd.astype(float) + existing,
                         "mean_plan_usd": pd.to_numeric(table.mean_plan_usd, errors="coerce") + existing})


def _summary(costs: pd.Series, probability: pd.Series, alpha: float) -> tuple[float, float]:
    if costs.isna().any():
        return math.nan, math.nan
    return float((costs * probability).sum()), cvar(costs.tolist(), probability.tolist(), alpha)


def risk_section(doc: Document, sol: Solution, folder: Path | None = None) -> None:
    """The risk page; nothing without scenarios."""
    if len(sol.scenarios) < 2:
        return
    alpha = cvar_alpha(sol)
    doc.heading(RISK_HEADING)
    doc.paragraph(f"Each scenario's net present cost under this plan, the take-or-pay shortfall it pays, the expected "
                  f"cost and the CVaR at α = {alpha:g}: the expected cost of the worst {1 - alpha:.0%} of "
                  "probability (spec §10.7).")
    r = scenario_risk(sol)
    expected, tail = _summary(r.cost_usd, r.probability, alpha)
    worst = r.cost_usd.idxmax()
    table = pd.DataFrame({"scenario": r.scenario.astype(str), "probability": r.probability.map(lambda v: f"{v:.0%}"),
                          "net present cost": r.cost_usd.map(usd), "shortfall paid": r.shortfall_usd.map(usd),
                          "shortfall, NPV": r.shortfall_npv_usd.map(usd)})
    summary = pd.DataFrame([
        {"scenario": EXPECTED, "probability": "", "net present cost": usd(expected),
         "shortfall paid": usd(float((r.shortfall_usd * r.probability).sum())),
         "shortfall, NPV": usd(float((r.shortfall_npv_usd * r.probability).sum()))},
        {"scenario": f"CVaR {100 * alpha:g}%", "probability": "", "net present cost": usd(tail),
         "shortfall paid": "", "shortfall, NPV": ""}])
    doc.table(pd.concat([table, summary], ignore_index=True),
              caption=f"The worst case is {r.scenario[worst]}: {usd(r.cost_usd[worst])}; take-or-pay shortfalls at "
                      f"risk: up to {usd(r.shortfall_usd.max())} paid for capacity not used.")
    hedging = hedging_risk(folder, sol) if folder is not None else None
    if hedging is None:
        doc.paragraph("The hedged plan against the mean-value plan: run `procure hedge INSTANCE --out` into this "
                      "folder to add them here.", "note")
        return
    rows = [{"scenario": str(s), "hedged plan": usd(a), "mean-value plan": usd(b)}
            for s, a, b in zip(hedging.scenario, hedging.hedged_usd, hedging.mean_plan_usd, strict=True)]
    hedged, mean = (_summary(hedging[c], hedging.probability, alpha) for c in ("hedged_usd", "mean_plan_usd"))
    rows += [{"scenario": EXPECTED, "hedged plan": usd(hedged[0]), "mean-value plan": usd(mean[0])},
             {"scenario": f"CVaR {100 * alpha:g}%", "hedged plan": usd(hedged[1]), "mean-value plan": usd(mean[1])}]
    doc.table(pd.DataFrame(rows),
              caption="Net present cost per scenario of the hedged (two-stage) plan and of the plan that signs the "
                      "mean-value problem's first stage and then adapts (hedging.json); \"–\": that first stage "
                      "cannot be completed in the scenario.")
