"""Hencky elasticity with J2 perfect plasticity at finite strain (exponential-map return).

Multiplicative split F = Fe · Fp · Fc (``kinematics.finite_strain``); with the swelling taken
out, F̄ = F Jc^(−1/3), and the plastic state kept as Cp⁻¹ = (Fpᵀ Fp)⁻¹ (reference frame):

    be_trial = F̄ Cp,n⁻¹ F̄ᵀ = Σ λᵢ² nᵢ⊗nᵢ,    εᵢ_trial = ln λᵢ        elastic log strains
    τeᵢ = 2μ dev(ε)ᵢ + K tr(ε)                                      Hencky (per swollen volume)
    q = √(3/2) |dev τe|,  f = q − σ_Y,  Δp = ⟨f⟩₊ / (3μ)             J2, perfect plasticity
    εᵢ = εᵢ_trial − Δp · (3/2) dev(τe)ᵢ / q                          return along the normal
    τ = Jc Σ τeᵢ(ε) nᵢ⊗nᵢ,   P = τ F⁻ᵀ,   σ = τ / det F                Kirchhoff, Piola, Cauchy
    Cp,n+1⁻¹ = F̄⁻¹ (Σ e^(2εᵢ) nᵢ⊗nᵢ) F̄⁻ᵀ,   p += Δp

The return is the small-strain radial return in the principal log strains, exact for coaxial
loading (the swelling of a constrained element through yield and back: tests). An elastic region
is the same law with σ_Y = ∞: at small strain it is Hooke's law with the same E and ν.

Mixed pressure (``MixedHenckyJ2``, ``mechanics.pressure: mixed``; Taylor–Hood: P2 displacement,
continuous P1 Kirchhoff pressure per region).
Plastic flow is isochoric, and past a few σ_Y/E of it the displacement-only P2 element locks:
its pressure checkerboards from cell to cell (the sharp-front sphere, E/σ_Y = 10³: σ_r up to
2.4 σ_Y off Zhao's, bin means right). So the point return is the deviatoric part alone (K = 0
above), and the volumetric part is a field p of the region:

    θ(u) = ln(J/Jc) = tr εe                          the elastic volumetric log strain
    ∫ (P_dev + p F⁻ᵀ) : H(v) w dV₀ = ∫ (P_dev : H(v) + p Dθ[v]) w dV₀,   Dθ[v] = F⁻ᵀ : H(v)
    ∫ (θ(u) − p/(K Jc)) q w dV₀ = 0                 for every P1 q: p ≈ K Jc θ, projected
    τ = τ_dev + p I,   stored Jc ψ = Jc μ|dev εe|² + p²/(2 K Jc)

(``pressure_constraint`` gives the pieces; ``problems.mechanics`` adds the field). With q = p,
∫ p θ = ∫ p²/(K Jc): the stored energy integrates to the mixed potential's value, and the
swelling power is Jc ψ − p (the balance of ``problems.energy`` closes as before).

Evaluated with numpy at the quadrature points (eigendecomposition of symmetric 3×3 tensors,
repeated eigenvalues included — a freely swelling body has be = I). The tangent ∂P/∂F is the
exact algorithmic tangent of this update (``piola_tangent``: the principal consistent tangent
carried through the spectral decomposition; checked against central differences in the tests).
"""

from __future__ import annotations

import numpy as np
import ufl
from dolfinx import fem
from petsc4py import PETSc

from nanoglue.fem import compat

def _inverse(A):
    """A⁻¹ of 3×3 matrices (n,3,3) by cofactors: its columns are a₁×a₂, a₂×a₀, a₀×a₁ over
    det A = a₀·(a₁×a₂), aᵢ the rows of A (numpy's batched LAPACK inverse costs ten times more)."""
    rows = np.swapaxes(A, 0, 1)
    cofactors = np.stack([np.cross(rows[1], rows[2]), np.cross(rows[2], rows[0]),
                          np.cross(rows[0], rows[1])], axis=2)
    return cofactors / np.einsum("ni,ni->n", rows[0], cofactors[:, :, 0])[:, None, None]


def _spectral(vectors, values):
    """Σᵢ vᵢ nᵢ⊗nᵢ = V diag(v) Vᵀ at points (V's columns the nᵢ)."""
    return (vectors * values[:, None, :]) @ np.swapaxes(vectors, 1, 2)


