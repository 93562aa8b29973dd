"""A free particle of radius R in the axisymmetric (r, z) plane: the half disk r ≥ 0, r² + z² ≤ R².

Built from two quarter disks split by the equator z = 0, so the centre (0, 0) and the equator
point (R, 0) are mesh vertices and the equator is a line of mesh edges (a P1 field along it is
exactly piecewise linear between those vertices).
Cells: upper quarter (z > 0) 1, lower quarter 2. Facets: upper arc 11, lower arc 12 (together the
sphere's surface), axis r = 0 tag 20, equator (interior, length R) 30.
"""

import gmsh
import numpy as np
from mpi4py import MPI

from nanoglue.fem import compat
from nanoglue.geometry.session import gmsh_model

UPPER, LOWER = 1, 2
ARC_UPPER, ARC_LOWER, AXIS, EQUATOR = 11, 12, 20, 30
SURFACE = (ARC_UPPER, ARC_LOWER)


def half_disk_mesh(radius: float = 1.0, size: float = 0.1, comm=MPI.COMM_WORLD):
    """Mesh, cell tags and facet tags of the half disk, built on rank 0 of ``comm``."""
    with gmsh_model("half_disk"):
        return _build(radius, size, comm)


def _build(radius, size, comm):
    if comm.rank == 0:
        geo = gmsh.model.geo
        centre, south = geo.addPoint(0, 0, 0, size), geo.addPoint(0, -radius, 0, size)
        east, north = geo.addPoint(radius, 0, 0, size), geo.addPoint(0, radius, 0, size)
        arc_lower = geo.addCircleArc(south, centre, east)
        arc_upper = geo.addCircleArc(east, centre, north)
        axis_upper, axis_lower = geo.addLine(north, centre), geo.addLine(centre, south)
        equator = geo.addLine(centre, east)
        upper = geo.addPlaneSurface([geo.addCurveLoop([equator, arc_upper, axis_upper])])
        lower = geo.addPlaneSurface([geo.addCurveLoop([axis_lower, arc_lower, -equator])])
        geo.synchronize()
        gmsh.model.addPhysicalGroup(2, [upper], UPPER)
        gmsh.model.addPhysicalGroup(2, [lower], LOWER)
        gmsh.model.addPhysicalGroup(1, [arc_upper], ARC_UPPER)
        gmsh.model.addPhysicalGroup(1, [arc_lower], ARC_LOWER)
        gmsh.model.addPhysicalGroup(1, [axis_upper, axis_lower], AXIS)
        gmsh.model.addPhysicalGroup(1, [equator], EQUATOR)
        gmsh.model.mesh.generate(2)
    return compat.mesh_from_gmsh(gmsh.model, comm, 0, gdim=2)


def vertex_value(function, point, tol: float = 1e-10) -> float:
    """Value of a P1 ``function`` at the mesh vertex ``point`` (r, z), on every rank."""
    space = function.function_space
    owned = space.dofmap.index_map.size_local
    x = space.tabulate_dof_coordinates()[:owned, :2]
    hits = np.flatnonzero(np.linalg.norm(x - np.asarray(point), axis=1) < tol)
    values = space.mesh.comm.allgather(function.x.array[hits])
    found = np.concatenate(values)
    if found.size != 1:
        raise ValueError(f"{point} is not a single mesh vertex ({found.size} matches)")
    return float(found[0])


def equator_profile(function, tol: float = 1e-10):
    """(r, c) of a P1 ``function`` at the equator's vertices z = 0, sorted by r, on every rank."""
    space = function.function_space
    owned = space.dofmap.index_map.size_local
    x = space.tabulate_dof_coordinates()[:owned]
    hits = np.flatnonzero(np.abs(x[:, 1]) < tol)
    comm = space.mesh.comm
    r = np.concatenate(comm.allgather(x[hits, 0]))
    c = np.concatenate(comm.allgather(function.x.array[hits]))
    order = np.argsort(r)
    return r[order], c[order]
