"""Isotropic linear elasticity and the von Mises stress (the one definition of both).

    σ = C : ε_e = λ tr(ε_e) I + 2μ ε_e,   λ = Eν/((1 + ν)(1 − 2ν)),  μ = E/(2(1 + ν))
    σ_eq = √(3/2 s:s),  s = σ − tr(σ)/3 I

Material parameters live in ``fem.Constant``s: assigning a new value never recompiles a form.
"""

from __future__ import annotations

from dataclasses import dataclass

import ufl
from dolfinx import fem
from petsc4py import PETSc


@dataclass
class ElasticConstants:
    """Young's modulus E and Poisson ratio ν of one region, as ``fem.Constant``s."""

    young: fem.Constant
    poisson: fem.Constant

    @classmethod
    def of(cls, mesh, material) -> "ElasticConstants":
        """Constants holding E and ν of ``material`` (a config.ElasticMaterial)."""
        return cls(fem.Constant(mesh, PETSc.ScalarType(material.young)),
                   fem.Constant(mesh, PETSc.ScalarType(material.poisson)))

    def assign(self, material) -> None:
        """New values; every form and expression using them stays compiled."""
        self.young.value, self.poisson.value = material.young, material.poisson

    @property
    def lame(self):
        """λ = E ν / ((1 + ν)(1 − 2ν))."""
        return self.young * self.poisson / ((1.0 + self.poisson) * (1.0 - 2.0 * self.poisson))

    @property
    def shear(self):
        """μ = E / (2 (1 + ν))."""
        return self.young / (2.0 * (1.0 + self.poisson))


def hooke(elastic_strain, constants: ElasticConstants):
    """σ = λ tr(ε_e) I + 2μ ε_e."""
    eps = elastic_strain
    return constants.lame * ufl.tr(eps) * ufl.Identity(3) + 2.0 * constants.shear * eps


def elastic_energy_density(sigma, constants: ElasticConstants):
    """ψ_el = ½ σ : C⁻¹ : σ,  C⁻¹ : σ = ((1 + ν) σ − ν tr(σ) I) / E (the elastic strain the
    stress belongs to, whatever eigen- or plastic strain lies beside it)."""
    young, poisson = constants.young, constants.poisson
    strain = ((1.0 + poisson) * sigma - poisson * ufl.tr(sigma) * ufl.Identity(3)) / young
    return 0.5 * ufl.inner(sigma, strain)


def small_strain_energy(sigma, eigenstrain, plastic_strain, constants, before):
    """The bulk balance's densities at small strain (``problems.energy``): the eigenstrain's
    work −σ̄:Δε*, the stored energy ½ σ:C⁻¹:σ and the plastic work σ̄:Δε^p of the step,
    σ̄ = ½(σ + before(σ)), ``before`` an expression's value at the last accepted step."""
    mid = 0.5 * (sigma + before(sigma))
    return (-ufl.inner(mid, eigenstrain - before(eigenstrain)),
            elastic_energy_density(sigma, constants),
            ufl.inner(mid, plastic_strain - before(plastic_strain)))


def von_mises(sigma):
    """σ_eq = √(3/2 s:s), s = σ − tr(σ)/3 I."""
    s = ufl.dev(sigma)
    return ufl.sqrt(1.5 * ufl.inner(s, s))


class Elastic:
    """A linear elastic region: σ = C:(ε(u) − ε*), tangent C:e. No internal state."""

    name = "elastic"

    def __init__(self, kinematics, u, cells, eigenstrain, mesh, material, quadrature_degree):
        self.constants = ElasticConstants.of(mesh, material)
        self._strain = kinematics.strain
        self._stress = hooke(kinematics.strain(u) - eigenstrain, self.constants)

    def stress(self):
        """σ of the current iterate (residual)."""
        return self._stress

    committed_stress = stress

    def tangent(self, du):
        """C : ε(δu) (Jacobian)."""
        return hooke(self._strain(du), self.constants)

    def energy_densities(self, eigenstrain, before):
        """``small_strain_energy`` with ε^p = 0."""
        return small_strain_energy(self._stress, eigenstrain, ufl.zero(3, 3), self.constants,
                                   before)

    def set_material(self, material) -> None:
        self.constants.assign(material)

    def update(self) -> None:
        """Nothing to return-map."""

    def linearize(self) -> None:
        """Nothing to evaluate: the tangent is UFL."""

    def commit(self) -> None:
        """Nothing to commit."""

    p = None  # no equivalent plastic strain

    @staticmethod
    def persistent() -> list:
        """No state beyond the displacement."""
        return []