def _eigen(A):
    """Eigenvalues (n, 3) and unit eigenvectors (columns, n×3×3) of symmetric 3×3 matrices.
    When every matrix has e₂ as an eigenvector (A₀₁ = A₁₂ = 0, the form an axisymmetric
    (r, θ, z) state keeps), the (0, 2) block is solved in closed form: with
    tan 2φ = 2A₀₂/(A₀₀ − A₂₂), the eigenvalues m ∓ ρ, m = (A₀₀ + A₂₂)/2,
    ρ = √(((A₀₀ − A₂₂)/2)² + A₀₂²), and A₁₁, the eigenvectors (−sin φ, 0, cos φ),
    (0, 1, 0), (cos φ, 0, sin φ) (LAPACK per 3×3 matrix costs forty times more); otherwise
    numpy's eigh."""
    if np.any(A[:, 0, 1]) or np.any(A[:, 1, 2]):
        return np.linalg.eigh(A)
    half, off = 0.5 * (A[:, 0, 0] - A[:, 2, 2]), A[:, 0, 2]
    mean, radius = 0.5 * (A[:, 0, 0] + A[:, 2, 2]), np.hypot(half, off)
    phi = 0.5 * np.arctan2(off, half)
    cos, sin = np.cos(phi), np.sin(phi)
    vectors = np.zeros_like(A)
    vectors[:, 0, 0], vectors[:, 2, 0] = -sin, cos
    vectors[:, 1, 1] = 1.0
    vectors[:, 0, 2], vectors[:, 2, 2] = cos, sin
    return np.stack([mean - radius, A[:, 1, 1], mean + radius], axis=1), vectors


def _trial(F, Jc, cp_inv, mu):
    """The elastic predictor at points: F̄ = F Jc^(−1/3), the eigenvalues b and eigenvectors V of
    be_trial = F̄ Cp⁻¹ F̄ᵀ, its principal log strains ε, tr ε (n, 1), the trial deviator
    2μ dev ε and q = √(3/2)|2μ dev ε|."""
    bar = F * Jc[:, None, None] ** (-1.0 / 3.0)
    trial = bar @ cp_inv @ np.swapaxes(bar, 1, 2)
    b, vectors = _eigen(0.5 * (trial + np.swapaxes(trial, 1, 2)))
    strain = 0.5 * np.log(b)
    volumetric = strain.sum(axis=1, keepdims=True)
    deviator = 2.0 * mu * (strain - volumetric / 3.0)
    return bar, b, vectors, strain, volumetric, deviator, np.sqrt(1.5 * np.sum(deviator**2, axis=1))


def hencky_return(F, Jc, cp_inv, mu, bulk, yield_stress, trial=None):
    """(P, Cauchy σ, Cp⁻¹ after, Δp, principal elastic log strains (n,3)) at points: F (n,3,3),
    Jc (n,), Cp,n⁻¹ (n,3,3); ``trial``: their ``_trial`` if already computed."""
    bar, _, vectors, strain, volumetric, deviator, q = trial or _trial(F, Jc, cp_inv, mu)
    dp = np.maximum(q - yield_stress, 0.0) / (3.0 * mu)
    scale = np.where(dp > 0.0, 1.0 - 3.0 * mu * dp / np.where(q > 0.0, q, 1.0), 1.0)
    strain = strain - (1.0 - scale)[:, None] * (strain - volumetric / 3.0)
    principal = Jc[:, None] * (scale[:, None] * deviator + bulk * volumetric)
    tau = _spectral(vectors, principal)
    inverse_t = np.swapaxes(_inverse(F), 1, 2)
    elastic = _spectral(vectors, np.exp(2.0 * strain))
    bar_inv = _inverse(bar)
    after = bar_inv @ elastic @ np.swapaxes(bar_inv, 1, 2)
    return tau @ inverse_t, tau / np.linalg.det(F)[:, None, None], after, dp, strain


def stored_density(strain, mu, bulk):
    """ψ(εe) = μ |dev εe|² + (K/2)(tr εe)² per swollen volume, from principal log strains."""
    volumetric = strain.sum(axis=1)
    deviator = strain - volumetric[:, None] / 3.0
    return mu * np.sum(deviator**2, axis=1) + 0.5 * bulk * volumetric**2


