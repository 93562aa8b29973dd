"""How far one side of an interface has passed through the other, measured on the geometry.

The cohesive interface pairs each point of side A with the point of side B that shared its
reference position, and contact acts on their normal opening δn = n·[[u]]. While the pair has
slid less than a facet, δn is the gap between the two surfaces there; once debonded points
have slid several facets (7–12 nm at the crater rim of the coated runs) the pair no longer
faces itself and nothing in δn says where the surfaces are. This check does not use the
pairing: each B vertex against the A vertex nearest to it now (x = X + u), along that vertex's
normal n_A (A's own, F_A⁻ᵀN normalised, pointing into B),

    g = (x_B − x_A)·n_A,    penetration = max(0, max over facing B vertices of −g),

a B vertex counting as facing A's surface where its offset along that surface is under the A
vertex's reach (the mean size of its facets: length in 2-D, √area in 3-D), so a point beyond
the interface's end does not count. A closed interface under pressure p reads p/Kc (the
contact's compliance); more than that is contact the pairing has lost.
"""

from __future__ import annotations

import numpy as np
import ufl
from mpi4py import MPI

CHUNK = 512  # B vertices per block of the nearest-vertex search (memory CHUNK × n_A × D)


def facet_size(mesh):
    """h = |F|^(1/(D−1)) on the facets of ``mesh`` (UFL): length in 2-D, √area in 3-D."""
    return ufl.FacetArea(mesh) ** (1.0 / (mesh.topology.dim - 1))


def penetration(points_a, normals_a, reach_a, points_b, comm) -> float:
    """The depth [nm] by which the points ``points_b`` (n_B × D, this rank's) lie behind the
    surface of the A vertices (``points_a``, unit ``normals_a`` into B, ``reach_a``; this
    rank's, gathered from all): module docstring. Collective."""
    a, n, reach = (np.concatenate(comm.allgather(v)) for v in (points_a, normals_a, reach_a))
    depth = 0.0
    if len(a):
        for start in range(0, len(points_b), CHUNK):
            b = points_b[start:start + CHUNK]
            nearest = np.argmin(((b[:, None, :] - a[None, :, :]) ** 2).sum(axis=2), axis=1)
            offset = b - a[nearest]
            gap = np.einsum("ij,ij->i", offset, n[nearest])
            along = np.linalg.norm(offset - gap[:, None] * n[nearest], axis=1)
            depth = max(depth, float(np.max(-gap[along <= reach[nearest]], initial=0.0)))
    return comm.allreduce(depth, op=MPI.MAX)
