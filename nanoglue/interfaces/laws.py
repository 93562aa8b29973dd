"""Cohesive laws in the interface's local frame, registered by name, unaware of dimension and
kinematics: they see the normal opening δn, the sliding vector s (in the tangent plane) and its
squared length δt², and return the normal traction and the sliding traction vector.

Both laws are secant-damage laws with free energy and traction

    δ = √(⟨δn⟩₊² + ω²δt²),    ω = τc/σc (the shear weight; 1 without a shear strength)
    ψ = ½ K0 max(1 − d, r) δ² + ½ Kc ⟨−δn⟩₊²,
    Tn = K0 max(1 − d, r) ⟨δn⟩₊ − Kc ⟨−δn⟩₊,     Ts = K0 max(1 − d, r) ω² s,

r the residual stiffness fraction (a fully damaged interface is not a free body) and Kc the
contact penalty (contact_factor·K0), active for δn < 0 at any damage. Unloading is secant
(T/δ = (1 − d)K0 at fixed κ). The dissipation ∫½K0 κ² d'(κ) dκ depends on κ only, so it is Gc
per unit area at full damage for any mode mix (minus the residual stiffness' share). In pure
sliding the peak traction is ω σc = τc at δt = δ0/ω and the shear stiffness ω²K0.

    bilinear:     δ0 = σc/K0, δf = 2Gc/σc,  d(κ) = δf(κ − δ0) / (κ(δf − δ0)) clipped to [0, 1]
    exponential:  T(δ) = e σc (δ/δc) exp(−δ/δc), δc = Gc/(e σc), K0 = e σc/δc = e²σc²/Gc,
                  secant damage d(κ) = 1 − exp(−κ/δc)

The energy spent per unit area once the history reached κ, D(κ) = ∫₀^κ ½K0 s² d′(s) ds (the
area under the envelope up to κ minus the ½T(κ)κ a secant unloading gives back):

    bilinear:     D = Gc (κ − δ0)/(δf − δ0) clipped to [0, Gc]
    exponential:  D = Gc [1 − (1 + x + x²/2) e^(−x)],  x = κ/δc

(without the residual stiffness: a point past d = 1 − r keeps ½ r K0 δ² stored instead).

A new law is one subclass with ``initial_stiffness(config)``, ``damage(κ)`` and
``energy_spent(κ)`` and one line in ``LAWS``. Parameters are ``fem.Constant``s (new values never recompile a form).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

import ufl
from dolfinx import fem
from petsc4py import PETSc

CONTACT_FACTOR = 10.0  # Kc = CONTACT_FACTOR·K0
DEFAULT_STIFFNESS = 100.0  # [GPa/nm] bilinear K0 when the case gives none


def positive(x):
    """⟨x⟩₊ = max(x, 0)."""
    return ufl.max_value(x, 0.0)


@dataclass(frozen=True)
class LocalOpening:
    """The jump in the interface frame: δn, the sliding vector s and δt² (its squared length in
    the frame's metric; |s|² for a unit normal)."""

    normal: object
    sliding: object
    sliding_squared: object


class SecantLaw(ABC):
    """Shared secant-damage traction (module docstring); subclasses give K0 and d(κ)."""

    name = ""

    def __init__(self, mesh, config, contact_factor: float = CONTACT_FACTOR):
        k0 = self.initial_stiffness(config)
        weight = 1.0 if config.shear_strength is None else config.shear_strength / config.strength
        values = (k0, config.strength, config.toughness, config.residual_stiffness,
                  contact_factor * k0, weight)
        (self.stiffness, self.strength, self.toughness, self.residual, self.contact,
         self.shear_weight) = (fem.Constant(mesh, PETSc.ScalarType(v)) for v in values)

    @staticmethod
    @abstractmethod
    def initial_stiffness(config) -> float:
        """K0 [GPa/nm] of a config.CohesiveLaw."""

    @abstractmethod
    def damage(self, kappa):
        """d(κ) [-] as UFL."""

    @abstractmethod
    def energy_spent(self, kappa):
        """D(κ) [GPa·nm = J/m²] as UFL (module docstring)."""

    def effective_opening(self, opening: LocalOpening):
        """δ = √(⟨δn⟩₊² + ω²δt²)."""
        return ufl.sqrt(positive(opening.normal) ** 2
                        + self.shear_weight**2 * opening.sliding_squared)

    def traction(self, opening: LocalOpening, d):
        """(Tn, Ts) = (K0 max(1 − d, r)⟨δn⟩₊ − Kc⟨−δn⟩₊, K0 max(1 − d, r) ω² s), d lagged."""
        secant = self.stiffness * ufl.max_value(1.0 - d, self.residual)
        normal = secant * positive(opening.normal) - self.contact * positive(-opening.normal)
        return normal, secant * self.shear_weight**2 * opening.sliding

    def stored_energy(self, opening: LocalOpening, d):
        """ψ = ½ K0 max(1 − d, r) δ² + ½ Kc ⟨−δn⟩₊²."""
        secant = self.stiffness * ufl.max_value(1.0 - d, self.residual)
        return (0.5 * secant * self.effective_opening(opening) ** 2
                + 0.5 * self.contact * positive(-opening.normal) ** 2)


class Bilinear(SecantLaw):
    """Linear softening from σc at δ0 = σc/K0 to zero at δf = 2Gc/σc."""

    name = "bilinear"

    @staticmethod
    def initial_stiffness(config) -> float:
        return config.stiffness if config.stiffness is not None else DEFAULT_STIFFNESS

    def damage(self, kappa):
        """d = δf(κ − δ0)/(κ(δf − δ0)) clipped to [0, 1]."""
        delta_0, delta_f = self.strength / self.stiffness, 2.0 * self.toughness / self.strength
        safe = ufl.max_value(kappa, delta_0)
        d = delta_f * (safe - delta_0) / (safe * (delta_f - delta_0))
        return ufl.min_value(ufl.max_value(d, 0.0), 1.0)

    def energy_spent(self, kappa):
        """D = Gc (κ − δ0)/(δf − δ0) clipped to [0, Gc]."""
        delta_0, delta_f = self.strength / self.stiffness, 2.0 * self.toughness / self.strength
        share = (kappa - delta_0) / (delta_f - delta_0)
        return self.toughness * ufl.min_value(ufl.max_value(share, 0.0), 1.0)


class Exponential(SecantLaw):
    """T = e σc (δ/δc) exp(−δ/δc): σc at δc = Gc/(e σc), Gc in all."""

    name = "exponential"

    @staticmethod
    def initial_stiffness(config) -> float:
        return math.e**2 * config.strength**2 / config.toughness

    def damage(self, kappa):
        """d = 1 − exp(−κ/δc), the secant of the exponential traction."""
        return 1.0 - ufl.exp(-kappa * ufl.e * self.strength / self.toughness)

    def energy_spent(self, kappa):
        """D = Gc [1 − (1 + x + x²/2) e^(−x)], x = κ/δc."""
        x = kappa * ufl.e * self.strength / self.toughness
        return self.toughness * (1.0 - (1.0 + x + 0.5 * x**2) * ufl.exp(-x))


LAWS = {"bilinear": Bilinear, "exponential": Exponential}


def law_for(mesh, config) -> SecantLaw:
    """The registered law of a config.CohesiveLaw, its constants on ``mesh``."""
    return LAWS[config.law](mesh, config)
