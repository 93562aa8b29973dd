"""Typed description of one simulation case (the YAML schema).

Units everywhere: length nm, stress GPa, time s, so energy per area is GPa·nm = J/m² and the
paper's toughness values (0.5, 20 J/m²) are the numbers 0.5 and 20; diffusivity nm²/s.
Concentration c is normalised: c = 1 is fully sodiated Na15Sn4 (3.75 Na per Sn).
Volume expansion is given in percent of the pristine particle volume (β·mean(c)·100).

Defaults are the paper's values (Han et al., Nano Lett. 2014, SI "Simulation method and
parameters") where the paper gives them; the others are documented leads from design.md §8 and
are calibrated in docs/calibration.md. The geometry section and its mesh settings are in
``config_geometry``, the base shared by every section in ``config_base``.
"""

from __future__ import annotations

from typing import Annotated, Literal, Optional, Union

from pydantic import BaseModel, Field, model_validator

from nanoglue.case_checks import check_case
from nanoglue.config_base import Length, Section
from nanoglue.config_geometry import Geometry


class _SectionOfDefaults(Section):
    """A section whose entries have their own defaults (per material, per interface).

    A partial entry in YAML (``particle_substrate: {strength: 2.0}``) changes only the keys it
    names; the rest keep that entry's documented defaults instead of becoming required.
    """

    @model_validator(mode="before")
    @classmethod
    def _fill_from_defaults(cls, data):
        if not isinstance(data, dict):
            return data
        merged = dict(data)
        for name, field in cls.model_fields.items():
            given, default = data.get(name), field.default
            if isinstance(given, dict) and isinstance(default, BaseModel):
                merged[name] = {**default.model_dump(exclude_unset=True), **given}
        return merged


DEFAULT_FRONT_LENGTH = 7.0  # [nm] docs/calibration.md: resolved by 4 nm particle elements


# -------------------------------------------------------------------------------- materials
class ElasticMaterial(Section):
    young: Length = Field(description="Young's modulus E [GPa].")
    poisson: float = Field(0.3, gt=-1.0, lt=0.5, description="Poisson ratio ν [-].")
    yield_stress: Optional[Length] = Field(
        None, description="J2 yield stress σY [GPa] (perfect plasticity); null: linear elastic."
    )


class Materials(_SectionOfDefaults):
    particle: ElasticMaterial = Field(
        ElasticMaterial(young=30.0, poisson=0.3, yield_stress=2.0),
        description="Sodiated Sn: E 30 GPa, σY 2 GPa (paper); ν not given.",
    )
    substrate: ElasticMaterial = Field(
        ElasticMaterial(young=200.0, poisson=0.3),
        description="Carbon nanofiber: E 200 GPa, linear elastic (paper); ν not given.",
    )
    coating: ElasticMaterial = Field(
        ElasticMaterial(young=100.0, poisson=0.3),
        description="Na–Al–O: E 100 GPa, linear elastic (paper); the paper calls it ductile, so "
        "a yield stress may be given.",
    )
    coating_conversion_strain: float = Field(
        0.0, ge=0.0, description="Volumetric swelling of the coating on conversion to Na–Al–O [-]."
    )
    coating_strength: Optional[Length] = Field(
        None, description="von Mises stress [GPa] above which the summary flags the coating."
    )
    coating_survived_strain: float = Field(
        0.30, gt=0.0, description="Tensile strain [-] the Na–Al–O coating was seen to survive "
        "without fracture (in-situ TEM, paper: ~30 %); a run whose coating's largest principal "
        "strain goes beyond is flagged (coating fracture is not modelled).",
    )

    def region(self, name: str) -> ElasticMaterial:
        """The material of the region ``name`` (particle, substrate, coating)."""
        return getattr(self, name)


