"""One case's coupled problem: Na transport in the particle, then mechanics (staggered).

Per step of chemical volume expansion ΔX [%] (time step Δt = ΔX / |dX/dt|):

1. transport: (M_L + Δt K(D(c^n))) c^{n+1} = M_L c^n + Δt F with the inward flux density
   j = V_p·(C-rate)/(3600 s·A_entry) on the route's entry surface (``physics.transport``);
2. mechanics: equilibrium with the eigenstrain (β c^{n+1}/3) I in the particle (and the coating's
   conversion strain) by Newton (``physics.plasticity``). If Newton fails, c and the mechanical
   state go back to step n and the caller cuts the step.

V_p and A_entry are measured on the mesh (2πr-weighted), so that mean(c) = N/V_p follows the
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
from nanoglue.geometry import tags
from nanoglue.physics.cohesive_mechanics import CohesiveMechanics
from nanoglue.physics.diffusivity import at_flux_density
from nanoglue.physics.mechanics import chemical_strain, radius, strain
from nanoglue.physics.plasticity import Mechanics, NewtonResult
from nanoglue.physics.transport import Transport
from nanoglue.solver.stepping import expansion_rate

ENTRY = {  # route → (facet tag, integral type, restriction)
    "substrate-interface": (tags.PARTICLE_SUBSTRATE, "dS", "+"),
    "whole-surface": (tags.PARTICLE_SURFACE, "ds", None),
    "through-coating": (tags.PARTICLE_COATING, "dS", "+"),
}
CONDUCTING_COATING_ENTRY = (tags.COATING_SURFACE, "ds", None)
LANDING_TOLERANCE = 1e-10  # |X − target| [%] that ends the Δt search of a conducting coating
LANDING_ITERATIONS = 8  # secant steps at most; a miss is made up by the next step of the run
REGION_MATERIAL = {tags.PARTICLE: "particle", tags.SUBSTRATE: "substrate", tags.COATING: "coating"}


@dataclass(frozen=True)
class StepOutcome:
    """What one attempted step did. Not ``accepted``: the state is back at the previous step."""

    accepted: bool
    newton: Optional[NewtonResult]  # None when the step stopped before mechanics
    entry_c_min: float  # smallest c on the entry surface after the transport step
    plastic_increment: float = 0.0  # max Δp over the step
    cut_off: bool = False  # desodiation would drive the entry surface below c = 0


class CoupledProblem:
    """Transport + mechanics of ``case`` on a tagged axisymmetric ``bundle`` (geometry.build)."""

    def __init__(self, case: Case, bundle):
        self.case = case
        mesh, cells, facets = bundle.mesh, bundle.cell_tags, bundle.facet_tags
        self.comm = mesh.comm
        self.regions = [t for t in REGION_MATERIAL if self._count(cells, t) > 0]
        dx = ufl.Measure("dx", domain=mesh, subdomain_data=cells)
        self.coating_conducts = case.sodiation.coating_diffusivity is not None
        entries = [CONDUCTING_COATING_ENTRY if self.coating_conducts
                   else ENTRY[case.sodiation.route]]
        if case.sodiation.through_contact:  # validated: never on the contact route itself
            entries.append(ENTRY["substrate-interface"])
        measures = [(ufl.Measure(kind, domain=mesh, subdomain_data=facets)(tag), side)
                    for tag, kind, side in entries]
        r = radius(mesh)
        self.particle_volume = self._integral(2.0 * ufl.pi * r * dx(tags.PARTICLE))
        self.entry_area = sum(self._integral(2.0 * ufl.pi * (r if side is None else r(side))
                                             * measure) for measure, side in measures)
        solver = case.solver
        (entry, side), *more_entries = measures
        self.diffusivity = at_flux_density(case.sodiation.diffusivity, self.flux_density)
        self.transport = Transport(mesh, dx(tags.PARTICLE), entry, self.diffusivity,
                                   solver.petsc_options, side, self._conducting_coating(dx),
                                   more_entries)
        self._particle_sodium = fem.form(2.0 * ufl.pi * r * self.transport.c * dx(tags.PARTICLE))
        mesh.topology.create_connectivity(mesh.topology.dim, mesh.topology.dim)  # for cell dofs
        self._particle_dofs = fem.locate_dofs_topological(
            self.transport.c.function_space, mesh.topology.dim,
            cells.indices[cells.values == tags.PARTICLE])
        self._set_initial_concentration()
        self.conversion = fem.Constant(mesh, PETSc.ScalarType(0.0))
        materials = {t: getattr(case.materials, REGION_MATERIAL[t]) for t in self.regions}
        eigenstrains = {tags.PARTICLE: chemical_strain(self.transport.c, case.sodiation.expansion)}
        if tags.COATING in self.regions:
            swelling = case.materials.coating_conversion_strain
            eigenstrains[tags.COATING] = self.conversion * swelling / 3.0 * ufl.Identity(3)
        cohesive = case.interfaces.model == "cohesive"
        self.interfaces = {tag: name for name, tag in tags.INTERFACES.items()
                           if cohesive and self._count(facets, tag) > 0}
        if self.interfaces:
            laws = {tag: getattr(case.interfaces, name) for tag, name in self.interfaces.items()}
            self.mechanics = CohesiveMechanics(mesh, cells, facets, materials, eigenstrains, laws,
                                               solver, case.interfaces.debonded_damage,
                                               damage_viscosity=case.interfaces.damage_viscosity)
        else:
            self.mechanics = Mechanics(mesh, cells, facets, materials, eigenstrains, solver)
        u_particle = self.mechanics.displacement(tags.PARTICLE)
        self._volume_strain = fem.form(ufl.tr(strain(u_particle, r)) * r * dx(tags.PARTICLE))
        self._particle_weight = fem.form(r * dx(tags.PARTICLE))
        self._entry_dofs = fem.locate_dofs_topological(
            self.transport.c.function_space, mesh.topology.dim - 1,
            facets.indices[np.isin(facets.values, [tag for tag, _, _ in entries])])
        self.time = 0.0

    # ------------------------------------------------------------------ set-up helpers
    def _count(self, cell_tags, tag: int) -> int:
        return self.comm.allreduce(int(np.sum(cell_tags.values == tag)), op=MPI.SUM)

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
        g = self.case.geometry
        centre_z = g.particle_radius - g.crater_depth  # geometry/axisymmetric.py, with or without substrate
        x = c.function_space.tabulate_dof_coordinates()[active]
        inside = np.ones(active.size, dtype=bool)
        if initial.core_radius is not None:
            inside = np.hypot(x[:, 0], x[:, 1] - centre_z) < initial.core_radius
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

    def chemical_expansion(self) -> float:
        """X = 100·β·c̄ [%] (the x-axis of every curve)."""
        return 100.0 * self.case.sodiation.expansion * self.mean_concentration()

    def mechanical_expansion(self) -> float:
        """100·∫ tr ε r dx / ∫ r dx over the particle [%] (small strain, hoop term included)."""
        return 100.0 * self._total(self._volume_strain) / self._total(self._particle_weight)

    def interface_states(self) -> dict:
        """Interface name → ``CohesiveMechanics.interface_state`` of every present interface."""
        return {name: self.mechanics.interface_state(tag) for tag, name in self.interfaces.items()}

    def held(self) -> bool:
        """A path of interfaces not debonded over their whole arc links particle and substrate
        (always True without a substrate or without interfaces)."""
        if tags.SUBSTRATE not in self.regions or not self.interfaces:
            return True
        reached, states = {tags.PARTICLE}, self.interface_states()
        links = [tags.INTERFACE_REGIONS[tag] for tag, name in self.interfaces.items()
                 if states[name]["debonded_arc_fraction"] < 1.0]
        for _ in links:
            reached |= {b for a, b in links if a in reached} | {a for a, b in links if b in reached}
        return tags.SUBSTRATE in reached

    def entry_c_min(self) -> float:
        local = self.transport.c.x.array[self._entry_dofs]
        return self.comm.allreduce(np.min(local, initial=np.inf), op=MPI.MIN)

    # ------------------------------------------------------------------ one step
    def advance(self, direction: int, expansion_step: float) -> StepOutcome:
        """Sodiate (direction +1) or desodiate (−1) by ``expansion_step`` [%] of X.

        Not accepted, with everything back at the previous state, when Newton fails or when a
        desodiation step would take the entry surface below c = 0 (the cut-off, like a voltage
        limit: c itself is never clipped).
        """
        c_before = self.transport.c.x.array.copy()
        p_before = self._plastic_strain_max()
        self.conversion.value = 1.0
        dt = self._transport_step(direction, expansion_step, c_before)
        entry_min = self.entry_c_min()
        if direction < 0 and entry_min < 0.0:
            self._restore(c_before)
            return StepOutcome(False, None, entry_min, cut_off=True)
        newton = self.mechanics.solve(step_time=dt)
        if not newton.converged:
            self._restore(c_before)
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

    def _restore(self, c_before: np.ndarray) -> None:
        self.transport.c.x.array[:] = c_before

    def _plastic_strain_max(self) -> float:
        local = [np.max(region.p.x.array, initial=0.0) for region in self.mechanics.plastic.values()]
        return self.comm.allreduce(max(local, default=0.0), op=MPI.MAX)
