"""Case → tagged Gmsh model (and .msh file): the one entry point of the geometry package.

``mesh_model`` generates the case's mesh, or reads the one ``geometry.mesh.file`` names and checks
it against the case (``mesh_file``); ``fem.mesh.build_mesh`` runs it on rank 0 and distributes
the mesh with DOLFINx.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Optional

import gmsh

from nanoglue.config import Case
from nanoglue.errors import CaseError
from nanoglue.geometry import axisymmetric, fiber3d, mesh_file, tags
from nanoglue.geometry.layout import layout_of
from nanoglue.geometry.sizing import InterfaceSizing

# geometry.model → builder module; each provides DIM, regions(geometry), classify(geometry,
# facet, region), size_fields(case, sizing, regions) and coating_parts(case, volume) (the
# coating's (volume, element size) parts, for ``estimate``).
_BUILDERS: dict[str, ModuleType] = {"axisymmetric": axisymmetric, "quarter-3d": fiber3d}
DIMENSIONS = {model: builder.DIM for model, builder in _BUILDERS.items()}
"""geometry.model → dimension of its mesh."""


def mesh_model(case: Case, sizing: InterfaceSizing, msh_path: Optional[Path] = None
               ) -> dict[str, int]:
    """The case's mesh in the current Gmsh model: read from ``geometry.mesh.file`` when the case
    names one (a CaseError when it does not fit the case), generated otherwise. Optionally
    written to ``msh_path`` (.msh with physical names: a file ``geometry.mesh.file`` reads back
    unchanged). Returns the name → id of the tags present."""
    source = case.geometry.mesh.file
    present = read(case, source) if source is not None else generate(case, sizing)
    if msh_path is not None:
        Path(msh_path).parent.mkdir(parents=True, exist_ok=True)
        gmsh.write(str(msh_path))
    return present


def builder_of(case: Case) -> ModuleType:
    """The builder module of ``case``'s geometry.model."""
    return _BUILDERS[case.geometry.model]


def generate(case: Case, sizing: InterfaceSizing) -> dict[str, int]:
    """Geometry, physical groups, size fields and mesh of ``case`` in the current Gmsh model.
    Returns the name → id of the tags present."""
    builder = builder_of(case)
    regions, present = tagged_geometry(case)
    builder.size_fields(case, sizing, regions)
    gmsh.model.mesh.generate(builder.DIM)
    return present


def read(case: Case, path: Path) -> dict[str, int]:
    """The mesh in the .msh file ``path``, merged into the current Gmsh model, once it is known
    to be a mesh of ``case`` (``mesh_file``). Returns the name → id of the tags present."""
    _, expected = tagged_geometry(case)  # the groups this case's geometry has (not meshed)
    gmsh.clear()  # an empty model for the file
    centre = layout_of(case.geometry, expected).particle_centre
    return mesh_file.load(Path(path), expected, DIMENSIONS[case.geometry.model], centre,
                          case.geometry.particle_radius)


def tagged_geometry(case: Case) -> tuple[dict[int, list[int]], dict[str, int]]:
    """The case's regions with their physical groups in the current Gmsh model, not meshed:
    region id → entity tags, and the name → id of the groups."""
    builder = builder_of(case)
    regions = builder.regions(case.geometry)
    classify = partial(builder.classify, case.geometry)
    return regions, tags.add_physical_groups(regions, builder.DIM, classify)


def run_on_root(comm, task: Callable[[], Any]) -> Any:
    """Run ``task`` on rank 0 and broadcast its result; an error there is raised on every rank:
    the original on rank 0; elsewhere the same CaseError (a user error: every rank exits with
    it), or a RuntimeError naming any other error (not every error pickles)."""
    outcome: Any = None
    if comm.rank == 0:
        try:
            outcome = task()
        except CaseError as err:
            comm.bcast(_Failure(str(err), (err.path, err.reason)), root=0)
            raise
        except Exception as err:
            comm.bcast(_Failure(f"{type(err).__name__}: {err}"), root=0)
            raise
    outcome = comm.bcast(outcome, root=0)
    if isinstance(outcome, _Failure):
        if outcome.case_error is not None:
            raise CaseError(*outcome.case_error)
        raise RuntimeError(f"mesh generation failed on rank 0: {outcome.message}")
    return outcome


@dataclass(frozen=True)
class _Failure:
    message: str
    case_error: Optional[tuple[str, str]] = None  # (path, reason) of a CaseError
