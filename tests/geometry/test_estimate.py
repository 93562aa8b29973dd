"""The cell count estimated before meshing (geometry.estimate) against the mesh Gmsh then
builds: within a factor 2 (the issue's bound; measured 0.90–1.02 on the shipped configs) on
every shipped config and on cases of other sizes, shapes and routes."""

from pathlib import Path

import gmsh
import pytest

from nanoglue.case_file import case_from_mapping, load_case
from nanoglue.geometry.build import mesh_model
from nanoglue.geometry.estimate import estimate_cells
from nanoglue.geometry.session import gmsh_model
from nanoglue.geometry.sizing import interface_sizing

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
AXISYMMETRIC = sorted(path.name for path in CONFIGS.glob("*.yaml") if path.name != "fiber-3d.yaml")
OTHER_CASES = {
    "bare, finer particle": {"geometry": {"mesh": {"particle_size": 2.5, "far_size": 15.0}}},
    "bare, big particle, deep crater": {"geometry": {"particle_radius": 150.0,
                                                     "crater_depth": 40.0}},
    "coated 20 nm, 5 elements across": {
        "geometry": {"coating": {"thickness": 20.0}, "mesh": {"coating_elements": 5}},
        "sodiation": {"route": "through-coating"}},
    "free coated particle": {"geometry": {"substrate": {"kind": "none"},
                                          "coating": {"thickness": 6.0}},
                             "sodiation": {"route": "through-coating"}},
    "coating on the substrate near the particle only": {
        "geometry": {"coating": {"thickness": 6.0, "extent": 150.0},
                     "mesh": {"interface_size": 3.0}},
        "sodiation": {"route": "through-coating"}},
}


def _cells(case) -> int:
    """Cells of the mesh Gmsh builds for ``case``."""
    dim = 3 if case.geometry.model == "quarter-3d" else 2
    with gmsh_model("count"):
        mesh_model(case, interface_sizing(case))
        _, elements, _ = gmsh.model.mesh.getElements(dim)
        return sum(len(tags) for tags in elements)


def _assert_within_2x(case) -> None:
    estimate, actual = estimate_cells(case).cells, _cells(case)
    assert 0.5 * actual <= estimate <= 2.0 * actual, (estimate, actual)


@pytest.mark.parametrize("name", AXISYMMETRIC)
def test_estimate_of_every_shipped_axisymmetric_config(name):
    _assert_within_2x(load_case(CONFIGS / name))


@pytest.mark.parametrize("data", OTHER_CASES.values(), ids=OTHER_CASES.keys())
def test_estimate_of_other_cases(data):
    _assert_within_2x(case_from_mapping(data))


@pytest.mark.slow
def test_estimate_of_the_shipped_3d_fiber_case():
    """265 k tetrahedra, ~25 s of meshing."""
    _assert_within_2x(load_case(CONFIGS / "fiber-3d.yaml"))


def test_estimate_of_a_coarse_3d_coated_fiber_case():
    fiber = {"kind": "fiber", "radius": 100.0, "half_length": 200.0}
    _assert_within_2x(case_from_mapping({
        "geometry": {"model": "quarter-3d", "substrate": fiber, "coating": {"thickness": 6.0},
                     "mesh": {"particle_size": 15.0, "interface_size": 10.0, "far_size": 60.0,
                              "coating_elements": 1}},
        "sodiation": {"route": "through-coating"}}))
