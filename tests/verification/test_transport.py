"""Axisymmetric Na transport against Crank's sphere, its convergence orders, and Na conservation.

Scaled units: particle radius R = 1, D = 1 for the constant model, so τ = t and K = jR/D = j.
The (r, z) half disk is the sphere; the flux enters through the whole arc (the sphere's surface).
"""

import numpy as np
import pytest
import ufl
from dolfinx import fem
from mpi4py import MPI

from nanoglue.config import ConstantDiffusivity, TwoStageDiffusivity, ZhuDiffusivity
from nanoglue.fem import compat
from nanoglue.kinematics.finite_strain import FiniteStrain
from nanoglue.materials.diffusivity import diffusivity
from nanoglue.problems.transport import Transport
from tests.half_disk import (
    EQUATOR, LOWER, SURFACE, UPPER, equator_profile, half_disk_mesh, vertex_value,
)
from tests.verification.analytic import crank_sphere_constant_flux

C1 = 0.5 / 3.75  # first-stage plateau
CONSTANT = ConstantDiffusivity(value=1.0)
# Default-like two-stage law scaled to R = 1 and j = 1/3 (c̄ = 1 at t = 1): D_hi/D_lo = 300 and the
# paper's plateau and switch width. D_lo = 0.02 makes the precursor ahead of the front short,
# ℓ = D_lo c1/j = 0.008 < h = 0.02: the front is then mesh-limited, 1–2 elements wide (design §8).
# (The config default scaled the same way, D_lo = R²/T = 1, gives no front: ℓ = 0.4 R.)
TWO_STAGE = TwoStageDiffusivity(low=0.02, high=6.0, plateau=C1, width=0.015)
ZHU = ZhuDiffusivity(d0=1.0, alpha=2.5)
SPHERE_AREA = 4.0 * np.pi  # 4πR², the analytic entry area: charge after t is j·4πR²·t
CHARGE_AT_T01 = 1.2566370614359172  # j·4πR²·t for j = 1, t = 0.1


def _sum(form) -> float:
    return MPI.COMM_WORLD.allreduce(fem.assemble_scalar(fem.form(form)), op=MPI.SUM)


def _sphere(h):
    mesh, cells, facets = half_disk_mesh(size=h)
    ds = ufl.Measure("ds", domain=mesh, subdomain_data=facets)
    return mesh, ds(SURFACE)


def _surface_transport(h, model=CONSTANT):
    mesh, surface = _sphere(h)
    return Transport(mesh, ufl.dx(domain=mesh), surface, model), mesh, surface


def _entry_area(mesh, surface) -> float:
    """2π∫ r ds over the mesh's (polygonal) sphere surface: the discrete entry area."""
    return _sum(2.0 * np.pi * ufl.SpatialCoordinate(mesh)[0] * surface)


def _nodal_error(transport, tau) -> float:
    """max over vertices of |c_h − c_Crank| (K = 1)."""
    x = transport.c.function_space.tabulate_dof_coordinates()[:, :2]
    rho = np.minimum(np.linalg.norm(x, axis=1), 1.0)
    error = np.max(np.abs(transport.c.x.array - crank_sphere_constant_flux(rho, tau)), initial=0.0)
    return MPI.COMM_WORLD.allreduce(error, op=MPI.MAX)


def _advance(transport, dt, flux, steps):
    for _ in range(steps):
        transport.step(dt, flux)


# ---------------------------------------------------------------------------- diffusivity models
@pytest.mark.parametrize(
    "model, c, expected",
    [
        (CONSTANT, 0.3, 1.0),
        (TWO_STAGE, C1, 0.5 * (0.02 + 6.0)),  # tanh(0): half way
        (TWO_STAGE, 0.5, 0.02 + 5.98 * 0.5 * (1.0 + np.tanh((0.5 - C1) / 0.015))),
        (ZHU, 0.1, 1.0 / 0.9 - 0.5),
        (ZhuDiffusivity(d0=1.0, alpha=2.5, floor=1e-3), 0.5, 1e-3),  # bracket −0.5: floor
        (ZhuDiffusivity(d0=1.0, alpha=2.5, cap=500.0), 0.9999, 500.0),  # 1e4 − 5: cap
        (ZhuDiffusivity(d0=1.0, alpha=2.5, cap=500.0), 1.2, 500.0),  # overshoot: cap
    ],
)
def test_diffusivity_formulas(model, c, expected):
    mesh, _ = _sphere(0.5)
    field = fem.Function(compat.lagrange_space(mesh, 1))
    field.x.array[:] = c
    area = _sum(fem.Constant(mesh, 1.0) * ufl.dx(domain=mesh))
    assert _sum(diffusivity(field, model) * ufl.dx) / area == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------------------------- Crank sphere
