"""Cohesive laws in the interface's local frame, registered by name, unaware of dimension and
kinematics: they see the normal opening δn, the sliding vector s (in the tangent plane) and its
squared length δt², and return the normal traction and the sliding traction vector.

Both laws are secant-damage laws with free energy and traction

    δ = √(⟨δn⟩₊² + ω²δt²),    ω = τc/σc (the shear weight; 1 without a shear strength)
    ψ = K0 max(1 − d, r) (Φ(δn) + ½ω²δt²) + Kc Φ(−δn),
    Tn = K0 max(1 − d, r) s(δn) − Kc s(−δn),     Ts = K0 max(1 − d, r) ω² s,

r the residual stiffness fraction (a fully damaged interface is not a free body) and Kc the
contact stiffness (contact_factor·K0 = K0: damage softens opening, never closing), active for
δn < 0 at any damage. s is ⟨x⟩₊ with its corner rounded over |x| < w (C¹, Φ' = s):

    s(x) = ⟨x − w⟩₊ + (c + w)²/(4w),   Φ(x) = ½⟨x − w⟩₊² + w⟨x − w⟩₊ + (c + w)³/(12w),
    c = min(max(x, −w), w),   w = σc/K0 = δ0 (CONTACT_SMOOTHING),

so s(x) − s(−x) = x: while d = 0 the normal law is still one straight line, closed beyond w it
is exactly Kc δn, and only a damaged point inside the band differs (a debonded one rests at a
gap ≤ w instead of 0). Without the rounding, debonded points lying on the fiber switched
between open (r K0) and closed (K0) from one Newton iteration to the next: docs/model.md,
*Contact*. Unloading is secant
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

The energy budget (``problems.energy``) also needs κ(d), the inverse of d(κ), to tell the
rate-independent share D(κ(d)) of the dissipation from a viscous law's surplus. A new law is one
subclass with ``initial_stiffness(config)``, ``damage(κ)``, ``energy_spent(κ)`` and
``opening_at_damage(d)`` and one line in ``LAWS``. Parameters are ``fem.Constant``s (new values never recompile a form).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass

import ufl
from dolfinx import fem
from petsc4py import PETSc

CONTACT_FACTOR = 1.0  # Kc = CONTACT_FACTOR·K0: an intact bond is as stiff closed as open, so the
# law is linear through δn = 0 while d = 0 (a stiffer Kc put a kink there that Newton chattered
# on where a coating lies on the fiber at δn ≈ 0: docs/model.md, *Contact*)
DEFAULT_STIFFNESS = 100.0  # [GPa/nm] bilinear K0 when the case gives none
SPENT_FRACTION = 0.99  # a point has spent its law at D = 0.99 Gc (the energy criterion)
RESIDUAL_TRACTION = 1e-3  # the default floor r carries r·K0·κ_0.99 = 1e-3 σc at that opening


CONTACT_SMOOTHING = 1.0  # w/δ0, δ0 = σc/K0: the half-width of the rounded corner of ⟨δn⟩₊
# (docstring); the finite-strain coated case stalled at 60.27 % with 0.5, went on with 1 and 2


def positive(x):
    """⟨x⟩₊ = max(x, 0)."""
    return ufl.max_value(x, 0.0)


def rounded(x, w):
    """s(x): ⟨x⟩₊ with its corner rounded over |x| < w (module docstring)."""
    c = ufl.min_value(ufl.max_value(x, -w), w)
    return positive(x - w) + (c + w) ** 2 / (4.0 * w)


def rounded_potential(x, w):
    """Φ(x) = ∫ s: ½⟨x − w⟩₊² + w⟨x − w⟩₊ + (c + w)³/(12w)."""
    c = ufl.min_value(ufl.max_value(x, -w), w)
    beyond = positive(x - w)
    return 0.5 * beyond**2 + w * beyond + (c + w) ** 3 / (12.0 * w)


@dataclass(frozen=True)
class LocalOpening:
    """The jump in the interface frame: δn, the sliding vector s, the frame's metric m = n·n
    (1 for a unit normal) and δt² = s·s/m."""

    normal: object
    sliding: object
    metric: object

    @property
    def sliding_squared(self):
        """δt² = s·s/m."""
        return ufl.dot(self.sliding, self.sliding) / self.metric


@dataclass(frozen=True)
class Operations:
    """The few functions the laws' d(κ) and D(κ) use, for UFL or for plain floats."""

    max: object
    min: object
    exp: object
    ln: object


