"""The stepping loop of a run: half-cycles of (de)sodiation, adaptive steps, outputs per step.

Schedule: ``cycles`` times, sodiate up to ``stop_expansion_percent`` and, if ``desodiate``,
desodiate until the entry surface reaches c = 0 (the cut-off) or X = 0. Each accepted step
writes one row of ``curves.csv``; snapshots are written at the requested expansions and at the
step that finds an onset, a completion or the particle coming off.
A step that fails is retried smaller; below ``solver.min_step_percent`` the run stops cleanly,
keeping everything written so far, and says where and why. A stop signal caught by
``interrupt.stop_on_signals`` ends the run the same way at the last accepted step (the step
under way is abandoned), agreed on by every rank.
"""

from __future__ import annotations

import signal
import time as clock
from dataclasses import asdict, dataclass, field
from typing import Optional

import numpy as np
from mpi4py import MPI

from nanoglue.config import Case
from nanoglue.coupling.checkpoint import Place
from nanoglue.coupling.coupled import CoupledProblem
from nanoglue.coupling.debonding import (
    CONTACT, approaching_onset, debond_advanced, track_debonding,
)
from nanoglue.coupling.stall_relief import StallRelief, jump_note
from nanoglue.coupling.stepping import StepController, landmarks
from nanoglue.interrupt import agreed
from nanoglue.problems.energy import EnergyState
from nanoglue.timing import STOPWATCH

LANDMARK_TOLERANCE = 1e-9  # [%] of X: a state this close to a landmark is on it
JUMP_MISS = 1e-3  # a step's interface balance miss, of Gc × the interface area: a jump
STAGGER_TARGET = 8  # damage rounds per step above which the next step is shrunk


@dataclass
class RunRecord:
    """How the run went, for the summary."""

    status: str = "completed"  # or "detached", "stopped", "interrupted"
    message: str = ""
    signum: int = 0  # the signal number of an "interrupted" run
    steps: int = 0
    rejected_steps: int = 0
    rejections: dict[str, int] = field(default_factory=dict)  # why steps were refused → count
    newton_iterations: int = 0
    viscous_steps: int = 0  # steps accepted with the stall relief's viscous law on
    unstable_jumps: list = field(default_factory=list)  # StallRelief.events: where, released
    cut_offs: list[float] = field(default_factory=list)  # X [%] where desodiation stopped
    peak_von_mises: dict[str, float] = field(default_factory=dict)
    peak_coating_strain: Optional[float] = None  # the largest coating_strain_max of any step
    onset: dict[str, float] = field(default_factory=dict)  # X [%] of debonding onset, interface
    complete: dict[str, float] = field(default_factory=dict)  # X [%] no bonded arc is left
    energy: Optional[EnergyState] = None  # the energy budget after the last accepted step
    # balance → [largest |residual| outside jumps, largest |term|, Σ jump misses] [aJ]
    energy_closure: dict = field(default_factory=dict)
    jumps: list = field(default_factory=list)  # steps an interface jumped in (_track_energy)
    # interface → [min D/(Gc·A_debonded), max D/(Gc·A_damaged)] over the steps [-]
    toughness_bounds: dict = field(default_factory=dict)
    wall_seconds: float = 0.0
    time_split: dict = field(default_factory=dict)  # STOPWATCH.split: assembly, linear solve, ...

    @property
    def stalls_relieved(self) -> int:
        """Stalls passed by the viscous damage law (one event each in ``unstable_jumps``)."""
        return len(self.unstable_jumps)