def test_crank_sphere_surface_and_centre():
    """c at x = 1 and x = 0 at τ = 0.1 and 0.5 within 1 % of K (h = 0.05, Δτ = 1e-3)."""
    transport, _, _ = _surface_transport(0.05)
    for steps, tau in [(100, 0.1), (400, 0.5)]:
        _advance(transport, 1e-3, 1.0, steps)
        for point, x in [((1.0, 0.0), 1.0), ((0.0, 0.0), 0.0)]:
            exact = float(crank_sphere_constant_flux(x, tau))
            assert abs(vertex_value(transport.c, point) - exact) < 1e-2, (tau, x)


def test_a_uniformly_stretched_sphere_is_crank_at_its_stretched_radius():
    """The finite-strain pull-back (flux D C⁻¹∇_X c, ``FiniteStrain.diffusion_metric``) with
    the sphere pre-stretched by λ = 1.5 (u = (λ − 1)X): the current concentration c/λ³ is
    Crank's for the radius λR under the same Na rate (flux j/λ² per current area), at
    τ = D t/(λR)² = 0.1 and 0.5, within 1 % of its K = (j/λ²)(λR)/D at x = 0 and 1 (measured:
    ≤ 0.045 %)."""
    stretch = 1.5
    mesh, surface = _sphere(0.05)
    u = fem.Function(compat.lagrange_space(mesh, 1, (2,)))
    compat.interpolate_expression(u, compat.expression(
        (stretch - 1.0) * ufl.SpatialCoordinate(mesh), u.function_space))
    transport = Transport(mesh, ufl.dx(domain=mesh), surface, CONSTANT,
                          metrics=[FiniteStrain.diffusion_metric(u)])
    scale = 1.0 / stretch  # K of the stretched sphere: (j/λ²)·λR/D with j = R = D = 1
    done = 0
    for tau in (0.1, 0.5):
        steps = int(round(tau * stretch**2 / 1e-3))
        _advance(transport, 1e-3, 1.0, steps - done)
        done = steps
        for point, x in [((1.0, 0.0), 1.0), ((0.0, 0.0), 0.0)]:
            exact = scale * float(crank_sphere_constant_flux(x, tau))
            current = vertex_value(transport.c, point) / stretch**3
            assert abs(current - exact) < 1e-2 * scale, (tau, x, current, exact)


def test_first_order_in_time():
    """Fixed fine mesh (h = 0.025), τ = 0.1: halving Δτ = 0.01 → 0.0025 halves the error."""
    errors = []
    for dt in [0.01, 0.005, 0.0025]:
        transport, _, _ = _surface_transport(0.025)
        _advance(transport, dt, 1.0, round(0.1 / dt))
        errors.append(_nodal_error(transport, 0.1))
    orders = np.log2(np.array(errors[:-1]) / errors[1:])
    assert np.all((orders > 0.8) & (orders < 1.2)), (errors, orders)


def test_second_order_in_space():
    """τ = 0.5, Δτ = 0.005: the transient has decayed (e^{−λ1²τ} ≈ 4e-5) and backward Euler is
    exact for the remaining linear-in-time part, so the error is spatial: h/2 → error/4."""
    errors = []
    for h in [0.1, 0.05, 0.025]:
        transport, _, _ = _surface_transport(h)
        _advance(transport, 0.005, 1.0, 100)
        errors.append(_nodal_error(transport, 0.5))
    orders = np.log2(np.array(errors[:-1]) / errors[1:])
    assert np.all(orders >= 1.7), (errors, orders)


# ---------------------------------------------------------------------------------- conservation
def _assert_conserved(transport, charge):
    assert transport.total_sodium() == pytest.approx(charge, rel=1e-10, abs=1e-14)


