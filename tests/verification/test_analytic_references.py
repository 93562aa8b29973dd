"""Checks of the analytic references against facts they must satisfy, not against themselves:
roots of an equation, conservation, boundary conditions, the governing equations by finite
differences, independent Lamé solves and known limiting cases."""

import numpy as np
import pytest

from .analytic import (
    core_shell_misfit,
    crank_diffusion_stress,
    crank_sphere_constant_flux,
    hill_core_pressure_elastic_limit,
    hill_collapse_pressure,
    hill_plastic_radius,
    hill_stresses,
    sphere_diffusion_stress,
    tan_roots,
)

E, NU, OMEGA = 30.0, 0.3, 4.2  # sodiated Sn (GPa), Poisson ratio, volumetric swelling at c = 1


def gauss_integral(f, a, b, panels=400, points=8):
    """int_a^b f by composite Gauss-Legendre (written here, independently of analytic.py)."""
    t, w = np.polynomial.legendre.leggauss(points)
    edges = np.linspace(a, b, panels + 1)
    half = 0.5 * np.diff(edges)[:, None]
    nodes = 0.5 * (edges[:-1, None] + edges[1:, None]) + half * t
    return float(np.sum(half * w * f(nodes)))


def central_diff(f, x, h):
    return (f(x + h) - f(x - h)) / (2.0 * h)


def lame_shell_constants(p_in, r_in, r_out, E2, nu2):
    """A, B of u = A r + B/r^2 in a shell with sigma_rr(r_in) = -p_in, sigma_rr(r_out) = 0."""
    bulk3, mu = E2 / (1.0 - 2.0 * nu2), E2 / (2.0 * (1.0 + nu2))  # sigma_rr = 3K A - 4 mu B/r^3
    matrix = np.array([[bulk3, -4.0 * mu / r_in**3], [bulk3, -4.0 * mu / r_out**3]])
    return np.linalg.solve(matrix, [-p_in, 0.0]), bulk3, mu


# ---------------------------------------------------------------- roots of tan(lambda) = lambda
def test_tan_roots_solve_the_equation_and_are_the_known_ones():
    lam = tan_roots(200)
    assert np.all(np.abs(np.tan(lam) / lam - 1.0) < 1e-10)
    # the same equation without the pole: exact to within 2 ulp of lambda (round-off)
    assert np.all(np.abs(np.sin(lam) / lam - np.cos(lam)) < 2 * np.spacing(lam))
    assert lam[0] == pytest.approx(4.493409457909064, abs=1e-13)
    k = np.arange(1, 201)
    assert np.all((lam > k * np.pi) & (lam < (k + 0.5) * np.pi))  # one root per branch
    q = (k[20:] + 0.5) * np.pi  # asymptotic expansion of the large roots
    np.testing.assert_allclose(lam[20:], q - 1 / q - 2 / (3 * q**3), atol=1e-7)


# ---------------------------------------------------------------- Crank constant flux
@pytest.mark.parametrize("tau", [1e-3, 1e-2, 0.1, 1.0])
def test_crank_content_equals_flux_in(tau):
    K = 0.7
    content = 3.0 * gauss_integral(lambda x: crank_sphere_constant_flux(x, tau, K) * x**2, 0, 1)
    assert content == pytest.approx(3.0 * K * tau, abs=1e-6)


@pytest.mark.parametrize("tau", [1e-2, 0.1, 1.0])
def test_crank_surface_gradient_is_the_flux(tau):
    K = 1.3  # the series is analytic in x, so a central difference across x = 1 is fine
    slope = central_diff(lambda x: crank_sphere_constant_flux(x, tau, K), 1.0, 1e-4)
    assert slope == pytest.approx(K, rel=1e-6)


def test_crank_solves_the_diffusion_equation():
    x, tau, h = np.linspace(0.1, 0.95, 18), 0.02, 1e-3
    c = lambda s, t: crank_sphere_constant_flux(s, t, 1.0)  # noqa: E731
    dc_dtau = central_diff(lambda t: c(x, t), tau, 1e-5)
    laplacian = (c(x + h, tau) - 2 * c(x, tau) + c(x - h, tau)) / h**2 + central_diff(
        lambda s: c(s, tau), x, h
    ) * 2 / x
    np.testing.assert_allclose(dc_dtau, laplacian, atol=1e-5 * np.max(np.abs(dc_dtau)))


def test_crank_early_time_is_empty_inside_and_semi_infinite_at_the_surface():
    assert np.max(np.abs(crank_sphere_constant_flux(np.linspace(0, 0.5, 11), 1e-3))) < 1e-10
    tau = 1e-5  # semi-infinite medium under flux K: c(surface) = 2K sqrt(tau/pi) + O(tau)
    surface = crank_sphere_constant_flux(1.0, tau, K=2.0, n_terms=2000)
    assert surface == pytest.approx(4.0 * np.sqrt(tau / np.pi), rel=1e-2)


