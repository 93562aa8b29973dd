"""Wire one case: Case → mesh → (physics) → outputs. The CLI calls these; so can a script."""

from __future__ import annotations

import json
import math
import shlex
import signal
import sys
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from nanoglue.case_file import case_to_yaml
from nanoglue.config import Case
from nanoglue.errors import CaseError, exit_code
from nanoglue.fem.versions import software_versions
from nanoglue.geometry.layout import runnable
from nanoglue.output.plots import plot_damage_profiles, plot_debonding, plot_stress_curves
from nanoglue.output.progress import progress_bar
from nanoglue.output.run_outputs import RunOutputs
from nanoglue.interrupt import stop_on_signals
from nanoglue.parallel import barrier, is_root
from nanoglue.run_directory import CASE_HEADER, case_file_name
from nanoglue.materials.diffusivity import front_precursor_length
from nanoglue.coupling.coupled import CoupledProblem
from nanoglue.coupling import checkpoint
from nanoglue.coupling.checkpoint import Checkpoints, case_hash
from nanoglue.coupling.run import half_cycles, run_steps

def interface_note(case: Case) -> str:
    """What the run's interfaces mean, shown at the end and kept in the summary."""
    if case.interfaces.model == "bonded":
        return "Interfaces are bonded (interfaces.model: bonded): no debonding is computed."
    return (
        "Interfaces are cohesive (one displacement field per region, lagged damage): onset and "
        "complete are interpolated between steps on the mesh as built; check the interface "
        "resolution warning of the mesh report. The Sn/CNF shear strength is calibrated on the "
        "paper's bare completion; when every element size halves, onsets and the S10 "
        "lift-off move < 1 point, while the bare completion moves by ~1.5 points (61.3 → 62.8 %; "
        "docs/calibration.md). A point counts as debonded once its law has spent 99 % of Gc."
    )


def _say(message: str) -> None:
    if is_root():
        print(message, flush=True)


MSH_NAME = "mesh.msh"
"""The Gmsh mesh every mesh and run directory holds: a file geometry.mesh.file reads back."""


def mesh_case(case: Case, directory: Path) -> dict:
    """Build the mesh of ``case`` (or read and check its geometry.mesh.file) and write mesh.msh,
    mesh.xdmf, tags.json and mesh.png into ``directory``."""
    from nanoglue.fem.mesh import build_mesh

    return _write_mesh(build_mesh(case, msh_path=directory / MSH_NAME), directory)


def _write_mesh(bundle, directory: Path) -> dict:
    from nanoglue.output.mesh_outputs import format_mesh_report, write_mesh_outputs

    if is_root():
        directory.mkdir(parents=True, exist_ok=True)
    barrier()
    stats = write_mesh_outputs(bundle, directory)
    _say(format_mesh_report(stats))
    _say(f"mesh written to {directory}/")
    return stats


def run_case(case: Case, directory: Path, resume: bool = False,
             case_path: Optional[Path] = None) -> dict:
    """Run ``case`` into ``directory``: mesh outputs (mesh.msh among them), case.yaml,
    curves.csv/.png, fields.pvd with fields/ (``output.snapshots``), profiles/*.csv,
    damage_vs_arc.png, checkpoint/, summary.json (its ``exit_code`` is the command's).
    Axisymmetric cases only (the 3-D model is meshing only so far). ``resume``: go on from the
    checkpoint in ``directory`` (CaseError: none, or written for another case or rank count).

    SIGINT / SIGTERM / SIGUSR1 during the run stop it at its last accepted step (``interrupt``;
    the step under way is abandoned): a checkpoint is written, the files are closed and the
    summary written as after any other ending, with status "interrupted". The resolved case goes to case.yaml, or to case-resolved.yaml where
    case.yaml is a file the tool did not write (``case_path``'s own, say)."""
    with stop_on_signals():
        return _run_case(case, directory, resume, case_path)


