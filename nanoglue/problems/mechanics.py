"""Quasi-static mechanics composed of bulk regions, cohesive interfaces and supports, solved by
Newton's method (``fem.newton``) on the active dofs of its fields (``fem.block_system``).

Weak form, for the model's measure weight w (r in axisymmetry, 1 in 3-D) and the kinematics'
strain measure (ε(v) at small strain; H(v) = δF at finite strain, the stress then P, total
Lagrangian: every integral over the reference configuration):

    Σ_X ∫_X σ_X : ε(v_X) w dx + Σ_Γ ∫_Γ T([[u]]; d)·[[v]] w dS = 0.

Fields: without interfaces one displacement is shared by all regions (bonded); with interfaces
each region X has its own continuous u_X on the whole mesh, integrated over X's cells only, its
dofs elsewhere inactive (design §3 option (a), verified on two blocks). σ_X comes from the
region's material (``materials``: elastic, J2), T from the interface's law (``interfaces``).

Supports: every field has u_c = 0 on each symmetry plane of the model (facet tag, component c);
a clamp (facet tag, component, region) holds that component on those facets for the field of
that region (the substrate bottom). A mesh without any clamp (a free particle) has its
translations along the components no symmetry plane fixes removed by pinning, per field, the
lowest dof (in that component) on the intersection of the symmetry planes (no null pivot; the
stresses of a free body are unaffected).

Solve: without interfaces, Newton to the full tolerances. With interfaces, lagged damage rounds
(design §8): a round while d still moves is one lazy Newton correction (reusing the last
factorised Jacobian while it still contracts ‖F‖; each step's first correction factorises
afresh, so a step depends on its start state alone) and a damage update; once
a round changes d by less than ``solver.damage_tolerance`` a full Newton solve follows, and the
step is accepted if its damage update also stays below the tolerance (the accepted state is the
same fixed point as with every round solved: coated onsets within 0.01 points, bare 0.02 / 0.3
points, with 35 % / 25 % fewer factorisations). More than ``solver.max_damage_rounds`` rounds or
a Newton failure refuse the step; the fields are then left where the rounds stopped, and the
caller restores a copy of ``state`` (every field, the plastic state, κ and d) and calls
``refresh``. The plastic state and κ are committed only on acceptance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import numpy as np
import ufl
from dolfinx import fem
from petsc4py import PETSc

from nanoglue.config import Solver
from nanoglue.fem import compat
from nanoglue.fem.block_system import ActiveBlockSystem
from nanoglue.fem.newton import Newton, NewtonResult
from nanoglue.fem.regions import cell_measure, region_cells, region_indicator
from nanoglue.fem.state import StateSet
from nanoglue.interfaces.cohesive import CohesiveInterface
from nanoglue.interfaces.laws import DebondedCriterion, law_for
from nanoglue.materials import material_class
from nanoglue.materials.elastic import von_mises
from nanoglue.problems.supports import field_conditions, owned_cell_dofs
from nanoglue.timing import STOPWATCH


@dataclass(frozen=True)
class InterfaceSpec:
    """An interface of the layout: its name, the regions (A, B) it joins and its law config."""

    name: str
    regions: tuple[int, int]
    law: object


@dataclass(frozen=True)
class Samples:
    """Values at the owned quadrature points: x (n, gdim), region tag (n,), stress (n, stored
    components of the model), von Mises stress (n,), equivalent plastic strain p (n,), the
    strain measure of the kinematics (n, 3, 3: ε, or Green–Lagrange at finite strain; swelling
    included, what the body's shape shows)."""

    x: np.ndarray
    region: np.ndarray
    stress: np.ndarray
    von_mises: np.ndarray
    p: np.ndarray
    strain: np.ndarray

    def largest_principal_strain(self, where: np.ndarray) -> float:
        """max over the points ``where`` (a mask) of the largest eigenvalue of the strain
        measure (−inf where none; ``kinematics.engineering_strain`` turns it into λ − 1):
        this rank's share, the caller reduces over ranks."""
        chosen = self.strain[where]
        return float(np.max(np.linalg.eigvalsh(chosen)[:, -1])) if len(chosen) else -np.inf


def _add(total, term):
    """total + term for UFL forms where ``total`` may still be None (an empty block)."""
    return term if total is None else total + term


def _add_pressure(constraint, u, v, du, weight, measure, k: int, residuals: list,
                  jacobians: list):
    """Append a region's pressure field p to the unknowns' forms (``materials.hencky``, mixed
    pressure): ∫ p Dθ[v] in the residual of its displacement field k, ∫ (θ(u) − c p) q as
    the new last residual, their derivatives as the new Jacobian blocks; returns p."""
    p, theta, compliance = constraint
    space = p.function_space
    q, dp = ufl.TestFunction(space), ufl.TrialFunction(space)
    coupling = p * ufl.derivative(theta, u, v) * weight * measure
    constraint_form = (theta - compliance * p) * q * weight * measure
    residuals[k] = _add(residuals[k], coupling)
    residuals.append(constraint_form)
    jacobians[k][k] = _add(jacobians[k][k], ufl.derivative(coupling, u, du))
    for row in jacobians:
        row.append(None)
    jacobians[k][-1] = ufl.derivative(coupling, p, dp)
    jacobians.append([None] * len(jacobians[0]))
    jacobians[-1][k] = ufl.derivative(constraint_form, u, du)
    jacobians[-1][-1] = ufl.derivative(constraint_form, p, dp)
    return p


class Mechanics:
    """Mechanics of the tagged regions of a mesh (module docstring).

    kinematics: a ``kinematics`` object (its ``model`` the geometry of the model); materials:
    region tag → config.ElasticMaterial; eigenstrains: region tag → 3×3 UFL eigenstrain;
    interfaces: interface tag → ``InterfaceSpec``; clamps: (facet tag, component, region tag) or
    (…, value) with a ``fem.Constant`` value prescribed there (``problems.supports``);
    damage_viscosity: η [s] of the viscous damage update (0: rate-independent; settable between
    steps as ``damage_viscosity``); pressure: "mixed" gives each finite-strain J2 region a
    pressure field of its own (``materials.hencky``), an unknown beside the displacements.
    """

    def __init__(self, kinematics, cell_tags, facet_tags, materials: Mapping,
                 eigenstrains: Mapping, solver: Solver = Solver(), *,
                 interfaces: Mapping[int, InterfaceSpec] = {}, clamps: Sequence = (),
                 debonded: DebondedCriterion = DebondedCriterion(),
                 damage_viscosity: float = 0.0, pressure: str = "displacement",
                 quadrature_degree: Optional[int] = None):
        model = kinematics.model
        mesh = model.mesh
        self.comm, self.mesh, self.solver, self.model = mesh.comm, mesh, solver, model
        self.kinematics = kinematics
        self.quadrature_degree = quadrature_degree or solver.element_degree
        self.field_of = {tag: (k if interfaces else 0) for k, tag in enumerate(materials)}
        self.fields = [
            fem.Function(compat.lagrange_space(mesh, solver.element_degree, (model.gdim,)),
                         name=f"u{k}") for k in range(max(self.field_of.values()) + 1)]
        tests = [ufl.TestFunction(f.function_space) for f in self.fields]
        trials = [ufl.TrialFunction(f.function_space) for f in self.fields]
        dx = self.dx = cell_measure(mesh, self.quadrature_degree, cell_tags)
        none = kinematics.swelling_strain(fem.Constant(mesh, PETSc.ScalarType(0.0)))
        self.eigenstrains = {tag: eigenstrains.get(tag, none) for tag in materials}
        w = model.weight
        self.indicators = {tag: region_indicator(mesh, cell_tags, tag) for tag in materials}
        self.regions = {}
        residuals = [0] * len(self.fields)
        jacobians = [[None] * len(self.fields) for _ in self.fields]
        for tag, material in materials.items():
            k = self.field_of[tag]
            law = material_class(kinematics, material, pressure)
            region = self.regions[tag] = law(
                kinematics, self.fields[k], region_cells(self.indicators[tag]),
                self.eigenstrains[tag], mesh, material, self.quadrature_degree)
            v, du = tests[k], trials[k]
            residuals[k] += ufl.inner(region.stress(), kinematics.strain(v)) * w * dx(tag)
            jacobians[k][k] = _add(jacobians[k][k], ufl.inner(region.tangent(du),
                                                              kinematics.strain(v)) * w * dx(tag))
        self.interfaces = {}
        for tag, spec in interfaces.items():
            a, b = (self.field_of[region] for region in spec.regions)
            interface = self.interfaces[tag] = CohesiveInterface(
                spec.name, tag, mesh, facet_tags, self.fields[a], self.fields[b],
                self.indicators[spec.regions[0]], law_for(mesh, spec.law), kinematics,
                solver.element_degree, debonded.threshold(spec.law))
            for side, sign in ((a, -1.0), (b, 1.0)):  # [[v]] = v_b − v_a
                work = interface.work(sign * tests[side]("+"))
                residuals[side] += work
                for other in (a, b):
                    jacobians[side][other] = _add(
                        jacobians[side][other],
                        ufl.derivative(work, self.fields[other], trials[other]))
        regions_of = [[t for t, k in self.field_of.items() if k == j] for j in range(len(self.fields))]
        bcs, active, self._prescribed = field_conditions(model, self.fields, regions_of,
                                                         cell_tags, facet_tags, clamps)
        unknowns = list(self.fields)
        for tag, region in self.regions.items():
            if hasattr(region, "pressure_constraint"):
                k = self.field_of[tag]
                unknowns.append(_add_pressure(region.pressure_constraint(), self.fields[k],
                                              tests[k], trials[k], w, dx(tag), k,
                                              residuals, jacobians))
                bcs.append([])
                active.append(owned_cell_dofs(unknowns[-1].function_space,
                                              region_cells(self.indicators[tag])))
        self.system = ActiveBlockSystem(unknowns, residuals, jacobians, bcs, active,
                                        solver.petsc_options, "mechanics", self._linearize)
        self.newton = Newton(self.system, self._update, solver)
        self.damage_viscosity = damage_viscosity
        self.state = StateSet(unknowns + [f for r in self.regions.values() for f in r.persistent()]
                              + [f for i in self.interfaces.values() for f in i.history.persistent()])
        self._samples = None
        self._update()

    # ------------------------------------------------------------------ fields for outputs
    def displacement(self, tag: int):
        """u of region ``tag`` (its field)."""
        return self.fields[self.field_of[tag]]

    def _piecewise(self, values: Mapping):
        """UFL Σ_regions [χ_region > ½] value_region: each region's value on its own cells only.
        A region's field spans the whole mesh and is only solved for on that region (and its
        interfaces), so its value off the region is not a number to multiply by χ = 0: a
        finite-strain stress of a neighbour's cells there can be NaN (det F ≤ 0), and 0·NaN is
        NaN (the coated case's particle von Mises was, from X = 9 %, at finite strain)."""
        return sum(ufl.conditional(ufl.gt(self.indicators[tag], 0.5), value,
                                   ufl.zero(value.ufl_shape))
                   for tag, value in values.items())

    @property
    def stress(self):
        """UFL stress over all regions, σ_region on each region's cells (committed where
        plastic)."""
        return self._piecewise({tag: region.committed_stress()
                                for tag, region in self.regions.items()})

    @property
    def plastic(self) -> dict:
        """Region tag → material of every region with an equivalent plastic strain p."""
        return {tag: region for tag, region in self.regions.items() if region.p is not None}

    @property
    def equivalent_plastic_strain(self):
        """UFL equivalent plastic strain p over all regions (0 where elastic)."""
        zero = fem.Constant(self.mesh, PETSc.ScalarType(0.0))
        return sum((region.p for region in self.plastic.values()), zero)

    def set_material(self, tag: int, material) -> None:
        """New E, ν (and σ_Y of a plastic region) for region ``tag``; nothing recompiles."""
        self.regions[tag].set_material(material)

    # ------------------------------------------------------------------ solving
    def _update(self) -> None:
        with STOPWATCH.section("constitutive"):
            for region in self.plastic.values():
                region.update()

    def _linearize(self) -> None:
        with STOPWATCH.section("constitutive"):
            for region in self.plastic.values():
                region.linearize()

    def _commit(self) -> None:
        for region in self.regions.values():
            region.commit()
        for interface in self.interfaces.values():
            interface.history.commit()

    def solve(self, max_iterations: Optional[int] = None,
              step_time: Optional[float] = None) -> NewtonResult:
        """Equilibrium for the current loads (``step_time`` [s]: the step's Δt, for viscous
        damage). On failure nothing is committed; without interfaces the fields are back at
        their start, with interfaces the caller restores a ``state.copy()`` taken before."""
        for field, dofs, value in self._prescribed:
            field.x.array[dofs] = value.value
        if not self.interfaces:
            result = self.newton.solve(max_iterations)
            if result.converged:
                self._commit()
            return result
        return self._damage_rounds(max_iterations, step_time)

    def _damage_rounds(self, max_iterations, step_time) -> NewtonResult:
        """Lagged damage rounds (module docstring). ``iterations`` / ``factorizations`` of the
        result are the largest of one round, ``staggers`` the number of rounds."""
        most, factorized, residuals = 0, 0, []
        self.system.forget_factorization()  # a step's path depends on its start state alone
        eta, limit = self.damage_viscosity, self.solver.max_damage_rounds
        relaxation = 1.0 if step_time is None else step_time / (eta + step_time)
        reason = f"damage did not converge in {limit} rounds"
        settling = False  # this round solves to the full tolerances
        interfaces = list(self.interfaces.values())
        for stagger in range(1, limit + 1):
            result = (self.newton.solve(max_iterations) if settling
                      else self.newton.lazy_correction())
            most, residuals = max(most, result.iterations), residuals + result.residuals
            factorized = max(factorized, result.factorizations)
            if not result.converged:
                reason = result.reason
                break
            with STOPWATCH.section("constitutive"):
                changes = [interface.update_damage(relaxation) for interface in interfaces]
            small = max(changes, default=0.0) < self.solver.damage_tolerance
            if small and settling:
                self._commit()
                return NewtonResult(True, most, residuals, staggers=stagger,
                                    factorizations=factorized)
            settling = small
        return NewtonResult(False, most, residuals, reason, staggers=stagger,
                            factorizations=factorized)

    def damage_lag(self) -> float:
        """Largest |d(κ) − d| over the interfaces after the last damage update (0 without)."""
        return max((i.history.lag() for i in self.interfaces.values()), default=0.0)

    def refresh(self) -> None:
        """After the fields were set from outside: the next correction factorises afresh and
        the return mapping is evaluated at the restored fields."""
        self.system.forget_factorization()
        self._update()

    # ------------------------------------------------------------------ sampling
    def quadrature_samples(self) -> Samples:
        """Committed stress, von Mises, p, coordinates and region of every owned quadrature point."""
        if self._samples is None:
            self._samples = self._sample_targets()
        values = {}
        for name, (target, expr) in self._samples.items():
            compat.interpolate_expression(target, expr)
            dofmap = target.function_space.dofmap
            owned = dofmap.index_map.size_local
            values[name] = target.x.array.reshape(-1, dofmap.index_map_bs)[:owned].copy()
        return Samples(values["x"], values["region"].ravel(), values["stress"],
                       values["von_mises"].ravel(), values["p"].ravel(),
                       values["strain"].reshape(-1, 3, 3))

    def _sample_targets(self) -> dict:
        """name → (quadrature function, compiled expression) of the sampled fields."""
        mesh, chi, model = self.mesh, self.indicators, self.model
        fields = {
            "x": (ufl.SpatialCoordinate(mesh), (model.gdim,)),
            "region": (sum(tag * chi[tag] for tag in chi), ()),
            "stress": (model.to_components(self.stress), (model.stored_components,)),
            "von_mises": (von_mises(self.stress), ()),
            "p": (self.equivalent_plastic_strain, ()),
            "strain": (self._piecewise({tag: self.kinematics.strain_measure(self.displacement(tag))
                                        for tag in chi}), (3, 3)),
        }
        targets = {}
        for name, (value, shape) in fields.items():
            target = fem.Function(compat.quadrature_space(mesh, self.quadrature_degree, shape))
            targets[name] = (target, compat.expression(value, target.function_space))
        return targets
