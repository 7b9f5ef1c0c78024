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


@app.command()
def generate(
    size: Annotated[str, typer.Option("--size", help="Preset: small, medium, large (~0.5M variables), xl.")]
    = "small",
    out: Annotated[Path | None, typer.Option("--out", help="Instance file to write (default: print).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    years: Annotated[int | None, typer.Option("--years", min=1)] = None,
    periods_per_year: Annotated[int | None, typer.Option("--periods-per-year")] = None,
    providers: Annotated[int | None, typer.Option("--providers", min=1)] = None,
    regions: Annotated[int | None, typer.Option("--regions", min=1, help="Copies of each offer.")] = None,
    chips: Annotated[int | None, typer.Option("--chips", min=1)] = None,
    workloads: Annotated[int | None, typer.Option("--workloads", min=1)] = None,
    scenarios: Annotated[int | None, typer.Option("--scenarios", min=1)] = None,
    terms: Annotated[str | None, typer.Option("--terms", help="Term ladder in months, e.g. 1,12,36.")] = None,
    onboarding: Annotated[bool, typer.Option("--onboarding", help="Onboarding fees (a MILP).")] = False,
) -> None:
    """Write a synthetic instance with realistic structure (for benchmarks and stress tests)."""
    import json

    from optimizer.generate import generate as make

    knobs = {"years": years, "periods_per_year": periods_per_year, "providers": providers, "regions": regions,
             "chips": chips, "workloads": workloads, "scenarios": scenarios, "onboarding": onboarding or None}
    overrides = {k: v for k, v in knobs.items() if v is not None}
    try:
        if terms is not None:
            overrides["terms"] = tuple(int(t) for t in terms.split(","))
        data = make(size, seed=seed, **overrides)
    except ValueError as e:
        raise _fail(str(e), 2) from None
    text = json.dumps(data, indent=1) + "\n"
    if out is None:
        out_console.print(text, markup=False, highlight=False, soft_wrap=True)
        return
    from optimizer.results import write_files_atomically

    out.parent.mkdir(parents=True, exist_ok=True)
    write_files_atomically(out.parent, {out.name: text})


FolderArg = Annotated[Path, typer.Argument(help="A folder written by `procure solve --out`.", show_default=False)]


@app.command()
def report(folder: FolderArg) -> None:
    """Write report.md and report.html (charts inlined, no network needed) into a solution FOLDER."""
    _configure_logging(False)
    from optimizer.folder import FolderError
    from optimizer.report import write_report

    try:
        written = write_report(folder)
    except FolderError as e:
        raise _fail(e.message, 2) from None
    except OSError as e:
        raise _fail(f"{folder}: {e.strerror or e}", 1) from None
    pages = [p.name for p in written if p.suffix != ".svg"]
    out_console.print(f"wrote {', '.join(pages)} (and {len(written) - len(pages)} charts) to {folder}")


@app.command()
def compare(
    folders: Annotated[list[Path], typer.Argument(help="Two or more solution folders; the first is the baseline.",
                                                  show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Folder for compare.md, compare.html and CSV tables.",
                                      show_default=False)],
) -> None:
    """Compare plans: key figures, NPV difference by provider, chip and year, changed contracts and limits."""
    _configure_logging(False)
    from optimizer.compare import compare as compare_plans
    from optimizer.folder import FolderError

    if len(folders) < 2:
        raise _fail("compare needs at least two solution folders", 2)
    if out.exists() and not out.is_dir():
        raise _fail(f"--out {out}: exists and is not a folder", 2)
    try:
        written = compare_plans(*folders).write(out)
    except (FolderError, ValueError) as e:
        raise _fail(getattr(e, "message", str(e)), 2) from None
    except OSError as e:
        raise _fail(f"--out {out}: {e.strerror or e}", 1) from None
    pages = [p.name for p in written if p.suffix in (".md", ".html")]
    out_console.print(f"wrote {', '.join(pages)} (and {len(written) - len(pages)} charts and tables) to {out}")


if __name__ == "__main__":
    app()
