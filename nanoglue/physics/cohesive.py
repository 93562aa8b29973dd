"""Cohesive interfaces between two regions as UFL builders, plus the nodal damage history.

Discretisation (design §3 option (a)): each region X has its own continuous displacement u_X on
the whole mesh, integrated only over X's cells; its dofs outside X are inactive (not solved for,
zero). Across an interface Γ between regions A and B the two fields are independent, and

    [[u]] = u_B − u_A                                   on dS(Γ).

Both fields are continuous, so their '+' and '−' traces on Γ agree: the jump is taken from '+'.

Orientation: DOLFINx picks which cell of an interior facet is '+'. The normal from A to B,

    n_AB = χ_A('+') n('+') + χ_A('−') n('−'),          χ_A the DG0 indicator of region A,

is the outward normal of whichever side lies in A, whatever that choice; t = (−n_y, n_x).

Openings and laws (δn = [[u]]·n, δt = [[u]]·t, effective δ = √(⟨δn⟩₊² + β²δt²), β = τc/σc the
shear-to-normal strength ratio, 1 unless a shear strength is given):

    bilinear:     δ0 = σc/K0, δf = 2Gc/σc,  d(κ) = δf(κ − δ0) / (κ(δf − δ0)) clipped to [0, 1]
    exponential:  T(δ) = e σc (δ/δc) exp(−δ/δc), δc = Gc/(e σc), K0 = e σc/δc = e²σc²/Gc,
                  secant damage d(κ) = 1 − exp(−κ/δc)

Both are secant-damage laws with the free energy and traction

    ψ = ½ K0 max(1 − d, r)(⟨δn⟩₊² + β²δt²) + ½ Kc ⟨−δn⟩₊²,
    T = ∂ψ/∂[[u]] = K0 max(1 − d, r)(⟨δn⟩₊ n + β²δt t) − Kc ⟨−δn⟩₊ n,

r the residual stiffness fraction (a fully damaged interface is not a free body) and Kc the
contact penalty (``contact_factor``·K0), active for δn < 0 at any damage. Unloading is secant
(T/δ = (1 − d)K0 at fixed κ). The dissipation ∫½K0 κ² d'(κ) dκ depends on κ only, so it is Gc
per unit area at full damage for any mode mix (minus the residual stiffness' share). In pure
sliding the peak traction is β σc = τc at δt = δ0/β and the shear stiffness β²K0.

Irreversibility: κ = max over time of δ, stored at the interface vertices as a CG1 function (as
the design-§7 prototype did). Why nodal: DOLFINx 0.5–0.9 have no facet-quadrature space, a CG1
function needs no version-specific code, its dofs coincide with the P1 displacement vertices,
and a vertex value is unique although the facet's '+'/'−' cells differ. The jump at a vertex is
well defined because both fields are continuous; the normal there is the lumped projection of
n_AB (``nodal_normal``), which equals the facet normal on a straight interface.

Lagged damage (design §8): solve with d fixed, ``InterfaceHistory.update`` sets κ_trial =
max(κ_n, δ) and d = d(κ_trial); repeat until max |Δd| < tol, then ``commit``.
"""

from __future__ import annotations

from dataclasses import dataclass

import dolfinx.fem.petsc  # noqa: F401  (registers fem.petsc on every version)
import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI
from petsc4py import PETSc

from nanoglue.fem import compat


def interface_normal(mesh, chi_a):
    """n_AB = χ_A('+') n('+') + χ_A('−') n('−'): unit normal from region A into region B."""
    n = ufl.FacetNormal(mesh)
    return chi_a("+") * n("+") + chi_a("-") * n("-")


def tangent(n):
    """t = (−n_y, n_x): n rotated by +90° in the plane."""
    return ufl.as_vector([-n[1], n[0]])


def jump(u_a, u_b, restriction: str = "+"):
    """[[u]] = u_B − u_A (both continuous: either trace; ``None`` for a cell expression)."""
    difference = u_b - u_a
    return difference if restriction is None else difference(restriction)


def openings(jump_, n):
    """(δn, δt) = ([[u]]·n, [[u]]·t)."""
    return ufl.dot(jump_, n), ufl.dot(jump_, tangent(n))


def positive(x):
    """⟨x⟩₊ = max(x, 0)."""
    return ufl.max_value(x, 0.0)


def effective_opening(delta_n, delta_t, shear_ratio=1.0):
    """δ = √(⟨δn⟩₊² + β²δt²), β = τc/σc."""
    return ufl.sqrt(positive(delta_n) ** 2 + (shear_ratio * delta_t) ** 2)


@dataclass
class CohesiveConstants:
    """One interface's law as ``fem.Constant``s (new values never recompile a form)."""

    law: str  # "bilinear" | "exponential"
    stiffness: fem.Constant  # K0 [GPa/nm]
    strength: fem.Constant  # σc [GPa]
    toughness: fem.Constant  # Gc [GPa·nm]
    residual: fem.Constant  # r [-]
    contact: fem.Constant  # Kc [GPa/nm]
    shear_ratio: fem.Constant  # β = τc/σc [-]

    @classmethod
    def of(cls, mesh, law, contact_factor: float = 10.0) -> "CohesiveConstants":
        """Constants of a ``config.CohesiveLaw``; Kc = contact_factor·K0."""
        k0 = law.initial_stiffness
        values = (k0, law.strength, law.toughness, law.residual_stiffness, contact_factor * k0,
                  law.shear_ratio)
        return cls(law.law, *(fem.Constant(mesh, PETSc.ScalarType(v)) for v in values))


