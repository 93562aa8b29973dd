"""Coupled transport → mechanics steps: Na conservation on every route, desodiation cut-off."""

import numpy as np
import pytest

from nanoglue.case_file import case_from_mapping
from nanoglue.geometry.build import build_mesh
from nanoglue.solver.coupled import CoupledProblem

BLOCK = {"kind": "block", "radius": 300.0, "depth": 300.0}
COARSE = {"particle_size": 15.0, "far_size": 80.0}
ROUTES = {
    "substrate-interface": {"substrate": BLOCK},
    "whole-surface": {"substrate": BLOCK},
    "through-coating": {"substrate": BLOCK, "coating": {"thickness": 6.0}},
    "free particle": {"substrate": {"kind": "none"}},
}


def _problem(route: str, geometry: dict, **sodiation) -> CoupledProblem:
    entry = "whole-surface" if route == "free particle" else route
    case = case_from_mapping({
        "geometry": {"particle_radius": 90.0, "crater_depth": 15.0, "mesh": COARSE, **geometry},
        "sodiation": {"route": entry, **sodiation},
        "solver": {"element_degree": 1},
    })
    return CoupledProblem(case, build_mesh(case))


def _prescribed_sodium(problem: CoupledProblem, charge_time: float) -> float:
    """N = V_p·(C-rate)·t/3600: the charge delivered at C-rate to a particle of volume V_p."""
    return problem.particle_volume * problem.case.sodiation.c_rate * charge_time / 3600.0


@pytest.mark.parametrize("route", ROUTES, ids=ROUTES)
def test_sodium_in_equals_charge_delivered_every_step(route):
    problem = _problem(route, ROUTES[route])
    charge_time = 0.0
    for step in (0.1, 0.2, 0.5, 1.0):
        outcome = problem.advance(+1, step)
        assert outcome.accepted, outcome.newton.reason
        charge_time += step / problem.rate
        expected = _prescribed_sodium(problem, charge_time)
        assert problem.transport.total_sodium() == pytest.approx(expected, rel=1e-10)
    assert problem.chemical_expansion() == pytest.approx(1.8, rel=1e-10)


def test_desodiation_removes_what_the_charge_says_and_stops_at_the_cut_off():
    problem = _problem("whole-surface", ROUTES["whole-surface"])
    for _ in range(4):
        assert problem.advance(+1, 1.0).accepted
    charged = problem.transport.total_sodium()
    outcome = problem.advance(-1, 0.5)
    assert outcome.accepted
    removed = _prescribed_sodium(problem, 0.5 / problem.rate)
    assert problem.transport.total_sodium() == pytest.approx(charged - removed, rel=1e-10)
    # Desodiating more than the particle holds must hit the surface cut-off, and leave c alone.
    before = problem.transport.c.x.array.copy()
    outcome = problem.advance(-1, 4.0)
    assert not outcome.accepted and outcome.cut_off
    assert (problem.transport.c.x.array == before).all()


def test_free_swelling_volume_follows_the_chemistry():
    """A free particle sodiated uniformly enough swells by about β·mean(c) (small strain)."""
    problem = _problem("free particle", ROUTES["free particle"],
                       diffusivity={"model": "constant", "value": 1.0e4})
    for _ in range(3):
        assert problem.advance(+1, 1.0).accepted
    assert problem.mechanical_expansion() == pytest.approx(problem.chemical_expansion(), rel=0.02)


def test_initial_core_concentration_sets_only_the_core():
    """sodiation.initial: c = c0 within core_radius of the particle centre, 0 outside."""
    problem = _problem("free particle", ROUTES["free particle"],
                       initial={"value": 0.1, "core_radius": 45.0})
    c = problem.transport.c
    x = c.function_space.tabulate_dof_coordinates()
    centre = 0.5 * (x[:, 1].max() + x[:, 1].min())
    distance = np.hypot(x[:, 0], x[:, 1] - centre)
    assert np.all(c.x.array[distance < 44.0] == 0.1)
    assert np.all(c.x.array[distance > 46.0] == 0.0)
    # P1 ramps across the elements (h = 15 nm) cut by r = a0: the content lies between the
    # contents of spheres of radius a0 ∓ h
    def content(radius):
        return 0.1 * 4.0 / 3.0 * np.pi * radius**3

    assert content(45.0 - 15.0) < problem.transport.total_sodium() < content(45.0 + 15.0)