def test_crank_centre_limit_and_large_time_parabola():
    assert crank_sphere_constant_flux(0.0, 0.05) == pytest.approx(
        crank_sphere_constant_flux(1e-7, 0.05), abs=1e-12
    )
    x, tau, K = np.linspace(0, 1, 21), 3.0, 0.8  # pseudo-steady state: laplacian c = 3K
    c = crank_sphere_constant_flux(x, tau, K)
    np.testing.assert_allclose(c - c[0], 0.5 * K * x**2, atol=1e-12)
    assert c[-1] - c[0] == pytest.approx(0.5 * K, abs=1e-12)


# ---------------------------------------------------------------- diffusion-induced stress
def steady_state_stress(x, K):
    """Hand-integrated m(r) for c = K (3 tau + x^2/2 - 3/10): Cheng & Verbrugge steady state."""
    scale = OMEGA * E * K / (15.0 * (1.0 - NU))
    return scale * (1.0 - x**2), scale * (1.0 - 2.0 * x**2)


def test_uniform_concentration_is_stress_free():
    r = np.linspace(0, 40, 9)
    for profile in (lambda s: np.full_like(s, 0.37), (np.array([0, 40.0]), np.array([0.37, 0.37]))):
        for sigma in sphere_diffusion_stress(r, profile, 40.0, E, NU, OMEGA):
            np.testing.assert_allclose(sigma, 0.0, atol=1e-12)


def test_diffusion_stress_free_surface_and_hydrostatic_centre():
    sr, st = crank_diffusion_stress(np.array([0.0, 1.0]), 0.05, 1.0, E, NU, OMEGA)
    scale = max(abs(sr[0]), abs(st[1]))
    assert abs(sr[1]) < 1e-12 * scale
    assert sr[0] == pytest.approx(st[0], abs=1e-12 * scale)


def test_diffusion_stress_is_in_equilibrium():
    x, h, tau = np.linspace(0.05, 0.95, 19), 1e-4, 0.03
    sr, st = crank_diffusion_stress(x, tau, 1.0, E, NU, OMEGA)
    dsr = central_diff(lambda s: crank_diffusion_stress(s, tau, 1.0, E, NU, OMEGA)[0], x, h)
    residual = dsr + 2.0 * (sr - st) / x
    assert np.max(np.abs(residual)) < 1e-6 * np.max(np.abs(np.r_[sr, st]))


def test_diffusion_stress_reaches_the_steady_state():
    x = np.linspace(0, 1, 21)
    got = crank_diffusion_stress(x, 3.0, 1.0, E, NU, OMEGA)
    for got, want in zip(got, steady_state_stress(x, 1.0)):
        np.testing.assert_allclose(got, want, atol=1e-10 * np.max(np.abs(want)))


def test_diffusion_stress_from_samples_in_nm():
    R, K = 50.0, 0.6  # parabolic profile sampled on a radius of 50 nm
    r_s = np.linspace(0, R, 4001)
    samples = (r_s, K * (3.0 + 0.5 * (r_s / R) ** 2 - 0.3))
    r = np.linspace(0, R, 11)
    got = sphere_diffusion_stress(r, samples, R, E, NU, OMEGA)
    for got, want in zip(got, steady_state_stress(r / R, K)):
        np.testing.assert_allclose(got, want, atol=1e-6 * np.max(np.abs(want)))


# ---------------------------------------------------------------- core-shell misfit (Lamé)
A_CORE, B_SHELL, E1, NU1, E2, NU2, EIG = 40.0, 46.0, 30.0, 0.3, 100.0, 0.25, 0.05


def test_core_shell_boundary_tractions():
    cs = core_shell_misfit(A_CORE, B_SHELL, E1, NU1, E2, NU2, EIG)
    assert cs.shell_srr(B_SHELL) == pytest.approx(0.0, abs=1e-12 * cs.p)
    assert cs.shell_srr(A_CORE) == pytest.approx(-cs.p, rel=1e-12)
    assert cs.core_stress() == -cs.p


def test_core_shell_matches_a_direct_lame_solve_with_continuous_displacement():
    cs = core_shell_misfit(A_CORE, B_SHELL, E1, NU1, E2, NU2, EIG)
    (A, B), bulk3, mu = lame_shell_constants(cs.p, A_CORE, B_SHELL, E2, NU2)
    r = np.linspace(A_CORE, B_SHELL, 13)
    np.testing.assert_allclose(cs.shell_srr(r), bulk3 * A - 4 * mu * B / r**3, atol=1e-12 * cs.p)
    np.testing.assert_allclose(cs.shell_stt(r), bulk3 * A + 2 * mu * B / r**3, rtol=1e-10)
    u_shell = A * A_CORE + B / A_CORE**2
    u_core = (EIG - cs.p * (1 - 2 * NU1) / E1) * A_CORE  # eigenstrain + hydrostatic elastic strain
    assert u_shell == pytest.approx(u_core, rel=1e-10)
    von_mises = cs.shell_stt(r) - cs.shell_srr(r)
    assert cs.shell_von_mises_at_interface() == pytest.approx(von_mises.max(), rel=1e-12)
    assert np.argmax(von_mises) == 0


