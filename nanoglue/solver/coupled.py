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
  through-coating      the particle/coating interface (dS). The converted Na–Al–O conducts Na
                       fast (Fig 5e–h: "Na ions diffuse into the SnNP through the entire surface"),
                       so in the limit of a fast coating it delivers a uniform flux there; the
                       Na bound by the coating's conversion is not part of c.
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

from nanoglue.config import Case
from nanoglue.geometry import tags
from nanoglue.physics.mechanics import chemical_strain, radius, strain
from nanoglue.physics.plasticity import Mechanics, NewtonResult
from nanoglue.physics.transport import Transport
from nanoglue.solver.stepping import expansion_rate

ENTRY = {  # route → (facet tag, integral type, restriction)
    "substrate-interface": (tags.PARTICLE_SUBSTRATE, "dS", "+"),
    "whole-surface": (tags.PARTICLE_SURFACE, "ds", None),
    "through-coating": (tags.PARTICLE_COATING, "dS", "+"),
}
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
        entry_tag, kind, side = ENTRY[case.sodiation.route]
        entry = ufl.Measure(kind, domain=mesh, subdomain_data=facets)(entry_tag)
        r = radius(mesh)
        weight = 2.0 * ufl.pi * (r if side is None else r(side))
        self.particle_volume = self._integral(2.0 * ufl.pi * r * dx(tags.PARTICLE))
        self.entry_area = self._integral(weight * entry)
        solver = case.solver
        self.transport = Transport(mesh, dx(tags.PARTICLE), entry, case.sodiation.diffusivity,
                                   solver.petsc_options, side)
        self._set_initial_concentration(mesh)
        self.conversion = fem.Constant(mesh, PETSc.ScalarType(0.0))
        materials = {t: getattr(case.materials, REGION_MATERIAL[t]) for t in self.regions}
        eigenstrains = {tags.PARTICLE: chemical_strain(self.transport.c, case.sodiation.expansion)}
        if tags.COATING in self.regions:
            swelling = case.materials.coating_conversion_strain
            eigenstrains[tags.COATING] = self.conversion * swelling / 3.0 * ufl.Identity(3)
        self.mechanics = Mechanics(mesh, cells, facets, materials, eigenstrains, solver)
        self._volume_strain = fem.form(ufl.tr(strain(self.mechanics.u, r)) * r * dx(tags.PARTICLE))
        self._particle_weight = fem.form(r * dx(tags.PARTICLE))
        self._entry_dofs = fem.locate_dofs_topological(
            self.transport.c.function_space, mesh.topology.dim - 1,
            facets.indices[facets.values == entry_tag])
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

    def _set_initial_concentration(self, mesh) -> None:
        """c = c0 in the particle, or only within ``core_radius`` of its centre."""
        initial = self.case.sodiation.initial
        c = self.transport.c
        active = self.transport.active
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
        """c̄ = N/V_p, N = ∫2πr c dx (state of charge of the particle)."""
        return self.transport.total_sodium() / self.particle_volume

    def chemical_expansion(self) -> float:
        """X = 100·β·c̄ [%] (the x-axis of every curve)."""
        return 100.0 * self.case.sodiation.expansion * self.mean_concentration()

    def mechanical_expansion(self) -> float:
        """100·∫ tr ε r dx / ∫ r dx over the particle [%] (small strain, hoop term included)."""
        return 100.0 * self._total(self._volume_strain) / self._total(self._particle_weight)

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
        dt = expansion_step / self.rate
        c_before = self.transport.c.x.array.copy()
        p_before = self._plastic_strain_max()
        self.conversion.value = 1.0
        self.transport.step(dt, direction * self.flux_density)
        entry_min = self.entry_c_min()
        if direction < 0 and entry_min < 0.0:
            self._restore(c_before)
            return StepOutcome(False, None, entry_min, cut_off=True)
        newton = self.mechanics.solve()
        if not newton.converged:
            self._restore(c_before)
            return StepOutcome(False, newton, entry_min)
        self.time += dt
        return StepOutcome(True, newton, entry_min, self._plastic_strain_max() - p_before)

    def _restore(self, c_before: np.ndarray) -> None:
        self.transport.c.x.array[:] = c_before

    def _plastic_strain_max(self) -> float:
        local = [np.max(region.p.x.array, initial=0.0) for region in self.mechanics.plastic.values()]
        return self.comm.allreduce(max(local, default=0.0), op=MPI.MAX)