@dataclass(frozen=True)
class StepState:
    """What an accepted step measured (typed; ``row()`` gives its curves.csv columns)."""

    step: int
    time_s: float
    direction: int
    state_of_charge: float
    coating_state_of_charge: float
    expansion_percent: float
    mechanical_expansion_percent: float
    von_mises_max: dict  # region name → max σ_vM [GPa]
    plastic_strain_max: float
    coating_strain_max: Optional[float]  # max principal total strain in the coating (None: none)
    c_min: float
    c_max: float
    entry_c_min: float
    interfaces: dict  # interface name → interfaces.cohesive.InterfaceState
    newton_iterations: int
    damage_rounds: int
    step_percent: float
    stall_relief: bool = False  # taken with the viscous law of a stall's relief (StallRelief)
    energy: Optional[EnergyState] = None  # the budget so far (problems.energy)

    def row(self) -> dict:
        """The curves.csv row: scalars, then σ_vM per region, then every interface's state (its
        axis damage for the contact only), the step control, then the energy budget [aJ]."""
        row = {key: getattr(self, key) for key in (
            "step", "time_s", "direction", "state_of_charge", "coating_state_of_charge",
            "expansion_percent",
            "mechanical_expansion_percent")}
        row.update({f"von_mises_max_{name}_GPa": value for name, value in self.von_mises_max.items()})
        row["plastic_strain_max"] = self.plastic_strain_max
        if self.coating_strain_max is not None:
            row["coating_strain_max"] = self.coating_strain_max
        row.update({key: getattr(self, key) for key in ("c_min", "c_max", "entry_c_min")})
        for name, state in self.interfaces.items():
            for key, value in asdict(state).items():
                if key == "area_nm2":
                    continue  # constant: in summary.json
                if key != "axis_damage" or name == CONTACT:
                    row[f"{name}_{key}"] = value
        row.update({key: getattr(self, key) for key in (
            "newton_iterations", "damage_rounds", "step_percent")})
        row["stall_relief"] = int(self.stall_relief)
        if self.energy is not None:
            for part in (self.energy.regions, self.energy.interfaces):
                for name, terms in part.items():
                    row.update({f"energy_{name}_{key}_aJ": value
                                for key, value in asdict(terms).items()})
            row["energy_bulk_balance_residual_aJ"] = self.energy.bulk_residual
        return row


def measure_step(problem: CoupledProblem, step: int, direction: int, outcome,
                 size: float, stall_relief: bool = False) -> StepState:
    """The ``StepState`` of ``problem`` after an accepted step (collective)."""
    comm = problem.comm
    samples = problem.mechanics.quadrature_samples()
    c = problem.transport.c.x.array[problem.transport.active]
    region = np.rint(samples.region).astype(int)
    coating = problem.layout.regions.get("coating")
    kinematics = problem.mechanics.kinematics
    return StepState(
        step=step, time_s=problem.time, direction=direction,
        state_of_charge=problem.mean_concentration(),
        coating_state_of_charge=problem.coating_state_of_charge(),
        expansion_percent=problem.chemical_expansion(),
        mechanical_expansion_percent=problem.mechanical_expansion(),
        von_mises_max={name: comm.allreduce(np.max(samples.von_mises[region == tag], initial=0.0),
                                            op=MPI.MAX)
                       for name, tag in problem.layout.regions.items()},
        plastic_strain_max=comm.allreduce(np.max(samples.p, initial=0.0), op=MPI.MAX),
        coating_strain_max=None if coating is None else kinematics.engineering_strain(
            comm.allreduce(samples.largest_principal_strain(region == coating), op=MPI.MAX)),
        c_min=comm.allreduce(np.min(c, initial=np.inf), op=MPI.MIN),
        c_max=comm.allreduce(np.max(c, initial=-np.inf), op=MPI.MAX),
        entry_c_min=outcome.entry_c_min,
        interfaces=problem.interface_states(),
        newton_iterations=outcome.newton.iterations,
        damage_rounds=outcome.newton.staggers,
        step_percent=size,
        stall_relief=stall_relief,
        energy=problem.energy.step(),
    )


def half_cycles(case: Case) -> list[int]:
    """Directions of the half-cycles: +1 sodiate, −1 desodiate."""
    one = [1, -1] if case.sodiation.desodiate else [1]
    return one * case.sodiation.cycles


