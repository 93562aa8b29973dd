"""Region indicators (DG0 functions that switch a term on in one tagged region) and the cell
measure of the quadrature-space state."""

import numpy as np
import ufl
from dolfinx import fem

from nanoglue.fem import compat


def region_indicator(mesh, cell_tags, tag: int) -> fem.Function:
    """χ: DG0, 1 on the cells tagged ``tag``, 0 elsewhere (ghost cells included)."""
    chi = fem.Function(compat.dg_space(mesh, 0))
    tdim = mesh.topology.dim
    mesh.topology.create_connectivity(tdim, tdim)
    cells = cell_tags.indices[cell_tags.values == tag]
    chi.x.array[fem.locate_dofs_topological(chi.function_space, tdim, cells)] = 1.0
    chi.x.scatter_forward()
    return chi


def region_cells(chi: fem.Function) -> np.ndarray:
    """Local cells (ghosts included) where the indicator ``chi`` of ``region_indicator`` is 1."""
    dofs = compat.cell_dofs(chi.function_space)[:, 0]
    return np.flatnonzero(chi.x.array[dofs] > 0.5).astype(np.int32)


def cell_measure(mesh, quadrature_degree: int, cell_tags=None) -> ufl.Measure:
    """dx with the fixed rule of the quadrature-space state: degree q, scheme "default".

    Restrict it to a region with ``cell_measure(...)(tag)``.
    """
    metadata = {"quadrature_degree": quadrature_degree, "quadrature_scheme": "default"}
    return ufl.Measure("dx", domain=mesh, subdomain_data=cell_tags, metadata=metadata)
