"""Cohesive-zone lengths l_cz = E′·Gc/σc², E′ = E/(1 − ν²) of the softer side; h_i = l_cz/12 by default
on the interface with the shortest l_cz and the same elements per l_cz on the others, a warning
when a given size leaves fewer than 3."""

import pytest

from nanoglue.case_file import case_from_mapping
from nanoglue.geometry.sizing import coating_size, interface_sizing

COATED = {"geometry": {"coating": {"thickness": 6.0}}, "sodiation": {"route": "through-coating"}}
COATED_INTERFACES = ("particle_substrate", "particle_coating", "coating_substrate")


def plane_strain(young: float, poisson: float) -> float:
    return young / (1.0 - poisson**2)


def test_default_bare_case():
    sizing = interface_sizing(case_from_mapping({}))
    # Sn (E 30, ν 0.3) is softer than CNF (200); Gc 0.5, σc 1.0
    l_cz = plane_strain(30.0, 0.3) * 0.5 / 1.0**2
    assert sizing.cohesive_lengths == pytest.approx({"particle_substrate": l_cz})
    assert sizing.interface_size == pytest.approx(l_cz / 12.0)
    assert sizing.warnings == []


def test_coated_case_has_three_interfaces_and_takes_the_smallest():
    sizing = interface_sizing(case_from_mapping(COATED))
    expected = {
        "particle_substrate": plane_strain(30.0, 0.3) * 0.5 / 1.0**2,
        "particle_coating": plane_strain(30.0, 0.3) * 20.0 / 3.0**2,
        "coating_substrate": plane_strain(100.0, 0.3) * 20.0 / 3.0**2,  # Na–Al–O is the softer
    }
    assert sizing.cohesive_lengths == pytest.approx(expected)
    assert sizing.interface_size == pytest.approx(min(expected.values()) / 12.0)
    for name, l_cz in expected.items():  # twelve elements per cohesive zone on each
        assert sizing.size_of(name) == pytest.approx(l_cz / 12.0)


def test_free_particle_has_no_interface():
    free = {"geometry": {"substrate": {"kind": "none"}}, "sodiation": {"route": "whole-surface"}}
    case = case_from_mapping(free)
    sizing = interface_sizing(case)
    assert sizing.cohesive_lengths == {} and sizing.interface_size is None


def test_user_size_coarser_than_l_cz_over_3_warns_naming_the_interfaces():
    data = {**COATED, "geometry": {**COATED["geometry"], "mesh": {"interface_size": 10.0}}}
    sizing = interface_sizing(case_from_mapping(data))
    assert sizing.interface_size == 10.0
    l_cz = plane_strain(30.0, 0.3) * 0.5  # Sn/CNF: the shortest, 16.5 nm → 1.6 elements
    assert sizing.size_of("coating_substrate") == pytest.approx(
        10.0 * plane_strain(100.0, 0.3) * 20.0 / 9.0 / l_cz)
    assert len(sizing.warnings) == 1 and "leaves 1.6 elements" in sizing.warnings[0]
    assert all(name in sizing.warnings[0] for name in COATED_INTERFACES)
    fine = {**COATED, "geometry": {**COATED["geometry"], "mesh": {"interface_size": 2.0}}}
    assert interface_sizing(case_from_mapping(fine)).warnings == []


def test_coating_size_is_thickness_over_elements():
    data = {**COATED, "geometry": {"coating": {"thickness": 10.0}, "mesh": {"coating_elements": 4}}}
    assert coating_size(case_from_mapping(data)) == pytest.approx(2.5)
