"""Case → tagged Gmsh model (and .msh file): the one entry point of the geometry package.

``fem.mesh.build_mesh`` runs ``generate`` on rank 0 and distributes the mesh with DOLFINx.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import gmsh

from nanoglue.config import Case
from nanoglue.geometry import axisymmetric, fiber3d, tags
from nanoglue.geometry.session import gmsh_model
from nanoglue.geometry.sizing import InterfaceSizing, interface_sizing

# geometry.model → builder module; each provides DIM, regions(geometry), classify(geometry,
# facet, region) and size_fields(case, sizing, regions).
_BUILDERS: dict[str, ModuleType] = {"axisymmetric": axisymmetric, "quarter-3d": fiber3d}
DIMENSIONS = {model: builder.DIM for model, builder in _BUILDERS.items()}
"""geometry.model → dimension of its mesh."""


def write_msh(case: Case, path: Path) -> dict[str, int]:
    """Write the Gmsh mesh (.msh, with physical names) of ``case``; serial, no DOLFINx.

    Returns the tags present.
    """
    with gmsh_model(case.name):
        return generate(case, interface_sizing(case), path)


def generate(case: Case, sizing: InterfaceSizing, msh_path=None) -> dict[str, int]:
    """Geometry, physical groups, size fields and mesh in the current Gmsh model; optionally
    written to ``msh_path``. Returns the name → id of the tags present."""
    builder = _BUILDERS[case.geometry.model]
    regions = builder.regions(case.geometry)
    classify = partial(builder.classify, case.geometry)
    present = tags.add_physical_groups(regions, builder.DIM, classify)
    builder.size_fields(case, sizing, regions)
    gmsh.model.mesh.generate(builder.DIM)
    if msh_path is not None:
        Path(msh_path).parent.mkdir(parents=True, exist_ok=True)
        gmsh.write(str(msh_path))
    return present


def run_on_root(comm, task: Callable[[], Any]) -> Any:
    """Run ``task`` on rank 0 and broadcast its result; an error there is raised on every rank
    (the original on rank 0, a RuntimeError naming it elsewhere: not every error pickles)."""
    outcome: Any = None
    if comm.rank == 0:
        try:
            outcome = task()
        except Exception as err:
            comm.bcast(_Failure(f"{type(err).__name__}: {err}"), root=0)
            raise
    outcome = comm.bcast(outcome, root=0)
    if isinstance(outcome, _Failure):
        raise RuntimeError(f"mesh generation failed on rank 0: {outcome.message}")
    return outcome


@dataclass(frozen=True)
class _Failure:
    message: str