def piola_tangent(F, Jc, cp_inv, mu, bulk, yield_stress, trial=None):
    """∂P/∂F (n, 9, 9), rows P_ij, columns F_kl (row-major): the algorithmic tangent of
    ``hencky_return`` (module docstring), exact.

    τ is an isotropic function of be_trial = Σ bᵢ nᵢ⊗nᵢ with principal values τᵢ(ε), εⱼ = ½ ln bⱼ,
    whose derivative D = ∂τ/∂ε is the small-strain consistent tangent in principal space,
    Jc [K 11ᵀ + 2μθ (I − 11ᵀ/3 − N̂N̂ᵀ)], θ = σ_Y/q and N̂ the unit trial deviator where yielding
    (θ = 1, N̂ = 0 elastic). In the eigenbasis, with db̂ = Vᵀ db V,

        dτ̂ᵢᵢ = Σⱼ Dᵢⱼ db̂ⱼⱼ / (2bⱼ),   dτ̂ᵢⱼ = ωᵢⱼ db̂ᵢⱼ,   ωᵢⱼ = (τᵢ − τⱼ)/(bᵢ − bⱼ)

    (→ (Dᵢᵢ − Dᵢⱼ)/(2bᵢ) as bⱼ → bᵢ: repeated eigenvalues, the free swelling state), and
    db = dF̄ Cp⁻¹F̄ᵀ + F̄ Cp⁻¹dF̄ᵀ, dF̄ = Jc^(−1/3) dF, dP = dτ F⁻ᵀ − τ F⁻ᵀ dFᵀ F⁻ᵀ."""
    bar, b, V, _, volumetric, deviator, q = trial or _trial(F, Jc, cp_inv, mu)
    yielding = q > yield_stress
    theta = np.where(yielding, yield_stress / np.where(q > 0.0, q, 1.0), 1.0)
    norm = np.linalg.norm(deviator, axis=1)
    normal = np.where(yielding[:, None], deviator / np.where(norm > 0.0, norm, 1.0)[:, None], 0.0)
    jc = Jc[:, None]
    tau = jc * (theta[:, None] * deviator + bulk * volumetric)
    ones, eye = np.ones((3, 3)), np.eye(3)
    D = jc[:, :, None] * (bulk * ones + 2.0 * mu * theta[:, None, None]
                          * (eye - ones / 3.0 - normal[:, :, None] * normal[:, None, :]))
    gap = b[:, :, None] - b[:, None, :]
    close = np.abs(gap) <= 1e-8 * np.maximum(b[:, :, None], b[:, None, :])
    limit = (np.einsum("nii->ni", D)[:, :, None] - D) / (2.0 * b[:, :, None])
    omega = np.where(close, limit, (tau[:, :, None] - tau[:, None, :]) / np.where(close, 1.0, gap))
    # all nine dF = e_k⊗e_l at once: db = Jc^(−1/3)(e_k⊗g_l + g_l⊗e_k), g_l row l of
    # Cp⁻¹F̄ᵀ, so in the eigenbasis db̂_ab = Jc^(−1/3)(V_ka W_lb + W_la V_kb) with W = Cp⁻¹F̄ᵀV
    W = cp_inv @ np.swapaxes(bar, 1, 2) @ V
    hat = V[:, :, None, :, None] * W[:, None, :, None, :]
    hat = (Jc[:, None, None, None, None] ** (-1.0 / 3.0)) * (hat + np.swapaxes(hat, 3, 4))
    dtau_hat = omega[:, None, None] * hat
    index = np.arange(3)
    dtau_hat[:, :, :, index, index] = (hat[:, :, :, index, index] / (2.0 * b[:, None, None])
                                       @ np.swapaxes(D, 1, 2)[:, None])
    inverse_t = np.swapaxes(_inverse(F), 1, 2)
    # dP = dτ F⁻ᵀ − τ F⁻ᵀ dFᵀ F⁻ᵀ, dτ = V dτ̂ Vᵀ; the second term is (τF⁻ᵀ)_il (F⁻ᵀ)_kj
    # V dτ̂ (VᵀF⁻ᵀ) for the nine (k, l) at once: two products per point, rows (k, l, a) first
    n = F.shape[0]
    right = dtau_hat.reshape(n, 27, 3) @ (np.swapaxes(V, 1, 2) @ inverse_t)
    left = V @ right.reshape(n, 9, 3, 3).transpose(0, 2, 1, 3).reshape(n, 3, 27)
    dP = left.reshape(n, 3, 9, 3).transpose(0, 2, 1, 3).reshape(n, 3, 3, 3, 3)
    kirchhoff_inverse_t = _spectral(V, tau) @ inverse_t
    dP -= kirchhoff_inverse_t[:, None, None, :, :].swapaxes(2, 4) * inverse_t[:, :, None, None, :]
    return np.ascontiguousarray(np.transpose(dP, (0, 3, 4, 1, 2)).reshape(-1, 9, 9))


