"""Placement (spec §10.5): how many providers may serve each workload, as arrays.

A workload with ``max_providers`` k may be served by at most k providers over the whole horizon
and every scenario. The model gives it a switch ``y[w, p]`` per provider it may use (one that has
an allowed offer, C9) only where the limit can bind: k below the number of those providers.
Otherwise the limit always holds and nothing is built for it.
"""

from __future__ import annotations

import math

import numpy as np

from optimizer.input.schema import Instance


def allowed_providers(effectiveness: np.ndarray, offer_provider: np.ndarray) -> list[list[int]]:
    """Per workload, the providers it may use (those with an allowed offer, ``e(w, c(o)) > 0``), in order."""
    return [sorted({int(p) for p in offer_provider[row > 0]}) for row in effectiveness]


def placement_limits(inst: Instance, effectiveness: np.ndarray, offer_provider: np.ndarray) -> np.ndarray:
    """``k`` per workload (W,) where it can bind, ``inf`` where the workload sets none or it cannot bind.

    The limit cannot bind when k is at least the number of providers the workload may use: every
    plan already meets it, so no switch or row is made for it.
    """
    providers = allowed_providers(effectiveness, offer_provider)
    out = np.full(len(inst.workloads), math.inf)
    for w, wl in enumerate(inst.workloads):
        if wl.max_providers is not None and wl.max_providers < len(providers[w]):
            out[w] = float(wl.max_providers)
    return out
