"""The ``nanoglue`` command line: parse, call the library, report. No physics lives here.

Every user error (bad YAML, bad field, occupied output directory) is one line on stderr and
exit code 2, with nothing written.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

import typer

from nanoglue.errors import CaseError
from nanoglue.parallel import barrier

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


def _fail(message: str) -> None:
    """One line on stderr (from rank 0 only under mpirun), exit code 2 (user error)."""
    from nanoglue.parallel import is_root

    if is_root():
        typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


def _load(case_path: Path):
    from nanoglue.case_file import load_case

    try:
        return load_case(case_path)
    except CaseError as err:
        if err.path == str(case_path):
            _fail(f"{err.path}: {err.reason}")
        _fail(f"{case_path}: {err}")


def _output_directory(case, output: Optional[Path], overwrite: bool) -> Path:
    """The directory to write into; refuses a non-empty one unless ``overwrite``."""
    directory = output or Path(case.output.directory or Path("results") / case.name)
    if directory.exists() and not directory.is_dir():
        _fail(f"output {directory} exists and is not a directory")
    if directory.is_dir() and any(directory.iterdir()) and not overwrite:
        _fail(f"output directory {directory} is not empty (use --overwrite to replace its files)")
    barrier()  # every rank has looked before rank 0 writes anything
    return directory


def _version_callback(value: bool) -> None:
    if value:
        from nanoglue import __version__

        typer.echo(f"nanoglue {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", callback=_version_callback,
        is_eager=True,
    ),
) -> None:
    """Entry point; see the subcommands."""
    # FFCx's JIT build (through setuptools, which resets the root logger to INFO) would print
    # compiler command lines; a user wants the progress bar and real warnings. Filter at the
    # handler, which keeps its level whatever the logger's is set to later.
    logging.basicConfig(level=logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.WARNING)


@app.command(epilog="Example: `nanoglue validate configs/paper-coated-6nm.yaml`")
def validate(case_path: Path = CASE_ARGUMENT) -> None:
    """Check a case file and print the fully resolved case (every default filled in)."""
    from nanoglue.case_file import case_to_yaml
    from nanoglue.report import derived_quantities

    case = _load(case_path)
    typer.echo(case_to_yaml(case), nl=False)
    typer.echo("# derived:")
    for label, value in derived_quantities(case):
        typer.echo(f"#   {label}: {value}")


@app.command(epilog="Example: `nanoglue mesh configs/paper-coated-6nm.yaml -o meshes/coated-6nm`")
def mesh(
    case_path: Path = CASE_ARGUMENT,
    output: Path = typer.Option(..., "--output", "-o", help="Directory for mesh.xdmf, tags.json, mesh.png."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Write into a non-empty directory."),
) -> None:
    """Build the case's mesh and write it (XDMF with tags), tags.json and a PNG preview."""
    from nanoglue.simulation import mesh_case

    case = _load(case_path)
    directory = _output_directory(case, output, overwrite)
    mesh_case(case, directory)


@app.command(
    epilog="Examples: `nanoglue run configs/default.yaml` · "
    "`mpirun -n 4 nanoglue run configs/paper-coated-6nm.yaml -o results/coated --overwrite`"
)
def run(
    case_path: Path = CASE_ARGUMENT,
    output: Optional[Path] = OUTPUT_OPTION,
    overwrite: bool = typer.Option(False, "--overwrite", help="Write into a non-empty directory."),
) -> None:
    """Run a case: mesh, sodiate, and write snapshots, debonding curves and a summary."""
    from nanoglue.simulation import run_case

    case = _load(case_path)
    directory = _output_directory(case, output, overwrite)
    run_case(case, directory)


if __name__ == "__main__":  # pragma: no cover
    app()