# ------------------------------------------------------------------------------- interfaces
class CohesiveLaw(Section):
    law: Literal["bilinear", "exponential"] = Field(
        "bilinear",
        description="'bilinear': penalty stiffness K, strength σc, toughness Gc; 'exponential': "
        "σc and Gc only (initial stiffness e²σc²/Gc).",
    )
    toughness: Length = Field(description="Fracture energy Gc [J/m² = GPa·nm].")
    strength: Length = Field(description="Cohesive strength σc [GPa].")
    stiffness: Optional[Length] = Field(
        None, description="Initial penalty stiffness K [GPa/nm] (bilinear; default 100)."
    )
    shear_strength: Optional[Length] = Field(
        None,
        description="Mode-II (shear) strength τc [GPa] (default: σc). Weights the sliding in "
        "the effective opening δ = √(⟨δn⟩₊² + β²δt²), β = τc/σc; Gc is the same in both modes.",
    )
    residual_stiffness: Optional[float] = Field(
        None,
        ge=0.0,
        lt=1.0,
        description="Stiffness r kept by a fully damaged interface, as a fraction of K [-]; "
        "null: r·K·κ₉₉ = 1e-3 σc, i.e. the floor carries 0.1 % of the strength at the opening "
        "κ₉₉ where the law has spent 99 % of Gc (1e-5 for the default Sn/CNF law).",
    )



class Interfaces(_SectionOfDefaults):
    model: Literal["cohesive", "bonded"] = Field(
        "cohesive",
        description="'cohesive': every interface can open (the paper's model); 'bonded': all "
        "regions share one displacement (no debonding; stresses and swelling only).",
    )
    particle_substrate: CohesiveLaw = Field(
        CohesiveLaw(toughness=0.5, strength=1.0, shear_strength=0.9),
        description="Sn/CNF: Gc 0.5 J/m² (paper); σc, τc not given (σc 1 GPa: design.md §8b "
        "lead; τc 0.9 GPa: fitted to the paper's bare completion — docs/calibration.md).",
    )
    particle_coating: CohesiveLaw = Field(
        CohesiveLaw(toughness=20.0, strength=3.0),
        description="Sn/ALD: Gc 20 J/m² (paper); σc not given.",
    )
    coating_substrate: CohesiveLaw = Field(
        CohesiveLaw(toughness=20.0, strength=3.0),
        description="CNF/ALD: Gc 20 J/m² (paper); σc not given.",
    )
    debonded_criterion: Literal["energy", "damage"] = Field(
        "energy",
        description="When a point counts as debonded (onset, complete, held): 'energy' — its "
        "law has spent 99 % of Gc (κ ≥ κ₉₉; near δf for the bilinear law); 'damage' — its "
        "secant damage d ≥ debonded_damage (d = 0.99 is reached with half of Gc unspent).",
    )
    debonded_damage: float = Field(
        0.99, gt=0.0, le=1.0,
        description="Damage d at which a point counts as debonded with debonded_criterion "
        "'damage' [-].",
    )
    onset_arc_length: Length = Field(
        1.0, description="Debonded arc length that marks debonding onset [nm]."
    )
    damage_viscosity: Optional[float] = Field(
        None, ge=0.0,
        description="Relaxation time η [s] of the viscous damage law ḋ = (d(κ) − d)/η at every "
        "step (it spreads an unstable debonding event over η, and delays all damage: "
        "docs/model.md). null (default): rate-independent d = d(κ), and at a stall (a refused "
        "step cut below solver.min_step_percent) the viscous law with η = "
        "damage_relaxation_percent / |dX/dt| until d has caught up with d(κ); 0: "
        "rate-independent throughout (a stall stops the run).",
    )
    damage_relaxation_percent: Length = Field(
        0.02,
        description="η of the stall relief as the volume expansion it takes [% of X]: η = this "
        "/ |dX/dt|, |dX/dt| = 100·β·(C-rate)/3600 [%/s] (0.857 s at C/5), the same "
        "regularisation at every C-rate; used when damage_viscosity is null.",
    )

    def viscosity(self, expansion_rate: float) -> tuple[float, Optional[float]]:
        """(η of every step, η of the stall relief or None) [s] at |dX/dt| =
        ``expansion_rate`` [%/s] (η = 0: rate-independent)."""
        if self.damage_viscosity is not None:
            return self.damage_viscosity, None
        return 0.0, self.damage_relaxation_percent / expansion_rate

    def laws(self) -> dict[str, CohesiveLaw]:
        """Interface name → its cohesive law (the fields of type CohesiveLaw)."""
        return {name: getattr(self, name) for name, field in type(self).model_fields.items()
                if field.annotation is CohesiveLaw}


