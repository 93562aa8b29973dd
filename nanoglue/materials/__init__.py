"""Bulk materials by kinematics and name: each returns stress and tangent of its region.

A new material is one class (``__init__(kinematics, u, cells, eigenstrain, mesh, material,
quadrature_degree)``, ``stress()`` — work-conjugate to ``kinematics.strain``: σ at small strain,
P at finite strain —, ``committed_stress()`` — the Cauchy stress of the last accepted step —,
``tangent(du)``, ``update()`` — the stress of the current iterate —, ``linearize()`` — what
``tangent`` reads, at the iterate of the last ``update``, called only before a Jacobian is
assembled —, ``commit()``, ``set_material(material)``, ``persistent()``, ``p``; optionally
``pressure_constraint()``, a pressure field of its own: ``problems.mechanics``) and one line in
``MATERIALS``.
"""

from nanoglue.materials.elastic import Elastic
from nanoglue.materials.hencky import HenckyJ2, MixedHenckyJ2
from nanoglue.materials.j2 import J2Plastic
from nanoglue.materials.neo_hookean import NeoHookean

MATERIALS = {("small", "elastic"): Elastic, ("small", "j2"): J2Plastic,
             ("finite", "elastic"): NeoHookean, ("finite", "j2"): HenckyJ2,
             ("finite", "j2-mixed"): MixedHenckyJ2}
"""(kinematics name, model name) → material class."""


def material_class(kinematics, material, pressure: str = "displacement"):
    """The registered class for a config.ElasticMaterial under ``kinematics``: J2 when it has a
    yield stress (Hencky + J2 at finite strain, with its own pressure field when ``pressure``
    is "mixed": config.MechanicsModel), elastic otherwise (neo-Hookean there)."""
    if material.yield_stress is None:
        return MATERIALS[kinematics.name, "elastic"]
    return MATERIALS[kinematics.name, "j2-mixed" if pressure == "mixed" else "j2"]
