"""Quarter 3-D model of the particle on a fiber: exact particle volume and the tags."""

import math

import pytest

from nanoglue.case_file import case_from_mapping
from nanoglue.errors import CaseError
from nanoglue.geometry import tags
from nanoglue.fem.mesh import build_mesh
from tests.geometry.measure import interface_area, tag_counts, volume

R, D, RF = 90.0, 15.0, 100.0
COARSE = {"particle_size": 15.0, "interface_size": 10.0, "far_size": 60.0, "coating_elements": 1}


def fiber_case(**geometry) -> dict:
    fiber = {"kind": "fiber", "radius": RF, "half_length": 200.0}
    data = {"geometry": {"model": "quarter-3d", "substrate": fiber, "mesh": COARSE, **geometry}}
    if "coating" in geometry:
        data["sodiation"] = {"route": "through-coating"}
    return data


@pytest.fixture(scope="module")
def bare():
    return build_mesh(case_from_mapping(fiber_case()))


def test_quarter_particle_volume(bare):
    assert bare.gdim == 3
    assert volume(bare, tags.PARTICLE) == pytest.approx(math.pi * R**3 / 3.0, rel=0.02)


def test_bare_fiber_tags_present_and_non_empty(bare):
    expected = {
        "particle", "substrate", "particle_substrate", "particle_surface", "substrate_free",
        "symmetry_x", "symmetry_y", "fiber_ends",
    }
    assert set(bare.tags) == expected
    counts = tag_counts(bare)
    assert set(counts) == {tags.TAG_NAMES[name] for name in expected}
    assert min(counts.values()) > 0
    # the crater follows both curvatures: its area lies between the flat-top cap of the same
    # depth (2πRd / 4) and zero
    assert 0.0 < interface_area(bare, tags.PARTICLE_SUBSTRATE) < 2 * math.pi * R * D / 4.0


def test_coated_fiber_tags_and_volumes():
    t = 20.0
    bundle = build_mesh(case_from_mapping(fiber_case(coating={"thickness": t, "extent": 140.0})))
    expected = {
        "particle", "substrate", "coating", "particle_substrate", "particle_coating",
        "coating_substrate", "coating_surface", "substrate_free", "symmetry_x", "symmetry_y",
        "fiber_ends",
    }
    assert set(bundle.tags) == expected
    assert min(tag_counts(bundle).values()) > 0
    assert volume(bundle, tags.PARTICLE) == pytest.approx(math.pi * R**3 / 3.0, rel=0.02)
    # the coating holds at least the exposed part of the quarter offset shell
    shell = math.pi * ((R + t) ** 3 - R**3) / 3.0
    assert volume(bundle, tags.COATING) > 0.5 * shell


def test_fiber_shorter_than_the_particle_is_a_case_error():
    short = {"kind": "fiber", "radius": RF, "half_length": 80.0}
    with pytest.raises(CaseError) as err:  # refused at validation, before anything is written
        case_from_mapping(fiber_case(substrate=short))
    assert err.value.path == "geometry.substrate.half_length"
