"""The ``procure`` command: a thin Typer app over the :mod:`optimizer` API.

Exit codes (spec §8): 0 a plan (optimal or feasible); 1 anything else (e.g. a limit reached
with no plan); 2 invalid input or usage; 3 infeasible or unbounded, with a diagnosis.
This is the only module that configures logging or prints.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from optimizer.solve.options import DEFAULT_MAX_MEMORY_TEXT, DEFAULT_MIP_GAP, INTERRUPTED, Algorithm
from optimizer.solve.status import Status, no_plan_reason

NO_PLAN = 1
EXIT_CODES = {Status.OPTIMAL: 0, Status.FEASIBLE: 0, Status.INFEASIBLE: 3, Status.UNBOUNDED: 3, Status.ERROR: NO_PLAN}
"""The exit code of each outcome (README, "exit code"); 2 is bad input or usage, 130 an interrupt."""


def _plain_argument_help() -> None:
    """Show an argument by its metavar alone: ``INSTANCE``, not Typer's ``{INSTANCE}`` and ``INSTANCE <path>``."""
    argument = getattr(typer.core, "TyperArgument", None)
    if argument is None:
        return
    if hasattr(argument, "_usage_display_name"):
        argument._usage_display_name = lambda self: self.display_name_raw + ("..." if self.nargs != 1 and
                                                                              self.metavar is None else "")
    argument.display_type_rich = lambda self, ctx: None


_plain_argument_help()

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None,
                  help="procure: the cheapest multi-year plan for renting AI compute across clouds.")
UNCUT = 10_000
"""Columns of a console that is not a terminal (a pipe, a file, CI's log): wide enough that no table is cut."""


def _console(stderr: bool = False) -> Console:
    """A console for stdout or stderr; piped or redirected, it is as wide as a line needs (COLUMNS still wins)."""
    console = Console(stderr=stderr, highlight=False)
    if console.is_terminal or "COLUMNS" in os.environ:
        return console
    return Console(stderr=stderr, highlight=False, width=UNCUT)


out_console = _console()
err_console = _console(stderr=True)

InstanceArg = Annotated[Path, typer.Argument(help="Instance JSON file (see docs/model.md).", metavar="INSTANCE",
                                             show_default=False)]
OutOpt = Annotated[Path | None, typer.Option("--out", metavar="DIR", help="Folder for solution.json and CSV tables.")]
MaxMemoryOpt = Annotated[str, typer.Option("--max-memory", metavar="SIZE", help="Memory budget, e.g. 8GiB or 500MiB: "
                                           "a model estimated to need more is refused before it is built.")]

RunTimeLimitOpt = Annotated[float | None, typer.Option("--time-limit", metavar="SECONDS", help="Seconds per solve.",
                                                       min=0.0)]
RunMipGapOpt = Annotated[float, typer.Option("--mip-gap", metavar="GAP", help="Relative MIP gap.", min=0.0, max=1.0)]
RunQuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")]
WorkersOpt = Annotated[int | None, typer.Option("--workers", metavar="N", min=1,
                                                help="Local worker processes (default: one per core).")]
SchedulerOpt = Annotated[str | None, typer.Option("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. "
                                                  "tcp://10.0.0.5:8786: runs go to that cluster instead of local "
                                                  "processes.")]


def _configure_logging(verbose: bool) -> None:
    # Pyomo slows down badly under DEBUG logging: keep its loggers at WARNING whatever -v says.
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")
    logging.getLogger("pyomo").setLevel(logging.WARNING)
    # Ctrl-C while Pyomo builds a component: Pyomo logs "Constructing component ... failed:
    # KeyboardInterrupt" before re-raising it; the interrupt is reported by one line of ours instead.
    logging.getLogger("pyomo.core").addFilter(lambda record: "KeyboardInterrupt" not in map(str, record.args or ()))


def _fail(message: str, code: int) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    return typer.Exit(code)


