"""Coupled transport → mechanics steps: Na conservation on every route, desodiation cut-off."""

import os
import signal

import numpy as np
import pytest

from nanoglue.case_file import case_from_mapping
from nanoglue.fem.mesh import build_mesh
from nanoglue.coupling.coupled import CoupledProblem
from nanoglue.coupling.run import run_steps
from nanoglue.interrupt import stop_on_signals
from tests.recording import Recording

BLOCK = {"kind": "block", "radius": 300.0, "depth": 300.0}
COARSE = {"particle_size": 15.0, "far_size": 80.0}
ROUTES = {
    "substrate-interface": {"substrate": BLOCK},
    "whole-surface": {"substrate": BLOCK},
    "through-coating": {"substrate": BLOCK, "coating": {"thickness": 6.0}},
    "free particle": {"substrate": {"kind": "none"}},
}


# Na conservation is the transport's business: bonded interfaces keep these fixed steps free of a
# debonding front (whose lagged-damage rounds need the run's step control, tests/test_cohesive_run.py).
BONDED = {"model": "bonded"}


def _problem(route: str, geometry: dict, **sodiation) -> CoupledProblem:
    entry = "whole-surface" if route == "free particle" else route
    case = case_from_mapping({
        "interfaces": BONDED,
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


def test_a_stop_signal_abandons_the_step_under_way():
    """A signal (here SIGUSR1, the stop passed on by mpirun) during a step: the step is not
    finished but abandoned, every field back at the last accepted step — and not a refusal."""
    problem = _problem("whole-surface", ROUTES["whole-surface"])
    assert problem.advance(+1, 0.5).accepted
    before = [np.copy(array) for array in problem.state.copy()]
    with stop_on_signals():
        os.kill(os.getpid(), signal.SIGUSR1)
        outcome = problem.advance(+1, 0.5)
    assert outcome.interrupted and not outcome.accepted
    assert outcome.newton.iterations == 0  # stopped before its first correction
    assert problem.chemical_expansion() == pytest.approx(0.5, rel=1e-12)
    for saved, now in zip(before, problem.state.copy()):
        assert np.array_equal(saved, now)
    assert problem.advance(+1, 0.5).accepted  # the flag went with the context


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


def test_a_uniform_initial_concentration_is_equilibrated_before_the_first_snapshot():
    """A free particle at c0 = 0.1 everywhere swells freely at t = 0: after ``equilibrate`` its
    mechanical volume expansion 100·∫tr ε dV/V equals the chemical one 100·β·c0 (= 42 %; free
    swelling, stress-free, up to the P1 polygon's discretisation), where it was 0 before."""
    problem = _problem("free particle", ROUTES["free particle"], initial={"value": 0.1})
    assert problem.mechanical_expansion() == 0.0
    assert problem.equilibrate().converged
    assert problem.chemical_expansion() == pytest.approx(42.0, rel=1e-10)
    assert problem.mechanical_expansion() == pytest.approx(problem.chemical_expansion(), rel=1e-6)


# ------------------------------------------------------------ a conducting coating (D_coat set)
COATED_FREE = {"substrate": {"kind": "none"}, "coating": {"thickness": 6.0}}
UNIFORM_PARTICLE = {"model": "constant", "value": 1.0e4}  # D·t/R² ≥ 100: c uniform in the particle


def _coating_storage(problem: CoupledProblem) -> float:
    """Fraction of the charge delivered that is not (yet) the particle's: 1 − N_p/(V_p·C·t/3600)."""
    charge = _prescribed_sodium(problem, problem.time)
    return 1.0 - problem.mean_concentration() * problem.particle_volume / charge


def test_conducting_coating_conserves_na_and_lands_on_the_particle_expansion():
    """Na in particle + coating = the charge delivered; each step moves the particle's own X."""
    problem = _problem("through-coating", ROUTES["through-coating"], coating_diffusivity=100.0)
    position = 0.0
    for step in (0.1, 0.2, 0.5, 1.0):
        assert problem.advance(+1, step).accepted
        position += step
        expected = _prescribed_sodium(problem, problem.time)
        assert problem.transport.total_sodium() == pytest.approx(expected, rel=1e-10)
        assert problem.chemical_expansion() == pytest.approx(position, abs=1e-10)
    assert 0.0 < _coating_storage(problem) < 1.0


def _uniform_run(**sodiation) -> CoupledProblem:
    problem = _problem("through-coating", COATED_FREE, diffusivity=UNIFORM_PARTICLE, **sodiation)
    for step in (0.5, 1.0, 1.5):
        assert problem.advance(+1, step).accepted
    return problem


def _shell_storage(storage: float) -> float:
    """Fraction of the charge a coating at the particle's (uniform) level holds: s·V_c/(V_p + s·V_c)."""
    radius, thickness = 90.0, 6.0
    coating, particle = (radius + thickness) ** 3 - radius**3, radius**3  # × 4π/3
    return storage * coating / (particle + storage * coating)


@pytest.mark.parametrize("storage", [1.0, 0.01])
def test_fast_conducting_coating_holds_one_level_and_approaches_the_fast_limit(storage):
    """D_coat = 10⁵ nm²/s (t²/D_coat ~ 10⁻³ s): c is one level over particle ∪ coating.

    At equal particle X the particle's c equals the fast-limit run's (measured max 1.1·10⁻⁴
    relative at s = 1); the coating holds s·V_c/(V_p + s·V_c) of the charge (s = 1: measured
    0.1761, estimate 0.1760), so the particle's X lags the charge by that: with the default small
    storage the conducting coating is the fast limit up to ~0.2 %.
    """
    fast = _uniform_run()
    conducting = _uniform_run(coating_diffusivity=1.0e5, coating_storage=storage)
    c_fast = fast.transport.c.x.array[fast._particle_dofs]
    c_conducting = conducting.transport.c.x.array[conducting._particle_dofs]
    assert np.max(np.abs(c_conducting - c_fast)) <= 1e-3 * np.max(c_fast)
    assert _coating_storage(conducting) == pytest.approx(_shell_storage(storage), rel=0.02)
    assert conducting.time == pytest.approx(fast.time / (1.0 - _coating_storage(conducting)))


def test_slow_coating_holds_more_and_the_particle_lags():
    """D_coat = 0.1 nm²/s (t²/D_coat = 360 s ≈ the run): Na piles up in the coating."""
    fast = _uniform_run(coating_diffusivity=1.0e5, coating_storage=1.0)
    slow = _uniform_run(coating_diffusivity=0.1, coating_storage=1.0)
    assert _coating_storage(slow) > _coating_storage(fast) + 0.2  # measured 0.553 vs 0.176
    assert slow.time > 1.5 * fast.time  # measured 287.6 s vs 156.1 s for X = 3 %
    assert slow.mean_concentration() == pytest.approx(fast.mean_concentration(), rel=1e-10)


def test_run_with_a_conducting_coating_lands_on_the_stop():
    """run_steps takes X from the state: the lagging particle still stops (and snapshots) at 3 %."""
    problem = _problem("through-coating", ROUTES["through-coating"], coating_diffusivity=100.0,
                       stop_expansion_percent=3.0)
    record = Recording()
    assert run_steps(problem, problem.case, record, record).status == "completed"
    assert record.rows[-1]["expansion_percent"] == pytest.approx(3.0, abs=1e-9)
    assert record.snapshots == [0.0, problem.time]
    for row in record.rows:  # the Na balance closes from the CSV columns alone
        charge = problem.case.sodiation.c_rate * row["time_s"] / 3600.0
        assert row["state_of_charge"] + row["coating_state_of_charge"] == pytest.approx(charge, rel=1e-9)
    assert record.rows[-1]["coating_state_of_charge"] > 0.0


@pytest.mark.parametrize("route", ["whole-surface", "through-coating"])
def test_na_can_also_enter_through_the_contact(route):
    """sodiation.through_contact: the entry gains the contact cap 2πR·d = 8482.3 nm² (R = 90,
    d = 15 nm), so it is the whole sphere 4πR² = 101 788 nm² (the coarse polygon: −0.26 %); Na is
    still conserved, and the contact's vertices now take Na from the first step on."""
    alone = _problem(route, ROUTES[route])
    problem = _problem(route, ROUTES[route], through_contact=True)
    assert problem.entry_area - alone.entry_area == pytest.approx(2 * np.pi * 90 * 15, rel=2e-3)
    assert problem.entry_area == pytest.approx(4 * np.pi * 90**2, rel=5e-3)
    contact = problem._entry_dofs[np.isin(problem._entry_dofs, alone._entry_dofs, invert=True)]
    for each in (alone, problem):
        assert each.advance(+1, 0.5).accepted
    assert problem.transport.total_sodium() == pytest.approx(
        _prescribed_sodium(problem, 0.5 / problem.rate), rel=1e-10)
    r = problem.transport.c.function_space.tabulate_dof_coordinates()[contact, 0]
    axis_contact = contact[np.argmin(r)]
    assert problem.transport.c.x.array[axis_contact] > 10 * alone.transport.c.x.array[axis_contact]
