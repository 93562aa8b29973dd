"""The software stack a run used: what ``nanoglue --version`` prints and summary.json records.

A result from a finite-element code is only reproducible with the versions that made it: the
FEniCSx components (DOLFINx, Basix, UFL, FFCx, which generate and run the element kernels), the
linear algebra (PETSc through petsc4py), MPI, the mesher (Gmsh: a new version meshes the same
geometry differently) and numpy. Reading versions only — which API to call is fem/compat's job.
"""

from __future__ import annotations

import platform


def software_versions() -> dict[str, str]:
    """Name → version of every package a run depends on, nanoglue first."""
    import basix
    import dolfinx
    import ffcx
    import mpi4py
    import numpy
    import petsc4py
    import ufl
    from mpi4py import MPI
    from petsc4py import PETSc

    from nanoglue import __version__
    from nanoglue.geometry.session import gmsh_version

    petsc = ".".join(str(part) for part in PETSc.Sys.getVersion())
    return {
        "nanoglue": __version__,
        "dolfinx": dolfinx.__version__,
        "basix": basix.__version__,
        "ufl": ufl.__version__,
        "ffcx": ffcx.__version__,
        "petsc": petsc,
        "petsc4py": petsc4py.__version__,
        "mpi4py": mpi4py.__version__,
        "mpi": MPI.Get_library_version().split(",")[0].splitlines()[0].strip("\x00 "),
        "gmsh": gmsh_version(),
        "numpy": numpy.__version__,
        "python": platform.python_version(),
    }

