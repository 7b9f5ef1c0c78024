"""Pareto view (``optimizer.pareto``): NPV against the largest provider share, by sweeping a limit.

    table = optimizer.pareto("instances/2026.json", [0.3, 0.4, 0.5, 0.6, 1.0])

Each run caps ``diversification.max_share`` (or another path, ``path=``) and reports the NPV and
the largest share one provider actually holds in any period (C10's measure: the instance's
diversification metric, MW without one; see :func:`optimizer.sweep_worker.largest_share`). A plan
is *efficient* when no other plan is both cheaper and less concentrated. Without a
``diversification`` block the sweep adds one measured in MW.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure

from optimizer.input.schema import Instance
from optimizer.report.charts import PALETTE, STYLE, to_svg
from optimizer.results.files import write_files_atomically
from optimizer.sweep.run import base_data, sweep
from optimizer.units import plural

DEFAULT_PATH = "diversification.max_share"
COLUMNS = ["run", "value", "status", "objective_usd", "largest_share", "largest_provider", "providers_used",
           "efficient", "message"]


def pareto(instance: str | Path | Mapping[str, Any] | Instance, values: Sequence[float], *,
           path: str = DEFAULT_PATH, **sweep_options: Any) -> pd.DataFrame:
    """Sweep ``path`` over ``values`` and return the trade-off table (``COLUMNS``; money in USD, share 0–1).

    ``sweep_options`` go to :func:`optimizer.sweep` (``workers``, ``scheduler``, ``out``, ``options``…).
    """
    base = base_data(instance)
    if path.startswith("diversification.") and base.get("diversification") is None:
        base["diversification"] = {"max_share": 1.0, "metric": "mw"}
    table = sweep(base, {path: list(values)}, **sweep_options)
    out = table.rename(columns={path: "value"})
    out["efficient"] = efficient(out)
    return out[COLUMNS]


def efficient(table: pd.DataFrame) -> pd.Series:
    """True for plans that no other plan beats on both NPV and largest share (ties are kept)."""
    ok = table.objective_usd.notna() & table.largest_share.notna()
    npv, share = table.objective_usd.to_numpy(), table.largest_share.to_numpy()
    flags = []
    for i in range(len(table)):
        if not ok.iloc[i]:
            flags.append(False)
            continue
        better = ok.to_numpy() & (npv <= npv[i] * (1 + 1e-9)) & (share <= share[i] + 1e-9) \
            & ((npv < npv[i] * (1 - 1e-9)) | (share < share[i] - 1e-9))
        flags.append(not better.any())
    return pd.Series(flags, index=table.index, dtype=bool)


def chart(table: pd.DataFrame, title: str, label: str = "max_share") -> Figure:
    """NPV ($B) against the largest provider share (%), each point labelled with the value swept."""
    plans = table[table.objective_usd.notna()].sort_values("largest_share")
    with mpl.rc_context({**STYLE, "axes.grid.axis": "both"}):
        fig = Figure(figsize=(7.0, 4.2), layout="constrained")
        ax = fig.add_subplot()
        x, y = 100 * plans.largest_share.to_numpy(), plans.objective_usd.to_numpy() / 1e9
        front = plans.efficient.to_numpy(dtype=bool)
        ax.plot(x[front], y[front], "-", color=PALETTE[0], linewidth=1.2, label="efficient plans")
        ax.scatter(x[front], y[front], color=PALETTE[0], zorder=3)
        ax.scatter(x[~front], y[~front], color=PALETTE[9], zorder=3, label="dominated plans")
        for xi, yi, v in zip(x, y, plans.value, strict=True):
            ax.annotate(f"{label} {v:g}" if isinstance(v, int | float) else str(v), (xi, yi),
                        textcoords="offset points", xytext=(4, 4), fontsize=7, color="#555555")
        ax.set_xlabel("largest provider share held in any period (%)")
        ax.set_ylabel("NPV ($B)")
        ax.set_title(title)
        if len(x):
            ax.legend(loc="upper right")
        skipped = int(table.objective_usd.isna().sum())
        if skipped:
            verb = "is" if skipped == 1 else "are"
            ax.text(0.0, -0.18, f"{plural(skipped, 'run')} without a plan {verb} not shown", transform=ax.transAxes,
                    fontsize=7, color="#777777")
    return fig


def write_pareto(table: pd.DataFrame, out: str | Path, title: str, label: str = "max_share") -> list[Path]:
    """``pareto.csv``, ``pareto.svg`` and ``pareto.png`` in ``out``."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    fig = chart(table, title, label)
    written = write_files_atomically(folder, {"pareto.csv": table.to_csv(index=False),
                                              "pareto.svg": to_svg(fig, "pareto")})
    with mpl.rc_context(STYLE):
        fig.savefig(folder / "pareto.png", dpi=150, metadata={"Software": "procure (matplotlib)"})
    return [*written, folder / "pareto.png"]
