"""PETSc linear solvers configured from the case's options (one place for the option plumbing)."""

from __future__ import annotations

import itertools
from typing import Mapping

from petsc4py import PETSc

from nanoglue.config import Solver

DEFAULT_PETSC_OPTIONS: Mapping = Solver().petsc_options
MUMPS_WORKSPACE_ERRORS = (-8, -9)  # INFOG(1): a work array smaller than the pivots need
WORKSPACE_RETRIES = 4
_SOLVER_NUMBERS = itertools.count()  # one options prefix per KSP ever made


def linear_solver(comm, operator: PETSc.Mat, options: Mapping, name: str) -> PETSc.KSP:
    """A KSP on ``operator`` set up from PETSc ``options`` (e.g. ``{"pc_type": "lu"}``).

    The options go under a private prefix ``nanoglue_<name>_<n>_`` (n counts the KSPs made),
    so two solvers never see each other's options, and they stay in the database for the KSP's
    life: a direct solver's factor reads its own (e.g. ``mat_mumps_icntl_14``) whenever PETSc
    creates the factor, which PETSc 3.18 does again at every refactorisation. The operator is
    flagged symmetric for good (``pc_type: cholesky`` relies on it): both of nanoglue's are, by
    construction — transport M_L + Δt·K; mechanics with a symmetric consistent tangent (J2
    radial return), a lagged-damage secant cohesive traction and symmetric Dirichlet rows.
    """
    operator.setOption(PETSc.Mat.Option.SYMMETRIC, True)
    operator.setOption(PETSc.Mat.Option.SYMMETRY_ETERNAL, True)
    ksp = PETSc.KSP().create(comm)
    ksp.setOperators(operator)
    prefix = f"nanoglue_{name}_{next(_SOLVER_NUMBERS)}_"
    ksp.setOptionsPrefix(prefix)
    database = PETSc.Options(prefix)
    for key, value in options.items():
        database[key] = "" if value is None else value
    ksp.setFromOptions()
    return ksp


def factorize(ksp: PETSc.KSP, options: Mapping, name: str) -> PETSc.KSP:
    """Factorise the operator of ``ksp`` (made by ``linear_solver(…, options, name)``) and return
    the KSP to solve with: ``ksp`` itself, or a new one when MUMPS ran out of workspace.

    MUMPS sizes its work arrays in the analysis from the matrix structure, plus ICNTL(14) per
    cent. The symmetric indefinite LDLᵀ (``pc_type: cholesky``) may delay pivots for numerical
    stability beyond that estimate, and in parallel how many it delays depends on the partition
    (measured: 3 of ~90 builds of a 1 195-cell mesh on 3 ranks, DOLFINx 0.9, whose partitioner
    is not deterministic, failed with INFOG(1) = −9 on the first step). PETSc then never factorises that KSP again, so it is
    replaced by one with ICNTL(14) raised (×2 + 20), at most ``WORKSPACE_RETRIES`` times; any
    other failure is left to the caller's converged reason.
    """
    ksp.setUp()
    for _ in range(WORKSPACE_RETRIES):
        factor = _mumps_factor(ksp)
        if factor is None or factor.getMumpsInfog(1) not in MUMPS_WORKSPACE_ERRORS:
            return ksp
        options = {**options, "mat_mumps_icntl_14": 2 * factor.getMumpsIcntl(14) + 20}
        operator = ksp.getOperators()[0]
        ksp.destroy()
        ksp = linear_solver(operator.getComm(), operator, options, name)
        ksp.setUp()
    return ksp


def _mumps_factor(ksp: PETSc.KSP):
    """The MUMPS factor of a direct solve, None for any other solver."""
    pc = ksp.getPC()
    if pc.getType() not in ("lu", "cholesky") or pc.getFactorSolverType() != "mumps":
        return None
    return pc.getFactorMatrix()
