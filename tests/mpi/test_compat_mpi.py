"""Parallel plumbing: run by `make test-mpi` under `mpirun -n 2` (marked `mpi`)."""

import numpy as np
import pytest
import ufl
from dolfinx import fem
from mpi4py import MPI

from tests.two_squares import INTERFACE, LEFT, OUTER, two_squares_mesh

pytestmark = pytest.mark.mpi


def _sum(form) -> float:
    return MPI.COMM_WORLD.allreduce(fem.assemble_scalar(fem.form(form)), op=MPI.SUM)


def test_mesh_is_distributed_with_shared_facet_ghosts():
    mesh, _, _ = two_squares_mesh(size=0.1)
    cell_map = mesh.topology.index_map(mesh.topology.dim)
    comm = mesh.comm
    assert comm.size >= 2, "run me under mpirun -n 2"
    assert comm.allreduce(cell_map.size_local, op=MPI.MIN) > 0
    # shared_facet: every rank sees the cells across its partition boundary as ghosts
    assert comm.allreduce(cell_map.num_ghosts, op=MPI.MIN) > 0


def test_interface_integral_is_exact_across_partitions():
    """The interface x = 1 is cut by (or lies on) the partition boundary; ∫dS must still be 1."""
    mesh, cells, facets = two_squares_mesh(size=0.05)
    one = fem.Constant(mesh, 1.0)
    dS = ufl.Measure("dS", domain=mesh, subdomain_data=facets)
    ds = ufl.Measure("ds", domain=mesh, subdomain_data=facets)
    dx = ufl.Measure("dx", domain=mesh, subdomain_data=cells)
    assert _sum(one("+") * dS(INTERFACE)) == pytest.approx(1.0, rel=1e-12)
    assert _sum(one * ds(OUTER)) == pytest.approx(6.0, rel=1e-12)
    assert _sum(one * dx(LEFT)) == pytest.approx(1.0, rel=1e-12)
    # a jump of a region indicator across the interface is seen from both sides
    x = ufl.SpatialCoordinate(mesh)
    assert _sum(abs(ufl.jump(x[0])) * dS(INTERFACE)) == pytest.approx(0.0, abs=1e-12)
    assert np.isfinite(_sum(x[0]("+") * dS(INTERFACE)))
