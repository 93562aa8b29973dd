"""One case's coupled problem: Na transport in the particle, then mechanics (staggered).

Per step of chemical volume expansion ΔX [%] (time step Δt = ΔX / |dX/dt|):

1. transport: (M_L + Δt K(D(c^n))) c^{n+1} = M_L c^n + Δt F with the inward flux density
   j = V_p·(C-rate)/(3600 s·A_entry) on the route's entry surface (``problems.transport``);
2. mechanics: equilibrium with the swelling eigenstrain of β c^{n+1} in the particle (and the
   coating's conversion strain) by Newton (``problems.mechanics``). If Newton fails, c and the
   mechanical state go back to step n and the caller cuts the step.

V_p and A_entry are measured on the mesh (with the model's measure, 2πr dx in axisymmetry), so that mean(c) = N/V_p follows the
galvanostatic schedule exactly: X = 100·β·(c̄_0 + (C-rate)·t/3600).

Entry routes (Na enters the particle through):
  substrate-interface  the particle/substrate interface (dS, in-situ TEM set-up, Fig 5a–d)
  whole-surface        the exposed particle surface (ds, liquid electrolyte, Fig S10)
  through-coating      the converted Na–Al–O conducts Na (Fig 5e–h: "Na ions diffuse into the
                       SnNP through the entire surface"). sodiation.coating_diffusivity None:
                       the fast-coating limit, a uniform flux on the particle/coating interface
                       (dS). A value D_coat: the flux enters on the coating's outer surface
                       (ds, COATING_SURFACE: over the particle and over the substrate top, the
                       layer's end included) and diffuses through the coating (constant D_coat)
                       into the particle; j still carries the particle's rate V_p·C/3600 s.
  sodiation.through_contact (whole-surface, through-coating): the particle/substrate contact is
                       an entry surface too (the CNF conducts Na), with the same flux density.
The Na bound by the coating's conversion is not part of c; neither is the Na in transit in a
conducting coating part of the particle's charge c̄ = ∫_particle 2πr c dx / V_p: X then lags the
charge, and a step ΔX is the Δt that brings the particle's own Na there (``_transport_step``).
The coating's conversion to Na–Al–O is irreversible and taken as complete from the first step on
("ALD-Al₂O₃ is sodiated quickly"); its optional swelling is the eigenstrain (ε_conv/3) I.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI
from petsc4py import PETSc

from nanoglue.config import Case, ConstantDiffusivity
from nanoglue.coupling.stepping import expansion_rate
from nanoglue.fem import compat
from nanoglue.fem.newton import NewtonResult
from nanoglue.fem.state import StateSet
from nanoglue.geometry import tags
from nanoglue.geometry.layout import layout_of
from nanoglue.interfaces.laws import DebondedCriterion
from nanoglue.kinematics.model import model_for
from nanoglue.kinematics import KINEMATICS
from nanoglue.materials.diffusivity import at_flux_density
from nanoglue.problems.energy import EnergyBudget
from nanoglue.problems.mechanics import InterfaceSpec, Mechanics
from nanoglue.problems.transport import Transport

ENTRY = {  # route → (facet tag, integral type, restriction)
    "substrate-interface": (tags.PARTICLE_SUBSTRATE, "dS", "+"),
    "whole-surface": (tags.PARTICLE_SURFACE, "ds", None),
    "through-coating": (tags.PARTICLE_COATING, "dS", "+"),
}
CONDUCTING_COATING_ENTRY = (tags.COATING_SURFACE, "ds", None)
LANDING_TOLERANCE = 1e-10  # |X − target| [%] that ends the Δt search of a conducting coating
LANDING_ITERATIONS = 8  # secant steps at most; a miss is made up by the next step of the run


@dataclass(frozen=True)
class StepOutcome:
    """What one attempted step did. Not ``accepted``: the state is back at the previous step."""

    accepted: bool
    newton: Optional[NewtonResult]  # None when the step stopped before mechanics
    entry_c_min: float  # smallest c on the entry surface after the transport step
    plastic_increment: float = 0.0  # max Δp over the step
    cut_off: bool = False  # desodiation would drive the entry surface below c = 0

    @property
    def interrupted(self) -> bool:
        """Abandoned for a stop signal (``interrupt``): not a refusal of the step."""
        return self.newton is not None and self.newton.interrupted


class CoupledProblem:
    """Transport + mechanics of ``case`` on a tagged ``bundle`` (fem.mesh)."""

    def __init__(self, case: Case, bundle):
        self.case = case
        mesh, cells, facets = bundle.mesh, bundle.cell_tags, bundle.facet_tags
        self.comm = mesh.comm
        self.layout = layout_of(case.geometry, bundle.tags)
        self.model = model_for(case.geometry.model, mesh, self.layout.symmetry_planes)
        kinematics = KINEMATICS[case.mechanics.kinematics](self.model)
        self.regions = list(self.layout.regions.values())
        dx = ufl.Measure("dx", domain=mesh, subdomain_data=cells)
        self.coating_conducts = case.sodiation.coating_diffusivity is not None
        entries = [CONDUCTING_COATING_ENTRY if self.coating_conducts
                   else ENTRY[case.sodiation.route]]
        if case.sodiation.through_contact:  # validated: never on the contact route itself
            entries.append(ENTRY["substrate-interface"])
        measures = [(ufl.Measure(kind, domain=mesh, subdomain_data=facets)(tag), side)
                    for tag, kind, side in entries]
        w, revolution = self.model.weight, self.model.revolution
        self.particle_volume = self._integral(revolution * w * dx(tags.PARTICLE))
        self.entry_area = sum(self._integral(revolution * self.model.restricted_weight(side)
                                             * measure) for measure, side in measures)
        solver = case.solver
        (entry, side), *more_entries = measures
        self.diffusivity = at_flux_density(case.sodiation.diffusivity, self.flux_density)
        coating = self._conducting_coating(dx)
        # the deformation the transport sees: each transport region's displacement at the last
        # accepted step, copied in before every transport step (finite strain only)
        self._deformed = {tag: fem.Function(compat.lagrange_space(
            mesh, solver.element_degree, (self.model.gdim,)))
            for tag in [tags.PARTICLE] + ([tags.COATING] if coating else [])}
        metrics = [kinematics.diffusion_metric(u) for u in self._deformed.values()]
        if all(metric is None for metric in metrics):
            self._deformed = {}
        self.transport = Transport(mesh, dx(tags.PARTICLE), entry, self.diffusivity,
                                   solver.petsc_options, side, coating, more_entries,
                                   model=self.model, metrics=metrics)
        self._particle_sodium = fem.form(revolution * w * self.transport.c * dx(tags.PARTICLE))
        mesh.topology.create_connectivity(mesh.topology.dim, mesh.topology.dim)  # for cell dofs
        self._particle_dofs = fem.locate_dofs_topological(
            self.transport.c.function_space, mesh.topology.dim,
            cells.indices[cells.values == tags.PARTICLE])
        self._set_initial_concentration()
        self.conversion = fem.Constant(mesh, PETSc.ScalarType(0.0))
        materials = {tag: case.materials.region(name) for name, tag in self.layout.regions.items()}
        eigenstrains = {tags.PARTICLE: kinematics.swelling_strain(
            case.sodiation.expansion * self.transport.c)}
        if self.layout.has("coating"):
            eigenstrains[tags.COATING] = kinematics.swelling_strain(
                self.conversion * case.materials.coating_conversion_strain)
        cohesive = case.interfaces.model == "cohesive"
        laws = case.interfaces.laws()
        self.damage_viscosity, self.retry_viscosity = case.interfaces.viscosity(self.rate)  # [s]
        self.interfaces = {pair.tag: name for name, pair in self.layout.interfaces.items()
                           if cohesive}
        specs = {pair.tag: InterfaceSpec(name, pair.regions, laws[name])
                 for name, pair in self.layout.interfaces.items() if cohesive}
        self.mechanics = Mechanics(kinematics, cells, facets, materials, eigenstrains, solver,
                                   interfaces=specs, clamps=self.layout.clamps,
                                   debonded=DebondedCriterion(case.interfaces.debonded_criterion,
                                                              case.interfaces.debonded_damage),
                                   damage_viscosity=self.damage_viscosity,
                                   pressure=case.mechanics.pressure)
        u_particle = self.mechanics.displacement(tags.PARTICLE)
        self._volume_strain = fem.form(kinematics.volume_change(u_particle) * w * dx(tags.PARTICLE))
        self._particle_weight = fem.form(w * dx(tags.PARTICLE))
        self._entry_dofs = fem.locate_dofs_topological(
            self.transport.c.function_space, mesh.topology.dim - 1,
            facets.indices[np.isin(facets.values, [tag for tag, _, _ in entries])])
        self.time = 0.0
        self.state = StateSet([self.transport.c] + self.mechanics.state.functions)
        self.energy = EnergyBudget(self.mechanics, {tag: name for name, tag in self.layout.regions.items()},
                                   self.interfaces, [self.transport.c], [self.conversion])

    # ------------------------------------------------------------------ set-up helpers
    def _integral(self, form) -> float:
        """Value of a UFL functional compiled for one use (set-up quantities)."""
        return self._total(fem.form(form))

    def _total(self, compiled) -> float:
        """Value of a compiled functional, summed over the ranks."""
        return self.comm.allreduce(fem.assemble_scalar(compiled), op=MPI.SUM)

    def _conducting_coating(self, dx) -> list:
        """The coating as a further transport region [(dx(coating), D_coat, s_coat)], or []."""
        if not self.coating_conducts:
            return []
        sodiation = self.case.sodiation
        d_coat = ConstantDiffusivity(value=sodiation.coating_diffusivity)
        return [(dx(tags.COATING), d_coat, sodiation.coating_storage)]

    def _set_initial_concentration(self) -> None:
        """c = c0 at the particle's dofs, or only within ``core_radius`` of its centre."""
        initial = self.case.sodiation.initial
        c = self.transport.c
        active = self._particle_dofs
        if initial.value == 0.0:
            return
        centre = np.asarray(self.layout.particle_centre)
        x = c.function_space.tabulate_dof_coordinates()[active, :centre.size]
        inside = np.ones(active.size, dtype=bool)
        if initial.core_radius is not None:
            inside = np.linalg.norm(x - centre, axis=1) < initial.core_radius
        c.x.array[active[inside]] = initial.value
        c.x.scatter_forward()

    # ------------------------------------------------------------------ state
    @property
    def flux_density(self) -> float:
        """|j| [nm/s of normalised c]: V_p·(C-rate)/(3600·A_entry)."""
        return self.particle_volume * self.case.sodiation.c_rate / (3600.0 * self.entry_area)

    @property
    def rate(self) -> float:
        """|dX/dt| [%/s]."""
        return expansion_rate(self.case.sodiation.expansion, self.case.sodiation.c_rate)

    def mean_concentration(self) -> float:
        """c̄ = N_p/V_p, N_p = ∫_particle 2πr c dx (state of charge of the particle itself)."""
        return self._total(self._particle_sodium) / self.particle_volume

    def coating_state_of_charge(self) -> float:
        """N_coat/V_p: the Na a conducting coating holds, on the particle's scale (0 when the
        coating does not conduct), so that c̄ + N_coat/V_p = c̄₀ + (C-rate)·t/3600 closes the
        Na balance from curves.csv (``transport.total_sodium`` is particle + coating)."""
        if not self.coating_conducts:
            return 0.0
        return self.transport.total_sodium() / self.particle_volume - self.mean_concentration()

    def chemical_expansion(self) -> float:
        """X = 100·β·c̄ [%] (the x-axis of every curve)."""
        return 100.0 * self.case.sodiation.expansion * self.mean_concentration()

    def mechanical_expansion(self) -> float:
        """100·∫ tr ε r dx / ∫ r dx over the particle [%] (small strain, hoop term included)."""
        return 100.0 * self._total(self._volume_strain) / self._total(self._particle_weight)

    def interface_states(self) -> dict:
        """Interface name → ``CohesiveInterface.state`` of every present interface."""
        return {name: self.mechanics.interfaces[tag].state() for tag, name in self.interfaces.items()}

    def debonded_thresholds(self) -> dict:
        """Interface name → the damage at which its points count as debonded."""
        return {name: self.mechanics.interfaces[tag].debonded_damage
                for tag, name in self.interfaces.items()}

    def held(self, states: Optional[dict] = None) -> bool:
        """A path of interfaces not debonded over their whole arc links particle and substrate
        (always True without a substrate or without interfaces); ``states``: the
        ``interface_states()`` of the current state when the caller has them already."""
        if not self.layout.has("substrate") or not self.interfaces:
            return True
        reached, states = {tags.PARTICLE}, states or self.interface_states()
        links = [self.layout.interfaces[name].regions for name in self.interfaces.values()
                 if states[name].debonded_arc_fraction < 1.0]
        for _ in links:
            reached |= {b for a, b in links if a in reached} | {a for a, b in links if b in reached}
        return tags.SUBSTRATE in reached

    def entry_c_min(self) -> float:
        local = self.transport.c.x.array[self._entry_dofs]
        return self.comm.allreduce(np.min(local, initial=np.inf), op=MPI.MIN)

    # ------------------------------------------------------------------ one step
    def equilibrate(self) -> Optional[NewtonResult]:
        """Mechanical equilibrium of the initial state, before the first snapshot: a non-zero
        initial concentration swells the particle at t = 0 (None: c = 0, nothing to balance;
        a result that did not converge leaves every state as it was)."""
        if self.case.sodiation.initial.value == 0.0:
            return None
        saved = self.state.copy()
        result = self.mechanics.solve()
        if not result.converged:
            self.restore(saved)
        return result

    def advance(self, direction: int, expansion_step: float) -> StepOutcome:
        """Sodiate (direction +1) or desodiate (−1) by ``expansion_step`` [%] of X.

        Not accepted, with every state back at the previous step (``restore``), when Newton
        fails or when a desodiation step would take the entry surface below c = 0 (the cut-off,
        like a voltage limit: c itself is never clipped).
        """
        saved = self.state.copy()
        c_before = saved[0]
        p_before = self._plastic_strain_max()
        self.conversion.value = 1.0
        dt = self._transport_step(direction, expansion_step, c_before)
        entry_min = self.entry_c_min()
        if direction < 0 and entry_min < 0.0:
            self.restore(saved, mechanics_solved=False)
            return StepOutcome(False, None, entry_min, cut_off=True)
        newton = self.mechanics.solve(step_time=dt)
        if not newton.converged:
            self.restore(saved)
            return StepOutcome(False, newton, entry_min)
        self.time += dt
        return StepOutcome(True, newton, entry_min, self._plastic_strain_max() - p_before)

    def _transport_step(self, direction: int, expansion_step: float, c_before) -> float:
        """Transport step that moves the particle's X by ``direction·expansion_step``; its Δt.

        Δt₀ = ΔX/|dX/dt| is exact when all Na is the particle's (X(Δt) = X_n + ΔX·Δt/Δt₀). With
        a conducting coating part of the charge stays in the coating, so Δt solves
        X(Δt) = X_n ± ΔX by secant steps from (0, X_n) and Δt₀, each one transport solve from
        ``c_before``: X(Δt) is smooth and nearly linear, so |miss| ≤ LANDING_TOLERANCE in a few.
        """
        for tag, deformed in self._deformed.items():
            deformed.x.array[:] = self.mechanics.displacement(tag).x.array
        flux = direction * self.flux_density
        target = self.chemical_expansion() + direction * expansion_step
        dt = expansion_step / self.rate
        self.transport.step(dt, flux)
        if not self.coating_conducts:
            return dt
        previous = (0.0, direction * expansion_step)  # (Δt, miss) at Δt = 0
        for _ in range(LANDING_ITERATIONS):
            miss = target - self.chemical_expansion()
            if abs(miss) <= LANDING_TOLERANCE:
                break
            (dt_before, miss_before), previous = previous, (dt, miss)
            dt -= miss * (dt - dt_before) / (miss - miss_before)
            self.transport.c.x.array[:] = c_before
            self.transport.step(dt, flux)
        return dt

    def restore(self, saved: list, mechanics_solved: bool = True) -> None:
        """c, every displacement, plastic state, κ and d back to ``saved`` (``state.copy()``).
        When mechanics was not solved in the refused step (a desodiation cut-off), its fields
        never left the saved state and its last factorisation stays valid for the next lazy
        correction; otherwise it is dropped and the return mapping re-evaluated."""
        self.state.restore(saved)
        if mechanics_solved:
            self.mechanics.refresh()

    def _plastic_strain_max(self) -> float:
        local = [np.max(region.p.x.array, initial=0.0) for region in self.mechanics.plastic.values()]
        return self.comm.allreduce(max(local, default=0.0), op=MPI.MAX)
