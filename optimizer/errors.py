"""The one exception type for bad input, carrying the JSON path of the problem."""

from __future__ import annotations


class InstanceError(ValueError):
    """An instance that cannot be solved as written.

    ``path`` is a JSON path such as ``offers[3].chip`` (empty for the whole document);
    ``file`` is the instance's file name when it came from a file; ``line`` is set for
    files that do not parse.
    """

    def __init__(self, path: str, problem: str, *, file: str | None = None, line: int | None = None):
        self.path = path
        self.problem = problem
        self.file = file
        self.line = line
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """One line: ``FILE[:LINE]: PATH: PROBLEM``."""
        where = self.file or "<instance>"
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.path}: {self.problem}" if self.path else f"{where}: {self.problem}"

    def in_file(self, file: str) -> InstanceError:
        """The same error, naming ``file``."""
        return InstanceError(self.path, self.problem, file=file, line=self.line)


def json_path(loc: tuple[str | int, ...] | list[str | int]) -> str:
    """Format a location tuple as a JSON path: ``("offers", 3, "chip")`` → ``offers[3].chip``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
