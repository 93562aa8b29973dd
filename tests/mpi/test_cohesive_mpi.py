"""Cohesive interface on a distributed mesh: run by `make test-mpi` under `mpirun -n 2` and `-n 3`.

The two-block mode-I problem of tests/verification/test_cohesive_energy.py (bilinear law); the
mesh comes from compat.mesh_from_gmsh (shared_facet ghosts), so the interface x = 10 nm lies on
or through the partition boundary. The dissipated energy must match the serial analytic Gc·L.
"""

import pytest
from mpi4py import MPI

from nanoglue.config import CohesiveLaw
from tests.verification.cohesive_blocks import SIDE, Blocks, path

pytestmark = pytest.mark.mpi


def test_mode_one_dissipation_on_ranks_is_toughness_times_length():
    assert MPI.COMM_WORLD.size >= 2, "run me under mpirun -n 2"
    law = CohesiveLaw(law="bilinear", toughness=0.5, strength=1.0, stiffness=100.0)
    blocks = Blocks(law)
    record = blocks.run(path((0.3, 0.005), (1.3, 0.02)))
    dissipated = record.external_work() - blocks.stored_energy()
    assert dissipated / (0.5 * SIDE) == pytest.approx(1.0, rel=0.03)
    assert max(record.P) / SIDE == pytest.approx(1.0, rel=0.02)
