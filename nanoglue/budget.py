"""Refuse a case this machine cannot hold, before anything is meshed or written.

The cell count comes from ``geometry.estimate`` (the sizes and the geometry's measures, no
mesh); the memory from what this code was measured to need (docs/architecture.md, "Mesh size
before meshing"; DOLFINx 0.5.2, 2-D runs of 2.8–8.9 k cells, 3-D meshing of 265 k tetrahedra):

    run   M ≈ RUN_BASE·ranks + RUN_PER_REGION_CELL · cells · regions
          (Python, DOLFINx, PETSc and the compiled forms per rank; every region's fields, its
          forms' data and the factorisation scale with the whole mesh today)
    mesh  M ≈ MESH_BASE + MESH_PER_CELL · cells   (Gmsh on rank 0)

compared with the memory of the machine the ranks run on (every node's physical memory once,
or a smaller cgroup limit: a container's). Past it the case is refused (exit 2, the field whose
size asks for most of the cells named) unless ``--allow-large``.
"""

from __future__ import annotations

import os
from pathlib import Path

from mpi4py import MPI

from nanoglue.config import Case
from nanoglue.errors import CaseError
from nanoglue.geometry.build import run_on_root
from nanoglue.geometry.estimate import CellEstimate, estimate_cells
from nanoglue.geometry.layout import runnable

MIB = 2.0**20
RUN_BASE = 400 * MIB  # [bytes per rank]
RUN_PER_REGION_CELL = 24 * 1024.0  # [bytes per cell and region]
MESH_BASE = 500 * MIB  # [bytes]
MESH_PER_CELL = 3 * 1024.0  # [bytes per cell]
CGROUP_LIMIT = Path("/sys/fs/cgroup/memory.max")


def memory_needed(case: Case, estimate: CellEstimate, ranks: int) -> float:
    """Peak memory [bytes] of running ``case`` on ``ranks`` ranks (meshing only, for a model
    that cannot be run yet), all ranks together."""
    if not runnable(case.geometry.model):
        return MESH_BASE + MESH_PER_CELL * estimate.cells
    return RUN_BASE * ranks + RUN_PER_REGION_CELL * estimate.cells * estimate.regions


def machine_memory(comm=MPI.COMM_WORLD) -> float:
    """Physical memory [bytes] of the nodes ``comm``'s ranks run on, each node counted once
    (a cgroup limit instead where it is smaller). Collective."""
    node = comm.Split_type(MPI.COMM_TYPE_SHARED)
    local = _node_memory() if node.rank == 0 else 0.0
    node.Free()
    return comm.allreduce(local, op=MPI.SUM)


def _node_memory() -> float:
    physical = float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    try:
        limit = CGROUP_LIMIT.read_text().strip()
    except OSError:
        return physical
    return min(physical, float(limit)) if limit.isdigit() else physical


def check_size(case: Case, allow_large: bool, comm=MPI.COMM_WORLD) -> CellEstimate | None:
    """The estimate of ``case``'s mesh (None for a mesh read from a file); a CaseError naming
    the dominant size field when the run would need more memory than the machine has, unless
    ``allow_large``. Collective (Gmsh on rank 0)."""
    if case.geometry.mesh.file is not None:
        return None
    estimate = run_on_root(comm, lambda: estimate_cells(case))
    needed, available = memory_needed(case, estimate, comm.size), machine_memory(comm)
    if needed > available and not allow_large:
        share = estimate.by_field[estimate.dominant] / estimate.cells
        raise CaseError(estimate.dominant, (
            f"the mesh would have ~{estimate.cells:.3g} cells ({share:.0%} of them from this "
            f"size; estimated before meshing) and need ~{needed / 2**30:.3g} GiB, more than the "
            f"{available / 2**30:.3g} GiB this machine has: coarsen the mesh, or give "
            "--allow-large to try anyway"))
    return estimate
