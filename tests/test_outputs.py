"""Output plumbing: snapshots readable as XDMF, cell averages exact, curves round-trip."""

import xml.etree.ElementTree as ET

import numpy as np
import pytest
import ufl
from dolfinx import fem

from nanoglue.fem import compat
from nanoglue.output.curves import CurveWriter, read_curves
from nanoglue.output.snapshots import CellAverage, SnapshotWriter
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


def test_snapshots_form_a_time_series(mesh, tmp_path):
    c = fem.Function(compat.lagrange_space(mesh, 1))
    u = fem.Function(compat.lagrange_space(mesh, 1, (2,)))
    region = fem.Function(compat.dg_space(mesh, 0))
    writer = SnapshotWriter(tmp_path / "fields.xdmf", mesh, {"c": c, "u": u, "region": region})
    for time in (0.0, 10.0, 20.0):
        c.x.array[:] = time
        writer.write(time)
    writer.close()
    tree = ET.parse(tmp_path / "fields.xdmf")
    times = {float(t.get("Value")) for t in tree.iter("Time")}
    names = {a.get("Name") for a in tree.iter("Attribute")}
    assert times == {0.0, 10.0, 20.0}
    assert {"c", "u", "region"} <= names


def test_curves_round_trip_to_full_precision(tmp_path):
    writer = CurveWriter(tmp_path / "curves.csv", ["time_s", "expansion_percent"])
    writer.write({"time_s": 1.0 / 3.0, "expansion_percent": 2.0})
    writer.close()
    table = read_curves(tmp_path / "curves.csv")
    assert table["time_s"] == [1.0 / 3.0]
