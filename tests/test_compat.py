"""The version shims give the same objects and numbers on every supported DOLFINx."""

import dolfinx.mesh
import numpy as np
import pytest
import ufl
from dolfinx import fem
from mpi4py import MPI

from nanoglue.fem import compat
from tests.two_squares import INTERFACE, LEFT, OUTER, RIGHT, two_squares_mesh


@pytest.fixture(scope="module")
def squares():
    return two_squares_mesh(size=0.25)


def _integral(form) -> float:
    return MPI.COMM_WORLD.allreduce(fem.assemble_scalar(fem.form(form)), op=MPI.SUM)


def test_version_is_supported():
    assert compat.DOLFINX_VERSION in {(0, 5), (0, 9), (0, 11)}


def test_tags_measure_the_exact_areas_and_lengths(squares):
    mesh, cells, facets = squares
    dx = ufl.Measure("dx", domain=mesh, subdomain_data=cells)
    ds = ufl.Measure("ds", domain=mesh, subdomain_data=facets)
    dS = ufl.Measure("dS", domain=mesh, subdomain_data=facets)
    one = fem.Constant(mesh, 1.0)
    assert _integral(one * dx(LEFT)) == pytest.approx(1.0, rel=1e-12)
    assert _integral(one * dx(RIGHT)) == pytest.approx(1.0, rel=1e-12)
    assert _integral(one * ds(OUTER)) == pytest.approx(6.0, rel=1e-12)
    assert _integral(one("+") * dS(INTERFACE)) == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("degree", [1, 2])
def test_lagrange_space_dimensions(squares, degree):
    mesh, _, _ = squares
    scalar = compat.lagrange_space(mesh, degree)
    vector = compat.lagrange_space(mesh, degree, (2,))
    n_scalar = scalar.dofmap.index_map.size_global
    assert vector.dofmap.index_map.size_global * vector.dofmap.index_map_bs == 2 * n_scalar
    n_vertices = mesh.topology.index_map(0).size_global
    if degree == 1:
        assert n_scalar == n_vertices


def test_quadrature_space_holds_values_at_quadrature_points(squares):
    """Interpolating x[0] into a degree-2 quadrature space and integrating it gives ∫x dx."""
    mesh, _, _ = squares
    q_space = compat.quadrature_space(mesh, 2)
    q = fem.Function(q_space)
    x = ufl.SpatialCoordinate(mesh)
    compat.interpolate_expression(q, compat.expression(x[0], q_space))
    dxq = ufl.Measure("dx", domain=mesh, metadata={"quadrature_degree": 2, "quadrature_scheme": "default"})
    assert _integral(q * dxq) == pytest.approx(2.0, rel=1e-12)  # ∫ over [0,2]×[0,1] of x
    tensor_space = compat.quadrature_space(mesh, 2, (3, 3))
    assert fem.Function(tensor_space).x.array.size == 9 * q.x.array.size


def test_dg_space_region_indicator(squares):
    mesh, cells, _ = squares
    region = fem.Function(compat.dg_space(mesh, 0))
    region.x.array[cells.indices] = cells.values
    dx = ufl.Measure("dx", domain=mesh)
    assert _integral(region * dx) == pytest.approx(LEFT * 1.0 + RIGHT * 1.0, rel=1e-12)


def test_expression_evaluation_on_cells(squares):
    """One quadrature point per triangle is its centroid, so a linear expression evaluates to its
    value at the cell midpoint there; a permuted cell or point ordering would break this."""
    mesh, _, _ = squares
    q_space = compat.quadrature_space(mesh, 1)
    x = ufl.SpatialCoordinate(mesh)
    expr = compat.expression(x[0] + 10.0 * x[1], q_space)
    n_local = mesh.topology.index_map(mesh.topology.dim).size_local
    cells = np.arange(n_local, dtype=np.int32)
    values = compat.eval_expression(expr, mesh, cells)
    midpoints = dolfinx.mesh.compute_midpoints(mesh, mesh.topology.dim, cells)
    assert np.allclose(values.reshape(-1), midpoints[:, 0] + 10.0 * midpoints[:, 1], atol=1e-12)


def test_entity_size_is_longest_edge(squares):
    mesh, _, _ = squares
    tdim = mesh.topology.dim
    n_local = mesh.topology.index_map(tdim).size_local
    h = compat.entity_size(mesh, tdim, np.arange(n_local))
    assert h.shape == (n_local,)
    assert 0.0 < h.min() and h.max() <= 0.25 * 1.5


def test_vtk_grid_of_mesh_and_p2_space(squares):
    mesh, _, _ = squares
    grid = compat.vtk_grid(mesh)
    assert grid.n_cells == mesh.topology.index_map(2).size_local + mesh.topology.index_map(2).num_ghosts
    grid2 = compat.vtk_grid(compat.lagrange_space(mesh, 2))
    assert grid2.n_points > grid.n_points


def test_cell_dofs_of_a_quadrature_space_are_contiguous_per_cell(squares):
    """Quadrature dofs belong to one cell each: the map is a permutation of all local dofs."""
    mesh, _, _ = squares
    q_space = compat.quadrature_space(mesh, 2)
    dofs = compat.cell_dofs(q_space)
    n_cells = mesh.topology.index_map(2).size_local + mesh.topology.index_map(2).num_ghosts
    assert dofs.shape == (n_cells, 3)  # degree-2 rule on triangles: 3 points
    assert np.array_equal(np.sort(dofs.ravel()), np.arange(dofs.size))
