"""Solver choices and their defaults, in one light module (no Pyomo, no HiGHS) the CLI can import."""

from __future__ import annotations

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
