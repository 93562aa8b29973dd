"""Closed-form reference solutions for verifying the finite-element solver (numpy only).

Units as everywhere in nanoglue: length nm, stress GPa, time s. Every solution is spherically
symmetric; r is the radius, stresses are the radial (rr) and hoop (theta-theta) components, and
the von Mises stress of such a state is |sigma_tt - sigma_rr|. Functions take numpy arrays of r.
"""

from dataclasses import dataclass

import numpy as np


def tan_roots(n):
    """First n positive roots lambda_k of tan(lambda) = lambda (k = 1..n), ascending.

    The root lambda_k lies in (k pi, (k + 1/2) pi), where f(lambda) = sin(lambda) - lambda
    cos(lambda) (tan(lambda) - lambda times cos, without the poles) changes sign from
    (-1)^(k+1) k pi to (-1)^k. Vectorised bisection on that bracket; 100 halvings take the
    bracket width pi/2 far below one ulp, so the roots are exact to round-off
    (lambda_1 = 4.493409457909064, lambda_k -> (k + 1/2) pi - 1/((k + 1/2) pi)).
    Used by the Crank constant-flux series (Crank, "The Mathematics of Diffusion", 2nd ed., §6.3).
    """
    k = np.arange(1, n + 1, dtype=float)
    lo, hi = k * np.pi, (k + 0.5) * np.pi
    f_lo = np.sin(lo) - lo * np.cos(lo)
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        f_mid = np.sin(mid) - mid * np.cos(mid)
        same_sign = np.sign(f_mid) == np.sign(f_lo)
        lo = np.where(same_sign, mid, lo)
        f_lo = np.where(same_sign, f_mid, f_lo)
        hi = np.where(same_sign, hi, mid)
    return 0.5 * (lo + hi)


def crank_sphere_constant_flux(x, tau, K=1.0, n_terms=200):
    """Concentration in a sphere with constant inward flux j and c = 0 at t = 0 (Crank eq. 6.60).

    c(x, tau) = K [3 tau + x^2/2 - 3/10 - 2 sum_n sin(lambda_n x) / (x lambda_n^2 sin lambda_n)
                   * exp(-lambda_n^2 tau)],
    x = r/R, tau = D t / R^2, K = j R / D, lambda_n the positive roots of tan(lambda) = lambda
    (Crank, "The Mathematics of Diffusion", 2nd ed., §6.3.1, constant flux F0 at the surface).
    At x = 0 the limit sin(lambda x)/x -> lambda is taken exactly (via np.sinc).

    Valid for tau >= 0. At tau = 0 the series converges only like sum 1/lambda_n^2: truncating at
    n_terms leaves an error of about 2K/(pi^2 n_terms) (1e-3 K for 200 terms) instead of c = 0.
    The truncation error is negligible (< 1e-12 K) once tau > 28/lambda_N^2 ~ 28/(n_terms pi)^2,
    i.e. tau > 7e-5 for 200 terms; raise n_terms for earlier times.
    """
    if tau < 0:
        raise ValueError(f"tau must be >= 0, got {tau}")
    x = np.asarray(x, dtype=float)
    lam = tan_roots(n_terms)
    weights = 2.0 * np.exp(-lam**2 * tau) / (lam * np.sin(lam))
    # sin(lam x) / (x lam^2 sin lam) = sinc(lam x / pi) / (lam sin lam)
    series = sum(w * np.sinc(root * x / np.pi) for root, w in zip(lam, weights))
    return K * (3.0 * tau + 0.5 * x**2 - 0.3 - series)


def _gauss_panels(n_panels, n_points):
    """Composite Gauss-Legendre nodes and weights on [0, 1] (n_panels equal panels)."""
    t, w = np.polynomial.legendre.leggauss(n_points)
    left = np.arange(n_panels) / n_panels
    nodes = (left[:, None] + (t[None, :] + 1.0) / (2.0 * n_panels)).ravel()
    weights = np.tile(w / (2.0 * n_panels), n_panels)
    return nodes, weights


def _as_profile(c_of_r):
    """A vectorised callable c(r): c_of_r itself, or the piecewise-linear interpolant of a pair
    (r_samples, c_samples)."""
    if callable(c_of_r):
        return c_of_r
    r_samples, c_samples = (np.asarray(v, dtype=float) for v in c_of_r)
    return lambda s: np.interp(s, r_samples, c_samples)


