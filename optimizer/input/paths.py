"""Dotted paths into instance JSON, for sweeps: ``budget.total_usd``, ``providers[oracle].power_mw``.

Grammar: keys separated by dots; a list item is addressed by ``[id]`` (the item whose ``id`` is
that text) or by ``[2]`` (its 0-based position, when no item has that id). A key below a year
map names a calendar year: ``providers[aws].power_mw.2027`` sets the step that starts in 2027; a
plain-number year map is first turned into ``{"<start_year>": number}``. Missing objects on the
way are created (``budget.total_usd`` on an instance without a budget), so that validation can
judge the result; a list item that does not exist is an error.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

_TOKEN = re.compile(r"\[([^\]]*)\]|([^.\[\]]+)")


class PathError(ValueError):
    """A path that does not parse, or does not lead anywhere in the instance."""


def parse_path(path: str) -> list[tuple[str, str]]:
    """Tokens of ``path``: ``("key", name)`` or ``("item", selector)``, in order."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(path):
        if path[pos] == "." and tokens:
            if pos + 1 == len(path) or path[pos + 1] in ".[":
                raise PathError(f"{path}: empty key after '.' at character {pos + 1}")
            pos += 1
        elif tokens and path[pos] != "[":
            raise PathError(f"{path}: expected '.' or '[' at character {pos + 1}")
        match = _TOKEN.match(path, pos)
        if match is None or (match.group(1) is not None and not tokens):
            raise PathError(f"{path}: expected a key at character {pos + 1}")
        tokens.append(("item", match.group(1).strip()) if match.group(1) is not None else ("key", match.group(2)))
        pos = match.end()
    if not tokens:
        raise PathError("empty path")
    return tokens


def _item(items: list[Any], selector: str, where: str) -> int:
    """Position of the item chosen by ``selector`` (an id, else a 0-based index)."""
    for i, item in enumerate(items):
        if isinstance(item, Mapping) and item.get("id") == selector:
            return i
    if selector.isdigit() and int(selector) < len(items):
        return int(selector)
    ids = [str(item["id"]) for item in items if isinstance(item, Mapping) and "id" in item]
    known = f"; ids: {', '.join(ids)}" if ids else f"; {len(items)} items"
    raise PathError(f"{where}: no item [{selector}]{known}")


def _is_year(key: str) -> bool:
    return key.isdigit() and len(key) == 4


def set_path(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``data`` with ``value`` written at ``path`` (``data`` is left as it is)."""
    out = copy.deepcopy(data)
    tokens = parse_path(path)
    parent: Any = out
    where = ""
    for n, (kind, name) in enumerate(tokens):
        last = n == len(tokens) - 1
        if kind == "item":
            if not isinstance(parent, list):
                raise PathError(f"{path}: {where or 'the instance'} is not a list")
            index = _item(parent, name, f"{path}: {where}")
            where += f"[{name}]"
            if last:
                parent[index] = value
            else:
                parent = parent[index]
            continue
        if not isinstance(parent, dict):
            raise PathError(f"{path}: {where} is not an object")
        where += f".{name}" if where else name
        if last:
            parent[name] = value
            break
        child = parent.get(name)
        following = tokens[n + 1]
        if isinstance(child, int | float) and not isinstance(child, bool) and following[0] == "key" \
                and _is_year(following[1]):
            start = out.get("horizon", {}).get("start_year")
            child = parent[name] = {str(start): child} if start is not None else {}
        elif child is None and following[0] == "key":
            child = parent[name] = {}
        elif child is None:
            raise PathError(f"{path}: {where} is not in the instance")
        parent = child
    return out


def apply_settings(data: dict[str, Any], settings: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with every ``path → value`` of ``settings`` written, in order."""
    out = data
    for path, value in settings.items():
        out = set_path(out, path, value)
    return out if settings else copy.deepcopy(data)


def parse_value(text: str) -> Any:
    """A JSON value (``1e9``, ``0.4``, ``true``, ``null``, ``"x"``) or, failing that, the text itself."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text.strip()


def parse_assignment(text: str) -> tuple[str, list[Any]]:
    """``PATH=V1,V2,…`` → (path, [values]); the path is checked for syntax."""
    path, sep, values = text.partition("=")
    path = path.strip()
    if not sep or not values.strip():
        raise PathError(f"{text!r}: expected PATH=V1,V2,...")
    parse_path(path)
    return path, [parse_value(v) for v in values.split(",")]


def grid_size(grid: Mapping[str, Sequence[Any]]) -> int:
    """Number of runs in the cartesian product of ``grid``."""
    size = 1
    for values in grid.values():
        size *= len(values)
    return size
