"""How fine the mesh must be, and the Gmsh size fields that make it so.

Cohesive-zone length of an interface (Rice; Turon et al. 2007, with the constant taken as 1):

    l_cz = E′ · Gc / σc²,   E′ = E / (1 − ν²)  (plane-strain modulus of the softer side),

the length over which the traction softens ahead of a debond front. A cohesive law is
under-resolved with fewer than WARN_RESOLUTION = 3 elements across it (then every interface
with interface_size > l_cz / 3 gets a warning); the default interface element size is finer,

    h_i = min over the case's interfaces of l_cz / DEFAULT_RESOLUTION   (l_cz / 12),

because the paper's completion values are set by a small central patch that lets go late
(docs/calibration.md). h_i is the size on the interface with the shortest l_cz; every other
interface X gets as many elements per cohesive zone, h_X = h_i · l_cz(X) / min l_cz (the
coating's tough interfaces, l_cz 73 and 244 nm, need 6 and 20 nm, not 1.4). Through the coating,
h_c = t / coating_elements within COATING_BAND of the particle; farther out along the substrate
top, where the coating only rests on the substrate, its elements grow like every other size.

The Gmsh size fields are minimum-combined building blocks: near facets (h = size within a band,
then growing linearly with the distance, h = size + GROWTH·(d − band), up to far_size), a
constant restricted to a region and its boundary, and a ball (size inside, growing outside).
``base_fields`` gives what every model needs; the builders add their coating fields.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import gmsh

from nanoglue.config import Case, ElasticMaterial
from nanoglue.geometry import tags

GROWTH = 0.3
"""Size increase per unit distance away from a refined entity (neighbour size ratio ≈ 1.3)."""

WARN_RESOLUTION = 3.0
"""Fewest elements per cohesive-zone length before a warning: interface_size ≤ l_cz / 3."""

DEFAULT_RESOLUTION = 12.0
"""Elements per cohesive-zone length of the default mesh: h_i = l_cz / 12."""

COATING_BAND = 0.5
"""The coating keeps h_c within COATING_BAND·R of the particle surface (R: particle radius)."""

_INTERFACE_SIDES = {
    "particle_substrate": ("particle", "substrate"),
    "particle_coating": ("particle", "coating"),
    "coating_substrate": ("coating", "substrate"),
}


@dataclass(frozen=True)
class InterfaceSizing:
    """Cohesive-zone lengths l_cz [nm] of the case's interfaces and the element size h_i [nm]."""

    cohesive_lengths: dict[str, float]
    interface_size: float | None  # None: the case has no interface and none was asked for
    warnings: list[str] = field(default_factory=list)

    def size_of(self, interface: str) -> float:
        """h_X = h_i · l_cz(X) / min l_cz [nm]: the same elements per cohesive zone everywhere."""
        shortest = min(self.cohesive_lengths.values())
        return self.interface_size * self.cohesive_lengths[interface] / shortest


def plane_strain_modulus(material: ElasticMaterial) -> float:
    """E′ = E / (1 − ν²) [GPa]."""
    return material.young / (1.0 - material.poisson**2)


def cohesive_zone_length(case: Case, interface: str) -> float:
    """l_cz = E′·Gc/σc² [nm] of ``interface``, with E′ of its softer (smaller E′) side."""
    law = getattr(case.interfaces, interface)
    sides = _INTERFACE_SIDES[interface]
    softer = min(plane_strain_modulus(getattr(case.materials, side)) for side in sides)
    return softer * law.toughness / law.strength**2


def present_interfaces(case: Case) -> list[str]:
    """Names of the interfaces this case's geometry has."""
    present = []
    if case.has_substrate:
        present.append("particle_substrate")
    if case.has_coating:
        present.append("particle_coating")
    if case.has_coating and case.has_substrate:
        present.append("coating_substrate")
    return present


def interface_sizing(case: Case) -> InterfaceSizing:
    """l_cz per present interface; h_i = min l_cz / 12 or the user's size (with a warning when
    it leaves fewer than WARN_RESOLUTION elements per cohesive zone)."""
    lengths = {name: cohesive_zone_length(case, name) for name in present_interfaces(case)}
    requested = case.geometry.mesh.interface_size
    if requested is None:
        size = min(lengths.values()) / DEFAULT_RESOLUTION if lengths else None
        return InterfaceSizing(lengths, size)
    shortest = min(lengths.values(), default=math.inf)
    warnings = [
        f"geometry.mesh.interface_size = {requested:g} nm leaves {shortest / requested:.2g} "
        f"elements per cohesive zone (fewer than {WARN_RESOLUTION:g}) on every interface "
        f"({', '.join(lengths)}): the cohesive laws are under-resolved"
    ] if requested > shortest / WARN_RESOLUTION else []
    return InterfaceSizing(lengths, requested, warnings)


def coating_size(case: Case) -> float:
    """h_c = t / coating_elements [nm] (requires a coating)."""
    return case.geometry.coating.thickness / case.geometry.mesh.coating_elements


# ------------------------------------------------------------------------------ Gmsh fields
def base_fields(
    case: Case, sizing: InterfaceSizing, regions: Mapping[int, Sequence[int]], dim: int
) -> list[int]:
    """Fields every model needs: particle_size in and around the particle, h_X within one h_X
    of every interface X (whose physical groups must exist already), both growing to far_size.

    ``regions`` maps region id → entities of dimension ``dim``.
    """
    mesh = case.geometry.mesh
    particle = regions[tags.PARTICLE]
    fields = [
        restrict(dim, particle, constant_field(mesh.particle_size)),
        near_field(dim, boundary(particle, dim), mesh.particle_size, mesh.far_size),
    ]
    for name, tag in tags.INTERFACES.items():
        entities = physical_entities(dim - 1, tag)
        if entities and name in sizing.cohesive_lengths:
            h_x = min(sizing.size_of(name), mesh.far_size)
            fields.append(near_field(dim, entities, h_x, mesh.far_size, band=h_x))
    return fields


