"""Transport in parallel: run by `make test-mpi` under `mpirun -n 2` (marked `mpi`).

Each rank also solves the same problem alone (COMM_SELF, the same Gmsh mesh), so the distributed
numbers are compared with serial ones computed inside the test.
"""

import numpy as np
import pytest
import ufl
from mpi4py import MPI

from nanoglue.config import ConstantDiffusivity, TwoStageDiffusivity
from nanoglue.problems.transport import Transport
from tests.half_disk import EQUATOR, SURFACE, UPPER, half_disk_mesh, vertex_value

pytestmark = pytest.mark.mpi

TWO_STAGE = TwoStageDiffusivity(low=0.02, high=6.0, plateau=0.5 / 3.75, width=0.015)


def _sphere_run(comm):
    """Constant D = 1, j = 1 on the whole sphere (R = 1), 10 steps of Δτ = 0.01."""
    mesh, _, facets = half_disk_mesh(size=0.05, comm=comm)
    ds = ufl.Measure("ds", domain=mesh, subdomain_data=facets)
    transport = Transport(mesh, ufl.dx(domain=mesh), ds(SURFACE), ConstantDiffusivity(value=1.0))
    for _ in range(10):
        transport.step(0.01, 1.0)
    return transport.total_sodium(), vertex_value(transport.c, (0.0, 0.0))


def test_distributed_sphere_equals_serial():
    assert MPI.COMM_WORLD.size >= 2, "run me under mpirun -n 2"
    total, centre = _sphere_run(MPI.COMM_WORLD)
    serial_total, serial_centre = _sphere_run(MPI.COMM_SELF)
    assert total == pytest.approx(serial_total, rel=1e-12)
    assert centre == pytest.approx(serial_centre, rel=1e-9)
    assert total == pytest.approx(4.0 * np.pi * 0.1, rel=1e-3)  # j·4πR²·t, polygonal surface


def test_interior_entry_conserves_across_partitions():
    """Two-stage D in the upper quarter disk, Na entering through the equator (dS, cut by the
    partition): N = πR²·j·t exactly, every step."""
    mesh, cells, facets = half_disk_mesh(size=0.05)
    dx = ufl.Measure("dx", domain=mesh, subdomain_data=cells)
    dS = ufl.Measure("dS", domain=mesh, subdomain_data=facets)
    transport = Transport(mesh, dx(UPPER), dS(EQUATOR), TWO_STAGE, entry_restriction="+")
    for n in range(1, 11):
        info = transport.step(0.005, 1.0)
        assert transport.total_sodium() == pytest.approx(np.pi * 0.005 * n, rel=1e-10)
        assert info.c_min >= -1e-8