UFL_OPERATIONS = Operations(ufl.max_value, ufl.min_value, ufl.exp, ufl.ln)
FLOAT_OPERATIONS = Operations(max, min, math.exp, math.log)


class SecantLaw(ABC):
    """Shared secant-damage traction (module docstring); subclasses give K0, d(κ), D(κ), κ(d).

    On a mesh the parameters are ``fem.Constant``s and the formulas UFL; with ``mesh=None`` they
    are floats and the same formulas give numbers (``spent_opening``, the floor, the criterion).
    """

    name = ""

    def __init__(self, mesh, config, contact_factor: float = CONTACT_FACTOR):
        k0 = self.initial_stiffness(config)
        weight = 1.0 if config.shear_strength is None else config.shear_strength / config.strength
        residual = config.residual_stiffness
        if residual is None:
            residual = RESIDUAL_TRACTION * config.strength / (
                k0 * type(self)(None, config.model_copy(update={"residual_stiffness": 0.0}))
                .spent_opening(SPENT_FRACTION))
        values = (k0, config.strength, config.toughness, residual, contact_factor * k0, weight,
                  CONTACT_SMOOTHING * config.strength / k0)
        self.ops = FLOAT_OPERATIONS if mesh is None else UFL_OPERATIONS
        make = float if mesh is None else (lambda v: fem.Constant(mesh, PETSc.ScalarType(v)))
        (self.stiffness, self.strength, self.toughness, self.residual, self.contact,
         self.shear_weight, self.rounding) = (make(v) for v in values)

    def spent_opening(self, fraction: float) -> float:
        """κ_f [nm] at which D(κ_f) = f·Gc, by bisection on D (floats: ``mesh=None``)."""
        low, high = 0.0, self.strength / self.stiffness
        while self.energy_spent(high) < fraction * self.toughness:
            low, high = high, 2.0 * high
        for _ in range(200):
            middle = 0.5 * (low + high)
            low, high = (middle, high) if self.energy_spent(middle) < fraction * self.toughness \
                else (low, middle)
        return high

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
        """(Tn, Ts) = (K0 max(1 − d, r) s(δn) − Kc s(−δn), K0 max(1 − d, r) ω² s), d lagged."""
        secant = self.stiffness * ufl.max_value(1.0 - d, self.residual)
        w = self.rounding
        normal = secant * rounded(opening.normal, w) - self.contact * rounded(-opening.normal, w)
        return normal, secant * self.shear_weight**2 * opening.sliding

    def stored_energy(self, opening: LocalOpening, d) -> dict:
        """ψ in its three parts, which sum to K0 max(1 − d, r)(Φ(δn) + ½ω²δt²) + Kc Φ(−δn):
        bonded ⟨1 − d − r⟩₊ ψ₀, residual r ψ₀ (the floor's), contact Kc Φ(−δn), with
        ψ₀ = K0 (Φ(δn) + ½ω²δt²) (½ K0 δ² beyond the rounding)."""
        w = self.rounding
        intact = self.stiffness * (rounded_potential(opening.normal, w)
                                   + 0.5 * self.shear_weight**2 * opening.sliding_squared)
        return {"bonded": positive(1.0 - d - self.residual) * intact,
                "residual": self.residual * intact,
                "contact": self.contact * rounded_potential(-opening.normal, w)}

    def step_dissipation(self, before: LocalOpening, d_before, after: LocalOpening, d_after):
        """What damage dissipated per unit area over a step from (δ⁰, d⁰) to (δ¹, d¹):

            ΔD = ½ K0 (a(d⁰) − a(d¹)) δ⁰⊙δ¹,   a(d) = max(1 − d, r),
            δ⁰⊙δ¹ = ⟨δn⁰⟩₊⟨δn¹⟩₊ + ω² s⁰·s¹/m,

        the release rate Y = ½K0 δ² with δ² taken as the product of the two ends: the discrete
        ∫Y dd for which the trapezoidal work ½(T⁰ + T¹)·Δ[[u]] minus Δψ balances exactly when
        ψ is quadratic in the jump (no contact switch, no sign change of δn within the step).
        The plain ½(Y⁰ + Y¹)Δd differs by ¼K0 Δd |δ¹ − δ⁰|², which is of the order of ΔD itself
        where a point's opening doubles within a step, as it does at a moving debond front. No
        dissipation below the floor (a stops at r)."""
        product = (positive(before.normal) * positive(after.normal)
                   + self.shear_weight**2 * ufl.dot(before.sliding, after.sliding) / after.metric)
        floor = lambda d: ufl.max_value(1.0 - d, self.residual)  # noqa: E731
        return 0.5 * self.stiffness * (floor(d_before) - floor(d_after)) * product

    @abstractmethod
    def opening_at_damage(self, d):
        """κ(d), the inverse of d(κ): the history a damage d belongs to (UFL)."""

    def dissipated_at(self, d):
        """D(κ(min(d, 1 − r))): the energy a rate-independent history to damage d has
        dissipated per unit area — the floor r stops dissipation at d = 1 − r (UFL)."""
        return self.energy_spent(self.opening_at_damage(self.ops.min(d, 1.0 - self.residual)))


