"""Results: one :class:`Solution` with pandas tables, written as ``solution.json`` (spec §7) and CSVs.

Values are read back from the solver as arrays indexed like the prepared data: chips signed
``X[o, τ, s]``, active ``A[o, t, s]`` and allocated ``U[w, o, t, s]``, shortfalls in USD.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from optimizer.input.schema import Instance
from optimizer.model import MONEY, Built
from optimizer.prepare.arrays import Prepared
from optimizer.results.csvfiles import csv_text
from optimizer.results.folder import FolderError, check_folder, instance_data, read_instance, read_json, read_table
from optimizer.results.limits import binding, duals_note, limit_rows, shadow_prices
from optimizer.solve.compiled import RawSolution
from optimizer.solve.status import Status

if TYPE_CHECKING:
    from optimizer.results.csvfiles import csv_text
from optimizer.results.kpis import Kpis

ZERO_CHIPS = 1e-9
"""Rows with fewer chips than this are left out of the tables (spec §7 allows it). HiGHS returns
exact zeros for unused columns; the threshold only drops round-off, so that a plan of a fraction
of a chip (a chip worth 1e7 PFLOPS) is still written whole."""

TABLES = ("contracts", "active", "allocation", "payments", "power", "shortfalls", "binding", "shadow_prices")
"""Tables of a plan, each written as ``<name>.csv``."""
KPI_FILES = ("kpis.json", "kpis.csv", "npv.csv", "spend.csv", "unit_costs.csv", "compute_shares.csv",
             "power_shares.csv", "concentration.csv", "commitments.csv")
"""KPI files (see :mod:`optimizer.kpis`), written beside a plan."""
OUTPUT_FILES = ("solution.json", "instance.json", "demand.csv", *(f"{name}.csv" for name in TABLES), *KPI_FILES)
"""Every file :meth:`Solution.write` may write into its folder."""
def _derived(name: str) -> bool:
    """Files made from a folder's content by ``procure report``; a new plan written there removes them."""
    return name in ("report.md", "report.html") or (name.startswith("report-") and name.endswith(".svg"))


