"""Case → tagged, distributed DOLFINx mesh: the one entry point from a case to a mesh.

Gmsh runs on rank 0 only (``geometry.build.mesh_model`` inside one ``gmsh_model`` session: the
case's mesh generated, or read from ``geometry.mesh.file``); DOLFINx distributes the mesh to
every rank of ``comm`` with shared-facet ghosts (``compat.mesh_from_gmsh``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import gmsh
from mpi4py import MPI

from nanoglue.config import Case
from nanoglue.fem import compat
from nanoglue.geometry.build import DIMENSIONS, mesh_model, run_on_root
from nanoglue.geometry.session import gmsh_model
from nanoglue.geometry.sizing import interface_sizing


@dataclass
class MeshBundle:
    """A distributed mesh with its tags and how it was sized.

    ``tags`` maps the name of every region/interface/boundary present to its id (see
    ``nanoglue.geometry.tags``); ``cohesive_lengths`` is l_cz [nm] per interface present and
    ``interface_size`` the element size h_i [nm] asked for along interfaces (None for a mesh
    read from a file: nothing was asked for). ``msh_path``: the .msh written, if any.
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
    """Mesh ``case`` (or read its ``geometry.mesh.file``) on rank 0 with Gmsh, distribute it
    over ``comm``. A file that does not fit the case is a CaseError on every rank.

    If ``msh_path`` is given, rank 0 also writes the Gmsh mesh there (.msh).
    """
    start = time.perf_counter()
    sizing = interface_sizing(case)
    gdim = DIMENSIONS[case.geometry.model]
    with gmsh_model(case.name):
        present = run_on_root(comm, lambda: mesh_model(case, sizing, msh_path))
        mesh, cell_tags, facet_tags = compat.mesh_from_gmsh(gmsh.model, comm, 0, gdim)
    cell_tags.name, facet_tags.name = "regions", "facets"
    seconds = comm.allreduce(time.perf_counter() - start, op=MPI.MAX)
    generated = case.geometry.mesh.file is None  # a file's mesh was not sized by the case
    return MeshBundle(
        mesh=mesh,
        cell_tags=cell_tags,
        facet_tags=facet_tags,
        gdim=gdim,
        tags=present,
        cohesive_lengths=sizing.cohesive_lengths,
        interface_size=sizing.interface_size if generated else None,
        warnings=list(sizing.warnings) if generated else [],
        build_seconds=seconds,
        msh_path=Path(msh_path) if msh_path is not None else None,
    )
