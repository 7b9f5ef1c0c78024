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
from optimizer.model.describe import describe
from optimizer.model.families import active
from optimizer.prepare.arrays import Prepared
from optimizer.solve.compile import compile_to_highs
from optimizer.solve.highs import run_interruptibly
from optimizer.solve.numerics import INFINITE, LARGE_COEFFICIENT, SMALL_COEFFICIENT, CoefficientError
from optimizer.solve.options import SolveOptions


@dataclass(frozen=True)
class IisRow:
    """One row of the IIS: its family (the same names as a diagnosis finding's ``limit``: a family's alias),
    where and when."""

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
        side = "lower" if built.registry[family].sense == ">=" else "upper"
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
        why = ("; integrality alone (whole blocks, minimum contracts, providers used, placement) makes it "
               "infeasible, see the elastic diagnosis") if relaxed else ""
        return Iis(False, relaxed=relaxed, message=f"no IIS: {what}{why}")
    if status not in (S.kInfeasible, S.kUnboundedOrInfeasible):
        return Iis(False, relaxed=relaxed, message=f"no IIS: HiGHS stopped with {h.modelStatusToString(status)}")
    result, found = h.getIis()
    if result == highspy.HighsStatus.kError or not found.valid_:
        return Iis(False, relaxed=relaxed, message="no IIS: HiGHS could not compute one")
    rows = [_describe(prep, compiled.rows[r][0], compiled.rows[r][1], _side(compiled.rows[r][2]))
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
        row = _describe(prep, err.row[0], err.row[1], "upper")
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
    order = [f.alias for f in active().families]
    return (order.index(row.family) if row.family in order else len(order), row.path, row.year or 0,
            row.period or 0, row.scenario or "")


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
    power = describe(prep, "provider_power", (p, tau, 0))
    causes = [(prep.power_mw[p, y] / mw, "provider_power", f"{power.path} ({power.where})"),
              (float(prep.supply_cap[o, y]), "supply", describe(prep, "supply", (o, y, 0)).path)]
    if prep.global_power_mw is not None:
        causes.append((prep.global_power_mw[y] / mw, "global_power", describe(prep, "global_power", (0, tau, 0)).path))
    _, family, path = min(causes, key=lambda c: c[0])
    return family, path


def _describe(prep: Prepared, family: str, key: tuple, side: str) -> IisRow:
    """Name the row in the instance's words: JSON path, subject, calendar year, scenario."""
    registry = active()
    if family not in registry:
        return IisRow(family, family, "", "", None, None, None, side, f"{family}: ")
    d = describe(prep, registry[family], key)
    when = f" in {d.year}" if d.year is not None else ""
    when += f" (period {d.period})" if d.period is not None and prep.periods.per_year > 1 else ""
    when += f" (scenario {d.scenario})" if d.scenario is not None else ""
    subject = f" ({d.where})" if d.where else ""
    title = d.family.title
    return IisRow(d.family.alias, title, d.path, d.where, d.year, d.period, d.scenario, side,
                  f"{title}: {d.path}{subject}{when}")


__all__ = ["Iis", "IisRow", "explain_coefficient", "iis"]
