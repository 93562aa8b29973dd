"""The layout of a case's model: which regions and interfaces its mesh holds, the symmetry
planes and clamps of the mechanics, and the particle centre — each fact once.

Regions and interfaces are named as in the schema (``config.Materials`` / ``config.Interfaces``
fields) and tagged as in ``geometry.tags``; an interface joins the regions (A, B) of
``tags.INTERFACE_REGIONS``, its normal pointing from A into B.
"""

from __future__ import annotations

from dataclasses import dataclass

from nanoglue.formulas import centre_height
from nanoglue.geometry import tags

# geometry.model → (symmetry planes (facet tag, component held), clamps (facet tag, component
# held, region) of the mechanics, the particle centre from its height z_c, whether `nanoglue run`
# supports it: the 3-D quarter model is meshed but its outputs are axisymmetric so far)
_MODELS = {
    "axisymmetric": (((tags.AXIS, 0),), ((tags.SUBSTRATE_BOTTOM, 1, tags.SUBSTRATE),),
                     lambda z_c: (0.0, z_c), True),
    "quarter-3d": (((tags.SYMMETRY_X, 0), (tags.SYMMETRY_Y, 1)),
                   ((tags.FIBER_ENDS, 0, tags.SUBSTRATE), (tags.FIBER_ENDS, 2, tags.SUBSTRATE)),
                   lambda z_c: (0.0, 0.0, z_c), False),
}


def runnable(model: str) -> bool:
    """Whether ``nanoglue run`` supports geometry.model ``model`` (else: meshing only)."""
    return _MODELS[model][3]


@dataclass(frozen=True)
class InterfacePair:
    """A present interface: its facet tag and the region tags (A, B) it joins."""

    tag: int
    regions: tuple[int, int]


@dataclass(frozen=True)
class Layout:
    """What the mesh of one case holds and how it is supported (module docstring)."""

    model: str
    regions: dict[str, int]  # present regions, name → tag (particle, substrate, coating order)
    interfaces: dict[str, InterfacePair]  # present interfaces, name → pair
    symmetry_planes: tuple[tuple[int, int], ...]
    clamps: tuple[tuple[int, int, int], ...]
    particle_centre: tuple[float, ...]

    def has(self, region: str) -> bool:
        return region in self.regions


def layout_of(geometry, present: dict[str, int]) -> Layout:
    """The layout of a config.Geometry meshed with the tags ``present`` (name → id)."""
    symmetry, clamps, centre, _ = _MODELS[geometry.model]
    regions = {name: tag for name, tag in tags.REGIONS.items() if name in present}
    interfaces = {name: InterfacePair(tag, tags.INTERFACE_REGIONS[tag])
                  for name, tag in tags.INTERFACES.items() if name in present}
    z_c = centre_height(geometry.particle_radius, geometry.crater_depth)
    return Layout(geometry.model, regions, interfaces, symmetry,
                  tuple(c for c in clamps if c[2] in regions.values()), centre(z_c))
