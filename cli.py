"""The ``procure`` command: a thin Typer app over the :mod:`optimizer` API.

Exit codes (spec §8): 0 a plan (optimal or feasible); 1 anything else (e.g. a limit reached
with no plan); 2 invalid input or usage; 3 infeasible or unbounded, with a diagnosis.
This is the only module that configures logging or prints.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="procure: the cheapest multi-year plan for renting AI compute across clouds.")
out_console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

InstanceArg = Annotated[Path, typer.Argument(help="Instance JSON file (see docs/model.md).", show_default=False)]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Folder for solution.json and CSV tables.")]


def _configure_logging(verbose: bool) -> None:
    # Pyomo slows down badly under DEBUG logging: keep its loggers at WARNING whatever -v says.
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")
    logging.getLogger("pyomo").setLevel(logging.WARNING)


def _fail(message: str, code: int) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)


def _check_out(instance: Path, out: Path | None) -> None:
    """``--out`` is a folder, and writing a plan into it cannot overwrite the instance."""
    if out is None:
        return
    if out.exists() and not out.is_dir():
        raise _fail(f"--out {out}: exists and is not a folder", 2)
    from optimizer.results import OUTPUT_FILES

    if instance.resolve().parent == out.resolve() and instance.name in OUTPUT_FILES:
        raise _fail(f"--out {out}: writing the plan there would overwrite the instance {instance}", 2)


def _interruptible(command: Callable[..., None]) -> Callable[..., None]:
    """Ctrl-C stops the command cleanly: one line, exit code 130, nothing written."""
    @functools.wraps(command)
    def run(*args, **kwargs) -> None:
        try:
            command(*args, **kwargs)
        except KeyboardInterrupt:
            raise _fail("interrupted; nothing written", 130) from None

    return run


@app.command()
@_interruptible
def solve(
    instance: InstanceArg,
    out: OutOpt = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="Seconds; the best plan found by then.",
                                                     min=0.0)] = None,
    mip_gap: Annotated[float, typer.Option("--mip-gap", help="Relative MIP gap.", min=0.0, max=1.0)] = 1e-6,
    threads: Annotated[int | None, typer.Option("--threads", help="HiGHS threads.", min=1)] = None,
    algorithm: Annotated[str, typer.Option("--algorithm", help="HiGHS LP solver: choose, simplex, ipm or pdlp.")]
    = "choose",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Stage timings and the solver log.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
) -> None:
    """Solve INSTANCE and print the plan; with --out, write solution.json and CSV tables."""
    _configure_logging(verbose)
    import optimizer  # imported here so that `procure --help` stays fast

    _check_out(instance, out)
    try:
        options = optimizer.SolveOptions(time_limit=time_limit, mip_gap=mip_gap, threads=threads,
                                         algorithm=algorithm, log=verbose)
    except ValueError as e:
        raise _fail(str(e), 2) from None
    try:
        solution = optimizer.solve(instance, options)
    except optimizer.InstanceError as e:
        raise _fail(e.message, 2) from None

    if not quiet:
        from optimizer.summary import summary

        for part in summary(solution):
            out_console.print(part)
        if verbose:
            out_console.print("stages: " + ", ".join(f"{k.removesuffix('_s')} {v:.3f} s"
                                                      for k, v in solution.timings.items()), style="dim")
    code = {"optimal": 0, "feasible": 0, "infeasible": 3, "unbounded": 3}.get(str(solution.status), 1)
    if code == 1:
        raise _fail(f"no plan: {solution.message or solution.status}; nothing written", 1)
    if out is not None:
        try:
            written = solution.write(out)
        except OSError as e:
            raise _fail(f"--out {out}: {e.strerror or e}", 1) from None
        if not quiet:
            out_console.print(f"wrote {', '.join(p.name for p in written)} to {out}", style="dim")
    if code:
        raise typer.Exit(code)


@app.command()
@_interruptible
def diagnose(instance: InstanceArg) -> None:
    """Explain why INSTANCE is infeasible: the limits that must move, where and by how much."""
    _configure_logging(False)
    import optimizer

    try:
        prep = optimizer.prepare(optimizer.load_instance(instance))
    except optimizer.InstanceError as e:
        raise _fail(e.message, 2) from None
    findings = optimizer.diagnose(prep)
    if not findings:
        out_console.print(f"{instance}: feasible; no limit needs to move.")
        return
    out_console.print(f"{instance}: infeasible. Limits that must move:", style="bold red")
    for f in findings:
        out_console.print(f"  • {f.message}", soft_wrap=True, markup=False)
    raise typer.Exit(3)


@app.command()
def validate(instance: InstanceArg) -> None:
    """Check INSTANCE against the schema and the spec's rules without solving it."""
    import optimizer

    try:
        inst = optimizer.load_instance(instance)
    except optimizer.InstanceError as e:
        raise _fail(e.message, 2) from None
    out_console.print(f"{instance}: valid ({len(inst.providers)} providers, {len(inst.chips)} chips, "
                      f"{len(inst.offers)} offers, {len(inst.workloads)} workloads)")


if __name__ == "__main__":
    app()
