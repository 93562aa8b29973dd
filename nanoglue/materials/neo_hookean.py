"""A compressible neo-Hookean region at finite strain: the elastic regions (substrate, coating).

With the swelling taken out, F̄ = F Jc^(−1/3), J̄ = det F̄, and per swollen volume

    ψ(F̄) = μ/2 (tr F̄ᵀF̄ − 3) − μ ln J̄ + λ/2 (ln J̄)²       (Hooke's law with λ, μ at small strain)
    W = Jc ψ(F̄) per reference volume,   P = ∂W/∂F = Jc^(2/3) ∂ψ/∂F̄,   σ = P Fᵀ / det F

all in UFL: the tangent is the form compiler's derivative of P, nothing is evaluated per point
(a Hencky law, ``materials.hencky``, needs a spectral decomposition there; these regions stay
near their small-strain range, the Sn particle takes the large strains and yields).
"""

from __future__ import annotations

import ufl

from nanoglue.materials.elastic import ElasticConstants


class NeoHookean:
    """An elastic finite-strain region: P(F) of the current iterate, no internal state."""

    name = "neo-hookean"
    p = None  # no equivalent plastic strain

    def __init__(self, kinematics, u, cells, swelling, mesh, material, quadrature_degree):
        self.constants = ElasticConstants.of(mesh, material)
        self._u = u
        F = ufl.variable(kinematics.deformation_gradient(u))
        self._jc = ufl.det(swelling)
        bar = F * self._jc ** (-1.0 / 3.0)
        mu, lame = self.constants.shear, self.constants.lame
        log_j = ufl.ln(ufl.det(bar))
        psi = (0.5 * mu * (ufl.tr(bar.T * bar) - 3.0) - mu * log_j + 0.5 * lame * log_j**2)
        self._stored = self._jc * psi
        self._piola = ufl.diff(self._stored, F)
        kirchhoff = self._piola * F.T
        self._swelling_power = self._stored - ufl.tr(kirchhoff) / 3.0
        self._cauchy = kirchhoff / ufl.det(F)

    def stress(self):
        """P of the current iterate (residual: ∫ P : H(v) w dV₀)."""
        return self._piola

    def committed_stress(self):
        """Cauchy σ (no internal state: the current one)."""
        return self._cauchy

    def tangent(self, du):
        """∂P/∂F : H(δu), by the form compiler (Jacobian)."""
        return ufl.derivative(self._piola, self._u, du)

    def energy_densities(self, swelling, before):
        """Swelling work ½(g + before(g)) Δ ln Jc, g = Jc ψ − tr τ/3; stored Jc ψ; no plastic
        work (``problems.energy``)."""
        g, log_jc = self._swelling_power, ufl.ln(self._jc)
        return (0.5 * (g + before(g)) * (log_jc - before(log_jc)), self._stored,
                ufl.zero())

    def set_material(self, material) -> None:
        self.constants.assign(material)

    def update(self) -> None:
        """Nothing to return-map."""

    def linearize(self) -> None:
        """Nothing to evaluate: the tangent is UFL."""

    def commit(self) -> None:
        """Nothing to commit."""

    @staticmethod
    def persistent() -> list:
        """No state beyond the displacement."""
        return []