def test_core_shell_limits_eshelby_and_rigid_shell():
    eshelby = core_shell_misfit(1.0, 1e3, E1, NU1, E1, NU1, EIG).p  # same material, infinite matrix
    assert eshelby == pytest.approx(2 * E1 * EIG / (3 * (1 - NU1)), rel=1e-6)
    rigid = core_shell_misfit(1.0, 2.0, E1, NU1, 1e12, NU2, EIG).p  # core cannot expand at all
    assert rigid == pytest.approx(E1 * EIG / (1 - 2 * NU1), rel=1e-6)


# ---------------------------------------------------------------- Hill elastic-plastic sphere
A0, R_OUT, SY = 20.0, 50.0, 2.0
P_ELASTIC = hill_core_pressure_elastic_limit(A0, R_OUT, SY)  # first yield at a0
P_COLLAPSE = hill_collapse_pressure(A0, R_OUT, SY)  # whole shell plastic
P_PLASTIC = 0.5 * (P_ELASTIC + P_COLLAPSE)


def test_hill_boundary_and_yield_conditions():
    rho = hill_plastic_radius(P_PLASTIC, A0, R_OUT, SY)
    assert A0 < rho < R_OUT
    eps = 1e-9 * rho
    r = np.array([A0 / 2, A0, rho - eps, rho + eps, R_OUT])
    srr, stt = hill_stresses(r, P_PLASTIC, A0, R_OUT, SY)
    assert srr[0] == stt[0] == -P_PLASTIC  # hydrostatic core
    assert srr[1] == pytest.approx(-P_PLASTIC, rel=1e-12)  # traction continuity at the core
    assert srr[2] == pytest.approx(srr[3], abs=1e-8)  # radial stress continuous at rho
    assert stt[2] == pytest.approx(stt[3], abs=1e-8)
    assert stt[3] - srr[3] == pytest.approx(SY, abs=1e-8)  # elastic side is at yield at rho
    assert srr[4] == pytest.approx(0.0, abs=1e-12)  # free outer surface


def test_hill_yield_function_in_both_zones():
    rho = hill_plastic_radius(P_PLASTIC, A0, R_OUT, SY)
    plastic, elastic = np.linspace(A0, 0.999 * rho, 20), np.linspace(1.001 * rho, R_OUT, 20)
    srr, stt = hill_stresses(plastic, P_PLASTIC, A0, R_OUT, SY)
    np.testing.assert_allclose(stt - srr, SY, rtol=1e-12)  # at yield throughout
    srr, stt = hill_stresses(elastic, P_PLASTIC, A0, R_OUT, SY)
    assert np.all(stt - srr < SY)  # below yield throughout


def test_hill_stresses_are_in_equilibrium():
    rho, h = hill_plastic_radius(P_PLASTIC, A0, R_OUT, SY), 1e-4
    r = np.r_[np.linspace(A0 + 0.1, rho - 0.1, 9), np.linspace(rho + 0.1, R_OUT - 0.1, 9)]
    srr, stt = hill_stresses(r, P_PLASTIC, A0, R_OUT, SY)
    dsrr = central_diff(lambda s: hill_stresses(s, P_PLASTIC, A0, R_OUT, SY)[0], r, h)
    assert np.max(np.abs(dsrr + 2.0 * (srr - stt) / r)) < 1e-6 * SY


def test_hill_plastic_radius_limits():
    # at the elastic limit an independent Lamé shell loaded by P_ELASTIC yields exactly at a0
    (A, B), _, mu = lame_shell_constants(P_ELASTIC, A0, R_OUT, E, NU)
    assert 6 * mu * B / A0**3 == pytest.approx(SY, rel=1e-12)  # sigma_tt - sigma_rr at a0
    assert hill_plastic_radius(P_ELASTIC, A0, R_OUT, SY) == A0
    assert hill_plastic_radius(P_ELASTIC * (1 + 1e-8), A0, R_OUT, SY) == pytest.approx(A0, rel=1e-6)
    near_collapse = hill_plastic_radius(P_COLLAPSE * (1 - 1e-6), A0, R_OUT, SY)
    assert near_collapse == pytest.approx(R_OUT, rel=1e-2)
    with pytest.raises(ValueError):
        hill_plastic_radius(P_COLLAPSE, A0, R_OUT, SY)


def test_hill_elastic_state_below_the_limit_is_lame():
    p = 0.5 * P_ELASTIC
    (A, B), bulk3, mu = lame_shell_constants(p, A0, R_OUT, E, NU)
    r = np.linspace(A0, R_OUT, 9)
    srr, stt = hill_stresses(r, p, A0, R_OUT, SY)
    np.testing.assert_allclose(srr, bulk3 * A - 4 * mu * B / r**3, atol=1e-12)
    np.testing.assert_allclose(stt, bulk3 * A + 2 * mu * B / r**3, atol=1e-12)
