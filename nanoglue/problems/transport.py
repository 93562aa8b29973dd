"""Na transport: ∂c/∂t = ∇·(D(c)∇c) in the transport region, inward flux j on entry.

The transport region is a union of sub-regions Ω_k, each with its own D_k(c) and storage s_k
(the particle: its D(c), s = 1; a conducting coating: a constant D and the Na it holds in transit
per volume at a given c, relative to Sn): s_k ∂c/∂t = ∇·(D_k ∇c) in Ω_k. c is one continuous P1
field over the union, so c and the normal flux are continuous across the sub-region interfaces.

Every integral carries the model's measure weight w (``kinematics.model``: w = r in axisymmetry,
where the volume element is 2πr dx and the 2π multiplies every term of the balance and cancels,
so the forms below carry w only and ``total_sodium`` puts the revolution factor back; w = 1 in
3-D). The axis needs no condition: the r weight makes its flux term vanish.

P1 in space, lagged-D linear implicit (backward Euler) in time, multiplied through by Δt:

    (M_L + Δt·K(D(c^n))) c^{n+1} = M_L c^n + Δt·F,

    m_i  = Σ_k s_k ∫_Ωk w φ_i dx                (ROW-SUM lumped mass, diagonal),
    K_ij = Σ_k ∫_Ωk w D_k(c^n) ∇φ_j·∇φ_i dx,    F_i = ∫ w j φ_i ds_entry.

Why row-sum lumping: Σ_i φ_i = 1 on the transport region makes Σ_i m_i c_i = Σ_k s_k ∫_Ωk w c dx exactly
and Σ_i K_ij = 0, so the discrete Na content changes by exactly Δt·∫ w j ds per step (to
round-off, for any D); and the diagonal mass keeps c ≥ 0 at a steep front where a consistent
mass would undershoot (design §8).

One linear solve per step; lagging D costs O(Δt) like backward Euler itself. No Picard
sub-iterations on D: for the steep two-stage law and the non-monotone Zhu law they stalled or
oscillated (measured: ~20 solves per step, some steps still off by 0.05–0.3 in c after 40),
while the lagged step converges in Δt (two-stage D_lo = 0.02, D_hi = 6, R = 1, j = 1/3, h = 0.02:
the front's c1/2 point at t = 0.16 sits at r = 0.428, 0.390, 0.372 for Δt = 0.002, 0.001, 0.0005,
fully implicit 0.359). Control the error by the step size (sub-steps).

At finite strain (``metrics``) the flux carries the pull-back of the deformation, D C⁻¹∇_X c
(c per reference volume, its gradient that of Na per Sn), every integral staying over the
reference configuration: c is conserved exactly as above and the galvanostatic flux per
reference area is unchanged.

Sign: j > 0 sodiates (Na flows in), j < 0 desodiates. c is never clipped.

Regions: the mesh may hold cells outside the transport region (substrate, coating). Only the dofs
touched by the transport region are solved for: the full-mesh matrix is assembled over the region
(its other rows are empty and, on DOLFINx 0.5.2, have no diagonal in the sparsity pattern) and
the solve uses the PETSc submatrix on the index set of active dofs (those with m_i > 0). Chosen
over ``dolfinx.mesh.create_submesh`` because the forms, facet tags and the interior entry
interface (dS) stay on the parent mesh, with no entity maps to carry between meshes; the extra
cost is one submatrix copy per solve, reused in place (MAT_REUSE_MATRIX). Inactive dofs keep
their values (zero unless set).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI
from petsc4py import PETSc

from nanoglue.fem import compat
from nanoglue.fem.linear import DEFAULT_PETSC_OPTIONS, factorize, linear_solver
from nanoglue.kinematics.model import Axisymmetric
from nanoglue.materials.diffusivity import diffusivity
from nanoglue.timing import STOPWATCH


@dataclass(frozen=True)
class StepInfo:
    """Diagnostics of one transport step."""

    change: float  # max |c^{n+1} − c^n| (all ranks)
    c_min: float  # over the transport region's dofs, all ranks
    c_max: float


def lumped_mass(r, v, measures, storages) -> fem.Form:
    """Row-sum lumped weighted mass, the diagonal of M_L: m_i = Σ_k s_k ∫_Ωk w φ_i dx."""
    return fem.form(sum(s * r * v * dx for s, dx in zip(storages, measures)))


def stiffness(r, diffusivities, dt, u, v, measures, metrics) -> fem.Form:
    """Δt·K: Δt Σ_k ∫_Ωk w D_k (G_k ∇u)·∇v dx, G_k the region's metric (None: I)."""
    def flux(metric):
        gradient = ufl.grad(u) if metric is None else metric * ufl.grad(u)
        return ufl.inner(gradient, ufl.grad(v))
    return fem.form(sum(dt * r * d * flux(g) * dx
                        for d, dx, g in zip(diffusivities, measures, metrics)))


