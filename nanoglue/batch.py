"""Sweeps on a batch system: the points of ``nanoglue sweep --scheduler slurm`` as one SLURM job
array, each task one point run on K MPI ranks; and what any sweep directory holds so far
(``sweep status``, ``sweep collect``).

A sweep directory OUT holds ``sweep.json`` (the title and every point's slug and settings,
written by either scheduler) and one directory per point. The SLURM scheduler adds ``slurm/``:

    points/<slug>.yaml  each point's resolved case (what its task runs)
    points.txt          the slugs, line i + 1 for array task i
    sweep.sbatch        the array job: one task per point not finished yet
    jobs.txt            the job ids of the submissions
    logs/               one log per task (a requeued task appends to its own)

A task skips a finished point, goes on from a point's checkpoint (``--resume``) or starts it
afresh (``--overwrite``). SLURM sends SIGTERM ``signal_seconds`` before the time limit (the
``--signal`` of the script), the run stops cleanly and checkpoints (exit 143, or 138 for
SIGUSR1), and the task requeues itself: the next instance resumes. A point's lock left by a
killed instance is removed first: SLURM runs one instance of an array task at a time.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from nanoglue.case_file import case_to_yaml
from nanoglue.coupling.checkpoint import find
from nanoglue.errors import CaseError, ExitCode
from nanoglue.run_directory import LOCK
from nanoglue.output.curves import read_curves
from nanoglue.sweep_outputs import (FINISHED, PointResult, SweepPoint, finished_point,
                                    read_manifest, read_summary, write_manifest,
                                    write_sweep_outputs)

BATCH = "slurm"
LAUNCHERS = {"srun": "srun --mpi=pmix", "mpirun": "mpirun"}
"""How a task starts its point's ranks: srun (SLURM's own, PMIx), or the MPI's mpirun (which
reads the allocation from SLURM) where a site's MPI is not built for srun."""


@dataclass(frozen=True)
class SlurmOptions:
    """The ``#SBATCH`` settings of a sweep's array job."""

    ranks: int = 1  # MPI ranks per point (-n)
    time: Optional[str] = None  # time limit per task, HH:MM:SS (the site's default if None)
    partition: Optional[str] = None
    account: Optional[str] = None
    launcher: str = "srun"  # a LAUNCHERS key
    signal_seconds: int = 120  # SIGTERM this long before the time limit


def prepare(points: Sequence[SweepPoint], out_dir: Path, title: str, options: SlurmOptions
            ) -> Optional[Path]:
    """The point cases, points.txt and sweep.sbatch for the points not finished yet; the
    script's path, or None when every point is finished."""
    batch = out_dir / BATCH
    (batch / "points").mkdir(parents=True, exist_ok=True)
    (batch / "logs").mkdir(exist_ok=True)
    write_manifest(points, out_dir, title)
    for point in points:
        (batch / "points" / f"{point.slug}.yaml").write_text(case_to_yaml(point.case),
                                                             encoding="utf-8")
    (batch / "points.txt").write_text("".join(f"{p.slug}\n" for p in points), encoding="utf-8")
    left = [i for i, point in enumerate(points) if finished_point(point, out_dir) is None]
    if not left:
        return None
    script = batch / "sweep.sbatch"
    script.write_text(_script(out_dir.resolve(), points[0].case.name, left, options),
                      encoding="utf-8")
    return script


def _script(out_dir: Path, name: str, tasks: Sequence[int], o: SlurmOptions) -> str:
    """The array job script: plain bash, the SLURM-specific parts in the #SBATCH lines, the
    task id variables and the self-requeue (docs/cluster.md)."""
    sbatch = [f"--job-name=nanoglue-{name}", f"--array={','.join(map(str, tasks))}",
              f"--ntasks={o.ranks}", f"--signal=TERM@{o.signal_seconds}", "--requeue",
              "--open-mode=append", f"--output={out_dir / BATCH / 'logs' / '%a.log'}"]
    sbatch += [f"--{key}={value}" for key, value in
               (("time", o.time), ("partition", o.partition), ("account", o.account)) if value]
    run = f"{shlex.quote(sys.executable)} -m nanoglue.cli run"
    launch = LAUNCHERS[o.launcher] if o.ranks > 1 or o.launcher == "srun" else ""
    return "\n".join([
        "#!/bin/bash", *(f"#SBATCH {line}" for line in sbatch), "",
        "# One point of a nanoglue sweep per array task; written by `nanoglue sweep --scheduler",
        "# slurm`, safe to edit. Re-submitting (nanoglue sweep ... --resume) rewrites it.",
        "set -u",
        f"sweep={shlex.quote(str(out_dir))}",
        'slug=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" "$sweep/slurm/points.txt")',
        'point="$sweep/$slug"',
        'if grep -qsE \'"status": "(completed|detached)"\' "$point/summary.json"; then',
        '  echo "$slug: finished already"; exit 0',
        "fi",
        f'rm -f "$point/{LOCK}"  # left by a killed instance of this task: it is gone',
        'if [ -f "$point/checkpoint/state.pkl" ] || [ -f "$point/checkpoint.old/state.pkl" ]; then',
        "  mode=--resume",
        "else",
        "  mode=--overwrite",
        "fi",
        f'{launch} {run} "$sweep/slurm/points/$slug.yaml" -o "$point" $mode'.strip(),
        "code=$?",
        'if [ "$code" -eq 143 ] || [ "$code" -eq 138 ]; then  # stopped by a signal, checkpointed',
        '  scontrol requeue "${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"',
        "fi",
        'exit "$code"', ""])


