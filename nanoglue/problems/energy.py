"""The energy budget of a mechanics problem, step by step: two balances that close on their own.

With σ = C:(ε − ε* − ε^p) in every region and the interface tractions T, equilibrium tested with
the step's own increment Δu gives ∫σ:Δε dV = −Σ_Γ ∫ T·Δ[[u]] dA + W_ext. Splitting Δε:

bulk        W* + W_ext = ΔΨ_el + ΔD_p + W_Γ,
            W*   = −∫ σ̄ : Δε* dV          work of the eigenstrain (swelling, the coating's
                                           conversion): positive when a swelling body is held
            Ψ_el = ∫ ½ σ : C⁻¹ : σ dV      stored elastic energy
            D_p  = ∫ σ̄ : Δε^p dV          plastic dissipation
            W_Γ  = Σ_Γ ∫ T̄ · Δ[[u]] dA     work done on the interfaces

interface   W_Γ = ΔΨ_bonded + ΔΨ_residual + ΔΨ_contact + D_d,
            ψ split as in ``interfaces.laws`` (bonded, the residual floor's, contact), and
            D_d  = ∫ Y* Δd dA,  Y = −∂ψ/∂d = ½ K0 δ²  the energy damage growth dissipated,
            Y* = ½ K0 δ⁰⊙δ¹ (``laws.step_dissipation``: the ends' product, the release rate
            consistent with the trapezoidal work),
            of which D_law = ∫ D(κ(d)) dA is what a rate-independent law dissipates at the
            same damage (``laws.dissipated_at``: none past the floor) and D_viscous = D_d − D_law
            the surplus of a viscous damage law (≥ 0: it grows d while δ > κ(d)); with a
            rate-independent law D_viscous is the time discretisation's share of D_d.

At finite strain (``materials.hencky``; per reference volume, τ = Jc τe the Kirchhoff stress,
ψ(εe) per swollen volume) the bulk terms are

            W*   = ∫ ∫ (Jc ψ − tr τ/3) d ln Jc dV₀   the swelling's work: the pressure's, and the
                                                   energy the added volume brings (O(ε²) at small
                                                   strain, where it is left out)
            Ψ_el = ∫ Jc ψ(εe) dV₀,   D_p = ∫ ∫ Jc σ_Y dp dV₀,

from P:Ḟ = d(Jc ψ)/dt − ψ dJc/dt + Jc σ_Y ṗ + (tr τ/3) d ln Jc/dt; each material returns its
three densities (``energy_densities``), so this module is the same for both kinematics. An
interface's ψ is per current area and its frame (B's normal, the area ratio a = da/dA) moves
with the deformation, while the weak form carries the traction alone, T₀ = a T(δn, s): so
d(ψ a) = T₀·d[[u]] + (dψ a)|_[[u]] fixed + (damage), and the interface balance gains

            W_frame = Σ_Γ ∫ Σ_steps ½ Σ_{k=n,n+1} [ψ a](j_k, d_k; frame_{n+1})
                                               − [ψ a](j_k, d_k; frame_n) dA₀,

the work of the frame's turning and stretching, by the trapezoidal rule over the step's two
end states (``CohesiveInterface.stored_in_frame``; for ψ quadratic in the jump its split from
the trapezoidal traction work leaves −¼ Δj·∂²T/∂j∂frame·Δframe·Δj, third order):
W_Γ + W_frame = ΔΨ + D_d. The ends, not the mid jump and damage (j̄, d̄): where a point's
damage runs from 0 to ~1 within a step, ψ(j̄, d̄) is no state the point passed through (a
factor 2.5 off for j₁ = 5j₀, d₁ = 0.9) — the finite bare case's onset steps credited 50 aJ
instead of the 10.5 aJ that steps four times smaller converge to (the ends: 9.0 aJ). It is the
energy the traction-only weak form leaves out — what a potential ∫ψ a dA₀ differentiated in
full would put into the bulk's equilibrium — and 0 at small strain.

x̄ = ½(x_n + x_{n+1}): the trapezoidal rule over each accepted step. What each residual tests:
the bulk one the time discretisation of the eigenstrain and plastic work against the stored
energy, through equilibrium (it is independent of the interface accounts but for W_Γ); the
interface one is zero pointwise wherever ψ is quadratic over the step (Y* is built so), so it
shows what is not: contact switching, δn changing sign, and a traction that is not ∂ψ/∂[[u]].
Clamps fix their components at zero in a run, so W_ext = 0 there and the bulk residual is that
balance's error; with a prescribed non-zero clamp (the two-block tests) the bulk residual is
−W_ext.

Every term is for the whole body: × 2π in axisymmetry (the model's revolution factor), in
aJ = 10⁻¹⁸ J = GPa·nm³. Region and interface integrals are compiled once; a step costs one
assembly of each.
"""

from __future__ import annotations

from dataclasses import dataclass

import ufl
from dolfinx import fem
from mpi4py import MPI

from nanoglue.fem.state import PreviousState
from nanoglue.interfaces.laws import LocalOpening


def _per_reference(density, area_ratio):
    """A density per current area as one per reference area (None: they are the same)."""
    return density if area_ratio is None else area_ratio * density


@dataclass(frozen=True)
class RegionEnergy:
    """One region's share of the bulk balance so far [aJ]."""

    swelling_work: float
    elastic: float
    plastic: float


@dataclass(frozen=True)
class InterfaceEnergy:
    """One interface's balance so far [aJ]: work done on it, what it stores (bonded, residual
    floor, contact), what damage dissipated (law: rate-independent share, viscous: the rest),
    and the balance's residual."""

    work: float
    bonded: float
    residual_floor: float
    contact: float
    dissipated: float
    viscous: float
    frame_work: float
    balance_residual: float


