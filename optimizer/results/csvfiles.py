"""The CSV text of a plan's tables, as every CSV that procure writes has it."""

from __future__ import annotations

import pandas as pd

CSV_DIGITS = 12
"""Significant digits of the numbers in the CSV tables: far finer than any figure a plan is read
by (a dollar in $100B), and free of the solver's float noise (``126470.36041168707`` chips,
``8.614127169000001`` USD per chip-hour). ``solution.json`` holds the exact values."""


def csv_text(table: pd.DataFrame) -> str:
    """A table as CSV text: floats to ``CSV_DIGITS`` significant digits, never ``-0``."""
    cleaned = {c: table[c] + 0.0 for c in table.columns if pd.api.types.is_float_dtype(table[c])}
    return table.assign(**cleaned).to_csv(index=False, float_format=f"%.{CSV_DIGITS}g")