def run_steps(problem: CoupledProblem, case: Case, outputs, progress, checkpoints=None,
              resume: Optional[Place] = None) -> RunRecord:
    """Step ``problem`` through the schedule; ``outputs.row(row)`` / ``outputs.snapshot(X, t)``.

    ``checkpoints`` (``coupling.checkpoint.Checkpoints``) writes a checkpoint when due and when
    a signal ends the run; ``resume`` is the place of one read back (``checkpoint.restore``
    has put its state into ``problem``): the loop goes on from there."""
    start = clock.perf_counter()
    STOPWATCH.reset()
    s = case.solver
    stop = case.sodiation.stop_expansion_percent
    snapshot_marks = set(landmarks(stop, case.output.snapshot_every_percent,
                                   case.output.snapshot_at_percent)) | {0.0}
    relief = StallRelief(problem)
    if resume is None:
        place = Place(RunRecord(), StepController(s.first_step_percent, s.min_step_percent,
                                                  s.max_step_percent))
        record = place.record
        initial = problem.equilibrate()
        if initial is not None and not initial.converged:
            record.status = "stopped"
            record.message = (f"stopped at the initial state: no mechanical equilibrium with "
                              f"the initial concentration ({initial.reason})")
            return _finished(record, start)
        problem.energy.start()
        outputs.snapshot(problem.chemical_expansion(), problem.time)
        if checkpoints is not None:
            checkpoints.save(_placed(place, relief))
    else:
        place, record = resume, resume.record
        relief.on, relief.events = place.relief["on"], place.relief["events"]
        relief.before = place.relief["before"]
        progress.log(f"resumed at step {place.step}, {problem.chemical_expansion():.3f} %")
    record.unstable_jumps = relief.events
    control = place.control
    for index, direction in enumerate(half_cycles(case)):
        if index < place.half_cycle:
            continue
        place.half_cycle = index
        target = stop if direction > 0 else 0.0
        position = problem.chemical_expansion()
        marks = sorted(snapshot_marks | {target})
        while direction * (target - position) > LANDMARK_TOLERANCE:
            signum = agreed(problem.comm)
            if signum:
                if checkpoints is not None:
                    checkpoints.save(_placed(place, relief))
                return _interrupted(record, position, signum, start)
            size = control.propose(position, marks, direction)
            outcome = problem.advance(direction, size)
            if outcome.interrupted:  # back at the last step: the agreed() above stops the run
                continue
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
                if relief.start(control, position, record.energy):
                    progress.log(f"stall at {position:.3f} % ({reason}): viscous damage with "
                                 f"η = {problem.retry_viscosity:.3g} s until d has caught up")
                    continue
                return _stopped(record, position, outcome, control, start, relief.on)
            place.step += 1
            position = _landed(problem.chemical_expansion(), marks)
            control.accepted(outcome.newton.factorizations)  # the costly part of the effort
            if (outcome.plastic_increment > s.max_plastic_increment
                    or outcome.newton.staggers > STAGGER_TARGET):
                control.size = max(control.size * control.shrink, control.smallest)
            state = measure_step(problem, place.step, direction, outcome, size, relief.on)
            if relief.accepted(state):
                record.viscous_steps += 1
                if not relief.on:
                    progress.log(jump_note(relief.events[-1]))
            _track_peaks(record, state)
            _track_energy(record, state, case)
            events = len(record.onset) + len(record.complete)
            moved = debond_advanced(place.previous, state,
                                    case.output.snapshot_every_debonded_percent)
            if direction > 0:
                track_debonding(record.onset, record.complete, place.previous, state, case)
                if s.onset_step_percent is not None and approaching_onset(state, record.onset):
                    control.size = min(control.size, s.onset_step_percent)
            place.previous = state
            record.steps = place.step
            record.newton_iterations += state.newton_iterations
            outputs.row(state.row())
            held = problem.held(state.interfaces)  # a snapshot at each event, found at this step
            if (position in marks or not held or moved
                    or len(record.onset) + len(record.complete) > events):
                outputs.snapshot(position, problem.time)
            progress.update(position, _status(state, direction))
            if not held:
                record.status = "detached"
                record.message = (f"the particle came off at {position:.3f} % volume expansion: "
                                  "no interface path to the substrate is left (only the residual "
                                  "stiffness holds it); the run stops here")
                break  # the message is the run's last line (simulation), printed once
            if checkpoints is not None and checkpoints.due(place.step, position in marks):
                checkpoints.save(_placed(place, relief))
        if record.status == "detached":
            break
    return _finished(record, start)


def _placed(place: Place, relief: StallRelief) -> Place:
    """``place`` with the stall relief's state in it (what a checkpoint keeps of the loop)."""
    place.relief = {"on": relief.on, "events": relief.events, "before": relief.before}
    return place


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


def _status(state: StepState, direction: int) -> str:
    verb = "sodiating" if direction > 0 else "desodiating"
    status = (f"{verb} · step {state.step_percent:.3g} % · Newton {state.newton_iterations} · "
              f"σvM(Sn) {state.von_mises_max.get('particle', 0.0):.2f} GPa")
    contact = state.interfaces.get(CONTACT)
    return (status if contact is None
            else f"{status} · Sn/substrate debonded {contact.debonded_area_fraction:.0%}")


