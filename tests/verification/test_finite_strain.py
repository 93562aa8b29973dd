"""Finite strain (``kinematics.finite_strain`` + ``materials.hencky``) against exact solutions.

* Free swelling up to Jc = 5.2 (β = 4.2 at c = 1), axisymmetric and 3-D: stress-free, every
  point stretched by Jc^(1/3) about a fixed one.
* A unit cube held in its plane (u_x = 0 on x = 0, 1; u_y = 0 on y = 0, 1; u_z = 0 on z = 0),
  swelling through yield and back: with everything coaxial the exponential-map return is exact,
  and in the Kirchhoff stress of the elastic part τe = Je σ (Je = J/Jc; E 30 GPa, ν 0.3,
  σ_Y 2 GPa)

      elastic        τ_xx = τ_yy = −(E/(1 − ν)) (ln Jc)/3,   τ_zz = 0
      yield          at ln Jc = 3(1 − ν) σ_Y / E
      plastic        τ_xx = −σ_Y,   h/H = Jc · exp(−2(1 − 2ν) σ_Y / E)   (4.930 at Jc = 5.2)
      back           τ_xx rises elastically by (E/(1 − ν)) Δ(ln Jc)/3 and reaches +σ_Y after
                     Δ ln Jc = 6(1 − ν) σ_Y / E below the largest ln Jc.
* Objectivity of the constitutive update: F → QF (Q a 90° rotation) rotates the Cauchy stress,
  QσQᵀ, with the same plastic state.
"""

import gmsh
import numpy as np
import pytest
from dolfinx import fem
from mpi4py import MPI
from petsc4py import PETSc

from nanoglue.config import ElasticMaterial, Solver
from nanoglue.fem import compat
from nanoglue.geometry import tags
from nanoglue.geometry.session import gmsh_model
from nanoglue.kinematics.finite_strain import FiniteStrain
from nanoglue.kinematics.model import Axisymmetric, Solid3D
from nanoglue.materials.hencky import hencky_return, piola_tangent
from nanoglue.problems.mechanics import Mechanics
from tests.verification.octant import SYMMETRY_PLANES, octant_core_shell
from tests.verification.test_mechanics_elastic import free_particle

SN = ElasticMaterial(young=30.0, poisson=0.3, yield_stress=2.0)
ELASTIC = ElasticMaterial(young=30.0, poisson=0.3)  # neo-Hookean at finite strain
E, NU, SY = SN.young, SN.poisson, SN.yield_stress
JC_MAX = 5.2
FACES = {"x0": 41, "x1": 42, "y0": 43, "y1": 44, "z0": 45, "z1": 46}
TIGHT = {"newton_atol": 1e-12, "newton_rtol": 1e-14}  # the exact states, solved to round-off


PRESSURES = ["displacement", "mixed"]  # the exact states hold for both discretisations


def _swelling_mechanics(kinematics, cell_tags, facet_tags, regions, solver=Solver(**TIGHT),
                        material=SN, pressure="displacement"):
    """Mechanics of ``regions`` (tags) all of ``material`` swelling by θ (a Constant, returned)."""
    theta = fem.Constant(kinematics.model.mesh, PETSc.ScalarType(0.0))
    swelling = kinematics.swelling_strain(theta)
    problem = Mechanics(kinematics, cell_tags, facet_tags, {tag: material for tag in regions},
                        {tag: swelling for tag in regions}, solver, pressure=pressure)
    return problem, theta


def _swell_to(problem, theta, ratios):
    for ratio in ratios:
        theta.value = ratio - 1.0
        result = problem.solve()
        assert result.converged, (ratio, result)


def _assert_free_swelling(problem, ratio):
    """Stress-free (≤ 1e-8 GPa) and u(X) − u(X₀) = (Jc^(1/3) − 1)(X − X₀) to 1e-8 nm."""
    samples = problem.quadrature_samples()
    assert np.abs(samples.stress).max(initial=0.0) < 1e-8
    stretch = ratio ** (1.0 / 3.0)
    for field in problem.fields:
        gdim = problem.model.gdim
        X = field.function_space.tabulate_dof_coordinates()[:, :gdim]
        u = field.x.array.reshape(-1, gdim)
        rest = u - (stretch - 1.0) * X
        spread = problem.comm.allreduce(np.ptp(rest, axis=0).max(initial=0.0), op=MPI.MAX)
        assert spread < 1e-8


