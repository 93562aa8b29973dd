"""Axisymmetric small-strain mechanics as pure UFL builders, one idea per function.

Coordinates x = (r, z) with r = x[0] ≥ 0, displacement u = (u_r, u_z). Strains and stresses are
3×3 tensors in (r, θ, z) order; the hoop component is u_r/r. Internal variables at quadrature
points store the four non-zero components (rr, θθ, zz, rz) (``to_components``/``to_tensor``).

Every volume integral of the axisymmetric problem carries 2πr dx. In the weak form the 2π
multiplies every term and cancels, so ``internal_work`` carries r only; integrated quantities
(``mechanical_volume_strain``) are ratios, in which 2π cancels too. Quadrature points never lie
on the axis, so u_r/r is finite wherever it is evaluated.

The builders take the displacement, the region's measure and the region's constants as
arguments, so one displacement field per region (cohesive interfaces) reuses them unchanged.
Material parameters live in ``fem.Constant``s: assigning a new value never recompiles a form.

Element choice (measured in tests/verification/test_plasticity_hill.py, see plasticity.py):
P2 displacement with the degree-2 (3-point) rule by default; P1 locks under isochoric plastic flow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import ufl
from dolfinx import fem
from mpi4py import MPI
from petsc4py import PETSc

def measure(mesh, quadrature_degree: int, cell_tags=None) -> ufl.Measure:
    """dx with the fixed rule of the quadrature-space state: degree q, scheme "default".

    Restrict it to a region with ``measure(...)(tag)``; multiply integrands by r (2π cancels).
    """
    metadata = {"quadrature_degree": quadrature_degree, "quadrature_scheme": "default"}
    return ufl.Measure("dx", domain=mesh, subdomain_data=cell_tags, metadata=metadata)


def radius(mesh):
    """r = x[0], the distance from the symmetry axis."""
    return ufl.SpatialCoordinate(mesh)[0]


def strain(u, r):
    """ε(u) = [[∂u_r/∂r, 0, ½(∂u_r/∂z + ∂u_z/∂r)], [0, u_r/r, 0], [sym, 0, ∂u_z/∂z]] (r, θ, z)."""
    g = ufl.grad(u)
    shear = 0.5 * (g[0, 1] + g[1, 0])
    return ufl.as_tensor([[g[0, 0], 0.0, shear], [0.0, u[0] / r, 0.0], [shear, 0.0, g[1, 1]]])


def chemical_strain(c, beta):
    """ε_c = (β c / 3) I: isotropic swelling, β the volumetric expansion at c = 1."""
    return beta * c / 3.0 * ufl.Identity(3)


def to_tensor(v):
    """3×3 tensor of the stored components v = (rr, θθ, zz, rz)."""
    return ufl.as_tensor([[v[0], 0.0, v[3]], [0.0, v[1], 0.0], [v[3], 0.0, v[2]]])


def to_components(t):
    """Stored components (rr, θθ, zz, rz) of a symmetric 3×3 axisymmetric tensor."""
    return ufl.as_vector([t[0, 0], t[1, 1], t[2, 2], t[0, 2]])


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


def elastic_stress(u, r, eigenstrain, constants: ElasticConstants):
    """σ = C : (ε(u) − ε*), ε* the region's eigenstrain (chemical; later also conversion)."""
    return hooke(strain(u, r) - eigenstrain, constants)


def von_mises(sigma):
    """σ_eq = √(3/2 s:s), s = σ − tr(σ)/3 I."""
    s = ufl.dev(sigma)
    return ufl.sqrt(1.5 * ufl.inner(s, s))


def internal_work(sigma, v, r, dx):
    """∫ σ : ε(v) r dx over the region of ``dx`` (the 2π of 2πr cancels in the weak form)."""
    return ufl.inner(sigma, strain(v, r)) * r * dx


def mechanical_volume_strain(u, r, dx) -> float:
    """ΔV/V0 = ∫ tr ε(u) r dx / ∫ r dx over the region of ``dx`` (small strain, hoop included)."""
    comm = u.function_space.mesh.comm
    total = [comm.allreduce(fem.assemble_scalar(fem.form(f)), op=MPI.SUM)
             for f in (ufl.tr(strain(u, r)) * r * dx, r * dx)]
    return total[0] / total[1]


@dataclass(frozen=True)
class Samples:
    """Values at the owned quadrature points: x (n, 2) = (r, z), region tag (n,), stress (n, 4)
    in (rr, θθ, zz, rz), equivalent plastic strain p (n,; 0 in elastic regions)."""

    x: np.ndarray
    region: np.ndarray
    stress: np.ndarray
    p: np.ndarray

    def spherical(self, centre_z: float = 0.0):
        """(ρ, σ_ρρ, σ_θθ) about the point (0, centre_z): σ_ρρ = n·σ·n with n the unit vector
        from the centre in the (r, z) plane, σ_θθ the hoop stress (both spherical hoop stresses
        of a spherically symmetric state)."""
        d = self.x - np.array([0.0, centre_z])
        rho = np.hypot(d[:, 0], d[:, 1])
        n_r, n_z = d[:, 0] / rho, d[:, 1] / rho
        s = self.stress
        return rho, n_r**2 * s[:, 0] + 2.0 * n_r * n_z * s[:, 3] + n_z**2 * s[:, 2], s[:, 1]
