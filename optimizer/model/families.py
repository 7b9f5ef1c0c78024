"""One record per constraint family: everything procure knows about a kind of row, in one place.

A :class:`Family` is one component of rows of the model: the definition of active chips, C1–C13,
and the sides that are separate components (budget per year and in total, C11's link and count,
C12's lower and upper sides, whole blocks, C13's minimum and maximum). It says what the rows
mean (spec id, label, unit, sense, index, the JSON path of the input they limit), what builds them
(one builder: Pyomo constraints in :mod:`optimizer.model.constraints` and its neighbours, or numpy
row blocks in :mod:`optimizer.model.matrix`), which prepared arrays they read, how they go elastic
in the diagnosis, and how big they get. :data:`REGISTRY` holds them in the spec's order; the
model's build order, the table of limits and shadow prices, the IIS, the diagnosis, in-place
re-solves and the size estimate all read it. Adding a family means adding a
record here and writing its builder. :func:`registered` adds families for a while (e.g. in a test).

Templates (``path``, ``where``, ``subject``, ``place``, ``shortfall``, ``price_unit``) are
formatted with the words :func:`optimizer.model.describe.describe` finds for a row: its index
letters (``o``, ``p``, ``w``, ``k``, …), ``offer``, ``provider``, ``workload``, ``metric``,
``chips`` and ``years`` (of commitment ``k``), ``when`` (``2027`` or ``2027 P2``) and ``instance``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyomo.environ as pyo

from optimizer.input.schema import Instance
from optimizer.model import constraints as con
from optimizer.model import matrix, placement, risk
from optimizer.model import shared_supply as shared
from optimizer.model.parts import Context, Part
from optimizer.model.variables import MONEY, Layout
from optimizer.prepare.arrays import Prepared

if TYPE_CHECKING:
    from optimizer.model import Built
    from optimizer.solve.compiled import RawSolution

Builder = Callable[[pyo.ConcreteModel, Prepared, Layout, Context], Part]
"""A builder ``add_*(m, prep, lay, ctx)`` or ``*_rows(m, prep, lay, ctx)``: adds its constraints to ``m``
or returns them as :class:`~matrix.RowBlock` s in its :class:`Part`."""
PriceRule = Callable[["Built", "RawSolution"], Callable[[tuple, float], float]]
"""Given the model and its solution, turns (row index, dual in USD per model unit) into a shadow price."""


@dataclass(frozen=True)
class Counts:
    """Sizes the families' rows are estimated from before anything is built (:mod:`optimizer.solve.health`)."""

    inst: Instance
    T: int  # periods
    N: int  # years
    m: int  # periods per year
    S: int  # scenarios
    P: int  # providers
    W: int  # workloads
    K: int  # spend commitments
    x: int  # contract variables (signable periods × scenario copies)
    a: int  # active-chip variables
    u: int  # allocation variables
    z: int  # provider-used switches
    v: int  # minimum-contract switches
    blocks: int  # integer block counts
    active: int  # active (offer, period) pairs
    x_per_offer: np.ndarray  # (O,) contract variables per offer
    term: np.ndarray  # (O,) term in periods
    active_per_offer: np.ndarray  # (O,) periods each offer can be active in
    u_placed: int  # allocation variables of the workloads whose max_providers can bind (§10.5)
    placed: int  # those workloads


@dataclass(frozen=True)
class Elastic:
    """How a family's rows go elastic in the diagnosis: one non-negative slack per row, in ``unit``.

    A slack weighs ``priority / max(|limit|, floor)`` (the limit in model units); ``shortfall`` is
    the diagnosis's words for the amount a limit must move (also given: ``amount``, ``unit``,
    ``where``, ``usd`` (the amount in dollars), ``plural``, ``limit`` and ``held`` (limit − amount)).
    """

    unit: str  # "MW", "USD", "chips", "providers", "metric" (the workload's or diversification's)
    shortfall: str = "needs {amount:,.1f} {unit} more"
    priority: float = 1.0
    floor: float = 1.0


