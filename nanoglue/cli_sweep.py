"""``nanoglue sweep``: run a grid of points (``sweep CASE --set ...``: in local worker processes,
or as a SLURM job array), and look at a sweep directory (``sweep status DIR``, ``sweep collect
DIR``). ``sweep CASE ...`` is ``sweep run CASE ...``: the group runs its ``run`` command when
the first argument names no other."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from typer.core import TyperGroup

from nanoglue.cli_support import (ALLOW_LARGE_OPTION, CASE_ARGUMENT, check_machine, exit_as,
                                  fail, output_directory)
from nanoglue.errors import CaseError
from nanoglue.sweep_outputs import FINISHED
from nanoglue.parallel import COMM


class _RunByDefault(TyperGroup):
    """``sweep CASE ...`` → ``sweep run CASE ...``."""

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]  # options may come before CASE too, as for any command
        return super().parse_args(ctx, args)


sweep_app = typer.Typer(
    cls=_RunByDefault, no_args_is_help=True, rich_markup_mode="markdown",
    help="Run a case over a grid of config values (`sweep CASE --set ...`, the same as `sweep "
    "run CASE ...`), or look at a sweep directory (`sweep status DIR`, `sweep collect DIR`).",
    epilog="Examples: `nanoglue sweep configs/paper-coated-6nm.yaml --set "
    "geometry.coating.thickness=5,10,20,40 -o results/thickness` · `nanoglue sweep status "
    "results/thickness` · `nanoglue sweep collect results/thickness`")


class Scheduler(str, Enum):
    local = "local"
    slurm = "slurm"


class Launcher(str, Enum):
    srun = "srun"
    mpirun = "mpirun"


DIRECTORY_ARGUMENT = typer.Argument(..., help="A sweep's output directory.", show_default=False)


@sweep_app.command(
    "run",
    epilog="Examples: `nanoglue sweep configs/paper-coated-6nm.yaml "
    "--set geometry.coating.thickness=5,10,20,40 -o results/thickness --workers 2` · "
    "`nanoglue sweep configs/paper-coated-6nm.yaml --set geometry.coating.thickness=5,10 "
    "-o results/thickness --scheduler slurm --ranks-per-point 8 --time 04:00:00 --submit`")
def run(
    case_path: Path = CASE_ARGUMENT,
    settings: list[str] = typer.Option(
        ..., "--set", help="key=value1,value2,... (dotted config key); several --set give a grid."
    ),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="Output directory (default: results/CASE-sweep, CASE the "
        "file name without .yaml)."),
    workers: Optional[int] = typer.Option(
        None, "--workers", min=1, help="Local worker processes (default: one per point, at "
        "most one per core)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Write into a non-empty directory."),
    resume: bool = typer.Option(
        False, "--resume", help="Go on with the sweep in the output directory: finished points "
        "are kept, points with a checkpoint go on from it, the others run again (slurm: "
        "re-submitted)."),
    allow_large: bool = ALLOW_LARGE_OPTION,
    scheduler: Scheduler = typer.Option(
        Scheduler.local, "--scheduler", help="local: worker processes here; slurm: one job "
        "array, a task per point (docs/cluster.md)."),
    ranks: int = typer.Option(1, "--ranks-per-point", min=1,
                              help="slurm: MPI ranks of each point's run."),
    time_limit: Optional[str] = typer.Option(
        None, "--time", help="slurm: time limit of each task, HH:MM:SS (a point stopped by it "
        "checkpoints and requeues itself)."),
    partition: Optional[str] = typer.Option(None, "--partition", help="slurm: partition."),
    account: Optional[str] = typer.Option(None, "--account", help="slurm: account."),
    launcher: Launcher = typer.Option(
        Launcher.srun, "--launcher", help="slurm: how a task starts its ranks (srun, or mpirun "
        "where the site's MPI needs it)."),
    submit: bool = typer.Option(False, "--submit", help="slurm: sbatch the script (else it is "
                                "written for you to inspect and submit)."),
) -> None:
    """Run a case over a grid of config values; write each point into OUT/<key=value>/, then
    sweep.csv, sweep.md and sweep_debonding.png. Exit code: the most severe of the points'
    `run` codes (README, "Exit codes"); with the SLURM scheduler 0 once the job is written or
    submitted (`sweep status`, `sweep collect` follow it)."""
    from nanoglue import sweep as sweeping

    if COMM.size > 1:
        fail("sweep runs its points in worker processes or batch jobs; start it without mpirun")
    if time_limit is not None and not _is_time_limit(time_limit):
        fail(f"--time: {time_limit!r} is not HH:MM:SS (or D-HH:MM:SS)")
    try:
        points = sweeping.expand_grid(case_path, sweeping.parse_sets(settings))
    except CaseError as err:
        fail(str(err))
    for point in points:  # each point as the run its worker or task makes
        check_machine(point.case, case_path, allow_large)
    default = Path("results") / f"{case_path.stem}-sweep"
    directory = output_directory(points[0].case, output or default, overwrite, resume)
    title = f"Sweep of {case_path.name}"
    if scheduler is Scheduler.slurm:
        _slurm(points, directory, title, ranks, time_limit, partition, account, launcher, submit)
        return
    count = workers or sweeping.default_workers(len(points))
    typer.echo(f"{len(points)} points on {count} worker processes → {directory}/")

    def done(result) -> None:
        typer.echo(f"{result.point.slug}: {result.status} in {result.wall_seconds:.1f} s"
                   + (f" ({result.message})" if result.message else ""))

    results = sweeping.run_sweep(points, directory, count, title, done, resume)
    typer.echo(f"wrote {directory / 'sweep.csv'}, sweep.md, sweep_debonding.png")
    failures = sweeping.failed(results)
    exit_as(sweeping.exit_code_of(results),
            f"error: {len(failures)} of {len(results)} points did not complete "
            f"({', '.join(sorted({result.status for result in failures}))}; see sweep.md and "
            "their run.log)")


def _slurm(points, directory: Path, title: str, ranks: int, time_limit, partition, account,
           launcher: Launcher, submit: bool) -> None:
    from nanoglue import batch

    options = batch.SlurmOptions(ranks, time_limit, partition, account, launcher.value)
    script = batch.prepare(points, directory, title, options)
    if script is None:
        typer.echo(f"every point of {directory} has finished: nothing to submit "
                   f"(`nanoglue sweep collect {directory}`)")
        return
    if not submit:
        typer.echo(f"wrote {script} ({len(points)} points, {ranks} rank(s) each): inspect it, "
                   f"then `sbatch {script}`")
        return
    try:
        job = batch.submit(script, directory)
    except CaseError as err:
        fail(str(err))
    typer.echo(f"submitted job {job} ({script}); follow it with `nanoglue sweep status "
               f"{directory}`, tabulate with `nanoglue sweep collect {directory}`")


def _is_time_limit(text: str) -> bool:
    days, _, clock = text.rpartition("-")
    parts = clock.split(":")
    return (days == "" or days.isdigit()) and 1 <= len(parts) <= 3 and all(
        part.isdigit() for part in parts)


@sweep_app.command("status", epilog="Example: `nanoglue sweep status results/thickness`")
def status(directory: Path = DIRECTORY_ARGUMENT) -> None:
    """Each point of a sweep: done, running, pending, interrupted or failed, from its directory
    and (a submitted SLURM sweep) squeue."""
    from nanoglue import batch

    try:
        states = batch.point_states(directory)
    except CaseError as err:
        fail(str(err))
    width = max(len(slug) for slug, _, _ in states)
    for slug, state, detail in states:
        typer.echo(f"{slug:<{width}}  {state:<11}  {detail}")
    counts = {}
    for _, state, _ in states:
        counts[state] = counts.get(state, 0) + 1
    typer.echo(", ".join(f"{count} {state}" for state, count in counts.items()))


@sweep_app.command("collect", epilog="Example: `nanoglue sweep collect results/thickness`")
def collect(directory: Path = DIRECTORY_ARGUMENT) -> None:
    """sweep.csv, sweep.md and sweep_debonding.png of a sweep from whatever has finished (the
    others are rows saying how they stand)."""
    from nanoglue import batch

    try:
        results = batch.collect(directory)
    except CaseError as err:
        fail(str(err))
    done = sum(result.status in FINISHED for result in results)
    typer.echo(f"{done} of {len(results)} points finished; wrote {directory / 'sweep.csv'}, "
               "sweep.md, sweep_debonding.png")