@dataclass
class Solution:
    """A solved (or refused) plan. Money in USD (nominal unless the column says NPV), power in MW.

    Tables (pandas DataFrames; ``scenario`` is the case id, or None without scenarios):

    - ``contracts``: offer, provider, chip, period (signing τ), year, chips, scenario, term_periods,
      price_per_chip_hour (USD, locked), npv_usd (discounted full-term cost of the row);
    - ``active``: offer, provider, chip, period, year, chips, mw, scenario;
    - ``allocation``: workload, offer, provider, chip, period, year, chips, delivered (metric units), scenario;
    - ``payments``: provider, year, contracts_usd, onboarding_usd, shortfall_usd, total_usd, scenario
      (nominal, horizon years only);
    - ``power``: provider, period, year, mw, limit_mw, scenario;
    - ``shortfalls``: commitment, provider, usd, scenario;
    - ``binding``: limits met with equality: limit, where, year, period, scenario, slack, unit,
      shadow_price, price_unit;
    - ``shadow_prices``: per limit, subject and calendar year, the change in NPV (USD) when the
      limit is raised by one unit for that whole year (see :mod:`optimizer.limits`);
    - ``demand``: workload, metric, period, year, scenario, demand and delivered (metric units; delivered
      is NaN without a plan).

    ``inputs`` is the validated instance the plan answers; ``kpis`` (:class:`optimizer.kpis.Kpis`) are
    computed from the tables and ``inputs``. :meth:`write` saves it all to a folder and :meth:`read`
    rebuilds it from one.
    """

    instance: str
    status: Status
    objective_usd: float | None
    mip_gap: float | None
    providers_used: list[str] = field(default_factory=list)
    contracts: pd.DataFrame = field(default_factory=pd.DataFrame)
    active: pd.DataFrame = field(default_factory=pd.DataFrame)
    allocation: pd.DataFrame = field(default_factory=pd.DataFrame)
    payments: pd.DataFrame = field(default_factory=pd.DataFrame)
    power: pd.DataFrame = field(default_factory=pd.DataFrame)
    shortfalls: pd.DataFrame = field(default_factory=pd.DataFrame)
    binding: pd.DataFrame = field(default_factory=pd.DataFrame)
    shadow_prices: pd.DataFrame = field(default_factory=pd.DataFrame)
    demand: pd.DataFrame = field(default_factory=pd.DataFrame)
    inputs: Instance | None = None
    duals_note: str = ""
    diagnosis: list[dict[str, Any]] | None = None
    message: str = ""
    is_mip: bool = False
    scenarios: list[str | None] = field(default_factory=lambda: [None])
    probabilities: list[float] = field(default_factory=lambda: [1.0])
    periods_per_year: int = 1
    timings: dict[str, float] = field(default_factory=dict)
    numerics: dict[str, Any] = field(default_factory=dict)  # model size and coefficient ranges (optimizer.numerics)
    warnings: list[Any] = field(default_factory=list)  # implausible input units (optimizer.numerics.InputWarning)

    @property
    def has_plan(self) -> bool:
        return self.status.has_plan

    @property
    def kpis(self) -> Kpis:
        """Key figures of the plan (NPV, spend, unit costs, shares, concentration, commitments, headroom)."""
        from optimizer.results.kpis import compute_kpis

        return compute_kpis(self)

    def to_dict(self) -> dict[str, Any]:
        """The content of ``solution.json``: spec §7's keys, then more tables. No timings (deterministic)."""
        def rows(df: pd.DataFrame, cols: list[str]) -> list[dict[str, Any]]:
            if df.empty:
                return []
            return [_plain(r) for r in df[cols].to_dict(orient="records")]

        out: dict[str, Any] = {
            "instance": self.instance,
            "status": str(self.status),
            "objective_usd": self.objective_usd,
            "mip_gap": self.mip_gap,
            "contracts": rows(self.contracts, ["offer", "provider", "chip", "period", "year", "chips", "scenario"]),
            "allocation": rows(self.allocation, ["workload", "offer", "period", "chips", "scenario"]),
            "shortfalls": rows(self.shortfalls, ["commitment", "usd", "scenario"]),
            "providers_used": list(self.providers_used),
        }
        if self.diagnosis is not None:
            out["diagnosis"] = self.diagnosis
        if self.message:
            out["message"] = self.message
        if self.has_plan:
            out["payments"] = rows(self.payments, list(self.payments.columns))
            out["power"] = rows(self.power, list(self.power.columns))
            out["binding"] = rows(self.binding, list(self.binding.columns))
            out["shadow_prices"] = rows(self.shadow_prices, list(self.shadow_prices.columns))
            if self.duals_note:
                out["duals_note"] = self.duals_note
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, allow_nan=False) + "\n"

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write the plan into ``out_dir``, each file whole or not at all.

        ``solution.json`` (spec §7 and more), ``instance.json`` (the instance, as validated),
        ``demand.csv``; with a plan, one CSV per table and the KPI files (``kpis.json`` and CSVs).
        Files of an earlier plan in the folder that this one does not write (and reports made from
        it) are removed afterwards, so the folder never mixes two plans.
        """
        out = Path(out_dir)
        if out.exists() and not out.is_dir():
            raise FileExistsError(f"{out} exists and is not a directory")
        out.mkdir(parents=True, exist_ok=True)
        files = {"solution.json": self.to_json()}
        if self.inputs is not None:
            files["instance.json"] = json.dumps(instance_data(self.inputs), indent=1, allow_nan=False) + "\n"
        if not self.demand.empty:
            files["demand.csv"] = csv_text(self.demand)
        if self.has_plan:
            for name in TABLES:
                files[f"{name}.csv"] = csv_text(getattr(self, name))
            if self.inputs is not None:
                files.update(self.kpis.files())
        written = write_files_atomically(out, files)
        for stale in out.iterdir():
            if stale.name not in files and (stale.name in OUTPUT_FILES or _derived(stale.name)):
                stale.unlink(missing_ok=True)
        return written

    @classmethod
    def read(cls, folder: str | Path) -> Solution:
        """Rebuild a Solution from a folder written by :meth:`write` (status, objective, tables, diagnosis).

        Raises :class:`~optimizer.folder.FolderError` (a ``ValueError``) with a one-line message when
        the folder has no readable ``solution.json`` or ``instance.json``, or a table is missing.
        """
        path = Path(folder)
        if not path.is_dir():
            check_folder(path, then="report")
        data = read_json(path / "solution.json")
        try:
            status = Status(data["status"])
            head = {k: data[k] for k in ("instance", "objective_usd", "mip_gap", "providers_used")}
        except (KeyError, ValueError) as e:
            raise FolderError(f"{path / 'solution.json'}: not a procure solution ({e})") from None
        inputs = read_instance(path)
        scenarios = inputs.scenarios.cases if inputs.scenarios is not None else []
        tables = {}
        if status.has_plan:
            tables = {name: read_table(path / f"{name}.csv") for name in TABLES}
        if (path / "demand.csv").exists():
            tables["demand"] = read_table(path / "demand.csv")
        return cls(**head, status=status, **tables, inputs=inputs, duals_note=data.get("duals_note", ""),
                   diagnosis=data.get("diagnosis"), message=data.get("message", ""),
                   is_mip=head["mip_gap"] is not None,
                   scenarios=[c.id for c in scenarios] or [None],
                   probabilities=[c.probability for c in scenarios] or [1.0],
                   periods_per_year=inputs.horizon.periods_per_year)


def write_files_atomically(out: Path, files: dict[str, str]) -> list[Path]:
    """Write every file to a temporary name first, then rename them all into place.

    Files get the usual permissions (``0o666`` less the umask), not the private ones of a temporary file.
    """
    staged: list[tuple[str, Path]] = []
    umask = os.umask(0o022)
    os.umask(umask)
    try:
        for name, text in files.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=out)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            staged.append((tmp, out / name))
            os.chmod(tmp, 0o666 & ~umask)
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for tmp, final in staged:
        os.replace(tmp, final)
    return [final for _, final in staged]


def _plain(record: dict[str, Any]) -> dict[str, Any]:
    """numpy scalars → Python numbers, NaN → None (JSON has no NaN)."""
    out = {}
    for key, value in record.items():
        plain = value.item() if isinstance(value, np.generic) else value
        out[key] = None if isinstance(plain, float) and math.isnan(plain) else plain
    return out


# --- reading values back ---------------------------------------------------------------------

def extract(built: Built, raw: RawSolution) -> Solution:
    """Turn solver values into a :class:`Solution` with tables."""
    prep = built.prepared
    inst = prep.instance
    scen = list(prep.scenario_ids)
    if not raw.status.has_plan:
        return Solution(inst.name, raw.status, None, None, message=raw.message, is_mip=built.is_mip,
                        demand=demand_table(prep, None), inputs=inst,
                        scenarios=scen, probabilities=prep.probability.tolist(),
                        periods_per_year=prep.periods.per_year)
    X, A, U, short = plan_arrays(prep, raw)
    used = sorted({prep.offer_provider[o] for o in np.flatnonzero(X.sum(axis=(1, 2)) > 0)})

    tables = _Tables(built, X, A, U, short)
    limits = limit_rows(built, raw)
    objective = raw.objective * MONEY if raw.objective is not None else None
    return Solution(
        instance=inst.name, status=raw.status, objective_usd=objective, mip_gap=raw.mip_gap,
        providers_used=[prep.provider_ids[p] for p in used],
        contracts=tables.contracts(), active=tables.active(), allocation=tables.allocation(),
        payments=tables.payments(used), power=tables.power(), shortfalls=tables.shortfalls(),
        binding=binding(limits), shadow_prices=shadow_prices(limits, built.prepared),
        demand=demand_table(prep, np.einsum("wots,wo->wts", U, prep.effectiveness)), inputs=inst,
        duals_note=duals_note(built, raw), message=raw.message, is_mip=built.is_mip,
        scenarios=scen, probabilities=prep.probability.tolist(), periods_per_year=prep.periods.per_year,
    )


def plan_arrays(prep: Prepared, raw: RawSolution) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The plan as arrays: chips signed X (O, T, S), active A (O, T, S), allocated U (W, O, T, S)
    and spend shortfalls (K, S) in USD.

    A first-stage contract (one column shared by all scenarios) appears in every scenario. Values
    under ``ZERO_CHIPS`` are round-off, not contracts, and read as 0; so is anything held at a
    provider whose "used" switch is off (round-off that ``x ≤ M·z`` lets through, M·1e-9).
    """
    O, T, S, W = len(prep.offer_ids), prep.periods.count, prep.n_scenarios, len(prep.workload_ids)
    X = raw.dense("x", (O, T, S))  # x[o, τ, n]: n is 0 for a shared first-stage contract
    X[:, prep.first_stage, :] = X[:, prep.first_stage, :1]
    X = np.where(X > ZERO_CHIPS, X, 0.0)
    A = raw.dense("a", (O, T, S))
    A = np.where(A > ZERO_CHIPS, A, 0.0)
    U = raw.dense("u", (W, O, T, S))
    U = np.where(U > ZERO_CHIPS, U, 0.0)
    switched_off = prep.uses_provider_binary & (raw.dense("z", (len(prep.provider_ids),)) < 0.5)
    off = np.isin(prep.offer_provider, np.flatnonzero(switched_off))
    X[off], A[off], U[:, off] = 0.0, 0.0, 0.0
    short = np.maximum(raw.dense("short", (len(prep.spend), S)), 0.0) * MONEY
    return X, A, U, short


