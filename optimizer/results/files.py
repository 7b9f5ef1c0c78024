"""How a plan's files are written: CSV text, JSON records, and every file whole or not at all."""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

CSV_DIGITS = 12
"""Significant digits of the numbers in the CSV tables: far finer than any figure a plan is read
by (a dollar in $100B), and free of the solver's float noise (``126470.36041168707`` chips,
``8.614127169000001`` USD per chip-hour). ``solution.json`` holds the exact values."""


def csv_text(table: pd.DataFrame) -> str:
    """A table as CSV text: floats to ``CSV_DIGITS`` significant digits, never ``-0``."""
    cleaned = {c: table[c] + 0.0 for c in table.columns if pd.api.types.is_float_dtype(table[c])}
    return table.assign(**cleaned).to_csv(index=False, float_format=f"%.{CSV_DIGITS}g")


def json_record(record: dict[str, Any]) -> dict[str, Any]:
    """numpy scalars → Python numbers, NaN → None (JSON has no NaN)."""
    out = {}
    for key, value in record.items():
        plain = value.item() if isinstance(value, np.generic) else value
        out[key] = None if isinstance(plain, float) and math.isnan(plain) else plain
    return out


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
