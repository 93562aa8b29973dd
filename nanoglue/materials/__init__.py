"""Bulk materials by name: each returns stress and consistent tangent of its region.

A new material is one class (``__init__(kinematics, u, cells, eigenstrain, mesh, material,
quadrature_degree)``, ``stress()``, ``committed_stress()``, ``tangent(du)``, ``update()``,
``commit()``, ``set_material(material)``) and one line in ``MATERIALS``.
"""

from nanoglue.materials.elastic import Elastic
from nanoglue.materials.j2 import J2Plastic

MATERIALS = {"elastic": Elastic, "j2": J2Plastic}


def material_name(material) -> str:
    """The registered model of a config.ElasticMaterial: J2 when it has a yield stress."""
    return "elastic" if material.yield_stress is None else "j2"