# -------------------------------------------------------------------------------- sodiation
class TwoStageDiffusivity(Section):
    """D(c) = D_lo + (D_hi − D_lo)·½[1 + tanh((c − c1)/w)]: slow pristine Sn ahead of a sharp
    first-stage front, fast Na_xSn behind it (Fig 5b, f), front-free stage 2.

    D_lo is given directly (``low``) or, by default, through the front's precursor length
    ℓ_f (``front_length``): D_lo = ℓ_f·j/c1 at the run's entry flux density j, so the first-stage
    front has the same thickness on every entry route and a mesh finer than ℓ_f resolves it.
    Why: only D·t/R² is identifiable, and with one fixed D_lo the front on the contact route
    (j ≈ 0.02 nm/s) is ~11× thinner than on the whole surface — 0.07 nm for D_lo = 0.01,
    unresolvable, and what the swelling front then drives scatters with the mesh
    (docs/calibration.md). D_hi·t_charge/R² = 300 makes stage 2 nearly uniform (R = 90 nm, C/5).
    """

    model: Literal["two-stage"] = Field('two-stage', description="How D depends on c: two-stage (pristine-Sn plateau, then fast), constant, or zhu (Zhu et al.).")
    low: Optional[Length] = Field(
        None, description="D below the first-stage plateau (pristine Sn) [nm²/s]; when given, "
        "front_length is not used."
    )
    front_length: Optional[Length] = Field(
        DEFAULT_FRONT_LENGTH, description="Precursor length ℓ_f of the first-stage front [nm]: "
        "D_lo = ℓ_f·j/c1 at the entry flux density j (used when low is not given)."
    )
    high: Length = Field(135.0, description="D above the plateau (Na_xSn) [nm²/s].")
    plateau: float = Field(
        0.5 / 3.75, gt=0.0, lt=1.0, description="First-stage concentration c1 (x = 0.5) [-]."
    )
    width: float = Field(0.003, gt=0.0, lt=1.0, description="Width w of the tanh switch in c [-].")

    @model_validator(mode="before")
    @classmethod
    def _low_or_front_length(cls, data):
        """A given low wins (front_length then None); front_length null without low: default."""
        if not isinstance(data, dict):
            return data
        if data.get("low") is not None:
            return {**data, "front_length": None}
        if data.get("front_length") is None:
            return {**data, "front_length": DEFAULT_FRONT_LENGTH}
        return data


class ConstantDiffusivity(Section):
    model: Literal["constant"] = Field('constant', description="How D depends on c: two-stage (pristine-Sn plateau, then fast), constant, or zhu (Zhu et al.).")
    value: Length = Field(135.0, description="Diffusivity D [nm²/s].")


class ZhuDiffusivity(Section):
    model: Literal["zhu"] = Field('zhu', description="How D depends on c: two-stage (pristine-Sn plateau, then fast), constant, or zhu (Zhu et al.).")
    d0: Length = Field(1.0, description="D0 in D0·[1/(1−c) − 2αc] [nm²/s].")
    alpha: float = Field(2.5, ge=0.0, description="Interaction parameter α [-].")
    cap: Length = Field(500.0, description="Upper cap on D [nm²/s].")
    floor: Length = Field(1e-3, description="Lower cap on D [nm²/s] (the bracket may go negative).")


Diffusivity = Annotated[
    Union[TwoStageDiffusivity, ConstantDiffusivity, ZhuDiffusivity], Field(discriminator="model")
]


class InitialConcentration(Section):
    value: float = Field(0.0, ge=0.0, lt=1.0, description="Initial concentration c0 [-].")
    core_radius: Optional[Length] = Field(
        None, description="If set, c = c0 only for r < core_radius (distance from centre) [nm]."
    )


