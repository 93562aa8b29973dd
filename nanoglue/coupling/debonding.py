"""When debonding starts and when it is complete (docs/model.md), found
between the accepted steps of a run from their interface states (``run.StepState``)."""

from __future__ import annotations

import math

from nanoglue.config import Case

CONTACT = "particle_substrate"  # the interface whose completion means the particle is off


def _crossing(before: float, after: float, x_before: float, x_after: float, level: float):
    """X where a quantity rising from ``before`` to ``after`` reaches ``level`` (linear in X)."""
    if after < level or before >= level:
        return None
    return x_before + (level - before) / (after - before) * (x_after - x_before)


def track_debonding(onset: dict, complete: dict, previous, state, case: Case) -> None:
    """Onset: debonded arc ≥ ℓ; complete (the contact): bonded arc < ℓ, i.e. the debond front
    has reached the axis and nothing of the contact is left, ℓ = interfaces.onset_arc_length.
    Both interpolated linearly in X between steps (``previous``: the last step's state or
    None) and entered once into ``onset`` / ``complete`` (interface → X [%])."""
    x_before = previous.expansion_percent if previous else 0.0
    x_after = state.expansion_percent
    length = case.interfaces.onset_arc_length
    for name, now in state.interfaces.items():
        before = previous.interfaces[name].debonded_arc_nm if previous else 0.0
        hit = _crossing(before, now.debonded_arc_nm, x_before, x_after, length)
        if hit is not None and name not in onset:
            onset[name] = hit
    contact = state.interfaces.get(CONTACT)
    if contact is not None and CONTACT not in complete:
        whole_arc = contact.bonded_arc_nm + contact.debonded_arc_nm
        before = previous.interfaces[CONTACT].bonded_arc_nm if previous else whole_arc
        hit = _crossing(-before, -contact.bonded_arc_nm, x_before, x_after, -length)
        if hit is not None:
            complete[CONTACT] = hit


def approaching_onset(state, onset: dict) -> bool:
    """Some interface is damaged (d > 0 somewhere) but has not reached its debonding onset."""
    return any(now.damaged_area_fraction > 0.0 and name not in onset
               for name, now in state.interfaces.items())


def debond_advanced(previous, state, every_percent: float) -> bool:
    """Some interface's debonded arc fraction passed a multiple of ``every_percent`` [% of its
    arc] between ``previous`` (None: the start, all bonded) and ``state``; never for 0."""
    if every_percent <= 0.0:
        return False
    def level(fraction: float) -> int:
        return math.floor(100.0 * fraction / every_percent + 1e-12)
    return any(level(now.debonded_arc_fraction) > level(
        previous.interfaces[name].debonded_arc_fraction if previous else 0.0)
        for name, now in state.interfaces.items())
