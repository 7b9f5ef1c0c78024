"""The one exception type for bad input, carrying the JSON path of each problem."""

from __future__ import annotations

from collections.abc import Sequence

Problem = tuple[str, str]
"""One problem of an instance: ``(JSON path, problem)``; the path is empty for the whole document."""

MAX_LISTED = 50
"""``procure validate`` lists at most this many problems, then says how many more there are."""


class InstanceError(ValueError):
    """An instance that cannot be solved as written.

    ``path`` is a JSON path such as ``offers[3].chip`` (empty for the whole document) and
    ``problem`` says what is wrong there: together the first problem found. ``problems`` lists
    every problem found as ``(path, problem)`` pairs, the first one first (see
    :func:`optimizer.instance.validate_instance` for which are found together).
    ``file`` is the instance's file name when it came from a file; ``line`` is set for
    files that do not parse.
    """

    def __init__(self, path: str, problem: str, *, file: str | None = None, line: int | None = None,
                 more: Sequence[Problem] = ()):
        self.path = path
        self.problem = problem
        self.file = file
        self.line = line
        self.problems: list[Problem] = [(path, problem), *more]
        super().__init__(self.message)

    @classmethod
    def from_problems(cls, problems: Sequence[Problem], *, file: str | None = None) -> InstanceError:
        """One error for a non-empty list of problems, the first of which becomes ``path`` and ``problem``."""
        (path, problem), *more = problems
        return cls(path, problem, file=file, more=more)

    @property
    def where(self) -> str:
        """``FILE[:LINE]``, or ``<instance>`` for data that did not come from a file."""
        where = self.file or "<instance>"
        return f"{where}:{self.line}" if self.line is not None else where

    @property
    def message(self) -> str:
        """One line: ``FILE[:LINE]: PATH: PROBLEM``, ending ``(and N more problems)`` if there are."""
        text = f"{self.where}: {_line(self.path, self.problem)}"
        more = len(self.problems) - 1
        return text + f" (and {more} more problem{'s' if more > 1 else ''})" if more else text

    def lines(self, limit: int | None = MAX_LISTED) -> list[str]:
        """Every problem as ``PATH: PROBLEM``, at most ``limit`` of them, then ``… and N more problems``."""
        shown = self.problems if limit is None else self.problems[:limit]
        out = [_line(path, problem) for path, problem in shown]
        hidden = len(self.problems) - len(shown)
        if hidden:
            out.append(f"… and {hidden} more problem{'s' if hidden > 1 else ''}")
        return out

    def __reduce__(self):  # pickled as its fields (e.g. from a sweep worker), not as its message
        return _rebuild, (self.path, self.problem, self.file, self.line, self.problems[1:])

    def in_file(self, file: str) -> InstanceError:
        """The same error, naming ``file``."""
        return InstanceError(self.path, self.problem, file=file, line=self.line, more=self.problems[1:])


def _rebuild(path: str, problem: str, file: str | None, line: int | None, more: list[Problem]) -> InstanceError:
    return InstanceError(path, problem, file=file, line=line, more=more)


def _line(path: str, problem: str) -> str:
    return f"{path}: {problem}" if path else problem


def json_path(loc: tuple[str | int, ...] | list[str | int]) -> str:
    """Format a location tuple as a JSON path: ``("offers", 3, "chip")`` → ``offers[3].chip``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
