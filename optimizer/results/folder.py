"""A solution folder on disk: the instance written back as JSON, and tables read back from CSV.

:meth:`optimizer.Solution.write` puts ``solution.json``, ``instance.json`` and one CSV per table
in a folder; :meth:`optimizer.Solution.read` rebuilds the :class:`~optimizer.Solution` from it
with the helpers here, so that reports and comparisons need nothing but folders.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from optimizer.errors import InstanceError
from optimizer.input.load import load_instance
from optimizer.input.schema import Instance
from optimizer.input.values import YearMap

LABELS = frozenset({"offer", "provider", "chip", "workload", "scenario", "limit", "subject", "where", "unit",
                    "price_unit", "metric", "start"})
"""CSV columns that hold names (read as text; an empty cell is None)."""

INTEGERS = frozenset({"period", "year", "commitment", "term_periods", "first_period", "last_period"})
"""CSV columns that hold whole numbers (int, or float with NaN when some are missing)."""


class FolderError(ValueError):
    """A folder that is not a readable solution folder; ``message`` is one line for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def instance_data(inst: Instance) -> dict[str, Any]:
    """The instance as JSON data that :func:`~optimizer.load_instance` reads back to an equal instance.

    Only fields given in the input are written (defaults stay implicit); year maps are written as
    a number or as ``{"2026": v, …}``, as in the input.
    """
    return _plain(inst)


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        out = {}
        for name, info in type(value).model_fields.items():
            if name in value.model_fields_set:
                out[info.alias or name] = _plain(getattr(value, name))
        return out
    if isinstance(value, YearMap):
        return value.values[0] if not value.years else {str(y): v for y, v in zip(value.years, value.values,
                                                                                  strict=True)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def solve_first(instance: str = "INSTANCE", then: str | None = None) -> str:
    """What to run to get a solution folder: ``run `procure solve INSTANCE --out DIR` first[, then THEN DIR]``."""
    return f"run `procure solve {instance} --out DIR` first" + (f", then {then} DIR" if then else "")


def check_folder(path: Path, then: str | None = None) -> None:
    """Raise :class:`FolderError` with what to run unless ``path`` is a folder with a ``solution.json``.

    ``then`` is the command that reads the folder (``"compare"``, ``"report"``), named in the hint.
    """
    if path.is_file() and path.suffix.lower() == ".json":
        raise FolderError(f"{path} is an instance file, not a solved plan: {solve_first(str(path), then)}")
    if path.exists() and not path.is_dir():
        raise FolderError(f"{path} is a file, not a folder written by `procure solve --out`: {solve_first(then=then)}")
    if not path.is_dir():
        raise FolderError(f"{path}: no such folder; {solve_first(then=then)}")
    if not (path / "solution.json").exists():
        raise FolderError(_no_solution(path, then))


def _no_solution(folder: Path, then: str | None = None) -> str:
    return f"{folder}: no solution.json, so not a folder written by `procure solve --out`; {solve_first(then=then)}"


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from ``path``, or :class:`FolderError` naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if path.name == "solution.json":
            raise FolderError(_no_solution(path.parent)) from None
        raise FolderError(f"{path.parent}: no {path.name} (not a folder written by procure solve --out)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise FolderError(f"{path}: cannot be read ({e})") from None
    if not isinstance(data, dict):
        raise FolderError(f"{path}: expected a JSON object")
    return data


def read_instance(folder: Path) -> Instance:
    """``instance.json`` of a solution folder, validated."""
    path = folder / "instance.json"
    if not path.exists():
        raise FolderError(f"{folder}: no instance.json (written by procure ≥ 0.2; solve the instance again)")
    try:
        return load_instance(path)
    except InstanceError as e:
        raise FolderError(f"{path}: {e.message}") from None


def read_table(path: Path) -> pd.DataFrame:
    """A CSV written by :meth:`Solution.write`, with names as text (None when empty) and numbers as numbers."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FolderError(f"{path.parent}: no {path.name}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise FolderError(f"{path}: cannot be read ({e})") from None
    if not text.strip():
        return pd.DataFrame()
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (ValueError, pd.errors.ParserError) as e:
        raise FolderError(f"{path}: not a table ({e})") from None
    out = {}
    for col in raw.columns:
        cells = raw[col]
        if col in LABELS:
            out[col] = pd.Series([v if v != "" else None for v in cells], index=raw.index, dtype=object)
            continue
        if len(cells) and cells.isin(["True", "False"]).all():
            out[col] = cells == "True"
            continue
        try:
            numbers = pd.to_numeric(cells.replace("", np.nan))
        except ValueError:
            raise FolderError(f"{path}: column {col!r} holds text where numbers are expected") from None
        if col in INTEGERS and not numbers.isna().any():
            numbers = numbers.astype("int64")
        out[col] = numbers
    return pd.DataFrame(out, columns=list(raw.columns))
