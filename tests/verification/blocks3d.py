"""Two elastic cubes joined by a cohesive interface, pulled apart through nanoglue's own
``Mechanics`` on ``Solid3D`` — the 3-D twin of tests/verification/cohesive_blocks.py.

Cubes A = [0, L]³ and B = [L, 2L] × [0, L]², L = 10 nm, interface x = L of area L². Each cube
has its own displacement field (the cohesive discretisation of the runs). Loading by prescribed
displacement of B's outer face x = 2L by U·e:

* mode I (e = e_x): A's face x = 0 holds u_x, rollers hold u_y on y = 0 and u_z on z = 0 of
  both cubes: a uniform uniaxial stress state;
* mixed (e at 45° in the x–y plane): both outer faces clamped in all components.

The force P conjugate to U is the interface traction resultant P = ∫_Γ T·e dS: a rigid
translation of B along e is a test function of the discrete problem, so in equilibrium the
support reaction on B equals it exactly.
"""

from __future__ import annotations

import gmsh
import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI
from petsc4py import PETSc

from nanoglue.config import ElasticMaterial, Solver
from nanoglue.fem import compat
from nanoglue.geometry import tags
from nanoglue.geometry.session import gmsh_model
from nanoglue.interfaces.cohesive import local_opening
from nanoglue.kinematics.model import Solid3D
from nanoglue.kinematics.small_strain import SmallStrain
from nanoglue.problems.energy import EnergyBudget
from nanoglue.problems.mechanics import InterfaceSpec, Mechanics

SIDE = 10.0  # nm
A, B, GAMMA = tags.PARTICLE, tags.SUBSTRATE, tags.PARTICLE_SUBSTRATE
X0, X1, Y0, Z0 = 41, 42, 43, 44  # facet tags: x = 0, x = 2L, y = 0, z = 0


def two_cubes_mesh(size: float, comm=MPI.COMM_WORLD):
    """Mesh, cell tags and facet tags of the two cubes (tets of ``size`` nm), built on rank 0."""
    with gmsh_model("two_cubes"):
        if comm.rank == 0:
            occ = gmsh.model.occ
            left, right = occ.addBox(0, 0, 0, SIDE, SIDE, SIDE), occ.addBox(SIDE, 0, 0, SIDE, SIDE, SIDE)
            occ.fragment([(3, left)], [(3, right)])
            occ.synchronize()
            for dim, tag in gmsh.model.getEntities(3):
                x = gmsh.model.occ.getCenterOfMass(dim, tag)[0]
                gmsh.model.addPhysicalGroup(3, [tag], A if x < SIDE else B)
            faces = {GAMMA: [], X0: [], X1: [], Y0: [], Z0: []}
            for dim, tag in gmsh.model.getEntities(2):
                x, y, z = gmsh.model.occ.getCenterOfMass(dim, tag)
                for key, near in ((GAMMA, abs(x - SIDE)), (X0, abs(x)), (X1, abs(x - 2 * SIDE)),
                                  (Y0, abs(y) + 2 * SIDE * (abs(x - SIDE) < 1e-9)),
                                  (Z0, abs(z) + 2 * SIDE * (abs(x - SIDE) < 1e-9))):
                    if near < 1e-9:
                        faces[key].append(tag)
            for key, entities in faces.items():
                gmsh.model.addPhysicalGroup(2, entities, key)
            gmsh.option.setNumber("Mesh.CharacteristicLengthMax", size)
            gmsh.model.mesh.generate(3)
        return compat.mesh_from_gmsh(gmsh.model, comm, 0, gdim=3)


class Cubes:
    """The two-cube problem for one cohesive law (``config.CohesiveLaw``), see the docstring."""

    def __init__(self, law, angle: float = 0.0, size: float = 2.5, young: float = 100.0,
                 poisson: float = 0.3, damage_tolerance: float = 1e-4, comm=MPI.COMM_WORLD,
                 kinematics=SmallStrain):
        mesh, cells, facets = two_cubes_mesh(size, comm)
        self.comm = comm
        radians = np.radians(angle)
        self.direction = np.array([np.cos(radians), np.sin(radians), 0.0])
        self.load = [fem.Constant(mesh, PETSc.ScalarType(0.0)) for _ in range(3)]
        if angle == 0.0:
            clamps = [(X0, 0, A), (X1, 0, B, self.load[0])] + [
                (face, component, region) for face, component in ((Y0, 1), (Z0, 2))
                for region in (A, B)]
        else:
            clamps = [(X0, c, A) for c in range(3)] + [(X1, c, B, self.load[c]) for c in range(3)]
        material = ElasticMaterial(young=young, poisson=poisson)
        solver = Solver(element_degree=1, damage_tolerance=damage_tolerance, max_damage_rounds=500,
                        newton_atol=1e-9)
        self.mechanics = Mechanics(kinematics(Solid3D(mesh)), cells, facets,
                                   {A: material, B: material}, {}, solver,
                                   interfaces={GAMMA: InterfaceSpec("cubes", (A, B), law)},
                                   clamps=clamps)
        interface = self.mechanics.interfaces[GAMMA]
        e = ufl.as_vector(self.direction.tolist())
        self._force = fem.form(ufl.dot(interface.traction, e) * interface.dS)
        u_a, u_b = self.mechanics.displacement(A), self.mechanics.displacement(B)
        jump = (u_b - u_a)("+")
        psi = sum(interface.law.stored_energy(local_opening(jump, interface.normal("+")),
                                              interface.history.d("+")).values())
        dx = ufl.Measure("dx", domain=mesh, subdomain_data=cells,  # P1: σ:ε constant per cell
                         metadata={"quadrature_degree": 2})
        strain = SmallStrain(Solid3D(mesh)).strain
        bulk = sum(0.5 * ufl.inner(self.mechanics.regions[r].stress(), strain(u)) * dx(r)
                   for r, u in ((A, u_a), (B, u_b)))
        self._energy = fem.form(bulk + psi * interface.dS)
        self.budget = EnergyBudget(self.mechanics, {A: "a", B: "b"}, {GAMMA: "cubes"})
        self.budget.start()
        self.energy = None  # the budget's EnergyState after the last step
        self.U, self.P = [0.0], [0.0]

    def _sum(self, form) -> float:
        return self.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)

    def step(self, U: float):
        """Equilibrium at the applied displacement U·e; records (U, P)."""
        for constant, value in zip(self.load, U * self.direction):
            constant.value = value
        result = self.mechanics.solve()
        assert result.converged, (U, result)
        self.U.append(U)
        self.P.append(self._sum(self._force))
        self.energy = self.budget.step()
        return result

    def run(self, path) -> None:
        for U in path:
            self.step(float(U))

    def external_work(self) -> float:
        """W_ext = ∫ P dU (trapezoid)."""
        U, P = np.asarray(self.U), np.asarray(self.P)
        return float(np.sum(0.5 * (P[1:] + P[:-1]) * np.diff(U)))

    def stored_energy(self) -> float:
        """U_el = ½∫σ:ε over both cubes + ∫ψ dS."""
        return self._sum(self._energy)

    def damage(self) -> np.ndarray:
        history = self.mechanics.interfaces[GAMMA].history
        return history.d.x.array[history.vertices]
