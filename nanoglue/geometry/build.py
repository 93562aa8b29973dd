"""Case → tagged DOLFINx mesh: the one entry point of the geometry package.

Gmsh runs on rank 0 only (inside one ``gmsh_model`` session); DOLFINx distributes the mesh to
every rank of ``comm`` with shared-facet ghosts (``compat.mesh_from_gmsh``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Optional

import gmsh
from mpi4py import MPI

from nanoglue.config import Case
from nanoglue.fem import compat
from nanoglue.geometry import axisymmetric, fiber3d, tags
from nanoglue.geometry.session import gmsh_model
from nanoglue.geometry.sizing import InterfaceSizing, interface_sizing

# geometry.model → builder module; each provides DIM, regions(geometry), classify(geometry,
# facet, region) and size_fields(case, sizing, regions).
_BUILDERS: dict[str, ModuleType] = {"axisymmetric": axisymmetric, "quarter-3d": fiber3d}


@dataclass
class MeshBundle:
    """A distributed mesh with its tags and how it was sized.

    ``tags`` maps the name of every region/interface/boundary present to its id (see
    ``nanoglue.geometry.tags``); ``cohesive_lengths`` is l_cz [nm] per interface present and
    ``interface_size`` the element size h_i [nm] asked for along interfaces.
    """

    mesh: Any
    cell_tags: Any
    facet_tags: Any
    gdim: int
    tags: dict[str, int]
    cohesive_lengths: dict[str, float]
    interface_size: Optional[float]
    warnings: list[str] = field(default_factory=list)
    build_seconds: float = 0.0
    msh_path: Optional[Path] = None


def build_mesh(case: Case, comm=MPI.COMM_WORLD, msh_path: Optional[Path] = None) -> MeshBundle:
    """Mesh ``case`` on rank 0 with Gmsh, distribute it over ``comm``.

    If ``msh_path`` is given, rank 0 also writes the Gmsh model and mesh there (.msh).
    """
    start = time.perf_counter()
    sizing = interface_sizing(case)
    builder = _BUILDERS[case.geometry.model]
    gdim = builder.DIM
    with gmsh_model(case.name):
        present = _run_on_root(comm, lambda: _generate(builder, case, sizing, msh_path))
        mesh, cell_tags, facet_tags = compat.mesh_from_gmsh(gmsh.model, comm, 0, gdim)
    cell_tags.name, facet_tags.name = "regions", "facets"
    seconds = comm.allreduce(time.perf_counter() - start, op=MPI.MAX)
    return MeshBundle(
        mesh=mesh,
        cell_tags=cell_tags,
        facet_tags=facet_tags,
        gdim=gdim,
        tags=present,
        cohesive_lengths=sizing.cohesive_lengths,
        interface_size=sizing.interface_size,
        warnings=list(sizing.warnings),
        build_seconds=seconds,
        msh_path=Path(msh_path) if msh_path is not None else None,
    )


def write_msh(case: Case, path: Path) -> dict[str, int]:
    """Write the Gmsh mesh (.msh, with physical names) of ``case``; serial, no DOLFINx.

    Returns the tags present.
    """
    builder = _BUILDERS[case.geometry.model]
    with gmsh_model(case.name):
        return _generate(builder, case, interface_sizing(case), path)


def _generate(builder: ModuleType, case: Case, sizing: InterfaceSizing, msh_path) -> dict[str, int]:
    """Geometry, physical groups, size fields and mesh in the current Gmsh model; optionally
    written to ``msh_path``. Returns the name → id of the tags present."""
    regions = builder.regions(case.geometry)
    classify = partial(builder.classify, case.geometry)
    present = tags.add_physical_groups(regions, builder.DIM, classify)
    builder.size_fields(case, sizing, regions)
    gmsh.model.mesh.generate(builder.DIM)
    if msh_path is not None:
        Path(msh_path).parent.mkdir(parents=True, exist_ok=True)
        gmsh.write(str(msh_path))
    return present


def _run_on_root(comm, task: Callable[[], Any]) -> Any:
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
