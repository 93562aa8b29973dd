"""The cohesive frame at finite strain (``FiniteStrain.interface_frame``), on the two cubes of
blocks3d.py: opened in mode I, then both turned rigidly by 90° about z with the opening held,
the traction per reference area turns with them — along the current normal, no shear — and a
compression from there is resisted along the current normal (the contact penalty)."""

import numpy as np
import pytest
import ufl
import yaml
from dolfinx import fem
from mpi4py import MPI

from nanoglue.case_file import case_from_mapping
from nanoglue.config import CohesiveLaw
from nanoglue.coupling.coupled import CoupledProblem
from nanoglue.fem import compat
from nanoglue.fem.mesh import build_mesh
from nanoglue.kinematics.finite_strain import FiniteStrain
from tests.coarse_case import COARSE_MESH, ROOT
from tests.verification.blocks3d import GAMMA, Cubes

LAW = CohesiveLaw(law="bilinear", toughness=0.5, strength=1.0, shear_strength=0.5,
                  stiffness=100.0, residual_stiffness=None)  # τc = σc/2
QUARTER = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])  # 90° about z


def _resultant(interface) -> np.ndarray:
    """∫ T₀ dS₀ over the interface: the traction per reference area, summed."""
    forms = [fem.form(interface.traction[i] * interface.dS) for i in range(3)]
    return np.array([MPI.COMM_WORLD.allreduce(fem.assemble_scalar(f), op=MPI.SUM) for f in forms])


def _move(field, motion, dim: int = 3) -> None:
    """``field`` (a displacement) ← motion(X, u) at its nodes."""
    X = field.function_space.tabulate_dof_coordinates()
    u = field.x.array.reshape(-1, dim)
    u[:] = motion(X, u)
    field.x.scatter_forward()


def test_a_rigid_rotation_turns_the_traction_and_contact_acts_along_the_current_normal():
    cubes = Cubes(LAW, kinematics=FiniteStrain)
    cubes.run([0.002, 0.004])  # below the peak (δ0 = σc/K0 = 0.01 nm): bonded, d = 0
    mechanics = cubes.mechanics
    interface = mechanics.interfaces[GAMMA]
    opened = _resultant(interface)
    assert opened[0] > 0.1 and np.abs(opened[1:]).max() < 1e-8 * opened[0]  # mode I: T0 e_x
    for field in mechanics.fields:
        _move(field, lambda X, u: (X + u) @ QUARTER.T - X)
    turned = _resultant(interface)
    assert np.abs(turned - QUARTER @ opened).max() < 1e-8 * np.linalg.norm(opened)
    assert interface.update_damage() < 1e-12  # the damage history sees the same opening
    normal = QUARTER @ np.array([1.0, 0.0, 0.0])  # the current normal: e_y
    gap = float(interface.nodal_openings()[:, 0].max())
    b = mechanics.fields[1]
    _move(b, lambda X, u: u - (gap + 0.005) * normal)  # B pressed 0.005 nm into A
    pressed = _resultant(interface)
    along = pressed @ normal
    assert along < -0.1 * opened[0]  # resisted: pushed back along the current normal
    assert np.linalg.norm(pressed - along * normal) < 1e-8 * abs(along)


def test_each_regions_stress_is_sampled_on_its_own_cells_only():
    """A region's field spans the mesh but is solved for on its region alone: what it holds
    elsewhere (here NaN) must not reach the sampled stress, von Mises or strain of another
    region. At finite strain a neighbour's stress off its region is NaN wherever its field makes
    det F ≤ 0 there, and χ·σ with χ = 0 keeps the NaN: the coated case's particle von Mises was
    NaN from X = 9 % before."""
    cubes = Cubes(LAW, kinematics=FiniteStrain)
    cubes.run([0.002])
    mechanics = cubes.mechanics
    for k, field in enumerate(mechanics.fields):
        dofmap = field.function_space.dofmap
        owned = dofmap.index_map.size_local * dofmap.index_map_bs
        solved = np.zeros(field.x.array.size, dtype=bool)
        solved[mechanics.system.active[k]] = True
        solved[owned:] = True  # ghosts: another rank's owned dofs, left as they are
        field.x.array[~solved] = np.nan
    samples = mechanics.quadrature_samples()
    for values in (samples.stress, samples.von_mises, samples.strain):
        assert np.all(np.isfinite(values))
    assert samples.von_mises.max() > 0.0


