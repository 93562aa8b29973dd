"""The ``nanoglue`` command line: parse, call the library, report. No physics lives here.

Every user error (bad YAML, bad field, occupied output directory) is one line on stderr and
exit code 2, with nothing written. ``run`` and ``sweep`` exit with the code of how the run (the
worst point) ended — ``errors.ExitCode``, the README's "Exit codes" table: 3 stopped by the
solver, 130 / 138 / 143 interrupted by SIGINT / SIGUSR1 / SIGTERM, each with its message on stderr; an
unexpected exception is one line and exit 1, its traceback in OUT/traceback.txt.
"""

from __future__ import annotations

import errno
import logging
import os
import tempfile
import traceback
from pathlib import Path
from typing import NoReturn, Optional, Sequence

import typer

from nanoglue.errors import CaseError, ExitCode
from nanoglue.parallel import COMM, barrier, is_root

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="markdown",
    help=(
        "Chemo-mechanics of a swelling Sn nanoparticle on a carbon nanofiber, and of the ALD "
        "oxide 'nanoglue' coating that keeps it attached (Han et al., Nano Lett. 2014).\n\n"
        "Units: nm, GPa, s. Volume expansion in % of the pristine particle.\n\n"
        "Example: `nanoglue run configs/default.yaml -o results/default`"
    ),
)

CASE_ARGUMENT = typer.Argument(..., help="Case file (YAML).", show_default=False)
OUTPUT_OPTION = typer.Option(
    None, "--output", "-o", help="Output directory (default: output.directory or results/<name>)."
)
ALLOW_LARGE_OPTION = typer.Option(
    False, "--allow-large", help="Go on with a mesh estimated to need more memory than this "
    "machine has (refused otherwise).")


def _fail(message: str) -> NoReturn:
    """One line on stderr (from rank 0 only under mpirun), exit code 2 (user error): a line
    break or other control character the message quotes from the input is shown escaped."""
    if is_root():
        typer.echo(f"error: {_one_line(message)}", err=True)
    raise typer.Exit(code=ExitCode.BAD_INPUT)


def _one_line(text: str) -> str:
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _internal_error(err: Exception, directory: Optional[Path]) -> NoReturn:
    """An unexpected exception: its traceback into ``directory/traceback.txt`` (per rank under
    mpirun: traceback-rank<N>.txt; no directory yet: the temporary directory, as
    nanoglue-traceback-<pid>.txt), one line on stderr saying so, exit code 1. Where the
    directory cannot be written the traceback goes to stderr instead. Under mpirun the error
    may be this rank's alone while the others wait for it in a collective call: MPI_Abort ends
    every rank with exit code 1 instead of a hang."""
    name = "traceback.txt" if COMM.size == 1 else f"traceback-rank{COMM.rank}.txt"
    if directory is None:
        directory, name = Path(tempfile.gettempdir()), f"nanoglue-traceback-{os.getpid()}.txt"
    text = traceback.format_exc()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text, encoding="utf-8")
        where = f"traceback in {directory / name}"
    except OSError:
        typer.echo(text, err=True, nl=False)
        where = "traceback above"
    rank = f"rank {COMM.rank}: " if COMM.size > 1 else ""
    typer.echo(f"error: {rank}internal error: {type(err).__name__}: {err} ({where}; please "
               "report it)", err=True)
    if COMM.size > 1:  # the other ranks may be waiting in a collective call: end them all
        COMM.Abort(ExitCode.INTERNAL_ERROR)
    raise typer.Exit(code=ExitCode.INTERNAL_ERROR)


