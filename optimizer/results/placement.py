"""Placement (spec §10.5) read back: which providers each workload with ``max_providers`` is placed at."""

from __future__ import annotations

import numpy as np
import pandas as pd

from optimizer.prepare.arrays import Prepared
from optimizer.solve.compiled import RawSolution

PLACEMENT_COLUMNS = ("workload", "provider")
"""Columns of the ``placement`` table: the (workload, provider) pairs with ``y[w, p] = 1``."""


def placed(prep: Prepared, raw: RawSolution) -> np.ndarray:
    """``y[w, p]`` as a boolean array (W, P): True where the switch is on (only where it exists)."""
    return raw.dense("y", (len(prep.workload_ids), len(prep.provider_ids))) > 0.5


def placement_table(prep: Prepared, raw: RawSolution) -> pd.DataFrame:
    """The (workload, provider) pairs the plan places (``y = 1``), in instance order."""
    w, p = np.nonzero(placed(prep, raw))
    return pd.DataFrame({"workload": np.array(prep.workload_ids, dtype=object)[w],
                         "provider": np.array(prep.provider_ids, dtype=object)[p]}, columns=list(PLACEMENT_COLUMNS))


def unplaced_offers(prep: Prepared, raw: RawSolution) -> np.ndarray:
    """Mask (W, O): the workload has a switch for the offer's provider and it is off (``u`` must be 0 there).

    Round-off that ``u ≤ M·y`` lets through (M·1e-9) is read as 0, as for the provider-used switch.
    """
    switch = np.isfinite(prep.max_providers)[:, None]
    return switch & ~placed(prep, raw)[:, prep.offer_provider]
