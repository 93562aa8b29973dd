"""Mechanics in parallel: run by `make test-mpi` under `mpirun -n 2` (marked `mpi`).

The core–shell misfit (Lamé) on a distributed mesh: the same core pressure and shell stresses as
the analytic solution, within the serial test's 1 % of max|σ|, and the same Newton history.
"""

import pytest
from mpi4py import MPI

from tests.verification.test_mechanics_elastic import core_shell_lame_errors

pytestmark = pytest.mark.mpi


def test_distributed_core_shell_pressure():
    assert MPI.COMM_WORLD.size >= 2, "run me under mpirun -n 2"
    errors, _, _ = core_shell_lame_errors(MPI.COMM_WORLD)
    assert max(errors.values()) < 0.01, errors
