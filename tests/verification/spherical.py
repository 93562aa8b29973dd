"""Test helpers: the axisymmetric mechanics of a mesh, and spherical stresses of its samples."""

from __future__ import annotations

import numpy as np

from nanoglue.config import Solver
from nanoglue.kinematics.model import Axisymmetric
from nanoglue.kinematics.small_strain import SmallStrain
from nanoglue.problems.mechanics import Mechanics

swelling = SmallStrain.swelling_strain


def axisymmetric_mechanics(mesh, cell_tags, facet_tags, materials, eigenstrains,
                           solver=Solver(), quadrature_degree=None):
    """Bonded small-strain mechanics of an axisymmetric (r, z) mesh."""
    return Mechanics(SmallStrain(Axisymmetric(mesh)), cell_tags, facet_tags, materials,
                     eigenstrains, solver, quadrature_degree=quadrature_degree)


def spherical(samples, centre_z: float = 0.0):
    """(ρ, σ_ρρ, σ_θθ) about the point (0, centre_z) of axisymmetric samples: σ_ρρ = n·σ·n with
    n the unit vector from the centre in the (r, z) plane, σ_θθ the hoop stress (both spherical
    hoop stresses of a spherically symmetric state)."""
    d = samples.x - np.array([0.0, centre_z])
    rho = np.hypot(d[:, 0], d[:, 1])
    n_r, n_z = d[:, 0] / rho, d[:, 1] / rho
    s = samples.stress
    return rho, n_r**2 * s[:, 0] + 2.0 * n_r * n_z * s[:, 3] + n_z**2 * s[:, 2], s[:, 1]
