"""Axisymmetric (r, z) half cross-section of the particle in its crater, with optional coating.

Coordinates x = r ≥ 0, y = z; the substrate top is z = 0 and the substrate fills z < 0:

  particle   disk of radius R centred on the axis at z_c = R − d: it dips d into the crater
             (conformal contact on a spherical cap of height d, rim radius a = sqrt(d(2R − d)));
  substrate  block 0 ≤ r ≤ substrate.radius, −substrate.depth ≤ z ≤ 0, minus the particle;
  coating    points with z ≥ 0 within t of the particle (offset shell |x − c| ≤ R + t) or on
             the substrate top (0 ≤ z ≤ t, r ≤ extent; default extent: the whole top), minus
             the particle. Without a substrate: the full shell R ≤ |x − c| ≤ R + t.

The regions are built with OCC booleans and fragmented together so that shared curves are one
entity (conformal interfaces). Triangles, geometry order 1.
"""

from __future__ import annotations


import gmsh

from nanoglue.config import Case
from nanoglue.config_geometry import Geometry
from nanoglue.geometry import tags
from nanoglue.geometry.sizing import (
    COATING_BAND,
    InterfaceSizing,
    base_fields,
    boundary,
    coating_size,
    largest,
    near_field,
    restrict,
    set_background,
)

DIM = 2

Shape = list[tuple[int, int]]


def regions(g: Geometry) -> dict[int, list[int]]:
    """Build the region surfaces and fragment them: region id → surface tags."""
    shapes = {tags.PARTICLE: _particle(g)}
    if g.substrate.kind != "none":
        shapes[tags.SUBSTRATE] = _substrate(g)
    if g.coating is not None:
        shapes[tags.COATING] = _coating(g)
    return tags.fragment_regions(shapes)


def _centre(g: Geometry) -> float:
    """z of the particle centre, z_c = R − d."""
    return g.particle_radius - g.crater_depth


def _disk(g: Geometry, radius: float) -> Shape:
    """A full disk of ``radius`` centred at the particle centre (a cutting tool)."""
    return [(2, gmsh.model.occ.addDisk(0.0, _centre(g), 0.0, radius, radius))]


def _box(x0: float, y0: float, x1: float, y1: float) -> Shape:
    return [(2, gmsh.model.occ.addRectangle(x0, y0, 0.0, x1 - x0, y1 - y0))]


def _span(g: Geometry) -> float:
    """A length larger than every feature: clipping boxes reach this far."""
    return 4.0 * (g.particle_radius + g.substrate.radius + g.substrate.depth)


def _particle(g: Geometry) -> Shape:
    """Right half (r ≥ 0) of the particle disk."""
    big = _span(g)
    shape, _ = gmsh.model.occ.intersect(_disk(g, g.particle_radius), _box(0.0, -big, big, big))
    return shape


def _substrate(g: Geometry) -> Shape:
    """Block 0 ≤ r ≤ radius, −depth ≤ z ≤ 0 with the crater (the particle) cut out."""
    block = _box(0.0, -g.substrate.depth, g.substrate.radius, 0.0)
    shape, _ = gmsh.model.occ.cut(block, _disk(g, g.particle_radius))
    return shape


def _coating(g: Geometry) -> Shape:
    """(Offset shell ∪ layer on the substrate top) over z ≥ 0, minus the particle."""
    occ, big, t = gmsh.model.occ, _span(g), g.coating.thickness
    outer = _disk(g, g.particle_radius + t)
    if g.substrate.kind == "none":
        clip = _box(0.0, -big, big, big)
    else:
        extent = g.coating.extent if g.coating.extent is not None else g.substrate.radius
        outer, _ = occ.fuse(outer, _box(0.0, 0.0, extent, t))
        clip = _box(0.0, 0.0, big, big)
    shell, _ = occ.intersect(outer, clip)
    shape, _ = occ.cut(shell, _disk(g, g.particle_radius))
    return shape


def classify(g: Geometry, curve: int, region: int) -> int:
    """Boundary id of a curve bounding one region: axis, substrate bottom, or free surface."""
    _, _, _, x1, y1, _ = gmsh.model.getBoundingBox(1, curve)
    tol = 1e-6 * g.particle_radius
    if x1 < tol:
        return tags.AXIS
    if region == tags.SUBSTRATE and y1 < -g.substrate.depth + tol:
        return tags.SUBSTRATE_BOTTOM
    return tags.FREE_SURFACE[region]


def coating_parts(case: Case, volume: float) -> list[tuple[float, float]]:
    """The coating's (volume, element size) parts for ``estimate``: h_c throughout (beyond
    COATING_BAND·R its thin layer grades coarser, but holds few cells)."""
    return [(volume, coating_size(case))]


def size_fields(case: Case, sizing: InterfaceSizing, regions: dict[int, list[int]]) -> None:
    """Base fields plus the coating's: h_c = t / coating_elements in the coating within
    COATING_BAND·R of the particle, growing beyond (and around the coating likewise)."""
    far = case.geometry.mesh.far_size
    fields = base_fields(case, sizing, regions, DIM)
    coating = regions.get(tags.COATING)
    if coating:
        h_c = coating_size(case)
        band = COATING_BAND * case.geometry.particle_radius
        from_particle = near_field(DIM, boundary(regions[tags.PARTICLE], DIM), h_c, far, band=band)
        fields += [
            restrict(DIM, coating, from_particle),
            largest([near_field(DIM, boundary(coating, DIM), h_c, far), from_particle]),
        ]
    set_background(fields, far)
