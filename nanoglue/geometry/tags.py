"""Physical-group ids of the mesh: regions (cells), interfaces and boundaries (facets).

Every id is defined once here; builders, physics and outputs import the names, never numbers.
Interfaces are interior facets shared by two regions; boundaries are exterior facets.

``fragment_regions`` makes the region shapes of a Gmsh OCC model conformal (a facet shared by two
regions becomes one entity); ``add_physical_groups`` then tags the regions and every facet entity:
a facet bounding two regions gets the interface id of that pair, a facet bounding one region the
boundary id that a builder-specific ``classify`` callback returns.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import gmsh

# regions (cell tags)
PARTICLE = 1
SUBSTRATE = 2
COATING = 3

# interfaces (interior facet tags, cohesive)
PARTICLE_SUBSTRATE = 11
PARTICLE_COATING = 12
COATING_SUBSTRATE = 13

# boundaries (exterior facet tags)
AXIS = 21  # r = 0 of the axisymmetric model
SUBSTRATE_BOTTOM = 22
PARTICLE_SURFACE = 23  # exposed particle surface (bare particle)
COATING_SURFACE = 24  # outer coating surface, its end included
SUBSTRATE_FREE = 25  # remaining substrate top and side
SYMMETRY_X = 31  # quarter-3d: plane x = 0
SYMMETRY_Y = 32  # quarter-3d: plane y = 0
FIBER_ENDS = 33  # quarter-3d: the cut end x = half_length (fiber and coating)

REGIONS = {"particle": PARTICLE, "substrate": SUBSTRATE, "coating": COATING}
INTERFACES = {
    "particle_substrate": PARTICLE_SUBSTRATE,
    "particle_coating": PARTICLE_COATING,
    "coating_substrate": COATING_SUBSTRATE,
}
BOUNDARIES = {
    "axis": AXIS,
    "substrate_bottom": SUBSTRATE_BOTTOM,
    "particle_surface": PARTICLE_SURFACE,
    "coating_surface": COATING_SURFACE,
    "substrate_free": SUBSTRATE_FREE,
    "symmetry_x": SYMMETRY_X,
    "symmetry_y": SYMMETRY_Y,
    "fiber_ends": FIBER_ENDS,
}
TAG_NAMES: dict[str, int] = {**REGIONS, **INTERFACES, **BOUNDARIES}
"""Every tag name → id (the keys of tags.json; interface names match config.Interfaces)."""

INTERFACE_REGIONS: dict[int, tuple[int, int]] = {
    PARTICLE_SUBSTRATE: (PARTICLE, SUBSTRATE),
    PARTICLE_COATING: (PARTICLE, COATING),
    COATING_SUBSTRATE: (COATING, SUBSTRATE),
}
"""Interface id → the two regions it joins."""

FREE_SURFACE: dict[int, int] = {
    PARTICLE: PARTICLE_SURFACE,
    COATING: COATING_SURFACE,
    SUBSTRATE: SUBSTRATE_FREE,
}
"""Region id → the id of its free (exterior, not otherwise classified) boundary."""

_INTERFACE_OF = {frozenset(pair): tag for tag, pair in INTERFACE_REGIONS.items()}

Classifier = Callable[[int, int], int]
"""``classify(facet_entity, region_id) -> boundary id`` for a facet bounding one region."""


def fragment_regions(shapes: Mapping[int, Sequence[tuple[int, int]]]) -> dict[int, list[int]]:
    """Fragment the OCC shapes of all regions together: region id → its entity tags afterwards."""
    pieces = [(region, dimtag) for region, shape in shapes.items() for dimtag in shape]
    if len(pieces) > 1:
        _, children = gmsh.model.occ.fragment([dimtag for _, dimtag in pieces], [])
    else:
        children = [[dimtag for _, dimtag in pieces]]
    gmsh.model.occ.synchronize()
    regions: dict[int, list[int]] = {region: [] for region in shapes}
    for (region, _), child in zip(pieces, children):
        regions[region] += [tag for _, tag in child]
    return regions


def add_physical_groups(
    regions: Mapping[int, Sequence[int]], dim: int, classify: Classifier
) -> dict[str, int]:
    """Physical groups for the regions (entities of ``dim``) and all their facets (``dim`` − 1).

    Returns the name → id of every group created, i.e. of the tags present in this model.
    """
    groups = {region: list(entities) for region, entities in regions.items() if entities}
    adjacency = _facet_regions(groups, dim)
    for facet, owners in sorted(adjacency.items()):
        if len(owners) == 1:
            tag = classify(facet, owners[0])
        elif owners[0] != owners[1]:
            tag = _INTERFACE_OF[frozenset(owners)]
        else:
            continue  # between two entities of one region: not a tagged facet
        groups.setdefault(tag, []).append(facet)
    names = {tag: name for name, tag in TAG_NAMES.items()}
    for tag, entities in groups.items():
        entity_dim = group_dim(tag, dim)
        gmsh.model.addPhysicalGroup(entity_dim, sorted(entities), tag)
        gmsh.model.setPhysicalName(entity_dim, tag, names[tag])
    return {names[tag]: tag for tag in sorted(groups)}


def group_dim(tag: int, dim: int) -> int:
    """Dimension of the physical group ``tag`` in a model of dimension ``dim``: ``dim`` for a
    region (cells), ``dim`` − 1 for an interface or a boundary (facets)."""
    return dim if tag in REGIONS.values() else dim - 1


def _facet_regions(regions: Mapping[int, Sequence[int]], dim: int) -> dict[int, list[int]]:
    """Facet entity → the region of each entity it bounds (one or two; more: non-manifold)."""
    adjacency: dict[int, list[int]] = {}
    for region, entities in regions.items():
        for entity in entities:
            boundary = gmsh.model.getBoundary([(dim, entity)], combined=False, oriented=False)
            for _, facet in boundary:
                adjacency.setdefault(abs(facet), []).append(region)
    bad = {facet: owners for facet, owners in adjacency.items() if len(owners) > 2}
    if bad:
        raise RuntimeError(f"facet entities shared by more than two regions: {bad}")
    return adjacency
