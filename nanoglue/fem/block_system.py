"""Newton's linear algebra for several displacement fields: block assembly, active dofs only.

Unknowns: fields u_0 … u_{n−1}, each a Function on its own copy of one vector Lagrange space
over the whole mesh (own copies, so that a Dirichlet condition of field i never applies to the
block rows of field j). Residual forms F_i (test function of field i) and Jacobian blocks
J_ij = ∂F_i/∂u_j (None where F_i does not depend on u_j) are assembled block-wise, so a region's
integral costs its own field's element matrix only (a single field of all regions' components
would insert an n²-times larger element matrix on every cell).

Only the *active* dofs are solved for: owned dofs of field i listed in ``active[i]`` (None: all
owned). The rest have no matrix entries at all (DOLFINx 0.5.2 gives them no diagonal either).
In DOLFINx's blocked layout the owned dof q of field i has the global row o_p + Σ_{j<i} m_j + q,
m_j = owned size × block size of field j, o_p = Σ over lower ranks of Σ_j m_j; the solved
system is the submatrix on the active rows and columns:

    J_AA Δu_A = F_A,   u_A ← u_A − Δu_A.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import numpy as np
from dolfinx import fem
from mpi4py import MPI
from petsc4py import PETSc

from nanoglue.fem import compat
from nanoglue.fem.linear import factorize, linear_solver
from nanoglue.timing import STOPWATCH


def _owned_size(space) -> int:
    return space.dofmap.index_map.size_local * space.dofmap.index_map_bs


class ActiveBlockSystem:
    """Assemble F_A and J_AA of ``fields`` and apply Newton corrections on the active dofs.

    ``residuals[i]``/``jacobians[i][j]``: UFL forms (None for zero blocks); ``bcs[i]``: Dirichlet
    conditions on field i (homogeneous: u already satisfies them, the correction is zero there);
    ``active[i]``: owned local dofs of field i to solve for (None: all)."""

    def __init__(self, fields: Sequence[fem.Function], residuals, jacobians, bcs,
                 active: Sequence[Optional[np.ndarray]], petsc_options, prefix: str,
                 linearize: Callable[[], None]):
        self.fields, self.comm = list(fields), fields[0].function_space.mesh.comm
        self._linearize = linearize  # brings the coefficients J reads (point tangents) up to date
        self._options, self._prefix = petsc_options, prefix
        self._residuals = [fem.form(F) for F in residuals]
        self._jacobian = fem.form(jacobians)
        self._field_bcs = [list(b) for b in bcs]
        self._all_bcs = [bc for b in self._field_bcs for bc in b]
        self._vectors = [compat.create_vector(F) for F in self._residuals]
        self._matrix = compat.create_block_matrix(self._jacobian)
        sizes = [_owned_size(f.function_space) for f in self.fields]
        self.active = [np.arange(size, dtype=np.int32) if dofs is None
                       else np.asarray(dofs, np.int32) for dofs, size in zip(active, sizes)]
        rank_offset = self.comm.exscan(sum(sizes), op=MPI.SUM) or 0
        field_offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        rows = np.concatenate([rank_offset + offset + dofs
                               for offset, dofs in zip(field_offsets, self.active)])
        self._active_set = PETSc.IS().createGeneral(rows.astype(PETSc.IntType), comm=self.comm)
        self._slices = np.cumsum([0] + [dofs.size for dofs in self.active])
        self._rhs = PETSc.Vec().createMPI((int(self._slices[-1]), PETSc.DECIDE), comm=self.comm)
        self._correction = self._rhs.duplicate()
        self._operator, self._ksp = None, None
        self.factorizations = 0  # Jacobians factorised so far
        self._reusable = False  # the factorisation belongs to an iterate of the current path

    @property
    def num_active_dofs(self) -> int:
        """Number of solved-for dofs (global): the size of the reduced system."""
        return self._active_set.getSize()

    def residual_norm(self) -> float:
        """‖F_A‖ at the current fields (zero on constrained dofs)."""
        with STOPWATCH.section("assembly"):
            for k, (vector, form) in enumerate(zip(self._vectors, self._residuals)):
                with vector.localForm() as local:
                    local.set(0.0)
                compat.assemble_vector_into(vector, form)
                vector.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
                compat.set_bc(vector, self._field_bcs[k])
                self._rhs.array[self._slices[k]:self._slices[k + 1]] = vector.array[self.active[k]]
        return self._rhs.norm()

    def correct(self, refresh: bool = True) -> int:
        """u_A ← u_A − J_AA⁻¹ F_A with the F_A of the last ``residual_norm`` and J at the current
        fields, or (``refresh`` False) the last factorised J, a modified-Newton correction;
        returns the KSP converged reason (< 0: failed, fields unchanged)."""
        if refresh or not self._reusable:
            self._factor()
        with STOPWATCH.section("linear_solve"):
            self._ksp.solve(self._rhs, self._correction)
        reason = self._ksp.getConvergedReason()
        if reason >= 0:
            self._add_correction(-1.0)
        return reason

    def retract(self, fraction: float) -> None:
        """u_A ← u_A + fraction·Δu_A: take back part of the last correction (backtracking)."""
        self._add_correction(fraction)

    def _add_correction(self, factor: float) -> None:
        """u_A ← u_A + factor·Δu_A, ghosts updated."""
        correction = self._correction.array
        for k, field in enumerate(self.fields):
            part = correction[self._slices[k]:self._slices[k + 1]]
            field.x.array[self.active[k]] += factor * part
            field.x.scatter_forward()

    def _factor(self) -> None:
        """Assemble J at the current fields, take its active submatrix and factorise it (the
        symbolic part is reused: the sparsity never changes)."""
        self._linearize()
        with STOPWATCH.section("assembly"):
            self._matrix.zeroEntries()
            compat.assemble_block_matrix(self._matrix, self._jacobian, self._all_bcs)
            self._matrix.assemble()
            self._operator = self._matrix.createSubMatrix(self._active_set, self._active_set,
                                                          submat=self._operator)
        if self._ksp is None:
            self._ksp = linear_solver(self.comm, self._operator, self._options, self._prefix)
        self._ksp.setOperators(self._operator)
        with STOPWATCH.section("factorization"):
            self._ksp = factorize(self._ksp, self._options, self._prefix)
        self.factorizations += 1
        self._reusable = True

    def state(self) -> list[np.ndarray]:
        """Copies of the fields' local arrays (ghosts included)."""
        return [field.x.array.copy() for field in self.fields]

    def restore(self, state: Sequence[np.ndarray]) -> None:
        """Fields back to ``state``; the next correction factorises afresh (the last J may be
        of a diverged iterate)."""
        self.forget_factorization()
        for field, values in zip(self.fields, state):
            field.x.array[:] = values

    def forget_factorization(self) -> None:
        """The next correction factorises afresh (the fields were set from outside)."""
        self._reusable = False
