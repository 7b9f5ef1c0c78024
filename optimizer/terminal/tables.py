"""Rich tables for the terminal whose title is a line of its own.

Rich wraps a table's own title to the table's width, so a narrow table with a long title
("Binding limits (MILP: dual values from ...)") reads as two broken lines in a log. Here the
title is printed above the table as one line; the table has no outer edge.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text


class TitledTable(Table):
    """A rich Table printed after its title line (bold, never wrapped to the table's width)."""

    def __init__(self, heading: str, **kwargs: object) -> None:
        super().__init__(show_edge=False, header_style="bold", **kwargs)  # type: ignore[arg-type]
        self.heading = heading

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield Text(self.heading, style="bold")
        yield from super().__rich_console__(console, options)


def titled_table(heading: str, columns: Iterable[tuple[str, str]] = ()) -> TitledTable:
    """A table under ``heading`` with ``columns`` as (header, justify) pairs; headers are taken
    literally (no Rich markup: instance paths may hold brackets)."""
    table = TitledTable(heading)
    for name, justify in columns:
        table.add_column(Text(name), justify=justify)  # type: ignore[arg-type]
    return table
