"""``python tests/fault_on_rank.py RANK KIND ARGS...``: ``nanoglue ARGS...`` whose run raises on
MPI rank RANK only, once it is stepping (the first curves row), as a bug (KIND ``bug``: a
RuntimeError) or a full disk on one node (``disk``: OSError ENOSPC) would — for tests of how the
other ranks end."""

import sys

from mpi4py import MPI

import nanoglue.coupling.run as stepping
from nanoglue.cli import app

RANK, KIND = int(sys.argv[1]), sys.argv[2]
FAULTS = {"bug": RuntimeError("an assembly went wrong (injected on one rank)"),
          "disk": OSError(28, "No space left on device (injected on one rank)")}
measure = stepping.measure_step


def faulty(problem, step, *args, **kwargs):
    if step == 2 and MPI.COMM_WORLD.rank == RANK:
        raise FAULTS[KIND]
    return measure(problem, step, *args, **kwargs)


stepping.measure_step = faulty
app(sys.argv[3:], prog_name="nanoglue")