def _max_memory(text: str) -> int:
    from optimizer.solve.health import parse_bytes

    try:
        return parse_bytes(text)
    except ValueError as e:
        raise _fail(f"--max-memory: {e}", 2) from None


def _warn(instance: Path, warnings: list) -> None:
    """Implausible inputs, one line each on stderr: ``warning: FILE: PATH: problem``."""
    for w in warnings:
        err_console.print(f"[yellow]warning:[/] {escape(f'{instance}: {w.message}')}", soft_wrap=True)


def _check_out(instance: Path, out: Path | None) -> None:
    """``--out`` is a folder, and writing a plan into it cannot overwrite the instance."""
    if out is None:
        return
    if out.exists() and not out.is_dir():
        raise _fail(f"--out {out}: exists and is not a folder", 2)
    from optimizer.results.solution import OUTPUT_FILES

    if instance.resolve().parent == out.resolve() and instance.name in OUTPUT_FILES:
        raise _fail(f"--out {out}: writing the plan there would overwrite the instance {instance}", 2)


def _interruptible(command: Callable[..., None]) -> Callable[..., None]:
    """Ctrl-C stops the command cleanly: one line, exit code 130, nothing written.

    The process then ends at once (``os._exit``, after the line is flushed): HiGHS's thread may still
    be finishing an LP it cannot interrupt (see ``optimizer.solve.highs.STOP_GRACE_S``), and an
    interrupted HiGHS instance can keep an ordinary interpreter exit waiting (seen on MILPs). Files are
    written only after a solve, atomically, so none is half-written.
    """
    @functools.wraps(command)
    def run(*args, **kwargs) -> None:
        def on_ctrl_c(signum, frame) -> None:
            INTERRUPTED.set()  # sticky: the solve loop sees it even if this KeyboardInterrupt is swallowed
            raise KeyboardInterrupt

        signal.signal(signal.SIGINT, on_ctrl_c)
        try:
            command(*args, **kwargs)
        except KeyboardInterrupt:
            _fail("interrupted; nothing written", 130)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)

    return run


@app.command(short_help="Solve an instance and print the plan.")
@_interruptible
def solve(
    instance: InstanceArg,
    out: OutOpt = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", metavar="SECONDS", min=0.0,
                                                     help="Seconds; the best plan found by then.")] = None,
    mip_gap: RunMipGapOpt = DEFAULT_MIP_GAP,
    threads: Annotated[int | None, typer.Option("--threads", metavar="N", help="HiGHS threads.", min=1)] = None,
    algorithm: Annotated[Algorithm, typer.Option("--algorithm", help="LP method: auto (procure's choice by "
                                           "measurement: dual simplex), or HiGHS's choose, "
                                           "simplex, ipm or pdlp.")] = Algorithm.AUTO,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Stage timings, model size, coefficient "
                                          "ranges and the solver log.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
    max_memory: MaxMemoryOpt = DEFAULT_MAX_MEMORY_TEXT,
) -> None:
    """Solve INSTANCE and print the plan; with --out, write solution.json and CSV tables."""
    _configure_logging(verbose)
    import optimizer  # imported here so that `procure --help` stays fast

    _check_out(instance, out)
    try:
        options = optimizer.SolveOptions(time_limit=time_limit, mip_gap=mip_gap, threads=threads,
                                         algorithm=algorithm, log=verbose, max_memory=_max_memory(max_memory))
    except ValueError as e:
        raise _fail(str(e), 2) from None
    from optimizer.terminal.live import stage_display

    try:
        with stage_display(err_console, enabled=not (quiet or verbose)) as progress:
            solution = optimizer.solve(instance, options, progress=progress)
    except optimizer.InstanceError as e:
        raise _fail(e.message, 2) from None

    if not quiet:
        _warn(instance, getattr(solution, "warnings", []))
        from optimizer.terminal.summary import summary

        for part in summary(solution):
            out_console.print(part)
        if verbose:
            out_console.print("stages: " + ", ".join(f"{k.removesuffix('_s')} {v:.3f} s"
                                                      for k, v in solution.timings.items()), style="dim")
            _print_numerics(getattr(solution, "numerics", None))
    code = EXIT_CODES[solution.status]
    if code == NO_PLAN:
        raise _fail(f"no plan: {no_plan_reason(solution.message or str(solution.status), time_limit)}; "
                    "nothing written", NO_PLAN)
    if out is not None:
        try:
            written = solution.write(out)
        except OSError as e:
            raise _fail(f"--out {out}: {e.strerror or e}", 1) from None
        if not quiet:
            out_console.print(f"wrote {', '.join(p.name for p in written)} to {out}", style="dim")
    if code:
        raise typer.Exit(code)