def set_background(fields: Sequence[int], far_size: float) -> None:
    """The minimum of ``fields`` sizes the mesh, capped at far_size; points and curvature don't."""
    combined = gmsh.model.mesh.field.add("Min")
    gmsh.model.mesh.field.setNumbers(combined, "FieldsList", list(fields))
    gmsh.model.mesh.field.setAsBackgroundMesh(combined)
    gmsh.option.setNumber("Mesh.MeshSizeMax", far_size)
    gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
    gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)


def near_field(
    dim: int, facets: Sequence[int], size: float, far_size: float, band: float = 0.0
) -> int:
    """h = size within ``band`` of the facet entities, then h = size + GROWTH·(d − band), up to
    far_size (a Threshold on a Distance field)."""
    fields = gmsh.model.mesh.field
    distance = fields.add("Distance")
    fields.setNumbers(distance, "CurvesList" if dim == 2 else "SurfacesList", list(facets))
    _set_sampling(distance, _sampling(dim - 1, facets, size))
    threshold = fields.add("Threshold")
    fields.setNumber(threshold, "InField", distance)
    fields.setNumber(threshold, "SizeMin", size)
    fields.setNumber(threshold, "SizeMax", max(far_size, size))
    fields.setNumber(threshold, "DistMin", band)
    fields.setNumber(threshold, "DistMax", band + max(far_size - size, 0.0) / GROWTH)
    return threshold


def largest(fields: Sequence[int]) -> int:
    """h = the largest size of ``fields`` (a Max field)."""
    combined = gmsh.model.mesh.field.add("Max")
    gmsh.model.mesh.field.setNumbers(combined, "FieldsList", list(fields))
    return combined


def constant_field(size: float) -> int:
    """h = size everywhere."""
    field_id = gmsh.model.mesh.field.add("MathEval")
    gmsh.model.mesh.field.setString(field_id, "F", repr(float(size)))
    return field_id


def ball_field(centre: Sequence[float], radius: float, inside: float, outside: float) -> int:
    """h = inside within ``radius`` of ``centre``, rising linearly (slope GROWTH) to outside."""
    fields = gmsh.model.mesh.field
    ball = fields.add("Ball")
    for name, value in zip(("XCenter", "YCenter", "ZCenter"), centre):
        fields.setNumber(ball, name, value)
    fields.setNumber(ball, "Radius", radius)
    fields.setNumber(ball, "Thickness", max(outside - inside, 0.0) / GROWTH)
    fields.setNumber(ball, "VIn", inside)
    fields.setNumber(ball, "VOut", outside)
    return ball


def restrict(dim: int, entities: Sequence[int], field_id: int) -> int:
    """``field_id`` applied only on the entities and their whole closure (facets, edges)."""
    fields = gmsh.model.mesh.field
    restricted = fields.add("Restrict")
    fields.setNumber(restricted, "InField", field_id)
    lists = {1: "CurvesList", 2: "SurfacesList", 3: "VolumesList"}
    closure = {dim: sorted(entities)}
    for lower in range(dim - 1, 0, -1):
        closure[lower] = boundary(closure[lower + 1], lower + 1)
    for entity_dim, members in closure.items():
        fields.setNumbers(restricted, lists[entity_dim], members)
    return restricted


def boundary(entities: Sequence[int], dim: int) -> list[int]:
    """Boundary entities (dimension dim − 1) of the entities."""
    facets = gmsh.model.getBoundary([(dim, e) for e in entities], combined=False, oriented=False)
    return sorted({abs(tag) for _, tag in facets})


def physical_entities(dim: int, tag: int) -> list[int]:
    """Entities of physical group (dim, tag); empty when the group does not exist."""
    if (dim, tag) not in gmsh.model.getPhysicalGroups(dim):
        return []
    return list(gmsh.model.getEntitiesForPhysicalGroup(dim, tag))


def _sampling(facet_dim: int, facets: Sequence[int], size: float) -> int:
    """Sample points per curve (or per surface direction): spacing ≤ size/2 on the longest one,
    at most 2000 per curve and 400² per surface."""
    longest = max(_extent(facet_dim, tag) for tag in facets)
    cap = 2000 if facet_dim == 1 else 400
    return int(min(max(math.ceil(2.0 * longest / size), 20), cap))


def _extent(dim: int, tag: int) -> float:
    """Length of a curve, or the bounding-box diagonal of a surface."""
    if dim == 1:
        return gmsh.model.occ.getMass(1, tag)
    x0, y0, z0, x1, y1, z1 = gmsh.model.getBoundingBox(dim, tag)
    return math.dist((x0, y0, z0), (x1, y1, z1))


def _set_sampling(distance: int, points: int) -> None:
    """Distance-field sampling density: 'Sampling' in Gmsh ≥ 4.10, 'NumPointsPerCurve' before."""
    try:
        gmsh.model.mesh.field.setNumber(distance, "Sampling", points)
    except Exception:  # Gmsh 4.8 raises a plain Exception for an unknown field option
        gmsh.model.mesh.field.setNumber(distance, "NumPointsPerCurve", points)
