"""The ``nanoglue`` command line: parse, call the library, report. No physics lives here.

Every user error (bad YAML, bad field, occupied output directory) is one line on stderr and
exit code 2, with nothing written (``cli_support``). ``run`` and ``sweep`` exit with the code of how the run (the
worst point) ended — ``errors.ExitCode``, the README's "Exit codes" table: 3 stopped by the
solver, 130 / 138 / 143 interrupted by SIGINT / SIGUSR1 / SIGTERM, each with its message on stderr; an
unexpected exception is one line and exit 1, its traceback in OUT/traceback.txt.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import Optional

import typer

from nanoglue.cli_support import (ALLOW_LARGE_OPTION, CASE_ARGUMENT, DISK_FULL, OUTPUT_OPTION,
                                  SET_OPTION, survive_a_closed_stdout,
                                  check_machine, disk_full, exit_as, fail, internal_error,
                                  load_case_or_exit, output_directory)
from nanoglue.cli_sweep import sweep_app
from nanoglue.errors import CaseError
from nanoglue.parallel import COMM, is_root

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
    survive_a_closed_stdout()
    # FFCx's JIT build (through setuptools, which resets the root logger to INFO) would print
    # compiler command lines; a user wants the progress bar and real warnings. Filter at the
    # handler, which keeps its level whatever the logger's is set to later.
    logging.basicConfig(level=logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.WARNING)


@app.command(epilog="Example: `nanoglue validate configs/paper-coated-6nm.yaml`")
def validate(case_path: Path = CASE_ARGUMENT, settings: list[str] = SET_OPTION,
             allow_large: bool = ALLOW_LARGE_OPTION,
             explain: bool = typer.Option(False, "--explain", help="Every field with its value, "
                                          "unit and description instead of the YAML.")) -> None:
    """Check a case file and print the fully resolved case (every default filled in), with
    the mesh size and memory estimated before meshing."""
    from nanoglue.budget import memory_needed
    from nanoglue.case_file import case_to_yaml, explain_case
    from nanoglue.report import derived_quantities

    case = load_case_or_exit(case_path, settings)
    estimate = check_machine(case, case_path, allow_large)
    if explain:
        rows = explain_case(case)
        width = max(len(path) for path, _, _ in rows)
        for path, value, description in rows:
            typer.echo(f"{path:<{width}}  {value:<12}  {description}")
    else:
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
    settings: list[str] = SET_OPTION,
    allow_large: bool = ALLOW_LARGE_OPTION,
) -> None:
    """Build the case's mesh and write it (XDMF with tags), tags.json and a PNG preview."""
    from nanoglue.simulation import mesh_case

    case = load_case_or_exit(case_path, settings)
    check_machine(case, case_path, allow_large)
    directory = output_directory(case, output, overwrite)
    try:
        mesh_case(case, directory)
    except CaseError as err:  # geometry.mesh.file does not fit the case: found before writing
        fail(f"{case_path}: {err}")


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
        "directory (same case and --set; any number of MPI ranks)."),
    allow_large: bool = ALLOW_LARGE_OPTION,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also print how onset and "
                                 "complete are defined (the note summary.json keeps)."),
) -> None:
    """Run a case: mesh, sodiate, and write snapshots, debonding curves and a summary. Exit
    code 0 completed or detached, 1 internal error, 2 bad input, 3 stopped by the solver,
    130 / 138 / 143 interrupted by SIGINT / SIGUSR1 / SIGTERM (README, "Exit codes")."""
    from nanoglue.simulation import run_case

    from nanoglue.run_directory import clear_previous_run, locked

    case = load_case_or_exit(case_path, settings)
    check_machine(case, case_path, allow_large)
    directory = output_directory(case, output, overwrite, resume)
    try:
        with locked(directory):
            if overwrite:
                clear_previous_run(directory, case_path)
            summary = run_case(case, directory, resume, case_path)
    except CaseError as err:  # found before anything is written (the mesh file, the model)
        fail(f"{case_path}: {err}")
    except OSError as err:
        if err.errno not in DISK_FULL:
            internal_error(err, directory)
        disk_full(err, directory)
    except Exception as err:  # noqa: BLE001 - the boundary where a bug becomes exit 1
        internal_error(err, directory)
    if verbose and is_root():
        typer.echo(summary["note"])
    exit_as(summary["exit_code"], summary["message"])


@app.command(epilog="Example: `nanoglue report results/paper-* -o results/report`")
def report(
    run_dirs: list[Path] = typer.Argument(..., help="Run directories (written by nanoglue run), or sweep directories (their points).",
                                          show_default=False),
    output: Path = typer.Option(Path("results/report"), "--output", "-o",
                                help="Directory for report.md and its PNGs."),
) -> None:
    """Compare runs with the paper's table (each row in or out of its band) and plot their
    debonding and the coating stress through its thickness (S11d)."""
    from nanoglue.report_writer import write_report
    from nanoglue.sweep_outputs import run_directories

    try:
        text = write_report(run_directories(run_dirs), output)
    except CaseError as err:
        fail(str(err))
    typer.echo(text, nl=False)
    typer.echo(f"wrote {output / 'report.md'}")

@app.command(epilog="Example: `nanoglue animate results/paper-bare-interface`")
def animate(
    run_dir: Path = typer.Argument(..., help="A run directory (written by nanoglue run).",
                                   show_default=False),
    output: Optional[Path] = typer.Option(None, "--output", "-o",
                                          help="The movie (.gif); default RUN_DIR/movie.gif."),
    fps: float = typer.Option(6.0, min=0.5, max=50.0, help="Frames (snapshots) per second."),
    warp: float = typer.Option(1.0, min=0.0, max=1e3,
                               help="Displacement scale: 1 true scale, 0 the undeformed mesh."),
) -> None:
    """A movie of a run (like the paper's Movies M8-M11): one frame per snapshot, the regions
    on their deformed meshes, the particle coloured by its Na concentration, the interfaces
    bonded (black) or debonded (red), the volume expansion on screen."""
    from nanoglue.output.movie import write_movie
    from nanoglue.output.render import offscreen_rendering_available

    path = output if output is not None else run_dir / "movie.gif"
    if path.suffix.lower() != ".gif":
        fail(f"--output {path}: the movie is an animated GIF (name it .gif)")
    if not path.parent.is_dir():
        fail(f"--output {path}: no directory {path.parent}")
    if not offscreen_rendering_available():
        fail("animate renders with VTK: it needs a display, or EGL (libegl1) or OSMesa")
    title = run_dir.resolve().name
    try:
        frames = write_movie(run_dir, path, warp=warp, fps=fps, title=title)
    except CaseError as err:
        fail(str(err))
    except Exception as err:  # noqa: BLE001 - one line, the traceback in a file
        internal_error(err, None)
    typer.echo(f"wrote {path}: {frames} frames at {fps:g} per second")


app.add_typer(sweep_app, name="sweep")

if __name__ == "__main__":  # pragma: no cover
    app()
