"""A cohesive interface between two regions, cut as jump → local law → global traction.

Each region X has its own continuous displacement u_X (design §3 option (a)); across an interface
Γ between regions A and B the two fields are independent, and

    [[u]] = u_B − u_A                                   on dS(Γ)

(both fields are continuous, so their '+' and '−' traces on Γ agree: the jump is taken from '+').

Orientation: DOLFINx picks which cell of an interior facet is '+'. The normal from A to B,

    n_AB = χ_A('+') n('+') + χ_A('−') n('−'),          χ_A the DG0 indicator of region A,

is the outward normal of whichever side lies in A, whatever that choice. The frame uses the nodal
normal n (``history.nodal_normal``): δn = n·[[u]], s = Q[[u]] (``kinematics.model``), the law
returns (Tn, Ts) and the global traction is

    T = Tn n + Ts,         weak form  ∫_Γ T·[[v]] w dS,

w the model's measure weight (r('+') in axisymmetry, the 2π cancelling). The Jacobian blocks are
the derivatives of that work with d fixed (lagged damage).

At finite strain (``kinematics.interface_frame``, total Lagrangian as MOOSE's CZM) the jump is
the same [[u]] (the current gap, x = X + u). The area ratio is the mid-plane's: with
F_m = I + ½(H_A + H_B) (each side's gradient taken in its own region), Nanson gives
da/dA = det F_m |F_m⁻ᵀN| from the reference nodal normal N. The normal is side B's own,
n = F_B⁻ᵀN/|F_B⁻ᵀN| (B the second region of the interface's name: the substrate, or the coating
over the particle), and δn is the gap to B's curved surface,

    δn = n·[[u]] − ½ t·(∇_X N) t / |F_B⁻ᵀN|,    t = F_B⁻¹ s (within the reference facet),

the second-order distance from A's point to B's surface a sliding s away (exact for a
uniformly deformed B; ∇_X N the discrete curvature of the nodal normal). The law sees (δn, s)
and returns the traction per current area, so the traction per reference area is
T₀ = (da/dA)(Tn n + Ts), and the work ∫ T₀·[[v]] w dS₀ is differentiated with the frame (the form
compiler's derivative). Gc is therefore per current (mid-plane) area: the energy to separate a
unit of the interface as it is when it opens; the particle side stretches with the swelling,
the fiber side barely, and the mid-plane takes half of each. Why B's normal and not the
mid-plane's: δn = n·[[u]] of a debonded pair slid |s| apart moves by |s| Δθ when n turns by Δθ,
and the mid-plane normal turns with the particle's cells at the crater rim, sheared to 2°
angles; with it the finite-strain coarse coated 6 nm case stalled at 96.85 % on desodiation (the
residual on two Sn/CNF pairs slid 11.5–11.9 nm). B's normal comes from the fiber's undistorted
cells; the curvature term puts A's point back on B's surface (without it, a pair slid along the
crater reads open by s²/2R and the particle sinks that far into it). The nodal normal the
damage history and the outputs use is the same frame at the vertices (lumped projection of n,
refreshed before each damage update and measurement).

Contact acts between the paired points, along δn. Each measurement also checks it against the
geometry (``gap``): how far side B has passed through the surface of side A, nearest vertex to
nearest vertex in the current configuration, whatever the pairing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI

from nanoglue.fem import compat
from nanoglue.interfaces.gap import facet_size, penetration
from nanoglue.interfaces.history import (
    InterfaceHistory, NodalNormal, facet_cells, interface_dofs,
)
from nanoglue.interfaces.laws import LocalOpening
from nanoglue.kinematics.model import normal_opening, sliding

MEASURE_DEGREE = 8  # facet rule of the debonded-fraction integrals (step integrand)


@dataclass(frozen=True)
class InterfaceState:
    """Measurements of one interface after a step (``CohesiveInterface.state``): debonded
    (d ≥ d_deb) fraction of the weighted area and of the arc, debonded and still bonded arc
    [nm], damaged (d > 0) area fraction, max opening √(⟨δn⟩₊² + δt²) [nm], how far side B has
    passed through side A [nm] (``gap.penetration``), d on the axis (NaN when the interface
    does not reach r = 0), the whole area [nm²] (2π∫ r dS in axisymmetry), and the deformed
    (current mid-plane) area of the debonded and of the damaged part [nm²] — what Gc is per
    (docs/model.md); the reference areas at small strain."""

    debonded_area_fraction: float
    debonded_arc_fraction: float
    debonded_arc_nm: float
    bonded_arc_nm: float
    damaged_area_fraction: float
    max_opening_nm: float
    penetration_nm: float
    axis_damage: float
    area_nm2: float
    debonded_deformed_area_nm2: float
    damaged_deformed_area_nm2: float


def interface_normal(mesh, chi_a):
    """n_AB = χ_A('+') n('+') + χ_A('−') n('−'): unit normal from region A into region B."""
    n = ufl.FacetNormal(mesh)
    return chi_a("+") * n("+") + chi_a("-") * n("-")


def _bend(jump, n, bend):
    """(t, A, K_sym, |F_B⁻ᵀN|) of ``bend`` = (∇_X N, F_B⁻¹, facet normal N_f, N): the slide
    mapped back into the reference facet t = A[[u]], A = (I − N_f⊗N_f) F_B⁻¹ Q/m, Q = mI − n⊗n."""
    curvature, inverse, facet, normal = bend
    m, identity = ufl.dot(n, n), ufl.Identity(n.ufl_shape[0])
    tangential = m * identity - ufl.outer(n, n)
    slide_map = (identity - ufl.outer(facet, facet)) * inverse * tangential / m
    scale = ufl.sqrt(ufl.dot(inverse.T * normal, inverse.T * normal))
    return slide_map * jump, slide_map, ufl.sym(curvature), scale


def local_opening(jump, n, bend=None) -> LocalOpening:
    """(δn, s, m) of the jump in the frame of the normal n: m = n·n, δt² = s·s/m. With
    ``bend`` (``_bend``) of the side n belongs to, δn is the gap to that side's curved surface,
    δn = n·[[u]] − ½ t·(∇_X N) t/|F_B⁻ᵀN| (module docstring)."""
    delta_n, s = normal_opening(jump, n), sliding(jump, n)
    if bend is not None:
        t, _, curvature, scale = _bend(jump, n, bend)
        delta_n = delta_n - 0.5 * ufl.dot(t, curvature * t) / scale
    return LocalOpening(delta_n, s, ufl.dot(n, n))


def normal_direction(jump, n, bend=None):
    """∂δn/∂[[u]]: n, and with ``bend`` n − Aᵀ sym(∇_X N) t/|F_B⁻ᵀN| — the normal of B's surface
    where A's point faces it, along which the normal traction acts (so that T·Δ[[u]] is the
    change of ψ(δn, s) while a pair in contact slides along the curved surface)."""
    if bend is None:
        return n
    t, slide_map, curvature, scale = _bend(jump, n, bend)
    return n - slide_map.T * (curvature * t) / scale


def global_traction(law, opening: LocalOpening, direction, d):
    """T = Tn ∂δn/∂[[u]] + Ts of ``law`` at the opening, ``direction`` = ∂δn/∂[[u]] (the
    normal n without a curvature term), d lagged."""
    normal, tangential = law.traction(opening, d)
    return normal * direction + tangential


class CohesiveInterface:
    """One interface ``tag`` of ``name`` between the fields ``u_a`` (region A) and ``u_b``.

    ``chi_a``: DG0 indicator of A; ``law``: an ``interfaces.laws`` law; ``kinematics``: its
    model gives the measure weight and revolution factor (r and 2π in axisymmetry), its
    ``interface_frame`` the frame (module docstring); ``debonded_damage``: d counted as
    debonded in ``state``."""

    def __init__(self, name, tag, mesh, facet_tags, u_a, u_b, chi_a, law, kinematics,
                 element_degree: int, debonded_damage: float):
        self.name, self.tag, self.law, self.comm = name, tag, law, mesh.comm
        model = kinematics.model
        self.revolution, self.debonded_damage = model.revolution, debonded_damage
        degree = max(2, 2 * element_degree)
        self.dS = ufl.Measure("dS", domain=mesh, subdomain_data=facet_tags,
                              metadata={"quadrature_degree": degree})(tag)
        scalar = compat.lagrange_space(mesh, 1)
        vertices = interface_dofs(scalar, facet_tags, tag)
        self.normal = NodalNormal(mesh, interface_normal(mesh, chi_a), self.dS, vertices).function
        self.jump = (u_b - u_a)("+")
        # the frame the law works in: the reference one at small strain, the mid-plane's
        # current normal and area ratio at finite strain (each side's gradient from its region)
        h_a = chi_a("+") * model.gradient(u_a)("+") + chi_a("-") * model.gradient(u_a)("-")
        h_b = chi_a("-") * model.gradient(u_b)("+") + chi_a("+") * model.gradient(u_b)("-")
        self.area_ratio = kinematics.interface_frame(h_a, h_b, self.normal("+"))[1]
        frame = kinematics.interface_frame(h_b, h_b, self.normal("+"))[0]  # side B's normal
        self._moving, self._side_a = (
            (NodalNormal(mesh, frame, self.dS, vertices),  # and A's own, for the gap check
             NodalNormal(mesh, kinematics.interface_frame(h_a, h_a, self.normal("+"))[0],
                         self.dS, vertices))
            if kinematics.moving_frame else (None, None))
        bend = None
        if kinematics.moving_frame:  # the curvature of B's surface, for the gap
            side_b = lambda e: chi_a("-") * e("+") + chi_a("+") * e("-")  # noqa: E731
            gdim = mesh.geometry.dim
            bend = (ufl.grad(self.normal)("+"),
                    side_b(ufl.inv(ufl.Identity(gdim) + ufl.grad(u_b))),
                    ufl.FacetNormal(mesh)("+"), self.normal("+"))
        self.frame_normal = self.normal if self._moving is None else self._moving.function
        cells = facet_cells(mesh, facet_tags.indices[facet_tags.values == tag])
        self.cell_jump = u_b - u_a  # [[u]] as a cell expression, for nodal values (no '+')
        self.cell_midplane = 0.5 * (u_a + u_b)  # where the interface is drawn when it opens
        self.cell_opening = opening = local_opening(self.cell_jump, self.frame_normal)
        self.history = InterfaceHistory(mesh, vertices, cells, law.effective_opening(opening),
                                        law.damage)
        self._pair = fem.Function(compat.lagrange_space(mesh, 1, (2,)))
        self._pair_expr = compat.expression(
            ufl.as_vector([opening.normal, ufl.sqrt(opening.sliding_squared)]),
            self._pair.function_space)
        self.cells = self._pair_cells = cells
        self.opening = local_opening(self.jump, frame, bend)  # on dS, as the traction sees it
        self._frame = (frame, bend) if kinematics.moving_frame else None
        traction = global_traction(law, self.opening, normal_direction(self.jump, frame, bend),
                                   self.history.d("+"))
        # per reference area: the law's traction (per current area) times da/dA (Nanson)
        self.traction = traction if self.area_ratio is None else self.area_ratio * traction
        weight = model.weight
        self.weight = weight("+") if isinstance(weight, ufl.core.expr.Expr) else weight
        self._measures = self._measure_forms(mesh, facet_tags, debonded_damage)
        self._totals = [self._sum(f) for f in self._measures[:2]]
        gdim = mesh.geometry.dim
        self._vertex_x = scalar.tabulate_dof_coordinates()[vertices, :gdim]
        self._sides = fem.Function(compat.lagrange_space(mesh, 1, (2 * gdim,)))
        self._sides_expr = compat.expression(ufl.as_vector([*u_a, *u_b]),
                                             self._sides.function_space)
        size = facet_size(mesh)("+")  # restricted: UFL 2026 lowers it to a cell quantity
        self._reach = (compat.assemble_owned_sum(fem.form(size * ufl.TestFunction(scalar)("+")
                                                          * self.dS))[vertices]
                       / compat.assemble_owned_sum(fem.form(ufl.TestFunction(scalar)("+")
                                                            * self.dS))[vertices])

    def stored_in_frame(self, jump, at, d):
        """Σψ · da/dA of the law at ``jump`` and damage d, in the frame (B's normal, its
        curvature, the area ratio) that ``at`` maps to a state: the identity for the current
        one, the energy budget's ``before`` for the last step's. At finite strain the weak form
        carries the traction alone (as MOOSE's total-Lagrangian CZM), not ∂(ψ da/dA)/∂F: the
        difference of the two frames at the step's end states is the work the frame's turning
        and stretching does on the stored energy (``problems.energy``). None at small strain."""
        if self._frame is None:
            return None
        frame, bend = self._frame
        opening = local_opening(jump, at(frame), None if bend is None else
                                tuple(at(part) for part in bend))
        return at(self.area_ratio) * sum(self.law.stored_energy(opening, d).values())

    def work(self, test):
        """∫ T·[[v]] w dS for a test jump [[v]] (restricted to '+')."""
        return ufl.dot(self.traction, test) * self.weight * self.dS

    # ------------------------------------------------------------------ measurements
    def _measure_forms(self, mesh, facet_tags, debonded_damage) -> list:
        """∫ f dS for f = w, 1, w·[d ≥ d_deb], [d ≥ d_deb], w·[d > 0] on the interface, then
        w·a·[d ≥ d_deb], w·a·[d > 0] with a = da/dA (1 at small strain)."""
        dS = ufl.Measure("dS", domain=mesh, subdomain_data=facet_tags,
                         metadata={"quadrature_degree": MEASURE_DEGREE})(self.tag)
        d = self.history.d("+")
        debonded = ufl.conditional(ufl.ge(d, debonded_damage), 1.0, 0.0)
        damaged = ufl.conditional(ufl.gt(d, 0.0), 1.0, 0.0)
        unit = fem.Function(compat.dg_space(mesh, 0))
        unit.x.array[:] = 1.0
        one = unit("+")
        w = self.weight * one  # the model's measure weight (r in axisymmetry)
        a = one if self.area_ratio is None else self.area_ratio
        return [fem.form(f * dS) for f in (w, one, w * debonded, one * debonded, w * damaged,
                                            w * a * debonded, w * a * damaged)]

    def _sum(self, form) -> float:
        return self.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)

    def refresh_frame(self) -> None:
        """The nodal frame normal at the current displacement (a moving frame only)."""
        if self._moving is not None:
            self._moving.update()

    def update_damage(self, relaxation: float = 1.0) -> float:
        """``history.update`` in the current frame; returns max |Δd|."""
        self.refresh_frame()
        return self.history.update(relaxation)

    def nodal_openings(self) -> np.ndarray:
        """(δn, δt) at the local interface vertices (ghosts included), shape (n, 2)."""
        self.refresh_frame()
        compat.interpolate_expression(self._pair, self._pair_expr, self._pair_cells)
        return self._pair.x.array.reshape(-1, 2)[self.history.vertices]

    def penetration(self) -> float:
        """How far side B's vertices lie behind side A's surface now [nm] (``gap``), along
        A's normal (F_A⁻ᵀN at finite strain, N at small strain)."""
        compat.interpolate_expression(self._sides, self._sides_expr, self._pair_cells)
        gdim = self._vertex_x.shape[1]
        sides = self._sides.x.array.reshape(-1, 2 * gdim)[self.history.vertices]
        normal = self.normal if self._side_a is None else self._side_a.update()
        normals = normal.x.array.reshape(-1, gdim)[self.history.vertices]
        return penetration(self._vertex_x + sides[:, :gdim], normals, self._reach,
                           self._vertex_x + sides[:, gdim:], self.comm)

    def state(self) -> InterfaceState:
        """The interface's ``InterfaceState`` now (collective)."""
        area, arc = self._totals
        forms = self._measures
        history = self.history
        pairs = self.nodal_openings()
        delta = np.sqrt(np.maximum(pairs[:, 0], 0.0) ** 2 + pairs[:, 1] ** 2)
        on_axis = np.abs(self._vertex_x[:, 0]) < 1e-9
        axis_d = np.max(history.d.x.array[history.vertices][on_axis], initial=-np.inf)
        axis_d = self.comm.allreduce(axis_d, op=MPI.MAX)
        debonded_arc = self._sum(forms[3])
        return InterfaceState(
            debonded_area_fraction=self._sum(forms[2]) / area,
            debonded_arc_fraction=debonded_arc / arc,
            debonded_arc_nm=debonded_arc,
            bonded_arc_nm=arc - debonded_arc,
            damaged_area_fraction=self._sum(forms[4]) / area,
            max_opening_nm=self.comm.allreduce(np.max(delta, initial=0.0), op=MPI.MAX),
            penetration_nm=self.penetration(),
            axis_damage=axis_d if np.isfinite(axis_d) else float("nan"),
            area_nm2=self.revolution * area,
            debonded_deformed_area_nm2=self.revolution * self._sum(forms[5]),
            damaged_deformed_area_nm2=self.revolution * self._sum(forms[6]),
        )
