"""What every command shares at the boundary between the user and the library: one-line
errors with their exit codes (``errors.ExitCode``), loading a case, the checks only this machine
can make, and the output directory.

Every user error (bad YAML, bad field, occupied output directory) is one line on stderr and
exit code 2, with nothing written; an unexpected exception is one line and exit 1, its
traceback in a file; a full disk is one line and exit 1.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
import tempfile
import traceback
from pathlib import Path
from typing import NoReturn, Optional, Sequence

import typer

from nanoglue.errors import CaseError, ExitCode
from nanoglue.parallel import COMM, barrier, is_root

DISK_FULL = (errno.ENOSPC, errno.EDQUOT)

CASE_ARGUMENT = typer.Argument(..., help="Case file (YAML).", show_default=False)
OUTPUT_OPTION = typer.Option(
    None, "--output", "-o", help="Output directory (default: output.directory or results/<name>)."
)
SET_OPTION = typer.Option(
    [], "--set", help="key=value (dotted config key) overriding the case file; repeatable.")
ALLOW_LARGE_OPTION = typer.Option(
    False, "--allow-large", help="Go on with a mesh estimated to need more memory than this "
    "machine has (refused otherwise).")


def fail(message: str) -> NoReturn:
    """One line on stderr (from rank 0 only under mpirun), exit code 2 (user error): a line
    break or other control character the message quotes from the input is shown escaped."""
    if is_root():
        typer.echo(f"error: {one_line(message)}", err=True)
    raise typer.Exit(code=ExitCode.BAD_INPUT)


def one_line(text: str) -> str:
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def internal_error(err: Exception, directory: Optional[Path]) -> NoReturn:
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
    typer.echo(f"error: {_rank()}internal error: {type(err).__name__}: {err} ({where}; please "
               "report it)", err=True)
    _end_every_rank()


def disk_full(err: OSError, directory: Path) -> NoReturn:
    """A write refused for want of space (ENOSPC, EDQUOT): one line, exit code 1 (the machine,
    not the case), no traceback file (there is no room for one). Every file a kill leaves
    complete is complete here too (written aside and renamed: the snapshots fields.pvd lists,
    the last checkpoint); under mpirun every rank is ended, as for an internal error."""
    where = f" ({err.filename})" if err.filename else ""
    typer.echo(f"error: {_rank()}no space left for {directory}{where}: the run stopped; what "
               "was complete is kept (the snapshots fields.pvd lists, curves.csv, the last "
               "checkpoint: make room, then the same command with --resume)", err=True)
    _end_every_rank()


def _rank() -> str:
    return f"rank {COMM.rank}: " if COMM.size > 1 else ""


def _end_every_rank() -> NoReturn:
    """Exit code 1 on this rank, and under mpirun on every rank: the others may be waiting
    for this one in a collective call (MPI_Abort instead of a hang)."""
    if COMM.size > 1:
        COMM.Abort(ExitCode.INTERNAL_ERROR)
    raise typer.Exit(code=ExitCode.INTERNAL_ERROR)


def exit_as(code: int, message: str) -> None:
    """Exit with ``code`` unless 0, with ``message`` as one line on stderr (rank 0)."""
    if code == ExitCode.COMPLETED:
        return
    if is_root():
        typer.echo(message, err=True)
    raise typer.Exit(code=code)


def load_case_or_exit(case_path: Path, settings: Sequence[str] = ()):
    """The validated case of ``case_path`` with the ``--set key=value`` overrides applied."""
    from nanoglue.case_file import load_case
    from nanoglue.sweep import parse_overrides

    try:
        return load_case(case_path, parse_overrides(settings))
    except CaseError as err:
        if err.path == str(case_path):
            fail(f"{err.path}: {err.reason}")
        fail(f"{case_path}: {err}")
    except Exception as err:  # noqa: BLE001 - a bug in loading is no bad input
        internal_error(err, None)


def check_machine(case, case_path: Path, allow_large: bool):
    """What only this machine can say about a valid case, before anything is written: PETSc
    builds a solver from its options (``fem.linear.refused_options``), and its mesh fits
    (``budget.check_size``; returns the estimate). Exit 2 naming the field otherwise."""
    from nanoglue.budget import check_size
    from nanoglue.fem.linear import refused_options

    refused = refused_options(case.solver.petsc_options)
    if refused is not None:
        key, reason = refused
        fail(f"{case_path}: solver.petsc_options{'.' + key if key else ''}: {reason}")
    try:
        return check_size(case, allow_large)
    except CaseError as err:
        fail(f"{case_path}: {err}")


def output_directory(case, output: Optional[Path], overwrite: bool, resume: bool = False) -> Path:
    """The directory to write into; refuses a non-empty one unless ``overwrite`` or ``resume``
    (which needs one)."""
    directory = output or Path(case.output.directory or Path("results") / case.name)
    if directory.exists() and not directory.is_dir():
        fail(f"output {directory} exists and is not a directory")
    if resume and overwrite:
        fail("--resume goes on with the run in the output directory, --overwrite replaces it: "
              "give one of them")
    if resume and not directory.is_dir():
        fail(f"--resume: no run in {directory}")
    if directory.is_dir() and any(directory.iterdir()) and not (overwrite or resume):
        fail(f"output directory {directory} is not empty (use --overwrite to replace its files)")
    barrier()  # every rank has looked before rank 0 writes anything
    return directory


class _ClosedPipeSafe:
    """stdout whose reader may go away (``nanoglue run ... | head``): the first write that
    finds the pipe closed points file descriptor 1 at /dev/null, and the run goes on writing
    its files; nothing is raised, nothing printed at exit."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._to_null()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._to_null()

    def _to_null(self) -> None:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, self._stream.fileno())
        os.close(null)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def survive_a_closed_stdout() -> None:
    """A reader that closes our stdout early ends nothing: SIGPIPE is ignored (PETSc, once
    initialised, would abort the run on it: "Caught signal number 13 Broken Pipe") and Python's
    stdout drops what it can no longer write (``_ClosedPipeSafe``)."""
    from petsc4py import PETSc  # noqa: F401 - initialising PETSc installs its signal handlers

    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    if not isinstance(sys.stdout, _ClosedPipeSafe):
        sys.stdout = _ClosedPipeSafe(sys.stdout)
