"""3-D mechanics in parallel: run by `make test-mpi` under `mpirun -n 2` (marked `mpi`).

The core–shell misfit on the octant (``tests.verification.test_mechanics_3d``) on a distributed
10-node tetrahedral mesh: the shell stresses near ρ = a and ρ = b and the core pressure match
Lamé within the serial test's 1 % of max|σ| (measured on 2 ranks: the serial errors to three
digits, ≤ 0.57 %), in one Newton iteration; 12–17 s wall on 2 ranks.
"""

import pytest
from mpi4py import MPI

from tests.verification.test_mechanics_3d import octant_lame_errors

pytestmark = pytest.mark.mpi


def test_distributed_octant_core_shell():
    assert MPI.COMM_WORLD.size >= 2, "run me under mpirun -n 2"
    errors, _ = octant_lame_errors(MPI.COMM_WORLD)
    assert max(errors.values()) < 0.01, errors