def _track_peaks(record: RunRecord, state: StepState) -> None:
    for region, value in state.von_mises_max.items():
        record.peak_von_mises[region] = max(record.peak_von_mises.get(region, 0.0), value)
    if state.coating_strain_max is not None:
        record.peak_coating_strain = max(record.peak_coating_strain or -np.inf,
                                         state.coating_strain_max)


def _track_energy(record: RunRecord, state: StepState, case: Case) -> None:
    """Keep the last budget, each balance's largest residual and largest term, and the ratio
    of each interface's rate-independent dissipation D to Gc times its debonded area (≥ 1 up to
    the criterion's share of Gc) and to Gc times its damaged area (≤ 1).

    An interface balance that misses by more than JUMP_MISS of the interface's whole toughness
    (Gc times its area) within one step marks an unstable jump taken in that step: the trapezoidal work cannot follow a state that
    jumped, and the miss is the energy the jump released (−miss: what the interface stored and
    dissipated beyond the work the trapezoid credits it). Such steps are listed
    (``record.jumps``) and kept out of the residual that measures the discretisation."""
    before, energy = record.energy, state.energy
    record.energy = energy
    regions, interfaces = energy.regions.values(), energy.interfaces
    balances = {"bulk": (energy.bulk_residual, [
        sum(r.swelling_work for r in regions), sum(r.elastic for r in regions),
        sum(r.plastic for r in regions), sum(i.work for i in interfaces.values())])}
    balances.update({name: (i.balance_residual, [i.work, i.frame_work,
                                                 i.bonded + i.residual_floor + i.contact,
                                                 i.dissipated + i.viscous])
                     for name, i in interfaces.items()})
    laws = case.interfaces.laws()
    for name, (residual, terms) in balances.items():
        worst = record.energy_closure.setdefault(name, [0.0, 0.0, 0.0])
        worst[1] = max([worst[1]] + [abs(t) for t in terms])
        if name in interfaces and before is not None:
            miss = residual - before.interfaces[name].balance_residual
            toughness = laws[name].toughness * state.interfaces[name].area_nm2  # [aJ]
            if abs(miss) > JUMP_MISS * toughness:
                worst[2] += miss
                record.jumps.append({"step": state.step, "expansion_percent":
                                     state.expansion_percent, "interface": name,
                                     "released_aJ": -miss, "of_Gc_area": abs(miss) / toughness})
        worst[0] = max(worst[0], abs(residual - worst[2]))
    for name, now in state.interfaces.items():
        toughness, spent = laws[name].toughness, interfaces[name].dissipated
        bounds = record.toughness_bounds.setdefault(name, [float("inf"), 0.0])
        debonded, damaged = now.debonded_deformed_area_nm2, now.damaged_deformed_area_nm2
        if debonded > 0.0:
            bounds[0] = min(bounds[0], spent / (toughness * debonded))
        if damaged > 0.0:
            bounds[1] = max(bounds[1], spent / (toughness * damaged))


def _refusal_reason(outcome) -> str:
    """Why a step was not accepted, in a few words."""
    if outcome.cut_off:
        return "desodiation cut-off: entry surface below c = 0"
    return outcome.newton.reason if outcome.newton is not None else "transport"


def _stopped(record: RunRecord, position: float, outcome, control: StepController,
             start: float, viscous: bool) -> RunRecord:
    record.status = "stopped"
    law = " with viscous damage (the stall relief)" if viscous else ""
    record.message = (f"stopped by the solver at {position:.3f} % volume expansion: a refused "
                      f"step ({_refusal_reason(outcome)}) was cut to {control.size:.3g} %{law}, "
                      f"below solver.min_step_percent = {control.smallest:g} %; results up to "
                      "there are written")
    return _finished(record, start)


def _interrupted(record: RunRecord, position: float, signum: int, start: float) -> RunRecord:
    record.status, record.signum = "interrupted", signum
    record.message = (f"interrupted by {signal.Signals(signum).name} at {position:.3f} % volume "
                      f"expansion after {record.steps} steps; results up to there are written, "
                      "and a checkpoint: the same command with --resume goes on from there")
    return _finished(record, start)

