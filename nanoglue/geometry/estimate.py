"""How many cells a case's mesh will have, estimated from its sizes before meshing.

The regions are built (OCC, no mesh: a fraction of a second) to measure their volumes V_r and
the interfaces' areas A_X exactly; the count then follows from the sizes the size fields ask for
(``sizing``), with an element of size h taking the volume of a regular simplex of edge h,

    v(h) = √3/4 · h² (triangle),  √2/12 · h³ (tetrahedron),   ρ(h) = 1 / v(h)  [cells / nm^d]:

    N ≈ Σ_r Σ_parts V_part · ρ(h_part)                          (each region at its own size)
      + Σ_X Σ_sides A_X · ∫₀^τ [ρ(h_X(s)) − ρ(h_side)]⁺ ds       (the refined band of interface X)
      + A_ps · ∫₀^τ [ρ(h_p(s)) − ρ(h_far)]⁺ ds                   (the substrate around the particle)

with h_X(s) = h_X within one h_X of the interface, then h_X + GROWTH·(s − h_X), as the near
fields of ``sizing`` grade it; h_p the particle size, grading likewise into the substrate; τ the
side region's mean thickness 2V/(boundary area), which caps a band in a thin coating. Measured
against the built meshes of every shipped config (docs/architecture.md, "Mesh size before
meshing"): 0.90–0.94 of the actual count in 2-D, 1.02 for the 3-D fiber case.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import gmsh
import numpy as np

from nanoglue.config import Case
from nanoglue.geometry import tags
from nanoglue.geometry.build import builder_of, tagged_geometry
from nanoglue.geometry.session import gmsh_model
from nanoglue.geometry.sizing import GROWTH, boundary, interface_sizing, physical_entities

SIMPLEX_VOLUME = {2: math.sqrt(3.0) / 4.0, 3: math.sqrt(2.0) / 12.0}
"""v(h) / h^d of the regular triangle and tetrahedron of edge h."""


@dataclass(frozen=True)
class CellEstimate:
    """The estimated cell count, and how much of it each size field asks for: field path
    (``geometry.mesh.particle_size``, ...) → cells."""

    cells: float
    dim: int
    regions: int
    by_field: dict[str, float]

    @property
    def dominant(self) -> str:
        """The size field behind most of the cells."""
        return max(self.by_field, key=self.by_field.get)


def density(size, dim: int):
    """ρ(h) = 1 / v(h): cells per unit volume of the regular simplex of edge ``size``."""
    return 1.0 / (SIMPLEX_VOLUME[dim] * size**dim)


def band_cells(size: float, band: float, side_size: float, thickness: float, dim: int) -> float:
    """∫₀^τ [ρ(h(s)) − ρ(side_size)]⁺ ds per unit interface area: h(s) = ``size`` within
    ``band``, then growing by GROWTH per nm up to ``side_size`` (τ = ``thickness``)."""
    if size >= side_size:
        return 0.0
    end = min(band + (side_size - size) / GROWTH, thickness)
    depth = np.unique(np.concatenate([np.linspace(0.0, min(band, end), 64),
                                      np.linspace(min(band, end), end, 64),
                                      min(band, end) + np.geomspace(1e-6 * size, end, 256)]))
    depth = depth[depth <= end]
    sizes = np.where(depth < band, size, size + GROWTH * (depth - band))
    excess = density(sizes, dim) - density(side_size, dim)
    return float(np.sum(0.5 * (excess[1:] + excess[:-1]) * np.diff(depth)))


def _measure(dim: int, entities) -> float:
    """Total length / area / volume of OCC entities of dimension ``dim``."""
    return sum(gmsh.model.occ.getMass(dim, entity) for entity in entities)


def estimate_cells(case: Case) -> CellEstimate:
    """The cell count ``case``'s generated mesh will have, within ~10 % on the shipped
    configs (module docstring); from the geometry's measures and the sizes, without meshing."""
    builder = builder_of(case)
    dim, mesh = builder.DIM, case.geometry.mesh
    sizing = interface_sizing(case)
    with gmsh_model("estimate"):
        regions, _ = tagged_geometry(case)
        volumes = {region: _measure(dim, entities) for region, entities in regions.items()}
        thickness = {region: 2.0 * volumes[region] / _measure(dim - 1, boundary(entities, dim))
                     for region, entities in regions.items()}
        areas = {name: _measure(dim - 1, physical_entities(dim - 1, tags.INTERFACES[name]))
                 for name in sizing.cohesive_lengths}
    sizes = {tags.PARTICLE: mesh.particle_size, tags.SUBSTRATE: mesh.far_size}
    fields = {
        "geometry.mesh.particle_size": volumes[tags.PARTICLE] * density(mesh.particle_size, dim),
        "geometry.mesh.far_size": volumes.get(tags.SUBSTRATE, 0.0) * density(mesh.far_size, dim),
    }
    if tags.COATING in regions:
        parts = builder.coating_parts(case, volumes[tags.COATING])
        sizes[tags.COATING] = parts[0][1]
        fields["geometry.mesh.coating_elements"] = sum(v * density(h, dim) for v, h in parts)
    interface = "geometry.mesh.interface_size"
    for name, area in areas.items():
        h_x = min(sizing.size_of(name), mesh.far_size)
        fields[interface] = fields.get(interface, 0.0) + sum(
            area * band_cells(h_x, h_x, sizes[side], thickness[side], dim)
            for side in tags.INTERFACE_REGIONS[tags.INTERFACES[name]])
    if "particle_substrate" in areas:
        fields["geometry.mesh.particle_size"] += areas["particle_substrate"] * band_cells(
            mesh.particle_size, 0.0, mesh.far_size, thickness[tags.SUBSTRATE], dim)
    return CellEstimate(sum(fields.values()), dim, len(regions), fields)