@pytest.mark.parametrize("pressure", PRESSURES)
def test_free_swelling_axisymmetric_stays_stress_free_up_to_jc_5_2(pressure):
    case, bundle = free_particle(1.0, 0.25)
    kinematics = FiniteStrain(Axisymmetric(bundle.mesh))
    problem, theta = _swelling_mechanics(kinematics, bundle.cell_tags, bundle.facet_tags,
                                         [tags.PARTICLE], pressure=pressure)
    _swell_to(problem, theta, [1.5, 2.5, 3.5, 4.5, JC_MAX])
    _assert_free_swelling(problem, JC_MAX)


@pytest.mark.parametrize("material", [SN, ELASTIC])
def test_free_swelling_3d_stays_stress_free_up_to_jc_5_2(material):
    """The same in 3-D (an octant of a sphere), for the Hencky–J2 law of the particle and the
    neo-Hookean law of the elastic regions."""
    mesh, cell_tags, facet_tags = octant_core_shell(0.6, 1.0, 0.3)
    kinematics = FiniteStrain(Solid3D(mesh, symmetry_planes=SYMMETRY_PLANES))
    problem, theta = _swelling_mechanics(kinematics, cell_tags, facet_tags,
                                         [tags.PARTICLE, tags.COATING],
                                         Solver(element_degree=1, **TIGHT), material)
    _swell_to(problem, theta, [2.0, 3.5, JC_MAX])
    _assert_free_swelling(problem, JC_MAX)


def _unit_cube(comm=MPI.COMM_WORLD):
    """One unit cube of a few tetrahedra: cells PARTICLE, its faces by ``FACES``."""
    with gmsh_model("unit_cube"):
        if comm.rank == 0:
            gmsh.model.occ.addBox(0, 0, 0, 1, 1, 1)
            gmsh.model.occ.synchronize()
            gmsh.model.addPhysicalGroup(3, [1], tags.PARTICLE)
            for _, surface in gmsh.model.getEntities(2):
                centre = gmsh.model.occ.getCenterOfMass(2, surface)
                axis = int(np.argmax(np.abs(np.array(centre) - 0.5)))
                side = int(centre[axis] > 0.5)
                gmsh.model.addPhysicalGroup(2, [surface], FACES["xyz"[axis] + str(side)])
            gmsh.option.setNumber("Mesh.CharacteristicLengthMin", 1.0)
            gmsh.option.setNumber("Mesh.CharacteristicLengthMax", 1.0)
            gmsh.model.mesh.generate(3)
        return compat.mesh_from_gmsh(gmsh.model, comm, 0, gdim=3)


def _held_cube(pressure="displacement"):
    """(Mechanics, θ) of the unit cube of Sn held in its plane: u_x = 0 on x = 0, 1,
    u_y = 0 on y = 0, 1, u_z = 0 on z = 0, P1, solved to round-off."""
    mesh, cell_tags, facet_tags = _unit_cube()
    planes = ((FACES["x0"], 0), (FACES["x1"], 0), (FACES["y0"], 1), (FACES["y1"], 1),
              (FACES["z0"], 2))
    kinematics = FiniteStrain(Solid3D(mesh, symmetry_planes=planes))
    problem, theta = _swelling_mechanics(kinematics, cell_tags, facet_tags, [tags.PARTICLE],
                                         Solver(element_degree=1, **TIGHT),
                                         pressure=pressure)
    return problem, theta


def _quarter_turn(axis) -> np.ndarray:
    """The rotation by 90° about the unit vector ``axis`` (Rodrigues: cos = 0, sin = 1)."""
    axis = np.asarray(axis, dtype=float) / np.linalg.norm(axis)
    cross = np.array([[0.0, -axis[2], axis[1]], [axis[2], 0.0, -axis[0]],
                      [-axis[1], axis[0], 0.0]])
    return np.outer(axis, axis) + cross


