"""Coupled runs with cohesive interfaces (coarse meshes): where debonding starts, what holds."""


from nanoglue.case_file import case_from_mapping
from nanoglue.fem.mesh import build_mesh
from nanoglue.coupling.coupled import CoupledProblem
from nanoglue.coupling.run import run_steps
from tests.recording import Recording

GEOMETRY = {"particle_radius": 90.0, "crater_depth": 15.0,
            "substrate": {"kind": "block", "radius": 300.0, "depth": 300.0},
            "mesh": {"particle_size": 15.0, "far_size": 80.0}}


def _run(geometry: dict, sodiation: dict):
    case = case_from_mapping({"geometry": {**GEOMETRY, **geometry}, "sodiation": sodiation})
    problem = CoupledProblem(case, build_mesh(case))
    record = Recording()
    return problem, run_steps(problem, case, record, record), record.rows


def test_bare_particle_debonds_from_the_rim_not_yet_at_the_axis():
    """Bare Sn on CNF through the contact, to 10 %: the contact rim debonds, the centre holds
    (measured on this mesh: onset 1.60 %, 31 % of the arc debonded, all of it damaged)."""
    problem, record, rows = _run({}, {"route": "substrate-interface",
                                      "stop_expansion_percent": 10.0})
    assert record.status == "completed"
    last = rows[-1]
    assert 0.0 < last["particle_substrate_debonded_arc_fraction"] < 1.0
    assert last["particle_substrate_axis_damage"] < 0.99
    assert "particle_substrate" in record.onset and not record.complete
    assert 0.0 < record.onset["particle_substrate"] < 10.0
    assert problem.held()
    assert all(row["damage_rounds"] >= 1 for row in rows)


def test_coating_interfaces_stay_intact_at_low_expansion():
    """Coated (6 nm), through the coating, to 2 %: Sn/ALD and ALD/CNF are not debonded."""
    problem, record, rows = _run({"coating": {"thickness": 6.0}},
                                 {"route": "through-coating", "stop_expansion_percent": 2.0})
    assert record.status == "completed"
    for name in ("particle_coating", "coating_substrate"):
        assert rows[-1][f"{name}_debonded_arc_fraction"] == 0.0
        assert name not in record.onset
    assert problem.held()


def test_through_the_coating_only_the_contact_debonds_completely_and_the_coating_holds_on():
    """configs/paper-coated-6nm-coating-route.yaml on this coarse mesh, to 55 % and back: with
    the contact not a Na entry the Sn/CNF interface debonds completely, yet the coating keeps the
    particle on the fiber, also after desodiation — the paper's Fig 5g and S9 (measured here,
    rate-independent damage since session 10: onset 23.3 %, complete 43.9 %, desodiated down to
    43.8 %; the config itself: complete at 45.2 %. Until session 9, d ≥ 0.99: 38.0 % here; with
    η = 1 s and τc 0.6, session 9: 47.5 %)."""
    case = case_from_mapping({
        "geometry": {**GEOMETRY, "coating": {"thickness": 6.0}},
        "sodiation": {"route": "through-coating", "through_contact": False,
                      "stop_expansion_percent": 55.0, "desodiate": True}})
    problem = CoupledProblem(case, build_mesh(case))
    record = Recording()
    result = run_steps(problem, case, record, record)
    assert result.status == "completed"
    assert result.complete.get("particle_substrate", 100.0) < 55.0
    expansions = [row["expansion_percent"] for row in record.rows]
    assert max(expansions) > expansions[-1] + 5.0  # it desodiated
    assert record.rows[-1]["particle_substrate_bonded_arc_nm"] == 0.0
    assert problem.held()


def _coated_peak_von_mises(materials: dict) -> float:
    case = case_from_mapping({
        "geometry": {**GEOMETRY, "coating": {"thickness": 6.0}},
        "materials": materials,
        "sodiation": {"route": "through-coating", "stop_expansion_percent": 6.0},
    })
    problem = CoupledProblem(case, build_mesh(case))
    record = Recording()
    assert run_steps(problem, case, record, record).status == "completed"
    return max(row["von_mises_max_coating_GPa"] for row in record.rows)


