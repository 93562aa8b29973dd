"""Profiles at snapshot states: ordering along an interface, CSV layout, the coating line."""

import csv
import json
import math
from types import SimpleNamespace

import numpy as np
import pytest

from nanoglue.case_file import case_from_mapping
from nanoglue import formulas
from nanoglue.geometry import tags
from nanoglue.output.profiles import (
    COATING_COLUMNS,
    DAMAGE_COLUMNS,
    arc_lengths,
    chain_order,
    coating_von_mises,
    state_label,
)
from nanoglue.simulation import run_case

R, DEPTH, THICKNESS, SUBSTRATE_RADIUS = 90.0, 15.0, 6.0, 300.0
INTERFACE_SIZE = 4.0


class OneRank:
    """The part of an MPI communicator ``coating_von_mises`` uses, for one rank."""

    rank = 0

    @staticmethod
    def gather(value, root=0):
        return [value]


def test_state_labels_are_compact():
    assert [state_label(x) for x in (56.0, 55.99999999999, 12.5, 0.0, -1e-13)] == \
        ["56", "56", "12.5", "0", "0"]


def test_chain_order_walks_a_shuffled_polyline_from_its_outer_end():
    """An arc of a circle from the rim (r = 1, z = 0) to the axis, vertices and edges shuffled."""
    angle = np.linspace(0.0, 0.5 * np.pi, 9)
    ordered = np.column_stack([np.cos(angle), np.sin(angle)])
    shuffle = np.random.default_rng(3).permutation(len(ordered))
    points = ordered[shuffle]
    position = np.argsort(shuffle)  # where each ordered vertex went
    edges = np.column_stack([position[:-1], position[1:]])[::-1]
    edges[::2] = edges[::2, ::-1]
    order = chain_order(points, edges)
    assert np.array_equal(points[order], ordered)
    assert arc_lengths(points[order])[-1] == pytest.approx(2 * 8 * math.sin(np.pi / 32))


def test_chain_order_refuses_a_broken_interface():
    points = np.array([[3.0, 0.0], [2.0, 0.0], [1.0, 0.0], [0.0, 0.0]])
    with pytest.raises(ValueError):
        chain_order(points, np.array([[0, 1], [2, 3]]))


def test_coating_stress_is_taken_from_the_nearest_coating_point_only():
    """Particle samples sit closer to the line than coating ones: they must be ignored."""
    line = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    x = np.array([[0.0, 0.01], [1.0, 0.01], [2.0, 0.01],  # particle, right on the line
                  [0.1, 0.3], [1.1, 0.3], [1.9, 0.3], [1.0, 5.0]])  # coating
    region = np.array([tags.PARTICLE] * 3 + [tags.COATING] * 4, dtype=float)
    von_mises = np.array([50.0, 50.0, 50.0, 1.0, 2.0, 3.0, 9.0])
    samples = SimpleNamespace(x=x, region=region, von_mises=von_mises)
    assert coating_von_mises(OneRank(), samples, line) == pytest.approx([1.0, 2.0, 3.0])


def _read(path):
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


@pytest.fixture(scope="module")
def coated_run(tmp_path_factory):
    """Coated (6 nm) particle to 2 %, coarse, snapshots at 0, 1 and 2 % (~15 s)."""
    case = case_from_mapping({
        "name": "tiny-coated",
        "geometry": {"particle_radius": R, "crater_depth": DEPTH,
                     "substrate": {"kind": "block", "radius": SUBSTRATE_RADIUS, "depth": 300.0},
                     "coating": {"thickness": THICKNESS},
                     "mesh": {"particle_size": 15.0, "far_size": 80.0,
                              "interface_size": INTERFACE_SIZE}},
        "sodiation": {"route": "through-coating", "stop_expansion_percent": 2.0},
        "output": {"snapshot_at_percent": [1.0]},
    })
    directory = tmp_path_factory.mktemp("coated")
    return directory, run_case(case, directory)


def expected_arc(name: str) -> float:
    """Length of each interface from the geometry: the contact cap's arc R·acos(1 − d/R) (polar
    angle θ0 of the rim, cos θ0 = (R − d)/R), the coated arc R(π − θ0) from the rim over the
    top, and the substrate top from the coating's end (the substrate radius) in to the rim a."""
    rim_angle = math.acos(1.0 - DEPTH / R)
    return {"particle_substrate": R * rim_angle,
            "particle_coating": R * (math.pi - rim_angle),
            "coating_substrate": SUBSTRATE_RADIUS - formulas.contact_radius(R, DEPTH)}[name]


def expected_ends(name: str) -> list:
    """(r, z) of the outer end, then of the inner end, of each interface."""
    a = formulas.contact_radius(R, DEPTH)
    return {"particle_substrate": [a, 0.0, 0.0, -DEPTH],
            "particle_coating": [a, 0.0, 0.0, 2 * R - DEPTH],
            "coating_substrate": [SUBSTRATE_RADIUS, 0.0, a, 0.0]}[name]


def test_summary_lists_a_profile_pair_per_snapshot_state(coated_run):
    directory, summary = coated_run
    assert summary["status"] == "completed"
    expected = {f"profiles/{kind}_{x}.csv" for kind in ("interface_damage", "coating_von_mises")
                for x in ("0", "1", "2")}
    assert set(summary["profiles"]) == expected
    assert all((directory / name).is_file() for name in expected)
    assert json.loads((directory / "summary.json").read_text())["profiles"] == summary["profiles"]
    assert (directory / "damage_vs_arc.png").stat().st_size > 0


def test_damage_profile_runs_from_the_outer_end_over_the_whole_interface(coated_run):
    directory, _ = coated_run
    header, rows = _read(directory / "profiles" / "interface_damage_2.csv")
    assert header == DAMAGE_COLUMNS
    names = list(dict.fromkeys(row[0] for row in rows))
    assert names == ["particle_substrate", "particle_coating", "coating_substrate"]
    for name in names:
        arc, r, z, d = np.array([row[1:] for row in rows if row[0] == name], dtype=float).T
        assert arc[0] == 0.0 and np.all(np.diff(arc) > 0.0)
        assert arc[-1] == pytest.approx(expected_arc(name), rel=0.01)
        assert np.all((d >= 0.0) & (d <= 1.0))
        assert np.hypot(np.diff(r), np.diff(z)) == pytest.approx(np.diff(arc))
        assert [r[0], z[0], r[-1], z[-1]] == pytest.approx(expected_ends(name), abs=1e-6)


def test_coating_profile_spans_the_thickness_on_the_equator(coated_run):
    directory, _ = coated_run
    header, rows = _read(directory / "profiles" / "coating_von_mises_2.csv")
    assert header == COATING_COLUMNS
    s, von_mises, r, z = np.array(rows, dtype=float).T
    assert len(s) >= 10 and np.all(np.diff(s) > 0.0)
    assert s[-1] - s[0] == pytest.approx(THICKNESS, abs=THICKNESS / 3)  # h_c = t / 3
    assert np.hypot(r, z - (R - DEPTH)) == pytest.approx(R + s)
    assert np.all(np.isfinite(von_mises)) and np.all(von_mises > 0.0)
    # a shell pushed out by its core: σ_vM = |σθθ − σρρ| ∝ ρ⁻³ (Lamé) falls through the thickness
    assert np.all(np.diff(von_mises) <= 0.0) and len(np.unique(von_mises)) >= 3
    _, before = _read(directory / "profiles" / "coating_von_mises_0.csv")
    assert np.max(von_mises) > np.max(np.array(before, dtype=float)[:, 1])  # it swelled since
