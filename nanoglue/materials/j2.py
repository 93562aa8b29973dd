"""J2 perfect plasticity (small strain): radial return and consistent tangent at quadrature points.

    σ_trial = C:(ε(u) − ε* − ε^p_n)                        elastic predictor (total form, no drift)
    s = dev σ_trial,  σ_eq = √(3/2 s:s),  f = σ_eq − σ_Y
    β = ⟨f⟩₊ / σ_eq,  σ = σ_trial − β s                   return to the yield surface
    Δε^p = β s / (2μ),  Δp = ⟨f⟩₊ / (3μ)                  p: equivalent plastic strain

Consistent tangent (H = 0): with θ = 1 − β = σ_Y/σ_eq and the unit normal N = s/|s|, the returned
deviator θ s = √(2/3) σ_Y N has d(θ s)/dε = 2μθ (I_dev − N⊗N), hence

    C_alg : e = λ tr(e) I + 2μ e − 2μβ dev(e) − 2μ(1 − β)(N:e) N,

which is C where elastic (β = 0 and N stored as 0).

State (quadrature-space functions of the model's stored components): committed stress σ, plastic
strain ε^p (θθ included in axisymmetry) and p; per Newton iterate the returned stress, β and N.
The state lives on the whole mesh and is evaluated on the region's cells only, so it is zero
elsewhere. One fused expression per update evaluates the return once for σ, β and N.

Element choice (tests/verification/test_plasticity_hill.py): P2 displacement with the degree-2
(3-point) rule. On the Hill sphere (a0 = 0.5, R = 0.98, σ_Y = 2 GPa, h = 0.05) the max stress
error / σ_Y in the plastic zone is 25 % (P1, 1-point rule), 33 % (P1, 3-point), 2.4 % (P2); at
h = 0.025 P1 still errs by 13 % / 18 %, P2 by 1.1 %: P1 locks under isochoric plastic flow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import ufl
from dolfinx import fem
from petsc4py import PETSc

from nanoglue.fem import compat
from nanoglue.materials.elastic import ElasticConstants, hooke, small_strain_energy


@dataclass(frozen=True)
class ReturnMapping:
    """UFL results of the radial return: stress, β, normal N and the plastic increments."""

    stress: ufl.core.expr.Expr
    beta: ufl.core.expr.Expr
    normal: ufl.core.expr.Expr
    plastic_strain_increment: ufl.core.expr.Expr
    p_increment: ufl.core.expr.Expr


def radial_return(total_strain, eigenstrain, plastic_strain, constants, yield_stress):
    """J2 perfectly-plastic return: σ = σ_trial − β s, β = ⟨σ_eq − σ_Y⟩₊/σ_eq (module docstring)."""
    trial = hooke(total_strain - eigenstrain - plastic_strain, constants)
    s = ufl.dev(trial)
    norm_s = ufl.sqrt(ufl.inner(s, s))
    excess = ufl.sqrt(1.5) * norm_s - yield_stress
    yielding = ufl.gt(excess, 0.0)
    beta = ufl.conditional(yielding, excess / (ufl.sqrt(1.5) * norm_s), 0.0)
    # The tangent's flow normal also at points ON the yield surface (|f| ≤ 1e-8 σY): every
    # point that yielded in the last step starts the next one there, with f = 0 up to round-off,
    # and a random elastic/plastic choice there would make Newton's path (and the adaptive step
    # sequence) depend on the partition or the LU ordering.
    on_or_outside = ufl.gt(excess, -1e-8 * yield_stress)
    mu = constants.shear
    return ReturnMapping(
        stress=trial - beta * s,
        beta=beta,
        normal=ufl.conditional(on_or_outside, s / norm_s, ufl.zero(3, 3)),
        plastic_strain_increment=beta * s / (2.0 * mu),
        p_increment=ufl.conditional(yielding, excess / (3.0 * mu), 0.0),
    )


def consistent_tangent(e, constants, beta, normal):
    """C_alg : e = λ tr(e) I + 2μ e − 2μβ dev(e) − 2μ(1 − β)(N:e) N."""
    mu = constants.shear
    return (hooke(e, constants) - 2.0 * mu * beta * ufl.dev(e)
            - 2.0 * mu * (1.0 - beta) * ufl.inner(normal, e) * normal)


def _block_size(function: fem.Function) -> int:
    return function.function_space.dofmap.index_map_bs


class J2Plastic:
    """Quadrature state of one yielding region and the compiled expressions that update it."""

    name = "j2"

    def __init__(self, kinematics, u, cells, eigenstrain, mesh, material, quadrature_degree):
        model = kinematics.model
        self._model, self._strain = model, kinematics.strain
        n = model.stored_components
        vector, scalar = (compat.quadrature_space(mesh, quadrature_degree, shape)
                          for shape in ((n,), ()))
        self.constants = ElasticConstants.of(mesh, material)
        self.yield_stress = fem.Constant(mesh, PETSc.ScalarType(material.yield_stress))
        self.stress_state, self.plastic_strain_state = fem.Function(vector), fem.Function(vector)
        self.p = fem.Function(scalar)
        self._stress, self._normal, self._dplastic = (fem.Function(vector) for _ in range(3))
        self._beta, self._dp = fem.Function(scalar), fem.Function(scalar)
        self._cells = np.asarray(cells, dtype=np.int32)
        ret = radial_return(kinematics.strain(u), eigenstrain,
                            model.to_tensor(self.plastic_strain_state), self.constants,
                            self.yield_stress)
        parts = model.to_components
        self._returned = self._fused(mesh, quadrature_degree,
                                     [self._stress, self._beta, self._normal],
                                     [parts(ret.stress), ret.beta, parts(ret.normal)])
        self._increments = self._fused(mesh, quadrature_degree, [self._dplastic, self._dp],
                                       [parts(ret.plastic_strain_increment), ret.p_increment])

    @staticmethod
    def _fused(mesh, degree: int, targets: list, values: list):
        """(function of all values side by side, its expression, [(target, columns)])."""
        scalars = [[v[i] for i in range(_block_size(t))] if _block_size(t) > 1 else [v]
                   for t, v in zip(targets, values)]
        stacked = [item for group in scalars for item in group]
        space = compat.quadrature_space(mesh, degree, (len(stacked),))
        ends = np.cumsum([len(group) for group in scalars])
        columns = [slice(end - len(group), end) for end, group in zip(ends, scalars)]
        return (fem.Function(space), compat.expression(ufl.as_vector(stacked), space),
                list(zip(targets, columns)))

    def _evaluate(self, fused) -> None:
        """Evaluate a fused expression on the region's cells and copy out its targets."""
        function, expression, parts = fused
        compat.interpolate_expression(function, expression, self._cells)
        table = function.x.array.reshape(-1, _block_size(function))
        for target, columns in parts:
            target.x.array[:] = table[:, columns].ravel()

    def update(self) -> None:
        """Return mapping at the current displacement: returned stress, β and N (not committed)."""
        self._evaluate(self._returned)

    def linearize(self) -> None:
        """Nothing more: the tangent is UFL in the β and N of ``update``."""

    def commit(self) -> None:
        """Accept the step: ε^p += Δε^p, p += Δp, σ ← returned stress."""
        self._evaluate(self._increments)
        self.plastic_strain_state.x.array[:] += self._dplastic.x.array
        self.p.x.array[:] += self._dp.x.array
        self.stress_state.x.array[:] = self._stress.x.array

    def stress(self):
        """σ of the current iterate, for the residual."""
        return self._model.to_tensor(self._stress)

    def committed_stress(self):
        """σ of the last accepted step (outputs)."""
        return self._model.to_tensor(self.stress_state)

    def energy_densities(self, eigenstrain, before):
        """``small_strain_energy`` of the committed state, its ε^p included."""
        return small_strain_energy(self.committed_stress(), eigenstrain,
                                   self._model.to_tensor(self.plastic_strain_state),
                                   self.constants, before)

    def tangent(self, du):
        """C_alg : ε(δu) with the β and N of the current iterate, for the Jacobian."""
        return consistent_tangent(self._strain(du), self.constants, self._beta,
                                  self._model.to_tensor(self._normal))

    def set_material(self, material) -> None:
        """New E, ν and σ_Y; nothing recompiles."""
        self.constants.assign(material)
        self.yield_stress.value = material.yield_stress

    def persistent(self) -> list:
        """The functions a step changes for good (for checkpoints and rollback)."""
        return [self.stress_state, self.plastic_strain_state, self.p]
