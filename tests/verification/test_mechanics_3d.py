"""3-D linear elasticity against Lamé: the bonded core–shell misfit on a 1/8 octant.

The axisymmetric test (``test_mechanics_elastic.test_core_shell_misfit_lame``) solved in 3-D with
the dimension-free mechanics (``Solid3D`` + ``SmallStrain``): an elastic Sn core r < a = 1
(E₁ = 30, ν₁ = 0.3) with the volumetric swelling θ = β c₀ = 4.2 · 0.05, bonded inside a free
elastic shell a < r < b = 1.3 (E₂ = 100, ν₂ = 0.25). Only the octant x, y, z ≥ 0 is meshed
(``octant.octant_core_shell``); the planes x = 0, y = 0, z = 0 hold u_x, u_y, u_z = 0, which
removes every rigid mode (no pin). Lamé, for the linear eigenstrain e* = θ/3:

    p = e* / [(1 − 2ν₁)/E₁ + ((1 − 2ν₂) a³ + (1 + ν₂) b³/2) / (E₂ (b³ − a³))],
    core: σ = −p I;    shell: σ_ρρ = p a³/(b³ − a³) (1 − b³/ρ³),
                             σ_θθ = p a³/(b³ − a³) (1 + b³/(2ρ³)).

Stresses are sampled at the quadrature points of the P2 displacement (solver default) and turned
into spherical components about the origin (σ_ρρ = n·σ·n, σ_θθ = (tr σ − σ_ρρ)/2, n = x/|x|);
errors are normalised by max|σ| = σ_θθ(a) and defined as in the axisymmetric ``core_shell_errors``.

Mesh: 10-node (geometry order 2) tetrahedra, h = 0.045 at the interface ρ = a, growing to 0.075
at ρ = b and to 0.135 inside the core (the core is uniformly hydrostatic): 21 652 cells, 95 520
P2 dofs. Faceted (order-1) spheres do not reach the 1 % with margin at any affordable size: the
misfit eigenstrain jumps across a polyhedral interface, whose edges (presumably) perturb the
stress next to them, and the error there converges only slowly with h (measured, graded as here,
core capped at 0.15, uniform shell at 0.07: interface h = 0.07, 0.05, 0.04, 0.035, 0.03 → 1.5, 1.1,
0.97, 0.93, 0.71 % at 55 k … 224 k dofs, the last factorised in 123 s), while the curved mesh is
at 0.57 % with 95 k dofs.
"""

from dolfinx import fem
from mpi4py import MPI
from petsc4py import PETSc

from nanoglue.config import ElasticMaterial, Solver
from nanoglue.geometry import tags
from nanoglue.kinematics.model import Solid3D
from nanoglue.kinematics.small_strain import SmallStrain
from nanoglue.problems.mechanics import Mechanics
from tests.verification.analytic import core_shell_misfit
from tests.verification.octant import SYMMETRY_PLANES, octant_core_shell, spherical_3d
from tests.verification.test_mechanics_elastic import BETA, A, T, gathered, lame_errors

C0 = 0.05
CORE = ElasticMaterial(young=30.0, poisson=0.3)  # Sn, elastic
SHELL = ElasticMaterial(young=100.0, poisson=0.25)
MESH = {"size": 0.045, "outer_size": 0.075, "core_size": 0.135, "order": 2}  # [nm] (docstring)


def octant_problem(comm=MPI.COMM_WORLD, mesh_options=MESH):
    """Bonded core–shell Mechanics on the octant mesh of ``mesh_options`` (octant_core_shell)."""
    mesh, cell_tags, facet_tags = octant_core_shell(A, A + T, comm=comm, **mesh_options)
    kinematics = SmallStrain(Solid3D(mesh, symmetry_planes=SYMMETRY_PLANES))
    theta = fem.Constant(mesh, PETSc.ScalarType(BETA * C0))  # volumetric swelling of the core
    return Mechanics(kinematics, cell_tags, facet_tags,
                     {tags.PARTICLE: CORE, tags.COATING: SHELL},
                     {tags.PARTICLE: SmallStrain.swelling_strain(theta)}, Solver())


def octant_errors(problem, reference):
    """``lame_errors`` of the octant's quadrature points (spherical about the origin)."""
    samples = problem.quadrature_samples()
    return lame_errors(reference, *gathered(problem.comm, *spherical_3d(samples),
                                            samples.region, samples.stress))


def octant_lame_errors(comm=MPI.COMM_WORLD, mesh_options=MESH):
    """Solve the octant core–shell misfit on ``comm`` (one Newton iteration: it is linear);
    returns its errors against Lamé (relative to max|σ|) and the problem."""
    problem = octant_problem(comm, mesh_options)
    result = problem.solve()
    assert result.converged and result.iterations == 1, result
    reference = core_shell_misfit(A, A + T, CORE.young, CORE.poisson, SHELL.young, SHELL.poisson,
                                  BETA * C0 / 3.0)
    return octant_errors(problem, reference), problem


def test_core_shell_misfit_lame_3d():
    """Shell σρρ, σθθ at its inner and outer radius and the core pressure within 1 % of max|σ|
    in 3-D, in one Newton iteration. Measured: inner σρρ 0.47 %, σθθ 0.29 %; outer σρρ 0.44 %,
    σθθ 0.28 %; whole shell 0.57 %; core pointwise 0.11 %, mean pressure 5e-5 %. 18 s wall on
    this 2-core box, FFCx JIT cached (the MUMPS LDLᵀ factorisation of the 95 520 dofs: 14 s)."""
    errors, _ = octant_lame_errors()
    assert max(errors.values()) < 0.01, errors