def _run_case(case: Case, directory: Path, resume: bool, case_path: Optional[Path]) -> dict:
    from nanoglue.fem.mesh import build_mesh

    if not runnable(case.geometry.model):
        raise CaseError("geometry.model",
                        f"'{case.geometry.model}' can be meshed (nanoglue mesh) but not run yet")
    identity = case_hash(case_to_yaml(case))
    started = _now()
    meta = checkpoint.read_meta(directory) if resume else None
    if meta is not None:
        checkpoint.check(meta, identity, directory)
    bundle = build_mesh(case, msh_path=directory / MSH_NAME)
    mesh_stats = _write_mesh(bundle, directory)
    if is_root() and meta is None:
        (directory / case_file_name(directory, case_path)).write_text(
            CASE_HEADER + case_to_yaml(case), encoding="utf-8")
    problem = CoupledProblem(case, bundle)
    resumed = checkpoint.restore(problem, directory, meta) if meta is not None else None
    outputs = RunOutputs(directory, problem, bundle.cell_tags, bundle.facet_tags,
                         resume=None if resumed is None else (resumed.outputs, resumed.place.step))
    checkpoints = Checkpoints(directory, problem, identity, case.output.checkpoint_every_steps,
                              outputs.place)
    _say(f"Na enters through {case.sodiation.route}: entry area {problem.entry_area:.5g} nm², "
         f"flux density {problem.flux_density:.4g} nm/s, particle volume {problem.particle_volume:.5g} nm³")
    precursor = front_precursor_length(problem.diffusivity, problem.flux_density)
    front = {"front_precursor_nm": precursor,
             "pristine_diffusivity_nm2_per_s": getattr(problem.diffusivity, "low", None),
             "front_warning": front_resolution_warning(precursor, case.geometry.mesh.particle_size)}
    if front["front_precursor_nm"] is not None:
        _say(f"first-stage front: D_lo = {front['pristine_diffusivity_nm2_per_s']:.3g} nm²/s, "
             f"precursor D_lo·c1/j = {front['front_precursor_nm']:.3g} nm")
    if front["front_warning"]:
        _say(front["front_warning"])
    schedule = case.sodiation.stop_expansion_percent * len(half_cycles(case))  # X travelled
    with progress_bar(case.name, schedule) as progress:
        record = run_steps(problem, case, outputs, progress, checkpoints,
                           None if resumed is None else resumed.place)
    outputs.close()
    summary = _summary(case, problem, record, mesh_stats, outputs.profiles.written, front)
    summary["provenance"] = {"command": shlex.join(sys.argv), "ranks": problem.comm.size,
                             "started_utc": started, "finished_utc": _now(),
                             "resumed_at_step": None if resumed is None else resumed.place.step,
                             "case_sha256": identity}
    if is_root():
        (directory / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        if record.steps:  # a run stopped before its first step has no curves.csv
            plot_stress_curves(directory / "curves.csv", directory / "curves.png", case.name)
            plot_debonding(directory / "curves.csv", directory / "debonding.png", case.name,
                           record.onset, record.complete)
        plot_damage_profiles(outputs.profiles.states, directory / "damage_vs_arc.png", case.name,
                             problem.debonded_thresholds())
    if record.onset or record.complete:
        _say(_debonding_line(record))
    strain = summary["coating_strain"]
    if strain is not None and strain["beyond_survived"]:
        _say(f"warning: the coating's largest principal strain reached "
             f"{100 * strain['peak_max_principal']:.3g} %, beyond the "
             f"{100 * strain['survived']:.3g} % the Na–Al–O coating was seen to survive "
             "(materials.coating_survived_strain): a real coating may have cracked there, "
             "which the model does not represent")
    _say(record.message or f"done: {record.steps} steps, {record.wall_seconds:.1f} s "
         "(how onset and complete are defined: --verbose, or summary.json's \"note\")")
    return summary


def _coating_strain(case: Case, record) -> Optional[dict]:
    """The coating's peak largest principal (total) strain against the strain it was seen to
    survive (None without a coating)."""
    peak = record.peak_coating_strain
    if peak is None:
        return None
    survived = case.materials.coating_survived_strain
    return {"peak_max_principal": peak, "survived": survived, "beyond_survived": peak > survived}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def front_resolution_warning(precursor, size: float) -> str:
    """A warning when the first-stage front's precursor ℓ_f = D_lo/v at the entry
    (``diffusivity.front_precursor_length``, None without a plateau) is shorter than the
    particle elements of ``size`` [nm] ('' otherwise)."""
    if precursor is None or precursor >= size:
        return ""
    return (f"warning: the Na front leads by D_lo/v = {precursor:.2g} nm at the entry, less than "
            f"the particle elements ({size:g} nm): the front is smeared over an element, so "
            "debonding the swelling front drives (completion above all) changes with the mesh "
            "(docs/calibration.md)")


def _debonding_line(record) -> str:
    """One line per interface with its onset / completion [% volume expansion]."""
    names = sorted(set(record.onset) | set(record.complete))

    def shown(value):
        return "–" if value is None else f"{value:.2f} %"

    return "\n".join(f"{name}: onset {shown(record.onset.get(name))}, complete "
                     f"{shown(record.complete.get(name))}" for name in names)


def _energy_summary(record) -> dict:
    """The budget after the last step, each balance's largest residual relative to its largest
    term over the run (outside the steps an interface jumped in, listed with the energy each
    jump released), and the Gc bounds of each interface (problems.energy, docs/model.md)."""
    if record.energy is None:
        return {}
    bounds = {name: {"min_dissipated_over_Gc_debonded_area": low if math.isfinite(low) else None,
                     "max_dissipated_over_Gc_damaged_area": high}
              for name, (low, high) in record.toughness_bounds.items()}
    return {"units": "aJ = 1e-18 J = GPa·nm³, the whole body (2π included in axisymmetry)",
            "final": asdict(record.energy),
            "largest_relative_residual": {name: residual / term if term > 0.0 else 0.0
                                          for name, (residual, term, _) in
                                          record.energy_closure.items()},
            "unstable_jumps": record.jumps,
            "released_in_jumps_aJ": {name: -jumped for name, (_, _, jumped) in
                                     record.energy_closure.items() if jumped},
            "toughness_bounds": bounds}


def _summary(case: Case, problem, record, mesh_stats: dict, profiles: list[str],
             front: dict) -> dict:
    coating_strength = case.materials.coating_strength
    peak_coating = record.peak_von_mises.get("coating")
    return {
        "case": case.name,
        "status": record.status,
        "message": record.message,
        "signal": signal.Signals(record.signum).name if record.signum else None,
        "exit_code": int(exit_code(record.status, record.signum)),
        "note": interface_note(case),
        "units": {"length": "nm", "stress": "GPa", "time": "s", "expansion": "%"},
        "final": {
            "expansion_percent": problem.chemical_expansion(),
            "mechanical_expansion_percent": problem.mechanical_expansion(),
            "state_of_charge": problem.mean_concentration(),
            "time_s": problem.time,
        },
        "peak_von_mises_GPa": record.peak_von_mises,
        "coating_over_strength": (
            None if coating_strength is None or peak_coating is None else peak_coating > coating_strength
        ),
        "coating_strain": _coating_strain(case, record),
        "debonding": {
            "onset_expansion_percent": record.onset,
            "complete_expansion_percent": record.complete,
            "held": problem.held(),
            "damage_viscosity_s": problem.damage_viscosity,
            "stall_relief": {"viscosity_s": problem.retry_viscosity,
                             "stalls": record.stalls_relieved,
                             "viscous_steps": record.viscous_steps,
                             "unstable_jumps": record.unstable_jumps},
            "dissipated_energy_aJ": {name: i.dissipated + i.viscous
                                     for name, i in record.energy.interfaces.items()}
                                    if record.energy else {},
            "final": {name: {k: (v if math.isfinite(v) else None)
                             for k, v in asdict(state).items()}
                      for name, state in problem.interface_states().items()},
        },
        "energy_aJ": _energy_summary(record),
        "desodiation_cut_off_expansion_percent": record.cut_offs,
        "profiles": profiles,
        "entry": {"route": case.sodiation.route, "area_nm2": problem.entry_area,
                  "flux_density_nm_per_s": problem.flux_density, **front},
        "steps": record.steps,
        "rejected_steps": record.rejected_steps,
        "rejected_steps_by_reason": record.rejections,
        "newton_iterations": record.newton_iterations,
        "wall_seconds": record.wall_seconds,
        "time_split_seconds": record.time_split,
        "mesh": mesh_stats,
        "software": software_versions(),
        "unknowns": {"transport": problem.transport.num_active_dofs,
                     "mechanics": problem.mechanics.system.num_active_dofs},
    }