class Sodiation(Section):
    route: Literal["substrate-interface", "whole-surface", "through-coating"] = Field(
        "substrate-interface",
        description="Where Na enters: through the particle/substrate contact (in-situ TEM, "
        "Fig 5a–d), the whole bare surface (liquid electrolyte, S10), or through the coating.",
    )
    through_contact: bool = Field(
        False,
        description="Routes whole-surface and through-coating: Na also enters through the "
        "particle/substrate contact (the CNF conducts Na, as in the in-situ cell), with the same "
        "flux density; the sodiated shell then wraps the whole core (Fig 5f, S10).",
    )
    c_rate: Length = Field(0.2, description="Charge rate [1/h]; C/5 in the paper.")
    expansion: Length = Field(4.2, description="Volumetric expansion β at c = 1 [-] (420 %).")
    diffusivity: Diffusivity = TwoStageDiffusivity()
    coating_diffusivity: Optional[Length] = Field(
        None,
        description="Na diffusivity of the converted coating [nm²/s] (route through-coating). "
        "None: the fast-coating limit, a uniform flux on the particle/coating interface. A "
        "value: Na enters at the coating's outer surface (over the substrate too) and diffuses "
        "through the coating into the particle; Na in transit in the coating is not the "
        "particle's charge.",
    )
    coating_storage: float = Field(
        0.01,
        gt=0.0,
        le=1.0,
        description="Na a conducting coating holds in transit per volume at a given c, relative "
        "to Sn [-] (with coating_diffusivity): s in s·∂c/∂t = ∇·(D_coat ∇c). Not given by the "
        "paper; small, since the coating conducts rather than stores (its conversion Na is "
        "separate). s → 0 with a fast coating recovers the fast limit.",
    )
    initial: InitialConcentration = InitialConcentration()
    stop_expansion_percent: Length = Field(
        70.0, description="Sodiation stops at this volume expansion β·mean(c) [%]."
    )
    desodiate: bool = Field(False, description="After sodiation, desodiate until surface c = 0.")
    cycles: int = Field(1, ge=1, description="Number of sodiation (+ desodiation) half-cycle pairs.")


# ----------------------------------------------------------------------------- solver/output
PetscValue = Union[str, int, float, bool, None]


class Solver(Section):
    element_degree: Literal[1, 2] = Field(2, description="Lagrange degree of the displacement.")
    newton_rtol: Length = Field(1e-10, description="Newton relative residual tolerance [-].")
    newton_atol: Length = Field(
        1e-6, description="Newton absolute tolerance on the residual norm [GPa·nm², i.e. nN per "
        "radian of the axisymmetric model]; round-off of the assembled residual is ~1e-9."
    )
    newton_max_iterations: int = Field(25, ge=1, description="Newton iterations per solve.")
    first_step_percent: Length = Field(0.1, description="First volume-expansion step [%].")
    max_step_percent: Length = Field(
        0.5, description="Largest volume-expansion step [%] (the bare completion moves 2.4 "
        "points from 2 % to 0.5 % steps, 0.3 from 0.5 % to 0.25 %: docs/calibration.md)."
    )
    min_step_percent: Length = Field(1e-3, description="Smallest step before a clean stop [%].")
    onset_step_percent: Optional[Length] = Field(
        None, description="Largest step while an interface is damaged (d > 0) but its debonding "
        "onset has not happened yet, so that onset is resolved to this [%]; null: no cap (it "
        "costs many small steps when damage starts long before onset, as under a coating)."
    )
    max_plastic_increment: Length = Field(
        0.25, description="Largest equivalent plastic strain increment in a step (anywhere, the "
        "contact rim included) above which the next step is shrunk [-]."
    )
    damage_tolerance: Length = Field(
        0.02, description="Staggered damage iterations stop when max |Δd| falls below this [-]."
    )
    max_damage_rounds: int = Field(
        200, ge=1, description="Damage rounds per step before the step is refused and cut [-]; "
        "an unstable debonding event (snap-through) can need ~100 at a fixed load."
    )
    petsc_options: dict[str, PetscValue] = Field(
        default_factory=lambda: {
            "ksp_type": "preonly",
            "pc_type": "cholesky",
            "pc_factor_mat_solver_type": "mumps",
        },
        description="PETSc options for the linear solves (passed through verbatim). Default: "
        "MUMPS LDLᵀ (the operators are symmetric; 1.5× faster than LU on the coated case).",
    )


