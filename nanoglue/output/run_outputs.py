"""Everything a run writes while it steps: curves.csv rows, the fields.xdmf series and, at the
same states, the profiles/ CSVs (``output.profiles``)."""

from __future__ import annotations

from pathlib import Path

from dolfinx import fem

from nanoglue.fem import compat
from nanoglue.output.curves import CurveWriter
from nanoglue.output.profiles import ProfileWriter
from nanoglue.output.snapshots import CellAverage, SnapshotWriter
from nanoglue.fem.regions import cell_measure
from nanoglue.materials.elastic import von_mises


class RunOutputs:
    """``row(dict)`` appends to curves.csv (columns from the first row); ``snapshot(t)`` writes
    c, u (P1; Σ χ_X u_X with one field per region), cell-mean von Mises stress and equivalent
    plastic strain, the region id and, per cohesive interface, its damage d (CG1); and with each
    snapshot the damage and coating profiles (``profiles.written``: the files so far)."""

    def __init__(self, directory: Path, problem, cell_tags, facet_tags):
        self.directory = directory
        self._curves = None
        mechanics = problem.mechanics
        mesh = mechanics.mesh
        dg0 = compat.dg_space(mesh, 0)
        dxq = cell_measure(mesh, mechanics.quadrature_degree)
        self._averages = [
            CellAverage(von_mises(mechanics.stress), fem.Function(dg0), dxq),
            CellAverage(mechanics.equivalent_plastic_strain, fem.Function(dg0), dxq),
        ]
        self._u_p1 = fem.Function(compat.lagrange_space(mesh, 1, (mesh.geometry.dim,)))
        self._u = compat.expression(mechanics.displacement_field, self._u_p1.function_space)
        region = fem.Function(dg0)
        region.x.array[cell_tags.indices] = cell_tags.values
        fields = {
            "c": problem.transport.c,
            "u": self._u_p1,
            "von_mises_GPa": self._averages[0].target,
            "plastic_strain": self._averages[1].target,
            "region": region,
        }
        for tag, name in getattr(problem, "interfaces", {}).items():
            fields[f"damage_{name}"] = mechanics.interfaces[tag].history.d  # CG1, 0 off it
        self._snapshots = SnapshotWriter(directory / "fields.xdmf", mesh, fields)
        self.profiles = ProfileWriter(directory / "profiles", problem, facet_tags)

    def row(self, row: dict) -> None:
        if self._curves is None:
            self._curves = CurveWriter(self.directory / "curves.csv", list(row))
        self._curves.write(row)

    def snapshot(self, time: float) -> None:
        compat.interpolate_expression(self._u_p1, self._u)
        for average in self._averages:
            average.update()
        self._snapshots.write(time)
        self.profiles.write()

    def close(self) -> None:
        if self._curves is not None:
            self._curves.close()
        self._snapshots.close()


