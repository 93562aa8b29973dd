"""The direct solver's plumbing (nanoglue/solver/linear.py): factor options reach MUMPS, and a
factorisation that runs out of MUMPS workspace is redone with more instead of failing the step."""

import numpy as np
from petsc4py import PETSc

from nanoglue.fem.linear import _mumps_factor, factorize, linear_solver

LDLT = {"ksp_type": "preonly", "pc_type": "cholesky", "pc_factor_mat_solver_type": "mumps"}


def saddle_matrix(n: int = 2000) -> PETSc.Mat:
    """Symmetric indefinite [[ε₁, B], [Bᵀ, ε₂]] with tiny random diagonals: with a pivot
    threshold of 0.5 (MUMPS CNTL(1)) LDLᵀ delays most pivots, past MUMPS's workspace estimate."""
    rng = np.random.default_rng(0)
    matrix = PETSc.Mat().createAIJ([2 * n, 2 * n], nnz=8, comm=PETSc.COMM_SELF)
    for i in range(n):
        matrix.setValue(i, i, 1e-6 * rng.random())
        matrix.setValue(n + i, n + i, 1e-6 * rng.random())
        for j, weight in ((i, 1.0), ((i + 1) % n, rng.random()), ((i + 7) % n, rng.random())):
            matrix.setValue(i, n + j, weight)
            matrix.setValue(n + j, i, weight)
    matrix.assemble()
    return matrix


def test_factor_options_reach_mumps_at_every_factorisation():
    matrix = saddle_matrix(200)
    matrix.shift(10.0)  # diagonally dominant: no delayed pivots, no workspace retry
    for value in (5, 37):
        options = {**LDLT, "mat_mumps_icntl_14": value}
        ksp = factorize(linear_solver(PETSc.COMM_SELF, matrix, options, "t"), options, "t")
        assert _mumps_factor(ksp).getMumpsIcntl(14) == value
        matrix.scale(2.0)  # new values: the next set-up refactorises
        ksp = factorize(ksp, options, "t")
        assert _mumps_factor(ksp).getMumpsIcntl(14) == value


def test_a_workspace_shortfall_is_refactorised_with_more_workspace():
    matrix = saddle_matrix()
    options = {**LDLT, "mat_mumps_cntl_1": 0.5}
    plain = linear_solver(PETSc.COMM_SELF, matrix, options, "t")
    plain.setUp()
    assert _mumps_factor(plain).getMumpsInfog(1) == -9  # the failure this guards against
    ksp = factorize(linear_solver(PETSc.COMM_SELF, matrix, options, "t"), options, "t")
    factor = _mumps_factor(ksp)
    assert factor.getMumpsInfog(1) == 0 and factor.getMumpsIcntl(14) > 20
    rhs, solution = matrix.createVecs()
    rhs.set(1.0)
    ksp.solve(rhs, solution)
    residual = rhs.duplicate()
    matrix.mult(solution, residual)
    residual.axpy(-1.0, rhs)
    assert ksp.getConvergedReason() > 0
    assert residual.norm() < 1e-10 * rhs.norm()
