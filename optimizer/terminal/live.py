"""A live progress display for long solves: one line per stage with its elapsed time.

:func:`stage_display` gives a :data:`optimizer.highs.Progress` callable for
``optimizer.solve(..., progress=...)``. Each new stage (a message not starting with "HiGHS: "
while HiGHS runs) closes the previous line with its time; HiGHS's log lines (iterations,
objective, time) are shown under the running solve as they come, so a 20-minute LP shows that
it is moving. The display is drawn on ``console`` only when it is a terminal, and removed
when the block ends (the stage times are in ``--verbose``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from optimizer.solve.options import Progress as ProgressCallback

HIGHS = "HiGHS: "


@contextmanager
def stage_display(console: Console, *, enabled: bool = True) -> Iterator[ProgressCallback | None]:
    """Yield a progress callable drawing on ``console``; None when not ``enabled`` or not a terminal."""
    if not (enabled and console.is_terminal):
        yield None
        return
    bars = Progress(SpinnerColumn(finished_text="[green]✓[/]"), TextColumn("{task.description}"), TimeElapsedColumn(),
                    console=console, transient=True)
    lock = threading.Lock()
    state: dict[str, TaskID | str | None] = {"task": None, "stage": ""}

    def tell(message: str) -> None:
        with lock:  # HiGHS's log lines come from its own thread
            task = state["task"]
            if message.startswith(HIGHS) and task is not None and str(state["stage"]).startswith(HIGHS):
                line = escape(message[len(HIGHS):])
                bars.update(task, description=f"{escape(str(state['stage']))}\n  [dim]{line}[/]")
                return
            if task is not None:
                bars.update(task, description=escape(str(state["stage"])), total=1, completed=1)
                bars.stop_task(task)
            state["task"], state["stage"] = bars.add_task(escape(message), total=None), message

    with bars:
        yield tell
