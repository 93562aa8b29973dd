"""How a command ends: errors a user can fix (exit 2), and the exit code of every outcome.

The exit codes are the README's "Exit codes" table; it is defined here once, for ``run`` (the
status of its summary.json) and for ``sweep`` (the status of each point, then the most severe).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Iterable, Optional


class CaseError(Exception):
    """Invalid case input, located by a dotted field path (``geometry.coating.thickness``).

    Deliberately not a ValueError, so pydantic passes it through validators unchanged and the
    path stays the one given here, relative to the whole case.
    """

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}" if path else reason)


class ExitCode(IntEnum):
    """The process exit codes. A signal gives the shell's 128 + signal number."""

    COMPLETED = 0  # the schedule ran to its end, or the particle came off ("detached")
    INTERNAL_ERROR = 1  # an unexpected exception (a bug, or the machine: memory, disk)
    BAD_INPUT = 2  # the case, an option or the output directory is refused, nothing run
    STOPPED = 3  # the solver could not go on (step below solver.min_step_percent)
    SIGINT = 130  # interrupted by SIGINT (Ctrl-C): outputs closed, summary "interrupted"
    SIGUSR1 = 138  # interrupted by SIGUSR1 (the stop Open MPI's mpirun passes on): the same
    SIGTERM = 143  # interrupted by SIGTERM (kill, a batch system's time limit): the same


STATUS_CODES = {
    "completed": ExitCode.COMPLETED,
    "detached": ExitCode.COMPLETED,
    "stopped": ExitCode.STOPPED,
    "invalid": ExitCode.BAD_INPUT,  # a sweep point whose run refused its case
    "failed": ExitCode.INTERNAL_ERROR,  # a sweep point whose run raised
    "crashed": ExitCode.INTERNAL_ERROR,  # a sweep point whose worker process died
}
"""Run status → exit code; "interrupted" depends on the signal (``exit_code``)."""

SEVERITY = (ExitCode.COMPLETED, ExitCode.STOPPED, ExitCode.BAD_INPUT, ExitCode.INTERNAL_ERROR,
            ExitCode.SIGINT, ExitCode.SIGUSR1, ExitCode.SIGTERM)
"""Least to most severe: a sweep exits with the most severe code of its points."""


def exit_code(status: str, signum: Optional[int] = None) -> ExitCode:
    """The exit code of a run that ended with ``status`` (``signum``: the signal that
    interrupted it, for status "interrupted")."""
    if status == "interrupted":
        return ExitCode(128 + signum)
    return STATUS_CODES[status]


def most_severe(codes: Iterable[ExitCode]) -> ExitCode:
    """The most severe of ``codes`` (COMPLETED for none)."""
    return max(codes, key=SEVERITY.index, default=ExitCode.COMPLETED)
