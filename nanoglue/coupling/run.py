"""The stepping loop of a run: half-cycles of (de)sodiation, adaptive steps, outputs per step.

Schedule: ``cycles`` times, sodiate up to ``stop_expansion_percent`` and, if ``desodiate``,
desodiate until the entry surface reaches c = 0 (the cut-off) or X = 0. Each accepted step
writes one row of ``curves.csv``; snapshots are written at the requested expansions.
A step that fails is retried smaller; below ``solver.min_step_percent`` the run stops cleanly,
keeping everything written so far, and says where and why.
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass, field

import numpy as np
from mpi4py import MPI

from nanoglue.config import Case
from nanoglue.coupling.coupled import CoupledProblem
from nanoglue.coupling.stepping import StepController, landmarks
from nanoglue.geometry.layout import REGION_NAMES
from nanoglue.timing import STOPWATCH

LANDMARK_TOLERANCE = 1e-9  # [%] of X: a state this close to a landmark is on it
STAGGER_TARGET = 8  # damage rounds per step above which the next step is shrunk


@dataclass
class RunRecord:
    """How the run went, for the summary."""

    status: str = "completed"
    message: str = ""
    steps: int = 0
    rejected_steps: int = 0
    rejections: dict[str, int] = field(default_factory=dict)  # why steps were refused → count
    newton_iterations: int = 0
    cut_offs: list[float] = field(default_factory=list)  # X [%] where desodiation stopped
    peak_von_mises: dict[str, float] = field(default_factory=dict)
    onset: dict[str, float] = field(default_factory=dict)  # X [%] of debonding onset, interface
    complete: dict[str, float] = field(default_factory=dict)  # X [%] no bonded arc is left
    wall_seconds: float = 0.0
    time_split: dict = field(default_factory=dict)  # STOPWATCH.split: assembly, linear solve, ...


def step_row(problem: CoupledProblem, step: int, direction: int, outcome, size: float) -> dict:
    """One ``curves.csv`` row describing the state after an accepted step."""
    comm = problem.comm
    samples = problem.mechanics.quadrature_samples()
    von_mises = samples.von_mises
    c = problem.transport.c.x.array[problem.transport.active]
    row = {
        "step": step,
        "time_s": problem.time,
        "direction": direction,
        "state_of_charge": problem.mean_concentration(),
        "expansion_percent": problem.chemical_expansion(),
        "mechanical_expansion_percent": problem.mechanical_expansion(),
    }
    for tag in problem.regions:
        local = von_mises[np.rint(samples.region).astype(int) == tag]
        name = REGION_NAMES[tag]
        row[f"von_mises_max_{name}_GPa"] = comm.allreduce(np.max(local, initial=0.0), op=MPI.MAX)
    row["plastic_strain_max"] = comm.allreduce(np.max(samples.p, initial=0.0), op=MPI.MAX)
    row["c_min"] = comm.allreduce(np.min(c, initial=np.inf), op=MPI.MIN)
    row["c_max"] = comm.allreduce(np.max(c, initial=-np.inf), op=MPI.MAX)
    row["entry_c_min"] = outcome.entry_c_min
    for name, state in problem.interface_states().items():
        for key, value in state.items():
            if key != "axis_damage" or name == "particle_substrate":
                row[f"{name}_{key}"] = value
    row["newton_iterations"] = outcome.newton.iterations
    row["damage_rounds"] = outcome.newton.staggers
    row["step_percent"] = size
    return row


def half_cycles(case: Case) -> list[int]:
    """Directions of the half-cycles: +1 sodiate, −1 desodiate."""
    one = [1, -1] if case.sodiation.desodiate else [1]
    return one * case.sodiation.cycles


def run_steps(problem: CoupledProblem, case: Case, outputs, progress) -> RunRecord:
    """Step ``problem`` through the schedule; ``outputs.row(row)`` / ``outputs.snapshot(t)``."""
    start, record, step = clock.perf_counter(), RunRecord(), 0
    STOPWATCH.reset()
    s = case.solver
    control = StepController(s.first_step_percent, s.min_step_percent, s.max_step_percent)
    stop = case.sodiation.stop_expansion_percent
    snapshot_marks = set(landmarks(stop, case.output.snapshot_every_percent,
                                   case.output.snapshot_at_percent)) | {0.0}
    outputs.snapshot(problem.time)
    previous = None
    for direction in half_cycles(case):
        target = stop if direction > 0 else 0.0
        position = problem.chemical_expansion()
        marks = sorted(snapshot_marks | {target})
        while direction * (target - position) > LANDMARK_TOLERANCE:
            size = control.propose(position, marks, direction)
            outcome = problem.advance(direction, size)
            if not outcome.accepted:
                reason = _refusal_reason(outcome)
                record.rejected_steps += 1
                record.rejections[reason] = record.rejections.get(reason, 0) + 1
                if control.rejected():
                    if not outcome.cut_off:
                        progress.log(f"step of {size:.3g} % from {position:.3f} % refused "
                                     f"({reason}); retrying with {control.size:.3g} %")
                    continue
                if outcome.cut_off:
                    record.cut_offs.append(position)
                    progress.log(f"desodiation cut-off: entry surface at c = 0 at {position:.3f} %")
                    break
                return _stopped(record, position, outcome, start)
            step += 1
            position = _landed(problem.chemical_expansion(), marks)
            control.accepted(outcome.newton.factorizations)  # the costly part of the effort
            if (outcome.plastic_increment > s.max_plastic_increment
                    or outcome.newton.staggers > STAGGER_TARGET):
                control.size = max(control.size * control.shrink, control.smallest)
            row = step_row(problem, step, direction, outcome, size)
            _track_peaks(record, row)
            if direction > 0:
                _track_debonding(record, previous, row, case)
                if s.onset_step_percent is not None and _approaching_onset(row, record):
                    control.size = min(control.size, s.onset_step_percent)
            previous = row
            record.steps, record.newton_iterations = step, record.newton_iterations + row["newton_iterations"]
            outputs.row(row)
            if position in marks:
                outputs.snapshot(problem.time)
            progress.update(position, _status(row, direction))
            if not problem.held():
                record.status = "detached"
                record.message = (f"the particle came off at {position:.3f} % volume expansion: "
                                  "no interface path to the substrate is left (only the residual "
                                  "stiffness holds it); the run stops here")
                progress.log(record.message)
                break
        if record.status == "detached":
            break
    return _finished(record, start)


def _finished(record: RunRecord, start: float) -> RunRecord:
    record.wall_seconds = clock.perf_counter() - start
    record.time_split = STOPWATCH.split(record.wall_seconds)
    return record


def _landed(position: float, marks: list[float]) -> float:
    """The state's X [%], snapped to a landmark within LANDMARK_TOLERANCE of it.

    X is N_p/V_p of the state: round-off ~10⁻¹⁴ relative in the fast-coating limit, a secant miss
    ≤ coupled.LANDING_TOLERANCE with a conducting coating (rarely more: the next step makes it up).
    """
    near = [m for m in marks if abs(position - m) <= LANDMARK_TOLERANCE]
    return near[0] if near else position


def _status(row: dict, direction: int) -> str:
    verb = "sodiating" if direction > 0 else "desodiating"
    status = (f"{verb} · step {row['step_percent']:.3g} % · Newton {row['newton_iterations']} · "
              f"σvM(Sn) {row.get('von_mises_max_particle_GPa', 0.0):.2f} GPa")
    debonded = row.get("particle_substrate_debonded_area_fraction")
    return status if debonded is None else f"{status} · Sn/substrate debonded {debonded:.0%}"


def _track_peaks(record: RunRecord, row: dict) -> None:
    for key, value in row.items():
        if key.startswith("von_mises_max_"):
            region = key[len("von_mises_max_"):-len("_GPa")]
            record.peak_von_mises[region] = max(record.peak_von_mises.get(region, 0.0), value)


def _crossing(before: float, after: float, x_before: float, x_after: float, level: float):
    """X where a quantity rising from ``before`` to ``after`` reaches ``level`` (linear in X)."""
    if after < level or before >= level:
        return None
    return x_before + (level - before) / (after - before) * (x_after - x_before)


def _track_debonding(record: RunRecord, previous, row: dict, case: Case) -> None:
    """Onset: debonded arc ≥ ℓ; complete (particle_substrate): bonded arc < ℓ, i.e. the
    debond front has reached the axis and nothing of the contact is left, ℓ =
    interfaces.onset_arc_length. Both interpolated linearly in X between rows."""
    x_before = previous["expansion_percent"] if previous else 0.0
    x_after = row["expansion_percent"]
    length = case.interfaces.onset_arc_length
    for key in row:
        if not key.endswith("_debonded_arc_nm"):
            continue
        name = key[:-len("_debonded_arc_nm")]
        before = previous[key] if previous else 0.0
        hit = _crossing(before, row[key], x_before, x_after, length)
        if hit is not None and name not in record.onset:
            record.onset[name] = hit
    bonded = "particle_substrate_bonded_arc_nm"
    if bonded in row and "particle_substrate" not in record.complete:
        whole_arc = row[bonded] + row["particle_substrate_debonded_arc_nm"]
        before = previous[bonded] if previous else whole_arc
        hit = _crossing(-before, -row[bonded], x_before, x_after, -length)
        if hit is not None:
            record.complete["particle_substrate"] = hit


def _approaching_onset(row: dict, record: RunRecord) -> bool:
    """Some interface is damaged (d > 0 somewhere) but has not reached its debonding onset."""
    suffix = "_damaged_area_fraction"
    return any(value > 0.0 and key[:-len(suffix)] not in record.onset
               for key, value in row.items() if key.endswith(suffix))


def _refusal_reason(outcome) -> str:
    """Why a step was not accepted, in a few words."""
    if outcome.cut_off:
        return "desodiation cut-off: entry surface below c = 0"
    return outcome.newton.reason if outcome.newton is not None else "transport"


def _stopped(record: RunRecord, position: float, outcome, start: float) -> RunRecord:
    reason = _refusal_reason(outcome)
    record.status = "stopped"
    record.message = (f"stopped at {position:.3f} % volume expansion: the step fell below "
                      f"solver.min_step_percent ({reason}); results up to there are written")
    return _finished(record, start)

