"""An irreducible infeasible subset (IIS) from HiGHS, in the instance's own words.

An IIS is a set of rows and variable bounds that cannot hold together, and from which no row can
be dropped without the rest becoming satisfiable. It complements the elastic diagnosis
(:mod:`optimizer.diagnose`), which says *how much* each limit must move: the IIS says *which*
limits conflict, row by row (e.g. the demand of one workload in 2029 against the power of both
providers that could serve it).

HiGHS computes IISs of LPs only (``Highs.getIis``). For a MILP the IIS is that of its LP
relaxation; when the relaxation is feasible (integrality alone makes the instance infeasible:
whole blocks, minimum contracts, provider counts), no IIS is available and :func:`iis` says so.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import highspy
import numpy as np

from optimizer.errors import InstanceError
from optimizer.model import build_model
from optimizer.prepare.arrays import Prepared
from optimizer.solve.compile import compile_to_highs
from optimizer.solve.highs import run_interruptibly
from optimizer.solve.numerics import INFINITE, LARGE_COEFFICIENT, SMALL_COEFFICIENT, CoefficientError
from optimizer.solve.options import SolveOptions

LIMITS = {
    "active_chips": ("definition of active chips (spec §3)", "offers[{o}].term_months"),
    "demand": ("C1 demand", "workloads[{w}].demand"),
    "capacity": ("C2 capacity: chips allocated ≤ chips active", "offers[{o}]"),
    "provider_power": ("C3 provider power", "providers[{p}].power_mw"),
    "global_power": ("C4 global power", "global_power_mw"),
    "supply": ("C5 supply", "offers[{o}].max_new_chips_per_year"),
    "budget_year": ("C6 budget per year", "budget.per_year_usd"),
    "budget_total": ("C6 budget total", "budget.total_usd"),
    "spend_commitment": ("C7 spend commitment", "spend_commitments[{k}].amount_usd"),
    "capacity_commitment": ("C8 capacity commitment", "capacity_commitments[{k}].min_mw"),
    "diversification": ("C10 diversification", "diversification.max_share"),
    "provider_used_link": ("C11 provider used (contracts only at a used provider)", "providers[{p}]"),
    "provider_used": ("C11 provider used (a used provider holds a contract)", "providers[{p}]"),
    "min_contract_lower": ("C12 minimum contract", "offers[{o}].min_chips"),
    "min_contract_upper": ("C12 minimum contract", "offers[{o}].min_chips"),
    "block_multiple": ("whole blocks", "offers[{o}].block_chips"),
    "providers_min": ("C13 providers used", "providers_used.min"),
    "providers_max": ("C13 providers used", "providers_used.max"),
}
"""Model row family → (the limit in words, the JSON path it comes from)."""

COMPONENT_FAMILY = {"providers_used_min": "providers_min", "providers_used_max": "providers_max"}
"""Pyomo component names that differ from the limit names of :class:`optimizer.diagnose.Finding`."""


@dataclass(frozen=True)
class IisRow:
    """One row of the IIS: its family (the same names as a diagnosis finding's ``limit``), where and when."""

    family: str
    limit: str
    path: str
    where: str
    year: int | None
    period: int | None
    scenario: str | None
    side: str  # "upper" (≤), "lower" (≥) or "equal"
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Iis:
    """The IIS (``rows``, and ``bounds``: the variable bounds in it), or why there is none."""

    found: bool
    rows: list[IisRow] = field(default_factory=list)
    bounds: list[IisRow] = field(default_factory=list)
    relaxed: bool = False  # the IIS is of the LP relaxation of a MILP
    message: str = ""

    @property
    def families(self) -> set[str]:
        return {r.family for r in (*self.rows, *self.bounds)}

    def to_dict(self) -> dict:
        return {"found": self.found, "relaxed": self.relaxed, "message": self.message,
                "rows": [r.to_dict() for r in self.rows], "bounds": [b.to_dict() for b in self.bounds]}


def iis(prep: Prepared, options: SolveOptions | None = None) -> Iis:
    """Compute an IIS of the model (of its LP relaxation for a MILP) and map it to the instance."""
    options = options or SolveOptions()
    built = build_model(prep)
    if built.layout.trivially_infeasible:  # a row with no variables that can never hold: an IIS on its own
        family, key, _ = built.layout.trivially_infeasible[0]
        side = "lower" if family in ("demand", "capacity_commitment", "providers_min") else "upper"
        more = len(built.layout.trivially_infeasible) - 1
        return Iis(True, [_describe(prep, family, key, side)],
                   message="a limit that no decision can meet" + (f" ({more} more like it)" if more else ""))
    h, compiled = compile_to_highs(built)
    relaxed = compiled.is_mip
    if relaxed:
        idx = np.flatnonzero(compiled.integer).astype(np.int32)
        h.changeColsIntegrality(len(idx), idx, np.full(len(idx), highspy.HighsVarType.kContinuous))
    h.setOptionValue("iis_strategy", int(highspy.IisStrategy.kIisStrategyFromLp)
                     | int(highspy.IisStrategy.kIisStrategyIrreducible))
    if options.time_limit is not None:
        h.setOptionValue("time_limit", float(options.time_limit))
        h.setOptionValue("iis_time_limit", float(options.time_limit))
    if options.threads is not None:
        h.setOptionValue("threads", int(options.threads))
    run_interruptibly(h)  # Ctrl-C stops it as it stops a solve
    status = h.getModelStatus()
    S = highspy.HighsModelStatus
    if status == S.kOptimal:
        what = "its LP relaxation is feasible" if relaxed else "the model is feasible"
        why = ("; integrality alone (whole blocks, minimum contracts, providers used) makes it infeasible, "
               "see the elastic diagnosis") if relaxed else ""
        return Iis(False, relaxed=relaxed, message=f"no IIS: {what}{why}")
    if status not in (S.kInfeasible, S.kUnboundedOrInfeasible):
        return Iis(False, relaxed=relaxed, message=f"no IIS: HiGHS stopped with {h.modelStatusToString(status)}")
    result, found = h.getIis()
    if result == highspy.HighsStatus.kError or not found.valid_:
        return Iis(False, relaxed=relaxed, message="no IIS: HiGHS could not compute one")
    rows = [_describe(prep, *_family_key(compiled.rows[r]), _side(compiled.rows[r][2]))
            for r in found.row_index_]
    bounds = [_bound(prep, compiled.columns[c], compiled.col_upper[c], b)
              for c, b in zip(found.col_index_, found.col_bound_, strict=True)]
    kept = sorted((b for b in bounds if b is not None), key=_order)
    rows.sort(key=_order)
    return Iis(True, rows, kept, relaxed,
               f"{len(rows)} limits{f' and {len(kept)} bounds' if kept else ''} cannot hold together"
               + (" (in the LP relaxation)" if relaxed else ""))


def explain_coefficient(prep: Prepared, err: CoefficientError) -> InstanceError:
    """A model number HiGHS cannot take (:class:`CoefficientError`), as an input error naming the limit.

    The limit (row) gives the JSON path; the variable says which offer it multiplies.
    """
    what = {"coefficient": "a coefficient", "cost": "a cost", "limit": "a limit", "bound": "a bound"}[err.what]
    path, context = "", []
    if err.row is not None:
        row = _describe(prep, *_family_key(err.row), "upper")
        path = row.path
        context.append(f"in {row.limit}" + (f" for {row.where}" if row.where else "")
                       + (f" in {row.year}" if row.year is not None else ""))
    if err.column is not None:
        name, index = err.column
        o = index[0] if name in ("x", "blocks", "v") else index[1] if name == "u" else None
        if o is not None:
            context.append(f"on offers[{o}] ({prep.offer_ids[o]})")
            path = path or f"offers[{o}].price_per_chip_hour"
    return InstanceError(path, f"{what} of {err.value:.3g} {' '.join(context)} is outside what HiGHS can use "
                               f"(|coefficients| from {SMALL_COEFFICIENT:g} up to {LARGE_COEFFICIENT:g}, limits "
                               f"below {INFINITE:g}); check the size and unit of the inputs it comes from")


def _order(row: IisRow) -> tuple:
    """Spec order (C1 before C2 …), then JSON path, year, period and scenario."""
    return (list(LIMITS).index(row.family) if row.family in LIMITS else len(LIMITS), row.path, row.year or 0,
            row.period or 0, row.scenario or "")


def _family_key(row: tuple) -> tuple[str, tuple]:
    """A compiled row's family (its constraint's name, as the limit is known) and index."""
    name, index = row[0], row[1]
    return COMPONENT_FAMILY.get(name, name), index


def _side(sense: int) -> str:
    return {-1: "lower", 0: "equal", 1: "upper"}[int(sense)]


def _bound(prep: Prepared, column: tuple[str, tuple], ub: float, bound_status: int) -> IisRow | None:
    """A variable bound in the IIS, in words; None for the plain ``≥ 0`` bounds (always there).

    The integer variables carry the only other bounds: ``z ≤ 1`` and ``v ≤ 1`` (a switch), and
    ``blocks ≤ ⌊M_oτ / block_chips⌋``, where ``M_oτ`` comes from the power limits and the supply cap.
    """
    B = highspy.IisBoundStatus
    if int(bound_status) not in (int(B.kIisBoundStatusUpper), int(B.kIisBoundStatusBoxed)) or math.isinf(ub):
        return None
    name, index = column
    if name == "z":
        row = _describe(prep, "provider_used", index, "upper")
        return IisRow(**{**row.to_dict(), "message": f"{row.path} ({row.where}) counts once: used or not"})
    if name not in ("blocks", "v"):
        return None
    o, tau, s = index
    family = "block_multiple" if name == "blocks" else "min_contract_upper"
    row = _describe(prep, family, (o, tau, s), "upper")
    if name == "v":
        return row
    family, cause = _chip_bound_cause(prep, o, tau)
    block = int(prep.block[o])
    text = (f"whole blocks: {row.path} ({row.where}) in {row.year}: at most {ub:g} "
            f"block{'s' if ub != 1 else ''} of {block} chips fit {cause}")
    return IisRow(family, row.limit, row.path, row.where, row.year, row.period, row.scenario, "upper", text)


def _chip_bound_cause(prep: Prepared, o: int, tau: int) -> tuple[str, str]:
    """Which limit sets ``M_oτ`` (the most chips of offer o signable at τ): family and JSON path."""
    y = int(prep.periods.year_index[tau])
    p = int(prep.offer_provider[o])
    mw = float(prep.offer_mw[o])
    causes = [(prep.power_mw[p, y] / mw, "provider_power", f"providers[{p}].power_mw ({prep.provider_ids[p]})"),
              (float(prep.supply_cap[o, y]), "supply", f"offers[{o}].max_new_chips_per_year")]
    if prep.global_power_mw is not None:
        causes.append((prep.global_power_mw[y] / mw, "global_power", "global_power_mw"))
    _, family, path = min(causes, key=lambda c: c[0])
    return family, path


def _describe(prep: Prepared, family: str, key: tuple, side: str) -> IisRow:
    """Name the row in the instance's words: JSON path, subject, calendar year, scenario."""
    limit, template = LIMITS.get(family, (family, ""))
    per = prep.periods
    names = {"o": None, "w": None, "p": None, "k": None}
    period = year = scenario = None
    where = ""
    if family in ("active_chips", "capacity"):
        names["o"], period, s = key
        where = prep.offer_ids[key[0]]
    elif family == "demand":
        names["w"], period, s = key
        where = prep.workload_ids[key[0]]
    elif family in ("provider_power", "diversification"):
        names["p"], period, s = key
        where = prep.provider_ids[key[0]]
    elif family == "global_power":
        _, period, s = key
        where = "all providers"
    elif family == "capacity_commitment":
        names["k"], period, s = key
        c = prep.instance.capacity_commitments[key[0]]
        where = f"{c.provider} {'/'.join(c.chips)}"
    elif family == "supply":
        names["o"], y, s = key
        year, where = per.start_year + y, prep.offer_ids[key[0]]
    elif family == "budget_year":
        y, s = key
        year = per.start_year + y
    elif family in ("budget_total",):
        (s,) = key
    elif family == "spend_commitment":
        names["k"], s = key
        where = prep.instance.spend_commitments[key[0]].provider
    elif family in ("provider_used_link", "min_contract_lower", "min_contract_upper", "block_multiple"):
        o, tau, s = key
        names["o"], period = o, tau
        names["p"] = int(prep.offer_provider[o])
        where = prep.offer_ids[o]
        if family == "provider_used_link":
            where = prep.provider_ids[names["p"]]
        s = s if not prep.first_stage[tau] else None
    elif family == "provider_used":
        (names["p"],) = key
        where, s = prep.provider_ids[key[0]], None
    else:
        s = None
    if period is not None:
        year = int(per.start_year + per.year_index[period])
    if s is not None and prep.n_scenarios > 1:
        scenario = prep.scenario_ids[s]
    path = template.format(**{k: v for k, v in names.items() if v is not None}) if template else ""
    when = f" in {year}" if year is not None else ""
    when += f" (period {period})" if period is not None and per.per_year > 1 else ""
    when += f" (scenario {scenario})" if scenario is not None else ""
    subject = f" ({where})" if where else ""
    return IisRow(family, limit, path, where, year, period, scenario, side, f"{limit}: {path}{subject}{when}")


__all__ = ["Iis", "IisRow", "explain_coefficient", "iis"]
