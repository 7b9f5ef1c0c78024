"""Reading an instance file as strict JSON: size cap, syntax errors with line and column, duplicate
keys, NaN and integers too long to be numbers, each as an :class:`~optimizer.errors.InstanceError`."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from optimizer.errors import InstanceError, Problem, json_path

MAX_FILE_BYTES = 256 * 1024 * 1024
"""Refuse instance files larger than this (bytes) before reading them."""


class _Duplicates(dict):
    """A JSON object in which a key appeared twice (the key is kept in ``duplicate``)."""

    duplicate: str


class _BadConstant:
    """Stands for ``NaN``/``Infinity`` in parsed JSON until its path is known."""

    def __init__(self, text: str):
        self.text = text


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            dup = _Duplicates(obj)
            dup.duplicate = key
            obj = dup
        obj[key] = value
    return obj


MAX_INTEGER_DIGITS = 300
"""Integer literals longer than this cannot be a float (≈1.8e308) and are refused with their path."""


def _integer(text: str) -> int | _BadConstant:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        return _BadConstant(f"an integer of {len(text.lstrip('-'))} digits")
    return int(text)


def parse_json(text: str, *, file: str | None = None) -> Any:
    """Parse JSON text, refusing duplicate keys, NaN, Infinity and numbers that overflow a float."""
    try:
        doc = json.loads(text, object_pairs_hook=_object, parse_constant=_BadConstant, parse_int=_integer)
    except json.JSONDecodeError as e:
        raise InstanceError("", f"not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})",
                            file=file, line=e.lineno) from None
    except RecursionError:
        raise InstanceError("", "not valid JSON: nested too deeply", file=file) from None
    problems: list[Problem] = []
    for loc, value in walk(doc, ()):
        if isinstance(value, _Duplicates):
            problems.append((json_path((*loc, value.duplicate)), f"duplicate key {value.duplicate!r} in one object"))
        elif isinstance(value, _BadConstant):
            if value.text.startswith("an integer"):
                problems.append((json_path(loc), f"number too large to represent ({value.text})"))
            else:
                problems.append((json_path(loc), f"{value.text} is not a finite number"))
        elif (isinstance(value, float) and not math.isfinite(value)) or (
                isinstance(value, int) and not isinstance(value, bool) and abs(value) > 1.7e308):
            problems.append((json_path(loc), "number too large to represent"))
    if problems:
        raise InstanceError.from_problems(problems, file=file)
    return doc


def walk(value: Any, loc: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every value of a parsed document with its location, depth first, without recursion."""
    stack = [(loc, value)]
    while stack:
        loc, value = stack.pop()
        yield loc, value
        if isinstance(value, dict):
            stack.extend(((*loc, k), v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((*loc, i), v) for i, v in reversed(list(enumerate(value))))


def read_instance_file(path: str | Path) -> Any:
    """Read and parse an instance file (UTF-8 JSON) into plain Python data."""
    name = str(path)
    p = Path(path)
    if not p.exists():
        raise InstanceError("", "no such file", file=name)
    if p.is_dir():
        raise InstanceError("", "is a directory, not an instance file", file=name)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InstanceError("", f"file is {size / 2**20:.0f} MiB; instances are limited to "
                                    f"{MAX_FILE_BYTES // 2**20} MiB", file=name)
        raw = p.read_bytes()
    except OSError as e:
        raise InstanceError("", f"cannot read: {e.strerror}", file=name) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise InstanceError("", f"not UTF-8 text (byte {e.start}, line {line})", file=name, line=line) from None
    if not text.strip():
        raise InstanceError("", "the file is empty", file=name)
    return parse_json(text, file=name)
