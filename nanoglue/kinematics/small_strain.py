"""Small-strain kinematics: the strain measure the materials take, built on H = ∇u.

    F = I + H,   ε = ½(H + Hᵀ) = sym(F) − I            (model.symmetric_gradient)
    ε* = (θ/3) I                                          isotropic swelling of volume ratio θ
    ΔV/V₀ ≈ tr ε                                          (linearised J − 1)

The model (``kinematics.model``) supplies H in its own coordinates (the hoop term in
axisymmetry), so this class is dimension-free; a finite-strain class takes the same H and
returns its own measure (``finite_strain``); ``kinematics.KINEMATICS`` maps the names to classes.
"""

from __future__ import annotations

import ufl


class SmallStrain:
    """ε(u), the swelling eigenstrain and the volume change at small strain."""

    name = "small"

    def __init__(self, model):
        self.model = model

    def strain(self, u):
        """ε(u) = ½(H + Hᵀ)."""
        return self.model.symmetric_gradient(u)

    def strain_measure(self, u):
        """ε(u) (outputs: its principal values are the principal strains)."""
        return self.strain(u)

    @staticmethod
    def engineering_strain(eigenvalue):
        """A principal value of ε is already the engineering strain along its direction."""
        return eigenvalue

    moving_frame = False  # interface frames stay those of the reference configuration

    @staticmethod
    def interface_frame(h_a, h_b, normal):
        """(normal, None): the reference normal, tractions per reference area as they are."""
        return normal, None

    @staticmethod
    def diffusion_metric(u):
        """None: Fick's law in the undeformed geometry (the small-strain model)."""
        return None

    @staticmethod
    def swelling_strain(volumetric):
        """ε* = (θ/3) I for a volumetric swelling θ (β c for Na, ε_conv for the coating)."""
        return volumetric / 3.0 * ufl.Identity(3)

    def volume_change(self, u):
        """ΔV/V₀ = tr ε(u) (per unit reference volume; hoop term included)."""
        return ufl.tr(self.strain(u))