@dataclass(frozen=True)
class EnergyState:
    """The budget after an accepted step: per region, per interface, and the bulk residual."""

    regions: dict
    interfaces: dict
    bulk_residual: float


class EnergyBudget:
    """Trapezoidal energy accounts of ``mechanics`` (module docstring).

    ``regions``: tag → name; ``interfaces``: tag → name; ``functions``/``constants``: what the
    eigenstrains depend on besides the mechanics' own state (the concentration, the coating's
    conversion). ``start()`` opens the accounts at an equilibrium state, ``step()`` after every
    accepted step adds that step."""

    def __init__(self, mechanics, regions: dict, interfaces: dict, functions=(), constants=()):
        self.comm, self._scale = mechanics.comm, mechanics.model.revolution
        self._previous = PreviousState(mechanics.mesh,
                                       list(mechanics.state.functions) + list(functions), constants)
        before = self._previous.previous
        w, dx = mechanics.model.weight, mechanics.dx
        self._regions = {}
        for tag, name in regions.items():
            terms = mechanics.regions[tag].energy_densities(mechanics.eigenstrains[tag], before)
            self._regions[name] = [fem.form(f * w * dx(tag)) for f in terms]
        self._interfaces, self._frame_forms = {}, {}
        for tag, name in interfaces.items():
            interface = mechanics.interfaces[tag]
            law, opening, d = interface.law, interface.opening, interface.history.d("+")
            traction, jump = interface.traction, interface.jump
            opening_before = LocalOpening(*(before(part) for part in (
                opening.normal, opening.sliding, opening.metric)))
            area = interface.area_ratio  # da/dA at finite strain: ψ and D are per current area
            mid = None if area is None else 0.5 * (area + before(area))
            terms = [ufl.dot(0.5 * (traction + before(traction)), jump - before(jump)),
                     *(_per_reference(psi, area) for psi in law.stored_energy(opening, d).values()),
                     _per_reference(law.step_dissipation(opening_before, before(d), opening, d),
                                    mid),
                     _per_reference(law.dissipated_at(d), area)]
            self._interfaces[name] = [fem.form(f * interface.weight * interface.dS) for f in terms]
            now = lambda e: e  # noqa: E731
            ends = [(interface.stored_in_frame(j, now, dd), interface.stored_in_frame(j, before, dd))
                    for j, dd in ((jump, d), (before(jump), before(d)))]
            self._frame_forms[name] = None if ends[0][0] is None else fem.form(  # finite only
                0.5 * sum(new - old for new, old in ends) * interface.weight * interface.dS)
        self._work = {name: 0.0 for name in [*self._regions, *self._interfaces]}
        self._plastic = {name: 0.0 for name in self._regions}
        self._damage = {name: 0.0 for name in self._interfaces}
        self._frame = {name: 0.0 for name in self._interfaces}
        self._start = {}

    def _value(self, form) -> float:
        return self._scale * self.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)

    def _stored(self) -> dict:
        """Name → [Ψ_el] of a region, [Ψ_bonded, Ψ_residual, Ψ_contact, D_law] of an interface."""
        stored = {name: [self._value(forms[1])] for name, forms in self._regions.items()}
        stored.update({name: [self._value(f) for f in forms[1:4]] + [self._value(forms[5])]
                       for name, forms in self._interfaces.items()})
        return stored

    def start(self) -> None:
        """Open the accounts at the current (equilibrium) state (collective)."""
        self._start = self._stored()
        self._previous.remember()

    def accounts(self) -> dict:
        """The running sums and the opening state (a checkpoint's share of the budget)."""
        return {"work": dict(self._work), "plastic": dict(self._plastic),
                "damage": dict(self._damage), "frame": dict(self._frame),
                "start": dict(self._start)}

    def resume(self, accounts: dict) -> None:
        """Go on from ``accounts()`` at the current state, which is the one they were taken at
        (collective: remembers the current state as the start of the next step)."""
        self._work, self._plastic = dict(accounts["work"]), dict(accounts["plastic"])
        self._damage, self._start = dict(accounts["damage"]), dict(accounts["start"])
        self._frame = dict(accounts["frame"])
        self._previous.remember()

    def step(self) -> EnergyState:
        """Add the increments of the step since the last call, remember this state, and return
        the accounts (collective)."""
        for name, (swelling, _, plastic) in self._regions.items():
            self._work[name] += self._value(swelling)
            self._plastic[name] += self._value(plastic)
        for name, forms in self._interfaces.items():
            self._work[name] += self._value(forms[0])
            self._damage[name] += self._value(forms[4])
            if self._frame_forms[name] is not None:
                self._frame[name] += self._value(self._frame_forms[name])
        stored, start = self._stored(), self._start
        self._previous.remember()
        regions = {name: RegionEnergy(self._work[name], stored[name][0], self._plastic[name])
                   for name in self._regions}
        interfaces = {}
        for name in self._interfaces:
            bonded, floor, contact, law = stored[name]
            change = bonded + floor + contact - sum(start[name][:3])
            work, frame = self._work[name], self._frame[name]
            interfaces[name] = InterfaceEnergy(
                work, bonded, floor, contact, law, self._damage[name] - law, frame,
                work + frame - change - self._damage[name])
        bulk = sum(r.swelling_work - r.plastic - (r.elastic - start[n][0])
                   for n, r in regions.items()) - sum(i.work for i in interfaces.values())
        return EnergyState(regions, interfaces, bulk)
