"""PETSc linear solvers configured from the case's options (one place for the option plumbing)."""

from __future__ import annotations

from typing import Mapping

from petsc4py import PETSc

from nanoglue.config import Solver

DEFAULT_PETSC_OPTIONS: Mapping = Solver().petsc_options


def linear_solver(comm, operator: PETSc.Mat, options: Mapping, name: str) -> PETSc.KSP:
    """A KSP on ``operator`` set up from PETSc ``options`` (e.g. ``{"pc_type": "lu"}``).

    The options go under a private prefix ``nanoglue_<name>_<id>_`` and are removed from the
    global database afterwards, so two solvers never see each other's options. The operator is
    flagged symmetric for good (``pc_type: cholesky`` relies on it): both of nanoglue's are, by
    construction — transport M_L + Δt·K; mechanics with a symmetric consistent tangent (J2
    radial return), a lagged-damage secant cohesive traction and symmetric Dirichlet rows.
    """
    operator.setOption(PETSc.Mat.Option.SYMMETRIC, True)
    operator.setOption(PETSc.Mat.Option.SYMMETRY_ETERNAL, True)
    ksp = PETSc.KSP().create(comm)
    ksp.setOperators(operator)
    prefix = f"nanoglue_{name}_{id(ksp)}_"
    ksp.setOptionsPrefix(prefix)
    database = PETSc.Options(prefix)
    for key, value in options.items():
        database[key] = "" if value is None else value
    ksp.setFromOptions()
    for key in options:
        database.delValue(key)
    return ksp