@dataclass(frozen=True)
class Family:
    """One constraint family: a component of rows of the model (see the module docstring)."""

    spec: str  # "C3"; "§3" for the definition of active chips and whole blocks
    name: str  # the model's component and row name: "provider_power"
    label: str  # in words: "provider power"
    unit: str  # of the limit: "MW", "chips", "USD", "metric" (the workload's), "share", "providers"
    sense: str  # "<=", ">=" or "=="
    index: tuple[str, ...]  # index names of a row: ("p", "t", "s"); "n" a scenario copy of a contract
    path: str  # JSON path template of the input it limits: "providers[{p}].power_mw"
    reads: tuple[str, ...]  # the prepared arrays whose numbers its rows read
    build: Builder  # its one builder, Pyomo or row blocks (families built by one function share it)
    elastic: Elastic | None = None  # None: never relaxed by the diagnosis
    fast: bool = True  # an in-place re-solve may rebuild it alone when an array it reads changes
    limit: bool = False  # a limit of the input: in the table of limits, binding and shadow prices
    scale: float = 1.0  # the limit's unit per model unit of the row (MONEY: money is in $M inside)
    price_unit: str = "USD per {unit}"
    price: PriceRule | None = None  # None: the row dual per unit of the limit
    alias: str = ""  # its name in diagnosis findings and IIS rows, when not ``name``
    title: str = ""  # in the IIS and input errors; default "{spec} {label}"
    where: str | None = None  # what it limits, e.g. "{provider}"; default the offer, provider or workload
    subject: str | None = None  # in the table of limits; default ``where``
    place: str | None = None  # where and when, in the table of limits; default "{subject} {when}"
    words: Callable[[Prepared], Mapping[str, Any]] | None = None  # more words for its templates
    size: Callable[[Counts], tuple[int, int]] | None = None  # most rows and non-zeros it can have

    def __post_init__(self) -> None:
        object.__setattr__(self, "alias", self.alias or self.name)
        object.__setattr__(self, "title", self.title or f"{self.spec} {self.label}")
        if self.where is None:
            entity = next((f"{{{e}}}" for letter, e in (("w", "workload"), ("p", "provider"), ("o", "offer"))
                           if letter in self.index), "")
            object.__setattr__(self, "where", entity)
        if self.subject is None:
            object.__setattr__(self, "subject", self.where)
        if self.place is None:
            object.__setattr__(self, "place", "{subject} {when}")
        if self.sense not in ("<=", ">=", "=="):
            raise ValueError(f"{self.name}: sense must be <=, >= or ==, not {self.sense!r}")


class Registry(Mapping[str, Family]):
    """Families in build order (the spec's), looked up by name or alias; iterates over names."""

    def __init__(self, families: Iterable[Family]):
        self.families = tuple(families)
        self._by: dict[str, Family] = {}
        for f in self.families:
            for key in {f.name, f.alias}:
                if key in self._by:
                    raise ValueError(f"two families are named {key!r}")
                self._by[key] = f

    def __getitem__(self, name: str) -> Family:
        return self._by[name]

    def __iter__(self) -> Iterator[str]:
        return (f.name for f in self.families)

    def __len__(self) -> int:
        return len(self.families)

    @property
    def builders(self) -> tuple[Builder, ...]:
        """The builders in build order (a builder of several families once)."""
        return tuple(dict.fromkeys(f.build for f in self.families))

    def built_by(self, build: Builder) -> tuple[Family, ...]:
        return tuple(f for f in self.families if f.build is build)

    def limits(self) -> tuple[Family, ...]:
        return tuple(f for f in self.families if f.limit)

    def adding(self, *families: Family, after: str | None = None) -> Registry:
        """A copy with ``families`` added at the end, or right after the family named ``after``."""
        at = len(self.families) if after is None else self.families.index(self[after]) + 1
        return Registry((*self.families[:at], *families, *self.families[at:]))