class MechanicsModel(Section):
    kinematics: Literal["small", "finite"] = Field(
        "small", description="Strain measure of the bulk: small (ε = sym ∇u, the paper's "
        "model) or finite (F = Fe·Fp·Fc, Hencky elasticity with J2 in Kirchhoff stress, total "
        "Lagrangian, cohesive interfaces in the mid-plane's current frame, Na transport pulled "
        "back: docs/model.md). The paper table is calibrated at small strain.",
    )
    pressure: Literal["displacement", "mixed"] = Field(
        "displacement", description="Finite-strain J2 regions: displacement only, or mixed "
        "(a continuous P1 pressure per plastic region beside P2 u: no volumetric locking of "
        "the isochoric plastic flow; docs/model.md). Needs kinematics: finite.")

    @model_validator(mode="after")
    def _mixed_needs_finite_strain(self) -> "MechanicsModel":
        if self.pressure == "mixed" and self.kinematics != "finite":
            raise ValueError("pressure: mixed needs kinematics: finite")
        return self


class Output(Section):
    directory: Optional[str] = Field(
        None, description="Output directory; default results/<case name>. `-o` overrides."
    )
    snapshot_every_percent: Length = Field(5.0, description="VTK snapshot interval [% expansion].")
    snapshot_at_percent: list[Annotated[float, Field(ge=0)]] = Field(
        default_factory=list, description="Extra volume expansions [%] with a snapshot."
    )
    snapshot_every_debonded_percent: float = Field(
        10.0, ge=0.0, le=100.0, description="Snapshots also where debonding moves: at the step "
        "where an interface's debonded share of its arc passes each multiple of this [% of the "
        "arc] (the bare contact goes from 0 to 80 % within 4 % expansion); 0: none.",
    )
    checkpoint_every_steps: int = Field(
        25, ge=0, description="A checkpoint (checkpoint/ in the output directory: what `nanoglue "
        "run --resume` goes on from) every N accepted steps [steps], besides one at every "
        "snapshot and one when a signal stops the run; 0: snapshots and signals only.",
    )


# ------------------------------------------------------------------------------------ case
class Case(Section):
    """One simulation: geometry, materials, interfaces, mechanics, sodiation, solver, output."""

    name: str = Field("case", min_length=1, description="Case name (default: the file's stem).")
    description: str = Field("", description="Free text shown in the summary.")
    geometry: Geometry = Geometry()
    materials: Materials = Materials()
    interfaces: Interfaces = Interfaces()
    mechanics: MechanicsModel = MechanicsModel()
    sodiation: Sodiation = Sodiation()
    solver: Solver = Solver()
    output: Output = Output()

    @model_validator(mode="before")
    @classmethod
    def _unsymmetric_jacobian_factors_with_lu(cls, data):
        """At finite strain the cohesive interfaces' frame turns with the deformation, so the
        Jacobian is not symmetric and LDLᵀ (the default) would factor half of it: unless
        solver.petsc_options is given, the default becomes MUMPS LU (written to case.yaml)."""
        if not isinstance(data, dict) or not isinstance(data.get("mechanics"), dict):
            return data
        solver = data.get("solver", {})
        if data["mechanics"].get("kinematics") != "finite" or not isinstance(solver, dict) \
                or "petsc_options" in solver:
            return data
        lu = {**Solver().petsc_options, "pc_type": "lu"}
        return {**data, "solver": {**solver, "petsc_options": lu}}

    @model_validator(mode="after")
    def _consistent(self) -> "Case":
        check_case(self)
        return self

    @property
    def has_coating(self) -> bool:
        return self.geometry.coating is not None

    @property
    def has_substrate(self) -> bool:
        return self.geometry.substrate.kind != "none"
