"""Results: one :class:`Solution` with pandas tables, written as ``solution.json`` (spec §7) and CSVs.

Values are read back from the solver as arrays indexed like the prepared data: chips signed
``X[o, τ, s]``, active ``A[o, t, s]`` and allocated ``U[w, o, t, s]``, shortfalls in USD.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from optimizer.input.schema import Instance
from optimizer.results.files import csv_text, json_record, write_files_atomically
from optimizer.results.folder import FolderError, check_folder, instance_data, read_instance, read_json, read_table
from optimizer.results.kpis import Kpis, compute_kpis
from optimizer.results.obligations import obligation_files
from optimizer.solve.status import Status

if TYPE_CHECKING:
    pass

TABLES = ("contracts", "existing", "active", "allocation", "payments", "power", "shortfalls", "binding",
          "shadow_prices")
"""Tables of a plan, each written as ``<name>.csv``."""
EXISTING_COLUMNS = ("offer", "provider", "chip", "start", "chips", "price_per_chip_hour", "first_period",
                    "last_period", "npv_usd")
"""Columns of the ``existing`` table (spec §10.3)."""
KPI_FILES = ("kpis.json", "kpis.csv", "npv.csv", "spend.csv", "unit_costs.csv", "compute_shares.csv",
             "power_shares.csv", "concentration.csv", "commitments.csv")
"""KPI files (see :mod:`optimizer.kpis`), written beside a plan."""
OUTPUT_FILES = ("solution.json", "instance.json", "demand.csv", *(f"{name}.csv" for name in TABLES), *KPI_FILES,
                "sign_now.csv", "obligations.csv")
"""Every file :meth:`Solution.write` may write into its folder."""
def _derived(name: str) -> bool:
    """Files made from a folder's content by ``procure report`` (and the near-optimal ranges of its plan); a new
    plan written there removes them."""
    return name in ("report.md", "report.html", "marginal_values.csv", "ranges.json", "ranges.csv") or (
        name.startswith("report-") and name.endswith(".svg"))


@dataclass
class Solution:
    """A solved (or refused) plan. Money in USD (nominal unless the column says NPV), power in MW.

    Tables (pandas DataFrames; ``scenario`` is the case id, or None without scenarios):

    - ``contracts``: offer, provider, chip, period (signing τ), year, chips, scenario, term_periods,
      price_per_chip_hour (USD, locked), npv_usd (discounted full-term cost of the row; pro rata, only
      its payments inside the horizon, under ``horizon.end_effects = "pro_rata"``);
    - ``existing``: contracts already signed (spec §10.3): offer, provider, chip, start ('YYYY-MM'), chips,
      price_per_chip_hour (USD), first_period and last_period active (may lie past the horizon), npv_usd;
    - ``active``: offer, provider, chip, period, year, chips, mw, scenario (existing chips included);
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
    - ``placement``: workload, provider: where each workload whose ``max_providers`` can bind is placed
      (``y[w, p] = 1``, spec §10.5); written into ``solution.json`` only, when not empty.

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
    existing: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(EXISTING_COLUMNS)))
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
    expected_cost_usd: float | None = None  # §10.7, with ``risk``: Σ_s prob_s·C_s
    cvar_usd: float | None = None  # §10.7, with ``risk``: CVaR_α of the scenarios' costs
    placement: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["workload", "provider"]))  # §10.5

    @property
    def has_plan(self) -> bool:
        return self.status.has_plan

    @property
    def kpis(self) -> Kpis:
        """Key figures of the plan (NPV, spend, unit costs, shares, concentration, commitments, headroom)."""
        return compute_kpis(self)

    def to_dict(self) -> dict[str, Any]:
        """The content of ``solution.json``: spec §7's keys, then more tables. No timings (deterministic)."""
        def rows(df: pd.DataFrame, cols: list[str]) -> list[dict[str, Any]]:
            if df.empty:
                return []
            return [json_record(r) for r in df[cols].to_dict(orient="records")]

        out: dict[str, Any] = {
            "instance": self.instance,
            "status": str(self.status),
            "objective_usd": self.objective_usd,
            "mip_gap": self.mip_gap,
            **({"expected_cost_usd": self.expected_cost_usd, "cvar_usd": self.cvar_usd}
               if self.cvar_usd is not None else {}),
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
            if not self.existing.empty:
                out["existing"] = rows(self.existing, list(self.existing.columns))
            if not self.placement.empty:  # §10.5: the (workload, provider) pairs with y = 1
                out["placement"] = rows(self.placement, ["workload", "provider"])
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
                files.update(obligation_files(self))  # Sign now and cash per year (docs/kpis.md)
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
            tables = {name: read_table(path / f"{name}.csv") for name in TABLES
                      if name != "existing" or (path / "existing.csv").exists()}  # not in older folders
        if (path / "demand.csv").exists():
            tables["demand"] = read_table(path / "demand.csv")
        return cls(**head, status=status, **tables, inputs=inputs, duals_note=data.get("duals_note", ""),
                   diagnosis=data.get("diagnosis"), message=data.get("message", ""),
                   expected_cost_usd=data.get("expected_cost_usd"), cvar_usd=data.get("cvar_usd"),
                   placement=pd.DataFrame(data.get("placement", []), columns=["workload", "provider"]),
                   is_mip=head["mip_gap"] is not None,
                   scenarios=[c.id for c in scenarios] or [None],
                   probabilities=[c.probability for c in scenarios] or [1.0],
                   periods_per_year=inputs.horizon.periods_per_year)