def _budget_years(c: Counts) -> int:
    """Non-zeros of the per-year budget: each contract pays into at most ``ceil(L/m) + 1`` years."""
    return int((c.x_per_offer * np.minimum(c.N, np.ceil(c.term / c.m) + 1)).sum())


def _diversification_words(prep: Prepared) -> dict[str, str]:
    div = prep.instance.diversification
    return {"metric": "MW" if div is None or div.metric == "mw" else div.metric,
            "share": f"{div.max_share:.0%}" if div is not None else ""}


def _per_percentage_point(built: Built, raw: RawSolution) -> Callable[[tuple, float], float]:
    """C10's price per percentage point of ``max_share``: the dual times Σ_o r(c(o))·a[o, t, s] / 100."""
    prep = built.prepared
    if prep.diversification_weight is None:
        return lambda index, dual: 0.0
    A = raw.dense("a", (len(prep.offer_ids), prep.periods.count, prep.n_scenarios))
    totals = np.einsum("o,ots->ts", prep.diversification_weight, A)
    return lambda index, dual: dual * float(totals[index[1], index[2]]) / 100.0


def _shared_supply(c: Counts, cap_field: str) -> tuple[int, int]:
    """Rows and non-zeros of the shared supply entries with ``cap_field`` (§10.4): the x of each entry's offers."""
    family = {chip.id: chip.family or chip.id for chip in c.inst.chips}
    entries = [e for e in c.inst.supply if getattr(e, cap_field) is not None]
    nonzeros = sum(int(c.x_per_offer[i]) for e in entries for i, o in enumerate(c.inst.offers)
                   if (e.provider is None or o.provider == e.provider) and ({o.chip, family[o.chip]} & set(e.chips)))
    return c.N * c.S * len(entries), nonzeros


def _budget(c: Counts, rows: int, nonzeros: int) -> tuple[int, int]:
    return (rows, nonzeros) if c.inst.budget is not None else (0, 0)


BY_OFFER_AND_SIGNING = ("o", "tau", "n")
_USED = "off by {amount:,.0f} provider{plural}"

