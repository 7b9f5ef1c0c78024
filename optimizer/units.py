"""Numbers in human units, one convention for every human output (terminal, report, comparison).

- Money: ``$536.3B``, ``$412.5M``, ``$12,345``; a negative amount reads ``-$35.0M``.
- Counts rounded for reading: ``350k``, ``1.2M`` (:func:`count`); chips to sign stay whole (:func:`whole`).
- Minus sign: ASCII ``-`` everywhere, so a figure copied from a terminal, a log or a report
  pastes into a spreadsheet or a shell as a number.
- Missing values: ``–`` (an en dash), never ``nan``.
- Shadow prices name their unit in words: ``-$65.43M per pp`` where ``pp`` is a percentage point.

Exact values stay in the CSV and JSON files; these functions only shape what a person reads.
"""

from __future__ import annotations

import math

MISSING = "–"

UNIT_NOTES = {"pp": "pp = percentage point of a provider's share of compute"}
"""Abbreviations a human output uses, with what they stand for (shown under tables that use them)."""


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def usd(value: float | None) -> str:
    """USD in short form: $536.3B, $412.5M, $12,345, -$35.0M; "–" when missing."""
    if _missing(value):
        return MISSING
    sign = "-" if value < 0 and round(abs(value)) > 0 else ""
    a = abs(value)
    if a >= 1e9:
        return f"{sign}${a / 1e9:,.1f}B"
    if a >= 1e6:
        return f"{sign}${a / 1e6:,.1f}M"
    return f"{sign}${a:,.0f}"


def signed_usd(value: float | None) -> str:
    """A difference in USD with its sign: +$1.2B, -$35.0M, 0; "–" when missing."""
    if _missing(value):
        return MISSING
    if abs(value) < 0.5:
        return "0"
    return ("+" if value > 0 else "-") + usd(abs(value))


def number(value: float | None, decimals: int = 0, sign: bool = False) -> str:
    """A number with thousands separators (1,234.5; with ``sign`` +1,234.5); "–" when missing."""
    if _missing(value):
        return MISSING
    text = f"{value:+,.{decimals}f}" if sign else f"{value:,.{decimals}f}"
    return "0" if text.lstrip("+-").strip("0.,") == "" and sign else text


def per_unit(value: float, unit: str) -> str:
    """A price per unit of a limit in short form: -$1.04M per MW, $0.04 per $, $17.5k per PFLOPS."""
    unit = unit.replace("USD per USD", "per $").replace("USD per ", "per ")
    a = abs(value)
    sign = "-" if value < 0 and a >= 0.005 else ""
    for divisor, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= divisor:
            return f"{sign}${a / divisor:,.2f}{suffix} {unit}"
    return f"{sign}${a:,.2f} {unit}"


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 chart``, ``3 charts``, ``2 periods``: the count and the noun agreeing with it."""
    return f"{count:,} {noun if count == 1 else (many or noun + 's')}"


def count(value: float | None) -> str:
    """A count rounded for reading: 350k, 1.2M, 9,876 (below 10,000 in full); "–" when missing."""
    if _missing(value):
        return MISSING
    a = abs(value)
    sign = "-" if value < 0 and round(a) > 0 else ""
    if a >= 999_500:
        return f"{sign}{a / 1e6:,.1f}M"
    if a >= 1e4:
        return f"{sign}{round(a / 1e3):,.0f}k"
    return f"{sign}{a:,.0f}"


def whole(chips: float) -> int:
    """Chips as signed: a whole number (the LP's value rounded to the nearest chip)."""
    return math.floor(chips + 0.5)


def key_figure(value: float | None, unit: str, *, with_unit: bool = True) -> str:
    """A key figure in its unit's usual form: $536.3B, $2.561 per bf16_pflops-hour, 13,749 MW, 30.5%, 14.

    ``with_unit=False`` leaves the unit out (for a table that has a unit column), except ``$`` and ``%``.
    """
    if _missing(value):
        return MISSING
    if unit == "USD":
        return usd(value)
    if unit == "%":
        return f"{number(value, 1)}%"
    if unit.startswith("USD per "):
        text = f"{'-' if value < 0 else ''}${abs(value):,.3f}"
        return f"{text} {unit.removeprefix('USD ')}" if with_unit else text
    if unit == "MW":
        text = number(value, 1 if abs(value) < 100 else 0)
        return f"{text} MW" if with_unit else text
    return number(value, 0 if float(value).is_integer() else 1)
