"""A core–shell sphere as a 1/8 octant x, y, z ≥ 0, and spherical stresses of 3-D samples.

The solid is the ball r ≤ b cut to the box [0, b]³ and fragmented with the ball r ≤ a (Gmsh OCC),
so the core/shell interface r = a is one conformal surface of mesh facets. Tetrahedra of
characteristic length ``size``; by default uniform and of geometry order 1 (the spheres r = a and
r = b faceted). Optionally graded in ρ = |x| (``core_size``, ``outer_size``), and of geometry
order 2 (``order=2``: 10-node tetrahedra whose edge midpoints Gmsh puts on the spheres).

Cells: core r < a ``tags.PARTICLE``, shell a < r < b ``tags.COATING``. Facets: plane x = 0
``tags.SYMMETRY_X``, y = 0 ``tags.SYMMETRY_Y``, z = 0 ``SYMMETRY_Z`` (34, local to this test
geometry: the package's quarter-3d models cut on x = 0 and y = 0 only, so tags.py has no z-plane
id; 34 follows its symmetry ids 31, 32 and the fiber ends 33 without clashing), outer sphere r = b
``tags.COATING_SURFACE``, core/shell interface r = a (interior) ``tags.PARTICLE_COATING``.
"""

from __future__ import annotations

import gmsh
import numpy as np
from mpi4py import MPI

from nanoglue.fem import compat
from nanoglue.geometry import tags
from nanoglue.geometry.session import gmsh_model

SYMMETRY_Z = 34  # plane z = 0 (module docstring)
SYMMETRY_PLANES = ((tags.SYMMETRY_X, 0), (tags.SYMMETRY_Y, 1), (SYMMETRY_Z, 2))
"""(facet tag, displacement component held at 0) of the three planes: Solid3D's symmetry_planes."""


def octant_core_shell(a: float, b: float, size: float, comm=MPI.COMM_WORLD, *, order: int = 1,
                      core_size: float | None = None, outer_size: float | None = None):
    """Mesh, cell tags and facet tags of the core–shell octant, built on rank 0 of ``comm``.

    Element size ``size`` everywhere, or, graded when ``core_size`` or ``outer_size`` is given,
    a function of ρ = |x| that is ``size`` at the interface ρ = a and

        h(ρ) = min(core_size, size + (a − ρ)/2)               in the core ρ < a,
        h(ρ) = size + (outer_size − size) (ρ − a)/(b − a)     in the shell a < ρ < b

    (either defaulting to ``size``). ``order``: geometry order of the tetrahedra (1 or 2).
    """
    with gmsh_model("octant_core_shell"):
        return _build(a, b, size, comm, order, core_size or size, outer_size or size)


def _size_field(a, b, size, core_size, outer_size) -> None:
    """h(ρ) of ``octant_core_shell`` as Gmsh's background mesh size (a MathEval field)."""
    rho = "Sqrt(x*x + y*y + z*z)"
    growth = (outer_size - size) / (b - a)
    formula = (f"Min({core_size}, {size} + 0.5 * Max(0, {a} - {rho}) "
               f"+ {growth} * Max(0, {rho} - {a}))")
    field = gmsh.model.mesh.field.add("MathEval")
    gmsh.model.mesh.field.setString(field, "F", formula)
    gmsh.model.mesh.field.setAsBackgroundMesh(field)
    for option in ("FromPoints", "FromCurvature", "ExtendFromBoundary"):
        gmsh.option.setNumber(f"Mesh.MeshSize{option}", 0)


def _build(a, b, size, comm, order, core_size, outer_size):
    if comm.rank == 0:
        occ = gmsh.model.occ
        ball, core = (occ.intersect([(3, occ.addSphere(0, 0, 0, r))],
                                    [(3, occ.addBox(0, 0, 0, b, b, b))])[0] for r in (b, a))
        occ.fragment(ball, core)  # shell and core sharing the interface surface
        occ.synchronize()
        tol = 1e-6 * b
        volumes = {tags.PARTICLE: [], tags.COATING: []}
        for dim, tag in gmsh.model.getEntities(3):
            reach = max(gmsh.model.getBoundingBox(dim, tag)[3:])  # a for the core, b for the shell
            volumes[tags.PARTICLE if reach < a + tol else tags.COATING].append(tag)
        facets = {tags.SYMMETRY_X: [], tags.SYMMETRY_Y: [], SYMMETRY_Z: [],
                  tags.COATING_SURFACE: [], tags.PARTICLE_COATING: []}
        for dim, tag in gmsh.model.getEntities(2):
            low, high = np.split(np.array(gmsh.model.getBoundingBox(dim, tag)), 2)
            planes = [k for k in range(3) if abs(low[k]) < tol and abs(high[k]) < tol]
            if planes:
                facets[(tags.SYMMETRY_X, tags.SYMMETRY_Y, SYMMETRY_Z)[planes[0]]].append(tag)
            else:  # a spherical patch, reaching out to its radius a or b along the axes
                interface = max(high) < a + tol
                facets[tags.PARTICLE_COATING if interface else tags.COATING_SURFACE].append(tag)
        _check(volumes, facets)
        for region, entities in volumes.items():
            gmsh.model.addPhysicalGroup(3, entities, region)
        for tag, entities in facets.items():
            gmsh.model.addPhysicalGroup(2, entities, tag)
        if core_size == size and outer_size == size:
            gmsh.option.setNumber("Mesh.MeshSizeMin", size)
            gmsh.option.setNumber("Mesh.MeshSizeMax", size)
            gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
            gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
        else:
            _size_field(a, b, size, core_size, outer_size)
        gmsh.model.mesh.generate(3)
        gmsh.model.mesh.setOrder(order)
    return compat.mesh_from_gmsh(gmsh.model, comm, 0, gdim=3)


def _check(volumes, facets):
    """One core and one shell volume; two pieces (core, shell) of each plane; one sphere each."""
    counts = {**{k: len(v) for k, v in volumes.items()}, **{k: len(v) for k, v in facets.items()}}
    expected = {tags.PARTICLE: 1, tags.COATING: 1, tags.COATING_SURFACE: 1,
                tags.PARTICLE_COATING: 1, tags.SYMMETRY_X: 2, tags.SYMMETRY_Y: 2, SYMMETRY_Z: 2}
    if counts != expected:
        raise RuntimeError(f"unexpected octant entities {counts} (expected {expected})")


def spherical_3d(samples):
    """(ρ, σ_ρρ, σ_θθ) about the origin of 3-D samples (stress components xx, yy, zz, yz, xz, xy).

    With n = x/ρ, ρ = |x|:

        σ_ρρ = n·σ·n,    σ_θθ = (tr σ − σ_ρρ)/2,

    the mean normal stress over the tangent plane (t·σ·t averaged over unit tangents t ⊥ n),
    which equals the hoop stress σ_θθ = σ_φφ of a spherically symmetric state.
    """
    x, s = samples.x, samples.stress
    rho = np.linalg.norm(x, axis=1)
    n = x / rho[:, None]
    sigma = np.empty((len(s), 3, 3))
    sigma[:, 0, 0], sigma[:, 1, 1], sigma[:, 2, 2] = s[:, 0], s[:, 1], s[:, 2]
    sigma[:, 1, 2] = sigma[:, 2, 1] = s[:, 3]
    sigma[:, 0, 2] = sigma[:, 2, 0] = s[:, 4]
    sigma[:, 0, 1] = sigma[:, 1, 0] = s[:, 5]
    srr = np.einsum("ni,nij,nj->n", n, sigma, n)
    return rho, srr, 0.5 * (s[:, 0] + s[:, 1] + s[:, 2] - srr)