def test_a_particle_slid_along_its_crater_stays_in_contact():
    """The coarse bare case at finite strain, the particle turned rigidly by φ = 0.1 rad about
    its centre, the fiber held: the particle's surface slides along the crater (a sphere of
    the particle's radius R = 90 nm, pairs up to s = Rφ = 9 nm apart) and still lies on it, so
    the gap is 0 — R(1 − cos φ)²/2 = 1.1·10⁻³ nm with the curvature term — where the paired
    δn = n·[[u]] across the chord reads R(1 − cos φ) = 0.45 nm open. Facets by facet, the two
    at the interface's ends left out: their end vertex's normal is the facet's own, so the
    curvature there is half (docs/model.md)."""
    data = yaml.safe_load((ROOT / "configs" / "paper-bare-interface.yaml").read_text())
    data["geometry"]["mesh"] = dict(COARSE_MESH)
    data["mechanics"] = {"kinematics": "finite"}
    case = case_from_mapping(data)
    problem = CoupledProblem(case, build_mesh(case))
    mechanics, phi = problem.mechanics, 0.1
    centre = np.asarray(problem.layout.particle_centre)
    turn = np.array([[np.cos(phi), -np.sin(phi)], [np.sin(phi), np.cos(phi)]])
    _move(mechanics.displacement(problem.layout.regions["particle"]),
          lambda X, u: (X[:, :2] - centre) @ turn.T + centre - X[:, :2], dim=2)
    mechanics.refresh()
    interface = next(iter(mechanics.interfaces.values()))
    cells = compat.dg_space(mechanics.mesh, 0)
    v = ufl.TestFunction(cells)
    per_cell = [compat.assemble_owned_sum(fem.form(e * (v("+") + v("-")) * interface.dS))
                for e in (1.0, interface.opening.normal)]
    on = per_cell[0] > 0.0
    r = cells.tabulate_dof_coordinates()[:, 0]
    rim = MPI.COMM_WORLD.allreduce(np.max(r[on], initial=0.0), op=MPI.MAX)
    inner = on & (r > 2.5) & (r < rim - 2.5)  # facets 1.35 nm long: the end facets out
    gap = np.max(np.abs(per_cell[1][inner] / per_cell[0][inner]), initial=0.0)
    gap = MPI.COMM_WORLD.allreduce(gap, op=MPI.MAX)
    radius = case.geometry.particle_radius
    assert gap < 0.01 * radius * (1.0 - np.cos(phi))  # 0.45 nm without the curvature term



def test_the_frame_work_is_the_energy_a_stretched_interface_gains():
    """Opened in mode I (bonded, d = 0), then both cubes stretched by λ = 1.2 along y and z in
    three steps with the jump held: ψ per current area stays, the area ratio grows by λ²
    (Nanson), so the stored energy grows λ²-fold; the traction does no work (Δ[[u]] = 0) and
    the frame's work (``problems.energy``) is the whole gain: the interface balance stays
    closed."""
    cubes = Cubes(LAW, kinematics=FiniteStrain)
    cubes.run([0.002, 0.004])
    mechanics, budget = cubes.mechanics, cubes.budget
    start = budget.step().interfaces["cubes"]
    stored = lambda e: e.bonded + e.residual_floor + e.contact  # noqa: E731
    previous = 1.0
    for stretch in (1.05, 1.1, 1.2):  # λ
        ratio = np.array([1.0, stretch / previous, stretch / previous])
        for field in mechanics.fields:  # x ← x·diag(1, r, r): the jump at x = L is unchanged
            _move(field, lambda X, u: (X + u) * ratio - X)
        previous = stretch
        end = budget.step().interfaces["cubes"]
    assert stored(end) == pytest.approx(1.2**2 * stored(start), rel=1e-9)
    assert abs(end.work - start.work) < 1e-12 * stored(end)  # round-off: the work is 1.8e-4 aJ
    assert end.frame_work - start.frame_work == pytest.approx(stored(end) - stored(start),
                                                              rel=1e-9)
    assert abs(end.balance_residual - start.balance_residual) < 1e-9 * stored(end)