def submit(script: Path, out_dir: Path) -> str:
    """``sbatch`` the script; the job id, also appended to slurm/jobs.txt."""
    if shutil.which("sbatch") is None:
        raise CaseError("--submit", "sbatch is not on PATH (no SLURM here): the script is "
                        f"written, {script}; submit it where SLURM runs")
    done = subprocess.run(["sbatch", "--parsable", str(script)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise CaseError("--submit", f"sbatch refused {script}: {done.stderr.strip()}")
    job = done.stdout.strip().split(";")[0]
    with open(out_dir / BATCH / "jobs.txt", "a", encoding="utf-8") as handle:
        handle.write(job + "\n")
    return job


def point_states(out_dir: Path) -> list[tuple[str, str, str]]:
    """(slug, state, detail) of every point: done, failed, interrupted, running or pending —
    from the point directories and, for a submitted sweep, squeue."""
    return _states(out_dir, read_manifest(out_dir)[1])


def _states(out_dir: Path, points: Sequence[SweepPoint]) -> list[tuple[str, str, str]]:
    queued = _queue(out_dir)
    states = []
    for index, point in enumerate(points):
        directory = out_dir / point.slug
        summary = read_summary(directory)
        status = summary.get("status") if summary else None
        if status in FINISHED:
            state, detail = "done", summary.get("message") or status
        elif queued.get(index) == "RUNNING" or (queued.get(index) is None
                                                 and (directory / LOCK).exists()):
            state, detail = "running", _progress(directory)
        elif status == "interrupted" or (status is None and find(directory) is not None):
            state = "interrupted"
            detail = (summary or {}).get("message") or "killed; its checkpoint resumes"
        elif status is not None or (directory / "traceback.txt").exists():
            state = "failed"
            detail = (summary or {}).get("message") or "internal error: see traceback.txt"
        else:
            state, detail = "pending", queued.get(index, "not started").lower()
        states.append((point.slug, state, detail))
    return states


def collect(out_dir: Path) -> list[PointResult]:
    """sweep.csv, sweep.md and sweep_debonding.png of whatever has finished; a point that has
    not is a row saying how it stands."""
    title, points = read_manifest(out_dir)
    states = {slug: (state, detail) for slug, state, detail in _states(out_dir, points)}
    results = []
    for point in points:
        kept = finished_point(point, out_dir)
        if kept is None:
            state, detail = states[point.slug]
            summary = read_summary(out_dir / point.slug)
            code = ExitCode(summary["exit_code"]) if summary else ExitCode.INTERNAL_ERROR
            kept = PointResult(point, state, code, detail, float("nan"), summary)
        results.append(kept)
    write_sweep_outputs(results, out_dir, title)
    return results


def _progress(directory: Path) -> str:
    """How far a running point is: the expansion of its last curves row."""
    curves = directory / "curves.csv"
    if not curves.is_file():
        return "meshing"
    try:
        expansion = read_curves(curves).get("expansion_percent", [])
    except ValueError:  # its last row is being written
        return "stepping"
    return f"at {expansion[-1]:.3g} % after {len(expansion)} steps" if expansion else "starting"


def _queue(out_dir: Path) -> dict[int, str]:
    """Array task id → SLURM state (PENDING, RUNNING, ...) of the sweep's submitted jobs that
    squeue still lists; empty without squeue or submissions."""
    jobs_file = out_dir / BATCH / "jobs.txt"
    if shutil.which("squeue") is None or not jobs_file.is_file():
        return {}
    jobs = jobs_file.read_text(encoding="utf-8").split()
    done = subprocess.run(["squeue", "-h", "-r", "-j", ",".join(jobs), "-o", "%i|%T"],
                          capture_output=True, text=True)
    states = {}
    for line in done.stdout.splitlines():
        task, _, state = line.partition("|")
        if "_" in task and task.rsplit("_", 1)[1].isdigit():
            states[int(task.rsplit("_", 1)[1])] = state
    return states

