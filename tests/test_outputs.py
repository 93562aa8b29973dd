"""Output plumbing: snapshots readable by ParaView's readers, cell averages exact, curves round-trip."""

import numpy as np
import pytest
import ufl
from dolfinx import fem

from nanoglue.fem import compat
from nanoglue.output.curves import CurveWriter, read_curves
from nanoglue.output.snapshots import Block, CellAverage, SnapshotSeries
from tests.two_squares import two_squares_mesh


@pytest.fixture(scope="module")
def mesh():
    return two_squares_mesh(size=0.25)[0]


def test_cell_average_of_a_linear_field_is_its_centroid_value(mesh):
    """For f = x, the cell mean is the x of the centroid: exact for every cell."""
    q_space = compat.quadrature_space(mesh, 2)
    q = fem.Function(q_space)
    x = ufl.SpatialCoordinate(mesh)
    compat.interpolate_expression(q, compat.expression(x[0], q_space))
    dxq = ufl.Measure("dx", domain=mesh, metadata={"quadrature_degree": 2, "quadrature_scheme": "default"})
    mean = CellAverage(q, fem.Function(compat.dg_space(mesh, 0)), dxq).update()
    centroid = fem.Function(compat.dg_space(mesh, 0))
    compat.interpolate_expression(centroid, compat.expression(x[0], centroid.function_space))
    assert np.allclose(mean.x.array, centroid.x.array, atol=1e-12)


def test_snapshots_open_as_a_series_with_one_block_per_region_and_its_own_fields(tmp_path):
    """fields.pvd lists every snapshot (time = expansion travelled: 0, 10, then 10 + |5 − 10|),
    each a multiblock with the two regions by name; each block carries its own u, so the
    shared edge x = 1 shows the jump between the two fields (the gap ParaView must see),
    cell data and the X/t field data; read back with VTK's own readers (pyvista)."""
    import pyvista

    from tests.two_squares import LEFT, RIGHT

    mesh, cells, _ = two_squares_mesh(size=0.25)
    x = ufl.SpatialCoordinate(mesh)
    shift = fem.Constant(mesh, 0.0)
    u_left, u_right = ufl.as_vector((x[0], shift * x[1])), ufl.as_vector((x[0] + shift, x[1]))
    dg0 = fem.Function(compat.dg_space(mesh, 0))
    compat.interpolate_expression(dg0, compat.expression(x[0], dg0.function_space))
    owned = mesh.topology.index_map(mesh.topology.dim).size_local
    blocks = [Block(name, cells.indices[(cells.values == tag) & (cells.indices < owned)],
                    {"u_nm": u}, {"x_mean": dg0})
              for name, tag, u in (("left", LEFT, u_left), ("right", RIGHT, u_right))]
    series = SnapshotSeries(tmp_path, mesh, blocks)
    for expansion, gap in ((0.0, 0.0), (10.0, 0.5), (5.0, 1.0)):
        shift.value = gap
        series.write(expansion, 100.0 * expansion)
    reader = pyvista.get_reader(str(tmp_path / "fields.pvd"))
    assert reader.time_values == [0.0, 10.0, 15.0]
    reader.set_active_time_value(15.0)
    snapshot = reader.read()[0]
    assert list(snapshot.keys()) == ["left", "right"]
    left, right = snapshot["left"][0], snapshot["right"][0]  # rank 0's piece: serial
    assert left.field_data["expansion_percent"][0] == 5.0 and left.field_data["time_s"][0] == 500.0
    on_edge = np.isclose(left.points[:, 0], 1.0)
    assert on_edge.sum() >= 2 and np.allclose(left.point_data["u_nm"][on_edge, 0], 1.0)
    on_edge = np.isclose(right.points[:, 0], 1.0)
    assert np.allclose(right.point_data["u_nm"][on_edge], np.column_stack(
        [np.full(on_edge.sum(), 2.0), right.points[on_edge, 1], np.zeros(on_edge.sum())]))
    centres = left.cell_centers().points[:, 0]
    assert np.allclose(left.cell_data["x_mean"], centres, atol=1e-12)
    assert left.n_cells + right.n_cells == cells.indices.size


def test_curves_round_trip_to_full_precision(tmp_path):
    writer = CurveWriter(tmp_path / "curves.csv", ["time_s", "expansion_percent"])
    writer.write({"time_s": 1.0 / 3.0, "expansion_percent": 2.0})
    writer.close()
    table = read_curves(tmp_path / "curves.csv")
    assert table["time_s"] == [1.0 / 3.0]
