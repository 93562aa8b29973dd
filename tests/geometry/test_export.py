"""mesh.xdmf, tags.json, mesh.png and the statistics of a built mesh."""

import json
import math

import numpy as np
import pytest

from nanoglue.case_file import case_from_mapping
from nanoglue.geometry import tags
from nanoglue.fem.mesh import build_mesh
from nanoglue.output.mesh_outputs import format_mesh_report, radius_ratio, write_mesh_outputs
from nanoglue.output.render import offscreen_rendering_available

COATED = {"geometry": {"coating": {"thickness": 6.0}}, "sodiation": {"route": "through-coating"}}


def test_radius_ratio_of_regular_and_degenerate_simplices():
    triangle = np.array([[[0, 0, 0], [1, 0, 0], [0.5, math.sqrt(3) / 2, 0]]], dtype=float)
    flat = np.array([[[0, 0, 0], [1, 0, 0], [0.5, 1e-6, 0]]], dtype=float)
    tet = np.array([[[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]]], dtype=float)
    right = np.array([[[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]], dtype=float)
    assert radius_ratio(triangle) == pytest.approx([1.0])
    assert radius_ratio(flat)[0] < 1e-5
    assert radius_ratio(tet) == pytest.approx([1.0])
    # right-angle corner tet: r_in = 1/(3 + √3), r_circ = √3/2
    assert radius_ratio(right) == pytest.approx([3 * (1 / (3 + math.sqrt(3))) / (math.sqrt(3) / 2)])


def test_outputs_and_report(tmp_path):
    bundle = build_mesh(case_from_mapping(COATED))
    stats = write_mesh_outputs(bundle, tmp_path / "coated")
    for name in ("mesh.xdmf", "mesh.h5", "tags.json"):
        assert (tmp_path / "coated" / name).stat().st_size > 0
    if offscreen_rendering_available():
        assert (tmp_path / "coated" / "mesh.png").stat().st_size > 0
    else:
        assert any("mesh.png skipped" in text for text in stats["warnings"])
    document = json.loads((tmp_path / "coated" / "tags.json").read_text())
    assert document["units"] == {"length": "nm", "stress": "GPa", "time": "s"}
    assert document["regions"] == {"particle": 1, "substrate": 2, "coating": 3}
    assert document["interfaces"] == tags.INTERFACES
    assert "particle_surface" not in document["boundaries"]
    assert stats["cells"] == bundle.mesh.topology.index_map(2).size_global > 1000
    assert 0.3 < stats["quality_min"] <= stats["quality_median"] <= 1.0
    assert set(stats["interfaces"]) == set(tags.INTERFACES)
    report = format_mesh_report(stats)
    assert "particle_substrate" in report and "l_cz/h" in report and "cells" in report
    xdmf = (tmp_path / "coated" / "mesh.xdmf").read_text()
    assert 'Name="regions"' in xdmf and 'Name="facets"' in xdmf


def test_an_under_resolved_cohesive_zone_is_warned_about():
    from nanoglue.output.mesh_outputs import _resolution_warnings

    coarse = {"h_max": 6.0, "l_cz": 16.5, "l_cz_over_h": 2.75}
    fine = {"h_max": 5.0, "l_cz": 16.5, "l_cz_over_h": 3.3}
    warnings = _resolution_warnings({"particle_substrate": coarse, "particle_coating": fine})
    assert len(warnings) == 1 and "particle_substrate" in warnings[0]
