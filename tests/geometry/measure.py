"""Integrals over a built mesh, summed over all ranks of the mesh's communicator.

Axisymmetric meshes (gdim 2) are weighted by 2πr, so every number is a 3-D volume or area.
"""

import math

import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI


def _weight(mesh):
    x = ufl.SpatialCoordinate(mesh)
    return 2.0 * math.pi * x[0] if mesh.geometry.dim == 2 else fem.Constant(mesh, 1.0)


def _total(mesh, form) -> float:
    return mesh.comm.allreduce(fem.assemble_scalar(fem.form(form)), op=MPI.SUM)


def volume(bundle, tag: int) -> float:
    """Volume of region ``tag``: ∫ w dx."""
    dx = ufl.Measure("dx", domain=bundle.mesh, subdomain_data=bundle.cell_tags)
    return _total(bundle.mesh, _weight(bundle.mesh) * dx(tag))


def interface_area(bundle, tag: int) -> float:
    """Area of the interior facets ``tag``: ∫ w dS."""
    dS = ufl.Measure("dS", domain=bundle.mesh, subdomain_data=bundle.facet_tags)
    return _total(bundle.mesh, _weight(bundle.mesh)("+") * dS(tag))


def boundary_area(bundle, tag: int) -> float:
    """Area of the exterior facets ``tag``: ∫ w ds."""
    ds = ufl.Measure("ds", domain=bundle.mesh, subdomain_data=bundle.facet_tags)
    return _total(bundle.mesh, _weight(bundle.mesh) * ds(tag))


def tag_counts(bundle) -> dict[int, int]:
    """Global number of tagged local entities per tag id (cells and facets, ghosts included)."""
    comm = bundle.mesh.comm
    values = np.concatenate([bundle.cell_tags.values, bundle.facet_tags.values])
    ids = sorted(set(comm.allreduce([int(v) for v in np.unique(values)], op=MPI.SUM)))
    return {tag: comm.allreduce(int(np.count_nonzero(values == tag)), op=MPI.SUM) for tag in ids}