def test_conservation_constant_flux_every_step():
    """N = j·A_h·t every step; A_h (polygonal surface) is 4πR² to O(h²)."""
    transport, mesh, surface = _surface_transport(0.05)
    area = _entry_area(mesh, surface)
    assert -1e-3 < area / SPHERE_AREA - 1.0 < 0.0
    for n in range(1, 11):
        transport.step(0.01, 1.0)
        _assert_conserved(transport, area * 0.01 * n)
    assert transport.total_sodium() == pytest.approx(CHARGE_AT_T01, rel=1e-3)
    volume = _sum(2.0 * np.pi * ufl.SpatialCoordinate(mesh)[0] * ufl.dx(domain=mesh))
    assert transport.total_sodium() / volume == pytest.approx(3.0 * 0.1, rel=1e-3)


@pytest.mark.parametrize("model", [TWO_STAGE, ZHU])
def test_conservation_through_sodiation_and_desodiation(model):
    """Sodiate at j = 1/3 to t = 0.4, desodiate at j = −1/3 for 0.1: N = A_h·Σ j Δt every step."""
    transport, mesh, surface = _surface_transport(0.05, model)
    area, charge = _entry_area(mesh, surface), 0.0
    for flux, steps in [(1.0 / 3.0, 80), (-1.0 / 3.0, 20)]:
        for _ in range(steps):
            transport.step(0.005, flux)
            charge += area * 0.005 * flux
            _assert_conserved(transport, charge)
    assert charge == pytest.approx(area * 0.1, rel=1e-12)


def _front_width(r, c):
    """Radial distance between the (outermost) crossings of 0.1·c1 and 0.9·c1."""

    def crossing(level):
        i = np.flatnonzero((c[:-1] < level) & (c[1:] >= level))[-1]
        return r[i] + (level - c[i]) * (r[i + 1] - r[i]) / (c[i + 1] - c[i])

    return crossing(0.9 * C1) - crossing(0.1 * C1)


def test_two_stage_front_is_sharp_positive_and_conserving():
    """Lagged two-stage D, h = 0.02, Δt = 0.001: the front runs from the surface to r ≈ 0.4R
    staying sharper than 5 % of R, with c ≥ 0 and N = j·A_h·t every step."""
    transport, mesh, surface = _surface_transport(0.02, TWO_STAGE)
    area = _entry_area(mesh, surface)
    for n in range(1, 161):
        info = transport.step(0.001, 1.0 / 3.0)
        _assert_conserved(transport, area * n * 0.001 / 3.0)
        assert info.c_min >= -1e-8
        if n % 40 == 0:
            assert _front_width(*equator_profile(transport.c)) < 0.05, n
    r, c = equator_profile(transport.c)
    assert c[0] < 0.1 * C1 and c[-1] > C1  # the front is still inside the particle


# ------------------------------------------------------------------------------------ two regions
@pytest.mark.parametrize("restriction", ["+", "-"])
def test_only_the_transport_region_is_solved(restriction):
    """Na diffuses in the upper quarter disk only and enters through the equator (an interior
    facet set, dS). Solved dofs = vertices of the upper cells; the lower region's own dofs stay 0;
    N = j·2π∫₀^R r dr·t = πR²·j·t exactly (the equator is straight)."""
    mesh, cells, facets = half_disk_mesh(size=0.05)
    dx = ufl.Measure("dx", domain=mesh, subdomain_data=cells)
    dS = ufl.Measure("dS", domain=mesh, subdomain_data=facets)
    transport = Transport(mesh, dx(UPPER), dS(EQUATOR), TWO_STAGE, entry_restriction=restriction)
    space = transport.c.function_space
    owned = space.dofmap.index_map.size_local
    mesh.topology.create_connectivity(2, 2)  # cell → dofs lookup (needed on 0.9)
    upper = fem.locate_dofs_topological(space, 2, cells.indices[cells.values == UPPER])
    lower = fem.locate_dofs_topological(space, 2, cells.indices[cells.values == LOWER])
    lower_only = np.setdiff1d(lower, upper)
    assert transport.num_active_dofs == MPI.COMM_WORLD.allreduce(np.sum(upper < owned))
    assert transport.num_active_dofs < space.dofmap.index_map.size_global
    for n in range(1, 21):
        info = transport.step(0.005, 1.0)
        _assert_conserved(transport, np.pi * 0.005 * n)
        assert info.c_min >= -1e-8
    assert np.all(transport.c.x.array[lower_only] == 0.0)
    assert np.all(equator_profile(transport.c)[1] > 0.0)  # the entry is sodiated