def _disk_full(err: OSError, directory: Path) -> NoReturn:
    """A write refused for want of space (ENOSPC, EDQUOT): one line, exit code 1 (the machine,
    not the case), no traceback file (there is no room for one). Every file a kill leaves
    complete is complete here too (written aside and renamed: the snapshots fields.pvd lists,
    the last checkpoint); under mpirun every rank is ended, as for an internal error."""
    where = f" ({err.filename})" if err.filename else ""
    typer.echo(f"error: {'rank %d: ' % COMM.rank if COMM.size > 1 else ''}no space left for "
               f"{directory}{where}: the run stopped; what was complete is kept (the snapshots "
               "fields.pvd lists, curves.csv, the last checkpoint: make room, then the same "
               "command with --resume)", err=True)
    if COMM.size > 1:
        COMM.Abort(ExitCode.INTERNAL_ERROR)
    raise typer.Exit(code=ExitCode.INTERNAL_ERROR)


def _exit_as(code: int, message: str) -> None:
    """Exit with ``code`` unless 0, with ``message`` as one line on stderr (rank 0)."""
    if code == ExitCode.COMPLETED:
        return
    if is_root():
        typer.echo(message, err=True)
    raise typer.Exit(code=code)


def _load(case_path: Path, settings: Sequence[str] = ()):
    """The validated case of ``case_path`` with the ``--set key=value`` overrides applied."""
    from nanoglue.case_file import load_case
    from nanoglue.sweep import parse_overrides

    try:
        return load_case(case_path, parse_overrides(settings))
    except CaseError as err:
        if err.path == str(case_path):
            _fail(f"{err.path}: {err.reason}")
        _fail(f"{case_path}: {err}")
    except Exception as err:  # noqa: BLE001 - a bug in loading is no bad input
        _internal_error(err, None)


def _check_machine(case, case_path: Path, allow_large: bool):
    """What only this machine can say about a valid case, before anything is written: PETSc
    builds a solver from its options (``fem.linear.refused_options``), and its mesh fits
    (``budget.check_size``; returns the estimate). Exit 2 naming the field otherwise."""
    from nanoglue.budget import check_size
    from nanoglue.fem.linear import refused_options

    refused = refused_options(case.solver.petsc_options)
    if refused is not None:
        key, reason = refused
        _fail(f"{case_path}: solver.petsc_options{'.' + key if key else ''}: {reason}")
    try:
        return check_size(case, allow_large)
    except CaseError as err:
        _fail(f"{case_path}: {err}")


def _output_directory(case, output: Optional[Path], overwrite: bool, resume: bool = False) -> Path:
    """The directory to write into; refuses a non-empty one unless ``overwrite`` or ``resume``
    (which needs one)."""
    directory = output or Path(case.output.directory or Path("results") / case.name)
    if directory.exists() and not directory.is_dir():
        _fail(f"output {directory} exists and is not a directory")
    if resume and overwrite:
        _fail("--resume goes on with the run in the output directory, --overwrite replaces it: "
              "give one of them")
    if resume and not directory.is_dir():
        _fail(f"--resume: no run in {directory}")
    if directory.is_dir() and any(directory.iterdir()) and not (overwrite or resume):
        _fail(f"output directory {directory} is not empty (use --overwrite to replace its files)")
    barrier()  # every rank has looked before rank 0 writes anything
    return directory


def _version_callback(value: bool) -> None:
    if value:
        from nanoglue.fem.versions import software_versions

        for name, version in software_versions().items():
            typer.echo(f"{name} {version}")
        raise typer.Exit()


def _writable_form_cache() -> None:
    """Point the form compiler's cache ($XDG_CACHE_HOME/fenics, ~/.cache/fenics by default) at
    a temporary directory when it cannot be written (a read-only HOME), with one line saying
    where; before DOLFINx is imported, which reads the location once."""
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        (base / "fenics").mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=base / "fenics"):
            return
    except (OSError, RuntimeError) as err:  # RuntimeError: no home directory at all
        fallback = Path(tempfile.gettempdir()) / f"nanoglue-cache-{os.getuid()}"
        fallback.mkdir(parents=True, exist_ok=True)
        os.environ["XDG_CACHE_HOME"] = str(fallback)
        if is_root():
            typer.echo(f"note: the form cache cannot be written ({type(err).__name__}); compiled "
                       f"forms go to {fallback / 'fenics'}", err=True)


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", help="Print the versions of nanoglue and of the stack under it (DOLFINx, PETSc, MPI, Gmsh, ...) and exit.", callback=_version_callback,
        is_eager=True,
    ),
) -> None:
    """Entry point; see the subcommands."""
    _writable_form_cache()
    # FFCx's JIT build (through setuptools, which resets the root logger to INFO) would print
    # compiler command lines; a user wants the progress bar and real warnings. Filter at the
    # handler, which keeps its level whatever the logger's is set to later.
    logging.basicConfig(level=logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.WARNING)