class HenckyJ2:
    """Quadrature state of one finite-strain region (elastic when the material has no yield
    stress) and the numpy update behind it (module docstring)."""

    name = "hencky"

    def __init__(self, kinematics, u, cells, swelling, mesh, material, quadrature_degree):
        self._model = kinematics.model
        self._strain = kinematics.strain
        space = {shape: compat.quadrature_space(mesh, quadrature_degree, shape)
                 for shape in ((), (3, 3), (9, 9))}
        self._F, self._Fc, self._P, self._cauchy_trial = (fem.Function(space[3, 3])
                                                          for _ in range(4))
        self._A = fem.Function(space[9, 9])
        self.cp_inv, self.cauchy = fem.Function(space[3, 3]), fem.Function(space[3, 3])
        # committed per point: p, Jc ψ, Jc ψ − tr τ/3, ln Jc, ∫ Jc σ_Y dp (energy_densities)
        self.p, self._stored, self._swelling_power, self._log_jc, self._dissipated = (
            fem.Function(space[()]) for _ in range(5))
        self._expressions = [(self._F, compat.expression(kinematics.deformation_gradient(u),
                                                         space[3, 3])),
                             (self._Fc, compat.expression(swelling, space[3, 3]))]
        self._cells = np.asarray(cells, dtype=np.int32)
        self._points = compat.cell_dofs(space[()])[self._cells].ravel()
        self.cp_inv.x.array.reshape(-1, 3, 3)[self._points] = np.eye(3)
        self._iterate = None  # (F, Jc, Cp⁻¹, their _trial) at the points, as of the last update
        self.set_material(material)

    def set_material(self, material) -> None:
        """New E, ν, σ_Y (numbers: nothing is compiled from them)."""
        young, nu = material.young, material.poisson
        self._mu, self._bulk = young / (2.0 * (1.0 + nu)), young / (3.0 * (1.0 - 2.0 * nu))
        self._yield = np.inf if material.yield_stress is None else material.yield_stress
        self._point_bulk = self._bulk  # K of the point return (0 where p is a field)

    def _at_points(self):
        for target, expression in self._expressions:
            compat.interpolate_expression(target, expression, self._cells)
        F = self._F.x.array.reshape(-1, 3, 3)[self._points]
        Jc = np.linalg.det(self._Fc.x.array.reshape(-1, 3, 3)[self._points])
        return F, Jc, self.cp_inv.x.array.reshape(-1, 3, 3)[self._points]

    def update(self) -> None:
        """Return at the current displacement: P of the iterate (not committed)."""
        points = self._at_points()
        self._iterate = (*points, _trial(*points, self._mu))  # the tangent's predictor too
        self._P.x.array.reshape(-1, 3, 3)[self._points] = hencky_return(
            *points, self._mu, self._point_bulk, self._yield, self._iterate[3])[0]

    def linearize(self) -> None:
        """∂P/∂F at the iterate of the last ``update`` (only a Jacobian reads it: most updates
        are line-search and modified-Newton residuals, which do not)."""
        F, Jc, cp_inv, trial = self._iterate
        self._A.x.array.reshape(-1, 9, 9)[self._points] = piola_tangent(
            F, Jc, cp_inv, self._mu, self._point_bulk, self._yield, trial)

    def commit(self) -> None:
        """Accept the step (the return at the current displacement, no tangent): Cp⁻¹, p, the
        Cauchy stress of the returned state and the energy densities (the plastic work with Jc
        at mid-step)."""
        F, Jc, cp_inv = self._at_points()
        _, cauchy, after, dp, strain = hencky_return(F, Jc, cp_inv, self._mu, 0.0, self._yield)
        points = self._points
        pressure = self._kirchhoff_pressure(Jc, strain)
        self.cauchy.x.array.reshape(-1, 3, 3)[points] = (
            cauchy + (pressure / np.linalg.det(F))[:, None, None] * np.eye(3))
        self.cp_inv.x.array.reshape(-1, 3, 3)[points] = after
        self.p.x.array[points] += dp
        yield_stress = self._yield if np.isfinite(self._yield) else 0.0  # dp = 0 when elastic
        Jc_before = np.exp(self._log_jc.x.array[points])
        self._dissipated.x.array[points] += 0.5 * (Jc + Jc_before) * yield_stress * dp
        stored = Jc * stored_density(strain, self._mu, 0.0) + pressure**2 / (2.0 * self._bulk * Jc)
        self._stored.x.array[points] = stored
        self._swelling_power.x.array[points] = stored - pressure
        self._log_jc.x.array[points] = np.log(Jc)

    def _kirchhoff_pressure(self, Jc, strain):
        """tr τ/3 at the points after the return: Jc K tr εe."""
        return Jc * self._bulk * strain.sum(axis=1)

    def stress(self):
        """P of the current iterate (residual: ∫ P : H(v) w dV₀)."""
        return self._P

    def committed_stress(self):
        """Cauchy σ of the last accepted step (outputs)."""
        return self.cauchy

    def tangent(self, du):
        """∂P/∂F : H(δu) (Jacobian)."""
        H = self._strain(du)
        return ufl.as_tensor([[sum(self._A[3 * i + j, 3 * k + l] * H[k, l]
                                   for k in range(3) for l in range(3))
                               for j in range(3)] for i in range(3)])

    def energy_densities(self, swelling, before):
        """The bulk balance's densities per reference volume (``problems.energy``): the step's
        swelling work ½(g + before(g)) Δ ln Jc with g = Jc ψ − tr τ/3, the stored Jc ψ, the
        step's plastic work ∫ Jc σ_Y dp."""
        g, log_jc = self._swelling_power, self._log_jc
        return (0.5 * (g + before(g)) * (log_jc - before(log_jc)), self._stored,
                self._dissipated - before(self._dissipated))

    def persistent(self) -> list:
        """The functions a step changes for good (for checkpoints and rollback)."""
        return [self.cp_inv, self.cauchy, self.p, self._stored, self._swelling_power,
                self._log_jc, self._dissipated]


