"""Everything a run writes while it steps: curves.csv rows, the field snapshots (fields.pvd,
``output.snapshots``) and, at the same states, the profiles/ CSVs (``output.profiles``)."""

from __future__ import annotations

from pathlib import Path

import ufl
from dolfinx import fem

from nanoglue.fem import compat
from nanoglue.output.curves import CurveWriter
from nanoglue.output.profiles import ProfileWriter
from nanoglue.output.snapshots import Block, CellAverage, SnapshotSeries
from nanoglue.fem.regions import cell_measure
from nanoglue.geometry import tags
from nanoglue.materials.elastic import von_mises


class RunOutputs:
    """``row(dict)`` appends to curves.csv (columns from the first row); ``snapshot(X, t)``
    writes one block per region — its own displacement ``u_nm``, the concentration
    ``c_fraction_of_Na15Sn4`` in the particle, cell means of the von Mises stress and the
    equivalent plastic strain — and one per cohesive interface (``interface_fields``); with
    each snapshot the damage and coating profiles (``profiles.written``: the files so far)."""

    def __init__(self, directory: Path, problem, cell_tags, facet_tags, resume=None):
        self.directory = directory
        self._curves = None
        place, self._rows_kept = resume if resume is not None else ({}, None)
        mechanics = problem.mechanics
        mesh = mechanics.mesh
        dg0 = compat.dg_space(mesh, 0)
        dxq = cell_measure(mesh, mechanics.quadrature_degree)
        self._averages = [
            CellAverage(von_mises(mechanics.stress), fem.Function(dg0), dxq),
            CellAverage(mechanics.equivalent_plastic_strain, fem.Function(dg0), dxq),
        ]
        cell_fields = {"von_mises_GPa": self._averages[0].target,
                       "plastic_strain": self._averages[1].target}
        owned = mesh.topology.index_map(mesh.topology.dim).size_local
        blocks = []
        for name, tag in problem.layout.regions.items():
            points = {"u_nm": mechanics.displacement(tag)}
            if tag == tags.PARTICLE:
                points["c_fraction_of_Na15Sn4"] = problem.transport.c
            cells = cell_tags.indices[(cell_tags.values == tag) & (cell_tags.indices < owned)]
            blocks.append(Block(name, cells, points, cell_fields))
        owned_facets = mesh.topology.index_map(mesh.topology.dim - 1).size_local
        for itag, iname in problem.interfaces.items():
            facets = facet_tags.indices[(facet_tags.values == itag)
                                        & (facet_tags.indices < owned_facets)]
            interface = mechanics.interfaces[itag]
            blocks.append(Block(iname, interface.cells, interface_fields(interface),
                                facets=facets))
        self._snapshots = SnapshotSeries(directory, mesh, blocks, place.get("snapshots", ()))
        self.profiles = ProfileWriter(directory / "profiles", problem, facet_tags,
                                      place.get("profiles"))

    def place(self) -> dict:
        """What a resumed run needs to go on writing: the snapshots and profiles so far."""
        return {"snapshots": list(self._snapshots.entries), "profiles": self.profiles.place()}

    def row(self, row: dict) -> None:
        if self._curves is None:
            self._curves = CurveWriter(self.directory / "curves.csv", list(row),
                                       keep=self._rows_kept)
        self._curves.write(row)

    def snapshot(self, expansion: float, time: float) -> None:
        """Snapshot at volume expansion ``expansion`` [%] and time ``time`` [s] (collective)."""
        for average in self._averages:
            average.update()
        self._snapshots.write(expansion, time)
        self.profiles.write()

    def close(self) -> None:
        if self._curves is not None:
            self._curves.close()


def interface_fields(interface) -> dict:
    """An interface block's vertex fields: its mid-plane displacement ½(u_A + u_B) [nm] (Warp
    By Vector draws it in the middle of the gap), damage d, debonded (1 where d ≥ d_deb), the
    normal and sliding openings δn = n·[[u]], δt = |[[u]] − δn n| [nm] in the nodal frame the
    law sees, and the jump [[u]] = u_B − u_A [nm] itself (B the second region of its name)."""
    d, opening = interface.history.d, interface.cell_opening
    return {"u_nm": interface.cell_midplane, "damage": d,
            "debonded": ufl.conditional(ufl.ge(d, interface.debonded_damage), 1.0, 0.0),
            "opening_normal_nm": opening.normal,
            "opening_sliding_nm": ufl.sqrt(opening.sliding_squared),
            "jump_nm": interface.cell_jump}
