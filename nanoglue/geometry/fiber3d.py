"""Quarter 3-D model: the particle on a cylindrical fiber, symmetry planes x = 0 and y = 0.

The fiber (radius R_f = substrate.radius) runs along x with its axis at (y, z) = (0, −R_f), so
its top line is z = 0 under the particle's lowest point. The particle (sphere of radius R,
centre (0, 0, R − d)) dips d into the fiber: the crater follows the real curvature of both.
Modelled: x ∈ [0, half_length], y ≥ 0 (the fiber is a half cylinder there).

Optional coating of thickness t: the offset shell |x − c| ≤ R + t around the particle, united
with the layer R_f ≤ dist(fiber axis) ≤ R_f + t on the fiber — the whole modelled fiber, or,
with ``coating.extent``, only above the fiber axis (z ≥ −R_f) within x² + y² ≤ extent²
(extent = distance from the particle's z-axis) — minus the fiber and the particle. Without a
substrate the coating is the quarter spherical shell. Tetrahedra; meshing only (no physics).
"""

from __future__ import annotations

import math

import gmsh

from nanoglue.config import Case
from nanoglue.config_geometry import Geometry
from nanoglue.geometry import tags
from nanoglue.geometry.sizing import (
    InterfaceSizing,
    ball_field,
    base_fields,
    boundary,
    coating_size,
    near_field,
    physical_entities,
    restrict,
    set_background,
)

DIM = 3

Shape = list[tuple[int, int]]


def regions(g: Geometry) -> dict[int, list[int]]:
    """Build the region volumes and fragment them: region id → volume tags."""
    shapes = {tags.PARTICLE: _particle(g)}
    if g.substrate.kind == "fiber":
        shapes[tags.SUBSTRATE] = _fiber(g)
    if g.coating is not None:
        shapes[tags.COATING] = _coating(g)
    return tags.fragment_regions(shapes)


def _centre(g: Geometry) -> tuple[float, float, float]:
    """The particle centre (0, 0, R − d)."""
    return (0.0, 0.0, g.particle_radius - g.crater_depth)


def _sphere(g: Geometry, radius: float) -> Shape:
    """A full ball of ``radius`` centred at the particle centre."""
    return [(3, gmsh.model.occ.addSphere(*_centre(g), radius))]


def _fiber_cylinder(g: Geometry, radius: float) -> Shape:
    """Full cylinder of ``radius`` around the fiber axis, x ∈ [0, half_length]."""
    axis_z = -g.substrate.radius
    length = g.substrate.half_length
    return [(3, gmsh.model.occ.addCylinder(0.0, 0.0, axis_z, length, 0.0, 0.0, radius))]


def _quarter(g: Geometry) -> Shape:
    """The modelled quarter space x ≥ 0, y ≥ 0 (x ≤ half_length with a fiber)."""
    big = 4.0 * (g.particle_radius + g.substrate.radius + g.substrate.half_length)
    length = g.substrate.half_length if g.substrate.kind == "fiber" else big
    return [(3, gmsh.model.occ.addBox(0.0, 0.0, -big, length, big, 2.0 * big))]


def _particle(g: Geometry) -> Shape:
    shape, _ = gmsh.model.occ.intersect(_sphere(g, g.particle_radius), _quarter(g))
    return shape


def _fiber(g: Geometry) -> Shape:
    """Half cylinder y ≥ 0 with the crater (the particle) cut out."""
    half, _ = gmsh.model.occ.intersect(_fiber_cylinder(g, g.substrate.radius), _quarter(g))
    shape, _ = gmsh.model.occ.cut(half, _sphere(g, g.particle_radius))
    return shape


def _coating(g: Geometry) -> Shape:
    """(Offset shell ∪ fiber layer) ∩ quarter, minus the fiber and the particle."""
    occ, t = gmsh.model.occ, g.coating.thickness
    outer = _sphere(g, g.particle_radius + t)
    if g.substrate.kind == "fiber":
        outer, _ = occ.fuse(outer, _fiber_layer(g))
    clipped, _ = occ.intersect(outer, _quarter(g))
    tools = _sphere(g, g.particle_radius)
    if g.substrate.kind == "fiber":
        tools += _fiber_cylinder(g, g.substrate.radius)
    shape, _ = occ.cut(clipped, tools)
    return shape


def _fiber_layer(g: Geometry) -> Shape:
    """Cylinder of radius R_f + t around the fiber axis, limited to ``extent`` if given."""
    occ, t = gmsh.model.occ, g.coating.thickness
    layer = _fiber_cylinder(g, g.substrate.radius + t)
    if g.coating.extent is None:
        return layer
    height = 2.0 * (g.substrate.radius + g.particle_radius + t)
    limit = occ.addCylinder(0.0, 0.0, -g.substrate.radius, 0.0, 0.0, height, g.coating.extent)
    shape, _ = occ.intersect(layer, [(3, limit)])
    return shape


def size_fields(case: Case, sizing: InterfaceSizing, regions: dict[int, list[int]]) -> None:
    """Base fields plus the coating: h_c = t / coating_elements near the particle (a ball of radius
    R + 2t about its centre: the shell and the glue corner), one element across t elsewhere
    (h_c over the whole fiber would cost millions of tetrahedra for a few-nm coating).
    """
    g = case.geometry
    far = g.mesh.far_size
    fields = base_fields(case, sizing, regions, DIM)
    coating = regions.get(tags.COATING)
    if coating:
        t, h_c, bulk = g.coating.thickness, coating_size(case), _coating_bulk_size(case)
        near_particle = ball_field(_centre(g), g.particle_radius + 2.0 * t, h_c, bulk)
        fields += [
            restrict(DIM, coating, near_particle),
            near_field(DIM, physical_entities(DIM - 1, tags.PARTICLE_COATING), h_c, far),
            near_field(DIM, boundary(coating, DIM), bulk, far),
        ]
    set_background(fields, far)


def _coating_bulk_size(case: Case) -> float:
    """One element across the coating away from the particle: max(h_c, min(t, far_size))."""
    g = case.geometry
    return max(coating_size(case), min(g.coating.thickness, g.mesh.far_size))


def coating_parts(case: Case, volume: float) -> list[tuple[float, float]]:
    """The coating's (volume, element size) parts for ``estimate``: h_c in the quarter shell
    R ≤ |x − c| ≤ R + t, one element across t in the rest (the layer on the fiber)."""
    R, t = case.geometry.particle_radius, case.geometry.coating.thickness
    shell = min(volume, math.pi / 3.0 * ((R + t) ** 3 - R**3))
    return [(shell, coating_size(case)), (volume - shell, _coating_bulk_size(case))]


def classify(g: Geometry, surface: int, region: int) -> int:
    """Boundary id of a surface bounding one region: symmetry plane, fiber end or free surface."""
    x0, _, _, x1, y1, _ = gmsh.model.getBoundingBox(2, surface)
    tol = 1e-6 * g.particle_radius
    if x1 < tol:
        return tags.SYMMETRY_X
    if y1 < tol:
        return tags.SYMMETRY_Y
    if g.substrate.kind == "fiber" and x0 > g.substrate.half_length - tol:
        return tags.FIBER_ENDS
    return tags.FREE_SURFACE[region]
