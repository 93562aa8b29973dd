"""Finite-strain kinematics, total Lagrangian: the deformation gradient and its swelling part.

    F = I + H,      H = model.gradient(u)             (F_θθ = 1 + u_r/R in axisymmetry)
    F = Fe · Fp · Fc,   Fc = Jc^(1/3) I,   Jc = 1 + θ   isotropic swelling of volume ratio Jc
    ΔV/V₀ = J − 1,  J = det F                           (the actual volume change)

The weak form pairs the first Piola–Kirchhoff stress P with the variation of F, δF = H(δu):
``strain(u)`` is therefore H(u) here (ε(u) at small strain), and a finite-strain material
returns P (``materials.hencky``). Everything is written with 3×3 tensors from the model, so the
class is dimension-free like ``SmallStrain``.
"""

from __future__ import annotations

import ufl


class FiniteStrain:
    """F(u), the swelling deformation Fc and the volume change at finite strain."""

    name = "finite"

    def __init__(self, model):
        self.model = model

    def strain(self, u):
        """H(u) = ∇u (3×3, hoop term included): the measure whose variation P works on."""
        return self.model.gradient(u)

    def deformation_gradient(self, u):
        """F = I + H(u)."""
        return ufl.Identity(3) + self.model.gradient(u)

    @staticmethod
    def swelling_strain(volumetric):
        """Fc = (1 + θ)^(1/3) I for a volumetric swelling θ (β c for Na, ε_conv for the coating):
        the swollen volume is Jc = det Fc = 1 + θ times the pristine one."""
        return (1.0 + volumetric) ** (1.0 / 3.0) * ufl.Identity(3)

    def strain_measure(self, u):
        """Green–Lagrange E = ½(FᵀF − I): its eigenvalues are (λ² − 1)/2, λ the principal
        stretches (outputs)."""
        F = self.deformation_gradient(u)
        return 0.5 * (F.T * F - ufl.Identity(3))

    @staticmethod
    def engineering_strain(eigenvalue):
        """λ − 1 of a principal value (λ² − 1)/2 of ``strain_measure``."""
        return (1.0 + 2.0 * eigenvalue) ** 0.5 - 1.0

    moving_frame = True  # interface frames follow the mid-plane's deformation

    def interface_frame(self, h_a, h_b, normal):
        """(current unit normal, area ratio da/dA) of an interface from the displacement
        gradients of its two sides (each from its own region) and the reference normal N:
        the mid-plane F_m = I + ½(H_A + H_B) and Nanson, m = det(F_m) F_m⁻ᵀ N,
        n = m/|m|, da/dA = |m| (in axisymmetry the hoop stretch is in det F_m: the ring's
        circumference grows with it)."""
        F = ufl.Identity(3) + 0.5 * (h_a + h_b)
        m = ufl.det(F) * ufl.inv(F).T * self.model.embed(normal)
        area = ufl.sqrt(ufl.dot(m, m))
        return self.model.in_plane(m) / area, area

    @staticmethod
    def diffusion_metric(u):
        """C⁻¹ of the in-plane deformation, C = FᵀF with F = I + ∇u (gdim × gdim: in
        axisymmetry the (r, z) block, all c needs, since ∂c/∂θ = 0).

        Derivation: c is per reference volume, c = n₀ x with x = Na per Sn and n₀ the pristine
        Sn density (the Sn atoms stay with their reference volume). The current flux is driven
        by the gradient of x at the current Sn density n₀/J: j = −D (n₀/J) ∇ₓ x = −(D/J) ∇ₓ c.
        Per reference area (Nanson), J₀ = J F⁻¹ j = −D F⁻¹F⁻ᵀ ∇_X c = −D C⁻¹ ∇_X c, with
        ∇ₓ = F⁻ᵀ ∇_X: no J is left. (Driven by the current concentration c/J instead, a ∇J term
        would appear.)"""
        F = ufl.Identity(len(u)) + ufl.grad(u)
        return ufl.inv(F.T * F)

    def volume_change(self, u):
        """ΔV/V₀ = det F − 1 (per unit reference volume; hoop term included)."""
        return ufl.det(self.deformation_gradient(u)) - 1.0
