"""The axisymmetric meshes reproduce the exact geometry (formulas derived here, not imported).

Sphere of radius R, centre on the axis at z_c = R − d, substrate top z = 0:
  particle volume             4/3 π R³ (the whole sphere: part in the crater, part above)
  particle/substrate area     2π R d           (spherical cap of height d)
  exposed particle area       2π R (2R − d)    (cap of height 2R − d)
  crater rim radius           a² = d (2R − d)
Cap of a ball of radius ρ with height h: V_cap(ρ, h) = π h² (3ρ − h) / 3.

Coating of thickness t out to radius E on the substrate top: the union of the slab
{0 ≤ z ≤ t, r ≤ E} and the outer ball |x − c| ≤ R + t above z = 0, minus the particle. When
the slab covers the outer ball's footprint on z ∈ [0, t], the union is the slab plus the part
of the outer ball above z = t (a cap of height R + t + z_c − t = R + z_c), hence

  V_coating = π E² t + V_cap(R + t, R + z_c) − V_cap(R, R + z_c)

(the last term is the particle above z = 0). Coating/substrate area π (E² − a²).
"""

import math

import numpy as np
import pytest

from nanoglue.case_file import case_from_mapping
from nanoglue.errors import CaseError
from nanoglue.geometry import tags
from nanoglue.fem.mesh import build_mesh
from tests.geometry.measure import boundary_area, interface_area, tag_counts, volume

R, D, RS, DEPTH = 90.0, 15.0, 300.0, 300.0
REL = 5e-3  # 0.5 % at the default sizes
SPHERE = 4.0 / 3.0 * math.pi * R**3
CAP = 2.0 * math.pi * R * D  # particle/substrate contact
EXPOSED = 2.0 * math.pi * R * (2.0 * R - D)  # particle above z = 0


def cap_volume(rho: float, h: float) -> float:
    return math.pi * h**2 * (3.0 * rho - h) / 3.0


def coating_volume(t: float, extent: float) -> float:
    zc = R - D
    return math.pi * extent**2 * t + cap_volume(R + t, R + zc) - cap_volume(R, R + zc)


def rim_radius_squared() -> float:
    return D * (2.0 * R - D)


def coated(thickness: float, **geometry) -> dict:
    coating = {"thickness": thickness, **geometry.pop("coating", {})}
    return {"geometry": {"coating": coating, **geometry}, "sodiation": {"route": "through-coating"}}


def build(data: dict):
    return build_mesh(case_from_mapping(data))


@pytest.fixture(scope="module")
def bare():
    return build({})


@pytest.fixture(scope="module")
def coated6():
    return build(coated(6.0))


def test_bare_particle_volume_and_areas(bare):
    assert volume(bare, tags.PARTICLE) == pytest.approx(SPHERE, rel=REL)
    assert interface_area(bare, tags.PARTICLE_SUBSTRATE) == pytest.approx(CAP, rel=REL)
    assert boundary_area(bare, tags.PARTICLE_SURFACE) == pytest.approx(EXPOSED, rel=REL)
    block = math.pi * RS**2 * DEPTH
    crater = cap_volume(R, D)
    assert volume(bare, tags.SUBSTRATE) == pytest.approx(block - crater, abs=REL * crater)
    assert boundary_area(bare, tags.SUBSTRATE_BOTTOM) == pytest.approx(math.pi * RS**2, rel=1e-9)


def test_volume_error_decreases_on_refinement():
    """All sizes halved: the inscribed-polygon error of the sphere falls (about 4×)."""
    sizes = {"particle_size": 8.0, "interface_size": 5.0, "far_size": 40.0}
    coarse = build({"geometry": {"mesh": sizes}})
    fine = build({"geometry": {"mesh": {key: size / 2.0 for key, size in sizes.items()}}})
    coarse_error = abs(volume(coarse, tags.PARTICLE) / SPHERE - 1.0)
    fine_error = abs(volume(fine, tags.PARTICLE) / SPHERE - 1.0)
    assert fine_error < 0.5 * coarse_error
    fine_cap = abs(interface_area(fine, tags.PARTICLE_SUBSTRATE) / CAP - 1)
    assert fine_cap < abs(interface_area(coarse, tags.PARTICLE_SUBSTRATE) / CAP - 1)


def test_bare_tags_present_and_non_empty(bare):
    expected = {
        "particle", "substrate", "particle_substrate", "axis", "substrate_bottom",
        "particle_surface", "substrate_free",
    }
    assert set(bare.tags) == expected
    counts = tag_counts(bare)
    assert all(counts.get(tags.TAG_NAMES[name], 0) > 0 for name in expected)
    assert set(counts) == {tags.TAG_NAMES[name] for name in expected}