def test_a_coating_yield_stress_caps_the_coating_von_mises_stress():
    """The paper calls Na–Al–O ductile: with ``materials.coating.yield_stress`` the coating is
    J2 perfectly plastic, so its von Mises stress never exceeds σY (radial return), while the
    elastic coating of the same run goes well above it."""
    elastic = _coated_peak_von_mises({})
    yield_stress = 0.5 * elastic
    plastic = _coated_peak_von_mises(
        {"coating": {"young": 100.0, "poisson": 0.3, "yield_stress": yield_stress}})
    assert elastic > 1.0
    assert plastic <= yield_stress * (1.0 + 1e-9)
    assert plastic > 0.9 * yield_stress  # the cap is reached, not avoided


def test_steps_stay_small_from_the_first_damage_to_onset():
    """``solver.onset_step_percent``: every step taken while the Sn/CNF interface is damaged but
    not yet debonded over 1 nm of arc is at most 0.2 %, the onset step included (the paper's band
    for the in-situ onset asks for that resolution); without it the steps grow past 0.2 %. On
    the sessions-1–4 setting (5.5 nm interface elements, D_lo = 0.01 nm²/s, τc = σc), where
    damage starts well before the onset at ~1.9 %. The damage rounds are held to 0.002 here:
    at the default 0.02 the steps of 2 % this setting allows leave them where another Newton
    path ends 2.5 points of X apart (onset at 1.5 % when a factorisation carried over from the
    step before, none by 4 % with each step's own; 1.91 / 2.00 % at 0.002)."""
    def steps_until_onset(solver: dict) -> list[float]:
        geometry = {**GEOMETRY, "mesh": {**GEOMETRY["mesh"], "interface_size": 5.5}}
        case = case_from_mapping({
            "geometry": geometry, "solver": {**solver, "damage_tolerance": 0.002},
            "interfaces": {"particle_substrate": {"shear_strength": None}},
            "sodiation": {"route": "substrate-interface", "stop_expansion_percent": 4.0,
                          "diffusivity": {"model": "two-stage", "low": 0.01}}})
        record = Recording()
        run_steps(CoupledProblem(case, build_mesh(case)), case, record, record)
        rows, sizes, damaged = record.rows, [], False
        for row in rows:
            if damaged:
                sizes.append(row["step_percent"])
            if row["particle_substrate_debonded_arc_nm"] >= 1.0:
                return sizes
            damaged = damaged or row["particle_substrate_damaged_area_fraction"] > 0.0
        raise AssertionError("no onset by 4 %")

    capped = steps_until_onset({"onset_step_percent": 0.2, "max_step_percent": 2.0})
    free = steps_until_onset({"max_step_percent": 2.0})
    assert capped and max(capped) <= 0.2 + 1e-12
    assert max(free) > 0.2


def test_viscous_damage_recovers_the_rate_independent_law_and_freezes_damage_in_its_limits():
    """ḋ = (d(κ) − d)/η, backward Euler: ρ = Δt/(η + Δt). η → 0 gives the rate-independent run
    (η = 0; every column to 1e-6 at η = 1e-9 s, steps of ~4–40 s); η → ∞ freezes d near 0 (nothing
    debonds at η = 1e12 s, while the rate-independent run debonds over more than 1 nm)."""
    def rows(viscosity):
        case = case_from_mapping({"geometry": GEOMETRY, "interfaces": {
            "damage_viscosity": viscosity}, "sodiation": {
            "route": "substrate-interface", "stop_expansion_percent": 3.0}})
        record = Recording()
        run_steps(CoupledProblem(case, build_mesh(case)), case, record, record)
        return record.rows

    plain, fast, frozen = rows(0.0), rows(1e-9), rows(1e12)
    assert len(plain) == len(fast)
    for a, b in zip(plain, fast):
        for key in a:
            assert abs(a[key] - b[key]) <= 1e-6 * max(1.0, abs(a[key])), key
    assert plain[-1]["particle_substrate_debonded_arc_nm"] > 1.0
    assert max(row["particle_substrate_debonded_area_fraction"] for row in frozen) == 0.0
