"""Mechanics with one displacement field per region, joined by cohesive interfaces.

Design §3 option (a), as verified on two blocks (tests/verification/cohesive_blocks.py): region X
has its own continuous displacement u_X (``fields[k]``, on the whole mesh), integrated only over
X's cells; dofs outside X are inactive and not solved for; fields are assembled block-wise
(``fem.block_system``: a region's cells cost only its own field's element matrix). Weak form

    Σ_X ∫_X σ_X : ε(v_X) r dx + Σ_Γ ∫_Γ T([[u]]; d)·[[v]] r('+') dS = 0,   [[u]] = u_B − u_A,

with σ_X, eigenstrains and J2 plasticity exactly as in ``plasticity.Mechanics`` (which this
class extends, sharing its Newton loop) and T the cohesive traction of ``physics.cohesive``
(2π cancels). Boundary conditions: u_r = 0 on the axis for every field; u_z = 0 on the
substrate bottom for the substrate's field; without a substrate, u_z = 0 at the lowest axis
vertex of each region (rigid translation).

Lagged damage per step (design §8): a Newton correction with d fixed, then κ_trial = max(κ_n, δ),
d = d(κ_trial) on every interface; repeat until max |Δd| < ``solver.damage_tolerance``, then
solve equilibrium fully and check d once more (``CohesiveMechanics.solve``). More than
``solver.max_damage_rounds`` rounds, or a Newton failure, refuse the step (u, plastic state and d return to
step n); κ and the plastic state are committed only on acceptance.
"""

from __future__ import annotations

from typing import Mapping, Optional

import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI
from petsc4py import PETSc

from nanoglue.config import Solver
from nanoglue.fem import compat
from nanoglue.geometry import tags
from nanoglue.physics import cohesive
from nanoglue.physics.plasticity import Mechanics, NewtonResult, add_form
from nanoglue.timing import STOPWATCH

MEASURE_DEGREE = 8  # facet rule of the debonded-fraction integrals (step integrand)