class MixedHenckyJ2(HenckyJ2):
    """``HenckyJ2`` with its pressure a continuous P1 field of the region (module docstring,
    mixed pressure): the point return is deviatoric, p comes from ``pressure_constraint``."""

    name = "hencky-mixed"

    def __init__(self, kinematics, u, cells, swelling, mesh, material, quadrature_degree):
        self._compliance = fem.Constant(mesh, PETSc.ScalarType(1.0))  # 1/K, set_material
        super().__init__(kinematics, u, cells, swelling, mesh, material, quadrature_degree)
        self.pressure = fem.Function(compat.lagrange_space(mesh, 1), name="pressure")
        self._pressure_points = fem.Function(compat.quadrature_space(mesh, quadrature_degree))
        self._pressure_expression = compat.expression(self.pressure,
                                                      self._pressure_points.function_space)
        self._jc = ufl.det(swelling)
        self._theta = ufl.ln(ufl.det(kinematics.deformation_gradient(u)) / self._jc)

    def set_material(self, material) -> None:
        super().set_material(material)
        self._point_bulk = 0.0
        self._compliance.value = 1.0 / self._bulk

    def pressure_constraint(self):
        """(p, θ(u), 1/(K Jc)): the region's pressure field, its elastic volumetric log strain
        and the compliance of the constraint ∫ (θ − p/(K Jc)) q = 0."""
        return self.pressure, self._theta, self._compliance / self._jc

    def _kirchhoff_pressure(self, Jc, strain):
        """p at the points (the field, not the point strain; only a commit reads it)."""
        compat.interpolate_expression(self._pressure_points, self._pressure_expression,
                                      self._cells)
        return self._pressure_points.x.array[self._points]