def test_coated_volumes_and_areas(coated6):
    t = 6.0
    assert volume(coated6, tags.PARTICLE) == pytest.approx(SPHERE, rel=REL)
    assert volume(coated6, tags.COATING) == pytest.approx(coating_volume(t, RS), rel=REL)
    assert interface_area(coated6, tags.PARTICLE_SUBSTRATE) == pytest.approx(CAP, rel=REL)
    assert interface_area(coated6, tags.PARTICLE_COATING) == pytest.approx(EXPOSED, rel=REL)
    assert interface_area(coated6, tags.COATING_SUBSTRATE) == pytest.approx(
        math.pi * (RS**2 - rim_radius_squared()), rel=REL
    )
    # the coating covers the whole top: only the block's side is free
    side = 2 * math.pi * RS * DEPTH
    assert boundary_area(coated6, tags.SUBSTRATE_FREE) == pytest.approx(side, rel=1e-9)


def test_coated_tags_present_and_non_empty(coated6):
    expected = {
        "particle", "substrate", "coating", "particle_substrate", "particle_coating",
        "coating_substrate", "axis", "substrate_bottom", "coating_surface", "substrate_free",
    }
    assert set(coated6.tags) == expected
    counts = tag_counts(coated6)
    assert set(counts) == {tags.TAG_NAMES[name] for name in expected}
    assert min(counts.values()) > 0


@pytest.mark.parametrize("thickness", [5.0, 10.0, 40.0])
def test_coating_thicknesses(thickness):
    bundle = build(coated(thickness, coating={"extent": 200.0}))
    exact = coating_volume(thickness, 200.0)
    assert volume(bundle, tags.COATING) == pytest.approx(exact, rel=REL)
    assert interface_area(bundle, tags.COATING_SUBSTRATE) == pytest.approx(
        math.pi * (200.0**2 - rim_radius_squared()), rel=REL
    )
    top_and_side = math.pi * (RS**2 - 200.0**2) + 2 * math.pi * RS * DEPTH
    assert boundary_area(bundle, tags.SUBSTRATE_FREE) == pytest.approx(top_and_side, rel=1e-9)


def test_free_particle_bare_and_coated():
    free = {"substrate": {"kind": "none"}}
    bare = build({"geometry": free, "sodiation": {"route": "whole-surface"}})
    assert set(bare.tags) == {"particle", "axis", "particle_surface"}
    assert boundary_area(bare, tags.PARTICLE_SURFACE) == pytest.approx(4 * math.pi * R**2, rel=REL)
    shell = build(coated(8.0, **free))
    assert set(shell.tags) == {"particle", "coating", "particle_coating", "axis", "coating_surface"}
    exact = 4.0 / 3.0 * math.pi * ((R + 8.0) ** 3 - R**3)
    assert volume(shell, tags.COATING) == pytest.approx(exact, rel=REL)
    assert volume(shell, tags.PARTICLE) == pytest.approx(SPHERE, rel=REL)


def test_coating_is_resolved_across_its_thickness_near_the_particle(coated6):
    """h ≤ t / coating_elements along the coating within COATING_BAND·R of the particle, and
    every interface at ~12 elements per cohesive zone (l_cz/12 by default)."""
    from dolfinx.mesh import compute_midpoints

    from nanoglue.fem import compat
    from nanoglue.output.mesh_outputs import mesh_stats
    from nanoglue.geometry.sizing import COATING_BAND

    stats = mesh_stats(coated6)
    h_c = 6.0 / 3
    assert stats["interfaces"]["particle_coating"]["h_max"] <= 1.05 * h_c
    assert all(item["l_cz_over_h"] >= 11.0 for item in stats["interfaces"].values())
    mesh, facet_tags = coated6.mesh, coated6.facet_tags
    facets = facet_tags.indices[facet_tags.values == tags.COATING_SUBSTRATE]
    centres = compute_midpoints(mesh, 1, facets)
    from_surface = np.hypot(centres[:, 0], centres[:, 1] - (R - D)) - R
    near = from_surface < COATING_BAND * R
    sizes = compat.entity_size(mesh, 1, facets)
    assert near.any() and np.max(sizes[near]) <= 1.05 * h_c
    assert np.max(sizes[~near]) > 3.0 * h_c  # graded beyond: the coating only rests there


@pytest.mark.parametrize(
    "data, field",
    [
        ({"geometry": {"crater_depth": 180.0}}, "geometry.crater_depth"),
        (coated(95.0), "geometry.coating.thickness"),
        (coated(6.0, coating={"extent": 50.0}), "geometry.coating.extent"),
        ({"geometry": {"substrate": {"kind": "fiber"}}}, "geometry.substrate.kind"),
        ({"geometry": {"substrate": {"radius": 80.0}}}, "geometry.substrate.radius"),
    ],
)
def test_impossible_geometry_is_a_case_error(data, field):
    with pytest.raises(CaseError) as err:
        case_from_mapping(data)
    assert err.value.path == field
