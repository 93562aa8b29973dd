"""The geometry section of the case schema: particle, crater, substrate, coating and the mesh.

Units nm. ``config.Case.geometry`` is a :class:`Geometry`; cross-field checks (a crater
shallower than the particle, a coating thinner than it, ...) are in ``case_checks``.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import Field

from nanoglue.config_base import Length, Section


class SubstrateGeometry(Section):
    kind: Literal["block", "fiber", "none"] = Field(
        "block",
        description="'block': axisymmetric cylinder of substrate below the particle; 'fiber': "
        "cylindrical carbon nanofiber (3-D model only); 'none': free particle (verification).",
    )
    radius: Length = Field(300.0, description="Block radius, or fiber radius [nm].")
    depth: Length = Field(300.0, description="Block depth below its top surface [nm] (block only).")
    half_length: Length = Field(
        300.0, description="Fiber length modelled on each side of the particle [nm] (fiber only)."
    )


class CoatingGeometry(Section):
    thickness: Length = Field(
        6.0,
        description="ALD coating thickness [nm], including the natural SnO2 layer (the paper's "
        "convention: '6 nm' coating).",
    )
    extent: Optional[Length] = Field(
        None,
        description="Radius [nm] out to which the coating continues along the substrate top "
        "(the 'glue' corner of Fig 2h). Default: the whole substrate top (ALD is conformal).",
    )


class MeshSizes(Section):
    interface_size: Optional[Length] = Field(
        None,
        description="Element size along the interface with the shortest cohesive-zone length "
        "l_cz = E'·Gc/σc² [nm]; every other interface gets as many elements per l_cz. Default: "
        "l_cz/12 (a warning above l_cz/3).",
    )
    particle_size: Length = Field(
        4.0, description="Element size inside the particle [nm] (resolves the default 7 nm "
        "front precursor, sodiation.diffusivity.front_length)."
    )
    far_size: Length = Field(40.0, description="Element size far from the particle [nm].")
    coating_elements: int = Field(3, ge=1, description="Elements across the coating thickness [-].")


class Geometry(Section):
    model: Literal["axisymmetric", "quarter-3d"] = Field(
        "axisymmetric",
        description="'axisymmetric': (r, z) half cross-section, the paper's model; 'quarter-3d': "
        "particle on a cylindrical fiber using the two symmetry planes (meshing only so far).",
    )
    particle_radius: Length = Field(
        90.0, description="Pristine Sn particle radius [nm] (paper: diameters 180–300 nm)."
    )
    crater_depth: Length = Field(
        15.0,
        description="Depth the particle sits in its crater below the substrate top [nm] (Fig 2g; "
        "not given in the paper, see docs/calibration.md).",
    )
    substrate: SubstrateGeometry = SubstrateGeometry()
    coating: Optional[CoatingGeometry] = Field(
        None, description="ALD coating; omit (or null) for a bare particle."
    )
    mesh: MeshSizes = MeshSizes()