@pytest.mark.parametrize("pressure", PRESSURES)
def test_constrained_cube_swells_through_yield_and_back_exactly(pressure):
    problem, theta = _held_cube(pressure)
    yield_log = 3.0 * (1.0 - NU) * SY / E
    reverse_log = 6.0 * (1.0 - NU) * SY / E
    up = [0.5 * yield_log, 0.99 * yield_log, 1.01 * yield_log, 0.3, 1.0, np.log(JC_MAX)]
    down = [np.log(JC_MAX) - f * reverse_log for f in (0.25, 0.5, 0.99, 1.01, 1.5, 3.0)]
    for log_jc in up + down:
        theta.value = np.exp(log_jc) - 1.0
        assert problem.solve().converged, log_jc
        stress = problem.quadrature_samples().stress  # Cauchy: xx, yy, zz, yz, xz, xy
        # Kirchhoff stress of the elastic part, Je σ, Je = J / Jc, J = det F = h/H: the stress
        # Hencky's law and the yield condition are written in
        tau = stress * _thickness_ratio(problem) / np.exp(log_jc)
        expected = _expected_in_plane(log_jc, up, yield_log, reverse_log)
        assert np.abs(tau[:, 0] - expected).max() < 1e-6 * SY, (log_jc, tau[:, 0], expected)
        assert np.abs(tau[:, 1] - expected).max() < 1e-6 * SY
        assert np.abs(tau[:, 2:]).max() < 1e-6 * SY
        if log_jc == np.log(JC_MAX):
            ratio = JC_MAX * np.exp(-2.0 * (1.0 - 2.0 * NU) * SY / E)
            assert _thickness_ratio(problem) == pytest.approx(ratio, rel=1e-6)
            assert round(ratio, 3) == 4.930


@pytest.mark.parametrize("pressure", PRESSURES)
def test_a_solved_yielded_body_turned_rigidly_keeps_its_stress_turned(pressure):
    """The cube of the test above, held in its plane and yielded (Jc = 1.5), then every node
    moved by a rigid 90° turn about (1, 1, 1)/√3 of its deformed position, u ← Q(X + u) − X:
    the Cauchy stress at every point is Q σ Qᵀ to 1e-8 of σ_Y, and the return finds no new
    plastic flow (the plastic state lives in the reference frame)."""
    problem, theta = _held_cube(pressure)
    _swell_to(problem, theta, [1.2, 1.5])
    before = problem.quadrature_samples()
    region = problem.regions[tags.PARTICLE]
    plastic = region.p.x.array.copy()
    assert plastic.max() > 0.0
    Q = _quarter_turn(np.ones(3))
    field = problem.fields[0]
    X = field.function_space.tabulate_dof_coordinates()
    u = field.x.array.reshape(-1, 3)
    u[:] = (X + u) @ Q.T - X
    region.commit()  # the return at the turned state, taken as accepted
    after = problem.quadrature_samples()
    full = [np.array([[s[0], s[5], s[4]], [s[5], s[1], s[3]], [s[4], s[3], s[2]]])
            for s in before.stress]
    turned = np.array([Q @ sigma @ Q.T for sigma in full])
    stored = np.array([[s[0, 0], s[1, 1], s[2, 2], s[1, 2], s[0, 2], s[0, 1]] for s in turned])
    assert np.abs(after.stress - stored).max() < 1e-8 * SY
    assert np.abs(region.p.x.array - plastic).max() < 1e-12  # the commit added Δp = 0


def _thickness_ratio(problem) -> float:
    """h/H of the cube: 1 + u_z at the top face (a homogeneous state)."""
    field = problem.fields[0]
    X = field.function_space.tabulate_dof_coordinates()
    top = np.isclose(X[:, 2], 1.0)
    values = field.x.array.reshape(-1, 3)[top, 2]
    top_u = problem.comm.allreduce(values.max(initial=-np.inf), op=MPI.MAX)
    return 1.0 + top_u


def _expected_in_plane(log_jc, up, yield_log, reverse_log):
    """τ_xx of the exact path: elastic, −σ_Y once yielded, back elastically from the top."""
    top = max(up)
    if log_jc in up:
        return max(-(E / (1.0 - NU)) * log_jc / 3.0, -SY)
    return min(-SY + (E / (1.0 - NU)) * (top - log_jc) / 3.0, SY)


