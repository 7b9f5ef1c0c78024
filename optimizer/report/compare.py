"""``procure compare``: two or more plans side by side, and where the difference in cost comes from.

The first plan is the baseline; every other plan is compared with it:

- **key figures** (:mod:`optimizer.kpis` headline, expected values with scenarios) and their differences, with
  existing contracts apart from new ones and expected cost and CVaR side by side
  (:mod:`optimizer.report.compare_figures`);
- **NPV attribution**: the difference in net present cost split by provider, by chip and by year.
  The parts are the :mod:`optimizer.kpis` NPV parts (contracts by provider, chip and signing
  year; shortfalls by provider and the year they are paid; onboarding fees; existing contracts; with ``risk``
  the CVaR term), so they add up to the difference of the two objectives; any solver rounding left over is
  shown as its own line;
- **decisions that changed**: chips signed per provider, chip and signing year (expected over
  scenarios), added, removed, more or fewer;
- **limits that changed**: binding in one plan and not the other, or a different shadow price.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from optimizer.report.compare_figures import added_rows, with_added_rows
from optimizer.report.compare_page import build_comparison
from optimizer.results.figures import weighted
from optimizer.results.files import write_files_atomically
from optimizer.results.folder import check_folder
from optimizer.results.kpis import EXPECTED
from optimizer.results.solution import Solution

PART_LABEL = {"shortfall": "(take-or-pay shortfall)", "onboarding": "(onboarding fee)",
              "CVaR term": "(CVaR term of the objective)", "solver rounding": "(solver rounding)"}
"""How NPV parts that belong to no chip (or to no provider and year) are shown in the attribution."""

CHANGES = {"contracts": ("added", "removed", "more", "fewer"),
           "limits": ("now binding", "no longer binding", "price moved")}
"""The kinds of change in :attr:`Comparison.contracts` and :attr:`Comparison.limits`, in the order they are shown."""


@dataclass
class Comparison:
    """Plans compared with the first (the baseline). Money in USD.

    - ``kpis``: kpi, unit, one column per plan, then ``Δ <plan>`` (plan − baseline) per other plan;
    - ``attribution``: plan, part, provider, chip, year, baseline_usd, plan_usd, delta_usd (NPV parts);
    - ``contracts``: plan, provider, chip, year, baseline_chips, plan_chips, delta_chips,
      delta_npv_usd, change ("added", "removed", "more", "fewer");
    - ``limits``: plan, limit, subject, year, scenario, baseline_binding, plan_binding,
      baseline_price, plan_price, price_unit, change ("now binding", "no longer binding", "price moved").
    """

    names: list[str]
    solutions: list[Solution]
    kpis: pd.DataFrame
    attribution: pd.DataFrame
    contracts: pd.DataFrame
    limits: pd.DataFrame

    @property
    def baseline(self) -> str:
        return self.names[0]

    def npv_difference(self, plan: str) -> float | None:
        """Objective of ``plan`` minus the baseline's (USD); None unless both have a plan."""
        a, b = self.solutions[0], self.solutions[self.names.index(plan)]
        if a.objective_usd is None or b.objective_usd is None:
            return None
        return b.objective_usd - a.objective_usd

    def attribution_by(self, plan: str, by: str) -> pd.Series:
        """The NPV difference of ``plan`` split by ``"provider"``, ``"chip"``, ``"year"`` or ``"part"``; sums to it."""
        rows = self.attribution[self.attribution.plan == plan]
        if by == "part":
            keys = rows.part
        else:
            keys = rows[by].where(rows[by].notna(), rows.part.map(lambda p: PART_LABEL.get(p, f"({p})")))
        return rows.delta_usd.groupby(keys.to_numpy(), sort=False).sum()

    def change_counts(self, plan: str, table: str) -> dict[str, int]:
        """How many rows of ``table`` (``"contracts"`` or ``"limits"``) changed for ``plan``, by kind of change.

        Kinds in a fixed order (see :data:`CHANGES`), only those that occur.
        """
        df = getattr(self, table)
        counts = df[df.plan == plan].change.value_counts() if not df.empty else pd.Series(dtype=int)
        return {kind: int(counts[kind]) for kind in CHANGES[table] if kind in counts}

    def key_figure(self, kpi: str, plan: str) -> float | None:
        """A key figure of ``plan`` by its :mod:`optimizer.kpis` name (e.g. ``"peak power held"``); None if absent."""
        rows = self.kpis[self.kpis.kpi == kpi] if not self.kpis.empty else self.kpis
        if rows.empty or pd.isna(rows[plan].iloc[0]):
            return None
        return float(rows[plan].iloc[0])

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write ``compare.md``, ``compare.html``, their charts (``compare-*.svg``) and the tables as CSV."""
        out = Path(out_dir)
        if out.exists() and not out.is_dir():
            raise FileExistsError(f"{out} exists and is not a directory")
        out.mkdir(parents=True, exist_ok=True)
        files = build_comparison(self).files("compare")
        for name in ("kpis", "attribution", "contracts", "limits"):
            files[f"compare_{name}.csv"] = getattr(self, name).to_csv(index=False)
        written = write_files_atomically(out, files)
        for old in out.glob("compare-*.svg"):
            if old.name not in files:
                old.unlink(missing_ok=True)
        return written


def compare(*plans: str | Path | Solution, names: Sequence[str] | None = None) -> Comparison:
    """Compare plans (solution folders or :class:`Solution` objects); the first is the baseline.

    ``names`` label the plans (default: the folder names, or the instance names).
    Raises :class:`~optimizer.folder.FolderError` for a folder that cannot be read (saying what to run when
    it is an instance file, missing, or not written by ``procure solve --out``), and
    ``ValueError`` for fewer than two plans or duplicate names.
    """
    if len(plans) < 2:
        raise ValueError("compare needs at least two plans")
    for p in plans:
        if not isinstance(p, Solution):
            check_folder(Path(p), then="compare")
    solutions = [p if isinstance(p, Solution) else Solution.read(p) for p in plans]
    labels = list(names) if names is not None else _default_names(plans, solutions)
    if len(labels) != len(solutions) or len(set(labels)) != len(labels):
        raise ValueError(f"plan names must be unique, one per plan: {labels}")
    base = solutions[0]
    others = list(zip(labels[1:], solutions[1:], strict=True))
    return Comparison(
        names=labels, solutions=solutions, kpis=_kpis(labels, solutions),
        attribution=_concat([_attribution(name, base, sol) for name, sol in others]),
        contracts=_concat([_contracts(name, base, sol) for name, sol in others]),
        limits=_concat([_limits(name, base, sol) for name, sol in others]),
    )


def _default_names(plans: Sequence[str | Path | Solution], solutions: list[Solution]) -> list[str]:
    names = [Path(p).resolve().name if not isinstance(p, Solution) else s.instance for p, s in zip(
        plans, solutions, strict=True)]
    if len(set(names)) == len(names):
        return names
    if all(not isinstance(p, Solution) for p in plans):
        paths = [str(p) for p in plans]
        if len(set(paths)) == len(paths):
            return paths
    return [f"{n} #{i + 1}" for i, n in enumerate(names)]


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _kpis(names: list[str], solutions: list[Solution]) -> pd.DataFrame:
    kpis = [s.kpis if s.has_plan else None for s in solutions]
    columns = {n: k.overall() if k is not None else pd.Series(dtype=float) for n, k in zip(names, kpis, strict=True)}
    index = list(dict.fromkeys(key for series in columns.values() for key in series.index))
    if not index:
        return pd.DataFrame(columns=["kpi", "unit", *names])
    df = pd.DataFrame({n: s.reindex(pd.MultiIndex.from_tuples(index)) for n, s in columns.items()})
    for n in names[1:]:
        df[f"Δ {n}"] = df[n] - df[names[0]]
    df.index.names = ["kpi", "unit"]
    headlines = [k.headline if k is not None else pd.DataFrame(columns=["kpi", "unit", "scenario", "value"])
                 for k in kpis]
    return with_added_rows(df.reset_index(), names, added_rows(names, solutions, headlines))


def _overall(df: pd.DataFrame, sol: Solution) -> pd.DataFrame:
    """Rows of the plan as a whole: the expected rows with scenarios, else all rows."""
    return df[df.scenario == EXPECTED] if len(sol.scenarios) > 1 else df


def _attribution(name: str, base: Solution, sol: Solution) -> pd.DataFrame:
    if not (base.has_plan and sol.has_plan):
        return pd.DataFrame()
    keys = ["part", "provider", "chip", "year"]

    def parts(s: Solution) -> pd.Series:
        npv = _overall(s.kpis.npv, s).assign(chip=lambda f: f.chip.fillna(""))
        return npv.groupby(keys, sort=False).npv_usd.sum()

    a, b = parts(base), parts(sol)
    df = pd.DataFrame({"baseline_usd": a, "plan_usd": b}).fillna(0.0).reset_index()
    df["delta_usd"] = df.plan_usd - df.baseline_usd
    df["chip"] = pd.Series([c or None for c in df.chip], index=df.index, dtype=object)
    explained_a, explained_b = float(a.sum()), float(b.sum())
    if base.cvar_usd is not None or sol.cvar_usd is not None:  # §10.7: the objective is λ·(CVaR − expected) more
        ta, tb = _cvar_term(base), _cvar_term(sol)
        df.loc[len(df)] = {"part": "CVaR term", "provider": None, "chip": None, "year": None,
                           "baseline_usd": ta, "plan_usd": tb, "delta_usd": tb - ta}
        explained_a, explained_b = explained_a + ta, explained_b + tb
    rounding = (sol.objective_usd - base.objective_usd) - df.delta_usd.sum()
    if abs(rounding) > 1e-9 * max(abs(sol.objective_usd), abs(base.objective_usd), 1.0):
        df.loc[len(df)] = {"part": "solver rounding", "provider": None, "chip": None, "year": None,
                           "baseline_usd": base.objective_usd - explained_a,
                           "plan_usd": sol.objective_usd - explained_b, "delta_usd": rounding}
    df = df[df.delta_usd.abs() > 1e-6]
    df["year"] = pd.Series([None if pd.isna(y) else int(y) for y in df.year], index=df.index, dtype=object)
    return df.assign(plan=name)[["plan", *keys, "baseline_usd", "plan_usd", "delta_usd"]].reset_index(drop=True)


def _cvar_term(sol: Solution) -> float:
    """The objective minus the expected cost (USD): ``λ·(CVaR − expected cost)`` with ``risk``, else 0."""
    if sol.cvar_usd is None or sol.expected_cost_usd is None or sol.objective_usd is None:
        return 0.0
    return sol.objective_usd - sol.expected_cost_usd


def _contracts(name: str, base: Solution, sol: Solution) -> pd.DataFrame:
    if not (base.has_plan and sol.has_plan):
        return pd.DataFrame()
    keys = ["provider", "chip", "year"]

    def signed(s: Solution) -> pd.DataFrame:
        return weighted(s.contracts, s, keys, ["chips", "npv_usd"]).set_index(keys)

    a, b = signed(base), signed(sol)
    df = a.merge(b, how="outer", left_index=True, right_index=True, suffixes=("_a", "_b")).fillna(0.0).reset_index()
    df["delta_chips"] = df.chips_b - df.chips_a
    df["delta_npv_usd"] = df.npv_usd_b - df.npv_usd_a
    changed = df.delta_chips.abs() > 1e-6 * np.maximum(1.0, np.maximum(df.chips_a, df.chips_b))
    df = df[changed].copy()
    df["change"] = np.select([df.chips_a <= 1e-6, df.chips_b <= 1e-6, df.delta_chips > 0],
                             ["added", "removed", "more"], "fewer")
    df = df.rename(columns={"chips_a": "baseline_chips", "chips_b": "plan_chips"}).assign(plan=name)
    df = df.reindex(df.delta_npv_usd.abs().sort_values(ascending=False).index)
    return df[["plan", *keys, "baseline_chips", "plan_chips", "delta_chips", "delta_npv_usd", "change"]].reset_index(
        drop=True)


def _limit_table(sol: Solution) -> pd.DataFrame:
    """Per limit, subject, year and scenario: binding (in any period) and the shadow price."""
    keys = ["limit", "subject", "year", "scenario"]

    def keyed(df: pd.DataFrame) -> pd.DataFrame:
        return df.assign(year=df.year.map(lambda y: -1 if pd.isna(y) else int(y)),
                         scenario=df.scenario.map(lambda s: "" if pd.isna(s) else s))

    b = keyed(sol.binding) if not sol.binding.empty else pd.DataFrame(columns=[*keys, "price_unit"])
    binding = b.groupby(keys, sort=False).price_unit.first().rename("unit_b")
    sp = keyed(sol.shadow_prices) if not sol.shadow_prices.empty else pd.DataFrame(
        columns=[*keys, "shadow_price", "price_unit"])
    prices = sp.set_index(keys)[["shadow_price", "price_unit"]]
    df = prices.join(binding, how="outer")
    df["binding"] = df.index.isin(binding.index)
    df["price_unit"] = df.price_unit.fillna(df.unit_b)
    return df.drop(columns=["unit_b"])


def _limits(name: str, base: Solution, sol: Solution) -> pd.DataFrame:
    if not (base.has_plan and sol.has_plan):
        return pd.DataFrame()
    a, b = _limit_table(base), _limit_table(sol)
    df = a.merge(b, how="outer", left_index=True, right_index=True, suffixes=("_a", "_b"))
    df[["binding_a", "binding_b"]] = df[["binding_a", "binding_b"]].fillna(False).astype(bool)
    pa, pb = df.shadow_price_a.fillna(0.0), df.shadow_price_b.fillna(0.0)
    moved = (pa - pb).abs() > 1e-6 * np.maximum(1.0, np.maximum(pa.abs(), pb.abs()))
    df = df[moved | (df.binding_a != df.binding_b)].copy()
    df["change"] = np.select([~df.binding_a & df.binding_b, df.binding_a & ~df.binding_b],
                             ["now binding", "no longer binding"], "price moved")
    df["price_unit"] = df.price_unit_b.fillna(df.price_unit_a)
    df = df.reset_index()
    df["year"] = pd.Series([None if y < 0 else int(y) for y in df.year], index=df.index, dtype=object)
    df["scenario"] = pd.Series([s or None for s in df.scenario], index=df.index, dtype=object)
    df = df.rename(columns={"binding_a": "baseline_binding", "binding_b": "plan_binding",
                            "shadow_price_a": "baseline_price", "shadow_price_b": "plan_price"}).assign(plan=name)
    df = df.reindex((df.plan_price.fillna(0.0) - df.baseline_price.fillna(0.0)).abs().sort_values(
        ascending=False).index)
    return df[["plan", "limit", "subject", "year", "scenario", "baseline_binding", "plan_binding", "baseline_price",
               "plan_price", "price_unit", "change"]].reset_index(drop=True)
