"""Two elastic blocks joined by a cohesive interface, pulled apart by a prescribed displacement.

The two-square mesh scaled to two 10 nm × 10 nm blocks (A = left, B = right, interface x = 10 nm
of length 10 nm), plane strain, one P1 displacement per block (design §3 option (a)): a single
4-component P1 field w = (u_A, u_B); the u_A components are active on A's cells only, the u_B
ones on B's cells only, and only the active dofs are solved for (PETSc submatrix on their index
set: DOLFINx 0.5.2 gives the inactive rows no diagonal).

Loading: A's outer edge x = 0 fixed, B's outer edge x = 20 nm moved by U·e. Mode I (e = (1, 0)):
only the x components are prescribed there, plus rollers u_y = 0 on the bottom edges, so the
state is uniform uniaxial stress. Mixed mode (e at 45°): both components prescribed on both
outer edges (clamped). Each load step: lagged damage, i.e. Newton with d fixed, then d from
κ_trial = max(κ_n, δ), repeated until max |Δd| < ``damage_tolerance``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from types import SimpleNamespace

import dolfinx.fem.petsc  # noqa: F401

import numpy as np
import ufl
from dolfinx import fem, mesh as dmesh
from mpi4py import MPI
from petsc4py import PETSc

from nanoglue.fem import compat
from nanoglue.fem.linear import linear_solver
from nanoglue.fem.regions import region_indicator
from nanoglue.kinematics.small_strain import SmallStrain
from nanoglue.interfaces.cohesive import CohesiveInterface, local_opening
from nanoglue.interfaces.laws import law_for
from tests.two_squares import INTERFACE, LEFT, RIGHT, two_squares_mesh

SIDE = 10.0  # nm: block edge, also the interface length
LU = {"ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "mumps"}


def plane_strain_stress(u, young: float, poisson: float):
    """σ = λ tr(ε) I + 2μ ε, ε = sym ∇u (plane strain)."""
    lam = young * poisson / ((1 + poisson) * (1 - 2 * poisson))
    eps = ufl.sym(ufl.grad(u))
    return lam * ufl.tr(eps) * ufl.Identity(2) + young / (1 + poisson) * eps


@dataclass
class History:
    """Per accepted step: applied U, reaction P (work-conjugate to U), damage, mean openings."""

    U: list = field(default_factory=list)
    P: list = field(default_factory=list)
    d_max: list = field(default_factory=list)
    delta_n: list = field(default_factory=list)
    staggers: list = field(default_factory=list)

    def external_work(self) -> float:
        """W_ext = ∫ P dU, trapezoid over the steps."""
        U, P = np.asarray(self.U), np.asarray(self.P)
        return float(np.sum(0.5 * (P[1:] + P[:-1]) * np.diff(U)))


class Blocks:
    """The two-block problem for one cohesive law (see the module docstring)."""

    def __init__(self, law, angle: float = 0.0, h: float = 1.0, young: float = 100.0,
                 poisson: float = 0.3, damage_tolerance: float = 1e-4, comm=MPI.COMM_WORLD):
        mesh, cells, facets = two_squares_mesh(size=h / SIDE, comm=comm)
        mesh.geometry.x[:, :2] *= SIDE
        self.mesh, self.comm, self.tolerance = mesh, comm, damage_tolerance
        space = compat.lagrange_space(mesh, 1, (4,))
        self.w = fem.Function(space)
        u_a, u_b = (ufl.as_vector([self.w[i], self.w[i + 1]]) for i in (0, 2))
        v = ufl.TestFunction(space)
        v_a, v_b = (ufl.as_vector([v[i], v[i + 1]]) for i in (0, 2))
        dx = ufl.Measure("dx", domain=mesh, subdomain_data=cells)
        self.law = law_for(mesh, law)
        plane = SmallStrain(SimpleNamespace(weight=1.0, revolution=1.0, gradient=ufl.grad))
        self.interface = CohesiveInterface("blocks", INTERFACE, mesh, facets, u_a, u_b,
                                           region_indicator(mesh, cells, LEFT), self.law, plane,
                                           1, 0.99)
        self.history = self.interface.history
        dS = self.interface.dS
        n, d = self.interface.normal("+"), self.history.d("+")
        jump_u = (u_b - u_a)("+")
        sig_a, sig_b = (plane_strain_stress(u, young, poisson) for u in (u_a, u_b))
        residual = (ufl.inner(sig_a, ufl.sym(ufl.grad(v_a))) * dx(LEFT)
                    + ufl.inner(sig_b, ufl.sym(ufl.grad(v_b))) * dx(RIGHT)
                    + self.interface.work((v_b - v_a)("+")))
        self._residual = fem.form(residual)
        self._jacobian = fem.form(ufl.derivative(residual, self.w, ufl.TrialFunction(space)))
        self._energy = fem.form(0.5 * ufl.inner(sig_a, ufl.sym(ufl.grad(u_a))) * dx(LEFT)
                                + 0.5 * ufl.inner(sig_b, ufl.sym(ufl.grad(u_b))) * dx(RIGHT)
                                + sum(self.law.stored_energy(local_opening(jump_u, n),
                                                             d).values()) * dS)
        radians = np.radians(angle)  # loading direction from the interface normal (0: mode I)
        self.direction = np.array([np.cos(radians), np.sin(radians)])
        self._prescribe(space, mixed=angle != 0.0)
        self._setup_solver(space, cells)
        self.record = History()

    def _prescribe(self, space, mixed: bool) -> None:
        """Fixed dofs: (dofs, value per unit U) and homogeneous BCs for the Newton corrections."""
        fdim = self.mesh.topology.dim - 1
        self.mesh.topology.create_connectivity(fdim, fdim + 1)
        edge = lambda test: dmesh.locate_entities_boundary(self.mesh, fdim, test)  # noqa: E731
        left = edge(lambda x: np.isclose(x[0], 0.0))
        right = edge(lambda x: np.isclose(x[0], 2 * SIDE))
        bottom_a = edge(lambda x: np.isclose(x[1], 0.0) & (x[0] <= SIDE + 1e-9))
        bottom_b = edge(lambda x: np.isclose(x[1], 0.0) & (x[0] >= SIDE - 1e-9))
        if mixed:
            fixed = [(0, left, 0.0), (1, left, 0.0), (2, right, self.direction[0]),
                     (3, right, self.direction[1])]
        else:
            fixed = [(0, left, 0.0), (2, right, 1.0), (1, bottom_a, 0.0), (3, bottom_b, 0.0)]
        self._fixed, self.bcs = [], []
        for component, facets, factor in fixed:
            dofs = fem.locate_dofs_topological(space.sub(component), fdim, facets)
            self._fixed.append((dofs, factor))
            self.bcs.append(fem.dirichletbc(PETSc.ScalarType(0.0), dofs, space.sub(component)))
        self._loaded = [(dofs, factor) for dofs, factor in self._fixed if factor != 0.0]

    def _setup_solver(self, space, cells) -> None:
        """Index set of the active dofs (u_A on A's cells, u_B on B's), matrices, LU solver."""
        tdim, bs = self.mesh.topology.dim, 4
        self.mesh.topology.create_connectivity(tdim, tdim)
        index_map = space.dofmap.index_map
        active = np.unique(np.concatenate([
            fem.locate_dofs_topological(space.sub(k), tdim, cells.indices[cells.values == tag])
            for tag, components in ((LEFT, (0, 1)), (RIGHT, (2, 3))) for k in components]))
        self._active = active[active < index_map.size_local * bs].astype(np.int32)
        first = index_map.local_range[0] * bs
        self._active_set = PETSc.IS().createGeneral(
            (self._active + first).astype(PETSc.IntType), comm=self.comm)
        self._b = compat.create_vector(self._residual)
        self._A = compat.create_matrix(self._jacobian)
        self._rhs = PETSc.Vec().createMPI((self._active.size, PETSc.DECIDE), comm=self.comm)
        self._du = self._rhs.duplicate()
        self._sub, self._ksp = None, None
        self._owned = index_map.size_local * bs

    def _assemble_residual(self) -> np.ndarray:
        """F(w) over the owned dofs (ghost contributions added)."""
        with self._b.localForm() as local:
            local.set(0.0)
        fem.petsc.assemble_vector(self._b, self._residual)
        self._b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
        return self._b.array

    def _free_residual_norm(self) -> float:
        """‖F‖ over the active, non-prescribed dofs; F stays in ``self._b``."""
        residual = self._assemble_residual().copy()
        for dofs, _ in self._fixed:
            residual[dofs[dofs < self._owned]] = 0.0
        self._rhs.array[:] = residual[self._active]
        return self._rhs.norm()

    def _correct(self) -> None:
        """w ← w − J⁻¹F on the active dofs (prescribed dofs: unit rows, zero correction)."""
        self._A.zeroEntries()
        fem.petsc.assemble_matrix(self._A, self._jacobian, bcs=self.bcs)
        self._A.assemble()
        self._sub = self._A.createSubMatrix(self._active_set, self._active_set, submat=self._sub)
        if self._ksp is None:
            self._ksp = linear_solver(self.comm, self._sub, LU, "cohesive_blocks")
        self._ksp.setOperators(self._sub)
        self._ksp.solve(self._rhs, self._du)
        if self._ksp.getConvergedReason() < 0:
            raise RuntimeError(f"LU failed: {self._ksp.getConvergedReason()}")
        self.w.x.array[self._active] -= self._du.array
        self.w.x.scatter_forward()

    def _newton(self, max_iterations: int = 25) -> None:
        first = self._free_residual_norm()
        norm = first
        for _ in range(max_iterations):
            self._correct()
            norm = self._free_residual_norm()
            if norm <= 1e-10 * (1.0 + first):
                return
        raise RuntimeError(f"Newton did not converge: ‖F‖ = {norm:.3e} (first {first:.3e})")

    def step(self, U: float, max_staggers: int = 500) -> None:
        """Equilibrium at applied displacement U with converged lagged damage; record it."""
        for dofs, factor in self._fixed:
            self.w.x.array[dofs] = factor * U
        for stagger in range(1, max_staggers + 1):
            self._newton()
            if self.history.update() < self.tolerance:
                break
        else:
            raise RuntimeError(f"lagged damage did not converge at U = {U}")
        self.history.commit()
        self._record(U, stagger)

    def _record(self, U: float, staggers: int) -> None:
        residual = self._b.array  # F of the last Newton iterate, prescribed rows included
        force = sum(factor * residual[dofs[dofs < self._owned]].sum()
                    for dofs, factor in self._loaded)
        openings = self.interface.nodal_openings()
        gamma = self.history.vertices
        d = self.history.d.x.array[gamma]
        rec = self.record
        rec.U.append(U)
        rec.P.append(self.comm.allreduce(force, op=MPI.SUM))
        rec.d_max.append(self.comm.allreduce(np.max(d, initial=0.0), op=MPI.MAX))
        rec.delta_n.append(self._mean(openings[:, 0]))
        rec.staggers.append(staggers)

    def _mean(self, values: np.ndarray) -> float:
        """Mean over the interface vertices (each counted once across ranks)."""
        vertices = self.history.vertices
        owned = vertices < self.history.kappa.function_space.dofmap.index_map.size_local
        total = self.comm.allreduce(values[owned].sum(), op=MPI.SUM)
        return total / self.comm.allreduce(int(owned.sum()), op=MPI.SUM)

    def run(self, path: np.ndarray) -> History:
        """Step through the applied displacements of ``path`` (first entry after U = 0)."""
        if not self.record.U:  # the unloaded start, for the work integral
            for values in (self.record.U, self.record.P, self.record.d_max,
                           self.record.delta_n, self.record.staggers):
                values.append(0)
        for U in path:
            self.step(float(U))
        return self.record

    def stored_energy(self) -> float:
        """U_el = ½∫σ:ε over both blocks + ∫ψ dS on the interface."""
        return self.comm.allreduce(fem.assemble_scalar(self._energy), op=MPI.SUM)

    def damage(self) -> np.ndarray:
        """Nodal damage at the local interface vertices."""
        return self.history.d.x.array[self.history.vertices].copy()


def path(*segments) -> np.ndarray:
    """Applied displacements from (end, step) segments, starting after 0."""
    values, start = [], 0.0
    for end, step in segments:
        count = max(1, int(round(abs(end - start) / step)))
        values.append(np.linspace(start, end, count + 1)[1:])
        start = end
    return np.concatenate(values)