@app.command(short_help="Say which limits make an instance infeasible.")
@_interruptible
def diagnose(
    instance: InstanceArg,
    iis: Annotated[bool, typer.Option("--iis", help="Also an irreducible infeasible subset of limits (HiGHS).")]
    = False,
    max_memory: MaxMemoryOpt = DEFAULT_MAX_MEMORY_TEXT,
) -> None:
    """Explain why INSTANCE is infeasible: the limits that must move, where and by how much."""
    _configure_logging(False)
    import optimizer
    from optimizer.solve.numerics import unit_warnings
    from optimizer.solve.pipeline import check, named_coefficients

    try:
        checked = check(instance, optimizer.SolveOptions(max_memory=_max_memory(max_memory)))
        _warn(instance, unit_warnings(checked.instance))
        prep = optimizer.prepare(checked.instance)
        with named_coefficients(prep, instance):
            findings = optimizer.diagnose(prep)
            if not findings:
                out_console.print(f"{instance}: feasible; no limit needs to move.")
                return
            out_console.print(f"{instance}: infeasible. Limits that must move:", style="bold red")
            for f in findings:
                out_console.print(f"  • {f.message}", soft_wrap=True, markup=False)
            if iis:
                _print_iis(prep)
    except optimizer.InstanceError as e:
        raise _fail(e.message, 2) from None
    raise typer.Exit(EXIT_CODES[Status.INFEASIBLE])


def _print_iis(prep: object) -> None:
    """``diagnose --iis``: HiGHS's irreducible infeasible subset, one limit a line (see optimizer/iis.py)."""
    from optimizer.analysis.iis import iis as compute_iis

    found = compute_iis(prep)
    if not found.found:
        out_console.print(f"Irreducible infeasible subset: {found.message}", soft_wrap=True, markup=False)
        return
    out_console.print(f"Irreducible infeasible subset (HiGHS): {found.message}:", style="bold")
    for row in (*found.rows, *found.bounds):
        out_console.print(f"  • {row.message}", soft_wrap=True, markup=False)


def _print_numerics(numerics: dict | None) -> None:
    """``--verbose``: model size and the coefficient ranges HiGHS sees (model units: chips, MW, $M)."""
    if not numerics:
        return
    from optimizer.solve.health import human_bytes
    from optimizer.solve.numerics import describe_ranges

    size = (f"model: {numerics['columns']:,} columns, {numerics['rows']:,} rows, {numerics['nonzeros']:,} non-zeros; "
            if "columns" in numerics else "model: ")
    out_console.print(f"{size}estimated memory {human_bytes(numerics['estimated_bytes'])}", style="dim",
                      soft_wrap=True)
    ranges = {k: numerics.get(k) for k in ("matrix", "cost", "bounds", "rhs") if k in numerics}
    if ranges:
        out_console.print(f"coefficient ranges: {describe_ranges(ranges)}", style="dim", soft_wrap=True)