def sphere_moment(r, c_of_r, n_panels=64, n_points=8):
    """m(r) = r^-3 int_0^r c(s) s^2 ds, one third of the mean of c over the ball of radius r.

    Written as m(r) = int_0^1 c(r t) t^2 dt, integrated by composite Gauss-Legendre in t
    (n_panels x n_points nodes), so m(0) = c(0)/3 needs no special case. c_of_r: vectorised
    callable. Memory is r.size x n_panels x n_points values of c.
    """
    r = np.asarray(r, dtype=float)
    t, w = _gauss_panels(n_panels, n_points)
    return c_of_r(r[..., None] * t) @ (w * t**2)


def sphere_diffusion_stress(r, c_of_r, R, E, nu, omega):
    """Stresses (sigma_r, sigma_t) of a free elastic sphere with linear eigenstrain omega c / 3.

    sigma_r = 2 omega E / (3 (1 - nu)) [m(R) - m(r)],
    sigma_t =   omega E / (3 (1 - nu)) [2 m(R) + m(r) - c(r)],
    m(r) = r^-3 int_0^r c s^2 ds (see sphere_moment). This is Timoshenko's thermal-stress solution
    for a sphere with alpha T replaced by the linear eigenstrain omega c / 3 (omega: volumetric
    expansion per unit c, beta in design.md): Zhang, Shyy & Sastry, J. Electrochem. Soc. 154
    (2007) A910; Cheng & Verbrugge, J. Power Sources 190 (2009) 453. sigma_r(R) = 0 exactly, so
    compare with the finite-element field relative to max |sigma|, not pointwise.
    c_of_r: vectorised callable or (r_samples, c_samples) covering [0, R].
    """
    r = np.asarray(r, dtype=float)
    profile = _as_profile(c_of_r)
    scale = omega * E / (3.0 * (1.0 - nu))
    m_r, m_R = sphere_moment(r, profile), sphere_moment(R, profile)
    return 2.0 * scale * (m_R - m_r), scale * (2.0 * m_R + m_r - profile(r))


def crank_diffusion_stress(x, tau, K, E, nu, omega):
    """Diffusion-induced stress (sigma_r, sigma_t) for the Crank constant-flux profile, R = 1.

    sphere_diffusion_stress with c = crank_sphere_constant_flux(x, tau, K) on the unit sphere
    (galvanostatic insertion; Cheng & Verbrugge 2009). As tau grows it tends to the steady state
    sigma_r = omega E K (1 - x^2) / (15 (1 - nu)), sigma_t = omega E K (1 - 2 x^2) / (15 (1 - nu)).
    """
    profile = lambda s: crank_sphere_constant_flux(s, tau, K)  # noqa: E731
    return sphere_diffusion_stress(x, profile, 1.0, E, nu, omega)


@dataclass(frozen=True)
class CoreShellMisfit:
    """Elastic core (radius a) with linear eigenstrain in a bonded elastic shell (outer radius b).

    Lamé solution: the core is hydrostatic at -p; the shell is loaded by p at r = a and free at
    r = b, so sigma_rr = p a^3/(b^3 - a^3) (1 - b^3/r^3), sigma_tt = p a^3/(b^3 - a^3)
    (1 + b^3/(2 r^3)).
    """

    a: float
    b: float
    p: float

    def shell_srr(self, r):
        """Shell radial stress p a^3/(b^3 - a^3) (1 - b^3/r^3), for a <= r <= b."""
        r = np.asarray(r, dtype=float)
        return self.p * self.a**3 / (self.b**3 - self.a**3) * (1.0 - self.b**3 / r**3)

    def shell_stt(self, r):
        """Shell hoop stress p a^3/(b^3 - a^3) (1 + b^3/(2 r^3)), for a <= r <= b."""
        r = np.asarray(r, dtype=float)
        return self.p * self.a**3 / (self.b**3 - self.a**3) * (1.0 + 0.5 * self.b**3 / r**3)

    def core_stress(self):
        """Core stress: hydrostatic, sigma_rr = sigma_tt = -p everywhere in r < a."""
        return -self.p

    def shell_von_mises_at_interface(self):
        """Shell von Mises stress at r = a, its maximum: 3 p b^3 / (2 (b^3 - a^3))."""
        return 1.5 * self.p * self.b**3 / (self.b**3 - self.a**3)


