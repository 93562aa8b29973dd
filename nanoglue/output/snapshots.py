"""Field snapshots as one XDMF time series (``fields.xdmf`` + ``.h5``) for ParaView.

XDMF holds fields on the mesh's own nodes (P1) or cells (DG0), so higher-order or
quadrature-point fields are first brought there: displacement P2 → P1 by interpolation, internal
variables (von Mises, equivalent plastic strain) → cell averages. The time of each snapshot is the
physical time [s]; ``curves.csv`` maps it to the volume expansion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import ufl
from dolfinx import fem
from dolfinx.io import XDMFFile

from nanoglue.fem import compat


class CellAverage:
    """DG0 field of cell means of a UFL expression f: f̄_K = ∫_K f dx / |K|.

    Computed as one vector assembly (the DG0 mass matrix is diagonal), with the quadrature
    measure of the internal variables, so it works for quadrature-space functions too.
    """

    def __init__(self, expression, target: fem.Function, dx_quadrature: ufl.Measure):
        v = ufl.TestFunction(target.function_space)
        self._numerator = fem.form(expression * v * dx_quadrature)
        self._volume = compat.assembled_vector(fem.form(v * ufl.dx(domain=target.function_space.mesh)))
        self.target = target

    def update(self) -> fem.Function:
        vector = compat.assembled_vector(self._numerator)
        vector.pointwiseDivide(vector, self._volume)
        self.target.x.array[: vector.getLocalSize()] = vector.array
        self.target.x.scatter_forward()
        vector.destroy()
        return self.target


class SnapshotWriter:
    """Write named P1/DG0 functions of one mesh at successive times into one XDMF file."""

    def __init__(self, path: Path, mesh, fields: Mapping[str, fem.Function]):
        self.fields = dict(fields)
        for name, function in self.fields.items():
            function.name = name
        self._file = XDMFFile(mesh.comm, str(path), "w")
        self._file.write_mesh(mesh)

    def write(self, time: float) -> None:
        for function in self.fields.values():
            self._file.write_function(function, time)

    def close(self) -> None:
        self._file.close()
