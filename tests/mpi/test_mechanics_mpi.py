"""Mechanics in parallel: run by `make test-mpi` under `mpirun -n 2` (marked `mpi`).

The core–shell misfit (Lamé) on a distributed mesh: the same core pressure and shell stresses as
the analytic solution, within the serial test's 1 % of max|σ|, and the same Newton history.
"""

import pytest
from mpi4py import MPI

from tests.verification.analytic import core_shell_misfit
from tests.verification.test_mechanics_elastic import (
    A, BETA, T, core_shell_errors, core_shell_problem,
)

pytestmark = pytest.mark.mpi


def test_distributed_core_shell_pressure():
    assert MPI.COMM_WORLD.size >= 2, "run me under mpirun -n 2"
    problem, case = core_shell_problem(MPI.COMM_WORLD)
    result = problem.solve()
    assert result.converged and result.iterations == 1, result
    m = case.materials
    reference = core_shell_misfit(A, A + T, m.particle.young, m.particle.poisson,
                                  m.coating.young, m.coating.poisson, BETA * 0.05 / 3.0)
    errors = core_shell_errors(problem, reference)
    assert errors["pressure"] < 0.01 and errors["core"] < 0.01, errors
    assert max(errors.values()) < 0.01, errors
