"""A tiny Gmsh model for plumbing tests: two unit squares side by side, tagged.

Cells: left square 1, right square 2. Facets: the shared edge x = 1 is tag 10 (an interior
interface of length 1), the outer boundary is tag 20 (length 6).
"""

import gmsh
from mpi4py import MPI

from nanoglue.fem import compat
from nanoglue.geometry.session import gmsh_model

LEFT, RIGHT, INTERFACE, OUTER = 1, 2, 10, 20


def two_squares_mesh(size: float = 0.1, comm=MPI.COMM_WORLD):
    """Mesh, cell tags and facet tags of the two-square model, built on rank 0."""
    with gmsh_model("two_squares"):
        return _build(size, comm)


def _build(size, comm):
    if comm.rank == 0:
        occ = gmsh.model.occ
        left, right = occ.addRectangle(0, 0, 0, 1, 1), occ.addRectangle(1, 0, 0, 1, 1)
        occ.fragment([(2, left)], [(2, right)])
        occ.synchronize()
        surfaces = {}
        for dim, tag in gmsh.model.getEntities(2):
            x = gmsh.model.occ.getCenterOfMass(dim, tag)[0]
            surfaces[LEFT if x < 1 else RIGHT] = tag
        curves_shared, curves_outer = [], []
        for dim, tag in gmsh.model.getEntities(1):
            x0, y0, _, x1, y1, _ = gmsh.model.getBoundingBox(dim, tag)
            (curves_shared if abs(x0 - 1) < 1e-6 and abs(x1 - 1) < 1e-6 else curves_outer).append(tag)
        for region, tag in surfaces.items():
            gmsh.model.addPhysicalGroup(2, [tag], region)
        gmsh.model.addPhysicalGroup(1, curves_shared, INTERFACE)
        gmsh.model.addPhysicalGroup(1, curves_outer, OUTER)
        gmsh.option.setNumber("Mesh.CharacteristicLengthMax", size)
        gmsh.model.mesh.generate(2)
    return compat.mesh_from_gmsh(gmsh.model, comm, 0, gdim=2)
