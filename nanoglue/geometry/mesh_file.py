"""A user's Gmsh .msh file (``geometry.mesh.file``), read into the current Gmsh model and checked
against the case before anything runs on it.

A file is accepted when `nanoglue mesh` could have written it for this case:

* its physical groups are exactly those the case's geometry gets (``build.read`` passes them in:
  the builder tags the case's geometry without meshing it), each with its name, dimension and id
  of ``geometry.tags`` — a missing interface, a coating in a bare case or a renumbered region
  would otherwise be run silently as something else;
* every node on the particle's surface (its interfaces and its free surface) lies within
  ``RADIUS_TOLERANCE``·R of the case's particle centre (``layout``): a mesh of another particle
  radius or crater depth is refused. Nodes of a mesh written by Gmsh lie on the circle (sphere)
  to round-off; the tolerance leaves room for a mesh refined by hand (a chord's sag is h²/8R,
  2.5e-4·R for 4 nm elements on R = 90 nm). The coating and substrate dimensions are not checked.

Every refusal is one CaseError on ``geometry.mesh.file``. Serial: rank 0 calls this.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import gmsh
import numpy as np

from nanoglue.errors import CaseError
from nanoglue.geometry import tags

FIELD = "geometry.mesh.file"
RADIUS_TOLERANCE = 1e-3
"""Largest |distance − R| / R of a particle-surface node from the particle centre [-]."""


def load(path: Path, expected: Mapping[str, int], dim: int, centre: Sequence[float],
         radius: float) -> dict[str, int]:
    """Merge the mesh in ``path`` into the current (empty) Gmsh model and check it against the
    case: ``expected`` name → id of its groups, model dimension ``dim``, particle ``centre`` and
    ``radius`` [nm]. Returns the name → id of the tags present (``expected``)."""
    _merge(path)
    _check_groups(path, expected, dim)
    _check_particle(path, expected, dim, centre, radius)
    return dict(expected)


def _merge(path: Path) -> None:
    if not path.exists():
        raise CaseError(FIELD, f"{path}: file not found")
    if path.suffix != ".msh" or not path.is_file():
        raise CaseError(FIELD, f"{path} is not a Gmsh .msh file")
    try:
        gmsh.merge(str(path))
    except Exception as err:  # Gmsh raises a bare Exception with its last error message
        raise CaseError(FIELD, f"{path} cannot be read by Gmsh ({err})") from None
    if gmsh.model.mesh.getNodes()[0].size == 0:
        raise CaseError(FIELD, f"{path} holds no mesh (mesh the model in Gmsh, then save)")


def _check_groups(path: Path, expected: Mapping[str, int], dim: int) -> None:
    """The file's physical groups are the case's, by name, dimension and id."""
    found = {gmsh.model.getPhysicalName(d, tag) or f"unnamed id {tag}": (d, tag)
             for d, tag in gmsh.model.getPhysicalGroups()}
    for name, tag in expected.items():
        want = (tags.group_dim(tag, dim), tag)
        if name not in found:
            raise CaseError(FIELD, f"{path} has no physical group '{name}' ({_kind(want, dim)}), "
                            f"which this case needs: it has {', '.join(expected)}")
        if found[name] != want:
            raise CaseError(FIELD, f"{path}: physical group '{name}' is {_kind(found[name], dim)}"
                            f"; nanoglue's is {_kind(want, dim)} (geometry/tags.py)")
    extra = [name for name in found if name not in expected]
    if extra:
        raise CaseError(FIELD, f"{path} has physical groups this case does not have: "
                        f"{', '.join(extra)} (it has {', '.join(expected)})")


def _kind(group: tuple[int, int], dim: int) -> str:
    """'cells, id 1' / 'facets, id 11' / 'dimension 0, id 7' for a (dimension, id) group."""
    entity = {dim: "cells", dim - 1: "facets"}.get(group[0], f"dimension {group[0]}")
    return f"{entity}, id {group[1]}"


def _check_particle(path: Path, present: Mapping[str, int], dim: int, centre: Sequence[float],
                    radius: float) -> None:
    """Every node on the particle surface is R from the particle centre (module docstring)."""
    surface = [tag for tag, pair in tags.INTERFACE_REGIONS.items() if tags.PARTICLE in pair]
    surface.append(tags.FREE_SURFACE[tags.PARTICLE])
    points = np.concatenate([gmsh.model.mesh.getNodesForPhysicalGroup(dim - 1, tag)[1]
                             for tag in surface if tag in present.values()]).reshape(-1, 3)
    origin = np.zeros(3)
    origin[: len(centre)] = centre
    distance = np.linalg.norm(points - origin, axis=1)
    low, high = float(distance.min()), float(distance.max())
    if max(abs(low - radius), abs(high - radius)) > RADIUS_TOLERANCE * radius:
        where = ", ".join(f"{x:g}" for x in centre)
        raise CaseError(FIELD, f"the particle surface of {path} lies {low:.5g}–{high:.5g} nm from "
                        f"the case's particle centre ({where}) nm, not at geometry.particle_radius "
                        f"= {radius:g} nm (±{RADIUS_TOLERANCE:.1%}): a mesh of another particle "
                        "radius or crater depth")
