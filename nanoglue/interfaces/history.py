"""Damage history of one cohesive interface: nodal max-opening κ and lagged damage d (CG1).

Irreversibility: κ = max over time of the effective opening δ, stored at the interface vertices
as a CG1 function. Why nodal: DOLFINx 0.5–0.9 have no facet-quadrature space, a CG1 function
needs no version-specific code, its dofs coincide with the P1 displacement vertices, and a
vertex value is unique although the facet's '+'/'−' cells differ. The jump at a vertex is well
defined because both fields are continuous; the normal there is the lumped projection of n_AB
(``NodalNormal``), which equals the facet normal on a flat interface.

Lagged damage (design §8): solve with d fixed, ``update`` sets κ_trial = max(κ_n, δ) and
d = d(κ_trial); repeat until max |Δd| < tol, then ``commit``. A viscous law relaxes d towards
d(κ) over the time η (``update(relaxation)``).
"""

from __future__ import annotations

import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI

from nanoglue.fem import compat


def interface_dofs(space, facet_tags, tag: int) -> np.ndarray:
    """Local dofs of ``space`` on the facets tagged ``tag`` (ghosts included)."""
    fdim = space.mesh.topology.dim - 1
    space.mesh.topology.create_connectivity(fdim, fdim + 1)
    return fem.locate_dofs_topological(space, fdim, facet_tags.indices[facet_tags.values == tag])


def facet_cells(mesh, facets: np.ndarray) -> np.ndarray:
    """Local cells (ghosts included) that have one of ``facets``: every vertex of the facets
    lies in one of them, so nodal values there can be interpolated on these cells alone."""
    fdim = mesh.topology.dim - 1
    mesh.topology.create_connectivity(fdim, fdim + 1)
    to_cells = mesh.topology.connectivity(fdim, fdim + 1)
    cells = [to_cells.links(f) for f in facets]
    return np.unique(np.concatenate(cells)).astype(np.int32) if cells else np.zeros(0, np.int32)


class NodalNormal:
    """CG1 unit normal at the interface vertices: n_i = m_i/|m_i|, m_i = ∫ n φ_i dS, the
    lumped projection of a facet normal n (UFL, on '+'); ``update()`` recomputes it (once for a
    fixed normal; before each damage update for one that moves with the deformation)."""

    def __init__(self, mesh, normal, dS, vertex_dofs: np.ndarray):
        space = compat.lagrange_space(mesh, 1, (mesh.geometry.dim,))
        self._form = fem.form(ufl.dot(normal, ufl.TestFunction(space)("+")) * dS)
        self._vertices, self._gdim = vertex_dofs, mesh.geometry.dim
        self.function = fem.Function(space)
        self.update()

    def update(self) -> fem.Function:
        m = compat.assemble_owned_sum(self._form).reshape(-1, self._gdim)[self._vertices]
        self.function.x.array.reshape(-1, self._gdim)[self._vertices] = (
            m / np.linalg.norm(m, axis=1)[:, None])
        return self.function


class InterfaceHistory:
    """Nodal κ and lagged d of one interface (module docstring).

    ``effective_opening``: the law's δ as a cell expression of the jump (nodal normal inside);
    ``damage``: the law's d(κ) as a function of a UFL κ. ``d`` is the function the traction
    uses; ``update`` returns max |Δd| (all ranks); ``commit`` accepts κ_trial as κ_n.
    """

    def __init__(self, mesh, vertices, cells, effective_opening, damage):
        space = compat.lagrange_space(mesh, 1)
        self.comm, self.vertices, self._cells = mesh.comm, vertices, cells
        self.kappa, self.d = fem.Function(space), fem.Function(space)
        self._kappa_trial, self._opening, self._d_new, self.d_committed = (
            fem.Function(space) for _ in range(4))
        self._delta_expr = compat.expression(effective_opening, space)
        self._damage_expr = compat.expression(damage(self._kappa_trial), space)

    def update(self, relaxation: float = 1.0) -> float:
        """κ_trial = max(κ_n, δ), d ← d_n + ρ (d(κ_trial) − d_n) on the interface vertices;
        returns max |Δd| of this update. ρ = 1: rate-independent damage; ρ = Δt/(η + Δt) is
        the backward-Euler step of the viscous law ḋ = (d(κ) − d)/η (Duvaut–Lions type), which
        spreads an unstable debonding event over the time η instead of one load step."""
        compat.interpolate_expression(self._opening, self._delta_expr, self._cells)
        gamma = self.vertices
        self._kappa_trial.x.array[gamma] = np.maximum(self.kappa.x.array[gamma],
                                                      self._opening.x.array[gamma])
        compat.interpolate_expression(self._d_new, self._damage_expr, self._cells)
        committed = self.d_committed.x.array[gamma]
        new = committed + relaxation * (self._d_new.x.array[gamma] - committed)
        change = np.max(np.abs(new - self.d.x.array[gamma]), initial=0.0)
        self.d.x.array[gamma] = new
        return self.comm.allreduce(change, op=MPI.MAX)

    def lag(self) -> float:
        """max |d(κ_trial) − d| at the last update (all ranks): how far a viscous d trails the
        rate-independent one (0 for ρ = 1)."""
        gamma = self.vertices
        lag = np.max(np.abs(self._d_new.x.array[gamma] - self.d.x.array[gamma]), initial=0.0)
        return self.comm.allreduce(lag, op=MPI.MAX)

    def commit(self) -> None:
        """κ_n ← κ_trial, d_n ← d (the step converged)."""
        self.kappa.x.array[:] = self._kappa_trial.x.array
        self.d_committed.x.array[:] = self.d.x.array

    def persistent(self) -> list:
        """The functions a step changes for good (for checkpoints and rollback)."""
        return [self.kappa, self.d, self.d_committed]