def entry_load(r, flux, dt, v, entries: Sequence[tuple]) -> fem.Form:
    """Δt·F: Δt Σ ∫ w j v ds_entry over the (measure, restriction) pairs of ``entries``; on an
    interior facet set (restriction "+" or "−"), (w v) restricted to one side.

    For continuous P1 both restrictions give the same vector: the facet's dofs are shared by the
    two cells and each cell's opposite vertex has φ = 0 on the facet.
    """
    terms = [(r * v if side is None else (r * v)(side)) * measure for measure, side in entries]
    return fem.form(dt * flux * sum(terms[1:], terms[0]))


def sodium(revolution, r, c, measures, storages) -> fem.Form:
    """Na content: N = Σ_k s_k ∫_Ωk 2πr c dx in axisymmetry (degree 2 in r, z: FFCx integrates
    it exactly), Σ_k s_k ∫_Ωk c dx in 3-D."""
    return fem.form(sum(s * revolution * r * c * dx for s, dx in zip(storages, measures)))


def _global_sum(comm, form: fem.Form) -> float:
    return comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)


class Transport:
    """Na transport on the transport region of a mesh (see the module docstring).

    mesh: the mesh; model: its ``kinematics.model`` (default: axisymmetric (r, z)); dx_region: ``dx`` or ``dx(tag)`` (tuples of tags work) over the cells
    where Na diffuses; entry: the measure of the entry surface, ``ds`` / ``ds(tag)`` on the
    boundary, or ``dS(tag)`` for an interior interface, then with ``entry_restriction`` "+" or
    "-" (either side: see ``entry_load``); more_entries: further (measure, restriction) pairs
    the same flux density enters through; diffusivity_config: a ``sodiation.diffusivity``
    section; petsc_options: verbatim PETSc options of the linear solve (default MUMPS LU);
    more_regions: further (measure, diffusivity section, storage s) triples, cells disjoint
    from ``dx_region``'s, that join the transport region with their own D and s (a coating);
    metrics: per region (``dx_region`` first, then ``more_regions``) a gdim×gdim UFL tensor G
    in the flux D G ∇c, None for none (the pull-back C⁻¹ at finite strain:
    ``kinematics.finite_strain.FiniteStrain.diffusion_metric``).

    Public state: ``c`` (P1 Function; set the initial condition in ``c.x.array``), ``dt`` and
    ``flux`` (fem.Constant, set by ``step``).
    """

    def __init__(
        self,
        mesh,
        dx_region,
        entry,
        diffusivity_config,
        petsc_options: Optional[Mapping] = None,
        entry_restriction: Optional[str] = None,
        more_regions: Sequence[tuple] = (),
        more_entries: Sequence[tuple] = (),
        model=None,
        metrics: Sequence = (),
    ):
        self.comm = mesh.comm
        space = compat.lagrange_space(mesh, 1)
        self.c = fem.Function(space, name="c")
        self.dt = fem.Constant(mesh, 0.0)
        self.flux = fem.Constant(mesh, 0.0)
        model = Axisymmetric(mesh) if model is None else model
        r = model.weight
        u, v = ufl.TrialFunction(space), ufl.TestFunction(space)
        self._c_old = fem.Function(space)
        measures, models, storages = zip((dx_region, diffusivity_config, 1.0), *more_regions)
        storages = [fem.Constant(mesh, PETSc.ScalarType(s)) for s in storages]
        d_of_c = [diffusivity(self._c_old, model) for model in models]
        metrics = list(metrics) + [None] * (len(measures) - len(metrics))
        self._stiffness = stiffness(r, d_of_c, self.dt, u, v, measures, metrics)
        self._load_form = entry_load(r, self.flux, self.dt, v,
                                     [(entry, entry_restriction), *more_entries])
        self._sodium = sodium(model.revolution, r, self.c, measures, storages)
        mass_form = lumped_mass(r, v, measures, storages)
        mass = compat.assembled_vector(mass_form)
        self.active = np.flatnonzero(mass.array > 0.0).astype(np.int32)
        first = space.dofmap.index_map.local_range[0]
        self._active_set = PETSc.IS().createGeneral(
            (self.active + first).astype(PETSc.IntType), comm=self.comm
        )
        self._load = compat.create_vector(self._load_form)
        self._matrix = compat.create_matrix(self._stiffness)
        self._mass = PETSc.Vec().createMPI((self.active.size, PETSc.DECIDE), comm=self.comm)
        self._mass.array[:] = mass.array[self.active]
        self._operator = None
        self._assemble_operator()
        self._options = DEFAULT_PETSC_OPTIONS if petsc_options is None else petsc_options
        self._ksp = linear_solver(self.comm, self._operator, self._options, "transport")
        self._solution, self._rhs = self._mass.duplicate(), self._mass.duplicate()

    @property
    def num_active_dofs(self) -> int:
        """Number of solved-for dofs (global): the dofs touched by the transport region."""
        return self._active_set.getSize()

    def _assemble_operator(self) -> None:
        """M_L + Δt·K(D(c^n)) on the active dofs, reassembled into the same PETSc matrices."""
        with STOPWATCH.section("assembly"):
            self._matrix.zeroEntries()
            compat.assemble_matrix_into(self._matrix, self._stiffness)
            self._matrix.assemble()
            self._operator = self._matrix.createSubMatrix(
                self._active_set, self._active_set, submat=self._operator
            )
            self._operator.setDiagonal(self._mass, addv=PETSc.InsertMode.ADD_VALUES)

    def step(self, dt: float, flux: float) -> StepInfo:
        """Advance c by one step of length ``dt`` under inward flux density ``flux``:
        solve (M_L + Δt·K(D(c^n))) c^{n+1} = M_L c^n + Δt·F."""
        self.dt.value, self.flux.value = dt, flux
        self._c_old.x.array[:] = self.c.x.array
        old = self._c_old.x.array[self.active]
        with STOPWATCH.section("assembly"):
            load = compat.assembled_vector(self._load_form, self._load).array
        self._rhs.array[:] = self._mass.array * old + load[self.active]
        self._assemble_operator()
        with STOPWATCH.section("linear_solve"):
            self._ksp = factorize(self._ksp, self._options, "transport")
            self._ksp.solve(self._rhs, self._solution)
        reason = self._ksp.getConvergedReason()
        if reason < 0:
            raise RuntimeError(f"transport linear solve failed: KSPConvergedReason {reason}")
        new = self._solution.array
        self.c.x.array[self.active] = new
        self.c.x.scatter_forward()
        return StepInfo(
            change=self.comm.allreduce(np.max(np.abs(new - old), initial=0.0), op=MPI.MAX),
            c_min=self.comm.allreduce(np.min(new, initial=np.inf), op=MPI.MIN),
            c_max=self.comm.allreduce(np.max(new, initial=-np.inf), op=MPI.MAX),
        )

    def total_sodium(self) -> float:
        """N = ∫ c dV over the transport region (its own form, independent of the flux)."""
        return _global_sum(self.comm, self._sodium)
