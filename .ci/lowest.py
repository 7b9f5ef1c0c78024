#!/usr/bin/env python3
"""Print a pip constraints file that pins every declared lower bound: ``name>=X`` becomes ``name==X``.

It covers the base dependencies of pyproject.toml and the extras the tests install (``test``, and
the extras it names through ``procure[...]``, followed recursively). ``.ci/run`` installs the
project with it into ``.venv-lowest`` and runs the tests there, so every ``>=`` bound we declare is
one that has been tested:

    python3 .ci/lowest.py > lowest.txt && pip install -e '.[test]' -c lowest.txt

Requirements without a ``>=`` bound are left to pip (and named on stderr). Only the standard
library is used, so any Python >= 3.11 can run it before a venv exists.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
REQUIREMENT = re.compile(r"^\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*"
                         r"(?:\[(?P<extras>[^\]]*)\])?\s*(?P<specs>[^;]*?)\s*(?:;.*)?$")


def normalize(name: str) -> str:
    """PEP 503: ``Typing_Extensions`` and ``typing-extensions`` are one project."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse(requirement: str) -> tuple[str, list[str], list[str]]:
    """``name[extra,...] spec, spec ; marker`` → (normalized name, extras, specifiers)."""
    found = REQUIREMENT.match(requirement)
    if not found:
        raise ValueError(f"cannot read the requirement {requirement!r}")
    extras = [e.strip() for e in (found["extras"] or "").split(",") if e.strip()]
    specs = [s.strip() for s in found["specs"].split(",") if s.strip()]
    return normalize(found["name"]), extras, specs


def requirements(project: dict, extras: list[str]) -> list[str]:
    """The base requirements, then those of ``extras`` and of every extra they name on this project."""
    own = normalize(project["name"])
    optional = project.get("optional-dependencies", {})
    out = list(project.get("dependencies", []))
    todo, seen = list(extras), set()
    while todo:
        extra = todo.pop(0)
        if extra in seen:
            continue
        if extra not in optional:
            raise ValueError(f"pyproject.toml has no extra {extra!r}")
        seen.add(extra)
        for requirement in optional[extra]:
            name, more, _ = parse(requirement)
            if name == own:
                todo += more
            else:
                out.append(requirement)
    return out


def lower_bounds(pyproject: Path = PYPROJECT, extras: list[str] | None = None) -> dict[str, str]:
    """Each requirement's ``>=`` version, by normalized name (the highest if a name is declared twice)."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    bounds: dict[str, str] = {}
    for requirement in requirements(project, ["test"] if extras is None else extras):
        name, _, specs = parse(requirement)
        for spec in specs:
            if spec.startswith(">=") and not spec.startswith(">=="):
                version = spec[2:].strip()
                if name not in bounds or _key(version) > _key(bounds[name]):
                    bounds[name] = version
        if name not in bounds:
            print(f"lowest.py: {requirement!r} has no >= bound: pip chooses its version", file=sys.stderr)
    return bounds


def _key(version: str) -> tuple[int, ...]:
    """Release numbers for comparing two bounds of one name (``2024.1`` < ``2024.1.1``)."""
    release = re.match(r"\d+(?:\.\d+)*", version)
    if not release:
        raise ValueError(f"cannot compare the version {version!r}")
    return tuple(int(p) for p in release[0].split("."))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("extras", nargs="*", default=["test"], help="extras besides the base (default: test)")
    parser.add_argument("--pyproject", type=Path, default=PYPROJECT, help="default: the project's pyproject.toml")
    args = parser.parse_args(argv)
    bounds = lower_bounds(args.pyproject, args.extras)
    print(f"# The lowest declared versions (.ci/lowest.py): base + {', '.join(args.extras) or 'no extras'}")
    for name, version in bounds.items():
        print(f"{name}=={version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