class Bilinear(SecantLaw):
    """Linear softening from σc at δ0 = σc/K0 to zero at δf = 2Gc/σc."""

    name = "bilinear"

    @staticmethod
    def initial_stiffness(config) -> float:
        return config.stiffness if config.stiffness is not None else DEFAULT_STIFFNESS

    def damage(self, kappa):
        """d = δf(κ − δ0)/(κ(δf − δ0)) clipped to [0, 1]."""
        delta_0, delta_f = self.strength / self.stiffness, 2.0 * self.toughness / self.strength
        ops = self.ops
        safe = ops.max(kappa, delta_0)
        d = delta_f * (safe - delta_0) / (safe * (delta_f - delta_0))
        return ops.min(ops.max(d, 0.0), 1.0)

    def energy_spent(self, kappa):
        """D = Gc (κ − δ0)/(δf − δ0) clipped to [0, Gc]."""
        delta_0, delta_f = self.strength / self.stiffness, 2.0 * self.toughness / self.strength
        share = (kappa - delta_0) / (delta_f - delta_0)
        return self.toughness * self.ops.min(self.ops.max(share, 0.0), 1.0)

    def opening_at_damage(self, d):
        """κ = δf δ0 / (δf − d (δf − δ0)): δ0 at d = 0, δf at d = 1."""
        delta_0, delta_f = self.strength / self.stiffness, 2.0 * self.toughness / self.strength
        return delta_f * delta_0 / (delta_f - d * (delta_f - delta_0))


class Exponential(SecantLaw):
    """T = e σc (δ/δc) exp(−δ/δc): σc at δc = Gc/(e σc), Gc in all."""

    name = "exponential"

    @staticmethod
    def initial_stiffness(config) -> float:
        return math.e**2 * config.strength**2 / config.toughness

    def damage(self, kappa):
        """d = 1 − exp(−κ/δc), the secant of the exponential traction."""
        return 1.0 - self.ops.exp(-kappa * math.e * self.strength / self.toughness)

    def energy_spent(self, kappa):
        """D = Gc [1 − (1 + x + x²/2) e^(−x)], x = κ/δc."""
        x = kappa * math.e * self.strength / self.toughness
        return self.toughness * (1.0 - (1.0 + x + 0.5 * x**2) * self.ops.exp(-x))

    def opening_at_damage(self, d):
        """κ = −δc ln(1 − d) (d kept below 1 − 10⁻¹⁵: D is Gc to 10⁻¹³ there)."""
        delta_c = self.toughness / (math.e * self.strength)
        return -delta_c * self.ops.ln(1.0 - self.ops.min(d, 1.0 - 1e-15))


LAWS = {"bilinear": Bilinear, "exponential": Exponential}


@dataclass(frozen=True)
class DebondedCriterion:
    """When a point of an interface counts as debonded: ``kind`` 'energy' — its law has spent
    ``SPENT_FRACTION`` of Gc, κ ≥ κ₉₉, i.e. d ≥ d(κ₉₉) (the floor plays no part: d is the law's
    own); 'damage' — d ≥ ``damage``."""

    kind: str = "energy"
    damage: float = 0.99

    def threshold(self, config) -> float:
        """The damage at which a point of the law ``config`` (config.CohesiveLaw) is debonded."""
        if self.kind == "damage":
            return self.damage
        law = LAWS[config.law](None, config)
        return law.damage(law.spent_opening(SPENT_FRACTION))


def law_for(mesh, config) -> SecantLaw:
    """The registered law of a config.CohesiveLaw, its constants on ``mesh``."""
    return LAWS[config.law](mesh, config)
