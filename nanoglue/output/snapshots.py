"""Field snapshots for ParaView: one file set per snapshot and an index rewritten atomically.

Layout (shared by "runs that survive" and "what a researcher sees")::

    fields.pvd                       the index: one entry per snapshot, time = expansion travelled
    fields/s0003.vtm                 snapshot 3: a multiblock, one block per region and one per
                                     cohesive interface (by name), each block the pieces of it,
                                     one per MPI rank
    fields/s0003/particle_r0.vtu     rank 0's cells of the particle with its own fields
    fields/s0003/particle_substrate_r0.vtu   rank 0's facets of that interface (lines in 2-D,
                                     triangles in 3-D): damage, opening, jump

Each region is its own block with its own displacement, so a cohesive interface that opens shows
as a gap under Warp By Vector (one continuous mesh with one mixed ``u`` cannot): the interface
vertices are doubled, one copy per region, and the copies are apart by the jump [[u]]. A snapshot's
files are complete before the index names it, and the index is replaced by rename: a run killed
at any moment leaves an index whose every entry opens, and a resumed run rewrites the entries
after its checkpoint. The index's time is the volume expansion travelled [%] — X itself while
sodiating, still increasing while desodiating (X = 70 → 0 reads 70 → 140), so ParaView's time
axis is monotone; every piece carries X [%] and t [s] as field data.

Fields are brought to vertices (P1: displacement, concentration, interface damage and opening)
or cells (DG0 means: von Mises, equivalent plastic strain), the formats ParaView reads natively.
Every block carries its name as the string field ``block``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Optional, Sequence
from xml.sax.saxutils import quoteattr

import numpy as np
import ufl
from dolfinx import fem

from nanoglue.fem import compat

VTK_SIMPLEX = {1: 3, 2: 5, 3: 10}  # VTK_LINE, VTK_TRIANGLE, VTK_TETRA


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


class Block:
    """One region's or interface's share of a snapshot: vertex fields (name → UFL scalar or
    vector expression, brought to P1 on ``cells``) and cell fields (name → DG0 function).

    A region block is its owned ``cells``; an interface block is its owned ``facets`` (the
    VTK cells written), its fields interpolated on ``cells``, the cells next to them."""

    def __init__(self, name: str, cells: np.ndarray, points: Mapping, cell_fields: Mapping = None,
                 facets: Optional[np.ndarray] = None):
        self.name, self.cells = name, np.asarray(cells, dtype=np.int32)
        self.points, self.cell_fields = dict(points), dict(cell_fields or {})
        self.facets = None if facets is None else np.asarray(facets, dtype=np.int32)


class SnapshotSeries:
    """``write(expansion, time)`` adds a snapshot of ``blocks`` to ``directory``/fields.pvd."""

    def __init__(self, directory: Path, mesh, blocks: Sequence[Block], entries: Sequence = ()):
        self.directory, self.comm = Path(directory), mesh.comm
        self.blocks = list(blocks)
        self._space = compat.lagrange_space(mesh, 1)
        self._x = self._space.tabulate_dof_coordinates()
        self._dofs = compat.cell_dofs(self._space)
        self._mesh = mesh
        self._scratch = fem.Function(self._space)
        self._layouts = {}  # block name → its points and cells (``_layout``)
        self._compiled = {}  # (block, field, component) → fem.Expression at the P1 points
        for block in self.blocks:
            for name, expr in block.points.items():
                shape = ufl.shape(expr)
                parts = [expr] if not shape else [expr[i] for i in range(shape[0])]
                for i, part in enumerate(parts):
                    self._compiled[block.name, name, i] = compat.expression(part, self._space)
        self.entries = list(entries)  # (travelled [%], X [%], file) of every snapshot written
        if self.entries and self.comm.rank == 0:  # resumed: forget what came after the checkpoint
            _write_text(self.directory / "fields.pvd", _pvd(self.entries))

    @property
    def count(self) -> int:
        return len(self.entries)

    def write(self, expansion: float, time: float) -> None:
        """Snapshot number ``count`` at volume expansion ``expansion`` [%], time ``time`` [s]
        (collective)."""
        index = self.count
        travelled = expansion if not self.entries else (
            self.entries[-1][0] + abs(expansion - self.entries[-1][1]))
        stem = f"s{index:04d}"
        folder = self.directory / "fields" / stem
        if self.comm.rank == 0:
            folder.mkdir(parents=True, exist_ok=True)
        self.comm.barrier()
        for block in self.blocks:
            grid = self._grid(block)
            grid.field_data["expansion_percent"] = np.array([expansion])
            grid.field_data["time_s"] = np.array([time])
            grid.field_data["block"] = [block.name]
            grid.save(str(folder / f"{block.name}_r{self.comm.rank}.vtu"))
        self.comm.barrier()  # every piece is on disk before anything names it
        self.entries.append((travelled, expansion, f"fields/{stem}.vtm"))
        if self.comm.rank == 0:
            _write_text(self.directory / "fields" / f"{stem}.vtm", _vtm(
                [(b.name, [f"{stem}/{b.name}_r{rank}.vtu" for rank in range(self.comm.size)])
                 for b in self.blocks]))
            _write_text(self.directory / "fields.pvd", _pvd(self.entries))
        self.comm.barrier()

    def _layout(self, block: Block):
        """(P1 dofs the block's cells use, its VTK cells and cell types, their points), once."""
        if block.name not in self._layouts:
            tdim = self._mesh.topology.dim
            if block.facets is None:
                connectivity, dim = self._dofs[block.cells], tdim
            else:
                connectivity, dim = _facet_dofs(self._space, block.facets), tdim - 1
            used, local = np.unique(connectivity, return_inverse=True)
            local = local.reshape(connectivity.shape)
            legacy = np.hstack([np.full((local.shape[0], 1), local.shape[1]), local]).ravel()
            types = np.full(local.shape[0], VTK_SIMPLEX[dim], dtype=np.uint8)
            self._layouts[block.name] = used, legacy, types, self._x[used]
        return self._layouts[block.name]

    def _grid(self, block: Block):
        """This rank's pyvista grid of ``block``: its owned cells on their own points, each
        field interpolated on those cells only."""
        import pyvista

        used, legacy, types, points = self._layout(block)
        grid = pyvista.UnstructuredGrid(legacy, types, points)
        if not used.size:  # none of the block on this rank: an empty piece (VTK refuses arrays)
            return grid
        for name, expr in block.points.items():
            shape = ufl.shape(expr)
            columns = []
            for i in range(1 if not shape else shape[0]):
                compat.interpolate_expression(self._scratch, self._compiled[block.name, name, i],
                                              block.cells)
                columns.append(self._scratch.x.array[used].copy())
            if shape:
                columns += [np.zeros_like(columns[0])] * (3 - len(columns))  # ParaView: 3-vectors
            grid.point_data[name] = np.column_stack(columns) if shape else columns[0]
        for name, function in block.cell_fields.items():
            dofs = compat.cell_dofs(function.function_space)[block.cells, 0]
            grid.cell_data[name] = function.x.array[dofs].copy()
        return grid


def _facet_dofs(space, facets: np.ndarray) -> np.ndarray:
    """P1 dofs of the vertices of each of ``facets`` (rows), read from a cell next to it."""
    mesh = space.mesh
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    mesh.topology.create_connectivity(tdim, tdim - 1)
    to_cells = mesh.topology.connectivity(tdim - 1, tdim)
    to_facets = mesh.topology.connectivity(tdim, tdim - 1)
    layout, cell_dofs = space.dofmap.dof_layout, compat.cell_dofs(space)
    rows = np.zeros((facets.size, tdim), dtype=np.int32)
    for row, facet in enumerate(facets):
        cell = to_cells.links(facet)[0]
        local = int(np.flatnonzero(to_facets.links(cell) == facet)[0])
        rows[row] = cell_dofs[cell][layout.entity_closure_dofs(tdim - 1, local)]
    return rows


def _write_text(path: Path, text: str) -> None:
    """``text`` into ``path`` by rename: readers see the old file or the new one, never half."""
    aside = path.with_name(path.name + ".tmp")
    aside.write_text(text, encoding="utf-8")
    os.replace(aside, path)


def _vtm(blocks: Sequence[tuple[str, Sequence[str]]]) -> str:
    """A multiblock of named blocks, each a multiblock of its piece files."""
    def pieces(files) -> str:
        return "".join(f'<DataSet index="{i}" name="rank {i}" file={quoteattr(file)}/>'
                       for i, file in enumerate(files))
    sets = "".join(f'<Block index="{i}" name={quoteattr(name)}>{pieces(files)}</Block>'
                   for i, (name, files) in enumerate(blocks))
    return ('<?xml version="1.0"?>\n<VTKFile type="vtkMultiBlockDataSet" version="1.0" '
            f'byte_order="LittleEndian"><vtkMultiBlockDataSet>{sets}</vtkMultiBlockDataSet>'
            '</VTKFile>\n')


def _pvd(entries: Sequence[tuple[float, float, str]]) -> str:
    sets = "".join(f'<DataSet timestep="{travelled:.10g}" group="" part="0" file={quoteattr(file)}/>\n'
                   for travelled, _, file in entries)
    return ('<?xml version="1.0"?>\n<VTKFile type="Collection" version="0.1" '
            f'byte_order="LittleEndian"><Collection>\n{sets}</Collection></VTKFile>\n')
