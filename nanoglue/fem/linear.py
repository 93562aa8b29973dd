"""PETSc linear solvers configured from the case's options (one place for the option plumbing),
and the check of those options before a run: PETSc itself builds a solver from them."""

from __future__ import annotations

import ctypes
import itertools
from pathlib import Path
from typing import Mapping, Optional

import petsc4py
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


def refused_options(options: Mapping) -> Optional[tuple[str, str]]:
    """(key, why) of the first of ``options`` PETSc refuses, None when it takes them all.

    A KSP is made from them (``linear_solver``) on a 4×4 SPD matrix, set up (the preconditioner
    or factorisation built) and used for one solve: an unknown solver or preconditioner type, a
    value of the wrong type or an unknown factorisation package is PETSc's error there. A key
    PETSc never read in doing so is not an option of its linear solvers (a misspelling, which
    PETSc itself would ignore silently)."""
    operator = PETSc.Mat().createAIJ([4, 4], nnz=1, comm=PETSc.COMM_SELF)
    for i in range(4):
        operator[i, i] = 2.0
    operator.assemble()
    ksp = None
    try:
        ksp = linear_solver(PETSc.COMM_SELF, operator, options, "check")
        ksp.setUp()
        ksp.cancelMonitor()  # a ksp_monitor of the user's is for the run, not this check
        rhs = operator.createVecLeft()
        rhs.set(1.0)
        ksp.solve(rhs, operator.createVecRight())
    except PETSc.Error as err:
        reason = str(err).strip().splitlines()[-1].lstrip("[0] ").strip()
        return "", f"PETSc refuses them (error {err.ierr}: {reason})"
    finally:
        prefix = ksp.getOptionsPrefix() if ksp is not None else None
        unread = [key for key in options if prefix and not _was_read(prefix + key)]
        _forget_checks()
        operator.destroy()
    if unread:
        return unread[0], "PETSc's linear solvers do not read this option (misspelt?)"
    return None


def _forget_checks() -> None:
    """Remove every option a check put in PETSc's database (also those of a check that
    failed before its KSP existed): PETSc would list them as unused when it finalises."""
    database = PETSc.Options()
    for name in database.getAll():
        if name.startswith("nanoglue_check_"):
            database.delValue(name)


def _was_read(name: str) -> bool:
    """Whether PETSc has read option ``name`` (PetscOptionsUsed: petsc4py ≥ 3.23 has it as
    ``Options.used``; before, it is called from the PETSc library petsc4py was built with)."""
    if hasattr(PETSc.Options, "used"):
        return PETSc.Options().used(name)
    library = _petsc_library()
    used = ctypes.c_int(0)  # PetscBool
    library.PetscOptionsUsed(None, name.encode(), ctypes.byref(used))
    return bool(used.value)


def _petsc_library() -> ctypes.CDLL:
    """The PETSc shared library petsc4py runs on (already loaded: the same options database)."""
    config = petsc4py.get_config()
    lib = Path(config["PETSC_DIR"]) / config.get("PETSC_ARCH", "") / "lib"
    return ctypes.CDLL(str(sorted(lib.glob("libpetsc*.so*"))[0]))