REGISTRY = Registry((
    Family("§3", "active_chips", "active chips", "chips", "==", ("o", "t", "s"), "offers[{o}].term_months", (),
           matrix.active_chips_rows, title="definition of active chips (spec §3)",
           size=lambda c: (c.a, c.a + c.S * int((c.active_per_offer * np.minimum(c.term, c.T)).sum()))),
    Family("C1", "demand", "demand", "metric", ">=", ("w", "t", "s"), "workloads[{w}].demand",
           ("demand", "effectiveness"), matrix.demand_rows,
           Elastic("metric", "{amount:,.1f} {unit} cannot be served", priority=10.0), limit=True,
           size=lambda c: (c.W * c.T * c.S, c.u)),
    Family("C2", "capacity", "capacity", "chips", "<=", ("o", "t", "s"), "offers[{o}]", (), matrix.capacity_rows,
           title="C2 capacity: chips allocated ≤ chips active",
           size=lambda c: (c.active * c.S if c.u else 0, c.u + c.active * c.S)),
    Family("C3", "provider_power", "provider power", "MW", "<=", ("p", "t", "s"), "providers[{p}].power_mw",
           ("power_mw", "offer_mw"), con.add_provider_power, elastic=Elastic("MW"), limit=True,
           size=lambda c: (c.P * c.T * c.S, c.a)),
    Family("C4", "global_power", "global power", "MW", "<=", ("g", "t", "s"), "global_power_mw",
           ("global_power_mw", "offer_mw"), con.add_global_power, elastic=Elastic("MW"), limit=True,
           where="all providers", place="{when}",
           size=lambda c: (c.T * c.S, c.a) if c.inst.global_power_mw is not None else (0, 0)),
    Family("C5", "supply", "supply", "chips", "<=", ("o", "y", "s"), "offers[{o}].max_new_chips_per_year",
           ("supply_cap",), con.add_supply, elastic=Elastic("chips", "needs {amount:,.0f} chips more"), limit=True,
           size=lambda c: (c.N * c.S * sum(o.max_new_chips_per_year is not None for o in c.inst.offers), c.x)),
    Family("§10.4", "shared_supply_chips", "shared supply", "chips", "<=", ("k", "y", "s"), "supply[{k}].max_new_chips",
           ("shared_supply",), shared.add_shared_supply, elastic=Elastic("chips", "needs {amount:,.0f} more chips"),
           limit=True, where="{item.scope}", price_unit="USD per chip",
           size=lambda c: _shared_supply(c, "max_new_chips")),
    Family("§10.4", "shared_supply_mw", "shared supply", "MW", "<=", ("k", "y", "s"), "supply[{k}].max_new_mw",
           ("shared_supply",), shared.add_shared_supply, elastic=Elastic("MW", "needs {amount:,.1f} more MW"),
           limit=True, where="{item.scope}", size=lambda c: _shared_supply(c, "max_new_mw")),
    Family("C6", "budget_year", "budget per year", "USD", "<=", ("y", "s"), "budget.per_year_usd",
           ("budget_per_year", "payments", "onboarding", "spend"), con.add_budget,
           elastic=Elastic("USD", "short by {usd}"), limit=True, scale=MONEY, subject="per year", place="{when}",
           size=lambda c: _budget(c, c.N * c.S, _budget_years(c))),
    Family("C6", "budget_total", "budget total", "USD", "<=", ("s",), "budget.total_usd",
           ("budget_total", "payments", "onboarding", "spend"), con.add_budget,
           elastic=Elastic("USD", "short by {usd}"), limit=True, scale=MONEY, subject="total",
           place="whole horizon", size=lambda c: _budget(c, c.S, c.x)),
    Family("C7", "spend_commitment", "spend commitment", "USD", ">=", ("k", "s"),
           "spend_commitments[{k}].amount_usd", ("spend", "payments"), con.add_spend_commitments, limit=True,
           scale=MONEY, where="{provider}", subject="spend_commitments[{k}] {provider} {chips}",
           place="{provider} {years}",
           size=lambda c: (c.K * c.S, c.x * c.K)),
    Family("C8", "capacity_commitment", "capacity commitment", "MW", ">=", ("k", "t", "s"),
           "capacity_commitments[{k}].min_mw", ("capacity", "offer_mw"), con.add_capacity_commitments,
           elastic=Elastic("MW", "only {held:,.1f} MW of {limit:,.1f} MW can be held; lower it by {amount:,.1f} MW"),
           limit=True, where="{provider} {chips}", subject="capacity_commitments[{k}] {provider} {chips}",
           size=lambda c: (c.T * c.S * len(c.inst.capacity_commitments), c.a * len(c.inst.capacity_commitments))),
    # C9 exclusivity: u exists only on allowed pairs (see variables.layout)
    Family("C10", "diversification", "diversification", "share", "<=", ("p", "t", "s"), "diversification.max_share",
           ("diversification_weight", "diversification_share", "offer_mw"), matrix.diversification_rows,
           Elastic("metric", "{where} needs {amount:,.1f} {unit} more than its {share} share allows"), limit=True,
           price_unit="USD per pp", price=_per_percentage_point, words=_diversification_words,
           size=lambda c: (c.P * c.T * c.S, c.a * c.P) if c.inst.diversification is not None else (0, 0)),
    Family("C11", "provider_used_link", "provider used", "chips", "<=", BY_OFFER_AND_SIGNING, "providers[{p}]",
           ("max_chips",), con.add_provider_used, title="C11 provider used (contracts only at a used provider)",
           where="{provider}", size=lambda c: (c.x, 2 * c.x) if c.z else (0, 0)),
    Family("C11", "provider_used", "provider used", "chips", "<=", ("p",), "providers[{p}]", (),
           con.add_provider_used, title="C11 provider used (a used provider holds a contract)",
           size=lambda c: (c.z, 2 * c.z)),
    Family("C12", "min_contract_lower", "minimum contract", "chips", ">=", BY_OFFER_AND_SIGNING,
           "offers[{o}].min_chips", ("min_chips",), con.add_minimum_contracts, size=lambda c: (c.v, 2 * c.v)),
    Family("C12", "min_contract_upper", "minimum contract", "chips", "<=", BY_OFFER_AND_SIGNING,
           "offers[{o}].min_chips", ("max_chips",), con.add_minimum_contracts, size=lambda c: (c.v, 2 * c.v)),
    Family("§3", "block_multiple", "whole blocks", "chips", "==", BY_OFFER_AND_SIGNING, "offers[{o}].block_chips",
           (), con.add_minimum_contracts, title="whole blocks", size=lambda c: (c.blocks, 2 * c.blocks)),
    Family("C13", "providers_used_min", "providers used (min)", "providers", ">=", (), "providers_used.min",
           ("providers_min",), con.add_providers_used, elastic=Elastic("providers", _USED), limit=True,
           alias="providers_min", title="C13 providers used", subject="providers", place="",
           size=lambda c: (1, c.z) if c.inst.providers_used and c.inst.providers_used.min is not None else (0, 0)),
    Family("C13", "providers_used_max", "providers used (max)", "providers", "<=", (), "providers_used.max",
           ("providers_max",), con.add_providers_used, elastic=Elastic("providers", _USED), limit=True,
           alias="providers_max", title="C13 providers used", subject="providers", place="",
           size=lambda c: (1, c.z) if c.inst.providers_used and c.inst.providers_used.max is not None else (0, 0)),
    Family("§10.5", "placement_link", "placement", "metric", "<=", ("w", "p", "t", "s"), "workloads[{w}].max_providers",
           placement.READS, placement.add_placement, title="§10.5 placement (a workload runs only where placed)",
           size=lambda c: (c.placed * c.P * c.T * c.S, c.u_placed + c.placed * c.P * c.T * c.S)),
    Family("§10.5", "placement_count", "placement", "providers", "<=", ("w",), "workloads[{w}].max_providers",
           placement.READS, placement.add_placement,
           elastic=Elastic("providers", "needs {amount:,.0f} more provider{plural}"), limit=True,
           title="§10.5 placement (providers serving a workload)", place="{subject}", price_unit="USD per provider",
           size=lambda c: (c.placed, c.P * c.placed)),
    Family("§10.7", "risk_excess", "CVaR excess", "USD", ">=", ("s",), "risk", risk.READS, risk.add_risk_excess,
           scale=MONEY, title="§10.7 CVaR excess (a scenario's cost above η)", where="cost", place="{when}",
           size=lambda c: (c.S, c.S * (c.x + c.K + c.z + 2)) if c.inst.risk and c.inst.scenarios else (0, 0)),
))
"""Every constraint family of the model, in the spec's order (which is also the build order)."""

_ACTIVE: ContextVar[Registry] = ContextVar("families", default=REGISTRY)


def active() -> Registry:
    """The registry in use: :data:`REGISTRY`, unless :func:`registered` or :func:`using` says otherwise."""
    return _ACTIVE.get()


@contextlib.contextmanager
def using(registry: Registry) -> Iterator[Registry]:
    """Build, describe and diagnose with ``registry`` inside the block (this thread and context only)."""
    token = _ACTIVE.set(registry)
    try:
        yield registry
    finally:
        _ACTIVE.reset(token)


@contextlib.contextmanager
def registered(*families: Family, after: str | None = None) -> Iterator[Registry]:
    """The active registry with ``families`` added (see :meth:`Registry.adding`) inside the block."""
    with using(active().adding(*families, after=after)) as registry:
        yield registry


__all__ = ["REGISTRY", "Counts", "Elastic", "Family", "Registry", "active", "registered", "using"]
