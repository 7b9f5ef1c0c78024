"""Model size before building it, and refusing a model that would not fit in memory.

:func:`estimate_size` counts the variables, rows and non-zeros the model of spec §3–§6 will have,
from the instance and a few cheap masks of :mod:`optimizer.prepare` (signable and active periods,
allowed workload–offer pairs), without computing the per-year payment arrays or building anything.
:func:`check_size` turns an estimate above the memory budget into an :class:`InstanceError`.
The bytes are Pyomo's and HiGHS's, measured (``benchmarks/memory.py``): about
``BYTES_PER_VARIABLE`` per column, ``BYTES_PER_ROW`` per row and ``BYTES_PER_NONZERO`` per
coefficient, plus the preprocessing arrays.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from optimizer.errors import InstanceError
from optimizer.input.schema import Instance
from optimizer.prepare.arrays import Periods, active_periods, effectiveness, signable_periods
from optimizer.prepare.existing import existing_contracts
from optimizer.prepare.placement import allowed_providers
from optimizer.solve.options import DEFAULT_MAX_MEMORY

"""The default memory budget (bytes) for one solve; ``--max-memory`` / ``SolveOptions.max_memory``."""

BYTES_PER_VARIABLE = 650.0
BYTES_PER_ROW = 300.0
BYTES_PER_NONZERO = 60.0
"""Peak resident memory per model element (bytes) of ``optimizer.solve``, fitted to the large and xl
presets (``benchmarks/memory.py``): Pyomo's variables (rows are numpy blocks, and the model is freed
before HiGHS runs) or HiGHS's working memory, whichever peaks."""


@dataclass(frozen=True)
class SizeEstimate:
    """The model's size before it is built: counts, and memory in bytes (an estimate, ±30 %)."""

    variables: int
    integer_variables: int
    rows: int
    nonzeros: int
    prepare_bytes: int  # numpy arrays of the preprocessing (payment coefficients dominate)

    @property
    def bytes(self) -> int:
        """Peak memory of prepare + build + solve, bytes."""
        model = (BYTES_PER_VARIABLE * self.variables + BYTES_PER_ROW * self.rows
                 + BYTES_PER_NONZERO * self.nonzeros)
        return int(model + self.prepare_bytes)

    def describe(self) -> str:
        """``about 412 GiB (1.2e9 variables, 3.4e9 rows, 5.6e9 non-zeros)``."""
        return (f"about {human_bytes(self.bytes)} ({self.variables:,} variables, {self.rows:,} rows, "
                f"{self.nonzeros:,} non-zeros)")