@app.command(short_help="Check an instance without solving it.")
def validate(instance: InstanceArg) -> None:
    """Check INSTANCE against the schema and the spec's rules without solving it; list every problem."""
    import optimizer

    try:
        inst = optimizer.load_instance(instance)
    except optimizer.InstanceError as e:
        if len(e.problems) == 1:
            raise _fail(e.message, 2) from None
        err_console.print(f"[bold red]error:[/] {escape(f'{e.where}: {len(e.problems)} problems:')}", soft_wrap=True)
        for line in e.lines():
            err_console.print(f"  {line}", soft_wrap=True, markup=False)
        raise typer.Exit(2) from None
    from optimizer.solve.numerics import unit_warnings

    _warn(instance, unit_warnings(inst))
    out_console.print(f"{instance}: valid ({len(inst.providers)} providers, {len(inst.chips)} chips, "
                      f"{len(inst.offers)} offers, {len(inst.workloads)} workloads)")


@app.command(short_help="Print the instance JSON Schema, for editors.")
def schema(
    out: Annotated[Path | None, typer.Option("--out", metavar="FILE", help="File to write (default: print).")] = None,
) -> None:
    """Print the JSON Schema (draft 2020-12) of instance files, for editors (see the README)."""
    import json

    from optimizer.input.schema import instance_json_schema

    text = json.dumps(instance_json_schema(), indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    if out.is_dir():
        raise _fail(f"--out {out}: is a folder, not a file", 2)
    from optimizer.results.files import write_files_atomically

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_files_atomically(out.parent, {out.name: text})
    except OSError as e:
        raise _fail(f"--out {out}: {e.strerror or e}", 1) from None


@app.command(short_help="Write a synthetic instance for benchmarks.")
def generate(
    size: Annotated[str, typer.Option("--size", metavar="PRESET",
                                      help="Preset: small, medium, large (~0.5M variables) or xl.")] = "small",
    out: Annotated[Path | None, typer.Option("--out", metavar="FILE",
                                             help="Instance file to write (default: print).")] = None,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Random seed.")] = 0,
    years: Annotated[int | None, typer.Option("--years", metavar="N", min=1,
                                              help="Years in the horizon (default: the preset's).")] = None,
    periods_per_year: Annotated[int | None, typer.Option("--periods-per-year", metavar="N",
                                                         help="Periods a year: 1, 2, 4 or 12 (default: the preset's).")]
    = None,
    providers: Annotated[int | None, typer.Option("--providers", metavar="N", min=1,
                                                  help="Clouds (default: the preset's).")] = None,
    regions: Annotated[int | None, typer.Option("--regions", metavar="N", min=1,
                                                help="Copies of each offer, one per region.")] = None,
    chips: Annotated[int | None, typer.Option("--chips", metavar="N", min=1,
                                              help="Chip generations (default: the preset's).")] = None,
    workloads: Annotated[int | None, typer.Option("--workloads", metavar="N", min=1,
                                                  help="Workloads (default: the preset's).")] = None,
    scenarios: Annotated[int | None, typer.Option("--scenarios", metavar="N", min=1,
                                                  help="Demand scenarios; 1 for none (default: the preset's).")] = None,
    terms: Annotated[str | None, typer.Option("--terms", metavar="MONTHS",
                                              help="Term ladder in months, e.g. 1,12,36.")] = None,
    onboarding: Annotated[bool, typer.Option("--onboarding", help="Onboarding fees (a MILP).")] = False,
) -> None:
    """Write a synthetic instance with realistic structure (for benchmarks and stress tests)."""
    import json

    from optimizer.input.generate import generate as make

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
    from optimizer.results.files import write_files_atomically

    out.parent.mkdir(parents=True, exist_ok=True)
    write_files_atomically(out.parent, {out.name: text})


FolderArg = Annotated[Path, typer.Argument(help="A folder written by `procure solve --out`.", metavar="FOLDER",
                                           show_default=False)]


@app.command(short_help="Write a report page for a solved plan.")
def report(
    folder: FolderArg,
    ranges_within: Annotated[str | None, typer.Option("--ranges", metavar="EPS", show_default=False,
                                                      help="Also compute near-optimal ranges within EPS of the "
                                                      "cheapest plan (e.g. 0.01 or 1%) and show how firm the "
                                                      "plan is.")] = None,
    marginal: Annotated[int, typer.Option("--marginal", metavar="N", min=0,
                                          help="Re-solve the N binding limits with the largest shadow price × "
                                          "limit, relaxed and removed (0: none; at most 300 s of re-solves).")] = 10,
) -> None:
    """Write report.md and report.html (charts inlined, no network needed) into a solution FOLDER."""
    _configure_logging(False)
    from optimizer.analysis.marginal import write_marginal_values
    from optimizer.report.plan import write_report
    from optimizer.results.folder import FolderError

    try:
        if ranges_within is not None:
            _report_ranges(folder, _within(ranges_within, "--ranges"))
        write_marginal_values(folder, top=marginal)  # re-solves: what relaxing the top binding limits really saves
        written = write_report(folder)
    except FolderError as e:
        raise _fail(e.message, 2) from None
    except OSError as e:
        raise _fail(f"{folder}: {e.strerror or e}", 1) from None
    pages = [p.name for p in written if p.suffix != ".svg"]
    from optimizer.units import plural

    out_console.print(f"wrote {', '.join(pages)} and {plural(len(written) - len(pages), 'chart')} to {folder}")


@app.command(short_help="Compare solved plans: where the NPV difference comes from.")
def compare(
    folders: Annotated[list[Path], typer.Argument(help="Two or more solution folders; the first is the baseline.",
                                                  metavar="FOLDER...",
                                                  show_default=False)],
    out: Annotated[Path | None, typer.Option("--out", metavar="DIR", show_default=False,
                                             help="Also write compare.md, compare.html, charts and CSV tables into "
                                             "this folder.")] = None,
) -> None:
    """Compare plans: NPV difference from the first and where it comes from (provider, chip, year), changed
    contracts and limits; --out writes the full page and tables."""
    _configure_logging(False)
    from optimizer.report.compare import compare as compare_plans
    from optimizer.results.folder import FolderError
    from optimizer.terminal.views import compare_view
    from optimizer.units import plural

    if len(folders) < 2:
        raise _fail("compare needs at least two solution folders", 2)
    if out is not None and out.exists() and not out.is_dir():
        raise _fail(f"--out {out}: exists and is not a folder", 2)
    try:
        comparison = compare_plans(*folders)
    except (FolderError, ValueError) as e:
        raise _fail(getattr(e, "message", str(e)), 2) from None
    for part in compare_view(comparison):
        out_console.print(part)
    if out is None:
        out_console.print("--out DIR writes compare.md, compare.html and the tables in full", style="dim")
        return
    try:
        written = comparison.write(out)
    except OSError as e:
        raise _fail(f"--out {out}: {e.strerror or e}", 1) from None
    kinds = [p.name for p in written if p.suffix in (".md", ".html")]
    for suffix, noun in ((".svg", "chart"), (".csv", "CSV table")):
        if n := sum(p.suffix == suffix for p in written):
            kinds.append(plural(n, noun))
    out_console.print(f"wrote {', '.join(kinds[:-1])} and {kinds[-1]} to {out}", style="dim")



def _grid(assignments: list[str] | None, flag: str) -> dict[str, list]:
    """``PATH=V1,V2,…`` options as a sweep grid (exit 2 on bad syntax)."""
    from optimizer.input.paths import PathError, parse_assignment

    if not assignments:
        raise _fail(f"give at least one {flag} PATH=V1,V2,...", 2)
    try:
        return dict(parse_assignment(text) for text in assignments)
    except PathError as e:
        raise _fail(f"{flag}: {e}", 2) from None


def _sweep(instance: Path, size: int, quiet: bool, run, **kwargs):
    """Run a sweep (``run`` is optimizer.sweep or optimizer.pareto) behind a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

    import optimizer
    from optimizer.sweep.run import check_grid

    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    try:
        check_grid(instance, kwargs.get("grid") or {kwargs["path"]: kwargs["values"]})
        with Progress(*columns, console=err_console, disable=quiet) as bar:
            task = bar.add_task(f"{instance.name}: {size} runs", total=size)
            return run(instance, **kwargs, progress=lambda done, _: bar.update(task, completed=done))
    except (optimizer.InstanceError, optimizer.PathError) as e:
        raise _fail(getattr(e, "message", str(e)), 2) from None
    except OSError as e:  # an unreachable scheduler, an unwritable --out
        raise _fail(str(e), 1) from None


def _extras(command: str, scheduler: str | None, parquet: bool | None) -> bool:
    """Exit 2 before any run if --scheduler needs Dask or --parquet needs pyarrow and it is not installed;
    return whether sweep.parquet will be written."""
    from optimizer.sweep.run import MissingExtraError, require_extras

    try:
        return require_extras(scheduler=scheduler, parquet=parquet)
    except MissingExtraError as e:
        raise _fail(f"{command} --{e.option} needs {e.package}: pip install 'procure[{e.extra}]'", 2) from None


@app.command(short_help="Solve an instance for every combination of values.")
@_interruptible
def sweep(
    instance: InstanceArg,
    assignments: Annotated[list[str] | None, typer.Option("--set", metavar="PATH=V1,V2,...",
                                                          help="Values to try (repeatable), e.g. "
                                                          "budget.total_usd=1e12,9e11 or "
                                                          "providers[oracle].power_mw.2028=2500,3000.")] = None,
    out: Annotated[Path | None, typer.Option("--out", metavar="DIR", help="Folder for sweep.csv, sweep.parquet (see "
                                             "--parquet) and runs/<n>/.")]
    = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    parquet: Annotated[bool | None, typer.Option("--parquet/--no-parquet", help="Write sweep.parquet too; it needs "
                                                 "pyarrow, procure[parquet] (default: if pyarrow is installed).")]
    = None,
    chunk: Annotated[int | None, typer.Option("--chunk", metavar="N", min=1,
                                              help="Runs per task (default: by sweep size).")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Build every run afresh (no in-place re-solves).")]
    = False,
    time_limit: RunTimeLimitOpt = None,
    mip_gap: RunMipGapOpt = DEFAULT_MIP_GAP,
    threads: Annotated[int, typer.Option("--threads", metavar="N", help="HiGHS threads per run.", min=1)] = 1,
    quiet: RunQuietOpt = False,
) -> None:
    """Solve INSTANCE for every combination of the --set values; one row per run (infeasible runs too)."""
    _configure_logging(False)
    import optimizer
    from optimizer.terminal.views import status_counts, sweep_table

    grid = _grid(assignments, "--set")
    _check_out(instance, out)
    parquet = _extras("sweep", scheduler, parquet if out is not None else parquet or False)
    options = optimizer.SolveOptions(time_limit=time_limit, mip_gap=mip_gap, threads=threads)
    table = _sweep(instance, optimizer.grid_size(grid), quiet, optimizer.sweep, grid=grid, options=options,
                   workers=workers, scheduler=scheduler, out=out, chunk=chunk, fast=not rebuild, parquet=parquet)
    if not quiet:
        out_console.print(sweep_table(table, list(grid)))
        out_console.print(status_counts(table))
        if out is not None:
            tables = "sweep.csv, sweep.parquet" if parquet else "sweep.csv"
            out_console.print(f"wrote {tables} and runs/0–{len(table) - 1} to {out}", style="dim")


@app.command(short_help="Trace NPV against the largest provider share.")
@_interruptible
def pareto(
    instance: InstanceArg,
    vary: Annotated[str, typer.Option("--vary", metavar="PATH=V1,V2,...",
                                      help="The limit to vary, e.g. diversification.max_share=0.3,0.4,0.5",
                                      show_default=False)],
    out: Annotated[Path | None, typer.Option("--out", metavar="DIR", help="Folder for pareto.csv/.svg/.png and the "
                                             "sweep (default: INSTANCE-pareto).")] = None,
    workers: WorkersOpt = None,
    scheduler: SchedulerOpt = None,
    quiet: RunQuietOpt = False,
) -> None:
    """Trace NPV against the largest provider share by sweeping a limit; write a CSV and a chart."""
    _configure_logging(False)
    import optimizer
    from optimizer.sweep.pareto import write_pareto
    from optimizer.terminal.views import pareto_lines

    path, values = next(iter(_grid([vary], "--vary").items()))
    out = out or Path(f"{instance.stem}-pareto")
    _check_out(instance, out)
    parquet = _extras("pareto", scheduler, None)
    table = _sweep(instance, len(values), quiet, optimizer.pareto, values=values, path=path, workers=workers,
                   scheduler=scheduler, out=out, options=optimizer.SolveOptions(threads=1), parquet=parquet)
    written = write_pareto(table, out, f"{instance.stem}: NPV against the largest provider share",
                           path.rsplit(".", 1)[-1])
    if not quiet:
        for line in pareto_lines(table, path):
            out_console.print(line)
        out_console.print(f"wrote {', '.join(p.name for p in written)} and the sweep to {out}", style="dim")


@app.command(short_help="What to sign now, across demand scenarios.")
@_interruptible
def hedge(
    instance: InstanceArg,
    out: Annotated[Path | None, typer.Option("--out", metavar="DIR", help="Folder for the plan, hedging.json and the "
                                             "two-stage tables (first_stage.csv, scenario_outcomes.csv, ...).")]
    = None,
    time_limit: RunTimeLimitOpt = None,
    mip_gap: RunMipGapOpt = DEFAULT_MIP_GAP,
) -> None:
    """What to sign now, each scenario's outcome and spread, and the value of hedging (EVPI and VSS)."""
    _configure_logging(False)
    import optimizer
    from optimizer.analysis.hedging import HedgingError, hedging_files
    from optimizer.results.files import write_files_atomically
    from optimizer.terminal.views import hedging_view, two_stage_view

    _check_out(instance, out)
    options = optimizer.SolveOptions(time_limit=time_limit, mip_gap=mip_gap)
    try:
        solution = optimizer.solve(instance, options, explain_infeasible=False)
        value = optimizer.value_of_hedging(solution.inputs, options, stochastic=solution)
    except optimizer.InstanceError as e:
        raise _fail(e.message, 2) from None
    except HedgingError as e:
        raise _fail(f"{instance}: {e}; run `procure diagnose {instance}`", 3 if solution.status == "infeasible"
                    else 1) from None
    plan = optimizer.two_stage(solution)
    for part in two_stage_view(plan):
        out_console.print(part)
    out_console.print(hedging_view(value))
    if value.message:
        out_console.print(value.message, style="yellow")
    if out is not None:
        solution.write(out)
        write_files_atomically(out, hedging_files(value, plan))
        out_console.print(f"wrote the plan, hedging.json and the two-stage tables to {out}", style="dim")


def _within(text: str, flag: str = "--within") -> float:
    """ε from the command line: a fraction (0.01) or a percentage (1%), finite and ≥ 0 (exit 2 otherwise)."""
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise _fail(f"{flag}: {text!r} is not a number; give the slack over the cheapest plan's cost as a "
                    "fraction, e.g. 0.01 (or 1%)", 2) from None
    if not math.isfinite(value) or value < 0:
        raise _fail(f"{flag}: must be a finite number ≥ 0 (e.g. 0.01 for 1%), got {text}", 2)
    return value


RANGES_BY = ("provider", "chip", "first-stage")


@app.command(short_help="How firm is the plan: ranges near the optimum.")
@_interruptible
def ranges(
    instance: InstanceArg,
    within: Annotated[str, typer.Option("--within", metavar="EPS", show_default=False,
                                        help="Slack over the cheapest plan's cost, e.g. 0.01 (or 1%): plans "
                                        "costing at most 1% more.")],
    out: Annotated[Path | None, typer.Option("--out", metavar="DIR", help="Folder for the cheapest plan, "
                                             "ranges.json, ranges.csv and each extreme plan (plans/NAME-min/, "
                                             "plans/NAME-max/).")] = None,
    by: Annotated[str, typer.Option("--by", metavar="<provider|chip|first-stage>",
                                    help="Ranges of each provider's MW-years, each chip family's MW-years, or "
                                    "the chips of each contract line signed in the first stage.")] = "provider",
    time_limit: RunTimeLimitOpt = None,
    mip_gap: RunMipGapOpt = DEFAULT_MIP_GAP,
    workers: Annotated[int, typer.Option("--workers", metavar="N", min=1,
                                         help="Local processes for the extremes (default 1: in place, each "
                                         "solve warm-started from the last).")] = 1,
    quiet: RunQuietOpt = False,
    max_memory: MaxMemoryOpt = DEFAULT_MAX_MEMORY_TEXT,
) -> None:
    """The least and the most each provider holds (MW-years) over the plans within EPS of the cheapest cost."""
    _configure_logging(False)
    eps = _within(within)
    if by not in RANGES_BY:
        raise _fail(f"--by: unknown {by!r}; choose one of {', '.join(RANGES_BY)}", 2)
    import optimizer
    from optimizer.terminal.live import stage_display

    _check_out(instance, out)
    try:
        options = optimizer.SolveOptions(time_limit=time_limit, mip_gap=mip_gap, max_memory=_max_memory(max_memory))
    except ValueError as e:
        raise _fail(str(e), 2) from None
    from optimizer.analysis.ranges import near_optimal

    try:
        with stage_display(err_console, enabled=not quiet) as progress:
            result = near_optimal(instance, eps, by=by, options=options, workers=workers, plans=out is not None,
                                  progress=progress)
    except optimizer.InstanceError as e:
        raise _fail(e.message, 2) from None
    code = EXIT_CODES[result.optimum.status]
    if not result.has_plan:
        if not quiet:
            from optimizer.terminal.summary import summary

            for part in summary(result.optimum):
                out_console.print(part)
        if code == NO_PLAN:
            raise _fail(f"no plan: {no_plan_reason(result.optimum.message or str(result.optimum.status), time_limit)}"
                        "; nothing written", NO_PLAN)
        if out is not None:
            result.write(out)
        raise typer.Exit(code)
    failed = result.table[(result.table.min_status == "error") | (result.table.max_status == "error")]
    if not quiet:
        from optimizer.terminal.ranges import ranges_view

        for part in ranges_view(result):
            out_console.print(part)
    if len(failed):
        raise _fail(f"{len(failed)} of {len(result.table)} ranges could not be solved; nothing written", NO_PLAN)
    if out is not None:
        try:
            result.write(out)
        except OSError as e:
            raise _fail(f"--out {out}: {e.strerror or e}", 1) from None
        if not quiet:
            out_console.print(f"wrote the cheapest plan, ranges.json, ranges.csv and {2 * len(result.table)} "
                              f"extreme plans (plans/) to {out}", style="dim")


def _report_ranges(folder: Path, eps: float) -> None:
    """``report --ranges EPS``: the folder's instance re-solved, its ranges written beside the plan."""
    import optimizer
    from optimizer.analysis.ranges import near_optimal

    solution = optimizer.Solution.read(folder)
    if not solution.has_plan or solution.inputs is None:
        return
    try:
        result = near_optimal(solution.inputs, eps)
    except optimizer.InstanceError as e:
        raise _fail(e.message, 2) from None
    if result.has_plan:
        result.write(folder, optimum=False)


if __name__ == "__main__":
    app()