class CohesiveMechanics(Mechanics):
    """``Mechanics`` with one field per region and cohesive ``interfaces`` (interface tag →
    config.CohesiveLaw, present interfaces only); ``debonded_damage``: d counted as debonded."""

    def __init__(self, mesh, cell_tags, facet_tags, materials: Mapping, eigenstrains: Mapping,
                 interfaces: Mapping, solver: Solver = Solver(), debonded_damage: float = 0.99,
                 quadrature_degree: Optional[int] = None,
                 damage_viscosity: Optional[float] = None):
        self._laws, self.max_staggers = dict(interfaces), solver.max_damage_rounds
        self._damage_viscosity = damage_viscosity
        self.histories: dict[int, cohesive.InterfaceHistory] = {}
        self._debonded = debonded_damage
        super().__init__(mesh, cell_tags, facet_tags, materials, eigenstrains, solver,
                         quadrature_degree)
        self._measures = {tag: self._measure_forms(mesh, facet_tags, tag) for tag in self._laws}
        self._totals = {tag: [self._sum(f) for f in forms[:2]]
                        for tag, forms in self._measures.items()}
        self._vertex_r = compat.lagrange_space(mesh, 1).tabulate_dof_coordinates()[:, 0]

    # ------------------------------------------------------------------ hooks of Mechanics
    def _fields(self, materials: Mapping) -> dict:
        return {tag: k for k, tag in enumerate(materials)}

    def _add_interface_forms(self, mesh, facet_tags, r, tests, trials, residuals, jacobians):
        """∫ T·[[v]] r('+') dS per interface into the residuals of both sides' fields, and its
        derivatives (d fixed) into the four Jacobian blocks of the two fields."""
        degree = max(2, 2 * self.solver.element_degree)
        dS = ufl.Measure("dS", domain=mesh, subdomain_data=facet_tags,
                         metadata={"quadrature_degree": degree})
        for tag, law in self._laws.items():
            a, b = (self.field_of[region] for region in tags.INTERFACE_REGIONS[tag])
            u_a, u_b = self.fields[a], self.fields[b]
            constants = cohesive.CohesiveConstants.of(mesh, law)
            normal = cohesive.interface_normal(mesh, self.indicators[tags.INTERFACE_REGIONS[tag][0]])
            history = self.histories[tag] = cohesive.InterfaceHistory(
                mesh, cohesive.jump(u_a, u_b, None), normal, dS(tag), facet_tags, tag, constants)
            t = cohesive.traction(cohesive.jump(u_a, u_b), history.normal("+"), history.d("+"),
                                  constants)
            for side, sign in ((a, -1.0), (b, 1.0)):  # [[v]] = v_b − v_a
                work = cohesive.interface_work(t, sign * tests[side]("+"), r("+"), dS(tag))
                residuals[side] += work
                for other in (a, b):
                    jacobians[side][other] = add_form(
                        jacobians[side][other],
                        ufl.derivative(work, self.fields[other], trials[other]))

    def _boundary_conditions(self, cell_tags, facet_tags) -> list:
        """Per field: u_r = 0 on the axis; u_z = 0 on the substrate bottom (substrate field)
        or, without a substrate, at the lowest axis vertex of each region."""
        mesh = self.mesh
        tdim = mesh.topology.dim
        mesh.topology.create_connectivity(tdim - 1, tdim)
        mesh.topology.create_connectivity(tdim, tdim)
        zero = PETSc.ScalarType(0.0)
        axis = facet_tags.indices[facet_tags.values == tags.AXIS]
        bottom = facet_tags.indices[facet_tags.values == tags.SUBSTRATE_BOTTOM]
        free = self.comm.allreduce(bottom.size, op=MPI.SUM) == 0
        bcs = []
        for tag, k in self.field_of.items():
            space = self.fields[k].function_space
            x = space.tabulate_dof_coordinates()
            tol = 1e-9 * self.comm.allreduce(np.max(np.abs(x), initial=0.0), op=MPI.MAX)
            radial, axial = space.sub(0), space.sub(1)
            field = [fem.dirichletbc(zero, fem.locate_dofs_topological(radial, tdim - 1, axis),
                                     radial)]
            if tag == tags.SUBSTRATE:
                field.append(fem.dirichletbc(
                    zero, fem.locate_dofs_topological(axial, tdim - 1, bottom), axial))
            elif free:
                dofs = fem.locate_dofs_topological(
                    axial, tdim, cell_tags.indices[cell_tags.values == tag])
                points = x[dofs // space.dofmap.index_map_bs]
                on_axis = np.abs(points[:, 0]) < tol
                lowest = self.comm.allreduce(np.min(points[on_axis, 1], initial=np.inf),
                                             op=MPI.MIN)
                pin = dofs[on_axis & (np.abs(points[:, 1] - lowest) < tol)]
                field.append(fem.dirichletbc(zero, pin, axial))
            bcs.append(field)
        return bcs

    def _active_dofs(self, cell_tags) -> list:
        """Owned dofs of u_X on X's cells, every region X (both components)."""
        tdim = self.mesh.topology.dim
        active = []
        for tag, k in sorted(self.field_of.items(), key=lambda item: item[1]):
            space = self.fields[k].function_space
            owned = space.dofmap.index_map.size_local * space.dofmap.index_map_bs
            dofs = np.unique(np.concatenate([
                fem.locate_dofs_topological(space.sub(j), tdim,
                                            cell_tags.indices[cell_tags.values == tag])
                for j in (0, 1)]))
            active.append(dofs[dofs < owned].astype(np.int32))
        return active

    # ------------------------------------------------------------------ lagged damage
    def solve(self, max_iterations: Optional[int] = None,
              step_time: Optional[float] = None) -> NewtonResult:
        """Equilibrium with converged lagged damage; on failure everything stays at step n.

        A round while d still moves is one lazy Newton correction (``_lazy_correction``: the
        Jacobian factorised last is reused while it still cuts the residual tenfold) and a
        damage update: u and d move towards the joint fixed point together, and no round
        solves equilibrium for a d that the next update replaces. Once a round changes d by
        less than the tolerance, a full Newton solve to the full tolerances follows, and the
        step is accepted if its damage update also stays below the tolerance: the accepted
        state is the same fixed point as with every round solved (measured: coated onsets
        within 0.01 points, bare 0.02 / 0.3 points — the latter the completion's path noise —
        with 35 % / 25 % fewer factorisations). ``iterations`` / ``factorizations`` of the
        result are the largest Newton count / number of Jacobian factorisations of one round,
        ``staggers`` the number of rounds."""
        start, most, factorized, residuals = self.system.state(), 0, 0, []
        eta = self._damage_viscosity
        relaxation = 1.0 if eta is None or step_time is None else step_time / (eta + step_time)
        reason = f"damage did not converge in {self.max_staggers} rounds"
        settling = False  # this round solves to the full tolerances
        for stagger in range(1, self.max_staggers + 1):
            result = self._newton(max_iterations) if settling else self._lazy_correction()
            most, residuals = max(most, result.iterations), residuals + result.residuals
            factorized = max(factorized, result.factorizations)
            if not result.converged:
                reason = result.reason
                break
            with STOPWATCH.section("constitutive"):
                changes = [history.update(relaxation)
                           for history in self.histories.values()]
            small = max(changes, default=0.0) < self.solver.damage_tolerance
            if small and settling:
                self._commit()
                for history in self.histories.values():
                    history.commit()
                return NewtonResult(True, most, residuals, staggers=stagger,
                                    factorizations=factorized)
            settling = small
        self.system.restore(start)
        for history in self.histories.values():
            history.reset()
        self._update()
        return NewtonResult(False, most, residuals, reason, staggers=stagger,
                            factorizations=factorized)

    # ------------------------------------------------------------------ measurements
    def _measure_forms(self, mesh, facet_tags, tag: int) -> list:
        """∫ w dS for w = r, 1, r·[d ≥ d_deb], [d ≥ d_deb], r·[d > 0] on interface ``tag``."""
        dS = ufl.Measure("dS", domain=mesh, subdomain_data=facet_tags,
                         metadata={"quadrature_degree": MEASURE_DEGREE})(tag)
        r = ufl.SpatialCoordinate(mesh)[0]("+")
        d = self.histories[tag].d("+")
        debonded = ufl.conditional(ufl.ge(d, self._debonded), 1.0, 0.0)
        damaged = ufl.conditional(ufl.gt(d, 0.0), 1.0, 0.0)
        unit = fem.Function(compat.dg_space(mesh, 0))
        unit.x.array[:] = 1.0
        one = unit("+")
        return [fem.form(w * dS) for w in (r, one, r * debonded, one * debonded, r * damaged)]

    def _sum(self, form) -> float:
        return self.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)

    def interface_state(self, tag: int) -> dict:
        """Debonded (d ≥ d_deb) fraction of the 2πr-weighted area and of the arc, debonded and
        still bonded arc [nm], damaged (d > 0) area fraction, max opening √(⟨δn⟩₊² + δt²) [nm]
        and d on the axis (NaN when the interface does not reach r = 0)."""
        area, arc = self._totals[tag]
        forms = self._measures[tag]
        history = self.histories[tag]
        pairs = history.nodal_openings()
        delta = np.sqrt(np.maximum(pairs[:, 0], 0.0) ** 2 + pairs[:, 1] ** 2)
        on_axis = np.abs(self._vertex_r[history.vertices]) < 1e-9
        axis_d = np.max(history.d.x.array[history.vertices][on_axis], initial=-np.inf)
        axis_d = self.comm.allreduce(axis_d, op=MPI.MAX)
        debonded_arc = self._sum(forms[3])
        return {
            "debonded_area_fraction": self._sum(forms[2]) / area,
            "debonded_arc_fraction": debonded_arc / arc,
            "debonded_arc_nm": debonded_arc,
            "bonded_arc_nm": arc - debonded_arc,
            "damaged_area_fraction": self._sum(forms[4]) / area,
            "max_opening_nm": self.comm.allreduce(np.max(delta, initial=0.0), op=MPI.MAX),
            "axis_damage": axis_d if np.isfinite(axis_d) else float("nan"),
        }