def test_the_update_is_objective_a_rotation_rotates_the_cauchy_stress():
    """Some stretched, sheared and yielded state F (with a plastic history), and QF, Q the
    rotation by 90° about (1, 1, 1)/√3 composed with 90° about z: σ(QF) = Q σ(F) Qᵀ to 1e-8
    relative, the plastic state and Δp unchanged."""
    rng = np.random.default_rng(7)
    F = np.eye(3) + 0.3 * rng.standard_normal((5, 3, 3))
    F[:, :, :] += 0.5 * np.eye(3)
    Jc = np.full(5, 2.0)
    history = hencky_return(0.8 * F, Jc, np.tile(np.eye(3), (5, 1, 1)), 11.5, 25.0, SY)[2]
    Q = _quarter_turn([0.0, 0.0, 1.0]) @ _quarter_turn(np.ones(3))
    _, sigma, after, dp, _ = hencky_return(F, Jc, history, 11.5, 25.0, SY)
    _, rotated, after_q, dp_q, _ = hencky_return(Q @ F, Jc, history, 11.5, 25.0, SY)
    scale = np.abs(sigma).max()
    assert np.abs(rotated - Q @ sigma @ Q.T).max() < 1e-8 * scale
    assert np.abs(after_q - after).max() < 1e-10 and np.abs(dp_q - dp).max() < 1e-12
    assert dp.max() > 0.0  # the state is plastic: the check covers the return


def _central_differences(F, Jc, history, yield_stress, step=1e-6):
    """∂P/∂F of ``hencky_return`` by central differences (n, 9, 9)."""
    tangent = np.empty((F.shape[0], 9, 9))
    for column in range(9):
        dF = np.zeros((3, 3))
        dF.flat[column] = step
        plus = hencky_return(F + dF, Jc, history, 11.5, 25.0, yield_stress)[0]
        minus = hencky_return(F - dF, Jc, history, 11.5, 25.0, yield_stress)[0]
        tangent[:, :, column] = ((plus - minus) / (2.0 * step)).reshape(-1, 9)
    return tangent


@pytest.mark.parametrize("form", ["3d", "axisymmetric"])
@pytest.mark.parametrize("yield_stress", [SY, np.inf])
def test_the_tangent_is_the_derivative_of_the_update(yield_stress, form):
    """``piola_tangent`` against central differences of the update, to 1e-6 of its largest
    entry, after a plastic history: yielding (σ_Y = 2 GPa) and elastic (σ_Y = ∞) states,
    sheared ones, and the free-swelling state F = λI with three equal eigenvalues (Jc = λ³).
    Axisymmetric: F and the history in the (r, θ, z) form (θ uncoupled), whose eigenproblem is
    solved in closed form; the differences that couple θ go through the general one."""
    rng = np.random.default_rng(3)
    sheared = np.eye(3) * 1.2 + 0.25 * rng.standard_normal((6, 3, 3))
    F = np.concatenate([sheared, np.tile(1.4 * np.eye(3), (1, 1, 1)),
                        np.tile(np.diag([1.0, 1.0, 1.9]), (1, 1, 1))])
    Jc = np.concatenate([np.full(6, 1.8), [1.4**3], [5.2]])
    earlier = np.eye(3) + 0.2 * rng.standard_normal((8, 3, 3))  # a plastic history
    if form == "axisymmetric":
        for i, j in ((0, 1), (1, 0), (1, 2), (2, 1)):
            F[:, i, j] = earlier[:, i, j] = 0.0
    history = hencky_return(earlier, Jc, np.tile(np.eye(3), (8, 1, 1)), 11.5, 25.0, SY)[2]
    history[6] = np.eye(3)  # F = λI, Jc = λ³: be = I exactly
    dp = hencky_return(F, Jc, history, 11.5, 25.0, yield_stress)[3]
    assert np.count_nonzero(dp) == (0 if np.isinf(yield_stress) else 7)  # be = I: elastic
    exact = piola_tangent(F, Jc, history, 11.5, 25.0, yield_stress)
    approximate = _central_differences(F, Jc, history, yield_stress)
    for point in range(len(F)):
        scale = np.abs(exact[point]).max()
        assert np.abs(exact[point] - approximate[point]).max() < 1e-6 * scale, point
