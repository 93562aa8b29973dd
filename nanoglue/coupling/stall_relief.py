"""The way through a stall: the viscous damage law switched on where the rate-independent update
cannot follow the path, and the energy each such unstable jump releases."""

from __future__ import annotations

from dataclasses import dataclass, field

from nanoglue.coupling.coupled import CoupledProblem
from nanoglue.coupling.stepping import StepController


@dataclass
class StallRelief:
    """The viscous damage law as the way through a stall (docs/model.md, *Viscous damage*).

    A refused step cut below solver.min_step_percent means the rate-independent update
    d = d(κ) cannot follow the path there (an unstable debonding event). With a relief viscosity
    η_r (``CoupledProblem.retry_viscosity``) the damage law becomes ḋ = (d(κ) − d)/η_r, the steps
    restart at X_r = η_r·|dX/dt| (the expansion of one relaxation time), and the law goes back to
    d = d(κ) after the first accepted step at which d trails d(κ) by less than
    solver.damage_tolerance everywhere (the event is over). Every other step keeps d = d(κ),
    so a run that never stalls is the rate-independent run exactly.

    Each event is kept (``events``) with the energy it released: an unstable jump has no
    quasi-static path, so what the interfaces dissipate beyond their laws' D(κ) while the relief
    is on — the growth of D_viscous (problems.energy) over the event — is the energy the jump
    releases, per interface [aJ].
    """

    problem: CoupledProblem
    on: bool = False
    events: list = field(default_factory=list)
    before: dict = field(default_factory=dict)  # interface → D_viscous when the event started

    def start(self, control: StepController, position: float, energy) -> bool:
        """Switch the viscous law on at a stall at ``position`` [%] (``energy``: the budget
        before it); False: it is on already, or there is none."""
        eta = self.problem.retry_viscosity
        if eta is None or self.on:
            return False
        self.problem.mechanics.damage_viscosity, self.on = eta, True
        control.size = max(eta * self.problem.rate, control.smallest)
        self.before = ({} if energy is None else
                        {name: terms.viscous for name, terms in energy.interfaces.items()})
        self.events.append({"from_percent": position, "to_percent": position, "released_aJ": {}})
        return True

    def accepted(self, state) -> bool:
        """After an accepted step (its ``StepState``): whether it was viscous (the law goes off once
        d has caught up)."""
        if not self.on:
            return False
        event = self.events[-1]
        event["to_percent"] = state.expansion_percent
        if state.energy is not None:
            event["released_aJ"] = {name: terms.viscous - self.before.get(name, 0.0)
                                    for name, terms in state.energy.interfaces.items()}
        mechanics = self.problem.mechanics
        if mechanics.damage_lag() < mechanics.solver.damage_tolerance:
            mechanics.damage_viscosity, self.on = self.problem.damage_viscosity, False
        return True


def jump_note(event: dict) -> str:
    """One line on a stall's relief that is over: where, and the energy the jump released."""
    released = ", ".join(f"{name} {value:.3g} aJ" for name, value in event["released_aJ"].items()
                         if value)
    return (f"unstable debonding traversed from {event['from_percent']:.3f} to "
            f"{event['to_percent']:.3f} %; released (dissipated beyond the laws): "
            f"{released or 'nothing measurable'}")
