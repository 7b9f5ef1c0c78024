"""Solver choices and their defaults, in one light module (no Pyomo, no HiGHS) the CLI can import."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Algorithm(StrEnum):
    """The LP method: ``auto`` is procure's choice by size (:func:`optimizer.highs.highs_solver`);
    the others are HiGHS's ``solver`` option."""

    AUTO = "auto"
    CHOOSE = "choose"
    SIMPLEX = "simplex"
    IPM = "ipm"
    PDLP = "pdlp"


ALGORITHMS = tuple(a.value for a in Algorithm)

DEFAULT_MIP_GAP = 1e-6
"""Relative MIP gap a solve stops at (spec §8's default)."""

GIB = 2**30
DEFAULT_MAX_MEMORY = 8 * GIB
DEFAULT_MAX_MEMORY_TEXT = "8GiB"  # the same, as ``--max-memory`` reads it
"""Bytes a model may be estimated to need before it is refused (``--max-memory``, :mod:`optimizer.solve.health`)."""


@dataclass(frozen=True)
class SolveOptions:
    """Solver options, one-to-one with the CLI flags.

    ``time_limit`` in seconds (None = none); ``mip_gap`` relative (spec default 1e-6);
    ``threads`` for HiGHS (None = its default); ``algorithm`` the LP method: ``auto`` (procure's
    choice by size, :func:`highs_solver`) or HiGHS's ``solver`` option;
    ``log`` prints HiGHS's own log; ``max_memory`` the memory budget in bytes (None = none), see
    :func:`optimizer.health.check_size`.
    """

    time_limit: float | None = None
    mip_gap: float = DEFAULT_MIP_GAP
    threads: int | None = None
    algorithm: str = "auto"
    presolve: bool = True
    log: bool = False
    max_memory: float | None = DEFAULT_MAX_MEMORY  # bytes; a bigger model is refused before it is built

    def __post_init__(self) -> None:
        if self.time_limit is not None and not self.time_limit > 0:
            raise ValueError(f"time limit must be > 0 seconds, got {self.time_limit}")
        if not 0 <= self.mip_gap < 1:
            raise ValueError(f"MIP gap must be in [0, 1), got {self.mip_gap}")
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"threads must be >= 1, got {self.threads}")
        if self.max_memory is not None and not self.max_memory > 0:
            raise ValueError(f"max memory must be > 0 bytes, got {self.max_memory}")
        if str(self.algorithm) not in ALGORITHMS:
            raise ValueError(f"algorithm must be one of {', '.join(ALGORITHMS)}, got {self.algorithm!r}")
        object.__setattr__(self, "algorithm", str(self.algorithm))  # an Algorithm member as its plain name


INTERRUPTED = threading.Event()
"""Set by the CLI's Ctrl-C handler. A KeyboardInterrupt raised while the garbage collector runs (freeing
the Pyomo model) is swallowed by Python ("Exception ignored in ..."); the solve loop also checks this
flag, so such a Ctrl-C still stops the solve (:func:`optimizer.solve.highs.run_interruptibly`)."""

Progress = Callable[[str], None]
"""Told what a solve is doing, in words, as it happens: each stage as it starts, then HiGHS's log
lines while it runs (from HiGHS's thread). For progress displays; it must return quickly."""
