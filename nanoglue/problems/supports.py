"""Dirichlet conditions and solved-for dofs of the displacement fields (``problems.mechanics``).

Per field: u_c = 0 on every symmetry plane (facet tag, component c) of the model; each clamp
(facet tag, component, region[, value]) on the field holding that region — u_c = value (a
``fem.Constant``; 0 without one), prescribed on the field before each solve, the Newton
corrections being zero there; without any clamp on the mesh,
a pin of every component no symmetry plane fixes at the field's lowest dof on the intersection
of the symmetry planes. Active dofs: the owned dofs on the cells of the field's regions (all owned
dofs for a single field shared by every region); ``owned_cell_dofs`` also gives a region's
pressure field its own.
"""

from __future__ import annotations

import numpy as np
from dolfinx import fem
from mpi4py import MPI
from petsc4py import PETSc


def _facets(facet_tags, tag: int) -> np.ndarray:
    return facet_tags.indices[facet_tags.values == tag]


def _cells(cell_tags, regions) -> np.ndarray:
    return cell_tags.indices[np.isin(cell_tags.values, regions)]


def _pins(model, space, cells, tdim: int) -> list:
    """u_f = 0 at the lowest dof in component f on all symmetry planes, f not fixed by one."""
    comm = space.mesh.comm
    x = space.tabulate_dof_coordinates()
    tol = 1e-9 * comm.allreduce(np.max(np.abs(x), initial=0.0), op=MPI.MAX)
    fixed = {component for _, component in model.symmetry_planes}
    zero = PETSc.ScalarType(0.0)
    pins = []
    for free in (c for c in range(model.gdim) if c not in fixed):
        sub = space.sub(free)
        dofs = fem.locate_dofs_topological(sub, tdim, cells)
        points = x[dofs // space.dofmap.index_map_bs]
        on_planes = np.all([np.abs(points[:, c]) < tol for c in fixed], axis=0) \
            if fixed else np.ones(len(dofs), bool)
        lowest = comm.allreduce(np.min(points[on_planes, free], initial=np.inf), op=MPI.MIN)
        pin = dofs[on_planes & (np.abs(points[:, free] - lowest) < tol)]
        pins.append(fem.dirichletbc(zero, pin, sub))
    return pins


def field_conditions(model, fields, regions_of, cell_tags, facet_tags, clamps):
    """(homogeneous Dirichlet conditions of the corrections per field, active owned dofs per
    field or None: all, prescribed values [(field, dofs, value)])."""
    mesh = model.mesh
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim - 1, tdim)
    mesh.topology.create_connectivity(tdim, tdim)
    zero = PETSc.ScalarType(0.0)
    comm = mesh.comm
    clamped = comm.allreduce(sum(_facets(facet_tags, clamp[0]).size for clamp in clamps),
                             op=MPI.SUM) > 0
    bcs, active, prescribed = [], [], []
    for field, regions in zip(fields, regions_of):
        space = field.function_space
        conditions = []
        for tag, component in model.symmetry_planes:
            sub = space.sub(component)
            conditions.append(fem.dirichletbc(
                zero, fem.locate_dofs_topological(sub, tdim - 1, _facets(facet_tags, tag)), sub))
        for tag, component, region, *value in clamps:
            if region in regions:
                sub = space.sub(component)
                dofs = fem.locate_dofs_topological(sub, tdim - 1, _facets(facet_tags, tag))
                conditions.append(fem.dirichletbc(zero, dofs, sub))
                if value:
                    prescribed.append((field, dofs, value[0]))
        if not clamped:
            conditions += _pins(model, space, _cells(cell_tags, regions), tdim)
        bcs.append(conditions)
        active.append(None if len(fields) == 1
                      else owned_cell_dofs(space, _cells(cell_tags, regions)))
    return bcs, active, prescribed


def owned_cell_dofs(space, cells) -> np.ndarray:
    """Owned dofs of every component of ``space`` on ``cells`` (local, blocked layout)."""
    tdim, bs = space.mesh.topology.dim, space.dofmap.index_map_bs
    owned = space.dofmap.index_map.size_local * bs
    dofs = np.unique(np.concatenate(
        [fem.locate_dofs_topological(space, tdim, cells)] if bs == 1 else
        [fem.locate_dofs_topological(space.sub(j), tdim, cells) for j in range(bs)]))
    return dofs[dofs < owned].astype(np.int32)