@app.command(epilog="Example: `nanoglue validate configs/paper-coated-6nm.yaml`")
def validate(case_path: Path = CASE_ARGUMENT, allow_large: bool = ALLOW_LARGE_OPTION) -> None:
    """Check a case file and print the fully resolved case (every default filled in), with
    the mesh size and memory estimated before meshing."""
    from nanoglue.budget import memory_needed
    from nanoglue.case_file import case_to_yaml
    from nanoglue.report import derived_quantities

    case = _load(case_path)
    estimate = _check_machine(case, case_path, allow_large)
    typer.echo(case_to_yaml(case), nl=False)
    typer.echo("# derived:")
    for label, value in derived_quantities(case):
        typer.echo(f"#   {label}: {value}")
    if estimate is not None:
        typer.echo(f"#   mesh (estimated before meshing): ~{estimate.cells:.2g} cells, "
                   f"~{memory_needed(case, estimate, COMM.size) / 2**30:.2g} GiB on "
                   f"{COMM.size} rank(s)")


@app.command(epilog="Example: `nanoglue mesh configs/paper-coated-6nm.yaml -o meshes/coated-6nm`")
def mesh(
    case_path: Path = CASE_ARGUMENT,
    output: Path = typer.Option(..., "--output", "-o", help="Directory for mesh.xdmf, tags.json, mesh.png."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Write into a non-empty directory."),
    allow_large: bool = ALLOW_LARGE_OPTION,
) -> None:
    """Build the case's mesh and write it (XDMF with tags), tags.json and a PNG preview."""
    from nanoglue.simulation import mesh_case

    case = _load(case_path)
    _check_machine(case, case_path, allow_large)
    directory = _output_directory(case, output, overwrite)
    try:
        mesh_case(case, directory)
    except CaseError as err:  # geometry.mesh.file does not fit the case: found before writing
        _fail(f"{case_path}: {err}")


@app.command(
    epilog="Examples: `nanoglue run configs/default.yaml` · "
    "`mpirun -n 4 nanoglue run configs/paper-coated-6nm.yaml -o results/coated --overwrite` · "
    "`nanoglue run configs/paper-bare-interface.yaml --set geometry.mesh.interface_size=1.4 "
    "-o results/bare-fine`"
)
def run(
    case_path: Path = CASE_ARGUMENT,
    output: Optional[Path] = OUTPUT_OPTION,
    overwrite: bool = typer.Option(False, "--overwrite", help="Write into a non-empty directory."),
    settings: list[str] = typer.Option(
        [], "--set", help="key=value (dotted config key) overriding the case file; repeatable. "
        "The resolved case is written to case.yaml."),
    resume: bool = typer.Option(
        False, "--resume", help="Go on from the last checkpoint of the run in the output "
        "directory (same case and --set, same MPI rank count)."),
    allow_large: bool = ALLOW_LARGE_OPTION,
) -> None:
    """Run a case: mesh, sodiate, and write snapshots, debonding curves and a summary. Exit
    code 0 completed or detached, 1 internal error, 2 bad input, 3 stopped by the solver,
    130 / 138 / 143 interrupted by SIGINT / SIGUSR1 / SIGTERM (README, "Exit codes")."""
    from nanoglue.simulation import run_case

    from nanoglue.run_directory import clear_previous_run, locked

    case = _load(case_path, settings)
    _check_machine(case, case_path, allow_large)
    directory = _output_directory(case, output, overwrite, resume)
    try:
        with locked(directory):
            if overwrite:
                clear_previous_run(directory, case_path)
            summary = run_case(case, directory, resume, case_path)
    except CaseError as err:  # found before anything is written (the mesh file, the model)
        _fail(f"{case_path}: {err}")
    except OSError as err:
        if err.errno not in (errno.ENOSPC, errno.EDQUOT):
            _internal_error(err, directory)
        _disk_full(err, directory)
    except Exception as err:  # noqa: BLE001 - the boundary where a bug becomes exit 1
        _internal_error(err, directory)
    _exit_as(summary["exit_code"], summary["message"])


@app.command(
    epilog="Example: `nanoglue sweep configs/paper-coated-6nm.yaml "
    "--set geometry.coating.thickness=5,10,20,40 -o results/thickness --workers 2`"
)
def sweep(
    case_path: Path = CASE_ARGUMENT,
    settings: list[str] = typer.Option(
        ..., "--set", help="key=value1,value2,... (dotted config key); several --set give a grid."
    ),
    output: Optional[Path] = typer.Option(
        None, "--output", "-o", help="Output directory (default: results/CASE-sweep, CASE the file name without .yaml)."
    ),
    workers: Optional[int] = typer.Option(
        None, "--workers", min=1, help="Worker processes (default: one per point, at most one per core)."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Write into a non-empty directory."),
    resume: bool = typer.Option(
        False, "--resume", help="Go on with the sweep in the output directory: finished points "
        "are kept, points with a checkpoint go on from it, the others run again."),
    allow_large: bool = ALLOW_LARGE_OPTION,
) -> None:
    """Run a case over a grid of config values in parallel worker processes; write each point
    into OUT/<key=value>/, then sweep.csv, sweep.md and sweep_debonding.png. Exit code: the
    most severe of the points' `run` codes (README, "Exit codes")."""
    from nanoglue import sweep as sweeping

    if COMM.size > 1:
        _fail("sweep runs its points in worker processes; start it without mpirun")
    try:
        points = sweeping.expand_grid(case_path, sweeping.parse_sets(settings))
    except CaseError as err:
        _fail(str(err))
    for point in points:  # each point as the serial run its worker makes
        _check_machine(point.case, case_path, allow_large)
    default = Path("results") / f"{case_path.stem}-sweep"
    directory = _output_directory(points[0].case, output or default, overwrite, resume)
    count = workers or sweeping.default_workers(len(points))
    typer.echo(f"{len(points)} points on {count} worker processes → {directory}/")

    def done(result) -> None:
        typer.echo(f"{result.point.slug}: {result.status} in {result.wall_seconds:.1f} s"
                   + (f" ({result.message})" if result.message else ""))

    results = sweeping.run_sweep(points, directory, count, f"Sweep of {case_path}", done, resume)
    typer.echo(f"wrote {directory / 'sweep.csv'}, sweep.md, sweep_debonding.png")
    failures = sweeping.failed(results)
    _exit_as(sweeping.exit_code_of(results),
             f"error: {len(failures)} of {len(results)} points did not complete "
             f"({', '.join(sorted({result.status for result in failures}))}; see sweep.md and "
             "their run.log)")


@app.command(epilog="Example: `nanoglue report results/paper-* -o results/report`")
def report(
    run_dirs: list[Path] = typer.Argument(..., help="Run directories (written by nanoglue run or sweep).",
                                          show_default=False),
    output: Path = typer.Option(Path("results/report"), "--output", "-o",
                                help="Directory for report.md and its PNGs."),
) -> None:
    """Compare runs with the paper's table (each row in or out of its band) and plot their
    debonding and the coating stress through its thickness (S11d)."""
    from nanoglue.report_writer import write_report

    try:
        text = write_report(run_dirs, output)
    except CaseError as err:
        _fail(str(err))
    typer.echo(text, nl=False)
    typer.echo(f"wrote {output / 'report.md'}")

if __name__ == "__main__":  # pragma: no cover
    app()