def estimate_size(inst: Instance) -> SizeEstimate:
    """Count the model's variables, rows and non-zeros from the instance (see the module docstring).

    Rows and non-zeros are each family's own estimate (``Family.size`` in :mod:`optimizer.model.families`).

    Upper bounds, close ones: exact for variables but for the odd one no row uses; rows and non-zeros
    count every row a limit may need (e.g. a demand of 0 needs none, a contract pays into ≤ N years).
    """
    h = inst.horizon
    per = Periods(h.start_year, h.years, h.periods_per_year)
    T, N, m = per.count, per.years, per.per_year
    O, W, P = len(inst.offers), len(inst.workloads), len(inst.providers)
    provider_of = {p.id: i for i, p in enumerate(inst.providers)}
    S = len(inst.scenarios.cases) if inst.scenarios is not None else 1
    term = np.array([math.ceil(o.term_months * m / 12) for o in inst.offers], dtype=np.int64)
    signable = signable_periods(inst, per)
    active = active_periods(signable, term)
    if inst.existing_contracts:  # §10.3: existing chips make their periods active too
        owner = np.zeros(O, dtype=np.int64)  # the estimate needs neither owners nor discounting
        active |= existing_contracts(inst, term, owner, np.zeros(T + int(term.max())), 1.0).chips > 0
    allowed = effectiveness(inst) > 0  # (W, O)
    if inst.scenarios is not None:
        shared = per.year_index < inst.scenarios.first_stage_years
        nodes = np.where(shared, 1, S)
    else:
        nodes = np.ones(T, dtype=np.int64)
    x = int((signable * nodes[None, :]).sum())
    n_active = int(active.sum())
    a = n_active * S
    u = int((allowed.sum(axis=0) * active.sum(axis=1)).sum()) * S
    K = len(inst.spend_commitments)
    onboarding = any(p.onboarding_cost_usd > 0 for p in inst.providers)
    z = P if (onboarding or inst.providers_used is not None) else 0
    with_min = np.array([o.min_chips > 0 for o in inst.offers])
    with_block = np.array([(o.block_chips or 0) > 0 for o in inst.offers])
    x_per_offer = (signable * nodes[None, :]).sum(axis=1)
    v = int(x_per_offer[with_min].sum())
    blocks = int(x_per_offer[with_block].sum())
    served = allowed_providers(allowed.astype(float), np.array([provider_of[o.provider] for o in inst.offers]))
    placed = np.array([wl.max_providers is not None and wl.max_providers < len(served[w])  # §10.5: k can bind
                       for w, wl in enumerate(inst.workloads)], dtype=bool)
    y = sum(len(served[w]) for w in np.flatnonzero(placed))  # a switch per allowed provider
    u_placed = int((allowed[placed].sum(axis=0) * active.sum(axis=1)).sum()) * S  # u of the placed workloads
    cvar = 1 + S if inst.risk is not None and inst.scenarios is not None else 0  # §10.7: η and each excess
    variables = x + a + u + K * S + z + v + blocks + y + cvar
    integer = z + v + blocks + y

    from optimizer.model import families  # here: it loads Pyomo, which parse_bytes and human_bytes do not need

    counts = families.Counts(inst, T, N, m, S, P, W, K, x, a, u, z, v, blocks, n_active, x_per_offer, term,
                             active.sum(axis=1), u_placed, int(placed.sum()))
    sizes = [f.size(counts) for f in families.active().families if f.size is not None]
    rows = sum(r for r, _ in sizes)
    nonzeros = sum(n for _, n in sizes) + x  # and the objective's costs
    # payments (O,T,N) + coverage (O,T,T) + (O,T) arrays + discount factors over the longest term
    prepare_bytes = O * T * (N * 8 * 3 + T) + O * T * 8 * 8 + (T + int(term.max())) * 8 * 3
    return SizeEstimate(int(variables), int(integer), int(rows), int(nonzeros), int(prepare_bytes))


def check_size(inst: Instance, max_memory: float | None = DEFAULT_MAX_MEMORY) -> SizeEstimate:
    """The estimate, or :class:`InstanceError` if it exceeds ``max_memory`` bytes (None: no limit)."""
    est = estimate_size(inst)
    if max_memory is not None and est.bytes > max_memory:
        h = inst.horizon
        scenarios = len(inst.scenarios.cases) if inst.scenarios else 1
        shape = ", ".join(_count(n, what) for n, what in ((h.years, "year"), (h.periods_per_year, "period"),
                                                          (len(inst.offers), "offer"),
                                                          (len(inst.workloads), "workload"), (scenarios, "scenario")))
        longest = max(range(len(inst.offers)), key=lambda i: inst.offers[i].term_months)
        if inst.offers[longest].term_months > 12 * h.years:  # discounting runs to the end of the longest term
            shape += f", a term of {inst.offers[longest].term_months:,} months at offers[{longest}].term_months"
        raise InstanceError("", f"the model would need {est.describe()}, more than the memory budget of "
                                f"{human_bytes(max_memory)}; shrink it ({shape}) or raise --max-memory")
    return est


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def human_bytes(n: float) -> str:
    """Bytes in binary units: ``8 GiB``, ``1.5 TiB``, ``300 MiB``."""
    for unit, size in (("EiB", 2**60), ("PiB", 2**50), ("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20),
                       ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:,.3g} {unit}"
    return f"{n:,.0f} B"


_SIZE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([KMGT]?)(i?B?)\s*$", re.IGNORECASE)


def parse_bytes(text: str) -> int:
    """``"16GiB"``, ``"16G"``, ``"500MB"``, ``"2e9"`` → bytes (K/M/G/T are powers of 1024)."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"not a memory size: {text!r} (e.g. 8GiB, 500MiB, 2e9)")
    value, prefix = float(match.group(1)), match.group(2).upper()
    return int(value * 1024 ** " KMGT".index(prefix or " "))