@dataclass
class _Tables:
    built: Built
    X: np.ndarray
    A: np.ndarray
    U: np.ndarray
    short: np.ndarray

    @property
    def prep(self):
        return self.built.prepared

    def _labels(self, o: np.ndarray, t: np.ndarray, s: np.ndarray) -> dict[str, Any]:
        prep = self.prep
        chips = np.array(prep.chip_ids, dtype=object)
        return {
            "offer": np.array(prep.offer_ids, dtype=object)[o],
            "provider": np.array(prep.provider_ids, dtype=object)[prep.offer_provider[o]],
            "chip": chips[prep.offer_chip[o]],
            "period": t,
            "year": prep.periods.start_year + prep.periods.year_index[t],
        }

    def _scenario(self, s: np.ndarray) -> np.ndarray:
        return np.array(self.prep.scenario_ids, dtype=object)[s]

    def contracts(self) -> pd.DataFrame:
        prep = self.prep
        o, t, s = np.nonzero(self.X)
        chips = self.X[o, t, s]
        table = pd.DataFrame({**self._labels(o, t, s), "chips": chips, "chips_whole": np.floor(chips + 0.5),
                              "scenario": self._scenario(s), "term_periods": prep.term[o],
                              "price_per_chip_hour": prep.price[o, t], "npv_usd": prep.npv_cost[o, t] * chips})
        order = np.lexsort((s, *(table[k].to_numpy(dtype=str) for k in ("offer", "chip", "provider")), t))
        return table.iloc[order].reset_index(drop=True).astype({"chips_whole": "int64"})

    def active(self) -> pd.DataFrame:
        o, t, s = np.nonzero(self.A)
        chips = self.A[o, t, s]
        return pd.DataFrame({**self._labels(o, t, s), "chips": chips, "mw": chips * self.prep.offer_mw[o],
                             "scenario": self._scenario(s)})

    def allocation(self) -> pd.DataFrame:
        w, o, t, s = np.nonzero(self.U)
        chips = self.U[w, o, t, s]
        labels = self._labels(o, t, s)
        return pd.DataFrame({"workload": np.array(self.prep.workload_ids, dtype=object)[w], **labels,
                             "chips": chips, "delivered": chips * self.prep.effectiveness[w, o],
                             "scenario": self._scenario(s)})

    def payments(self, used: list[int]) -> pd.DataFrame:
        """Nominal USD per provider, horizon year and scenario: contracts, onboarding, shortfalls."""
        prep = self.prep
        P, N, S = len(prep.provider_ids), prep.periods.years, prep.n_scenarios
        by_offer = np.einsum("oty,ots->oys", prep.payments, self.X)  # (O, N, S)
        contracts = np.zeros((P, N, S))
        np.add.at(contracts, prep.offer_provider, by_offer)
        onboarding = np.zeros((P, N, S))
        for p in used:
            onboarding[p, 0, :] = prep.onboarding[p]
        shortfall = np.zeros((P, N, S))
        for k, term in enumerate(prep.spend):
            shortfall[term.provider, term.last_year, :] += self.short[k]
        p, y, s = np.meshgrid(np.arange(P), np.arange(N), np.arange(S), indexing="ij")
        p, y, s = p.ravel(), y.ravel(), s.ravel()
        df = pd.DataFrame({"provider": np.array(prep.provider_ids, dtype=object)[p],
                           "year": prep.periods.start_year + y,
                           "contracts_usd": contracts[p, y, s], "onboarding_usd": onboarding[p, y, s],
                           "shortfall_usd": shortfall[p, y, s], "scenario": self._scenario(s)})
        df.insert(5, "total_usd", df.contracts_usd + df.onboarding_usd + df.shortfall_usd)
        return df

    def power(self) -> pd.DataFrame:
        """MW held per provider and period (and the provider's limit that year)."""
        prep = self.prep
        P, T, S = len(prep.provider_ids), prep.periods.count, prep.n_scenarios
        mw = np.zeros((P, T, S))
        np.add.at(mw, prep.offer_provider, self.A * prep.offer_mw[:, None, None])
        p, t, s = np.meshgrid(np.arange(P), np.arange(T), np.arange(S), indexing="ij")
        p, t, s = p.ravel(), t.ravel(), s.ravel()
        yidx = prep.periods.year_index[t]
        return pd.DataFrame({"provider": np.array(prep.provider_ids, dtype=object)[p], "period": t,
                             "year": prep.periods.start_year + yidx, "mw": mw[p, t, s],
                             "limit_mw": prep.power_mw[p, yidx], "scenario": self._scenario(s)})

    def shortfalls(self) -> pd.DataFrame:
        prep = self.prep
        k, s = np.nonzero(self.short > 1e-6)
        return pd.DataFrame({"commitment": k, "provider": [prep.provider_ids[prep.spend[i].provider] for i in k],
                             "usd": self.short[k, s], "scenario": self._scenario(s)})


def demand_table(prep, delivered: np.ndarray | None) -> pd.DataFrame:
    """Demand and delivered throughput per workload, period and scenario (metric units; ``delivered`` (W, T, S))."""
    W, T, S = len(prep.workload_ids), prep.periods.count, prep.n_scenarios
    w, t, s = (a.ravel() for a in np.meshgrid(np.arange(W), np.arange(T), np.arange(S), indexing="ij"))
    metrics = np.array([wl.metric for wl in prep.instance.workloads], dtype=object)
    return pd.DataFrame({"workload": np.array(prep.workload_ids, dtype=object)[w], "metric": metrics[w],
                         "period": t, "year": prep.periods.start_year + prep.periods.year_index[t],
                         "scenario": np.array(prep.scenario_ids, dtype=object)[s],
                         "demand": prep.demand[s, w, t],
                         "delivered": delivered[w, t, s] if delivered is not None else np.nan})