def bilinear_damage(kappa, stiffness, strength, toughness):
    """d = δf(κ − δ0)/(κ(δf − δ0)) clipped to [0, 1], δ0 = σc/K0, δf = 2Gc/σc."""
    delta_0, delta_f = strength / stiffness, 2.0 * toughness / strength
    safe = ufl.max_value(kappa, delta_0)
    d = delta_f * (safe - delta_0) / (safe * (delta_f - delta_0))
    return ufl.min_value(ufl.max_value(d, 0.0), 1.0)


def exponential_damage(kappa, strength, toughness):
    """d = 1 − exp(−κ/δc), δc = Gc/(e σc): the secant of T = e σc (δ/δc) exp(−δ/δc)."""
    return 1.0 - ufl.exp(-kappa * ufl.e * strength / toughness)


def damage(kappa, constants: CohesiveConstants):
    """d(κ) of the interface's law."""
    c = constants
    if c.law == "exponential":
        return exponential_damage(kappa, c.strength, c.toughness)
    return bilinear_damage(kappa, c.stiffness, c.strength, c.toughness)


def traction(jump_, n, d, constants: CohesiveConstants):
    """T = K0 max(1 − d, r)(⟨δn⟩₊ n + β²δt t) − Kc ⟨−δn⟩₊ n (d lagged: a given function)."""
    c = constants
    delta_n, delta_t = openings(jump_, n)
    secant = c.stiffness * ufl.max_value(1.0 - d, c.residual)
    sliding = c.shear_ratio**2 * delta_t * tangent(n)
    return secant * (positive(delta_n) * n + sliding) - c.contact * positive(-delta_n) * n


def stored_energy_density(jump_, n, d, constants: CohesiveConstants):
    """ψ = ½ K0 max(1 − d, r)(⟨δn⟩₊² + β²δt²) + ½ Kc ⟨−δn⟩₊²."""
    c = constants
    delta_n, delta_t = openings(jump_, n)
    secant = c.stiffness * ufl.max_value(1.0 - d, c.residual)
    opening = effective_opening(delta_n, delta_t, c.shear_ratio)
    return 0.5 * secant * opening**2 + 0.5 * c.contact * positive(-delta_n) ** 2


def interface_work(traction_, test_jump, weight, dS):
    """∫ T·[[v]] w dS: w = r (axisymmetric, 2π cancels; pass r('+')) or 1 (plane)."""
    return ufl.dot(traction_, test_jump) * weight * dS


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


def nodal_normal(mesh, normal_ab, dS, vertex_dofs: np.ndarray) -> fem.Function:
    """CG1 unit normal at the interface vertices: n_i = m_i/|m_i|, m_i = ∫ n_AB φ_i dS."""
    space = compat.lagrange_space(mesh, 1, (mesh.geometry.dim,))
    form = fem.form(ufl.dot(normal_ab, ufl.TestFunction(space)("+")) * dS)
    vector = fem.petsc.assemble_vector(form)
    vector.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)
    vector.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
    n = fem.Function(space)
    with vector.localForm() as local:
        m = local.array_r.reshape(-1, mesh.geometry.dim)[vertex_dofs]
    n.x.array.reshape(-1, mesh.geometry.dim)[vertex_dofs] = m / np.linalg.norm(m, axis=1)[:, None]
    return n


class InterfaceHistory:
    """Nodal max-opening κ and lagged damage d (CG1) of one interface.

    ``jump_cells``: [[u]] as a cell expression (``jump(u_a, u_b, None)``). ``d`` is the function
    to use in ``traction``; ``update`` evaluates δ at the interface vertices with the nodal
    normal, sets κ_trial = max(κ_n, δ), d = d(κ_trial) and returns max |Δd| (all ranks);
    ``commit`` accepts κ_trial as the new κ_n.
    """

    def __init__(self, mesh, jump_cells, normal_ab, dS, facet_tags, tag: int,
                 constants: CohesiveConstants):
        space = compat.lagrange_space(mesh, 1)
        self.comm = mesh.comm
        self.vertices = interface_dofs(space, facet_tags, tag)
        self._cells = facet_cells(mesh, facet_tags.indices[facet_tags.values == tag])
        self.normal = nodal_normal(mesh, normal_ab, dS, self.vertices)
        self.kappa, self.d = fem.Function(space), fem.Function(space)
        self._kappa_trial, self._opening, self._d_new, self._d_committed = (
            fem.Function(space) for _ in range(4))
        pair = openings(jump_cells, self.normal)
        self._delta_expr = compat.expression(effective_opening(*pair, constants.shear_ratio),
                                             space)
        self._damage_expr = compat.expression(damage(self._kappa_trial, constants), space)
        self._pair = fem.Function(compat.lagrange_space(mesh, 1, (2,)))
        self._pair_expr = compat.expression(ufl.as_vector(pair), self._pair.function_space)

    def nodal_openings(self) -> np.ndarray:
        """(δn, δt) at the local interface vertices (ghosts included), shape (n, 2)."""
        compat.interpolate_expression(self._pair, self._pair_expr, self._cells)
        return self._pair.x.array.reshape(-1, 2)[self.vertices]

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
        committed = self._d_committed.x.array[gamma]
        new = committed + relaxation * (self._d_new.x.array[gamma] - committed)
        change = np.max(np.abs(new - self.d.x.array[gamma]), initial=0.0)
        self.d.x.array[gamma] = new
        return self.comm.allreduce(change, op=MPI.MAX)

    def reset(self) -> None:
        """d ← d_n: back to the last accepted step (a refused step)."""
        self.d.x.array[:] = self._d_committed.x.array

    def commit(self) -> None:
        """κ_n ← κ_trial, d_n ← d (the step converged)."""
        self.kappa.x.array[:] = self._kappa_trial.x.array
        self._d_committed.x.array[:] = self.d.x.array