def core_shell_misfit(a, b, E1, nu1, E2, nu2, eigenstrain):
    """Interface pressure of a misfitting core in a shell (Lamé), as a CoreShellMisfit.

    p = e* / [(1 - 2 nu1)/E1 + ((1 - 2 nu2) a^3 + (1 + nu2) b^3/2) / (E2 (b^3 - a^3))],
    e* the LINEAR eigenstrain of the core (volumetric / 3). Derivation: the core's radial
    displacement is u(a) = (e* - p (1 - 2 nu1)/E1) a; the shell's is u(a) = a [(1 - nu2) sigma_tt
    - nu2 sigma_rr]/E2 = p a ((1 - 2 nu2) a^3 + (1 + nu2) b^3/2) / (E2 (b^3 - a^3)); equating the
    two gives p. (Checked: design.md §6 states the same formula.)
    """
    core_compliance = (1.0 - 2.0 * nu1) / E1
    shell_compliance = ((1.0 - 2.0 * nu2) * a**3 + 0.5 * (1.0 + nu2) * b**3) / (E2 * (b**3 - a**3))
    return CoreShellMisfit(a=a, b=b, p=eigenstrain / (core_compliance + shell_compliance))


def hill_core_pressure_elastic_limit(a0, R, sigma_y):
    """Core pressure at which the shell a0 < r < R first yields (at a0): (2 sY/3)(1 - a0^3/R^3)."""
    return 2.0 * sigma_y / 3.0 * (1.0 - a0**3 / R**3)


def hill_collapse_pressure(a0, R, sigma_y):
    """Core pressure at which the whole shell is plastic (rho = R): 2 sY ln(R/a0) (Hill 1950)."""
    return 2.0 * sigma_y * np.log(R / a0)


def hill_plastic_radius(p, a0, R, sigma_y):
    """Elastic-plastic boundary rho of a perfectly plastic sphere loaded by core pressure p.

    Solves p = 2 sY ln(rho/a0) + (2 sY/3)(1 - rho^3/R^3) for rho in [a0, R] by bisection (the
    right side increases monotonically in rho: its derivative is 2 sY (1/rho - rho^2/R^3) > 0).
    Returns a0 while the shell is elastic (p <= elastic limit); raises ValueError at or beyond the
    collapse pressure 2 sY ln(R/a0). Hill, "The Mathematical Theory of Plasticity" (1950), §V.3.
    """
    if p >= hill_collapse_pressure(a0, R, sigma_y):
        raise ValueError(f"p = {p} reaches the plastic collapse pressure of the shell")
    if p <= hill_core_pressure_elastic_limit(a0, R, sigma_y):
        return float(a0)

    def excess(rho):
        return 2.0 * sigma_y * (np.log(rho / a0) + (1.0 - rho**3 / R**3) / 3.0) - p

    lo, hi = float(a0), float(R)
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if excess(mid) < 0.0 else (lo, mid)
    return 0.5 * (lo + hi)


def hill_stresses(r, p, a0, R, sigma_y):
    """Stresses (sigma_rr, sigma_tt) of a Hill elastic-perfectly-plastic sphere, core pressure p.

    core r < a0: hydrostatic, sigma_rr = sigma_tt = -p;
    plastic a0 <= r <= rho: sigma_rr = -p + 2 sY ln(r/a0), sigma_tt = sigma_rr + sY;
    elastic rho <= r <= R: Lamé shell, inner pressure q at rho, free at R,
        sigma_rr = q rho^3/(R^3 - rho^3) (1 - R^3/r^3),
        sigma_tt = q rho^3/(R^3 - rho^3) (1 + R^3/(2 r^3)),
    with q = p - 2 sY ln(rho/a0), which equals (2 sY/3)(1 - rho^3/R^3) once the shell yields
    (sigma_tt - sigma_rr = sY at rho) and equals p while it is elastic (rho = a0).
    Hill, "The Mathematical Theory of Plasticity" (1950), §V.3 (Tresca = von Mises here).
    """
    r = np.asarray(r, dtype=float)
    rho = hill_plastic_radius(p, a0, R, sigma_y)
    q = p - 2.0 * sigma_y * np.log(rho / a0)
    lame = q * rho**3 / (R**3 - rho**3)
    r_safe = np.maximum(r, a0)  # keeps log and 1/r^3 finite in the core, where they are unused
    plastic_rr = -p + 2.0 * sigma_y * np.log(r_safe / a0)
    srr = np.where(r < a0, -p, np.where(r < rho, plastic_rr, lame * (1.0 - R**3 / r_safe**3)))
    stt = np.where(
        r < a0, -p, np.where(r < rho, plastic_rr + sigma_y, lame * (1.0 + 0.5 * R**3 / r_safe**3))
    )
    return srr, stt
